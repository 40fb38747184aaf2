//! Positional string protocols: a transaction code followed by separator-delimited fields, in
//! a legacy encoding (Chongqing's `BUSINESS_HANDLE`: `"01|field1|field2"` in GBK).
//!
//! The generated transaction types write their fields through [`Fields`] and read answers
//! through [`Answer`]; [`Protocol`] turns fields into bytes and bytes into an [`Answer`]. What
//! cannot travel is refused before anything is sent: a field holding the separator or a NUL,
//! a character the encoding lacks, a text longer (in encoded bytes) than its limit, a decimal
//! with more fraction digits than its format.

use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

use encoding_rs::{CoderResult, DecoderResult, Encoder, EncoderResult};

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
///
/// The values are written one after the other into one string (numbers, dates and decimals
/// formatted straight into it), each remembered by where it ends: writing a request allocates
/// the string and the list once, not a string per field.
///
/// That storage is kept per thread between requests (as the XML writer keeps its own): a
/// request's `Fields` takes what the thread's last one left and gives it back when dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// The values, one after the other.
    text: String,
    /// Where each value ends in `text`, with its name.
    ends: Vec<(usize, &'static str)>,
}

/// Storage of `Fields`: the values' text and their ends.
type FieldsStorage = (String, Vec<(usize, &'static str)>);

thread_local! {
    /// The storage the thread's last `Fields` left, emptied, for its next.
    static FIELDS_KEPT: std::cell::Cell<Option<FieldsStorage>> =
        const { std::cell::Cell::new(None) };
}

/// Storage grown past this many bytes by an unusual request is freed, not kept.
const FIELDS_KEPT_MAX: usize = 16 * 1024;

impl Default for Fields {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Fields {
    fn drop(&mut self) {
        let held = self.text.capacity()
            + self.ends.capacity() * std::mem::size_of::<(usize, &'static str)>();
        if held == 0 || held > FIELDS_KEPT_MAX {
            return;
        }
        let mut text = std::mem::take(&mut self.text);
        let mut ends = std::mem::take(&mut self.ends);
        text.clear();
        ends.clear();
        // A thread being torn down has nowhere to keep it; it is freed then.
        let _ = FIELDS_KEPT.try_with(|c| c.set(Some((text, ends))));
    }
}

impl Fields {
    /// No fields yet.
    pub fn new() -> Self {
        let (text, ends) = FIELDS_KEPT
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        Self { text, ends }
    }

    /// Makes room for `fields` more fields of `bytes` bytes (UTF-8) in all (a generated
    /// request reserves what it will write).
    pub fn reserve(&mut self, fields: usize, bytes: usize) {
        self.ends.reserve(fields);
        self.text.reserve(bytes);
    }

    /// How many fields are written.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The fields written, with their names.
    pub fn values(&self) -> impl Iterator<Item = (&str, &'static str)> {
        let mut start = 0;
        self.ends.iter().map(move |&(end, label)| {
            let value = self.text.get(start..end).unwrap_or_default();
            start = end;
            (value, label)
        })
    }

    /// Ends the field being written (its text is what was appended since the last one).
    fn end(&mut self, label: &'static str) {
        self.ends.push((self.text.len(), label));
    }

    /// A text field.
    pub fn text(&mut self, label: &'static str, value: &str) {
        self.text.push_str(value);
        self.end(label);
    }

    /// An integer.
    pub fn integer(&mut self, label: &'static str, value: &i64) {
        if *value < 0 {
            self.text.push('-');
        }
        push_digits(&mut self.text, u128::from(value.unsigned_abs()), 1);
        self.end(label);
    }

    /// A decimal written with exactly `scale` fraction digits (`12.5` at 4: `12.5000`); with
    /// no scale, or when it has more fraction digits than that, as it is.
    pub fn decimal(&mut self, label: &'static str, value: &Decimal, scale: Option<u32>) {
        let written = scale.is_some_and(|scale| push_fixed(&mut self.text, value, scale));
        if !written {
            self.text.push_str(&value.to_xml_text());
        }
        self.end(label);
    }

    /// A date as `yyyy-MM-dd`.
    pub fn date(&mut self, label: &'static str, value: &time::Date) {
        push_date(&mut self.text, *value);
        self.end(label);
    }

    /// A date and time as `yyyy-MM-dd HH:mm:ss`.
    pub fn datetime(&mut self, label: &'static str, value: &time::PrimitiveDateTime) {
        push_date(&mut self.text, value.date());
        let t = value.time();
        self.text.push(' ');
        push_digits(&mut self.text, u128::from(t.hour()), 2);
        self.text.push(':');
        push_digits(&mut self.text, u128::from(t.minute()), 2);
        self.text.push(':');
        push_digits(&mut self.text, u128::from(t.second()), 2);
        self.end(label);
    }

    /// A flag as `1` or `0`.
    pub fn flag(&mut self, label: &'static str, value: &bool) {
        self.text(label, if *value { "1" } else { "0" });
    }
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
fn push_digits(out: &mut String, n: u128, width: usize) {
    // u128::MAX has 39 digits.
    let mut digits = [b'0'; 39];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            // `n % 10` < 10: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation)]
            {
                *d = b'0' + (n % 10) as u8;
            }
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for _ in digits.len() - at..width {
        out.push('0');
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Appends `d` as `yyyy-MM-dd` (the year padded to four digits, as `{:04}` does).
fn push_date(out: &mut String, d: time::Date) {
    let year = d.year();
    match u32::try_from(year) {
        Ok(y) => push_digits(out, u128::from(y), 4),
        Err(_) => {
            let _ = write!(out, "{year:04}");
        }
    }
    out.push('-');
    push_digits(out, u128::from(u8::from(d.month())), 2);
    out.push('-');
    push_digits(out, u128::from(d.day()), 2);
}

/// Appends `value` with exactly `scale` fraction digits (what [`fixed`] gives, without
/// building it), or returns `false` and appends nothing when it has more.
fn push_fixed(out: &mut String, value: &Decimal, scale: u32) -> bool {
    let text = value.as_str();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let plain = int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit());
    let scale_digits = usize::try_from(scale).unwrap_or(usize::MAX);
    // 38 digits always fit the i128 `fixed` scales into; anything longer (or a form that is
    // not plain digits) takes that path itself.
    if !plain || int.len().saturating_add(scale_digits) > 38 {
        return match fixed(value, scale) {
            Some(s) => {
                out.push_str(&s);
                true
            }
            None => false,
        };
    }
    if frac.len() > scale_digits {
        return false;
    }
    if negative && !(int.is_empty() && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if scale_digits > 0 {
        out.push('.');
        out.push_str(frac);
        for _ in frac.len()..scale_digits {
            out.push('0');
        }
    }
    true
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

/// Appends `src` encoded, replacing what the encoding lacks with numeric character references
/// (as [`encoding_rs::Encoding::encode`] does).
fn encode_lossy(encoder: &mut Encoder, src: &str, out: &mut Vec<u8>, last: bool) {
    let mut rest = src;
    loop {
        // Room for the text and for a character reference (`&#1114111;`) at least.
        let room = encoder
            .max_buffer_length_from_utf8_if_no_unmappables(rest.len())
            .unwrap_or(rest.len());
        out.reserve(room.saturating_add(16));
        let (result, read, _) = encoder.encode_from_utf8_to_vec(rest, out, last);
        rest = rest.get(read..).unwrap_or_default();
        if result == CoderResult::InputEmpty {
            return;
        }
    }
}

/// Appends `src` encoded, or stops at the first character the encoding lacks and returns it.
fn encode_strict(encoder: &mut Encoder, src: &str, out: &mut Vec<u8>) -> Result<(), char> {
    let mut rest = src;
    loop {
        let room = encoder
            .max_buffer_length_from_utf8_without_replacement(rest.len())
            .unwrap_or(rest.len());
        out.reserve(room.max(4));
        let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(rest, out, false);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            EncoderResult::InputEmpty => return Ok(()),
            EncoderResult::OutputFull => {}
            EncoderResult::Unmappable(c) => return Err(c),
        }
    }
}

impl Protocol {
    /// The request line: `code`, then each field, joined by the separator, encoded. A field
    /// that cannot travel is an error naming it (the first such field, in order).
    ///
    /// One pass: each field is checked for the separator and NUL, then encoded straight into
    /// the line, the encoder reporting a character the encoding lacks.
    pub fn request(&self, code: &str, fields: &Fields) -> Result<Vec<u8>, WireError> {
        let output = self.encoding.output_encoding();
        // In an ASCII-compatible output encoding (stateless, ASCII as itself) ASCII text is
        // copied as it is; otherwise everything goes through the encoder.
        let ascii_as_is = output.is_ascii_compatible();
        let mut encoder = output.new_encoder();
        let mut separator = [0u8; 4];
        let separator: &str = self.separator.encode_utf8(&mut separator);
        let utf8_len = code.len() + fields.text.len() + fields.len() * separator.len();
        let mut out = Vec::with_capacity(
            encoder
                .max_buffer_length_from_utf8_without_replacement(utf8_len)
                .unwrap_or(utf8_len),
        );
        let put_lossy = |encoder: &mut Encoder, text: &str, out: &mut Vec<u8>| {
            if ascii_as_is && text.is_ascii() {
                out.extend_from_slice(text.as_bytes());
            } else {
                encode_lossy(encoder, text, out, false);
            }
        };
        put_lossy(&mut encoder, code, &mut out);
        for (i, (value, label)) in fields.values().enumerate() {
            let refuse = |reason: String| WireError::Unsendable {
                position: i + 1,
                label: label.to_owned(),
                reason,
            };
            if let Some(reason) = self.forbidden(value) {
                return Err(refuse(reason));
            }
            put_lossy(&mut encoder, separator, &mut out);
            if ascii_as_is && value.is_ascii() {
                out.extend_from_slice(value.as_bytes());
            } else if let Err(c) = encode_strict(&mut encoder, value, &mut out) {
                return Err(refuse(self.unmappable(c)));
            }
        }
        if !ascii_as_is {
            // A stateful encoding (ISO-2022-JP) returns to its initial state.
            encode_lossy(&mut encoder, "", &mut out, true);
        }
        Ok(out)
    }

    /// Why `value` cannot be a field for what it holds (the separator, a NUL), if it cannot.
    fn forbidden(&self, value: &str) -> Option<String> {
        let suspect = match u8::try_from(self.separator).ok().filter(u8::is_ascii) {
            Some(s) => value.bytes().any(|b| b == s || b == 0),
            None => true,
        };
        if !suspect {
            return None;
        }
        if value.contains(self.separator) {
            return Some(format!("it contains the separator `{}`", self.separator));
        }
        if value.contains('\0') {
            return Some("it contains a NUL character".to_owned());
        }
        None
    }

    /// Why a field holding `c` cannot be sent.
    fn unmappable(&self, c: char) -> String {
        format!(
            "`{c}` (U+{:04X}) has no {} encoding",
            u32::from(c),
            self.encoding.name()
        )
    }

    /// `value`'s length once encoded, or the first character the encoding lacks.
    fn encoded_len(&self, value: &str) -> Result<usize, char> {
        let output = self.encoding.output_encoding();
        if output.is_ascii_compatible() && value.is_ascii() {
            return Ok(value.len());
        }
        let mut encoder = output.new_encoder();
        let mut buf = [0u8; 256];
        let (mut rest, mut len) = (value, 0);
        loop {
            let (result, read, written) =
                encoder.encode_from_utf8_without_replacement(rest, &mut buf, true);
            len += written;
            rest = rest.get(read..).unwrap_or_default();
            match result {
                EncoderResult::InputEmpty => return Ok(len),
                EncoderResult::OutputFull => {}
                EncoderResult::Unmappable(c) => return Err(c),
            }
        }
    }

    /// Checks a text field for [`Validate`](crate::xml::Validate): it must be sendable and at
    /// most `max_bytes` long once encoded (one encoding pass finds both).
    pub fn check_text(&self, v: &mut Validator, value: &str, max_bytes: Option<usize>) {
        let reason = match self.forbidden(value) {
            Some(reason) => Err(reason),
            None => self.encoded_len(value).map_err(|c| self.unmappable(c)),
        };
        match reason {
            Err(reason) => {
                v.violation(ViolationKind::Format, format!("cannot be sent: {reason}"));
            }
            Ok(len) => {
                if let Some(max) = max_bytes.filter(|max| len > *max) {
                    v.violation(
                        ViolationKind::Length,
                        format!(
                            "is {len} bytes in {}; at most {max} are allowed",
                            self.encoding.name()
                        ),
                    );
                }
            }
        }
    }

    /// Splits an answer (already cut at its terminating NUL) into its fields, decoding it
    /// strictly: malformed bytes are an error, not replacement characters. The answer is
    /// decoded once into one string; its fields are read from it where they lie.
    ///
    /// The line's storage is kept per thread: an answer decodes into what the thread's last
    /// answer left once nothing held it (neither the answer nor a response's `raw`).
    pub fn answer(&self, bytes: &[u8]) -> Result<Answer, WireError> {
        let mut line = LINE_KEPT
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        let decoded = match Arc::get_mut(&mut line) {
            Some(text) => {
                text.clear();
                decode_into(self.encoding, bytes, text)
            }
            // Not kept unless unshared: this does not happen.
            None => {
                let mut text = String::new();
                let decoded = decode_into(self.encoding, bytes, &mut text);
                line = Arc::new(text);
                decoded
            }
        };
        if !decoded {
            keep_line(line);
            let (lossy, _) = self.encoding.decode_without_bom_handling(bytes);
            return Err(WireError::Encoding {
                encoding: self.encoding.name(),
                snippet: lossy.chars().take(60).collect(),
            });
        }
        Ok(Answer {
            line: Some(line),
            separator: self.separator,
            none: false,
        })
    }
}

/// Decodes `bytes` strictly into `out` (empty), as
/// [`encoding_rs::Encoding::decode_without_bom_handling_and_without_replacement`] does;
/// `false` when they are malformed.
fn decode_into(encoding: &'static encoding_rs::Encoding, bytes: &[u8], out: &mut String) -> bool {
    // ASCII is itself in an ASCII-compatible encoding (not UTF-16, ISO-2022-JP, replacement).
    if encoding.is_ascii_compatible()
        && bytes.is_ascii()
        && let Ok(ascii) = std::str::from_utf8(bytes)
    {
        out.push_str(ascii);
        return true;
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    if let Some(room) = decoder.max_utf8_buffer_length_without_replacement(bytes.len()) {
        out.reserve(room);
        match decoder.decode_to_string_without_replacement(bytes, out, true) {
            (DecoderResult::InputEmpty, _) => return true,
            (DecoderResult::Malformed(..), _) => return false,
            (DecoderResult::OutputFull, _) => out.clear(),
        }
    }
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => {
            out.push_str(&text);
            true
        }
        None => false,
    }
}

thread_local! {
    /// The line of the thread's last answer once nothing held it any more, for its next.
    static LINE_KEPT: std::cell::Cell<Option<Arc<String>>> = const { std::cell::Cell::new(None) };
}

/// A line grown past this many bytes by an unusual answer is freed, not kept.
const LINE_KEPT_MAX: usize = 16 * 1024;

/// Keeps `line` for the thread's next answer if nothing else holds it.
fn keep_line(line: Arc<String>) {
    if Arc::strong_count(&line) == 1 && line.capacity() <= LINE_KEPT_MAX {
        // A thread being torn down has nowhere to keep it; it is freed then.
        let _ = LINE_KEPT.try_with(|c| c.set(Some(line)));
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
///
/// The answer is its decoded line, shared by its clones (a typed response keeps it as its
/// `raw` without copying it), and its separator: fields are read where they lie.
#[derive(Clone)]
pub struct Answer {
    /// The decoded line (`None` only while it is dropped).
    line: Option<Arc<String>>,
    separator: char,
    /// An answer of no fields at all ([`Answer::from_fields`] of none; a line has one).
    none: bool,
}

impl Drop for Answer {
    fn drop(&mut self) {
        // The last holder of the line keeps it for the thread's next answer.
        if let Some(line) = self.line.take() {
            keep_line(line);
        }
    }
}

/// The fields of an [`Answer`], in order.
#[derive(Clone)]
pub struct AnswerFields<'a> {
    /// What is left of the line; `None` once the last field is given.
    rest: Option<&'a str>,
    separator: char,
    /// The separator's byte when it is ASCII (a UTF-8 text holds that byte only as that
    /// character): found as a byte, not by a character search.
    byte: Option<u8>,
}

impl<'a> AnswerFields<'a> {
    fn new(text: &'a str, separator: char, none: bool) -> Self {
        Self {
            rest: (!none).then_some(text),
            separator,
            byte: u8::try_from(separator).ok().filter(u8::is_ascii),
        }
    }
}

impl fmt::Debug for AnswerFields<'_> {
    // The fields may be personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerFields").finish_non_exhaustive()
    }
}

impl<'a> Iterator for AnswerFields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let cut = match self.byte {
            Some(b) => rest.bytes().position(|c| c == b).map(|at| (at, 1)),
            None => rest
                .find(self.separator)
                .map(|at| (at, self.separator.len_utf8())),
        };
        let Some((at, len)) = cut else {
            self.rest = None;
            return Some(rest);
        };
        let (field, after) = rest.split_at_checked(at)?;
        self.rest = after.get(len..);
        Some(field)
    }
}

impl std::iter::FusedIterator for AnswerFields<'_> {}

impl fmt::Debug for Answer {
    // Answers carry names and ID-card numbers: only their shape is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("fields", &self.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Answer {
    /// Equal when their fields are.
    fn eq(&self, other: &Self) -> bool {
        self.fields().eq(other.fields())
    }
}

impl Eq for Answer {}

impl<'a> IntoIterator for &'a Answer {
    type Item = &'a str;
    type IntoIter = AnswerFields<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.fields()
    }
}

impl Answer {
    /// An answer of these fields (tests, sandboxes).
    pub fn from_fields(fields: Vec<String>) -> Self {
        // Joined by a character none of them holds: `|` unless one does. (Only fields that
        // hold every Unicode character between them, megabytes of text, leave none; they are
        // then joined by `|`.)
        let separator = std::iter::once('|')
            .chain('\u{1F}'..=char::MAX)
            .find(|c| !fields.iter().any(|f| f.contains(*c)))
            .unwrap_or('|');
        let mut text = String::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                text.push(separator);
            }
            text.push_str(f);
        }
        Self {
            line: Some(Arc::new(text)),
            separator,
            none: fields.is_empty(),
        }
    }

    /// The decoded line.
    fn line(&self) -> &str {
        self.line.as_deref().map_or("", String::as_str)
    }

    /// Every field as received, the status first.
    pub fn fields(&self) -> AnswerFields<'_> {
        AnswerFields::new(self.line(), self.separator, self.none)
    }

    /// Every field as received, owned.
    pub fn to_vec(&self) -> Vec<String> {
        self.fields().map(str::to_owned).collect()
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        if self.none {
            return 0;
        }
        1 + match u8::try_from(self.separator).ok().filter(u8::is_ascii) {
            Some(b) => memchr::memchr_iter(b, self.line().as_bytes()).count(),
            None => self.line().matches(self.separator).count(),
        }
    }

    /// Whether there is none (only an [`Answer::from_fields`] of none).
    pub fn is_empty(&self) -> bool {
        self.none
    }

    /// Field `position` as received; `None` when absent.
    pub fn get(&self, position: usize) -> Option<&str> {
        self.fields().nth(position)
    }

    /// Field 0.
    pub fn status(&self) -> &str {
        self.get(0).unwrap_or_default()
    }

    /// Field `position`, to read as a value.
    pub fn field(&self, position: usize) -> Field<'_> {
        Field {
            position,
            text: self.get(position),
        }
    }

    /// Fields 0 to `N - 1` (absent ones as absent), found in one pass: a generated response
    /// reads its outputs from them.
    pub fn leading<const N: usize>(&self) -> [Field<'_>; N] {
        let mut out: [Field<'_>; N] = std::array::from_fn(|position| Field {
            position,
            text: None,
        });
        let line = self.line();
        match u8::try_from(self.separator).ok().filter(u8::is_ascii) {
            // The iterator's search, without its state between fields.
            Some(separator) if !self.none => {
                let mut rest = line;
                for f in &mut out {
                    match rest.bytes().position(|b| b == separator) {
                        Some(end) => {
                            f.text = rest.get(..end);
                            rest = rest.get(end + 1..).unwrap_or_default();
                        }
                        None => {
                            f.text = Some(rest);
                            break;
                        }
                    }
                }
            }
            _ => {
                for (f, text) in out.iter_mut().zip(self.fields()) {
                    f.text = Some(text);
                }
            }
        }
        out
    }

    /// Field `position`, trimmed; `None` when absent or empty.
    pub fn text(&self, position: usize) -> Option<String> {
        self.field(position).text()
    }

    /// The fields from `position` on (a list whose layout is not known).
    pub fn rest(&self, position: usize) -> Vec<String> {
        self.fields().skip(position).map(str::to_owned).collect()
    }

    /// An integer field.
    pub fn integer(&self, position: usize, label: &'static str) -> Result<Option<i64>, WireError> {
        self.field(position).integer(label)
    }

    /// A decimal field.
    pub fn decimal(
        &self,
        position: usize,
        label: &'static str,
    ) -> Result<Option<Decimal>, WireError> {
        self.field(position).decimal(label)
    }

    /// A `yyyy-MM-dd` date field.
    pub fn date(
        &self,
        position: usize,
        label: &'static str,
    ) -> Result<Option<time::Date>, WireError> {
        self.field(position).date(label)
    }

    /// A `yyyy-MM-dd HH:mm:ss` field.
    pub fn datetime(
        &self,
        position: usize,
        label: &'static str,
    ) -> Result<Option<time::PrimitiveDateTime>, WireError> {
        self.field(position).datetime(label)
    }

    /// A `0`/`1` flag field.
    pub fn flag(&self, position: usize, label: &'static str) -> Result<Option<bool>, WireError> {
        self.field(position).flag(label)
    }
}

/// One field of an [`Answer`] (present or not), read as a value: empty or blank is absent,
/// text is trimmed.
#[derive(Clone, Copy)]
pub struct Field<'a> {
    position: usize,
    text: Option<&'a str>,
}

impl fmt::Debug for Field<'_> {
    // The text may be personal data: only whether there is one is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("position", &self.position)
            .field("present", &self.text.is_some())
            .finish()
    }
}

impl<'a> Field<'a> {
    /// Its position in the answer.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The text as received; `None` when the answer has no such field.
    pub fn raw(&self) -> Option<&'a str> {
        self.text
    }

    /// The text trimmed; `None` when absent or empty.
    pub fn trimmed(&self) -> Option<&'a str> {
        self.text.map(trim).filter(|s| !s.is_empty())
    }

    /// The text trimmed, owned; `None` when absent or empty.
    pub fn text(&self) -> Option<String> {
        self.trimmed().map(str::to_owned)
    }

    fn parsed<T>(
        &self,
        label: &'static str,
        expected: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, WireError> {
        let Some(text) = self.trimmed() else {
            return Ok(None);
        };
        parse(text).map(Some).ok_or_else(|| WireError::Field {
            position: self.position,
            label,
            text: text.chars().take(60).collect(),
            expected,
        })
    }

    /// An integer.
    pub fn integer(&self, label: &'static str) -> Result<Option<i64>, WireError> {
        self.parsed(label, "an integer", |t| t.parse().ok())
    }

    /// A decimal.
    pub fn decimal(&self, label: &'static str) -> Result<Option<Decimal>, WireError> {
        self.parsed(label, "a decimal number", |t| {
            Decimal::from_xml_text(t).ok()
        })
    }

    /// A `yyyy-MM-dd` date.
    pub fn date(&self, label: &'static str) -> Result<Option<time::Date>, WireError> {
        self.parsed(label, "a date (yyyy-MM-dd)", parse_date)
    }

    /// A `yyyy-MM-dd HH:mm:ss` date and time.
    pub fn datetime(
        &self,
        label: &'static str,
    ) -> Result<Option<time::PrimitiveDateTime>, WireError> {
        self.parsed(label, "a date and time (yyyy-MM-dd HH:mm:ss)", |t| {
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
        })
    }

    /// A `0`/`1` flag.
    pub fn flag(&self, label: &'static str) -> Result<Option<bool>, WireError> {
        self.parsed(label, "0 or 1", |t| match t {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        })
    }
}

/// `text` without leading and trailing whitespace (as [`str::trim`]), at once when its first
/// and last characters cannot be whitespace.
fn trim(text: &str) -> &str {
    // Judged by a character's first byte: printable ASCII, or the lead byte of a character
    // beyond ASCII other than those of the whitespace there (U+0085, U+00A0: C2; U+1680: E1;
    // U+2000–U+205F: E2; U+3000: E3).
    let not_space =
        |b: &u8| (0x21..0x80).contains(b) || (*b >= 0xC0 && !matches!(b, 0xC2 | 0xE1..=0xE3));
    let bytes = text.as_bytes();
    let last_lead = bytes.iter().rev().find(|b| *b & 0xC0 != 0x80);
    if bytes.first().is_some_and(not_space) && last_lead.is_some_and(not_space) {
        text
    } else {
        text.trim()
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

    #[test]
    fn one_pass_request_refuses_in_field_order() {
        let mut f = Fields::new();
        f.text("a", "张三");
        f.text("b", "x😀y|z");
        f.text("c", "a|b");
        // Field 2 holds both the separator and an unmappable character: the separator is
        // named, as the check before sending names it.
        assert_eq!(
            gbk().request("01", &f),
            Err(WireError::Unsendable {
                position: 2,
                label: "b".to_owned(),
                reason: "it contains the separator `|`".to_owned(),
            })
        );
        let mut f = Fields::new();
        f.text("a", "张三");
        f.text("b", "x😀y");
        f.text("c", "a|b");
        assert_eq!(
            gbk().request("01", &f),
            Err(WireError::Unsendable {
                position: 2,
                label: "b".to_owned(),
                reason: "`😀` (U+1F600) has no GBK encoding".to_owned(),
            })
        );
        let mut f = Fields::new();
        f.text("a", "a\0b");
        assert!(matches!(
            gbk().request("01", &f),
            Err(WireError::Unsendable { position: 1, reason, .. }) if reason.contains("NUL")
        ));
    }

    #[test]
    fn answer_fields_are_shared_and_compared_by_value() {
        let a = gbk().answer(b"0|\xd5\xc5\xc8\xfd| 42 ||x").unwrap();
        assert_eq!(a.len(), 5);
        assert_eq!(a.to_vec(), ["0", "张三", " 42 ", "", "x"]);
        assert_eq!(a.get(1), Some("张三"));
        assert_eq!(a.get(5), None);
        let [status, name, age, empty, _, absent] = a.leading::<6>();
        assert_eq!(status.raw(), Some("0"));
        assert_eq!(name.text().as_deref(), Some("张三"));
        assert_eq!(age.integer("n").unwrap(), Some(42));
        assert_eq!(empty.raw(), Some(""));
        assert_eq!(empty.text(), None);
        assert_eq!(absent.raw(), None);
        assert_eq!(absent.position(), 5);
        let from = Answer::from_fields(a.to_vec());
        assert_eq!(from, a);
        assert_eq!(format!("{from:?}"), format!("{a:?}"));
        // Fields holding `|` keep it.
        let piped = Answer::from_fields(vec!["0".to_owned(), "a|b".to_owned()]);
        assert_eq!(piped.to_vec(), ["0", "a|b"]);
        assert_eq!(piped.len(), 2);
        let none = Answer::from_fields(Vec::new());
        assert_eq!((none.len(), none.is_empty(), none.status()), (0, true, ""));
        assert_ne!(none, Answer::from_fields(vec![String::new()]));
    }

    /// The implementation before the one-pass writer and the shared answer (a `String` per
    /// field, the sendability check encoding each character on its own): the new one must
    /// write and read exactly what it did.
    mod old {
        use super::super::*;

        #[derive(Default)]
        pub struct Fields {
            pub values: Vec<(String, &'static str)>,
        }

        fn format_date(d: time::Date) -> String {
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        }

        impl Fields {
            pub fn text(&mut self, label: &'static str, value: &str) {
                self.values.push((value.to_owned(), label));
            }
            pub fn integer(&mut self, label: &'static str, value: &i64) {
                self.text(label, &value.to_string());
            }
            pub fn decimal(&mut self, label: &'static str, value: &Decimal, scale: Option<u32>) {
                let text = match scale {
                    Some(scale) => {
                        fixed(value, scale).unwrap_or_else(|| value.to_xml_text().into_owned())
                    }
                    None => value.to_xml_text().into_owned(),
                };
                self.text(label, &text);
            }
            pub fn date(&mut self, label: &'static str, value: &time::Date) {
                self.text(label, &format_date(*value));
            }
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
            pub fn flag(&mut self, label: &'static str, value: &bool) {
                self.text(label, if *value { "1" } else { "0" });
            }
        }

        pub fn request(p: &Protocol, code: &str, fields: &Fields) -> Result<Vec<u8>, WireError> {
            let mut line = String::from(code);
            for (i, (value, label)) in fields.values.iter().enumerate() {
                if let Some(reason) = unsendable(p, value) {
                    return Err(WireError::Unsendable {
                        position: i + 1,
                        label: (*label).to_owned(),
                        reason,
                    });
                }
                line.push(p.separator);
                line.push_str(value);
            }
            let (bytes, _, _) = p.encoding.encode(&line);
            Ok(bytes.into_owned())
        }

        fn unsendable(p: &Protocol, value: &str) -> Option<String> {
            if value.contains(p.separator) {
                return Some(format!("it contains the separator `{}`", p.separator));
            }
            if value.contains('\0') {
                return Some("it contains a NUL character".to_owned());
            }
            if let Some(c) = value.chars().find(|c| {
                let mut buf = [0u8; 4];
                let (_, _, unmappable) = p.encoding.encode(c.encode_utf8(&mut buf));
                unmappable
            }) {
                return Some(format!(
                    "`{c}` (U+{:04X}) has no {} encoding",
                    u32::from(c),
                    p.encoding.name()
                ));
            }
            None
        }

        pub fn check_text(p: &Protocol, v: &mut Validator, value: &str, max: Option<usize>) {
            if let Some(reason) = unsendable(p, value) {
                v.violation(ViolationKind::Format, format!("cannot be sent: {reason}"));
                return;
            }
            if let Some(max) = max {
                let (bytes, _, _) = p.encoding.encode(value);
                if bytes.len() > max {
                    v.violation(
                        ViolationKind::Length,
                        format!(
                            "is {} bytes in {}; at most {max} are allowed",
                            bytes.len(),
                            p.encoding.name()
                        ),
                    );
                }
            }
        }

        pub fn answer(p: &Protocol, bytes: &[u8]) -> Result<Vec<String>, WireError> {
            let Some(text) = p
                .encoding
                .decode_without_bom_handling_and_without_replacement(bytes)
            else {
                let (lossy, _) = p.encoding.decode_without_bom_handling(bytes);
                return Err(WireError::Encoding {
                    encoding: p.encoding.name(),
                    snippet: lossy.chars().take(60).collect(),
                });
            };
            Ok(text.split(p.separator).map(str::to_owned).collect())
        }

        pub fn text(fields: &[String], position: usize) -> Option<String> {
            fields
                .get(position)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        }

        /// What the old typed readers gave at `position`: text, integer, decimal, date, date
        /// and time, flag (errors by their message).
        pub fn reads(fields: &[String], position: usize) -> [String; 6] {
            let parsed = |expected: &'static str, ok: &dyn Fn(&str) -> Option<String>| match text(
                fields, position,
            ) {
                None => "None".to_owned(),
                Some(t) => match ok(&t) {
                    Some(v) => format!("Some({v})"),
                    None => WireError::Field {
                        position,
                        label: "l",
                        text: t.chars().take(60).collect(),
                        expected,
                    }
                    .to_string(),
                },
            };
            [
                format!("{:?}", text(fields, position)),
                parsed("an integer", &|t| {
                    t.parse::<i64>().ok().map(|n| n.to_string())
                }),
                parsed("a decimal number", &|t| {
                    Decimal::from_xml_text(t)
                        .ok()
                        .map(|d| d.as_str().to_owned())
                }),
                parsed("a date (yyyy-MM-dd)", &|t| {
                    parse_date(t).map(|d| d.to_string())
                }),
                parsed("a date and time (yyyy-MM-dd HH:mm:ss)", &|t| {
                    let (d, tm) = t.split_once(' ')?;
                    let date = parse_date(d)?;
                    let mut parts = tm.split(':').map(|p| p.parse::<u8>().ok());
                    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
                    if parts.next().is_some() {
                        return None;
                    }
                    Some(
                        time::PrimitiveDateTime::new(date, time::Time::from_hms(h, m, s).ok()?)
                            .to_string(),
                    )
                }),
                parsed("0 or 1", &|t| match t {
                    "0" => Some("false".to_owned()),
                    "1" => Some("true".to_owned()),
                    _ => None,
                }),
            ]
        }
    }

    /// What the new typed readers give at `position`, in the form of [`old::reads`].
    fn reads(a: &Answer, position: usize) -> [String; 6] {
        fn show<T>(r: Result<Option<T>, WireError>, f: impl Fn(T) -> String) -> String {
            match r {
                Ok(None) => "None".to_owned(),
                Ok(Some(v)) => format!("Some({})", f(v)),
                Err(e) => e.to_string(),
            }
        }
        let field = a.field(position);
        [
            format!("{:?}", a.text(position)),
            show(a.integer(position, "l"), |n| n.to_string()),
            show(field.decimal("l"), |d| d.as_str().to_owned()),
            show(a.date(position, "l"), |d| d.to_string()),
            show(field.datetime("l"), |d| d.to_string()),
            show(a.flag(position, "l"), |b| b.to_string()),
        ]
    }

    #[derive(Debug, Clone)]
    enum Value {
        Text(String),
        Integer(i64),
        Decimal(Decimal, Option<u32>),
        Date(time::Date),
        DateTime(time::PrimitiveDateTime),
        Flag(bool),
    }

    /// Characters of every kind a field meets: ASCII, the separators used below, NUL, Hanzi
    /// (`亅` is `81 7C` in GBK: its trail byte is `|`), whitespace (ASCII and beyond: what
    /// trimming drops), control characters, and characters GBK lacks.
    fn text() -> impl Strategy<Value = String> {
        let chars = prop::sample::select(vec![
            'a',
            'Z',
            '0',
            '7',
            '-',
            ':',
            '.',
            ' ',
            '\t',
            '|',
            ';',
            '\0',
            '张',
            '三',
            '亅',
            '医',
            '保',
            '号',
            '€',
            '¦',
            'é',
            'ř',
            '😀',
            'ሴ',
            '\u{10FFFF}',
            '\u{E5E5}',
            '\u{3000}',
            '\u{A0}',
            '\u{85}',
            '\u{1680}',
            '\u{2028}',
            '\u{205F}',
            '\u{B}',
            '\u{1}',
            '\u{7F}',
        ]);
        prop::collection::vec(chars, 0..10).prop_map(|c| c.into_iter().collect())
    }

    fn decimal() -> impl Strategy<Value = Decimal> {
        // Zeros (`-0.00`), short and long digits (past what an i128 holds at the scale).
        (
            prop::sample::select(vec!["", "+", "-"]),
            prop_oneof!["0{0,3}", "0?[1-9]{1,3}", "[0-9]{0,42}"],
            prop::option::of(prop_oneof!["0{0,3}", "[1-9]0{0,3}", "[0-9]{0,9}"]),
        )
            .prop_filter_map("no digits", |(sign, int, frac)| {
                let text = match frac {
                    Some(frac) => format!("{sign}{int}.{frac}"),
                    None => format!("{sign}{int}"),
                };
                Decimal::from_xml_text(&text).ok()
            })
    }

    fn date() -> impl Strategy<Value = time::Date> {
        (-9999i32..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| {
            time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
        })
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => text().prop_map(Value::Text),
            1 => any::<i64>().prop_map(Value::Integer),
            2 => (
                decimal(),
                prop::option::of(prop_oneof![0u32..=6, Just(40u32), Just(1000u32)])
            )
                .prop_map(|(d, s)| Value::Decimal(d, s)),
            1 => date().prop_map(Value::Date),
            1 => (date(), 0u8..24, 0u8..60, 0u8..60).prop_map(|(d, h, m, s)| {
                Value::DateTime(time::PrimitiveDateTime::new(
                    d,
                    time::Time::from_hms(h, m, s).unwrap(),
                ))
            }),
            1 => any::<bool>().prop_map(Value::Flag),
        ]
    }

    /// GBK with `|` (Chongqing), GBK with a Hanzi separator, windows-1250 with `;`, and
    /// ISO-2022-JP (stateful, not ASCII-compatible) with `|`.
    fn protocols() -> [Protocol; 4] {
        [
            gbk(),
            Protocol {
                separator: '亅',
                encoding: encoding_rs::GBK,
            },
            Protocol {
                separator: ';',
                encoding: encoding_rs::WINDOWS_1250,
            },
            Protocol {
                separator: '|',
                encoding: encoding_rs::ISO_2022_JP,
            },
        ]
    }

    /// An answer's fields as a sender would write them: text, or numbers, dates and flags
    /// in their wire forms, some padded with blanks.
    fn answer_field() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => text(),
            1 => any::<i64>().prop_map(|n| n.to_string()),
            1 => decimal().prop_map(|d| format!(" {} ", d.as_str())),
            1 => value().prop_map(|v| {
                let mut f = Fields::new();
                write(&mut f, &mut old::Fields::default(), &v);
                f.values().map(|(v, _)| v.to_owned()).collect()
            }),
            1 => prop::sample::select(vec!["0", "1", "2", "-1", " 1 ", "x"]).prop_map(str::to_owned),
        ]
    }

    fn write(new: &mut Fields, old: &mut old::Fields, value: &Value) {
        match value {
            Value::Text(t) => {
                new.text("t", t);
                old.text("t", t);
            }
            Value::Integer(n) => {
                new.integer("n", n);
                old.integer("n", n);
            }
            Value::Decimal(d, scale) => {
                new.decimal("d", d, *scale);
                old.decimal("d", d, *scale);
            }
            Value::Date(d) => {
                new.date("dt", d);
                old.date("dt", d);
            }
            Value::DateTime(d) => {
                new.datetime("ts", d);
                old.datetime("ts", d);
            }
            Value::Flag(b) => {
                new.flag("f", b);
                old.flag("f", b);
            }
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Fields are formatted as before, and the one-pass writer writes the same line, or
        /// refuses the same field for the same reason (separator, NUL, a character the
        /// encoding lacks), as the check-then-encode writer did.
        #[test]
        fn request_writes_what_the_old_writer_wrote(values in prop::collection::vec(value(), 0..12)) {
            let (mut new, mut old) = (Fields::new(), old::Fields::default());
            for v in &values {
                write(&mut new, &mut old, v);
            }
            let formatted: Vec<(String, &str)> =
                new.values().map(|(v, l)| (v.to_owned(), l)).collect();
            prop_assert_eq!(&formatted, &old.values);
            prop_assert_eq!(new.len(), values.len());
            for p in protocols() {
                prop_assert_eq!(p.request("04", &new), old::request(&p, "04", &old));
            }
        }

        /// Validation finds the same violations (one encoding pass instead of two).
        #[test]
        fn check_text_finds_what_the_old_check_found(
            value in text(),
            max in prop::option::of(0usize..24),
        ) {
            for p in protocols() {
                let (mut new, mut old) = (Validator::new(), Validator::new());
                new.field("x", |v| p.check_text(v, &value, max));
                old.field("x", |v| old::check_text(&p, v, &value, max));
                prop_assert_eq!(new.finish(), old.finish());
            }
        }

        /// A line of fields encoded (or arbitrary bytes) reads as before: the same fields, the
        /// same typed values or errors at every position, the same encoding errors.
        #[test]
        fn answer_reads_what_the_old_answer_read(
            fields in prop::collection::vec(answer_field(), 1..8),
            noise in prop::collection::vec(
                prop::sample::select(vec![0x7Cu8, 0x81, 0xD5, 0xC5, 0xFF, 0x30, 0x20, 0x1B]),
                0..12,
            ),
            use_noise in any::<bool>(),
        ) {
            for p in protocols() {
                let bytes = if use_noise {
                    noise.clone()
                } else {
                    let mut sep = [0u8; 4];
                    let line = fields.join(&*p.separator.encode_utf8(&mut sep));
                    p.encoding.encode(&line).0.into_owned()
                };
                let (new, old) = (p.answer(&bytes), old::answer(&p, &bytes));
                match (new, old) {
                    (Ok(new), Ok(old)) => {
                        prop_assert_eq!(new.to_vec(), old.clone());
                        prop_assert_eq!(new.len(), old.len());
                        prop_assert_eq!(new.status(), old.first().map_or("", String::as_str));
                        prop_assert_eq!(&Answer::from_fields(old.clone()), &new);
                        // Fewer leading fields than the line holds, too.
                        for (position, f) in new.leading::<3>().iter().enumerate() {
                            prop_assert_eq!(f.raw(), old.get(position).map(String::as_str));
                        }
                        let leading = new.leading::<10>();
                        for (position, f) in leading.iter().enumerate() {
                            prop_assert_eq!(f.raw(), old.get(position).map(String::as_str));
                            prop_assert_eq!(reads(&new, position), old::reads(&old, position));
                            prop_assert_eq!(
                                new.rest(position),
                                old.get(position..).unwrap_or_default().to_vec()
                            );
                        }
                    }
                    (new, old) => prop_assert_eq!(new.map(|a| a.to_vec()), old),
                }
            }
        }
    }
}
