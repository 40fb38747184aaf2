//! xsd-parser `MetaTypes` → our [`TypeModel`], for the types reachable from given elements.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use xsd_parser::models::meta::{
    AnyMeta, AttributeMetaVariant, Base, ComplexMeta, ElementMeta, ElementMetaVariant, ElementMode,
    EnumerationMeta, MetaType, MetaTypeVariant, SimpleMeta,
};
use xsd_parser::models::schema::MaxOccurs;
use xsd_parser::models::schema::xs::{
    BasicNamespaceListItemType, FormChoiceType, NamespaceListType, ProcessContentsType, Use,
};
use xsd_parser::models::{IdentType, TypeIdent};

use super::Schemas;
use crate::Error;
use crate::config::Overlay;
use crate::model::{
    Builtin, Cardinality, ChoiceDef, EnumDef, EnumValue, Facets, Field, FieldKind, ListDef,
    PolymorphicDef, PolymorphicVariant, RestrictedDef, StructDef, TypeDef, TypeId, TypeKind,
    TypeModel, TypeRef, UnionDef, Wildcard, WildcardNamespaces,
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
    // The XSD name as a `&'static str`, for [`Builtin::Lexical`].
    let name = XS_BUILTINS.iter().copied().find(|b| *b == local);
    Some(match local {
        "string" | "normalizedString" | "anySimpleType" => (Builtin::String, none, None),
        "token" | "language" | "Name" | "NCName" | "NMTOKEN" | "NMTOKENS" | "ID" | "IDREF"
        | "IDREFS" | "ENTITY" | "ENTITIES" | "anyURI" => (Builtin::Lexical(name?), none, None),
        "decimal" | "dateTime" | "time" | "duration" | "gYear" | "gYearMonth" | "gMonth"
        | "gMonthDay" | "gDay" => (Builtin::Lexical(name?), none, None),
        "QName" | "NOTATION" | "base64Binary" | "hexBinary" => {
            (Builtin::Lexical(name?), none, lexical)
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
    /// Target namespace of the type being converted (`##other` in its wildcards is relative
    /// to it).
    scope_ns: String,
    /// Named complex types by the named complex type they directly extend or restrict, in
    /// name order (for `xsi:type`).
    derived: HashMap<TypeIdent, Vec<(QName, TypeIdent)>>,
    /// The struct of a type that has derived types (`by_ident` holds its polymorphic enum).
    plain: HashMap<TypeIdent, TypeId>,
    /// Named types (complex and simple) by their XSD name.
    named: HashMap<QName, TypeIdent>,
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
        let named: HashMap<QName, TypeIdent> = schemas
            .types
            .items
            .keys()
            .filter(|i| i.type_ == IdentType::Type)
            .map(|i| (QName::new(ns_of(schemas, i), i.name.as_str()), i.clone()))
            .collect();
        let mut derived: HashMap<TypeIdent, Vec<(QName, TypeIdent)>> = HashMap::new();
        for (ident, meta) in &schemas.types.items {
            if ident.type_ != IdentType::Type {
                continue;
            }
            let MetaTypeVariant::ComplexType(c) = &meta.variant else {
                continue;
            };
            // `xs:anyType` is everybody's base; it is not made polymorphic.
            if let Base::Extension(base) | Base::Restriction(base) = &c.base
                && base.type_ == IdentType::Type
                && base != ident
                && ns_of(schemas, base) != XS_NS
                && schemas.types.items.get(base).is_some_and(|m| {
                    matches!(
                        m.variant,
                        MetaTypeVariant::ComplexType(_) | MetaTypeVariant::Dynamic(_)
                    )
                })
            {
                let q = QName::new(ns_of(schemas, ident), ident.name.as_str());
                derived
                    .entry(base.clone())
                    .or_default()
                    .push((q, ident.clone()));
            }
        }
        for list in derived.values_mut() {
            list.sort_by(|a, b| (&a.0.ns, &a.0.local).cmp(&(&b.0.ns, &b.0.local)));
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
            scope_ns: String::new(),
            derived,
            plain: HashMap::new(),
            named,
        }
    }

    /// Every named complex type derived from `ident`, directly or not, breadth first.
    fn all_derived(&self, ident: &TypeIdent) -> Vec<(QName, TypeIdent)> {
        let mut out: Vec<(QName, TypeIdent)> = Vec::new();
        let mut next = 0;
        let mut todo: Vec<&TypeIdent> = vec![ident];
        while let Some(t) = todo.get(next).copied() {
            next += 1;
            for (q, d) in self.derived.get(t).map(Vec::as_slice).unwrap_or_default() {
                if d != ident && !out.iter().any(|(_, o)| o == d) {
                    out.push((q.clone(), d.clone()));
                    todo.push(d);
                }
            }
        }
        out
    }

    /// A polymorphic enum for a named complex type with derived types: the type itself (unless
    /// abstract) and each derived, non-abstract type.
    fn polymorphic(
        &mut self,
        ident: &TypeIdent,
        meta: &'a MetaType,
        derived: Vec<(QName, TypeIdent)>,
    ) -> Result<TypeRef, Error> {
        let q = self.qname(ident);
        self.trail.push(q.local.clone());
        let id = self.reserve(ident, &format!("{}OrDerived", ident.name.as_str()));
        let mut def = PolymorphicDef::default();
        let mut taken = BTreeSet::new();
        let base_abstract = is_abstract(meta) || self.declared_abstract(ident);
        if !base_abstract {
            let ty = self.plain_struct(ident, meta)?;
            def.variants.push(PolymorphicVariant {
                rust_name: names::unique(names::camel(&q.local), &mut taken),
                type_name: q.clone(),
                ty,
                declared: true,
            });
        }
        for (dq, d) in derived {
            let dmeta = self.meta(&d)?;
            if is_abstract(dmeta) || self.declared_abstract(&d) {
                // Abstract in between: its own derived types are in the list already.
                continue;
            }
            let ty = if self.derived.contains_key(&d) {
                self.plain_struct(&d, dmeta)?
            } else {
                match self.type_ref(&d)? {
                    TypeRef::Def(t) => t,
                    _ => continue,
                }
            };
            def.variants.push(PolymorphicVariant {
                rust_name: names::unique(names::camel(&dq.local), &mut taken),
                type_name: dq,
                ty,
                declared: false,
            });
        }
        if def.variants.is_empty() {
            // An abstract type nothing concrete derives from: its own content model.
            let kind = self.kind(ident, meta)?;
            self.fill(id, Some(q), None, meta.documentation.clone(), kind);
            self.trail.pop();
            return Ok(TypeRef::Def(id));
        }
        let mut doc = meta.documentation.clone();
        doc.push(format!(
            "A value of `{}`{} or of a type derived from it, named on the wire by `xsi:type`.",
            q.local,
            if base_abstract { " (abstract)" } else { "" }
        ));
        self.fill(id, Some(q), None, doc, TypeKind::Polymorphic(def));
        self.trail.pop();
        Ok(TypeRef::Def(id))
    }

    /// Declared `abstract="true"` in its schema.
    fn declared_abstract(&self, ident: &TypeIdent) -> bool {
        self.schemas
            .abstract_types
            .contains(&(self.ns(ident), ident.name.as_str().to_owned()))
    }

    /// The struct of a type that has derived types (its references get the polymorphic enum).
    fn plain_struct(&mut self, ident: &TypeIdent, meta: &'a MetaType) -> Result<TypeId, Error> {
        if let Some(id) = self.plain.get(ident) {
            return Ok(*id);
        }
        let q = self.qname(ident);
        let id = self.reserve_name(ident.name.as_str());
        self.plain.insert(ident.clone(), id);
        let kind = self.kind(ident, meta)?;
        self.fill(id, Some(q), None, meta.documentation.clone(), kind);
        Ok(id)
    }

    /// The global elements of namespace `ns` (all namespaces when `None`), in name order.
    pub fn global_elements(&self, ns: Option<&str>) -> Vec<QName> {
        self.elements
            .keys()
            .filter(|q| ns.is_none_or(|ns| q.ns == ns))
            .filter(|q| {
                self.schemas
                    .global_elements
                    .contains(&(q.ns.clone(), q.local.clone()))
            })
            .cloned()
            .collect()
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

    /// The simple type of a local element declared with an anonymous simple type (its ident is
    /// a generated element ident referring to the type), `None` for anything else (a `ref=` to a
    /// global element, a complex type).
    fn local_simple_type(&self, ident: &TypeIdent) -> Option<TypeIdent> {
        if ident.type_ != IdentType::Element || !ident.name.is_generated() {
            return None;
        }
        match &self.schemas.types.items.get(ident)?.variant {
            MetaTypeVariant::Reference(r) if r.is_single() && self.is_simple_type(&r.type_, 0) => {
                Some(r.type_.clone())
            }
            _ => None,
        }
    }

    /// `true` when `ident` is a simple type (through single references, a few levels deep).
    fn is_simple_type(&self, ident: &TypeIdent, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match self.schemas.types.items.get(ident).map(|m| &m.variant) {
            Some(
                MetaTypeVariant::SimpleType(_)
                | MetaTypeVariant::BuildIn(_)
                | MetaTypeVariant::Enumeration(_)
                | MetaTypeVariant::Union(_),
            ) => true,
            Some(MetaTypeVariant::Reference(r)) if r.is_single() => {
                self.is_simple_type(&r.type_, depth + 1)
            }
            _ => false,
        }
    }

    /// The type a restriction redeclares an attribute with (see
    /// [`super::Schemas::restricted_attributes`]).
    fn named_simple_type(&mut self, ns: &str, local: &str) -> Option<TypeRef> {
        if ns == XS_NS {
            return builtin(local).map(|(b, _, _)| TypeRef::Builtin(b));
        }
        let ident = self.named.get(&QName::new(ns, local)).cloned()?;
        self.type_ref(&ident).ok()
    }

    /// The named complex types of namespace `ns`, in name order (the roots of a schema that
    /// declares types but no elements).
    pub fn named_complex_types(&self, ns: &str) -> Vec<QName> {
        let mut out: Vec<QName> = self
            .schemas
            .types
            .items
            .iter()
            .filter(|(ident, meta)| {
                ident.type_ == IdentType::Type
                    && matches!(
                        meta.variant,
                        MetaTypeVariant::ComplexType(_) | MetaTypeVariant::Dynamic(_)
                    )
                    && self.ns(ident) == ns
            })
            .map(|(ident, _)| self.qname(ident))
            .collect();
        out.sort_by(|a, b| a.local.cmp(&b.local));
        out
    }

    /// Every named type (simple or complex) of the loaded schemas, outside the XSD namespace,
    /// by namespace and name.
    pub fn named_types(&self) -> Vec<QName> {
        let mut out: Vec<QName> = self
            .named
            .iter()
            .filter(|(q, ident)| {
                q.ns != XS_NS
                    // xsd-parser's own types for a complex type's content model are not
                    // declarations.
                    && self.schemas.types.items.get(*ident).is_some_and(|m| {
                        !matches!(
                            m.variant,
                            MetaTypeVariant::Sequence(_)
                                | MetaTypeVariant::All(_)
                                | MetaTypeVariant::Choice(_)
                        )
                    })
            })
            .map(|(q, _)| q.clone())
            .collect();
        out.sort_by(|a, b| (&a.ns, &a.local).cmp(&(&b.ns, &b.local)));
        out
    }

    /// The type generated for the named complex type `name`.
    pub fn named_type(&mut self, name: &QName) -> Result<TypeId, Error> {
        let ident = self
            .named
            .get(name)
            .cloned()
            .ok_or_else(|| self.err(format!("type `{name}` is not declared")))?;
        match self.type_ref(&ident)? {
            TypeRef::Def(id) => Ok(id),
            _ => Err(self.err(format!("`{name}` is not a complex type"))),
        }
    }

    /// The type of a value of the named XSD type `name` (built-in or declared).
    pub fn type_of(&mut self, name: &QName) -> Result<TypeRef, Error> {
        if name.ns == XS_NS {
            return builtin(&name.local)
                .map(|(b, _, _)| TypeRef::Builtin(b))
                .ok_or_else(|| self.err(format!("unknown XSD built-in type `{name}`")));
        }
        let ident = self
            .named
            .get(name)
            .cloned()
            .ok_or_else(|| self.err(format!("type `{name}` is not declared")))?;
        self.type_ref(&ident)
    }

    /// A struct no schema declares, carrying the element `element`: an rpc/literal wrapper
    /// (WSDL 1.1 §3.5, WS-I BP R2729) whose fields are the message's parts. Fields are named
    /// here.
    pub fn wrapper(
        &mut self,
        name: &str,
        element: QName,
        fields: Vec<Field>,
        doc: String,
    ) -> TypeId {
        let id = self.reserve_name(name);
        let mut def = StructDef {
            fields,
            ..StructDef::default()
        };
        self.name_fields(&mut def);
        self.fill(id, None, Some(element), vec![doc], TypeKind::Struct(def));
        id
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
        let target = match &meta.variant {
            MetaTypeVariant::Reference(r) => r.type_.clone(),
            // The head of a substitution group: its content is its own declared type.
            MetaTypeVariant::Dynamic(d) => match &d.type_ {
                Some(t) => t.clone(),
                None => {
                    return Err(self.err(format!("element `{element}` has no type")));
                }
            },
            _ => {
                return Err(self.err(format!("element `{element}` has an unexpected shape")));
            }
        };
        let target = self.resolve_nillable(target)?;
        self.trail.push(element.local.clone());
        let anonymous_complex = target.type_ == IdentType::ElementType
            && !matches!(
                self.meta(&target)?.variant,
                MetaTypeVariant::Reference(_)
                    | MetaTypeVariant::BuildIn(_)
                    | MetaTypeVariant::SimpleType(_)
                    | MetaTypeVariant::Enumeration(_)
                    | MetaTypeVariant::Union(_)
            );
        let id = if anonymous_complex {
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
                        Some(TypeKind::Struct(_) | TypeKind::Polymorphic(_))
                    ) =>
                {
                    id
                }
                simple => {
                    // A simple-typed element as a message part: a struct with text content.
                    let id = self.reserve_name(&element.local);
                    let text = Field {
                        rust_name: "value".to_owned(),
                        wire: element.clone(),
                        kind: FieldKind::Element,
                        ty: simple,
                        min: 1,
                        max: Some(1),
                        nillable: false,
                        doc: Vec::new(),
                        sensitive: self.overlay.is_sensitive(element),
                        boxed: false,
                        wildcard: None,
                        default: None,
                        access: Default::default(),
                        undeclared: false,
                    };
                    let kind = TypeKind::Struct(StructDef {
                        text: Some(text),
                        ..StructDef::default()
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
        self.model
            .types
            .push(TypeDef::new(name, TypeKind::Struct(StructDef::default())));
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
            t.doc = spec_docs(&doc);
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
            MetaTypeVariant::Reference(r) => {
                // A repeated reference is xsd-parser's form of `xs:list`.
                let item = self.type_ref(&r.type_)?;
                let id = self.reserve(ident, ident.name.as_str());
                let xml_name = (ident.type_ == IdentType::Type).then(|| q.clone());
                self.fill(
                    id,
                    xml_name,
                    None,
                    meta.documentation.clone(),
                    TypeKind::List(ListDef { item }),
                );
                Ok(TypeRef::Def(id))
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
            // A restriction of an enumeration that adds no facet (`<restriction
            // base="CERTCMN:CertRefEnum"/>`, gematik): xsd-parser gives it no values of its
            // own; it is the base type.
            MetaTypeVariant::Enumeration(e)
                if e.variants.0.is_empty() && e.constrains == Default::default() =>
            {
                match &e.base {
                    Base::Restriction(base) | Base::Extension(base) => self.type_ref(base),
                    Base::None => Ok(TypeRef::Builtin(Builtin::String)),
                }
            }
            MetaTypeVariant::ComplexType(_) | MetaTypeVariant::Dynamic(_)
                if ident.type_ == IdentType::Type && self.derived.contains_key(ident) =>
            {
                let derived = self.all_derived(ident);
                self.polymorphic(ident, meta, derived)
            }
            _ => {
                self.trail.push(q.local.clone());
                let name = stable_name(ident, meta);
                let id = self.reserve(ident, &name);
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
        let ns = self.ns(ident);
        let scope = std::mem::replace(&mut self.scope_ns, ns);
        let kind = self.kind_in_scope(ident, meta);
        self.scope_ns = scope;
        kind
    }

    fn kind_in_scope(&mut self, ident: &TypeIdent, meta: &'a MetaType) -> Result<TypeKind, Error> {
        match &meta.variant {
            MetaTypeVariant::ComplexType(c) => self.complex(ident, c).map(TypeKind::Struct),
            MetaTypeVariant::Enumeration(e) => self.enumeration(e),
            MetaTypeVariant::SimpleType(s) => self.restricted(s),
            MetaTypeVariant::Sequence(_) | MetaTypeVariant::All(_) => {
                let mut def = StructDef::default();
                self.group_fields(ident, &mut def.fields, 1, Some(1))?;
                Ok(TypeKind::Struct(def))
            }
            MetaTypeVariant::Choice(_) => {
                // A complex type whose whole content is a choice.
                let mut def = StructDef::default();
                self.group_field(ident, &mut def.fields, 1, Some(1))?;
                self.name_fields(&mut def);
                Ok(TypeKind::Struct(def))
            }
            MetaTypeVariant::Union(u) => {
                let mut members = Vec::new();
                for m in u.types.0.iter() {
                    let r = self.type_ref(&m.type_)?;
                    if !members.contains(&r) {
                        members.push(r);
                    }
                }
                Ok(TypeKind::Union(UnionDef { members }))
            }
            MetaTypeVariant::Dynamic(d) => match &d.type_ {
                // An abstract type: values arrive as one of its derived types (`xsi:type`);
                // they are read through the base's content model.
                Some(base) if base != ident => {
                    let base_meta = self.meta(base)?;
                    self.kind(base, base_meta)
                }
                _ => Ok(TypeKind::Struct(any_content())),
            },
            MetaTypeVariant::Custom(_) => Ok(TypeKind::Struct(any_content())),
            MetaTypeVariant::Reference(_) | MetaTypeVariant::BuildIn(_) => Err(self.err(format!(
                "`{}` is a simple type where a complex type is expected",
                self.qname(ident)
            ))),
        }
    }

    fn complex(&mut self, ident: &TypeIdent, c: &'a ComplexMeta) -> Result<StructDef, Error> {
        let redeclared = self
            .schemas
            .restricted_attributes
            .get(&(self.ns(ident), ident.name.as_str().to_owned()))
            .cloned()
            .unwrap_or_default();
        let mut def = StructDef {
            mixed: c.is_mixed,
            ..StructDef::default()
        };
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
            // A reference to a global attribute (`ref="tns:certtype"`, `ref="xml:lang"`) is
            // always namespace-qualified; xsd-parser 1.5.2 gives it the referencing schema's
            // `attributeFormDefault` instead, so refs are recognised by their ident here.
            let global = t.type_ == IdentType::Attribute;
            let xml = QName::new(
                if a.form == FormChoiceType::Qualified || global {
                    self.ns_of_prop(a.ident.ns)
                } else {
                    String::new()
                },
                a.ident.name.as_str(),
            );
            let mut ty = self.type_ref(t)?;
            if !global
                && let Some((_, (ns, local))) = redeclared.iter().find(|(a, _)| *a == xml.local)
                && let Some(redeclared) = self.named_simple_type(ns, local)
            {
                ty = redeclared;
            }
            def.fields.push(Field {
                rust_name: String::new(),
                sensitive: self.overlay.is_sensitive(&xml),
                wire: xml,
                kind: FieldKind::Attribute,
                ty,
                min: usize::from(a.use_ == Use::Required),
                max: Some(1),
                nillable: false,
                doc: spec_docs(&a.documentation),
                boxed: false,
                wildcard: None,
                default: a.default.clone(),
                access: Default::default(),
                undeclared: false,
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
                    self.group_field(content, &mut def.fields, c.min_occurs, max_of(c.max_occurs))?;
                }
                MetaTypeVariant::Custom(_) => {
                    // xs:anyType content: any elements.
                    def.fields.push(any_field("any", 0, None));
                    def.mixed = true;
                }
                _ if c.is_mixed
                    && matches!(self.builtin_of(content), Some((Builtin::String, ..))) =>
                {
                    // Mixed content with only text (xsd-parser folds it into a string).
                    def.text = None;
                }
                _ => {
                    // Simple content: the element's text is the value. `mixed="true"` on a
                    // complex type with simple content has no effect in XSD (SÚKL's and the
                    // Czech EET's schemas carry it), so the text stays typed.
                    def.mixed = false;
                    let ty = self.type_ref(content)?;
                    def.text = Some(Field {
                        rust_name: "value".to_owned(),
                        wire: QName::new("", "#text"),
                        kind: FieldKind::Element,
                        ty,
                        min: 1,
                        max: Some(1),
                        nillable: false,
                        doc: Vec::new(),
                        sensitive: false,
                        boxed: false,
                        wildcard: None,
                        default: None,
                        access: Default::default(),
                        undeclared: false,
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
            MetaTypeVariant::Choice(_) => return self.group_field(group, out, min, max),
            _ => return Err(self.err("unexpected content model")),
        };
        if max != Some(1) {
            return self.group_field(group, out, min, max);
        }
        for e in elements.iter() {
            self.element_field(e, out, min == 0)?;
        }
        Ok(())
    }

    /// A model group kept as one field: a choice enum, or a group struct for a repeated
    /// sequence.
    fn group_field(
        &mut self,
        group: &TypeIdent,
        out: &mut Vec<Field>,
        min: usize,
        max: Option<usize>,
    ) -> Result<(), Error> {
        let ty = self.group_type(group)?;
        let is_choice = matches!(
            self.model.get(ty).map(|t| &t.kind),
            Some(TypeKind::Choice(_))
        );
        out.push(Field {
            rust_name: String::new(),
            wire: QName::new("", if is_choice { "choice" } else { "group" }),
            kind: FieldKind::Group,
            ty: TypeRef::Def(ty),
            min,
            max,
            nillable: false,
            doc: Vec::new(),
            sensitive: false,
            boxed: false,
            wildcard: None,
            default: None,
            access: Default::default(),
            undeclared: false,
        });
        Ok(())
    }

    /// The type of a model group: a choice enum or a group struct (cached per group).
    fn group_type(&mut self, group: &TypeIdent) -> Result<TypeId, Error> {
        if let Some(id) = self.by_ident.get(group) {
            return Ok(*id);
        }
        let meta = self.meta(group)?;
        let base_name = stable_name(group, meta);
        let id = self.reserve(group, &base_name);
        self.trail.push(base_name);
        let ns = self.ns(group);
        let scope = std::mem::replace(&mut self.scope_ns, ns);
        let kind = match &meta.variant {
            MetaTypeVariant::Choice(g) => {
                let mut def = ChoiceDef::default();
                for e in g.elements.iter() {
                    let mut branch = Vec::new();
                    match &e.variant {
                        ElementMetaVariant::Type {
                            type_,
                            mode: ElementMode::Group,
                        } => {
                            let inner = self.meta(type_)?;
                            match &inner.variant {
                                // A one-element sequence branch is that element.
                                MetaTypeVariant::Sequence(s)
                                    if s.elements.len() == 1
                                        && e.max_occurs == MaxOccurs::Bounded(1) =>
                                {
                                    if let Some(only) = s.elements.first() {
                                        self.element_field(only, &mut branch, e.min_occurs == 0)?;
                                    }
                                }
                                _ => self.group_field(
                                    type_,
                                    &mut branch,
                                    e.min_occurs,
                                    max_of(e.max_occurs),
                                )?,
                            }
                        }
                        _ => self.element_field(e, &mut branch, false)?,
                    }
                    def.variants.extend(branch);
                }
                let mut taken = BTreeSet::new();
                for v in &mut def.variants {
                    let base = match v.kind {
                        FieldKind::Group => match v.ty {
                            TypeRef::Def(id) => self
                                .model
                                .get(id)
                                .map_or_else(|| "Group".to_owned(), |t| t.rust_name.clone()),
                            _ => "Group".to_owned(),
                        },
                        FieldKind::Any => "Any".to_owned(),
                        _ => names::camel(&v.wire.local),
                    };
                    v.rust_name = names::unique(base, &mut taken);
                }
                TypeKind::Choice(def)
            }
            MetaTypeVariant::Sequence(_) | MetaTypeVariant::All(_) => {
                let mut def = StructDef {
                    group: true,
                    ..StructDef::default()
                };
                self.group_fields(group, &mut def.fields, 1, Some(1))?;
                self.name_fields(&mut def);
                TypeKind::Struct(def)
            }
            _ => return Err(self.err("unexpected model group")),
        };
        self.scope_ns = scope;
        self.fill(id, None, None, meta.documentation.clone(), kind);
        self.trail.pop();
        Ok(id)
    }

    /// Follows xsd-parser's `NillableContent` wrapper to the declared type.
    fn resolve_nillable(&self, ident: TypeIdent) -> Result<TypeIdent, Error> {
        if ident.type_ == IdentType::NillableContent
            && let MetaTypeVariant::Reference(r) = &self.meta(&ident)?.variant
        {
            return Ok(r.type_.clone());
        }
        Ok(ident)
    }

    /// The choice over the members of a substitution group whose head is `head`.
    fn substitution_choice(&mut self, head: &TypeIdent) -> Result<Option<TypeId>, Error> {
        let meta = self.meta(head)?;
        let MetaTypeVariant::Dynamic(d) = &meta.variant else {
            return Ok(None);
        };
        if let Some(id) = self.by_ident.get(head) {
            return Ok(Some(*id));
        }
        let head_q = self.qname(head);
        let id = self.reserve(head, &format!("{}Choice", head_q.local));
        let mut def = ChoiceDef::default();
        let mut taken = BTreeSet::new();
        for derived in &d.derived_types {
            // Members are element idents; a non-abstract head is listed by its own type (an
            // abstract head is not listed at all).
            let member = if derived.type_.type_ == IdentType::Element {
                derived.type_.clone()
            } else {
                head.clone()
            };
            let q = self.qname(&member);
            let ty = if member == *head {
                let target = match &d.type_ {
                    Some(t) => self.resolve_nillable(t.clone())?,
                    None => continue,
                };
                self.type_ref(&target)?
            } else {
                TypeRef::Def(self.element(&q)?)
            };
            def.variants.push(Field {
                rust_name: names::unique(names::camel(&q.local), &mut taken),
                sensitive: self.overlay.is_sensitive(&q),
                wire: q,
                kind: FieldKind::Element,
                ty,
                min: 1,
                max: Some(1),
                nillable: false,
                doc: Vec::new(),
                boxed: false,
                wildcard: None,
                default: None,
                access: Default::default(),
                undeclared: false,
            });
        }
        let doc = vec![format!(
            "The members of the substitution group headed by `{}` (namespace `{}`).",
            head_q.local, head_q.ns
        )];
        self.fill(id, None, None, doc, TypeKind::Choice(def));
        Ok(Some(id))
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
                // A `ref=` to a global element is always qualified; xsd-parser 1.5.2 gives it
                // the referencing schema's `elementFormDefault` (SAML 2.0's `ds:KeyInfo`).
                let placed = self.ns_of_prop(e.ident.ns);
                let ns = if type_.type_ == IdentType::Element {
                    placed
                } else if let Some(ns) = self
                    .schemas
                    .group_forms
                    .corrected(&placed, e.ident.name.as_str())
                {
                    // A local element of a model group from another schema document.
                    ns.to_owned()
                } else if e.form == FormChoiceType::Qualified {
                    placed
                } else {
                    String::new()
                };
                let xml = QName::new(ns, e.ident.name.as_str());
                self.trail.push(xml.local.clone());
                // A `ref=` to a global element points at the element ident; use its type.
                if type_.type_ == IdentType::Element
                    && let Some(choice) = self.substitution_choice(type_)?
                {
                    // A reference to the head of a substitution group: any of its members.
                    self.trail.pop();
                    out.push(Field {
                        rust_name: String::new(),
                        wire: QName::new("", format!("{}_choice", xml.local)),
                        kind: FieldKind::Group,
                        ty: TypeRef::Def(choice),
                        min: if optional_group { 0 } else { e.min_occurs },
                        max: max_of(e.max_occurs),
                        nillable: false,
                        doc: spec_docs(&e.documentation),
                        sensitive: false,
                        boxed: false,
                        wildcard: None,
                        default: None,
                        access: Default::default(),
                        undeclared: false,
                    });
                    return Ok(());
                }
                let ty = if let Some(simple) = self.local_simple_type(type_) {
                    // A local element with an anonymous simple type (`<element name="Kod">
                    // <simpleType><restriction …>`): xsd-parser gives it an element ident of
                    // its own, which would make a struct around the restriction
                    // (`Kod2 { value: Kod }`; SÚKL's eRecept schema has 180 of them). The
                    // field takes the restriction itself.
                    let t = self.resolve_nillable(simple)?;
                    self.type_ref(&t)?
                } else if type_.type_ == IdentType::Element {
                    let q = self.qname(type_);
                    TypeRef::Def(self.element(&q)?)
                } else {
                    let t = self.resolve_nillable(type_.clone())?;
                    self.type_ref(&t)?
                };
                self.trail.pop();
                let mut doc = spec_docs(&e.documentation);
                if let Some((_, _, Some(note))) = self.builtin_of(type_) {
                    doc.push(note.to_owned());
                }
                out.push(Field {
                    rust_name: String::new(),
                    sensitive: self.overlay.is_sensitive(&xml),
                    wire: xml,
                    kind: FieldKind::Element,
                    ty,
                    min: if optional_group { 0 } else { e.min_occurs },
                    max: max_of(e.max_occurs),
                    nillable: e.nillable,
                    doc,
                    boxed: false,
                    wildcard: None,
                    default: None,
                    access: Default::default(),
                    undeclared: false,
                });
                Ok(())
            }
            ElementMetaVariant::Any { meta } => {
                let mut f = any_field(
                    "any",
                    if optional_group { 0 } else { e.min_occurs },
                    max_of(e.max_occurs),
                );
                let wildcard = self.wildcard(meta);
                f.doc = vec![format!(
                    "Elements matched by a wildcard (`xs:any`: {}), kept as parsed.",
                    wildcard.describe()
                )];
                f.wildcard = Some(wildcard);
                out.push(f);
                Ok(())
            }
            // The text of mixed content: the struct's `mixed` flag keeps it.
            ElementMetaVariant::Text => Ok(()),
        }
    }

    /// What an `xs:any` admits; `##other` and `##targetNamespace` are relative to the
    /// namespace of the type that declares it.
    fn wildcard(&self, meta: &AnyMeta) -> Wildcard {
        let tns = self.scope_ns.clone();
        let namespaces = match &meta.namespace {
            None | Some(NamespaceListType::Any) => WildcardNamespaces::Any,
            Some(NamespaceListType::Other) => WildcardNamespaces::Not(vec![tns, String::new()]),
            Some(NamespaceListType::BasicNamespaceList(list)) => WildcardNamespaces::Only(
                list.0
                    .iter()
                    .map(|item| match item {
                        BasicNamespaceListItemType::String(s) => s.clone(),
                        BasicNamespaceListItemType::TargetNamespace => tns.clone(),
                        BasicNamespaceListItemType::Local => String::new(),
                    })
                    .collect(),
            ),
        };
        Wildcard {
            namespaces,
            strict: meta.process_contents == ProcessContentsType::Strict,
        }
    }

    fn name_fields(&self, def: &mut StructDef) {
        let mut taken = BTreeSet::new();
        if let Some(t) = &def.text {
            taken.insert(t.rust_name.clone());
        }
        for f in &mut def.fields {
            f.rust_name = names::unique(names::snake(&f.wire.local), &mut taken);
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
                    doc: spec_docs(&v.documentation),
                }
            })
            .collect();
        Ok(TypeKind::Enum(EnumDef {
            values,
            unknown: "Unknown".to_owned(),
        }))
    }

    fn restricted(&mut self, s: &'a SimpleMeta) -> Result<TypeKind, Error> {
        if s.is_list {
            let item = self.type_ref(&s.base)?;
            return Ok(TypeKind::List(ListDef { item }));
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
                MetaTypeVariant::Enumeration(_) | MetaTypeVariant::Union(_) => {
                    // Facets over an enumeration or a union: the base's own type carries
                    // the value set; the extra facets are checked on the text.
                    return Ok(TypeKind::Restricted(RestrictedDef {
                        base: Builtin::String,
                        facets,
                    }));
                }
                _ => break,
            }
        }
        Err(self.err(format!(
            "cannot find the built-in base of `{}`",
            self.qname(&base)
        )))
    }

    /// Finishes: marks fields (and choice variants) that must be boxed because their type
    /// contains their owner.
    pub fn finish(mut self) -> TypeModel {
        let n = self.model.types.len();
        for owner in 0..n {
            let targets: Vec<(usize, TypeId)> = match self.model.types.get(owner) {
                Some(t) => by_value(&t.kind)
                    .enumerate()
                    .filter_map(|(i, f)| match f.ty {
                        TypeRef::Def(id) if f.cardinality() != Cardinality::Many => Some((i, id)),
                        _ => None,
                    })
                    .collect(),
                None => Vec::new(),
            };
            for (i, target) in targets {
                if reaches(&self.model, target, TypeId(owner))
                    && let Some(t) = self.model.types.get_mut(owner)
                {
                    let fields = match &mut t.kind {
                        TypeKind::Struct(s) => &mut s.fields,
                        TypeKind::Choice(c) => &mut c.variants,
                        _ => continue,
                    };
                    if let Some(f) = fields.get_mut(i) {
                        f.boxed = true;
                    }
                }
            }
        }
        self.model
    }
}

/// The fields (struct fields or choice variants) of a type, in order.
fn by_value(kind: &TypeKind) -> std::slice::Iter<'_, Field> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter(),
        TypeKind::Choice(c) => c.variants.iter(),
        _ => [].iter(),
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
        if let Some(t) = model.get(id) {
            for f in by_value(&t.kind) {
                if let (TypeRef::Def(next), false) = (&f.ty, f.cardinality() == Cardinality::Many) {
                    stack.push(*next);
                }
            }
        }
    }
    false
}

/// `xs:documentation` texts as rustdoc paragraphs (normalised and sanitized; empty ones go).
fn spec_docs(docs: &[String]) -> Vec<String> {
    docs.iter()
        .map(|d| crate::wsdl::normalise_doc(d))
        .filter(|d| !d.is_empty())
        .collect()
}

/// An abstract complex type: xsd-parser marks it dynamic (a `Dynamic` meta when types derive
/// from it through substitution, a complex type with `is_dynamic` otherwise).
fn is_abstract(meta: &MetaType) -> bool {
    match &meta.variant {
        MetaTypeVariant::Dynamic(_) => true,
        MetaTypeVariant::ComplexType(c) => c.is_dynamic,
        _ => false,
    }
}

fn any_field(name: &str, min: usize, max: Option<usize>) -> Field {
    Field {
        rust_name: String::new(),
        wire: QName::new("", name),
        kind: FieldKind::Any,
        ty: TypeRef::AnyElement,
        min,
        max,
        nillable: false,
        doc: vec!["Elements matched by a wildcard (`xs:any`), kept as parsed.".to_owned()],
        sensitive: false,
        boxed: false,
        wildcard: None,
        default: None,
        access: Default::default(),
        undeclared: false,
    }
}

/// Content of `xs:anyType`: any elements and text.
fn any_content() -> StructDef {
    StructDef {
        fields: vec![any_field("any", 0, None)],
        mixed: true,
        ..StructDef::default()
    }
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
    // Patterns of one restriction step are alternatives (XSD 1.0 §4.3.4.3: "or"ed); those of
    // successive steps all apply, which `merge` keeps as separate entries.
    let patterns = match c.patterns.as_slice() {
        [] => Vec::new(),
        [one] => vec![one.clone()],
        many => vec![
            many.iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join("|"),
        ],
    };
    Facets {
        patterns,
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

/// The Rust name of a type. xsd-parser names the anonymous content models of a type
/// `<Owner>Content<N>` with one counter for the whole run, so adding a type anywhere renamed
/// others. Such a name is derived from the model's place instead: its owner, whether it is a
/// choice or a sequence, and its first named element (`SubmitChoiceCode`,
/// `PakietReceptMtGroupRecepta`); a clash left within one owner gets a number from
/// `names::unique`, in schema order.
fn stable_name(ident: &TypeIdent, meta: &MetaType) -> String {
    let name = ident.name.as_str();
    if !ident.name.is_generated() {
        return name.to_owned();
    }
    let owner = name
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .strip_suffix("Content");
    let (Some(owner), true) = (owner, name.ends_with(|c: char| c.is_ascii_digit())) else {
        return name.to_owned();
    };
    let (kind, group) = match &meta.variant {
        MetaTypeVariant::Choice(g) => ("Choice", g),
        MetaTypeVariant::Sequence(g) => ("Group", g),
        MetaTypeVariant::All(g) => ("All", g),
        _ => return name.to_owned(),
    };
    let first = group
        .elements
        .iter()
        .find(|e| e.ident.name.is_named())
        .map(|e| names::camel(e.ident.name.as_str()))
        .unwrap_or_default();
    format!("{owner}{kind}{first}")
}
