//! Verification of WS-Security signed SOAP envelopes and enveloped XML-DSig documents.
//!
//! A [`Verifier`] checks a message against a [`VerificationPolicy`]: which certificates are
//! trusted, how much clock skew is tolerated, and which parts of the envelope must be signed.
//! Only the algorithms of current WS-Security profiles are accepted (exclusive C14N, SHA-256,
//! RSA-SHA256 and ECDSA-P256-SHA256); anything else is refused by name
//! ([`VerifyError::UnsupportedAlgorithm`]).
//!
//! # What is checked, in order
//!
//! 1. The envelope has exactly one `wsse:Security` header for the ultimate receiver (no
//!    `actor`/`role`) and exactly one `ds:Signature` in it.
//! 2. The `ds:Signature` is well formed, uses only supported algorithms and has at most 30
//!    references.
//! 3. Every `ds:Reference` (`URI="#id"`) resolves to exactly one element — a duplicated ID is a
//!    signature-wrapping attempt ([`VerifyError::SignatureWrapping`]). Nothing is digested yet.
//! 4. The certificate named by `ds:KeyInfo` is found (BinarySecurityToken reference, Subject Key
//!    Identifier, X509IssuerSerial or an inline `ds:X509Certificate`; at most 8 certificates in
//!    `ds:X509Data` and 8 X.509 BinarySecurityTokens in the Security header), and the
//!    signature value over the canonical `ds:SignedInfo` verifies with its key.
//! 5. The certificate is within its validity period and chains to the trust anchors (checked
//!    with rustls-webpki).
//! 6. Only then, with `ds:SignedInfo` authenticated, each reference's digest is computed and
//!    compared (as Apache Santuario orders it): an unauthenticated message costs one signature
//!    check, not one canonicalization per reference. A changed signed element is a
//!    [`VerifyError::DigestMismatch`]; a changed `ds:DigestValue` changes `ds:SignedInfo` and
//!    is a [`VerifyError::SignatureInvalid`].
//! 7. The `wsu:Timestamp` is within its window (with the allowed clock skew) and not older than
//!    the policy's maximum age where that applies
//!    ([`VerificationPolicy::max_timestamp_age`]).
//! 8. Every required part (Body, Timestamp, header blocks) is covered by a reference to the
//!    element in its proper place — the envelope's own `soap:Body`, a direct child of
//!    `soap:Header`, the Timestamp of this Security header. A signed element found elsewhere
//!    is reported as signature wrapping.
//!
//! An enveloped document ([`Verifier::verify_enveloped_document`]) goes through steps 2–6 for
//! its `ds:Signature` (a child of the document element, with a `Reference URI=""`), and then,
//! when the signature carries `ds:Object/xades:QualifyingProperties` (XAdES v1.3.2, as P1's
//! e-prescriptions), its XAdES-BES properties: the Target names the signature, the
//! `xades:SignedProperties` are covered by a reference of type
//! `http://uri.etsi.org/01903#SignedProperties` (so their digest was checked in step 6), and a
//! `xades:SigningCertificate/xades:Cert` has the signing certificate's SHA-256 digest and its
//! issuer and serial number. The report gives the level and the signed `xades:SigningTime`;
//! [`VerificationPolicy::require_xades`] refuses plain XML-DSig documents.
//!
//! Verification can be switched off only explicitly ([`Verifier::disabled`],
//! [`Verification::Disabled`]); the result then says that nothing was verified.
//!
//! ```no_run
//! use sdk_runtime::wssec::verify::{TrustAnchors, VerificationPolicy, Verifier};
//!
//! # fn demo(envelope: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let trust = TrustAnchors::from_pem(&std::fs::read("ccp1-root.pem")?)?;
//! let verifier = Verifier::new(VerificationPolicy::p1(trust));
//! let report = verifier.verify_envelope(envelope)?;
//! for r in report.signed_references() {
//!     println!("signed: {} ({})", r.path(), r.uri());
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use ring::signature::{ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::{OID_KEY_TYPE_EC_PUBLIC_KEY, OID_PKCS1_RSAENCRYPTION};
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;

use super::c14n::{C14nError, EXC_C14N, ExcC14n, InclusiveC14n};
use super::common::{
    CertificateInfo, SignatureAlgorithm, SignedPart, TokenReference, XadesLevel, single_child,
};
use super::document::{Document, DocumentError, Element, ElementId, LookupError};
use super::ns;

pub use super::ns::{P1_KONTEKST_LOCAL, P1_KONTEKST_NS};

/// The SOAP 1.2 role of the ultimate receiver (same as no role).
const SOAP12_ULTIMATE_RECEIVER: &str =
    "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";

/// Algorithms that are known and deliberately refused as weak.
const WEAK_ALGORITHMS: &[&str] = &[
    "http://www.w3.org/2000/09/xmldsig#sha1",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#md5",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
];

fn algorithm_note(uri: &str) -> &'static str {
    if WEAK_ALGORITHMS.contains(&uri) {
        " — a weak algorithm (SHA-1/MD5), refused"
    } else {
        ""
    }
}

/// Why a message did not verify. Each message says what was checked and what was found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The message is not well-formed XML (or breaks the strict rules of [`Document`]).
    #[error("the message could not be parsed: {0}")]
    Parse(#[from] DocumentError),
    /// The document element is not a SOAP 1.1/1.2 `Envelope`, or its structure is broken.
    #[error("not a SOAP envelope: {reason}")]
    NotAnEnvelope {
        /// What was found.
        reason: String,
    },
    /// No `wsse:Security` header for the ultimate receiver.
    #[error(
        "no wsse:Security header (for the ultimate receiver, without actor/role) in soap:Header{found}"
    )]
    NoSecurityHeader {
        /// Extra detail (e.g. headers found for other actors), may be empty.
        found: String,
    },
    /// More than one `wsse:Security` header for the ultimate receiver.
    #[error("{count} wsse:Security headers for the ultimate receiver; exactly one is allowed")]
    MultipleSecurityHeaders {
        /// How many were found.
        count: usize,
    },
    /// No `ds:Signature` where one is expected.
    #[error("no ds:Signature in {location}")]
    NoSignature {
        /// Where it was looked for.
        location: String,
    },
    /// More than one `ds:Signature` where exactly one is expected.
    #[error("{count} ds:Signature elements in {location}; exactly one is allowed")]
    MultipleSignatures {
        /// How many were found.
        count: usize,
        /// Where.
        location: String,
    },
    /// The `ds:Signature` (or a WS-Security element it depends on) is not well formed.
    #[error("malformed signature: {reason}")]
    MalformedSignature {
        /// What is wrong.
        reason: String,
    },
    /// An algorithm other than the supported ones.
    #[error(
        "unsupported {what} `{uri}`{note}; supported: exc-c14n (canonicalization and transform), enveloped-signature (documents), sha256, rsa-sha256, ecdsa-sha256",
        note = algorithm_note(uri)
    )]
    UnsupportedAlgorithm {
        /// Which algorithm slot (`CanonicalizationMethod`, `Transform of Reference #body`, …).
        what: String,
        /// The algorithm URI found (`(none)` when missing).
        uri: String,
    },
    /// A `ds:Reference` URI of a form that is not supported here.
    #[error("unsupported reference URI `{uri}`: {reason}")]
    UnsupportedReference {
        /// The URI.
        uri: String,
        /// Why.
        reason: String,
    },
    /// A reference names an element that does not exist.
    #[error("reference `{uri}` points at no element: {reason}")]
    ReferenceNotFound {
        /// The URI.
        uri: String,
        /// What was looked for.
        reason: String,
    },
    /// The digest of a referenced element differs from its `ds:DigestValue`: the element was
    /// changed after signing.
    #[error(
        "digest mismatch for reference `{uri}` ({element}): the element was changed after signing"
    )]
    DigestMismatch {
        /// The reference URI.
        uri: String,
        /// Path of the referenced element (`/Envelope/Body`).
        element: String,
    },
    /// The signature value does not verify with the signer's key over `ds:SignedInfo`.
    #[error("signature value does not verify ({algorithm}): {reason}")]
    SignatureInvalid {
        /// The signature algorithm.
        algorithm: SignatureAlgorithm,
        /// What failed.
        reason: String,
    },
    /// The signer's certificate was not found.
    #[error("signing certificate not found: {reason}")]
    KeyNotFound {
        /// What `ds:KeyInfo` said and where it was looked for.
        reason: String,
    },
    /// A certificate (in the message or given to the policy) could not be read.
    #[error("invalid certificate ({what}): {reason}")]
    InvalidCertificate {
        /// Which certificate.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// The signer's certificate is not trusted. The subject is not included (it names a
    /// person); issuer and serial number identify the certificate.
    #[error("signing certificate (issuer {issuer}, serial {serial}) is not trusted: {reason}")]
    UntrustedCertificate {
        /// The certificate's issuer.
        issuer: String,
        /// The certificate's serial number (decimal).
        serial: String,
        /// Why the path to the trust anchors failed.
        reason: String,
    },
    /// The signer's certificate has expired.
    #[error(
        "signing certificate (issuer {issuer}, serial {serial}) expired at {not_after} (now {now})"
    )]
    CertificateExpired {
        /// The certificate's issuer.
        issuer: String,
        /// The certificate's serial number (decimal).
        serial: String,
        /// End of its validity.
        not_after: OffsetDateTime,
        /// The verification time.
        now: OffsetDateTime,
    },
    /// The signer's certificate is not valid yet.
    #[error(
        "signing certificate (issuer {issuer}, serial {serial}) is valid only from {not_before} (now {now})"
    )]
    CertificateNotYetValid {
        /// The certificate's issuer.
        issuer: String,
        /// The certificate's serial number (decimal).
        serial: String,
        /// Start of its validity.
        not_before: OffsetDateTime,
        /// The verification time.
        now: OffsetDateTime,
    },
    /// The policy requires a `wsu:Timestamp` and the Security header has none.
    #[error("no wsu:Timestamp in the wsse:Security header, and the policy requires one")]
    TimestampMissing,
    /// The `wsu:Timestamp` is malformed.
    #[error("invalid wsu:Timestamp: {reason}")]
    TimestampInvalid {
        /// What is wrong.
        reason: String,
    },
    /// The `wsu:Timestamp` has expired (beyond the allowed clock skew).
    #[error("wsu:Timestamp expired at {expires} (now {now}, clock skew allowed {skew_seconds} s)")]
    TimestampExpired {
        /// The `wsu:Expires` value.
        expires: OffsetDateTime,
        /// The verification time.
        now: OffsetDateTime,
        /// The allowed clock skew in seconds.
        skew_seconds: u64,
    },
    /// The `wsu:Timestamp` is older than the policy's maximum age (beyond the allowed clock
    /// skew): one without `wsu:Expires`, or any when the maximum age is configured
    /// ([`VerificationPolicy::max_timestamp_age`]).
    #[error(
        "wsu:Timestamp created at {created} is older than the maximum age of {max_age_seconds} s (now {now}, clock skew allowed {skew_seconds} s){note}",
        note = if *has_expires { "" } else { "; it has no wsu:Expires" }
    )]
    TimestampTooOld {
        /// The `wsu:Created` value.
        created: OffsetDateTime,
        /// Whether the Timestamp has a `wsu:Expires`.
        has_expires: bool,
        /// The maximum age in seconds.
        max_age_seconds: u64,
        /// The verification time.
        now: OffsetDateTime,
        /// The allowed clock skew in seconds.
        skew_seconds: u64,
    },
    /// The `wsu:Timestamp` was created in the future (beyond the allowed clock skew).
    #[error(
        "wsu:Timestamp created at {created}, in the future (now {now}, clock skew allowed {skew_seconds} s)"
    )]
    TimestampInFuture {
        /// The `wsu:Created` value.
        created: OffsetDateTime,
        /// The verification time.
        now: OffsetDateTime,
        /// The allowed clock skew in seconds.
        skew_seconds: u64,
    },
    /// A part the policy requires is not in the message.
    #[error("required part {part} is not in the message")]
    RequiredPartMissing {
        /// The part.
        part: SignedPart,
    },
    /// A part the policy requires is in the message but no reference of the signature covers
    /// it.
    #[error("required part {part} is not covered by the signature")]
    RequiredPartNotSigned {
        /// The part.
        part: SignedPart,
    },
    /// The signed elements are not where the message's consumer reads them: a duplicated ID,
    /// or a signed element moved away and replaced.
    #[error("signature wrapping: {reason}")]
    SignatureWrapping {
        /// What was found.
        reason: String,
    },
    /// Canonicalization failed.
    #[error("canonicalization failed: {0}")]
    Canonicalization(#[from] C14nError),
    /// The document's XAdES qualifying properties are not well formed, or of a form not
    /// supported here (another XAdES version, `SigningCertificateV2`, a missing
    /// `SigningCertificate`).
    #[error("malformed XAdES properties: {reason}")]
    XadesMalformed {
        /// What is wrong.
        reason: String,
    },
    /// `xades:QualifyingProperties/@Target` does not point at the `ds:Signature` it is in.
    #[error(
        "xades:QualifyingProperties Target=\"{target}\" does not point at its ds:Signature (Id \"{signature_id}\")"
    )]
    XadesTargetMismatch {
        /// The Target found.
        target: String,
        /// The signature's Id (empty when it has none).
        signature_id: String,
    },
    /// `xades:SignedProperties` is present but no `ds:Reference` of the signature covers it:
    /// its content (signing time, signing certificate) is not signed.
    #[error("xades:SignedProperties is not signed: {reason}")]
    XadesSignedPropertiesNotSigned {
        /// What was found.
        reason: String,
    },
    /// `xades:SigningCertificate` does not name the certificate that made the signature.
    #[error("xades:SigningCertificate does not match the signing certificate: {reason}")]
    XadesSigningCertificateMismatch {
        /// What differs.
        reason: String,
    },
    /// The policy requires XAdES ([`VerificationPolicy::require_xades`]) and the document's
    /// signature is plain XML-DSig.
    #[error(
        "the policy requires a XAdES-BES signature and the document's signature has no xades:QualifyingProperties"
    )]
    XadesRequired,
}

impl VerifyError {
    /// Which check refused the message (what a caller maps to its own error codes, or prints
    /// next to the message). Every variant belongs to exactly one check.
    pub fn check(&self) -> VerifyCheck {
        match self {
            VerifyError::Parse(_) | VerifyError::NotAnEnvelope { .. } => VerifyCheck::Xml,
            VerifyError::NoSecurityHeader { .. }
            | VerifyError::MultipleSecurityHeaders { .. }
            | VerifyError::NoSignature { .. }
            | VerifyError::MultipleSignatures { .. }
            | VerifyError::MalformedSignature { .. } => VerifyCheck::Structure,
            VerifyError::UnsupportedAlgorithm { .. } | VerifyError::UnsupportedReference { .. } => {
                VerifyCheck::Algorithm
            }
            VerifyError::ReferenceNotFound { .. } | VerifyError::DigestMismatch { .. } => {
                VerifyCheck::Digest
            }
            VerifyError::SignatureInvalid { .. } => VerifyCheck::SignatureValue,
            VerifyError::KeyNotFound { .. }
            | VerifyError::InvalidCertificate { .. }
            | VerifyError::UntrustedCertificate { .. }
            | VerifyError::CertificateExpired { .. }
            | VerifyError::CertificateNotYetValid { .. } => VerifyCheck::Certificate,
            VerifyError::TimestampMissing
            | VerifyError::TimestampInvalid { .. }
            | VerifyError::TimestampExpired { .. }
            | VerifyError::TimestampTooOld { .. }
            | VerifyError::TimestampInFuture { .. } => VerifyCheck::Timestamp,
            VerifyError::RequiredPartMissing { .. }
            | VerifyError::RequiredPartNotSigned { .. }
            | VerifyError::SignatureWrapping { .. } => VerifyCheck::SignedParts,
            VerifyError::Canonicalization(_) => VerifyCheck::Canonicalization,
            VerifyError::XadesMalformed { .. }
            | VerifyError::XadesTargetMismatch { .. }
            | VerifyError::XadesSignedPropertiesNotSigned { .. }
            | VerifyError::XadesSigningCertificateMismatch { .. }
            | VerifyError::XadesRequired => VerifyCheck::Xades,
        }
    }
}

/// The check a [`VerifyError`] belongs to ([`VerifyError::check`]). `Display` gives a short
/// lower-case name (`"signature value"`, `"timestamp"`, `"XAdES"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyCheck {
    /// The message is not well-formed XML, or not a SOAP envelope.
    Xml,
    /// The Security header or the `ds:Signature` is missing, repeated or malformed.
    Structure,
    /// An unsupported (or weak) algorithm, or an unsupported reference URI.
    Algorithm,
    /// A reference points at nothing, or its digest does not match.
    Digest,
    /// The signature value does not verify with the signer's key.
    SignatureValue,
    /// The signing certificate is missing, unreadable, untrusted or outside its validity.
    Certificate,
    /// The `wsu:Timestamp` is missing, malformed, expired, too old or in the future.
    Timestamp,
    /// A required part is missing or unsigned, or signed where the receiver does not read it
    /// (signature wrapping).
    SignedParts,
    /// The document's XAdES properties are missing (when required) or do not hold.
    Xades,
    /// Canonicalization failed.
    Canonicalization,
}

impl fmt::Display for VerifyCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerifyCheck::Xml => "XML",
            VerifyCheck::Structure => "structure",
            VerifyCheck::Algorithm => "algorithm",
            VerifyCheck::Digest => "digest",
            VerifyCheck::SignatureValue => "signature value",
            VerifyCheck::Certificate => "certificate",
            VerifyCheck::Timestamp => "timestamp",
            VerifyCheck::SignedParts => "signed parts",
            VerifyCheck::Xades => "XAdES",
            VerifyCheck::Canonicalization => "canonicalization",
        })
    }
}

/// Why certificates could not be loaded into [`TrustAnchors`] or a [`VerificationPolicy`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reading certificates: {0}")]
pub struct CertificateLoadError(String);

/// Certificates trusted as roots of signing-certificate paths.
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    certs: Vec<CertificateInfo>,
    /// webpki's form of `certs`, made once when loading rather than for every message.
    anchors: Vec<TrustAnchor<'static>>,
}

fn parse_pem_certs(pem: &[u8]) -> Result<Vec<CertificateInfo>, CertificateLoadError> {
    let mut out = Vec::new();
    for block in Pem::iter_from_buffer(pem) {
        let block = block.map_err(|e| CertificateLoadError(format!("PEM: {e}")))?;
        if block.label != "CERTIFICATE" {
            continue;
        }
        out.push(
            CertificateInfo::from_der(&block.contents)
                .map_err(|e| CertificateLoadError(e.to_string()))?,
        );
    }
    if out.is_empty() {
        return Err(CertificateLoadError(
            "no CERTIFICATE block in the PEM data".into(),
        ));
    }
    Ok(out)
}

fn parse_der_cert(der: &[u8]) -> Result<CertificateInfo, CertificateLoadError> {
    CertificateInfo::from_der(der).map_err(|e| CertificateLoadError(e.to_string()))
}

/// webpki's trust anchor for `cert`: a certificate it cannot use as one is refused when loaded.
fn anchor_of(cert: &CertificateInfo) -> Result<TrustAnchor<'static>, CertificateLoadError> {
    webpki::anchor_from_trusted_cert(&CertificateDer::from(cert.der()))
        .map(|a| a.to_owned())
        .map_err(|e| CertificateLoadError(format!("not usable as a trust anchor: {e}")))
}

impl TrustAnchors {
    /// No trust anchors (nothing verifies until some are added).
    pub fn new() -> Self {
        Self::default()
    }

    /// The certificates of one or more PEM `CERTIFICATE` blocks (other blocks are skipped).
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertificateLoadError> {
        let mut anchors = Self::new();
        anchors.add_pem(pem)?;
        Ok(anchors)
    }

    /// One DER-encoded certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateLoadError> {
        let mut anchors = Self::new();
        anchors.add_der(der)?;
        Ok(anchors)
    }

    /// Adds the certificates of PEM `CERTIFICATE` blocks.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<&mut Self, CertificateLoadError> {
        // All or nothing: one unusable certificate adds none.
        let certs = parse_pem_certs(pem)?;
        let anchors = certs.iter().map(anchor_of).collect::<Result<Vec<_>, _>>()?;
        self.certs.extend(certs);
        self.anchors.extend(anchors);
        Ok(self)
    }

    /// Adds one DER-encoded certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<&mut Self, CertificateLoadError> {
        let cert = parse_der_cert(der)?;
        self.anchors.push(anchor_of(&cert)?);
        self.certs.push(cert);
        Ok(self)
    }

    /// The trusted certificates.
    pub fn certificates(&self) -> &[CertificateInfo] {
        &self.certs
    }

    /// How many certificates are trusted.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether no certificate is trusted.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

/// What a [`Verifier`] demands of a message.
#[derive(Clone, Debug)]
pub struct VerificationPolicy {
    trust: TrustAnchors,
    intermediates: Vec<CertificateInfo>,
    known: Vec<CertificateInfo>,
    clock_skew: Duration,
    require_timestamp: bool,
    max_timestamp_age: Option<Duration>,
    required_parts: Vec<SignedPart>,
    require_xades: bool,
    xml_limits: crate::xml::Limits,
}

/// How long a `wsu:Timestamp` without `wsu:Expires` is accepted after its `wsu:Created`
/// unless [`VerificationPolicy::max_timestamp_age`] says otherwise (WSS4J's default
/// `timeToLive`).
pub const DEFAULT_MAX_TIMESTAMP_AGE: Duration = Duration::from_secs(300);

impl VerificationPolicy {
    /// Signatures chaining to `trust`; a signed `wsu:Timestamp` and a signed `soap:Body`
    /// required; 300 s of clock skew allowed.
    pub fn new(trust: TrustAnchors) -> Self {
        VerificationPolicy {
            trust,
            intermediates: Vec::new(),
            known: Vec::new(),
            clock_skew: Duration::from_secs(300),
            require_timestamp: true,
            max_timestamp_age: None,
            require_xades: false,
            required_parts: vec![SignedPart::Body],
            xml_limits: crate::xml::Limits::DEFAULT,
        }
    }

    /// The limits a message's XML is held to before anything in it is verified (by default
    /// [`Limits::DEFAULT`](crate::xml::Limits::DEFAULT); the element depth never beyond
    /// [`MAX_DEPTH`](super::document::MAX_DEPTH)): going over one is
    /// [`DocumentError::Limit`] or `TooDeep`.
    pub fn xml_limits(mut self, limits: crate::xml::Limits) -> Self {
        self.xml_limits = limits;
        self
    }

    /// [`new`](Self::new) plus P1's profile: the `kontekstWywolania` header
    /// (`{http://csioz.gov.pl/p1/kontekst/mt/v20170510}kontekstWywolania`) must be signed.
    pub fn p1(trust: TrustAnchors) -> Self {
        Self::new(trust).require_part(SignedPart::header(P1_KONTEKST_NS, P1_KONTEKST_LOCAL))
    }

    /// The clock skew allowed between the sender's and our clock for the timestamp.
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }

    /// The longest a `wsu:Timestamp` is accepted after its `wsu:Created` (WSS4J's
    /// `timeToLive`), on top of the [clock skew](Self::clock_skew).
    ///
    /// * A Timestamp **without** `wsu:Expires` expires at Created + the maximum age: it is
    ///   refused ([`VerifyError::TimestampTooOld`]) once `now` ≥ Created + age + skew. Without
    ///   this setting the age is [`DEFAULT_MAX_TIMESTAMP_AGE`] (300 s), so such a Timestamp
    ///   never lives forever.
    /// * A Timestamp **with** `wsu:Expires` is judged by its Expires (plus skew) — and, only
    ///   when this setting is given explicitly, its Created must also be younger than age +
    ///   skew, whatever Expires says (a sender's long TTL cannot outlast the receiver's limit).
    pub fn max_timestamp_age(mut self, age: Duration) -> Self {
        self.max_timestamp_age = Some(age);
        self
    }

    /// Requires `part` to be signed (a no-op when already required).
    /// [`SignedPart::Timestamp`] also makes the timestamp required.
    pub fn require_part(mut self, part: SignedPart) -> Self {
        if part == SignedPart::Timestamp {
            self.require_timestamp = true;
        }
        if !self.required_parts.contains(&part) {
            self.required_parts.push(part);
        }
        self
    }

    /// Whether a signed `wsu:Timestamp` is required (default yes). When not required, a
    /// timestamp that is present is still checked for its validity window.
    pub fn require_timestamp(mut self, yes: bool) -> Self {
        self.require_timestamp = yes;
        if !yes {
            self.required_parts.retain(|p| *p != SignedPart::Timestamp);
        }
        self
    }

    /// Adds intermediate CA certificates (PEM) for paths whose intermediates are not in the
    /// message. They are not trusted by themselves.
    pub fn intermediates_pem(mut self, pem: &[u8]) -> Result<Self, CertificateLoadError> {
        self.intermediates.extend(parse_pem_certs(pem)?);
        Ok(self)
    }

    /// Adds one intermediate CA certificate (not trusted by itself).
    pub fn add_intermediate(mut self, cert: CertificateInfo) -> Self {
        self.intermediates.push(cert);
        self
    }

    /// Certificates to resolve Subject Key Identifier and X509IssuerSerial references (which
    /// name a certificate without carrying it). They must still chain to the trust anchors.
    pub fn known_certificates(mut self, certs: impl IntoIterator<Item = CertificateInfo>) -> Self {
        self.known.extend(certs);
        self
    }

    /// [`known_certificates`](Self::known_certificates) from PEM.
    pub fn known_certificates_pem(mut self, pem: &[u8]) -> Result<Self, CertificateLoadError> {
        self.known.extend(parse_pem_certs(pem)?);
        Ok(self)
    }

    /// Whether enveloped documents must carry a XAdES-BES signature (default no): with `true`,
    /// [`Verifier::verify_enveloped_document`] refuses a plain XML-DSig signature
    /// ([`VerifyError::XadesRequired`]). A XAdES signature is checked either way.
    pub fn require_xades(mut self, yes: bool) -> Self {
        self.require_xades = yes;
        self
    }

    /// Whether documents must carry a XAdES-BES signature.
    pub fn xades_required(&self) -> bool {
        self.require_xades
    }

    /// The trust anchors.
    pub fn trust_anchors(&self) -> &TrustAnchors {
        &self.trust
    }

    /// The parts that must be signed (the Timestamp included when required).
    pub fn required_parts(&self) -> Vec<SignedPart> {
        let mut parts = self.required_parts.clone();
        if self.require_timestamp && !parts.contains(&SignedPart::Timestamp) {
            parts.push(SignedPart::Timestamp);
        }
        parts
    }

    /// Whether a timestamp is required.
    pub fn timestamp_required(&self) -> bool {
        self.require_timestamp
    }

    /// The allowed clock skew.
    pub fn allowed_clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// The maximum age of a `wsu:Timestamp` (see [`max_timestamp_age`](Self::max_timestamp_age)):
    /// the configured value, or [`DEFAULT_MAX_TIMESTAMP_AGE`].
    pub fn allowed_timestamp_age(&self) -> Duration {
        self.max_timestamp_age.unwrap_or(DEFAULT_MAX_TIMESTAMP_AGE)
    }

    /// Whether the maximum age also applies to Timestamps that carry `wsu:Expires` (only
    /// when [`max_timestamp_age`](Self::max_timestamp_age) was given).
    pub fn timestamp_age_applies_with_expires(&self) -> bool {
        self.max_timestamp_age.is_some()
    }
}

/// Whether incoming signatures are verified: enforced under a policy, or explicitly disabled.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Verification {
    /// Verify under this policy.
    Enforced(VerificationPolicy),
    /// Do not verify (an explicit opt-out; reports say "not verified").
    Disabled,
}

/// Verifies signed envelopes and documents.
#[derive(Clone, Debug)]
pub struct Verifier {
    verification: Verification,
}

impl From<Verification> for Verifier {
    fn from(verification: Verification) -> Self {
        Verifier { verification }
    }
}

/// One `ds:Reference` of a verified signature and the element it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedReference {
    uri: String,
    namespace: Option<String>,
    local_name: String,
    path: String,
    part: Option<SignedPart>,
}

impl SignedReference {
    /// The reference URI (`#body`, or empty for a whole document).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The covered element's namespace (`None`: no namespace).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The covered element's local name.
    pub fn local_name(&self) -> &str {
        &self.local_name
    }

    /// The covered element's expanded name, `{namespace}local`.
    pub fn expanded_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{{{ns}}}{}", self.local_name),
            None => self.local_name.clone(),
        }
    }

    /// The covered element's path by local names, e.g. `/Envelope/Header/kontekstWywolania`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Which message part the element is (Body, Timestamp, a header block), if any.
    pub fn part(&self) -> Option<&SignedPart> {
        self.part.as_ref()
    }
}

/// What verification established about a signature (or, for [`Verifier::disabled`], that
/// nothing was verified).
#[derive(Clone, Debug)]
struct Established {
    references: Vec<SignedReference>,
    signer: CertificateInfo,
    algorithm: SignatureAlgorithm,
    token_reference: Option<TokenReference>,
}

/// What a verification established about a signature, shared by [`VerifiedEnvelope`] and
/// [`VerifiedDocument`] (both dereference to it): the references, the signer, the algorithm
/// and how the key was found. Empty for [`Verifier::disabled`].
#[derive(Clone, Debug, Default)]
pub struct SignatureReport {
    established: Option<Established>,
}

impl SignatureReport {
    fn of(established: Established) -> Self {
        SignatureReport {
            established: Some(established),
        }
    }

    /// Whether the signature was verified; `false` only with verification disabled.
    pub fn verified(&self) -> bool {
        self.established.is_some()
    }

    /// The signature's references and the elements they cover (empty when not verified;
    /// `URI=""` for a whole document).
    pub fn signed_references(&self) -> &[SignedReference] {
        self.established
            .as_ref()
            .map_or(&[][..], |e| &e.references[..])
    }

    /// The signer's certificate (`None` when not verified).
    pub fn signer(&self) -> Option<&CertificateInfo> {
        self.established.as_ref().map(|e| &e.signer)
    }

    /// The signature algorithm (`None` when not verified).
    pub fn algorithm(&self) -> Option<SignatureAlgorithm> {
        self.established.as_ref().map(|e| e.algorithm)
    }

    /// How `ds:KeyInfo` referred to the certificate; `None` when not verified or when the
    /// certificate was inline in `ds:KeyInfo/ds:X509Data/ds:X509Certificate`.
    pub fn token_reference(&self) -> Option<TokenReference> {
        self.established.as_ref().and_then(|e| e.token_reference)
    }

    /// Whether `part` is covered by the signature at its proper place.
    pub fn is_signed(&self, part: &SignedPart) -> bool {
        self.signed_references()
            .iter()
            .any(|r| r.part() == Some(part))
    }
}

impl fmt::Display for SignatureReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(e) = &self.established else {
            return f.write_str("not verified (signature verification disabled)");
        };
        write!(
            f,
            "verified {} signature by certificate issued by {} (serial {}); signed:",
            e.algorithm,
            e.signer.issuer(),
            e.signer.serial_decimal()
        )?;
        for r in &e.references {
            write!(f, " {}", r.path)?;
        }
        Ok(())
    }
}

/// A verified envelope: what was signed, and by whom (through [`SignatureReport`], which it
/// dereferences to), and its timestamp.
#[derive(Clone, Debug)]
pub struct VerifiedEnvelope {
    report: SignatureReport,
    timestamp: Option<(OffsetDateTime, Option<OffsetDateTime>)>,
}

impl std::ops::Deref for VerifiedEnvelope {
    type Target = SignatureReport;

    fn deref(&self) -> &SignatureReport {
        &self.report
    }
}

impl VerifiedEnvelope {
    /// The checked `wsu:Timestamp`: Created and (if present) Expires.
    pub fn timestamp(&self) -> Option<(OffsetDateTime, Option<OffsetDateTime>)> {
        self.timestamp
    }
}

impl fmt::Display for VerifiedEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.report.fmt(f)
    }
}

/// A verified enveloped-signature document: what was signed, and by whom (through
/// [`SignatureReport`], which it dereferences to), and its XAdES properties.
#[derive(Clone, Debug)]
pub struct VerifiedDocument {
    report: SignatureReport,
    xades: Option<XadesProperties>,
}

impl std::ops::Deref for VerifiedDocument {
    type Target = SignatureReport;

    fn deref(&self) -> &SignatureReport {
        &self.report
    }
}

/// What the signed XAdES properties of a document said.
#[derive(Clone, Debug)]
struct XadesProperties {
    level: XadesLevel,
    signing_time: Option<OffsetDateTime>,
}

impl VerifiedDocument {
    /// The XAdES level of the verified signature; `None` for plain XML-DSig (or when not
    /// verified).
    pub fn xades(&self) -> Option<XadesLevel> {
        self.xades.as_ref().map(|x| x.level)
    }

    /// The signed `xades:SigningTime` (the signer's claim, not a trusted timestamp); `None`
    /// without XAdES or without the property.
    pub fn signing_time(&self) -> Option<OffsetDateTime> {
        self.xades.as_ref().and_then(|x| x.signing_time)
    }
}

impl fmt::Display for VerifiedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.report.fmt(f)?;
        if !self.report.verified() {
            return Ok(());
        }
        match &self.xades {
            Some(XadesProperties {
                level,
                signing_time: Some(t),
            }) => write!(f, "; {level}, signing time {t}"),
            Some(x) => write!(f, "; {}, no signing time", x.level),
            None => Ok(()),
        }
    }
}

/// Where the signature sits: in a Security header of an envelope, or in a document.
#[derive(Clone, Copy)]
enum Mode<'d> {
    Envelope { security: Element<'d> },
    Document,
}

impl Verifier {
    /// Verifies under `policy`.
    pub fn new(policy: VerificationPolicy) -> Self {
        Verifier {
            verification: Verification::Enforced(policy),
        }
    }

    /// Verifies nothing: every `verify_*` call succeeds with a report whose
    /// [`verified`](SignatureReport::verified) is `false`. An explicit opt-out, for test
    /// set-ups only.
    pub fn disabled() -> Self {
        Verifier {
            verification: Verification::Disabled,
        }
    }

    /// The verification setting.
    pub fn verification(&self) -> &Verification {
        &self.verification
    }

    /// Verifies a signed SOAP envelope now.
    pub fn verify_envelope(&self, envelope: &[u8]) -> Result<VerifiedEnvelope, VerifyError> {
        self.verify_envelope_at(envelope, OffsetDateTime::now_utc())
    }

    /// Verifies a signed SOAP envelope as of `now` (timestamp and certificate validity).
    pub fn verify_envelope_at(
        &self,
        envelope: &[u8],
        now: OffsetDateTime,
    ) -> Result<VerifiedEnvelope, VerifyError> {
        let policy = match &self.verification {
            Verification::Disabled => {
                return Ok(VerifiedEnvelope {
                    report: SignatureReport::default(),
                    timestamp: None,
                });
            }
            Verification::Enforced(policy) => policy,
        };
        let doc = Document::parse_with(envelope, &policy.xml_limits)?;
        let env = Envelope::locate(&doc)?;
        let security = env.security_header()?;
        let signature = single_child(security, ns::DSIG_NS, "Signature").map_err(|count| {
            if count == 0 {
                VerifyError::NoSignature {
                    location: "the wsse:Security header".into(),
                }
            } else {
                VerifyError::MultipleSignatures {
                    count,
                    location: "the wsse:Security header".into(),
                }
            }
        })?;
        let checked = check_signature(policy, &doc, signature, Mode::Envelope { security }, now)?;

        // Timestamp.
        let timestamp_el = match single_child(security, ns::WSU_NS, "Timestamp") {
            Ok(t) => Some(t),
            Err(0) => None,
            Err(count) => {
                return Err(VerifyError::TimestampInvalid {
                    reason: format!("{count} wsu:Timestamp elements in the Security header"),
                });
            }
        };
        let timestamp = match timestamp_el {
            None if policy.require_timestamp => return Err(VerifyError::TimestampMissing),
            None => None,
            Some(t) => Some(check_timestamp(t, now, policy)?),
        };

        // Required parts, each at its proper place.
        let mut references = Vec::with_capacity(checked.references.len());
        for r in &checked.references {
            let el = element_of(&doc, r.target)?;
            references.push(SignedReference {
                uri: r.uri.clone(),
                namespace: el.namespace().map(str::to_owned),
                local_name: el.local_name().to_owned(),
                path: element_path(el),
                part: env.part_of(el, timestamp_el),
            });
        }
        for part in policy.required_parts() {
            env.check_part_signed(&part, timestamp_el, &checked.references)?;
        }

        Ok(VerifiedEnvelope {
            report: SignatureReport::of(Established {
                references,
                signer: checked.signer,
                algorithm: checked.algorithm,
                token_reference: checked.token_reference,
            }),
            timestamp,
        })
    }

    /// Verifies an enveloped-signature document (a `ds:Signature` child of the document
    /// element with a `Reference URI=""`) now.
    pub fn verify_enveloped_document(
        &self,
        document: &[u8],
    ) -> Result<VerifiedDocument, VerifyError> {
        self.verify_enveloped_document_at(document, OffsetDateTime::now_utc())
    }

    /// Verifies an enveloped-signature document as of `now` (certificate validity).
    pub fn verify_enveloped_document_at(
        &self,
        document: &[u8],
        now: OffsetDateTime,
    ) -> Result<VerifiedDocument, VerifyError> {
        let policy = match &self.verification {
            Verification::Disabled => {
                return Ok(VerifiedDocument {
                    report: SignatureReport::default(),
                    xades: None,
                });
            }
            Verification::Enforced(policy) => policy,
        };
        let doc = Document::parse_with(document, &policy.xml_limits)?;
        let root = doc.root();
        let signature = single_child(root, ns::DSIG_NS, "Signature").map_err(|count| {
            let location = format!("the document element {}", root.qualified_name());
            if count == 0 {
                VerifyError::NoSignature { location }
            } else {
                VerifyError::MultipleSignatures { count, location }
            }
        })?;
        let checked = check_signature(policy, &doc, signature, Mode::Document, now)?;
        if !checked.references.iter().any(|r| r.uri.is_empty()) {
            return Err(VerifyError::UnsupportedReference {
                uri: checked
                    .references
                    .first()
                    .map(|r| r.uri.clone())
                    .unwrap_or_default(),
                reason: "an enveloped-signature document must be signed as a whole (a Reference with URI=\"\")".into(),
            });
        }
        let xades = check_xades(signature, &checked)?;
        if xades.is_none() && policy.require_xades {
            return Err(VerifyError::XadesRequired);
        }
        let mut references = Vec::with_capacity(checked.references.len());
        for r in &checked.references {
            let el = element_of(&doc, r.target)?;
            references.push(SignedReference {
                uri: r.uri.clone(),
                namespace: el.namespace().map(str::to_owned),
                local_name: el.local_name().to_owned(),
                path: element_path(el),
                part: None,
            });
        }
        Ok(VerifiedDocument {
            report: SignatureReport::of(Established {
                references,
                signer: checked.signer,
                algorithm: checked.algorithm,
                token_reference: checked.token_reference,
            }),
            xades,
        })
    }
}

fn element_of(doc: &Document, id: ElementId) -> Result<Element<'_>, VerifyError> {
    doc.element(id)
        .ok_or_else(|| VerifyError::MalformedSignature {
            reason: "internal: element id out of range".into(),
        })
}

/// The envelope's structure: root, Header, Body.
struct Envelope<'d> {
    soap_ns: &'d str,
    header: Option<Element<'d>>,
    body: Element<'d>,
}

impl<'d> Envelope<'d> {
    fn locate(doc: &'d Document) -> Result<Self, VerifyError> {
        let root = doc.root();
        let soap_ns = match root.namespace() {
            Some(n @ (ns::SOAP11_NS | ns::SOAP12_NS)) if root.local_name() == "Envelope" => n,
            _ => {
                return Err(VerifyError::NotAnEnvelope {
                    reason: format!(
                        "the document element is {} in namespace {:?}",
                        root.local_name(),
                        root.namespace().unwrap_or("")
                    ),
                });
            }
        };
        let headers: Vec<_> = root
            .children()
            .filter(|c| c.is(Some(soap_ns), "Header"))
            .collect();
        let bodies: Vec<_> = root
            .children()
            .filter(|c| c.is(Some(soap_ns), "Body"))
            .collect();
        if headers.len() > 1 {
            return Err(VerifyError::NotAnEnvelope {
                reason: format!("{} soap:Header elements", headers.len()),
            });
        }
        let body = match bodies.as_slice() {
            [b] => *b,
            [] => {
                return Err(VerifyError::NotAnEnvelope {
                    reason: "no soap:Body child of the Envelope".into(),
                });
            }
            more => {
                return Err(VerifyError::SignatureWrapping {
                    reason: format!(
                        "{} soap:Body children of the Envelope; exactly one expected",
                        more.len()
                    ),
                });
            }
        };
        Ok(Envelope {
            soap_ns,
            header: headers.first().copied(),
            body,
        })
    }

    fn security_header(&self) -> Result<Element<'d>, VerifyError> {
        let Some(header) = self.header else {
            return Err(VerifyError::NoSecurityHeader {
                found: " (the envelope has no soap:Header)".into(),
            });
        };
        let all: Vec<_> = header
            .children()
            .filter(|c| c.is(Some(ns::WSSE_NS), "Security"))
            .collect();
        let ours: Vec<_> = all
            .iter()
            .copied()
            .filter(|c| {
                let actor = if self.soap_ns == ns::SOAP11_NS {
                    c.attribute(Some(self.soap_ns), "actor")
                } else {
                    c.attribute(Some(self.soap_ns), "role")
                        .filter(|r| *r != SOAP12_ULTIMATE_RECEIVER)
                };
                actor.is_none_or(|a| a.trim().is_empty())
            })
            .collect();
        match ours.as_slice() {
            [one] => Ok(*one),
            [] if all.is_empty() => Err(VerifyError::NoSecurityHeader {
                found: String::new(),
            }),
            [] => Err(VerifyError::NoSecurityHeader {
                found: format!(
                    " ({} wsse:Security header(s) for other actors/roles only)",
                    all.len()
                ),
            }),
            more => Err(VerifyError::MultipleSecurityHeaders { count: more.len() }),
        }
    }

    /// Which part `el` is, judged by its position.
    fn part_of(&self, el: Element<'d>, timestamp: Option<Element<'d>>) -> Option<SignedPart> {
        if el.id() == self.body.id() {
            return Some(SignedPart::Body);
        }
        if timestamp.is_some_and(|t| t.id() == el.id()) {
            return Some(SignedPart::Timestamp);
        }
        let header = self.header?;
        if el.parent().is_some_and(|p| p.id() == header.id()) {
            return Some(SignedPart::header(
                el.namespace().unwrap_or(""),
                el.local_name(),
            ));
        }
        None
    }

    fn check_part_signed(
        &self,
        part: &SignedPart,
        timestamp: Option<Element<'d>>,
        references: &[CheckedReference],
    ) -> Result<(), VerifyError> {
        let doc = self.body.document();
        let signed = |el: Element<'_>| references.iter().any(|r| r.target == el.id());
        // Elements of the same name that are signed but elsewhere betray a wrapping attack.
        let misplaced = |ns: Option<&str>, local: &str, expected: Option<ElementId>| {
            references.iter().find_map(|r| {
                let el = doc.element(r.target)?;
                (el.is(ns, local) && Some(el.id()) != expected).then(|| {
                    format!(
                        "reference `{}` covers {} at {}",
                        r.uri,
                        el.qualified_name(),
                        element_path(el)
                    )
                })
            })
        };
        let (expected, ns, local): (Option<Element<'_>>, Option<&str>, &str) = match part {
            SignedPart::Body => (Some(self.body), Some(self.soap_ns), "Body"),
            SignedPart::Timestamp => (timestamp, Some(ns::WSU_NS), "Timestamp"),
            SignedPart::Header {
                namespace,
                local_name,
            } => {
                let ns = (!namespace.is_empty()).then_some(namespace.as_str());
                let candidates: Vec<_> = match self.header {
                    Some(h) => h.children().filter(|c| c.is(ns, local_name)).collect(),
                    None => Vec::new(),
                };
                if candidates.len() > 1 {
                    return Err(VerifyError::SignatureWrapping {
                        reason: format!(
                            "{} {part} header blocks; exactly one expected",
                            candidates.len()
                        ),
                    });
                }
                (candidates.first().copied(), ns, local_name.as_str())
            }
        };
        match expected {
            Some(el) if signed(el) => Ok(()),
            expected => {
                if let Some(found) = misplaced(ns, local, expected.map(|e| e.id())) {
                    Err(VerifyError::SignatureWrapping {
                        reason: format!(
                            "{part} is required to be signed where the receiver reads it, but {found}"
                        ),
                    })
                } else if expected.is_none() {
                    if *part == SignedPart::Timestamp {
                        Err(VerifyError::TimestampMissing)
                    } else {
                        Err(VerifyError::RequiredPartMissing { part: part.clone() })
                    }
                } else {
                    Err(VerifyError::RequiredPartNotSigned { part: part.clone() })
                }
            }
        }
    }
}

/// `/Envelope/Header/kontekstWywolania`.
fn element_path(el: Element<'_>) -> String {
    let mut names = vec![el.local_name()];
    let mut cur = el.parent();
    while let Some(p) = cur {
        names.push(p.local_name());
        cur = p.parent();
    }
    names.reverse();
    let mut out = String::new();
    for n in names {
        out.push('/');
        out.push_str(n);
    }
    out
}

fn malformed(reason: impl Into<String>) -> VerifyError {
    VerifyError::MalformedSignature {
        reason: reason.into(),
    }
}

fn decode_base64(text: &str, what: &str) -> Result<Vec<u8>, VerifyError> {
    crate::xml::base64_from_text(text)
        .map_err(|e| malformed(format!("{what} is not valid base64: {e}")))
}

/// At most this many `ds:Reference` elements in a `ds:SignedInfo`: Santuario's secure
/// validation limit. The signature value is checked before any reference is digested, but a
/// signed message naming one large element many times would still cost references × size.
const MAX_REFERENCES: usize = 30;

/// At most this many `ds:X509Certificate` elements in a `ds:X509Data`, and at most this many
/// X.509 `wsse:BinarySecurityToken` elements in the Security header: each is decoded and
/// parsed, and offered to path building, before the signature value is checked. A signer's
/// certificate with its intermediates needs a handful.
const MAX_CERTIFICATES: usize = 8;

/// A reference whose digest was checked.
struct CheckedReference {
    uri: String,
    /// The referenced element; the document element for `URI=""`.
    target: ElementId,
    /// The `Type` attribute.
    type_uri: Option<String>,
}

/// The result of the cryptographic part of verification.
struct CheckedSignature {
    /// Every reference, in the order of `ds:SignedInfo`.
    references: Vec<CheckedReference>,
    signer: CertificateInfo,
    algorithm: SignatureAlgorithm,
    token_reference: Option<TokenReference>,
}

/// The canonicalization named by a `CanonicalizationMethod` or `Transform` element with an
/// exc-c14n algorithm: its InclusiveNamespaces PrefixList, if any.
fn exc_c14n_of(method: Element<'_>, what: &str) -> Result<ExcC14n, VerifyError> {
    let mut c14n = ExcC14n::new();
    for child in method.children() {
        if child.is(Some(EXC_C14N), "InclusiveNamespaces") {
            c14n = c14n.prefix_list(child.attribute(None, "PrefixList").unwrap_or(""));
        } else {
            return Err(malformed(format!(
                "unexpected {} in {what}",
                child.qualified_name()
            )));
        }
    }
    Ok(c14n)
}

fn ds_children<'d>(el: Element<'d>) -> Result<Vec<Element<'d>>, VerifyError> {
    let children: Vec<_> = el.children().collect();
    if let Some(foreign) = children.iter().find(|c| c.namespace() != Some(ns::DSIG_NS)) {
        return Err(malformed(format!(
            "unexpected {} in ds:{}",
            foreign.qualified_name(),
            el.local_name()
        )));
    }
    Ok(children)
}

struct ParsedReference {
    uri: String,
    type_uri: Option<String>,
    enveloped: bool,
    c14n: ReferenceC14n,
    digest: Vec<u8>,
}

/// How a reference's node set is canonicalized.
enum ReferenceC14n {
    /// Its exc-c14n transform.
    Exclusive(ExcC14n),
    /// None given, for an enveloped `URI=""` reference whose only transform is
    /// enveloped-signature: Canonical XML 1.0 of the whole document (XML-DSig §4.3.3.2).
    Implied,
}

fn parse_reference(reference: Element<'_>, mode: Mode<'_>) -> Result<ParsedReference, VerifyError> {
    let Some(uri) = reference.attribute(None, "URI") else {
        return Err(VerifyError::UnsupportedReference {
            uri: "(none)".into(),
            reason: "a ds:Reference without URI (the receiver would have to guess what it covers)"
                .into(),
        });
    };
    let children = ds_children(reference)?;
    let mut iter = children.into_iter().peekable();
    let mut transforms = Vec::new();
    if let Some(t) = iter.next_if(|c| c.local_name() == "Transforms") {
        for tr in ds_children(t)? {
            if tr.local_name() != "Transform" {
                return Err(malformed(format!(
                    "unexpected ds:{} in ds:Transforms of Reference `{uri}`",
                    tr.local_name()
                )));
            }
            transforms.push(tr);
        }
    }
    let (Some(digest_method), Some(digest_value), None) = (
        iter.next().filter(|c| c.local_name() == "DigestMethod"),
        iter.next().filter(|c| c.local_name() == "DigestValue"),
        iter.next(),
    ) else {
        return Err(malformed(format!(
            "ds:Reference `{uri}` must hold [ds:Transforms], ds:DigestMethod, ds:DigestValue in this order"
        )));
    };

    // Transforms: [enveloped-signature] exc-c14n.
    let what = format!("Transform of Reference `{uri}`");
    let mut enveloped = false;
    let mut c14n = None;
    for tr in &transforms {
        let alg = tr.attribute(None, "Algorithm").unwrap_or("");
        match alg {
            ns::ALG_ENVELOPED_SIGNATURE
                if matches!(mode, Mode::Document) && !enveloped && c14n.is_none() =>
            {
                if tr.children().next().is_some() {
                    return Err(malformed(format!(
                        "content in the enveloped-signature {what}"
                    )));
                }
                enveloped = true;
            }
            EXC_C14N if c14n.is_none() => c14n = Some(exc_c14n_of(*tr, &what)?),
            _ => {
                return Err(VerifyError::UnsupportedAlgorithm {
                    what: what.clone(),
                    uri: alg.to_owned(),
                });
            }
        }
    }
    // An enveloped whole-document reference without a canonicalization transform: the node
    // set is canonicalized with Canonical XML 1.0 (XML-DSig §4.3.3.2), as signers built on
    // xmlseclibs, xml-crypto and .NET's SignedXml do by default (SÚKL's eRecept clients).
    let c14n = match c14n {
        Some(exc) => ReferenceC14n::Exclusive(exc),
        None if enveloped && uri.is_empty() && matches!(mode, Mode::Document) => {
            ReferenceC14n::Implied
        }
        None => {
            return Err(VerifyError::UnsupportedAlgorithm {
                what: format!(
                    "Transforms of Reference `{uri}` (an exc-c14n transform is required; without one the node set would be canonicalized inclusively)"
                ),
                uri: "(none)".into(),
            });
        }
    };
    let digest_alg = digest_method.attribute(None, "Algorithm").unwrap_or("");
    if digest_alg != ns::ALG_SHA256 {
        return Err(VerifyError::UnsupportedAlgorithm {
            what: format!("DigestMethod of Reference `{uri}`"),
            uri: digest_alg.to_owned(),
        });
    }
    let digest = decode_base64(&digest_value.text(), "ds:DigestValue")?;
    if digest.len() != 32 {
        return Err(malformed(format!(
            "ds:DigestValue of Reference `{uri}` has {} bytes; SHA-256 has 32",
            digest.len()
        )));
    }
    Ok(ParsedReference {
        uri: uri.to_owned(),
        type_uri: reference.attribute(None, "Type").map(str::to_owned),
        enveloped,
        c14n,
        digest,
    })
}

fn check_signature(
    policy: &VerificationPolicy,
    doc: &Document,
    signature: Element<'_>,
    mode: Mode<'_>,
    now: OffsetDateTime,
) -> Result<CheckedSignature, VerifyError> {
    // ds:Signature = SignedInfo, SignatureValue, KeyInfo?, Object*
    let children = ds_children(signature)?;
    let mut iter = children.into_iter().peekable();
    let (Some(signed_info), Some(signature_value)) = (
        iter.next().filter(|c| c.local_name() == "SignedInfo"),
        iter.next().filter(|c| c.local_name() == "SignatureValue"),
    ) else {
        return Err(malformed(
            "ds:Signature must start with ds:SignedInfo and ds:SignatureValue",
        ));
    };
    let key_info = iter.next_if(|c| c.local_name() == "KeyInfo");
    if let Some(other) = iter.find(|c| c.local_name() != "Object") {
        return Err(malformed(format!(
            "unexpected ds:{} in ds:Signature",
            other.local_name()
        )));
    }

    // ds:SignedInfo = CanonicalizationMethod, SignatureMethod, Reference+
    let si_children = ds_children(signed_info)?;
    let mut si = si_children.into_iter();
    let (Some(c14n_method), Some(sig_method)) = (
        si.next()
            .filter(|c| c.local_name() == "CanonicalizationMethod"),
        si.next().filter(|c| c.local_name() == "SignatureMethod"),
    ) else {
        return Err(malformed(
            "ds:SignedInfo must start with ds:CanonicalizationMethod and ds:SignatureMethod",
        ));
    };
    let c14n_alg = c14n_method.attribute(None, "Algorithm").unwrap_or("");
    if c14n_alg != EXC_C14N {
        return Err(VerifyError::UnsupportedAlgorithm {
            what: "CanonicalizationMethod".into(),
            uri: c14n_alg.to_owned(),
        });
    }
    let si_c14n = exc_c14n_of(c14n_method, "ds:CanonicalizationMethod")?;
    let sig_alg_uri = sig_method.attribute(None, "Algorithm").unwrap_or("");
    let Some(algorithm) = SignatureAlgorithm::from_uri(sig_alg_uri) else {
        return Err(VerifyError::UnsupportedAlgorithm {
            what: "SignatureMethod".into(),
            uri: sig_alg_uri.to_owned(),
        });
    };
    if let Some(child) = sig_method.children().next() {
        return Err(malformed(format!(
            "unexpected {} in ds:SignatureMethod",
            child.qualified_name()
        )));
    }
    let mut references = Vec::new();
    for r in si {
        if references.len() == MAX_REFERENCES {
            return Err(malformed(format!(
                "more than {MAX_REFERENCES} ds:Reference elements in ds:SignedInfo (each is canonicalized and digested, so their number is bounded)"
            )));
        }
        if r.local_name() != "Reference" {
            return Err(malformed(format!(
                "unexpected ds:{} in ds:SignedInfo",
                r.local_name()
            )));
        }
        references.push(parse_reference(r, mode)?);
    }
    if references.is_empty() {
        return Err(malformed("ds:SignedInfo has no ds:Reference"));
    }

    // References: resolve (an ID lookup each, no canonicalization yet).
    let mut resolved = Vec::with_capacity(references.len());
    for r in &references {
        let target = if r.uri.is_empty() {
            if !matches!(mode, Mode::Document) {
                return Err(VerifyError::UnsupportedReference {
                    uri: String::new(),
                    reason: "a whole-document reference in a SOAP envelope signature (references must name the signed parts by ID)".into(),
                });
            }
            if !r.enveloped {
                return Err(VerifyError::UnsupportedReference {
                    uri: String::new(),
                    reason: "a whole-document reference without the enveloped-signature transform would cover the signature itself".into(),
                });
            }
            doc.root()
        } else if let Some(id) = r
            .uri
            .strip_prefix('#')
            .filter(|id| !id.is_empty() && !id.starts_with("xpointer("))
        {
            match doc.element_by_id(id) {
                Ok(el) => el,
                Err(LookupError::Ambiguous { count, .. }) => {
                    return Err(VerifyError::SignatureWrapping {
                        reason: format!(
                            "reference `{}` is ambiguous: {count} elements carry the ID `{id}`",
                            r.uri
                        ),
                    });
                }
                Err(e) => {
                    return Err(VerifyError::ReferenceNotFound {
                        uri: r.uri.clone(),
                        reason: e.to_string(),
                    });
                }
            }
        } else {
            return Err(VerifyError::UnsupportedReference {
                uri: r.uri.clone(),
                reason: "only same-document references `#id` (and `\"\"` for enveloped documents) are supported".into(),
            });
        };
        if target.id() == signature.id()
            || ancestors_include(signature, target.id()) && !r.enveloped
        {
            return Err(VerifyError::UnsupportedReference {
                uri: r.uri.clone(),
                reason: "the reference covers the signature itself".into(),
            });
        }
        resolved.push((r, target));
    }

    // Key, signature value and certificate path before any digest (as Apache Santuario
    // does): a message whose SignedInfo is not authenticated costs one signature check, not
    // one canonicalization and digest per reference.
    let key = resolve_key(policy, doc, key_info, mode)?;
    let value = decode_base64(&signature_value.text(), "ds:SignatureValue")?;
    let signed_bytes = si_c14n.canonicalize_element(signed_info)?;
    verify_value(&key.cert, algorithm, &signed_bytes, &value)?;
    check_certificate(policy, &key.cert, &key.intermediates, now)?;

    // The references' digests, now that SignedInfo is the signer's.
    let mut checked = Vec::with_capacity(resolved.len());
    for (r, target) in resolved {
        let canonical = match &r.c14n {
            ReferenceC14n::Implied => {
                InclusiveC14n::new().canonicalize_document(doc, Some(signature.id()))?
            }
            ReferenceC14n::Exclusive(c14n) if r.uri.is_empty() => {
                c14n.canonicalize_document_excluding(doc, signature.id())?
            }
            ReferenceC14n::Exclusive(c14n) if r.enveloped => {
                c14n.canonicalize_element_excluding(target, signature.id())?
            }
            ReferenceC14n::Exclusive(c14n) => c14n.canonicalize_element(target)?,
        };
        let digest = ring::digest::digest(&ring::digest::SHA256, &canonical);
        if digest.as_ref() != r.digest.as_slice() {
            return Err(VerifyError::DigestMismatch {
                uri: r.uri.clone(),
                element: element_path(target),
            });
        }
        checked.push(CheckedReference {
            uri: r.uri.clone(),
            target: target.id(),
            type_uri: r.type_uri.clone(),
        });
    }

    Ok(CheckedSignature {
        references: checked,
        signer: key.cert,
        algorithm,
        token_reference: key.token_reference,
    })
}

/// The XAdES properties of a document signature whose references were all checked
/// (`checked`): `None` when it has no `xades:QualifyingProperties`.
///
/// XAdES v1.3.2 only: the QualifyingProperties in a `ds:Object` of the signature, its Target
/// naming the signature, its SignedProperties covered by a reference of the SignedProperties
/// type, and a `xades:SigningCertificate` one of whose `xades:Cert` entries has the signing
/// certificate's SHA-256 digest and its issuer and serial number.
fn check_xades(
    signature: Element<'_>,
    checked: &CheckedSignature,
) -> Result<Option<XadesProperties>, VerifyError> {
    let malformed = |reason: String| VerifyError::XadesMalformed { reason };
    let mut found = Vec::new();
    for object in signature
        .children()
        .filter(|c| c.is(Some(ns::DSIG_NS), "Object"))
    {
        for c in object
            .children()
            .filter(|c| c.local_name() == "QualifyingProperties")
        {
            if c.namespace() != Some(ns::XADES_NS) {
                return Err(malformed(format!(
                    "xades:QualifyingProperties in namespace `{}`; only XAdES v1.3.2 ({}) is supported",
                    c.namespace().unwrap_or(""),
                    ns::XADES_NS
                )));
            }
            found.push(c);
        }
    }
    let qualifying = match found.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        more => {
            return Err(malformed(format!(
                "{} xades:QualifyingProperties elements; exactly one expected",
                more.len()
            )));
        }
    };
    let signature_id = signature.attribute(None, "Id").unwrap_or("");
    let target = qualifying.attribute(None, "Target").unwrap_or("");
    if signature_id.is_empty() || target.strip_prefix('#') != Some(signature_id) {
        return Err(VerifyError::XadesTargetMismatch {
            target: target.to_owned(),
            signature_id: signature_id.to_owned(),
        });
    }
    let signed_properties =
        single_child(qualifying, ns::XADES_NS, "SignedProperties").map_err(|n| {
            malformed(format!(
                "{n} xades:SignedProperties in xades:QualifyingProperties; exactly one expected"
            ))
        })?;
    let covering = checked
        .references
        .iter()
        .find(|r| r.target == signed_properties.id());
    let typed = checked
        .references
        .iter()
        .find(|r| r.type_uri.as_deref() == Some(ns::XADES_SIGNED_PROPERTIES_TYPE));
    match (covering, typed) {
        (Some(r), _) if r.type_uri.as_deref() == Some(ns::XADES_SIGNED_PROPERTIES_TYPE) => {}
        (Some(r), _) => {
            return Err(malformed(format!(
                "the reference `{}` to xades:SignedProperties has Type `{}`, not `{}`",
                r.uri,
                r.type_uri.as_deref().unwrap_or("(none)"),
                ns::XADES_SIGNED_PROPERTIES_TYPE
            )));
        }
        (None, Some(r)) => {
            let what = signed_properties
                .document()
                .element(r.target)
                .map(element_path)
                .unwrap_or_default();
            return Err(VerifyError::XadesSignedPropertiesNotSigned {
                reason: format!(
                    "the SignedProperties-type reference `{}` covers {what}, not the xades:SignedProperties of this signature",
                    r.uri
                ),
            });
        }
        (None, None) => {
            return Err(VerifyError::XadesSignedPropertiesNotSigned {
                reason: format!(
                    "no ds:Reference (Type `{}`) of ds:SignedInfo covers it",
                    ns::XADES_SIGNED_PROPERTIES_TYPE
                ),
            });
        }
    }
    let properties = single_child(signed_properties, ns::XADES_NS, "SignedSignatureProperties")
        .map_err(|n| {
            malformed(format!(
                "{n} xades:SignedSignatureProperties; exactly one expected"
            ))
        })?;
    let signing_time = match single_child(properties, ns::XADES_NS, "SigningTime") {
        Ok(el) => Some(parse_xs_datetime(el.text().trim()).ok_or_else(|| {
            malformed(format!(
                "xades:SigningTime `{}` is not an xs:dateTime with time zone",
                el.text().trim()
            ))
        })?),
        Err(0) => None,
        Err(n) => return Err(malformed(format!("{n} xades:SigningTime elements"))),
    };
    if properties
        .children()
        .any(|c| c.is(Some(ns::XADES_NS), "SigningCertificateV2"))
    {
        return Err(malformed(
            "xades:SigningCertificateV2 is not supported (only the v1.3.2 xades:SigningCertificate P1 uses)".into(),
        ));
    }
    let signing_certificate = single_child(properties, ns::XADES_NS, "SigningCertificate")
        .map_err(|n| {
            malformed(format!(
                "{n} xades:SigningCertificate elements; XAdES-BES needs exactly one"
            ))
        })?;
    check_signing_certificate(signing_certificate, &checked.signer)?;
    Ok(Some(XadesProperties {
        level: XadesLevel::Bes,
        signing_time,
    }))
}

/// One of the `xades:Cert` entries must be `signer`: its SHA-256 digest, issuer and serial.
fn check_signing_certificate(
    signing_certificate: Element<'_>,
    signer: &CertificateInfo,
) -> Result<(), VerifyError> {
    let malformed = |reason: String| VerifyError::XadesMalformed { reason };
    let signer_digest = ring::digest::digest(&ring::digest::SHA256, signer.der());
    let mut count = 0;
    for cert in signing_certificate.children() {
        if !cert.is(Some(ns::XADES_NS), "Cert") {
            return Err(malformed(format!(
                "unexpected {} in xades:SigningCertificate",
                cert.qualified_name()
            )));
        }
        count += 1;
        let (Ok(cert_digest), Ok(issuer_serial)) = (
            single_child(cert, ns::XADES_NS, "CertDigest"),
            single_child(cert, ns::XADES_NS, "IssuerSerial"),
        ) else {
            return Err(malformed(
                "a xades:Cert needs one xades:CertDigest and one xades:IssuerSerial".into(),
            ));
        };
        let (Ok(method), Ok(value)) = (
            single_child(cert_digest, ns::DSIG_NS, "DigestMethod"),
            single_child(cert_digest, ns::DSIG_NS, "DigestValue"),
        ) else {
            return Err(malformed(
                "a xades:CertDigest needs one ds:DigestMethod and one ds:DigestValue".into(),
            ));
        };
        let alg = method.attribute(None, "Algorithm").unwrap_or("");
        if alg != ns::ALG_SHA256 {
            return Err(VerifyError::UnsupportedAlgorithm {
                what: "DigestMethod of xades:CertDigest".into(),
                uri: alg.to_owned(),
            });
        }
        let digest = decode_base64(&value.text(), "xades:CertDigest/ds:DigestValue")?;
        if digest.as_slice() != signer_digest.as_ref() {
            continue;
        }
        // The signer's entry: its IssuerSerial must name the signer too.
        let (Ok(name), Ok(serial)) = (
            single_child(issuer_serial, ns::DSIG_NS, "X509IssuerName"),
            single_child(issuer_serial, ns::DSIG_NS, "X509SerialNumber"),
        ) else {
            return Err(malformed(
                "xades:IssuerSerial needs one ds:X509IssuerName and one ds:X509SerialNumber".into(),
            ));
        };
        let (issuer, serial) = (name.text(), serial.text());
        if find_by_issuer_serial(std::iter::once(signer), issuer.trim(), serial.trim()).is_none() {
            return Err(VerifyError::XadesSigningCertificateMismatch {
                reason: format!(
                    "the xades:Cert with the signing certificate's digest names issuer `{}` and serial {}; the certificate has issuer `{}` and serial {}",
                    issuer.trim(),
                    serial.trim(),
                    signer.issuer(),
                    signer.serial_decimal()
                ),
            });
        }
        return Ok(());
    }
    Err(VerifyError::XadesSigningCertificateMismatch {
        reason: format!(
            "none of the {count} xades:Cert digests is the SHA-256 digest of the certificate in ds:KeyInfo (issuer `{}`, serial {})",
            signer.issuer(),
            signer.serial_decimal()
        ),
    })
}

fn ancestors_include(el: Element<'_>, id: ElementId) -> bool {
    let mut cur = el.parent();
    while let Some(p) = cur {
        if p.id() == id {
            return true;
        }
        cur = p.parent();
    }
    false
}

struct ResolvedKey {
    cert: CertificateInfo,
    token_reference: Option<TokenReference>,
    /// Certificates from the message that may serve as intermediates.
    intermediates: Vec<CertificateInfo>,
}

/// The X.509 v3 BinarySecurityTokens of the Security header.
fn security_tokens(mode: Mode<'_>) -> Result<Vec<CertificateInfo>, VerifyError> {
    let Mode::Envelope { security } = mode else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for bst in security
        .children()
        .filter(|c| c.is(Some(ns::WSSE_NS), "BinarySecurityToken"))
    {
        if bst.attribute(None, "ValueType") == Some(ns::WSS_X509V3) {
            if out.len() == MAX_CERTIFICATES {
                return Err(malformed(format!(
                    "more than {MAX_CERTIFICATES} X.509 wsse:BinarySecurityToken elements in the wsse:Security header (each is decoded before the signature is checked, so their number is bounded)"
                )));
            }
            out.push(bst_certificate(bst)?);
        }
    }
    Ok(out)
}

fn bst_certificate(bst: Element<'_>) -> Result<CertificateInfo, VerifyError> {
    let value_type = bst.attribute(None, "ValueType").unwrap_or("");
    if value_type != ns::WSS_X509V3 {
        return Err(VerifyError::KeyNotFound {
            reason: format!(
                "the referenced wsse:BinarySecurityToken has ValueType `{value_type}`, not X509v3"
            ),
        });
    }
    if let Some(enc) = bst.attribute(None, "EncodingType")
        && enc != ns::WSS_BASE64_BINARY
    {
        return Err(VerifyError::KeyNotFound {
            reason: format!(
                "the wsse:BinarySecurityToken has EncodingType `{enc}`, not Base64Binary"
            ),
        });
    }
    let der = decode_base64(&bst.text(), "wsse:BinarySecurityToken")?;
    CertificateInfo::from_der(&der).map_err(|e| VerifyError::InvalidCertificate {
        what: "wsse:BinarySecurityToken".into(),
        reason: e.to_string(),
    })
}

fn resolve_key(
    policy: &VerificationPolicy,
    doc: &Document,
    key_info: Option<Element<'_>>,
    mode: Mode<'_>,
) -> Result<ResolvedKey, VerifyError> {
    let Some(key_info) = key_info else {
        return Err(VerifyError::KeyNotFound {
            reason: "the signature has no ds:KeyInfo".into(),
        });
    };
    let children: Vec<_> = key_info.children().collect();
    let [child] = children.as_slice() else {
        return Err(VerifyError::KeyNotFound {
            reason: format!(
                "ds:KeyInfo holds {} elements; exactly one (wsse:SecurityTokenReference or ds:X509Data) expected",
                children.len()
            ),
        });
    };
    let tokens = security_tokens(mode)?;
    if child.is(Some(ns::WSSE_NS), "SecurityTokenReference") {
        resolve_str(policy, doc, *child, mode, tokens)
    } else if child.is(Some(ns::DSIG_NS), "X509Data") {
        resolve_x509_data(policy, *child, tokens)
    } else {
        Err(VerifyError::KeyNotFound {
            reason: format!(
                "unsupported ds:KeyInfo content {} (a bare key cannot be checked against trust anchors)",
                child.qualified_name()
            ),
        })
    }
}

fn resolve_str(
    policy: &VerificationPolicy,
    doc: &Document,
    str_el: Element<'_>,
    mode: Mode<'_>,
    tokens: Vec<CertificateInfo>,
) -> Result<ResolvedKey, VerifyError> {
    let children: Vec<_> = str_el.children().collect();
    let [child] = children.as_slice() else {
        return Err(VerifyError::KeyNotFound {
            reason: format!(
                "wsse:SecurityTokenReference holds {} elements; exactly one expected",
                children.len()
            ),
        });
    };
    let child = *child;
    if child.is(Some(ns::WSSE_NS), "Reference") {
        let uri = child.attribute(None, "URI").unwrap_or("");
        if let Some(vt) = child.attribute(None, "ValueType")
            && vt != ns::WSS_X509V3
        {
            return Err(VerifyError::KeyNotFound {
                reason: format!("wsse:Reference has ValueType `{vt}`, not X509v3"),
            });
        }
        let Some(id) = uri.strip_prefix('#').filter(|s| !s.is_empty()) else {
            return Err(VerifyError::KeyNotFound {
                reason: format!(
                    "wsse:Reference URI `{uri}` is not a same-document reference `#id`"
                ),
            });
        };
        let bst = match doc.element_by_id(id) {
            Ok(el) => el,
            Err(LookupError::Ambiguous { count, .. }) => {
                return Err(VerifyError::SignatureWrapping {
                    reason: format!("{count} elements carry the token ID `{id}`"),
                });
            }
            Err(e) => {
                return Err(VerifyError::KeyNotFound {
                    reason: format!("wsse:Reference `{uri}`: {e}"),
                });
            }
        };
        let in_header = match mode {
            Mode::Envelope { security } => bst.parent().is_some_and(|p| p.id() == security.id()),
            Mode::Document => false,
        };
        if !bst.is(Some(ns::WSSE_NS), "BinarySecurityToken") || !in_header {
            return Err(VerifyError::KeyNotFound {
                reason: format!(
                    "wsse:Reference `{uri}` points at {} at {}, not a wsse:BinarySecurityToken of this Security header",
                    bst.qualified_name(),
                    element_path(bst)
                ),
            });
        }
        let cert = bst_certificate(bst)?;
        return Ok(ResolvedKey {
            intermediates: tokens.into_iter().filter(|t| *t != cert).collect(),
            cert,
            token_reference: Some(TokenReference::BinarySecurityToken),
        });
    }
    let candidates = || tokens.iter().chain(policy.known.iter());
    if child.is(Some(ns::WSSE_NS), "KeyIdentifier") {
        let vt = child.attribute(None, "ValueType").unwrap_or("");
        if vt != ns::WSS_X509_SKI {
            return Err(VerifyError::KeyNotFound {
                reason: format!(
                    "wsse:KeyIdentifier ValueType `{vt}` is not supported (only X509SubjectKeyIdentifier)"
                ),
            });
        }
        if let Some(enc) = child.attribute(None, "EncodingType")
            && enc != ns::WSS_BASE64_BINARY
        {
            return Err(VerifyError::KeyNotFound {
                reason: format!("wsse:KeyIdentifier EncodingType `{enc}` is not Base64Binary"),
            });
        }
        let ski = decode_base64(&child.text(), "wsse:KeyIdentifier")?;
        let Some(cert) = candidates().find(|c| cert_ski(c).is_some_and(|s| s == ski)) else {
            return Err(VerifyError::KeyNotFound {
                reason: format!(
                    "no certificate with Subject Key Identifier {} among the message's {} token(s) and the policy's {} known certificate(s)",
                    hex(&ski),
                    tokens.len(),
                    policy.known.len()
                ),
            });
        };
        let cert = cert.clone();
        return Ok(ResolvedKey {
            intermediates: tokens.into_iter().filter(|t| *t != cert).collect(),
            cert,
            token_reference: Some(TokenReference::SubjectKeyIdentifier),
        });
    }
    if child.is(Some(ns::DSIG_NS), "X509Data") {
        let (issuer, serial) = issuer_serial(child)?;
        let cert = find_by_issuer_serial(candidates(), &issuer, &serial)
            .ok_or_else(|| VerifyError::KeyNotFound {
                reason: format!(
                    "no certificate with issuer `{issuer}` and serial {serial} among the message's {} token(s) and the policy's {} known certificate(s)",
                    tokens.len(),
                    policy.known.len()
                ),
            })?
            .clone();
        return Ok(ResolvedKey {
            intermediates: tokens.into_iter().filter(|t| *t != cert).collect(),
            cert,
            token_reference: Some(TokenReference::IssuerSerial),
        });
    }
    Err(VerifyError::KeyNotFound {
        reason: format!(
            "unsupported wsse:SecurityTokenReference content {}",
            child.qualified_name()
        ),
    })
}

fn issuer_serial(x509_data: Element<'_>) -> Result<(String, String), VerifyError> {
    let Ok(is) = single_child(x509_data, ns::DSIG_NS, "X509IssuerSerial") else {
        return Err(VerifyError::KeyNotFound {
            reason: "ds:X509Data without exactly one ds:X509IssuerSerial".into(),
        });
    };
    let (Ok(name), Ok(serial)) = (
        single_child(is, ns::DSIG_NS, "X509IssuerName"),
        single_child(is, ns::DSIG_NS, "X509SerialNumber"),
    ) else {
        return Err(malformed(
            "ds:X509IssuerSerial needs one ds:X509IssuerName and one ds:X509SerialNumber",
        ));
    };
    Ok((
        name.text().trim().to_owned(),
        serial.text().trim().to_owned(),
    ))
}

fn find_by_issuer_serial<'c>(
    mut candidates: impl Iterator<Item = &'c CertificateInfo>,
    issuer: &str,
    serial: &str,
) -> Option<&'c CertificateInfo> {
    let serial = normalise_decimal(serial)?;
    let wanted = parse_dn(issuer)?;
    candidates.find(|c| {
        c.serial_decimal() == serial
            && cert_issuer_rdns(c)
                .is_some_and(|have| have == wanted || have.iter().rev().eq(wanted.iter()))
    })
}

fn normalise_decimal(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = s.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed }.to_owned())
}

/// A distinguished name as RDNs (each a sorted set of `(type OID, normalised value)`).
type Rdns = Vec<Vec<(String, String)>>;

fn normalise_value(v: &str) -> String {
    v.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn attribute_type_oid(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    let upper = upper.strip_prefix("OID.").unwrap_or(&upper);
    match upper {
        "CN" => "2.5.4.3",
        "SN" | "SURNAME" => "2.5.4.4",
        "SERIALNUMBER" => "2.5.4.5",
        "C" => "2.5.4.6",
        "L" => "2.5.4.7",
        "ST" | "S" => "2.5.4.8",
        "STREET" => "2.5.4.9",
        "O" => "2.5.4.10",
        "OU" => "2.5.4.11",
        "T" | "TITLE" => "2.5.4.12",
        "GIVENNAME" | "G" | "GN" => "2.5.4.42",
        "INITIALS" => "2.5.4.43",
        "DNQUALIFIER" => "2.5.4.46",
        "PSEUDONYM" => "2.5.4.65",
        "ORGANIZATIONIDENTIFIER" => "2.5.4.97",
        "DC" => "0.9.2342.19200300.100.1.25",
        "UID" => "0.9.2342.19200300.100.1.1",
        "E" | "EMAIL" | "EMAILADDRESS" => "1.2.840.113549.1.9.1",
        other => other,
    }
    .to_owned()
}

/// Parses an RFC 4514 (or RFC 2253/1779) distinguished name string, in its written order.
fn parse_dn(s: &str) -> Option<Rdns> {
    let mut rdns: Rdns = Vec::new();
    let mut rdn = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        // attribute type
        let mut typ = String::new();
        let mut equals = false;
        for c in chars.by_ref() {
            if c == '=' {
                equals = true;
                break;
            }
            typ.push(c);
        }
        if !equals || typ.trim().is_empty() {
            return None;
        }
        while chars.next_if(|c| *c == ' ').is_some() {}
        // value
        let mut value = String::new();
        let mut bytes: Vec<u8> = Vec::new();
        let mut end = None;
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => value.push(chars.next()?),
                    c => value.push(c),
                }
            }
            while chars.next_if(|c| *c == ' ').is_some() {}
            end = chars.next();
        } else {
            let mut trailing_escaped = 0;
            while let Some(c) = chars.next() {
                match c {
                    ',' | ';' | '+' => {
                        end = Some(c);
                        break;
                    }
                    '\\' => {
                        let n = chars.next()?;
                        if n.is_ascii_hexdigit() {
                            let m = chars.next()?;
                            let byte = u8::from_str_radix(&format!("{n}{m}"), 16).ok()?;
                            bytes.push(byte);
                            continue;
                        }
                        flush_bytes(&mut bytes, &mut value)?;
                        value.push(n);
                        trailing_escaped = value.len();
                    }
                    c => {
                        flush_bytes(&mut bytes, &mut value)?;
                        value.push(c);
                    }
                }
            }
            flush_bytes(&mut bytes, &mut value)?;
            // Unescaped trailing spaces are not part of the value.
            while value.len() > trailing_escaped && value.ends_with(' ') {
                value.pop();
            }
        }
        rdn.push((attribute_type_oid(&typ), normalise_value(&value)));
        match end {
            Some('+') => {}
            Some(',' | ';') => {
                rdn.sort();
                rdns.push(std::mem::take(&mut rdn));
                while chars.next_if(|c| *c == ' ').is_some() {}
            }
            None => {
                rdn.sort();
                rdns.push(rdn);
                return Some(rdns);
            }
            Some(_) => return None,
        }
    }
}

fn flush_bytes(bytes: &mut Vec<u8>, value: &mut String) -> Option<()> {
    if !bytes.is_empty() {
        value.push_str(std::str::from_utf8(bytes).ok()?);
        bytes.clear();
    }
    Some(())
}

/// The certificate's issuer as RDNs in RFC 4514 order (most specific first).
fn cert_issuer_rdns(cert: &CertificateInfo) -> Option<Rdns> {
    let (_, x509) = X509Certificate::from_der(cert.der()).ok()?;
    let mut rdns: Rdns = x509
        .issuer()
        .iter()
        .map(|rdn| {
            let mut set: Vec<_> = rdn
                .iter()
                .map(|atv| {
                    let value = match atv.as_str() {
                        Ok(s) => s.to_owned(),
                        Err(_) => String::from_utf8_lossy(atv.as_slice()).into_owned(),
                    };
                    (atv.attr_type().to_id_string(), normalise_value(&value))
                })
                .collect();
            set.sort();
            set
        })
        .collect();
    rdns.reverse();
    Some(rdns)
}

/// The Subject Key Identifier extension, or else the SHA-1 of the public key (RFC 5280
/// §4.2.1.2 method 1, what WS-Security stacks compute for certificates without the extension).
fn cert_ski(cert: &CertificateInfo) -> Option<Vec<u8>> {
    if let Some(ski) = cert.subject_key_identifier() {
        return Some(ski.to_vec());
    }
    let (_, x509) = X509Certificate::from_der(cert.der()).ok()?;
    let key = &x509.public_key().subject_public_key.data;
    Some(
        ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key)
            .as_ref()
            .to_vec(),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn resolve_x509_data(
    policy: &VerificationPolicy,
    x509_data: Element<'_>,
    tokens: Vec<CertificateInfo>,
) -> Result<ResolvedKey, VerifyError> {
    let mut certs = Vec::new();
    for c in x509_data.children() {
        if c.is(Some(ns::DSIG_NS), "X509Certificate") {
            if certs.len() == MAX_CERTIFICATES {
                return Err(malformed(format!(
                    "more than {MAX_CERTIFICATES} ds:X509Certificate elements in ds:X509Data (each is decoded before the signature is checked, so their number is bounded)"
                )));
            }
            let der = decode_base64(&c.text(), "ds:X509Certificate")?;
            certs.push(CertificateInfo::from_der(&der).map_err(|e| {
                VerifyError::InvalidCertificate {
                    what: "ds:X509Certificate".into(),
                    reason: e.to_string(),
                }
            })?);
        }
    }
    if certs.is_empty() {
        // IssuerSerial without the certificate, directly in KeyInfo.
        let (issuer, serial) = issuer_serial(x509_data)?;
        let cert =
            find_by_issuer_serial(tokens.iter().chain(policy.known.iter()), &issuer, &serial)
                .ok_or_else(|| VerifyError::KeyNotFound {
                    reason: format!("no certificate with issuer `{issuer}` and serial {serial}"),
                })?
                .clone();
        return Ok(ResolvedKey {
            cert,
            token_reference: Some(TokenReference::IssuerSerial),
            intermediates: tokens,
        });
    }
    // The signer is the certificate that issued none of the others.
    let raw = |c: &CertificateInfo| -> Option<(Vec<u8>, Vec<u8>)> {
        let (_, x) = X509Certificate::from_der(c.der()).ok()?;
        Some((x.subject().as_raw().to_vec(), x.issuer().as_raw().to_vec()))
    };
    let names: Vec<_> = certs.iter().map(raw).collect();
    let leaves: Vec<usize> = (0..certs.len())
        .filter(|&i| {
            !names.iter().enumerate().any(|(j, n)| {
                j != i
                    && matches!((&names[i], n), (Some((subject, _)), Some((_, issuer))) if subject == issuer)
            })
        })
        .collect();
    let [leaf] = leaves.as_slice() else {
        return Err(VerifyError::KeyNotFound {
            reason: format!(
                "ds:X509Data holds {} certificates and no single end-entity certificate among them",
                certs.len()
            ),
        });
    };
    let cert = certs.remove(*leaf);
    certs.extend(tokens);
    Ok(ResolvedKey {
        cert,
        token_reference: None,
        intermediates: certs,
    })
}

fn verify_value(
    cert: &CertificateInfo,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    value: &[u8],
) -> Result<(), VerifyError> {
    let invalid = |reason: String| VerifyError::SignatureInvalid { algorithm, reason };
    let (_, x509) = X509Certificate::from_der(cert.der())
        .map_err(|e| invalid(format!("the certificate could not be read: {e}")))?;
    let spki = x509.public_key();
    let key: &[u8] = &spki.subject_public_key.data;
    let key_alg = &spki.algorithm.algorithm;
    match algorithm {
        SignatureAlgorithm::RsaSha256 => {
            if *key_alg != OID_PKCS1_RSAENCRYPTION {
                return Err(invalid(format!(
                    "SignatureMethod is RSA-SHA256 but the certificate's key is {key_alg}"
                )));
            }
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key)
                .verify(message, value)
                .map_err(|_| {
                    invalid("the RSA signature over the canonical ds:SignedInfo is wrong (or the key is shorter than 2048 bits)".into())
                })
        }
        SignatureAlgorithm::EcdsaP256Sha256 => {
            if *key_alg != OID_KEY_TYPE_EC_PUBLIC_KEY || key.len() != 65 {
                return Err(invalid(format!(
                    "SignatureMethod is ECDSA-P256-SHA256 but the certificate's key is {key_alg} ({} bytes, a P-256 point has 65)",
                    key.len()
                )));
            }
            if value.len() != 64 {
                return Err(invalid(format!(
                    "an ECDSA P-256 signature value is r||s, 64 bytes; found {}",
                    value.len()
                )));
            }
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key)
                .verify(message, value)
                .map_err(|_| {
                    invalid("the ECDSA signature over the canonical ds:SignedInfo is wrong".into())
                })
        }
    }
}

/// Signing certificates rarely say "TLS client": qualified and organisational signing
/// certificates carry no EKU at all, or emailProtection (S/MIME), documentSigning, or
/// Microsoft's/Adobe's document-signing purposes; WS-Security certificates issued for mutual
/// TLS as well carry clientAuth. webpki's `KeyUsage::client_auth()` would refuse the
/// emailProtection-only ones, so this validator accepts a certificate without the EKU
/// extension or with one of those purposes (or anyExtendedKeyUsage), and refuses certificates
/// restricted to other purposes (serverAuth only, codeSigning, timeStamping, OCSPSigning).
struct SigningEku;

/// id-kp-emailProtection, DER content octets (named in the error for a refused EKU).
const EKU_EMAIL_PROTECTION: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04];

const SIGNING_EKUS: &[&[usize]] = &[
    &[1, 3, 6, 1, 5, 5, 7, 3, 2],        // clientAuth
    &[1, 3, 6, 1, 5, 5, 7, 3, 4],        // emailProtection
    &[1, 3, 6, 1, 5, 5, 7, 3, 36],       // documentSigning (RFC 9336)
    &[1, 3, 6, 1, 4, 1, 311, 10, 3, 12], // Microsoft document signing
    &[1, 2, 840, 113583, 1, 1, 5],       // Adobe PDF signing
    &[2, 5, 29, 37, 0],                  // anyExtendedKeyUsage
];

impl webpki::ExtendedKeyUsageValidator for SigningEku {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut present = Vec::new();
        for id in iter {
            let oid = id?.to_decoded_oid();
            if SIGNING_EKUS.contains(&oid.as_slice()) {
                return Ok(());
            }
            present.push(oid);
        }
        if present.is_empty() {
            Ok(())
        } else {
            Err(webpki::Error::RequiredEkuNotFoundContext(
                webpki::RequiredEkuNotFoundContext {
                    required: webpki::KeyUsage::required(EKU_EMAIL_PROTECTION),
                    present,
                },
            ))
        }
    }
}

const CHAIN_ALGORITHMS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

fn check_certificate(
    policy: &VerificationPolicy,
    cert: &CertificateInfo,
    message_intermediates: &[CertificateInfo],
    now: OffsetDateTime,
) -> Result<(), VerifyError> {
    let untrusted = |reason: String| VerifyError::UntrustedCertificate {
        issuer: cert.issuer().to_owned(),
        serial: cert.serial_decimal().to_owned(),
        reason,
    };
    if now > cert.not_after() {
        return Err(VerifyError::CertificateExpired {
            issuer: cert.issuer().to_owned(),
            serial: cert.serial_decimal().to_owned(),
            not_after: cert.not_after(),
            now,
        });
    }
    if now < cert.not_before() {
        return Err(VerifyError::CertificateNotYetValid {
            issuer: cert.issuer().to_owned(),
            serial: cert.serial_decimal().to_owned(),
            not_before: cert.not_before(),
            now,
        });
    }
    // The key must be allowed to sign (RFC 5280 §4.2.1.3); webpki does not look at KeyUsage.
    let (_, x509) = X509Certificate::from_der(cert.der())
        .map_err(|e| untrusted(format!("the certificate could not be read: {e}")))?;
    if let Ok(Some(ku)) = x509.key_usage()
        && !(ku.value.digital_signature() || ku.value.non_repudiation())
    {
        return Err(untrusted(
            "its KeyUsage allows neither digitalSignature nor nonRepudiation".into(),
        ));
    }
    if policy.trust.is_empty() {
        return Err(untrusted("the policy has no trust anchors".into()));
    }
    let intermediates: Vec<CertificateDer<'_>> = policy
        .intermediates
        .iter()
        .chain(message_intermediates)
        .map(|c| CertificateDer::from(c.der()))
        .collect();
    let ee_der = CertificateDer::from(cert.der());
    let ee = webpki::EndEntityCert::try_from(&ee_der)
        .map_err(|e| untrusted(format!("the certificate could not be read: {e}")))?;
    let seconds = u64::try_from(now.unix_timestamp())
        .map_err(|_| untrusted("verification time before 1970".into()))?;
    let time = UnixTime::since_unix_epoch(Duration::from_secs(seconds));
    ee.verify_for_usage(
        CHAIN_ALGORITHMS,
        &policy.trust.anchors,
        &intermediates,
        time,
        SigningEku,
        None,
        None,
    )
    .map(|_| ())
    .map_err(|e| {
        untrusted(match e {
            webpki::Error::UnknownIssuer => format!(
                "no path to the {} trust anchor(s): its issuer is neither a trust anchor nor among the intermediates",
                policy.trust.len()
            ),
            webpki::Error::CertExpired { .. } => {
                "a CA certificate on its path has expired".into()
            }
            webpki::Error::CertNotValidYet { .. } => {
                "a CA certificate on its path is not valid yet".into()
            }
            webpki::Error::RequiredEkuNotFoundContext(_) => {
                "its extended key usage does not allow signing (no clientAuth, emailProtection, documentSigning or anyExtendedKeyUsage)".into()
            }
            webpki::Error::InvalidSignatureForPublicKey => {
                "a trust anchor or intermediate has its issuer's name, but the certificate's signature does not verify with that key (another CA of the same name?)".into()
            }
            webpki::Error::CaUsedAsEndEntity => {
                "it is a CA certificate (basicConstraints CA:TRUE), not a signing certificate".into()
            }
            other => format!("path validation failed: {other}"),
        })
    })
}

/// Checks a `wsu:Timestamp` against `now`; returns Created and Expires.
fn check_timestamp(
    ts: Element<'_>,
    now: OffsetDateTime,
    policy: &VerificationPolicy,
) -> Result<(OffsetDateTime, Option<OffsetDateTime>), VerifyError> {
    let invalid = |reason: String| VerifyError::TimestampInvalid { reason };
    let created_el = single_child(ts, ns::WSU_NS, "Created")
        .map_err(|n| invalid(format!("{n} wsu:Created elements; exactly one expected")))?;
    let created = parse_xs_datetime(created_el.text().trim()).ok_or_else(|| {
        invalid(format!(
            "wsu:Created `{}` is not an xs:dateTime with time zone",
            created_el.text().trim()
        ))
    })?;
    let expires = match single_child(ts, ns::WSU_NS, "Expires") {
        Ok(el) => Some(parse_xs_datetime(el.text().trim()).ok_or_else(|| {
            invalid(format!(
                "wsu:Expires `{}` is not an xs:dateTime with time zone",
                el.text().trim()
            ))
        })?),
        Err(0) => None,
        Err(n) => return Err(invalid(format!("{n} wsu:Expires elements"))),
    };
    if let Some(exp) = expires
        && exp < created
    {
        return Err(invalid(format!(
            "wsu:Expires {exp} is before wsu:Created {created}"
        )));
    }
    let skew = time::Duration::try_from(policy.clock_skew).unwrap_or(time::Duration::MAX);
    let skew_seconds = policy.clock_skew.as_secs();
    if created > now.saturating_add(skew) {
        return Err(VerifyError::TimestampInFuture {
            created,
            now,
            skew_seconds,
        });
    }
    if let Some(expires) = expires
        && expires <= now.saturating_sub(skew)
    {
        return Err(VerifyError::TimestampExpired {
            expires,
            now,
            skew_seconds,
        });
    }
    if expires.is_none() || policy.timestamp_age_applies_with_expires() {
        let age = policy.allowed_timestamp_age();
        let limit = time::Duration::try_from(age).unwrap_or(time::Duration::MAX);
        if created.saturating_add(limit) <= now.saturating_sub(skew) {
            return Err(VerifyError::TimestampTooOld {
                created,
                has_expires: expires.is_some(),
                max_age_seconds: age.as_secs(),
                now,
                skew_seconds,
            });
        }
    }
    Ok((created, expires))
}

/// Parses an `xs:dateTime` with a time zone (`2026-01-01T10:00:00.123Z`, `…+01:00`).
fn parse_xs_datetime(s: &str) -> Option<OffsetDateTime> {
    // `24:00:00`, valid XML Schema for the next midnight, is refused here: no WS-Security stack
    // writes it, and a timestamp has one spelling to check.
    if s.get(11..13) == Some("24") {
        return None;
    }
    crate::xml::parse_date_time(s).ok()?.instant()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn xs_datetime() {
        let t = parse_xs_datetime("2026-01-02T03:04:05.5Z").unwrap();
        assert_eq!(t.unix_timestamp(), 1767323045);
        assert_eq!(t.nanosecond(), 500_000_000);
        let t2 = parse_xs_datetime("2026-01-02T04:04:05+01:00").unwrap();
        assert_eq!(t2.unix_timestamp(), 1767323045);
        assert!(parse_xs_datetime("2026-01-02T03:04:05").is_none());
        assert!(parse_xs_datetime("2026-13-02T03:04:05Z").is_none());
        // The offset's hours and minutes are two ASCII digits each.
        let t3 = parse_xs_datetime("2026-01-02T02:04:05.5-01:00").unwrap();
        assert_eq!(t3.unix_timestamp(), 1767323045);
        for bad in [
            "2026-01-02T04:04:05++1:00",
            "2026-01-02T04:04:05+-1:00",
            "2026-01-02T04:04:05-+1:00",
            "2026-01-02T04:04:05+01:+0",
            "2026-01-02T04:04:05+01:-0",
            "2026-01-02T04:04:05+ 1:00",
            "2026-01-02T04:04:05+0a:00",
            "2026-01-02T04:04:05.5++1:00",
        ] {
            assert!(parse_xs_datetime(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn distinguished_names() {
        let a = parse_dn("CN=Test CA, O=Foo\\, Inc.,C=PL").unwrap();
        let b = parse_dn("cn=test  ca,o=foo\\2c inc.,c=pl").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0][0].0, "2.5.4.3");
        let m = parse_dn("CN=a+OU=b,C=PL").unwrap();
        assert_eq!(m[0].len(), 2);
        assert!(parse_dn("novalue").is_none());
    }
}
