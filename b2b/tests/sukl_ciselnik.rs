//! `b2b sukl ciselnik ...` as a user runs it, against the embedded SÚKL sandbox: a product by
//! kód SÚKL (text and SÚKL's JSON), product pages, pharmacies by status and by workplace code,
//! and the exit codes: 2 for a malformed code (nothing sent), 1 for a code SÚKL does not know.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{assert_exit, run, stderr, stdout};

#[test]
fn a_product_by_kod_sukl() {
    let out = run(&["sukl", "ciselnik", "pripravek", "0034567"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("KOD_SUKL") && lines[0].ends_with("0034567"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("NAZEV") && lines[1].ends_with("AMOXICILIN SANDBOX"),
        "{text}"
    );
    assert!(text.contains("KOD_ATC_SKUPINA"), "{text}");
    assert!(text.contains("J01CA04"), "{text}");

    let out = run(&["sukl", "ciselnik", "pripravek", "0034567", "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["KOD_SUKL"], "0034567");
    assert_eq!(doc["DOPLNEK"], "500MG CPS DUR 21");
    assert_eq!(doc["JE_REGULOVANY"], "A");
}

#[test]
fn a_malformed_code_is_refused_before_sending_and_an_unknown_one_is_not_found() {
    let out = run(&["sukl", "ciselnik", "pripravek", "12345"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("kod_sukl"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");

    let out = run(&["sukl", "ciselnik", "lekarna", "1234"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("kod_pracoviste"), "{}", stderr(&out));

    let out = run(&["sukl", "ciselnik", "pripravek", "9999999"]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("SÚKL has no medicinal product with kód SÚKL 9999999"),
        "{err}"
    );
}

#[test]
fn products_in_pages() {
    let out = run(&[
        "sukl",
        "ciselnik",
        "pripravky",
        "--regulovany",
        "--limit",
        "2",
        "--offset",
        "1",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("0045678  METFORMIN SANDBOX 850MG TBL FLM 60"),
        "{text}"
    );
    assert!(text.contains("0056789  ATORVASTATIN SANDBOX"), "{text}");
    assert!(!text.contains("0034567"), "{text}");
    assert!(
        text.contains("2 product(s) from 2 of 4 (sandbox)"),
        "{text}"
    );

    let out = run(&["sukl", "ciselnik", "pripravky", "--neregulovany", "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let codes: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["KOD_SUKL"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["0012345", "0023456"]);
}

#[test]
fn pharmacies_by_status_and_by_workplace_code() {
    let out = run(&["sukl", "ciselnik", "lekarny", "--status", "zarazeno"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("12345678901  Z  Lékárna U Sandboxu, Vinohradská 1, 120 00 Praha 2"),
        "{text}"
    );
    assert!(!text.contains("Lékárna Pod Lípou"), "{text}");
    assert!(text.contains("3 pharmacies (sandbox)"), "{text}");

    let out = run(&[
        "sukl", "ciselnik", "lekarny", "--status", "vyrazeno", "--json",
    ]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 1);
    assert_eq!(doc[0]["KOD_PRACOVISTE"], "34567890123");
    assert_eq!(doc[0]["STATUS"], "V");

    let out = run(&["sukl", "ciselnik", "lekarny", "--status", "otevreno"]);
    assert_exit(&out, 2);

    let out = run(&["sukl", "ciselnik", "lekarna", "23456789012"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("Lékárna Na Náměstí"), "{text}");
    assert!(text.contains("POHOTOVOST_24H"), "{text}");

    let out = run(&["sukl", "ciselnik", "lekarna", "99999999999"]);
    assert_exit(&out, 1);
}

#[test]
fn the_endpoint_must_be_a_url() {
    let out = run(&[
        "sukl",
        "ciselnik",
        "pripravek",
        "0034567",
        "--endpoint",
        "not a url",
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--endpoint"), "{}", stderr(&out));
}

/// The --endpoint path: a standalone sandbox process, its CA and a client certificate from
/// files, the code lists under its /cissuklapi/v1 over mutual TLS.
#[test]
fn a_real_endpoint_against_a_standalone_sandbox() {
    let sandbox = support::StandaloneSandbox::start(
        "sukl",
        "ciselnik",
        &["Press Ctrl-C"],
        &["ca.pem", "client.pem"],
    );
    let endpoint = sandbox.url.replace("/lek13", "/cissuklapi/v1");
    let target = |args: &[&str]| {
        let mut all: Vec<String> = ["sukl", "ciselnik"]
            .iter()
            .chain(args)
            .map(|s| (*s).to_owned())
            .collect();
        all.extend([
            "--endpoint".to_owned(),
            endpoint.clone(),
            "--identity".to_owned(),
            sandbox.path("client.pem"),
            "--ca".to_owned(),
            sandbox.path("ca.pem"),
        ]);
        all
    };
    let args = target(&["pripravek", "0067890", "--json"]);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["NAZEV"], "SALBUTAMOL SANDBOX");

    let args = target(&["lekarny"]);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.ends_with("4 pharmacies\n"), "{text}");

    // Without the sandbox CA the server's certificate is not trusted.
    let out = run(&[
        "sukl",
        "ciselnik",
        "pripravek",
        "0067890",
        "--endpoint",
        &endpoint,
    ]);
    assert_exit(&out, 1);
}
