//! LEK-13 end to end over mutual TLS against the SÚKL sandbox: every report kind created, read,
//! changed and cancelled; refusals decoded into their typed variants; nothing sent when a report
//! is invalid.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_runtime::{SdkError, decimal};
use sdk_sukl::generated::lek13::types as t;
use sdk_sukl::lek13::{
    DruhHlaseni, FormaIplp, Hlaseni, Icp, Icz, KodPracoviste, KodSukl, Odesilatel, Odmitnuti,
    Pohlavi, Polozka, Software, WireReport,
};
use sdk_sukl::sandbox::{Fault, SANDBOX_ICZ, SANDBOX_KOD_PRACOVISTE, Sandbox};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn lekarna() -> Odesilatel {
    Odesilatel::new(
        KodPracoviste::parse(SANDBOX_KOD_PRACOVISTE).unwrap(),
        Icz::parse(SANDBOX_ICZ).unwrap(),
        Software::new("Testovací lékárna", "1.0", "b2b-sdk tests"),
    )
}

fn hodinu_zpet() -> String {
    (OffsetDateTime::now_utc() - time::Duration::hours(1))
        .format(&Rfc3339)
        .unwrap()
}

fn kod(s: &str) -> KodSukl {
    KodSukl::parse(s).unwrap()
}

/// A prescription with one item of each kind.
fn recept() -> Hlaseni {
    let v = hodinu_zpet();
    Hlaseni::recept(&Icp::parse("87654321").unwrap(), 1958, Pohlavi::Z)
        .polozka(
            Polozka::registrovany(
                &v,
                decimal!("2.0"),
                &kod("0012345"),
                "PARALEN 500MG TBL NOB 24",
                "A12B",
            )
            .hradi(false, decimal!("25.5"))
            .cena_konecna(decimal!("59.9"))
            .cena_puvodce(decimal!("31.2")),
        )
        .polozka(
            Polozka::neregistrovany(
                &v,
                decimal!("1.0"),
                "Dovozový lék",
                "tablety",
                "10 mg látky X",
                "30",
                "B7",
            )
            .hradi(true, decimal!("0.0")),
        )
        .polozka(
            Polozka::iplp(&v, decimal!("1.0"), "Ung. simplex", FormaIplp::Masti)
                .hradi(false, decimal!("80.0"))
                .taxa_laborum(decimal!("45.0")),
        )
}

fn zadanka() -> Hlaseni {
    let v = hodinu_zpet();
    Hlaseni::zadanka(&Icp::parse("11223344").unwrap())
        .polozka(
            Polozka::registrovany(&v, decimal!("0.5"), &kod("0098765"), "BETADINE 100ML", "C1")
                .cena_puvodce(decimal!("50.0")),
        )
        .polozka(Polozka::neregistrovany(
            &v,
            decimal!("3.0"),
            "Obvaz",
            "obvaz",
            "n/a",
            "1 ks",
            "D2",
        ))
        .polozka(Polozka::iplp(
            &v,
            decimal!("2.0"),
            "Sol. Jarisch",
            FormaIplp::Roztoky,
        ))
}

fn volny() -> Hlaseni {
    let v = hodinu_zpet();
    Hlaseni::volny_prodej().polozka(
        Polozka::otc_s_omezenim(
            &v,
            decimal!("1.0"),
            &kod("0055555"),
            "NUROFEN 200MG",
            "E3",
            1990,
            Pohlavi::M,
        )
        .cena_konecna(decimal!("120.0")),
    )
}

fn wire(h: &Hlaseni) -> WireReport {
    h.to_wire(&lekarna(), OffsetDateTime::now_utc(), false)
        .unwrap()
}

#[tokio::test]
async fn every_report_kind_is_created_read_changed_and_cancelled() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    for (hlaseni, druh) in [
        (recept(), DruhHlaseni::Recept),
        (zadanka(), DruhHlaseni::Zadanka),
        (volny(), DruhHlaseni::Volny),
    ] {
        let report = wire(&hlaseni);
        let id = report.podani_id().to_owned();
        assert_eq!(report.druh(), druh);
        assert!(uuid::Uuid::parse_str(&id).is_ok_and(|u| u.get_version_num() == 4));

        let p = client.zalozit(&report).await.unwrap();
        assert_eq!(p.podani_id, id);
        // A resend of the same report is idempotent: the first confirmation again.
        let again = client.zalozit(&report).await.unwrap();
        assert_eq!(again.prijato, p.prijato);
        assert_eq!(sandbox.report(&id).unwrap().creates, 2);

        // Read back exactly what was sent.
        let read = client.nacist(druh, &id).await.unwrap();
        assert_eq!(read, report);

        // Change: a different quantity on the first item.
        let mut changed = report.clone();
        match &mut changed {
            WireReport::Recept(r) => r.reglp.as_mut().unwrap()[0].mnozstvi = decimal!("3.0"),
            WireReport::Zadanka(r) => r.reglp.as_mut().unwrap()[0].mnozstvi = decimal!("1.5"),
            WireReport::Volny(r) => r.polozky[0].mnozstvi = decimal!("2.0"),
            _ => unreachable!(),
        }
        client.zmenit(&changed).await.unwrap();
        assert_eq!(client.nacist(druh, &id).await.unwrap(), changed);
        let stav = client.stav(&id).await.unwrap();
        assert_eq!(stav.stav, t::StavHlaseniStav::Zmeneno);
        assert_eq!(stav.typ_hlaseni.as_str(), druh.as_str());

        // Cancel, twice: both succeed; the state says so; creating it again is a conflict.
        client.zrusit(druh, &id).await.unwrap();
        client.zrusit(druh, &id).await.unwrap();
        assert_eq!(
            client.stav(&id).await.unwrap().stav,
            t::StavHlaseniStav::Zruseno
        );
        let err = client.zalozit(&report).await.unwrap_err();
        assert!(
            matches!(err.as_service_error(), Some(Odmitnuti::Konflikt { popis }) if !popis.is_empty()),
            "{err:?}"
        );
    }
    let stats = sandbox.stats();
    assert_eq!((stats.created, stats.changed, stats.cancelled), (3, 3, 3));

    // The month's list and the workplace list.
    let now = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let ids = client
        .seznam(
            &KodPracoviste::parse(SANDBOX_KOD_PRACOVISTE).unwrap(),
            now.year(),
            i32::from(u8::from(now.month())),
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    let pracoviste = client.pracoviste().await.unwrap();
    assert_eq!(pracoviste[0].kod_pracoviste, SANDBOX_KOD_PRACOVISTE);
    assert_eq!(client.stav_sluzby().await.unwrap().stav, "OK");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_report_for_another_workplace_is_refused_and_not_stored() {
    let sandbox = Sandbox::start().unwrap();
    // The certificate is for one workplace, the report for another.
    let client = sandbox
        .client_builder("99999999999")
        .unwrap()
        .build()
        .unwrap();
    let report = wire(&recept());
    let err = client.zalozit(&report).await.unwrap_err();
    match err.as_service_error() {
        Some(o @ Odmitnuti::CiziPracoviste { popis }) => {
            assert_eq!(o.status(), 403);
            assert!(popis.contains("certifik"), "{popis}");
        }
        other => panic!("expected CiziPracoviste, got {other:?}"),
    }
    assert!(sandbox.reports().is_empty());
    // The month list of someone else's workplace, too.
    let err = client
        .seznam(
            &KodPracoviste::parse(SANDBOX_KOD_PRACOVISTE).unwrap(),
            2026,
            12,
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err.as_service_error(),
        Some(Odmitnuti::CiziPracoviste { .. })
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn each_documented_error_status_decodes_to_its_variant() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();

    // 400: a report without items passes the description's facets (the lists are optional)
    // but not SÚKL's rules; built from the generated types, bypassing the facade's checks.
    let empty = WireReport::Zadanka(t::HlaseniZadanka::new(
        uuid::Uuid::new_v4().to_string(),
        SANDBOX_KOD_PRACOVISTE.into(),
        SANDBOX_ICZ.into(),
        t::Software::new("x".into(), "1".into(), "y".into()),
        "11223344".into(),
    ));
    let err = client.zalozit(&empty).await.unwrap_err();
    assert!(
        matches!(err.as_service_error(), Some(Odmitnuti::ChybnyPozadavek { popis }) if popis.contains("položk")),
        "{err:?}"
    );

    // 404.
    let id = uuid::Uuid::new_v4().to_string();
    let err = client.nacist(DruhHlaseni::Recept, &id).await.unwrap_err();
    assert!(
        matches!(err.as_service_error(), Some(Odmitnuti::Nenalezeno { .. })),
        "{err:?}"
    );
    let err = client.zrusit(DruhHlaseni::Volny, &id).await.unwrap_err();
    assert!(matches!(
        err.as_service_error(),
        Some(Odmitnuti::Nenalezeno { .. })
    ));

    // 409: another body under a stored UUID.
    let report = wire(&volny());
    client.zalozit(&report).await.unwrap();
    let mut other = report.clone();
    if let WireReport::Volny(r) = &mut other {
        r.polozky[0].sarze = "OTHER".into();
    }
    let err = client.zalozit(&other).await.unwrap_err();
    assert!(matches!(
        err.as_service_error(),
        Some(Odmitnuti::Konflikt { .. })
    ));

    // 500 and 503 with their popisChyby; a 502 the description does not document.
    for (status, check) in [
        (
            500,
            (|o: &Odmitnuti| matches!(o, Odmitnuti::ChybaServeru { .. })) as fn(&Odmitnuti) -> bool,
        ),
        (503, |o: &Odmitnuti| {
            matches!(o, Odmitnuti::Nedostupne { .. })
        }),
        (502, |o: &Odmitnuti| {
            matches!(o, Odmitnuti::Neosetreno { status: 502, .. })
        }),
    ] {
        sandbox.fail_next(1, Fault::Status(status));
        let err = client.zalozit(&wire(&recept())).await.unwrap_err();
        let o = err.as_service_error().unwrap_or_else(|| panic!("{err:?}"));
        assert!(check(o), "{status}: {o:?}");
        assert_eq!(o.status(), status);
        assert!(o.is_transient());
    }

    // A dropped connection is a transport error, not an answer.
    sandbox.fail_next(1, Fault::DropBefore);
    let err = client.zalozit(&wire(&recept())).await.unwrap_err();
    assert!(matches!(err, SdkError::Transport(_)), "{err:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_invalid_report_is_refused_before_anything_is_sent() {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    // Edited after building so that the generated types' own checks catch it.
    let mut report = wire(&recept());
    if let WireReport::Recept(r) = &mut report {
        r.reglp.as_mut().unwrap()[0].kod_sukl = "123456".into();
    }
    let err = client.zalozit(&report).await.unwrap_err();
    let SdkError::InvalidInput(e) = err else {
        panic!("expected InvalidInput, got {err:?}")
    };
    assert!(
        e.concerns("body/reglp/[0]/kodSUKL") || e.violations[0].field.ends_with("kodSUKL"),
        "{e}"
    );
    let err = client
        .nacist(DruhHlaseni::Recept, "not-a-uuid")
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::InvalidInput(_)));
    assert_eq!(sandbox.stats().requests, 0, "nothing may be sent");
    sandbox.shutdown().await;
}
