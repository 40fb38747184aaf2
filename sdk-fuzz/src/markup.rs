//! The runtime's XML readers: documents, streamed records, SOAP envelopes and faults, C14N and
//! WS-Security verification.

use std::sync::OnceLock;

use sdk_runtime::bytes::Bytes;
use sdk_runtime::soap::{Envelope, SoapFault};
use sdk_runtime::wssec::{
    self, ExcC14n, InclusiveC14n, TrustAnchors, VerificationPolicy, Verifier,
};
use sdk_runtime::xml::{Document, ElementRef};
use time::OffsetDateTime;

use crate::Outcome;

/// The CA of the key that signs the `wssec_verify` seeds (a throwaway ECDSA P-256 key made for
/// fuzzing; nothing trusts it anywhere else).
pub const FUZZ_CA_PEM: &[u8] = include_bytes!("../../fuzz/keys/ca.pem");
/// The signer's certificate and key (PKCS#8), issued by [`FUZZ_CA_PEM`].
pub const FUZZ_SIGNER_PEM: &[u8] = include_bytes!("../../fuzz/keys/signer.pem");

/// When the `wssec_verify` seeds were signed: verification runs one minute later, so that a
/// seed's timestamp stays valid for ever.
pub fn signed_at() -> OffsetDateTime {
    // 2027-01-01T00:00:00Z, inside the fuzz certificates' validity (2026-12-07 for 100 years).
    OffsetDateTime::from_unix_timestamp(1_798_761_600).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `xml_document`: the arena document (what every generated decoder reads) and the tree,
/// with every name, attribute, namespace declaration and text of the document read.
pub fn xml_document(data: &[u8]) -> Outcome {
    let tree = sdk_runtime::xml::parse(data);
    let doc = Document::parse(data);
    if let Ok(doc) = &doc {
        walk(doc.root());
        let _ = doc.root().to_element();
    }
    if let Ok(tree) = &tree {
        let _ = Document::from_element(tree);
    }
    Outcome::of(&doc)
}

/// Reads everything of `e` and below (depth-first; the reader bounds the depth).
fn walk(e: ElementRef<'_>) -> usize {
    let mut n = e.namespace().len() + e.local_name().len() + e.prefix().map_or(0, str::len);
    n += e.attributes().map(|a| a.value.len()).sum::<usize>();
    n += e.namespace_declarations().count();
    let _ = e.xsi_type();
    n += e.text().len();
    for c in e.child_elements() {
        n += walk(c);
    }
    n
}

/// `xml_records`: CeR's visit list read streaming, record by record, then the rest of the
/// answer; the generated reader of a repeated complex element.
pub fn xml_records(data: &[u8]) -> Outcome {
    use sdk_p1::cer::operation::pobierz_liste_wizyt_sync as op;
    let mut records = op::wizyta_records(data);
    let mut failed = false;
    for r in records.by_ref() {
        failed |= r.is_err();
    }
    let rest = records.finish::<op::Output>();
    if failed {
        Outcome::Refused
    } else {
        Outcome::of(&rest)
    }
}

/// `soap_envelope`: an envelope, its header blocks and body, and the fault in it.
pub fn soap_envelope(data: &[u8]) -> Outcome {
    let env = Envelope::parse(data);
    if let Ok(env) = &env {
        let fault = SoapFault::from_envelope(env, 500, Bytes::copy_from_slice(data));
        if let Some(f) = fault {
            let _ = f.to_string();
        }
    }
    Outcome::of(&env)
}

/// `c14n`: the WS-Security document reader, then exclusive C14N (with and without comments)
/// and inclusive C14N of the whole document.
pub fn c14n(data: &[u8]) -> Outcome {
    let doc = wssec::Document::parse(data);
    if let Ok(doc) = &doc {
        let _ = ExcC14n::new().canonicalize_document(doc);
        let _ = ExcC14n::new()
            .with_comments(true)
            .canonicalize_document(doc);
        let _ = ExcC14n::new()
            .prefix_list("soap wsu #default")
            .canonicalize_document(doc);
        let _ = InclusiveC14n::new().canonicalize_document(doc, None);
    }
    Outcome::of(&doc)
}

fn verifier() -> Option<&'static Verifier> {
    static VERIFIER: OnceLock<Option<Verifier>> = OnceLock::new();
    VERIFIER
        .get_or_init(|| {
            let trust = TrustAnchors::from_pem(FUZZ_CA_PEM).ok()?;
            Some(Verifier::new(VerificationPolicy::new(trust)))
        })
        .as_ref()
}

/// `wssec_verify`: a signed envelope (timestamp and body required), and an enveloped-signature
/// document, verified against the fuzz CA one minute after the seeds were signed.
pub fn wssec_verify(data: &[u8]) -> Outcome {
    let Some(v) = verifier() else {
        return Outcome::Refused;
    };
    let now = signed_at() + time::Duration::minutes(1);
    let envelope = v.verify_envelope_at(data, now);
    let document = v.verify_enveloped_document_at(data, now);
    if envelope.is_ok() || document.is_ok() {
        Outcome::Read
    } else {
        Outcome::Refused
    }
}
