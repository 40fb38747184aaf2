//! Representative JSON instances of the generated types, for round-trip and schema checks.
//!
//! Per type several samples: every property present (values from formats, enums, examples and
//! bounds), only the required ones (other values, so that two samples differ even without
//! optional properties), and nullable properties as `null`; a union gives one sample per
//! alternative. Request bodies leave `readOnly` properties out, responses `writeOnly` ones.
//!
//! Some schemas admit no value at all because the spec contradicts itself: a `date` string with
//! `maxLength: 1`, a closed `allOf` part that does not declare a property another part requires,
//! a property required in requests but read-only through the schema it references. The builder
//! detects these and says why ([`JsonSample::unsatisfiable`]). Where such a value is optional
//! (an optional property, the items of an array that may be empty, a map value, one branch of a
//! union), the samples leave it out and stay valid, and one more sample puts it in to show the
//! defect; where it is required, the sample itself is marked.

use std::cell::{Cell, RefCell};

use serde_json::{Map, Value, json};

use super::JsonSample;
use crate::emit::type_text;
use crate::model::StructDef;
use crate::model::json::{Scalar, ScalarKind, Unsatisfiable};
use crate::model::rest::{Body, ResponseBody};
use crate::model::{
    ErrorMatch, OperationBinding, Protocol, ServiceModel, TypeDef, TypeKind, TypeModel, TypeRef,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every property.
    Full,
    /// Required properties only.
    Minimal,
    /// Every property, nullable ones as `null`.
    Nulls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Component schemas: no direction.
    Plain,
    /// Request bodies: no `readOnly` properties.
    Write,
    /// Response bodies: no `writeOnly` properties.
    Read,
}

const MAX_DEPTH: usize = 6;

pub fn all(service: &ServiceModel) -> Vec<JsonSample> {
    let model = &service.types;
    let mut out = Vec::new();
    let mut add = |label: String, ty: &TypeRef, pointer: &str, dir: Direction| {
        for (i, (value, unsatisfiable)) in samples(model, ty, dir).into_iter().enumerate() {
            out.push(JsonSample {
                label: format!("{label} #{}", i + 1),
                rust_type: type_text(model, ty),
                schema_pointer: pointer.to_owned(),
                value,
                unsatisfiable,
            });
        }
    };
    if let Protocol::Rest(r) = &service.protocol {
        for (name, id) in &r.components {
            let Some(pointer) = model.get(*id).and_then(|d| d.pointer.as_deref()) else {
                continue;
            };
            add(
                format!("schema {name}"),
                &TypeRef::Def(*id),
                pointer,
                Direction::Plain,
            );
        }
    }
    for op in &service.operations {
        let OperationBinding::Rest(r) = &op.binding else {
            continue;
        };
        if let Some(Body::Json {
            ty,
            pointer: Some(pointer),
            ..
        }) = &r.body
        {
            add(
                format!("{}.request", op.name),
                ty,
                pointer,
                Direction::Write,
            );
        }
        // Success responses, then error statuses, each once (a `default` that also describes
        // success is one response).
        let errors = op.errors.iter().filter_map(|e| match &e.matcher {
            ErrorMatch::Status { code, body } => Some((*code, body)),
            ErrorMatch::Fault(_) => None,
        });
        let mut seen: Vec<&str> = Vec::new();
        for (code, body) in r.responses.iter().map(|r| (r.code, &r.body)).chain(errors) {
            if let ResponseBody::Json {
                ty,
                pointer: Some(pointer),
            } = body
            {
                if seen.contains(&pointer.as_str()) {
                    continue;
                }
                seen.push(pointer);
                add(
                    format!("{}.response.{}", op.name, code.label()),
                    ty,
                    pointer,
                    Direction::Read,
                );
            }
        }
    }
    out
}

/// Why a value cannot be valid, and where.
#[derive(Debug, Clone)]
struct Defect {
    /// `Type.property` (set by the innermost object around the value).
    at: Option<String>,
    why: String,
    /// The properties concerned (set with `at` when empty).
    properties: Vec<String>,
}

struct Gen<'a> {
    model: &'a TypeModel,
    dir: Direction,
    /// Put impossible values in even where they could be left out.
    keep_impossible: bool,
    /// Why the value being built is invalid.
    defects: RefCell<Vec<Defect>>,
    /// Whether an impossible optional value was left out.
    dropped: Cell<bool>,
}

/// What one sample is.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Branch `usize` of a union.
    Branch(Mode, usize),
    /// A value varied by `usize`.
    Plain(Mode, usize),
}

/// The discriminator property and tag a subtype must carry: the first tag that selects `ty`
/// in a discriminated union (a subtype of a base with `discriminator` + `mapping`, whose
/// instances a validator sends through the base's mapping to the subtype).
fn subtype_tag<'m>(model: &'m TypeModel, ty: &TypeRef) -> Option<(&'m str, &'m str)> {
    model.types.iter().find_map(|d| match &d.kind {
        TypeKind::OneOf(o) => {
            let disc = o.discriminator.as_ref()?;
            o.variants
                .iter()
                .find(|v| &v.ty == ty)
                .and_then(|v| v.tags.first())
                .map(|t| (disc.property.as_str(), t.as_str()))
        }
        _ => None,
    })
}

/// The samples of `ty`, each with the reason it cannot be valid (if so).
/// A value of `ty` as a request writes it: the first sample that satisfies its schema, or,
/// where the spec admits none (see [`Unsatisfiable`]), the first the generated types take.
pub(crate) fn write_sample(model: &TypeModel, ty: &TypeRef) -> Option<Value> {
    let all = samples(model, ty, Direction::Write);
    let valid = all.iter().position(|(_, u)| u.is_none()).unwrap_or(0);
    all.into_iter().nth(valid).map(|(v, _)| v)
}

fn samples(model: &TypeModel, ty: &TypeRef, dir: Direction) -> Vec<(Value, Option<Unsatisfiable>)> {
    let tag = subtype_tag(model, ty);
    let probe = Gen::new(model, dir, false);
    let shapes: Vec<Shape> = match probe.def_kind(ty) {
        Some(TypeKind::OneOf(o)) => (0..o.variants.len())
            .map(|i| Shape::Branch(Mode::Full, i))
            .chain([
                Shape::Branch(Mode::Minimal, 1),
                Shape::Branch(Mode::Nulls, 0),
            ])
            .collect(),
        _ => vec![
            Shape::Plain(Mode::Full, 0),
            Shape::Plain(Mode::Minimal, 1),
            Shape::Plain(Mode::Nulls, 0),
        ],
    };
    let mut out: Vec<(Value, Option<Unsatisfiable>)> = Vec::new();
    let mut push = |v: Option<(Value, Option<Unsatisfiable>)>| {
        if let Some(v) = v
            && !out.iter().any(|(x, _)| *x == v.0)
        {
            out.push(v);
        }
    };
    for shape in shapes {
        let g = Gen::new(model, dir, false);
        push(overlap(model, ty, shape, g.build(ty, shape, tag)));
        if g.dropped.get() {
            push(overlap(
                model,
                ty,
                shape,
                Gen::new(model, dir, true).build(ty, shape, tag),
            ));
        }
    }
    out
}

/// A branch sample of a `oneOf` without discriminator whose branch is contained in another
/// (every value of it is valid under the other too, so no value can match exactly one): the
/// spec admits no instance there, and the sample says so. HMRC's "def1"/"def2" tax-year
/// variants are such: the later year's schema is the earlier one minus a property.
fn overlap(
    model: &TypeModel,
    ty: &TypeRef,
    shape: Shape,
    built: Option<(Value, Option<Unsatisfiable>)>,
) -> Option<(Value, Option<Unsatisfiable>)> {
    let (value, unsatisfiable) = built?;
    let Shape::Branch(_, i) = shape else {
        return Some((value, unsatisfiable));
    };
    let Some(TypeKind::OneOf(o)) = resolved_kind(model, ty) else {
        return Some((value, unsatisfiable));
    };
    if o.discriminator.is_some() || o.variants.is_empty() {
        return Some((value, unsatisfiable));
    }
    let n = o.variants.len();
    let Some(mine) = o.variants.get(i % n) else {
        return Some((value, unsatisfiable));
    };
    let ambiguous = o
        .variants
        .iter()
        .enumerate()
        .any(|(j, other)| j != i % n && fits(model, &value, &other.ty, 0));
    if !ambiguous {
        return Some((value, unsatisfiable));
    }
    let wider = o
        .variants
        .iter()
        .enumerate()
        .find(|(j, other)| *j != i % n && subsumes(model, &other.ty, &mine.ty, 0));
    match wider {
        // A smaller value of a branch that is not contained in another may still match both
        // (`{}` when both are all-optional): not an instance of the union, and the branch's
        // full sample stands for it.
        None if !matches!(shape, Shape::Branch(Mode::Full, _)) => None,
        Some((_, other)) if unsatisfiable.is_none() => Some((
            value,
            Some(Unsatisfiable {
                reason: format!(
                    "`oneOf` alternative `{}` is contained in alternative `{}`: every value of the first is valid under the second too, and `oneOf` needs exactly one to match",
                    mine.rust, other.rust
                ),
                properties: Vec::new(),
            }),
        )),
        _ => Some((value, unsatisfiable)),
    }
}

/// Whether `value` is valid for `ty` as far as the model tells (types, required and closed
/// properties, enumerations, patterns and lengths of strings, item counts).
fn fits(model: &TypeModel, value: &Value, ty: &TypeRef, depth: usize) -> bool {
    if depth > 32 {
        return true;
    }
    let d = depth + 1;
    match ty {
        TypeRef::AnyJson => true,
        TypeRef::Nullable(t) => value.is_null() || fits(model, value, t, d),
        TypeRef::Scalar(sc) => {
            let kind = match sc.kind {
                ScalarKind::String => value.is_string(),
                ScalarKind::I32 | ScalarKind::I64 => value.is_i64() || value.is_u64(),
                ScalarKind::F64 | ScalarKind::Decimal => value.is_number(),
                ScalarKind::Bool => value.is_boolean(),
            };
            let listed = sc.enumeration.is_empty() || sc.enumeration.contains(value);
            let text = value.as_str().is_none_or(|t| {
                let n = t.chars().count();
                sc.min_length.is_none_or(|m| n >= m)
                    && sc.max_length.is_none_or(|m| n <= m)
                    && sc
                        .pattern
                        .as_deref()
                        .is_none_or(|p| crate::pattern::matches(p, t))
            });
            kind && listed && text
        }
        TypeRef::Array {
            item,
            min_items,
            max_items,
        } => value.as_array().is_some_and(|a| {
            min_items.is_none_or(|m| a.len() >= m)
                && max_items.is_none_or(|m| a.len() <= m)
                && a.iter().all(|x| fits(model, x, item, d))
        }),
        TypeRef::Map(t) => value
            .as_object()
            .is_some_and(|m| m.values().all(|x| fits(model, x, t, d))),
        TypeRef::Def(id) => match model.get(*id).map(|x| &x.kind) {
            Some(TypeKind::Alias(t)) => fits(model, value, t, d),
            Some(TypeKind::Enum(e)) => value
                .as_str()
                .is_some_and(|v| e.values.iter().any(|w| w.value == v)),
            Some(TypeKind::OneOf(o)) => o.variants.iter().any(|v| fits(model, value, &v.ty, d)),
            Some(TypeKind::Struct(st)) => {
                let Some(m) = value.as_object() else {
                    return false;
                };
                st.fields
                    .iter()
                    .filter(|f| f.min > 0)
                    .all(|f| m.contains_key(&f.wire.local))
                    && m.iter().all(
                        |(k, x)| match st.fields.iter().find(|f| &f.wire.local == k) {
                            Some(f) => (f.nillable && x.is_null()) || fits(model, x, &f.ty, d),
                            None => match &st.additional {
                                Some((_, t)) => fits(model, x, t, d),
                                None => !st.closed,
                            },
                        },
                    )
            }
            _ => true,
        },
        _ => true,
    }
}

fn resolved_kind<'m>(model: &'m TypeModel, ty: &TypeRef) -> Option<&'m TypeKind> {
    match ty {
        TypeRef::Def(id) => match model.get(*id).map(|d| &d.kind) {
            Some(TypeKind::Alias(t)) => resolved_kind(model, t),
            other => other,
        },
        _ => None,
    }
}

/// Whether every JSON value valid for `inner` is valid for `outer` too. Conservative: `false`
/// whenever unsure (recursion deeper than a few levels, facets it does not compare).
fn subsumes(model: &TypeModel, outer: &TypeRef, inner: &TypeRef, depth: usize) -> bool {
    if outer == inner {
        return true;
    }
    if depth > 12 {
        return false;
    }
    let d = depth + 1;
    let alias = |t: &TypeRef| match t {
        TypeRef::Def(id) => match model.get(*id).map(|x| &x.kind) {
            Some(TypeKind::Alias(a)) => Some(a.clone()),
            _ => None,
        },
        _ => None,
    };
    if let Some(a) = alias(outer) {
        return subsumes(model, &a, inner, d);
    }
    if let Some(a) = alias(inner) {
        return subsumes(model, outer, &a, d);
    }
    match (outer, inner) {
        (TypeRef::AnyJson, _) => true,
        (TypeRef::Nullable(o), TypeRef::Nullable(i)) => subsumes(model, o, i, d),
        (TypeRef::Nullable(o), i) => subsumes(model, o, i, d),
        (
            TypeRef::Array {
                item: o,
                min_items: omin,
                max_items: omax,
            },
            TypeRef::Array {
                item: i,
                min_items: imin,
                max_items: imax,
            },
        ) => {
            omin.unwrap_or(0) <= imin.unwrap_or(0)
                && omax.is_none_or(|o| imax.is_some_and(|i| i <= o))
                && subsumes(model, o, i, d)
        }
        (TypeRef::Map(o), TypeRef::Map(i)) => subsumes(model, o, i, d),
        (TypeRef::Scalar(o), TypeRef::Scalar(i)) => scalar_subsumes(o, i),
        (TypeRef::Def(o), TypeRef::Def(i)) => {
            let (Some(o), Some(i)) = (model.get(*o), model.get(*i)) else {
                return false;
            };
            match (&o.kind, &i.kind) {
                (TypeKind::Struct(o), TypeKind::Struct(i)) => struct_subsumes(model, o, i, d),
                (TypeKind::Enum(o), TypeKind::Enum(i)) => i
                    .values
                    .iter()
                    .all(|v| o.values.iter().any(|w| w.value == v.value)),
                (TypeKind::OneOf(o), _) => {
                    o.variants.iter().any(|v| subsumes(model, &v.ty, inner, d))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

fn scalar_subsumes(o: &Scalar, i: &Scalar) -> bool {
    let kind = o.kind == i.kind
        || (matches!(o.kind, ScalarKind::F64 | ScalarKind::Decimal)
            && matches!(i.kind, ScalarKind::I32 | ScalarKind::I64))
        || (o.kind == ScalarKind::I64 && i.kind == ScalarKind::I32);
    let looser = |a: Option<f64>, b: Option<f64>, le: bool| match (a, b) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => {
            if le {
                a <= b
            } else {
                a >= b
            }
        }
    };
    kind && o
        .format
        .as_ref()
        .is_none_or(|f| i.format.as_ref() == Some(f))
        && o.pattern
            .as_ref()
            .is_none_or(|p| i.pattern.as_ref() == Some(p))
        && o.min_length
            .is_none_or(|m| i.min_length.is_some_and(|n| n >= m))
        && o.max_length
            .is_none_or(|m| i.max_length.is_some_and(|n| n <= m))
        && looser(o.minimum, i.minimum, true)
        && looser(o.maximum, i.maximum, false)
        && (!o.exclusive_minimum || i.exclusive_minimum)
        && (!o.exclusive_maximum || i.exclusive_maximum)
        && (o.enumeration.is_empty()
            || (!i.enumeration.is_empty()
                && i.enumeration.iter().all(|v| o.enumeration.contains(v))))
}

/// Struct `outer` accepts every object struct `inner` accepts.
fn struct_subsumes(model: &TypeModel, o: &StructDef, i: &StructDef, depth: usize) -> bool {
    if o.unsatisfiable.is_some() {
        return false;
    }
    // An open inner admits properties a closed outer refuses.
    let inner_open = !i.closed;
    if o.closed && (inner_open || i.additional.is_some()) {
        return false;
    }
    // An open inner admits any value under a name it does not declare: a name the outer
    // declares must then accept any value too.
    let extras_accepted = o
        .fields
        .iter()
        .filter(|f| !i.fields.iter().any(|g| g.wire == f.wire))
        .all(|f| match &i.additional {
            Some((_, t)) => subsumes(model, &f.ty, t, depth),
            None => i.closed || f.ty == TypeRef::AnyJson,
        });
    let required_kept = extras_accepted
        && o.fields
            .iter()
            .filter(|f| f.min > 0)
            .all(|f| i.fields.iter().any(|g| g.wire == f.wire && g.min > 0));
    required_kept
        && i.fields
            .iter()
            .all(|g| match o.fields.iter().find(|f| f.wire == g.wire) {
                Some(f) => {
                    (f.nillable || !g.nillable)
                        && f.access == g.access
                        && subsumes(model, &f.ty, &g.ty, depth)
                }
                None => match &o.additional {
                    Some((_, t)) => subsumes(model, t, &g.ty, depth),
                    None => !o.closed,
                },
            })
        && match (&o.additional, &i.additional) {
            (_, None) => true,
            (Some((_, ot)), Some((_, it))) => subsumes(model, ot, it, depth),
            (None, Some(_)) => !o.closed,
        }
}

impl<'a> Gen<'a> {
    fn new(model: &'a TypeModel, dir: Direction, keep_impossible: bool) -> Self {
        Self {
            model,
            dir,
            keep_impossible,
            defects: RefCell::new(Vec::new()),
            dropped: Cell::new(false),
        }
    }

    /// One sample and, when it cannot be valid, why.
    fn build(
        &self,
        ty: &TypeRef,
        shape: Shape,
        tag: Option<(&str, &str)>,
    ) -> Option<(Value, Option<Unsatisfiable>)> {
        let v = match shape {
            Shape::Branch(mode, i) => self.union(ty, mode, i, 0),
            Shape::Plain(mode, i) => self.value(ty, mode, i, 0, tag),
        }?;
        let mut reasons: Vec<String> = Vec::new();
        let mut properties: Vec<String> = Vec::new();
        for d in self.defects.borrow().iter() {
            let text = match &d.at {
                Some(at) => format!("`{at}`: {}", d.why),
                None => d.why.clone(),
            };
            if !reasons.contains(&text) {
                reasons.push(text);
            }
            for p in &d.properties {
                if !properties.contains(p) {
                    properties.push(p.clone());
                }
            }
        }
        let unsatisfiable = (!reasons.is_empty()).then(|| Unsatisfiable {
            reason: reasons.join("; "),
            properties,
        });
        Some((v, unsatisfiable))
    }

    fn defect(&self, at: Option<String>, why: String, properties: Vec<String>) {
        self.defects.borrow_mut().push(Defect {
            at,
            why,
            properties,
        });
    }

    /// Places the defects since `mark` that have no place yet at property `wire` of `name`.
    fn place_since(&self, mark: usize, name: &str, wire: &str) {
        for d in self.defects.borrow_mut().iter_mut().skip(mark) {
            if d.at.is_none() {
                d.at = Some(format!("{name}.{wire}"));
                if d.properties.is_empty() {
                    d.properties.push(wire.to_owned());
                }
            }
        }
    }

    fn mark(&self) -> usize {
        self.defects.borrow().len()
    }

    /// Whether defects were found since `mark`.
    fn impossible_since(&self, mark: usize) -> bool {
        self.defects.borrow().len() > mark
    }

    /// Forgets the defects since `mark`: the impossible value is left out.
    fn drop_since(&self, mark: usize) {
        self.defects.borrow_mut().truncate(mark);
        self.dropped.set(true);
    }

    fn def_kind(&self, ty: &TypeRef) -> Option<&TypeKind> {
        match ty {
            TypeRef::Def(id) => match self.model.get(*id).map(|d| &d.kind) {
                Some(TypeKind::Alias(t)) => self.def_kind(t),
                other => other,
            },
            _ => None,
        }
    }

    /// Alternative `branch` of the union `ty`.
    fn union(&self, ty: &TypeRef, mode: Mode, branch: usize, depth: usize) -> Option<Value> {
        let Some(TypeKind::OneOf(o)) = self.def_kind(ty) else {
            return self.value(ty, mode, branch, depth, None);
        };
        if o.variants.is_empty() {
            return Some(json!({}));
        }
        let v = o.variants.get(branch % o.variants.len())?;
        let tag = match (&o.discriminator, v.tags.first()) {
            (Some(d), Some(t)) => Some((d.property.as_str(), t.as_str())),
            _ => None,
        };
        self.value(&v.ty, mode, branch, depth + 1, tag)
    }

    /// A value of the union `ty` inside another value: branch `variant`, or the next possible
    /// one when that branch admits no value.
    fn nested_union(
        &self,
        ty: &TypeRef,
        mode: Mode,
        variant: usize,
        depth: usize,
    ) -> Option<Value> {
        let mark = self.mark();
        let first = self.union(ty, mode, variant, depth);
        if self.keep_impossible || !self.impossible_since(mark) {
            return first;
        }
        let n = match self.def_kind(ty) {
            Some(TypeKind::OneOf(o)) => o.variants.len(),
            _ => 0,
        };
        let defects = self.defects.borrow()[mark..].to_vec();
        for other in 1..n {
            self.defects.borrow_mut().truncate(mark);
            let v = self.union(ty, mode, variant + other, depth);
            if !self.impossible_since(mark) {
                self.dropped.set(true);
                return v;
            }
        }
        // No branch admits a value: the first one, with its defects.
        let mut all = self.defects.borrow_mut();
        all.truncate(mark);
        all.extend(defects);
        first
    }

    /// A value of `ty`; `variant` varies scalars; `tag` forces a discriminator property.
    fn value(
        &self,
        ty: &TypeRef,
        mode: Mode,
        variant: usize,
        depth: usize,
        tag: Option<(&str, &str)>,
    ) -> Option<Value> {
        match ty {
            TypeRef::Scalar(s) => {
                if let Some(why) = unsatisfiable_scalar(s) {
                    self.defect(None, why, Vec::new());
                }
                Some(scalar(s, variant))
            }
            TypeRef::AnyJson | TypeRef::Builtin(_) | TypeRef::Mapped(_) | TypeRef::AnyElement => {
                Some(json!("any value"))
            }
            TypeRef::Nullable(t) => {
                if mode == Mode::Nulls {
                    Some(Value::Null)
                } else {
                    self.value(t, mode, variant, depth, None)
                }
            }
            TypeRef::Array {
                item,
                min_items,
                max_items,
            } => {
                let min = min_items.unwrap_or(0);
                if let Some(max) = max_items
                    && min > *max
                {
                    self.defect(
                        None,
                        format!("minItems {min} exceeds maxItems {max}"),
                        Vec::new(),
                    );
                }
                let mut n = if mode == Mode::Minimal || depth >= MAX_DEPTH {
                    min
                } else {
                    min.max(1)
                };
                if let Some(max) = max_items {
                    n = n.min(*max);
                }
                let mark = self.mark();
                let mut items = Vec::new();
                for i in 0..n {
                    items.push(self.value(item, mode, variant + i, depth + 1, None)?);
                }
                if min == 0 && !self.keep_impossible && self.impossible_since(mark) {
                    self.drop_since(mark);
                    items.clear();
                }
                Some(Value::Array(items))
            }
            TypeRef::Map(v) => {
                if mode == Mode::Minimal || depth >= MAX_DEPTH {
                    Some(json!({}))
                } else {
                    let mark = self.mark();
                    let mut m = Map::new();
                    m.insert(
                        "key1".into(),
                        self.value(v, mode, variant, depth + 1, None)?,
                    );
                    if !self.keep_impossible && self.impossible_since(mark) {
                        self.drop_since(mark);
                        m.clear();
                    }
                    Some(Value::Object(m))
                }
            }
            TypeRef::Def(id) => {
                let def = self.model.get(*id)?;
                match &def.kind {
                    TypeKind::Alias(t) => self.value(t, mode, variant, depth, tag),
                    TypeKind::Enum(e) => {
                        Some(match e.values.get(variant % e.values.len().max(1)) {
                            Some(v) => Value::String(v.value.clone()),
                            None => json!("unlisted value"),
                        })
                    }
                    TypeKind::OneOf(_) => self.nested_union(ty, mode, variant, depth),
                    TypeKind::Struct(s) => {
                        let name = spec_name(def);
                        if let Some(u) = &s.unsatisfiable {
                            self.defect(Some(name.clone()), u.reason.clone(), u.properties.clone());
                        }
                        let mut m = Map::new();
                        for f in &s.fields {
                            let wire = &f.wire.local;
                            let required = f.min > 0;
                            let nullable = f.nillable;
                            let a = f.access;
                            let at = || Some(format!("{name}.{wire}"));
                            if (self.dir == Direction::Write && a.read_only)
                                || (self.dir == Direction::Read && a.write_only)
                            {
                                // OpenAPI 3.0 waives `required` in the other direction only
                                // for a property marked readOnly/writeOnly itself.
                                if required
                                    && self.dir == Direction::Write
                                    && a.read_only_by_reference
                                {
                                    self.defect(at(), "required, and read-only through the schema it references: a request must leave it out (readOnly) but cannot (`required` is waived only for a property marked readOnly itself)".into(), vec![wire.clone()]);
                                }
                                if required
                                    && self.dir == Direction::Read
                                    && a.write_only_by_reference
                                {
                                    self.defect(at(), "required, and write-only through the schema it references: a response must leave it out (writeOnly) but cannot (`required` is waived only for a property marked writeOnly itself)".into(), vec![wire.clone()]);
                                }
                                continue;
                            }
                            if let Some((prop, t)) = tag
                                && prop == wire
                            {
                                m.insert(wire.clone(), Value::String(t.to_owned()));
                                continue;
                            }
                            // OpenAPI 3.0: a required read-only property is required in
                            // responses only, a write-only one in requests only.
                            let read_only = a.read_only && !a.read_only_by_reference;
                            let write_only = a.write_only && !a.write_only_by_reference;
                            let needed = required
                                && match self.dir {
                                    Direction::Plain => !read_only && !write_only,
                                    Direction::Read => !write_only,
                                    Direction::Write => !read_only,
                                };
                            let present = needed
                                || (depth < MAX_DEPTH
                                    && match mode {
                                        Mode::Full => true,
                                        Mode::Minimal => false,
                                        Mode::Nulls => nullable,
                                    });
                            if !present {
                                continue;
                            }
                            let mark = self.mark();
                            let value = if mode == Mode::Nulls && nullable {
                                Some(Value::Null)
                            } else {
                                self.value(&f.ty, mode, variant, depth + 1, None)
                            };
                            if self.impossible_since(mark) {
                                if !needed && !self.keep_impossible {
                                    self.drop_since(mark);
                                    continue;
                                }
                                self.place_since(mark, &name, wire);
                            }
                            match value {
                                Some(v) => {
                                    m.insert(wire.clone(), v);
                                }
                                None if needed => return None,
                                None => {}
                            }
                        }
                        if let Some((prop, t)) = tag
                            && !m.contains_key(prop)
                        {
                            m.insert(prop.to_owned(), Value::String(t.to_owned()));
                        }
                        if let Some((_, t)) = &s.additional
                            && mode == Mode::Full
                            && depth < MAX_DEPTH
                        {
                            let key = (1..)
                                .map(|i| format!("extra{i}"))
                                .find(|k| !m.contains_key(k))
                                .unwrap_or_default();
                            let mark = self.mark();
                            let v = self.value(t, mode, variant, depth + 1, None);
                            if self.impossible_since(mark) && !self.keep_impossible {
                                self.drop_since(mark);
                            } else if let Some(v) = v {
                                self.place_since(mark, &name, &key);
                                m.insert(key, v);
                            }
                        }
                        Some(Value::Object(m))
                    }
                    // XML-only shapes never occur in a JSON model.
                    _ => Some(json!("any value")),
                }
            }
        }
    }
}

/// The schema's name in the spec (the last token of its pointer), or the Rust name of an
/// inline type.
fn spec_name(def: &TypeDef) -> String {
    def.pointer
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .map_or_else(
            || def.rust_name.clone(),
            |t| t.replace("~1", "/").replace("~0", "~"),
        )
}

/// Character counts of the values of a string format a validator checks: (min, max).
fn format_lengths(format: &str) -> Option<(usize, Option<usize>)> {
    Some(match format {
        // RFC 3339 full-date: `2024-01-31`.
        "date" => (10, Some(10)),
        // RFC 3339 date-time: at least `2024-01-31T12:34:56Z`.
        "date-time" => (20, None),
        // `3f2c1b9e-8a4d-4c6e-9f1a-2b3c4d5e6f70`.
        "uuid" => (36, Some(36)),
        // `0.0.0.0` to `255.255.255.255`.
        "ipv4" => (7, Some(15)),
        // `::` to a full address with an embedded IPv4 one.
        "ipv6" => (2, Some(45)),
        _ => return None,
    })
}

/// Why no value satisfies the scalar's own facets, if none does.
pub(crate) fn unsatisfiable_scalar(s: &Scalar) -> Option<String> {
    match s.kind {
        ScalarKind::String => {
            let min = s.min_length.unwrap_or(0);
            let max = s.max_length;
            if let Some(max) = max
                && min > max
            {
                return Some(format!("minLength {min} exceeds maxLength {max}"));
            }
            let format = s.format.as_deref().unwrap_or("");
            if let Some((lo, hi)) = format_lengths(format) {
                let fits = hi.is_none_or(|hi| hi >= min) && max.is_none_or(|max| max >= lo);
                if !fits {
                    let values = match hi {
                        Some(hi) if hi == lo => format!("{lo} characters long"),
                        Some(hi) => format!("{lo} to {hi} characters long"),
                        None => format!("at least {lo} characters long"),
                    };
                    let facets = match (s.min_length, max) {
                        (Some(a), Some(b)) => format!("minLength {a}, maxLength {b}"),
                        (Some(a), None) => format!("minLength is {a}"),
                        (None, Some(b)) => format!("maxLength is {b}"),
                        (None, None) => String::new(),
                    };
                    return Some(format!(
                        "`format: {format}` values are {values}, but {facets}"
                    ));
                }
            }
            if format == "byte" && max.is_some_and(|max| (min..=max).all(|n| n % 4 != 0)) {
                return Some(format!(
                    "base64 (`format: byte`) text has a length divisible by 4, but the length must be {min} to {}",
                    max.unwrap_or(min)
                ));
            }
            None
        }
        ScalarKind::I32 | ScalarKind::I64 => {
            let (Some(lo), Some(hi)) = (s.minimum, s.maximum) else {
                return None;
            };
            let mut first = lo.ceil();
            if s.exclusive_minimum && first == lo {
                first += 1.0;
            }
            let mut last = hi.floor();
            if s.exclusive_maximum && last == hi {
                last -= 1.0;
            }
            (first > last).then(|| {
                format!(
                    "no integer lies between minimum {lo} and maximum {hi}{}",
                    exclusive_note(s)
                )
            })
        }
        ScalarKind::F64 | ScalarKind::Decimal => {
            let (Some(lo), Some(hi)) = (s.minimum, s.maximum) else {
                return None;
            };
            (lo > hi || (lo == hi && (s.exclusive_minimum || s.exclusive_maximum))).then(|| {
                format!(
                    "no number lies between minimum {lo} and maximum {hi}{}",
                    exclusive_note(s)
                )
            })
        }
        ScalarKind::Bool => None,
    }
}

fn exclusive_note(s: &Scalar) -> &'static str {
    match (s.exclusive_minimum, s.exclusive_maximum) {
        (true, true) => " (both exclusive)",
        (true, false) => " (minimum exclusive)",
        (false, true) => " (maximum exclusive)",
        (false, false) => "",
    }
}

fn scalar(s: &Scalar, variant: usize) -> Value {
    if !s.enumeration.is_empty() {
        return s.enumeration[variant % s.enumeration.len()].clone();
    }
    match s.kind {
        ScalarKind::Bool => Value::Bool(variant.is_multiple_of(2)),
        ScalarKind::I32 | ScalarKind::I64 => {
            let mut lo = s.minimum.map_or(1, |m| m.ceil() as i64);
            if s.exclusive_minimum && s.minimum.is_some_and(|m| m.ceil() as i64 == lo) {
                lo += 1;
            }
            let mut hi = s.maximum.map_or(i64::MAX, |m| m.floor() as i64);
            if s.exclusive_maximum && s.maximum.is_some_and(|m| m.floor() as i64 == hi) {
                hi -= 1;
            }
            let v = lo.saturating_add(variant as i64 % 3);
            let v = if v > hi { lo } else { v };
            Value::from(match s.multiple_of.map(|m| m as i64).filter(|m| *m > 1) {
                Some(m) => v.div_euclid(m).saturating_add(1).saturating_mul(m),
                None => v,
            })
        }
        ScalarKind::F64 | ScalarKind::Decimal => {
            let base = s.minimum.unwrap_or(0.0) + 1.5 + variant as f64;
            let v = match s.maximum {
                Some(max) if base >= max => {
                    let lo = s.minimum.unwrap_or(max - 1.0);
                    (lo + max) / 2.0
                }
                _ => base,
            };
            Value::from(match s.multiple_of {
                // The nearest multiple of the step, rounded to the step's decimals.
                Some(m) => {
                    let decimals = m.to_string().split_once('.').map_or(0, |(_, f)| f.len());
                    let c = (v / m).round() * m;
                    format!("{c:.decimals$}").parse().unwrap_or(v)
                }
                None => v,
            })
        }
        ScalarKind::String => Value::String(string(s, variant)),
    }
}

fn string(s: &Scalar, variant: usize) -> String {
    let min = s.min_length.unwrap_or(0);
    let max = s.max_length.unwrap_or(usize::MAX);
    // Lengths and the pattern are checked on every candidate: a value from the format or the
    // spec's example that breaks them would be our sample's fault, not the generated code's.
    let fits = |v: &str| {
        let n = v.chars().count();
        n >= min
            && n <= max
            && s.pattern
                .as_deref()
                .is_none_or(|p| crate::pattern::matches(p, v))
    };
    let by_format = match s.format.as_deref() {
        Some("date") => Some(["2024-01-31", "2023-12-01"][variant % 2].to_owned()),
        Some("date-time") => {
            Some(["2024-01-31T12:34:56Z", "2023-12-01T08:00:00+01:00"][variant % 2].to_owned())
        }
        Some("uuid") => Some(
            [
                "3f2c1b9e-8a4d-4c6e-9f1a-2b3c4d5e6f70",
                "0b6e2c4a-1d3f-4a5b-8c7d-9e0f1a2b3c4d",
            ][variant % 2]
                .to_owned(),
        ),
        Some("uri" | "url") => Some(format!("https://example.org/resource/{}", variant + 1)),
        Some("email") => Some(format!("user{}@example.org", variant + 1)),
        Some("byte") => Some(["aGVsbG8=", "d29ybGQ="][variant % 2].to_owned()),
        Some("ipv4") => Some(format!("192.0.2.{}", variant + 1)),
        Some("ipv6") => Some("2001:db8::1".to_owned()),
        Some("hostname") => Some("host.example.org".to_owned()),
        _ => None,
    };
    if let Some(v) = by_format
        && fits(&v)
    {
        return v;
    }
    if let Some(Value::String(e)) = &s.example
        && fits(e)
    {
        return e.clone();
    }
    if let Some(p) = &s.pattern {
        // The pattern's alternatives from `variant` on, the first whose value also has the
        // format (a pattern admitting `yyyy-mm-ddTHH:MM:SS` without a zone beside
        // `format: date-time`).
        let mut first = None;
        for k in 0..8 {
            let Some(v) = crate::pattern::matching(std::slice::from_ref(p), min, max, variant + k)
            else {
                break;
            };
            if s.format.as_deref().is_none_or(|f| has_format(f, &v)) {
                return v;
            }
            first.get_or_insert(v);
        }
        if let Some(v) = first {
            return v;
        }
    }
    let mut text = if variant.is_multiple_of(2) {
        "sample".to_owned()
    } else {
        "other".to_owned()
    };
    while text.chars().count() < min {
        text.push('x');
    }
    text.chars().take(max.max(min)).collect()
}

/// Whether `v` is of `format`, for the formats validators check (others: yes).
fn has_format(format: &str, v: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date = |d: &str| {
        let p: Vec<&str> = d.split('-').collect();
        matches!(p.as_slice(), [y, m, dd] if digits(y, 4) && digits(m, 2) && digits(dd, 2))
    };
    match format {
        "date" => date(v),
        "date-time" => {
            let Some((d, t)) = v.split_once(['T', 't']) else {
                return false;
            };
            let zoned = t.ends_with(['Z', 'z'])
                || (t.len() > 6 && matches!(t.as_bytes().get(t.len() - 6), Some(b'+' | b'-')));
            date(d) && zoned && t.len() >= 9
        }
        "email" => v.contains('@'),
        "uuid" => v.len() == 36 && v.chars().filter(|c| *c == '-').count() == 4,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use serde_json::json;

    use super::*;

    fn spec(schemas: Value, paths: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas}
        })
    }

    fn samples_of(doc: &Value) -> Vec<JsonSample> {
        super::super::generate_from_value(doc, "t.yaml")
            .unwrap()
            .samples
    }

    fn labelled<'a>(all: &'a [JsonSample], prefix: &str) -> Vec<&'a JsonSample> {
        all.iter().filter(|s| s.label.starts_with(prefix)).collect()
    }

    fn string(format: Option<&str>, min: Option<usize>, max: Option<usize>) -> Scalar {
        Scalar {
            kind: ScalarKind::String,
            format: format.map(str::to_owned),
            min_length: min,
            max_length: max,
            ..Scalar::default()
        }
    }

    fn number(kind: ScalarKind, lo: f64, hi: f64, excl: (bool, bool)) -> Scalar {
        Scalar {
            kind,
            minimum: Some(lo),
            maximum: Some(hi),
            exclusive_minimum: excl.0,
            exclusive_maximum: excl.1,
            ..Scalar::default()
        }
    }

    #[test]
    fn scalar_facets_that_admit_no_value_are_named() {
        let why = unsatisfiable_scalar(&string(Some("date"), None, Some(1))).unwrap();
        assert_eq!(
            why,
            "`format: date` values are 10 characters long, but maxLength is 1"
        );
        assert!(
            unsatisfiable_scalar(&string(Some("date-time"), None, Some(19)))
                .unwrap()
                .contains("at least 20")
        );
        assert!(
            unsatisfiable_scalar(&string(Some("uuid"), Some(40), None))
                .unwrap()
                .contains("minLength is 40")
        );
        assert!(
            unsatisfiable_scalar(&string(None, Some(5), Some(4)))
                .unwrap()
                .contains("minLength 5 exceeds maxLength 4")
        );
        assert!(unsatisfiable_scalar(&string(Some("byte"), Some(1), Some(3))).is_some());
        let int = |lo, hi, excl| unsatisfiable_scalar(&number(ScalarKind::I64, lo, hi, excl));
        assert!(int(1.2, 1.8, (false, false)).is_some());
        assert!(int(1.0, 2.0, (true, true)).is_some());
        let f = |lo, hi, excl| unsatisfiable_scalar(&number(ScalarKind::F64, lo, hi, excl));
        assert!(f(3.0, 2.0, (false, false)).is_some());
        assert!(f(2.0, 2.0, (false, true)).is_some());
        // Satisfiable: exact fits, open ranges, unchecked formats.
        for ok in [
            string(Some("date"), Some(10), Some(10)),
            string(Some("uuid"), None, Some(36)),
            string(Some("date-time"), Some(1), None),
            string(Some("uri"), None, Some(1)),
            string(Some("byte"), Some(1), Some(4)),
            string(None, Some(3), Some(3)),
            number(ScalarKind::I32, 1.0, 1.0, (false, false)),
            number(ScalarKind::I64, 1.0, 3.0, (true, true)),
            number(ScalarKind::F64, 1.0, 1.5, (true, true)),
        ] {
            assert_eq!(unsatisfiable_scalar(&ok), None, "{ok:?}");
        }
    }

    #[test]
    fn an_impossible_optional_property_is_left_out_and_shown_in_one_more_sample() {
        let doc = spec(
            json!({"Drug": {"type": "object", "required": ["code"], "properties": {
                "code": {"type": "string"},
                "until": {"type": "string", "format": "date", "maxLength": 1, "example": "X"}
            }}}),
            json!({}),
        );
        let all = samples_of(&doc);
        let drug = labelled(&all, "schema Drug");
        let valid: Vec<_> = drug.iter().filter(|s| s.unsatisfiable.is_none()).collect();
        let defects: Vec<_> = drug.iter().filter(|s| s.unsatisfiable.is_some()).collect();
        assert!(!valid.is_empty());
        for s in &valid {
            assert!(s.value.get("until").is_none(), "{}: {}", s.label, s.value);
        }
        assert_eq!(defects.len(), 1, "{drug:?}");
        assert!(defects[0].value.get("until").is_some());
        assert_eq!(
            defects[0]
                .unsatisfiable
                .as_ref()
                .map(|u| u.properties.clone()),
            Some(vec!["until".to_owned()])
        );
        assert_eq!(
            defects[0].unsatisfiable.as_ref().map(|u| u.reason.as_str()),
            Some("`Drug.until`: `format: date` values are 10 characters long, but maxLength is 1")
        );
    }

    #[test]
    fn an_impossible_required_property_marks_every_sample() {
        let doc = spec(
            json!({"Drug": {"type": "object", "required": ["until"], "properties": {
                "until": {"type": "string", "format": "date", "maxLength": 7}
            }}}),
            json!({}),
        );
        let all = samples_of(&doc);
        assert!(!all.is_empty());
        for s in &all {
            assert!(
                s.unsatisfiable
                    .as_ref()
                    .map(|u| u.reason.as_str())
                    .is_some_and(|r| r.contains("maxLength is 7")),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_closed_allof_part_without_a_required_property_is_a_contradiction() {
        let doc = spec(
            json!({
                "Path": {"type": "object", "required": ["kind"], "additionalProperties": false,
                         "properties": {"kind": {"type": "string"}},
                         "discriminator": {"propertyName": "kind",
                                           "mapping": {"ById": "#/components/schemas/ById"}}},
                "ById": {"allOf": [{"$ref": "#/components/schemas/Path"}], "type": "object",
                         "required": ["id"], "properties": {"id": {"type": "string"}}},
                "Open": {"allOf": [{"$ref": "#/components/schemas/Base"}], "type": "object",
                         "additionalProperties": false, "required": ["id"],
                         "properties": {"id": {"type": "string"}}},
                "Base": {"type": "object", "required": ["kind"],
                         "properties": {"kind": {"type": "string"}}},
                "Fine": {"allOf": [{"$ref": "#/components/schemas/Base"}], "type": "object",
                         "additionalProperties": false, "required": ["id"],
                         "properties": {"id": {"type": "string"}, "kind": {"type": "string"}}}
            }),
            json!({"/search": {"post": {
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Path"}}}},
                "responses": {"204": {"description": "ok"}}
            }}}),
        );
        let all = samples_of(&doc);
        for prefix in [
            "schema Path",
            "schema ById",
            "POST /search.request",
            "schema Open",
        ] {
            let some = labelled(&all, prefix);
            assert!(!some.is_empty(), "{prefix}: {all:?}");
            for s in some {
                assert!(s.unsatisfiable.is_some(), "{s:?}");
            }
        }
        assert_eq!(
            labelled(&all, "schema ById")[0]
                .unsatisfiable
                .as_ref()
                .map(|u| u.reason.as_str()),
            Some(
                "`ById`: `Path` has additionalProperties: false and does not declare `id`, which `ById` requires"
            )
        );
        assert_eq!(
            labelled(&all, "schema Open")[0]
                .unsatisfiable
                .as_ref()
                .map(|u| u.reason.as_str()),
            Some(
                "`Open`: `Open` has additionalProperties: false and does not declare `kind`, which `Base` requires"
            )
        );
        assert_eq!(
            labelled(&all, "schema Path")[0]
                .unsatisfiable
                .as_ref()
                .map(|u| u.properties.clone()),
            Some(vec!["id".to_owned()])
        );
        for s in labelled(&all, "schema Fine")
            .into_iter()
            .chain(labelled(&all, "schema Base"))
        {
            assert_eq!(s.unsatisfiable, None, "{s:?}");
        }
    }

    #[test]
    fn read_only_through_a_reference_is_left_out_of_requests() {
        let doc = spec(
            json!({
                "Dn": {"type": "object", "readOnly": true, "required": ["uid"],
                       "properties": {"uid": {"type": "string"}}},
                "Entry": {"type": "object", "properties": {
                    "dn": {"$ref": "#/components/schemas/Dn"}, "name": {"type": "string"}}},
                "Strict": {"type": "object", "required": ["dn"], "properties": {
                    "dn": {"$ref": "#/components/schemas/Dn"}}}
            }),
            json!({"/entries": {"post": {
                "operationId": "add",
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Entry"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Entry"}}}}}
            }, "put": {
                "operationId": "put",
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Strict"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Strict"}}}}}
            }}}),
        );
        let all = samples_of(&doc);
        for s in labelled(&all, "add.request") {
            assert!(s.value.get("dn").is_none(), "{s:?}");
            assert_eq!(s.unsatisfiable, None);
        }
        assert!(
            labelled(&all, "add.response")
                .iter()
                .any(|s| s.value.get("dn").is_some())
        );
        // Required and read-only only through the reference: no request can be valid.
        let put = labelled(&all, "put.request");
        assert!(!put.is_empty());
        for s in put {
            assert!(s.value.get("dn").is_none(), "{s:?}");
            assert!(
                s.unsatisfiable
                    .as_ref()
                    .map(|u| u.reason.as_str())
                    .is_some_and(|r| r.starts_with("`Strict.dn`: required, and read-only")),
                "{s:?}"
            );
            assert_eq!(
                s.unsatisfiable.as_ref().map(|u| u.properties.clone()),
                Some(vec!["dn".to_owned()])
            );
        }
        for s in labelled(&all, "put.response")
            .into_iter()
            .chain(labelled(&all, "schema"))
        {
            assert_eq!(s.unsatisfiable, None, "{s:?}");
        }
    }
}
