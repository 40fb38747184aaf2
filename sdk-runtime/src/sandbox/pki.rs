//! A throwaway certificate authority for sandboxes and tests (ECDSA P-256 throughout: ring,
//! which rcgen uses here, cannot generate RSA keys).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use super::SandboxError;
use crate::transport::{Identity, IdentityError};
use crate::wssec::keys::{KeyError, SigningIdentity};

/// A freshly generated CA that issues server and client certificates.
///
/// Nothing is persisted: every `TestPki` is a new, unrelated authority.
pub struct TestPki {
    common_name: String,
    ca_cert_pem: String,
    ca_cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate issued by a [`TestPki`] together with its private key.
#[derive(Clone)]
pub struct IssuedCert {
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    key_pem: String,
    key_der: Arc<PrivatePkcs8KeyDer<'static>>,
}

impl TestPki {
    /// Generates a CA whose certificate has the subject `CN=<ca_common_name>`.
    pub fn new(ca_common_name: &str) -> Result<TestPki, SandboxError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn_with_cn(ca_common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, Duration::days(3650));

        let key = KeyPair::generate().map_err(certificate_error)?;
        let cert = params.self_signed(&key).map_err(certificate_error)?;
        Ok(TestPki {
            common_name: ca_common_name.to_owned(),
            ca_cert_pem: cert.pem(),
            ca_cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate in PEM, for clients' trust stores.
    pub fn ca_cert_pem(&self) -> &str {
        &self.ca_cert_pem
    }

    /// The CA certificate in DER.
    pub fn ca_cert_der(&self) -> CertificateDer<'static> {
        self.ca_cert_der.clone()
    }

    /// Issues a TLS server certificate for `names`: each is an IP address SAN if it parses as
    /// one, a DNS name SAN otherwise (typically `["localhost", "127.0.0.1"]`). The first name
    /// is also the subject's common name.
    pub fn issue_server_cert(&self, names: &[&str]) -> Result<IssuedCert, SandboxError> {
        let Some(first) = names.first() else {
            return Err(SandboxError::Certificate(
                "a server certificate needs at least one name".into(),
            ));
        };
        let mut params = CertificateParams::default();
        params.distinguished_name = dn_with_cn(first);
        params.subject_alt_names = names
            .iter()
            .map(|name| match name.parse::<IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                // rcgen takes any ASCII; a name no client could match is a setup mistake.
                Err(_) => rustls_pki_types::DnsName::try_from(*name)
                    .map_err(|e| e.to_string())
                    .and_then(|_| (*name).try_into().map_err(|e: rcgen::Error| e.to_string()))
                    .map(SanType::DnsName)
                    .map_err(|e| {
                        SandboxError::Certificate(format!("invalid host name {name:?}: {e}"))
                    }),
            })
            .collect::<Result<_, _>>()?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params)
    }

    /// Issues a TLS client certificate with subject `CN=<common_name>`.
    pub fn issue_client_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn_with_cn(common_name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params)
    }

    /// Issues a TLS client certificate whose subject has `CN=<common_name>` and, after it, each
    /// attribute of `attributes` (its OID's arcs and its text, e.g. `serialNumber`
    /// `[2, 5, 4, 5]` or `organizationalUnitName` `[2, 5, 4, 11]`): for authorities that carry an
    /// identifier in the subject.
    pub fn issue_client_cert_with_subject(
        &self,
        common_name: &str,
        attributes: &[(&[u64], &str)],
    ) -> Result<IssuedCert, SandboxError> {
        let mut params = CertificateParams::default();
        let mut dn = dn_with_cn(common_name);
        for (oid, value) in attributes {
            dn.push(DnType::from_oid(oid), *value);
        }
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params)
    }

    /// Issues an RSA-2048 certificate with subject `CN=<common_name>` for AS2 and TLS alike:
    /// signatures, key transport (content encrypted for it), client authentication and S/MIME.
    /// The key is made by the `rsa` crate (rcgen's ring backend cannot generate RSA keys).
    #[cfg(feature = "as2")]
    pub fn issue_rsa_cert(&self, common_name: &str) -> Result<IssuedCert, SandboxError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        let rsa_key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048)
            .map_err(|e| SandboxError::Certificate(format!("RSA key generation: {e}")))?;
        let der = rsa_key
            .to_pkcs8_der()
            .map_err(|e| SandboxError::Certificate(format!("RSA key encoding: {e}")))?;
        let key = KeyPair::from_pkcs8_der_and_sign_algo(
            &PrivatePkcs8KeyDer::from(der.as_bytes()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(certificate_error)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = dn_with_cn(common_name);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::EmailProtection,
        ];
        self.issue_with(params, key)
    }

    fn issue(&self, params: CertificateParams) -> Result<IssuedCert, SandboxError> {
        let key = KeyPair::generate().map_err(certificate_error)?;
        self.issue_with(params, key)
    }

    fn issue_with(
        &self,
        mut params: CertificateParams,
        key: KeyPair,
    ) -> Result<IssuedCert, SandboxError> {
        params.use_authority_key_identifier_extension = true;
        set_validity(&mut params, Duration::days(730));
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(certificate_error)?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_pem: key.serialize_pem(),
            key_der: Arc::new(PrivatePkcs8KeyDer::from(key.serialize_der())),
        })
    }
}

impl fmt::Debug for TestPki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestPki")
            .field("common_name", &self.common_name)
            .field("ca_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl IssuedCert {
    /// The certificate in PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key in PEM (PKCS#8).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The certificate in DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }

    /// The private key in DER (PKCS#8).
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key_der.clone_key())
    }

    /// Certificate followed by key, as one PEM file (what `Identity::from_pem_files` reads).
    pub fn pem_bundle(&self) -> String {
        let mut bundle = self.cert_pem.clone();
        if !bundle.ends_with('\n') {
            bundle.push('\n');
        }
        bundle.push_str(&self.key_pem);
        bundle
    }

    /// The certificate and key as a client [`Identity`].
    pub fn identity(&self) -> Result<Identity, IdentityError> {
        Identity::from_pem(self.pem_bundle().as_bytes())
    }

    /// The certificate and key as a WS-Security or document [`SigningIdentity`].
    pub fn signing_identity(&self) -> Result<SigningIdentity, KeyError> {
        SigningIdentity::from_pem(self.pem_bundle().as_bytes())
    }
}

impl fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCert")
            .field("cert_pem", &self.cert_pem)
            .field("key", &"<redacted>")
            .finish()
    }
}

fn dn_with_cn(value: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, value);
    dn
}

/// Valid from a day ago (tolerates clock skew between processes) for `lifetime`.
fn set_validity(params: &mut CertificateParams, lifetime: Duration) {
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + lifetime;
}

fn certificate_error(e: rcgen::Error) -> SandboxError {
    SandboxError::Certificate(e.to_string())
}
