//! The CeR notification receiver behind a real mutual-TLS endpoint on loopback: a notification
//! signed by "CeR" (a certificate of its own WSS CA) reaches the vendor's handler as a typed
//! event; a redelivery is acknowledged without calling the handler again; an unsigned
//! notification, one signed by another CA, one for another action and a handler failure are
//! answered with a fault (and the failed one is handled when redelivered).
#![cfg(feature = "cer")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use sdk_p1::cer::notyfikacje::{operation::przekaz_notyfikacje as op, types as n};
use sdk_p1::cer::odbiornik::BladUruchomienia;
use sdk_p1::cer::odbiornik::{Notyfikacja, Odbiornik, Przebieg};
use sdk_p1::wssec::{
    SigningIdentity, SigningProfile, TrustAnchors, VerificationPolicy, Verifier, WsSecuritySigner,
};
use sdk_runtime::sandbox::TestPki;
use sdk_runtime::server::{MtlsServer, ServerTls};
use sdk_runtime::soap::{Envelope, SoapClient, SoapVersion, write_envelope};
use sdk_runtime::transport::HttpClient;
use sdk_runtime::transport::Identity;
use sdk_runtime::url::Url;
use sdk_runtime::values::DateTime;
use sdk_runtime::xml::ReadContext;

fn notification(id: &str, rodzaj: n::RodzajNotyfikacjiMT) -> String {
    let mut k = n::KontaktMT::new();
    k.telefon = Some("600100200".into());
    let dane = n::DaneWizytyMT::new(
        n::IdentyfikatorMT::new("S-7").unwrap(),
        n::RodzajWizytyMT::Pierwszorazowa,
        n::IdentyfikatorPacjentaMT::new(
            "44051401359".into(),
            "2.16.840.1.113883.3.4424.1.1.616".into(),
        ),
        k,
        DateTime::parse("2026-12-06T09:00:00+01:00").unwrap(),
    );
    let wizyta = n::WizytaMT::new(
        n::IdentyfikatorMT::new("W-9").unwrap(),
        n::IdentyfikatorMusMT::new(
            "000000123456-01-001".into(),
            "2.16.840.1.113883.3.4424.2.3.3".into(),
        ),
        n::KodSwiadczeniaMT::new("02.1450.102.02").unwrap(),
        DateTime::parse("2026-12-14T08:00:00+01:00").unwrap(),
        DateTime::parse("2026-12-14T08:20:00+01:00").unwrap(),
        dane,
        n::StatusWizytyMT::Umowiona,
        n::KanalMT::Poczekalnia,
        DateTime::parse("2026-12-06T09:00:01+01:00").unwrap(),
    );
    let req = n::PrzekazNotyfikacjeRequest::new(
        n::IdentyfikatorMT::new(id).unwrap(),
        rodzaj,
        DateTime::parse("2026-12-06T09:00:01+01:00").unwrap(),
        wizyta,
    );
    write_envelope(SoapVersion::V11, &[], op::SPEC.input, &req)
}

struct Endpoint {
    server: MtlsServer,
    tls: TestPki,
    cer_wss: TestPki,
    handled: Arc<Mutex<Vec<Notyfikacja>>>,
    fail_next: Arc<Mutex<bool>>,
}

fn start() -> Endpoint {
    let tls = TestPki::new("Provider endpoint TLS").unwrap();
    let cer_wss = TestPki::new("CeR WSS (stand-in)").unwrap();
    let trust = TrustAnchors::from_pem(cer_wss.ca_cert_pem().as_bytes()).unwrap();
    let handled: Arc<Mutex<Vec<Notyfikacja>>> = Arc::default();
    let fail_next = Arc::new(Mutex::new(false));
    let (h, f) = (handled.clone(), fail_next.clone());
    let odbiornik = Odbiornik::new(
        Verifier::new(VerificationPolicy::new(trust)),
        Arc::new(move |n: Notyfikacja| {
            let (h, f) = (h.clone(), f.clone());
            Box::pin(async move {
                if std::mem::take(&mut *f.lock().unwrap()) {
                    return Err("database unavailable".to_owned());
                }
                h.lock().unwrap().push(n);
                Ok(())
            })
        }),
    );
    // The provider's server certificate and CeR's client CA (here both from one test CA).
    let server_cert = tls.issue_server_cert(&["localhost", "127.0.0.1"]).unwrap();
    let identity = Identity::from_pem(server_cert.pem_bundle().as_bytes()).unwrap();
    let server_tls =
        ServerTls::with_client_ca_pem(&identity, tls.ca_cert_pem().as_bytes()).unwrap();
    // A loopback URL: only as a sandbox (see `a_url_cer_cannot_reach_is_refused`).
    let url = Url::parse("https://127.0.0.1/cer/notyfikacje").unwrap();
    let server = odbiornik
        .uruchom(&url, true, "127.0.0.1:0".parse().unwrap(), server_tls)
        .unwrap();
    Endpoint {
        server,
        tls,
        cer_wss,
        handled,
        fail_next,
    }
}

/// "CeR" delivering: a TLS client certificate the endpoint trusts.
fn sender(e: &Endpoint) -> SoapClient {
    let http = HttpClient::builder()
        .identity(e.tls.issue_client_cert("CeR").unwrap().identity().unwrap())
        .platform_roots(false)
        .add_root_certificate_der(e.tls.ca_cert_der())
        .build()
        .unwrap();
    SoapClient::new(http, e.server.base_url().join("cer/notyfikacje").unwrap())
}

fn signed(pki: &TestPki, envelope: &str) -> Vec<u8> {
    let cert = pki.issue_client_cert("CeR notifications").unwrap();
    let signer = WsSecuritySigner::new(
        SigningIdentity::from_pem(cert.pem_bundle().as_bytes()).unwrap(),
        SigningProfile::new(),
    );
    signer.sign_envelope(envelope.as_bytes()).unwrap()
}

async fn deliver(c: &SoapClient, body: Vec<u8>) -> (u16, String) {
    let a = c.post::<sdk_p1::BladUslugi>(&op::SPEC, body).await.unwrap();
    (a.status(), String::from_utf8(a.body().to_vec()).unwrap())
}

#[tokio::test]
async fn a_signed_notification_is_handled_once() {
    let e = start();
    let c = sender(&e);
    let body = signed(
        &e.cer_wss,
        &notification("N-1", n::RodzajNotyfikacjiMT::ZapisZPoczekalni),
    );
    let (status, answer) = deliver(&c, body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    let env = Envelope::parse(answer.as_bytes()).unwrap();
    let ack: n::PrzekazNotyfikacjeResponse = env
        .read_body(op::SPEC.output, &mut ReadContext::new())
        .unwrap();
    assert!(ack.przyjeto);
    assert_eq!(ack.id_notyfikacji.get(), "N-1");
    {
        let handled = e.handled.lock().unwrap();
        assert_eq!(handled.len(), 1);
        assert_eq!(handled[0].rodzaj, n::RodzajNotyfikacjiMT::ZapisZPoczekalni);
        assert_eq!(handled[0].wizyta.id_wizyty.get(), "W-9");
        assert!(!format!("{:?}", handled[0]).contains("44051401359"));
    }
    // Redelivered: acknowledged, not handled again.
    let (status, _) = deliver(&c, body).await;
    assert_eq!(status, 200);
    assert_eq!(e.handled.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn unsigned_foreign_and_misdirected_notifications_are_refused() {
    let e = start();
    let c = sender(&e);
    let unsigned = notification("N-2", n::RodzajNotyfikacjiMT::ZapisIkp).into_bytes();
    let (status, answer) = deliver(&c, unsigned).await;
    assert_eq!(status, 500);
    assert!(answer.contains("signature"), "{answer}");
    let other_ca = TestPki::new("Not CeR").unwrap();
    let forged = signed(
        &other_ca,
        &notification("N-3", n::RodzajNotyfikacjiMT::AnulacjaIkp),
    );
    let (status, _) = deliver(&c, forged).await;
    assert_eq!(status, 500);
    assert!(e.handled.lock().unwrap().is_empty());

    let o = Odbiornik::bez_weryfikacji_podpisu(Arc::new(|_| Box::pin(async { Ok(()) })));
    let r = o.obsluz(Some("\"urn:innaOperacja\""), b"<x/>").await;
    assert_eq!(r.status, 500);
    assert!(matches!(r.wynik, Przebieg::Odrzucona(_)), "{r:?}");
}

#[tokio::test]
async fn a_handler_failure_is_a_fault_and_the_redelivery_is_handled() {
    let e = start();
    let c = sender(&e);
    *e.fail_next.lock().unwrap() = true;
    let body = signed(
        &e.cer_wss,
        &notification("N-4", n::RodzajNotyfikacjiMT::ZapisInnyPodmiot),
    );
    let (status, answer) = deliver(&c, body.clone()).await;
    assert_eq!(status, 500);
    assert!(answer.contains("database unavailable"), "{answer}");
    assert!(e.handled.lock().unwrap().is_empty());
    let (status, _) = deliver(&c, body).await;
    assert_eq!(status, 200);
    assert_eq!(e.handled.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_url_cer_cannot_reach_is_refused_and_other_paths_are_not_served() {
    let pki = TestPki::new("Provider").unwrap();
    let cert = pki.issue_server_cert(&["localhost"]).unwrap();
    let identity = Identity::from_pem(cert.pem_bundle().as_bytes()).unwrap();
    let tls = ServerTls::with_client_ca_pem(&identity, pki.ca_cert_pem().as_bytes()).unwrap();
    let o = Odbiornik::bez_weryfikacji_podpisu(Arc::new(|_| Box::pin(async { Ok(()) })));
    let e = o
        .uruchom(
            &Url::parse("https://192.168.1.20/cer").unwrap(),
            false,
            "127.0.0.1:0".parse().unwrap(),
            tls,
        )
        .unwrap_err();
    assert!(matches!(e, BladUruchomienia::Url(_)), "{e}");
    assert!(e.to_string().contains("private"), "{e}");

    let e = start();
    let http = HttpClient::builder()
        .identity(e.tls.issue_client_cert("CeR").unwrap().identity().unwrap())
        .platform_roots(false)
        .add_root_certificate_der(e.tls.ca_cert_der())
        .build()
        .unwrap();
    let c = SoapClient::new(http, e.server.base_url().join("inna/sciezka").unwrap());
    let a = c
        .post::<sdk_p1::BladUslugi>(&op::SPEC, b"<x/>".to_vec())
        .await
        .unwrap();
    assert_eq!(a.status(), 404);
}
