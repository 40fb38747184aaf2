//! `b2b sukl erecept ...` as a user runs them: the walk through a prescription's life on the
//! embedded sandbox, pings (signed and not), usage errors before anything is sent, and a
//! standalone sandbox reached with certificate files and the user's password.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{assert_exit, b2b, run, stderr, stdout};

#[test]
fn a_prescription_is_written_found_reserved_dispensed_and_read_back() {
    let out = run(&["sukl", "erecept", "ukazka"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let steps: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(steps.len(), 5, "{text}");
    assert!(
        steps[0].starts_with("1. prescriber wrote prescription SBX"),
        "{text}"
    );
    assert!(steps[1].contains(": PREDEPSANY ("), "{text}");
    assert!(steps[2].contains("reserved it (PRIPRAVOVANY)"), "{text}");
    assert!(
        steps[3].starts_with("4. pharmacist dispensed it: dispensing VYD"),
        "{text}"
    );
    assert!(
        steps[4].contains(": PLNE_VYDANY (") && steps[4].contains("1 dispensing(s)"),
        "{text}"
    );
}

#[test]
fn pings_signed_and_unsigned_reach_the_sandbox() {
    for args in [
        &["sukl", "erecept", "ping"][..],
        &["sukl", "erecept", "ping", "--zep"],
        &["sukl", "erecept", "ping", "--role", "lekar", "--zep"],
    ] {
        let out = run(args);
        assert_exit(&out, 0);
        assert!(
            stdout(&out).contains("answered (sandbox): ID_Podani "),
            "{args:?}"
        );
    }
}

#[test]
fn usage_errors_are_refused_before_anything_is_sent() {
    // The sandbox holds nothing to read.
    let out = run(&["sukl", "erecept", "predpis", "SBX000000001"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("ukazka"), "{}", stderr(&out));
    // A real endpoint needs the user and its password.
    let out = run(&[
        "sukl",
        "erecept",
        "predpis",
        "SBX000000001",
        "--endpoint",
        "https://127.0.0.1:9",
    ]);
    assert_exit(&out, 2);
    let mut cmd = b2b();
    cmd.env_remove("B2B_SUKL_HESLO").args([
        "sukl",
        "erecept",
        "ping",
        "--endpoint",
        "https://127.0.0.1:9",
        "--identity",
        "/nonexistent.pfx",
        "--uzivatel",
        "u",
        "--pracoviste",
        "00000910487",
        "--sw-klienta",
        "ABCDEFGHIJKL",
    ]);
    let out = cmd.output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("B2B_SUKL_HESLO"), "{}", stderr(&out));
}

#[test]
fn a_standalone_sandbox_answers_with_certificate_files_and_the_users_password() {
    let sandbox = support::StandaloneSandbox::start(
        "sukl",
        "erecept",
        &["Press Ctrl-C"],
        &["ca.pem", "client.pem"],
    );
    let endpoint = sandbox.url.replace("/lek13", "");
    let ping = |password: &str| {
        let mut cmd = b2b();
        cmd.env("B2B_SUKL_HESLO", password).args([
            "sukl",
            "erecept",
            "ping",
            "--endpoint",
            &endpoint,
            "--identity",
            &sandbox.path("client.pem"),
            "--ca",
            &sandbox.path("ca.pem"),
            "--uzivatel",
            sdk_sukl::sandbox::erecept::SANDBOX_LEKARNIK,
            "--pracoviste",
            "12345678901",
            "--sw-klienta",
            sdk_sukl::sandbox::erecept::SANDBOX_SW,
        ]);
        cmd.output().unwrap()
    };
    let out = ping(sdk_sukl::sandbox::erecept::SANDBOX_HESLO);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).starts_with("AppPing answered: ID_Podani "),
        "{}",
        stdout(&out)
    );
    // A wrong password: the server's 401.
    let out = ping("spatne");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
}
