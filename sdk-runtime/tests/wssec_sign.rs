//! WS-Security signing (`sdk_runtime::wssec::sign`) checked against xmlsec1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_runtime::wssec::{Document, ExcC14n};

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// The enveloped-signature exclusion equals canonicalizing the text with the element cut out.
#[test]
fn c14n_excluding_an_element_equals_the_document_without_it() {
    let xml = "<?pi x?>\n<r:Root xmlns:r=\"urn:r\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n  <r:a>x</r:a>\n  <ds:Signature xmlns:q=\"urn:q\"><ds:SignedInfo q:x=\"1\"/></ds:Signature>\n  <!-- c --></r:Root>";
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let sig = doc.find_element(Some(DS), "Signature").unwrap();
    let span = sig.span();
    let cut = format!("{}{}", &xml[..span.start], &xml[span.end..]);
    let c14n = ExcC14n::new();
    let expected = c14n.canonicalize_bytes(cut.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(
            c14n.canonicalize_document_excluding(&doc, sig.id())
                .unwrap()
        )
        .unwrap(),
        String::from_utf8(expected.clone()).unwrap()
    );
    let root = doc.root();
    let cut_doc = Document::parse(cut.as_bytes()).unwrap();
    assert_eq!(
        c14n.canonicalize_element_excluding(root, sig.id()).unwrap(),
        c14n.canonicalize_element(cut_doc.root()).unwrap()
    );
    assert!(
        c14n.canonicalize_element_excluding(sig, sig.id())
            .unwrap()
            .is_empty()
    );
}
