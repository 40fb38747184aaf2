//! The rules, once: the validator runs them on cells read from a file, the writer on a
//! [`Wizyta`] before writing it. Both build a [`Widok`] (a borrowed view of one row's values)
//! and call the same checks.

use std::collections::HashMap;
use std::collections::hash_map::{DefaultHasher, Entry};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use time::{Date, Month, PrimitiveDateTime, Time};

use super::uklad::{Kolumna, Pole, Uklad};
use super::{KodBledu, Problem, RodzajWizyty, StatusSkierowania, Wizyta};
use crate::Pesel;

/// The longest `idMus` / `idSlotu` / `kluczSkierowania`, in characters.
const MAX_TEKST: usize = 64;
/// The longest e-mail address, in characters (RFC 5321's path limit less the brackets).
const MAX_EMAIL: usize = 254;
/// The longest visit, in minutes (a day).
const MAX_CZAS_MIN: u16 = 1440;

/// One value of a row as far as the rules are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wartosc<T> {
    /// Empty cell, `None`, or no such column in the layout.
    Brak,
    /// Given but wrong (already reported): counts as given, its value is not used.
    Zla,
    /// Given and well-formed.
    Jest(T),
}

impl<T: Copy> Wartosc<T> {
    fn podana(&self) -> bool {
        !matches!(self, Self::Brak)
    }

    fn jest(&self) -> Option<T> {
        match self {
            Self::Jest(v) => Some(*v),
            _ => None,
        }
    }
}

impl<'a> Wartosc<&'a str> {
    fn z_tekstu(s: &'a str) -> Self {
        if s.is_empty() {
            Self::Brak
        } else {
            Self::Jest(s)
        }
    }
}

/// Where problems of one row go: numbers them and counts them.
pub(crate) struct Zgloszenia<'f> {
    pub(crate) wiersz: u64,
    pub(crate) linia: u64,
    pub(crate) liczba: u64,
    cel: &'f mut dyn FnMut(Problem),
}

impl<'f> Zgloszenia<'f> {
    pub(crate) fn new(wiersz: u64, linia: u64, cel: &'f mut dyn FnMut(Problem)) -> Self {
        Self {
            wiersz,
            linia,
            liczba: 0,
            cel,
        }
    }

    pub(crate) fn zglos(
        &mut self,
        kolumna: Option<&'static str>,
        kod: KodBledu,
        komunikat: impl Into<String>,
    ) {
        self.liczba += 1;
        (self.cel)(Problem {
            wiersz: self.wiersz,
            linia: self.linia,
            kolumna,
            kod,
            komunikat: komunikat.into(),
        });
    }
}

/// A borrowed view of one row's values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Widok<'a> {
    id_mus: Wartosc<&'a str>,
    kod_swiadczenia: Wartosc<&'a str>,
    id_slotu: Wartosc<&'a str>,
    data_wizyty: Wartosc<PrimitiveDateTime>,
    czas_trwania_min: Wartosc<u16>,
    rodzaj_wizyty: Wartosc<RodzajWizyty>,
    pesel: Wartosc<&'a str>,
    email: Wartosc<&'a str>,
    telefon: Wartosc<&'a str>,
    klucz_skierowania: Wartosc<&'a str>,
    status_skierowania: Wartosc<StatusSkierowania>,
    npwz: Wartosc<&'a str>,
    data_zapisu: Wartosc<PrimitiveDateTime>,
}

impl<'a> Widok<'a> {
    pub(crate) fn pusty() -> Self {
        Self {
            id_mus: Wartosc::Brak,
            kod_swiadczenia: Wartosc::Brak,
            id_slotu: Wartosc::Brak,
            data_wizyty: Wartosc::Brak,
            czas_trwania_min: Wartosc::Brak,
            rodzaj_wizyty: Wartosc::Brak,
            pesel: Wartosc::Brak,
            email: Wartosc::Brak,
            telefon: Wartosc::Brak,
            klucz_skierowania: Wartosc::Brak,
            status_skierowania: Wartosc::Brak,
            npwz: Wartosc::Brak,
            data_zapisu: Wartosc::Brak,
        }
    }

    /// The values of `w` that `uklad` has columns for (the others stay [`Wartosc::Brak`]: they
    /// would not be written).
    pub(crate) fn z_wizyty(w: &'a Wizyta, uklad: &Uklad) -> Self {
        let mut v = Self::pusty();
        let opcja = |o: &'a Option<String>| o.as_deref().map_or(Wartosc::Brak, Wartosc::z_tekstu);
        for k in uklad.kolumny() {
            match k.pole {
                Pole::IdMus => v.id_mus = Wartosc::z_tekstu(&w.id_mus),
                Pole::KodSwiadczenia => v.kod_swiadczenia = Wartosc::z_tekstu(&w.kod_swiadczenia),
                Pole::IdSlotu => v.id_slotu = opcja(&w.id_slotu),
                Pole::DataWizyty => v.data_wizyty = Wartosc::Jest(w.data_wizyty),
                Pole::CzasTrwaniaMin => v.czas_trwania_min = Wartosc::Jest(w.czas_trwania_min),
                Pole::RodzajWizyty => v.rodzaj_wizyty = Wartosc::Jest(w.rodzaj_wizyty),
                Pole::Pesel => v.pesel = Wartosc::z_tekstu(w.pesel.as_str()),
                Pole::Email => v.email = opcja(&w.email),
                Pole::Telefon => v.telefon = opcja(&w.telefon),
                Pole::KluczSkierowania => v.klucz_skierowania = opcja(&w.klucz_skierowania),
                Pole::StatusSkierowania => {
                    v.status_skierowania =
                        w.status_skierowania.map_or(Wartosc::Brak, Wartosc::Jest);
                }
                Pole::IdWystawcySkierowaniaPapierowego => {
                    v.npwz = opcja(&w.id_wystawcy_skierowania_papierowego);
                }
                Pole::DataZapisu => v.data_zapisu = Wartosc::Jest(w.data_zapisu),
            }
        }
        v
    }

    fn ustaw_zla(&mut self, pole: Pole) {
        match pole {
            Pole::IdMus => self.id_mus = Wartosc::Zla,
            Pole::KodSwiadczenia => self.kod_swiadczenia = Wartosc::Zla,
            Pole::IdSlotu => self.id_slotu = Wartosc::Zla,
            Pole::DataWizyty => self.data_wizyty = Wartosc::Zla,
            Pole::CzasTrwaniaMin => self.czas_trwania_min = Wartosc::Zla,
            Pole::RodzajWizyty => self.rodzaj_wizyty = Wartosc::Zla,
            Pole::Pesel => self.pesel = Wartosc::Zla,
            Pole::Email => self.email = Wartosc::Zla,
            Pole::Telefon => self.telefon = Wartosc::Zla,
            Pole::KluczSkierowania => self.klucz_skierowania = Wartosc::Zla,
            Pole::StatusSkierowania => self.status_skierowania = Wartosc::Zla,
            Pole::IdWystawcySkierowaniaPapierowego => self.npwz = Wartosc::Zla,
            Pole::DataZapisu => self.data_zapisu = Wartosc::Zla,
        }
    }

    fn podana(&self, pole: Pole) -> bool {
        match pole {
            Pole::IdMus => self.id_mus.podana(),
            Pole::KodSwiadczenia => self.kod_swiadczenia.podana(),
            Pole::IdSlotu => self.id_slotu.podana(),
            Pole::DataWizyty => self.data_wizyty.podana(),
            Pole::CzasTrwaniaMin => self.czas_trwania_min.podana(),
            Pole::RodzajWizyty => self.rodzaj_wizyty.podana(),
            Pole::Pesel => self.pesel.podana(),
            Pole::Email => self.email.podana(),
            Pole::Telefon => self.telefon.podana(),
            Pole::KluczSkierowania => self.klucz_skierowania.podana(),
            Pole::StatusSkierowania => self.status_skierowania.podana(),
            Pole::IdWystawcySkierowaniaPapierowego => self.npwz.podana(),
            Pole::DataZapisu => self.data_zapisu.podana(),
        }
    }

    /// Reads one non-empty cell of column `k` into the view: the conversions a text cell
    /// needs before the shared checks (dates, numbers, enumerations, PESEL). A value that
    /// cannot be converted is reported and becomes [`Wartosc::Zla`].
    pub(crate) fn wczytaj(&mut self, k: &Kolumna, tekst: &'a str, z: &mut Zgloszenia<'_>) {
        let kol = Some(k.nazwa);
        match k.pole {
            Pole::IdMus => self.id_mus = Wartosc::Jest(tekst),
            Pole::KodSwiadczenia => self.kod_swiadczenia = Wartosc::Jest(tekst),
            Pole::IdSlotu => self.id_slotu = Wartosc::Jest(tekst),
            Pole::Email => self.email = Wartosc::Jest(tekst),
            Pole::Telefon => self.telefon = Wartosc::Jest(tekst),
            Pole::KluczSkierowania => self.klucz_skierowania = Wartosc::Jest(tekst),
            Pole::IdWystawcySkierowaniaPapierowego => self.npwz = Wartosc::Jest(tekst),
            Pole::DataWizyty => match czytaj_date(tekst, false) {
                Some(d) => self.data_wizyty = Wartosc::Jest(d),
                None => {
                    z.zglos(
                        kol,
                        KodBledu::UkladKolumn,
                        format!(
                            "{} is not a real date and time written YYYY-MM-DDTHH:MM",
                            pokaz(tekst)
                        ),
                    );
                    self.data_wizyty = Wartosc::Zla;
                }
            },
            Pole::DataZapisu => match czytaj_date(tekst, true) {
                Some(d) => self.data_zapisu = Wartosc::Jest(d),
                None => {
                    z.zglos(
                        kol,
                        KodBledu::DataZapisu,
                        format!(
                            "{} is not a real date and time written YYYY-MM-DDTHH:MM:SS",
                            pokaz(tekst)
                        ),
                    );
                    self.data_zapisu = Wartosc::Zla;
                }
            },
            Pole::CzasTrwaniaMin => {
                let liczba = (tekst.len() <= 5)
                    .then(|| cyfry(tekst.as_bytes()))
                    .flatten()
                    .and_then(|n| u16::try_from(n).ok());
                match liczba {
                    Some(n) => self.czas_trwania_min = Wartosc::Jest(n),
                    None => {
                        z.zglos(
                            kol,
                            KodBledu::UkladKolumn,
                            format!(
                                "{} is not a whole number of minutes from 1 to {MAX_CZAS_MIN}",
                                pokaz(tekst)
                            ),
                        );
                        self.czas_trwania_min = Wartosc::Zla;
                    }
                }
            }
            Pole::RodzajWizyty => match RodzajWizyty::parse(tekst) {
                Ok(r) => self.rodzaj_wizyty = Wartosc::Jest(r),
                Err(e) => {
                    z.zglos(
                        kol,
                        KodBledu::UkladKolumn,
                        format!("{} is {e}", pokaz(tekst)),
                    );
                    self.rodzaj_wizyty = Wartosc::Zla;
                }
            },
            Pole::StatusSkierowania => match StatusSkierowania::parse(tekst) {
                Ok(s) => self.status_skierowania = Wartosc::Jest(s),
                Err(e) => {
                    z.zglos(
                        kol,
                        KodBledu::UkladKolumn,
                        format!("{} is {e}", pokaz(tekst)),
                    );
                    self.status_skierowania = Wartosc::Zla;
                }
            },
            Pole::Pesel => {
                // Digits only first: `Pesel::parse` would accept surrounding whitespace.
                let blad = if tekst.len() != 11 || !tekst.bytes().all(|b| b.is_ascii_digit()) {
                    Some("a PESEL has exactly 11 digits".to_owned())
                } else {
                    Pesel::parse(tekst).err().map(|e| {
                        let opisy: Vec<&str> =
                            e.violations.iter().map(|v| v.message.as_str()).collect();
                        opisy.join("; ")
                    })
                };
                match blad {
                    None => self.pesel = Wartosc::Jest(tekst),
                    Some(komunikat) => {
                        z.zglos(kol, KodBledu::UkladKolumn, komunikat);
                        self.pesel = Wartosc::Zla;
                    }
                }
            }
        }
    }

    /// Marks column `k` as holding bytes that are not UTF-8, and reports it.
    pub(crate) fn nie_utf8(
        &mut self,
        k: &Kolumna,
        blad: std::str::Utf8Error,
        z: &mut Zgloszenia<'_>,
    ) {
        z.zglos(
            Some(k.nazwa),
            KodBledu::UkladKolumn,
            format!(
                "not UTF-8 text (invalid byte after {} valid bytes); the file must be UTF-8",
                blad.valid_up_to()
            ),
        );
        self.ustaw_zla(k.pole);
    }

    /// The checks of one column: required, then the field's own format. A value that fails
    /// becomes [`Wartosc::Zla`].
    pub(crate) fn sprawdz_kolumne(&mut self, k: &Kolumna, z: &mut Zgloszenia<'_>) {
        let kol = Some(k.nazwa);
        if !self.podana(k.pole) {
            if k.wymagana {
                if k.pole == Pole::DataZapisu {
                    z.zglos(
                        kol,
                        KodBledu::DataZapisu,
                        "the booking date (data zapisu na wizytę) is missing",
                    );
                } else {
                    z.zglos(kol, KodBledu::UkladKolumn, "a required value is missing");
                }
            }
            return;
        }
        let blad: Option<(KodBledu, String)> = match k.pole {
            Pole::IdMus => self
                .id_mus
                .jest()
                .and_then(tekst_id)
                .map(|m| (KodBledu::UkladKolumn, m)),
            Pole::IdSlotu => self
                .id_slotu
                .jest()
                .and_then(tekst_id)
                .map(|m| (KodBledu::UkladKolumn, m)),
            Pole::KodSwiadczenia => self
                .kod_swiadczenia
                .jest()
                .filter(|t| !kod_swiadczenia_poprawny(t))
                .map(|t| {
                    let m = format!("{} is not an NFZ benefit code NN.NNNN.NNN.NN", pokaz(t));
                    (KodBledu::UkladKolumn, m)
                }),
            Pole::DataWizyty => self.data_wizyty.jest().and_then(|d| {
                let m = if d.second() != 0 || d.nanosecond() != 0 {
                    Some("the visit starts on a whole minute (YYYY-MM-DDTHH:MM)")
                } else if !(0..=9999).contains(&d.year()) {
                    Some("the year must have four digits")
                } else {
                    None
                };
                m.map(|m| (KodBledu::UkladKolumn, m.to_owned()))
            }),
            Pole::DataZapisu => self.data_zapisu.jest().and_then(|d| {
                let m = if d.nanosecond() != 0 {
                    Some("the booking date is in whole seconds (YYYY-MM-DDTHH:MM:SS)")
                } else if !(0..=9999).contains(&d.year()) {
                    Some("the year must have four digits")
                } else {
                    None
                };
                m.map(|m| (KodBledu::DataZapisu, m.to_owned()))
            }),
            Pole::CzasTrwaniaMin => self
                .czas_trwania_min
                .jest()
                .filter(|n| !(1..=MAX_CZAS_MIN).contains(n))
                .map(|n| {
                    let m = format!("{n} minutes is outside 1–{MAX_CZAS_MIN}");
                    (KodBledu::UkladKolumn, m)
                }),
            Pole::Email => self
                .email
                .jest()
                .and_then(email_blad)
                .map(|m| (KodBledu::KontaktPacjenta, m.to_owned())),
            Pole::Telefon => self
                .telefon
                .jest()
                .and_then(telefon_blad)
                .map(|m| (KodBledu::KontaktPacjenta, m.to_owned())),
            Pole::KluczSkierowania => self
                .klucz_skierowania
                .jest()
                .filter(|t| !klucz_poprawny(t))
                .map(|_| {
                    let m = format!(
                        "an e-referral key has 1–{MAX_TEKST} characters of 0-9, A-Z, a-z and -"
                    );
                    (KodBledu::UkladKolumn, m)
                }),
            Pole::IdWystawcySkierowaniaPapierowego => self
                .npwz
                .jest()
                .and_then(npwz_blad)
                .map(|m| (KodBledu::WystawcaSkierowaniaPapierowego, m.to_owned())),
            Pole::RodzajWizyty | Pole::StatusSkierowania | Pole::Pesel => None,
        };
        if let Some((kod, komunikat)) = blad {
            z.zglos(kol, kod, komunikat);
            self.ustaw_zla(k.pole);
        }
    }

    /// The rules across columns: contact, referral, booking date before the visit.
    pub(crate) fn sprawdz_zaleznosci(&self, u: &Uklad, z: &mut Zgloszenia<'_>) {
        if !self.email.podana() && !self.telefon.podana() {
            z.zglos(
                None,
                KodBledu::KontaktPacjenta,
                format!(
                    "no contact to the patient: give {} or {} (at least one)",
                    u.nazwa(Pole::Email).unwrap_or("an e-mail address"),
                    u.nazwa(Pole::Telefon).unwrap_or("a phone number"),
                ),
            );
        }

        let kol_statusu = u.nazwa(Pole::StatusSkierowania);
        let kol_klucza = u
            .nazwa(Pole::KluczSkierowania)
            .unwrap_or("an e-referral key");
        let klucz = self.klucz_skierowania.podana();
        if self.status_skierowania.podana() && !klucz {
            z.zglos(
                kol_statusu,
                KodBledu::UkladKolumn,
                format!("a referral status without an e-referral ({kol_klucza} is empty)"),
            );
        }
        let status = if klucz {
            self.status_skierowania.jest()
        } else {
            None
        };
        let papier = self.npwz.podana();
        if status == Some(StatusSkierowania::Zrealizowane) {
            z.zglos(
                kol_statusu,
                KodBledu::StatusSkierowania,
                "an e-referral with status ZREALIZOWANE cannot be the basis of a visit",
            );
        }
        match self.rodzaj_wizyty.jest() {
            Some(RodzajWizyty::Pierwszorazowa) if !klucz && !papier => z.zglos(
                None,
                KodBledu::StatusSkierowania,
                format!(
                    "a first visit (PIERWSZORAZOWA) needs a referral: {kol_klucza} (e-referral) \
                     or {} (paper referral)",
                    u.nazwa(Pole::IdWystawcySkierowaniaPapierowego)
                        .unwrap_or("the paper referral's issuer")
                ),
            ),
            Some(RodzajWizyty::Pierwszorazowa)
                if status == Some(StatusSkierowania::URealizatora) =>
            {
                z.zglos(
                    kol_statusu,
                    KodBledu::StatusSkierowania,
                    "a first visit (PIERWSZORAZOWA) needs an e-referral with status WYSTAWIONE; \
                     U_REALIZATORA allows only a follow-up (KOLEJNA)",
                );
            }
            Some(RodzajWizyty::Kolejna) if status == Some(StatusSkierowania::Wystawione) => {
                z.zglos(
                    kol_statusu,
                    KodBledu::StatusSkierowania,
                    "a follow-up (KOLEJNA) on an e-referral needs status U_REALIZATORA; \
                     WYSTAWIONE allows only a first visit (PIERWSZORAZOWA)",
                );
            }
            _ => {}
        }

        if let (Some(zapis), Some(wizyta)) = (self.data_zapisu.jest(), self.data_wizyty.jest())
            && zapis > wizyta
        {
            z.zglos(
                u.nazwa(Pole::DataZapisu),
                KodBledu::DataZapisu,
                format!(
                    "the booking date {} is after the visit's start {}",
                    DataCsv(zapis, true),
                    DataCsv(wizyta, false)
                ),
            );
        }
    }
}

/// Shows a value in a message: in backticks, at most 40 characters. Only for values that are
/// not personal data.
fn pokaz(t: &str) -> String {
    const MAX: usize = 40;
    if t.chars().count() <= MAX {
        format!("`{t}`")
    } else {
        let poczatek: String = t.chars().take(MAX).collect();
        format!("`{poczatek}…`")
    }
}

fn cyfry(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(u32::from(c - b'0')))
            .flatten()
    })
}

/// `YYYY-MM-DDTHH:MM` (or `…:SS` with `sekundy`), a real date and time.
pub(crate) fn czytaj_date(t: &str, sekundy: bool) -> Option<PrimitiveDateTime> {
    let b = t.as_bytes();
    let (data, czas) = (b.get(..10)?, b.get(11..)?);
    if b.get(10) != Some(&b'T') {
        return None;
    }
    let d: &[u8; 10] = data.try_into().ok()?;
    if d[4] != b'-' || d[7] != b'-' {
        return None;
    }
    let rok = i32::try_from(cyfry(&d[..4])?).ok()?;
    let miesiac = Month::try_from(u8::try_from(cyfry(&d[5..7])?).ok()?).ok()?;
    let dzien = u8::try_from(cyfry(&d[8..])?).ok()?;
    let data = Date::from_calendar_date(rok, miesiac, dzien).ok()?;
    let (h, m, s) = if sekundy {
        let c: &[u8; 8] = czas.try_into().ok()?;
        if c[2] != b':' || c[5] != b':' {
            return None;
        }
        (cyfry(&c[..2])?, cyfry(&c[3..5])?, cyfry(&c[6..])?)
    } else {
        let c: &[u8; 5] = czas.try_into().ok()?;
        if c[2] != b':' {
            return None;
        }
        (cyfry(&c[..2])?, cyfry(&c[3..])?, 0)
    };
    let czas = Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(data, czas))
}

/// A date as the file writes it: `YYYY-MM-DDTHH:MM`, or `…:SS` when `.1`.
pub(crate) struct DataCsv(pub(crate) PrimitiveDateTime, pub(crate) bool);

impl std::fmt::Display for DataCsv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute()
        )?;
        if self.1 {
            write!(f, ":{:02}", d.second())?;
        }
        Ok(())
    }
}

/// Writes `d` into `bufor` (cleared first) the way the file holds it.
pub(crate) fn zapisz_date(bufor: &mut String, d: PrimitiveDateTime, sekundy: bool) {
    bufor.clear();
    // Writing into a String cannot fail.
    let _ = write!(bufor, "{}", DataCsv(d, sekundy));
}

/// An identifier (`idMus`, `idSlotu`): 1–64 characters, no control characters, no surrounding
/// whitespace. `None` when fine.
fn tekst_id(t: &str) -> Option<String> {
    if t.len() > MAX_TEKST && t.chars().count() > MAX_TEKST {
        Some(format!("longer than {MAX_TEKST} characters"))
    } else if t.trim() != t {
        Some(format!("{} has leading or trailing whitespace", pokaz(t)))
    } else if t.chars().any(char::is_control) {
        Some("contains a control character (e.g. a line break)".to_owned())
    } else {
        None
    }
}

fn kod_swiadczenia_poprawny(t: &str) -> bool {
    let Ok(b): Result<&[u8; 14], _> = t.as_bytes().try_into() else {
        return false;
    };
    b.iter().enumerate().all(|(i, c)| match i {
        2 | 7 | 11 => *c == b'.',
        _ => c.is_ascii_digit(),
    })
}

fn klucz_poprawny(t: &str) -> bool {
    (1..=MAX_TEKST).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A plausible e-mail address; the message never repeats the address.
fn email_blad(t: &str) -> Option<&'static str> {
    if t.len() > MAX_EMAIL && t.chars().count() > MAX_EMAIL {
        return Some("the e-mail address is longer than 254 characters");
    }
    let odstep = if t.is_ascii() {
        t.bytes().any(|b| b <= b' ' || b == 0x7f)
    } else {
        t.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    if odstep {
        return Some("the e-mail address contains a space or a control character");
    }
    let Some((lokalna, domena)) = t.split_once('@').filter(|(_, d)| !d.contains('@')) else {
        return Some("an e-mail address has exactly one @");
    };
    if lokalna.is_empty() {
        return Some("the e-mail address has nothing before the @");
    }
    if !domena.contains('.')
        || domena.starts_with('.')
        || domena.ends_with('.')
        || domena.contains("..")
    {
        return Some("the e-mail address's domain (after the @) is not a name with a dot");
    }
    None
}

/// 9 digits, or `+` and 8–15 digits; spaces and dashes ignored. The message never repeats the
/// number.
fn telefon_blad(t: &str) -> Option<&'static str> {
    let mut plus = false;
    let mut liczba_cyfr = 0usize;
    for (i, c) in t.chars().filter(|c| *c != ' ' && *c != '-').enumerate() {
        match c {
            '+' if i == 0 => plus = true,
            '0'..='9' => liczba_cyfr += 1,
            _ => {
                return Some("a phone number has only digits, a leading +, spaces and dashes");
            }
        }
    }
    match (plus, liczba_cyfr) {
        (false, 9) | (true, 8..=15) => None,
        (false, _) => Some("a phone number has 9 digits, or + and 8–15 digits"),
        (true, _) => Some("an international phone number has + and 8–15 digits"),
    }
}

/// NPWZ: 7 digits, the first not 0 and equal to Σ digit(i+1)·i (i = 1..6) mod 11 (10 is
/// never valid).
fn npwz_blad(t: &str) -> Option<&'static str> {
    let Ok(b): Result<&[u8; 7], _> = t.as_bytes().try_into() else {
        return Some("an NPWZ has exactly 7 digits");
    };
    if !b.iter().all(u8::is_ascii_digit) {
        return Some("an NPWZ has exactly 7 digits");
    }
    if b[0] == b'0' {
        return Some("an NPWZ does not start with 0");
    }
    let suma: u32 = b[1..]
        .iter()
        .zip(1u32..)
        .map(|(c, waga)| u32::from(c - b'0') * waga)
        .sum();
    if suma % 11 != u32::from(b[0] - b'0') {
        return Some("the NPWZ check digit (the first) does not match; check the digits");
    }
    None
}

/// The 128-bit fingerprint of a visit key or a slot: two 64-bit SipHash values with fixed
/// keys and different domain prefixes (deterministic across runs of the same build).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Odcisk(u64, u64);

impl Hash for Odcisk {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.0);
    }
}

impl Odcisk {
    fn z(czesci: impl Fn(&mut DefaultHasher)) -> Self {
        let mut a = DefaultHasher::new();
        a.write_u64(0x243f_6a88_85a3_08d3);
        czesci(&mut a);
        let mut b = DefaultHasher::new();
        b.write_u64(0x1319_8a2e_0370_7344);
        czesci(&mut b);
        Self(a.finish(), b.finish())
    }
}

/// The map's hasher: the fingerprint is already uniformly random, so its first half is the
/// hash.
#[derive(Default)]
struct Przepustka(u64);

impl Hasher for Przepustka {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// Duplicate detection within one file: a fingerprint of every visit key (`idMus`,
/// `dataWizyty`, `pesel`) and every `idSlotu`, mapped to the first row that had it.
///
/// Memory: one entry of 24 bytes (16-byte fingerprint, 8-byte row) per distinct key, in a
/// hash table that keeps at most 7/8 of its slots full plus one control byte per slot and
/// doubles when full: ≈ 28–57 bytes per key, i.e. per row (twice that for rows with
/// `idSlotu`), and up to ≈ 1.5× that while it doubles (both tables are alive). The chance that
/// two different keys share a fingerprint in a file of n rows is about n²/2¹²⁹ (10⁻²⁷ for a
/// million rows).
#[derive(Default)]
pub(crate) struct Duplikaty {
    mapa: HashMap<Odcisk, u64, BuildHasherDefault<Przepustka>>,
}

#[derive(Clone, Copy)]
pub(crate) struct Klucze {
    wizyta: Option<Odcisk>,
    slot: Option<Odcisk>,
}

impl Duplikaty {
    pub(crate) fn len(&self) -> u64 {
        self.mapa.len() as u64
    }

    pub(crate) fn klucze(w: &Widok<'_>) -> Klucze {
        let wizyta = match (w.id_mus.jest(), w.data_wizyty.jest(), w.pesel.jest()) {
            (Some(mus), Some(data), Some(pesel)) => Some(Odcisk::z(|h| {
                h.write_u8(1);
                mus.hash(h);
                // The start as one number: year, day of year, hour, minute, second.
                let rok = u64::from(data.year().unsigned_abs());
                h.write_u64(
                    (rok << 40)
                        | (u64::from(data.ordinal()) << 24)
                        | (u64::from(data.hour()) << 16)
                        | (u64::from(data.minute()) << 8)
                        | u64::from(data.second()),
                );
                pesel.hash(h);
            })),
            _ => None,
        };
        let slot = w.id_slotu.jest().map(|s| {
            Odcisk::z(|h| {
                h.write_u8(2);
                s.hash(h);
            })
        });
        Klucze { wizyta, slot }
    }

    fn zglos_powtorzenie(czy_slot: bool, pierwszy: u64, u: &Uklad, z: &mut Zgloszenia<'_>) {
        if czy_slot {
            z.zglos(
                u.nazwa(Pole::IdSlotu),
                KodBledu::UnikalnoscWizyty,
                format!("the same slot as row {pierwszy}: a slot holds one visit"),
            );
        } else {
            z.zglos(
                None,
                KodBledu::UnikalnoscWizyty,
                format!(
                    "the same visit ({}, {}, {}) as row {pierwszy}",
                    u.nazwa(Pole::IdMus).unwrap_or("MUŚ"),
                    u.nazwa(Pole::DataWizyty).unwrap_or("start"),
                    u.nazwa(Pole::Pesel).unwrap_or("patient"),
                ),
            );
        }
    }

    /// Reports the keys seen before (naming their first row) without remembering them.
    pub(crate) fn sprawdz(&self, k: Klucze, u: &Uklad, z: &mut Zgloszenia<'_>) {
        for (odcisk, czy_slot) in [(k.wizyta, false), (k.slot, true)] {
            if let Some(pierwszy) = odcisk.and_then(|o| self.mapa.get(&o)) {
                Self::zglos_powtorzenie(czy_slot, *pierwszy, u, z);
            }
        }
    }

    /// Remembers the keys of row `wiersz` (keeping the first row of a key seen before).
    pub(crate) fn zapamietaj(&mut self, k: Klucze, wiersz: u64) {
        for odcisk in [k.wizyta, k.slot].into_iter().flatten() {
            self.mapa.entry(odcisk).or_insert(wiersz);
        }
    }

    /// [`sprawdz`](Self::sprawdz) and [`zapamietaj`](Self::zapamietaj) in one lookup per key.
    pub(crate) fn sprawdz_i_zapamietaj(
        &mut self,
        k: Klucze,
        wiersz: u64,
        u: &Uklad,
        z: &mut Zgloszenia<'_>,
    ) {
        for (odcisk, czy_slot) in [(k.wizyta, false), (k.slot, true)] {
            if let Some(o) = odcisk {
                match self.mapa.entry(o) {
                    Entry::Occupied(e) => Self::zglos_powtorzenie(czy_slot, *e.get(), u, z),
                    Entry::Vacant(e) => {
                        e.insert(wiersz);
                    }
                }
            }
        }
    }
}

/// The checks of one visit that need no file state: every column, then the cross-column rules.
pub(crate) fn sprawdz_widok(w: &mut Widok<'_>, u: &Uklad, z: &mut Zgloszenia<'_>) {
    for k in u.kolumny() {
        w.sprawdz_kolumne(k, z);
    }
    w.sprawdz_zaleznosci(u, z);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npwz_check_digit() {
        assert_eq!(npwz_blad("5425740"), None);
        assert!(npwz_blad("5425741").is_some());
        assert!(npwz_blad("0425740").is_some());
        assert!(npwz_blad("542574").is_some());
    }

    #[test]
    fn dates_are_real() {
        assert!(czytaj_date("2026-02-28T09:30", false).is_some());
        assert!(czytaj_date("2026-02-29T09:30", false).is_none());
        assert!(czytaj_date("2026-02-28T24:00", false).is_none());
        assert!(czytaj_date("2026-02-28 09:30", false).is_none());
        assert!(czytaj_date("2026-02-28T09:30:59", true).is_some());
        assert!(czytaj_date("2026-02-28T09:30:60", true).is_none());
        assert!(czytaj_date("2026-02-28T09:30", true).is_none());
    }

    #[test]
    fn phones_and_emails() {
        assert_eq!(telefon_blad("600 700 800"), None);
        assert_eq!(telefon_blad("+48 600-700-800"), None);
        assert!(telefon_blad("60070080").is_some());
        assert!(telefon_blad("48+600700800").is_some());
        assert_eq!(email_blad("jan.kowalski@example.pl"), None);
        assert!(email_blad("jan@@example.pl").is_some());
        assert!(email_blad("jan@localhost").is_some());
        assert!(email_blad("jan@example..pl").is_some());
    }
}
