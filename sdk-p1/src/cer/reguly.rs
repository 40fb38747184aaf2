//! CeR's booking rules, checked before a booking is sent, each violation naming its rule.
//!
//! From NFZ's onboarding material (seed 001): a contact (e-mail or phone) on every visit
//! (`REG.WER.8361`, L491, L654); after the place of service is activated, no visit more than 40
//! days ahead (L589; first cardiology visits only within 40 days, L432; CeR's code for it is not
//! public); a first visit on a referral with the right status where the benefit requires one
//! (`REG.WER.9662`, L217, L674-L677). CeR checks them again; checking here means a vendor's user
//! hears of a mistake before anything is sent.

use std::collections::BTreeSet;

use sdk_runtime::values::DateTime;
use sdk_runtime::xml::{ValidationError, Validator, ViolationKind};

use super::types::{DaneWizytyMT, RodzajWizytyMT, SkierowanieMtChoiceKluczSkierowania};

/// The horizon after activation, in days (seed L589).
pub const HORYZONT_DNI: i64 = 40;

/// What the rules need to know besides the booking: when the place of service was activated,
/// today's date, and which benefits need a referral for a first visit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reguly {
    /// The day `aktywujMus` succeeded for the place of service, if it did.
    pub aktywacja_mus: Option<time::Date>,
    /// Today, in Polish time.
    pub dzis: time::Date,
    /// Benefit codes (`kodSwiadczenia`) whose first visit needs a referral (cardiology: seed
    /// L217). The seed names no cardiology code, so the set is the vendor's to fill.
    pub swiadczenia_ze_skierowaniem: BTreeSet<String>,
}

impl Reguly {
    /// Rules for today, before activation, with no benefit needing a referral.
    pub fn new(dzis: time::Date) -> Self {
        Self {
            aktywacja_mus: None,
            dzis,
            swiadczenia_ze_skierowaniem: BTreeSet::new(),
        }
    }

    /// The place of service was activated on `dzien`.
    pub fn aktywowano(mut self, dzien: time::Date) -> Self {
        self.aktywacja_mus = Some(dzien);
        self
    }

    /// First visits of `kod_swiadczenia` need a referral.
    pub fn wymaga_skierowania(mut self, kod_swiadczenia: impl Into<String>) -> Self {
        self.swiadczenia_ze_skierowaniem
            .insert(kod_swiadczenia.into());
        self
    }

    /// Checks a booking of benefit `kod_swiadczenia` starting at `poczatek` (the slot's start).
    /// Every broken rule is one violation, its message starting with the rule.
    pub fn sprawdz(
        &self,
        dane: &DaneWizytyMT,
        kod_swiadczenia: &str,
        poczatek: &DateTime,
    ) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        let pusty = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if pusty(&dane.kontakt.email) && pusty(&dane.kontakt.telefon) {
            v.field("kontakt", |v| {
                v.violation(
                    ViolationKind::Required,
                    "REG.WER.8361: at least one contact of the patient, e-mail or phone",
                );
            });
        }
        if let Some(aktywacja) = self.aktywacja_mus {
            let dzien = poczatek.local().date();
            let granica = self.dzis.max(aktywacja) + time::Duration::days(HORYZONT_DNI);
            if dzien > granica {
                v.field("poczatek", |v| {
                    v.violation(
                        ViolationKind::Range,
                        format!(
                            "40 days: after the place of service was activated, visits more \
                             than {HORYZONT_DNI} days ahead are not accepted (latest {granica}, \
                             the visit is on {dzien}; seed 001 L589)"
                        ),
                    );
                });
            }
        }
        if dane.rodzaj_wizyty == RodzajWizytyMT::Pierwszorazowa
            && self
                .swiadczenia_ze_skierowaniem
                .contains(kod_swiadczenia.trim())
        {
            let ma = match dane.skierowanie.as_ref().map(|s| &s.choice) {
                Some(SkierowanieMtChoiceKluczSkierowania::KluczSkierowania(k)) => {
                    !k.trim().is_empty()
                }
                Some(SkierowanieMtChoiceKluczSkierowania::SkierowaniePapierowe(_)) => true,
                None => false,
            };
            if !ma {
                v.field("skierowanie", |v| {
                    v.violation(
                        ViolationKind::Required,
                        format!(
                            "REG.WER.9662: a first visit of benefit {kod_swiadczenia} needs an \
                             issued referral (status Wystawione)"
                        ),
                    );
                });
            }
        }
        // Compared as instants when both have a zone, as local times otherwise.
        let po = match dane.data_zapisu.partial_cmp(poczatek) {
            Some(o) => o == std::cmp::Ordering::Greater,
            None => dane.data_zapisu.local() > poczatek.local(),
        };
        if po {
            v.field("dataZapisu", |v| {
                v.violation(
                    ViolationKind::Range,
                    "REG.WER.9667: the booking date is after the visit",
                );
            });
        }
        v.finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::cer::types as c;
    use time::macros::date;

    fn dane(rodzaj: RodzajWizytyMT, telefon: Option<&str>) -> DaneWizytyMT {
        let mut k = c::KontaktMT::new();
        k.telefon = telefon.map(str::to_owned);
        c::DaneWizytyMT::new(
            c::IdentyfikatorMT::new("S-1").unwrap(),
            rodzaj,
            c::IdentyfikatorPacjentaMT::new(
                "44051401359".into(),
                "2.16.840.1.113883.3.4424.1.1.616".into(),
            ),
            k,
            DateTime::parse("2026-12-06T09:00:00+01:00").unwrap(),
        )
    }

    #[test]
    fn each_rule_is_named_and_a_good_booking_passes() {
        let kardio = "01.0000.000.00";
        let r = Reguly::new(date!(2026 - 12 - 06))
            .aktywowano(date!(2026 - 12 - 01))
            .wymaga_skierowania(kardio);
        let in_39 = DateTime::parse("2027-01-14T09:00:00+01:00").unwrap();
        let in_41 = DateTime::parse("2027-01-16T09:00:00+01:00").unwrap();
        r.sprawdz(
            &dane(RodzajWizytyMT::Kolejna, Some("600100200")),
            kardio,
            &in_39,
        )
        .unwrap();

        let e = r
            .sprawdz(&dane(RodzajWizytyMT::Kolejna, None), kardio, &in_41)
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("REG.WER.8361") && text.contains("40 days"),
            "{text}"
        );

        let e = r
            .sprawdz(
                &dane(RodzajWizytyMT::Pierwszorazowa, Some("600100200")),
                kardio,
                &in_39,
            )
            .unwrap_err();
        assert!(
            e.concerns("skierowanie") && e.to_string().contains("REG.WER.9662"),
            "{e}"
        );
        // Another benefit needs no referral; before activation there is no horizon.
        r.sprawdz(
            &dane(RodzajWizytyMT::Pierwszorazowa, Some("600100200")),
            "02.1450.102.02",
            &in_39,
        )
        .unwrap();
        Reguly::new(date!(2026 - 12 - 06))
            .sprawdz(
                &dane(RodzajWizytyMT::Kolejna, Some("600100200")),
                kardio,
                &in_41,
            )
            .unwrap();
        // Booked after the visit.
        let early = DateTime::parse("2026-12-06T08:00:00+01:00").unwrap();
        let e = r
            .sprawdz(
                &dane(RodzajWizytyMT::Kolejna, Some("600100200")),
                kardio,
                &early,
            )
            .unwrap_err();
        assert!(e.to_string().contains("REG.WER.9667"), "{e}");
    }
}
