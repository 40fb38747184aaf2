//! Emits a tabular description ([`crate::tabular`]) as Rust: per data set a documented record
//! struct with a typed field per column, implementing `sdk_runtime::tabular::Record` (its
//! layout: file name, encoding, separator, the expected header; and its conversion from a row,
//! whose errors name the line and the column), and `LAYOUTS`, every layout in order.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, inner_doc_attrs, render};
use crate::Error;
use crate::docs::sanitize;
use crate::positional::encoding_label;
use crate::tabular::{Column, Dataset, Description, Kind, Provenance, published_type};

/// The module of `d`, generated from `source`.
pub fn tabular_file(d: &Description, source: &str) -> Result<String, Error> {
    let f = &d.format;
    let encoding = format_ident!(
        "{}",
        encoding_label(&f.encoding)
            .ok_or_else(|| Error::Emit(format!("unknown encoding {}", f.encoding)))?
    );
    let separator = ascii_byte(&f.separator)?;
    let quote_char = ascii_byte(&f.quote)?;
    let mut docs = vec![
        format!(
            "Delimited text files described in `{source}`: {}, fields separated by `{}`, quoted with `{}`, a header naming the columns.",
            f.encoding, f.separator, f.quote
        ),
        "Each data set is a record type implementing [`Record`](sdk_runtime::tabular::Record): read a file with [`sdk_runtime::tabular::Reader`], which checks the header and gives every row as a record or as an error naming its line and column. A column marked *key* must have a value; every other column is an `Option` (empty field: `None`).".to_owned(),
        "Known from: **published** — the authority's dictionary states the column's name, position and type; **sample** — the name is in a published header, the type is inferred from published sample rows; **header** — the name is in a published header, the type is inferred from the name (the samples leave it empty).".to_owned(),
    ];
    let mut table = vec![
        "| data set | file | record | columns | known from |".to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    for ds in &d.datasets {
        table.push(format!(
            "| `{}` | `{}` | [`{}`] | {} | {} |",
            ds.name,
            ds.file,
            ds.record,
            ds.columns.len(),
            ds.provenance.as_str()
        ));
    }
    docs.push(table.join("\n"));
    let mut sources = vec!["Sources:".to_owned()];
    for (key, s) in &d.sources {
        let mut line = format!("* `{key}`: {}", sanitize(&s.title));
        if let Some(a) = &s.address {
            line.push_str(&format!(" <{a}>"));
        }
        if let Some(fct) = &s.facts {
            line.push_str(&format!(" ({fct})"));
        }
        sources.push(line);
    }
    docs.push(sources.join("\n"));
    let module_doc = inner_doc_attrs(&docs);
    let mut items = TokenStream::new();
    let mut layouts = TokenStream::new();
    for ds in &d.datasets {
        items.extend(record(d, ds, &encoding, separator, quote_char)?);
        let r = format_ident!("{}", ds.record);
        layouts.extend(quote!(<#r as ::sdk_runtime::tabular::Record>::LAYOUT,));
    }
    let tokens = quote! {
        #module_doc
        /// Every data set's layout, in the description's order.
        pub const LAYOUTS: &[&::sdk_runtime::tabular::Layout] = &[#layouts];
        #items
    };
    render(tokens, source)
}

fn ascii_byte(s: &str) -> Result<u8, Error> {
    match s.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        _ => Err(Error::Emit(format!("`{s}` is not one ASCII character"))),
    }
}

fn record(
    d: &Description,
    ds: &Dataset,
    encoding: &proc_macro2::Ident,
    separator: u8,
    quote_char: u8,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", ds.record);
    let source = d.sources.get(&ds.source);
    let mut doc = vec![sanitize(&ds.english)];
    doc.push(format!(
        "File `{}` (data set `{}`), {} columns. Known from: {} ({}).",
        ds.file,
        ds.name,
        ds.columns.len(),
        ds.provenance.as_str(),
        source.map_or(ds.source.clone(), |s| sanitize(&s.title))
    ));
    let header: Vec<&str> = ds.columns.iter().map(|c| c.name.as_str()).collect();
    doc.push(format!(
        "Header: `{}`",
        header.join(&char::from(separator).to_string())
    ));
    let doc = doc_attrs(&doc);
    let mut fields = TokenStream::new();
    let mut inits = TokenStream::new();
    let mut columns = TokenStream::new();
    for (i, c) in ds.columns.iter().enumerate() {
        let f = format_ident!("{}", c.field_name());
        let (ty, read) = access(d, c, proc_macro2::Literal::usize_unsuffixed(i))?;
        let fdoc = doc_attrs(&column_doc(d, ds, c, i));
        if c.key {
            fields.extend(quote!(#fdoc pub #f: #ty,));
        } else {
            fields.extend(quote!(#fdoc pub #f: ::std::option::Option<#ty>,));
        }
        inits.extend(quote!(#f: #read,));
        let cname = &c.name;
        let aliases = c.aliases.iter();
        columns.extend(quote!(::sdk_runtime::tabular::Column::new(#cname, &[#(#aliases),*]),));
    }
    let dataset = &ds.name;
    let file = &ds.file;
    let mut layout = quote!(::sdk_runtime::tabular::Layout::new(#dataset, #file, &[#columns]));
    if encoding != "WINDOWS_1250" {
        layout = quote!(#layout.with_encoding(::sdk_runtime::encoding_rs::#encoding));
    }
    if separator != b';' || quote_char != b'"' {
        layout = quote!(#layout.with_separator(#separator, #quote_char));
    }
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct #name {
            #fields
        }
        impl ::sdk_runtime::tabular::Record for #name {
            const LAYOUT: &'static ::sdk_runtime::tabular::Layout = &#layout;
            fn from_row(row: &::sdk_runtime::tabular::Row<'_>) -> ::std::result::Result<Self, ::sdk_runtime::tabular::Error> {
                ::std::result::Result::Ok(Self { #inits })
            }
        }
    })
}

fn opt_u32(v: Option<u32>) -> TokenStream {
    match v {
        Some(n) => {
            let n = proc_macro2::Literal::u32_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// The field's Rust type (without `Option`) and the expression reading it from `row`.
fn access(
    d: &Description,
    c: &Column,
    i: proc_macro2::Literal,
) -> Result<(TokenStream, TokenStream), Error> {
    let opt = |name: &str| {
        let m = if c.key {
            format_ident!("{}", name)
        } else {
            format_ident!("opt_{}", name)
        };
        quote!(row.#m)
    };
    Ok(match c.kind {
        Kind::Varchar => {
            let m = opt("text");
            let max = match c.enforced_length() {
                Some(n) => {
                    let n = proc_macro2::Literal::u32_unsuffixed(n);
                    quote!(::std::option::Option::Some(#n))
                }
                None => quote!(::std::option::Option::None),
            };
            (quote!(::std::string::String), quote!(#m(#i, #max)?))
        }
        Kind::Number if c.is_integer() => {
            let m = opt("integer");
            let p = opt_u32(c.precision);
            (quote!(i64), quote!(#m(#i, #p)?))
        }
        Kind::Number => {
            let m = opt("decimal");
            let (p, s) = (opt_u32(c.precision), opt_u32(c.scale));
            (quote!(::sdk_runtime::Decimal), quote!(#m(#i, #p, #s)?))
        }
        Kind::Date => {
            let m = opt("date");
            let format = match c.format.as_deref().unwrap_or(&d.format.date_format) {
                "DDMMRR" => quote!(::sdk_runtime::tabular::DateFormat::Ddmmrr),
                "DD.MM.YYYY" => quote!(::sdk_runtime::tabular::DateFormat::DayMonthYear),
                other => return Err(Error::Emit(format!("unknown date format {other}"))),
            };
            (quote!(::sdk_runtime::Date), quote!(#m(#i, #format)?))
        }
        Kind::YearMonth => {
            let m = opt("year_month");
            (quote!(::sdk_runtime::values::GYearMonth), quote!(#m(#i)?))
        }
        Kind::Flag => {
            let m = opt("flag");
            let (yes, no) = match c.values.as_slice() {
                [y, n] => (y, n),
                _ => return Err(Error::Emit(format!("flag {} needs two values", c.name))),
            };
            (quote!(bool), quote!(#m(#i, &[#yes, #no])?))
        }
    })
}

fn column_doc(d: &Description, ds: &Dataset, c: &Column, i: usize) -> Vec<String> {
    let mut doc = vec![format!(
        "`{}` (column {}): {}.",
        c.name,
        i + 1,
        sanitize(c.english.trim_end_matches('.'))
    )];
    let provenance = c.provenance.unwrap_or(ds.provenance);
    let ty = match c.kind {
        Kind::Varchar => match c.enforced_length() {
            Some(1) => "text of at most 1 character".to_owned(),
            Some(n) => format!("text of at most {n} characters"),
            None => "text".to_owned(),
        },
        Kind::Number if c.is_integer() => match c.precision {
            Some(p) => format!("a whole number of at most {p} digits"),
            None => "a whole number".to_owned(),
        },
        Kind::Number => match (c.precision, c.scale) {
            (Some(p), Some(s)) => format!(
                "a decimal number, at most {} digits before and {s} after the decimal comma",
                p.saturating_sub(s)
            ),
            _ => "a decimal number (decimal comma)".to_owned(),
        },
        Kind::Date => format!(
            "a date written {}",
            c.format.as_deref().unwrap_or(&d.format.date_format)
        ),
        Kind::YearMonth => "a year and month written YYYY.MM".to_owned(),
        Kind::Flag => format!(
            "`{}` (true) or `{}` (false)",
            c.values.first().map_or("", String::as_str),
            c.values.get(1).map_or("", String::as_str)
        ),
    };
    let mut facts = vec![ty];
    if provenance == Provenance::Published
        && let Some(t) = published_type(c)
    {
        facts.push(format!("published as {t}"));
    } else if provenance != Provenance::Published {
        facts.push(format!("known from: {}", provenance.as_str()));
    }
    facts.push(if c.key {
        "key: always has a value".to_owned()
    } else {
        "`None` when empty".to_owned()
    });
    doc.push(format!("{}.", capitalise(&facts.join("; "))));
    if let (Some(seen), Some(len)) = (c.seen_length, c.length) {
        doc.push(format!(
            "SÚKL's own files hold texts of up to {seen} characters here (source `{}`), more than the published {len}: the length is not enforced.",
            c.seen_length_source.as_deref().unwrap_or("")
        ));
    }
    if !c.aliases.is_empty() {
        let list: Vec<String> = c.aliases.iter().map(|a| format!("`{a}`")).collect();
        doc.push(format!(
            "The header may also name it {} (as SÚKL's files do; source `{}`).",
            list.join(" or "),
            c.aliases_source.as_deref().unwrap_or("")
        ));
    }
    doc
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
