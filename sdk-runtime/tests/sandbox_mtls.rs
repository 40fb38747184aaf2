//! Real mutual TLS on loopback: the sandbox server against the transport client.
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk_runtime::sandbox::{
    Handler, MtlsServer, SandboxError, SandboxRequest, SandboxResponse, TestPki,
};
use sdk_runtime::transport::{BuildError, HttpClient, Identity, TlsFailure, TransportError};

/// Answers 200 with a summary of what it saw and keeps the last request.
#[derive(Default)]
struct Recorder {
    last: Mutex<Option<SandboxRequest>>,
}

impl Handler for Recorder {
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> Pin<Box<dyn Future<Output = SandboxResponse> + Send + '_>> {
        Box::pin(async move {
            let summary = format!(
                "cn={} body={}",
                request.client.common_name.as_deref().unwrap_or("-"),
                String::from_utf8_lossy(&request.body)
            );
            *self.last.lock().unwrap() = Some(request);
            SandboxResponse::new(200, "text/plain", summary).with_header("X-Sandbox", "yes")
        })
    }
}

fn client(pki: &TestPki, identity: Option<Identity>) -> HttpClient {
    let mut builder = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .timeout(Duration::from_secs(10));
    if let Some(identity) = identity {
        builder = builder.identity(identity);
    }
    builder.build().unwrap()
}

async fn post(client: &HttpClient, server: &MtlsServer) -> Result<u16, TransportError> {
    let url = server.base_url().join("B2B/Service").unwrap();
    client
        .post(
            &url,
            &[("Content-Type", "text/xml; charset=utf-8")],
            b"<ping/>".to_vec(),
        )
        .await
        .map(|r| r.status)
}

fn expect_tls(
    result: Result<u16, TransportError>,
    expected_words: &str,
    expected_kind: TlsFailure,
) -> String {
    match result {
        Err(TransportError::Tls { kind, message, .. }) => {
            assert_eq!(kind, expected_kind, "{message}");
            assert!(
                message.contains(expected_words),
                "message {message:?} should contain {expected_words:?}"
            );
            message
        }
        other => panic!("expected TransportError::Tls, got {other:?}"),
    }
}

#[tokio::test]
async fn authenticated_client_reaches_the_handler() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let recorder = Arc::new(Recorder::default());
    let server = MtlsServer::start(&pki, recorder.clone()).unwrap();
    assert_eq!(server.base_url().host_str(), Some("127.0.0.1"));
    assert_eq!(server.base_url().port(), Some(server.addr().port()));

    let identity = pki
        .issue_client_cert("Nemocnice Test")
        .unwrap()
        .identity()
        .unwrap();
    let client = client(&pki, Some(identity));
    let url = server.base_url().join("B2B/Service?x=1").unwrap();
    let response = client
        .post(
            &url,
            &[
                ("Content-Type", "text/xml; charset=utf-8"),
                ("SOAPAction", "\"urn:ping\""),
            ],
            "<ping>Žluťoučký</ping>".as_bytes().to_vec(),
        )
        .await
        .unwrap();

    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-sandbox"), Some("yes"));
    assert_eq!(response.header("CONTENT-TYPE"), Some("text/plain"));
    assert_eq!(
        &response.body[..],
        "cn=Nemocnice Test body=<ping>Žluťoučký</ping>".as_bytes()
    );

    let seen = recorder.last.lock().unwrap().take().unwrap();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/B2B/Service");
    assert_eq!(seen.query.as_deref(), Some("x=1"));
    assert_eq!(seen.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(seen.header("SoapAction"), Some("\"urn:ping\""));
    assert!(seen.header("user-agent").unwrap().starts_with("b2b-sdk/"));
    assert_eq!(seen.client.common_name.as_deref(), Some("Nemocnice Test"));
    assert_eq!(seen.client.subject, "CN=Nemocnice Test");

    server.shutdown().await;
}

#[tokio::test]
async fn closure_handler() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let handler = |request: SandboxRequest| async move {
        SandboxResponse::new(201, "application/xml", request.body)
    };
    let server = MtlsServer::start(&pki, Arc::new(handler)).unwrap();
    let client = client(
        &pki,
        Some(pki.issue_client_cert("c").unwrap().identity().unwrap()),
    );
    assert_eq!(post(&client, &server).await.unwrap(), 201);
}

#[tokio::test]
async fn client_without_identity_is_refused() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    let message = expect_tls(
        post(&client(&pki, None), &server).await,
        "requires a client certificate, but none is configured",
        TlsFailure::ClientCertificateRequired,
    );
    assert!(
        message.starts_with(&format!("TLS handshake with {} failed", server.addr())),
        "{message}"
    );
    eprintln!("no identity: {message}");
}

#[tokio::test]
async fn client_from_another_ca_is_refused() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let stranger = TestPki::new("Stranger CA").unwrap();
    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    let identity = stranger
        .issue_client_cert("Intruder")
        .unwrap()
        .identity()
        .unwrap();
    let message = expect_tls(
        post(&client(&pki, Some(identity)), &server).await,
        "the server rejected the client certificate",
        TlsFailure::ClientCertificateRejected,
    );
    eprintln!("foreign identity: {message}");
}

#[tokio::test]
async fn client_not_trusting_the_server_is_refused() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let other = TestPki::new("Other CA").unwrap();
    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    let identity = pki
        .issue_client_cert("Nemocnice")
        .unwrap()
        .identity()
        .unwrap();

    // Only another CA as root.
    let message = expect_tls(
        post(&client(&other, Some(identity.clone())), &server).await,
        "unknown certificate authority",
        TlsFailure::ServerCertificateRejected,
    );
    eprintln!("untrusted server: {message}");

    // The system trust store alone does not know the sandbox CA either.
    match HttpClient::builder().identity(identity).build() {
        Ok(system) => {
            expect_tls(
                post(&system, &server).await,
                "unknown certificate authority",
                TlsFailure::ServerCertificateRejected,
            );
        }
        Err(BuildError::PlatformTrustStore(e)) => {
            eprintln!("NOTE: no system trust store on this machine, skipping that case: {e}");
        }
        Err(e) => panic!("{e}"),
    }
}

/// A TLS server (no client auth) whose certificate names only `names`.
async fn tls_server_for(pki: &TestPki, names: &[&str]) -> std::net::SocketAddr {
    let cert = pki.issue_server_cert(names).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert_der()], cert.key_der())
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = acceptor.accept(stream).await;
        }
    });
    addr
}

#[tokio::test]
async fn server_certificate_must_match_the_host() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    let identity = pki
        .issue_client_cert("Nemocnice")
        .unwrap()
        .identity()
        .unwrap();
    let client = client(&pki, Some(identity));

    // `localhost` is among the sandbox certificate's names.
    let url = url::Url::parse(&format!("https://localhost:{}/", server.addr().port())).unwrap();
    assert_eq!(
        client.post(&url, &[], Vec::new()).await.unwrap().status,
        200
    );

    // A server whose certificate names another host.
    let addr = tls_server_for(&pki, &["other.example"]).await;
    let url = url::Url::parse(&format!("https://{addr}/")).unwrap();
    expect_tls(
        client.post(&url, &[], Vec::new()).await.map(|r| r.status),
        "not valid for the name 127.0.0.1",
        TlsFailure::ServerCertificateRejected,
    );
}

#[tokio::test]
async fn start_on_adds_the_address_to_the_certificate() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let addr: std::net::SocketAddr = "127.0.0.2:0".parse().unwrap();
    let server = match MtlsServer::start_on(addr, &pki, Arc::new(Recorder::default())) {
        Ok(server) => server,
        Err(SandboxError::Bind { .. }) => {
            eprintln!("NOTE: 127.0.0.2 is not routable here; skipping");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    assert_eq!(server.base_url().host_str(), Some("127.0.0.2"));
    let client = client(
        &pki,
        Some(pki.issue_client_cert("c").unwrap().identity().unwrap()),
    );
    assert_eq!(post(&client, &server).await.unwrap(), 200);
}

#[tokio::test]
async fn slow_handler_times_out() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let handler = |_request: SandboxRequest| async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        SandboxResponse::new(200, "text/plain", "late")
    };
    let server = MtlsServer::start(&pki, Arc::new(handler)).unwrap();
    let client = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .identity(
            pki.issue_client_cert("Patient")
                .unwrap()
                .identity()
                .unwrap(),
        )
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    match post(&client, &server).await {
        Err(TransportError::Timeout { after }) => {
            assert_eq!(after, Duration::from_millis(400));
            let err = TransportError::Timeout { after };
            assert_eq!(err.to_string(), "the request timed out after 400 ms");
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A server that accepts TCP connections but never answers the TLS handshake.
#[tokio::test]
async fn stalled_handshake_hits_the_connect_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let pki = TestPki::new("Sandbox CA").unwrap();
    let client = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let url = url::Url::parse(&format!("https://{addr}/")).unwrap();
    let started = std::time::Instant::now();
    match client.post(&url, &[], Vec::new()).await {
        Err(TransportError::Timeout { after }) => assert_eq!(after, Duration::from_millis(300)),
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A plain HTTP server where HTTPS was expected.
#[tokio::test]
async fn non_tls_server_is_a_tls_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let pki = TestPki::new("Sandbox CA").unwrap();
    let url = url::Url::parse(&format!("https://{addr}/")).unwrap();
    let message = expect_tls(
        client(&pki, None)
            .post(&url, &[], Vec::new())
            .await
            .map(|r| r.status),
        "is this an HTTPS port?",
        TlsFailure::Protocol,
    );
    eprintln!("plain server: {message}");
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let client = client(&pki, None);
    let url = url::Url::parse("http://127.0.0.1:9/B2B").unwrap();
    match client.post(&url, &[], Vec::new()).await {
        Err(TransportError::InsecureUrl(u)) => assert_eq!(u, "http://127.0.0.1:9/B2B"),
        other => panic!("expected InsecureUrl, got {other:?}"),
    }

    // Allowed explicitly, the request goes out (and finds nothing listening).
    let permissive = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .allow_plain_http(true)
        .build()
        .unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    match permissive.post(&url, &[], Vec::new()).await {
        Err(TransportError::Connect { message, .. }) => {
            assert!(message.contains("connection refused"), "{message}");
        }
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[tokio::test]
async fn server_keeps_serving_after_refused_handshakes() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let stranger = TestPki::new("Stranger CA").unwrap();
    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    let good = client(
        &pki,
        Some(pki.issue_client_cert("Good").unwrap().identity().unwrap()),
    );
    let anonymous = client(&pki, None);
    let foreign = client(
        &pki,
        Some(
            stranger
                .issue_client_cert("Bad")
                .unwrap()
                .identity()
                .unwrap(),
        ),
    );

    for _ in 0..3 {
        assert!(matches!(
            post(&anonymous, &server).await,
            Err(TransportError::Tls { .. })
        ));
        assert!(matches!(
            post(&foreign, &server).await,
            Err(TransportError::Tls { .. })
        ));
        // A raw TCP connection that sends garbage instead of a ClientHello.
        {
            use tokio::io::AsyncWriteExt;
            let mut raw = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
            raw.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        }
        assert_eq!(post(&good, &server).await.unwrap(), 200);
    }
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let good = client(
        &pki,
        Some(pki.issue_client_cert("Good").unwrap().identity().unwrap()),
    );

    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    assert_eq!(post(&good, &server).await.unwrap(), 200);
    let url = server.base_url();
    server.shutdown().await;
    let fresh = client(
        &pki,
        Some(pki.issue_client_cert("Good").unwrap().identity().unwrap()),
    );
    match fresh.post(&url, &[], Vec::new()).await {
        Err(TransportError::Connect { .. }) => {}
        other => panic!("expected Connect after shutdown, got {other:?}"),
    }

    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    let addr = server.addr();
    drop(server);
    // The accept task is aborted asynchronously; give the runtime a moment.
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the port still accepts connections after drop");
}

#[test]
fn start_outside_a_runtime_is_an_error() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    match MtlsServer::start(&pki, Arc::new(Recorder::default())) {
        Err(SandboxError::NoRuntime) => {}
        other => panic!("expected NoRuntime, got {other:?}"),
    }
}

#[test]
fn issued_certificates_round_trip() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    assert!(pki.ca_cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    let issued = pki.issue_client_cert("Jan Novák").unwrap();
    let identity = issued.identity().unwrap();
    assert_eq!(identity.subject(), "CN=Jan Novák");
    assert_eq!(identity.certificate_chain()[0], issued.cert_der());
    assert!(issued.pem_bundle().contains("-----BEGIN PRIVATE KEY-----"));
    let debug = format!("{issued:?} {pki:?}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
    assert!(
        !debug.contains(issued.key_pem().lines().nth(1).unwrap()),
        "{debug}"
    );

    assert!(matches!(
        pki.issue_server_cert(&[]),
        Err(SandboxError::Certificate(_))
    ));
    assert!(matches!(
        pki.issue_server_cert(&["bad name!"]),
        Err(SandboxError::Certificate(_))
    ));
}

/// `openssl pkcs12 -export` of a sandbox-issued certificate, as a user would do it.
#[tokio::test]
async fn openssl_pkcs12_identity_authenticates() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let issued = pki.issue_client_cert("Lékárna U Zlatého Hada").unwrap();
    let dir: PathBuf =
        std::env::temp_dir().join(format!("sdk-runtime-sandbox-p12-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key, ca, p12) = (
        dir.join("c.pem"),
        dir.join("k.pem"),
        dir.join("ca.pem"),
        dir.join("client.p12"),
    );
    std::fs::write(&cert, issued.cert_pem()).unwrap();
    std::fs::write(&key, issued.key_pem()).unwrap();
    std::fs::write(&ca, pki.ca_cert_pem()).unwrap();
    let status = match Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:Tajne-heslo"])
        .arg("-in")
        .arg(&cert)
        .arg("-inkey")
        .arg(&key)
        .arg("-certfile")
        .arg(&ca)
        .arg("-out")
        .arg(&p12)
        .status()
    {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("the `openssl` command is needed; run scripts/install-test-tools.sh")
        }
        Err(e) => panic!("cannot run openssl: {e}"),
    };
    assert!(status.success());
    let identity = Identity::from_file(&p12, Some("Tajne-heslo")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(identity.certificate_chain().len(), 2, "leaf and CA");

    let recorder = Arc::new(Recorder::default());
    let server = MtlsServer::start(&pki, recorder.clone()).unwrap();
    assert_eq!(
        post(&client(&pki, Some(identity)), &server).await.unwrap(),
        200
    );
    let seen = recorder.last.lock().unwrap().take().unwrap();
    assert_eq!(
        seen.client.common_name.as_deref(),
        Some("Lékárna U Zlatého Hada")
    );
}

#[tokio::test]
async fn add_root_certificates_pem() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let server = MtlsServer::start(&pki, Arc::new(Recorder::default())).unwrap();
    let client = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificates_pem(pki.ca_cert_pem().as_bytes())
        .unwrap()
        .identity(pki.issue_client_cert("Pem").unwrap().identity().unwrap())
        .build()
        .unwrap();
    assert_eq!(post(&client, &server).await.unwrap(), 200);
    assert!(format!("{client:?}").contains("CN=Pem"));

    assert!(matches!(
        HttpClient::builder().add_root_certificates_pem(b"not pem"),
        Err(BuildError::InvalidRootCertificate(_))
    ));
    assert!(matches!(
        HttpClient::builder().platform_roots(false).build(),
        Err(BuildError::NoRootCertificates)
    ));
}

#[tokio::test]
async fn basic_credentials_go_with_every_request_and_stay_out_of_debug_output() {
    let pki = TestPki::new("Sandbox CA").unwrap();
    let recorder = Arc::new(Recorder::default());
    let server = MtlsServer::start(&pki, recorder.clone()).unwrap();
    let identity = pki
        .issue_client_cert("Lekarna Test")
        .unwrap()
        .identity()
        .unwrap();
    let builder = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .identity(identity)
        .basic_auth(
            "17b5c860-b570-11e7-abc4-cec278b6b50a",
            "Heslo:s dvojtečkou ž",
        );
    let shown = format!("{builder:?}");
    assert!(
        shown.contains("17b5c860-b570-11e7-abc4-cec278b6b50a"),
        "{shown}"
    );
    assert!(!shown.contains("Heslo"), "{shown}");
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("Heslo"), "{shown}");
    for _ in 0..2 {
        assert_eq!(post(&client, &server).await.unwrap(), 200);
        let seen = recorder.last.lock().unwrap().take().unwrap();
        // RFC 7617: base64 of user-id ":" password, UTF-8; a colon in the password is allowed.
        assert_eq!(
            seen.header("authorization"),
            Some(
                "Basic MTdiNWM4NjAtYjU3MC0xMWU3LWFiYzQtY2VjMjc4YjZiNTBhOkhlc2xvOnMgZHZvanRlxI1rb3Ugxb4="
            )
        );
    }
    server.shutdown().await;

    // Credentials RFC 7617 does not allow are refused when the client is built.
    for (user, password) in [("a:b", "x"), ("", "x"), ("user", "line\nbreak")] {
        let err = HttpClient::builder()
            .basic_auth(user, password)
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::Credentials(_)), "{err}");
        assert!(!err.to_string().contains("break"), "{err}");
    }
}
