//! The `b2b` binary as users run it: exit codes, stdout, stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use support::{
    PASSWORD_ENV, StandaloneSandbox, assert_exit, b2b, require_tool, run, stderr, stdout,
};

#[test]
fn prubeh_pojisteni_in_the_embedded_sandbox_masks_the_number() {
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "8001010006",
        "--k-datu",
        "2026-11-23",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("pojisten"), "{text}");
    assert!(!text.contains("nepojisten"), "{text}");
    assert!(text.contains("111"), "{text}");
    assert!(text.contains("******0006"), "{text}");
    assert!(
        !text.contains("8001010006"),
        "the full number must not be shown: {text}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("sandbox") && err.contains("--endpoint"),
        "{err}"
    );
    assert!(!err.contains("8001010006"), "{err}");
}

#[test]
fn prubeh_pojisteni_json() {
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "8001010006",
        "--k-datu",
        "2026-11-23",
        "--json",
    ]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("stdout is JSON");
    assert_eq!(doc["response"]["stav"], "pojisten");
    assert_eq!(doc["response"]["kodPojistovny"], "111");
    assert_eq!(doc["sandbox"], true);
    assert_eq!(doc["service"], "PrubehPojisteniDruhB2B");
    assert_eq!(doc["request"]["cisloPojistence"], "8001010006");
    assert_eq!(doc["request"]["kDatu"], "2026-11-23");
    assert!(
        doc["endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/B2BProxy/HttpProxy/PrubehPojisteniDruhB2B")
    );
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
}

#[test]
fn prubeh_pojisteni_not_insured() {
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "9106150009",
        "--k-datu",
        "2025-01-01",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("nepojisten"), "{text}");
    assert!(text.contains("******0009"), "{text}");
}

#[test]
fn prubeh_pojisteni_unknown_person_says_nothing_found() {
    // A valid number the sandbox does not know.
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "8501010001",
        "--k-datu",
        "2025-01-01",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("nothing found"), "{text}");
    assert!(text.contains("stav vyřízení:     1"), "{text}");
}

#[test]
fn stav_smlouvy_shows_every_field() {
    let out = run(&["vzp", "stav-smlouvy", "24681357", "--k-datu", "2022-06-01"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for expected in [
        "955",
        "2021-12-01",
        "2022-12-31",
        "Nemocnice Sandbox",
        "Odběrové centrum - COVID19",
        "U testu 2, 60200 Brno",
        "Svoboda Petr",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }

    let out = run(&["vzp", "stav-smlouvy", "12345678", "--k-datu", "2022-06-01"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("001"), "{text}");
    assert!(text.contains("2015-01-01"), "{text}");
    assert!(text.contains("neomezeně"), "no end date expected: {text}");

    let out = run(&[
        "vzp",
        "stav-smlouvy",
        "12345678",
        "--k-datu",
        "2022-06-01",
        "--json",
    ]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["response"]["datumOd"], "2015-01-01");
    assert!(doc["response"].get("datumDo").is_none());
}

#[test]
fn stav_smlouvy_unknown_icp_says_nothing_found() {
    let out = run(&["vzp", "stav-smlouvy", "11111111", "--k-datu", "2022-06-01"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("nothing found"), "{}", stdout(&out));
}

#[test]
fn invalid_input_exits_2_naming_the_field() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["vzp", "prubeh-pojisteni", "8001010007"],
            "cisloPojistence",
        ),
        (&["vzp", "stav-smlouvy", "1234567"], "ICP_ICPP"),
        (
            &[
                "vzp",
                "prubeh-pojisteni",
                "8001010006",
                "--k-datu",
                "2026-02-30",
            ],
            "kDatu",
        ),
        (
            &["vzp", "stav-smlouvy", "12345678", "--k-datu", "23.11.2026"],
            "kDatu",
        ),
    ];
    for (args, field) in cases {
        let out = run(args);
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(err.starts_with("error: invalid input: "), "{args:?}: {err}");
        assert!(err.contains(field), "{args:?}: {err}");
        assert!(stdout(&out).is_empty(), "{args:?}");
        // Checked before the sandbox starts: no sandbox note.
        assert!(!err.contains("sandbox"), "{args:?}: {err}");
    }
    // The number itself never appears in messages.
    assert!(!stderr(&run(&["vzp", "prubeh-pojisteni", "8001010007"])).contains("8001010007"));
}

#[test]
fn endpoint_without_identity_asks_for_a_certificate() {
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "8001010006",
        "--endpoint",
        "https://127.0.0.1:9/",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("certificate") && err.contains("--identity"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    // --identity only makes sense with --endpoint.
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "8001010006",
        "--identity",
        "x.p12",
    ]);
    assert_exit(&out, 2);
    // A full service URL instead of the base URL.
    let out = run(&[
        "vzp",
        "stav-smlouvy",
        "12345678",
        "--endpoint",
        "https://prod.b2b.vzp.cz/B2BProxy/HttpProxy/stavSmlouvyICPICPPB2B",
        "--identity",
        "x.p12",
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("base URL"), "{}", stderr(&out));
    // Plain HTTP.
    let out = run(&[
        "vzp",
        "stav-smlouvy",
        "12345678",
        "--endpoint",
        "http://prod.b2b.vzp.cz",
        "--identity",
        "x.p12",
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("https://"), "{}", stderr(&out));
}

#[test]
fn help_is_useful() {
    let out = run(&["--help"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for expected in ["vzp", "sandbox", "Examples:", "Exit codes"] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    let out = run(&["vzp", "prubeh-pojisteni", "--help"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for expected in [
        "--k-datu",
        "UTC",
        "--endpoint",
        "--identity",
        PASSWORD_ENV,
        "Examples:",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    let out = run(&["sandbox", "vzp", "--help"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("--listen"), "{}", stdout(&out));
}

/// `b2b sandbox vzp` as its own process, with its `ca.pem` and `client.pem`.
fn vzp_sandbox(name: &str) -> StandaloneSandbox {
    StandaloneSandbox::start("vzp", name, &[], &["ca.pem", "client.pem"])
}

#[test]
fn real_endpoint_path_against_a_standalone_sandbox() {
    let sandbox = vzp_sandbox("pem");
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "8001010006",
        "--k-datu",
        "2026-11-23",
        "--endpoint",
        &sandbox.url,
        "--identity",
        &sandbox.path("client.pem"),
        "--ca",
        &sandbox.path("ca.pem"),
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("pojisten") && !text.contains("nepojisten"),
        "{text}"
    );
    assert!(text.contains("******0006"), "{text}");
    // Not the embedded sandbox this time.
    assert!(!stderr(&out).contains("embedded"), "{}", stderr(&out));

    let out = run(&[
        "vzp",
        "stav-smlouvy",
        "24681357",
        "--k-datu",
        "2022-06-01",
        "--endpoint",
        &sandbox.url,
        "--identity",
        &sandbox.path("client.pem"),
        "--ca",
        &sandbox.path("ca.pem"),
        "--json",
    ]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["sandbox"], false);
    assert_eq!(doc["response"]["odbornost"], "955");

    // Without --ca the sandbox's certificate is not trusted: a TLS error, exit 1.
    let out = run(&[
        "vzp",
        "prubeh-pojisteni",
        "8001010006",
        "--endpoint",
        &sandbox.url,
        "--identity",
        &sandbox.path("client.pem"),
    ]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("TLS") && err.contains("--ca"), "{err}");
}

fn export_pkcs12(dir: &Path, password: &str) -> String {
    let pem = dir.join("client.pem");
    let p12 = dir.join("client.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-in"])
        .arg(&pem)
        .arg("-inkey")
        .arg(&pem)
        .arg("-out")
        .arg(&p12)
        .arg("-passout")
        .arg(format!("pass:{password}"))
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl pkcs12 -export failed");
    p12.to_str().unwrap().to_owned()
}

#[test]
fn pkcs12_identity_with_password_from_the_environment() {
    require_tool("openssl");
    let sandbox = vzp_sandbox("p12");
    let p12 = export_pkcs12(&sandbox.dir, "tajne");
    let call = |password: Option<&str>| {
        let mut cmd = b2b();
        cmd.args([
            "vzp",
            "prubeh-pojisteni",
            "8001010006",
            "--k-datu",
            "2026-11-23",
            "--endpoint",
            &sandbox.url,
            "--identity",
            &p12,
            "--ca",
            &sandbox.path("ca.pem"),
        ]);
        if let Some(p) = password {
            cmd.env(PASSWORD_ENV, p);
        }
        cmd.output().unwrap()
    };

    let out = call(Some("tajne"));
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("pojisten"), "{}", stdout(&out));

    let out = call(Some("wrong"));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("password"), "{err}");
    assert!(
        err.contains("client.p12"),
        "the message names the file: {err}"
    );

    // No password and no terminal to ask on: the message names the variable.
    let out = call(None);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains(PASSWORD_ENV), "{err}");
}

/// The reconstructed services: the generic text layout in the schema's order, lists counted,
/// numbers masked; `--json` with the full values.
#[test]
fn reconstructed_services_in_the_embedded_sandbox() {
    let out = run(&[
        "vzp",
        "vyhledani-szz",
        "sandbox",
        "--k-datu",
        "2026-01-01",
        "--max",
        "2",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("pocetNalezenych:   3"), "{text}");
    assert!(text.contains("zarizeni (2):"), "{text}");
    let first = text.find("Zdravotní středisko Sandbox").unwrap();
    let second = text.find("Nemocnice Sandbox").unwrap();
    assert!(first < second, "{text}");
    // The COVID centre's contract ended in 2022: filtered by --k-datu.
    assert!(!text.contains("24681357"), "{text}");
    assert!(!text.contains("Zubní ordinace"), "{text}");

    let out = run(&[
        "vzp",
        "registrujici-pzs",
        "7552150012",
        "--k-datu",
        "2026-01-01",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("******0012"), "{text}");
    assert!(!text.contains("7552150012"), "{text}");
    assert!(
        text.contains("registrovanUZastupovanehoPZS: ne (false)"),
        "{text}"
    );
    assert!(text.contains("registrujiciPracoviste (2):"), "{text}");

    let out = run(&[
        "vzp",
        "overeni-prukazu",
        "80203000010000000002",
        "--k-datu",
        "2026-01-01",
        "--json",
    ]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["service"], "OvereniPlatnostiPrukazuB2B");
    assert_eq!(doc["response"]["platnost"], "neplatny");
    assert_eq!(doc["response"]["platnostDo"], "2024-06-30");
    assert_eq!(doc["response"]["cisloPojistence"], "9106150009");

    let out = run(&[
        "vzp",
        "validace-cisla",
        "8001010006",
        "--prijmeni",
        "NOVÁK",
        "--jmeno",
        "jan",
        "--json",
    ]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["response"]["vysledekValidace"], "shoda");

    let out = run(&[
        "vzp",
        "oznameni-puvodni-zzp",
        "111",
        "--od",
        "2019-01-01",
        "--do",
        "2019-12-31",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("preregistrace (1):"), "{text}");
    assert!(text.contains("******0009"), "{text}");

    // The deprecated service says so on stderr, and still answers.
    let out = run(&[
        "vzp",
        "stav-pojisteni",
        "8001010006",
        "--k-datu",
        "2026-01-01",
    ]);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("deprecated"), "{}", stderr(&out));
    assert!(stdout(&out).contains("pojisten"), "{}", stdout(&out));
}

#[test]
fn reconstructed_services_refuse_bad_input_and_report_faults() {
    // Facets of the generated types, checked before the sandbox starts: exit 2, the option named.
    let cases: &[(&[&str], &str)] = &[
        (&["vzp", "vyhledani-szz", "ab"], "TEXT"),
        (
            &["vzp", "vyhledani-szz", "sandbox", "--max", "501"],
            "--max",
        ),
        (
            &["vzp", "overeni-prukazu", "8020300001000000000"],
            "CISLO_PRUKAZU",
        ),
        (
            &["vzp", "registrace-kapitace", "8001010006", "--icz", "123"],
            "--icz",
        ),
        (
            &[
                "vzp",
                "oznameni-puvodni-zzp",
                "111",
                "--od",
                "2020-01-01",
                "--do",
                "2019-01-01",
            ],
            "--do",
        ),
        (
            &["vzp", "nastaveni-komunikace", "as2", "--as2-id", "X"],
            "--as2-url",
        ),
        (
            &[
                "vzp",
                "nastaveni-komunikace",
                "as2",
                "--as2-url",
                "http://x.cz",
                "--as2-id",
                "X",
            ],
            "https://",
        ),
    ];
    for (args, named) in cases {
        let out = run(args);
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(err.contains(named), "{args:?}: {err}");
        assert!(!err.contains("sandbox"), "{args:?}: {err}");
    }
    // A fault of the service (the sandbox's rule: no dates before 1992): exit 1, its reason.
    let out = run(&[
        "vzp",
        "registrujici-pzs",
        "8001010006",
        "--k-datu",
        "1991-12-31",
    ]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("1992"), "{}", stderr(&out));
}

/// Renewing the account certificate against a standalone sandbox, with a certificate its CA
/// issued; a file with a private key is refused before anything is sent.
#[test]
fn obnova_certifikatu_against_a_standalone_sandbox() {
    let sandbox = vzp_sandbox("renew");
    let bundle = std::fs::read_to_string(sandbox.path("client.pem")).unwrap();
    let begin = bundle.find("-----BEGIN CERTIFICATE-----").unwrap();
    let end = bundle.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----".len();
    let cert = Path::new(&sandbox.path("client.pem")).with_file_name("renewed-cert.pem");
    std::fs::write(&cert, &bundle[begin..end]).unwrap();
    let common = [
        "--endpoint",
        &sandbox.url,
        "--identity",
        &sandbox.path("client.pem"),
        "--ca",
        &sandbox.path("ca.pem"),
    ];
    let mut args = vec![
        "vzp",
        "obnova-certifikatu",
        cert.to_str().unwrap(),
        "--json",
    ];
    args.extend(common);
    let out = run(&args);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        doc["response"]["uid"].as_str().unwrap().starts_with("SBX-"),
        "{doc}"
    );
    assert!(doc["response"]["platnostDo"].is_string(), "{doc}");

    let mut args = vec![
        "vzp",
        "obnova-certifikatu",
        &*sandbox.path("client.pem").leak(),
    ];
    args.extend(common);
    let out = run(&args);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("private key"), "{}", stderr(&out));
}

/// A batch filed over AS2 with the embedded sandbox: receipt checked, protocol printed; a
/// broken line refused in it; an empty file refused before anything is sent.
#[test]
fn davky_send_files_over_as2_and_prints_the_protocol() {
    let dir = std::env::temp_dir().join(format!("b2b-davky-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("KDAVKA.001");
    std::fs::write(
        &file,
        "D 0001 KDAVKA 12345000 2026-11\r\nA 8001010006 09513 1\r\nA 7552150012 09513 2\r\nD 0002\r\nX spatne\r\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = run(&["vzp", "davky", "send", path]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("potvrzeno"), "{text}");
    assert!(text.contains("dávka 0001: přijata, dokladů 2"), "{text}");
    assert!(text.contains("dávka 0002: odmítnuta"), "{text}");
    assert!(text.contains("řádek 5, V01 chyba"), "{text}");
    assert!(stderr(&out).contains("MIC checked"), "{}", stderr(&out));

    let out = run(&["vzp", "davky", "send", path, "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["confirmed"], true);
    assert_eq!(doc["protocol"]["davka"][0]["stav"], "prijata");
    assert_eq!(doc["protocol"]["davka"][1]["chyba"][0]["radek"], 5);
    assert_eq!(doc["protocol"]["idPodani"], doc["message_id"]);

    let empty = dir.join("KDAVKA.002");
    std::fs::write(&empty, "").unwrap();
    let out = run(&["vzp", "davky", "send", empty.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vecozo_cov_and_instroom_in_the_embedded_sandbox() {
    let out = run(&[
        "vecozo",
        "cov",
        "111222333:1980-01-01",
        "999999990:1990-01-01",
        "--peildatum",
        "2024-06-01",
        "--soap12",
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("VerzoekAkkoord"), "{text}");
    assert!(text.contains("******333: VerzekerdeGevonden"), "{text}");
    assert!(text.contains("BSNOnbekend"), "{text}");
    assert!(
        !text.contains("111222333"),
        "the BSN must be masked: {text}"
    );
    // A BSN failing the eleven test: exit 2, nothing sent.
    let out = run(&["vecozo", "cov", "123456789:1980-01-01"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("eleven test"), "{}", stderr(&out));

    let dir = std::env::temp_dir().join(format!("b2b-instroom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("aanvraag.json");
    let request = |instantie: &str| {
        format!(
            r#"{{"instantie": {{"agbCode": "{instantie}"}}, "zorgverlener": {{"agbCode": "01123456"}},
                "verzekerde": {{"bsn": "111222333", "geboortedatum": "1980-01-01"}},
                "verstrekking": {{"code": "GPH-1234"}}}}"#
        )
    };
    std::fs::write(&file, request("01500123")).unwrap();
    let out = run(&["vecozo", "instroom", file.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("https://"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("/machtigingenportaal/aanvraag/"),
        "{}",
        stdout(&out)
    );
    // Another institution than the certificates': refused before sending, exit 2.
    std::fs::write(&file, request("01500999")).unwrap();
    let out = run(&["vecozo", "instroom", file.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("differs from the certificates'"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chongqing_in_process_sandbox_speaks_gbk_text() {
    let out = run(&["chongqing", "ren-yuan", "A1234567"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("姓名: 张三") && text.contains("人员类别: 在职"),
        "{text}"
    );
    let out = run(&["chongqing", "ren-yuan", "C0000000"]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("无此参保人员信息"),
        "{}",
        stderr(&out)
    );
    let out = run(&["chongqing", "raw", "01", "A|B"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("separator"), "{}", stderr(&out));
    let out = run(&["chongqing", "jiaoyi"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 31, "{}", stdout(&out));
}
