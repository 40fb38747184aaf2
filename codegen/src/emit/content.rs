//! Tokens for content models: one line per field for reading and writing, driven by the
//! runtime's table-based `Content` reader and `put_*` writers; choices, unions and lists.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::types::{is_simple, serde_derive, stored_type, validates, value_type};
use super::{Options, doc_attrs, lit};
use crate::Error;
use crate::model::{
    Builtin, Cardinality, ChoiceDef, Field, FieldKind, ListDef, PolymorphicDef, TypeDef, TypeModel,
    TypeRef, UnionDef,
};

/// `true` for fields that take a slot in the content table (not attributes).
pub(super) fn in_content(f: &Field) -> bool {
    matches!(
        f.kind,
        FieldKind::Element | FieldKind::Group | FieldKind::Any
    )
}

/// The content table entry of a field.
fn particle(model: &TypeModel, f: &Field) -> Result<TokenStream, Error> {
    Ok(match f.kind {
        FieldKind::Element => {
            let (ns, local) = (lit(&f.wire.ns), lit(&f.wire.local));
            if f.max == Some(1) {
                quote!(::sdk_runtime::xml::Particle::one(#ns, #local))
            } else {
                quote!(::sdk_runtime::xml::Particle::many(#ns, #local))
            }
        }
        FieldKind::Group => {
            let ty = value_type(model, &f.ty)?;
            let many = f.max != Some(1);
            quote!(::sdk_runtime::xml::Particle::group(
                <#ty as ::sdk_runtime::xml::XmlGroup>::MODEL,
                #many,
                <#ty as ::sdk_runtime::xml::XmlGroup>::CHOICE,
            ))
        }
        FieldKind::Any => {
            let many = f.max != Some(1);
            quote!(::sdk_runtime::xml::Particle::any(#many))
        }
        FieldKind::Attribute | FieldKind::Property => {
            return Err(Error::Emit(
                "attribute or JSON property in a content table".into(),
            ));
        }
    })
}

/// `const MODEL: &[Particle] = &[…];`
pub(super) fn model_table(model: &TypeModel, fields: &[&Field]) -> Result<TokenStream, Error> {
    let mut entries = Vec::new();
    for f in fields {
        entries.push(particle(model, f)?);
    }
    Ok(quote!(&[#(#entries),*]))
}

/// The expression reading content field `f` from slot `slot` of `c`.
pub(super) fn read_expr(model: &TypeModel, f: &Field, slot: usize) -> TokenStream {
    let i = Literal::usize_unsuffixed(slot);
    let local = f.wire.local.as_str();
    let card = f.cardinality();
    let (one, opt, many) = match f.kind {
        FieldKind::Any => {
            return match card {
                Cardinality::One => quote!(c.any_one(cx, #i, #local)?),
                Cardinality::Optional => quote!(c.any_opt(cx, #i)),
                Cardinality::Many => quote!(c.any_many(#i)),
            };
        }
        FieldKind::Group => (quote!(group_one), quote!(group_opt), quote!(group_many)),
        _ if is_simple(model, &f.ty) => (quote!(text_one), quote!(text_opt), quote!(text_many)),
        _ => (
            quote!(complex_one),
            quote!(complex_opt),
            quote!(complex_many),
        ),
    };
    if f.nillable_items() {
        let many = if is_simple(model, &f.ty) {
            quote!(text_many_nil)
        } else {
            quote!(complex_many_nil)
        };
        return quote!(c.#many(cx, #i)?);
    }
    match (card, f.boxed) {
        (Cardinality::One, false) => quote!(c.#one(cx, #i, #local)?),
        (Cardinality::One, true) => quote!(::std::boxed::Box::new(c.#one(cx, #i, #local)?)),
        (Cardinality::Optional, false) => quote!(c.#opt(cx, #i)?),
        (Cardinality::Optional, true) => quote!(c.#opt(cx, #i)?.map(::std::boxed::Box::new)),
        (Cardinality::Many, _) => quote!(c.#many(cx, #i)?),
    }
}

/// The statement writing content field `f`, whose stored value is the place expression `v`
/// (`by_ref`: `v` is a reference to the stored value, as bound by a `match`).
pub(super) fn write_stmt(
    model: &TypeModel,
    tags: &super::tags::Tags,
    f: &Field,
    v: TokenStream,
    by_ref: bool,
) -> TokenStream {
    let card = f.cardinality();
    // `v` as the forms the writers take: `&T`, `Option<&T>`, `&[T]`.
    let one = match (f.boxed, by_ref) {
        (true, true) => quote!(&**#v),
        (true, false) => quote!(&*#v),
        (false, true) => quote!(#v),
        (false, false) => quote!(&#v),
    };
    let all = if by_ref { quote!(#v) } else { quote!(&#v) };
    let opt = if f.boxed {
        quote!(#v.as_deref())
    } else {
        quote!(#v.as_ref())
    };
    match f.kind {
        FieldKind::Any | FieldKind::Group => {
            let put = if f.kind == FieldKind::Any {
                quote!(::sdk_runtime::xml::put_any)
            } else {
                quote!(::sdk_runtime::xml::put_group)
            };
            match card {
                Cardinality::One => quote!(#put(w, [#one]);),
                Cardinality::Optional => quote!(#put(w, #opt);),
                Cardinality::Many => quote!(#put(w, #all);),
            }
        }
        _ => {
            let simple = is_simple(model, &f.ty);
            let nil_required = f.nillable && f.min > 0;
            let put = match (simple, card, nil_required) {
                (true, Cardinality::Many, _) if f.nillable_items() => quote!(put_text_all_nil),
                (false, Cardinality::Many, _) if f.nillable_items() => {
                    quote!(put_complex_all_nil)
                }
                (true, Cardinality::One, _) => quote!(put_text),
                (true, Cardinality::Optional, true) => quote!(put_text_nil),
                (true, Cardinality::Optional, false) => quote!(put_text_opt),
                (true, Cardinality::Many, _) => quote!(put_text_all),
                (false, Cardinality::One, _) => quote!(put_complex),
                (false, Cardinality::Optional, true) => quote!(put_complex_nil),
                (false, Cardinality::Optional, false) => quote!(put_complex_opt),
                (false, Cardinality::Many, _) => quote!(put_complex_all),
            };
            let arg = match card {
                Cardinality::One => one,
                Cardinality::Optional => opt,
                Cardinality::Many => all,
            };
            let tag = tags.tag(&f.wire.ns, &f.wire.local);
            quote!(::sdk_runtime::xml::#put(w, #tag, #arg);)
        }
    }
}

/// A choice: an enum with one variant per branch, implementing `XmlGroup`.
pub(super) fn choice(
    model: &TypeModel,
    tags: &super::tags::Tags,
    t: &TypeDef,
    c: &ChoiceDef,
    opts: &Options,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", t.rust_name);
    let mut doc = t.doc.clone();
    doc.push("A choice: exactly one of the variants.".to_owned());
    let docs = doc_attrs(&doc);
    let fields: Vec<&Field> = c.variants.iter().collect();
    let table = model_table(model, &fields)?;
    let mut variants = TokenStream::new();
    let mut reads = TokenStream::new();
    let mut writes = TokenStream::new();
    let mut checks = TokenStream::new();
    for (i, f) in c.variants.iter().enumerate() {
        let vn = format_ident!("{}", f.rust_name);
        let ty = stored_type(model, f)?;
        let vdoc = doc_attrs(&[match f.kind {
            FieldKind::Element => format!("Element `{}`.", f.wire.local),
            FieldKind::Group => "A nested group of elements.".to_owned(),
            _ => "Any element (`xs:any`).".to_owned(),
        }]);
        variants.extend(quote!(#vdoc #vn(#ty),));
        let index = Literal::usize_unsuffixed(i);
        let read = read_expr(model, f, i);
        reads.extend(quote!(#index => Self::#vn(#read),));
        let write = write_stmt(model, tags, f, quote!(v), true);
        writes.extend(quote!(Self::#vn(v) => { #write }));
        let label = f.wire.local.as_str();
        if validates(&f.ty) {
            checks.extend(quote!(Self::#vn(x) => v.field(#label, |v| ::sdk_runtime::xml::Validate::validate(x, v)),));
        }
    }
    let what = format!("the choice `{}`", t.rust_name);
    let check_body = if checks.is_empty() {
        quote!(let _ = v;)
    } else {
        quote!(#[allow(clippy::single_match)] match self { #checks #[allow(unreachable_patterns)] _ => {} })
    };
    let serde = serde_derive(opts);
    Ok(quote! {
        #docs
        #[derive(Clone, PartialEq, Debug)]
        #serde
        #[non_exhaustive]
        pub enum #name { #variants }

        impl ::sdk_runtime::xml::XmlGroup for #name {
            const MODEL: &'static [::sdk_runtime::xml::Particle] = #table;
            const CHOICE: bool = true;
            fn read_group(
                children: &[::sdk_runtime::xml::ElementRef<'_>],
                cx: &mut ::sdk_runtime::xml::ReadContext,
            ) -> ::std::result::Result<Self, ::sdk_runtime::xml::DecodeError> {
                let mut c = cx.choice_content(children, Self::MODEL);
                let branch = c.branch().ok_or_else(|| cx.missing_choice(#what))?;
                c.others(cx, branch);
                ::std::result::Result::Ok(match branch {
                    #reads
                    _ => return ::std::result::Result::Err(cx.missing_choice(#what)),
                })
            }
            fn write_group(&self, w: &mut ::sdk_runtime::xml::XmlWriter) {
                match self { #writes }
            }
        }

        impl ::sdk_runtime::xml::Validate for #name {
            fn validate(&self, v: &mut ::sdk_runtime::xml::Validator) {
                #check_body
            }
        }
    })
}

/// A polymorphic complex type: an enum over the declared type and the types derived from it,
/// read by the element's `xsi:type` and written with it. Variants are boxed (derived types can
/// be large, and a type may contain its own base).
pub(super) fn polymorphic(
    model: &TypeModel,
    t: &TypeDef,
    p: &PolymorphicDef,
    opts: &Options,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", t.rust_name);
    let docs = doc_attrs(&t.doc);
    let mut variants = TokenStream::new();
    let mut reads = TokenStream::new();
    let mut writes = TokenStream::new();
    let mut checks = TokenStream::new();
    let mut fallback = None;
    for v in &p.variants {
        let vn = format_ident!("{}", v.rust_name);
        let ty = value_type(model, &TypeRef::Def(v.ty))?;
        let vdoc = doc_attrs(&[format!(
            "The type `{}` (namespace `{}`){}.",
            v.type_name.local,
            v.type_name.ns,
            if v.declared {
                ", written without `xsi:type`"
            } else {
                ""
            }
        )]);
        variants.extend(quote!(#vdoc #vn(::std::boxed::Box<#ty>),));
        let (ns, local) = (lit(&v.type_name.ns), lit(&v.type_name.local));
        let read = quote!(Self::#vn(::std::boxed::Box::new(<#ty as ::sdk_runtime::xml::XmlRead>::read_xml(element, cx)?)));
        reads.extend(quote!(::std::option::Option::Some((#ns, #local)) => {
            cx.take_xsi_type(element);
            #read
        }));
        if v.declared || fallback.is_none() {
            fallback = Some((v.declared, read));
        }
        if v.declared {
            writes.extend(
                quote!(Self::#vn(v) => ::sdk_runtime::xml::XmlWrite::write_xml(v.as_ref(), w),),
            );
        } else {
            writes.extend(quote!(Self::#vn(v) => {
                w.xsi_type(#ns, #local);
                ::sdk_runtime::xml::XmlWrite::write_xml(v.as_ref(), w);
            }));
        }
        checks
            .extend(quote!(Self::#vn(x) => ::sdk_runtime::xml::Validate::validate(x.as_ref(), v),));
    }
    let Some((declared, fallback)) = fallback else {
        return Err(Error::Emit(format!("`{}` has no types", t.rust_name)));
    };
    // No (or an unknown) `xsi:type`: the declared type, whose attribute check reports an
    // unknown one; for an abstract type, the first derived type, with a diagnostic.
    let fallback = if declared {
        fallback
    } else {
        let what = format!(
            "`{}` is abstract: the element should name its type with `xsi:type`; read as the first derived type",
            t.xml_name
                .as_ref()
                .map_or(t.rust_name.as_str(), |q| q.local.as_str())
        );
        quote!({
            cx.diagnose(::sdk_runtime::xml::DiagnosticKind::UnexpectedXsiType, #what);
            #fallback
        })
    };
    let serde = serde_derive(opts);
    Ok(quote! {
        #docs
        #[derive(Clone, PartialEq, Debug)]
        #serde
        #[non_exhaustive]
        pub enum #name { #variants }

        impl ::sdk_runtime::xml::XmlRead for #name {
            fn read_xml(
                element: ::sdk_runtime::xml::ElementRef<'_>,
                cx: &mut ::sdk_runtime::xml::ReadContext,
            ) -> ::std::result::Result<Self, ::sdk_runtime::xml::DecodeError> {
                ::std::result::Result::Ok(match element.xsi_type() {
                    #reads
                    _ => #fallback,
                })
            }
        }

        impl ::sdk_runtime::xml::XmlWrite for #name {
            fn write_xml(&self, w: &mut ::sdk_runtime::xml::XmlWriter) {
                match self { #writes }
            }
        }

        impl ::sdk_runtime::xml::Validate for #name {
            fn validate(&self, v: &mut ::sdk_runtime::xml::Validator) {
                match self { #checks }
            }
        }
    })
}

/// A union of simple types: an enum over the member types, read as the first that accepts the
/// text.
pub(super) fn union(
    model: &TypeModel,
    t: &TypeDef,
    u: &UnionDef,
    opts: &Options,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", t.rust_name);
    let mut doc = t.doc.clone();
    if let Some(x) = &t.xml_name {
        doc.push(format!("The union `{}` (namespace `{}`).", x.local, x.ns));
    }
    doc.push("A value of one of the member types, tried in schema order when read.".to_owned());
    let docs = doc_attrs(&doc);
    let mut variants = TokenStream::new();
    let mut to_text = TokenStream::new();
    let mut parse = TokenStream::new();
    let mut checks = TokenStream::new();
    let mut taken = std::collections::BTreeSet::new();
    for m in &u.members {
        let ty = value_type(model, m)?;
        let base = match m {
            TypeRef::Def(id) => model
                .get(*id)
                .map_or("Member".to_owned(), |t| t.rust_name.clone()),
            TypeRef::Builtin(Builtin::Lexical(xsd)) => crate::names::camel(xsd),
            TypeRef::Builtin(b) => format!("{b:?}"),
            TypeRef::Mapped(p) => p.rsplit("::").next().unwrap_or("Mapped").to_owned(),
            TypeRef::AnyElement
            | TypeRef::Scalar(_)
            | TypeRef::Array { .. }
            | TypeRef::Map(_)
            | TypeRef::Nullable(_)
            | TypeRef::AnyJson => "Any".to_owned(),
        };
        let vn_text = crate::names::unique(base, &mut taken);
        let vdoc = format!(" A value of the member type `{vn_text}`.");
        let vn = format_ident!("{}", vn_text);
        variants.extend(quote!(#[doc = #vdoc] #vn(#ty),));
        to_text.extend(quote!(Self::#vn(v) => ::sdk_runtime::xml::XmlText::to_xml_text(v),));
        parse.extend(quote! {
            if let ::std::result::Result::Ok(v) = <#ty as ::sdk_runtime::xml::XmlText>::from_xml_text(text) {
                return ::std::result::Result::Ok(Self::#vn(v));
            }
        });
        if validates(m) {
            checks.extend(quote!(Self::#vn(x) => ::sdk_runtime::xml::Validate::validate(x, v),));
        }
    }
    let check_body = if checks.is_empty() {
        quote!(let _ = v;)
    } else {
        quote!(#[allow(clippy::single_match)] match self { #checks #[allow(unreachable_patterns)] _ => {} })
    };
    let serde = serde_derive(opts);
    let expected = format!("`{{}}` is not a value of any member of `{}`", t.rust_name);
    Ok(quote! {
        #docs
        #[derive(Clone, PartialEq, Debug)]
        #serde
        #[non_exhaustive]
        pub enum #name { #variants }

        impl ::sdk_runtime::xml::XmlText for #name {
            fn to_xml_text(&self) -> ::std::borrow::Cow<'_, str> {
                match self { #to_text }
            }
            fn from_xml_text(text: &str) -> ::std::result::Result<Self, ::sdk_runtime::xml::ValueError> {
                #parse
                ::std::result::Result::Err(::sdk_runtime::xml::ValueError::new(::std::format!(#expected, text)))
            }
        }

        impl ::sdk_runtime::xml::Validate for #name {
            fn validate(&self, v: &mut ::sdk_runtime::xml::Validator) {
                #check_body
            }
        }
    })
}

/// An `xs:list`: a newtype over `Vec<item>`.
pub(super) fn list(
    model: &TypeModel,
    t: &TypeDef,
    l: &ListDef,
    opts: &Options,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", t.rust_name);
    let mut doc = t.doc.clone();
    if let Some(x) = &t.xml_name {
        doc.push(format!(
            "The list type `{}` (namespace `{}`).",
            x.local, x.ns
        ));
    }
    doc.push("Whitespace-separated values.".to_owned());
    let docs = doc_attrs(&doc);
    let item = value_type(model, &l.item)?;
    let check = if validates(&l.item) {
        quote!(::sdk_runtime::xml::Validate::validate(&self.0, v);)
    } else {
        quote!(let _ = v;)
    };
    let serde = serde_derive(opts);
    Ok(quote! {
        #docs
        #[derive(Clone, PartialEq, Debug, Default)]
        #serde
        pub struct #name(pub ::std::vec::Vec<#item>);

        impl ::sdk_runtime::xml::XmlText for #name {
            fn to_xml_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::sdk_runtime::xml::list_to_text(&self.0)
            }
            fn from_xml_text(text: &str) -> ::std::result::Result<Self, ::sdk_runtime::xml::ValueError> {
                ::sdk_runtime::xml::list_from_text(text).map(Self)
            }
        }

        impl ::sdk_runtime::xml::Validate for #name {
            fn validate(&self, v: &mut ::sdk_runtime::xml::Validator) {
                #check
            }
        }
    })
}
