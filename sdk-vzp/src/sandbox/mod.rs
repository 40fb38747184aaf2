//! An in-process fake of the VZP B2B server, for tests, demos and vendors' own test suites.
//!
//! It behaves like the production gateway as far as it is known (`../shared/facts/vzp.md`):
//! HTTPS with a **required client certificate** (issued by the sandbox's own throwaway CA), one
//! path per service under `/B2BProxy/HttpProxy/`, SOAP 1.1 answers whose elements use the prefix
//! `ns0:`, a SOAP fault for malformed requests, and **HTTP 503** when a client exceeds the rate
//! limit.
//!
//! All data is fictitious:
//!
//! | číslo pojištěnce | on which dates | answer |
//! |---|---|---|
//! | `8001010006` | from 1980-01-01 | insured, 111 VZP ČR |
//! | `7552150012` | to 2019-12-31 / from 2020-01-01 | insured, 111 VZP ČR / 201 VoZP ČR |
//! | `9106150009` | to 2024-06-30 / later | insured, 205 ČPZP / not insured |
//! | `7001010050` | from 1970-01-01 | insured, 211 ZP MV ČR (check digit by the remainder-10 rule) |
//! | `450101123` | from 1945-01-01 | insured, 111 VZP ČR (9-digit number) |
//! | any other valid number | — | not found |
//!
//! | IČP | contract | odbornost |
//! |---|---|---|
//! | `12345678` | from 2015-01-01, open-ended | 001 |
//! | `24681357` | 2021-12-01 to 2022-12-31 | 955 |
//! | any other | — | not found |
//!
//! `stavVyrizeniPozadavku` is `0` when data was found and `1` when not. **These codes are the
//! sandbox's own**: VZP's code table is not public, so do not rely on them against production.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sdk_runtime::Date;
use sdk_runtime::sandbox::{
    Handler, IssuedCert, MtlsServer, SandboxError, SandboxRequest, SandboxResponse, TestPki,
};
use sdk_runtime::soap::{Envelope, SOAP11_NS, SoapVersion, write_fault};
use sdk_runtime::url::Url;
use sdk_runtime::xml::{Element, ElementName, ReadContext, Validate, XmlRead, XmlWrite, XmlWriter};

use crate::Client;
use crate::generated::prubeh_pojisteni::{self, types as pp};
use crate::generated::stav_smlouvy::{self, types as ss};

/// Namespace of the sandbox's fault details.
pub const SANDBOX_NS: &str = "urn:x-b2b-sdk:vzp-sandbox";

/// How the sandbox behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// At most this many requests per client certificate within `rate_window`; more get HTTP
    /// 503, as VZP answers. `None` switches the limit off.
    pub rate_limit: Option<usize>,
    /// The window of the rate limit.
    pub rate_window: Duration,
    /// Delay before every answer (to exercise client timeouts).
    pub response_delay: Duration,
    /// Adds an element the schema does not know to every answer (servers add elements over
    /// time; clients must keep working).
    pub extra_response_elements: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            rate_limit: Some(60),
            rate_window: Duration::from_secs(60),
            response_delay: Duration::ZERO,
            extra_response_elements: false,
        }
    }
}

impl SandboxConfig {
    /// Sets the rate limit (requests per window), `None` for no limit.
    pub fn rate_limit(mut self, max: Option<usize>, window: Duration) -> Self {
        self.rate_limit = max;
        self.rate_window = window;
        self
    }

    /// Delays every answer.
    pub fn response_delay(mut self, delay: Duration) -> Self {
        self.response_delay = delay;
        self
    }

    /// Adds unknown elements to answers.
    pub fn extra_response_elements(mut self, yes: bool) -> Self {
        self.extra_response_elements = yes;
        self
    }
}

struct State {
    config: SandboxConfig,
    requests: AtomicUsize,
    calls: Mutex<HashMap<Vec<u8>, VecDeque<Instant>>>,
}

/// A running sandbox. Stops when dropped.
pub struct Sandbox {
    server: MtlsServer,
    pki: TestPki,
    state: Arc<State>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url().as_str())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on a free loopback port with the default configuration. Must be called
    /// within a Tokio runtime.
    pub fn start() -> Result<Self, SandboxError> {
        Self::start_with(SandboxConfig::default())
    }

    /// Starts a sandbox with `config`.
    pub fn start_with(config: SandboxConfig) -> Result<Self, SandboxError> {
        Self::start_on(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), config)
    }

    /// Starts a sandbox listening on `addr`.
    pub fn start_on(
        addr: std::net::SocketAddr,
        config: SandboxConfig,
    ) -> Result<Self, SandboxError> {
        let pki = TestPki::new("VZP B2B sandbox CA (b2b-sdk, not a real authority)")?;
        let state = Arc::new(State {
            config,
            requests: AtomicUsize::new(0),
            calls: Mutex::new(HashMap::new()),
        });
        let handler: Arc<dyn Handler> = Arc::new(VzpHandler {
            state: state.clone(),
        });
        let server = MtlsServer::start_on(addr, &pki, handler)?;
        Ok(Self { server, pki, state })
    }

    /// The base URL to give a [`Client`] (`https://127.0.0.1:PORT/`).
    pub fn base_url(&self) -> Url {
        self.server.base_url()
    }

    /// The sandbox CA certificate (PEM): clients must trust it, and it issues client certificates.
    pub fn ca_cert_pem(&self) -> &str {
        self.pki.ca_cert_pem()
    }

    /// Issues a client certificate the sandbox accepts.
    pub fn issue_client_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        self.pki.issue_client_cert(common_name)
    }

    /// A ready client: a fresh client certificate, the sandbox CA as the only trust anchor.
    pub fn client(&self) -> Result<Client, crate::ClientBuildError> {
        self.client_builder("sandbox client")
            .and_then(crate::ClientBuilder::build)
    }

    /// A client builder preset for this sandbox (certificate for `common_name`, trust, URL), to
    /// adjust timeouts before building.
    pub fn client_builder(
        &self,
        common_name: &str,
    ) -> Result<crate::ClientBuilder, crate::ClientBuildError> {
        let sandbox_error =
            |e: &dyn std::fmt::Display| crate::ClientBuildError::Sandbox(e.to_string());
        let cert = self
            .pki
            .issue_client_cert(common_name)
            .map_err(|e| sandbox_error(&e))?;
        let identity = cert.identity().map_err(|e| sandbox_error(&e))?;
        Client::builder()
            .base_url(self.base_url().to_string())
            .identity(identity)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes())
    }

    /// How many HTTP requests reached the sandbox (over authenticated TLS) so far.
    pub fn requests_received(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

struct VzpHandler {
    state: Arc<State>,
}

impl Handler for VzpHandler {
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = SandboxResponse> + Send + '_>> {
        Box::pin(async move {
            self.state.requests.fetch_add(1, Ordering::SeqCst);
            if !self.state.config.response_delay.is_zero() {
                tokio::time::sleep(self.state.config.response_delay).await;
            }
            if self.rate_limited(&request) {
                return SandboxResponse::new(
                    503,
                    "text/html; charset=utf-8",
                    "<html><body><h1>503 Service Unavailable</h1></body></html>",
                );
            }
            answer(&request, &self.state.config)
        })
    }
}

impl VzpHandler {
    fn rate_limited(&self, request: &SandboxRequest) -> bool {
        let Some(max) = self.state.config.rate_limit else {
            return false;
        };
        let now = Instant::now();
        let window = self.state.config.rate_window;
        let mut calls = self
            .state
            .calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let times = calls.entry(request.client.der.to_vec()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > window)
        {
            times.pop_front();
        }
        if times.len() >= max {
            return true;
        }
        times.push_back(now);
        false
    }
}

const PREFIX: &str = "/B2BProxy/HttpProxy/";

fn answer(request: &SandboxRequest, config: &SandboxConfig) -> SandboxResponse {
    let Some(service) = request.path.strip_prefix(PREFIX) else {
        return SandboxResponse::new(404, "text/plain; charset=utf-8", "not found");
    };
    if request.method != "POST" {
        return SandboxResponse::new(405, "text/plain; charset=utf-8", "method not allowed")
            .with_header("Allow", "POST");
    }
    let result = match service {
        "PrubehPojisteniDruhB2B" => {
            let spec = prubeh_pojisteni::operation::prubeh_pojisteni_druh_b2b::SPEC;
            decode::<pp::PrubehPojisteniDruhB2BPozadavek>(&request.body, spec.input)
                .map(|input| encode(spec.output, &prubeh(&input), config))
        }
        "stavSmlouvyICPICPPB2B" => {
            let spec = stav_smlouvy::operation::stav_smlouvy_icpicppb2b::SPEC;
            decode::<ss::StavSmlouvyICPICPPB2BZadost>(&request.body, spec.input)
                .map(|input| encode(spec.output, &smlouva(&input), config))
        }
        _ => return SandboxResponse::new(404, "text/plain; charset=utf-8", "unknown service"),
    };
    match result {
        Ok(body) => SandboxResponse::new(200, "text/xml; charset=utf-8", body),
        Err(message) => {
            let mut detail = Element::new(SANDBOX_NS, "chyba");
            detail.push_text(message.clone());
            let body = write_fault(SoapVersion::V11, true, &message, Some(&detail));
            SandboxResponse::new(500, "text/xml; charset=utf-8", body)
        }
    }
}

/// Reads a request strictly: anything the schema does not allow is a fault.
fn decode<T: XmlRead + Validate>(body: &[u8], expected: ElementName) -> Result<T, String> {
    let env = Envelope::parse(body).map_err(|e| format!("invalid request: {e}"))?;
    if env.version != SoapVersion::V11 {
        return Err("this service speaks SOAP 1.1".to_owned());
    }
    let mut cx = ReadContext::new();
    let body_el = env.body();
    if !body_el
        .child_elements()
        .any(|e| e.is(expected.ns, expected.local))
    {
        return Err(format!("the body must hold `{}`", expected.local));
    }
    let input: T = env
        .read_body(expected, &mut cx)
        .map_err(|e| format!("invalid request: {e}"))?;
    if let Some(d) = cx.diagnostics().first() {
        return Err(format!("invalid request: {d}"));
    }
    input
        .validated()
        .map_err(|e| format!("invalid request: {e}"))?;
    Ok(input)
}

/// Writes an answer as the production server does: `soapenv:` envelope, `ns0:` payload.
fn encode<T: XmlWrite>(name: ElementName, body: &T, config: &SandboxConfig) -> String {
    let mut w = XmlWriter::with_prefixes("ns", 0);
    w.declaration();
    w.start_prefixed("soapenv", SOAP11_NS, "Envelope");
    w.start_prefixed("soapenv", SOAP11_NS, "Body");
    w.start(name.ns, name.local);
    body.write_xml(&mut w);
    if config.extra_response_elements {
        w.leaf(
            name.ns,
            "poznamka",
            "sandbox: an element this client does not know",
        );
    }
    w.end();
    w.end();
    w.end();
    w.finish()
}

fn date(y: i32, m: u8, d: u8) -> Option<Date> {
    let month = time::Month::try_from(m).ok()?;
    Date::from_calendar_date(y, month, d).ok()
}

const INSURERS: &[(&str, &str)] = &[
    ("111", "VŠEOBECNÁ ZDRAVOTNÍ POJIŠŤOVNA ČESKÉ REPUBLIKY"),
    ("201", "VOJENSKÁ ZDRAVOTNÍ POJIŠŤOVNA ČESKÉ REPUBLIKY"),
    ("205", "ČESKÁ PRŮMYSLOVÁ ZDRAVOTNÍ POJIŠŤOVNA"),
    (
        "211",
        "ZDRAVOTNÍ POJIŠŤOVNA MINISTERSTVA VNITRA ČESKÉ REPUBLIKY",
    ),
];

/// A calendar day in the data tables.
type Day = (i32, u8, u8);

/// One period of insurance of one person.
struct Period {
    number: &'static str,
    from: Day,
    to: Option<Day>,
    insurer: &'static str,
}

const PERIODS: &[Period] = &[
    Period {
        number: "8001010006",
        from: (1980, 1, 1),
        to: None,
        insurer: "111",
    },
    Period {
        number: "7552150012",
        from: (1975, 2, 15),
        to: Some((2019, 12, 31)),
        insurer: "111",
    },
    Period {
        number: "7552150012",
        from: (2020, 1, 1),
        to: None,
        insurer: "201",
    },
    Period {
        number: "9106150009",
        from: (1991, 6, 15),
        to: Some((2024, 6, 30)),
        insurer: "205",
    },
    Period {
        number: "7001010050",
        from: (1970, 1, 1),
        to: None,
        insurer: "211",
    },
    Period {
        number: "450101123",
        from: (1945, 1, 1),
        to: None,
        insurer: "111",
    },
];

/// `true` when `day` lies in `[from, to]` (`to` open when `None`).
fn within(day: Date, from: Day, to: Option<Day>) -> bool {
    date(from.0, from.1, from.2).is_some_and(|f| f <= day)
        && to.is_none_or(|t| date(t.0, t.1, t.2).is_some_and(|t| day <= t))
}

fn prubeh(input: &pp::PrubehPojisteniDruhB2BPozadavek) -> pp::PrubehPojisteniDruhB2BOdpoved {
    let number = input.cislo_pojistence.as_str();
    let mut out = pp::PrubehPojisteniDruhB2BOdpoved::new();
    let known: Vec<&Period> = PERIODS.iter().filter(|p| p.number == number).collect();
    if known.is_empty() {
        out.stav_vyrizeni_pozadavku = Some("1".to_owned());
        return out;
    }
    match known.iter().find(|p| within(input.k_datu, p.from, p.to)) {
        Some(p) => {
            out.stav = Some(pp::StavPojisteni::Pojisten);
            out.kod_pojistovny = pp::KodPojistovny::new(p.insurer).ok();
            out.nazev_pojistovny = INSURERS
                .iter()
                .find(|(c, _)| *c == p.insurer)
                .map(|(_, n)| (*n).to_owned());
            out.druh_pojisteni =
                Some("1 - veřejné zdravotní pojištění (nepřeúčtované přes CMU)".to_owned());
        }
        None => out.stav = Some(pp::StavPojisteni::Nepojisten),
    }
    out.stav_vyrizeni_pozadavku = Some("0".to_owned());
    out
}

/// One workplace's contract with VZP.
struct Contract {
    icp: &'static str,
    from: Day,
    to: Option<Day>,
    odbornost: &'static str,
    nazev_zz: &'static str,
    nazev_p: &'static str,
    ulice: &'static str,
    misto: &'static str,
    psc: &'static str,
    prijmeni_jmeno: &'static str,
}

const CONTRACTS: &[Contract] = &[
    Contract {
        icp: "12345678",
        from: (2015, 1, 1),
        to: None,
        odbornost: "001",
        nazev_zz: "Zdravotní středisko Sandbox s.r.o.",
        nazev_p: "Ordinace praktického lékaře",
        ulice: "Fiktivní 12",
        misto: "Praha 4",
        psc: "14000",
        prijmeni_jmeno: "Nováková Jana",
    },
    Contract {
        icp: "24681357",
        from: (2021, 12, 1),
        to: Some((2022, 12, 31)),
        odbornost: "955",
        nazev_zz: "Nemocnice Sandbox",
        nazev_p: "Odběrové centrum - COVID19",
        ulice: "U testu 2",
        misto: "Brno",
        psc: "60200",
        prijmeni_jmeno: "Svoboda Petr",
    },
];

fn smlouva(input: &ss::StavSmlouvyICPICPPB2BZadost) -> ss::StavSmlouvyICPICPPB2BOdpoved {
    let mut out = ss::StavSmlouvyICPICPPB2BOdpoved::new();
    let found = CONTRACTS
        .iter()
        .find(|c| c.icp == input.icp_icpp.as_str() && within(input.k_datu, c.from, c.to));
    let Some(c) = found else {
        out.stav_vyrizeni_pozadavku = Some("1".to_owned());
        return out;
    };
    out.stav_vyrizeni_pozadavku = Some("0".to_owned());
    out.odbornost = Some(c.odbornost.to_owned());
    out.datum_od = date(c.from.0, c.from.1, c.from.2);
    out.datum_do = c.to.and_then(|t| date(t.0, t.1, t.2));
    out.nazev_zz = Some(c.nazev_zz.to_owned());
    out.nazev_p = Some(c.nazev_p.to_owned());
    out.ulice = Some(c.ulice.to_owned());
    out.misto = Some(c.misto.to_owned());
    out.psc = Some(c.psc.to_owned());
    out.prijmeni_jmeno = Some(c.prijmeni_jmeno.to_owned());
    out
}
