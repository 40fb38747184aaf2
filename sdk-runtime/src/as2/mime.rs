//! The MIME AS2 needs: an entity's headers (folded lines unfolded, parameters read), the exact
//! bytes of each part of a multipart body, transfer decodings, and entities written with CRLF.
//!
//! Written here rather than taken from a mail crate: S/MIME signatures and the MIC are computed
//! over the exact bytes of a part as it was sent (RFC 1847 §2.1), which mail parsers normalise
//! away; what AS2 uses of MIME is small.

use super::As2Error;

/// The most header lines an entity may have.
const MAX_HEADERS: usize = 200;
/// The largest header block (bytes).
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// An entity's headers, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// The first value of `name` (case-insensitive), trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// Adds a header.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.0.push((name.to_owned(), value.into()));
    }

    /// The media type of `Content-Type`, lower case (`application/pkcs7-mime`); `text/plain`
    /// when absent, as MIME says.
    pub fn media_type(&self) -> String {
        self.get("Content-Type")
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_else(|| "text/plain".to_owned())
    }

    /// A parameter of `Content-Type` (case-insensitive name, quotes removed).
    pub fn content_param(&self, name: &str) -> Option<String> {
        self.get("Content-Type").and_then(|v| param(v, name))
    }

    /// The headers written as `Name: value\r\n` lines.
    pub fn write(&self, out: &mut Vec<u8>) {
        for (k, v) in &self.0 {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// A parameter of a structured header value (`multipart/signed; micalg=sha-256; boundary="x"`).
pub fn param(value: &str, name: &str) -> Option<String> {
    let mut rest = value.split_once(';')?.1;
    loop {
        let (k, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (v, next) = if let Some(quoted) = after.strip_prefix('"') {
            // A quoted string, with backslash escapes.
            let mut v = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            v.push(e);
                        }
                    }
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => v.push(c),
                }
            }
            let next = end
                .and_then(|e| quoted.get(e..))
                .and_then(|t| t.split_once(';').map(|(_, n)| n));
            (v, next)
        } else {
            match after.split_once(';') {
                Some((v, n)) => (v.trim().to_owned(), Some(n)),
                None => (after.trim().to_owned(), None),
            }
        };
        if k.trim().eq_ignore_ascii_case(name) {
            return Some(v);
        }
        rest = next?;
    }
}

/// An entity split into its headers and the offset where its body starts. A body without a
/// header block (the entity starts with a blank line) has no headers.
pub fn split_entity(bytes: &[u8]) -> Result<(Headers, usize), As2Error> {
    let mut headers = Headers::default();
    let mut pos = 0;
    let mut current: Option<(String, String)> = None;
    loop {
        let line_end = bytes
            .get(pos..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map(|i| pos + i)
            .ok_or_else(|| As2Error::Mime("the entity's header block does not end".into()))?;
        if line_end > MAX_HEADER_BYTES {
            return Err(As2Error::Mime(format!(
                "a header block larger than {MAX_HEADER_BYTES} bytes"
            )));
        }
        let line = bytes.get(pos..line_end).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos = line_end + 1;
        if line.is_empty() {
            if let Some(h) = current.take() {
                headers.0.push(h);
            }
            return Ok((headers, pos));
        }
        let text = std::str::from_utf8(line)
            .map_err(|_| As2Error::Mime("a header line is not UTF-8".into()))?;
        if text.starts_with([' ', '\t']) {
            // A folded continuation.
            let Some((_, v)) = current.as_mut() else {
                return Err(As2Error::Mime(
                    "a continuation line before any header".into(),
                ));
            };
            v.push(' ');
            v.push_str(text.trim());
            continue;
        }
        if let Some(h) = current.take() {
            headers.0.push(h);
        }
        if headers.0.len() >= MAX_HEADERS {
            return Err(As2Error::Mime(format!("more than {MAX_HEADERS} headers")));
        }
        let (k, v) = text
            .split_once(':')
            .ok_or_else(|| As2Error::Mime(format!("a header line without a colon: {text:?}")))?;
        current = Some((k.trim().to_owned(), v.trim().to_owned()));
    }
}

/// The exact bytes of each body part of a multipart body with `boundary`: from after the
/// delimiter line to before the CRLF that precedes the next delimiter (RFC 2046 §5.1.1).
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, As2Error> {
    if boundary.is_empty() || boundary.len() > 200 {
        return Err(As2Error::Mime("an unusable multipart boundary".into()));
    }
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    // Delimiter lines: at the start of the body or after a line break.
    let mut starts = Vec::new();
    let mut i = 0;
    while let Some(found) = body
        .get(i..)
        .and_then(|rest| rest.windows(d.len()).position(|w| w == d))
    {
        let at = i + found;
        if at == 0 || body.get(at - 1) == Some(&b'\n') {
            starts.push(at);
        }
        i = at + d.len();
    }
    let mut out = Vec::new();
    let mut closed = false;
    for (n, &at) in starts.iter().enumerate() {
        let after = at + d.len();
        if body.get(after..after + 2) == Some(b"--".as_slice()) {
            closed = true;
            break;
        }
        // The rest of the delimiter line (transport padding) and its line break.
        let line_end = body
            .get(after..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map(|p| after + p + 1)
            .ok_or_else(|| As2Error::Mime("a delimiter line does not end".into()))?;
        let Some(&next) = starts.get(n + 1) else {
            break;
        };
        // The line break before the next delimiter belongs to the delimiter.
        let mut end = next;
        if end > line_end && body.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > line_end && body.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        out.push(body.get(line_end..end).unwrap_or_default());
    }
    if !closed {
        return Err(As2Error::Mime(format!(
            "the multipart body has no closing delimiter --{boundary}--"
        )));
    }
    Ok(out)
}

/// The body decoded by its `Content-Transfer-Encoding` (base64, or binary/7bit/8bit as is).
pub fn decode_body(headers: &Headers, body: &[u8]) -> Result<Vec<u8>, As2Error> {
    let encoding = headers
        .get("Content-Transfer-Encoding")
        .unwrap_or("binary")
        .to_ascii_lowercase();
    match encoding.as_str() {
        "base64" => {
            let compact: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|e| As2Error::Mime(format!("a base64 body does not decode: {e}")))
        }
        "binary" | "7bit" | "8bit" => Ok(body.to_vec()),
        other => Err(As2Error::Mime(format!(
            "Content-Transfer-Encoding {other} is not supported (base64, binary, 7bit, 8bit are)"
        ))),
    }
}

/// An entity: `headers`, a blank line, `body`.
pub fn entity(headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 256);
    headers.write(&mut out);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// `data` in base64, 76 characters a line, CRLF between lines.
pub fn base64_lines(data: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = Vec::with_capacity(text.len() + text.len() / 38 + 2);
    for (i, chunk) in text.as_bytes().chunks(76).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(chunk);
    }
    out
}

/// The headers of a binary `application/pkcs7-mime` entity (`smime_type` enveloped-data or
/// compressed-data, file `name`).
pub fn pkcs7_mime_headers(smime_type: &str, name: &str) -> Headers {
    let mut h = Headers::default();
    h.push(
        "Content-Type",
        format!("application/pkcs7-mime; smime-type={smime_type}; name=\"{name}\""),
    );
    h.push("Content-Transfer-Encoding", "binary");
    h.push(
        "Content-Disposition",
        format!("attachment; filename=\"{name}\""),
    );
    h
}

/// A `multipart/signed` body (RFC 1847) of `entity` and its detached `signature` (DER,
/// written base64): the `Content-Type` value and the body.
pub fn multipart_signed(
    entity: &[u8],
    signature: &[u8],
    micalg: super::Digest,
) -> (String, Vec<u8>) {
    let boundary = boundary("Signed");
    let mut body = Vec::with_capacity(entity.len() + signature.len() * 2 + 512);
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(entity);
    body.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        b"Content-Type: application/pkcs7-signature; name=\"smime.p7s\"; smime-type=signed-data\r\n\
          Content-Transfer-Encoding: base64\r\n\
          Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n",
    );
    body.extend_from_slice(&base64_lines(signature));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!(
        "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg={}; boundary=\"{boundary}\"",
        micalg.name()
    );
    (content_type, body)
}

/// A fresh multipart boundary.
pub fn boundary(kind: &str) -> String {
    format!("----=_{kind}_{}", super::random_hex(12))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn headers_unfold_and_parameters_unquote() {
        let raw = b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n\tmicalg=sha-256; boundary=\"a;b\\\"c\"\r\nAS2-From: \"My Org\"\r\n\r\nbody";
        let (h, at) = split_entity(raw).unwrap();
        assert_eq!(&raw[at..], b"body");
        assert_eq!(h.media_type(), "multipart/signed");
        assert_eq!(h.content_param("boundary").as_deref(), Some("a;b\"c"));
        assert_eq!(h.content_param("MICALG").as_deref(), Some("sha-256"));
        assert_eq!(
            h.content_param("protocol").as_deref(),
            Some("application/pkcs7-signature")
        );
        assert_eq!(h.get("as2-from"), Some("\"My Org\""));
        assert!(split_entity(b"Content-Type: x\r\n").is_err());
    }

    #[test]
    fn parts_keep_their_exact_bytes() {
        let body = b"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nline 1\r\nline 2\r\n--b \r\n\r\nsecond\n--b--\r\nepilogue";
        let p = parts(body, "b").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0], b"Content-Type: text/plain\r\n\r\nline 1\r\nline 2");
        assert_eq!(p[1], b"\r\nsecond");
        // A boundary inside a line is not a delimiter.
        let body = b"--b\r\nx --b y\r\n--b--";
        assert_eq!(parts(body, "b").unwrap(), [b"x --b y".as_slice()]);
        assert!(parts(b"--b\r\nunclosed", "b").is_err());
    }
}
