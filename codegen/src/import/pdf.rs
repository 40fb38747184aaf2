//! The files embedded in a PDF: the document's embedded-file name tree (`/Names /EmbeddedFiles`,
//! what "attach a file to the document" writes) and file-attachment annotations on its pages
//! (the paper-clip icons). VZP publishes each B2B service's WSDL and XSD this way.
//!
//! Everything read from the PDF is untrusted: names are reduced to a plain file name, sizes and
//! counts are bounded, and a compressed stream is inflated only up to the size limit.

use std::collections::BTreeSet;
use std::io::Read as _;

use lopdf::{Dictionary, Document, Object};

use crate::Error;

/// The largest PDF read (bytes).
pub const MAX_PDF_BYTES: u64 = 256 << 20;
/// The largest embedded file kept (bytes, inflated).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// The most embedded files read.
pub const MAX_FILES: usize = 1000;
/// How deep the embedded-file name tree may nest.
const MAX_TREE_DEPTH: usize = 32;

/// One embedded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its name, reduced to a plain file name (no folders).
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The embedded files of the PDF `bytes`, each once, in the order the PDF lists them.
pub fn attachments(bytes: &[u8], shown: &str) -> Result<Vec<Attachment>, Error> {
    let fail = |message: String| Error::Spec {
        path: shown.into(),
        message,
    };
    if bytes.len() as u64 > MAX_PDF_BYTES {
        return Err(fail(format!(
            "the PDF has {} bytes; at most {MAX_PDF_BYTES} are read",
            bytes.len()
        )));
    }
    let doc = Document::load_mem(bytes).map_err(|e| fail(format!("not a readable PDF: {e}")))?;
    let mut specs = Vec::new();
    // The document's embedded files.
    if let Ok(catalog) = doc.catalog()
        && let Some(names) = catalog
            .get(b"Names")
            .ok()
            .and_then(|o| deref_dict(&doc, o).ok())
        && let Some(tree) = names
            .get(b"EmbeddedFiles")
            .ok()
            .and_then(|o| deref_dict(&doc, o).ok())
    {
        name_tree(&doc, tree, 0, &mut specs).map_err(fail)?;
    }
    // File-attachment annotations.
    for page in doc.page_iter() {
        let Ok(annotations) = doc.get_page_annotations(page) else {
            continue;
        };
        for a in annotations {
            if a.get(b"Subtype").and_then(Object::as_name).ok()
                == Some(b"FileAttachment".as_slice())
                && let Ok(fs) = a.get(b"FS")
            {
                specs.push(fs.clone());
            }
        }
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for spec in specs {
        if out.len() >= MAX_FILES {
            return Err(fail(format!("more than {MAX_FILES} embedded files")));
        }
        let spec = deref_dict(&doc, &spec)
            .map_err(|e| fail(format!("an embedded file's specification: {e}")))?;
        let attachment = file_spec(&doc, spec).map_err(fail)?;
        if seen.insert((attachment.name.clone(), attachment.bytes.clone())) {
            out.push(attachment);
        }
    }
    Ok(out)
}

/// Collects the file specifications of a name tree node (`/Names [name spec …]`, `/Kids`).
fn name_tree(
    doc: &Document,
    node: &Dictionary,
    depth: usize,
    out: &mut Vec<Object>,
) -> Result<(), String> {
    if depth > MAX_TREE_DEPTH {
        return Err(format!(
            "the embedded-file tree nests deeper than {MAX_TREE_DEPTH} levels"
        ));
    }
    if let Some(names) = node
        .get(b"Names")
        .ok()
        .and_then(|o| deref(doc, o).ok())
        .and_then(|o| o.as_array().ok())
    {
        // Pairs of (name, file specification).
        for pair in names.chunks(2) {
            if let [_, spec] = pair {
                if out.len() >= MAX_FILES {
                    return Err(format!("more than {MAX_FILES} embedded files"));
                }
                out.push(spec.clone());
            }
        }
    }
    if let Some(kids) = node
        .get(b"Kids")
        .ok()
        .and_then(|o| deref(doc, o).ok())
        .and_then(|o| o.as_array().ok())
    {
        for kid in kids {
            let kid =
                deref_dict(doc, kid).map_err(|e| format!("an embedded-file tree node: {e}"))?;
            name_tree(doc, kid, depth + 1, out)?;
        }
    }
    Ok(())
}

/// The file a specification embeds: its name (`/UF`, else `/F`) and its `/EF` stream.
fn file_spec(doc: &Document, spec: &Dictionary) -> Result<Attachment, String> {
    let raw_name = [b"UF".as_slice(), b"F".as_slice()]
        .iter()
        .find_map(|k| spec.get(k).ok().and_then(|o| deref(doc, o).ok()))
        .and_then(|o| o.as_str().ok())
        .map(pdf_text)
        .ok_or("an embedded file without a name")?;
    let name = plain_file_name(&raw_name)
        .ok_or_else(|| format!("an embedded file named `{raw_name}` has no usable file name"))?;
    let ef = spec
        .get(b"EF")
        .map_err(|_| format!("`{name}`: the specification embeds no file (/EF)"))
        .and_then(|o| deref_dict(doc, o).map_err(|e| format!("`{name}`: {e}")))?;
    let stream = [b"UF".as_slice(), b"F".as_slice()]
        .iter()
        .find_map(|k| ef.get(k).ok())
        .ok_or_else(|| format!("`{name}`: /EF names no stream"))
        .and_then(|o| deref(doc, o).map_err(|e| format!("`{name}`: {e}")))?
        .as_stream()
        .map_err(|_| format!("`{name}`: /EF is not a stream"))?;
    let bytes = inflate(stream, &name)?;
    Ok(Attachment { name, bytes })
}

/// The content of an embedded file's stream, inflated up to [`MAX_FILE_BYTES`].
fn inflate(stream: &lopdf::Stream, name: &str) -> Result<Vec<u8>, String> {
    let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter") {
        Err(_) => Vec::new(),
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .map(|f| {
                f.as_name()
                    .map(<[u8]>::to_vec)
                    .map_err(|_| format!("`{name}`: a filter is not a name"))
            })
            .collect::<Result<_, _>>()?,
        Ok(_) => return Err(format!("`{name}`: unreadable /Filter")),
    };
    let too_big = || format!("`{name}`: larger than {MAX_FILE_BYTES} bytes");
    match filters.as_slice() {
        [] => {
            if stream.content.len() as u64 > MAX_FILE_BYTES {
                return Err(too_big());
            }
            Ok(stream.content.clone())
        }
        [f] if f == b"FlateDecode" => {
            if stream.dict.get(b"DecodeParms").is_ok() {
                return Err(format!(
                    "`{name}`: a predictor on an embedded file's stream is not supported"
                ));
            }
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(stream.content.as_slice())
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("`{name}`: broken compressed stream: {e}"))?;
            if out.len() as u64 > MAX_FILE_BYTES {
                return Err(too_big());
            }
            Ok(out)
        }
        other => Err(format!(
            "`{name}`: stream filter {} is not supported for embedded files (FlateDecode is)",
            other
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, UTF-8 with one, else PDFDocEncoding
/// (read as Latin-1, which it matches for file names' characters).
fn pdf_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The last component of `name` (either slash), if it is a usable file name: no control
/// characters, not `.`/`..`, at most 200 characters.
pub fn plain_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next()?.trim();
    let ok = !last.is_empty()
        && last != "."
        && last != ".."
        && last.chars().count() <= 200
        && !last.chars().any(|c| c.is_control() || c == ':');
    ok.then(|| last.to_owned())
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> Result<&'a Object, String> {
    doc.dereference(object)
        .map(|(_, o)| o)
        .map_err(|e| format!("a broken reference: {e}"))
}

fn deref_dict<'a>(doc: &'a Document, object: &'a Object) -> Result<&'a Dictionary, String> {
    deref(doc, object)?
        .as_dict()
        .map_err(|_| "a dictionary was expected".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn names_are_reduced_to_plain_file_names() {
        assert_eq!(
            plain_file_name("a/b/Service.wsdl").as_deref(),
            Some("Service.wsdl")
        );
        assert_eq!(
            plain_file_name("..\\..\\evil.xsd").as_deref(),
            Some("evil.xsd")
        );
        assert_eq!(plain_file_name("../.."), None);
        assert_eq!(plain_file_name("C:evil"), None);
        assert_eq!(plain_file_name("a\nb"), None);
        assert_eq!(pdf_text(&[0xFE, 0xFF, 0, b'x', 0x01, 0x0D]), "xč");
    }

    /// A PDF whose one embedded file (`name`) has the stream `stream`.
    fn pdf_with(name: &str, stream: lopdf::Stream) -> Vec<u8> {
        use lopdf::{Document, Object, dictionary};
        let mut doc = Document::with_version("1.7");
        let file = doc.add_object(stream);
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(name),
            "EF" => dictionary! { "F" => file },
        });
        let tree = doc.add_object(dictionary! {
            "Names" => vec![Object::string_literal(name), spec.into()],
        });
        let pages =
            doc.add_object(dictionary! { "Type" => "Pages", "Kids" => vec![], "Count" => 0 });
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages,
            "Names" => dictionary! { "EmbeddedFiles" => tree },
        });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn an_inflation_bomb_stops_at_the_limit() {
        use std::io::Write as _;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..=(MAX_FILE_BYTES >> 20) {
            z.write_all(&zeros).unwrap();
        }
        let packed = z.finish().unwrap();
        assert!(packed.len() < 1 << 20, "{}", packed.len());
        let stream = lopdf::Stream::new(
            lopdf::dictionary! { "Type" => "EmbeddedFile", "Filter" => "FlateDecode" },
            packed,
        );
        let err = attachments(&pdf_with("bomb.xsd", stream), "bomb.pdf")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`bomb.xsd`: larger than"), "{err}");
        // An ordinary file in the same shape reads back.
        let stream = lopdf::Stream::new(
            lopdf::dictionary! { "Type" => "EmbeddedFile" },
            b"<x/>".to_vec(),
        );
        let files = attachments(&pdf_with("../x.xsd", stream), "x.pdf").unwrap();
        assert_eq!(
            files,
            [Attachment {
                name: "x.xsd".into(),
                bytes: b"<x/>".to_vec()
            }]
        );
    }

    #[test]
    fn a_non_pdf_is_a_clear_error() {
        let err = attachments(b"not a pdf", "x.pdf").unwrap_err().to_string();
        assert!(err.contains("not a readable PDF"), "{err}");
    }
}
