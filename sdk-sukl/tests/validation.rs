//! Every rule a LEK-13 report is checked against before it is stored or sent, each with a case
//! that breaks it (a typed violation naming the field) and one that passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_runtime::decimal;
use sdk_runtime::xml::{ValidationError, ViolationKind};
use sdk_sukl::lek13::{
    FormaIplp, Hlaseni, Icp, Icz, KodPracoviste, KodSukl, Odesilatel, Pohlavi, Polozka, Software,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn at(hours_ago: i64) -> String {
    (now() - time::Duration::hours(hours_ago))
        .format(&Rfc3339)
        .unwrap()
}

fn kod() -> KodSukl {
    KodSukl::parse("0012345").unwrap()
}

fn icp() -> Icp {
    Icp::parse("87654321").unwrap()
}

fn reg(vydano: &str) -> Polozka {
    Polozka::registrovany(vydano, decimal!("1.0"), &kod(), "PARALEN", "A1")
        .hradi(false, decimal!("10.0"))
}

fn recept_with(p: Polozka) -> Hlaseni {
    Hlaseni::recept(&icp(), 1970, Pohlavi::M).polozka(p)
}

fn lekarna() -> Odesilatel {
    Odesilatel::new(
        KodPracoviste::parse("12345678901").unwrap(),
        Icz::parse("12345000").unwrap(),
        Software::new("Lékárna", "1", "Výrobce"),
    )
}

/// The violations of a report, as (field, kind).
fn problems(h: &Hlaseni) -> Vec<(String, ViolationKind)> {
    match h.check(now(), false) {
        Ok(()) => Vec::new(),
        Err(e) => e
            .violations
            .iter()
            .map(|v| (v.field.clone(), v.kind))
            .collect(),
    }
}

fn refused(h: &Hlaseni, field: &str, kind: ViolationKind) {
    let p = problems(h);
    assert!(
        p.iter().any(|(f, k)| f == field && *k == kind),
        "expected {field} {kind:?}, got {p:?}"
    );
}

fn accepted(h: &Hlaseni) {
    assert_eq!(problems(h), Vec::new());
}

fn single(e: ValidationError) -> (String, ViolationKind) {
    (e.violations[0].field.clone(), e.violations[0].kind)
}

#[test]
fn identifiers_have_their_digit_counts() {
    assert!(KodSukl::parse("0012345").is_ok());
    let e = KodSukl::parse("12345").unwrap_err();
    assert_eq!(single(e.clone()), ("kodSUKL".into(), ViolationKind::Length));
    let e = KodSukl::parse("123456").unwrap_err();
    assert!(e.to_string().contains("leading zero"), "{e}");
    assert_eq!(
        single(KodSukl::parse("00123a5").unwrap_err()),
        ("kodSUKL".into(), ViolationKind::Format)
    );
    assert!(KodPracoviste::parse("12345678901").is_ok());
    assert_eq!(
        single(KodPracoviste::parse("1234567890").unwrap_err()),
        ("kodPracoviste".into(), ViolationKind::Length)
    );
    assert!(Icz::parse("12345000").is_ok());
    assert_eq!(
        single(Icz::parse("1234500").unwrap_err()),
        ("icz".into(), ViolationKind::Length)
    );
    assert!(Icp::parse(" 87654321 ").is_ok());
    assert_eq!(
        single(Icp::parse("").unwrap_err()),
        ("icp".into(), ViolationKind::Required)
    );
    // In a report given as JSON, a code with 6 digits names its place.
    let mut h = recept_with(reg(&at(1)));
    h.polozky[0].kod_sukl = Some("123456".into());
    refused(&h, "reglp/[0]/kodSUKL", ViolationKind::Length);
    let mut h = recept_with(reg(&at(1)));
    h.icp = Some("1234567".into());
    refused(&h, "icp", ViolationKind::Length);
}

#[test]
fn year_of_birth_is_a_past_year_from_1900() {
    accepted(&Hlaseni::recept(&icp(), 1958, Pohlavi::Z).polozka(reg(&at(1))));
    refused(
        &Hlaseni::recept(&icp(), 1899, Pohlavi::Z).polozka(reg(&at(1))),
        "rokNarozeni",
        ViolationKind::Range,
    );
    refused(
        &Hlaseni::recept(&icp(), now().year() + 1, Pohlavi::Z).polozka(reg(&at(1))),
        "rokNarozeni",
        ViolationKind::Range,
    );
    let mut h = recept_with(reg(&at(1)));
    h.rok_narozeni = None;
    refused(&h, "rokNarozeni", ViolationKind::Required);
    // Restricted sales carry it per item.
    let otc = |year| {
        Hlaseni::volny_prodej().polozka(Polozka::otc_s_omezenim(
            &at(1),
            decimal!("1.0"),
            &kod(),
            "NUROFEN",
            "E3",
            year,
            Pohlavi::M,
        ))
    };
    accepted(&otc(2000));
    refused(&otc(1800), "polozky/[0]/rokNarozeni", ViolationKind::Range);
}

#[test]
fn dispensing_times_are_past_and_well_formed() {
    accepted(&recept_with(reg(&at(1))));
    accepted(&recept_with(reg(&now().date().to_string())));
    let future = (now() + time::Duration::hours(1)).format(&Rfc3339).unwrap();
    refused(
        &recept_with(reg(&future)),
        "reglp/[0]/datumVydeje",
        ViolationKind::Range,
    );
    refused(
        &recept_with(reg("6.12.2026")),
        "reglp/[0]/datumVydeje",
        ViolationKind::Format,
    );
    refused(
        &recept_with(reg("2026-12-06T09:30:00")),
        "reglp/[0]/datumVydeje",
        ViolationKind::Format,
    );
}

#[test]
fn the_168_hour_window_is_enforced_unless_late_reports_are_allowed() {
    accepted(&recept_with(reg(&at(167))));
    let late = recept_with(reg(&at(169)));
    refused(&late, "reglp/[0]/datumVydeje", ViolationKind::Deadline);
    assert!(late.check(now(), true).is_ok());
    let due = late.lhuta().unwrap();
    assert!(due < now());
    assert_eq!(
        (due - late.vydano().unwrap()).whole_hours(),
        168,
        "the deadline is 168 hours after the earliest dispensing"
    );
    // A date alone counts from the first moment of that Czech day.
    let h = recept_with(reg("2026-12-01"));
    assert_eq!(
        h.vydano().unwrap().format(&Rfc3339).unwrap(),
        "2026-12-01T00:00:00+02:00"
    );
}

#[test]
fn quantities_are_positive_and_whole_but_on_requisitions() {
    for bad in [
        decimal!("0"),
        decimal!("-0.00"),
        decimal!("-1"),
        decimal!("1000000000"),
    ] {
        let mut p = reg(&at(1));
        p.mnozstvi = bad;
        refused(&recept_with(p), "reglp/[0]/mnozstvi", ViolationKind::Range);
    }
    let mut p = reg(&at(1));
    p.mnozstvi = decimal!("0.5");
    refused(&recept_with(p), "reglp/[0]/mnozstvi", ViolationKind::Range);
    let z = Hlaseni::zadanka(&icp()).polozka(Polozka::registrovany(
        &at(1),
        decimal!("0.5"),
        &kod(),
        "X",
        "B",
    ));
    accepted(&z);
}

#[test]
fn prices_are_not_negative_with_two_decimals() {
    accepted(&recept_with(
        reg(&at(1))
            .cena_konecna(decimal!("0.0"))
            .cena_puvodce(decimal!("12.34")),
    ));
    refused(
        &recept_with(reg(&at(1)).cena_konecna(decimal!("-0.01"))),
        "reglp/[0]/cenaKonecna",
        ViolationKind::Range,
    );
    refused(
        &recept_with(reg(&at(1)).cena_puvodce(decimal!("1.005"))),
        "reglp/[0]/cenaPuvodce",
        ViolationKind::Format,
    );
    refused(
        &recept_with(
            Polozka::registrovany(&at(1), decimal!("1.0"), &kod(), "X", "B")
                .hradi(false, decimal!("-5.0")),
        ),
        "reglp/[0]/uhradaZP",
        ViolationKind::Range,
    );
}

#[test]
fn each_item_kind_has_its_required_fields() {
    // A prescription item needs who pays.
    let p = Polozka::registrovany(&at(1), decimal!("1.0"), &kod(), "X", "B");
    refused(
        &recept_with(p.clone()),
        "reglp/[0]/hradiPacient",
        ViolationKind::Required,
    );
    refused(
        &recept_with(p),
        "reglp/[0]/uhradaZP",
        ViolationKind::Required,
    );
    // Without a SÚKL code: form, strength, package size, batch.
    let mut p = Polozka::neregistrovany(&at(1), decimal!("1.0"), "Lék", "tbl", "5 mg", "20", "B")
        .hradi(true, decimal!("0.0"));
    accepted(&recept_with(p.clone()));
    p.forma = None;
    p.baleni = Some(" ".into());
    refused(
        &recept_with(p.clone()),
        "nereglp/[0]/forma",
        ViolationKind::Required,
    );
    refused(
        &recept_with(p),
        "nereglp/[0]/baleni",
        ViolationKind::Required,
    );
    // Individually prepared: its form; no batch.
    let p = Polozka::iplp(&at(1), decimal!("1.0"), "Ung.", FormaIplp::Kremy)
        .hradi(false, decimal!("1.0"));
    accepted(&recept_with(p.clone()));
    let mut q = p.clone();
    q.forma_iplp = None;
    refused(
        &recept_with(q),
        "iplp/[0]/formaIPLP",
        ViolationKind::Required,
    );
    let mut q = p;
    q.sarze = Some("B".into());
    refused(&recept_with(q), "iplp/[0]/sarze", ViolationKind::Occurs);
    // A field the kind does not have is refused, not dropped.
    let mut p = Polozka::iplp(&at(1), decimal!("1.0"), "Ung.", FormaIplp::Gely)
        .hradi(false, decimal!("1.0"));
    p.kod_sukl = Some("0012345".into());
    refused(&recept_with(p), "iplp/[0]/kodSUKL", ViolationKind::Occurs);
    let z = Hlaseni::zadanka(&icp()).polozka(
        Polozka::registrovany(&at(1), decimal!("1.0"), &kod(), "X", "B")
            .hradi(true, decimal!("1.0")),
    );
    refused(&z, "reglp/[0]/hradiPacient", ViolationKind::Occurs);
    refused(&z, "reglp/[0]/uhradaZP", ViolationKind::Occurs);
    // A restricted sale: SÚKL-coded products with the patient's sex and year, no IČP.
    let mut v = Hlaseni::volny_prodej().polozka(Polozka::registrovany(
        &at(1),
        decimal!("1.0"),
        &kod(),
        "X",
        "B",
    ));
    refused(&v, "polozky/[0]/rokNarozeni", ViolationKind::Required);
    refused(&v, "polozky/[0]/pohlavi", ViolationKind::Required);
    v.icp = Some("87654321".into());
    refused(&v, "icp", ViolationKind::Occurs);
    let v = Hlaseni::volny_prodej().polozka(Polozka::iplp(
        &at(1),
        decimal!("1.0"),
        "X",
        FormaIplp::Prachy,
    ));
    refused(&v, "polozky/[0]/druh", ViolationKind::Enumeration);
    // Every report has items.
    refused(&Hlaseni::zadanka(&icp()), "polozky", ViolationKind::Occurs);
}

#[test]
fn identifiers_are_uuids_generated_once_or_given() {
    let h = recept_with(reg(&at(1)));
    let a = h.to_wire(&lekarna(), now(), false).unwrap();
    let b = h.to_wire(&lekarna(), now(), false).unwrap();
    assert_ne!(
        a.podani_id(),
        b.podani_id(),
        "each build draws new identifiers"
    );
    let mut given = h.clone();
    given.podani_id = Some(a.podani_id().to_owned());
    let c = given.to_wire(&lekarna(), now(), false).unwrap();
    assert_eq!(c.podani_id(), a.podani_id());
    let mut bad = h;
    bad.podani_id = Some("1234".into());
    refused(&bad, "podaniID", ViolationKind::Format);
}

#[test]
fn the_software_block_is_checked() {
    let mut o = lekarna();
    o.sw = Software::new("", "1", "V");
    let e = recept_with(reg(&at(1)))
        .to_wire(&o, now(), false)
        .unwrap_err();
    assert!(e.concerns("sw/nazev"), "{e}");
}

#[test]
fn json_input_names_and_unknown_fields() {
    let text = format!(
        r#"{{"druh":"recept","klic":"v-1","icp":"87654321","rokNarozeni":1970,"pohlavi":"Z",
            "polozky":[{{"druh":"registrovany","vydano":"{}","mnozstvi":1,"kodSUKL":"0012345",
            "nazev":"X","sarze":"A","hradiPacient":false,"uhradaZP":1.5}}]}}"#,
        at(1)
    );
    let h: Hlaseni = serde_json::from_str(&text).unwrap();
    accepted(&h);
    // A misspelt field is an error, never silently ignored.
    let typo = text.replace("kodSUKL", "kodSukl");
    let e = serde_json::from_str::<Hlaseni>(&typo).unwrap_err();
    assert!(e.to_string().contains("kodSukl"), "{e}");
    // Personal data stays out of Debug.
    let debug = format!("{h:?}");
    assert!(
        !debug.contains("1970") && debug.contains("<redacted>"),
        "{debug}"
    );
}
