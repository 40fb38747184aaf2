//! An in-process fake of P1's e-Recepta service (`ObslugaReceptyWS`), for tests, demos and
//! vendors' own test suites.
//!
//! It checks a request the way P1 is known to (../shared/facts/p1.md §2-§4), in P1's order:
//!
//! 1. **mutual TLS**: the handshake needs a client certificate issued by the sandbox's TLS CA
//!    ([`Sandbox::issue_client_cert`]); any other certificate, or none, is refused there;
//! 2. `POST /services/ObslugaReceptyWS` with `SOAPAction: "urn:<operation>"` naming an
//!    e-Recepta operation, and a SOAP 1.1 envelope;
//! 3. **WS-Security**: the envelope must be signed with a certificate issued by the sandbox's
//!    *separate* WSS CA ([`Sandbox::issue_signing_cert`], [`Sandbox::signing_identity`]) and
//!    verify under [`VerificationPolicy::p1`] (Body, `kontekstWywolania` and `wsu:Timestamp`
//!    signed, the timestamp current);
//! 4. the **call context** `kontekstWywolania`: present, the entity (`idPodmiotu…`), the user
//!    (`idUzytkownika…`) and the business role given, each identifier with both halves, the role
//!    one of the published `RolaBiznesowaMT`; storing or cancelling prescriptions needs a
//!    prescriber's role (`LEKARZ_LEK_DENTYSTA_FELCZER`, `PIELEGNIARKA_POLOZNA`);
//! 5. the request element, read strictly: anything the schema does not allow is refused;
//! 6. the operation itself, on in-memory state shared by all clients of this sandbox.
//!
//! A refusal at steps 2-5 is a SOAP fault with P1's declared detail `bledyOperacji`
//! ([`BladUslugi::BledyOperacji`](crate::BladUslugi)):
//!
//! | problem | `kodBleduMajor` (`urn:csioz:p1:erecepta:kodBleduMajor:…`) | `kodBleduMinor` |
//! |---|---|---|
//! | unknown SOAPAction, not an envelope, request element invalid | `niepoprawnyKomunikat` | — |
//! | unsigned: no `wsse:Security`, no `ds:Signature`, no signing certificate | `bladUwierzytelnieniaWSS` | `brakCertyfikatu` |
//! | a signing certificate not issued by the WSS CA, expired, not yet valid or unreadable | `bladUwierzytelnieniaWSS` | `certyfikatNiewazny` |
//! | `wsu:Timestamp` missing, malformed, expired, too old (one without `wsu:Expires` created more than 300 s ago) or in the future (300 s clock skew allowed) | `bladUwierzytelnieniaWSS` | — |
//! | a signature that does not verify: a signed part changed, a required part (Body, `kontekstWywolania`, Timestamp) not signed or missing, signature wrapping, an unsupported algorithm | `bladPodpisuKomunikatuWSS` | — |
//! | `kontekstWywolania` incomplete: an identifier or the role missing, half an identifier, an unknown attribute or role (a missing header is refused at step 3: P1's profile signs it) | `niepoprawnyKomunikat` | `bladKontekstu` |
//! | a role that may not call the operation | `bladAutoryzacji` | `brakUprawnienPracownikaMedycznego` |
//! | a prescription of another entity | `bladAutoryzacji` | `brakUprawnienPodmiotu` |
//! | an operation the sandbox does not offer | `bladWewnetrzny` | — |
//!
//! The codes are P1's published ones (`wyjatki.xsd`); which one P1 itself chooses in each case
//! is not public, so the mapping above is the sandbox's reading of their names.
//!
//! ## Operations
//!
//! | operation | what the sandbox does |
//! |---|---|
//! | `zapisPakietuRecept` | checks each prescription (rules `SANDBOX.1`-`SANDBOX.4` below: a CDA, a unique number in the package, **signed XAdES-BES by a prescriber's certificate**), stores the package when all pass and answers the package key and code and a key per prescription; a package with a failed prescription is not stored (`wynik` [`WYNIK_BLAD_WERYFIKACJI`], the verification results say why) |
//! | `weryfikacjaPakietuRecept` | `SANDBOX.1` and `SANDBOX.2`, no signature required (`SANDBOX.5`: a signed document gets a warning), nothing stored |
//! | `odczytRecepty` | the prescription with its status, verification result, document and cancellation document |
//! | `odczytPakietuRecept` | every prescription of a package |
//! | `zablokowanieRecepty` / `odblokowanieRecepty` | `WYSTAWIONA` → `ZABLOKOWANA` (with the reason) and back |
//! | `zapisDokumentuAnulowaniaRecepty` | `WYSTAWIONA` or `ZABLOKOWANA` → `ANULOWANA`, the document kept |
//! | the other 19 operations | fault `bladWewnetrzny` (not offered) |
//!
//! ## Prescription checks
//!
//! Each prescription gets a `wynikWeryfikacjiZbioruRegul` (rule set [`ZBIOR_REGUL`]) with one
//! `wynikWeryfikacjiReguly` per failed rule. **The rule codes are the sandbox's own**
//! (`SANDBOX.n`): P1's `REG.WER.*` rules are not public.
//!
//! | rule | checked by | result |
//! |---|---|---|
//! | `SANDBOX.1` the document is XML whose root is `ClinicalDocument` (HL7 CDA) | both | `blad` |
//! | `SANDBOX.2` `identyfikatorDokumentuWPakiecie` is unique in the package | both | `blad` |
//! | `SANDBOX.3` the document carries an enveloped signature (`ds:Signature` child of `ClinicalDocument`) | `zapisPakietuRecept` | `blad` |
//! | `SANDBOX.4` that signature verifies: XAdES-BES ([`VerificationPolicy::require_xades`]), the whole document signed and unchanged, by a certificate of the sandbox's **document-signing CA** ([`Sandbox::prescriber_identity`]), valid now | `zapisPakietuRecept` | `blad` |
//! | `SANDBOX.5` the document is signed although `weryfikacjaPakietuRecept` takes documents *without* signature (the signature is not checked) | `weryfikacjaPakietuRecept` | `ostrzezenie` |
//!
//! `SANDBOX.3`/`SANDBOX.4` follow ../shared/facts/p1.md: clinical documents are signed XAdES-BES
//! enveloped with the professional's certificate (§2), and `zapisPakietuRecept` takes
//! electronically signed prescriptions (§5.2). `SANDBOX.4` is checked only for a CDA with a
//! signature. [`TrescDokumentu::podpisz`](crate::TrescDokumentu::podpisz) makes such
//! signatures. `weryfikacjaPakietuRecept` takes prescriptions "without electronic signature"
//! (§5.2); whether P1 refuses signed ones there is not known, so the sandbox accepts them with
//! a warning (`SANDBOX.5`, `ostrzezenie`; `wynik` stays success) rather than guessing either way
//! — a dry run of signed documents does **not** check their signatures, and the warning says so.
//!
//! **The prescriber's certificate is a third one**, from a third CA: the TLS CA issues the
//! entity's TLS certificates, the WSS CA the entity's message-signing ones, and the
//! document-signing CA ([`Sandbox::prescriber_ca_cert_pem`], [`Sandbox::issue_prescriber_cert`])
//! the professionals' certificates that sign documents — as in P1, where the published sample
//! `recepta.xml` is signed by a certificate of `CC P1 SubCA Podpis`, not of `CCP1SubCAWSS`. A
//! document signed with a WSS certificate is refused (`SANDBOX.4`). Cancellation documents
//! (`zapisDokumentuAnulowaniaRecepty`) are not required to be signed: the public sources say
//! so only for prescriptions and dispensings.
//!
//! Unknown keys answer `wynik` [`WYNIK_NIE_ZNALEZIONO`], a status change that is not allowed
//! [`WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU`]. **These failure codes are the sandbox's own**
//! (`urn:x-b2b-sdk:…`): P1's list of result codes is not public. Success is P1's
//! [`WYNIK_SUKCES`]. Keys, package codes and everything stored are fictitious and live as long
//! as the sandbox.
//!
//! With [`SandboxConfig::sign_responses`], answers other than SOAP faults are signed too (Body
//! and Timestamp, by a certificate of the WSS CA), for
//! [`ClientBuilder::verify_responses`](crate::ClientBuilder::verify_responses) with
//! [`Sandbox::response_verifier`]. Faults are never signed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk_runtime::sandbox::{
    Handler, IssuedCert, MtlsServer, SandboxError, SandboxRequest, SandboxResponse, TestPki,
};
use sdk_runtime::soap::{Envelope, OperationSpec, SOAP11_NS, SoapVersion, write_fault_detail};
use sdk_runtime::url::Url;
use sdk_runtime::wssec::keys::SigningIdentity;
use sdk_runtime::wssec::sign::{SigningProfile, WsSecuritySigner};
use sdk_runtime::wssec::verify::{
    TrustAnchors, VerificationPolicy, Verifier, VerifyCheck, VerifyError,
};
use sdk_runtime::xml::{ElementName, ReadContext, Validate, XmlRead, XmlWrite, XmlWriter};

use crate::erecepta::operation as op;
use crate::erecepta::types::{self as t, BledyOperacji, KontekstMT, WynikMT};
use crate::kontekst::{KONTEKST_WYWOLANIA, KontekstWywolania, NazwaAtrybutuKontekstu};
use crate::wyjatki::types::{BladMT, KodBleduMajorMT, KodBleduMinorMT};
use crate::wynik::{BLEDY_OPERACJI, WYNIK_SUKCES};
use crate::{Client, ClientBuildError, ClientBuilder, ERECEPTA_PATH, OPERATIONS, choices};

/// `wynik/major` of the sandbox when a key names nothing stored (the sandbox's own code).
pub const WYNIK_NIE_ZNALEZIONO: &str = "urn:x-b2b-sdk:p1-sandbox:kod:major:NieZnaleziono";
/// `wynik/major` of the sandbox when a prescription failed its checks (the sandbox's own code).
pub const WYNIK_BLAD_WERYFIKACJI: &str = "urn:x-b2b-sdk:p1-sandbox:kod:major:BladWeryfikacji";
/// `wynik/major` of the sandbox when a prescription's status does not allow the operation (the
/// sandbox's own code).
pub const WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU: &str =
    "urn:x-b2b-sdk:p1-sandbox:kod:major:NiedozwolonaZmianaStatusu";
/// `identyfikatorZbioruRegul` of the sandbox's checks.
pub const ZBIOR_REGUL: &str = "SANDBOX-1";

/// How the sandbox behaves.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// Signs every answer that is not a SOAP fault, a failed `wynik` included (Body and
    /// `wsu:Timestamp`), with the sandbox's own certificate from its WSS CA. Faults (HTTP 500,
    /// `bledyOperacji` and the sandbox's internal errors) are never signed.
    pub sign_responses: bool,
    /// Delay before every answer (to exercise client timeouts).
    pub response_delay: Duration,
}

impl SandboxConfig {
    /// Signs the answers that are not faults (see [`SandboxConfig::sign_responses`]).
    pub fn sign_responses(mut self, yes: bool) -> Self {
        self.sign_responses = yes;
        self
    }

    /// Delays every answer.
    pub fn response_delay(mut self, delay: Duration) -> Self {
        self.response_delay = delay;
        self
    }
}

/// Common name of the sandbox's own signing certificate (for signed answers).
const SANDBOX_SIGNER_CN: &str = "P1 e-Recepta sandbox (b2b-sdk)";

/// A running sandbox. Stops when dropped.
pub struct Sandbox {
    server: MtlsServer,
    tls: TestPki,
    wss: TestPki,
    dokumenty: TestPki,
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
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config)
    }

    /// Starts a sandbox listening on `addr`.
    pub fn start_on(addr: SocketAddr, config: SandboxConfig) -> Result<Self, SandboxError> {
        let tls = TestPki::new("P1 sandbox TLS CA (b2b-sdk, not a real authority)")?;
        let wss = TestPki::new("P1 sandbox WSS CA (b2b-sdk, not a real authority)")?;
        let dokumenty =
            TestPki::new("P1 sandbox document-signing CA (b2b-sdk, not a real authority)")?;
        let trust = TrustAnchors::from_pem(wss.ca_cert_pem().as_bytes())
            .map_err(|e| SandboxError::Certificate(e.to_string()))?;
        let documents = document_verifier_of(&dokumenty)?;
        let response_signer = if config.sign_responses {
            let cert = wss.issue_client_cert(SANDBOX_SIGNER_CN)?;
            let identity = signing_identity_of(&cert)?;
            // Body and Timestamp.
            Some(WsSecuritySigner::new(identity, SigningProfile::new()))
        } else {
            None
        };
        let state = Arc::new(State {
            config,
            verifier: Verifier::new(VerificationPolicy::p1(trust)),
            documents,
            response_signer,
            requests: AtomicUsize::new(0),
            store: Mutex::new(Store::default()),
        });
        let handler: Arc<dyn Handler> = Arc::new(P1Handler {
            state: state.clone(),
        });
        let server = MtlsServer::start_on(addr, &tls, handler)?;
        Ok(Self {
            server,
            tls,
            wss,
            dokumenty,
            state,
        })
    }

    /// The base URL to give a [`Client`] (`https://127.0.0.1:PORT/`); the e-Recepta path is
    /// appended by the client.
    pub fn base_url(&self) -> Url {
        self.server.base_url()
    }

    /// The full e-Recepta endpoint (`https://127.0.0.1:PORT/services/ObslugaReceptyWS`).
    pub fn endpoint(&self) -> Url {
        sdk_runtime::soap::endpoint_url(&self.base_url(), ERECEPTA_PATH)
            .unwrap_or_else(|_| self.base_url())
    }

    /// The TLS CA certificate (PEM): clients must trust it (it issued the server certificate),
    /// and it issues the TLS client certificates the handshake accepts.
    pub fn ca_cert_pem(&self) -> &str {
        self.tls.ca_cert_pem()
    }

    /// The WSS CA certificate (PEM): it issues the signing certificates whose signatures the
    /// sandbox accepts, and the sandbox's own when it signs its answers.
    pub fn wss_ca_cert_pem(&self) -> &str {
        self.wss.ca_cert_pem()
    }

    /// Issues a TLS client certificate the handshake accepts (P1's `…-tls.p12`;
    /// [`IssuedCert::identity`] gives the transport identity).
    pub fn issue_client_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        self.tls.issue_client_cert(common_name)
    }

    /// Issues a signing certificate whose signatures the sandbox accepts (P1's `…-wss.p12`;
    /// certificate and key as PEM, see [`signing_identity_of`]).
    pub fn issue_signing_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        self.wss.issue_client_cert(common_name)
    }

    /// A fresh signing identity the sandbox accepts.
    pub fn signing_identity(&self, common_name: &str) -> Result<SigningIdentity, SandboxError> {
        signing_identity_of(&self.issue_signing_cert(common_name)?)
    }

    /// A request signer with P1's profile and a fresh signing identity the sandbox accepts.
    pub fn signer(&self, common_name: &str) -> Result<WsSecuritySigner, SandboxError> {
        Ok(WsSecuritySigner::new(
            self.signing_identity(common_name)?,
            SigningProfile::p1(),
        ))
    }

    /// The document-signing CA certificate (PEM): it issues the prescribers' certificates whose
    /// XAdES-BES signatures on prescriptions `zapisPakietuRecept` accepts (the sandbox's
    /// stand-in for P1's `CC P1 SubCA Podpis`; see the module documentation). Neither the TLS
    /// CA nor the WSS CA.
    pub fn prescriber_ca_cert_pem(&self) -> &str {
        self.dokumenty.ca_cert_pem()
    }

    /// Issues a prescriber's (a physician's, a nurse's) document-signing certificate: the
    /// sandbox accepts prescriptions signed with it
    /// ([`TrescDokumentu::podpisz`](crate::TrescDokumentu::podpisz)). Certificate and key as
    /// PEM; [`signing_identity_of`] makes it a signing identity.
    pub fn issue_prescriber_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        self.dokumenty.issue_client_cert(common_name)
    }

    /// A fresh prescriber's document-signing identity (see [`Sandbox::issue_prescriber_cert`]).
    pub fn prescriber_identity(&self, common_name: &str) -> Result<SigningIdentity, SandboxError> {
        signing_identity_of(&self.issue_prescriber_cert(common_name)?)
    }

    /// The verifier `zapisPakietuRecept` checks prescriptions with (rule `SANDBOX.4`): trusts
    /// the document-signing CA only, requires XAdES-BES
    /// ([`p1_document_verifier`](crate::wssec::p1_document_verifier)).
    pub fn document_verifier(&self) -> Result<Verifier, SandboxError> {
        Ok(self.state.documents.clone())
    }

    /// A verifier of the sandbox's signed answers ([`SandboxConfig::sign_responses`]): trusts the
    /// WSS CA, requires Body and Timestamp signed.
    pub fn response_verifier(&self) -> Result<Verifier, SandboxError> {
        let trust = TrustAnchors::from_pem(self.wss.ca_cert_pem().as_bytes())
            .map_err(|e| SandboxError::Certificate(e.to_string()))?;
        // Body and Timestamp signed.
        Ok(Verifier::new(VerificationPolicy::new(trust)))
    }

    /// A ready client: a fresh TLS client certificate, a fresh signing identity with P1's
    /// profile, the sandbox's TLS CA as the only trust anchor.
    pub fn client(&self) -> Result<Client, ClientBuildError> {
        self.client_builder("sandbox client")
            .and_then(ClientBuilder::build)
    }

    /// A client builder preset for this sandbox (TLS and signing certificates for
    /// `common_name`, trust, URL), to adjust (timeouts, another signer, response verification)
    /// before building.
    pub fn client_builder(&self, common_name: &str) -> Result<ClientBuilder, ClientBuildError> {
        let sandbox_error = |e: &dyn std::fmt::Display| ClientBuildError::Sandbox(e.to_string());
        let cert = self
            .issue_client_cert(common_name)
            .map_err(|e| sandbox_error(&e))?;
        let identity = cert.identity().map_err(|e| sandbox_error(&e))?;
        let signer = self.signer(common_name).map_err(|e| sandbox_error(&e))?;
        Client::builder()
            .base_url(self.base_url().to_string())
            .identity(identity)
            .signer(signer)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes())
    }

    /// How many HTTP requests reached the sandbox (over authenticated TLS) so far.
    pub fn requests_received(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// How many prescriptions are stored.
    pub fn prescriptions_stored(&self) -> usize {
        self.state.store().recepty.len()
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// The signing identity of a certificate issued by [`Sandbox::issue_signing_cert`].
pub fn signing_identity_of(cert: &IssuedCert) -> Result<SigningIdentity, SandboxError> {
    cert.signing_identity()
        .map_err(|e| SandboxError::Certificate(e.to_string()))
}

fn document_verifier_of(ca: &TestPki) -> Result<Verifier, SandboxError> {
    let trust = TrustAnchors::from_pem(ca.ca_cert_pem().as_bytes())
        .map_err(|e| SandboxError::Certificate(e.to_string()))?;
    Ok(crate::wssec::p1_document_verifier(trust))
}

struct State {
    config: SandboxConfig,
    verifier: Verifier,
    /// Prescriptions' signatures (rule `SANDBOX.4`).
    documents: Verifier,
    response_signer: Option<WsSecuritySigner>,
    requests: AtomicUsize,
    store: Mutex<Store>,
}

impl State {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The sandbox's prescriptions.
#[derive(Default)]
struct Store {
    next: u64,
    pakiety: HashMap<String, Pakiet>,
    recepty: HashMap<String, Recepta>,
}

struct Pakiet {
    klucze: Vec<String>,
}

struct Recepta {
    podmiot: (String, String),
    numer_w_pakiecie: i32,
    tresc: crate::TrescDokumentu,
    status: t::StatusReceptyEnumMT,
    przyczyna: Option<t::PrzyczynaZablokowaniaReceptyEnumMT>,
    anulowanie: Option<crate::TrescDokumentu>,
}

impl Store {
    fn key(&mut self, kind: u8) -> String {
        self.next += 1;
        // 44 digits like P1's keys; the leading 9s mark them as the sandbox's.
        format!("9999{kind:02}{:038}", self.next)
    }
}

struct P1Handler {
    state: Arc<State>,
}

impl Handler for P1Handler {
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = SandboxResponse> + Send + '_>> {
        Box::pin(async move {
            self.state.requests.fetch_add(1, Ordering::SeqCst);
            if !self.state.config.response_delay.is_zero() {
                tokio::time::sleep(self.state.config.response_delay).await;
            }
            answer(&self.state, &request)
        })
    }
}

/// Why a request is refused: the content of the `bledyOperacji` fault.
#[derive(Debug)]
struct Odmowa {
    major: KodBleduMajorMT,
    minor: Option<KodBleduMinorMT>,
    opis: String,
}

impl Odmowa {
    fn new(
        major: KodBleduMajorMT,
        minor: Option<KodBleduMinorMT>,
        opis: impl Into<String>,
    ) -> Self {
        Self {
            major,
            minor,
            opis: opis.into(),
        }
    }

    fn komunikat(opis: impl Into<String>) -> Self {
        Self::new(
            KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorNiepoprawnyKomunikat,
            None,
            opis,
        )
    }

    fn kontekst(opis: impl Into<String>) -> Self {
        Self::new(
            KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorNiepoprawnyKomunikat,
            Some(KodBleduMinorMT::UrnCsiozP1EreceptaKodBleduMinorBladKontekstu),
            opis,
        )
    }

    /// The caller's fault (SOAP `Client`) unless P1 failed itself.
    fn client_fault(&self) -> bool {
        !matches!(
            self.major,
            KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorBladWewnetrzny
        )
    }

    fn response(&self) -> SandboxResponse {
        let mut blad = BladMT::new(self.major.clone());
        blad.kod_bledu_minor = self.minor.clone();
        blad.opis = Some(self.opis.clone());
        let body = write_fault_detail(
            SoapVersion::V11,
            self.client_fault(),
            &self.opis,
            BLEDY_OPERACJI,
            &BledyOperacji::new(blad),
        );
        SandboxResponse::new(500, "text/xml; charset=utf-8", body)
    }
}

fn answer(state: &State, request: &SandboxRequest) -> SandboxResponse {
    if request.path != ERECEPTA_PATH {
        return SandboxResponse::new(404, "text/plain; charset=utf-8", "not found");
    }
    if request.method != "POST" {
        return SandboxResponse::new(405, "text/plain; charset=utf-8", "method not allowed")
            .with_header("Allow", "POST");
    }
    match handle(state, request) {
        Ok(body) => {
            let body = match &state.response_signer {
                Some(signer) => match signer.sign_envelope(body.as_bytes()) {
                    Ok(signed) => signed,
                    Err(e) => {
                        return Odmowa::new(
                            KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorBladWewnetrzny,
                            None,
                            format!("the sandbox could not sign its answer: {e}"),
                        )
                        .response();
                    }
                },
                None => body.into_bytes(),
            };
            SandboxResponse::new(200, "text/xml; charset=utf-8", body)
        }
        Err(odmowa) => odmowa.response(),
    }
}

/// Steps 2-6 of the module documentation.
fn handle(state: &State, request: &SandboxRequest) -> Result<String, Odmowa> {
    let action = request
        .header("SOAPAction")
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    let Some(spec) = OPERATIONS.iter().find(|s| s.action == Some(action)) else {
        return Err(Odmowa::komunikat(format!(
            "SOAPAction `{action}` names no e-Recepta operation (expected \"urn:<operation>\")"
        )));
    };
    let env = Envelope::parse(&request.body)
        .map_err(|e| Odmowa::komunikat(format!("not a SOAP envelope: {e}")))?;
    if env.version != SoapVersion::V11 {
        return Err(Odmowa::komunikat("e-Recepta speaks SOAP 1.1"));
    }
    check_signature(state, &request.body)?;
    let kontekst = check_kontekst(&env)?;
    let mut store = state.store();
    let store = &mut *store;
    macro_rules! dispatch {
        ($($op:ident => $f:ident($($extra:expr),*),)*) => {
            $(
                if spec.name == op::$op::SPEC.name {
                    let input: op::$op::Input = decode(&env, &op::$op::SPEC)?;
                    let output = $f($($extra,)* store, &kontekst, &input)?;
                    return Ok(encode(&op::$op::SPEC, &output));
                }
            )*
        };
    }
    dispatch! {
        zapis_pakietu_recept => zapis_pakietu_recept(&state.documents),
        weryfikacja_pakietu_recept => weryfikacja_pakietu_recept(),
        odczyt_recepty => odczyt_recepty(),
        odczyt_pakietu_recept => odczyt_pakietu_recept(),
        zablokowanie_recepty => zablokowanie_recepty(),
        odblokowanie_recepty => odblokowanie_recepty(),
        zapis_dokumentu_anulowania_recepty => zapis_dokumentu_anulowania_recepty(),
    }
    Err(Odmowa::new(
        KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorBladWewnetrzny,
        None,
        format!("the sandbox does not offer {}", spec.name),
    ))
}

/// Step 3: the WS-Security signature.
fn check_signature(state: &State, envelope: &[u8]) -> Result<(), Odmowa> {
    state
        .verifier
        .verify_envelope(envelope)
        .map(|_| ())
        .map_err(|e| odmowa_wss(&e))
}

/// The fault for a signature the verifier refused (the table in the module documentation):
/// by the check that failed ([`VerifyError::check`]), an unsigned message apart.
fn odmowa_wss(e: &VerifyError) -> Odmowa {
    use KodBleduMajorMT as Major;
    use KodBleduMinorMT as Minor;
    let (major, minor) = match (e, e.check()) {
        (
            VerifyError::NoSecurityHeader { .. }
            | VerifyError::NoSignature { .. }
            | VerifyError::KeyNotFound { .. },
            _,
        ) => (
            Major::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS,
            Some(Minor::UrnCsiozP1EreceptaKodBleduMinorBrakCertyfikatu),
        ),
        (_, VerifyCheck::Certificate) => (
            Major::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS,
            Some(Minor::UrnCsiozP1EreceptaKodBleduMinorCertyfikatNiewazny),
        ),
        (_, VerifyCheck::Timestamp) => (
            Major::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS,
            None,
        ),
        _ => (
            Major::UrnCsiozP1EreceptaKodBleduMajorBladPodpisuKomunikatuWSS,
            None,
        ),
    };
    Odmowa::new(major, minor, format!("WS-Security: {e}"))
}

/// The checked call context.
struct Kontekst {
    podmiot: (String, String),
    rola: String,
}

impl Kontekst {
    fn is_prescriber(&self) -> bool {
        matches!(
            self.rola.as_str(),
            "LEKARZ_LEK_DENTYSTA_FELCZER" | "PIELEGNIARKA_POLOZNA"
        )
    }

    fn require_prescriber(&self, operation: &str) -> Result<(), Odmowa> {
        if self.is_prescriber() {
            Ok(())
        } else {
            Err(Odmowa::new(
                KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorBladAutoryzacji,
                Some(KodBleduMinorMT::UrnCsiozP1EreceptaKodBleduMinorBrakUprawnienPracownikaMedycznego),
                format!("role {} may not call {operation}", self.rola),
            ))
        }
    }

    fn require_owner(&self, recepta: &Recepta) -> Result<(), Odmowa> {
        if recepta.podmiot == self.podmiot {
            Ok(())
        } else {
            Err(Odmowa::new(
                KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorBladAutoryzacji,
                Some(KodBleduMinorMT::UrnCsiozP1EreceptaKodBleduMinorBrakUprawnienPodmiotu),
                "the prescription was issued by another entity",
            ))
        }
    }
}

/// Step 4: the call context.
fn check_kontekst(env: &Envelope) -> Result<Kontekst, Odmowa> {
    use NazwaAtrybutuKontekstu as N;
    let element = env
        .header()
        .and_then(|h| h.child(KONTEKST_WYWOLANIA.ns, KONTEKST_WYWOLANIA.local))
        .ok_or_else(|| Odmowa::kontekst("the kontekstWywolania header is missing"))?;
    let mut cx = ReadContext::new();
    let header: KontekstMT = cx
        .complex_value(element)
        .map_err(|e| Odmowa::kontekst(format!("kontekstWywolania: {e}")))?;
    if let Some(d) = cx.diagnostics().first() {
        return Err(Odmowa::kontekst(format!("kontekstWywolania: {d}")));
    }
    if let Some(unknown) = header
        .atrybut
        .iter()
        .find(|a| a.nazwa.as_deref().and_then(N::from_uri).is_none())
    {
        return Err(Odmowa::kontekst(format!(
            "unknown context attribute {:?}",
            unknown.nazwa.as_deref().unwrap_or("")
        )));
    }
    let kontekst = KontekstWywolania::from_header(header);
    let one = |nazwa: N| -> Result<String, Odmowa> {
        match kontekst.values(nazwa).as_slice() {
            [value] if !value.trim().is_empty() => Ok((*value).to_owned()),
            [] => Err(Odmowa::kontekst(format!("{nazwa} is missing"))),
            _ => Err(Odmowa::kontekst(format!(
                "{nazwa} must have exactly one value"
            ))),
        }
    };
    let podmiot = (one(N::IdPodmiotuOidRoot)?, one(N::IdPodmiotuOidExt)?);
    one(N::IdUzytkownikaOidRoot)?;
    one(N::IdUzytkownikaOidExt)?;
    let miejsce = [N::IdMiejscaPracyOidRoot, N::IdMiejscaPracyOidExt];
    let given = miejsce
        .iter()
        .filter(|n| !kontekst.values(**n).is_empty())
        .count();
    if given == 1 {
        return Err(Odmowa::kontekst(
            "idMiejscaPracy needs both its OID root and extension",
        ));
    }
    for n in miejsce.into_iter().take(given) {
        one(n)?;
    }
    let rola = one(N::RolaBiznesowa)?;
    if !crate::RolaBiznesowa::PUBLISHED
        .iter()
        .any(|r| r.as_str() == rola)
    {
        return Err(Odmowa::kontekst(format!(
            "{rola} is not a business role of e-Recepta"
        )));
    }
    Ok(Kontekst { podmiot, rola })
}

/// Step 5: the request element, read strictly.
fn decode<T: XmlRead + Validate>(env: &Envelope, spec: &OperationSpec) -> Result<T, Odmowa> {
    let expected: ElementName = spec.input;
    let mut body = env.body().child_elements();
    match (body.next(), body.next()) {
        (Some(e), None) if e.is(expected.ns, expected.local) => {}
        _ => {
            return Err(Odmowa::komunikat(format!(
                "the body must hold exactly `{}`",
                expected.local
            )));
        }
    }
    let mut cx = ReadContext::new();
    let input: T = env
        .read_body(expected, &mut cx)
        .map_err(|e| Odmowa::komunikat(format!("invalid request: {e}")))?;
    if let Some(d) = cx.diagnostics().first() {
        return Err(Odmowa::komunikat(format!("invalid request: {d}")));
    }
    input
        .validated()
        .map_err(|e| Odmowa::komunikat(format!("invalid request: {e}")))?;
    Ok(input)
}

/// Writes an answer as P1's service stack does: `soapenv:` envelope, `ns2:` payload.
fn encode<T: XmlWrite>(spec: &OperationSpec, body: &T) -> String {
    let name = spec.output;
    let mut w = XmlWriter::with_prefixes("ns", 2);
    w.declaration();
    w.start_prefixed("soapenv", SOAP11_NS, "Envelope");
    w.start_prefixed("soapenv", SOAP11_NS, "Body");
    w.start(name.ns, name.local);
    body.write_xml(&mut w);
    w.end();
    w.end();
    w.end();
    w.finish()
}

fn sukces() -> WynikMT {
    WynikMT::new(WYNIK_SUKCES.to_owned())
}

fn niepowodzenie(major: &str, komunikat: impl Into<String>) -> WynikMT {
    let mut w = WynikMT::new(major.to_owned());
    w.komunikat = Some(komunikat.into());
    w
}

fn pozytywny() -> t::WynikWeryfikacjiZbioruRegulMT {
    t::WynikWeryfikacjiZbioruRegulMT::new(
        t::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1EreceptaKodWynikuWeryfikacjiPozytywny,
        ZBIOR_REGUL.to_owned(),
    )
}

fn blad_reguly(kod: &str, opis: &str) -> t::WynikWeryfikacjiRegulyMT {
    wynik_reguly(
        kod,
        t::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1EreceptaKodWynikuWeryfikacjiBlad,
        opis,
    )
}

fn wynik_reguly(
    kod: &str,
    wynik: t::KodWynikuWeryfikacjiEnumMT,
    opis: &str,
) -> t::WynikWeryfikacjiRegulyMT {
    let mut r = t::WynikWeryfikacjiRegulyMT::new(kod.to_owned(), wynik);
    r.opis_problemu = Some(opis.to_owned());
    r
}

/// What the checks of a package demand of the documents' signatures.
#[derive(Clone, Copy)]
enum Podpis<'a> {
    /// `zapisPakietuRecept`: signed XAdES-BES by a prescriber (`SANDBOX.3`, `SANDBOX.4`).
    Wymagany(&'a Verifier),
    /// `weryfikacjaPakietuRecept`: documents without signature; a signed one gets a warning
    /// (`SANDBOX.5`).
    Zbedny,
}

/// Whether the document element of `tresc` has an XML-DSig `ds:Signature` child.
fn is_signed(tresc: &crate::TrescDokumentu) -> bool {
    sdk_runtime::xml::parse(tresc.as_bytes()).is_ok_and(|root| {
        root.child_elements()
            .any(|c| c.is(sdk_runtime::wssec::ns::DSIG_NS, "Signature"))
    })
}

/// Rules `SANDBOX.3`-`SANDBOX.5` for a document that passed `SANDBOX.1`.
fn check_podpis(
    podpis: Podpis<'_>,
    tresc: &crate::TrescDokumentu,
) -> Option<t::WynikWeryfikacjiRegulyMT> {
    match podpis {
        Podpis::Wymagany(verifier) => match tresc.sprawdz_podpis(verifier) {
            Ok(_) => None,
            Err(VerifyError::NoSignature { .. }) => Some(blad_reguly(
                "SANDBOX.3",
                "the prescription is not signed: zapisPakietuRecept takes documents with a \
                 XAdES-BES enveloped signature by the prescriber",
            )),
            Err(e) => Some(blad_reguly(
                "SANDBOX.4",
                &format!("the prescription's signature is not acceptable: {e}"),
            )),
        },
        Podpis::Zbedny => is_signed(tresc).then(|| {
            wynik_reguly(
                "SANDBOX.5",
                t::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1EreceptaKodWynikuWeryfikacjiOstrzezenie,
                "the document is signed, but weryfikacjaPakietuRecept takes documents without \
                 signature: the signature was not checked",
            )
        }),
    }
}

/// `SANDBOX.1`: the document is XML whose root is `ClinicalDocument` (HL7 CDA).
fn is_cda(tresc: &crate::TrescDokumentu) -> bool {
    sdk_runtime::xml::parse(tresc.as_bytes())
        .is_ok_and(|root| root.local_name() == "ClinicalDocument")
}

/// The checks of a package: one verification result per prescription, and whether all passed
/// (warnings pass).
fn weryfikuj(
    recepty: &[t::ReceptaMT],
    podpis: Podpis<'_>,
) -> (Vec<t::WeryfikowanaReceptaMT>, bool) {
    use t::KodWynikuWeryfikacjiEnumMT as Kod;
    let mut all = true;
    let wyniki = recepty
        .iter()
        .map(|r| {
            let mut wynik = pozytywny();
            if !is_cda(&r.tresc) {
                wynik.wynik_weryfikacji_reguly.push(blad_reguly(
                    "SANDBOX.1",
                    "the document is not an HL7 CDA ClinicalDocument",
                ));
            } else if let Some(regula) = check_podpis(podpis, &r.tresc) {
                wynik.wynik_weryfikacji_reguly.push(regula);
            }
            let same = recepty
                .iter()
                .filter(|o| {
                    o.identyfikator_dokumentu_w_pakiecie == r.identyfikator_dokumentu_w_pakiecie
                })
                .count();
            if same > 1 {
                wynik.wynik_weryfikacji_reguly.push(blad_reguly(
                    "SANDBOX.2",
                    "identyfikatorDokumentuWPakiecie is not unique in the package",
                ));
            }
            let worst = |kod: &Kod| {
                wynik
                    .wynik_weryfikacji_reguly
                    .iter()
                    .any(|r| r.wynik_weryfikacji == *kod)
            };
            if worst(&Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiBlad) {
                all = false;
                wynik.wynik_weryfikacji = Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiBlad;
            } else if worst(&Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiOstrzezenie) {
                wynik.wynik_weryfikacji = Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiOstrzezenie;
            }
            t::WeryfikowanaReceptaMT::new(r.identyfikator_dokumentu_w_pakiecie, wynik)
        })
        .collect();
    (wyniki, all)
}

/// The prescriptions of a package request; a task identifier names nothing in the sandbox,
/// which answers synchronously.
fn recepty_of(pakiet: &t::PakietReceptMT) -> Result<&[t::ReceptaMT], WynikMT> {
    match &pakiet.choice {
        choices::PakietRecept::Recepty(Some(r)) => Ok(&r.recepta),
        choices::PakietRecept::Recepty(None) => Ok(&[]),
        choices::PakietRecept::IdentyfikatorZadania(_) => Err(niepowodzenie(
            WYNIK_NIE_ZNALEZIONO,
            "no such task: the sandbox answers every package synchronously",
        )),
    }
}

fn zapis_pakietu_recept(
    documents: &Verifier,
    store: &mut Store,
    kontekst: &Kontekst,
    input: &t::ZapisPakietuReceptRequest,
) -> Result<t::ZapisPakietuReceptResponse, Odmowa> {
    kontekst.require_prescriber("zapisPakietuRecept")?;
    let recepty = match recepty_of(&input.pakiet_recept) {
        Ok(r) => r,
        Err(wynik) => return Ok(t::ZapisPakietuReceptResponse::new(wynik)),
    };
    let (mut weryfikacja, ok) = weryfikuj(recepty, Podpis::Wymagany(documents));
    let mut wynik_zapisu = t::WynikZapisuPakietuReceptMT::new();
    let wynik = if ok {
        let klucz_pakietu = store.key(1);
        let mut klucze = Vec::new();
        for (r, w) in recepty.iter().zip(&mut weryfikacja) {
            let klucz = store.key(2);
            w.klucz_recepty = Some(klucz.clone());
            store.recepty.insert(
                klucz.clone(),
                Recepta {
                    podmiot: kontekst.podmiot.clone(),
                    numer_w_pakiecie: r.identyfikator_dokumentu_w_pakiecie,
                    tresc: r.tresc.clone(),
                    status: t::StatusReceptyEnumMT::Wystawiona,
                    przyczyna: None,
                    anulowanie: None,
                },
            );
            klucze.push(klucz);
        }
        wynik_zapisu.kod_pakietu_recept = Some(format!("{:04}", (store.next * 7919) % 10_000));
        store
            .pakiety
            .insert(klucz_pakietu.clone(), Pakiet { klucze });
        wynik_zapisu.klucz_pakietu_recept = Some(klucz_pakietu);
        sukces()
    } else {
        niepowodzenie(
            WYNIK_BLAD_WERYFIKACJI,
            "the package was not stored: a prescription failed its checks",
        )
    };
    let mut wyniki = t::WynikWeryfikacjiReceptMT::new();
    wyniki.weryfikowana_recepta = weryfikacja;
    wynik_zapisu.wynik_weryfikacji = Some(wyniki);
    let mut out = t::ZapisPakietuReceptResponse::new(wynik);
    out.potwierdzenie_operacji_zapisu = Some(t::PotwierdzenieOperacjiZapisuMT::new(
        choices::PotwierdzenieOperacjiZapisu::WynikZapisuPakietuRecept(Some(wynik_zapisu)),
    ));
    Ok(out)
}

fn weryfikacja_pakietu_recept(
    _store: &mut Store,
    kontekst: &Kontekst,
    input: &t::WeryfikacjaPakietuReceptRequest,
) -> Result<t::WeryfikacjaPakietuReceptResponse, Odmowa> {
    kontekst.require_prescriber("weryfikacjaPakietuRecept")?;
    let recepty = match recepty_of(&input.pakiet_recept) {
        Ok(r) => r,
        Err(wynik) => return Ok(t::WeryfikacjaPakietuReceptResponse::new(wynik)),
    };
    let (weryfikacja, ok) = weryfikuj(recepty, Podpis::Zbedny);
    let wynik = if ok {
        sukces()
    } else {
        niepowodzenie(WYNIK_BLAD_WERYFIKACJI, "a prescription failed its checks")
    };
    let mut wyniki = t::WynikWeryfikacjiReceptMT::new();
    wyniki.weryfikowana_recepta = weryfikacja;
    let mut out = t::WeryfikacjaPakietuReceptResponse::new(wynik);
    out.potwierdzenie_operacji_weryfikacji = Some(t::PotwierdzenieOperacjiWeryfikacjiMT::new(
        choices::PotwierdzenieOperacjiWeryfikacji::WynikWeryfikacjiRecept(Some(wyniki)),
    ));
    Ok(out)
}

fn recepta_i_wynik(klucz: &str, r: &Recepta) -> t::ReceptaIWynikWeryfikacjiMT {
    let mut weryfikowana = t::WeryfikowanaReceptaMT::new(r.numer_w_pakiecie, pozytywny());
    weryfikowana.klucz_recepty = Some(klucz.to_owned());
    let mut out = t::ReceptaIWynikWeryfikacjiMT::new(
        r.status.clone(),
        weryfikowana,
        t::ReceptaMT::new(r.numer_w_pakiecie, r.tresc.clone()),
    );
    out.przyczyna_zablokowania_recepty = r.przyczyna.clone();
    out.dokument_anulowania_recepty = r
        .anulowanie
        .clone()
        .map(t::DokumentAnulowaniaReceptyMT::new);
    out
}

fn nie_znaleziono(what: &str) -> WynikMT {
    niepowodzenie(WYNIK_NIE_ZNALEZIONO, format!("no {what} with this key"))
}

fn odczyt_recepty(
    store: &mut Store,
    kontekst: &Kontekst,
    input: &t::OdczytReceptyRequest,
) -> Result<t::OdczytReceptyResponse, Odmowa> {
    let klucz = input.klucz_recepty.klucz_recepty.trim();
    let Some(r) = store.recepty.get(klucz) else {
        return Ok(t::OdczytReceptyResponse::new(nie_znaleziono(
            "prescription",
        )));
    };
    kontekst.require_owner(r)?;
    let mut out = t::OdczytReceptyResponse::new(sukces());
    out.recepta_i_wynik_weryfikacji = Some(recepta_i_wynik(klucz, r));
    Ok(out)
}

fn odczyt_pakietu_recept(
    store: &mut Store,
    kontekst: &Kontekst,
    input: &t::OdczytPakietuReceptRequest,
) -> Result<t::OdczytPakietuReceptResponse, Odmowa> {
    let klucz = input.klucz_pakietu_recept.klucz_pakietu_recept.trim();
    let Some(p) = store.pakiety.get(klucz) else {
        return Ok(t::OdczytPakietuReceptResponse::new(nie_znaleziono(
            "package",
        )));
    };
    let mut pakiet = t::PakietReceptIWynikowWeryfikacjiMT::new();
    for k in &p.klucze {
        if let Some(r) = store.recepty.get(k) {
            kontekst.require_owner(r)?;
            pakiet
                .recepta_i_wynik_weryfikacji
                .push(recepta_i_wynik(k, r));
        }
    }
    let mut out = t::OdczytPakietuReceptResponse::new(sukces());
    out.pakiet_recept_i_wynikow_weryfikacji = Some(pakiet);
    Ok(out)
}

/// Changes a prescription's status when it is `from`; the answer's `wynik`.
fn zmien_status(
    store: &mut Store,
    kontekst: &Kontekst,
    klucz: &str,
    from: &[t::StatusReceptyEnumMT],
    change: impl FnOnce(&mut Recepta),
) -> Result<WynikMT, Odmowa> {
    let Some(r) = store.recepty.get_mut(klucz.trim()) else {
        return Ok(nie_znaleziono("prescription"));
    };
    kontekst.require_owner(r)?;
    if !from.contains(&r.status) {
        return Ok(niepowodzenie(
            WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU,
            format!("not allowed for a prescription with status {}", r.status),
        ));
    }
    change(r);
    Ok(sukces())
}

fn zablokowanie_recepty(
    store: &mut Store,
    kontekst: &Kontekst,
    input: &t::ZablokowanieReceptyRequest,
) -> Result<t::ZablokowanieReceptyResponse, Odmowa> {
    let przyczyna = input.przyczyna_zablokowania_recepty.clone();
    let wynik = zmien_status(
        store,
        kontekst,
        &input.klucz_recepty.klucz_recepty,
        &[t::StatusReceptyEnumMT::Wystawiona],
        |r| {
            r.status = t::StatusReceptyEnumMT::Zablokowana;
            r.przyczyna = Some(przyczyna);
        },
    )?;
    Ok(t::ZablokowanieReceptyResponse::new(wynik))
}

fn odblokowanie_recepty(
    store: &mut Store,
    kontekst: &Kontekst,
    input: &t::OdblokowanieReceptyRequest,
) -> Result<t::OdblokowanieReceptyResponse, Odmowa> {
    let wynik = zmien_status(
        store,
        kontekst,
        &input.klucz_recepty.klucz_recepty,
        &[t::StatusReceptyEnumMT::Zablokowana],
        |r| {
            r.status = t::StatusReceptyEnumMT::Wystawiona;
            r.przyczyna = None;
        },
    )?;
    Ok(t::OdblokowanieReceptyResponse::new(wynik))
}

fn zapis_dokumentu_anulowania_recepty(
    store: &mut Store,
    kontekst: &Kontekst,
    input: &t::ZapisDokumentuAnulowaniaReceptyRequest,
) -> Result<t::ZapisDokumentuAnulowaniaReceptyResponse, Odmowa> {
    kontekst.require_prescriber("zapisDokumentuAnulowaniaRecepty")?;
    let dokument = &input.dokument_anulowania_recepty.tresc;
    let mut weryfikacja = pozytywny();
    if !is_cda(dokument) {
        weryfikacja.wynik_weryfikacji =
            t::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1EreceptaKodWynikuWeryfikacjiBlad;
        weryfikacja.wynik_weryfikacji_reguly.push(blad_reguly(
            "SANDBOX.1",
            "the document is not an HL7 CDA ClinicalDocument",
        ));
        let mut out = t::ZapisDokumentuAnulowaniaReceptyResponse::new(niepowodzenie(
            WYNIK_BLAD_WERYFIKACJI,
            "the cancellation document failed its checks",
        ));
        out.wyniki_weryfikacji_dokumentu_anulowania =
            Some(t::WynikiWeryfikacjiDokumentuAnulowaniaMT::new(weryfikacja));
        return Ok(out);
    }
    let dokument = dokument.clone();
    let wynik = zmien_status(
        store,
        kontekst,
        &input.klucz_recepty.klucz_recepty,
        &[
            t::StatusReceptyEnumMT::Wystawiona,
            t::StatusReceptyEnumMT::Zablokowana,
        ],
        |r| {
            r.status = t::StatusReceptyEnumMT::Anulowana;
            r.anulowanie = Some(dokument);
        },
    )?;
    let sukces = wynik.major == WYNIK_SUKCES;
    let mut out = t::ZapisDokumentuAnulowaniaReceptyResponse::new(wynik);
    if sukces {
        out.wyniki_weryfikacji_dokumentu_anulowania =
            Some(t::WynikiWeryfikacjiDokumentuAnulowaniaMT::new(weryfikacja));
    }
    Ok(out)
}
