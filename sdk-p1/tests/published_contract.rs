//! Our e-Recepta description (`wsdl/p1/`) is the published CSIOZ contract v20170510
//! (`../shared/specs/published/p1-erecepta-v20170510/`), element for element: both WSDLs are
//! parsed with the generator's WSDL reader and compared (operations, SOAPActions, messages, parts,
//! the header, faults, bindings), and every schema component both sets declare is compared in a
//! normalised form (names, namespaces, types, order, cardinalities, facets, enumeration values,
//! element/attribute qualification; documentation and prefixes ignored). Control cases prove a
//! difference is caught.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdk_codegen::import::contract::{
    Components, Coverage, differences, mutated_copy, schema_differences, wsdl_facts,
};
use sdk_codegen::wsdl::{self, Definitions};
use sdk_p1::{NazwaAtrybutuKontekstu, RolaBiznesowa};
use sdk_runtime::xml;

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

fn read(dir: &Path) -> Definitions {
    wsdl::read(&dir.join("ObslugaRecepty.wsdl")).unwrap()
}

/// The differences between the published contract and the description in `ours`: in full for
/// the P1 namespaces, and for the WS-Security utility namespace only what ours declares (our
/// wsu.xsd declares wsu:Id alone).
fn compare(ours: &Path) -> Vec<String> {
    let (p, o) = (read(&published_dir()), read(ours));
    let mut diffs = differences(&wsdl_facts(&p), &wsdl_facts(&o));
    let mut namespaces: Vec<(&str, Coverage)> = P1_NAMESPACES
        .iter()
        .map(|ns| (*ns, Coverage::Full))
        .collect();
    namespaces.push((WSU, Coverage::Ours));
    diffs.extend(schema_differences(
        &Components::of_wsdl(&p).unwrap(),
        &Components::of_wsdl(&o).unwrap(),
        &namespaces,
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
    let components = Components::of_wsdl(&o).unwrap();
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
// Files only: the CeR description (`cer/`) is not part of this contract.
fn mutated(file: &str, from: &str, to: &str) -> PathBuf {
    let scratch = std::env::temp_dir().join(format!(
        "p1-contract-{}-{}",
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
