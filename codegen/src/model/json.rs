//! The parts of the type model only JSON has: scalars with their facets used in place, unions
//! (`oneOf`/`anyOf`, discriminated or not), `readOnly`/`writeOnly`, and schemas that contradict
//! themselves.

use serde_json::Value;

use super::TypeRef;

/// A scalar JSON value with the facets that matter for docs, checks and samples.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scalar {
    /// The Rust type.
    pub kind: ScalarKind,
    /// `format` (kept as text for strings: `date`, `date-time`, `uuid`, …).
    pub format: Option<String>,
    /// `minLength`.
    pub min_length: Option<usize>,
    /// `maxLength`.
    pub max_length: Option<usize>,
    /// `pattern` (ECMA 262, unanchored).
    pub pattern: Option<String>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum` (OpenAPI 3.0: a flag on `minimum`).
    pub exclusive_minimum: bool,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `multipleOf` (positive).
    pub multiple_of: Option<f64>,
    /// Allowed values of a non-string enum (kept as the scalar type, listed in the docs).
    pub enumeration: Vec<Value>,
    /// The schema's `example`.
    pub example: Option<Value>,
}

/// The Rust type of a JSON scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScalarKind {
    /// `String`.
    #[default]
    String,
    /// `i32` (`format: int32`).
    I32,
    /// `i64`.
    I64,
    /// `f64` (`format: float` or `double`: a binary float by the spec's own choice).
    F64,
    /// `sdk_runtime::values::Decimal`: any other `number`, exact.
    Decimal,
    /// `bool`.
    Bool,
}

/// `oneOf`/`anyOf`: one variant per alternative.
#[derive(Debug, Clone)]
pub struct OneOfDef {
    /// The alternatives.
    pub variants: Vec<Variant>,
    /// Discriminating property, with a catch-all variant for unknown tags.
    pub discriminator: Option<Discriminator>,
}

/// One alternative of a [`OneOfDef`].
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust variant name.
    pub rust: String,
    /// Its type.
    pub ty: TypeRef,
    /// Tag values selecting this variant (discriminated unions).
    pub tags: Vec<String>,
    /// Boxed to break a cycle of direct containment.
    pub boxed: bool,
}

/// The discriminator of a union.
#[derive(Debug, Clone)]
pub struct Discriminator {
    /// The tag property.
    pub property: String,
    /// Name of the catch-all variant (holds the JSON value).
    pub unknown: String,
}

/// `readOnly`/`writeOnly` of a property.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    /// `readOnly`, on the property or on the schema it references.
    pub read_only: bool,
    /// `writeOnly`, on the property or on the schema it references.
    pub write_only: bool,
    /// `readOnly` comes only from a referenced schema, not the property itself: OpenAPI 3.0
    /// validators then do not waive `required` in requests.
    pub read_only_by_reference: bool,
    /// `writeOnly` comes only from a referenced schema: `required` is not waived in responses.
    pub write_only_by_reference: bool,
}

/// Why no value can satisfy a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsatisfiable {
    /// E.g. ``"`ScauLP.NEOMEZ`: `format: date` values are 10 characters long, but maxLength is
    /// 1"``.
    pub reason: String,
    /// The properties (wire names) a validator's complaints must concern: the impossible ones,
    /// or those a closed schema refuses.
    pub properties: Vec<String>,
}
