//! An in-process SÚKL for tests, demos and vendors' own test suites: LEK-13 over HTTPS with a
//! **required client certificate** (issued by the sandbox's throwaway CA), under `/lek13`.
//!
//! It serves every operation of `openapi/sukl/lek13.yaml` from memory, with the rules the
//! guidance states and the description reconstructs:
//!
//! * SÚKL authorises by the workplace code in the client certificate (guidance C.8): here the
//!   certificate's common name. A body whose `kodPracoviste` differs is refused with 403, as is a
//!   certificate whose common name is not 11 digits.
//! * A body that is not a report of its kind, or breaks the description (patterns, lengths,
//!   ranges, enumerations), is refused with 400 and a `popisChyby` listing every problem; so is
//!   a report without items or with a dispensing date in the future (**the sandbox's own
//!   rules**).
//! * Reports are keyed by their `podaniID`. Creating a stored report again with the same body
//!   answers 200 with the first confirmation (a resend is idempotent); another body under the
//!   same UUID, or a cancelled report, is 409. Cancelling twice answers 204 twice.
//!
//! And it can be told to fail ([`Faults`]): drop the connection before handling a request, or
//! after handling it (the report is stored but the answer is lost), answer 503, or delay — at
//! random rates from a seeded generator, or for the next N requests exactly. [`Sandbox::reports`]
//! and [`Sandbox::stats`] show what it stored and how often, to prove an outbox delivers every
//! report exactly once.
//!
//! Číselníky SÚKL ([`ciselniky`]): a read-only subset of SÚKL's code-list API under
//! `/cissuklapi/v1` on the same server — medicinal products, pharmacies, manufacturer's prices and
//! ATC groups, invented — with SÚKL's `{error}` answers; [`Sandbox::ciselniky_base_url`], and
//! with the feature `ciselniky` a preset client (`Sandbox::ciselniky_client`).
//!
//! eRecept ([`erecept`]): CUER Lékař and CUER Lékárník under `/cuer/Lekar` and `/cuer/Lekarnik`
//! on the same server — a prescription written, found, reserved, dispensed and read back, with
//! HTTP Basic, the request signatures verified and the states checked.
//! [`Sandbox::lekar_builder`] and [`Sandbox::lekarnik_builder`] preset clients for it.

pub mod ciselniky;
pub mod erecept;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use sdk_runtime::decimal;
use sdk_runtime::sandbox::{
    Handler, IssuedCert, MtlsServer, SandboxError, SandboxRequest, SandboxResponse, TestPki,
};
use sdk_runtime::url::Url;
use sdk_runtime::wssec::{SigningIdentity, TrustAnchors, VerificationPolicy, Verifier};
use sdk_runtime::xml::Validate;

use crate::erecept::{BuildErpError, ErpBuilder, Lekar, Lekarnik, Prostredi};

use crate::lek13::{
    Client, ClientBuildError, ClientBuilder, DruhHlaseni, FormaIplp, Hlaseni, Icp, KodSukl,
    Pohlavi, Polozka, WireReport,
};

/// The workplace code of the sandbox's default client certificate (fictitious).
pub const SANDBOX_KOD_PRACOVISTE: &str = "12345678901";
/// The IČZ the sandbox's examples report under (fictitious).
pub const SANDBOX_ICZ: &str = "12345000";
/// The path the sandbox serves LEK-13 under, as the real hosts do (`https://…/lek13`).
pub const BASE_PATH: &str = "/lek13";

/// Fictitious report number `i` of a series (for tests, demos and load): the three kinds in
/// turn (a prescription with a SÚKL-coded product and an individually prepared medicine, a
/// requisition, a restricted sale), dispensed at `vydano` (RFC 3339 or a date). Its key is
/// `{series}-{i}` and its first item's batch `{series}{i:05}`, so both are distinct within a
/// series.
pub fn priklad(series: &str, i: usize, vydano: &str) -> Hlaseni {
    let sarze = format!("{series}{i:05}");
    let kod = KodSukl::known("0012345");
    let icp = Icp::known;
    let h = match i % 3 {
        0 => Hlaseni::recept(&icp("87654321"), 1950 + (i % 50) as i32, Pohlavi::Z)
            .polozka(
                Polozka::registrovany(vydano, decimal!("1.0"), &kod, "PARALEN", &sarze)
                    .hradi(false, decimal!("10.0")),
            )
            .polozka(
                Polozka::iplp(vydano, decimal!("1.0"), "Ung. simplex", FormaIplp::Masti)
                    .hradi(false, decimal!("5.0")),
            ),
        1 => Hlaseni::zadanka(&icp("11223344")).polozka(Polozka::registrovany(
            vydano,
            decimal!("0.5"),
            &kod,
            "BETADINE",
            &sarze,
        )),
        _ => Hlaseni::volny_prodej().polozka(Polozka::otc_s_omezenim(
            vydano,
            decimal!("1.0"),
            &kod,
            "NUROFEN",
            &sarze,
            1990,
            Pohlavi::M,
        )),
    };
    h.klic(format!("{series}-{i}"))
}

/// What goes wrong, and how often.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// Share of requests whose connection is closed before the request is handled.
    pub drop_before: f64,
    /// Share of requests handled (a report stored, changed or cancelled) whose connection is
    /// then closed without an answer: the client cannot know the outcome.
    pub drop_after: f64,
    /// Share of requests answered 503 without being handled.
    pub unavailable: f64,
    /// Each answer waits a random time in this range first.
    pub delay: Option<(Duration, Duration)>,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Drops this share of connections before handling.
    pub fn drop_before(mut self, share: f64) -> Self {
        self.drop_before = share;
        self
    }

    /// Drops this share of connections after handling.
    pub fn drop_after(mut self, share: f64) -> Self {
        self.drop_after = share;
        self
    }

    /// Answers this share of requests with 503.
    pub fn unavailable(mut self, share: f64) -> Self {
        self.unavailable = share;
        self
    }

    /// Delays every answer by a random time in `min..=max`.
    pub fn delay(mut self, min: Duration, max: Duration) -> Self {
        self.delay = Some((min, max.max(min)));
        self
    }
}

/// One fault for [`Sandbox::fail_next`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Close the connection before handling.
    DropBefore,
    /// Handle, then close the connection without answering.
    DropAfter,
    /// Answer with this status and a `popisChyby`, without handling.
    Status(u16),
}

/// How the sandbox starts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// Faults from the start.
    pub faults: Faults,
    /// Seed of the fault generator (the same seed gives the same sequence of decisions).
    pub seed: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            faults: Faults::none(),
            seed: 0x5eed_1e13,
        }
    }
}

impl SandboxConfig {
    /// Sets the faults.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// A report the sandbox holds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StoredReport {
    /// Its UUID.
    pub podani_id: String,
    /// Its kind.
    pub druh: DruhHlaseni,
    /// The workplace it was reported for.
    pub kod_pracoviste: String,
    /// The body as last stored.
    pub body: Value,
    /// When it was first stored.
    pub prijato: OffsetDateTime,
    /// When it was last changed or cancelled.
    pub zmeneno: Option<OffsetDateTime>,
    /// Cancelled.
    pub zruseno: bool,
    /// How many create requests for it were handled (1, plus idempotent resends).
    pub creates: usize,
    /// How many change requests were applied.
    pub changes: usize,
}

/// What the sandbox did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received over authenticated TLS.
    pub requests: usize,
    /// Reports stored by a create (201).
    pub created: usize,
    /// Creates of a stored report with the same body (200).
    pub create_resends: usize,
    /// Changes applied.
    pub changed: usize,
    /// Cancellations applied (the first per report).
    pub cancelled: usize,
    /// Refusals (4xx) sent.
    pub refused: usize,
    /// Connections dropped before handling.
    pub dropped_before: usize,
    /// Connections dropped after handling.
    pub dropped_after: usize,
    /// 5xx answers sent by fault injection.
    pub unavailable: usize,
    /// Requests about a report that arrived while another request about the same report was
    /// still being handled (two senders at once).
    pub overlapping: usize,
}

struct Inner {
    reports: HashMap<String, StoredReport>,
    /// Requests being handled, by report.
    in_flight: HashMap<String, usize>,
    stats: Stats,
    faults: Faults,
    next: Vec<Fault>,
    rng: u64,
}

impl Inner {
    /// xorshift64*: a small, seeded generator; the sandbox needs repeatable decisions, not
    /// cryptographic ones.
    fn random(&mut self) -> f64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (r >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct State {
    inner: Mutex<Inner>,
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking handler must not take the sandbox down with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running sandbox. Stops when dropped.
pub struct Sandbox {
    server: MtlsServer,
    pki: TestPki,
    state: Arc<State>,
    erp: Arc<erecept::ErpState>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url().as_str())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on a free loopback port. Must be called within a Tokio runtime.
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
        let pki = TestPki::new("SÚKL sandbox CA (b2b-sdk, not a real authority)")?;
        let state = Arc::new(State {
            inner: Mutex::new(Inner {
                reports: HashMap::new(),
                in_flight: HashMap::new(),
                stats: Stats::default(),
                faults: config.faults,
                next: Vec::new(),
                rng: config.seed.max(1),
            }),
        });
        let trust = TrustAnchors::from_pem(pki.ca_cert_pem().as_bytes())
            .map_err(|e| SandboxError::Certificate(e.to_string()))?;
        let erp = Arc::new(erecept::ErpState::new(Verifier::new(
            VerificationPolicy::new(trust),
        )));
        let handler: Arc<dyn Handler> = Arc::new(SuklHandler {
            state: state.clone(),
            erp: erp.clone(),
        });
        let server = MtlsServer::start_on(addr, &pki, handler)?;
        Ok(Self {
            server,
            pki,
            state,
            erp,
        })
    }

    /// The base URL to give a client (`https://127.0.0.1:PORT/lek13`).
    pub fn base_url(&self) -> Url {
        let mut url = self.server.base_url();
        url.set_path(BASE_PATH);
        url
    }

    /// The sandbox CA certificate (PEM): clients must trust it, and it issues client
    /// certificates.
    pub fn ca_cert_pem(&self) -> &str {
        self.pki.ca_cert_pem()
    }

    /// Issues a client certificate for the workplace `kod_pracoviste` (its common name).
    pub fn issue_client_cert(&self, kod_pracoviste: &str) -> Result<IssuedCert, SandboxError> {
        self.pki.issue_client_cert(kod_pracoviste)
    }

    /// A client builder preset for this sandbox: a certificate for `kod_pracoviste`, the
    /// sandbox CA as the only trust anchor, the base URL.
    pub fn client_builder(&self, kod_pracoviste: &str) -> Result<ClientBuilder, ClientBuildError> {
        let cert = self
            .pki
            .issue_client_cert(kod_pracoviste)
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        let identity = cert
            .identity()
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        Ok(Client::builder()
            .base_url(self.base_url().to_string())
            .identity(identity)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes()))
    }

    /// A ready client for the workplace [`SANDBOX_KOD_PRACOVISTE`].
    pub fn client(&self) -> Result<Client, ClientBuildError> {
        self.client_builder(SANDBOX_KOD_PRACOVISTE)?.build()
    }

    /// Replaces the fault rates.
    pub fn set_faults(&self, faults: Faults) {
        self.state.lock().faults = faults;
    }

    /// The next `n` requests get `fault` (before the random rates apply).
    pub fn fail_next(&self, n: usize, fault: Fault) {
        let mut inner = self.state.lock();
        for _ in 0..n {
            inner.next.push(fault);
        }
    }

    /// What the sandbox did so far.
    pub fn stats(&self) -> Stats {
        self.state.lock().stats
    }

    /// Every report held, by UUID order.
    pub fn reports(&self) -> Vec<StoredReport> {
        let mut v: Vec<StoredReport> = self.state.lock().reports.values().cloned().collect();
        v.sort_by(|a, b| a.podani_id.cmp(&b.podani_id));
        v
    }

    /// The report held under `podani_id`.
    pub fn report(&self, podani_id: &str) -> Option<StoredReport> {
        self.state.lock().reports.get(podani_id).cloned()
    }

    /// A personal certificate of the sandbox CA for signing eRecept requests (the user's ZEP),
    /// with `common_name` as its subject.
    pub fn podpisovy_certifikat(&self, common_name: &str) -> Result<SigningIdentity, SandboxError> {
        self.pki
            .issue_client_cert(common_name)?
            .signing_identity()
            .map_err(|e| SandboxError::Certificate(e.to_string()))
    }

    fn erp_builder<C>(
        &self,
        builder: ErpBuilder<C>,
        uzivatel: &str,
        podpis: &str,
    ) -> Result<ErpBuilder<C>, BuildErpError> {
        let sandbox = |e: SandboxError| BuildErpError::Sandbox(e.to_string());
        let identity = self
            .pki
            .issue_client_cert(SANDBOX_KOD_PRACOVISTE)
            .and_then(|cert| {
                cert.identity()
                    .map_err(|e| SandboxError::Certificate(e.to_string()))
            })
            .map_err(sandbox)?;
        let signer = self.podpisovy_certifikat(podpis).map_err(sandbox)?;
        Ok(builder
            .prostredi(Prostredi::Vlastni(self.erecept_base_url()))
            .identity(identity)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes())?
            .uzivatel(uzivatel, erecept::SANDBOX_HESLO)
            .pracoviste(SANDBOX_KOD_PRACOVISTE)
            .sw_klienta(erecept::SANDBOX_SW)
            .podpisovy_certifikat(signer))
    }

    /// An eRecept client builder for the sandbox's prescriber ([`erecept::SANDBOX_LEKAR`]): a
    /// TLS certificate for [`SANDBOX_KOD_PRACOVISTE`], the sandbox CA as the only trust anchor,
    /// the user's password, the software identification and a personal signing certificate.
    pub fn lekar_builder(&self) -> Result<ErpBuilder<Lekar>, BuildErpError> {
        self.erp_builder(
            Lekar::builder(),
            erecept::SANDBOX_LEKAR,
            "MUDr. Sandbox Lékař",
        )
    }

    /// An eRecept client builder for the sandbox's pharmacist ([`erecept::SANDBOX_LEKARNIK`]),
    /// preset like [`lekar_builder`](Self::lekar_builder).
    pub fn lekarnik_builder(&self) -> Result<ErpBuilder<Lekarnik>, BuildErpError> {
        self.erp_builder(
            Lekarnik::builder(),
            erecept::SANDBOX_LEKARNIK,
            "PharmDr. Sandbox Lékárník",
        )
    }

    /// The host the eRecept services are on (`https://127.0.0.1:PORT`; the services' paths
    /// `/cuer/Lekar`, `/cuer/Lekarnik` are joined onto it), for
    /// [`Prostredi::Vlastni`].
    pub fn erecept_base_url(&self) -> Url {
        self.server.base_url()
    }

    /// The state of the prescription `id_dokladu` as the sandbox holds it (to check a test).
    pub fn stav_predpisu(&self, id_dokladu: &str) -> Option<String> {
        self.erp
            .stav_predpisu(id_dokladu)
            .map(|s| sdk_runtime::xml::XmlText::to_xml_text(&s).into_owned())
    }

    /// How many prescriptions and dispensings the sandbox's eRecept holds.
    pub fn erecept_counts(&self) -> (usize, usize) {
        self.erp.counts()
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

struct SuklHandler {
    state: Arc<State>,
    erp: Arc<erecept::ErpState>,
}

impl Handler for SuklHandler {
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = SandboxResponse> + Send + '_>> {
        Box::pin(async move {
            if erecept::is_erecept_path(&request.path) {
                return self.erp.respond(&request);
            }
            let report = report_of(&request);
            let (fault, delay) = {
                let mut inner = self.state.lock();
                inner.stats.requests += 1;
                if let Some(id) = &report {
                    let n = inner.in_flight.entry(id.clone()).or_default();
                    *n += 1;
                    if *n > 1 {
                        inner.stats.overlapping += 1;
                    }
                }
                let fault = if inner.next.is_empty() {
                    let f = inner.faults.clone();
                    let r = inner.random();
                    if r < f.drop_before {
                        Some(Fault::DropBefore)
                    } else if r < f.drop_before + f.unavailable {
                        Some(Fault::Status(503))
                    } else if r < f.drop_before + f.unavailable + f.drop_after {
                        Some(Fault::DropAfter)
                    } else {
                        None
                    }
                } else {
                    Some(inner.next.remove(0))
                };
                let delay = inner.faults.delay.map(|(lo, hi)| {
                    let r = inner.random();
                    lo + (hi - lo).mul_f64(r)
                });
                (fault, delay)
            };
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            let response = self.respond(&request, fault);
            if let Some(id) = &report {
                let mut inner = self.state.lock();
                if let Some(n) = inner.in_flight.get_mut(id) {
                    *n -= 1;
                    if *n == 0 {
                        inner.in_flight.remove(id);
                    }
                }
            }
            response
        })
    }
}

/// The report a request is about: the UUID in its path, or in its body for a create.
fn report_of(request: &SandboxRequest) -> Option<String> {
    let path = request.path.strip_prefix(BASE_PATH)?;
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["hlaseni", _druh] if request.method == "POST" => {
            serde_json::from_slice::<Value>(&request.body)
                .ok()?
                .get("podaniID")?
                .as_str()
                .map(str::to_owned)
        }
        ["hlaseni", id, "stav"] => Some((*id).to_owned()),
        ["hlaseni", _, id] => Some((*id).to_owned()),
        _ => None,
    }
}

impl SuklHandler {
    /// The answer after the delay: a fault, or the handled request.
    fn respond(&self, request: &SandboxRequest, fault: Option<Fault>) -> SandboxResponse {
        {
            match fault {
                Some(Fault::DropBefore) => {
                    self.state.lock().stats.dropped_before += 1;
                    return SandboxResponse::drop_connection();
                }
                Some(Fault::Status(status)) => {
                    self.state.lock().stats.unavailable += 1;
                    return chyba(
                        status,
                        "sandbox: služba je dočasně nedostupná (injected fault)",
                    );
                }
                _ => {}
            }
            let now = OffsetDateTime::now_utc();
            let response = {
                let mut inner = self.state.lock();
                let response = answer(&mut inner, request, now);
                if (400..500).contains(&response.status) {
                    inner.stats.refused += 1;
                }
                response
            };
            if fault == Some(Fault::DropAfter) {
                self.state.lock().stats.dropped_after += 1;
                return SandboxResponse::drop_connection();
            }
            response
        }
    }
}

fn json_response(status: u16, body: &Value) -> SandboxResponse {
    SandboxResponse::new(status, "application/json", body.to_string())
}

fn chyba(status: u16, popis: &str) -> SandboxResponse {
    json_response(status, &json!({ "popisChyby": popis }))
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Handles one request (faults aside).
fn answer(inner: &mut Inner, request: &SandboxRequest, now: OffsetDateTime) -> SandboxResponse {
    if ciselniky::is_ciselniky_path(&request.path) {
        return ciselniky::answer(request);
    }
    let Some(path) = request.path.strip_prefix(BASE_PATH) else {
        return chyba(404, "neznámá cesta (LEK-13 is served under /lek13)");
    };
    let kod = request.client.common_name.clone().unwrap_or_default();
    if kod.len() != 11 || !kod.bytes().all(|b| b.is_ascii_digit()) {
        return chyba(
            403,
            "certifikát neobsahuje kód pracoviště (the sandbox reads it from the common name)",
        );
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = request.method.as_str();
    match (method, segments.as_slice()) {
        ("GET", ["status"]) => json_response(
            200,
            &json!({"stav": "OK", "verze": "sandbox", "cas": rfc3339(now)}),
        ),
        ("GET", ["pracoviste"]) => json_response(
            200,
            &json!([{"kodPracoviste": kod, "nazev": "Sandbox lékárna", "icz": SANDBOX_ICZ}]),
        ),
        ("POST", ["hlaseni", druh]) => match DruhHlaseni::parse(druh) {
            Some(druh) => create(inner, &kod, druh, &request.body, now),
            None => chyba(404, "neznámý druh hlášení"),
        },
        (_, ["hlaseni", druh, id]) if DruhHlaseni::parse(druh).is_some() => {
            let druh = DruhHlaseni::parse(druh).unwrap_or(DruhHlaseni::Recept);
            match method {
                "GET" => match find(inner, &kod, druh, id) {
                    Ok(r) => json_response(200, &r.body),
                    Err(e) => e,
                },
                "PUT" => change(inner, &kod, druh, id, &request.body, now),
                "DELETE" => cancel(inner, &kod, druh, id, now),
                _ => chyba(405, "metoda není podporována"),
            }
        }
        ("GET", ["hlaseni", id, "stav"]) => match inner.reports.get(*id) {
            Some(r) if r.kod_pracoviste == kod => {
                let stav = if r.zruseno {
                    "zruseno"
                } else if r.zmeneno.is_some() {
                    "zmeneno"
                } else {
                    "prijato"
                };
                let mut body = json!({
                    "podaniID": r.podani_id,
                    "typHlaseni": r.druh.as_str(),
                    "stav": stav,
                    "prijato": rfc3339(r.prijato),
                });
                if let Some(z) = r.zmeneno {
                    body["zmeneno"] = Value::String(rfc3339(z));
                }
                json_response(200, &body)
            }
            _ => chyba(404, "hlášení nenalezeno"),
        },
        ("GET", ["hlaseni", kod_path, "rok", rok, "mesic", mesic]) => {
            if *kod_path != kod {
                return chyba(403, "kód pracoviště neodpovídá certifikátu");
            }
            let (Ok(rok), Ok(mesic)) = (rok.parse::<i32>(), mesic.parse::<u8>()) else {
                return chyba(400, "rok a měsíc musí být čísla");
            };
            let mut ids: Vec<&str> = inner
                .reports
                .values()
                .filter(|r| r.kod_pracoviste == kod)
                .filter(|r| {
                    WireReport::from_json(r.druh, &r.body.to_string())
                        .ok()
                        .and_then(|w| w.datum_vydeje())
                        .is_some_and(|d| d.year() == rok && u8::from(d.month()) == mesic)
                })
                .map(|r| r.podani_id.as_str())
                .collect();
            ids.sort_unstable();
            json_response(200, &json!(ids))
        }
        _ => chyba(404, "neznámá cesta"),
    }
}

/// The stored report `id` of kind `druh` of workplace `kod`, or the 404.
fn find<'a>(
    inner: &'a Inner,
    kod: &str,
    druh: DruhHlaseni,
    id: &str,
) -> Result<&'a StoredReport, SandboxResponse> {
    match inner.reports.get(id) {
        Some(r) if r.kod_pracoviste == kod && r.druh == druh => Ok(r),
        _ => Err(chyba(404, "hlášení nenalezeno")),
    }
}

/// Reads and checks a body: a report of kind `druh` that satisfies the description, with items,
/// dispensed not in the future, of the certificate's workplace.
fn read_report(
    kod: &str,
    druh: DruhHlaseni,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(WireReport, Value), SandboxResponse> {
    let text = std::str::from_utf8(body).map_err(|_| chyba(400, "tělo není UTF-8"))?;
    let report = WireReport::from_json(druh, text)
        .map_err(|e| chyba(400, &format!("tělo není hlášení druhu {druh}: {e}")))?;
    if let Err(e) = report.validated() {
        return Err(chyba(400, &e.to_string()));
    }
    if report.kod_pracoviste() != kod {
        return Err(chyba(
            403,
            "kód pracoviště v hlášení neodpovídá kódu v certifikátu",
        ));
    }
    let items = match &report {
        WireReport::Recept(r) => {
            r.reglp.as_ref().map_or(0, Vec::len)
                + r.nereglp.as_ref().map_or(0, Vec::len)
                + r.iplp.as_ref().map_or(0, Vec::len)
        }
        WireReport::Zadanka(r) => {
            r.reglp.as_ref().map_or(0, Vec::len)
                + r.nereglp.as_ref().map_or(0, Vec::len)
                + r.iplp.as_ref().map_or(0, Vec::len)
        }
        WireReport::Volny(r) => r.polozky.len(),
    };
    if items == 0 {
        return Err(chyba(
            400,
            "hlášení neobsahuje žádnou položku (sandbox rule)",
        ));
    }
    if report.datum_vydeje().is_some_and(|d| d > now.date()) {
        return Err(chyba(400, "datum výdeje je v budoucnosti (sandbox rule)"));
    }
    // The canonical form: what the sandbox compares resends against.
    let value: Value =
        serde_json::from_str(text).map_err(|e| chyba(400, &format!("tělo není JSON: {e}")))?;
    Ok((report, value))
}

fn potvrzeni(id: &str, prijato: OffsetDateTime) -> Value {
    json!({"podaniID": id, "prijato": rfc3339(prijato)})
}

fn create(
    inner: &mut Inner,
    kod: &str,
    druh: DruhHlaseni,
    body: &[u8],
    now: OffsetDateTime,
) -> SandboxResponse {
    let (report, value) = match read_report(kod, druh, body, now) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let id = report.podani_id().to_owned();
    if let Some(stored) = inner.reports.get_mut(&id) {
        if stored.kod_pracoviste == kod
            && stored.druh == druh
            && !stored.zruseno
            && stored.body == value
        {
            stored.creates += 1;
            let answer = potvrzeni(&id, stored.prijato);
            inner.stats.create_resends += 1;
            return json_response(200, &answer);
        }
        return chyba(
            409,
            "pod tímto podaniID je uloženo jiné hlášení, nebo je zrušeno",
        );
    }
    inner.reports.insert(
        id.clone(),
        StoredReport {
            podani_id: id.clone(),
            druh,
            kod_pracoviste: kod.to_owned(),
            body: value,
            prijato: now,
            zmeneno: None,
            zruseno: false,
            creates: 1,
            changes: 0,
        },
    );
    inner.stats.created += 1;
    json_response(201, &potvrzeni(&id, now))
}

fn change(
    inner: &mut Inner,
    kod: &str,
    druh: DruhHlaseni,
    id: &str,
    body: &[u8],
    now: OffsetDateTime,
) -> SandboxResponse {
    if let Err(e) = find(inner, kod, druh, id) {
        return e;
    }
    let (report, value) = match read_report(kod, druh, body, now) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if report.podani_id() != id {
        return chyba(400, "podaniID v těle neodpovídá cestě");
    }
    let Some(stored) = inner.reports.get_mut(id) else {
        return chyba(404, "hlášení nenalezeno");
    };
    if stored.zruseno {
        return chyba(409, "hlášení je zrušeno");
    }
    if stored.body != value {
        stored.body = value;
        stored.changes += 1;
        stored.zmeneno = Some(now);
        inner.stats.changed += 1;
    }
    let answer = potvrzeni(id, stored.zmeneno.unwrap_or(stored.prijato));
    json_response(200, &answer)
}

fn cancel(
    inner: &mut Inner,
    kod: &str,
    druh: DruhHlaseni,
    id: &str,
    now: OffsetDateTime,
) -> SandboxResponse {
    if let Err(e) = find(inner, kod, druh, id) {
        return e;
    }
    if let Some(stored) = inner.reports.get_mut(id)
        && !stored.zruseno
    {
        stored.zruseno = true;
        stored.zmeneno = Some(now);
        inner.stats.cancelled += 1;
    }
    SandboxResponse::new(204, "application/json", "")
}
