//! Synthetic DLP files for the tests: `dlp_lecivepripravky.csv` rows in windows-1250, written
//! the way SÚKL writes them (`;`, a field quoted when it holds `;`, a quote or a line break).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdk_sukl::dlp::{LecivyPripravek, Record};

/// A fresh folder under the system's temporary folder.
pub fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sdk-sukl-dlp-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The header of `dlp_lecivepripravky.csv`.
pub fn header() -> String {
    LecivyPripravek::LAYOUT.header()
}

/// A product's 44 fields: `kod`, `nazev`, and plausible values elsewhere, with `changes`
/// (column name, value) applied.
pub fn product(kod: &str, nazev: &str, changes: &[(&str, &str)]) -> Vec<String> {
    let defaults: [(&str, &str); 44] = [
        ("KOD_SUKL", kod),
        ("H", ""),
        ("NAZEV", nazev),
        ("SILA", "500MG/50MG"),
        ("FORMA", "TBL NOB"),
        ("BALENI", "20"),
        ("CESTA", "POR"),
        ("DOPLNEK", "500MG/50MG TBL NOB 20"),
        ("OBAL", "BLI"),
        ("DRZ", "ZNP"),
        ("ZEMDRZ", "CZ"),
        ("AKT_DRZ", ""),
        ("AKT_ZEM", ""),
        ("REG", "R"),
        ("V_PLATDO", ""),
        ("NEOMEZ", "X"),
        ("UVADENIDO", ""),
        ("IS_", "07"),
        ("ATC_WHO", "N02BA51"),
        ("RC", "07/123/99-C"),
        ("SDOV", ""),
        ("SDOV_DOD", ""),
        ("SDOV_ZEM", ""),
        ("REG_PROC", "NAR"),
        ("DDDAMNT_WHO", "3"),
        ("DDDUN_WHO", "G"),
        ("DDDP_WHO", "3,3333"),
        ("ZDROJ_WHO", "WHO"),
        ("LL", "KYSELINA ACETYLSALICYLOVÁ, KOFEIN"),
        ("VYDEJ", "F"),
        ("ZAV", ""),
        ("DOPING", ""),
        ("NARVLA", ""),
        ("DODAVKY", "A"),
        ("EAN", ""),
        ("BRAILLOVO_PISMO", "S"),
        ("EXP", "36"),
        ("EXP_T", "M"),
        ("NAZEV_REG", nazev),
        ("MRP_CISLO", ""),
        ("PRAVNI_ZAKLAD_REGISTRACE", "N"),
        ("OCHRANNY_PRVEK", "A"),
        ("OMEZENI_PRESKRIPCE_SMP", ""),
        ("TYP_LP", "HVLP"),
    ];
    let mut fields: Vec<String> = defaults.iter().map(|(_, v)| (*v).to_owned()).collect();
    for (column, value) in changes {
        let i = defaults
            .iter()
            .position(|(c, _)| c == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        fields[i] = (*value).to_owned();
    }
    fields
}

/// One line of fields as SÚKL writes it.
pub fn line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.contains([';', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// `text` in windows-1250.
pub fn cp1250(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = sdk_runtime::encoding_rs::WINDOWS_1250.encode(text);
    assert!(!unmappable, "{text}");
    bytes.into_owned()
}

/// Writes `dlp_lecivepripravky.csv` of `rows` (header first, CRLF) into `folder`.
pub fn write_products(folder: &Path, rows: &[Vec<String>]) -> PathBuf {
    let mut text = header();
    text.push_str("\r\n");
    for r in rows {
        text.push_str(&line(r));
        text.push_str("\r\n");
    }
    let path = folder.join("dlp_lecivepripravky.csv");
    std::fs::write(&path, cp1250(&text)).unwrap();
    path
}

/// Writes `dlp_platnost.csv` (its header as SÚKL's files spell it, in lower case).
pub fn write_platnost(folder: &Path, od: &str, dd: &str) {
    std::fs::write(
        folder.join("dlp_platnost.csv"),
        cp1250(&format!("platnost_od;platnost_do\r\n{od};{dd}\r\n")),
    )
    .unwrap();
}
