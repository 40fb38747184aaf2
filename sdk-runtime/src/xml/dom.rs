//! A small namespace-resolved element tree, parsed with quick-xml.
//!
//! SOAP messages are small and read once, so a tree is the simplest base for lenient reading:
//! generated readers look children up by (namespace, local name) in any order, and faults keep
//! their `detail` as a tree. Names are resolved while parsing, so whatever prefixes a server
//! chooses (`ns0:`, `SOAP-ENV:`, a default namespace) make no difference.

use std::borrow::Cow;
use std::sync::Arc;

/// Deepest element nesting accepted; protects the recursive readers from hostile input.
pub const MAX_DEPTH: usize = 256;

/// One XML element with its namespace-resolved name, attributes and content.
///
/// Two elements are equal when their names, attributes and content are: prefixes, namespace
/// declarations and source positions do not count.
#[derive(Clone)]
pub struct Element {
    ns: Arc<str>,
    local: Arc<str>,
    prefix: Option<Arc<str>>,
    attrs: Vec<Attribute>,
    nodes: Vec<Node>,
    ns_decls: Vec<(String, String)>,
    /// `xsi:type`, resolved against the namespaces in scope where it was read.
    xsi_type: Option<(String, String)>,
    offset: usize,
    end: usize,
}

impl PartialEq for Element {
    /// Names, attributes and content; prefixes, positions and the prefix inside an `xsi:type`
    /// value do not matter (the resolved type name does).
    fn eq(&self, other: &Self) -> bool {
        let plain = |a: &&Attribute| !(a.ns == super::XSI_NS && a.local == "type");
        self.ns == other.ns
            && self.local == other.local
            && self.xsi_type == other.xsi_type
            && self
                .attrs
                .iter()
                .filter(plain)
                .eq(other.attrs.iter().filter(plain))
            && self.nodes == other.nodes
    }
}

impl Eq for Element {}

/// An attribute with its namespace-resolved name (`ns` is empty for unqualified attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attribute {
    /// Namespace name; empty when the attribute is unqualified.
    pub ns: String,
    /// Local name.
    pub local: String,
    /// Normalised value.
    pub value: String,
}

/// Content of an element: child elements and text (CDATA is merged into text; comments and
/// processing instructions are dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data.
    Text(String),
}

/// Why a document could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    /// Byte offset in the (decoded) input where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// The limit the input went over, when that is what is wrong.
    pub limit: Option<super::XmlLimit>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.limit {
            Some(_) => write!(f, "XML refused at byte {}: {}", self.offset, self.message),
            None => write!(f, "malformed XML at byte {}: {}", self.offset, self.message),
        }
    }
}

impl std::error::Error for ParseError {}

impl ParseError {
    /// A parse error at `offset`.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
            limit: None,
        }
    }

    /// The input went over `limit` (of `value`) at `offset`.
    pub fn over(offset: usize, limit: super::XmlLimit, value: usize, what: &str) -> Self {
        Self {
            offset,
            message: format!("{what} over the limit {limit} ({value})"),
            limit: Some(limit),
        }
    }
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Element content can hold personal data; show the shape, not the text.
        f.debug_struct("Element")
            .field("ns", &self.ns)
            .field("local", &self.local)
            .field("children", &self.child_elements().count())
            .finish_non_exhaustive()
    }
}

impl Element {
    /// A new empty element (used to build trees by hand, e.g. in tests or sandboxes).
    pub fn new(ns: impl Into<String>, local: impl Into<String>) -> Self {
        Self {
            ns: Arc::from(ns.into()),
            local: Arc::from(local.into()),
            prefix: None,
            attrs: Vec::new(),
            nodes: Vec::new(),
            ns_decls: Vec::new(),
            xsi_type: None,
            offset: 0,
            end: 0,
        }
    }

    /// An element as parsed (see [`super::ElementRef::to_element`]).
    pub(crate) fn from_parts(
        ns: &str,
        local: &str,
        prefix: Option<&str>,
        span: std::ops::Range<usize>,
    ) -> Self {
        Self {
            ns: Arc::from(ns),
            local: Arc::from(local),
            prefix: prefix.map(Arc::from),
            attrs: Vec::new(),
            nodes: Vec::new(),
            ns_decls: Vec::new(),
            xsi_type: None,
            offset: span.start,
            end: span.end,
        }
    }

    pub(crate) fn push_attribute(&mut self, ns: &str, local: &str, value: &str) {
        self.attrs.push(Attribute {
            ns: ns.to_owned(),
            local: local.to_owned(),
            value: value.to_owned(),
        });
    }

    pub(crate) fn push_namespace_declaration(&mut self, prefix: &str, ns: &str) {
        self.ns_decls.push((prefix.to_owned(), ns.to_owned()));
    }

    pub(crate) fn set_xsi_type(&mut self, ns: &str, local: &str) {
        self.xsi_type = Some((ns.to_owned(), local.to_owned()));
    }

    /// The type named by the element's `xsi:type` (namespace, local name), resolved with the
    /// namespace bindings in scope where it was parsed.
    pub fn xsi_type(&self) -> Option<(&str, &str)> {
        self.xsi_type
            .as_ref()
            .map(|(ns, local)| (ns.as_str(), local.as_str()))
    }

    /// Namespace name, empty when the element is in no namespace.
    pub fn namespace(&self) -> &str {
        &self.ns
    }

    /// Local name.
    pub fn local_name(&self) -> &str {
        &self.local
    }

    /// The prefix the sender used, if any (for messages only; never compare on it).
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// `true` when the element has this namespace and local name.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        *self.ns == *ns && *self.local == *local
    }

    /// Byte offset of the start tag in the parsed input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Byte range of the whole element (start tag to end tag) in the parsed (decoded) input.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.offset..self.end
    }

    /// Attributes in document order (namespace declarations excluded).
    pub fn attributes(&self) -> &[Attribute] {
        &self.attrs
    }

    /// The value of an attribute.
    pub fn attribute(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == ns && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// Namespace declarations made on this element: (prefix, namespace); prefix "" is the default.
    pub fn namespace_declarations(&self) -> &[(String, String)] {
        &self.ns_decls
    }

    /// All content nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Child elements in document order.
    pub fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.nodes.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this name.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.child_elements().find(|e| e.is(ns, local))
    }

    /// Concatenated text of the direct text children.
    pub fn text(&self) -> Cow<'_, str> {
        concat(self.nodes.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        }))
    }

    /// Concatenated text of all descendants, in document order.
    pub fn deep_text(&self) -> String {
        let mut s = String::new();
        self.collect_text(&mut s);
        s
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }

    /// `true` when the element has child elements.
    pub fn has_child_elements(&self) -> bool {
        self.nodes.iter().any(|n| matches!(n, Node::Element(_)))
    }

    /// Appends a child element (tree building).
    pub fn push_child(&mut self, child: Element) {
        self.nodes.push(Node::Element(child));
    }

    /// Appends text (tree building).
    pub fn push_text(&mut self, text: impl Into<String>) {
        self.nodes.push(Node::Text(text.into()));
    }

    /// Serialises the element (with the namespace declarations it needs) as XML text.
    pub fn to_xml(&self) -> String {
        let mut w = super::XmlWriter::new();
        w.element(self);
        w.finish()
    }
}

/// Text pieces joined: the one piece borrowed, several copied into one string.
pub(crate) fn concat<'t>(mut texts: impl Iterator<Item = &'t str>) -> Cow<'t, str> {
    match (texts.next(), texts.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(one), None) => Cow::Borrowed(one),
        (Some(first), Some(second)) => {
            let mut s = String::from(first);
            s.push_str(second);
            texts.for_each(|t| s.push_str(t));
            Cow::Owned(s)
        }
    }
}

/// Decodes `input` to UTF-8 following its byte-order mark or XML declaration (servers of the
/// Czech authorities still send ISO-8859-2 or windows-1250 now and then).
pub fn decode(input: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(input) {
        Some((enc, len)) => (enc, len),
        None => (declared_encoding(input).unwrap_or(encoding_rs::UTF_8), 0),
    };
    let body = input.get(bom_len..).unwrap_or_default();
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|e| ParseError::new(e.valid_up_to() + bom_len, "input is not valid UTF-8"));
    }
    let (text, _, had_errors) = encoding.decode(body);
    if had_errors {
        return Err(ParseError::new(
            0,
            format!("input is not valid {}", encoding.name()),
        ));
    }
    Ok(Cow::Owned(text.into_owned()))
}

fn declared_encoding(input: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = input.get(..input.len().min(200))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(head.get(..end)?).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    let rest = rest.get(1..)?;
    let label = rest.get(..rest.find(quote)?)?;
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// Parses a document and returns its root element.
pub fn parse(input: &[u8]) -> Result<Element, ParseError> {
    let text = decode(input)?;
    parse_str(&text)
}

/// Parses a document held in a string and returns its root element.
pub fn parse_str(text: &str) -> Result<Element, ParseError> {
    Ok(super::doc::Document::parse_str(text)?.root().to_element())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resolves_prefixes_defaults_and_entities() {
        let xml = br#"<?xml version="1.0"?>
<S:Envelope xmlns:S="urn:env"><S:Body><ns0:r xmlns:ns0="urn:a" xmlns="urn:d" a="1&amp;2">x &lt; <![CDATA[<y>]]><d/>&#x10D;</ns0:r></S:Body></S:Envelope>"#;
        let root = parse(xml).unwrap();
        assert!(root.is("urn:env", "Envelope"));
        let body = root.child("urn:env", "Body").unwrap();
        let r = body.child("urn:a", "r").unwrap();
        assert_eq!(r.prefix(), Some("ns0"));
        assert_eq!(r.attribute("", "a"), Some("1&2"));
        assert_eq!(r.text(), "x < <y>č");
        assert!(r.child("urn:d", "d").is_some());
        let text = std::str::from_utf8(xml).unwrap();
        assert!(text[body.span()].starts_with("<S:Body>"));
        assert!(text[r.span()].ends_with("</ns0:r>"));
    }

    #[test]
    fn decodes_declared_single_byte_encodings() {
        let mut xml = b"<?xml version='1.0' encoding='ISO-8859-2'?><a>".to_vec();
        xml.push(0xE8); // č in ISO-8859-2
        xml.extend_from_slice(b"</a>");
        assert_eq!(parse(&xml).unwrap().text(), "č");
    }

    #[test]
    fn rejects_dtds_undeclared_prefixes_and_truncation() {
        assert!(
            parse(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>")
                .unwrap_err()
                .message
                .contains("document type")
        );
        assert!(parse(b"<p:a/>").unwrap_err().message.contains("undeclared"));
        assert!(parse(b"<a><b></b>").is_err());
        assert!(parse(b"<a/><b/>").is_err());
    }

    #[test]
    fn limits_depth() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err().limit,
            Some(crate::xml::XmlLimit::Depth)
        );
    }
}
