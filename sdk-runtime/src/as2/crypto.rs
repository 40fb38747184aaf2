//! The CMS (RFC 5652) operations of S/MIME: detached signatures made and checked, content
//! enveloped for a recipient and opened, and compressed data (RFC 3274).

use ::cms::cert::IssuerAndSerialNumber;
use ::cms::compressed_data::CompressedData;
use ::cms::content_info::{CmsVersion, ContentInfo};
use ::cms::enveloped_data::{EnvelopedData, RecipientIdentifier, RecipientInfo};
use ::cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912, rfc6268};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use super::As2Error;
use crate::wssec::SigningIdentity;

/// The largest content a compressed part may inflate to (bytes); a message has at most one
/// compressed layer, so this bounds what a message inflates to in all.
pub const MAX_INFLATED_BYTES: u64 = 512 << 20;

/// A digest algorithm of signatures and MICs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Digest {
    /// SHA-1 (legacy partners; read, never chosen by us).
    Sha1,
    /// SHA-256, what we sign with.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Digest {
    /// The name in `micalg` and `Received-Content-MIC` (`sha-256`, RFC 5751 §3.4.3.2).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// The algorithm a `micalg` name means: `sha256`, `sha-256` and `SHA256` alike (pyas2lib
    /// writes them without the hyphen).
    pub fn from_name(name: &str) -> Option<Self> {
        let n: String = name
            .trim()
            .chars()
            .filter(|c| *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        match n.as_str() {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => rfc5912::ID_SHA_1,
            Self::Sha256 => rfc5912::ID_SHA_256,
            Self::Sha384 => rfc5912::ID_SHA_384,
            Self::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|d| d.oid() == oid)
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            Self::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
            Self::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(alg, data).as_ref().to_vec()
    }

    fn rsa_verification(self) -> &'static ring::signature::RsaParameters {
        match self {
            Self::Sha1 => &ring::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            Self::Sha384 => &ring::signature::RSA_PKCS1_2048_8192_SHA384,
            Self::Sha512 => &ring::signature::RSA_PKCS1_2048_8192_SHA512,
        }
    }
}

/// The content cipher of enveloped data we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cipher {
    /// AES-128-CBC.
    Aes128Cbc,
    /// AES-192-CBC.
    Aes192Cbc,
    /// AES-256-CBC (the default).
    Aes256Cbc,
}

fn der_error(what: &str) -> impl Fn(der::Error) -> As2Error + '_ {
    move |e| As2Error::Cms(format!("{what}: {e}"))
}

fn builder_error(e: ::cms::builder::Error) -> As2Error {
    As2Error::Cms(format!("{e:?}"))
}

/// A certificate in the `x509-cert` model.
pub(crate) fn certificate(der: &[u8]) -> Result<Certificate, As2Error> {
    Certificate::from_der(der).map_err(der_error("a certificate"))
}

fn issuer_and_serial(cert: &Certificate) -> IssuerAndSerialNumber {
    IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    }
}

/// A detached signature of `content` by `identity` (SHA-256; RSA keys): the DER of a CMS
/// `ContentInfo` holding `SignedData` with the signer's certificate chain and the signed
/// attributes content type, signing time and message digest.
pub fn sign_detached(content: &[u8], identity: &SigningIdentity) -> Result<Vec<u8>, As2Error> {
    if identity.algorithm() != crate::wssec::SignatureAlgorithm::RsaSha256 {
        return Err(As2Error::Unsupported(
            "AS2 signing with a non-RSA key (the key is ECDSA)".into(),
        ));
    }
    let leaf = certificate(identity.certificate().der())?;
    let digest = Digest::Sha256;
    let mut attrs = SetOfVec::<Attribute>::new();
    for a in [
        ::cms::builder::create_content_type_attribute(rfc5911::ID_DATA).map_err(builder_error)?,
        ::cms::builder::create_signing_time_attribute().map_err(builder_error)?,
        ::cms::builder::create_message_digest_attribute(&digest.digest(content))
            .map_err(builder_error)?,
    ] {
        attrs.insert(a).map_err(der_error("signed attributes"))?;
    }
    // The signature covers the DER of the attributes as a SET OF (RFC 5652 §5.4).
    let to_sign = attrs.to_der().map_err(der_error("signed attributes"))?;
    let signature = identity
        .sign(&to_sign)
        .map_err(|e| As2Error::Cms(format!("signing: {e}")))?;
    let null = Any::new(der::Tag::Null, Vec::<u8>::new()).map_err(der_error("NULL"))?;
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(issuer_and_serial(&leaf)),
        digest_alg: AlgorithmIdentifierOwned {
            oid: digest.oid(),
            parameters: None,
        },
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(null),
        },
        signature: OctetString::new(signature).map_err(der_error("the signature"))?,
        unsigned_attrs: None,
    };
    let mut certs = SetOfVec::new();
    for c in identity.chain() {
        certs
            .insert(::cms::cert::CertificateChoices::Certificate(certificate(
                c.der(),
            )?))
            .map_err(der_error("the certificates"))?;
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms
        .insert(AlgorithmIdentifierOwned {
            oid: digest.oid(),
            parameters: None,
        })
        .map_err(der_error("the digest algorithms"))?;
    let mut signer_infos = SetOfVec::new();
    signer_infos
        .insert(signer)
        .map_err(der_error("the signer"))?;
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(der_error("SignedData"))?,
    }
    .to_der()
    .map_err(der_error("ContentInfo"))
}

/// What a checked signature says.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The signer's digest algorithm.
    pub digest: Digest,
}

/// Checks a detached signature `signature` (DER `ContentInfo`/`SignedData`) over `content`
/// against the partner's certificates (`trusted`, DER): the signer must be one of them (matched
/// by issuer and serial number or subject key identifier; certificates the message carries are
/// not trusted), the message digest must match and the signature must verify.
pub fn verify_detached(
    content: &[u8],
    signature: &[u8],
    trusted: &[Vec<u8>],
) -> Result<Verified, As2Error> {
    let bad = |why: String| As2Error::Signature(why);
    let info = ContentInfo::from_der(signature).map_err(|e| bad(format!("not CMS: {e}")))?;
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(bad(format!("not SignedData but {}", info.content_type)));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| bad(format!("SignedData: {e}")))?;
    let signer = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| bad("no signer".into()))?;
    let digest = Digest::from_oid(signer.digest_alg.oid).ok_or_else(|| {
        bad(format!(
            "digest algorithm {} unsupported",
            signer.digest_alg.oid
        ))
    })?;
    // The signer among the partner's certificates.
    let mut key = None;
    for der in trusted {
        let cert = certificate(der)?;
        let matches = match &signer.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                ias.issuer == cert.tbs_certificate.issuer
                    && ias.serial_number == cert.tbs_certificate.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                cert.tbs_certificate.extensions.iter().flatten().any(|e| {
                    e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER
                        && OctetString::from_der(e.extn_value.as_bytes())
                            .is_ok_and(|v| v.as_bytes() == ski.0.as_bytes())
                })
            }
        };
        if matches {
            key = Some(cert);
            break;
        }
    }
    let cert =
        key.ok_or_else(|| bad("signed by a certificate that is not the partner's".into()))?;
    let computed = digest.digest(content);
    let signed_bytes = match &signer.signed_attrs {
        Some(attrs) => {
            let md = attrs
                .iter()
                .find(|a| a.oid == rfc5911::ID_MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .ok_or_else(|| bad("no message digest attribute".into()))?;
            let md: OctetString = md
                .decode_as()
                .map_err(|e| bad(format!("message digest: {e}")))?;
            if md.as_bytes() != computed.as_slice() {
                return Err(As2Error::Integrity(
                    "the content does not match the signed message digest (altered in transit)"
                        .into(),
                ));
            }
            attrs
                .to_der()
                .map_err(|e| bad(format!("signed attributes: {e}")))?
        }
        None => content.to_vec(),
    };
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid != rfc5912::RSA_ENCRYPTION {
        return Err(As2Error::Unsupported(format!(
            "a signer key of algorithm {}",
            spki.algorithm.oid
        )));
    }
    ring::signature::UnparsedPublicKey::new(
        digest.rsa_verification(),
        spki.subject_public_key.raw_bytes(),
    )
    .verify(&signed_bytes, signer.signature.as_bytes())
    .map_err(|_| bad("the signature does not verify".into()))?;
    Ok(Verified { digest })
}

/// `content` enveloped for the holder of `recipient` (DER certificate, RSA): DER `ContentInfo`
/// with `EnvelopedData`, the content key transported with RSA PKCS#1 v1.5.
pub fn encrypt(content: &[u8], recipient: &[u8], cipher: Cipher) -> Result<Vec<u8>, As2Error> {
    use rsa::pkcs8::DecodePublicKey as _;
    let cert = certificate(recipient)?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(der_error("the recipient's key"))?;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki)
        .map_err(|e| As2Error::Unsupported(format!("the recipient's key is not RSA: {e}")))?;
    let mut rng = rand_core::OsRng;
    let mut rng2 = rand_core::OsRng;
    let recipient = ::cms::builder::KeyTransRecipientInfoBuilder::new(
        RecipientIdentifier::IssuerAndSerialNumber(issuer_and_serial(&cert)),
        ::cms::builder::KeyEncryptionInfo::Rsa(key),
        &mut rng,
    )
    .map_err(builder_error)?;
    let algorithm = match cipher {
        Cipher::Aes128Cbc => ::cms::builder::ContentEncryptionAlgorithm::Aes128Cbc,
        Cipher::Aes192Cbc => ::cms::builder::ContentEncryptionAlgorithm::Aes192Cbc,
        Cipher::Aes256Cbc => ::cms::builder::ContentEncryptionAlgorithm::Aes256Cbc,
    };
    let mut builder = ::cms::builder::EnvelopedDataBuilder::new(None, content, algorithm, None)
        .map_err(builder_error)?;
    let enveloped = builder
        .add_recipient_info(recipient)
        .map_err(builder_error)?
        .build_with_rng(&mut rng2)
        .map_err(builder_error)?;
    ContentInfo {
        content_type: rfc5911::ID_ENVELOPED_DATA,
        content: Any::encode_from(&enveloped).map_err(der_error("EnvelopedData"))?,
    }
    .to_der()
    .map_err(der_error("ContentInfo"))
}

/// The key that opens content enveloped for us: an RSA private key and its certificate.
pub struct DecryptionKey {
    key: rsa::RsaPrivateKey,
    cert: Certificate,
}

impl std::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("serial", &self.cert.tbs_certificate.serial_number)
            .field("key", &crate::redact::REDACTED)
            .finish()
    }
}

impl DecryptionKey {
    /// The key of a loaded identity (PKCS#12 or PEM; RSA).
    pub fn from_identity(identity: &crate::transport::Identity) -> Result<Self, As2Error> {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePrivateKey as _;
        use rustls_pki_types::PrivateKeyDer;
        let key = match identity.private_key() {
            PrivateKeyDer::Pkcs8(k) => rsa::RsaPrivateKey::from_pkcs8_der(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => rsa::RsaPrivateKey::from_pkcs1_der(k.secret_pkcs1_der())
                .map_err(rsa::pkcs8::Error::from),
            _ => {
                return Err(As2Error::Unsupported(
                    "a decryption key that is not RSA".into(),
                ));
            }
        }
        .map_err(|e| As2Error::Unsupported(format!("the decryption key is not RSA: {e}")))?;
        let cert = identity
            .certificate_chain()
            .first()
            .ok_or_else(|| As2Error::Cms("the identity has no certificate".into()))?;
        Ok(Self {
            key,
            cert: certificate(cert)?,
        })
    }
}

/// The content of DER `ContentInfo`/`EnvelopedData` enveloped for `key`. Every failure to
/// open it is the same error, so that a sender cannot learn which step failed.
pub fn decrypt(enveloped: &[u8], key: &DecryptionKey) -> Result<Vec<u8>, As2Error> {
    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockDecryptMut as _, KeyIvInit as _};
    let info = ContentInfo::from_der(enveloped)
        .map_err(|e| As2Error::Decryption(format!("not CMS: {e}")))?;
    if info.content_type != rfc5911::ID_ENVELOPED_DATA {
        return Err(As2Error::Decryption(format!(
            "not EnvelopedData but {}",
            info.content_type
        )));
    }
    let data: EnvelopedData = info
        .content
        .decode_as()
        .map_err(|e| As2Error::Decryption(format!("EnvelopedData: {e}")))?;
    let ours = issuer_and_serial(&key.cert);
    let ktri = data
        .recip_infos
        .0
        .iter()
        .find_map(|r| match r {
            RecipientInfo::Ktri(k) => match &k.rid {
                RecipientIdentifier::IssuerAndSerialNumber(ias) if *ias == ours => Some(k),
                _ => None,
            },
            _ => None,
        })
        .ok_or_else(|| {
            As2Error::Decryption("not encrypted for our certificate (issuer and serial)".into())
        })?;
    let eci = &data.encrypted_content;
    let alg = eci.content_enc_alg.oid;
    let key_len = if alg == rfc5911::ID_AES_128_CBC {
        16
    } else if alg == rfc5911::ID_AES_192_CBC || alg == DES_EDE3_CBC {
        24
    } else if alg == rfc5911::ID_AES_256_CBC {
        32
    } else {
        return Err(As2Error::Unsupported(format!(
            "content encryption {alg} (AES-CBC and 3DES-CBC are supported)"
        )));
    };
    // RFC 3218 §2.3.2: a key that does not unwrap is replaced by a random one, so that the
    // failure shows only later, like any other (RUSTSEC-2023-0071 mitigation).
    let cek = match key
        .key
        .decrypt(rsa::Pkcs1v15Encrypt, ktri.enc_key.as_bytes())
    {
        Ok(k) if k.len() == key_len => k,
        _ => {
            let mut random = vec![0u8; key_len];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut random);
            random
        }
    };
    let iv: OctetString = eci
        .content_enc_alg
        .parameters
        .as_ref()
        .ok_or_else(|| As2Error::Decryption("no IV".into()))?
        .decode_as()
        .map_err(|e| As2Error::Decryption(format!("IV: {e}")))?;
    let ciphertext = eci
        .encrypted_content
        .as_ref()
        .ok_or_else(|| As2Error::Decryption("no encrypted content".into()))?
        .as_bytes();
    let failed = || As2Error::Decryption("the content does not decrypt".into());
    let iv = iv.as_bytes();
    let plain = match key_len {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&cek, iv)
            .map_err(|_| failed())?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext),
        24 if alg == DES_EDE3_CBC => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&cek, iv)
            .map_err(|_| failed())?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&cek, iv)
            .map_err(|_| failed())?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext),
        _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(&cek, iv)
            .map_err(|_| failed())?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext),
    };
    plain.map_err(|_| failed())
}

/// DES-EDE3-CBC (RFC 3370 §5.1): pyas2lib's default content cipher.
const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");

/// `content` as DER `ContentInfo`/`CompressedData` (zlib, RFC 3274).
pub fn compress(content: &[u8]) -> Result<Vec<u8>, As2Error> {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(content)
        .and_then(|()| z.finish())
        .map_err(|e| As2Error::Cms(format!("compressing: {e}")))
        .and_then(|packed| {
            let econtent = Any::encode_from(
                &OctetString::new(packed).map_err(der_error("compressed content"))?,
            )
            .map_err(der_error("compressed content"))?;
            let data = CompressedData {
                version: CmsVersion::V0,
                compression_alg: AlgorithmIdentifierOwned {
                    oid: rfc6268::ID_ALG_ZLIB_COMPRESS,
                    parameters: None,
                },
                encap_content_info: EncapsulatedContentInfo {
                    econtent_type: rfc5911::ID_DATA,
                    econtent: Some(econtent),
                },
            };
            ContentInfo {
                content_type: rfc6268::ID_CT_COMPRESSED_DATA,
                content: Any::encode_from(&data).map_err(der_error("CompressedData"))?,
            }
            .to_der()
            .map_err(der_error("ContentInfo"))
        })
}

/// The content of DER `ContentInfo`/`CompressedData`, inflated up to [`MAX_INFLATED_BYTES`].
pub fn decompress(compressed: &[u8]) -> Result<Vec<u8>, As2Error> {
    use std::io::Read as _;
    let info = ContentInfo::from_der(compressed).map_err(der_error("compressed data"))?;
    if info.content_type != rfc6268::ID_CT_COMPRESSED_DATA {
        return Err(As2Error::Cms(format!(
            "not CompressedData but {}",
            info.content_type
        )));
    }
    let data: CompressedData = info
        .content
        .decode_as()
        .map_err(der_error("CompressedData"))?;
    if data.compression_alg.oid != rfc6268::ID_ALG_ZLIB_COMPRESS {
        return Err(As2Error::Unsupported(format!(
            "compression {} (zlib is supported)",
            data.compression_alg.oid
        )));
    }
    let packed: OctetString = data
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| As2Error::Cms("compressed data without content".into()))?
        .decode_as()
        .map_err(der_error("compressed content"))?;
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(packed.as_bytes())
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| As2Error::Cms(format!("inflating: {e}")))?;
    if out.len() as u64 > MAX_INFLATED_BYTES {
        return Err(As2Error::TooLarge {
            limit: MAX_INFLATED_BYTES,
        });
    }
    Ok(out)
}
