//! Reconciliation (uzgodnienie): the provider's own visits against CeR's list.
//!
//! CeR's data "must match the provider's system at every moment" (seed 001 L127): after a
//! missed notification, an outage or a bug, [`porownaj`] tells what differs. A local visit is
//! matched with CeR's by the CeR identifier when the provider stored it, otherwise by place of
//! service, start and patient; the result lists visits CeR lacks, visits only CeR has (booked
//! in IKP, by another provider, from the waiting room), and the fields that differ.
//!
//! Memory is one index entry per CeR visit of the compared range; time is linear.

use std::collections::HashMap;
use std::fmt;

use sdk_runtime::values::DateTime;

use super::types::{RodzajWizytyMT, StatusWizytyMT, WizytaMT};

/// A visit as the provider's system keeps it: the fields CeR must agree with.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct WizytaLokalna {
    /// CeR's identifier, once CeR accepted the visit (`idWizyty`).
    pub id_wizyty: Option<String>,
    /// The place of service (MUŚ) identifier (`idMus/extension`).
    pub id_mus: String,
    /// Start of the visit.
    pub poczatek: DateTime,
    /// The patient's identifier (`pacjent/extension`, a PESEL usually). Personal data.
    pub pacjent: String,
    /// The kind of visit.
    pub rodzaj: RodzajWizytyMT,
    /// The state of the visit.
    pub status: StatusWizytyMT,
    /// The patient's e-mail. Personal data.
    pub email: Option<String>,
    /// The patient's phone. Personal data.
    pub telefon: Option<String>,
}

impl WizytaLokalna {
    /// A booked visit without a CeR identifier and without contact; set the other fields.
    pub fn new(
        id_mus: impl Into<String>,
        poczatek: DateTime,
        pacjent: impl Into<String>,
        rodzaj: RodzajWizytyMT,
    ) -> Self {
        Self {
            id_wizyty: None,
            id_mus: id_mus.into(),
            poczatek,
            pacjent: pacjent.into(),
            rodzaj,
            status: StatusWizytyMT::Umowiona,
            email: None,
            telefon: None,
        }
    }
}

impl fmt::Debug for WizytaLokalna {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WizytaLokalna")
            .field("id_wizyty", &self.id_wizyty)
            .field("id_mus", &self.id_mus)
            .field("poczatek", &self.poczatek)
            .field("pacjent", &sdk_runtime::redact::REDACTED)
            .field("rodzaj", &self.rodzaj)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// One field that differs.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoznicaPola {
    /// The field (`poczatek`, `rodzaj`, `status`, `pacjent`, `email`, `telefon`).
    pub pole: &'static str,
    /// The provider's value (empty when absent).
    pub lokalnie: String,
    /// CeR's value (empty when absent).
    pub w_cer: String,
}

impl RoznicaPola {
    /// `true` for fields holding personal data (their values are redacted in `Debug`).
    pub fn wrazliwe(&self) -> bool {
        matches!(self.pole, "pacjent" | "email" | "telefon")
    }
}

impl fmt::Debug for RoznicaPola {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RoznicaPola");
        d.field("pole", &self.pole);
        if self.wrazliwe() {
            d.field("lokalnie", &sdk_runtime::redact::REDACTED)
                .field("w_cer", &sdk_runtime::redact::REDACTED);
        } else {
            d.field("lokalnie", &self.lokalnie)
                .field("w_cer", &self.w_cer);
        }
        d.finish()
    }
}

/// A visit both sides have, with the fields that differ.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RoznaWizyta {
    /// The provider's visit.
    pub lokalna: WizytaLokalna,
    /// CeR's identifier of it.
    pub id_wizyty: String,
    /// What differs.
    pub pola: Vec<RoznicaPola>,
}

/// The outcome of [`porownaj`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Roznice {
    /// Visits the provider has and CeR does not: send them (or find why CeR refused them).
    pub brak_w_cer: Vec<WizytaLokalna>,
    /// Visits CeR has and the provider does not (booked in IKP, by another provider, from the
    /// waiting room, while a notification was missed): take them over.
    pub brak_lokalnie: Vec<WizytaMT>,
    /// Visits on both sides whose fields differ.
    pub rozne: Vec<RoznaWizyta>,
}

impl Roznice {
    /// `true` when both sides agree.
    pub fn zgodne(&self) -> bool {
        self.brak_w_cer.is_empty() && self.brak_lokalnie.is_empty() && self.rozne.is_empty()
    }
}

/// The composite key of a visit without a CeR identifier: place, start (as an instant when it
/// has a zone) and patient.
fn klucz(id_mus: &str, poczatek: &DateTime, pacjent: &str) -> (String, String, String) {
    let start = poczatek.instant().map_or_else(
        || poczatek.as_str().to_owned(),
        |i| i.unix_timestamp().to_string(),
    );
    (id_mus.trim().to_owned(), start, pacjent.trim().to_owned())
}

/// Compares the provider's visits with CeR's (e.g. the answer of `pobierzListeWizytSync` for
/// the same place and days).
pub fn porownaj(lokalne: &[WizytaLokalna], w_cer: &[WizytaMT]) -> Roznice {
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(w_cer.len());
    let mut by_key: HashMap<(String, String, String), usize> = HashMap::with_capacity(w_cer.len());
    for (i, w) in w_cer.iter().enumerate() {
        by_id.insert(w.id_wizyty.get().as_str(), i);
        by_key.insert(
            klucz(&w.id_mus.extension, &w.poczatek, &w.dane.pacjent.extension),
            i,
        );
    }
    let mut used = vec![false; w_cer.len()];
    let mut out = Roznice::default();
    for l in lokalne {
        let found = match &l.id_wizyty {
            Some(id) => by_id.get(id.trim()).copied(),
            None => by_key
                .get(&klucz(&l.id_mus, &l.poczatek, &l.pacjent))
                .copied(),
        };
        let Some(i) = found.filter(|i| !used[*i]) else {
            out.brak_w_cer.push(l.clone());
            continue;
        };
        used[i] = true;
        let w = &w_cer[i];
        let pola = pola(l, w);
        if !pola.is_empty() {
            out.rozne.push(RoznaWizyta {
                lokalna: l.clone(),
                id_wizyty: w.id_wizyty.get().clone(),
                pola,
            });
        }
    }
    out.brak_lokalnie = w_cer
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| w.clone())
        .collect();
    out
}

fn pola(l: &WizytaLokalna, w: &WizytaMT) -> Vec<RoznicaPola> {
    let mut out = Vec::new();
    let mut diff = |pole: &'static str, a: String, b: String| {
        if a.trim() != b.trim() {
            out.push(RoznicaPola {
                pole,
                lokalnie: a,
                w_cer: b,
            });
        }
    };
    if l.poczatek != w.poczatek {
        diff("poczatek", l.poczatek.to_string(), w.poczatek.to_string());
    }
    diff(
        "rodzaj",
        l.rodzaj.to_string(),
        w.dane.rodzaj_wizyty.to_string(),
    );
    diff("status", l.status.to_string(), w.status.to_string());
    diff(
        "pacjent",
        l.pacjent.clone(),
        w.dane.pacjent.extension.clone(),
    );
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    diff("email", opt(&l.email), opt(&w.dane.kontakt.email));
    diff("telefon", opt(&l.telefon), opt(&w.dane.kontakt.telefon));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::cer::types as c;

    fn dt(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    fn cer(id: &str, start: &str, pesel: &str, telefon: &str) -> WizytaMT {
        let mut k = c::KontaktMT::new();
        k.telefon = Some(telefon.into());
        let dane = c::DaneWizytyMT::new(
            c::IdentyfikatorMT::new("S").unwrap(),
            RodzajWizytyMT::Pierwszorazowa,
            c::IdentyfikatorPacjentaMT::new(
                pesel.into(),
                "2.16.840.1.113883.3.4424.1.1.616".into(),
            ),
            k,
            dt("2026-12-01T08:00:00Z"),
        );
        c::WizytaMT::new(
            c::IdentyfikatorMT::new(id).unwrap(),
            c::IdentyfikatorMusMT::new("M1".into(), "2.16.840.1.113883.3.4424.2.3.3".into()),
            c::KodSwiadczeniaMT::new("02.1450.102.02").unwrap(),
            dt(start),
            dt(start),
            dane,
            StatusWizytyMT::Umowiona,
            c::KanalMT::Podmiot,
            dt("2026-12-01T08:00:00Z"),
        )
    }

    fn local(id: Option<&str>, start: &str, pesel: &str, telefon: &str) -> WizytaLokalna {
        let mut l = WizytaLokalna::new("M1", dt(start), pesel, RodzajWizytyMT::Pierwszorazowa);
        l.id_wizyty = id.map(str::to_owned);
        l.telefon = Some(telefon.into());
        l
    }

    #[test]
    fn planted_differences_are_found_and_agreement_is_silent() {
        let central = [
            cer(
                "W-1",
                "2026-12-14T08:00:00+01:00",
                "44051401359",
                "600100200",
            ),
            cer(
                "W-2",
                "2026-12-14T09:00:00+01:00",
                "02070803628",
                "600100201",
            ),
            cer(
                "W-3",
                "2026-12-14T10:00:00+01:00",
                "90010112345",
                "600100202",
            ),
            cer(
                "W-4",
                "2026-12-14T11:00:00+01:00",
                "85121212345",
                "600100203",
            ),
        ];
        let locals = [
            // Same, by CeR id.
            local(
                Some("W-1"),
                "2026-12-14T08:00:00+01:00",
                "44051401359",
                "600100200",
            ),
            // Same, without a CeR id: matched by place, instant and patient.
            local(None, "2026-12-14T08:00:00Z", "02070803628", "600100201"),
            // Moved and another phone.
            local(
                Some("W-3"),
                "2026-12-14T10:30:00+01:00",
                "90010112345",
                "600999999",
            ),
            // Only here.
            local(
                None,
                "2026-12-15T08:00:00+01:00",
                "44051401359",
                "600100200",
            ),
        ];
        let r = porownaj(&locals, &central);
        assert_eq!(r.brak_w_cer.len(), 1);
        assert_eq!(r.brak_w_cer[0].poczatek, dt("2026-12-15T08:00:00+01:00"));
        assert_eq!(r.brak_lokalnie.len(), 1);
        assert_eq!(r.brak_lokalnie[0].id_wizyty.get(), "W-4");
        assert_eq!(r.rozne.len(), 1);
        assert_eq!(r.rozne[0].id_wizyty, "W-3");
        let pola: Vec<_> = r.rozne[0].pola.iter().map(|p| p.pole).collect();
        assert_eq!(pola, ["poczatek", "telefon"]);
        let debug = format!("{r:?}");
        assert!(
            !debug.contains("600999999") && !debug.contains("90010112345"),
            "{debug}"
        );
        // 08:00Z is 09:00+01:00: W-2 matched by its composite key as an instant.
        assert!(!r.brak_lokalnie.iter().any(|w| w.id_wizyty.get() == "W-2"));

        let agreed = porownaj(&locals[..1], &central[..1]);
        assert!(agreed.zgodne(), "{agreed:?}");
    }
}
