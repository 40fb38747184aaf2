//! Building one request: path, query, header and cookie parameters, and the body.
//!
//! Parameter values go through serde (`serde_json::Value`), so every generated type that
//! serializes to a scalar — strings, numbers, booleans, generated enums — is a valid parameter:
//! scalars are written as their text, arrays as repeated query parameters (`explode`, the OpenAPI
//! default for `form` style) or comma-separated lists, objects as JSON text. An absent optional
//! parameter (`None`) is left out.

use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::security::SecurityRequirement;
use crate::xml::{ValidationError, Validator, ViolationKind};

/// Static facts about one operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationSpec {
    /// `operationId`, or `METHOD /path` when the description has none.
    pub name: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template relative to the base URL, e.g. `/pets/{petId}`.
    pub path: &'static str,
    /// Alternatives of the operation's `security` requirement; empty for none.
    pub security: &'static [SecurityRequirement],
    /// Where the operation's description comes from.
    pub provenance: crate::Provenance,
}

impl OperationSpec {
    /// Describes an operation.
    pub const fn new(
        name: &'static str,
        method: &'static str,
        path: &'static str,
        security: &'static [SecurityRequirement],
        provenance: crate::Provenance,
    ) -> Self {
        Self {
            name,
            method,
            path,
            security,
            provenance,
        }
    }
}

/// The body of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Body {
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
}

/// One request being built by a generated operation. Problems with parameter values are
/// collected and reported together by [`RestClient::call`](super::RestClient::call) as
/// [`SdkError::InvalidInput`](crate::SdkError::InvalidInput) before anything is sent.
#[derive(Debug)]
pub struct Request {
    pub(crate) op: &'static OperationSpec,
    path_params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) body: Option<Body>,
    problems: Validator,
}

impl Request {
    /// A request for `op` with no parameters yet.
    pub fn new(op: &'static OperationSpec) -> Self {
        Self {
            op,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            problems: Validator::new(),
        }
    }

    /// Fills `{name}` in the path template (`simple` style: arrays comma-separated). An empty
    /// value is refused: it would address another resource.
    pub fn path<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> &mut Self {
        if let Some(texts) = self.texts(name, value) {
            let text = texts.join(",");
            if text.is_empty() {
                self.problems.field(name, |v| {
                    v.violation(ViolationKind::Required, "a path parameter cannot be empty");
                });
            }
            self.path_params.push((name, text));
        }
        self
    }

    /// Adds a query parameter (`form` style). With `explode` an array becomes one parameter per
    /// item, without it one comma-separated parameter.
    pub fn query<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        explode: bool,
    ) -> &mut Self {
        if let Some(texts) = self.texts(name, value) {
            if explode {
                for t in texts {
                    self.query.push((name.to_owned(), t));
                }
            } else if !texts.is_empty() {
                self.query.push((name.to_owned(), texts.join(",")));
            }
        }
        self
    }

    /// Adds a header parameter (`simple` style).
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> &mut Self {
        if let Some(texts) = self.texts(name, value)
            && !texts.is_empty()
        {
            self.headers.push((name.to_owned(), texts.join(",")));
        }
        self
    }

    /// Adds a cookie parameter.
    pub fn cookie<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> &mut Self {
        if let Some(texts) = self.texts(name, value)
            && !texts.is_empty()
        {
            self.cookies.push((name.to_owned(), texts.join(",")));
        }
        self
    }

    /// Sets a JSON body with the given content type (`application/json` or a `+json` type).
    pub fn json<T: Serialize + ?Sized>(&mut self, content_type: &str, value: &T) -> &mut Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.raw_body(content_type, bytes),
            Err(e) => {
                self.problems.field("body", |v| {
                    v.violation(
                        ViolationKind::Format,
                        format!("cannot be written as JSON: {e}"),
                    );
                });
                self
            }
        }
    }

    /// Sets an `application/x-www-form-urlencoded` body from `(name, value)` fields; values go
    /// through the same conversion as query parameters (arrays repeat the field).
    pub fn form(&mut self, form: Form) -> &mut Self {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &form.fields {
            s.append_pair(k, v);
        }
        for e in form.problems {
            self.problems.extend(e);
        }
        let body = s.finish().into_bytes();
        self.raw_body("application/x-www-form-urlencoded", body)
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(&mut self, form: Multipart) -> &mut Self {
        for e in form.problems.clone() {
            self.problems.extend(e);
        }
        let (content_type, bytes) = form.encode();
        self.raw_body(&content_type, bytes)
    }

    /// Sets a body as bytes with its content type.
    pub fn raw_body(&mut self, content_type: &str, bytes: Vec<u8>) -> &mut Self {
        self.body = Some(Body {
            content_type: content_type.to_owned(),
            bytes,
        });
        self
    }

    /// Records a problem found by generated checks (e.g. a length or range facet).
    pub fn problems(&mut self) -> &mut Validator {
        &mut self.problems
    }

    fn texts<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Option<Vec<String>> {
        match param_texts(value) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problems
                    .field(name, |v| v.violation(ViolationKind::Format, e));
                None
            }
        }
    }

    /// The problems found, if any.
    pub(crate) fn take_problems(&mut self) -> Result<(), ValidationError> {
        std::mem::take(&mut self.problems).finish()
    }

    /// `base` + the filled path template + the query.
    pub(crate) fn url(&self, base: &Url) -> Result<Url, String> {
        let mut url = base.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| format!("{base} cannot be a base URL"))?;
            segments.pop_if_empty();
            for segment in self.op.path.split('/').filter(|s| !s.is_empty()) {
                segments.push(&fill(segment, &self.path_params)?);
            }
        }
        if !self.query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in &self.query {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }
}

/// Replaces every `{name}` in one path segment.
fn fill(segment: &str, params: &[(&'static str, String)]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = segment;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in path segment `{segment}`"))?;
        let name = &after[..end];
        let value = params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| format!("path parameter `{name}` was not given"))?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The texts of a parameter value; empty for `null`/`None`.
pub fn param_texts<T: Serialize + ?Sized>(value: &T) -> Result<Vec<String>, String> {
    let value = serde_json::to_value(value).map_err(|e| format!("cannot be written: {e}"))?;
    Ok(match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .into_iter()
            .filter(|v| !v.is_null())
            .map(scalar_text)
            .collect(),
        other => vec![scalar_text(other)],
    })
}

fn scalar_text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // Objects and nested arrays have no standard text form; JSON is the least surprising.
        other => other.to_string(),
    }
}

/// Fields of an `application/x-www-form-urlencoded` body.
#[derive(Debug, Default)]
pub struct Form {
    fields: Vec<(String, String)>,
    problems: Vec<ValidationError>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field (arrays repeat it; `None` leaves it out).
    pub fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        match param_texts(value) {
            Ok(texts) => {
                for t in texts {
                    self.fields.push((name.to_owned(), t));
                }
            }
            Err(e) => self
                .problems
                .push(ValidationError::single(name, ViolationKind::Format, e)),
        }
        self
    }
}

/// Parts of a `multipart/form-data` body.
#[derive(Debug, Clone, Default)]
pub struct Multipart {
    parts: Vec<Part>,
    problems: Vec<ValidationError>,
}

#[derive(Debug, Clone)]
struct Part {
    name: String,
    content_type: Option<String>,
    filename: Option<String>,
    bytes: Vec<u8>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text part (scalars as text, arrays as one part per item; `None` leaves it out).
    pub fn text<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        match param_texts(value) {
            Ok(texts) => {
                for t in texts {
                    self.parts.push(Part {
                        name: name.to_owned(),
                        content_type: None,
                        filename: None,
                        bytes: t.into_bytes(),
                    });
                }
            }
            Err(e) => self
                .problems
                .push(ValidationError::single(name, ViolationKind::Format, e)),
        }
        self
    }

    /// Adds a JSON part (`Content-Type: application/json`).
    pub fn json<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => {
                self.parts.push(Part {
                    name: name.to_owned(),
                    content_type: Some("application/json".to_owned()),
                    filename: None,
                    bytes,
                });
            }
            Err(e) => self.problems.push(ValidationError::single(
                name,
                ViolationKind::Format,
                format!("cannot be written as JSON: {e}"),
            )),
        }
        self
    }

    /// Adds a binary part (a file), sent with a file name as browsers do.
    pub fn bytes(&mut self, name: &str, content_type: &str, bytes: &[u8]) -> &mut Self {
        self.parts.push(Part {
            name: name.to_owned(),
            content_type: Some(content_type.to_owned()),
            filename: Some(name.to_owned()),
            bytes: bytes.to_vec(),
        });
        self
    }

    /// The content type (with its boundary) and the encoded body.
    fn encode(&self) -> (String, Vec<u8>) {
        // A boundary that occurs in no part; the counter makes the search terminate.
        let mut n: u64 = 0x5eed_b2b5_d4c0_0000;
        let boundary = loop {
            let candidate = format!("b2b-sdk-boundary-{n:016x}");
            if !self
                .parts
                .iter()
                .any(|p| contains(&p.bytes, candidate.as_bytes()))
            {
                break candidate;
            }
            n = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
        };
        let mut out = Vec::new();
        for p in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let name = p.name.replace('"', "%22");
            match &p.filename {
                Some(f) => out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n",
                        f.replace('"', "%22")
                    )
                    .as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
                ),
            }
            if let Some(ct) = &p.content_type {
                out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&p.bytes);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), out)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    static OP: OperationSpec = OperationSpec::new(
        "getThing",
        "GET",
        "/things/{id}/parts/{part}.json",
        &[],
        crate::Provenance::Published,
    );

    #[test]
    fn paths_are_filled_and_encoded_and_queries_exploded() {
        let mut r = Request::new(&OP);
        r.path("id", "a/b c")
            .path("part", &7)
            .query("tag", &["x", "y"], true)
            .query("ids", &[1, 2], false);
        r.query("absent", &Option::<u8>::None, true);
        let base = Url::parse("https://h.example/api/v1/").unwrap();
        assert_eq!(
            r.url(&base).unwrap().as_str(),
            "https://h.example/api/v1/things/a%2Fb%20c/parts/7.json?tag=x&tag=y&ids=1%2C2"
        );
        assert!(r.take_problems().is_ok());
    }

    #[test]
    fn an_empty_path_parameter_is_refused() {
        let mut r = Request::new(&OP);
        r.path("id", "").path("part", "p");
        let err = r.take_problems().unwrap_err();
        assert_eq!(err.violations[0].field, "id");
    }

    #[test]
    fn multipart_parts_are_delimited() {
        let mut m = Multipart::new();
        m.text("a", "1")
            .bytes("f", "application/octet-stream", b"\x00\x01");
        let (ct, body) = m.encode();
        let boundary = ct.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"a\"\r\n\r\n1\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }
}
