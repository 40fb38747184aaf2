//! The call path shared by every generated SOAP operation.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use url::Url;

use super::envelope::{Envelope, HeaderBlock, SoapVersion, write_envelope};
use super::fault::SoapFault;
use crate::error::SdkError;
use crate::transport::HttpClient;
use crate::xml::{
    DecodeError, Diagnostic, ElementName, ReadContext, Validate, Validator, XmlRead, XmlWrite,
};

/// Where an operation's description comes from; shown in the generated docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provenance {
    /// Seen in a working public client talking to production.
    WireVerified,
    /// Matches an interface file the authority published.
    Published,
    /// Built from the authority's prose; names may differ from production.
    Reconstructed,
}

impl Provenance {
    /// The label used in specs and docs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WireVerified => "wire-verified",
            Self::Published => "published",
            Self::Reconstructed => "reconstructed",
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Static facts about one operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationSpec {
    /// Operation name as in the WSDL.
    pub name: &'static str,
    /// SOAP version of the binding.
    pub version: SoapVersion,
    /// `soapAction`, when the binding declares one.
    pub action: Option<&'static str>,
    /// Where the description of this operation comes from.
    pub provenance: Provenance,
    /// The element that carries the input in `soap:Body`.
    pub input: ElementName,
    /// The element that carries the output in `soap:Body`.
    pub output: ElementName,
}

impl OperationSpec {
    /// Describes an operation.
    pub const fn new(
        name: &'static str,
        version: SoapVersion,
        action: Option<&'static str>,
        provenance: Provenance,
        input: ElementName,
        output: ElementName,
    ) -> Self {
        Self {
            name,
            version,
            action,
            provenance,
            input,
            output,
        }
    }
}

/// Builds the operation's error from a fault: a typed fault when the detail matches one the
/// WSDL declares, otherwise the operation's `Unhandled` case.
pub trait FaultError: Sized {
    /// Classifies a fault.
    fn from_fault(fault: SoapFault) -> Self;

    /// The fault as received, whichever case it was classified as.
    fn fault(&self) -> &SoapFault;
}

/// A fault is its own simplest operation error (for operations, or tools, that need no typed
/// faults).
impl FaultError for SoapFault {
    fn from_fault(fault: SoapFault) -> Self {
        fault
    }

    fn fault(&self) -> &SoapFault {
        self
    }
}

/// A decoded answer with everything learnt on the way.
#[derive(Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded output.
    pub output: T,
    /// Deviations from the schema found while decoding (unknown elements etc.).
    pub diagnostics: Vec<Diagnostic>,
    /// HTTP status.
    pub status: u16,
    /// The response body as received.
    pub raw: Bytes,
    /// Time from sending the request to decoding the answer.
    pub elapsed: Duration,
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("output", &self.output)
            .field("diagnostics", &self.diagnostics)
            .field("status", &self.status)
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
}

/// Joins a service path onto a base URL, keeping any path prefix of the base
/// (`https://proxy.example/vzp` + `/B2BProxy/HttpProxy/X` = `https://proxy.example/vzp/B2BProxy/HttpProxy/X`).
pub fn endpoint_url(base: &Url, path: &str) -> Result<Url, url::ParseError> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    base.join(path.trim_start_matches('/'))
}

/// An answer as received, not yet decoded ([`SoapClient::post`]).
#[derive(Debug, Clone)]
pub struct RawAnswer {
    status: u16,
    body: Bytes,
    started: Instant,
}

impl RawAnswer {
    /// HTTP status (SOAP 1.1 faults come with 500).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Whether the status is 2xx (an answer rather than a fault or an HTTP error).
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A SOAP endpoint reached over an [`HttpClient`].
#[derive(Debug, Clone)]
pub struct SoapClient {
    http: HttpClient,
    endpoint: Url,
}

impl SoapClient {
    /// A client for one endpoint.
    pub fn new(http: HttpClient, endpoint: Url) -> Self {
        Self { http, endpoint }
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// Calls an operation: validates the input, sends the envelope, decodes the answer.
    pub async fn call<I, O, E>(
        &self,
        op: &OperationSpec,
        input: &I,
    ) -> Result<Response<O>, SdkError<E>>
    where
        I: XmlWrite + Validate,
        O: XmlRead,
        E: FaultError,
    {
        self.call_with_headers(op, &[], input).await
    }

    /// Like [`call`](Self::call), with SOAP header blocks (validated too).
    pub async fn call_with_headers<I, O, E>(
        &self,
        op: &OperationSpec,
        headers: &[(ElementName, &dyn HeaderBlock)],
        input: &I,
    ) -> Result<Response<O>, SdkError<E>>
    where
        I: XmlWrite + Validate,
        O: XmlRead,
        E: FaultError,
    {
        let envelope = checked_envelope(op, headers, input)?;
        self.send(op, envelope.into_bytes()).await
    }

    /// Like [`call_with_headers`](Self::call_with_headers) for an answer read as it arrives:
    /// returns once a successful status and the headers are in, and
    /// [`StreamedAnswer::records`](super::StreamedAnswer::records) then decodes its records one at a time, so that an answer
    /// of any size is read in bounded memory. A fault or an HTTP error status is read whole
    /// (within the client's answer-size limit) and returned as the error, as by `call`.
    ///
    /// WS-Security signatures on the answer are not checked on this path (the body is not
    /// held to be checked); a client that requires signed answers reads them whole.
    pub async fn call_streaming<I, E>(
        &self,
        op: &OperationSpec,
        headers: &[(ElementName, &dyn HeaderBlock)],
        input: &I,
    ) -> Result<super::StreamedAnswer, SdkError<E>>
    where
        I: XmlWrite + Validate,
        E: FaultError,
    {
        let envelope = checked_envelope(op, headers, input)?;
        self.send_streaming(op, envelope.into_bytes()).await
    }

    /// [`call_streaming`](Self::call_streaming) for an already written (e.g. signed) envelope.
    pub async fn send_streaming<E: FaultError>(
        &self,
        op: &OperationSpec,
        envelope: Vec<u8>,
    ) -> Result<super::StreamedAnswer, SdkError<E>> {
        let header_values = op.version.request_headers(op.action);
        let http_headers = header_pairs(&header_values);
        let started = Instant::now();
        tracing::debug!(operation = op.name, endpoint = %self.endpoint, bytes = envelope.len(), "sending SOAP request, answer streamed");
        let response = self
            .http
            .post_streaming(&self.endpoint, &http_headers, envelope)
            .await
            .map_err(SdkError::from)?;
        if (200..300).contains(&response.status) {
            return Ok(super::StreamedAnswer::new(
                response,
                op.name,
                started,
                *self.http.xml_limits(),
            ));
        }
        let whole = response.read_all().await.map_err(SdkError::from)?;
        if whole.status == 503 || whole.status == 429 {
            return Err(SdkError::rate_limited(&whole));
        }
        let answer = RawAnswer {
            status: whole.status,
            body: whole.body.clone(),
            started,
        };
        match self.decode::<NoOutput, E>(op, answer) {
            Err(e) => Err(e),
            Ok(_) => Err(SdkError::Http {
                status: whole.status,
                raw: whole.body,
            }),
        }
    }

    /// Sends an already written envelope and decodes the answer ([`post`](Self::post), then
    /// [`decode`](Self::decode)).
    pub async fn send<O, E>(
        &self,
        op: &OperationSpec,
        envelope: Vec<u8>,
    ) -> Result<Response<O>, SdkError<E>>
    where
        O: XmlRead,
        E: FaultError,
    {
        let answer = self.post(op, envelope).await?;
        self.decode(op, answer)
    }

    /// Sends an already written envelope and returns the answer undecoded, for a caller that
    /// must check the bytes first (a WS-Security signature) before anything reads them. HTTP
    /// 503 and 429 are already [`SdkError::RateLimited`].
    pub async fn post<E>(
        &self,
        op: &OperationSpec,
        envelope: Vec<u8>,
    ) -> Result<RawAnswer, SdkError<E>> {
        let header_values = op.version.request_headers(op.action);
        let headers = header_pairs(&header_values);
        let started = Instant::now();
        tracing::debug!(operation = op.name, endpoint = %self.endpoint, bytes = envelope.len(), "sending SOAP request");
        let response = self
            .http
            .post(&self.endpoint, &headers, envelope)
            .await
            .map_err(SdkError::from)?;
        tracing::debug!(
            operation = op.name,
            status = response.status,
            bytes = response.body.len(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "received SOAP response"
        );
        if response.status == 503 || response.status == 429 {
            return Err(SdkError::rate_limited(&response));
        }
        Ok(RawAnswer {
            status: response.status,
            body: response.body,
            started,
        })
    }

    /// Decodes an answer [`post`](Self::post) returned: the output, or the fault as `E`.
    pub fn decode<O, E>(
        &self,
        op: &OperationSpec,
        answer: RawAnswer,
    ) -> Result<Response<O>, SdkError<E>>
    where
        O: XmlRead,
        E: FaultError,
    {
        decode_at(
            op,
            answer.status,
            answer.body,
            answer.started,
            self.http.xml_limits(),
        )
    }
}

/// Decodes an answer of `op` (its HTTP status and body, as received or saved) exactly as
/// [`SoapClient::decode`] would, within the default [`Limits`](crate::xml::Limits): the output read leniently with its diagnostics, a SOAP fault as
/// `E`, anything else as the call's error (a call reports HTTP 429 and 503 as rate limiting
/// before decoding). The response's `elapsed` is the decoding time.
pub fn decode_answer<O, E>(
    op: &OperationSpec,
    status: u16,
    raw: Bytes,
) -> Result<Response<O>, SdkError<E>>
where
    O: XmlRead,
    E: FaultError,
{
    decode_at(
        op,
        status,
        raw,
        Instant::now(),
        &crate::xml::Limits::DEFAULT,
    )
}

fn decode_at<O, E>(
    op: &OperationSpec,
    status: u16,
    raw: Bytes,
    started: Instant,
    limits: &crate::xml::Limits,
) -> Result<Response<O>, SdkError<E>>
where
    O: XmlRead,
    E: FaultError,
{
    let one_way = op.output.local.is_empty();
    if one_way && (200..300).contains(&status) && raw.iter().all(u8::is_ascii_whitespace) {
        // A one-way operation: an empty 200/202 answer is the expected outcome.
        let mut cx = ReadContext::new();
        let empty = crate::xml::Document::from_element(&crate::xml::Element::new("", ""));
        let output = O::read_xml(empty.root(), &mut cx).map_err(|error| SdkError::Decode {
            error,
            status,
            raw: raw.clone(),
        })?;
        return Ok(Response {
            output,
            diagnostics: Vec::new(),
            status,
            raw,
            elapsed: started.elapsed(),
        });
    }
    let envelope = match Envelope::parse_with(&raw, limits) {
        Ok(env) => env,
        Err(error) if (200..300).contains(&status) => {
            return Err(SdkError::Decode { error, status, raw });
        }
        Err(_) => return Err(SdkError::Http { status, raw }),
    };
    if let Some(fault) = SoapFault::from_envelope(&envelope, status, raw.clone()) {
        tracing::debug!(operation = op.name, code = %fault.code, "SOAP fault");
        return Err(SdkError::Service(E::from_fault(fault)));
    }
    if !(200..300).contains(&status) {
        return Err(SdkError::Http { status, raw });
    }
    let mut cx = ReadContext::new();
    let empty = crate::xml::Document::from_element(&crate::xml::Element::new("", ""));
    let output = if one_way {
        O::read_xml(empty.root(), &mut cx)
    } else {
        envelope.read_body::<O>(op.output, &mut cx)
    };
    let output = output.map_err(|error| SdkError::Decode {
        error,
        status,
        raw: raw.clone(),
    })?;
    let diagnostics = cx.into_diagnostics();
    for d in &diagnostics {
        // Paths and kinds only: messages never carry values, but stay out of logs anyway.
        tracing::warn!(operation = op.name, path = %d.path, kind = ?d.kind, "response deviates from the schema");
    }
    Ok(Response {
        output,
        diagnostics,
        status,
        raw,
        elapsed: started.elapsed(),
    })
}

/// Validates the header blocks and the input (nothing invalid is written), then writes the
/// request envelope.
fn checked_envelope<I: XmlWrite + Validate, E>(
    op: &OperationSpec,
    headers: &[(ElementName, &dyn HeaderBlock)],
    input: &I,
) -> Result<String, SdkError<E>> {
    let mut v = Validator::new();
    for (_, h) in headers {
        h.validate(&mut v);
    }
    input.validate(&mut v);
    v.finish().map_err(SdkError::InvalidInput)?;
    Ok(write_envelope(op.version, headers, op.input, input))
}

/// HTTP headers as the transport takes them.
fn header_pairs<'a>(values: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    values.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The output of a one-way operation (no response message): an empty answer, or an envelope
/// with an empty body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NoOutput;

/// The output element name of a one-way operation.
pub const NO_OUTPUT: ElementName = ElementName::new("", "");

impl XmlRead for NoOutput {
    fn read_xml(_: crate::xml::ElementRef<'_>, _: &mut ReadContext) -> Result<Self, DecodeError> {
        Ok(Self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn endpoint_paths_keep_base_prefixes() {
        let p = "/B2BProxy/HttpProxy/PrubehPojisteniDruhB2B";
        let a = endpoint_url(&Url::parse("https://prod.b2b.vzp.cz").unwrap(), p).unwrap();
        assert_eq!(
            a.as_str(),
            "https://prod.b2b.vzp.cz/B2BProxy/HttpProxy/PrubehPojisteniDruhB2B"
        );
        let b = endpoint_url(&Url::parse("https://proxy.example/vzp").unwrap(), p).unwrap();
        assert_eq!(
            b.as_str(),
            "https://proxy.example/vzp/B2BProxy/HttpProxy/PrubehPojisteniDruhB2B"
        );
    }
}
