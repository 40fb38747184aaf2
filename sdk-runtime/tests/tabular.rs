//! `sdk_runtime::tabular`: the reader over real byte streams — windows-1250 text, RFC 4180
//! quoting, CRLF/LF/CR, the header check, every bad row reported with its line and reading
//! going on, memory bounded on a hostile input, and I/O errors.
#![cfg(feature = "tabular")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{self, Read};

use sdk_runtime::tabular::{
    Column, DateFormat, Error, FieldError, Layout, Options, Reader, Record, Row,
};
use sdk_runtime::{Date, Decimal};

#[derive(Debug, PartialEq)]
struct Item {
    code: String,
    name: Option<String>,
    count: Option<i64>,
    price: Option<Decimal>,
    valid: Option<Date>,
}

static COLUMNS: [Column; 5] = [
    Column::new("KOD", &[]),
    Column::new("NAZEV", &["JMENO"]),
    Column::new("POCET", &[]),
    Column::new("CENA", &[]),
    Column::new("PLATNOST", &[]),
];
static LAYOUT: Layout = Layout::new("items", "items.csv", &COLUMNS);

impl Record for Item {
    const LAYOUT: &'static Layout = &LAYOUT;
    fn from_row(row: &Row<'_>) -> Result<Self, Error> {
        Ok(Self {
            code: row.text(0, Some(5))?,
            name: row.opt_text(1, Some(30))?,
            count: row.opt_integer(2, Some(4))?,
            price: row.opt_decimal(3, Some(8), Some(2))?,
            valid: row.opt_date(4, DateFormat::DayMonthYear)?,
        })
    }
}

const HEADER: &str = "KOD;NAZEV;POCET;CENA;PLATNOST";

fn cp1250(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1250.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn read_all(bytes: &[u8]) -> Vec<Result<Item, Error>> {
    Reader::<_, Item>::new(bytes).unwrap().collect()
}

#[test]
fn czech_text_quotes_and_line_ends() {
    let file = cp1250(&format!(
        "{HEADER}\r\n\
         A1;Příliš žluťoučký kůň;12;1234,50;01.06.2025\r\n\
         A2;\"Ďábelské ódy; \"\"úpěl\"\"\";;,5;\n\
         A3;\"dva\r\nřádky\";-3;;\r\
         \r\n\
         A4;;;;31.12.2049"
    ));
    let rows = read_all(&file);
    let items: Vec<Item> = rows.into_iter().map(Result::unwrap).collect();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0].name.as_deref(), Some("Příliš žluťoučký kůň"));
    assert_eq!(items[0].price, Some(Decimal::from_parts(123_450, 2)));
    assert_eq!(
        items[0].valid,
        Some(Date::from_calendar_date(2025, time::Month::June, 1).unwrap())
    );
    assert_eq!(items[1].name.as_deref(), Some("Ďábelské ódy; \"úpěl\""));
    assert_eq!(items[1].count, None);
    assert_eq!(items[1].price, Some(Decimal::from_parts(5, 1)));
    assert_eq!(items[2].name.as_deref(), Some("dva\r\nřádky"));
    assert_eq!(items[2].count, Some(-3));
    assert_eq!(items[3].name, None);
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_reading_goes_on() {
    let file = cp1250(&format!(
        "{HEADER}\n\
         OK1;a;1;1;01.01.2026\n\
         BAD;\"x\ny\";1\n\
         TOOLONG;b;1;1;\n\
         OK2;c;12345;1;\n\
         OK3;d;1;1,234;\n\
         OK4;e;1;1;30.02.2026\n\
         ;f;1;1;\n\
         OK5;g;;;\n"
    ));
    let rows = read_all(&file);
    assert_eq!(rows.len(), 8, "one item per row, none skipped");
    let lines: Vec<Option<u64>> = rows
        .iter()
        .map(|r| r.as_ref().err().and_then(Error::line))
        .collect();
    assert_eq!(
        lines,
        [
            None,
            Some(3),
            Some(5),
            Some(6),
            Some(7),
            Some(8),
            Some(9),
            None
        ]
    );
    let messages: Vec<String> = rows
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect();
    assert_eq!(
        messages,
        [
            "line 3: 3 fields, the header has 5",
            "line 5, column KOD (1): 7 characters, the column allows at most 5",
            "line 6, column POCET (3): `12345` does not fit NUMBER(4,0): at most 4 digits before the decimal separator and 0 after",
            "line 7, column CENA (4): `1,234` does not fit NUMBER(8,2): at most 6 digits before the decimal separator and 2 after",
            "line 8, column PLATNOST (5): `30.02.2026` is not a date written DD.MM.YYYY",
            "line 9, column KOD (1): empty, but the column must have a value",
        ]
    );
    assert_eq!(rows[7].as_ref().unwrap().code, "OK5");
}

#[test]
fn bytes_without_a_character_and_control_characters_are_refused() {
    // 0x98 has no character in windows-1250 (it decodes to the C1 control U+0098).
    let mut file = cp1250(&format!("{HEADER}\nA;ok;;;\nB;"));
    file.extend_from_slice(b"ab\x98c;;;\nC;\x00;;;\nD;fine;;;\n");
    let rows = read_all(&file);
    assert_eq!(rows.len(), 4);
    match &rows[1] {
        Err(Error::Field {
            line: 3,
            column: "NAZEV",
            reason:
                FieldError::Control {
                    character: '\u{98}',
                    position: 3,
                    ..
                },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &rows[2],
        Err(Error::Field {
            line: 4,
            reason: FieldError::Control {
                character: '\0',
                ..
            },
            ..
        })
    ));
    assert!(rows[3].is_ok());
}

#[test]
fn a_utf8_file_with_a_byte_order_mark_is_read_as_utf8() {
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(format!("{HEADER}\nA;Žďár;;;\nB;").as_bytes());
    file.extend_from_slice(b"\xC5;;;\n");
    let reader = Reader::<_, Item>::new(&file[..]).unwrap();
    assert_eq!(reader.encoding(), encoding_rs::UTF_8);
    let rows: Vec<_> = reader.collect();
    assert_eq!(rows[0].as_ref().unwrap().name.as_deref(), Some("Žďár"));
    assert!(matches!(
        &rows[1],
        Err(Error::Field {
            line: 3,
            reason: FieldError::Encoding { encoding: "UTF-8" },
            ..
        })
    ));
}

fn header_error(header: &[u8], options: Options) -> sdk_runtime::tabular::HeaderMismatch {
    let mut file = header.to_vec();
    file.extend_from_slice(b"\nA;;;;\n");
    match Reader::<_, Item>::with_options(&file[..], options) {
        Err(Error::Header(h)) => *h,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_header_is_checked_and_the_difference_named() {
    // Case and the alias are accepted.
    let ok = b"kod;JMENO;Pocet;CENA;PLATNOST\nA;x;;;\n";
    assert_eq!(read_all(ok).len(), 1);

    let h = header_error(b"KOD;NAZEV;CENA;PLATNOST", Options::new());
    assert_eq!(h.missing, ["POCET"]);
    assert!(h.unexpected.is_empty());
    assert_eq!(
        h.to_string(),
        "the header of items does not match its layout: missing POCET (expected `KOD;NAZEV;POCET;CENA;PLATNOST`, found `KOD;NAZEV;CENA;PLATNOST`)"
    );
    let h = header_error(b"KOD;NAZEV;POCET;CENA;PLATNOST;NOVY", Options::new());
    assert_eq!(h.unexpected, ["NOVY"]);
    let h = header_error(b"NAZEV;KOD;POCET;CENA;PLATNOST", Options::new());
    assert!(h.reordered && h.missing.is_empty() && h.unexpected.is_empty());
    // A UTF-8 file without a byte-order mark read as windows-1250.
    let h = header_error("KÓD;NAZEV;POCET;CENA;PLATNOST".as_bytes(), Options::new());
    assert!(h.hint.unwrap().contains("UTF-8"));

    // Extra columns after the known ones, when allowed: listed, their values not read.
    let file = b"KOD;NAZEV;POCET;CENA;PLATNOST;NOVY\nA;x;;;;\x98anything\nB;y;;;\n";
    let reader =
        Reader::<_, Item>::with_options(&file[..], Options::new().allow_extra_columns(true))
            .unwrap();
    assert_eq!(reader.extra_columns(), ["NOVY"]);
    let rows: Vec<_> = reader.collect();
    assert!(rows[0].is_ok());
    assert!(matches!(
        rows[1],
        Err(Error::ColumnCount {
            line: 3,
            expected: 6,
            found: 5
        })
    ));
}

#[test]
fn empty_files_and_header_only_files() {
    assert!(matches!(
        Reader::<_, Item>::new(&b""[..]),
        Err(Error::Empty { dataset: "items" })
    ));
    assert!(matches!(
        Reader::<_, Item>::new(&b"\r\n\r\n"[..]),
        Err(Error::Empty { .. })
    ));
    assert_eq!(read_all(HEADER.as_bytes()).len(), 0);
}

#[test]
fn an_unclosed_quote_is_reported() {
    let file = format!("{HEADER}\nA;ok;;;\nB;\"never closed;;;\nC;x;;;\n");
    let rows = read_all(file.as_bytes());
    assert_eq!(rows.len(), 2);
    assert!(matches!(rows[1], Err(Error::UnterminatedQuote { line: 3 })));
}

#[test]
fn lengths_can_be_left_unchecked() {
    let file = format!("{HEADER}\nTOOLONG;;;;\n");
    let rows: Vec<_> =
        Reader::<_, Item>::with_options(file.as_bytes(), Options::new().check_lengths(false))
            .unwrap()
            .collect();
    assert_eq!(rows[0].as_ref().unwrap().code, "TOOLONG");
}

/// An endless stream of one byte, counting what was read.
struct Endless {
    byte: u8,
    left: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        buf[..n].fill(self.byte);
        self.left -= n as u64;
        Ok(n)
    }
}

#[test]
fn memory_stays_bounded_on_a_huge_record() {
    // 64 MiB in one field (an opening quote never closed would do the same): the reader keeps
    // at most its limit, reports the record, and ends.
    let input = io::Cursor::new(format!("{HEADER}\nA;").into_bytes()).chain(Endless {
        byte: b'x',
        left: 64 << 20,
    });
    let reader =
        Reader::<_, Item>::with_options(input, Options::new().max_record_bytes(4096)).unwrap();
    let rows: Vec<_> = reader.collect();
    assert_eq!(rows.len(), 1);
    assert!(matches!(
        rows[0],
        Err(Error::RecordTooLong {
            line: 2,
            limit: 4096
        })
    ));
    // Many fields are counted, not stored.
    let input = io::Cursor::new(format!("{HEADER}\n").into_bytes()).chain(Endless {
        byte: b';',
        left: 1 << 20,
    });
    let rows: Vec<_> = Reader::<_, Item>::with_options(input, Options::new())
        .unwrap()
        .collect();
    assert!(matches!(
        rows[0],
        Err(Error::ColumnCount {
            found: 1_048_577,
            ..
        })
    ));
    // A record of exactly the limit is kept, one byte more is not (the header's content is 25
    // bytes; the limit holds for it too).
    let file = format!(
        "{HEADER}\nABCDE;{};;;\nABCDE;{};;;\n",
        "n".repeat(20),
        "n".repeat(21)
    );
    let rows: Vec<_> =
        Reader::<_, Item>::with_options(file.as_bytes(), Options::new().max_record_bytes(25))
            .unwrap()
            .collect();
    assert!(rows[0].is_ok(), "{rows:?}");
    assert!(matches!(rows[1], Err(Error::RecordTooLong { line: 3, .. })));
}

/// Fails after `ok` bytes.
struct Failing<'a> {
    data: &'a [u8],
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        let n = buf.len().min(self.data.len()).min(8);
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn an_io_error_ends_the_stream_with_an_error() {
    let file = format!("{HEADER}\nA;a;;;\nB;b;;;\nC;c");
    let rows: Vec<_> = Reader::<_, Item>::new(Failing {
        data: file.as_bytes(),
    })
    .unwrap()
    .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].is_ok() && rows[1].is_ok());
    match &rows[2] {
        Err(e @ Error::Io { line: 3, .. }) => {
            assert_eq!(
                e.to_string(),
                "after line 3: cannot read the file: disk on fire"
            );
        }
        other => panic!("{other:?}"),
    }
}
