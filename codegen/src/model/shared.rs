//! Types several services of a crate share (`[[schemas]]` of `codegen.toml`).
//!
//! Services of one authority import the same schemas (P1's error types, VZP's common types);
//! generated per service, each module would have its own copy of every shared type, and a
//! value of one service's could not be handed to another's, nor hand-written code be written
//! once for both. A shared schema is generated once into a module of its own; a service model
//! then marks each type the shared module defines ([`Placement::Shared`], by XSD type or global
//! element name and the same shape) and omits what only those types reach
//! ([`Placement::Omitted`]). The model keeps every definition, so the emitter still knows each
//! type's shape.

use std::collections::{BTreeMap, BTreeSet};
use std::mem::Discriminant;

use super::{Placement, TypeId, TypeKind, TypeModel, TypeRef};
use crate::wsdl::QName;

/// The types of the shared modules, by XSD name.
#[derive(Debug, Default)]
pub struct SharedTypes {
    by_type: BTreeMap<QName, (String, Discriminant<TypeKind>)>,
    by_element: BTreeMap<QName, (String, Discriminant<TypeKind>)>,
}

impl SharedTypes {
    /// No shared types.
    pub fn new() -> Self {
        Self::default()
    }

    /// `true` when no module was added.
    pub fn is_empty(&self) -> bool {
        self.by_type.is_empty() && self.by_element.is_empty()
    }

    /// Records the types of a shared module whose `types` module is at `types_path`
    /// (`crate::generated::wyjatki::types`). A name already recorded (two shared schemas
    /// declaring it) keeps its first module.
    pub fn add_module(&mut self, model: &TypeModel, types_path: &str) {
        for t in &model.types {
            if t.placement != Placement::Here {
                continue;
            }
            let entry = (
                format!("{types_path}::{}", t.rust_name),
                std::mem::discriminant(&t.kind),
            );
            match (&t.xml_name, &t.element) {
                (Some(q), _) => {
                    self.by_type.entry(q.clone()).or_insert(entry);
                }
                (None, Some(q)) => {
                    self.by_element.entry(q.clone()).or_insert(entry);
                }
                (None, None) => {}
            }
        }
    }

    /// Marks the types of `model` a shared module defines, and omits those only they reach
    /// from `roots` (the types of the operations' messages).
    pub fn apply(&self, model: &mut TypeModel, roots: &[TypeId]) {
        if self.is_empty() {
            return;
        }
        for t in &mut model.types {
            let found = match (&t.xml_name, &t.element) {
                (Some(q), _) => self.by_type.get(q),
                (None, Some(q)) => self.by_element.get(q),
                (None, None) => None,
            };
            // The same name with another shape (a shared type the service derives from, made
            // polymorphic here): generated here.
            if let Some((path, shape)) = found
                && *shape == std::mem::discriminant(&t.kind)
            {
                t.placement = Placement::Shared(path.clone());
            }
        }
        let mut reached = BTreeSet::new();
        let mut stack: Vec<TypeId> = roots.to_vec();
        while let Some(id) = stack.pop() {
            let Some(t) = model.get(id) else { continue };
            if !reached.insert(id) || t.placement != Placement::Here {
                continue;
            }
            refs_of(&t.kind, &mut |r| collect(r, &mut stack));
        }
        for (i, t) in model.types.iter_mut().enumerate() {
            if t.placement == Placement::Here && !reached.contains(&TypeId(i)) {
                t.placement = Placement::Omitted;
            }
        }
    }
}

/// Every type reference of a shape.
fn refs_of(kind: &TypeKind, f: &mut impl FnMut(&TypeRef)) {
    match kind {
        TypeKind::Struct(s) => {
            s.fields.iter().chain(&s.text).for_each(|x| f(&x.ty));
            if let Some((_, ty)) = &s.additional {
                f(ty);
            }
        }
        TypeKind::Choice(c) => c.variants.iter().for_each(|x| f(&x.ty)),
        TypeKind::Union(u) => u.members.iter().for_each(f),
        TypeKind::List(l) => f(&l.item),
        TypeKind::Polymorphic(p) => p.variants.iter().for_each(|v| f(&TypeRef::Def(v.ty))),
        TypeKind::OneOf(o) => o.variants.iter().for_each(|v| f(&v.ty)),
        TypeKind::Alias(r) => f(r),
        TypeKind::Enum(_) | TypeKind::Restricted(_) => {}
    }
}

/// The generated types a reference names.
fn collect(r: &TypeRef, out: &mut Vec<TypeId>) {
    match r {
        TypeRef::Def(id) => out.push(*id),
        TypeRef::Array { item, .. } => collect(item, out),
        TypeRef::Map(t) | TypeRef::Nullable(t) => collect(t, out),
        TypeRef::Builtin(_)
        | TypeRef::Mapped(_)
        | TypeRef::AnyElement
        | TypeRef::Scalar(_)
        | TypeRef::AnyJson => {}
    }
}
