//! XAdES-BES enveloped document signatures (`sign_enveloped_document_with` and
//! `DocumentSignatureProfile::xades_bes`; `Verifier::verify_enveloped_document`), on the
//! published P1 prescription sample (`recepta.xml`, its own signature taken out).
//!
//! Interop with xmlsec1 (installed by `scripts/install-test-tools.sh`), both ways:
//!
//! ```text
//! xmlsec1 --verify --trusted-pem CA.pem --enabled-reference-uris empty,same-doc \
//!     --id-attr:Id http://uri.etsi.org/01903/v1.3.2#:SignedProperties SIGNED.xml
//! xmlsec1 --sign --privkey-pem KEY,CERT \
//!     --id-attr:Id http://uri.etsi.org/01903/v1.3.2#:SignedProperties --output OUT TEMPLATE
//! ```
//!
//! xmlsec1 knows nothing of XAdES: it checks (or makes) the XML-DSig core, whose second
//! reference covers the `xades:SignedProperties`. The templates here prefill the properties
//! (signing time, the certificate's SHA-256 digest computed in the test) and leave the digests
//! and the signature value to xmlsec1; variants of them make the negative cases with a valid
//! signature, so each refusal comes from the XAdES checks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/wssec_pki.rs"]
mod wssec_pki;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use sdk_runtime::wssec::common::XadesLevel;
use sdk_runtime::wssec::sign::{
    DocumentSignatureProfile, sign_enveloped_document, sign_enveloped_document_with,
};
use sdk_runtime::wssec::verify::DEFAULT_MAX_TIMESTAMP_AGE;
use sdk_runtime::wssec::{CertificateInfo, Document, VerificationPolicy, Verifier, VerifyError};
use time::OffsetDateTime;
use wssec_pki::{
    Ca, Credential, EXC, KeyKind, SHA256, b64, openssl_ca, openssl_leaf, output_text, recepta,
    recepta_unsigned, run, run_ok,
};

const XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

struct Fixtures {
    dir: PathBuf,
    ca: Ca,
    rsa: Credential,
    ec: Credential,
    /// Another certificate of the same CA.
    other: Credential,
}

fn fixtures() -> &'static Fixtures {
    static FX: OnceLock<Fixtures> = OnceLock::new();
    FX.get_or_init(|| {
        let dir = wssec_pki::work_dir("wssec_xades", &std::process::id().to_string());
        let ca = openssl_ca(
            &dir,
            "ca",
            KeyKind::Rsa2048,
            "/C=PL/O=CSIOZ/OU=P1 Testowe/CN=CC P1 SubCA Podpis",
        );
        let rsa = openssl_leaf(
            &dir,
            "rsa",
            KeyKind::Rsa2048,
            "/C=PL/O=CSIOZ/CN=Adam Leczniczy",
            2,
            Some("0x63c0013026da1560"),
            &ca,
        );
        let ec = openssl_leaf(
            &dir,
            "ec",
            KeyKind::EcP256,
            "/C=PL/O=CSIOZ/CN=Ewa Farmaceutka",
            2,
            None,
            &ca,
        );
        let other = openssl_leaf(
            &dir,
            "other",
            KeyKind::Rsa2048,
            "/C=PL/O=CSIOZ/CN=Inny Lekarz",
            2,
            None,
            &ca,
        );
        Fixtures {
            dir,
            ca,
            rsa,
            ec,
            other,
        }
    })
}

fn policy() -> VerificationPolicy {
    VerificationPolicy::new(fixtures().ca.trust_anchors())
}

fn verify(xml: &[u8]) -> Result<sdk_runtime::wssec::VerifiedDocument, VerifyError> {
    Verifier::new(policy()).verify_enveloped_document(xml)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn signing_time() -> OffsetDateTime {
    // Milliseconds only: the signer writes xs:dateTime with milliseconds.
    let now = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap()
}

fn sign_xades(signer: &Credential, at: OffsetDateTime) -> Vec<u8> {
    sign_enveloped_document_with(
        &signer.identity,
        recepta_unsigned().as_bytes(),
        &DocumentSignatureProfile::xades_bes().signing_time(at),
    )
    .unwrap()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn next_name(stem: &str) -> String {
    format!("{stem}-{}.xml", COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn signed_properties_id_attr() -> String {
    format!("{XADES}:SignedProperties")
}

/// `xmlsec1 --verify --trusted-pem <ca>`: the certificate comes from `ds:X509Data` and must
/// chain to the CA.
fn xmlsec_verify_trusted(xml: &[u8], ca: &Path) -> (bool, String) {
    let file = fixtures().dir.join(next_name("verify"));
    std::fs::write(&file, xml).unwrap();
    let out = run(Command::new("xmlsec1")
        .arg("--verify")
        .arg("--trusted-pem")
        .arg(ca)
        .args(["--enabled-reference-uris", "empty,same-doc"])
        .arg("--id-attr:Id")
        .arg(signed_properties_id_attr())
        .arg(&file));
    (out.status.success(), output_text(&out))
}

fn xmlsec_sign(template: &str, signer: &Credential) -> Vec<u8> {
    wssec_pki::xmlsec_sign(
        &fixtures().dir,
        &next_name("xades"),
        template,
        signer,
        &[signed_properties_id_attr()],
    )
    .unwrap_or_else(|e| panic!("xmlsec1 --sign failed: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Templates for xmlsec1

/// A XAdES-BES template (the structure our signer writes, Ids `xmldsig-T…`); the fields make
/// the negative variants.
struct XadesTemplate<'a> {
    signer: &'a Credential,
    signing_time: &'a str,
    /// The certificate whose digest `xades:CertDigest` holds.
    digest_of: &'a CertificateInfo,
    digest_alg: &'a str,
    /// `xades:IssuerSerial/ds:X509SerialNumber`.
    serial: String,
    target: &'a str,
    /// Whether SignedInfo has the reference to the SignedProperties.
    sign_properties: bool,
}

impl<'a> XadesTemplate<'a> {
    fn new(signer: &'a Credential) -> Self {
        XadesTemplate {
            signer,
            signing_time: "2026-03-01T10:21:44.250+01:00",
            digest_of: &signer.cert,
            digest_alg: SHA256,
            serial: signer.cert.serial_decimal().to_owned(),
            target: "#xmldsig-T",
            sign_properties: true,
        }
    }

    fn render(&self) -> String {
        let unsigned = recepta_unsigned();
        let close = unsigned.rfind("</ClinicalDocument>").unwrap();
        let digest = match self.digest_alg {
            SHA256 => ring::digest::digest(&ring::digest::SHA256, self.digest_of.der()),
            _ => ring::digest::digest(
                &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
                self.digest_of.der(),
            ),
        };
        let properties_reference = if self.sign_properties {
            format!(
                r##"<ds:Reference Type="{SIGNED_PROPERTIES_TYPE}" URI="#xmldsig-T-signedprops"><ds:Transforms><ds:Transform Algorithm="{EXC}"/></ds:Transforms><ds:DigestMethod Algorithm="{SHA256}"/><ds:DigestValue/></ds:Reference>"##
            )
        } else {
            String::new()
        };
        format!(
            r#"{}<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="xmldsig-T">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="{EXC}"/>
<ds:SignatureMethod Algorithm="{sig_alg}"/>
<ds:Reference Id="xmldsig-T-ref0" URI=""><ds:Transforms><ds:Transform Algorithm="{ENVELOPED}"/><ds:Transform Algorithm="{EXC}"/></ds:Transforms><ds:DigestMethod Algorithm="{SHA256}"/><ds:DigestValue/></ds:Reference>
{properties_reference}
</ds:SignedInfo>
<ds:SignatureValue Id="xmldsig-T-sigvalue"/>
<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
<ds:Object><xades:QualifyingProperties xmlns:xades="{XADES}" Target="{target}"><xades:SignedProperties Id="xmldsig-T-signedprops"><xades:SignedSignatureProperties><xades:SigningTime>{time}</xades:SigningTime><xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="{digest_alg}"/><ds:DigestValue>{digest}</ds:DigestValue></xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>{issuer}</ds:X509IssuerName><ds:X509SerialNumber>{serial}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object>
</ds:Signature>{}"#,
            &unsigned[..close],
            &unsigned[close..],
            sig_alg = self.signer.sig_alg,
            target = self.target,
            time = self.signing_time,
            digest_alg = self.digest_alg,
            digest = b64(digest.as_ref()),
            issuer = self.signer.issuer_rfc2253,
            serial = self.serial,
        )
    }

    fn sign(&self) -> Vec<u8> {
        xmlsec_sign(&self.render(), self.signer)
    }
}

// ---------------------------------------------------------------------------------------------
// Ours → xmlsec1 and ours

#[test]
fn our_xades_bes_on_the_prescription_verifies_with_xmlsec1_and_ours() {
    let fx = fixtures();
    for signer in [&fx.rsa, &fx.ec] {
        let at = signing_time();
        let signed = sign_xades(signer, at);
        let xml = text(&signed);

        // The structure of P1's sample, with SHA-256 and exclusive C14N.
        let doc = Document::parse(&signed).unwrap();
        let signature = doc
            .root()
            .children()
            .find(|c| c.is(Some(wssec_pki::DS), "Signature"))
            .expect("ds:Signature is the last child of ClinicalDocument");
        let id = signature.attribute(None, "Id").unwrap().to_owned();
        assert!(id.starts_with("xmldsig-"), "{id}");
        for needle in [
            format!(r#"<ds:Reference Id="{id}-ref0" URI="">"#),
            format!(r##"<ds:Reference Type="{SIGNED_PROPERTIES_TYPE}" URI="#{id}-signedprops">"##),
            format!(r#"<ds:SignatureValue Id="{id}-sigvalue">"#),
            format!(r##"<xades:QualifyingProperties xmlns:xades="{XADES}" Target="#{id}">"##),
            format!(r#"<xades:SignedProperties Id="{id}-signedprops">"#),
            "<xades:SignedSignatureProperties><xades:SigningTime>".to_owned(),
            format!(
                r#"<xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="{SHA256}"/><ds:DigestValue>{}</ds:DigestValue></xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>"#,
                b64(ring::digest::digest(&ring::digest::SHA256, signer.cert.der()).as_ref())
            ),
            format!(
                "<ds:X509SerialNumber>{}</ds:X509SerialNumber>",
                signer.cert.serial_decimal()
            ),
            format!(
                "<ds:X509Certificate>{}</ds:X509Certificate>",
                b64(signer.cert.der())
            ),
        ] {
            assert!(xml.contains(&needle), "missing {needle}\n{xml}");
        }

        let (ok, out) = xmlsec_verify_trusted(&signed, &fx.ca.cert_path);
        assert!(ok, "xmlsec1 refused our XAdES-BES signature: {out}");

        let report = verify(&signed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.xades(), Some(XadesLevel::Bes));
        assert_eq!(report.signing_time(), Some(at));
        assert_eq!(report.signer(), Some(&signer.cert));
        let uris: Vec<_> = report.signed_references().iter().map(|r| r.uri()).collect();
        assert_eq!(uris, ["".to_owned(), format!("#{id}-signedprops")]);
        assert_eq!(
            report.signed_references()[1].path(),
            "/ClinicalDocument/Signature/Object/QualifyingProperties/SignedProperties"
        );
        assert!(
            report.to_string().contains("XAdES-BES, signing time"),
            "{report}"
        );
        // Required: passes.
        Verifier::new(policy().require_xades(true))
            .verify_enveloped_document(&signed)
            .unwrap();

        // A tampered document is still caught by the first reference; xmlsec1 agrees.
        let tampered = xml.replacen("<title>", "<title>X", 1);
        assert!(matches!(
            verify(tampered.as_bytes()).unwrap_err(),
            VerifyError::DigestMismatch { ref uri, .. } if uri.is_empty()
        ));
        assert!(!xmlsec_verify_trusted(tampered.as_bytes(), &fx.ca.cert_path).0);
    }
}

#[test]
fn default_signing_time_is_now() {
    let before = OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let signed = sign_enveloped_document_with(
        &fixtures().rsa.identity,
        recepta_unsigned().as_bytes(),
        &DocumentSignatureProfile::xades_bes(),
    )
    .unwrap();
    let t = verify(&signed).unwrap().signing_time().unwrap();
    assert!(t >= before && t <= OffsetDateTime::now_utc(), "{t}");
}

#[test]
fn tampered_signing_time_is_a_digest_mismatch() {
    let fx = fixtures();
    let signed = text(&sign_xades(&fx.rsa, signing_time()));
    let start = signed.find("<xades:SigningTime>").unwrap() + "<xades:SigningTime>".len();
    let tampered = format!("{}2020{}", &signed[..start], &signed[start + 4..]);
    assert_ne!(tampered, signed);
    match verify(tampered.as_bytes()).unwrap_err() {
        VerifyError::DigestMismatch { uri, element } => {
            assert!(uri.ends_with("-signedprops"), "{uri}");
            assert!(element.ends_with("/SignedProperties"), "{element}");
        }
        other => panic!("{other}"),
    }
    assert!(!xmlsec_verify_trusted(tampered.as_bytes(), &fx.ca.cert_path).0);
}

// ---------------------------------------------------------------------------------------------
// xmlsec1 → ours

#[test]
fn xmlsec1_signed_xades_template_verifies_with_ours() {
    let fx = fixtures();
    for signer in [&fx.rsa, &fx.ec] {
        let signed = XadesTemplate::new(signer).sign();
        let (ok, out) = xmlsec_verify_trusted(&signed, &fx.ca.cert_path);
        assert!(ok, "{out}");
        let report = Verifier::new(policy().require_xades(true))
            .verify_enveloped_document(&signed)
            .unwrap_or_else(|e| panic!("{e}\n{}", text(&signed)));
        assert_eq!(report.xades(), Some(XadesLevel::Bes));
        let expected = time::Date::from_calendar_date(2026, time::Month::March, 1)
            .unwrap()
            .with_hms_milli(10, 21, 44, 250)
            .unwrap()
            .assume_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap());
        assert_eq!(report.signing_time(), Some(expected));
        assert_eq!(report.signed_references().len(), 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Refusals (each signature is valid XML-DSig: xmlsec1 signed it)

#[test]
fn signed_properties_not_signed_is_refused() {
    let fx = fixtures();
    let mut t = XadesTemplate::new(&fx.rsa);
    t.sign_properties = false;
    let signed = t.sign();
    assert!(xmlsec_verify_trusted(&signed, &fx.ca.cert_path).0);
    let err = verify(&signed).unwrap_err();
    assert!(
        matches!(err, VerifyError::XadesSignedPropertiesNotSigned { .. }),
        "{err}"
    );
}

#[test]
fn signing_certificate_of_another_certificate_is_refused() {
    let fx = fixtures();
    // The digest of another certificate of the same CA (issuer and serial of the signer).
    let mut t = XadesTemplate::new(&fx.rsa);
    t.digest_of = &fx.other.cert;
    let err = verify(&t.sign()).unwrap_err();
    match &err {
        VerifyError::XadesSigningCertificateMismatch { reason } => {
            assert!(reason.contains("none of the 1 xades:Cert"), "{reason}")
        }
        other => panic!("{other}"),
    }
    // The signer's digest, another serial number.
    let mut t = XadesTemplate::new(&fx.rsa);
    t.serial = fx.other.cert.serial_decimal().to_owned();
    let err = verify(&t.sign()).unwrap_err();
    assert!(
        matches!(err, VerifyError::XadesSigningCertificateMismatch { .. }),
        "{err}"
    );
    // A SHA-1 certificate digest: refused by name.
    let mut t = XadesTemplate::new(&fx.rsa);
    t.digest_alg = "http://www.w3.org/2000/09/xmldsig#sha1";
    let err = verify(&t.sign()).unwrap_err();
    match &err {
        VerifyError::UnsupportedAlgorithm { what, .. } => {
            assert!(what.contains("CertDigest"), "{what}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn target_mismatch_is_refused() {
    let fx = fixtures();
    for target in ["#xmldsig-other", "xmldsig-T", ""] {
        let mut t = XadesTemplate::new(&fx.rsa);
        t.target = target;
        match verify(&t.sign()).unwrap_err() {
            VerifyError::XadesTargetMismatch {
                target: found,
                signature_id,
            } => {
                assert_eq!(found, target);
                assert_eq!(signature_id, "xmldsig-T");
            }
            other => panic!("{target}: {other}"),
        }
    }
}

#[test]
fn plain_xml_dsig_is_refused_only_when_xades_is_required() {
    let fx = fixtures();
    let signed = sign_enveloped_document(&fx.rsa.identity, recepta_unsigned().as_bytes()).unwrap();
    assert!(!text(&signed).contains("xades"));
    let report = verify(&signed).unwrap();
    assert_eq!(report.xades(), None);
    assert_eq!(report.signing_time(), None);
    let err = Verifier::new(policy().require_xades(true))
        .verify_enveloped_document(&signed)
        .unwrap_err();
    assert!(matches!(err, VerifyError::XadesRequired), "{err}");
    assert!(policy().require_xades(true).xades_required());
    assert!(!policy().xades_required());
    // The XAdES profile's options.
    assert_eq!(
        DocumentSignatureProfile::xades_bes().xades_level(),
        Some(XadesLevel::Bes)
    );
    assert_eq!(DocumentSignatureProfile::default().xades_level(), None);
    assert_eq!(DEFAULT_MAX_TIMESTAMP_AGE.as_secs(), 300);
}

#[test]
fn an_untrusted_xades_signer_is_refused() {
    // A certificate of another CA (self-signed here) is refused before any XAdES check.
    let fx = fixtures();
    let dir = fx.dir.join("foreign");
    std::fs::create_dir_all(&dir).unwrap();
    let ca = openssl_ca(&dir, "foreign-ca", KeyKind::EcP256, "/CN=Foreign CA");
    let leaf = openssl_leaf(
        &dir,
        "foreign",
        KeyKind::EcP256,
        "/CN=Foreign",
        1,
        None,
        &ca,
    );
    let signed = sign_xades(&leaf, signing_time());
    let err = verify(&signed).unwrap_err();
    assert!(
        matches!(err, VerifyError::UntrustedCertificate { .. }),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// The published sample's own signature

/// `recepta.xml` as published carries a XAdES-BES signature of the same structure (inclusive
/// C14N, RSA-SHA1, SHA-1 digests, three `xades:Cert` entries). We refuse it by algorithm
/// before anything else.
#[test]
fn published_sample_is_refused_by_algorithm() {
    let xml = recepta();
    let err = verify(xml.as_bytes()).unwrap_err();
    assert!(
        matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
        "{err}"
    );
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let cert = doc
        .find_element(Some(wssec_pki::DS), "X509Certificate")
        .unwrap()
        .text();
    let compact: String = cert.split_whitespace().collect();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        compact
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let dir = &fixtures().dir;
    let cert_path = dir.join("sample-signer.pem");
    std::fs::write(&cert_path, pem).unwrap();
    // The signer's certificate is readable.
    run_ok(
        Command::new("openssl")
            .args(["x509", "-noout", "-in"])
            .arg(&cert_path),
    );
}

// ---------------------------------------------------------------------------------------------
// The implied canonicalization: a `Reference URI=""` with the enveloped-signature transform
// only, canonicalized with inclusive C14N 1.0 (what xmlseclibs, xml-crypto and .NET make, and
// what SÚKL's eRecept takes).

/// A request-like document with a namespace declared but not used (inclusive C14N digests it,
/// exclusive does not).
const IMPLIED_DOC: &str = r#"<ns1:ZalozeniVydejeDotaz xmlns:ns1="http://www.sukl.cz/erp/201704" xmlns:unused="urn:unused"><ns1:Doklad><ns1:Mnozstvi>2</ns1:Mnozstvi></ns1:Doklad><ns1:Zprava><ns1:ID_Zpravy>2f0f9a8e-3b5c-4d7e-9f10-111213141516</ns1:ID_Zpravy></ns1:Zprava></ns1:ZalozeniVydejeDotaz>"#;

fn sign_implied(signer: &Credential, xml: &str) -> Vec<u8> {
    sign_enveloped_document_with(
        &signer.identity,
        xml.as_bytes(),
        &DocumentSignatureProfile::xml_dsig().implied_c14n(true),
    )
    .unwrap()
}

#[test]
fn implied_c14n_signature_verifies_with_xmlsec1_and_ours() {
    let f = fixtures();
    for signer in [&f.rsa, &f.ec] {
        let signed = sign_implied(signer, IMPLIED_DOC);
        let s = text(&signed);
        // One transform, enveloped-signature, and no canonicalization transform.
        assert_eq!(s.matches("<ds:Transform ").count(), 1, "{s}");
        assert!(s.contains(ENVELOPED), "{s}");
        assert!(
            s.ends_with("</ds:Signature></ns1:ZalozeniVydejeDotaz>"),
            "{s}"
        );
        let (ok, out) = xmlsec_verify_trusted(&signed, &f.ca.cert_path);
        assert!(ok, "xmlsec1 refused our signature: {out}\n{s}");
        verify(&signed).unwrap_or_else(|e| panic!("ours refused: {e}\n{s}"));

        // The unused declaration is digested: removing it is a digest mismatch (exclusive
        // C14N would not have noticed), for xmlsec1 and for ours.
        let tampered = s.replacen(" xmlns:unused=\"urn:unused\"", "", 1);
        let (ok, _) = xmlsec_verify_trusted(tampered.as_bytes(), &f.ca.cert_path);
        assert!(!ok, "xmlsec1 accepted a changed document");
        assert!(
            matches!(
                verify(tampered.as_bytes()),
                Err(VerifyError::DigestMismatch { .. })
            ),
            "{tampered}"
        );
    }
}

#[test]
fn xmlsec1_signature_with_the_implied_c14n_verifies_with_ours() {
    let f = fixtures();
    let template = IMPLIED_DOC.replacen(
        "</ns1:ZalozeniVydejeDotaz>",
        &format!(
            r#"<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="{EXC}"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI=""><Transforms><Transform Algorithm="{ENVELOPED}"/></Transforms><DigestMethod Algorithm="{SHA256}"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature></ns1:ZalozeniVydejeDotaz>"#,
            b64(f.rsa.identity.certificate().der())
        ),
        1,
    );
    let signed = xmlsec_sign(&template, &f.rsa);
    verify(&signed).unwrap_or_else(|e| panic!("ours refused xmlsec1's: {e}\n{}", text(&signed)));
    let tampered = text(&signed).replacen(">2<", ">3<", 1);
    assert!(matches!(
        verify(tampered.as_bytes()),
        Err(VerifyError::DigestMismatch { .. })
    ));
}
