//! What P1 answers besides the data: the `wynik` result block of every response (`WynikMT`) and
//! the technical errors of the `bledyOperacji` fault (`BladMT`), as typed values and errors.

use std::fmt;

#[cfg(any(feature = "erecepta", feature = "cer"))]
use sdk_runtime::soap::decode_detail;
use sdk_runtime::soap::{FaultError, Response, SoapFault};
use sdk_runtime::xml::ElementName;

use crate::wyjatki::types::{BladMT, KodBleduMajorMT, KodBleduMinorMT};

/// `major` of a successful `WynikMT`. Not in the published schemas (their list of result codes
/// is in CeZ's integration documentation, which is not public); seen in working public clients'
/// end-to-end calls (../shared/facts/p1.md §4).
pub const WYNIK_SUKCES: &str = "urn:csioz:p1:kod:major:Sukces";

/// The fault detail element every e-Recepta operation declares.
pub const BLEDY_OPERACJI: ElementName = ElementName::new(
    "http://csioz.gov.pl/p1/erecepta/ws/v20170510",
    "bledyOperacji",
);

/// The result block `WynikMT` of P1, whichever namespace version a service uses (e-Recepta's
/// `v20170510`, the newer services' `v20180509`).
pub trait WynikP1 {
    /// `major`: the main result code.
    fn major(&self) -> &str;
    /// `minor`: the supplementary code, if any.
    fn minor(&self) -> Option<&str>;
    /// `komunikat`: P1's message, if any.
    fn komunikat(&self) -> Option<&str>;
}

/// `WynikP1` for a generated `WynikMT` (each service's module has its own).
macro_rules! wynik_p1 {
    ($($(#[$cfg:meta])* $t:ty;)*) => {$(
        $(#[$cfg])*
        impl WynikP1 for $t {
            fn major(&self) -> &str {
                &self.major
            }
            fn minor(&self) -> Option<&str> {
                self.minor.as_deref()
            }
            fn komunikat(&self) -> Option<&str> {
                self.komunikat.as_deref()
            }
        }
    )*};
}

wynik_p1! {
    #[cfg(feature = "erecepta")]
    crate::erecepta::types::WynikMT;
    #[cfg(feature = "cer")]
    crate::cer::types::WynikMT;
}

/// The fault detail element every Centralna e-Rejestracja operation declares (reconstructed:
/// CeR's own namespace, e-Recepta's `BladMT` content).
pub const BLEDY_OPERACJI_CER: ElementName =
    ElementName::new("http://csioz.gov.pl/p1/cer/ws/v20260101", "bledyOperacji");

/// A response that carries a `wynik` (every P1 response does).
pub trait MaWynik {
    /// The service's `WynikMT`.
    type Wynik: WynikP1;

    /// The result block.
    fn wynik(&self) -> &Self::Wynik;

    /// `true` when `major` is [`WYNIK_SUKCES`].
    fn sukces(&self) -> bool {
        self.wynik().major().trim() == WYNIK_SUKCES
    }

    /// `Ok` on success, otherwise the result as a typed error. The response itself (e.g. the
    /// verification results of each prescription, which explain a failed `zapisPakietuRecept`)
    /// stays with the caller.
    fn sprawdz_wynik(&self) -> Result<(), NiepowodzenieOperacji> {
        if self.sukces() {
            Ok(())
        } else {
            Err(NiepowodzenieOperacji::from(self.wynik()))
        }
    }
}

#[cfg(feature = "erecepta")]
impl MaWynik for crate::erecepta::types::WynikMT {
    type Wynik = Self;
    fn wynik(&self) -> &Self {
        self
    }
}

impl<O: MaWynik> MaWynik for Response<O> {
    type Wynik = O::Wynik;
    fn wynik(&self) -> &O::Wynik {
        self.output.wynik()
    }
}

/// P1 answered, but its `wynik` is not a success.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NiepowodzenieOperacji {
    /// `major`: the main result code.
    pub major: String,
    /// `minor`: the supplementary code, if any.
    pub minor: Option<String>,
    /// `komunikat`: P1's message, if any.
    pub komunikat: Option<String>,
}

impl<W: WynikP1> From<&W> for NiepowodzenieOperacji {
    fn from(w: &W) -> Self {
        Self {
            major: w.major().trim().to_owned(),
            minor: w.minor().map(|m| m.trim().to_owned()),
            komunikat: w.komunikat().map(str::to_owned),
        }
    }
}

impl fmt::Display for NiepowodzenieOperacji {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P1 did not succeed: {}", self.major)?;
        if let Some(m) = &self.minor {
            write!(f, " ({m})")?;
        }
        if let Some(k) = &self.komunikat {
            write!(f, ": {k}")?;
        }
        Ok(())
    }
}

impl std::error::Error for NiepowodzenieOperacji {}

/// What an e-Recepta operation can answer instead of an output: the SOAP fault `bledyOperacji`
/// declared by every operation, with its [`BladMT`] decoded, or any other fault.
#[derive(Debug)]
#[non_exhaustive]
pub enum BladUslugi {
    /// The declared fault: a technical (not business) error of P1.
    BledyOperacji {
        /// The error, decoded from the fault detail.
        blad: BladMT,
        /// The fault as received (code, message, raw response).
        fault: SoapFault,
    },
    /// A fault without the declared detail (e.g. raised by the WS-Security layer before P1 reads
    /// the message); code, message, detail and raw bytes are kept.
    Unhandled(SoapFault),
}

impl BladUslugi {
    /// The technical error, for the declared fault.
    pub fn blad(&self) -> Option<&BladMT> {
        match self {
            Self::BledyOperacji { blad, .. } => Some(blad),
            Self::Unhandled(_) => None,
        }
    }

    /// The main error code, for the declared fault.
    pub fn kod_major(&self) -> Option<&KodBleduMajorMT> {
        self.blad().map(|b| &b.kod_bledu_major)
    }

    /// The supplementary error code, when the declared fault has one.
    pub fn kod_minor(&self) -> Option<&KodBleduMinorMT> {
        self.blad().and_then(|b| b.kod_bledu_minor.as_ref())
    }

    /// The last segment of the main error code (`bladPodpisuKomunikatuWSS`), whichever prefix
    /// it comes with: e-Recepta's `urn:csioz:p1:erecepta:kodBleduMajor:` or the newer services'
    /// `urn:csioz:p1:kodBleduMajor:` (CeR), which e-Recepta's enumeration does not list.
    pub fn nazwa_major(&self) -> Option<&str> {
        self.kod_major()
            .map(|k| k.as_str().rsplit(':').next().unwrap_or_default())
    }

    /// The last segment of the supplementary error code, whichever prefix it comes with.
    pub fn nazwa_minor(&self) -> Option<&str> {
        self.kod_minor()
            .map(|k| k.as_str().rsplit(':').next().unwrap_or_default())
    }

    /// `true` when P1 rejected the message signature or the signing certificate
    /// (`bladPodpisuKomunikatu`, `bladPodpisuKomunikatuWSS`): look at the request signer.
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self.nazwa_major(),
            Some("bladPodpisuKomunikatu" | "bladPodpisuKomunikatuWSS")
        )
    }

    /// `true` when the caller was not authenticated or not authorised (`bladUwierzytelnienia`,
    /// `bladUwierzytelnieniaWSS`, `bladAutoryzacji`, `kontoZablokowane`), or the call context was
    /// refused (minor `bladKontekstu`).
    pub fn is_access_error(&self) -> bool {
        matches!(
            self.nazwa_major(),
            Some(
                "bladUwierzytelnienia"
                    | "bladUwierzytelnieniaWSS"
                    | "bladAutoryzacji"
                    | "kontoZablokowane"
            )
        ) || self.nazwa_minor() == Some("bladKontekstu")
    }
}

impl FaultError for BladUslugi {
    fn from_fault(fault: SoapFault) -> Self {
        // e-Recepta's detail, or CeR's: the same BladMT in another service's element.
        // Each enabled service's element in turn (none without a service feature).
        #[allow(unused_mut)]
        let mut blad: Option<BladMT> = None;
        #[cfg(feature = "erecepta")]
        {
            blad = blad.or_else(|| {
                decode_detail::<crate::erecepta::types::BledyOperacji>(&fault, BLEDY_OPERACJI)
                    .map(|d| d.blad)
            });
        }
        #[cfg(feature = "cer")]
        {
            blad = blad.or_else(|| {
                decode_detail::<crate::cer::types::BledyOperacji>(&fault, BLEDY_OPERACJI_CER)
                    .map(|d| d.blad)
            });
        }
        match blad {
            Some(blad) => Self::BledyOperacji { blad, fault },
            None => Self::Unhandled(fault),
        }
    }

    fn fault(&self) -> &SoapFault {
        match self {
            Self::BledyOperacji { fault, .. } | Self::Unhandled(fault) => fault,
        }
    }
}

impl fmt::Display for BladUslugi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BledyOperacji { blad, fault } => {
                write!(f, "P1 error {}", blad.kod_bledu_major)?;
                if let Some(minor) = &blad.kod_bledu_minor {
                    write!(f, " ({minor})")?;
                }
                match &blad.opis {
                    Some(opis) => write!(f, ": {opis}"),
                    None => write!(f, ": {}", fault.message),
                }
            }
            Self::Unhandled(fault) => write!(f, "{fault}"),
        }
    }
}

impl std::error::Error for BladUslugi {}
