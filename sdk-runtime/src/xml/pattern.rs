//! Matching values against schema patterns (`xs:pattern`, JSON Schema `pattern`).
//!
//! Patterns are compiled once per process and kept; each thread also keeps the compiled
//! patterns it used, found by the address of the pattern's `&'static str`, so that a check
//! takes neither the process-wide lock nor a hash of the pattern's text (both showed in
//! profiles: a pattern check cost about 900 instructions, most of them there).
//!
//! Most schema patterns are a row of characters and character classes, each repeated a fixed
//! or bounded number of times: `[0-9]{8}`, `CZ[0-9]{8,10}`, a UUID's
//! `[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-…`. Those are matched by a small scanner over the bytes
//! ([`Row`]) instead of the `regex` crate, when the scanner gives the same answer by
//! construction: ASCII values only (anything else goes to the regex), and a bounded repetition
//! only where the characters that may follow it cannot continue it (so the longest run is the
//! only possible one). Every other pattern, and every value with non-ASCII characters, is
//! matched by the regex, as before.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

/// Matches a value against an XSD pattern. Compiled patterns are cached for the process.
pub fn pattern_matches(pattern: &'static str, value: &str) -> Result<bool, String> {
    cached_match(pattern, false, value)
}

/// Matches a value against a JSON Schema pattern (unanchored). Compiled patterns are cached for
/// the process.
pub fn json_pattern_matches(pattern: &'static str, value: &str) -> Result<bool, String> {
    cached_match(pattern, true, value)
}

/// Translates an XSD regular expression (XML Schema Part 2, appendix F) to the `regex` crate's
/// syntax, character by character, so that it means what it means in XSD:
///
/// - the pattern is implicitly anchored, and `^` and `$` are ordinary characters (escaped);
/// - `.` is any character but LF and CR; `\s` is space, tab, LF and CR only; `\w` is any
///   character but punctuation, separators and "other" (`[^\p{P}\p{Z}\p{C}]`), so `$` and
///   `+` are word characters; `\i` and `\c` are XML name characters;
/// - a class subtraction `[a-z-[aeiou]]` is the `regex` crate's difference `--`, and inside a
///   class `&`, `~` and `-` before `-` are escaped, so that they stay characters rather than
///   the crate's class operators.
///
/// Escapes the `regex` crate reads as XSD does (`\d`, `\p{Lu}`, `\n`, escaped
/// metacharacters) are copied. XSD's Unicode block escapes (`\p{IsBasicLatin}`) have no
/// equivalent there and are left for the crate to refuse (the pattern is then reported as not
/// supported).
pub fn xsd_pattern_to_regex(pattern: &str) -> String {
    // Multi-character escapes as class contents: (positive set, negated).
    fn set(e: char) -> Option<(&'static str, bool)> {
        const NAME_START: &str = "_:A-Za-z\\p{L}";
        const NAME: &str = "\\-._:A-Za-z0-9\\p{L}\\p{N}";
        const SPACE: &str = " \\t\\n\\r";
        const NOT_WORD: &str = "\\p{P}\\p{Z}\\p{C}";
        Some(match e {
            'i' => (NAME_START, false),
            'I' => (NAME_START, true),
            'c' => (NAME, false),
            'C' => (NAME, true),
            's' => (SPACE, false),
            'S' => (SPACE, true),
            // `\w` is the complement of punctuation, separators and other.
            'w' => (NOT_WORD, true),
            'W' => (NOT_WORD, false),
            _ => return None,
        })
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    out.push_str("^(?:");
    // How deep inside character classes (a subtraction nests one in another).
    let mut depth = 0usize;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    // A lone trailing backslash: not XSD; the crate refuses it too.
                    out.push('\\');
                    break;
                };
                match set(e) {
                    // Inside a class a positive set is its contents; a negated one, and any
                    // set outside a class, is a class of its own (a class may hold a class).
                    Some((contents, false)) if depth > 0 => out.push_str(contents),
                    Some((contents, negated)) => {
                        out.push('[');
                        if negated {
                            out.push('^');
                        }
                        out.push_str(contents);
                        out.push(']');
                    }
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' => {
                depth += 1;
                out.push('[');
                // A class's leading `^` negates it in both syntaxes.
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if depth > 0 => {
                depth -= 1;
                out.push(']');
            }
            // XSD's subtraction: `-[` inside a class.
            '-' if depth > 0 && chars.peek() == Some(&'[') => out.push_str("--"),
            // A `-` right before another is a character to XSD, an operator to the crate.
            '-' if depth > 0 && chars.peek() == Some(&'-') => out.push_str("\\-"),
            '&' | '~' if depth > 0 => {
                out.push('\\');
                out.push(c);
            }
            '^' | '$' if depth == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' if depth == 0 => out.push_str("[^\\n\\r]"),
            c => out.push(c),
        }
    }
    out.push_str(")$");
    out
}

/// A compiled pattern.
struct Compiled {
    regex: regex::Regex,
    /// The same pattern as a row of repeated classes, when it is one (XSD patterns only).
    row: Option<Row>,
}

impl Compiled {
    fn is_match(&self, value: &str) -> bool {
        match &self.row {
            Some(row) if value.is_ascii() => row.is_match(value.as_bytes()),
            _ => self.regex.is_match(value),
        }
    }
}

/// The thread's patterns, by the address and length of the pattern text and its syntax.
type Local = HashMap<(usize, usize, bool), Arc<Compiled>, BuildHasherDefault<AddressHasher>>;

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(HashMap::default());
}

/// A hasher for the thread's own keys (addresses, not input): a multiply and a rotate per word
/// instead of SipHash, which cost more than the match of a short value.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// More patterns than any service description has: a thread's cache is emptied past this.
const LOCAL_MAX: usize = 4096;

fn cached_match(pattern: &'static str, json: bool, value: &str) -> Result<bool, String> {
    let key = (pattern.as_ptr() as usize, pattern.len(), json);
    let local = LOCAL
        .try_with(|l| l.borrow().get(&key).cloned())
        .ok()
        .flatten();
    if let Some(c) = local {
        return Ok(c.is_match(value));
    }
    let compiled = shared(pattern, json)?;
    let _ = LOCAL.try_with(|l| {
        let mut l = l.borrow_mut();
        if l.len() >= LOCAL_MAX {
            l.clear();
        }
        l.insert(key, Arc::clone(&compiled));
    });
    Ok(compiled.is_match(value))
}

/// The process's compiled pattern, compiled on first use.
fn shared(pattern: &'static str, json: bool) -> Result<Arc<Compiled>, String> {
    type Cache = HashMap<(&'static str, bool), Arc<Compiled>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .map_err(|_| "pattern cache poisoned".to_owned())?;
    if let Some(c) = cache.get(&(pattern, json)) {
        return Ok(Arc::clone(c));
    }
    let source = if json {
        pattern.to_owned()
    } else {
        xsd_pattern_to_regex(pattern)
    };
    let regex = regex::Regex::new(&source)
        .map_err(|e| format!("schema pattern `{pattern}` is not supported: {e}"))?;
    let row = if json { None } else { Row::parse(pattern) };
    let compiled = Arc::new(Compiled { regex, row });
    cache.insert((pattern, json), Arc::clone(&compiled));
    Ok(compiled)
}

/// A set of ASCII bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Class([u64; 2]);

impl Class {
    fn add(&mut self, b: u8) {
        if let Some(w) = self.0.get_mut(usize::from(b >> 6)) {
            *w |= 1 << (b & 63);
        }
    }

    fn add_range(&mut self, from: u8, to: u8) {
        for b in from..=to {
            self.add(b);
        }
    }

    fn contains(&self, b: u8) -> bool {
        self.0
            .get(usize::from(b >> 6))
            .is_some_and(|w| w & (1 << (b & 63)) != 0)
    }

    fn disjoint(&self, other: &Class) -> bool {
        let (Class([a0, a1]), Class([b0, b1])) = (self, other);
        a0 & b0 == 0 && a1 & b1 == 0
    }
}

/// One class repeated `min..=max` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Atom {
    class: Class,
    min: u32,
    max: u32,
}

/// A pattern that is a row of [`Atom`]s, matched by taking the longest run of each in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row(Vec<Atom>);

/// Bytes that are themselves in XSD's regular expressions, and those the `regex` crate reads
/// otherwise (`^`, `$`): a pattern using them is left to the regex.
const META: &[u8] = b".\\?*+{}()[]|^$";

impl Row {
    /// The pattern as a row, or `None` when it is anything else (alternatives, groups,
    /// negated or subtracted classes, `.`, escapes other than `\d` and escaped
    /// metacharacters, non-ASCII characters) or when taking the longest run of a repetition
    /// could miss a match.
    fn parse(pattern: &str) -> Option<Row> {
        let b = pattern.as_bytes();
        let mut atoms = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let (class, next) = match *b.get(i)? {
                b'[' => Self::class(b, i + 1)?,
                b'\\' => (Self::escape(*b.get(i + 1)?)?, i + 2),
                c if c.is_ascii() && !META.contains(&c) => {
                    let mut class = Class::default();
                    class.add(c);
                    (class, i + 1)
                }
                _ => return None,
            };
            let (min, max, next) = Self::quantifier(b, next)?;
            atoms.push(Atom { class, min, max });
            i = next;
        }
        // The longest run of a repetition is the only one a match can use when no byte of
        // it can be taken by what may follow it: the atoms up to and including the first
        // that must occur.
        for (k, a) in atoms.iter().enumerate() {
            if a.min == a.max {
                continue;
            }
            for next in atoms.iter().skip(k + 1) {
                if !a.class.disjoint(&next.class) {
                    return None;
                }
                if next.min > 0 {
                    break;
                }
            }
        }
        Some(Row(atoms))
    }

    /// `\d` (a digit, of ASCII values) or an escaped metacharacter.
    fn escape(c: u8) -> Option<Class> {
        let mut class = Class::default();
        match c {
            b'd' => class.add_range(b'0', b'9'),
            c if META.contains(&c) || c == b'-' => class.add(c),
            _ => return None,
        }
        Some(class)
    }

    /// A class `[…]` of single characters and ranges, `i` just after its `[`.
    fn class(b: &[u8], mut i: usize) -> Option<(Class, usize)> {
        let mut class = Class::default();
        if b.get(i) == Some(&b'^') {
            return None;
        }
        let mut first = true;
        loop {
            let c = *b.get(i)?;
            if c == b']' && !first {
                return Some((class, i + 1));
            }
            first = false;
            let (lo, after) = match c {
                b'\\' => {
                    let e = *b.get(i + 1)?;
                    if e == b'd' {
                        class.add_range(b'0', b'9');
                        i += 2;
                        continue;
                    }
                    if !(META.contains(&e) || e == b'-') {
                        return None;
                    }
                    (e, i + 2)
                }
                b'[' => return None,
                // A `-` that is not the first or last of the class is a range or a
                // subtraction (`[a-z-[aeiou]]`).
                b'-' if !(i == 0 || b.get(i + 1) == Some(&b']') || b.get(i - 1) == Some(&b'[')) => {
                    return None;
                }
                c if c.is_ascii() => (c, i + 1),
                _ => return None,
            };
            if b.get(after) == Some(&b'-') && b.get(after + 1).is_some_and(|n| *n != b']') {
                let hi = *b.get(after + 1)?;
                if hi == b'\\' || hi == b'[' || !hi.is_ascii() || hi < lo {
                    return None;
                }
                class.add_range(lo, hi);
                i = after + 2;
            } else {
                class.add(lo);
                i = after;
            }
        }
    }

    /// The repetition after an atom (`?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`; none is once)
    /// and the index after it.
    fn quantifier(b: &[u8], i: usize) -> Option<(u32, u32, usize)> {
        match b.get(i) {
            Some(b'?') => Some((0, 1, i + 1)),
            Some(b'*') => Some((0, u32::MAX, i + 1)),
            Some(b'+') => Some((1, u32::MAX, i + 1)),
            Some(b'{') => {
                let close = i + b.get(i..)?.iter().position(|c| *c == b'}')?;
                let inner = std::str::from_utf8(b.get(i + 1..close)?).ok()?;
                let number = |s: &str| -> Option<u32> {
                    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                        return None;
                    }
                    s.parse().ok()
                };
                let (min, max) = match inner.split_once(',') {
                    None => {
                        let n = number(inner)?;
                        (n, n)
                    }
                    Some((lo, "")) => (number(lo)?, u32::MAX),
                    Some((lo, hi)) => (number(lo)?, number(hi)?),
                };
                (min <= max).then_some((min, max, close + 1))
            }
            _ => Some((1, 1, i)),
        }
    }

    fn is_match(&self, value: &[u8]) -> bool {
        let mut at = 0;
        for a in &self.0 {
            let mut n: u32 = 0;
            while n < a.max && value.get(at).is_some_and(|c| a.class.contains(*c)) {
                n += 1;
                at += 1;
            }
            if n < a.min {
                return false;
            }
        }
        at == value.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn rows_are_recognised_and_others_left_to_the_regex() {
        for p in [
            "[0-9]{8}",
            "CZ[0-9]{8,10}",
            "[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}",
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "[A-Z]\\d+",
            "[0-9][0-9A-Z][0-9]",
            "[-a-z]+",
            "[a-z-]+",
        ] {
            assert!(Row::parse(p).is_some(), "{p}");
        }
        for p in [
            "true|false",
            "[^\\s]+",
            "(ab)+",
            "a.b",
            "[a-z-[aeiou]]",
            "[0-9]{1,3}[0-9]",
            "[0-9]+a?[0-9]",
            "\\i\\c*",
            "\\s*",
            "ž{2}",
            "^a$",
        ] {
            assert!(Row::parse(p).is_none(), "{p}");
        }
    }

    /// The scanner gives the regex's answer on every pattern it takes, for values made of
    /// the pattern's own characters and neighbours (lengths 0 to 14).
    #[test]
    fn rows_match_as_the_regex_does() {
        let patterns = [
            "[0-9]{8}",
            "[0-9]{9,10}",
            "CZ[0-9]{8,10}",
            "[0-9]{6}[A-Z]{1}",
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "[A-Z]\\d+-[A-Z]\\d+",
            "[a-c]*x?[0-2]+",
            "[a-z-]{2,3}",
            "a?b?c",
            "[0-9]{0,2}",
        ];
        let alphabet = b"019abcxzACZ.-_ ";
        let mut values: Vec<Vec<u8>> = vec![Vec::new()];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 1..=14usize {
            for _ in 0..400 {
                let v: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        alphabet[(seed % alphabet.len() as u64) as usize]
                    })
                    .collect();
                values.push(v);
            }
        }
        for p in patterns {
            let row = Row::parse(p).unwrap_or_else(|| panic!("{p} is a row"));
            let re = regex::Regex::new(&xsd_pattern_to_regex(p)).unwrap();
            // Values that match too: the regex's own samples would be better, but digits and
            // letters in place make many.
            for v in &values {
                let s = std::str::from_utf8(v).unwrap();
                assert_eq!(row.is_match(v), re.is_match(s), "{p} on {s:?}");
            }
            for s in [
                "12345678",
                "CZ12345678",
                "123456A",
                "1.22.333",
                "A1-B22",
                "ab",
                "a-",
            ] {
                assert_eq!(row.is_match(s.as_bytes()), re.is_match(s), "{p} on {s:?}");
            }
        }
    }

    /// The translation of the constructs whose meaning differs (their judgements are checked
    /// against xmllint in `tests/pattern_xmllint.rs`).
    #[test]
    fn xsd_constructs_are_translated() {
        for (xsd, regex) in [
            ("^a$", "^(?:\\^a\\$)$"),
            ("[^^$]", "^(?:[^^$])$"),
            ("a.b", "^(?:a[^\\n\\r]b)$"),
            ("[.]", "^(?:[.])$"),
            ("[\\i-[:]]", "^(?:[_:A-Za-z\\p{L}--[:]])$"),
            ("\\i", "^(?:[_:A-Za-z\\p{L}])$"),
            ("[a\\S]", "^(?:[a[^ \\t\\n\\r]])$"),
            ("[a&&b~~c]", "^(?:[a\\&\\&b\\~\\~c])$"),
            ("[a--]", "^(?:[a\\--])$"),
            ("\\d\\p{Lu}\\^", "^(?:\\d\\p{Lu}\\^)$"),
        ] {
            assert_eq!(xsd_pattern_to_regex(xsd), regex, "{xsd}");
            assert!(regex::Regex::new(regex).is_ok(), "{regex}");
        }
    }

    #[test]
    fn non_ascii_values_go_to_the_regex() {
        assert!(pattern_matches("[0-9]{3}", "201").unwrap());
        assert!(!pattern_matches("[0-9]{3}", "2ž1").unwrap());
        // `\d` is any decimal digit in XSD, and to the regex: the scanner never sees this.
        assert!(pattern_matches("\\d{2}", "١٢").unwrap());
    }
}
