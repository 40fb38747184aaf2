//! End to end, service by service: the family client calls every synchronous VZP B2B service of
//! the embedded sandbox over real mutual TLS on loopback, and the answers carry the values of the
//! sandbox's fictitious tables (`src/sandbox/services.rs`): data found, nothing found, and the
//! sandbox's faults. Input that breaks a facet is refused before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Debug;

use sdk_runtime::SdkError;
use sdk_runtime::soap::{FaultError, SOAP11_NS, SoapClient, SoapFault};
use sdk_runtime::transport::HttpClient;
use sdk_runtime::xml::{ReadContext, ViolationKind, XmlText};
use sdk_runtime::{Date, DateTime};
use sdk_vzp::sandbox::{SANDBOX_CALLER_ICZ, SANDBOX_NS, Sandbox};
use sdk_vzp::{CisloPojistence, Client, ClientBuildError, Icp, parse_date};

use sdk_vzp::nastaveni_uctu::operation::{
    nastaveni_komunikace as nk_op, obnova_certifikatu as oc_op,
};
use sdk_vzp::nastaveni_uctu::types as nu;
use sdk_vzp::overeni_prukazu::operation::overeni_platnosti_prukazu_b2b as op_op;
use sdk_vzp::overeni_prukazu::types as op;
use sdk_vzp::oznameni_puvodni_zzp::operation::oznameni_puvodni_zzpb2b as oz_op;
use sdk_vzp::oznameni_puvodni_zzp::types as oz;
use sdk_vzp::registrace_kapitace::operation::registrace_pojistence_kapitace_b2b as rk_op;
use sdk_vzp::registrace_kapitace::types as rk;
use sdk_vzp::registrujici_pzs::operation::registrujici_pzsb2b as rp_op;
use sdk_vzp::registrujici_pzs::types as rp;
#[allow(deprecated)]
use sdk_vzp::stav_pojisteni::operation::stav_pojisteni_b2b as sp_op;
use sdk_vzp::stav_pojisteni::types as sp;
use sdk_vzp::validace_cisla_se::operation::validace_cisla_pojistence_seb2b as vc_op;
use sdk_vzp::validace_cisla_se::types as vc;
use sdk_vzp::vyhledani_szz::operation::vyhledani_szzb2b as vs_op;
use sdk_vzp::vyhledani_szz::types as vs;

const VZP: &str = "VŠEOBECNÁ ZDRAVOTNÍ POJIŠŤOVNA ČESKÉ REPUBLIKY";
const VOZP: &str = "VOJENSKÁ ZDRAVOTNÍ POJIŠŤOVNA ČESKÉ REPUBLIKY";
const ZPMV: &str = "ZDRAVOTNÍ POJIŠŤOVNA MINISTERSTVA VNITRA ČESKÉ REPUBLIKY";

/// The EHIC card of 8001010006 (111, 2024-01-01 to 2029-12-31).
const CARD_VALID: &str = "80203000010000000001";
/// The EHIC card of 9106150009 (205, 2019-07-01 to 2024-06-30).
const CARD_EXPIRED: &str = "80203000010000000002";

fn date(s: &str) -> Date {
    parse_date("kDatu", s).unwrap()
}

fn cislo(s: &str) -> CisloPojistence {
    CisloPojistence::parse(s).unwrap()
}

fn icp(s: &str) -> Icp {
    Icp::parse(s).unwrap()
}

fn started() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().unwrap();
    let client = sandbox.client().unwrap();
    (sandbox, client)
}

/// The SOAP fault of a refused call: a `soap:Client` fault over HTTP 500 with the sandbox's
/// `chyba` detail repeating the reason.
fn sandbox_fault<E: FaultError + Debug>(err: &SdkError<E>) -> &SoapFault {
    let SdkError::Service(e) = err else {
        panic!("expected a SOAP fault, got {err:?}")
    };
    let fault = e.fault();
    assert_eq!(fault.code.ns, SOAP11_NS);
    assert_eq!(fault.code.local, "Client");
    assert_eq!(fault.http_status, 500);
    let chyba = fault.detail_entry().expect("a fault detail");
    assert!(chyba.is(SANDBOX_NS, "chyba"), "{:?}", fault.detail_xml());
    assert_eq!(chyba.deep_text(), fault.message);
    assert!(err.raw_response().unwrap().starts_with(b"<?xml"));
    fault
}

/// Asserts the fault is the sandbox's date rule for `field` (`… je před 1. 1. 1992`).
fn assert_before_1992(fault: &SoapFault, field: &str) {
    assert!(
        fault.message.starts_with("chyba vstupních dat: ")
            && fault.message.contains(field)
            && fault.message.contains("je před 1. 1. 1992"),
        "{}",
        fault.message
    );
}

fn code<T: XmlText>(value: Option<&T>) -> Option<String> {
    value.map(|v| v.to_xml_text().into_owned())
}

// ---------------------------------------------------------------------------------------------
// 1. StavPojisteniB2B (deprecated)

#[allow(deprecated)]
async fn stav_pojisteni(
    client: &Client,
    number: &str,
    day: &str,
) -> Result<sdk_runtime::soap::Response<sp_op::Output>, SdkError<sp_op::Error>> {
    let input = sp::StavPojisteniB2BPozadavek::new(cislo(number), date(day));
    client.stav_pojisteni_b2b(&input).await
}

#[tokio::test]
async fn stav_pojisteni_insured_with_insurer_over_time() {
    let (_sandbox, client) = started();
    let r = stav_pojisteni(&client, "8001010006", "2026-11-23")
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let o = &r.output;
    assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(o.stav, Some(sp::StavPojisteni::Pojisten));
    assert_eq!(code(o.kod_pojistovny.as_ref()).as_deref(), Some("111"));
    assert_eq!(o.nazev_pojistovny.as_deref(), Some(VZP));
    let raw = std::str::from_utf8(&r.raw).unwrap();
    assert!(raw.contains("<ns0:stav>pojisten</ns0:stav>"), "{raw}");

    // 7552150012 moved from 111 to 201 on 2020-01-01 (last day with 111: 2019-12-31).
    let before = stav_pojisteni(&client, "755215/0012", "2019-12-31")
        .await
        .unwrap()
        .output;
    assert_eq!(code(before.kod_pojistovny.as_ref()).as_deref(), Some("111"));
    assert_eq!(before.nazev_pojistovny.as_deref(), Some(VZP));
    let after = stav_pojisteni(&client, "7552150012", "2020-01-01")
        .await
        .unwrap()
        .output;
    assert_eq!(after.stav, Some(sp::StavPojisteni::Pojisten));
    assert_eq!(code(after.kod_pojistovny.as_ref()).as_deref(), Some("201"));
    assert_eq!(after.nazev_pojistovny.as_deref(), Some(VOZP));

    // The remainder-10 number and the 9-digit number.
    let zpmv = stav_pojisteni(&client, "7001010050", "2026-01-01")
        .await
        .unwrap()
        .output;
    assert_eq!(code(zpmv.kod_pojistovny.as_ref()).as_deref(), Some("211"));
    assert_eq!(zpmv.nazev_pojistovny.as_deref(), Some(ZPMV));
    let old = stav_pojisteni(&client, "450101123", "1992-01-01")
        .await
        .unwrap()
        .output;
    assert_eq!(old.stav, Some(sp::StavPojisteni::Pojisten));
    assert_eq!(code(old.kod_pojistovny.as_ref()).as_deref(), Some("111"));
}

#[tokio::test]
async fn stav_pojisteni_not_insured_and_unknown() {
    let (_sandbox, client) = started();
    // 9106150009 was insured with 205 up to 2024-06-30.
    let last = stav_pojisteni(&client, "9106150009", "2024-06-30")
        .await
        .unwrap()
        .output;
    assert_eq!(last.stav, Some(sp::StavPojisteni::Pojisten));
    assert_eq!(code(last.kod_pojistovny.as_ref()).as_deref(), Some("205"));
    assert_eq!(
        last.nazev_pojistovny.as_deref(),
        Some("ČESKÁ PRŮMYSLOVÁ ZDRAVOTNÍ POJIŠŤOVNA")
    );
    let gone = stav_pojisteni(&client, "9106150009", "2024-07-01")
        .await
        .unwrap()
        .output;
    assert_eq!(gone.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(gone.stav, Some(sp::StavPojisteni::Nepojisten));
    assert_eq!(gone.kod_pojistovny, None);
    assert_eq!(gone.nazev_pojistovny, None);

    // A valid number the sandbox does not know.
    let unknown = stav_pojisteni(&client, "8001010017", "2026-01-01")
        .await
        .unwrap()
        .output;
    assert_eq!(unknown.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert_eq!(unknown.stav, None);
    assert_eq!(unknown.kod_pojistovny, None);
    assert_eq!(unknown.nazev_pojistovny, None);
}

#[tokio::test]
async fn stav_pojisteni_date_before_1992_is_a_fault() {
    let (_sandbox, client) = started();
    let err = stav_pojisteni(&client, "8001010006", "1991-12-31")
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(sp_op::Error::Unhandled(_))),
        "{err:?}"
    );
    assert_before_1992(sandbox_fault(&err), "kDatu");
    // The first day of the public insurance is accepted.
    let first = stav_pojisteni(&client, "8001010006", "1992-01-01")
        .await
        .unwrap();
    assert_eq!(first.output.stav, Some(sp::StavPojisteni::Pojisten));
}

// ---------------------------------------------------------------------------------------------
// 2. RegistracePojistenceKapitaceB2B

async fn registrace(
    client: &Client,
    number: &str,
    day: &str,
    icz: Option<&str>,
) -> rk::RegistracePojistenceKapitaceB2BOdpoved {
    let mut input = rk::RegistracePojistenceKapitaceB2BPozadavek::new(cislo(number), date(day));
    input.icz = icz.map(|i| rk::Icz::new(i).unwrap());
    let r = client
        .registrace_pojistence_kapitace_b2b(&input)
        .await
        .unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    r.output
}

#[tokio::test]
async fn registrace_kapitace_at_the_callers_provider_without_icz() {
    let (_sandbox, client) = started();
    // Without icz the caller's own provider (the sandbox's 12345000) is asked about.
    let o = registrace(&client, "8001010006", "2026-11-23", None).await;
    assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(o.registrovan, Some(true));
    assert_eq!(code(o.kod_pojistovny.as_ref()).as_deref(), Some("111"));
    assert_eq!(o.nazev_pojistovny.as_deref(), Some(VZP));
    assert_eq!(o.icp.as_ref().map(Icp::as_str), Some("12345678"));
    assert_eq!(code(o.odbornost.as_ref()).as_deref(), Some("001"));
    assert_eq!(o.datum_registrace_od, Some(date("2016-03-01")));
    assert_eq!(o.datum_registrace_do, None);

    // The same with the caller's IČZ given explicitly.
    let explicit = registrace(
        &client,
        "8001010006",
        "2026-11-23",
        Some(SANDBOX_CALLER_ICZ),
    )
    .await;
    assert_eq!(explicit, o);

    // The day before the registration began: known and insured, not registered.
    let before = registrace(&client, "8001010006", "2016-02-29", None).await;
    assert_eq!(before.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(before.registrovan, Some(false));
    assert_eq!(code(before.kod_pojistovny.as_ref()).as_deref(), Some("111"));
    assert_eq!(before.icp, None);
    assert_eq!(before.odbornost, None);
    assert_eq!(before.datum_registrace_od, None);

    // 7552150012 is registered only elsewhere.
    let elsewhere = registrace(&client, "7552150012", "2026-11-23", None).await;
    assert_eq!(elsewhere.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(elsewhere.registrovan, Some(false));
    assert_eq!(
        code(elsewhere.kod_pojistovny.as_ref()).as_deref(),
        Some("201")
    );
    assert_eq!(elsewhere.nazev_pojistovny.as_deref(), Some(VOZP));
    assert_eq!(elsewhere.icp, None);
}

#[tokio::test]
async fn registrace_kapitace_at_a_named_facility() {
    let (_sandbox, client) = started();
    // 7552150012 is registered at two facilities: each IČZ gives its own workplace.
    let nemocnice = registrace(&client, "7552150012", "2026-11-23", Some("24681000")).await;
    assert_eq!(nemocnice.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(nemocnice.registrovan, Some(true));
    assert_eq!(
        code(nemocnice.kod_pojistovny.as_ref()).as_deref(),
        Some("201")
    );
    assert_eq!(nemocnice.icp.as_ref().map(Icp::as_str), Some("24681358"));
    assert_eq!(code(nemocnice.odbornost.as_ref()).as_deref(), Some("101"));
    assert_eq!(nemocnice.datum_registrace_od, Some(date("2010-01-01")));
    assert_eq!(nemocnice.datum_registrace_do, None);

    let zubni = registrace(&client, "7552150012", "2026-11-23", Some("13579000")).await;
    assert_eq!(zubni.registrovan, Some(true));
    assert_eq!(zubni.icp.as_ref().map(Icp::as_str), Some("13579246"));
    assert_eq!(code(zubni.odbornost.as_ref()).as_deref(), Some("014"));
    assert_eq!(zubni.datum_registrace_od, Some(date("2012-09-01")));

    // The insurer is the one of the asked date (111 before 2020).
    let in_2015 = registrace(&client, "7552150012", "2015-06-01", Some("13579000")).await;
    assert_eq!(in_2015.registrovan, Some(true));
    assert_eq!(
        code(in_2015.kod_pojistovny.as_ref()).as_deref(),
        Some("111")
    );
    assert_eq!(in_2015.nazev_pojistovny.as_deref(), Some(VZP));

    // Not registered at a facility the person has no registration with.
    let not_there = registrace(&client, "8001010006", "2026-11-23", Some("24681000")).await;
    assert_eq!(not_there.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(not_there.registrovan, Some(false));
    assert_eq!(not_there.icp, None);
    assert_eq!(not_there.odbornost, None);
}

#[tokio::test]
async fn registrace_kapitace_unknown_not_insured_and_fault() {
    let (_sandbox, client) = started();
    let unknown = registrace(&client, "8001010017", "2026-11-23", None).await;
    assert_eq!(unknown.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert_eq!(unknown.registrovan, None);
    assert_eq!(unknown.kod_pojistovny, None);
    assert_eq!(unknown.icp, None);

    // Known but no longer insured: found, without insurer, not registered.
    let gone = registrace(&client, "9106150009", "2025-01-01", None).await;
    assert_eq!(gone.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(gone.registrovan, Some(false));
    assert_eq!(gone.kod_pojistovny, None);
    assert_eq!(gone.nazev_pojistovny, None);

    let input =
        rk::RegistracePojistenceKapitaceB2BPozadavek::new(cislo("8001010006"), date("1991-12-31"));
    let err = client
        .registrace_pojistence_kapitace_b2b(&input)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(rk_op::Error::Unhandled(_))),
        "{err:?}"
    );
    assert_before_1992(sandbox_fault(&err), "kDatu");
}

// ---------------------------------------------------------------------------------------------
// 3. VyhledaniSZZB2B

fn hledani(retezec: &str) -> vs::VyhledaniSZZB2BPozadavek {
    vs::VyhledaniSZZB2BPozadavek::new(vs::RetezecHledani::new(retezec).unwrap())
}

async fn vyhledani(
    client: &Client,
    input: &vs::VyhledaniSZZB2BPozadavek,
) -> sdk_runtime::soap::Response<vs::VyhledaniSZZB2BOdpoved> {
    let r = client.vyhledani_szzb2b(input).await.unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    streams_the_same_records(&r);
    r
}

/// The answer read record by record from its raw bytes gives the same facilities, and the rest
/// of the answer as the whole message gave it.
fn streams_the_same_records(r: &sdk_runtime::soap::Response<vs::VyhledaniSZZB2BOdpoved>) {
    let mut records = vs_op::zarizeni_records(&r.raw[..]);
    let mut streamed = Vec::new();
    for z in records.by_ref() {
        streamed.push(z.unwrap());
    }
    assert_eq!(streamed, r.output.zarizeni);
    assert_eq!(records.records_read(), streamed.len() as u64);
    assert!(
        records.diagnostics().is_empty(),
        "{:?}",
        records.diagnostics()
    );
    let (rest, diagnostics) = records.finish::<vs_op::Output>().unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(rest.zarizeni.is_empty());
    assert_eq!(
        rest.stav_vyrizeni_pozadavku,
        r.output.stav_vyrizeni_pozadavku
    );
    assert_eq!(rest.pocet_nalezenych, r.output.pocet_nalezenych);
}

fn icz_list(o: &vs::VyhledaniSZZB2BOdpoved) -> Vec<String> {
    o.zarizeni
        .iter()
        .map(|z| code(z.icz.as_ref()).unwrap())
        .collect()
}

fn icp_list(z: &vs::Zarizeni) -> Vec<&str> {
    z.pracoviste
        .iter()
        .map(|p| p.icp.as_ref().unwrap().as_str())
        .collect()
}

#[tokio::test]
async fn vyhledani_szz_finds_several_facilities_with_their_workplaces() {
    let (_sandbox, client) = started();
    // "Sandbox" is in the name of every facility; case does not matter.
    let r = vyhledani(&client, &hledani("sandbox")).await;
    let o = &r.output;
    assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(o.pocet_nalezenych, Some(3));
    assert_eq!(icz_list(o), ["12345000", "24681000", "13579000"]);

    let stredisko = &o.zarizeni[0];
    assert_eq!(code(stredisko.ico.as_ref()).as_deref(), Some("27074358"));
    assert_eq!(
        stredisko.nazev_zz.as_deref(),
        Some("Zdravotní středisko Sandbox s.r.o.")
    );
    assert_eq!(stredisko.ulice.as_deref(), Some("Fiktivní 12"));
    assert_eq!(stredisko.misto.as_deref(), Some("Praha 4"));
    assert_eq!(code(stredisko.psc.as_ref()).as_deref(), Some("14000"));
    assert_eq!(icp_list(stredisko), ["12345678"]);
    let ordinace = &stredisko.pracoviste[0];
    assert_eq!(
        ordinace.nazev_p.as_deref(),
        Some("Ordinace praktického lékaře")
    );
    assert_eq!(code(ordinace.odbornost.as_ref()).as_deref(), Some("001"));
    assert_eq!(ordinace.datum_od, Some(date("2015-01-01")));
    assert_eq!(ordinace.datum_do, None);

    // Without kDatu every workplace is listed, the ended contract too.
    let nemocnice = &o.zarizeni[1];
    assert_eq!(nemocnice.nazev_zz.as_deref(), Some("Nemocnice Sandbox"));
    assert_eq!(code(nemocnice.ico.as_ref()).as_deref(), Some("00064165"));
    assert_eq!(nemocnice.misto.as_deref(), Some("Brno"));
    assert_eq!(code(nemocnice.psc.as_ref()).as_deref(), Some("60200"));
    assert_eq!(icp_list(nemocnice), ["24681357", "24681358"]);
    let covid = &nemocnice.pracoviste[0];
    assert_eq!(covid.nazev_p.as_deref(), Some("Odběrové centrum - COVID19"));
    assert_eq!(code(covid.odbornost.as_ref()).as_deref(), Some("955"));
    assert_eq!(covid.datum_od, Some(date("2021-12-01")));
    assert_eq!(covid.datum_do, Some(date("2022-12-31")));
    let interna = &nemocnice.pracoviste[1];
    assert_eq!(interna.nazev_p.as_deref(), Some("Interní ambulance"));
    assert_eq!(code(interna.odbornost.as_ref()).as_deref(), Some("101"));
    assert_eq!(interna.datum_od, Some(date("2008-01-01")));

    let zubni = &o.zarizeni[2];
    assert_eq!(zubni.nazev_zz.as_deref(), Some("Zubní ordinace Sandbox"));
    assert_eq!(zubni.ulice.as_deref(), Some("Testovací 5"));
    assert_eq!(zubni.misto.as_deref(), Some("Ostrava"));
    assert_eq!(icp_list(zubni), ["13579246"]);
    assert_eq!(
        code(zubni.pracoviste[0].odbornost.as_ref()).as_deref(),
        Some("014")
    );
    assert_eq!(zubni.pracoviste[0].datum_od, Some(date("2010-05-01")));

    // Other fields match too: a town (non-ASCII case folding), an IČP, a workplace name.
    let brno = vyhledani(&client, &hledani("BRNO")).await;
    assert_eq!(icz_list(&brno.output), ["24681000"]);
    assert_eq!(brno.output.pocet_nalezenych, Some(1));
    let by_icp = vyhledani(&client, &hledani("13579246")).await;
    assert_eq!(icz_list(&by_icp.output), ["13579000"]);
    let by_workplace = vyhledani(&client, &hledani("STOMATOLOGIE")).await;
    assert_eq!(icz_list(&by_workplace.output), ["13579000"]);
    let by_street = vyhledani(&client, &hledani("fiktivní")).await;
    assert_eq!(icz_list(&by_street.output), ["12345000"]);
}

#[tokio::test]
async fn vyhledani_szz_max_pocet_cuts_the_list_not_the_count() {
    let (_sandbox, client) = started();
    let mut input = hledani("Sandbox");
    input.max_pocet = Some(vs::MaxPocet::new(2u128).unwrap());
    let r = vyhledani(&client, &input).await;
    assert_eq!(r.output.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(r.output.pocet_nalezenych, Some(3));
    assert_eq!(icz_list(&r.output), ["12345000", "24681000"]);

    input.max_pocet = Some(vs::MaxPocet::new(1u128).unwrap());
    let one = vyhledani(&client, &input).await;
    assert_eq!(one.output.pocet_nalezenych, Some(3));
    assert_eq!(icz_list(&one.output), ["12345000"]);

    input.max_pocet = Some(vs::MaxPocet::new(500u128).unwrap());
    let all = vyhledani(&client, &input).await;
    assert_eq!(all.output.pocet_nalezenych, Some(3));
    assert_eq!(icz_list(&all.output), ["12345000", "24681000", "13579000"]);
}

#[tokio::test]
async fn vyhledani_szz_k_datu_drops_an_ended_contract() {
    let (_sandbox, client) = started();
    let mut input = hledani("Nemocnice");
    input.k_datu = Some(date("2022-12-31"));
    let during = vyhledani(&client, &input).await;
    assert_eq!(icz_list(&during.output), ["24681000"]);
    assert_eq!(
        icp_list(&during.output.zarizeni[0]),
        ["24681357", "24681358"]
    );

    // The COVID-19 workplace's contract ended on 2022-12-31.
    input.k_datu = Some(date("2023-01-01"));
    let after = vyhledani(&client, &input).await;
    assert_eq!(after.output.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(after.output.pocet_nalezenych, Some(1));
    let nemocnice = &after.output.zarizeni[0];
    assert_eq!(nemocnice.nazev_zz.as_deref(), Some("Nemocnice Sandbox"));
    assert_eq!(icp_list(nemocnice), ["24681358"]);
    assert_eq!(
        nemocnice.pracoviste[0].nazev_p.as_deref(),
        Some("Interní ambulance")
    );
    assert_eq!(nemocnice.pracoviste[0].datum_do, None);
}

#[tokio::test]
async fn vyhledani_szz_nothing_found_and_fault() {
    let (_sandbox, client) = started();
    let r = vyhledani(&client, &hledani("Neexistující")).await;
    assert_eq!(r.output.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert_eq!(r.output.pocet_nalezenych, Some(0));
    assert!(r.output.zarizeni.is_empty());

    let mut input = hledani("Sandbox");
    input.k_datu = Some(date("1991-12-31"));
    let err = client.vyhledani_szzb2b(&input).await.unwrap_err();
    assert!(
        matches!(err, SdkError::Service(vs_op::Error::Unhandled(_))),
        "{err:?}"
    );
    assert_before_1992(sandbox_fault(&err), "kDatu");
    // Streaming a fault answer yields no record, and `finish` says it is a fault.
    let raw = err.raw_response().unwrap();
    let mut records = vs_op::zarizeni_records(raw);
    assert!(records.next().is_none());
    let e = records.finish::<vs_op::Output>().unwrap_err();
    assert!(e.message.contains("SOAP fault"), "{e:?}");
}

/// Sandbox bug (see the report): with kDatu, a facility none of whose workplaces is under
/// contract that day is still listed (with no workplace), counted in `pocetNalezenych` and
/// answered `0`, while stavSmlouvyICPICPPB2B says its only IČP has no contract that day.
#[tokio::test]
async fn vyhledani_szz_k_datu_lists_only_facilities_under_contract() {
    let (_sandbox, client) = started();
    // 12345678, the only workplace of the Prague facility, is under contract from 2015-01-01.
    let smlouva = client
        .stav_smlouvy(&icp("12345678"), date("2014-12-31"))
        .await
        .unwrap();
    assert_eq!(smlouva.output.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    let mut input = hledani("Praha");
    input.k_datu = Some(date("2014-12-31"));
    let r = vyhledani(&client, &input).await;
    assert!(
        r.output.zarizeni.iter().all(|z| !z.pracoviste.is_empty()),
        "{:?}",
        r.output.zarizeni
    );
    assert_eq!(r.output.pocet_nalezenych, Some(0));
    assert_eq!(r.output.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
}

// ---------------------------------------------------------------------------------------------
// 4. OvereniPlatnostiPrukazuB2B

async fn prukaz(client: &Client, card: &str, day: &str) -> op::OvereniPlatnostiPrukazuB2BOdpoved {
    let input = op::OvereniPlatnostiPrukazuB2BPozadavek::new(
        op::CisloPrukazu::new(card).unwrap(),
        date(day),
    );
    let r = client.overeni_platnosti_prukazu_b2b(&input).await.unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    r.output
}

#[tokio::test]
async fn overeni_prukazu_valid_then_expired() {
    let (_sandbox, client) = started();
    for day in ["2024-01-01", "2026-11-23", "2029-12-31"] {
        let o = prukaz(&client, CARD_VALID, day).await;
        assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"), "{day}");
        assert_eq!(o.platnost, Some(op::PlatnostPrukazu::Platny), "{day}");
        assert_eq!(o.platnost_od, Some(date("2024-01-01")));
        assert_eq!(o.platnost_do, Some(date("2029-12-31")));
        assert_eq!(code(o.kod_pojistovny.as_ref()).as_deref(), Some("111"));
        assert_eq!(
            o.cislo_pojistence.as_ref().map(CisloPojistence::as_str),
            Some("8001010006")
        );
    }
    // The day after its end, and before its start, the same card is not valid.
    for day in ["2030-01-01", "2023-12-31"] {
        let o = prukaz(&client, CARD_VALID, day).await;
        assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"), "{day}");
        assert_eq!(o.platnost, Some(op::PlatnostPrukazu::Neplatny), "{day}");
        assert_eq!(o.platnost_do, Some(date("2029-12-31")));
        assert_eq!(code(o.kod_pojistovny.as_ref()).as_deref(), Some("111"));
    }
    // The card of 9106150009 (205) expired on 2024-06-30.
    let expired = prukaz(&client, CARD_EXPIRED, "2026-11-23").await;
    assert_eq!(expired.platnost, Some(op::PlatnostPrukazu::Neplatny));
    assert_eq!(expired.platnost_od, Some(date("2019-07-01")));
    assert_eq!(expired.platnost_do, Some(date("2024-06-30")));
    assert_eq!(
        code(expired.kod_pojistovny.as_ref()).as_deref(),
        Some("205")
    );
    assert_eq!(
        expired
            .cislo_pojistence
            .as_ref()
            .map(CisloPojistence::as_str),
        Some("9106150009")
    );
    let in_time = prukaz(&client, CARD_EXPIRED, "2024-06-30").await;
    assert_eq!(in_time.platnost, Some(op::PlatnostPrukazu::Platny));
}

#[tokio::test]
async fn overeni_prukazu_unknown_card_and_fault() {
    let (_sandbox, client) = started();
    let unknown = prukaz(&client, "80203000019999999999", "2026-11-23").await;
    assert_eq!(unknown.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert_eq!(unknown.platnost, None);
    assert_eq!(unknown.platnost_od, None);
    assert_eq!(unknown.platnost_do, None);
    assert_eq!(unknown.kod_pojistovny, None);
    assert_eq!(unknown.cislo_pojistence, None);

    let input = op::OvereniPlatnostiPrukazuB2BPozadavek::new(
        op::CisloPrukazu::new(CARD_VALID).unwrap(),
        date("1991-12-31"),
    );
    let err = client
        .overeni_platnosti_prukazu_b2b(&input)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(op_op::Error::Unhandled(_))),
        "{err:?}"
    );
    assert_before_1992(sandbox_fault(&err), "kDatu");
}

// ---------------------------------------------------------------------------------------------
// 5. RegistrujiciPZSB2B

async fn registrujici(
    client: &Client,
    number: &str,
    day: &str,
) -> sdk_runtime::soap::Response<rp::RegistrujiciPZSB2BOdpoved> {
    let input = rp::RegistrujiciPZSB2BPozadavek::new(cislo(number), date(day));
    let r = client.registrujici_pzsb2b(&input).await.unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    r
}

#[tokio::test]
async fn registrujici_pzs_at_the_callers_provider() {
    let (_sandbox, client) = started();
    // 8001010006 is registered at 12345678, a workplace of the caller's 12345000.
    let o = registrujici(&client, "8001010006", "2026-11-23")
        .await
        .output;
    assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(o.registrovan_u_zastupovaneho_pzs, Some(true));
    assert!(o.registrujici_pracoviste.is_empty());

    // Before the registration began: not registered anywhere, an empty list.
    let before = registrujici(&client, "8001010006", "2016-02-29")
        .await
        .output;
    assert_eq!(before.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(before.registrovan_u_zastupovaneho_pzs, Some(false));
    assert!(before.registrujici_pracoviste.is_empty());
}

#[tokio::test]
async fn registrujici_pzs_elsewhere_lists_the_workplaces() {
    let (_sandbox, client) = started();
    let r = registrujici(&client, "7552150012", "2026-11-23").await;
    let o = &r.output;
    assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(o.registrovan_u_zastupovaneho_pzs, Some(false));
    let got: Vec<(&str, String, &str, String, Date)> = o
        .registrujici_pracoviste
        .iter()
        .map(|p| {
            (
                p.icp.as_ref().unwrap().as_str(),
                code(p.icz.as_ref()).unwrap(),
                p.nazev_zz.as_deref().unwrap(),
                code(p.odbornost.as_ref()).unwrap(),
                p.datum_registrace_od.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "24681358",
                "24681000".to_owned(),
                "Nemocnice Sandbox",
                "101".to_owned(),
                date("2010-01-01")
            ),
            (
                "13579246",
                "13579000".to_owned(),
                "Zubní ordinace Sandbox",
                "014".to_owned(),
                date("2012-09-01")
            ),
        ]
    );
    // Streamed record by record, the same list.
    let mut records = rp_op::registrujici_pracoviste_records(&r.raw[..]);
    let streamed: Vec<rp::RegistrujiciPracoviste> = records.by_ref().map(Result::unwrap).collect();
    assert_eq!(streamed, o.registrujici_pracoviste);
    let (rest, _) = records.finish::<rp_op::Output>().unwrap();
    assert_eq!(rest.registrovan_u_zastupovaneho_pzs, Some(false));
    assert!(rest.registrujici_pracoviste.is_empty());

    // Before 2012-09-01 only the hospital's registration existed.
    let in_2011 = registrujici(&client, "7552150012", "2011-06-01")
        .await
        .output;
    assert_eq!(in_2011.registrovan_u_zastupovaneho_pzs, Some(false));
    assert_eq!(in_2011.registrujici_pracoviste.len(), 1);
    assert_eq!(
        in_2011.registrujici_pracoviste[0]
            .icp
            .as_ref()
            .map(Icp::as_str),
        Some("24681358")
    );
}

#[tokio::test]
async fn registrujici_pzs_unknown_and_fault() {
    let (_sandbox, client) = started();
    let unknown = registrujici(&client, "8001010017", "2026-11-23")
        .await
        .output;
    assert_eq!(unknown.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert_eq!(unknown.registrovan_u_zastupovaneho_pzs, None);
    assert!(unknown.registrujici_pracoviste.is_empty());

    let input = rp::RegistrujiciPZSB2BPozadavek::new(cislo("7552150012"), date("1991-12-31"));
    let err = client.registrujici_pzsb2b(&input).await.unwrap_err();
    assert!(
        matches!(err, SdkError::Service(rp_op::Error::Unhandled(_))),
        "{err:?}"
    );
    assert_before_1992(sandbox_fault(&err), "kDatu");
}

// ---------------------------------------------------------------------------------------------
// 6. OznameniPuvodniZZPB2B

fn oznameni_input(kod: &str, od: &str, to: &str) -> oz::OznameniPuvodniZZPB2BPozadavek {
    oz::OznameniPuvodniZZPB2BPozadavek::new(
        oz::KodPojistovny::new(kod).unwrap(),
        parse_date("obdobiOd", od).unwrap(),
        parse_date("obdobiDo", to).unwrap(),
    )
}

async fn oznameni(
    client: &Client,
    kod: &str,
    od: &str,
    to: &str,
) -> oz::OznameniPuvodniZZPB2BOdpoved {
    let r = client
        .oznameni_puvodni_zzpb2b(&oznameni_input(kod, od, to))
        .await
        .unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    r.output
}

fn transfers(o: &oz::OznameniPuvodniZZPB2BOdpoved) -> Vec<(&str, String, Date, Date)> {
    o.preregistrace
        .iter()
        .map(|p| {
            (
                p.cislo_pojistence.as_ref().unwrap().as_str(),
                code(p.kod_nove_pojistovny.as_ref()).unwrap(),
                p.datum_prihlasky.unwrap(),
                p.datum_zmeny.unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn oznameni_puvodni_zzp_transfers_in_the_period() {
    let (_sandbox, client) = started();
    // Both persons left 111: to 205 on 2019-07-01, to 201 on 2020-01-01 (the table's order).
    let both = oznameni(&client, "111", "2019-01-01", "2020-12-31").await;
    assert_eq!(both.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(
        transfers(&both),
        [
            (
                "7552150012",
                "201".to_owned(),
                date("2019-09-30"),
                date("2020-01-01")
            ),
            (
                "9106150009",
                "205".to_owned(),
                date("2019-03-28"),
                date("2019-07-01")
            ),
        ]
    );

    // The period is bounded by the day of the change, both ends included.
    let year_2019 = oznameni(&client, "111", "2019-01-01", "2019-12-31").await;
    assert_eq!(year_2019.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(
        transfers(&year_2019),
        [(
            "9106150009",
            "205".to_owned(),
            date("2019-03-28"),
            date("2019-07-01")
        )]
    );
    let one_day = oznameni(&client, "111", "2020-01-01", "2020-01-01").await;
    assert_eq!(
        transfers(&one_day),
        [(
            "7552150012",
            "201".to_owned(),
            date("2019-09-30"),
            date("2020-01-01")
        )]
    );
}

#[tokio::test]
async fn oznameni_puvodni_zzp_none_in_the_period() {
    let (_sandbox, client) = started();
    // The filing date (2019-09-30) does not count; the change (2020-01-01) is outside.
    let none = oznameni(&client, "111", "2019-07-02", "2019-12-31").await;
    assert_eq!(none.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert!(none.preregistrace.is_empty());
    // Nobody left 201.
    let other = oznameni(&client, "201", "1992-01-01", "2030-12-31").await;
    assert_eq!(other.stav_vyrizeni_pozadavku.as_deref(), Some("1"));
    assert!(other.preregistrace.is_empty());
}

#[tokio::test]
async fn oznameni_puvodni_zzp_faults() {
    let (_sandbox, client) = started();
    let err = client
        .oznameni_puvodni_zzpb2b(&oznameni_input("111", "2020-12-31", "2020-01-01"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(oz_op::Error::Unhandled(_))),
        "{err:?}"
    );
    let fault = sandbox_fault(&err);
    assert!(
        fault
            .message
            .contains("obdobiDo 2020-01-01 je před obdobiOd 2020-12-31"),
        "{}",
        fault.message
    );

    let err = client
        .oznameni_puvodni_zzpb2b(&oznameni_input("111", "1991-12-31", "2020-01-01"))
        .await
        .unwrap_err();
    assert_before_1992(sandbox_fault(&err), "obdobiOd");
}

// ---------------------------------------------------------------------------------------------
// 7. ValidaceCislaPojistenceSEB2B

fn validace_input(
    number: &str,
    prijmeni: &str,
    jmeno: &str,
    narozeni: Option<&str>,
) -> vc::ValidaceCislaPojistenceSEB2BPozadavek {
    let mut input = vc::ValidaceCislaPojistenceSEB2BPozadavek::new(
        cislo(number),
        vc::Prijmeni::new(prijmeni).unwrap(),
        vc::Jmeno::new(jmeno).unwrap(),
    );
    input.datum_narozeni = narozeni.map(|d| parse_date("datumNarozeni", d).unwrap());
    input
}

async fn validace(
    client: &Client,
    number: &str,
    prijmeni: &str,
    jmeno: &str,
    narozeni: Option<&str>,
) -> vc::ValidaceCislaPojistenceSEB2BOdpoved {
    let r = client
        .validace_cisla_pojistence_seb2b(&validace_input(number, prijmeni, jmeno, narozeni))
        .await
        .unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    r.output
}

#[tokio::test]
async fn validace_cisla_match_and_case_insensitive_match() {
    let (_sandbox, client) = started();
    for (prijmeni, jmeno, narozeni) in [
        ("Novák", "Jan", None),
        ("Novák", "Jan", Some("1980-01-01")),
        ("NOVÁK", "jan", None),
        ("  novák ", " JAN", Some("1980-01-01")),
    ] {
        let o = validace(&client, "8001010006", prijmeni, jmeno, narozeni).await;
        assert_eq!(
            o.stav_vyrizeni_pozadavku.as_deref(),
            Some("0"),
            "{prijmeni}"
        );
        assert_eq!(
            o.vysledek_validace,
            Some(vc::VysledekValidace::Shoda),
            "{prijmeni} {jmeno}"
        );
        assert_eq!(o.priznak_cisla_pojistence.as_deref(), Some("A"));
    }
    let marie = validace(
        &client,
        "755215/0012",
        "dvořáková",
        "MARIE",
        Some("1975-02-15"),
    )
    .await;
    assert_eq!(marie.vysledek_validace, Some(vc::VysledekValidace::Shoda));
    assert_eq!(marie.priznak_cisla_pojistence.as_deref(), Some("A"));
}

#[tokio::test]
async fn validace_cisla_mismatch_and_unknown() {
    let (_sandbox, client) = started();
    for (prijmeni, jmeno, narozeni) in [
        ("Nováková", "Jan", None),
        ("Novák", "Jana", None),
        // Without the diacritics it is another name.
        ("Novak", "Jan", None),
        ("Novák", "Jan", Some("1980-01-02")),
        // Another person's data.
        ("Procházka", "Karel", Some("1991-06-15")),
    ] {
        let o = validace(&client, "8001010006", prijmeni, jmeno, narozeni).await;
        assert_eq!(
            o.stav_vyrizeni_pozadavku.as_deref(),
            Some("0"),
            "{prijmeni}"
        );
        assert_eq!(
            o.vysledek_validace,
            Some(vc::VysledekValidace::Neshoda),
            "{prijmeni} {jmeno} {narozeni:?}"
        );
        assert_eq!(o.priznak_cisla_pojistence, None);
    }
    // 7001010050 is insured (211) but not in the executors' register; 8001010017 is unknown.
    for number in ["7001010050", "8001010017"] {
        let o = validace(&client, number, "Novák", "Jan", None).await;
        assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("1"), "{number}");
        assert_eq!(o.vysledek_validace, Some(vc::VysledekValidace::Nenalezen));
        assert_eq!(o.priznak_cisla_pojistence, None);
    }
}

/// A SOAP client of the sandbox for one service path, to send what the typed API refuses.
fn raw_client(sandbox: &Sandbox, path: &str) -> SoapClient {
    let identity = sandbox
        .issue_client_cert("raw")
        .unwrap()
        .identity()
        .unwrap();
    let http = HttpClient::builder()
        .identity(identity)
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    SoapClient::new(
        http,
        sdk_runtime::soap::endpoint_url(&sandbox.base_url(), path).unwrap(),
    )
}

#[tokio::test]
async fn validace_cisla_fault_for_a_request_the_schema_refuses() {
    // No field of this service is a date the sandbox's 1992 rule applies to (a birth date before
    // 1992 is ordinary), and the typed client validates what it sends: the fault comes from a
    // request without `jmeno`, sent at the SOAP level.
    let sandbox = Sandbox::start().unwrap();
    let soap = raw_client(&sandbox, sdk_vzp::validace_cisla_se::Client::ENDPOINT_PATH);
    let name = vc_op::SPEC.input;
    let envelope = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Body><v:{local} xmlns:v="{ns}"><v:cisloPojistence>8001010006</v:cisloPojistence><v:prijmeni>Novák</v:prijmeni></v:{local}></soap:Body></soap:Envelope>"#,
        local = name.local,
        ns = name.ns,
    );
    let err = soap
        .send::<vc_op::Output, vc_op::Error>(&vc_op::SPEC, envelope.into_bytes())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(vc_op::Error::Unhandled(_))),
        "{err:?}"
    );
    let fault = sandbox_fault(&err);
    assert!(
        fault.message.starts_with("invalid request") && fault.message.contains("jmeno"),
        "{}",
        fault.message
    );
}

// ---------------------------------------------------------------------------------------------
// 8. NastaveniB2BUctu2

/// The start of the day after `day`, UTC: when the sandbox says a setting takes effect.
fn next_midnight(day: time::Date) -> time::OffsetDateTime {
    day.next_day().unwrap().midnight().assume_utc()
}

#[tokio::test]
async fn nastaveni_komunikace_soap_and_as2() {
    let (_sandbox, client) = started();
    let today = time::OffsetDateTime::now_utc().date();
    let soap = client
        .nastaveni_komunikace(&nu::NastaveniKomunikacePozadavek::new(
            nu::TypKomunikace::Soap,
        ))
        .await
        .unwrap();
    let after = time::OffsetDateTime::now_utc().date();
    assert!(soap.diagnostics.is_empty(), "{:?}", soap.diagnostics);
    assert_eq!(soap.output.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(soap.output.typ_komunikace, Some(nu::TypKomunikace::Soap));
    let from = soap
        .output
        .platnost_od
        .as_ref()
        .and_then(DateTime::instant)
        .expect("platnostOd with a time zone");
    assert!(
        from == next_midnight(today) || from == next_midnight(after),
        "{from}"
    );
    assert_eq!(from.offset(), time::UtcOffset::UTC);

    let mut as2 = nu::NastaveniKomunikacePozadavek::new(nu::TypKomunikace::As2);
    as2.as2url = Some("https://as2.ordinace.example/as2".to_owned());
    as2.as2id = Some(nu::As2Id::new("ORDINACE-SANDBOX").unwrap());
    let r = client.nastaveni_komunikace(&as2).await.unwrap();
    assert_eq!(r.output.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    assert_eq!(r.output.typ_komunikace, Some(nu::TypKomunikace::As2));
    assert!(r.output.platnost_od.is_some());
    let raw = std::str::from_utf8(&r.raw).unwrap();
    assert!(raw.contains(">AS2</ns0:typKomunikace>"), "{raw}");
}

#[tokio::test]
async fn nastaveni_komunikace_as2_without_url_or_id_is_a_fault() {
    let (_sandbox, client) = started();
    let mut no_url = nu::NastaveniKomunikacePozadavek::new(nu::TypKomunikace::As2);
    no_url.as2id = Some(nu::As2Id::new("ORDINACE-SANDBOX").unwrap());
    let err = client.nastaveni_komunikace(&no_url).await.unwrap_err();
    assert!(
        matches!(err, SdkError::Service(nk_op::Error::Unhandled(_))),
        "{err:?}"
    );
    let fault = sandbox_fault(&err);
    assert!(
        fault.message.contains("AS2 needs as2Url"),
        "{}",
        fault.message
    );

    // An address that is not https:// is no AS2 endpoint either.
    let mut plain_http = no_url.clone();
    plain_http.as2url = Some("http://as2.ordinace.example/as2".to_owned());
    let err = client.nastaveni_komunikace(&plain_http).await.unwrap_err();
    assert!(
        sandbox_fault(&err).message.contains("AS2 needs as2Url"),
        "{err}"
    );

    let mut no_id = nu::NastaveniKomunikacePozadavek::new(nu::TypKomunikace::As2);
    no_id.as2url = Some("https://as2.ordinace.example/as2".to_owned());
    let err = client.nastaveni_komunikace(&no_id).await.unwrap_err();
    assert!(
        sandbox_fault(&err).message.contains("AS2 needs as2Id"),
        "{err}"
    );

    // SOAP needs neither.
    let soap = client
        .nastaveni_komunikace(&nu::NastaveniKomunikacePozadavek::new(
            nu::TypKomunikace::Soap,
        ))
        .await
        .unwrap();
    assert_eq!(soap.output.typ_komunikace, Some(nu::TypKomunikace::Soap));
}

fn lowercase_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn obnova(
    client: &Client,
    certifikat: String,
) -> Result<sdk_runtime::soap::Response<oc_op::Output>, SdkError<oc_op::Error>> {
    client
        .obnova_certifikatu(&nu::ObnovaCertifikatuPozadavek::new(certifikat))
        .await
}

#[tokio::test]
async fn obnova_certifikatu_with_a_certificate_of_the_sandbox_ca() {
    let (sandbox, client) = started();
    let renewed = sandbox.issue_client_cert("renewed").unwrap();
    let der = renewed.cert_der();
    let info = sdk_runtime::wssec::CertificateInfo::from_der(der.as_ref()).unwrap();
    let r = obnova(&client, sdk_runtime::xml::base64_to_text(der.as_ref()))
        .await
        .unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let o = &r.output;
    assert_eq!(o.stav_vyrizeni_pozadavku.as_deref(), Some("0"));
    // The uid is the sandbox's: `SBX-` and the serial number in hex.
    let uid = o.uid.as_deref().unwrap();
    assert_eq!(uid, format!("SBX-{}", lowercase_hex(info.serial_bytes())));
    assert!(uid.len() > "SBX-".len());
    // platnostDo is the certificate's notAfter (about two years from now).
    let until = o
        .platnost_do
        .as_ref()
        .and_then(DateTime::instant)
        .expect("platnostDo with a time zone");
    assert!(
        (until - info.not_after()).abs() <= time::Duration::seconds(1),
        "{until} vs {}",
        info.not_after()
    );
    let from_now = until - time::OffsetDateTime::now_utc();
    assert!(
        from_now > time::Duration::days(729)
            && from_now <= time::Duration::days(730) + time::Duration::seconds(1),
        "{from_now}"
    );

    // The base64 wrapped in lines of 64 characters (as in a PEM file) is the same certificate.
    let wrapped: Vec<String> = sdk_runtime::xml::base64_to_text(der.as_ref())
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let again = obnova(&client, wrapped.join("\r\n")).await.unwrap();
    assert_eq!(again.output.uid.as_deref(), Some(uid));
    assert_eq!(again.output.platnost_do, o.platnost_do);

    // Another certificate of the same CA gets its own uid.
    let other = sandbox.issue_client_cert("renewed 2").unwrap();
    let other = obnova(
        &client,
        sdk_runtime::xml::base64_to_text(other.cert_der().as_ref()),
    )
    .await
    .unwrap();
    assert_ne!(other.output.uid.as_deref(), Some(uid));
}

#[tokio::test]
async fn obnova_certifikatu_refuses_foreign_and_garbage() {
    let (_sandbox, client) = started();
    // A certificate of another sandbox's CA: not an accepted authority. Both CAs have the same
    // subject, so it is the signature check that refuses it, not the issuer's name.
    let elsewhere = Sandbox::start().unwrap();
    let foreign = elsewhere.issue_client_cert("renewed").unwrap();
    let err = obnova(
        &client,
        sdk_runtime::xml::base64_to_text(foreign.cert_der().as_ref()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(oc_op::Error::Unhandled(_))),
        "{err:?}"
    );
    let fault = sandbox_fault(&err);
    assert!(
        fault
            .message
            .contains("not issued by an accepted authority"),
        "{}",
        fault.message
    );

    // Not base64.
    let err = obnova(&client, "this is not base64!".to_owned())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::Service(oc_op::Error::Unhandled(_))),
        "{err:?}"
    );
    assert!(
        sandbox_fault(&err).message.contains("is not base64"),
        "{err}"
    );

    // A PEM file (with its BEGIN/END lines) is not the base64 of a DER certificate either.
    let err = obnova(&client, foreign.cert_pem().to_owned())
        .await
        .unwrap_err();
    assert!(
        sandbox_fault(&err).message.contains("is not base64"),
        "{err}"
    );

    // base64, but not of a certificate.
    let err = obnova(
        &client,
        sdk_runtime::xml::base64_to_text(b"certainly not a certificate"),
    )
    .await
    .unwrap_err();
    assert!(
        sandbox_fault(&err)
            .message
            .contains("is not a DER certificate"),
        "{err}"
    );
}

/// Sandbox bug (see the report): the sandbox CA's own certificate (a CA certificate, without
/// the client-authentication usage the description requires) is paired with the account.
#[tokio::test]
async fn obnova_certifikatu_refuses_the_ca_certificate() {
    let (sandbox, client) = started();
    let base64: String = sandbox
        .ca_cert_pem()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let err = obnova(&client, base64)
        .await
        .expect_err("a CA certificate is no client certificate");
    assert!(
        matches!(err, SdkError::Service(oc_op::Error::Unhandled(_))),
        "{err:?}"
    );
    sandbox_fault(&err);
}

// ---------------------------------------------------------------------------------------------
// Input refused before sending; a client without identity.

/// A value that entered through lenient reading, as if copied from a received message.
fn lenient<T: XmlText>(text: &str) -> T {
    let mut cx = ReadContext::new();
    let value = T::from_xml_text_lenient(text, &mut cx).unwrap();
    assert_eq!(cx.diagnostics().len(), 1, "{text}: {:?}", cx.diagnostics());
    value
}

#[track_caller]
fn assert_refused<E: Debug + std::fmt::Display>(
    err: &SdkError<E>,
    field: &str,
    kind: ViolationKind,
) {
    let SdkError::InvalidInput(v) = err else {
        panic!("expected InvalidInput, got {err:?}")
    };
    assert_eq!(v.field(), field, "{v}");
    assert_eq!(v.violations[0].kind, kind, "{v}");
    assert!(err.to_string().contains("nothing was sent"), "{err}");
}

#[tokio::test]
async fn facet_violations_are_refused_before_sending() {
    let (sandbox, client) = started();

    // A 19-digit EHIC card number.
    let input = op::OvereniPlatnostiPrukazuB2BPozadavek::new(
        lenient("8020300001000000000"),
        date("2026-11-23"),
    );
    let err = client
        .overeni_platnosti_prukazu_b2b(&input)
        .await
        .unwrap_err();
    assert_refused(&err, "cisloPrukazu", ViolationKind::Format);

    // A 2-character search string, maxPocet 501 and 0.
    let input = vs::VyhledaniSZZB2BPozadavek::new(lenient("ab"));
    let err = client.vyhledani_szzb2b(&input).await.unwrap_err();
    assert_refused(&err, "retezec", ViolationKind::Length);
    for max in ["501", "0"] {
        let mut input = hledani("Sandbox");
        input.max_pocet = Some(lenient(max));
        let err = client.vyhledani_szzb2b(&input).await.unwrap_err();
        assert_refused(&err, "maxPocet", ViolationKind::Range);
    }

    // An 8-digit insured-person number, in every service that takes one.
    let short: CisloPojistence = lenient("80010100");
    let day = date("2026-11-23");
    #[allow(deprecated)]
    let err = client
        .stav_pojisteni_b2b(&sp::StavPojisteniB2BPozadavek::new(short.clone(), day))
        .await
        .unwrap_err();
    assert_refused(&err, "cisloPojistence", ViolationKind::Length);
    let err = client
        .registrace_pojistence_kapitace_b2b(&rk::RegistracePojistenceKapitaceB2BPozadavek::new(
            short.clone(),
            day,
        ))
        .await
        .unwrap_err();
    assert_refused(&err, "cisloPojistence", ViolationKind::Length);
    let err = client
        .registrujici_pzsb2b(&rp::RegistrujiciPZSB2BPozadavek::new(short.clone(), day))
        .await
        .unwrap_err();
    assert_refused(&err, "cisloPojistence", ViolationKind::Length);
    let err = client
        .validace_cisla_pojistence_seb2b(&vc::ValidaceCislaPojistenceSEB2BPozadavek::new(
            short,
            vc::Prijmeni::new("Novák").unwrap(),
            vc::Jmeno::new("Jan").unwrap(),
        ))
        .await
        .unwrap_err();
    assert_refused(&err, "cisloPojistence", ViolationKind::Length);
    // A check digit that does not add up.
    let err = client
        .registrujici_pzsb2b(&rp::RegistrujiciPZSB2BPozadavek::new(
            lenient("8001010007"),
            day,
        ))
        .await
        .unwrap_err();
    assert_refused(&err, "cisloPojistence", ViolationKind::CheckDigit);

    // A 7-digit IČZ.
    let mut input = rk::RegistracePojistenceKapitaceB2BPozadavek::new(cislo("8001010006"), day);
    input.icz = Some(lenient("1234500"));
    let err = client
        .registrace_pojistence_kapitace_b2b(&input)
        .await
        .unwrap_err();
    assert_refused(&err, "icz", ViolationKind::Format);

    // A 2-digit insurer code.
    let input = oz::OznameniPuvodniZZPB2BPozadavek::new(lenient("11"), day, day);
    let err = client.oznameni_puvodni_zzpb2b(&input).await.unwrap_err();
    assert_refused(&err, "kodPojistovny", ViolationKind::Format);

    // A first name of 25 characters (at most 24) and an empty surname.
    let input = vc::ValidaceCislaPojistenceSEB2BPozadavek::new(
        cislo("8001010006"),
        vc::Prijmeni::new("Novák").unwrap(),
        lenient("Jaroslavajaroslavajaroslav"),
    );
    let err = client
        .validace_cisla_pojistence_seb2b(&input)
        .await
        .unwrap_err();
    assert_refused(&err, "jmeno", ViolationKind::Length);
    let input = vc::ValidaceCislaPojistenceSEB2BPozadavek::new(
        cislo("8001010006"),
        lenient(""),
        vc::Jmeno::new("Jan").unwrap(),
    );
    let err = client
        .validace_cisla_pojistence_seb2b(&input)
        .await
        .unwrap_err();
    assert_refused(&err, "prijmeni", ViolationKind::Length);

    // An AS2 identifier of 129 characters.
    let mut input = nu::NastaveniKomunikacePozadavek::new(nu::TypKomunikace::As2);
    input.as2url = Some("https://as2.ordinace.example/as2".to_owned());
    input.as2id = Some(lenient(&"A".repeat(129)));
    let err = client.nastaveni_komunikace(&input).await.unwrap_err();
    assert_refused(&err, "as2Id", ViolationKind::Length);

    assert_eq!(
        sandbox.requests_received(),
        0,
        "nothing may reach the sandbox"
    );
    // The counter does count: one valid call reaches it.
    let ok = client.vyhledani_szzb2b(&hledani("Sandbox")).await.unwrap();
    assert_eq!(ok.output.pocet_nalezenych, Some(3));
    assert_eq!(sandbox.requests_received(), 1);
}

#[tokio::test]
async fn a_client_without_identity_is_not_built() {
    let err = Client::builder().build().unwrap_err();
    assert!(
        matches!(
            err,
            ClientBuildError::MissingIdentity {
                authority: "VZP B2B"
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("mutual TLS"), "{err}");

    // Pointed at the sandbox and trusting it, still no client without a certificate.
    let sandbox = Sandbox::start().unwrap();
    let err = Client::builder()
        .base_url(sandbox.base_url().to_string())
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ClientBuildError::MissingIdentity { .. }),
        "{err:?}"
    );
    assert_eq!(sandbox.requests_received(), 0);
}
