//! An in-process fake of the VZP B2B server, for tests, demos and vendors' own test suites.
//!
//! It behaves like the production gateway as far as it is known (`../shared/facts/vzp.md`):
//! HTTPS with a **required client certificate** (issued by the sandbox's own throwaway CA), one
//! path per service under `/B2BProxy/HttpProxy/`, SOAP 1.1 answers whose elements use the prefix
//! `ns0:`, a SOAP fault for malformed requests, and **HTTP 503** when a client exceeds the rate
//! limit.
//!
//! It answers every synchronous service of the crate. All data is fictitious:
//!
//! | číslo pojištěnce | on which dates | Průběh / Stav pojištění | registered with (capitation) | EHIC card |
//! |---|---|---|---|---|
//! | `8001010006` (Jan Novák, 1980-01-01) | from 1980-01-01 | insured, 111 VZP ČR | IČP `12345678` (the caller's own provider) from 2016-03-01 | `80203000010000000001`, 2024-01-01 to 2029-12-31 |
//! | `7552150012` (Marie Dvořáková, 1975-02-15) | to 2019-12-31 / from 2020-01-01 | insured, 111 / 201 VoZP ČR | IČP `24681358` from 2010-01-01 and `13579246` from 2012-09-01 | — |
//! | `9106150009` (Karel Procházka, 1991-06-15) | to 2024-06-30 / later | insured, 205 ČPZP / not insured | — | `80203000010000000002`, 2019-07-01 to 2024-06-30 |
//! | `7001010050` | from 1970-01-01 | insured, 211 ZP MV ČR (check digit by the remainder-10 rule) | — | — |
//! | `450101123` | from 1945-01-01 | insured, 111 VZP ČR (9-digit number) | — | — |
//! | any other valid number | — | not found | not found | — |
//!
//! | IČZ | facility | IČP: workplace, odbornost, contract |
//! |---|---|---|
//! | `12345000` (the caller's own provider, [`SANDBOX_CALLER_ICZ`]) | Zdravotní středisko Sandbox s.r.o., Praha 4 | `12345678`: GP, 001, from 2015-01-01 |
//! | `24681000` | Nemocnice Sandbox, Brno | `24681357`: COVID-19 centre, 955, 2021-12-01 to 2022-12-31; `24681358`: internal medicine, 101, from 2008-01-01 |
//! | `13579000` | Zubní ordinace Sandbox, Ostrava | `13579246`: dentistry, 014, from 2010-05-01 |
//!
//! CRP notices for the original insurer 111: `7552150012` to 201 (filed 2019-09-30, effective
//! 2020-01-01) and `9106150009` to 205 (filed 2019-03-28, effective 2019-07-01). The executors'
//! validation compares surname, first name (case-insensitively) and the birth date if given.
//! `NastaveniB2BUctu2` accepts SOAP, or AS2 with an `https://` as2Url and an as2Id, and renews
//! the account certificate with one issued by the sandbox CA ([`Sandbox::issue_client_cert`]),
//! answering a `SBX-<serial>` UID and the certificate's expiry.
//!
//! `stavVyrizeniPozadavku` is `0` when data was found and `1` when not; a date asked about
//! (`kDatu`, `obdobiOd`) before 1992-01-01, when public health insurance in its present form
//! began, is a fault, as are the rules above. With `kDatu`, the SZZ search lists only facilities
//! with a workplace under contract that day, and only those workplaces. A renewed certificate
//! must be an end-entity certificate for client authentication. **These codes and rules are the sandbox's own**: VZP's code table and fault
//! conditions are not public, so do not rely on them against production.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sdk_runtime::sandbox::{
    Handler, IssuedCert, MtlsServer, SandboxError, SandboxRequest, SandboxResponse, TestPki,
};
use sdk_runtime::soap::{Envelope, OperationSpec, SOAP11_NS, SoapVersion, write_fault};
use sdk_runtime::url::Url;
use sdk_runtime::xml::{Element, ElementName, ReadContext, Validate, XmlRead, XmlWrite, XmlWriter};

use crate::Client;
use crate::generated::{
    nastaveni_uctu, overeni_prukazu, oznameni_puvodni_zzp, prubeh_pojisteni, registrace_kapitace,
    registrujici_pzs, stav_pojisteni, stav_smlouvy, validace_cisla_se, vyhledani_szz,
};

mod as2;
mod services;

pub use as2::{AS2_ID, AS2_PATH};

pub use services::SANDBOX_CALLER_ICZ;

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
    /// How long after an AS2 filing its protocol is pushed to the account's AS2 URL.
    pub as2_answer_delay: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            rate_limit: Some(60),
            rate_window: Duration::from_secs(60),
            response_delay: Duration::ZERO,
            extra_response_elements: false,
            as2_answer_delay: Duration::from_millis(200),
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

    /// Sets the delay before a filing's protocol is pushed.
    pub fn as2_answer_delay(mut self, delay: Duration) -> Self {
        self.as2_answer_delay = delay;
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
    /// The sandbox CA's certificate: renewed account certificates must come from it.
    ca_der: Vec<u8>,
    /// The AS2 side: accounts switched to AS2, filings, pushed protocols.
    as2: Arc<as2::As2Side>,
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
        let as2 = Arc::new(as2::As2Side::new(&pki, config.as2_answer_delay)?);
        let state = Arc::new(State {
            config,
            requests: AtomicUsize::new(0),
            calls: Mutex::new(HashMap::new()),
            ca_der: pki.ca_cert_der().to_vec(),
            as2,
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

    /// The URL of the AS2 endpoint (`…/B2BProxy/AS2`, reconstructed) that takes filings from
    /// accounts switched to AS2.
    pub fn as2_url(&self) -> Url {
        self.base_url()
            .join(AS2_PATH.trim_start_matches('/'))
            .unwrap_or_else(|_| self.base_url())
    }

    /// The sandbox's AS2 certificate (DER): what filings are encrypted for and the sandbox's
    /// receipts and protocols are signed with.
    pub fn as2_certificate_der(&self) -> Vec<u8> {
        self.state.as2.certificate_der().to_vec()
    }

    /// Issues an RSA client certificate for an account that files over AS2: it authenticates
    /// the TLS connection and signs the filings (as VZP pairs one certificate with an account),
    /// and the sandbox encrypts protocols for it.
    pub fn issue_as2_client_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        self.pki.issue_rsa_cert(common_name)
    }

    /// Issues a TLS server certificate (for `names`) the sandbox trusts: for the AS2 endpoint
    /// an account runs to receive protocols.
    pub fn issue_server_cert(&self, names: &[&str]) -> Result<IssuedCert, SandboxError> {
        self.pki.issue_server_cert(names)
    }

    /// Protocols the sandbox pushed to accounts and saw confirmed by their receipts.
    pub fn as2_protocols_pushed(&self) -> usize {
        self.state.as2.pushed()
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
            if request.path == AS2_PATH {
                if request.method != "POST" {
                    return SandboxResponse::new(405, "text/plain; charset=utf-8", "POST")
                        .with_header("Allow", "POST");
                }
                return self.state.as2.filing(&request);
            }
            answer(&request, &self.state)
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

fn answer(request: &SandboxRequest, state: &State) -> SandboxResponse {
    let (config, ca_der) = (&state.config, state.ca_der.as_slice());
    let Some(service) = request.path.strip_prefix(PREFIX) else {
        return SandboxResponse::new(404, "text/plain; charset=utf-8", "not found");
    };
    if request.method != "POST" {
        return SandboxResponse::new(405, "text/plain; charset=utf-8", "method not allowed")
            .with_header("Allow", "POST");
    }
    let env = match Envelope::parse(&request.body) {
        Ok(env) => env,
        Err(e) => return fault(&format!("invalid request: {e}")),
    };
    let body = env.body().child_elements().next();
    let element = body.map_or("", |e| e.local_name());
    let result = match (service, element) {
        ("PrubehPojisteniDruhB2B", _) => call(
            &env,
            prubeh_pojisteni::operation::prubeh_pojisteni_druh_b2b::SPEC,
            config,
            services::prubeh,
        ),
        ("stavSmlouvyICPICPPB2B", _) => call(
            &env,
            stav_smlouvy::operation::stav_smlouvy_icpicppb2b::SPEC,
            config,
            services::smlouva,
        ),
        ("StavPojisteniB2B", _) => {
            #[allow(deprecated)]
            let spec = stav_pojisteni::operation::stav_pojisteni_b2b::SPEC;
            call(&env, spec, config, services::stav_pojisteni)
        }
        ("RegistracePojistenceKapitaceB2B", _) => call(
            &env,
            registrace_kapitace::operation::registrace_pojistence_kapitace_b2b::SPEC,
            config,
            services::registrace_kapitace,
        ),
        ("VyhledaniSZZB2B", _) => call(
            &env,
            vyhledani_szz::operation::vyhledani_szzb2b::SPEC,
            config,
            services::vyhledani_szz,
        ),
        ("OvereniPlatnostiPrukazuB2B", _) => call(
            &env,
            overeni_prukazu::operation::overeni_platnosti_prukazu_b2b::SPEC,
            config,
            services::overeni_prukazu,
        ),
        ("RegistrujiciPZSB2B", _) => call(
            &env,
            registrujici_pzs::operation::registrujici_pzsb2b::SPEC,
            config,
            services::registrujici_pzs,
        ),
        ("OznameniPuvodniZZPB2B", _) => call(
            &env,
            oznameni_puvodni_zzp::operation::oznameni_puvodni_zzpb2b::SPEC,
            config,
            services::oznameni_puvodni_zzp,
        ),
        ("ValidaceCislaPojistenceSEB2B", _) => call(
            &env,
            validace_cisla_se::operation::validace_cisla_pojistence_seb2b::SPEC,
            config,
            services::validace_cisla,
        ),
        // Two operations on one path: the body element says which (no SOAPAction is sent).
        ("NastaveniB2BUctu2", "obnovaCertifikatuPozadavek") => call(
            &env,
            nastaveni_uctu::operation::obnova_certifikatu::SPEC,
            config,
            |input| services::obnova_certifikatu(input, ca_der),
        ),
        ("NastaveniB2BUctu2", _) => call(
            &env,
            nastaveni_uctu::operation::nastaveni_komunikace::SPEC,
            config,
            |input: &nastaveni_uctu::types::NastaveniKomunikacePozadavek| {
                let out = services::nastaveni_komunikace(input)?;
                // The account's choice, for the AS2 endpoint.
                let as2 = match (&input.typ_komunikace, &input.as2id, &input.as2url) {
                    (nastaveni_uctu::types::TypKomunikace::As2, Some(id), Some(url)) => {
                        Some((id.get().clone(), url.clone()))
                    }
                    _ => None,
                };
                state.as2.set_account(&request.client.der, as2);
                Ok(out)
            },
        ),
        _ => return SandboxResponse::new(404, "text/plain; charset=utf-8", "unknown service"),
    };
    match result {
        Ok(body) => SandboxResponse::new(200, "text/xml; charset=utf-8", body),
        Err(message) => fault(&message),
    }
}

/// A SOAP fault with the message as its reason and as the text of a `chyba` detail.
fn fault(message: &str) -> SandboxResponse {
    let mut detail = Element::new(SANDBOX_NS, "chyba");
    detail.push_text(message.to_owned());
    let body = write_fault(SoapVersion::V11, true, message, Some(&detail));
    SandboxResponse::new(500, "text/xml; charset=utf-8", body)
}

/// Reads the request of `spec`, answers it with `answer` and writes the answer.
fn call<I: XmlRead + Validate, O: XmlWrite>(
    env: &Envelope,
    spec: OperationSpec,
    config: &SandboxConfig,
    answer: impl FnOnce(&I) -> Result<O, String>,
) -> Result<String, String> {
    let input = decode::<I>(env, spec.input)?;
    let output = answer(&input)?;
    Ok(encode(spec.output, &output, config))
}

/// Reads a request strictly: anything the schema does not allow is a fault.
fn decode<T: XmlRead + Validate>(env: &Envelope, expected: ElementName) -> Result<T, String> {
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
