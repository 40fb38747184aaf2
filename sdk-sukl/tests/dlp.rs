//! DLP open data read from files on disk: SÚKL's published samples (the LEK-13, DIS-13 and
//! REG-13 aggregates, the DLP dictionary itself) with every column typed; a synthetic
//! `dlp_lecivepripravky.csv` in windows-1250 read back; malformed rows reported with their line
//! numbers, none skipped; header mismatches.
#![cfg(feature = "dlp")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dlp_files;

use std::path::{Path, PathBuf};

use sdk_runtime::values::GYearMonth;
use sdk_runtime::{Date, Decimal};
use sdk_sukl::dlp::{
    self, Dis13Agregat, Dlp, DlpError, Error, FieldError, LAYOUTS, LecivyPripravek, Lek13Agregat,
    Record, Reg13Agregat, SloupecRozhrani,
};

use dlp_files::{cp1250, folder, header, line, product, write_products};

fn published(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/sukl-opendata")
        .join(file)
}

fn all<T: Record>(path: &Path) -> Vec<T> {
    dlp::read::<T>(path)
        .unwrap()
        .map(|r| r.unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn month(year: i32, month: time::Month) -> GYearMonth {
    GYearMonth::new(year, month, None).unwrap()
}

fn dec(mantissa: i128, scale: u32) -> Option<Decimal> {
    Some(Decimal::from_parts(mantissa, scale))
}

#[test]
fn the_published_lek13_sample_reads_with_every_column_typed() {
    let rows = all::<Lek13Agregat>(&published("LEK13_202602v01.head6.csv"));
    assert_eq!(rows.len(), 5);
    let r = &rows[0];
    assert_eq!(r.obdobi, month(2026, time::Month::February));
    assert_eq!(r.typ_hlaseni.as_deref(), Some("recept"));
    assert_eq!(r.atc7.as_deref(), Some("A01AA01"));
    assert_eq!(r.kod_sukl, "208774");
    assert_eq!(r.nazev_pripravku.as_deref(), Some("ZYMAFLUOR"));
    assert_eq!(r.doplnek_nazvu.as_deref(), Some("0,25MG TBL NOB 200"));
    assert_eq!(r.drzitel_registrace.as_deref(), Some("MYL"));
    assert_eq!(r.zeme.as_deref(), Some("IRL"));
    assert_eq!(r.pocet_baleni, dec(1, 0));
    assert_eq!(r.nakupni_cena_bez_dph, None);
    assert_eq!(r.konecna_prodejni_cena_s_dph, None);
    assert_eq!(r.pocet_ddd_baleni, dec(100, 0));
    assert_eq!(r.zpusob_vydeje.as_deref(), Some("F"));
    assert_eq!(r.hrazeno, Some(false));
    assert_eq!(rows[2].typ_hlaseni.as_deref(), Some("žádanka"));
    assert_eq!(rows[3].nazev_pripravku.as_deref(), Some("ELMEX GELÉE"));
    assert_eq!(rows[3].pocet_ddd_baleni, None);
    assert_eq!(rows[4].pocet_ddd_baleni, dec(166_667, 4));
    assert_eq!(rows[4].pocet_baleni, dec(65, 0));
    // The aggregates write kód SÚKL without its leading zeros.
    assert_eq!(dlp::kod_sukl(&r.kod_sukl).unwrap().as_str(), "0208774");
}

#[test]
fn the_published_dis13_and_reg13_samples_read_with_every_column_typed() {
    let dis = all::<Dis13Agregat>(&published("DIS13_202005v01.head6.csv"));
    assert_eq!(dis.len(), 5);
    let r = &dis[2];
    assert_eq!(r.obdobi, month(2020, time::Month::May));
    assert_eq!(r.typ_odberatele.as_deref(), Some("DISTRIBUTOR_CR"));
    assert_eq!(r.atc7.as_deref(), Some("A01AA01"));
    assert_eq!(r.kod_sukl, "208774");
    assert_eq!(r.drzitel_registracniho_rozhodnuti.as_deref(), Some("MYL"));
    assert_eq!(r.typ_pohybu.as_deref(), Some("D"));
    assert_eq!(r.pocet_baleni_m, dec(12, 0));
    assert_eq!(r.cena_za_baleni, None);
    assert_eq!(r.pocet_ddd_baleni, dec(100, 0));
    assert_eq!(r.zpusob_vydeje.as_deref(), Some("F"));
    assert_eq!(r.hrazeno, Some(false));
    assert_eq!(
        dis[0].doplnek_nazvu.as_deref(),
        Some("286MG/G+190000IU/G STM PST 7,5G")
    );

    let reg = all::<Reg13Agregat>(&published("REG13_202005v01.head6.csv"));
    assert_eq!(reg.len(), 5);
    let r = &reg[0];
    assert_eq!(r.obdobi, month(2020, time::Month::May));
    assert_eq!(r.typ_hlaseni.as_deref(), Some("Distributor"));
    assert_eq!(r.nazev_pripravku.as_deref(), Some("ELMEX GELÉE"));
    assert_eq!(r.pocet_baleni, dec(17_280, 0));
    assert_eq!(r.pocet_ddd_baleni, None);
    assert_eq!(r.hrazeno, Some(false));
}

#[test]
fn the_published_dictionary_reads_and_matches_the_generated_layouts() {
    let rows = all::<SloupecRozhrani>(&published("DLP_datove_rozhrani20250601.csv"));
    assert_eq!(rows.len(), 164);
    // A meaning with a `;` inside quotes.
    let sdov = rows
        .iter()
        .find(|r| r.datova_sada == "dlp_lecivepripravky" && r.poradi_sloupce == 21)
        .unwrap();
    assert!(
        sdov.vyznam
            .as_deref()
            .unwrap()
            .contains("registračního čísla; zpravidla")
    );
    // Every column of the dictionary is where the generated layout of its data set has it.
    for r in &rows {
        let layout = LAYOUTS
            .iter()
            .find(|l| l.dataset == r.datova_sada)
            .unwrap_or_else(|| panic!("no layout for {}", r.datova_sada));
        let i = usize::try_from(r.poradi_sloupce - 1).unwrap();
        assert_eq!(
            Some(layout.columns[i].name),
            r.nazev_sloupce.as_deref(),
            "{} column {}",
            r.datova_sada,
            r.poradi_sloupce
        );
        let count = rows
            .iter()
            .filter(|x| x.datova_sada == r.datova_sada)
            .count();
        assert_eq!(layout.columns.len(), count, "{}", r.datova_sada);
    }
}

#[test]
fn a_synthetic_dlp_lecivepripravky_reads_back_typed() {
    let dir = folder("read");
    write_products(
        &dir,
        &[
            product(
                "0000113",
                "ACYLPYRIN ŽVÝKACÍ; PRO DĚTI",
                &[
                    ("V_PLATDO", "311226"),
                    ("UVADENIDO", "010650"),
                    ("NEOMEZ", ""),
                    ("DDDAMNT_WHO", ",5"),
                    ("DDDP_WHO", "16,6667"),
                    ("LL", "KYSELINA \"ACETYLSALICYLOVÁ\"; KOFEIN"),
                    ("BRAILLOVO_PISMO", " "),
                ],
            ),
            product("0012345", "PARALEN 500", &[]),
        ],
    );
    let rows: Vec<LecivyPripravek> = Dlp::new(&dir)
        .lecive_pripravky()
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2);
    let p = &rows[0];
    assert_eq!(p.kod_sukl, "0000113");
    assert_eq!(p.nazev.as_deref(), Some("ACYLPYRIN ŽVÝKACÍ; PRO DĚTI"));
    assert_eq!(
        p.v_platdo,
        Some(Date::from_calendar_date(2026, time::Month::December, 31).unwrap())
    );
    assert_eq!(
        p.uvadenido,
        Some(Date::from_calendar_date(1950, time::Month::June, 1).unwrap())
    );
    assert_eq!(p.neomez, None);
    assert_eq!(p.is_, Some(7));
    assert_eq!(p.dddamnt_who, dec(5, 1));
    assert_eq!(p.dddp_who, dec(166_667, 4));
    assert_eq!(
        p.ll.as_deref(),
        Some("KYSELINA \"ACETYLSALICYLOVÁ\"; KOFEIN")
    );
    assert_eq!(
        p.braillovo_pismo.as_deref(),
        Some(" "),
        "a space is a value"
    );
    assert_eq!(p.ean, None);
    assert_eq!(p.typ_lp.as_deref(), Some("HVLP"));
    assert_eq!(rows[1].neomez.as_deref(), Some("X"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_rows_are_reported_with_their_lines_and_none_skipped() {
    let dir = folder("malformed");
    let mut text = header();
    text.push_str("\r\n");
    let good = |kod: &str| line(&product(kod, "DOBRÝ", &[]));
    let rows = [
        good("0000001"),                                               // line 2
        line(&product("0000002", "KRÁTKÝ", &[])[..43]),                // 3: 43 fields
        line(&product("0000003", &"Ř".repeat(71), &[])),               // 4: NAZEV 71
        line(&product("0000004", "X", &[("IS_", "7A")])),              // 5: bad number
        line(&product("0000005", "X", &[("V_PLATDO", "310226")])),     // 6: 31 Feb
        line(&product("0000006", "X", &[("DDDP_WHO", "1,23456")])),    // 7: scale
        line(&product("", "BEZ KÓDU", &[])),                           // 8: no key
        good("0000008"),                                               // 9
        line(&product("0000009", "VÍCE\r\nŘÁDKŮ", &[("IS_", "123")])), // 10-12 (NAZEV_REG too)
        good("0000010"),                                               // 13
        // 14: a byte windows-1250 has no character for (0x98, put in place of U+0001 below).
        line(&product("0000011", "A\u{1}B", &[])),
    ];
    for r in &rows {
        text.push_str(r);
        text.push_str("\r\n");
    }
    let bytes: Vec<u8> = cp1250(&text)
        .into_iter()
        .map(|b| if b == 1 { 0x98 } else { b })
        .collect();
    std::fs::write(dir.join("dlp_lecivepripravky.csv"), bytes).unwrap();

    let results: Vec<Result<LecivyPripravek, Error>> =
        Dlp::new(&dir).lecive_pripravky().unwrap().collect();
    assert_eq!(results.len(), 11, "one result per row, none skipped");
    let summary: Vec<(u64, String)> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.line().unwrap(), e.to_string()))
        .collect();
    let expected = [
        (3, "line 3: 43 fields, the header has 44"),
        (
            4,
            "line 4, column NAZEV (3): 71 characters, the column allows at most 70",
        ),
        (5, "line 5, column IS_ (18): `7A` is not a whole number"),
        (
            6,
            "line 6, column V_PLATDO (15): `310226` is not a date written DDMMRR",
        ),
        (
            7,
            "line 7, column DDDP_WHO (27): `1,23456` does not fit NUMBER(11,4): at most 7 digits before the decimal separator and 4 after",
        ),
        (
            8,
            "line 8, column KOD_SUKL (1): empty, but the column must have a value",
        ),
        (
            10,
            "line 10, column IS_ (18): `123` does not fit NUMBER(2,0): at most 2 digits before the decimal separator and 0 after",
        ),
        (
            14,
            "line 14, column NAZEV (3): holds the control character U+0098 at character 2: the file is damaged or not in windows-1250",
        ),
    ];
    let expected: Vec<(u64, String)> = expected
        .iter()
        .map(|(l, m)| (*l, (*m).to_owned()))
        .collect();
    assert_eq!(summary, expected);
    let good: Vec<&str> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|p| p.kod_sukl.as_str())
        .collect();
    assert_eq!(good, ["0000001", "0000008", "0000010"]);
    match &results[2] {
        Err(Error::Field {
            reason: FieldError::TooLong { found: 71, max: 70 },
            column: "NAZEV",
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_header_that_does_not_match_is_refused_with_the_difference() {
    let dir = folder("header");
    // An older edition: without the last two columns.
    let h: Vec<&str> = LecivyPripravek::LAYOUT.columns[..42]
        .iter()
        .map(|c| c.name)
        .collect();
    std::fs::write(
        dir.join("dlp_lecivepripravky.csv"),
        cp1250(&format!("{}\r\n", h.join(";"))),
    )
    .unwrap();
    let e = Dlp::new(&dir).lecive_pripravky().unwrap_err();
    let DlpError::Header {
        path,
        source: Error::Header(mismatch),
    } = &e
    else {
        panic!("{e:?}");
    };
    assert!(path.ends_with("dlp_lecivepripravky.csv"));
    assert_eq!(mismatch.missing, ["OMEZENI_PRESKRIPCE_SMP", "TYP_LP"]);
    assert!(
        e.to_string()
            .contains("missing OMEZENI_PRESKRIPCE_SMP, TYP_LP")
    );

    // A renamed column.
    std::fs::write(
        dir.join("dlp_lecivepripravky.csv"),
        cp1250(&format!("{}\r\n", header().replace("KOD_SUKL", "KOD"))),
    )
    .unwrap();
    let Err(DlpError::Header {
        source: Error::Header(mismatch),
        ..
    }) = Dlp::new(&dir).lecive_pripravky()
    else {
        panic!("renamed column accepted");
    };
    assert_eq!(mismatch.missing, ["KOD_SUKL"]);
    assert_eq!(mismatch.unexpected, ["KOD"]);

    // No file at all.
    std::fs::remove_file(dir.join("dlp_lecivepripravky.csv")).unwrap();
    assert!(matches!(
        Dlp::new(&dir).lecive_pripravky(),
        Err(DlpError::Open { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kod_sukl_is_padded_from_the_aggregates_form() {
    assert_eq!(dlp::kod_sukl("53907").unwrap().as_str(), "0053907");
    assert_eq!(dlp::kod_sukl("0053907").unwrap().as_str(), "0053907");
    assert!(dlp::kod_sukl("12345678").is_err());
    assert!(dlp::kod_sukl("53A07").is_err());
    assert!(dlp::kod_sukl("").is_err());
}
