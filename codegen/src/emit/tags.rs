//! Pre-built element tags for the XML writer: each generated module gets a namespace table
//! (`XML_NAMESPACES`, prefixes `ns1`, `ns2`, … in a fixed order: the namespaces of the module's
//! global elements first, then those of their content) and each element write names its tag,
//! `<ns2:kDatu>`, checked against the table when the crate compiles
//! (`sdk_runtime::xml::Tag::new`). Each complex type's `write_xml` enters the table with the
//! entries its content can reach (a bit mask over the table, computed here over the type graph),
//! so that the runtime declares exactly those namespaces once, where the content starts.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::lit;
use crate::model::{FieldKind, Placement, TypeId, TypeKind, TypeModel, TypeRef};

/// The namespace table of one generated module and the entries each of its types reaches.
pub(super) struct Tags {
    namespaces: Vec<String>,
    masks: Vec<u64>,
    /// The static holding each element name's tag, in order of first use.
    statics: Vec<((String, String), syn::Ident)>,
}

/// Entries past this many get no pre-built tags (the runtime's masks are 64 bits wide).
const MAX_ENTRIES: usize = 64;

impl Tags {
    /// The table and masks of `model` (XML models; a JSON model gets an empty table).
    pub(super) fn of(model: &TypeModel) -> Self {
        let mut namespaces: Vec<String> = Vec::new();
        let mut add = |ns: &str| {
            if !ns.is_empty() && !namespaces.iter().any(|n| n == ns) {
                namespaces.push(ns.to_owned());
            }
        };
        let here = |t: &&crate::model::TypeDef| t.placement == Placement::Here;
        for t in model.types.iter().filter(here) {
            if let Some(e) = &t.element {
                add(&e.ns);
            }
        }
        let mut statics: Vec<((String, String), syn::Ident)> = Vec::new();
        let mut taken = std::collections::BTreeSet::from(["XML_NAMESPACES".to_owned()]);
        for t in model.types.iter().filter(here) {
            for f in element_fields(&t.kind) {
                add(&f.0);
                if !statics.iter().any(|(k, _)| *k == f) {
                    let name = format!("TAG_{}", crate::names::snake(&f.1).to_uppercase());
                    let name = crate::names::unique(name, &mut taken);
                    statics.push((f, quote::format_ident!("{}", name)));
                }
            }
        }
        let bit = |ns: &str| {
            namespaces
                .iter()
                .take(MAX_ENTRIES)
                .position(|n| n == ns)
                .map_or(0, |i| 1u64 << i)
        };
        // Own elements, then what the types below reach, to a fixed point (types may recurse).
        let mut masks: Vec<u64> = model
            .types
            .iter()
            .map(|t| {
                if t.placement != Placement::Here {
                    return 0;
                }
                element_fields(&t.kind)
                    .iter()
                    .fold(0, |m, (ns, _)| m | bit(ns))
            })
            .collect();
        let below: Vec<Vec<TypeId>> = model
            .types
            .iter()
            .map(|t| {
                if t.placement != Placement::Here {
                    return Vec::new();
                }
                children(model, &t.kind)
            })
            .collect();
        loop {
            let mut changed = false;
            for (i, kids) in below.iter().enumerate() {
                let reach = kids
                    .iter()
                    .fold(0, |m, k| m | masks.get(k.0).copied().unwrap_or(0));
                if let Some(m) = masks.get_mut(i)
                    && *m | reach != *m
                {
                    *m |= reach;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        Self {
            namespaces,
            masks,
            statics,
        }
    }

    /// The `XML_NAMESPACES` static and one static per element name holding its tag (nothing
    /// when the module writes no element).
    pub(super) fn table(&self) -> TokenStream {
        if self.statics.is_empty() {
            return TokenStream::new();
        }
        let entries = self.namespaces.iter().enumerate().map(|(i, ns)| {
            let prefix = lit(&prefix(i));
            let ns = lit(ns);
            quote!((#prefix, #ns))
        });
        let tags = self.statics.iter().map(|((ns, local), ident)| {
            let args = self.tag_args(ns, local);
            quote!(static #ident: ::sdk_runtime::xml::Tag = ::sdk_runtime::xml::Tag::new(#args);)
        });
        quote! {
            /// The namespace prefixes this module's elements are written with.
            static XML_NAMESPACES: ::sdk_runtime::xml::NsTable =
                ::sdk_runtime::xml::NsTable::new(&[#(#entries),*]);
            #(#tags)*
        }
    }

    /// The arguments of `Tag::new` for the element `ns`/`local`.
    fn tag_args(&self, ns: &str, local: &str) -> TokenStream {
        let index = self
            .namespaces
            .iter()
            .position(|n| n == ns)
            .filter(|i| *i < MAX_ENTRIES);
        let (i, open, close) = match index {
            Some(i) => {
                let p = prefix(i);
                (i, format!("<{p}:{local}>"), format!("</{p}:{local}>"))
            }
            // Unqualified: no prefix, whatever is in effect.
            None if ns.is_empty() => (MAX_ENTRIES, format!("<{local}>"), format!("</{local}>")),
            // Past the table's width: written through the general path.
            None => (MAX_ENTRIES, String::new(), String::new()),
        };
        let (i, ns, local, open, close) = (
            Literal::usize_unsuffixed(i),
            lit(ns),
            lit(local),
            lit(&open),
            lit(&close),
        );
        quote!(&XML_NAMESPACES, #i, #ns, #local, #open, #close)
    }

    /// The tag of the element `ns`/`local`, as an expression of type `&'static Tag`.
    pub(super) fn tag(&self, ns: &str, local: &str) -> TokenStream {
        match self
            .statics
            .iter()
            .find(|((n, l), _)| n == ns && l == local)
        {
            Some((_, ident)) => quote!(&#ident),
            None => {
                // Not an element of this module's types (not emitted so): a tag only the
                // general path writes.
                let (ns, local) = (lit(ns), lit(local));
                quote!(const {
                    &::sdk_runtime::xml::Tag::new(&::sdk_runtime::xml::NsTable::EMPTY, 64, #ns, #local, "", "")
                })
            }
        }
    }

    /// What a type's `write_xml` starts with, and its `namespaces` method (nothing for a type
    /// whose content has no element of the table).
    pub(super) fn enter(&self, id: TypeId) -> (TokenStream, TokenStream) {
        let mask = self.masks.get(id.0).copied().unwrap_or(0);
        if mask == 0 || self.namespaces.is_empty() {
            return (TokenStream::new(), TokenStream::new());
        }
        let mask = Literal::u64_suffixed(mask);
        (
            quote!(w.enter(&XML_NAMESPACES, #mask);),
            quote! {
                fn namespaces(&self) -> ::std::option::Option<(&'static ::sdk_runtime::xml::NsTable, u64)> {
                    ::std::option::Option::Some((&XML_NAMESPACES, #mask))
                }
            },
        )
    }
}

fn prefix(i: usize) -> String {
    format!("ns{}", i + 1)
}

/// The (namespace, local name) of the elements a type writes itself.
fn element_fields(kind: &TypeKind) -> Vec<(String, String)> {
    let fields: &[crate::model::Field] = match kind {
        TypeKind::Struct(s) => &s.fields,
        TypeKind::Choice(c) => &c.variants,
        _ => &[],
    };
    fields
        .iter()
        .filter(|f| f.kind == FieldKind::Element)
        .map(|f| (f.wire.ns.clone(), f.wire.local.clone()))
        .collect()
}

/// The generated types whose content a type's content writes.
fn children(model: &TypeModel, kind: &TypeKind) -> Vec<TypeId> {
    let mut out = Vec::new();
    let mut add = |r: &TypeRef| {
        let mut r = r;
        loop {
            match r {
                TypeRef::Def(id) => {
                    if model
                        .get(*id)
                        .is_some_and(|t| t.placement == Placement::Here)
                    {
                        out.push(*id);
                    }
                    return;
                }
                TypeRef::Array { item, .. } => r = item,
                TypeRef::Nullable(t) => r = t,
                _ => return,
            }
        }
    };
    match kind {
        TypeKind::Struct(s) => s.fields.iter().for_each(|f| add(&f.ty)),
        TypeKind::Choice(c) => c.variants.iter().for_each(|f| add(&f.ty)),
        TypeKind::Polymorphic(p) => p.variants.iter().for_each(|v| add(&TypeRef::Def(v.ty))),
        _ => {}
    }
    out
}
