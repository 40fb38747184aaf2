//! `b2b vzp davky send FILE`: a batch file filed over AS2, against the embedded sandbox (which
//! answers with the protocol of its syntax check) or a real endpoint.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sdk_runtime::as2::exchange::{self, Receiver, Sent};
use sdk_runtime::as2::message::Received;
use sdk_runtime::as2::store::{self, Store};
use sdk_runtime::as2::{DecryptionKey, LocalParty, Partner};
use sdk_runtime::transport::HttpClient;
use sdk_runtime::url::Url;
use sdk_runtime::wssec::SigningIdentity;
use sdk_vzp::nastaveni_uctu::types::{As2Id, NastaveniKomunikacePozadavek, TypKomunikace};
use sdk_vzp::podani::{self, PrectenyProtokol, StavDavky};
use sdk_vzp::sandbox::{AS2_ID, Sandbox};

use crate::cli::DavkySendArgs;
use crate::failure::Failure;
use crate::{identity, output};

/// Our AS2 identifier with the embedded sandbox.
const CLI_AS2_ID: &str = "B2B-CLI-AS2";

pub async fn send(args: DavkySendArgs) -> Result<(), Failure> {
    let file_name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Failure::Usage(format!("{}: not a file name", args.file.display())))?
        .to_owned();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", args.file.display())))?;
    if args.common.endpoint.is_some() {
        return send_real(&args, &file_name, &bytes).await;
    }
    let failed = |what: &str, e: &dyn std::fmt::Display| Failure::Failed(format!("{what}: {e}"));
    let sandbox =
        Sandbox::start().map_err(|e| failed("cannot start the embedded VZP sandbox", &e))?;
    eprintln!(
        "note: using the embedded VZP sandbox with fictitious data and its own syntax rules \
         (nothing leaves this computer)"
    );
    let cert = sandbox
        .issue_as2_client_cert("b2b cli")
        .map_err(|e| failed("sandbox certificate", &e))?;
    let id = cert
        .identity()
        .map_err(|e| failed("sandbox certificate", &e))?;
    let local = LocalParty::new(CLI_AS2_ID)
        .signing(SigningIdentity::from_identity(id.clone()).map_err(|e| failed("signing key", &e))?)
        .decryption(DecryptionKey::from_identity(&id).map_err(|e| failed("decryption key", &e))?);
    let vzp = Partner::new(AS2_ID, sandbox.as2_certificate_der());
    let timeout = Duration::from_secs(args.common.timeout);
    let http = HttpClient::builder()
        .identity(id.clone())
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .and_then(|b| b.timeout(timeout).build())
        .map_err(|e| failed("cannot set up the HTTPS client", &e))?;
    // Without --store, a temporary store removed however the run ends.
    let temporary = args.store.is_none().then(TemporaryStore::new);
    let store_path = match (&args.store, &temporary) {
        (Some(path), _) => path.clone(),
        (None, Some(t)) => t.0.clone(),
        (None, None) => std::env::temp_dir().join("b2b-davky.sqlite"),
    };
    let store = Store::open(&store_path).map_err(|e| failed("the AS2 store", &e))?;

    // Our AS2 endpoint, where the sandbox pushes the protocol.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Received>();
    let application: exchange::Sink = Arc::new(move |r: &Received| {
        let _ = tx.send(r.clone());
        Ok(())
    });
    let receiver = Receiver::new(
        local.clone(),
        vec![vzp.clone()],
        store.sink(application),
        http.clone(),
    );
    let server_cert = sandbox
        .issue_server_cert(&["127.0.0.1"])
        .map_err(|e| failed("sandbox certificate", &e))?;
    let server_identity = server_cert
        .identity()
        .map_err(|e| failed("sandbox certificate", &e))?;
    let server = receiver
        .serve(
            std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
            &server_identity,
        )
        .map_err(|e| failed("cannot start the local AS2 endpoint", &e))?;
    let endpoint = server
        .base_url()
        .join("as2")
        .map_err(|e| failed("local AS2 endpoint", &e))?;

    // The account switched to AS2 with that endpoint.
    let client = sdk_vzp::Client::builder()
        .base_url(sandbox.base_url().to_string())
        .identity(id)
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .and_then(|b| b.timeout(timeout).build())
        .map_err(crate::failure::client_build)?;
    let mut settings = NastaveniKomunikacePozadavek::new(TypKomunikace::As2);
    settings.as2url = Some(endpoint.to_string());
    settings.as2id = As2Id::new(CLI_AS2_ID).ok();
    client
        .nastaveni_komunikace(&settings)
        .await
        .map_err(|e| crate::failure::call(e, timeout))?;

    let message_id = file(
        &store,
        &http,
        &sandbox.as2_url(),
        &file_name,
        &bytes,
        &local,
        &vzp,
    )
    .await?;
    // The protocol.
    let protocol = tokio::time::timeout(Duration::from_secs(args.wait), async {
        while let Some(r) = rx.recv().await {
            if podani::je_protokol(&r) {
                return Some(r);
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| {
        Failure::Failed(format!(
            "no protocol came within {} s (--wait); the filing {message_id} is confirmed",
            args.wait
        ))
    })?;
    let read = podani::protokol(&protocol.payload)
        .map_err(|e| Failure::Failed(format!("the protocol cannot be read: {e}")))?;
    report(&args, &file_name, bytes.len(), &message_id, Some(&read))
}

/// A store file in the temporary folder, removed (with its WAL files) when dropped.
struct TemporaryStore(std::path::PathBuf);

impl TemporaryStore {
    fn new() -> Self {
        Self(std::env::temp_dir().join(format!("b2b-davky-{}.sqlite", std::process::id())))
    }
}

impl Drop for TemporaryStore {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// Files `bytes`: kept in `store`, sent with a progress bar, the receipt checked. The filing's
/// `Message-ID`.
async fn file(
    store: &Store,
    http: &HttpClient,
    url: &Url,
    file_name: &str,
    bytes: &[u8],
    local: &LocalParty,
    vzp: &Partner,
) -> Result<String, Failure> {
    // A filing an earlier run kept and did not get confirmed goes first.
    for open in store
        .unconfirmed()
        .map_err(|e| Failure::Failed(format!("the AS2 store: {e}")))?
    {
        eprintln!(
            "note: sending {} again (kept unconfirmed by an earlier run)",
            open.message_id
        );
        let sent = store::resend(store, http, &open.message_id, vzp)
            .await
            .map_err(|e| Failure::Failed(format!("sending {} again: {e}", open.message_id)))?;
        eprintln!("note: {}", describe(&sent));
    }
    let filing = podani::davka(bytes, file_name, local, vzp).map_err(|e| match e {
        podani::PodaniError::Soubor(why) => Failure::Usage(format!("{file_name}: {why}")),
        other => Failure::Failed(other.to_string()),
    })?;
    store
        .keep(&filing, &vzp.as2_id, url)
        .map_err(|e| Failure::Failed(format!("the AS2 store: {e}")))?;
    let bar = output::progress_bar(Some(filing.body.len() as u64), "sent");
    let shown = bar.clone();
    let progress: sdk_runtime::transport::Progress =
        Arc::new(move |sent, _| shown.set_position(sent));
    let sent =
        store::resend_with_progress(store, http, &filing.message_id, vzp, Some(progress)).await;
    bar.finish_and_clear();
    let sent = sent.map_err(|e| {
        Failure::Failed(format!(
            "the filing {} is kept in the store and will be sent again on the next run: {e}",
            filing.message_id
        ))
    })?;
    eprintln!("{file_name}: {}", describe(&sent));
    match sent {
        Sent::Receipt {
            confirmed: true, ..
        } => Ok(filing.message_id),
        Sent::Receipt { outcome, .. } => Err(Failure::Failed(format!(
            "VZP did not confirm the filing: {}",
            outcome.disposition.field()
        ))),
        Sent::Accepted => Ok(filing.message_id),
        _ => Ok(filing.message_id),
    }
}

fn describe(sent: &Sent) -> String {
    match sent {
        Sent::Receipt { outcome, confirmed } => format!(
            "receipt {}{}",
            outcome.disposition.field(),
            if *confirmed {
                " (MIC checked)"
            } else {
                " (NOT confirmed)"
            }
        ),
        _ => "accepted; the receipt comes later".to_owned(),
    }
}

async fn send_real(args: &DavkySendArgs, file_name: &str, bytes: &[u8]) -> Result<(), Failure> {
    let need = |what: &str| Failure::Usage(format!("--endpoint needs {what}"));
    let url_text = args.common.endpoint.as_deref().unwrap_or_default();
    let url = Url::parse(url_text)
        .ok()
        .filter(|u| u.scheme() == "https")
        .ok_or_else(|| {
            Failure::Usage(format!("--endpoint `{url_text}` must be an https:// URL"))
        })?;
    let identity_path = args
        .common
        .identity
        .as_deref()
        .ok_or_else(|| need("--identity"))?;
    let vzp_cert = args.vzp_cert.as_deref().ok_or_else(|| need("--vzp-cert"))?;
    let as2_id = args.as2_id.as_deref().ok_or_else(|| need("--as2-id"))?;
    let vzp_id = args
        .vzp_as2_id
        .as_deref()
        .ok_or_else(|| need("--vzp-as2-id"))?;
    let store_path = args.store.as_deref().ok_or_else(|| need("--store"))?;
    let id = identity::load(identity_path, args.common.key.as_deref())?;
    let local = LocalParty::new(as2_id)
        .signing(
            SigningIdentity::from_identity(id.clone())
                .map_err(|e| Failure::Failed(e.to_string()))?,
        )
        .decryption(DecryptionKey::from_identity(&id).map_err(|e| Failure::Failed(e.to_string()))?);
    let vzp = Partner::new(vzp_id, certificate_der(vzp_cert)?);
    let builder = HttpClient::builder()
        .identity(id)
        .timeout(Duration::from_secs(args.common.timeout));
    let builder = identity::with_ca_files(builder, &args.common.ca, |b, pem| {
        b.add_root_certificates_pem(pem)
    })?;
    let http = builder
        .build()
        .map_err(|e| Failure::Failed(format!("cannot set up the HTTPS client: {e}")))?;
    let store =
        Store::open(store_path).map_err(|e| Failure::Failed(format!("the AS2 store: {e}")))?;
    let message_id = file(&store, &http, &url, file_name, bytes, &local, &vzp).await?;
    eprintln!("note: VZP pushes the protocol to your AS2 endpoint later");
    report(args, file_name, bytes.len(), &message_id, None)
}

/// A certificate file (PEM or DER) as DER.
pub(crate) fn certificate_der(path: &Path) -> Result<Vec<u8>, Failure> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    if bytes.starts_with(b"-----") {
        return CertificateDer::from_pem_slice(&bytes)
            .map(|c| c.to_vec())
            .map_err(|e| Failure::Usage(format!("{}: no PEM certificate: {e}", path.display())));
    }
    Ok(bytes)
}

fn report(
    args: &DavkySendArgs,
    file_name: &str,
    size: usize,
    message_id: &str,
    protocol: Option<&PrectenyProtokol>,
) -> Result<(), Failure> {
    if args.common.json {
        let doc = serde_json::json!({
            "file": file_name,
            "bytes": size,
            "message_id": message_id,
            "confirmed": true,
            "protocol": protocol.map(|p| &p.protokol),
        });
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Failed(format!("cannot write JSON: {e}")))?;
        return output::stdout(&format!("{text}\n"));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Podání {file_name} ({size} B), Message-ID {message_id}: potvrzeno"
    );
    if let Some(p) = protocol {
        let _ = writeln!(
            out,
            "Protokol kontroly: {}",
            if p.prijato() {
                "přijato"
            } else {
                "nepřijato"
            }
        );
        for d in &p.protokol.davka {
            let stav = match &d.stav {
                Some(StavDavky::Prijata) => "přijata".to_owned(),
                Some(StavDavky::PrijataSVarovanim) => "přijata s varováním".to_owned(),
                Some(StavDavky::Odmitnuta) => "odmítnuta".to_owned(),
                Some(other) => other.as_str().to_owned(),
                None => "—".to_owned(),
            };
            let _ = writeln!(
                out,
                "  dávka {}: {stav}{}",
                d.cislo_davky.as_deref().unwrap_or("(bez čísla)"),
                d.pocet_dokladu
                    .map(|n| format!(", dokladů {n}"))
                    .unwrap_or_default()
            );
            for c in &d.chyba {
                let _ = writeln!(
                    out,
                    "    {}{} {}: {}",
                    c.radek.map(|r| format!("řádek {r}, ")).unwrap_or_default(),
                    c.kod.as_deref().unwrap_or("?"),
                    c.zavaznost.as_ref().map_or("", |z| z.as_str()),
                    c.popis.as_deref().unwrap_or("")
                );
            }
        }
        for d in &p.diagnostics {
            eprintln!("warning: {}: {}", d.path, d.message);
        }
    }
    output::stdout(&out)
}
