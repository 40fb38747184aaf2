//! The service model: what the emitter needs, independent of where it came from.
//!
//! Two front ends fill it: WSDL + XSD (via xsd-parser, `crate::service`) and OpenAPI 3.0 /
//! Swagger 2.0 (`crate::openapi`). Everything that does not depend on the wire — operations with
//! their provenance, documentation and typed errors, types with their fields, documentation and
//! personal-data marks — is one structure, emitted once ([`crate::emit`]). What does depend on it
//! sits in small parts: [`OperationBinding`] (a SOAP action and body elements, or an HTTP method,
//! path and parameters), [`FieldKind`] (element, attribute or JSON property) and a few type
//! shapes only one encoding has (XSD choices and lists; JSON unions and aliases, in [`json`]).

pub mod json;
pub mod rest;
pub mod shared;

use crate::wsdl::QName;

/// Index of a [`TypeDef`] in [`TypeModel::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// All types one service needs, in emission order.
#[derive(Debug, Default)]
pub struct TypeModel {
    /// Type definitions.
    pub types: Vec<TypeDef>,
    /// How values of these types are written on the wire.
    pub encoding: Encoding,
}

/// How the values of a [`TypeModel`] are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// XML, by the runtime's table-driven codec (`XmlRead`/`XmlWrite`).
    #[default]
    Xml,
    /// JSON, by serde.
    Json,
}

impl TypeModel {
    /// The definition of `id`.
    pub fn get(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(id.0)
    }
}

/// One generated Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Rust type name (unique in the module).
    pub rust_name: String,
    /// The XSD name it comes from, for docs (`{ns}name`), if named.
    pub xml_name: Option<QName>,
    /// When the type is a global element's type: that element's name.
    pub element: Option<QName>,
    /// JSON pointer of the schema in the original document (OpenAPI component schemas).
    pub pointer: Option<String>,
    /// A response body reaches this type (JSON: then it reads leniently, never
    /// `deny_unknown_fields`).
    pub in_response: bool,
    /// Documentation paragraphs from the spec (`xs:documentation`, `description`).
    pub doc: Vec<String>,
    /// Shape.
    pub kind: TypeKind,
    /// Where the Rust type is defined.
    pub placement: Placement,
}

/// Where a type of a model is defined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Placement {
    /// In the module generated from this model.
    #[default]
    Here,
    /// In a shared module (`[[schemas]]` of `codegen.toml`): the Rust path code names it by.
    Shared(String),
    /// Nowhere in this module: only shared types reach it, and their module has its own.
    Omitted,
}

impl TypeDef {
    /// A definition with no XML or JSON origin recorded yet.
    pub fn new(rust_name: String, kind: TypeKind) -> Self {
        Self {
            rust_name,
            xml_name: None,
            element: None,
            pointer: None,
            in_response: false,
            doc: Vec::new(),
            kind,
            placement: Placement::Here,
        }
    }
}

/// Shapes of generated types.
#[derive(Debug, Clone)]
// Structs dominate every model; boxing them would only add indirection.
#[allow(clippy::large_enum_variant)]
pub enum TypeKind {
    /// A complex type: attributes, child elements and optionally simple content.
    Struct(StructDef),
    /// A string enumeration.
    Enum(EnumDef),
    /// A restricted simple type: a newtype that checks its facets.
    Restricted(RestrictedDef),
    /// An `xs:choice` (or a substitution group): an enum, one variant per branch.
    Choice(ChoiceDef),
    /// An `xs:union` of simple types: an enum, one variant per member type.
    Union(UnionDef),
    /// An `xs:list`: a newtype over a `Vec` of the item type, whitespace-separated.
    List(ListDef),
    /// A complex type other types derive from (or an abstract one): a value may be of any of
    /// them, named on the wire by `xsi:type`. An enum, one variant per type.
    Polymorphic(PolymorphicDef),
    /// JSON `oneOf`/`anyOf` (or a discriminated `allOf` hierarchy): an enum, one variant per
    /// alternative.
    OneOf(json::OneOfDef),
    /// JSON: a named schema that is another type (`type Name = …;`).
    Alias(TypeRef),
}

/// The types a value of a polymorphic type may have.
#[derive(Debug, Clone, Default)]
pub struct PolymorphicDef {
    /// The declared type itself first (unless it is abstract), then every type derived from it
    /// (by extension or restriction, directly or not), in a stable order.
    pub variants: Vec<PolymorphicVariant>,
}

/// One type of a [`PolymorphicDef`].
#[derive(Debug, Clone)]
pub struct PolymorphicVariant {
    /// Rust variant name.
    pub rust_name: String,
    /// The XSD type name written as `xsi:type`.
    pub type_name: QName,
    /// The struct of that type.
    pub ty: TypeId,
    /// The declared type itself: written without `xsi:type`.
    pub declared: bool,
}

/// A choice: each branch is a [`Field`] (an element, a nested group or a wildcard) whose
/// `rust_name` is the variant name.
#[derive(Debug, Clone, Default)]
pub struct ChoiceDef {
    /// Branches in schema order.
    pub variants: Vec<Field>,
}

/// A union of simple types.
#[derive(Debug, Clone)]
pub struct UnionDef {
    /// Member types in schema order (a value is read as the first member that accepts it).
    pub members: Vec<TypeRef>,
}

/// A list of simple values.
#[derive(Debug, Clone)]
pub struct ListDef {
    /// The item type.
    pub item: TypeRef,
}

/// A complex type (XML) or an object (JSON).
#[derive(Debug, Clone, Default)]
pub struct StructDef {
    /// Attributes and elements in schema order (attributes first).
    pub fields: Vec<Field>,
    /// Simple content (`xs:simpleContent`), written as the element's text.
    pub text: Option<Field>,
    /// `mixed="true"`: character data between the child elements is kept (concatenated).
    pub mixed: bool,
    /// A model group used as a field (a repeated or nested sequence): no element of its own,
    /// no attributes.
    pub group: bool,
    /// JSON: the field and value type of `additionalProperties` when it is a schema (or `true`
    /// beside declared properties): kept in a flattened map.
    pub additional: Option<(String, TypeRef)>,
    /// JSON: `additionalProperties: false`.
    pub closed: bool,
    /// JSON: why no object satisfies the schema, when its parts contradict each other.
    pub unsatisfiable: Option<json::Unsatisfiable>,
}

/// A field of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// Rust field name.
    pub rust_name: String,
    /// Name on the wire: the XML name (`ns` empty for unqualified elements and attributes) or
    /// the JSON property name (`ns` empty).
    pub wire: QName,
    /// Element or attribute.
    pub kind: FieldKind,
    /// Value type.
    pub ty: TypeRef,
    /// `minOccurs` (attributes and JSON properties: 1 when required).
    pub min: usize,
    /// `maxOccurs`; `None` is unbounded (JSON properties: always 1; arrays are
    /// [`TypeRef::Array`]).
    pub max: Option<usize>,
    /// `nillable="true"` (JSON: `nullable`).
    pub nillable: bool,
    /// Documentation.
    pub doc: Vec<String>,
    /// Personal data: redacted in `Debug`.
    pub sensitive: bool,
    /// Stored boxed (recursive types).
    pub boxed: bool,
    /// For [`FieldKind::Any`]: what the wildcard admits.
    pub wildcard: Option<Wildcard>,
    /// The schema's `default` (or `fixed`) value of an attribute.
    pub default: Option<String>,
    /// JSON: `readOnly`/`writeOnly`.
    pub access: json::Access,
    /// JSON: listed in `required` but not declared in `properties` (a slip in the description).
    pub undeclared: bool,
}

/// What an `xs:any` admits. Reading accepts any element there (leniently); the constraint is
/// documented and used to build valid sample messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    /// The namespace constraint.
    pub namespaces: WildcardNamespaces,
    /// `processContents="strict"`: the element must be declared by a schema.
    pub strict: bool,
}

/// The namespace constraint of a wildcard (`""` is "no namespace").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WildcardNamespaces {
    /// `##any`.
    Any,
    /// Any namespace but these (`##other`: the target namespace and no namespace).
    Not(Vec<String>),
    /// Only these (a list, `##targetNamespace`, `##local`).
    Only(Vec<String>),
}

impl Wildcard {
    /// Whether an element in namespace `ns` is admitted.
    pub fn admits(&self, ns: &str) -> bool {
        match &self.namespaces {
            WildcardNamespaces::Any => true,
            WildcardNamespaces::Not(not) => !not.iter().any(|n| n == ns),
            WildcardNamespaces::Only(only) => only.iter().any(|n| n == ns),
        }
    }

    /// For docs, e.g. "any namespace but `urn:x` and none, validated strictly".
    pub fn describe(&self) -> String {
        let list = |l: &[String]| {
            l.iter()
                .map(|n| {
                    if n.is_empty() {
                        "no namespace".to_owned()
                    } else {
                        format!("`{n}`")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ns = match &self.namespaces {
            WildcardNamespaces::Any => "any namespace".to_owned(),
            WildcardNamespaces::Not(l) => format!("any namespace but {}", list(l)),
            WildcardNamespaces::Only(l) => format!("namespaces {}", list(l)),
        };
        let how = if self.strict {
            "declared elements only"
        } else {
            "declared or not"
        };
        format!("{ns}; {how}")
    }
}

impl Field {
    /// How the field is stored.
    pub fn cardinality(&self) -> Cardinality {
        if self.kind == FieldKind::Property {
            return if self.optional() || self.nillable {
                Cardinality::Optional
            } else {
                Cardinality::One
            };
        }
        match (self.min, self.max) {
            (_, Some(0)) => Cardinality::Optional,
            (0, Some(1)) => Cardinality::Optional,
            (_, Some(1)) if self.nillable => Cardinality::Optional,
            (_, Some(1)) => Cardinality::One,
            _ => Cardinality::Many,
        }
    }
}

impl Field {
    /// A repeated element declared `nillable="true"`: each item may be `xsi:nil` (stored as
    /// `Vec<Option<T>>`).
    pub fn nillable_items(&self) -> bool {
        self.kind == FieldKind::Element && self.nillable && self.cardinality() == Cardinality::Many
    }

    /// A JSON property may be absent from an object: not required, or required only in one
    /// direction (`readOnly`/`writeOnly`), or required but not declared.
    pub fn optional(&self) -> bool {
        self.min == 0 || self.access.read_only || self.access.write_only || self.undeclared
    }

    /// The Rust storage of the field.
    pub fn storage(&self) -> Storage {
        if self.kind == FieldKind::Property {
            return match (self.optional(), self.nillable) {
                (true, true) => Storage::Nullable,
                (true, false) => Storage::Optional,
                (false, true) => Storage::RequiredNullable,
                (false, false) => Storage::One,
            };
        }
        match self.cardinality() {
            Cardinality::One => Storage::One,
            Cardinality::Optional => Storage::Optional,
            Cardinality::Many => Storage::Many,
        }
    }
}

/// How a field's value is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// `T`: a constructor argument.
    One,
    /// `Option<T>`, `None` when absent.
    Optional,
    /// `Vec<T>`.
    Many,
    /// JSON, optional and nullable: `sdk_runtime::rest::Nullable<T>` (absent, `null` and a
    /// value differ).
    Nullable,
    /// JSON, required and nullable: `Option<T>` written as `null` for `None`; a constructor
    /// argument.
    RequiredNullable,
}

/// How a field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// `T`.
    One,
    /// `Option<T>`.
    Optional,
    /// `Vec<T>`.
    Many,
}

/// Element or attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A child element.
    Element,
    /// An attribute.
    Attribute,
    /// A nested model group (its type is a group struct or a choice).
    Group,
    /// `xs:any`: elements kept as parsed.
    Any,
    /// A JSON object member.
    Property,
}

/// A string enumeration.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Values in schema order.
    pub values: Vec<EnumValue>,
    /// Name of the variant holding a value the spec does not list (kept when read; refused by
    /// validation before sending).
    pub unknown: String,
}

/// One enumerated value.
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// The value on the wire.
    pub value: String,
    /// Rust variant name.
    pub rust_name: String,
    /// Documentation.
    pub doc: Vec<String>,
}

/// A simple type with facets.
#[derive(Debug, Clone)]
pub struct RestrictedDef {
    /// The built-in it restricts.
    pub base: Builtin,
    /// The facets.
    pub facets: Facets,
}

/// Constraining facets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// `xs:pattern` (all must match, as they come from successive derivations).
    pub patterns: Vec<String>,
    /// `xs:minLength` / `xs:length`.
    pub min_length: Option<usize>,
    /// `xs:maxLength` / `xs:length`.
    pub max_length: Option<usize>,
    /// Lower bound and whether inclusive.
    pub min: Option<(String, bool)>,
    /// Upper bound and whether inclusive.
    pub max: Option<(String, bool)>,
    /// `xs:totalDigits`.
    pub total_digits: Option<usize>,
    /// `xs:fractionDigits`.
    pub fraction_digits: Option<usize>,
}

/// A reference to a value type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// A Rust/runtime type for an XSD built-in.
    Builtin(Builtin),
    /// A generated type.
    Def(TypeId),
    /// A hand-written type named by the overlay (implements `XmlText` and `Validate`).
    Mapped(String),
    /// An element matched by `xs:any`, kept as parsed (`sdk_runtime::xml::Element`).
    AnyElement,
    /// JSON: a scalar with its facets, used in place (strings, numbers, booleans).
    Scalar(Box<json::Scalar>),
    /// JSON: an array (`Vec<T>`).
    Array {
        /// The item type.
        item: Box<TypeRef>,
        /// `minItems`.
        min_items: Option<usize>,
        /// `maxItems`.
        max_items: Option<usize>,
    },
    /// JSON: an object used as a map (`BTreeMap<String, T>`): `additionalProperties` without
    /// properties; free-form objects are maps of [`TypeRef::AnyJson`].
    Map(Box<TypeRef>),
    /// JSON: a nullable array item or map value (`Option<T>`).
    Nullable(Box<TypeRef>),
    /// JSON: any value (`serde_json::Value`).
    AnyJson,
}

/// XSD built-ins and the Rust types they map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `String` (string and its derivations, and lexical types kept as text).
    String,
    /// `bool`.
    Bool,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `i128` for unbounded `xs:integer`.
    I128,
    /// `u128` for unbounded non-negative integers.
    U128,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `time::Date`.
    Date,
    /// Another XSD built-in, named by its XSD local name: a runtime value type where
    /// [`Builtin::runtime_value`] names one (`decimal`, `dateTime`, …), otherwise `String`
    /// holding the lexical form (`anyURI`, `token`, `ID`, …; what a valid value looks like
    /// differs from `string`, and sample messages need it).
    Lexical(&'static str),
}

impl Builtin {
    /// The runtime value type (`sdk_runtime::values::…`) of an XSD built-in that has no exact
    /// Rust counterpart: decimals, date-times, times, durations and the Gregorian parts.
    pub fn runtime_value(self) -> Option<&'static str> {
        match self {
            Self::Lexical(name) => Some(match name {
                "decimal" => "Decimal",
                "dateTime" => "DateTime",
                "time" => "Time",
                "duration" => "Duration",
                "gYear" => "GYear",
                "gYearMonth" => "GYearMonth",
                "gMonth" => "GMonth",
                "gMonthDay" => "GMonthDay",
                "gDay" => "GDay",
                _ => return None,
            }),
            _ => None,
        }
    }

    /// `true` for types compared by numeric value (range facets apply).
    pub fn is_numeric(self) -> bool {
        !matches!(
            self,
            Self::String | Self::Bool | Self::Date | Self::Lexical(_)
        )
    }
}

/// Where an operation's description comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Seen in a working public client.
    WireVerified,
    /// Matches a published file.
    Published,
    /// From prose; names may differ.
    Reconstructed,
}

impl Provenance {
    /// Parses a spec's mark.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wire-verified" => Some(Self::WireVerified),
            "published" => Some(Self::Published),
            "reconstructed" => Some(Self::Reconstructed),
            _ => None,
        }
    }

    /// The mark as written in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WireVerified => "wire-verified",
            Self::Published => "published",
            Self::Reconstructed => "reconstructed",
        }
    }
}

/// SOAP version of the chosen binding.
pub use crate::wsdl::SoapVersion;

/// One service: the unit a generated module covers.
#[derive(Debug)]
pub struct ServiceModel {
    /// Service name (WSDL service, OpenAPI `info.title`).
    pub name: String,
    /// Documentation paragraphs (service, else definitions; OpenAPI `info.description`).
    pub doc: Vec<String>,
    /// The spec file, relative to the workspace, for the header.
    pub source: String,
    /// How the service is reached.
    pub protocol: Protocol,
    /// Operations in spec order.
    pub operations: Vec<OperationModel>,
    /// Types reachable from the operations.
    pub types: TypeModel,
}

impl ServiceModel {
    /// The types of the messages of every SOAP operation (body, header and fault parts), in
    /// operation order; `None` when an operation is not SOAP.
    pub fn soap_message_types(&self) -> Option<Vec<TypeId>> {
        let mut out = Vec::new();
        for op in &self.operations {
            let OperationBinding::Soap(s) = &op.binding else {
                return None;
            };
            let faults = op.errors.iter().filter_map(|e| match &e.matcher {
                ErrorMatch::Fault(p) => Some(p),
                ErrorMatch::Status { .. } => None,
            });
            out.extend(
                s.input
                    .iter()
                    .chain(&s.output)
                    .chain(&s.input_headers)
                    .chain(faults)
                    .map(|p| p.ty),
            );
        }
        Some(out)
    }
}

/// How a service is reached.
#[derive(Debug)]
pub enum Protocol {
    /// SOAP over HTTP.
    Soap {
        /// SOAP version of the binding.
        version: SoapVersion,
        /// `soap:address location`, if any.
        address: Option<String>,
    },
    /// HTTP + JSON, described by OpenAPI.
    Rest(rest::RestService),
}

/// One operation.
#[derive(Debug)]
pub struct OperationModel {
    /// Spec name (WSDL operation, `operationId`, or `METHOD /path`).
    pub name: String,
    /// Rust module / method name.
    pub rust_name: String,
    /// Documentation paragraphs.
    pub doc: Vec<String>,
    /// Provenance mark (specs without one take the crate's `default_provenance`; published
    /// files are generated as published).
    pub provenance: Provenance,
    /// Where it was seen or described, if the spec says.
    pub source: Option<String>,
    /// Deprecated by the spec.
    pub deprecated: bool,
    /// What the service can answer instead of an output: SOAP faults, HTTP error statuses.
    pub errors: Vec<ErrorCase>,
    /// The wire.
    pub binding: OperationBinding,
}

/// The protocol-specific part of an operation.
#[derive(Debug)]
pub enum OperationBinding {
    /// A SOAP operation.
    Soap(SoapOperation),
    /// A REST operation.
    Rest(rest::RestOperation),
}

/// A SOAP operation's messages.
#[derive(Debug)]
pub struct SoapOperation {
    /// `soapAction`.
    pub action: Option<String>,
    /// Input body parts: element name and the type of its content.
    pub input: Vec<Part>,
    /// Output body parts.
    pub output: Vec<Part>,
    /// Input header blocks.
    pub input_headers: Vec<Part>,
    /// Body elements of this operation no schema declares (rpc/literal wrappers, the elements
    /// document-style `type=` parts imply), for validators that need them declared.
    pub undeclared: Vec<UndeclaredElement>,
}

/// A body element no schema declares, described so that a schema can declare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeclaredElement {
    /// Its name.
    pub element: QName,
    /// Its content.
    pub content: UndeclaredContent,
}

/// The content of an [`UndeclaredElement`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndeclaredContent {
    /// Of the named XSD type.
    Type(QName),
    /// A sequence of unqualified elements (name, named XSD type): an rpc/literal wrapper.
    Parts(Vec<(String, QName)>),
}

/// One typed error of an operation: a variant of its `Error` enum.
#[derive(Debug, Clone)]
pub struct ErrorCase {
    /// Rust variant name.
    pub variant: String,
    /// The spec's name for it (fault name, `HTTP 404`).
    pub label: String,
    /// The spec's description.
    pub doc: Option<String>,
    /// What selects it.
    pub matcher: ErrorMatch,
}

/// What selects an [`ErrorCase`].
#[derive(Debug, Clone)]
pub enum ErrorMatch {
    /// A SOAP fault whose detail is this element (decoded as its type).
    Fault(Part),
    /// An HTTP status (or range, or any undocumented one) and its body.
    Status {
        /// The status.
        code: rest::Code,
        /// The body.
        body: rest::ResponseBody,
    },
}

/// A message part: a global element and the type of its content.
#[derive(Debug, Clone)]
pub struct Part {
    /// The element's name.
    pub element: QName,
    /// The type of its content.
    pub ty: TypeId,
}

/// A global element that can be the root of a message, and the type of its content.
#[derive(Debug, Clone)]
pub struct RootElement {
    /// The element's name.
    pub name: QName,
    /// The type of its content.
    pub ty: TypeId,
}
