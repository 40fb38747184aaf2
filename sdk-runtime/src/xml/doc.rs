//! The parsed form messages are decoded from: one namespace-resolved document in a few flat
//! arrays.
//!
//! Generated readers look children up by (namespace, local name) in any order, so they need a
//! tree; but a tree of owned nodes costs several allocations per element (its child list, its
//! text, its names), which profiles showed to be a third of decoding. A [`Document`] keeps every
//! name, text and attribute value in one string buffer and every element in one array, with
//! each element's children contiguous in a third; an [`ElementRef`] is a copyable index into it.
//! Parsing a message is then a handful of growing buffers, whatever its size, and a text read
//! by a generated reader is a slice of the buffer.
//!
//! [`Element`] (owned) remains the form for trees built by hand, fault details and `xs:any`
//! values: [`ElementRef::to_element`] converts.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use smallvec::SmallVec;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

use super::dom::{Element, MAX_DEPTH, ParseError, decode};
use super::scopes::{Scopes, declaration, split_qname};
use super::{Limits, XmlLimit};

/// No node (end of a list, or an element without a parent).
const NONE: u32 = u32::MAX;

/// A range of [`Document::buf`].
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone)]
struct ElementRec {
    ns: u32,
    local: Span,
    /// Empty when the element has no prefix.
    prefix: Span,
    /// Range of [`Document::attrs`].
    attrs: (u32, u32),
    /// Range of [`Document::decls`].
    decls: (u32, u32),
    /// Range of [`Document::children`].
    children: (u32, u32),
    /// The namespace (index) and local name an `xsi:type` names.
    xsi_type: Option<(u32, Span)>,
    offset: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy)]
struct AttrRec {
    ns: u32,
    local: Span,
    value: Span,
}

#[derive(Debug, Clone, Copy)]
struct DeclRec {
    prefix: Span,
    ns: Span,
}

/// A child: an element (its index) or a text (its range of the buffer).
#[derive(Debug, Clone, Copy)]
enum ChildRec {
    Element(u32),
    Text(Span),
}

/// A parsed document: see the module documentation.
#[derive(Debug, Clone)]
pub struct Document {
    buf: String,
    elements: Vec<ElementRec>,
    attrs: Vec<AttrRec>,
    decls: Vec<DeclRec>,
    children: Vec<ChildRec>,
    namespaces: Vec<Box<str>>,
    root: u32,
}

/// Namespace names interned per document: few in any message, found by a short search, with a
/// map once a (hostile) document declares many.
#[derive(Default)]
struct Interner {
    map: Option<HashMap<Box<str>, u32>>,
}

impl Interner {
    const LINEAR: usize = 16;

    fn get(&mut self, namespaces: &mut Vec<Box<str>>, ns: &str) -> u32 {
        if let Some(map) = &mut self.map {
            if let Some(&i) = map.get(ns) {
                return i;
            }
            let i = u32::try_from(namespaces.len()).unwrap_or(NONE);
            namespaces.push(ns.into());
            map.insert(ns.into(), i);
            return i;
        }
        if let Some(i) = namespaces
            .iter()
            .position(|n| n.len() == ns.len() && **n == *ns)
        {
            return u32::try_from(i).unwrap_or(NONE);
        }
        let i = u32::try_from(namespaces.len()).unwrap_or(NONE);
        namespaces.push(ns.into());
        if namespaces.len() > Self::LINEAR {
            let map = namespaces
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), u32::try_from(i).unwrap_or(NONE)))
                .collect();
            self.map = Some(map);
        }
        i
    }
}

/// The builder's state for the open elements.
struct Open {
    element: u32,
    /// Where this element's children start on the shared child stack.
    first_child: usize,
}

/// Builds a [`Document`] from quick-xml events, one at a time: [`Document::parse_str`] feeds it a
/// whole document, the streaming reader ([`super::RecordReader`]) one record at a time, reusing
/// its buffers.
pub(crate) struct Builder {
    doc: Document,
    interner: Interner,
    open: Vec<Open>,
    /// Children of the open elements, innermost last; moved into `children` when their
    /// element closes, so that each element's children are contiguous.
    stack: Vec<ChildRec>,
    /// [`Builder::start`]'s list of the tag's prefixed attributes (kept for its capacity).
    prefixed: Vec<(u32, Span)>,
    limits: Limits,
}

impl Builder {
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_capacity(capacity / 2, capacity / 48, capacity / 32)
    }

    /// A builder for one whole document of `text`, sized so that it never grows: the buffer
    /// holds at most the text's bytes (names, texts and values are no longer than where they
    /// were read), and there are at most as many elements as `<`, and child nodes as twice
    /// that. (Growing these showed in profiles of small messages; untouched capacity of a
    /// large one costs address space, not memory.)
    pub(crate) fn for_text(text: &str) -> Self {
        let tags = memchr::memchr_iter(b'<', text.as_bytes()).count();
        Self::with_capacity(text.len(), tags, tags.saturating_mul(2))
    }

    fn with_capacity(buf: usize, elements: usize, children: usize) -> Self {
        Self {
            doc: Document {
                buf: String::with_capacity(buf),
                elements: Vec::with_capacity(elements),
                // Sized so that a small message needs no regrowth (reallocations showed in
                // profiles of small messages).
                attrs: Vec::with_capacity(8),
                decls: Vec::with_capacity(8),
                children: Vec::with_capacity(children),
                namespaces: {
                    let mut n: Vec<Box<str>> = Vec::with_capacity(8);
                    n.push("".into());
                    n
                },
                root: NONE,
            },
            interner: Interner::default(),
            open: Vec::with_capacity(16),
            stack: Vec::with_capacity(32),
            prefixed: Vec::new(),
            limits: Limits::DEFAULT,
        }
    }

    /// The limits the next events are checked against.
    pub(crate) fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Empties the builder for the next document; its buffers keep their capacity.
    pub(crate) fn reset(&mut self) {
        let d = &mut self.doc;
        d.buf.clear();
        d.elements.clear();
        d.attrs.clear();
        d.decls.clear();
        d.children.clear();
        // Records share their few namespaces: the names interned so far stay, unless a
        // stream declares new ones record after record.
        if d.namespaces.len() > Interner::LINEAR {
            d.namespaces.truncate(1);
            self.interner = Interner::default();
        }
        d.root = NONE;
        self.open.clear();
        self.stack.clear();
    }

    /// Bytes held (names, texts and values): what a record costs in memory, roughly.
    pub(crate) fn held(&self) -> usize {
        self.doc.buf.len()
            + self.doc.elements.len() * std::mem::size_of::<ElementRec>()
            + self.doc.children.len() * std::mem::size_of::<ChildRec>()
    }

    /// Bytes of memory the builder's buffers hold (their capacity).
    pub(crate) fn capacity(&self) -> usize {
        let d = &self.doc;
        d.buf.capacity()
            + d.elements.capacity() * std::mem::size_of::<ElementRec>()
            + d.attrs.capacity() * std::mem::size_of::<AttrRec>()
            + d.decls.capacity() * std::mem::size_of::<DeclRec>()
            + d.children.capacity() * std::mem::size_of::<ChildRec>()
            + d.namespaces.iter().map(|n| n.len()).sum::<usize>()
            + self.stack.capacity() * std::mem::size_of::<ChildRec>()
    }

    /// Elements open now.
    pub(crate) fn depth(&self) -> usize {
        self.open.len()
    }

    /// Whether the document element was closed.
    pub(crate) fn complete(&self) -> bool {
        self.doc.root != NONE && self.open.is_empty()
    }

    pub(crate) fn document(&self) -> &Document {
        &self.doc
    }

    pub(crate) fn into_document(self) -> Document {
        self.doc
    }

    /// The index of a namespace name in the document.
    fn intern(&mut self, ns: &str) -> u32 {
        if ns.is_empty() {
            return 0;
        }
        self.interner.get(&mut self.doc.namespaces, ns)
    }

    /// A start tag (`empty`: `<x/>`). Its declarations enter `scopes` (and leave them again
    /// at its end tag); its name and its attributes' names are resolved there.
    pub(crate) fn start(
        &mut self,
        scopes: &mut Scopes,
        start: &BytesStart<'_>,
        offset: usize,
        after: usize,
        empty: bool,
    ) -> Result<(), ParseError> {
        let err = |message: String| ParseError::new(offset, message);
        if self.complete() {
            return Err(err("content after the root element".to_owned()));
        }
        let limits = self.limits;
        if self.open.len() >= limits.max_depth {
            return Err(ParseError::over(
                offset,
                XmlLimit::Depth,
                limits.max_depth,
                "elements nested",
            ));
        }
        if let Some(parent) = self.open.last()
            && self.stack.len() - parent.first_child.min(self.stack.len()) >= limits.max_children
        {
            return Err(ParseError::over(
                offset,
                XmlLimit::Children,
                limits.max_children,
                "child nodes of one element",
            ));
        }
        scopes.open();
        let qname = start.name();
        let (element_prefix, element_local) = split_qname(qname.as_ref());
        let doc = &mut self.doc;
        let prefix = match element_prefix {
            Some(p) => doc.push_str(p),
            None => Span::default(),
        };
        let local = doc.push_str(element_local);
        let attrs_start = doc.attrs.len();
        let decls_start = doc.decls.len();
        // Prefixed attributes (their index and prefix), resolved once every declaration of
        // the tag is in scope.
        self.prefixed.clear();
        // Names seen, for the duplicate check (quick-xml's own keeps a list it allocates for
        // every tag with attributes; this one is on the stack unless a tag has many).
        let mut seen: SmallVec<[&str; 8]> = SmallVec::new();
        let mut many: Option<HashSet<&str>> = None;
        for (n, attr) in start.attributes().with_checks(false).enumerate() {
            if n >= limits.max_attributes {
                return Err(ParseError::over(
                    offset,
                    XmlLimit::Attributes,
                    limits.max_attributes,
                    "attributes of one element",
                ));
            }
            let attr = attr.map_err(|e| err(e.to_string()))?;
            let key: &str = attr.key.0;
            let duplicate = match &mut many {
                Some(set) => !set.insert(key),
                None if seen.len() >= 8 => {
                    let mut set: HashSet<&str> = seen.iter().copied().collect();
                    let duplicate = !set.insert(key);
                    many = Some(set);
                    duplicate
                }
                None => {
                    let duplicate = seen.contains(&key);
                    seen.push(key);
                    duplicate
                }
            };
            if duplicate {
                return Err(err(format!("duplicate attribute `{key}`")));
            }
            if attr.value.len() > limits.max_attribute_bytes {
                return Err(ParseError::over(
                    offset,
                    XmlLimit::AttributeBytes,
                    limits.max_attribute_bytes,
                    "bytes of an attribute value",
                ));
            }
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| err(e.to_string()))?;
            if let Some(declared) = declaration(key) {
                scopes.declare(declared, &value).map_err(err)?;
                let prefix = declared.map(|p| doc.push_str(p)).unwrap_or_default();
                let ns = doc.push_str(&value);
                doc.decls.push(DeclRec { prefix, ns });
                continue;
            }
            // The name as written; its local part is the attribute's local name.
            let name = doc.push_str(key);
            let local = match split_qname(key) {
                (Some(p), local) => {
                    let at = name.start + index_of(p.len()) + 1;
                    self.prefixed.push((
                        index_of(doc.attrs.len()),
                        Span {
                            start: name.start,
                            len: index_of(p.len()),
                        },
                    ));
                    Span {
                        start: at,
                        len: index_of(local.len()),
                    }
                }
                (None, _) => name,
            };
            let value = doc.push_str(&value);
            doc.attrs.push(AttrRec {
                ns: 0,
                local,
                value,
            });
        }
        let ns = scopes.resolve(element_prefix, true).map_err(err)?;
        let ns = self.intern(ns);
        let mut xsi_type = None;
        for i in 0..self.prefixed.len() {
            let Some(&(index, prefix)) = self.prefixed.get(i) else {
                break;
            };
            let resolved = scopes
                .resolve(Some(span_str(&self.doc.buf, prefix)), false)
                .map_err(err)?;
            let attr_ns = self.intern(resolved);
            let doc = &mut self.doc;
            let Some(rec) = doc.attrs.get_mut(index as usize) else {
                continue;
            };
            rec.ns = attr_ns;
            let rec = *rec;
            if resolved == super::XSI_NS && span_str(&doc.buf, rec.local) == "type" {
                // A QName value: its prefix (or the default namespace) resolves here. An
                // unbound prefix is the sender's mistake: kept as no namespace, and the reader
                // reports the type as unknown.
                let value = span_str(&doc.buf, rec.value);
                let (type_prefix, type_local) = split_qname(value.trim());
                // The local name is a part of the value.
                let skip = (type_local.as_ptr() as usize).saturating_sub(value.as_ptr() as usize);
                let type_local = Span {
                    start: rec.value.start + index_of(skip),
                    len: index_of(type_local.len()),
                };
                let type_ns = scopes.resolve(type_prefix, true).unwrap_or_default();
                xsi_type = Some((self.intern(type_ns), type_local));
            }
        }
        let doc = &mut self.doc;
        let index = u32::try_from(doc.elements.len())
            .ok()
            .filter(|i| *i != NONE)
            .ok_or_else(|| err("too many elements".to_owned()))?;
        doc.elements.push(ElementRec {
            ns,
            local,
            prefix,
            attrs: (index_of(attrs_start), index_of(doc.attrs.len())),
            decls: (index_of(decls_start), index_of(doc.decls.len())),
            children: (0, 0),
            xsi_type,
            offset,
            end: after,
        });
        if self.open.is_empty() {
            doc.root = index;
        } else {
            self.stack.push(ChildRec::Element(index));
        }
        if empty {
            scopes.close();
        } else {
            self.open.push(Open {
                element: index,
                first_child: self.stack.len(),
            });
        }
        Ok(())
    }

    /// An end tag: the declarations of its element leave `scopes`.
    pub(crate) fn end(
        &mut self,
        scopes: &mut Scopes,
        offset: usize,
        after: usize,
    ) -> Result<(), ParseError> {
        let Some(closed) = self.open.pop() else {
            return Err(ParseError::new(offset, "unexpected end tag"));
        };
        scopes.close();
        let doc = &mut self.doc;
        let first = index_of(doc.children.len());
        doc.children
            .extend(self.stack.drain(closed.first_child.min(self.stack.len())..));
        let last = index_of(doc.children.len());
        if let Some(e) = doc.elements.get_mut(closed.element as usize) {
            e.children = (first, last);
            e.end = after;
        }
        Ok(())
    }

    /// Character data; adjacent text, entity and CDATA events form one text node (they are
    /// adjacent in the buffer too).
    pub(crate) fn text(&mut self, text: &str, offset: usize) -> Result<(), ParseError> {
        if text.is_empty() {
            return Ok(());
        }
        let Some(parent) = self.open.last() else {
            if text.trim().is_empty() {
                return Ok(());
            }
            return Err(ParseError::new(offset, "text outside the root element"));
        };
        let limits = self.limits;
        let first_child = parent.first_child;
        let over_text = || {
            ParseError::over(
                offset,
                XmlLimit::TextBytes,
                limits.max_text_bytes,
                "bytes of one text",
            )
        };
        if text.len() > limits.max_text_bytes {
            return Err(over_text());
        }
        let span = self.doc.push_str(text);
        if self.stack.len() > first_child
            && let Some(ChildRec::Text(prev)) = self.stack.last_mut()
            && prev.start + prev.len == span.start
        {
            prev.len += span.len;
            if prev.len as usize > limits.max_text_bytes {
                return Err(over_text());
            }
            return Ok(());
        }
        if self.stack.len() - first_child.min(self.stack.len()) >= limits.max_children {
            return Err(ParseError::over(
                offset,
                XmlLimit::Children,
                limits.max_children,
                "child nodes of one element",
            ));
        }
        self.stack.push(ChildRec::Text(span));
        Ok(())
    }

    /// The text of an entity or character reference.
    pub(crate) fn reference(&mut self, r: &BytesRef<'_>, offset: usize) -> Result<(), ParseError> {
        let err = |message: String| ParseError::new(offset, message);
        let mut utf8 = [0u8; 4];
        let text: &str = if r.is_char_ref() {
            match r.resolve_char_ref() {
                Ok(Some(c)) => c.encode_utf8(&mut utf8),
                _ => return Err(err("invalid character reference".to_owned())),
            }
        } else {
            let name = r.xml10_content();
            match quick_xml::escape::resolve_predefined_entity(&name) {
                Some(s) => s,
                None => return Err(err(format!("undefined entity &{name};"))),
            }
        };
        self.text(text, offset)
    }

    /// Checks the document is whole once the input ended at `offset`.
    pub(crate) fn check_complete(&self, offset: usize) -> Result<(), ParseError> {
        if !self.open.is_empty() {
            return Err(ParseError::new(
                offset,
                "unexpected end of input (unclosed elements)",
            ));
        }
        if self.doc.root == NONE {
            return Err(ParseError::new(0, "no root element"));
        }
        Ok(())
    }
}

/// Why an event that no message may hold is refused (`None` for the others).
pub(crate) fn refused(event: &Event<'_>) -> Option<&'static str> {
    match event {
        // SOAP forbids DTDs (SOAP 1.1 §3, SOAP 1.2 part 1 §5); refusing them also rules out
        // entity-expansion attacks.
        Event::DocType(_) => Some("document type declarations are not allowed"),
        _ => None,
    }
}

impl Document {
    /// Parses a document (UTF-8, or the encoding its BOM or declaration names).
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses a document held in a string.
    pub fn parse_str(text: &str) -> Result<Self, ParseError> {
        Self::parse_str_with(text, &Limits::DEFAULT)
    }

    /// [`parse`](Self::parse) within `limits`.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let text = decode(input)?;
        Self::parse_str_with(&text, limits)
    }

    /// [`parse_str`](Self::parse_str) within `limits`.
    pub fn parse_str_with(text: &str, limits: &Limits) -> Result<Self, ParseError> {
        if u32::try_from(text.len()).is_err() {
            return Err(ParseError::new(
                0,
                "documents of 4 GiB or more are not read whole",
            ));
        }
        let mut b = Builder::for_text(text);
        b.set_limits(*limits);
        let mut reader = Reader::from_str(text);
        let mut scopes = Scopes::default();
        loop {
            let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let err = |message: String| ParseError::new(offset, message);
            let event = reader.read_event().map_err(|e| err(e.to_string()))?;
            let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            if let Some(why) = refused(&event) {
                return Err(err(why.to_owned()));
            }
            match event {
                Event::Start(start) => b.start(&mut scopes, &start, offset, after, false)?,
                Event::Empty(start) => b.start(&mut scopes, &start, offset, after, true)?,
                Event::End(_) => b.end(&mut scopes, offset, after)?,
                Event::Text(t) => b.text(&t.xml10_content(), offset)?,
                Event::CData(c) => b.text(&c.into_inner(), offset)?,
                Event::GeneralRef(r) => b.reference(&r, offset)?,
                Event::Eof => break,
                Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
        b.check_complete(text.len())?;
        Ok(b.into_document())
    }

    /// A document holding a copy of an owned element (to read a fault detail or a tree built
    /// by hand with the generated readers). Elements nested deeper than [`MAX_DEPTH`] are left
    /// out, as parsing would have refused them.
    pub fn from_element(element: &Element) -> Self {
        let mut doc = Document {
            buf: String::new(),
            elements: Vec::new(),
            attrs: Vec::new(),
            decls: Vec::new(),
            children: Vec::new(),
            namespaces: vec!["".into()],
            root: 0,
        };
        let mut interner = Interner::default();
        doc.root = doc.copy(element, &mut interner, 0);
        doc
    }

    fn copy(&mut self, e: &Element, interner: &mut Interner, depth: usize) -> u32 {
        let ns = interner.get(&mut self.namespaces, e.namespace());
        let local = self.push_str(e.local_name());
        let prefix = e.prefix().map(|p| self.push_str(p)).unwrap_or_default();
        let attrs_start = self.attrs.len();
        for a in e.attributes() {
            let rec = AttrRec {
                ns: interner.get(&mut self.namespaces, &a.ns),
                local: self.push_str(&a.local),
                value: self.push_str(&a.value),
            };
            self.attrs.push(rec);
        }
        let decls_start = self.decls.len();
        for (p, n) in e.namespace_declarations() {
            let rec = DeclRec {
                prefix: self.push_str(p),
                ns: self.push_str(n),
            };
            self.decls.push(rec);
        }
        let xsi_type = e
            .xsi_type()
            .map(|(ns, local)| (interner.get(&mut self.namespaces, ns), self.push_str(local)));
        let index = index_of(self.elements.len());
        let span = e.span();
        self.elements.push(ElementRec {
            ns,
            local,
            prefix,
            attrs: (index_of(attrs_start), index_of(self.attrs.len())),
            decls: (index_of(decls_start), index_of(self.decls.len())),
            children: (0, 0),
            xsi_type,
            offset: span.start,
            end: span.end,
        });
        let mut kids = Vec::new();
        for n in e.nodes() {
            match n {
                super::Node::Text(t) => kids.push(ChildRec::Text(self.push_str(t))),
                super::Node::Element(c) if depth < MAX_DEPTH => {
                    kids.push(ChildRec::Element(self.copy(c, interner, depth + 1)));
                }
                super::Node::Element(_) => {}
            }
        }
        let first = index_of(self.children.len());
        self.children.extend(kids);
        if let Some(rec) = self.elements.get_mut(index as usize) {
            rec.children = (first, index_of(self.children.len()));
        }
        index
    }

    fn push_str(&mut self, s: &str) -> Span {
        let start = index_of(self.buf.len());
        self.buf.push_str(s);
        Span {
            start,
            len: index_of(s.len()),
        }
    }

    /// The document element.
    pub fn root(&self) -> ElementRef<'_> {
        ElementRef {
            doc: self,
            index: self.root,
        }
    }

    fn str(&self, span: Span) -> &str {
        span_str(&self.buf, span)
    }

    fn ns(&self, index: u32) -> &str {
        self.namespaces.get(index as usize).map_or("", |n| &**n)
    }

    fn rec(&self, index: u32) -> Option<&ElementRec> {
        self.elements.get(index as usize)
    }
}

/// The text of `span` in `buf`.
fn span_str(buf: &str, span: Span) -> &str {
    let start = span.start as usize;
    buf.get(start..start + span.len as usize)
        .unwrap_or_default()
}

/// Buffer sizes fit `u32`: documents of 4 GiB or more are refused before parsing.
fn index_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(NONE)
}

/// An element of a [`Document`]: a copyable reference with the accessors of [`Element`].
#[derive(Clone, Copy)]
pub struct ElementRef<'d> {
    doc: &'d Document,
    index: u32,
}

impl std::fmt::Debug for ElementRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Element content can hold personal data; show the shape, not the text.
        f.debug_struct("ElementRef")
            .field("ns", &self.namespace())
            .field("local", &self.local_name())
            .field("children", &self.child_elements().count())
            .finish_non_exhaustive()
    }
}

/// An attribute of an [`ElementRef`] (namespace declarations are not attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttributeRef<'d> {
    /// Namespace name; empty when the attribute is unqualified.
    pub ns: &'d str,
    /// Local name.
    pub local: &'d str,
    /// Normalised value.
    pub value: &'d str,
}

/// Content of an [`ElementRef`]: a child element or text (CDATA is merged into text; comments
/// and processing instructions are dropped).
#[derive(Debug, Clone, Copy)]
pub enum NodeRef<'d> {
    /// A child element.
    Element(ElementRef<'d>),
    /// Character data.
    Text(&'d str),
}

impl<'d> ElementRef<'d> {
    fn rec(&self) -> Option<&'d ElementRec> {
        self.doc.rec(self.index)
    }

    /// The document this element belongs to.
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    /// An identity of this element, unique among the elements of documents alive at once.
    pub fn key(&self) -> (usize, u32) {
        (std::ptr::from_ref(self.doc) as usize, self.index)
    }

    /// Namespace name, empty when the element is in no namespace.
    pub fn namespace(&self) -> &'d str {
        self.rec().map_or("", |r| self.doc.ns(r.ns))
    }

    /// Local name.
    pub fn local_name(&self) -> &'d str {
        self.rec().map_or("", |r| self.doc.str(r.local))
    }

    /// The prefix the sender used, if any (for messages only; never compare on it).
    pub fn prefix(&self) -> Option<&'d str> {
        self.rec()
            .filter(|r| r.prefix.len > 0)
            .map(|r| self.doc.str(r.prefix))
    }

    /// `true` when the element has this namespace and local name.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.local_name() == local && self.namespace() == ns
    }

    /// Byte offset of the start tag in the parsed input.
    pub fn offset(&self) -> usize {
        self.rec().map_or(0, |r| r.offset)
    }

    /// Byte range of the whole element (start tag to end tag) in the parsed (decoded) input.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.rec().map_or(0..0, |r| r.offset..r.end)
    }

    /// The type named by the element's `xsi:type` (namespace, local name), resolved with the
    /// namespace bindings in scope where it was parsed.
    pub fn xsi_type(&self) -> Option<(&'d str, &'d str)> {
        let (ns, local) = self.rec()?.xsi_type?;
        Some((self.doc.ns(ns), self.doc.str(local)))
    }

    /// Attributes in document order (namespace declarations excluded).
    pub fn attributes(&self) -> impl Iterator<Item = AttributeRef<'d>> + use<'d> {
        let doc = self.doc;
        let (start, end) = self.rec().map_or((0, 0), |r| r.attrs);
        doc.attrs
            .get(start as usize..end as usize)
            .unwrap_or_default()
            .iter()
            .map(move |a| AttributeRef {
                ns: doc.ns(a.ns),
                local: doc.str(a.local),
                value: doc.str(a.value),
            })
    }

    /// The value of an attribute.
    pub fn attribute(&self, ns: &str, local: &str) -> Option<&'d str> {
        self.attributes()
            .find(|a| a.local == local && a.ns == ns)
            .map(|a| a.value)
    }

    /// `true` when the element has attributes.
    pub fn has_attributes(&self) -> bool {
        self.rec().is_some_and(|r| r.attrs.0 < r.attrs.1)
    }

    /// Namespace declarations made on this element: (prefix, namespace); prefix "" is the
    /// default.
    pub fn namespace_declarations(&self) -> impl Iterator<Item = (&'d str, &'d str)> + use<'d> {
        let doc = self.doc;
        let (start, end) = self.rec().map_or((0, 0), |r| r.decls);
        doc.decls
            .get(start as usize..end as usize)
            .unwrap_or_default()
            .iter()
            .map(move |d| (doc.str(d.prefix), doc.str(d.ns)))
    }

    fn child_recs(&self) -> &'d [ChildRec] {
        let (start, end) = self.rec().map_or((0, 0), |r| r.children);
        self.doc
            .children
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// All content nodes.
    pub fn nodes(&self) -> impl Iterator<Item = NodeRef<'d>> + use<'d> {
        let doc = self.doc;
        self.child_recs().iter().map(move |c| match *c {
            ChildRec::Element(index) => NodeRef::Element(ElementRef { doc, index }),
            ChildRec::Text(span) => NodeRef::Text(doc.str(span)),
        })
    }

    /// Child elements in document order.
    pub fn child_elements(&self) -> impl Iterator<Item = ElementRef<'d>> + use<'d> {
        let doc = self.doc;
        self.child_recs().iter().filter_map(move |c| match *c {
            ChildRec::Element(index) => Some(ElementRef { doc, index }),
            ChildRec::Text(_) => None,
        })
    }

    /// The first child element with this name.
    pub fn child(&self, ns: &str, local: &str) -> Option<ElementRef<'d>> {
        self.child_elements().find(|e| e.is(ns, local))
    }

    /// `true` when the element has child elements.
    pub fn has_child_elements(&self) -> bool {
        self.child_recs()
            .iter()
            .any(|c| matches!(c, ChildRec::Element(_)))
    }

    /// Concatenated text of the direct text children (a slice of the document when there is
    /// one text node, as for every simple value).
    pub fn text(&self) -> Cow<'d, str> {
        let doc = self.doc;
        super::dom::concat(self.child_recs().iter().filter_map(|c| match *c {
            ChildRec::Text(span) => Some(doc.str(span)),
            ChildRec::Element(_) => None,
        }))
    }

    /// Concatenated text of all descendants, in document order.
    pub fn deep_text(&self) -> String {
        let mut s = String::new();
        self.collect_text(&mut s);
        s
    }

    fn collect_text(&self, out: &mut String) {
        for n in self.nodes() {
            match n {
                NodeRef::Text(t) => out.push_str(t),
                NodeRef::Element(e) => e.collect_text(out),
            }
        }
    }

    /// An owned copy of this element and its content.
    pub fn to_element(&self) -> Element {
        let mut e = Element::from_parts(
            self.namespace(),
            self.local_name(),
            self.prefix(),
            self.span(),
        );
        for a in self.attributes() {
            e.push_attribute(a.ns, a.local, a.value);
        }
        for (prefix, ns) in self.namespace_declarations() {
            e.push_namespace_declaration(prefix, ns);
        }
        if let Some((ns, local)) = self.xsi_type() {
            e.set_xsi_type(ns, local);
        }
        for n in self.nodes() {
            match n {
                NodeRef::Text(t) => e.push_text(t),
                NodeRef::Element(child) => e.push_child(child.to_element()),
            }
        }
        e
    }
}

impl PartialEq for ElementRef<'_> {
    /// The same element of the same document.
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for ElementRef<'_> {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resolves_prefixes_defaults_entities_and_merges_text() {
        let xml = br#"<?xml version="1.0"?>
<S:Envelope xmlns:S="urn:env"><S:Body><ns0:r xmlns:ns0="urn:a" xmlns="urn:d" a="1&amp;2">x &lt; <![CDATA[<y>]]><d/>&#x10D;</ns0:r></S:Body></S:Envelope>"#;
        let doc = Document::parse(xml).unwrap();
        let root = doc.root();
        assert!(root.is("urn:env", "Envelope"));
        let body = root.child("urn:env", "Body").unwrap();
        let r = body.child("urn:a", "r").unwrap();
        assert_eq!(r.prefix(), Some("ns0"));
        assert_eq!(r.attribute("", "a"), Some("1&2"));
        assert_eq!(r.text(), "x < <y>č");
        assert_eq!(r.nodes().count(), 3, "text, element, text");
        assert!(r.child("urn:d", "d").is_some());
        let decls: Vec<_> = r.namespace_declarations().collect();
        assert_eq!(decls, vec![("ns0", "urn:a"), ("", "urn:d")]);
        let text = std::str::from_utf8(xml).unwrap();
        assert!(text[body.span()].starts_with("<S:Body>"));
        assert!(text[r.span()].ends_with("</ns0:r>"));
    }

    #[test]
    fn owned_copies_equal_the_owned_parse() {
        let xml = br#"<a xmlns="urn:a" xmlns:x="urn:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><b x:k="v" xsi:type="x:T">t<c/>u</b><d/>tail</a>"#;
        let doc = Document::parse(xml).unwrap();
        let owned = doc.root().to_element();
        assert_eq!(owned, super::super::dom::parse(xml).unwrap());
        let b = owned.child("urn:a", "b").unwrap();
        assert_eq!(b.xsi_type(), Some(("urn:x", "T")));
        assert_eq!(b.attribute("urn:x", "k"), Some("v"));
    }

    #[test]
    fn refuses_what_the_tree_reader_refuses() {
        for bad in [
            &b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"[..],
            b"<p:a/>",
            b"<a><b></b>",
            b"<a/><b/>",
            b"<a>&nope;</a>",
            b"text<a/>",
        ] {
            assert!(
                Document::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(
            Document::parse(deep.as_bytes()).unwrap_err().limit,
            Some(crate::xml::XmlLimit::Depth)
        );
    }

    #[test]
    fn many_namespaces_are_interned_by_map() {
        let mut xml = String::from("<r>");
        for i in 0..100 {
            xml.push_str(&format!("<p:e xmlns:p=\"urn:{}\"/>", i % 40));
        }
        xml.push_str("</r>");
        let doc = Document::parse(xml.as_bytes()).unwrap();
        let names: Vec<&str> = doc.root().child_elements().map(|e| e.namespace()).collect();
        assert_eq!(names.len(), 100);
        assert_eq!(names[41], "urn:1");
        assert_eq!(doc.namespaces.len(), 41);
    }
}
