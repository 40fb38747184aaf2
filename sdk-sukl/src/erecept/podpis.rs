//! The signature of eRecept requests.
//!
//! Some request elements end with an XML-DSig `ds:Signature` (schema 201704A: AppPingZEP,
//! ZalozitPredpis, ZmenitPredpis, ZalozitVydej, ZmenitVydej, ZrusitVydej, DigitalizovatPredpis).
//! SÚKL's published material does not describe the signature beyond the schema; three working
//! public clients (PHP pesektomas/eRecept with xmlseclibs, Node burgrp/sukulent with xml-crypto,
//! a C# client with .NET's `SignedXml`) all make the same one, and this module makes it too:
//!
//! * the request element (`…Dotaz`) is signed **as a document of its own**, before it is put
//!   into the SOAP envelope, and then embedded byte for byte;
//! * an **enveloped** signature appended as the element's last child (where the schema wants
//!   it), `Reference URI=""`, the **enveloped-signature transform only** — so the element is
//!   canonicalized with inclusive Canonical XML 1.0, as XML-DSig implies (§4.3.3.2);
//! * `SignedInfo` canonicalized with exclusive C14N (as the PHP and Node clients do; the C#
//!   client's inclusive C14N would also do), RSA-SHA256 (or ECDSA-SHA256 for an EC key),
//!   SHA-256 digests;
//! * the signer's certificate in `ds:KeyInfo/ds:X509Data/ds:X509Certificate`.
//!
//! The key is the user's personal certificate (the qualified signature, "ZEP"), not the
//! workplace's TLS certificate.

use sdk_runtime::wssec::SigningIdentity;
use sdk_runtime::wssec::document::Document;
use sdk_runtime::wssec::ns::DSIG_NS;
use sdk_runtime::wssec::sign::{DocumentSignatureProfile, SignError, sign_enveloped_document_with};
use sdk_runtime::xml::{ElementName, XmlWrite};

use crate::generated::erecept::types::{
    CanonicalizationMethodType, DigestMethodType, ReferenceType, SignatureMethodType,
    SignatureType, SignatureValueType, SignedInfoType,
};

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// The signature a request is built with before it is signed: a well-formed `ds:Signature`
/// (so that the request validates) that [`podepsat_dotaz`] — and
/// [`Lekarnik::call_signed`](super::Lekarnik::call_signed) — replaces with the real one. It is
/// never sent.
pub fn k_podpisu() -> SignatureType {
    let mut reference = ReferenceType::new(DigestMethodType::new(SHA256.to_owned()), String::new());
    reference.uri = Some(String::new());
    let mut signed_info = SignedInfoType::new(
        CanonicalizationMethodType::new(EXC_C14N.to_owned()),
        SignatureMethodType::new(RSA_SHA256.to_owned()),
    );
    signed_info.reference = vec![reference];
    SignatureType::new(signed_info, SignatureValueType::new(String::new()))
}

/// The request element `name` with content `dotaz`, signed as eRecept wants it (see the module
/// docs): the element's text, with the signature as its last child, ready for
/// [`envelope_around`](sdk_runtime::soap::envelope_around). Whatever `ds:Signature` the value
/// holds (the placeholder [`k_podpisu`]) is left out and replaced.
pub fn podepsat_dotaz<T: XmlWrite + ?Sized>(
    identity: &SigningIdentity,
    name: ElementName,
    dotaz: &T,
) -> Result<String, SignError> {
    let written = sdk_runtime::soap::write_body_element(name, dotaz);
    let unsigned = without_signature(&written)?;
    let signed = sign_enveloped_document_with(
        identity,
        unsigned.as_bytes(),
        &DocumentSignatureProfile::xml_dsig().implied_c14n(true),
    )?;
    // The signer adds no XML declaration (the element was written without one), so the text
    // goes into the envelope as it is.
    String::from_utf8(signed)
        .map_err(|_| SignError::Internal("the signed request is not UTF-8".into()))
}

/// The request text without the `ds:Signature` children of its root.
fn without_signature(text: &str) -> Result<String, SignError> {
    let doc = Document::parse(text.as_bytes())?;
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for child in doc.root().children() {
        if child.is(Some(DSIG_NS), "Signature") {
            let span = child.span();
            out.push_str(text.get(from..span.start).unwrap_or_default());
            from = span.end;
        }
    }
    out.push_str(text.get(from..).unwrap_or_default());
    Ok(out)
}
