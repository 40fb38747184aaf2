//! Front end for delimited text files with a header (SÚKL's DLP code lists and open-data
//! aggregates): a TOML description of data sets and their columns, from which
//! `emit::tabular_file` generates one record type per data set over `sdk_runtime::tabular`.
//! Like [`crate::positional`], it stays outside the service model: there are no operations,
//! only files.
//!
//! ```toml
//! [format]
//! encoding = "windows-1250"; separator = ";"; quote = "\""
//! date_format = "DD.MM.YYYY"          # dates whose column names no format
//! date_format_source = "snapshot"     # a [sources] key: where that is known from
//!
//! [sources.dictionary]                # where things are known from
//! title = "…"; address = "https://…"; copy = "../shared/…"; facts = "…"
//!
//! [[dataset]]
//! name = "dlp_atc"; file = "dlp_atc.csv"; record = "AtcSkupina"; english = "…"
//! provenance = "published"            # published | sample | header
//! source = "dictionary"
//! column = [
//!   { name = "ATC", type = "varchar", length = 7, key = true, english = "…" },
//!   { name = "Období", field = "obdobi", type = "year-month", english = "…" },
//! ]
//! ```
//!
//! Column types: `varchar` (`length`: at most that many characters), `number` (`precision`,
//! `scale`; scale 0 is a whole number, `i64`; otherwise a decimal), `date` (`format`: `DDMMRR`
//! or `DD.MM.YYYY`; the file's `date_format` when absent), `year-month` (`YYYY.MM`), `flag`
//! (`values = [yes, no]`). A column with `key = true` must have a value; the others are
//! optional. `field` is the Rust name (the column's name in lower case when absent); `aliases`
//! are other spellings of the name the header may use, `aliases_source` where they are seen;
//! `seen_length` is the longest text the authority's own files hold when that exceeds the
//! published `length` (which is then documented but not enforced), `seen_length_source` where.

mod published;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::Error;

pub use published::{DictionaryRow, published_differences, published_type};

/// A whole description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// How the files are written.
    pub format: Format,
    /// Where things are known from, by key.
    #[serde(default)]
    pub sources: BTreeMap<String, Source>,
    /// The data sets, in the description's order.
    #[serde(rename = "dataset", default)]
    pub datasets: Vec<Dataset>,
}

/// How the files are written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// A WHATWG encoding label (`windows-1250`).
    pub encoding: String,
    /// The field separator (one ASCII character).
    pub separator: String,
    /// The quote character (one ASCII character).
    #[serde(default = "default_quote")]
    pub quote: String,
    /// The format of dates whose column names none (`DD.MM.YYYY` or `DDMMRR`).
    pub date_format: String,
    /// Where `date_format` is known from (a key of `sources`).
    #[serde(default)]
    pub date_format_source: Option<String>,
}

fn default_quote() -> String {
    "\"".to_owned()
}

/// A source of knowledge.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// What it is.
    pub title: String,
    /// Its original address.
    #[serde(default)]
    pub address: Option<String>,
    /// A local copy (relative to the workspace).
    #[serde(default)]
    pub copy: Option<String>,
    /// Where the project's facts describe it.
    #[serde(default)]
    pub facts: Option<String>,
}

/// Where a data set or column is known from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// The authority's dictionary states the name, position and type.
    Published,
    /// The name is in a published header; the type is inferred from published sample values.
    Sample,
    /// The name is in a published header; the samples leave it empty, so the type is inferred
    /// from the name.
    Header,
}

impl Provenance {
    /// The word used in descriptions and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Sample => "sample",
            Self::Header => "header",
        }
    }
}

/// One data set (one kind of file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Its name (`dlp_lecivepripravky`).
    pub name: String,
    /// The file's name or pattern.
    pub file: String,
    /// The Rust record type (CamelCase).
    pub record: String,
    /// What it holds, in English.
    pub english: String,
    /// Where its columns are known from.
    pub provenance: Provenance,
    /// The source (a key of `sources`).
    pub source: String,
    /// The columns, in the file's order.
    #[serde(rename = "column", default)]
    pub columns: Vec<Column>,
}

/// One column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Its name in the header.
    pub name: String,
    /// The Rust field name; the name in lower case when absent.
    #[serde(default)]
    pub field: Option<String>,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Most characters (`varchar`).
    #[serde(default)]
    pub length: Option<u32>,
    /// Digits (`number`).
    #[serde(default)]
    pub precision: Option<u32>,
    /// Digits after the decimal separator (`number`).
    #[serde(default)]
    pub scale: Option<u32>,
    /// The date format (`date`), when it is the column's own.
    #[serde(default)]
    pub format: Option<String>,
    /// Yes and no (`flag`).
    #[serde(default)]
    pub values: Vec<String>,
    /// Identifies the row: must have a value.
    #[serde(default)]
    pub key: bool,
    /// What it holds, in English.
    pub english: String,
    /// Where it is known from, when not from its data set's provenance.
    #[serde(default)]
    pub provenance: Option<Provenance>,
    /// Other spellings of its name the header may use.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the aliases are seen (a key of `sources`).
    #[serde(default)]
    pub aliases_source: Option<String>,
    /// The longest text seen in the authority's own files, when longer than `length`: the
    /// published length is then not enforced.
    #[serde(default)]
    pub seen_length: Option<u32>,
    /// Where `seen_length` is seen (a key of `sources`).
    #[serde(default)]
    pub seen_length_source: Option<String>,
}

impl Column {
    /// The Rust field name.
    pub fn field_name(&self) -> String {
        self.field
            .clone()
            .unwrap_or_else(|| self.name.to_ascii_lowercase())
    }

    /// The length the reader enforces: `length`, unless the authority's own files hold longer
    /// texts (`seen_length`).
    pub fn enforced_length(&self) -> Option<u32> {
        if self.seen_length.is_some() {
            None
        } else {
            self.length
        }
    }

    /// A whole number (`number` with scale 0).
    pub fn is_integer(&self) -> bool {
        self.kind == Kind::Number && self.scale == Some(0)
    }
}

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Text.
    Varchar,
    /// A number.
    Number,
    /// A date.
    Date,
    /// A year and month.
    YearMonth,
    /// One of two values.
    Flag,
}

/// The date formats the runtime reads.
pub const DATE_FORMATS: [&str; 2] = ["DD.MM.YYYY", "DDMMRR"];

/// Reads and checks a description.
pub fn read(path: &Path) -> Result<Description, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let d: Description = toml::from_str(&text).map_err(|e| Error::spec(path, e.to_string()))?;
    check(&d).map_err(|m| Error::spec(path, m))?;
    Ok(d)
}

fn is_field(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(s).is_ok()
}

fn is_record(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && syn::parse_str::<syn::Ident>(s).is_ok()
}

fn one_ascii(s: &str) -> bool {
    s.len() == 1 && s.is_ascii() && !matches!(s, "\r" | "\n")
}

/// Checks a description: names, types and sources are consistent.
pub fn check(d: &Description) -> Result<(), String> {
    let f = &d.format;
    if crate::positional::encoding_label(&f.encoding).is_none() {
        return Err(format!(
            "format.encoding `{}` is not a known encoding label",
            f.encoding
        ));
    }
    if !one_ascii(&f.separator) || !one_ascii(&f.quote) || f.separator == f.quote {
        return Err(
            "format.separator and format.quote must be two different ASCII characters".to_owned(),
        );
    }
    if !DATE_FORMATS.contains(&f.date_format.as_str()) {
        return Err(format!(
            "format.date_format `{}` is not one of {}",
            f.date_format,
            DATE_FORMATS.join(", ")
        ));
    }
    let known_source = |s: &Option<String>, what: &str| match s {
        Some(s) if !d.sources.contains_key(s) => Err(format!(
            "{what}: no [sources.{s}] describes the source `{s}`"
        )),
        _ => Ok(()),
    };
    known_source(&f.date_format_source, "format.date_format_source")?;
    let mut names = BTreeSet::new();
    let mut records = BTreeSet::new();
    for ds in &d.datasets {
        let at = |m: String| format!("data set {}: {m}", ds.name);
        if ds.name.is_empty() || !names.insert(ds.name.as_str()) {
            return Err(at("the name is empty or occurs twice".to_owned()));
        }
        if !is_record(&ds.record) || !records.insert(ds.record.as_str()) {
            return Err(at(format!(
                "record `{}` is not a CamelCase Rust name or occurs twice",
                ds.record
            )));
        }
        known_source(&Some(ds.source.clone()), &at("source".to_owned()))?;
        if ds.columns.is_empty() {
            return Err(at("it has no columns".to_owned()));
        }
        let mut fields = BTreeSet::new();
        let mut columns = BTreeSet::new();
        for c in &ds.columns {
            let at = |m: String| at(format!("column {}: {m}", c.name));
            if c.name.trim().is_empty()
                || c.name.contains(f.separator.as_str())
                || c.name.contains(f.quote.as_str())
                || c.name.contains(['\n', '\r'])
            {
                return Err(at(
                    "the name is empty or holds the separator, the quote or a line break"
                        .to_owned(),
                ));
            }
            for n in std::iter::once(&c.name).chain(&c.aliases) {
                if !columns.insert(n.to_ascii_lowercase()) {
                    return Err(at(format!("the name or alias `{n}` occurs twice")));
                }
            }
            let field = c.field_name();
            if !is_field(&field) || !fields.insert(field.clone()) {
                return Err(at(format!(
                    "field `{field}` is not a lower-case Rust name or occurs twice (set `field`)"
                )));
            }
            check_type(c).map_err(&at)?;
            if c.aliases.is_empty() != c.aliases_source.is_none() {
                return Err(at("aliases and aliases_source go together".to_owned()));
            }
            known_source(&c.aliases_source, &at("aliases_source".to_owned()))?;
            match (c.seen_length, c.length, &c.seen_length_source) {
                (None, _, None) => {}
                (Some(seen), Some(len), Some(_)) if seen > len => {}
                _ => {
                    return Err(at(
                        "seen_length goes with seen_length_source and a shorter length".to_owned(),
                    ));
                }
            }
            known_source(&c.seen_length_source, &at("seen_length_source".to_owned()))?;
        }
    }
    Ok(())
}

fn check_type(c: &Column) -> Result<(), String> {
    let only = |ok: bool, what: &str, kind: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("`{what}` applies to the type {kind} only"))
        }
    };
    only(
        c.length.is_none() || c.kind == Kind::Varchar,
        "length",
        "varchar",
    )?;
    only(
        (c.precision.is_none() && c.scale.is_none()) || c.kind == Kind::Number,
        "precision/scale",
        "number",
    )?;
    only(c.format.is_none() || c.kind == Kind::Date, "format", "date")?;
    only(
        c.values.is_empty() || c.kind == Kind::Flag,
        "values",
        "flag",
    )?;
    if c.length == Some(0) {
        return Err("a length must be positive".to_owned());
    }
    if let (Some(p), Some(s)) = (c.precision, c.scale)
        && (p == 0 || s > p)
    {
        return Err(format!("NUMBER({p},{s}) is not a number type"));
    }
    if c.precision.is_some() && c.scale.is_none() {
        return Err("a precision needs its scale".to_owned());
    }
    if c.is_integer() && c.precision.is_some_and(|p| p > 18) {
        return Err("a whole number of more than 18 digits does not fit i64".to_owned());
    }
    if let Some(fmt) = &c.format
        && !DATE_FORMATS.contains(&fmt.as_str())
    {
        return Err(format!(
            "date format `{fmt}` is not one of {}",
            DATE_FORMATS.join(", ")
        ));
    }
    if c.kind == Kind::Flag && (c.values.len() != 2 || c.values[0] == c.values[1]) {
        return Err("a flag has two different values: [yes, no]".to_owned());
    }
    Ok(())
}
