//! How the client reaches the interface: the vendor library, or a stand-in.

/// The two functions of the interface, as bytes. Implemented by [`DllTransport`](crate::DllTransport)
/// (the vendor library) and, with the `sandbox` feature, by
/// [`sandbox::InProcess`](crate::sandbox::InProcess).
pub trait Transport: Send + Sync {
    /// `INIT()`: its return value (0 success, -1 failure).
    fn init(&self) -> Result<i32, TransportError>;

    /// `BUSINESS_HANDLE(input, output)`: its return value and the answer, up to the NUL that
    /// ends it. `input` is the encoded request line, without a NUL.
    fn business_handle(&self, input: &[u8]) -> Result<(i32, Vec<u8>), TransportError>;
}

/// Why the interface could not be called at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The library cannot be loaded.
    #[error("cannot load the interface library {path}: {reason}")]
    Library {
        /// The path given.
        path: String,
        /// The loader's message.
        reason: String,
    },
    /// The library lacks a function of the interface.
    #[error("the interface library has no function `{name}`: {reason}")]
    Symbol {
        /// `INIT` or `BUSINESS_HANDLE`.
        name: &'static str,
        /// The loader's message.
        reason: String,
    },
    /// The request holds a NUL byte (it would be cut there).
    #[error("the request holds a NUL byte")]
    InputNul,
    /// The library wrote past the answer buffer (into the guard area behind it).
    #[error(
        "the library wrote more than the {capacity}-byte answer buffer; raise the buffer size (DllTransport::with_output_capacity)"
    )]
    OutputOverflow {
        /// The buffer's size.
        capacity: usize,
    },
    /// The answer has no terminating NUL within the buffer.
    #[error("the library's answer is not NUL-terminated within {capacity} bytes")]
    NotTerminated {
        /// The buffer's size.
        capacity: usize,
    },
}
