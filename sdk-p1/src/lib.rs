//! Client for the Polish P1 platform of Centrum e-Zdrowia (CeZ): **e-Recepta**
//! (`ObslugaReceptyWS`), generated from the service description in `wsdl/p1/`, and (feature
//! `cer`) **Centralna e-Rejestracja** (`cer`: schedules, bookings, the waiting room, the
//! initial load), generated from our **reconstructed** description in `wsdl/p1/cer/`.
//!
//! | what | where |
//! |---|---|
//! | the 26 operations, typed | [`Client`] (one method each), [`erecepta::operation`] |
//! | endpoints | [`Environment`]: integration `https://isus.ezdrowie.gov.pl/services/ObslugaReceptyWS`, production `https://sus.ezdrowie.gov.pl/services/ObslugaReceptyWS` |
//! | the call-context header | [`KontekstWywolania`], [`NazwaAtrybutuKontekstu`], [`RolaBiznesowa`] |
//! | results and errors | [`MaWynik`] / [`NiepowodzenieOperacji`] for `wynik`, [`BladUslugi`] for the `bledyOperacji` fault, [`Error`] |
//! | WS-Security | [`wssec::WsSecuritySigner`] with [`wssec::SigningProfile::p1`] as the [`RequestSigner`] ([`signing`] is the seam, any signer fits); answers verified on request ([`ClientBuilder::verify_responses`]) |
//! | values | [`Pesel`], [`TrescDokumentu`] (base64 documents), [`DataCzas`] (`xs:dateTime`) |
//! | signed prescriptions | [`TrescDokumentu::podpisz`]: a CDA signed XAdES-BES enveloped with the prescriber's certificate (a third certificate, not the TLS or WSS one), for `tresc`; [`wssec::p1_document_verifier`] and [`TrescDokumentu::sprawdz_podpis`] check one |
//! | Sandbox | `sandbox::Sandbox` (feature `sandbox`): an in-process e-Recepta over mutual TLS that checks signatures and the call context and keeps prescriptions in memory |
//! | Centralna e-Rejestracja | `cer::Client` (feature `cer`): 14 operations, every one **reconstructed** (no CeR interface file is public), the v20180509 call context `cer::KontekstCeR`, `cer::signer` |
//!
//! ## Features
//!
//! One per service group, so that a vendor compiles only what it calls: `erecepta` (default:
//! [`Client`]'s operations, `KontekstWywolania`, the `erecepta` module), `cer` (Centralna
//! e-Rejestracja), `sandbox` (the sandboxes of the enabled groups), `serde`. What every P1 service
//! shares — the transport and signing ([`ClientBuilder`], [`wssec`]), the `wynik` result
//! ([`MaWynik`]), P1's technical errors ([`BladUslugi`] over the shared [`wyjatki`] types, generated
//! once for all services) — is always there. CI lints the crate with each feature alone.
//!
//! ## Provenance
//!
//! `wsdl/p1/` is written by this project to match, element for element, the e-Recepta WSDL/XSD
//! set CSIOZ published in 2019 (namespace version `v20170510`; copies in
//! `../shared/specs/published/p1-erecepta-v20170510/`): names, namespaces, the
//! `kontekstWywolania` header, the `bledyOperacji` fault with `BladMT`, SOAPActions
//! `urn:<operation>`, and `WynikMT`. Every operation is marked **published**; the crate's tests
//! compare our description with the published one and validate every request against the
//! published schemas. That contract is older than the current service: operations added since
//! (`odczytKluczyReceptUslugobiorcy`, `rozszerzoneWyszukiwanieReceptUslugobiorcy`,
//! `odczytStanuRealizacjiRecepty`) are missing, and the current WSDL comes from CeZ to
//! registered integrators (../shared/facts/p1.md §5.3).
//!
//! ## A call
//!
//! mutual TLS with the entity's `…-tls.p12` ([`ClientBuilder::identity`]) → the request, with
//! the call context as a SOAP header, validated and written ([`request_envelope`]) → signed by
//! your [`RequestSigner`] (WS-Security X.509 with the `…-wss.p12`, normally
//! [`wssec::WsSecuritySigner`]; P1 rejects unsigned calls) → `POST` with
//! `SOAPAction: "urn:<operation>"` → the answer decoded leniently (deviations are
//! [`Response::diagnostics`](sdk_runtime::soap::Response::diagnostics)), a fault typed as
//! [`BladUslugi`], and its signature verified if you asked for it → a decoded answer still has to
//! be checked: P1 reports business failures in its `wynik` ([`MaWynik::sprawdz_wynik`]), next to
//! details such as per-prescription verification results.
//!
//! ## Testing against the sandbox
//!
//! With the `sandbox` feature, `sandbox::Sandbox::start()` runs a fake e-Recepta on loopback
//! with its own throwaway CAs (one for TLS, one for WS-Security signing, one for the
//! prescribers' document signatures) and in-memory state; `Sandbox::client()` is a client with
//! certificates from the first two, `Sandbox::prescriber_identity` signs prescriptions
//! ([`TrescDokumentu::podpisz`]), which `zapisPakietuRecept` requires. Its data and its failure codes
//! are fictitious and listed in the module's documentation.
//!
//! ## Personal data
//!
//! Patient identifiers (PESEL), package codes (which contain the PESEL), names of prescribers,
//! drug names and the CDA documents are shown as `<redacted>` in `Debug` output of the generated
//! types (`[sensitive]` in `wsdl/p1/codegen.toml`); [`Pesel`] and [`TrescDokumentu`] redact
//! themselves.

mod macros;

#[cfg(feature = "cer")]
pub mod cer;
mod client;
mod kontekst;
#[cfg(all(feature = "sandbox", feature = "erecepta"))]
pub mod sandbox;
pub mod signing;
mod values;
pub mod wssec;
mod wynik;

#[rustfmt::skip]
pub mod generated;

pub use client::{Client, ClientBuildError, ClientBuilder, Environment, Error, Signing};
#[cfg(feature = "erecepta")]
pub use client::{ERECEPTA_PATH, OPERATIONS, request_envelope};
#[cfg(feature = "erecepta")]
pub use generated::erecepta;
pub use generated::wyjatki;
pub use kontekst::{KONTEKST_NS, KONTEKST_WYWOLANIA, NazwaAtrybutuKontekstu, Oid, RolaBiznesowa};
#[cfg(feature = "erecepta")]
pub use kontekst::{KontekstWywolania, KontekstWywolaniaBuilder};
pub use signing::{RequestSigner, SigningError};
#[cfg(feature = "erecepta")]
pub use values::pracownik_npwz;
pub use values::{DataCzas, OID_NPWZ, OID_PESEL, Pesel, TrescDokumentu};
pub use wynik::{
    BLEDY_OPERACJI, BLEDY_OPERACJI_CER, BladUslugi, MaWynik, NiepowodzenieOperacji, WYNIK_SUKCES,
    WynikP1,
};

/// Stable names for the generated types of `xs:choice` content, which the generator numbers
/// (`PakietReceptMtChoiceIdentyfikatorZadania`); a regeneration that renumbers them fails to compile here rather
/// than in callers.
#[cfg(feature = "erecepta")]
pub mod choices {
    use crate::erecepta::types as t;

    /// `PakietReceptMT`: a package of prescriptions, or the task already handling it.
    pub type PakietRecept = t::PakietReceptMtChoiceIdentyfikatorZadania;
    /// `PakietRealizacjiReceptMT`: a package of dispensings.
    pub type PakietRealizacjiRecept = t::PakietRealizacjiReceptMtChoiceRealizacje;
    /// `PotwierdzenieOperacjiZapisuMT`: a task identifier or the result of storing a package.
    pub type PotwierdzenieOperacjiZapisu = t::PotwierdzenieOperacjiZapisuMtChoiceIdZadania;
    /// `PotwierdzenieOperacjiWeryfikacjiMT`: a task identifier or the verification results.
    pub type PotwierdzenieOperacjiWeryfikacji =
        t::PotwierdzenieOperacjiWeryfikacjiMtChoiceIdZadania;
    /// `KryteriaOdczytuPakietuReceptMT`: a package key or a package code.
    pub type KryteriaOdczytuPakietuRecept =
        t::KryteriaOdczytuPakietuReceptMtChoiceKluczPakietuRecept;
    /// Request of `rezygnacjaZRealizacjiReceptyNaLekRecepturowy`: an e-prescription key or a
    /// paper prescription's number and position.
    pub type RezygnacjaZRealizacji =
        t::RezygnacjaZRealizacjiReceptyNaLekRecepturowyRequestChoiceKluczRecepty;
    /// Request of `przyjecieDoRealizacjiReceptyNaLekRecepturowy`: an e-prescription key or a
    /// paper prescription's number and position.
    pub type PrzyjecieDoRealizacji =
        t::PrzyjecieDoRealizacjiReceptyNaLekRecepturowyRequestChoiceKluczRecepty;
}
