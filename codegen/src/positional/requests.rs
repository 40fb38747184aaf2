//! Request lines of a positional interface's transactions, as each generated
//! `Request::read` takes them (position 0: the transaction code, then the fields in order): one
//! valid line per described transaction, and that line once per constraint of each field with
//! that field breaking it — what the audit of the request path sends.

use super::{Description, Kind};

/// The request lines of one transaction.
#[derive(Debug, Clone)]
pub struct PositionalRequest {
    /// The transaction code.
    pub code: String,
    /// A valid line: the code, then every input field.
    pub valid: Vec<String>,
    /// The valid line with one field breaking one constraint.
    pub broken: Vec<BrokenLine>,
}

/// A request line with one field breaking one constraint.
#[derive(Debug, Clone)]
pub struct BrokenLine {
    /// The field's label.
    pub label: String,
    /// The constraint broken: `sendable` (the separator in a value), `max_bytes`, `pattern`,
    /// `scale`.
    pub constraint: &'static str,
    /// The value written.
    pub value: String,
    /// The line.
    pub line: Vec<String>,
}

/// The request lines of every transaction of `d` whose inputs are described.
pub fn request_samples(d: &Description) -> Vec<PositionalRequest> {
    let separator = d.interface.separator.clone();
    let mut out = Vec::new();
    for t in d.transactions.iter().filter(|t| t.described()) {
        let mut valid = vec![t.code.clone()];
        let mut breaks: Vec<(usize, &str, &'static str, String)> = Vec::new();
        for (i, f) in t.inputs.iter().enumerate() {
            let at = i + 1;
            let regex = f
                .pattern
                .as_ref()
                .map(|p| sdk_runtime::xml::xsd_pattern_to_regex(p));
            let value = match f.kind {
                Kind::Text | Kind::List => regex
                    .as_ref()
                    .and_then(|r| {
                        crate::pattern::matching(
                            std::slice::from_ref(r),
                            1,
                            f.max_bytes.unwrap_or(usize::MAX),
                            0,
                        )
                    })
                    .unwrap_or_else(|| "A".to_owned()),
                Kind::Integer => "1".to_owned(),
                Kind::Decimal => match f.scale {
                    Some(s) if s > 0 => format!("1.{}", "0".repeat(s as usize)),
                    _ => "1".to_owned(),
                },
                Kind::Date => "2024-01-31".to_owned(),
                Kind::Datetime => "2024-01-31 12:34:56".to_owned(),
                Kind::Flag => "1".to_owned(),
                Kind::Code => f
                    .values
                    .first()
                    .map_or_else(|| "A".to_owned(), |[wire, _, _]| wire.clone()),
            };
            valid.push(value);
            if matches!(f.kind, Kind::Text | Kind::Code) {
                breaks.push((at, &f.label, "sendable", format!("A{separator}B")));
            }
            if f.kind == Kind::Text {
                if let Some(max) = f.max_bytes
                    && max < 100_000
                {
                    breaks.push((at, &f.label, "max_bytes", "A".repeat(max + 1)));
                }
                if let Some(r) = &regex
                    && let Ok(re) = regex::Regex::new(r)
                    && let Some(v) = ["~", "zz", "0", "Z9", "-"].iter().find(|c| !re.is_match(c))
                {
                    breaks.push((at, &f.label, "pattern", (*v).to_owned()));
                }
            }
            if f.kind == Kind::Decimal
                && let Some(s) = f.scale
            {
                breaks.push((
                    at,
                    &f.label,
                    "scale",
                    format!("1.{}", "1".repeat(s as usize + 1)),
                ));
            }
        }
        let broken = breaks
            .into_iter()
            .map(|(at, label, constraint, value)| {
                let mut line = valid.clone();
                if let Some(slot) = line.get_mut(at) {
                    slot.clone_from(&value);
                }
                BrokenLine {
                    label: label.to_owned(),
                    constraint,
                    value,
                    line,
                }
            })
            .collect();
        out.push(PositionalRequest {
            code: t.code.clone(),
            valid,
            broken,
        });
    }
    out
}
