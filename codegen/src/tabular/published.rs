//! Comparison of a description with the authority's own dictionary of its files (SÚKL's
//! `DLP_datove_rozhrani*.csv`: one row per column, with its data set, position, name and Oracle
//! type): every data set marked `published` must have exactly the dictionary's columns, in its
//! order, with its names and types, and every data set of the dictionary must be described.

use std::collections::BTreeMap;

use super::{Description, Kind, Provenance};

/// One row of the dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictionaryRow {
    /// The data set (`dlp_atc`).
    pub dataset: String,
    /// The column's position (1-based).
    pub position: i64,
    /// The column's name.
    pub name: String,
    /// The type as the dictionary writes it (`VARCHAR2(7)`, `NUMBER(8, 0)`, `DATE`,
    /// `DATE, formát 'DDMMRR'`).
    pub type_text: String,
}

/// The type of a described column as the dictionary writes it: `VARCHAR2(7)`, `NUMBER(8,0)`,
/// `DATE`, `DATE, formát 'DDMMRR'`. `None` for a type the dictionary has no spelling for.
pub fn published_type(c: &super::Column) -> Option<String> {
    let text = match c.kind {
        Kind::Varchar => format!("VARCHAR2({})", c.length?),
        Kind::Number => format!("NUMBER({},{})", c.precision?, c.scale?),
        Kind::Date => match &c.format {
            Some(f) => format!("DATE, formát '{f}'"),
            None => "DATE".to_owned(),
        },
        Kind::YearMonth | Kind::Flag => return None,
    };
    Some(text)
}

/// A type as compared: upper case, without spaces (the dictionary writes both `NUMBER(8, 0)`
/// and `NUMBER(5,0)`).
fn normal(type_text: &str) -> String {
    type_text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Every difference between the `published` data sets of `d` and the dictionary `rows`, one
/// sentence each; empty when they match.
pub fn published_differences(d: &Description, rows: &[DictionaryRow]) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_dataset: BTreeMap<&str, Vec<&DictionaryRow>> = BTreeMap::new();
    for r in rows {
        by_dataset.entry(r.dataset.as_str()).or_default().push(r);
    }
    for (name, list) in &mut by_dataset {
        list.sort_by_key(|r| r.position);
        for (i, r) in list.iter().enumerate() {
            if usize::try_from(r.position).ok() != Some(i + 1) {
                out.push(format!(
                    "the dictionary's {name} has position {} where {} was expected (duplicate or gap)",
                    r.position,
                    i + 1
                ));
            }
        }
        if !d.datasets.iter().any(|ds| ds.name == *name) {
            out.push(format!(
                "data set {name} of the dictionary is not described"
            ));
        }
    }
    for ds in d
        .datasets
        .iter()
        .filter(|ds| ds.provenance == Provenance::Published)
    {
        let Some(list) = by_dataset.get(ds.name.as_str()) else {
            out.push(format!(
                "data set {} is marked published but the dictionary has no such data set",
                ds.name
            ));
            continue;
        };
        if list.len() != ds.columns.len() {
            out.push(format!(
                "data set {}: the dictionary has {} columns, the description {}",
                ds.name,
                list.len(),
                ds.columns.len()
            ));
        }
        for (i, (c, r)) in ds.columns.iter().zip(list.iter()).enumerate() {
            let at = format!("data set {}, column {}", ds.name, i + 1);
            if c.provenance.is_some_and(|p| p != Provenance::Published) {
                out.push(format!(
                    "{at} ({}): marked {} in a published data set",
                    c.name,
                    c.provenance.map_or("", |p| p.as_str())
                ));
            }
            if c.name != r.name {
                out.push(format!(
                    "{at}: named {} in the dictionary, {} in the description",
                    r.name, c.name
                ));
            }
            let ours = published_type(c).map(|t| normal(&t));
            let theirs = normal(&r.type_text);
            if ours.as_deref() != Some(theirs.as_str()) {
                out.push(format!(
                    "{at} ({}): typed {} in the dictionary, {} in the description",
                    r.name,
                    r.type_text,
                    ours.unwrap_or_else(|| "a type the dictionary has no spelling for".to_owned())
                ));
            }
        }
    }
    out
}
