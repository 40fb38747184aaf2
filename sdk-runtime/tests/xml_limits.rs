//! Every limit of the XML readers, and the attacks they and the DTD refusal stop, each with the
//! typed error it gets: in the parser, in a SOAP envelope, in a streamed record, and over mTLS
//! through a SOAP client configured with its own limits.
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::sandbox::TestPki;
use sdk_runtime::server::{MtlsServer, SandboxRequest, SandboxResponse};
use sdk_runtime::soap::{
    Envelope, NO_OUTPUT, NoOutput, OperationSpec, Provenance, SOAP11_NS, SoapClient, SoapFault,
    SoapVersion,
};
use sdk_runtime::transport::HttpClient;
use sdk_runtime::xml::{
    DecodeErrorKind, Document, ElementName, Limits, ParseError, RecordReader, XmlLimit,
};

fn limit_of(r: Result<Document, ParseError>) -> Option<XmlLimit> {
    r.err().and_then(|e| e.limit)
}

fn children(n: usize) -> String {
    format!("<r>{}</r>", "<a/>".repeat(n))
}

fn attributes(n: usize) -> String {
    let attrs: String = (0..n).map(|i| format!(" a{i}=\"1\"")).collect();
    format!("<r{attrs}/>")
}

fn small() -> Limits {
    Limits::default()
        .with_max_depth(8)
        .with_max_attributes(4)
        .with_max_attribute_bytes(64)
        .with_max_text_bytes(32)
        .with_max_children(10)
}

#[test]
fn each_limit_is_refused_with_its_name_and_its_value_is_still_read() {
    let l = small();
    let cases: [(XmlLimit, String, String); 5] = [
        (
            XmlLimit::Depth,
            "<a>".repeat(8) + &"</a>".repeat(8),
            "<a>".repeat(9) + &"</a>".repeat(9),
        ),
        (XmlLimit::Attributes, attributes(4), attributes(5)),
        (
            XmlLimit::AttributeBytes,
            format!("<r a=\"{}\"/>", "x".repeat(64)),
            format!("<r a=\"{}\"/>", "x".repeat(65)),
        ),
        (
            XmlLimit::TextBytes,
            format!("<r>{}</r>", "x".repeat(32)),
            // Text in pieces (entity, CDATA) counts as one text.
            format!(
                "<r>{}&amp;<![CDATA[{}]]></r>",
                "x".repeat(16),
                "y".repeat(16)
            ),
        ),
        (XmlLimit::Children, children(10), children(11)),
    ];
    for (limit, at, over) in cases {
        assert!(
            Document::parse_str_with(&at, &l).is_ok(),
            "{limit}: at the limit"
        );
        let err = Document::parse_str_with(&over, &l).unwrap_err();
        assert_eq!(err.limit, Some(limit), "{limit}: {err}");
        assert!(err.to_string().contains(limit.as_str()), "{err}");
        assert!(err.to_string().starts_with("XML refused"), "{err}");
        // The same in an envelope: a typed decode error naming the limit.
        let env =
            format!("<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body>{over}</s:Body></s:Envelope>");
        // Two levels more for the envelope and its body.
        let l2 = small().with_max_depth(l.max_depth + 2);
        let e = Envelope::parse_with(env.as_bytes(), &l2).err().unwrap();
        assert_eq!(e.kind, DecodeErrorKind::Limit(limit), "{limit}: {e}");
    }
}

#[test]
fn the_defaults_hold_against_hostile_shapes() {
    let d = Limits::default();
    let deep = "<a>".repeat(d.max_depth + 1) + &"</a>".repeat(d.max_depth + 1);
    assert_eq!(limit_of(Document::parse_str(&deep)), Some(XmlLimit::Depth));
    // 200,000-deep nesting is refused at the limit, not after reading it all.
    let very_deep = "<a>".repeat(200_000);
    let e = Document::parse_str(&very_deep).unwrap_err();
    assert_eq!(e.limit, Some(XmlLimit::Depth));
    assert!(
        e.offset <= 3 * (d.max_depth + 1),
        "refused at byte {}",
        e.offset
    );
    assert_eq!(
        limit_of(Document::parse_str(&attributes(d.max_attributes + 1))),
        Some(XmlLimit::Attributes)
    );
    let long_attr = format!("<r a=\"{}\"/>", "x".repeat(d.max_attribute_bytes + 1));
    assert_eq!(
        limit_of(Document::parse_str(&long_attr)),
        Some(XmlLimit::AttributeBytes)
    );
    let long_text = format!("<r>{}</r>", "x".repeat(d.max_text_bytes + 1));
    assert_eq!(
        limit_of(Document::parse_str(&long_text)),
        Some(XmlLimit::TextBytes)
    );
    assert_eq!(
        limit_of(Document::parse_str(&children(d.max_children + 1))),
        Some(XmlLimit::Children)
    );
    assert!(Document::parse_str(&children(d.max_children)).is_ok());
}

#[test]
fn dtds_and_entities_are_refused_in_messages() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>"#;
    let external =
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
    for (name, doc) in [("billion laughs", laughs), ("external entity", external)] {
        let e = Document::parse_str(doc).unwrap_err();
        assert!(
            e.message
                .contains("document type declarations are not allowed"),
            "{name}: {e}"
        );
        let env = Envelope::parse(doc.as_bytes()).err().unwrap();
        assert_eq!(env.kind, DecodeErrorKind::Malformed, "{name}");
    }
    // Without a DTD, an entity is undefined: refused, never looked up.
    let e = Document::parse_str("<r>&x;</r>").unwrap_err();
    assert!(e.message.contains("undefined entity"), "{e}");
}

#[test]
fn a_streamed_record_is_read_within_the_limits() {
    let body = format!(
        "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><w><item>{}</item><item>{}</item></w></s:Body></s:Envelope>",
        "<v/>".repeat(10),
        "<v/>".repeat(11)
    );
    let mut reader = RecordReader::new(
        body.as_bytes(),
        &["Envelope", "Body", "w"],
        ElementName::new("", "item"),
    )
    .with_limits(Limits::default().with_max_children(10));
    assert!(
        reader.next_document().unwrap().is_some(),
        "the first record is within the limit"
    );
    let e = reader.next_document().unwrap_err();
    assert_eq!(e.limit, Some(XmlLimit::Children), "{e}");
    let e = sdk_runtime::xml::DecodeError::from(e);
    assert_eq!(e.kind, DecodeErrorKind::Limit(XmlLimit::Children), "{e}");
}

const OP: OperationSpec = OperationSpec::new(
    "Lists",
    SoapVersion::V11,
    None,
    Provenance::Reconstructed,
    ElementName::new("urn:t", "list"),
    NO_OUTPUT,
);

/// Over mTLS: the client's own limits apply to its answers, and a fault is still a fault.
#[tokio::test]
async fn a_client_refuses_an_answer_over_its_limits_with_the_limit_named() {
    let pki = TestPki::new("Limits CA").unwrap();
    let handler = |request: SandboxRequest| async move {
        let wide = request.body_text().unwrap_or_default().contains("wide");
        let items = if wide { 50 } else { 5 };
        let body = format!(
            "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><t:listResponse xmlns:t=\"urn:t\">{}</t:listResponse></s:Body></s:Envelope>",
            "<t:i>1</t:i>".repeat(items)
        );
        SandboxResponse::new(200, "text/xml; charset=utf-8", body)
    };
    let server = MtlsServer::start(&pki, Arc::new(handler)).unwrap();
    let identity = pki.issue_client_cert("c").unwrap().identity().unwrap();
    let http = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .identity(identity)
        .timeout(Duration::from_secs(10))
        .xml_limits(Limits::default().with_max_children(20))
        .build()
        .unwrap();
    assert_eq!(http.xml_limits().max_children, 20);
    let soap = SoapClient::new(http, server.base_url().join("svc").unwrap());
    let post = |what: &'static str| {
        let soap = soap.clone();
        async move {
            let envelope = format!(
                "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><t:list xmlns:t=\"urn:t\">{what}</t:list></s:Body></s:Envelope>"
            );
            let answer = soap
                .post::<SoapFault>(&OP, envelope.into_bytes())
                .await
                .unwrap();
            soap.decode::<NoOutput, SoapFault>(&OP, answer)
        }
    };
    assert!(post("narrow").await.is_ok());
    match post("wide").await {
        Err(SdkError::Decode { error, status, .. }) => {
            assert_eq!(status, 200);
            assert_eq!(
                error.kind,
                DecodeErrorKind::Limit(XmlLimit::Children),
                "{error}"
            );
            assert!(error.message.contains("max_children"), "{error}");
        }
        other => panic!("expected the children limit, got {other:?}"),
    }
    server.shutdown().await;
}

/// The WS-Security reader (signed answers are read by it before any decoder) holds to the same
/// default limits.
#[test]
fn the_signature_reader_holds_to_the_default_limits() {
    use sdk_runtime::wssec::{Document as Signed, DocumentError};
    let d = Limits::default();
    let cases = [
        (XmlLimit::Attributes, attributes(d.max_attributes + 1)),
        (
            XmlLimit::AttributeBytes,
            format!("<r a=\"{}\"/>", "x".repeat(d.max_attribute_bytes + 1)),
        ),
        (
            XmlLimit::TextBytes,
            format!("<r>{}</r>", "x".repeat(d.max_text_bytes + 1)),
        ),
        (XmlLimit::Children, children(d.max_children + 1)),
    ];
    for (limit, doc) in cases {
        match Signed::parse(doc.as_bytes()) {
            Err(DocumentError::Limit { limit: got, .. }) => assert_eq!(got, limit),
            other => panic!("{limit}: {:?}", other.err()),
        }
    }
    assert!(Signed::parse(attributes(d.max_attributes).as_bytes()).is_ok());
    assert!(Signed::parse(children(d.max_children).as_bytes()).is_ok());
}

/// The signature reader takes the limits it is given, through a verifier's policy too: a
/// message over one is refused before anything in it is verified.
#[test]
fn the_signature_reader_takes_the_limits_it_is_given() {
    use sdk_runtime::wssec::{
        Document as Signed, DocumentError, TrustAnchors, VerificationPolicy, Verifier, VerifyError,
    };
    let s = small();
    let cases = [
        (XmlLimit::Attributes, attributes(s.max_attributes + 1)),
        (
            XmlLimit::AttributeBytes,
            format!("<r a=\"{}\"/>", "x".repeat(s.max_attribute_bytes + 1)),
        ),
        (
            XmlLimit::TextBytes,
            format!("<r>{}</r>", "x".repeat(s.max_text_bytes + 1)),
        ),
        (XmlLimit::Children, children(s.max_children + 1)),
    ];
    for (limit, doc) in &cases {
        match Signed::parse_with(doc.as_bytes(), &s) {
            Err(DocumentError::Limit { limit: got, .. }) => assert_eq!(got, *limit),
            other => panic!("{limit}: {:?}", other.err()),
        }
        // The same document is within the defaults.
        assert!(Signed::parse(doc.as_bytes()).is_ok(), "{limit}");
    }
    let deep = format!("{}{}", "<e>".repeat(9), "</e>".repeat(9));
    match Signed::parse_with(deep.as_bytes(), &s) {
        Err(DocumentError::TooDeep { limit, .. }) => assert_eq!(limit, 8),
        other => panic!("depth: {:?}", other.err()),
    }
    assert!(Signed::parse_with(children(s.max_children).as_bytes(), &s).is_ok());

    let verifier = Verifier::new(VerificationPolicy::new(TrustAnchors::new()).xml_limits(s));
    let wide = format!(
        "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Header/><s:Body>{}</s:Body></s:Envelope>",
        "<i/>".repeat(s.max_children + 1)
    );
    match verifier.verify_envelope(wide.as_bytes()) {
        Err(VerifyError::Parse(DocumentError::Limit { limit, .. })) => {
            assert_eq!(limit, XmlLimit::Children);
        }
        other => panic!("verifier: {:?}", other.err()),
    }
    let doc = format!("<r>{}</r>", "x".repeat(s.max_text_bytes + 1));
    match verifier.verify_enveloped_document(doc.as_bytes()) {
        Err(VerifyError::Parse(DocumentError::Limit { limit, .. })) => {
            assert_eq!(limit, XmlLimit::TextBytes);
        }
        other => panic!("verifier, document: {:?}", other.err()),
    }
}
