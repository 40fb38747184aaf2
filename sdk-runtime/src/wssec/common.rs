//! Types the signer ([`sign`](super::sign)) and the verifier ([`verify`](super::verify)) share:
//! which parts of a message are signed, how the signature points at its certificate, the
//! signature algorithm, and a readable description of a certificate.

use std::fmt;
use std::fmt::Write as _;

use time::OffsetDateTime;
use x509_parser::asn1_rs::{Any, Tag};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use super::document::Element;
use super::ns;

/// A part of a SOAP message covered by a WS-Security signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignedPart {
    /// The `soap:Body` of the envelope.
    Body,
    /// The `wsu:Timestamp` in the `wsse:Security` header.
    Timestamp,
    /// A child of `soap:Header` with this expanded name, such as P1's
    /// `{http://csioz.gov.pl/p1/kontekst/mt/v20170510}kontekstWywolania`.
    Header {
        /// The element's namespace URI (empty for none).
        namespace: String,
        /// The element's local name.
        local_name: String,
    },
}

impl SignedPart {
    /// A header part by namespace and local name.
    pub fn header(namespace: impl Into<String>, local_name: impl Into<String>) -> Self {
        SignedPart::Header {
            namespace: namespace.into(),
            local_name: local_name.into(),
        }
    }
}

impl fmt::Display for SignedPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignedPart::Body => f.write_str("soap:Body"),
            SignedPart::Timestamp => f.write_str("wsu:Timestamp"),
            SignedPart::Header {
                namespace,
                local_name,
            } if namespace.is_empty() => write!(f, "header {local_name}"),
            SignedPart::Header {
                namespace,
                local_name,
            } => write!(f, "header {{{namespace}}}{local_name}"),
        }
    }
}

/// How `ds:KeyInfo` identifies the signer's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenReference {
    /// The certificate travels in a `wsse:BinarySecurityToken` in the security header, and
    /// `wsse:SecurityTokenReference/wsse:Reference URI="#…"` points at it (P1's profile; CXF's
    /// `DirectReference`).
    BinarySecurityToken,
    /// `wsse:SecurityTokenReference/wsse:KeyIdentifier` with the certificate's Subject Key
    /// Identifier (`…#X509SubjectKeyIdentifier`); the receiver must already have the certificate.
    SubjectKeyIdentifier,
    /// `wsse:SecurityTokenReference/ds:X509Data/ds:X509IssuerSerial`: issuer name and serial
    /// number; the receiver must already have the certificate.
    IssuerSerial,
}

impl fmt::Display for TokenReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenReference::BinarySecurityToken => "BinarySecurityToken (direct reference)",
            TokenReference::SubjectKeyIdentifier => "X509 Subject Key Identifier",
            TokenReference::IssuerSerial => "X509IssuerSerial",
        })
    }
}

/// A signature algorithm (`ds:SignatureMethod`). The signer's follows from its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 ([`ns::ALG_RSA_SHA256`]).
    RsaSha256,
    /// ECDSA on P-256 with SHA-256 ([`ns::ALG_ECDSA_SHA256`]); the value is `r || s`.
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// The algorithm's URI in `ds:SignatureMethod/@Algorithm`.
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => ns::ALG_RSA_SHA256,
            SignatureAlgorithm::EcdsaP256Sha256 => ns::ALG_ECDSA_SHA256,
        }
    }

    /// The algorithm named by `uri`, if supported.
    pub fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            ns::ALG_RSA_SHA256 => Some(SignatureAlgorithm::RsaSha256),
            ns::ALG_ECDSA_SHA256 => Some(SignatureAlgorithm::EcdsaP256Sha256),
            _ => None,
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureAlgorithm::RsaSha256 => "RSA-SHA256",
            SignatureAlgorithm::EcdsaP256Sha256 => "ECDSA-P256-SHA256",
        })
    }
}

/// A XAdES level of an enveloped document signature (ETSI EN 319 132-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XadesLevel {
    /// XAdES-BES (baseline B): signed `xades:SignedProperties` with the signing certificate's
    /// digest and, usually, the signing time — what P1 asks of clinical documents.
    Bes,
}

impl fmt::Display for XadesLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            XadesLevel::Bes => "XAdES-BES",
        })
    }
}

/// What a certificate says about its holder, read from its DER encoding.
///
/// Signing certificates name people (a physician's name, sometimes a PESEL in the serial
/// number attribute), so `Debug` shows only the issuer and the serial number; the subject is
/// there for whoever asks for it explicitly ([`subject`](Self::subject)).
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    der: Vec<u8>,
    subject: String,
    issuer: String,
    serial: Vec<u8>,
    serial_decimal: String,
    subject_key_identifier: Option<Vec<u8>>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

/// The data is not an X.509 certificate.
#[derive(Debug, thiserror::Error)]
#[error("not an X.509 certificate: {0}")]
pub struct CertificateError(String);

impl CertificateInfo {
    /// Reads a DER-encoded X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CertificateError(format!(
                "{} bytes follow the certificate",
                rest.len()
            )));
        }
        let subject_key_identifier =
            cert.extensions()
                .iter()
                .find_map(|ext| match ext.parsed_extension() {
                    ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                    _ => None,
                });
        let serial = cert.raw_serial().to_vec();
        Ok(CertificateInfo {
            der: der.to_vec(),
            subject: rfc4514(cert.subject()),
            issuer: rfc4514(cert.issuer()),
            serial_decimal: cert.serial.to_str_radix(10),
            serial,
            subject_key_identifier,
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
        })
    }

    /// The certificate's DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject in RFC 4514 form, e.g. `CN=Jan Kowalski,O=Przychodnia,C=PL`: most specific
    /// RDN first, `,` between RDNs (what Java's `X500Principal.getName()` gives).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The issuer in RFC 4514 form, as `ds:X509IssuerName` carries it, e.g.
    /// `CN=CCP1SubCAWSS,O=CSIOZ,C=PL`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The serial number's DER content octets (big-endian, two's complement).
    pub fn serial_bytes(&self) -> &[u8] {
        &self.serial
    }

    /// The serial number in decimal, as `ds:X509SerialNumber` writes it.
    pub fn serial_decimal(&self) -> &str {
        &self.serial_decimal
    }

    /// The Subject Key Identifier extension's value, if the certificate has one.
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        self.subject_key_identifier.as_deref()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// End of the validity period.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }
}

impl fmt::Debug for CertificateInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateInfo")
            .field("subject", &crate::redact::REDACTED)
            .field("issuer", &self.issuer)
            .field("serial", &self.serial_decimal)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// The only child of `parent` named `{ns}local`; `Err(count)` when there are none or several
/// (shared by the signer and the verifier).
pub(crate) fn single_child<'d>(
    parent: Element<'d>,
    ns: &str,
    local: &str,
) -> Result<Element<'d>, usize> {
    let mut found = parent.children().filter(|c| c.is(Some(ns), local));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(0),
        (Some(_), Some(_)) => Err(2 + found.count()),
    }
}

/// A distinguished name as RFC 4514 writes it: RDNs in reverse order of the encoding, `,`
/// between them, `+` inside multi-valued RDNs, the short names of RFC 4514 §3 and dotted OIDs
/// with `#`-hex DER values otherwise.
fn rfc4514(name: &X509Name<'_>) -> String {
    let rdns: Vec<_> = name.iter_rdn().collect();
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = atv.attr_type().to_id_string();
            let short = match oid.as_str() {
                "2.5.4.3" => Some("CN"),
                "2.5.4.7" => Some("L"),
                "2.5.4.8" => Some("ST"),
                "2.5.4.10" => Some("O"),
                "2.5.4.11" => Some("OU"),
                "2.5.4.6" => Some("C"),
                "2.5.4.9" => Some("STREET"),
                "0.9.2342.19200300.100.1.25" => Some("DC"),
                "0.9.2342.19200300.100.1.1" => Some("UID"),
                _ => None,
            };
            let value = attribute_string(atv.attr_value());
            match (short, value) {
                (Some(short), Some(value)) => {
                    out.push_str(short);
                    out.push('=');
                    escape_rfc4514(&mut out, &value);
                }
                (short, _) => {
                    out.push_str(short.map_or(oid.as_str(), |s| s));
                    out.push_str("=#");
                    for b in der_of(atv.attr_value()) {
                        let _ = write!(out, "{b:02x}");
                    }
                }
            }
        }
    }
    out
}

/// The string value of a directory string, `None` for other types.
fn attribute_string(value: &Any<'_>) -> Option<String> {
    let data = value.data;
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::NumericString => {
            std::str::from_utf8(data).ok().map(str::to_owned)
        }
        // T.61 in practice holds Latin-1.
        Tag::T61String => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => data
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

/// DER of a primitive universal value (tag, length, content).
fn der_of(value: &Any<'_>) -> Vec<u8> {
    let data = value.data;
    let mut out = vec![u8::try_from(value.tag().0).unwrap_or(0x04)];
    let len = data.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(data);
    out
}

fn escape_rfc4514(out: &mut String, value: &str) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' | ' ' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            c => out.push(c),
        }
    }
}
