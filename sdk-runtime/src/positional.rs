//! Positional string protocols: a transaction code followed by separator-delimited fields, in
//! a legacy encoding (Chongqing's `BUSINESS_HANDLE`: `"01|field1|field2"` in GBK).
//!
//! The generated transaction types write their fields through [`Fields`] and read answers
//! through [`Answer`]; [`Protocol`] turns fields into bytes and bytes into an [`Answer`]. What
//! cannot travel is refused before anything is sent: a field holding the separator or a NUL,
//! a character the encoding lacks, a text longer (in encoded bytes) than its limit, a decimal
//! with more fraction digits than its format.

use std::fmt;

use crate::Decimal;
use crate::xml::{Validator, ViolationKind, XmlText};

/// The wire conventions of one interface.
#[derive(Debug, Clone, Copy)]
pub struct Protocol {
    /// Between fields (and after the transaction code).
    pub separator: char,
    /// Of the whole line, both ways.
    pub encoding: &'static encoding_rs::Encoding,
}

/// Why a request could not be written or an answer not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// A field cannot be written: it holds the separator or a NUL, or a character the
    /// encoding lacks. (Validation refuses these before; this guards direct use.)
    #[error("field {position} ({label}) cannot be sent: {reason}")]
    Unsendable {
        /// Position of the field (1 = the first after the code).
        position: usize,
        /// Its name.
        label: String,
        /// What is wrong.
        reason: String,
    },
    /// The answer is not valid text in the interface's encoding.
    #[error("the answer is not valid {encoding}: {snippet}")]
    Encoding {
        /// The encoding's name.
        encoding: &'static str,
        /// The answer's beginning, decoded with replacement characters.
        snippet: String,
    },
    /// A field of the answer does not have its type's form.
    #[error("answer field {position} ({label}): `{text}` is not {expected}")]
    Field {
        /// Position of the field.
        position: usize,
        /// Its name.
        label: &'static str,
        /// The text received (at most 60 characters).
        text: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// The fields of a request, as text, in order (the transaction code is not one of them).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fields {
    values: Vec<(String, &'static str)>,
}

impl Fields {
    /// No fields yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The fields written, with their names.
    pub fn values(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.values.iter().map(|(v, l)| (v.as_str(), *l))
    }

    /// A text field.
    pub fn text(&mut self, label: &'static str, value: &str) {
        self.values.push((value.to_owned(), label));
    }

    /// An integer.
    pub fn integer(&mut self, label: &'static str, value: &i64) {
        self.text(label, &value.to_string());
    }

    /// A decimal written with exactly `scale` fraction digits (`12.5` at 4: `12.5000`); with
    /// no scale, as it is.
    pub fn decimal(&mut self, label: &'static str, value: &Decimal, scale: Option<u32>) {
        let text = match scale {
            Some(scale) => fixed(value, scale).unwrap_or_else(|| value.to_xml_text().into_owned()),
            None => value.to_xml_text().into_owned(),
        };
        self.text(label, &text);
    }

    /// A date as `yyyy-MM-dd`.
    pub fn date(&mut self, label: &'static str, value: &time::Date) {
        self.text(label, &format_date(*value));
    }

    /// A date and time as `yyyy-MM-dd HH:mm:ss`.
    pub fn datetime(&mut self, label: &'static str, value: &time::PrimitiveDateTime) {
        let t = value.time();
        self.text(
            label,
            &format!(
                "{} {:02}:{:02}:{:02}",
                format_date(value.date()),
                t.hour(),
                t.minute(),
                t.second()
            ),
        );
    }

    /// A flag as `1` or `0`.
    pub fn flag(&mut self, label: &'static str, value: &bool) {
        self.text(label, if *value { "1" } else { "0" });
    }
}

fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `value` with exactly `scale` fraction digits, or `None` when it has more.
fn fixed(value: &Decimal, scale: u32) -> Option<String> {
    let n = value.to_scaled(scale)?;
    let digits = n.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if n < 0 { "-" } else { "" };
    Some(if scale == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}

impl Protocol {
    /// The request line: `code`, then each field, joined by the separator, encoded. A field
    /// that cannot travel is an error naming it.
    pub fn request(&self, code: &str, fields: &Fields) -> Result<Vec<u8>, WireError> {
        let mut line = String::from(code);
        for (i, (value, label)) in fields.values.iter().enumerate() {
            if let Some(reason) = self.unsendable(value) {
                return Err(WireError::Unsendable {
                    position: i + 1,
                    label: (*label).to_owned(),
                    reason,
                });
            }
            line.push(self.separator);
            line.push_str(value);
        }
        let (bytes, _, _) = self.encoding.encode(&line);
        Ok(bytes.into_owned())
    }

    /// Why `value` cannot be a field, if it cannot.
    fn unsendable(&self, value: &str) -> Option<String> {
        if value.contains(self.separator) {
            return Some(format!("it contains the separator `{}`", self.separator));
        }
        if value.contains('\0') {
            return Some("it contains a NUL character".to_owned());
        }
        if let Some(c) = value.chars().find(|c| {
            let mut buf = [0u8; 4];
            let (_, _, unmappable) = self.encoding.encode(c.encode_utf8(&mut buf));
            unmappable
        }) {
            return Some(format!(
                "`{c}` (U+{:04X}) has no {} encoding",
                u32::from(c),
                self.encoding.name()
            ));
        }
        None
    }

    /// Checks a text field for [`Validate`](crate::xml::Validate): it must be sendable and at
    /// most `max_bytes` long once encoded.
    pub fn check_text(&self, v: &mut Validator, value: &str, max_bytes: Option<usize>) {
        if let Some(reason) = self.unsendable(value) {
            v.violation(ViolationKind::Format, format!("cannot be sent: {reason}"));
            return;
        }
        if let Some(max) = max_bytes {
            let (bytes, _, _) = self.encoding.encode(value);
            if bytes.len() > max {
                v.violation(
                    ViolationKind::Length,
                    format!(
                        "is {} bytes in {}; at most {max} are allowed",
                        bytes.len(),
                        self.encoding.name()
                    ),
                );
            }
        }
    }

    /// Splits an answer (already cut at its terminating NUL) into its fields, decoding it
    /// strictly: malformed bytes are an error, not replacement characters.
    pub fn answer(&self, bytes: &[u8]) -> Result<Answer, WireError> {
        let Some(text) = self
            .encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
        else {
            let (lossy, _) = self.encoding.decode_without_bom_handling(bytes);
            return Err(WireError::Encoding {
                encoding: self.encoding.name(),
                snippet: lossy.chars().take(60).collect(),
            });
        };
        Ok(Answer {
            fields: text.split(self.separator).map(str::to_owned).collect(),
        })
    }
}

/// Checks that a decimal fits its format of `scale` fraction digits.
pub fn check_decimal(v: &mut Validator, value: &Decimal, scale: u32) {
    if value.to_scaled(scale).is_none() {
        v.violation(
            ViolationKind::Format,
            format!("has more than {scale} fraction digits ({value:?})"),
        );
    }
}

/// An answer split into its fields: field 0 is the status (`-1` for an error), the outputs
/// start at position 1.
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    fields: Vec<String>,
}

impl fmt::Debug for Answer {
    // Answers carry names and ID-card numbers: only their shape is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("fields", &self.fields.len())
            .finish_non_exhaustive()
    }
}

impl Answer {
    /// An answer of these fields (tests, sandboxes).
    pub fn from_fields(fields: Vec<String>) -> Self {
        Self { fields }
    }

    /// Every field as received, the status first.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Field 0.
    pub fn status(&self) -> &str {
        self.fields.first().map_or("", String::as_str)
    }

    /// Field `position`, trimmed; `None` when absent or empty.
    pub fn text(&self, position: usize) -> Option<String> {
        self.fields
            .get(position)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// The fields from `position` on (a list whose layout is not known).
    pub fn rest(&self, position: usize) -> Vec<String> {
        self.fields.get(position..).unwrap_or_default().to_vec()
    }

    fn parsed<T>(
        &self,
        position: usize,
        label: &'static str,
        expected: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, WireError> {
        let Some(text) = self.text(position) else {
            return Ok(None);
        };
        parse(&text).map(Some).ok_or_else(|| WireError::Field {
            position,
            label,
            text: text.chars().take(60).collect(),
            expected,
        })
    }

    /// An integer field.
    pub fn integer(&self, position: usize, label: &'static str) -> Result<Option<i64>, WireError> {
        self.parsed(position, label, "an integer", |t| t.parse().ok())
    }

    /// A decimal field.
    pub fn decimal(
        &self,
        position: usize,
        label: &'static str,
    ) -> Result<Option<Decimal>, WireError> {
        self.parsed(position, label, "a decimal number", |t| {
            Decimal::from_xml_text(t).ok()
        })
    }

    /// A `yyyy-MM-dd` date field.
    pub fn date(
        &self,
        position: usize,
        label: &'static str,
    ) -> Result<Option<time::Date>, WireError> {
        self.parsed(position, label, "a date (yyyy-MM-dd)", parse_date)
    }

    /// A `yyyy-MM-dd HH:mm:ss` field.
    pub fn datetime(
        &self,
        position: usize,
        label: &'static str,
    ) -> Result<Option<time::PrimitiveDateTime>, WireError> {
        self.parsed(
            position,
            label,
            "a date and time (yyyy-MM-dd HH:mm:ss)",
            |t| {
                let (d, tm) = t.split_once(' ')?;
                let date = parse_date(d)?;
                let mut parts = tm.split(':').map(|p| p.parse::<u8>().ok());
                let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
                if parts.next().is_some() {
                    return None;
                }
                Some(time::PrimitiveDateTime::new(
                    date,
                    time::Time::from_hms(h, m, s).ok()?,
                ))
            },
        )
    }

    /// A `0`/`1` flag field.
    pub fn flag(&self, position: usize, label: &'static str) -> Result<Option<bool>, WireError> {
        self.parsed(position, label, "0 or 1", |t| match t {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        })
    }
}

fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    time::Date::from_calendar_date(
        y.parse().ok()?,
        time::Month::try_from(m.parse::<u8>().ok()?).ok()?,
        d.parse().ok()?,
    )
    .ok()
}

/// A transaction's request: its code and fields. Generated.
pub trait Transaction: crate::xml::Validate {
    /// The transaction code (`"01"`).
    const CODE: &'static str;
    /// Its name in the specification.
    const NAME: &'static str;
    /// Where its description comes from.
    const PROVENANCE: crate::Provenance;
    /// The answer's type.
    type Output: FromAnswer;
    /// Writes the fields after the code.
    fn write_fields(&self, out: &mut Fields);
}

/// A transaction's answer read from its fields. Generated.
pub trait FromAnswer: Sized {
    /// Reads the outputs (positions 1 …) of a successful answer.
    fn from_answer(answer: &Answer) -> Result<Self, WireError>;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn gbk() -> Protocol {
        Protocol {
            separator: '|',
            encoding: encoding_rs::GBK,
        }
    }

    #[test]
    fn fixed_scale() {
        let d = |s: &str| Decimal::from_xml_text(s).unwrap();
        assert_eq!(fixed(&d("12.5"), 4).as_deref(), Some("12.5000"));
        assert_eq!(fixed(&d("-0.5"), 2).as_deref(), Some("-0.50"));
        assert_eq!(fixed(&d("0"), 2).as_deref(), Some("0.00"));
        assert_eq!(fixed(&d("3"), 0).as_deref(), Some("3"));
        assert_eq!(fixed(&d("1.23456"), 4), None);
    }

    #[test]
    fn request_and_answer_in_gbk() {
        let mut f = Fields::new();
        f.text("姓名", "张三");
        f.text("日期", "");
        f.decimal("单价", &Decimal::from_xml_text("1.5").unwrap(), Some(4));
        let bytes = gbk().request("01", &f).unwrap();
        assert_eq!(bytes, b"01|\xd5\xc5\xc8\xfd||1.5000");
        let a = gbk()
            .answer(b"0|\xd5\xc5\xc8\xfd|2024-01-31|12.50")
            .unwrap();
        assert_eq!(a.text(1).as_deref(), Some("张三"));
        assert_eq!(
            a.date(2, "d").unwrap(),
            time::Date::from_calendar_date(2024, time::Month::January, 31).ok()
        );
        assert!(a.integer(3, "n").is_err());
        assert!(gbk().answer(b"0|\xff\xff").is_err());
        let mut bad = Fields::new();
        bad.text("x", "a|b");
        assert!(matches!(
            gbk().request("01", &bad),
            Err(WireError::Unsendable { position: 1, .. })
        ));
        let mut bad = Fields::new();
        bad.text("x", "😀");
        assert!(gbk().request("01", &bad).is_err());
    }
}
