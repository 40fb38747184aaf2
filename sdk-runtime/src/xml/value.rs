//! Text forms of the XSD built-in types the generated code maps to Rust types.

use std::borrow::Cow;

use super::read::{ReadContext, ValueError, XmlText};

impl XmlText for String {
    fn to_xml_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
    fn from_xml_text(text: &str) -> Result<Self, ValueError> {
        Ok(text.to_owned())
    }
}

impl XmlText for bool {
    fn to_xml_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
    fn from_xml_text(text: &str) -> Result<Self, ValueError> {
        match text.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(ValueError(format!("`{other}` is not an xs:boolean"))),
        }
    }
}

macro_rules! number_text {
    ($($t:ty => $xsd:literal),* $(,)?) => {$(
        impl XmlText for $t {
            fn to_xml_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
            fn from_xml_text(text: &str) -> Result<Self, ValueError> {
                let t = text.trim();
                // XSD allows a leading '+', Rust's parsers do too for integers.
                t.parse::<$t>()
                    .map_err(|_| ValueError(format!("`{t}` is not an {}", $xsd)))
            }
        }
    )*};
}

number_text!(
    i8 => "xs:byte", i16 => "xs:short", i32 => "xs:int", i64 => "xs:long",
    u8 => "xs:unsignedByte", u16 => "xs:unsignedShort", u32 => "xs:unsignedInt",
    u64 => "xs:unsignedLong", i128 => "xs:integer", u128 => "xs:nonNegativeInteger",
);

macro_rules! float_text {
    ($($t:ty => $xsd:literal),*) => {$(
        impl XmlText for $t {
            fn to_xml_text(&self) -> Cow<'_, str> {
                Cow::Owned(if self.is_nan() {
                    "NaN".to_owned()
                } else if self.is_infinite() {
                    if *self > 0.0 { "INF" } else { "-INF" }.to_owned()
                } else {
                    self.to_string()
                })
            }
            fn from_xml_text(text: &str) -> Result<Self, ValueError> {
                match text.trim() {
                    "INF" | "+INF" => Ok(<$t>::INFINITY),
                    "-INF" => Ok(<$t>::NEG_INFINITY),
                    "NaN" => Ok(<$t>::NAN),
                    t => t
                        .parse::<$t>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| ValueError(format!("`{t}` is not an {}", $xsd))),
                }
            }
        }
    )*};
}

float_text!(f32 => "xs:float", f64 => "xs:double");

/// The `xs:date` text of `d` (`YYYY-MM-DD`, `-YYYY-MM-DD` before year 1) in `buf`, ASCII
/// digits and `-` only; its length. Without the formatting machinery (dates are in most
/// messages), the calendar date computed once.
fn date_text(d: time::Date, buf: &mut [u8; 11]) -> usize {
    let (year, month, day) = d.to_calendar_date();
    let mut at = 0;
    if year < 0 {
        buf[0] = b'-';
        at = 1;
    }
    let y = year.unsigned_abs();
    let (m, d) = (u32::from(u8::from(month)), u32::from(day));
    let fields = [
        (y / 1000 % 10, true),
        (y / 100 % 10, true),
        (y / 10 % 10, true),
        (y % 10, true),
        (0, false),
        (m / 10, true),
        (m % 10, true),
        (0, false),
        (d / 10, true),
        (d % 10, true),
    ];
    for (digit, is_digit) in fields {
        if let Some(b) = buf.get_mut(at) {
            // A digit is below 10: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation)]
            {
                *b = if is_digit { b'0' + digit as u8 } else { b'-' };
            }
        }
        at += 1;
    }
    at
}

impl XmlText for time::Date {
    fn to_xml_text(&self) -> Cow<'_, str> {
        let mut buf = [0u8; 11];
        let n = date_text(*self, &mut buf);
        Cow::Owned(buf.iter().take(n).map(|b| char::from(*b)).collect())
    }

    fn write_xml_text(&self, w: &mut super::XmlWriter) {
        let mut buf = [0u8; 11];
        let n = date_text(*self, &mut buf);
        w.plain_ascii(buf.get(..n).unwrap_or_default());
    }

    fn from_xml_text(text: &str) -> Result<Self, ValueError> {
        parse_date(text.trim()).map_err(ValueError)
    }

    fn from_xml_text_lenient(text: &str, cx: &mut ReadContext) -> Result<Self, ValueError> {
        let _ = cx;
        Self::from_xml_text(text)
    }
}

/// Parses an `xs:date` lexical form `YYYY-MM-DD` with an optional time zone (`Z`, `+01:00`),
/// which is accepted and dropped: a calendar date is what every authority means by it.
pub fn parse_date(text: &str) -> Result<time::Date, String> {
    let bad = || format!("`{text}` is not a date of the form YYYY-MM-DD");
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let mut parts = rest.splitn(3, '-');
    let (Some(y), Some(m), Some(d_tz)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    // The day is two ASCII digits; anything else (a multi-byte character among them) is not a
    // date, and must not be cut inside a character.
    let Some((d, tz)) = d_tz.split_at_checked(d_tz.len().min(2)) else {
        return Err(bad());
    };
    let tz_ok = tz.is_empty() || tz == "Z" || is_offset(tz);
    if y.len() < 4
        || m.len() != 2
        || d.len() != 2
        || !tz_ok
        || ![y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let year = if negative { -year } else { year };
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month =
        time::Month::try_from(month).map_err(|_| format!("`{text}` has no month {month}"))?;
    time::Date::from_calendar_date(year, month, day)
        .map_err(|_| format!("`{text}` is not a day of the calendar"))
}

fn is_offset(tz: &str) -> bool {
    let b = tz.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b':'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_nonsense() {
        let d = time::Date::from_xml_text("2026-11-23").unwrap();
        assert_eq!(d.to_xml_text(), "2026-11-23");
        assert_eq!(
            time::Date::from_xml_text("2021-12-01+01:00").unwrap().day(),
            1
        );
        assert_eq!(time::Date::from_xml_text(" 2021-12-01Z ").unwrap().day(), 1);
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-11-1ż",
            "2026-11-ż1",
            "26-11-23",
            "2026-1-23",
            "2026-11-23T00:00",
            "",
        ] {
            assert!(time::Date::from_xml_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn date_text_matches_formatting_for_every_year_and_day() {
        let reference = |d: time::Date| {
            let (y, m, day) = (d.year(), u8::from(d.month()), d.day());
            if y < 0 {
                format!("-{:04}-{m:02}-{day:02}", -y)
            } else {
                format!("{y:04}-{m:02}-{day:02}")
            }
        };
        let mut d = time::Date::from_calendar_date(-9999, time::Month::January, 1).unwrap();
        let last = time::Date::from_calendar_date(9999, time::Month::December, 31).unwrap();
        // Every 7th day over the whole range (every month, day and year digit occurs).
        while d < last {
            assert_eq!(d.to_xml_text(), reference(d));
            let mut w = crate::xml::XmlWriter::new();
            w.start("", "d");
            d.write_xml_text(&mut w);
            assert_eq!(w.finish(), format!("<d>{}</d>", reference(d)));
            d = d.checked_add(time::Duration::days(7)).unwrap_or(last);
        }
        assert_eq!(last.to_xml_text(), "9999-12-31");
        let early = time::Date::from_calendar_date(7, time::Month::March, 9).unwrap();
        assert_eq!(early.to_xml_text(), "0007-03-09");
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(i32::from_xml_text(" +42 ").unwrap(), 42);
        assert!(u8::from_xml_text("256").is_err());
        assert!(bool::from_xml_text("1").unwrap());
        assert!(f64::from_xml_text("INF").unwrap().is_infinite());
        assert_eq!(f64::NEG_INFINITY.to_xml_text(), "-INF");
    }
}

/// The bytes of an `xs:base64Binary` text. XML whitespace (space, tab, CR, LF: line breaks of
/// MIME-style base64, indentation) may appear anywhere and is skipped; anything else that is not
/// base64 is an error. A text without whitespace (the usual case) is decoded in place in one
/// pass; otherwise its runs are gathered by block copies first (found by memchr), then decoded
/// with SIMD.
pub fn base64_from_text(text: &str) -> Result<Vec<u8>, ValueError> {
    let bytes = text.as_bytes();
    // Decoding refuses whitespace: try it first rather than search the text for whitespace
    // before every decode (a second pass over a 20 KB prescription).
    if let Ok(decoded) = base64_simd::STANDARD.decode_to_vec(bytes) {
        return Ok(decoded);
    }
    let compact = base64_compact(bytes);
    base64_simd::STANDARD
        .decode_to_vec(&compact)
        .map_err(|_| not_base64(&compact))
}

/// `bytes` without XML whitespace (runs gathered by block copies, found by memchr).
fn base64_compact(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let spaced = memchr::memchr3(b' ', b'\n', b'\r', bytes).is_some()
        || memchr::memchr(b'\t', bytes).is_some();
    if !spaced {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut compact = Vec::with_capacity(bytes.len());
    let mut run = 0;
    for at in memchr::memchr3_iter(b' ', b'\n', b'\r', bytes) {
        compact.extend_from_slice(bytes.get(run..at).unwrap_or_default());
        run = at + 1;
    }
    compact.extend_from_slice(bytes.get(run..).unwrap_or_default());
    if memchr::memchr(b'\t', &compact).is_some() {
        compact.retain(|b| *b != b'\t');
    }
    std::borrow::Cow::Owned(compact)
}

/// Why `compact` (no whitespace) is not base64: the SIMD decoder says only that it is not, the
/// scalar one says where.
fn not_base64(compact: &[u8]) -> ValueError {
    use base64::Engine as _;
    let why = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .err()
        .map_or_else(|| "invalid base64".to_owned(), |e| e.to_string());
    ValueError::new(format!("not base64: {why}"))
}

/// An `xs:base64Binary` value kept as its canonical text (the base64 alphabet, padded, no
/// whitespace), checked when made: written as it is, with no encoding or escaping, and decoded
/// when its bytes are asked for. For documents that travel base64-encoded and are mostly passed
/// on (a signed prescription read from one answer and sent in the next request, or encoded
/// once when signed and then written into a request).
///
/// `Debug` shows only the length: such documents hold personal data.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Base64Text(String);

impl Base64Text {
    /// The text of `bytes`.
    pub fn encode(bytes: &[u8]) -> Self {
        Self(base64_to_text(bytes))
    }

    /// Checks an `xs:base64Binary` text (XML whitespace anywhere is dropped) and keeps it.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let bytes = text.as_bytes();
        if base64_simd::STANDARD.check(bytes).is_ok() {
            return Ok(Self(text.to_owned()));
        }
        let compact = base64_compact(bytes);
        if base64_simd::STANDARD.check(&compact).is_err() {
            return Err(not_base64(&compact));
        }
        // Only ASCII remains once checked.
        String::from_utf8(compact.into_owned())
            .map(Self)
            .map_err(|_| ValueError::new("not base64"))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The bytes it encodes.
    pub fn decode(&self) -> Vec<u8> {
        // Checked when made: decoding cannot fail.
        base64_simd::STANDARD
            .decode_to_vec(self.0.as_bytes())
            .unwrap_or_default()
    }

    /// How many bytes it encodes, without decoding them.
    pub fn decoded_len(&self) -> usize {
        base64_simd::STANDARD
            .decoded_length(self.0.as_bytes())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Base64Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Base64Text(<redacted>, {} characters)", self.0.len())
    }
}

/// The canonical `xs:base64Binary` text of `bytes` (no line breaks, padded).
pub fn base64_to_text(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

#[cfg(test)]
mod base64_tests {
    use super::*;
    use proptest::prelude::*;

    /// The reading as first written: every whitespace character dropped one by one, then decoded.
    fn reference(text: &str) -> Option<Vec<u8>> {
        use base64::Engine as _;
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .ok()
    }

    #[test]
    fn padding_and_trailing_bits_are_judged_as_the_reference_judges_them() {
        for text in [
            "QR==",
            "QUJ=",
            "QUI=",
            "QUJD",
            "Q===",
            "=QUJ",
            "QU=J",
            "QUJDRA",
            "QUJDRA=",
            "QUJDRA==",
            "QUJDRE==",
            "QQ",
            "QQ=",
            "QQ==",
            "",
            "====",
            "QUJD\tRA==",
            "QUJD RA= =",
        ] {
            assert_eq!(base64_from_text(text).ok(), reference(text), "{text:?}");
        }
    }

    proptest! {
        /// Any bytes, written with line breaks every `width` characters (CRLF or LF), indented
        /// or not: read back exactly, and as the reference reads them.
        #[test]
        fn written_and_wrapped_base64_reads_back(
            bytes in prop::collection::vec(any::<u8>(), 0..600),
            width in prop::sample::select(vec![0usize, 4, 64, 76, 77]),
            crlf in any::<bool>(),
            indent in prop::sample::select(vec!["", " ", "\t  "]),
        ) {
            let flat = base64_to_text(&bytes);
            let text = if width == 0 {
                flat.clone()
            } else {
                let nl = if crlf { "\r\n" } else { "\n" };
                let lines: Vec<&str> = flat
                    .as_bytes()
                    .chunks(width)
                    .map(|c| std::str::from_utf8(c).unwrap_or_default())
                    .collect();
                format!("{nl}{indent}{}{nl}", lines.join(&format!("{nl}{indent}")))
            };
            prop_assert_eq!(base64_from_text(&text).ok(), Some(bytes.clone()));
            prop_assert_eq!(base64_from_text(&text).ok(), reference(&text));
            // Kept as text: the canonical text whatever the line breaks, the same bytes.
            let kept = Base64Text::parse(&text);
            prop_assert_eq!(kept.as_ref().map(Base64Text::as_str).ok(), Some(flat.as_str()));
            prop_assert_eq!(kept.as_ref().map(Base64Text::decode).ok(), Some(bytes.clone()));
            prop_assert_eq!(kept.map(|k| k.decoded_len()).ok(), Some(bytes.len()));
        }

        /// Arbitrary text: accepted exactly when the reference accepts it, with the same bytes.
        #[test]
        fn arbitrary_text_is_judged_as_the_reference_judges_it(
            text in "[A-Za-z0-9+/= \t\r\n\u{a0}!-]{0,40}",
        ) {
            prop_assert_eq!(base64_from_text(&text).ok(), reference(&text));
            // Kept as text: accepted exactly when decoding accepts it.
            prop_assert_eq!(
                Base64Text::parse(&text).ok().map(|k| k.decode()),
                base64_from_text(&text).ok()
            );
        }
    }

    /// Written as it was kept, without escaping or encoding; `Debug` shows no content.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn kept_text_is_written_as_it_is() {
        let kept = Base64Text::parse("PGE+\n Jjwv\r\nYT4=").unwrap();
        assert_eq!(kept.as_str(), "PGE+JjwvYT4=");
        let mut w = crate::xml::XmlWriter::new();
        w.start("urn:x", "d");
        w.base64_text(&kept);
        w.end();
        assert_eq!(
            w.finish(),
            "<ns1:d xmlns:ns1=\"urn:x\">PGE+JjwvYT4=</ns1:d>"
        );
        assert_eq!(format!("{kept:?}"), "Base64Text(<redacted>, 12 characters)");
        assert!(Base64Text::parse("PGE+Jjw").is_err());
    }
}
