//! What a service description declares, in the terms a reader compares two descriptions by:
//! operations, global elements (with the names of the elements their content holds, in order)
//! and named types; and the differences between two such summaries.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sdk_runtime::xml::Element;

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// How many schema files one description may pull in through imports and includes.
const MAX_SCHEMAS: usize = 200;

/// The declarations of one service description.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Operation names of every port type.
    pub operations: BTreeSet<String>,
    /// `{namespace}name` of every global element → the names of the elements its content
    /// declares or references, in document order.
    pub elements: BTreeMap<String, Vec<String>>,
    /// `{namespace}name` of every named complex and simple type.
    pub types: BTreeSet<String>,
}

/// Summarises the WSDL at `wsdl` and the schemas it holds, imports or includes (local files
/// only, relative to the file that names them).
pub fn summarize(wsdl: &Path) -> Result<Summary, String> {
    let root = read(wsdl)?;
    let mut s = Summary::default();
    for pt in root.child_elements().filter(|e| e.is(WSDL_NS, "portType")) {
        for op in pt.child_elements().filter(|e| e.is(WSDL_NS, "operation")) {
            if let Some(name) = op.attribute("", "name") {
                s.operations.insert(name.to_owned());
            }
        }
    }
    let mut pending: Vec<(PathBuf, Element)> = Vec::new();
    let dir = wsdl.parent().unwrap_or(Path::new("."));
    for types in root.child_elements().filter(|e| e.is(WSDL_NS, "types")) {
        for schema in types.child_elements().filter(|e| e.is(XS_NS, "schema")) {
            pending.push((dir.to_path_buf(), schema.clone()));
        }
    }
    let mut visited = BTreeSet::new();
    while let Some((dir, schema)) = pending.pop() {
        let tns = schema.attribute("", "targetNamespace").unwrap_or("");
        for item in schema.child_elements() {
            let name = item.attribute("", "name");
            match (item.namespace() == XS_NS, item.local_name(), name) {
                (true, "element", Some(name)) => {
                    let mut children = Vec::new();
                    content_names(item, &mut children);
                    s.elements.insert(format!("{{{tns}}}{name}"), children);
                }
                (true, "complexType" | "simpleType", Some(name)) => {
                    s.types.insert(format!("{{{tns}}}{name}"));
                }
                (true, "import" | "include" | "redefine", _) => {
                    let Some(location) = item.attribute("", "schemaLocation") else {
                        continue;
                    };
                    if location.contains("://") {
                        continue;
                    }
                    let path = dir.join(location);
                    if !visited.insert(path.clone()) {
                        continue;
                    }
                    if visited.len() > MAX_SCHEMAS {
                        return Err(format!("more than {MAX_SCHEMAS} schema files"));
                    }
                    let next = read(&path)?;
                    let next_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                    pending.push((next_dir, next));
                }
                _ => {}
            }
        }
    }
    Ok(s)
}

/// The names of the elements an element's (anonymous) content declares or references, not
/// descending into those elements themselves.
fn content_names(element: &Element, out: &mut Vec<String>) {
    for child in element.child_elements().filter(|c| c.namespace() == XS_NS) {
        match child.local_name() {
            "element" => {
                let name = child
                    .attribute("", "name")
                    .or_else(|| child.attribute("", "ref").map(local));
                if let Some(n) = name {
                    out.push(n.to_owned());
                }
            }
            "annotation" | "attribute" | "attributeGroup" => {}
            _ => content_names(child, out),
        }
    }
}

fn local(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

fn read(path: &Path) -> Result<Element, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    sdk_runtime::xml::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The differences from `ours` to `published`, one line each (`+` only in the published
/// description, `-` only in ours, `~` declared in both with different content); empty when
/// they declare the same.
pub fn differences(ours: &Summary, published: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let set_diff =
        |kind: &str, a: &BTreeSet<String>, b: &BTreeSet<String>, out: &mut Vec<String>| {
            for x in b.difference(a) {
                out.push(format!("+ {kind} {x}"));
            }
            for x in a.difference(b) {
                out.push(format!("- {kind} {x}"));
            }
        };
    set_diff(
        "operation",
        &ours.operations,
        &published.operations,
        &mut out,
    );
    let ours_el: BTreeSet<String> = ours.elements.keys().cloned().collect();
    let pub_el: BTreeSet<String> = published.elements.keys().cloned().collect();
    set_diff("element", &ours_el, &pub_el, &mut out);
    for (name, children) in &published.elements {
        if let Some(mine) = ours.elements.get(name)
            && mine != children
        {
            let mut line = format!("~ element {name}: ");
            let _ = write!(
                line,
                "ours [{}], published [{}]",
                mine.join(", "),
                children.join(", ")
            );
            out.push(line);
        }
    }
    set_diff("type", &ours.types, &published.types, &mut out);
    out
}
