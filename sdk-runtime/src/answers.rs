//! Saved answers decoded by operation name.
//!
//! Every generated service module lists its operations in `ANSWERS`: for each, a function that
//! decodes an answer (HTTP status and body) exactly as a call of that operation would, with the
//! same leniency, limits and errors. A tool can so read captured traffic back ("what would the
//! client have made of this answer?") without a network, and the fuzz targets drive every
//! generated decoder of a crate through the same path a call takes.
//!
//! ```
//! use sdk_runtime::answers::{AnswerDecoder, Decoded};
//!
//! fn decode(decoders: &[AnswerDecoder], operation: &str, body: &[u8]) -> Option<Decoded> {
//!     let d = decoders.iter().find(|d| d.operation() == operation)?;
//!     Some(d.decode(200, bytes::Bytes::copy_from_slice(body)))
//! }
//! # let _ = decode(&[], "x", b"");
//! ```

use std::fmt;

use bytes::Bytes;

use crate::error::SdkError;

/// One operation's answer decoder: its static description and a function decoding
/// `(status, body)` as a call would.
#[derive(Clone, Copy)]
pub struct AnswerDecoder {
    spec: Spec,
    decode: fn(u16, Bytes) -> Decoded,
}

/// The static description of a decoder's operation.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Spec {
    /// A SOAP operation.
    Soap(&'static crate::soap::OperationSpec),
    /// A REST operation.
    #[cfg(feature = "rest")]
    Rest(&'static crate::rest::OperationSpec),
}

impl Spec {
    /// The operation's name in the service description.
    pub fn name(&self) -> &'static str {
        match self {
            Spec::Soap(s) => s.name,
            #[cfg(feature = "rest")]
            Spec::Rest(s) => s.name,
        }
    }
}

impl fmt::Debug for AnswerDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerDecoder")
            .field("operation", &self.operation())
            .finish_non_exhaustive()
    }
}

impl AnswerDecoder {
    /// The decoder of a SOAP operation.
    pub const fn soap(
        spec: &'static crate::soap::OperationSpec,
        decode: fn(u16, Bytes) -> Decoded,
    ) -> Self {
        Self {
            spec: Spec::Soap(spec),
            decode,
        }
    }

    /// The decoder of a REST operation.
    #[cfg(feature = "rest")]
    pub const fn rest(
        spec: &'static crate::rest::OperationSpec,
        decode: fn(u16, Bytes) -> Decoded,
    ) -> Self {
        Self {
            spec: Spec::Rest(spec),
            decode,
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

    /// Decodes an answer with HTTP `status` and `body` as a call of the operation would.
    pub fn decode(&self, status: u16, body: Bytes) -> Decoded {
        (self.decode)(status, body)
    }
}

/// What a call would have made of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decoded {
    /// The operation's output, with this many deviations from the description reported as
    /// diagnostics (lenient reading).
    Output {
        /// Deviations found while decoding.
        diagnostics: usize,
    },
    /// The call's error: a typed service error (a SOAP fault, a documented error status), or
    /// an answer that is not one of this operation (malformed, over a limit, an HTTP error).
    Error(String),
}

impl Decoded {
    /// The outcome of a SOAP operation's decode ([`crate::soap::decode_answer`]).
    pub fn soap<O, E: fmt::Display>(result: Result<crate::soap::Response<O>, SdkError<E>>) -> Self {
        match result {
            Ok(r) => Self::Output {
                diagnostics: r.diagnostics.len(),
            },
            Err(e) => Self::Error(e.to_string()),
        }
    }

    /// The outcome of a REST operation's decode ([`crate::rest::decode_answer`]).
    #[cfg(feature = "rest")]
    pub fn rest<O, E: fmt::Display>(result: Result<crate::rest::Response<O>, SdkError<E>>) -> Self {
        match result {
            Ok(_) => Self::Output { diagnostics: 0 },
            Err(e) => Self::Error(e.to_string()),
        }
    }
}
