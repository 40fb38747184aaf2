//! `xs:duration`.

use std::cmp::Ordering;

use super::{keyed_eq, lexical_serde, lexical_value};

/// An `xs:duration` (`P1Y2M3DT4H5M6.5S`, `-PT15M`), kept as written.
///
/// Its value is a number of months and a number of seconds (XSD's value space): `P1Y` equals
/// `P12M` and `PT1H` equals `PT60M`. Durations with months are ordered against those without
/// only where month lengths (28 to 31 days) cannot change the answer: `P1M > P27D`, while `P1M`
/// and `P30D` are not ordered (`partial_cmp` is `None`).
#[derive(Clone)]
pub struct Duration {
    text: Box<str>,
    negative: bool,
    months: u64,
    seconds: u64,
    nanos: u32,
}

const DAY: u64 = 86_400;

impl Duration {
    fn parse_lexical(text: &str) -> Result<Self, String> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let rest = rest
            .strip_prefix('P')
            .ok_or_else(|| "a duration starts with P (or -P)".to_owned())?;
        let (date, time) = match rest.split_once('T') {
            Some((d, "")) => {
                return Err(format!("no hours, minutes or seconds after T in `{d}T`"));
            }
            Some((d, t)) => (d, Some(t)),
            None => (rest, None),
        };
        let overflow = || "the duration is too long".to_owned();
        let mut any = false;
        let mut months: u64 = 0;
        let mut seconds: u64 = 0;
        let mut nanos: u32 = 0;
        for (part, designators) in [(date, "YMD"), (time.unwrap_or(""), "HMS")] {
            let mut rest = part;
            let mut allowed = designators;
            while !rest.is_empty() {
                let end = rest
                    .find(|c: char| !c.is_ascii_digit() && c != '.')
                    .ok_or_else(|| format!("`{rest}` has no designator ({designators})"))?;
                let (number, tail) = rest.split_at(end);
                let designator = tail.chars().next().unwrap_or(' ');
                let at = allowed.find(designator).ok_or_else(|| {
                    format!(
                        "`{designator}` is out of place (expected one of {allowed}, in that order)"
                    )
                })?;
                allowed = &allowed[at + 1..];
                rest = &tail[designator.len_utf8()..];
                let (whole, fraction) = match number.split_once('.') {
                    Some((w, f)) if designator == 'S' && !f.is_empty() && !w.is_empty() => {
                        (w, Some(f))
                    }
                    Some(_) => {
                        return Err(format!(
                            "`{number}{designator}`: only seconds have a fraction"
                        ));
                    }
                    None => (number, None),
                };
                if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("`{number}{designator}` needs a number"));
                }
                if fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())) {
                    return Err(format!("`{number}{designator}` is not a number"));
                }
                let n: u64 = whole.parse().map_err(|_| overflow())?;
                any = true;
                let (months_per, seconds_per) = match (designators, designator) {
                    ("YMD", 'Y') => (12, 0),
                    ("YMD", 'M') => (1, 0),
                    ("YMD", _) => (0, DAY),
                    (_, 'H') => (0, 3600),
                    (_, 'M') => (0, 60),
                    _ => (0, 1),
                };
                months = n
                    .checked_mul(months_per)
                    .and_then(|m| m.checked_add(months))
                    .ok_or_else(overflow)?;
                seconds = n
                    .checked_mul(seconds_per)
                    .and_then(|s| s.checked_add(seconds))
                    .ok_or_else(overflow)?;
                if let Some(f) = fraction {
                    nanos = f
                        .bytes()
                        .chain(std::iter::repeat(b'0'))
                        .take(9)
                        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
                }
            }
        }
        if !any {
            return Err("a duration needs at least one number, e.g. P1D or PT0S".to_owned());
        }
        Ok(Self {
            text: text.into(),
            negative,
            months,
            seconds,
            nanos,
        })
    }

    /// A duration of whole months and a time span (the time span written in days, hours,
    /// minutes and seconds).
    pub fn new(negative: bool, months: u64, span: std::time::Duration) -> Self {
        let mut text = String::from(if negative { "-P" } else { "P" });
        let (years, months_left) = (months / 12, months % 12);
        let secs = span.as_secs();
        let (days, rem) = (secs / DAY, secs % DAY);
        let (hours, rem) = (rem / 3600, rem % 3600);
        let (minutes, s) = (rem / 60, rem % 60);
        let nanos = span.subsec_nanos();
        let mut push = |n: u64, d: char| {
            if n != 0 {
                text.push_str(&format!("{n}{d}"));
            }
        };
        push(years, 'Y');
        push(months_left, 'M');
        push(days, 'D');
        let has_time = hours != 0 || minutes != 0 || s != 0 || nanos != 0;
        let empty = months == 0 && days == 0 && !has_time;
        if has_time || empty {
            text.push('T');
            if hours != 0 {
                text.push_str(&format!("{hours}H"));
            }
            if minutes != 0 {
                text.push_str(&format!("{minutes}M"));
            }
            if s != 0 || nanos != 0 || empty {
                if nanos == 0 {
                    text.push_str(&format!("{s}S"));
                } else {
                    let f = format!("{nanos:09}");
                    text.push_str(&format!("{s}.{}S", f.trim_end_matches('0')));
                }
            }
        }
        Self {
            text: text.into(),
            negative: negative && !empty,
            months,
            seconds: secs,
            nanos,
        }
    }

    /// `true` for a negative duration (`-P1D`).
    pub fn is_negative(&self) -> bool {
        self.negative && !self.is_zero()
    }

    /// `true` for a duration of nothing (`PT0S`, `P0D`).
    pub fn is_zero(&self) -> bool {
        self.months == 0 && self.seconds == 0 && self.nanos == 0
    }

    /// The years and months, as months (`P1Y2M` is 14), without the sign.
    pub fn months(&self) -> u64 {
        self.months
    }

    /// The days, hours, minutes and seconds as a time span, without the sign (`P1DT1S` is
    /// 86 401 s). Fractions below a nanosecond are not carried.
    pub fn span(&self) -> std::time::Duration {
        std::time::Duration::new(self.seconds, self.nanos)
    }

    /// The duration as a `std::time::Duration`, when it is not negative and has no years or
    /// months (whose length depends on the calendar).
    pub fn to_std(&self) -> Option<std::time::Duration> {
        (self.months == 0 && !self.is_negative()).then(|| self.span())
    }

    fn key(&self) -> (bool, u64, u64, u32) {
        (self.is_negative(), self.months, self.seconds, self.nanos)
    }

    /// Signed bounds of the duration in nanoseconds, with months 28 to 31 days long.
    fn bounds(&self) -> (i128, i128) {
        let span = i128::from(self.seconds) * 1_000_000_000 + i128::from(self.nanos);
        let month = i128::from(DAY) * 1_000_000_000;
        let m = i128::from(self.months);
        let (lo, hi) = (m * 28 * month + span, m * 31 * month + span);
        if self.is_negative() {
            (-hi, -lo)
        } else {
            (lo, hi)
        }
    }
}

lexical_value!(Duration, "xs:duration");
lexical_serde!(Duration);

keyed_eq!(Duration);

impl PartialOrd for Duration {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self == other {
            return Some(Ordering::Equal);
        }
        let ((alo, ahi), (blo, bhi)) = (self.bounds(), other.bounds());
        if self.months == other.months && self.is_negative() == other.is_negative() {
            return Some(alo.cmp(&blo));
        }
        if ahi < blo {
            Some(Ordering::Less)
        } else if alo > bhi {
            Some(Ordering::Greater)
        } else {
            None
        }
    }
}

impl From<std::time::Duration> for Duration {
    fn from(span: std::time::Duration) -> Self {
        Self::new(false, 0, span)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::xml::XmlText;

    fn d(s: &str) -> Duration {
        Duration::parse(s).unwrap()
    }

    #[test]
    fn durations_keep_text_and_compare_by_value() {
        for s in [
            "P1Y2M3DT4H5M6.50S",
            "-PT15M",
            "P0D",
            "PT0.000000001S",
            "P12M",
        ] {
            assert_eq!(d(s).to_xml_text(), s);
        }
        assert_eq!(d("P1Y"), d("P12M"));
        assert_eq!(d("PT1H"), d("PT60M"));
        assert_eq!(d("PT0S"), d("-P0D"));
        assert!(d("P1M") > d("P27D"));
        assert_eq!(d("P1M").partial_cmp(&d("P30D")), None);
        assert!(d("-PT1S") < d("PT0S"));
        assert!(d("PT1.5S") > d("PT1.4999S"));
        assert_eq!(
            d("P1DT1.25S").to_std(),
            Some(std::time::Duration::new(86_401, 250_000_000))
        );
        assert_eq!(d("P1M").to_std(), None);
        assert_eq!(d("P1Y2M").months(), 14);
    }

    #[test]
    fn durations_reject_malformed_text() {
        for bad in [
            "P",
            "PT",
            "P1DT",
            "1D",
            "P1S",
            "PT1D",
            "P1M1Y",
            "P1.5D",
            "P-1D",
            "PT.5S",
            "P1D2",
            "P99999999999999999999Y",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn built_durations_are_canonical() {
        let span = std::time::Duration::new(90_061, 500_000_000);
        assert_eq!(Duration::from(span).as_str(), "P1DT1H1M1.5S");
        assert_eq!(
            Duration::new(true, 14, std::time::Duration::ZERO).as_str(),
            "-P1Y2M"
        );
        assert_eq!(Duration::from(std::time::Duration::ZERO).as_str(), "PT0S");
        assert_eq!(d("P1DT1H1M1.5S"), Duration::from(span));
    }
}
