//! The call path shared by every generated REST operation.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use url::Url;

use super::request::{OperationSpec, Request};
use super::security::{Applied, Credentials, SecurityScheme, apply};
use crate::error::SdkError;
use crate::transport::HttpClient;
use crate::xml::{DecodeError, DecodeErrorKind, ReadContext, ValidationError, ViolationKind};

/// One generated REST operation: its static description, its output and its error type.
pub trait RestOperation {
    /// What a success answer decodes to.
    type Output;
    /// The operation's `Error` enum (typed error statuses and `Unhandled`).
    type Error: OperationError;

    /// The operation's static description.
    fn spec() -> &'static OperationSpec;

    /// Decodes a success (2xx) answer; `None` when the description does not document `status`.
    fn decode_output(status: u16, body: &Bytes) -> Option<Result<Self::Output, DecodeError>>;
}

/// The `Error` enum of a generated REST operation (written by `rest_operation_error!`): one
/// variant per error status the description documents, with its decoded body, and
/// `Unhandled` for any other status, keeping status and raw body.
pub trait OperationError: Sized {
    /// Whether the description documents `status` (by itself, by a range such as `5XX`, or by
    /// `default`). An undocumented 429 or 503 becomes
    /// [`SdkError::RateLimited`](crate::SdkError::RateLimited).
    fn documents(status: u16) -> bool;

    /// The error for an answer with `status` and body `raw`: the documented variant when the
    /// body decodes as the description says, `Unhandled` otherwise.
    fn from_response(status: u16, raw: Bytes) -> Self;
}

/// The body of an answer the description documents without content (ignored; it stays in the
/// response's `raw`).
pub fn empty(_body: &[u8]) -> Result<(), DecodeError> {
    Ok(())
}

/// The body of an answer of a media type other than JSON and text, as received.
pub fn bytes(body: &[u8]) -> Result<Bytes, DecodeError> {
    Ok(Bytes::copy_from_slice(body))
}

/// At most 300 characters of a body as text on one line, for error messages.
pub fn body_excerpt(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out.trim().to_owned()
}

/// Decodes a JSON body.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(body).map_err(|e| {
        let kind = if e.is_syntax() || e.is_eof() {
            DecodeErrorKind::Malformed
        } else {
            DecodeErrorKind::InvalidValue
        };
        ReadContext::new().error(kind, format!("JSON body: {e}"))
    })
}

/// Decodes a text body (UTF-8).
pub fn text(body: &[u8]) -> Result<String, DecodeError> {
    String::from_utf8(body.to_vec()).map_err(|e| {
        ReadContext::new().error(
            DecodeErrorKind::Malformed,
            format!("text body is not UTF-8: {e}"),
        )
    })
}

/// A decoded answer.
#[derive(Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded output.
    pub output: T,
    /// HTTP status.
    pub status: u16,
    /// Response headers in received order; names in lower case.
    pub headers: Vec<(String, String)>,
    /// The response body as received.
    pub raw: Bytes,
    /// Time from sending the request to decoding the answer.
    pub elapsed: Duration,
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("output", &self.output)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("raw_len", &self.raw.len())
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

impl<T> Response<T> {
    /// The decoded output alone.
    pub fn into_output(self) -> T {
        self.output
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A REST API reached over an [`HttpClient`], with the credentials for its security schemes.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: HttpClient,
    base: Url,
    schemes: &'static [(&'static str, SecurityScheme)],
    credentials: Credentials,
}

impl RestClient {
    /// A client for the API at `base` (the server URL; operation paths are appended) whose
    /// description declares `schemes`.
    pub fn new(
        http: HttpClient,
        base: Url,
        schemes: &'static [(&'static str, SecurityScheme)],
    ) -> Self {
        Self {
            http,
            base,
            schemes,
            credentials: Credentials::new(),
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The credentials in use.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Replaces the credentials.
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.credentials = credentials;
    }

    /// Picks the first alternative of the operation's security requirement the credentials
    /// satisfy (alternatives that need nothing last, so that given credentials are used).
    fn authenticate<E>(&self, request: &Request) -> Result<Vec<Applied>, SdkError<E>> {
        let op = request.op;
        if op.security.is_empty() {
            return Ok(Vec::new());
        }
        let has_identity = self.http.has_identity();
        let mut anonymous_allowed = false;
        for alternative in op.security {
            if alternative.schemes.is_empty() {
                anonymous_allowed = true;
                continue;
            }
            let applied: Option<Vec<Applied>> = alternative
                .schemes
                .iter()
                .map(|(name, _scopes)| {
                    let scheme = self.schemes.iter().find(|(n, _)| n == name)?;
                    apply(&scheme.1, self.credentials.get(name), has_identity)
                })
                .collect();
            if let Some(applied) = applied {
                return Ok(applied);
            }
        }
        if anonymous_allowed {
            return Ok(Vec::new());
        }
        let required = op
            .security
            .iter()
            .map(|alt| {
                alt.schemes
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect::<Vec<_>>()
            .join(" or ");
        Err(SdkError::MissingCredentials {
            operation: op.name,
            required,
        })
    }

    /// Calls an operation: checks the parameters and credentials, sends the request, decodes
    /// the answer by status: a success into the output, an error status into the operation's
    /// error.
    pub async fn call<O: RestOperation>(
        &self,
        mut request: Request,
    ) -> Result<Response<O::Output>, SdkError<O::Error>> {
        request.take_problems().map_err(SdkError::InvalidInput)?;
        let applied = self.authenticate(&request)?;
        for a in applied {
            match a {
                Applied::Header(n, v) => request.headers.push((n, v)),
                Applied::Query(n, v) => request.query.push((n, v)),
                Applied::Cookie(n, v) => request.cookies.push((n, v)),
                Applied::Nothing => {}
            }
        }
        let op = request.op;
        let url = request.url(&self.base).map_err(|message| {
            SdkError::InvalidInput(ValidationError::single(
                "path",
                ViolationKind::Format,
                message,
            ))
        })?;
        let mut headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let cookie = request
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie.is_empty() {
            headers.push(("cookie", &cookie));
        }
        let body = request.body.as_ref();
        if let Some(b) = body {
            headers.push(("content-type", &b.content_type));
        }
        let started = Instant::now();
        tracing::debug!(
            operation = op.name,
            method = op.method,
            path = op.path,
            "sending REST request"
        );
        let response = self
            .http
            .send(op.method, &url, &headers, body.map(|b| b.bytes.clone()))
            .await
            .map_err(SdkError::from)?;
        let status = response.status;
        let raw = response.body.clone();
        tracing::debug!(
            operation = op.name,
            status,
            bytes = raw.len(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "received REST response"
        );
        if (status == 429 || status == 503) && !O::Error::documents(status) {
            return Err(SdkError::rate_limited(&response));
        }
        decode_at::<O>(status, response.headers, raw, started)
    }
}

/// Decodes an answer of operation `O` (its HTTP status, headers and body, as received or saved)
/// exactly as [`RestClient::call`] would after the rate-limit check: a documented success into
/// the output, an error status into the operation's error. The response's `elapsed` is the
/// decoding time.
pub fn decode_answer<O: RestOperation>(
    status: u16,
    headers: Vec<(String, String)>,
    raw: Bytes,
) -> Result<Response<O::Output>, SdkError<O::Error>> {
    decode_at::<O>(status, headers, raw, Instant::now())
}

fn decode_at<O: RestOperation>(
    status: u16,
    headers: Vec<(String, String)>,
    raw: Bytes,
    started: Instant,
) -> Result<Response<O::Output>, SdkError<O::Error>> {
    if (200..300).contains(&status) {
        match O::decode_output(status, &raw) {
            Some(Ok(output)) => {
                return Ok(Response {
                    output,
                    status,
                    headers,
                    raw,
                    elapsed: started.elapsed(),
                });
            }
            Some(Err(error)) => return Err(SdkError::Decode { error, status, raw }),
            // A success status the description does not document: `Unhandled`.
            None => {}
        }
    }
    Err(SdkError::Service(O::Error::from_response(status, raw)))
}
