//! WS-Security verification (`sdk_runtime::wssec::verify`) against signatures made by xmlsec1.
//!
//! xmlsec1 (installed by `scripts/install-test-tools.sh`; a missing one fails the tests) signs
//! SOAP 1.1 envelope templates — P1's `kontekstWywolania` header, a Body and a Timestamp with
//! `wsu:Id`, and a `wsse:Security` header whose `ds:KeyInfo` names the certificate by
//! BinarySecurityToken reference, Subject Key Identifier or X509IssuerSerial (filled in here:
//! xmlsec1 does not write WS-Security tokens), or carries it in `ds:X509Data` — with
//!
//! ```text
//! xmlsec1 --sign --privkey-pem KEY,CERT \
//!     --id-attr:Id http://schemas.xmlsoap.org/soap/envelope/:Body \
//!     --id-attr:Id <wsu>:Timestamp --id-attr:Id <p1 kontekst>:kontekstWywolania \
//!     --id-attr:Id <wsse>:BinarySecurityToken --output OUT TEMPLATE
//! ```
//!
//! for RSA-2048 (CA and leaf made with the `openssl` CLI; the leaf's EKU is emailProtection
//! only, as signing certificates often have) and ECDSA P-256 (rcgen's [`TestPki`]) keys. The
//! published P1 prescription sample is signed as an enveloped document. Keys are generated at
//! test time under the target directory; keys, templates and xmlsec1 command lines are shared
//! with the other wssec tests and the bench (`support/wssec_pki.rs`).
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/wssec_pki.rs"]
mod wssec_pki;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use sdk_runtime::sandbox::TestPki;
use sdk_runtime::wssec::verify::VerifyCheck;
use sdk_runtime::wssec::{
    Document, ExcC14n, SignatureAlgorithm, SignedPart, TokenReference, TrustAnchors,
    VerificationPolicy, Verifier, VerifyError,
};
use time::OffsetDateTime;
use wssec_pki::{
    Credential as Signer, KONTEKST as P1, KeyKind, RSA_SHA256, SOAP11 as SOAP, Template, Token,
    WSSE, b64, credential_from_issued, document_template, envelope_id_attrs, openssl_ca,
    openssl_leaf, recepta_unsigned,
};

// ---------------------------------------------------------------------------------------------
// Keys and certificates

struct Fixtures {
    dir: PathBuf,
    rsa_ca_pem: String,
    rsa: Signer,
    ec_pki: TestPki,
    ec: Signer,
    other_pki: TestPki,
    other: Signer,
}

fn fixtures() -> &'static Fixtures {
    static FX: OnceLock<Fixtures> = OnceLock::new();
    FX.get_or_init(|| {
        let dir = wssec_pki::work_dir("wssec_verify", &std::process::id().to_string());

        // RSA: a CA and a one-day leaf with EKU emailProtection only.
        let rsa_ca = openssl_ca(
            &dir,
            "rsa-ca",
            KeyKind::Rsa2048,
            "/C=PL/O=Test Centrum, Sp. z o.o./CN=Test WSS CA",
        );
        let rsa = openssl_leaf(
            &dir,
            "rsa",
            KeyKind::Rsa2048,
            "/C=PL/O=Przychodnia/CN=Jan Kowalski",
            1,
            Some("0x0123456789abcdef01"),
            &rsa_ca,
        );

        let ec_pki = TestPki::new("Test EC WSS CA").unwrap();
        let ec =
            credential_from_issued(&dir, "ec", &ec_pki.issue_client_cert("Anna Nowak").unwrap());
        let other_pki = TestPki::new("Test EC WSS CA").unwrap();
        let other = credential_from_issued(
            &dir,
            "other",
            &other_pki.issue_client_cert("Anna Nowak").unwrap(),
        );
        Fixtures {
            rsa_ca_pem: rsa_ca.cert_pem,
            dir,
            rsa,
            ec_pki,
            ec,
            other_pki,
            other,
        }
    })
}

fn trust_all() -> TrustAnchors {
    let fx = fixtures();
    let mut t = TrustAnchors::from_pem(fx.rsa_ca_pem.as_bytes()).unwrap();
    t.add_pem(fx.ec_pki.ca_cert_pem().as_bytes()).unwrap();
    t
}

fn p1_verifier() -> Verifier {
    Verifier::new(VerificationPolicy::p1(trust_all()))
}

// ---------------------------------------------------------------------------------------------
// xmlsec1 (the templates are in support/wssec_pki.rs)

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn xmlsec_sign(template: &str, signer: &Signer, id_attrs: &[String]) -> Vec<u8> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    wssec_pki::xmlsec_sign(
        &fixtures().dir,
        &format!("{n}.xml"),
        template,
        signer,
        id_attrs,
    )
    .unwrap_or_else(|e| panic!("xmlsec1 --sign failed: {e}"))
}

fn sign_envelope(t: &Template<'_>) -> Vec<u8> {
    xmlsec_sign(&t.render(), t.signer, &envelope_id_attrs(SOAP))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// xmlsec1 → us: every token reference style, RSA and ECDSA

fn roundtrip(signer: &Signer, token: Token) {
    let fx = fixtures();
    let signed = sign_envelope(&Template::new(signer, token));
    let mut policy = VerificationPolicy::p1(trust_all());
    if matches!(token, Token::Ski | Token::IssuerSerial) {
        policy = policy.known_certificates([signer.cert.clone()]);
    }
    let report = Verifier::new(policy)
        .verify_envelope(&signed)
        .unwrap_or_else(|e| panic!("{token:?}: {e}\n{}", text(&signed)));
    assert!(report.verified());
    assert_eq!(report.signer().unwrap(), &signer.cert);
    let expected_alg = if signer.sig_alg == RSA_SHA256 {
        SignatureAlgorithm::RsaSha256
    } else {
        SignatureAlgorithm::EcdsaP256Sha256
    };
    assert_eq!(report.algorithm(), Some(expected_alg));
    let expected_token = match token {
        Token::Bst => Some(TokenReference::BinarySecurityToken),
        Token::Ski | Token::SkiWithBst => Some(TokenReference::SubjectKeyIdentifier),
        Token::IssuerSerial => Some(TokenReference::IssuerSerial),
        Token::X509Data => None,
    };
    assert_eq!(report.token_reference(), expected_token);
    let paths: Vec<_> = report
        .signed_references()
        .iter()
        .map(|r| (r.uri(), r.path(), r.part().cloned()))
        .collect();
    assert_eq!(
        paths,
        [
            (
                "#TS-1",
                "/Envelope/Header/Security/Timestamp",
                Some(SignedPart::Timestamp)
            ),
            (
                "#KW-1",
                "/Envelope/Header/kontekstWywolania",
                Some(SignedPart::header(P1, "kontekstWywolania"))
            ),
            ("#Body-1", "/Envelope/Body", Some(SignedPart::Body)),
        ]
    );
    assert_eq!(
        report.signed_references()[1].expanded_name(),
        format!("{{{P1}}}kontekstWywolania")
    );
    assert!(report.timestamp().unwrap().1.is_some());
    assert!(report.to_string().starts_with("verified"), "{report}");
    let _ = fx;
}

#[test]
fn xmlsec1_rsa_binary_security_token() {
    roundtrip(&fixtures().rsa, Token::Bst);
}

#[test]
fn xmlsec1_rsa_subject_key_identifier() {
    roundtrip(&fixtures().rsa, Token::Ski);
}

#[test]
fn xmlsec1_rsa_issuer_serial() {
    roundtrip(&fixtures().rsa, Token::IssuerSerial);
}

#[test]
fn xmlsec1_rsa_x509_certificate_in_key_info() {
    roundtrip(&fixtures().rsa, Token::X509Data);
}

#[test]
fn xmlsec1_ecdsa_binary_security_token() {
    roundtrip(&fixtures().ec, Token::Bst);
}

#[test]
fn xmlsec1_ecdsa_subject_key_identifier() {
    roundtrip(&fixtures().ec, Token::Ski);
}

#[test]
fn xmlsec1_ecdsa_subject_key_identifier_of_a_token_in_the_header() {
    roundtrip(&fixtures().ec, Token::SkiWithBst);
}

#[test]
fn xmlsec1_ecdsa_issuer_serial() {
    roundtrip(&fixtures().ec, Token::IssuerSerial);
}

#[test]
fn xmlsec1_ecdsa_x509_certificate_in_key_info() {
    roundtrip(&fixtures().ec, Token::X509Data);
}

#[test]
fn unknown_ski_or_issuer_serial_is_key_not_found() {
    let fx = fixtures();
    for token in [Token::Ski, Token::IssuerSerial] {
        let signed = sign_envelope(&Template::new(&fx.rsa, token));
        // The policy knows only another certificate.
        let policy = VerificationPolicy::p1(trust_all()).known_certificates([fx.ec.cert.clone()]);
        let err = Verifier::new(policy).verify_envelope(&signed).unwrap_err();
        assert!(
            matches!(err, VerifyError::KeyNotFound { .. }),
            "{token:?}: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Enveloped documents: the published P1 prescription sample

fn sign_recepta(signer: &Signer) -> Vec<u8> {
    xmlsec_sign(
        &document_template(&recepta_unsigned(), signer.sig_alg),
        signer,
        &[],
    )
}

#[test]
fn xmlsec1_enveloped_recepta_rsa_and_ecdsa() {
    let fx = fixtures();
    for signer in [&fx.rsa, &fx.ec] {
        let signed = sign_recepta(signer);
        let report = p1_verifier()
            .verify_enveloped_document(&signed)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(report.verified());
        assert_eq!(report.signer().unwrap(), &signer.cert);
        assert_eq!(report.signed_references().len(), 1);
        assert_eq!(report.signed_references()[0].uri(), "");
        assert_eq!(report.signed_references()[0].path(), "/ClinicalDocument");

        // Tampered content.
        let tampered = text(&signed).replacen("<title>", "<title>X", 1);
        assert_ne!(tampered.as_bytes(), &signed[..]);
        let err = p1_verifier()
            .verify_enveloped_document(tampered.as_bytes())
            .unwrap_err();
        assert!(matches!(err, VerifyError::DigestMismatch { .. }), "{err}");

        // Another CA.
        let other = Verifier::new(VerificationPolicy::new(
            TrustAnchors::from_pem(fx.other_pki.ca_cert_pem().as_bytes()).unwrap(),
        ));
        let err = other.verify_enveloped_document(&signed).unwrap_err();
        assert!(
            matches!(err, VerifyError::UntrustedCertificate { .. }),
            "{err}"
        );
    }
}

#[test]
fn published_sample_signature_is_refused_as_weak() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/p1-erecepta-v20170510/samples/recepta.xml");
    let xml = std::fs::read(path).unwrap();
    let err = p1_verifier().verify_enveloped_document(&xml).unwrap_err();
    assert!(
        matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Negative cases

fn signed_rsa_bst() -> Vec<u8> {
    sign_envelope(&Template::new(&fixtures().rsa, Token::Bst))
}

fn expect_err(envelope: &[u8]) -> VerifyError {
    p1_verifier()
        .verify_envelope(envelope)
        .expect_err("verification should fail")
}

#[test]
fn tampered_body_is_a_digest_mismatch() {
    let signed = text(&signed_rsa_bst());
    let tampered = signed.replace("abc &amp; def", "abd &amp; def");
    assert_ne!(tampered, signed);
    match expect_err(tampered.as_bytes()) {
        VerifyError::DigestMismatch { uri, element } => {
            assert_eq!(uri, "#Body-1");
            assert_eq!(element, "/Envelope/Body");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn tampered_header_is_a_digest_mismatch() {
    let signed = text(&signed_rsa_bst());
    let tampered = signed.replace("000000001", "000000002");
    match expect_err(tampered.as_bytes()) {
        VerifyError::DigestMismatch { uri, .. } => assert_eq!(uri, "#KW-1"),
        other => panic!("{other}"),
    }
}

#[test]
fn tampered_body_with_recomputed_digest_value_breaks_the_signature() {
    let signed = text(&signed_rsa_bst());
    let tampered = signed.replace("abc &amp; def", "abd &amp; def");
    // Recompute the Body's digest and write it into SignedInfo, as an attacker would.
    let doc = Document::parse(tampered.as_bytes()).unwrap();
    let body = doc.element_by_id("Body-1").unwrap();
    let c14n = ExcC14n::new()
        .prefix_list("wsse soapenv")
        .canonicalize_element(body)
        .unwrap();
    let new_digest = b64(ring::digest::digest(&ring::digest::SHA256, &c14n).as_ref());
    let old_digest = {
        let doc = Document::parse(signed.as_bytes()).unwrap();
        let refs: Vec<_> = doc
            .elements()
            .filter(|e| e.local_name() == "DigestValue")
            .map(|e| e.text())
            .collect();
        refs[2].clone()
    };
    let tampered = tampered.replace(&old_digest, &new_digest);
    match expect_err(tampered.as_bytes()) {
        VerifyError::SignatureInvalid { algorithm, .. } => {
            assert_eq!(algorithm, SignatureAlgorithm::RsaSha256)
        }
        other => panic!("{other}"),
    }
}

/// The signature value is checked before the references are digested, so a changed
/// `ds:DigestValue` (which changes `ds:SignedInfo`) is a broken signature, not a digest mismatch.
#[test]
fn tampered_digest_value_in_signed_info_is_caught() {
    let signed = text(&signed_rsa_bst());
    let doc = Document::parse(signed.as_bytes()).unwrap();
    let first = doc
        .elements()
        .find(|e| e.local_name() == "DigestValue")
        .unwrap()
        .text();
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode(first.trim())
        .unwrap();
    bytes[0] ^= 1;
    let tampered = signed.replace(&first, &b64(&bytes));
    match expect_err(tampered.as_bytes()) {
        VerifyError::SignatureInvalid { algorithm, .. } => {
            assert_eq!(algorithm, SignatureAlgorithm::RsaSha256)
        }
        other => panic!("{other}"),
    }
}

#[test]
fn wrong_signature_value_is_signature_invalid() {
    for signer in [&fixtures().rsa, &fixtures().ec] {
        let signed = text(&sign_envelope(&Template::new(signer, Token::Bst)));
        let doc = Document::parse(signed.as_bytes()).unwrap();
        let value = doc
            .elements()
            .find(|e| e.local_name() == "SignatureValue")
            .unwrap()
            .text();
        let compact: String = value.split_whitespace().collect();
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&compact)
            .unwrap();
        bytes[10] ^= 0x40;
        let tampered = signed.replace(&value, &b64(&bytes));
        let err = expect_err(tampered.as_bytes());
        assert!(matches!(err, VerifyError::SignatureInvalid { .. }), "{err}");
    }
}

#[test]
fn expired_timestamp() {
    let signed = signed_rsa_bst();
    let later = OffsetDateTime::now_utc() + time::Duration::minutes(30);
    let err = p1_verifier()
        .verify_envelope_at(&signed, later)
        .unwrap_err();
    assert!(matches!(err, VerifyError::TimestampExpired { .. }), "{err}");
    // Within the skew it passes; with a larger skew too.
    let a_bit_later = OffsetDateTime::now_utc() + time::Duration::seconds(400);
    p1_verifier()
        .verify_envelope_at(&signed, a_bit_later)
        .unwrap();
    Verifier::new(
        VerificationPolicy::p1(trust_all()).clock_skew(std::time::Duration::from_secs(3600)),
    )
    .verify_envelope_at(&signed, later)
    .unwrap();
}

/// A signed Timestamp without `wsu:Expires`, created `age` ago.
fn signed_without_expires(age: time::Duration) -> Vec<u8> {
    let fx = fixtures();
    let mut t = Template::new(&fx.ec, Token::Bst);
    t.created = OffsetDateTime::now_utc() - age;
    let rendered = t.render();
    let start = rendered.find("<wsu:Expires>").unwrap();
    let end = rendered.find("</wsu:Expires>").unwrap() + "</wsu:Expires>".len();
    let template = format!("{}{}", &rendered[..start], &rendered[end..]);
    xmlsec_sign(&template, t.signer, &envelope_id_attrs(SOAP))
}

#[test]
fn timestamp_without_expires_lives_max_age_plus_skew() {
    // Default: 300 s of age and 300 s of skew.
    let fresh = signed_without_expires(time::Duration::seconds(5));
    let report = p1_verifier().verify_envelope(&fresh).unwrap();
    assert_eq!(report.timestamp().unwrap().1, None);
    let now = OffsetDateTime::now_utc();
    p1_verifier()
        .verify_envelope_at(&fresh, now + time::Duration::seconds(550))
        .unwrap();
    match p1_verifier()
        .verify_envelope_at(&fresh, now + time::Duration::seconds(700))
        .unwrap_err()
    {
        VerifyError::TimestampTooOld {
            has_expires,
            max_age_seconds,
            skew_seconds,
            ..
        } => {
            assert!(!has_expires);
            assert_eq!((max_age_seconds, skew_seconds), (300, 300));
        }
        other => panic!("{other}"),
    }
    // A day-old Timestamp without Expires no longer passes.
    let old = signed_without_expires(time::Duration::days(1));
    let err = expect_err(&old);
    assert!(matches!(err, VerifyError::TimestampTooOld { .. }), "{err}");
    // A timestamp check, like an expired one.
    assert_eq!(err.check(), VerifyCheck::Timestamp);
    assert_eq!(err.check().to_string(), "timestamp");
    // A configured age applies.
    let strict = Verifier::new(
        VerificationPolicy::p1(trust_all())
            .max_timestamp_age(std::time::Duration::from_secs(60))
            .clock_skew(std::time::Duration::from_secs(10)),
    );
    strict
        .verify_envelope_at(&fresh, now + time::Duration::seconds(60))
        .unwrap();
    let err = strict
        .verify_envelope_at(&fresh, now + time::Duration::seconds(70))
        .unwrap_err();
    assert!(matches!(err, VerifyError::TimestampTooOld { .. }), "{err}");
    let lenient = Verifier::new(
        VerificationPolicy::p1(trust_all())
            .max_timestamp_age(std::time::Duration::from_secs(2 * 86_400)),
    );
    lenient.verify_envelope(&old).unwrap();
}

#[test]
fn timestamp_with_expires_checks_age_only_when_configured() {
    // Created 10 minutes ago, Expires in an hour: the default policy goes by Expires.
    let fx = fixtures();
    let mut t = Template::new(&fx.ec, Token::Bst);
    t.created = OffsetDateTime::now_utc() - time::Duration::minutes(10);
    t.expires = OffsetDateTime::now_utc() + time::Duration::hours(1);
    let signed = sign_envelope(&t);
    let policy = VerificationPolicy::p1(trust_all());
    assert!(!policy.timestamp_age_applies_with_expires());
    assert_eq!(
        policy.allowed_timestamp_age(),
        std::time::Duration::from_secs(300)
    );
    Verifier::new(policy).verify_envelope(&signed).unwrap();
    // Configured: 5 min + 1 min skew < 10 min.
    let policy = VerificationPolicy::p1(trust_all())
        .max_timestamp_age(std::time::Duration::from_secs(300))
        .clock_skew(std::time::Duration::from_secs(60));
    assert!(policy.timestamp_age_applies_with_expires());
    match Verifier::new(policy).verify_envelope(&signed).unwrap_err() {
        VerifyError::TimestampTooOld { has_expires, .. } => assert!(has_expires),
        other => panic!("{other}"),
    }
    // Configured but long enough.
    Verifier::new(
        VerificationPolicy::p1(trust_all()).max_timestamp_age(std::time::Duration::from_secs(900)),
    )
    .verify_envelope(&signed)
    .unwrap();
}

#[test]
fn timestamp_in_the_future() {
    let fx = fixtures();
    let mut t = Template::new(&fx.ec, Token::Bst);
    t.created = OffsetDateTime::now_utc() + time::Duration::hours(1);
    t.expires = t.created + time::Duration::minutes(5);
    let signed = sign_envelope(&t);
    let err = expect_err(&signed);
    assert!(
        matches!(err, VerifyError::TimestampInFuture { .. }),
        "{err}"
    );
}

#[test]
fn missing_timestamp() {
    let fx = fixtures();
    let mut t = Template::new(&fx.ec, Token::Bst);
    t.timestamp = false;
    t.refs = vec!["KW-1", "Body-1"];
    let signed = sign_envelope(&t);
    let err = expect_err(&signed);
    assert!(matches!(err, VerifyError::TimestampMissing), "{err}");
    // Not required: passes.
    Verifier::new(VerificationPolicy::p1(trust_all()).require_timestamp(false))
        .verify_envelope(&signed)
        .unwrap();
}

#[test]
fn unsigned_timestamp_is_required_part_not_signed() {
    let fx = fixtures();
    let mut t = Template::new(&fx.ec, Token::Bst);
    t.refs = vec!["KW-1", "Body-1"];
    let signed = sign_envelope(&t);
    match expect_err(&signed) {
        VerifyError::RequiredPartNotSigned { part } => assert_eq!(part, SignedPart::Timestamp),
        other => panic!("{other}"),
    }
}

#[test]
fn untrusted_certificate() {
    let fx = fixtures();
    let signed = sign_envelope(&Template::new(&fx.other, Token::Bst));
    // Same CA name, another key: not trusted.
    let err = expect_err(&signed);
    match &err {
        VerifyError::UntrustedCertificate { reason, .. } => {
            assert!(reason.contains("another CA of the same name"), "{reason}")
        }
        other => panic!("{other}"),
    }
    // A CA of another name: no path at all.
    let rsa_only = Verifier::new(VerificationPolicy::p1(
        TrustAnchors::from_pem(fx.rsa_ca_pem.as_bytes()).unwrap(),
    ));
    match rsa_only.verify_envelope(&signed).unwrap_err() {
        VerifyError::UntrustedCertificate { reason, .. } => {
            assert!(reason.contains("no path"), "{reason}")
        }
        other => panic!("{other}"),
    }
    // No trust anchors at all.
    let err = Verifier::new(VerificationPolicy::p1(TrustAnchors::new()))
        .verify_envelope(&signed)
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::UntrustedCertificate { .. }),
        "{err}"
    );
    // Trusting the other CA, it verifies.
    Verifier::new(VerificationPolicy::p1(
        TrustAnchors::from_pem(fx.other_pki.ca_cert_pem().as_bytes()).unwrap(),
    ))
    .verify_envelope(&signed)
    .unwrap();
}

#[test]
fn expired_certificate() {
    // The RSA leaf is valid for one day: sign a message timestamped two days ahead and verify
    // it then.
    let fx = fixtures();
    let then = OffsetDateTime::now_utc() + time::Duration::days(2);
    let mut t = Template::new(&fx.rsa, Token::Bst);
    t.created = then - time::Duration::seconds(5);
    t.expires = then + time::Duration::minutes(5);
    let signed = sign_envelope(&t);
    let err = p1_verifier().verify_envelope_at(&signed, then).unwrap_err();
    assert!(
        matches!(err, VerifyError::CertificateExpired { .. }),
        "{err}"
    );
}

/// Moves the signed Body into a wrapper header and puts `new_body` in its place.
fn wrap_body(signed: &str, new_body: &str) -> String {
    let doc = Document::parse(signed.as_bytes()).unwrap();
    let body = doc.element_by_id("Body-1").unwrap().span();
    let header_end = doc
        .elements()
        .find(|e| e.local_name() == "Header")
        .unwrap()
        .content_span()
        .end;
    let original = &signed[body.clone()];
    format!(
        "{}<w:Wrapper xmlns:w=\"urn:attacker\">{original}</w:Wrapper>{}{new_body}{}",
        &signed[..header_end],
        &signed[header_end..body.start],
        &signed[body.end..]
    )
}

#[test]
fn signed_body_moved_into_a_wrapper_is_signature_wrapping() {
    let signed = text(&signed_rsa_bst());
    let attacked = wrap_body(
        &signed,
        "<soapenv:Body><urn:anulujRecepte>evil</urn:anulujRecepte></soapenv:Body>",
    );
    match expect_err(attacked.as_bytes()) {
        VerifyError::SignatureWrapping { reason } => {
            assert!(reason.contains("/Envelope/Header/Wrapper/Body"), "{reason}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn duplicated_signed_id_is_signature_wrapping() {
    let signed = text(&signed_rsa_bst());
    let attacked = wrap_body(
        &signed,
        "<soapenv:Body wsu:Id=\"Body-1\"><urn:anulujRecepte>evil</urn:anulujRecepte></soapenv:Body>",
    );
    let err = expect_err(attacked.as_bytes());
    assert!(
        matches!(err, VerifyError::SignatureWrapping { .. }),
        "{err}"
    );
    // A duplicated header ID, too.
    let kw = signed.find("<k:kontekstWywolania").unwrap();
    let attacked = format!(
        "{}<x:Extra xmlns:x=\"urn:attacker\" wsu:Id=\"KW-1\"/>{}",
        &signed[..kw],
        &signed[kw..]
    );
    let err = expect_err(attacked.as_bytes());
    assert!(
        matches!(err, VerifyError::SignatureWrapping { .. }),
        "{err}"
    );
}

#[test]
fn required_header_not_signed() {
    let fx = fixtures();
    let mut t = Template::new(&fx.rsa, Token::Bst);
    t.refs = vec!["TS-1", "Body-1"];
    let signed = sign_envelope(&t);
    match expect_err(&signed) {
        VerifyError::RequiredPartNotSigned { part } => {
            assert_eq!(part, SignedPart::header(P1, "kontekstWywolania"))
        }
        other => panic!("{other}"),
    }
    // The default policy (Body and Timestamp) accepts it.
    let report = Verifier::new(VerificationPolicy::new(trust_all()))
        .verify_envelope(&signed)
        .unwrap();
    assert!(report.is_signed(&SignedPart::Body));
    assert!(!report.is_signed(&SignedPart::header(P1, "kontekstWywolania")));
}

#[test]
fn unsigned_body_is_required_part_not_signed() {
    let fx = fixtures();
    let mut t = Template::new(&fx.rsa, Token::Bst);
    t.refs = vec!["TS-1", "KW-1"];
    let signed = sign_envelope(&t);
    match expect_err(&signed) {
        VerifyError::RequiredPartNotSigned { part } => assert_eq!(part, SignedPart::Body),
        other => panic!("{other}"),
    }
}

#[test]
fn rsa_sha1_and_sha1_digests_are_unsupported() {
    let fx = fixtures();
    let mut t = Template::new(&fx.rsa, Token::Bst);
    t.sig_alg = Some("http://www.w3.org/2000/09/xmldsig#rsa-sha1");
    let signed = sign_envelope(&t);
    match expect_err(&signed) {
        VerifyError::UnsupportedAlgorithm { what, uri } => {
            assert_eq!(what, "SignatureMethod");
            assert!(uri.ends_with("rsa-sha1"));
        }
        other => panic!("{other}"),
    }
    let mut t = Template::new(&fx.rsa, Token::Bst);
    t.digest_alg = "http://www.w3.org/2000/09/xmldsig#sha1";
    let signed = sign_envelope(&t);
    let err = expect_err(&signed);
    assert!(
        matches!(&err, VerifyError::UnsupportedAlgorithm { what, .. } if what.starts_with("DigestMethod")),
        "{err}"
    );
    assert!(err.to_string().contains("weak"), "{err}");
}

#[test]
fn no_security_header() {
    let plain = format!(
        r#"<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Header/><soapenv:Body><x/></soapenv:Body></soapenv:Envelope>"#
    );
    let err = expect_err(plain.as_bytes());
    assert!(matches!(err, VerifyError::NoSecurityHeader { .. }), "{err}");
    // A Security header for another actor does not count.
    let signed = text(&signed_rsa_bst());
    let other_actor = signed.replace(
        "soapenv:mustUnderstand=\"1\"",
        "soapenv:actor=\"urn:someone-else\"",
    );
    let err = expect_err(other_actor.as_bytes());
    assert!(matches!(err, VerifyError::NoSecurityHeader { .. }), "{err}");
}

#[test]
fn two_security_headers_are_refused() {
    let signed = text(&signed_rsa_bst());
    let kw = signed.find("<k:kontekstWywolania").unwrap();
    let attacked = format!(
        "{}<wsse:Security xmlns:wsse=\"{WSSE}\"/>{}",
        &signed[..kw],
        &signed[kw..]
    );
    let err = expect_err(attacked.as_bytes());
    assert!(
        matches!(err, VerifyError::MultipleSecurityHeaders { count: 2 }),
        "{err}"
    );
}

#[test]
fn disabled_verifier_passes_anything_and_says_so() {
    let v = Verifier::disabled();
    let report = v.verify_envelope(b"not even XML").unwrap();
    assert!(!report.verified());
    assert!(report.signer().is_none());
    assert!(report.signed_references().is_empty());
    assert!(report.to_string().contains("not verified"), "{report}");
    let doc = v.verify_enveloped_document(b"<x/>").unwrap();
    assert!(!doc.verified());
    assert!(doc.to_string().contains("not verified"));
}

#[test]
fn signed_header_moved_into_a_wrapper_is_signature_wrapping() {
    let signed = text(&signed_rsa_bst());
    let doc = Document::parse(signed.as_bytes()).unwrap();
    let kw = doc.element_by_id("KW-1").unwrap().span();
    let original = &signed[kw.clone()];
    let forged = format!(
        "<k:kontekstWywolania xmlns:k=\"{P1}\"><k:atrybut><k:nazwa>urn:csioz:p1:erecepta:kontekst:idPodmiotuOidExt</k:nazwa><k:wartosc>666</k:wartosc></k:atrybut></k:kontekstWywolania>"
    );
    let attacked = format!(
        "{}{forged}<w:Wrapper xmlns:w=\"urn:attacker\">{original}</w:Wrapper>{}",
        &signed[..kw.start],
        &signed[kw.end..]
    );
    match expect_err(attacked.as_bytes()) {
        VerifyError::SignatureWrapping { reason } => {
            assert!(
                reason.contains("/Envelope/Header/Wrapper/kontekstWywolania"),
                "{reason}"
            )
        }
        other => panic!("{other}"),
    }
}
