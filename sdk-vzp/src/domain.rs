//! Identifiers with rules beyond their XSD facets, checked before anything is sent.

use std::fmt;

use sdk_runtime::redact::masked;
use sdk_runtime::xml::{Validate, ValidationError, Validator, ViolationKind};

/// Číslo pojištěnce: the insured-person number (the rodné číslo form), 9 or 10 digits.
///
/// A 10-digit number must be divisible by 11; numbers issued 1954–1985 whose first nine digits
/// leave remainder 10 carry check digit 0 instead (and are then not divisible by 11). 9-digit
/// numbers (born before 1954) have no check digit. One slash after the sixth digit is accepted on
/// input (`800101/0006`) and dropped.
///
/// The value is personal data: `Debug` and `Display` show only its last four digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CisloPojistence(String);

/// The XSD name of the field, used in validation errors.
const FIELD_CISLO: &str = "cisloPojistence";
/// The XSD name of the IČP field.
const FIELD_ICP: &str = "ICP_ICPP";

impl CisloPojistence {
    /// Parses and checks an insured-person number.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let trimmed = text.trim();
        let digits: String = match trimmed.split_once('/') {
            Some((a, b)) if a.len() == 6 && !b.contains('/') => format!("{a}{b}"),
            _ => trimmed.to_owned(),
        };
        let candidate = Self(digits);
        candidate.validated()?;
        Ok(candidate)
    }

    /// The digits, without a slash. Personal data: do not log.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last four digits masked (`******0006`).
    pub fn masked(&self) -> String {
        masked(&self.0, 4)
    }

    fn check(&self, v: &mut Validator) {
        let s = &self.0;
        if s.is_empty() {
            v.violation(
                ViolationKind::Required,
                "an insured-person number is required",
            );
            return;
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            v.violation(
                ViolationKind::Format,
                "must contain only digits (optionally one slash after the sixth digit)",
            );
            return;
        }
        match s.len() {
            9 => {}
            10 => {
                // Ten digits always fit in u64; parse cannot fail after the checks above.
                let n: u64 = s.parse().unwrap_or(0);
                let first9 = n / 10;
                let check = n % 10;
                let valid = n.is_multiple_of(11) || (first9 % 11 == 10 && check == 0);
                if !valid {
                    v.violation(
                        ViolationKind::CheckDigit,
                        "a 10-digit insured-person number must be divisible by 11; check the digits",
                    );
                }
            }
            n => v.violation(
                ViolationKind::Length,
                format!("must have 9 or 10 digits, has {n}"),
            ),
        }
    }
}

impl fmt::Debug for CisloPojistence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CisloPojistence({})", self.masked())
    }
}

impl fmt::Display for CisloPojistence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// IČP or IČPP: the 8-digit identifier of a provider's workplace (pracoviště).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Icp(String);

impl Icp {
    /// Parses and checks an IČP/IČPP.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let candidate = Self(text.trim().to_owned());
        candidate.validated()?;
        Ok(candidate)
    }

    /// The eight digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn check(&self, v: &mut Validator) {
        let s = &self.0;
        if s.is_empty() {
            v.violation(ViolationKind::Required, "an IČP/IČPP is required");
        } else if !s.bytes().all(|b| b.is_ascii_digit()) {
            v.violation(ViolationKind::Format, "must contain only digits");
        } else if s.len() != 8 {
            v.violation(
                ViolationKind::Length,
                format!("must have exactly 8 digits, has {}", s.len()),
            );
        }
    }
}

impl fmt::Display for Icp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

sdk_runtime::checked_text_type!(CisloPojistence, FIELD_CISLO);
sdk_runtime::checked_text_type!(Icp, FIELD_ICP);

/// Parses a date given as text (`YYYY-MM-DD`), naming `field` in the error.
pub fn parse_date(field: &str, text: &str) -> Result<sdk_runtime::Date, ValidationError> {
    sdk_runtime::xml::parse_date(text.trim())
        .map_err(|message| ValidationError::single(field, ViolationKind::Format, message))
}

/// The kind of insurance as VZP reports it, `"1 - veřejné zdravotní pojištění …"`, split into
/// its code and description when it has that form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DruhPojisteni {
    /// The code before ` - `, if the text has one.
    pub code: Option<String>,
    /// The description (the whole text when there is no code).
    pub description: String,
}

impl DruhPojisteni {
    /// Splits `"code - description"`.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        match text.split_once(" - ") {
            Some((code, desc))
                if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                Self {
                    code: Some(code.to_owned()),
                    description: desc.trim().to_owned(),
                }
            }
            _ => Self {
                code: None,
                description: text.to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn insured_person_numbers() {
        for good in [
            "8001010006",
            "800101/0006",
            " 7552150012 ",
            "450101123",
            "7001010050",
        ] {
            assert!(CisloPojistence::parse(good).is_ok(), "{good}");
        }
        let kind = |s: &str| CisloPojistence::parse(s).unwrap_err().violations[0].kind;
        assert_eq!(kind("8001010007"), ViolationKind::CheckDigit);
        assert_eq!(kind("80010100"), ViolationKind::Length);
        assert_eq!(kind("80010100061"), ViolationKind::Length);
        assert_eq!(kind("80010A0006"), ViolationKind::Format);
        assert_eq!(kind(""), ViolationKind::Required);
        // Remainder 10 with a check digit other than 0 is invalid.
        assert_eq!(kind("7001010051"), ViolationKind::CheckDigit);
        let err = CisloPojistence::parse("8001010007").unwrap_err();
        assert_eq!(err.field(), "cisloPojistence");
        assert!(
            !err.to_string().contains("8001010007"),
            "the value must not leak"
        );
    }

    #[test]
    fn redacted_debug() {
        let c = CisloPojistence::parse("8001010006").unwrap();
        assert_eq!(format!("{c:?}"), "CisloPojistence(******0006)");
        assert_eq!(c.to_string(), "******0006");
    }

    #[test]
    fn icp_and_dates() {
        assert!(Icp::parse("12345678").is_ok());
        assert_eq!(Icp::parse("1234567").unwrap_err().field(), "ICP_ICPP");
        assert_eq!(
            Icp::parse("1234567x").unwrap_err().violations[0].kind,
            ViolationKind::Format
        );
        assert_eq!(
            parse_date("kDatu", "2026-02-30").unwrap_err().field(),
            "kDatu"
        );
        assert!(parse_date("kDatu", "2026-11-23").is_ok());
    }

    #[test]
    fn druh_pojisteni() {
        let d = DruhPojisteni::parse("1 - veřejné zdravotní pojištění (nepřeúčtované přes CMU)");
        assert_eq!(d.code.as_deref(), Some("1"));
        assert!(d.description.starts_with("veřejné"));
        assert_eq!(DruhPojisteni::parse("jiné").code, None);
    }
}
