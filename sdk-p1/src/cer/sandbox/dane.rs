//! The sandbox's CeR in memory — places of service, schedules and slots, visits, the waiting
//! room, referral statuses, load tasks, notifications — and the operations on it.
//!
//! Collections are plain vectors searched linearly: a sandbox holds a test's worth of data.

use std::cmp::Ordering;
use std::collections::HashMap;

use sdk_runtime::Date;
use sdk_runtime::values::DateTime;
use sdk_runtime::xml::ValidationError;
use time::OffsetDateTime;

use crate::cer::notyfikacje::types as n;
use crate::cer::operation as op;
use crate::cer::types::{
    self as c, DaneWizytyMT, KanalMT, RodzajWizytyMT, SkierowanieMtChoiceKluczSkierowania as Sk,
    StatusSlotuMT, StatusWizytyMT, WizytaMT, WynikMT, WynikWeryfikacjiRegulyMT,
};
use crate::cer::zasilenie::{KodBledu, StatusSkierowania};

use super::obsluga::Odmowa;
use super::{
    HORYZONT_DNI, NieudanaNotyfikacja, Odrzucenie, REGULA_40_DNI, REGULA_DANE, REGULA_IKP,
    REGULA_NIEAKTYWNY, REGULA_RODZAJ, REGULA_SLOT, REGULA_SLOT_ZAJETY, REGULA_ZGODA,
};

/// The checked call context: who calls.
pub(super) struct Kontekst {
    /// `idPodmiotuOidRoot`, `idPodmiotuOidExt`.
    pub(super) podmiot: (String, String),
}

impl Kontekst {
    /// Only the entity that owns the place of service may use it.
    pub(super) fn wlasciciel(&self, mus: &Mus) -> Result<(), Odmowa> {
        if mus.podmiot == self.podmiot {
            Ok(())
        } else {
            Err(Odmowa::autoryzacja(format!(
                "the place of service {} belongs to another entity",
                mus.id.extension
            )))
        }
    }
}

/// Why an operation did not succeed: a business refusal (answered in `wynik`) or a fault.
pub(super) enum Blad {
    Odrzucenie(Odrzucenie),
    Odmowa(Odmowa),
}

impl From<Odrzucenie> for Blad {
    fn from(o: Odrzucenie) -> Self {
        Self::Odrzucenie(o)
    }
}

impl From<Odmowa> for Blad {
    fn from(o: Odmowa) -> Self {
        Self::Odmowa(o)
    }
}

impl From<ValidationError> for Blad {
    fn from(e: ValidationError) -> Self {
        Self::Odmowa(Odmowa::wewnetrzny(format!(
            "the sandbox made an invalid value: {e}"
        )))
    }
}

impl Blad {
    /// For a simulated action: a fault becomes a refusal of the sandbox's own.
    pub(super) fn w_odrzucenie(self) -> Odrzucenie {
        match self {
            Self::Odrzucenie(o) => o,
            Self::Odmowa(o) => Odrzucenie::wewnetrzne(o.opis().to_owned()),
        }
    }
}

/// Splits a result into the business answer and the fault.
pub(super) fn rozdziel<T>(r: Result<T, Blad>) -> Result<Result<T, Odrzucenie>, Odmowa> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Blad::Odrzucenie(o)) => Ok(Err(o)),
        Err(Blad::Odmowa(o)) => Err(o),
    }
}

/// A place of service (MUŚ), keyed by its `idMus` extension.
pub(super) struct Mus {
    pub(super) id: c::IdentyfikatorMusMT,
    pub(super) podmiot: (String, String),
    pub(super) aktywowano: Option<Date>,
}

pub(super) struct Harmonogram {
    pub(super) id: String,
    pub(super) mus: String,
    pub(super) kod: c::KodSwiadczeniaMT,
    pub(super) nazwa: Option<String>,
}

pub(super) struct Slot {
    pub(super) id: String,
    pub(super) harmonogram: String,
    pub(super) mus: String,
    pub(super) poczatek: DateTime,
    pub(super) koniec: DateTime,
    pub(super) rodzaje: Vec<RodzajWizytyMT>,
    pub(super) status: StatusSlotuMT,
    pub(super) wizyta: Option<String>,
}

/// A waiting-room entry and what the sandbox keeps beside it.
struct Wpis {
    /// With its `idWpisu`.
    mt: c::WpisPoczekalniMT,
    /// The kind the entry is booked as.
    rodzaj: RodzajWizytyMT,
    kod_uprawnienia: Option<String>,
    /// The slot the patient left (never booked back into it).
    wykluczony_slot: Option<String>,
    /// Arrival order.
    kolejnosc: u64,
}

/// The whole state.
pub(super) struct Dane {
    dzis: Option<Date>,
    liczniki: HashMap<&'static str, u64>,
    pub(super) mus: HashMap<String, Mus>,
    pub(super) harmonogramy: Vec<Harmonogram>,
    pub(super) sloty: Vec<Slot>,
    pub(super) wizyty: Vec<WizytaMT>,
    poczekalnia: Vec<Wpis>,
    pub(super) skierowania: HashMap<String, StatusSkierowania>,
    pub(super) zadania: HashMap<String, c::PobierzWynikZasileniaResponse>,
    pub(super) notyfikacje: Vec<n::PrzekazNotyfikacjeRequest>,
    /// Notifications made but not yet handed to the receiver.
    pub(super) do_wyslania: Vec<String>,
    pub(super) nieudane: Vec<NieudanaNotyfikacja>,
}

/// `wynik` of success.
pub(super) fn sukces() -> WynikMT {
    WynikMT::new(crate::WYNIK_SUKCES.to_owned())
}

/// One failed rule.
pub(super) fn regula(kod: &str, opis: impl Into<String>) -> WynikWeryfikacjiRegulyMT {
    let mut r = WynikWeryfikacjiRegulyMT::new(
        kod.to_owned(),
        c::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1KodWynikuWeryfikacjiBlad,
    );
    r.opis_problemu = Some(opis.into());
    r
}

fn regula_w(kod: &str, opis: impl Into<String>, miejsce: String) -> WynikWeryfikacjiRegulyMT {
    let mut r = regula(kod, opis);
    r.miejsce_wystapienia_bledu = Some(miejsce);
    r
}

/// A CeR identifier the sandbox made.
pub(super) fn ident(s: &str) -> Result<c::IdentyfikatorMT, Odmowa> {
    c::IdentyfikatorMT::new(s.to_owned()).map_err(|e| {
        Odmowa::wewnetrzny(format!("the sandbox made an invalid identifier `{s}`: {e}"))
    })
}

fn ma_kontakt(k: &c::KontaktMT) -> bool {
    let dane = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
    dane(&k.email) || dane(&k.telefon)
}

/// A point in time as a sortable number: the instant, or the local time read as UTC.
pub(super) fn klucz_czasu(t: &DateTime) -> i128 {
    t.instant()
        .unwrap_or_else(|| t.local().assume_utc())
        .unix_timestamp_nanos()
}

fn status_mt(s: StatusSkierowania) -> c::StatusSkierowaniaMT {
    match s {
        StatusSkierowania::Wystawione => c::StatusSkierowaniaMT::Wystawione,
        StatusSkierowania::URealizatora => c::StatusSkierowaniaMT::URealizatora,
        StatusSkierowania::Zrealizowane => c::StatusSkierowaniaMT::Zrealizowane,
    }
}

/// A privileged patient's first visit: its cancellation puts the patient into the waiting
/// room (L320-L321). The special right is `kodUprawnieniaSzczegolnego` or the kind
/// `UPRAWNIENIA_SZCZEGOLNE`; "first" is the kind `PIERWSZORAZOWA` or `UPRAWNIENIA_SZCZEGOLNE`.
fn uprzywilejowana_pierwsza(w: &WizytaMT) -> bool {
    let rodzaj = &w.dane.rodzaj_wizyty;
    let uprzywilejowany = w.dane.kod_uprawnienia_szczegolnego.is_some()
        || *rodzaj == RodzajWizytyMT::UprawnieniaSzczegolne;
    uprzywilejowany
        && matches!(
            rodzaj,
            RodzajWizytyMT::Pierwszorazowa | RodzajWizytyMT::UprawnieniaSzczegolne
        )
}

impl Dane {
    pub(super) fn new(dzis: Option<Date>) -> Self {
        Self {
            dzis,
            liczniki: HashMap::new(),
            mus: HashMap::new(),
            harmonogramy: Vec::new(),
            sloty: Vec::new(),
            wizyty: Vec::new(),
            poczekalnia: Vec::new(),
            skierowania: HashMap::new(),
            zadania: HashMap::new(),
            notyfikacje: Vec::new(),
            do_wyslania: Vec::new(),
            nieudane: Vec::new(),
        }
    }

    // --- clock, identifiers, look-ups ---

    pub(super) fn dzis(&self) -> Date {
        self.dzis
            .unwrap_or_else(|| OffsetDateTime::now_utc().date())
    }

    pub(super) fn ustaw_dzis(&mut self, dzis: Date) {
        self.dzis = Some(dzis);
    }

    /// Today with the real time of day (UTC), whole seconds.
    pub(super) fn teraz(&self) -> DateTime {
        let now = OffsetDateTime::now_utc();
        let now = now.replace_nanosecond(0).unwrap_or(now);
        DateTime::from_offset(now.replace_date(self.dzis()))
    }

    /// The next identifier of a kind: `H-1`, `S-1`, `W-1`, …
    pub(super) fn nowe_id(&mut self, prefiks: &'static str) -> String {
        let n = self.liczniki.entry(prefiks).or_insert(0);
        *n += 1;
        format!("{prefiks}-{n}")
    }

    pub(super) fn dodaj_skierowanie(&mut self, klucz: String, status: StatusSkierowania) {
        self.skierowania.insert(klucz.trim().to_owned(), status);
    }

    pub(super) fn wizyta(&self, id: &str) -> Option<&WizytaMT> {
        self.wizyty.iter().find(|w| w.id_wizyty.get() == id.trim())
    }

    fn indeks_wizyty(&self, id: &str) -> Result<usize, Odrzucenie> {
        self.wizyty
            .iter()
            .position(|w| w.id_wizyty.get() == id.trim())
            .ok_or_else(|| Odrzucenie::nie_znaleziono(format!("visit {}", id.trim())))
    }

    fn indeks_slotu(&self, id: &str) -> Result<usize, Odrzucenie> {
        self.sloty
            .iter()
            .position(|s| s.id == id.trim())
            .ok_or_else(|| Odrzucenie::nie_znaleziono(format!("slot {}", id.trim())))
    }

    fn mus_slotu(&self, slot: &Slot) -> Result<&Mus, Blad> {
        self.mus.get(&slot.mus).ok_or_else(|| {
            Odmowa::wewnetrzny(format!("slot {} has no place of service", slot.id)).into()
        })
    }

    fn mus_wizyty(&self, w: &WizytaMT) -> Result<&Mus, Blad> {
        self.mus.get(w.id_mus.extension.trim()).ok_or_else(|| {
            Odmowa::wewnetrzny(format!(
                "visit {} has no place of service",
                w.id_wizyty.get()
            ))
            .into()
        })
    }

    pub(super) fn kod_harmonogramu(&self, id: &str) -> Option<&c::KodSwiadczeniaMT> {
        self.harmonogramy
            .iter()
            .find(|h| h.id == id)
            .map(|h| &h.kod)
    }

    pub(super) fn aktywacja(&self, mus: &str) -> Option<Date> {
        self.mus.get(mus.trim()).and_then(|m| m.aktywowano)
    }

    fn aktywny(&self, mus: &str) -> bool {
        self.aktywacja(mus).is_some()
    }

    /// The status of a new or freed slot: inactive until the MUŚ is activated.
    fn status_wolnego(&self, mus: &str) -> StatusSlotuMT {
        if self.aktywny(mus) {
            StatusSlotuMT::Wolny
        } else {
            StatusSlotuMT::Nieaktywny
        }
    }

    pub(super) fn notyfikacja(&self, id: &str) -> Option<n::PrzekazNotyfikacjeRequest> {
        self.notyfikacje
            .iter()
            .find(|n| n.id_notyfikacji.get() == id.trim())
            .cloned()
    }

    // --- views ---

    fn slot_do_mt(s: &Slot) -> Result<c::SlotMT, Blad> {
        let mut mt = c::SlotMT::new(s.poczatek.clone(), s.koniec.clone());
        mt.id_slotu = Some(ident(&s.id)?);
        mt.rodzaj_wizyty = s.rodzaje.clone();
        mt.status = Some(s.status.clone());
        Ok(mt)
    }

    pub(super) fn slot_mt(&self, id: &str) -> Option<c::SlotMT> {
        let s = self.sloty.iter().find(|s| s.id == id.trim())?;
        Self::slot_do_mt(s).ok()
    }

    /// A schedule as answered, with its slots starting within `zakres` (all when `None`).
    fn harmonogram_mt(
        &self,
        h: &Harmonogram,
        zakres: Option<(Date, Date)>,
    ) -> Result<c::HarmonogramMT, Blad> {
        let mus = self.mus.get(&h.mus).ok_or_else(|| {
            Blad::from(Odmowa::wewnetrzny(format!(
                "schedule {} has no place of service",
                h.id
            )))
        })?;
        let mut mt = c::HarmonogramMT::new(mus.id.clone(), h.kod.clone());
        mt.id_harmonogramu = Some(ident(&h.id)?);
        mt.nazwa = h.nazwa.clone();
        for s in self.sloty.iter().filter(|s| s.harmonogram == h.id) {
            let dzien = s.poczatek.local().date();
            if zakres.is_none_or(|(od, do_)| od <= dzien && dzien <= do_) {
                mt.slot.push(Self::slot_do_mt(s)?);
            }
        }
        Ok(mt)
    }

    pub(super) fn wszystkie_harmonogramy(&self) -> Vec<c::HarmonogramMT> {
        self.harmonogramy
            .iter()
            .filter_map(|h| self.harmonogram_mt(h, None).ok())
            .collect()
    }

    pub(super) fn poczekalnia(&self) -> Vec<c::WpisPoczekalniMT> {
        self.kolejnosc_poczekalni()
            .into_iter()
            .filter_map(|i| self.poczekalnia.get(i).map(|w| w.mt.clone()))
            .collect()
    }

    /// Indices of the waiting room, oldest first (`dataZapisu`, then arrival).
    fn kolejnosc_poczekalni(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.poczekalnia.len()).collect();
        order.sort_by_key(|i| {
            self.poczekalnia
                .get(*i)
                .map(|w| (klucz_czasu(&w.mt.data_zapisu), w.kolejnosc))
        });
        order
    }

    // --- rules ---

    /// REG.WER.9662 for a visit of `rodzaj` on `skierowanie` (L655, L674-L677).
    pub(super) fn regula_skierowania(
        &self,
        rodzaj: &RodzajWizytyMT,
        skierowanie: Option<&c::SkierowanieMT>,
    ) -> Option<WynikWeryfikacjiRegulyMT> {
        let kod = KodBledu::StatusSkierowania.kod();
        let klucz = match skierowanie.map(|s| &s.choice) {
            None => {
                return (*rodzaj == RodzajWizytyMT::Pierwszorazowa).then(|| {
                    regula(
                        kod,
                        "a first visit needs a referral: an e-referral key or a paper referral",
                    )
                });
            }
            Some(Sk::SkierowaniePapierowe(_)) => return None,
            Some(Sk::KluczSkierowania(k)) => k.trim(),
        };
        let Some(status) = self.skierowania.get(klucz) else {
            return Some(regula(
                kod,
                "e-Skierowanie does not know this e-referral (the sandbox's referral table)",
            ));
        };
        let pasuje = match (rodzaj, status) {
            (_, StatusSkierowania::Zrealizowane) => false,
            (RodzajWizytyMT::Pierwszorazowa, s) => *s == StatusSkierowania::Wystawione,
            (RodzajWizytyMT::Kolejna, s) => *s == StatusSkierowania::URealizatora,
            (RodzajWizytyMT::UprawnieniaSzczegolne, _) => true,
            (RodzajWizytyMT::Unknown(_), _) => false,
        };
        (!pasuje).then(|| {
            regula(
                kod,
                format!(
                    "the e-referral is {status}, which does not allow a {rodzaj} visit \
                     (WYSTAWIONE: a first visit, U_REALIZATORA: a follow-up, ZREALIZOWANE: none)"
                ),
            )
        })
    }

    /// The 40-day rule (L589): only once the MUŚ is active.
    pub(super) fn regula_40_dni(
        &self,
        mus: &Mus,
        poczatek: &DateTime,
    ) -> Option<WynikWeryfikacjiRegulyMT> {
        mus.aktywowano?;
        let dzis = self.dzis();
        let dni = (poczatek.local().date() - dzis).whole_days();
        (dni > HORYZONT_DNI).then(|| {
            regula(
                REGULA_40_DNI,
                format!(
                    "the place of service is active: a visit may start at most {HORYZONT_DNI} \
                     days after today ({dzis}); this one is {dni} days ahead"
                ),
            )
        })
    }

    /// Whether `pacjent` already has a booked visit at `mus` starting at `poczatek` (other
    /// than `pomin`).
    pub(super) fn wizyta_istnieje(
        &self,
        mus: &str,
        pacjent: &c::IdentyfikatorPacjentaMT,
        poczatek: &DateTime,
        pomin: Option<&str>,
    ) -> bool {
        self.wizyty.iter().any(|w| {
            Some(w.id_wizyty.get().as_str()) != pomin
                && w.status == StatusWizytyMT::Umowiona
                && w.id_mus.extension.trim() == mus
                && w.dane.pacjent.extension.trim() == pacjent.extension.trim()
                && w.dane.pacjent.root.trim() == pacjent.root.trim()
                && w.poczatek == *poczatek
        })
    }

    /// The booking rules for `dane` in `slot` (the module documentation's table); `pomin` is
    /// the visit being moved.
    fn reguly_zapisu(
        &self,
        dane: &DaneWizytyMT,
        slot: &Slot,
        mus: &Mus,
        pomin: Option<&str>,
        skierowanie: bool,
    ) -> Vec<WynikWeryfikacjiRegulyMT> {
        let mut r = Vec::new();
        if !ma_kontakt(&dane.kontakt) {
            r.push(regula(
                KodBledu::KontaktPacjenta.kod(),
                "at least one form of contact to the patient is required: e-mail or phone",
            ));
        }
        if skierowanie
            && let Some(x) = self.regula_skierowania(&dane.rodzaj_wizyty, dane.skierowanie.as_ref())
        {
            r.push(x);
        }
        let zajety = slot.wizyta.as_deref().is_some_and(|w| Some(w) != pomin)
            || (slot.status == StatusSlotuMT::Zajety && slot.wizyta.is_none());
        if zajety {
            r.push(regula(
                KodBledu::UnikalnoscWizyty.kod(),
                format!("slot {} is already taken", slot.id),
            ));
        } else if self.wizyta_istnieje(&slot.mus, &dane.pacjent, &slot.poczatek, pomin) {
            r.push(regula(
                KodBledu::UnikalnoscWizyty.kod(),
                "the patient already has a visit booked at this place and time",
            ));
        }
        if slot.status == StatusSlotuMT::Zablokowany {
            r.push(regula(REGULA_SLOT, format!("slot {} is blocked", slot.id)));
        }
        if !slot.rodzaje.contains(&dane.rodzaj_wizyty) {
            r.push(regula(
                REGULA_RODZAJ,
                format!(
                    "slot {} does not take {} visits",
                    slot.id, dane.rodzaj_wizyty
                ),
            ));
        }
        if dane.data_zapisu.partial_cmp(&slot.poczatek) == Some(Ordering::Greater) {
            r.push(regula(
                KodBledu::DataZapisu.kod(),
                "dataZapisu (when the patient asked) is after the visit's start",
            ));
        }
        r.extend(self.regula_40_dni(mus, &slot.poczatek));
        r
    }

    // --- bookings ---

    /// Books `dane` into its slot for `kanal` (the booking rules; `kontekst` for the
    /// provider's own calls).
    pub(super) fn zarezerwuj(
        &mut self,
        kontekst: Option<&Kontekst>,
        dane: &DaneWizytyMT,
        kanal: KanalMT,
    ) -> Result<WizytaMT, Blad> {
        let si = self.indeks_slotu(dane.id_slotu.get())?;
        let slot = &self.sloty[si];
        let mus = self.mus_slotu(slot)?;
        if let Some(k) = kontekst {
            k.wlasciciel(mus)?;
        }
        let mut reguly = Vec::new();
        if kanal != KanalMT::Podmiot && mus.aktywowano.is_none() {
            reguly.push(regula(
                REGULA_NIEAKTYWNY,
                "the place of service is not active yet: its slots are not visible in CeR",
            ));
        }
        if kanal == KanalMT::Ikp && dane.rodzaj_wizyty != RodzajWizytyMT::Pierwszorazowa {
            reguly.push(regula(
                REGULA_IKP,
                "in IKP a patient may book only a first visit",
            ));
        }
        reguly.extend(self.reguly_zapisu(dane, slot, mus, None, true));
        if !reguly.is_empty() {
            return Err(Odrzucenie::reguly(reguly).into());
        }
        let kod = self
            .kod_harmonogramu(&slot.harmonogram)
            .cloned()
            .ok_or_else(|| Odmowa::wewnetrzny(format!("slot {} has no schedule", slot.id)))?;
        let (id_mus, poczatek, koniec, id_slotu) = (
            mus.id.clone(),
            slot.poczatek.clone(),
            slot.koniec.clone(),
            slot.id.clone(),
        );
        let id = self.nowe_id("W");
        let mut dane = dane.clone();
        dane.id_slotu = ident(&id_slotu)?;
        let wizyta = WizytaMT::new(
            ident(&id)?,
            id_mus,
            kod,
            poczatek,
            koniec,
            dane,
            StatusWizytyMT::Umowiona,
            kanal,
            self.teraz(),
        );
        let slot = &mut self.sloty[si];
        slot.status = StatusSlotuMT::Zajety;
        slot.wizyta = Some(id);
        self.wizyty.push(wizyta.clone());
        Ok(wizyta)
    }

    fn zwolnij_slot(&mut self, id: &str) {
        let Some(si) = self.sloty.iter().position(|s| s.id == id) else {
            return;
        };
        let status = self.status_wolnego(&self.sloty[si].mus);
        let slot = &mut self.sloty[si];
        slot.wizyta = None;
        slot.status = status;
    }

    /// Cancels a booked visit (by the provider or, `kanal` `IKP`, by the patient); the new
    /// waiting-room entry of a privileged patient, if any.
    pub(super) fn odwolaj(
        &mut self,
        kontekst: Option<&Kontekst>,
        id: &str,
        kanal: KanalMT,
    ) -> Result<(WizytaMT, Option<String>), Blad> {
        let i = self.indeks_wizyty(id)?;
        if let Some(k) = kontekst {
            k.wlasciciel(self.mus_wizyty(&self.wizyty[i])?)?;
        }
        if self.wizyty[i].status != StatusWizytyMT::Umowiona {
            return Err(Odrzucenie::niedozwolone(format!(
                "visit {} is {}: only a booked visit can be cancelled",
                id.trim(),
                self.wizyty[i].status
            ))
            .into());
        }
        let teraz = self.teraz();
        let w = &mut self.wizyty[i];
        w.status = StatusWizytyMT::Odwolana;
        w.kanal = kanal;
        w.zmieniono = teraz;
        let wizyta = w.clone();
        let slot = wizyta.dane.id_slotu.get().clone();
        self.zwolnij_slot(&slot);
        let wpis = if uprzywilejowana_pierwsza(&wizyta) {
            Some(self.do_poczekalni_z_wizyty(&wizyta)?)
        } else {
            None
        };
        Ok((wizyta, wpis))
    }

    /// A waiting-room entry for the patient of `wizyta`: same criteria (its benefit), contact
    /// and referral, the visit's `dataZapisu` (its place in the queue), never its slot.
    fn do_poczekalni_z_wizyty(&mut self, wizyta: &WizytaMT) -> Result<String, Blad> {
        let id = self.nowe_id("P");
        let kryteria = c::KryteriaPoczekalniMT::new(wizyta.kod_swiadczenia.clone());
        let mut mt = c::WpisPoczekalniMT::new(
            wizyta.dane.pacjent.clone(),
            wizyta.dane.kontakt.clone(),
            kryteria,
            true,
            wizyta.dane.data_zapisu.clone(),
        );
        mt.skierowanie = wizyta.dane.skierowanie.clone();
        mt.id_wpisu = Some(ident(&id)?);
        let kolejnosc = self.nowe_id_liczba();
        self.poczekalnia.push(Wpis {
            mt,
            rodzaj: wizyta.dane.rodzaj_wizyty.clone(),
            kod_uprawnienia: wizyta.dane.kod_uprawnienia_szczegolnego.clone(),
            wykluczony_slot: Some(wizyta.dane.id_slotu.get().clone()),
            kolejnosc,
        });
        Ok(id)
    }

    fn nowe_id_liczba(&mut self) -> u64 {
        let n = self.liczniki.entry("kolejnosc").or_insert(0);
        *n += 1;
        *n
    }

    /// The earliest free slot that fits entry `wpis` (see the module documentation).
    fn slot_dla(&self, wpis: &Wpis) -> Option<String> {
        let dzis = self.dzis();
        let od = wpis.mt.kryteria.najwczesniej.map_or(dzis, |n| n.max(dzis));
        self.sloty
            .iter()
            .filter(|s| {
                let dzien = s.poczatek.local().date();
                s.status == StatusSlotuMT::Wolny
                    && s.wizyta.is_none()
                    && wpis.wykluczony_slot.as_deref() != Some(s.id.as_str())
                    && s.rodzaje.contains(&wpis.rodzaj)
                    && self.kod_harmonogramu(&s.harmonogram)
                        == Some(&wpis.mt.kryteria.kod_swiadczenia)
                    && dzien >= od
                    && (dzien - dzis).whole_days() <= HORYZONT_DNI
            })
            .min_by_key(|s| klucz_czasu(&s.poczatek))
            .map(|s| s.id.clone())
    }

    /// Serves the waiting room until no entry fits a free slot; the visits booked (each with a
    /// `ZAPIS_Z_POCZEKALNI` notification queued).
    pub(super) fn obsluz_poczekalnie(&mut self) -> Result<Vec<WizytaMT>, Blad> {
        let mut zapisane = Vec::new();
        'szukaj: loop {
            for i in self.kolejnosc_poczekalni() {
                let Some(wpis) = self.poczekalnia.get(i) else {
                    continue;
                };
                let Some(slot) = self.slot_dla(wpis) else {
                    continue;
                };
                let mut dane = DaneWizytyMT::new(
                    ident(&slot)?,
                    wpis.rodzaj.clone(),
                    wpis.mt.pacjent.clone(),
                    wpis.mt.kontakt.clone(),
                    wpis.mt.data_zapisu.clone(),
                );
                dane.skierowanie = wpis.mt.skierowanie.clone();
                dane.kod_uprawnienia_szczegolnego = wpis.kod_uprawnienia.clone();
                match self.zarezerwuj(None, &dane, KanalMT::Poczekalnia) {
                    Ok(wizyta) => {
                        self.poczekalnia.remove(i);
                        self.powiadom(n::RodzajNotyfikacjiMT::ZapisZPoczekalni, &wizyta)?;
                        zapisane.push(wizyta);
                        continue 'szukaj;
                    }
                    // This entry cannot take the slot (e.g. its referral no longer fits);
                    // the next one may.
                    Err(Blad::Odrzucenie(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            break;
        }
        Ok(zapisane)
    }

    /// A simulated booking (a patient in IKP, another provider), its notification queued and
    /// the waiting room served.
    pub(super) fn zapis_symulowany(
        &mut self,
        dane: &DaneWizytyMT,
        kanal: KanalMT,
        rodzaj: n::RodzajNotyfikacjiMT,
    ) -> Result<WizytaMT, Odrzucenie> {
        let krok = || -> Result<WizytaMT, Blad> {
            let wizyta = self.zarezerwuj(None, dane, kanal)?;
            self.powiadom(rodzaj, &wizyta)?;
            self.obsluz_poczekalnie()?;
            Ok(wizyta)
        };
        krok().map_err(Blad::w_odrzucenie)
    }

    /// A patient's cancellation in IKP, its notification queued and the waiting room served.
    pub(super) fn odwolanie_ikp(&mut self, id: &str) -> Result<WizytaMT, Odrzucenie> {
        let mut krok = || -> Result<WizytaMT, Blad> {
            let (wizyta, _) = self.odwolaj(None, id, KanalMT::Ikp)?;
            self.powiadom(n::RodzajNotyfikacjiMT::AnulacjaIkp, &wizyta)?;
            self.obsluz_poczekalnie()?;
            Ok(wizyta)
        };
        krok().map_err(Blad::w_odrzucenie)
    }

    // --- the operations ---

    /// Checks a slot sent for creation (`miejsce` names it in the answer).
    fn reguly_nowego_slotu(s: &c::SlotMT, miejsce: String, r: &mut Vec<WynikWeryfikacjiRegulyMT>) {
        if s.id_slotu.is_some() {
            r.push(regula_w(
                REGULA_DANE,
                "idSlotu is assigned by CeR: a new slot must not carry one",
                miejsce.clone(),
            ));
        }
        if s.koniec.partial_cmp(&s.poczatek) != Some(Ordering::Greater) {
            r.push(regula_w(
                REGULA_DANE,
                "the slot's end (koniec) must be after its start (poczatek)",
                miejsce,
            ));
        }
    }

    fn dodaj_slot(&mut self, harmonogram: &str, mus: &str, s: &c::SlotMT) -> String {
        let id = self.nowe_id("S");
        let status = self.status_wolnego(mus);
        self.sloty.push(Slot {
            id: id.clone(),
            harmonogram: harmonogram.to_owned(),
            mus: mus.to_owned(),
            poczatek: s.poczatek.clone(),
            koniec: s.koniec.clone(),
            rodzaje: s.rodzaj_wizyty.clone(),
            status,
            wizyta: None,
        });
        id
    }

    /// The place of service `id` for `k`: refused when another entity owns it, created (owned
    /// by `k`) when new.
    pub(super) fn mus_dla(
        &mut self,
        k: &Kontekst,
        id: &c::IdentyfikatorMusMT,
    ) -> Result<String, Odmowa> {
        let klucz = id.extension.trim().to_owned();
        match self.mus.get(&klucz) {
            Some(m) => k.wlasciciel(m)?,
            None => {
                self.mus.insert(
                    klucz.clone(),
                    Mus {
                        id: id.clone(),
                        podmiot: k.podmiot.clone(),
                        aktywowano: None,
                    },
                );
            }
        }
        Ok(klucz)
    }

    pub(super) fn utworz_harmonogram(
        &mut self,
        k: &Kontekst,
        input: &op::utworz_harmonogram::Input,
    ) -> Result<op::utworz_harmonogram::Output, Odmowa> {
        let h = &input.harmonogram;
        if let Some(m) = self.mus.get(h.id_mus.extension.trim()) {
            k.wlasciciel(m)?;
        }
        let mut reguly = Vec::new();
        if h.id_harmonogramu.is_some() {
            reguly.push(regula_w(
                REGULA_DANE,
                "idHarmonogramu is assigned by CeR: a new schedule must not carry one",
                "harmonogram/idHarmonogramu".to_owned(),
            ));
        }
        for (i, s) in h.slot.iter().enumerate() {
            Self::reguly_nowego_slotu(s, format!("harmonogram/slot[{}]", i + 1), &mut reguly);
        }
        if !reguly.is_empty() {
            let o = Odrzucenie::reguly(reguly);
            let mut out = op::utworz_harmonogram::Output::new(o.wynik);
            out.wynik_weryfikacji_reguly = o.reguly;
            return Ok(out);
        }
        let mus = self.mus_dla(k, &h.id_mus)?;
        let id = self.nowe_id("H");
        self.harmonogramy.push(Harmonogram {
            id: id.clone(),
            mus: mus.clone(),
            kod: h.kod_swiadczenia.clone(),
            nazwa: h.nazwa.clone(),
        });
        for s in &h.slot {
            self.dodaj_slot(&id, &mus, s);
        }
        let mut out = op::utworz_harmonogram::Output::new(sukces());
        out.harmonogram = Some(self.harmonogram_po_id(&id)?);
        Ok(out)
    }

    fn harmonogram_po_id(&self, id: &str) -> Result<c::HarmonogramMT, Odmowa> {
        let h = self
            .harmonogramy
            .iter()
            .find(|h| h.id == id)
            .ok_or_else(|| Odmowa::wewnetrzny(format!("schedule {id} vanished")))?;
        match self.harmonogram_mt(h, None) {
            Ok(mt) => Ok(mt),
            Err(Blad::Odmowa(o)) => Err(o),
            Err(Blad::Odrzucenie(o)) => Err(Odmowa::wewnetrzny(o.to_string())),
        }
    }

    pub(super) fn zmien_harmonogram(
        &mut self,
        k: &Kontekst,
        input: &op::zmien_harmonogram::Input,
    ) -> Result<op::zmien_harmonogram::Output, Odmowa> {
        let z = &input.zmiana;
        let hid = z.id_harmonogramu.get().trim().to_owned();
        let odrzuc = |o: Odrzucenie| {
            let mut out = op::zmien_harmonogram::Output::new(o.wynik);
            out.wynik_weryfikacji_reguly = o.reguly;
            out
        };
        let Some(h) = self.harmonogramy.iter().find(|h| h.id == hid) else {
            return Ok(odrzuc(Odrzucenie::nie_znaleziono(format!(
                "schedule {hid}"
            ))));
        };
        let mus_klucz = h.mus.clone();
        if let Some(m) = self.mus.get(&mus_klucz) {
            k.wlasciciel(m)?;
        }
        let mut reguly = Vec::new();
        for (i, s) in z.dodaj_slot.iter().enumerate() {
            Self::reguly_nowego_slotu(s, format!("zmiana/dodajSlot[{}]", i + 1), &mut reguly);
        }
        for (i, s) in z.zmien_slot.iter().enumerate() {
            let miejsce = format!("zmiana/zmienSlot[{}]", i + 1);
            let slot = s
                .id_slotu
                .as_ref()
                .and_then(|id| self.sloty.iter().find(|x| x.id == id.get().trim()))
                .filter(|x| x.harmonogram == hid);
            let Some(slot) = slot else {
                reguly.push(regula_w(
                    REGULA_DANE,
                    "zmienSlot needs the idSlotu of a slot of this schedule",
                    miejsce,
                ));
                continue;
            };
            if s.koniec.partial_cmp(&s.poczatek) != Some(Ordering::Greater) {
                reguly.push(regula_w(
                    REGULA_DANE,
                    "the slot's end (koniec) must be after its start (poczatek)",
                    miejsce.clone(),
                ));
            }
            if let Some(w) = slot.wizyta.as_deref().and_then(|w| self.wizyta(w)) {
                let przesuniety = s.poczatek != slot.poczatek || s.koniec != slot.koniec;
                let blokowany = s.status == Some(StatusSlotuMT::Zablokowany);
                let rodzaj = !s.rodzaj_wizyty.contains(&w.dane.rodzaj_wizyty);
                if przesuniety || blokowany || rodzaj {
                    reguly.push(regula_w(
                        REGULA_SLOT_ZAJETY,
                        format!(
                            "slot {} is booked (visit {}): it cannot be moved, blocked or stop \
                             taking the visit's kind; change or cancel the visit first",
                            slot.id,
                            w.id_wizyty.get()
                        ),
                        miejsce,
                    ));
                }
            }
        }
        for (i, id) in z.usun_slot.iter().enumerate() {
            let miejsce = format!("zmiana/usunSlot[{}]", i + 1);
            match self
                .sloty
                .iter()
                .find(|x| x.id == id.get().trim() && x.harmonogram == hid)
            {
                None => reguly.push(regula_w(
                    REGULA_DANE,
                    format!("slot {} is not in schedule {hid}", id.get().trim()),
                    miejsce,
                )),
                Some(x) if x.wizyta.is_some() || x.status == StatusSlotuMT::Zajety => {
                    reguly.push(regula_w(
                        REGULA_SLOT_ZAJETY,
                        format!(
                            "slot {} is booked: it cannot be removed; cancel the visit first",
                            x.id
                        ),
                        miejsce,
                    ));
                }
                Some(_) => {}
            }
        }
        if !reguly.is_empty() {
            return Ok(odrzuc(Odrzucenie::reguly(reguly)));
        }
        // All checked: apply.
        let wolny = self.status_wolnego(&mus_klucz);
        if let Some(h) = self.harmonogramy.iter_mut().find(|h| h.id == hid)
            && z.nazwa.is_some()
        {
            h.nazwa = z.nazwa.clone();
        }
        for s in &z.zmien_slot {
            let Some(id) = &s.id_slotu else { continue };
            if let Some(x) = self.sloty.iter_mut().find(|x| x.id == id.get().trim()) {
                x.poczatek = s.poczatek.clone();
                x.koniec = s.koniec.clone();
                x.rodzaje = s.rodzaj_wizyty.clone();
                let byl_zablokowany = x.status == StatusSlotuMT::Zablokowany;
                match &s.status {
                    Some(StatusSlotuMT::Zablokowany) if x.wizyta.is_none() => {
                        x.status = StatusSlotuMT::Zablokowany;
                    }
                    Some(StatusSlotuMT::Wolny) if byl_zablokowany => x.status = wolny.clone(),
                    _ => {}
                }
            }
        }
        self.sloty
            .retain(|x| !z.usun_slot.iter().any(|id| id.get().trim() == x.id));
        for s in &z.dodaj_slot {
            self.dodaj_slot(&hid, &mus_klucz, s);
        }
        let mut out = op::zmien_harmonogram::Output::new(sukces());
        out.harmonogram = Some(self.harmonogram_po_id(&hid)?);
        Ok(out)
    }

    pub(super) fn pobierz_liste_harmonogramow(
        &mut self,
        k: &Kontekst,
        input: &op::pobierz_liste_harmonogramow::Input,
    ) -> Result<op::pobierz_liste_harmonogramow::Output, Odmowa> {
        let klucz = input.id_mus.extension.trim();
        if let Some(m) = self.mus.get(klucz) {
            k.wlasciciel(m)?;
        }
        let mut out = op::pobierz_liste_harmonogramow::Output::new(sukces());
        for h in self.harmonogramy.iter().filter(|h| h.mus == klucz) {
            let ma_sloty = self.sloty.iter().any(|s| s.harmonogram == h.id);
            let mt = match self.harmonogram_mt(h, Some((input.od, input.do_))) {
                Ok(mt) => mt,
                Err(Blad::Odmowa(o)) => return Err(o),
                Err(Blad::Odrzucenie(o)) => return Err(Odmowa::wewnetrzny(o.to_string())),
            };
            if !mt.slot.is_empty() || !ma_sloty {
                out.harmonogram.push(mt);
            }
        }
        Ok(out)
    }

    pub(super) fn aktywuj_mus(
        &mut self,
        k: &Kontekst,
        input: &op::aktywuj_mus::Input,
    ) -> Result<op::aktywuj_mus::Output, Odmowa> {
        let klucz = input.id_mus.extension.trim().to_owned();
        let dzis = self.dzis();
        let Some(m) = self.mus.get_mut(&klucz) else {
            let o = Odrzucenie::nie_znaleziono(format!(
                "place of service {klucz}: send its schedules first"
            ));
            return Ok(op::aktywuj_mus::Output::new(o.wynik));
        };
        k.wlasciciel(m)?;
        m.aktywowano.get_or_insert(dzis);
        for s in self.sloty.iter_mut().filter(|s| s.mus == klucz) {
            if s.status == StatusSlotuMT::Nieaktywny {
                s.status = StatusSlotuMT::Wolny;
            }
        }
        Ok(op::aktywuj_mus::Output::new(sukces()))
    }

    pub(super) fn zapisz_na_wizyte(
        &mut self,
        k: &Kontekst,
        input: &op::zapisz_na_wizyte::Input,
    ) -> Result<op::zapisz_na_wizyte::Output, Odmowa> {
        Ok(
            match rozdziel(self.zarezerwuj(Some(k), &input.dane, KanalMT::Podmiot))? {
                Ok(w) => {
                    let mut out = op::zapisz_na_wizyte::Output::new(sukces());
                    out.id_wizyty = Some(w.id_wizyty);
                    out
                }
                Err(o) => {
                    let mut out = op::zapisz_na_wizyte::Output::new(o.wynik);
                    out.wynik_weryfikacji_reguly = o.reguly;
                    out
                }
            },
        )
    }

    fn zmien(&mut self, k: &Kontekst, input: &op::zmien_wizyte::Input) -> Result<(), Blad> {
        let i = self.indeks_wizyty(input.id_wizyty.get())?;
        let w = &self.wizyty[i];
        let mus = self.mus_wizyty(w)?;
        k.wlasciciel(mus)?;
        if w.status != StatusWizytyMT::Umowiona {
            return Err(Odrzucenie::niedozwolone(format!(
                "visit {} is {}: only a booked visit can be changed",
                w.id_wizyty.get(),
                w.status
            ))
            .into());
        }
        let mut dane = w.dane.clone();
        if let Some(kontakt) = &input.kontakt {
            dane.kontakt = kontakt.clone();
        }
        let stary = w.dane.id_slotu.get().clone();
        let nowy = input
            .id_slotu
            .as_ref()
            .map(|s| s.get().trim().to_owned())
            .filter(|s| *s != stary);
        let mut reguly = Vec::new();
        let mut przeniesienie = None;
        match &nowy {
            None => {
                if !ma_kontakt(&dane.kontakt) {
                    reguly.push(regula(
                        KodBledu::KontaktPacjenta.kod(),
                        "at least one form of contact to the patient is required: e-mail or phone",
                    ));
                }
            }
            Some(nowy) => {
                let si = self.indeks_slotu(nowy)?;
                let slot = &self.sloty[si];
                if slot.mus != w.id_mus.extension.trim() {
                    reguly.push(regula(
                        REGULA_DANE,
                        format!("slot {nowy} is at another place of service"),
                    ));
                } else {
                    dane.id_slotu = ident(nowy)?;
                    reguly.extend(self.reguly_zapisu(
                        &dane,
                        slot,
                        mus,
                        Some(w.id_wizyty.get().as_str()),
                        false,
                    ));
                    let kod = self.kod_harmonogramu(&slot.harmonogram).cloned();
                    przeniesienie = Some((si, slot.poczatek.clone(), slot.koniec.clone(), kod));
                }
            }
        }
        if !reguly.is_empty() {
            return Err(Odrzucenie::reguly(reguly).into());
        }
        let teraz = self.teraz();
        let id = self.wizyty[i].id_wizyty.get().clone();
        if let Some((si, poczatek, koniec, kod)) = przeniesienie {
            self.zwolnij_slot(&stary);
            let slot = &mut self.sloty[si];
            slot.status = StatusSlotuMT::Zajety;
            slot.wizyta = Some(id);
            let w = &mut self.wizyty[i];
            w.poczatek = poczatek;
            w.koniec = koniec;
            if let Some(kod) = kod {
                w.kod_swiadczenia = kod;
            }
        }
        let w = &mut self.wizyty[i];
        w.dane = dane;
        w.kanal = KanalMT::Podmiot;
        w.zmieniono = teraz;
        Ok(())
    }

    pub(super) fn zmien_wizyte(
        &mut self,
        k: &Kontekst,
        input: &op::zmien_wizyte::Input,
    ) -> Result<op::zmien_wizyte::Output, Odmowa> {
        Ok(match rozdziel(self.zmien(k, input))? {
            Ok(()) => op::zmien_wizyte::Output::new(sukces()),
            Err(o) => {
                let mut out = op::zmien_wizyte::Output::new(o.wynik);
                out.wynik_weryfikacji_reguly = o.reguly;
                out
            }
        })
    }

    pub(super) fn odwolaj_wizyte(
        &mut self,
        k: &Kontekst,
        input: &op::odwolaj_wizyte::Input,
    ) -> Result<op::odwolaj_wizyte::Output, Odmowa> {
        Ok(
            match rozdziel(self.odwolaj(Some(k), input.id_wizyty.get(), KanalMT::Podmiot))? {
                Ok((_, wpis)) => {
                    let mut out = op::odwolaj_wizyte::Output::new(sukces());
                    out.id_wpisu_poczekalni = wpis.as_deref().map(ident).transpose()?;
                    out
                }
                Err(o) => op::odwolaj_wizyte::Output::new(o.wynik),
            },
        )
    }

    fn realizacja(
        &mut self,
        k: &Kontekst,
        input: &op::zapisz_realizacje_wizyty::Input,
    ) -> Result<Option<String>, Blad> {
        let i = self.indeks_wizyty(input.id_wizyty.get())?;
        k.wlasciciel(self.mus_wizyty(&self.wizyty[i])?)?;
        let w = &self.wizyty[i];
        if w.status != StatusWizytyMT::Umowiona {
            return Err(Odrzucenie::niedozwolone(format!(
                "visit {} is {}: an outcome is recorded for a booked visit",
                w.id_wizyty.get(),
                w.status
            ))
            .into());
        }
        let status = match &input.status_realizacji {
            c::StatusRealizacjiMT::Zrealizowana => StatusWizytyMT::Zrealizowana,
            c::StatusRealizacjiMT::NiezrealizowanaZWinyPacjenta => {
                StatusWizytyMT::NiezrealizowanaZWinyPacjenta
            }
            c::StatusRealizacjiMT::NiezrealizowanaNieZWinyPacjenta => {
                StatusWizytyMT::NiezrealizowanaNieZWinyPacjenta
            }
            c::StatusRealizacjiMT::Unknown(s) => {
                return Err(Odmowa::komunikat(format!("unknown statusRealizacji {s}")).into());
            }
        };
        let teraz = self.teraz();
        let w = &mut self.wizyty[i];
        w.status = status;
        w.kanal = KanalMT::Podmiot;
        w.zmieniono = teraz;
        let wizyta = w.clone();
        // L713-L715: a first visit not realised through no fault of the patient puts the
        // patient into the waiting room.
        if wizyta.status == StatusWizytyMT::NiezrealizowanaNieZWinyPacjenta
            && wizyta.dane.rodzaj_wizyty == RodzajWizytyMT::Pierwszorazowa
        {
            return Ok(Some(self.do_poczekalni_z_wizyty(&wizyta)?));
        }
        Ok(None)
    }

    pub(super) fn zapisz_realizacje_wizyty(
        &mut self,
        k: &Kontekst,
        input: &op::zapisz_realizacje_wizyty::Input,
    ) -> Result<op::zapisz_realizacje_wizyty::Output, Odmowa> {
        Ok(match rozdziel(self.realizacja(k, input))? {
            Ok(wpis) => {
                let mut out = op::zapisz_realizacje_wizyty::Output::new(sukces());
                out.id_wpisu_poczekalni = wpis.as_deref().map(ident).transpose()?;
                out
            }
            Err(o) => op::zapisz_realizacje_wizyty::Output::new(o.wynik),
        })
    }

    pub(super) fn pobierz_liste_wizyt_sync(
        &mut self,
        k: &Kontekst,
        input: &op::pobierz_liste_wizyt_sync::Input,
    ) -> Result<op::pobierz_liste_wizyt_sync::Output, Odmowa> {
        let klucz = input.id_mus.extension.trim();
        if let Some(m) = self.mus.get(klucz) {
            k.wlasciciel(m)?;
        }
        let mut out = op::pobierz_liste_wizyt_sync::Output::new(sukces());
        out.wizyta = self
            .wizyty
            .iter()
            .filter(|w| {
                let dzien = w.poczatek.local().date();
                w.id_mus.extension.trim() == klucz
                    && input.od <= dzien
                    && dzien <= input.do_
                    && input
                        .zmienione_od
                        .as_ref()
                        .is_none_or(|od| w.zmieniono.partial_cmp(od) != Some(Ordering::Less))
            })
            .cloned()
            .collect();
        Ok(out)
    }

    pub(super) fn zapisz_do_poczekalni(
        &mut self,
        _k: &Kontekst,
        input: &op::zapisz_do_poczekalni::Input,
    ) -> Result<op::zapisz_do_poczekalni::Output, Odmowa> {
        let wpis = &input.wpis;
        let mut reguly = Vec::new();
        if wpis.id_wpisu.is_some() {
            reguly.push(regula(
                REGULA_DANE,
                "idWpisu is assigned by CeR: a new entry must not carry one",
            ));
        }
        if !wpis.zgoda_pacjenta {
            reguly.push(regula(
                REGULA_ZGODA,
                "the patient's consent (zgodaPacjenta) is required for the waiting room",
            ));
        }
        if !ma_kontakt(&wpis.kontakt) {
            reguly.push(regula(
                KodBledu::KontaktPacjenta.kod(),
                "at least one form of contact to the patient is required: e-mail or phone",
            ));
        }
        reguly.extend(
            self.regula_skierowania(&RodzajWizytyMT::Pierwszorazowa, wpis.skierowanie.as_ref()),
        );
        if !reguly.is_empty() {
            let o = Odrzucenie::reguly(reguly);
            let mut out = op::zapisz_do_poczekalni::Output::new(o.wynik);
            out.wynik_weryfikacji_reguly = o.reguly;
            return Ok(out);
        }
        let id = self.nowe_id("P");
        let id_mt = ident(&id)?;
        let mut mt = wpis.clone();
        mt.id_wpisu = Some(id_mt.clone());
        let kolejnosc = self.nowe_id_liczba();
        self.poczekalnia.push(Wpis {
            mt,
            rodzaj: RodzajWizytyMT::Pierwszorazowa,
            kod_uprawnienia: None,
            wykluczony_slot: None,
            kolejnosc,
        });
        let mut out = op::zapisz_do_poczekalni::Output::new(sukces());
        out.id_wpisu = Some(id_mt);
        Ok(out)
    }

    pub(super) fn usun_z_poczekalni(
        &mut self,
        _k: &Kontekst,
        input: &op::usun_z_poczekalni::Input,
    ) -> Result<op::usun_z_poczekalni::Output, Odmowa> {
        let id = input.id_wpisu.get().trim();
        let przed = self.poczekalnia.len();
        self.poczekalnia
            .retain(|w| w.mt.id_wpisu.as_ref().is_none_or(|i| i.get() != id));
        Ok(if self.poczekalnia.len() < przed {
            op::usun_z_poczekalni::Output::new(sukces())
        } else {
            op::usun_z_poczekalni::Output::new(
                Odrzucenie::nie_znaleziono(format!("waiting-room entry {id}")).wynik,
            )
        })
    }

    pub(super) fn pobierz_status_skierowania(
        &mut self,
        _k: &Kontekst,
        input: &op::pobierz_status_skierowania::Input,
    ) -> Result<op::pobierz_status_skierowania::Output, Odmowa> {
        let klucz = input.klucz_skierowania.trim();
        Ok(match self.skierowania.get(klucz) {
            Some(s) => {
                let mut out = op::pobierz_status_skierowania::Output::new(sukces());
                out.status = Some(status_mt(*s));
                out
            }
            None => op::pobierz_status_skierowania::Output::new(
                Odrzucenie::nie_znaleziono("e-referral with this key").wynik,
            ),
        })
    }
}
