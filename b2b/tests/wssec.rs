//! `b2b wssec sign|verify` as integrators run them, judged by xmlsec1 (installed by
//! scripts/install-test-tools.sh) and by each other. Certificates are made with openssl at test
//! time; no key is committed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{
    SIGNING_PASSWORD_ENV, assert_exit, b2b, require_tool, run_cmd_with_stdin, run_with_stdin,
};

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const KONTEKST: &str = "http://csioz.gov.pl/p1/kontekst/mt/v20170510";

/// An e-Recepta request as sdk-p1 writes it (unsigned): the call context in the header.
const ENVELOPE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><ns2:kontekstWywolania xmlns:ns2="http://csioz.gov.pl/p1/kontekst/mt/v20170510"><ns2:atrybut><ns2:nazwa>urn:csioz:p1:erecepta:kontekst:idPodmiotuOidRoot</ns2:nazwa><ns2:wartosc>2.16.840.1.113883.3.4424.2.3.1</ns2:wartosc></ns2:atrybut><ns2:atrybut><ns2:nazwa>urn:csioz:p1:kontekst:rolaBiznesowa</ns2:nazwa><ns2:wartosc>LEKARZ_LEK_DENTYSTA_FELCZER</ns2:wartosc></ns2:atrybut></ns2:kontekstWywolania></soapenv:Header><soapenv:Body><ns3:odczytReceptyRequest xmlns:ns3="http://csioz.gov.pl/p1/erecepta/ws/v20170510"><ns3:kluczRecepty>1234567890123456789012345678901234567890123</ns3:kluczRecepty></ns3:odczytReceptyRequest></soapenv:Body></soapenv:Envelope>
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a signing certificate it issued (RSA-2048, with a Subject Key Identifier) as PEM
/// files and as a PKCS#12 keystore with password `tajne`, and a second, unrelated CA.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new(name: &str) -> Self {
        require_tool("openssl");
        let dir = std::env::temp_dir().join(format!("b2b-wssec-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (ca, cn) in [("ca", "Test CCP1 Root"), ("other-ca", "Other Root")] {
            openssl(
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    &format!("{ca}.key"),
                    "-out",
                    &format!("{ca}.pem"),
                    "-days",
                    "30",
                    "-subj",
                    &format!("/C=PL/O=Test/CN={cn}"),
                    "-addext",
                    "basicConstraints=critical,CA:true",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
                &dir,
            );
        }
        std::fs::write(
            dir.join("leaf.ext"),
            "basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
             subjectKeyIdentifier=hash\n",
        )
        .unwrap();
        openssl(
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "wss.key",
                "-out",
                "wss.csr",
                "-subj",
                "/C=PL/O=Przychodnia Test/CN=Jan Testowy",
            ],
            &dir,
        );
        openssl(
            &[
                "x509",
                "-req",
                "-in",
                "wss.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "wss.pem",
                "-days",
                "10",
                "-extfile",
                "leaf.ext",
            ],
            &dir,
        );
        openssl(
            &[
                "pkcs12",
                "-export",
                "-in",
                "wss.pem",
                "-inkey",
                "wss.key",
                "-out",
                "wss.p12",
                "-passout",
                "pass:tajne",
            ],
            &dir,
        );
        Pki { dir }
    }

    fn path(&self, file: &str) -> String {
        self.dir.join(file).to_str().unwrap().to_owned()
    }

    /// `b2b wssec sign` with the PEM certificate and key, `input` on stdin.
    fn sign(&self, extra: &[&str], input: &[u8]) -> Vec<u8> {
        let (cert, key) = (self.path("wss.pem"), self.path("wss.key"));
        let mut args = vec!["wssec", "sign", "--identity", &cert, "--key", &key];
        args.extend_from_slice(extra);
        let out = run_with_stdin(&args, input);
        assert_exit(&out, 0);
        out.stdout
    }

    /// `b2b wssec verify --trust ca.pem` with `input` on stdin.
    fn verify(&self, extra: &[&str], input: &[u8]) -> Output {
        let ca = self.path("ca.pem");
        let mut args = vec!["wssec", "verify", "--trust", &ca];
        args.extend_from_slice(extra);
        run_with_stdin(&args, input)
    }

    /// `xmlsec1 --verify` with the signing certificate as the key (xmlsec1 does not resolve
    /// wsse:SecurityTokenReference) and the signed elements' Id attributes declared.
    fn xmlsec1_verify(&self, signed: &[u8], document: bool) -> Output {
        require_tool("xmlsec1");
        let file = self.dir.join(format!("signed-{}.xml", rand_suffix()));
        std::fs::write(&file, signed).unwrap();
        let mut cmd = Command::new("xmlsec1");
        cmd.arg("--verify");
        if document {
            cmd.arg("--id-attr:Id")
                .arg("http://uri.etsi.org/01903/v1.3.2#:SignedProperties");
        } else {
            for (ns, local) in [
                (SOAP11, "Body"),
                (WSU, "Timestamp"),
                (KONTEKST, "kontekstWywolania"),
            ] {
                cmd.arg("--id-attr:Id").arg(format!("{ns}:{local}"));
            }
        }
        cmd.arg("--pubkey-cert-pem")
            .arg(self.dir.join("wss.pem"))
            .arg(&file)
            .output()
            .expect("run xmlsec1")
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Changes the first occurrence of `from` to `to`, which must exist.
fn tamper(signed: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = text(signed);
    assert!(s.contains(from), "{from} not in the signed envelope");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn signed_envelope_verifies_with_xmlsec1_and_with_b2b_verify() {
    let pki = Pki::new("p1");
    let signed = pki.sign(&[], ENVELOPE.as_bytes());

    let xmlsec = pki.xmlsec1_verify(&signed, false);
    assert!(
        xmlsec.status.success(),
        "xmlsec1 refused our signature: {}",
        String::from_utf8_lossy(&xmlsec.stderr)
    );
    assert!(String::from_utf8_lossy(&xmlsec.stderr).contains("References (ok/all): 3/3"));

    let out = pki.verify(&[], &signed);
    assert_exit(&out, 0);
    let report = text(&out.stdout);
    assert!(report.starts_with("signature: valid\n"), "{report}");
    assert!(report.contains("RSA-SHA256"), "{report}");
    assert!(report.contains("BinarySecurityToken"), "{report}");
    assert!(report.contains("CN=Jan Testowy"), "{report}");
    assert!(
        report.contains("issuer:     CN=Test CCP1 Root,O=Test,C=PL"),
        "{report}"
    );
    for path in [
        "/Envelope/Body",
        "/Envelope/Header/kontekstWywolania",
        "/Envelope/Header/Security/Timestamp",
    ] {
        assert!(report.contains(path), "{path} missing from:\n{report}");
    }
}

#[test]
fn every_token_reference_style_verifies_with_xmlsec1_and_b2b() {
    let pki = Pki::new("styles");
    let cert = pki.path("wss.pem");
    for (style, needs_cert, shown) in [
        ("bst", false, "BinarySecurityToken"),
        ("ski", true, "Subject Key Identifier"),
        ("issuer-serial", true, "X509IssuerSerial"),
    ] {
        let signed = pki.sign(&["--token-reference", style], ENVELOPE.as_bytes());
        let xmlsec = pki.xmlsec1_verify(&signed, false);
        assert!(
            xmlsec.status.success(),
            "{style}: xmlsec1: {}",
            String::from_utf8_lossy(&xmlsec.stderr)
        );
        if needs_cert {
            // The message does not carry the certificate: without it, nothing to check with.
            let out = pki.verify(&[], &signed);
            assert_exit(&out, 1);
            assert!(text(&out.stderr).contains("certificate check"), "{style}");
        }
        let out = pki.verify(&["--cert", &cert], &signed);
        assert_exit(&out, 0);
        assert!(
            text(&out.stdout).contains(shown),
            "{style}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn pkcs12_signing_identity_takes_its_password_from_its_own_variable() {
    let pki = Pki::new("p12");
    let p12 = pki.path("wss.p12");
    let sign = |password: Option<&str>| {
        let mut cmd = b2b();
        cmd.args(["wssec", "sign", "--identity", &p12]);
        if let Some(p) = password {
            cmd.env(SIGNING_PASSWORD_ENV, p);
        }
        // The TLS identity's variable must not be taken for the signing certificate's.
        cmd.env("B2B_IDENTITY_PASSWORD", "tajne");
        run_cmd_with_stdin(cmd, ENVELOPE.as_bytes())
    };
    let ok = sign(Some("tajne"));
    assert_exit(&ok, 0);
    assert_exit(&pki.verify(&[], &ok.stdout), 0);

    let wrong = sign(Some("zle"));
    assert_exit(&wrong, 1);
    let err = text(&wrong.stderr);
    assert!(
        err.contains("signing certificate") && err.contains("$B2B_SIGNING_PASSWORD"),
        "{err}"
    );

    let missing = sign(None);
    assert_exit(&missing, 1);
    assert!(text(&missing.stderr).contains("$B2B_SIGNING_PASSWORD"));
}

#[test]
fn verify_says_which_check_fails() {
    let pki = Pki::new("fail");
    let signed = pki.sign(&[], ENVELOPE.as_bytes());

    // The body changed after signing: a digest check, naming the element.
    let body = tamper(
        &signed,
        "1234567890123456789012345678901234567890123",
        "1234567890123456789012345678901234567890124",
    );
    let out = pki.verify(&[], &body);
    assert_exit(&out, 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("digest check") && err.contains("/Envelope/Body"),
        "{err}"
    );
    assert!(!pki.xmlsec1_verify(&body, false).status.success());

    // The call context changed.
    let header = tamper(&signed, "LEKARZ_LEK_DENTYSTA_FELCZER", "FARMACEUTA");
    let err = text(&pki.verify(&[], &header).stderr);
    assert!(err.contains("/Envelope/Header/kontekstWywolania"), "{err}");

    // Signed by a certificate of another CA.
    let other = pki.path("other-ca.pem");
    let out = run_with_stdin(&["wssec", "verify", "--trust", &other], &signed);
    assert_exit(&out, 1);
    assert!(text(&out.stderr).contains("certificate check"));

    // Checked an hour later: the 300-second timestamp has expired.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let out = pki.verify(&["--at", &later], &signed);
    assert_exit(&out, 1);
    assert!(
        text(&out.stderr).contains("timestamp check"),
        "{}",
        text(&out.stderr)
    );

    // Unsigned.
    let out = pki.verify(&[], ENVELOPE.as_bytes());
    assert_exit(&out, 1);
    assert!(text(&out.stderr).contains("structure check"));

    // --json reports the failure on stdout too.
    let out = pki.verify(&["--json"], &body);
    assert_exit(&out, 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["check"], "digest");
}

#[test]
fn signature_wrapping_is_refused() {
    let pki = Pki::new("wrap");
    let signed = text(&pki.sign(&[], ENVELOPE.as_bytes()));
    // Move the signed Body into a new header block and put a forged Body in its place.
    let start = signed.find("<soapenv:Body").unwrap();
    let end = signed.find("</soapenv:Body>").unwrap() + "</soapenv:Body>".len();
    let body = &signed[start..end];
    let forged = "<soapenv:Body><ns3:anulowanieReceptyRequest xmlns:ns3=\"http://csioz.gov.pl/p1/erecepta/ws/v20170510\"/></soapenv:Body>";
    let head = signed[..start].replacen(
        "</soapenv:Header>",
        &format!("<Wrapper xmlns=\"urn:attack\">{body}</Wrapper></soapenv:Header>"),
        1,
    );
    let wrapped = format!("{head}{forged}{}", &signed[end..]);
    let out = pki.verify(&[], wrapped.as_bytes());
    assert_exit(&out, 1);
    assert!(
        text(&out.stderr).contains("signed parts check"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn options_shape_the_profile() {
    let pki = Pki::new("opts");
    // Body only, no timestamp: verifies when the timestamp is not required.
    let signed = pki.sign(
        &["--profile", "basic", "--part", "body", "--no-timestamp"],
        ENVELOPE.as_bytes(),
    );
    let s = text(&signed);
    assert!(!s.contains("Timestamp"), "{s}");
    assert!(pki.xmlsec1_verify(&signed, false).status.success());
    let out = pki.verify(&["--profile", "basic"], &signed);
    assert_exit(&out, 1);
    assert!(text(&out.stderr).contains("timestamp check"));
    let out = pki.verify(&["--profile", "basic", "--no-timestamp", "--json"], &signed);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["signed"].as_array().unwrap().len(), 1);
    assert_eq!(doc["signed"][0]["path"], "/Envelope/Body");
    // The P1 policy wants the call context signed.
    let out = pki.verify(&["--no-timestamp"], &signed);
    assert_exit(&out, 1);
    assert!(
        text(&out.stderr).contains("kontekstWywolania"),
        "{}",
        text(&out.stderr)
    );

    // A header block by expanded name, with a short TTL.
    let signed = pki.sign(
        &[
            "--profile",
            "basic",
            "--part",
            "body",
            "--part",
            &format!("{{{KONTEKST}}}kontekstWywolania"),
            "--part",
            "timestamp",
            "--ttl",
            "60",
        ],
        ENVELOPE.as_bytes(),
    );
    assert_exit(&pki.verify(&[], &signed), 0);

    // Invalid part names are usage errors, before anything is read or signed.
    let out = run_with_stdin(
        &[
            "wssec",
            "sign",
            "--identity",
            &pki.path("wss.pem"),
            "--key",
            &pki.path("wss.key"),
            "--part",
            "{urn:x}",
        ],
        ENVELOPE.as_bytes(),
    );
    assert_exit(&out, 2);
    // A part the envelope does not have.
    let out = run_with_stdin(
        &[
            "wssec",
            "sign",
            "--identity",
            &pki.path("wss.pem"),
            "--key",
            &pki.path("wss.key"),
            "--part",
            "{urn:x}missing",
        ],
        ENVELOPE.as_bytes(),
    );
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("missing"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn enveloped_document_signature() {
    let pki = Pki::new("doc");
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"2.16.840.1.113883.3.4424.2.7.1\" extension=\"1\"/><title>Recepta</title></ClinicalDocument>\n";
    let signed = pki.sign(&["--document"], doc.as_bytes());
    let xmlsec = pki.xmlsec1_verify(&signed, true);
    assert!(
        xmlsec.status.success(),
        "{}",
        String::from_utf8_lossy(&xmlsec.stderr)
    );
    let out = pki.verify(&["--document"], &signed);
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).contains("whole document"),
        "{}",
        text(&out.stdout)
    );
    let tampered = tamper(&signed, "Recepta", "Recepte");
    let out = pki.verify(&["--document"], &tampered);
    assert_exit(&out, 1);
    assert!(text(&out.stderr).contains("digest check"));
}

#[test]
fn xades_document_signature() {
    let pki = Pki::new("xades");
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"2.16.840.1.113883.3.4424.2.7.1\" extension=\"1\"/><title>Recepta</title></ClinicalDocument>\n";
    let signed = pki.sign(&["--document", "--xades"], doc.as_bytes());
    assert!(text(&signed).contains("<xades:SigningTime>"));
    let xmlsec = pki.xmlsec1_verify(&signed, true);
    assert!(
        xmlsec.status.success(),
        "{}",
        String::from_utf8_lossy(&xmlsec.stderr)
    );
    let out = pki.verify(&["--document", "--require-xades"], &signed);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("xades:      XAdES-BES, signing time 20"),
        "{stdout}"
    );
    let out = pki.verify(&["--document", "--require-xades", "--json"], &signed);
    assert_exit(&out, 0);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["xades"]["level"], "XAdES-BES");
    assert!(json["xades"]["signing_time"].is_string(), "{json}");
    // A changed signing time is a digest mismatch.
    let s = text(&signed);
    let at = s.find("<xades:SigningTime>").unwrap() + "<xades:SigningTime>".len();
    let tampered = format!("{}1999{}", &s[..at], &s[at + 4..]);
    let out = pki.verify(&["--document"], tampered.as_bytes());
    assert_exit(&out, 1);
    assert!(
        text(&out.stderr).contains("digest check"),
        "{}",
        text(&out.stderr)
    );
    // Plain XML-DSig passes without --require-xades, and is refused with it.
    let plain = pki.sign(&["--document"], doc.as_bytes());
    let out = pki.verify(&["--document"], &plain);
    assert_exit(&out, 0);
    assert!(!text(&out.stdout).contains("xades:"));
    let out = pki.verify(&["--document", "--require-xades"], &plain);
    assert_exit(&out, 1);
    assert!(
        text(&out.stderr).contains("XAdES check"),
        "{}",
        text(&out.stderr)
    );
    // --xades only with --document.
    let (cert, key) = (pki.path("wss.pem"), pki.path("wss.key"));
    let out = run_with_stdin(
        &[
            "wssec",
            "sign",
            "--identity",
            &cert,
            "--key",
            &key,
            "--xades",
        ],
        ENVELOPE.as_bytes(),
    );
    assert_exit(&out, 2);
}
