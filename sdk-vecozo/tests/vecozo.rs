//! COV and the Instroomservice end to end over mutual TLS against the VECOZO sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_runtime::SdkError;
use sdk_runtime::soap::Response;
use sdk_vecozo::cov::{Cov, MAX_ZOEKOPDRACHTEN, SoapVersie};
use sdk_vecozo::generated::cov::operation::controleer as op;
use sdk_vecozo::generated::cov::types::{
    RetourberichtresultaatType, Volgnummer, Zoekopdracht, Zoekresultaatcode,
};
use sdk_vecozo::generated::instroom::operation::instromen;
use sdk_vecozo::instroom::InstroomFout;
use sdk_vecozo::instroom::types::{
    Instantie, Instroomverzoek, Verstrekking, Verzekerde, Zorgverlener,
};
use sdk_vecozo::sandbox::{SANDBOX_AGB_PRAKTIJK, SANDBOX_AGB_ZORGVERLENER, Sandbox};
use sdk_vecozo::{AgbCode, AgbSoort, Bsn};
use time::macros::date;

fn query(n: i32, bsn: &str, born: time::Date, on: time::Date) -> Zoekopdracht {
    let mut q = Zoekopdracht::new(Volgnummer::new(n).unwrap(), born, on);
    q.bsn = Some(Bsn::parse(bsn).unwrap());
    q
}

fn results(answer: &Response<op::Output>) -> Vec<(i32, Zoekresultaatcode, Vec<String>)> {
    let out = &answer.output.controleer_result;
    assert_eq!(out.resultaat, RetourberichtresultaatType::VerzoekAkkoord);
    out.zoekresultaten
        .as_ref()
        .unwrap()
        .zoekresultaat
        .iter()
        .map(|r| {
            (
                *r.volgnummer.get(),
                r.resultaatcode.clone(),
                r.verzekering
                    .iter()
                    .map(|v| format!("{}/{}", v.uzovi_nummer.get(), v.verzekerdenummer.get()))
                    .collect(),
            )
        })
        .collect()
}

async fn check_both(cov: &Cov) {
    let praktijk = AgbCode::parse(SANDBOX_AGB_PRAKTIJK).unwrap();
    let answer = cov
        .controleer(
            Some(&praktijk),
            vec![
                query(1, "111222333", date!(1980 - 01 - 01), date!(2024 - 06 - 01)),
                query(2, "123456782", date!(1975 - 05 - 05), date!(2022 - 06 - 01)),
                query(3, "123456782", date!(1975 - 05 - 05), date!(2024 - 06 - 01)),
                query(4, "999999990", date!(1990 - 01 - 01), date!(2024 - 06 - 01)),
                query(5, "111222333", date!(1981 - 01 - 01), date!(2024 - 06 - 01)),
            ],
        )
        .await
        .unwrap();
    assert!(answer.diagnostics.is_empty(), "{:?}", answer.diagnostics);
    assert_eq!(
        results(&answer),
        vec![
            (
                1,
                Zoekresultaatcode::VerzekerdeGevonden,
                vec!["3311/ZV100001".to_owned()]
            ),
            (
                2,
                Zoekresultaatcode::VerzekerdeGevonden,
                vec!["0101/ZV200002".to_owned()]
            ),
            (
                3,
                Zoekresultaatcode::VerzekerdeGevonden,
                vec!["3311/ZV200003".to_owned()]
            ),
            (4, Zoekresultaatcode::BSNOnbekend, vec![]),
            (5, Zoekresultaatcode::GeenVerzekeringGevonden, vec![]),
        ]
    );
}

#[tokio::test]
async fn cov_over_soap_11_and_12() {
    let sandbox = Sandbox::start().unwrap();
    let cov11 = sandbox.cov(SoapVersie::Soap11).unwrap();
    assert!(cov11.endpoint().path().ends_with("/soap11"));
    check_both(&cov11).await;
    let cov12 = sandbox.cov(SoapVersie::Soap12).unwrap();
    assert!(cov12.endpoint().path().ends_with("/soap12"));
    check_both(&cov12).await;
    // The generated family client speaks SOAP 1.1 at the description's path.
    let client = sandbox.client().unwrap();
    let input = sdk_vecozo::cov::verzoek(
        None,
        vec![query(
            1,
            "111222333",
            date!(1980 - 01 - 01),
            date!(2024 - 06 - 01),
        )],
    )
    .unwrap();
    let answer = client.controleer(&input).await.unwrap();
    assert_eq!(results(&answer).len(), 1);
    assert_eq!(sandbox.requests_received(), 3);
}

#[tokio::test]
async fn cov_twenty_queries_pass_and_a_twenty_first_is_refused_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    let cov = sandbox.cov(SoapVersie::Soap11).unwrap();
    let many = |n: usize| -> Vec<Zoekopdracht> {
        (0..n)
            .map(|i| {
                query(
                    i32::try_from(i % MAX_ZOEKOPDRACHTEN + 1).unwrap(),
                    "111222333",
                    date!(1980 - 01 - 01),
                    date!(2024 - 06 - 01),
                )
            })
            .collect()
    };
    let answer = cov.controleer(None, many(20)).await.unwrap();
    assert_eq!(results(&answer).len(), 20);
    assert_eq!(sandbox.requests_received(), 1);
    match cov.controleer(None, many(21)).await {
        Err(SdkError::InvalidInput(e)) => {
            let text = e.to_string();
            assert!(
                text.contains("Zoekopdracht") && text.contains("20"),
                "{text}"
            );
        }
        other => panic!("expected a refusal before sending, got {other:?}"),
    }
    match cov.controleer(None, Vec::new()).await {
        Err(SdkError::InvalidInput(_)) => {}
        other => panic!("expected a refusal of no queries, got {other:?}"),
    }
    assert_eq!(
        sandbox.requests_received(),
        1,
        "nothing more reached the sandbox"
    );
}

#[tokio::test]
async fn cov_refuses_a_certificate_without_agb_code() {
    let sandbox = Sandbox::start().unwrap();
    let cert = sandbox.issue_certificaat_zonder_agb("anonymous").unwrap();
    let http = sandbox.http_client(&cert).unwrap();
    let cov = Cov::new(http, &sandbox.base_url(), SoapVersie::Soap12).unwrap();
    match cov
        .controleer(
            None,
            vec![query(
                1,
                "111222333",
                date!(1980 - 01 - 01),
                date!(2024 - 06 - 01),
            )],
        )
        .await
    {
        Err(SdkError::Service(e)) => {
            let text = format!("{e}");
            assert!(text.contains("Niet geauthenticeerd"), "{text}");
        }
        other => panic!("expected a SOAP fault, got {other:?}"),
    }
}

fn verzoek(instantie: &str, zorgverlener: &str, bsn: &str) -> Instroomverzoek {
    let mut v = Instroomverzoek::new(
        Instantie::new(instantie.to_owned()),
        Zorgverlener::new(zorgverlener.to_owned()),
        Verzekerde::new(bsn.to_owned(), "1980-01-01".to_owned()),
        Verstrekking::new("GPH-1234".to_owned()),
    );
    v.referentie = Some("his-42".to_owned());
    v
}

#[tokio::test]
async fn instroom_answers_a_link() {
    let sandbox = Sandbox::start().unwrap();
    let systeem = sandbox
        .issue_systeemcertificaat(SANDBOX_AGB_PRAKTIJK)
        .unwrap();
    let persoonlijk = sandbox
        .issue_persoonlijk_certificaat("J. de Vries", SANDBOX_AGB_PRAKTIJK)
        .unwrap();
    let instroom = sandbox.instroom(&systeem).unwrap();
    assert_eq!(instroom.agb_code().as_str(), SANDBOX_AGB_PRAKTIJK);
    let link = instroom
        .instromen(
            &verzoek(SANDBOX_AGB_PRAKTIJK, SANDBOX_AGB_ZORGVERLENER, "111222333"),
            &persoonlijk.cert_der(),
        )
        .await
        .unwrap();
    assert!(link.link.starts_with("https://"), "{}", link.link);
    assert!(
        link.link.contains("/machtigingenportaal/aanvraag/SBX-"),
        "{}",
        link.link
    );
    assert_eq!(link.referentie.as_deref(), Some("his-42"));
    assert_eq!(sandbox.requests_received(), 1);
}

#[tokio::test]
async fn instroom_rules_are_checked_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    let systeem = sandbox
        .issue_systeemcertificaat(SANDBOX_AGB_PRAKTIJK)
        .unwrap();
    let persoonlijk = sandbox
        .issue_persoonlijk_certificaat("J. de Vries", SANDBOX_AGB_PRAKTIJK)
        .unwrap();
    let instroom = sandbox.instroom(&systeem).unwrap();
    let ok = |e: &InstroomFout| e.to_string();

    // Rule 1: the personal certificate of another institution.
    let ander = sandbox
        .issue_persoonlijk_certificaat("A. Jansen", "01500999")
        .unwrap();
    let e = instroom
        .instromen(
            &verzoek(SANDBOX_AGB_PRAKTIJK, SANDBOX_AGB_ZORGVERLENER, "111222333"),
            &ander.cert_der(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, InstroomFout::CertificatenOngelijk { persoonlijk, .. } if persoonlijk.as_str() == "01500999"),
        "{}",
        ok(&e)
    );

    // Rule 1: a personal certificate naming no AGB code.
    let zonder = sandbox.issue_certificaat_zonder_agb("Z. Onbekend").unwrap();
    let e = instroom
        .instromen(
            &verzoek(SANDBOX_AGB_PRAKTIJK, SANDBOX_AGB_ZORGVERLENER, "111222333"),
            &zonder.cert_der(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, InstroomFout::Certificaat(_)), "{}", ok(&e));

    // Rule 2: the institution in the data is another.
    let e = instroom
        .instromen(
            &verzoek("01500999", SANDBOX_AGB_ZORGVERLENER, "111222333"),
            &persoonlijk.cert_der(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, InstroomFout::InstantieOngelijk { in_gegevens, .. } if in_gegevens == "01500999"),
        "{}",
        ok(&e)
    );

    // Rule 2: certificates under a care provider's own code (not a practice or institution).
    let persoon = "01123456";
    let systeem_zv = sandbox.issue_systeemcertificaat(persoon).unwrap();
    let persoonlijk_zv = sandbox
        .issue_persoonlijk_certificaat("B. Bakker", persoon)
        .unwrap();
    let instroom_zv = sandbox.instroom(&systeem_zv).unwrap();
    let e = instroom_zv
        .instromen(
            &verzoek(persoon, SANDBOX_AGB_ZORGVERLENER, "111222333"),
            &persoonlijk_zv.cert_der(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            InstroomFout::InstantieSoort {
                soort: AgbSoort::Zorgverlener,
                ..
            }
        ),
        "{}",
        ok(&e)
    );

    // Rule 3: a malformed care-provider code, and a practice's code as the care provider.
    for (code, why) in [
        ("0112345", "eight digits"),
        ("01500123", "not a care provider's"),
    ] {
        let e = instroom
            .instromen(
                &verzoek(SANDBOX_AGB_PRAKTIJK, code, "111222333"),
                &persoonlijk.cert_der(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&e, InstroomFout::Zorgverlener { .. }) && ok(&e).contains(why),
            "{}",
            ok(&e)
        );
    }

    // The BSN's eleven test, and the description's facets.
    let e = instroom
        .instromen(
            &verzoek(SANDBOX_AGB_PRAKTIJK, SANDBOX_AGB_ZORGVERLENER, "123456789"),
            &persoonlijk.cert_der(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, InstroomFout::Bsn(_)), "{}", ok(&e));
    let mut lang = verzoek(SANDBOX_AGB_PRAKTIJK, SANDBOX_AGB_ZORGVERLENER, "111222333");
    lang.verstrekking.code = "X".repeat(21);
    let e = instroom
        .instromen(&lang, &persoonlijk.cert_der())
        .await
        .unwrap_err();
    assert!(matches!(e, InstroomFout::Gegevens(_)), "{}", ok(&e));

    assert_eq!(
        sandbox.requests_received(),
        0,
        "nothing reached the sandbox"
    );

    // A well-formed care provider the register does not know: only the server can tell.
    let e = instroom
        .instromen(
            &verzoek(SANDBOX_AGB_PRAKTIJK, "01199999", "111222333"),
            &persoonlijk.cert_der(),
        )
        .await
        .unwrap_err();
    match e {
        InstroomFout::Aanroep(SdkError::Service(instromen::Error::BadRequest { body, .. })) => {
            assert_eq!(body.code, "ZORGVERLENER_ONBEKEND");
        }
        other => panic!("expected VECOZO's refusal, got {other}"),
    }
    assert_eq!(sandbox.requests_received(), 1);
}
