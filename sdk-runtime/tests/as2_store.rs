//! AS2's durable store across a crash: a sender killed (SIGKILL) after its message reached the
//! partner and before the receipt came finds the message kept on restart, sends it again under
//! the same `Message-ID`, and gets it confirmed; the partner, keeping what it receives, hands
//! the redelivered message to its application once.
#![cfg(all(feature = "as2-store", feature = "sandbox"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/as2_pki.rs"]
mod as2_pki;
#[path = "support/wssec_pki.rs"]
mod wssec_pki;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use as2_pki::{Pki, der, http, pki};
use sdk_runtime::as2::exchange::{self, Receiver, Sent};
use sdk_runtime::as2::message;
use sdk_runtime::as2::store::{self, FilingState, Store};
use sdk_runtime::as2::{DecryptionKey, LocalParty, Partner};
use sdk_runtime::transport::Identity;
use sdk_runtime::url::Url;
use sdk_runtime::wssec::SigningIdentity;

const PAYLOAD: &[u8] = b"KDAVKA 01 12345678 2026-12\r\nA 8001010006 09513 1\r\n";

/// The sender (`FIRMA`, our key pair) and its agreement with the partner (`VZP-AS2`, the
/// other key pair), and the partner's side of the same agreement.
fn parties(p: &Pki) -> (LocalParty, Partner, LocalParty, Partner) {
    let sender_id = Identity::from_pem_files(&p.rust_cert, Some(&p.rust_key)).unwrap();
    let sender = LocalParty::new("FIRMA")
        .signing(SigningIdentity::from_identity(sender_id.clone()).unwrap())
        .decryption(DecryptionKey::from_identity(&sender_id).unwrap());
    let to_vzp = Partner::new("VZP-AS2", der(&p.py_cert));
    let vzp_id = Identity::from_pem(&std::fs::read(&p.py_keycert).unwrap()).unwrap();
    let vzp = LocalParty::new("VZP-AS2")
        .signing(SigningIdentity::from_identity(vzp_id.clone()).unwrap())
        .decryption(DecryptionKey::from_identity(&vzp_id).unwrap());
    let to_firma = Partner::new("FIRMA", der(&p.rust_cert));
    (sender, to_vzp, vzp, to_firma)
}

/// The child: sends the payload durably to `AS2_CHILD_URL`, keeping it in `AS2_CHILD_STORE`;
/// killed by the parent before the receipt comes. Runs only when the parent starts it.
#[tokio::test]
#[ignore = "the child process of a_filing_survives_a_kill_between_send_and_receipt"]
async fn child_sender() {
    let (Ok(dir), Ok(store), Ok(url)) = (
        std::env::var("AS2_CHILD_DIR"),
        std::env::var("AS2_CHILD_STORE"),
        std::env::var("AS2_CHILD_URL"),
    ) else {
        return;
    };
    let p = as2_pki::existing(&PathBuf::from(dir));
    let (sender, to_vzp, _, _) = parties(&p);
    let store = Store::open(&PathBuf::from(store)).unwrap();
    let msg = message::build(
        PAYLOAD,
        "application/edi-consent",
        Some("davka.txt"),
        &sender,
        &to_vzp,
    )
    .unwrap();
    println!("message-id {}", msg.message_id);
    let _ = store::send_kept(&store, &http(&p), &Url::parse(&url).unwrap(), &msg, &to_vzp).await;
    panic!("the child should have been killed before the receipt came");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filing_survives_a_kill_between_send_and_receipt() {
    let p = pki("store-kill");
    let (sender, to_vzp, vzp, to_firma) = parties(&p);
    // The partner: keeps what it receives; its application holds the first delivery long
    // enough for the sender to be killed before the receipt goes out.
    let partner_store = Store::open(&p.dir.join("vzp.sqlite")).unwrap();
    let handled = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let tx = std::sync::Mutex::new(tx);
    let counter = Arc::clone(&handled);
    let application: exchange::Sink = Arc::new(move |r| {
        assert_eq!(r.payload, PAYLOAD);
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            let _ = tx.lock().unwrap().send(());
            std::thread::sleep(Duration::from_secs(3));
        }
        Ok(())
    });
    let receiver = Receiver::new(
        vzp,
        vec![to_firma],
        partner_store.sink(application),
        http(&p),
    );
    let server = receiver
        .serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            &Identity::from_pem_files(&p.tls_cert, Some(&p.tls_key)).unwrap(),
        )
        .unwrap();
    let url = server.base_url().join("as2").unwrap();

    // The sender in a process of its own, killed while the partner holds the receipt.
    let store_path = p.dir.join("firma.sqlite");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_sender", "--ignored", "--nocapture"])
        .env("AS2_CHILD_DIR", &p.dir)
        .env("AS2_CHILD_STORE", &store_path)
        .env("AS2_CHILD_URL", url.as_str())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let arrived = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap();
    assert!(arrived.is_ok(), "the message did not reach the partner");
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed");

    // Restart: the message is kept, not confirmed.
    let store = Store::open(&store_path).unwrap();
    let open = store.unconfirmed().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    let filing = &open[0];
    assert!(
        matches!(filing.state, FilingState::Stored | FilingState::Sent),
        "{filing:?}"
    );
    // Sent again: the same Message-ID, acknowledged, confirmed with the MIC kept.
    let sent = store::resend(&store, &http(&p), &filing.message_id, &to_vzp)
        .await
        .unwrap();
    let Sent::Receipt { confirmed, outcome } = sent else {
        panic!("a synchronous receipt was agreed");
    };
    assert!(confirmed, "{outcome:?}");
    let (after, _) = store.outgoing(&filing.message_id).unwrap().unwrap();
    assert_eq!(after.state, FilingState::Confirmed);
    assert!(after.attempts >= 1);
    // The partner got it twice and handed it to its application once.
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    assert_eq!(
        partner_store
            .deliveries("FIRMA", &filing.message_id)
            .unwrap(),
        Some(2)
    );
    // A settled message is not sent again.
    let again = store::resend(&store, &http(&p), &filing.message_id, &to_vzp).await;
    assert!(again.unwrap_err().to_string().contains("already confirmed"));
    drop(sender);
}

#[test]
fn a_receipt_settles_a_filing_once() {
    let p = pki("store-receipt");
    let (sender, to_vzp, vzp, to_firma) = parties(&p);
    let store = Store::open(&p.dir.join("s.sqlite")).unwrap();
    let msg = message::build(PAYLOAD, "text/plain", None, &sender, &to_vzp).unwrap();
    let url = Url::parse("https://vzp.example/as2").unwrap();
    store.keep(&msg, "VZP-AS2", &url).unwrap();
    store.keep(&msg, "VZP-AS2", &url).unwrap();
    assert_eq!(store.unconfirmed().unwrap().len(), 1);
    // The partner opens it and writes a receipt; we record it twice.
    let received = message::open(&msg.headers, &msg.body, &vzp, |_| Some(&to_firma)).unwrap();
    let receipt = sdk_runtime::as2::mdn::build(
        &received.message_id,
        &received.from,
        Some(&received.mic),
        received.mdn.as_ref().unwrap(),
        &sdk_runtime::as2::mdn::Disposition::Processed,
        &vzp,
    )
    .unwrap();
    let outcome =
        sdk_runtime::as2::mdn::parse(&receipt.headers, &receipt.body, &to_vzp, true).unwrap();
    let first = store.receipt(&outcome).unwrap().unwrap();
    assert_eq!(first.state, FilingState::Confirmed);
    let second = store.receipt(&outcome).unwrap().unwrap();
    assert_eq!(second.state, FilingState::Confirmed);
    assert!(store.unconfirmed().unwrap().is_empty());
    // A receipt with another MIC refuses (a message with other content: the MIC covers the
    // content and its MIME headers, not the Message-ID).
    let other = message::build(b"another payload", "text/plain", None, &sender, &to_vzp).unwrap();
    store.keep(&other, "VZP-AS2", &url).unwrap();
    let mut wrong = outcome.clone();
    wrong.original_message_id = other.message_id.clone();
    let settled = store.receipt(&wrong).unwrap().unwrap();
    assert_eq!(settled.state, FilingState::Refused);
    // A receipt for nothing we sent.
    let mut unknown = outcome;
    unknown.original_message_id = "nobody@nowhere".into();
    assert!(store.receipt(&unknown).unwrap().is_none());
}

/// An asynchronous receipt: the partner's receiver POSTs it to the sender's own endpoint, whose
/// receipt sink settles the filing in the sender's store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_asynchronous_receipt_settles_the_filing_in_the_store() {
    let p = pki("store-async");
    let (sender, mut to_vzp, vzp, to_firma) = parties(&p);
    let tls = Identity::from_pem_files(&p.tls_cert, Some(&p.tls_key)).unwrap();
    let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let store = Store::open(&p.dir.join("firma.sqlite")).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let kept = store.clone();
    let receipts: exchange::ReceiptSink = Arc::new(move |_from: &str, outcome| {
        let settled = kept.receipt(outcome).unwrap().map(|f| f.state);
        let _ = tx.send(settled);
    });
    let no_messages: exchange::Sink = Arc::new(|_| Err("this endpoint takes receipts".into()));
    let sender_endpoint =
        Receiver::new(sender.clone(), vec![to_vzp.clone()], no_messages, http(&p))
            .with_receipts(receipts)
            .serve(any_port, &tls)
            .unwrap();
    to_vzp.mdn = sdk_runtime::as2::MdnMode::Async {
        url: sender_endpoint.base_url().join("mdn").unwrap().to_string(),
    };
    let accept: exchange::Sink = Arc::new(|_| Ok(()));
    let partner_endpoint = Receiver::new(vzp, vec![to_firma], accept, http(&p))
        .serve(any_port, &tls)
        .unwrap();
    let msg = message::build(PAYLOAD, "text/plain", None, &sender, &to_vzp).unwrap();
    let url = partner_endpoint.base_url().join("as2").unwrap();
    let sent = store::send_kept(&store, &http(&p), &url, &msg, &to_vzp)
        .await
        .unwrap();
    assert!(matches!(sent, Sent::Accepted), "{sent:?}");
    let settled = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("the asynchronous receipt did not come")
        .unwrap();
    assert_eq!(settled, Some(FilingState::Confirmed));
    let (filing, _) = store.outgoing(&msg.message_id).unwrap().unwrap();
    assert_eq!(filing.state, FilingState::Confirmed);
    assert!(store.unconfirmed().unwrap().is_empty());
}
