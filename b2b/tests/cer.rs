//! `b2b p1 cer validate-csv` as users run it: a valid initial-load file passes (exit 0), a file
//! with bad rows lists every problem with CeR's code and exits 1, `--json` gives JSON Lines
//! ending with the report, and a missing file is a usage error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{assert_exit, run, run_with_stdin, stdout, temp_dir};

const HEADER: &str = "idMus;kodSwiadczenia;idSlotu;dataWizyty;czasTrwaniaMin;rodzajWizyty;pesel;\
                      email;telefon;kluczSkierowania;statusSkierowania;\
                      idWystawcySkierowaniaPapierowego;dataZapisu";

/// A follow-up visit with a phone (valid), and a first visit on a paper referral.
const GOOD: [&str; 2] = [
    "MUS-1;02.1450.102.02;;2026-07-01T09:00;20;KOLEJNA;44051401359;;600700800;;;;2026-06-01T10:15:00",
    "MUS-1;02.1450.102.02;;2026-07-01T09:20;20;PIERWSZORAZOWA;80010112340;a@example.pl;;;;5425740;2026-06-02T08:00:00",
];

fn file(name: &str, rows: &[&str]) -> std::path::PathBuf {
    let path = temp_dir("cer-csv").join(name);
    let mut text = String::from(HEADER);
    for r in rows {
        text.push_str("\r\n");
        text.push_str(r);
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_valid_file_passes() {
    let path = file("good.csv", &GOOD);
    let out = run(&["p1", "cer", "validate-csv", path.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("2 rows, 0 with problems, 0 problems"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_rows_are_listed_with_their_codes_and_the_run_fails() {
    let rows = [
        GOOD[0],
        // No contact.
        "MUS-1;02.1450.102.02;;2026-07-01T10:00;20;KOLEJNA;90123143210;;;;;;2026-06-01T10:15:00",
        // The same visit as row 2.
        GOOD[0],
        // Booked after the visit; a bad NPWZ.
        "MUS-1;02.1450.102.02;;2026-07-02T09:00;20;PIERWSZORAZOWA;02211555555;;600700801;;;1234567;2026-08-01T10:00:00",
    ];
    let path = file("bad.csv", &rows);
    let out = run(&["p1", "cer", "validate-csv", path.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    for expected in [
        "row 3: REG.WER.8361",
        "row 4: REG.WER.9644",
        "REG.WER.9667",
        "REG.WER.9666",
        "4 rows, 3 with problems",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    // No personal data in the report.
    assert!(!text.contains("90123143210"), "{text}");

    let out = run(&[
        "p1",
        "cer",
        "validate-csv",
        path.to_str().unwrap(),
        "--json",
    ]);
    assert_exit(&out, 1);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["raport"]["wiersze"], 4);
    assert_eq!(last["raport"]["wiersze_z_bledami"], 3);
    let codes: Vec<&str> = lines[..lines.len() - 1]
        .iter()
        .map(|p| p["kod"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"REG.WER.8361") && codes.contains(&"REG.WER.9644"),
        "{codes:?}"
    );
    assert!(lines.iter().any(|p| p["wiersz"] == 3), "{lines:?}");
}

#[test]
fn standard_input_and_a_missing_file() {
    let mut text = String::from(HEADER);
    text.push('\n');
    text.push_str(GOOD[1]);
    let out = run_with_stdin(&["p1", "cer", "validate-csv", "-"], text.as_bytes());
    assert_exit(&out, 0);
    let out = run(&["p1", "cer", "validate-csv", "/nonexistent/wizyty.csv"]);
    assert_exit(&out, 2);
}

#[test]
fn the_embedded_sandbox_lists_books_and_cancels() {
    let out = run(&["p1", "cer", "wizyty"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("W-1") && text.contains("KOLEJNA") && text.contains("UMOWIONA"),
        "{text}"
    );
    assert!(
        !text.contains("44051401359"),
        "no PESEL in the listing: {text}"
    );

    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-2",
        "--pesel",
        "44051401359",
        "--telefon",
        "600100200",
    ]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("Sukces"), "{}", stdout(&out));

    // The seeded visit holds S-1: CeR's rule answers, exit 1.
    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-1",
        "--pesel",
        "44051401359",
        "--email",
        "a@example.pl",
    ]);
    assert_exit(&out, 1);
    assert!(
        support::stderr(&out).contains("REG.WER.9644"),
        "{}",
        support::stderr(&out)
    );

    let out = run(&["p1", "cer", "odwolaj", "W-1", "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["wynik"]["major"], "urn:csioz:p1:kod:major:Sukces");

    let out = run(&["p1", "cer", "aktywuj-mus"]);
    assert_exit(&out, 0);
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    // No contact: REG.WER.8361 locally.
    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-2",
        "--pesel",
        "44051401359",
    ]);
    assert_exit(&out, 2);
    assert!(support::stderr(&out).contains("REG.WER.8361"));
    // Not a PESEL.
    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-2",
        "--pesel",
        "12345678901",
        "--telefon",
        "600100200",
    ]);
    assert_exit(&out, 2);
    // A real endpoint needs the signing certificate and the entity.
    let out = run(&[
        "p1",
        "cer",
        "wizyty",
        "--endpoint",
        "https://isus.ezdrowie.gov.pl",
    ]);
    assert_exit(&out, 2);
    assert!(
        support::stderr(&out).contains("--signing-identity"),
        "{}",
        support::stderr(&out)
    );
    let out = run(&[
        "p1",
        "cer",
        "wizyty",
        "--od",
        "2026-12-10",
        "--do",
        "2026-12-01",
    ]);
    assert_exit(&out, 2);
}

/// A large file checked with standard error on a terminal (a pseudo-terminal from `script`)
/// shows a progress bar with the bytes read and the time left; redirected, nothing but the report.
#[test]
fn a_progress_bar_is_drawn_on_a_terminal_only() {
    let path = temp_dir("cer-csv").join("large.csv");
    let mut text = String::from(HEADER);
    // 200,000 valid follow-up visits at distinct places of service: about 20 MB.
    for i in 0..200_000 {
        text.push_str(&format!(
            "\r\nMUS-{i};02.1450.102.02;;2026-07-01T09:00;20;KOLEJNA;44051401359;;600700800;;;;2026-06-01T10:15:00"
        ));
    }
    std::fs::write(&path, text).unwrap();
    let command = format!(
        "{} p1 cer validate-csv {}",
        env!("CARGO_BIN_EXE_b2b"),
        path.display()
    );
    let tty = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) runs the command on a pseudo-terminal");
    assert_exit(&tty, 0);
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(screen.contains("200000 rows, 0 with problems"), "{screen}");
    assert!(screen.contains("MiB"), "no bar: {screen}");
    assert!(screen.contains("ETA"), "no bar: {screen}");
    assert!(screen.contains("=>") || screen.contains("=="), "no bar: {screen}");

    let redirected = run(&["p1", "cer", "validate-csv", path.to_str().unwrap()]);
    assert_exit(&redirected, 0);
    assert_eq!(support::stderr(&redirected), "");
    assert!(!stdout(&redirected).contains("ETA"));
}
