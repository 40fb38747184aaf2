//! Every request the client emits validates with xmllint against our XSD (and, strictly, the
//! SOAP 1.1 envelope); so do the sandbox's answers. A control case proves the check can fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use sdk_runtime::sandbox::xmllint::{SchemaRef, XmllintError, validate_soap11};
use sdk_runtime::soap::{SOAP11_NS, SoapVersion, write_envelope};
use sdk_vzp::prubeh_pojisteni::operation::prubeh_pojisteni_druh_b2b as pp_op;
use sdk_vzp::prubeh_pojisteni::types as pp;
use sdk_vzp::sandbox::Sandbox;
use sdk_vzp::stav_smlouvy::operation::stav_smlouvy_icpicppb2b as ss_op;
use sdk_vzp::stav_smlouvy::types as ss;
use sdk_vzp::{CisloPojistence, Icp, parse_date};

const PP_NS: &str = "http://xmlns.gemsystem.cz/PrubehPojisteniDruhB2B";
const SS_NS: &str = "http://xmlns.gemsystem.cz/stavSmlouvyICPICPPB2B";

fn spec(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../wsdl/vzp")
        .join(file)
}

fn pp_schema() -> Vec<SchemaRef> {
    vec![SchemaRef::new(PP_NS, spec("PrubehPojisteniDruhB2B.xsd"))]
}

fn ss_schema() -> Vec<SchemaRef> {
    vec![SchemaRef::new(SS_NS, spec("stavSmlouvyICPICPPB2B.xsd"))]
}

fn assert_valid(xml: &str, schemas: &[SchemaRef]) {
    match validate_soap11(xml, schemas) {
        Ok(()) => {}
        Err(XmllintError::Missing) => {
            panic!("xmllint is missing: run scripts/install-test-tools.sh")
        }
        Err(e) => panic!("{e}\n--- document ---\n{xml}"),
    }
}

#[test]
fn requests_validate_against_the_xsd() {
    let date = parse_date("kDatu", "2026-11-23").unwrap();
    for number in ["8001010006", "450101123", "7001010050"] {
        let input =
            pp::PrubehPojisteniDruhB2BPozadavek::new(CisloPojistence::parse(number).unwrap(), date);
        let xml = write_envelope(SoapVersion::V11, &[], pp_op::SPEC.input, &input);
        assert_valid(&xml, &pp_schema());
        // The shape VZP's working client sends: ns1 declared on soap:Body, no header.
        assert!(
            xml.contains(&format!("<soap:Body xmlns:ns1=\"{PP_NS}\">")),
            "{xml}"
        );
        assert!(!xml.contains("soap:Header"), "{xml}");
    }
    let input = ss::StavSmlouvyICPICPPB2BZadost::new(Icp::parse("12345678").unwrap(), date);
    let xml = write_envelope(SoapVersion::V11, &[], ss_op::SPEC.input, &input);
    assert_valid(&xml, &ss_schema());
    assert!(
        xml.contains("<ns1:ICP_ICPP>12345678</ns1:ICP_ICPP>"),
        "{xml}"
    );
}

#[test]
fn the_check_can_fail() {
    // Children swapped: must be rejected, or the test above proves nothing.
    let xml = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Body><ns1:prubehPojisteniDruhB2BPozadavek xmlns:ns1="{PP_NS}"><ns1:kDatu>2026-11-23</ns1:kDatu><ns1:cisloPojistence>8001010006</ns1:cisloPojistence></ns1:prubehPojisteniDruhB2BPozadavek></soap:Body></soap:Envelope>"#
    );
    assert!(matches!(
        validate_soap11(&xml, &pp_schema()),
        Err(XmllintError::Invalid(_))
    ));
    // An element no schema declares in the Body is rejected too (strict Body content).
    let xml = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Body><x:unknown xmlns:x="urn:x"/></soap:Body></soap:Envelope>"#
    );
    assert!(matches!(
        validate_soap11(&xml, &pp_schema()),
        Err(XmllintError::Invalid(_))
    ));
}

#[tokio::test]
async fn sandbox_answers_validate_too() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    let date = parse_date("kDatu", "2022-06-01").unwrap();
    let r = client
        .prubeh_pojisteni(&CisloPojistence::parse("8001010006").unwrap(), date)
        .await
        .unwrap();
    assert_valid(std::str::from_utf8(&r.raw).unwrap(), &pp_schema());
    let r = client
        .stav_smlouvy(&Icp::parse("24681357").unwrap(), date)
        .await
        .unwrap();
    assert_valid(std::str::from_utf8(&r.raw).unwrap(), &ss_schema());
}
