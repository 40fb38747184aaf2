//! The CeR client end to end over real mutual TLS on loopback, against a stand-in CeR that
//! verifies each request's WS-Security signature (Body, Timestamp and CeR's v20180509 context
//! signed, by a certificate of its WSS CA) before answering: the request reaches
//! `/services/ObslugaCeRWS` with `SOAPAction: "urn:<operation>"`; answers decode into typed
//! outputs; a failed `wynik` with a rule result (REG.WER.8361) becomes `NiepowodzenieOperacji`;
//! CeR's `bledyOperacji` fault becomes `BladUslugi`; an unsigned request is refused by the
//! stand-in. The answers are hand-written fixtures of our reconstructed schemas.
#![cfg(feature = "cer")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use sdk_p1::cer::{self, KontekstCeR, operation as op, types as c};
use sdk_p1::wssec::{SigningIdentity, TrustAnchors, Verifier};
use sdk_p1::{Client, MaWynik, Oid};
use sdk_runtime::sandbox::{MtlsServer, SandboxRequest, SandboxResponse, TestPki};
use sdk_runtime::values::DateTime;

const WS: &str = "http://csioz.gov.pl/p1/cer/ws/v20260101";
const MT: &str = "http://csioz.gov.pl/p1/cer/mt/v20260101";
const WSP: &str = "http://csioz.gov.pl/p1/wspolne/mt/v20180509";

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn answer(action: &str) -> (u16, String) {
    match action {
        "\"urn:zapiszNaWizyte\"" => (
            200,
            envelope(&format!(
                r#"<ns2:ZapiszNaWizyteResponse xmlns:ns2="{WS}" xmlns:wsp="{WSP}"><idWizyty>W-1</idWizyty><wynik><wsp:major>urn:csioz:p1:kod:major:Sukces</wsp:major></wynik></ns2:ZapiszNaWizyteResponse>"#
            )),
        ),
        "\"urn:zapiszDoPoczekalni\"" => (
            200,
            envelope(&format!(
                r#"<ns2:ZapiszDoPoczekalniResponse xmlns:ns2="{WS}" xmlns:wsp="{WSP}"><wynikWeryfikacjiReguly><wsp:kodRegulyWeryfikacji>REG.WER.8361</wsp:kodRegulyWeryfikacji><wsp:wynikWeryfikacji>urn:csioz:p1:kodWynikuWeryfikacji:blad</wsp:wynikWeryfikacji><wsp:opisProblemu>Brak formy kontaktu</wsp:opisProblemu></wynikWeryfikacjiReguly><wynik><wsp:major>urn:csioz:p1:kod:major:BladWeryfikacji</wsp:major><wsp:komunikat>Wpis nie przeszedł weryfikacji</wsp:komunikat></wynik></ns2:ZapiszDoPoczekalniResponse>"#
            )),
        ),
        _ => (
            500,
            fault(
                "urn:csioz:p1:kodBleduMajor:bladWewnetrzny",
                "Nieznana operacja",
            ),
        ),
    }
}

fn fault(major: &str, opis: &str) -> String {
    envelope(&format!(
        r#"<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>{opis}</faultstring><detail><ns2:bledyOperacji xmlns:ns2="{WS}" xmlns:w="http://csioz.gov.pl/p1/wyjatki/mt/v20170510"><blad><w:kodBleduMajor>{major}</w:kodBleduMajor><w:opis>{opis}</w:opis></blad></ns2:bledyOperacji></detail></soapenv:Fault>"#
    ))
}

struct StandIn {
    server: MtlsServer,
    tls: TestPki,
    wss: TestPki,
    seen: Arc<Mutex<Vec<SandboxRequest>>>,
}

fn start() -> StandIn {
    let tls = TestPki::new("Stand-in CeR TLS").unwrap();
    let wss = TestPki::new("Stand-in CeR WSS").unwrap();
    let trust = TrustAnchors::from_pem(wss.ca_cert_pem().as_bytes()).unwrap();
    let verifier = Arc::new(Verifier::new(cer::verification_policy(trust)));
    let seen: Arc<Mutex<Vec<SandboxRequest>>> = Arc::default();
    let log = seen.clone();
    let handler = move |req: SandboxRequest| {
        let log = log.clone();
        let verifier = verifier.clone();
        async move {
            let action = req.header("SOAPAction").unwrap_or_default().to_owned();
            let verified = verifier.verify_envelope(&req.body);
            log.lock().unwrap().push(req);
            let (status, body) = match verified {
                Ok(_) => answer(&action),
                Err(e) => (
                    500,
                    fault(
                        "urn:csioz:p1:kodBleduMajor:bladPodpisuKomunikatuWSS",
                        &e.to_string(),
                    ),
                ),
            };
            SandboxResponse::new(status, "text/xml; charset=utf-8", body)
        }
    };
    let server = MtlsServer::start(&tls, Arc::new(handler)).unwrap();
    StandIn {
        server,
        tls,
        wss,
        seen,
    }
}

fn client(s: &StandIn, signed: bool) -> cer::Client {
    let identity = s
        .tls
        .issue_client_cert("Podmiot 123 TLS")
        .unwrap()
        .identity()
        .unwrap();
    let builder = Client::builder()
        .base_url(s.server.base_url().to_string())
        .identity(identity)
        .platform_roots(false)
        .add_root_certificates_pem(s.tls.ca_cert_pem().as_bytes())
        .unwrap();
    let builder = if signed {
        let cert = s.wss.issue_client_cert("Podmiot 123 WSS").unwrap();
        builder.signer(cer::signer(
            SigningIdentity::from_pem(cert.pem_bundle().as_bytes()).unwrap(),
        ))
    } else {
        builder.unsigned()
    };
    cer::Client::from_builder(builder).unwrap()
}

fn kontekst() -> KontekstCeR {
    KontekstCeR::builder()
        .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
        .id_miejsca_pracy(Oid::new(
            "2.16.840.1.113883.3.4424.2.3.3",
            "000000123456-01-001",
        ))
        .rola_biznesowa(cer::rola_systemu())
        .build()
        .unwrap()
}

fn kontakt() -> c::KontaktMT {
    let mut k = c::KontaktMT::new();
    k.telefon = Some("600100200".into());
    k
}

fn pacjent() -> c::IdentyfikatorPacjentaMT {
    c::IdentyfikatorPacjentaMT::new(
        "44051401359".into(),
        "2.16.840.1.113883.3.4424.1.1.616".into(),
    )
}

#[tokio::test]
async fn a_signed_booking_reaches_cer_and_decodes() {
    let s = start();
    let cl = client(&s, true);
    assert!(cl.endpoint().as_str().ends_with("/services/ObslugaCeRWS"));
    let dane = c::DaneWizytyMT::new(
        c::IdentyfikatorMT::new("SLOT-1").unwrap(),
        c::RodzajWizytyMT::Kolejna,
        pacjent(),
        kontakt(),
        DateTime::parse("2026-12-06T09:00:00+01:00").unwrap(),
    );
    let r = cl
        .zapisz_na_wizyte(&kontekst(), &op::zapisz_na_wizyte::Input::new(dane))
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    assert_eq!(
        r.output.id_wizyty.as_ref().map(|i| i.get().as_str()),
        Some("W-1")
    );
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/services/ObslugaCeRWS");
    assert_eq!(seen[0].header("SOAPAction"), Some("\"urn:zapiszNaWizyte\""));
    let body = String::from_utf8(seen[0].body.to_vec()).unwrap();
    assert!(
        body.contains("http://csioz.gov.pl/p1/kontekst/mt/v20180509"),
        "{body}"
    );
    assert!(
        body.contains("urn:csioz:p1:kontekst:idMiejscaPracyOidExt"),
        "{body}"
    );
    assert!(body.contains(MT), "{body}");
    // Personal data stays out of Debug output.
    let debug = format!(
        "{:?}",
        op::zapisz_na_wizyte::Input::new(c::DaneWizytyMT::new(
            c::IdentyfikatorMT::new("S").unwrap(),
            c::RodzajWizytyMT::Kolejna,
            pacjent(),
            kontakt(),
            DateTime::parse("2026-12-06T09:00:00Z").unwrap(),
        ))
    );
    assert!(
        !debug.contains("44051401359") && !debug.contains("600100200"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_failed_rule_and_a_fault_are_typed() {
    let s = start();
    let cl = client(&s, true);
    let mut kr = c::KryteriaPoczekalniMT::new(c::KodSwiadczeniaMT::new("02.1450.102.02").unwrap());
    kr.najwczesniej = None;
    let wpis = c::WpisPoczekalniMT::new(
        pacjent(),
        kontakt(),
        kr,
        true,
        DateTime::parse("2026-12-06T10:00:00+01:00").unwrap(),
    );
    let r = cl
        .zapisz_do_poczekalni(&kontekst(), &op::zapisz_do_poczekalni::Input::new(wpis))
        .await
        .unwrap();
    let e = r.sprawdz_wynik().unwrap_err();
    assert_eq!(e.major, "urn:csioz:p1:kod:major:BladWeryfikacji");
    let rule = &r.output.wynik_weryfikacji_reguly[0];
    assert_eq!(rule.kod_reguly_weryfikacji, "REG.WER.8361");
    assert_eq!(
        rule.wynik_weryfikacji,
        c::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1KodWynikuWeryfikacjiBlad
    );

    let err = cl
        .aktywuj_mus(
            &kontekst(),
            &op::aktywuj_mus::Input::new(c::IdentyfikatorMusMT::new(
                "000000123456-01-001".into(),
                "2.16.840.1.113883.3.4424.2.3.3".into(),
            )),
        )
        .await
        .unwrap_err();
    let blad = err.blad().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(blad.opis.as_deref(), Some("Nieznana operacja"));
}

#[tokio::test]
async fn an_unsigned_request_is_refused_and_bad_input_is_not_sent() {
    let s = start();
    let cl = client(&s, false);
    let err = cl
        .usun_z_poczekalni(
            &kontekst(),
            &op::usun_z_poczekalni::Input::new(c::IdentyfikatorMT::new("P-1").unwrap()),
        )
        .await
        .unwrap_err();
    let blad = err.blad().unwrap_or_else(|| panic!("{err:?}"));
    assert!(
        blad.kod_bledu_major
            .to_string()
            .contains("bladPodpisuKomunikatuWSS"),
        "{blad:?}"
    );
    // CeR's newer code prefix is understood too.
    assert!(err.service_error().unwrap().is_signature_error(), "{err:?}");
    assert!(!err.service_error().unwrap().is_access_error());
    assert_eq!(s.seen.lock().unwrap().len(), 1);

    // A slot without its kinds of visit: refused before sending.
    let cl = client(&s, true);
    let mut h = c::HarmonogramMT::new(
        c::IdentyfikatorMusMT::new("m".into(), "2.16.840.1.113883.3.4424.2.3.3".into()),
        c::KodSwiadczeniaMT::new("02.1450.102.02").unwrap(),
    );
    h.slot.push(c::SlotMT::new(
        DateTime::parse("2026-12-14T08:00:00Z").unwrap(),
        DateTime::parse("2026-12-14T08:20:00Z").unwrap(),
    ));
    let err = cl
        .utworz_harmonogram(&kontekst(), &op::utworz_harmonogram::Input::new(h))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, sdk_p1::Error::Call(e) if matches!(**e, sdk_runtime::SdkError::InvalidInput(_))),
        "{err:?}"
    );
    assert_eq!(s.seen.lock().unwrap().len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn booking_rules_are_checked_before_sending() {
    use time::macros::date;
    let s = start();
    let cl = client(&s, true);
    let reguly = cer::reguly::Reguly::new(date!(2026 - 12 - 06)).aktywowano(date!(2026 - 12 - 01));
    let mut bez_kontaktu = c::DaneWizytyMT::new(
        c::IdentyfikatorMT::new("SLOT-1").unwrap(),
        c::RodzajWizytyMT::Kolejna,
        pacjent(),
        c::KontaktMT::new(),
        DateTime::parse("2026-12-06T09:00:00+01:00").unwrap(),
    );
    let daleko = DateTime::parse("2027-02-01T09:00:00+01:00").unwrap();
    let err = cl
        .zapisz_na_wizyte_wg_regul(
            &kontekst(),
            &bez_kontaktu,
            "02.1450.102.02",
            &daleko,
            &reguly,
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("REG.WER.8361") && text.contains("40 days"),
        "{text}"
    );
    assert!(s.seen.lock().unwrap().is_empty(), "nothing may be sent");

    bez_kontaktu.kontakt = kontakt();
    let blisko = DateTime::parse("2026-12-20T09:00:00+01:00").unwrap();
    cl.zapisz_na_wizyte_wg_regul(
        &kontekst(),
        &bez_kontaktu,
        "02.1450.102.02",
        &blisko,
        &reguly,
    )
    .await
    .unwrap()
    .sprawdz_wynik()
    .unwrap();
    assert_eq!(s.seen.lock().unwrap().len(), 1);
}
