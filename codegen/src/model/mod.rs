//! The service model: what the emitter needs, independent of where it came from (WSDL + XSD via
//! xsd-parser today; OpenAPI feeds the same type model later).

use crate::wsdl::QName;

/// Index of a [`TypeDef`] in [`TypeModel::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// All types one service needs, in emission order.
#[derive(Debug, Default)]
pub struct TypeModel {
    /// Type definitions.
    pub types: Vec<TypeDef>,
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
    /// `xs:documentation`, one entry per annotation.
    pub doc: Vec<String>,
    /// Shape.
    pub kind: TypeKind,
}

/// Shapes of generated types.
#[derive(Debug, Clone)]
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

/// A complex type.
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
}

/// A field of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// Rust field name.
    pub rust_name: String,
    /// XML name; `ns` is empty for unqualified elements and attributes.
    pub xml: QName,
    /// Element or attribute.
    pub kind: FieldKind,
    /// Value type.
    pub ty: TypeRef,
    /// `minOccurs` (attributes: 1 when required).
    pub min: usize,
    /// `maxOccurs`; `None` is unbounded.
    pub max: Option<usize>,
    /// `nillable="true"`.
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
        match (self.min, self.max) {
            (_, Some(0)) => Cardinality::Optional,
            (0, Some(1)) => Cardinality::Optional,
            (_, Some(1)) if self.nillable => Cardinality::Optional,
            (_, Some(1)) => Cardinality::One,
            _ => Cardinality::Many,
        }
    }
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
}

/// A string enumeration.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Values in schema order.
    pub values: Vec<EnumValue>,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// A Rust/runtime type for an XSD built-in.
    Builtin(Builtin),
    /// A generated type.
    Def(TypeId),
    /// A hand-written type named by the overlay (implements `XmlText` and `Validate`).
    Mapped(String),
    /// An element matched by `xs:any`, kept as parsed (`sdk_runtime::xml::Element`).
    AnyElement,
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
    /// `String` holding the lexical form of another XSD built-in (`dateTime`, `decimal`,
    /// `anyURI`, `token`, `ID`, …), named by its XSD local name: the Rust type is the same as
    /// [`Builtin::String`], but what a valid value looks like differs (sample messages need it).
    Lexical(&'static str),
}

impl Builtin {
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
    /// Service name from the WSDL.
    pub name: String,
    /// Documentation (service, else definitions).
    pub doc: Option<String>,
    /// The spec file, relative to the workspace, for the header.
    pub source: String,
    /// `soap:address location`, if any.
    pub address: Option<String>,
    /// SOAP version of the binding.
    pub version: SoapVersion,
    /// Operations in WSDL order.
    pub operations: Vec<OperationModel>,
    /// Types reachable from the operations.
    pub types: TypeModel,
}

/// One operation.
#[derive(Debug)]
pub struct OperationModel {
    /// WSDL name.
    pub name: String,
    /// Rust module / method name.
    pub rust_name: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Provenance mark (specs without one are treated as published when generated from a
    /// published file; the overlay states which).
    pub provenance: Provenance,
    /// Where it was seen, if the spec says.
    pub source: Option<String>,
    /// `soapAction`.
    pub action: Option<String>,
    /// Input body parts: element name and the type of its content.
    pub input: Vec<Part>,
    /// Output body parts.
    pub output: Vec<Part>,
    /// Input header blocks.
    pub input_headers: Vec<Part>,
    /// Declared faults: (fault name, detail element).
    pub faults: Vec<(String, Part)>,
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
