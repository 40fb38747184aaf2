//! WS-Security for e-Recepta with [`sdk_runtime::wssec`]: signing requests as P1 requires, and
//! (optionally) verifying answers.
//!
//! P1 authenticates a call twice: the TLS client certificate (`…-tls.p12`, the transport's
//! [`Identity`](sdk_runtime::transport::Identity)) and a WS-Security X.509 signature made with a
//! *separate* certificate (`…-wss.p12`, a [`SigningIdentity`]) over `soap:Body`, the
//! `kontekstWywolania` header and `wsu:Timestamp` (../shared/facts/p1.md §2).
//! [`WsSecuritySigner`] is a [`RequestSigner`]: with [`SigningProfile::p1`] it does exactly that.
//!
//! ```no_run
//! use sdk_p1::wssec::{SigningIdentity, SigningProfile, WsSecuritySigner};
//! use sdk_p1::{Client, Environment};
//! use sdk_runtime::transport::Identity;
//!
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let tls = Identity::from_pkcs12_file("Podmiot-tls.p12", &std::env::var("TLS_P12_PASSWORD")?)?;
//! let wss = SigningIdentity::from_pkcs12_file("Podmiot-wss.p12", &std::env::var("WSS_P12_PASSWORD")?)?;
//! let client = Client::builder()
//!     .environment(Environment::Integration)
//!     .identity(tls)
//!     .signer(WsSecuritySigner::new(wss, SigningProfile::p1()))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! ## Documents
//!
//! Clinical documents travel in `tresc` with a signature of their own: XAdES-BES enveloped,
//! made with the **professional's** certificate — a third certificate, neither the TLS nor the
//! WSS one (../shared/facts/p1.md §2). [`TrescDokumentu::podpisz`](crate::TrescDokumentu::podpisz)
//! signs a CDA that way; [`p1_document_verifier`] checks such a signature
//! ([`TrescDokumentu::sprawdz_podpis`](crate::TrescDokumentu::sprawdz_podpis)).
//!
//! Answers are verified only when asked, with
//! [`ClientBuilder::verify_responses`](crate::ClientBuilder::verify_responses) and a
//! [`Verifier`]: whether P1 signs its answers is not known from public sources, so the default
//! is not to verify (see there).

use sdk_runtime::soap::OperationSpec;

pub use sdk_runtime::wssec::keys::SigningIdentity;
pub use sdk_runtime::wssec::sign::{
    DocumentSignatureProfile, SignError, SigningProfile, WsSecuritySigner,
    sign_enveloped_document_with,
};
pub use sdk_runtime::wssec::verify::{
    TrustAnchors, VerificationPolicy, VerifiedDocument, VerifiedEnvelope, Verifier, VerifyError,
};
pub use sdk_runtime::wssec::{SignedPart, TokenReference, XadesLevel};

use crate::signing::{RequestSigner, SigningError};

/// Signs each request envelope with [`WsSecuritySigner::sign_envelope`] (a fresh
/// `wsu:Timestamp` per call); a signing failure is a [`SigningError`] and nothing is sent.
impl RequestSigner for WsSecuritySigner {
    fn sign(&self, operation: &OperationSpec, envelope: Vec<u8>) -> Result<Vec<u8>, SigningError> {
        self.sign_envelope(&envelope).map_err(|e| {
            SigningError::with_source(
                format!("WS-Security signing of {} failed", operation.name),
                e,
            )
        })
    }
}

/// A signer with P1's profile ([`SigningProfile::p1`]) for `identity`.
pub fn p1_signer(identity: SigningIdentity) -> WsSecuritySigner {
    WsSecuritySigner::new(identity, SigningProfile::p1())
}

/// A verifier of P1 document signatures (prescriptions in `tresc`): the signer's certificate
/// must chain to `trust` (the CA of the professionals' document-signing certificates) and the
/// signature must be XAdES-BES enveloped ([`VerificationPolicy::require_xades`]); a plain
/// XML-DSig signature is refused as [`VerifyError::XadesRequired`]. The policy's SOAP
/// requirements (signed Body, Timestamp) do not apply to documents.
pub fn p1_document_verifier(trust: TrustAnchors) -> Verifier {
    Verifier::new(VerificationPolicy::new(trust).require_xades(true))
}
