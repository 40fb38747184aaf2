//! The sandbox's AS2 side (reconstructed, as the SDK's: VZP's AS2 parameters are not public):
//! an endpoint taking filings from accounts switched to AS2 with `NastaveniB2BUctu2`, answering
//! each with a synchronous signed receipt, then pushing the protocol of its syntax check
//! (VZPkontrol, the sandbox's own rules) to the account's AS2 URL, signed and encrypted, as VZP
//! opens a connection when an answer is ready.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk_runtime::as2::exchange::{self, Sent};
use sdk_runtime::as2::mdn::{self, Disposition};
use sdk_runtime::as2::message::{self, Received};
use sdk_runtime::as2::mime::Headers;
use sdk_runtime::as2::{DecryptionKey, LocalParty, MdnMode, Partner};
use sdk_runtime::sandbox::{SandboxError, SandboxRequest, SandboxResponse, TestPki};
use sdk_runtime::transport::HttpClient;
use sdk_runtime::url::Url;
use sdk_runtime::wssec::SigningIdentity;
use sdk_runtime::xml::{XmlWrite, XmlWriter};

use crate::podani::{
    Chyba, Davka, PROTOKOL_CONTENT_TYPE, PROTOKOL_NS, Protokol, StavDavky, Zavaznost,
};

/// The path of the sandbox's AS2 endpoint (reconstructed: VZP's is not public).
pub const AS2_PATH: &str = "/B2BProxy/AS2";
/// The sandbox's AS2 identifier.
pub const AS2_ID: &str = "VZP-B2B-SANDBOX";

/// An account's AS2 settings, from `NastaveniB2BUctu2`.
#[derive(Debug, Clone)]
pub(super) struct Account {
    as2_id: String,
    url: String,
}

pub(super) struct As2Side {
    local: LocalParty,
    cert_der: Vec<u8>,
    http: HttpClient,
    /// By the DER of the account's client certificate.
    accounts: Mutex<HashMap<Vec<u8>, Account>>,
    /// Protocols delivered to accounts (their receipts confirmed).
    pushed: AtomicUsize,
    delay: Duration,
}

impl As2Side {
    pub(super) fn new(pki: &TestPki, delay: Duration) -> Result<Self, SandboxError> {
        let cert = pki.issue_rsa_cert("VZP B2B sandbox AS2 (b2b-sdk, not a real authority)")?;
        let identity = cert
            .identity()
            .map_err(|e| SandboxError::Certificate(e.to_string()))?;
        let local = LocalParty::new(AS2_ID)
            .signing(
                SigningIdentity::from_identity(identity.clone())
                    .map_err(|e| SandboxError::Certificate(e.to_string()))?,
            )
            .decryption(
                DecryptionKey::from_identity(&identity)
                    .map_err(|e| SandboxError::Certificate(e.to_string()))?,
            );
        let http = HttpClient::builder()
            .platform_roots(false)
            .add_root_certificates_pem(pki.ca_cert_pem().as_bytes())
            .and_then(|b| b.timeout(Duration::from_secs(30)).build())
            .map_err(|e| SandboxError::Certificate(e.to_string()))?;
        Ok(Self {
            local,
            cert_der: cert.cert_der().to_vec(),
            http,
            accounts: Mutex::new(HashMap::new()),
            pushed: AtomicUsize::new(0),
            delay,
        })
    }

    pub(super) fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    pub(super) fn pushed(&self) -> usize {
        self.pushed.load(Ordering::SeqCst)
    }

    /// Records an account's choice: AS2 with its identifier and URL, or back to SOAP.
    pub(super) fn set_account(&self, client: &[u8], as2: Option<(String, String)>) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        match as2 {
            Some((as2_id, url)) => {
                accounts.insert(client.to_vec(), Account { as2_id, url });
            }
            None => {
                accounts.remove(client);
            }
        }
    }

    /// A filing: opened, acknowledged, its protocol pushed later.
    pub(super) fn filing(self: &Arc<Self>, request: &SandboxRequest) -> SandboxResponse {
        let account = self
            .accounts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(request.client.der.as_ref())
            .cloned();
        let Some(account) = account else {
            return SandboxResponse::new(
                403,
                "text/plain; charset=utf-8",
                "the account is not switched to AS2: call NastaveniB2BUctu2 (nastaveniKomunikace) first",
            );
        };
        // The account's certificate both authenticates its TLS connection and signs.
        let partner = Partner::new(account.as2_id.clone(), request.client.der.to_vec());
        let headers = Headers(request.headers.clone());
        let opened = message::open(&headers, &request.body, &self.local, |from| {
            from.eq_ignore_ascii_case(&partner.as2_id)
                .then_some(&partner)
        });
        let receipt = match &opened {
            Ok(received) => received.mdn.as_ref().map(|req| {
                mdn::build(
                    &received.message_id,
                    &received.from,
                    Some(&received.mic),
                    req,
                    &Disposition::Processed,
                    &self.local,
                )
            }),
            Err(rejected) => mdn::for_rejected(rejected, &self.local),
        };
        if let Ok(received) = opened {
            let side = Arc::clone(self);
            let url = account.url.clone();
            tokio::spawn(async move {
                tokio::time::sleep(side.delay).await;
                if let Err(e) = side.push(&received, &partner, &url).await {
                    tracing::warn!(error = %e, "the sandbox could not push a protocol");
                }
            });
        }
        match receipt {
            Some(Ok(r)) => {
                let content_type = r
                    .headers
                    .get("Content-Type")
                    .unwrap_or("text/plain")
                    .to_owned();
                let mut response = SandboxResponse::new(200, &content_type, r.body);
                for (k, v) in r.headers.0 {
                    if !k.eq_ignore_ascii_case("Content-Type") {
                        response = response.with_header(k, v);
                    }
                }
                response
            }
            Some(Err(e)) => SandboxResponse::new(500, "text/plain; charset=utf-8", e.to_string()),
            None => SandboxResponse::new(200, "text/plain; charset=utf-8", ""),
        }
    }

    /// Sends the protocol of `filing` to the account's URL and checks the receipt.
    async fn push(&self, filing: &Received, account: &Partner, url: &str) -> Result<(), String> {
        let protokol = kontrola(filing);
        let mut w = XmlWriter::new();
        w.declaration();
        w.start(PROTOKOL_NS, "protokol");
        protokol.write_xml(&mut w);
        w.end();
        let xml = w.finish();
        let mut to = account.clone();
        to.mdn = MdnMode::Sync;
        let msg = message::build(
            xml.as_bytes(),
            PROTOKOL_CONTENT_TYPE,
            Some("protokol.xml"),
            &self.local,
            &to,
        )
        .map_err(|e| e.to_string())?;
        let url = Url::parse(url).map_err(|e| e.to_string())?;
        match exchange::send(&self.http, &url, &msg, &to).await {
            Ok(Sent::Receipt {
                confirmed: true, ..
            }) => {
                self.pushed.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Ok(other) => Err(format!(
                "the account did not confirm the protocol: {other:?}"
            )),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The sandbox's syntax check (its own rules, not VZPkontrol's, which are not public): the file
/// is lines (CR LF or LF) in windows-1250 or ASCII; every batch begins with a header line `D`
/// followed by its number; documents are lines beginning with `A`; a line is at most 512
/// characters; nothing may come before the first header.
fn kontrola(filing: &Received) -> Protokol {
    let (text, _, _) = sdk_runtime::encoding_rs::WINDOWS_1250.decode(&filing.payload);
    let mut protokol = Protokol::new();
    protokol.id_podani = Some(filing.message_id.clone());
    protokol.nazev_souboru = filing.filename.clone();
    protokol.zpracovano = Some(sdk_runtime::DateTime::from(time::OffsetDateTime::now_utc()));
    let mut current: Option<Davka> = None;
    let mut orphans = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let radek = (i + 1) as u128;
        let chyba = |kod: &str, popis: &str| {
            let mut c = Chyba::new();
            c.radek = Some(radek);
            c.kod = Some(kod.to_owned());
            c.zavaznost = Some(Zavaznost::Chyba);
            c.popis = Some(popis.to_owned());
            c
        };
        if line.chars().count() > 512 {
            let c = chyba("R01", "věta je delší než 512 znaků");
            match current.as_mut() {
                Some(d) => d.chyba.push(c),
                None => orphans.push(c),
            }
            continue;
        }
        match line.chars().next() {
            Some('D') => {
                if let Some(d) = current.take() {
                    protokol.davka.push(finish(d));
                }
                let mut d = Davka::new();
                d.cislo_davky = line
                    .get(1..)
                    .and_then(|r| r.split_whitespace().next())
                    .map(str::to_owned);
                d.pocet_dokladu = Some(0);
                current = Some(d);
            }
            Some('A') => match current.as_mut() {
                Some(d) => d.pocet_dokladu = Some(d.pocet_dokladu.unwrap_or(0) + 1),
                None => orphans.push(chyba("D01", "doklad před úvodní větou dávky (D)")),
            },
            None => {}
            Some(_) => {
                let c = chyba("V01", "neznámý typ věty");
                match current.as_mut() {
                    Some(d) => d.chyba.push(c),
                    None => orphans.push(c),
                }
            }
        }
    }
    if let Some(d) = current.take() {
        protokol.davka.push(finish(d));
    }
    if protokol.davka.is_empty() || !orphans.is_empty() {
        // Findings outside any batch: one refused batch carries them.
        let mut d = Davka::new();
        if protokol.davka.is_empty() && orphans.is_empty() {
            let mut c = Chyba::new();
            c.kod = Some("D00".to_owned());
            c.zavaznost = Some(Zavaznost::Chyba);
            c.popis = Some("soubor neobsahuje žádnou dávku (chybí věta D)".to_owned());
            orphans.push(c);
        }
        d.chyba = orphans;
        d.stav = Some(StavDavky::Odmitnuta);
        protokol.davka.insert(0, d);
    }
    protokol
}

fn finish(mut d: Davka) -> Davka {
    d.stav = Some(if d.chyba.is_empty() {
        StavDavky::Prijata
    } else {
        StavDavky::Odmitnuta
    });
    d
}
