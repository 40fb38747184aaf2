//! The e-Recepta client: endpoints, the call context on every request, the signing hook, typed
//! results and errors.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::bytes::Bytes;
use sdk_runtime::soap::{
    HeaderBlock, OperationSpec, Response, SoapClient, SoapVersion, write_envelope,
};
use sdk_runtime::transport::{BuildError, HttpClient, HttpClientBuilder, Identity};
use sdk_runtime::url::Url;
use sdk_runtime::wssec::verify::{Verification, Verifier, VerifyError};
use sdk_runtime::xml::{ElementName, Validate, ValidationError, Validator, XmlRead, XmlWrite};

#[cfg(feature = "erecepta")]
use crate::erecepta::operation as op;
#[cfg(feature = "erecepta")]
use crate::erecepta::types::WynikMT;
#[cfg(feature = "erecepta")]
use crate::kontekst::{KONTEKST_WYWOLANIA, KontekstWywolania};
use crate::signing::{RequestSigner, SigningError};
use crate::wyjatki::types::BladMT;
use crate::wynik::BladUslugi;
#[cfg(feature = "erecepta")]
use crate::wynik::MaWynik;

/// Path of e-Recepta on a P1 host: `/services/ObslugaReceptyWS` (the same on the integration and
/// the production host; ../shared/facts/p1.md §1).
#[cfg(feature = "erecepta")]
pub const ERECEPTA_PATH: &str = crate::erecepta::Client::ENDPOINT_PATH;

/// A P1 environment.
///
/// The hosts are known with high confidence from working public clients and CeZ's own pages
/// (../shared/facts/p1.md §1). Not known: whether production still enforces mutual TLS (it was
/// temporarily off on 2022-12-01) and whether the v20170510 e-Recepta namespace this crate sends
/// is still accepted next to the newer contract CeZ hands to integrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// Integration (test) environment, `https://isus.ezdrowie.gov.pl`, with mutual TLS.
    Integration,
    /// Production, `https://sus.ezdrowie.gov.pl`.
    Production,
}

impl Environment {
    /// The host's base URL.
    pub const fn base_url(self) -> &'static str {
        match self {
            Self::Integration => "https://isus.ezdrowie.gov.pl",
            Self::Production => "https://sus.ezdrowie.gov.pl",
        }
    }

    /// The e-Recepta endpoint: base URL + [`ERECEPTA_PATH`].
    #[cfg(feature = "erecepta")]
    pub fn erecepta_endpoint(self) -> Result<Url, sdk_runtime::url::ParseError> {
        sdk_runtime::soap::endpoint_url(&Url::parse(self.base_url())?, ERECEPTA_PATH)
    }
}

/// Whether requests are signed, and by whom.
#[derive(Clone)]
#[non_exhaustive]
pub enum Signing {
    /// Every request envelope goes through this signer before it is sent.
    With(Arc<dyn RequestSigner>),
    /// Requests are sent unsigned. Real P1 rejects them (`bladPodpisuKomunikatuWSS`); for tests
    /// and for a signing proxy in front of P1.
    Unsigned,
}

impl fmt::Debug for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::With(_) => "Signing::With(..)",
            Self::Unsigned => "Signing::Unsigned",
        })
    }
}

/// Why an e-Recepta call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request signer failed; nothing was sent.
    #[error("signing the request failed (nothing was sent): {0}")]
    Signing(#[source] SigningError),
    /// Bad input (nothing sent), transport, timeout, an undecodable answer, or a SOAP fault
    /// ([`SdkError::Service`] with the typed [`BladUslugi`]). Boxed: the error stays small.
    #[error(transparent)]
    Call(Box<SdkError<BladUslugi>>),
    /// The answer decoded, but its WS-Security signature did not verify under the policy given
    /// to [`ClientBuilder::verify_responses`]; the answer is not returned.
    #[error("the answer's WS-Security signature was refused: {error}")]
    ResponseSignature {
        /// Why the verifier refused it.
        #[source]
        error: Box<VerifyError>,
        /// The response body as received.
        raw: Bytes,
    },
    /// A streamed answer was asked of a client that verifies answer signatures
    /// ([`ClientBuilder::verify_responses`]): a body read record by record cannot be checked
    /// before its records are handed out, so it is refused before anything is sent.
    #[error(
        "this client verifies answer signatures, which needs the whole answer: read it with the \
         operation's ordinary method, or stream it with a client built without verify_responses"
    )]
    StreamingNeedsUnverifiedAnswers,
}

impl From<SdkError<BladUslugi>> for Error {
    fn from(e: SdkError<BladUslugi>) -> Self {
        Self::Call(Box::new(e))
    }
}

impl Error {
    /// P1's technical error, when it answered with the declared fault `bledyOperacji`.
    pub fn blad(&self) -> Option<&BladMT> {
        self.service_error().and_then(BladUslugi::blad)
    }

    /// The fault, typed, when P1 answered with one.
    pub fn service_error(&self) -> Option<&BladUslugi> {
        match self {
            Self::Call(e) => e.as_service_error(),
            Self::Signing(_)
            | Self::ResponseSignature { .. }
            | Self::StreamingNeedsUnverifiedAnswers => None,
        }
    }

    /// The response body as received, for every case that follows a response.
    pub fn raw_response(&self) -> Option<&[u8]> {
        match self {
            Self::Call(e) => e.raw_response(),
            Self::ResponseSignature { raw, .. } => Some(raw),
            Self::Signing(_) | Self::StreamingNeedsUnverifiedAnswers => None,
        }
    }
}

/// The unsigned SOAP 1.1 envelope of an e-Recepta request, exactly as [`Client`] hands it to the
/// [`RequestSigner`]: `kontekstWywolania` in `soap:Header`, the request element (`op.input`) in
/// `soap:Body`. The context and the input are validated first; nothing invalid is written.
#[cfg(feature = "erecepta")]
pub fn request_envelope<I: XmlWrite + Validate>(
    op: &OperationSpec,
    kontekst: &KontekstWywolania,
    input: &I,
) -> Result<String, ValidationError> {
    request_envelope_with(op, KONTEKST_WYWOLANIA, kontekst, input)
}

/// Like [`request_envelope`], with any call-context header (`header_name` and its value), for
/// services of another context dialect (Centralna e-Rejestracja's `v20180509`).
pub fn request_envelope_with<H, I>(
    op: &OperationSpec,
    header_name: ElementName,
    header: &H,
    input: &I,
) -> Result<String, ValidationError>
where
    H: XmlWrite + Validate + Sync,
    I: XmlWrite + Validate,
{
    let mut v = Validator::new();
    header.validate(&mut v);
    input.validate(&mut v);
    v.finish()?;
    let headers = [(header_name, header as &dyn HeaderBlock)];
    Ok(write_envelope(SoapVersion::V11, &headers, op.input, input))
}

/// Client of e-Recepta (`ObslugaReceptyWS`). Cheap to clone; clones share connections.
///
/// Every operation takes the call context and the operation's input (the generated
/// `erecepta::operation::<op>::Input`), validates both, writes the envelope, passes it through
/// the [`RequestSigner`], sends it with `SOAPAction: "urn:<operation>"`, decodes the answer and,
/// when asked to ([`ClientBuilder::verify_responses`]), verifies its signature: the output
/// (check its `wynik` with [`MaWynik::sprawdz_wynik`]) or an [`Error`] whose fault is a typed
/// [`BladUslugi`].
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use sdk_p1::erecepta::types::KluczReceptyMT;
/// use sdk_p1::wssec::{SigningIdentity, SigningProfile, WsSecuritySigner};
/// use sdk_p1::{Client, Environment, KontekstWywolania, MaWynik, Oid, RolaBiznesowa, OID_NPWZ};
/// use sdk_runtime::transport::Identity;
///
/// // Two certificates: TLS (`…-tls.p12`) for the connection, WSS (`…-wss.p12`) for signing.
/// let tls = Identity::from_pkcs12_file("Podmiot_leczniczy-tls.p12", &std::env::var("TLS_P12_PASSWORD")?)?;
/// let wss = SigningIdentity::from_pkcs12_file("Podmiot_leczniczy-wss.p12", &std::env::var("WSS_P12_PASSWORD")?)?;
/// let client = Client::builder()
///     .environment(Environment::Integration)
///     .identity(tls)
///     .signer(WsSecuritySigner::new(wss, SigningProfile::p1()))
///     .build()?;
/// let kontekst = KontekstWywolania::builder()
///     .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
///     .id_uzytkownika(Oid::new(OID_NPWZ, "1234567"))
///     .id_miejsca_pracy(Oid::new("2.16.840.1.113883.3.4424.2.3.3", "01"))
///     .rola_biznesowa(RolaBiznesowa::Farmaceuta)
///     .build()?;
/// let input = sdk_p1::erecepta::types::OdczytReceptyRequest::new(KluczReceptyMT::new("klucz".to_owned()));
/// let answer = client.odczyt_recepty(&kontekst, &input).await?;
/// answer.sprawdz_wynik()?;
/// println!("{:?}", answer.output.recepta_i_wynik_weryfikacji.map(|r| r.status_recepty));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    soap: SoapClient,
    signing: Signing,
    verifier: Option<Arc<Verifier>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.soap.endpoint().as_str())
            .field("signing", &self.signing)
            .field("verify_responses", &self.verifier.is_some())
            .finish()
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for `endpoint` (the full e-Recepta URL) over an existing transport. Answers are
    /// not verified; see [`with_response_verifier`](Self::with_response_verifier).
    pub fn new(http: HttpClient, endpoint: Url, signing: Signing) -> Self {
        Self {
            soap: SoapClient::new(http, endpoint),
            signing,
            verifier: None,
        }
    }

    /// Verifies the signature of every answer with `verifier` (see
    /// [`ClientBuilder::verify_responses`]).
    pub fn with_response_verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }

    /// The endpoint this client calls.
    pub fn endpoint(&self) -> &Url {
        self.soap.endpoint()
    }

    /// Calls any e-Recepta operation by its [`OperationSpec`] (the typed methods below call
    /// this).
    #[cfg(feature = "erecepta")]
    pub async fn call<I, O>(
        &self,
        op: &OperationSpec,
        kontekst: &KontekstWywolania,
        input: &I,
    ) -> Result<Response<O>, Error>
    where
        I: XmlWrite + Validate,
        O: XmlRead,
    {
        self.call_with(op, KONTEKST_WYWOLANIA, kontekst, input)
            .await
    }

    /// Calls an operation with any call-context header (`header_name` and its value): the path
    /// of [`call`](Self::call) for services of another context dialect.
    pub async fn call_with<H, I, O>(
        &self,
        op: &OperationSpec,
        header_name: ElementName,
        header: &H,
        input: &I,
    ) -> Result<Response<O>, Error>
    where
        H: XmlWrite + Validate + Sync,
        I: XmlWrite + Validate,
        O: XmlRead,
    {
        let envelope = self.signed_envelope(op, header_name, header, input)?;
        let answer = self.soap.post::<BladUslugi>(op, envelope).await?;
        // The signature is checked on the bytes as received, before anything decodes them, so
        // an unsigned or forged answer is refused as such whatever its content.
        if let Some(verifier) = &self.verifier
            && answer.is_success()
            && let Err(error) = verifier.verify_envelope(answer.body())
        {
            return Err(Error::ResponseSignature {
                error: Box::new(error),
                raw: answer.body().clone(),
            });
        }
        Ok(self.soap.decode::<O, BladUslugi>(op, answer)?)
    }

    /// The request envelope, validated (nothing invalid is written) and signed when the
    /// client signs.
    fn signed_envelope<H, I>(
        &self,
        op: &OperationSpec,
        header_name: ElementName,
        header: &H,
        input: &I,
    ) -> Result<Vec<u8>, Error>
    where
        H: XmlWrite + Validate + Sync,
        I: XmlWrite + Validate,
    {
        let envelope = request_envelope_with(op, header_name, header, input)
            .map_err(|e| Error::from(SdkError::InvalidInput(e)))?
            .into_bytes();
        match &self.signing {
            Signing::With(signer) => signer.sign(op, envelope).map_err(Error::Signing),
            Signing::Unsigned => Ok(envelope),
        }
    }

    /// Like [`call_with`](Self::call_with) for an answer read as it arrives
    /// ([`StreamedAnswer::records`](sdk_runtime::soap::StreamedAnswer::records)): the request
    /// is validated and signed the same way; a fault is returned whole as the error. Refused
    /// with [`Error::StreamingNeedsUnverifiedAnswers`] by a client that verifies answer
    /// signatures.
    pub async fn call_streaming_with<H, I>(
        &self,
        op: &OperationSpec,
        header_name: ElementName,
        header: &H,
        input: &I,
    ) -> Result<sdk_runtime::soap::StreamedAnswer, Error>
    where
        H: XmlWrite + Validate + Sync,
        I: XmlWrite + Validate,
    {
        if self
            .verifier
            .as_ref()
            .is_some_and(|v| !matches!(v.verification(), Verification::Disabled))
        {
            return Err(Error::StreamingNeedsUnverifiedAnswers);
        }
        let envelope = self.signed_envelope(op, header_name, header, input)?;
        Ok(self.soap.send_streaming::<BladUslugi>(op, envelope).await?)
    }
}

#[cfg(feature = "erecepta")]
crate::macros::p1_operations! {
    kontekst: KontekstWywolania,
    wynik: WynikMT,
    path: "erecepta",
    service: "e-Recepta",
    ops: {
    /// `zapisRealizacjiReceptyFarmaceutycznej`: dispensing of a pharmaceutical prescription
    /// (prescription and dispensing documents together). For pharmacies.
    zapis_realizacji_recepty_farmaceutycznej;
    /// `zapisRealizacjiRecepty`: dispensing of an electronic or paper prescription. For pharmacies.
    zapis_realizacji_recepty;
    /// `zapisPakietuRecept`: stores a package of signed prescriptions; answers the package code
    /// and keys and each prescription's verification, or a task identifier.
    zapis_pakietu_recept;
    /// `zapisPakietuRealizacjiRecept`: stores a package of signed dispensings.
    zapis_pakietu_realizacji_recept;
    /// `zapisDokumentuAnulowaniaReceptyFarmaceutycznej`: cancels a pharmaceutical prescription
    /// (cancellation and dispensing-correction documents).
    zapis_dokumentu_anulowania_recepty_farmaceutycznej;
    /// `zapisDokumentuAnulowaniaRecepty`: stores a prescription cancellation document.
    zapis_dokumentu_anulowania_recepty;
    /// `zablokowanieRecepty`: blocks a prescription, with a reason.
    zablokowanie_recepty;
    /// `wyszukanieDokumentowRealizacjiRecept`: searches the caller's dispensing documents.
    wyszukanie_dokumentow_realizacji_recept;
    /// `wyszukanieReceptWystawiajacego`: searches prescriptions (prescriber side).
    wyszukanie_recept_wystawiajacego;
    /// `wyszukanieReceptUslugobiorcy`: searches one patient's prescriptions.
    wyszukanie_recept_uslugobiorcy;
    /// `wyszukanieReceptUslugobiorcyDoKonsultacji`: searches a patient's prescriptions for
    /// consultation (permission granted by the patient).
    wyszukanie_recept_uslugobiorcy_do_konsultacji;
    /// `odczytReceptyDoKonsultacji`: reads one prescription for consultation.
    odczyt_recepty_do_konsultacji;
    /// `wyszukanieRealizacjiReceptDoKonsultacji`: searches a patient's dispensings for
    /// consultation.
    wyszukanie_realizacji_recept_do_konsultacji;
    /// `wyszukanieDokumentowAnulowaniaRecept`: searches cancellation documents.
    wyszukanie_dokumentow_anulowania_recept;
    /// `weryfikacjaPakietuRecept`: verifies a package of unsigned prescriptions without storing it.
    weryfikacja_pakietu_recept;
    /// `rezygnacjaZRealizacjiReceptyNaLekRecepturowy`: withdraws from dispensing a compounded-drug
    /// prescription (unblocks it).
    rezygnacja_z_realizacji_recepty_na_lek_recepturowy;
    /// `przyjecieDoRealizacjiReceptyNaLekRecepturowy`: accepts a compounded-drug prescription for
    /// dispensing (blocks it).
    przyjecie_do_realizacji_recepty_na_lek_recepturowy;
    /// `odczytReceptyDoRealizacji`: reads one prescription to dispense, with its dispensings.
    odczyt_recepty_do_realizacji;
    /// `odczytPakietuReceptDoRealizacji`: reads every prescription of a package to dispense.
    odczyt_pakietu_recept_do_realizacji;
    /// `odczytRecepty`: reads one prescription with its status and documents.
    odczyt_recepty;
    /// `odczytPakietuRecept`: reads a prescription package by its key.
    odczyt_pakietu_recept;
    /// `odczytDokumentuRealizacjiRecepty`: reads one dispensing document.
    odczyt_dokumentu_realizacji_recepty;
    /// `odczytDokumentuAnulowaniaRecepty`: reads one cancellation document.
    odczyt_dokumentu_anulowania_recepty;
    /// `odczytDanychDostepowychPakietuRecept`: reads a package's access data (code and keys).
    odczyt_danych_dostepowych_pakietu_recept;
    /// `odblokowanieRecepty`: unblocks a blocked prescription.
    odblokowanie_recepty;
    /// `zapisKorektyDokumentuRealizacjiRecepty`: stores a correction of a dispensing document.
    zapis_korekty_dokumentu_realizacji_recepty;
    }
}

/// Why a [`Client`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientBuildError {
    /// Neither an environment nor a base URL was given.
    #[error(
        "choose the P1 environment (Environment::Integration or Environment::Production) or a base URL"
    )]
    NoEndpoint,
    /// Neither a signer nor [`ClientBuilder::unsigned`] was chosen.
    #[error(
        "P1 requires WS-Security signed requests: set a request signer, or call `unsigned()` for tests or a signing proxy"
    )]
    NoSigning,
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
    /// The sandbox could not issue a certificate.
    #[cfg(feature = "sandbox")]
    #[error("the sandbox cannot issue a certificate: {0}")]
    Sandbox(String),
}

/// Builds a [`Client`]: the environment (or another base URL), the TLS client certificate, the
/// request signer, response verification, and the transport settings of
/// [`HttpClientBuilder`](sdk_runtime::transport::HttpClientBuilder).
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    signing: Option<Signing>,
    verifier: Option<Verifier>,
    http: Option<HttpClientBuilder>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("signing", &self.signing)
            .field("verify_responses", &self.verifier.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn http(&mut self) -> HttpClientBuilder {
        self.http.take().unwrap_or_else(HttpClient::builder)
    }

    /// The P1 environment; the e-Recepta path is appended to its host.
    pub fn environment(self, environment: Environment) -> Self {
        self.base_url(environment.base_url())
    }

    /// Another host (a proxy, a sandbox); [`ERECEPTA_PATH`] is appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The TLS client certificate P1 issued to the entity (the `…-tls.p12`; not the signing
    /// certificate). Integration requires it; production did not enforce it as of 2022-12-01.
    pub fn identity(mut self, identity: Identity) -> Self {
        let http = self.http().identity(identity);
        self.http = Some(http);
        self
    }

    /// Signs every request with `signer` (see [`signing`](crate::signing)).
    pub fn signer(mut self, signer: impl RequestSigner + 'static) -> Self {
        self.signing = Some(Signing::With(Arc::new(signer)));
        self
    }

    /// Sends requests unsigned: for tests, sandboxes and signing proxies. Real P1 refuses them.
    pub fn unsigned(mut self) -> Self {
        self.signing = Some(Signing::Unsigned);
        self
    }

    /// Verifies the WS-Security signature of every successful (HTTP 2xx) answer with
    /// `verifier`, on the bytes as received and before they are decoded; an answer that does not
    /// verify is [`Error::ResponseSignature`], whatever it contains.
    ///
    /// **Default: answers are not verified.** Whether P1 signs its e-Recepta answers is not
    /// known from public sources (../shared/facts/p1.md §2 documents the request side only), so
    /// verifying by default could refuse every genuine answer. Ask for it when you know your P1
    /// environment signs, or when a proxy or the sandbox does (feature `sandbox`:
    /// `sandbox::Sandbox::response_verifier`); `Verifier::disabled()` states the default
    /// explicitly.
    /// Faults (`bledyOperacji`, HTTP 500) are not verified: P1's security layer answers them
    /// unsigned when it refuses a request, and a forged fault can only fail a call, never
    /// complete one.
    pub fn verify_responses(mut self, verifier: Verifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Trusts the certificates in this PEM as well. A PEM without certificates is an error.
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, ClientBuildError> {
        let http = self.http().add_root_certificates_pem(pem)?;
        self.http = Some(http);
        Ok(self)
    }

    /// Whether to trust the system's trust store too (default: yes).
    pub fn platform_roots(mut self, yes: bool) -> Self {
        let http = self.http().platform_roots(yes);
        self.http = Some(http);
        self
    }

    /// Time allowed for a whole call (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let http = self.http().timeout(timeout);
        self.http = Some(http);
        self
    }

    /// Time allowed to connect, including the TLS handshake (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        let http = self.http().connect_timeout(timeout);
        self.http = Some(http);
        self
    }

    /// The largest answer read (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](sdk_runtime::transport::DEFAULT_MAX_RESPONSE_BYTES), 64 MiB);
    /// a larger one is refused, before it is read when `Content-Length` announces it.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        let http = self.http().max_response_bytes(limit);
        self.http = Some(http);
        self
    }

    /// Builds the client.
    #[cfg(feature = "erecepta")]
    pub fn build(self) -> Result<Client, ClientBuildError> {
        self.build_at(ERECEPTA_PATH)
    }

    /// Builds a client of the service at `path` on the chosen host (the typed wrappers of other
    /// P1 services, e.g. `cer::Client`, use this).
    pub fn build_at(mut self, path: &str) -> Result<Client, ClientBuildError> {
        let base = self.base_url.take().ok_or(ClientBuildError::NoEndpoint)?;
        let signing = self.signing.take().ok_or(ClientBuildError::NoSigning)?;
        let url_error = |source| ClientBuildError::BaseUrl {
            url: base.clone(),
            source,
        };
        let endpoint = Url::parse(&base)
            .and_then(|u| sdk_runtime::soap::endpoint_url(&u, path))
            .map_err(url_error)?;
        let http = self.http().build()?;
        let client = Client::new(http, endpoint, signing);
        Ok(match self.verifier.take() {
            Some(verifier) => client.with_response_verifier(verifier),
            None => client,
        })
    }
}

#[cfg(all(test, feature = "erecepta"))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn environments_and_paths() {
        assert_eq!(
            Environment::Integration
                .erecepta_endpoint()
                .unwrap()
                .as_str(),
            "https://isus.ezdrowie.gov.pl/services/ObslugaReceptyWS"
        );
        assert_eq!(
            Environment::Production
                .erecepta_endpoint()
                .unwrap()
                .as_str(),
            "https://sus.ezdrowie.gov.pl/services/ObslugaReceptyWS"
        );
        let c = Client::builder()
            .environment(Environment::Integration)
            .unsigned()
            .build()
            .unwrap();
        assert_eq!(
            c.endpoint().as_str(),
            "https://isus.ezdrowie.gov.pl/services/ObslugaReceptyWS"
        );
        let c = Client::builder()
            .base_url("https://proxy.example/p1")
            .unsigned()
            .build()
            .unwrap();
        assert_eq!(
            c.endpoint().as_str(),
            "https://proxy.example/p1/services/ObslugaReceptyWS"
        );
    }

    #[test]
    fn the_builder_asks_for_an_endpoint_and_a_signing_choice() {
        assert!(matches!(
            Client::builder().unsigned().build(),
            Err(ClientBuildError::NoEndpoint)
        ));
        assert!(matches!(
            Client::builder()
                .environment(Environment::Production)
                .build(),
            Err(ClientBuildError::NoSigning)
        ));
        assert!(matches!(
            Client::builder().base_url("not a url").unsigned().build(),
            Err(ClientBuildError::BaseUrl { .. })
        ));
    }

    #[test]
    fn every_operation_is_listed_with_its_soap_action() {
        assert_eq!(OPERATIONS.len(), 26);
        for spec in OPERATIONS {
            assert_eq!(spec.version, SoapVersion::V11);
            assert_eq!(spec.action, Some(format!("urn:{}", spec.name)).as_deref());
        }
    }
}
