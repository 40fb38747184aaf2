//! AS2 against an independent implementation, pyas2lib (installed by
//! scripts/install-test-tools.sh), both ways over HTTPS on loopback: what we send it decrypts,
//! verifies and acknowledges with a signed MDN we check; what it sends we open and acknowledge
//! with an MDN it checks; a message altered in transit gets a negative MDN.
#![cfg(all(feature = "as2", feature = "sandbox"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/as2_pki.rs"]
mod as2_pki;
#[path = "support/wssec_pki.rs"]
mod wssec_pki;

use std::io::BufRead as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use as2_pki::{Pki, clone_pki, der, http, ours, pki};
use sdk_runtime::as2::Cipher;
use sdk_runtime::as2::exchange::{self, Receiver, Sent};
use sdk_runtime::as2::mdn::Disposition;
use sdk_runtime::as2::message::{self, Received};
use sdk_runtime::server::MtlsServer;
use sdk_runtime::transport::Identity;
use sdk_runtime::url::Url;

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/as2_peer.py");

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// pyas2lib's HTTPS receiver; killed on drop.
struct PyReceiver {
    child: Child,
    url: Url,
    out: PathBuf,
}

impl PyReceiver {
    fn start(p: &Pki) -> Self {
        let out = p.dir.join("py-received");
        std::fs::create_dir_all(&out).unwrap();
        let port = free_port();
        let mut child = Command::new("python3")
            .arg(PEER)
            .arg("receive")
            .arg(port.to_string())
            .args([&p.tls_cert, &p.tls_key, &p.py_keycert, &p.rust_cert, &out])
            .arg(&p.ca.cert_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 (scripts/install-test-tools.sh installs pyas2lib)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the pyas2lib receiver did not start");
        Self {
            child,
            url: Url::parse(&format!("https://127.0.0.1:{port}/as2")).unwrap(),
            out,
        }
    }

    fn result(&self, n: usize) -> serde_json::Value {
        let text = std::fs::read_to_string(self.out.join(format!("{n}.json"))).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

impl Drop for PyReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PAYLOAD: &[u8] = b"KDAVKA 01 12345678 2026-12\r\nA 8001010006 09513 1 \xc8esk\xfd text\r\n";

#[tokio::test]
async fn what_we_send_pyas2lib_decrypts_verifies_and_acknowledges() {
    let p = pki("send");
    let receiver = PyReceiver::start(&p);
    let (local, mut partner) = ours(&p);
    let client = http(&p);
    for (n, compress) in [(1, false), (2, true)] {
        partner.compress = compress;
        let msg = message::build(
            PAYLOAD,
            "application/edi-consent",
            Some("davka.txt"),
            &local,
            &partner,
        )
        .unwrap();
        let sent = exchange::send(&client, &receiver.url, &msg, &partner)
            .await
            .unwrap();
        let Sent::Receipt { outcome, confirmed } = sent else {
            panic!("a synchronous receipt was agreed");
        };
        assert!(outcome.signed, "pyas2lib signs its receipts");
        assert_eq!(outcome.disposition, Disposition::Processed);
        assert!(confirmed, "{outcome:?} vs {:?}", msg.mic);
        let r = receiver.result(n);
        assert_eq!(r["status"], "processed", "{r}");
        assert_eq!(r["signed"], true);
        assert_eq!(r["encrypted"], true);
        assert_eq!(r["compressed"], compress);
        // The same MIC computed on both sides.
        assert_eq!(
            r["mic"].as_str(),
            msg.mic.as_ref().map(|m| m.value.as_str())
        );
        assert_eq!(
            std::fs::read(receiver.out.join(format!("{n}.payload"))).unwrap(),
            PAYLOAD
        );
    }
}

#[tokio::test]
async fn a_receipt_for_another_mic_does_not_confirm() {
    let p = pki("wrong-mic");
    let receiver = PyReceiver::start(&p);
    let (local, partner) = ours(&p);
    let mut msg =
        message::build(PAYLOAD, "application/edi-consent", None, &local, &partner).unwrap();
    // What we keep as our MIC differs from what we sent.
    if let Some(m) = msg.mic.as_mut() {
        m.value = "AAAA".into();
    }
    let Sent::Receipt { outcome, confirmed } =
        exchange::send(&http(&p), &receiver.url, &msg, &partner)
            .await
            .unwrap()
    else {
        panic!("a synchronous receipt was agreed");
    };
    assert_eq!(outcome.disposition, Disposition::Processed);
    assert!(!confirmed);
}

/// Our receiver on loopback HTTPS, keeping what it accepted.
struct OurReceiver {
    server: MtlsServer,
    received: Arc<Mutex<Vec<Received>>>,
}

fn our_receiver(p: &Pki) -> OurReceiver {
    let (local, mut partner) = ours(p);
    partner.require_encrypted = true;
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&received);
    let sink: exchange::Sink = Arc::new(move |r: &Received| {
        kept.lock().unwrap().push(r.clone());
        Ok(())
    });
    let receiver = Receiver::new(local, vec![partner], sink, http(p));
    let server = receiver
        .serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            &Identity::from_pem_files(&p.tls_cert, Some(&p.tls_key)).unwrap(),
        )
        .unwrap();
    OurReceiver { server, received }
}

/// pyas2lib sends `payload` to `url` with `options`; its verdict on our receipt.
fn py_send(p: &Pki, url: &Url, options: &[&str]) -> serde_json::Value {
    let payload = p.dir.join("payload.txt");
    std::fs::write(&payload, PAYLOAD).unwrap();
    let out = p
        .dir
        .join(format!("sent-{}.json", options.join("").replace('-', "")));
    let status = Command::new("python3")
        .arg(PEER)
        .arg("send")
        .arg(url.as_str())
        .args([&p.ca.cert_path, &p.py_keycert, &p.rust_cert, &payload, &out])
        .args(options)
        .status()
        .unwrap();
    assert!(status.success(), "the pyas2lib sender failed ({options:?})");
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

#[tokio::test]
async fn what_pyas2lib_sends_we_open_and_acknowledge() {
    let p = pki("receive");
    let ours = our_receiver(&p);
    let url = ours.server.base_url().join("as2").unwrap();
    let cases: &[&[&str]] = &[
        &[],
        // pyas2lib's default cipher, and other digests.
        &["--cipher", "tripledes_192_cbc"],
        &["--cipher", "aes_128_cbc", "--digest", "sha512"],
        &["--compress"],
    ];
    for (i, options) in cases.iter().enumerate() {
        let url = url.clone();
        let options_owned: Vec<String> = options.iter().map(|s| (*s).to_owned()).collect();
        let verdict = tokio::task::spawn_blocking({
            let p = clone_pki(&p);
            move || {
                let refs: Vec<&str> = options_owned.iter().map(String::as_str).collect();
                py_send(&p, &url, &refs)
            }
        })
        .await
        .unwrap();
        // pyas2lib checked our signed receipt: processed, and its MIC.
        assert_eq!(verdict["status"], "processed", "{options:?}: {verdict}");
        assert_eq!(verdict["http_status"], 200);
        let received = ours.received.lock().unwrap();
        assert_eq!(received.len(), i + 1, "{options:?}");
        let r = received.last().unwrap();
        assert_eq!(r.payload, PAYLOAD, "{options:?}");
        assert!(r.signed && r.encrypted, "{options:?}");
        assert_eq!(r.compressed, options.contains(&"--compress"));
        assert_eq!(r.filename.as_deref(), Some("davka.txt"));
        assert_eq!(r.from, "PYAS2");
        assert_eq!(r.message_id, verdict["message_id"].as_str().unwrap());
        assert_eq!(
            Some(r.mic.value.as_str()),
            verdict["mic"].as_str(),
            "{options:?}"
        );
    }
}

#[tokio::test]
async fn an_altered_message_is_refused_with_a_negative_receipt() {
    let p = pki("tamper");
    let ours = our_receiver(&p);
    let url = ours.server.base_url().join("as2").unwrap();
    let pc = clone_pki(&p);
    let verdict = tokio::task::spawn_blocking(move || py_send(&pc, &url, &["--tamper"]))
        .await
        .unwrap();
    // Changed inside the encrypted content: refused, whichever step the change breaks.
    assert_eq!(verdict["status"], "processed/error", "{verdict}");
    assert!(
        ours.received.lock().unwrap().is_empty(),
        "nothing was accepted"
    );

    // Changed in a signed, unencrypted message's payload: the signed digest does not match.
    let url = ours.server.base_url().join("as2").unwrap();
    let pc = clone_pki(&p);
    let verdict =
        tokio::task::spawn_blocking(move || py_send(&pc, &url, &["--unencrypted", "--tamper"]))
            .await
            .unwrap();
    assert_eq!(verdict["status"], "processed/error", "{verdict}");
    assert_eq!(verdict["detail"], "integrity-check-failed", "{verdict}");
    assert!(
        ours.received.lock().unwrap().is_empty(),
        "nothing was accepted"
    );

    // Unencrypted, where the agreement requires encryption: refused as insufficient security.
    let url = ours.server.base_url().join("as2").unwrap();
    let pc = clone_pki(&p);
    let verdict = tokio::task::spawn_blocking(move || py_send(&pc, &url, &["--unencrypted"]))
        .await
        .unwrap();
    assert!(
        verdict["detail"]
            .as_str()
            .unwrap_or("")
            .contains("insufficient-message-security"),
        "{verdict}"
    );
    assert!(ours.received.lock().unwrap().is_empty());
}

/// An asynchronous receipt: pyas2lib answers the POST at once and later POSTs its signed MDN
/// to our receiver, which checks it and hands it over, confirming the MIC kept from sending.
#[tokio::test]
async fn an_asynchronous_receipt_comes_to_our_receiver() {
    let p = pki("async");
    let py = PyReceiver::start(&p);
    let (local, mut partner) = ours(&p);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let receipts: exchange::ReceiptSink = Arc::new(move |from: &str, outcome| {
        let _ = tx.send((from.to_owned(), outcome.clone()));
    });
    let sink: exchange::Sink = Arc::new(|_| Err("no messages expected here".to_owned()));
    let receiver =
        Receiver::new(local.clone(), vec![partner.clone()], sink, http(&p)).with_receipts(receipts);
    let server = receiver
        .serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            &Identity::from_pem_files(&p.tls_cert, Some(&p.tls_key)).unwrap(),
        )
        .unwrap();
    partner.mdn = sdk_runtime::as2::MdnMode::Async {
        url: server.base_url().join("as2/mdn").unwrap().to_string(),
    };
    let msg = message::build(PAYLOAD, "application/edi-consent", None, &local, &partner).unwrap();
    let sent = exchange::send(&http(&p), &py.url, &msg, &partner)
        .await
        .unwrap();
    assert!(matches!(sent, Sent::Accepted), "{sent:?}");
    let (from, outcome) = tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
        .await
        .expect("the asynchronous receipt did not come")
        .unwrap();
    assert_eq!(from, "PYAS2");
    assert_eq!(outcome.original_message_id, msg.message_id);
    assert!(outcome.signed);
    assert!(outcome.confirms(msg.mic.as_ref()), "{outcome:?}");
    assert_eq!(py.result(1)["status"], "processed");
}

#[tokio::test]
async fn ours_to_ours_in_every_combination() {
    let p = pki("self");
    let (local, partner_template) = ours(&p);
    // We as both sides: our own certificate as the partner's.
    let mut partner = partner_template.clone();
    partner.as2_id = "RUSTAS2".into();
    partner.certificates = vec![der(&p.rust_cert)];
    partner.encryption_certificate = Some(der(&p.rust_cert));
    for (sign, encrypt, compress) in [
        (true, Some(Cipher::Aes256Cbc), false),
        (true, Some(Cipher::Aes128Cbc), true),
        (true, None, false),
        (false, Some(Cipher::Aes192Cbc), true),
    ] {
        partner.sign = sign;
        partner.encrypt = encrypt;
        partner.compress = compress;
        partner.require_signed = sign;
        partner.require_encrypted = encrypt.is_some();
        let msg = message::build(PAYLOAD, "application/EDIFACT", None, &local, &partner).unwrap();
        let received = message::open(&msg.headers, &msg.body, &local, |_| Some(&partner)).unwrap();
        assert_eq!(received.payload, PAYLOAD);
        assert_eq!(received.content_type, "application/edifact");
        assert_eq!(
            (received.signed, received.encrypted, received.compressed),
            (sign, encrypt.is_some(), compress)
        );
        assert_eq!(
            Some(&received.mic),
            msg.mic.as_ref(),
            "{sign} {encrypt:?} {compress}"
        );
        // The receipt reads back and confirms.
        let request = received.mdn.clone().unwrap();
        let receipt = sdk_runtime::as2::mdn::build(
            &received.message_id,
            &received.from,
            Some(&received.mic),
            &request,
            &Disposition::Processed,
            &local,
        )
        .unwrap();
        let outcome =
            sdk_runtime::as2::mdn::parse(&receipt.headers, &receipt.body, &partner, true).unwrap();
        assert!(outcome.confirms(msg.mic.as_ref()));
        assert_eq!(outcome.original_message_id, msg.message_id);
    }
    // A signature by anyone but the partner is refused.
    let mut stranger = partner.clone();
    stranger.sign = true;
    stranger.encrypt = None;
    stranger.require_encrypted = false;
    let msg = message::build(PAYLOAD, "text/plain", None, &local, &stranger).unwrap();
    let mut expecting_py = stranger.clone();
    expecting_py.certificates = vec![der(&p.py_cert)];
    let rejected =
        message::open(&msg.headers, &msg.body, &local, |_| Some(&expecting_py)).unwrap_err();
    assert!(
        rejected.error.to_string().contains("not the partner's"),
        "{}",
        rejected.error
    );
}
