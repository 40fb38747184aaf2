//! Proof that a description we wrote is a published one, element for element: both WSDLs are
//! reduced to the facts that reach the wire or the generated API (operations, SOAPActions,
//! messages, parts, headers, faults, bindings, services), and every schema component both sets
//! declare to a normal form (names, namespaces, types, order, cardinalities, facets, enumeration
//! values, element and attribute qualification; documentation, prefixes and written-out defaults
//! ignored). The crates' contract tests compare the two and print the differences.
//!
//! Unlike [`super::diff`], which summarises what a reader would notice between two versions of a
//! service, this comparison is exact: any difference in a compared component is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sdk_runtime::xml::{self, Element};

use crate::wsdl::{self, Definitions};

const XS: &str = "http://www.w3.org/2001/XMLSchema";
/// How many schema files one set may pull in through imports and includes.
const MAX_FILES: usize = 200;

/// Everything a WSDL says that reaches the wire or the generated API, one fact per line.
/// `soap:address` is left out (ours may name the production address, the published file a
/// test or placeholder one), and so are documentation and provenance marks.
pub fn wsdl_facts(defs: &Definitions) -> BTreeSet<String> {
    let mut f = BTreeSet::new();
    f.insert(format!("targetNamespace {}", defs.target_ns));
    f.insert(format!("definitions name {:?}", defs.name));
    for m in &defs.messages {
        f.insert(format!("message {} ({} parts)", m.name, m.parts.len()));
        for p in &m.parts {
            f.insert(format!(
                "message {} part {} element {:?} type {:?}",
                m.name,
                p.name,
                p.element.as_ref().map(ToString::to_string),
                p.type_.as_ref().map(ToString::to_string)
            ));
        }
    }
    for pt in &defs.port_types {
        f.insert(format!("portType {}", pt.name));
        for op in &pt.operations {
            f.insert(format!(
                "portType {} operation {} input {:?} output {:?}",
                pt.name,
                op.name,
                op.input.as_ref().map(ToString::to_string),
                op.output.as_ref().map(ToString::to_string)
            ));
            for (name, msg) in &op.faults {
                f.insert(format!(
                    "portType {} operation {} fault {name} message {msg}",
                    pt.name, op.name
                ));
            }
        }
    }
    for b in &defs.bindings {
        f.insert(format!(
            "binding {} type {} soap {:?} style {:?}",
            b.name, b.port_type, b.version, b.style
        ));
        for op in &b.operations {
            f.insert(format!(
                "binding {} operation {} soapAction {:?} style {:?} faults {:?}",
                b.name, op.name, op.action, op.style, op.faults
            ));
            for (dir, m) in [("input", &op.input), ("output", &op.output)] {
                let headers: Vec<String> = m
                    .headers
                    .iter()
                    .map(|(msg, part)| format!("{msg}#{part}"))
                    .collect();
                f.insert(format!(
                    "binding {} operation {} {dir} body parts {:?} encoded {} headers {:?}",
                    b.name, op.name, m.body_parts, m.encoded, headers
                ));
            }
        }
    }
    for s in &defs.services {
        for p in &s.ports {
            f.insert(format!(
                "service {} port {} binding {}",
                s.name, p.name, p.binding
            ));
        }
    }
    f
}

/// The facts only one side has, published first (`only published: …`, `only ours: …`).
pub fn differences(published: &BTreeSet<String>, ours: &BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = published
        .difference(ours)
        .map(|l| format!("only published: {l}"))
        .collect();
    out.extend(
        ours.difference(published)
            .map(|l| format!("only ours:      {l}")),
    );
    out
}

/// Namespace declarations in scope, innermost last.
type Scope = Vec<(String, String)>;

fn resolve(scope: &Scope, qname: &str) -> String {
    let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
    let ns = scope
        .iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map_or("", |(_, ns)| ns.as_str());
    format!("{{{ns}}}{local}")
}

fn with_declarations(scope: &Scope, e: &Element) -> Scope {
    let mut scope = scope.clone();
    scope.extend(e.namespace_declarations().iter().cloned());
    scope
}

/// A local schema element in a normal form: its name, its attributes (QNames resolved, defaults
/// made explicit, sorted), its children in order; annotations dropped.
fn canon(e: &Element, scope: &Scope) -> String {
    let scope = with_declarations(scope, e);
    let mut attrs: BTreeMap<String, String> = BTreeMap::new();
    for a in e.attributes() {
        let value = match a.local.as_str() {
            "type" | "base" | "ref" | "itemType" | "substitutionGroup" if a.ns.is_empty() => {
                resolve(&scope, &a.value)
            }
            "memberTypes" if a.ns.is_empty() => a
                .value
                .split_whitespace()
                .map(|q| resolve(&scope, q))
                .collect::<Vec<_>>()
                .join(" "),
            _ => a.value.clone(),
        };
        let key = if a.ns.is_empty() {
            a.local.clone()
        } else {
            format!("{{{}}}{}", a.ns, a.local)
        };
        attrs.insert(key, value);
    }
    // Defaults written out or left implicit mean the same.
    match e.local_name() {
        // Only local particles reach here (global components are handled by `add_schema`).
        "element" | "sequence" | "choice" | "all" | "any" | "group" => {
            attrs
                .entry("minOccurs".into())
                .or_insert_with(|| "1".into());
            attrs
                .entry("maxOccurs".into())
                .or_insert_with(|| "1".into());
        }
        "attribute" => {
            attrs
                .entry("use".into())
                .or_insert_with(|| "optional".into());
        }
        _ => {}
    }
    let children: Vec<String> = e
        .child_elements()
        .filter(|c| !c.is(XS, "annotation"))
        .map(|c| canon(c, &scope))
        .collect();
    format!("{}{:?}{:?}", e.local_name(), attrs, children)
}

/// The global components of a schema set, by `kind {namespace}name`, each in a normal form that
/// includes the form defaults of the schema document declaring it (they decide how its local
/// elements and attributes are qualified on the wire).
#[derive(Debug, Default, Clone)]
pub struct Components {
    map: BTreeMap<String, String>,
    files: BTreeSet<PathBuf>,
}

impl Components {
    /// The schemas of a WSDL: its inline ones and every file they import or include.
    pub fn of_wsdl(defs: &Definitions) -> Result<Self, String> {
        Self::of_wsdls(std::slice::from_ref(defs))
    }

    /// The schemas of several WSDLs (a family of services sharing one schema set).
    pub fn of_wsdls(defs: &[Definitions]) -> Result<Self, String> {
        let mut c = Self::default();
        for s in defs.iter().flat_map(|d| &d.schemas) {
            let root = xml::parse_str(&s.text).map_err(|e| format!("{}: {e}", s.wsdl.display()))?;
            c.add_schema(&root, &Vec::new(), &s.wsdl)?;
        }
        Ok(c)
    }

    /// Adds a schema file and everything it imports or includes (once each).
    pub fn add_file(&mut self, path: &Path) -> Result<(), String> {
        let path = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if self.files.contains(&path) {
            return Ok(());
        }
        if self.files.len() >= MAX_FILES {
            return Err(format!(
                "more than {MAX_FILES} schema files: {}",
                path.display()
            ));
        }
        self.files.insert(path.clone());
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let root = xml::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        self.add_schema(&root, &Vec::new(), &path)
    }

    fn add_schema(&mut self, root: &Element, scope: &Scope, base: &Path) -> Result<(), String> {
        let scope = with_declarations(scope, root);
        let tns = root
            .attribute("", "targetNamespace")
            .unwrap_or("")
            .to_owned();
        let forms = format!(
            "elementFormDefault={} attributeFormDefault={}",
            root.attribute("", "elementFormDefault")
                .unwrap_or("unqualified"),
            root.attribute("", "attributeFormDefault")
                .unwrap_or("unqualified")
        );
        for c in root.child_elements() {
            match c.local_name() {
                "import" | "include" => {
                    if let Some(loc) = c.attribute("", "schemaLocation") {
                        self.add_file(&wsdl::resolve_location(base, loc))?;
                    }
                }
                "annotation" => {}
                kind => {
                    let name = c.attribute("", "name").unwrap_or("?");
                    let key = format!("{kind} {{{tns}}}{name}");
                    let inner = with_declarations(&scope, c);
                    // Global components have no occurrences; canon() adds defaults only below.
                    let body: Vec<String> = c
                        .child_elements()
                        .filter(|x| !x.is(XS, "annotation"))
                        .map(|child| canon(child, &inner))
                        .collect();
                    let mut attrs: Vec<String> = c
                        .attributes()
                        .iter()
                        .filter(|a| a.local != "name")
                        .map(|a| match a.local.as_str() {
                            "type" | "base" | "ref" | "substitutionGroup" => {
                                format!("{}={}", a.local, resolve(&inner, &a.value))
                            }
                            _ => format!("{}={}", a.local, a.value),
                        })
                        .collect();
                    attrs.sort();
                    let value = format!("{attrs:?} {body:?} [{forms}]");
                    if let Some(previous) = self.map.insert(key.clone(), value.clone())
                        && previous != value
                    {
                        return Err(format!("{key} is declared twice, differently"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The components of namespace `ns`: `kind {ns}name` → normal form.
    pub fn in_namespace(&self, ns: &str) -> BTreeMap<&str, &str> {
        let marker = format!(" {{{ns}}}");
        self.map
            .iter()
            .filter(|(k, _)| k.contains(&marker))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// Every component.
    pub fn all(&self) -> &BTreeMap<String, String> {
        &self.map
    }
}

/// How much of a namespace two schema sets must share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Coverage {
    /// Every component of the namespace, on both sides.
    Full,
    /// Every component ours declares is published and the same; published ones ours leaves out
    /// are not reported (a description of some of a schema's services, or of a standard
    /// namespace of which it uses a part).
    Ours,
}

/// Differences between the components of both sets in each of `namespaces`.
pub fn schema_differences(
    published: &Components,
    ours: &Components,
    namespaces: &[(&str, Coverage)],
) -> Vec<String> {
    let mut out = Vec::new();
    for (ns, coverage) in namespaces {
        let (p, o) = (published.in_namespace(ns), ours.in_namespace(ns));
        for (k, ov) in &o {
            match p.get(k) {
                None => out.push(format!("only ours:      {k}")),
                Some(pv) if pv != ov => {
                    out.push(format!(
                        "differs: {k}\n  published: {pv}\n  ours:      {ov}"
                    ));
                }
                Some(_) => {}
            }
        }
        if *coverage == Coverage::Full {
            for k in p.keys().filter(|k| !o.contains_key(*k)) {
                out.push(format!("only published: {k}"));
            }
        }
    }
    out
}

/// A control case for a contract test: the files directly in `ours` (not its subfolders)
/// copied into a fresh `scratch` folder with the first `from` in `file` replaced by `to`, so
/// that comparing the copy must report a difference. Fails when `file` has no `from` (the
/// control would prove nothing).
pub fn mutated_copy(
    ours: &Path,
    scratch: &Path,
    file: &str,
    from: &str,
    to: &str,
) -> Result<PathBuf, String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    std::fs::create_dir_all(scratch).map_err(|e| io(scratch, e))?;
    for entry in std::fs::read_dir(ours).map_err(|e| io(ours, e))? {
        let entry = entry.map_err(|e| io(ours, e))?;
        if entry
            .file_type()
            .map_err(|e| io(&entry.path(), e))?
            .is_file()
        {
            std::fs::copy(entry.path(), scratch.join(entry.file_name()))
                .map_err(|e| io(&entry.path(), e))?;
        }
    }
    let path = scratch.join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    if !text.contains(from) {
        return Err(format!("{file} has no `{from}`"));
    }
    std::fs::write(&path, text.replacen(from, to, 1)).map_err(|e| io(&path, e))?;
    Ok(scratch.to_path_buf())
}
