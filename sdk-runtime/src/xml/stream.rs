//! Reading the repeated records of a large answer or file one at a time, in memory bounded by
//! the largest record rather than by the input.
//!
//! A [`RecordReader`] reads XML from any [`BufRead`] (a file, a decompressor, an HTTP body read
//! on a blocking thread) with one quick-xml reader. Elements at a given path (say
//! `Envelope/Body/PobierzListeWizytSyncResponse/wizyta`) are records: each is built into a small
//! [`Document`] of its own, handed out, and forgotten before the next is read. Everything else
//! (the envelope, the answer's other fields such as a result code) is kept in a container
//! document, returned by [`RecordReader::finish`] and readable with the answer's generated
//! type (its record list is then empty), so nothing in the input is silently dropped.
//!
//! [`Records`] wraps a reader into an iterator of typed values decoded by the generated
//! readers, leniently and with diagnostics, as a whole message would be.
//!
//! Container elements are matched by local name (servers vary the namespaces of wrappers); a
//! record must have the path's namespace and local name. A record larger than
//! [`RecordReader::max_record_bytes`] is refused with an error naming the limit; DTDs are
//! refused; nesting is limited to [`super::MAX_DEPTH`]. The input must be UTF-8 (with or
//! without BOM); [`Utf8Reader`] converts other encodings on the fly.

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::doc::{Builder, Document, refused};
use super::dom::ParseError;
use super::limits::Limits;
use super::read::{DecodeError, DecodeErrorKind, Diagnostic, ElementName, ReadContext, XmlRead};
use super::scopes::Scopes;

/// Default of [`RecordReader::max_record_bytes`].
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// Diagnostics a [`Records`] iterator keeps; further ones are counted, not stored.
pub const MAX_KEPT_DIAGNOSTICS: usize = 1000;

/// Reads the records at a path of an XML stream; see the module documentation.
pub struct RecordReader<R: BufRead> {
    reader: Reader<R>,
    /// The namespace declarations in scope (records inherit those of their containers).
    scopes: Scopes,
    buf: Vec<u8>,
    /// Local names of the container elements, outermost first.
    containers: Vec<String>,
    record: ElementName,
    /// The container document (everything but records).
    outer: Builder,
    /// The record being read.
    inner: Builder,
    in_record: bool,
    /// Records are the `record` elements wherever they are (outside another record), not only
    /// at the container path: for files whose outer structure is not known.
    anywhere: bool,
    /// How many of the open container elements matched the path so far.
    matched: usize,
    /// Open container elements.
    depth: usize,
    max_record_bytes: usize,
    records: u64,
    ended: bool,
}

impl<R: BufRead> std::fmt::Debug for RecordReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordReader")
            .field("containers", &self.containers)
            .field("record", &self.record)
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead> RecordReader<R> {
    /// A reader of the elements `record` found inside the elements `containers` (outermost
    /// first, matched by local name), e.g. `["Envelope", "Body", "PobierzListeWizytSyncResponse"]`.
    pub fn new(reader: R, containers: &[&str], record: ElementName) -> Self {
        Self {
            reader: Reader::from_reader(reader),
            scopes: Scopes::default(),
            buf: Vec::with_capacity(64 * 1024),
            containers: containers.iter().map(|c| (*c).to_owned()).collect(),
            record,
            outer: Builder::new(4096),
            inner: Builder::new(4096),
            in_record: false,
            anywhere: false,
            matched: 0,
            depth: 0,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            records: 0,
            ended: false,
        }
    }

    /// Reads within `limits` (the defaults otherwise): each record and the rest of the document.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.outer.set_limits(limits);
        self.inner.set_limits(limits);
        self
    }

    /// A reader of the elements `record` (matched by namespace and local name) wherever they
    /// are in the document, outside another record: for files whose outer structure is not
    /// known (a reconstructed format read leniently). Whitespace between elements outside
    /// records is dropped; everything else outside records is kept for
    /// [`finish`](Self::finish), so memory stays bounded as long as the records are not each
    /// wrapped in an element of their own.
    pub fn anywhere(reader: R, record: ElementName) -> Self {
        let mut r = Self::new(reader, &[], record);
        r.anywhere = true;
        r
    }

    /// The largest record accepted, in bytes of its parsed form (names, texts, values and
    /// their bookkeeping); a larger one ends the reading with an error naming this limit.
    #[must_use]
    pub fn max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// Records read so far.
    pub fn records_read(&self) -> u64 {
        self.records
    }

    /// Bytes of memory the reader's own buffers hold now (the input buffer, the record being
    /// read and the container): what stays bounded by the largest record however long the
    /// input is.
    pub fn memory_held(&self) -> usize {
        self.buf.capacity() + self.inner.capacity() + self.outer.capacity()
    }

    fn offset(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    /// The next record as a document of its own (valid until the next call), or `None` at
    /// the end of the input.
    pub fn next_document(&mut self) -> Result<Option<&Document>, ParseError> {
        if self.ended {
            return Ok(None);
        }
        if self.in_record {
            // The previous record was handed out; forget it.
            self.inner.reset();
            self.in_record = false;
        }
        loop {
            let offset = self.offset();
            let err = |message: String| ParseError::new(offset, message);
            self.buf.clear();
            let event = self
                .reader
                .read_event_into(&mut self.buf)
                .map_err(|e| err(e.to_string()))?;
            if let Some(why) = refused(&event) {
                return Err(err(why.to_owned()));
            }
            let target_is_record = self.in_record
                || match &event {
                    Event::Start(s) | Event::Empty(s) => {
                        let named = s.name().local_name().as_ref() == self.record.local;
                        if self.anywhere {
                            named && self.scopes.element_is_in(s, self.record.ns)
                        } else {
                            self.matched == self.containers.len()
                                && self.depth == self.containers.len()
                                && named
                        }
                    }
                    _ => false,
                };
            let b = if target_is_record {
                &mut self.inner
            } else {
                &mut self.outer
            };
            let after = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
            match event {
                Event::Start(start) => {
                    b.start(&mut self.scopes, &start, offset, after, false)?;
                    if target_is_record {
                        self.in_record = true;
                    } else {
                        self.depth += 1;
                        if self.matched + 1 == self.depth
                            && self
                                .containers
                                .get(self.matched)
                                .is_some_and(|c| *c == start.name().local_name().as_ref())
                        {
                            self.matched += 1;
                        }
                    }
                }
                Event::Empty(start) => {
                    b.start(&mut self.scopes, &start, offset, after, true)?;
                    if target_is_record {
                        self.in_record = true;
                        if self.inner.depth() == 0 {
                            // `<item/>`: a whole record.
                            self.records += 1;
                            return Ok(Some(self.inner.document()));
                        }
                    }
                }
                Event::End(_) => {
                    b.end(&mut self.scopes, offset, after)?;
                    if target_is_record {
                        if self.inner.depth() == 0 {
                            self.records += 1;
                            return Ok(Some(self.inner.document()));
                        }
                    } else {
                        if self.matched == self.depth {
                            self.matched = self.matched.saturating_sub(1);
                        }
                        self.depth = self.depth.saturating_sub(1);
                    }
                }
                Event::Text(t) => {
                    let text = t.xml10_content();
                    // Whitespace between records would pile up in the container.
                    let between_records = !target_is_record
                        && (self.anywhere
                            || (self.matched == self.containers.len()
                                && self.depth == self.containers.len()));
                    if !(between_records && text.trim().is_empty()) {
                        b.text(&text, offset)?;
                    }
                }
                Event::CData(c) => b.text(&c.into_inner(), offset)?,
                Event::GeneralRef(r) => b.reference(&r, offset)?,
                Event::Eof => {
                    self.ended = true;
                    if self.in_record {
                        return Err(err("unexpected end of input inside a record".to_owned()));
                    }
                    return Ok(None);
                }
                Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
            if target_is_record && self.inner.held() > self.max_record_bytes {
                return Err(err(format!(
                    "a record is larger than the limit of {} bytes (max_record_bytes)",
                    self.max_record_bytes
                )));
            }
        }
    }

    /// Reads to the end (skipping records not read yet) and returns the container document:
    /// everything but the records.
    pub fn finish(mut self) -> Result<Document, ParseError> {
        while self.next_document()?.is_some() {}
        let end = self.offset();
        self.outer.check_complete(end)?;
        Ok(self.outer.into_document())
    }
}

/// The records of a [`RecordReader`] decoded as `T` by its generated reader: an iterator of
/// `Result<T, DecodeError>`. Reading stops after the first error.
pub struct Records<R: BufRead, T> {
    reader: RecordReader<R>,
    cx: ReadContext,
    diagnostics: Vec<Diagnostic>,
    dropped_diagnostics: u64,
    failed: bool,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<R: BufRead, T> std::fmt::Debug for Records<R, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("reader", &self.reader)
            .field("diagnostics", &self.diagnostics.len())
            .finish_non_exhaustive()
    }
}

impl<R: BufRead, T: XmlRead> Records<R, T> {
    /// Typed records of `reader`.
    pub fn new(reader: RecordReader<R>) -> Self {
        Self {
            reader,
            cx: ReadContext::new(),
            diagnostics: Vec::new(),
            dropped_diagnostics: 0,
            failed: false,
            _type: std::marker::PhantomData,
        }
    }

    /// Deviations from the schema found so far (the first [`MAX_KEPT_DIAGNOSTICS`]), with
    /// element paths such as `/Envelope/Body/…/wizyta/status`.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Reads within `limits` ([`RecordReader::with_limits`]).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.reader = self.reader.with_limits(limits);
        self
    }

    /// Diagnostics found beyond [`MAX_KEPT_DIAGNOSTICS`] (counted, not kept).
    pub fn dropped_diagnostics(&self) -> u64 {
        self.dropped_diagnostics
    }

    /// Records read so far.
    pub fn records_read(&self) -> u64 {
        self.reader.records_read()
    }

    /// See [`RecordReader::memory_held`].
    pub fn memory_held(&self) -> usize {
        self.reader.memory_held()
    }

    fn read_next(&mut self) -> Result<Option<T>, DecodeError> {
        let record_ns = self.reader.record.ns;
        let depth = self.reader.containers.len();
        for c in &self.reader.containers {
            self.cx.enter_name(c);
        }
        let doc = match self.reader.next_document() {
            Ok(Some(doc)) => doc,
            other => {
                for _ in 0..depth {
                    self.cx.leave();
                }
                return match other {
                    Err(e) => Err(DecodeError::from(e)),
                    _ => Ok(None),
                };
            }
        };
        let root = doc.root();
        if root.namespace() != record_ns {
            self.cx.enter(root);
            self.cx.diagnose(
                super::DiagnosticKind::NamespaceMismatch,
                format!(
                    "record in namespace `{}` where the schema has `{record_ns}`; accepted by local name",
                    root.namespace(),
                ),
            );
            self.cx.leave();
        }
        let value = self.cx.complex_value::<T>(root);
        for _ in 0..depth {
            self.cx.leave();
        }
        for d in self.cx.take_diagnostics() {
            if self.diagnostics.len() < MAX_KEPT_DIAGNOSTICS {
                self.diagnostics.push(d);
            } else {
                self.dropped_diagnostics += 1;
            }
        }
        value.map(Some)
    }

    /// Reads to the end and decodes the rest of the answer (everything but the records) as
    /// `O`, the answer's generated type, whose record list is then empty. Diagnostics of the
    /// rest are added to [`Records::diagnostics`].
    pub fn finish<O: XmlRead>(self) -> Result<(O, Vec<Diagnostic>), DecodeError> {
        let malformed = DecodeError::from;
        let mut diagnostics = self.diagnostics;
        let containers = self.reader.containers.clone();
        let doc = self.reader.finish().map_err(malformed)?;
        // The element the records are children of holds the answer's other fields.
        let mut cx = ReadContext::new();
        let mut at = doc.root();
        cx.enter(at);
        for name in containers.iter().skip(1) {
            let Some(next) = at.child_elements().find(|e| e.local_name() == name) else {
                // A SOAP fault in place of the answer says so (the whole fault is in
                // `into_rest`).
                if let Some(fault) = at.child_elements().find(|e| e.local_name() == "Fault")
                    && is_soap_envelope(doc.root())
                {
                    let text = |n: &str| {
                        fault
                            .child_elements()
                            .find(|e| e.local_name() == n)
                            .map(|e| e.deep_text().trim().to_owned())
                    };
                    let why = text("faultstring")
                        .or_else(|| text("Reason"))
                        .unwrap_or_default();
                    cx.enter(fault);
                    return Err(cx.error(
                        DecodeErrorKind::Fault,
                        format!("the answer is a SOAP fault: {why}"),
                    ));
                }
                return Err(cx.error(
                    DecodeErrorKind::Missing,
                    format!("the answer has no `{name}` element"),
                ));
            };
            at = next;
            cx.enter(at);
        }
        let value = O::read_xml(at, &mut cx)?;
        diagnostics.extend(cx.into_diagnostics());
        Ok((value, diagnostics))
    }
}

impl<R: BufRead, T> Records<R, T> {
    /// Reads to the end and returns everything but the records as a document (a SOAP fault
    /// in place of the answer can be read from it with
    /// [`Envelope::from_document`](crate::soap::Envelope::from_document) and
    /// [`SoapFault::from_envelope`](crate::soap::SoapFault::from_envelope)).
    pub fn into_rest(self) -> Result<Document, DecodeError> {
        self.reader.finish().map_err(DecodeError::from)
    }
}

/// Whether `root` is a SOAP 1.1 or 1.2 `Envelope`.
fn is_soap_envelope(root: super::ElementRef<'_>) -> bool {
    root.local_name() == "Envelope"
        && matches!(
            root.namespace(),
            crate::soap::SOAP11_NS | crate::soap::SOAP12_NS
        )
}

impl<R: BufRead, T: XmlRead> Iterator for Records<R, T> {
    type Item = Result<T, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.read_next() {
            Ok(Some(v)) => Some(Ok(v)),
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// A [`BufRead`] of UTF-8 from input in another encoding (ISO-8859-2, windows-1250, …, UTF-16
/// with a BOM), converted as it is read, for [`RecordReader`]. The XML declaration keeps its
/// `encoding` label; the reader ignores it.
pub struct Utf8Reader<R: BufRead> {
    inner: R,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    len: usize,
    finished: bool,
}

impl<R: BufRead> std::fmt::Debug for Utf8Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Utf8Reader").finish_non_exhaustive()
    }
}

impl<R: BufRead> Utf8Reader<R> {
    /// Converts `inner`, whose encoding is `encoding` unless a byte-order mark says otherwise.
    pub fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Self {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            out: vec![0; 64 * 1024],
            pos: 0,
            len: 0,
            finished: false,
        }
    }
}

impl<R: BufRead> Utf8Reader<R> {
    /// Converts `inner` from the encoding its XML declaration names (`encoding="ISO-8859-2"`),
    /// else its byte-order mark, else UTF-8, as XML says; the declaration must be in the first
    /// buffer `inner` fills (a `BufReader`'s is 8 KiB). An encoding label encoding_rs does not
    /// know is an error naming it.
    pub fn declared(mut inner: R) -> std::io::Result<Self> {
        let start = inner.fill_buf()?;
        let encoding = match declared_encoding(start) {
            Some(label) => encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the XML declaration names an unknown encoding `{label}`"),
                )
            })?,
            None => encoding_rs::UTF_8,
        };
        Ok(Self::new(inner, encoding))
    }
}

/// The `encoding` of an XML declaration at the start of `bytes` (after an optional UTF-8 BOM).
pub fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let decl = bytes.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(decl.get(..end)?).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest.get(1..)?;
    let close = value.find(quote)?;
    Some(value.get(..close)?.to_owned())
}

impl<R: BufRead> std::io::Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Utf8Reader<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.pos == self.len && !self.finished {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(input, &mut self.out, last);
            self.inner.consume(read);
            if let encoding_rs::DecoderResult::Malformed(_, _) = result {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("input is not valid {}", self.decoder.encoding().name()),
                ));
            }
            self.pos = 0;
            self.len = written;
            if last && matches!(result, encoding_rs::DecoderResult::InputEmpty) {
                self.finished = true;
            }
        }
        Ok(self.out.get(self.pos..self.len).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.len);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::xml::{Content, Particle, XmlRead};

    /// A record type for the tests: `<item><n>…</n><item>…</item>?</item>` (an inner element
    /// with the record's own name must not end the record).
    #[derive(Debug, PartialEq)]
    struct Item {
        n: String,
        inner: Option<Box<Item>>,
    }

    impl XmlRead for Item {
        fn read_xml(
            element: crate::xml::ElementRef<'_>,
            cx: &mut ReadContext,
        ) -> Result<Self, DecodeError> {
            const MODEL: &[Particle] =
                &[Particle::one("urn:r", "n"), Particle::one("urn:r", "item")];
            let mut c: Content<'_> = cx.content(element, MODEL, false);
            Ok(Self {
                n: c.text_one(cx, 0, "n")?,
                inner: c.complex_opt::<Item>(cx, 1)?.map(Box::new),
            })
        }
    }

    /// What the answer holds besides its records.
    #[derive(Debug, PartialEq)]
    struct Answer {
        result: String,
        items: usize,
    }

    impl XmlRead for Answer {
        fn read_xml(
            element: crate::xml::ElementRef<'_>,
            cx: &mut ReadContext,
        ) -> Result<Self, DecodeError> {
            const MODEL: &[Particle] = &[
                Particle::one("urn:r", "result"),
                Particle::many("urn:r", "item"),
            ];
            let mut c = cx.content(element, MODEL, false);
            Ok(Self {
                result: c.text_one(cx, 0, "result")?,
                items: c.complex_many::<Item>(cx, 1)?.len(),
            })
        }
    }

    const ITEM: ElementName = ElementName::new("urn:r", "item");
    const PATH: &[&str] = &["Envelope", "Body", "answer"];

    fn records(xml: &str) -> Records<&[u8], Item> {
        Records::new(RecordReader::new(xml.as_bytes(), PATH, ITEM))
    }

    const ANSWER: &str = r#"<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<r:answer xmlns:r="urn:r">
  <r:result>OK &amp; done</r:result>
  <r:item><r:n>1</r:n></r:item>
  <r:item><r:n>2</r:n><r:item><r:n>2.1</r:n></r:item></r:item>
  <r:other><r:item><r:n>not a record: another path</r:n></r:item></r:other>
  <r:item><r:n>3</r:n><r:extra/></r:item>
</r:answer></s:Body></s:Envelope>"#;

    #[test]
    fn records_come_one_by_one_and_the_rest_is_kept() {
        let mut it = records(ANSWER);
        let got: Vec<String> = it.by_ref().map(|r| r.unwrap().n).collect();
        assert_eq!(got, ["1", "2", "3"]);
        assert_eq!(it.records_read(), 3);
        // The unknown element inside the third record, with its path.
        assert_eq!(it.diagnostics().len(), 1);
        assert_eq!(it.diagnostics()[0].path, "/Envelope/Body/answer/item/extra");
        let (rest, _) = it.finish::<Answer>().unwrap();
        assert_eq!(
            rest,
            Answer {
                result: "OK & done".to_owned(),
                items: 0
            }
        );
    }

    #[test]
    fn the_declared_encoding_is_used() {
        assert_eq!(
            declared_encoding(b"<?xml version=\"1.0\" encoding='ISO-8859-2'?><a/>").as_deref(),
            Some("ISO-8859-2")
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><a/>"), None);
        assert_eq!(declared_encoding(b"<a/>"), None);
        let (latin2, _, _) = encoding_rs::ISO_8859_2.encode("Příliš žluťoučký");
        let mut input = b"<?xml version=\"1.0\" encoding=\"iso-8859-2\"?><a>".to_vec();
        input.extend_from_slice(&latin2);
        input.extend_from_slice(b"</a>");
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut Utf8Reader::declared(input.as_slice()).unwrap(),
            &mut text,
        )
        .unwrap();
        assert!(text.ends_with("<a>Příliš žluťoučký</a>"), "{text}");
        let err =
            Utf8Reader::declared(b"<?xml version=\"1.0\" encoding=\"x-klingon\"?>".as_slice())
                .unwrap_err()
                .to_string();
        assert!(err.contains("x-klingon"), "{err}");
    }

    #[test]
    fn records_anywhere_are_found_at_any_depth_by_namespace() {
        let xml = r#"<file xmlns:r="urn:r" xmlns:o="urn:other">
  <head><r:item><r:n>1</r:n></r:item></head>
  <r:item><r:n>2</r:n><r:item><r:n>2.1</r:n></r:item></r:item>
  <o:item><o:n>not a record: another namespace</o:n></o:item>
  <deep><deeper><r:item><r:n>3</r:n></r:item></deeper></deep>
</file>"#;
        let mut it: Records<&[u8], Item> =
            Records::new(RecordReader::anywhere(xml.as_bytes(), ITEM));
        let got: Vec<String> = it.by_ref().map(|r| r.unwrap().n).collect();
        assert_eq!(got, ["1", "2", "3"]);
        let rest = it.into_rest().unwrap();
        let root = rest.root();
        assert_eq!(root.local_name(), "file");
        // The other namespace's element stays, the whitespace between elements does not.
        assert_eq!(root.deep_text(), "not a record: another namespace");
        // Many records in a fixed container: the reader's buffers do not grow with the count.
        let mut big = String::from("<f xmlns=\"urn:r\"><list>");
        for i in 0..20_000 {
            big.push_str(&format!("\n  <item><n>{i}</n></item>"));
        }
        big.push_str("\n</list></f>");
        let mut reader = RecordReader::anywhere(big.as_bytes(), ITEM);
        let mut count = 0;
        let mut held_at_100 = 0;
        while reader.next_document().unwrap().is_some() {
            count += 1;
            if count == 100 {
                held_at_100 = reader.memory_held();
            }
        }
        assert_eq!(count, 20_000);
        assert_eq!(reader.memory_held(), held_at_100);
    }

    #[test]
    fn nested_records_and_records_elsewhere_stay_in_place() {
        let mut it = records(ANSWER);
        let second = it.nth(1).unwrap().unwrap();
        assert_eq!(second.inner.unwrap().n, "2.1");
        // The `item` under `other` is not at the records' path: it is part of the rest.
        let doc = RecordReader::new(ANSWER.as_bytes(), PATH, ITEM)
            .finish()
            .unwrap();
        let answer = doc
            .root()
            .child_elements()
            .next()
            .unwrap()
            .child_elements()
            .next()
            .unwrap();
        let other = answer.child("urn:r", "other").unwrap();
        assert_eq!(other.deep_text(), "not a record: another path");
        assert!(answer.child("urn:r", "item").is_none());
    }

    #[test]
    fn bad_input_is_refused_with_its_reason() {
        let cut = &ANSWER[..ANSWER.find("<r:n>2").unwrap()];
        let errors: Vec<String> = records(cut)
            .filter_map(Result::err)
            .map(|e| e.message)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("inside a record"), "{errors:?}");
        let dtd = format!("<!DOCTYPE x [<!ENTITY a 'b'>]>{}", &ANSWER[22..]);
        let first = records(&dtd).next().unwrap().unwrap_err();
        assert!(first.message.contains("document type"), "{first}");
        let bad_value = ANSWER.replace("<r:n>1</r:n>", "");
        let first = records(&bad_value).next().unwrap().unwrap_err();
        assert_eq!(first.path, "/Envelope/Body/answer/item/n");
    }

    #[test]
    fn a_fault_in_place_of_the_answer_is_said_and_kept() {
        let fault = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>Brak uprawnień</faultstring></s:Fault></s:Body></s:Envelope>"#;
        let mut it = records(fault);
        assert!(it.next().is_none());
        let e = it.finish::<Answer>().unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Fault);
        assert!(e.message.contains("Brak uprawnień"), "{e}");
        assert_eq!(e.path, "/Envelope/Body/Fault");
        let rest = records(fault).into_rest().unwrap();
        let env = crate::soap::Envelope::from_document(rest).unwrap();
        let f = crate::soap::SoapFault::from_envelope(&env, 200, bytes::Bytes::new()).unwrap();
        assert_eq!(f.message, "Brak uprawnień");
    }

    #[test]
    fn a_record_over_the_limit_is_refused_naming_it() {
        let big = ANSWER.replace(
            "<r:n>2</r:n>",
            &format!("<r:n>{}</r:n>", "x".repeat(10_000)),
        );
        let mut it = Records::<_, Item>::new(
            RecordReader::new(big.as_bytes(), PATH, ITEM).max_record_bytes(4096),
        );
        assert!(it.next().unwrap().is_ok());
        let e = it.next().unwrap().unwrap_err();
        assert!(e.message.contains("max_record_bytes"), "{e}");
        assert!(it.next().is_none(), "reading stops after an error");
    }

    /// An answer of `count` records, made as it is read (nothing of it is held).
    struct Generated {
        parts: [Vec<u8>; 3],
        part: usize,
        pos: usize,
        left: u64,
    }

    impl Generated {
        fn new(count: u64) -> Self {
            Self {
                parts: [
                    b"<s:Envelope xmlns:s='urn:s'><s:Body><r:answer xmlns:r='urn:r'><r:result>OK</r:result>"
                        .to_vec(),
                    b"\n  <r:item><r:n>12345</r:n><r:item><r:n>inner</r:n></r:item></r:item>".to_vec(),
                    b"</r:answer></s:Body></s:Envelope>".to_vec(),
                ],
                part: 0,
                pos: 0,
                left: count,
            }
        }
    }

    impl std::io::Read for Generated {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = {
                let available = std::io::BufRead::fill_buf(self)?;
                let n = available.len().min(out.len());
                out[..n].copy_from_slice(&available[..n]);
                n
            };
            std::io::BufRead::consume(self, n);
            Ok(n)
        }
    }

    impl std::io::BufRead for Generated {
        fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
            if self.part == 1 && self.left == 0 {
                self.part = 2;
                self.pos = 0;
            }
            Ok(self
                .parts
                .get(self.part)
                .map_or(&[][..], |p| &p[self.pos..]))
        }

        fn consume(&mut self, amount: usize) {
            self.pos += amount;
            if self
                .parts
                .get(self.part)
                .is_some_and(|p| self.pos >= p.len())
            {
                self.pos = 0;
                match self.part {
                    0 => self.part = 1,
                    1 => self.left -= 1,
                    _ => self.part = 3,
                }
            }
        }
    }

    #[test]
    fn memory_stays_bounded_by_the_largest_record_whatever_the_length() {
        let count = 200_000;
        let mut it = Records::<_, Item>::new(RecordReader::new(Generated::new(count), PATH, ITEM));
        let mut seen = 0u64;
        let mut held_early = 0;
        while let Some(r) = it.next() {
            assert_eq!(r.unwrap().n, "12345");
            seen += 1;
            if seen == 1000 {
                held_early = it.memory_held();
            }
        }
        assert_eq!(seen, count);
        // About 15 MB went through; the buffers are as large as after the first records.
        let held = it.memory_held();
        assert!(
            held <= held_early,
            "the buffers grew while reading: {held_early} -> {held}"
        );
        assert!(held < 256 * 1024, "{held} bytes held after {count} records");
        let (rest, _) = it.finish::<Answer>().unwrap();
        assert_eq!(rest.result, "OK");
    }

    #[test]
    fn other_encodings_are_converted_as_they_are_read() {
        let text = "<s:Envelope xmlns:s='urn:s'><s:Body><r:answer xmlns:r='urn:r'><r:result>OK</r:result><r:item><r:n>Žluťoučký kůň</r:n></r:item></r:answer></s:Body></s:Envelope>";
        let (bytes, _, _) = encoding_rs::ISO_8859_2.encode(text);
        let reader = Utf8Reader::new(
            std::io::BufReader::with_capacity(7, &bytes[..]),
            encoding_rs::ISO_8859_2,
        );
        let got: Vec<String> = Records::<_, Item>::new(RecordReader::new(reader, PATH, ITEM))
            .map(|r| r.unwrap().n)
            .collect();
        assert_eq!(got, ["Žluťoučký kůň"]);
        // Bytes that are not text in the encoding are refused, not guessed at.
        let reader = Utf8Reader::new(&b"<a>\xff</a>"[..], encoding_rs::UTF_8);
        let e = RecordReader::new(reader, &[], ElementName::new("", "a"))
            .next_document()
            .map(|_| ())
            .unwrap_err();
        assert!(e.message.contains("not valid UTF-8"), "{e}");
    }
}
