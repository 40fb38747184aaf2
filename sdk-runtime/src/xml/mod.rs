//! XML for the generated types: a strict writer, a namespace-aware lenient reader, and the traits
//! generated types implement ([`XmlText`] for simple types, [`XmlType`] and [`XmlElement`] for
//! complex types, [`Validate`] for checks before sending).

mod content;
mod doc;
mod dom;
mod limits;
mod pattern;
mod read;
mod scopes;
mod stream;
mod validate;
mod value;
mod writer;
pub(crate) use writer::{escape_attr_into, escape_text_into};

pub use crate::values::{DateTimeValue, parse_date_time};
pub use content::{
    Content, Particle, XmlGroup, list_from_text, list_to_text, put_any, put_attr, put_complex,
    put_complex_all, put_complex_all_nil, put_complex_nil, put_complex_opt, put_group, put_text,
    put_text_all, put_text_all_nil, put_text_nil, put_text_opt,
};
pub use doc::{AttributeRef, Document, ElementRef, NodeRef};
pub use dom::{Attribute, Element, MAX_DEPTH, Node, ParseError, decode, parse, parse_str};
pub use limits::{Limits, XmlLimit};
pub use pattern::{pattern_matches, xsd_pattern_to_regex};
pub use read::{
    DecodeError, DecodeErrorKind, Diagnostic, DiagnosticKind, ElementName, ReadContext, ValueError,
    XmlElement, XmlRead, XmlText, XmlType, XmlWrite, read_named, restricted_from_text,
    restricted_from_text_lenient,
};
pub use stream::{
    DEFAULT_MAX_RECORD_BYTES, MAX_KEPT_DIAGNOSTICS, RecordReader, Records, Utf8Reader,
    declared_encoding,
};
pub use validate::{Validate, ValidationError, Validator, Violation, ViolationKind};
pub use value::{Base64Text, base64_from_text, base64_to_text, parse_date};
pub use writer::{NsTable, Tag, XmlWriter, escape_attr};

/// The XML Schema instance namespace (`xsi:type`, `xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
