//! The Machtigingenportaal Instroomservice: stream an authorisation request's data in, get the
//! link that opens the pre-filled form.
//!
//! **Reconstructed** from VECOZO's support page (seed 003): no interface description is public,
//! so the address, names and error codes may differ from production
//! (`openapi/vecozo/instroom.yaml`). The rules the page states are checked here, before
//! anything is sent, each as its own [`InstroomFout`]:
//!
//! 1. the system certificate (which calls) and the personal certificate (with which the person
//!    will open the link) are issued under the same institution: the same AGB code
//!    ([`InstroomFout::CertificatenOngelijk`]);
//! 2. the institution's AGB code in the data equals it
//!    ([`InstroomFout::InstantieOngelijk`]) and is of AGB type practice or institution
//!    ([`InstroomFout::InstantieSoort`]);
//! 3. the care provider's AGB code is well formed and a care provider's
//!    ([`InstroomFout::Zorgverlener`]); whether it exists only VECOZO can say;
//!
//! and the insured person's BSN passes the eleven test ([`InstroomFout::Bsn`]), with every field
//! checked against the description ([`InstroomFout::Gegevens`]).

use sdk_runtime::SdkError;
use sdk_runtime::transport::{HttpClient, Identity};
use sdk_runtime::url::Url;
use sdk_runtime::xml::{Validate, ValidationError};

use crate::certificaat::{self, CertificaatFout};
use crate::generated::instroom::operation::instromen as op;
use crate::generated::instroom::types::{Instroomlink, Instroomverzoek};
use crate::{AgbCode, AgbSoort, Bsn};

pub use crate::generated::instroom::types;

/// Why an Instroom request was refused before it was sent, or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstroomFout {
    /// A certificate names no AGB code, or is not a certificate.
    #[error(transparent)]
    Certificaat(#[from] CertificaatFout),
    /// Rule 1: the two certificates belong to different institutions.
    #[error(
        "the system certificate is issued under AGB code {systeem} and the personal certificate under {persoonlijk}: both must be issued under the same institution"
    )]
    CertificatenOngelijk {
        /// The system certificate's AGB code.
        systeem: AgbCode,
        /// The personal certificate's AGB code.
        persoonlijk: AgbCode,
    },
    /// Rule 2: the institution in the data is not the certificates'.
    #[error(
        "the institution's AGB code in the data ({in_gegevens}) differs from the certificates' ({certificaat}): authorisations can be requested only for the certificates' own AGB code"
    )]
    InstantieOngelijk {
        /// The code in the data.
        in_gegevens: String,
        /// The certificates' code.
        certificaat: AgbCode,
    },
    /// Rule 2: the institution's AGB code is not a practice's or an institution's.
    #[error(
        "the institution's AGB code {code} is a {soort}'s code: it must be of AGB type praktijk or instelling"
    )]
    InstantieSoort {
        /// The code.
        code: AgbCode,
        /// What it identifies.
        soort: AgbSoort,
    },
    /// Rule 3: the care provider's AGB code is malformed or not a care provider's.
    #[error("the care provider's AGB code `{code}` {reden}")]
    Zorgverlener {
        /// The code given.
        code: String,
        /// What is wrong with it.
        reden: &'static str,
    },
    /// The insured person's BSN fails its checks.
    #[error("the insured person's BSN: {0}")]
    Bsn(ValidationError),
    /// A field breaks the description's constraints.
    #[error("the request breaks the description's constraints: {0}")]
    Gegevens(ValidationError),
    /// The call failed (transport, VECOZO's refusal: [`op::Error`]).
    #[error(transparent)]
    Aanroep(#[from] SdkError<op::Error>),
}

/// The Instroomservice client, bound to the practice's system certificate. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Instroom {
    client: crate::generated::instroom::Client,
    systeem: AgbCode,
}

impl Instroom {
    /// VECOZO's production address (reconstructed).
    pub const PRODUCTION_BASE_URL: &'static str =
        crate::generated::instroom::Client::DEFAULT_BASE_URL;

    /// A client at `base_url` over `http`, which must authenticate with `systeemcertificaat`
    /// (the same identity given to the `HttpClient`): its AGB code is read now.
    pub fn new(
        http: HttpClient,
        base_url: Url,
        systeemcertificaat: &Identity,
    ) -> Result<Self, InstroomFout> {
        let der = systeemcertificaat
            .certificate_chain()
            .first()
            .map(|c| c.to_vec())
            .unwrap_or_default();
        let systeem = certificaat::agb_code(&der, "system certificate")?;
        Ok(Self {
            client: crate::generated::instroom::Client::new(http, base_url),
            systeem,
        })
    }

    /// The AGB code of the institution the system certificate is issued under.
    pub fn agb_code(&self) -> &AgbCode {
        &self.systeem
    }

    /// Checks `verzoek` against the rules (see the module) for the person who will open the
    /// link with the personal certificate `persoonlijk_certificaat` (DER), without sending.
    pub fn controleer(
        &self,
        verzoek: &Instroomverzoek,
        persoonlijk_certificaat: &[u8],
    ) -> Result<(), InstroomFout> {
        let persoonlijk = certificaat::agb_code(persoonlijk_certificaat, "personal certificate")?;
        if persoonlijk != self.systeem {
            return Err(InstroomFout::CertificatenOngelijk {
                systeem: self.systeem.clone(),
                persoonlijk,
            });
        }
        let instantie = &verzoek.instantie.agb_code;
        let instantie_text = instantie.as_str();
        match AgbCode::parse(instantie_text) {
            Ok(code) if code == self.systeem => {
                if code.soort() == AgbSoort::Zorgverlener {
                    return Err(InstroomFout::InstantieSoort {
                        soort: code.soort(),
                        code,
                    });
                }
            }
            _ => {
                return Err(InstroomFout::InstantieOngelijk {
                    in_gegevens: instantie_text.chars().take(40).collect(),
                    certificaat: self.systeem.clone(),
                });
            }
        }
        let zorgverlener = verzoek.zorgverlener.agb_code.as_str();
        match AgbCode::parse(zorgverlener) {
            Err(_) => {
                return Err(InstroomFout::Zorgverlener {
                    code: zorgverlener.chars().take(40).collect(),
                    reden: "is not an AGB code (eight digits)",
                });
            }
            Ok(code) if code.soort() != AgbSoort::Zorgverlener => {
                return Err(InstroomFout::Zorgverlener {
                    code: code.to_string(),
                    reden: "is a practice's or an institution's code, not a care provider's",
                });
            }
            Ok(_) => {}
        }
        Bsn::parse(&verzoek.verzekerde.bsn).map_err(InstroomFout::Bsn)?;
        verzoek.validated().map_err(InstroomFout::Gegevens)?;
        Ok(())
    }

    /// Checks `verzoek` (see [`controleer`](Self::controleer)), sends it, and answers the link
    /// the person opens with `persoonlijk_certificaat` (DER) to finish the application.
    pub async fn instromen(
        &self,
        verzoek: &Instroomverzoek,
        persoonlijk_certificaat: &[u8],
    ) -> Result<Instroomlink, InstroomFout> {
        self.controleer(verzoek, persoonlijk_certificaat)?;
        let answer = self
            .client
            .instromen(&op::Input::new(verzoek.clone()))
            .await?;
        Ok(answer.output)
    }
}
