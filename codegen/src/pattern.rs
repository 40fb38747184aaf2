//! Strings matching a pattern, for the sample builders of both encodings (XSD patterns after
//! `sdk_runtime::xml::xsd_pattern_to_regex`, JSON Schema's ECMA-262 patterns as written).
//!
//! The pattern is parsed with `regex-syntax` and walked: literals as they are, a class's first
//! "nice" character, repetitions their minimum (plus a few more on later tries), the
//! `variant`th alternative. Look-arounds (`(?!0{16})`, which `regex` does not support) are
//! left out of the walk; every candidate is then checked against all patterns, with the
//! look-arounds where the check can express them, so that a value returned always matches.

use std::cell::RefCell;
use std::collections::HashMap;

use regex_syntax::hir::{Class, Hir, HirKind};

/// Characters tried, in order, for a character class.
const NICE: &str = "aA1bB2cC3xX0-";

/// A string of `min..=max` characters matching every regex of `patterns` (the first drives
/// generation), or, failing the lengths, one that still matches them all; `None` when no try
/// matches.
pub(crate) fn matching(
    patterns: &[String],
    min: usize,
    max: usize,
    variant: usize,
) -> Option<String> {
    let first = patterns.first()?;
    let mut fallback = None;
    for extra in 0..24 {
        let out = with_parsed(first, |hir| {
            let mut out = String::new();
            generate(hir, variant, extra, &mut out);
            out
        })?;
        if patterns.iter().all(|p| matches(p, &out)) {
            let n = out.chars().count();
            if n >= min && n <= max {
                return Some(out);
            }
            // Longer tries only help a `minLength` the shortest value misses.
            if n > max {
                return fallback.or(Some(out));
            }
            fallback.get_or_insert(out);
        }
    }
    fallback
}

/// `true` when `value` matches the regex `pattern` (searched, not anchored, as JSON Schema and
/// an anchored XSD regex both mean); a pattern no checker reads matches everything.
pub(crate) fn matches(pattern: &str, value: &str) -> bool {
    CHECKERS.with(|c| {
        // The compiled regex stays in the map: a clone would start with a cold cache.
        let mut map = c.borrow_mut();
        let re = map.entry(pattern.to_owned()).or_insert_with(|| {
            regex::Regex::new(pattern)
                .or_else(|_| regex::Regex::new(&strip_lookarounds(pattern)))
                .ok()
        });
        re.as_ref().is_none_or(|r| r.is_match(value))
    })
}

thread_local! {
    /// Compiled checks and parsed patterns, by pattern: a schema set uses a few hundred
    /// patterns for tens of thousands of sample values, and compiling is what costs.
    static CHECKERS: RefCell<HashMap<String, Option<regex::Regex>>> = RefCell::new(HashMap::new());
    static PARSED: RefCell<HashMap<String, Option<Hir>>> = RefCell::new(HashMap::new());
}

/// Runs `f` on the parsed `pattern` (without look-arounds when it has any).
fn with_parsed<T>(pattern: &str, f: impl FnOnce(&Hir) -> T) -> Option<T> {
    PARSED.with(|c| {
        let mut map = c.borrow_mut();
        let hir = map.entry(pattern.to_owned()).or_insert_with(|| {
            let parse = |p: &str| regex_syntax::ParserBuilder::new().build().parse(p).ok();
            parse(pattern).or_else(|| parse(&strip_lookarounds(pattern)))
        });
        hir.as_ref().map(f)
    })
}

/// The pattern without `(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)` groups.
fn strip_lookarounds(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(n) = chars.get(i + 1) {
                out.push(*n);
            }
            i += 2;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if c == '('
            && ["(?=", "(?!", "(?<=", "(?<!"]
                .iter()
                .any(|s| rest.starts_with(s))
        {
            // Skip to the matching parenthesis.
            let mut depth = 0usize;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '(' => depth += 1,
                    ')' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Appends a string matched by `hir`.
fn generate(hir: &Hir, variant: usize, extra: usize, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => out.push_str(&String::from_utf8_lossy(&l.0)),
        HirKind::Class(Class::Unicode(c)) => {
            let ranges = c.ranges();
            let inside = |ch: char| ranges.iter().any(|r| r.start() <= ch && ch <= r.end());
            let nice = NICE.chars().find(|ch| inside(*ch));
            let pick = nice.or_else(|| {
                ranges.iter().find_map(|r| {
                    (u32::from(r.start())..=u32::from(r.end()))
                        .take(128)
                        .filter_map(char::from_u32)
                        .find(|ch| !ch.is_control() && !ch.is_whitespace())
                })
            });
            if let Some(ch) = pick.or_else(|| ranges.first().map(|r| r.start())) {
                out.push(ch);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            if let Some(r) = c.ranges().first() {
                out.push(char::from(r.start()));
            }
        }
        HirKind::Repetition(r) => {
            let max = r.max.map_or(usize::MAX, |m| m as usize);
            let n = (r.min as usize).saturating_add(extra).min(max);
            for _ in 0..n {
                generate(&r.sub, variant, extra, out);
            }
        }
        HirKind::Capture(c) => generate(&c.sub, variant, extra, out),
        HirKind::Concat(parts) => {
            for p in parts {
                generate(p, variant, extra, out);
            }
        }
        HirKind::Alternation(alts) => {
            if let Some(a) = alts.get(variant % alts.len().max(1)) {
                generate(a, variant, extra, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(p: &str) -> Option<String> {
        matching(&[p.to_owned()], 0, usize::MAX, 0)
    }

    #[test]
    fn json_schema_patterns_with_lookarounds_and_alternations() {
        let v = one("^(?!0{16})[0-9]{16}$").unwrap_or_default();
        assert_eq!(v.len(), 16);
        assert!(v != "0000000000000000");
        assert_eq!(one("^([Mm]|[Vv]|[Oo])$").as_deref(), Some("M"));
        assert!(one("@ons\\.gov\\.uk$").is_some_and(|v| matches("@ons\\.gov\\.uk$", &v)));
    }

    #[test]
    fn lookarounds_are_stripped_only_as_groups() {
        assert_eq!(strip_lookarounds("a(?!b(c))d\\(e"), "ad\\(e");
        assert_eq!(strip_lookarounds("(x)"), "(x)");
    }
}
