//! Dávky over AS2 against the sandbox, over mutual TLS on loopback: the account switched to AS2
//! with NastaveniB2BUctu2, a batch file filed and kept until the sandbox's signed receipt
//! confirms it, and the protocol of its syntax check pushed later to the vendor's own AS2
//! endpoint, read into typed results, kept once.
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk_runtime::as2::exchange::{self, Receiver, Sent};
use sdk_runtime::as2::message::Received;
use sdk_runtime::as2::store::{self, FilingState, Store};
use sdk_runtime::as2::{DecryptionKey, LocalParty, Partner};
use sdk_runtime::server::MtlsServer;
use sdk_runtime::transport::{HttpClient, Identity};
use sdk_runtime::wssec::SigningIdentity;
use sdk_vzp::nastaveni_uctu::types::{As2Id, NastaveniKomunikacePozadavek, TypKomunikace};
use sdk_vzp::podani::{self, StavDavky, Zavaznost};
use sdk_vzp::sandbox::{AS2_ID, Sandbox};

/// The vendor's side: its certificate (TLS and AS2), its AS2 endpoint, its store.
struct Vendor {
    identity: Identity,
    local: LocalParty,
    vzp: Partner,
    http: HttpClient,
    store: Store,
    received: Arc<Mutex<Vec<Received>>>,
    _receiver: MtlsServer,
    receiver_url: String,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A folder removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new(name: &str) -> Self {
            let d = std::env::temp_dir().join(format!("sdk-vzp-as2-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            Self(d)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn vendor(sandbox: &Sandbox, name: &str) -> Vendor {
    let dir = tempdir::Dir::new(name);
    let cert = sandbox.issue_as2_client_cert("Firma s.r.o.").unwrap();
    let identity = cert.identity().unwrap();
    let local = LocalParty::new("FIRMA-AS2")
        .signing(SigningIdentity::from_identity(identity.clone()).unwrap())
        .decryption(DecryptionKey::from_identity(&identity).unwrap());
    let vzp = Partner::new(AS2_ID, sandbox.as2_certificate_der());
    let http = HttpClient::builder()
        .identity(identity.clone())
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let store = Store::open(&dir.0.join("as2.sqlite")).unwrap();
    // The endpoint VZP pushes protocols to: a server certificate the sandbox trusts.
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&received);
    let application: exchange::Sink = Arc::new(move |r: &Received| {
        kept.lock().unwrap().push(r.clone());
        Ok(())
    });
    let receiver = Receiver::new(
        local.clone(),
        vec![vzp.clone()],
        store.sink(application),
        http.clone(),
    );
    let server_cert = sandbox.issue_server_cert(&["127.0.0.1"]).unwrap();
    let server = receiver
        .serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            &server_cert.identity().unwrap(),
        )
        .unwrap();
    let receiver_url = server.base_url().join("as2").unwrap().to_string();
    Vendor {
        identity,
        local,
        vzp,
        http,
        store,
        received,
        _receiver: server,
        receiver_url,
        _dir: dir,
    }
}

/// Switches the vendor's account to AS2 with its endpoint.
async fn switch_to_as2(sandbox: &Sandbox, v: &Vendor) {
    let client = sdk_vzp::Client::builder()
        .base_url(sandbox.base_url().to_string())
        .identity(v.identity.clone())
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let mut input = NastaveniKomunikacePozadavek::new(TypKomunikace::As2);
    input.as2url = Some(v.receiver_url.clone());
    input.as2id = Some(As2Id::new("FIRMA-AS2").unwrap());
    let r = client.nastaveni_komunikace(&input).await.unwrap();
    assert_eq!(r.output.typ_komunikace, Some(TypKomunikace::As2));
}

async fn protocol_of(v: &Vendor, n: usize) -> Received {
    for _ in 0..200 {
        if let Some(r) = v.received.lock().unwrap().get(n) {
            return r.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("protocol {n} did not come");
}

const GOOD: &[u8] = b"D 0001 KDAVKA 12345000 2026-11\r\nA 8001010006 09513 1\r\nA 7552150012 09513 2\r\nD 0002 KDAVKA 12345000 2026-11\r\nA 9106150009 09543 1\r\n";
const BAD: &[u8] = b"A 8001010006 09513 1\r\nD 0001 KDAVKA\r\nX nesmysl\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_filed_over_as2_is_confirmed_and_its_protocol_comes_back() {
    let sandbox = Sandbox::start().unwrap();
    let v = vendor(&sandbox, "good");
    switch_to_as2(&sandbox, &v).await;

    let filing = podani::davka(GOOD, "KDAVKA.001", &v.local, &v.vzp).unwrap();
    let sent = store::send_kept(&v.store, &v.http, &sandbox.as2_url(), &filing, &v.vzp)
        .await
        .unwrap();
    let Sent::Receipt { confirmed, outcome } = sent else {
        panic!("a synchronous receipt was agreed");
    };
    assert!(confirmed && outcome.signed, "{outcome:?}");
    let (kept, _) = v.store.outgoing(&filing.message_id).unwrap().unwrap();
    assert_eq!(kept.state, FilingState::Confirmed);

    // The protocol, pushed to the vendor's endpoint, signed and encrypted.
    let answer = protocol_of(&v, 0).await;
    assert!(answer.signed && answer.encrypted);
    assert_eq!(answer.from, AS2_ID);
    assert!(podani::je_protokol(&answer));
    let p = podani::protokol(&answer.payload).unwrap();
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert!(p.prijato());
    assert_eq!(
        p.protokol.id_podani.as_deref(),
        Some(filing.message_id.as_str())
    );
    assert_eq!(p.protokol.nazev_souboru.as_deref(), Some("KDAVKA.001"));
    let davky: Vec<(Option<&str>, Option<u128>)> = p
        .protokol
        .davka
        .iter()
        .map(|d| (d.cislo_davky.as_deref(), d.pocet_dokladu))
        .collect();
    assert_eq!(davky, [(Some("0001"), Some(2)), (Some("0002"), Some(1))]);
    // The sandbox saw our receipt confirm its protocol.
    for _ in 0..100 {
        if sandbox.as2_protocols_pushed() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sandbox.as2_protocols_pushed(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_batch_is_refused_line_by_line() {
    let sandbox = Sandbox::start().unwrap();
    let v = vendor(&sandbox, "bad");
    switch_to_as2(&sandbox, &v).await;
    let filing = podani::davka(BAD, "KDAVKA.002", &v.local, &v.vzp).unwrap();
    let sent = exchange::send(&v.http, &sandbox.as2_url(), &filing, &v.vzp)
        .await
        .unwrap();
    assert!(matches!(
        sent,
        Sent::Receipt {
            confirmed: true,
            ..
        }
    ));
    let p = podani::protokol(&protocol_of(&v, 0).await.payload).unwrap();
    assert!(!p.prijato());
    let refused: Vec<_> = p
        .protokol
        .davka
        .iter()
        .filter(|d| d.stav == Some(StavDavky::Odmitnuta))
        .collect();
    assert_eq!(refused.len(), 2, "{:?}", p.protokol);
    let findings: Vec<(Option<u128>, Option<&str>)> = refused
        .iter()
        .flat_map(|d| d.chyba.iter())
        .map(|c| (c.radek, c.kod.as_deref()))
        .collect();
    assert_eq!(findings, [(Some(1), Some("D01")), (Some(3), Some("V01"))]);
    assert!(
        refused
            .iter()
            .flat_map(|d| d.chyba.iter())
            .all(|c| c.zavaznost == Some(Zavaznost::Chyba))
    );
}

#[tokio::test]
async fn filings_need_an_as2_account_and_the_accounts_signature() {
    let sandbox = Sandbox::start().unwrap();
    let v = vendor(&sandbox, "refused");
    // Not switched to AS2: refused before AS2 processing.
    let filing = podani::davka(GOOD, "KDAVKA.003", &v.local, &v.vzp).unwrap();
    let err = exchange::send(&v.http, &sandbox.as2_url(), &filing, &v.vzp)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");

    // Switched, but the filing is signed with another key than the account's certificate: a
    // negative receipt.
    switch_to_as2(&sandbox, &v).await;
    let other = sandbox.issue_as2_client_cert("Někdo jiný").unwrap();
    let stranger = LocalParty::new("FIRMA-AS2")
        .signing(SigningIdentity::from_identity(other.identity().unwrap()).unwrap());
    let forged = podani::davka(GOOD, "KDAVKA.004", &stranger, &v.vzp).unwrap();
    let sent = exchange::send(&v.http, &sandbox.as2_url(), &forged, &v.vzp)
        .await
        .unwrap();
    let Sent::Receipt { outcome, confirmed } = sent else {
        panic!("a receipt was asked for");
    };
    assert!(!confirmed);
    assert_eq!(
        outcome.disposition,
        sdk_runtime::as2::mdn::Disposition::Error("authentication-failed".into())
    );
    // Nothing comes back for it.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(v.received.lock().unwrap().is_empty());

    // An invoice goes the same way, its service named in the Subject.
    let faktura = podani::soubor(
        podani::Sluzba::FakturaZaDavky,
        b"FAKTURA 2026-11",
        "FDAVKA.001",
        &v.local,
        &v.vzp,
    )
    .unwrap();
    assert_eq!(faktura.headers.get("Subject"), Some("Faktura za davky"));

    // What cannot be filed at all is refused before anything is built.
    assert!(podani::davka(b"", "KDAVKA.005", &v.local, &v.vzp).is_err());
    assert!(podani::davka(GOOD, "../KDAVKA", &v.local, &v.vzp).is_err());
}
