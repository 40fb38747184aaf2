//! AGB codes (Algemeen GegevensBeheer, Vektis' register of Dutch care providers).

use std::fmt;

/// An AGB code: eight digits, the first two the kind of care provider (zorgverlenersoort),
/// the rest the number.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AgbCode(String);

/// What an AGB code identifies.
///
/// Read from the code's third digit, the numbering of Vektis' register for codes of
/// practices (`5`) and institutions (`0`); any other digit is a person's code. **Reconstructed:**
/// the numbering is Vektis' convention, not a published rule of VECOZO's, and the register itself
/// is the authority (a code can only be checked for existence there).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum AgbSoort {
    /// A care provider in person (zorgverlener).
    Zorgverlener,
    /// A practice (praktijk).
    Praktijk,
    /// An institution (instelling).
    Instelling,
}

impl fmt::Display for AgbSoort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Zorgverlener => "zorgverlener",
            Self::Praktijk => "praktijk",
            Self::Instelling => "instelling",
        })
    }
}

/// Why a text is not an AGB code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an AGB code: an AGB code has eight digits")]
#[non_exhaustive]
pub struct AgbCodeError {
    /// The text given.
    pub text: String,
}

impl AgbCode {
    /// Parses an AGB code (eight digits; spaces and dashes between groups are dropped).
    pub fn parse(text: &str) -> Result<Self, AgbCodeError> {
        let digits: String = text
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(AgbCodeError {
                text: text.chars().take(40).collect(),
            })
        }
    }

    /// The eight digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind of care provider: the first two digits (`AGB-zorgverlenersoort` in COV).
    pub fn zorgverlenersoort(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }

    /// The number: the last six digits (`AGB-nummer` in COV).
    pub fn nummer(&self) -> &str {
        self.0.get(2..).unwrap_or_default()
    }

    /// What the code identifies (see [`AgbSoort`]).
    pub fn soort(&self) -> AgbSoort {
        match self.0.as_bytes().get(2) {
            Some(b'5') => AgbSoort::Praktijk,
            Some(b'0') => AgbSoort::Instelling,
            _ => AgbSoort::Zorgverlener,
        }
    }
}

impl fmt::Display for AgbCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for AgbCode {
    type Err = AgbCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kinds_and_parts() {
        let p = AgbCode::parse("01-500123").unwrap();
        assert_eq!(p.as_str(), "01500123");
        assert_eq!(p.soort(), AgbSoort::Praktijk);
        assert_eq!((p.zorgverlenersoort(), p.nummer()), ("01", "500123"));
        assert_eq!(
            AgbCode::parse("06010713").unwrap().soort(),
            AgbSoort::Instelling
        );
        assert_eq!(
            AgbCode::parse("01012345").unwrap().soort(),
            AgbSoort::Instelling
        );
        assert_eq!(
            AgbCode::parse("01112345").unwrap().soort(),
            AgbSoort::Zorgverlener
        );
        assert!(AgbCode::parse("0150012").is_err());
        assert!(AgbCode::parse("0150012x").is_err());
    }
}
