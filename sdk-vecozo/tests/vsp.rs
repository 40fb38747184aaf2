//! The VSP-Koppeling (REST Push and Pull V1, Berichtstatus V2 and V3) end to end over mutual TLS
//! against the VECOZO sandbox, with the generated clients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_runtime::SdkError;
use sdk_runtime::sandbox::IssuedCert;
use sdk_vecozo::berichten_pull::operation::{
    bevestig_ontvangst, get_berichten, get_payload, zoek_berichten,
};
use sdk_vecozo::berichten_pull::types::{
    BerichtMetadata as Ontvangen, Zoekpad, ZoekpadOpAlsAntwoordOp, ZoekpadOpBerichtstroom,
    ZoekpadOpConversatieId,
};
use sdk_vecozo::berichten_push::operation::post_bericht;
use sdk_vecozo::berichten_push::types::{
    BerichtMetadata, Berichtstroom, Referentiegegevens, Relatie, Routeringgegevens,
    SleutelWaardePaar, ValidationProblemDetails,
};
use sdk_vecozo::sandbox::vsp::MAX_PAYLOAD_BYTES;
use sdk_vecozo::sandbox::{SANDBOX_AGB_PRAKTIJK, Sandbox};
use sdk_vecozo::{berichtstatus_v2, berichtstatus_v3};

/// The sending practice (A), and two other parties.
const A: &str = SANDBOX_AGB_PRAKTIJK;
const B: &str = "01500456";
const C: &str = "01500789";

fn uuid(n: u32) -> String {
    format!("6f1c2d3e-0000-4000-8000-{n:012x}")
}

fn relatie(code: &str) -> Relatie {
    let mut r = Relatie::new("Zorgaanbieder".to_owned());
    r.code = Some(code.to_owned());
    r
}

fn metadata(
    van: &str,
    naar: &[&str],
    berichttype: &str,
    traceer_id: &str,
    conversatie_id: &str,
) -> BerichtMetadata {
    let stroom = Berichtstroom::new(berichttype.to_owned(), 3, 2, "Verzoek".to_owned());
    BerichtMetadata::new(
        Routeringgegevens::new(
            relatie(van),
            naar.iter().map(|c| relatie(c)).collect(),
            stroom,
        ),
        Referentiegegevens::new(conversatie_id.to_owned(), traceer_id.to_owned()),
    )
}

/// Every byte value, then the first boundary the runtime's multipart writer would try (so that
/// it must choose another) and text with line breaks.
fn payload() -> Vec<u8> {
    let mut p: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
    p.extend_from_slice(b"\r\n--b2b-sdk-boundary-5eedb2b5d4c00000\r\n<bericht/>\r\n");
    p
}
/// SHA-256 of [`payload`] (computed with Python's hashlib).
const PAYLOAD_SHA256: &str = "c9060bad4212bdd34ff02f451e1ed7e5c296e186735ce751aea9fea0010dfee9";

struct Partij {
    push: sdk_vecozo::berichten_push::Client,
    pull: sdk_vecozo::berichten_pull::Client,
    status_v2: berichtstatus_v2::Client,
    status_v3: berichtstatus_v3::Client,
}

fn partij(sandbox: &Sandbox, cert: &IssuedCert) -> Partij {
    Partij {
        push: sandbox.berichten_push(cert).unwrap(),
        pull: sandbox.berichten_pull(cert).unwrap(),
        status_v2: sandbox.berichtstatus_v2(cert).unwrap(),
        status_v3: sandbox.berichtstatus_v3(cert).unwrap(),
    }
}

fn partij_met_agb(sandbox: &Sandbox, agb: &str) -> Partij {
    partij(sandbox, &sandbox.issue_systeemcertificaat(agb).unwrap())
}

async fn verstuur(p: &Partij, m: BerichtMetadata, payload: Vec<u8>) {
    let answer = p
        .push
        .post_bericht(&post_bericht::Input::new(m, payload))
        .await
        .unwrap();
    assert_eq!(answer.status, 204);
}

async fn lijst(p: &Partij, limit: Option<i64>) -> Vec<Ontvangen> {
    let mut input = get_berichten::Input::new();
    input.limit = limit;
    p.pull.get_berichten(&input).await.unwrap().output
}

async fn zoek(p: &Partij, pad: Zoekpad, limit: Option<i64>) -> Vec<String> {
    let mut input = zoek_berichten::Input::new(pad);
    input.limit = limit;
    traceer_ids(&p.pull.zoek_berichten(&input).await.unwrap().output)
}

fn traceer_ids(lijst: &[Ontvangen]) -> Vec<String> {
    lijst
        .iter()
        .map(|m| m.referentiegegevens.traceer_id.clone())
        .collect()
}

async fn status_v2(
    p: &Partij,
    traceer_id: Option<&str>,
    conversatie_id: Option<&str>,
) -> Vec<(String, berichtstatus_v2::types::Berichtstatus)> {
    let mut input = berichtstatus_v2::operation::zoek_berichtstatussen::Input::new();
    input.traceer_id = traceer_id.map(str::to_owned);
    input.conversatie_id = conversatie_id.map(str::to_owned);
    let out = p.status_v2.zoek_berichtstatussen(&input).await.unwrap();
    out.output
        .into_iter()
        .map(|s| (s.referentiegegevens.traceer_id, s.berichtstatus))
        .collect()
}

async fn status_v3(
    p: &Partij,
    traceer_id: Option<&str>,
    conversatie_id: Option<&str>,
) -> Vec<berichtstatus_v3::types::BerichtstatusGegevens> {
    let mut input = berichtstatus_v3::operation::zoek_berichtstatussen::Input::new();
    input.traceer_id = traceer_id.map(str::to_owned);
    input.conversatie_id = conversatie_id.map(str::to_owned);
    p.status_v3
        .zoek_berichtstatussen(&input)
        .await
        .unwrap()
        .output
}

fn rfc3339(text: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test]
async fn a_message_from_a_to_b_is_pulled_confirmed_and_its_status_follows() {
    use berichtstatus_v2::types::Berichtstatus as V2;
    use berichtstatus_v3::types::Berichtstatus as V3;

    let sandbox = Sandbox::start().unwrap();
    let a = partij_met_agb(&sandbox, A);
    let b = partij_met_agb(&sandbox, B);
    let id = uuid(1);
    let conversatie = uuid(100);

    let mut m = metadata(A, &[B], "JW315", &id, &conversatie);
    m.routeringgegevens.berichtstroom.berichtsubtype = Some("Toewijzing".to_owned());
    m.referentiegegevens.referentie_id = Some("his-42".to_owned());
    m.verwerkingscontext = Some(vec![SleutelWaardePaar::new(
        "omgeving".to_owned(),
        vec!["test".to_owned(), "sandbox".to_owned()],
    )]);
    verstuur(&a, m, payload()).await;

    // Offered: waiting for B.
    assert_eq!(
        status_v2(&a, Some(&id), None).await,
        vec![(id.clone(), V2::Aangeboden)]
    );
    let v3 = status_v3(&a, Some(&id), None).await;
    assert_eq!(v3.len(), 1);
    assert_eq!(v3[0].berichtstatus, V3::WordtAangeboden);
    assert_eq!(v3[0].berichtstroom.berichttype, "JW315");
    assert_eq!(v3[0].referentiegegevens.conversatie_id, conversatie);
    let ontvangen = rfc3339(&v3[0].bericht_ontvangen_op);

    // Nothing waits for the sender.
    assert!(lijst(&a, None).await.is_empty());

    // B sees the message with everything A sent, and where to fetch its payload.
    let waiting = lijst(&b, None).await;
    assert_eq!(traceer_ids(&waiting), vec![id.clone()]);
    let w = &waiting[0];
    let r = &w.routeringgegevens;
    assert_eq!(
        (r.afzender.rol.as_str(), r.afzender.code.as_deref()),
        ("Zorgaanbieder", Some(A))
    );
    assert_eq!(r.geadresseerden.len(), 1);
    assert_eq!(r.geadresseerden[0].code.as_deref(), Some(B));
    assert_eq!(
        (
            r.berichtstroom.berichttype.as_str(),
            r.berichtstroom.berichtsubtype.as_deref(),
            r.berichtstroom.berichtversie,
            r.berichtstroom.berichtsubversie,
            r.berichtstroom.actie.as_str()
        ),
        ("JW315", Some("Toewijzing"), 3, 2, "Verzoek")
    );
    assert_eq!(w.referentiegegevens.conversatie_id, conversatie);
    assert_eq!(
        w.referentiegegevens.referentie_id.as_deref(),
        Some("his-42")
    );
    let context = w.verwerkingscontext.as_ref().unwrap();
    assert_eq!(context[0].sleutel, "omgeving");
    assert_eq!(context[0].waarde, vec!["test", "sandbox"]);
    let download = &w.basisgegevens.payload;
    assert_eq!(download.grootte, i64::try_from(payload().len()).unwrap());
    assert_eq!(download.checksum.algoritme, "SHA256");
    assert_eq!(download.checksum.waarde, PAYLOAD_SHA256);
    assert_eq!(
        download.url,
        format!("{}/berichten/{id}/payload", sandbox.berichten_pull_url())
    );
    assert_eq!(rfc3339(&w.basisgegevens.ontvangen_op), ontvangen);

    // The payload comes back byte for byte; fetching it does not confirm it.
    let p = b
        .pull
        .get_payload(&get_payload::Input::new(id.clone()))
        .await
        .unwrap();
    assert_eq!(p.output.as_ref(), payload().as_slice());
    assert_eq!(p.header("content-type"), Some("application/octet-stream"));
    assert_eq!(traceer_ids(&lijst(&b, None).await), vec![id.clone()]);

    // B confirms: the message is gone from B's list and from the payload path.
    let confirmed = b
        .pull
        .bevestig_ontvangst(&bevestig_ontvangst::Input::new(id.clone()))
        .await
        .unwrap();
    assert_eq!(confirmed.status, 202);
    assert!(lijst(&b, None).await.is_empty());
    match b
        .pull
        .get_payload(&get_payload::Input::new(id.clone()))
        .await
    {
        Err(SdkError::Service(get_payload::Error::NotFound { status: 404, .. })) => {}
        other => panic!("expected 404 after confirming, got {other:?}"),
    }
    match b
        .pull
        .bevestig_ontvangst(&bevestig_ontvangst::Input::new(id.clone()))
        .await
    {
        Err(SdkError::Service(bevestig_ontvangst::Error::NotFound { .. })) => {}
        other => panic!("expected 404 for a second confirmation, got {other:?}"),
    }

    // Delivered, in both versions, found by trace ID or by conversation.
    assert_eq!(
        status_v2(&a, None, Some(&conversatie)).await,
        vec![(id.clone(), V2::Bezorgd)]
    );
    let v3 = status_v3(&a, Some(&id), None).await;
    assert_eq!(v3[0].berichtstatus, V3::Bezorgd);
    assert!(rfc3339(&v3[0].berichtstatus_gewijzigd_op) >= ontvangen);
    // The addressee sees the status too; another party does not.
    assert_eq!(status_v3(&b, Some(&id), None).await.len(), 1);
    let c = partij_met_agb(&sandbox, C);
    assert!(status_v3(&c, Some(&id), None).await.is_empty());

    assert_eq!(sandbox.requests_received(), 15);
}

#[tokio::test]
async fn lists_honour_the_limit_and_searches_filter_by_flow_conversation_and_answer() {
    use berichtstatus_v3::types::Berichtstatus as V3;

    let sandbox = Sandbox::start().unwrap();
    let a = partij_met_agb(&sandbox, A);
    let b = partij_met_agb(&sandbox, B);
    let c = partij_met_agb(&sandbox, C);
    let (een, twee, drie) = (uuid(1), uuid(2), uuid(3));
    let (x, y) = (uuid(100), uuid(101));
    verstuur(&a, metadata(A, &[B], "JW315", &een, &x), b"1".to_vec()).await;
    let mut antwoord = metadata(A, &[B], "JW317", &twee, &x);
    antwoord.referentiegegevens.als_antwoord_op = Some(een.clone());
    verstuur(&a, antwoord, b"2".to_vec()).await;
    verstuur(&a, metadata(A, &[B, C], "JW315", &drie, &y), b"3".to_vec()).await;

    // Oldest first, at most `limit`.
    assert_eq!(
        traceer_ids(&lijst(&b, None).await),
        vec![een.clone(), twee.clone(), drie.clone()]
    );
    assert_eq!(
        traceer_ids(&lijst(&b, Some(2)).await),
        vec![een.clone(), twee.clone()]
    );
    assert_eq!(traceer_ids(&lijst(&c, Some(250)).await), vec![drie.clone()]);

    let stroom = |t: &str| ZoekpadOpBerichtstroom::new(String::new(), t.to_owned());
    assert_eq!(
        zoek(&b, Zoekpad::ZoekpadOpBerichtstroom(stroom("JW315")), None).await,
        vec![een.clone(), drie.clone()]
    );
    assert_eq!(
        zoek(
            &b,
            Zoekpad::ZoekpadOpBerichtstroom(stroom("JW315")),
            Some(1)
        )
        .await,
        vec![een.clone()]
    );
    let mut naar_c = stroom("JW315");
    naar_c.geadresseerde_code = Some(C.to_owned());
    naar_c.berichtversie = Some(3);
    naar_c.actie = Some("Verzoek".to_owned());
    assert_eq!(
        zoek(&b, Zoekpad::ZoekpadOpBerichtstroom(naar_c), None).await,
        vec![drie.clone()]
    );
    let mut andere_versie = stroom("JW315");
    andere_versie.berichtsubversie = Some(9);
    assert!(
        zoek(&b, Zoekpad::ZoekpadOpBerichtstroom(andere_versie), None)
            .await
            .is_empty()
    );
    assert_eq!(
        zoek(
            &b,
            Zoekpad::ZoekpadOpConversatieId(ZoekpadOpConversatieId::new(String::new(), x.clone())),
            None
        )
        .await,
        vec![een.clone(), twee.clone()]
    );
    assert_eq!(
        zoek(
            &b,
            Zoekpad::ZoekpadOpAlsAntwoordOp(ZoekpadOpAlsAntwoordOp::new(
                String::new(),
                een.clone()
            )),
            None
        )
        .await,
        vec![twee.clone()]
    );

    // A trace ID finds the message and the one answering it.
    let found: Vec<_> = status_v3(&a, Some(&een), None)
        .await
        .into_iter()
        .map(|s| s.referentiegegevens.traceer_id)
        .collect();
    assert_eq!(found, vec![een.clone(), twee.clone()]);

    // C may neither fetch nor confirm what is not addressed to it.
    match c
        .pull
        .get_payload(&get_payload::Input::new(een.clone()))
        .await
    {
        Err(SdkError::Service(get_payload::Error::NotFound { .. })) => {}
        other => panic!("expected 404, got {other:?}"),
    }
    match c
        .pull
        .bevestig_ontvangst(&bevestig_ontvangst::Input::new(een.clone()))
        .await
    {
        Err(SdkError::Service(bevestig_ontvangst::Error::NotFound { .. })) => {}
        other => panic!("expected 404, got {other:?}"),
    }

    // Two addressees: delivered once both have confirmed.
    b.pull
        .bevestig_ontvangst(&bevestig_ontvangst::Input::new(drie.clone()))
        .await
        .unwrap();
    assert_eq!(
        status_v3(&a, Some(&drie), None).await[0].berichtstatus,
        V3::WordtAangeboden
    );
    assert_eq!(traceer_ids(&lijst(&c, None).await), vec![drie.clone()]);
    c.pull
        .bevestig_ontvangst(&bevestig_ontvangst::Input::new(drie.clone()))
        .await
        .unwrap();
    assert_eq!(
        status_v3(&a, Some(&drie), None).await[0].berichtstatus,
        V3::Bezorgd
    );
    assert_eq!(
        traceer_ids(&lijst(&b, None).await),
        vec![een.clone(), twee.clone()]
    );
}

fn problem_422(e: SdkError<post_bericht::Error>) -> (String, ValidationProblemDetails) {
    match e {
        SdkError::Service(post_bericht::Error::UnprocessableEntity { body, status, .. }) => {
            assert_eq!(status, 422);
            assert_eq!(body.status, Some(422));
            let code = body
                .additional_properties
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap()
                .to_owned();
            (code, body)
        }
        other => panic!("expected 422, got {other:?}"),
    }
}

fn problem_400(e: SdkError<post_bericht::Error>) -> ValidationProblemDetails {
    match e {
        SdkError::Service(post_bericht::Error::BadRequest { body, .. }) => {
            assert_eq!(body.status, Some(400));
            body
        }
        other => panic!("expected 400, got {other:?}"),
    }
}

#[tokio::test]
async fn unroutable_and_malformed_messages_are_refused_with_problem_details() {
    let sandbox = Sandbox::start().unwrap();
    let cert_a = sandbox.issue_systeemcertificaat(A).unwrap();
    let a = partij(&sandbox, &cert_a);
    let b = partij_met_agb(&sandbox, B);
    let push = |m: BerichtMetadata, payload: Vec<u8>| {
        let client = a.push.clone();
        async move {
            client
                .post_bericht(&post_bericht::Input::new(m, payload))
                .await
                .unwrap_err()
        }
    };

    // Addressed to nobody.
    let (code, body) =
        problem_422(push(metadata(A, &[], "JW315", &uuid(1), &uuid(9)), payload()).await);
    assert_eq!(code, "BRS33");
    assert!(
        body.errors
            .unwrap()
            .contains_key("berichtMetadata.routeringgegevens.geadresseerden")
    );
    // Addressed to a code that is no AGB code, or to no code at all.
    let (code, _) = problem_422(
        push(
            metadata(A, &[B, "3311"], "JW315", &uuid(1), &uuid(9)),
            payload(),
        )
        .await,
    );
    assert_eq!(code, "BRS04");
    let mut zonder_code = metadata(A, &[B], "JW315", &uuid(1), &uuid(9));
    zonder_code.routeringgegevens.geadresseerden[0].code = None;
    assert_eq!(problem_422(push(zonder_code, payload()).await).0, "BRS04");
    // Sent in another party's name.
    let (code, _) =
        problem_422(push(metadata(C, &[B], "JW315", &uuid(1), &uuid(9)), payload()).await);
    assert_eq!(code, "SANDBOX-AFZENDER");
    // Too large a payload.
    let (code, body) = problem_422(
        push(
            metadata(A, &[B], "JW315", &uuid(1), &uuid(9)),
            vec![b'x'; MAX_PAYLOAD_BYTES + 1],
        )
        .await,
    );
    assert_eq!(code, "BRS06");
    assert!(
        body.detail
            .unwrap()
            .contains(&MAX_PAYLOAD_BYTES.to_string())
    );
    // An empty payload: 400 naming the field. (A trace ID that is no UUID the client refuses
    // itself: push_metadata_breaking_the_description_is_refused_before_sending.)
    let body = problem_400(push(metadata(A, &[B], "JW315", &uuid(1), &uuid(9)), Vec::new()).await);
    assert!(body.errors.unwrap().contains_key("payload"));

    // None of these was stored; the first good one is, and sending it again is refused.
    assert!(lijst(&b, None).await.is_empty());
    verstuur(
        &a,
        metadata(A, &[B], "JW315", &uuid(1), &uuid(9)),
        payload(),
    )
    .await;
    let (code, _) =
        problem_422(push(metadata(A, &[B], "JW315", &uuid(1), &uuid(9)), payload()).await);
    assert_eq!(code, "SANDBOX-TRACEERID-BEKEND");
    assert_eq!(lijst(&b, None).await.len(), 1);

    // Bodies our client would not send, over the same mTLS connection: not multipart, metadata
    // with a field the schema does not have, the payload part missing.
    let http = sandbox.http_client(&cert_a).unwrap();
    let url = sdk_runtime::url::Url::parse(&format!("{}/berichten", sandbox.berichten_push_url()))
        .unwrap();
    let raw = |content_type: &'static str, body: &'static str| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let r = http
                .send(
                    "POST",
                    &url,
                    &[("content-type", content_type)],
                    Some(body.as_bytes().to_vec()),
                )
                .await
                .unwrap();
            let problem: ValidationProblemDetails = serde_json::from_slice(&r.body).unwrap();
            (r.status, problem.errors.unwrap())
        }
    };
    let (status, errors) = raw("application/json", "{}").await;
    assert_eq!(status, 400);
    assert!(errors.contains_key(""), "{errors:?}");
    let (status, errors) = raw(
        "multipart/form-data; boundary=XX",
        "--XX\r\nContent-Disposition: form-data; name=\"berichtMetadata\"\r\nContent-Type: application/json\r\n\r\n{\"extra\":1}\r\n--XX\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\nabc\r\n--XX--\r\n",
    )
    .await;
    assert_eq!(status, 400);
    assert!(errors["berichtMetadata"][0].contains("extra"), "{errors:?}");
    let (status, errors) = raw(
        "multipart/form-data; boundary=XX",
        "--XX\r\nContent-Disposition: form-data; name=\"berichtMetadata\"\r\n\r\n{}\r\n--XX--\r\n",
    )
    .await;
    assert_eq!(status, 400);
    assert!(errors.contains_key("payload"), "{errors:?}");

    // Berichtstatus wants exactly one of its two queries.
    for (t, c) in [(None, None), (Some(uuid(1)), Some(uuid(9)))] {
        let mut input = berichtstatus_v3::operation::zoek_berichtstatussen::Input::new();
        input.traceer_id = t;
        input.conversatie_id = c;
        match a.status_v3.zoek_berichtstatussen(&input).await {
            Err(SdkError::Service(
                berichtstatus_v3::operation::zoek_berichtstatussen::Error::BadRequest { .. },
            )) => {}
            other => panic!("expected 400, got {other:?}"),
        }
    }
    // An unknown search path is the server's to refuse.
    let mut input = zoek_berichten::Input::new(Zoekpad::Unknown(
        serde_json::json!({"zoekpadType": "ZoekpadOpPostcode"}),
    ));
    input.limit = Some(5);
    match b.pull.zoek_berichten(&input).await {
        Err(SdkError::Service(zoek_berichten::Error::BadRequest { body, .. })) => {
            assert!(body.errors.unwrap().contains_key("zoekpadType"));
        }
        other => panic!("expected 400, got {other:?}"),
    }

    // A certificate that names no AGB code reaches nothing.
    let anoniem = sandbox.issue_certificaat_zonder_agb("anonymous").unwrap();
    let anoniem = partij(&sandbox, &anoniem);
    match anoniem
        .pull
        .get_berichten(&get_berichten::Input::new())
        .await
    {
        Err(SdkError::Service(get_berichten::Error::Unhandled { status: 403, .. })) => {}
        other => panic!("expected 403, got {other:?}"),
    }
}

#[tokio::test]
async fn input_breaking_the_descriptions_is_refused_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    let b = partij_met_agb(&sandbox, B);
    let refused = |e: &dyn std::fmt::Debug, field: &str| {
        let text = format!("{e:?}");
        assert!(
            text.contains("InvalidInput") && text.contains(field),
            "{text}"
        );
    };

    for limit in [0, 251] {
        let mut input = get_berichten::Input::new();
        input.limit = Some(limit);
        refused(&b.pull.get_berichten(&input).await.unwrap_err(), "limit");
    }
    let stroom = |t: &str| ZoekpadOpBerichtstroom::new(String::new(), t.to_owned());
    let mut lang = stroom(&"X".repeat(61));
    lang.berichtversie = Some(1000);
    let e = b
        .pull
        .zoek_berichten(&zoek_berichten::Input::new(
            Zoekpad::ZoekpadOpBerichtstroom(lang),
        ))
        .await
        .unwrap_err();
    refused(&e, "berichttype");
    refused(&e, "berichtversie");
    let mut input = zoek_berichten::Input::new(Zoekpad::ZoekpadOpBerichtstroom(stroom("")));
    input.limit = Some(300);
    let e = b.pull.zoek_berichten(&input).await.unwrap_err();
    refused(&e, "berichttype");
    refused(&e, "limit");
    refused(
        &b.pull
            .get_payload(&get_payload::Input::new(String::new()))
            .await
            .unwrap_err(),
        "traceerId",
    );

    assert_eq!(
        sandbox.requests_received(),
        0,
        "nothing reached the sandbox"
    );
}

/// The push client checks its multipart metadata against the description before sending.
#[tokio::test]
async fn push_metadata_breaking_the_description_is_refused_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    let a = partij_met_agb(&sandbox, A);
    let mut m = metadata(A, &[B], &"X".repeat(61), &uuid(1), &uuid(9));
    m.routeringgegevens.berichtstroom.berichtversie = 1000;
    match a
        .push
        .post_bericht(&post_bericht::Input::new(m.clone(), payload()))
        .await
    {
        Err(SdkError::InvalidInput(e)) => assert!(e.to_string().contains("berichttype"), "{e}"),
        other => panic!("expected a refusal before sending, got {other:?}"),
    }
    // A trace ID that is not a UUID (`format: uuid`) too.
    let bad_id = metadata(A, &[B], "JW315", "not-a-uuid", &uuid(9));
    match a
        .push
        .post_bericht(&post_bericht::Input::new(bad_id, payload()))
        .await
    {
        Err(SdkError::InvalidInput(e)) => assert!(e.to_string().contains("uuid"), "{e}"),
        other => panic!("expected a refusal before sending, got {other:?}"),
    }
    assert_eq!(sandbox.requests_received(), 0);

    // The sandbox refuses the same metadata when another client sends it anyway.
    let cert = sandbox.issue_systeemcertificaat(A).unwrap();
    let http = sandbox.http_client(&cert).unwrap();
    let url = sdk_runtime::url::Url::parse(&format!("{}/berichten", sandbox.berichten_push_url()))
        .unwrap();
    let json = serde_json::to_string(&m).unwrap();
    let body = format!(
        "--XX\r\nContent-Disposition: form-data; name=\"berichtMetadata\"\r\nContent-Type: application/json\r\n\r\n{json}\r\n--XX\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\nabc\r\n--XX--\r\n"
    );
    let r = http
        .send(
            "POST",
            &url,
            &[("content-type", "multipart/form-data; boundary=XX")],
            Some(body.into_bytes()),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 400);
    let problem: ValidationProblemDetails = serde_json::from_slice(&r.body).unwrap();
    let errors = problem.errors.unwrap();
    assert!(
        errors.contains_key("berichtMetadata.routeringgegevens.berichtstroom.berichttype")
            && errors.contains_key("berichtMetadata.routeringgegevens.berichtstroom.berichtversie"),
        "{errors:?}"
    );
    assert_eq!(sandbox.requests_received(), 1);
}
