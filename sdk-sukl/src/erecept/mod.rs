//! eRecept, SÚKL's electronic prescriptions (SOAP 1.1, interface 201704A): the pharmacist's
//! services CUER Lékárník and RLPO Lékárník (feature `pharmacist`: [`Lekarnik`]) and the
//! prescriber's CUER Lékař and RLPO Lékař (feature `prescriber`: [`Lekar`]).
//!
//! The operations and types are generated from our description in `wsdl/sukl/erecept/`, which
//! matches SÚKL's published WSDL/XSD set 201704A update4 element for element (provenance:
//! `published`; `sdk-sukl/tests/erecept_published_contract.rs` proves it, and every request
//! validates against the published schema). This module adds what eRecept needs around the
//! messages:
//!
//! * **mutual TLS** with the workplace's SÚKL certificate (`.pfx`, issued by SÚKL's CA) —
//!   [`ErpBuilder::identity`];
//! * **HTTP Basic** with the SÚKL user: the user's identifier (a GUID) and password —
//!   [`ErpBuilder::uzivatel`];
//! * the **message header** `Zprava` (`ID_Zpravy` a fresh UUID, `Verze` the interface version
//!   [`VERZE_ROZHRANI`], `Odeslano` the time of sending, `SW_Klienta` the 12-character
//!   identification of the software, [`ErpBuilder::sw_klienta`]) and the caller's identity
//!   `Pristupujici` (the same user and the workplace's 11-digit code,
//!   [`ErpBuilder::pracoviste`]) — [`Lekarnik::zprava`], [`Lekarnik::pristupujici`];
//! * the **request signature** of the operations whose request ends with `ds:Signature`
//!   (recording, changing and cancelling dispensings and prescriptions, AppPingZEP,
//!   DigitalizovatPredpis), made with the user's personal certificate —
//!   [`ErpBuilder::podpisovy_certifikat`]; see [`podpis`] for the profile and why;
//! * SÚKL's **fault** `Chyba` typed as [`ChybaSukl`] (its four-character `Kod`), in [`Error`].
//!
//! Three certificates and one password are involved, each with its own role: the workplace's
//! TLS certificate (transport), the user's identifier and password (HTTP Basic), and the user's
//! personal certificate (the signature). SÚKL's answers are not signed in this interface version
//! (no answer element carries a signature); TLS protects them.
//!
//! **Version.** 201704A is the newest interface SÚKL has published as files; the service runs a
//! newer version (202501A from 2026, per a third-party inventory) whose files are not public. The
//! namespace stayed `http://www.sukl.cz/erp/201704` through later versions in the public clients
//! that were seen, but whether SÚKL still accepts `Verze` 201704A is not known:
//! [`ErpBuilder::verze`] sets another.

pub mod chyba;
pub mod podpis;

use std::sync::Arc;
use std::time::Duration;

use sdk_runtime::soap::{OperationSpec, Response, SoapClient};
use sdk_runtime::transport::{BuildError, HttpClient, Identity};
use sdk_runtime::url::Url;
use sdk_runtime::wssec::SigningIdentity;
use sdk_runtime::xml::{Validate, ValidationError, XmlRead, XmlWrite};

use crate::generated::erecept::types::{
    IdentifikaceDokladuType, IdentifikaceDokladuTypeIdDokladu, IdentifikacePristupujicihoType,
    IdentifikacePristupujicihoTypePracoviste, IdentifikacePristupujicihoTypeUzivatel,
    NacteniDokladuDokladDotazType, NacteniDokladuDotazType, ZpravaDotazType,
    ZpravaDotazTypeSwKlienta, ZpravaTypeIdZpravy, ZpravaTypeVerze,
};

pub use chyba::{ChybaSukl, Error};

/// The eRecept namespace (unchanged since 201704A).
pub const ERP_NS: &str = "http://www.sukl.cz/erp/201704";

/// The interface version written into every message header (`Zprava/Verze`), the version of the
/// published description: `201704A`.
pub const VERZE_ROZHRANI: &str = "201704A";

/// Where eRecept runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Prostredi {
    /// SÚKL's test environment, the addresses in the published WSDLs
    /// (`https://lekarnik-soap.test-erecept.sukl.cz`, `https://lekar-soap.test-erecept.sukl.cz`).
    Test,
    /// Production: `https://lekar-soap.erecept.sukl.cz` for prescribers (used by a working public
    /// client, burgrp/sukulent) and `https://lekarnik-soap.erecept.sukl.cz` for pharmacists
    /// (*inferred* from the test hosts and the prescribers' production host; no public client
    /// was seen using it).
    Produkce,
    /// Another host (a proxy, the sandbox): the services' paths (`/cuer/Lekarnik`, …) are joined
    /// onto it.
    Vlastni(Url),
}

impl Prostredi {
    fn base(&self, role: Role) -> Result<Url, sdk_runtime::url::ParseError> {
        match (self, role) {
            (Self::Vlastni(url), _) => Ok(url.clone()),
            (Self::Test, Role::Lekarnik) => {
                Url::parse("https://lekarnik-soap.test-erecept.sukl.cz")
            }
            (Self::Test, Role::Lekar) => Url::parse("https://lekar-soap.test-erecept.sukl.cz"),
            (Self::Produkce, Role::Lekarnik) => Url::parse("https://lekarnik-soap.erecept.sukl.cz"),
            (Self::Produkce, Role::Lekar) => Url::parse("https://lekar-soap.erecept.sukl.cz"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Role {
    #[cfg_attr(not(feature = "pharmacist"), allow(dead_code))]
    Lekarnik,
    #[cfg_attr(not(feature = "prescriber"), allow(dead_code))]
    Lekar,
}

/// Why an eRecept client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildErpError {
    /// Something eRecept requires was not given.
    #[error("eRecept needs {0}: nothing can be sent without it")]
    Chybi(&'static str),
    /// A value of the message header or the caller's identity breaks its schema rule.
    #[error("{what}: {error}")]
    Hodnota {
        /// Which value.
        what: &'static str,
        /// The rule it breaks.
        #[source]
        error: ValidationError,
    },
    /// The HTTPS client could not be built (certificates, credentials).
    #[error(transparent)]
    Http(#[from] BuildError),
    /// The base URL is not a URL.
    #[error("base URL: {0}")]
    Url(#[from] sdk_runtime::url::ParseError),
    /// The sandbox could not issue the preset client's certificates.
    #[error("sandbox: {0}")]
    Sandbox(String),
}

/// Configures an eRecept client; see [`Lekarnik::builder`] and [`Lekar::builder`].
///
/// ```no_run
/// # #[cfg(feature = "pharmacist")]
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use sdk_runtime::transport::Identity;
/// use sdk_runtime::wssec::SigningIdentity;
/// use sdk_sukl::erecept::{Lekarnik, Prostredi};
///
/// let pass = std::env::var("PFX_PASSWORD")?;
/// let lekarnik = Lekarnik::builder()
///     .prostredi(Prostredi::Test)
///     // The workplace's SÚKL certificate, for TLS.
///     .identity(Identity::from_pkcs12_file("lekarna-sukl.pfx", &pass)?)
///     // The SÚKL user (HTTP Basic and Pristupujici/Uzivatel) and the workplace code.
///     .uzivatel("17b5c860-b570-11e7-abc4-cec278b6b50a", &std::env::var("SUKL_HESLO")?)
///     .pracoviste("00000910487")
///     .sw_klienta("LEKARNA01234")
///     // The pharmacist's personal certificate, for the signed requests.
///     .podpisovy_certifikat(SigningIdentity::from_pkcs12_file("lekarnik-zep.pfx", &pass)?)
///     .build()?;
/// // AppPing: is the service there, and are the credentials accepted.
/// use sdk_sukl::generated::cuer_lekarnik::operation::app_ping;
/// use sdk_sukl::generated::erecept::types::{ZpravaBezDotazType, ZpravaBezOdpovedType};
/// let odpoved: ZpravaBezOdpovedType = lekarnik
///     .call(lekarnik.cuer().soap(), &app_ping::SPEC, &ZpravaBezDotazType::new(lekarnik.zprava()?))
///     .await?
///     .output;
/// # let _ = odpoved; Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct ErpBuilder<C> {
    prostredi: Prostredi,
    http: sdk_runtime::transport::HttpClientBuilder,
    has_identity: bool,
    uzivatel: Option<(String, String)>,
    pracoviste: Option<String>,
    sw_klienta: Option<String>,
    verze: String,
    podpis: Option<SigningIdentity>,
    _client: std::marker::PhantomData<fn() -> C>,
}

impl<C> ErpBuilder<C> {
    fn new() -> Self {
        Self {
            prostredi: Prostredi::Test,
            http: HttpClient::builder(),
            has_identity: false,
            uzivatel: None,
            pracoviste: None,
            sw_klienta: None,
            verze: VERZE_ROZHRANI.to_owned(),
            podpis: None,
            _client: std::marker::PhantomData,
        }
    }

    /// The environment (default: [`Prostredi::Test`]).
    pub fn prostredi(mut self, prostredi: Prostredi) -> Self {
        self.prostredi = prostredi;
        self
    }

    /// The workplace's SÚKL certificate for mutual TLS (required).
    pub fn identity(mut self, identity: Identity) -> Self {
        self.http = self.http.identity(identity);
        self.has_identity = true;
        self
    }

    /// The SÚKL user: its identifier (a GUID, at most 36 characters; also written as
    /// `Pristupujici/Uzivatel`) and password, sent as HTTP Basic credentials (required). The
    /// password never shows in `Debug` output or logs.
    pub fn uzivatel(mut self, id: impl Into<String>, heslo: impl Into<String>) -> Self {
        self.uzivatel = Some((id.into(), heslo.into()));
        self
    }

    /// The workplace's code (`Pristupujici/Pracoviste`, 11 digits; required).
    pub fn pracoviste(mut self, kod: impl Into<String>) -> Self {
        self.pracoviste = Some(kod.into());
        self
    }

    /// The identification of the client software (`Zprava/SW_Klienta`, exactly 12 characters,
    /// assigned by SÚKL; required).
    pub fn sw_klienta(mut self, kod: impl Into<String>) -> Self {
        self.sw_klienta = Some(kod.into());
        self
    }

    /// The interface version written into `Zprava/Verze` (default [`VERZE_ROZHRANI`]; six digits
    /// and a capital letter).
    pub fn verze(mut self, verze: impl Into<String>) -> Self {
        self.verze = verze.into();
        self
    }

    /// The user's personal certificate and key, which sign the requests that carry a signature
    /// (ZEP). Without it those operations fail with [`Error::ChybiPodpis`] before anything is
    /// sent; the others work.
    pub fn podpisovy_certifikat(mut self, identity: SigningIdentity) -> Self {
        self.podpis = Some(identity);
        self
    }

    /// Trusts `pem` (one or more certificates) for the server, besides the system's roots.
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, BuildErpError> {
        self.http = self.http.add_root_certificates_pem(pem)?;
        Ok(self)
    }

    /// Whether the system's trust store is used (default on).
    pub fn platform_roots(mut self, enabled: bool) -> Self {
        self.http = self.http.platform_roots(enabled);
        self
    }

    /// The whole-call timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    fn core(self, role: Role) -> Result<(Jadro, HttpClient, Url), BuildErpError> {
        if !self.has_identity {
            return Err(BuildErpError::Chybi(
                "the workplace's SÚKL certificate for TLS (identity)",
            ));
        }
        let (id, heslo) = self.uzivatel.ok_or(BuildErpError::Chybi(
            "the SÚKL user's identifier and password (uzivatel)",
        ))?;
        let pracoviste = self
            .pracoviste
            .ok_or(BuildErpError::Chybi("the workplace code (pracoviste)"))?;
        let sw = self.sw_klienta.ok_or(BuildErpError::Chybi(
            "the client software's identification (sw_klienta)",
        ))?;
        let value = |what: &'static str| move |error| BuildErpError::Hodnota { what, error };
        let jadro = Jadro {
            uzivatel: IdentifikacePristupujicihoTypeUzivatel::new(id.clone())
                .map_err(value("Pristupujici/Uzivatel"))?,
            pracoviste: IdentifikacePristupujicihoTypePracoviste::new(pracoviste)
                .map_err(value("Pristupujici/Pracoviste"))?,
            sw_klienta: ZpravaDotazTypeSwKlienta::new(sw).map_err(value("Zprava/SW_Klienta"))?,
            verze: ZpravaTypeVerze::new(self.verze).map_err(value("Zprava/Verze"))?,
            podpis: self.podpis.map(Arc::new),
        };
        let http = self.http.basic_auth(id, heslo).build()?;
        let base = self.prostredi.base(role)?;
        Ok((jadro, http, base))
    }
}

/// What every call needs besides the transport: the caller, the software, the signer.
#[derive(Debug, Clone)]
struct Jadro {
    uzivatel: IdentifikacePristupujicihoTypeUzivatel,
    pracoviste: IdentifikacePristupujicihoTypePracoviste,
    sw_klienta: ZpravaDotazTypeSwKlienta,
    verze: ZpravaTypeVerze,
    podpis: Option<Arc<SigningIdentity>>,
}

impl Jadro {
    fn zprava(&self) -> Result<ZpravaDotazType, ValidationError> {
        // A version-4 UUID has the pattern and the 36 characters the schema wants.
        let id = ZpravaTypeIdZpravy::new(uuid::Uuid::new_v4().to_string())?;
        let now = time::OffsetDateTime::now_utc();
        // Whole seconds, as SÚKL's public clients send (`2017-10-05T14:46:12+02:00`).
        let now = now.replace_nanosecond(0).unwrap_or(now);
        Ok(ZpravaDotazType::new(
            id,
            self.verze.clone(),
            sdk_runtime::values::DateTime::from_offset(now),
            self.sw_klienta.clone(),
        ))
    }

    fn pristupujici(&self) -> IdentifikacePristupujicihoType {
        IdentifikacePristupujicihoType::new(self.uzivatel.clone(), self.pracoviste.clone())
    }

    async fn volat_podepsane<I, O>(
        &self,
        soap: &SoapClient,
        op: &OperationSpec,
        dotaz: &I,
    ) -> Result<Response<O>, Error>
    where
        I: XmlWrite + Validate,
        O: XmlRead,
    {
        dotaz
            .validated()
            .map_err(|e| Error::from(sdk_runtime::SdkError::InvalidInput(e)))?;
        let identity = self
            .podpis
            .as_deref()
            .ok_or(Error::ChybiPodpis { operation: op.name })?;
        let signed =
            podpis::podepsat_dotaz(identity, op.input, dotaz).map_err(|error| Error::Podpis {
                operation: op.name,
                error,
            })?;
        let envelope = sdk_runtime::soap::envelope_around(op.version, &signed);
        Ok(soap.send::<O, ChybaSukl>(op, envelope.into_bytes()).await?)
    }
}

macro_rules! service_accessors {
    ($(#[$meta:meta])* $name:ident => $module:ident) => {
        $(#[$meta])*
        pub fn $name(&self) -> &crate::generated::$module::Client {
            &self.$name
        }
    };
}

/// The pharmacist's eRecept client: CUER Lékárník and RLPO Lékárník over one TLS connection
/// pool, with the header, the caller and the signature filled in.
#[cfg(feature = "pharmacist")]
#[derive(Debug, Clone)]
pub struct Lekarnik {
    jadro: Jadro,
    cuer: crate::generated::cuer_lekarnik::Client,
    rlpo: crate::generated::rlpo_lekarnik::Client,
}

#[cfg(feature = "pharmacist")]
impl Lekarnik {
    /// A builder (test environment until told otherwise).
    pub fn builder() -> ErpBuilder<Lekarnik> {
        ErpBuilder::new()
    }

    service_accessors!(
        /// CUER Lékárník's generated client, for any of its operations with a request built by
        /// hand (then [`call`](Self::call) or [`call_signed`](Self::call_signed) sends it the
        /// same way).
        cuer => cuer_lekarnik
    );
    service_accessors!(
        /// RLPO Lékárník's generated client.
        rlpo => rlpo_lekarnik
    );
}

#[cfg(feature = "pharmacist")]
impl ErpBuilder<Lekarnik> {
    /// Builds the pharmacist's client; refuses a builder without the TLS certificate, the user,
    /// the workplace or the software identification, or with a value the schema forbids.
    pub fn build(self) -> Result<Lekarnik, BuildErpError> {
        let (jadro, http, base) = self.core(Role::Lekarnik)?;
        Ok(Lekarnik {
            jadro,
            cuer: crate::generated::cuer_lekarnik::Client::with_base_url(http.clone(), &base)?,
            rlpo: crate::generated::rlpo_lekarnik::Client::with_base_url(http, &base)?,
        })
    }
}

/// The prescriber's eRecept client: CUER Lékař and RLPO Lékař over one TLS connection pool, with
/// the header, the caller and the signature filled in.
#[cfg(feature = "prescriber")]
#[derive(Debug, Clone)]
pub struct Lekar {
    jadro: Jadro,
    cuer: crate::generated::cuer_lekar::Client,
    rlpo: crate::generated::rlpo_lekar::Client,
}

#[cfg(feature = "prescriber")]
impl Lekar {
    /// A builder (test environment until told otherwise).
    pub fn builder() -> ErpBuilder<Lekar> {
        ErpBuilder::new()
    }

    service_accessors!(
        /// CUER Lékař's generated client, for any of its operations with a request built by
        /// hand (then [`call`](Self::call) or [`call_signed`](Self::call_signed) sends it the
        /// same way).
        cuer => cuer_lekar
    );
    service_accessors!(
        /// RLPO Lékař's generated client.
        rlpo => rlpo_lekar
    );
}

#[cfg(feature = "prescriber")]
impl ErpBuilder<Lekar> {
    /// Builds the prescriber's client; refuses a builder without the TLS certificate, the user,
    /// the workplace or the software identification, or with a value the schema forbids.
    pub fn build(self) -> Result<Lekar, BuildErpError> {
        let (jadro, http, base) = self.core(Role::Lekar)?;
        Ok(Lekar {
            jadro,
            cuer: crate::generated::cuer_lekar::Client::with_base_url(http.clone(), &base)?,
            rlpo: crate::generated::rlpo_lekar::Client::with_base_url(http, &base)?,
        })
    }
}

/// What both roles' clients share: the header, the caller, and sending requests signed or not.
macro_rules! common_calls {
    ($client:ty) => {
        impl $client {
            /// A fresh message header: a new `ID_Zpravy` (a version-4 UUID), the version, the
            /// time of sending (now, whole seconds, UTC), the software identification. Fails
            /// only if a configured value broke its rule, which [`ErpBuilder`] already refuses.
            pub fn zprava(&self) -> Result<ZpravaDotazType, ValidationError> {
                self.jadro.zprava()
            }

            /// The caller (`Pristupujici`): the SÚKL user and the workplace.
            pub fn pristupujici(&self) -> IdentifikacePristupujicihoType {
                self.jadro.pristupujici()
            }

            /// The request that reads a document (a prescription with `NacistPredpis`, a
            /// dispensing with `NacistVydej`, …) by its identifier `ID_Dokladu`: this caller, a
            /// fresh header. Refused when the identifier breaks its rule (1 to 25 characters).
            pub fn dotaz_na_doklad(
                &self,
                id_dokladu: &str,
            ) -> Result<NacteniDokladuDotazType, ValidationError> {
                let mut identifikator = IdentifikaceDokladuType::new();
                identifikator.id_dokladu = Some(IdentifikaceDokladuTypeIdDokladu::new(id_dokladu)?);
                Ok(NacteniDokladuDotazType::new(
                    NacteniDokladuDokladDotazType::new(self.pristupujici(), identifikator),
                    self.zprava()?,
                ))
            }

            /// Sends a request whose element carries no signature, through `service` (one of
            /// this client's services): validated first (nothing invalid is sent); SÚKL's
            /// fault comes back as [`Error::Volani`] with [`ChybaSukl`].
            pub async fn call<I, O>(
                &self,
                service: &SoapClient,
                op: &OperationSpec,
                dotaz: &I,
            ) -> Result<Response<O>, Error>
            where
                I: XmlWrite + Validate,
                O: XmlRead,
            {
                Ok(service.call::<I, O, ChybaSukl>(op, dotaz).await?)
            }

            /// Sends a request that ends with `ds:Signature`: validated, written as a document
            /// of its own, its placeholder signature ([`podpis::k_podpisu`]) replaced by the
            /// user's signature ([`podpis`]), and put into the envelope byte for byte.
            pub async fn call_signed<I, O>(
                &self,
                service: &SoapClient,
                op: &OperationSpec,
                dotaz: &I,
            ) -> Result<Response<O>, Error>
            where
                I: XmlWrite + Validate,
                O: XmlRead,
            {
                self.jadro.volat_podepsane(service, op, dotaz).await
            }
        }
    };
}

#[cfg(feature = "pharmacist")]
common_calls!(Lekarnik);
#[cfg(feature = "prescriber")]
common_calls!(Lekar);
