//! Serves inline WSDL schemas to xsd-parser as if they were files next to the WSDL, so that their
//! relative `schemaLocation`s resolve against the WSDL's folder; everything else is read from disk.
//!
//! Every document goes through [`VirtualResolver::serve`] on its way to xsd-parser, which works
//! around two behaviours of xsd-parser 1.5.2 without changing what the schemas mean:
//!
//! * **Chameleon includes.** A schema without `targetNamespace` that is `xs:include`d takes the
//!   includer's namespace (XSD 1.0 §4.2.1), so one such file included from two namespaces defines
//!   its components in both (HL7's `datatypes.xsd`, included by CDA schemas in `urn:hl7-org:v3`
//!   and by IHE pharmacy schemas in `urn:ihe:pharm`). xsd-parser loads a URL once, in the
//!   namespace of whichever includer it reached first, so the other namespace's references
//!   (`II`, `CD`, …) were unknown. The resolver serves such an include under a URL that names the
//!   includer's namespace ([`chameleon_url`]), so each namespace gets its own copy.
//! * **Declaration order.** xsd-parser orders the types it builds by their dependencies, but when
//!   one node both derives from a type and uses it as an element type (`<extension
//!   base="T"><element type="T"/>`), the second reference replaces the first in its dependency map
//!   and the derivation's ordering is lost: if `T` is declared later in the document, building the
//!   derived type panics ("Unable to get type for T"). Component order carries no meaning in XSD,
//!   so [`hoist_base_types`] moves each named type a component of the same document derives from
//!   in front of that component; a document without such forward references is served unchanged.
//! * **Fixed attribute values.** xsd-parser keeps an attribute's `default` but drops `fixed`
//!   (HL7 CDA: `moodCode fixed="EVN"`, gematik: `root fixed="1.2.276.…"`), so
//!   [`fixed_as_default`] also states a fixed value as the default: the one value a fixed
//!   attribute can take is then known to the model (as its default value). An element with a
//!   fixed simple value (`<element name="TSLVersionIdentifier" type="integer" fixed="3"/>`,
//!   ETSI TS 119 612) gets an inline restriction of its type to that one value instead.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use sdk_runtime::xml::Element;
use url::Url;
use xsd_parser::pipeline::parser::resolver::{
    ResolveRequest, ResolveRequestType, ResolveResult, Resolver,
};

use crate::Error;
use crate::locate::{Located, Locations};
use crate::wsdl::XS_NS;

/// Query parameter of the URL a chameleon include is served under (see the module doc).
const CHAMELEON_QUERY: &str = "chameleon-namespace";

#[derive(Debug)]
pub(super) struct VirtualResolver {
    /// Catalogs, URL mappings and the case-insensitive file lookup.
    locations: Locations,
    documents: BTreeMap<String, String>,
    /// Target namespace → URL of the inline schema declaring it.
    by_namespace: BTreeMap<String, Url>,
}

impl VirtualResolver {
    pub(super) fn new(locations: Locations) -> Self {
        Self {
            locations,
            documents: BTreeMap::new(),
            by_namespace: BTreeMap::new(),
        }
    }

    /// Registers an inline schema and returns the URL it is served under.
    pub(super) fn add(&mut self, wsdl: &Path, index: usize, text: String) -> Result<Url, Error> {
        let canonical = wsdl.canonicalize().map_err(|e| Error::io(wsdl, e))?;
        // A distinct virtual file per inline schema, beside the WSDL so that relative locations
        // resolve as they would from the WSDL (xsd-parser identifies documents by URL, ignoring
        // fragments, so `#types-1` would be taken for `#types-0`).
        let name = canonical
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("service.wsdl");
        let virtual_path = canonical.with_file_name(format!("{name}.types-{index}.xsd"));
        let url = Url::from_file_path(&virtual_path)
            .map_err(|()| Error::spec(wsdl, "path cannot be a URL".to_owned()))?;
        if let Ok(root) = sdk_runtime::xml::parse_str(&text)
            && let Some(tns) = root.attribute("", "targetNamespace")
        {
            self.by_namespace
                .entry(tns.to_owned())
                .or_insert_with(|| url.clone());
        }
        self.documents.insert(url.to_string(), text);
        Ok(url)
    }
}

impl Resolver for VirtualResolver {
    type Buffer = Cursor<Vec<u8>>;
    type Error = std::io::Error;

    fn resolve(&mut self, req: &ResolveRequest) -> ResolveResult<Self> {
        let url = match &req.current_location {
            Some(current) => current.join(&req.requested_location),
            None => Url::parse(&req.requested_location),
        };
        let Ok(mut url) = url else {
            return Ok(None);
        };
        // A location never carries our marker of its own; only `chameleon_url` adds it.
        url.set_query(None);
        if let Some(text) = self.documents.get(url.as_str()) {
            let name = url
                .path_segments()
                .and_then(|mut s| s.next_back())
                .map(str::to_owned);
            let (url, text) = self.serve(text, url, req);
            return Ok(Some((name, url, Cursor::new(text.into_bytes()))));
        }
        if url.scheme() != "file" {
            // No network: a URL is served from a catalog, a mapping or the built-in schemas,
            // or refused (a build must be reproducible).
            let located = self
                .locations
                .resolve_url(url.as_str())
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            match located {
                Located::Builtin { url: known, text } => {
                    let name = known.rsplit('/').next().map(str::to_owned);
                    let (url, text) = self.serve(text, url, req);
                    return Ok(Some((name, url, Cursor::new(text.into_bytes()))));
                }
                Located::File(path) => {
                    // Known under its file URL from here on: its own relative references
                    // resolve beside it, and a second URL for the same file loads it once.
                    let path = path.canonicalize().unwrap_or(path);
                    if let Ok(file_url) = Url::from_file_path(&path) {
                        url = file_url;
                    }
                }
            }
        }
        let Ok(path) = url.to_file_path() else {
            return Ok(None);
        };
        let path = self
            .locations
            .find_file(&path)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string()))?;
        if let Ok(found) = Url::from_file_path(&path) {
            url = found;
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let name = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned);
        let (url, bytes) = match sdk_runtime::xml::decode(&bytes) {
            Ok(text) => {
                let (url, text) = self.serve(&text, url, req);
                (url, text.into_bytes())
            }
            Err(_) => (url, bytes),
        };
        Ok(Some((name, url, Cursor::new(bytes))))
    }
}

impl VirtualResolver {
    /// The URL a document is known under and the text xsd-parser gets for it: imports linked,
    /// base types hoisted, chameleon includes given a URL of their own (see the module doc).
    fn serve(&self, text: &str, url: Url, req: &ResolveRequest) -> (Url, String) {
        let mut text = fixed_elements_as_enumerations(&fixed_as_default(&hoist_base_types(
            &self.link_imports(text, &url),
        )));
        if req.request_type == ResolveRequestType::IncludeRequest
            && let Some(includer) = &req.current_location
        {
            text = include_includer(&text, includer);
        }
        let url = match &req.current_ns {
            Some(ns) if req.request_type == ResolveRequestType::IncludeRequest => {
                chameleon_url(&text, url, &ns.to_string())
            }
            _ => url,
        };
        (url, text)
    }

    /// Gives every `xs:import` without `schemaLocation` the URL of the inline WSDL schema with
    /// that namespace: xsd-parser only searches schemas it reached through a location.
    fn link_imports(&self, text: &str, own: &Url) -> String {
        let linked =
            crate::wsdl::rewrite_schema_refs::<std::convert::Infallible>(text, |e, tag| {
                Ok(crate::wsdl::link_import(e, tag, |ns| {
                    self.by_namespace
                        .get(ns)
                        .filter(|url| *url != own)
                        .map(Url::to_string)
                }))
            });
        match linked {
            Ok(t) => t,
            Err(never) => match never {},
        }
    }
}

/// The text of an included schema document with an `xs:include` of the document that included
/// it, in front of its first component.
///
/// The documents one schema includes make one schema (XSD 1.0 §4.2.1): a part may use the
/// components of its siblings (`a.xsd` and `b.xsd`, both included by `all.xsd`, `a` using a
/// type of `b`). xsd-parser 1.5.2 resolves a reference only in the referring document and in
/// what that document itself includes or imports, so the sibling's type was unknown. Including
/// the includer back makes every part reach the whole (cyclic includes are allowed and xsd-parser
/// loads each document once); what the schema means is unchanged.
fn include_includer(text: &str, includer: &Url) -> String {
    let Ok(root) = sdk_runtime::xml::parse_str(text) else {
        return text.to_owned();
    };
    if !root.is(XS_NS, "schema") {
        return text.to_owned();
    }
    let Some(first) = root.child_elements().next() else {
        // Nothing that could refer to anything.
        return text.to_owned();
    };
    let at = first.span().start;
    let (Some(before), Some(after)) = (text.get(..at), text.get(at..)) else {
        return text.to_owned();
    };
    let tag = match root.prefix() {
        Some(p) if !p.is_empty() => format!("{p}:include"),
        _ => "include".to_owned(),
    };
    let location = sdk_runtime::xml::escape_attr(includer.as_str());
    format!("{before}<{tag} schemaLocation=\"{location}\"/>{after}")
}

/// Rewrites `<element … type="T" fixed="V"/>` as an element whose inline type restricts `T` to
/// the enumeration `{V}`.
fn fixed_elements_as_enumerations(text: &str) -> String {
    static TAG: std::sync::OnceLock<Option<(regex::Regex, regex::Regex)>> =
        std::sync::OnceLock::new();
    let Some((tag_re, attr_re)) = TAG.get_or_init(|| {
        let tag = regex::Regex::new(r#"<([A-Za-z_][\w.-]*:)?element(\s[^>]*?)/>"#).ok()?;
        let attr = regex::Regex::new(r#"\s([A-Za-z_][\w.:-]*)\s*=\s*("[^"]*"|'[^']*')"#).ok()?;
        Some((tag, attr))
    }) else {
        return text.to_owned();
    };
    tag_re
        .replace_all(text, |c: &regex::Captures<'_>| {
            let whole = c.get(0).map_or("", |m| m.as_str());
            let prefix = c.get(1).map_or("", |m| m.as_str());
            let attrs = c.get(2).map_or("", |m| m.as_str());
            let mut kept = String::new();
            let (mut ty, mut fixed) = (None, None);
            for a in attr_re.captures_iter(attrs) {
                let (Some(name), Some(value)) = (a.get(1), a.get(2)) else {
                    continue;
                };
                match name.as_str() {
                    "type" => ty = Some(value.as_str()),
                    "fixed" => fixed = Some(value.as_str()),
                    _ => {
                        kept.push(' ');
                        kept.push_str(name.as_str());
                        kept.push('=');
                        kept.push_str(value.as_str());
                    }
                }
            }
            match (ty, fixed) {
                (Some(ty), Some(fixed)) => format!(
                    "<{prefix}element{kept}><{prefix}simpleType><{prefix}restriction base={ty}>\
                     <{prefix}enumeration value={fixed}/></{prefix}restriction></{prefix}simpleType>\
                     </{prefix}element>"
                ),
                _ => whole.to_owned(),
            }
        })
        .into_owned()
}

/// Adds `default="V"` to every attribute declaration with `fixed="V"` and no default.
fn fixed_as_default(text: &str) -> String {
    static FIXED: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(re) = FIXED.get_or_init(|| {
        regex::Regex::new(
            r#"<([A-Za-z_][\w.-]*:)?attribute\s[^>]*?\bfixed\s*=\s*("[^"]*"|'[^']*')"#,
        )
        .ok()
    }) else {
        return text.to_owned();
    };
    re.replace_all(text, |c: &regex::Captures<'_>| {
        let tag = c.get(0).map_or("", |m| m.as_str());
        let value = c.get(2).map_or("\"\"", |m| m.as_str());
        if tag.contains("default=") || tag.contains("default =") {
            tag.to_owned()
        } else {
            format!("{tag} default={value}")
        }
    })
    .into_owned()
}

/// For a schema without `targetNamespace` included from namespace `ns`, `url` marked with that
/// namespace: xsd-parser identifies documents by URL, and this document is a different set of
/// components in each namespace that includes it. Any other document keeps its URL. Relative
/// locations inside it still resolve against its path (a reference replaces the query).
fn chameleon_url(text: &str, mut url: Url, ns: &str) -> Url {
    let chameleon = sdk_runtime::xml::parse_str(&super::strip_doctype(text))
        .is_ok_and(|root| root.attribute("", "targetNamespace").is_none());
    if chameleon {
        url.query_pairs_mut().append_pair(CHAMELEON_QUERY, ns);
    }
    url
}

/// The schema text with every named type that a top-level component derives from (an
/// `xs:extension` or `xs:restriction` `base` anywhere inside it) moved in front of that
/// component, when the type is declared later in the same document; everything else keeps its
/// place and its bytes. See the module doc for why. Text that is not a schema, or that has no
/// such forward reference, is returned as it is.
fn hoist_base_types(text: &str) -> String {
    let Ok(root) = sdk_runtime::xml::parse_str(text) else {
        return text.to_owned();
    };
    if !root.is(XS_NS, "schema") {
        return text.to_owned();
    }
    let tns = root.attribute("", "targetNamespace").unwrap_or("");
    let components: Vec<&Element> = root
        .child_elements()
        .filter(|e| {
            e.namespace() == XS_NS
                && matches!(
                    e.local_name(),
                    "element"
                        | "attribute"
                        | "complexType"
                        | "simpleType"
                        | "group"
                        | "attributeGroup"
                )
        })
        .collect();
    let types: BTreeMap<&str, usize> = components
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.local_name(), "complexType" | "simpleType"))
        .filter_map(|(i, e)| e.attribute("", "name").map(|n| (n, i)))
        .collect();
    let scope: Vec<(String, String)> = root.namespace_declarations().to_vec();
    let bases: Vec<Vec<usize>> = components
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut found = Vec::new();
            collect_bases(e, &scope, &mut |ns, local| {
                if ns == tns
                    && let Some(&j) = types.get(local)
                    && j != i
                    && !found.contains(&j)
                {
                    found.push(j);
                }
            });
            found
        })
        .collect();
    if !bases
        .iter()
        .enumerate()
        .any(|(i, b)| b.iter().any(|&j| j > i))
    {
        return text.to_owned();
    }
    // Depth first, in document order: a component's bases before it. Derivation is acyclic in a
    // valid schema; a cycle is left in document order for xsd-parser to report.
    let mut order = Vec::with_capacity(components.len());
    let mut seen = vec![false; components.len()];
    for i in 0..components.len() {
        place(i, &bases, &mut seen, &mut order);
    }
    // The components are permuted among their slots; the text between slots stays.
    let spans: Vec<std::ops::Range<usize>> = components.iter().map(|e| e.span()).collect();
    let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(text.get(..first.start).unwrap_or_default());
    for (slot, &i) in order.iter().enumerate() {
        out.push_str(text.get(spans[i].clone()).unwrap_or_default());
        if let Some(next) = spans.get(slot + 1) {
            out.push_str(text.get(spans[slot].end..next.start).unwrap_or_default());
        }
    }
    out.push_str(text.get(last.end..).unwrap_or_default());
    out
}

/// Appends component `i` to `order` after its bases (those not placed yet), depth first.
fn place(i: usize, bases: &[Vec<usize>], seen: &mut [bool], order: &mut Vec<usize>) {
    if seen.get(i).copied().unwrap_or(true) {
        return;
    }
    seen[i] = true;
    for &j in bases.get(i).map(Vec::as_slice).unwrap_or_default() {
        place(j, bases, seen, order);
    }
    order.push(i);
}

/// Calls `found(namespace, local name)` for the `base` of every `xs:extension` and
/// `xs:restriction` in `e` (itself included), resolving prefixes with the declarations in scope.
fn collect_bases(e: &Element, scope: &[(String, String)], found: &mut impl FnMut(&str, &str)) {
    let mut scope = scope.to_vec();
    scope.extend_from_slice(e.namespace_declarations());
    if e.namespace() == XS_NS
        && matches!(e.local_name(), "extension" | "restriction")
        && let Some(base) = e.attribute("", "base")
    {
        let (prefix, local) = base.trim().split_once(':').unwrap_or(("", base.trim()));
        let ns = scope
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map_or("", |(_, ns)| ns.as_str());
        found(ns, local);
    }
    for child in e.child_elements() {
        collect_bases(child, &scope, found);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const DERIVED_FIRST: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
  <!-- root -->
  <xs:element name="Root">
    <xs:complexType>
      <xs:complexContent>
        <xs:extension base="t:Base"><xs:sequence><xs:element name="b" type="t:Base"/></xs:sequence></xs:extension>
      </xs:complexContent>
    </xs:complexType>
  </xs:element>
  <xs:simpleType name="Code"><xs:restriction base="xs:string"/></xs:simpleType>
  <xs:complexType name="Base"><xs:simpleContent><xs:extension base="t:Code"/></xs:simpleContent></xs:complexType>
</xs:schema>"#;

    #[test]
    fn fixed_element_values_become_enumerations() {
        let text = r#"<xsd:element name="TSLVersionIdentifier" type="xsd:integer" fixed="3"/><xsd:element name="x" type="xsd:string"/>"#;
        assert_eq!(
            fixed_elements_as_enumerations(text),
            r#"<xsd:element name="TSLVersionIdentifier"><xsd:simpleType><xsd:restriction base="xsd:integer"><xsd:enumeration value="3"/></xsd:restriction></xsd:simpleType></xsd:element><xsd:element name="x" type="xsd:string"/>"#
        );
    }

    #[test]
    fn fixed_attribute_values_become_defaults() {
        let text = r#"<xs:attribute name="moodCode" type="ActMood" fixed="EVN"/><xs:attribute name="a" default="x" fixed="x"/><attribute name='b' fixed='1'/>"#;
        assert_eq!(
            fixed_as_default(text),
            r#"<xs:attribute name="moodCode" type="ActMood" fixed="EVN" default="EVN"/><xs:attribute name="a" default="x" fixed="x"/><attribute name='b' fixed='1' default='1'/>"#
        );
    }

    #[test]
    fn base_types_move_before_the_components_deriving_from_them() {
        let out = hoist_base_types(DERIVED_FIRST);
        let at = |needle: &str| out.find(needle).unwrap();
        assert!(at("name=\"Code\"") < at("name=\"Base\""));
        assert!(at("name=\"Base\"") < at("name=\"Root\""));
        // Components change slots; the text between them (here a comment) stays, nothing is lost.
        assert!(at("<!-- root -->") < at("name=\"Code\""));
        assert_eq!(out.len(), DERIVED_FIRST.len());
        assert!(sdk_runtime::xml::parse_str(&out).is_ok());
    }

    #[test]
    fn schemas_without_forward_bases_are_served_unchanged() {
        let ordered = hoist_base_types(DERIVED_FIRST);
        assert_eq!(hoist_base_types(&ordered), ordered);
        // A base in another namespace with the same local name is not a reason to move anything.
        let other = DERIVED_FIRST.replace("xmlns:t=\"urn:t\"", "xmlns:t=\"urn:other\"");
        assert_eq!(hoist_base_types(&other), other);
        assert_eq!(hoist_base_types("not xml <"), "not xml <");
    }

    #[test]
    fn chameleon_includes_get_a_url_per_namespace() {
        let url = Url::parse("file:///specs/datatypes.xsd").unwrap();
        let chameleon = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>"#;
        let hl7 = chameleon_url(chameleon, url.clone(), "urn:hl7-org:v3");
        let pharm = chameleon_url(chameleon, url.clone(), "urn:ihe:pharm");
        assert_ne!(hl7, pharm);
        assert_eq!(hl7.to_file_path().unwrap(), url.to_file_path().unwrap());
        assert_eq!(
            hl7.join("voc.xsd").unwrap().as_str(),
            "file:///specs/voc.xsd"
        );
        // A schema with its own namespace is one document whoever includes it.
        let own =
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t"/>"#;
        assert_eq!(chameleon_url(own, url.clone(), "urn:t"), url);
    }
}
