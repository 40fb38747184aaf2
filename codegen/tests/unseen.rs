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
