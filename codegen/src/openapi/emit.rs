//! The REST model → Rust tokens → text. Mirrors the SOAP emitter's layout: `types`, one module
//! per operation under `operation`, and a `Client` with one async method per operation; plus
//! `security` with the description's security schemes.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::Loaded;
use super::model::{
    Body, Code, Def, DefKind, FormField, Location, Model, Operation, Param, ResponseBody,
    ScalarKind, SchemeModel, Ty,
};
use crate::Error;
use crate::docs;
use crate::emit::{doc_attrs, inner_doc_attrs, lit};

fn ident(s: &str) -> syn::Ident {
    format_ident!("{}", s)
}

/// Type tokens; named types are prefixed with `prefix` (`` for `types`, `super::super::types::`
/// inside operation modules).
pub fn ty(model: &Model, t: &Ty, prefix: &TokenStream) -> TokenStream {
    match t {
        Ty::Scalar(s) => match s.kind {
            ScalarKind::String => quote!(::std::string::String),
            ScalarKind::I32 => quote!(i32),
            ScalarKind::I64 => quote!(i64),
            ScalarKind::F64 => quote!(f64),
            ScalarKind::Bool => quote!(bool),
        },
        Ty::Any => quote!(::serde_json::Value),
        Ty::Array { item, .. } => {
            let i = ty(model, item, prefix);
            quote!(::std::vec::Vec<#i>)
        }
        Ty::Map(v) => {
            let v = ty(model, v, prefix);
            quote!(::std::collections::BTreeMap<::std::string::String, #v>)
        }
        Ty::Named(id) => {
            let name = ident(model.defs.get(*id).map_or("Value", |d| d.name.as_str()));
            quote!(#prefix #name)
        }
        Ty::Nullable(t) => {
            let t = ty(model, t, prefix);
            quote!(::std::option::Option<#t>)
        }
    }
}

/// The same type as text, relative to the module root (`types::Foo`).
pub fn ty_text(model: &Model, t: &Ty) -> String {
    match t {
        Ty::Scalar(s) => match s.kind {
            ScalarKind::String => "::std::string::String".into(),
            ScalarKind::I32 => "i32".into(),
            ScalarKind::I64 => "i64".into(),
            ScalarKind::F64 => "f64".into(),
            ScalarKind::Bool => "bool".into(),
        },
        Ty::Any => "::serde_json::Value".into(),
        Ty::Array { item, .. } => format!("::std::vec::Vec<{}>", ty_text(model, item)),
        Ty::Map(v) => format!(
            "::std::collections::BTreeMap<::std::string::String, {}>",
            ty_text(model, v)
        ),
        Ty::Named(id) => format!(
            "types::{}",
            model.defs.get(*id).map_or("Value", |d| d.name.as_str())
        ),
        Ty::Nullable(t) => format!("::std::option::Option<{}>", ty_text(model, t)),
    }
}

pub fn module(model: &Model, loaded: &Loaded, source: &str) -> Result<String, Error> {
    let mut type_items = TokenStream::new();
    for (id, def) in model.defs.iter().enumerate() {
        type_items.extend(type_def(model, id, def));
    }
    let security = security_module(model);
    let mut op_modules = TokenStream::new();
    let mut methods = TokenStream::new();
    for op in &model.operations {
        let (m, f) = operation(model, op);
        op_modules.extend(m);
        methods.extend(f);
    }
    let client = client(model, methods);

    let mut module_doc = vec![format!("{} (version {})", model.title, model.version)];
    if let Some(d) = &model.doc {
        module_doc.push(d.clone());
    }
    let module_doc = docs::inner_attrs(&module_doc);
    let mut summary = vec![format!(
        "Generated from `{source}` ({}).",
        if loaded.swagger2 {
            "Swagger 2.0, normalised to OpenAPI 3.0"
        } else {
            "OpenAPI 3.0"
        }
    )];
    let mut table = String::from("| operation | method | path |\n|---|---|---|");
    for op in &model.operations {
        table.push_str(&format!(
            "\n| [`{}`](Client::{}) | {} | `{}` |",
            op.name.replace('|', "\\|").replace('`', "'"),
            op.rust,
            op.method,
            op.path.replace('|', "\\|").replace('`', "'")
        ));
    }
    if !model.operations.is_empty() {
        summary.push(table);
    }
    let summary = inner_doc_attrs(&summary);

    let tokens = quote! {
        #module_doc
        #![doc = ""]
        #summary
        #![allow(clippy::large_enum_variant, clippy::too_many_arguments)]

        /// Types of the bodies, one per schema the description names (and per inline object,
        /// enum or union).
        pub mod types {
            #type_items
        }

        #security

        /// One module per operation: its input, its response enum and its static description.
        pub mod operation {
            #op_modules
        }

        #client
    };
    crate::emit::render(tokens, source)
}

fn field_doc(wire: &str, doc: &[String]) -> TokenStream {
    let mut d = doc.to_vec();
    if d.is_empty() || d.iter().all(|p| docs::sanitize(p).is_empty()) {
        return doc_attrs(&[format!("The `{}` property.", wire.replace('`', "'"))]);
    }
    d.insert(0, String::new());
    let mut out = doc_attrs(&[format!("`{}`.", wire.replace('`', "'"))]);
    out.extend(quote!(#[doc = ""]));
    out.extend(docs::attrs(&d[1..]));
    out
}

fn type_def(model: &Model, id: usize, def: &Def) -> TokenStream {
    let name = ident(&def.name);
    let mut doc_paras = def.doc.clone();
    let mut tail = Vec::new();
    if let Some(p) = &def.pointer {
        tail.push(format!(
            "Schema `{}` of the service description.",
            p.replace('`', "'")
        ));
    }
    let doc = if doc_paras.iter().all(|p| docs::sanitize(p).is_empty()) {
        doc_paras.clear();
        let mut d = doc_attrs(&[format!("`{}`.", def.name)]);
        if !tail.is_empty() {
            d.extend(quote!(#[doc = ""]));
            d.extend(doc_attrs(&tail));
        }
        d
    } else {
        let mut d = docs::attrs(&doc_paras);
        if !tail.is_empty() {
            d.extend(quote!(#[doc = ""]));
            d.extend(doc_attrs(&tail));
        }
        d
    };
    let none = TokenStream::new();
    match &def.kind {
        DefKind::Alias(t) => {
            let t = ty(model, t, &none);
            quote! { #doc pub type #name = #t; }
        }
        DefKind::Enum(e) => {
            let mut variants = TokenStream::new();
            let mut as_str = TokenStream::new();
            let mut from = TokenStream::new();
            for (rust, wire) in &e.variants {
                let v = ident(rust);
                let w = lit(wire);
                let d = doc_attrs(&[format!("`{}`", wire.replace('`', "'"))]);
                variants.extend(quote!(#d #v,));
                as_str.extend(quote!(Self::#v => #w,));
                from.extend(quote!(#w => Self::#v,));
            }
            let unknown = ident(&e.unknown);
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
                #[non_exhaustive]
                pub enum #name {
                    #variants
                    /// A value the service description does not list, kept as received.
                    #unknown(::std::string::String),
                }

                impl #name {
                    /// The value as written on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #as_str
                            Self::#unknown(other) => other.as_str(),
                        }
                    }
                }

                impl ::std::convert::From<&str> for #name {
                    fn from(value: &str) -> Self {
                        match value {
                            #from
                            other => Self::#unknown(other.to_owned()),
                        }
                    }
                }

                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }

                impl ::serde::Serialize for #name {
                    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.as_str())
                    }
                }

                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                        ::std::result::Result::Ok(Self::from(value.as_str()))
                    }
                }
            }
        }
        DefKind::OneOf(o) => {
            let mut variants = TokenStream::new();
            for v in &o.variants {
                let vn = ident(&v.rust);
                let mut t = ty(model, &v.ty, &none);
                if v.boxed {
                    t = quote!(::std::boxed::Box<#t>);
                }
                let d = if v.tags.is_empty() {
                    doc_attrs(&[format!("The `{}` alternative.", v.rust)])
                } else {
                    let tags: Vec<String> = v
                        .tags
                        .iter()
                        .map(|t| format!("`{}`", t.replace('`', "'")))
                        .collect();
                    doc_attrs(&[format!("Selected by {}.", tags.join(", "))])
                };
                variants.extend(quote!(#d #vn(#t),));
            }
            match &o.discriminator {
                None => quote! {
                    #doc
                    ///
                    /// Decoded by trying each alternative in turn (`oneOf`/`anyOf` without a
                    /// discriminator).
                    #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                    #[serde(untagged)]
                    #[non_exhaustive]
                    pub enum #name {
                        #variants
                    }
                },
                Some(d) => {
                    let unknown = ident(&d.unknown);
                    let prop = lit(&d.property);
                    let mut ser = TokenStream::new();
                    let mut de = TokenStream::new();
                    for v in &o.variants {
                        let vn = ident(&v.rust);
                        let first = lit(v.tags.first().map_or("", String::as_str));
                        let tags: Vec<Literal> = v.tags.iter().map(|t| lit(t)).collect();
                        ser.extend(quote! {
                            Self::#vn(v) => (::serde_json::to_value(v), &[#(#tags),*] as &[&str], #first),
                        });
                        let wrap = if v.boxed {
                            quote!(|v| Self::#vn(::std::boxed::Box::new(v)))
                        } else {
                            quote!(Self::#vn)
                        };
                        de.extend(quote! {
                            ::std::option::Option::Some(#(#tags)|*) => ::serde_json::from_value(value).map(#wrap).map_err(::serde::de::Error::custom),
                        });
                    }
                    let pdoc = format!(
                        "Selected by the property `{}`; a value with an unknown tag is kept as [`{}`](Self::{}).",
                        d.property.replace('`', "'"),
                        d.unknown,
                        d.unknown
                    );
                    quote! {
                        #doc
                        ///
                        #[doc = #pdoc]
                        #[derive(Debug, Clone, PartialEq)]
                        #[non_exhaustive]
                        pub enum #name {
                            #variants
                            /// A value whose tag the service description does not map, kept as received.
                            #unknown(::serde_json::Value),
                        }

                        impl ::serde::Serialize for #name {
                            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                                let (value, tags, first) = match self {
                                    #ser
                                    Self::#unknown(v) => return ::serde::Serialize::serialize(v, serializer),
                                };
                                let mut value = value.map_err(::serde::ser::Error::custom)?;
                                if let ::serde_json::Value::Object(map) = &mut value {
                                    let tagged = map
                                        .get(#prop)
                                        .and_then(::serde_json::Value::as_str)
                                        .is_some_and(|t| tags.contains(&t));
                                    if !tagged {
                                        map.insert(#prop.to_owned(), ::serde_json::Value::String(first.to_owned()));
                                    }
                                }
                                ::serde::Serialize::serialize(&value, serializer)
                            }
                        }

                        impl<'de> ::serde::Deserialize<'de> for #name {
                            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                                let tag = value.get(#prop).and_then(::serde_json::Value::as_str).map(str::to_owned);
                                match tag.as_deref() {
                                    #de
                                    _ => ::std::result::Result::Ok(Self::#unknown(value)),
                                }
                            }
                        }
                    }
                }
            }
        }
        DefKind::Struct(s) => {
            let mut fields = TokenStream::new();
            let mut args = TokenStream::new();
            let mut inits = TokenStream::new();
            for f in &s.fields {
                let fname = ident(&f.rust);
                let mut inner = ty(model, &f.ty, &none);
                if f.boxed {
                    inner = quote!(::std::boxed::Box<#inner>);
                }
                let rename = if f.rust == f.wire {
                    TokenStream::new()
                } else {
                    let w = lit(&f.wire);
                    quote!(#[serde(rename = #w)])
                };
                let fdoc = field_doc(&f.wire, &f.doc);
                let (field_ty, attrs, init) = if f.optional() && f.nullable {
                    (
                        quote!(::sdk_runtime::rest::Nullable<#inner>),
                        quote!(#[serde(default, skip_serializing_if = "::sdk_runtime::rest::Nullable::is_absent")]),
                        Some(quote!(::sdk_runtime::rest::Nullable::Absent)),
                    )
                } else if f.optional() {
                    (
                        quote!(::std::option::Option<#inner>),
                        quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")]),
                        Some(quote!(::std::option::Option::None)),
                    )
                } else if f.nullable {
                    // Required and nullable: always written, `null` for `None`.
                    (
                        quote!(::std::option::Option<#inner>),
                        quote!(#[serde(default)]),
                        None,
                    )
                } else {
                    (inner, TokenStream::new(), None)
                };
                fields.extend(quote! {
                    #fdoc
                    #rename
                    #attrs
                    pub #fname: #field_ty,
                });
                match init {
                    Some(i) => inits.extend(quote!(#fname: #i,)),
                    None => {
                        args.extend(quote!(#fname: #field_ty,));
                        inits.extend(quote!(#fname,));
                    }
                }
            }
            if let Some((n, t)) = &s.additional {
                let fname = ident(n);
                let t = ty(model, t, &none);
                fields.extend(quote! {
                    /// Properties the schema does not name (`additionalProperties`).
                    #[serde(flatten)]
                    pub #fname: ::std::collections::BTreeMap<::std::string::String, #t>,
                });
                inits.extend(quote!(#fname: ::std::collections::BTreeMap::new(),));
            }
            let deny = if model.deny_unknown(id) {
                quote!(#[serde(deny_unknown_fields)])
            } else {
                TokenStream::new()
            };
            let default = if args.is_empty() {
                quote!(Default,)
            } else {
                TokenStream::new()
            };
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
                #[non_exhaustive]
                #deny
                pub struct #name {
                    #fields
                }

                impl #name {
                    /// A value with the required properties; the others absent.
                    pub fn new(#args) -> Self {
                        Self { #inits }
                    }
                }
            }
        }
    }
}

fn security_module(model: &Model) -> TokenStream {
    let mut consts = TokenStream::new();
    let mut entries = TokenStream::new();
    for s in &model.schemes {
        let c = ident(&s.constant);
        let name = lit(&s.name);
        let kind = match &s.model {
            SchemeModel::Http { scheme, .. } => format!("HTTP `{scheme}` authentication"),
            SchemeModel::ApiKey { name, location } => {
                format!("an API key in the {} `{name}`", location_word(*location))
            }
            SchemeModel::OAuth2 { .. } => {
                "OAuth 2.0 (give an access token as `Credential::Bearer`)".into()
            }
            SchemeModel::OpenIdConnect { url } => {
                format!(
                    "OpenID Connect, discovery at `{url}` (give an access token as `Credential::Bearer`)"
                )
            }
            SchemeModel::MutualTls => "mutual TLS (the `HttpClient`'s client certificate)".into(),
        };
        let mut d = vec![format!("Scheme `{}`: {kind}.", s.name.replace('`', "'"))];
        let head = doc_attrs(&d);
        d.clear();
        let more = match &s.doc {
            Some(text) if !docs::sanitize(text).is_empty() => {
                let a = docs::attrs(std::slice::from_ref(text));
                quote!(#[doc = ""] #a)
            }
            _ => TokenStream::new(),
        };
        consts.extend(quote! { #head #more pub const #c: &str = #name; });
        let value = match &s.model {
            SchemeModel::Http {
                scheme,
                bearer_format,
            } => {
                let sc = lit(scheme);
                let bf = opt_lit(bearer_format.as_deref());
                quote!(::sdk_runtime::rest::SecurityScheme::Http { scheme: #sc, bearer_format: #bf })
            }
            SchemeModel::ApiKey { name, location } => {
                let n = lit(name);
                let l = match location {
                    Location::Query => quote!(Query),
                    Location::Cookie => quote!(Cookie),
                    _ => quote!(Header),
                };
                quote!(::sdk_runtime::rest::SecurityScheme::ApiKey { name: #n, location: ::sdk_runtime::rest::ApiKeyLocation::#l })
            }
            SchemeModel::OAuth2 { flows } => {
                let mut fs = TokenStream::new();
                for f in flows {
                    let kind = match f.kind.as_str() {
                        "implicit" => quote!(Implicit),
                        "password" => quote!(Password),
                        "authorizationCode" => quote!(AuthorizationCode),
                        _ => quote!(ClientCredentials),
                    };
                    let a = opt_lit(f.authorization_url.as_deref());
                    let t = opt_lit(f.token_url.as_deref());
                    let r = opt_lit(f.refresh_url.as_deref());
                    let scopes = f.scopes.iter().map(|(k, v)| {
                        let (k, v) = (lit(k), lit(v));
                        quote!((#k, #v))
                    });
                    fs.extend(quote! {
                        ::sdk_runtime::rest::OAuthFlow::new(::sdk_runtime::rest::OAuthFlowKind::#kind, #a, #t, #r, &[#(#scopes),*]),
                    });
                }
                quote!(::sdk_runtime::rest::SecurityScheme::OAuth2 { flows: &[#fs] })
            }
            SchemeModel::OpenIdConnect { url } => {
                let u = lit(url);
                quote!(::sdk_runtime::rest::SecurityScheme::OpenIdConnect { url: #u })
            }
            SchemeModel::MutualTls => quote!(::sdk_runtime::rest::SecurityScheme::MutualTls),
        };
        entries.extend(quote!((#c, #value),));
    }
    quote! {
        /// The security schemes of the description. Set credentials for them by name with
        /// [`Client::with_credentials`].
        pub mod security {
            #consts

            /// Every scheme, as the client needs them.
            pub static SCHEMES: &[(&str, ::sdk_runtime::rest::SecurityScheme)] = &[#entries];
        }
    }
}

fn opt_lit(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => {
            let s = lit(s);
            quote!(::std::option::Option::Some(#s))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn location_word(l: Location) -> &'static str {
    match l {
        Location::Path => "path parameter",
        Location::Query => "query parameter",
        Location::Header => "header",
        Location::Cookie => "cookie",
    }
}

/// The input field of a parameter: its type, and whether it is an `Option`.
fn param_field(model: &Model, p: &Param, prefix: &TokenStream) -> TokenStream {
    let t = ty(model, &p.ty, prefix);
    if p.required {
        t
    } else {
        quote!(::std::option::Option<#t>)
    }
}

fn form_field_ty(model: &Model, f: &FormField, prefix: &TokenStream) -> TokenStream {
    let t = match &f.ty {
        Some(t) => ty(model, t, prefix),
        None => quote!(::std::vec::Vec<u8>),
    };
    if f.required {
        t
    } else {
        quote!(::std::option::Option<#t>)
    }
}

fn operation(model: &Model, op: &Operation) -> (TokenStream, TokenStream) {
    let m = ident(&op.rust);
    let prefix = quote!(super::super::types::);
    let mut doc = vec![format!(
        "`{} {}` (operation `{}`).",
        op.method,
        op.path.replace('`', "'"),
        op.name.replace('`', "'")
    )];
    if op.deprecated {
        doc.push("**Deprecated** by the service description.".into());
    }
    let head = doc_attrs(&doc);
    let body_doc = docs::attrs(&op.doc);
    let op_doc = if body_doc.is_empty() {
        head
    } else {
        quote!(#head #[doc = ""] #body_doc)
    };
    let security_doc = if op.security.is_empty() {
        "Needs no credentials.".to_owned()
    } else {
        let alts: Vec<String> = op
            .security
            .iter()
            .map(|alt| {
                if alt.is_empty() {
                    "none".to_owned()
                } else {
                    alt.iter()
                        .map(|(n, scopes)| {
                            if scopes.is_empty() {
                                format!("`{}`", n.replace('`', "'"))
                            } else {
                                format!(
                                    "`{}` (scopes {})",
                                    n.replace('`', "'"),
                                    scopes.join(", ").replace('`', "'")
                                )
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" and ")
                }
            })
            .collect();
        format!("Credentials: {}.", alts.join(" or "))
    };
    let security_doc = doc_attrs(&[security_doc]);

    // SPEC.
    let name = lit(&op.name);
    let method = lit(&op.method);
    let path = lit(&op.path);
    let alts = op.security.iter().map(|alt| {
        let schemes = alt.iter().map(|(n, scopes)| {
            let n = lit(n);
            let scopes = scopes.iter().map(|s| lit(s));
            quote!((#n, &[#(#scopes),*] as &[&str]))
        });
        quote!(::sdk_runtime::rest::SecurityRequirement::new(&[#(#schemes),*]))
    });

    // Input.
    let mut fields = TokenStream::new();
    let mut args = TokenStream::new();
    let mut inits = TokenStream::new();
    let mut fill = TokenStream::new();
    for p in &op.params {
        let f = ident(&p.rust);
        let t = param_field(model, p, &prefix);
        let mut d = vec![format!(
            "`{}` ({}).",
            p.wire.replace('`', "'"),
            location_word(p.location)
        )];
        let extra = docs::attrs(&p.doc);
        let dh = doc_attrs(&std::mem::take(&mut d));
        let pd = if extra.is_empty() {
            dh
        } else {
            quote!(#dh #[doc = ""] #extra)
        };
        fields.extend(quote!(#pd pub #f: #t,));
        if p.required {
            args.extend(quote!(#f: #t,));
            inits.extend(quote!(#f,));
        } else {
            inits.extend(quote!(#f: ::std::option::Option::None,));
        }
        let wire = lit(&p.wire);
        let call = match p.location {
            Location::Path => quote!(request.path(#wire, &input.#f);),
            Location::Query => {
                let explode = p.explode;
                quote!(request.query(#wire, &input.#f, #explode);)
            }
            Location::Header => quote!(request.header(#wire, &input.#f);),
            Location::Cookie => quote!(request.cookie(#wire, &input.#f);),
        };
        fill.extend(call);
        fill.extend(param_checks(p));
    }
    let body_field = ident(&op.body_field);
    match &op.body {
        Some(Body::Json {
            content_type,
            ty: t,
            required,
            ..
        }) => {
            let t = ty(model, t, &prefix);
            let ct = lit(content_type);
            let d = doc_attrs(&[format!("The request body (`{content_type}`).")]);
            if *required {
                fields.extend(quote!(#d pub #body_field: #t,));
                args.extend(quote!(#body_field: #t,));
                inits.extend(quote!(#body_field,));
                fill.extend(quote!(request.json(#ct, &input.#body_field);));
            } else {
                fields.extend(quote!(#d pub #body_field: ::std::option::Option<#t>,));
                inits.extend(quote!(#body_field: ::std::option::Option::None,));
                fill.extend(quote! {
                    if let ::std::option::Option::Some(body) = &input.#body_field {
                        request.json(#ct, body);
                    }
                });
            }
        }
        Some(Body::Text {
            content_type,
            required,
        })
        | Some(Body::Bytes {
            content_type,
            required,
        }) => {
            let text = matches!(op.body, Some(Body::Text { .. }));
            let t = if text {
                quote!(::std::string::String)
            } else {
                quote!(::std::vec::Vec<u8>)
            };
            let to_bytes = if text {
                quote!(body.as_bytes().to_vec())
            } else {
                quote!(body.clone())
            };
            let ct = lit(content_type);
            let d = doc_attrs(&[format!("The request body (`{content_type}`).")]);
            if *required {
                fields.extend(quote!(#d pub #body_field: #t,));
                args.extend(quote!(#body_field: #t,));
                inits.extend(quote!(#body_field,));
                fill.extend(quote! {
                    let body = &input.#body_field;
                    request.raw_body(#ct, #to_bytes);
                });
            } else {
                fields.extend(quote!(#d pub #body_field: ::std::option::Option<#t>,));
                inits.extend(quote!(#body_field: ::std::option::Option::None,));
                fill.extend(quote! {
                    if let ::std::option::Option::Some(body) = &input.#body_field {
                        request.raw_body(#ct, #to_bytes);
                    }
                });
            }
        }
        Some(Body::Form { fields: ff }) | Some(Body::Multipart { fields: ff }) => {
            let multipart = matches!(op.body, Some(Body::Multipart { .. }));
            let mut parts = TokenStream::new();
            for f in ff {
                let fname = ident(&f.rust);
                let t = form_field_ty(model, f, &prefix);
                let mut d = vec![format!(
                    "Form field `{}`{}.",
                    f.wire.replace('`', "'"),
                    if f.ty.is_none() { " (binary)" } else { "" }
                )];
                let extra = docs::attrs(&f.doc);
                let dh = doc_attrs(&std::mem::take(&mut d));
                let fd = if extra.is_empty() {
                    dh
                } else {
                    quote!(#dh #[doc = ""] #extra)
                };
                fields.extend(quote!(#fd pub #fname: #t,));
                if f.required {
                    args.extend(quote!(#fname: #t,));
                    inits.extend(quote!(#fname,));
                } else {
                    inits.extend(quote!(#fname: ::std::option::Option::None,));
                }
                let wire = lit(&f.wire);
                let add = if !multipart {
                    quote!(form.field(#wire, value);)
                } else if f.ty.is_none() {
                    quote!(form.bytes(#wire, "application/octet-stream", value);)
                } else if f.json {
                    quote!(form.json(#wire, value);)
                } else {
                    quote!(form.text(#wire, value);)
                };
                if f.required {
                    parts.extend(quote! { let value = &input.#fname; #add });
                } else {
                    parts.extend(quote! {
                        if let ::std::option::Option::Some(value) = &input.#fname { #add }
                    });
                }
            }
            let (new_form, set) = if multipart {
                (
                    quote!(::sdk_runtime::rest::Multipart::new()),
                    quote!(request.multipart(form);),
                )
            } else {
                (
                    quote!(::sdk_runtime::rest::Form::new()),
                    quote!(request.form(form);),
                )
            };
            fill.extend(quote! {
                let mut form = #new_form;
                #parts
                #set
            });
        }
        None => {}
    }
    let has_input = !fields.is_empty();
    let input_default = if args.is_empty() {
        quote!(Default,)
    } else {
        TokenStream::new()
    };
    let input_tokens = if has_input {
        quote! {
            /// The operation's parameters and body.
            #[derive(Debug, Clone, PartialEq, #input_default)]
            #[non_exhaustive]
            pub struct Input {
                #fields
            }

            impl Input {
                /// An input with the required parameters; the others absent.
                pub fn new(#args) -> Self {
                    Self { #inits }
                }
            }
        }
    } else {
        TokenStream::new()
    };

    // Response enum.
    let mut variants = TokenStream::new();
    let mut status_arms = TokenStream::new();
    let mut exact_arms = TokenStream::new();
    let mut range_arms = TokenStream::new();
    let mut default_arm = None;
    let mut exact_codes = Vec::new();
    let mut ranges = Vec::new();
    for r in &op.responses {
        let v = ident(&r.variant);
        let what = match r.code {
            Code::Exact(c) => format!("HTTP {c}"),
            Code::Range(n) => format!("HTTP {n}XX"),
            Code::Default => "Any other status (`default`)".into(),
        };
        let desc = docs::sanitize(&r.doc);
        let d = if desc.is_empty() {
            doc_attrs(&[format!("{what}.")])
        } else {
            let a = docs::attrs(std::slice::from_ref(&r.doc));
            let h = doc_attrs(&[format!("{what}:")]);
            quote!(#h #a)
        };
        let (body_ty, decode) = match &r.body {
            ResponseBody::None => (None, quote!()),
            ResponseBody::Json { ty: t, .. } => (
                Some(ty(model, t, &prefix)),
                quote!(::sdk_runtime::rest::json(body)?),
            ),
            ResponseBody::Text => (
                Some(quote!(::std::string::String)),
                quote!(::sdk_runtime::rest::text(body)?),
            ),
            ResponseBody::Bytes => (
                Some(quote!(::sdk_runtime::bytes::Bytes)),
                quote!(::std::clone::Clone::clone(body)),
            ),
        };
        match r.code {
            Code::Exact(c) => {
                let c = Literal::u16_unsuffixed(c);
                exact_codes.push(c.clone());
                match body_ty {
                    Some(t) => {
                        variants.extend(quote!(#d #v(#t),));
                        exact_arms.extend(quote!(#c => Self::#v(#decode),));
                        status_arms.extend(quote!(Self::#v(_) => #c,));
                    }
                    None => {
                        variants.extend(quote!(#d #v,));
                        exact_arms.extend(quote!(#c => Self::#v,));
                        status_arms.extend(quote!(Self::#v => #c,));
                    }
                }
            }
            Code::Range(_) | Code::Default => {
                let (fields, ctor) = match body_ty {
                    Some(t) => (
                        quote!({ /// The status received.
                                  status: u16,
                                  /// The body.
                                  body: #t }),
                        quote!(Self::#v { status, body: #decode }),
                    ),
                    None => (
                        quote!({ /// The status received.
                                  status: u16 }),
                        quote!(Self::#v { status }),
                    ),
                };
                variants.extend(quote!(#d #v #fields,));
                status_arms.extend(quote!(Self::#v { status, .. } => *status,));
                match r.code {
                    Code::Range(n) => {
                        let lo = Literal::u16_unsuffixed(n * 100);
                        let hi = Literal::u16_unsuffixed(n * 100 + 99);
                        ranges.push((lo.clone(), hi.clone()));
                        range_arms.extend(quote!(#lo..=#hi => #ctor,));
                    }
                    _ => default_arm = Some(ctor),
                }
            }
        }
    }
    let fallback = match default_arm {
        Some(ctor) => quote!(_ => #ctor,),
        None => quote!(_ => Self::Other { status, body: ::std::clone::Clone::clone(body) },),
    };
    let documents = if op.responses.iter().any(|r| r.code == Code::Default) {
        quote!(true)
    } else {
        let mut parts = Vec::new();
        if !exact_codes.is_empty() {
            parts.push(quote!(matches!(status, #(#exact_codes)|*)));
        }
        for (lo, hi) in &ranges {
            parts.push(quote!((#lo..=#hi).contains(&status)));
        }
        if parts.is_empty() {
            quote!(false)
        } else {
            quote!(#(#parts)||*)
        }
    };
    let status_param = if op.responses.iter().any(|r| r.code == Code::Default)
        || (exact_codes.is_empty() && ranges.is_empty())
    {
        quote!(_status)
    } else {
        quote!(status)
    };

    let module = quote! {
        #op_doc
        ///
        #security_doc
        pub mod #m {
            /// Static description of the operation.
            pub static SPEC: ::sdk_runtime::rest::OperationSpec = ::sdk_runtime::rest::OperationSpec::new(
                #name, #method, #path, &[#(#alts),*],
            );

            #input_tokens

            /// The answers the description documents, one variant per status, and the rest.
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum Response {
                #variants
                /// A status the description does not document.
                Other {
                    /// The status received.
                    status: u16,
                    /// The body as received.
                    body: ::sdk_runtime::bytes::Bytes,
                },
            }

            impl Response {
                /// The HTTP status of the answer.
                pub fn status(&self) -> u16 {
                    match self {
                        #status_arms
                        Self::Other { status, .. } => *status,
                    }
                }

                /// Whether the status is 2xx.
                pub fn is_success(&self) -> bool {
                    (200..300).contains(&self.status())
                }
            }

            impl ::sdk_runtime::rest::DecodeResponse for Response {
                fn documents(#status_param: u16) -> bool {
                    #documents
                }

                fn decode(status: u16, body: &::sdk_runtime::bytes::Bytes) -> ::std::result::Result<Self, ::sdk_runtime::xml::DecodeError> {
                    ::std::result::Result::Ok(match status {
                        #exact_arms
                        #range_arms
                        #fallback
                    })
                }
            }
        }
    };

    let method_doc = quote!(#op_doc #[doc = ""] #security_doc);
    let deprecated = if op.deprecated {
        quote!(#[deprecated(note = "deprecated by the service description")])
    } else {
        TokenStream::new()
    };
    let input_param = if has_input {
        quote!(input: &operation::#m::Input,)
    } else {
        TokenStream::new()
    };
    let method = quote! {
        #method_doc
        #deprecated
        pub async fn #m(
            &self,
            #input_param
        ) -> ::std::result::Result<
            ::sdk_runtime::rest::Response<operation::#m::Response>,
            ::sdk_runtime::rest::Error,
        > {
            #[allow(unused_mut)]
            let mut request = ::sdk_runtime::rest::Request::new(&operation::#m::SPEC);
            #fill
            self.rest.call(request).await
        }
    };
    (module, method)
}

/// Length and range checks of scalar parameters, recorded on the request before sending.
fn param_checks(p: &Param) -> TokenStream {
    let Ty::Scalar(s) = &p.ty else {
        return TokenStream::new();
    };
    let f = ident(&p.rust);
    let wire = lit(&p.wire);
    let check = match s.kind {
        ScalarKind::String if s.min_length.is_some() || s.max_length.is_some() => {
            let min = opt_usize(s.min_length);
            let max = opt_usize(s.max_length);
            quote!(v.length(value, #min, #max))
        }
        ScalarKind::I32 | ScalarKind::I64 | ScalarKind::F64
            if s.minimum.is_some() || s.maximum.is_some() =>
        {
            let bound = |b: Option<f64>, exclusive: bool| match b {
                Some(b) => {
                    let l = match s.kind {
                        ScalarKind::I32 => Literal::i32_suffixed(b as i32),
                        ScalarKind::I64 => Literal::i64_suffixed(b as i64),
                        _ => Literal::f64_suffixed(b),
                    };
                    let inclusive = !exclusive;
                    quote!(::std::option::Option::Some((#l, #inclusive)))
                }
                None => quote!(::std::option::Option::None),
            };
            let lo = bound(s.minimum, s.exclusive_minimum);
            let hi = bound(s.maximum, s.exclusive_maximum);
            quote!(v.range(value, #lo, #hi))
        }
        _ => return TokenStream::new(),
    };
    if p.required {
        quote! {
            let value = &input.#f;
            request.problems().field(#wire, |v| #check);
        }
    } else {
        quote! {
            if let ::std::option::Option::Some(value) = &input.#f {
                request.problems().field(#wire, |v| #check);
            }
        }
    }
}

fn opt_usize(v: Option<usize>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn client(model: &Model, methods: TokenStream) -> TokenStream {
    let doc = doc_attrs(&[format!(
        "Client of `{}`. Cheap to clone; clones share connections.",
        model.title.replace('`', "'")
    )]);
    let default_url = model
        .servers
        .iter()
        .find(|(u, _)| u.starts_with("https://") || u.starts_with("http://"));
    let default = match default_url {
        Some((url, _)) => {
            let u = lit(url);
            let servers: Vec<String> = model
                .servers
                .iter()
                .map(|(u, d)| match d {
                    Some(d) => format!("* `{u}` ({})", d.replace('`', "'")),
                    None => format!("* `{u}`"),
                })
                .collect();
            let d = doc_attrs(&[
                "The first server of the description. All of them:".to_owned(),
                servers.join("\n"),
            ]);
            quote! {
                #d
                pub const DEFAULT_BASE_URL: &'static str = #u;

                /// A client for [`DEFAULT_BASE_URL`](Self::DEFAULT_BASE_URL).
                pub fn with_default_base_url(
                    http: ::sdk_runtime::transport::HttpClient,
                ) -> ::std::result::Result<Self, ::sdk_runtime::url::ParseError> {
                    ::std::result::Result::Ok(Self::new(http, ::sdk_runtime::url::Url::parse(Self::DEFAULT_BASE_URL)?))
                }
            }
        }
        None => TokenStream::new(),
    };
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct Client {
            rest: ::sdk_runtime::rest::RestClient,
        }

        impl Client {
            #default

            /// A client for the API at `base_url` (operation paths are appended to it).
            pub fn new(http: ::sdk_runtime::transport::HttpClient, base_url: ::sdk_runtime::url::Url) -> Self {
                Self { rest: ::sdk_runtime::rest::RestClient::new(http, base_url, security::SCHEMES) }
            }

            /// Uses `credentials` for the security schemes (keys: the names in [`security`]).
            pub fn with_credentials(mut self, credentials: ::sdk_runtime::rest::Credentials) -> Self {
                self.rest.set_credentials(credentials);
                self
            }

            /// Replaces the credentials.
            pub fn set_credentials(&mut self, credentials: ::sdk_runtime::rest::Credentials) {
                self.rest.set_credentials(credentials);
            }

            /// The base URL.
            pub fn base_url(&self) -> &::sdk_runtime::url::Url {
                self.rest.base_url()
            }

            #methods
        }
    }
}
