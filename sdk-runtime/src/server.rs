//! An HTTPS server that requires a client certificate (mutual TLS): the embedded sandboxes
//! (`MtlsServer::start` with a test PKI, feature `sandbox`) and endpoints a vendor hosts with its
//! own certificate ([`MtlsServer::start_with`] and [`ServerTls`], feature `server`), such as a
//! receiver of an authority's notifications.

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::CertificateDer;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

#[cfg(feature = "sandbox")]
use crate::sandbox::{SandboxError, TestPki};

/// Largest request body the server accepts (413 beyond).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// A client that connects but never completes the handshake must not hold a task forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long [`MtlsServer::shutdown`] lets in-flight requests finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Answers the requests of an [`MtlsServer`].
///
/// Implemented for closures `Fn(SandboxRequest) -> impl Future<Output = SandboxResponse>`.
pub trait Handler: Send + Sync + 'static {
    /// Produces the response to `request`.
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> Pin<Box<dyn Future<Output = SandboxResponse> + Send + '_>>;
}

impl<F, Fut> Handler for F
where
    F: Fn(SandboxRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = SandboxResponse> + Send + 'static,
{
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> Pin<Box<dyn Future<Output = SandboxResponse> + Send + '_>> {
        Box::pin(self(request))
    }
}

/// A request as the handler sees it: fully read, with the authenticated client certificate.
#[derive(Clone)]
#[non_exhaustive]
pub struct SandboxRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The request path, e.g. `/B2B/Service`.
    pub path: String,
    /// The query string without `?`, e.g. `wsdl`.
    pub query: Option<String>,
    /// Request headers in received order; names in lower case.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Bytes,
    /// The client certificate the TLS handshake verified.
    pub client: ClientCert,
}

/// The verified client certificate of a connection.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientCert {
    /// The subject's common name, if it has one.
    pub common_name: Option<String>,
    /// The whole subject, e.g. `CN=Nemocnice Test, O=Test`.
    pub subject: String,
    /// The certificate in DER.
    pub der: CertificateDer<'static>,
}

/// A handler's answer.
#[derive(Clone)]
pub struct SandboxResponse {
    /// The status code.
    pub status: u16,
    /// Response headers (`Content-Length` is set by the server).
    pub headers: Vec<(String, String)>,
    /// The response body.
    pub body: Bytes,
    /// Close the connection instead of answering.
    drop_connection: bool,
}

/// The service's error when a handler asked to drop the connection: hyper then closes it
/// without writing a response.
#[derive(Debug)]
struct ConnectionDropped;

impl fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the sandbox handler dropped the connection")
    }
}

impl std::error::Error for ConnectionDropped {}

/// A running mTLS server; stops when dropped (abruptly) or on [`shutdown`](Self::shutdown)
/// (gracefully).
pub struct MtlsServer {
    addr: SocketAddr,
    base_url: url::Url,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl MtlsServer {
    #[cfg(feature = "sandbox")]
    /// Starts a server on `127.0.0.1` with a free port, with a server certificate from `pki`
    /// (valid for `localhost`, `127.0.0.1` and `::1`), requiring client certificates issued
    /// by `pki`. Must be called within a Tokio runtime.
    pub fn start(pki: &TestPki, handler: Arc<dyn Handler>) -> Result<MtlsServer, SandboxError> {
        MtlsServer::start_on(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            pki,
            handler,
        )
    }

    #[cfg(feature = "sandbox")]
    /// Like [`start`](Self::start) on a given address, whose IP is added to the server
    /// certificate's names (unless it is `0.0.0.0`/`::`; [`base_url`](Self::base_url) then
    /// points at loopback).
    pub fn start_on(
        addr: SocketAddr,
        pki: &TestPki,
        handler: Arc<dyn Handler>,
    ) -> Result<MtlsServer, SandboxError> {
        let tls = sandbox_tls(pki, addr.ip())?;
        MtlsServer::start_with(addr, tls, handler).map_err(SandboxError::from)
    }

    /// Starts a server on `addr` with `tls` (its certificate, and the CAs whose client
    /// certificates it accepts), handing every request to `handler`. Must be called within a
    /// Tokio runtime. [`base_url`](Self::base_url) names the address (loopback for `0.0.0.0`).
    pub fn start_with(
        addr: SocketAddr,
        tls: ServerTls,
        handler: Arc<dyn Handler>,
    ) -> Result<MtlsServer, ServerError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| ServerError::NoRuntime)?;
        let client_auth = tls.client_auth;
        let acceptor = TlsAcceptor::from(tls.config);

        let bind_error = |source| ServerError::Bind { addr, source };
        let std_listener = std::net::TcpListener::bind(addr).map_err(bind_error)?;
        std_listener.set_nonblocking(true).map_err(bind_error)?;
        let local_addr = std_listener.local_addr().map_err(bind_error)?;
        let listener = {
            // from_std registers with the reactor of the current runtime.
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener).map_err(bind_error)?
        };

        // Clients cannot connect to 0.0.0.0/::; point them at loopback instead.
        let host = match local_addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => Ipv4Addr::LOCALHOST.to_string(),
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let base_url = url::Url::parse(&format!("https://{host}:{}/", local_addr.port()))
            .map_err(|e| bind_error(std::io::Error::other(e)))?;

        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = runtime.spawn(accept_loop(
            listener,
            acceptor,
            handler,
            shutdown_rx,
            client_auth,
        ));
        tracing::debug!(addr = %local_addr, "mTLS server started");
        Ok(MtlsServer {
            addr: local_addr,
            base_url,
            shutdown,
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://<ip>:<port>/`.
    pub fn base_url(&self) -> url::Url {
        self.base_url.clone()
    }

    /// Stops accepting connections and waits (up to 5 s) for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        // No receivers means the server already stopped; nothing to signal then.
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "sandbox server task failed");
        }
    }
}

impl Drop for MtlsServer {
    fn drop(&mut self) {
        // Abrupt stop: connection tasks die with the aborted accept loop's JoinSet. The signal
        // only matters if the abort lands mid-poll; a send error means it already stopped.
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl fmt::Debug for MtlsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MtlsServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Why a server could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// rustls refused the configuration, or a certificate could not be read.
    #[error("invalid TLS server configuration: {0}")]
    Tls(String),
    /// The server must be started from within a Tokio runtime.
    #[error("the server must be started from within a Tokio runtime")]
    NoRuntime,
}

/// The TLS side of a server: its certificate chain and key, and the CAs whose client
/// certificates it accepts (a handshake without one, or with another, is refused). TLS 1.3 and
/// 1.2, HTTP/1.1.
#[derive(Clone)]
pub struct ServerTls {
    config: Arc<rustls::ServerConfig>,
    /// Clients must present a certificate (every constructor but
    /// [`without_client_auth`](Self::without_client_auth)).
    client_auth: bool,
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

impl ServerTls {
    /// The server's `identity` (its certificate and key, e.g. from PKCS#12 or PEM) and the
    /// client CAs, each a DER certificate.
    pub fn new(
        identity: &crate::transport::Identity,
        client_cas: &[CertificateDer<'static>],
    ) -> Result<ServerTls, ServerError> {
        ServerTls::build(
            identity.certificate_chain().to_vec(),
            identity.private_key(),
            client_cas,
        )
    }

    /// A server that does not ask for client certificates: for endpoints whose callers are
    /// authenticated by the messages themselves (an AS2 receiver, where every message is
    /// signed). Its requests carry [`ClientCert::anonymous`].
    pub fn without_client_auth(
        identity: &crate::transport::Identity,
    ) -> Result<ServerTls, ServerError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| ServerError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(
                identity.certificate_chain().to_vec(),
                identity.private_key(),
            )
            .map_err(|e| ServerError::Tls(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerTls {
            config: Arc::new(config),
            client_auth: false,
        })
    }

    /// Like [`new`](Self::new), the client CAs as PEM text (one or more certificates).
    pub fn with_client_ca_pem(
        identity: &crate::transport::Identity,
        client_ca_pem: &[u8],
    ) -> Result<ServerTls, ServerError> {
        use rustls_pki_types::pem::PemObject;
        let cas = CertificateDer::pem_slice_iter(client_ca_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ServerError::Tls(format!("client CA PEM: {e}")))?;
        if cas.is_empty() {
            return Err(ServerError::Tls(
                "no client CA certificate in the PEM".into(),
            ));
        }
        ServerTls::new(identity, &cas)
    }

    fn build(
        chain: Vec<CertificateDer<'static>>,
        key: rustls_pki_types::PrivateKeyDer<'static>,
        client_cas: &[CertificateDer<'static>],
    ) -> Result<ServerTls, ServerError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        for ca in client_cas {
            roots
                .add(ca.clone())
                .map_err(|e| ServerError::Tls(e.to_string()))?;
        }
        // Refuses the handshake when the client sends no certificate or one from another CA.
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| ServerError::Tls(e.to_string()))?;
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| ServerError::Tls(e.to_string()))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .map_err(|e| ServerError::Tls(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerTls {
            config: Arc::new(config),
            client_auth: true,
        })
    }
}

/// The sandbox's TLS: a server certificate from `pki` for loopback names (and `ip`), client
/// certificates of `pki`.
#[cfg(feature = "sandbox")]
fn sandbox_tls(pki: &TestPki, ip: IpAddr) -> Result<ServerTls, SandboxError> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !ip.is_unspecified() && !names.contains(&ip.to_string()) {
        names.push(ip.to_string());
    }
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let server_cert = pki.issue_server_cert(&name_refs)?;
    Ok(ServerTls::build(
        vec![server_cert.cert_der()],
        server_cert.key_der(),
        &[pki.ca_cert_der()],
    )?)
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    handler: Arc<dyn Handler>,
    mut shutdown: watch::Receiver<bool>,
    client_auth: bool,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A dropped sender (Err) means stop as well.
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(
                        stream,
                        peer,
                        acceptor.clone(),
                        Arc::clone(&handler),
                        shutdown.clone(),
                        client_auth,
                    ));
                }
                Err(e) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %e, "sandbox server cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(joined) = connections.join_next(), if !connections.is_empty() => {
                log_join(joined);
            }
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(joined) = connections.join_next().await {
            log_join(joined);
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "sandbox server: connections still open after the grace period are cut"
        );
    }
}

fn log_join(joined: Result<(), tokio::task::JoinError>) {
    if let Err(e) = joined
        && e.is_panic()
    {
        tracing::error!(error = %e, "sandbox connection task panicked");
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
    handler: Arc<dyn Handler>,
    mut shutdown: watch::Receiver<bool>,
    client_auth: bool,
) {
    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::debug!(%peer, error = %e, "sandbox server refused a TLS handshake");
            return;
        }
        Err(_) => {
            tracing::debug!(%peer, "sandbox server: TLS handshake timed out");
            return;
        }
    };
    let presented = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|certs| certs.first())
        .map(|der| ClientCert::from_der(der.clone().into_owned()));
    let Some(client) = presented.or_else(|| (!client_auth).then(ClientCert::anonymous)) else {
        // The verifier makes a client certificate mandatory, so this is unreachable in
        // practice; refuse rather than serve an unauthenticated client.
        tracing::warn!(%peer, "sandbox server: handshake completed without client certificate");
        return;
    };

    let service = service_fn(move |request| {
        let handler = Arc::clone(&handler);
        let client = client.clone();
        async move { handle_request(request, handler, client).await }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Some(HEADER_READ_TIMEOUT));
    let connection = builder.serve_connection(TokioIo::new(tls), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "sandbox connection ended with an error");
    }
}

async fn handle_request(
    request: Request<Incoming>,
    handler: Arc<dyn Handler>,
    client: ClientCert,
) -> Result<Response<Full<Bytes>>, ConnectionDropped> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let status = if e.is::<http_body_util::LengthLimitError>() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            return Ok(plain_response(
                status,
                format!("cannot read the request body: {e}"),
            ));
        }
    };
    let request = SandboxRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        client,
    };
    let response = handler.handle(request).await;
    if response.drop_connection {
        return Err(ConnectionDropped);
    }
    Ok(to_hyper(response))
}

/// Converts the handler's response; a malformed one (bad status or header) becomes a 500
/// saying so, since a sandbox must not hide handler bugs.
fn to_hyper(response: SandboxResponse) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    match builder.body(Full::new(response.body)) {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "sandbox handler produced an invalid response");
            plain_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("sandbox handler produced an invalid response: {e}"),
            )
        }
    }
}

fn plain_response(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

impl ClientCert {
    /// What a request carries on a server built with [`ServerTls::without_client_auth`] when
    /// the client presents no certificate: no name, empty DER.
    pub fn anonymous() -> ClientCert {
        ClientCert {
            common_name: None,
            subject: String::new(),
            der: CertificateDer::from(Vec::new()),
        }
    }

    fn from_der(der: CertificateDer<'static>) -> ClientCert {
        let (common_name, subject) = match X509Certificate::from_der(&der) {
            Ok((_, cert)) => {
                let common_name = cert
                    .subject()
                    .iter_common_name()
                    .next()
                    .and_then(|cn| cn.as_str().ok())
                    .map(str::to_owned);
                (common_name, cert.subject().to_string())
            }
            // The verifier already parsed it, so this does not happen; stay total anyway.
            Err(_) => (None, String::new()),
        };
        ClientCert {
            common_name,
            subject,
            der,
        }
    }
}

impl SandboxRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 text, if it is.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

impl fmt::Debug for SandboxRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("client", &self.client.subject)
            .finish()
    }
}

impl SandboxResponse {
    /// A response with status `status`, header `Content-Type: <content_type>` and `body`.
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> SandboxResponse {
        SandboxResponse {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
            drop_connection: false,
        }
    }

    /// No answer at all: the server closes the connection after reading the request, as a
    /// crashing server or a broken network does (the client sees the connection end before a
    /// response).
    pub fn drop_connection() -> SandboxResponse {
        SandboxResponse {
            status: 0,
            headers: Vec::new(),
            body: Bytes::new(),
            drop_connection: true,
        }
    }

    /// Whether this is [`drop_connection`](Self::drop_connection).
    pub fn drops_connection(&self) -> bool {
        self.drop_connection
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl fmt::Debug for SandboxResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}
