//! The error every operation returns.
//!
//! Shaped after smithy-rs' `SdkError`: what went wrong *around* the operation (bad input caught
//! before sending, transport, rate limiting, an undecodable answer) is a variant here; what the
//! service said went wrong is [`SdkError::Service`] holding the operation's own error enum, with
//! typed faults and an `Unhandled` case. Every variant that follows a response keeps its raw bytes.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::transport::{HttpResponse, TransportError};
use crate::xml::{DecodeError, ValidationError};

/// Error of one operation call; `E` is the operation's own error type.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The input broke its schema or a domain rule; nothing was sent.
    InvalidInput(ValidationError),
    /// The operation requires credentials (security schemes of its service description) that
    /// were not set on the client; nothing was sent.
    MissingCredentials {
        /// The operation (its `operationId`, or `METHOD /path`).
        operation: &'static str,
        /// What would do: alternatives joined by ` or `, schemes needed together by ` and `.
        required: String,
    },
    /// No answer within the configured timeout.
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The request could not be delivered (connection, TLS handshake, certificate).
    Transport(TransportError),
    /// The service refused the call for exceeding its rate limit (HTTP 503 at VZP).
    RateLimited {
        /// HTTP status (503).
        status: u16,
        /// The server's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
        /// The response body as received.
        raw: Bytes,
    },
    /// An HTTP error status without a SOAP fault in the body.
    Http {
        /// HTTP status.
        status: u16,
        /// The response body as received.
        raw: Bytes,
    },
    /// The response could not be decoded.
    Decode {
        /// What could not be decoded, and where.
        error: DecodeError,
        /// HTTP status.
        status: u16,
        /// The response body as received.
        raw: Bytes,
    },
    /// The service answered with a fault; `E` tells which.
    Service(E),
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput(e) => write!(f, "{e} (nothing was sent)"),
            Self::MissingCredentials {
                operation,
                required,
            } => write!(
                f,
                "`{operation}` needs credentials for {required}, which the client does not have \
                 (nothing was sent)"
            ),
            Self::Timeout { after } => {
                write!(f, "no answer within {:.1} s", after.as_secs_f64())
            }
            Self::Transport(e) => write!(f, "{e}"),
            Self::RateLimited {
                status,
                retry_after,
                ..
            } => {
                write!(f, "rate limited by the service (HTTP {status})")?;
                match retry_after {
                    Some(d) => write!(f, "; retry after {} s", d.as_secs()),
                    None => write!(f, "; retry after a longer pause"),
                }
            }
            Self::Http { status, raw } => {
                write!(
                    f,
                    "HTTP {status} without a SOAP fault ({} bytes)",
                    raw.len()
                )
            }
            Self::Decode { error, status, .. } => {
                write!(f, "cannot decode the response (HTTP {status}): {error}")
            }
            Self::Service(e) => write!(f, "{e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidInput(e) => Some(e),
            Self::Transport(e) => Some(e),
            Self::Decode { error, .. } => Some(error),
            Self::Service(e) => Some(e),
            _ => None,
        }
    }
}

impl<E> SdkError<E> {
    /// The raw response body, for every variant that follows a response.
    pub fn raw_response(&self) -> Option<&[u8]>
    where
        E: crate::soap::FaultError,
    {
        match self {
            Self::RateLimited { raw, .. } | Self::Http { raw, .. } | Self::Decode { raw, .. } => {
                Some(raw)
            }
            Self::Service(e) => Some(&e.fault().raw),
            _ => None,
        }
    }

    /// The SOAP fault, if the service answered with one (typed or not).
    pub fn soap_fault(&self) -> Option<&crate::soap::SoapFault>
    where
        E: crate::soap::FaultError,
    {
        self.as_service_error().map(crate::soap::FaultError::fault)
    }

    /// The operation's error, if the service answered with a fault.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            Self::Service(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for [`SdkError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// `true` for [`SdkError::RateLimited`].
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Self::RateLimited { .. })
    }

    /// Maps the operation error type (used by facades that merge operations).
    pub fn map_service<F>(self, f: impl FnOnce(E) -> F) -> SdkError<F> {
        match self {
            Self::InvalidInput(e) => SdkError::InvalidInput(e),
            Self::MissingCredentials {
                operation,
                required,
            } => SdkError::MissingCredentials {
                operation,
                required,
            },
            Self::Timeout { after } => SdkError::Timeout { after },
            Self::Transport(e) => SdkError::Transport(e),
            Self::RateLimited {
                status,
                retry_after,
                raw,
            } => SdkError::RateLimited {
                status,
                retry_after,
                raw,
            },
            Self::Http { status, raw } => SdkError::Http { status, raw },
            Self::Decode { error, status, raw } => SdkError::Decode { error, status, raw },
            Self::Service(e) => SdkError::Service(f(e)),
        }
    }
}

impl<E> From<TransportError> for SdkError<E> {
    /// A timeout is [`SdkError::Timeout`]; every other delivery failure is
    /// [`SdkError::Transport`].
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Timeout { after } => Self::Timeout { after },
            other => Self::Transport(other),
        }
    }
}

impl<E> SdkError<E> {
    /// [`SdkError::RateLimited`] for a 429/503 answer, with its `Retry-After` (seconds) if sent.
    pub(crate) fn rate_limited(response: &HttpResponse) -> Self {
        Self::RateLimited {
            status: response.status,
            retry_after: response
                .header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            raw: response.body.clone(),
        }
    }
}
