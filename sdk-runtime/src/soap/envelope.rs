//! Writing request envelopes strictly and reading response envelopes leniently.

use crate::xml::{
    self, DecodeError, DecodeErrorKind, DiagnosticKind, Document, ElementName, ElementRef,
    ReadContext, Validate, XmlRead, XmlWrite, XmlWriter,
};

/// SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// SOAP protocol version of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SoapVersion {
    /// SOAP 1.1: `text/xml`, action in the `SOAPAction` header.
    V11,
    /// SOAP 1.2: `application/soap+xml`, action as a media-type parameter.
    V12,
}

impl SoapVersion {
    /// The envelope namespace.
    pub const fn namespace(self) -> &'static str {
        match self {
            Self::V11 => SOAP11_NS,
            Self::V12 => SOAP12_NS,
        }
    }

    /// `<soap:Envelope xmlns:soap="…"`, the start of the envelope as written.
    const fn envelope_start_tag(self) -> &'static str {
        match self {
            Self::V11 => concat!(
                "<soap:Envelope xmlns:soap=\"",
                "http://schemas.xmlsoap.org/soap/envelope/",
                "\""
            ),
            Self::V12 => concat!(
                "<soap:Envelope xmlns:soap=\"",
                "http://www.w3.org/2003/05/soap-envelope",
                "\""
            ),
        }
    }

    /// The version whose envelope namespace this is.
    pub fn from_namespace(ns: &str) -> Option<Self> {
        match ns {
            SOAP11_NS => Some(Self::V11),
            SOAP12_NS => Some(Self::V12),
            _ => None,
        }
    }

    /// HTTP headers for a request: content type, and for SOAP 1.1 a `SOAPAction` header when the
    /// binding declares an action. (A binding that declares none gets no header: VZP's working
    /// client sends none, and WSDL 1.1 lets `soapAction` be omitted for non-HTTP routing.)
    pub fn request_headers(self, action: Option<&str>) -> Vec<(&'static str, String)> {
        match (self, action) {
            (Self::V11, Some(a)) => vec![
                ("Content-Type", "text/xml; charset=utf-8".to_owned()),
                ("SOAPAction", format!("\"{a}\"")),
            ],
            (Self::V11, None) => vec![("Content-Type", "text/xml; charset=utf-8".to_owned())],
            (Self::V12, Some(a)) if !a.is_empty() => vec![(
                "Content-Type",
                format!("application/soap+xml; charset=utf-8; action=\"{a}\""),
            )],
            (Self::V12, _) => vec![(
                "Content-Type",
                "application/soap+xml; charset=utf-8".to_owned(),
            )],
        }
    }
}

/// A header block: written into `soap:Header` and validated with the body before sending.
/// `Sync`, so that a call holding header blocks can be sent between threads (`tokio::spawn`).
pub trait HeaderBlock: XmlWrite + Validate + Sync {}

impl<T: XmlWrite + Validate + Sync> HeaderBlock for T {}

/// Writes a request envelope: `soap:Envelope`, an optional `soap:Header`, and `soap:Body` holding
/// the element `body_name` with `body` as its content. The body's namespace is declared on
/// `soap:Body` as prefix `ns1`, as VZP's working client does.
pub fn write_envelope<T: XmlWrite + ?Sized>(
    version: SoapVersion,
    headers: &[(ElementName, &dyn HeaderBlock)],
    body_name: ElementName,
    body: &T,
) -> String {
    let mut w = XmlWriter::new();
    w.declaration();
    let env = version.namespace();
    w.start_prefixed_prebuilt(
        "soap",
        env,
        "Envelope",
        version.envelope_start_tag(),
        "</soap:Envelope>",
    );
    if !headers.is_empty() {
        w.start_prefixed_tags("soap", env, "Header", "<soap:Header", "</soap:Header>");
        for (name, h) in headers {
            w.start_for(name.ns, name.local, *h);
            h.write_xml(&mut w);
            w.end();
        }
        w.end();
    }
    w.start_prefixed_tags("soap", env, "Body", "<soap:Body", "</soap:Body>");
    if !body_name.ns.is_empty() {
        // `ns1` unless the body's generated module names the namespace otherwise (its tags are
        // then written as they were pre-built).
        // A namespace outside that table gets `ns0`, which no table uses.
        match body.namespaces() {
            Some((table, _)) => w.declare_for(Some(table), body_name.ns, "ns0"),
            None => w.declare("ns1", body_name.ns),
        }
    }
    w.start_for(body_name.ns, body_name.local, body);
    body.write_xml(&mut w);
    w.end();
    w.end();
    w.end();
    w.finish()
}

/// Writes the element `name` with `content` as a document of its own (no XML declaration), its
/// namespaces declared on it: what is signed when a service wants the body element signed as a
/// document (an enveloped signature over `URI=""`) before it is put into the envelope with
/// [`envelope_around`].
pub fn write_body_element<T: XmlWrite + ?Sized>(name: ElementName, content: &T) -> String {
    let mut w = XmlWriter::new();
    w.start_for(name.ns, name.local, content);
    content.write_xml(&mut w);
    w.end();
    w.finish()
}

/// A request envelope around `body_element`, the text of one element written (and signed) by
/// the caller — [`write_body_element`] and a document signer — kept byte for byte, so that a
/// signature over it still holds. `body_element` must be one well-formed element without an
/// XML declaration.
pub fn envelope_around(version: SoapVersion, body_element: &str) -> String {
    let env = version.namespace();
    let mut out = String::with_capacity(body_element.len() + 160);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"");
    out.push_str(env);
    out.push_str("\"><soap:Body>");
    out.push_str(body_element);
    out.push_str("</soap:Body></soap:Envelope>");
    out
}

/// A parsed envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The protocol version, from the envelope namespace.
    pub version: SoapVersion,
    doc: Document,
}

impl Envelope {
    /// Parses an envelope; any prefixes, any encoding declared in the prolog.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::parse_with(bytes, &crate::xml::Limits::DEFAULT)
    }

    /// [`parse`](Self::parse) within the XML readers' `limits`.
    pub fn parse_with(bytes: &[u8], limits: &crate::xml::Limits) -> Result<Self, DecodeError> {
        let doc = Document::parse_with(bytes, limits).map_err(DecodeError::from)?;
        Self::from_document(doc)
    }

    /// An envelope from a parsed document (for example the rest of a streamed answer,
    /// [`crate::xml::Records::into_rest`]).
    pub fn from_document(doc: Document) -> Result<Self, DecodeError> {
        let root = doc.root();
        let version = SoapVersion::from_namespace(root.namespace())
            .filter(|_| root.local_name() == "Envelope")
            .ok_or_else(|| DecodeError {
                path: format!("/{}", root.local_name()),
                kind: DecodeErrorKind::NotSoap,
                message: format!(
                    "not a SOAP envelope: root element is `{{{}}}{}`",
                    root.namespace(),
                    root.local_name()
                ),
            })?;
        if root.child(version.namespace(), "Body").is_none() {
            return Err(DecodeError {
                path: "/Envelope".to_owned(),
                kind: DecodeErrorKind::NotSoap,
                message: "the envelope has no Body".to_owned(),
            });
        }
        Ok(Self { version, doc })
    }

    /// The parsed document.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The `Envelope` element.
    pub fn root(&self) -> ElementRef<'_> {
        self.doc.root()
    }

    /// The `Header` element, if any.
    pub fn header(&self) -> Option<ElementRef<'_>> {
        self.root().child(self.version.namespace(), "Header")
    }

    /// The `Body` element.
    pub fn body(&self) -> ElementRef<'_> {
        // `parse` checked that the Body exists; the envelope stands in for the impossible case
        // (its children are not body elements, so nothing would be read from it).
        let root = self.root();
        root.child(self.version.namespace(), "Body").unwrap_or(root)
    }

    /// The `Fault` element, if the body is a fault.
    pub fn fault_element(&self) -> Option<ElementRef<'_>> {
        self.body().child(self.version.namespace(), "Fault")
    }

    /// Decodes the body element `expected` as `T`, collecting diagnostics into `cx`. Read
    /// leniently: if no body element has the expected name but there is exactly one, that one is
    /// read (a server that renamed its response root still yields its fields); further body
    /// elements are reported and skipped.
    pub fn read_body<T: XmlRead>(
        &self,
        expected: ElementName,
        cx: &mut ReadContext,
    ) -> Result<T, DecodeError> {
        cx.enter(self.root());
        cx.enter(self.body());
        let result = read_body_in(self.body(), expected, cx);
        cx.leave();
        cx.leave();
        result
    }
}

fn read_body_in<T: XmlRead>(
    body: ElementRef<'_>,
    expected: ElementName,
    cx: &mut ReadContext,
) -> Result<T, DecodeError> {
    let exact = body
        .child_elements()
        .find(|e| e.is(expected.ns, expected.local));
    let mut children = body.child_elements();
    let chosen = match exact {
        Some(e) => e,
        None => match (children.next(), children.next()) {
            (Some(only), None) => only,
            (None, _) => {
                return Err(cx.error(
                    DecodeErrorKind::NotSoap,
                    format!("empty Body; expected `{}`", expected.local),
                ));
            }
            (Some(first), Some(_)) => {
                cx.diagnose(
                    DiagnosticKind::UnexpectedRoot,
                    format!(
                        "several body elements and none is `{}`; the first is read",
                        expected.local
                    ),
                );
                first
            }
        },
    };
    for other in body.child_elements() {
        if other != chosen {
            cx.enter(other);
            cx.diagnose(
                DiagnosticKind::UnknownElement,
                "extra body element; skipped",
            );
            cx.leave();
        }
    }
    xml::read_named(chosen, expected, cx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pre-built envelope start tags name the version's namespace, as `start_prefixed`
    /// would write them.
    /// The envelope written with its pre-built tags is what the general path writes, with and
    /// without a header.
    #[test]
    fn envelope_tags_are_what_start_prefixed_writes() {
        let x = ElementName { ns: "", local: "x" };
        for version in [SoapVersion::V11, SoapVersion::V12] {
            for with_header in [false, true] {
                let env = version.namespace();
                let mut w = XmlWriter::new();
                w.declaration();
                w.start_prefixed("soap", env, "Envelope");
                if with_header {
                    w.start_prefixed("soap", env, "Header");
                    w.start("", "x");
                    w.end();
                    w.end();
                }
                w.start_prefixed("soap", env, "Body");
                w.start("", "x");
                let general = w.finish();
                let header: (ElementName, &dyn HeaderBlock) = (x, &Unqualified);
                let headers = if with_header { vec![header] } else { vec![] };
                assert_eq!(write_envelope(version, &headers, x, &Unqualified), general);
            }
        }
    }

    /// A body or header of no content, unqualified.
    #[derive(Debug)]
    struct Unqualified;

    impl XmlWrite for Unqualified {
        fn write_xml(&self, _: &mut XmlWriter) {}
    }

    impl Validate for Unqualified {
        fn validate(&self, _: &mut crate::xml::Validator) {}
    }

    #[test]
    fn envelope_start_tags_are_what_start_prefixed_writes() {
        for version in [SoapVersion::V11, SoapVersion::V12] {
            assert_eq!(
                version.envelope_start_tag(),
                format!("<soap:Envelope xmlns:soap=\"{}\"", version.namespace())
            );
        }
    }
}
