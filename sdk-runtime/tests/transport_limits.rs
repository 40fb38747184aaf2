//! The answer-size limit and the timeouts against real TLS servers on loopback that answer too
//! much or too slowly: a 2 GiB `Content-Length` is refused before the body is read, an endless
//! chunked answer is cut off at the limit, an answer within the limit arrives whole — through
//! the HTTP client and through a SOAP call — and a server dripping a byte a second or never
//! answering cannot hold a SOAP call, a REST call or an AS2 send past the timeout.
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::sandbox::TestPki;
use sdk_runtime::soap::{SoapClient, SoapFault};
use sdk_runtime::transport::{
    DEFAULT_MAX_RESPONSE_BYTES, HttpClient, HttpClientBuilder, TransportError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the server sends after the request.
#[derive(Clone, Copy)]
#[cfg_attr(not(all(feature = "as2", feature = "rest")), allow(dead_code))]
enum Answer {
    /// `Content-Length: announced`, then zeros until the client goes away.
    Announced { announced: u64 },
    /// Chunked, `chunk` bytes per chunk, `chunks` of them (`None`: until the client goes away).
    Chunked { chunk: usize, chunks: Option<usize> },
    /// A SOAP answer of `<item>` records, chunked, without end; after `stall_after` records
    /// (when given) the server sends nothing more and keeps the connection open.
    Records { stall_after: Option<u64> },
    /// `Content-Length: 1000`, then one byte a second.
    Drip,
    /// Nothing at all, and the connection stays open.
    Silent,
}

/// A TLS server answering every request with `answer`; counts the body bytes it managed to
/// write.
async fn server(pki: &TestPki, answer: Answer) -> (SocketAddr, Arc<AtomicU64>) {
    let cert = pki.issue_server_cert(&["localhost", "127.0.0.1"]).unwrap();
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
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                continue;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                // The request: headers, then its Content-Length of body.
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    let Ok(n) = tls.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                while seen.len() - head_end < length {
                    let Ok(n) = tls.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                }
                let zeros = vec![b'0'; 64 << 10];
                match answer {
                    Answer::Drip => {
                        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n";
                        if tls.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        for _ in 0..1000 {
                            if tls.write_all(b" ").await.is_err() || tls.flush().await.is_err() {
                                return;
                            }
                            counter.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                    Answer::Silent => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    Answer::Announced { announced } => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {announced}\r\n\r\n"
                        );
                        if tls.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let mut left = announced;
                        while left > 0 {
                            let n = zeros.len().min(usize::try_from(left).unwrap());
                            if tls.write_all(&zeros[..n]).await.is_err() {
                                return;
                            }
                            counter.fetch_add(n as u64, Ordering::SeqCst);
                            left -= n as u64;
                        }
                    }
                    Answer::Records { stall_after } => {
                        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n";
                        let open = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><r:answer xmlns:r=\"urn:r\"><r:result>ok</r:result>";
                        let frame = |body: &str| format!("{:x}\r\n{body}\r\n", body.len());
                        if tls.write_all(head.as_bytes()).await.is_err()
                            || tls.write_all(frame(open).as_bytes()).await.is_err()
                        {
                            return;
                        }
                        let mut n = 0u64;
                        loop {
                            if stall_after.is_some_and(|s| n >= s) {
                                let _ = tls.flush().await;
                                // Nothing more, and the connection stays open.
                                tokio::time::sleep(Duration::from_secs(3600)).await;
                                return;
                            }
                            let mut body = String::new();
                            for _ in 0..100 {
                                body.push_str(&format!("<r:item><r:n>{n}</r:n></r:item>"));
                                n += 1;
                            }
                            if tls.write_all(frame(&body).as_bytes()).await.is_err() {
                                return;
                            }
                            counter.fetch_add(body.len() as u64, Ordering::SeqCst);
                        }
                    }
                    Answer::Chunked { chunk, chunks } => {
                        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n";
                        if tls.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let mut sent = 0;
                        while chunks.is_none_or(|c| sent < c) {
                            let frame = format!("{chunk:x}\r\n");
                            if tls.write_all(frame.as_bytes()).await.is_err()
                                || tls.write_all(&zeros[..chunk]).await.is_err()
                                || tls.write_all(b"\r\n").await.is_err()
                            {
                                return;
                            }
                            counter.fetch_add(chunk as u64, Ordering::SeqCst);
                            sent += 1;
                        }
                        let _ = tls.write_all(b"0\r\n\r\n").await;
                        let _ = tls.flush().await;
                    }
                }
            });
        }
    });
    (addr, written)
}

fn builder(pki: &TestPki) -> HttpClientBuilder {
    HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .timeout(Duration::from_secs(60))
}

fn url(addr: SocketAddr) -> sdk_runtime::url::Url {
    sdk_runtime::url::Url::parse(&format!("https://localhost:{}/B2B/Service", addr.port())).unwrap()
}

/// Waits until the server's count stops moving (its writes fail once the client is gone).
async fn settled(written: &AtomicU64) -> u64 {
    let mut last = u64::MAX;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = written.load(Ordering::SeqCst);
        if now == last {
            return now;
        }
        last = now;
    }
}

#[tokio::test]
async fn an_announced_answer_above_the_limit_is_refused_before_its_body_is_read() {
    let pki = TestPki::new("Limits CA").unwrap();
    let (addr, written) = server(&pki, Answer::Announced { announced: 2 << 30 }).await;
    // The default limit.
    let client = builder(&pki).build().unwrap();
    let err = client
        .post(
            &url(addr),
            &[("Content-Type", "text/xml")],
            b"<ping/>".to_vec(),
        )
        .await
        .unwrap_err();
    match &err {
        TransportError::ResponseTooLarge {
            limit, announced, ..
        } => {
            assert_eq!(*limit, DEFAULT_MAX_RESPONSE_BYTES);
            assert_eq!(*announced, Some(2 << 30));
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("larger than the limit of 67108864 bytes"),
        "{text}"
    );
    assert!(text.contains("Content-Length: 2147483648"), "{text}");
    assert!(text.contains("max_response_bytes"), "{text}");
    // The client never read the body: the server got no further than what the sockets buffer.
    let sent = settled(&written).await;
    assert!(sent < 32 << 20, "the server wrote {sent} bytes");
}

#[tokio::test]
async fn an_endless_chunked_answer_is_cut_off_at_the_limit() {
    let pki = TestPki::new("Limits CA").unwrap();
    let (addr, written) = server(
        &pki,
        Answer::Chunked {
            chunk: 64 << 10,
            chunks: None,
        },
    )
    .await;
    let client = builder(&pki).max_response_bytes(1 << 20).build().unwrap();
    let err = client
        .post(
            &url(addr),
            &[("Content-Type", "text/xml")],
            b"<ping/>".to_vec(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::ResponseTooLarge {
                limit: 1_048_576,
                announced: None,
                ..
            }
        ),
        "{err:?}"
    );
    let sent = settled(&written).await;
    assert!(sent < 32 << 20, "the server wrote {sent} bytes");
}

#[tokio::test]
async fn an_answer_within_the_limit_arrives_whole_and_a_soap_call_reports_the_limit() {
    let pki = TestPki::new("Limits CA").unwrap();
    let (addr, _) = server(
        &pki,
        Answer::Chunked {
            chunk: 1000,
            chunks: Some(3),
        },
    )
    .await;
    // Exactly at the limit: accepted.
    let client = builder(&pki).max_response_bytes(3000).build().unwrap();
    let r = client
        .post(
            &url(addr),
            &[("Content-Type", "text/xml")],
            b"<ping/>".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(r.body.len(), 3000);
    // One byte less: refused, and a SOAP call says so as a transport error.
    let client = builder(&pki).max_response_bytes(2999).build().unwrap();
    let soap = SoapClient::new(client, url(addr));
    let spec = sdk_runtime::soap::OperationSpec::new(
        "ping",
        sdk_runtime::soap::SoapVersion::V11,
        None,
        sdk_runtime::soap::Provenance::Published,
        sdk_runtime::xml::ElementName::new("urn:t", "ping"),
        sdk_runtime::soap::NO_OUTPUT,
    );
    let err = soap
        .post::<SoapFault>(&spec, b"<ping/>".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SdkError::Transport(TransportError::ResponseTooLarge { limit: 2999, .. })
        ),
        "{err:?}"
    );
}

/// A record of the streamed answers: `<r:item><r:n>…</r:n></r:item>`.
#[derive(Debug, PartialEq)]
struct Item {
    n: u64,
}

impl sdk_runtime::xml::XmlRead for Item {
    fn read_xml(
        element: sdk_runtime::xml::ElementRef<'_>,
        cx: &mut sdk_runtime::xml::ReadContext,
    ) -> Result<Self, sdk_runtime::xml::DecodeError> {
        const MODEL: &[sdk_runtime::xml::Particle] =
            &[sdk_runtime::xml::Particle::one("urn:r", "n")];
        let mut c = cx.content(element, MODEL, false);
        Ok(Self {
            n: c.text_one(cx, 0, "n")?,
        })
    }
}

fn item_records(
    body: sdk_runtime::soap::BodyReader,
) -> sdk_runtime::xml::Records<sdk_runtime::soap::BodyReader, Item> {
    sdk_runtime::xml::Records::new(sdk_runtime::xml::RecordReader::new(
        body,
        &["Envelope", "Body", "answer"],
        sdk_runtime::xml::ElementName::new("urn:r", "item"),
    ))
}

const STREAMED_OP: sdk_runtime::soap::OperationSpec = sdk_runtime::soap::OperationSpec::new(
    "list",
    sdk_runtime::soap::SoapVersion::V11,
    None,
    sdk_runtime::soap::Provenance::Reconstructed,
    sdk_runtime::xml::ElementName::new("urn:r", "list"),
    sdk_runtime::xml::ElementName::new("urn:r", "answer"),
);

/// An endless answer read as it arrives: far more than the client's 1 MiB answer-size limit
/// goes by, record after record in order, and dropping the stream closes the connection.
#[tokio::test]
async fn an_endless_answer_streams_past_the_size_limit_in_order() {
    let pki = TestPki::new("Streaming CA").unwrap();
    let (addr, written) = server(&pki, Answer::Records { stall_after: None }).await;
    let http = builder(&pki).max_response_bytes(1 << 20).build().unwrap();
    let soap = SoapClient::new(http, url(addr));
    let answer = soap
        .send_streaming::<SoapFault>(&STREAMED_OP, b"<x/>".to_vec())
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let mut records = answer.records::<Item, sdk_runtime::soap::NoOutput>(item_records);
    let count = 200_000u64;
    for expected in 0..count {
        let item = records.next().await.unwrap().unwrap();
        assert_eq!(item.n, expected);
    }
    assert_eq!(records.records_read(), count);
    let seen = written.load(Ordering::SeqCst);
    assert!(seen > 4 << 20, "only {seen} bytes went by");
    drop(records);
    let stopped = settled(&written).await;
    assert!(
        stopped < seen + (32 << 20),
        "the server kept writing: {stopped} bytes"
    );
}

/// A server that stops sending in the middle of a streamed answer is cut off at the idle
/// timeout with `TransportError::Stalled`, after the records that did arrive.
#[tokio::test]
async fn a_stalled_stream_ends_at_the_idle_timeout() {
    let pki = TestPki::new("Streaming CA").unwrap();
    let (addr, _) = server(
        &pki,
        Answer::Records {
            stall_after: Some(500),
        },
    )
    .await;
    let http = builder(&pki)
        .stream_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let soap = SoapClient::new(http, url(addr));
    let started = std::time::Instant::now();
    let answer = soap
        .send_streaming::<SoapFault>(&STREAMED_OP, b"<x/>".to_vec())
        .await
        .unwrap();
    let mut records = answer.records::<Item, sdk_runtime::soap::NoOutput>(item_records);
    let mut got = 0u64;
    let error = loop {
        match records.next().await {
            Some(Ok(item)) => {
                assert_eq!(item.n, got);
                got += 1;
            }
            Some(Err(e)) => break e,
            None => panic!("the stalled answer ended without an error"),
        }
    };
    assert_eq!(got, 500);
    assert!(
        matches!(
            error,
            sdk_runtime::soap::StreamError::Transport(TransportError::Stalled { after })
                if after == Duration::from_millis(300)
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// The slow servers against every transport (AS2 and REST are features of their own).
#[cfg(all(feature = "as2", feature = "rest"))]
mod slow {
    use super::*;

    /// A REST operation of no description: what `RestClient::call` needs.
    struct Ping;

    static PING: sdk_runtime::rest::OperationSpec = sdk_runtime::rest::OperationSpec::new(
        "ping",
        "GET",
        "/B2B/Service",
        &[],
        sdk_runtime::Provenance::Reconstructed,
    );

    #[derive(Debug)]
    struct PingError;

    impl std::fmt::Display for PingError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("ping error")
        }
    }

    impl sdk_runtime::rest::OperationError for PingError {
        fn documents(_status: u16) -> bool {
            false
        }
        fn from_response(_status: u16, _raw: sdk_runtime::bytes::Bytes) -> Self {
            PingError
        }
    }

    impl sdk_runtime::rest::RestOperation for Ping {
        type Output = ();
        type Error = PingError;
        fn spec() -> &'static sdk_runtime::rest::OperationSpec {
            &PING
        }
        fn decode_output(
            _status: u16,
            _body: &sdk_runtime::bytes::Bytes,
        ) -> Option<Result<(), sdk_runtime::xml::DecodeError>> {
            Some(Ok(()))
        }
    }

    /// A server that drips one byte a second, and one that never answers nor closes, cannot hold
    /// a SOAP call, a REST call or an AS2 send past the client's timeout: each ends with its
    /// timeout error (`SdkError::Timeout`, AS2's `TransportError::Timeout`), and the server sees the
    /// client go.
    #[tokio::test]
    async fn slow_and_silent_servers_cannot_hold_any_transport_past_its_timeout() {
        use sdk_runtime::as2::{LocalParty, Partner, exchange, message};
        let pki = TestPki::new("Slow CA").unwrap();
        let timeout = Duration::from_secs(2);
        let client = builder(&pki).timeout(timeout).build().unwrap();
        let signer = pki.issue_rsa_cert("AS2 partner").unwrap();
        let mut partner = Partner::new("PARTNER", signer.cert_der().to_vec());
        partner.sign = false;
        partner.encrypt = None;
        partner.require_signed = false;
        partner.require_encrypted = false;
        let outgoing = message::build(
            b"UNB+UNOC:3",
            "application/edifact",
            None,
            &LocalParty::new("US"),
            &partner,
        )
        .unwrap();
        for answer in [Answer::Drip, Answer::Silent] {
            let (addr, written) = server(&pki, answer).await;
            let what = match answer {
                Answer::Drip => "drip",
                _ => "silent",
            };
            let timed_out = |e: &TransportError| matches!(e, TransportError::Timeout { after } if *after == timeout);
            // Each call is guarded against hanging for good: the test fails rather than waits.
            let guard = Duration::from_secs(60);

            let soap = SoapClient::new(client.clone(), url(addr));
            let r = tokio::time::timeout(guard, soap.post::<SoapFault>(&SLOW_OP, b"<x/>".to_vec()))
                .await
                .expect("the SOAP call returned");
            match r {
                Err(SdkError::Timeout { after }) => assert_eq!(after, timeout, "{what} SOAP"),
                other => panic!("{what} SOAP: expected a timeout, got {other:?}"),
            }

            let base = sdk_runtime::url::Url::parse(&format!("https://localhost:{}/", addr.port()))
                .unwrap();
            let rest = sdk_runtime::rest::RestClient::new(client.clone(), base, &[]);
            let r = tokio::time::timeout(
                guard,
                rest.call::<Ping>(sdk_runtime::rest::Request::new(&PING)),
            )
            .await
            .expect("the REST call returned");
            match r {
                Err(SdkError::Timeout { after }) => assert_eq!(after, timeout, "{what} REST"),
                other => panic!("{what} REST: expected a timeout, got {:?}", other.err()),
            }

            let r = tokio::time::timeout(
                guard,
                exchange::send(&client, &url(addr), &outgoing, &partner),
            )
            .await
            .expect("the AS2 send returned");
            match r {
                Err(exchange::SendError::Transport(e)) => {
                    assert!(timed_out(&e), "{what} AS2: {e:?}")
                }
                other => panic!("{what} AS2: expected a timeout, got {:?}", other.err()),
            }
            if let Answer::Drip = answer {
                // The drip stopped once the client went: it reached no more than a few bytes per
                // call, far from its 1000.
                let total = settled(&written).await;
                assert!(total < 1000, "{total} bytes dripped");
            }
        }
    }

    const SLOW_OP: sdk_runtime::soap::OperationSpec = sdk_runtime::soap::OperationSpec::new(
        "Slow",
        sdk_runtime::soap::SoapVersion::V11,
        None,
        sdk_runtime::soap::Provenance::Reconstructed,
        sdk_runtime::xml::ElementName::new("urn:t", "slow"),
        sdk_runtime::soap::NO_OUTPUT,
    );
}
