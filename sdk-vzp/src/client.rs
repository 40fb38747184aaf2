//! One client for every VZP B2B service, over one connection pool and one client certificate.

use std::time::Duration;

use sdk_runtime::soap::Response;
use sdk_runtime::transport::{BuildError, HttpClient, HttpClientBuilder, Identity};
use sdk_runtime::url::Url;
use sdk_runtime::{Date, SdkError};

use crate::generated::{prubeh_pojisteni, stav_smlouvy};
use crate::{CisloPojistence, Icp};

/// Output of Průběh pojištění.
pub type PrubehPojisteni = prubeh_pojisteni::types::PrubehPojisteniDruhB2BOdpoved;
/// Error of Průběh pojištění.
pub type PrubehPojisteniError = prubeh_pojisteni::operation::prubeh_pojisteni_druh_b2b::Error;
/// Output of Stav smlouvy podle IČP/IČPP.
pub type StavSmlouvy = stav_smlouvy::types::StavSmlouvyICPICPPB2BOdpoved;
/// Error of Stav smlouvy podle IČP/IČPP.
pub type StavSmlouvyError = stav_smlouvy::operation::stav_smlouvy_icpicppb2b::Error;

/// Why a [`Client`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientBuildError {
    /// The base URL is not a URL.
    #[error("invalid base URL `{url}`: {source}")]
    BaseUrl {
        /// What was given.
        url: String,
        /// Why it is not a URL.
        source: sdk_runtime::url::ParseError,
    },
    /// The transport could not be set up (trust roots, TLS configuration).
    #[error(transparent)]
    Transport(#[from] BuildError),
    /// The sandbox could not issue a client certificate.
    #[cfg(feature = "sandbox")]
    #[error("the sandbox cannot issue a client certificate: {0}")]
    Sandbox(String),
    /// No client certificate was given; VZP authenticates every call by it.
    #[error("a client certificate is required: VZP B2B authenticates callers by mutual TLS")]
    MissingIdentity,
}

/// Client of the VZP B2B services. Cheap to clone.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use sdk_vzp::{CisloPojistence, Client};
/// use sdk_runtime::transport::Identity;
///
/// let identity = Identity::from_pkcs12_file("firma.p12", &std::env::var("P12_PASSWORD")?)?;
/// let client = Client::builder().identity(identity).build()?;
/// let cislo = CisloPojistence::parse("8001010006")?;
/// let date = sdk_runtime::xml::parse_date("2026-11-23")?;
/// let answer = client.prubeh_pojisteni(&cislo, date).await?;
/// println!("{:?}", answer.output.stav);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    prubeh: prubeh_pojisteni::Client,
    smlouva: stav_smlouvy::Client,
}

impl Client {
    /// VZP's production host.
    pub const PRODUCTION_BASE_URL: &'static str = "https://prod.b2b.vzp.cz";

    /// A builder with production defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from an existing transport and base URL.
    pub fn from_http(http: HttpClient, base_url: &Url) -> Result<Self, ClientBuildError> {
        let url_err = |source| ClientBuildError::BaseUrl {
            url: base_url.to_string(),
            source,
        };
        Ok(Self {
            prubeh: prubeh_pojisteni::Client::with_base_url(http.clone(), base_url)
                .map_err(url_err)?,
            smlouva: stav_smlouvy::Client::with_base_url(http, base_url).map_err(url_err)?,
        })
    }

    /// Průběh pojištění: is the person insured on `k_datu`, with which insurer, in which kind of
    /// insurance.
    pub async fn prubeh_pojisteni(
        &self,
        cislo_pojistence: &CisloPojistence,
        k_datu: Date,
    ) -> Result<Response<PrubehPojisteni>, SdkError<PrubehPojisteniError>> {
        let input = prubeh_pojisteni::types::PrubehPojisteniDruhB2BPozadavek::new(
            cislo_pojistence.clone(),
            k_datu,
        );
        self.prubeh.prubeh_pojisteni_druh_b2b(&input).await
    }

    /// Stav smlouvy podle IČP/IČPP: the workplace's contract with VZP on `k_datu`.
    pub async fn stav_smlouvy(
        &self,
        icp: &Icp,
        k_datu: Date,
    ) -> Result<Response<StavSmlouvy>, SdkError<StavSmlouvyError>> {
        let input = stav_smlouvy::types::StavSmlouvyICPICPPB2BZadost::new(icp.clone(), k_datu);
        self.smlouva.stav_smlouvy_icpicppb2b(&input).await
    }

    /// The generated client of Průběh pojištění, for direct use of its operations.
    pub fn prubeh_pojisteni_service(&self) -> &prubeh_pojisteni::Client {
        &self.prubeh
    }

    /// The generated client of Stav smlouvy podle IČP/IČPP.
    pub fn stav_smlouvy_service(&self) -> &stav_smlouvy::Client {
        &self.smlouva
    }
}

/// Builds a [`Client`]: the transport settings of
/// [`HttpClientBuilder`](sdk_runtime::transport::HttpClientBuilder) plus the base URL and the
/// rule that VZP calls need a client certificate.
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    has_identity: bool,
    http: HttpClientBuilder,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: Client::PRODUCTION_BASE_URL.to_owned(),
            has_identity: false,
            http: HttpClient::builder(),
        }
    }
}

impl ClientBuilder {
    /// Another host (a test environment, a proxy); the service paths are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The client certificate VZP paired with your B2B account (required).
    pub fn identity(mut self, identity: Identity) -> Self {
        self.has_identity = true;
        self.http = self.http.identity(identity);
        self
    }

    /// Trusts the certificates in this PEM (VZP asks clients to install its server
    /// certificates' issuers). A PEM without certificates is an error right away.
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

    /// Time allowed to connect, including the TLS handshake (default 10 s, never more than
    /// the whole call's timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// The largest answer read (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](sdk_runtime::transport::DEFAULT_MAX_RESPONSE_BYTES), 64 MiB);
    /// a larger one is refused, before it is read when `Content-Length` announces it.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.http = self.http.max_response_bytes(limit);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, ClientBuildError> {
        if !self.has_identity {
            return Err(ClientBuildError::MissingIdentity);
        }
        let base = Url::parse(&self.base_url).map_err(|source| ClientBuildError::BaseUrl {
            url: self.base_url.clone(),
            source,
        })?;
        Client::from_http(self.http.build()?, &base)
    }
}
