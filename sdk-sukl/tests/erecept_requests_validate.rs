//! Every eRecept request the crate can emit validates with xmllint against SÚKL's PUBLISHED
//! schema (`../shared/specs/published/sukl-erecept-201704/schema1.xsd`, which imports the
//! XML-DSig subset `schema2.xsd`), inside a strictly validated SOAP 1.1 envelope.
//!
//! The requests are made from the type model, like the conformance run's: for every operation of
//! the four services, the samples of its request element (every optional part present; only what
//! is required; each branch of every choice) are read into the generated request type, checked
//! by its `Validate` (strict validation before sending), and written back by the generated
//! codec into an envelope — that envelope is what xmllint judges. Control cases prove the check
//! can fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use sdk_runtime::sandbox::xmllint::{SchemaRef, validate_soap11};
use sdk_runtime::soap::{Envelope, OperationSpec, SOAP11_NS, SoapVersion, write_envelope};
use sdk_runtime::xml::{ReadContext, Validate, XmlRead, XmlWrite};

const ERP: &str = "http://www.sukl.cz/erp/201704";

fn published_schema() -> Vec<SchemaRef> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/sukl-erecept-201704/schema1.xsd");
    assert!(
        path.is_file(),
        "the published eRecept schema is missing: expected {} (../shared next to the checkout)",
        path.display()
    );
    vec![SchemaRef::new(ERP, path)]
}

fn our_wsdl(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../wsdl/sukl/erecept")
        .join(file)
}

/// Reads a request document into `T`, validates it, and writes it into a SOAP 1.1 envelope.
fn reencode<T: XmlRead + XmlWrite + Validate>(
    spec: &OperationSpec,
    document: &str,
) -> Result<String, String> {
    let body = document
        .trim_start()
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>").map(|(_, b)| b))
        .unwrap_or(document);
    let wrapped =
        format!("<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body>{body}</s:Body></s:Envelope>");
    let envelope = Envelope::parse(wrapped.as_bytes()).map_err(|e| format!("envelope: {e}"))?;
    let mut cx = ReadContext::new();
    let value: T = envelope
        .read_body(spec.input, &mut cx)
        .map_err(|e| format!("read: {e}"))?;
    value.validated().map_err(|e| format!("validate: {e}"))?;
    Ok(write_envelope(SoapVersion::V11, &[], spec.input, &value))
}

type Codec = fn(&OperationSpec, &str) -> Result<String, String>;

/// Every operation of the four services: its spec and the codec of its request type.
macro_rules! operations {
    ($($service:ident { $($op:ident),* $(,)? })*) => {
        vec![$($((
            stringify!($service),
            sdk_sukl::generated::$service::operation::$op::SPEC,
            reencode::<sdk_sukl::generated::$service::operation::$op::Input> as Codec,
        ),)*)*]
    };
}

fn all_operations() -> Vec<(&'static str, OperationSpec, Codec)> {
    operations! {
        cuer_lekarnik {
            app_ping, app_ping_zep, get_app_info, nacist_ciselnik_chyb, nacist_verze,
            nacist_predpis, nacist_vydej, nacist_informace_o_zrusenem_predpisu,
            nacist_informace_o_zrusenem_vydeji, stahnout_pruvodku, zalozit_vydej, zmenit_vydej,
            zrusit_vydej, zmenit_stav_predpisu, digitalizovat_predpis, zmenit_pojistovnu_predpisu,
        }
        rlpo_lekarnik {
            app_ping, app_ping_zep, get_app_info, nacist_ciselnik_chyb, nacist_verze,
            overit_vydej, zalozit_vydej_otc, zmenit_vydej_otc, zrusit_vydej_otc,
            nacist_vydej_otc, nacist_informace_o_zrusenem_vydeji_otc,
        }
        cuer_lekar {
            app_ping, app_ping_zep, get_app_info, nacist_ciselnik_chyb, nacist_verze,
            zalozit_predpis, zmenit_predpis, zrusit_predpis, nacist_predpis, seznam_predpisu,
            nacist_vydej, nacist_informace_o_zrusenem_predpisu, nacist_informace_o_zrusenem_vydeji,
            seznam_vydeju_predepisujiciho, pripravit_vydeje_predepisujiciho,
            prevzit_vydeje_predepisujiciho, stahnout_vydeje_predepisujiciho, stahnout_pruvodku,
        }
        rlpo_lekar {
            app_ping, app_ping_zep, get_app_info, nacist_ciselnik_chyb, nacist_verze,
            overit_predpis,
        }
    }
}

/// The type model's samples of `element`, from our WSDL `file`.
fn samples_of(file: &str, element: &str) -> Vec<sdk_codegen::xml_samples::XmlSample> {
    let module = sdk_codegen::generate_wsdl_module(&our_wsdl(file), file).unwrap();
    let roots: Vec<_> = module
        .elements
        .into_iter()
        .filter(|r| r.name.ns == ERP && r.name.local == element)
        .collect();
    assert_eq!(roots.len(), 1, "{file}: root element {element}");
    sdk_codegen::xml_samples::samples(&module.model, &roots)
}

fn wsdl_file(service: &str) -> &'static str {
    match service {
        "cuer_lekarnik" => "CUERLekarnik.wsdl",
        "rlpo_lekarnik" => "RLPOLekarnik.wsdl",
        "cuer_lekar" => "CUERLekar.wsdl",
        "rlpo_lekar" => "RLPOLekar.wsdl",
        other => panic!("unknown service {other}"),
    }
}

#[test]
fn every_request_of_every_operation_validates_against_the_published_schema() {
    let schema = published_schema();
    let ops = all_operations();
    // Every operation of the four services is in the table.
    let mut per_service = std::collections::BTreeMap::new();
    for (service, ..) in &ops {
        *per_service.entry(*service).or_insert(0usize) += 1;
    }
    for (service, count) in &per_service {
        let defs = sdk_codegen::wsdl::read(&our_wsdl(wsdl_file(service))).unwrap();
        assert_eq!(defs.port_types[0].operations.len(), *count, "{service}");
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for (service, spec, codec) in &ops {
        let samples = samples_of(wsdl_file(service), spec.input.local);
        assert!(samples.len() >= 2, "{service}::{}", spec.name);
        for sample in samples {
            let label = format!("{service}::{} {}", spec.name, sample.label);
            match codec(spec, &sample.xml) {
                Ok(envelope) => match validate_soap11(&envelope, &schema) {
                    Ok(()) => checked += 1,
                    Err(e) => failures.push(format!("{label}: xmllint: {e}\n{envelope}")),
                },
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests failed:\n{}",
        failures.len(),
        checked + failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(ops.len(), 51);
    assert!(checked >= 102, "only {checked} requests checked");
    eprintln!("{checked} requests of {} operations validated", ops.len());
}

#[test]
fn a_request_the_published_schema_refuses_is_caught() {
    let schema = published_schema();
    let ops = all_operations();
    let (service, spec, codec) = ops
        .iter()
        .find(|(s, spec, _)| *s == "cuer_lekarnik" && spec.name == "ZalozitVydej")
        .unwrap();
    let sample = samples_of(wsdl_file(service), spec.input.local)
        .into_iter()
        .next()
        .unwrap();
    let envelope = codec(spec, &sample.xml).unwrap();
    validate_soap11(&envelope, &schema).unwrap();
    // The message header's version out of its pattern ([0-9]{6}[A-Z]), and the dispensing's
    // elements out of order: both refused.
    let verze = envelope.find("Verze>").unwrap();
    let end = verze + envelope[verze..].find("</").unwrap();
    let bad = format!("{}2017A{}", &envelope[..verze + 6], &envelope[end..]);
    assert!(validate_soap11(&bad, &schema).is_err(), "{bad}");
    let zprava = envelope.find("Zprava>").unwrap();
    let open = envelope[..zprava].rfind('<').unwrap();
    let close_tag = format!("</{}", &envelope[open + 1..zprava + 6]);
    let close = envelope[open..].find(&close_tag).unwrap() + open;
    let close_end = close + envelope[close..].find('>').unwrap() + 1;
    let zprava_xml = &envelope[open..close_end];
    let without = envelope.replacen(zprava_xml, "", 1);
    let body_start = without.find("Doklad>").unwrap();
    let doklad_open = without[..body_start].rfind('<').unwrap();
    let moved = format!(
        "{}{}{}",
        &without[..doklad_open],
        zprava_xml,
        &without[doklad_open..]
    );
    assert!(validate_soap11(&moved, &schema).is_err(), "{moved}");
}
