//! Front end for positional string protocols: a TOML description of an interface whose
//! requests are a transaction code and separated fields (`"01|field1|field2"`) and whose
//! answers are separated fields read by position (Chongqing's `BUSINESS_HANDLE`).
//!
//! ```toml
//! [interface]
//! name = "…"; version = "V1.02"; library = "SiInterface.dll"
//! encoding = "GBK"; separator = "|"; output_buffer = 1024
//!
//! [[transaction]]
//! code = "01"; name = "获取人员基本信息"; english = "…"; method = "ren_yuan_xin_xi"
//! provenance = "client-code"          # client-code | toc | unknown
//! [[transaction.input]]               # in order; none described: raw fields
//! name = "yi_bao_hao"; label = "医保号"; type = "text"; max_bytes = 20; sensitive = true
//! # provenance = "toc"               # a field's own source, when not its transaction's
//! [[transaction.output]]              # by position (1 = after the status)
//! position = 1; name = "xing_ming"; label = "姓名"; type = "text"
//! ```
//!
//! Field types: `text` (`max_bytes` in the interface's encoding, `pattern`), `integer`,
//! `decimal` (`scale`: written with exactly that many fraction digits), `date`
//! (`yyyy-MM-dd`), `datetime` (`yyyy-MM-dd HH:mm:ss`), `flag` (`0`/`1`), `code` (`values`:
//! `[wire, Rust variant, meaning]`, others kept), `list` (output only: every field from its
//! position on).

mod requests;

pub use requests::{BrokenLine, PositionalRequest, request_samples};

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::Error;

/// A whole description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// The interface's wire conventions.
    pub interface: Interface,
    /// The transactions, in the description's order.
    #[serde(rename = "transaction", default)]
    pub transactions: Vec<Transaction>,
}

/// The interface's wire conventions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// Its name.
    pub name: String,
    /// The specification's version.
    pub version: String,
    /// The specification's date.
    #[serde(default)]
    pub date: Option<String>,
    /// The vendor library implementing it.
    pub library: String,
    /// The encoding of requests and answers (a WHATWG label: `GBK`, `windows-1250`, …).
    pub encoding: String,
    /// The field separator (one character).
    pub separator: String,
    /// Bytes the caller allocates for an answer.
    pub output_buffer: usize,
}

/// Where a transaction or field is known from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Known {
    /// A working public client builds or reads it.
    ClientCode,
    /// The specification's table of contents or change log names it.
    Toc,
    /// Nothing is known.
    Unknown,
}

/// One transaction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// Its code (`"01"`).
    pub code: String,
    /// Its name in the specification.
    pub name: String,
    /// An English gloss.
    pub english: String,
    /// The Rust method name.
    pub method: String,
    /// Where it is known from.
    pub provenance: Known,
    /// Anything else known about it.
    #[serde(default)]
    pub note: Option<String>,
    /// The input fields, in order; none: unknown (raw fields).
    #[serde(rename = "input", default)]
    pub inputs: Vec<Field>,
    /// The output fields by position; none: unknown (raw fields), unless `no_outputs`.
    #[serde(rename = "output", default)]
    pub outputs: Vec<Field>,
}

impl Transaction {
    /// Whether its fields are described (client code), rather than raw.
    pub fn described(&self) -> bool {
        self.provenance == Known::ClientCode
    }
}

/// One field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Position in the answer (outputs only; 1 = the first after the status).
    #[serde(default)]
    pub position: Option<usize>,
    /// The Rust field name.
    pub name: String,
    /// Its name in the specification.
    pub label: String,
    /// An English gloss.
    pub english: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Longest text in encoded bytes.
    #[serde(default)]
    pub max_bytes: Option<usize>,
    /// A pattern the whole text matches (XSD regular-expression syntax).
    #[serde(default)]
    pub pattern: Option<String>,
    /// Fraction digits of a decimal input.
    #[serde(default)]
    pub scale: Option<u32>,
    /// The known values of a code: `[wire, Rust variant, meaning]`.
    #[serde(default)]
    pub values: Vec<[String; 3]>,
    /// May be empty (inputs).
    #[serde(default)]
    pub optional: bool,
    /// Personal data: redacted in `Debug`.
    #[serde(default)]
    pub sensitive: bool,
    /// Where the field is known from, when not from its transaction's source (e.g. a field the
    /// change log names in a transaction known from client code).
    #[serde(default)]
    pub provenance: Option<Known>,
}

/// A field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// `yyyy-MM-dd`.
    Date,
    /// `yyyy-MM-dd HH:mm:ss`.
    Datetime,
    /// `0` or `1`.
    Flag,
    /// One of known values (others kept).
    Code,
    /// Every field from the position on (outputs).
    List,
}

/// Reads and checks a description.
pub fn read(path: &Path) -> Result<Description, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let d: Description = toml::from_str(&text).map_err(|e| Error::spec(path, e.to_string()))?;
    check(&d).map_err(|m| Error::spec(path, m))?;
    Ok(d)
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(s).is_ok()
}

fn check(d: &Description) -> Result<(), String> {
    if encoding_label(&d.interface.encoding).is_none() {
        return Err(format!(
            "interface.encoding `{}` is not a known encoding label",
            d.interface.encoding
        ));
    }
    if d.interface.separator.chars().count() != 1 {
        return Err("interface.separator must be one character".to_owned());
    }
    if d.interface.output_buffer == 0 {
        return Err("interface.output_buffer must be positive".to_owned());
    }
    let mut codes = BTreeSet::new();
    let mut methods = BTreeSet::new();
    for t in &d.transactions {
        let at = |m: String| format!("transaction {}: {m}", t.code);
        if t.code.is_empty() || !t.code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(at("the code must be letters and digits".to_owned()));
        }
        if !codes.insert(t.code.clone()) {
            return Err(at("the code occurs twice".to_owned()));
        }
        if !is_ident(&t.method) || !methods.insert(t.method.clone()) {
            return Err(at(format!(
                "method `{}` is not a lower-case Rust name or occurs twice",
                t.method
            )));
        }
        let has_fields = !t.inputs.is_empty() || !t.outputs.is_empty();
        if has_fields && !t.described() {
            return Err(at(
                "only a transaction known from client code describes fields".to_owned(),
            ));
        }
        let mut names = BTreeSet::new();
        for f in &t.inputs {
            check_field(f, false).map_err(&at)?;
            if !names.insert(f.name.as_str()) {
                return Err(at(format!("input `{}` occurs twice", f.name)));
            }
        }
        let mut names = BTreeSet::new();
        let mut last = 0;
        for f in &t.outputs {
            check_field(f, true).map_err(&at)?;
            let p = f.position.unwrap_or(0);
            if p <= last {
                return Err(at(format!(
                    "output `{}`: positions must start at 1 and rise",
                    f.name
                )));
            }
            last = p;
            if f.name == "raw" || !names.insert(f.name.as_str()) {
                return Err(at(format!(
                    "output `{}` occurs twice or is named `raw`",
                    f.name
                )));
            }
        }
        if t.outputs.iter().rev().skip(1).any(|f| f.kind == Kind::List) {
            return Err(at("a list output must be the last".to_owned()));
        }
    }
    Ok(())
}

fn check_field(f: &Field, output: bool) -> Result<(), String> {
    if !is_ident(&f.name) {
        return Err(format!("field `{}` is not a lower-case Rust name", f.name));
    }
    if output != f.position.is_some() {
        return Err(format!(
            "field `{}`: outputs have a position, inputs do not",
            f.name
        ));
    }
    if f.kind == Kind::List && !output {
        return Err(format!("input `{}`: a list is an output type", f.name));
    }
    if (f.max_bytes.is_some() || f.pattern.is_some()) && f.kind != Kind::Text {
        return Err(format!(
            "field `{}`: max_bytes and pattern apply to text",
            f.name
        ));
    }
    if f.scale.is_some() && f.kind != Kind::Decimal {
        return Err(format!("field `{}`: scale applies to decimals", f.name));
    }
    if (f.kind == Kind::Code) == f.values.is_empty() {
        return Err(format!(
            "field `{}`: a code has values, other types have none",
            f.name
        ));
    }
    for [wire, variant, _] in &f.values {
        let ok = variant
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
            && variant.chars().all(|c| c.is_ascii_alphanumeric())
            && variant != "Unknown";
        if wire.is_empty() || !ok {
            return Err(format!(
                "field `{}`: value `{wire}` needs a wire text and a CamelCase variant other than Unknown",
                f.name
            ));
        }
    }
    Ok(())
}

/// The `encoding_rs` constant of a WHATWG label (`GBK` → `GBK`), for the generated code.
pub fn encoding_label(label: &str) -> Option<&'static str> {
    match label.to_ascii_lowercase().as_str() {
        "gbk" | "gb2312" | "chinese" => Some("GBK"),
        "gb18030" => Some("GB18030"),
        "big5" => Some("BIG5"),
        "shift_jis" | "sjis" => Some("SHIFT_JIS"),
        "euc-kr" => Some("EUC_KR"),
        "utf-8" | "utf8" => Some("UTF_8"),
        "windows-1250" | "cp1250" => Some("WINDOWS_1250"),
        "windows-1252" | "cp1252" => Some("WINDOWS_1252"),
        "iso-8859-2" | "latin2" => Some("ISO_8859_2"),
        _ => None,
    }
}
