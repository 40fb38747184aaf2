//! Checked values of LEK-13 reports: the identifiers SÚKL and the insurers assign, amounts and
//! quantities, the reporting software, and the pharmacy that reports.

use std::fmt;

use serde::{Deserialize, Serialize};

use sdk_runtime::xml::{ValidationError, Validator, ViolationKind};

/// Checks that `text` is exactly `n` ASCII digits.
pub(crate) fn check_digits(v: &mut Validator, text: &str, n: usize, what: &str) {
    if text.is_empty() {
        v.violation(ViolationKind::Required, format!("{what} is required"));
    } else if !text.bytes().all(|b| b.is_ascii_digit()) {
        v.violation(
            ViolationKind::Format,
            format!("{what} must contain only digits"),
        );
    } else if text.len() != n {
        let hint = if what == "a SÚKL code" && text.len() == n - 1 {
            " (codes are written with their leading zero, e.g. `0012345`)"
        } else {
            ""
        };
        v.violation(
            ViolationKind::Length,
            format!(
                "{what} has exactly {n} digits, this one has {}{hint}",
                text.len()
            ),
        );
    }
}

macro_rules! digits_type {
    ($(#[$doc:meta])* $name:ident, $n:expr, $field:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The number of digits.
            pub const DIGITS: usize = $n;

            /// Parses and checks the value (surrounding spaces are ignored).
            pub fn parse(text: &str) -> Result<Self, ValidationError> {
                let text = text.trim();
                let mut v = Validator::new();
                v.field($field, |v| check_digits(v, text, $n, $what));
                v.finish()?;
                Ok(Self(text.to_owned()))
            }

            /// The digits.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A value the crate knows to be valid (its own fixed examples).
            #[allow(dead_code)]
            pub(crate) fn known(digits: &'static str) -> Self {
                Self(digits.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

digits_type!(
    /// The product's code in SÚKL's code list (DLP `KOD_SUKL`): 7 digits, leading zeros kept
    /// (`0012345`). The guidance allows no codes of the pharmacy's own.
    KodSukl,
    7,
    "kodSUKL",
    "a SÚKL code"
);
digits_type!(
    /// The workplace code SÚKL assigned to the pharmacy (kód pracoviště): 11 digits. SÚKL
    /// compares it with the one in the pharmacy's certificate.
    KodPracoviste,
    11,
    "kodPracoviste",
    "a workplace code"
);
digits_type!(
    /// Identification number of a health-care provider (IČZ): 8 digits.
    Icz,
    8,
    "icz",
    "an IČZ"
);
digits_type!(
    /// Identification number of a workplace within a provider (IČP): 8 digits. A requisition
    /// without an IČP carries its provider's IČZ here.
    Icp,
    8,
    "icp",
    "an IČP"
);

/// The software that reports (the `sw` block of SÚKL's reporting APIs): your product's name,
/// version and maker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Software {
    /// Product name, 1–100 characters.
    pub nazev: String,
    /// Version, 1–20 characters.
    pub verze: String,
    /// Maker, 1–100 characters.
    pub vyrobce: String,
}

impl Software {
    /// Describes the reporting software; checked when a report is built.
    pub fn new(
        nazev: impl Into<String>,
        verze: impl Into<String>,
        vyrobce: impl Into<String>,
    ) -> Self {
        Self {
            nazev: nazev.into(),
            verze: verze.into(),
            vyrobce: vyrobce.into(),
        }
    }

    pub(crate) fn check(&self, v: &mut Validator) {
        for (field, value, max) in [
            ("nazev", &self.nazev, 100),
            ("verze", &self.verze, 20),
            ("vyrobce", &self.vyrobce, 100),
        ] {
            v.field(field, |v| {
                if value.trim().is_empty() {
                    v.violation(ViolationKind::Required, "must not be empty");
                } else {
                    v.length(value, Some(1), Some(max));
                }
            });
        }
    }
}

/// The pharmacy that reports: its SÚKL workplace code, its IČZ and its software. Every report
/// carries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Odesilatel {
    /// The workplace code (must be the one in the client certificate).
    pub kod_pracoviste: KodPracoviste,
    /// The pharmacy's IČZ.
    pub icz: Icz,
    /// The reporting software.
    pub sw: Software,
}

impl Odesilatel {
    /// The reporting pharmacy.
    pub fn new(kod_pracoviste: KodPracoviste, icz: Icz, sw: Software) -> Self {
        Self {
            kod_pracoviste,
            icz,
            sw,
        }
    }

    /// Checks the software block.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.field("sw", |v| self.sw.check(v));
        v.finish()
    }
}

/// The form of an individually prepared medicine, as the guidance lists them (its numbering is
/// the value on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FormaIplp {
    /// 1 — solutions (roztoky).
    Roztoky,
    /// 2 — ointments (masti).
    Masti,
    /// 3 — creams (krémy).
    Kremy,
    /// 4 — gels (gely).
    Gely,
    /// 5 — pastes (pasty).
    Pasty,
    /// 6 — capsules (tobolky).
    Tobolky,
    /// 7 — eye drops and eye lotions (oční kapky a oční vody).
    OcniKapky,
    /// 8 — emulsions and suspensions (emulze a suspenze).
    EmulzeASuspenze,
    /// 9 — syrups (sirupy).
    Sirupy,
    /// 10 — suppositories and globules (čípky a globule).
    CipkyAGlobule,
    /// 11 — powders (prachy).
    Prachy,
    /// 12 — injections (injekční přípravky).
    Injekce,
    /// 13 — infusion solutions and bags (infuzní roztoky a vaky).
    Infuze,
    /// 14 — other (ostatní).
    Ostatni,
}

impl FormaIplp {
    const ALL: [FormaIplp; 14] = [
        Self::Roztoky,
        Self::Masti,
        Self::Kremy,
        Self::Gely,
        Self::Pasty,
        Self::Tobolky,
        Self::OcniKapky,
        Self::EmulzeASuspenze,
        Self::Sirupy,
        Self::CipkyAGlobule,
        Self::Prachy,
        Self::Injekce,
        Self::Infuze,
        Self::Ostatni,
    ];

    /// The code on the wire (1–14).
    pub fn code(self) -> i32 {
        Self::ALL
            .iter()
            .position(|f| *f == self)
            .map_or(14, |i| i as i32 + 1)
    }

    /// The form of a wire code.
    pub fn from_code(code: i32) -> Option<Self> {
        usize::try_from(code - 1)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }
}

/// The patient's sex, as reported.
pub use crate::generated::lek13::types::Pohlavi;
