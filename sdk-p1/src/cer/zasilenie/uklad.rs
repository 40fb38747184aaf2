//! The column table: which column of the file holds which field of a [`Wizyta`](super::Wizyta).
//!
//! The reader, the writer and the rules consult only this table for names, order and which
//! columns are required; the format of each field is fixed by its [`Pole`].

use std::borrow::Cow;
use std::fmt;

/// A field of a visit, i.e. what a column holds. Its format rules are fixed per field (see the
/// module documentation's table); a layout only says where it is and whether it is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pole {
    /// The place of service (MUŚ) identifier, text of 1–64 characters.
    IdMus,
    /// The NFZ benefit code, `NN.NNNN.NNN.NN`.
    KodSwiadczenia,
    /// An existing slot's identifier, text of 1–64 characters.
    IdSlotu,
    /// The visit's start, `YYYY-MM-DDTHH:MM`, Polish local time.
    DataWizyty,
    /// The visit's duration in minutes, 1–1440.
    CzasTrwaniaMin,
    /// The kind of visit ([`RodzajWizyty`](super::RodzajWizyty)).
    RodzajWizyty,
    /// The patient's PESEL.
    Pesel,
    /// The patient's e-mail address.
    Email,
    /// The patient's phone number.
    Telefon,
    /// The e-referral key: 1–64 characters of `[0-9A-Za-z-]`.
    KluczSkierowania,
    /// The e-referral status as the provider knows it
    /// ([`StatusSkierowania`](super::StatusSkierowania)).
    StatusSkierowania,
    /// The NPWZ of the paper referral's issuer.
    IdWystawcySkierowaniaPapierowego,
    /// The booking date ("data zapisu na wizytę"), `YYYY-MM-DDTHH:MM:SS`.
    DataZapisu,
}

impl Pole {
    /// Every field, in the order of the reconstructed layout.
    pub const WSZYSTKIE: [Pole; 13] = [
        Pole::IdMus,
        Pole::KodSwiadczenia,
        Pole::IdSlotu,
        Pole::DataWizyty,
        Pole::CzasTrwaniaMin,
        Pole::RodzajWizyty,
        Pole::Pesel,
        Pole::Email,
        Pole::Telefon,
        Pole::KluczSkierowania,
        Pole::StatusSkierowania,
        Pole::IdWystawcySkierowaniaPapierowego,
        Pole::DataZapisu,
    ];

    pub(crate) fn indeks(self) -> usize {
        match self {
            Pole::IdMus => 0,
            Pole::KodSwiadczenia => 1,
            Pole::IdSlotu => 2,
            Pole::DataWizyty => 3,
            Pole::CzasTrwaniaMin => 4,
            Pole::RodzajWizyty => 5,
            Pole::Pesel => 6,
            Pole::Email => 7,
            Pole::Telefon => 8,
            Pole::KluczSkierowania => 9,
            Pole::StatusSkierowania => 10,
            Pole::IdWystawcySkierowaniaPapierowego => 11,
            Pole::DataZapisu => 12,
        }
    }
}

/// One column of the file: its header name, the field it holds, and whether it must be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Kolumna {
    /// The header name, matched exactly (case-sensitive).
    pub nazwa: &'static str,
    /// The field the column holds.
    pub pole: Pole,
    /// `true` when an empty cell is a problem.
    pub wymagana: bool,
}

impl Kolumna {
    /// A column.
    pub const fn new(nazwa: &'static str, pole: Pole, wymagana: bool) -> Self {
        Self {
            nazwa,
            pole,
            wymagana,
        }
    }
}

/// The **reconstructed** layout: 13 columns in this order. No CeR column list is public; this
/// table is ours (see the module documentation). Replace it with [`Uklad::nowy`] when the real
/// one is known.
pub const KOLUMNY: &[Kolumna] = &[
    Kolumna::new("idMus", Pole::IdMus, true),
    Kolumna::new("kodSwiadczenia", Pole::KodSwiadczenia, true),
    Kolumna::new("idSlotu", Pole::IdSlotu, false),
    Kolumna::new("dataWizyty", Pole::DataWizyty, true),
    Kolumna::new("czasTrwaniaMin", Pole::CzasTrwaniaMin, true),
    Kolumna::new("rodzajWizyty", Pole::RodzajWizyty, true),
    Kolumna::new("pesel", Pole::Pesel, true),
    Kolumna::new("email", Pole::Email, false),
    Kolumna::new("telefon", Pole::Telefon, false),
    Kolumna::new("kluczSkierowania", Pole::KluczSkierowania, false),
    Kolumna::new("statusSkierowania", Pole::StatusSkierowania, false),
    Kolumna::new(
        "idWystawcySkierowaniaPapierowego",
        Pole::IdWystawcySkierowaniaPapierowego,
        false,
    ),
    Kolumna::new("dataZapisu", Pole::DataZapisu, true),
];

/// A file layout: the columns in order. [`Uklad::default`] is the reconstructed [`KOLUMNY`].
///
/// A field without a column is neither written nor checked (its rules are skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uklad {
    kolumny: Cow<'static, [Kolumna]>,
    /// Column name per field (by [`Pole::indeks`]), `None` when the layout has no such column.
    nazwy: [Option<&'static str>; 13],
}

/// A column table that cannot be a layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BladUkladu {
    /// The table has no columns.
    #[error("a layout needs at least one column")]
    Pusty,
    /// Two columns have the same header name.
    #[error("two columns are named `{0}`")]
    PowtorzonaNazwa(&'static str),
    /// Two columns hold the same field.
    #[error("two columns hold the field {0:?}")]
    PowtorzonePole(Pole),
    /// A header name is empty or contains a separator, quote or line break.
    #[error("column name `{0}` is empty or contains `;`, `\"` or a line break")]
    ZlaNazwa(&'static str),
}

impl Uklad {
    /// The reconstructed layout ([`KOLUMNY`]).
    pub fn zrekonstruowany() -> Self {
        Self::z_tabeli(Cow::Borrowed(KOLUMNY))
    }

    /// A layout from a column table (e.g. the real CeR layout once it is known).
    pub fn nowy(kolumny: impl Into<Cow<'static, [Kolumna]>>) -> Result<Self, BladUkladu> {
        let kolumny = kolumny.into();
        if kolumny.is_empty() {
            return Err(BladUkladu::Pusty);
        }
        for (i, k) in kolumny.iter().enumerate() {
            if k.nazwa.is_empty()
                || k.nazwa
                    .bytes()
                    .any(|b| matches!(b, b';' | b'"' | b'\r' | b'\n'))
            {
                return Err(BladUkladu::ZlaNazwa(k.nazwa));
            }
            for wczesniejsza in kolumny.iter().take(i) {
                if wczesniejsza.nazwa == k.nazwa {
                    return Err(BladUkladu::PowtorzonaNazwa(k.nazwa));
                }
                if wczesniejsza.pole == k.pole {
                    return Err(BladUkladu::PowtorzonePole(k.pole));
                }
            }
        }
        Ok(Self::z_tabeli(kolumny))
    }

    fn z_tabeli(kolumny: Cow<'static, [Kolumna]>) -> Self {
        let mut nazwy = [None; 13];
        for k in kolumny.iter() {
            if let Some(n) = nazwy.get_mut(k.pole.indeks()) {
                *n = Some(k.nazwa);
            }
        }
        Self { kolumny, nazwy }
    }

    /// The columns, in file order.
    pub fn kolumny(&self) -> &[Kolumna] {
        &self.kolumny
    }

    /// The name of the column holding `pole`, if the layout has one.
    pub fn nazwa(&self, pole: Pole) -> Option<&'static str> {
        self.nazwy.get(pole.indeks()).copied().flatten()
    }

    /// The header row, e.g. `idMus;kodSwiadczenia;…` (no line end).
    pub fn naglowek(&self) -> String {
        let nazwy: Vec<&str> = self.kolumny.iter().map(|k| k.nazwa).collect();
        nazwy.join(";")
    }
}

impl Default for Uklad {
    fn default() -> Self {
        Self::zrekonstruowany()
    }
}

impl fmt::Display for Uklad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.naglowek())
    }
}
