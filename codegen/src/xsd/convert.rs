//! xsd-parser `MetaTypes` → our [`TypeModel`], for the types reachable from given elements.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use xsd_parser::models::meta::{
    AttributeMetaVariant, ComplexMeta, ElementMeta, ElementMetaVariant, ElementMode,
    EnumerationMeta, MetaType, MetaTypeVariant, SimpleMeta,
};
use xsd_parser::models::schema::MaxOccurs;
use xsd_parser::models::schema::xs::{FormChoiceType, Use};
use xsd_parser::models::{IdentType, TypeIdent};

use super::Schemas;
use crate::Error;
use crate::config::Overlay;
use crate::model::{
    Builtin, EnumDef, EnumValue, Facets, Field, FieldKind, RestrictedDef, StructDef, TypeDef,
    TypeId, TypeKind, TypeModel, TypeRef,
};
use crate::names;
use crate::wsdl::{QName, XS_NS};

/// Names of the marker built-ins that stand for XSD built-in types (see [`xs_markers`]).
const MARKER_PREFIX: &str = "xs:";

/// The XSD built-in types registered as distinct markers instead of xsd-parser's default
/// typedefs, which map `xs:date` and others onto `String` and so lose them in restrictions.
pub(super) const XS_BUILTINS: &[&str] = &[
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "NMTOKENS",
    "ID",
    "IDREF",
    "IDREFS",
    "ENTITY",
    "ENTITIES",
    "anyURI",
    "QName",
    "NOTATION",
    "boolean",
    "byte",
    "short",
    "int",
    "long",
    "unsignedByte",
    "unsignedShort",
    "unsignedInt",
    "unsignedLong",
    "integer",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "float",
    "double",
    "decimal",
    "date",
    "dateTime",
    "time",
    "duration",
    "gYear",
    "gYearMonth",
    "gMonth",
    "gMonthDay",
    "gDay",
    "base64Binary",
    "hexBinary",
    "anySimpleType",
];

/// Rust mapping of an XSD built-in; the note is added to field docs where the value is kept in
/// its lexical form.
fn builtin(local: &str) -> Option<(Builtin, Facets, Option<&'static str>)> {
    let none = Facets::default();
    let lexical = Some("Kept in its XSD lexical form as text.");
    Some(match local {
        "string" | "normalizedString" | "token" | "language" | "Name" | "NCName" | "NMTOKEN"
        | "NMTOKENS" | "ID" | "IDREF" | "IDREFS" | "ENTITY" | "ENTITIES" | "anyURI"
        | "anySimpleType" => (Builtin::String, none, None),
        "QName" | "NOTATION" | "decimal" | "dateTime" | "time" | "duration" | "gYear"
        | "gYearMonth" | "gMonth" | "gMonthDay" | "gDay" | "base64Binary" | "hexBinary" => {
            (Builtin::String, none, lexical)
        }
        "boolean" => (Builtin::Bool, none, None),
        "byte" => (Builtin::I8, none, None),
        "short" => (Builtin::I16, none, None),
        "int" => (Builtin::I32, none, None),
        "long" => (Builtin::I64, none, None),
        "unsignedByte" => (Builtin::U8, none, None),
        "unsignedShort" => (Builtin::U16, none, None),
        "unsignedInt" => (Builtin::U32, none, None),
        "unsignedLong" => (Builtin::U64, none, None),
        "integer" => (Builtin::I128, none, None),
        "nonNegativeInteger" => (Builtin::U128, none, None),
        "positiveInteger" => (Builtin::U128, bound(Some("1"), None), None),
        "nonPositiveInteger" => (Builtin::I128, bound(None, Some("0")), None),
        "negativeInteger" => (Builtin::I128, bound(None, Some("-1")), None),
        "float" => (Builtin::F32, none, None),
        "double" => (Builtin::F64, none, None),
        "date" => (Builtin::Date, none, None),
        _ => return None,
    })
}

fn bound(min: Option<&str>, max: Option<&str>) -> Facets {
    Facets {
        min: min.map(|m| (m.to_owned(), true)),
        max: max.map(|m| (m.to_owned(), true)),
        ..Facets::default()
    }
}

/// Converts the types one service reaches.
pub struct Converter<'a> {
    schemas: &'a Schemas,
    overlay: &'a Overlay,
    model: TypeModel,
    by_ident: HashMap<TypeIdent, TypeId>,
    by_element: BTreeMap<QName, TypeId>,
    elements: BTreeMap<QName, TypeIdent>,
    names: BTreeSet<String>,
    /// Stack of types being converted, for error messages.
    trail: Vec<String>,
}

impl<'a> Converter<'a> {
    /// A converter over loaded schemas.
    pub fn new(schemas: &'a Schemas, overlay: &'a Overlay) -> Self {
        let mut elements = BTreeMap::new();
        for ident in schemas.types.items.keys() {
            if ident.type_ == IdentType::Element {
                let q = QName::new(ns_of(schemas, ident), ident.name.as_str());
                elements.insert(q, ident.clone());
            }
        }
        Self {
            schemas,
            overlay,
            model: TypeModel::default(),
            by_ident: HashMap::new(),
            by_element: BTreeMap::new(),
            elements,
            names: BTreeSet::new(),
            trail: Vec::new(),
        }
    }

    fn err(&self, message: impl Into<String>) -> Error {
        let message = message.into();
        if self.trail.is_empty() {
            Error::Xsd(message)
        } else {
            Error::Xsd(format!("{} (in {})", message, self.trail.join(" > ")))
        }
    }

    fn ns(&self, ident: &TypeIdent) -> String {
        ns_of(self.schemas, ident)
    }

    fn qname(&self, ident: &TypeIdent) -> QName {
        QName::new(self.ns(ident), ident.name.as_str())
    }

    fn meta(&self, ident: &TypeIdent) -> Result<&'a MetaType, Error> {
        self.schemas
            .types
            .items
            .get(ident)
            .ok_or_else(|| self.err(format!("type `{}` is not defined", self.qname(ident))))
    }

    /// The struct type that carries the global element `element` in a message.
    pub fn element(&mut self, element: &QName) -> Result<TypeId, Error> {
        if let Some(id) = self.by_element.get(element) {
            return Ok(*id);
        }
        let ident = self
            .elements
            .get(element)
            .cloned()
            .ok_or_else(|| self.err(format!("element `{element}` is not declared")))?;
        let meta = self.meta(&ident)?;
        let MetaTypeVariant::Reference(r) = &meta.variant else {
            return Err(self.err(format!("element `{element}` has an unexpected shape")));
        };
        self.trail.push(element.local.clone());
        let target = r.type_.clone();
        let id = if target.type_ == IdentType::ElementType {
            // Anonymous type: the struct is named after the element and knows its name.
            let tmeta = self.meta(&target)?;
            let id = self.reserve(&target, &element.local);
            let kind = self.kind(&target, tmeta)?;
            let mut doc = meta.documentation.clone();
            doc.extend(tmeta.documentation.iter().cloned());
            self.fill(id, None, Some(element.clone()), doc, kind);
            id
        } else {
            match self.type_ref(&target)? {
                TypeRef::Def(id)
                    if matches!(
                        self.model.get(id).map(|t| &t.kind),
                        Some(TypeKind::Struct(_))
                    ) =>
                {
                    id
                }
                simple => {
                    // A simple-typed element as a message part: a struct with text content.
                    let id = self.reserve_name(&element.local);
                    let text = Field {
                        rust_name: "value".to_owned(),
                        xml: element.clone(),
                        kind: FieldKind::Element,
                        ty: simple,
                        min: 1,
                        max: Some(1),
                        nillable: false,
                        doc: Vec::new(),
                        sensitive: self.overlay.is_sensitive(element),
                        boxed: false,
                    };
                    let kind = TypeKind::Struct(StructDef {
                        fields: Vec::new(),
                        text: Some(text),
                    });
                    self.fill(
                        id,
                        None,
                        Some(element.clone()),
                        meta.documentation.clone(),
                        kind,
                    );
                    id
                }
            }
        };
        self.trail.pop();
        self.by_element.insert(element.clone(), id);
        Ok(id)
    }

    fn reserve(&mut self, ident: &TypeIdent, base_name: &str) -> TypeId {
        let id = self.reserve_name(base_name);
        self.by_ident.insert(ident.clone(), id);
        id
    }

    fn reserve_name(&mut self, base_name: &str) -> TypeId {
        let name = names::unique(names::camel(base_name), &mut self.names);
        let id = TypeId(self.model.types.len());
        self.model.types.push(TypeDef {
            rust_name: name,
            xml_name: None,
            element: None,
            doc: Vec::new(),
            kind: TypeKind::Struct(StructDef::default()),
        });
        id
    }

    fn fill(
        &mut self,
        id: TypeId,
        xml_name: Option<QName>,
        element: Option<QName>,
        doc: Vec<String>,
        kind: TypeKind,
    ) {
        if let Some(t) = self.model.types.get_mut(id.0) {
            t.xml_name = xml_name;
            t.element = element;
            t.doc = doc
                .into_iter()
                .map(|d| crate::wsdl::normalise_doc(&d))
                .collect();
            t.kind = kind;
        }
    }

    /// The Rust type of a value of XSD type `ident`.
    fn type_ref(&mut self, ident: &TypeIdent) -> Result<TypeRef, Error> {
        let q = self.qname(ident);
        if let Some(path) = self.overlay.mapped_type(&q) {
            return Ok(TypeRef::Mapped(path.to_owned()));
        }
        if let Some((b, facets, _)) = self.builtin_of(ident)
            && facets == Facets::default()
        {
            return Ok(TypeRef::Builtin(b));
        }
        if let Some(id) = self.by_ident.get(ident) {
            return Ok(TypeRef::Def(*id));
        }
        let meta = self.meta(ident)?;
        match &meta.variant {
            MetaTypeVariant::Reference(r) if r.is_single() => self.type_ref(&r.type_),
            MetaTypeVariant::Reference(_) => {
                Err(self.err(format!("list type `{q}` is not supported yet")))
            }
            MetaTypeVariant::BuildIn(_) => {
                let (b, _, _) = self
                    .builtin_of(ident)
                    .ok_or_else(|| self.err(format!("built-in `{q}` has no Rust mapping")))?;
                Ok(TypeRef::Builtin(b))
            }
            MetaTypeVariant::SimpleType(s) if !s.is_list && s.constrains == Default::default() => {
                self.type_ref(&s.base)
            }
            _ => {
                self.trail.push(q.local.clone());
                let id = self.reserve(ident, ident.name.as_str());
                let kind = self.kind(ident, meta)?;
                let xml_name = (ident.type_ == IdentType::Type).then(|| q.clone());
                self.fill(id, xml_name, None, meta.documentation.clone(), kind);
                self.trail.pop();
                Ok(TypeRef::Def(id))
            }
        }
    }

    /// The built-in an ident stands for: one of our markers, or xsd-parser's own built-ins.
    fn builtin_of(&self, ident: &TypeIdent) -> Option<(Builtin, Facets, Option<&'static str>)> {
        let name = ident.name.as_str();
        if ident.type_ == IdentType::BuildIn {
            if let Some(local) = name.strip_prefix(MARKER_PREFIX) {
                return builtin(local);
            }
            let b = match name {
                "String" | "str" => Builtin::String,
                "bool" => Builtin::Bool,
                "i8" => Builtin::I8,
                "i16" => Builtin::I16,
                "i32" => Builtin::I32,
                "i64" => Builtin::I64,
                "u8" => Builtin::U8,
                "u16" => Builtin::U16,
                "u32" => Builtin::U32,
                "u64" => Builtin::U64,
                "f32" => Builtin::F32,
                "f64" => Builtin::F64,
                _ => return None,
            };
            return Some((b, Facets::default(), None));
        }
        if self.ns(ident) == XS_NS && ident.type_ == IdentType::Type {
            return builtin(name);
        }
        None
    }

    fn kind(&mut self, ident: &TypeIdent, meta: &'a MetaType) -> Result<TypeKind, Error> {
        match &meta.variant {
            MetaTypeVariant::ComplexType(c) => self.complex(c).map(TypeKind::Struct),
            MetaTypeVariant::Enumeration(e) => self.enumeration(e),
            MetaTypeVariant::SimpleType(s) => self.restricted(s),
            MetaTypeVariant::Sequence(_) | MetaTypeVariant::All(_) => {
                let mut def = StructDef::default();
                self.group_fields(ident, &mut def.fields, 1, Some(1))?;
                Ok(TypeKind::Struct(def))
            }
            MetaTypeVariant::Choice(_) => Err(self.err(format!(
                "`{}`: xs:choice is not supported yet",
                self.qname(ident)
            ))),
            MetaTypeVariant::Union(_) => Err(self.err(format!(
                "`{}`: xs:union is not supported yet",
                self.qname(ident)
            ))),
            MetaTypeVariant::Dynamic(_) => Err(self.err(format!(
                "`{}`: substitution groups and xsi:type hierarchies are not supported yet",
                self.qname(ident)
            ))),
            MetaTypeVariant::Custom(_) => Err(self.err(format!(
                "`{}`: xs:anyType content is not supported yet",
                self.qname(ident)
            ))),
            MetaTypeVariant::Reference(_) | MetaTypeVariant::BuildIn(_) => Err(self.err(format!(
                "`{}` is a simple type where a complex type is expected",
                self.qname(ident)
            ))),
        }
    }

    fn complex(&mut self, c: &'a ComplexMeta) -> Result<StructDef, Error> {
        if c.is_mixed {
            return Err(self.err("mixed content is not supported yet"));
        }
        let mut def = StructDef::default();
        // xsd-parser's interpreter already merges an extension's base (attributes and content)
        // into the derived type, base first, so `c.base` needs no walking here.
        for a in c.attributes.iter() {
            let AttributeMetaVariant::Type(t) = &a.variant else {
                // xs:anyAttribute: foreign attributes are tolerated on reading.
                continue;
            };
            if a.use_ == Use::Prohibited {
                continue;
            }
            let xml = QName::new(
                if a.form == FormChoiceType::Qualified {
                    self.ns_of_prop(a.ident.ns)
                } else {
                    String::new()
                },
                a.ident.name.as_str(),
            );
            let ty = self.type_ref(t)?;
            def.fields.push(Field {
                rust_name: String::new(),
                sensitive: self.overlay.is_sensitive(&xml),
                xml,
                kind: FieldKind::Attribute,
                ty,
                min: usize::from(a.use_ == Use::Required),
                max: Some(1),
                nillable: false,
                doc: a.documentation.clone(),
                boxed: false,
            });
        }
        if let Some(content) = &c.content {
            let cmeta = self.meta(content)?;
            match &cmeta.variant {
                MetaTypeVariant::Sequence(_) | MetaTypeVariant::All(_) => {
                    self.group_fields(
                        content,
                        &mut def.fields,
                        c.min_occurs,
                        max_of(c.max_occurs),
                    )?;
                }
                MetaTypeVariant::Choice(_) => {
                    return Err(self.err("xs:choice is not supported yet"));
                }
                _ => {
                    // Simple content: the element's text is the value.
                    let ty = self.type_ref(content)?;
                    def.text = Some(Field {
                        rust_name: "value".to_owned(),
                        xml: QName::new("", "#text"),
                        kind: FieldKind::Element,
                        ty,
                        min: 1,
                        max: Some(1),
                        nillable: false,
                        doc: Vec::new(),
                        sensitive: false,
                        boxed: false,
                    });
                }
            }
        }
        self.name_fields(&mut def);
        Ok(def)
    }

    fn ns_of_prop(&self, ns: xsd_parser::models::schema::NamespaceId) -> String {
        self.schemas
            .namespaces
            .get(&ns.0)
            .cloned()
            .unwrap_or_default()
    }

    fn group_fields(
        &mut self,
        group: &TypeIdent,
        out: &mut Vec<Field>,
        min: usize,
        max: Option<usize>,
    ) -> Result<(), Error> {
        let meta = self.meta(group)?;
        let elements = match &meta.variant {
            MetaTypeVariant::Sequence(g) | MetaTypeVariant::All(g) => &g.elements,
            MetaTypeVariant::Choice(_) => return Err(self.err("xs:choice is not supported yet")),
            _ => return Err(self.err("unexpected content model")),
        };
        if max != Some(1) {
            return Err(self.err("repeated model groups are not supported yet"));
        }
        for e in elements.iter() {
            self.element_field(e, out, min == 0)?;
        }
        Ok(())
    }

    fn element_field(
        &mut self,
        e: &'a ElementMeta,
        out: &mut Vec<Field>,
        optional_group: bool,
    ) -> Result<(), Error> {
        match &e.variant {
            ElementMetaVariant::Type {
                type_,
                mode: ElementMode::Group,
            } => self.group_fields(
                type_,
                out,
                if optional_group { 0 } else { e.min_occurs },
                max_of(e.max_occurs),
            ),
            ElementMetaVariant::Type {
                type_,
                mode: ElementMode::Element,
            } => {
                let xml = QName::new(
                    if e.form == FormChoiceType::Qualified {
                        self.ns_of_prop(e.ident.ns)
                    } else {
                        String::new()
                    },
                    e.ident.name.as_str(),
                );
                self.trail.push(xml.local.clone());
                // A `ref=` to a global element points at the element ident; use its type.
                let ty = if type_.type_ == IdentType::Element {
                    let q = self.qname(type_);
                    TypeRef::Def(self.element(&q)?)
                } else {
                    self.type_ref(type_)?
                };
                self.trail.pop();
                let mut doc = e.documentation.clone();
                if let Some((_, _, Some(note))) = self.builtin_of(type_) {
                    doc.push(note.to_owned());
                }
                out.push(Field {
                    rust_name: String::new(),
                    sensitive: self.overlay.is_sensitive(&xml),
                    xml,
                    kind: FieldKind::Element,
                    ty,
                    min: if optional_group { 0 } else { e.min_occurs },
                    max: max_of(e.max_occurs),
                    nillable: e.nillable,
                    doc,
                    boxed: false,
                });
                Ok(())
            }
            ElementMetaVariant::Any { .. } => Err(self.err("xs:any is not supported yet")),
            ElementMetaVariant::Text => Err(self.err("mixed content is not supported yet")),
        }
    }

    fn name_fields(&self, def: &mut StructDef) {
        let mut taken = BTreeSet::new();
        if let Some(t) = &def.text {
            taken.insert(t.rust_name.clone());
        }
        for f in &mut def.fields {
            f.rust_name = names::unique(names::snake(&f.xml.local), &mut taken);
        }
    }

    fn enumeration(&mut self, e: &'a EnumerationMeta) -> Result<TypeKind, Error> {
        let mut taken = BTreeSet::new();
        taken.insert("Unknown".to_owned());
        let values = e
            .variants
            .iter()
            .map(|v| {
                let value = v.ident.name.as_str().to_owned();
                EnumValue {
                    rust_name: names::unique(names::camel(&value), &mut taken),
                    value,
                    doc: v.documentation.clone(),
                }
            })
            .collect();
        Ok(TypeKind::Enum(EnumDef { values }))
    }

    fn restricted(&mut self, s: &'a SimpleMeta) -> Result<TypeKind, Error> {
        if s.is_list {
            return Err(self.err("xs:list types are not supported yet"));
        }
        let mut facets = facets_of(s);
        // Walk down to the built-in, merging the facets of each derivation step.
        let mut base = s.base.clone();
        for _ in 0..32 {
            if let Some((b, inherent, _)) = self.builtin_of(&base) {
                merge(&mut facets, inherent);
                return Ok(TypeKind::Restricted(RestrictedDef { base: b, facets }));
            }
            let meta = self.meta(&base)?;
            match &meta.variant {
                MetaTypeVariant::SimpleType(inner) => {
                    merge(&mut facets, facets_of(inner));
                    base = inner.base.clone();
                }
                MetaTypeVariant::Reference(r) if r.is_single() => base = r.type_.clone(),
                MetaTypeVariant::Enumeration(_) => {
                    return Err(self.err("restrictions of enumerations are not supported yet"));
                }
                _ => break,
            }
        }
        Err(self.err(format!(
            "cannot find the built-in base of `{}`",
            self.qname(&base)
        )))
    }

    /// Finishes: marks fields that must be boxed because their type contains their owner.
    pub fn finish(mut self) -> TypeModel {
        let n = self.model.types.len();
        for owner in 0..n {
            let targets: Vec<(usize, TypeId)> = match self.model.types.get(owner).map(|t| &t.kind) {
                Some(TypeKind::Struct(s)) => s
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.cardinality() != crate::model::Cardinality::Many)
                    .filter_map(|(i, f)| match f.ty {
                        TypeRef::Def(id) => Some((i, id)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (i, target) in targets {
                if reaches(&self.model, target, TypeId(owner))
                    && let Some(TypeKind::Struct(s)) =
                        self.model.types.get_mut(owner).map(|t| &mut t.kind)
                    && let Some(f) = s.fields.get_mut(i)
                {
                    f.boxed = true;
                }
            }
        }
        self.model
    }
}

/// `true` when `from` contains `to` by value (not through a `Vec`).
fn reaches(model: &TypeModel, from: TypeId, to: TypeId) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if !seen.insert(id) {
            continue;
        }
        if let Some(TypeKind::Struct(s)) = model.get(id).map(|t| &t.kind) {
            for f in &s.fields {
                if let (TypeRef::Def(next), false) =
                    (&f.ty, f.cardinality() == crate::model::Cardinality::Many)
                {
                    stack.push(*next);
                }
            }
        }
    }
    false
}

fn ns_of(schemas: &Schemas, ident: &TypeIdent) -> String {
    schemas
        .namespaces
        .get(&ident.ns.0)
        .cloned()
        .unwrap_or_default()
}

fn max_of(m: MaxOccurs) -> Option<usize> {
    match m {
        MaxOccurs::Unbounded => None,
        MaxOccurs::Bounded(n) => Some(n),
    }
}

fn facets_of(s: &SimpleMeta) -> Facets {
    let c = &s.constrains;
    let bound = |b: &Bound<String>| match b {
        Bound::Included(v) => Some((v.clone(), true)),
        Bound::Excluded(v) => Some((v.clone(), false)),
        Bound::Unbounded => None,
    };
    Facets {
        patterns: c.patterns.clone(),
        min_length: c.min_length,
        max_length: c.max_length,
        min: bound(&c.range.start),
        max: bound(&c.range.end),
        total_digits: c.total_digits,
        fraction_digits: c.fraction_digits,
    }
}

/// Adds the facets of a base type: patterns accumulate, the derived type's bounds win.
fn merge(into: &mut Facets, base: Facets) {
    into.patterns.extend(base.patterns);
    into.min_length = into.min_length.or(base.min_length);
    into.max_length = into.max_length.or(base.max_length);
    into.min = into.min.take().or(base.min);
    into.max = into.max.take().or(base.max);
    into.total_digits = into.total_digits.or(base.total_digits);
    into.fraction_digits = into.fraction_digits.or(base.fraction_digits);
}
