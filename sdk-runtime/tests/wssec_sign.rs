//! WS-Security signing (`sdk_runtime::wssec::sign`) checked against xmlsec1.
//!
//! Every signed envelope and document is verified by `xmlsec1 --verify` (1.2.x, installed by
//! `scripts/install-test-tools.sh` together with `openssl`; a missing tool fails the tests), and
//! the same output with one changed character must be rejected by it. Certificates: RSA-2048 made
//! with the `openssl` CLI (ring cannot generate RSA keys), ECDSA P-256 made with rcgen.
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/wssec_pki.rs"]
mod wssec_pki;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sdk_runtime::sandbox::TestPki;
use sdk_runtime::wssec::keys::KeyError;
use sdk_runtime::wssec::{
    Document, DocumentSignatureProfile, ExcC14n, SignError, SignatureAlgorithm, SignedPart,
    SigningIdentity, SigningProfile, TokenReference, WsSecuritySigner, sign_enveloped_document,
    sign_enveloped_document_with,
};
use time::OffsetDateTime;
use wssec_pki::{DS, KONTEKST, SOAP11, SOAP12, WSSE, WSU, recepta_unsigned, run_ok, xmlsec_verify};

/// An e-Recepta request as `sdk_p1::request_envelope` writes it (pretty-printed here, to show
/// that whitespace is left alone), with Polish text.
const P1_ENVELOPE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Header>
    <k:kontekstWywolania xmlns:k="http://csioz.gov.pl/p1/kontekst/mt/v20170510">
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idPodmiotuOidRoot"><k:wartosc>2.16.840.1.113883.3.4424.2.3.1</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idPodmiotuOidExt"><k:wartosc>000000123456</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idUzytkownikaOidRoot"><k:wartosc>2.16.840.1.113883.3.4424.1.6.2</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idUzytkownikaOidExt"><k:wartosc>1234567</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:rolaBiznesowa"><k:wartosc>LEKARZ_LEK_DENTYSTA_FELCZER</k:wartosc></k:atrybut>
    </k:kontekstWywolania>
  </soapenv:Header>
  <soapenv:Body>
    <ns2:odczytRecepty xmlns:ns2="http://csioz.gov.pl/p1/erecepta/mt/v20170510" xmlns:ns3="http://csioz.gov.pl/p1/erecepta/mt/v20170510/unused">
      <ns2:kluczRecepty>0123456789012345678901234567890123456789012&amp;ŁÓDŹ</ns2:kluczRecepty>
      <ns2:kodPakietu>1234</ns2:kodPakietu>
    </ns2:odczytRecepty>
  </soapenv:Body>
</soapenv:Envelope>
"#;

// ---------------------------------------------------------------------------------------------
// Harness

fn work_dir(name: &str) -> PathBuf {
    wssec_pki::work_dir("wssec_sign", name)
}

fn openssl(dir: &Path, args: &[&str]) {
    run_ok(Command::new("openssl").current_dir(dir).args(args));
}

/// A signing key with its certificate file (PEM) for xmlsec1.
struct Signer {
    identity: SigningIdentity,
    cert_pem: PathBuf,
}

/// RSA-2048, self-signed by openssl (with a Subject Key Identifier), loaded from PKCS#12.
fn rsa_signer(dir: &Path) -> Signer {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "rsa-key.pem",
            "-out",
            "rsa-cert.pem",
            "-days",
            "30",
            "-subj",
            "/C=PL/O=Przychodnia \"Zdrowie\", Sp. z o.o./OU=Rejestracja\\+Gabinet/CN=Lekarz Testowy",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-in",
            "rsa-cert.pem",
            "-inkey",
            "rsa-key.pem",
            "-out",
            "rsa-wss.p12",
            "-passout",
            "pass:tajne",
        ],
    );
    let identity = SigningIdentity::from_pkcs12_file(dir.join("rsa-wss.p12"), "tajne").unwrap();
    assert_eq!(identity.algorithm(), SignatureAlgorithm::RsaSha256);
    Signer {
        identity,
        cert_pem: dir.join("rsa-cert.pem"),
    }
}

/// ECDSA P-256, self-signed by rcgen with a Subject Key Identifier, loaded from PEM.
fn ec_signer(dir: &Path) -> Signer {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Lekarz EC");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Szpital Łódź");
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    let cert = params.self_signed(&key).unwrap();
    let cert_pem = dir.join("ec-cert.pem");
    std::fs::write(&cert_pem, cert.pem()).unwrap();
    let bundle = format!("{}{}", cert.pem(), key.serialize_pem());
    let identity = SigningIdentity::from_pem(bundle.as_bytes()).unwrap();
    assert_eq!(identity.algorithm(), SignatureAlgorithm::EcdsaP256Sha256);
    assert!(identity.certificate().subject_key_identifier().is_some());
    Signer { identity, cert_pem }
}

fn p1_id_nodes() -> Vec<String> {
    vec![
        format!("{SOAP11}:Body"),
        format!("{KONTEKST}:kontekstWywolania"),
        format!("{WSU}:Timestamp"),
    ]
}

fn assert_verifies(dir: &Path, name: &str, xml: &[u8], cert: &Path, id_nodes: &[String]) {
    let ids: Vec<&str> = id_nodes.iter().map(String::as_str).collect();
    let (ok, out) = xmlsec_verify(dir, name, xml, cert, &ids);
    assert!(
        ok && out.contains("OK"),
        "xmlsec1 rejected {name}:\n{out}\n{}",
        String::from_utf8_lossy(xml)
    );
    // One changed character in the signed content must break it.
    let text = std::str::from_utf8(xml).unwrap();
    let tampered = if text.contains("<ns2:kodPakietu>1234<") {
        text.replacen("<ns2:kodPakietu>1234<", "<ns2:kodPakietu>1235<", 1)
    } else {
        // (Not the comment "Dokument recepty…": comments are not signed.)
        text.replacen(
            "extension=\"POCD_HD000040\"",
            "extension=\"POCD_HD000041\"",
            1,
        )
    };
    assert_ne!(tampered, text, "nothing to tamper with in {name}");
    let (ok, out) = xmlsec_verify(
        dir,
        &format!("tampered-{name}"),
        tampered.as_bytes(),
        cert,
        &ids,
    );
    assert!(!ok, "xmlsec1 accepted tampered {name}:\n{out}");
}

fn at(unix_ms: i128) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(unix_ms * 1_000_000 + 456_789).unwrap()
}

fn parse(xml: &[u8]) -> Document {
    Document::parse(xml).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Envelopes, verified by xmlsec1

fn sign_p1_all_styles(signer: &Signer, dir: &Path, label: &str) {
    for style in [
        TokenReference::BinarySecurityToken,
        TokenReference::SubjectKeyIdentifier,
        TokenReference::IssuerSerial,
    ] {
        let profile = SigningProfile::p1().token_reference(style);
        let ws = WsSecuritySigner::new(signer.identity.clone(), profile);
        let signed = ws.sign_envelope(P1_ENVELOPE.as_bytes()).unwrap();
        let name = format!("{label}-{style:?}.xml");
        assert_verifies(dir, &name, &signed, &signer.cert_pem, &p1_id_nodes());

        let doc = parse(&signed);
        let header = doc.find_element(Some(SOAP11), "Header").unwrap();
        let security = header.children().next().unwrap();
        assert!(
            security.is(Some(WSSE), "Security"),
            "Security is the first header"
        );
        assert_eq!(
            security.attribute(Some(SOAP11), "mustUnderstand"),
            Some("1")
        );
        let kinds: Vec<_> = security.children().map(|c| c.local_name()).collect();
        let signature = doc.find_element(Some(DS), "Signature").unwrap();
        let method = doc.find_element(Some(DS), "SignatureMethod").unwrap();
        assert_eq!(
            method.attribute(None, "Algorithm"),
            Some(signer.identity.algorithm().uri())
        );
        let uris: Vec<String> = doc
            .elements()
            .filter(|e| e.is(Some(DS), "Reference"))
            .map(|e| e.attribute(None, "URI").unwrap().to_owned())
            .collect();
        assert_eq!(uris.len(), 3);
        let body = doc.find_element(Some(SOAP11), "Body").unwrap();
        let ctx = doc
            .find_element(Some(KONTEKST), "kontekstWywolania")
            .unwrap();
        let ts = doc.find_element(Some(WSU), "Timestamp").unwrap();
        for (uri, el) in uris.iter().zip([body, ctx, ts]) {
            assert_eq!(
                Some(&uri[1..]),
                el.attribute(Some(WSU), "Id"),
                "profile order"
            );
        }
        let str_ = doc
            .find_element(Some(WSSE), "SecurityTokenReference")
            .unwrap();
        assert_eq!(
            str_.parent().unwrap().parent().unwrap().id(),
            signature.id()
        );
        let str_child = str_.children().next().unwrap();
        match style {
            TokenReference::BinarySecurityToken => {
                assert_eq!(kinds, ["Timestamp", "BinarySecurityToken", "Signature"]);
                let bst = doc.find_element(Some(WSSE), "BinarySecurityToken").unwrap();
                assert!(str_child.is(Some(WSSE), "Reference"));
                assert_eq!(
                    str_child.attribute(None, "URI").unwrap()[1..],
                    *bst.attribute(Some(WSU), "Id").unwrap()
                );
                use base64::Engine as _;
                let der = base64::engine::general_purpose::STANDARD
                    .decode(bst.text())
                    .unwrap();
                assert_eq!(der, signer.identity.certificate().der());
            }
            TokenReference::SubjectKeyIdentifier => {
                assert_eq!(kinds, ["Timestamp", "Signature"]);
                assert!(str_child.is(Some(WSSE), "KeyIdentifier"));
                assert!(
                    str_child
                        .attribute(None, "ValueType")
                        .unwrap()
                        .ends_with("#X509SubjectKeyIdentifier")
                );
            }
            _ => {
                assert_eq!(kinds, ["Timestamp", "Signature"]);
                assert!(str_child.is(Some(DS), "X509Data"));
                let serial = doc.find_element(Some(DS), "X509SerialNumber").unwrap();
                assert_eq!(
                    serial.text(),
                    signer.identity.certificate().serial_decimal()
                );
            }
        }
        assert_unchanged_outside_insertions(P1_ENVELOPE, &signed);
    }
}

#[test]
fn rsa_envelopes_in_every_token_reference_style_verify_with_xmlsec1() {
    let dir = work_dir("rsa-envelopes");
    let signer = rsa_signer(&dir);
    // RFC 4514 form, most specific RDN first, specials escaped.
    assert_eq!(
        signer.identity.certificate().issuer(),
        r#"CN=Lekarz Testowy,OU=Rejestracja\+Gabinet,O=Przychodnia \"Zdrowie\"\, Sp. z o.o.,C=PL"#
    );
    sign_p1_all_styles(&signer, &dir, "rsa");
}

#[test]
fn ecdsa_envelopes_in_every_token_reference_style_verify_with_xmlsec1() {
    let dir = work_dir("ec-envelopes");
    let signer = ec_signer(&dir);
    sign_p1_all_styles(&signer, &dir, "ec");
}

/// Removing what the signer inserts (the security header, `wsu:Id` attributes with their
/// declarations) gives back the input byte for byte.
fn assert_unchanged_outside_insertions(input: &str, signed: &[u8]) {
    let signed = std::str::from_utf8(signed).unwrap();
    let mut rest = signed.to_owned();
    // The security header (and a header element created around it).
    let start = rest.find("<wsse:Security").unwrap();
    let end = rest.find("</wsse:Security>").unwrap() + "</wsse:Security>".len();
    rest.replace_range(start..end, "");
    for created in [
        "<soapenv:Header></soapenv:Header>",
        "<soap:Header></soap:Header>",
    ] {
        if !input.contains(created) {
            rest = rest.replacen(created, "", 1);
        }
    }
    let re = regex::Regex::new(r#"( xmlns:wsu\d*="[^"]*")? wsu\d*:Id="id-[0-9a-f]{32}""#).unwrap();
    let rest = re.replace_all(&rest, "");
    assert_eq!(rest, input);
}

#[test]
fn soap12_envelope_without_header_gets_one_and_verifies() {
    let dir = work_dir("soap12");
    let signer = ec_signer(&dir);
    let envelope = format!(
        "<env:Envelope xmlns:env=\"{SOAP12}\">\n <env:Body><m:ping xmlns:m=\"urn:m\">zażółć</m:ping></env:Body>\n</env:Envelope>"
    );
    let ws = WsSecuritySigner::new(signer.identity.clone(), SigningProfile::new());
    let signed = ws.sign_envelope(envelope.as_bytes()).unwrap();
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(
        text.starts_with(&format!(
            "<env:Envelope xmlns:env=\"{SOAP12}\"><env:Header><wsse:Security"
        )),
        "{text}"
    );
    assert!(text.contains(" env:mustUnderstand=\"1\""));
    let (ok, out) = xmlsec_verify(
        &dir,
        "soap12.xml",
        &signed,
        &signer.cert_pem,
        &[&format!("{SOAP12}:Body"), &format!("{WSU}:Timestamp")],
    );
    assert!(ok, "{out}\n{text}");
    let tampered = text.replace("zażółć", "zażółc");
    let (ok, _) = xmlsec_verify(
        &dir,
        "soap12-tampered.xml",
        tampered.as_bytes(),
        &signer.cert_pem,
        &[&format!("{SOAP12}:Body"), &format!("{WSU}:Timestamp")],
    );
    assert!(!ok);
}

#[test]
fn default_namespace_envelope_self_closing_header_existing_ids_and_security() {
    let dir = work_dir("shapes");
    let signer = ec_signer(&dir);
    // Unprefixed envelope, empty-element header: the header is expanded, mustUnderstand gets a
    // declared prefix.
    let envelope = format!(
        "<Envelope xmlns=\"{SOAP11}\"><Header/><Body xmlns:wsu=\"{WSU}\" wsu:Id=\"my-body\"><x xmlns=\"urn:x\">1</x></Body></Envelope>"
    );
    let ws = WsSecuritySigner::new(signer.identity.clone(), SigningProfile::new());
    let signed = ws.sign_envelope(envelope.as_bytes()).unwrap();
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(text.contains("<Header><wsse:Security"), "{text}");
    assert!(text.contains(
        "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" soapenv:mustUnderstand=\"1\""
    ));
    assert!(text.contains("URI=\"#my-body\""), "existing wsu:Id reused");
    assert!(text.ends_with("</wsse:Security></Header><Body xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\" wsu:Id=\"my-body\"><x xmlns=\"urn:x\">1</x></Body></Envelope>"));
    let (ok, out) = xmlsec_verify(
        &dir,
        "default-ns.xml",
        &signed,
        &signer.cert_pem,
        &[&format!("{SOAP11}:Body"), &format!("{WSU}:Timestamp")],
    );
    assert!(ok, "{out}\n{text}");

    // An existing Security header (with a UsernameToken) is used, its content kept after ours.
    let envelope = format!(
        "<s:Envelope xmlns:s=\"{SOAP11}\"><s:Header><a:To xmlns:a=\"urn:a\">x</a:To><wsse:Security xmlns:wsse=\"{WSSE}\"><wsse:UsernameToken><wsse:Username>u</wsse:Username></wsse:UsernameToken></wsse:Security></s:Header><s:Body>b</s:Body></s:Envelope>"
    );
    let signed = ws.sign_envelope(envelope.as_bytes()).unwrap();
    let doc = parse(&signed);
    let security = doc.find_element(Some(WSSE), "Security").unwrap();
    let kinds: Vec<_> = security.children().map(|c| c.local_name()).collect();
    assert_eq!(
        kinds,
        [
            "Timestamp",
            "BinarySecurityToken",
            "Signature",
            "UsernameToken"
        ]
    );
    let (ok, out) = xmlsec_verify(
        &dir,
        "existing-security.xml",
        &signed,
        &signer.cert_pem,
        &[&format!("{SOAP11}:Body"), &format!("{WSU}:Timestamp")],
    );
    assert!(ok, "{out}\n{}", String::from_utf8_lossy(&signed));

    // Signing twice: refused.
    assert!(matches!(
        ws.sign_envelope(&signed),
        Err(SignError::AlreadySigned)
    ));
}

#[test]
fn body_and_context_without_timestamp_verifies() {
    let dir = work_dir("no-timestamp");
    let signer = rsa_signer(&dir);
    let profile = SigningProfile::p1().without_timestamp();
    let ws = WsSecuritySigner::new(signer.identity.clone(), profile);
    assert!(matches!(
        ws.sign_envelope(P1_ENVELOPE.as_bytes()),
        Err(SignError::TimestampDisabled)
    ));
    let profile = SigningProfile::p1()
        .without_timestamp()
        .parts([
            SignedPart::Body,
            SignedPart::header(KONTEKST, "kontekstWywolania"),
        ])
        .inclusive_prefixes(["ns3"]);
    let ws = WsSecuritySigner::new(signer.identity.clone(), profile);
    let signed = ws.sign_envelope(P1_ENVELOPE.as_bytes()).unwrap();
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(!text.contains("Timestamp"));
    assert!(text.contains("PrefixList=\"ns3\""));
    assert_verifies(
        &dir,
        "no-timestamp.xml",
        &signed,
        &signer.cert_pem,
        &p1_id_nodes(),
    );
}

// ---------------------------------------------------------------------------------------------
// Enveloped documents

#[test]
fn enveloped_cda_documents_verify_with_xmlsec1() {
    let dir = work_dir("cda");
    let recepta = recepta_unsigned();
    for (label, signer) in [("rsa", rsa_signer(&dir)), ("ec", ec_signer(&dir))] {
        let signed = sign_enveloped_document(&signer.identity, recepta.as_bytes()).unwrap();
        let text = std::str::from_utf8(&signed).unwrap();
        // Appended as the last child of the document element, nothing else changed.
        let doc = parse(&signed);
        let last = doc.root().children().last().unwrap();
        assert!(last.is(Some(DS), "Signature"));
        let span = last.span();
        assert_eq!(
            format!("{}{}", &text[..span.start], &text[span.end..]),
            recepta
        );
        assert!(text.contains("<ds:Reference URI=\"\">"));
        assert_verifies(
            &dir,
            &format!("recepta-{label}.xml"),
            &signed,
            &signer.cert_pem,
            &[],
        );
        assert!(matches!(
            sign_enveloped_document(&signer.identity, &signed),
            Err(SignError::AlreadySigned)
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Errors and details

#[test]
fn missing_ambiguous_and_unsupported_parts_are_named() {
    let dir = work_dir("errors");
    let signer = ec_signer(&dir);
    let ws = WsSecuritySigner::new(signer.identity.clone(), SigningProfile::p1());
    let no_context =
        format!("<s:Envelope xmlns:s=\"{SOAP11}\"><s:Header/><s:Body>b</s:Body></s:Envelope>");
    match ws.sign_envelope(no_context.as_bytes()) {
        Err(SignError::PartMissing { part }) => {
            assert_eq!(part, SignedPart::header(KONTEKST, "kontekstWywolania"))
        }
        other => panic!("{other:?}"),
    }
    let twice = format!(
        "<s:Envelope xmlns:s=\"{SOAP11}\"><s:Header><k:kontekstWywolania xmlns:k=\"{KONTEKST}\"/><k:kontekstWywolania xmlns:k=\"{KONTEKST}\"/></s:Header><s:Body>b</s:Body></s:Envelope>"
    );
    assert!(matches!(
        ws.sign_envelope(twice.as_bytes()),
        Err(SignError::PartAmbiguous { count: 2, .. })
    ));
    let no_body = format!("<s:Envelope xmlns:s=\"{SOAP11}\"><s:Header/></s:Envelope>");
    assert!(matches!(
        ws.sign_envelope(no_body.as_bytes()),
        Err(SignError::NotSoapEnvelope(_))
    ));
    assert!(matches!(
        ws.sign_envelope(b"<Envelope><Body/></Envelope>"),
        Err(SignError::NotSoapEnvelope(_))
    ));
    assert!(matches!(
        ws.sign_envelope(b"<a><b></a>"),
        Err(SignError::Document(_))
    ));
    assert!(matches!(
        ws.sign_envelope(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a/>"),
        Err(SignError::Document(_))
    ));
    let ws_sec = WsSecuritySigner::new(
        signer.identity.clone(),
        SigningProfile::new().sign_part(SignedPart::header(WSSE, "Security")),
    );
    assert!(matches!(
        ws_sec.sign_envelope(no_context.as_bytes()),
        Err(SignError::UnsupportedPart { .. })
    ));
    // The body's wsu:Id is also another element's Id.
    let dup = format!(
        "<s:Envelope xmlns:s=\"{SOAP11}\" xmlns:wsu=\"{WSU}\"><s:Header><x Id=\"b1\"/></s:Header><s:Body wsu:Id=\"b1\">b</s:Body></s:Envelope>"
    );
    let ws_body = WsSecuritySigner::new(
        signer.identity.clone(),
        SigningProfile::new().parts([SignedPart::Body]),
    );
    match ws_body.sign_envelope(dup.as_bytes()) {
        Err(SignError::DuplicateId { id }) => assert_eq!(id, "b1"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn timestamp_is_utc_with_milliseconds_and_expires_after_the_ttl() {
    let dir = work_dir("timestamp");
    let signer = ec_signer(&dir);
    let profile = SigningProfile::new().timestamp_ttl(Duration::from_secs(90));
    let ws = WsSecuritySigner::new(signer.identity.clone(), profile);
    // 2026-03-01T23:59:30.123Z (+ 456 789 ns, dropped).
    let now = at(1_772_409_570_123).to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
    let envelope = format!("<s:Envelope xmlns:s=\"{SOAP11}\"><s:Body>b</s:Body></s:Envelope>");
    let signed = ws.sign_envelope_at(envelope.as_bytes(), now).unwrap();
    let doc = parse(&signed);
    let created = doc.find_element(Some(WSU), "Created").unwrap().text();
    let expires = doc.find_element(Some(WSU), "Expires").unwrap().text();
    assert_eq!(created, "2026-03-01T23:59:30.123Z");
    assert_eq!(expires, "2026-03-02T00:01:00.123Z");
}

/// A time whose UTC form lies beyond year 9999 (the `time` crate's range) is an error, not a
/// panic: `now` for the timestamp and the XAdES signing time are caller-supplied.
#[test]
fn times_beyond_the_representable_range_are_errors() {
    let dir = work_dir("time-range");
    let signer = ec_signer(&dir);
    let utc_minus_5 = time::UtcOffset::from_hms(-5, 0, 0).unwrap();
    // 9999-12-31T23:00:00-05:00 is 10000-01-01T04:00:00Z.
    let beyond =
        time::PrimitiveDateTime::new(time::Date::MAX, time::Time::from_hms(23, 0, 0).unwrap())
            .assume_offset(utc_minus_5);
    let envelope = format!("<s:Envelope xmlns:s=\"{SOAP11}\"><s:Body>b</s:Body></s:Envelope>");
    let ws = WsSecuritySigner::new(signer.identity.clone(), SigningProfile::new());
    assert!(matches!(
        ws.sign_envelope_at(envelope.as_bytes(), beyond),
        Err(SignError::TimeOutOfRange(t)) if t == beyond
    ));
    // In range, but Created + TTL is not.
    let last =
        time::PrimitiveDateTime::new(time::Date::MAX, time::Time::from_hms(23, 59, 0).unwrap())
            .assume_utc();
    assert!(matches!(
        ws.sign_envelope_at(envelope.as_bytes(), last),
        Err(SignError::TtlOutOfRange(_))
    ));
    let profile = DocumentSignatureProfile::xades_bes().signing_time(beyond);
    assert!(matches!(
        sign_enveloped_document_with(&signer.identity, recepta_unsigned().as_bytes(), &profile),
        Err(SignError::TimeOutOfRange(t)) if t == beyond
    ));
}

#[test]
fn ski_reference_needs_a_certificate_with_ski() {
    let pki = TestPki::new("Test CA").unwrap();
    // rcgen writes no Subject Key Identifier into end-entity certificates by default.
    let issued = pki.issue_client_cert("Bez SKI").unwrap();
    let identity = SigningIdentity::from_pem(issued.pem_bundle().as_bytes()).unwrap();
    assert!(identity.certificate().subject_key_identifier().is_none());
    let ws = WsSecuritySigner::new(
        identity.clone(),
        SigningProfile::new().token_reference(TokenReference::SubjectKeyIdentifier),
    );
    let envelope = format!("<s:Envelope xmlns:s=\"{SOAP11}\"><s:Body>b</s:Body></s:Envelope>");
    assert!(matches!(
        ws.sign_envelope(envelope.as_bytes()),
        Err(SignError::SubjectKeyIdentifierMissing)
    ));
    // The same identity signs with the other styles, and from the TLS identity type as well.
    let from_identity = SigningIdentity::from_identity(issued.identity().unwrap()).unwrap();
    let ws = WsSecuritySigner::new(from_identity, SigningProfile::new());
    ws.sign_envelope(envelope.as_bytes()).unwrap();
}

#[test]
fn key_formats_and_unsupported_keys() {
    let dir = work_dir("keys");
    // PKCS#1 RSA and SEC1 EC keys from PEM files.
    openssl(
        &dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k8.pem", "-out",
            "rsa.pem", "-days", "2", "-subj", "/CN=r",
        ],
    );
    openssl(
        &dir,
        &["rsa", "-in", "k8.pem", "-traditional", "-out", "k1.pem"],
    );
    let rsa =
        SigningIdentity::from_pem_files(&dir.join("rsa.pem"), Some(&dir.join("k1.pem"))).unwrap();
    assert_eq!(rsa.algorithm(), SignatureAlgorithm::RsaSha256);
    openssl(
        &dir,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "sec1.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "req", "-x509", "-key", "sec1.pem", "-out", "ec.pem", "-days", "2", "-subj", "/CN=e",
        ],
    );
    let ec =
        SigningIdentity::from_pem_files(&dir.join("ec.pem"), Some(&dir.join("sec1.pem"))).unwrap();
    assert_eq!(ec.algorithm(), SignatureAlgorithm::EcdsaP256Sha256);
    for (id, cert) in [(rsa, "rsa.pem"), (ec, "ec.pem")] {
        let signed = sign_enveloped_document(&id, b"<doc xmlns=\"urn:d\"><a>1</a></doc>").unwrap();
        let (ok, out) = xmlsec_verify(
            &dir,
            &format!("{cert}.xml"),
            &signed,
            &dir.join(cert),
            &[] as &[&str],
        );
        assert!(ok, "{out}");
    }
    // P-384 and Ed25519 load as TLS identities but cannot sign XML here.
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-nodes",
            "-keyout",
            "p384k.pem",
            "-out",
            "p384.pem",
            "-days",
            "2",
            "-subj",
            "/CN=p",
        ],
    );
    openssl(
        &dir,
        &[
            "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", "edk.pem", "-out", "ed.pem",
            "-days", "2", "-subj", "/CN=d",
        ],
    );
    for (cert, key) in [("p384.pem", "p384k.pem"), ("ed.pem", "edk.pem")] {
        match SigningIdentity::from_pem_files(&dir.join(cert), Some(&dir.join(key))) {
            Err(KeyError::UnsupportedKey(why)) => assert!(!why.is_empty()),
            other => panic!("{cert}: {other:?}"),
        }
    }
    // Wrong password: the loader's error.
    let _ = rsa_signer(&dir);
    assert!(matches!(
        SigningIdentity::from_pkcs12_file(dir.join("rsa-wss.p12"), "zle"),
        Err(KeyError::Identity(_))
    ));
}

#[test]
fn debug_output_hides_key_and_subject() {
    let pki = TestPki::new("Test CA").unwrap();
    let issued = pki.issue_client_cert("Lekarz Prywatny").unwrap();
    let identity = SigningIdentity::from_pem(issued.pem_bundle().as_bytes()).unwrap();
    let debug = format!("{identity:?}");
    assert!(
        debug.contains("<redacted>") && debug.contains("Test CA"),
        "{debug}"
    );
    assert!(!debug.contains("Lekarz"), "{debug}");
    let ws = WsSecuritySigner::new(identity, SigningProfile::p1());
    let debug = format!("{ws:?}");
    assert!(
        !debug.contains("Lekarz") && debug.contains("kontekstWywolania"),
        "{debug}"
    );
}

#[test]
fn profile_builder() {
    let p = SigningProfile::new();
    assert_eq!(p.signed_parts(), [SignedPart::Body, SignedPart::Timestamp]);
    assert_eq!(
        p.token_reference_style(),
        TokenReference::BinarySecurityToken
    );
    assert_eq!(p.timestamp_validity(), Some(Duration::from_secs(300)));
    assert!(p.is_must_understand());
    let p = SigningProfile::p1().sign_part(SignedPart::Body);
    assert_eq!(p.signed_parts().len(), 3);
    assert_eq!(
        p.signed_parts()[1],
        SignedPart::header(KONTEKST, "kontekstWywolania")
    );
    assert_eq!(
        SigningProfile::new()
            .without_timestamp()
            .timestamp_validity(),
        None
    );
}

// ---------------------------------------------------------------------------------------------
// Exclusive C14N with an element left out (the enveloped-signature transform)

/// The enveloped-signature exclusion equals canonicalizing the text with the element cut out.
#[test]
fn c14n_excluding_an_element_equals_the_document_without_it() {
    let xml = "<?pi x?>\n<r:Root xmlns:r=\"urn:r\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n  <r:a>x</r:a>\n  <ds:Signature xmlns:q=\"urn:q\"><ds:SignedInfo q:x=\"1\"/></ds:Signature>\n  <!-- c --></r:Root>";
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let sig = doc.find_element(Some(DS), "Signature").unwrap();
    let span = sig.span();
    let cut = format!("{}{}", &xml[..span.start], &xml[span.end..]);
    let c14n = ExcC14n::new();
    let expected = c14n.canonicalize_bytes(cut.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(
            c14n.canonicalize_document_excluding(&doc, sig.id())
                .unwrap()
        )
        .unwrap(),
        String::from_utf8(expected).unwrap()
    );
    let cut_doc = Document::parse(cut.as_bytes()).unwrap();
    assert_eq!(
        c14n.canonicalize_element_excluding(doc.root(), sig.id())
            .unwrap(),
        c14n.canonicalize_element(cut_doc.root()).unwrap()
    );
    assert!(
        c14n.canonicalize_element_excluding(sig, sig.id())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn non_utf8_input_is_signed_as_utf8_with_its_declaration_updated() {
    let dir = work_dir("latin2");
    let signer = ec_signer(&dir);
    let mut envelope = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?>\n<s:Envelope xmlns:s=\"{SOAP11}\"><s:Body><m xmlns=\"urn:m\">"
    )
    .into_bytes();
    envelope.extend_from_slice(&[0xA3, 0xF3, 0xBF]); // "Łóż" in ISO-8859-2
    envelope.extend_from_slice(b"</m></s:Body></s:Envelope>");
    let ws = WsSecuritySigner::new(signer.identity.clone(), SigningProfile::new());
    let signed = ws.sign_envelope(&envelope).unwrap();
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{text}"
    );
    assert!(text.contains("<m xmlns=\"urn:m\">Łóż</m>"));
    let (ok, out) = xmlsec_verify(
        &dir,
        "latin2.xml",
        &signed,
        &signer.cert_pem,
        &[&format!("{SOAP11}:Body"), &format!("{WSU}:Timestamp")],
    );
    assert!(ok, "{out}");
}
