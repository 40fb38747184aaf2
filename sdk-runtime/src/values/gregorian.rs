//! The Gregorian parts: `xs:gYear`, `xs:gYearMonth`, `xs:gMonth`, `xs:gMonthDay`, `xs:gDay`.
//!
//! Each keeps its text; equality and hashing are by value (parts and time zone), and values are
//! ordered when their time zones are the same.

use std::cmp::Ordering;

use super::{digits, keyed_eq, lexical_serde, lexical_value, split_zone, year, zone_text};

fn month(s: &str) -> Result<time::Month, String> {
    let m: u8 = digits(s, 2, "the month")?;
    time::Month::try_from(m).map_err(|_| format!("month {m} does not exist"))
}

/// Day of a month in any year (February has 29).
fn day_of(month: time::Month, s: &str) -> Result<u8, String> {
    let d: u8 = digits(s, 2, "the day")?;
    let last = if month == time::Month::February {
        29
    } else {
        time::util::days_in_month(month, 2001)
    };
    if d == 0 || d > last {
        return Err(format!("{month} has no day {d}"));
    }
    Ok(d)
}

macro_rules! gregorian {
    ($(#[$doc:meta])* $t:ident, $xsd:literal, ($($field:ident: $fty:ty),*), $parse:expr, $write:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $t {
            text: Box<str>,
            $($field: $fty,)*
            offset: Option<time::UtcOffset>,
        }

        impl $t {
            fn parse_lexical(text: &str) -> Result<Self, String> {
                let (body, offset) = split_zone(text)?;
                let parse: fn(&str) -> Result<($($fty,)*), String> = $parse;
                let ($($field,)*) = parse(body)?;
                Ok(Self { text: text.into(), $($field,)* offset })
            }

            /// The value from its parts, with a time zone when given.
            pub fn new($($field: $fty,)* offset: Option<time::UtcOffset>) -> Result<Self, crate::xml::ValueError> {
                let write: fn($($fty),*) -> String = $write;
                Self::parse(&format!("{}{}", write($($field),*), zone_text(offset)))
            }

            $(
                #[doc = concat!("The ", stringify!($field), ".")]
                pub fn $field(&self) -> $fty {
                    self.$field
                }
            )*

            /// The time zone, when the value has one.
            pub fn offset(&self) -> Option<time::UtcOffset> {
                self.offset
            }

            fn key(&self) -> (($($fty,)*), Option<time::UtcOffset>) {
                (($(self.$field,)*), self.offset)
            }
        }

        lexical_value!($t, $xsd);
        lexical_serde!($t);

        keyed_eq!($t);

        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                let (a, za) = self.key();
                let (b, zb) = other.key();
                (za == zb).then(|| a.cmp(&b))
            }
        }
    };
}

gregorian!(
    /// An `xs:gYear` (`2026`, `2026+01:00`).
    GYear,
    "xs:gYear",
    (year: i32),
    |s| Ok((year(s)?,)),
    |y| format!("{}{:04}", if y < 0 { "-" } else { "" }, y.unsigned_abs())
);

gregorian!(
    /// An `xs:gYearMonth` (`2026-05`).
    GYearMonth,
    "xs:gYearMonth",
    (year: i32, month: time::Month),
    |s| {
        let (y, m) = s
            .rsplit_once('-')
            .ok_or_else(|| "expected a year and month YYYY-MM".to_owned())?;
        Ok((year(y)?, month(m)?))
    },
    |y, m| format!(
        "{}{:04}-{:02}",
        if y < 0 { "-" } else { "" },
        y.unsigned_abs(),
        u8::from(m)
    )
);

gregorian!(
    /// An `xs:gMonth` (`--05`).
    GMonth,
    "xs:gMonth",
    (month: time::Month),
    |s| {
        let m = s
            .strip_prefix("--")
            .ok_or_else(|| "expected a month --MM".to_owned())?;
        Ok((month(m)?,))
    },
    |m| format!("--{:02}", u8::from(m))
);

gregorian!(
    /// An `xs:gMonthDay` (`--05-10`; `--02-29` is allowed).
    GMonthDay,
    "xs:gMonthDay",
    (month: time::Month, day: u8),
    |s| {
        let (m, d) = s
            .strip_prefix("--")
            .and_then(|r| r.split_once('-'))
            .ok_or_else(|| "expected a month and day --MM-DD".to_owned())?;
        let m = month(m)?;
        Ok((m, day_of(m, d)?))
    },
    |m, d| format!("--{:02}-{d:02}", u8::from(m))
);

gregorian!(
    /// An `xs:gDay` (`---10`).
    GDay,
    "xs:gDay",
    (day: u8),
    |s| {
        let d = s
            .strip_prefix("---")
            .ok_or_else(|| "expected a day ---DD".to_owned())?;
        Ok((day_of(time::Month::January, d)?,))
    },
    |d| format!("---{d:02}")
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::xml::XmlText;

    #[test]
    fn gregorian_parts_round_trip_and_check() {
        assert_eq!(GYear::parse("2026").unwrap().year(), 2026);
        assert_eq!(GYear::parse("-0044").unwrap().year(), -44);
        assert_eq!(
            GYear::parse("2026-05:00").unwrap().to_xml_text(),
            "2026-05:00"
        );
        let ym = GYearMonth::parse("2026-05Z").unwrap();
        assert_eq!((ym.year(), ym.month()), (2026, time::Month::May));
        assert_eq!(ym.offset(), Some(time::UtcOffset::UTC));
        assert_eq!(
            GMonth::parse("--12").unwrap().month(),
            time::Month::December
        );
        assert_eq!(GMonthDay::parse("--02-29").unwrap().day(), 29);
        assert_eq!(GDay::parse("---31").unwrap().day(), 31);
        assert_eq!(
            GMonthDay::new(time::Month::May, 1, None).unwrap().as_str(),
            "--05-01"
        );
        assert!(GYear::parse("2026").unwrap() < GYear::parse("2027").unwrap());
        for bad in ["26", "02026", "2026-13"] {
            assert!(
                GYear::parse(bad).is_err() || GYearMonth::parse(bad).is_err(),
                "{bad}"
            );
        }
        for bad in ["2026-13", "2026-5", "26-05", "2026"] {
            assert!(GYearMonth::parse(bad).is_err(), "{bad}");
        }
        for bad in ["--02-30", "--04-31", "--13-01", "02-10"] {
            assert!(GMonthDay::parse(bad).is_err(), "{bad}");
        }
        for bad in ["---32", "---00", "--10", "10"] {
            assert!(GDay::parse(bad).is_err(), "{bad}");
        }
        assert!(GMonth::parse("--13").is_err());
    }
}
