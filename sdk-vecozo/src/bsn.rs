//! The burgerservicenummer (BSN), checked by the eleven test.

use std::fmt;

use sdk_runtime::xml::{Validate, ValidationError, Validator, ViolationKind};

/// A Dutch citizen service number (burgerservicenummer): nine digits that pass the eleven test
/// (9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11, and not 0). Leading zeros count: an
/// eight-digit number is written with a leading zero.
///
/// The value is personal data: `Debug` and `Display` show only its last three digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bsn(String);

/// The field name used in validation errors.
const FIELD: &str = "Bsn";

impl Bsn {
    /// Parses and checks a BSN (spaces and dots between digit groups are dropped).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let digits: String = text
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '.')
            .collect();
        let candidate = Self(digits);
        candidate.validated()?;
        Ok(candidate)
    }

    /// The nine digits. Personal data: do not log.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last three digits masked (`******782`).
    pub fn masked(&self) -> String {
        let keep = self.0.len().saturating_sub(3);
        let mut out = "*".repeat(keep);
        out.push_str(self.0.get(keep..).unwrap_or_default());
        out
    }

    fn check(&self, v: &mut Validator) {
        let s = &self.0;
        if s.is_empty() {
            v.violation(ViolationKind::Required, "a BSN is required");
            return;
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            v.violation(ViolationKind::Format, "a BSN has only digits");
            return;
        }
        if s.len() != 9 {
            v.violation(
                ViolationKind::Length,
                format!("a BSN has 9 digits, this has {}", s.len()),
            );
            return;
        }
        let mut sum: i64 = 0;
        for (i, b) in s.bytes().enumerate() {
            let d = i64::from(b - b'0');
            // Weights 9, 8, …, 2 for the first eight digits, −1 for the last.
            let w = if i == 8 { -1 } else { 9 - i as i64 };
            sum += w * d;
        }
        if sum == 0 || sum % 11 != 0 {
            v.violation(
                ViolationKind::CheckDigit,
                "not a valid BSN: it fails the eleven test; check the digits",
            );
        }
    }
}

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bsn({})", self.masked())
    }
}

impl fmt::Display for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

sdk_runtime::checked_text_type!(Bsn, FIELD);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn eleven_test() {
        assert!(Bsn::parse("111222333").is_ok());
        assert!(Bsn::parse("123456782").is_ok());
        assert!(Bsn::parse("1234.56.782").is_ok());
        let e = Bsn::parse("123456789").unwrap_err().to_string();
        assert!(e.contains("eleven test"), "{e}");
        assert!(Bsn::parse("000000000").is_err());
        assert!(Bsn::parse("12345678").is_err());
        assert!(Bsn::parse("12345678a").is_err());
        assert_eq!(
            format!("{:?}", Bsn::parse("123456782").unwrap()),
            "Bsn(******782)"
        );
    }
}
