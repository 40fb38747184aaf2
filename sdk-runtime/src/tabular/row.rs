//! One row's fields as text, and their conversion to typed values: checked text, whole numbers,
//! decimals, dates, year-months and yes/no flags.
//!
//! Text is taken exactly as the file has it (a single space is a value: SÚKL's DLP writes
//! `BRAILLOVO_PISMO` "not requested" as a space); numbers, dates and flags ignore surrounding
//! spaces. An empty field is `None` for an optional column and [`FieldError::Missing`] for a
//! required one.

use std::fmt;

use crate::Decimal;
use crate::values::GYearMonth;

use super::{Error, Layout};

/// The fields of one row as text, in one buffer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fields {
    text: String,
    ends: Vec<usize>,
}

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fields from texts, in order.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut f = Self::new();
        for t in texts {
            f.push(t);
        }
        f
    }

    /// Removes every field (keeping the buffers).
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Appends a field.
    pub fn push(&mut self, field: &str) {
        self.text.push_str(field);
        self.ends.push(self.text.len());
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// `true` when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i` (0-based), if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// How a date column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateFormat {
    /// `DD.MM.YYYY` (`26.02.2026`; a one-digit day or month is accepted too).
    DayMonthYear,
    /// Oracle's `DDMMRR`: six digits, a two-digit year read with Oracle's `RR` rule as it
    /// applies in 2000–2049 (`00`–`49` are 2000–2049, `50`–`99` are 1950–1999). `DD.MM.YYYY`
    /// is accepted too, since that is how the same files write their other dates.
    Ddmmrr,
}

impl DateFormat {
    /// The format as documentation names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DayMonthYear => "DD.MM.YYYY",
            Self::Ddmmrr => "DDMMRR",
        }
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// The field is empty, and the column must have a value.
    #[error("empty, but the column must have a value")]
    Missing,
    /// The text is longer than the column allows.
    #[error("{found} characters, the column allows at most {max}")]
    TooLong {
        /// Characters found.
        found: usize,
        /// Characters allowed.
        max: usize,
    },
    /// The text holds a control character: no text of these files has one, so the file is
    /// damaged or not in the encoding the reader expects (a windows-1250 byte without a
    /// character, such as 0x81 or 0x98, reads as one).
    #[error(
        "holds the control character U+{:04X} at character {position}: the file is damaged or not in {encoding}",
        u32::from(*character)
    )]
    Control {
        /// The character.
        character: char,
        /// Its position in the field (1-based, in characters).
        position: usize,
        /// The encoding the file was read in.
        encoding: &'static str,
    },
    /// The bytes are not text in the file's encoding (only possible for UTF-8 files).
    #[error("is not valid {encoding}")]
    Encoding {
        /// The encoding.
        encoding: &'static str,
    },
    /// Not a whole number.
    #[error("`{text}` is not a whole number")]
    NotInteger {
        /// The text found (at most 60 characters).
        text: String,
    },
    /// Not a decimal number.
    #[error("`{text}` is not a decimal number (digits with one `,` or `.`)")]
    NotDecimal {
        /// The text found (at most 60 characters).
        text: String,
    },
    /// More digits than the column's `NUMBER(precision, scale)` holds.
    #[error(
        "`{text}` does not fit NUMBER({precision},{scale}): at most {} digits before the decimal separator and {scale} after",
        precision.saturating_sub(*scale)
    )]
    TooManyDigits {
        /// The text found (at most 60 characters).
        text: String,
        /// The column's precision.
        precision: u32,
        /// The column's scale.
        scale: u32,
    },
    /// Not a date in the column's format.
    #[error("`{text}` is not a date written {format}")]
    NotDate {
        /// The text found (at most 60 characters).
        text: String,
        /// The format.
        format: DateFormat,
    },
    /// Not a year and month.
    #[error("`{text}` is not a year and month written YYYY.MM")]
    NotYearMonth {
        /// The text found (at most 60 characters).
        text: String,
    },
    /// Neither of a flag's two values.
    #[error("`{text}` is neither `{}` nor `{}`", values[0], values[1])]
    NotFlag {
        /// The text found (at most 60 characters).
        text: String,
        /// The values for yes and no.
        values: &'static [&'static str; 2],
    },
}

/// At most 60 characters of `text`, for error messages.
fn shown(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// One row of a file, for [`Record::from_row`](super::Record::from_row): its fields, its line
/// and its layout, with a typed accessor per column type. Each accessor's error names the line
/// and the column.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    line: u64,
    layout: &'static Layout,
    fields: &'a Fields,
    check_lengths: bool,
}

impl<'a> Row<'a> {
    /// A row of `layout` at `line` (1-based) of its file. Fields beyond those given read as
    /// empty.
    pub fn new(line: u64, layout: &'static Layout, fields: &'a Fields) -> Self {
        Self {
            line,
            layout,
            fields,
            check_lengths: true,
        }
    }

    /// The same row, with text lengths checked or not (see
    /// [`Options::check_lengths`](super::Options::check_lengths)).
    pub fn check_lengths(mut self, check: bool) -> Self {
        self.check_lengths = check;
        self
    }

    /// The line of the file the row starts on (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The layout of the row's file.
    pub fn layout(&self) -> &'static Layout {
        self.layout
    }

    /// The fields as read.
    pub fn fields(&self) -> &'a Fields {
        self.fields
    }

    /// Field `i` (0-based) as read; empty when the row has no such field.
    pub fn field(&self, i: usize) -> &'a str {
        self.fields.get(i).unwrap_or("")
    }

    /// An error of field `i`.
    pub fn error(&self, i: usize, reason: FieldError) -> Error {
        Error::Field {
            line: self.line,
            column: self.layout.columns.get(i).map_or("", |c| c.name),
            position: i + 1,
            reason,
        }
    }

    fn required<T>(&self, i: usize, v: Option<T>) -> Result<T, Error> {
        v.ok_or_else(|| self.error(i, FieldError::Missing))
    }

    /// Text of at most `max_chars` characters (when given), exactly as read; required.
    pub fn text(&self, i: usize, max_chars: Option<usize>) -> Result<String, Error> {
        let v = self.opt_text(i, max_chars)?;
        self.required(i, v)
    }

    /// Text of at most `max_chars` characters (when given), exactly as read; `None` when empty.
    pub fn opt_text(&self, i: usize, max_chars: Option<usize>) -> Result<Option<String>, Error> {
        let t = self.field(i);
        if t.is_empty() {
            return Ok(None);
        }
        if let Some(max) = max_chars.filter(|_| self.check_lengths) {
            // Counting stops one past the limit: a huge field costs no more than a short one.
            let found = t.chars().take(max + 1).count();
            if found > max {
                return Err(self.error(
                    i,
                    FieldError::TooLong {
                        found: t.chars().count(),
                        max,
                    },
                ));
            }
        }
        Ok(Some(t.to_owned()))
    }

    /// A whole number of at most `digits` significant digits (when given); required.
    pub fn integer(&self, i: usize, digits: Option<u32>) -> Result<i64, Error> {
        let v = self.opt_integer(i, digits)?;
        self.required(i, v)
    }

    /// A whole number of at most `digits` significant digits (when given); `None` when empty.
    pub fn opt_integer(&self, i: usize, digits: Option<u32>) -> Result<Option<i64>, Error> {
        let t = self.field(i).trim();
        if t.is_empty() {
            return Ok(None);
        }
        let (_, body) = split_sign(t);
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(i, FieldError::NotInteger { text: shown(t) }));
        }
        let significant = body.trim_start_matches('0').len();
        if let Some(p) = digits
            && significant > p as usize
        {
            return Err(self.error(
                i,
                FieldError::TooManyDigits {
                    text: shown(t),
                    precision: p,
                    scale: 0,
                },
            ));
        }
        t.parse::<i64>()
            .map(Some)
            .map_err(|_| self.error(i, FieldError::NotInteger { text: shown(t) }))
    }

    /// A decimal number written with `,` or `.` as its decimal separator (`16,6667`, `,5`),
    /// checked against `NUMBER(precision, scale)` when given; required.
    pub fn decimal(
        &self,
        i: usize,
        precision: Option<u32>,
        scale: Option<u32>,
    ) -> Result<Decimal, Error> {
        let v = self.opt_decimal(i, precision, scale)?;
        self.required(i, v)
    }

    /// As [`Row::decimal`]; `None` when empty.
    pub fn opt_decimal(
        &self,
        i: usize,
        precision: Option<u32>,
        scale: Option<u32>,
    ) -> Result<Option<Decimal>, Error> {
        let t = self.field(i).trim();
        if t.is_empty() {
            return Ok(None);
        }
        let not_decimal = || self.error(i, FieldError::NotDecimal { text: shown(t) });
        let (sign, body) = split_sign(t);
        let (int, frac) = match body.find([',', '.']) {
            Some(p) => (&body[..p], &body[p + 1..]),
            None => (body, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(not_decimal());
        }
        let int_digits = int.trim_start_matches('0').len();
        let frac_digits = frac.trim_end_matches('0').len();
        let scale_v = scale.unwrap_or(0);
        let fraction_over = scale.is_some_and(|s| frac_digits > s as usize);
        let whole_over = precision.is_some_and(|p| int_digits > p.saturating_sub(scale_v) as usize);
        if fraction_over || whole_over {
            return Err(self.error(
                i,
                FieldError::TooManyDigits {
                    text: shown(t),
                    // A scale without a precision limits the fraction only.
                    precision: precision.unwrap_or(u32::MAX),
                    scale: scale_v,
                },
            ));
        }
        let normal = format!(
            "{sign}{}{}{frac}",
            if int.is_empty() { "0" } else { int },
            if frac.is_empty() { "" } else { "." }
        );
        Decimal::parse(&normal).map(Some).map_err(|_| not_decimal())
    }

    /// A date in `format`; required.
    pub fn date(&self, i: usize, format: DateFormat) -> Result<time::Date, Error> {
        let v = self.opt_date(i, format)?;
        self.required(i, v)
    }

    /// A date in `format`; `None` when empty.
    pub fn opt_date(&self, i: usize, format: DateFormat) -> Result<Option<time::Date>, Error> {
        let t = self.field(i).trim();
        if t.is_empty() {
            return Ok(None);
        }
        parse_date(t, format).map(Some).ok_or_else(|| {
            self.error(
                i,
                FieldError::NotDate {
                    text: shown(t),
                    format,
                },
            )
        })
    }

    /// A year and month written `YYYY.MM` (`2026.02`); required.
    pub fn year_month(&self, i: usize) -> Result<GYearMonth, Error> {
        let v = self.opt_year_month(i)?;
        self.required(i, v)
    }

    /// A year and month written `YYYY.MM`; `None` when empty.
    pub fn opt_year_month(&self, i: usize) -> Result<Option<GYearMonth>, Error> {
        let t = self.field(i).trim();
        if t.is_empty() {
            return Ok(None);
        }
        let parsed = t.split_once('.').and_then(|(y, m)| {
            let year = digits(y, 4, 4)?;
            let month = time::Month::try_from(u8::try_from(digits(m, 2, 2)?).ok()?).ok()?;
            GYearMonth::new(i32::try_from(year).ok()?, month, None).ok()
        });
        parsed
            .map(Some)
            .ok_or_else(|| self.error(i, FieldError::NotYearMonth { text: shown(t) }))
    }

    /// `true` for `values[0]`, `false` for `values[1]` (`["Ano", "Ne"]`); required.
    pub fn flag(&self, i: usize, values: &'static [&'static str; 2]) -> Result<bool, Error> {
        let v = self.opt_flag(i, values)?;
        self.required(i, v)
    }

    /// `true` for `values[0]`, `false` for `values[1]`; `None` when empty.
    pub fn opt_flag(
        &self,
        i: usize,
        values: &'static [&'static str; 2],
    ) -> Result<Option<bool>, Error> {
        let t = self.field(i).trim();
        if t.is_empty() {
            Ok(None)
        } else if t == values[0] {
            Ok(Some(true))
        } else if t == values[1] {
            Ok(Some(false))
        } else {
            Err(self.error(
                i,
                FieldError::NotFlag {
                    text: shown(t),
                    values,
                },
            ))
        }
    }
}

/// `("-", "12")` for `-12`, `("", "12")` for `+12` or `12`.
fn split_sign(t: &str) -> (&'static str, &str) {
    if let Some(rest) = t.strip_prefix('-') {
        ("-", rest)
    } else {
        ("", t.strip_prefix('+').unwrap_or(t))
    }
}

/// The number written by `min..=max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_date(t: &str, format: DateFormat) -> Option<time::Date> {
    let dotted = || {
        let mut parts = t.split('.');
        let d = digits(parts.next()?, 1, 2)?;
        let m = digits(parts.next()?, 1, 2)?;
        let y = digits(parts.next()?, 4, 4)?;
        if parts.next().is_some() {
            return None;
        }
        date(y, m, d)
    };
    match format {
        DateFormat::DayMonthYear => dotted(),
        DateFormat::Ddmmrr => {
            if t.contains('.') {
                return dotted();
            }
            if t.len() != 6 {
                return None;
            }
            let d = digits(t.get(0..2)?, 2, 2)?;
            let m = digits(t.get(2..4)?, 2, 2)?;
            let rr = digits(t.get(4..6)?, 2, 2)?;
            date(if rr < 50 { 2000 + rr } else { 1900 + rr }, m, d)
        }
    }
}

fn date(y: u32, m: u32, d: u32) -> Option<time::Date> {
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    time::Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::super::Column;
    use super::*;

    static COLUMNS: [Column; 1] = [Column::new("C", &[])];
    static LAYOUT: Layout = Layout::new("t", "t.csv", &COLUMNS);

    fn reason<T: fmt::Debug>(r: Result<T, Error>) -> FieldError {
        match r {
            Err(Error::Field { reason, .. }) => reason,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    fn with<T>(text: &str, f: impl FnOnce(Row<'_>) -> T) -> T {
        let fields = Fields::from_texts([text]);
        f(Row::new(7, &LAYOUT, &fields))
    }

    #[test]
    fn decimals_take_a_comma_or_a_point_and_respect_precision_and_scale() {
        let d = with("16,6667", |r| r.decimal(0, Some(11), Some(4))).unwrap();
        assert_eq!(d, Decimal::from_parts(166_667, 4));
        let d = with(",5", |r| r.decimal(0, Some(6), Some(3))).unwrap();
        assert_eq!(d, Decimal::from_parts(5, 1));
        let d = with("-0.25", |r| r.decimal(0, None, None)).unwrap();
        assert_eq!(d, Decimal::from_parts(-25, 2));
        assert!(matches!(
            reason(with("1,23456", |r| r.decimal(0, Some(11), Some(4)))),
            FieldError::TooManyDigits { .. }
        ));
        assert!(matches!(
            reason(with("1234", |r| r.decimal(0, Some(6), Some(3)))),
            FieldError::TooManyDigits { .. }
        ));
        assert!(matches!(
            reason(with("1,2,3", |r| r.decimal(0, None, None))),
            FieldError::NotDecimal { .. }
        ));
        assert!(matches!(
            reason(with("1e3", |r| r.decimal(0, None, None))),
            FieldError::NotDecimal { .. }
        ));
    }

    #[test]
    fn integers_count_significant_digits() {
        assert_eq!(with("-1", |r| r.integer(0, Some(5))).unwrap(), -1);
        assert_eq!(with("007", |r| r.integer(0, Some(1))).unwrap(), 7);
        assert!(matches!(
            reason(with("123456", |r| r.integer(0, Some(5)))),
            FieldError::TooManyDigits { .. }
        ));
        assert!(matches!(
            reason(with("12a", |r| r.integer(0, None))),
            FieldError::NotInteger { .. }
        ));
        assert!(matches!(
            reason(with("99999999999999999999", |r| r.integer(0, None))),
            FieldError::NotInteger { .. }
        ));
    }

    #[test]
    fn dates_in_both_formats() {
        let d = |t: &str, f| with(t, |r| r.date(0, f));
        assert_eq!(
            d("26.02.2026", DateFormat::DayMonthYear).unwrap(),
            time::macros::date!(2026 - 02 - 26)
        );
        assert_eq!(
            d("311249", DateFormat::Ddmmrr).unwrap(),
            time::macros::date!(2049 - 12 - 31)
        );
        assert_eq!(
            d("010150", DateFormat::Ddmmrr).unwrap(),
            time::macros::date!(1950 - 01 - 01)
        );
        assert_eq!(
            d("1.3.2026", DateFormat::Ddmmrr).unwrap(),
            time::macros::date!(2026 - 03 - 01)
        );
        for bad in ["30.02.2026", "2026-02-01", "26.02.26", "3102266"] {
            assert!(
                matches!(
                    reason(d(bad, DateFormat::DayMonthYear)),
                    FieldError::NotDate { .. }
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            reason(d("320126", DateFormat::Ddmmrr)),
            FieldError::NotDate { .. }
        ));
    }

    #[test]
    fn text_keeps_spaces_and_counts_characters() {
        assert_eq!(
            with(" ", |r| r.opt_text(0, Some(1))).unwrap().as_deref(),
            Some(" ")
        );
        assert_eq!(
            with("Žluťoučký", |r| r.text(0, Some(9))).unwrap(),
            "Žluťoučký"
        );
        assert_eq!(
            reason(with("Žluťoučký", |r| r.text(0, Some(8)))),
            FieldError::TooLong { found: 9, max: 8 }
        );
        assert_eq!(reason(with("", |r| r.text(0, None))), FieldError::Missing);
        assert_eq!(with("", |r| r.opt_text(0, None)).unwrap(), None);
    }

    #[test]
    fn year_months_and_flags() {
        let ym = with("2026.02", |r| r.year_month(0)).unwrap();
        assert_eq!((ym.year(), ym.month()), (2026, time::Month::February));
        assert!(matches!(
            reason(with("2026.13", |r| r.year_month(0))),
            FieldError::NotYearMonth { .. }
        ));
        assert!(with("Ano", |r| r.flag(0, &["Ano", "Ne"])).unwrap());
        assert!(!with("Ne", |r| r.flag(0, &["Ano", "Ne"])).unwrap());
        assert!(matches!(
            reason(with("ano", |r| r.flag(0, &["Ano", "Ne"]))),
            FieldError::NotFlag { .. }
        ));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = with("x", |r| r.integer(0, None)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 7, column C (1): `x` is not a whole number"
        );
        assert_eq!(e.line(), Some(7));
    }
}
