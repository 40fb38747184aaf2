//! `xs:dateTime` and `xs:time`.

use std::cmp::Ordering;

use super::{digits, keyed_eq, lexical_serde, lexical_value, split_zone, year, zone_text};

/// An `xs:dateTime` as its parts: the local date and time, and the time zone when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DateTimeValue {
    /// The date and time of day (`24:00:00` already moved to the next day's midnight).
    pub local: time::PrimitiveDateTime,
    /// The time zone, if the text carries one.
    pub offset: Option<time::UtcOffset>,
}

impl DateTimeValue {
    /// The instant, when the value has a time zone.
    pub fn instant(&self) -> Option<time::OffsetDateTime> {
        self.offset.map(|o| self.local.assume_offset(o))
    }
}

/// Parses `hh:mm:ss(.s+)?` into a time of day, with `24:00:00` reported as `None` (the end of
/// the day). Fraction digits beyond nanoseconds are kept in the text and ignored in the value.
fn clock(text: &str) -> Result<Option<time::Time>, String> {
    let (hms, fraction) = match text.split_once('.') {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, Some(f)),
        Some(_) => return Err("the fraction of a second must be digits".to_owned()),
        None => (text, None),
    };
    let mut parts = hms.split(':');
    let (Some(h), Some(mi), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("expected a time of day hh:mm:ss".to_owned());
    };
    let hour: u8 = digits(h, 2, "the hour")?;
    let minute: u8 = digits(mi, 2, "the minute")?;
    let second: u8 = digits(s, 2, "the second")?;
    if hour == 24 {
        return if minute == 0
            && second == 0
            && fraction.is_none_or(|f| f.bytes().all(|b| b == b'0'))
        {
            Ok(None)
        } else {
            Err("24 is an hour only in 24:00:00".to_owned())
        };
    }
    let nanos = fraction.map_or(0, |f| {
        f.bytes()
            .chain(std::iter::repeat(b'0'))
            .take(9)
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    });
    time::Time::from_hms_nano(hour, minute, second, nanos)
        .map(Some)
        .map_err(|_| format!("{hms} is not a time of day"))
}

/// The usual form, `YYYY-MM-DDThh:mm:ss` with an optional fraction of up to nine digits, read
/// byte by byte (the general path splits the text; a date-time is in most records). `None`
/// for anything else — other years, `24:00:00`, a date or time that does not exist — which
/// the general path then reads or refuses with its message.
fn usual_date_time(b: &[u8]) -> Option<time::PrimitiveDateTime> {
    let d = |i: usize| -> Option<u8> {
        b.get(i)
            .copied()
            .filter(u8::is_ascii_digit)
            .map(|c| c - b'0')
    };
    let two = |i: usize| -> Option<u8> { Some(d(i)? * 10 + d(i + 1)?) };
    if b.len() < 19
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10) != Some(&b'T')
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let year = i32::from(two(0)?) * 100 + i32::from(two(2)?);
    let (month, day) = (two(5)?, two(8)?);
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let nanos = match b.get(19..)? {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            let mut n: u32 = 0;
            for c in fraction {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(c - b'0');
            }
            n * 10u32.pow(9 - u32::try_from(fraction.len()).ok()?)
        }
        _ => return None,
    };
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let clock = time::Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock))
}

/// Parses `YYYY-MM-DD` (years of four or more digits, optionally negative).
fn calendar_date(text: &str) -> Result<time::Date, String> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let mut parts = rest.rsplitn(3, '-');
    let (Some(d), Some(mo), Some(y)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected a date YYYY-MM-DD".to_owned());
    };
    // The year with its sign, as written (no copy: dates are in most records).
    let y = text.get(..y.len() + usize::from(negative)).unwrap_or(y);
    let year = year(y)?;
    let month: u8 = digits(mo, 2, "the month")?;
    let day: u8 = digits(d, 2, "the day")?;
    let month =
        time::Month::try_from(month).map_err(|_| format!("month {month} does not exist"))?;
    time::Date::from_calendar_date(year, month, day)
        .map_err(|_| format!("{text} is not a day of the calendar"))
}

/// Parses the lexical form `YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?` and checks the calendar.
pub fn parse_date_time(text: &str) -> Result<DateTimeValue, String> {
    let (body, offset) = split_zone(text)?;
    let local = match usual_date_time(body.as_bytes()) {
        Some(local) => local,
        None => any_date_time(body)?,
    };
    Ok(DateTimeValue { local, offset })
}

/// A date and time of day without its zone, in any of its lexical forms.
fn any_date_time(body: &str) -> Result<time::PrimitiveDateTime, String> {
    let (date, clock_text) = body.split_once('T').ok_or_else(|| {
        "expected a date and time such as 2026-05-10T12:30:00 or 2026-05-10T12:30:00+02:00"
            .to_owned()
    })?;
    let date = calendar_date(date)?;
    Ok(match clock(clock_text)? {
        Some(t) => time::PrimitiveDateTime::new(date, t),
        None => {
            // 24:00:00 is the first instant of the next day.
            let next = date
                .next_day()
                .ok_or_else(|| "the date is out of range".to_owned())?;
            time::PrimitiveDateTime::new(next, time::Time::MIDNIGHT)
        }
    })
}

fn clock_text(t: time::Time) -> String {
    let mut s = format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
    if t.nanosecond() != 0 {
        let f = format!("{:09}", t.nanosecond());
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

fn date_text(d: time::Date) -> String {
    let y = d.year();
    let sign = if y < 0 { "-" } else { "" };
    format!(
        "{sign}{:04}-{:02}-{:02}",
        y.unsigned_abs(),
        u8::from(d.month()),
        d.day()
    )
}

/// An `xs:dateTime`: a date and time of day, with or without a time zone, kept as written.
///
/// Equality, hashing and order are those of XSD: two values with time zones are equal when they
/// are the same instant (`10:00:00+01:00` and `09:00:00Z`); two without, when their local times
/// are equal; a value with a zone and one without are ordered only when they are more than 14
/// hours apart (`partial_cmp` is `None` otherwise), and never equal.
///
/// ```
/// # use sdk_runtime::DateTime;
/// let sent: DateTime = "2026-05-10T12:30:00.250+02:00".parse()?;
/// assert_eq!(sent.as_str(), "2026-05-10T12:30:00.250+02:00");
/// assert_eq!(sent, "2026-05-10T10:30:00.25Z".parse()?);
/// assert_eq!(sent.instant().map(|i| i.unix_timestamp()), Some(1_778_409_000));
/// # Ok::<(), sdk_runtime::xml::ValueError>(())
/// ```
#[derive(Clone)]
pub struct DateTime {
    text: Box<str>,
    value: DateTimeValue,
}

impl DateTime {
    fn parse_lexical(text: &str) -> Result<Self, String> {
        Ok(Self {
            value: parse_date_time(text)?,
            text: text.into(),
        })
    }

    /// A date and time with its time zone (`Z` for UTC); fractions of a second are written
    /// without trailing zeros.
    pub fn from_offset(dt: time::OffsetDateTime) -> Self {
        let local = time::PrimitiveDateTime::new(dt.date(), dt.time());
        Self::build(local, Some(dt.offset()))
    }

    /// A date and time without a time zone (the receiving authority applies its own).
    pub fn from_local(dt: time::PrimitiveDateTime) -> Self {
        Self::build(dt, None)
    }

    fn build(local: time::PrimitiveDateTime, offset: Option<time::UtcOffset>) -> Self {
        let text = format!(
            "{}T{}{}",
            date_text(local.date()),
            clock_text(local.time()),
            zone_text(offset)
        );
        Self {
            text: text.into(),
            value: DateTimeValue { local, offset },
        }
    }

    /// The date and time of day as written (with `24:00:00` as the next day's midnight).
    pub fn local(&self) -> time::PrimitiveDateTime {
        self.value.local
    }

    /// The time zone, when the value has one.
    pub fn offset(&self) -> Option<time::UtcOffset> {
        self.value.offset
    }

    /// The instant, when the value has a time zone.
    pub fn instant(&self) -> Option<time::OffsetDateTime> {
        self.value.instant()
    }

    /// Alias of [`DateTime::instant`].
    pub fn to_offset_date_time(&self) -> Option<time::OffsetDateTime> {
        self.instant()
    }

    /// Date, time and zone.
    pub fn value(&self) -> DateTimeValue {
        self.value
    }

    /// The local time as if in UTC: what XSD compares (with zone) or the local time (without).
    fn key(&self) -> (bool, time::PrimitiveDateTime) {
        match self.value.instant() {
            Some(i) => {
                let utc = i.to_offset(time::UtcOffset::UTC);
                (true, time::PrimitiveDateTime::new(utc.date(), utc.time()))
            }
            None => (false, self.value.local),
        }
    }
}

lexical_value!(DateTime, "xs:dateTime");
lexical_serde!(DateTime);

keyed_eq!(DateTime);

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let ((za, a), (zb, b)) = (self.key(), other.key());
        if za == zb {
            return Some(a.cmp(&b));
        }
        // One has a zone, the other not: the one without may be anywhere from -14:00 to +14:00.
        let window = time::Duration::hours(14);
        let (lo, hi) = if za {
            (b - window, b + window)
        } else {
            (a - window, a + window)
        };
        let fixed = if za { a } else { b };
        let order = if fixed < lo {
            Ordering::Less
        } else if fixed > hi {
            Ordering::Greater
        } else {
            return None;
        };
        Some(if za { order } else { order.reverse() })
    }
}

impl From<time::OffsetDateTime> for DateTime {
    fn from(dt: time::OffsetDateTime) -> Self {
        Self::from_offset(dt)
    }
}

impl From<time::PrimitiveDateTime> for DateTime {
    fn from(dt: time::PrimitiveDateTime) -> Self {
        Self::from_local(dt)
    }
}

/// An `xs:time`: a time of day, with or without a time zone, kept as written. `24:00:00` is
/// read as midnight.
///
/// Equality and order: with zones, by the time of day in UTC; without, by the local time; a
/// value with a zone and one without are never equal and not ordered.
#[derive(Clone)]
pub struct Time {
    text: Box<str>,
    time: time::Time,
    offset: Option<time::UtcOffset>,
}

impl Time {
    fn parse_lexical(text: &str) -> Result<Self, String> {
        let (body, offset) = split_zone(text)?;
        let time = clock(body)?.unwrap_or(time::Time::MIDNIGHT);
        Ok(Self {
            text: text.into(),
            time,
            offset,
        })
    }

    /// A time of day, with a time zone when given.
    pub fn new(time: time::Time, offset: Option<time::UtcOffset>) -> Self {
        Self {
            text: format!("{}{}", clock_text(time), zone_text(offset)).into(),
            time,
            offset,
        }
    }

    /// The time of day as written.
    pub fn time(&self) -> time::Time {
        self.time
    }

    /// The time zone, when the value has one.
    pub fn offset(&self) -> Option<time::UtcOffset> {
        self.offset
    }

    fn key(&self) -> (bool, time::Time) {
        match self.offset {
            Some(o) => {
                let shift = time::Duration::seconds(i64::from(o.whole_seconds()));
                (true, self.time - shift)
            }
            None => (false, self.time),
        }
    }
}

lexical_value!(Time, "xs:time");
lexical_serde!(Time);

keyed_eq!(Time);

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let ((za, a), (zb, b)) = (self.key(), other.key());
        (za == zb).then(|| a.cmp(&b))
    }
}

impl From<time::Time> for Time {
    fn from(t: time::Time) -> Self {
        Self::new(t, None)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::xml::XmlText;

    /// The byte-by-byte reading of the usual form gives what the general one gives, and
    /// leaves everything else to it.
    #[test]
    fn the_usual_form_reads_as_the_general_path_does() {
        let mut texts: Vec<String> = Vec::new();
        for date in [
            "2026-05-10",
            "2024-02-29",
            "2026-02-29",
            "0000-01-01",
            "9999-12-31",
        ] {
            for clock in [
                "00:00:00",
                "12:30:59",
                "23:59:60",
                "24:00:00",
                "12:60:00",
                "1:30:00",
                "12:30:00.5",
                "12:30:00.123456789",
                "12:30:00.1234567891",
                "12:30:00.",
                "12:30:00.x",
                "12:30:00Z",
            ] {
                texts.push(format!("{date}T{clock}"));
            }
        }
        texts.extend(
            [
                "2026-13-01T00:00:00",
                "2026-1-01T00:00:00",
                "-0044-03-15T12:00:00",
            ]
            .map(String::from),
        );
        texts.push("12026-05-10T12:30:00".to_owned());
        texts.push("2026-05-10 12:30:00".to_owned());
        let mut fast = 0;
        for t in &texts {
            // Others are left to the general path: hour 24, a leap second, a day or month
            // that does not exist, more than nine fraction digits, other years and forms.
            if let Some(v) = usual_date_time(t.as_bytes()) {
                fast += 1;
                assert_eq!(Ok(v), any_date_time(t), "{t}");
            }
        }
        // Four valid dates with four valid usual times each; nothing else.
        assert_eq!(fast, 16);
    }

    #[test]
    fn date_times_keep_their_text_and_compare_as_instants() {
        for s in [
            "2026-05-10T12:30:00",
            "2026-05-10T12:30:00.500Z",
            "2026-05-10T12:30:00+00:00",
            "2026-12-31T24:00:00-05:00",
            "-0044-03-15T12:00:00",
        ] {
            assert_eq!(DateTime::parse(s).unwrap().to_xml_text(), s);
        }
        let a = DateTime::parse("2026-05-10T10:00:00+01:00").unwrap();
        let b = DateTime::parse("2026-05-10T09:00:00Z").unwrap();
        assert_eq!(a, b);
        let midnight = DateTime::parse("2026-12-31T24:00:00").unwrap();
        assert_eq!(midnight, DateTime::parse("2027-01-01T00:00:00").unwrap());
        let local = DateTime::parse("2026-05-10T09:00:00").unwrap();
        assert_ne!(local, b);
        assert_eq!(local.partial_cmp(&b), None);
        let far = DateTime::parse("2026-05-11T09:00:00").unwrap();
        assert_eq!(far.partial_cmp(&b), Some(Ordering::Greater));
        assert_eq!(b.partial_cmp(&far), Some(Ordering::Less));
    }

    #[test]
    fn date_times_reject_what_is_not_one() {
        for bad in [
            "2026-02-30T00:00:00",
            "2026-05-10",
            "2026-05-10T25:00:00",
            "2026-05-10T24:00:01",
            "2026-05-10T12:30",
            "2026-05-10T12:30:00+15:00",
            "2026-05-10T12:30:00.Z",
            "26-05-10T12:30:00",
            "2026-05-10 12:30:00",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn built_values_get_canonical_text() {
        let dt = time::PrimitiveDateTime::new(
            time::Date::from_calendar_date(2026, time::Month::May, 10).unwrap(),
            time::Time::from_hms_milli(12, 30, 0, 250).unwrap(),
        )
        .assume_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(
            DateTime::from_offset(dt).as_str(),
            "2026-05-10T12:30:00.25+02:00"
        );
        let t = Time::new(
            time::Time::from_hms(8, 5, 0).unwrap(),
            Some(time::UtcOffset::UTC),
        );
        assert_eq!(t.as_str(), "08:05:00Z");
        assert_eq!(t, Time::parse("09:05:00+01:00").unwrap());
        assert_eq!(
            Time::parse("24:00:00").unwrap().time(),
            time::Time::MIDNIGHT
        );
        assert!(Time::parse("8:05:00").is_err());
    }
}
