//! In-process mTLS servers and a throwaway PKI for sandboxes and tests.
//!
//! * [`TestPki`]: a CA generated on the spot that issues server and client certificates.
//! * [`MtlsServer`]: an HTTPS server on loopback that requires a client certificate from that
//!   CA and hands each request to a [`Handler`].

mod pki;

pub mod xmllint;

pub use crate::server::{ClientCert, Handler, MtlsServer, SandboxRequest, SandboxResponse};
pub use pki::{IssuedCert, TestPki};

/// Why a sandbox PKI or server could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A key or certificate could not be generated.
    #[error("cannot generate a test certificate: {0}")]
    Certificate(String),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// rustls refused the server configuration.
    #[error("invalid TLS server configuration: {0}")]
    Tls(String),
    /// The server must be started from within a Tokio runtime.
    #[error("the sandbox server must be started from within a Tokio runtime")]
    NoRuntime,
}

impl From<crate::server::ServerError> for SandboxError {
    fn from(e: crate::server::ServerError) -> Self {
        use crate::server::ServerError as S;
        match e {
            S::Bind { addr, source } => SandboxError::Bind { addr, source },
            S::Tls(m) => SandboxError::Tls(m),
            S::NoRuntime => SandboxError::NoRuntime,
        }
    }
}
