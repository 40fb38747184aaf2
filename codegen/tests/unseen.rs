//! Classes of real specs the generator met on specs it had never seen (issue 12), each shown by
//! a small spec of our own in `codegen/fixtures/unseen/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdk_codegen::locate::Locations;

fn unseen(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/unseen")).join(rel)
}

fn type_names(m: &sdk_codegen::Module) -> Vec<String> {
    m.model.types.iter().map(|t| t.rust_name.clone()).collect()
}

/// A fresh folder under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdk-codegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---- 1. Remote imports: catalogs and URL mappings, never the network ----

#[test]
fn a_url_import_without_a_catalog_is_refused_naming_the_url_and_the_remedy() {
    let err = sdk_codegen::generate_schema_module(&unseen("remote-import/order.xsd"), "order.xsd")
        .expect_err("a URL no catalog maps must not be generated")
        .to_string();
    assert!(
        err.contains("refusing to fetch `http://schemas.example.org/common/v1/common.xsd`"),
        "{err}"
    );
    assert!(err.contains("catalog"), "{err}");
}

#[test]
fn an_oasis_catalog_maps_a_url_import_to_a_local_copy_whose_relative_includes_resolve_beside_it() {
    let mut l = Locations::new();
    l.add_catalog(&unseen("catalog.xml")).unwrap();
    let m = sdk_codegen::generate_schema_module_with(
        &unseen("remote-import/order.xsd"),
        "order.xsd",
        &l,
    )
    .unwrap();
    let names = type_names(&m);
    // Party from the URL-imported schema, Address from the file it includes relatively.
    assert!(names.iter().any(|n| n == "Party"), "{names:?}");
    assert!(names.iter().any(|n| n == "Address"), "{names:?}");
    // xml:lang comes from the generator's own copy of the W3C's xml.xsd.
    assert!(m.code.contains("\"lang\""), "xml:lang attribute missing");
    assert!(l.warnings().is_empty(), "{:?}", l.warnings());
}

#[test]
fn a_url_mapping_serves_the_same_as_a_catalog() {
    let mut l = Locations::new();
    l.add_mapping(
        "http://schemas.example.org/common/",
        unseen("remote-import/vendor"),
    );
    let m = sdk_codegen::generate_schema_module_with(
        &unseen("remote-import/order.xsd"),
        "order.xsd",
        &l,
    )
    .unwrap();
    assert!(type_names(&m).iter().any(|n| n == "Address"));
}

#[test]
fn codegen_toml_catalogs_and_locations_reach_the_generator() {
    let dir = scratch("toml-locations");
    std::fs::write(
        dir.join("codegen.toml"),
        format!(
            "output = \"out\"\n\n[locations]\n\"http://schemas.example.org/common/\" = {:?}\n",
            unseen("remote-import/vendor").display().to_string() + "/"
        ),
    )
    .unwrap();
    let config = sdk_codegen::CrateConfig::read(&dir.join("codegen.toml")).unwrap();
    let l = config.locations(&dir).unwrap();
    let m = sdk_codegen::generate_schema_module_with(
        &unseen("remote-import/order.xsd"),
        "order.xsd",
        &l,
    )
    .unwrap();
    assert!(type_names(&m).iter().any(|n| n == "Party"));
}

#[test]
fn a_catalog_that_is_not_one_is_refused() {
    let err = Locations::new()
        .add_catalog(&unseen("remote-import/order.xsd"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not an OASIS XML catalog"), "{err}");
}

// ---- 2. File names differing only in case ----

#[test]
fn an_include_differing_in_case_resolves_with_a_warning_naming_both() {
    let l = Locations::new();
    let m =
        sdk_codegen::generate_schema_module_with(&unseen("case-names/claim.xsd"), "claim.xsd", &l)
            .unwrap();
    assert!(type_names(&m).iter().any(|n| n == "Identifier"));
    let w = l.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("basisschema.xsd") && w[0].contains("Basisschema.xsd"),
        "{w:?}"
    );
}

#[test]
fn an_include_matching_several_files_in_case_fails_naming_them() {
    let dir = scratch("case-ambiguous");
    let claim = std::fs::read_to_string(unseen("case-names/claim.xsd")).unwrap();
    let base = std::fs::read_to_string(unseen("case-names/Basisschema.xsd")).unwrap();
    std::fs::write(dir.join("claim.xsd"), claim).unwrap();
    std::fs::write(dir.join("Basisschema.xsd"), &base).unwrap();
    std::fs::write(dir.join("BASISSCHEMA.xsd"), &base).unwrap();
    if dir.join("basisschema.xsd").exists() {
        // A file system that ignores case cannot hold the two.
        return;
    }
    let err = sdk_codegen::generate_schema_module(&dir.join("claim.xsd"), "claim.xsd")
        .expect_err("an ambiguous include must fail")
        .to_string();
    assert!(
        err.contains("BASISSCHEMA.xsd") && err.contains("Basisschema.xsd"),
        "{err}"
    );
}

#[test]
fn a_wsdl_import_differing_in_case_is_found_too() {
    let dir = scratch("case-wsdl");
    std::fs::write(
        dir.join("service.wsdl"),
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x"><import namespace="urn:y" location="Parts.WSDL"/></definitions>"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("parts.wsdl"),
        r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:y"/>"#,
    )
    .unwrap();
    let l = Locations::new();
    sdk_codegen::wsdl::read_with(&dir.join("service.wsdl"), &l).unwrap();
    assert!(l.warnings().iter().any(|w| w.contains("parts.wsdl")));
}

// ---- 4. OpenAPI descriptions split over files ----

fn rest(rel: &str) -> sdk_codegen::openapi::RestModule {
    sdk_codegen::openapi::generate(&unseen(rel), rel).unwrap()
}

#[test]
fn a_description_split_over_files_generates_whole() {
    let m = rest("split-openapi/api/openapi.yaml");
    // The path item in paths/items.yaml gives two operations, the root one a third.
    assert_eq!(m.operations, 3, "{}", m.code);
    for ty in [
        "pub struct Listing",
        "pub struct Item",
        "pub enum Tag",
        "pub struct Problem",
    ] {
        assert!(m.code.contains(ty), "{ty} missing");
    }
    // Hoisted schemas are validated where they are written: the samples point into their
    // own files.
    let pointers: Vec<&str> = m
        .samples
        .iter()
        .map(|s| s.schema_pointer.as_str())
        .collect();
    assert!(pointers.contains(&"../schemas/item.json#"), "{pointers:?}");
    assert!(
        pointers.contains(&"../common/problem.yaml#/components/schemas/Problem"),
        "{pointers:?}"
    );
    // A body inside the inlined path item points into paths/items.yaml.
    assert!(
        pointers
            .iter()
            .any(|p| p.starts_with("../paths/items.yaml#/post/requestBody/content/")),
        "{pointers:?}"
    );
    // The draft-04 pattern reached the samples.
    let item = m
        .samples
        .iter()
        .find(|s| s.schema_pointer == "../schemas/item.json#")
        .unwrap();
    let code = item.value["code"].as_str().unwrap();
    assert!(
        code.len() == 8 && code.as_bytes()[3] == b'-',
        "{code} does not match ^[A-Z]{{3}}-[0-9]{{4}}$"
    );
}

#[test]
fn the_parts_of_a_split_description_are_found_and_a_missing_one_is_named() {
    let l = Locations::new();
    let parts = sdk_codegen::openapi::bundle::referenced_files(
        &unseen("split-openapi/api/openapi.yaml"),
        &l,
    )
    .unwrap();
    let names: Vec<String> = parts
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"items.yaml".to_owned()), "{names:?}");
    assert!(names.contains(&"problem.yaml".to_owned()), "{names:?}");

    let dir = scratch("split-missing");
    std::fs::write(
        dir.join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: 'gone.yaml#/components/schemas/B'\n",
    )
    .unwrap();
    let err = sdk_codegen::openapi::generate(&dir.join("api.yaml"), "api.yaml")
        .expect_err("a missing part must fail")
        .to_string();
    assert!(err.contains("gone.yaml"), "{err}");
}

#[test]
fn a_reference_by_url_goes_through_the_same_mapping_as_schemas() {
    let dir = scratch("split-url");
    std::fs::write(
        dir.join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Wrapper:\n      type: object\n      properties:\n        problem:\n          $ref: 'https://schemas.example.org/common/problem.yaml#/components/schemas/Problem'\n",
    )
    .unwrap();
    let refused = sdk_codegen::openapi::generate(&dir.join("api.yaml"), "api.yaml")
        .expect_err("an unmapped URL must not be fetched")
        .to_string();
    assert!(refused.contains("refusing to fetch"), "{refused}");
    let mut l = Locations::new();
    l.add_mapping(
        "https://schemas.example.org/common/",
        unseen("split-openapi/common"),
    );
    let m = sdk_codegen::openapi::generate_with(&dir.join("api.yaml"), "api.yaml", &l).unwrap();
    assert!(m.code.contains("pub struct Problem"));
}

// ---- 9. OpenAPI 3.1 ----

#[test]
fn openapi_3_1_generates_with_nulls_consts_and_discriminated_subtypes() {
    let m = rest("oas31/pets.yaml");
    let code = &m.code;
    // `type: [string, "null"]` and `oneOf: [Owner, null]`: nullable optional properties.
    assert!(
        code.contains("pub nickname: ::sdk_runtime::rest::Nullable<::std::string::String>"),
        "{code}"
    );
    assert!(
        code.contains("pub owner: ::sdk_runtime::rest::Nullable<Owner>"),
        "{code}"
    );
    // `$defs` reached through a pointer become a type of their own.
    assert!(
        code.contains("pub type OwnerId = ::std::string::String;"),
        "{code}"
    );
    // `const: 2` without `type`: an integer.
    assert!(
        code.contains("pub schema_version: ::std::option::Option<i64>"),
        "{code}"
    );
    // The base with discriminator + mapping over allOf subtypes.
    assert!(code.contains("Dog") && code.contains("Cat"), "{code}");
    // Samples of the subtypes carry their own tag.
    let dog = m
        .samples
        .iter()
        .find(|s| s.label.starts_with("schema Dog"))
        .unwrap();
    assert_eq!(dog.value["kind"], "dog", "{}", dog.value);
    // `exclusiveMinimum: 0` (numeric, 3.1) is kept as a bound: no sample weighs 0.
    assert!(m.samples.iter().all(|s| {
        s.value
            .get("weight")
            .is_none_or(|w| w.as_f64() != Some(0.0))
    }));
}

// ---- 3. rpc/literal and document style with type= parts ----

#[test]
fn rpc_literal_parts_become_unqualified_children_of_the_operation_wrapper() {
    let m =
        sdk_codegen::generate_wsdl_module(&unseen("rpc-literal/calc.wsdl"), "calc.wsdl").unwrap();
    assert_eq!(m.operations, 2);
    let names: Vec<String> = m.elements.iter().map(|e| e.name.to_string()).collect();
    // The wrappers carry the operation's name in soap:body's namespace; the document-style
    // type= part is an unqualified element named after the part.
    for n in [
        "{urn:example:calc}Add",
        "{urn:example:calc}AddResponse",
        "{}operands",
        "{}result",
    ] {
        assert!(names.contains(&n.to_owned()), "{n} missing from {names:?}");
    }
    let add = m
        .model
        .types
        .iter()
        .find(|t| t.element.as_ref().is_some_and(|e| e.local == "Add"))
        .unwrap();
    let sdk_codegen::model::TypeKind::Struct(s) = &add.kind else {
        panic!("wrapper is not a struct");
    };
    let parts: Vec<String> = s.fields.iter().map(|f| f.wire.to_string()).collect();
    assert_eq!(parts, ["{}operands", "{}label"]);
    // A validator can declare what no schema does.
    assert_eq!(m.undeclared.len(), 4, "{:?}", m.undeclared);
}

#[test]
fn rpc_encoded_is_refused_with_the_reason() {
    let dir = scratch("rpc-encoded");
    let wsdl = std::fs::read_to_string(unseen("rpc-literal/calc.wsdl"))
        .unwrap()
        .replace("use=\"literal\" namespace", "use=\"encoded\" namespace");
    std::fs::write(dir.join("calc.wsdl"), wsdl).unwrap();
    let err = sdk_codegen::generate_wsdl_module(&dir.join("calc.wsdl"), "calc.wsdl")
        .expect_err("rpc/encoded must be refused")
        .to_string();
    assert!(err.contains("rpc/encoded") && err.contains("WS-I"), "{err}");
}

// ---- 10. Stable names ----

/// The Rust names of every type generated for `xsd` (a standalone schema).
fn names_of(name: &str, xsd: &str) -> std::collections::BTreeSet<String> {
    let dir = scratch(name);
    std::fs::write(dir.join("s.xsd"), xsd).unwrap();
    let m = sdk_codegen::generate_schema_module(&dir.join("s.xsd"), "s.xsd").unwrap();
    m.model.types.iter().map(|t| t.rust_name.clone()).collect()
}

#[test]
fn adding_a_type_renames_no_other() {
    let body = r#"
  <xs:element name="Order">
    <xs:complexType>
      <xs:sequence>
        <xs:choice>
          <xs:element name="byId" type="xs:string"/>
          <xs:sequence>
            <xs:element name="system" type="xs:string"/>
            <xs:element name="code" type="xs:string"/>
          </xs:sequence>
        </xs:choice>
        <xs:sequence minOccurs="0" maxOccurs="unbounded">
          <xs:element name="key" type="xs:string"/>
          <xs:element name="val" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="Reply">
    <xs:complexType>
      <xs:choice>
        <xs:element name="ok" type="xs:boolean"/>
        <xs:element name="error" type="xs:string"/>
      </xs:choice>
    </xs:complexType>
  </xs:element>"#;
    let added = r#"
  <xs:element name="Audit">
    <xs:complexType>
      <xs:sequence>
        <xs:choice>
          <xs:element name="who" type="xs:string"/>
          <xs:element name="system" type="xs:string"/>
        </xs:choice>
        <xs:sequence maxOccurs="unbounded">
          <xs:element name="at" type="xs:dateTime"/>
          <xs:element name="what" type="xs:string"/>
        </xs:sequence>
      </xs:sequence>
    </xs:complexType>
  </xs:element>"#;
    let schema = |extra: &str| {
        format!(
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:stable" elementFormDefault="qualified">{extra}{body}</xs:schema>"#
        )
    };
    let before = names_of("stable-before", &schema(""));
    let after = names_of("stable-after", &schema(added));
    let lost: Vec<&String> = before.difference(&after).collect();
    assert!(
        lost.is_empty(),
        "renamed by an unrelated addition: {lost:?}\nbefore {before:?}\nafter {after:?}"
    );
    // Names say where the model is, not when it was met.
    assert!(before.iter().all(|n| !n.contains("Content")), "{before:?}");
    assert!(before.contains("OrderChoiceById"), "{before:?}");
}

// ---- 7. Bounded cost ----

#[test]
fn a_deep_chain_of_required_types_generates_instead_of_overflowing_the_stack() {
    // 600 types, each requiring the next: legal XSD, and as deep as the generator's recursion
    // goes. Before, the process aborted with a stack overflow (not even an error).
    let n = 600;
    let mut xsd = String::from(
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:deep" targetNamespace="urn:deep" elementFormDefault="qualified"><xs:element name="Root" type="t:T0"/>"#,
    );
    for i in 0..n {
        let next = if i + 1 < n {
            format!(r#"<xs:element name="next" type="t:T{}"/>"#, i + 1)
        } else {
            String::new()
        };
        xsd.push_str(&format!(
            r#"<xs:complexType name="T{i}"><xs:sequence><xs:element name="v" type="xs:string"/>{next}</xs:sequence></xs:complexType>"#
        ));
    }
    xsd.push_str("</xs:schema>");
    let dir = scratch("deep-chain");
    std::fs::write(dir.join("deep.xsd"), xsd).unwrap();
    let m = sdk_codegen::generate_schema_module(&dir.join("deep.xsd"), "deep.xsd").unwrap();
    assert_eq!(m.types, n);
    let samples = sdk_codegen::xml_samples::samples(&m.model, &m.elements);
    assert!(!samples.is_empty());
    // Every required level is written: the sample is as deep as the chain.
    assert!(
        samples[0].xml.matches("<").count() > 2 * n,
        "{}",
        samples[0].xml.len()
    );
}

// ---- 5. Local elements of a model group belong to the group's schema ----

/// Every element name the structs of a module carry, with its namespace (`""`: unqualified).
fn wire_names(m: &sdk_codegen::Module) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for t in &m.model.types {
        if let sdk_codegen::model::TypeKind::Struct(s) = &t.kind {
            for f in &s.fields {
                if f.kind == sdk_codegen::model::FieldKind::Element {
                    out.insert(f.wire.local.clone(), f.wire.ns.clone());
                }
            }
        }
    }
    out
}

#[test]
fn elements_of_a_group_from_another_schema_keep_that_schemas_namespace_and_forms() {
    let m =
        sdk_codegen::generate_schema_module(&unseen("group-namespace/person.xsd"), "person.xsd")
            .unwrap();
    let names = wire_names(&m);
    let expect = [
        ("Name", "urn:example:person"),
        // contact.xsd's group, qualified there.
        ("Phone", "urn:example:contact"),
        ("Email", "urn:example:contact"),
        // form="unqualified" on the element itself.
        ("Note", ""),
        // address.xsd's group, used by contact.xsd's: unqualified by default, Zip by its form.
        ("City", ""),
        ("Zip", "urn:example:address"),
    ];
    for (local, ns) in expect {
        assert_eq!(
            names.get(local).map(String::as_str),
            Some(ns),
            "{local}: {names:?}"
        );
    }
}

#[test]
fn a_name_a_group_gives_two_namespaces_is_left_with_a_warning() {
    let dir = scratch("group-ambiguous");
    std::fs::write(
        dir.join("other.xsd"),
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:o" elementFormDefault="qualified">
  <xs:group name="G"><xs:sequence><xs:element name="Code" type="xs:string"/></xs:sequence></xs:group>
</xs:schema>"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("main.xsd"),
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:o="urn:o" targetNamespace="urn:m" elementFormDefault="qualified">
  <xs:import namespace="urn:o" schemaLocation="other.xsd"/>
  <xs:element name="A"><xs:complexType><xs:sequence><xs:group ref="o:G"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="B"><xs:complexType><xs:sequence><xs:element name="Code" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>"#,
    )
    .unwrap();
    let locations = Locations::new();
    let m = sdk_codegen::generate_schema_module_with(&dir.join("main.xsd"), "main.xsd", &locations)
        .unwrap();
    assert_eq!(
        wire_names(&m).get("Code").map(String::as_str),
        Some("urn:m")
    );
    let warnings = locations.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`Code`") && w.contains("`urn:o`") && w.contains("`urn:m`")),
        "{warnings:?}"
    );
}
