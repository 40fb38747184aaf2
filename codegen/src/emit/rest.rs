//! The REST parts of a generated module: each operation's static description, input, output
//! and decoding, its client method, the client, and the security schemes.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::json::validate_value;
use super::types::value_type_in;
use super::{doc_attrs, lit};
use crate::Error;
use crate::model::rest::{
    Body, Code, FormField, Location, Param, ResponseBody, RestOperation, RestService, SchemeModel,
};
use crate::model::{OperationModel, Provenance, ServiceModel};

fn ident(s: &str) -> syn::Ident {
    format_ident!("{}", s)
}

/// What credentials an operation needs, for its docs.
pub(super) fn security_doc(r: &RestOperation) -> String {
    if r.security.is_empty() {
        return "Needs no credentials.".to_owned();
    }
    let alts: Vec<String> = r
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
}

/// The doc line of a status variant: `HTTP 404: Not there.`
pub(super) fn status_doc(code: Code, doc: Option<&str>) -> String {
    let what = match code {
        Code::Exact(c) => format!("HTTP {c}"),
        Code::Range(n) => format!("HTTP {n}XX"),
        Code::Default => "Any other status (`default`)".into(),
    };
    match doc.map(str::trim).filter(|d| !d.is_empty()) {
        // Sanitized by the front end: one paragraph of Markdown.
        Some(d) => format!(" {what}: {}", d.replace('\n', " ")),
        None => format!(" {what}."),
    }
}

/// The statuses a variant matches, as a pattern of the runtime's macro.
pub(super) fn status_pattern(code: Code) -> TokenStream {
    match code {
        Code::Exact(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        Code::Range(n) => {
            let lo = Literal::u16_unsuffixed(n * 100);
            let hi = Literal::u16_unsuffixed(n * 100 + 99);
            quote!(#lo..=#hi)
        }
        Code::Default => quote!(_),
    }
}

/// The Rust type of a response body (inside an operation module) and the runtime function that
/// decodes it.
pub(super) fn body_decoder(
    model: &ServiceModel,
    body: &ResponseBody,
) -> Result<(TokenStream, TokenStream), Error> {
    let prefix = quote!(super::super::types::);
    Ok(match body {
        ResponseBody::None => (quote!(()), quote!(::sdk_runtime::rest::empty)),
        ResponseBody::Json { ty, .. } => (
            value_type_in(&model.types, ty, &prefix)?,
            quote!(::sdk_runtime::rest::json),
        ),
        ResponseBody::Text => (
            quote!(::std::string::String),
            quote!(::sdk_runtime::rest::text),
        ),
        ResponseBody::Bytes => (
            quote!(::sdk_runtime::bytes::Bytes),
            quote!(::sdk_runtime::rest::bytes),
        ),
    })
}

pub(super) fn security_module(r: &RestService) -> TokenStream {
    let mut consts = TokenStream::new();
    let mut entries = TokenStream::new();
    for s in &r.schemes {
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
        let head = doc_attrs(&[format!("Scheme `{}`: {kind}.", s.name.replace('`', "'"))]);
        let more = match &s.doc {
            Some(text) if !text.is_empty() => {
                let a = doc_attrs(std::slice::from_ref(text));
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
fn param_field(
    model: &ServiceModel,
    p: &Param,
    prefix: &TokenStream,
) -> Result<TokenStream, Error> {
    let t = value_type_in(&model.types, &p.ty, prefix)?;
    Ok(if p.required {
        t
    } else {
        quote!(::std::option::Option<#t>)
    })
}

fn form_field_ty(
    model: &ServiceModel,
    f: &FormField,
    prefix: &TokenStream,
) -> Result<TokenStream, Error> {
    let t = match &f.ty {
        Some(t) => value_type_in(&model.types, t, prefix)?,
        None => quote!(::std::vec::Vec<u8>),
    };
    Ok(if f.required {
        t
    } else {
        quote!(::std::option::Option<#t>)
    })
}

/// A field of the operation's `Input`.
struct InputField {
    name: syn::Ident,
    ty: TokenStream,
    doc: TokenStream,
    required: bool,
    sensitive: bool,
    /// The field's value read from a `sdk_runtime::requests::RestRequest` named `req` (with
    /// `?` on a `String` error).
    read: TokenStream,
}

/// The REST items of an operation's module, its client method (without docs) and its entry of
/// the module's `REQUESTS`.
pub(super) fn operation(
    model: &ServiceModel,
    op: &OperationModel,
    r: &RestOperation,
) -> Result<(TokenStream, TokenStream, TokenStream), Error> {
    let m = ident(&op.rust_name);
    let prefix = quote!(super::super::types::);

    // SPEC.
    let name = lit(&op.name);
    let method = lit(&r.method);
    let path = lit(&r.path);
    let alts = r.security.iter().map(|alt| {
        let schemes = alt.iter().map(|(n, scopes)| {
            let n = lit(n);
            let scopes = scopes.iter().map(|s| lit(s));
            quote!((#n, &[#(#scopes),*] as &[&str]))
        });
        quote!(::sdk_runtime::rest::SecurityRequirement::new(&[#(#schemes),*]))
    });
    let provenance = match op.provenance {
        Provenance::WireVerified => quote!(::sdk_runtime::Provenance::WireVerified),
        Provenance::Published => quote!(::sdk_runtime::Provenance::Published),
        Provenance::Reconstructed => quote!(::sdk_runtime::Provenance::Reconstructed),
    };

    // Input, and the statements that fill the request from it.
    let mut fields: Vec<InputField> = Vec::new();
    let mut fill = TokenStream::new();
    for p in &r.params {
        let f = ident(&p.rust);
        let t = param_field(model, p, &prefix)?;
        let head = doc_attrs(&[format!(
            "`{}` ({}).",
            p.wire.replace('`', "'"),
            location_word(p.location)
        )]);
        let mut extra = p.doc.clone();
        if p.sensitive {
            extra.push("Personal data: shown as `<redacted>` in `Debug` output.".to_owned());
        }
        let extra = doc_attrs(&extra);
        let doc = if extra.is_empty() {
            head
        } else {
            quote!(#head #[doc = ""] #extra)
        };
        let wire = lit(&p.wire);
        fields.push(InputField {
            name: f.clone(),
            ty: t,
            doc,
            required: p.required,
            sensitive: p.sensitive,
            read: if p.required {
                quote!(req.required(#wire)?)
            } else {
                quote!(req.param(#wire)?)
            },
        });
        fill.extend(match p.location {
            Location::Path => quote!(request.path(#wire, &input.#f);),
            Location::Query => {
                let explode = p.explode;
                quote!(request.query(#wire, &input.#f, #explode);)
            }
            Location::Header => quote!(request.header(#wire, &input.#f);),
            Location::Cookie => quote!(request.cookie(#wire, &input.#f);),
        });
        let check = validate_value(&model.types, &quote!(value), &p.ty);
        if !check.is_empty() {
            if p.required {
                fill.extend(quote! {
                    let value = &input.#f;
                    request.problems().field(#wire, |v| { #check });
                });
            } else {
                fill.extend(quote! {
                    if let ::std::option::Option::Some(value) = &input.#f {
                        request.problems().field(#wire, |v| { #check });
                    }
                });
            }
        }
    }
    let body_field = ident(&r.body_field);
    match &r.body {
        Some(Body::Json {
            content_type,
            ty: t,
            required,
            ..
        }) => {
            let ty = value_type_in(&model.types, t, &prefix)?;
            let ct = lit(content_type);
            let doc = doc_attrs(&[format!("The request body (`{content_type}`).")]);
            let check = validate_value(&model.types, &quote!(body), t);
            let check = if check.is_empty() {
                check
            } else {
                quote! {
                    let v = request.problems();
                    #check
                }
            };
            if *required {
                fields.push(InputField {
                    name: body_field.clone(),
                    ty,
                    doc,
                    required: true,
                    sensitive: false,
                    read: quote!(
                        req.json_body()?
                            .ok_or_else(|| ::std::string::String::from("the body is missing"))?
                    ),
                });
                fill.extend(quote! {
                    let body = &input.#body_field;
                    #check
                    request.json(#ct, body);
                });
            } else {
                fields.push(InputField {
                    name: body_field.clone(),
                    ty: quote!(::std::option::Option<#ty>),
                    doc,
                    required: false,
                    sensitive: false,
                    read: quote!(req.json_body()?),
                });
                fill.extend(quote! {
                    if let ::std::option::Option::Some(body) = &input.#body_field {
                        #check
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
            let text = matches!(r.body, Some(Body::Text { .. }));
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
            let doc = doc_attrs(&[format!("The request body (`{content_type}`).")]);
            let raw = if text {
                quote!(
                    req.bytes_body()?
                        .map(::std::string::String::from_utf8)
                        .transpose()
                        .map_err(|e| ::std::format!("body: {e}"))?
                )
            } else {
                quote!(req.bytes_body()?)
            };
            if *required {
                fields.push(InputField {
                    name: body_field.clone(),
                    ty: t,
                    doc,
                    required: true,
                    sensitive: false,
                    read: quote!(#raw.ok_or_else(|| ::std::string::String::from("the body is missing"))?),
                });
                fill.extend(quote! {
                    let body = &input.#body_field;
                    request.raw_body(#ct, #to_bytes);
                });
            } else {
                fields.push(InputField {
                    name: body_field.clone(),
                    ty: quote!(::std::option::Option<#t>),
                    doc,
                    required: false,
                    sensitive: false,
                    read: raw,
                });
                fill.extend(quote! {
                    if let ::std::option::Option::Some(body) = &input.#body_field {
                        request.raw_body(#ct, #to_bytes);
                    }
                });
            }
        }
        Some(Body::Form { fields: ff }) | Some(Body::Multipart { fields: ff }) => {
            let multipart = matches!(r.body, Some(Body::Multipart { .. }));
            let mut parts = TokenStream::new();
            for f in ff {
                let fname = ident(&f.rust);
                let t = form_field_ty(model, f, &prefix)?;
                let head = doc_attrs(&[format!(
                    "Form field `{}`{}.",
                    f.wire.replace('`', "'"),
                    if f.ty.is_none() { " (binary)" } else { "" }
                )]);
                let extra = doc_attrs(&f.doc);
                let doc = if extra.is_empty() {
                    head
                } else {
                    quote!(#head #[doc = ""] #extra)
                };
                let wire = lit(&f.wire);
                fields.push(InputField {
                    name: fname.clone(),
                    ty: t,
                    doc,
                    required: f.required,
                    sensitive: false,
                    read: if f.required {
                        quote!(req.required(#wire)?)
                    } else {
                        quote!(req.param(#wire)?)
                    },
                });
                let add = if !multipart {
                    quote!(form.field(#wire, value);)
                } else if f.ty.is_none() {
                    quote!(form.bytes(#wire, "application/octet-stream", value);)
                } else if f.json {
                    quote!(form.json(#wire, value);)
                } else {
                    quote!(form.text(#wire, value);)
                };
                // A typed part (JSON or text) is checked like a body before anything is sent.
                let add = if f.ty.is_some() {
                    quote! {
                        request.problems().field(#wire, |v| ::sdk_runtime::xml::Validate::validate(value, v));
                        #add
                    }
                } else {
                    add
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
    let input_tokens = input_struct(&fields);
    let has_input = !fields.is_empty();

    // Output: the documented success responses.
    let (output, decode) = output_tokens(model, r)?;

    let inner = quote! {
        /// Static description of the operation.
        pub static SPEC: ::sdk_runtime::rest::OperationSpec = ::sdk_runtime::rest::OperationSpec::new(
            #name, #method, #path, &[#(#alts),*], #provenance,
        );

        #input_tokens

        #output

        /// The operation, as the client calls it.
        #[derive(Debug, Clone, Copy)]
        pub struct Operation;

        impl ::sdk_runtime::rest::RestOperation for Operation {
            type Output = Output;
            type Error = Error;
            fn spec() -> &'static ::sdk_runtime::rest::OperationSpec {
                &SPEC
            }
            fn decode_output(
                status: u16,
                body: &::sdk_runtime::bytes::Bytes,
            ) -> ::std::option::Option<::std::result::Result<Output, ::sdk_runtime::xml::DecodeError>> {
                #decode
            }
        }
    };

    let input_param = if has_input {
        quote!(input: &operation::#m::Input,)
    } else {
        TokenStream::new()
    };
    let (read_input, input_arg) = if has_input {
        let names = fields.iter().map(|f| &f.name);
        let reads = fields.iter().map(|f| &f.read);
        (
            quote! {
                let read = (|| -> ::std::result::Result<operation::#m::Input, ::std::string::String> {
                    let req = ::sdk_runtime::requests::rest_request(&request)?;
                    ::std::result::Result::Ok(operation::#m::Input { #(#names: #reads,)* })
                })();
                let input = match read {
                    ::std::result::Result::Ok(x) => x,
                    ::std::result::Result::Err(e) => {
                        return ::sdk_runtime::requests::Sent::Unreadable(e);
                    }
                };
            },
            quote!(&input),
        )
    } else {
        (
            quote! {
                if let ::std::result::Result::Err(e) = ::sdk_runtime::requests::rest_request(&request) {
                    return ::sdk_runtime::requests::Sent::Unreadable(e);
                }
            },
            TokenStream::new(),
        )
    };
    let sender = quote! {
        ::sdk_runtime::requests::RequestSender::rest(&operation::#m::SPEC, |target, request| {
            ::std::boxed::Box::pin(async move {
                #read_input
                let mut client = Client::new(target.http().clone(), target.url().clone());
                if let ::std::option::Option::Some(c) = target.credentials() {
                    client.set_credentials(c.clone());
                }
                #[allow(deprecated)]
                let result = client.#m(#input_arg).await;
                ::sdk_runtime::requests::Sent::rest(result)
            })
        })
    };
    let method = quote! {
        pub async fn #m(
            &self,
            #input_param
        ) -> ::std::result::Result<
            ::sdk_runtime::rest::Response<operation::#m::Output>,
            ::sdk_runtime::SdkError<operation::#m::Error>,
        > {
            #[allow(unused_mut)]
            let mut request = ::sdk_runtime::rest::Request::new(&operation::#m::SPEC);
            #fill
            self.rest.call::<operation::#m::Operation>(request).await
        }
    };
    Ok((inner, method, sender))
}

fn input_struct(fields: &[InputField]) -> TokenStream {
    if fields.is_empty() {
        return TokenStream::new();
    }
    let mut decl = TokenStream::new();
    let mut args = TokenStream::new();
    let mut inits = TokenStream::new();
    let mut debug = TokenStream::new();
    for f in fields {
        let (name, ty, doc) = (&f.name, &f.ty, &f.doc);
        decl.extend(quote!(#doc pub #name: #ty,));
        if f.required {
            args.extend(quote!(#name: #ty,));
            inits.extend(quote!(#name,));
        } else {
            inits.extend(quote!(#name: ::std::option::Option::None,));
        }
        let label = name.to_string();
        if f.sensitive {
            debug.extend(quote!(.field(#label, &::sdk_runtime::redact::REDACTED)));
        } else {
            debug.extend(quote!(.field(#label, &self.#name)));
        }
    }
    let any_sensitive = fields.iter().any(|f| f.sensitive);
    let derive_default = if args.is_empty() {
        quote!(Default,)
    } else {
        TokenStream::new()
    };
    let (derive_debug, debug_impl) = if any_sensitive {
        (
            TokenStream::new(),
            quote! {
                impl ::std::fmt::Debug for Input {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.debug_struct("Input") #debug .finish()
                    }
                }
            },
        )
    } else {
        (quote!(Debug,), TokenStream::new())
    };
    quote! {
        /// The operation's parameters and body.
        #[derive(#derive_debug Clone, PartialEq, #derive_default)]
        #[non_exhaustive]
        pub struct Input {
            #decl
        }

        impl Input {
            /// An input with the required parameters; the others absent.
            pub fn new(#args) -> Self {
                Self { #inits }
            }
        }

        #debug_impl
    }
}

/// `Output` (the body of the one success response, or an enum of several), and the body of
/// `decode_output` (with `status` and `body` in scope).
fn output_tokens(
    model: &ServiceModel,
    r: &RestOperation,
) -> Result<(TokenStream, TokenStream), Error> {
    match r.responses.as_slice() {
        [] => Ok((
            quote! {
                /// The operation's output: the description documents no success response, so
                /// any 2xx answer is accepted and its body kept only in the response's `raw`.
                pub type Output = ();
            },
            quote! {
                let _ = body;
                (200..300).contains(&status).then_some(::std::result::Result::Ok(()))
            },
        )),
        [one] => {
            let (ty, decode) = body_decoder(model, &one.body)?;
            let pattern = status_pattern(one.code);
            let doc = doc_attrs(&[format!(
                "The operation's output: the body of the success answer ({}).",
                status_doc(one.code, Some(&one.doc))
                    .trim()
                    .trim_end_matches('.')
            )]);
            Ok((
                quote! {
                    #doc
                    pub type Output = #ty;
                },
                quote! {
                    match status {
                        #pattern => ::std::option::Option::Some(#decode(body)),
                        _ => ::std::option::Option::None,
                    }
                },
            ))
        }
        many => {
            let mut variants = TokenStream::new();
            let mut arms = TokenStream::new();
            let mut status_arms = TokenStream::new();
            for resp in many {
                let v = ident(&resp.variant);
                let d = lit(&status_doc(resp.code, Some(&resp.doc)));
                let pattern = status_pattern(resp.code);
                let exact = matches!(resp.code, Code::Exact(_));
                match (&resp.body, exact) {
                    (ResponseBody::None, true) => {
                        variants.extend(quote!(#[doc = #d] #v,));
                        arms.extend(quote!(#pattern => ::std::option::Option::Some(::std::result::Result::Ok(Output::#v)),));
                        status_arms.extend(quote!(Self::#v => #pattern,));
                    }
                    (ResponseBody::None, false) => {
                        variants.extend(quote!(#[doc = #d] #v {
                            /// The status received.
                            status: u16
                        },));
                        arms.extend(quote!(#pattern => ::std::option::Option::Some(::std::result::Result::Ok(Output::#v { status })),));
                        status_arms.extend(quote!(Self::#v { status } => *status,));
                    }
                    (body, true) => {
                        let (ty, decode) = body_decoder(model, body)?;
                        variants.extend(quote!(#[doc = #d] #v(#ty),));
                        arms.extend(quote!(#pattern => ::std::option::Option::Some(#decode(body).map(Output::#v)),));
                        status_arms.extend(quote!(Self::#v(_) => #pattern,));
                    }
                    (body, false) => {
                        let (ty, decode) = body_decoder(model, body)?;
                        variants.extend(quote!(#[doc = #d] #v {
                            /// The status received.
                            status: u16,
                            /// The body.
                            body: #ty,
                        },));
                        arms.extend(quote!(#pattern => ::std::option::Option::Some(#decode(body).map(|body| Output::#v { status, body })),));
                        status_arms.extend(quote!(Self::#v { status, .. } => *status,));
                    }
                }
            }
            Ok((
                quote! {
                    /// The operation's output: one variant per success status the description
                    /// documents.
                    #[derive(Debug, Clone, PartialEq)]
                    #[non_exhaustive]
                    pub enum Output {
                        #variants
                    }

                    impl Output {
                        /// The HTTP status of the answer.
                        pub fn status(&self) -> u16 {
                            match self {
                                #status_arms
                            }
                        }
                    }
                },
                quote! {
                    match status {
                        #arms
                        _ => ::std::option::Option::None,
                    }
                },
            ))
        }
    }
}

/// The client of a REST service.
pub(super) fn client(model: &ServiceModel, r: &RestService, methods: TokenStream) -> TokenStream {
    let doc = doc_attrs(&[format!(
        "Client of `{}`. Cheap to clone; clones share connections.",
        model.name.replace('`', "'")
    )]);
    let default_url = r
        .servers
        .iter()
        .find(|(u, _)| u.starts_with("https://") || u.starts_with("http://"));
    let default = match default_url {
        Some((url, _)) => {
            let u = lit(url);
            let servers: Vec<String> = r
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
