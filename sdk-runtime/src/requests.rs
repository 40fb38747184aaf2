//! Requests given as documents, sent through the typed call path.
//!
//! Every generated service module lists its operations in `REQUESTS`, beside `ANSWERS`: for
//! each, a function that reads a request written out as a document (SOAP: an envelope with the
//! body element and any header blocks the operation takes; REST: a JSON object of the
//! parameters and the body, see [`RestRequest`]) leniently into the operation's typed input,
//! then calls the operation through the generated client method exactly as a vendor's code
//! would: checked against the schema first, nothing sent when a value breaks a facet.
//!
//! A tool can so replay a captured or hand-written request against an endpoint, and the
//! family's audit drives every operation with values that break each schema facet and proves
//! nothing reaches the socket.
//!
//! ```
//! use sdk_runtime::requests::{RequestSender, Sent, Target};
//!
//! async fn send(senders: &[RequestSender], target: &Target, operation: &str, doc: &[u8]) -> Option<Sent> {
//!     let s = senders.iter().find(|s| s.operation() == operation)?;
//!     Some(s.send(target.clone(), bytes::Bytes::copy_from_slice(doc)).await)
//! }
//! # let _ = send;
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use url::Url;

use crate::answers::Spec;
use crate::error::SdkError;
use crate::soap::{Envelope, OperationSpec};
use crate::transport::HttpClient;
use crate::xml::{ElementName, ReadContext, ValidationError, XmlRead};

/// What a [`RequestSender`] returns.
pub type SendFuture = Pin<Box<dyn Future<Output = Sent> + Send>>;

/// Where requests go: a transport and the URL the generated client takes (SOAP: the
/// endpoint; REST: the base URL).
#[derive(Debug, Clone)]
pub struct Target {
    http: HttpClient,
    url: Url,
    #[cfg(feature = "rest")]
    credentials: Option<crate::rest::Credentials>,
}

impl Target {
    /// A target.
    pub fn new(http: HttpClient, url: Url) -> Self {
        Self {
            http,
            url,
            #[cfg(feature = "rest")]
            credentials: None,
        }
    }

    /// REST: the credentials the client is given for its security schemes.
    #[cfg(feature = "rest")]
    pub fn with_credentials(mut self, credentials: crate::rest::Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// REST: the credentials, if given.
    #[cfg(feature = "rest")]
    pub fn credentials(&self) -> Option<&crate::rest::Credentials> {
        self.credentials.as_ref()
    }

    /// The transport.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The endpoint (SOAP) or base URL (REST).
    pub fn url(&self) -> &Url {
        &self.url
    }
}

/// One operation's request path: its static description and a function reading a request
/// document and calling the operation with it.
#[derive(Clone, Copy)]
pub struct RequestSender {
    spec: Spec,
    send: fn(Target, Bytes) -> SendFuture,
}

impl fmt::Debug for RequestSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSender")
            .field("operation", &self.operation())
            .finish_non_exhaustive()
    }
}

impl RequestSender {
    /// The sender of a SOAP operation.
    pub const fn soap(spec: &'static OperationSpec, send: fn(Target, Bytes) -> SendFuture) -> Self {
        Self {
            spec: Spec::Soap(spec),
            send,
        }
    }

    /// The sender of a REST operation.
    #[cfg(feature = "rest")]
    pub const fn rest(
        spec: &'static crate::rest::OperationSpec,
        send: fn(Target, Bytes) -> SendFuture,
    ) -> Self {
        Self {
            spec: Spec::Rest(spec),
            send,
        }
    }

    /// The operation's name in the service description.
    pub fn operation(&self) -> &'static str {
        self.spec.name()
    }

    /// The operation's static description.
    pub fn spec(&self) -> Spec {
        self.spec
    }

    /// Reads `request` into the operation's input and calls the operation at `target`.
    pub fn send(&self, target: Target, request: Bytes) -> SendFuture {
        (self.send)(target, request)
    }
}

/// What became of a request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Sent {
    /// The document could not be read into the operation's input (it is not one of its
    /// requests, or a value is not even of its type); nothing was sent.
    Unreadable(String),
    /// The input was refused before anything was sent: these are the violations.
    Refused(ValidationError),
    /// The request was sent: `Ok` with an answer decoded into the output, `Err` with the
    /// call's error (a fault, an error status, a transport error, …).
    Called(Result<(), String>),
}

impl Sent {
    /// What a SOAP call's result says.
    pub fn soap<O, E: fmt::Display>(result: Result<crate::soap::Response<O>, SdkError<E>>) -> Self {
        match result {
            Ok(_) => Self::Called(Ok(())),
            Err(e) => Self::of_error(e),
        }
    }

    /// What a REST call's result says.
    #[cfg(feature = "rest")]
    pub fn rest<O, E: fmt::Display>(result: Result<crate::rest::Response<O>, SdkError<E>>) -> Self {
        match result {
            Ok(_) => Self::Called(Ok(())),
            Err(e) => Self::of_error(e),
        }
    }

    fn of_error<E: fmt::Display>(e: SdkError<E>) -> Self {
        match e {
            SdkError::InvalidInput(v) => Self::Refused(v),
            other => Self::Called(Err(other.to_string())),
        }
    }

    /// Whether the request was refused before sending.
    pub fn is_refused(&self) -> bool {
        matches!(self, Self::Refused(_))
    }
}

/// A SOAP request document: the envelope, parsed.
pub fn envelope(request: &[u8]) -> Result<Envelope, String> {
    Envelope::parse(request).map_err(|e| format!("not a SOAP envelope: {e}"))
}

/// Reads the body element of `op` from `envelope` leniently (as a server would), into `I`.
pub fn soap_body<I: XmlRead>(op: &OperationSpec, envelope: &Envelope) -> Result<I, String> {
    let mut cx = ReadContext::new();
    envelope
        .read_body(op.input, &mut cx)
        .map_err(|e| format!("body `{}`: {e}", op.input.local))
}

/// Reads the header block `name` from `envelope` leniently, into `H`.
pub fn soap_header<H: XmlRead>(envelope: &Envelope, name: ElementName) -> Result<H, String> {
    let element = envelope
        .header()
        .and_then(|h| h.child(name.ns, name.local))
        .ok_or_else(|| format!("no header block `{}`", name.local))?;
    let mut cx = ReadContext::new();
    crate::xml::read_named(element, name, &mut cx)
        .map_err(|e| format!("header `{}`: {e}", name.local))
}

/// A REST request document, read by [`rest_request`]: a JSON object of the operation's
/// parameters by their names in the description (`"params"`) and its body (`"body"`: JSON, or
/// a string for a body that is not JSON).
#[cfg(feature = "rest")]
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestRequest {
    /// Parameters by name.
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The body.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

/// Reads a [`RestRequest`] document.
#[cfg(feature = "rest")]
pub fn rest_request(request: &[u8]) -> Result<RestRequest, String> {
    serde_json::from_slice(request).map_err(|e| format!("not a REST request document: {e}"))
}

#[cfg(feature = "rest")]
impl RestRequest {
    /// The parameter `name` as `T`: `None` when absent (or `null`).
    pub fn param<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>, String> {
        match self.params.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => T::deserialize(v)
                .map(Some)
                .map_err(|e| format!("parameter `{name}`: {e}")),
        }
    }

    /// The required parameter `name` as `T`.
    pub fn required<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, String> {
        self.param(name)?
            .ok_or_else(|| format!("parameter `{name}` is missing"))
    }

    /// The JSON body as `T`: `None` when absent.
    pub fn json_body<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, String> {
        match &self.body {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => T::deserialize(v)
                .map(Some)
                .map_err(|e| format!("body: {e}")),
        }
    }

    /// A body that is not JSON, given as a string: its bytes.
    pub fn bytes_body(&self) -> Result<Option<Vec<u8>>, String> {
        match &self.body {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone().into_bytes())),
            Some(_) => Err("body: a body that is not JSON is given as a string".into()),
        }
    }
}
