//! The local DLP index on disk: built from a folder of DLP files, looked up by kód SÚKL, and
//! rebuilt atomically — a failed rebuild (a bad row, a missing file) leaves the old index as it
//! was, with no temporary file left behind.
#![cfg(all(feature = "dlp", feature = "sqlite"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dlp_files;

use std::path::Path;

use sdk_sukl::dlp::{
    BuildOptions, DlpError, DlpIndex, Error, IndexError, LecivyPripravek, Rejection,
};
use sdk_sukl::lek13::KodSukl;

use dlp_files::{folder, product, write_platnost, write_products};

fn kod(s: &str) -> KodSukl {
    KodSukl::parse(s).unwrap()
}

fn name(index: &DlpIndex, code: &str) -> Option<String> {
    index.lookup(&kod(code)).unwrap().and_then(|p| p.nazev)
}

/// The files of the folder other than the sources (what a build may leave behind).
fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "index.sqlite")
        .collect();
    names.sort();
    names
}

#[test]
fn built_looked_up_and_equal_to_reading_the_file() {
    let root = folder("index");
    let src = root.join("DLP20260227");
    std::fs::create_dir_all(&src).unwrap();
    let rows = vec![
        product(
            "0000113",
            "ACYLPYRIN; ŽVÝKACÍ",
            &[("V_PLATDO", "311226"), ("DDDP_WHO", "16,6667")],
        ),
        product("0012345", "PARALEN 500", &[]),
        product("0254678", "IBALGIN 400", &[("EXP", "60")]),
    ];
    let csv = write_products(&src, &rows);
    write_platnost(&src, "01.03.2026", "31.03.2026");
    let index_path = root.join("index.sqlite");

    let report = DlpIndex::build(&src, &index_path).unwrap();
    assert_eq!(report.products, 3);
    assert_eq!(report.rejected_rows, 0);
    let (od, dd) = report.platnost.unwrap();
    assert_eq!((od.day(), dd.day()), (1, 31));

    let index = DlpIndex::open(&index_path).unwrap();
    assert_eq!(index.len().unwrap(), 3);
    assert_eq!(index.platnost().unwrap(), report.platnost);
    let from_file: Vec<LecivyPripravek> = sdk_sukl::dlp::read(&csv)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for p in &from_file {
        assert_eq!(index.lookup(&kod(&p.kod_sukl)).unwrap().as_ref(), Some(p));
    }
    assert_eq!(
        name(&index, "0000113").as_deref(),
        Some("ACYLPYRIN; ŽVÝKACÍ")
    );
    assert_eq!(index.lookup(&kod("9999999")).unwrap(), None);
    // From the aggregates' form of the code.
    let p = index
        .lookup(&sdk_sukl::dlp::kod_sukl("12345").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(p.nazev.as_deref(), Some("PARALEN 500"));
    assert!(leftovers(&root).iter().all(|n| !n.contains("building")));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_failed_rebuild_leaves_the_old_index_intact() {
    let root = folder("rebuild");
    let old = root.join("old");
    let bad = root.join("bad");
    let missing = root.join("missing");
    let new = root.join("new");
    for d in [&old, &bad, &missing, &new] {
        std::fs::create_dir_all(d).unwrap();
    }
    write_products(&old, &[product("0000113", "STARÝ", &[])]);
    write_products(
        &bad,
        &[
            product("0000113", "NOVÝ", &[]),
            product("0000114", "ŠPATNÝ", &[("IS_", "XX")]),
        ],
    );
    write_products(&new, &[product("0000113", "NOVÝ", &[])]);
    let index_path = root.join("index.sqlite");
    DlpIndex::build(&old, &index_path).unwrap();
    let before = std::fs::read(&index_path).unwrap();
    let held = DlpIndex::open(&index_path).unwrap();

    // A bad row: the build fails, naming it.
    let e = DlpIndex::build(&bad, &index_path).unwrap_err();
    match &e {
        IndexError::TooManyRejected {
            rejected_rows: 1,
            allowed: 0,
            first,
        } => match &first[0].reason {
            Rejection::Row(Error::Field {
                line: 3, column, ..
            }) => assert_eq!(*column, "IS_"),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("line 3, column IS_ (18)"), "{e}");
    // A missing file: the build fails before writing anything.
    assert!(matches!(
        DlpIndex::build(&missing, &index_path),
        Err(IndexError::File(DlpError::Open { .. }))
    ));
    // The old index: the same bytes, opened anew or already open, and no temporary file left.
    assert_eq!(std::fs::read(&index_path).unwrap(), before);
    assert_eq!(
        name(&DlpIndex::open(&index_path).unwrap(), "0000113").as_deref(),
        Some("STARÝ")
    );
    assert_eq!(name(&held, "0000113").as_deref(), Some("STARÝ"));
    assert_eq!(leftovers(&root), ["bad", "missing", "new", "old"]);

    // A good rebuild replaces it; on Unix, the index already open keeps its edition.
    DlpIndex::build(&new, &index_path).unwrap();
    assert_eq!(
        name(&DlpIndex::open(&index_path).unwrap(), "0000113").as_deref(),
        Some("NOVÝ")
    );
    #[cfg(unix)]
    assert_eq!(name(&held, "0000113").as_deref(), Some("STARÝ"));
    assert_eq!(leftovers(&root), ["bad", "missing", "new", "old"]);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn rejections_can_be_allowed_and_are_reported() {
    let root = folder("allowed");
    write_products(
        &root,
        &[
            product("0000113", "PRVNÍ", &[]),
            product("0000113", "DRUHÝ", &[]),
            product("0000114", "ŠPATNÝ", &[("V_PLATDO", "999999")]),
            product("0000115", "DOBRÝ", &[]),
        ],
    );
    let index_path = root.join("index.sqlite");
    let e =
        DlpIndex::build_with(&root, &index_path, &BuildOptions::new().max_rejected(1)).unwrap_err();
    assert!(matches!(
        e,
        IndexError::TooManyRejected {
            rejected_rows: 2,
            allowed: 1,
            ..
        }
    ));
    assert!(!index_path.exists(), "no index was there, none appears");

    let report =
        DlpIndex::build_with(&root, &index_path, &BuildOptions::new().max_rejected(2)).unwrap();
    assert_eq!((report.products, report.rejected_rows), (2, 2));
    let messages: Vec<String> = report.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "dlp_lecivepripravky.csv: line 3: kód SÚKL 0000113 is on line 2 already",
            "dlp_lecivepripravky.csv: line 4, column V_PLATDO (15): `999999` is not a date written DDMMRR",
        ]
    );
    let index = DlpIndex::open(&index_path).unwrap();
    assert_eq!(name(&index, "0000113").as_deref(), Some("PRVNÍ"));
    assert_eq!(index.lookup(&kod("0000114")).unwrap(), None);
    assert_eq!(index.platnost().unwrap(), None, "no dlp_platnost.csv");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn opening_what_is_not_an_index_fails_clearly() {
    let root = folder("notindex");
    assert!(matches!(
        DlpIndex::open(root.join("absent.sqlite")),
        Err(IndexError::Io { .. })
    ));
    let junk = root.join("junk.sqlite");
    std::fs::write(&junk, b"this is not a database, just text").unwrap();
    assert!(matches!(
        DlpIndex::open(&junk),
        Err(IndexError::NotAnIndex { .. })
    ));
    std::fs::remove_dir_all(&root).unwrap();
}
