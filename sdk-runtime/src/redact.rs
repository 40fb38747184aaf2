//! Redaction of sensitive values in `Debug` output and logs.
//!
//! Insured-person numbers, PESEL, names, keys and passwords must never reach logs. Generated types
//! print sensitive fields through [`REDACTED`]; hand-written domain types implement `Debug` with
//! [`Redacted`] or [`masked`].

use std::fmt;

/// Prints `<redacted>` in `Debug` and `Display`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Redacted;

/// A ready [`Redacted`] value for `debug_struct().field(name, &REDACTED)`.
pub const REDACTED: Redacted = Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Masks all but the last `keep` characters (`******0006`), for messages where the user needs to
/// recognise which of their values is meant without the whole value being logged.
pub fn masked(value: &str, keep: usize) -> String {
    let n = value.chars().count();
    let keep = keep.min(n / 2);
    let mut s: String = std::iter::repeat_n('*', n - keep).collect();
    s.extend(value.chars().skip(n - keep));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_redacts() {
        assert_eq!(masked("8001010006", 4), "******0006");
        assert_eq!(masked("12", 4), "*2");
        assert_eq!(format!("{:?}", Some(REDACTED)), "Some(<redacted>)");
    }
}
