//! HTTPS transport: rustls with a client identity (PKCS#12 or PEM), timeouts.
//!
//! * [`Identity`]: the client certificate and key the authority issued, loaded from a
//!   `.pfx`/`.p12` keystore or PEM files.
//! * [`HttpClient`]: POSTs over TLS 1.2/1.3 (ring provider) presenting that identity, trusting
//!   the system store and/or given roots, and classifying failures into [`TransportError`].

mod classify;
mod http;
mod identity;

pub use http::{
    BuildError, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_STREAM_TIMEOUT,
    HttpClient, HttpClientBuilder, HttpResponse, Progress, StreamingResponse, TlsFailure,
    TransportError,
};
pub use identity::{Identity, IdentityError};
