//! Splitting a byte stream into records and fields, with bounded memory.
//!
//! The `csv` crate (used by sdk-p1 for CeR's UTF-8 files) grows a record's buffer without limit:
//! one unterminated quote near the start of a file makes the rest of the file one record held in
//! memory. Its state machine, `csv-core`, writes into buffers the caller owns, so here the
//! buffers grow only up to [`Options::max_record_bytes`](super::Options::max_record_bytes); a
//! longer record is consumed without being stored and reported, and reading goes on with the
//! next one. `csv-core` also gives each record in the raw bytes the file has, which is what a
//! windows-1250 file needs (the `csv` crate's string records are UTF-8).
//!
//! Line numbers are counted here rather than taken from `csv-core`: its count moves when the
//! `\n` of a CRLF is consumed, which happens after the record it ends is returned.

use std::io::{self, Read};

/// Bytes read from the input at a time.
const READ_CHUNK: usize = 64 * 1024;

/// Where a record's fields ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stored {
    /// All fields are in [`Splitter::bytes`], their ends in [`Splitter::ends`].
    Whole,
    /// The record's content was longer than the limit: nothing of it is kept.
    TooLong,
    /// The record had more fields than the limit: nothing of it is kept (its field count is).
    TooManyFields,
}

/// One record as split.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    /// Line of the file the record starts on (1-based; a quoted line break inside a field
    /// makes a record span lines).
    pub(crate) line: u64,
    /// Number of fields.
    pub(crate) fields: usize,
    /// Whether the fields are kept.
    pub(crate) stored: Stored,
    /// The record ended at the end of the input with an odd number of quote characters: a
    /// quoted field was never closed (`csv-core` ends the record anyway).
    pub(crate) unterminated: bool,
}

/// A reader of records over `csv-core`.
pub(crate) struct Splitter<R> {
    input: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    done: bool,
    core: csv_core::Reader,
    quote: u8,
    /// `\n` bytes consumed so far.
    newlines: u64,
    max_bytes: usize,
    max_fields: usize,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
}

impl<R: Read> Splitter<R> {
    pub(crate) fn new(
        input: R,
        separator: u8,
        quote: u8,
        max_bytes: usize,
        max_fields: usize,
    ) -> Self {
        let core = csv_core::ReaderBuilder::new()
            .delimiter(separator)
            .quote(quote)
            .double_quote(true)
            .terminator(csv_core::Terminator::CRLF)
            .build();
        let max_bytes = max_bytes.max(1);
        let max_fields = max_fields.max(1);
        Self {
            input,
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            done: false,
            core,
            quote,
            newlines: 0,
            max_bytes,
            max_fields,
            out: vec![0; max_bytes.min(4096)],
            out_len: 0,
            ends: vec![0; max_fields.min(64)],
            ends_len: 0,
        }
    }

    /// Allows up to `max_fields` fields per record from now on (the header decides how many
    /// a row has).
    pub(crate) fn set_max_fields(&mut self, max_fields: usize) {
        self.max_fields = max_fields.max(1);
    }

    /// The bytes read so far and not yet split (the beginning of the input before the first
    /// record is read): at least `n` of them when the input has that many.
    pub(crate) fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.len - self.pos < n && !self.eof {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.len, 0);
                self.len -= self.pos;
                self.pos = 0;
            }
            let got = read_some(&mut self.input, &mut self.buf[self.len..])?;
            if got == 0 {
                self.eof = true;
            }
            self.len += got;
        }
        Ok(&self.buf[self.pos..self.len])
    }

    /// Skips `n` bytes already peeked.
    pub(crate) fn skip(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.len);
    }

    /// The content of the last record read with [`Stored::Whole`].
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.out[..self.out_len]
    }

    /// The end offsets (in [`Self::bytes`]) of the last record's fields.
    pub(crate) fn ends(&self) -> &[usize] {
        &self.ends[..self.ends_len]
    }

    /// Refills the buffer when it is used up; `false` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.pos = 0;
        self.len = read_some(&mut self.input, &mut self.buf)?;
        if self.len == 0 {
            self.eof = true;
        }
        Ok(self.len > 0)
    }

    /// The next record, `None` at the end of the input (or after an I/O error was returned).
    pub(crate) fn next(&mut self) -> Option<io::Result<Split>> {
        if self.done {
            return None;
        }
        let r = self.next_record();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }

    fn next_record(&mut self) -> Option<io::Result<Split>> {
        // Blank lines carry no record (`csv-core` would pass over them too); skipping them here
        // keeps the line count exact.
        loop {
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
            while self.pos < self.len && matches!(self.buf[self.pos], b'\r' | b'\n') {
                self.newlines += u64::from(self.buf[self.pos] == b'\n');
                self.pos += 1;
            }
            if self.pos < self.len {
                break;
            }
        }
        let line = self.newlines + 1;
        self.out_len = 0;
        self.ends_len = 0;
        let mut stored = Stored::Whole;
        let mut discarded_fields = 0usize;
        let mut quotes = 0usize;
        loop {
            let at_end = match self.fill() {
                Ok(more) => !more,
                Err(e) => return Some(Err(e)),
            };
            let input = &self.buf[self.pos..self.len];
            let (result, nin, nout, nend) = self.core.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            let consumed = &input[..nin];
            self.newlines += memchr::memchr_iter(b'\n', consumed).count() as u64;
            quotes += memchr::memchr_iter(self.quote, consumed).count();
            self.pos += nin;
            if stored == Stored::Whole {
                self.out_len += nout;
                self.ends_len += nend;
            } else {
                discarded_fields += nend;
            }
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    // One byte more than the limit, so that a record of exactly the limit fits
                    // (`csv-core` reports a full buffer before it looks at the next byte).
                    if stored == Stored::Whole && self.out.len() <= self.max_bytes {
                        let grown = grow(self.out.len(), 1024, self.max_bytes + 1);
                        self.out.resize(grown, 0);
                    } else {
                        if stored == Stored::Whole {
                            stored = Stored::TooLong;
                            discarded_fields = self.ends_len;
                        }
                        self.out_len = 0;
                        self.ends_len = 0;
                    }
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if stored == Stored::Whole && self.ends.len() <= self.max_fields {
                        let grown = grow(self.ends.len(), 8, self.max_fields + 1);
                        self.ends.resize(grown, 0);
                    } else {
                        if stored == Stored::Whole {
                            stored = Stored::TooManyFields;
                            discarded_fields = self.ends_len;
                        }
                        self.out_len = 0;
                        self.ends_len = 0;
                    }
                }
                csv_core::ReadRecordResult::Record => {
                    let fields = match stored {
                        Stored::Whole => self.ends_len,
                        _ => discarded_fields,
                    };
                    if stored != Stored::Whole {
                        self.out_len = 0;
                        self.ends_len = 0;
                    }
                    return Some(Ok(Split {
                        line,
                        fields,
                        stored,
                        unterminated: at_end && quotes % 2 == 1,
                    }));
                }
                csv_core::ReadRecordResult::End => return None,
            }
        }
    }
}

/// A buffer's next size: double, at least `least`, at most `cap`.
fn grow(len: usize, least: usize, cap: usize) -> usize {
    let doubled = len.saturating_mul(2);
    let wanted = if doubled < least { least } else { doubled };
    if wanted > cap { cap } else { wanted }
}

/// One `read`, retried when interrupted.
fn read_some(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    fn all(input: &[u8], max_bytes: usize, max_fields: usize) -> Vec<(Split, Vec<Vec<u8>>)> {
        let mut s = Splitter::new(input, b';', b'"', max_bytes, max_fields);
        let mut out = Vec::new();
        while let Some(r) = s.next() {
            let split = r.unwrap();
            let mut fields = Vec::new();
            let mut start = 0;
            for &end in s.ends() {
                fields.push(s.bytes()[start..end].to_vec());
                start = end;
            }
            out.push((split, fields));
        }
        out
    }

    #[test]
    fn lines_are_counted_across_crlf_blank_lines_and_quoted_breaks() {
        let got = all(b"a;b\r\n\r\n\"x\r\ny\";z\r\nlast;1", 1024, 16);
        let lines: Vec<u64> = got.iter().map(|(s, _)| s.line).collect();
        assert_eq!(lines, [1, 3, 5]);
        assert_eq!(got[1].1, [b"x\r\ny".to_vec(), b"z".to_vec()]);
        assert!(!got[2].0.unterminated);
    }

    #[test]
    fn a_record_longer_than_the_limit_is_dropped_whole_and_reading_goes_on() {
        let long = format!("{};b\nok;1\n", "x".repeat(5000));
        let got = all(long.as_bytes(), 100, 16);
        assert_eq!(got[0].0.stored, Stored::TooLong);
        assert_eq!(got[0].0.fields, 2);
        assert_eq!(got[1].0.stored, Stored::Whole);
        assert_eq!(got[1].0.line, 2);
        assert_eq!(got[1].1, [b"ok".to_vec(), b"1".to_vec()]);
    }

    #[test]
    fn too_many_fields_are_counted_not_stored() {
        let got = all(b"a;b;c;d;e;f;g;h;i;j\nx;y\n", 1024, 4);
        assert_eq!(got[0].0.stored, Stored::TooManyFields);
        assert_eq!(got[0].0.fields, 10);
        assert_eq!(got[1].0.fields, 2);
    }

    #[test]
    fn an_unclosed_quote_at_the_end_is_flagged() {
        let got = all(b"a;b\n\"open;c\nd\n", 1024, 16);
        assert_eq!(got.len(), 2);
        assert!(got[1].0.unterminated);
    }
}
