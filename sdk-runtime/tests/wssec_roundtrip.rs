//! WS-Security round trips: our signer (`sdk_runtime::wssec::sign`) → our verifier
//! (`sdk_runtime::wssec::verify`), the full matrix
//!
//! {RSA-2048, ECDSA P-256} × {BinarySecurityToken, SubjectKeyIdentifier, IssuerSerial}
//! × {SOAP 1.1, SOAP 1.2} × {`SigningProfile::p1()`, `SigningProfile::new()`, P1's parts
//! without a timestamp (verified with `require_timestamp(false)`)}
//!
//! plus enveloped documents (the published P1 prescription sample). Each signed message must
//! verify with a report naming the profile's parts, the signer's certificate and the token
//! reference style, and one changed byte inside each signed part must be reported as a digest
//! mismatch of that part. Also: a signer from a CA outside the trust anchors, and an expired
//! timestamp.
//!
//! Keys: RSA-2048 and ECDSA P-256 leaves with Subject Key Identifiers, each under its own CA,
//! made with the `openssl` CLI (installed by `scripts/install-test-tools.sh`); the untrusted
//! signer comes from a [`TestPki`].
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/wssec_pki.rs"]
mod wssec_pki;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use sdk_runtime::sandbox::TestPki;
use sdk_runtime::wssec::{
    Document, SignedPart, SigningProfile, TokenReference, TrustAnchors, VerificationPolicy,
    Verifier, VerifyError, WsSecuritySigner, sign_enveloped_document,
};
use time::OffsetDateTime;
use wssec_pki::{
    Credential, DS, KONTEKST, KeyKind, P1_SMALL_BODY, SOAP11, SOAP12, WSU, openssl_ca,
    openssl_leaf, p1_envelope, recepta_unsigned, work_dir,
};

struct Fixtures {
    dir: PathBuf,
    trust: TrustAnchors,
    rsa: Credential,
    ec: Credential,
}

fn fixtures() -> &'static Fixtures {
    static FX: OnceLock<Fixtures> = OnceLock::new();
    FX.get_or_init(|| {
        let dir = work_dir("wssec_roundtrip", &std::process::id().to_string());
        let rsa_ca = openssl_ca(
            &dir,
            "rsa-ca",
            KeyKind::Rsa2048,
            "/C=PL/O=Test Centrum/CN=Test WSS RSA CA",
        );
        let rsa = openssl_leaf(
            &dir,
            "rsa",
            KeyKind::Rsa2048,
            "/C=PL/O=Przychodnia/CN=Jan Kowalski",
            30,
            Some("0x00e1d2c3b4a5968778"),
            &rsa_ca,
        );
        let ec_ca = openssl_ca(
            &dir,
            "ec-ca",
            KeyKind::EcP256,
            "/C=PL/O=Test Centrum/CN=Test WSS EC CA",
        );
        let ec = openssl_leaf(
            &dir,
            "ec",
            KeyKind::EcP256,
            "/C=PL/O=Szpital/CN=Anna Nowak",
            30,
            None,
            &ec_ca,
        );
        let mut trust = rsa_ca.trust_anchors();
        trust.add_pem(ec_ca.cert_pem.as_bytes()).unwrap();
        Fixtures {
            dir,
            trust,
            rsa,
            ec,
        }
    })
}

fn kontekst() -> SignedPart {
    SignedPart::header(KONTEKST, "kontekstWywolania")
}

/// The three signing profiles of the matrix, with the policy that verifies each.
fn profiles(trust: &TrustAnchors) -> Vec<(&'static str, SigningProfile, VerificationPolicy)> {
    vec![
        (
            "p1",
            SigningProfile::p1(),
            VerificationPolicy::p1(trust.clone()),
        ),
        (
            "new",
            SigningProfile::new(),
            VerificationPolicy::new(trust.clone()),
        ),
        (
            "p1-without-timestamp",
            SigningProfile::p1()
                .without_timestamp()
                .parts([SignedPart::Body, kontekst()]),
            VerificationPolicy::p1(trust.clone()).require_timestamp(false),
        ),
    ]
}

/// The element path the verifier reports for a part.
fn path_of(part: &SignedPart) -> &'static str {
    match part {
        SignedPart::Body => "/Envelope/Body",
        SignedPart::Timestamp => "/Envelope/Header/Security/Timestamp",
        _ => "/Envelope/Header/kontekstWywolania",
    }
}

/// `text` with one byte changed inside `span`: the first letter or digit that starts a text
/// node (after a `>`) becomes another of its kind. Well-formedness is kept.
fn tamper_inside(text: &str, span: Range<usize>) -> String {
    let bytes = text.as_bytes();
    let at = (span.start..span.end - 1)
        .find(|&i| bytes[i] == b'>' && bytes[i + 1].is_ascii_alphanumeric())
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no text to tamper with in {}", &text[span]));
    let old = bytes[at];
    let new = match old {
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        b => b + 1,
    };
    let mut out = bytes.to_vec();
    out[at] = new;
    String::from_utf8(out).unwrap()
}

/// Signs the P1 envelope (SOAP `soap_ns`) in every profile with `signer` in `style`, verifies
/// it, and checks that a byte changed in each signed part is a digest mismatch of that part.
fn roundtrip(signer: &Credential, style: TokenReference, soap_ns: &str) {
    let fx = fixtures();
    let envelope = p1_envelope(soap_ns, P1_SMALL_BODY);
    for (label, profile, policy) in profiles(&fx.trust) {
        let case = format!(
            "{:?}/{style:?}/{soap_ns}/{label}",
            signer.identity.algorithm()
        );
        let profile = profile.token_reference(style);
        let policy = match style {
            TokenReference::BinarySecurityToken => policy,
            _ => policy.known_certificates([signer.cert.clone()]),
        };
        let verifier = Verifier::new(policy);
        let ws = WsSecuritySigner::new(signer.identity.clone(), profile.clone());
        let signed = ws.sign_envelope(envelope.as_bytes()).unwrap();
        let text = String::from_utf8(signed.clone()).unwrap();

        let report = verifier
            .verify_envelope(&signed)
            .unwrap_or_else(|e| panic!("{case}: {e}\n{text}"));
        assert!(report.verified(), "{case}");
        let parts: Vec<_> = report
            .signed_references()
            .iter()
            .map(|r| r.part().cloned())
            .collect();
        let expected: Vec<_> = profile.signed_parts().iter().cloned().map(Some).collect();
        assert_eq!(parts, expected, "{case}");
        let paths: Vec<_> = report
            .signed_references()
            .iter()
            .map(|r| r.path())
            .collect();
        let expected_paths: Vec<_> = profile.signed_parts().iter().map(path_of).collect();
        assert_eq!(paths, expected_paths, "{case}");
        let who = report.signer().unwrap();
        let mine = signer.identity.certificate();
        assert_eq!(who.serial_decimal(), mine.serial_decimal(), "{case}");
        assert_eq!(who.issuer(), mine.issuer(), "{case}");
        assert_eq!(who, mine, "{case}");
        assert_eq!(
            report.algorithm(),
            Some(signer.identity.algorithm()),
            "{case}"
        );
        assert_eq!(report.token_reference(), Some(style), "{case}");
        match profile.timestamp_validity() {
            Some(ttl) => {
                let (created, expires) = report.timestamp().unwrap();
                assert_eq!(expires, Some(created + ttl), "{case}");
            }
            None => assert!(report.timestamp().is_none(), "{case}"),
        }

        // One byte changed inside each signed part: a digest mismatch naming that part.
        let doc = Document::parse(&signed).unwrap();
        for reference in report.signed_references() {
            let id = reference.uri().strip_prefix('#').unwrap();
            let span = doc.element_by_id(id).unwrap().content_span();
            let tampered = tamper_inside(&text, span);
            match verifier.verify_envelope(tampered.as_bytes()) {
                Err(VerifyError::DigestMismatch { uri, element }) => {
                    assert_eq!(uri, reference.uri(), "{case}");
                    assert_eq!(element, reference.path(), "{case}");
                }
                other => panic!("{case}: tampered {}: {other:?}", reference.path()),
            }
        }
    }
}

#[test]
fn rsa_binary_security_token_soap11() {
    roundtrip(&fixtures().rsa, TokenReference::BinarySecurityToken, SOAP11);
}

#[test]
fn rsa_binary_security_token_soap12() {
    roundtrip(&fixtures().rsa, TokenReference::BinarySecurityToken, SOAP12);
}

#[test]
fn rsa_subject_key_identifier_soap11() {
    roundtrip(
        &fixtures().rsa,
        TokenReference::SubjectKeyIdentifier,
        SOAP11,
    );
}

#[test]
fn rsa_subject_key_identifier_soap12() {
    roundtrip(
        &fixtures().rsa,
        TokenReference::SubjectKeyIdentifier,
        SOAP12,
    );
}

#[test]
fn rsa_issuer_serial_soap11() {
    roundtrip(&fixtures().rsa, TokenReference::IssuerSerial, SOAP11);
}

#[test]
fn rsa_issuer_serial_soap12() {
    roundtrip(&fixtures().rsa, TokenReference::IssuerSerial, SOAP12);
}

#[test]
fn ecdsa_binary_security_token_soap11() {
    roundtrip(&fixtures().ec, TokenReference::BinarySecurityToken, SOAP11);
}

#[test]
fn ecdsa_binary_security_token_soap12() {
    roundtrip(&fixtures().ec, TokenReference::BinarySecurityToken, SOAP12);
}

#[test]
fn ecdsa_subject_key_identifier_soap11() {
    roundtrip(&fixtures().ec, TokenReference::SubjectKeyIdentifier, SOAP11);
}

#[test]
fn ecdsa_subject_key_identifier_soap12() {
    roundtrip(&fixtures().ec, TokenReference::SubjectKeyIdentifier, SOAP12);
}

#[test]
fn ecdsa_issuer_serial_soap11() {
    roundtrip(&fixtures().ec, TokenReference::IssuerSerial, SOAP11);
}

#[test]
fn ecdsa_issuer_serial_soap12() {
    roundtrip(&fixtures().ec, TokenReference::IssuerSerial, SOAP12);
}

#[test]
fn enveloped_recepta_rsa_and_ecdsa() {
    let fx = fixtures();
    let recepta = recepta_unsigned();
    let verifier = Verifier::new(VerificationPolicy::p1(fx.trust.clone()));
    for signer in [&fx.rsa, &fx.ec] {
        let case = format!("{:?}", signer.identity.algorithm());
        let signed = sign_enveloped_document(&signer.identity, recepta.as_bytes()).unwrap();
        let text = String::from_utf8(signed.clone()).unwrap();
        let report = verifier
            .verify_enveloped_document(&signed)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(report.verified());
        let refs: Vec<_> = report
            .signed_references()
            .iter()
            .map(|r| (r.uri(), r.path()))
            .collect();
        assert_eq!(refs, [("", "/ClinicalDocument")], "{case}");
        let who = report.signer().unwrap();
        assert_eq!(who, signer.identity.certificate(), "{case}");
        assert_eq!(who.issuer(), signer.identity.certificate().issuer());
        assert_eq!(
            who.serial_decimal(),
            signer.identity.certificate().serial_decimal()
        );
        assert_eq!(report.algorithm(), Some(signer.identity.algorithm()));
        // The certificate is inline in ds:X509Data: no token reference.
        assert_eq!(report.token_reference(), None, "{case}");

        // One byte changed in the document (outside the signature, which comes last).
        let doc = Document::parse(&signed).unwrap();
        let signature = doc.root().children().last().unwrap();
        assert!(signature.is(Some(DS), "Signature"));
        let span = doc.root().content_span().start..signature.span().start;
        let tampered = tamper_inside(&text, span);
        match verifier.verify_enveloped_document(tampered.as_bytes()) {
            Err(VerifyError::DigestMismatch { uri, element }) => {
                assert_eq!(uri, "", "{case}");
                assert_eq!(element, "/ClinicalDocument", "{case}");
            }
            other => panic!("{case}: {other:?}"),
        }
    }
}

#[test]
fn signer_from_a_ca_outside_the_trust_anchors_is_untrusted() {
    let fx = fixtures();
    let pki = TestPki::new("Test WSS Other CA").unwrap();
    let issued = pki.issue_client_cert("Obcy Lekarz").unwrap();
    let stranger = wssec_pki::credential_from_issued(&fx.dir, "stranger", &issued);
    let verifier = Verifier::new(VerificationPolicy::p1(fx.trust.clone()));
    let envelope = p1_envelope(SOAP11, P1_SMALL_BODY);
    let signed = WsSecuritySigner::new(stranger.identity.clone(), SigningProfile::p1())
        .sign_envelope(envelope.as_bytes())
        .unwrap();
    match verifier.verify_envelope(&signed) {
        Err(VerifyError::UntrustedCertificate { issuer, serial, .. }) => {
            assert_eq!(issuer, stranger.cert.issuer());
            assert_eq!(serial, stranger.cert.serial_decimal());
        }
        other => panic!("{other:?}"),
    }
    let signed =
        sign_enveloped_document(&stranger.identity, recepta_unsigned().as_bytes()).unwrap();
    let err = verifier.verify_enveloped_document(&signed).unwrap_err();
    assert!(
        matches!(err, VerifyError::UntrustedCertificate { .. }),
        "{err}"
    );
    // Trusting its CA as well, both verify.
    let mut trust = fx.trust.clone();
    trust.add_pem(pki.ca_cert_pem().as_bytes()).unwrap();
    Verifier::new(VerificationPolicy::p1(trust))
        .verify_enveloped_document(&signed)
        .unwrap();
}

#[test]
fn timestamp_signed_an_hour_ago_with_a_300_s_ttl_has_expired() {
    let fx = fixtures();
    let now = OffsetDateTime::now_utc();
    let an_hour_ago = now - time::Duration::hours(1);
    let profile = SigningProfile::p1().timestamp_ttl(Duration::from_secs(300));
    let verifier = Verifier::new(VerificationPolicy::p1(fx.trust.clone()));
    for signer in [&fx.rsa, &fx.ec] {
        let signed = WsSecuritySigner::new(signer.identity.clone(), profile.clone())
            .sign_envelope_at(p1_envelope(SOAP11, P1_SMALL_BODY).as_bytes(), an_hour_ago)
            .unwrap();
        match verifier.verify_envelope_at(&signed, now) {
            Err(VerifyError::TimestampExpired {
                expires,
                now: at,
                skew_seconds,
            }) => {
                // Expires = Created + TTL, Created written with milliseconds.
                let expected = an_hour_ago + time::Duration::seconds(300);
                assert!(
                    (expires - expected).abs() < time::Duration::milliseconds(1),
                    "{expires} vs {expected}"
                );
                assert_eq!(at, now);
                assert_eq!(skew_seconds, 300);
            }
            other => panic!("{other:?}"),
        }
        // Allowing two hours of clock skew, it verifies (the certificates are minutes old,
        // so it cannot be verified as of its signing time).
        Verifier::new(
            VerificationPolicy::p1(fx.trust.clone()).clock_skew(Duration::from_secs(7200)),
        )
        .verify_envelope_at(&signed, now)
        .unwrap();
        // The document's own Timestamp is in the signed header.
        let doc = Document::parse(&signed).unwrap();
        assert!(doc.find_element(Some(WSU), "Timestamp").is_ok());
    }
}
