//! WS-Security building blocks, written by hand in pure Rust.
//!
//! No maintained Rust crate signs or verifies WS-Security messages production-grade, nor does
//! exclusive XML canonicalization (see [`c14n`] for the crates checked), so the pieces live here:
//!
//! * [`Document`]: a strict, namespace-resolved parse of a message that keeps what signatures
//!   depend on (normalised attribute values, namespace declarations where written, processing
//!   instructions, element positions) and finds signed elements by ID without ambiguity.
//! * [`ExcC14n`]: Exclusive XML Canonicalization 1.0 with the InclusiveNamespaces PrefixList,
//!   byte-identical to libxml2/xmlsec1, for a whole document or one element in its context.
//! * [`keys`] and [`sign`]: a signing identity (separate from the TLS identity) and a signing
//!   profile; WS-Security envelopes, and enveloped XML-DSig or XAdES-BES documents.
//! * [`verify`]: verification of signed envelopes and documents under its own policy.
//!
//! The cryptography is ring's (the TLS stack's provider), certificates are read with
//! x509-parser and their paths checked with rustls-webpki. Hand-written besides the XML parts,
//! because those crates stop short of what XML-DSig needs: the RFC 4514 form of names that
//! `ds:X509IssuerName` carries, and matching such a name from a message against a certificate
//! ([`common`], [`verify`]); the `xs:dateTime` reading of `wsu:Timestamp` (XML Schema's lexical
//! form, with time zones only within ±14:00, which is stricter than the `time` crate's RFC 3339
//! parser); and taking the private scalar out of PKCS#8/SEC1 EC keys that carry no public key, which
//! ring's loader requires ([`keys`]).

pub mod c14n;
pub mod common;
pub mod document;
pub mod keys;
pub mod ns;
pub mod sign;
pub mod verify;

pub use c14n::{C14N_10, C14nError, EXC_C14N, EXC_C14N_WITH_COMMENTS, ExcC14n, InclusiveC14n};
pub use common::{
    CertificateError, CertificateInfo, SignatureAlgorithm, SignedPart, TokenReference, XadesLevel,
};
pub use document::{Document, DocumentError, Element, ElementId, LookupError};
pub use keys::{KeyError, SigningIdentity};
pub use sign::{
    DocumentSignatureProfile, SignError, SigningProfile, WsSecuritySigner, sign_enveloped_document,
    sign_enveloped_document_with,
};
pub use verify::{
    CertificateLoadError, SignatureReport, SignedReference, TrustAnchors, Verification,
    VerificationPolicy, VerifiedDocument, VerifiedEnvelope, Verifier, VerifyCheck, VerifyError,
};
