//! Typed values of the XSD built-ins that have no exact Rust counterpart: [`Decimal`],
//! [`DateTime`], [`Time`], [`Duration`] and the Gregorian parts ([`GYear`], [`GYearMonth`],
//! [`GMonth`], [`GMonthDay`], [`GDay`]).
//!
//! Each keeps the lexical form it was read from, so a message read and written again carries the
//! same text (`12.50` stays `12.50`, `+01:00` stays `+01:00`), and each is checked when it is
//! created: a value of these types is always a valid lexical form of its XSD type. Equality and
//! order follow the XSD value space (`1.50 == 1.5`; `10:00:00+01:00 == 09:00:00Z`), and the
//! accessors give the value as numbers and `time` types.
//!
//! Values built from numbers or `time` types (`Decimal::from(12)`, `DateTime::from(now)`) get the
//! canonical lexical form.
//!
//! With the `serde` feature, [`Decimal`] is written as a JSON number (refused when the number
//! would lose digits in a binary float, see [`Decimal`]) and read from a number or a string; the
//! others are written and read as their lexical form.

mod decimal;
mod duration;
mod gregorian;
mod moment;

pub use decimal::Decimal;
pub use duration::Duration;
pub use gregorian::{GDay, GMonth, GMonthDay, GYear, GYearMonth};
pub use moment::{DateTime, DateTimeValue, Time, parse_date_time};

use crate::xml::ValueError;

/// Splits a trailing time zone (`Z`, `+hh:mm`, `-hh:mm`) off a lexical form.
pub(crate) fn split_zone(text: &str) -> Result<(&str, Option<time::UtcOffset>), String> {
    if let Some(body) = text.strip_suffix('Z') {
        return Ok((body, Some(time::UtcOffset::UTC)));
    }
    let b = text.as_bytes();
    if b.len() >= 6 {
        let z = &b[b.len() - 6..];
        if (z[0] == b'+' || z[0] == b'-')
            && z[1].is_ascii_digit()
            && z[2].is_ascii_digit()
            && z[3] == b':'
            && z[4].is_ascii_digit()
            && z[5].is_ascii_digit()
        {
            let (body, zone) = text.split_at(text.len() - 6);
            let h = i8::try_from((z[1] - b'0') * 10 + (z[2] - b'0')).unwrap_or(i8::MAX);
            let m = i8::try_from((z[4] - b'0') * 10 + (z[5] - b'0')).unwrap_or(i8::MAX);
            if h > 14 || m > 59 || (h == 14 && m != 0) {
                return Err(format!(
                    "time zone {zone} is out of range (-14:00 to +14:00)"
                ));
            }
            let (h, m) = if z[0] == b'-' { (-h, -m) } else { (h, m) };
            let offset = time::UtcOffset::from_hms(h, m, 0)
                .map_err(|_| format!("time zone {zone} is out of range"))?;
            return Ok((body, Some(offset)));
        }
    }
    Ok((text, None))
}

/// The lexical form of a time zone offset (`Z` for UTC).
pub(crate) fn zone_text(offset: Option<time::UtcOffset>) -> String {
    match offset {
        None => String::new(),
        Some(o) if o.is_utc() => "Z".to_owned(),
        Some(o) => {
            let (h, m, _) = o.as_hms();
            let sign = if o.is_negative() { '-' } else { '+' };
            format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
        }
    }
}

/// `len` ASCII digits as a number.
pub(crate) fn digits<T: std::str::FromStr>(s: &str, len: usize, what: &str) -> Result<T, String> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse()
            .map_err(|_| format!("{what} `{s}` is not a number"))
    } else {
        Err(format!("{what} must be {len} digits, is `{s}`"))
    }
}

/// A year of at least four digits, optionally negative (XSD 1.1 years; the `time` crate holds
/// -9999 to 9999).
pub(crate) fn year(s: &str) -> Result<i32, String> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the year must be at least 4 digits, is `{s}`"));
    }
    if digits.len() > 4 && digits.starts_with('0') {
        return Err(format!("the year `{s}` has a leading zero"));
    }
    let y: i32 = digits
        .parse()
        .ok()
        .filter(|y| *y <= 9999)
        .ok_or_else(|| format!("the year `{s}` is outside -9999 to 9999"))?;
    Ok(if negative { -y } else { y })
}

/// Implements `as_str`, `Display`, `Debug`, `FromStr`, `XmlText` and (with `serde`) string
/// serde for a lexical value type with a `parse(&str) -> Result<Self, String>` function.
macro_rules! lexical_value {
    ($t:ident, $xsd:literal) => {
        impl $t {
            /// The lexical form, as read or as built.
            pub fn as_str(&self) -> &str {
                &self.text
            }

            /// Parses and checks a lexical form (surrounding whitespace is dropped, as XSD's
            /// whitespace collapse does).
            pub fn parse(text: &str) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                Self::parse_lexical(text.trim()).map_err(|e| {
                    $crate::xml::ValueError::new(format!(
                        "`{}` is not an {}: {e}",
                        text.trim(),
                        $xsd
                    ))
                })
            }
        }

        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.text)
            }
        }

        impl ::std::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({})", stringify!($t), self.text)
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::xml::ValueError;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl $crate::xml::XmlText for $t {
            fn to_xml_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(&self.text)
            }
            fn from_xml_text(text: &str) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                Self::parse(text)
            }
        }

        impl ::std::convert::TryFrom<&str> for $t {
            type Error = $crate::xml::ValueError;
            fn try_from(s: &str) -> ::std::result::Result<Self, Self::Error> {
                Self::parse(s)
            }
        }
    };
}

/// String serde for the lexical value types.
macro_rules! lexical_serde {
    ($t:ident) => {
        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.text)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&text).map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// `PartialEq`, `Eq` and `Hash` by the type's `key()` (its value, whatever the text).
macro_rules! keyed_eq {
    ($t:ident) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.key() == other.key()
            }
        }

        impl Eq for $t {}

        impl ::std::hash::Hash for $t {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.key().hash(state);
            }
        }
    };
}

pub(crate) use {keyed_eq, lexical_serde, lexical_value};

/// A value error for a lexical form.
pub(crate) fn value_error(text: &str, xsd: &str, why: impl std::fmt::Display) -> ValueError {
    ValueError::new(format!("`{text}` is not an {xsd}: {why}"))
}
