//! The namespace bindings in force while a document is read, innermost last.
//!
//! quick-xml's `NsReader` keeps the same, but it reads every start tag's attributes a second
//! time to find the declarations, and resolves every event's name whether or not it is wanted;
//! profiles of small answers showed that layer at about a seventh of decoding. The document
//! builder reads a tag's attributes once, declaring here what it finds, and resolves the names
//! it keeps. The rules are those of Namespaces in XML 1.0 as `NsReader` applies them (the
//! `xml` and `xmlns` prefixes are bound and cannot be rebound, nothing else may be bound to
//! their names, `xmlns:p=""` takes `p` out of scope, at most [`MAX_BINDINGS`] declarations are
//! in scope at once), except that a declared name is read like any attribute value (entity and
//! character references resolved), as the XML specification has it, where `NsReader` kept its
//! raw text. `tests/namespace_scopes.rs` compares the two on every sample document.

use quick_xml::XmlVersion;
use quick_xml::events::BytesStart;

/// The XML namespace, bound to the `xml` prefix.
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations, bound to the `xmlns` prefix.
pub(crate) const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// Declarations in scope at once (quick-xml's default, which the reader applied before).
/// Bounds the memory and the time of a lookup, which searches them.
pub(crate) const MAX_BINDINGS: usize = 128;

/// One declaration in scope: its prefix and namespace name, in that order in
/// [`Scopes::text`] from `start`.
#[derive(Debug, Clone, Copy)]
struct Binding {
    start: u32,
    /// Empty for the default namespace (`xmlns="…"`).
    prefix_len: u32,
    /// Empty when the declaration takes the prefix (or the default namespace) out of scope.
    ns_len: u32,
    /// The element that declared it (its nesting depth).
    depth: u32,
}

/// The declarations in scope; see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    text: String,
    bindings: Vec<Binding>,
    depth: u32,
}

impl Scopes {
    /// Enters an element: its declarations follow.
    pub(crate) fn open(&mut self) {
        self.depth = self.depth.saturating_add(1);
    }

    /// Leaves the innermost element: its declarations go out of scope.
    pub(crate) fn close(&mut self) {
        let depth = self.depth;
        let keep = self
            .bindings
            .iter()
            .rposition(|b| b.depth < depth)
            .map_or(0, |i| i + 1);
        if keep < self.bindings.len() {
            let text_len = self.bindings.get(keep).map_or(0, |b| b.start as usize);
            self.bindings.truncate(keep);
            self.text.truncate(text_len);
        }
        self.depth = depth.saturating_sub(1);
    }

    /// A declaration of the element entered last: `xmlns="ns"` (`prefix` `None`) or
    /// `xmlns:prefix="ns"`, with `ns` as read (references resolved).
    pub(crate) fn declare(&mut self, prefix: Option<&str>, ns: &str) -> Result<(), String> {
        if let Some(p) = prefix {
            match p {
                // Bound already, to nothing else: not added again.
                "xml" if ns == XML_NS => return Ok(()),
                "xml" => {
                    return Err(format!(
                        "the namespace prefix 'xml' cannot be bound to '{ns}'"
                    ));
                }
                "xmlns" => {
                    return Err(format!(
                        "the namespace prefix 'xmlns' cannot be bound to '{ns}'"
                    ));
                }
                _ if ns == XML_NS || ns == XMLNS_NS => {
                    return Err(format!(
                        "the namespace prefix '{p}' cannot be bound to '{ns}'"
                    ));
                }
                _ => {}
            }
        }
        if self.bindings.len() >= MAX_BINDINGS {
            return Err(format!(
                "more than {MAX_BINDINGS} namespace declarations in scope"
            ));
        }
        let prefix = prefix.unwrap_or_default();
        let (Ok(start), Ok(prefix_len), Ok(ns_len)) = (
            u32::try_from(self.text.len()),
            u32::try_from(prefix.len()),
            u32::try_from(ns.len()),
        ) else {
            return Err("a namespace declaration of 4 GiB or more".to_owned());
        };
        self.text.push_str(prefix);
        self.text.push_str(ns);
        self.bindings.push(Binding {
            start,
            prefix_len,
            ns_len,
            depth: self.depth,
        });
        Ok(())
    }

    /// The namespace name of a qualified name's `prefix` (`""`: no namespace). An element
    /// without a prefix is in the default namespace, an attribute without one in none; a
    /// prefix not in scope is an error.
    pub(crate) fn resolve(&self, prefix: Option<&str>, element: bool) -> Result<&str, String> {
        let Some(p) = prefix else {
            if !element {
                return Ok("");
            }
            return Ok(self
                .bindings
                .iter()
                .rev()
                .find(|b| b.prefix_len == 0)
                .map_or("", |b| self.ns(b)));
        };
        // A binding of the empty prefix (`xmlns:=""`) is the default namespace's.
        let found = self.bindings.iter().rev().find(|b| {
            b.prefix_len > 0
                && b.prefix_len as usize == p.len()
                && self.prefix(b).as_bytes() == p.as_bytes()
        });
        match found {
            Some(b) if b.ns_len > 0 => Ok(self.ns(b)),
            // `xmlns:p=""` took it out of scope.
            Some(_) => Err(format!("undeclared namespace prefix `{p}`")),
            None => match p {
                "xml" => Ok(XML_NS),
                "xmlns" => Ok(XMLNS_NS),
                _ => Err(format!("undeclared namespace prefix `{p}`")),
            },
        }
    }

    /// Whether the element `start` opens is in namespace `ns`, its own declarations (not yet
    /// in scope) counted: to tell what an element is before reading it. An element whose
    /// prefix is not in scope is in none.
    pub(crate) fn element_is_in(&self, start: &BytesStart<'_>, ns: &str) -> bool {
        let name = start.name();
        let (prefix, _) = split_qname(name.as_ref());
        let mut own = None;
        for attr in start.attributes().with_checks(false) {
            let Ok(attr) = attr else { break };
            if let Some(declared) = declaration(attr.key.as_ref())
                && declared.filter(|p| !p.is_empty()) == prefix
                && let Ok(value) = attr.normalized_value(XmlVersion::Implicit1_0)
            {
                own = Some(value);
            }
        }
        match own {
            Some(value) if value.is_empty() && prefix.is_some() => false,
            Some(value) => value == ns,
            None => self.resolve(prefix, true).is_ok_and(|found| found == ns),
        }
    }

    fn prefix(&self, b: &Binding) -> &str {
        let start = b.start as usize;
        self.text
            .get(start..start + b.prefix_len as usize)
            .unwrap_or_default()
    }

    fn ns(&self, b: &Binding) -> &str {
        let start = b.start as usize + b.prefix_len as usize;
        self.text
            .get(start..start + b.ns_len as usize)
            .unwrap_or_default()
    }
}

/// A qualified name's prefix (up to the first colon) and local name.
pub(crate) fn split_qname(qname: &str) -> (Option<&str>, &str) {
    // A byte search: names are short, and a character search costs more there.
    match qname.bytes().position(|b| b == b':') {
        Some(at) => (qname.get(..at), qname.get(at + 1..).unwrap_or_default()),
        None => (None, qname),
    }
}

/// What an attribute name declares: `Some(None)` the default namespace (`xmlns`),
/// `Some(Some(p))` the prefix `p` (`xmlns:p`), `None` nothing (an attribute).
pub(crate) fn declaration(key: &str) -> Option<Option<&str>> {
    let rest = key.strip_prefix("xmlns")?;
    match rest.as_bytes().first() {
        None => Some(None),
        Some(b':') => Some(rest.get(1..)),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn declarations_go_out_of_scope_with_their_element() {
        let mut s = Scopes::default();
        s.open();
        s.declare(None, "urn:outer").unwrap();
        s.declare(Some("a"), "urn:a").unwrap();
        s.open();
        s.declare(Some("a"), "urn:a2").unwrap();
        s.declare(None, "").unwrap();
        assert_eq!(s.resolve(Some("a"), true).unwrap(), "urn:a2");
        assert_eq!(s.resolve(None, true).unwrap(), "");
        assert_eq!(s.resolve(None, false).unwrap(), "");
        s.open();
        s.declare(Some("a"), "").unwrap();
        assert!(s.resolve(Some("a"), false).is_err());
        s.close();
        assert_eq!(s.resolve(Some("a"), false).unwrap(), "urn:a2");
        s.close();
        assert_eq!(s.resolve(Some("a"), true).unwrap(), "urn:a");
        assert_eq!(s.resolve(None, true).unwrap(), "urn:outer");
        assert_eq!(s.resolve(Some("xml"), false).unwrap(), XML_NS);
        assert!(s.resolve(Some("b"), true).is_err());
        s.close();
        assert!(s.resolve(Some("a"), true).is_err());
        assert!(s.text.is_empty());
    }

    #[test]
    fn reserved_prefixes_and_names_cannot_be_rebound() {
        let mut s = Scopes::default();
        s.open();
        assert!(s.declare(Some("xml"), XML_NS).is_ok());
        assert!(s.declare(Some("xml"), "urn:x").is_err());
        assert!(s.declare(Some("xmlns"), "urn:x").is_err());
        assert!(s.declare(Some("p"), XML_NS).is_err());
        assert!(s.declare(Some("p"), XMLNS_NS).is_err());
        assert!(s.bindings.is_empty());
        for i in 0..MAX_BINDINGS {
            s.declare(Some(&format!("p{i}")), "urn:p").unwrap();
        }
        assert!(s.declare(Some("q"), "urn:q").is_err());
    }

    #[test]
    fn declaration_names() {
        assert_eq!(declaration("xmlns"), Some(None));
        assert_eq!(declaration("xmlns:a"), Some(Some("a")));
        assert_eq!(declaration("xmlnsa"), None);
        assert_eq!(declaration("a:xmlns"), None);
        assert_eq!(split_qname("a:b:c"), (Some("a"), "b:c"));
    }
}
