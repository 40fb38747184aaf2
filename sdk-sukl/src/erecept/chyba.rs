//! SÚKL's eRecept errors: the declared fault `Chyba` (a four-character code, its group, the
//! description and a recommendation), typed, and everything else a call can fail with.

use std::fmt;

use sdk_runtime::SdkError;
use sdk_runtime::soap::{FaultError, SoapFault, decode_detail};
use sdk_runtime::wssec::sign::SignError;
use sdk_runtime::xml::ElementName;

use crate::generated::erecept::types::ChybaType;

/// The fault element every eRecept operation declares (`wsdl:fault ChybaResponse`).
pub const CHYBA: ElementName = ElementName::new(super::ERP_NS, "Chyba");

/// A fault eRecept answered with: SÚKL's declared [`ChybaType`] (code, group, description,
/// recommendation), or a fault without it (raised before SÚKL's application read the request,
/// say); the fault as received is kept either way.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ChybaSukl {
    /// The declared fault with its `Chyba`.
    Chyba {
        /// SÚKL's error: `Kod` (4 characters), `Skupina`, `Popis`, `Doporuceni`.
        chyba: Box<ChybaType>,
        /// The fault as received.
        fault: SoapFault,
    },
    /// A fault without a readable `Chyba` in its detail.
    Jina(SoapFault),
}

impl ChybaSukl {
    /// SÚKL's error, for the declared fault.
    pub fn chyba(&self) -> Option<&ChybaType> {
        match self {
            Self::Chyba { chyba, .. } => Some(chyba),
            Self::Jina(_) => None,
        }
    }

    /// The error code (`Kod`, four characters), for the declared fault.
    pub fn kod(&self) -> Option<&str> {
        self.chyba().map(|c| c.kod.get().as_str())
    }
}

impl FaultError for ChybaSukl {
    fn from_fault(fault: SoapFault) -> Self {
        match decode_detail::<ChybaType>(&fault, CHYBA) {
            Some(chyba) => Self::Chyba {
                chyba: Box::new(chyba),
                fault,
            },
            None => Self::Jina(fault),
        }
    }

    fn fault(&self) -> &SoapFault {
        match self {
            Self::Chyba { fault, .. } | Self::Jina(fault) => fault,
        }
    }
}

impl fmt::Display for ChybaSukl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Chyba { chyba, .. } => {
                write!(
                    f,
                    "SÚKL error {} ({}): {}",
                    chyba.kod.get(),
                    chyba.skupina.get(),
                    chyba.popis.get()
                )?;
                if let Some(d) = &chyba.doporuceni {
                    write!(f, " — {}", d.get())?;
                }
                Ok(())
            }
            Self::Jina(fault) => write!(f, "SOAP fault {}: {}", fault.code, fault.message),
        }
    }
}

impl std::error::Error for ChybaSukl {}

/// Why an eRecept call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operation's request carries a signature, and the client has no signing certificate
    /// ([`ErpBuilder::podpisovy_certifikat`](super::ErpBuilder::podpisovy_certifikat));
    /// nothing was sent.
    #[error(
        "{operation} needs the request signed with the user's personal certificate (ZEP): give \
         the client one with podpisovy_certifikat; nothing was sent"
    )]
    ChybiPodpis {
        /// The operation.
        operation: &'static str,
    },
    /// Signing the request failed; nothing was sent.
    #[error("signing the {operation} request failed (nothing was sent): {error}")]
    Podpis {
        /// The operation.
        operation: &'static str,
        /// Why.
        #[source]
        error: SignError,
    },
    /// Bad input (nothing sent), transport, timeout, an undecodable answer, or SÚKL's fault
    /// ([`SdkError::Service`] with the typed [`ChybaSukl`]). Boxed: the error stays small.
    #[error(transparent)]
    Volani(Box<SdkError<ChybaSukl>>),
}

impl From<SdkError<ChybaSukl>> for Error {
    fn from(e: SdkError<ChybaSukl>) -> Self {
        Self::Volani(Box::new(e))
    }
}

impl Error {
    /// SÚKL's fault, typed, when it answered with one.
    pub fn chyba_sukl(&self) -> Option<&ChybaSukl> {
        match self {
            Self::Volani(e) => e.as_service_error(),
            Self::ChybiPodpis { .. } | Self::Podpis { .. } => None,
        }
    }

    /// SÚKL's error code (`Chyba/Kod`), when it answered with the declared fault.
    pub fn kod(&self) -> Option<&str> {
        self.chyba_sukl().and_then(ChybaSukl::kod)
    }

    /// The response body as received, for every case that follows a response.
    pub fn raw_response(&self) -> Option<&[u8]> {
        match self {
            Self::Volani(e) => e.raw_response(),
            Self::ChybiPodpis { .. } | Self::Podpis { .. } => None,
        }
    }
}
