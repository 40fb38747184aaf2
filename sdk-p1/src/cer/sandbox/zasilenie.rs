//! The initial load: the file checked with the SDK's own validator, then row by row against
//! what only CeR knows, and (mode `ZASILENIE`) the valid rows stored as visits.

use std::collections::BTreeMap;

use sdk_runtime::values::DateTime;
use time::{Date, Duration, Month, PrimitiveDateTime, Time, UtcOffset};

use crate::cer::operation as op;
use crate::cer::types::{
    self as c, DaneWizytyMT, KanalMT, RodzajWizytyMT, SkierowanieMtChoiceKluczSkierowania as Sk,
    StatusSlotuMT, StatusWizytyMT, StatusZasileniaMT, TrybZasileniaMT,
};
use crate::cer::zasilenie::{KOLUMNY, KodBledu, Walidator};
use crate::{OID_NPWZ, OID_PESEL};

use super::dane::{Blad, Dane, Harmonogram, Kontekst, Slot, ident, regula, sukces};
use super::obsluga::Odmowa;
use super::{Odrzucenie, REGULA_DANE, REGULA_MUS, REGULA_RODZAJ};

/// Name of a schedule the load creates for a benefit code without one.
const HARMONOGRAM_ZASILENIA: &str = "zasilenie inicjalne";

/// One visit row: its row number (the header is row 1) and its cells.
type Wiersz = (u64, Vec<String>);

/// The cells of every visit row, numbered as the validator numbers them.
fn wiersze(plik: &[u8]) -> Result<Vec<Wiersz>, csv::Error> {
    let plik = plik.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(plik);
    let mut czytnik = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(plik);
    let mut out = Vec::new();
    let mut nr = 0u64;
    for rekord in czytnik.byte_records() {
        let rekord = rekord?;
        nr += 1;
        if nr > 1 {
            let pola = rekord
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            out.push((nr, pola));
        }
    }
    Ok(out)
}

/// `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (the validator has checked the format).
fn data_czas(t: &str) -> Option<PrimitiveDateTime> {
    let (d, g) = t.trim().split_once('T')?;
    let mut d = d.split('-');
    let rok: i32 = d.next()?.parse().ok()?;
    let miesiac = Month::try_from(d.next()?.parse::<u8>().ok()?).ok()?;
    let dzien: u8 = d.next()?.parse().ok()?;
    let mut g = g.split(':');
    let godzina: u8 = g.next()?.parse().ok()?;
    let minuta: u8 = g.next()?.parse().ok()?;
    let sekunda: u8 = match g.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    Some(PrimitiveDateTime::new(
        Date::from_calendar_date(rok, miesiac, dzien).ok()?,
        Time::from_hms(godzina, minuta, sekunda).ok()?,
    ))
}

fn ostatnia_niedziela(rok: i32, miesiac: Month) -> Option<Date> {
    let ostatni = Date::from_calendar_date(rok, miesiac, 31).ok()?;
    ostatni.checked_sub(Duration::days(i64::from(
        ostatni.weekday().number_days_from_sunday(),
    )))
}

/// Polish local time with the offset of that moment: `+02:00` from the last Sunday of March
/// 02:00 to the last Sunday of October 03:00, `+01:00` otherwise.
pub(super) fn czas_polski(lokalny: PrimitiveDateTime) -> DateTime {
    let rok = lokalny.year();
    let lato = match (
        ostatnia_niedziela(rok, Month::March),
        ostatnia_niedziela(rok, Month::October),
    ) {
        (Some(marzec), Some(pazdziernik)) => {
            let od =
                PrimitiveDateTime::new(marzec, Time::from_hms(2, 0, 0).unwrap_or(Time::MIDNIGHT));
            let do_ = PrimitiveDateTime::new(
                pazdziernik,
                Time::from_hms(3, 0, 0).unwrap_or(Time::MIDNIGHT),
            );
            od <= lokalny && lokalny < do_
        }
        _ => false,
    };
    let godziny = if lato { 2 } else { 1 };
    let offset = UtcOffset::from_hms(godziny, 0, 0).unwrap_or(UtcOffset::UTC);
    DateTime::from_offset(lokalny.assume_offset(offset))
}

/// A row's cells by column name (the reconstructed layout, [`KOLUMNY`]).
struct Pola<'a>(&'a [String]);

impl Pola<'_> {
    fn pole(&self, nazwa: &str) -> Option<&str> {
        let i = KOLUMNY.iter().position(|k| k.nazwa == nazwa)?;
        self.0.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// A visit row, read into CeR's types.
struct Wizyta {
    id_mus: String,
    kod: c::KodSwiadczeniaMT,
    id_slotu: Option<String>,
    poczatek: DateTime,
    koniec: DateTime,
    dane: DaneWizytyMT,
}

fn zly(opis: &str) -> Blad {
    Odrzucenie::reguly(vec![regula(KodBledu::UkladKolumn.kod(), opis)]).into()
}

fn czytaj(pola: &Pola<'_>) -> Result<Wizyta, Blad> {
    let id_mus = pola.pole("idMus").ok_or_else(|| zly("idMus is missing"))?;
    let kod = c::KodSwiadczeniaMT::new(pola.pole("kodSwiadczenia").unwrap_or_default().to_owned())
        .map_err(|_| zly("kodSwiadczenia is not a benefit code"))?;
    let start = pola
        .pole("dataWizyty")
        .and_then(data_czas)
        .ok_or_else(|| zly("dataWizyty is not a date and time"))?;
    let minuty: i64 = pola
        .pole("czasTrwaniaMin")
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| zly("czasTrwaniaMin is not a number"))?;
    let koniec = start
        .checked_add(Duration::minutes(minuty))
        .ok_or_else(|| zly("the visit ends out of range"))?;
    let rodzaj = RodzajWizytyMT::from(pola.pole("rodzajWizyty").unwrap_or_default());
    let pesel = pola.pole("pesel").ok_or_else(|| zly("pesel is missing"))?;
    let zapis = pola
        .pole("dataZapisu")
        .and_then(data_czas)
        .ok_or_else(|| zly("dataZapisu is not a date and time"))?;
    let mut kontakt = c::KontaktMT::new();
    kontakt.email = pola.pole("email").map(str::to_owned);
    kontakt.telefon = pola.pole("telefon").map(str::to_owned);
    let pacjent = c::IdentyfikatorPacjentaMT::new(pesel.to_owned(), OID_PESEL.to_owned());
    // The slot is set when the row is stored.
    let mut dane = DaneWizytyMT::new(ident("-")?, rodzaj, pacjent, kontakt, czas_polski(zapis));
    dane.skierowanie = match (
        pola.pole("kluczSkierowania"),
        pola.pole("idWystawcySkierowaniaPapierowego"),
    ) {
        (Some(klucz), _) => Some(c::SkierowanieMT::new(Sk::KluczSkierowania(
            klucz.to_owned(),
        ))),
        (None, Some(npwz)) => Some(c::SkierowanieMT::new(Sk::SkierowaniePapierowe(
            c::SkierowaniePapieroweMT::new(c::IdentyfikatorOIDMTOrDerived::IdentyfikatorOIDMT(
                Box::new(c::IdentyfikatorOIDMT::new(
                    npwz.to_owned(),
                    OID_NPWZ.to_owned(),
                )),
            )),
        ))),
        (None, None) => None,
    };
    Ok(Wizyta {
        id_mus: id_mus.to_owned(),
        kod,
        id_slotu: pola.pole("idSlotu").map(str::to_owned),
        poczatek: czas_polski(start),
        koniec: czas_polski(koniec),
        dane,
    })
}

impl Dane {
    pub(super) fn zasilenie_inicjalne(
        &mut self,
        k: &Kontekst,
        input: &op::zasilenie_inicjalne::Input,
    ) -> Result<op::zasilenie_inicjalne::Output, Odmowa> {
        let mus = input.id_mus.extension.trim().to_owned();
        if let Some(m) = self.mus.get(&mus) {
            k.wlasciciel(m)?;
        }
        let zapisz = input.tryb == TrybZasileniaMT::Zasilenie;
        let plik = input.plik.as_bytes();
        // The first problem of each row: CeR answers "the current error" of a visit (L664).
        let mut bledy: BTreeMap<u64, (String, String)> = BTreeMap::new();
        let raport = Walidator::new()
            .sprawdz(plik, |p| {
                bledy
                    .entry(p.wiersz)
                    .or_insert_with(|| (p.kod.kod().to_owned(), p.komunikat));
            })
            .map_err(|e| Odmowa::komunikat(format!("the file could not be read: {e}")))?;
        let mut zapisane = 0u64;
        if raport.naglowek_poprawny {
            let wiersze = wiersze(plik)
                .map_err(|e| Odmowa::komunikat(format!("the file could not be read: {e}")))?;
            if u64::try_from(wiersze.len()).ok() != Some(raport.wiersze) {
                bledy.entry(1).or_insert_with(|| {
                    (
                        KodBledu::UkladKolumn.kod().to_owned(),
                        "the sandbox could not match the file's rows".to_owned(),
                    )
                });
            } else {
                for (nr, pola) in &wiersze {
                    if bledy.contains_key(nr) {
                        continue;
                    }
                    match self.wiersz_zasilenia(k, &input.id_mus, &Pola(pola), zapisz) {
                        Ok(()) => zapisane += u64::from(zapisz),
                        Err(Blad::Odrzucenie(o)) => {
                            let (kod, opis) = o
                                .reguly
                                .first()
                                .map(|r| {
                                    (
                                        r.kod_reguly_weryfikacji.clone(),
                                        r.opis_problemu.clone().unwrap_or_default(),
                                    )
                                })
                                .unwrap_or_else(|| {
                                    (
                                        o.wynik.major.clone(),
                                        o.wynik.komunikat.clone().unwrap_or_default(),
                                    )
                                });
                            bledy.insert(*nr, (kod, opis));
                        }
                        Err(Blad::Odmowa(o)) => return Err(o),
                    }
                }
            }
        }
        let status = if bledy.is_empty() {
            StatusZasileniaMT::Sukces
        } else {
            StatusZasileniaMT::Blad
        };
        let mut wynik = c::PobierzWynikZasileniaResponse::new(status, sukces());
        wynik.liczba_wizyt = Some(raport.wiersze);
        wynik.liczba_zapisanych = Some(zapisane);
        wynik.blad = bledy
            .into_iter()
            .map(|(nr, (kod, opis))| {
                let mut b = c::BladWizytyMT::new(nr, kod);
                b.opis = Some(opis);
                b
            })
            .collect();
        let id = self.nowe_id("Z");
        self.zadania.insert(id.clone(), wynik);
        let mut out = op::zasilenie_inicjalne::Output::new(sukces());
        out.id_zadania = Some(ident(&id)?);
        Ok(out)
    }

    pub(super) fn pobierz_wynik_zasilenia(
        &mut self,
        _k: &Kontekst,
        input: &op::pobierz_wynik_zasilenia::Input,
    ) -> Result<op::pobierz_wynik_zasilenia::Output, Odmowa> {
        let id = input.id_zadania.get().trim();
        Ok(match self.zadania.get(id) {
            Some(w) => w.clone(),
            None => op::pobierz_wynik_zasilenia::Output::new(
                StatusZasileniaMT::Blad,
                Odrzucenie::nie_znaleziono(format!("load task {id}")).wynik,
            ),
        })
    }

    /// CeR's own checks of a row the validator passed, and (when `zapisz`) storing it.
    fn wiersz_zasilenia(
        &mut self,
        k: &Kontekst,
        id_mus: &c::IdentyfikatorMusMT,
        pola: &Pola<'_>,
        zapisz: bool,
    ) -> Result<(), Blad> {
        let mut w = czytaj(pola)?;
        let mus = id_mus.extension.trim();
        let mut reguly = Vec::new();
        if w.id_mus != mus {
            reguly.push(regula(
                REGULA_MUS,
                "the row's idMus is not the place of service of the request",
            ));
        }
        // The real status of an e-referral CeR knows; an unknown key is taken on the file's word.
        let w_tabeli = matches!(
            w.dane.skierowanie.as_ref().map(|s| &s.choice),
            Some(Sk::KluczSkierowania(klucz)) if self.skierowania.contains_key(klucz.trim())
        );
        if w_tabeli {
            reguly.extend(
                self.regula_skierowania(&w.dane.rodzaj_wizyty, w.dane.skierowanie.as_ref()),
            );
        }
        if self.wizyta_istnieje(mus, &w.dane.pacjent, &w.poczatek, None) {
            reguly.push(regula(
                KodBledu::UnikalnoscWizyty.kod(),
                "the visit already exists in CeR",
            ));
        }
        let mut slot = None;
        if let Some(id) = &w.id_slotu {
            match self.sloty.iter().position(|s| s.id == *id && s.mus == mus) {
                None => reguly.push(regula(
                    REGULA_DANE,
                    format!("slot {id} is not a slot of this place of service"),
                )),
                Some(si) => {
                    let s = &self.sloty[si];
                    if s.wizyta.is_some() || s.status == StatusSlotuMT::Zajety {
                        reguly.push(regula(
                            KodBledu::UnikalnoscWizyty.kod(),
                            format!("slot {id} is already taken"),
                        ));
                    }
                    if !s.rodzaje.contains(&w.dane.rodzaj_wizyty) {
                        reguly.push(regula(
                            REGULA_RODZAJ,
                            format!("slot {id} does not take {} visits", w.dane.rodzaj_wizyty),
                        ));
                    }
                    if s.poczatek != w.poczatek {
                        reguly.push(regula(
                            REGULA_DANE,
                            format!("dataWizyty is not the start of slot {id}"),
                        ));
                    }
                    slot = Some(si);
                }
            }
        }
        if let Some(m) = self.mus.get(mus) {
            reguly.extend(self.regula_40_dni(m, &w.poczatek));
        }
        if !reguly.is_empty() {
            return Err(Odrzucenie::reguly(reguly).into());
        }
        if !zapisz {
            return Ok(());
        }
        let mus = self.mus_dla(k, id_mus)?;
        let si = match slot {
            Some(si) => si,
            None => self.slot_zasilenia(&mus, &w),
        };
        let id = self.nowe_id("W");
        let s = &mut self.sloty[si];
        s.status = StatusSlotuMT::Zajety;
        s.wizyta = Some(id.clone());
        w.dane.id_slotu = ident(&s.id)?;
        let wizyta = c::WizytaMT::new(
            ident(&id)?,
            id_mus.clone(),
            w.kod,
            w.poczatek,
            w.koniec,
            w.dane,
            StatusWizytyMT::Umowiona,
            KanalMT::Podmiot,
            self.teraz(),
        );
        self.wizyty.push(wizyta);
        Ok(())
    }

    /// A slot made for a loaded visit (L670), in the MUŚ's schedule of its benefit (created
    /// when there is none); its index.
    fn slot_zasilenia(&mut self, mus: &str, w: &Wizyta) -> usize {
        let harmonogram = match self
            .harmonogramy
            .iter()
            .find(|h| h.mus == mus && h.kod == w.kod)
        {
            Some(h) => h.id.clone(),
            None => {
                let id = self.nowe_id("H");
                self.harmonogramy.push(Harmonogram {
                    id: id.clone(),
                    mus: mus.to_owned(),
                    kod: w.kod.clone(),
                    nazwa: Some(HARMONOGRAM_ZASILENIA.to_owned()),
                });
                id
            }
        };
        let id = self.nowe_id("S");
        self.sloty.push(Slot {
            id,
            harmonogram,
            mus: mus.to_owned(),
            poczatek: w.poczatek.clone(),
            koniec: w.koniec.clone(),
            rodzaje: vec![w.dane.rodzaj_wizyty.clone()],
            status: StatusSlotuMT::Zajety,
            wizyta: None,
        });
        self.sloty.len() - 1
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn polish_time_follows_summer_time() {
        let t = |s: &str| czas_polski(data_czas(s).unwrap()).to_string();
        assert_eq!(t("2026-01-15T09:00"), "2026-01-15T09:00:00+01:00");
        assert_eq!(t("2026-07-01T09:00"), "2026-07-01T09:00:00+02:00");
        // 2026: summer time from 29 March 02:00 to 25 October 03:00.
        assert_eq!(t("2026-03-29T01:59"), "2026-03-29T01:59:00+01:00");
        assert_eq!(t("2026-03-29T03:00"), "2026-03-29T03:00:00+02:00");
        assert_eq!(t("2026-10-25T02:30"), "2026-10-25T02:30:00+02:00");
        assert_eq!(t("2026-10-25T03:00"), "2026-10-25T03:00:00+01:00");
        assert_eq!(t("2026-06-01T10:15:30"), "2026-06-01T10:15:30+02:00");
    }
}
