//! The call path shared by every generated REST operation.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use url::Url;

use super::request::Request;
use super::security::{Applied, Credentials, SecurityScheme, apply};
use crate::error::SdkError;
use crate::transport::HttpClient;
use crate::xml::{DecodeError, DecodeErrorKind, ReadContext, ValidationError, ViolationKind};

/// The error of a REST operation. Every answer the service description documents — error
/// statuses included — is a variant of the operation's response enum, so there is no service
/// error type: `SdkError::Service` cannot occur.
pub type Error = SdkError<std::convert::Infallible>;

/// The operation's response enum: one variant per documented status.
pub trait DecodeResponse: Sized {
    /// Whether the description documents `status` (by itself, by a range such as `5XX`, or by
    /// `default`). An undocumented 429 or 503 becomes
    /// [`SdkError::RateLimited`](crate::SdkError::RateLimited).
    fn documents(status: u16) -> bool;

    /// Decodes the body of a response with `status`.
    fn decode(status: u16, body: &Bytes) -> Result<Self, DecodeError>;
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
    /// The decoded response: the operation's response enum.
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
    fn authenticate(&self, request: &Request) -> Result<Vec<Applied>, Error> {
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
    /// the answer by status.
    pub async fn call<R: DecodeResponse>(
        &self,
        mut request: Request,
    ) -> Result<Response<R>, Error> {
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
        if (status == 429 || status == 503) && !R::documents(status) {
            return Err(SdkError::rate_limited(&response));
        }
        let output = R::decode(status, &raw).map_err(|error| SdkError::Decode {
            error,
            status,
            raw: raw.clone(),
        })?;
        Ok(Response {
            output,
            status,
            headers: response.headers,
            raw,
            elapsed: started.elapsed(),
        })
    }
}
