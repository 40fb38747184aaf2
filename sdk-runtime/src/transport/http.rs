//! A small HTTPS client over reqwest with our own rustls configuration.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rustls::client::WebPkiServerVerifier;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use url::Url;

use super::classify::{self, Context};
use super::identity::Identity;

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_USER_AGENT: &str = concat!("b2b-sdk/", env!("CARGO_PKG_VERSION"));
/// Default largest answer read: 64 MiB, far above any single answer of the services this family
/// calls (a package of prescriptions, a list of insured persons) and far below what would hurt a
/// vendor's server. Raise it per client with [`HttpClientBuilder::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 << 20;
/// Default longest wait for the next bytes of a streamed answer
/// ([`HttpClientBuilder::stream_idle_timeout`]).
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default longest time a streamed answer may take as a whole
/// ([`HttpClientBuilder::stream_timeout`]).
pub const DEFAULT_STREAM_TIMEOUT: Duration = Duration::from_secs(3600);

/// An HTTPS client presenting an optional client certificate. Cheap to clone (shared pool).
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    settings: Arc<Settings>,
}

/// What the client was built with; kept for error messages and `Debug`.
struct Settings {
    identity_subject: Option<String>,
    extra_roots: usize,
    platform_roots: bool,
    connect_timeout: Duration,
    timeout: Duration,
    allow_plain_http: bool,
    max_response_bytes: u64,
    xml_limits: crate::xml::Limits,
    stream_idle_timeout: Duration,
    stream_timeout: Duration,
    /// The HTTP Basic user-id, when credentials are sent (never the password).
    basic_user: Option<String>,
}

/// Configures an [`HttpClient`]; see [`HttpClient::builder`].
pub struct HttpClientBuilder {
    identity: Option<Identity>,
    roots: Vec<CertificateDer<'static>>,
    platform_roots: bool,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    allow_plain_http: bool,
    max_response_bytes: u64,
    xml_limits: crate::xml::Limits,
    stream_idle_timeout: Duration,
    stream_timeout: Duration,
    basic_auth: Option<BasicAuth>,
}

/// HTTP Basic credentials (RFC 7617) sent with every request; the password never shows in
/// `Debug` output or logs.
#[derive(Clone)]
struct BasicAuth {
    username: String,
    password: String,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl BasicAuth {
    /// `Authorization: Basic base64(user-id ":" password)`, refused when RFC 7617 does not allow
    /// the credentials (a colon in the user-id, control characters) — before anything is sent.
    fn header_value(&self) -> Result<reqwest::header::HeaderValue, BuildError> {
        use base64::Engine as _;
        if self.username.contains(':') {
            return Err(BuildError::Credentials(
                "an HTTP Basic user-id cannot contain `:` (RFC 7617 §2)".to_owned(),
            ));
        }
        if self.username.is_empty() {
            return Err(BuildError::Credentials(
                "the HTTP Basic user-id is empty".to_owned(),
            ));
        }
        if self
            .username
            .chars()
            .chain(self.password.chars())
            .any(char::is_control)
        {
            return Err(BuildError::Credentials(
                "HTTP Basic credentials cannot contain control characters (RFC 7617 §2)".to_owned(),
            ));
        }
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.username, self.password));
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Basic {token}"))
            .map_err(|e| BuildError::Credentials(e.to_string()))?;
        // Kept out of reqwest's and hyper's debug output.
        value.set_sensitive(true);
        Ok(value)
    }
}

/// An HTTP response with its whole body read.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code, e.g. 200 or 500 (SOAP faults come with 500).
    pub status: u16,
    /// Response headers in received order; names in lower case.
    pub headers: Vec<(String, String)>,
    /// The response body.
    pub body: Bytes,
}

/// Why a request failed before a complete HTTP response arrived.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No complete answer within the configured time (connect or whole-request timeout).
    #[error("the request timed out after {}", human_duration(*.after))]
    Timeout {
        /// The timeout that expired.
        after: Duration,
    },
    /// A streamed answer stopped arriving: no bytes for the idle timeout
    /// ([`HttpClientBuilder::stream_idle_timeout`]).
    #[error("the answer stopped arriving: no bytes for {}", human_duration(*.after))]
    Stalled {
        /// The idle timeout that expired.
        after: Duration,
    },
    /// The server could not be reached: refused connection, unknown host name, network down.
    #[error("{message}")]
    Connect {
        /// What happened, in plain words.
        message: String,
        /// The underlying error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The TLS handshake failed: a certificate was rejected by either side, or the server
    /// refused our client certificate (with TLS 1.3 that is noticed on the first read).
    #[error("{message}")]
    Tls {
        /// Which side refused what.
        kind: TlsFailure,
        /// What happened, in plain words.
        message: String,
        /// The underlying error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The URL is not `https://` and plain HTTP was not allowed.
    #[error(
        "refusing to send a request to {0}: only https:// URLs are allowed \
         (plain HTTP would expose the data)"
    )]
    InsecureUrl(String),
    /// The answer is larger than the client's limit ([`HttpClientBuilder::max_response_bytes`]):
    /// refused as soon as `Content-Length` announced it, before reading the body, or while
    /// reading once the limit was passed. Nothing of it is kept; the connection is dropped.
    #[error(
        "the answer from {endpoint} is larger than the limit of {limit} bytes{}; it was not read \
         (raise HttpClientBuilder::max_response_bytes if the service legitimately sends more)",
        match announced {
            Some(n) => format!(" (Content-Length: {n})"),
            None => String::new(),
        }
    )]
    ResponseTooLarge {
        /// Scheme, host, port and path of the endpoint.
        endpoint: String,
        /// The limit in bytes.
        limit: u64,
        /// The size `Content-Length` announced, when it did.
        announced: Option<u64>,
    },
    /// Any other failure (invalid header, connection dropped mid-response, ...).
    #[error("{message}")]
    Other {
        /// What happened, in plain words.
        message: String,
        /// The underlying error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
}

/// What went wrong in a TLS handshake, for callers that react differently (e.g. point the user at
/// their trust anchors or at their client certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsFailure {
    /// We rejected the server's certificate (unknown issuer, wrong name, expired…).
    ServerCertificateRejected,
    /// The server rejected our client certificate.
    ClientCertificateRejected,
    /// The server requires a client certificate and none is configured.
    ClientCertificateRequired,
    /// No common protocol version or cipher suite, or the peer does not speak TLS.
    Protocol,
    /// Anything else.
    Other,
}

/// Why an [`HttpClient`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A root certificate given to the builder is not valid.
    #[error("invalid root certificate: {0}")]
    InvalidRootCertificate(String),
    /// Without the system trust store, at least one root certificate is needed.
    #[error(
        "no trusted root certificates: add the server's CA certificate or enable the system \
         trust store"
    )]
    NoRootCertificates,
    /// The system trust store could not be loaded.
    #[error("the system trust store cannot be used: {0}")]
    PlatformTrustStore(String),
    /// rustls refused the configuration (e.g. the client key).
    #[error("invalid TLS configuration: {0}")]
    Tls(String),
    /// reqwest could not build the client (e.g. an invalid user agent).
    #[error("cannot create the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    /// The HTTP credentials cannot be sent (see [`HttpClientBuilder::basic_auth`]).
    #[error("invalid HTTP credentials: {0}")]
    Credentials(String),
}

// Errors cross task and thread boundaries (and into `Box<dyn Error + Send + Sync>`).
const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<TransportError>();
    assert_send_sync::<BuildError>();
    assert_send_sync::<super::IdentityError>();
    assert_send_sync::<HttpClient>();
};

impl HttpClient {
    /// Starts configuring a client: system trust store on, no client certificate, connect
    /// timeout 10 s, whole-request timeout 30 s, HTTPS only.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder {
            identity: None,
            roots: Vec::new(),
            platform_roots: true,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            allow_plain_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            xml_limits: crate::xml::Limits::DEFAULT,
            stream_idle_timeout: DEFAULT_STREAM_IDLE_TIMEOUT,
            stream_timeout: DEFAULT_STREAM_TIMEOUT,
            basic_auth: None,
        }
    }

    /// POSTs `body` to `url` with `headers` (the caller sets `Content-Type` and, for SOAP 1.1,
    /// `SOAPAction`) and reads the whole response. Any HTTP status is a successful response;
    /// redirects are not followed.
    pub async fn post(
        &self,
        url: &Url,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<HttpResponse, TransportError> {
        self.send("POST", url, headers, Some(body)).await
    }

    /// Sends a request with any method (`GET`, `PUT`, `DELETE`, …; REST operations) and reads the
    /// whole response, like [`post`](Self::post). `body: None` sends no body at all.
    pub async fn send(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, TransportError> {
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| TransportError::Other {
                message: format!("invalid HTTP method {method:?}"),
                source: Box::new(e),
            })?;
        let response = self
            .begin(
                method,
                url,
                headers,
                body.map(reqwest::Body::from),
                self.settings.timeout,
            )
            .await?;
        response.read_all().await
    }

    /// POSTs `body` like [`post`](Self::post) but returns as soon as the status and headers
    /// arrived, for an answer read as it comes ([`StreamingResponse::chunk`]), in memory
    /// bounded by what the reader holds rather than by the answer. The whole-request timeout is
    /// [`HttpClientBuilder::stream_timeout`] instead of [`HttpClientBuilder::timeout`], and a
    /// server that stops sending for [`HttpClientBuilder::stream_idle_timeout`] is cut off.
    pub async fn post_streaming(
        &self,
        url: &Url,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<StreamingResponse, TransportError> {
        self.begin(
            reqwest::Method::POST,
            url,
            headers,
            Some(reqwest::Body::from(body)),
            self.settings.stream_timeout,
        )
        .await
    }

    /// POSTs `body` like [`post`](Self::post), calling `progress(sent, total)` as the body is
    /// handed to the connection (64 KiB at a time): for a progress bar on large uploads.
    pub async fn post_with_progress(
        &self,
        url: &Url,
        headers: &[(&str, &str)],
        body: Vec<u8>,
        progress: Progress,
    ) -> Result<HttpResponse, TransportError> {
        let body = reqwest::Body::wrap(ProgressBody {
            data: Bytes::from(body),
            sent: 0,
            progress,
        });
        let response = self
            .begin(
                reqwest::Method::POST,
                url,
                headers,
                Some(body),
                self.settings.timeout,
            )
            .await?;
        response.read_all().await
    }

    async fn begin(
        &self,
        method: reqwest::Method,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<reqwest::Body>,
        timeout: Duration,
    ) -> Result<StreamingResponse, TransportError> {
        match url.scheme() {
            "https" => {}
            "http" if self.settings.allow_plain_http => {}
            _ => return Err(TransportError::InsecureUrl(url.to_string())),
        }
        let header_map = header_map(headers)?;
        let endpoint = endpoint(url);
        let cx = Context {
            endpoint: &endpoint,
            has_identity: self.settings.identity_subject.is_some(),
            connect_timeout: self.settings.connect_timeout,
            timeout,
        };
        let mut request = self
            .inner
            .request(method.clone(), url.as_str())
            .headers(header_map)
            .timeout(timeout);
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| classify::classify(e, &cx))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        tracing::debug!(endpoint = %endpoint, %method, status, "answer started");
        let (has_identity, connect_timeout) = (cx.has_identity, cx.connect_timeout);
        Ok(StreamingResponse {
            status,
            headers,
            response,
            endpoint,
            has_identity,
            connect_timeout,
            timeout,
            idle: self.settings.stream_idle_timeout,
            limit: self.settings.max_response_bytes,
        })
    }
}

/// An HTTP response whose body is read as it arrives ([`HttpClient::post_streaming`]).
#[non_exhaustive]
pub struct StreamingResponse {
    /// The status code.
    pub status: u16,
    /// Response headers in received order; names in lower case.
    pub headers: Vec<(String, String)>,
    response: reqwest::Response,
    endpoint: String,
    has_identity: bool,
    connect_timeout: Duration,
    timeout: Duration,
    idle: Duration,
    limit: u64,
}

impl fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.status)
            .field("endpoint", &self.endpoint)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl StreamingResponse {
    /// The next bytes of the body as they arrived; `None` at its end. Fails with
    /// [`TransportError::Stalled`] when nothing arrives for the idle timeout, and with
    /// [`TransportError::Timeout`] past the whole-answer timeout.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        match tokio::time::timeout(self.idle, self.response.chunk()).await {
            Ok(Ok(chunk)) => Ok(chunk),
            Ok(Err(e)) => Err(classify::classify(
                e,
                &Context {
                    endpoint: &self.endpoint,
                    has_identity: self.has_identity,
                    connect_timeout: self.connect_timeout,
                    timeout: self.timeout,
                },
            )),
            Err(_) => {
                tracing::warn!(endpoint = %self.endpoint, idle_s = self.idle.as_secs(), "answer stalled");
                Err(TransportError::Stalled { after: self.idle })
            }
        }
    }

    /// The `Content-Length` the server announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// Reads the whole body, refused beyond the client's
    /// [`max_response_bytes`](HttpClientBuilder::max_response_bytes): from `Content-Length`
    /// before reading when it announces more, else once the limit is passed.
    pub async fn read_all(mut self) -> Result<HttpResponse, TransportError> {
        let limit = self.limit;
        let endpoint = self.endpoint.clone();
        let too_large = |announced| TransportError::ResponseTooLarge {
            endpoint: endpoint.clone(),
            limit,
            announced,
        };
        let announced = self.response.content_length();
        if let Some(n) = announced.filter(|n| *n > limit) {
            tracing::warn!(endpoint = %endpoint, announced = n, limit, "answer refused: larger than the limit");
            return Err(too_large(Some(n)));
        }
        // Read chunk by chunk, so that an answer without (or lying about) its length stops at
        // the limit instead of growing without bound.
        let capacity = announced.unwrap_or(0).min(limit).min(1 << 20);
        let mut body = bytes::BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = self.chunk().await? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                tracing::warn!(endpoint = %endpoint, limit, "answer refused while reading: larger than the limit");
                return Err(too_large(announced));
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        tracing::debug!(endpoint = %endpoint, status = self.status, bytes = body.len(), "request completed");
        Ok(HttpResponse {
            status: self.status,
            headers: self.headers,
            body,
        })
    }
}

impl HttpClient {
    /// Whether the client presents a TLS client certificate (satisfies `mutualTLS` security
    /// schemes).
    pub fn has_identity(&self) -> bool {
        self.settings.identity_subject.is_some()
    }

    /// The limits of the XML readers for this client's answers
    /// ([`HttpClientBuilder::xml_limits`]).
    pub fn xml_limits(&self) -> &crate::xml::Limits {
        &self.settings.xml_limits
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("HttpClient")
            .field("identity", &s.identity_subject)
            .field("platform_roots", &s.platform_roots)
            .field("extra_roots", &s.extra_roots)
            .field("connect_timeout", &s.connect_timeout)
            .field("timeout", &s.timeout)
            .field("allow_plain_http", &s.allow_plain_http)
            .field("max_response_bytes", &s.max_response_bytes)
            .field("xml_limits", &s.xml_limits)
            .field("basic_user", &s.basic_user)
            .finish_non_exhaustive()
    }
}

impl HttpClientBuilder {
    /// Presents `identity` as the TLS client certificate.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Trusts `cert` (DER) as an additional root CA for server certificates. Checked by
    /// [`build`](Self::build).
    pub fn add_root_certificate_der(mut self, cert: CertificateDer<'static>) -> Self {
        self.roots.push(cert);
        self
    }

    /// Trusts every `CERTIFICATE` in `pem` as an additional root CA.
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, BuildError> {
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| BuildError::InvalidRootCertificate(format!("bad PEM: {e}")))?;
            // Validate now so the error points at this call, not at build().
            RootCertStore::empty()
                .add(cert.clone())
                .map_err(|e| BuildError::InvalidRootCertificate(e.to_string()))?;
            self.roots.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(BuildError::InvalidRootCertificate(
                "no PEM CERTIFICATE section found".into(),
            ));
        }
        Ok(self)
    }

    /// Whether to trust the operating system's trust store besides the added roots (default
    /// `true`). With `false` only the added roots are trusted.
    pub fn platform_roots(mut self, enabled: bool) -> Self {
        self.platform_roots = enabled;
        self
    }

    /// Time allowed for TCP connect and TLS handshake (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, response body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `b2b-sdk/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The largest answer body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`], 64 MiB).
    /// A larger one is refused with [`TransportError::ResponseTooLarge`]: before reading when
    /// `Content-Length` announces it, after at most `limit` bytes when it does not, so memory
    /// stays bounded whatever a server or a broken proxy sends.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The limits of the XML readers for this client's answers (default
    /// [`Limits::DEFAULT`](crate::xml::Limits::DEFAULT)): element depth, attributes, attribute
    /// and text length, children per element. An answer over one is refused with
    /// [`DecodeErrorKind::Limit`](crate::xml::DecodeErrorKind::Limit) naming it.
    pub fn xml_limits(mut self, limits: crate::xml::Limits) -> Self {
        self.xml_limits = limits;
        self
    }

    /// Allows `http://` URLs (default `false`); meant for local test servers only.
    pub fn allow_plain_http(mut self, allowed: bool) -> Self {
        self.allow_plain_http = allowed;
        self
    }

    /// The longest wait for the next bytes of a streamed answer
    /// ([`HttpClient::post_streaming`]; default 30 s): a server that stops sending is cut off
    /// with [`TransportError::Stalled`] however long the answer is.
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = timeout;
        self
    }

    /// The longest time a streamed answer may take as a whole (default one hour; the
    /// whole-request [`timeout`](Self::timeout) applies to answers read whole).
    pub fn stream_timeout(mut self, timeout: Duration) -> Self {
        self.stream_timeout = timeout;
        self
    }

    /// Sends HTTP Basic credentials (RFC 7617: `Authorization: Basic …`) with every request,
    /// for services that authenticate a user on top of the TLS client certificate (SÚKL's
    /// eRecept: the SÚKL user's identifier and password). The password is kept out of `Debug`
    /// output and logs. [`build`](Self::build) refuses credentials RFC 7617 does not allow (a
    /// `:` in the user-id, control characters) with [`BuildError::Credentials`].
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some(BasicAuth {
            username: username.into(),
            password: password.into(),
        });
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<HttpClient, BuildError> {
        let tls = self.tls_config()?;
        // The whole-call timeout bounds connecting too; the settings say what really applies.
        let connect_timeout = self.connect_timeout.min(self.timeout);
        let mut default_headers = reqwest::header::HeaderMap::new();
        if let Some(auth) = &self.basic_auth {
            default_headers.insert(reqwest::header::AUTHORIZATION, auth.header_value()?);
        }
        let inner = reqwest::Client::builder()
            .default_headers(default_headers)
            .tls_backend_preconfigured(tls)
            .connect_timeout(connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent.as_str())
            // A redirected POST would silently become a GET without body; let the caller see 3xx.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!self.allow_plain_http)
            .build()
            .map_err(BuildError::Http)?;
        Ok(HttpClient {
            inner,
            settings: Arc::new(Settings {
                identity_subject: self.identity.as_ref().map(Identity::subject),
                extra_roots: self.roots.len(),
                platform_roots: self.platform_roots,
                connect_timeout,
                timeout: self.timeout,
                allow_plain_http: self.allow_plain_http,
                max_response_bytes: self.max_response_bytes,
                xml_limits: self.xml_limits,
                stream_idle_timeout: self.stream_idle_timeout,
                stream_timeout: self.stream_timeout,
                basic_user: self.basic_auth.as_ref().map(|a| a.username.clone()),
            }),
        })
    }

    fn tls_config(&self) -> Result<ClientConfig, BuildError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| BuildError::Tls(e.to_string()))?;

        let builder = if self.platform_roots {
            let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
                self.roots.iter().cloned(),
                Arc::clone(&provider),
            )
            .map_err(|e| match e {
                rustls::Error::InvalidCertificate(_) => {
                    BuildError::InvalidRootCertificate(e.to_string())
                }
                other => BuildError::PlatformTrustStore(other.to_string()),
            })?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
        } else {
            let mut store = RootCertStore::empty();
            for root in &self.roots {
                store
                    .add(root.clone())
                    .map_err(|e| BuildError::InvalidRootCertificate(e.to_string()))?;
            }
            if store.is_empty() {
                return Err(BuildError::NoRootCertificates);
            }
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|e| BuildError::Tls(e.to_string()))?;
            builder.with_webpki_verifier(verifier)
        };

        let mut config = match &self.identity {
            Some(identity) => builder
                .with_client_auth_cert(
                    identity.certificate_chain().to_vec(),
                    identity.private_key(),
                )
                .map_err(|e| BuildError::Tls(e.to_string()))?,
            None => builder.with_no_client_auth(),
        };
        // SOAP endpoints speak HTTP/1.1; offering h2 only invites middlebox surprises.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("identity", &self.identity)
            .field("extra_roots", &self.roots.len())
            .field("platform_roots", &self.platform_roots)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("allow_plain_http", &self.allow_plain_http)
            .field("basic_auth", &self.basic_auth)
            .finish()
    }
}

impl HttpResponse {
    /// A response, e.g. for tests of code that consumes responses.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers,
            body: body.into(),
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpResponse {
    // The body may carry personal data; show only its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

fn header_map(headers: &[(&str, &str)]) -> Result<HeaderMap, TransportError> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let header_name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| TransportError::Other {
                message: format!("invalid HTTP header name {name:?}"),
                source: Box::new(e),
            })?;
        let header_value = HeaderValue::from_str(value).map_err(|e| TransportError::Other {
            message: format!("invalid value for HTTP header {name}"),
            source: Box::new(e),
        })?;
        map.append(header_name, header_value);
    }
    Ok(map)
}

/// `host:port` for messages.
fn endpoint(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// "30 s", "1.5 s", "250 ms".
fn human_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else if d.as_secs() > 0 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// A progress callback: bytes sent so far, and the total.
pub type Progress = std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>;

/// A request body handed over in 64 KiB frames, reporting each.
struct ProgressBody {
    data: Bytes,
    sent: usize,
    progress: Progress,
}

impl http_body::Body for ProgressBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let total = self.data.len();
        if self.sent >= total {
            return std::task::Poll::Ready(None);
        }
        let end = (self.sent + 64 * 1024).min(total);
        let chunk = self.data.slice(self.sent..end);
        self.sent = end;
        (self.progress)(end as u64, total as u64);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= self.data.len()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact((self.data.len() - self.sent.min(self.data.len())) as u64)
    }
}
