//! Our e-Recepta description (`wsdl/p1/`) is the published CSIOZ contract v20170510
//! (`../shared/specs/published/p1-erecepta-v20170510/`), element for element: both WSDLs are
//! parsed with the generator's WSDL reader and compared (operations, SOAPActions, messages, parts,
//! the header, faults, bindings), and every schema component both sets declare is compared in a
//! normalised form (names, namespaces, types, order, cardinalities, facets, enumeration values,
//! element/attribute qualification; documentation and prefixes ignored). Control cases prove a
//! difference is caught.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sdk_codegen::wsdl::{self, Definitions};
use sdk_p1::{NazwaAtrybutuKontekstu, RolaBiznesowa};
use sdk_runtime::xml::{self, Element};

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// The namespaces of the e-Recepta contract, compared in full.
const P1_NAMESPACES: [&str; 5] = [
    "http://csioz.gov.pl/p1/erecepta/ws/v20170510",
    "http://csioz.gov.pl/p1/erecepta/mt/v20170510",
    "http://csioz.gov.pl/p1/wspolne/mt/v20170510",
    "http://csioz.gov.pl/p1/wyjatki/mt/v20170510",
    "http://csioz.gov.pl/p1/kontekst/mt/v20170510",
];

fn ours_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wsdl/p1")
}

fn published_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/p1-erecepta-v20170510/wsdl/erecepta");
    assert!(
        dir.is_dir(),
        "the published e-Recepta specs are missing: expected {} (../shared next to the checkout)",
        dir.display()
    );
    dir
}

// ---------- WSDL ----------

/// Everything the WSDL says that reaches the wire or the generated API, one fact per line.
/// `soap:address` is left out: ours is the production URL, the published one a placeholder.
fn wsdl_facts(defs: &Definitions) -> BTreeSet<String> {
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

fn differences(published: &BTreeSet<String>, ours: &BTreeSet<String>) -> Vec<String> {
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

// ---------- XSD ----------

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

/// An XSD element in a normal form: its name, its attributes (QNames resolved, defaults made
/// explicit, sorted), its children in order; annotations dropped.
fn canon(e: &Element, scope: &Scope) -> String {
    let mut scope = scope.clone();
    scope.extend(e.namespace_declarations().iter().cloned());
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

/// The global components of a schema set, by `kind {ns}name`, plus the schema-level defaults
/// that change the wire form (`schema {ns} …` entries).
#[derive(Default)]
struct Components {
    map: BTreeMap<String, String>,
    files: BTreeSet<PathBuf>,
}

impl Components {
    fn add_schema(&mut self, root: &Element, scope: &Scope, base: &Path) {
        let mut scope = scope.clone();
        scope.extend(root.namespace_declarations().iter().cloned());
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
                        self.add_file(&wsdl::resolve_location(base, loc));
                    }
                }
                "annotation" => {}
                kind => {
                    let name = c.attribute("", "name").unwrap_or("?");
                    let key = format!("{kind} {{{tns}}}{name}");
                    // Global components have no occurrences; canon() adds defaults only below.
                    let mut body: Vec<String> = Vec::new();
                    for child in c.child_elements().filter(|x| !x.is(XS, "annotation")) {
                        body.push(canon(child, &{
                            let mut s = scope.clone();
                            s.extend(c.namespace_declarations().iter().cloned());
                            s
                        }));
                    }
                    let mut attrs: Vec<String> = c
                        .attributes()
                        .iter()
                        .filter(|a| a.local != "name")
                        .map(|a| match a.local.as_str() {
                            "type" | "base" | "ref" | "substitutionGroup" => {
                                format!("{}={}", a.local, resolve(&scope, &a.value))
                            }
                            _ => format!("{}={}", a.local, a.value),
                        })
                        .collect();
                    attrs.sort();
                    // Local elements and attributes take the schema's form defaults.
                    let value = format!("{attrs:?} {body:?} [{forms}]");
                    if let Some(previous) = self.map.insert(key.clone(), value.clone()) {
                        assert_eq!(previous, value, "{key} declared twice, differently");
                    }
                }
            }
        }
    }

    fn add_file(&mut self, path: &Path) {
        let path = path
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if !self.files.insert(path.clone()) {
            return;
        }
        let bytes = std::fs::read(&path).unwrap();
        let root = xml::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.add_schema(&root, &Vec::new(), &path);
    }

    /// The schemas of a WSDL: its inline ones and everything they import.
    fn of_wsdl(defs: &Definitions) -> Self {
        let mut c = Self::default();
        for s in &defs.schemas {
            let root = xml::parse_str(&s.text).unwrap();
            c.add_schema(&root, &Vec::new(), &s.wsdl);
        }
        c
    }

    fn in_namespace(&self, ns: &str) -> BTreeMap<&str, &str> {
        let marker = format!(" {{{ns}}}");
        self.map
            .iter()
            .filter(|(k, _)| k.contains(&marker))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// Differences between the components of both sets: in full for the P1 namespaces, and for the
/// WS-Security utility namespace only what ours declares (our wsu.xsd declares wsu:Id alone).
fn schema_differences(published: &Components, ours: &Components) -> Vec<String> {
    let mut out = Vec::new();
    for ns in P1_NAMESPACES {
        let (p, o) = (published.in_namespace(ns), ours.in_namespace(ns));
        for (k, v) in &p {
            match o.get(k) {
                None => out.push(format!("only published: {k}")),
                Some(ov) if ov != v => {
                    out.push(format!("differs: {k}\n  published: {v}\n  ours:      {ov}"));
                }
                Some(_) => {}
            }
        }
        for k in o.keys().filter(|k| !p.contains_key(*k)) {
            out.push(format!("only ours:      {k}"));
        }
    }
    let p = published.in_namespace(WSU);
    for (k, v) in ours.in_namespace(WSU) {
        match p.get(k) {
            Some(pv) if *pv == v => {}
            other => out.push(format!(
                "wsu component {k} differs: published {other:?}, ours {v}"
            )),
        }
    }
    out
}

fn read(dir: &Path) -> Definitions {
    wsdl::read(&dir.join("ObslugaRecepty.wsdl")).unwrap()
}

fn compare(ours: &Path) -> Vec<String> {
    let (p, o) = (read(&published_dir()), read(ours));
    let mut diffs = differences(&wsdl_facts(&p), &wsdl_facts(&o));
    diffs.extend(schema_differences(
        &Components::of_wsdl(&p),
        &Components::of_wsdl(&o),
    ));
    diffs
}

#[test]
fn our_wsdl_and_schemas_are_the_published_contract() {
    let diffs = compare(&ours_dir());
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );

    // And the comparison saw what it should: 26 operations with their SOAPActions, the header
    // on every input, the fault on every operation, and the P1 schema components.
    let o = read(&ours_dir());
    let ops = &o.port_types[0].operations;
    assert_eq!(ops.len(), 26);
    assert!(
        ops.iter()
            .all(|op| op.faults.len() == 1 && op.faults[0].0 == "bledyOperacji")
    );
    let binding = &o.bindings[0];
    for op in &binding.operations {
        assert_eq!(
            op.action.as_deref(),
            Some(format!("urn:{}", op.name).as_str())
        );
        assert_eq!(op.input.headers.len(), 1, "{}", op.name);
        assert_eq!(op.input.headers[0].1, "kontekstWywolania");
    }
    let components = Components::of_wsdl(&o);
    let counts: Vec<usize> = P1_NAMESPACES
        .iter()
        .map(|ns| components.in_namespace(ns).len())
        .collect();
    // ws: 52 request/response elements and types + bledyOperacji element and type;
    // recepta: 59 complex and 5 simple types; wspolne: 8 types; wyjatki: 3 types; kontekst: 5
    // types and the element kontekstWywolania.
    assert_eq!(counts, [106, 64, 8, 3, 6], "components per namespace");
}

#[test]
fn every_operation_is_marked_published() {
    let o = read(&ours_dir());
    for op in &o.port_types[0].operations {
        assert_eq!(op.provenance.as_deref(), Some("published"), "{}", op.name);
        assert!(
            op.source
                .as_deref()
                .is_some_and(|s| s.contains("ObslugaRecepty.wsdl"))
        );
    }
}

/// Copies our description to a scratch folder with one textual change.
fn mutated(file: &str, from: &str, to: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "p1-contract-{}-{}",
        std::process::id(),
        file.replace('.', "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(ours_dir()).unwrap() {
        let e = e.unwrap();
        // e-Recepta's files; the CeR description (`cer/`) is not part of this contract.
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
    }
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    dir
}

#[test]
fn a_difference_is_caught() {
    let cases = [
        // A SOAPAction.
        (
            "ObslugaRecepty.wsdl",
            "soapAction=\"urn:odczytRecepty\"",
            "soapAction=\"odczytRecepty\"",
        ),
        // A part name.
        (
            "ObslugaRecepty.wsdl",
            "part name=\"odczytDokumentuRealizacjiRecept\"",
            "part name=\"odczytDokumentuRealizacjiRecepty\"",
        ),
        // The header left off one input.
        (
            "ObslugaRecepty.wsdl",
            "<wsdl:input name=\"odblokowanieReceptyRequestRequest\">\n        <soap:header message=\"ns:kontekstWywolania\" part=\"kontekstWywolania\" use=\"literal\"/>",
            "<wsdl:input name=\"odblokowanieReceptyRequestRequest\">",
        ),
        // A cardinality.
        (
            "recepta.xsd",
            "<xs:element name=\"kluczRecepty\" type=\"xs:string\" minOccurs=\"0\"/>",
            "<xs:element name=\"kluczRecepty\" type=\"xs:string\"/>",
        ),
        // An enumeration value.
        (
            "wyjatki.xsd",
            "kodBleduMinor:bladZapisu",
            "kodBleduMinor:bladZapisuX",
        ),
        // The order of a sequence.
        (
            "ObslugaReceptyWS.xsd",
            "<xs:element name=\"kluczRecepty\" type=\"r:KluczReceptyMT\" minOccurs=\"0\" maxOccurs=\"1\"/>\n      <xs:element name=\"dokumentRealizacjiRecepty\" type=\"r:DokumentRealizacjiReceptyMT\" minOccurs=\"1\" maxOccurs=\"1\"/>",
            "<xs:element name=\"dokumentRealizacjiRecepty\" type=\"r:DokumentRealizacjiReceptyMT\" minOccurs=\"1\" maxOccurs=\"1\"/>\n      <xs:element name=\"kluczRecepty\" type=\"r:KluczReceptyMT\" minOccurs=\"0\" maxOccurs=\"1\"/>",
        ),
        // A type.
        (
            "wspolne.xsd",
            "<xs:element name=\"extension\" type=\"xs:string\">",
            "<xs:element name=\"extension\" type=\"xs:token\">",
        ),
        // A choice made a sequence.
        (
            "recepta.xsd",
            "<xs:choice>\n      <xs:element name=\"identyfikatorZadania\" type=\"wsp:IdentyfikatorZadaniaMT\" minOccurs=\"0\"/>\n      <xs:element name=\"recepty\" type=\"r:ReceptyMT\" minOccurs=\"0\"/>\n    </xs:choice>",
            "<xs:sequence>\n      <xs:element name=\"identyfikatorZadania\" type=\"wsp:IdentyfikatorZadaniaMT\" minOccurs=\"0\"/>\n      <xs:element name=\"recepty\" type=\"r:ReceptyMT\" minOccurs=\"0\"/>\n    </xs:sequence>",
        ),
        // Qualification of local elements.
        (
            "ObslugaReceptyWS.xsd",
            "targetNamespace=\"http://csioz.gov.pl/p1/erecepta/ws/v20170510\">",
            "targetNamespace=\"http://csioz.gov.pl/p1/erecepta/ws/v20170510\" elementFormDefault=\"qualified\">",
        ),
    ];
    for (file, from, to) in cases {
        let dir = mutated(file, from, to);
        let diffs = compare(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            !diffs.is_empty(),
            "changing `{from}` in {file} went unnoticed"
        );
    }
}

/// The enumerations of kontekst.xsd, read from the published file.
fn published_enumeration(simple_type: &str) -> Vec<String> {
    let bytes = std::fs::read(published_dir().join("kontekst.xsd")).unwrap();
    let root = xml::parse(&bytes).unwrap();
    let st = root
        .child_elements()
        .find(|e| e.is(XS, "simpleType") && e.attribute("", "name") == Some(simple_type))
        .unwrap();
    st.child(XS, "restriction")
        .unwrap()
        .child_elements()
        .filter(|e| e.is(XS, "enumeration"))
        .map(|e| e.attribute("", "value").unwrap().to_owned())
        .collect()
}

#[test]
fn context_names_and_roles_are_the_published_enumerations() {
    let names: Vec<String> = NazwaAtrybutuKontekstu::ALL
        .iter()
        .map(|n| n.uri().to_owned())
        .collect();
    assert_eq!(names, published_enumeration("NazwaAtrybutuKontekstuMT"));
    let roles: Vec<String> = RolaBiznesowa::PUBLISHED
        .iter()
        .map(|r| r.as_str().to_owned())
        .collect();
    assert_eq!(roles, published_enumeration("RolaBiznesowaMT"));
}
