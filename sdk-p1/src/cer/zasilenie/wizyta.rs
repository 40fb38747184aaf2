//! One visit of an initial load, typed.

use std::fmt;
use std::str::FromStr;

use sdk_runtime::redact::{REDACTED, masked};
use time::PrimitiveDateTime;

use crate::Pesel;

/// The kind of visit (seed 001, line 311: "WIZYTA PIERWSZORAZOWA", "WIZYTA KOLEJNA", "WIZYTA
/// PACJENTA Z UPRAWNIENIAMI SZCZEGÓLNYMI"). The file spellings are ours (reconstructed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RodzajWizyty {
    /// `PIERWSZORAZOWA`: a first visit; needs a referral (electronic or paper).
    Pierwszorazowa,
    /// `KOLEJNA`: a follow-up (continuing treatment).
    Kolejna,
    /// `UPRAWNIENIA_SZCZEGOLNE`: a visit of a patient with special rights.
    UprawnieniaSzczegolne,
}

impl RodzajWizyty {
    /// Every kind.
    pub const WSZYSTKIE: [RodzajWizyty; 3] = [
        RodzajWizyty::Pierwszorazowa,
        RodzajWizyty::Kolejna,
        RodzajWizyty::UprawnieniaSzczegolne,
    ];

    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pierwszorazowa => "PIERWSZORAZOWA",
            Self::Kolejna => "KOLEJNA",
            Self::UprawnieniaSzczegolne => "UPRAWNIENIA_SZCZEGOLNE",
        }
    }

    /// Reads the file spelling (exact, case-sensitive).
    pub fn parse(s: &str) -> Result<Self, NieznanaWartosc> {
        Self::WSZYSTKIE
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(NieznanaWartosc {
                dozwolone: "PIERWSZORAZOWA, KOLEJNA, UPRAWNIENIA_SZCZEGOLNE",
            })
    }
}

impl fmt::Display for RodzajWizyty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RodzajWizyty {
    type Err = NieznanaWartosc;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The status of an e-referral as the provider's system knows it from e-Skierowanie (seed 001,
/// lines 674–677: "Wystawione", "U realizatora", "Zrealizowane"). The file spellings are ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusSkierowania {
    /// `WYSTAWIONE` ("Wystawione", issued): may be the basis of a first visit.
    Wystawione,
    /// `U_REALIZATORA` ("U realizatora", at the provider): may be the basis of a follow-up.
    URealizatora,
    /// `ZREALIZOWANE` ("Zrealizowane", realised): cannot be the basis of a booked visit.
    Zrealizowane,
}

impl StatusSkierowania {
    /// Every status.
    pub const WSZYSTKIE: [StatusSkierowania; 3] = [
        StatusSkierowania::Wystawione,
        StatusSkierowania::URealizatora,
        StatusSkierowania::Zrealizowane,
    ];

    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wystawione => "WYSTAWIONE",
            Self::URealizatora => "U_REALIZATORA",
            Self::Zrealizowane => "ZREALIZOWANE",
        }
    }

    /// Reads the file spelling (exact, case-sensitive).
    pub fn parse(s: &str) -> Result<Self, NieznanaWartosc> {
        Self::WSZYSTKIE
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(NieznanaWartosc {
                dozwolone: "WYSTAWIONE, U_REALIZATORA, ZREALIZOWANE",
            })
    }
}

impl fmt::Display for StatusSkierowania {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StatusSkierowania {
    type Err = NieznanaWartosc;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A value that is not one of an enumeration's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not one of {dozwolone}")]
#[non_exhaustive]
pub struct NieznanaWartosc {
    /// The allowed spellings, comma-separated.
    pub dozwolone: &'static str,
}

/// One visit (one row of the file), typed.
///
/// Building one does not check it: [`Walidator::sprawdz_wiersz`](super::Walidator::sprawdz_wiersz)
/// does, and [`ZapisCsv::zapisz`](super::ZapisCsv::zapisz) refuses a visit with problems. An
/// empty string counts as a missing value.
///
/// Personal data: `Debug` masks the PESEL, the phone number and the e-referral key and hides the
/// e-mail address.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wizyta {
    /// `idMus`: the place of service (MUŚ).
    pub id_mus: String,
    /// `kodSwiadczenia`: the NFZ benefit code, e.g. `02.1450.102.02`.
    pub kod_swiadczenia: String,
    /// `idSlotu`: an existing slot to put the visit into; `None` lets CeR create one.
    pub id_slotu: Option<String>,
    /// `dataWizyty`: the start, Polish local time, whole minutes.
    pub data_wizyty: PrimitiveDateTime,
    /// `czasTrwaniaMin`: the duration in minutes, 1–1440.
    pub czas_trwania_min: u16,
    /// `rodzajWizyty`.
    pub rodzaj_wizyty: RodzajWizyty,
    /// `pesel`: the patient.
    pub pesel: Pesel,
    /// `email`: the patient's e-mail address (this or [`telefon`](Self::telefon) is required).
    pub email: Option<String>,
    /// `telefon`: the patient's phone, 9 digits or `+` and 8–15 digits (spaces and dashes
    /// allowed).
    pub telefon: Option<String>,
    /// `kluczSkierowania`: the e-referral's key.
    pub klucz_skierowania: Option<String>,
    /// `statusSkierowania`: the e-referral's status, when known (needs a key).
    pub status_skierowania: Option<StatusSkierowania>,
    /// `idWystawcySkierowaniaPapierowego`: the NPWZ of the paper referral's issuer.
    pub id_wystawcy_skierowania_papierowego: Option<String>,
    /// `dataZapisu`: when the patient asked for the visit, whole seconds; not after the visit.
    pub data_zapisu: PrimitiveDateTime,
}

impl Wizyta {
    /// A visit with the required fields; the optional ones are `None` (set them afterwards:
    /// the fields are public).
    pub fn new(
        id_mus: impl Into<String>,
        kod_swiadczenia: impl Into<String>,
        data_wizyty: PrimitiveDateTime,
        czas_trwania_min: u16,
        rodzaj_wizyty: RodzajWizyty,
        pesel: Pesel,
        data_zapisu: PrimitiveDateTime,
    ) -> Self {
        Self {
            id_mus: id_mus.into(),
            kod_swiadczenia: kod_swiadczenia.into(),
            id_slotu: None,
            data_wizyty,
            czas_trwania_min,
            rodzaj_wizyty,
            pesel,
            email: None,
            telefon: None,
            klucz_skierowania: None,
            status_skierowania: None,
            id_wystawcy_skierowania_papierowego: None,
            data_zapisu,
        }
    }
}

impl fmt::Debug for Wizyta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wizyta")
            .field("id_mus", &self.id_mus)
            .field("kod_swiadczenia", &self.kod_swiadczenia)
            .field("id_slotu", &self.id_slotu)
            .field("data_wizyty", &self.data_wizyty)
            .field("czas_trwania_min", &self.czas_trwania_min)
            .field("rodzaj_wizyty", &self.rodzaj_wizyty)
            .field("pesel", &self.pesel)
            .field("email", &self.email.as_ref().map(|_| REDACTED))
            .field("telefon", &self.telefon.as_deref().map(|t| masked(t, 3)))
            .field(
                "klucz_skierowania",
                &self.klucz_skierowania.as_deref().map(|k| masked(k, 4)),
            )
            .field("status_skierowania", &self.status_skierowania)
            .field(
                "id_wystawcy_skierowania_papierowego",
                &self.id_wystawcy_skierowania_papierowego,
            )
            .field("data_zapisu", &self.data_zapisu)
            .finish()
    }
}
