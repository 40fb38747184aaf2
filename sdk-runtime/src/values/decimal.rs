//! `xs:decimal`: exact decimal numbers of any precision, kept as written.

use std::cmp::Ordering;

use super::{keyed_eq, lexical_value, value_error};
use crate::xml::ValueError;

/// An `xs:decimal`: an exact decimal number of any precision (prices, quantities, rates), never
/// a binary float.
///
/// The value keeps its lexical form (`12.50`, `+3`, `.5` are written back as read). Equality,
/// hashing and order are by numeric value: `Decimal::parse("12.50") == Decimal::parse("12.5")`.
///
/// ```
/// # use sdk_runtime::Decimal;
/// let price: Decimal = "12.50".parse()?;
/// assert_eq!(price.as_str(), "12.50");
/// assert_eq!(price, Decimal::from_parts(125, 1));
/// assert_eq!(price.to_scaled(2), Some(1250)); // in hundredths
/// assert_eq!(price.fraction_digits(), 1);     // XSD counts the value's digits
/// assert!("1e3".parse::<Decimal>().is_err()); // no exponents in xs:decimal
/// # Ok::<(), sdk_runtime::xml::ValueError>(())
/// ```
///
/// With the `serde` feature a decimal is written as a JSON number. JSON numbers pass through a
/// binary float in `serde_json` (unless its `arbitrary_precision` feature is on), which is exact
/// for values of at most 15 significant digits; writing a decimal with more digits than a float
/// carries is refused with an error rather than rounded. Reading accepts numbers and strings.
#[derive(Clone)]
pub struct Decimal {
    text: Text,
}

/// Bytes of a lexical form kept in place: a decimal of 18 digits with sign and point fits.
const INLINE: usize = 22;

/// A decimal's lexical form: a constant, short enough to keep in place (most are, so reading
/// one allocates nothing), or on the heap. The size of a `Cow<str>`.
#[derive(Clone)]
enum Text {
    Static(&'static str),
    Inline(u8, [u8; INLINE]),
    Heap(Box<str>),
}

impl Text {
    fn new(text: &str) -> Self {
        let mut bytes = [0u8; INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(to), Ok(len)) => {
                to.copy_from_slice(text.as_bytes());
                Self::Inline(len, bytes)
            }
            _ => Self::Heap(text.into()),
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Self::new(&text)
        } else {
            Self::Heap(text.into_boxed_str())
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Self::Static(text) => text,
            // Always a whole UTF-8 text (copied from one).
            Self::Inline(len, bytes) => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or("0"),
            Self::Heap(text) => text,
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// An `xs:decimal` from a literal, checked when the program is compiled:
/// `decimal!("59.90")`. A literal that is not a decimal is a compile error.
///
/// ```
/// use sdk_runtime::{Decimal, decimal};
/// const VAT: Decimal = decimal!("0.21");
/// assert_eq!(decimal!("59.90").to_scaled(2), Some(5990));
/// assert_eq!(VAT.as_str(), "0.21");
/// ```
///
/// ```compile_fail
/// let bad = sdk_runtime::decimal!("5,90");
/// ```
#[macro_export]
macro_rules! decimal {
    ($text:literal) => {{
        const VALUE: $crate::values::Decimal = {
            if !$crate::values::Decimal::is_decimal($text) {
                ::std::panic!(concat!("`", $text, "` is not an xs:decimal"));
            }
            $crate::values::Decimal::from_static_or_zero($text)
        };
        VALUE
    }};
}

/// The value of a decimal: sign, integer digits without leading zeros, fraction digits without
/// trailing zeros (both empty for zero, which is never negative).
#[derive(PartialEq, Eq, Hash)]
struct Parts<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
}

/// The digits before and after the point (a byte search: faster than a character one on
/// these short texts).
fn split_point(body: &str) -> (&str, &str) {
    match body.bytes().position(|b| b == b'.') {
        Some(at) => (
            body.get(..at).unwrap_or_default(),
            body.get(at + 1..).unwrap_or_default(),
        ),
        None => (body, ""),
    }
}

/// `[+-]?(digits(.digits?)?|.digits)`, usable in constants.
const fn is_lexical(b: &[u8]) -> bool {
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut digits = 0;
    let mut points = 0;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return false,
        }
        i += 1;
    }
    digits > 0 && points <= 1
}

impl Decimal {
    /// `true` when `text` is an `xs:decimal` lexical form (usable in constants).
    pub const fn is_decimal(text: &str) -> bool {
        is_lexical(text.as_bytes())
    }

    /// A decimal from a `'static` text without allocating, zero when the text is not an
    /// `xs:decimal` (check with [`Decimal::is_decimal`] first, as [`decimal!`](crate::decimal)
    /// does at compile time).
    pub const fn from_static_or_zero(text: &'static str) -> Self {
        Self {
            text: Text::Static(if is_lexical(text.as_bytes()) {
                text
            } else {
                "0"
            }),
        }
    }

    fn parse_lexical(text: &str) -> Result<Self, String> {
        // One pass over the bytes for the usual well-formed text; the messages below for the
        // rest.
        if is_lexical(text.as_bytes()) {
            return Ok(Self {
                text: Text::new(text),
            });
        }
        let body = text.strip_prefix(['+', '-']).unwrap_or(text);
        let (int, frac) = split_point(body);
        if int.is_empty() && frac.is_empty() {
            return Err("expected digits such as 12, -0.5 or 1250.00".to_owned());
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err("only digits, one `.` and a leading sign are allowed".to_owned());
        }
        Ok(Self {
            text: Text::new(text),
        })
    }

    /// The number `mantissa × 10^-scale` (`from_parts(1250, 2)` is `12.50`).
    pub fn from_parts(mantissa: i128, scale: u32) -> Self {
        let digits = mantissa.unsigned_abs().to_string();
        let scale = scale as usize;
        let sign = if mantissa < 0 { "-" } else { "" };
        let text = if scale == 0 {
            format!("{sign}{digits}")
        } else if digits.len() > scale {
            let (i, f) = digits.split_at(digits.len() - scale);
            format!("{sign}{i}.{f}")
        } else {
            format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
        };
        Self { text: text.into() }
    }

    /// What equality and hashing compare.
    fn key(&self) -> Parts<'_> {
        self.parts()
    }

    fn parts(&self) -> Parts<'_> {
        let t = &*self.text;
        let negative = t.starts_with('-');
        let body = t.strip_prefix(['+', '-']).unwrap_or(t);
        let (int, frac) = split_point(body);
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        Parts {
            negative: negative && !(int.is_empty() && frac.is_empty()),
            int,
            frac,
        }
    }

    /// `true` for values below zero (`-0` is zero).
    pub fn is_negative(&self) -> bool {
        self.parts().negative
    }

    /// `true` for zero in any of its forms (`0`, `-0.00`, `.0`).
    pub fn is_zero(&self) -> bool {
        let p = self.parts();
        p.int.is_empty() && p.frac.is_empty()
    }

    /// Significant digits of the value, as XSD's `totalDigits` counts them (`012.50` has 3).
    pub fn total_digits(&self) -> usize {
        let p = self.parts();
        if p.int.is_empty() {
            p.frac.trim_start_matches('0').len().max(1)
        } else {
            p.int.len() + p.frac.len()
        }
    }

    /// Digits after the point in the value, as XSD's `fractionDigits` counts them (`12.50`
    /// has 1).
    pub fn fraction_digits(&self) -> usize {
        self.parts().frac.len()
    }

    /// Digits after the point as written (`12.50` has 2): what the lexical form shows.
    pub fn scale(&self) -> u32 {
        let frac = split_point(&self.text).1;
        u32::try_from(frac.len()).unwrap_or(u32::MAX)
    }

    /// The value times `10^scale` as an integer (`12.5` at scale 2 is `1250`: amounts in
    /// hundredths), or `None` when that is not a whole number or does not fit an `i128`.
    pub fn to_scaled(&self, scale: u32) -> Option<i128> {
        let p = self.parts();
        let scale = scale as usize;
        if p.frac.len() > scale {
            return None;
        }
        let mut digits = String::with_capacity(p.int.len() + scale);
        digits.push_str(p.int);
        digits.push_str(p.frac);
        digits.extend(std::iter::repeat_n('0', scale - p.frac.len()));
        let magnitude: i128 = if digits.bytes().all(|b| b == b'0') {
            0
        } else {
            digits.trim_start_matches('0').parse().ok()?
        };
        Some(if p.negative { -magnitude } else { magnitude })
    }

    /// The value as `(mantissa, scale)` with the lexical form's scale (`12.50` is `(1250, 2)`),
    /// or `None` when the mantissa does not fit an `i128`.
    pub fn to_parts(&self) -> Option<(i128, u32)> {
        let scale = self.scale();
        Some((self.to_scaled(scale)?, scale))
    }

    /// Whether the value is a whole multiple of `step` (exact, any size of value), or `None`
    /// when `step` is zero or has more than 36 significant digits.
    pub fn is_multiple_of(&self, step: &Self) -> Option<bool> {
        let (a, b) = (self.parts(), step.parts());
        let scale = a.frac.len().max(b.frac.len());
        let padded = |p: &Parts<'_>| {
            let mut s = String::with_capacity(p.int.len() + scale);
            s.push_str(p.int);
            s.push_str(p.frac);
            s.extend(std::iter::repeat_n('0', scale - p.frac.len()));
            s
        };
        let divisor = padded(&b);
        let divisor = divisor.trim_start_matches('0');
        if divisor.is_empty() || divisor.len() > 36 {
            return None;
        }
        let divisor: u128 = divisor.parse().ok()?;
        let rem = padded(&a)
            .bytes()
            .fold(0u128, |r, d| (r * 10 + u128::from(d - b'0')) % divisor);
        Some(rem == 0)
    }

    /// The value as an integer, when it is whole and fits.
    pub fn to_i128(&self) -> Option<i128> {
        self.to_scaled(0)
    }

    /// The nearest binary float (lossy: for display and arithmetic where that is acceptable).
    pub fn to_f64(&self) -> f64 {
        let p = self.parts();
        let int = if p.int.is_empty() { "0" } else { p.int };
        let sign = if p.negative { "-" } else { "" };
        format!("{sign}{int}.{}0", p.frac)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// The shortest decimal that reads back as `value` (`0.1` for `0.1_f64`, `3.0` for
    /// `3_f64`); `None` for NaN and infinities.
    pub fn from_f64(value: f64) -> Option<Self> {
        // `Display` for floats prints the shortest round-tripping digits, never an exponent.
        value.is_finite().then(|| {
            let mut text = value.to_string();
            if !text.contains('.') {
                text.push_str(".0");
            }
            Self { text: text.into() }
        })
    }

    /// The value in canonical form: no `+`, no leading zeros, no trailing fraction zeros (`1.5`,
    /// `-0.25`, `3`).
    pub fn normalized(&self) -> Self {
        let p = self.parts();
        let int = if p.int.is_empty() { "0" } else { p.int };
        let sign = if p.negative { "-" } else { "" };
        let text = if p.frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{}", p.frac)
        };
        Self { text: text.into() }
    }
}

lexical_value!(Decimal, "xs:decimal");

impl Default for Decimal {
    /// Zero.
    fn default() -> Self {
        Self {
            text: Text::Static("0"),
        }
    }
}

keyed_eq!(Decimal);

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.parts(), other.parts());
        let magnitude = a
            .int
            .len()
            .cmp(&b.int.len())
            .then_with(|| a.int.cmp(b.int))
            .then_with(|| a.frac.cmp(b.frac));
        match (a.negative, b.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => magnitude,
            (true, true) => magnitude.reverse(),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Decimal {
            fn from(v: $t) -> Self {
                Self { text: Text::from(v.to_string()) }
            }
        }
    )*};
}

from_int!(
    i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, usize, isize
);

impl TryFrom<f64> for Decimal {
    type Error = ValueError;
    fn try_from(v: f64) -> Result<Self, ValueError> {
        Self::from_f64(v)
            .ok_or_else(|| value_error(&v.to_string(), "xs:decimal", "not a finite number"))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written without a point, as an integer; with one, as a float (`12.50` as `12.5`).
        if !self.text.contains('.')
            && let Some(i) = self.to_i128()
        {
            if let Ok(i) = i64::try_from(i) {
                return s.serialize_i64(i);
            }
            if let Ok(u) = u64::try_from(i) {
                return s.serialize_u64(u);
            }
        }
        // At most 15 significant digits (and so a magnitude between 1e-15 and 1e15) survive
        // the trip through the nearest binary float exactly (DBL_DIG): no need to print the
        // float back to know.
        let p = self.parts();
        if p.int.len() + p.frac.len() <= 15
            && let Ok(f) = self.text.parse::<f64>()
        {
            return s.serialize_f64(f);
        }
        let f = self.to_f64();
        match Self::from_f64(f) {
            Some(back) if back == *self => s.serialize_f64(f),
            _ => Err(serde::ser::Error::custom(format!(
                "the decimal {self} has more digits than a JSON number written through a binary \
                 float keeps (at most 15 significant digits are exact)"
            ))),
        }
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a decimal number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(v.into())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(v.into())
            }
            fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Decimal, E> {
                Ok(v.into())
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Decimal, E> {
                Ok(v.into())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
                Decimal::from_f64(v).ok_or_else(|| E::custom("not a finite number"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
                Decimal::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::xml::XmlText;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn texts_in_place_and_on_the_heap_are_kept_alike() {
        // Either side of the in-place length, built every way a decimal is.
        for len in 2..=(INLINE + 3) {
            let text = format!("-{}.{}", "1".repeat(len / 2), "5".repeat(len - len / 2));
            let kept = d(&text);
            assert_eq!(kept.as_str(), text);
            assert_eq!(kept.to_string(), text);
            assert_eq!(kept.clone().as_str(), text);
            let (mantissa, scale) = kept.to_parts().unwrap();
            assert_eq!(Decimal::from_parts(mantissa, scale).as_str(), text);
            assert_eq!(Decimal::from_parts(mantissa, scale), kept);
            assert!(matches!(
                (&kept.text, text.len() <= INLINE),
                (Text::Inline(..), true) | (Text::Heap(_), false)
            ));
        }
        assert_eq!(format!("{:?}", d("1.5")), "Decimal(1.5)");
    }

    #[test]
    fn lexical_forms_are_kept_and_compared_by_value() {
        for s in ["12.50", "+3", ".5", "5.", "-0.00", "007", "0"] {
            assert_eq!(d(s).to_xml_text(), s);
        }
        assert_eq!(d("12.50"), d("12.5"));
        assert_eq!(d("-0.00"), d("0"));
        assert_eq!(d("+007.0"), d("7"));
        assert!(d("-1") < d("0"));
        assert!(d("-10") < d("-9.99"));
        assert!(d("0.45") < d("0.5"));
        assert!(d("100") > d("99.999"));
        assert!(d("1.05") > d("1.0499999999999999999999999"));
        use std::collections::HashSet;
        let set: HashSet<Decimal> = ["1.0", "1", "+1.000"].iter().map(|s| d(s)).collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn rejects_what_is_not_a_decimal() {
        for bad in [
            "", ".", "+", "1e3", "1,5", "1.2.3", "--1", "NaN", "INF", "1 000", "0x10",
        ] {
            assert!(Decimal::parse(bad).is_err(), "{bad:?}");
        }
        let e = Decimal::parse("1e3").unwrap_err().to_string();
        assert!(e.contains("xs:decimal"), "{e}");
    }

    /// The one-pass check accepts exactly what the rule of a sign, digits and one point
    /// accepts, on every text of up to five characters from a small alphabet.
    #[test]
    fn the_one_pass_check_is_the_rule() {
        let rule = |text: &str| {
            let body = text.strip_prefix(['+', '-']).unwrap_or(text);
            let (int, frac) = split_point(body);
            !(int.is_empty() && frac.is_empty())
                && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        };
        let alphabet = ['+', '-', '.', '1', '0', 'a', ' '];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, String::len))
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        assert!(texts.len() > 19_000);
        for t in &texts {
            assert_eq!(is_lexical(t.as_bytes()), rule(t), "{t:?}");
            assert_eq!(Decimal::parse(t).is_ok(), rule(t.trim()), "{t:?}");
        }
    }

    #[test]
    fn digits_and_scaled_values() {
        assert_eq!(d("012.50").total_digits(), 3);
        assert_eq!(d("0.0012").total_digits(), 2);
        assert_eq!(d("0").total_digits(), 1);
        assert_eq!(d("12.50").fraction_digits(), 1);
        assert_eq!(d("12.50").scale(), 2);
        assert_eq!(d("12.5").to_scaled(2), Some(1250));
        assert_eq!(d("-12.505").to_scaled(2), None);
        assert_eq!(d("-12.505").to_parts(), Some((-12505, 3)));
        assert_eq!(Decimal::from_parts(-5, 3).as_str(), "-0.005");
        assert_eq!(Decimal::from_parts(1250, 2).as_str(), "12.50");
        assert_eq!(
            d("123456789012345678901234567890.5").to_scaled(1),
            Some(1_234_567_890_123_456_789_012_345_678_905)
        );
        assert_eq!(d("1").to_scaled(40), None);
        assert_eq!(d("+.50").normalized().as_str(), "0.5");
        assert_eq!(d("0.1").to_f64(), 0.1);
        assert_eq!(Decimal::from_f64(1e-7).unwrap(), d("0.0000001"));
        assert!(Decimal::from_f64(f64::NAN).is_none());
        assert_eq!(d("0.07").is_multiple_of(&d("0.01")), Some(true));
        assert_eq!(d("12.345").is_multiple_of(&d("0.01")), Some(false));
        assert_eq!(d("-15").is_multiple_of(&d("7.5")), Some(true));
        assert_eq!(
            d("1000000000000000000000000000000000000000.5").is_multiple_of(&d("0.5")),
            Some(true)
        );
        assert_eq!(d("1").is_multiple_of(&d("0")), None);
    }

    #[cfg(feature = "rest")]
    #[test]
    fn json_numbers_are_exact_or_refused() {
        let v: Vec<Decimal> = serde_json::from_str("[12.50, 3, -0.1, \"7.25\", 1e2]").unwrap();
        assert_eq!(v, [d("12.5"), d("3"), d("-0.1"), d("7.25"), d("100")]);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            "[12.5,3,-0.1,7.25,100.0]"
        );
        assert_eq!(
            serde_json::to_string(&d("99999999.99")).unwrap(),
            "99999999.99"
        );
        assert_eq!(serde_json::to_string(&d("-12")).unwrap(), "-12");
        // More digits than a binary float keeps: refused, never rounded.
        let e = serde_json::to_string(&d("12345678901234567.5")).unwrap_err();
        assert!(e.to_string().contains("more digits"), "{e}");
        assert!(serde_json::from_str::<Decimal>("\"1e3\"").is_err());
        assert!(serde_json::from_str::<Decimal>("true").is_err());
    }

    #[cfg(feature = "rest")]
    proptest::proptest! {
        /// The shortcut for decimals of at most 15 significant digits writes what the exact
        /// check (the float printed back and compared) would: the same number, read back equal.
        #[test]
        fn short_decimals_are_written_as_the_exact_check_would(
            sign in proptest::sample::select(vec!["", "-", "+"]),
            int in "0{0,3}[0-9]{0,9}",
            frac in "[0-9]{0,8}",
            point in proptest::bool::ANY,
        ) {
            let text = if point || int.is_empty() { format!("{sign}{int}.{frac}0") } else { format!("{sign}{int}") };
            let v = d(&text);
            let f = v.to_f64();
            let exact = Decimal::from_f64(f).is_some_and(|back| back == v);
            let written = serde_json::to_string(&v);
            proptest::prop_assert_eq!(written.is_ok(), exact || !text.contains('.'), "{}", text);
            if let Ok(json) = written {
                let back: Decimal = serde_json::from_str(&json).unwrap();
                proptest::prop_assert_eq!(back, v, "{} -> {}", text, json);
            }
        }
    }
}
