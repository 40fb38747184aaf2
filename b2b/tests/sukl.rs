//! `b2b sukl ...` and `b2b sandbox sukl` as a user runs them: the embedded sandbox by default,
//! a standalone sandbox process with certificate files, the outbox's views, and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{StandaloneSandbox, assert_exit, run, stderr, stdout, temp_dir};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn at(hours_ago: i64) -> String {
    (OffsetDateTime::now_utc() - time::Duration::hours(hours_ago))
        .format(&Rfc3339)
        .unwrap()
}

fn reports(hours_ago: i64) -> String {
    format!(
        r#"[{{"druh":"recept","klic":"vydej-{h}-1","icp":"87654321","rokNarozeni":1958,"pohlavi":"Z",
             "polozky":[{{"druh":"registrovany","vydano":"{v}","mnozstvi":1,"kodSUKL":"0012345",
             "nazev":"PARALEN 500MG TBL NOB 24","sarze":"A12B","hradiPacient":false,"uhradaZP":25.5}}]}},
           {{"druh":"zadanka","klic":"vydej-{h}-2","icp":"11223344",
             "polozky":[{{"druh":"iplp","vydano":"{v}","mnozstvi":0.5,"nazev":"Sol. Jarisch","formaIPLP":"roztoky"}}]}},
           {{"druh":"volny","klic":"vydej-{h}-3",
             "polozky":[{{"druh":"registrovany","vydano":"{v}","mnozstvi":1,"kodSUKL":"0055555",
             "nazev":"NUROFEN","sarze":"E3","rokNarozeni":1990,"pohlavi":"M"}}]}}]"#,
        h = hours_ago,
        v = at(hours_ago)
    )
}

#[test]
fn send_reports_to_the_embedded_sandbox() {
    let dir = temp_dir("sukl-embedded");
    let file = dir.join("vydeje.json");
    std::fs::write(&file, reports(1)).unwrap();
    let out = run(&["sukl", "lek13", "send", file.to_str().unwrap()]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("3 report(s): 3 acknowledged by SÚKL (sandbox), 0 failed, 0 waiting"),
        "{text}"
    );
    assert!(
        text.contains("vydej-1-1") && text.contains("potvrzeno"),
        "{text}"
    );

    let out = run(&["sukl", "lek13", "send", file.to_str().unwrap(), "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = doc.as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        assert_eq!(item["stav"], "potvrzeno");
        assert_eq!(item["nahlaseno"], true);
        assert_eq!(item["podaniID"].as_str().unwrap().len(), 36);
    }
    assert_eq!(items[1]["druh"], "zadanka");
}

#[test]
fn invalid_reports_are_refused_with_every_problem_and_nothing_stored() {
    let dir = temp_dir("sukl-invalid");
    let file = dir.join("vydeje.json");
    let bad = reports(1)
        .replace("\"0012345\"", "\"123456\"")
        .replace("\"rokNarozeni\":1958", "\"rokNarozeni\":1850");
    std::fs::write(&file, bad).unwrap();
    let out = run(&[
        "sukl",
        "lek13",
        "send",
        file.to_str().unwrap(),
        "--progress",
    ]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("nothing was stored"), "{err}");
    assert!(err.contains("vydeje.json[0]: reglp/[0]/kodSUKL"), "{err}");
    assert!(err.contains("vydeje.json[0]: rokNarozeni"), "{err}");
    assert!(!err.contains("enqueued"), "{err}");

    // A misspelt field is named, not ignored.
    std::fs::write(&file, reports(1).replace("kodSUKL", "kodSukl")).unwrap();
    let out = run(&["sukl", "lek13", "send", file.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("kodSukl"), "{}", stderr(&out));

    // Past the 168 hours: refused unless on purpose.
    std::fs::write(&file, reports(170)).unwrap();
    let out = run(&["sukl", "lek13", "send", file.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("168 hours"), "{}", stderr(&out));
    let out = run(&[
        "sukl",
        "lek13",
        "send",
        file.to_str().unwrap(),
        "--allow-late",
    ]);
    assert_exit(&out, 0);

    // A real endpoint needs the outbox, the workplace and the certificate.
    let out = run(&[
        "sukl",
        "lek13",
        "send",
        file.to_str().unwrap(),
        "--endpoint",
        "https://testapi.sukl.cz/lek13",
    ]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("--kod-pracoviste"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_standalone_sandbox_the_outbox_views_and_a_refusal() {
    let sandbox = StandaloneSandbox::start(
        "sukl",
        "views",
        &["Press Ctrl-C"],
        &["ca.pem", "client.pem"],
    );
    assert!(sandbox.url.ends_with("/lek13"), "{}", sandbox.url);
    let dir = temp_dir("sukl-outbox-views");
    let store = format!("sqlite:{}", dir.join("outbox.sqlite").display());
    let file = dir.join("vydeje.json");
    std::fs::write(&file, reports(1)).unwrap();
    let target = |kod: &str| {
        vec![
            "--store".to_owned(),
            store.clone(),
            "--endpoint".to_owned(),
            sandbox.url.clone(),
            "--identity".to_owned(),
            sandbox.path("client.pem"),
            "--ca".to_owned(),
            sandbox.path("ca.pem"),
            "--kod-pracoviste".to_owned(),
            kod.to_owned(),
            "--icz".to_owned(),
            "12345000".to_owned(),
        ]
    };
    let send = |file: &std::path::Path, kod: &str, extra: &[&str]| {
        let mut args = vec!["sukl", "lek13", "send", file.to_str().unwrap()];
        let t = target(kod);
        args.extend(t.iter().map(String::as_str));
        args.extend(extra);
        run(&args)
    };
    let out = send(&file, "12345678901", &[]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("3 acknowledged by SÚKL,"),
        "{}",
        stdout(&out)
    );

    let out = run(&["sukl", "outbox", "list", "--store", &store]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("3 report(s)"), "{}", stdout(&out));
    let out = run(&[
        "sukl", "outbox", "due", "--store", &store, "--hours", "400", "--json",
    ]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).trim(), "[]");

    // Committed but not sent: due, with its deadline.
    let late = dir.join("late.json");
    std::fs::write(&late, reports(160)).unwrap();
    let out = send(&late, "12345678901", &["--no-send"]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("not acknowledged yet"),
        "{}",
        stderr(&out)
    );
    let out = run(&["sukl", "outbox", "due", "--store", &store, "--hours", "24"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("3 report(s) SÚKL does not have yet due within 24 h, 0 overdue"),
        "{text}"
    );
    assert!(text.contains("due in 7h"), "{text}");

    // Another workplace's outbox may not be used with this one's store.
    let out = send(&late, "10987654321", &[]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("belongs to kod_pracoviste"),
        "{}",
        stderr(&out)
    );

    // A worker sends what is waiting.
    let mut args = vec!["sukl", "outbox", "run", "--until-idle", "--store", &store];
    let (url, id, ca) = (
        sandbox.url.clone(),
        sandbox.path("client.pem"),
        sandbox.path("ca.pem"),
    );
    args.extend(["--endpoint", &url, "--identity", &id, "--ca", &ca]);
    let out = run(&args);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("acknowledged 3"), "{}", stdout(&out));
    let out = run(&["sukl", "outbox", "retry", "--store", &store]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).starts_with("0 failed message(s)"),
        "{}",
        stdout(&out)
    );

    // SÚKL's refusal: a report of a workplace the certificate is not for (403), in its own
    // outbox; it fails for good, says so, and waits for `retry`.
    let other_store = format!("sqlite:{}", dir.join("other.sqlite").display());
    let mut args = vec![
        "sukl",
        "lek13",
        "send",
        file.to_str().unwrap(),
        "--store",
        &other_store,
    ];
    args.extend(["--endpoint", &url, "--identity", &id, "--ca", &ca]);
    args.extend(["--kod-pracoviste", "10987654321", "--icz", "12345000"]);
    let out = run(&args);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("3 report(s) refused by SÚKL"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("HTTP 403"), "{}", stdout(&out));
    let out = run(&["sukl", "outbox", "retry", "--store", &other_store]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).starts_with("3 failed message(s)"),
        "{}",
        stdout(&out)
    );
}
