//! Signing: WS-Security 1.0 envelopes (X.509 token profile) and enveloped XML-DSig documents.
//!
//! # Envelopes
//!
//! [`WsSecuritySigner::sign_envelope`] signs a SOAP 1.1 or 1.2 envelope as P1's profile
//! ([`SigningProfile::p1`]) and WSS4J/CXF do:
//!
//! * each signed part gets a `wsu:Id` (`id-…`) unless it has one;
//! * a `wsse:Security soap:mustUnderstand="1"` header is inserted as the first child of
//!   `soap:Header` (created if absent), or an existing one without a signature is used;
//! * inside it: `wsu:Timestamp` (`wsu:Created`, `wsu:Expires` = Created + TTL, UTC with
//!   milliseconds), the `wsse:BinarySecurityToken` with the certificate (when the token
//!   reference is [`TokenReference::BinarySecurityToken`]), then `ds:Signature`: exclusive
//!   C14N, SHA-256 digests, one `ds:Reference URI="#id"` per part in the profile's order, the
//!   signature algorithm of the key, and `ds:KeyInfo/wsse:SecurityTokenReference` in the
//!   profile's style.
//!
//! The input is edited in place: every byte outside the inserted text stays as it was (no
//! reformatting), so what the caller built is what is signed. Digests are taken over the
//! exclusive canonical form of each part in the final document, and `ds:SignedInfo` is
//! canonicalized where it finally stands. The output is UTF-8.
//!
//! # Documents
//!
//! [`sign_enveloped_document`] appends a `ds:Signature` to the document element: one
//! `Reference URI=""` with the enveloped-signature and exclusive C14N transforms, and the signing
//! certificate in `ds:KeyInfo/ds:X509Data`.
//!
//! [`sign_enveloped_document_with`] and [`DocumentSignatureProfile::xades_bes`] add XAdES-BES
//! (XAdES v1.3.2, ETSI EN 319 132-1), as P1 asks of clinical documents such as e-prescriptions
//! (../shared/facts/p1.md §2). The structure mirrors the signature of P1's published sample
//! (`recepta.xml`), with SHA-256 and exclusive C14N instead of SHA-1 and inclusive C14N:
//!
//! ```text
//! ds:Signature Id="xmldsig-…"
//!   ds:SignedInfo
//!     ds:Reference Id="xmldsig-…-ref0" URI=""            enveloped-signature, exc-c14n
//!     ds:Reference Type="http://uri.etsi.org/01903#SignedProperties"
//!                  URI="#xmldsig-…-signedprops"          exc-c14n
//!   ds:SignatureValue Id="xmldsig-…-sigvalue"
//!   ds:KeyInfo/ds:X509Data/ds:X509Certificate
//!   ds:Object/xades:QualifyingProperties Target="#xmldsig-…"
//!     xades:SignedProperties Id="xmldsig-…-signedprops"
//!       xades:SignedSignatureProperties
//!         xades:SigningTime
//!         xades:SigningCertificate/xades:Cert*         leaf first, then the identity's chain
//!           xades:CertDigest (ds:DigestMethod SHA-256, ds:DigestValue)
//!           xades:IssuerSerial (ds:X509IssuerName, ds:X509SerialNumber)
//! ```

use std::fmt::{self, Write as _};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use time::{OffsetDateTime, UtcOffset};

use super::c14n::{C14nError, EXC_C14N, ExcC14n, InclusiveC14n};
use super::common::{CertificateInfo, SignedPart, TokenReference, XadesLevel, single_child};
use super::document::{Document, DocumentError, Element, LookupError};
use super::keys::{KeyError, SigningIdentity};
use super::ns;

pub use super::ns::P1_KONTEKST_NS;

/// Why a message could not be signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The input is not well-formed (namespace-)XML, or has a DTD.
    #[error("the message is not acceptable XML: {0}")]
    Document(#[from] DocumentError),
    /// The document element is not a SOAP 1.1 or 1.2 `Envelope`, or the envelope is malformed.
    #[error("not a SOAP envelope: {0}")]
    NotSoapEnvelope(String),
    /// A part the profile signs is not in the envelope.
    #[error("the part to sign is missing: {part}")]
    PartMissing {
        /// The missing part.
        part: SignedPart,
    },
    /// A part the profile signs occurs more than once, so a reference could not say which.
    #[error("the part to sign occurs {count} times: {part}")]
    PartAmbiguous {
        /// The part.
        part: SignedPart,
        /// How often it occurs.
        count: usize,
    },
    /// The profile signs `wsu:Timestamp` but adds none ([`SigningProfile::without_timestamp`])
    /// and the message has none.
    #[error(
        "the profile signs wsu:Timestamp but adds no timestamp (without_timestamp) and the message has none"
    )]
    TimestampDisabled,
    /// The part cannot be signed this way (the `wsse:Security` header itself, which holds the
    /// signature).
    #[error("cannot sign {part} with a same-document reference")]
    UnsupportedPart {
        /// The part.
        part: SignedPart,
    },
    /// The message is already signed: its `wsse:Security` header (or the document element)
    /// holds a `ds:Signature`.
    #[error("the message is already signed (a ds:Signature is present)")]
    AlreadySigned,
    /// The envelope has several `wsse:Security` headers (one per actor/role); which one to use
    /// is not decided here.
    #[error("the envelope has {0} wsse:Security headers; expected at most one")]
    SeveralSecurityHeaders(usize),
    /// The `wsse:Security` header already holds several `wsu:Timestamp`s.
    #[error("the wsse:Security header holds {0} wsu:Timestamp elements")]
    SeveralTimestamps(usize),
    /// An ID value of a signed part occurs more than once in the message (a reference to it
    /// would be ambiguous, and verifiers refuse it).
    #[error("the ID `{id}` of a signed part occurs more than once in the message")]
    DuplicateId {
        /// The ID value.
        id: String,
    },
    /// The profile asks for a Subject Key Identifier reference but the certificate has no
    /// Subject Key Identifier extension.
    #[error(
        "the signing certificate has no Subject Key Identifier extension; use the BinarySecurityToken or IssuerSerial reference"
    )]
    SubjectKeyIdentifierMissing,
    /// The timestamp's expiry is out of range.
    #[error("the timestamp TTL {0:?} is out of range")]
    TtlOutOfRange(Duration),
    /// A time to write (the timestamp's creation time, the XAdES signing time) is not
    /// representable in UTC: it lies beyond the years -9999 to 9999 once converted.
    #[error("the time {0} is out of range in UTC")]
    TimeOutOfRange(OffsetDateTime),
    /// Signing failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Canonicalization failed (e.g. a relative namespace URI in the message).
    #[error(transparent)]
    Canonicalization(#[from] C14nError),
    /// The system random generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// A step of the signer produced something it could not read back (a bug).
    #[error("internal error of the signer: {0}")]
    Internal(String),
}

/// What a WS-Security signature covers and how it names its certificate.
///
/// ```
/// use std::time::Duration;
/// use sdk_runtime::wssec::sign::SigningProfile;
/// use sdk_runtime::wssec::{SignedPart, TokenReference};
///
/// let profile = SigningProfile::p1()
///     .token_reference(TokenReference::BinarySecurityToken)
///     .timestamp_ttl(Duration::from_secs(300));
/// assert_eq!(profile.signed_parts().len(), 3);
/// assert_eq!(profile.signed_parts()[0], SignedPart::Body);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningProfile {
    parts: Vec<SignedPart>,
    token_reference: TokenReference,
    timestamp_ttl: Option<Duration>,
    inclusive_prefixes: Vec<String>,
    must_understand: bool,
}

impl Default for SigningProfile {
    fn default() -> Self {
        Self::new()
    }
}

impl SigningProfile {
    /// Signs `soap:Body` and `wsu:Timestamp`, with the certificate in a
    /// `wsse:BinarySecurityToken`, a timestamp valid for 300 s, and `mustUnderstand="1"`.
    pub fn new() -> Self {
        SigningProfile {
            parts: vec![SignedPart::Body, SignedPart::Timestamp],
            token_reference: TokenReference::BinarySecurityToken,
            timestamp_ttl: Some(Duration::from_secs(300)),
            inclusive_prefixes: Vec::new(),
            must_understand: true,
        }
    }

    /// P1's profile (../shared/facts/p1.md §2): `soap:Body`, the call context header
    /// `{http://csioz.gov.pl/p1/kontekst/mt/v20170510}kontekstWywolania` and `wsu:Timestamp`,
    /// the certificate in a `wsse:BinarySecurityToken`, a 300 s timestamp.
    pub fn p1() -> Self {
        Self::new().parts([
            SignedPart::Body,
            SignedPart::header(P1_KONTEKST_NS, ns::P1_KONTEKST_LOCAL),
            SignedPart::Timestamp,
        ])
    }

    /// Adds a part (at the end; a part already listed is not repeated).
    pub fn sign_part(mut self, part: SignedPart) -> Self {
        if !self.parts.contains(&part) {
            self.parts.push(part);
        }
        self
    }

    /// Replaces the signed parts (in this order; repetitions are dropped).
    pub fn parts(mut self, parts: impl IntoIterator<Item = SignedPart>) -> Self {
        self.parts.clear();
        for part in parts {
            self = self.sign_part(part);
        }
        self
    }

    /// How `ds:KeyInfo` names the certificate.
    pub fn token_reference(mut self, style: TokenReference) -> Self {
        self.token_reference = style;
        self
    }

    /// Adds a `wsu:Timestamp` valid for `ttl` (`Expires` = `Created` + `ttl`).
    pub fn timestamp_ttl(mut self, ttl: Duration) -> Self {
        self.timestamp_ttl = Some(ttl);
        self
    }

    /// Adds no `wsu:Timestamp` (P1's 2019 CXF configuration). Signing fails with
    /// [`SignError::TimestampDisabled`] if [`SignedPart::Timestamp`] is still a part and the
    /// message brings no timestamp of its own.
    pub fn without_timestamp(mut self) -> Self {
        self.timestamp_ttl = None;
        self
    }

    /// The InclusiveNamespaces PrefixList of the references' exclusive C14N transforms
    /// (`#default` for the default namespace); none by default.
    pub fn inclusive_prefixes<I, S>(mut self, prefixes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.inclusive_prefixes = prefixes.into_iter().map(Into::into).collect();
        self
    }

    /// Whether a created `wsse:Security` header carries `soap:mustUnderstand="1"` (default:
    /// yes).
    pub fn must_understand(mut self, must: bool) -> Self {
        self.must_understand = must;
        self
    }

    /// The signed parts, in reference order.
    pub fn signed_parts(&self) -> &[SignedPart] {
        &self.parts
    }

    /// How `ds:KeyInfo` names the certificate.
    pub fn token_reference_style(&self) -> TokenReference {
        self.token_reference
    }

    /// The timestamp's validity, `None` when no timestamp is added.
    pub fn timestamp_validity(&self) -> Option<Duration> {
        self.timestamp_ttl
    }

    /// The InclusiveNamespaces prefixes of the references.
    pub fn inclusive_namespace_prefixes(&self) -> &[String] {
        &self.inclusive_prefixes
    }

    /// Whether a created `wsse:Security` header carries `mustUnderstand="1"`.
    pub fn is_must_understand(&self) -> bool {
        self.must_understand
    }
}

/// Signs SOAP envelopes with one identity under one profile.
///
/// `Debug` shows the certificate's issuer and serial number, never the key.
#[derive(Clone, Debug)]
pub struct WsSecuritySigner {
    identity: SigningIdentity,
    profile: SigningProfile,
}

impl WsSecuritySigner {
    /// A signer with this key and profile.
    pub fn new(identity: SigningIdentity, profile: SigningProfile) -> Self {
        WsSecuritySigner { identity, profile }
    }

    /// The signing identity.
    pub fn identity(&self) -> &SigningIdentity {
        &self.identity
    }

    /// The profile.
    pub fn profile(&self) -> &SigningProfile {
        &self.profile
    }

    /// Signs `envelope` with the timestamp created now (see the module docs).
    pub fn sign_envelope(&self, envelope: &[u8]) -> Result<Vec<u8>, SignError> {
        self.sign_envelope_at(envelope, OffsetDateTime::now_utc())
    }

    /// Signs `envelope` with the timestamp created at `now`.
    pub fn sign_envelope_at(
        &self,
        envelope: &[u8],
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, SignError> {
        let doc = Document::parse(envelope)?;
        let mut edits = Vec::new();
        utf8_declaration(&doc, envelope, &mut edits);
        let ids = IdGen::new(&doc);
        let plan = self.plan(&doc, &ids, now, &mut edits)?;
        let text = apply(doc.text(), edits)?;
        let doc = Document::parse(text.as_bytes()).map_err(internal)?;
        let digests = self.digests(&doc, &plan)?;
        let text = sign_in_place(&self.identity, &doc, &plan.signature_id, digests)?;
        Ok(text.into_bytes())
    }

    /// Works out the insertions into `doc` (with empty digest and signature values).
    fn plan(
        &self,
        doc: &Document,
        ids: &IdGen<'_>,
        now: OffsetDateTime,
        edits: &mut Vec<Edit>,
    ) -> Result<Plan, SignError> {
        let profile = &self.profile;
        let root = doc.root();
        let soap_ns = match root.namespace() {
            Some(ns @ (ns::SOAP11_NS | ns::SOAP12_NS)) if root.local_name() == "Envelope" => ns,
            _ => {
                return Err(SignError::NotSoapEnvelope(format!(
                    "the document element is {{{}}}{}",
                    root.namespace().unwrap_or(""),
                    root.local_name()
                )));
            }
        };
        let header = match single_child(root, soap_ns, "Header") {
            Ok(header) => Some(header),
            Err(0) => None,
            Err(n) => {
                return Err(SignError::NotSoapEnvelope(format!(
                    "{n} soap:Header elements"
                )));
            }
        };
        let body = match single_child(root, soap_ns, "Body") {
            Ok(body) => Some(body),
            Err(0) => return Err(SignError::NotSoapEnvelope("no soap:Body".into())),
            Err(count) => {
                return Err(SignError::PartAmbiguous {
                    part: SignedPart::Body,
                    count,
                });
            }
        };

        let securities: Vec<Element<'_>> = header
            .iter()
            .flat_map(|h| h.children())
            .filter(|c| c.is(Some(ns::WSSE_NS), "Security"))
            .collect();
        let security = match securities.as_slice() {
            [] => None,
            [one] => Some(*one),
            more => return Err(SignError::SeveralSecurityHeaders(more.len())),
        };
        let mut existing_ts = None;
        if let Some(sec) = security {
            if descendants(sec).any(|e| e.is(Some(ns::DSIG_NS), "Signature")) {
                return Err(SignError::AlreadySigned);
            }
            let stamps: Vec<_> = sec
                .children()
                .filter(|c| c.is(Some(ns::WSU_NS), "Timestamp"))
                .collect();
            match stamps.as_slice() {
                [] => {}
                [one] => existing_ts = Some(*one),
                more => return Err(SignError::SeveralTimestamps(more.len())),
            }
        }

        // Parts → the ID each reference points at.
        let mut add_timestamp = false;
        let ts_id = match existing_ts {
            Some(ts) => ts.attribute(Some(ns::WSU_NS), "Id").map(str::to_owned),
            None => None,
        }
        .map_or_else(|| ids.next("TS"), Ok)?;
        if existing_ts.is_none() && profile.timestamp_ttl.is_some() {
            add_timestamp = true;
        }
        let mut reference_ids = Vec::new();
        for part in &profile.parts {
            let target = match part {
                SignedPart::Body => body,
                SignedPart::Timestamp => match existing_ts {
                    Some(ts) => Some(ts),
                    None if add_timestamp => {
                        reference_ids.push(ts_id.clone());
                        continue;
                    }
                    None => return Err(SignError::TimestampDisabled),
                },
                SignedPart::Header {
                    namespace,
                    local_name,
                } => {
                    if namespace == ns::WSSE_NS && local_name == "Security" {
                        return Err(SignError::UnsupportedPart { part: part.clone() });
                    }
                    let ns = (!namespace.is_empty()).then_some(namespace.as_str());
                    let found: Vec<_> = header
                        .iter()
                        .flat_map(|h| h.children())
                        .filter(|c| c.is(ns, local_name))
                        .collect();
                    match found.as_slice() {
                        [] => None,
                        [one] => Some(*one),
                        more => {
                            return Err(SignError::PartAmbiguous {
                                part: part.clone(),
                                count: more.len(),
                            });
                        }
                    }
                }
            };
            let Some(target) = target else {
                return Err(SignError::PartMissing { part: part.clone() });
            };
            let id = match target.attribute(Some(ns::WSU_NS), "Id") {
                Some(id) => id.to_owned(),
                None => {
                    let id = ids.next("id")?;
                    let (prefix, decl) = wsu_prefix(doc, target);
                    edits.push(Edit::insert(
                        target.span().start + 1 + target.qualified_name().len(),
                        format!("{decl} {prefix}:Id=\"{id}\""),
                    ));
                    id
                }
            };
            if !reference_ids.contains(&id) {
                reference_ids.push(id);
            }
        }

        // The security header's content.
        let create_security = security.is_none();
        let declare = !create_security;
        let identity = &self.identity;
        let mut content = String::new();
        if add_timestamp {
            let ttl = profile.timestamp_ttl.unwrap_or_default();
            let created = truncate_millis(utc(now)?);
            let expires = time::Duration::try_from(ttl)
                .ok()
                .and_then(|d| created.checked_add(d))
                .ok_or(SignError::TtlOutOfRange(ttl))?;
            let decl = if declare { wsu_decl() } else { String::new() };
            let _ = write!(
                content,
                "<wsu:Timestamp{decl} wsu:Id=\"{ts_id}\"><wsu:Created>{}</wsu:Created><wsu:Expires>{}</wsu:Expires></wsu:Timestamp>",
                xs_date_time(created)?,
                xs_date_time(expires)?
            );
        }
        let key_info = match profile.token_reference {
            TokenReference::SubjectKeyIdentifier => {
                let ski = identity
                    .certificate()
                    .subject_key_identifier()
                    .ok_or(SignError::SubjectKeyIdentifierMissing)?;
                format!(
                    "<wsse:KeyIdentifier EncodingType=\"{}\" ValueType=\"{}\">{}</wsse:KeyIdentifier>",
                    ns::WSS_BASE64_BINARY,
                    ns::WSS_X509_SKI,
                    BASE64.encode(ski)
                )
            }
            TokenReference::IssuerSerial => format!(
                "<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>{}</ds:X509IssuerName><ds:X509SerialNumber>{}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>",
                escape_text(identity.certificate().issuer()),
                identity.certificate().serial_decimal()
            ),
            TokenReference::BinarySecurityToken => {
                let bst_id = ids.next("X509")?;
                let decl = if declare {
                    format!("{}{}", wsse_decl(), wsu_decl())
                } else {
                    String::new()
                };
                let _ = write!(
                    content,
                    "<wsse:BinarySecurityToken{decl} EncodingType=\"{}\" ValueType=\"{}\" wsu:Id=\"{bst_id}\">{}</wsse:BinarySecurityToken>",
                    ns::WSS_BASE64_BINARY,
                    ns::WSS_X509V3,
                    BASE64.encode(identity.certificate().der())
                );
                format!(
                    "<wsse:Reference URI=\"#{bst_id}\" ValueType=\"{}\"/>",
                    ns::WSS_X509V3
                )
            }
        };
        let signature_id = ids.next("SIG")?;
        let key_info_id = ids.next("KI")?;
        let str_id = ids.next("STR")?;
        let transform = transform_xml(&profile.inclusive_prefixes);
        let mut references = String::new();
        for id in &reference_ids {
            let _ = write!(
                references,
                "<ds:Reference URI=\"#{id}\"><ds:Transforms>{transform}</ds:Transforms><ds:DigestMethod Algorithm=\"{}\"/><ds:DigestValue></ds:DigestValue></ds:Reference>",
                ns::ALG_SHA256
            );
        }
        let str_decl = if declare {
            format!("{}{}", wsse_decl(), wsu_decl())
        } else {
            String::new()
        };
        let _ = write!(
            content,
            "<ds:Signature xmlns:ds=\"{}\" Id=\"{signature_id}\">{}<ds:SignatureValue></ds:SignatureValue><ds:KeyInfo Id=\"{key_info_id}\"><wsse:SecurityTokenReference{str_decl} wsu:Id=\"{str_id}\">{key_info}</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>",
            ns::DSIG_NS,
            signed_info_xml(identity, &references),
        );

        // Where it goes.
        match (header, security) {
            (_, Some(sec)) => insert_first_child(sec, content, edits),
            (Some(h), None) => {
                let open = self.security_open(doc, h);
                insert_first_child(h, format!("{open}{content}</wsse:Security>"), edits);
            }
            (None, None) => {
                let open = self.security_open(doc, root);
                let hq = match root.prefix() {
                    Some(p) => format!("{p}:Header"),
                    None => "Header".to_owned(),
                };
                insert_first_child(
                    root,
                    format!("<{hq}>{open}{content}</wsse:Security></{hq}>"),
                    edits,
                );
            }
        }
        Ok(Plan {
            signature_id,
            reference_ids,
        })
    }

    /// The start tag of a new `wsse:Security` inside `context` (the header, or the envelope
    /// when the header is created too).
    fn security_open(&self, doc: &Document, context: Element<'_>) -> String {
        let mut open = format!("<wsse:Security{}{}", wsse_decl(), wsu_decl());
        if self.profile.must_understand {
            let soap_ns = doc.root().namespace().unwrap_or(ns::SOAP11_NS);
            let prefix = context
                .prefix()
                .or(doc.root().prefix())
                .filter(|p| !matches!(*p, "wsse" | "wsu" | "ds"))
                .filter(|p| context.lookup_namespace(Some(p)) == Some(soap_ns));
            match prefix {
                Some(p) => {
                    let _ = write!(open, " {p}:mustUnderstand=\"1\"");
                }
                None => {
                    let _ = write!(
                        open,
                        " xmlns:soapenv=\"{soap_ns}\" soapenv:mustUnderstand=\"1\""
                    );
                }
            }
        }
        open.push('>');
        open
    }

    /// Computes the references' digests in the final document: the edits that write them in.
    fn digests(&self, doc: &Document, plan: &Plan) -> Result<Vec<Edit>, SignError> {
        let c14n = ExcC14n::new().inclusive_prefixes(self.profile.inclusive_prefixes.clone());
        let signed_info = signed_info(doc, &plan.signature_id)?;
        let mut edits = Vec::new();
        let references = signed_info
            .children()
            .filter(|c| c.is(Some(ns::DSIG_NS), "Reference"));
        for (reference, id) in references.zip(&plan.reference_ids) {
            let target = doc.element_by_id(id).map_err(|e| match e {
                LookupError::Ambiguous { .. } => SignError::DuplicateId { id: id.clone() },
                other => SignError::Internal(other.to_string()),
            })?;
            let digest = digest::digest(&digest::SHA256, &c14n.canonicalize_element(target)?);
            let slot = reference
                .children()
                .find(|c| c.is(Some(ns::DSIG_NS), "DigestValue"))
                .ok_or_else(|| SignError::Internal("no DigestValue".into()))?;
            edits.push(Edit::insert(
                slot.content_span().start,
                BASE64.encode(digest.as_ref()),
            ));
        }
        Ok(edits)
    }
}

/// The references' target IDs and the signature's ID.
struct Plan {
    signature_id: String,
    reference_ids: Vec<String>,
}

/// What an enveloped document signature carries besides the XML-DSig core.
///
/// ```
/// use sdk_runtime::wssec::sign::DocumentSignatureProfile;
///
/// let plain = DocumentSignatureProfile::xml_dsig();
/// assert!(plain.xades_level().is_none());
/// let xades = DocumentSignatureProfile::xades_bes();
/// assert!(xades.xades_level().is_some());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSignatureProfile {
    xades: Option<XadesLevel>,
    signing_time: Option<OffsetDateTime>,
    implied_c14n: bool,
}

impl Default for DocumentSignatureProfile {
    fn default() -> Self {
        Self::xml_dsig()
    }
}

impl DocumentSignatureProfile {
    /// A plain XML-DSig enveloped signature (what [`sign_enveloped_document`] makes).
    pub fn xml_dsig() -> Self {
        DocumentSignatureProfile {
            xades: None,
            signing_time: None,
            implied_c14n: false,
        }
    }

    /// XAdES-BES: signed `xades:SignedProperties` with the signing time and the signing
    /// certificate (see the module docs).
    pub fn xades_bes() -> Self {
        DocumentSignatureProfile {
            xades: Some(XadesLevel::Bes),
            signing_time: None,
            implied_c14n: false,
        }
    }

    /// The `xades:SigningTime` to write (default: the time of signing). Ignored without
    /// XAdES.
    pub fn signing_time(mut self, time: OffsetDateTime) -> Self {
        self.signing_time = Some(time);
        self
    }

    /// The document reference with the enveloped-signature transform only, so that its node
    /// set is canonicalized with inclusive Canonical XML 1.0, as XML-DSig implies (§4.3.3.2),
    /// instead of an explicit exclusive C14N transform. What signers built on xmlseclibs,
    /// xml-crypto and .NET's `SignedXml` make by default — and the signatures SÚKL's eRecept
    /// accepts from its public clients. `ds:SignedInfo` stays exclusively canonicalized.
    pub fn implied_c14n(mut self, implied: bool) -> Self {
        self.implied_c14n = implied;
        self
    }

    /// Whether the document reference relies on the implied inclusive canonicalization.
    pub fn uses_implied_c14n(&self) -> bool {
        self.implied_c14n
    }

    /// The XAdES level, `None` for plain XML-DSig.
    pub fn xades_level(&self) -> Option<XadesLevel> {
        self.xades
    }

    /// The fixed signing time, if one was set.
    pub fn fixed_signing_time(&self) -> Option<OffsetDateTime> {
        self.signing_time
    }
}

/// Signs `document` with an enveloped signature appended to its document element (see the
/// module docs): `Reference URI=""`, enveloped-signature and exclusive C14N transforms, SHA-256,
/// the key's signature algorithm, and the certificate in `ds:KeyInfo/ds:X509Data`. The same as
/// [`sign_enveloped_document_with`] and [`DocumentSignatureProfile::xml_dsig`].
pub fn sign_enveloped_document(
    identity: &SigningIdentity,
    document: &[u8],
) -> Result<Vec<u8>, SignError> {
    sign_enveloped_document_with(identity, document, &DocumentSignatureProfile::xml_dsig())
}

/// Signs `document` with an enveloped signature appended to its document element, plain
/// XML-DSig or XAdES-BES as `profile` says (see the module docs for the structure).
pub fn sign_enveloped_document_with(
    identity: &SigningIdentity,
    document: &[u8],
    profile: &DocumentSignatureProfile,
) -> Result<Vec<u8>, SignError> {
    let doc = Document::parse(document)?;
    let root = doc.root();
    if root
        .children()
        .any(|c| c.is(Some(ns::DSIG_NS), "Signature"))
    {
        return Err(SignError::AlreadySigned);
    }
    let mut edits = Vec::new();
    utf8_declaration(&doc, document, &mut edits);
    let ids = IdGen::new(&doc);
    let document_reference = |id: &str| {
        let c14n = if profile.implied_c14n {
            String::new()
        } else {
            format!("<ds:Transform Algorithm=\"{EXC_C14N}\"/>")
        };
        format!(
            "<ds:Reference{id} URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"{}\"/>{c14n}</ds:Transforms><ds:DigestMethod Algorithm=\"{}\"/><ds:DigestValue></ds:DigestValue></ds:Reference>",
            ns::ALG_ENVELOPED_SIGNATURE,
            ns::ALG_SHA256
        )
    };
    let key_info = format!(
        "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
        BASE64.encode(identity.certificate().der())
    );
    let (signature_id, signed_properties_id, signature) = match profile.xades {
        None => {
            let signature_id = ids.next("SIG")?;
            let signature = format!(
                "<ds:Signature xmlns:ds=\"{}\" Id=\"{signature_id}\">{}<ds:SignatureValue></ds:SignatureValue>{key_info}</ds:Signature>",
                ns::DSIG_NS,
                signed_info_xml(identity, &document_reference("")),
            );
            (signature_id, None, signature)
        }
        Some(XadesLevel::Bes) => {
            let signature_id = ids.next("xmldsig")?;
            let props_id = format!("{signature_id}-signedprops");
            let references = format!(
                "{}<ds:Reference Type=\"{}\" URI=\"#{props_id}\"><ds:Transforms>{}</ds:Transforms><ds:DigestMethod Algorithm=\"{}\"/><ds:DigestValue></ds:DigestValue></ds:Reference>",
                document_reference(&format!(" Id=\"{signature_id}-ref0\"")),
                ns::XADES_SIGNED_PROPERTIES_TYPE,
                transform_xml(&[]),
                ns::ALG_SHA256
            );
            let signing_time = profile.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
            let signature = format!(
                "<ds:Signature xmlns:ds=\"{}\" Id=\"{signature_id}\">{}<ds:SignatureValue Id=\"{signature_id}-sigvalue\"></ds:SignatureValue>{key_info}<ds:Object>{}</ds:Object></ds:Signature>",
                ns::DSIG_NS,
                signed_info_xml(identity, &references),
                qualifying_properties_xml(identity, &signature_id, &props_id, signing_time)?,
            );
            (signature_id, Some(props_id), signature)
        }
    };
    insert_last_child(root, signature, &mut edits);
    let text = apply(doc.text(), edits)?;

    // The digests: the document without the signature, and the SignedProperties.
    let doc = Document::parse(text.as_bytes()).map_err(internal)?;
    let signed_info = signed_info(&doc, &signature_id)?;
    let signature = signed_info
        .parent()
        .ok_or_else(|| SignError::Internal("SignedInfo without parent".into()))?;
    let document_bytes = if profile.implied_c14n {
        InclusiveC14n::new().canonicalize_document(&doc, Some(signature.id()))?
    } else {
        ExcC14n::new().canonicalize_document_excluding(&doc, signature.id())?
    };
    let mut digests = vec![digest::digest(&digest::SHA256, &document_bytes)];
    if let Some(props_id) = &signed_properties_id {
        let props = doc.element_by_id(props_id).map_err(|e| match e {
            LookupError::Ambiguous { .. } => SignError::DuplicateId {
                id: props_id.clone(),
            },
            other => SignError::Internal(other.to_string()),
        })?;
        digests.push(digest::digest(
            &digest::SHA256,
            &ExcC14n::new().canonicalize_element(props)?,
        ));
    }
    let slots: Vec<_> = descendants(signed_info)
        .filter(|c| c.is(Some(ns::DSIG_NS), "DigestValue"))
        .collect();
    if slots.len() != digests.len() {
        return Err(SignError::Internal("DigestValue slots".into()));
    }
    let edits = slots
        .iter()
        .zip(&digests)
        .map(|(slot, d)| Edit::insert(slot.content_span().start, BASE64.encode(d.as_ref())))
        .collect();
    let text = sign_in_place(identity, &doc, &signature_id, edits)?;
    Ok(text.into_bytes())
}

/// `xades:QualifyingProperties` for XAdES-BES: the signing time and the signing certificate
/// (with the rest of the identity's chain, as P1's sample lists it).
fn qualifying_properties_xml(
    identity: &SigningIdentity,
    signature_id: &str,
    props_id: &str,
    signing_time: OffsetDateTime,
) -> Result<String, SignError> {
    // The chain is leaf first.
    let certs: String = identity.chain().iter().map(xades_cert_xml).collect();
    Ok(format!(
        "<xades:QualifyingProperties xmlns:xades=\"{}\" Target=\"#{signature_id}\"><xades:SignedProperties Id=\"{props_id}\"><xades:SignedSignatureProperties><xades:SigningTime>{}</xades:SigningTime><xades:SigningCertificate>{certs}</xades:SigningCertificate></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties>",
        ns::XADES_NS,
        xs_date_time(truncate_millis(signing_time))?,
    ))
}

/// One `xades:Cert` (v1.3.2): SHA-256 digest of the DER certificate, issuer and serial number.
fn xades_cert_xml(cert: &CertificateInfo) -> String {
    format!(
        "<xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm=\"{}\"/><ds:DigestValue>{}</ds:DigestValue></xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>{}</ds:X509IssuerName><ds:X509SerialNumber>{}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert>",
        ns::ALG_SHA256,
        BASE64.encode(digest::digest(&digest::SHA256, cert.der()).as_ref()),
        escape_text(cert.issuer()),
        cert.serial_decimal()
    )
}

/// Writes the digests (`digest_edits`, positions in `doc`) into `ds:SignedInfo`, signs its
/// canonical form, and returns `doc`'s text with digests and `ds:SignatureValue` filled in.
///
/// SignedInfo is canonicalized on its own, as a fragment declaring the `ds` prefix, instead of
/// re-parsing the whole message: its exclusive canonical form only depends on its own subtree
/// and the one prefix it uses (which the signer binds on `ds:Signature`; the
/// `ec:InclusiveNamespaces` elements declare theirs), so both give the same bytes, and the
/// interop tests with xmlsec1 check it.
fn sign_in_place(
    identity: &SigningIdentity,
    doc: &Document,
    signature_id: &str,
    digest_edits: Vec<Edit>,
) -> Result<String, SignError> {
    let signed_info = signed_info(doc, signature_id)?;
    let span = signed_info.span();
    let source = doc
        .text()
        .get(span.clone())
        .ok_or_else(|| SignError::Internal("SignedInfo span".into()))?;
    let local: Vec<Edit> = digest_edits
        .iter()
        .map(|e| Edit {
            start: e.start.saturating_sub(span.start),
            end: e.end.saturating_sub(span.start),
            text: e.text.clone(),
        })
        .collect();
    if digest_edits
        .iter()
        .any(|e| e.start < span.start || e.end > span.end)
    {
        return Err(SignError::Internal("digest outside SignedInfo".into()));
    }
    let filled = apply(source, local)?;
    let open = "<ds:SignedInfo";
    let fragment = match filled.strip_prefix(open) {
        Some(rest) => format!("{open} xmlns:ds=\"{}\"{rest}", ns::DSIG_NS),
        None => return Err(SignError::Internal("SignedInfo not written by us".into())),
    };
    let fragment = Document::parse(fragment.as_bytes()).map_err(internal)?;
    let value = identity.sign(&ExcC14n::new().canonicalize_element(fragment.root())?)?;
    let signature = signed_info
        .parent()
        .ok_or_else(|| SignError::Internal("SignedInfo without parent".into()))?;
    let slot = signature
        .children()
        .find(|c| c.is(Some(ns::DSIG_NS), "SignatureValue"))
        .ok_or_else(|| SignError::Internal("no SignatureValue".into()))?;
    let mut edits = digest_edits;
    edits.push(Edit::insert(
        slot.content_span().start,
        BASE64.encode(value),
    ));
    apply(doc.text(), edits)
}

fn signed_info<'d>(doc: &'d Document, signature_id: &str) -> Result<Element<'d>, SignError> {
    doc.element_by_id(signature_id)
        .map_err(|e| match e {
            LookupError::Ambiguous { .. } => SignError::DuplicateId {
                id: signature_id.to_owned(),
            },
            other => SignError::Internal(other.to_string()),
        })?
        .children()
        .find(|c| c.is(Some(ns::DSIG_NS), "SignedInfo"))
        .ok_or_else(|| SignError::Internal("no SignedInfo".into()))
}

fn signed_info_xml(identity: &SigningIdentity, references: &str) -> String {
    format!(
        "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/><ds:SignatureMethod Algorithm=\"{}\"/>{references}</ds:SignedInfo>",
        identity.algorithm().uri()
    )
}

fn transform_xml(prefixes: &[String]) -> String {
    if prefixes.is_empty() {
        format!("<ds:Transform Algorithm=\"{EXC_C14N}\"/>")
    } else {
        format!(
            "<ds:Transform Algorithm=\"{EXC_C14N}\"><ec:InclusiveNamespaces xmlns:ec=\"{EXC_C14N}\" PrefixList=\"{}\"/></ds:Transform>",
            escape_attr(&prefixes.join(" "))
        )
    }
}

fn wsse_decl() -> String {
    format!(" xmlns:wsse=\"{}\"", ns::WSSE_NS)
}

fn wsu_decl() -> String {
    format!(" xmlns:wsu=\"{}\"", ns::WSU_NS)
}

/// A prefix for `wsu:Id` on `el`, and the declaration to add with it (empty when the prefix is
/// already bound there). A new declaration uses a prefix declared nowhere in the document, so
/// it cannot shadow a binding that content of `el` relies on.
fn wsu_prefix(doc: &Document, el: Element<'_>) -> (String, String) {
    if el.lookup_namespace(Some("wsu")) == Some(ns::WSU_NS) {
        return ("wsu".to_owned(), String::new());
    }
    let declared = |p: &str| {
        doc.elements().any(|e| {
            e.prefix() == Some(p)
                || e.data()
                    .decls
                    .iter()
                    .any(|d| d.prefix.as_deref() == Some(p))
                || e.data().attrs.iter().any(|a| a.prefix() == Some(p))
        })
    };
    let mut n = 0;
    loop {
        let p = if n == 0 {
            "wsu".to_owned()
        } else {
            format!("wsu{n}")
        };
        if !declared(&p) {
            let decl = format!(" xmlns:{p}=\"{}\"", ns::WSU_NS);
            return (p, decl);
        }
        n += 1;
    }
}

fn descendants<'d>(el: Element<'d>) -> impl Iterator<Item = Element<'d>> {
    let mut stack = vec![el];
    std::iter::from_fn(move || {
        let next = stack.pop()?;
        let mut children: Vec<_> = next.children().collect();
        children.reverse();
        stack.extend(children);
        Some(next)
    })
    .skip(1)
}

/// A text replacement in the original: `range` becomes `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

impl Edit {
    fn insert(at: usize, text: String) -> Self {
        Edit {
            start: at,
            end: at,
            text,
        }
    }
}

/// Applies non-overlapping edits (insertions at one position in the order given).
fn apply(text: &str, mut edits: Vec<Edit>) -> Result<String, SignError> {
    edits.sort_by_key(|e| e.start);
    let extra: usize = edits.iter().map(|e| e.text.len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut pos = 0;
    for e in edits {
        let before = text
            .get(pos..e.start)
            .ok_or_else(|| SignError::Internal("overlapping edits".into()))?;
        out.push_str(before);
        out.push_str(&e.text);
        pos = e.end.max(pos);
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    Ok(out)
}

/// Puts `content` first inside `el` (turning `<el/>` into `<el>…</el>`).
fn insert_first_child(el: Element<'_>, content: String, edits: &mut Vec<Edit>) {
    if is_empty_tag(el) {
        expand_empty(el, content, edits);
    } else {
        edits.push(Edit::insert(el.content_span().start, content));
    }
}

/// Puts `content` last inside `el`.
fn insert_last_child(el: Element<'_>, content: String, edits: &mut Vec<Edit>) {
    if is_empty_tag(el) {
        expand_empty(el, content, edits);
    } else {
        edits.push(Edit::insert(el.content_span().end, content));
    }
}

fn is_empty_tag(el: Element<'_>) -> bool {
    let span = el.span();
    el.content_span().start == span.end
}

fn expand_empty(el: Element<'_>, content: String, edits: &mut Vec<Edit>) {
    let span = el.span();
    // `<el …/>`: the last two bytes are `/>`.
    edits.push(Edit {
        start: span.end - 2,
        end: span.end,
        text: format!(">{content}</{}>", el.qualified_name()),
    });
}

/// When the input was not UTF-8 (another encoding, or a BOM), the output is: make an encoding
/// declaration say so.
fn utf8_declaration(doc: &Document, input: &[u8], edits: &mut Vec<Edit>) {
    let text = doc.text();
    if text.as_bytes() == input || !text.starts_with("<?xml") {
        return;
    }
    let Some(end) = text.find("?>") else { return };
    let decl = &text[..end];
    let Some(at) = decl.find("encoding") else {
        return;
    };
    let rest = &decl[at + "encoding".len()..];
    let Some(open) = rest.find(['"', '\'']) else {
        return;
    };
    let quote = &rest[open..=open];
    let value_start = at + "encoding".len() + open + 1;
    let Some(len) = decl[value_start..].find(quote) else {
        return;
    };
    if !decl[value_start..value_start + len].eq_ignore_ascii_case("utf-8") {
        edits.push(Edit {
            start: value_start,
            end: value_start + len,
            text: "UTF-8".to_owned(),
        });
    }
}

/// Random IDs that do not occur in the document text.
struct IdGen<'d> {
    text: &'d str,
    rng: SystemRandom,
}

impl<'d> IdGen<'d> {
    fn new(doc: &'d Document) -> Self {
        IdGen {
            text: doc.text(),
            rng: SystemRandom::new(),
        }
    }

    fn next(&self, prefix: &str) -> Result<String, SignError> {
        loop {
            let mut bytes = [0u8; 16];
            self.rng.fill(&mut bytes).map_err(|_| SignError::Random)?;
            let mut id = format!("{prefix}-");
            for b in bytes {
                let _ = write!(id, "{b:02x}");
            }
            if !self.text.contains(&id) {
                return Ok(id);
            }
        }
    }
}

fn truncate_millis(t: OffsetDateTime) -> OffsetDateTime {
    let nanos = t.nanosecond() / 1_000_000 * 1_000_000;
    t.replace_nanosecond(nanos).unwrap_or(t)
}

/// `t` in UTC; an error, not `to_offset`'s panic, when that lies beyond the `time` crate's
/// range (e.g. 9999-12-31T23:00-05:00).
fn utc(t: OffsetDateTime) -> Result<OffsetDateTime, SignError> {
    t.checked_to_offset(UtcOffset::UTC)
        .ok_or(SignError::TimeOutOfRange(t))
}

/// `YYYY-MM-DDThh:mm:ss.sssZ` (UTC).
fn xs_date_time(t: OffsetDateTime) -> Result<String, SignError> {
    let t = utc(t)?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    ))
}

fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::xml::escape_text_into(&mut out, s);
    out
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::xml::escape_attr_into(&mut out, s);
    out
}

fn internal(e: impl fmt::Display) -> SignError {
    SignError::Internal(format!("re-reading the signed text: {e}"))
}
