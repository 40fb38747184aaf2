//! An in-process fake of VECOZO, for tests, demos and vendors' own test suites.
//!
//! HTTPS with a **required client certificate** issued by the sandbox's own throwaway CA and
//! carrying an AGB code in its subject ([`Sandbox::issue_systeemcertificaat`]; see
//! [`crate::certificaat`] for where). It serves:
//!
//! * **COV** at `/cov/vz801802/v1/soap11` (SOAP 1.1) and `/cov/vz801802/v1/soap12` (SOAP 1.2):
//!   each query answered on its own from the table below; a request that breaks the schema
//!   (e.g. 21 queries) is a SOAP fault; a certificate without an AGB code gets the fault
//!   "Niet geauthenticeerd".
//! * **the Instroomservice** at `/machtigingenportaal/instroom/v1/instroom`: the institution in
//!   the data must be the certificate's (else 403 `INSTANTIE_ONGELIJK`) and the care provider
//!   one of the register below (else 400 `ZORGVERLENER_ONBEKEND`); the answer is a link under
//!   `/machtigingenportaal/aanvraag/`.
//! * **the VSP-Koppeling** (REST Push and Pull V1, Berichtstatus V2 and V3) under VECOZO's own
//!   paths, e.g. `/berichtenservice/berichten/rest-push/v1`: a message pushed by one party's
//!   certificate waits for its addressees (AGB codes) until each confirms it, and its status
//!   moves from offered to delivered. Its rules, codes and limits are in [`vsp`].
//!
//! All data is fictitious:
//!
//! | BSN | born | insured (UZOVI, policy, from – to) |
//! |---|---|---|
//! | `111222333` | 1980-01-01 | `3311`, `ZV100001`, basic, from 2020-01-01 |
//! | `123456782` | 1975-05-05 | `0101`, `ZV200002`, basic, 2010-01-01 – 2023-12-31; `3311`, `ZV200003`, basic, from 2024-01-01 |
//! | any other valid BSN | — | `BSNOnbekend` |
//!
//! A query whose date of birth differs from the person's is `GeenVerzekeringGevonden`, as is
//! a reference date (Peildatum) outside every period. Registered care providers (AGB):
//! [`SANDBOX_AGB_ZORGVERLENER`] and `01123457`. **These codes and rules are the sandbox's own**
//! (VECOZO's result-code tables are not public).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sdk_runtime::Date;
use sdk_runtime::client::ClientBuildError;
use sdk_runtime::sandbox::{
    Handler, IssuedCert, MtlsServer, SandboxError, SandboxRequest, SandboxResponse, TestPki,
};
use sdk_runtime::soap::{Envelope, SoapVersion, write_envelope, write_fault};
use sdk_runtime::url::Url;
use sdk_runtime::xml::{ReadContext, Validate};

use crate::certificaat;
use crate::cov::{Cov, SoapVersie};
use crate::generated::cov::operation::controleer as op;
use crate::generated::cov::types::{
    ControleerResponse2, RetourberichtresultaatType, Soortverzekering, Uzovi, Verzekerdenummer,
    Verzekering, Zoekopdracht, Zoekresultaat, Zoekresultaatcode, Zoekresultaten,
};
use crate::generated::instroom::types::{Foutmelding, Instroomlink, Instroomverzoek};
use crate::instroom::Instroom;

pub mod vsp;

/// The sandbox practice's AGB code (a general practice: third digit 5).
pub const SANDBOX_AGB_PRAKTIJK: &str = "01500123";
/// A care provider registered in the sandbox.
pub const SANDBOX_AGB_ZORGVERLENER: &str = "01123456";
/// The Instroomservice's path on the sandbox.
pub const INSTROOM_BASE_PATH: &str = "/machtigingenportaal/instroom/v1";

const ZORGVERLENERS: &[&str] = &[SANDBOX_AGB_ZORGVERLENER, "01123457"];

/// OID arcs of the subject's serialNumber attribute.
const SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];

/// A running sandbox. Stops when dropped.
pub struct Sandbox {
    server: MtlsServer,
    pki: TestPki,
    requests: Arc<AtomicUsize>,
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
        let pki = TestPki::new("VECOZO sandbox CA (b2b-sdk, not a real authority)")?;
        let requests = Arc::new(AtomicUsize::new(0));
        let handler: Arc<dyn Handler> = Arc::new(VecozoHandler {
            requests: requests.clone(),
            vsp: vsp::Vsp::default(),
        });
        let server = MtlsServer::start_on(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            &pki,
            handler,
        )?;
        Ok(Self {
            server,
            pki,
            requests,
        })
    }

    /// The gateway's base URL (`https://127.0.0.1:PORT/`).
    pub fn base_url(&self) -> Url {
        self.server.base_url()
    }

    /// The Instroomservice's base URL on the sandbox.
    pub fn instroom_url(&self) -> Url {
        let mut url = self.base_url();
        url.set_path(INSTROOM_BASE_PATH);
        url
    }

    /// The sandbox CA certificate (PEM): clients must trust it.
    pub fn ca_cert_pem(&self) -> &str {
        self.pki.ca_cert_pem()
    }

    /// Issues a system certificate for the institution `agb` (its subject's serialNumber).
    pub fn issue_systeemcertificaat(&self, agb: &str) -> Result<IssuedCert, SandboxError> {
        self.pki.issue_client_cert_with_subject(
            &format!("Systeemcertificaat {agb}"),
            &[(SERIAL_NUMBER, agb)],
        )
    }

    /// Issues a personal certificate for `naam` under the institution `agb`.
    pub fn issue_persoonlijk_certificaat(
        &self,
        naam: &str,
        agb: &str,
    ) -> Result<IssuedCert, SandboxError> {
        self.pki
            .issue_client_cert_with_subject(naam, &[(SERIAL_NUMBER, agb)])
    }

    /// Issues a client certificate with no AGB code (which VECOZO does not accept).
    pub fn issue_certificaat_zonder_agb(&self, naam: &str) -> Result<IssuedCert, SandboxError> {
        self.pki.issue_client_cert(naam)
    }

    /// An HTTP client authenticated by `certificaat`, trusting only the sandbox CA.
    pub fn http_client(
        &self,
        certificaat: &IssuedCert,
    ) -> Result<sdk_runtime::transport::HttpClient, ClientBuildError> {
        let identity = certificaat
            .identity()
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        Ok(sdk_runtime::transport::HttpClient::builder()
            .identity(identity)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes())?
            .build()?)
    }

    /// A COV client of the sandbox practice over `versie`.
    pub fn cov(&self, versie: SoapVersie) -> Result<Cov, ClientBuildError> {
        let cert = self
            .issue_systeemcertificaat(SANDBOX_AGB_PRAKTIJK)
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        let http = self.http_client(&cert)?;
        Cov::new(http, &self.base_url(), versie).map_err(|source| ClientBuildError::BaseUrl {
            url: self.base_url().to_string(),
            source,
        })
    }

    /// The generated family client of the sandbox practice (COV over SOAP 1.1).
    pub fn client(&self) -> Result<crate::Client, ClientBuildError> {
        let cert = self
            .issue_systeemcertificaat(SANDBOX_AGB_PRAKTIJK)
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        let identity = cert
            .identity()
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        crate::Client::builder()
            .base_url(self.base_url().to_string())
            .identity(identity)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes())?
            .build()
    }

    /// An Instroomservice client authenticated by `systeemcertificaat`.
    pub fn instroom(
        &self,
        systeemcertificaat: &IssuedCert,
    ) -> Result<Instroom, Box<dyn std::error::Error + Send + Sync>> {
        let identity = systeemcertificaat.identity()?;
        let http = self.http_client(systeemcertificaat)?;
        Ok(Instroom::new(http, self.instroom_url(), &identity)?)
    }

    /// How many HTTP requests reached the sandbox (over authenticated TLS) so far.
    pub fn requests_received(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

struct VecozoHandler {
    requests: Arc<AtomicUsize>,
    vsp: vsp::Vsp,
}

impl Handler for VecozoHandler {
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = SandboxResponse> + Send + '_>> {
        Box::pin(async move {
            self.requests.fetch_add(1, Ordering::SeqCst);
            match self.vsp.answer(&request) {
                Some(response) => response,
                None => answer(&request),
            }
        })
    }
}

fn answer(request: &SandboxRequest) -> SandboxResponse {
    let versie = match request.path.as_str() {
        "/cov/vz801802/v1/soap11" => Some(SoapVersion::V11),
        "/cov/vz801802/v1/soap12" => Some(SoapVersion::V12),
        _ => None,
    };
    if request.method != "POST" {
        return SandboxResponse::new(405, "text/plain; charset=utf-8", "method not allowed")
            .with_header("Allow", "POST");
    }
    let agb = certificaat::agb_code(&request.client.der, "client certificate");
    if let Some(version) = versie {
        return match agb {
            Ok(_) => cov(request, version),
            Err(e) => soap_fault(version, &format!("Niet geauthenticeerd: {e}")),
        };
    }
    if request.path == format!("{INSTROOM_BASE_PATH}/instroom") {
        return match agb {
            Ok(agb) => instroom(request, agb.as_str()),
            Err(e) => fout(403, "NIET_GEAUTORISEERD", &e.to_string()),
        };
    }
    SandboxResponse::new(404, "text/plain; charset=utf-8", "not found")
}

fn soap_fault(version: SoapVersion, message: &str) -> SandboxResponse {
    SandboxResponse::new(
        500,
        content_type(version),
        write_fault(version, true, message, None),
    )
}

fn content_type(version: SoapVersion) -> &'static str {
    match version {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    }
}

fn cov(request: &SandboxRequest, version: SoapVersion) -> SandboxResponse {
    let env = match Envelope::parse(&request.body) {
        Ok(env) => env,
        Err(e) => return soap_fault(version, &format!("invalid request: {e}")),
    };
    if env.version != version {
        return soap_fault(version, "this endpoint speaks the other SOAP version");
    }
    let mut cx = ReadContext::new();
    let input: op::Input = match env.read_body(op::SPEC.input, &mut cx) {
        Ok(input) => input,
        Err(e) => return soap_fault(version, &format!("invalid request: {e}")),
    };
    if let Some(d) = cx.diagnostics().first() {
        return soap_fault(version, &format!("invalid request: {d}"));
    }
    if let Err(e) = input.validated() {
        return soap_fault(version, &format!("invalid request: {e}"));
    }
    let mut lijst = Zoekresultaten::new();
    lijst.zoekresultaat = input
        .request
        .zoekopdrachten
        .zoekopdracht
        .iter()
        .map(zoek)
        .collect();
    let mut output = ControleerResponse2::new(RetourberichtresultaatType::VerzoekAkkoord);
    output.zoekresultaten = Some(lijst);
    let answer = op::Output::new(output);
    SandboxResponse::new(
        200,
        content_type(version),
        write_envelope(version, &[], op::SPEC.output, &answer),
    )
}

/// A calendar date as (year, month, day).
type Dag = (i32, u8, u8);

/// One insurance: UZOVI, policy number, from, to.
type Polis = (&'static str, &'static str, Dag, Option<Dag>);

/// A fictitious insured person.
struct Persoon {
    bsn: &'static str,
    geboren: Dag,
    verzekeringen: &'static [Polis],
}

const PERSONEN: &[Persoon] = &[
    Persoon {
        bsn: "111222333",
        geboren: (1980, 1, 1),
        verzekeringen: &[("3311", "ZV100001", (2020, 1, 1), None)],
    },
    Persoon {
        bsn: "123456782",
        geboren: (1975, 5, 5),
        verzekeringen: &[
            ("0101", "ZV200002", (2010, 1, 1), Some((2023, 12, 31))),
            ("3311", "ZV200003", (2024, 1, 1), None),
        ],
    },
];

fn date((y, m, d): Dag) -> Option<Date> {
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

fn zoek(q: &Zoekopdracht) -> Zoekresultaat {
    let mut r = Zoekresultaat::new(q.volgnummer.clone(), Zoekresultaatcode::BSNOnbekend);
    r.referentie_zorgaanbieder = q.referentie_zorgaanbieder.clone();
    let Some(bsn) = &q.bsn else {
        r.resultaatcode = Zoekresultaatcode::GeenVerzekeringGevonden;
        return r;
    };
    r.bsn = Some(bsn.clone());
    let Some(persoon) = PERSONEN.iter().find(|p| p.bsn == bsn.as_str()) else {
        return r;
    };
    if date(persoon.geboren) != Some(q.geboortedatum) {
        r.resultaatcode = Zoekresultaatcode::GeenVerzekeringGevonden;
        return r;
    }
    for (uzovi, polis, van, tot) in persoon.verzekeringen {
        let (Some(van), tot) = (date(*van), tot.and_then(date)) else {
            continue;
        };
        if q.peildatum < van || tot.is_some_and(|t| q.peildatum > t) {
            continue;
        }
        if let (Ok(uzovi), Ok(polis)) = (Uzovi::new(*uzovi), Verzekerdenummer::new(*polis)) {
            let mut v = Verzekering::new(uzovi, polis, Soortverzekering::Basisverzekering, van);
            v.einddatum = tot;
            r.verzekering.push(v);
        }
    }
    r.resultaatcode = if r.verzekering.is_empty() {
        Zoekresultaatcode::GeenVerzekeringGevonden
    } else {
        Zoekresultaatcode::VerzekerdeGevonden
    };
    r
}

fn fout(status: u16, code: &str, melding: &str) -> SandboxResponse {
    let body = serde_json::to_vec(&Foutmelding::new(code.to_owned(), melding.to_owned()))
        .unwrap_or_default();
    SandboxResponse::new(status, "application/json", body)
}

fn instroom(request: &SandboxRequest, agb: &str) -> SandboxResponse {
    let verzoek: Instroomverzoek = match serde_json::from_slice(&request.body) {
        Ok(v) => v,
        Err(e) => return fout(400, "ONGELDIG_VERZOEK", &e.to_string()),
    };
    if let Err(e) = verzoek.validated() {
        return fout(400, "ONGELDIG_VERZOEK", &e.to_string());
    }
    if verzoek.instantie.agb_code != agb {
        return fout(
            403,
            "INSTANTIE_ONGELIJK",
            "de AGB-code van de instantie is niet die van het certificaat",
        );
    }
    if !ZORGVERLENERS.contains(&verzoek.zorgverlener.agb_code.as_str()) {
        return fout(
            400,
            "ZORGVERLENER_ONBEKEND",
            "de AGB-code van de zorgverlener is onbekend",
        );
    }
    let id = format!(
        "SBX-{:08}",
        request.body.len() * 7919 % 100_000_000 + usize::from(verzoek.referentie.is_some())
    );
    let link = format!(
        "https://{}/machtigingenportaal/aanvraag/{id}",
        request.header("host").unwrap_or("localhost")
    );
    let geldig = time::OffsetDateTime::now_utc() + time::Duration::minutes(30);
    let geldig_tot = geldig
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut out = Instroomlink::new(id, link, geldig_tot);
    out.referentie = verzoek.referentie.clone();
    match serde_json::to_vec(&out) {
        Ok(body) => SandboxResponse::new(201, "application/json", body),
        Err(e) => fout(500, "INTERN", &e.to_string()),
    }
}
