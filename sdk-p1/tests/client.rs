//! The client end to end over real mutual TLS on loopback, against a stand-in P1 endpoint: the
//! request reaches `/services/ObslugaReceptyWS` with `SOAPAction: "urn:<operation>"`, after the
//! signing hook; answers decode into typed outputs, a non-success `wynik` becomes
//! `NiepowodzenieOperacji`, the `bledyOperacji` fault becomes `BladUslugi`; a failing signer
//! sends nothing; personal data stays out of `Debug`. The stand-in's answers are hand-written
//! fixtures (validated against the published schemas here), not P1 recordings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sdk_p1::erecepta::types as t;
use sdk_p1::{
    BladUslugi, Client, Error, KontekstWywolania, MaWynik, OID_NPWZ, Oid, Pesel, RolaBiznesowa,
    SigningError, TrescDokumentu, choices,
};
use sdk_runtime::SdkError;
use sdk_runtime::sandbox::xmllint::{SchemaRef, validate_soap11};
use sdk_runtime::sandbox::{MtlsServer, SandboxRequest, SandboxResponse, TestPki};
use sdk_runtime::soap::OperationSpec;

const WS: &str = "http://csioz.gov.pl/p1/erecepta/ws/v20170510";
const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// A fictitious base64 document (`<ClinicalDocument/>`).
const TRESC: &str = "PENsaW5pY2FsRG9jdW1lbnQvPg==";

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn odczyt_recepty_response() -> String {
    envelope(&format!(
        r#"<ns2:OdczytReceptyResponse xmlns:ns2="{WS}" xmlns:r="http://csioz.gov.pl/p1/erecepta/mt/v20170510" xmlns:wsp="http://csioz.gov.pl/p1/wspolne/mt/v20170510"><receptaIWynikWeryfikacji><r:statusRecepty>WYSTAWIONA</r:statusRecepty><r:weryfikowanyDokument><r:numerReceptyWPakiecie>1</r:numerReceptyWPakiecie><r:kluczRecepty>KLUCZ-1</r:kluczRecepty><r:wynikWeryfikacjiZbioruRegul><r:wynikWeryfikacji>urn:csioz:p1:erecepta:kodWynikuWeryfikacji:pozytywny</r:wynikWeryfikacji><r:identyfikatorZbioruRegul>1.34</r:identyfikatorZbioruRegul></r:wynikWeryfikacjiZbioruRegul></r:weryfikowanyDokument><r:recepta><r:identyfikatorDokumentuWPakiecie>1</r:identyfikatorDokumentuWPakiecie><r:tresc>{TRESC}</r:tresc></r:recepta></receptaIWynikWeryfikacji><wynik><wsp:major>urn:csioz:p1:kod:major:Sukces</wsp:major></wynik></ns2:OdczytReceptyResponse>"#
    ))
}

/// A rejected package: the per-prescription verification explains the failed `wynik` (the
/// `major` code is made up; P1's list of result codes is not public).
fn zapis_pakietu_response() -> String {
    envelope(&format!(
        r#"<ns2:ZapisPakietuReceptResponse xmlns:ns2="{WS}" xmlns:r="http://csioz.gov.pl/p1/erecepta/mt/v20170510" xmlns:wsp="http://csioz.gov.pl/p1/wspolne/mt/v20170510"><potwierdzenieOperacjiZapisu><r:wynikZapisuPakietuRecept><r:wynikWeryfikacji><r:weryfikowanaRecepta><r:numerReceptyWPakiecie>1</r:numerReceptyWPakiecie><r:wynikWeryfikacjiZbioruRegul><r:wynikWeryfikacji>urn:csioz:p1:erecepta:kodWynikuWeryfikacji:blad</r:wynikWeryfikacji><r:identyfikatorZbioruRegul>1.34</r:identyfikatorZbioruRegul><r:wynikWeryfikacjiReguly><r:kodRegulyWeryfikacji>REG.WER.376</r:kodRegulyWeryfikacji><r:wynikWeryfikacji>urn:csioz:p1:erecepta:kodWynikuWeryfikacji:blad</r:wynikWeryfikacji><r:opisProblemu>Fikcyjny opis problemu</r:opisProblemu></r:wynikWeryfikacjiReguly></r:wynikWeryfikacjiZbioruRegul></r:weryfikowanaRecepta></r:wynikWeryfikacji></r:wynikZapisuPakietuRecept></potwierdzenieOperacjiZapisu><wynik><wsp:major>urn:csioz:p1:kod:major:BladWeryfikacji</wsp:major><wsp:minor>urn:csioz:p1:kod:minor:Fikcyjny</wsp:minor><wsp:komunikat>Pakiet nie przeszedł weryfikacji</wsp:komunikat></wynik></ns2:ZapisPakietuReceptResponse>"#
    ))
}

fn fault_response() -> String {
    envelope(&format!(
        r#"<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Błąd podpisu komunikatu</faultstring><detail><ns2:bledyOperacji xmlns:ns2="{WS}" xmlns:w="http://csioz.gov.pl/p1/wyjatki/mt/v20170510"><blad><w:kodBleduMajor>urn:csioz:p1:erecepta:kodBleduMajor:bladPodpisuKomunikatuWSS</w:kodBleduMajor><w:kodBleduMinor>urn:csioz:p1:erecepta:kodBleduMinor:certyfikatNiewazny</w:kodBleduMinor><w:opis>Certyfikat nieważny</w:opis></blad></ns2:bledyOperacji></detail></soapenv:Fault>"#
    ))
}

fn published_schemas() -> Vec<SchemaRef> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/p1-erecepta-v20170510/wsdl/erecepta");
    let defs = sdk_codegen::wsdl::read(&dir.join("ObslugaRecepty.wsdl")).unwrap();
    let out = std::env::temp_dir().join(format!("p1-client-schemas-{}", std::process::id()));
    sdk_codegen::wsdl::write_standalone_schemas(&defs, &out)
        .unwrap()
        .into_iter()
        .map(|(ns, path)| SchemaRef::new(ns, path))
        .collect()
}

#[test]
fn the_fixtures_are_valid_p1_answers() {
    let schemas = published_schemas();
    for xml in [odczyt_recepty_response(), zapis_pakietu_response()] {
        validate_soap11(&xml, &schemas).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    }
}

/// The stand-in P1: records each request and answers by SOAPAction.
struct StandIn {
    server: MtlsServer,
    pki: TestPki,
    seen: Arc<Mutex<Vec<SandboxRequest>>>,
}

/// The fixtures by SOAPAction: `odczytRecepty` and `zapisPakietuRecept` answer, anything else
/// is the `bledyOperacji` fault.
fn by_action(action: &str) -> (u16, String) {
    match action {
        "\"urn:odczytRecepty\"" => (200, odczyt_recepty_response()),
        "\"urn:zapisPakietuRecept\"" => (200, zapis_pakietu_response()),
        _ => (500, fault_response()),
    }
}

fn start() -> StandIn {
    start_with(by_action)
}

fn start_with(answer: fn(&str) -> (u16, String)) -> StandIn {
    let pki = TestPki::new("Stand-in CCP1").unwrap();
    let seen: Arc<Mutex<Vec<SandboxRequest>>> = Arc::default();
    let log = seen.clone();
    let handler = move |req: SandboxRequest| {
        let log = log.clone();
        async move {
            let action = req.header("SOAPAction").unwrap_or_default().to_owned();
            log.lock().unwrap().push(req);
            let (status, body) = answer(&action);
            SandboxResponse::new(status, "text/xml; charset=utf-8", body)
        }
    };
    let server = MtlsServer::start(&pki, Arc::new(handler)).unwrap();
    StandIn { server, pki, seen }
}

/// Adds a (fake) `wsse:Security` header block: enough to see that what is sent is the signer's
/// output.
fn marking_signer(_op: &OperationSpec, envelope: Vec<u8>) -> Result<Vec<u8>, SigningError> {
    let text =
        String::from_utf8(envelope).map_err(|e| SigningError::with_source("not UTF-8", e))?;
    Ok(text
        .replacen(
            "<soap:Header>",
            &format!(
                "<soap:Header><wsse:Security xmlns:wsse=\"{WSSE}\" soap:mustUnderstand=\"1\"/>"
            ),
            1,
        )
        .into_bytes())
}

fn client(
    s: &StandIn,
    signer: fn(&OperationSpec, Vec<u8>) -> Result<Vec<u8>, SigningError>,
) -> Client {
    builder(s, signer).build().unwrap()
}

fn builder(
    s: &StandIn,
    signer: fn(&OperationSpec, Vec<u8>) -> Result<Vec<u8>, SigningError>,
) -> sdk_p1::ClientBuilder {
    let identity = s
        .pki
        .issue_client_cert("Podmiot 123 TLS")
        .unwrap()
        .identity()
        .unwrap();
    Client::builder()
        .base_url(s.server.base_url().to_string())
        .identity(identity)
        .platform_roots(false)
        .add_root_certificates_pem(s.pki.ca_cert_pem().as_bytes())
        .unwrap()
        .signer(signer)
}

fn kontekst() -> KontekstWywolania {
    KontekstWywolania::builder()
        .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
        .id_uzytkownika(Oid::new(OID_NPWZ, "1234567"))
        .rola_biznesowa(RolaBiznesowa::Farmaceuta)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_signed_call_reaches_the_endpoint_and_decodes() {
    let s = start();
    let c = client(&s, marking_signer);
    let input = t::OdczytReceptyRequest::new(t::KluczReceptyMT::new("KLUCZ-1".to_owned()));
    let r = c.odczyt_recepty(&kontekst(), &input).await.unwrap();
    assert!(r.sukces());
    r.sprawdz_wynik().unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let recepta = r.output.recepta_i_wynik_weryfikacji.as_ref().unwrap();
    assert_eq!(recepta.status_recepty, t::StatusReceptyEnumMT::Wystawiona);
    assert_eq!(
        recepta.recepta.tresc,
        TrescDokumentu::new(b"<ClinicalDocument/>".to_vec())
    );
    assert_eq!(
        recepta
            .weryfikowany_dokument
            .wynik_weryfikacji_zbioru_regul
            .wynik_weryfikacji,
        t::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1EreceptaKodWynikuWeryfikacjiPozytywny
    );
    // The document's content stays out of Debug.
    assert!(!format!("{:?}", r.output).contains(TRESC));

    let seen = s.seen.lock().unwrap();
    let req = &seen[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/services/ObslugaReceptyWS");
    assert_eq!(req.header("SOAPAction"), Some("\"urn:odczytRecepty\""));
    assert!(req.header("Content-Type").unwrap().starts_with("text/xml"));
    assert_eq!(req.client.common_name.as_deref(), Some("Podmiot 123 TLS"));
    let body = req.body_text().unwrap();
    // Signed (by the hook), with the context header and the request element.
    assert!(body.contains("<soap:Header><wsse:Security"), "{body}");
    assert!(body.contains("kontekstWywolania"), "{body}");
    assert!(body.contains(":OdczytReceptyRequest>"), "{body}");
}

#[tokio::test]
async fn a_failed_wynik_is_a_typed_error_and_keeps_the_details() {
    let s = start();
    let c = client(&s, marking_signer);
    let mut recepty = t::ReceptyMT::new();
    recepty.recepta.push(t::ReceptaMT::new(
        1,
        TrescDokumentu::new(b"<ClinicalDocument/>".to_vec()),
    ));
    let input = t::ZapisPakietuReceptRequest::new(t::PakietReceptMT::new(
        choices::PakietRecept::Recepty(Some(recepty)),
    ));
    let r = c.zapis_pakietu_recept(&kontekst(), &input).await.unwrap();
    let e = r.sprawdz_wynik().unwrap_err();
    assert_eq!(e.major, "urn:csioz:p1:kod:major:BladWeryfikacji");
    assert_eq!(e.minor.as_deref(), Some("urn:csioz:p1:kod:minor:Fikcyjny"));
    assert_eq!(
        e.komunikat.as_deref(),
        Some("Pakiet nie przeszedł weryfikacji")
    );
    assert!(e.to_string().contains("BladWeryfikacji"), "{e}");
    // The reasons are still in the output.
    let Some(choices::PotwierdzenieOperacjiZapisu::WynikZapisuPakietuRecept(Some(wynik))) = r
        .output
        .potwierdzenie_operacji_zapisu
        .as_ref()
        .map(|p| &p.choice)
    else {
        panic!("{:?}", r.output)
    };
    let regula = &wynik
        .wynik_weryfikacji
        .as_ref()
        .unwrap()
        .weryfikowana_recepta[0]
        .wynik_weryfikacji_zbioru_regul
        .wynik_weryfikacji_reguly[0];
    assert_eq!(regula.kod_reguly_weryfikacji, "REG.WER.376");
}

#[tokio::test]
async fn the_declared_fault_is_typed() {
    let s = start();
    let c = client(&s, marking_signer);
    let input = t::OdblokowanieReceptyRequest::new(t::KluczReceptyMT::new("KLUCZ-1".to_owned()));
    let e = c
        .odblokowanie_recepty(&kontekst(), &input)
        .await
        .unwrap_err();
    let blad = e.blad().unwrap();
    assert_eq!(
        blad.kod_bledu_major,
        sdk_p1::wyjatki::types::KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorBladPodpisuKomunikatuWSS
    );
    assert_eq!(
        blad.kod_bledu_minor,
        Some(sdk_p1::wyjatki::types::KodBleduMinorMT::UrnCsiozP1EreceptaKodBleduMinorCertyfikatNiewazny)
    );
    assert_eq!(blad.opis.as_deref(), Some("Certyfikat nieważny"));
    let service = e.service_error().unwrap();
    assert!(service.is_signature_error());
    assert!(!service.is_access_error());
    assert!(matches!(service, BladUslugi::BledyOperacji { fault, .. } if fault.http_status == 500));
    assert!(e.to_string().contains("bladPodpisuKomunikatuWSS"), "{e}");
    assert!(e.raw_response().is_some());
}

/// Every call answered with HTTP 200 and a body that is not SOAP (a proxy's error page).
fn not_soap(_: &str) -> (u16, String) {
    (200, "<html><body>Bad gateway</body></html>".to_owned())
}

#[tokio::test]
async fn answers_are_verified_before_they_are_decoded() {
    use sdk_runtime::wssec::{TrustAnchors, VerificationPolicy, Verifier, VerifyError};
    let input = t::OdczytReceptyRequest::new(t::KluczReceptyMT::new("KLUCZ-1".to_owned()));

    // Without verification, an answer that is not SOAP is a decoding error…
    let s = start_with(not_soap);
    let e = client(&s, marking_signer)
        .odczyt_recepty(&kontekst(), &input)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Call(c) if matches!(c.as_ref(), SdkError::Decode { .. })),
        "{e:?}"
    );
    // …with it, the same bytes are refused as not a signed envelope, before anything decodes
    // them.
    let trust = TrustAnchors::from_pem(s.pki.ca_cert_pem().as_bytes()).unwrap();
    let verifier = Verifier::new(VerificationPolicy::p1(trust));
    let verifying = builder(&s, marking_signer)
        .verify_responses(verifier.clone())
        .build()
        .unwrap();
    let e = verifying
        .odczyt_recepty(&kontekst(), &input)
        .await
        .unwrap_err();
    let Error::ResponseSignature { error, raw } = &e else {
        panic!("{e:?}")
    };
    assert!(
        matches!(error.as_ref(), VerifyError::NotAnEnvelope { .. }),
        "{error:?}"
    );
    assert_eq!(raw.as_ref(), not_soap("").1.as_bytes());

    // A valid but unsigned answer is refused for its missing signature.
    let s = start();
    let verifying = builder(&s, marking_signer)
        .verify_responses(verifier)
        .build()
        .unwrap();
    let e = verifying
        .odczyt_recepty(&kontekst(), &input)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::ResponseSignature { error, .. } if matches!(error.as_ref(), VerifyError::NoSecurityHeader { .. })),
        "{e:?}"
    );
    // Faults (HTTP 500) are not verified: the declared fault still arrives typed.
    let input = t::OdblokowanieReceptyRequest::new(t::KluczReceptyMT::new("KLUCZ-1".to_owned()));
    let e = verifying
        .odblokowanie_recepty(&kontekst(), &input)
        .await
        .unwrap_err();
    assert!(e.blad().is_some(), "{e:?}");
}

#[tokio::test]
async fn a_failing_signer_sends_nothing() {
    let s = start();
    let c = client(&s, |_, _| Err(SigningError::new("no signing key")));
    let input = t::OdczytReceptyRequest::new(t::KluczReceptyMT::new("KLUCZ-1".to_owned()));
    let e = c.odczyt_recepty(&kontekst(), &input).await.unwrap_err();
    assert!(matches!(e, Error::Signing(_)), "{e:?}");
    assert!(e.to_string().contains("no signing key"), "{e}");
    assert!(s.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let s = start();
    let c = client(&s, marking_signer);
    // An empty package of prescriptions: `recepta` is 1..n.
    let input = t::ZapisPakietuReceptRequest::new(t::PakietReceptMT::new(
        choices::PakietRecept::Recepty(Some(t::ReceptyMT::new())),
    ));
    let e = c
        .zapis_pakietu_recept(&kontekst(), &input)
        .await
        .unwrap_err();
    let Error::Call(call) = &e else {
        panic!("{e:?}")
    };
    let SdkError::InvalidInput(v) = call.as_ref() else {
        panic!("{e:?}")
    };
    assert!(v.to_string().contains("recepta"), "{v}");
    assert!(s.seen.lock().unwrap().is_empty());
}

#[test]
fn personal_data_is_redacted_in_debug() {
    let pesel = Pesel::parse("44051401359").unwrap();
    let kryteria =
        t::KryteriaWyszukiwaniaReceptUslugobiorcyMT::new(pesel.identyfikator_uslugobiorcy());
    let shown = format!("{kryteria:?}");
    assert!(!shown.contains("44051401359"), "{shown}");
    assert!(shown.contains("id_uslugobiorcy: <redacted>"), "{shown}");

    let mut wynik = t::WynikZapisuPakietuReceptMT::new();
    wynik.kod_pakietu_recept = Some("123444051401359".to_owned());
    assert!(!format!("{wynik:?}").contains("44051401359"));

    let found = t::WynikWyszukiwaniaReceptUslugobiorcyDoKonsultacjiMT::new(
        sdk_p1::DataCzas::parse("2026-05-10T12:00:00").unwrap(),
        t::IdentyfikatorPodmiotuOIDMT::new(
            "000000123456".into(),
            "2.16.840.1.113883.3.4424.2.3.1".into(),
        ),
        sdk_p1::pracownik_npwz("1234567"),
        "Polocard 150 mg".to_owned(),
        t::NumerReceptyOIDMT::new("1".into(), "2.16.840.1.113883.3.4424.2.7.123.2".into()),
        "Przychodnia".to_owned(),
        t::StatusReceptyEnumMT::Wystawiona,
        "Adam Kowalski".to_owned(),
    );
    let shown = format!("{found:?}");
    assert!(
        !shown.contains("Kowalski") && !shown.contains("Polocard"),
        "{shown}"
    );
    assert!(format!("{pesel:?}").ends_with("1359)"));
}
