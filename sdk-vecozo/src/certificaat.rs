//! The AGB code a VECOZO certificate is issued under.
//!
//! VECOZO issues system and personal certificates "under an institution" (seed 003): both kinds
//! name the AGB code of the practice or institution they belong to. **Reconstructed:** where the
//! code sits in the certificate is not public. This reads it from the subject's `serialNumber`
//! attribute (OID 2.5.4.5; eight digits, optionally after `AGB`, `AGB-` or `AGB:`), and failing
//! that from an organisational unit (`OU`) of that form; the sandbox issues its certificates so.

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::AgbCode;

/// OID of the `serialNumber` attribute of a distinguished name.
const SERIAL_NUMBER: &str = "2.5.4.5";

/// Why no AGB code could be read from a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificaatFout {
    /// The bytes are not an X.509 certificate (DER).
    #[error("the {welk} is not an X.509 certificate: {reden}")]
    Onleesbaar {
        /// Which certificate (`system certificate`, `personal certificate`).
        welk: &'static str,
        /// The parser's message.
        reden: String,
    },
    /// The certificate names no AGB code in its subject.
    #[error(
        "the {welk} ({subject}) names no AGB code: expected eight digits in the subject's serialNumber or an OU"
    )]
    GeenAgbCode {
        /// Which certificate.
        welk: &'static str,
        /// The certificate's subject.
        subject: String,
    },
}

/// The AGB code of the practice or institution the certificate (DER) is issued under. `welk`
/// names the certificate in errors.
pub fn agb_code(der: &[u8], welk: &'static str) -> Result<AgbCode, CertificaatFout> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| CertificaatFout::Onleesbaar {
        welk,
        reden: e.to_string(),
    })?;
    let subject = cert.subject();
    let from_text = |text: &str| {
        let t = text.trim();
        let t = t
            .strip_prefix("AGB")
            .map(|r| r.trim_start_matches([':', '-', ' ']))
            .unwrap_or(t);
        AgbCode::parse(t).ok()
    };
    let serial = subject
        .iter_attributes()
        .filter(|a| a.attr_type().to_id_string() == SERIAL_NUMBER)
        .filter_map(|a| a.as_str().ok())
        .find_map(from_text);
    if let Some(code) = serial {
        return Ok(code);
    }
    subject
        .iter_organizational_unit()
        .filter_map(|a| a.as_str().ok())
        .find_map(from_text)
        .ok_or_else(|| CertificaatFout::GeenAgbCode {
            welk,
            subject: subject.to_string(),
        })
}
