//! The client: typed transactions over a [`Transport`].

use std::sync::atomic::{AtomicBool, Ordering};

use sdk_runtime::positional::{Answer, Fields, FromAnswer, Transaction, WireError};
use sdk_runtime::xml::ValidationError;

use crate::jiaoyi::{PROTOCOL, Transactions};
use crate::transport::{Transport, TransportError};

/// Why a transaction failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks its description (nothing was sent).
    #[error("{0} (nothing was sent)")]
    InvalidInput(ValidationError),
    /// The request cannot be written (nothing was sent).
    #[error("{0} (nothing was sent)")]
    Unsendable(WireError),
    /// `INIT` failed: the chain client → hospital front-end server → centre is not ready.
    #[error("INIT failed (return code {code}): {message}")]
    Init {
        /// The return value.
        code: i32,
        /// What the library said, if anything.
        message: String,
    },
    /// `BUSINESS_HANDLE` returned -1: an interface or communication failure.
    #[error("transaction {transaction}: the interface failed (return code {code}): {message}")]
    Interface {
        /// The transaction code.
        transaction: &'static str,
        /// The return value.
        code: i32,
        /// The message (field 1 of the answer).
        message: String,
    },
    /// The transaction was refused: the answer's status is `-1`.
    #[error("transaction {transaction} refused: {message}")]
    Business {
        /// The transaction code.
        transaction: &'static str,
        /// The return value of the call.
        code: i32,
        /// The message (field 1 of the answer).
        message: String,
    },
    /// The answer cannot be read.
    #[error("transaction {transaction}: {source}")]
    Answer {
        /// The transaction code.
        transaction: &'static str,
        /// What is wrong with it.
        source: WireError,
    },
    /// The library could not be called.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// The interface's client over a [`Transport`]. Call [`init`](Self::init) once (a transaction
/// before it calls it); the transactions are methods of [`Transactions`].
#[derive(Debug)]
pub struct Client<T: Transport> {
    transport: T,
    initialised: AtomicBool,
}

impl<T: Transport> Client<T> {
    /// A client over `transport`.
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            initialised: AtomicBool::new(false),
        }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Calls `INIT`, which checks the chain to the insurance centre.
    pub fn init(&self) -> Result<(), Error> {
        let code = self.transport.init()?;
        if code == -1 {
            return Err(Error::Init {
                code,
                message: "the library reports failure (network, files or parameters)".to_owned(),
            });
        }
        self.initialised.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Runs one transaction: checks the request, calls the library, reads the answer.
    pub fn run<R: Transaction>(&self, request: &R) -> Result<R::Output, Error> {
        request.validated().map_err(Error::InvalidInput)?;
        let mut fields = Fields::new();
        request.write_fields(&mut fields);
        let answer = self.exchange(R::CODE, &fields)?;
        R::Output::from_answer(&answer).map_err(|source| Error::Answer {
            transaction: R::CODE,
            source,
        })
    }

    /// Runs transaction `code` with `fields` as they are (each checked to be sendable) and
    /// returns the answer's fields after the status: for diagnostics, and for a transaction
    /// whose code is only known at run time. Prefer the typed methods.
    pub fn run_raw(&self, code: &str, fields: &[String]) -> Result<Vec<String>, Error> {
        let known = crate::jiaoyi::TRANSACTIONS
            .iter()
            .map(|(c, _, _)| *c)
            .find(|c| *c == code)
            .ok_or_else(|| {
                Error::InvalidInput(ValidationError::single(
                    "code",
                    sdk_runtime::xml::ViolationKind::Enumeration,
                    format!("`{code}` is not a transaction of the description"),
                ))
            })?;
        let mut v = sdk_runtime::xml::Validator::new();
        let mut out = Fields::new();
        out.reserve(fields.len(), fields.iter().map(String::len).sum());
        for (i, f) in fields.iter().enumerate() {
            v.field(&format!("field {}", i + 1), |v| {
                PROTOCOL.check_text(v, f, None)
            });
            out.text("field", f);
        }
        v.finish().map_err(Error::InvalidInput)?;
        Ok(self.exchange(known, &out)?.rest(1))
    }

    /// Sends a request line and reads the answer up to its status.
    fn exchange(&self, code: &'static str, fields: &Fields) -> Result<Answer, Error> {
        let line = PROTOCOL.request(code, fields).map_err(Error::Unsendable)?;
        if !self.initialised.load(Ordering::SeqCst) {
            self.init()?;
        }
        tracing::debug!(transaction = code, bytes = line.len(), "BUSINESS_HANDLE");
        let (status, out) = self.transport.business_handle(&line)?;
        if status == -1 {
            // The message is field 1; read it even from bytes that are not valid GBK.
            let (text, _) = PROTOCOL.encoding.decode_without_bom_handling(&out);
            return Err(Error::Interface {
                transaction: code,
                code: status,
                message: text
                    .split(PROTOCOL.separator)
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        let answer = PROTOCOL.answer(&out).map_err(|source| Error::Answer {
            transaction: code,
            source,
        })?;
        if answer.status() == "-1" {
            return Err(Error::Business {
                transaction: code,
                code: status,
                message: answer.get(1).unwrap_or_default().to_owned(),
            });
        }
        Ok(answer)
    }
}

impl<T: Transport> Transactions for Client<T> {
    type Error = Error;

    fn call<R: Transaction>(&self, request: &R) -> Result<R::Output, Error> {
        self.run(request)
    }
}
