//! The seam for WS-Security: P1 requires every SOAP request to be signed (XML-DSig in a
//! `wsse:Security` header, X.509 token, RSA-SHA256, exclusive C14N; Body, the
//! `kontekstWywolania` header and `wsu:Timestamp` signed; ../shared/facts/p1.md §2). The client
//! writes the complete, schema-valid, unsigned envelope
//! ([`request_envelope`](crate::request_envelope)) and hands it to a [`RequestSigner`], whose
//! output is sent as is.
//!
//! The signer of this SDK family is [`WsSecuritySigner`](crate::wssec::WsSecuritySigner) with
//! [`SigningProfile::p1`](crate::wssec::SigningProfile::p1) (see [`wssec`](crate::wssec)): it
//! adds `wsu:Id` to `soap:Body` and `kontekstWywolania` (keeping one set with
//! [`KontekstWywolaniaBuilder::wsu_id`](crate::KontekstWywolaniaBuilder::wsu_id)), inserts
//! `wsse:Security` with a `wsu:Timestamp`, a `wsse:BinarySecurityToken` and the `ds:Signature`.
//! Any other implementation fits the seam too (a closure, an HSM, a signing proxy's client). The
//! signing key and certificate (P1's `…-wss.p12`) are the signer's; the TLS client certificate
//! (`…-tls.p12`) is the transport's ([`ClientBuilder::identity`](crate::ClientBuilder::identity)).
//!
//! Answers are verified only on request
//! ([`ClientBuilder::verify_responses`](crate::ClientBuilder::verify_responses));
//! [`Response::raw`](sdk_runtime::soap::Response::raw) keeps the bytes as received either way.

use std::fmt;

use sdk_runtime::soap::OperationSpec;

/// Signs an e-Recepta request envelope before it is sent.
///
/// Implemented for closures `Fn(&OperationSpec, Vec<u8>) -> Result<Vec<u8>, SigningError>`.
pub trait RequestSigner: Send + Sync {
    /// Gets the unsigned envelope of `operation` (UTF-8 XML: a SOAP 1.1 envelope whose
    /// `soap:Header` holds `kontekstWywolania` and whose `soap:Body` holds the request element)
    /// and returns the envelope to send.
    fn sign(&self, operation: &OperationSpec, envelope: Vec<u8>) -> Result<Vec<u8>, SigningError>;
}

impl<F> RequestSigner for F
where
    F: Fn(&OperationSpec, Vec<u8>) -> Result<Vec<u8>, SigningError> + Send + Sync,
{
    fn sign(&self, operation: &OperationSpec, envelope: Vec<u8>) -> Result<Vec<u8>, SigningError> {
        self(operation, envelope)
    }
}

/// The signer could not sign; nothing was sent.
#[derive(Debug)]
pub struct SigningError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl SigningError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error with a message and its cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SigningError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
