//! Lenient, schema-directed reading with diagnostics.
//!
//! "Read leniently, write strictly": a response that carries unknown elements, known elements in
//! another order, elements in an unexpected namespace or values outside an enumeration still
//! decodes; each deviation becomes a [`Diagnostic`] naming its element path. Only what makes a
//! typed value impossible (a required element missing, a date that is not a date) is an error.

use std::fmt;

use super::doc::ElementRef;

/// A deviation from the schema that did not stop decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Element path, e.g. `/Envelope/Body/prubehPojisteniDruhB2BOdpoved/poznamka`.
    pub path: String,
    /// What kind of deviation.
    pub kind: DiagnosticKind,
    /// A sentence for people.
    pub message: String,
}

/// Kinds of [`Diagnostic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// An element the schema does not declare here; skipped.
    UnknownElement,
    /// A known element after one that the schema orders after it.
    OutOfOrder,
    /// A known local name in another namespace than the schema's; accepted.
    NamespaceMismatch,
    /// A single-valued element that occurred again; the first is kept.
    Duplicate,
    /// The body element has another name than the schema's; read as the expected type.
    UnexpectedRoot,
    /// A value outside an enumeration or failing a facet; kept as received.
    InvalidValue,
    /// Child elements where the schema has a simple value; their text was used.
    UnexpectedChildElements,
    /// Non-whitespace text where the schema has only elements; ignored.
    UnexpectedText,
    /// An attribute the schema does not declare; ignored.
    UnknownAttribute,
    /// An `xsi:type` the generated type does not interpret: the content is read with the
    /// declared type.
    UnexpectedXsiType,
}

impl DiagnosticKind {
    /// A stable, machine-readable name (`unknown-element`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnknownElement => "unknown-element",
            Self::OutOfOrder => "out-of-order",
            Self::NamespaceMismatch => "namespace-mismatch",
            Self::Duplicate => "duplicate",
            Self::UnexpectedRoot => "unexpected-root",
            Self::InvalidValue => "invalid-value",
            Self::UnexpectedChildElements => "unexpected-child-elements",
            Self::UnexpectedText => "unexpected-text",
            Self::UnknownAttribute => "unknown-attribute",
            Self::UnexpectedXsiType => "unexpected-xsi-type",
        }
    }
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Decoding could not produce a typed value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
#[non_exhaustive]
pub struct DecodeError {
    /// Element path where decoding failed.
    pub path: String,
    /// What went wrong.
    pub kind: DecodeErrorKind,
    /// A sentence for people.
    pub message: String,
}

/// Kinds of [`DecodeError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The bytes are not well-formed XML.
    Malformed,
    /// A required element or attribute is missing.
    Missing,
    /// A value cannot be converted to its type.
    InvalidValue,
    /// The message does not have the SOAP structure (no Envelope or Body, empty Body).
    NotSoap,
    /// The answer is a SOAP fault where a value was expected (a streamed answer; whole answers
    /// report faults as typed service errors).
    Fault,
    /// The document went over one of the readers' [`Limits`](super::Limits).
    Limit(super::XmlLimit),
}

impl From<super::ParseError> for DecodeError {
    /// A document that could not be parsed: [`DecodeErrorKind::Limit`] when it went over a
    /// limit, [`DecodeErrorKind::Malformed`] otherwise.
    fn from(e: super::ParseError) -> Self {
        DecodeError {
            path: "/".to_owned(),
            kind: e
                .limit
                .map_or(DecodeErrorKind::Malformed, DecodeErrorKind::Limit),
            message: e.to_string(),
        }
    }
}

/// A value that could not be read from its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl ValueError {
    /// A value error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// State of one decoding run: the current element path and the diagnostics collected.
#[derive(Debug, Default)]
pub struct ReadContext {
    /// The current path, `/a/b/c`, in one buffer (entering and leaving an element appends and
    /// truncates: no allocation per element once it has grown).
    path: String,
    /// Where each entered step starts in `path`.
    marks: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
    /// The element whose `xsi:type` a polymorphic type interpreted (by address), so that the
    /// type it dispatched to does not report it again.
    xsi_type_taken: Option<(usize, u32)>,
}

impl ReadContext {
    /// A fresh context at the document root.
    pub fn new() -> Self {
        Self {
            path: String::with_capacity(128),
            marks: Vec::with_capacity(16),
            ..Self::default()
        }
    }

    /// The current element path.
    pub fn path(&self) -> String {
        if self.path.is_empty() {
            return "/".to_owned();
        }
        self.path.clone()
    }

    fn push_step(&mut self, step: &str) {
        self.marks.push(self.path.len());
        self.path.push('/');
        self.path.push_str(step);
    }

    fn pop_step(&mut self) {
        if let Some(mark) = self.marks.pop() {
            self.path.truncate(mark);
        }
    }

    fn path_with(&self, local: &str) -> String {
        let mut s = self.path();
        if !s.ends_with('/') {
            s.push('/');
        }
        s.push_str(local);
        s
    }

    /// Enters an element (for paths).
    pub fn enter(&mut self, element: ElementRef<'_>) {
        self.push_step(element.local_name());
    }

    /// Enters an element known by its local name only (a container of streamed records).
    pub fn enter_name(&mut self, local: &str) {
        self.push_step(local);
    }

    /// Leaves the element last entered.
    pub fn leave(&mut self) {
        self.pop_step();
    }

    /// Records a diagnostic at the current path.
    pub fn diagnose(&mut self, kind: DiagnosticKind, message: impl Into<String>) {
        let path = self.path();
        self.diagnostics.push(Diagnostic {
            path,
            kind,
            message: message.into(),
        });
    }

    pub(crate) fn diagnose_child_at(
        &mut self,
        child: ElementRef<'_>,
        kind: DiagnosticKind,
        message: String,
    ) {
        let path = self.path_with(child.local_name());
        self.diagnostics.push(Diagnostic {
            path,
            kind,
            message,
        });
    }

    /// The diagnostics collected so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Takes the diagnostics collected so far, leaving the context in place.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics)
    }

    /// Takes the diagnostics out of the context.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// An error at the current path.
    pub fn error(&self, kind: DecodeErrorKind, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: self.path(),
            kind,
            message: message.into(),
        }
    }

    /// Reads a simple value from an element's text, leniently.
    pub fn text_value<T: XmlText>(&mut self, element: ElementRef<'_>) -> Result<T, DecodeError> {
        self.enter(element);
        let result = self.text_value_here(element);
        self.leave();
        result
    }

    /// Reads the simple content of the element the context is positioned at (for complex types
    /// with simple content, whose text is the value).
    pub fn own_text_value<T: XmlText>(
        &mut self,
        element: ElementRef<'_>,
    ) -> Result<T, DecodeError> {
        self.text_value_here(element)
    }

    fn text_value_here<T: XmlText>(&mut self, element: ElementRef<'_>) -> Result<T, DecodeError> {
        let text = if element.has_child_elements() {
            self.diagnose(
                DiagnosticKind::UnexpectedChildElements,
                "child elements where a simple value is expected; their text is used",
            );
            std::borrow::Cow::Owned(element.deep_text())
        } else {
            element.text()
        };
        T::from_xml_text_lenient(&text, self)
            .map_err(|e| self.error(DecodeErrorKind::InvalidValue, e.0))
    }

    /// Reads a simple value from an attribute, leniently.
    pub fn attribute_value<T: XmlText>(
        &mut self,
        element: ElementRef<'_>,
        ns: &str,
        local: &str,
    ) -> Result<Option<T>, DecodeError> {
        let Some(text) = element.attribute(ns, local) else {
            return Ok(None);
        };
        self.enter(element);
        self.marks.push(self.path.len());
        self.path.push_str("/@");
        self.path.push_str(local);
        let result = T::from_xml_text_lenient(text, self)
            .map(Some)
            .map_err(|e| self.error(DecodeErrorKind::InvalidValue, e.0));
        self.pop_step();
        self.leave();
        result
    }

    /// Reads a complex value from an element.
    pub fn complex_value<T: XmlRead>(&mut self, element: ElementRef<'_>) -> Result<T, DecodeError> {
        self.enter(element);
        let result = T::read_xml(element, self);
        self.leave();
        result
    }

    /// Unwraps a required field or reports it missing under `parent`.
    pub fn required<T>(&self, slot: Option<T>, local: &str) -> Result<T, DecodeError> {
        slot.ok_or_else(|| DecodeError {
            path: self.path_with(local),
            kind: DecodeErrorKind::Missing,
            message: format!("required element `{local}` is missing"),
        })
    }

    /// Records attributes of `element` that are not in `known`. Namespace declarations and
    /// `xsi:` attributes are not unknown; an `xsi:type` is reported as not interpreted.
    pub fn check_attributes(&mut self, element: ElementRef<'_>, known: &[ElementName]) {
        if !element.has_attributes() && self.xsi_type_taken.is_none() {
            return;
        }
        for attr in element.attributes() {
            if attr.ns == super::XSI_NS {
                let taken = self.xsi_type_taken == Some(element.key());
                if attr.local == "type" && !taken {
                    let message = format!(
                        "xsi:type `{}` is not interpreted; the content is read with the declared type",
                        attr.value
                    );
                    self.diagnose(DiagnosticKind::UnexpectedXsiType, message);
                }
                continue;
            }
            if !known
                .iter()
                .any(|k| k.local == attr.local && k.ns == attr.ns)
            {
                let message = format!("unknown attribute `{}`; ignored", attr.local);
                self.diagnose(DiagnosticKind::UnknownAttribute, message);
            }
        }
        if self.xsi_type_taken == Some(element.key()) {
            self.xsi_type_taken = None;
        }
    }

    /// Marks the `xsi:type` of `element` as interpreted: a polymorphic type read the element
    /// as the derived type it names, so that type's attribute check does not report it.
    pub fn take_xsi_type(&mut self, element: ElementRef<'_>) {
        self.xsi_type_taken = Some(element.key());
    }
}

/// A simple value with a text form (XSD simple types).
pub trait XmlText: Sized {
    /// The canonical text form written on the wire.
    fn to_xml_text(&self) -> std::borrow::Cow<'_, str>;

    /// Writes the text form as character data. The default escapes [`to_xml_text`](Self::to_xml_text);
    /// a type whose text never needs escaping and is costly to build separately (base64
    /// documents) writes it straight into the output.
    fn write_xml_text(&self, w: &mut super::XmlWriter) {
        w.text(&self.to_xml_text());
    }

    /// Strict parsing: the text must be a valid lexical form of the type.
    fn from_xml_text(text: &str) -> Result<Self, ValueError>;

    /// Lenient parsing used when reading messages. The default is strict; types that can keep an
    /// out-of-schema value (enumerations with an `Unknown` case, restricted strings) override it
    /// and record a diagnostic instead of failing.
    fn from_xml_text_lenient(text: &str, cx: &mut ReadContext) -> Result<Self, ValueError> {
        let _ = cx;
        Self::from_xml_text(text)
    }
}

/// Strict reading of a restricted simple type: the base type's lexical form, then its facets.
/// `wrap` builds the restricted value from the base value (usually the newtype's constructor).
pub fn restricted_from_text<B: XmlText, T: super::Validate>(
    text: &str,
    wrap: impl FnOnce(B) -> T,
) -> Result<T, ValueError> {
    let value = wrap(B::from_xml_text(text)?);
    value
        .validated()
        .map_err(|e| ValueError::new(e.to_string()))?;
    Ok(value)
}

/// Lenient reading of a restricted simple type: the value is kept even when it breaks a facet,
/// and each broken rule becomes an [`DiagnosticKind::InvalidValue`] diagnostic.
pub fn restricted_from_text_lenient<B: XmlText, T: super::Validate>(
    text: &str,
    cx: &mut ReadContext,
    wrap: impl FnOnce(B) -> T,
) -> Result<T, ValueError> {
    let value = wrap(B::from_xml_text_lenient(text, cx)?);
    if let Err(e) = value.validated() {
        for violation in e.violations {
            cx.diagnose(DiagnosticKind::InvalidValue, violation.message);
        }
    }
    Ok(value)
}

/// Writes a complex value's attributes and content into the element the caller has just
/// opened. Object-safe, so header blocks of different types can sit in one list.
pub trait XmlWrite {
    /// Writes attributes and content.
    fn write_xml(&self, w: &mut super::XmlWriter);

    /// The namespace table of the generated module whose tags this content is written with,
    /// and the entries it can use (see [`NsTable`](super::NsTable)); `None` (the default) for
    /// content written through the general path only.
    fn namespaces(&self) -> Option<(&'static super::NsTable, u64)> {
        None
    }
}

/// Reads a complex value from an element.
pub trait XmlRead: Sized {
    /// Reads the value from `element`; `cx` is positioned at that element.
    fn read_xml(element: ElementRef<'_>, cx: &mut ReadContext) -> Result<Self, DecodeError>;
}

/// A complex value (XSD complex type): written and read as an element's content.
pub trait XmlType: XmlWrite + XmlRead {}

impl<T: XmlWrite + XmlRead> XmlType for T {}

/// The name of an element, as the generator emits it for message parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElementName {
    /// Namespace name ("" for none).
    pub ns: &'static str,
    /// Local name.
    pub local: &'static str,
}

impl ElementName {
    /// An element name.
    pub const fn new(ns: &'static str, local: &'static str) -> Self {
        Self { ns, local }
    }
}

impl fmt::Display for ElementName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}{}", self.ns, self.local)
    }
}

/// A complex value declared by a global element with an anonymous type: it knows its own name.
pub trait XmlElement: XmlType {
    /// The element's name.
    const NAME: ElementName;

    /// Writes the whole element.
    fn write_element(&self, w: &mut super::XmlWriter) {
        w.start_static(Self::NAME.ns, Self::NAME.local);
        self.write_xml(w);
        w.end();
    }

    /// Serialises the element alone as an XML document (for logging and validation).
    fn to_xml_document(&self) -> String {
        let mut w = super::XmlWriter::new();
        w.declaration();
        self.write_element(&mut w);
        w.finish()
    }
}

/// Reads `element` as a `T` declared by the element `expected`, leniently: another name is
/// accepted with a [`DiagnosticKind::UnexpectedRoot`] diagnostic.
pub fn read_named<T: XmlRead>(
    element: ElementRef<'_>,
    expected: ElementName,
    cx: &mut ReadContext,
) -> Result<T, DecodeError> {
    if !element.is(expected.ns, expected.local) {
        let path = cx.path_with(element.local_name());
        cx.diagnostics.push(Diagnostic {
            path,
            kind: DiagnosticKind::UnexpectedRoot,
            message: format!(
                "expected `{expected}`, found `{{{}}}{}`; read as the expected type",
                element.namespace(),
                element.local_name()
            ),
        });
    }
    cx.complex_value(element)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::doc::Document;
    use super::*;

    #[test]
    fn missing_required_names_the_path() {
        let mut cx = ReadContext::new();
        let doc = Document::parse(b"<r/>").unwrap();
        cx.enter(doc.root());
        let err = cx.required::<String>(None, "kDatu").unwrap_err();
        assert_eq!(err.path, "/r/kDatu");
        assert_eq!(err.kind, DecodeErrorKind::Missing);
    }
}
