//! End to end: the generated client calls the embedded VZP sandbox over real mutual TLS on
//! loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::soap::{SOAP11_NS, SoapClient};
use sdk_runtime::transport::{HttpClient, TlsFailure, TransportError};
use sdk_runtime::xml::{DiagnosticKind, ViolationKind};
use sdk_vzp::prubeh_pojisteni::operation::prubeh_pojisteni_druh_b2b as op;
use sdk_vzp::prubeh_pojisteni::types::StavPojisteni;
use sdk_vzp::sandbox::{SANDBOX_NS, Sandbox, SandboxConfig};
use sdk_vzp::{CisloPojistence, Icp, PrubehPojisteniError, parse_date};

fn date(s: &str) -> sdk_runtime::Date {
    parse_date("kDatu", s).unwrap()
}

fn cislo(s: &str) -> CisloPojistence {
    CisloPojistence::parse(s).unwrap()
}

#[tokio::test]
async fn insured_person_with_insurer_and_kind() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    let r = client
        .prubeh_pojisteni(&cislo("8001010006"), date("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.output.stav, Some(StavPojisteni::Pojisten));
    assert_eq!(
        r.output.kod_pojistovny.as_ref().map(|k| k.get().as_str()),
        Some("111")
    );
    assert_eq!(
        r.output.nazev_pojistovny.as_deref(),
        Some("VŠEOBECNÁ ZDRAVOTNÍ POJIŠŤOVNA ČESKÉ REPUBLIKY")
    );
    let druh = sdk_vzp::DruhPojisteni::parse(r.output.druh_pojisteni.as_deref().unwrap());
    assert_eq!(druh.code.as_deref(), Some("1"));
    assert_eq!(r.output.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    // The sandbox answers with its own prefixes, as production does; reading is namespace-aware.
    let raw = std::str::from_utf8(&r.raw).unwrap();
    assert!(raw.contains("<ns0:stav>pojisten</ns0:stav>"), "{raw}");
    assert!(raw.contains("<soapenv:Envelope"), "{raw}");
}

#[tokio::test]
async fn insurer_changes_over_time_and_not_insured() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    let before = client
        .prubeh_pojisteni(&cislo("7552150012"), date("2019-12-31"))
        .await
        .unwrap();
    let after = client
        .prubeh_pojisteni(&cislo("755215/0012"), date("2020-01-01"))
        .await
        .unwrap();
    assert_eq!(before.output.kod_pojistovny.unwrap().get(), "111");
    assert_eq!(after.output.kod_pojistovny.unwrap().get(), "201");

    let gone = client
        .prubeh_pojisteni(&cislo("9106150009"), date("2025-01-01"))
        .await
        .unwrap();
    assert_eq!(gone.output.stav, Some(StavPojisteni::Nepojisten));
    assert_eq!(gone.output.kod_pojistovny, None);

    let unknown = client
        .prubeh_pojisteni(&cislo("8001010017"), date("2025-01-01"))
        .await
        .unwrap();
    assert_eq!(unknown.output.stav, None);
    assert_eq!(unknown.output.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
}

#[tokio::test]
async fn contract_state_found_open_ended_and_not_found() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    let r = client
        .stav_smlouvy(&Icp::parse("24681357").unwrap(), date("2022-06-01"))
        .await
        .unwrap();
    let o = &r.output;
    assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(o.odbornost.as_deref(), Some("955"));
    assert_eq!(o.datum_od, Some(date("2021-12-01")));
    assert_eq!(o.datum_do, Some(date("2022-12-31")));
    assert_eq!(o.nazev_p.as_deref(), Some("Odběrové centrum - COVID19"));
    assert_eq!(o.psc.as_deref(), Some("60200"));
    assert!(o.prijmeni_jmeno.is_some());
    // The responsible person's name is personal data: redacted in Debug.
    let debug = format!("{o:?}");
    assert!(debug.contains("prijmeni_jmeno: <redacted>"), "{debug}");
    assert!(!debug.contains("Svoboda"), "{debug}");

    let open = client
        .stav_smlouvy(&Icp::parse("12345678").unwrap(), date("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(open.output.odbornost.as_deref(), Some("001"));
    assert_eq!(open.output.datum_do, None);

    let expired = client
        .stav_smlouvy(&Icp::parse("24681357").unwrap(), date("2023-01-01"))
        .await
        .unwrap();
    assert_eq!(expired.output.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert_eq!(expired.output.odbornost, None);
}

/// A client of the sandbox at the SOAP level, to send what the typed API cannot.
fn raw_client(sandbox: &Sandbox) -> SoapClient {
    let identity = sandbox
        .issue_client_cert("raw")
        .unwrap()
        .identity()
        .unwrap();
    let http = HttpClient::builder()
        .identity(identity)
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let endpoint = sdk_runtime::soap::endpoint_url(
        &sandbox.base_url(),
        sdk_vzp::prubeh_pojisteni::Client::ENDPOINT_PATH,
    )
    .unwrap();
    SoapClient::new(http, endpoint)
}

#[tokio::test]
async fn malformed_request_gets_a_typed_fault_with_raw_bytes() {
    let sandbox = Sandbox::start().unwrap();
    let soap = raw_client(&sandbox);
    // kDatu without cisloPojistence.
    let envelope = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Body><ns1:prubehPojisteniDruhB2BPozadavek xmlns:ns1="http://xmlns.gemsystem.cz/PrubehPojisteniDruhB2B"><ns1:kDatu>2026-11-23</ns1:kDatu></ns1:prubehPojisteniDruhB2BPozadavek></soap:Body></soap:Envelope>"#
    );
    let err = soap
        .send::<op::Output, op::Error>(&op::SPEC, envelope.into_bytes())
        .await
        .unwrap_err();
    let SdkError::Service(PrubehPojisteniError::Unhandled(fault)) = &err else {
        panic!("expected a fault, got {err:?}");
    };
    assert_eq!(fault.code.ns, SOAP11_NS);
    assert_eq!(fault.code.local, "Client");
    assert_eq!(fault.http_status, 500);
    assert!(
        fault.message.contains("cisloPojistence"),
        "{}",
        fault.message
    );
    assert!(fault.detail_entry().unwrap().is(SANDBOX_NS, "chyba"));
    assert!(err.raw_response().unwrap().starts_with(b"<?xml"));
    assert!(err.to_string().contains("SOAP fault Client"), "{err}");

    // Not XML at all.
    let err = soap
        .send::<op::Output, op::Error>(&op::SPEC, b"not xml".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(PrubehPojisteniError::Unhandled(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn rate_limit_is_a_distinct_error() {
    let sandbox =
        Sandbox::start_with(SandboxConfig::default().rate_limit(Some(2), Duration::from_secs(600)))
            .unwrap();
    let client = sandbox.client().unwrap();
    let c = cislo("8001010006");
    let d = date("2026-11-23");
    client.prubeh_pojisteni(&c, d).await.unwrap();
    client.prubeh_pojisteni(&c, d).await.unwrap();
    let err = client.prubeh_pojisteni(&c, d).await.unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    let SdkError::RateLimited {
        status,
        retry_after,
        raw,
    } = &err
    else {
        unreachable!()
    };
    assert_eq!(*status, 503);
    assert_eq!(*retry_after, None);
    assert!(!raw.is_empty());
    // Another client certificate has its own budget.
    let other = sandbox.client().unwrap();
    other.prubeh_pojisteni(&c, d).await.unwrap();
}

#[tokio::test]
async fn handshake_without_client_certificate_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let http = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let client = sdk_vzp::Client::from_http(http, &sandbox.base_url()).unwrap();
    let err = client
        .prubeh_pojisteni(&cislo("8001010006"), date("2026-11-23"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SdkError::Transport(TransportError::Tls {
                kind: TlsFailure::ClientCertificateRequired,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(
        sandbox.requests_received(),
        0,
        "nothing may reach the service"
    );
}

#[tokio::test]
async fn slow_answers_time_out() {
    let sandbox =
        Sandbox::start_with(SandboxConfig::default().response_delay(Duration::from_secs(3)))
            .unwrap();
    let client = sandbox
        .client_builder("impatient")
        .unwrap()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .prubeh_pojisteni(&cislo("8001010006"), date("2026-11-23"))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn unknown_response_elements_are_reported_not_fatal() {
    let sandbox =
        Sandbox::start_with(SandboxConfig::default().extra_response_elements(true)).unwrap();
    let client = sandbox.client().unwrap();
    let r = client
        .prubeh_pojisteni(&cislo("8001010006"), date("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(r.output.stav, Some(StavPojisteni::Pojisten));
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let d = &r.diagnostics[0];
    assert_eq!(d.kind, DiagnosticKind::UnknownElement);
    assert_eq!(
        d.path,
        "/Envelope/Body/prubehPojisteniDruhB2BOdpoved/poznamka"
    );
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    // A value that entered through lenient reading (e.g. copied from a received message) is
    // checked again before it is sent.
    let mut cx = sdk_runtime::xml::ReadContext::new();
    let bad: CisloPojistence =
        sdk_runtime::xml::XmlText::from_xml_text_lenient("8001010007", &mut cx).unwrap();
    assert_eq!(cx.diagnostics().len(), 1);
    let err = client
        .prubeh_pojisteni(&bad, date("2026-11-23"))
        .await
        .unwrap_err();
    let SdkError::InvalidInput(v) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(v.field(), "cisloPojistence");
    assert_eq!(v.violations[0].kind, ViolationKind::CheckDigit);
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert_eq!(sandbox.requests_received(), 0);

    let bad_icp: Icp =
        sdk_runtime::xml::XmlText::from_xml_text_lenient("1234567", &mut cx).unwrap();
    let err = client
        .stav_smlouvy(&bad_icp, date("2026-11-23"))
        .await
        .unwrap_err();
    let SdkError::InvalidInput(v) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(v.field(), "ICP_ICPP");
    assert_eq!(sandbox.requests_received(), 0);
}

#[tokio::test]
async fn identity_from_an_openssl_pkcs12_file() {
    let sandbox = Sandbox::start().unwrap();
    let cert = sandbox.issue_client_cert("Ordinace Sandbox").unwrap();
    let dir = std::env::temp_dir().join(format!("vzp-p12-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("client.pem");
    let p12 = dir.join("client.p12");
    std::fs::write(&pem, cert.pem_bundle()).unwrap();
    let status = std::process::Command::new("openssl")
        .args(["pkcs12", "-export", "-in"])
        .arg(&pem)
        .arg("-inkey")
        .arg(&pem)
        .arg("-out")
        .arg(&p12)
        .args(["-passout", "pass:heslo"])
        .status()
        .expect("openssl is missing: run scripts/install-test-tools.sh");
    assert!(status.success());
    let wrong = sdk_runtime::transport::Identity::from_pkcs12_file(&p12, "spatne").unwrap_err();
    assert!(
        matches!(wrong, sdk_runtime::transport::IdentityError::WrongPassword),
        "{wrong:?}"
    );
    let identity = sdk_runtime::transport::Identity::from_pkcs12_file(&p12, "heslo").unwrap();
    let client = sdk_vzp::Client::builder()
        .base_url(sandbox.base_url().to_string())
        .identity(identity)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .platform_roots(false)
        .build()
        .unwrap();
    let r = client
        .prubeh_pojisteni(&cislo("8001010006"), date("2026-11-23"))
        .await
        .unwrap();
    assert_eq!(r.output.stav, Some(StavPojisteni::Pojisten));
    let _ = std::fs::remove_dir_all(&dir);
}
