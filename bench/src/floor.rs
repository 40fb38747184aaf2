//! The floors: what parsing and writing the same bytes costs with quick-xml alone (and serde_json
//! for JSON), doing the least any reader or writer must.
//!
//! * scan: UTF-8 checked, every event read with namespaces resolved, every attribute value
//!   normalised and its name resolved, every text unescaped (character and predefined entity
//!   references resolved) — what our tree reader does, without building anything.
//! * write: a quick-xml `Writer` emitting the events of the same document into a buffer, copied
//!   as they were read (names, prefixes and escaped text pre-built: a copy of the document in
//!   pieces).
//! * escaping write: the counterpart of the scan — a quick-xml `Writer` emitting the same
//!   document from its values (element names, attribute values and text unescaped), escaping
//!   them as it writes, as any writer given values must.
//!
//! Positional lines (Chongqing's `code|field|field…` in GBK), with encoding_rs alone:
//!
//! * scan: the answer decoded strictly (malformed bytes refused), split on the separator, every
//!   field looked at. It decodes before it splits, as any correct reader must: a GBK trail byte
//!   can be the separator's byte (`亅` is `81 7C`), so splitting the bytes first would cut a
//!   character in two.
//! * write: the request's field strings (code first, already formatted) joined with the
//!   separator and encoded into an owned buffer.

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::NamespaceResolver;
use quick_xml::reader::NsReader;
use quick_xml::writer::Writer;

/// Scans `bytes`; the count of items seen (so nothing is optimised away).
pub fn scan(bytes: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut reader = NsReader::from_str(text);
    let mut seen = 0usize;
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        std::hint::black_box(&resolved);
        if matches!(event, Event::Eof) {
            break;
        }
        seen += visit(&event, reader.resolver())?;
    }
    Ok(seen)
}

/// What the floor does with one event: attribute values normalised and their names resolved,
/// text unescaped, references resolved. The count of items seen.
pub fn visit(event: &Event<'_>, resolver: &NamespaceResolver) -> Result<usize, String> {
    Ok(match event {
        Event::Start(start) | Event::Empty(start) => {
            let mut seen = 1;
            for attr in start.attributes() {
                let attr = attr.map_err(|e| e.to_string())?;
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| e.to_string())?;
                let name = resolver.resolve_attribute(attr.key);
                std::hint::black_box((&name, &value));
                seen += 1;
            }
            seen
        }
        Event::Text(t) => t.xml10_content().len(),
        Event::GeneralRef(r) => {
            if r.is_char_ref() {
                usize::from(r.resolve_char_ref().ok().flatten().is_some())
            } else {
                let name = r.xml10_content();
                quick_xml::escape::resolve_predefined_entity(&name).map_or(0, str::len)
            }
        }
        _ => 0,
    })
}

/// The events of `bytes`, owned, for [`write()`].
pub fn events(bytes: &[u8]) -> Result<Vec<Event<'static>>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Eof => break,
            e => out.push(e.into_owned()),
        }
    }
    Ok(out)
}

/// Writes `events` with quick-xml's writer; the bytes written.
pub fn write(events: &[Event<'static>], capacity: usize) -> Result<usize, String> {
    let mut w = Writer::new(Vec::with_capacity(capacity));
    for e in events {
        w.write_event(e.borrow()).map_err(|e| e.to_string())?;
    }
    Ok(w.into_inner().len())
}

/// One event of a document as values, for [`write_escaping()`].
#[derive(Debug)]
pub enum Logical {
    /// A start tag (or an empty element): its qualified name and attributes, values unescaped.
    Start {
        name: String,
        attributes: Vec<(String, String)>,
        empty: bool,
    },
    /// An end tag.
    End(String),
    /// Character data, unescaped (entity and character references resolved).
    Text(String),
    /// Anything else (declaration, comment …), copied as read.
    Other(Event<'static>),
}

/// The document `bytes` as values, for [`write_escaping()`].
pub fn logical(bytes: &[u8]) -> Result<Vec<Logical>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    for event in events(bytes)? {
        match &event {
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    let c = r
                        .resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .ok_or("a character reference without a character")?;
                    text.push(c);
                } else {
                    let name = r.xml10_content();
                    text.push_str(
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity `{name}`"))?,
                    );
                }
                continue;
            }
            _ => {}
        }
        if !text.is_empty() {
            out.push(Logical::Text(std::mem::take(&mut text)));
        }
        out.push(match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let mut attributes = Vec::new();
                for attr in s.attributes() {
                    let attr = attr.map_err(|e| e.to_string())?;
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| e.to_string())?;
                    let key = attr.key.as_ref().to_owned();
                    attributes.push((key, value.into_owned()));
                }
                Logical::Start {
                    name: s.name().as_ref().to_owned(),
                    attributes,
                    empty: matches!(event, Event::Empty(_)),
                }
            }
            Event::End(ref e) => Logical::End(e.name().as_ref().to_owned()),
            other => Logical::Other(other),
        });
    }
    if !text.is_empty() {
        out.push(Logical::Text(text));
    }
    Ok(out)
}

/// Writes `events` from their values with quick-xml's writer, escaping text and attribute
/// values as it goes; the bytes written.
pub fn write_escaping(events: &[Logical], capacity: usize) -> Result<usize, String> {
    use quick_xml::events::{BytesEnd, BytesStart, BytesText};
    let mut w = Writer::new(Vec::with_capacity(capacity));
    for e in events {
        let event = match e {
            Logical::Start {
                name,
                attributes,
                empty,
            } => {
                let mut start = BytesStart::new(name.as_str());
                for (k, v) in attributes {
                    start.push_attribute((k.as_str(), v.as_str()));
                }
                if *empty {
                    Event::Empty(start)
                } else {
                    Event::Start(start)
                }
            }
            Logical::End(name) => Event::End(BytesEnd::new(name.as_str())),
            Logical::Text(text) => Event::Text(BytesText::new(text)),
            Logical::Other(other) => other.borrow(),
        };
        w.write_event(event).map_err(|e| e.to_string())?;
    }
    Ok(w.into_inner().len())
}

/// JSON floor, read: `serde_json` into an untyped value.
pub fn json_scan(bytes: &[u8]) -> Result<usize, String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(usize::from(!v.is_null()))
}

/// JSON floor, write: the untyped value back to bytes.
pub fn json_write(value: &serde_json::Value) -> usize {
    serde_json::to_vec(value).map_or(0, |v| v.len())
}

/// Positional floor, read: `bytes` decoded strictly with the protocol's encoding, split on its
/// separator, every field looked at; the count of characters seen.
pub fn positional_scan(
    bytes: &[u8],
    protocol: &sdk_runtime::positional::Protocol,
) -> Result<usize, String> {
    let text = protocol
        .encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| format!("not valid {}", protocol.encoding.name()))?;
    let mut seen = 0usize;
    for field in text.split(protocol.separator) {
        seen += std::hint::black_box(field).len();
    }
    Ok(seen)
}

/// The fields of the line `bytes` (the code first), owned, for [`positional_write`].
pub fn positional_fields(
    bytes: &[u8],
    protocol: &sdk_runtime::positional::Protocol,
) -> Result<Vec<String>, String> {
    let text = protocol
        .encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| format!("not valid {}", protocol.encoding.name()))?;
    Ok(text.split(protocol.separator).map(str::to_owned).collect())
}

/// Positional floor, write: `fields` joined with the separator and encoded; the line.
pub fn positional_write(
    fields: &[String],
    protocol: &sdk_runtime::positional::Protocol,
) -> Vec<u8> {
    let mut separator = [0u8; 4];
    let line = fields.join(protocol.separator.encode_utf8(&mut separator));
    let (bytes, _, _) = protocol.encoding.encode(&line);
    bytes.into_owned()
}
