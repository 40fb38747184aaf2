//! The CeR verification codes (`REG.WER.*`) an initial load can fail with.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// A CeR verification rule (`REG.WER.*`) that a visit of an initial load broke.
///
/// The six known codes are the ones NFZ's onboarding deck lists as examples under the load
/// result `BŁĄD` (seed 001, lines 654–659); CeR has more. Any other code CeR returns is kept as
/// [`KodBledu::Inny`], so a result can always be read. Compare codes, never the message text.
///
/// `Display` prints the code and the English description; with feature `serde` the value
/// serializes as the bare code (`"REG.WER.8244"`) and deserializes from any code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KodBledu {
    /// `REG.WER.8244`: the number, order and types of the file's columns.
    UkladKolumn,
    /// `REG.WER.8361`: at least one form of contact to the patient (e-mail or phone).
    KontaktPacjenta,
    /// `REG.WER.9644`: the visit is unique (it does not already exist in CeR).
    UnikalnoscWizyty,
    /// `REG.WER.9662`: the status of the electronic referral suits the visit.
    StatusSkierowania,
    /// `REG.WER.9666`: the identifier of the issuer of a paper referral is correct.
    WystawcaSkierowaniaPapierowego,
    /// `REG.WER.9667`: the booking date ("data zapisu na wizytę") is given and well-formed.
    DataZapisu,
    /// A code this SDK does not know, as CeR sent it (never one of the known codes).
    Inny(String),
}

impl KodBledu {
    /// The known codes, in code order.
    pub const ZNANE: [KodBledu; 6] = [
        KodBledu::UkladKolumn,
        KodBledu::KontaktPacjenta,
        KodBledu::UnikalnoscWizyty,
        KodBledu::StatusSkierowania,
        KodBledu::WystawcaSkierowaniaPapierowego,
        KodBledu::DataZapisu,
    ];

    /// The code as CeR writes it, e.g. `"REG.WER.8244"`.
    pub fn kod(&self) -> &str {
        match self {
            Self::UkladKolumn => "REG.WER.8244",
            Self::KontaktPacjenta => "REG.WER.8361",
            Self::UnikalnoscWizyty => "REG.WER.9644",
            Self::StatusSkierowania => "REG.WER.9662",
            Self::WystawcaSkierowaniaPapierowego => "REG.WER.9666",
            Self::DataZapisu => "REG.WER.9667",
            Self::Inny(kod) => kod,
        }
    }

    /// The rule's description in Polish, verbatim from the NFZ deck (seed 001).
    pub fn opis_pl(&self) -> &'static str {
        match self {
            Self::UkladKolumn => {
                "Weryfikacja, czy plik CSV importu inicjalnego wizyt do harmonogramu zawiera \
                 prawidłową liczbę kolumn, ich kolejność oraz zgodne typy"
            }
            Self::KontaktPacjenta => {
                "Weryfikacja, czy podano co najmniej jedną formę kontaktu do pacjenta – adres \
                 email lub telefon"
            }
            Self::UnikalnoscWizyty => {
                "Weryfikacja unikalności wizyty - System sprawdza, czy wizyta już istnieje w \
                 systemie CeR"
            }
            Self::StatusSkierowania => {
                "Weryfikacja, czy status skierowania elektronicznego jest właściwy"
            }
            Self::WystawcaSkierowaniaPapierowego => {
                "Weryfikacja poprawności identyfikatora wystawcy skierowania papierowego"
            }
            Self::DataZapisu => {
                "Weryfikacja podania wartości i zgodności z formatem w polu daty zapisu na wizytę"
            }
            Self::Inny(_) => "Kod weryfikacji nieznany temu SDK",
        }
    }

    /// The rule's description in English (our translation of [`opis_pl`](Self::opis_pl)).
    pub fn opis_en(&self) -> &'static str {
        match self {
            Self::UkladKolumn => {
                "Checks that the CSV file of the initial import of visits into the schedule has \
                 the correct number of columns, their order, and matching types"
            }
            Self::KontaktPacjenta => {
                "Checks that at least one form of contact to the patient was given: e-mail \
                 address or phone"
            }
            Self::UnikalnoscWizyty => {
                "Visit uniqueness check: the system checks whether the visit already exists in CeR"
            }
            Self::StatusSkierowania => {
                "Checks that the status of the electronic referral is appropriate"
            }
            Self::WystawcaSkierowaniaPapierowego => {
                "Checks the correctness of the identifier of the issuer of a paper referral"
            }
            Self::DataZapisu => {
                "Checks that a value is given and matches the format in the field \"date of \
                 booking the visit\""
            }
            Self::Inny(_) => "A verification code this SDK does not know",
        }
    }

    /// Reads a code (surrounding whitespace ignored); a code this SDK does not know becomes
    /// [`KodBledu::Inny`]. Never fails.
    pub fn parse(kod: &str) -> Self {
        let kod = kod.trim();
        Self::ZNANE
            .into_iter()
            .find(|k| k.kod() == kod)
            .unwrap_or_else(|| Self::Inny(kod.to_owned()))
    }

    /// `true` for one of the six codes this SDK knows.
    pub fn znany(&self) -> bool {
        !matches!(self, Self::Inny(_))
    }

    /// Position in [`ZNANE`](Self::ZNANE), for per-code counters.
    pub(crate) fn indeks(&self) -> Option<usize> {
        match self {
            Self::UkladKolumn => Some(0),
            Self::KontaktPacjenta => Some(1),
            Self::UnikalnoscWizyty => Some(2),
            Self::StatusSkierowania => Some(3),
            Self::WystawcaSkierowaniaPapierowego => Some(4),
            Self::DataZapisu => Some(5),
            Self::Inny(_) => None,
        }
    }
}

impl fmt::Display for KodBledu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kod(), self.opis_en())
    }
}

impl FromStr for KodBledu {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for KodBledu {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.kod())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for KodBledu {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let kod = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Ok(Self::parse(&kod))
    }
}
