//! csv/sukl/dlp.toml against what SÚKL published: every data set marked `published` has exactly
//! the columns of SÚKL's dictionary (DLP_datove_rozhrani20250601.csv), in its order, with its
//! names and types, and every data set of the dictionary is described; the data sets known from
//! sample files have exactly those files' headers, and the provenance of each of their columns
//! matches the samples (`sample`: some sample row has a value; `header`: none has). Control
//! mutations of both sides must be caught. Also: the front end refuses inconsistent
//! descriptions, and generation is deterministic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdk_codegen::tabular::{Description, DictionaryRow, Kind, Provenance, published_differences};
use sdk_runtime::tabular::{Column, Error, Layout, Reader, Record, Row};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn description() -> Description {
    sdk_codegen::tabular::read(&workspace().join("csv/sukl/dlp.toml")).unwrap()
}

/// One row of the dictionary, read with the runtime's reader (the dictionary is itself a
/// windows-1250 `;` file with quoted fields).
struct Entry(DictionaryRow);

static COLUMNS: [Column; 5] = [
    Column::new("Datová sada", &[]),
    Column::new("Pořadí sloupce", &[]),
    Column::new("Název sloupce", &[]),
    Column::new("Typ položky", &[]),
    Column::new("Význam", &[]),
];
static LAYOUT: Layout = Layout::new(
    "DLP_datove_rozhrani",
    "DLP_datove_rozhrani20250601.csv",
    &COLUMNS,
);

impl Record for Entry {
    const LAYOUT: &'static Layout = &LAYOUT;
    fn from_row(row: &Row<'_>) -> Result<Self, Error> {
        Ok(Self(DictionaryRow {
            dataset: row.text(0, None)?,
            position: row.integer(1, None)?,
            name: row.text(2, None)?,
            type_text: row.text(3, None)?,
        }))
    }
}

fn dictionary() -> Vec<DictionaryRow> {
    let d = description();
    let copy = d.sources["dictionary"].copy.as_deref().unwrap();
    let file = std::fs::File::open(workspace().join(copy)).unwrap();
    Reader::<_, Entry>::new(file)
        .unwrap()
        .map(|r| r.unwrap().0)
        .collect()
}

#[test]
fn dlp_toml_matches_the_published_dictionary() {
    let d = description();
    let rows = dictionary();
    assert_eq!(rows.len(), 164, "the dictionary's 164 columns");
    let differences = published_differences(&d, &rows);
    assert!(differences.is_empty(), "{differences:#?}");
    let published: Vec<_> = d
        .datasets
        .iter()
        .filter(|ds| ds.provenance == Provenance::Published)
        .collect();
    assert_eq!(published.len(), 30);
    assert_eq!(
        published.iter().map(|ds| ds.columns.len()).sum::<usize>(),
        164
    );
    // The dictionary's own order of data sets is kept.
    let mut order: Vec<&str> = rows.iter().map(|r| r.dataset.as_str()).collect();
    order.dedup();
    let ours: Vec<&str> = published.iter().map(|ds| ds.name.as_str()).collect();
    assert_eq!(ours, order);
}

#[test]
fn control_mutations_are_caught() {
    let rows = dictionary();
    let base = description();
    let lp = |d: &mut Description| -> usize {
        d.datasets
            .iter()
            .position(|ds| ds.name == "dlp_lecivepripravky")
            .unwrap()
    };
    type Mutation = (&'static str, fn(&mut Description, usize), &'static str);
    let mutations: [Mutation; 8] = [
        (
            "two columns swapped",
            |d, i| d.datasets[i].columns.swap(2, 3),
            "column 3: named NAZEV in the dictionary, SILA",
        ),
        (
            "a column renamed",
            |d, i| d.datasets[i].columns[0].name = "KOD".to_owned(),
            "named KOD_SUKL in the dictionary, KOD",
        ),
        (
            "a length changed",
            |d, i| d.datasets[i].columns[2].length = Some(71),
            "typed VARCHAR2(70) in the dictionary, VARCHAR2(71)",
        ),
        (
            "a scale changed",
            |d, i| d.datasets[i].columns[26].scale = Some(3),
            "typed NUMBER(11,4) in the dictionary, NUMBER(11,3)",
        ),
        (
            "a date format dropped",
            |d, i| d.datasets[i].columns[14].format = None,
            "typed DATE, formát 'DDMMRR' in the dictionary, DATE",
        ),
        (
            "a type changed",
            |d, i| d.datasets[i].columns[17].kind = Kind::Varchar,
            "IS_): typed NUMBER(2,0) in the dictionary",
        ),
        (
            "a column dropped",
            |d, i| {
                d.datasets[i].columns.pop();
            },
            "the dictionary has 44 columns, the description 43",
        ),
        (
            "a data set dropped",
            |d, i| {
                d.datasets.remove(i);
            },
            "data set dlp_lecivepripravky of the dictionary is not described",
        ),
    ];
    for (what, mutate, expected) in mutations {
        let mut d = base.clone();
        let i = lp(&mut d);
        mutate(&mut d, i);
        let found = published_differences(&d, &rows);
        assert!(
            found.iter().any(|f| f.contains(expected)),
            "{what}: expected a difference containing `{expected}`, got {found:#?}"
        );
    }
    // A data set known from samples marked published: the dictionary has no such data set.
    let mut d = base.clone();
    let lek13 = d.datasets.iter_mut().find(|ds| ds.name == "LEK13").unwrap();
    lek13.provenance = Provenance::Published;
    assert!(
        published_differences(&d, &rows)
            .iter()
            .any(|f| f.contains("LEK13 is marked published but the dictionary has no such"))
    );
    // The dictionary's side: a position skipped, a type changed.
    let mut changed = rows.clone();
    changed[0].position = 7;
    assert_eq!(changed[8].name, "KOD_EDQM");
    changed[8].type_text = "NUMBER(9, 0)".to_owned();
    let found = published_differences(&base, &changed);
    assert!(
        found.iter().any(|f| f.contains("duplicate or gap")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("typed NUMBER(9, 0) in the dictionary, NUMBER(8,0)")),
        "{found:#?}"
    );
}

/// The header and first 5 rows of a sample file (windows-1250, `;`, none of them quoted).
fn sample(copy: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(workspace().join(copy)).unwrap();
    let (text, _, bad) = sdk_runtime::encoding_rs::WINDOWS_1250.decode(&bytes);
    assert!(!bad, "{copy}: windows-1250");
    let mut lines = text.lines().take(6).map(|l| {
        assert!(
            !l.contains('"'),
            "{copy}: a quoted field in the first lines"
        );
        l.split(';').map(str::to_owned).collect::<Vec<_>>()
    });
    let header = lines.next().unwrap();
    let rows: Vec<_> = lines.collect();
    assert!(
        rows.iter().all(|r| r.len() == header.len()),
        "{copy}: row widths"
    );
    (header, rows)
}

#[test]
fn sample_data_sets_have_the_published_headers_and_honest_provenance() {
    let d = description();
    let mut checked = 0;
    for ds in d
        .datasets
        .iter()
        .filter(|ds| ds.provenance != Provenance::Published)
    {
        let copy = d.sources[&ds.source].copy.as_deref().unwrap();
        let (header, rows) = sample(copy);
        let names: Vec<&str> = ds.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, header, "{}: header of {copy}", ds.name);
        assert!(rows.len() >= 5, "{copy}: sample rows");
        for (i, c) in ds.columns.iter().enumerate() {
            let filled = rows.iter().any(|r| !r[i].is_empty());
            match c.provenance.unwrap_or(ds.provenance) {
                Provenance::Sample => assert!(
                    filled,
                    "{}.{}: marked sample but never filled",
                    ds.name, c.name
                ),
                Provenance::Header => assert!(
                    !filled,
                    "{}.{}: marked header but filled in a sample",
                    ds.name, c.name
                ),
                Provenance::Published => {
                    panic!("{}.{}: published in a sample data set", ds.name, c.name)
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 4, "LEK13, DIS13, REG13 and the dictionary itself");
}

fn refused(body: &str, expected: &str) {
    let dir = std::env::temp_dir().join(format!("tabular-refused-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.toml", expected.len()));
    let head = r#"
[format]
encoding = "windows-1250"
separator = ";"
date_format = "DD.MM.YYYY"
[sources.s]
title = "test"
"#;
    std::fs::write(&path, format!("{head}{body}")).unwrap();
    let e = sdk_codegen::tabular::read(&path).unwrap_err().to_string();
    assert!(e.contains(expected), "expected `{expected}` in: {e}");
}

#[test]
fn the_front_end_refuses_inconsistent_descriptions() {
    let ds = |columns: &str| {
        format!(
            "[[dataset]]\nname = \"d\"\nfile = \"d.csv\"\nrecord = \"D\"\nenglish = \"x\"\nprovenance = \"published\"\nsource = \"s\"\ncolumn = [{columns}]\n"
        )
    };
    refused(
        &ds(r#"{ name = "A", type = "number", length = 3, english = "x" }"#),
        "`length` applies to the type varchar only",
    );
    refused(
        &ds(r#"{ name = "A", type = "flag", values = ["Ano"], english = "x" }"#),
        "a flag has two different values",
    );
    refused(
        &ds(r#"{ name = "A", type = "date", format = "YYYY-MM-DD", english = "x" }"#),
        "date format `YYYY-MM-DD` is not one of",
    );
    refused(
        &ds(
            r#"{ name = "A", type = "varchar", english = "x" }, { name = "a", type = "varchar", english = "y" }"#,
        ),
        "occurs twice",
    );
    refused(
        &ds(r#"{ name = "Období", type = "varchar", english = "x" }"#),
        "is not a lower-case Rust name",
    );
    refused(
        &ds(r#"{ name = "A", type = "varchar", length = 5, seen_length = 9, english = "x" }"#),
        "seen_length goes with seen_length_source",
    );
    refused(
        &ds(
            r#"{ name = "A", type = "varchar", aliases = ["B"], aliases_source = "nowhere", english = "x" }"#,
        ),
        "no [sources.nowhere]",
    );
    refused(
        &ds(r#"{ name = "A", type = "number", precision = 20, scale = 0, english = "x" }"#),
        "does not fit i64",
    );
    refused(&ds(""), "it has no columns");
}

#[test]
fn generation_is_deterministic_and_parses() {
    let d = description();
    let a = sdk_codegen::emit::tabular_file(&d, "csv/sukl/dlp.toml").unwrap();
    let b = sdk_codegen::emit::tabular_file(&description(), "csv/sukl/dlp.toml").unwrap();
    assert_eq!(a, b);
    assert!(a.starts_with("// @generated by sdk-codegen from csv/sukl/dlp.toml. DO NOT EDIT."));
    syn::parse_file(&a).unwrap();
    for forbidden in [".unwrap()", ".expect(", "panic!"] {
        assert!(!a.contains(forbidden), "generated code holds {forbidden}");
    }
    // The committed module is this output (what `cargo xtask regen --check` also checks).
    let committed =
        std::fs::read_to_string(workspace().join("sdk-sukl/src/generated/dlp.rs")).unwrap();
    assert_eq!(committed, a, "run `cargo xtask regen`");
}
