//! Delimited text files with a header, read as typed records (feature `tabular`): SÚKL's DLP
//! code lists and open-data aggregates (windows-1250, `;`), and files like them.
//!
//! A generated record type implements [`Record`]: its [`Layout`] (file name, encoding,
//! separator, the columns in order) and a conversion from a [`Row`]. A [`Reader`] streams a
//! file as `Result<Record, Error>`, one item per row, in order:
//!
//! * the first record is the header; it must name the layout's columns in order (ASCII case
//!   ignored, a column's known other spellings accepted), or [`Reader::new`] fails with
//!   [`Error::Header`] listing what is missing, unexpected or out of order;
//! * fields are split RFC 4180-style: separators and line breaks inside `"…"` belong to the
//!   field, `""` is a quote; records end with CRLF, LF or CR; blank lines carry no record;
//! * bytes are decoded from the layout's encoding (a file starting with a UTF-8 byte-order mark
//!   is read as UTF-8); a control character in a field is an error (no text of these files has
//!   one; in windows-1250 the five bytes without a character read as C1 controls);
//! * every row is either a record or an error naming its line (and column): a wrong number of
//!   fields, a field its type refuses, a record longer than
//!   [`Options::max_record_bytes`]. Nothing is skipped silently, and reading goes on after a
//!   bad row; only an I/O error ends the stream.
//!
//! Memory is bounded whatever the input: one read buffer (64 KiB) and one record (at most
//! [`Options::max_record_bytes`], 1 MiB unless set) at a time.
//!
//! ```
//! use sdk_runtime::tabular::{Column, Error, Layout, Reader, Record, Row};
//!
//! struct Country { code: String, name: Option<String> }
//!
//! static COLUMNS: [Column; 2] = [Column::new("ZEM", &[]), Column::new("NAZEV", &[])];
//! static LAYOUT: Layout = Layout::new("dlp_zeme", "dlp_zeme.csv", &COLUMNS);
//!
//! impl Record for Country {
//!     const LAYOUT: &'static Layout = &LAYOUT;
//!     fn from_row(row: &Row<'_>) -> Result<Self, Error> {
//!         Ok(Self { code: row.text(0, Some(3))?, name: row.opt_text(1, Some(100))? })
//!     }
//! }
//!
//! let file: &[u8] = b"ZEM;NAZEV\r\nCZ;\xc8ESKO\r\nSK;\"SLOVENSKO; republika\"\r\n;NIKDE\r\n";
//! let rows: Vec<Result<Country, Error>> = Reader::new(file)?.collect();
//! assert_eq!(rows[0].as_ref().unwrap().name.as_deref(), Some("ČESKO"));
//! assert_eq!(rows[1].as_ref().unwrap().name.as_deref(), Some("SLOVENSKO; republika"));
//! assert_eq!(
//!     rows[2].as_ref().err().unwrap().to_string(),
//!     "line 4, column ZEM (1): empty, but the column must have a value"
//! );
//! # Ok::<(), Error>(())
//! ```

mod row;
mod split;

use std::fmt;
use std::io::Read;
use std::marker::PhantomData;

pub use row::{DateFormat, FieldError, Fields, Row};
use split::{Splitter, Stored};

/// One column of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// Its name in the header.
    pub name: &'static str,
    /// Other spellings of the name seen in published files, accepted in the header.
    pub aliases: &'static [&'static str],
}

impl Column {
    /// A column named `name` (or one of `aliases`).
    pub const fn new(name: &'static str, aliases: &'static [&'static str]) -> Self {
        Self { name, aliases }
    }

    /// Whether a header cell names this column (ASCII case ignored, surrounding spaces too).
    pub fn is_named(&self, cell: &str) -> bool {
        let cell = cell.trim();
        cell.eq_ignore_ascii_case(self.name)
            || self.aliases.iter().any(|a| cell.eq_ignore_ascii_case(a))
    }
}

/// The shape of one kind of file.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Layout {
    /// The data set's name (`dlp_lecivepripravky`).
    pub dataset: &'static str,
    /// The file's name, or its pattern (`LEK13_YYYYMMv01.csv`).
    pub file: &'static str,
    /// The file's encoding.
    pub encoding: &'static encoding_rs::Encoding,
    /// The field separator.
    pub separator: u8,
    /// The quote character.
    pub quote: u8,
    /// The columns, in order.
    pub columns: &'static [Column],
}

impl Layout {
    /// A layout in windows-1250 with `;` between fields and `"` as the quote, SÚKL's
    /// convention.
    pub const fn new(
        dataset: &'static str,
        file: &'static str,
        columns: &'static [Column],
    ) -> Self {
        Self {
            dataset,
            file,
            encoding: encoding_rs::WINDOWS_1250,
            separator: b';',
            quote: b'"',
            columns,
        }
    }

    /// The same layout in another encoding.
    pub const fn with_encoding(mut self, encoding: &'static encoding_rs::Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// The same layout with another separator and quote (ASCII characters).
    pub const fn with_separator(mut self, separator: u8, quote: u8) -> Self {
        self.separator = separator;
        self.quote = quote;
        self
    }

    /// The header line the layout expects (column names joined by the separator).
    pub fn header(&self) -> String {
        let sep = char::from(self.separator).to_string();
        self.columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(&sep)
    }
}

/// A record type read from a file of its [`Layout`] (implemented by generated code).
pub trait Record: Sized {
    /// The file's layout.
    const LAYOUT: &'static Layout;

    /// The record of one row; an error names the row's line and the column at fault.
    fn from_row(row: &Row<'_>) -> Result<Self, Error>;
}

/// Limits and leniencies of a [`Reader`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The longest record kept, in bytes of its fields' content (quotes and separators not
    /// counted); a longer one is [`Error::RecordTooLong`]. Default 1 MiB, far above any DLP
    /// record (the widest, `dlp_splp`, is declared at 12,400 characters).
    pub max_record_bytes: usize,
    /// Accept columns after the layout's (a newer edition of the file): their values are
    /// ignored and their names listed by [`Reader::extra_columns`]. Off by default: the header
    /// must be exactly the layout's.
    pub allow_extra_columns: bool,
    /// Refuse a text longer than its column's length ([`FieldError::TooLong`]). On by default;
    /// off, lengths are documentation only (for an edition whose texts outgrew the published
    /// lengths before the description did).
    pub check_lengths: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_record_bytes: 1 << 20,
            allow_extra_columns: false,
            check_lengths: true,
        }
    }
}

impl Options {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`Options::max_record_bytes`].
    pub fn max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// Sets [`Options::allow_extra_columns`].
    pub fn allow_extra_columns(mut self, allow: bool) -> Self {
        self.allow_extra_columns = allow;
        self
    }

    /// Sets [`Options::check_lengths`].
    pub fn check_lengths(mut self, check: bool) -> Self {
        self.check_lengths = check;
        self
    }
}

/// How a header differs from its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeaderMismatch {
    /// The data set.
    pub dataset: &'static str,
    /// The columns expected, in order.
    pub expected: Vec<&'static str>,
    /// The header found.
    pub found: Vec<String>,
    /// Expected columns the header does not name.
    pub missing: Vec<&'static str>,
    /// Header cells that name no expected column (after the expected ones, when extra
    /// columns are not allowed).
    pub unexpected: Vec<String>,
    /// The same columns, in another order.
    pub reordered: bool,
    /// A likely cause, when one is recognised (a UTF-8 file).
    pub hint: Option<String>,
}

impl fmt::Display for HeaderMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the header of {} does not match its layout",
            self.dataset
        )?;
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!("missing {}", self.missing.join(", ")));
        }
        if !self.unexpected.is_empty() {
            parts.push(format!("unexpected {}", self.unexpected.join(", ")));
        }
        if self.reordered {
            parts.push("the columns are in another order".to_owned());
        }
        if !parts.is_empty() {
            write!(f, ": {}", parts.join("; "))?;
        }
        write!(
            f,
            " (expected `{}`, found `{}`)",
            self.expected.join(";"),
            self.found.join(";")
        )?;
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

/// Why a file or a row could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the input failed; the stream ends.
    #[error("after line {line}: cannot read the file: {source}")]
    Io {
        /// Lines read completely before the failure.
        line: u64,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file has no header (it is empty or only blank lines).
    #[error("the file of {dataset} is empty: it has no header")]
    Empty {
        /// The data set.
        dataset: &'static str,
    },
    /// The header does not name the layout's columns in order.
    #[error("{0}")]
    Header(Box<HeaderMismatch>),
    /// A row has another number of fields than the header.
    #[error("line {line}: {found} fields, the header has {expected}")]
    ColumnCount {
        /// The row's first line.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A row is longer than [`Options::max_record_bytes`]; it was consumed without being kept.
    #[error("line {line}: the record is longer than {limit} bytes (Options::max_record_bytes)")]
    RecordTooLong {
        /// The row's first line.
        line: u64,
        /// The limit.
        limit: usize,
    },
    /// The last row opens a quoted field that is never closed.
    #[error("line {line}: a quoted field is not closed before the end of the file")]
    UnterminatedQuote {
        /// The row's first line.
        line: u64,
    },
    /// A field is not a value of its column's type.
    #[error("line {line}, column {column} ({position}): {reason}")]
    Field {
        /// The row's first line.
        line: u64,
        /// The column's name (as the layout has it).
        column: &'static str,
        /// The column's position (1-based).
        position: usize,
        /// What is wrong.
        reason: FieldError,
    },
}

impl Error {
    /// The line the error is about (the row's first line), when it is about one.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::Io { line, .. } => Some(*line),
            Self::ColumnCount { line, .. }
            | Self::RecordTooLong { line, .. }
            | Self::UnterminatedQuote { line }
            | Self::Field { line, .. } => Some(*line),
            Self::Empty { .. } | Self::Header(_) => None,
        }
    }
}

/// A file of `T` records, read as a stream of `Result<T, Error>` (see the [module](self)).
pub struct Reader<R, T> {
    split: Splitter<R>,
    encoding: &'static encoding_rs::Encoding,
    width: usize,
    extra: Vec<String>,
    max_record_bytes: usize,
    check_lengths: bool,
    fields: Fields,
    lines: u64,
    _record: PhantomData<fn() -> T>,
}

impl<R, T> fmt::Debug for Reader<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("encoding", &self.encoding.name())
            .field("width", &self.width)
            .field("extra", &self.extra)
            .finish_non_exhaustive()
    }
}

impl<R: Read, T: Record> Reader<R, T> {
    /// Reads and checks the header of `input` with the default [`Options`]. Wrap a file in a
    /// `BufReader` or not: the reader buffers itself.
    pub fn new(input: R) -> Result<Self, Error> {
        Self::with_options(input, Options::default())
    }

    /// Reads and checks the header of `input`.
    pub fn with_options(input: R, options: Options) -> Result<Self, Error> {
        let layout = T::LAYOUT;
        let expected = layout.columns.len();
        // Room for extra header cells, so that a mismatch can name them; rows are then held to
        // the header's width.
        let header_fields = expected.saturating_add(1024);
        let mut split = Splitter::new(
            input,
            layout.separator,
            layout.quote,
            options.max_record_bytes,
            header_fields,
        );
        let mut encoding = layout.encoding;
        let bom = split
            .peek(3)
            .map_err(|source| Error::Io { line: 0, source })?;
        if bom.starts_with(b"\xEF\xBB\xBF") {
            encoding = encoding_rs::UTF_8;
            split.skip(3);
        }
        let mut reader = Self {
            split,
            encoding,
            width: expected,
            extra: Vec::new(),
            max_record_bytes: options.max_record_bytes,
            check_lengths: options.check_lengths,
            fields: Fields::new(),
            lines: 0,
            _record: PhantomData,
        };
        reader.read_header(layout, options.allow_extra_columns)?;
        Ok(reader)
    }

    fn read_header(&mut self, layout: &'static Layout, allow_extra: bool) -> Result<(), Error> {
        let split = match self.split.next() {
            None => {
                return Err(Error::Empty {
                    dataset: layout.dataset,
                });
            }
            Some(Err(source)) => return Err(Error::Io { line: 0, source }),
            Some(Ok(s)) => s,
        };
        self.lines = split.line;
        let mut found = Vec::with_capacity(split.fields);
        if split.stored == Stored::Whole {
            self.decode_into_fields();
            found.extend(self.fields.iter().map(str::to_owned));
        } else {
            found.push(format!("({} fields, too long to keep)", split.fields));
        }
        let columns = layout.columns;
        let prefix_matches = found.len() >= columns.len()
            && columns.iter().zip(&found).all(|(c, cell)| c.is_named(cell));
        if prefix_matches && (found.len() == columns.len() || allow_extra) {
            self.extra = found[columns.len()..].to_vec();
            self.width = found.len();
            self.split.set_max_fields(self.width);
            if !self.extra.is_empty() {
                tracing::warn!(
                    dataset = layout.dataset,
                    extra = ?self.extra,
                    "the file has columns after the known ones; their values are ignored"
                );
            }
            return Ok(());
        }
        let missing: Vec<&'static str> = columns
            .iter()
            .filter(|c| !found.iter().any(|cell| c.is_named(cell)))
            .map(|c| c.name)
            .collect();
        let unexpected: Vec<String> = found
            .iter()
            .filter(|cell| !columns.iter().any(|c| c.is_named(cell)))
            .cloned()
            .collect();
        let reordered = missing.is_empty() && unexpected.is_empty() && !prefix_matches;
        let raw = self.split.bytes();
        let hint = (self.encoding != encoding_rs::UTF_8
            && !raw.is_ascii()
            && std::str::from_utf8(raw).is_ok())
        .then(|| {
            format!(
                "the header is valid UTF-8 with non-ASCII characters: the file may be in UTF-8 (without a byte-order mark) rather than {}",
                self.encoding.name()
            )
        });
        Err(Error::Header(Box::new(HeaderMismatch {
            dataset: layout.dataset,
            expected: columns.iter().map(|c| c.name).collect(),
            found,
            missing,
            unexpected,
            reordered,
            hint,
        })))
    }

    /// Columns of the file after the layout's, when [`Options::allow_extra_columns`] let them
    /// be (their values are not read).
    pub fn extra_columns(&self) -> &[String] {
        &self.extra
    }

    /// The fields of the row last read, as text (decoded, before conversion; empty when that
    /// row failed before its fields were decoded).
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The first line of the row last read (the header's before any row).
    pub fn line(&self) -> u64 {
        self.lines
    }

    /// The encoding the file is read in (the layout's, or UTF-8 after a byte-order mark).
    pub fn encoding(&self) -> &'static encoding_rs::Encoding {
        self.encoding
    }

    /// Decodes the last split record into `self.fields`, without checks.
    fn decode_into_fields(&mut self) {
        self.fields.clear();
        let bytes = self.split.bytes();
        let mut start = 0;
        for &end in self.split.ends() {
            let raw = bytes.get(start..end).unwrap_or_default();
            let (text, _) = self.encoding.decode_without_bom_handling(raw);
            self.fields.push(&text);
            start = end;
        }
    }

    /// Decodes the last split record into `self.fields`, refusing bytes that are not text
    /// and control characters.
    fn decode_checked(&mut self, line: u64) -> Result<(), Error> {
        self.fields.clear();
        let encoding = self.encoding;
        let columns = T::LAYOUT.columns;
        let bytes = self.split.bytes();
        let mut start = 0;
        // Columns after the layout's (allowed extras) are not read, so not decoded either.
        for (i, (&end, c)) in self.split.ends().iter().zip(columns).enumerate() {
            let raw = bytes.get(start..end).unwrap_or_default();
            start = end;
            let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(raw)
            else {
                return Err(Error::Field {
                    line,
                    column: c.name,
                    position: i + 1,
                    reason: FieldError::Encoding {
                        encoding: encoding.name(),
                    },
                });
            };
            if let Some((position, character)) = text
                .chars()
                .enumerate()
                .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
            {
                return Err(Error::Field {
                    line,
                    column: c.name,
                    position: i + 1,
                    reason: FieldError::Control {
                        character,
                        position: position + 1,
                        encoding: encoding.name(),
                    },
                });
            }
            self.fields.push(&text);
        }
        Ok(())
    }
}

impl<R: Read, T: Record> Iterator for Reader<R, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let split = match self.split.next()? {
            Ok(s) => s,
            Err(source) => {
                return Some(Err(Error::Io {
                    line: self.lines,
                    source,
                }));
            }
        };
        self.lines = split.line;
        self.fields.clear();
        let line = split.line;
        if split.unterminated {
            return Some(Err(Error::UnterminatedQuote { line }));
        }
        match split.stored {
            Stored::TooLong => {
                return Some(Err(Error::RecordTooLong {
                    line,
                    limit: self.max_record_bytes,
                }));
            }
            Stored::TooManyFields => {
                return Some(Err(Error::ColumnCount {
                    line,
                    expected: self.width,
                    found: split.fields,
                }));
            }
            Stored::Whole if split.fields != self.width => {
                return Some(Err(Error::ColumnCount {
                    line,
                    expected: self.width,
                    found: split.fields,
                }));
            }
            Stored::Whole => {}
        }
        if let Err(e) = self.decode_checked(line) {
            return Some(Err(e));
        }
        let row = Row::new(line, T::LAYOUT, &self.fields).check_lengths(self.check_lengths);
        Some(T::from_row(&row))
    }
}
