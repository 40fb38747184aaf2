//! LEK-13: reports of dispensed medicinal products to SÚKL.
//!
//! Czech pharmacies report every medicine dispensed on prescription, on a requisition
//! (žádanka) and every restricted non-prescription sale within 168 hours ([`LHUTA`]). This
//! module is the client of SÚKL's LEK-13 REST interface: [`Hlaseni`] is what you report (checked
//! by [`Hlaseni::check`] against the guidance's rules, every problem a typed violation naming
//! its field), [`WireReport`] what goes on the wire (the generated
//! [`types`](crate::generated::lek13::types)), [`Client`] the calls. For reporting in
//! production, use the [`outbox`](crate::outbox): it stores each report before sending it and
//! sends it until SÚKL acknowledges it, exactly once, whatever crashes in between.
//!
//! **Provenance: reconstructed.** SÚKL publishes no machine-readable description of LEK-13;
//! `openapi/sukl/lek13.yaml` is this project's reconstruction from the LEK-13 v6 guidance and
//! SÚKL's sister reporting APIs (DIS-13, REG-13, HSZ). Paths, JSON names and codes may differ
//! from production; every operation's docs name its source.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_runtime::transport::Identity;
//! use sdk_sukl::lek13::{Client, Environment, Hlaseni, Icp, Icz, KodPracoviste, KodSukl,
//!     Odesilatel, Pohlavi, Polozka, Software, decimal};
//!
//! let identity = Identity::from_pkcs12_file("LEKSUKL.pfx", &std::env::var("B2B_IDENTITY_PASSWORD")?)?;
//! let client = Client::builder().environment(Environment::Test).identity(identity).build()?;
//! let lekarna = Odesilatel::new(
//!     KodPracoviste::parse("12345678901")?,
//!     Icz::parse("12345000")?,
//!     Software::new("Lékárna 2000", "7.1", "Example s.r.o."),
//! );
//! let hlaseni = Hlaseni::recept(&Icp::parse("87654321")?, 1958, Pohlavi::Z).polozka(
//!     Polozka::registrovany("2026-12-06T09:30:00+01:00", 1, &KodSukl::parse("0012345")?,
//!         "PARALEN 500MG TBL NOB 24", "A12B")
//!         .hradi(false, decimal!("25.5"))
//!         .cena_konecna(decimal!("59.9")),
//! );
//! let report = hlaseni.to_wire(&lekarna, time::OffsetDateTime::now_utc(), false)?;
//! let potvrzeni = client.zalozit(&report).await?;
//! println!("stored {} at {}", report.podani_id(), potvrzeni.prijato);
//! # Ok(()) }
//! ```

mod report;
mod values;

use std::fmt;
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::bytes::Bytes;
use sdk_runtime::transport::{BuildError, HttpClient, Identity};
use sdk_runtime::url::Url;
use sdk_runtime::xml::{ValidationError, ViolationKind};

pub use report::{DruhHlaseni, DruhPolozky, Hlaseni, LHUTA, Polozka, WireReport, parse_vydano};
/// Amounts and quantities are exact decimals: `decimal!("59.90")`, `Decimal::from(2)`.
pub use sdk_runtime::{Decimal, decimal};
pub use values::{FormaIplp, Icp, Icz, KodPracoviste, KodSukl, Odesilatel, Pohlavi, Software};

use crate::generated::lek13 as generated;
use crate::generated::lek13::operation as op;
pub use crate::generated::lek13::types::{Potvrzeni, Pracoviste, StavHlaseni, StavSluzby};

/// A SÚKL environment. The hosts are the guidance's (guidance C.1); the paths below them are
/// reconstructed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// Production, `https://api2.sukl.cz/lek13`.
    Production,
    /// SÚKL's test environment, `https://testapi.sukl.cz/lek13`.
    Test,
}

impl Environment {
    /// The base URL (operation paths are appended to it).
    pub const fn base_url(self) -> &'static str {
        match self {
            Self::Production => "https://api2.sukl.cz/lek13",
            Self::Test => "https://testapi.sukl.cz/lek13",
        }
    }
}

/// What SÚKL answered instead of accepting a call: the status, its meaning in the description
/// and SÚKL's `popisChyby`, or, for an answer the description does not document, the status and
/// the body as received.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Odmitnuti {
    /// 400: the report breaks a rule.
    ChybnyPozadavek {
        /// SÚKL's description of the problem.
        popis: String,
    },
    /// 403: the workplace code in the body is not the one in the client certificate.
    CiziPracoviste {
        /// SÚKL's description of the problem.
        popis: String,
    },
    /// 404: no such report is stored for the workplace.
    Nenalezeno {
        /// SÚKL's description of the problem.
        popis: String,
    },
    /// 409: a different report is stored under the UUID, or it is cancelled.
    Konflikt {
        /// SÚKL's description of the problem.
        popis: String,
    },
    /// 500: SÚKL failed (send again later).
    ChybaServeru {
        /// SÚKL's description of the problem.
        popis: String,
    },
    /// 503: the service is unavailable (send again later).
    Nedostupne {
        /// SÚKL's description of the problem.
        popis: String,
    },
    /// A status the description does not document, or a body that is not `{popisChyby}`.
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
            Self::ChybnyPozadavek { .. } => 400,
            Self::CiziPracoviste { .. } => 403,
            Self::Nenalezeno { .. } => 404,
            Self::Konflikt { .. } => 409,
            Self::ChybaServeru { .. } => 500,
            Self::Nedostupne { .. } => 503,
            Self::Neosetreno { status, .. } => *status,
        }
    }

    /// SÚKL's `popisChyby`, when it sent one.
    pub fn popis_chyby(&self) -> Option<&str> {
        match self {
            Self::ChybnyPozadavek { popis }
            | Self::CiziPracoviste { popis }
            | Self::Nenalezeno { popis }
            | Self::Konflikt { popis }
            | Self::ChybaServeru { popis }
            | Self::Nedostupne { popis } => Some(popis),
            Self::Neosetreno { .. } => None,
        }
    }

    /// Whether sending the same message again later may succeed (server trouble), as opposed
    /// to a refusal that needs someone to act.
    pub fn is_transient(&self) -> bool {
        let s = self.status();
        s >= 500 || s == 429 || s == 408
    }
}

impl fmt::Debug for Odmitnuti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Neosetreno { status, raw } => f
                .debug_struct("Neosetreno")
                .field("status", status)
                .field("raw_len", &raw.len())
                .finish(),
            other => f
                .debug_struct("Odmitnuti")
                .field("status", &other.status())
                .field("popis", &other.popis_chyby())
                .finish(),
        }
    }
}

impl fmt::Display for Odmitnuti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Self::ChybnyPozadavek { .. } => "the report breaks a rule",
            Self::CiziPracoviste { .. } => {
                "the workplace code is not the one in the client certificate"
            }
            Self::Nenalezeno { .. } => "no such report is stored",
            Self::Konflikt { .. } => "another report is stored under this UUID, or it is cancelled",
            Self::ChybaServeru { .. } => "SÚKL failed",
            Self::Nedostupne { .. } => "the service is unavailable",
            Self::Neosetreno { status, raw } => {
                return write!(
                    f,
                    "SÚKL answered HTTP {status}, which the description does not document: {}",
                    sdk_runtime::rest::body_excerpt(raw)
                );
            }
        };
        write!(
            f,
            "SÚKL refused (HTTP {}): {what}: {}",
            self.status(),
            self.popis_chyby().unwrap_or_default()
        )
    }
}

impl std::error::Error for Odmitnuti {}

/// Maps every operation's generated `Error` (the same statuses, each operation documenting its
/// subset, all with the body `{popisChyby}`) onto [`Odmitnuti`].
macro_rules! odmitnuti_from {
    ($($m:ident),* $(,)?) => {$(
        impl From<op::$m::Error> for Odmitnuti {
            fn from(e: op::$m::Error) -> Self {
                let status = e.status();
                let raw = e.raw().clone();
                if let op::$m::Error::Unhandled { .. } = e {
                    return Self::Neosetreno { status, raw };
                }
                Odmitnuti::documented(status, raw)
            }
        }
    )*};
}

impl Odmitnuti {
    /// A documented error status with its `{popisChyby}` body (already decoded once by the
    /// generated error; read again here so that every operation maps the same way).
    fn documented(status: u16, raw: Bytes) -> Self {
        let Ok(chyba) = serde_json::from_slice::<crate::generated::lek13::types::Chyba>(&raw)
        else {
            return Self::Neosetreno { status, raw };
        };
        let popis = chyba.popis_chyby;
        match status {
            400 => Self::ChybnyPozadavek { popis },
            403 => Self::CiziPracoviste { popis },
            404 => Self::Nenalezeno { popis },
            409 => Self::Konflikt { popis },
            500 => Self::ChybaServeru { popis },
            503 => Self::Nedostupne { popis },
            _ => Self::Neosetreno { status, raw },
        }
    }
}

/// The error of a LEK-13 call.
pub type Error = SdkError<Odmitnuti>;

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
    /// Calls `environment` (default: [`Environment::Production`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.base_url = Some(environment.base_url().to_owned());
        self
    }

    /// Calls another base URL (a sandbox, a proxy).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The pharmacy's SÚKL certificate (mutual TLS).
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Trusts the certificates in `pem` as roots for the server (besides the system's).
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Self {
        self.roots_pem.push(pem.to_vec());
        self
    }

    /// Whether the system's trust store is used (default: yes).
    pub fn platform_roots(mut self, enabled: bool) -> Self {
        self.platform_roots = Some(enabled);
        self
    }

    /// Time allowed for one call (default: the transport's).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The largest answer read (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](sdk_runtime::transport::DEFAULT_MAX_RESPONSE_BYTES), 64 MiB);
    /// a larger one is refused, before it is read when `Content-Length` announces it.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, ClientBuildError> {
        let base = self
            .base_url
            .unwrap_or_else(|| Environment::Production.base_url().to_owned());
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

/// Client of LEK-13. Cheap to clone; clones share connections.
///
/// The typed calls take [`WireReport`]s (built by [`Hlaseni::to_wire`]) and check them against
/// the description before sending ([`SdkError::InvalidInput`], nothing sent); SÚKL's refusals
/// are [`SdkError::Service`] with an [`Odmitnuti`]. The generated client with every operation
/// of the description is [`generated`](Self::generated).
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

    /// The generated client (every operation, its own input, output and error types).
    pub fn generated(&self) -> &generated::Client {
        &self.inner
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        self.inner.base_url()
    }

    /// Stores a new report (SÚKL answers 201, or 200 for a resend of a stored one).
    pub async fn zalozit(&self, report: &WireReport) -> Result<Potvrzeni, Error> {
        Ok(match report {
            WireReport::Recept(r) => {
                let input = op::zalozit_hlaseni_receptu::Input::new(r.clone());
                match self
                    .inner
                    .zalozit_hlaseni_receptu(&input)
                    .await
                    .map_err(map)?
                    .output
                {
                    op::zalozit_hlaseni_receptu::Output::Created(p)
                    | op::zalozit_hlaseni_receptu::Output::Ok(p) => p,
                }
            }
            WireReport::Zadanka(r) => {
                let input = op::zalozit_hlaseni_zadanky::Input::new(r.clone());
                match self
                    .inner
                    .zalozit_hlaseni_zadanky(&input)
                    .await
                    .map_err(map)?
                    .output
                {
                    op::zalozit_hlaseni_zadanky::Output::Created(p)
                    | op::zalozit_hlaseni_zadanky::Output::Ok(p) => p,
                }
            }
            WireReport::Volny(r) => {
                let input = op::zalozit_hlaseni_volneho_prodeje::Input::new(r.clone());
                match self
                    .inner
                    .zalozit_hlaseni_volneho_prodeje(&input)
                    .await
                    .map_err(map)?
                    .output
                {
                    op::zalozit_hlaseni_volneho_prodeje::Output::Created(p)
                    | op::zalozit_hlaseni_volneho_prodeje::Output::Ok(p) => p,
                }
            }
        })
    }

    /// Replaces a stored report with `report` (same UUID).
    pub async fn zmenit(&self, report: &WireReport) -> Result<Potvrzeni, Error> {
        let id = report.podani_id().to_owned();
        Ok(match report {
            WireReport::Recept(r) => {
                let input = op::zmenit_hlaseni_receptu::Input::new(id, r.clone());
                self.inner
                    .zmenit_hlaseni_receptu(&input)
                    .await
                    .map_err(map)?
                    .output
            }
            WireReport::Zadanka(r) => {
                let input = op::zmenit_hlaseni_zadanky::Input::new(id, r.clone());
                self.inner
                    .zmenit_hlaseni_zadanky(&input)
                    .await
                    .map_err(map)?
                    .output
            }
            WireReport::Volny(r) => {
                let input = op::zmenit_hlaseni_volneho_prodeje::Input::new(id, r.clone());
                self.inner
                    .zmenit_hlaseni_volneho_prodeje(&input)
                    .await
                    .map_err(map)?
                    .output
            }
        })
    }

    /// Cancels a stored report (cancelling a cancelled one again succeeds).
    pub async fn zrusit(&self, druh: DruhHlaseni, podani_id: &str) -> Result<(), Error> {
        check_id(podani_id)?;
        let id = podani_id.to_owned();
        match druh {
            DruhHlaseni::Recept => {
                let input = op::zrusit_hlaseni_receptu::Input::new(id);
                self.inner
                    .zrusit_hlaseni_receptu(&input)
                    .await
                    .map_err(map)?;
            }
            DruhHlaseni::Zadanka => {
                let input = op::zrusit_hlaseni_zadanky::Input::new(id);
                self.inner
                    .zrusit_hlaseni_zadanky(&input)
                    .await
                    .map_err(map)?;
            }
            DruhHlaseni::Volny => {
                let input = op::zrusit_hlaseni_volneho_prodeje::Input::new(id);
                self.inner
                    .zrusit_hlaseni_volneho_prodeje(&input)
                    .await
                    .map_err(map)?;
            }
        }
        Ok(())
    }

    /// Reads a stored report.
    pub async fn nacist(&self, druh: DruhHlaseni, podani_id: &str) -> Result<WireReport, Error> {
        check_id(podani_id)?;
        let id = podani_id.to_owned();
        Ok(match druh {
            DruhHlaseni::Recept => {
                let input = op::nacist_hlaseni_receptu::Input::new(id);
                WireReport::Recept(
                    self.inner
                        .nacist_hlaseni_receptu(&input)
                        .await
                        .map_err(map)?
                        .output,
                )
            }
            DruhHlaseni::Zadanka => {
                let input = op::nacist_hlaseni_zadanky::Input::new(id);
                WireReport::Zadanka(
                    self.inner
                        .nacist_hlaseni_zadanky(&input)
                        .await
                        .map_err(map)?
                        .output,
                )
            }
            DruhHlaseni::Volny => {
                let input = op::nacist_hlaseni_volneho_prodeje::Input::new(id);
                WireReport::Volny(
                    self.inner
                        .nacist_hlaseni_volneho_prodeje(&input)
                        .await
                        .map_err(map)?
                        .output,
                )
            }
        })
    }

    /// The processing state of a report.
    pub async fn stav(&self, podani_id: &str) -> Result<StavHlaseni, Error> {
        check_id(podani_id)?;
        let input = op::stav_hlaseni::Input::new(podani_id.to_owned());
        Ok(self.inner.stav_hlaseni(&input).await.map_err(map)?.output)
    }

    /// The UUIDs of the workplace's reports dispensed in a month.
    pub async fn seznam(
        &self,
        kod_pracoviste: &KodPracoviste,
        rok: i32,
        mesic: i32,
    ) -> Result<Vec<String>, Error> {
        // Named fields (the generated types are this crate's): `rok` and `mesic` cannot swap.
        let input = op::seznam_hlaseni::Input {
            kod_pracoviste: kod_pracoviste.to_string(),
            rok,
            mesic,
        };
        Ok(self.inner.seznam_hlaseni(&input).await.map_err(map)?.output)
    }

    /// The workplaces the client certificate may report for.
    pub async fn pracoviste(&self) -> Result<Vec<Pracoviste>, Error> {
        Ok(self.inner.seznam_pracovist().await.map_err(map)?.output)
    }

    /// Whether the service is up.
    pub async fn stav_sluzby(&self) -> Result<StavSluzby, Error> {
        Ok(self.inner.stav_sluzby().await.map_err(map)?.output)
    }
}

fn check_id(id: &str) -> Result<(), Error> {
    if uuid::Uuid::parse_str(id).is_ok() && id.len() == 36 {
        Ok(())
    } else {
        Err(SdkError::InvalidInput(ValidationError::single(
            "podaniID",
            ViolationKind::Format,
            "must be an RFC 4122 UUID (8-4-4-4-12 hexadecimal digits)",
        )))
    }
}

fn map<E: Into<Odmitnuti>>(e: SdkError<E>) -> Error {
    e.map_service(Into::into)
}

odmitnuti_from!(
    zalozit_hlaseni_receptu,
    zalozit_hlaseni_zadanky,
    zalozit_hlaseni_volneho_prodeje,
    zmenit_hlaseni_receptu,
    zmenit_hlaseni_zadanky,
    zmenit_hlaseni_volneho_prodeje,
    zrusit_hlaseni_receptu,
    zrusit_hlaseni_zadanky,
    zrusit_hlaseni_volneho_prodeje,
    nacist_hlaseni_receptu,
    nacist_hlaseni_zadanky,
    nacist_hlaseni_volneho_prodeje,
    stav_hlaseni,
    seznam_hlaseni,
    seznam_pracovist,
    stav_sluzby,
);
