//! The Centralna e-Rejestracja client: the newer call context, the typed operations over the
//! same signed, mutually authenticated path as e-Recepta.

use sdk_runtime::soap::{OperationSpec, Response};
use sdk_runtime::url::Url;
use sdk_runtime::xml::{
    ElementName, Validate, ValidationError, Validator, ViolationKind, XmlWrite, XmlWriter,
};

use crate::wssec::{
    SignedPart, SigningIdentity, SigningProfile, TrustAnchors, VerificationPolicy, WsSecuritySigner,
};

use super::operation as op;
use super::types::{AtrybutMT, KontekstMT, WartoscAtrybutuMT, WynikMT};
use crate::{ClientBuildError, ClientBuilder, Environment, Error, MaWynik, Oid, RolaBiznesowa};

/// Path of Centralna e-Rejestracja on a P1 host. **Reconstructed**: no CeR endpoint is public
/// (../shared/facts/p1.md §7.2); this follows P1's `/services/<Service>WS` pattern.
pub const CER_PATH: &str = crate::generated::cer::Client::ENDPOINT_PATH;

/// Namespace of the newer P1 call context (`v20180509`), which CeR is assumed to use.
pub const KONTEKST_CER_NS: &str = "http://csioz.gov.pl/p1/kontekst/mt/v20180509";

/// The `kontekstWywolania` header element of CeR.
pub const KONTEKST_CER: ElementName = ElementName::new(KONTEKST_CER_NS, "kontekstWywolania");

/// What a CeR request signature covers: the Body, CeR's `kontekstWywolania` header and the
/// Timestamp (P1's profile, with the newer context's namespace).
pub fn signing_profile() -> SigningProfile {
    SigningProfile::new().parts([
        SignedPart::Body,
        SignedPart::header(KONTEKST_CER_NS, "kontekstWywolania"),
        SignedPart::Timestamp,
    ])
}

/// A request signer for CeR: [`signing_profile`] with `identity` (the entity's `…-wss.p12`).
pub fn signer(identity: SigningIdentity) -> WsSecuritySigner {
    WsSecuritySigner::new(identity, signing_profile())
}

/// What a receiver of CeR requests (the sandbox, a test double) requires of their signature:
/// trusted by `trust`, Body, Timestamp and CeR's context signed.
pub fn verification_policy(trust: TrustAnchors) -> VerificationPolicy {
    VerificationPolicy::new(trust)
        .require_part(SignedPart::header(KONTEKST_CER_NS, "kontekstWywolania"))
}

/// The CeR endpoint of an environment: its host + [`CER_PATH`].
pub fn endpoint(environment: Environment) -> Result<Url, sdk_runtime::url::ParseError> {
    sdk_runtime::soap::endpoint_url(&Url::parse(environment.base_url())?, CER_PATH)
}

/// Names of the newer context dialect (`urn:csioz:p1:kontekst:…`; ../shared/facts/p1.md §3.2).
const PREFIX: &str = "urn:csioz:p1:kontekst:";

/// The roles a provider's own system uses without a person: [`RolaBiznesowa::Inna`] with
/// `SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO` (facts §3.2; that CeR takes it is an inference).
pub fn rola_systemu() -> RolaBiznesowa {
    RolaBiznesowa::Inna("SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO".to_owned())
}

/// A checked CeR call context (the newer dialect), sent as the `kontekstWywolania` header.
///
/// ```
/// use sdk_p1::cer::{KontekstCeR, rola_systemu};
/// use sdk_p1::Oid;
///
/// let kontekst = KontekstCeR::builder()
///     .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
///     .id_miejsca_pracy(Oid::new("2.16.840.1.113883.3.4424.2.3.3", "000000123456-01-001"))
///     .rola_biznesowa(rola_systemu())
///     .build()?;
/// assert_eq!(kontekst.header().atrybut.len(), 5);
/// # Ok::<(), sdk_runtime::xml::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KontekstCeR(KontekstMT);

impl KontekstCeR {
    /// A builder.
    pub fn builder() -> KontekstCeRBuilder {
        KontekstCeRBuilder::default()
    }

    /// The header as sent.
    pub fn header(&self) -> &KontekstMT {
        &self.0
    }
}

impl XmlWrite for KontekstCeR {
    fn write_xml(&self, w: &mut XmlWriter) {
        self.0.write_xml(w);
    }

    fn namespaces(&self) -> Option<(&'static sdk_runtime::xml::NsTable, u64)> {
        self.0.namespaces()
    }
}

impl Validate for KontekstCeR {
    fn validate(&self, v: &mut Validator) {
        v.field("kontekstWywolania", |v| self.0.validate(v));
    }
}

/// Builds a [`KontekstCeR`].
#[derive(Debug, Clone, Default)]
pub struct KontekstCeRBuilder {
    ids: Vec<(&'static str, Oid)>,
    rola: Option<RolaBiznesowa>,
}

impl KontekstCeRBuilder {
    /// The entity (podmiot leczniczy): `idPodmiotuOidRoot` / `idPodmiotuOidExt`. Required.
    pub fn id_podmiotu(mut self, id: Oid) -> Self {
        self.ids.push(("idPodmiotu", id));
        self
    }

    /// The place of service (MUŚ) acted for: `idMiejscaPracyOidRoot` / `…Ext`.
    pub fn id_miejsca_pracy(mut self, id: Oid) -> Self {
        self.ids.push(("idMiejscaPracy", id));
        self
    }

    /// The person, when one acts (a registrar, a physician): `idUzytkownikaOidRoot` / `…Ext`.
    pub fn id_uzytkownika(mut self, id: Oid) -> Self {
        self.ids.push(("idUzytkownika", id));
        self
    }

    /// The business role: `rolaBiznesowa` ([`rola_systemu`] for the provider's system).
    pub fn rola_biznesowa(mut self, rola: RolaBiznesowa) -> Self {
        self.rola = Some(rola);
        self
    }

    /// Checks the values (non-empty roots, extensions and role; the entity present) and builds
    /// the context.
    pub fn build(self) -> Result<KontekstCeR, ValidationError> {
        let mut v = Validator::new();
        let mut header = KontekstMT::new();
        let mut push = |v: &mut Validator, name: String, value: &str| {
            let mut a = AtrybutMT::new();
            match WartoscAtrybutuMT::new(value.trim().to_owned()) {
                Ok(w) if !value.trim().is_empty() => a.wartosc.push(w),
                _ => v.field(&name, |v| {
                    v.violation(ViolationKind::Required, "must not be empty");
                }),
            }
            a.nazwa = Some(name);
            header.atrybut.push(a);
        };
        if !self.ids.iter().any(|(n, _)| *n == "idPodmiotu") {
            v.violation(
                ViolationKind::Required,
                "the call context needs the entity (id_podmiotu)",
            );
        }
        for (name, id) in &self.ids {
            push(&mut v, format!("{PREFIX}{name}OidRoot"), &id.root);
            push(&mut v, format!("{PREFIX}{name}OidExt"), &id.extension);
        }
        if let Some(rola) = &self.rola {
            push(&mut v, format!("{PREFIX}rolaBiznesowa"), rola.as_str());
        }
        v.finish()?;
        Ok(KontekstCeR(header))
    }
}

/// Client of Centralna e-Rejestracja: the P1 [`Client`](crate::Client) path (mutual TLS, the
/// request signed by your [`RequestSigner`](crate::RequestSigner), answers verified on
/// request) at [`CER_PATH`], with the CeR context. Cheap to clone.
///
/// Every operation is **reconstructed** (see [`crate::cer`]); business failures come in the
/// answer's `wynik` ([`MaWynik::sprawdz_wynik`]) and its per-rule results
/// (`wynik_weryfikacji_reguly`, e.g. `REG.WER.8361`), technical ones as
/// [`BladUslugi`](crate::BladUslugi).
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
}

impl Client {
    /// Builds the client from a P1 [`ClientBuilder`] (environment or base URL, identity,
    /// signer): the endpoint is the host + [`CER_PATH`].
    pub fn from_builder(builder: ClientBuilder) -> Result<Self, ClientBuildError> {
        Ok(Self {
            inner: builder.build_at(CER_PATH)?,
        })
    }

    /// A client over a P1 client whose endpoint is already CeR's.
    pub fn new(inner: crate::Client) -> Self {
        Self { inner }
    }

    /// The endpoint this client calls.
    pub fn endpoint(&self) -> &Url {
        self.inner.endpoint()
    }

    /// Calls any CeR operation by its [`OperationSpec`].
    pub async fn call<I, O>(
        &self,
        op: &OperationSpec,
        kontekst: &KontekstCeR,
        input: &I,
    ) -> Result<Response<O>, Error>
    where
        I: XmlWrite + Validate,
        O: sdk_runtime::xml::XmlRead,
    {
        self.inner
            .call_with(op, KONTEKST_CER, kontekst, input)
            .await
    }
}

impl Client {
    /// Books a visit after checking CeR's booking rules ([`Reguly`](super::reguly::Reguly):
    /// contact, the 40-day horizon after activation, a referral where the benefit needs one,
    /// the booking date): a broken rule is an [`Error`] with every violation, and nothing is
    /// sent. `kod_swiadczenia` and `poczatek` are the slot's benefit and start.
    pub async fn zapisz_na_wizyte_wg_regul(
        &self,
        kontekst: &KontekstCeR,
        dane: &super::types::DaneWizytyMT,
        kod_swiadczenia: &str,
        poczatek: &sdk_runtime::values::DateTime,
        reguly: &super::reguly::Reguly,
    ) -> Result<Response<op::zapisz_na_wizyte::Output>, Error> {
        reguly
            .sprawdz(dane, kod_swiadczenia, poczatek)
            .map_err(|e| Error::from(sdk_runtime::SdkError::InvalidInput(e)))?;
        let input = op::zapisz_na_wizyte::Input::new(dane.clone());
        self.zapisz_na_wizyte(kontekst, &input).await
    }

    /// `pobierzListeWizytSync` with its answer read as it arrives: the visits one at a time,
    /// in memory bounded by the visits in flight, however long the list (a place of service
    /// over months). [`RecordStream::finish`](sdk_runtime::soap::RecordStream::finish) then
    /// gives the rest of the answer (its `wynik`) with an empty `wizyta` list.
    pub async fn pobierz_liste_wizyt_sync_strumieniowo(
        &self,
        kontekst: &KontekstCeR,
        input: &op::pobierz_liste_wizyt_sync::Input,
    ) -> Result<
        sdk_runtime::soap::RecordStream<
            super::types::WizytaMT,
            op::pobierz_liste_wizyt_sync::Output,
        >,
        Error,
    > {
        let answer = self
            .inner
            .call_streaming_with(
                &op::pobierz_liste_wizyt_sync::SPEC,
                KONTEKST_CER,
                kontekst,
                input,
            )
            .await?;
        Ok(answer.records(op::pobierz_liste_wizyt_sync::wizyta_records))
    }

    /// Reconciles the provider's visits of a place of service and days with CeR's: reads CeR's
    /// list (`pobierzListeWizytSync` for `od`..=`do_`), checks its `wynik`, and compares
    /// ([`uzgodnienie::porownaj`](super::uzgodnienie::porownaj)).
    pub async fn uzgodnij(
        &self,
        kontekst: &KontekstCeR,
        id_mus: &super::types::IdentyfikatorMusMT,
        od: sdk_runtime::Date,
        do_: sdk_runtime::Date,
        lokalne: &[super::uzgodnienie::WizytaLokalna],
    ) -> Result<super::uzgodnienie::Roznice, UzgodnienieError> {
        let input = op::pobierz_liste_wizyt_sync::Input::new(id_mus.clone(), od, do_);
        let answer = self.pobierz_liste_wizyt_sync(kontekst, &input).await?;
        answer.sprawdz_wynik()?;
        Ok(super::uzgodnienie::porownaj(lokalne, &answer.output.wizyta))
    }
}

impl Client {
    /// The initial load of a place of service in one call: the CSV file is first checked
    /// locally with [`Walidator`](super::zasilenie::Walidator) (a file with problems is not
    /// sent: [`ZasilenieError::Plik`] has the report and the first problems), then sent with
    /// `zasilenieInicjalne` in `tryb` (`WERYFIKACJA_PLIKU` to have CeR check it only), and
    /// `pobierzWynikZasilenia` is asked every `odstep` until the task is no longer
    /// `W_TRAKCIE` or `limit` has passed. The answer: `SUKCES`, or `BLAD` with CeR's current
    /// error of each failed visit.
    pub async fn zasil(
        &self,
        kontekst: &KontekstCeR,
        id_mus: &super::types::IdentyfikatorMusMT,
        plik: &[u8],
        tryb: super::types::TrybZasileniaMT,
        odstep: std::time::Duration,
        limit: std::time::Duration,
    ) -> Result<op::pobierz_wynik_zasilenia::Output, ZasilenieError> {
        use super::types::StatusZasileniaMT;
        let mut problemy = Vec::new();
        let raport = super::zasilenie::Walidator::new()
            .sprawdz(plik, |p| {
                if problemy.len() < 100 {
                    problemy.push(p);
                }
            })
            .map_err(|e| ZasilenieError::Odczyt(e.to_string()))?;
        if !raport.sukces() {
            return Err(ZasilenieError::Plik { raport, problemy });
        }
        let input = op::zasilenie_inicjalne::Input::new(
            id_mus.clone(),
            tryb,
            crate::TrescDokumentu::new(plik.to_vec()),
        );
        let r = self.zasilenie_inicjalne(kontekst, &input).await?;
        r.sprawdz_wynik()?;
        let zadanie = r.output.id_zadania.ok_or(ZasilenieError::BrakZadania)?;
        let start = std::time::Instant::now();
        loop {
            let input = op::pobierz_wynik_zasilenia::Input::new(zadanie.clone());
            let w = self.pobierz_wynik_zasilenia(kontekst, &input).await?;
            w.sprawdz_wynik()?;
            if w.output.status != StatusZasileniaMT::WTrakcie {
                return Ok(w.output);
            }
            if start.elapsed() + odstep > limit {
                return Err(ZasilenieError::Czas(zadanie.get().clone()));
            }
            tokio::time::sleep(odstep).await;
        }
    }
}

/// Why [`Client::zasil`] has no result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZasilenieError {
    /// The file has problems; nothing was sent.
    #[error("the file has {} problem(s) in {} row(s); nothing was sent", raport.problemy, raport.wiersze_z_bledami)]
    Plik {
        /// The whole file's report.
        raport: super::zasilenie::Raport,
        /// The first problems (at most 100).
        problemy: Vec<super::zasilenie::Problem>,
    },
    /// The file could not be read.
    #[error("the file could not be read: {0}")]
    Odczyt(String),
    /// The call failed.
    #[error(transparent)]
    Wywolanie(#[from] Error),
    /// CeR answered without success.
    #[error(transparent)]
    Wynik(#[from] crate::NiepowodzenieOperacji),
    /// CeR accepted the file without a task identifier.
    #[error("CeR accepted the load without a task identifier")]
    BrakZadania,
    /// The task was still running when the limit passed; ask again with its identifier.
    #[error("the load task {0} was still running when the limit passed")]
    Czas(String),
}

/// Why [`Client::uzgodnij`] could not compare.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UzgodnienieError {
    /// The call failed.
    #[error(transparent)]
    Wywolanie(#[from] Error),
    /// CeR answered without success.
    #[error(transparent)]
    Wynik(#[from] crate::NiepowodzenieOperacji),
}

crate::macros::p1_operations! {
    kontekst: KontekstCeR,
    wynik: WynikMT,
    path: "cer",
    service: "CeR",
    ops: {
        /// `utworzHarmonogram`: creates a schedule and its slots (inactive until activation).
        utworz_harmonogram;
        /// `zmienHarmonogram`: adds, changes and removes slots of a schedule.
        zmien_harmonogram;
        /// `pobierzListeHarmonogramow`: the schedules of a place of service with their slots.
        pobierz_liste_harmonogramow;
        /// `aktywujMus`: activates a place of service (bookable in IKP; the 40-day horizon).
        aktywuj_mus;
        /// `zapiszNaWizyte`: books a first visit, a follow-up or a patient with special rights.
        zapisz_na_wizyte;
        /// `zmienWizyte`: moves a visit to another slot or changes the contact.
        zmien_wizyte;
        /// `odwolajWizyte`: cancels a visit.
        odwolaj_wizyte;
        /// `zapiszRealizacjeWizyty`: reports whether a visit took place.
        zapisz_realizacje_wizyty;
        /// `pobierzListeWizytSync`: the visits of a place of service and days.
        pobierz_liste_wizyt_sync;
        /// `zapiszDoPoczekalni`: puts a patient in the waiting room.
        zapisz_do_poczekalni;
        /// `usunZPoczekalni`: removes a waiting-room entry.
        usun_z_poczekalni;
        /// `pobierzStatusSkierowania`: an e-referral's status.
        pobierz_status_skierowania;
        /// `zasilenieInicjalne`: sends the initial-load CSV (verification only, or for real).
        zasilenie_inicjalne;
        /// `pobierzWynikZasilenia`: the initial load's result, per visit.
        pobierz_wynik_zasilenia;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_operation_is_listed_reconstructed_with_its_soap_action() {
        assert_eq!(OPERATIONS.len(), 14);
        for spec in OPERATIONS {
            assert_eq!(spec.provenance, sdk_runtime::Provenance::Reconstructed);
            assert_eq!(spec.action, Some(format!("urn:{}", spec.name)).as_deref());
        }
        assert_eq!(
            endpoint(Environment::Integration).unwrap().as_str(),
            "https://isus.ezdrowie.gov.pl/services/ObslugaCeRWS"
        );
    }

    #[test]
    fn the_context_needs_the_entity_and_no_empty_values() {
        let e = KontekstCeR::builder()
            .id_miejsca_pracy(Oid::new("1.2", "x"))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("id_podmiotu"), "{e}");
        let e = KontekstCeR::builder()
            .id_podmiotu(Oid::new("1.2", " "))
            .build()
            .unwrap_err();
        assert!(e.concerns("urn:csioz:p1:kontekst:idPodmiotuOidExt"), "{e}");
        let k = KontekstCeR::builder()
            .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
            .rola_biznesowa(rola_systemu())
            .build()
            .unwrap();
        let names: Vec<_> = k
            .header()
            .atrybut
            .iter()
            .filter_map(|a| a.nazwa.as_deref())
            .collect();
        assert_eq!(
            names,
            [
                "urn:csioz:p1:kontekst:idPodmiotuOidRoot",
                "urn:csioz:p1:kontekst:idPodmiotuOidExt",
                "urn:csioz:p1:kontekst:rolaBiznesowa"
            ]
        );
    }
}
