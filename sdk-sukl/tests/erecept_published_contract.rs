//! Our eRecept description (`wsdl/sukl/erecept/`) is SÚKL's published interface 201704A update4
//! (`../shared/specs/published/sukl-erecept-201704/`), element for element: each of our four
//! WSDLs is compared with its published namesake (operations, SOAPActions, messages, parts,
//! faults, bindings, services), and every schema component ours declares with the published one
//! of the same name (names, namespaces, types, order, cardinalities, facets, nillable,
//! qualification; documentation and prefixes ignored). Ours describes the components the
//! pharmacist's and prescriber's services reach, so published components only the patient's and
//! insurer's services use are not required. Control cases prove a difference is caught.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdk_codegen::import::contract::{
    Components, Coverage, differences, mutated_copy, schema_differences, wsdl_facts,
};
use sdk_codegen::wsdl::{self, Definitions};

const ERP: &str = "http://www.sukl.cz/erp/201704";
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The services ours describes, by file name (the same in both sets).
const SERVICES: [&str; 4] = [
    "CUERLekarnik.wsdl",
    "RLPOLekarnik.wsdl",
    "CUERLekar.wsdl",
    "RLPOLekar.wsdl",
];

fn ours_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wsdl/sukl/erecept")
}

fn published_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/sukl-erecept-201704");
    assert!(
        dir.is_dir(),
        "the published eRecept specs are missing: expected {} (../shared next to the checkout)",
        dir.display()
    );
    dir
}

fn read_all(dir: &Path) -> Vec<Definitions> {
    SERVICES
        .iter()
        .map(|f| wsdl::read(&dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect()
}

/// Every difference between the published set and the description in `ours`.
fn compare(ours: &Path) -> Vec<String> {
    let (p, o) = (read_all(&published_dir()), read_all(ours));
    let mut diffs = Vec::new();
    for ((file, pd), od) in SERVICES.iter().zip(&p).zip(&o) {
        diffs.extend(
            differences(&wsdl_facts(pd), &wsdl_facts(od))
                .into_iter()
                .map(|d| format!("{file}: {d}")),
        );
    }
    diffs.extend(schema_differences(
        &Components::of_wsdls(&p).unwrap(),
        &Components::of_wsdls(&o).unwrap(),
        &[(ERP, Coverage::Ours), (DSIG, Coverage::Full)],
    ));
    diffs
}

#[test]
fn our_wsdls_and_schema_are_the_published_contract() {
    let diffs = compare(&ours_dir());
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );

    // And the comparison saw what it should: the operations of the four services with their
    // SOAPActions (the operation's name) and the Chyba fault, and the schema components.
    let o = read_all(&ours_dir());
    let counts: Vec<usize> = o.iter().map(|d| d.port_types[0].operations.len()).collect();
    assert_eq!(counts, [16, 11, 18, 6], "operations per service");
    for d in &o {
        for op in &d.bindings[0].operations {
            assert_eq!(op.action.as_deref(), Some(op.name.as_str()));
        }
        for op in &d.port_types[0].operations {
            assert_eq!(op.faults.len(), 1, "{}", op.name);
            assert_eq!(op.faults[0].1.local, "ChybaResponse", "{}", op.name);
        }
    }
    let ours = Components::of_wsdls(&o).unwrap();
    // 103 complex and 7 simple types and 63 elements of the erp namespace that the four services
    // reach; the whole XML-DSig subset (22 types, 24 elements).
    assert_eq!(ours.in_namespace(ERP).len(), 173);
    assert_eq!(ours.in_namespace(DSIG).len(), 46);
}

#[test]
fn every_component_the_services_reach_is_described() {
    // The published schema, from our WSDLs' messages: every element a message names, and every
    // component those reach, is declared by ours (Coverage::Ours above only checks what ours
    // declares).
    let published = Components::of_wsdls(&read_all(&published_dir())).unwrap();
    let ours = Components::of_wsdls(&read_all(&ours_dir())).unwrap();
    let published_erp = published.in_namespace(ERP);
    let ours_erp = ours.in_namespace(ERP);
    let mut todo: Vec<String> = read_all(&ours_dir())
        .iter()
        .flat_map(|d| d.messages.iter())
        .flat_map(|m| m.parts.iter())
        .filter_map(|p| p.element.as_ref())
        .map(|q| format!("element {{{}}}{}", q.ns, q.local))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(key) = todo.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        assert!(ours_erp.contains_key(key.as_str()), "ours lacks {key}");
        let body = published_erp
            .get(key.as_str())
            .unwrap_or_else(|| panic!("not published: {key}"));
        // References to other erp components, in the normal form's `{ns}local` spelling.
        let marker = format!("{{{ERP}}}");
        for (at, _) in body.match_indices(&marker) {
            let rest = &body[at + marker.len()..];
            let local: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            for kind in ["complexType", "simpleType", "element"] {
                let k = format!("{kind} {marker}{local}");
                if published_erp.contains_key(k.as_str()) && !seen.contains(&k) {
                    todo.push(k);
                }
            }
        }
    }
    assert_eq!(seen.len(), 173, "components reached from the messages");
}

#[test]
fn every_operation_is_marked_published() {
    for d in read_all(&ours_dir()) {
        for op in &d.port_types[0].operations {
            assert_eq!(op.provenance.as_deref(), Some("published"), "{}", op.name);
            assert!(
                op.source
                    .as_deref()
                    .is_some_and(|s| s.contains("pesektomas/eRecept@c79755c")),
                "{}",
                op.name
            );
        }
    }
}

/// Copies our description to a scratch folder with one textual change.
fn mutated(file: &str, from: &str, to: &str) -> PathBuf {
    let scratch = std::env::temp_dir().join(format!(
        "sukl-contract-{}-{}",
        std::process::id(),
        file.replace('.', "-")
    ));
    mutated_copy(&ours_dir(), &scratch, file, from, to).unwrap()
}

#[test]
fn a_difference_is_caught() {
    let cases = [
        // A SOAPAction.
        (
            "CUERLekarnik.wsdl",
            "soapAction=\"ZalozitVydej\"",
            "soapAction=\"urn:ZalozitVydej\"",
        ),
        // A pattern facet of the message header.
        ("erecept-zakladni.xsd", "[0-9]{6}[A-Z]", "[0-9]{6}[A-Z]?"),
        // A cardinality.
        ("erecept-cuer.xsd", "minOccurs=\"0\"", "minOccurs=\"1\""),
        // Qualification of local elements.
        (
            "erecept-rlpo.xsd",
            "elementFormDefault=\"qualified\"",
            "elementFormDefault=\"unqualified\"",
        ),
        // A global element's nillable.
        (
            "erecept-prvky.xsd",
            "nillable=\"true\"",
            "nillable=\"false\"",
        ),
        // The signature element of XML-DSig.
        (
            "xmldsig.xsd",
            "name=\"SignatureValue\" type=\"ds:SignatureValueType\"",
            "name=\"SignatureValue\" type=\"xs:base64Binary\"",
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
