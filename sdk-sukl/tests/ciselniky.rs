//! Číselníky SÚKL over real TLS (client certificates, loopback) against the SÚKL sandbox: the
//! generated client and the typed facade read a product by kód SÚKL and list products and
//! pharmacies; SÚKL's 404 `{error}` arrives as a typed error (`None` in the facade) and its 400
//! too; an answer declared `produces: [text]` is read as typed JSON; bad input is refused
//! before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_runtime::SdkError;
use sdk_runtime::xml::ViolationKind;
use sdk_sukl::ciselniky::{DotazPripravky, Odmitnuti, StatusLekarny};
use sdk_sukl::generated::ciselniky::operation as op;
use sdk_sukl::generated::ciselniky::types as t;
use sdk_sukl::sandbox::{SANDBOX_KOD_PRACOVISTE, Sandbox, ciselniky as data};

#[tokio::test]
async fn the_generated_client_reads_a_product_by_kod_sukl() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.ciselniky_client().unwrap();
    assert!(client.base_url().as_str().ends_with("/cissuklapi/v1"));
    let answer = client
        .generated()
        .get_lecivepripravky_kod_sukl(&op::get_lecivepripravky_kod_sukl::Input::new(
            "0034567".into(),
        ))
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-total-count"), Some("1"));
    let [p] = answer.output.as_slice() else {
        panic!("one product expected: {:?}", answer.output);
    };
    assert_eq!(p.kod_sukl.as_deref(), Some("0034567"));
    assert_eq!(p.nazev.as_deref(), Some("AMOXICILIN SANDBOX"));
    assert_eq!(p.doplnek.as_deref(), Some("500MG CPS DUR 21"));
    assert_eq!(p.kod_atc_skupina.as_deref(), Some("J01CA04"));
    assert_eq!(p.kod_zpusob_vydeje.as_deref(), Some("R"));
    assert_eq!(p.je_regulovany.as_deref(), Some("A"));
    assert_eq!(p.ddd_baleni, Some(sdk_runtime::Decimal::from(7)));
    // Fields sent as JSON null read as absent.
    assert_eq!(p.kod_druh_registrace, None);

    // The facade: the same product, by a code with spaces around it.
    let p2 = client.pripravek(" 0034567 ").await.unwrap().unwrap();
    assert_eq!(&p2, p);
}

#[tokio::test]
async fn products_are_listed_in_pages_with_the_total() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.ciselniky_client().unwrap();

    let all = client.pripravky(&DotazPripravky::new()).await.unwrap();
    assert_eq!(all.zaznamy.len(), data::PRIPRAVKY.len());
    assert_eq!(all.celkem, Some(data::PRIPRAVKY.len() as u64));

    let page = client
        .pripravky(&DotazPripravky::new().stranka(2, 2))
        .await
        .unwrap();
    let codes: Vec<_> = page
        .zaznamy
        .iter()
        .map(|p| p.kod_sukl.clone().unwrap())
        .collect();
    assert_eq!(codes, ["0034567", "0045678"]);
    assert_eq!(page.celkem, Some(6));

    let regulated = client
        .pripravky(&DotazPripravky::new().regulovany(true))
        .await
        .unwrap();
    assert_eq!(regulated.celkem, Some(4));
    assert!(
        regulated
            .zaznamy
            .iter()
            .all(|p| p.je_regulovany.as_deref() == Some("A"))
    );

    // A page past the end: SÚKL answers 404, the facade an empty page.
    let past = client
        .pripravky(&DotazPripravky::new().stranka(100, 10))
        .await
        .unwrap();
    assert!(past.zaznamy.is_empty());
    assert_eq!(past.celkem, Some(0));

    // `fields=kod_sukl` through the generated client: records with that field only.
    let mut input = op::get_lecivepripravky::Input::new();
    input.fields = Some(t::GetLecivepripravkyFields::from("kod_sukl"));
    input.limit = Some(3u32.into());
    let codes = client
        .generated()
        .get_lecivepripravky(&input)
        .await
        .unwrap();
    assert_eq!(codes.header("x-total-count"), Some("6"));
    assert_eq!(codes.output.len(), 3);
    assert!(
        codes
            .output
            .iter()
            .all(|p| p.kod_sukl.is_some() && p.nazev.is_none())
    );
}

#[tokio::test]
async fn not_found_is_a_typed_error_with_sukls_error_body() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.ciselniky_client().unwrap();
    let err = client
        .generated()
        .get_lecivepripravky_kod_sukl(&op::get_lecivepripravky_kod_sukl::Input::new(
            "9999999".into(),
        ))
        .await
        .unwrap_err();
    match err {
        SdkError::Service(op::get_lecivepripravky_kod_sukl::Error::NotFound {
            status,
            body,
            raw,
        }) => {
            assert_eq!(status, 404);
            assert_eq!(body.error.as_deref(), Some("Nenalezeny žádné záznamy"));
            assert_eq!(
                serde_json::from_slice::<serde_json::Value>(&raw).unwrap(),
                serde_json::json!({"error": "Nenalezeny žádné záznamy"})
            );
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    // The facade: no such product, no such pharmacy, no manufacturer's price.
    assert_eq!(client.pripravek("9999999").await.unwrap(), None);
    assert_eq!(client.lekarna("99999999999").await.unwrap(), None);
    assert_eq!(client.cena_puvodce("0012345").await.unwrap(), None);
    let cena = client.cena_puvodce("0045678").await.unwrap().unwrap();
    assert_eq!(cena.cena_puvodce, Some(sdk_runtime::decimal!("89.50")));
}

#[tokio::test]
async fn an_unserved_url_is_sukls_400() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.ciselniky_client().unwrap();
    // The sandbox serves a subset; the others answer as SÚKL does for a URL it does not serve.
    let err = client
        .generated()
        .get_obaly(&op::get_obaly::Input::new())
        .await
        .unwrap_err();
    match err {
        SdkError::Service(op::get_obaly::Error::BadRequest { status, body, .. }) => {
            assert_eq!(status, 400);
            assert_eq!(
                body.error.as_deref(),
                Some("Pro dané URL není služba implementována")
            );
        }
        other => panic!("expected BadRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn pharmacies_are_filtered_by_status() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.ciselniky_client().unwrap();

    // GET /lekarny is `produces: [text]` in SÚKL's description: read as typed JSON all the same.
    let all = client.lekarny(None).await.unwrap();
    assert_eq!(all.len(), data::LEKARNY.len());
    let listed = client.lekarny(Some(StatusLekarny::Zarazeno)).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|l| l.status.as_deref() == Some("Z")));
    let delisted = client.lekarny(Some(StatusLekarny::Vyrazeno)).await.unwrap();
    let [l] = delisted.as_slice() else {
        panic!("{delisted:?}")
    };
    assert_eq!(l.nazev.as_deref(), Some("Lékárna Pod Lípou"));
    assert_eq!(l.kod_pracoviste.as_deref(), Some("34567890123"));

    // One pharmacy by its workplace code: the sandbox's LEK-13 workplace.
    let ours = client
        .lekarna(SANDBOX_KOD_PRACOVISTE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ours.nazev.as_deref(), Some("Lékárna U Sandboxu"));
    assert_eq!(ours.erecept.as_deref(), Some("A"));
    assert_eq!(ours.psc.as_deref(), Some("120 00"));

    // `fields=kod_pracoviste` through the generated client.
    let mut input = op::get_lekarny::Input::new();
    input.fields = Some(t::GetLekarnyFields::from("kod_pracoviste"));
    input.status = Some(t::GetLekarnyStatus::from("zarazeno"));
    let codes = client.generated().get_lekarny(&input).await.unwrap().output;
    assert_eq!(codes.len(), 3);
    assert!(
        codes
            .iter()
            .all(|l| l.kod_pracoviste.is_some() && l.nazev.is_none())
    );
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.ciselniky_client().unwrap();
    let before = sandbox.stats().requests;

    // A kód SÚKL without its leading zero, with a letter; a workplace code too short.
    for (bad, kind) in [
        ("12345", ViolationKind::Length),
        ("001234X", ViolationKind::Format),
        ("", ViolationKind::Required),
    ] {
        match client.pripravek(bad).await {
            Err(SdkError::InvalidInput(e)) => {
                assert_eq!(e.field(), "kod_sukl", "{bad:?}: {e}");
                assert_eq!(e.violations[0].kind, kind, "{bad:?}: {e}");
            }
            other => panic!("{bad:?}: expected InvalidInput, got {other:?}"),
        }
    }
    match client.cena_puvodce("123456").await {
        Err(SdkError::InvalidInput(e)) => assert!(e.to_string().contains("leading zero"), "{e}"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    match client.lekarna("1234").await {
        Err(SdkError::InvalidInput(e)) => assert_eq!(e.field(), "kod_pracoviste"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }

    // The generated client checks what the description states: an enumeration and a format.
    let mut input = op::get_lekarny::Input::new();
    input.status = Some(t::GetLekarnyStatus::from("otevreno"));
    match client.generated().get_lekarny(&input).await {
        Err(SdkError::InvalidInput(e)) => {
            assert_eq!(e.field(), "status");
            assert_eq!(e.violations[0].kind, ViolationKind::Enumeration);
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    let mut input = op::get_zmenyregistracnicisla::Input::new();
    input.platnost_od = Some("31.12.2024".into());
    match client.generated().get_zmenyregistracnicisla(&input).await {
        Err(SdkError::InvalidInput(e)) => assert_eq!(e.field(), "platnost_od"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }

    assert_eq!(
        sandbox.stats().requests,
        before,
        "nothing reached the sandbox"
    );
}

#[tokio::test]
async fn the_refusal_type_keeps_sukls_text() {
    let o = Odmitnuti::Neimplementovano {
        error: Some("Pro dané URL není služba implementována".into()),
    };
    assert_eq!(o.status(), 400);
    assert!(o.to_string().contains("není služba implementována"));
}
