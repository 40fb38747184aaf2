//! Spec sets of the conformance corpus that xsd-parser 1.5.2 could not read as we fed them (see
//! `codegen/src/xsd/resolver.rs`):
//!
//! * gematik's `EPAService.wsdl` imports `Schema_VSD.xsd`, whose inline element `Kostentraeger`
//!   extends the complex type `Kostentraeger` declared further down and also has a child of that
//!   type; xsd-parser panicked "Unable to get type for Kostentraeger".
//! * P1's `extPL_r2.xsd` imports the CDA schemas, which include HL7's namespace-less datatypes
//!   from two namespaces (`urn:hl7-org:v3` and `urn:ihe:pharm`); xsd-parser loaded them into the
//!   first only: "Unknown type II".
//! * A schema split into parts that one document includes, where a part uses a type of its
//!   sibling (our SÚKL eRecept description, `wsdl/sukl/erecept/erecept.xsd`): xsd-parser resolved
//!   a reference only in the referring document and what it includes: "Unknown type".
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdk_codegen::model::TypeModel;
use sdk_codegen::wsdl::QName;

const VSD_NS: &str = "http://ws.gematik.de/fa/vsdm/vsd/v5.2";
const HL7_NS: &str = "urn:hl7-org:v3";
const PHARM_NS: &str = "urn:ihe:pharm";

/// A file of the shared spec corpus (`../shared` beside the workspace).
fn shared(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).join(rel)
}

/// The Rust name of the type generated for the XSD type `{ns}local`.
fn rust_name<'m>(model: &'m TypeModel, ns: &str, local: &str) -> &'m str {
    let q = QName::new(ns, local);
    model
        .types
        .iter()
        .find(|t| t.xml_name.as_ref() == Some(&q))
        .map(|t| t.rust_name.as_str())
        .unwrap_or_else(|| panic!("no type generated for {{{ns}}}{local}"))
}

#[test]
fn epa_service_wsdl_generates() {
    let path = shared("corpus/de-gematik-ti/consumer/EPAService.wsdl");
    let module = sdk_codegen::generate_wsdl_module(&path, "EPAService.wsdl").unwrap();
    assert!(module.operations > 0);
    // The operations do not reach `Kostentraeger`, but the schema it comes from was interpreted.
    let defs = sdk_codegen::wsdl::read(&path).unwrap();
    let schemas = sdk_codegen::xsd::load(&defs.schemas).unwrap();
    assert!(
        schemas
            .types
            .items
            .keys()
            .any(|ident| ident.name.as_str() == "Kostentraeger"),
        "Kostentraeger was not interpreted"
    );
}

#[test]
fn kostentraeger_extension_of_a_later_declared_type_generates() {
    // The schema of EPAService.wsdl that failed.
    let path = shared("corpus/de-gematik-ti/fa/vsds/Schema_VSD.xsd");
    let module = sdk_codegen::generate_schema_module(&path, "Schema_VSD.xsd").unwrap();
    let base = rust_name(&module.model, VSD_NS, "Kostentraeger");
    assert!(module.code.contains(&format!("pub struct {base} {{")));
    // The inline element's type has the base's fields, then its own child of the base type.
    let derived = module
        .code
        .split("pub struct ")
        .find(|s| s.contains("pub abrechnender_kostentraeger:"))
        .unwrap();
    assert!(derived.contains("pub kostentraegerkennung:"));
    assert!(derived.contains(&format!("::std::option::Option<{base}>")));
}

#[test]
fn ext_pl_r2_generates() {
    let path = shared("specs/published/p1-erecepta-v20170510/cda-xsd/extPL_r2.xsd");
    // extPL_r2 declares types only (no global element), so its module may be empty; what failed
    // was reading the schemas it imports.
    sdk_codegen::generate_schema_module(&path, "extPL_r2.xsd").unwrap();
    let schemas = sdk_codegen::xsd::load_file(&path).unwrap();
    for ns in [HL7_NS, PHARM_NS] {
        let id = schemas
            .namespaces
            .iter()
            .find(|(_, uri)| *uri == ns)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("namespace {ns} not loaded"));
        assert!(
            schemas
                .types
                .items
                .keys()
                .any(|ident| ident.ns.0 == id && ident.name.as_str() == "II"),
            "II was not interpreted in {ns}"
        );
    }
}

#[test]
fn hl7_datatypes_included_from_two_namespaces_convert_in_both() {
    // The CDA schema extPL_r2 imports: its pharmacy parts (urn:ihe:pharm) include the HL7
    // datatypes too, and use `II` unprefixed, in their own namespace. The type model is built as
    // `generate_schema_module` builds it, without emitting code, so that this test is about
    // reading the schemas.
    let path = shared("specs/published/p1-erecepta-v20170510/cda-xsd/CDA_extended_pharmacy.xsd");
    let schemas = sdk_codegen::xsd::load_file(&path).unwrap();
    let overlay = sdk_codegen::config::Overlay::default();
    let mut conv = sdk_codegen::xsd::Converter::new(&schemas, &overlay);
    for name in conv.global_elements(Some(HL7_NS)) {
        conv.element(&name).unwrap();
    }
    let model = conv.finish();
    assert_ne!(
        rust_name(&model, HL7_NS, "II"),
        rust_name(&model, PHARM_NS, "II")
    );
}

#[test]
fn parts_of_one_schema_use_each_others_types() {
    let dir = std::env::temp_dir().join(format!("xsd-siblings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let part = |name: &str, body: &str| {
        let text = format!(
            r#"<?xml version="1.0"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:example:parts"
    targetNamespace="urn:example:parts" elementFormDefault="qualified">{body}</xsd:schema>"#
        );
        std::fs::write(dir.join(name), text).unwrap();
    };
    // `all.xsd` includes both parts; `a.xsd` uses a type of `b.xsd` and the other way round,
    // neither including the other.
    part(
        "all.xsd",
        r#"<xsd:include schemaLocation="a.xsd"/><xsd:include schemaLocation="b.xsd"/>
        <xsd:element name="Order" type="t:order_type"/>"#,
    );
    part(
        "a.xsd",
        r#"<xsd:complexType name="order_type"><xsd:sequence>
          <xsd:element name="Customer" type="t:customer_type"/>
        </xsd:sequence></xsd:complexType>
        <xsd:simpleType name="code"><xsd:restriction base="xsd:string">
          <xsd:length value="4"/></xsd:restriction></xsd:simpleType>"#,
    );
    part(
        "b.xsd",
        r#"<xsd:complexType name="customer_type"><xsd:sequence>
          <xsd:element name="Code" type="t:code"/>
        </xsd:sequence></xsd:complexType>"#,
    );
    let module = sdk_codegen::generate_schema_module(&dir.join("all.xsd"), "all.xsd");
    let _ = std::fs::remove_dir_all(&dir);
    let module = module.unwrap();
    let order = rust_name(&module.model, "urn:example:parts", "order_type");
    let customer = rust_name(&module.model, "urn:example:parts", "customer_type");
    assert!(module.code.contains(&format!("pub struct {order} {{")));
    assert!(module.code.contains(&format!("pub customer: {customer}")));
}

#[test]
fn a_local_element_with_an_anonymous_simple_type_is_typed_by_the_restriction() {
    // xsd-parser gives such an element an element ident of its own; it used to become a struct
    // around the restriction (`CodeType2 { value: CodeType }`).
    let dir = std::env::temp_dir().join(format!("xsd-local-simple-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("local.xsd");
    std::fs::write(
        &path,
        r#"<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:example:local"
    targetNamespace="urn:example:local" elementFormDefault="qualified">
  <xs:element name="Root" type="t:root_type"/>
  <xs:complexType name="root_type">
    <xs:sequence>
      <xs:element name="Code">
        <xs:simpleType><xs:restriction base="xs:string">
          <xs:whiteSpace value="collapse"/><xs:length value="4"/>
        </xs:restriction></xs:simpleType>
      </xs:element>
      <xs:element name="Count" minOccurs="0">
        <xs:simpleType><xs:restriction base="xs:int">
          <xs:minInclusive value="1"/>
        </xs:restriction></xs:simpleType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>
</xs:schema>"#,
    )
    .unwrap();
    let module = sdk_codegen::generate_schema_module(&path, "local.xsd");
    let _ = std::fs::remove_dir_all(&dir);
    let module = module.unwrap();
    let code = &module.code;
    let field = |name: &str| {
        code.lines()
            .find(|l| l.trim_start().starts_with(&format!("pub {name}:")))
            .unwrap_or_else(|| panic!("no field {name}"))
            .trim()
            .to_owned()
    };
    assert_eq!(field("code"), "pub code: RootTypeCode,");
    assert_eq!(
        field("count"),
        "pub count: ::std::option::Option<RootTypeCount>,"
    );
    assert!(code.contains("pub struct RootTypeCode(::std::string::String);"));
    assert!(
        !code.contains("RootTypeCode2"),
        "a struct around the restriction"
    );
}
