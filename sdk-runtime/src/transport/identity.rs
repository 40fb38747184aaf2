//! The TLS client identity: a certificate chain and its private key, loaded from PKCS#12
//! (`.pfx`/`.p12`) or PEM.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::sign::{CertifiedKey, SigningKey};
use rustls::{Error as RustlsError, InconsistentKeys};
use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use time::OffsetDateTime;
use x509_parser::asn1_rs::{FromDer, Integer, Sequence};
use x509_parser::certificate::X509Certificate;
use x509_parser::x509::AlgorithmIdentifier;

/// Key types the ring provider can sign with, for error messages.
const SUPPORTED_KEYS: &str =
    "supported are RSA (2048 to 8192 bits), ECDSA P-256 and P-384, Ed25519";

/// A TLS client identity: the certificate chain (leaf first) and the matching private key.
///
/// The private key never appears in `Debug` output. Cloning is cheap: the key is shared.
#[derive(Clone)]
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
    subject: String,
    not_after: Option<OffsetDateTime>,
}

/// Why a client identity could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The PKCS#12 integrity check failed, which in practice means the password is wrong.
    #[error("the PKCS#12 password is wrong")]
    WrongPassword,
    /// The file is a PKCS#12 keystore but no password was given.
    #[error("the file is a PKCS#12 (.pfx/.p12) keystore and needs a password")]
    PasswordRequired,
    /// Certificates were found but no private key.
    #[error("the file holds a certificate but no private key")]
    NoPrivateKey,
    /// A private key was found but no certificate.
    #[error("the file holds a private key but no certificate")]
    NoCertificate,
    /// None of the certificates belongs to the private key.
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
    /// The key cannot be used for TLS (algorithm, curve or size).
    #[error("the private key cannot be used for TLS: {0}")]
    UnsupportedKey(String),
    /// The data is neither a valid PKCS#12 keystore nor PEM certificate/key.
    #[error("the certificate/key data is not valid: {0}")]
    Malformed(String),
}

impl Identity {
    /// Loads an identity from a DER-encoded PKCS#12 keystore (`.pfx`/`.p12`).
    ///
    /// Reads both modern (PBES2, AES-256, PBKDF2) and legacy (3DES, RC2) keystores. The
    /// certificate linked to the key is the leaf; further certificates of the keystore that
    /// form its issuer chain are sent along with it.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Identity, IdentityError> {
        let archive =
            p12_keystore::Pkcs12Archive::from_pkcs12(der, password).map_err(map_pkcs12_error)?;
        if archive.keys.is_empty() {
            return Err(if archive.certs.is_empty() {
                IdentityError::Malformed(
                    "the PKCS#12 keystore holds neither a certificate nor a private key".into(),
                )
            } else {
                IdentityError::NoPrivateKey
            });
        }
        if archive.certs.is_empty() {
            return Err(IdentityError::NoCertificate);
        }
        let certs: Vec<CertificateDer<'static>> = archive
            .certs
            .iter()
            .map(|bag| CertificateDer::from(bag.cert.as_der().to_vec()))
            .collect();

        // A keystore normally holds one key; with several, take the first that has its
        // certificate, and report the first key's problem if none has.
        let mut first_error = None;
        for bag in &archive.keys {
            let linked = bag.local_key_id.as_ref().and_then(|id| {
                archive
                    .certs
                    .iter()
                    .position(|c| c.local_key_id.as_deref() == Some(id.0.as_slice()))
            });
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(bag.key.as_der().to_vec()));
            match Identity::assemble(key, certs.clone(), linked) {
                Ok(identity) => return Ok(identity),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(IdentityError::NoPrivateKey))
    }

    /// Reads a PKCS#12 keystore from a file and loads it like [`Identity::from_pkcs12`].
    pub fn from_pkcs12_file(
        path: impl AsRef<Path>,
        password: &str,
    ) -> Result<Identity, IdentityError> {
        let data = read_file(path.as_ref())?;
        Identity::from_pkcs12(&data, password)
    }

    /// Loads an identity from PEM text holding the certificate(s) and one private key
    /// (`PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1)).
    ///
    /// The certificates may come in any order; the one matching the key becomes the leaf.
    /// Encrypted PEM keys are not supported.
    pub fn from_pem(pem: &[u8]) -> Result<Identity, IdentityError> {
        let (certs, keys) = parse_pem(pem)?;
        let mut keys = keys.into_iter();
        let Some(key) = keys.next() else {
            return Err(if certs.is_empty() {
                IdentityError::Malformed("no PEM certificate or private key found".into())
            } else {
                IdentityError::NoPrivateKey
            });
        };
        if keys.next().is_some() {
            return Err(IdentityError::Malformed(
                "more than one private key found; expected exactly one".into(),
            ));
        }
        if certs.is_empty() {
            return Err(IdentityError::NoCertificate);
        }
        Identity::assemble(key, certs, None)
    }

    /// Loads an identity from PEM files: `cert` holds the certificate(s); the key is read from
    /// `key`, or from `cert` too when `key` is `None`.
    pub fn from_pem_files(cert: &Path, key: Option<&Path>) -> Result<Identity, IdentityError> {
        let mut data = read_file(cert)?;
        if let Some(key) = key {
            let key_data = read_file(key)?;
            // PEM sections are self-delimiting, so concatenation is a valid combined file.
            data.push(b'\n');
            data.extend_from_slice(&key_data);
        }
        Identity::from_pem(&data)
    }

    /// Loads an identity from a file, telling PEM from DER PKCS#12 by its content.
    ///
    /// A PKCS#12 file needs `password` unless it was exported with an empty one
    /// ([`IdentityError::PasswordRequired`] otherwise); a PEM file ignores it.
    pub fn from_file(
        path: impl AsRef<Path>,
        password: Option<&str>,
    ) -> Result<Identity, IdentityError> {
        let data = read_file(path.as_ref())?;
        if looks_like_pem(&data) {
            return Identity::from_pem(&data);
        }
        // A bare DER certificate (`.cer`/`.crt`) also starts with a SEQUENCE; say what it is
        // rather than "not a PKCS#12".
        if x509_parser::parse_x509_certificate(&data).is_ok() {
            return Err(IdentityError::NoPrivateKey);
        }
        match password {
            Some(password) => Identity::from_pkcs12(&data, password),
            // Keystores exported with an empty password open without asking.
            None => match Identity::from_pkcs12(&data, "") {
                Err(IdentityError::WrongPassword) => Err(IdentityError::PasswordRequired),
                Err(IdentityError::Malformed(_)) if data.first() != Some(&0x30) => {
                    Err(IdentityError::Malformed(
                        "the file is neither PEM nor a DER PKCS#12 keystore".into(),
                    ))
                }
                other => other,
            },
        }
    }

    /// The certificate chain, leaf first.
    pub fn certificate_chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The leaf certificate's subject in readable form, e.g. `CN=Jan Novák, O=Nemocnice, C=CZ`.
    pub fn subject(&self) -> String {
        self.subject.clone()
    }

    /// The end of the leaf certificate's validity period, if it could be read.
    pub fn not_after(&self) -> Option<OffsetDateTime> {
        self.not_after
    }

    /// The private key, for building rustls configurations.
    pub(crate) fn private_key(&self) -> PrivateKeyDer<'static> {
        self.key.clone_key()
    }

    /// Checks the key, picks the leaf certificate (the one matching the key, preferring
    /// `preferred` when it matches) and orders the chain leaf → issuers.
    fn assemble(
        key: PrivateKeyDer<'static>,
        certs: Vec<CertificateDer<'static>>,
        preferred: Option<usize>,
    ) -> Result<Identity, IdentityError> {
        let signing_key = load_signing_key(&key)?;
        let leaf = find_leaf(&signing_key, &certs, preferred)?;
        let chain = order_chain(certs, leaf);
        let (subject, not_after) = match chain.first() {
            Some(leaf) => describe_leaf(leaf)?,
            None => return Err(IdentityError::NoCertificate),
        };
        Ok(Identity {
            chain,
            key: Arc::new(key),
            subject,
            not_after,
        })
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("subject", &self.subject)
            .field("not_after", &self.not_after)
            .field("chain_len", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, IdentityError> {
    std::fs::read(path).map_err(|source| IdentityError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

fn map_pkcs12_error(e: p12_keystore::error::Error) -> IdentityError {
    use p12_keystore::error::Error as P12;
    match e {
        // MAC failure is the normal wrong-password signal; without a MAC, a wrong password
        // shows up as bad padding after decryption.
        P12::MacError(_) | P12::UnpadError => IdentityError::WrongPassword,
        P12::UnsupportedEncryptionScheme | P12::UnsupportedMacAlgorithm => {
            IdentityError::Malformed(format!(
                "the PKCS#12 keystore uses an algorithm this program cannot read ({e}); \
                 re-export it with AES-256 encryption"
            ))
        }
        P12::InvalidPrivateKey => IdentityError::UnsupportedKey(format!(
            "the keystore's private key cannot be read ({e})"
        )),
        other => IdentityError::Malformed(format!("not a readable PKCS#12 keystore ({other})")),
    }
}

fn parse_pem(
    pem: &[u8],
) -> Result<(Vec<CertificateDer<'static>>, Vec<PrivateKeyDer<'static>>), IdentityError> {
    // The PEM reader skips sections it does not know, so an encrypted key would silently
    // look like "no key"; name the real problem instead.
    if contains(pem, b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || contains(pem, b"Proc-Type: 4,ENCRYPTED")
    {
        return Err(IdentityError::UnsupportedKey(
            "the PEM private key is encrypted; decrypt it (`openssl pkey -in key.pem -out \
             plain.pem`) or use the PKCS#12 file instead"
                .into(),
        ));
    }
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
        let (kind, der) =
            section.map_err(|e| IdentityError::Malformed(format!("invalid PEM: {e}")))?;
        match kind {
            SectionKind::Certificate => certs.push(CertificateDer::from(der)),
            SectionKind::PrivateKey => {
                keys.push(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)));
            }
            SectionKind::RsaPrivateKey => {
                keys.push(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)));
            }
            SectionKind::EcPrivateKey => {
                keys.push(PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)));
            }
            _ => {}
        }
    }
    Ok((certs, keys))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

fn load_signing_key(key: &PrivateKeyDer<'static>) -> Result<Arc<dyn SigningKey>, IdentityError> {
    provider()
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|_| {
            IdentityError::UnsupportedKey(format!(
                "{} is not supported ({SUPPORTED_KEYS})",
                describe_private_key(key)
            ))
        })
}

/// Index of the certificate whose public key matches `key`.
fn find_leaf(
    key: &Arc<dyn SigningKey>,
    certs: &[CertificateDer<'static>],
    preferred: Option<usize>,
) -> Result<usize, IdentityError> {
    let order = preferred
        .into_iter()
        .chain((0..certs.len()).filter(|i| Some(*i) != preferred));
    let mut undecidable = false;
    let mut bad_cert = None;
    for i in order {
        let Some(cert) = certs.get(i) else { continue };
        match CertifiedKey::new(vec![cert.clone()], Arc::clone(key)).keys_match() {
            Ok(()) => return Ok(i),
            Err(RustlsError::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {}
            Err(RustlsError::InconsistentKeys(InconsistentKeys::Unknown)) => undecidable = true,
            // webpki refuses to parse some certificates other TLS servers accept (notably
            // X.509 v1); compare the public keys directly then.
            Err(e) => match spki_matches(key, cert) {
                Some(true) => return Ok(i),
                Some(false) => {}
                None => {
                    bad_cert.get_or_insert(e);
                }
            },
        }
    }
    if undecidable {
        // The key cannot tell its public half; trust the file's own linkage or order.
        return Ok(preferred.unwrap_or(0));
    }
    match bad_cert {
        Some(e) if certs.len() == 1 => Err(IdentityError::Malformed(format!(
            "the certificate cannot be parsed ({e})"
        ))),
        _ => Err(IdentityError::KeyMismatch),
    }
}

/// Whether the certificate's SubjectPublicKeyInfo is the key's; `None` if undecidable.
fn spki_matches(key: &Arc<dyn SigningKey>, cert: &CertificateDer<'_>) -> Option<bool> {
    let spki = key.public_key()?;
    let (_, cert) = X509Certificate::from_der(cert).ok()?;
    Some(cert.public_key().raw == spki.as_ref())
}

/// Puts the leaf first, followed by its issuers as far as `certs` holds them. Unrelated
/// certificates (other roots in a bundle) are dropped: sending them only confuses servers.
fn order_chain(
    mut certs: Vec<CertificateDer<'static>>,
    leaf: usize,
) -> Vec<CertificateDer<'static>> {
    if leaf >= certs.len() {
        return certs;
    }
    let mut chain = vec![certs.swap_remove(leaf)];
    while let Some(last) = chain.last() {
        let Ok((_, last)) = X509Certificate::from_der(last) else {
            break;
        };
        if last.subject().as_raw() == last.issuer().as_raw() {
            break;
        }
        let issuer_raw = last.issuer().as_raw().to_vec();
        let position = certs.iter().position(|c| {
            X509Certificate::from_der(c).is_ok_and(|(_, c)| c.subject().as_raw() == issuer_raw)
        });
        match position {
            Some(i) => chain.push(certs.swap_remove(i)),
            None => break,
        }
    }
    if !certs.is_empty() {
        tracing::debug!(
            dropped = certs.len(),
            "certificates not in the client certificate's chain are not sent"
        );
    }
    chain
}

fn describe_leaf(
    leaf: &CertificateDer<'_>,
) -> Result<(String, Option<OffsetDateTime>), IdentityError> {
    let (_, cert) = X509Certificate::from_der(leaf)
        .map_err(|e| IdentityError::Malformed(format!("the certificate cannot be parsed ({e})")))?;
    let subject = cert.subject().to_string();
    let not_after = Some(cert.validity().not_after.to_datetime());
    Ok((subject, not_after))
}

/// A readable description of a private key's algorithm, e.g. "an EC key on curve P-521".
fn describe_private_key(key: &PrivateKeyDer<'_>) -> String {
    match key {
        PrivateKeyDer::Pkcs1(k) => match rsa_modulus_bits(k.secret_pkcs1_der()) {
            Some(bits) => format!("a {bits}-bit RSA key"),
            None => "this RSA key".into(),
        },
        PrivateKeyDer::Sec1(_) => "this EC key".into(),
        PrivateKeyDer::Pkcs8(k) => {
            describe_pkcs8(k.secret_pkcs8_der()).unwrap_or_else(|| "this private key".into())
        }
        _ => "this private key".into(),
    }
}

fn describe_pkcs8(der: &[u8]) -> Option<String> {
    // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING key, ... }
    let (_, info) = Sequence::from_der(der).ok()?;
    let (rest, _version) = Integer::from_der(&info.content).ok()?;
    let (rest, algorithm) = AlgorithmIdentifier::from_der(rest).ok()?;
    let oid = algorithm.algorithm.to_id_string();
    Some(match oid.as_str() {
        "1.2.840.113549.1.1.1" => {
            let (_, inner) = x509_parser::asn1_rs::OctetString::from_der(rest).ok()?;
            match rsa_modulus_bits(inner.as_ref()) {
                Some(bits) => format!("a {bits}-bit RSA key"),
                None => "this RSA key".into(),
            }
        }
        "1.2.840.113549.1.1.10" => "an RSA-PSS key".into(),
        "1.2.840.10045.2.1" => {
            let curve = algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|c| curve_name(&c.to_id_string()));
            match curve {
                Some(curve) => format!("an EC key on curve {curve}"),
                None => "an EC key".into(),
            }
        }
        "1.3.101.112" => "an Ed25519 key".into(),
        "1.3.101.113" => "an Ed448 key".into(),
        "1.2.840.10040.4.1" => "a DSA key".into(),
        other => format!("a key of algorithm {other}"),
    })
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256".into(),
        "1.3.132.0.34" => "P-384".into(),
        "1.3.132.0.35" => "P-521".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1".into(),
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1".into(),
        other => other.into(),
    }
}

/// Bit length of the modulus of a PKCS#1 `RSAPrivateKey`.
fn rsa_modulus_bits(pkcs1: &[u8]) -> Option<usize> {
    let (_, key) = Sequence::from_der(pkcs1).ok()?;
    let (rest, _version) = Integer::from_der(&key.content).ok()?;
    let (_, modulus) = Integer::from_der(rest).ok()?;
    let bytes = modulus.as_ref();
    let first = bytes.iter().position(|b| *b != 0)?;
    let significant = bytes.get(first..)?;
    let top = significant.first()?;
    Some((significant.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
}
