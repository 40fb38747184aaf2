//! Checking values against their schema before anything is sent.
//!
//! Generated types implement [`Validate`]: facets of restricted simple types (patterns, lengths,
//! ranges, enumerations), and occurrence bounds of repeated elements. Hand-written domain types
//! (an insured-person number with its check digit) plug into the same trait, so one
//! [`ValidationError`] lists every problem of a request with the field path of each.

use std::fmt;

use super::pattern::{json_pattern_matches, pattern_matches};

/// Every problem found in one value, each naming its field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationError {
    /// The problems, in field order.
    pub violations: Vec<Violation>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// Field path, using the schema's element names (e.g. `cisloPojistence`).
    pub field: String,
    /// What rule was broken.
    pub kind: ViolationKind,
    /// A sentence for people. Never contains the offending value when the field is sensitive.
    pub message: String,
}

/// Which rule a [`Violation`] broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// Wrong characters or shape (`xs:pattern`, or a domain format).
    Format,
    /// A check digit or checksum failed.
    CheckDigit,
    /// Too short or too long.
    Length,
    /// Outside the allowed range.
    Range,
    /// Not one of the enumerated values.
    Enumeration,
    /// Too few or too many occurrences.
    Occurs,
    /// A required value is missing or empty.
    Required,
    /// A deadline has passed (e.g. SÚKL's 168 hours for a dispensing report).
    Deadline,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid input: ")?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl ValidationError {
    /// An error with a single violation.
    pub fn single(
        field: impl Into<String>,
        kind: ViolationKind,
        message: impl Into<String>,
    ) -> Self {
        Self {
            violations: vec![Violation {
                field: field.into(),
                kind,
                message: message.into(),
            }],
        }
    }

    /// The first violation's field (every error has at least one).
    pub fn field(&self) -> &str {
        self.violations.first().map_or("", |v| v.field.as_str())
    }

    /// `true` when some violation concerns `field`.
    pub fn concerns(&self, field: &str) -> bool {
        self.violations.iter().any(|v| v.field == field)
    }
}

/// Collects violations while walking a value.
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<String>,
    violations: Vec<Violation>,
}

impl Validator {
    /// A validator at the root of a value.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates a field under `name`.
    pub fn field(&mut self, name: &str, check: impl FnOnce(&mut Self)) {
        self.path.push(name.to_owned());
        check(self);
        self.path.pop();
    }

    /// Records a violation at the current field.
    pub fn violation(&mut self, kind: ViolationKind, message: impl Into<String>) {
        self.violations.push(Violation {
            field: self.path.join("/"),
            kind,
            message: message.into(),
        });
    }

    /// Adds the violations of an error produced elsewhere (e.g. by a domain type's parser),
    /// re-rooting their field paths at the current field.
    pub fn extend(&mut self, error: ValidationError) {
        let prefix = self.path.join("/");
        for mut v in error.violations {
            if !prefix.is_empty() {
                v.field = prefix.clone();
            }
            self.violations.push(v);
        }
    }

    /// Adds the violations of an error found for a part of the value at the current field,
    /// keeping their own paths below it (`[3]` + `reglp/[0]/kodSUKL` →
    /// `[3]/reglp/[0]/kodSUKL`).
    pub fn extend_nested(&mut self, error: ValidationError) {
        let prefix = self.path.join("/");
        for mut v in error.violations {
            if !prefix.is_empty() {
                v.field = if v.field.is_empty() {
                    prefix.clone()
                } else {
                    format!("{prefix}/{}", v.field)
                };
            }
            self.violations.push(v);
        }
    }

    /// Checks occurrence bounds of a repeated element.
    pub fn occurs(&mut self, count: usize, min: usize, max: Option<usize>) {
        if count < min {
            self.violation(
                ViolationKind::Occurs,
                format!("at least {min} required, {count} given"),
            );
        }
        if let Some(max) = max.filter(|m| count > *m) {
            self.violation(
                ViolationKind::Occurs,
                format!("at most {max} allowed, {count} given"),
            );
        }
    }

    /// Checks a length facet (counted in characters, as XSD does).
    pub fn length(&mut self, value: &str, min: Option<usize>, max: Option<usize>) {
        let n = value.chars().count();
        if let Some(min) = min.filter(|m| n < *m) {
            self.violation(
                ViolationKind::Length,
                format!("must be at least {min} characters, is {n}"),
            );
        }
        if let Some(max) = max.filter(|m| n > *m) {
            self.violation(
                ViolationKind::Length,
                format!("must be at most {max} characters, is {n}"),
            );
        }
    }

    /// Checks a length facet of `xs:base64Binary` or `xs:hexBinary`, which XSD counts in octets
    /// of the decoded value (`hex`: two characters per octet; otherwise base64: four characters
    /// per three octets, less the padding). Whitespace is not counted.
    pub fn octet_length(&mut self, value: &str, hex: bool, min: Option<usize>, max: Option<usize>) {
        let chars = value.chars().filter(|c| !c.is_whitespace()).count();
        let n = if hex {
            chars / 2
        } else {
            let padding = value
                .trim_end()
                .chars()
                .rev()
                .take_while(|c| *c == '=')
                .count();
            (chars / 4 * 3).saturating_sub(padding.min(2))
        };
        if let Some(min) = min.filter(|m| n < *m) {
            self.violation(
                ViolationKind::Length,
                format!("must be at least {min} octets, is {n}"),
            );
        }
        if let Some(max) = max.filter(|m| n > *m) {
            self.violation(
                ViolationKind::Length,
                format!("must be at most {max} octets, is {n}"),
            );
        }
    }

    /// Checks an `xs:pattern` facet (XSD patterns match the whole value).
    pub fn pattern(&mut self, value: &str, pattern: &'static str) {
        match pattern_matches(pattern, value) {
            Ok(true) => {}
            Ok(false) => self.violation(
                ViolationKind::Format,
                format!("does not match the pattern `{pattern}`"),
            ),
            Err(e) => self.violation(ViolationKind::Format, e),
        }
    }

    /// Checks a JSON Schema `pattern` (ECMA 262 syntax as far as the `regex` crate reads it; a
    /// pattern matches anywhere in the value unless it is anchored).
    pub fn json_pattern(&mut self, value: &str, pattern: &'static str) {
        match json_pattern_matches(pattern, value) {
            Ok(true) => {}
            Ok(false) => self.violation(
                ViolationKind::Format,
                format!("does not match the pattern `{pattern}`"),
            ),
            Err(e) => self.violation(ViolationKind::Format, e),
        }
    }

    /// Checks a JSON Schema string `format` that has one exact form: `uuid` (8-4-4-4-12
    /// hexadecimal digits), `date` (RFC 3339 full-date) and `date-time` (RFC 3339). Other
    /// formats are not checked.
    pub fn json_format(&mut self, value: &str, format: &str) {
        let ok = match format {
            "uuid" => {
                let b = value.as_bytes();
                b.len() == 36
                    && b.iter().enumerate().all(|(i, c)| match i {
                        8 | 13 | 18 | 23 => *c == b'-',
                        _ => c.is_ascii_hexdigit(),
                    })
            }
            "date" => value.len() == 10 && super::value::parse_date(value).is_ok(),
            "date-time" => {
                // RFC 3339: an XSD dateTime with `T`, seconds and a time-zone offset.
                let zoned = value.ends_with(['Z', 'z'])
                    || value
                        .len()
                        .checked_sub(6)
                        .and_then(|i| value.get(i..))
                        .is_some_and(|tail| {
                            tail.starts_with(['+', '-']) && tail.as_bytes().get(3) == Some(&b':')
                        });
                zoned
                    && value
                        .get(10..11)
                        .is_some_and(|t| t.eq_ignore_ascii_case("t"))
                    && <crate::DateTime as super::XmlText>::from_xml_text(
                        &value.to_ascii_uppercase(),
                    )
                    .is_ok()
            }
            _ => true,
        };
        if !ok {
            self.violation(ViolationKind::Format, format!("is not a `{format}` value"));
        }
    }

    /// Checks an inclusive/exclusive numeric range.
    pub fn range<T: PartialOrd + fmt::Display>(
        &mut self,
        value: &T,
        min: Option<(T, bool)>,
        max: Option<(T, bool)>,
    ) {
        if let Some((m, inclusive)) = min
            && ((inclusive && *value < m) || (!inclusive && *value <= m))
        {
            let op = if inclusive { ">=" } else { ">" };
            self.violation(
                ViolationKind::Range,
                format!("must be {op} {m}, is {value}"),
            );
        }
        if let Some((m, inclusive)) = max
            && ((inclusive && *value > m) || (!inclusive && *value >= m))
        {
            let op = if inclusive { "<=" } else { "<" };
            self.violation(
                ViolationKind::Range,
                format!("must be {op} {m}, is {value}"),
            );
        }
    }

    /// Checks an inclusive/exclusive range whose bounds are lexical forms of the value's type
    /// (decimals, date-times, durations, dates …), compared in the type's value space. A value
    /// not ordered against a bound (a date-time without time zone within 14 hours of a bound
    /// with one) breaks it, as in XSD. A bound that is not a valid value is ignored (the
    /// generator only writes valid ones).
    pub fn bounds<T: super::XmlText + PartialOrd + fmt::Display>(
        &mut self,
        value: &T,
        min: Option<(&str, bool)>,
        max: Option<(&str, bool)>,
    ) {
        use std::cmp::Ordering::{Equal, Greater, Less};
        for (bound, is_min) in [(min, true), (max, false)] {
            let Some((text, inclusive)) = bound else {
                continue;
            };
            let Ok(b) = T::from_xml_text(text) else {
                continue;
            };
            let ok = match (value.partial_cmp(&b), is_min) {
                (Some(Equal), _) => inclusive,
                (Some(Greater), true) | (Some(Less), false) => true,
                _ => false,
            };
            if !ok {
                let op = match (is_min, inclusive) {
                    (true, true) => ">=",
                    (true, false) => ">",
                    (false, true) => "<=",
                    (false, false) => "<",
                };
                self.violation(
                    ViolationKind::Range,
                    format!("must be {op} {text}, is {value}"),
                );
            }
        }
    }

    /// Checks JSON Schema's `multipleOf`, exactly in decimal: `step` is the schema's number and
    /// the value is taken by its decimal text (`Display`), so `0.07` is a multiple of `0.01`
    /// whatever binary floats make of it.
    pub fn multiple_of<T: fmt::Display>(&mut self, value: &T, step: &str) {
        let text = value.to_string();
        let (Ok(v), Ok(m)) = (
            crate::values::Decimal::parse(&text),
            crate::values::Decimal::parse(step),
        ) else {
            return;
        };
        match v.is_multiple_of(&m) {
            Some(true) => {}
            Some(false) => self.violation(
                ViolationKind::Range,
                format!("must be a multiple of {step}, is {text}"),
            ),
            None => self.violation(
                ViolationKind::Range,
                format!("cannot check {text} against the step {step}"),
            ),
        }
    }

    /// Checks XSD's `totalDigits` and `fractionDigits` of a decimal (counted in its value:
    /// `012.50` has 3 digits, 1 of them after the point).
    pub fn decimal_digits(
        &mut self,
        value: &crate::values::Decimal,
        total: Option<usize>,
        fraction: Option<usize>,
    ) {
        if let Some(n) = total
            && value.total_digits() > n
        {
            self.violation(
                ViolationKind::Length,
                format!("more than {n} digits in {value}"),
            );
        }
        if let Some(n) = fraction
            && value.fraction_digits() > n
        {
            self.violation(
                ViolationKind::Length,
                format!("more than {n} digits after the point in {value}"),
            );
        }
    }

    /// Ends validation.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                violations: self.violations,
            })
        }
    }
}

/// A value that can check itself against its schema.
pub trait Validate {
    /// Records every violation into `v`.
    fn validate(&self, v: &mut Validator);

    /// Validates the value alone.
    fn validated(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        self.validate(&mut v);
        v.finish()
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, v: &mut Validator) {
        if let Some(x) = self {
            x.validate(v);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, v: &mut Validator) {
        for (i, x) in self.iter().enumerate() {
            v.field(&format!("[{i}]"), |v| x.validate(v));
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, v: &mut Validator) {
        (**self).validate(v);
    }
}

macro_rules! always_valid {
    ($($t:ty),*) => {$(
        impl Validate for $t {
            fn validate(&self, _: &mut Validator) {}
        }
    )*};
}

always_valid!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    i128,
    u8,
    u16,
    u32,
    u64,
    u128,
    f32,
    f64,
    time::Date
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn patterns_are_anchored() {
        assert!(pattern_matches("[0-9]{3}", "201").unwrap());
        assert!(!pattern_matches("[0-9]{3}", "2011").unwrap());
        assert!(!pattern_matches("[0-9]{3}", "x201").unwrap());
        assert!(pattern_matches("\\i\\c*", "kDatu").unwrap());
    }

    #[test]
    fn json_patterns_search_unless_anchored() {
        assert!(json_pattern_matches("[0-9]{3}", "x201y").unwrap());
        assert!(!json_pattern_matches("^[0-9]{3}$", "x201").unwrap());
        assert!(json_pattern_matches("^[0-9]{3}$", "201").unwrap());
        let mut v = Validator::new();
        v.field("kodSUKL", |v| v.json_pattern("12345", "^[0-9]{7}$"));
        assert_eq!(v.finish().unwrap_err().violations[0].field, "kodSUKL");
    }

    #[test]
    fn collects_every_violation_with_paths() {
        let mut v = Validator::new();
        v.field("a", |v| v.length("abc", Some(4), None));
        v.field("b", |v| v.occurs(3, 0, Some(2)));
        v.field("c", |v| v.range(&5, Some((1, true)), Some((5, false))));
        let err = v.finish().unwrap_err();
        let fields: Vec<&str> = err.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, vec!["a", "b", "c"]);
        assert!(
            err.to_string()
                .starts_with("invalid input: a: must be at least 4")
        );
    }

    #[test]
    fn binary_lengths_count_octets() {
        let octets = |value: &str, hex: bool, len: usize| {
            let mut v = Validator::new();
            v.octet_length(value, hex, Some(len), Some(len));
            v.finish().is_ok()
        };
        // 256 octets of base64 are 344 characters: the EET's `pkp` signature.
        let pkp = format!("{}QQ==", "QUFB".repeat(85));
        assert_eq!(pkp.len(), 344);
        assert!(octets(&pkp, false, 256));
        assert!(!octets(&pkp, false, 344));
        assert!(octets("QUE=", false, 2));
        assert!(octets("QUFB\nQUFB", false, 6));
        assert!(octets("0A1B", true, 2));
        assert!(!octets("0A1B", true, 4));
    }
}

#[cfg(test)]
mod json_format_tests {
    use super::Validator;

    fn ok(value: &str, format: &str) -> bool {
        let mut v = Validator::new();
        v.json_format(value, format);
        v.finish().is_ok()
    }

    #[test]
    fn formats() {
        assert!(ok("123e4567-e89b-12d3-a456-426614174000", "uuid"));
        assert!(!ok("123e4567e89b12d3a456426614174000", "uuid"));
        assert!(!ok("123e4567-e89b-12d3-a456-42661417400g", "uuid"));
        assert!(ok("2024-02-29", "date"));
        assert!(!ok("2023-02-29", "date"));
        assert!(!ok("2024-1-31", "date"));
        assert!(ok("2024-01-31T12:00:00Z", "date-time"));
        assert!(ok("2024-01-31t12:00:00.5+01:00", "date-time"));
        assert!(!ok("2024-01-31T12:00:00", "date-time"));
        assert!(!ok("2024-01-31 12:00:00Z", "date-time"));
        assert!(ok("anything", "email"));
    }
}
