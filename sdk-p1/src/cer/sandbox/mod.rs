//! An in-process fake of Centralna e-Rejestracja (features `cer` and `sandbox`), for tests,
//! demos and vendors' own test suites.
//!
//! **Everything here follows our reconstruction of CeR** (see [`crate::cer`]): no CeR
//! interface file is public, so the sandbox behaves as `wsdl/p1/cer/` and NFZ's onboarding
//! deck (seed 001, cited as L…) describe, not as production is known to.
//!
//! It is one CeR over mutual TLS on loopback, with in-memory state shared by all its clients.
//! A request is checked in P1's order:
//!
//! 1. **mutual TLS**: a client certificate issued by the sandbox's TLS CA
//!    ([`Sandbox::issue_client_cert`]); any other, or none, fails the handshake;
//! 2. `POST /services/ObslugaCeRWS` ([`CER_PATH`](crate::cer::CER_PATH)) with
//!    `SOAPAction: "urn:<operation>"` naming one of the 14 CeR operations, and a SOAP 1.1
//!    envelope;
//! 3. **WS-Security**: signed by a certificate of the sandbox's *separate* WSS CA
//!    ([`Sandbox::signing_identity`]) and verifying under
//!    [`cer::verification_policy`](crate::cer::verification_policy): Body, `wsu:Timestamp` and
//!    CeR's `kontekstWywolania` (`v20180509`) signed, the timestamp current;
//! 4. the **call context** `kontekstWywolania` (`v20180509`): the entity
//!    (`urn:csioz:p1:kontekst:idPodmiotuOidRoot` and `…OidExt`, one non-empty value each);
//!    `idMiejscaPracy…` and `idUzytkownika…` optional but whole; `rolaBiznesowa` optional; no
//!    other attribute (an e-Recepta `urn:csioz:p1:erecepta:kontekst:` name is refused);
//! 5. the request element, read strictly: anything the schema does not allow is refused;
//! 6. the operation, on the shared state; a place of service (MUŚ) belongs to the entity that
//!    first created a schedule for it or loaded visits into it, and only that entity may use it.
//!
//! A refusal at steps 2-6 is a SOAP fault whose detail is CeR's `bledyOperacji`
//! (`{http://csioz.gov.pl/p1/cer/ws/v20260101}bledyOperacji`, decoded by the client as
//! [`BladUslugi`](crate::BladUslugi)). Its codes use the newer P1 prefixes
//! `urn:csioz:p1:kodBleduMajor:` and `urn:csioz:p1:kodBleduMinor:` (CeR's own list is not
//! public; the names are those of P1's `wyjatki.xsd`):
//!
//! | problem | `kodBleduMajor` | `kodBleduMinor` |
//! |---|---|---|
//! | unknown SOAPAction, not a SOAP 1.1 envelope, request element invalid | `niepoprawnyKomunikat` | — |
//! | unsigned: no `wsse:Security`, no `ds:Signature`, no signing certificate | `bladUwierzytelnieniaWSS` | `brakCertyfikatu` |
//! | a signing certificate not issued by the WSS CA, expired, not yet valid or unreadable | `bladUwierzytelnieniaWSS` | `certyfikatNiewazny` |
//! | `wsu:Timestamp` missing, malformed, expired, too old or in the future | `bladUwierzytelnieniaWSS` | — |
//! | a signature that does not verify: a signed part changed, Body, Timestamp or the `v20180509` context not signed or missing (so a request signed with e-Recepta's profile, or without the context, stops here), signature wrapping, an unsupported algorithm | `bladPodpisuKomunikatuWSS` | — |
//! | `kontekstWywolania` incomplete: the entity missing, half an identifier, an attribute repeated, empty or unknown | `niepoprawnyKomunikat` | `bladKontekstu` |
//! | a place of service, schedule, slot or visit of another entity | `bladAutoryzacji` | `brakUprawnienPodmiotu` |
//! | the sandbox failed itself | `bladWewnetrzny` | — |
//!
//! ## Operations
//!
//! Identifiers are the sandbox's: schedules `H-n`, slots `S-n`, visits `W-n`, waiting-room
//! entries `P-n`, load tasks `Z-n`, notifications `N-n`. "Today" is
//! [`SandboxConfig::dzis`] / [`Sandbox::ustaw_dzis`] (the real UTC date when not set); the
//! timestamps the sandbox writes (`zmieniono`, `czasZdarzenia`) are that date with the real
//! time of day in UTC.
//!
//! | operation | what the sandbox does |
//! |---|---|
//! | `utworzHarmonogram` | stores the schedule with new `H-n` and `S-n` ids; slots `NIEAKTYWNY` until the MUŚ is activated (L587), `WOLNY` after; answers the schedule as stored |
//! | `zmienHarmonogram` | renames, adds slots (`dodajSlot`), changes them (`zmienSlot`: times, kinds, `ZABLOKOWANY`/`WOLNY` to block and unblock) and removes them (`usunSlot`); a booked slot cannot be removed, moved, blocked or stop taking its visit's kind; all or nothing |
//! | `pobierzListeHarmonogramow` | the MUŚ's schedules with their slots starting `od`..=`do` (a schedule without slots is listed too) |
//! | `aktywujMus` | records the activation date (once), every `NIEAKTYWNY` slot of the MUŚ becomes `WOLNY`; from now on the 40-day rule applies and patients, other providers and the waiting room see the slots (L585-L607) |
//! | `zapiszNaWizyte` | the booking rules below; books the slot (`ZAJETY`), answers the new visit `W-n` (`UMOWIONA`, `kanal` `PODMIOT`); the provider may book into `NIEAKTYWNY` slots (the back-fill before activation, L583, L592) |
//! | `zmienWizyte` | a booked visit's contact (REG.WER.8361) and/or slot (the booking rules except the referral's, in the same MUŚ); the old slot is freed |
//! | `odwolajWizyte` | `UMOWIONA` → `ODWOLANA`, the slot freed; a privileged patient's first visit (`kodUprawnieniaSzczegolnego` given or kind `UPRAWNIENIA_SZCZEGOLNE`, and kind `PIERWSZORAZOWA` or `UPRAWNIENIA_SZCZEGOLNE`) puts the patient into the waiting room (L320-L321), answered as `idWpisuPoczekalni` |
//! | `zapiszRealizacjeWizyty` | an `UMOWIONA` visit's outcome; `NIEZREALIZOWANA_NIE_Z_WINY_PACJENTA` on a first visit creates a waiting-room entry (L713-L715), answered as `idWpisuPoczekalni` |
//! | `pobierzListeWizytSync` | the MUŚ's visits (every status) starting `od`..=`do`, with `zmienioneOd` those changed since |
//! | `zapiszDoPoczekalni` | needs `zgodaPacjenta` true (`SANDBOX.CER.ZGODA`), a contact (REG.WER.8361) and a referral fit for a first visit (REG.WER.9662); answers `idWpisu` |
//! | `usunZPoczekalni` | removes the entry |
//! | `pobierzStatusSkierowania` | the status from the sandbox's referral table ([`Sandbox::dodaj_skierowanie`]) |
//! | `zasilenieInicjalne` | decodes the CSV and checks it with [`Walidator`](crate::cer::zasilenie::Walidator), then checks what only CeR can: the row's `idMus` is the request's (`SANDBOX.CER.MUS`), an e-referral in the table has a fitting status (REG.WER.9662), the visit is not already in CeR (REG.WER.9644), a named slot exists in the MUŚ, is free, takes the kind and starts at `dataWizyty` (REG.WER.9644, `SANDBOX.CER.DANE`, `SANDBOX.CER.RODZAJ`), the 40-day rule once the MUŚ is active. `WERYFIKACJA_PLIKU` stores nothing; `ZASILENIE` stores every row without problems (the others are not all-or-nothing), creating a slot per visit (L670) in a schedule per benefit code (created when missing) unless the row names one (L671). Answers a task id `Z-n`; the result is ready at once |
//! | `pobierzWynikZasilenia` | `SUKCES`, or `BLAD` with one `blad` per failing row (`numerWiersza`, the header being row 1) holding its **first** problem's code and message, as CeR returns "the current error" of each visit (L664); `liczbaWizyt` rows read, `liczbaZapisanych` visits stored |
//!
//! Unknown identifiers answer `wynik` [`WYNIK_NIE_ZNALEZIONO`]; a visit whose status does not
//! allow the change answers [`WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU`]. **These two failure codes
//! are the sandbox's own** (`urn:x-b2b-sdk:…`). Success is P1's
//! [`WYNIK_SUKCES`](crate::WYNIK_SUKCES).
//!
//! The CSV dates (Polish local time) are stored with the Polish offset of that day (`+01:00`,
//! `+02:00` from the last Sunday of March to the last Sunday of October).
//!
//! ## Booking rules
//!
//! A booking that breaks a rule answers `wynik` [`WYNIK_BLAD_WERYFIKACJI`]
//! (`urn:csioz:p1:kod:major:BladWeryfikacji`) with one `wynikWeryfikacjiReguly` per broken rule
//! (`wynikWeryfikacji` `urn:csioz:p1:kodWynikuWeryfikacji:blad`, `opisProblemu`), and changes
//! nothing. The same rules hold for bookings of the simulated patients and other providers.
//!
//! | rule | broken when |
//! |---|---|
//! | `REG.WER.8361` | neither `kontakt/email` nor `kontakt/telefon` is given (L491, L654) |
//! | `REG.WER.9662` | a first visit without a referral; an e-referral the table does not know; a first visit on an e-referral not `WYSTAWIONE`, a follow-up on one not `U_REALIZATORA`, any visit on one `ZREALIZOWANE` (L655, L674-L677); a paper referral is accepted as given |
//! | `REG.WER.9644` | the slot is already taken, or the patient already has a booked visit at that MUŚ and start (L657) |
//! | `REG.WER.9667` | `dataZapisu` is after the visit's start (L659) |
//! | [`REGULA_40_DNI`] `SANDBOX.CER.40DNI` | the MUŚ is active and the visit starts more than 40 days after the sandbox's today (L589; for patients L432) |
//! | [`REGULA_RODZAJ`] `SANDBOX.CER.RODZAJ` | the slot does not take the visit's kind (`rodzajWizyty` of the slot) |
//! | [`REGULA_SLOT`] `SANDBOX.CER.SLOT` | the slot is `ZABLOKOWANY` |
//! | [`REGULA_NIEAKTYWNY`] `SANDBOX.CER.NIEAKTYWNY` | a patient, another provider or the waiting room books a slot of a MUŚ not yet active (invisible, L587) |
//! | [`REGULA_IKP`] `SANDBOX.CER.IKP` | a patient books in IKP anything but a first visit (L259-L262) |
//!
//! **The `SANDBOX.CER.*` codes are the sandbox's own**: CeR surely checks these things, but no
//! code for them is public (the deck names only the six `REG.WER` codes). Schedule data the
//! sandbox refuses (an `idHarmonogramu`/`idSlotu` sent for a new one, an end not after the
//! start, a slot not in the schedule) is [`REGULA_DANE`] `SANDBOX.CER.DANE`; a booked slot
//! removed or changed is [`REGULA_SLOT_ZAJETY`] `SANDBOX.CER.SLOT_ZAJETY`.
//!
//! ## The waiting room
//!
//! After every call that changes state (and after every simulated action), the waiting room is
//! served: entries are taken oldest first (by `dataZapisu`, then by arrival), and the first one
//! for which a `WOLNY` slot fits is booked into the earliest such slot — a slot of a schedule
//! with the entry's `kodSwiadczenia`, taking the entry's kind (first visit, or the privileged
//! patient's kind), starting today or later, not before `najwczesniej`, within the 40 days —
//! through the booking rules above, with `kanal` `POCZEKALNIA`; the entry is removed and a
//! `ZAPIS_Z_POCZEKALNI` notification is sent. `kodTerytorialny` is not checked (the sandbox
//! knows no regions). An entry made from a cancelled or unrealised visit keeps the visit's
//! `dataZapisu` (its place in the queue, L125) and is never booked back into that visit's slot.
//! So an entry made while a matching slot is free is booked at once.
//!
//! ## Notifications
//!
//! CeR pushes to the endpoint a provider registered ([`Sandbox::zarejestruj_odbiorce`]): one
//! `PrzekazNotyfikacjeRequest` ([`cer::notyfikacje`](crate::cer::notyfikacje)) per event,
//! `POST` with `SOAPAction: "urn:przekazNotyfikacje"` over HTTPS (the receiver's CA and, for a
//! receiver that wants mutual TLS, a client identity given at registration), **signed with
//! WS-Security by the sandbox's own certificate from a CA of its own (not the CA that issues the
//! providers' signing certificates, so a receiver trusting it accepts CeR's notifications and no
//! provider's), over Body and `wsu:Timestamp` only** — there is no call context on this call
//! ([`Sandbox::notification_verifier`] checks such a signature; [`Sandbox::notification_ca_cert_pem`]
//! is its CA). The receiver must answer `PrzekazNotyfikacjeResponse` with the same
//! `idNotyfikacji` and `przyjeto` true; anything else, a transport error or no registered
//! receiver is recorded ([`Sandbox::nieudane_notyfikacje`]), never a panic, and not retried on
//! its own ([`Sandbox::ponow_notyfikacje`] redelivers one, same `idNotyfikacji`).
//!
//! | kind | sent when |
//! |---|---|
//! | `ZAPIS_Z_POCZEKALNI` | the waiting room booked a visit |
//! | `ZAPIS_IKP` | [`Sandbox::pacjent_zapisuje_przez_ikp`] |
//! | `ANULACJA_IKP` | [`Sandbox::pacjent_odwoluje_przez_ikp`] (the slot is freed and the waiting room served, which may add a `ZAPIS_Z_POCZEKALNI`) |
//! | `ZAPIS_INNY_PODMIOT` | [`Sandbox::inny_podmiot_zapisuje`] |
//!
//! Notifications are delivered before the call that caused them is answered (and before a
//! simulated action returns), so a test need not wait; CeR itself delivers asynchronously.
//! There is one receiver for the whole sandbox. The seed's rule that the receiver's address
//! must be public (L634) is not enforced: the sandbox's receivers are on loopback.
//!
//! Everything stored is fictitious and lives as long as the sandbox.

mod dane;
mod obsluga;
mod powiadomienia;
mod zasilenie;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sdk_runtime::Date;
use sdk_runtime::sandbox::{Handler, IssuedCert, MtlsServer, SandboxError, TestPki};
use sdk_runtime::transport::{BuildError, HttpClient, Identity};
use sdk_runtime::url::Url;
use sdk_runtime::wssec::keys::SigningIdentity;
use sdk_runtime::wssec::sign::{SigningProfile, WsSecuritySigner};
use sdk_runtime::wssec::verify::{TrustAnchors, VerificationPolicy, Verifier};

use crate::cer::notyfikacje::types::{PrzekazNotyfikacjeRequest, RodzajNotyfikacjiMT};
use crate::cer::types::{
    DaneWizytyMT, HarmonogramMT, KanalMT, SlotMT, WizytaMT, WpisPoczekalniMT, WynikMT,
    WynikWeryfikacjiRegulyMT,
};
use crate::cer::zasilenie::StatusSkierowania;
use crate::{ClientBuildError, ClientBuilder};

use dane::Dane;

/// The signing identity of a certificate the sandbox issued.
fn podpis(cert: &IssuedCert) -> Result<SigningIdentity, SandboxError> {
    cert.signing_identity()
        .map_err(|e| SandboxError::Certificate(e.to_string()))
}

/// `wynik/major` of a request that broke business rules (P1's code, seen in the newer
/// services; the rules are in `wynikWeryfikacjiReguly`).
pub const WYNIK_BLAD_WERYFIKACJI: &str = "urn:csioz:p1:kod:major:BladWeryfikacji";
/// `wynik/major` of the sandbox when an identifier names nothing stored (the sandbox's own
/// code).
pub const WYNIK_NIE_ZNALEZIONO: &str = "urn:x-b2b-sdk:p1-sandbox:kod:major:NieZnaleziono";
/// `wynik/major` of the sandbox when a visit's status does not allow the change (the
/// sandbox's own code).
pub const WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU: &str =
    "urn:x-b2b-sdk:p1-sandbox:kod:major:NiedozwolonaZmianaStatusu";
/// `wynik/major` of a simulated action the sandbox could not carry out for a reason of its
/// own (the sandbox's own code).
pub const WYNIK_BLAD_WEWNETRZNY: &str = "urn:x-b2b-sdk:p1-sandbox:kod:major:BladWewnetrzny";

/// After `aktywujMus`, no visit may start more than this many days after today (L589).
pub const HORYZONT_DNI: i64 = 40;

/// The 40-day rule (the sandbox's own code: CeR's is not public).
pub const REGULA_40_DNI: &str = "SANDBOX.CER.40DNI";
/// The slot does not take the visit's kind (the sandbox's own code).
pub const REGULA_RODZAJ: &str = "SANDBOX.CER.RODZAJ";
/// The slot is blocked (the sandbox's own code).
pub const REGULA_SLOT: &str = "SANDBOX.CER.SLOT";
/// A booked slot removed or changed (the sandbox's own code).
pub const REGULA_SLOT_ZAJETY: &str = "SANDBOX.CER.SLOT_ZAJETY";
/// A slot of a MUŚ not yet active, booked by anyone but its provider (the sandbox's own code).
pub const REGULA_NIEAKTYWNY: &str = "SANDBOX.CER.NIEAKTYWNY";
/// A patient booking in IKP anything but a first visit (the sandbox's own code).
pub const REGULA_IKP: &str = "SANDBOX.CER.IKP";
/// A waiting-room entry without the patient's consent (the sandbox's own code).
pub const REGULA_ZGODA: &str = "SANDBOX.CER.ZGODA";
/// A row of an initial load for another MUŚ than the request's (the sandbox's own code).
pub const REGULA_MUS: &str = "SANDBOX.CER.MUS";
/// Schedule or slot data the sandbox refuses (the sandbox's own code).
pub const REGULA_DANE: &str = "SANDBOX.CER.DANE";

/// Common name of the sandbox's own WSS certificate (it signs the notifications).
const PODPIS_CN: &str = "CeR sandbox (b2b-sdk)";

/// How the sandbox behaves.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// The sandbox's "today" (the 40-day rule, the waiting room, its timestamps); `None`: the
    /// real date in UTC.
    pub dzis: Option<Date>,
}

impl SandboxConfig {
    /// Sets the sandbox's "today", for deterministic tests.
    pub fn dzis(mut self, dzis: Date) -> Self {
        self.dzis = Some(dzis);
        self
    }
}

/// A refused simulated action ([`Sandbox::pacjent_zapisuje_przez_ikp`] and the like): the
/// `wynik` and the broken rules, as CeR would answer them on the wire.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("CeR refused: {} ({})", .wynik.major, self.kody().join(", "))]
#[non_exhaustive]
pub struct Odrzucenie {
    /// The result: [`WYNIK_BLAD_WERYFIKACJI`], [`WYNIK_NIE_ZNALEZIONO`],
    /// [`WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU`] or [`WYNIK_BLAD_WEWNETRZNY`], with a message.
    pub wynik: WynikMT,
    /// One result per broken rule (for [`WYNIK_BLAD_WERYFIKACJI`]).
    pub reguly: Vec<WynikWeryfikacjiRegulyMT>,
}

impl Odrzucenie {
    /// The codes of the broken rules, e.g. `["REG.WER.8361"]`.
    pub fn kody(&self) -> Vec<&str> {
        self.reguly
            .iter()
            .map(|r| r.kod_reguly_weryfikacji.as_str())
            .collect()
    }

    fn z_wynikiem(major: &str, komunikat: String, reguly: Vec<WynikWeryfikacjiRegulyMT>) -> Self {
        let mut wynik = WynikMT::new(major.to_owned());
        wynik.komunikat = Some(komunikat);
        Self { wynik, reguly }
    }

    pub(crate) fn reguly(reguly: Vec<WynikWeryfikacjiRegulyMT>) -> Self {
        let komunikat = format!("{} business rule(s) not met", reguly.len());
        Self::z_wynikiem(WYNIK_BLAD_WERYFIKACJI, komunikat, reguly)
    }

    pub(crate) fn nie_znaleziono(co: impl std::fmt::Display) -> Self {
        Self::z_wynikiem(WYNIK_NIE_ZNALEZIONO, format!("no {co}"), Vec::new())
    }

    pub(crate) fn niedozwolone(opis: impl Into<String>) -> Self {
        Self::z_wynikiem(WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU, opis.into(), Vec::new())
    }

    pub(crate) fn wewnetrzne(opis: impl Into<String>) -> Self {
        Self::z_wynikiem(WYNIK_BLAD_WEWNETRZNY, opis.into(), Vec::new())
    }
}

/// A notification that did not reach the receiver.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NieudanaNotyfikacja {
    /// Its `idNotyfikacji`.
    pub id_notyfikacji: String,
    /// Its kind.
    pub rodzaj: RodzajNotyfikacjiMT,
    /// Why: no receiver, a transport or TLS error, an HTTP status, a missing acknowledgement.
    pub powod: String,
}

/// Why [`Sandbox::ponow_notyfikacje`] did not deliver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BladNotyfikacji {
    /// No notification has this `idNotyfikacji`.
    #[error("no notification {0}")]
    NieZnaleziono(String),
    /// The delivery failed (also recorded in [`Sandbox::nieudane_notyfikacje`]).
    #[error("the notification was not delivered: {0}")]
    Dostarczenie(String),
}

/// The registered receiver of notifications.
#[derive(Clone)]
struct Odbiorca {
    url: Url,
    http: HttpClient,
}

/// What the server and the public methods share.
struct Stan {
    weryfikator: Verifier,
    /// The sandbox's own WSS signer (Body and Timestamp), for notifications.
    podpis: WsSecuritySigner,
    zapytania: AtomicUsize,
    dane: Mutex<Dane>,
    odbiorca: Mutex<Option<Odbiorca>>,
}

impl Stan {
    fn dane(&self) -> MutexGuard<'_, Dane> {
        self.dane.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn odbiorca(&self) -> Option<Odbiorca> {
        self.odbiorca
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A running CeR sandbox (see the module documentation). Stops when dropped.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use sdk_p1::cer::sandbox::{Sandbox, SandboxConfig};
/// use sdk_p1::cer::{KontekstCeR, rola_systemu};
/// use sdk_p1::Oid;
///
/// let sandbox = Sandbox::with_config(SandboxConfig::default().dzis(time::macros::date!(2026 - 07 - 01)))?;
/// let client = sandbox.client()?;           // mutual TLS + cer::signer, trusting the sandbox
/// let kontekst = KontekstCeR::builder()
///     .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
///     .rola_biznesowa(rola_systemu())
///     .build()?;
/// # let _ = (client, kontekst);
/// # Ok(()) }
/// ```
pub struct Sandbox {
    server: MtlsServer,
    tls: TestPki,
    wss: TestPki,
    /// Issues the certificate that signs the notifications, and nothing else.
    notifications: TestPki,
    stan: Arc<Stan>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url().as_str())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on a free loopback port with the default configuration (today is the
    /// real date). Must be called within a Tokio runtime.
    pub fn start() -> Result<Self, SandboxError> {
        Self::with_config(SandboxConfig::default())
    }

    /// Starts a sandbox with `config` on a free loopback port.
    pub fn with_config(config: SandboxConfig) -> Result<Self, SandboxError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config)
    }

    /// Starts a sandbox listening on `addr`.
    pub fn start_on(addr: SocketAddr, config: SandboxConfig) -> Result<Self, SandboxError> {
        let tls = TestPki::new("CeR sandbox TLS CA (b2b-sdk, not a real authority)")?;
        let wss = TestPki::new("CeR sandbox WSS CA (b2b-sdk, not a real authority)")?;
        let notifications =
            TestPki::new("CeR sandbox notification-signing CA (b2b-sdk, not a real authority)")?;
        let trust = zaufanie(&wss)?;
        let podpis = WsSecuritySigner::new(
            podpis(&notifications.issue_client_cert(PODPIS_CN)?)?,
            // Body and Timestamp: a notification carries no call context.
            SigningProfile::new(),
        );
        let stan = Arc::new(Stan {
            weryfikator: Verifier::new(crate::cer::verification_policy(trust)),
            podpis,
            zapytania: AtomicUsize::new(0),
            dane: Mutex::new(Dane::new(config.dzis)),
            odbiorca: Mutex::new(None),
        });
        let handler: Arc<dyn Handler> = Arc::new(obsluga::Obsluga { stan: stan.clone() });
        let server = MtlsServer::start_on(addr, &tls, handler)?;
        Ok(Self {
            server,
            tls,
            wss,
            notifications,
            stan,
        })
    }

    /// The base URL to give a client (`https://127.0.0.1:PORT/`); the CeR path is appended by
    /// [`cer::Client::from_builder`](crate::cer::Client::from_builder).
    pub fn base_url(&self) -> Url {
        self.server.base_url()
    }

    /// The full CeR endpoint (`https://127.0.0.1:PORT/services/ObslugaCeRWS`).
    pub fn endpoint(&self) -> Url {
        sdk_runtime::soap::endpoint_url(&self.base_url(), crate::cer::CER_PATH)
            .unwrap_or_else(|_| self.base_url())
    }

    /// The TLS CA certificate (PEM): clients must trust it, and it issues the TLS client
    /// certificates the handshake accepts.
    pub fn ca_cert_pem(&self) -> &str {
        self.tls.ca_cert_pem()
    }

    /// The WSS CA certificate (PEM): it issues the signing certificates the sandbox accepts.
    pub fn wss_ca_cert_pem(&self) -> &str {
        self.wss.ca_cert_pem()
    }

    /// The CA certificate (PEM) of the certificate that signs the notifications: what a
    /// receiver trusts for their signatures ([`notification_verifier`](Self::notification_verifier)).
    pub fn notification_ca_cert_pem(&self) -> &str {
        self.notifications.ca_cert_pem()
    }

    /// Issues a TLS client certificate the handshake accepts (P1's `…-tls.p12`).
    pub fn issue_client_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        self.tls.issue_client_cert(common_name)
    }

    /// Issues a signing certificate whose signatures the sandbox accepts (P1's `…-wss.p12`).
    pub fn issue_signing_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        self.wss.issue_client_cert(common_name)
    }

    /// A fresh signing identity the sandbox accepts.
    pub fn signing_identity(&self, common_name: &str) -> Result<SigningIdentity, SandboxError> {
        podpis(&self.issue_signing_cert(common_name)?)
    }

    /// A request signer with CeR's profile ([`cer::signer`](crate::cer::signer)) and a fresh
    /// signing identity the sandbox accepts.
    pub fn signer(&self, common_name: &str) -> Result<WsSecuritySigner, SandboxError> {
        Ok(crate::cer::signer(self.signing_identity(common_name)?))
    }

    /// A client builder preset for this sandbox: a fresh TLS client certificate and a fresh
    /// [`cer::signer`](crate::cer::signer) for `common_name`, the sandbox's TLS CA as the only
    /// trust anchor, its base URL. Adjust it, then
    /// [`cer::Client::from_builder`](crate::cer::Client::from_builder).
    pub fn client_builder(&self, common_name: &str) -> Result<ClientBuilder, ClientBuildError> {
        let sandbox_error = |e: &dyn std::fmt::Display| ClientBuildError::Sandbox(e.to_string());
        let cert = self
            .issue_client_cert(common_name)
            .map_err(|e| sandbox_error(&e))?;
        let identity = cert.identity().map_err(|e| sandbox_error(&e))?;
        let signer = self.signer(common_name).map_err(|e| sandbox_error(&e))?;
        crate::Client::builder()
            .base_url(self.base_url().to_string())
            .identity(identity)
            .signer(signer)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes())
    }

    /// A ready CeR client ([`Sandbox::client_builder`] as is).
    pub fn client(&self) -> Result<crate::cer::Client, ClientBuildError> {
        self.client_builder("CeR sandbox client")
            .and_then(crate::cer::Client::from_builder)
    }

    /// A verifier of the notifications' signatures: trusts the WSS CA, requires Body and
    /// Timestamp signed (no call context).
    pub fn notification_verifier(&self) -> Result<Verifier, SandboxError> {
        Ok(Verifier::new(VerificationPolicy::new(zaufanie(
            &self.notifications,
        )?)))
    }

    /// The sandbox's today.
    pub fn dzis(&self) -> Date {
        self.stan.dane().dzis()
    }

    /// Sets the sandbox's today (the 40-day rule, the waiting room, timestamps).
    pub fn ustaw_dzis(&self, dzis: Date) {
        self.stan.dane().ustaw_dzis(dzis);
    }

    /// Sets the status e-Skierowanie has for an e-referral (`kluczSkierowania`): what
    /// `pobierzStatusSkierowania` answers and REG.WER.9662 checks. Replaces an earlier one.
    pub fn dodaj_skierowanie(&self, klucz: impl Into<String>, status: StatusSkierowania) {
        self.stan.dane().dodaj_skierowanie(klucz.into(), status);
    }

    /// Registers the provider's notification endpoint (an `https://` URL): `ca_pem` is the
    /// CA (PEM) the receiver's server certificate chains to, `tozsamosc` the client
    /// certificate CeR presents when the receiver asks for one. Replaces an earlier receiver.
    pub fn zarejestruj_odbiorce(
        &self,
        url: Url,
        ca_pem: &[u8],
        tozsamosc: Option<Identity>,
    ) -> Result<(), BuildError> {
        let mut http = HttpClient::builder()
            .platform_roots(false)
            .add_root_certificates_pem(ca_pem)?;
        if let Some(t) = tozsamosc {
            http = http.identity(t);
        }
        let odbiorca = Odbiorca {
            url,
            http: http.build()?,
        };
        *self
            .stan
            .odbiorca
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(odbiorca);
        Ok(())
    }

    /// A patient books a visit in IKP/mojeIKP: first visits only, in a slot of an active MUŚ,
    /// under the booking rules; `kanal` `IKP`, a `ZAPIS_IKP` notification delivered. `dane`
    /// as in `zapiszNaWizyte`.
    pub async fn pacjent_zapisuje_przez_ikp(
        &self,
        dane: &DaneWizytyMT,
    ) -> Result<WizytaMT, Odrzucenie> {
        let wynik =
            self.stan
                .dane()
                .zapis_symulowany(dane, KanalMT::Ikp, RodzajNotyfikacjiMT::ZapisIkp);
        powiadomienia::wyslij_oczekujace(&self.stan).await;
        wynik
    }

    /// A patient cancels a booked visit in IKP/mojeIKP: `ODWOLANA` (`kanal` `IKP`), the slot
    /// freed, an `ANULACJA_IKP` notification delivered; a privileged patient's first visit
    /// puts the patient into the waiting room (L320-L321); then the waiting room is served.
    pub async fn pacjent_odwoluje_przez_ikp(
        &self,
        id_wizyty: &str,
    ) -> Result<WizytaMT, Odrzucenie> {
        let wynik = self.stan.dane().odwolanie_ikp(id_wizyty);
        powiadomienia::wyslij_oczekujace(&self.stan).await;
        wynik
    }

    /// Another provider books a visit in one of this provider's slots through CeR (an active
    /// MUŚ, the booking rules): `kanal` `INNY_PODMIOT`, a `ZAPIS_INNY_PODMIOT` notification
    /// delivered.
    pub async fn inny_podmiot_zapisuje(&self, dane: &DaneWizytyMT) -> Result<WizytaMT, Odrzucenie> {
        let wynik = self.stan.dane().zapis_symulowany(
            dane,
            KanalMT::InnyPodmiot,
            RodzajNotyfikacjiMT::ZapisInnyPodmiot,
        );
        powiadomienia::wyslij_oczekujace(&self.stan).await;
        wynik
    }

    /// Serves the waiting room now (as after every change) and delivers the notifications;
    /// the visits it booked.
    pub async fn obsluz_poczekalnie(&self) -> Result<Vec<WizytaMT>, Odrzucenie> {
        let wynik = self
            .stan
            .dane()
            .obsluz_poczekalnie()
            .map_err(dane::Blad::w_odrzucenie);
        powiadomienia::wyslij_oczekujace(&self.stan).await;
        wynik
    }

    /// Delivers notification `id_notyfikacji` again, unchanged (same `idNotyfikacji`), so a
    /// receiver's idempotency can be tested.
    pub async fn ponow_notyfikacje(&self, id_notyfikacji: &str) -> Result<(), BladNotyfikacji> {
        let notyfikacja = self
            .stan
            .dane()
            .notyfikacja(id_notyfikacji)
            .ok_or_else(|| BladNotyfikacji::NieZnaleziono(id_notyfikacji.to_owned()))?;
        powiadomienia::wyslij(&self.stan, &notyfikacja)
            .await
            .map_err(BladNotyfikacji::Dostarczenie)
    }

    /// Every notification made so far, in order (delivered or not).
    pub fn notyfikacje(&self) -> Vec<PrzekazNotyfikacjeRequest> {
        self.stan.dane().notyfikacje.clone()
    }

    /// The deliveries that failed, in order.
    pub fn nieudane_notyfikacje(&self) -> Vec<NieudanaNotyfikacja> {
        self.stan.dane().nieudane.clone()
    }

    /// Every visit, in the order they were made.
    pub fn wizyty(&self) -> Vec<WizytaMT> {
        self.stan.dane().wizyty.clone()
    }

    /// One visit.
    pub fn wizyta(&self, id_wizyty: &str) -> Option<WizytaMT> {
        self.stan.dane().wizyta(id_wizyty).cloned()
    }

    /// The waiting room, oldest first.
    pub fn poczekalnia(&self) -> Vec<WpisPoczekalniMT> {
        self.stan.dane().poczekalnia()
    }

    /// Every schedule with all its slots.
    pub fn harmonogramy(&self) -> Vec<HarmonogramMT> {
        self.stan.dane().wszystkie_harmonogramy()
    }

    /// One slot, with its status.
    pub fn slot(&self, id_slotu: &str) -> Option<SlotMT> {
        self.stan.dane().slot_mt(id_slotu)
    }

    /// When a place of service (its `idMus` extension) was activated.
    pub fn aktywacja_mus(&self, id_mus: &str) -> Option<Date> {
        self.stan.dane().aktywacja(id_mus)
    }

    /// How many HTTP requests reached the sandbox (over authenticated TLS) so far.
    pub fn requests_received(&self) -> usize {
        self.stan.zapytania.load(Ordering::SeqCst)
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

fn zaufanie(ca: &TestPki) -> Result<TrustAnchors, SandboxError> {
    TrustAnchors::from_pem(ca.ca_cert_pem().as_bytes())
        .map_err(|e| SandboxError::Certificate(e.to_string()))
}
