//! Číselníky SÚKL: SÚKL's drug code lists over REST — a medicinal product by its kód SÚKL, the
//! products, the manufacturer's prices, the pharmacies and SÚKL's other code lists.
//!
//! [`Client`] has the calls a pharmacy or prescriber system makes most: [`Client::pripravek`]
//! (one product by kód SÚKL), [`Client::pripravky`] (a page of products, with the total),
//! [`Client::cena_puvodce`], [`Client::lekarna`] and [`Client::lekarny`] (pharmacies, listed or
//! delisted). Codes are checked before anything is sent (a kód SÚKL has 7 digits, a kód
//! pracoviště 11); SÚKL's "nothing found" (404) is `None` or an empty list; its other refusals
//! are [`Odmitnuti`] with SÚKL's `error` text. Every operation of the API, with its own input,
//! output and error types, is on the generated client ([`Client::generated`],
//! [`crate::generated::ciselniky`]).
//!
//! **Provenance: published.** `openapi/sukl/ciselniky.yaml` matches SÚKL's own Swagger 2.0 file
//! (suklorg/CisSuklRestApi `public/cissukl.swagger.json`) element for element; a test proves
//! it. **The host is not known**: SÚKL's file names a developer's machine (`localhost:8000`), so
//! there is no default — give the builder the service's base URL, ending in `/cissuklapi/v1`.
//! Whether SÚKL requires a client certificate is not known either; give one with
//! [`ClientBuilder::identity`] if it does.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_sukl::ciselniky::{Client, StatusLekarny};
//!
//! let client = Client::builder().base_url("https://ciselniky.example/cissuklapi/v1").build()?;
//! if let Some(p) = client.pripravek("0012345").await? {
//!     println!("{:?} {:?} {:?}", p.nazev, p.doplnek, p.kod_atc_skupina);
//! }
//! for l in client.lekarny(Some(StatusLekarny::Zarazeno)).await? {
//!     println!("{:?} {:?}", l.kod_pracoviste, l.nazev);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::bytes::Bytes;
use sdk_runtime::transport::{BuildError, HttpClient, Identity};
use sdk_runtime::url::Url;
use sdk_runtime::xml::ValidationError;

use crate::generated::ciselniky as generated;
use crate::generated::ciselniky::operation as op;
pub use crate::generated::ciselniky::types::{
    AtcSkupina, CenyPuvodce, Error400, Error404, LecivyPripravek, Lekarna,
};
pub use crate::lek13::{KodPracoviste, KodSukl};

/// What SÚKL answered instead of the records asked for (other than 404, "nothing found", which
/// the typed calls return as `None` or an empty list).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Odmitnuti {
    /// 400: SÚKL serves no such URL (its description's only meaning of 400), with SÚKL's text.
    Neimplementovano {
        /// SÚKL's `error`.
        error: Option<String>,
    },
    /// A status the description does not document, or an error body that is not `{error}`.
    Neosetreno {
        /// The status received.
        status: u16,
        /// The body as received.
        raw: Bytes,
    },
}

impl Odmitnuti {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::Neimplementovano { .. } => 400,
            Self::Neosetreno { status, .. } => *status,
        }
    }

    /// SÚKL's `error` text, when it sent one.
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Neimplementovano { error } => error.as_deref(),
            Self::Neosetreno { .. } => None,
        }
    }
}

impl fmt::Debug for Odmitnuti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Neimplementovano { error } => f
                .debug_struct("Neimplementovano")
                .field("error", error)
                .finish(),
            Self::Neosetreno { status, raw } => f
                .debug_struct("Neosetreno")
                .field("status", status)
                .field("raw_len", &raw.len())
                .finish(),
        }
    }
}

impl fmt::Display for Odmitnuti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Neimplementovano { error } => write!(
                f,
                "SÚKL refused (HTTP 400): it serves no such URL: {}",
                error.as_deref().unwrap_or_default()
            ),
            Self::Neosetreno { status, raw } => write!(
                f,
                "SÚKL answered HTTP {status}, which the description does not document: {}",
                sdk_runtime::rest::body_excerpt(raw)
            ),
        }
    }
}

impl std::error::Error for Odmitnuti {}

/// The error of a code-list call.
pub type Error = SdkError<Odmitnuti>;

/// What an operation's generated error became: nothing found, or a refusal.
enum Outcome {
    NotFound,
    Refused(Odmitnuti),
}

/// Maps the generated errors (every operation documents 400 `Error400` and 404 `Error404`).
macro_rules! outcome_from {
    ($($m:ident),* $(,)?) => {$(
        impl From<op::$m::Error> for Outcome {
            fn from(e: op::$m::Error) -> Self {
                match e {
                    op::$m::Error::NotFound { .. } => Outcome::NotFound,
                    op::$m::Error::BadRequest { body, .. } => {
                        Outcome::Refused(Odmitnuti::Neimplementovano { error: body.error })
                    }
                    other => Outcome::Refused(Odmitnuti::Neosetreno {
                        status: other.status(),
                        raw: other.raw().clone(),
                    }),
                }
            }
        }
    )*};
}

outcome_from!(
    get_lecivepripravky,
    get_lecivepripravky_kod_sukl,
    get_cenypuvodce_kod_sukl,
    get_lekarny,
    get_lekarny_kod_pracoviste,
);

/// A call's result with 404 as `None`.
fn found<T, E: Into<Outcome>>(
    result: Result<sdk_runtime::rest::Response<T>, SdkError<E>>,
) -> Result<Option<sdk_runtime::rest::Response<T>>, Error> {
    match result {
        Ok(r) => Ok(Some(r)),
        Err(SdkError::Service(e)) => match e.into() {
            Outcome::NotFound => Ok(None),
            Outcome::Refused(o) => Err(SdkError::Service(o)),
        },
        Err(other) => Err(other.map_service(|e| match e.into() {
            Outcome::Refused(o) => o,
            Outcome::NotFound => Odmitnuti::Neosetreno {
                status: 404,
                raw: Bytes::new(),
            },
        })),
    }
}

/// Checks a code before it goes into a path: `check` parses it; its violations are renamed to
/// the path parameter.
fn checked<T>(
    parameter: &str,
    text: &str,
    check: impl FnOnce(&str) -> Result<T, ValidationError>,
) -> Result<T, Error> {
    check(text).map_err(|mut e| {
        for v in &mut e.violations {
            v.field = parameter.to_owned();
        }
        SdkError::InvalidInput(e)
    })
}

/// Listed or delisted pharmacies (the `status` filter of [`Client::lekarny`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusLekarny {
    /// Listed (zařazena; `STATUS` `Z`).
    Zarazeno,
    /// Delisted (vyřazena; `STATUS` `V`).
    Vyrazeno,
}

impl StatusLekarny {
    /// The query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zarazeno => "zarazeno",
            Self::Vyrazeno => "vyrazeno",
        }
    }
}

/// Which products [`Client::pripravky`] lists, and which page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DotazPripravky {
    /// Only products whose price is regulated (`true`) or is not (`false`).
    pub regulovany: Option<bool>,
    /// At most this many (SÚKL's default 20).
    pub limit: Option<u32>,
    /// After skipping this many (SÚKL's default 0).
    pub offset: Option<u32>,
}

impl DotazPripravky {
    /// All products, SÚKL's default page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only regulated (`true`) or unregulated (`false`) products.
    pub fn regulovany(mut self, regulovany: bool) -> Self {
        self.regulovany = Some(regulovany);
        self
    }

    /// The page: at most `limit` products after skipping `offset`.
    pub fn stranka(mut self, offset: u32, limit: u32) -> Self {
        self.offset = Some(offset);
        self.limit = Some(limit);
        self
    }
}

/// A page of records and SÚKL's total count (its `x-total-count` header).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Stranka<T> {
    /// The records of this page.
    pub zaznamy: Vec<T>,
    /// How many records match in all, when SÚKL said (0 when it found none).
    pub celkem: Option<u64>,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    identity: Option<Identity>,
    roots_pem: Vec<Vec<u8>>,
    platform_roots: Option<bool>,
    timeout: Option<Duration>,
    max_response_bytes: Option<u64>,
}

impl ClientBuilder {
    /// The service's base URL, ending in `/cissuklapi/v1` (required: SÚKL publishes no host).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A client certificate, if the service asks for one.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Also trusts these CA certificates (PEM).
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Self {
        self.roots_pem.push(pem.to_vec());
        self
    }

    /// Whether the platform's trust store is used too (default: yes).
    pub fn platform_roots(mut self, enabled: bool) -> Self {
        self.platform_roots = Some(enabled);
        self
    }

    /// Timeout of each call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The largest answer read (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](sdk_runtime::transport::DEFAULT_MAX_RESPONSE_BYTES)); the
    /// full product list is large.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, ClientBuildError> {
        let base = self.base_url.ok_or(ClientBuildError::NoBaseUrl)?;
        let url = Url::parse(&base).map_err(|e| ClientBuildError::BaseUrl(e.to_string()))?;
        let mut http =
            HttpClient::builder().user_agent(concat!("sdk-sukl/", env!("CARGO_PKG_VERSION")));
        if let Some(identity) = self.identity {
            http = http.identity(identity);
        }
        for pem in &self.roots_pem {
            http = http.add_root_certificates_pem(pem)?;
        }
        if let Some(p) = self.platform_roots {
            http = http.platform_roots(p);
        }
        if let Some(t) = self.timeout {
            http = http.timeout(t);
        }
        if let Some(limit) = self.max_response_bytes {
            http = http.max_response_bytes(limit);
        }
        Ok(Client::new(http.build()?, url))
    }
}

/// Why a [`Client`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientBuildError {
    /// No base URL was given (SÚKL publishes no host, so there is no default).
    #[error(
        "no base URL: SÚKL's description names no public host; give the service's URL ending in /cissuklapi/v1"
    )]
    NoBaseUrl,
    /// The base URL does not parse.
    #[error("the base URL does not parse: {0}")]
    BaseUrl(String),
    /// The transport could not be built.
    #[error(transparent)]
    Transport(#[from] BuildError),
    /// The sandbox could not issue a client certificate.
    #[error("the sandbox could not issue a client certificate: {0}")]
    Sandbox(String),
}

/// Client of Číselníky SÚKL. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Client {
    inner: generated::Client,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the API at `base_url` over an existing transport.
    pub fn new(http: HttpClient, base_url: Url) -> Self {
        Self {
            inner: generated::Client::new(http, base_url),
        }
    }

    /// The generated client: every operation of the API with its own input, output and error.
    pub fn generated(&self) -> &generated::Client {
        &self.inner
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        self.inner.base_url()
    }

    /// The medicinal product with kód SÚKL `kod_sukl` (7 digits; surrounding spaces ignored),
    /// or `None` when SÚKL has none. A code of another shape is refused before sending
    /// ([`SdkError::InvalidInput`] naming `kod_sukl`).
    pub async fn pripravek(&self, kod_sukl: &str) -> Result<Option<LecivyPripravek>, Error> {
        let kod = checked("kod_sukl", kod_sukl, KodSukl::parse)?;
        let input = op::get_lecivepripravky_kod_sukl::Input::new(kod.to_string());
        let answer = found(self.inner.get_lecivepripravky_kod_sukl(&input).await)?;
        Ok(answer.and_then(|r| r.output.into_iter().next()))
    }

    /// A page of medicinal products and SÚKL's total count.
    pub async fn pripravky(
        &self,
        dotaz: &DotazPripravky,
    ) -> Result<Stranka<LecivyPripravek>, Error> {
        let mut input = op::get_lecivepripravky::Input::new();
        input.je_regulovany = dotaz.regulovany.map(|r| {
            generated::types::GetLecivepripravkyJeRegulovany::from(if r { "A" } else { "N" })
        });
        input.limit = dotaz.limit.map(sdk_runtime::Decimal::from);
        input.offset = dotaz.offset.map(sdk_runtime::Decimal::from);
        Ok(match found(self.inner.get_lecivepripravky(&input).await)? {
            Some(r) => Stranka {
                celkem: total(&r),
                zaznamy: r.output,
            },
            None => Stranka {
                zaznamy: Vec::new(),
                celkem: Some(0),
            },
        })
    }

    /// The manufacturer's price of the product `kod_sukl`, or `None` when SÚKL has none (a
    /// product without a regulated price). Checked like [`pripravek`](Self::pripravek).
    pub async fn cena_puvodce(&self, kod_sukl: &str) -> Result<Option<CenyPuvodce>, Error> {
        let kod = checked("kod_sukl", kod_sukl, KodSukl::parse)?;
        let input = op::get_cenypuvodce_kod_sukl::Input::new(kod.to_string());
        Ok(found(self.inner.get_cenypuvodce_kod_sukl(&input).await)?.map(|r| r.output))
    }

    /// The pharmacy with workplace code `kod_pracoviste` (11 digits), or `None`. A code of
    /// another shape is refused before sending.
    pub async fn lekarna(&self, kod_pracoviste: &str) -> Result<Option<Lekarna>, Error> {
        let kod = checked("kod_pracoviste", kod_pracoviste, KodPracoviste::parse)?;
        let input = op::get_lekarny_kod_pracoviste::Input::new(kod.to_string());
        let answer = found(self.inner.get_lekarny_kod_pracoviste(&input).await)?;
        Ok(answer.and_then(|r| r.output.into_iter().next()))
    }

    /// The pharmacies: listed, delisted, or (`None`) as SÚKL lists them without the filter.
    pub async fn lekarny(&self, status: Option<StatusLekarny>) -> Result<Vec<Lekarna>, Error> {
        let mut input = op::get_lekarny::Input::new();
        input.status = status.map(|s| generated::types::GetLekarnyStatus::from(s.as_str()));
        Ok(found(self.inner.get_lekarny(&input).await)?
            .map(|r| r.output)
            .unwrap_or_default())
    }
}

/// SÚKL's `x-total-count`, when it sent a number.
fn total<T>(r: &sdk_runtime::rest::Response<T>) -> Option<u64> {
    r.header("x-total-count")
        .and_then(|v| v.trim().parse().ok())
}
