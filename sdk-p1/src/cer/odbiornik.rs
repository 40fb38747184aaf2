//! The receiver of CeR's notifications (odbiornik notyfikacji), for the provider's endpoint.
//!
//! Every provider in CeR must take notifications of changes to its schedules (seed 001
//! L611-L644): a patient booked or cancelled in IKP, another provider booked into its slot, the
//! waiting room booked a patient. [`Odbiornik`] handles one delivered request: it checks the
//! `SOAPAction`, verifies the WS-Security signature (trust in CeR's signing CA), reads the
//! notification strictly, hands a typed [`Notyfikacja`] to the vendor's handler **once** per
//! `idNotyfikacji` (a redelivery is acknowledged without calling the handler again), and
//! answers the acknowledgement or a SOAP fault. [`Odbiornik::uruchom`] serves it over HTTPS with
//! mutual TLS at the path of the registered public URL (with the provider's server certificate
//! and CeR's client CA); [`Odbiornik::obsluz`] plugs it into a server of the vendor's own.
//!
//! [`sprawdz_publiczny_url`] refuses, outside a sandbox, a URL CeR could not reach: not HTTPS,
//! `localhost`, or an address that is loopback, private, link-local, unique-local, shared or
//! unspecified (the seed: "no private addresses").
//!
//! **Reconstructed**: the notification contract is not public (see `NotyfikacjeCeR.wsdl`).

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use sdk_runtime::server::{MtlsServer, SandboxRequest, SandboxResponse, ServerError, ServerTls};
use sdk_runtime::soap::{Envelope, SoapVersion, write_envelope, write_fault};
use sdk_runtime::url::{Host, Url};
use sdk_runtime::values::DateTime;
use sdk_runtime::wssec::verify::Verifier;
use sdk_runtime::xml::ReadContext;

use super::notyfikacje::operation::przekaz_notyfikacje as op;
use super::notyfikacje::types::{
    IdentyfikatorMT, PrzekazNotyfikacjeRequest, PrzekazNotyfikacjeResponse, RodzajNotyfikacjiMT,
    WizytaMT,
};

/// One notification, as the handler gets it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notyfikacja {
    /// `idNotyfikacji`: the same on every redelivery.
    pub id: String,
    /// Which of the four kinds.
    pub rodzaj: RodzajNotyfikacjiMT,
    /// When it happened in CeR.
    pub czas: DateTime,
    /// The visit as CeR now has it.
    pub wizyta: WizytaMT,
}

/// What the vendor's handler returns: `Err` when it could not take the notification (it is then
/// not marked as handled, CeR gets a fault and redelivers).
pub type WynikObslugi = Result<(), String>;

/// The vendor's handler.
pub type Obsluga =
    Arc<dyn Fn(Notyfikacja) -> Pin<Box<dyn Future<Output = WynikObslugi> + Send>> + Send + Sync>;

/// Where handled notification ids are remembered, so that a redelivery is handled once. The
/// default ([`PamiecNotyfikacji`]) is in memory and bounded; a vendor keeping them in its
/// database across restarts implements this.
pub trait Obsluzone: Send + Sync {
    /// Whether `id` was handled.
    fn czy_obsluzona(&self, id: &str) -> bool;
    /// Marks `id` handled.
    fn oznacz(&self, id: &str);
}

/// In-memory [`Obsluzone`] keeping the last `pojemnosc` ids.
#[derive(Debug)]
pub struct PamiecNotyfikacji {
    pojemnosc: usize,
    stan: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl PamiecNotyfikacji {
    /// Remembers up to `pojemnosc` ids (the oldest forgotten first).
    pub fn new(pojemnosc: usize) -> Self {
        Self {
            pojemnosc: pojemnosc.max(1),
            stan: Mutex::new((HashSet::new(), VecDeque::new())),
        }
    }
}

impl Obsluzone for PamiecNotyfikacji {
    fn czy_obsluzona(&self, id: &str) -> bool {
        self.stan.lock().map(|s| s.0.contains(id)).unwrap_or(false)
    }

    fn oznacz(&self, id: &str) {
        if let Ok(mut s) = self.stan.lock()
            && s.0.insert(id.to_owned())
        {
            s.1.push_back(id.to_owned());
            while s.1.len() > self.pojemnosc {
                if let Some(old) = s.1.pop_front() {
                    s.0.remove(&old);
                }
            }
        }
    }
}

/// The answer to give: HTTP status and SOAP body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Odpowiedz {
    /// 200 for an acknowledgement, 500 for a fault.
    pub status: u16,
    /// The SOAP 1.1 envelope.
    pub body: String,
    /// What happened, for logs.
    pub wynik: Przebieg,
}

/// What [`Odbiornik::obsluz`] did with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Przebieg {
    /// Handed to the handler, which took it.
    Obsluzona(String),
    /// Already handled: acknowledged, the handler not called.
    Powtorzona(String),
    /// Refused before the handler: wrong action, bad signature, not a notification.
    Odrzucona(String),
    /// The handler failed; CeR will redeliver.
    BladObslugi(String),
}

/// The receiver. Cheap to clone.
#[derive(Clone)]
pub struct Odbiornik {
    weryfikator: Option<Arc<Verifier>>,
    obsluga: Obsluga,
    obsluzone: Arc<dyn Obsluzone>,
}

impl fmt::Debug for Odbiornik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Odbiornik")
            .field("verifies_signatures", &self.weryfikator.is_some())
            .finish_non_exhaustive()
    }
}

impl Odbiornik {
    /// A receiver that verifies every notification with `weryfikator` (trust in CeR's signing
    /// CA; Body and Timestamp signed) and remembers handled ids in memory (100,000).
    pub fn new(weryfikator: Verifier, obsluga: Obsluga) -> Self {
        Self {
            weryfikator: Some(Arc::new(weryfikator)),
            obsluga,
            obsluzone: Arc::new(PamiecNotyfikacji::new(100_000)),
        }
    }

    /// A receiver that does not verify signatures: only for a sandbox or a test.
    pub fn bez_weryfikacji_podpisu(obsluga: Obsluga) -> Self {
        Self {
            weryfikator: None,
            obsluga,
            obsluzone: Arc::new(PamiecNotyfikacji::new(100_000)),
        }
    }

    /// Remembers handled ids in `obsluzone` (e.g. the vendor's database).
    pub fn z_pamiecia(mut self, obsluzone: Arc<dyn Obsluzone>) -> Self {
        self.obsluzone = obsluzone;
        self
    }

    /// Serves the receiver over HTTPS with mutual TLS on `adres`, at the path of
    /// `publiczny_url` (the URL registered with CeR; POST only, other paths 404). `tls` holds
    /// the provider's server certificate and the CA of CeR's client certificates. Outside a
    /// sandbox (`sandbox` false) a URL CeR could not reach is refused
    /// ([`sprawdz_publiczny_url`]). Must be called within a Tokio runtime; the server stops when
    /// the returned value is dropped.
    pub fn uruchom(
        &self,
        publiczny_url: &Url,
        sandbox: bool,
        adres: std::net::SocketAddr,
        tls: ServerTls,
    ) -> Result<MtlsServer, BladUruchomienia> {
        if !sandbox {
            sprawdz_publiczny_url(publiczny_url)?;
        }
        let odbiornik = self.clone();
        let sciezka = publiczny_url.path().to_owned();
        let serwer = MtlsServer::start_with(
            adres,
            tls,
            Arc::new(move |req: SandboxRequest| {
                let (o, sciezka) = (odbiornik.clone(), sciezka.clone());
                async move {
                    if req.path != sciezka {
                        return SandboxResponse::new(404, "text/plain", "not found");
                    }
                    if req.method != "POST" {
                        return SandboxResponse::new(405, "text/plain", "POST only");
                    }
                    let odp = o.obsluz(req.header("SOAPAction"), &req.body).await;
                    tracing::info!(przebieg = ?odp.wynik, "CeR notification");
                    SandboxResponse::new(odp.status, "text/xml; charset=utf-8", odp.body)
                }
            }),
        )?;
        Ok(serwer)
    }

    /// Handles one delivered request: its `SOAPAction` header (if any) and body.
    pub async fn obsluz(&self, soap_action: Option<&str>, body: &[u8]) -> Odpowiedz {
        if let Some(a) = soap_action {
            let a = a.trim().trim_matches('"');
            if !a.is_empty() && Some(a) != op::SPEC.action {
                return fault(true, format!("unknown SOAPAction `{a}`"));
            }
        }
        if let Some(w) = &self.weryfikator
            && let Err(e) = w.verify_envelope(body)
        {
            return fault(true, format!("the WS-Security signature was refused: {e}"));
        }
        let n = match read(body) {
            Ok(n) => n,
            Err(e) => return fault(true, e),
        };
        let id = n.id.clone();
        if self.obsluzone.czy_obsluzona(&id) {
            return ack(&n.id, Przebieg::Powtorzona(id));
        }
        match (self.obsluga)(n).await {
            Ok(()) => {
                self.obsluzone.oznacz(&id);
                ack(&id, Przebieg::Obsluzona(id.clone()))
            }
            Err(e) => {
                let mut o = fault(false, format!("the provider could not take it: {e}"));
                o.wynik = Przebieg::BladObslugi(id);
                o
            }
        }
    }
}

fn read(body: &[u8]) -> Result<Notyfikacja, String> {
    let env = Envelope::parse(body).map_err(|e| format!("not a SOAP envelope: {e}"))?;
    let mut cx = ReadContext::new();
    let r: PrzekazNotyfikacjeRequest = env
        .read_body(op::SPEC.input, &mut cx)
        .map_err(|e| format!("not a CeR notification: {e}"))?;
    Ok(Notyfikacja {
        id: r.id_notyfikacji.get().clone(),
        rodzaj: r.rodzaj,
        czas: r.czas_zdarzenia,
        wizyta: r.wizyta,
    })
}

fn ack(id: &str, wynik: Przebieg) -> Odpowiedz {
    match IdentyfikatorMT::new(id.to_owned()) {
        Ok(id) => Odpowiedz {
            status: 200,
            body: write_envelope(
                SoapVersion::V11,
                &[],
                op::SPEC.output,
                &PrzekazNotyfikacjeResponse::new(id, true),
            ),
            wynik,
        },
        Err(e) => fault(true, format!("idNotyfikacji: {e}")),
    }
}

fn fault(client: bool, message: String) -> Odpowiedz {
    Odpowiedz {
        status: 500,
        body: write_fault(SoapVersion::V11, client, &message, None),
        wynik: Przebieg::Odrzucona(message),
    }
}

/// Why [`Odbiornik::uruchom`] did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BladUruchomienia {
    /// The public URL is one CeR could not reach.
    #[error(transparent)]
    Url(#[from] NiepublicznyUrl),
    /// The server could not start.
    #[error(transparent)]
    Serwer(#[from] ServerError),
}

/// Why a URL cannot be registered for notifications.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CeR could not deliver notifications to {url}: {why}")]
#[non_exhaustive]
pub struct NiepublicznyUrl {
    /// The URL.
    pub url: String,
    /// Why.
    pub why: String,
}

/// Checks that CeR can reach `url`: HTTPS, a host that is not `localhost` (nor `*.localhost`,
/// `*.local`), and no loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local,
/// shared (100.64/10), unspecified or documentation address. Outside a sandbox, register only
/// URLs that pass.
pub fn sprawdz_publiczny_url(url: &Url) -> Result<(), NiepublicznyUrl> {
    let bad = |why: &str| NiepublicznyUrl {
        url: url.to_string(),
        why: why.to_owned(),
    };
    if url.scheme() != "https" {
        return Err(bad("not https"));
    }
    match url.host() {
        None => Err(bad("no host")),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local") {
                Err(bad("a local host name"))
            } else {
                Ok(())
            }
        }
        Some(Host::Ipv4(ip)) => niepubliczny(IpAddr::V4(ip)).map_or(Ok(()), |w| Err(bad(w))),
        Some(Host::Ipv6(ip)) => niepubliczny(IpAddr::V6(ip)).map_or(Ok(()), |w| Err(bad(w))),
    }
}

fn niepubliczny(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                Some("a loopback address")
            } else if v4.is_private() {
                Some("a private address")
            } else if v4.is_link_local() {
                Some("a link-local address")
            } else if v4.is_unspecified() || v4.is_broadcast() {
                Some("not a host address")
            } else if o[0] == 100 && (64..128).contains(&o[1]) {
                Some("a shared (carrier-grade NAT) address")
            } else if v4.is_documentation() {
                Some("a documentation address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if let Some(v4) = v6.to_ipv4_mapped() {
                niepubliczny(IpAddr::V4(v4))
            } else if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unspecified() {
                Some("not a host address")
            } else if s[0] & 0xfe00 == 0xfc00 {
                Some("a unique-local (private) address")
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if s[0] == 0x2001 && s[1] == 0x0db8 {
                Some("a documentation address")
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_public_https_urls_pass() {
        for ok in [
            "https://rejestracja.przychodnia.pl/cer/notyfikacje",
            "https://203.0.114.5/x",
            "https://[2a00:1450::1]/x",
        ] {
            sprawdz_publiczny_url(&Url::parse(ok).unwrap()).unwrap();
        }
        for (bad, why) in [
            ("http://przychodnia.pl/x", "https"),
            ("https://localhost:8443/x", "local host"),
            ("https://app.localhost/x", "local host"),
            ("https://127.0.0.1/x", "loopback"),
            ("https://10.1.2.3/x", "private"),
            ("https://172.20.0.1/x", "private"),
            ("https://192.168.1.10/x", "private"),
            ("https://169.254.1.1/x", "link-local"),
            ("https://100.64.0.1/x", "shared"),
            ("https://0.0.0.0/x", "not a host"),
            ("https://[::1]/x", "loopback"),
            ("https://[fd12::1]/x", "unique-local"),
            ("https://[fe80::1]/x", "link-local"),
            ("https://[::ffff:10.0.0.1]/x", "private"),
            ("https://192.0.2.1/x", "documentation"),
        ] {
            let e = sprawdz_publiczny_url(&Url::parse(bad).unwrap()).unwrap_err();
            assert!(e.to_string().contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn the_memory_is_bounded() {
        let m = PamiecNotyfikacji::new(2);
        m.oznacz("a");
        m.oznacz("b");
        m.oznacz("b");
        assert!(m.czy_obsluzona("a") && m.czy_obsluzona("b"));
        m.oznacz("c");
        assert!(!m.czy_obsluzona("a") && m.czy_obsluzona("c"));
    }
}
