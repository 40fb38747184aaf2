//! A parsed, namespace-resolved XML document for signature work.
//!
//! XML-Signature needs more than a data binding: the exact attribute values after XML's
//! normalisation rules, every namespace declaration where it was written, processing
//! instructions, and each element's position in the text (to insert a `ds:Signature` in place).
//! [`Document`] keeps all of that; [`crate::xml`]'s reader is for decoding messages into types.
//!
//! Parsing is strict where a lenient parser would open an attack surface or change the bytes
//! that get signed:
//!
//! * A document type declaration (`<!DOCTYPE`) is refused ([`DocumentError::DoctypeNotAllowed`]).
//!   SOAP forbids DTDs in envelopes (SOAP 1.1 §3, WS-I Basic Profile R1008), and they are the
//!   door to entity-expansion and external-entity attacks. Without a DTD only the five
//!   predefined entities exist; character references are expanded.
//! * Well-formedness and Namespaces in XML 1.0 are enforced: matching tags, one document
//!   element, XML names, XML characters, no duplicate attributes (also by expanded name),
//!   declared prefixes, no `xmlns:p=""`, the `xml`/`xmlns` prefixes and namespace names
//!   reserved, namespace names that are RFC 3986 URI references.
//! * Elements nest at most [`MAX_DEPTH`] (256) levels deep, as in libxml2 without
//!   `XML_PARSE_HUGE`.
//! * Line endings are normalised to `#xA` and attribute values normalised (literal tab, newline
//!   and carriage return become spaces; character references keep their character), as XML 1.0
//!   §2.11 and §3.3.3 prescribe for a parser without a DTD.
//!
//! Input in UTF-8 (with or without BOM), UTF-16 with a BOM, or an 8-bit encoding named in the XML
//! declaration (ISO-8859-x, windows-125x, …) is accepted; [`Document::text`] is the UTF-8 text
//! that positions ([`Element::span`]) refer to — the input itself when it was UTF-8 without BOM.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The namespace name bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace name of namespace declarations (`xmlns`), reserved.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// The WS-Security utility namespace (`wsu:Id`, `wsu:Timestamp`).
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// How deeply elements may nest: libxml2's default limit (without `XML_PARSE_HUGE`), and a
/// bound on the work a hostile message can cause.
pub const MAX_DEPTH: usize = 256;

/// Why a document could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The input is not well-formed XML.
    #[error("XML is not well-formed at byte {offset}: {reason}")]
    Malformed {
        /// Byte offset in [`Document::text`] terms (the decoded text).
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// The document has a document type declaration, which is refused (see the module docs).
    #[error(
        "document type declaration at byte {offset} refused: DTDs are not allowed in signed messages"
    )]
    DoctypeNotAllowed {
        /// Byte offset of `<!DOCTYPE`.
        offset: usize,
    },
    /// A reference to an entity other than the five predefined ones.
    #[error(
        "undefined entity `&{name};` at byte {offset} (without a DTD only the predefined entities exist)"
    )]
    UndefinedEntity {
        /// The entity name.
        name: String,
        /// Byte offset of the reference.
        offset: usize,
    },
    /// A namespace prefix used in an element or attribute name is not declared.
    #[error("namespace prefix `{prefix}` is not declared (element at byte {offset})")]
    UndeclaredPrefix {
        /// The prefix.
        prefix: String,
        /// Byte offset of the element's start tag.
        offset: usize,
    },
    /// A namespace declaration breaks Namespaces in XML 1.0 or names no valid URI.
    #[error("invalid namespace declaration `{name}=\"{value}\"` at byte {offset}: {reason}")]
    InvalidNamespace {
        /// `xmlns` or `xmlns:prefix`.
        name: String,
        /// The declared namespace name.
        value: String,
        /// Byte offset of the element's start tag.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// An attribute occurs twice on one element (same name, or same namespace and local name).
    #[error("attribute `{name}` occurs twice on the element at byte {offset}")]
    DuplicateAttribute {
        /// The attribute's qualified name (of its second occurrence).
        name: String,
        /// Byte offset of the element's start tag.
        offset: usize,
    },
    /// Elements are nested deeper than [`MAX_DEPTH`].
    #[error("elements nested deeper than {limit} levels (byte {offset})")]
    TooDeep {
        /// Byte offset of the start tag that is one level too deep.
        offset: usize,
        /// The limit, [`MAX_DEPTH`].
        limit: usize,
    },
    /// The character encoding is unknown, or the bytes are not valid in it.
    #[error("character encoding: {0}")]
    Encoding(String),
    /// The document goes over one of the XML readers' default
    /// [`Limits`](crate::xml::Limits) (attributes per element, attribute or text length,
    /// children per element).
    #[error("XML refused at byte {offset}: over the limit {limit} ({value})")]
    Limit {
        /// The limit.
        limit: crate::xml::XmlLimit,
        /// Its value.
        value: usize,
        /// Byte offset of the element or text that goes over it.
        offset: usize,
    },
}

/// Why [`Document::element_by_id`] or [`Document::find_unique`] found no single element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No element matches.
    #[error("no element {0}")]
    NotFound(String),
    /// More than one element matches: a signed element must be unambiguous (a duplicate is how
    /// signature-wrapping attacks hide the element that was really signed).
    #[error("{count} elements {what}; exactly one expected")]
    Ambiguous {
        /// What was looked for.
        what: String,
        /// How many elements match.
        count: usize,
    },
}

/// Index of an element of a [`Document`]; valid for the document it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ElementId(usize);

/// A namespace declaration as written on an element.
#[derive(Debug, Clone)]
pub(crate) struct NsDecl {
    /// `None` for `xmlns="…"`.
    pub(crate) prefix: Option<Box<str>>,
    /// The namespace name; empty for `xmlns=""`.
    pub(crate) uri: Box<str>,
}

#[derive(Debug, Clone)]
pub(crate) struct AttrData {
    pub(crate) qname: Box<str>,
    pub(crate) colon: Option<usize>,
    pub(crate) ns: Option<Box<str>>,
    pub(crate) value: Box<str>,
}

impl AttrData {
    pub(crate) fn local(&self) -> &str {
        match self.colon {
            Some(c) => self.qname.get(c + 1..).unwrap_or(""),
            None => &self.qname,
        }
    }
    pub(crate) fn prefix(&self) -> Option<&str> {
        self.colon.and_then(|c| self.qname.get(..c))
    }
}

/// A node of the tree other than attributes and namespace declarations.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(usize),
    /// Character data (text, CDATA sections and references, adjacent ones merged).
    Text(Box<str>),
    Pi {
        target: Box<str>,
        data: Box<str>,
    },
    Comment(Box<str>),
}

#[derive(Debug, Clone)]
pub(crate) struct ElementData {
    pub(crate) parent: Option<usize>,
    pub(crate) qname: Box<str>,
    pub(crate) colon: Option<usize>,
    pub(crate) ns: Option<Box<str>>,
    pub(crate) decls: Vec<NsDecl>,
    pub(crate) attrs: Vec<AttrData>,
    pub(crate) children: Vec<Node>,
    pub(crate) span: Range<usize>,
    pub(crate) start_tag_end: usize,
}

impl ElementData {
    pub(crate) fn local(&self) -> &str {
        match self.colon {
            Some(c) => self.qname.get(c + 1..).unwrap_or(""),
            None => &self.qname,
        }
    }
    pub(crate) fn prefix(&self) -> Option<&str> {
        self.colon.and_then(|c| self.qname.get(..c))
    }
}

/// A parsed XML document (see the module docs for what is accepted).
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    pub(crate) elements: Vec<ElementData>,
    /// Processing instructions and comments before the document element.
    pub(crate) prolog: Vec<Node>,
    /// Processing instructions and comments after the document element.
    pub(crate) epilog: Vec<Node>,
    /// The first namespace declaration whose name is a relative URI reference, if any:
    /// canonicalization must fail on such documents (C14N 1.0 §2.1).
    pub(crate) relative_ns: Option<(String, usize)>,
}

impl Document {
    /// Parses a document from its bytes, held to the default [`Limits`](crate::xml::Limits).
    pub fn parse(input: &[u8]) -> Result<Document, DocumentError> {
        Self::parse_with(input, &crate::xml::Limits::DEFAULT)
    }

    /// Parses a document from its bytes, held to `limits` (the element depth never beyond
    /// [`MAX_DEPTH`]).
    pub fn parse_with(
        input: &[u8],
        limits: &crate::xml::Limits,
    ) -> Result<Document, DocumentError> {
        let text = decode_input(input)?.into_owned();
        let mut builder = Builder {
            limits: *limits,
            ..Builder::default()
        };
        builder.run(&text)?;
        Ok(Document {
            text,
            elements: builder.elements,
            prolog: builder.prolog,
            epilog: builder.epilog,
            relative_ns: builder.relative_ns,
        })
    }

    /// The document text as UTF-8, which element spans refer to.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The document element.
    pub fn root(&self) -> Element<'_> {
        Element { doc: self, idx: 0 }
    }

    /// The element with this id.
    ///
    /// Returns `None` when the id belongs to another document with fewer elements.
    pub fn element(&self, id: ElementId) -> Option<Element<'_>> {
        (id.0 < self.elements.len()).then_some(Element {
            doc: self,
            idx: id.0,
        })
    }

    /// All elements in document order.
    pub fn elements(&self) -> impl Iterator<Item = Element<'_>> {
        (0..self.elements.len()).map(move |idx| Element { doc: self, idx })
    }

    /// The one element that `matches`; `what` describes it in errors ("named soap:Body").
    pub fn find_unique(
        &self,
        what: &str,
        matches: impl Fn(&Element<'_>) -> bool,
    ) -> Result<Element<'_>, LookupError> {
        let mut found = None;
        let mut count = 0;
        for el in self.elements() {
            if matches(&el) {
                count += 1;
                found.get_or_insert(el);
            }
        }
        match (found, count) {
            (Some(el), 1) => Ok(el),
            (None, _) => Err(LookupError::NotFound(what.to_owned())),
            (Some(_), count) => Err(LookupError::Ambiguous {
                what: what.to_owned(),
                count,
            }),
        }
    }

    /// The one element with this namespace and local name (`None`: no namespace).
    pub fn find_element(&self, ns: Option<&str>, local: &str) -> Result<Element<'_>, LookupError> {
        let what = match ns {
            Some(ns) => format!("named {{{ns}}}{local}"),
            None => format!("named {local}"),
        };
        self.find_unique(&what, |el| el.namespace() == ns && el.local_name() == local)
    }

    /// The one element carrying an ID attribute with this value, the target of a same-document
    /// reference `URI="#value"`.
    ///
    /// ID attributes are `wsu:Id` (WS-Security), `Id` (XML-Signature, unqualified), `ID`
    /// (SAML, unqualified) and `xml:id`. Every one of them counts for uniqueness: if two
    /// elements carry the value, in any of these attributes, the lookup fails with
    /// [`LookupError::Ambiguous`].
    pub fn element_by_id(&self, value: &str) -> Result<Element<'_>, LookupError> {
        let what = format!("with ID attribute value `{value}` (wsu:Id, Id, ID or xml:id)");
        let mut found = None;
        let mut count = 0;
        for el in self.elements() {
            let hits = el
                .data()
                .attrs
                .iter()
                .filter(|a| is_id_attribute(a) && &*a.value == value)
                .count();
            if hits > 0 {
                count += hits;
                found.get_or_insert(el);
            }
        }
        match (found, count) {
            (Some(el), 1) => Ok(el),
            (None, _) => Err(LookupError::NotFound(what)),
            (Some(_), count) => Err(LookupError::Ambiguous { what, count }),
        }
    }
}

fn is_id_attribute(a: &AttrData) -> bool {
    match a.ns.as_deref() {
        None => matches!(&*a.qname, "Id" | "ID"),
        Some(WSU_NS) => a.local() == "Id",
        Some(XML_NS) => a.local() == "id",
        Some(_) => false,
    }
}

/// An element of a [`Document`].
#[derive(Debug, Clone, Copy)]
pub struct Element<'d> {
    doc: &'d Document,
    idx: usize,
}

impl<'d> Element<'d> {
    pub(crate) fn data(&self) -> &'d ElementData {
        // `idx` is always in range: elements are only made by the document itself.
        &self.doc.elements[self.idx]
    }

    pub(crate) fn index(&self) -> usize {
        self.idx
    }

    /// The document this element belongs to.
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    /// This element's id, to find it again with [`Document::element`].
    pub fn id(&self) -> ElementId {
        ElementId(self.idx)
    }

    /// The namespace name, `None` when the element is in no namespace.
    pub fn namespace(&self) -> Option<&'d str> {
        self.data().ns.as_deref()
    }

    /// The local name.
    pub fn local_name(&self) -> &'d str {
        self.data().local()
    }

    /// The prefix as written, `None` when unprefixed.
    pub fn prefix(&self) -> Option<&'d str> {
        self.data().prefix()
    }

    /// The qualified name as written (`soap:Body`).
    pub fn qualified_name(&self) -> &'d str {
        &self.data().qname
    }

    /// Whether the element has this namespace (`None`: no namespace) and local name.
    pub fn is(&self, ns: Option<&str>, local: &str) -> bool {
        self.namespace() == ns && self.local_name() == local
    }

    /// The normalised value of the attribute with this namespace (`None`: unqualified) and local
    /// name.
    pub fn attribute(&self, ns: Option<&str>, local: &str) -> Option<&'d str> {
        self.data()
            .attrs
            .iter()
            .find(|a| a.ns.as_deref() == ns && a.local() == local)
            .map(|a| &*a.value)
    }

    /// The attributes (namespace declarations excluded) in document order, as
    /// `(namespace, local name, normalised value)`.
    pub fn attributes(&self) -> impl Iterator<Item = (Option<&'d str>, &'d str, &'d str)> + 'd {
        self.data()
            .attrs
            .iter()
            .map(|a| (a.ns.as_deref(), a.local(), &*a.value))
    }

    /// The namespace name bound to `prefix` (`None`: the default namespace) in this element's
    /// scope; `None` when unbound (or the default namespace is undeclared with `xmlns=""`).
    pub fn lookup_namespace(&self, prefix: Option<&str>) -> Option<&'d str> {
        if prefix == Some("xml") {
            return Some(XML_NS);
        }
        let mut cur = Some(self.idx);
        while let Some(i) = cur {
            let data = &self.doc.elements[i];
            if let Some(d) = data.decls.iter().find(|d| d.prefix.as_deref() == prefix) {
                return (!d.uri.is_empty()).then_some(&*d.uri);
            }
            cur = data.parent;
        }
        None
    }

    /// The parent element, `None` for the document element.
    pub fn parent(&self) -> Option<Element<'d>> {
        self.data().parent.map(|idx| Element { doc: self.doc, idx })
    }

    /// The child elements in document order.
    pub fn children(&self) -> impl Iterator<Item = Element<'d>> + 'd {
        let doc = self.doc;
        self.data().children.iter().filter_map(move |n| match n {
            Node::Element(idx) => Some(Element { doc, idx: *idx }),
            _ => None,
        })
    }

    /// The text content directly in this element (child elements' text excluded).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in &self.data().children {
            if let Node::Text(t) = n {
                out.push_str(t);
            }
        }
        out
    }

    /// Byte range of the whole element (start tag to end tag) in [`Document::text`].
    pub fn span(&self) -> Range<usize> {
        self.data().span.clone()
    }

    /// Byte range of the element's content (between start and end tag; empty and at the end of
    /// the tag for an empty-element tag `<a/>`).
    pub fn content_span(&self) -> Range<usize> {
        let data = self.data();
        let end = if data.children.is_empty() && data.span.end == data.start_tag_end {
            data.start_tag_end
        } else {
            // The end tag is `</qname` + optional whitespace + `>`: find its start.
            self.doc
                .text
                .get(..data.span.end)
                .and_then(|t| t.rfind("</"))
                .unwrap_or(data.start_tag_end)
        };
        data.start_tag_end..end
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

fn decode_input(input: &[u8]) -> Result<Cow<'_, str>, DocumentError> {
    fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, DocumentError> {
        std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            DocumentError::Encoding(format!("invalid UTF-8 at byte {}", e.valid_up_to()))
        })
    }
    fn with(
        enc: &'static encoding_rs::Encoding,
        bytes: &[u8],
    ) -> Result<Cow<'static, str>, DocumentError> {
        enc.decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| Cow::Owned(s.into_owned()))
            .ok_or_else(|| DocumentError::Encoding(format!("bytes not valid in {}", enc.name())))
    }
    // With a byte order mark the declaration's encoding is not needed, but must be a name
    // libxml2 knows too.
    let with_bom = |text: Cow<'static, str>| -> Result<Cow<'static, str>, DocumentError> {
        match declared_encoding(text.as_bytes()) {
            Some(label) if encoding_rs::Encoding::for_label(label.as_bytes()).is_none() => Err(
                DocumentError::Encoding(format!("unknown encoding `{label}`")),
            ),
            _ => Ok(text),
        }
    };
    if let Some(rest) = input.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest).and_then(|t| with_bom(Cow::Owned(t.into_owned())));
    }
    if let Some(rest) = input.strip_prefix(b"\xFF\xFE") {
        return with(encoding_rs::UTF_16LE, rest).and_then(with_bom);
    }
    if let Some(rest) = input.strip_prefix(b"\xFE\xFF") {
        return with(encoding_rs::UTF_16BE, rest).and_then(with_bom);
    }
    let Some(label) = declared_encoding(input) else {
        return utf8(input);
    };
    let lower = label.to_ascii_lowercase();
    match lower.as_str() {
        "utf-8" | "utf8" => utf8(input),
        // WHATWG maps these labels to windows-1252; XML parsers (libxml2) read them as the
        // ISO standard says.
        "iso-8859-1" | "iso_8859-1" | "latin1" | "l1" | "iso-ir-100" | "cp819" | "ibm819" => {
            Ok(Cow::Owned(input.iter().map(|&b| char::from(b)).collect()))
        }
        "us-ascii" | "ascii" => {
            if input.is_ascii() {
                utf8(input)
            } else {
                Err(DocumentError::Encoding(
                    "non-ASCII byte in a US-ASCII document".into(),
                ))
            }
        }
        _ => match encoding_rs::Encoding::for_label(label.as_bytes()) {
            Some(enc) if enc == encoding_rs::UTF_8 => utf8(input),
            Some(enc) if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE => {
                Err(DocumentError::Encoding(format!(
                    "{label} declared but the document has no byte order mark"
                )))
            }
            Some(enc) => with(enc, input),
            None => Err(DocumentError::Encoding(format!(
                "unknown encoding `{label}`"
            ))),
        },
    }
}

/// The `encoding` pseudo-attribute of an XML declaration at the very start of `input`.
fn declared_encoding(input: &[u8]) -> Option<String> {
    if !input.starts_with(b"<?xml") || !input.get(5).is_some_and(|b| is_xml_space(*b as char)) {
        return None;
    }
    let end = input.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(input.get(..end)?).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let rest = rest.get(1..)?;
    let close = rest.find(quote)?;
    Some(rest.get(..close)?.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Character classes (XML 1.0 fifth edition)

pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c != ':' && is_name_start_char(c))
        && chars.all(|c| c != ':' && is_name_char(c))
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// Splits a QName at its colon; `None` when it is no QName.
fn split_qname(s: &str) -> Option<Option<usize>> {
    match s.find(':') {
        None => is_ncname(s).then_some(None),
        Some(c) => {
            let (p, l) = (s.get(..c)?, s.get(c + 1..)?);
            (is_ncname(p) && is_ncname(l)).then_some(Some(c))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// URI references (RFC 3986), as libxml2 checks namespace names

/// What a namespace name is, as URI reference.
#[derive(Debug, PartialEq, Eq)]
enum UriKind {
    Absolute,
    Relative,
    Invalid,
}

fn uri_kind(s: &str) -> UriKind {
    let b = s.as_bytes();
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    let scheme_len = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))
        .unwrap_or(b.len());
    if scheme_len > 0
        && b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.get(scheme_len) == Some(&b':')
    {
        if valid_after_scheme(b.get(scheme_len + 1..).unwrap_or_default(), true) {
            return UriKind::Absolute;
        }
        return UriKind::Invalid;
    }
    if valid_after_scheme(b, false) {
        UriKind::Relative
    } else {
        UriKind::Invalid
    }
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}
fn is_sub_delim(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Length of a run of `allowed` characters and percent-encodings at the start of `b`; `None` on
/// a broken percent-encoding.
fn run(b: &[u8], allowed: impl Fn(u8) -> bool) -> Option<usize> {
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return None;
            }
            i += 3;
        } else if allowed(c) {
            i += 1;
        } else {
            break;
        }
    }
    Some(i)
}

fn is_pchar(c: u8) -> bool {
    is_unreserved(c) || is_sub_delim(c) || c == b':' || c == b'@'
}

/// hier-part / relative-part, then `[ "?" query ] [ "#" fragment ]`.
fn valid_after_scheme(b: &[u8], absolute: bool) -> bool {
    let mut i = 0;
    if b.starts_with(b"//") {
        i = 2;
        // authority = [ userinfo "@" ] host [ ":" port ]
        let rest = b.get(i..).unwrap_or_default();
        if let Some(n) = run(rest, |c| is_unreserved(c) || is_sub_delim(c) || c == b':')
            && rest.get(n) == Some(&b'@')
        {
            i += n + 1;
        }
        let rest = b.get(i..).unwrap_or_default();
        if rest.first() == Some(&b'[') {
            match rest.iter().position(|&c| c == b']') {
                Some(close) => i += close + 1,
                None => return false,
            }
        } else {
            match run(rest, |c| is_unreserved(c) || is_sub_delim(c)) {
                Some(n) => i += n,
                None => return false,
            }
        }
        if b.get(i) == Some(&b':') {
            // libxml2 wants a port after the colon (RFC 3986 would allow none).
            i += 1;
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                return false;
            }
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        // path-abempty
        if !matches!(b.get(i), None | Some(b'/' | b'?' | b'#')) {
            return false;
        }
    } else if !absolute {
        // path-noscheme: the first segment has no colon.
        let first = run(b, |c| is_pchar(c) && c != b':');
        match first {
            Some(n) if b.get(n) == Some(&b':') => return false,
            None => return false,
            _ => {}
        }
    }
    // Path segments.
    match run(b.get(i..).unwrap_or_default(), |c| is_pchar(c) || c == b'/') {
        Some(n) => i += n,
        None => return false,
    }
    if b.get(i) == Some(&b'?') {
        i += 1;
        match run(b.get(i..).unwrap_or_default(), |c| {
            is_pchar(c) || c == b'/' || c == b'?'
        }) {
            Some(n) => i += n,
            None => return false,
        }
    }
    if b.get(i) == Some(&b'#') {
        i += 1;
        match run(b.get(i..).unwrap_or_default(), |c| {
            is_pchar(c) || c == b'/' || c == b'?'
        }) {
            Some(n) => i += n,
            None => return false,
        }
    }
    i == b.len()
}

// ---------------------------------------------------------------------------------------------
// Parsing

#[derive(Default)]
struct Builder {
    elements: Vec<ElementData>,
    open: Vec<usize>,
    prolog: Vec<Node>,
    epilog: Vec<Node>,
    relative_ns: Option<(String, usize)>,
    /// Character data not yet attached to the current element.
    pending: String,
    /// The limits the document is held to.
    limits: crate::xml::Limits,
}

fn malformed(offset: usize, reason: impl Into<String>) -> DocumentError {
    DocumentError::Malformed {
        offset,
        reason: reason.into(),
    }
}

/// Line-end normalisation (XML 1.0 §2.11): `\r\n` and lone `\r` become `\n`.
fn normalize_eol(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Resolves the reference body between `&` and `;`.
fn resolve_reference(name: &str, offset: usize) -> Result<char, DocumentError> {
    let c = if let Some(num) = name.strip_prefix('#') {
        let value = match num.strip_prefix('x') {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()
            }
            None if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => num.parse().ok(),
            _ => None,
        };
        value
            .and_then(char::from_u32)
            .filter(|c| is_xml_char(*c))
            .ok_or_else(|| malformed(offset, format!("invalid character reference `&{name};`")))?
    } else {
        match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ if is_name(name) => {
                return Err(DocumentError::UndefinedEntity {
                    name: name.to_owned(),
                    offset,
                });
            }
            _ => return Err(malformed(offset, format!("invalid reference `&{name};`"))),
        }
    };
    Ok(c)
}

/// Attribute-value normalisation for CDATA attributes (XML 1.0 §3.3.3), references expanded.
fn normalize_attr_value(raw: &str, offset: usize) -> Result<String, DocumentError> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '&' => {
                let rest = raw.get(i + 1..).unwrap_or_default();
                let end = rest.find(';').ok_or_else(|| {
                    malformed(offset, "`&` in an attribute value starts no reference")
                })?;
                let name = rest.get(..end).unwrap_or_default();
                out.push(resolve_reference(name, offset)?);
                for _ in 0..=end {
                    chars.next();
                }
            }
            '<' => return Err(malformed(offset, "`<` in an attribute value")),
            '\r' => {
                if chars.peek().is_some_and(|(_, n)| *n == '\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// The attributes of a start tag as `(name, raw value)`, in order, checking the syntax quick-xml
/// leaves open (whitespace between attributes, `=`, quotes).
fn split_attributes(raw: &str) -> Result<Vec<(&str, &str)>, &'static str> {
    let mut out = Vec::new();
    let mut rest = raw;
    loop {
        let trimmed = rest.trim_start_matches(is_xml_space);
        let spaced = trimmed.len() < rest.len();
        rest = trimmed;
        if rest.is_empty() {
            return Ok(out);
        }
        if !spaced {
            return Err("attributes must be separated by whitespace");
        }
        let name_end = rest
            .find(|c: char| is_xml_space(c) || c == '=')
            .ok_or("attribute without a value")?;
        let (name, after) = rest.split_at(name_end);
        let after = after
            .trim_start_matches(is_xml_space)
            .strip_prefix('=')
            .ok_or("attribute without `=`")?
            .trim_start_matches(is_xml_space);
        let quote = after
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\''))
            .ok_or("attribute value without quotes")?;
        let body = after.get(1..).unwrap_or_default();
        let close = body.find(quote).ok_or("attribute value not closed")?;
        out.push((name, body.get(..close).unwrap_or_default()));
        rest = body.get(close + 1..).unwrap_or_default();
    }
}

/// `<?xml version="1.x" [encoding="EncName"] [standalone="yes|no"] ?>`, in this order.
fn check_xml_declaration(raw: &str) -> Result<(), &'static str> {
    let inner = raw
        .strip_prefix("<?xml")
        .and_then(|r| r.strip_suffix("?>"))
        .ok_or("malformed XML declaration")?;
    let mut seen = 0;
    for (name, value) in split_attributes(inner)? {
        let ok = match (name, seen) {
            ("version", 0) => {
                seen = 1;
                // libxml2 also takes "1." without digits.
                value
                    .strip_prefix("1.")
                    .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
            }
            ("encoding", 1) => {
                seen = 2;
                let mut chars = value.chars();
                chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            }
            ("standalone", 1 | 2) => {
                seen = 3;
                matches!(value, "yes" | "no")
            }
            _ => false,
        };
        if !ok {
            return Err("malformed XML declaration");
        }
    }
    if seen == 0 {
        return Err("XML declaration without version");
    }
    Ok(())
}

impl Builder {
    fn run(&mut self, text: &str) -> Result<(), DocumentError> {
        if let Some((i, c)) = text.char_indices().find(|(_, c)| !is_xml_char(*c)) {
            return Err(malformed(
                i,
                format!("character U+{:04X} is not allowed in XML", u32::from(c)),
            ));
        }
        let mut reader = Reader::from_str(text);
        {
            let config = reader.config_mut();
            config.check_comments = true;
            config.check_end_names = true;
            config.expand_empty_elements = false;
            config.allow_unmatched_ends = false;
            config.trim_text(false);
        }
        let mut root_done = false;
        let mut first = true;
        loop {
            let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_event().map_err(|e| {
                malformed(
                    usize::try_from(reader.error_position()).unwrap_or(start),
                    e.to_string(),
                )
            })?;
            let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let raw = text
                .get(start..end)
                .ok_or_else(|| malformed(start, "event boundary inside a character"))?;
            let at_first = std::mem::replace(&mut first, false);
            match event {
                Event::Decl(_) => {
                    if !at_first || start != 0 {
                        return Err(malformed(
                            start,
                            "XML declaration allowed only at the start",
                        ));
                    }
                    check_xml_declaration(raw).map_err(|r| malformed(start, r))?;
                }
                Event::DocType(_) => {
                    return Err(DocumentError::DoctypeNotAllowed { offset: start });
                }
                Event::PI(_) => {
                    let inner = raw.get(2..raw.len().saturating_sub(2)).unwrap_or_default();
                    let split = inner.find(is_xml_space).unwrap_or(inner.len());
                    let (target, data) = inner.split_at(split);
                    if !is_name(target) || target.contains(':') {
                        return Err(malformed(
                            start,
                            format!("invalid processing instruction target `{target}`"),
                        ));
                    }
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(malformed(
                            start,
                            "processing instruction target `xml` is reserved",
                        ));
                    }
                    let data = normalize_eol(data.trim_start_matches(is_xml_space));
                    self.push_node(
                        Node::Pi {
                            target: target.into(),
                            data: data.into(),
                        },
                        root_done,
                    );
                }
                Event::Comment(_) => {
                    let inner = raw.get(4..raw.len().saturating_sub(3)).unwrap_or_default();
                    if inner.contains("--") || inner.ends_with('-') {
                        return Err(malformed(start, "`--` inside a comment"));
                    }
                    self.push_node(Node::Comment(normalize_eol(inner).into()), root_done);
                }
                Event::Text(_) => {
                    if self.open.is_empty() {
                        if let Some(off) = raw.find(|c| !is_xml_space(c)) {
                            return Err(malformed(
                                start + off,
                                "content outside the document element",
                            ));
                        }
                    } else {
                        if let Some(off) = raw.find("]]>") {
                            return Err(malformed(start + off, "`]]>` in content"));
                        }
                        if let Some(off) = raw.find('&') {
                            return Err(malformed(start + off, "`&` starts no reference"));
                        }
                        self.pending.push_str(&normalize_eol(raw));
                        self.check_text(start)?;
                    }
                }
                Event::GeneralRef(_) => {
                    if self.open.is_empty() {
                        return Err(malformed(start, "reference outside the document element"));
                    }
                    let name = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
                    let c = resolve_reference(name, start)?;
                    self.pending.push(c);
                    self.check_text(start)?;
                }
                Event::CData(_) => {
                    if self.open.is_empty() {
                        return Err(malformed(
                            start,
                            "CDATA section outside the document element",
                        ));
                    }
                    let inner = raw.get(9..raw.len().saturating_sub(3)).unwrap_or_default();
                    self.pending.push_str(&normalize_eol(inner));
                    self.check_text(start)?;
                }
                Event::Start(e) | Event::Empty(e) if self.open.is_empty() && root_done => {
                    let _ = e;
                    return Err(malformed(start, "a second document element"));
                }
                Event::Start(e) => {
                    let idx = self.start_element(&e, start, end)?;
                    self.open.push(idx);
                }
                Event::Empty(e) => {
                    let idx = self.start_element(&e, start, end)?;
                    if self.open.is_empty() {
                        root_done = true;
                    }
                    if let Some(el) = self.elements.get_mut(idx) {
                        el.span.end = end;
                    }
                }
                Event::End(_) => {
                    self.flush_text();
                    let idx = self
                        .open
                        .pop()
                        .ok_or_else(|| malformed(start, "end tag without start tag"))?;
                    if let Some(el) = self.elements.get_mut(idx) {
                        el.span.end = end;
                    }
                    if self.open.is_empty() {
                        root_done = true;
                    }
                }
                Event::Eof => {
                    if !self.open.is_empty() {
                        return Err(malformed(start, "document ends inside an element"));
                    }
                    if !root_done {
                        return Err(malformed(start, "no document element"));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// The text being gathered stays within [`Limits::max_text_bytes`](crate::xml::Limits).
    fn check_text(&self, offset: usize) -> Result<(), DocumentError> {
        let limit = self.limits.max_text_bytes;
        if self.pending.len() > limit {
            return Err(DocumentError::Limit {
                limit: crate::xml::XmlLimit::TextBytes,
                value: limit,
                offset,
            });
        }
        Ok(())
    }

    fn flush_text(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending);
        if let Some(el) = self.open.last().and_then(|&p| self.elements.get_mut(p)) {
            el.children.push(Node::Text(text.into()));
        }
    }

    /// A PI or comment: child of the open element, or in the prolog/epilog.
    fn push_node(&mut self, node: Node, root_done: bool) {
        self.flush_text();
        match self.open.last() {
            Some(&parent) => {
                if let Some(el) = self.elements.get_mut(parent) {
                    el.children.push(node);
                }
            }
            None if root_done => self.epilog.push(node),
            None => self.prolog.push(node),
        }
    }

    /// The namespace bound to `prefix` in scope of element `idx`; `Some("")` for `xmlns=""`.
    fn lookup(&self, idx: usize, prefix: Option<&str>) -> Option<&str> {
        let mut cur = Some(idx);
        while let Some(i) = cur {
            let el = self.elements.get(i)?;
            if let Some(d) = el.decls.iter().find(|d| d.prefix.as_deref() == prefix) {
                return Some(&d.uri);
            }
            cur = el.parent;
        }
        None
    }

    fn start_element(
        &mut self,
        e: &BytesStart<'_>,
        start: usize,
        end: usize,
    ) -> Result<usize, DocumentError> {
        self.flush_text();
        let depth = MAX_DEPTH.min(self.limits.max_depth);
        if self.open.len() >= depth {
            return Err(DocumentError::TooDeep {
                offset: start,
                limit: depth,
            });
        }
        let qname: &str = e.name().into_inner();
        let colon = split_qname(qname)
            .ok_or_else(|| malformed(start, format!("invalid element name `{qname}`")))?;
        let mut decls = Vec::new();
        let mut raw_attrs: Vec<(&str, Option<usize>, String)> = Vec::new();
        let limits = self.limits;
        let over = |limit: crate::xml::XmlLimit, value: usize| DocumentError::Limit {
            limit,
            value,
            offset: start,
        };
        if let Some(parent) = self.open.last().and_then(|&p| self.elements.get(p))
            && parent.children.len() >= limits.max_children
        {
            return Err(over(crate::xml::XmlLimit::Children, limits.max_children));
        }
        for (n, (key, raw_value)) in split_attributes(e.attributes_raw())
            .map_err(|r| malformed(start, r))?
            .into_iter()
            .enumerate()
        {
            if n >= limits.max_attributes {
                return Err(over(
                    crate::xml::XmlLimit::Attributes,
                    limits.max_attributes,
                ));
            }
            if raw_value.len() > limits.max_attribute_bytes {
                return Err(over(
                    crate::xml::XmlLimit::AttributeBytes,
                    limits.max_attribute_bytes,
                ));
            }
            let value = normalize_attr_value(raw_value, start)?;
            let invalid = |reason: &'static str| DocumentError::InvalidNamespace {
                name: key.to_owned(),
                value: value.clone(),
                offset: start,
                reason,
            };
            let prefix = if key == "xmlns" {
                None
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                if !is_ncname(p) {
                    return Err(malformed(start, format!("invalid namespace prefix `{p}`")));
                }
                Some(p)
            } else {
                let colon = split_qname(key)
                    .ok_or_else(|| malformed(start, format!("invalid attribute name `{key}`")))?;
                if let Some(dup) = raw_attrs.iter().find(|(k, ..)| *k == key) {
                    return Err(DocumentError::DuplicateAttribute {
                        name: dup.0.to_owned(),
                        offset: start,
                    });
                }
                raw_attrs.push((key, colon, value));
                continue;
            };
            match prefix {
                Some("xml") => {
                    if value != XML_NS {
                        return Err(invalid(
                            "the `xml` prefix is bound to its own namespace name only",
                        ));
                    }
                    // Never kept: `xml` is bound implicitly (and never rendered).
                    continue;
                }
                Some("xmlns") => return Err(invalid("the `xmlns` prefix must not be declared")),
                Some(_) if value.is_empty() => {
                    return Err(invalid(
                        "a prefix cannot be undeclared in XML 1.0 (`xmlns:p=\"\"`)",
                    ));
                }
                _ => {}
            }
            if value == XML_NS || value == XMLNS_NS {
                return Err(invalid("reserved namespace name"));
            }
            if !value.is_empty() {
                match uri_kind(&value) {
                    UriKind::Absolute => {}
                    UriKind::Relative => {
                        if self.relative_ns.is_none() {
                            self.relative_ns = Some((value.clone(), start));
                        }
                    }
                    UriKind::Invalid => return Err(invalid("not a URI reference (RFC 3986)")),
                }
            }
            if decls.iter().any(|d: &NsDecl| d.prefix.as_deref() == prefix) {
                return Err(DocumentError::DuplicateAttribute {
                    name: key.to_owned(),
                    offset: start,
                });
            }
            decls.push(NsDecl {
                prefix: prefix.map(Into::into),
                uri: value.into(),
            });
        }

        let parent = self.open.last().copied();
        let idx = self.elements.len();
        self.elements.push(ElementData {
            parent,
            qname: qname.into(),
            colon,
            ns: None,
            decls,
            attrs: Vec::with_capacity(raw_attrs.len()),
            children: Vec::new(),
            span: start..end,
            start_tag_end: end,
        });
        let prefix = colon.and_then(|c| qname.get(..c));
        let ns = match prefix {
            Some("xml") => Some(XML_NS.to_owned()),
            Some(p) => Some(
                self.lookup(idx, Some(p))
                    .ok_or_else(|| DocumentError::UndeclaredPrefix {
                        prefix: p.to_owned(),
                        offset: start,
                    })?
                    .to_owned(),
            ),
            None => self
                .lookup(idx, None)
                .filter(|u| !u.is_empty())
                .map(str::to_owned),
        };
        let mut attrs: Vec<AttrData> = Vec::with_capacity(raw_attrs.len());
        for (key, colon, value) in raw_attrs {
            let ns = match colon.and_then(|c| key.get(..c)) {
                None => None,
                Some("xml") => Some(XML_NS.to_owned()),
                Some(p) => Some(
                    self.lookup(idx, Some(p))
                        .ok_or_else(|| DocumentError::UndeclaredPrefix {
                            prefix: p.to_owned(),
                            offset: start,
                        })?
                        .to_owned(),
                ),
            };
            let attr = AttrData {
                qname: key.into(),
                colon,
                ns: ns.map(Into::into),
                value: value.into(),
            };
            if attrs
                .iter()
                .any(|a| a.ns == attr.ns && a.local() == attr.local())
            {
                return Err(DocumentError::DuplicateAttribute {
                    name: key.to_owned(),
                    offset: start,
                });
            }
            attrs.push(attr);
        }
        if let Some(el) = self.elements.get_mut(idx) {
            el.ns = ns.map(Into::into);
            el.attrs = attrs;
        }
        if let Some(parent) = parent.and_then(|p| self.elements.get_mut(p)) {
            parent.children.push(Node::Element(idx));
        }
        Ok(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_kinds() {
        for ok in [
            "urn:a",
            "http://a/b?c#d",
            "a:",
            "a+b.c-d:x",
            "http://[::1]/",
            "urn:a%20",
            "mailto:a@b",
        ] {
            assert_eq!(uri_kind(ok), UriKind::Absolute, "{ok}");
        }
        for rel in ["foo", "../a", "#x", "a/b:c", ""] {
            assert_eq!(uri_kind(rel), UriKind::Relative, "{rel}");
        }
        for bad in [
            "http://x:/",
            "http://a b",
            "urn:x y",
            "urn:a%2",
            "1a:b",
            "http://a/b#c#d",
            "urn:x|y",
            "http://a:b:c/",
            "urn:ä",
            "C:\\x",
        ] {
            assert_eq!(uri_kind(bad), UriKind::Invalid, "{bad}");
        }
    }

    #[test]
    fn attribute_values_are_normalised() {
        assert_eq!(
            normalize_attr_value("a\tb\r\nc\rd&#9;&#xA;&lt;", 0)
                .ok()
                .as_deref(),
            Some("a b c d\t\n<")
        );
        assert!(normalize_attr_value("a<b", 0).is_err());
        assert!(matches!(
            normalize_attr_value("&foo;", 0),
            Err(DocumentError::UndefinedEntity { .. })
        ));
    }

    #[test]
    fn declared_encoding_is_read() {
        assert_eq!(
            declared_encoding(b"<?xml version='1.0' encoding='ISO-8859-2'?><a/>").as_deref(),
            Some("ISO-8859-2")
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><a/>"), None);
        assert_eq!(declared_encoding(b"<a/>"), None);
    }
}
