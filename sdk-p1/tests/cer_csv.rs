//! The CeR initial-load CSV: the validator's findings as exact (row, column, code) triples, one
//! file per error class, the file format's corners (CRLF, BOM, quoting, non-UTF-8, runaway
//! records), and the writer → validator round trip.
//!
//! The files are built in code from one valid row, so each test shows only what it changes.
//! PESELs and NPWZs here are fictitious numbers with valid check digits.

#![cfg(feature = "cer")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_p1::Pesel;
use sdk_p1::cer::zasilenie::{
    BladUkladu, BladZapisu, KOLUMNY, KodBledu, Kolumna, Pole, Problem, Raport, RodzajWizyty,
    StatusSkierowania, Uklad, Walidator, Wizyta, ZapisCsv,
};
use time::macros::datetime;

const NAGLOWEK: &str = "idMus;kodSwiadczenia;idSlotu;dataWizyty;czasTrwaniaMin;rodzajWizyty;pesel;\
                        email;telefon;kluczSkierowania;statusSkierowania;\
                        idWystawcySkierowaniaPapierowego;dataZapisu";

const PESELE: [&str; 6] = [
    "44051401359",
    "80010112340",
    "90123143210",
    "02211555555",
    "75063011111",
    "66030324680",
];

/// A valid NPWZ (check digit 5 = 4·1 + 2·2 + 5·3 + 7·4 + 4·5 + 0·6 mod 11).
const NPWZ: &str = "5425740";

type Trojka = (u64, Option<&'static str>, &'static str);

/// Cells changed in a row: (column, raw cell).
type Zmiany<'a> = Vec<(&'a str, &'a str)>;

/// One row: a valid follow-up visit with a phone, changed by `zmiany` (column name, raw cell).
fn wiersz(zmiany: &[(&str, &str)]) -> String {
    let mut pola: Vec<String> = KOLUMNY
        .iter()
        .map(|k| {
            match k.nazwa {
                "idMus" => "MUS-000123",
                "kodSwiadczenia" => "02.1450.102.02",
                "dataWizyty" => "2026-07-01T09:00",
                "czasTrwaniaMin" => "20",
                "rodzajWizyty" => "KOLEJNA",
                "pesel" => PESELE[0],
                "telefon" => "600700800",
                "dataZapisu" => "2026-06-01T10:15:00",
                _ => "",
            }
            .to_owned()
        })
        .collect();
    for (nazwa, wartosc) in zmiany {
        let i = KOLUMNY
            .iter()
            .position(|k| k.nazwa == *nazwa)
            .unwrap_or_else(|| panic!("no column {nazwa}"));
        pola[i] = (*wartosc).to_owned();
    }
    pola.join(";")
}

/// Rows that differ in `idMus` (so they are not duplicates of each other), each changed by its
/// `zmiany` (which may set `idMus` too).
fn rozne(zmiany: &[&[(&str, &str)]]) -> Vec<String> {
    zmiany
        .iter()
        .enumerate()
        .map(|(i, z)| {
            let mus = format!("MUS-{i:04}");
            let mut wszystkie = vec![("idMus", mus.as_str())];
            wszystkie.extend_from_slice(z);
            wiersz(&wszystkie)
        })
        .collect()
}

/// A file: the header and `wiersze`, CRLF line ends.
fn plik(wiersze: &[String]) -> Vec<u8> {
    let mut s = String::from(NAGLOWEK);
    s.push_str("\r\n");
    for w in wiersze {
        s.push_str(w);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

fn sprawdz_z(walidator: &Walidator, dane: &[u8]) -> (Vec<Problem>, Raport) {
    let mut problemy = Vec::new();
    let raport = walidator
        .sprawdz(dane, |p| problemy.push(p))
        .expect("reading from memory");
    assert_eq!(raport.problemy, problemy.len() as u64);
    (problemy, raport)
}

fn sprawdz(dane: &[u8]) -> (Vec<Problem>, Raport) {
    sprawdz_z(&Walidator::new(), dane)
}

fn kod(k: &KodBledu) -> &'static str {
    match k {
        KodBledu::UkladKolumn => "8244",
        KodBledu::KontaktPacjenta => "8361",
        KodBledu::UnikalnoscWizyty => "9644",
        KodBledu::StatusSkierowania => "9662",
        KodBledu::WystawcaSkierowaniaPapierowego => "9666",
        KodBledu::DataZapisu => "9667",
        _ => "other",
    }
}

fn trojki(problemy: &[Problem]) -> Vec<Trojka> {
    problemy
        .iter()
        .map(|p| (p.wiersz, p.kolumna, kod(&p.kod)))
        .collect()
}

/// The triples of a file made of the header and `wiersze`.
fn trojki_pliku(wiersze: &[String]) -> Vec<Trojka> {
    trojki(&sprawdz(&plik(wiersze)).0)
}

#[test]
fn the_header_constant_matches_the_layout() {
    assert_eq!(Uklad::default().naglowek(), NAGLOWEK);
    assert_eq!(KOLUMNY.len(), 13);
}

#[test]
fn a_valid_file_has_no_problems() {
    let wiersze = vec![
        // First visits: e-referral issued, e-referral with unknown status, paper referral.
        wiersz(&[
            ("rodzajWizyty", "PIERWSZORAZOWA"),
            (
                "kluczSkierowania",
                "1234567890123456789012345678901234567890ABCD",
            ),
            ("statusSkierowania", "WYSTAWIONE"),
            ("email", "jan.kowalski@example.pl"),
        ]),
        wiersz(&[
            ("rodzajWizyty", "PIERWSZORAZOWA"),
            ("dataWizyty", "2026-07-01T09:20"),
            ("kluczSkierowania", "e-skier-0001"),
            ("pesel", PESELE[1]),
        ]),
        wiersz(&[
            ("rodzajWizyty", "PIERWSZORAZOWA"),
            ("idWystawcySkierowaniaPapierowego", NPWZ),
            ("pesel", PESELE[2]),
            ("idSlotu", "SLOT-1"),
            ("telefon", "+48 600-700-801"),
        ]),
        // Follow-ups: no referral, an e-referral at the provider, a slot.
        wiersz(&[("pesel", PESELE[3]), ("czasTrwaniaMin", "1440")]),
        wiersz(&[
            ("pesel", PESELE[4]),
            ("kluczSkierowania", "K-2"),
            ("statusSkierowania", "U_REALIZATORA"),
            ("idSlotu", "SLOT-2"),
            ("telefon", ""),
            ("email", "a@b.pl"),
        ]),
        wiersz(&[
            ("dataWizyty", "2026-07-02T09:00"),
            ("kodSwiadczenia", "01.0034.102.01"),
            ("dataZapisu", "2026-07-02T09:00:00"),
        ]),
        // Special rights: no referral, or an e-referral in either usable status.
        wiersz(&[
            ("rodzajWizyty", "UPRAWNIENIA_SZCZEGOLNE"),
            ("pesel", PESELE[5]),
            ("czasTrwaniaMin", "1"),
        ]),
        wiersz(&[
            ("rodzajWizyty", "UPRAWNIENIA_SZCZEGOLNE"),
            ("pesel", PESELE[5]),
            ("dataWizyty", "2026-07-03T12:30"),
            ("kluczSkierowania", "K-3"),
            ("statusSkierowania", "WYSTAWIONE"),
        ]),
        wiersz(&[
            ("rodzajWizyty", "UPRAWNIENIA_SZCZEGOLNE"),
            ("pesel", PESELE[5]),
            ("dataWizyty", "2026-07-04T12:30"),
            ("idMus", "MUS-000124"),
        ]),
    ];
    let (problemy, raport) = sprawdz(&plik(&wiersze));
    assert_eq!(problemy, vec![]);
    assert!(raport.sukces());
    assert!(raport.naglowek_poprawny);
    assert_eq!(raport.wiersze, 9);
    assert_eq!(raport.wiersze_z_bledami, 0);
    assert_eq!(raport.odciski, 9 + 2, "one per visit, one per slot");
    assert_eq!(raport.bajty, plik(&wiersze).len() as u64);
    assert_eq!(
        raport.to_string(),
        "SUKCES: 9 rows, 0 with problems, 0 problems"
    );
}

#[test]
fn header_mismatch_is_8244_on_row_1_and_rows_are_still_checked() {
    let wiersze = rozne(&[&[], &[("telefon", "")]]);
    let cases = [
        NAGLOWEK.replace("idSlotu", "idSlota"),
        NAGLOWEK.replace("pesel;email", "email;pesel"),
        NAGLOWEK.replace(";dataZapisu", ""),
        format!("{NAGLOWEK};uwagi"),
        NAGLOWEK.to_uppercase(),
    ];
    for naglowek in cases {
        let dane = format!("{naglowek}\r\n{}\r\n{}\r\n", wiersze[0], wiersze[1]);
        let (problemy, raport) = sprawdz(dane.as_bytes());
        assert_eq!(
            trojki(&problemy),
            vec![(1, None, "8244"), (3, None, "8361")],
            "{naglowek}"
        );
        assert!(!raport.naglowek_poprawny);
        assert_eq!((raport.wiersze, raport.wiersze_z_bledami), (2, 1));
    }
    let (problemy, _) = sprawdz(format!("{}\r\n", NAGLOWEK.replace("idSlotu", "x")).as_bytes());
    assert!(
        problemy[0]
            .komunikat
            .contains("column 3 is `x`, expected `idSlotu`"),
        "{}",
        problemy[0].komunikat
    );
}

#[test]
fn a_row_with_another_column_count_is_8244_and_not_checked_further() {
    let krotszy = wiersz(&[]).rsplit_once(';').unwrap().0.to_owned();
    let dluzszy = format!("{};extra", wiersz(&[("telefon", "")]));
    let jeden = "tylko-jedno-pole".to_owned();
    assert_eq!(
        trojki_pliku(&[krotszy, wiersz(&[]), dluzszy, jeden]),
        vec![(2, None, "8244"), (4, None, "8244"), (5, None, "8244")]
    );
}

#[test]
fn bad_types_and_missing_required_values_are_8244_naming_the_column() {
    let (dlugie_m, dlugie_s) = ("M".repeat(65), "S".repeat(65));
    let cases: Vec<(Zmiany, Vec<Option<&'static str>>)> = vec![
        (vec![("idMus", "")], vec![Some("idMus")]),
        (vec![("idMus", &dlugie_m)], vec![Some("idMus")]),
        (vec![("idMus", " MUS-1")], vec![Some("idMus")]),
        (
            vec![("kodSwiadczenia", "02.1450.102.2")],
            vec![Some("kodSwiadczenia")],
        ),
        (vec![("kodSwiadczenia", "")], vec![Some("kodSwiadczenia")]),
        (vec![("idSlotu", &dlugie_s)], vec![Some("idSlotu")]),
        (
            vec![("dataWizyty", "2026-02-30T10:00")],
            vec![Some("dataWizyty")],
        ),
        (
            vec![("dataWizyty", "2026-07-01 09:00")],
            vec![Some("dataWizyty")],
        ),
        (
            vec![("dataWizyty", "2026-07-01T09:00:00")],
            vec![Some("dataWizyty")],
        ),
        (vec![("czasTrwaniaMin", "0")], vec![Some("czasTrwaniaMin")]),
        (
            vec![("czasTrwaniaMin", "1441")],
            vec![Some("czasTrwaniaMin")],
        ),
        (
            vec![("czasTrwaniaMin", "20.5")],
            vec![Some("czasTrwaniaMin")],
        ),
        (vec![("czasTrwaniaMin", "-5")], vec![Some("czasTrwaniaMin")]),
        (
            vec![("rodzajWizyty", "kolejna")],
            vec![Some("rodzajWizyty")],
        ),
        (vec![("rodzajWizyty", "")], vec![Some("rodzajWizyty")]),
        (vec![("pesel", "44051401358")], vec![Some("pesel")]),
        (vec![("pesel", "4405140135")], vec![Some("pesel")]),
        (vec![("pesel", "44133101350")], vec![Some("pesel")]),
        (vec![("pesel", " 4405140135")], vec![Some("pesel")]),
        (vec![("pesel", "")], vec![Some("pesel")]),
        (
            vec![("kluczSkierowania", "klucz_z_podkreslnikiem")],
            vec![Some("kluczSkierowania")],
        ),
        (
            vec![
                ("kluczSkierowania", "K-1"),
                ("statusSkierowania", "Wystawione"),
            ],
            vec![Some("statusSkierowania")],
        ),
        // Every problem of a row, in column order.
        (
            vec![
                ("kodSwiadczenia", "x"),
                ("czasTrwaniaMin", "abc"),
                ("pesel", "1"),
            ],
            vec![
                Some("kodSwiadczenia"),
                Some("czasTrwaniaMin"),
                Some("pesel"),
            ],
        ),
    ];
    for (zmiany, kolumny) in cases {
        let oczekiwane: Vec<Trojka> = kolumny.into_iter().map(|k| (2, k, "8244")).collect();
        assert_eq!(trojki_pliku(&[wiersz(&zmiany)]), oczekiwane, "{zmiany:?}");
    }
}

#[test]
fn messages_do_not_repeat_personal_data() {
    let dane = plik(&[wiersz(&[
        ("pesel", "44051401358"),
        ("email", "jan.kowalski@@example.pl"),
        ("telefon", "600700"),
        ("kluczSkierowania", "tajny_klucz"),
    ])]);
    let (problemy, _) = sprawdz(&dane);
    assert_eq!(problemy.len(), 4);
    for p in problemy {
        for tajne in ["44051401358", "kowalski", "600700", "tajny"] {
            assert!(!p.komunikat.contains(tajne), "{p}");
        }
    }
}

#[test]
fn contact_rules_are_8361() {
    assert_eq!(
        trojki_pliku(&rozne(&[
            &[("telefon", "")],
            &[("email", "jan.kowalski.example.pl")],
            &[("email", "jan@localhost")],
            &[("email", "jan kowalski@example.pl"), ("telefon", "")],
            &[("email", "a@b.pl"), ("telefon", "60070080")],
            &[("telefon", "+48 (600) 700 800")],
            &[("telefon", "+4860")],
            &[("email", "@example.pl"), ("telefon", "600-700-80x")],
            // Fine: 9 digits with spaces, + and 15 digits, an e-mail address only.
            &[("telefon", "600 700 800")],
            &[("telefon", "+123456789012345")],
            &[("telefon", ""), ("email", "x@y.z")],
        ])),
        vec![
            (2, None, "8361"),
            (3, Some("email"), "8361"),
            (4, Some("email"), "8361"),
            (5, Some("email"), "8361"),
            (6, Some("telefon"), "8361"),
            (7, Some("telefon"), "8361"),
            (8, Some("telefon"), "8361"),
            (9, Some("email"), "8361"),
            (9, Some("telefon"), "8361"),
        ]
    );
}

#[test]
fn booking_date_rules_are_9667() {
    let (problemy, _) = sprawdz(&plik(&rozne(&[
        &[("dataZapisu", "")],
        &[("dataZapisu", "2026-06-01 10:15:00")],
        &[("dataZapisu", "2026-06-01T10:15")],
        &[("dataZapisu", "2026-06-31T10:15:00")],
        &[("dataZapisu", "01.06.2026 10:15:00")],
        &[("dataZapisu", "2026-07-01T09:00:01")],
        // Booked at the very minute of the visit: fine.
        &[("dataZapisu", "2026-07-01T09:00:00")],
        // A malformed visit start: only 8244, nothing to compare with.
        &[
            ("dataWizyty", "2026-07-01T25:00"),
            ("dataZapisu", "2027-01-01T00:00:00"),
        ],
    ])));
    assert_eq!(
        trojki(&problemy),
        vec![
            (2, Some("dataZapisu"), "9667"),
            (3, Some("dataZapisu"), "9667"),
            (4, Some("dataZapisu"), "9667"),
            (5, Some("dataZapisu"), "9667"),
            (6, Some("dataZapisu"), "9667"),
            (7, Some("dataZapisu"), "9667"),
            (9, Some("dataWizyty"), "8244"),
        ]
    );
    assert!(problemy[0].komunikat.contains("missing"));
    assert!(
        problemy[5]
            .komunikat
            .contains("2026-07-01T09:00:01 is after the visit's start 2026-07-01T09:00"),
        "{}",
        problemy[5].komunikat
    );
}

#[test]
fn duplicate_visits_and_slots_are_9644_on_the_later_row_naming_the_first() {
    let wiersze = [
        wiersz(&[("idSlotu", "SLOT-A")]),
        // 3: the same visit again (another phone; same MUŚ, start and patient).
        wiersz(&[("telefon", "600700999")]),
        // 4: the same slot, another patient.
        wiersz(&[("idSlotu", "SLOT-A"), ("pesel", PESELE[1])]),
        // 5–7: another MUŚ, start or patient: not duplicates.
        wiersz(&[("idMus", "MUS-000999")]),
        wiersz(&[("dataWizyty", "2026-07-01T09:20")]),
        wiersz(&[("pesel", PESELE[2])]),
        // 8: both at once: the visit of row 2 and the slot of row 2.
        wiersz(&[("idSlotu", "SLOT-A"), ("email", "x@y.pl")]),
        // 9, 10: a row with other problems still counts for duplicates.
        wiersz(&[("pesel", PESELE[3]), ("telefon", "")]),
        wiersz(&[("pesel", PESELE[3])]),
    ];
    let (problemy, raport) = sprawdz(&plik(&wiersze));
    assert_eq!(
        trojki(&problemy),
        vec![
            (3, None, "9644"),
            (4, Some("idSlotu"), "9644"),
            (8, None, "9644"),
            (8, Some("idSlotu"), "9644"),
            (9, None, "8361"),
            (10, None, "9644"),
        ]
    );
    for (i, pierwszy) in [(0, 2), (1, 2), (2, 2), (3, 2), (5, 9)] {
        let oczekiwane = format!("as row {pierwszy}");
        assert!(
            problemy[i].komunikat.contains(&oczekiwane),
            "{}",
            problemy[i]
        );
    }
    assert_eq!(raport.liczba(&KodBledu::UnikalnoscWizyty), 5);
    assert_eq!(raport.wiersze_z_bledami, 5);
    assert_eq!(raport.odciski, 6 + 1);
}

#[test]
fn referral_rules_are_9662() {
    let pierwsza = ("rodzajWizyty", "PIERWSZORAZOWA");
    let specjalna = ("rodzajWizyty", "UPRAWNIENIA_SZCZEGOLNE");
    let klucz = ("kluczSkierowania", "K-1");
    let st = |s| ("statusSkierowania", s);
    assert_eq!(
        trojki_pliku(&rozne(&[
            // 2: a first visit without any referral.
            &[pierwsza],
            // 3: a first visit on an e-referral already at the provider.
            &[pierwsza, klucz, st("U_REALIZATORA")],
            // 4: a first visit on a realised e-referral.
            &[pierwsza, klucz, st("ZREALIZOWANE")],
            // 5: a follow-up on an e-referral that is only issued.
            &[klucz, st("WYSTAWIONE")],
            // 6: a follow-up on a realised e-referral.
            &[klucz, st("ZREALIZOWANE")],
            // 7: special rights on a realised e-referral.
            &[specjalna, klucz, st("ZREALIZOWANE")],
            // 8: a status without a key (8244), so the first visit has no referral (9662).
            &[pierwsza, st("WYSTAWIONE")],
            // 9: a malformed key is still a referral given: only 8244.
            &[pierwsza, ("kluczSkierowania", "K_1")],
            // 10: a malformed paper referral issuer: only 9666.
            &[pierwsza, ("idWystawcySkierowaniaPapierowego", "5425741")],
            // Fine: a first visit on an issued e-referral, on a key of unknown status, on
            // paper; a follow-up on a key of unknown status or at the provider; special
            // rights without a referral or on an issued e-referral.
            &[pierwsza, klucz, st("WYSTAWIONE")],
            &[pierwsza, klucz],
            &[pierwsza, ("idWystawcySkierowaniaPapierowego", NPWZ)],
            &[klucz],
            &[klucz, st("U_REALIZATORA")],
            &[specjalna],
            &[specjalna, klucz, st("WYSTAWIONE")],
        ])),
        vec![
            (2, None, "9662"),
            (3, Some("statusSkierowania"), "9662"),
            (4, Some("statusSkierowania"), "9662"),
            (5, Some("statusSkierowania"), "9662"),
            (6, Some("statusSkierowania"), "9662"),
            (7, Some("statusSkierowania"), "9662"),
            (8, Some("statusSkierowania"), "8244"),
            (8, None, "9662"),
            (9, Some("kluczSkierowania"), "8244"),
            (10, Some("idWystawcySkierowaniaPapierowego"), "9666"),
        ]
    );
}

#[test]
fn a_malformed_paper_referral_issuer_is_9666() {
    let npwz = |s| ("idWystawcySkierowaniaPapierowego", s);
    assert_eq!(
        trojki_pliku(&rozne(&[
            &[npwz("5425741")],
            &[npwz("0425740")],
            &[npwz("542574")],
            &[npwz("54257400")],
            &[npwz("54257A0")],
            &[npwz(" 5425740")],
            // Check value 10 is never valid: 1·1+1·2+1·3+1·4+1·5+1·6 = 21 ≡ 10 (mod 11).
            &[npwz("0111111")],
            &[npwz(NPWZ)],
            &[npwz("3123456")],
            &[npwz("2234567")],
        ])),
        (2..=8)
            .map(|w| (w, Some("idWystawcySkierowaniaPapierowego"), "9666"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn crlf_lf_bom_and_quoted_fields() {
    // BOM, CRLF; row 3 quotes fields holding `;` and `""`; row 4 a quoted line break (a
    // control character in an identifier: 8244), so row 5 starts on line 6.
    let mut dane = b"\xEF\xBB\xBF".to_vec();
    dane.extend_from_slice(NAGLOWEK.as_bytes());
    dane.extend_from_slice(b"\r\n");
    dane.extend_from_slice(wiersz(&[]).as_bytes());
    dane.extend_from_slice(b"\r\n");
    let cytowany = wiersz(&[
        ("idMus", "\"MUS;1 \"\"A\"\"\""),
        ("kodSwiadczenia", "\"02.1450.102.02\""),
        ("email", "\"a@b.pl\""),
    ]);
    dane.extend_from_slice(cytowany.as_bytes());
    dane.extend_from_slice(b"\r\n");
    dane.extend_from_slice(wiersz(&[("idMus", "\"MUS\r\n2\"")]).as_bytes());
    dane.extend_from_slice(b"\r\n");
    dane.extend_from_slice(wiersz(&[("idMus", "MUS-3"), ("telefon", "")]).as_bytes());
    dane.extend_from_slice(b"\r\n\r\n");
    let (problemy, raport) = sprawdz(&dane);
    assert_eq!(
        trojki(&problemy),
        vec![(4, Some("idMus"), "8244"), (5, None, "8361")]
    );
    assert_eq!((problemy[0].linia, problemy[1].linia), (4, 6));
    assert!(raport.naglowek_poprawny);
    assert_eq!(raport.wiersze, 4);
    assert_eq!(raport.bajty, dane.len() as u64);

    // The same rows with LF line ends and no BOM, and no line end after the last row.
    let lf = String::from_utf8(dane[3..].to_vec())
        .unwrap()
        .replace("\r\n", "\n");
    let (problemy_lf, _) = sprawdz(lf.trim_end().as_bytes());
    assert_eq!(problemy_lf, problemy);
}

#[test]
fn bytes_that_are_not_utf8_are_8244_on_their_row_and_column() {
    /// `wiersz` with the placeholder `@@` replaced by raw bytes.
    fn z_bajtami(wiersz: &str, bajty: &[u8]) -> Vec<u8> {
        let (przed, po) = wiersz.split_once("@@").unwrap();
        [przed.as_bytes(), bajty, po.as_bytes(), b"\r\n"].concat()
    }
    let mut dane = plik(&[wiersz(&[])]);
    // "Łódź" in ISO-8859-2 in idMus, and a lone 0xFF in the e-mail address.
    dane.extend(z_bajtami(&wiersz(&[("idMus", "@@")]), b"MUS-\xA3\xF3d\xBC"));
    dane.extend(z_bajtami(
        &wiersz(&[("idMus", "MUS-5"), ("email", "@@")]),
        b"jan\xFF@example.pl",
    ));
    dane.extend_from_slice(wiersz(&[("idMus", "MUS-6")]).as_bytes());
    let (problemy, raport) = sprawdz(&dane);
    assert_eq!(
        trojki(&problemy),
        vec![(3, Some("idMus"), "8244"), (4, Some("email"), "8244")]
    );
    assert_eq!(raport.wiersze, 4);
}

#[test]
fn a_runaway_record_is_8244_and_not_buffered() {
    let walidator = Walidator::new().limit_rekordu(1024);
    // A 2000-character quoted identifier: one row over the limit, the next rows still checked.
    let dlugi = format!("\"{}\"", "M".repeat(2000));
    let dane = plik(&[
        wiersz(&[]),
        wiersz(&[("idMus", &dlugi)]),
        wiersz(&[("idMus", "MUS-3"), ("telefon", "")]),
    ]);
    let (problemy, raport) = sprawdz_z(&walidator, &dane);
    assert_eq!(
        trojki(&problemy),
        vec![(3, None, "8244"), (4, None, "8361")]
    );
    assert!(problemy[0].komunikat.contains("longer than 1024 bytes"));
    assert_eq!(raport.wiersze, 3);

    // A quote never closed: the rest of the file is one record, cut and reported once.
    let mut dane = plik(&[wiersz(&[]), wiersz(&[("idMus", "\"MUS-2")])]);
    for i in 0..100 {
        dane.extend_from_slice(wiersz(&[("idMus", &format!("MUS-{i}"))]).as_bytes());
        dane.extend_from_slice(b"\r\n");
    }
    let (problemy, raport) = sprawdz_z(&walidator, &dane);
    assert_eq!(trojki(&problemy), vec![(3, None, "8244")]);
    assert_eq!(raport.wiersze, 2);

    // The default limit is 64 KiB: the same file is then a record with too many columns.
    let (problemy, _) = sprawdz(&dane);
    assert_eq!(trojki(&problemy), vec![(3, None, "8244")]);
    assert!(problemy[0].komunikat.contains("columns"), "{}", problemy[0]);
}

#[test]
fn an_empty_file_or_header_only() {
    let (problemy, raport) = sprawdz(b"");
    assert_eq!(trojki(&problemy), vec![(1, None, "8244")]);
    assert!(!raport.naglowek_poprawny);
    let (problemy, raport) = sprawdz(b"\xEF\xBB\xBF\r\n\r\n");
    assert_eq!(trojki(&problemy), vec![(1, None, "8244")]);
    assert_eq!(raport.wiersze, 0);
    let (problemy, raport) = sprawdz(&plik(&[]));
    assert_eq!(problemy, vec![]);
    assert_eq!((raport.wiersze, raport.naglowek_poprawny), (0, true));
}

#[test]
fn the_iterator_yields_what_the_callback_gets() {
    let dane = plik(&rozne(&[
        &[("telefon", "")],
        &[],
        &[("czasTrwaniaMin", "0"), ("dataZapisu", "")],
    ]));
    let (oczekiwane, raport) = sprawdz(&dane);
    let walidator = Walidator::new();
    let mut iter = walidator.problemy(dane.as_slice());
    let problemy: Vec<Problem> = iter.by_ref().map(Result::unwrap).collect();
    assert_eq!(problemy, oczekiwane);
    assert_eq!(iter.raport(), raport);
    assert_eq!(raport.liczba(&KodBledu::UkladKolumn), 1);
    assert_eq!(raport.liczba(&KodBledu::DataZapisu), 1);
    assert_eq!(raport.liczba(&KodBledu::KontaktPacjenta), 1);
    assert_eq!(
        raport.to_string(),
        "BŁĄD: 3 rows, 2 with problems, 3 problems"
    );
    assert_eq!(
        problemy[1].to_string(),
        "row 4, column czasTrwaniaMin: REG.WER.8244: 0 minutes is outside 1–1440"
    );
}

/// A valid typed visit, numbered `n` (its own MUŚ, so visits do not repeat).
fn wizyta(n: usize) -> Wizyta {
    let rodzaj = RodzajWizyty::WSZYSTKIE[n % 3];
    let mut w = Wizyta::new(
        format!("MUS-{n}"),
        "02.1450.102.02",
        datetime!(2026-07-01 09:00),
        20,
        rodzaj,
        Pesel::parse(PESELE[n % PESELE.len()]).unwrap(),
        datetime!(2026-06-01 10:15:00),
    );
    match n % 4 {
        0 => w.email = Some(format!("pacjent{n}@example.pl")),
        1 => w.telefon = Some("+48 600-700-800".to_owned()),
        _ => {
            w.email = Some("a@b.pl".to_owned());
            w.telefon = Some("600700800".to_owned());
        }
    }
    if rodzaj == RodzajWizyty::Pierwszorazowa {
        if n.is_multiple_of(2) {
            w.klucz_skierowania = Some(format!("KLUCZ-{n}"));
            w.status_skierowania = Some(StatusSkierowania::Wystawione);
        } else {
            w.id_wystawcy_skierowania_papierowego = Some(NPWZ.to_owned());
        }
    }
    if n.is_multiple_of(5) {
        w.id_slotu = Some(format!("SLOT-{n}"));
    }
    w
}

#[test]
fn what_the_writer_writes_validates_clean_and_what_it_refuses_is_not_written() {
    let walidator = Walidator::new();
    let mut zapis = ZapisCsv::new(Vec::new()).unwrap();
    let mut zapisane = 0u64;
    for n in 0..30 {
        zapis.zapisz(&wizyta(n)).unwrap();
        zapisane += 1;
    }
    // Values that need quoting survive.
    let mut cytaty = wizyta(100);
    cytaty.id_mus = "MUS;\"100\"".to_owned();
    zapis.zapisz(&cytaty).unwrap();
    zapisane += 1;

    // Refused: each with the validator's problems, nothing written.
    let mut bez_kontaktu = wizyta(200);
    bez_kontaktu.email = None;
    bez_kontaktu.telefon = Some(String::new());
    let mut zle = wizyta(201);
    zle.czas_trwania_min = 0;
    zle.id_wystawcy_skierowania_papierowego = Some("5425741".to_owned());
    zle.status_skierowania = Some(StatusSkierowania::Zrealizowane);
    zle.data_zapisu = datetime!(2026-07-01 09:00:01);
    let mut sekundy = wizyta(202);
    sekundy.data_wizyty = datetime!(2026-07-01 09:00:30);
    let mut powtorka = wizyta(3);
    powtorka.email = Some("inny@example.pl".to_owned());
    let mut ten_sam_slot = wizyta(203);
    ten_sam_slot.id_slotu = Some("SLOT-5".to_owned());
    let oczekiwane: [Vec<Trojka>; 5] = [
        vec![(zapisane + 2, None, "8361")],
        vec![
            (zapisane + 2, Some("czasTrwaniaMin"), "8244"),
            (
                zapisane + 2,
                Some("idWystawcySkierowaniaPapierowego"),
                "9666",
            ),
            (zapisane + 2, Some("statusSkierowania"), "8244"),
            (zapisane + 2, Some("dataZapisu"), "9667"),
        ],
        vec![(zapisane + 2, Some("dataWizyty"), "8244")],
        vec![(zapisane + 2, None, "9644")],
        vec![(zapisane + 2, Some("idSlotu"), "9644")],
    ];
    for (w, oczekiwane) in [bez_kontaktu, zle, sekundy, powtorka, ten_sam_slot]
        .iter()
        .zip(oczekiwane)
    {
        match zapis.zapisz(w) {
            Err(BladZapisu::Odrzucona { wiersz, problemy }) => {
                assert_eq!(wiersz, zapisane + 2);
                assert_eq!(trojki(&problemy), oczekiwane, "{w:?}");
                // Without file state the validator finds the same (all but duplicates).
                let bez_pliku: Vec<Trojka> = trojki(&walidator.sprawdz_wiersz(w))
                    .into_iter()
                    .map(|(_, k, c)| (zapisane + 2, k, c))
                    .collect();
                let bez_duplikatow: Vec<Trojka> =
                    oczekiwane.into_iter().filter(|t| t.2 != "9644").collect();
                assert_eq!(bez_pliku, bez_duplikatow);
            }
            inne => panic!("{w:?} not refused: {inne:?}"),
        }
    }
    assert_eq!(zapis.zapisane(), zapisane);

    // The writer goes on after a refusal.
    zapis.zapisz(&wizyta(31)).unwrap();
    zapisane += 1;
    let dane = zapis.zakoncz().unwrap();
    let tekst = String::from_utf8(dane.clone()).unwrap();
    assert!(tekst.starts_with(&format!("{NAGLOWEK}\r\n")));
    assert!(tekst.contains("\"MUS;\"\"100\"\"\";"));
    for odrzucona in ["MUS-200;", "MUS-201;", "MUS-202;", "MUS-203;", "inny@"] {
        assert!(!tekst.contains(odrzucona), "a refused visit was written");
    }
    assert!(
        tekst.contains("MUS-1;02.1450.102.02;;2026-07-01T09:00;20;KOLEJNA;80010112340;;+48 600-700-800;;;;2026-06-01T10:15:00\r\n"),
        "{tekst}"
    );
    let (problemy, raport) = sprawdz_z(&walidator, &dane);
    assert_eq!(problemy, vec![]);
    assert_eq!(raport.wiersze, zapisane);
}

#[test]
fn a_valid_visit_has_no_problems_and_debug_hides_personal_data() {
    let mut w = wizyta(0);
    w.telefon = Some("600700800".to_owned());
    assert_eq!(Walidator::new().sprawdz_wiersz(&w), vec![]);
    let debug = format!("{w:?}");
    for tajne in [PESELE[0], "pacjent0@example.pl", "600700800", "KLUCZ-0"] {
        assert!(!debug.contains(tajne), "{debug}");
    }
    assert!(debug.contains("MUS-0"), "{debug}");
}

#[test]
fn error_codes_round_trip_with_their_descriptions() {
    let znane = [
        (KodBledu::UkladKolumn, "REG.WER.8244"),
        (KodBledu::KontaktPacjenta, "REG.WER.8361"),
        (KodBledu::UnikalnoscWizyty, "REG.WER.9644"),
        (KodBledu::StatusSkierowania, "REG.WER.9662"),
        (KodBledu::WystawcaSkierowaniaPapierowego, "REG.WER.9666"),
        (KodBledu::DataZapisu, "REG.WER.9667"),
    ];
    assert_eq!(KodBledu::ZNANE.len(), znane.len());
    for (k, tekst) in znane {
        assert_eq!(k.kod(), tekst);
        assert_eq!(KodBledu::parse(tekst), k);
        assert_eq!(format!(" {tekst}\n").parse::<KodBledu>(), Ok(k.clone()));
        assert!(k.znany());
        assert_eq!(k.to_string(), format!("{tekst}: {}", k.opis_en()));
        assert!(k.opis_pl().starts_with("Weryfikacja"), "{}", k.opis_pl());
        assert!(!k.opis_en().is_empty());
    }
    assert_eq!(
        KodBledu::WystawcaSkierowaniaPapierowego.opis_pl(),
        "Weryfikacja poprawności identyfikatora wystawcy skierowania papierowego"
    );
    assert_eq!(
        KodBledu::UnikalnoscWizyty.opis_pl(),
        "Weryfikacja unikalności wizyty - System sprawdza, czy wizyta już istnieje w systemie CeR"
    );
    assert_eq!(
        KodBledu::UkladKolumn.opis_pl(),
        "Weryfikacja, czy plik CSV importu inicjalnego wizyt do harmonogramu zawiera prawidłową \
         liczbę kolumn, ich kolejność oraz zgodne typy"
    );
    let inny = KodBledu::parse("REG.WER.376");
    assert_eq!(inny, KodBledu::Inny("REG.WER.376".to_owned()));
    assert_eq!(inny.kod(), "REG.WER.376");
    assert!(!inny.znany());
    assert_eq!(KodBledu::parse(inny.kod()), inny);
    assert!(inny.to_string().starts_with("REG.WER.376: "));
}

#[test]
fn another_layout_is_data() {
    // The same fields in another order, with other names, without a slot and the duration.
    const INNE: &[Kolumna] = &[
        Kolumna::new("PESEL", Pole::Pesel, true),
        Kolumna::new("MUS", Pole::IdMus, true),
        Kolumna::new("KOD", Pole::KodSwiadczenia, true),
        Kolumna::new("TERMIN", Pole::DataWizyty, true),
        Kolumna::new("RODZAJ", Pole::RodzajWizyty, true),
        Kolumna::new("TEL", Pole::Telefon, false),
        Kolumna::new("MAIL", Pole::Email, false),
        Kolumna::new("KLUCZ", Pole::KluczSkierowania, false),
        Kolumna::new("STATUS", Pole::StatusSkierowania, false),
        Kolumna::new("NPWZ", Pole::IdWystawcySkierowaniaPapierowego, false),
        Kolumna::new("ZAPIS", Pole::DataZapisu, true),
    ];
    let uklad = Uklad::nowy(INNE).unwrap();
    let mut zapis = ZapisCsv::z_ukladem(Vec::new(), uklad.clone()).unwrap();
    for n in 0..6 {
        zapis.zapisz(&wizyta(n)).unwrap();
    }
    let mut bez_kontaktu = wizyta(7);
    bez_kontaktu.email = None;
    bez_kontaktu.telefon = None;
    match zapis.zapisz(&bez_kontaktu) {
        Err(BladZapisu::Odrzucona { problemy, .. }) => {
            assert_eq!(trojki(&problemy), vec![(8, None, "8361")]);
            assert!(problemy[0].komunikat.contains("MAIL or TEL"));
        }
        inne => panic!("{inne:?}"),
    }
    let dane = zapis.zakoncz().unwrap();
    assert!(dane.starts_with(b"PESEL;MUS;KOD;TERMIN;RODZAJ;TEL;MAIL;KLUCZ;STATUS;NPWZ;ZAPIS\r\n"));
    let (problemy, raport) = sprawdz_z(&Walidator::z_ukladem(uklad), &dane);
    assert_eq!(problemy, vec![]);
    assert_eq!(raport.wiersze, 6);
    // The reconstructed layout rejects it.
    let (problemy, _) = sprawdz(&dane);
    assert_eq!(trojki(&problemy)[0], (1, None, "8244"));

    assert_eq!(Uklad::nowy(Vec::new()), Err(BladUkladu::Pusty));
    assert_eq!(
        Uklad::nowy(vec![
            Kolumna::new("a", Pole::IdMus, true),
            Kolumna::new("b", Pole::IdMus, true)
        ]),
        Err(BladUkladu::PowtorzonePole(Pole::IdMus))
    );
    assert_eq!(
        Uklad::nowy(vec![Kolumna::new("a;b", Pole::IdMus, true)]),
        Err(BladUkladu::ZlaNazwa("a;b"))
    );
}
