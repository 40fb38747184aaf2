//! What a check finds: one [`Problem`] per broken rule, and a [`Raport`] for the whole file.

use std::fmt;

use super::KodBledu;

/// One broken rule of one row.
///
/// The message is English and never contains the patient's PESEL, e-mail address, phone
/// number or referral key. With feature `serde` it serializes as
/// `{"wiersz":5,"linia":5,"kolumna":"email","kod":"REG.WER.8361","komunikat":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Problem {
    /// The row (record) number: the header is row 1, the first visit row 2. A record whose
    /// quoted fields contain line breaks is one row. `0` for a visit that is not from a file
    /// ([`Walidator::sprawdz_wiersz`](super::Walidator::sprawdz_wiersz)).
    pub wiersz: u64,
    /// The physical line the row starts on (1-based; differs from `wiersz` after quoted line
    /// breaks or blank lines); `0` when not from a file.
    pub linia: u64,
    /// The column the problem is in, when it is in one.
    pub kolumna: Option<&'static str>,
    /// The CeR rule.
    pub kod: KodBledu,
    /// What is wrong, for people.
    pub komunikat: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.wiersz)?;
        if let Some(k) = self.kolumna {
            write!(f, ", column {k}")?;
        }
        write!(f, ": {}: {}", self.kod.kod(), self.komunikat)
    }
}

/// The outcome of checking a whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Raport {
    /// Visit rows read (the header and skipped blank lines not counted).
    pub wiersze: u64,
    /// Visit rows with at least one problem.
    pub wiersze_z_bledami: u64,
    /// Problems found, the header's included.
    pub problemy: u64,
    /// Bytes read from the input.
    pub bajty: u64,
    /// Duplicate-detection fingerprints kept at the end (one per distinct visit key and one per
    /// distinct slot): the memory that grows with the file.
    pub odciski: u64,
    /// `false` when the header row did not match the layout.
    pub naglowek_poprawny: bool,
    /// Problems per known code, in [`KodBledu::ZNANE`] order.
    #[cfg_attr(feature = "serde", serde(skip))]
    wg_kodu: [u64; 6],
}

impl Raport {
    /// `true` when no problem was found: CeR's load could answer `SUKCES` as far as the local
    /// rules can tell (CeR also checks against its own data: existing visits, referral states).
    pub fn sukces(&self) -> bool {
        self.problemy == 0
    }

    /// How many problems had code `kod` (0 for codes this SDK does not report).
    pub fn liczba(&self, kod: &KodBledu) -> u64 {
        kod.indeks()
            .and_then(|i| self.wg_kodu.get(i))
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn policz(&mut self, kod: &KodBledu) {
        self.problemy += 1;
        if let Some(n) = kod.indeks().and_then(|i| self.wg_kodu.get_mut(i)) {
            *n += 1;
        }
    }
}

impl fmt::Display for Raport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} rows, {} with problems, {} problems",
            if self.sukces() { "SUKCES" } else { "BŁĄD" },
            self.wiersze,
            self.wiersze_z_bledami,
            self.problemy
        )
    }
}
