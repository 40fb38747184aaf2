//! A small namespace-resolved element tree, parsed with quick-xml.
//!
//! SOAP messages are small and read once, so a tree is the simplest base for lenient reading:
//! generated readers look children up by (namespace, local name) in any order, and faults keep
//! their `detail` as a tree. Names are resolved while parsing, so whatever prefixes a server
//! chooses (`ns0:`, `SOAP-ENV:`, a default namespace) make no difference.

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Deepest element nesting accepted; protects the recursive readers from hostile input.
pub const MAX_DEPTH: usize = 256;

/// One XML element with its namespace-resolved name, attributes and content.
///
/// Two elements are equal when their names, attributes and content are: prefixes, namespace
/// declarations and source positions do not count.
#[derive(Clone)]
pub struct Element {
    // Names are shared (one allocation per distinct name in a document, not per element).
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML at byte {offset}: {message}")]
#[non_exhaustive]
pub struct ParseError {
    /// Byte offset in the (decoded) input where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
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
        let mut texts = self.nodes.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        });
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
            .map_err(|e| ParseError {
                offset: e.valid_up_to() + bom_len,
                message: "input is not valid UTF-8".to_owned(),
            });
    }
    let (text, _, had_errors) = encoding.decode(body);
    if had_errors {
        return Err(ParseError {
            offset: 0,
            message: format!("input is not valid {}", encoding.name()),
        });
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
    let mut reader = NsReader::from_str(text);
    let mut names = Names::default();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let err = |message: String| ParseError { offset, message };
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| err(e.to_string()))?;
        let is_empty = matches!(event, Event::Empty(_));
        let element_ns = match event {
            Event::Start(_) | Event::Empty(_) => {
                Some(namespace_str(&resolved).map(|ns| names.get(ns)))
            }
            _ => None,
        };
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(start) | Event::Empty(start) => {
                if root.is_some() {
                    return Err(err("content after the root element".to_owned()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(format!("elements nested deeper than {MAX_DEPTH}")));
                }
                let ns = match element_ns {
                    Some(ns) => ns.map_err(err)?,
                    None => names.get(""),
                };
                let qname = start.name();
                let prefix = qname.prefix().map(|p| names.get(p.as_ref()));
                let local = names.get(qname.local_name().as_ref());
                let mut element = Element {
                    ns,
                    local,
                    prefix,
                    attrs: Vec::new(),
                    nodes: Vec::new(),
                    ns_decls: Vec::new(),
                    xsi_type: None,
                    offset,
                    end: after,
                };
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| err(e.to_string()))?;
                    let key = attr.key.as_ref();
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| err(e.to_string()))?
                        .into_owned();
                    if key == "xmlns" {
                        element.ns_decls.push((String::new(), value));
                        continue;
                    }
                    if let Some(p) = key.strip_prefix("xmlns:") {
                        element.ns_decls.push((p.to_owned(), value));
                        continue;
                    }
                    let (attr_ns, attr_local) = reader.resolver().resolve_attribute(attr.key);
                    let attr_ns = namespace_of(&attr_ns).map_err(err)?;
                    if attr_ns == super::XSI_NS && attr_local.as_ref() == "type" {
                        // A QName value: its prefix (or the default namespace) resolves here.
                        let qname = quick_xml::name::QName(value.trim());
                        let (type_ns, type_local) = reader.resolver().resolve_element(qname);
                        // An unbound prefix is the sender's mistake: kept as no namespace, and
                        // the reader reports the type as unknown.
                        let type_ns = namespace_of(&type_ns).unwrap_or_default();
                        let type_local = type_local.as_ref().to_owned();
                        element.xsi_type = Some((type_ns, type_local));
                    }
                    element.attrs.push(Attribute {
                        ns: attr_ns,
                        local: attr_local.as_ref().to_owned(),
                        value,
                    });
                }
                if is_empty {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let Some(mut element) = stack.pop() else {
                    return Err(err("unexpected end tag".to_owned()));
                };
                element.end = after;
                close(&mut stack, &mut root, element);
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), offset)?,
            Event::CData(c) => {
                let raw = c.into_inner();
                push_text(&mut stack, &raw, offset)?;
            }
            Event::GeneralRef(r) => {
                let text = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => return Err(err("invalid character reference".to_owned())),
                    }
                } else {
                    let name = r.xml10_content();
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => s.to_owned(),
                        None => return Err(err(format!("undefined entity &{name};"))),
                    }
                };
                push_text(&mut stack, &text, offset)?;
            }
            Event::DocType(_) => {
                // SOAP forbids DTDs (SOAP 1.1 §3, SOAP 1.2 part 1 §5); refusing them also rules
                // out entity-expansion attacks.
                return Err(err("document type declarations are not allowed".to_owned()));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(ParseError {
            offset: text.len(),
            message: "unexpected end of input (unclosed elements)".to_owned(),
        });
    }
    root.ok_or(ParseError {
        offset: 0,
        message: "no root element".to_owned(),
    })
}

/// The names of one document, shared: the first [`Names::KEPT`] distinct names are allocated
/// once and found again by a short linear search (names are few and short: cheaper than a
/// hash, and bounded whatever a hostile document holds); later ones are allocated per use.
#[derive(Default)]
struct Names(Vec<Arc<str>>);

impl Names {
    const KEPT: usize = 64;

    fn get(&mut self, name: &str) -> Arc<str> {
        if let Some(k) = self
            .0
            .iter()
            .find(|k| k.len() == name.len() && ***k == *name)
        {
            return Arc::clone(k);
        }
        let k: Arc<str> = Arc::from(name);
        if self.0.len() < Self::KEPT {
            self.0.push(Arc::clone(&k));
        }
        k
    }
}

fn namespace_str<'r>(resolved: &ResolveResult<'r>) -> Result<&'r str, String> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(ns.0),
        ResolveResult::Unbound => Ok(""),
        ResolveResult::Unknown(prefix) => Err(format!("undeclared namespace prefix `{prefix}`")),
    }
}

fn namespace_of(resolved: &ResolveResult<'_>) -> Result<String, String> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(ns.0.to_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(prefix) => Err(format!("undeclared namespace prefix `{prefix}`")),
    }
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.nodes.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str, offset: usize) -> Result<(), ParseError> {
    if text.is_empty() {
        return Ok(());
    }
    match stack.last_mut() {
        Some(parent) => {
            // Adjacent text, entity and CDATA events form one text node.
            if let Some(Node::Text(prev)) = parent.nodes.last_mut() {
                prev.push_str(text);
            } else {
                parent.nodes.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(ParseError {
            offset,
            message: "text outside the root element".to_owned(),
        }),
    }
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
        assert!(
            parse(deep.as_bytes())
                .unwrap_err()
                .message
                .contains("deeper")
        );
    }
}
