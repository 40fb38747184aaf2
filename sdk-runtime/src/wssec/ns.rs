//! Namespace and algorithm identifiers of XML-DSig and WS-Security 1.0, shared by the signer
//! and the verifier.

/// XML-DSig core namespace (`ds:`).
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// WS-Security 1.0 extension namespace (`wsse:`).
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security 1.0 utility namespace (`wsu:`): `wsu:Id`, `wsu:Timestamp`.
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Namespace of P1's call-context header `kontekstWywolania` (e-Recepta, v20170510), which
/// P1's profile signs.
pub const P1_KONTEKST_NS: &str = "http://csioz.gov.pl/p1/kontekst/mt/v20170510";
/// Local name of P1's call-context header.
pub const P1_KONTEKST_LOCAL: &str = "kontekstWywolania";

pub use super::c14n::{EXC_C14N, EXC_C14N_WITH_COMMENTS};
/// The enveloped-signature transform of XML-DSig (`Reference URI=""` of a signed document).
pub const ALG_ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// SHA-256 digest (`DigestMethod`).
pub const ALG_SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// RSASSA-PKCS1-v1_5 with SHA-256 (`SignatureMethod`).
pub const ALG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// ECDSA with SHA-256 (`SignatureMethod`); the value is `r || s`, each as long as the curve's
/// order (RFC 4051 §3.3.1).
pub const ALG_ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

/// `EncodingType` of a base64 `wsse:BinarySecurityToken`.
pub const WSS_BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
/// `ValueType` of an X.509 v3 certificate token (X.509 token profile 1.0).
pub const WSS_X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
/// `ValueType` of a `wsse:KeyIdentifier` holding the certificate's Subject Key Identifier.
pub const WSS_X509_SKI: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";

/// XAdES v1.3.2 namespace (`xades:`), ETSI TS 101 903 v1.3.2 and EN 319 132-1.
pub const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// `ds:Reference/@Type` of the reference to `xades:SignedProperties`.
pub const XADES_SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
