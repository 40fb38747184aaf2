//! Tokens for generated types, the same for both encodings where the model is: structs with
//! their docs, constructor, redacted `Debug` and `Validate`; enums with their values. The codec
//! parts differ: the XML codec (`XmlRead`/`XmlWrite` over content-model tables) is here and in
//! `content`; newtypes of restricted XSD simple types are XML-only; serde for JSON, with JSON's
//! unions and aliases, is in `json`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Options, doc_attrs, json, lit};
use crate::Error;
use crate::model::{
    Builtin, Cardinality, Encoding, EnumDef, Field, FieldKind, Placement, RestrictedDef, Storage,
    StructDef, TypeDef, TypeKind, TypeModel, TypeRef,
};

/// Emits every type of a model.
pub(super) fn types(model: &TypeModel, opts: &Options) -> Result<TokenStream, Error> {
    let tags = super::tags::Tags::of(model);
    let mut out = TokenStream::new();
    if model.encoding == Encoding::Xml {
        out.extend(tags.table());
    }
    for (id, t) in model
        .types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.placement == Placement::Here)
    {
        let id = crate::model::TypeId(id);
        out.extend(match (&t.kind, model.encoding) {
            (TypeKind::Struct(s), _) => structure(model, &tags, id, t, s, opts)?,
            (TypeKind::Enum(e), _) => enumeration(model, t, e, opts),
            (TypeKind::Restricted(r), Encoding::Xml) => restricted(t, r, opts),
            (TypeKind::Choice(c), Encoding::Xml) => {
                super::content::choice(model, &tags, t, c, opts)?
            }
            (TypeKind::Union(u), Encoding::Xml) => super::content::union(model, t, u, opts)?,
            (TypeKind::List(l), Encoding::Xml) => super::content::list(model, t, l, opts)?,
            (TypeKind::Polymorphic(p), Encoding::Xml) => {
                super::content::polymorphic(model, t, p, opts)?
            }
            (TypeKind::OneOf(o), Encoding::Json) => json::one_of(model, t, o)?,
            (TypeKind::Alias(a), Encoding::Json) => json::alias(model, t, a)?,
            (_, encoding) => {
                return Err(Error::Emit(format!(
                    "type `{}`: this shape has no {encoding:?} codec",
                    t.rust_name
                )));
            }
        });
    }
    Ok(out)
}

/// The Rust type of a value reference, inside the `types` module.
pub(super) fn value_type(model: &TypeModel, r: &TypeRef) -> Result<TokenStream, Error> {
    value_type_in(model, r, &TokenStream::new())
}

/// The Rust type of a value reference; generated types are prefixed with `prefix` (empty inside
/// `types`, `super::super::types::` inside operation modules).
pub(super) fn value_type_in(
    model: &TypeModel,
    r: &TypeRef,
    prefix: &TokenStream,
) -> Result<TokenStream, Error> {
    Ok(match r {
        TypeRef::Builtin(b) => builtin_type(*b),
        TypeRef::Def(id) => {
            let t = model
                .get(*id)
                .ok_or_else(|| Error::Emit(format!("dangling type id {}", id.0)))?;
            type_path(t, prefix)?
        }
        TypeRef::Mapped(path) => {
            let p: syn::Path = syn::parse_str(path)
                .map_err(|e| Error::Emit(format!("overlay type `{path}`: {e}")))?;
            quote!(#p)
        }
        TypeRef::AnyElement => quote!(::sdk_runtime::xml::Element),
        TypeRef::Scalar(s) => json::scalar_type(s.kind),
        TypeRef::AnyJson => quote!(::serde_json::Value),
        TypeRef::Array { item, .. } => {
            let i = value_type_in(model, item, prefix)?;
            quote!(::std::vec::Vec<#i>)
        }
        TypeRef::Map(v) => {
            let v = value_type_in(model, v, prefix)?;
            quote!(::std::collections::BTreeMap<::std::string::String, #v>)
        }
        TypeRef::Nullable(t) => {
            let t = value_type_in(model, t, prefix)?;
            quote!(::std::option::Option<#t>)
        }
    })
}

/// The Rust path of a generated type: `prefix` and its name, or its shared module's path.
pub(super) fn type_path(t: &TypeDef, prefix: &TokenStream) -> Result<TokenStream, Error> {
    match &t.placement {
        Placement::Shared(path) => {
            let p: syn::Path = syn::parse_str(path)
                .map_err(|e| Error::Emit(format!("shared type path `{path}`: {e}")))?;
            Ok(quote!(#p))
        }
        Placement::Here | Placement::Omitted => {
            let i = format_ident!("{}", t.rust_name);
            Ok(quote!(#prefix #i))
        }
    }
}

fn builtin_type(b: Builtin) -> TokenStream {
    if let Some(value) = b.runtime_value() {
        let value = format_ident!("{}", value);
        return quote!(::sdk_runtime::values::#value);
    }
    match b {
        Builtin::String | Builtin::Lexical(_) => quote!(::std::string::String),
        Builtin::Bool => quote!(bool),
        Builtin::I8 => quote!(i8),
        Builtin::I16 => quote!(i16),
        Builtin::I32 => quote!(i32),
        Builtin::I64 => quote!(i64),
        Builtin::U8 => quote!(u8),
        Builtin::U16 => quote!(u16),
        Builtin::U32 => quote!(u32),
        Builtin::U64 => quote!(u64),
        Builtin::I128 => quote!(i128),
        Builtin::U128 => quote!(u128),
        Builtin::F32 => quote!(f32),
        Builtin::F64 => quote!(f64),
        Builtin::Date => quote!(::sdk_runtime::Date),
    }
}

/// `true` when values of `r` are written as text (simple types).
pub(super) fn is_simple(model: &TypeModel, r: &TypeRef) -> bool {
    match r {
        TypeRef::Builtin(_) | TypeRef::Mapped(_) | TypeRef::Scalar(_) => true,
        TypeRef::AnyElement
        | TypeRef::AnyJson
        | TypeRef::Array { .. }
        | TypeRef::Map(_)
        | TypeRef::Nullable(_) => false,
        TypeRef::Def(id) => !matches!(
            model.get(*id).map(|t| &t.kind),
            Some(TypeKind::Struct(_) | TypeKind::Choice(_) | TypeKind::Polymorphic(_))
        ),
    }
}

/// `true` when `Validate` of `r` can find something (generated and hand-written types).
pub(super) fn validates(r: &TypeRef) -> bool {
    matches!(r, TypeRef::Def(_) | TypeRef::Mapped(_))
}

/// The stored type of a field: its value type in the field's [`Storage`].
pub(super) fn stored_type(model: &TypeModel, f: &Field) -> Result<TokenStream, Error> {
    let inner = value_type(model, &f.ty)?;
    let inner = if f.boxed {
        quote!(::std::boxed::Box<#inner>)
    } else {
        inner
    };
    Ok(match f.storage() {
        Storage::One => inner,
        Storage::Optional | Storage::RequiredNullable => quote!(::std::option::Option<#inner>),
        Storage::Many if f.nillable_items() => {
            quote!(::std::vec::Vec<::std::option::Option<#inner>>)
        }
        Storage::Many => quote!(::std::vec::Vec<#inner>),
        Storage::Nullable => quote!(::sdk_runtime::rest::Nullable<#inner>),
    })
}

pub(super) fn serde_derive(opts: &Options) -> TokenStream {
    match &opts.serde_feature {
        Some(f) => quote!(#[cfg_attr(feature = #f, derive(::serde::Serialize))]),
        None => TokenStream::new(),
    }
}

/// Documentation of a field: what the spec says and what the generator knows (its wire name,
/// occurrences, format, constraints), and whether it is redacted.
fn field_doc(model: &TypeModel, f: &Field) -> Vec<String> {
    let mut fdoc = Vec::new();
    match f.kind {
        FieldKind::Property => {
            fdoc.extend(json::field_doc(model, f));
        }
        FieldKind::Attribute => {
            fdoc.extend(f.doc.iter().cloned());
            fdoc.push(format!("Attribute `{}`.", f.wire.local));
        }
        FieldKind::Element if f.wire.local == "#text" => {
            fdoc.extend(f.doc.iter().cloned());
            fdoc.push("The element's text content.".to_owned());
        }
        FieldKind::Element => {
            fdoc.extend(f.doc.iter().cloned());
            fdoc.push(format!("Element `{}`{}.", f.wire.local, occurs_note(f)));
        }
        FieldKind::Group => {
            fdoc.extend(f.doc.iter().cloned());
            fdoc.push(format!("A model group{}.", occurs_note(f)));
        }
        FieldKind::Any => {
            fdoc.extend(f.doc.iter().cloned());
            fdoc.push(format!("Wildcard content{}.", occurs_note(f)));
        }
    }
    if f.sensitive {
        fdoc.push("Personal data: shown as `<redacted>` in `Debug` output.".to_owned());
    }
    fdoc
}

/// The optional serde attributes of an XML field (the crate's `serde` feature serializes
/// generated types, e.g. for `--json` output).
fn xml_serde_attrs(f: &Field, opts: &Options) -> TokenStream {
    let Some(feat) = &opts.serde_feature else {
        return TokenStream::new();
    };
    let rename = if f.wire.local == "#text" {
        "value".to_owned()
    } else {
        f.wire.local.clone()
    };
    let skip = match f.cardinality() {
        Cardinality::Optional => {
            quote!(#[cfg_attr(feature = #feat, serde(skip_serializing_if = "Option::is_none"))])
        }
        Cardinality::Many => {
            quote!(#[cfg_attr(feature = #feat, serde(skip_serializing_if = "Vec::is_empty"))])
        }
        Cardinality::One => TokenStream::new(),
    };
    if f.kind == FieldKind::Any {
        quote!(#[cfg_attr(feature = #feat, serde(skip))])
    } else {
        quote!(#[cfg_attr(feature = #feat, serde(rename = #rename))] #skip)
    }
}

/// A struct: an XML complex type or a JSON object.
fn structure(
    model: &TypeModel,
    tags: &super::tags::Tags,
    id: crate::model::TypeId,
    t: &TypeDef,
    s: &StructDef,
    opts: &Options,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", t.rust_name);
    let xml = model.encoding == Encoding::Xml;
    let doc = if xml {
        let mut doc = t.doc.clone();
        match (&t.element, &t.xml_name) {
            (Some(e), _) => doc.push(format!(
                "Content of the element `{}` (namespace `{}`).",
                e.local, e.ns
            )),
            (None, Some(x)) => doc.push(format!(
                "The complex type `{}` (namespace `{}`).",
                x.local, x.ns
            )),
            (None, None) if s.group => doc.push(
                "A model group (`xs:sequence`) kept as one field: it repeats, or is a branch of a choice."
                    .to_owned(),
            ),
            (None, None) => {}
        }
        doc
    } else {
        json::type_doc(t)
    };
    let docs = doc_attrs(&doc);
    let all: Vec<&Field> = s.text.iter().chain(s.fields.iter()).collect();
    let any_sensitive = all.iter().any(|f| f.sensitive);

    // Declaration.
    let mut decl_fields = TokenStream::new();
    for f in &all {
        if f.rust_name.is_empty() {
            return Err(Error::Emit(format!(
                "type `{}`: field `{}` has no Rust name",
                t.rust_name, f.wire
            )));
        }
        let fname = format_ident!("{}", f.rust_name);
        let ty = stored_type(model, f)?;
        let fdocs = doc_attrs(&field_doc(model, f));
        let attrs = if xml {
            xml_serde_attrs(f, opts)
        } else {
            json::field_attrs(f)
        };
        decl_fields.extend(quote! { #fdocs #attrs pub #fname: #ty, });
    }
    if s.mixed {
        decl_fields.extend(quote! {
            /// Character data of the mixed content, concatenated in document order (its
            /// positions between the child elements are not kept; it is written before them).
            pub text_content: ::std::string::String,
        });
    }
    if let Some((n, ty)) = &s.additional {
        let fname = format_ident!("{}", n);
        let ty = value_type(model, ty)?;
        decl_fields.extend(quote! {
            /// Properties the schema does not name (`additionalProperties`).
            #[serde(flatten)]
            pub #fname: ::std::collections::BTreeMap<::std::string::String, #ty>,
        });
    }
    let derive_debug = if any_sensitive {
        quote!()
    } else {
        quote!(Debug,)
    };
    let required: Vec<&&Field> = all
        .iter()
        .filter(|f| matches!(f.storage(), Storage::One | Storage::RequiredNullable))
        .collect();
    let derive_default = if required.is_empty() {
        quote!(Default,)
    } else {
        quote!()
    };
    let many_args = if required.len() > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    let (codec_derive, codec_attrs) = if xml {
        (TokenStream::new(), serde_derive(opts))
    } else {
        (
            quote!(::serde::Serialize, ::serde::Deserialize,),
            json::struct_attrs(t, s),
        )
    };

    // Constructor with the required fields.
    let mut params = TokenStream::new();
    let mut inits = TokenStream::new();
    for f in &all {
        let fname = format_ident!("{}", f.rust_name);
        match f.storage() {
            Storage::One => {
                let vt = value_type(model, &f.ty)?;
                params.extend(quote!(#fname: #vt,));
                if f.boxed {
                    inits.extend(quote!(#fname: ::std::boxed::Box::new(#fname),));
                } else {
                    inits.extend(quote!(#fname,));
                }
            }
            Storage::RequiredNullable => {
                let vt = stored_type(model, f)?;
                params.extend(quote!(#fname: #vt,));
                inits.extend(quote!(#fname,));
            }
            Storage::Optional => inits.extend(quote!(#fname: ::std::option::Option::None,)),
            Storage::Nullable => {
                inits.extend(quote!(#fname: ::sdk_runtime::rest::Nullable::Absent,))
            }
            Storage::Many => inits.extend(quote!(#fname: ::std::vec::Vec::new(),)),
        }
    }
    if s.mixed {
        inits.extend(quote!(text_content: ::std::string::String::new(),));
    }
    if let Some((n, _)) = &s.additional {
        let fname = format_ident!("{}", n);
        inits.extend(quote!(#fname: ::std::collections::BTreeMap::new(),));
    }

    let debug_impl = if any_sensitive {
        let mut entries = TokenStream::new();
        for f in &all {
            let fname = format_ident!("{}", f.rust_name);
            let label = f.rust_name.as_str();
            if f.sensitive {
                entries.extend(quote!(.field(#label, &::sdk_runtime::redact::REDACTED)));
            } else {
                entries.extend(quote!(.field(#label, &self.#fname)));
            }
        }
        if s.mixed {
            entries.extend(quote!(.field("text_content", &self.text_content)));
        }
        if let Some((n, _)) = &s.additional {
            let fname = format_ident!("{}", n);
            let label = n.as_str();
            entries.extend(quote!(.field(#label, &self.#fname)));
        }
        let sname = t.rust_name.as_str();
        quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#sname) #entries .finish()
                }
            }
        }
    } else {
        TokenStream::new()
    };

    let codec = if !xml {
        json::validate_struct(model, &name, &all)
    } else if s.group {
        let group = group_impl(model, tags, &name, s)?;
        let validate = validate_impl(&name, &all);
        quote!(#group #validate)
    } else {
        let write = write_impl(model, tags, id, &name, s)?;
        let read = read_impl(model, &name, s)?;
        let validate = validate_impl(&name, &all);
        let element_impl = match &t.element {
            Some(e) => {
                let (ns, local) = (lit(&e.ns), lit(&e.local));
                quote! {
                    impl ::sdk_runtime::xml::XmlElement for #name {
                        const NAME: ::sdk_runtime::xml::ElementName = ::sdk_runtime::xml::ElementName::new(#ns, #local);
                    }
                }
            }
            None => TokenStream::new(),
        };
        quote!(#write #read #validate #element_impl)
    };

    Ok(quote! {
        #docs
        #[derive(Clone, PartialEq, #derive_debug #derive_default #codec_derive)]
        #codec_attrs
        #[non_exhaustive]
        pub struct #name { #decl_fields }

        impl #name {
            /// Creates a value from its required fields; optional fields start empty.
            #many_args
            pub fn new(#params) -> Self {
                Self { #inits }
            }
        }

        #debug_impl
        #codec
    })
}

fn occurs_note(f: &Field) -> String {
    match (f.min, f.max) {
        (1, Some(1)) if !f.nillable => String::new(),
        (0, Some(1)) => ", optional".to_owned(),
        (min, Some(1)) if f.nillable => {
            format!(", nillable{}", if min == 0 { ", optional" } else { "" })
        }
        (min, None) => format!(", {min} or more"),
        (min, Some(max)) => format!(", {min} to {max}"),
    }
}

/// A string enumeration: one variant per value and one holding any other value (kept when
/// read; refused by validation before sending).
fn enumeration(model: &TypeModel, t: &TypeDef, e: &EnumDef, opts: &Options) -> TokenStream {
    let name = format_ident!("{}", t.rust_name);
    let unknown = format_ident!("{}", e.unknown);
    let xml = model.encoding == Encoding::Xml;
    let doc = if xml {
        let mut doc = t.doc.clone();
        if let Some(x) = &t.xml_name {
            doc.push(format!(
                "The enumeration `{}` (namespace `{}`).",
                x.local, x.ns
            ));
        }
        doc
    } else {
        json::type_doc(t)
    };
    let docs = doc_attrs(&doc);
    let variants = e.values.iter().map(|v| {
        let vn = format_ident!("{}", v.rust_name);
        let mut d = v.doc.clone();
        d.push(format!("`{}`", v.value.replace('`', "'")));
        let vd = doc_attrs(&d);
        quote!(#vd #vn,)
    });
    let as_str = e.values.iter().map(|v| {
        let vn = format_ident!("{}", v.rust_name);
        let s = v.value.as_str();
        quote!(Self::#vn => #s,)
    });
    let parse = e.values.iter().map(|v| {
        let vn = format_ident!("{}", v.rust_name);
        let s = v.value.as_str();
        quote!(#s => ::std::option::Option::Some(Self::#vn),)
    });
    let expected = e
        .values
        .iter()
        .map(|v| format!("`{}`", v.value.replace('`', "'")))
        .collect::<Vec<_>>()
        .join(", ");
    let codec = if xml {
        let serde = match &opts.serde_feature {
            Some(f) => quote! {
                #[cfg(feature = #f)]
                impl ::serde::Serialize for #name {
                    fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                        s.serialize_str(self.as_str())
                    }
                }
            },
            None => TokenStream::new(),
        };
        quote! {
            ::sdk_runtime::enumeration_type!(#name, #expected);
            #serde
        }
    } else {
        quote!(::sdk_runtime::json_enumeration_type!(#name, #unknown, #expected);)
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value the description does not list, kept as received (reading is lenient;
            /// sending it is refused by validation).
            #unknown(::std::string::String),
        }

        impl #name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::#unknown(s) => s,
                }
            }

            fn known(text: &str) -> ::std::option::Option<Self> {
                match text {
                    #(#parse)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            /// The value for `text`: a listed one, or the catch-all holding it.
            fn from(text: &str) -> Self {
                Self::known(text).unwrap_or_else(|| Self::#unknown(text.to_owned()))
            }
        }

        #codec
    }
}

fn write_impl(
    model: &TypeModel,
    tags: &super::tags::Tags,
    id: crate::model::TypeId,
    name: &syn::Ident,
    s: &StructDef,
) -> Result<TokenStream, Error> {
    let (enter, namespaces) = tags.enter(id);
    let mut body = enter;
    for f in s.fields.iter().filter(|f| f.kind == FieldKind::Attribute) {
        let fname = format_ident!("{}", f.rust_name);
        let (ns, local) = (lit(&f.wire.ns), lit(&f.wire.local));
        body.extend(match f.cardinality() {
            Cardinality::One => quote! {
                w.attr(#ns, #local, &::sdk_runtime::xml::XmlText::to_xml_text(&self.#fname));
            },
            _ => quote!(::sdk_runtime::xml::put_attr(w, #ns, #local, self.#fname.as_ref());),
        });
    }
    if let Some(t) = &s.text {
        let fname = format_ident!("{}", t.rust_name);
        body.extend(quote! { w.text(&::sdk_runtime::xml::XmlText::to_xml_text(&self.#fname)); });
    }
    if s.mixed {
        body.extend(quote! { w.text(&self.text_content); });
    }
    body.extend(content_writes(model, tags, s));
    let w = if body.is_empty() {
        quote!(_w)
    } else {
        quote!(w)
    };
    Ok(quote! {
        impl ::sdk_runtime::xml::XmlWrite for #name {
            fn write_xml(&self, #w: &mut ::sdk_runtime::xml::XmlWriter) {
                #body
            }
            #namespaces
        }
    })
}

fn content_writes(model: &TypeModel, tags: &super::tags::Tags, s: &StructDef) -> TokenStream {
    let mut body = TokenStream::new();
    for f in s.fields.iter().filter(|f| super::content::in_content(f)) {
        let fname = format_ident!("{}", f.rust_name);
        body.extend(super::content::write_stmt(
            model,
            tags,
            f,
            quote!(self.#fname),
            false,
        ));
    }
    body
}

/// The field initialisers of the content fields, reading from `c`.
fn content_reads<'s>(model: &TypeModel, s: &'s StructDef) -> (Vec<&'s Field>, TokenStream) {
    let elems: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| super::content::in_content(f))
        .collect();
    let mut build = TokenStream::new();
    for (i, f) in elems.iter().enumerate() {
        let fname = format_ident!("{}", f.rust_name);
        let read = super::content::read_expr(model, f, i);
        build.extend(quote!(#fname: #read,));
    }
    (elems, build)
}

fn read_impl(model: &TypeModel, name: &syn::Ident, s: &StructDef) -> Result<TokenStream, Error> {
    let attrs: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Attribute)
        .collect();
    let attr_specs = attrs.iter().map(|f| {
        let (ns, local) = (lit(&f.wire.ns), lit(&f.wire.local));
        quote!(::sdk_runtime::xml::ElementName::new(#ns, #local))
    });
    let mut body = TokenStream::new();
    body.extend(quote! {
        cx.check_attributes(element, &[#(#attr_specs),*]);
    });
    let mut build = TokenStream::new();
    for f in &attrs {
        let fname = format_ident!("{}", f.rust_name);
        let (ns, local) = (lit(&f.wire.ns), lit(&f.wire.local));
        build.extend(match f.cardinality() {
            Cardinality::One => quote!(#fname: cx.attr_one(element, #ns, #local)?,),
            _ => quote!(#fname: cx.attr_opt(element, #ns, #local)?,),
        });
    }
    if let Some(t) = &s.text {
        let fname = format_ident!("{}", t.rust_name);
        build.extend(quote!(#fname: cx.own_text_value(element)?,));
    }
    let (elems, reads) = content_reads(model, s);
    if !elems.is_empty() || s.text.is_none() {
        let table = super::content::model_table(model, &elems)?;
        let mixed = s.mixed;
        let binding = if elems.is_empty() && !s.mixed {
            quote!(_c)
        } else {
            quote!(mut c)
        };
        body.extend(quote! {
            const MODEL: &[::sdk_runtime::xml::Particle] = #table;
            let #binding = cx.content(element, MODEL, #mixed);
        });
        build.extend(reads);
        if s.mixed {
            build.extend(quote!(text_content: c.mixed_text(),));
        }
    }
    Ok(quote! {
        impl ::sdk_runtime::xml::XmlRead for #name {
            fn read_xml(
                element: ::sdk_runtime::xml::ElementRef<'_>,
                cx: &mut ::sdk_runtime::xml::ReadContext,
            ) -> ::std::result::Result<Self, ::sdk_runtime::xml::DecodeError> {
                #body
                ::std::result::Result::Ok(Self { #build })
            }
        }
    })
}

/// A group struct (a repeated or nested sequence): `XmlGroup` instead of an element codec.
fn group_impl(
    model: &TypeModel,
    tags: &super::tags::Tags,
    name: &syn::Ident,
    s: &StructDef,
) -> Result<TokenStream, Error> {
    let (elems, reads) = content_reads(model, s);
    let table = super::content::model_table(model, &elems)?;
    let writes = content_writes(model, tags, s);
    let binding = if elems.is_empty() {
        quote!(_c)
    } else {
        quote!(mut c)
    };
    let w = if writes.is_empty() {
        quote!(_w)
    } else {
        quote!(w)
    };
    Ok(quote! {
        impl ::sdk_runtime::xml::XmlGroup for #name {
            const MODEL: &'static [::sdk_runtime::xml::Particle] = #table;
            const CHOICE: bool = false;
            fn read_group(
                children: &[::sdk_runtime::xml::ElementRef<'_>],
                cx: &mut ::sdk_runtime::xml::ReadContext,
            ) -> ::std::result::Result<Self, ::sdk_runtime::xml::DecodeError> {
                let #binding = cx.group_content(children, Self::MODEL);
                ::std::result::Result::Ok(Self { #reads })
            }
            fn write_group(&self, #w: &mut ::sdk_runtime::xml::XmlWriter) {
                #writes
            }
        }
    })
}

fn validate_impl(name: &syn::Ident, fields: &[&Field]) -> TokenStream {
    let mut body = TokenStream::new();
    for f in fields {
        let fname = format_ident!("{}", f.rust_name);
        let label = if f.wire.local == "#text" {
            "value".to_owned()
        } else if f.kind == FieldKind::Attribute {
            format!("@{}", f.wire.local)
        } else {
            f.wire.local.clone()
        };
        match f.cardinality() {
            Cardinality::Many => {
                let min = Literal::usize_unsuffixed(f.min);
                let max = match f.max {
                    Some(m) => {
                        let m = Literal::usize_unsuffixed(m);
                        quote!(::std::option::Option::Some(#m))
                    }
                    None => quote!(::std::option::Option::None),
                };
                let inner = if validates(&f.ty) {
                    quote!(::sdk_runtime::xml::Validate::validate(&self.#fname, v);)
                } else {
                    quote!()
                };
                body.extend(quote! {
                    v.field(#label, |v| {
                        v.occurs(self.#fname.len(), #min, #max);
                        #inner
                    });
                });
            }
            _ if validates(&f.ty) => body.extend(quote! {
                v.field(#label, |v| ::sdk_runtime::xml::Validate::validate(&self.#fname, v));
            }),
            _ => {}
        }
    }
    let v = if body.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    quote! {
        impl ::sdk_runtime::xml::Validate for #name {
            fn validate(&self, #v: &mut ::sdk_runtime::xml::Validator) {
                #body
            }
        }
    }
}

fn restricted(t: &TypeDef, r: &RestrictedDef, opts: &Options) -> TokenStream {
    let name = format_ident!("{}", t.rust_name);
    let base = builtin_type(r.base);
    let mut doc = t.doc.clone();
    if let Some(x) = &t.xml_name {
        doc.push(format!(
            "The simple type `{}` (namespace `{}`).",
            x.local, x.ns
        ));
    }
    let f = &r.facets;
    let mut rules = Vec::new();
    for p in &f.patterns {
        rules.push(format!("matches `{p}`"));
    }
    if let Some(n) = f.min_length {
        rules.push(format!("at least {n} characters"));
    }
    if let Some(n) = f.max_length {
        rules.push(format!("at most {n} characters"));
    }
    if let Some((m, inc)) = &f.min {
        rules.push(format!("{} {m}", if *inc { ">=" } else { ">" }));
    }
    if let Some((m, inc)) = &f.max {
        rules.push(format!("{} {m}", if *inc { "<=" } else { "<" }));
    }
    if let Some(n) = f.total_digits {
        rules.push(format!("at most {n} digits"));
    }
    if let Some(n) = f.fraction_digits {
        rules.push(format!("at most {n} fraction digits"));
    }
    if !rules.is_empty() {
        doc.push(format!("Constraints: {}.", rules.join("; ")));
    }
    let docs = doc_attrs(&doc);

    // Checks on the lexical form (`text`) and on the value itself.
    let mut text_checks = TokenStream::new();
    let mut value_checks = TokenStream::new();
    for p in &f.patterns {
        text_checks.extend(quote!(v.pattern(&text, #p);));
    }
    if r.base.is_numeric() {
        let suffix = builtin_suffix(r.base);
        let bound = |b: &Option<(String, bool)>| -> TokenStream {
            match b {
                Some((val, inc)) if val.parse::<f64>().is_ok() => {
                    let lit: TokenStream = format!("{}{suffix}", val.trim_start_matches('+'))
                        .parse()
                        .unwrap_or_else(|_| quote!(0));
                    quote!(::std::option::Option::Some((#lit, #inc)))
                }
                _ => quote!(::std::option::Option::None),
            }
        };
        if f.min.is_some() || f.max.is_some() {
            let (min, max) = (bound(&f.min), bound(&f.max));
            value_checks.extend(quote!(v.range(&self.0, #min, #max);));
        }
        if let Some(n) = f.total_digits {
            let n = Literal::usize_unsuffixed(n);
            text_checks.extend(quote! {
                if text.chars().filter(char::is_ascii_digit).count() > #n {
                    v.violation(::sdk_runtime::xml::ViolationKind::Length, ::std::format!("more than {} digits", #n));
                }
            });
        }
    } else if r.base.runtime_value().is_some() || r.base == Builtin::Date {
        // Ordered values compared in their value space; bounds stay in their lexical form.
        if f.min.is_some() || f.max.is_some() {
            let bound = |b: &Option<(String, bool)>| match b {
                Some((val, inc)) => {
                    let val = val.trim();
                    quote!(::std::option::Option::Some((#val, #inc)))
                }
                None => quote!(::std::option::Option::None),
            };
            let (min, max) = (bound(&f.min), bound(&f.max));
            value_checks.extend(quote!(v.bounds(&self.0, #min, #max);));
        }
        if r.base == Builtin::Lexical("decimal")
            && (f.total_digits.is_some() || f.fraction_digits.is_some())
        {
            let (total, fraction) = (opt_usize(f.total_digits), opt_usize(f.fraction_digits));
            value_checks.extend(quote!(v.decimal_digits(&self.0, #total, #fraction);));
        }
    } else if f.min_length.is_some() || f.max_length.is_some() {
        let min = opt_usize(f.min_length);
        let max = opt_usize(f.max_length);
        text_checks.extend(match r.base {
            Builtin::Lexical(b @ ("base64Binary" | "hexBinary")) => {
                let hex = b == "hexBinary";
                quote!(v.octet_length(&text, #hex, #min, #max);)
            }
            _ => quote!(v.length(&text, #min, #max);),
        });
    }
    let text_binding = if text_checks.is_empty() {
        quote!()
    } else {
        quote!(let text = ::sdk_runtime::xml::XmlText::to_xml_text(&self.0);)
    };
    let v = if text_checks.is_empty() && value_checks.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    let checks = quote!(#text_checks #value_checks);
    let serde = match &opts.serde_feature {
        Some(feat) => {
            quote!(#[cfg_attr(feature = #feat, derive(::serde::Serialize))] #[cfg_attr(feature = #feat, serde(transparent))])
        }
        None => quote!(),
    };
    let eq = if r.base.is_numeric() && matches!(r.base, Builtin::F32 | Builtin::F64) {
        quote!(PartialEq)
    } else {
        quote!(PartialEq, Eq, Hash)
    };
    quote! {
        #docs
        #[derive(Debug, Clone, #eq)]
        #serde
        pub struct #name(#base);

        ::sdk_runtime::restricted_type!(#name, #base);

        impl ::sdk_runtime::xml::Validate for #name {
            fn validate(&self, #v: &mut ::sdk_runtime::xml::Validator) {
                #text_binding
                #checks
            }
        }
    }
}

/// The literal suffix of a numeric built-in.
fn builtin_suffix(b: Builtin) -> &'static str {
    match b {
        Builtin::I8 => "i8",
        Builtin::I16 => "i16",
        Builtin::I32 => "i32",
        Builtin::I64 => "i64",
        Builtin::U8 => "u8",
        Builtin::U16 => "u16",
        Builtin::U32 => "u32",
        Builtin::U64 => "u64",
        Builtin::I128 => "i128",
        Builtin::U128 => "u128",
        Builtin::F32 => "f32",
        Builtin::F64 => "f64",
        Builtin::String | Builtin::Bool | Builtin::Date | Builtin::Lexical(_) => "",
    }
}

pub(super) fn opt_usize(n: Option<usize>) -> TokenStream {
    match n {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}
