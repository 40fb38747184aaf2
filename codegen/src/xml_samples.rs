//! Representative XML instances of a generated module's root elements, for round-trip and
//! schema checks (`cargo xtask conformance`).
//!
//! Built from the same [`TypeModel`] the code was generated from, so a sample exercises exactly
//! the codec it tests. Per root element several samples:
//! 1. *full*: every optional element and attribute present, repeated elements twice, the first
//!    branch of every choice, nillable elements with a value;
//! 2. *minimal*: only what is required, required nillable elements as `xsi:nil`, other values
//!    than the full sample (the second enumeration value, …);
//! 3. one more full sample per further choice branch: sample `k` takes branch `k - 1` of every
//!    choice that has one (the largest choice decides how many samples there are).
//!
//! Simple values satisfy their facets: enumerations, patterns (a string generated from the
//! regular expression itself), lengths, numeric bounds and digits; XSD built-ins kept as text
//! (`dateTime`, `duration`, `base64Binary`, …) get a value of their lexical space.

use std::collections::BTreeMap;

use sdk_runtime::xml::{XSI_NS, XmlWriter};

use crate::model::{
    Builtin, Cardinality, Facets, Field, FieldKind, RootElement, StructDef, TypeId, TypeKind,
    TypeModel, TypeRef, WildcardNamespaces,
};
use crate::violations::{Facet, NOT_LISTED, breaking_values};

/// One sample document.
#[derive(Debug, Clone)]
pub struct XmlSample {
    /// What the sample is, e.g. `{urn:x}Order #2 (minimal)`.
    pub label: String,
    /// Index of its root element in the list given to [`samples`].
    pub root: usize,
    /// The document.
    pub xml: String,
}

/// The namespace of elements written for lax wildcards that admit any namespace.
const ANY_NS: &str = "urn:example:conformance:any";

/// Nesting beyond which optional content is left out and repetitions shrink to their minimum
/// (recursive schemas would otherwise never end).
const MAX_DEPTH: usize = 12;

/// Elements after which a sample writes required content only: a schema of many optional,
/// repeated and recursive parts (HL7 CDA, UBL) would otherwise make samples of megabytes, and
/// a conformance run's memory grows with them. Required content is always complete, so a
/// sample stays valid.
const MAX_ELEMENTS: usize = 3000;

/// The samples of every root element (built on the generator's deep stack: required content
/// is written however deep a schema nests it).
pub fn samples(model: &TypeModel, roots: &[RootElement]) -> Vec<XmlSample> {
    samples_with(model, roots, &NO_VALUES)
}

/// Values given for named simple types (`{ns}name` → value), e.g. the
/// [`samples`](crate::config::Overlay::samples) of a crate's overlay.
pub type Values = BTreeMap<String, String>;

static NO_VALUES: Values = BTreeMap::new();

/// Like [`samples`], writing `values` for the simple types they name.
pub fn samples_with(model: &TypeModel, roots: &[RootElement], values: &Values) -> Vec<XmlSample> {
    crate::with_deep_stack(|| Ok(samples_on_this_stack(model, roots, values)))
        .unwrap_or_else(|_| samples_on_this_stack(model, roots, values))
}

fn samples_on_this_stack(
    model: &TypeModel,
    roots: &[RootElement],
    values: &Values,
) -> Vec<XmlSample> {
    let mut out = Vec::new();
    for (i, root) in roots.iter().enumerate() {
        let branches = max_branches(model, root.ty);
        let count = 2 + branches.saturating_sub(1);
        for k in 0..count {
            let (full, branch, what) = match k {
                0 => (true, 0, "full".to_owned()),
                1 => (false, 0, "minimal".to_owned()),
                _ => (true, k - 1, format!("choice branch {}", k)),
            };
            let mut b = Builder {
                model,
                roots,
                full,
                branch,
                variant: usize::from(!full),
                stack: Vec::new(),
                ids: 0,
                elements: 0,
                breaking: Breaking::Off,
                leaves: 0,
                path: Vec::new(),
                in_union: 0,
                values,
            };
            let mut w = XmlWriter::new();
            w.declaration();
            b.element(
                &mut w,
                &root.name.ns,
                &root.name.local,
                &TypeRef::Def(root.ty),
                0,
            );
            out.push(XmlSample {
                label: format!(
                    "{{{}}}{} #{} ({what})",
                    root.name.ns,
                    root.name.local,
                    k + 1
                ),
                root: i,
                xml: w.finish(),
            });
        }
    }
    out
}

/// For root element `root`: its *full* sample once per facet of each simple value in it that
/// a value of the same base type can break (see [`crate::violations`]), with that one value
/// broken. Each facet is broken once per place in the schema (a repeated element's items share
/// a place). Built on the generator's deep stack.
pub fn broken_samples(model: &TypeModel, roots: &[RootElement], root: usize) -> Vec<BrokenSample> {
    broken_samples_with(model, roots, root, &NO_VALUES)
}

/// Like [`broken_samples`], writing `values` for the simple types they name where they are not
/// the value broken.
pub fn broken_samples_with(
    model: &TypeModel,
    roots: &[RootElement],
    root: usize,
    values: &Values,
) -> Vec<BrokenSample> {
    crate::with_deep_stack(|| Ok(broken_on_this_stack(model, roots, root, values)))
        .unwrap_or_else(|_| broken_on_this_stack(model, roots, root, values))
}

fn broken_on_this_stack(
    model: &TypeModel,
    roots: &[RootElement],
    root: usize,
    values: &Values,
) -> Vec<BrokenSample> {
    let Some(r) = roots.get(root) else {
        return Vec::new();
    };
    let write = |breaking: Breaking| {
        let mut b = Builder {
            model,
            roots,
            full: true,
            branch: 0,
            variant: 0,
            stack: Vec::new(),
            ids: 0,
            elements: 0,
            breaking,
            leaves: 0,
            path: Vec::new(),
            in_union: 0,
            values,
        };
        let mut w = XmlWriter::new();
        w.declaration();
        b.element(&mut w, &r.name.ns, &r.name.local, &TypeRef::Def(r.ty), 0);
        (w.finish(), b.breaking)
    };
    let Breaking::Survey(leaves) = write(Breaking::Survey(Vec::new())).1 else {
        return Vec::new();
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for leaf in leaves {
        for (facet, value) in leaf.breaks {
            if !seen.insert((leaf.path.clone(), facet)) {
                continue;
            }
            let (xml, _) = write(Breaking::At {
                leaf: leaf.index,
                value: value.clone(),
            });
            out.push(BrokenSample {
                root,
                path: leaf.path.clone(),
                facet,
                value,
                xml,
            });
        }
    }
    out
}

/// The number of branches of the largest choice reachable from `ty`.
fn max_branches(model: &TypeModel, ty: TypeId) -> usize {
    let mut seen = vec![false; model.types.len()];
    let mut todo = vec![ty];
    let mut max = 1;
    while let Some(id) = todo.pop() {
        match seen.get_mut(id.0) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        let fields: Vec<&Field> = match model.get(id).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s.fields.iter().chain(&s.text).collect(),
            Some(TypeKind::Choice(c)) => {
                max = max.max(c.variants.len());
                c.variants.iter().collect()
            }
            Some(TypeKind::Polymorphic(p)) => {
                max = max.max(p.variants.len());
                todo.extend(p.variants.iter().map(|v| v.ty));
                Vec::new()
            }
            _ => Vec::new(),
        };
        for f in fields {
            if let TypeRef::Def(d) = f.ty {
                todo.push(d);
            }
        }
    }
    max
}

struct Builder<'m> {
    model: &'m TypeModel,
    /// Declared elements, for strict wildcards.
    roots: &'m [RootElement],
    /// Optional content present.
    full: bool,
    /// The choice branch to take (clamped to each choice's branches).
    branch: usize,
    /// Which value of several to use for simple types.
    variant: usize,
    /// Types being written, for recursion.
    stack: Vec<TypeId>,
    /// `xs:ID` values handed out so far (IDs are unique per document).
    ids: usize,
    /// Elements written so far (see [`MAX_ELEMENTS`]).
    elements: usize,
    /// Whether (and where) simple values break a facet.
    breaking: Breaking,
    /// Simple values with facets written so far (outside unions).
    leaves: usize,
    /// Names of the elements (and attribute) being written, from the root.
    path: Vec<String>,
    /// Depth of unions being written (whose members' facets are not broken: another member
    /// may admit the value).
    in_union: usize,
    /// Values given for named simple types.
    values: &'m Values,
}

/// What a [`Builder`] does with simple values that have facets.
enum Breaking {
    /// Writes valid values only.
    Off,
    /// Writes valid values and notes each one's breakable facets.
    Survey(Vec<Leaf>),
    /// Writes `value` as the `leaf`-th value with facets, valid values elsewhere.
    At { leaf: usize, value: String },
}

/// A simple value with facets in a sample, and the values that would break each.
struct Leaf {
    index: usize,
    path: String,
    breaks: Vec<(Facet, String)>,
}

/// A sample document with one simple value that breaks one facet of its type.
#[derive(Debug, Clone)]
pub struct BrokenSample {
    /// Index of its root element in the list given to [`broken_samples`].
    pub root: usize,
    /// Where the value is: element names from the root (`a/b/@c` for an attribute).
    pub path: String,
    /// The facet it breaks.
    pub facet: Facet,
    /// The value written.
    pub value: String,
    /// The document (the *full* sample otherwise).
    pub xml: String,
}

impl<'m> Builder<'m> {
    fn def(&self, r: &TypeRef) -> Option<(TypeId, &'m TypeKind)> {
        let model: &'m TypeModel = self.model;
        match r {
            TypeRef::Def(id) => model.get(*id).map(|t| (*id, &t.kind)),
            _ => None,
        }
    }

    /// Whether optional content is written at this depth.
    fn optional_here(&self, depth: usize) -> bool {
        self.full && depth < MAX_DEPTH && self.elements < MAX_ELEMENTS
    }

    /// How many occurrences of a field to write.
    fn count(&self, f: &Field, depth: usize) -> usize {
        let recursive = matches!(f.ty, TypeRef::Def(id) if self.stack.contains(&id));
        if !self.optional_here(depth) || recursive {
            return f.min;
        }
        match f.cardinality() {
            Cardinality::One | Cardinality::Optional => 1.max(f.min).min(f.max.unwrap_or(1)),
            Cardinality::Many => 2.max(f.min).min(f.max.unwrap_or(usize::MAX)),
        }
    }

    /// Writes an element named `ns`/`local` whose content has type `ty`.
    fn element(&mut self, w: &mut XmlWriter, ns: &str, local: &str, ty: &TypeRef, depth: usize) {
        self.elements += 1;
        self.path.push(local.to_owned());
        w.start(ns, local);
        match self.def(ty) {
            Some((id, TypeKind::Struct(s))) => {
                self.stack.push(id);
                self.content(w, s, depth + 1);
                self.stack.pop();
            }
            Some((id, TypeKind::Choice(_))) => {
                self.stack.push(id);
                self.choice(w, id, depth + 1);
                self.stack.pop();
            }
            Some((id, TypeKind::Polymorphic(p))) if !p.variants.is_empty() => {
                // The selected type, like a choice branch, avoiding types being written.
                let wanted = self.branch.min(p.variants.len() - 1);
                let free = |v: &&crate::model::PolymorphicVariant| !self.stack.contains(&v.ty);
                let pick = p
                    .variants
                    .get(wanted)
                    .filter(free)
                    .or_else(|| p.variants.iter().find(free))
                    .or_else(|| p.variants.first());
                if let Some(v) = pick
                    && let Some(TypeKind::Struct(s)) = self.model.get(v.ty).map(|t| &t.kind)
                {
                    if !v.declared {
                        w.xsi_type(&v.type_name.ns, &v.type_name.local);
                    }
                    self.stack.push(id);
                    self.stack.push(v.ty);
                    self.content(w, s, depth + 1);
                    self.stack.pop();
                    self.stack.pop();
                }
            }
            _ => {
                let text = self.text(ty);
                w.text(&text);
            }
        }
        w.end();
        self.path.pop();
    }

    /// Attributes, text and children of a complex type (or the content of a group).
    fn content(&mut self, w: &mut XmlWriter, s: &StructDef, depth: usize) {
        for f in s.fields.iter().filter(|f| f.kind == FieldKind::Attribute) {
            if f.min > 0 || self.optional_here(depth) {
                // A default (or fixed) value is valid by definition; a fixed one is the only
                // valid value.
                let v = match &f.default {
                    Some(d) => d.clone(),
                    None => {
                        self.path.push(format!("@{}", f.wire.local));
                        let v = self.text(&f.ty);
                        self.path.pop();
                        v
                    }
                };
                w.attr(&f.wire.ns, &f.wire.local, &v);
            }
        }
        if let Some(t) = &s.text {
            let v = self.text(&t.ty);
            w.text(&v);
        }
        if s.mixed && self.optional_here(depth) {
            w.text("mixed text ");
        }
        for f in s.fields.iter().filter(|f| f.kind != FieldKind::Attribute) {
            self.field(w, f, depth);
        }
    }

    /// Every occurrence of an element, group or wildcard field.
    fn field(&mut self, w: &mut XmlWriter, f: &Field, depth: usize) {
        let n = self.count(f, depth);
        for i in 0..n {
            match f.kind {
                FieldKind::Attribute | FieldKind::Property => {}
                FieldKind::Element => {
                    // Minimal samples nil every required nillable element; full ones nil the
                    // last of several items of a repeated one.
                    let nil = f.nillable
                        && ((!self.full && f.min > 0)
                            || (f.nillable_items() && n >= 2 && i + 1 == n));
                    if nil {
                        w.start(&f.wire.ns, &f.wire.local);
                        w.attr(XSI_NS, "nil", "true");
                        w.end();
                    } else {
                        self.element(w, &f.wire.ns, &f.wire.local, &f.ty, depth);
                    }
                }
                FieldKind::Group => match self.def(&f.ty) {
                    Some((id, TypeKind::Struct(s))) => {
                        self.stack.push(id);
                        self.content(w, s, depth + 1);
                        self.stack.pop();
                    }
                    Some((id, TypeKind::Choice(_))) => {
                        self.stack.push(id);
                        self.choice(w, id, depth + 1);
                        self.stack.pop();
                    }
                    _ => {}
                },
                FieldKind::Any => {
                    if !self.wildcard(w, f, depth) {
                        // Nothing the wildcard admits can be written: leave optional ones out.
                        break;
                    }
                }
            }
        }
    }

    /// One element a wildcard admits: for a strict wildcard a declared (root) element of an
    /// admitted namespace, simple ones first; otherwise an undeclared element. `false` when
    /// there is none.
    fn wildcard(&mut self, w: &mut XmlWriter, f: &Field, depth: usize) -> bool {
        let Some(wc) = &f.wildcard else {
            w.start(ANY_NS, "conformanceSample");
            w.end();
            return true;
        };
        if !wc.strict {
            let ns = match &wc.namespaces {
                WildcardNamespaces::Only(list) => list.first().map_or("", String::as_str),
                _ => ANY_NS,
            };
            w.start(ns, "conformanceSample");
            w.text("any");
            w.end();
            return true;
        }
        let model: &'m TypeModel = self.model;
        let simple = |r: &RootElement| {
            !matches!(
                model.get(r.ty).map(|t| &t.kind),
                Some(TypeKind::Struct(_) | TypeKind::Polymorphic(_))
            )
        };
        let candidates = self
            .roots
            .iter()
            .filter(|r| wc.admits(&r.name.ns) && !self.stack.contains(&r.ty));
        let pick = candidates
            .clone()
            .find(|r| simple(r))
            .or_else(|| candidates.clone().next());
        let Some(root) = pick else {
            return false;
        };
        if depth >= MAX_DEPTH {
            return false;
        }
        let full = std::mem::replace(&mut self.full, false);
        self.element(
            w,
            &root.name.ns,
            &root.name.local,
            &TypeRef::Def(root.ty),
            depth,
        );
        self.full = full;
        true
    }

    /// One branch of a choice: the selected one, unless it recurses into a type being written
    /// and another branch does not.
    fn choice(&mut self, w: &mut XmlWriter, id: TypeId, depth: usize) {
        let model: &'m TypeModel = self.model;
        let Some(TypeKind::Choice(c)) = model.get(id).map(|t| &t.kind) else {
            return;
        };
        if c.variants.is_empty() {
            return;
        }
        let wanted = self.branch.min(c.variants.len() - 1);
        let recurses =
            |f: &Field| matches!(f.ty, TypeRef::Def(d) if self.stack.contains(&d) || d == id);
        let pick = if depth >= MAX_DEPTH || c.variants.get(wanted).is_some_and(recurses) {
            c.variants
                .iter()
                .position(|f| !recurses(f))
                .unwrap_or(wanted)
        } else {
            wanted
        };
        if let Some(f) = c.variants.get(pick) {
            // A branch occurs at least once, even where the field itself may be absent.
            let mut f = f.clone();
            f.min = f.min.max(1);
            self.field(w, &f, depth);
        }
    }

    /// A valid lexical value of a simple type.
    fn text(&mut self, ty: &TypeRef) -> String {
        let variant = self.variant;
        match ty {
            TypeRef::Builtin(b) => self.builtin(*b, &Facets::default(), variant),
            TypeRef::Mapped(_)
            | TypeRef::AnyElement
            | TypeRef::Scalar(_)
            | TypeRef::Array { .. }
            | TypeRef::Map(_)
            | TypeRef::Nullable(_)
            | TypeRef::AnyJson => "sample".to_owned(),
            TypeRef::Def(id) => {
                let model: &'m TypeModel = self.model;
                let Some(def) = model.get(*id) else {
                    return "sample".to_owned();
                };
                match &def.kind {
                    TypeKind::Enum(e) => {
                        let v = e
                            .values
                            .get(variant % e.values.len().max(1))
                            .map(|v| v.value.clone())
                            .unwrap_or_default();
                        let listed = e.values.iter().any(|v| v.value == NOT_LISTED);
                        self.leaf(v, || {
                            if listed {
                                Vec::new()
                            } else {
                                vec![(Facet::Enumeration, NOT_LISTED.to_owned())]
                            }
                        })
                    }
                    TypeKind::Restricted(r) => {
                        let given = def
                            .xml_name
                            .as_ref()
                            .and_then(|n| self.values.get(&n.to_string()));
                        let v = match given {
                            Some(v) => v.clone(),
                            None => self.builtin(r.base, &r.facets, variant),
                        };
                        self.leaf(v, || breaking_values(r.base, &r.facets))
                    }
                    TypeKind::Union(u) => match u.members.get(variant % u.members.len().max(1)) {
                        Some(m) => {
                            self.in_union += 1;
                            let v = self.text(m);
                            self.in_union -= 1;
                            v
                        }
                        None => "sample".to_owned(),
                    },
                    TypeKind::List(l) => {
                        let item = l.item.clone();
                        let a = self.text(&item);
                        self.variant += 1;
                        let b = self.text(&item);
                        self.variant -= 1;
                        format!("{a} {b}")
                    }
                    TypeKind::Struct(s) => match &s.text {
                        Some(t) => self.text(&t.ty.clone()),
                        None => String::new(),
                    },
                    TypeKind::Choice(_)
                    | TypeKind::Polymorphic(_)
                    | TypeKind::OneOf(_)
                    | TypeKind::Alias(_) => String::new(),
                }
            }
        }
    }

    /// A simple value with facets: `valid` unless this is the value to break; noted with what
    /// would break it when surveying.
    fn leaf(&mut self, valid: String, breaks: impl FnOnce() -> Vec<(Facet, String)>) -> String {
        if matches!(self.breaking, Breaking::Off) || self.in_union > 0 {
            return valid;
        }
        let index = self.leaves;
        self.leaves += 1;
        let path = self.path.join("/");
        match &mut self.breaking {
            Breaking::Survey(leaves) => {
                let breaks = breaks();
                if !breaks.is_empty() {
                    leaves.push(Leaf {
                        index,
                        path,
                        breaks,
                    });
                }
                valid
            }
            Breaking::At { leaf, value } if *leaf == index => value.clone(),
            _ => valid,
        }
    }

    /// A value of a built-in that satisfies `facets`.
    fn builtin(&mut self, b: Builtin, facets: &Facets, variant: usize) -> String {
        if let Some(v) = from_patterns(&facets.patterns, facets, variant) {
            return v;
        }
        match b {
            Builtin::Bool => ["true", "false"][variant % 2].to_owned(),
            Builtin::Date => date(facets, variant),
            Builtin::I8
            | Builtin::I16
            | Builtin::I32
            | Builtin::I64
            | Builtin::I128
            | Builtin::U8
            | Builtin::U16
            | Builtin::U32
            | Builtin::U64
            | Builtin::U128 => integer(b, facets, variant),
            // Floats in Rust's shortest form, which is what the codec writes back.
            Builtin::F32 | Builtin::F64 => {
                let d = decimal(facets, variant);
                d.parse::<f64>().map_or(d, |f| f.to_string())
            }
            Builtin::String => string(facets, variant),
            Builtin::Lexical(name) => self.lexical(name, facets, variant),
        }
    }

    fn lexical(&mut self, name: &str, facets: &Facets, variant: usize) -> String {
        let octets = |n: usize| {
            let lo = facets.min_length.unwrap_or(0);
            n.clamp(lo, facets.max_length.unwrap_or(usize::MAX).max(lo))
        };
        match name {
            "decimal" => decimal(facets, variant),
            "dateTime" => ["2024-01-31T12:34:56", "2023-12-01T08:00:00Z"][variant % 2].to_owned(),
            "time" => ["12:34:56", "08:00:00"][variant % 2].to_owned(),
            "duration" => ["P1D", "PT2H"][variant % 2].to_owned(),
            "gYear" => "2024".to_owned(),
            "gYearMonth" => "2024-01".to_owned(),
            "gMonth" => "--01".to_owned(),
            "gMonthDay" => "--01-31".to_owned(),
            "gDay" => "---31".to_owned(),
            "base64Binary" => base64(octets(5)),
            "hexBinary" => "AB".repeat(octets(2)),
            "anyURI" => fit(&format!("https://example.org/{}", variant + 1), facets, 'x'),
            "language" => ["en", "cs"][variant % 2].to_owned(),
            "ID" => {
                self.ids += 1;
                fit(&format!("id{}", self.ids), facets, '0')
            }
            // A reference to the first ID of the document.
            "IDREF" | "IDREFS" => "id1".to_owned(),
            "NMTOKENS" => fit("alpha beta", facets, 'x'),
            // QName: unprefixed, so it needs no namespace binding.
            _ => string(facets, variant),
        }
    }
}

/// `text` padded with `pad` or cut to the length facets.
fn fit(text: &str, facets: &Facets, pad: char) -> String {
    let mut s = text.to_owned();
    let min = facets.min_length.unwrap_or(0);
    while s.chars().count() < min {
        s.push(pad);
    }
    match facets.max_length {
        Some(max) => s.chars().take(max.max(min)).collect(),
        None => s,
    }
}

fn string(facets: &Facets, variant: usize) -> String {
    fit(["sample", "other"][variant % 2], facets, 'x')
}

/// Base64 of `octets` bytes.
pub(crate) fn base64_of(octets: usize) -> String {
    base64(octets)
}

fn base64(octets: usize) -> String {
    // Bytes 0x41 ('A'): every 3 bytes are "QUFB".
    let full = octets / 3;
    let mut s = "QUFB".repeat(full);
    match octets % 3 {
        1 => s.push_str("QQ=="),
        2 => s.push_str("QUE="),
        _ => {}
    }
    s
}

fn date(facets: &Facets, variant: usize) -> String {
    if let Some((min, _)) = &facets.min {
        return min.get(..10).unwrap_or(min).to_owned();
    }
    if let Some((max, _)) = &facets.max {
        return max.get(..10).unwrap_or(max).to_owned();
    }
    ["2024-01-31", "2023-12-01"][variant % 2].to_owned()
}

/// The values of an integer built-in (of any other: every `i128`).
pub(crate) fn builtin_range(b: Builtin) -> (i128, i128) {
    match b {
        Builtin::I8 => (i128::from(i8::MIN), i128::from(i8::MAX)),
        Builtin::I16 => (i128::from(i16::MIN), i128::from(i16::MAX)),
        Builtin::I32 => (i128::from(i32::MIN), i128::from(i32::MAX)),
        Builtin::I64 => (i128::from(i64::MIN), i128::from(i64::MAX)),
        Builtin::U8 => (0, i128::from(u8::MAX)),
        Builtin::U16 => (0, i128::from(u16::MAX)),
        Builtin::U32 => (0, i128::from(u32::MAX)),
        Builtin::U64 => (0, i128::from(u64::MAX)),
        Builtin::U128 => (0, i128::MAX),
        _ => (i128::MIN, i128::MAX),
    }
}

/// Bounds of a numeric built-in and its facets, as inclusive `i128`s.
fn int_bounds(b: Builtin, facets: &Facets) -> (i128, i128) {
    let (mut lo, mut hi) = builtin_range(b);
    let parse = |v: &str| {
        v.trim()
            .trim_start_matches('+')
            .parse::<f64>()
            .ok()
            .map(|f| f as i128)
    };
    if let Some((v, inclusive)) = &facets.min
        && let Some(m) = parse(v)
    {
        lo = lo.max(if *inclusive { m } else { m + 1 });
    }
    if let Some((v, inclusive)) = &facets.max
        && let Some(m) = parse(v)
    {
        hi = hi.min(if *inclusive { m } else { m - 1 });
    }
    if let Some(d) = facets.total_digits {
        let cap = 10_i128
            .checked_pow(u32::try_from(d).unwrap_or(38))
            .map_or(i128::MAX, |p| p - 1);
        hi = hi.min(cap);
        lo = lo.max(-cap);
    }
    (lo, hi)
}

fn integer(b: Builtin, facets: &Facets, variant: usize) -> String {
    let (lo, hi) = int_bounds(b, facets);
    let wanted = 1 + variant as i128;
    let v = if wanted >= lo && wanted <= hi {
        wanted
    } else if lo > wanted {
        lo
    } else {
        hi
    };
    let mut s = v.to_string();
    // Length facets on a numeric type count characters of the lexical form.
    if let Some(min) = facets.min_length
        && s.len() < min
        && v >= 0
    {
        s = format!("{}{s}", "0".repeat(min - s.len()));
    }
    s
}

fn decimal(facets: &Facets, variant: usize) -> String {
    let lo = facets
        .min
        .as_ref()
        .and_then(|(v, _)| v.trim().parse::<f64>().ok());
    let hi = facets
        .max
        .as_ref()
        .and_then(|(v, _)| v.trim().parse::<f64>().ok());
    let fraction = facets.fraction_digits.unwrap_or(2);
    let mut v: f64 = if variant.is_multiple_of(2) { 1.5 } else { 2.25 };
    if fraction == 0 {
        v = v.floor();
    }
    match (lo, hi) {
        (Some(l), Some(h)) if v <= l || v >= h => {
            v = (l + h) / 2.0;
            if fraction == 0 {
                v = v.round();
            }
        }
        (Some(l), None) if v <= l => v = l + 1.0,
        (None, Some(h)) if v >= h => v = h - 1.0,
        _ => {}
    }
    if let Some(d) = facets.total_digits
        && d < 3
    {
        v = v.trunc().clamp(-9.0, 9.0);
        if lo.is_some_and(|l| v < l) || hi.is_some_and(|h| v > h) {
            v = lo.unwrap_or(0.0);
        }
    }
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        let digits = fraction.min(2);
        format!("{v:.digits$}")
    }
}

/// A value matching every pattern (and the length facets), if one of the first tries does.
fn from_patterns(patterns: &[String], facets: &Facets, variant: usize) -> Option<String> {
    let regexes: Vec<String> = patterns
        .iter()
        .map(|p| sdk_runtime::xml::xsd_pattern_to_regex(p))
        .collect();
    crate::pattern::matching(
        &regexes,
        facets.min_length.unwrap_or(0),
        facets.max_length.unwrap_or(usize::MAX),
        variant,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn facets(min: Option<usize>, max: Option<usize>) -> Facets {
        Facets {
            min_length: min,
            max_length: max,
            ..Facets::default()
        }
    }

    #[test]
    fn patterns_generate_matching_values() {
        for p in [
            r"\d{8}",
            r"[A-Z]{2}[0-9]{3,5}",
            r"(CZ|SK)\d{2}",
            r"[^<>]+",
            r"\i\c*",
            r"[a-z]+@[a-z]+\.[a-z]{2,3}",
            r"\d{6}/?\d{3,4}",
        ] {
            let v = from_patterns(&[p.to_owned()], &Facets::default(), 0)
                .unwrap_or_else(|| panic!("no value for {p}"));
            let re = regex::Regex::new(&sdk_runtime::xml::xsd_pattern_to_regex(p)).unwrap();
            assert!(re.is_match(&v), "{p}: {v}");
        }
    }

    #[test]
    fn patterns_meet_length_facets() {
        let v = from_patterns(&["[0-9]+".to_owned()], &facets(Some(4), Some(6)), 0).unwrap();
        assert!((4..=6).contains(&v.len()), "{v}");
    }

    #[test]
    fn numbers_respect_bounds() {
        let f = Facets {
            min: Some(("10".to_owned(), false)),
            max: Some(("20".to_owned(), true)),
            ..Facets::default()
        };
        assert_eq!(integer(Builtin::I32, &f, 0), "11");
        let f = Facets {
            total_digits: Some(1),
            ..Facets::default()
        };
        assert_eq!(integer(Builtin::U64, &f, 3), "4");
        let f = Facets {
            min: Some(("100".to_owned(), true)),
            fraction_digits: Some(0),
            ..Facets::default()
        };
        assert_eq!(decimal(&f, 0), "101");
    }

    #[test]
    fn binary_lengths_count_octets() {
        assert_eq!(base64(3), "QUFB");
        assert_eq!(base64(4), "QUFBQQ==");
        assert_eq!(base64(5), "QUFBQUE=");
    }
}
