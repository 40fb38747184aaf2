//! The JSON codec of generated types: serde attributes of structs and fields, the shapes only
//! JSON has (unions, aliases), and `Validate` from the schema's facets, so that a request body
//! is checked before it is sent, as XML messages are.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::types::{opt_usize, value_type};
use super::{doc_attrs, lit};
use crate::Error;
use crate::model::json::{OneOfDef, Scalar, ScalarKind};
use crate::model::{Field, Storage, StructDef, TypeDef, TypeKind, TypeModel, TypeRef};

fn ident(s: &str) -> syn::Ident {
    format_ident!("{}", s)
}

pub(super) fn scalar_type(k: ScalarKind) -> TokenStream {
    match k {
        ScalarKind::String => quote!(::std::string::String),
        ScalarKind::I32 => quote!(i32),
        ScalarKind::I64 => quote!(i64),
        ScalarKind::F64 => quote!(f64),
        ScalarKind::Decimal => quote!(::sdk_runtime::values::Decimal),
        ScalarKind::Bool => quote!(bool),
    }
}

/// The Rust type of a value reference as text, relative to the module root (`types::Foo`), for
/// sample harnesses.
pub fn type_text(model: &TypeModel, t: &TypeRef) -> String {
    match t {
        TypeRef::Scalar(s) => scalar_type(s.kind).to_string().replace(' ', ""),
        TypeRef::AnyJson => "::serde_json::Value".into(),
        TypeRef::Array { item, .. } => format!("::std::vec::Vec<{}>", type_text(model, item)),
        TypeRef::Map(v) => format!(
            "::std::collections::BTreeMap<::std::string::String, {}>",
            type_text(model, v)
        ),
        TypeRef::Def(id) => format!(
            "types::{}",
            model.get(*id).map_or("Value", |d| d.rust_name.as_str())
        ),
        TypeRef::Nullable(t) => format!("::std::option::Option<{}>", type_text(model, t)),
        TypeRef::Builtin(_) | TypeRef::Mapped(_) | TypeRef::AnyElement => {
            "::serde_json::Value".into()
        }
    }
}

/// Docs of a JSON type: the schema's, or its name, and where the schema is.
pub(super) fn type_doc(t: &TypeDef) -> Vec<String> {
    let mut doc = if t.doc.is_empty() {
        vec![format!("`{}`.", t.rust_name)]
    } else {
        t.doc.clone()
    };
    if let Some(p) = &t.pointer {
        doc.push(format!(
            "Schema `{}` of the service description.",
            p.replace('`', "'")
        ));
    }
    doc
}

/// Docs of a property: its wire name, then what the description says.
pub(super) fn field_doc(_model: &TypeModel, f: &Field) -> Vec<String> {
    let wire = f.wire.local.replace('`', "'");
    if f.doc.is_empty() {
        return vec![format!("The `{wire}` property.")];
    }
    let mut d = vec![format!("`{wire}`.")];
    d.extend(f.doc.iter().cloned());
    d
}

/// serde attributes of a property.
pub(super) fn field_attrs(f: &Field) -> TokenStream {
    let rename = if f.rust_name == f.wire.local {
        TokenStream::new()
    } else {
        let w = lit(&f.wire.local);
        quote!(#[serde(rename = #w)])
    };
    let presence = match f.storage() {
        Storage::Nullable => {
            quote!(#[serde(default, skip_serializing_if = "::sdk_runtime::rest::Nullable::is_absent")])
        }
        Storage::Optional => {
            quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
        }
        // Required and nullable: always written, `null` for `None`.
        Storage::RequiredNullable => quote!(#[serde(default)]),
        Storage::One | Storage::Many => TokenStream::new(),
    };
    quote!(#rename #presence)
}

/// serde attributes of a struct: unknown properties are refused only where the schema closes
/// the object and no response reaches it (read leniently, write strictly).
pub(super) fn struct_attrs(t: &TypeDef, s: &StructDef) -> TokenStream {
    if s.closed && s.additional.is_none() && !t.in_response {
        quote!(#[serde(deny_unknown_fields)])
    } else {
        TokenStream::new()
    }
}

/// `type Name = …;`.
pub(super) fn alias(
    model: &TypeModel,
    t: &TypeDef,
    target: &TypeRef,
) -> Result<TokenStream, Error> {
    let name = ident(&t.rust_name);
    let doc = doc_attrs(&type_doc(t));
    let target = value_type(model, target)?;
    Ok(quote! { #doc pub type #name = #target; })
}

/// A union: untagged (each alternative tried in turn) or discriminated by a property.
pub(super) fn one_of(model: &TypeModel, t: &TypeDef, o: &OneOfDef) -> Result<TokenStream, Error> {
    let name = ident(&t.rust_name);
    let doc = doc_attrs(&type_doc(t));
    let mut variants = TokenStream::new();
    let mut validate_arms = TokenStream::new();
    for v in &o.variants {
        let vn = ident(&v.rust);
        let mut ty = value_type(model, &v.ty)?;
        if v.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
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
        variants.extend(quote!(#d #vn(#ty),));
        let check = validate_value(model, &quote!(value), &v.ty);
        if check.is_empty() {
            validate_arms.extend(quote!(Self::#vn(_) => {}));
        } else {
            validate_arms.extend(quote!(Self::#vn(value) => { #check }));
        }
    }
    let tagged_unknown = o.discriminator.as_ref().map(|d| ident(&d.unknown));
    if let Some(u) = &tagged_unknown {
        validate_arms.extend(quote!(Self::#u(_) => {}));
    }
    let validate = quote! {
        impl ::sdk_runtime::xml::Validate for #name {
            #[allow(unused_variables)]
            fn validate(&self, v: &mut ::sdk_runtime::xml::Validator) {
                match self {
                    #validate_arms
                }
            }
        }
    };
    Ok(match &o.discriminator {
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

            #validate
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
                " Selected by the property `{}`; a value with an unknown tag is kept as [`{}`](Self::{}).",
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

                #validate
            }
        }
    })
}

/// `Validate` of a JSON struct: each property's facets, under its wire name.
pub(super) fn validate_struct(
    model: &TypeModel,
    name: &syn::Ident,
    fields: &[&Field],
) -> TokenStream {
    let mut body = TokenStream::new();
    for f in fields {
        let fname = ident(&f.rust_name);
        let label = f.wire.local.as_str();
        let check = validate_value(model, &quote!(value), &f.ty);
        if check.is_empty() {
            continue;
        }
        body.extend(match f.storage() {
            Storage::One | Storage::Many => quote! {
                v.field(#label, |v| { let value = &self.#fname; #check });
            },
            Storage::Optional | Storage::RequiredNullable => quote! {
                if let ::std::option::Option::Some(value) = &self.#fname {
                    v.field(#label, |v| { #check });
                }
            },
            Storage::Nullable => quote! {
                if let ::sdk_runtime::rest::Nullable::Value(value) = &self.#fname {
                    v.field(#label, |v| { #check });
                }
            },
        });
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

/// Statements checking the value behind the reference `expr` (of type `ty`) into the validator
/// `v`; empty when the type constrains nothing. Generated types are checked by their own
/// `Validate` (called through the trait, so the same tokens work inside and outside `types`);
/// aliases are followed.
pub(super) fn validate_value(model: &TypeModel, expr: &TokenStream, ty: &TypeRef) -> TokenStream {
    validate_at(model, expr, ty, 0)
}

fn validate_at(model: &TypeModel, expr: &TokenStream, ty: &TypeRef, depth: usize) -> TokenStream {
    if depth > 8 {
        return TokenStream::new();
    }
    match ty {
        TypeRef::Scalar(s) => scalar_checks(expr, s),
        TypeRef::Def(id) => match model.get(*id).map(|t| &t.kind) {
            Some(TypeKind::Alias(target)) => validate_at(model, expr, target, depth + 1),
            Some(_) => quote!(::sdk_runtime::xml::Validate::validate(#expr, v);),
            None => TokenStream::new(),
        },
        TypeRef::Array {
            item,
            min_items,
            max_items,
        } => {
            let mut out = TokenStream::new();
            if min_items.is_some() || max_items.is_some() {
                let min = Literal::usize_unsuffixed(min_items.unwrap_or(0));
                let max = opt_usize(*max_items);
                out.extend(quote!(v.occurs(#expr.len(), #min, #max);));
            }
            let inner = validate_at(model, &quote!(item), item, depth + 1);
            if !inner.is_empty() {
                out.extend(quote! {
                    for (i, item) in #expr.iter().enumerate() {
                        v.field(&::std::format!("[{i}]"), |v| { #inner });
                    }
                });
            }
            out
        }
        TypeRef::Map(t) => {
            let inner = validate_at(model, &quote!(item), t, depth + 1);
            if inner.is_empty() {
                inner
            } else {
                quote! {
                    for (key, item) in #expr.iter() {
                        v.field(key, |v| { #inner });
                    }
                }
            }
        }
        TypeRef::Nullable(t) => {
            let inner = validate_at(model, &quote!(inner), t, depth + 1);
            if inner.is_empty() {
                inner
            } else {
                quote! {
                    if let ::std::option::Option::Some(inner) = #expr { #inner }
                }
            }
        }
        TypeRef::Mapped(_) => quote!(::sdk_runtime::xml::Validate::validate(#expr, v);),
        TypeRef::Builtin(_) | TypeRef::AnyElement | TypeRef::AnyJson => TokenStream::new(),
    }
}

/// Length, pattern and range checks of a scalar. A pattern the `regex` crate cannot compile
/// (ECMA 262 look-around, back-references) is left to the server and documented as such.
fn scalar_checks(expr: &TokenStream, s: &Scalar) -> TokenStream {
    let mut out = TokenStream::new();
    match s.kind {
        ScalarKind::String => {
            if s.min_length.is_some() || s.max_length.is_some() {
                let (min, max) = (opt_usize(s.min_length), opt_usize(s.max_length));
                out.extend(quote!(v.length(#expr, #min, #max);));
            }
            if let Some(p) = &s.pattern
                && json_pattern_supported(p)
            {
                let p = lit(p);
                out.extend(quote!(v.json_pattern(#expr, #p);));
            }
            if let Some(f) = s
                .format
                .as_deref()
                .filter(|f| matches!(*f, "uuid" | "date" | "date-time"))
            {
                out.extend(quote!(v.json_format(#expr, #f);));
            }
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
            out.extend(quote!(v.range(#expr, #lo, #hi);));
        }
        ScalarKind::Decimal if s.minimum.is_some() || s.maximum.is_some() => {
            // Bounds as the shortest decimal text of the spec's number, compared exactly.
            let bound = |b: Option<f64>, exclusive: bool| match b {
                Some(b) if b.is_finite() => {
                    let text = b.to_string();
                    let inclusive = !exclusive;
                    quote!(::std::option::Option::Some((#text, #inclusive)))
                }
                _ => quote!(::std::option::Option::None),
            };
            let lo = bound(s.minimum, s.exclusive_minimum);
            let hi = bound(s.maximum, s.exclusive_maximum);
            out.extend(quote!(v.bounds(#expr, #lo, #hi);));
        }
        _ => {}
    }
    if let Some(m) = s.multiple_of
        && s.kind != ScalarKind::String
        && s.kind != ScalarKind::Bool
    {
        // Checked exactly in decimal, on the value's shortest decimal text.
        let step = m.to_string();
        out.extend(quote!(v.multiple_of(#expr, #step);));
    }
    out
}

/// Whether the client checks a JSON Schema `pattern` itself: the `regex` crate reads most ECMA
/// 262 patterns the same way; the others (look-around, back-references) it refuses to compile.
pub(crate) fn json_pattern_supported(p: &str) -> bool {
    regex::Regex::new(p).is_ok()
}
