//! The WS-Security signing identity: a private key and its certificate chain.
//!
//! It is kept apart from the TLS client identity ([`Identity`]): P1 issues two certificates per
//! organisation, `…-tls.p12` for mutual TLS and `…-wss.p12` for message signatures, under
//! different intermediate CAs. The files are read by the same loader as the TLS identity (which
//! checks that key and certificate belong together); what is added here is the signing key in
//! ring's form and the algorithm that follows from it.
//!
//! Supported keys: RSA (2048 to 8192 bits; `rsa-sha256`) and ECDSA on P-256 (`ecdsa-sha256`,
//! the value `r || s`), in PKCS#8, PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`) form.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use rustls_pki_types::PrivateKeyDer;
use x509_parser::asn1_rs::{FromDer, Integer, OctetString, Sequence};
use x509_parser::certificate::X509Certificate;
use x509_parser::x509::AlgorithmIdentifier;

use super::common::{CertificateError, CertificateInfo, SignatureAlgorithm};
use crate::transport::{Identity, IdentityError};

const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";

/// Why a signing identity could not be loaded or could not sign.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The keystore or PEM files could not be read, or key and certificate do not match.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A certificate of the chain could not be read.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// The key cannot make XML signatures: only RSA and ECDSA P-256 keys can.
    #[error(
        "the private key cannot sign XML signatures: {0} (supported are RSA, 2048 to 8192 bits, and ECDSA P-256)"
    )]
    UnsupportedKey(String),
    /// The key was refused by the cryptographic library (malformed, or its public half does not
    /// match the certificate).
    #[error("the private key was rejected: {0}")]
    KeyRejected(String),
    /// The signature operation failed.
    #[error("signing failed")]
    SigningFailed,
}

/// A WS-Security signing key with its certificate chain (leaf first).
///
/// `Debug` shows the leaf's issuer and serial number only, never the key (nor the subject, which
/// may name a person). Cloning is cheap: the key is shared.
#[derive(Clone)]
pub struct SigningIdentity {
    inner: Arc<Inner>,
}

struct Inner {
    leaf: CertificateInfo,
    chain: Vec<CertificateInfo>,
    key: SigningKey,
}

enum SigningKey {
    Rsa(RsaKeyPair),
    EcdsaP256(EcdsaKeyPair),
}

impl SigningIdentity {
    /// Loads the identity from a DER-encoded PKCS#12 keystore (`…-wss.p12`).
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, KeyError> {
        Self::from_identity(Identity::from_pkcs12(der, password)?)
    }

    /// Reads a PKCS#12 keystore from a file, as [`from_pkcs12`](Self::from_pkcs12).
    pub fn from_pkcs12_file(path: impl AsRef<Path>, password: &str) -> Result<Self, KeyError> {
        Self::from_identity(Identity::from_pkcs12_file(path, password)?)
    }

    /// Loads the identity from PEM text holding the certificate(s) and one unencrypted private
    /// key (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        Self::from_identity(Identity::from_pem(pem)?)
    }

    /// Loads the identity from PEM files: `cert` holds the certificate(s), `key` the private key
    /// (`None`: `cert` holds it too).
    pub fn from_pem_files(cert: &Path, key: Option<&Path>) -> Result<Self, KeyError> {
        Self::from_identity(Identity::from_pem_files(cert, key)?)
    }

    /// Loads the identity from a file, PEM or PKCS#12 told apart by content (see
    /// [`Identity::from_file`]).
    pub fn from_file(path: impl AsRef<Path>, password: Option<&str>) -> Result<Self, KeyError> {
        Self::from_identity(Identity::from_file(path, password)?)
    }

    /// Uses a loaded [`Identity`] (whose key and certificate were checked to match) for
    /// signing.
    pub fn from_identity(identity: Identity) -> Result<Self, KeyError> {
        let chain = identity
            .certificate_chain()
            .iter()
            .map(|c| CertificateInfo::from_der(c))
            .collect::<Result<Vec<_>, _>>()?;
        let leaf = chain.first().ok_or(IdentityError::NoCertificate)?.clone();
        let (_, cert) = X509Certificate::from_der(leaf.der())
            .map_err(|e| KeyError::KeyRejected(format!("the certificate cannot be read: {e}")))?;
        let key = load_key(&identity.private_key(), &cert)?;
        Ok(SigningIdentity {
            inner: Arc::new(Inner { leaf, chain, key }),
        })
    }

    /// The signing (leaf) certificate.
    pub fn certificate(&self) -> &CertificateInfo {
        &self.inner.leaf
    }

    /// The certificate chain, leaf first, as far as the keystore or PEM file held it.
    pub fn chain(&self) -> &[CertificateInfo] {
        &self.inner.chain
    }

    /// The signature algorithm, which follows from the key.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self.inner.key {
            SigningKey::Rsa(_) => SignatureAlgorithm::RsaSha256,
            SigningKey::EcdsaP256(_) => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    /// The XML-DSig `SignatureValue` bytes of `data`: PKCS#1 v1.5 for RSA, `r || s` for ECDSA.
    pub(crate) fn sign(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match &self.inner.key {
            SigningKey::Rsa(key) => {
                let mut sig = vec![0; key.public().modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &rng, data, &mut sig)
                    .map_err(|_| KeyError::SigningFailed)?;
                Ok(sig)
            }
            SigningKey::EcdsaP256(key) => key
                .sign(&rng, data)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::SigningFailed),
        }
    }
}

impl fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leaf = self.certificate();
        f.debug_struct("SigningIdentity")
            .field("issuer", &leaf.issuer())
            .field("serial", &leaf.serial_decimal())
            .field("algorithm", &self.algorithm())
            .field("chain_len", &self.inner.chain.len())
            .field("key", &crate::redact::REDACTED)
            .finish()
    }
}

/// The ring key for `key`, whose kind follows from the certificate's public key.
fn load_key(key: &PrivateKeyDer<'_>, cert: &X509Certificate<'_>) -> Result<SigningKey, KeyError> {
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        OID_RSA_ENCRYPTION => {
            let pair = match key {
                PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
                PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
                _ => {
                    return Err(KeyError::KeyRejected(
                        "the certificate holds an RSA key but the private key is not RSA".into(),
                    ));
                }
            }
            .map_err(|e| KeyError::KeyRejected(format!("RSA key: {e}")))?;
            Ok(SigningKey::Rsa(pair))
        }
        OID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|c| c.to_id_string())
                .unwrap_or_default();
            if curve != OID_P256 {
                return Err(KeyError::UnsupportedKey(format!(
                    "an EC key on curve {}",
                    if curve.is_empty() {
                        "(unnamed)"
                    } else {
                        &curve
                    }
                )));
            }
            let scalar = ec_private_scalar(key)
                .ok_or_else(|| KeyError::KeyRejected("the EC private key cannot be read".into()))?;
            // The public point comes from the certificate; ring checks that it belongs to the
            // private scalar (a PKCS#8 or SEC1 key without its public key works as well).
            let public = spki.subject_public_key.data.as_ref();
            let pair = EcdsaKeyPair::from_private_key_and_public_key(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &scalar,
                public,
                &SystemRandom::new(),
            )
            .map_err(|e| KeyError::KeyRejected(format!("EC P-256 key: {e}")))?;
            Ok(SigningKey::EcdsaP256(pair))
        }
        other => Err(KeyError::UnsupportedKey(match other {
            "1.3.101.112" => "an Ed25519 key".to_owned(),
            "1.3.101.113" => "an Ed448 key".to_owned(),
            "1.2.840.113549.1.1.10" => "an RSA-PSS key".to_owned(),
            "1.2.840.10040.4.1" => "a DSA key".to_owned(),
            other => format!("a key of algorithm {other}"),
        })),
    }
}

/// The private scalar of a P-256 key, 32 bytes big-endian, from SEC1 `ECPrivateKey` or
/// PKCS#8 wrapping it.
fn ec_private_scalar(key: &PrivateKeyDer<'_>) -> Option<Vec<u8>> {
    let sec1 = match key {
        PrivateKeyDer::Sec1(k) => k.secret_sec1_der().to_vec(),
        PrivateKeyDer::Pkcs8(k) => {
            // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING key, … }
            let (_, info) = Sequence::from_der(k.secret_pkcs8_der()).ok()?;
            let (rest, _version) = Integer::from_der(&info.content).ok()?;
            let (rest, algorithm) = AlgorithmIdentifier::from_der(rest).ok()?;
            if algorithm.algorithm.to_id_string() != OID_EC_PUBLIC_KEY {
                return None;
            }
            let (_, inner) = OctetString::from_der(rest).ok()?;
            inner.as_ref().to_vec()
        }
        _ => return None,
    };
    // ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING, … }
    let (_, seq) = Sequence::from_der(&sec1).ok()?;
    let (rest, version) = Integer::from_der(&seq.content).ok()?;
    if version.as_u32().ok()? != 1 {
        return None;
    }
    let (_, scalar) = OctetString::from_der(rest).ok()?;
    let scalar = scalar.as_ref();
    // Some encoders drop leading zero bytes; ring wants exactly 32.
    if scalar.len() > 32 {
        return None;
    }
    let mut fixed = vec![0; 32 - scalar.len()];
    fixed.extend_from_slice(scalar);
    Some(fixed)
}
