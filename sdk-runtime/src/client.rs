//! The builder behind every generated family client: one transport (one connection pool, one
//! client certificate) shared by all the services of a crate, each reached at its path on one
//! base URL.
//!
//! A crate whose `codegen.toml` has a `[client]` section gets a generated `Client` holding one
//! client per service and a method per operation; `Client::builder()` returns a
//! [`ClientBuilder`] preset with the authority's production host and rules (a client
//! certificate required, for instance), so that a misconfigured client fails when it is built,
//! not on its first call.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::transport::{BuildError, HttpClient, HttpClientBuilder, Identity};
use crate::url::{ParseError, Url};

/// A client made of service clients on one transport and one base URL (implemented by the
/// generated family clients).
pub trait FromHttp: Sized {
    /// The client over `http`, each service at its path joined onto `base_url`.
    fn from_http(http: HttpClient, base_url: &Url) -> Result<Self, ParseError>;
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientBuildError {
    /// The base URL is not a URL.
    #[error("invalid base URL `{url}`: {source}")]
    BaseUrl {
        /// What was given.
        url: String,
        /// Why it is not a URL.
        source: ParseError,
    },
    /// The transport could not be set up (trust roots, TLS configuration).
    #[error(transparent)]
    Transport(#[from] BuildError),
    /// The sandbox could not issue a client certificate.
    #[cfg(feature = "sandbox")]
    #[error("the sandbox cannot issue a client certificate: {0}")]
    Sandbox(String),
    /// No client certificate was given, and the authority authenticates every call by one.
    #[error("a client certificate is required: {authority} authenticates callers by mutual TLS")]
    MissingIdentity {
        /// Who requires it (`VZP B2B`).
        authority: &'static str,
    },
}

/// Builds a family client `C`: the transport settings of [`HttpClientBuilder`] plus the base
/// URL and the authority's rules. Obtained from the generated `Client::builder()`.
pub struct ClientBuilder<C> {
    base_url: String,
    /// Set when the authority requires a client certificate: its name, for the error.
    identity_required_by: Option<&'static str>,
    has_identity: bool,
    http: HttpClientBuilder,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("identity_required_by", &self.identity_required_by)
            .field("has_identity", &self.has_identity)
            .field("http", &self.http)
            .finish()
    }
}

impl<C: FromHttp> ClientBuilder<C> {
    /// A builder for the host `base_url` (the authority's production host) with the transport's
    /// defaults.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            identity_required_by: None,
            has_identity: false,
            http: HttpClient::builder(),
            client: PhantomData,
        }
    }

    /// Makes [`build`](Self::build) refuse a builder without a client certificate
    /// ([`ClientBuildError::MissingIdentity`] naming `authority`).
    pub fn require_identity(mut self, authority: &'static str) -> Self {
        self.identity_required_by = Some(authority);
        self
    }

    /// Another host (a test environment, a proxy); the service paths are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The client certificate the authority paired with your account.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.has_identity = true;
        self.http = self.http.identity(identity);
        self
    }

    /// Trusts the certificates in this PEM (the issuers of the authority's server
    /// certificates). A PEM without certificates is an error right away.
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, ClientBuildError> {
        self.http = self.http.add_root_certificates_pem(pem)?;
        Ok(self)
    }

    /// Whether to trust the system's trust store too (default: yes).
    pub fn platform_roots(mut self, yes: bool) -> Self {
        self.http = self.http.platform_roots(yes);
        self
    }

    /// Time allowed for a whole call (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Time allowed to connect, including the TLS handshake (default 10 s, never more than the
    /// whole call's timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// The largest answer read (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::transport::DEFAULT_MAX_RESPONSE_BYTES), 64 MiB);
    /// a larger one is refused, before it is read when `Content-Length` announces it.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.http = self.http.max_response_bytes(limit);
        self
    }

    /// Any other transport setting (user agent, streaming timeouts …), applied to the
    /// underlying [`HttpClientBuilder`].
    pub fn transport(
        mut self,
        configure: impl FnOnce(HttpClientBuilder) -> HttpClientBuilder,
    ) -> Self {
        self.http = configure(self.http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<C, ClientBuildError> {
        if let (Some(authority), false) = (self.identity_required_by, self.has_identity) {
            return Err(ClientBuildError::MissingIdentity { authority });
        }
        let base = Url::parse(&self.base_url).map_err(|source| ClientBuildError::BaseUrl {
            url: self.base_url.clone(),
            source,
        })?;
        let http = self.http.build()?;
        C::from_http(http, &base).map_err(|source| ClientBuildError::BaseUrl {
            url: self.base_url,
            source,
        })
    }
}
