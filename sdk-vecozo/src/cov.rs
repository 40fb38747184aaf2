//! COV VZ801/802 over either of its SOAP versions.
//!
//! VECOZO offers COV at a SOAP 1.1 and a SOAP 1.2 endpoint (Aansluitdocument, Uitgave 3; facts
//! §2.1). The generated [`Client::controleer`](crate::Client::controleer) speaks SOAP 1.1 at
//! the description's SOAP 1.1 address; [`Cov`] speaks either, at either path.

use sdk_runtime::SdkError;
use sdk_runtime::client::FromHttp;
use sdk_runtime::soap::{Response, SoapClient, SoapVersion};
use sdk_runtime::transport::HttpClient;
use sdk_runtime::url::{ParseError, Url};
use sdk_runtime::xml::ValidationError;

use crate::AgbCode;
use crate::generated::cov::operation::controleer as op;
use crate::generated::cov::types::{
    AgbNummer, AgbZorgverlenersoort, Controleer, ControleerRequest, Zoekopdracht, Zoekopdrachten,
    Zorgaanbieder,
};

/// The most queries one `Controleer` call takes (VZ801).
pub const MAX_ZOEKOPDRACHTEN: usize = 20;

/// Which of COV's endpoints to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SoapVersie {
    /// SOAP 1.1 (`text/xml`, `SOAPAction` header).
    #[default]
    Soap11,
    /// SOAP 1.2 (`application/soap+xml` with the action as a parameter).
    Soap12,
}

impl SoapVersie {
    /// The endpoint's path on VECOZO's API gateway (reconstructed for production after the
    /// acceptance address `…/acc/cov/vz801802/v1/soap11`).
    pub const fn path(self) -> &'static str {
        match self {
            Self::Soap11 => "/cov/vz801802/v1/soap11",
            Self::Soap12 => "/cov/vz801802/v1/soap12",
        }
    }

    fn version(self) -> SoapVersion {
        match self {
            Self::Soap11 => SoapVersion::V11,
            Self::Soap12 => SoapVersion::V12,
        }
    }
}

/// A COV client over one SOAP version. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Cov {
    soap: SoapClient,
    versie: SoapVersie,
}

impl Cov {
    /// VECOZO's production gateway.
    pub const PRODUCTION_BASE_URL: &'static str = "https://api.vecozo.nl";
    /// VECOZO's acceptance gateway (its paths carry `/acc` before the service's).
    pub const ACCEPTANCE_BASE_URL: &'static str = "https://tst-api.vecozo.nl/acc";

    /// A client of the `versie` endpoint on the gateway at `base_url` (its path is kept:
    /// `https://tst-api.vecozo.nl/acc` reaches `…/acc/cov/vz801802/v1/soap11`).
    pub fn new(http: HttpClient, base_url: &Url, versie: SoapVersie) -> Result<Self, ParseError> {
        let endpoint = sdk_runtime::soap::endpoint_url(base_url, versie.path())?;
        Ok(Self::at(http, endpoint, versie))
    }

    /// A client of the endpoint `endpoint`, spoken to in `versie`.
    pub fn at(http: HttpClient, endpoint: Url, versie: SoapVersie) -> Self {
        Self {
            soap: SoapClient::new(http, endpoint),
            versie,
        }
    }

    /// The endpoint called.
    pub fn endpoint(&self) -> &Url {
        self.soap.endpoint()
    }

    /// The SOAP version spoken.
    pub fn versie(&self) -> SoapVersie {
        self.versie
    }

    /// Sends a request as it is (checked against the schema first: 1 to 20 queries, BSNs, …).
    pub async fn controleer_verzoek(
        &self,
        input: &op::Input,
    ) -> Result<Response<op::Output>, SdkError<op::Error>> {
        let mut spec = op::SPEC;
        spec.version = self.versie.version();
        self.soap.call(&spec, input).await
    }

    /// Checks the insurance of the persons in `zoekopdrachten` (each numbered by its
    /// `volgnummer`), for the care provider `zorgaanbieder` when given.
    /// More than [`MAX_ZOEKOPDRACHTEN`] or none is refused before anything is sent.
    pub async fn controleer(
        &self,
        zorgaanbieder: Option<&AgbCode>,
        zoekopdrachten: Vec<Zoekopdracht>,
    ) -> Result<Response<op::Output>, SdkError<op::Error>> {
        let input = verzoek(zorgaanbieder, zoekopdrachten).map_err(SdkError::InvalidInput)?;
        self.controleer_verzoek(&input).await
    }
}

impl FromHttp for Cov {
    /// The SOAP 1.1 endpoint on the gateway at `base_url`.
    fn from_http(http: HttpClient, base_url: &Url) -> Result<Self, ParseError> {
        Self::new(http, base_url, SoapVersie::Soap11)
    }
}

/// The VZ801 request for `zoekopdrachten`, from the care provider `zorgaanbieder` when given.
pub fn verzoek(
    zorgaanbieder: Option<&AgbCode>,
    zoekopdrachten: Vec<Zoekopdracht>,
) -> Result<Controleer, ValidationError> {
    let mut lijst = Zoekopdrachten::new();
    lijst.zoekopdracht = zoekopdrachten;
    let mut request = ControleerRequest::new(lijst);
    request.zorgaanbieder = match zorgaanbieder {
        Some(agb) => Some(Zorgaanbieder::new(
            AgbZorgverlenersoort::new(agb.zorgverlenersoort())?,
            AgbNummer::new(agb.nummer())?,
        )),
        None => None,
    };
    Ok(Controleer::new(request))
}
