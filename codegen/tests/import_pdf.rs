//! `cargo xtask import-pdf`: PDFs with embedded WSDL/XSD files written by qpdf (an independent
//! PDF tool, installed by scripts/install-test-tools.sh), imported into a copy of the VZP spec
//! folder, which must then generate with the service marked `published`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn require_qpdf() {
    let ok = Command::new("qpdf")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "qpdf is missing: run scripts/install-test-tools.sh");
}

/// Copies the folder `from` (and its subfolders) to `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A scratch workspace holding a copy of `wsdl/vzp` (its generated output goes there too).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sdk-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_tree(&workspace().join("wsdl/vzp"), &dir.join("wsdl/vzp"));
        std::fs::create_dir_all(dir.join("in")).unwrap();
        Self(dir)
    }

    fn specs(&self) -> PathBuf {
        self.0.join("wsdl/vzp")
    }

    fn input(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join("in").join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A PDF made by qpdf with `files` attached: (path, name shown in the PDF).
    fn pdf(&self, files: &[(&Path, &str)]) -> PathBuf {
        let out = self.0.join("in/service.pdf");
        let mut cmd = Command::new("qpdf");
        cmd.arg("--empty").arg(&out);
        for (i, (path, name)) in files.iter().enumerate() {
            cmd.arg("--add-attachment")
                .arg(path)
                .arg(format!("--filename={name}"))
                .arg(format!("--key=f{i}"))
                .arg("--");
        }
        let status = cmd.status().unwrap();
        assert!(status.success(), "qpdf failed");
        out
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// "VZP's" published description of Stav smlouvy: our reconstruction without our provenance
/// marks, its response with one more element and one more named type.
fn published_stav_smlouvy() -> (String, String) {
    let wsdl = std::fs::read_to_string(workspace().join("wsdl/vzp/stavSmlouvyICPICPPB2B.wsdl"))
        .unwrap()
        .replace(
            " prov:provenance=\"wire-verified\"\n        prov:source=\"PRO-OC/pro-oc-vzp-b2b background/background.js @6215a348\"",
            "",
        );
    assert!(
        !wsdl.contains("prov:provenance"),
        "the marks were not removed"
    );
    let xsd = std::fs::read_to_string(workspace().join("wsdl/vzp/stavSmlouvyICPICPPB2B.xsd"))
        .unwrap()
        .replace(
            "<xs:element name=\"psc\" type=\"xs:string\" minOccurs=\"0\">",
            "<xs:element name=\"icz\" type=\"xs:string\" minOccurs=\"0\"/>\n        <xs:element name=\"psc\" type=\"xs:string\" minOccurs=\"0\">",
        )
        .replace(
            "  <xs:element name=\"stavSmlouvyICPICPPB2BZadost\">",
            "  <xs:simpleType name=\"Psc\"><xs:restriction base=\"xs:string\"/></xs:simpleType>\n\n  <xs:element name=\"stavSmlouvyICPICPPB2BZadost\">",
        );
    assert!(xsd.contains("name=\"icz\"") && xsd.contains("name=\"Psc\""));
    (wsdl, xsd)
}

#[test]
fn a_published_pdf_replaces_the_reconstructed_description() {
    require_qpdf();
    let s = Scratch::new("replace");
    let (wsdl, xsd) = published_stav_smlouvy();
    let w = s.input("a.wsdl", &wsdl);
    let x = s.input("b.xsd", &xsd);
    let readme = s.input("c.txt", "Popis služby");
    // The schema's name tries to climb out of the folder; it lands inside it, by its file name.
    let pdf = s.pdf(&[
        (&w, "stavSmlouvyICPICPPB2B.wsdl"),
        (&x, "../../stavSmlouvyICPICPPB2B.xsd"),
        (&readme, "popis.txt"),
    ]);
    let report = sdk_codegen::import::import_pdf(&s.0, &s.specs(), &pdf).unwrap();
    assert_eq!(report.service, "stavSmlouvyICPICPPB2B");
    assert_eq!(report.folder, "stavSmlouvyICPICPPB2B");
    assert_eq!(report.module, "stav_smlouvy");
    assert_eq!(
        report.replaced.as_deref(),
        Some("stavSmlouvyICPICPPB2B.wsdl")
    );
    assert_eq!(report.skipped, ["popis.txt"]);
    let folder = s.specs().join("stavSmlouvyICPICPPB2B");
    assert_eq!(
        std::fs::read_to_string(folder.join("stavSmlouvyICPICPPB2B.xsd")).unwrap(),
        xsd
    );
    assert!(!s.0.join("stavSmlouvyICPICPPB2B.xsd").exists());
    assert!(!s.specs().join("popis.txt").exists());
    // What differs, and nothing else.
    let ns = "http://xmlns.gemsystem.cz/stavSmlouvyICPICPPB2B";
    assert_eq!(
        report.differences,
        [
            format!(
                "~ element {{{ns}}}stavSmlouvyICPICPPB2BOdpoved: ours [stavVyrizeniPozadavku, odbornost, datumOd, datumDo, nazevZZ, nazevP, ulice, misto, psc, prijmeniJmeno], published [stavVyrizeniPozadavku, odbornost, datumOd, datumDo, nazevZZ, nazevP, ulice, misto, icz, psc, prijmeniJmeno]"
            ),
            format!("+ type {{{ns}}}Psc"),
        ]
    );
    // codegen.toml points at the published files, keeps its comments and the other services.
    let toml = std::fs::read_to_string(s.specs().join("codegen.toml")).unwrap();
    assert!(
        toml.contains("wsdl = \"stavSmlouvyICPICPPB2B/stavSmlouvyICPICPPB2B.wsdl\""),
        "{toml}"
    );
    assert!(toml.contains("provenance = \"published\""), "{toml}");
    assert!(
        toml.contains("# Generator configuration of sdk-vzp"),
        "{toml}"
    );
    assert!(
        toml.contains("wsdl = \"PrubehPojisteniDruhB2B.wsdl\""),
        "{toml}"
    );
    // It generates, the operation is now `published`, and the new element is a field.
    let files = sdk_codegen::generate_crate(&s.0, &s.specs()).unwrap();
    let module = files
        .iter()
        .find(|f| f.path.ends_with("stav_smlouvy.rs"))
        .unwrap();
    assert!(module.contents.contains("**Provenance: published.**"));
    assert!(module.contents.contains("Provenance::Published"));
    assert!(!module.contents.contains("WireVerified"));
    assert!(
        module.contents.contains("pub icz:"),
        "the published element is generated"
    );
    assert!(
        module
            .contents
            .contains("wsdl/vzp/stavSmlouvyICPICPPB2B/stavSmlouvyICPICPPB2B.wsdl")
    );
    let client = files
        .iter()
        .find(|f| f.path.ends_with("client.rs"))
        .unwrap();
    assert!(client.contents.contains(
        "[`stav_smlouvy_icpicppb2b`](Client::stav_smlouvy_icpicppb2b) | published | `pzs` |"
    ));
}

#[test]
fn a_new_service_is_added_and_a_pdf_without_wsdl_is_refused() {
    require_qpdf();
    let s = Scratch::new("new");
    let (wsdl, xsd) = published_stav_smlouvy();
    let renamed = |t: &str| {
        t.replace("stavSmlouvyICPICPPB2B", "stavSmlouvyNoveB2B")
            .replace("StavSmlouvyICPICPPB2B", "StavSmlouvyNoveB2B")
    };
    let w = s.input("n.wsdl", &renamed(&wsdl));
    let x = s.input("n.xsd", &renamed(&xsd));
    let pdf = s.pdf(&[
        (&w, "stavSmlouvyNoveB2B.wsdl"),
        (&x, "stavSmlouvyNoveB2B.xsd"),
    ]);
    let report = sdk_codegen::import::import_pdf(&s.0, &s.specs(), &pdf).unwrap();
    assert_eq!(report.module, "stav_smlouvy_nove_b2b");
    assert_eq!(report.replaced, None);
    assert!(
        report
            .differences
            .contains(&"+ operation stavSmlouvyNoveB2B".to_owned()),
        "{:?}",
        report.differences
    );
    let toml = std::fs::read_to_string(s.specs().join("codegen.toml")).unwrap();
    assert!(
        toml.contains("module = \"stav_smlouvy_nove_b2b\""),
        "{toml}"
    );
    let files = sdk_codegen::generate_crate(&s.0, &s.specs()).unwrap();
    assert!(
        files
            .iter()
            .any(|f| f.path.ends_with("stav_smlouvy_nove_b2b.rs"))
    );

    // Only a text file: refused, naming what the PDF holds; codegen.toml untouched.
    let before = std::fs::read_to_string(s.specs().join("codegen.toml")).unwrap();
    let t = s.input("t.txt", "nic");
    let pdf = s.pdf(&[(&t, "popis.txt")]);
    let err = sdk_codegen::import::import_pdf(&s.0, &s.specs(), &pdf)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no WSDL") && err.contains("popis.txt"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(s.specs().join("codegen.toml")).unwrap(),
        before
    );

    // A WSDL whose schema is missing does not generate: codegen.toml is restored.
    let broken = renamed(&wsdl).replace("stavSmlouvyNoveB2B", "stavSmlouvyJineB2B");
    std::fs::write(&w, broken).unwrap();
    let pdf = s.pdf(&[(&w, "stavSmlouvyJineB2B.wsdl")]);
    let err = sdk_codegen::import::import_pdf(&s.0, &s.specs(), &pdf)
        .unwrap_err()
        .to_string();
    assert!(err.contains("stavSmlouvyJineB2B"), "{err}");
    assert_eq!(
        std::fs::read_to_string(s.specs().join("codegen.toml")).unwrap(),
        before
    );
}
