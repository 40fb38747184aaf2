//! Values that break exactly one facet of a simple type while staying in its base type's
//! lexical space, so that a lenient reader keeps them (with a diagnostic) and only the check
//! before sending can refuse them: what the audit of the request path feeds every operation
//! (see [`crate::xml_samples::broken_samples`]).

use crate::model::{Builtin, Facets};

/// A schema facet a value can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Facet {
    /// `xs:enumeration`: a value not listed.
    Enumeration,
    /// `xs:pattern`: a value no pattern matches.
    Pattern,
    /// `xs:minLength` / `xs:length`: one character (octet) too few.
    MinLength,
    /// `xs:maxLength` / `xs:length`: one character (octet) too many.
    MaxLength,
    /// `xs:minInclusive` / `xs:minExclusive`: just below.
    MinValue,
    /// `xs:maxInclusive` / `xs:maxExclusive`: just above.
    MaxValue,
    /// `xs:totalDigits`: one digit too many.
    TotalDigits,
    /// `xs:fractionDigits`: one fraction digit too many.
    FractionDigits,
}

impl Facet {
    /// The facet's XSD name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enumeration => "enumeration",
            Self::Pattern => "pattern",
            Self::MinLength => "minLength",
            Self::MaxLength => "maxLength",
            Self::MinValue => "minInclusive/minExclusive",
            Self::MaxValue => "maxInclusive/maxExclusive",
            Self::TotalDigits => "totalDigits",
            Self::FractionDigits => "fractionDigits",
        }
    }
}

/// A value outside every enumeration we generate.
pub const NOT_LISTED: &str = "zzNotListed9";

/// For a restricted type of base `b` with `facets`: each facet that a value of the base's
/// lexical space can break, with such a value. Facets no such value breaks (a `minInclusive`
/// at the base type's own minimum, a length on a date) are left out.
pub fn breaking_values(b: Builtin, facets: &Facets) -> Vec<(Facet, String)> {
    let mut out = Vec::new();
    let kind = Kind::of(b);
    if !facets.patterns.is_empty()
        && let Some(v) = not_matching(&facets.patterns, kind, b)
    {
        out.push((Facet::Pattern, v));
    }
    if let Some(n) = facets.min_length
        && n > 0
        && let Some(v) = of_length(kind, n - 1)
    {
        out.push((Facet::MinLength, v));
    }
    if let Some(n) = facets.max_length
        && let Some(v) = of_length(kind, n.saturating_add(1))
    {
        out.push((Facet::MaxLength, v));
    }
    if let Some((bound, inclusive)) = &facets.min
        && let Some(v) = beyond(kind, b, bound, *inclusive, -1)
    {
        out.push((Facet::MinValue, v));
    }
    if let Some((bound, inclusive)) = &facets.max
        && let Some(v) = beyond(kind, b, bound, *inclusive, 1)
    {
        out.push((Facet::MaxValue, v));
    }
    if let Some(d) = facets.total_digits
        && matches!(kind, Kind::Integer | Kind::Decimal)
    {
        let v = format!("1{}", "0".repeat(d));
        if kind == Kind::Decimal || in_range(b, &v) {
            out.push((Facet::TotalDigits, v));
        }
    }
    if let Some(d) = facets.fraction_digits
        && kind == Kind::Decimal
    {
        out.push((Facet::FractionDigits, format!("0.{}", "1".repeat(d + 1))));
    }
    out
}

/// The lexical family of a base type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Base64,
    Hex,
    Integer,
    Decimal,
    /// Dates, times, booleans, …: no facet of theirs is broken here.
    Other,
}

impl Kind {
    fn of(b: Builtin) -> Self {
        match b {
            Builtin::String => Self::Text,
            Builtin::I8
            | Builtin::I16
            | Builtin::I32
            | Builtin::I64
            | Builtin::I128
            | Builtin::U8
            | Builtin::U16
            | Builtin::U32
            | Builtin::U64
            | Builtin::U128 => Self::Integer,
            Builtin::F32 | Builtin::F64 => Self::Decimal,
            Builtin::Lexical(name) => match name {
                "decimal" => Self::Decimal,
                "base64Binary" => Self::Base64,
                "hexBinary" => Self::Hex,
                "anyURI" | "token" | "normalizedString" | "NMTOKEN" | "Name" | "NCName"
                | "language" | "QName" => Self::Text,
                _ => Self::Other,
            },
            Builtin::Bool | Builtin::Date => Self::Other,
        }
    }
}

/// Whether the integer `v` fits the built-in `b`.
fn in_range(b: Builtin, v: &str) -> bool {
    let Ok(n) = v.parse::<i128>() else {
        return false;
    };
    let (lo, hi) = crate::xml_samples::builtin_range(b);
    (lo..=hi).contains(&n)
}

/// A value of the base's lexical space that fails at least one of `patterns`.
fn not_matching(patterns: &[String], kind: Kind, b: Builtin) -> Option<String> {
    let regexes: Vec<regex::Regex> = patterns
        .iter()
        .filter_map(|p| regex::Regex::new(&sdk_runtime::xml::xsd_pattern_to_regex(p)).ok())
        .collect();
    if regexes.len() != patterns.len() {
        return None;
    }
    let candidates: &[&str] = match kind {
        Kind::Integer => &["1234567", "7", "0", "12345678901234", "99"],
        Kind::Decimal => &["1234567.5", "0.5", "7", "0"],
        Kind::Text => &[
            "~",
            "zz",
            "sample text",
            "0",
            "Z9",
            "12345678901234567890123",
            "-",
        ],
        Kind::Base64 => &["QUFB", "QQ=="],
        Kind::Hex => &["AB", "ABCD"],
        Kind::Other => &[],
    };
    candidates
        .iter()
        .filter(|c| kind != Kind::Integer || in_range(b, c))
        .find(|c| regexes.iter().any(|r| !r.is_match(c)))
        .map(|c| (*c).to_owned())
}

/// A value of `n` characters (octets for binary types).
fn of_length(kind: Kind, n: usize) -> Option<String> {
    // Lengths beyond this are not tried (a maxLength of millions would make samples huge).
    if n > 100_000 {
        return None;
    }
    match kind {
        Kind::Text => Some("x".repeat(n)),
        Kind::Hex => Some("AB".repeat(n)),
        Kind::Base64 => Some(crate::xml_samples::base64_of(n)),
        // Length facets on numbers count the characters of the lexical form.
        Kind::Integer if n > 0 && n < 30 => Some("1".repeat(n)),
        _ => None,
    }
}

/// A number just past `bound` (`direction` -1: below a minimum, 1: above a maximum).
fn beyond(kind: Kind, b: Builtin, bound: &str, inclusive: bool, direction: i8) -> Option<String> {
    match kind {
        Kind::Integer => {
            let n: i128 = bound.trim().trim_start_matches('+').parse().ok()?;
            let v = if inclusive {
                n.checked_add(i128::from(direction))?
            } else {
                n
            };
            let v = v.to_string();
            in_range(b, &v).then_some(v)
        }
        Kind::Decimal => {
            let n: f64 = bound.trim().parse().ok()?;
            if !n.is_finite() {
                return None;
            }
            Some(if inclusive {
                let v = n + f64::from(direction);
                if v.fract() == 0.0 && v.abs() < 1e15 {
                    format!("{}", v as i64)
                } else {
                    v.to_string()
                }
            } else {
                bound.trim().to_owned()
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_facet_gets_a_value_that_breaks_only_what_it_names() {
        let f = Facets {
            patterns: vec![r"\d{9,10}".into()],
            min_length: Some(9),
            max_length: Some(10),
            ..Facets::default()
        };
        let got = breaking_values(Builtin::String, &f);
        assert_eq!(
            got,
            vec![
                (Facet::Pattern, "~".to_owned()),
                (Facet::MinLength, "x".repeat(8)),
                (Facet::MaxLength, "x".repeat(11)),
            ]
        );
        let f = Facets {
            min: Some(("1".into(), true)),
            max: Some(("99".into(), false)),
            total_digits: Some(2),
            ..Facets::default()
        };
        let got = breaking_values(Builtin::U8, &f);
        assert_eq!(
            got,
            vec![
                (Facet::MinValue, "0".to_owned()),
                (Facet::MaxValue, "99".to_owned()),
                (Facet::TotalDigits, "100".to_owned()),
            ]
        );
    }

    #[test]
    fn bounds_a_base_type_cannot_pass_are_left_out() {
        let f = Facets {
            min: Some(("0".into(), true)),
            total_digits: Some(3),
            ..Facets::default()
        };
        assert_eq!(
            breaking_values(Builtin::U8, &f),
            vec![] as Vec<(Facet, String)>,
            "-1 is no u8, and 1000 is none either"
        );
        let f = Facets {
            fraction_digits: Some(2),
            min: Some(("0.01".into(), true)),
            ..Facets::default()
        };
        assert_eq!(
            breaking_values(Builtin::Lexical("decimal"), &f),
            vec![
                (Facet::MinValue, "-0.99".to_owned()),
                (Facet::FractionDigits, "0.111".to_owned()),
            ]
        );
    }
}
