//! `b2b p1 odczyt-recepty` and `b2b sandbox p1` as users run them: the embedded sandbox, the
//! standalone sandbox as its own process called with the certificate files it writes, WS-Security
//! signing and verification with those files, and P1's fault codes for refused calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const ENVELOPE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><k:kontekstWywolania xmlns:k="http://csioz.gov.pl/p1/kontekst/mt/v20170510"><k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idPodmiotuOidRoot"><k:wartosc>2.16.840.1.113883.3.4424.2.3.1</k:wartosc></k:atrybut></k:kontekstWywolania></soapenv:Header><soapenv:Body><ns3:odczytReceptyRequest xmlns:ns3="http://csioz.gov.pl/p1/erecepta/ws/v20170510"><ns3:kluczRecepty>1</ns3:kluczRecepty></ns3:odczytReceptyRequest></soapenv:Body></soapenv:Envelope>
"#;

/// The fictitious context the standalone sandbox stores its prescription with.
const CONTEXT: [&str; 8] = [
    "--id-podmiotu",
    "000000123456",
    "--id-uzytkownika",
    "1234567",
    "--id-miejsca-pracy",
    "01",
    "--rola",
    "LEKARZ_LEK_DENTYSTA_FELCZER",
];

/// The binary with no password inherited from the developer's shell and stdin not a terminal,
/// so nothing ever prompts.
fn b2b() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_b2b"));
    cmd.env_remove("B2B_IDENTITY_PASSWORD")
        .env_remove("B2B_SIGNING_PASSWORD")
        .stdin(Stdio::null());
    cmd
}

fn run(args: &[&str]) -> Output {
    b2b().args(args).output().expect("run b2b")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

#[track_caller]
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("b2b-p1-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_embedded_sandbox_reads_a_fictitious_prescription() {
    let out = run(&["p1", "odczyt-recepty"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for expected in [
        "Odczyt recepty",
        "urn:csioz:p1:kod:major:Sukces",
        "WYSTAWIONA",
        "pozytywny",
        "bytes (HL7 CDA",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    let err = stderr(&out);
    assert!(
        err.contains("embedded P1") && err.contains("fictitious") && err.contains("--endpoint"),
        "{err}"
    );

    let out = run(&["p1", "odczyt-recepty", "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("stdout is JSON");
    assert_eq!(doc["service"], "odczytRecepty");
    assert_eq!(doc["sandbox"], true);
    assert_eq!(
        doc["response"]["wynik"]["major"],
        "urn:csioz:p1:kod:major:Sukces"
    );
    let recepta = &doc["response"]["receptaIWynikWeryfikacji"];
    assert_eq!(recepta["statusRecepty"], "WYSTAWIONA");
    let klucz = doc["request"]["kluczRecepty"]["kluczRecepty"]
        .as_str()
        .unwrap();
    assert_eq!(recepta["weryfikowanyDokument"]["kluczRecepty"], klucz);
    assert!(
        doc["endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/services/ObslugaReceptyWS")
    );
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
}

#[test]
fn an_unknown_key_prints_the_wynik_and_exits_1() {
    let out = run(&["p1", "odczyt-recepty", "123"]);
    assert_exit(&out, 1);
    assert!(stdout(&out).contains("NieZnaleziono"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: P1 did not succeed") && err.contains("NieZnaleziono"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2_before_anything_starts() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[
                "p1",
                "odczyt-recepty",
                "1",
                "--endpoint",
                "https://p1.example",
            ],
            &[
                "--signing-identity",
                "--id-podmiotu",
                "--id-uzytkownika",
                "--rola",
            ],
        ),
        (
            &[
                "p1",
                "odczyt-recepty",
                "--endpoint",
                "https://p1.example",
                "--signing-identity",
                "wss.p12",
                "--id-podmiotu",
                "1",
                "--id-uzytkownika",
                "2",
                "--rola",
                "FARMACEUTA",
            ],
            &["KLUCZ_RECEPTY"],
        ),
        (
            &[
                "p1",
                "odczyt-recepty",
                "--endpoint",
                "http://p1.example",
                "1",
            ],
            &["https://"],
        ),
        (
            &["p1", "odczyt-recepty", "--id-podmiotu", "1.2.3:"],
            &["--id-podmiotu"],
        ),
        (&["p1", "odczyt-recepty", " "], &["KLUCZ_RECEPTY"]),
        // Certificates without an endpoint are a mistake, not ignored.
        (
            &["p1", "odczyt-recepty", "--signing-identity", "wss.p12"],
            &["--endpoint"],
        ),
    ];
    for (args, needles) in cases {
        let out = run(args);
        assert_exit(&out, 2);
        let err = stderr(&out);
        for needle in *needles {
            assert!(err.contains(needle), "{args:?}: {err}");
        }
        assert!(!err.contains("embedded"), "{args:?}: {err}");
    }
}

#[test]
fn help_names_the_options() {
    let out = run(&["p1", "odczyt-recepty", "--help"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for expected in [
        "--signing-identity",
        "B2B_SIGNING_PASSWORD",
        "--id-podmiotu",
        "--rola",
        "Examples:",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    let out = run(&["sandbox", "p1", "--help"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for expected in ["--listen", "wss.pem", "wss-ca.pem"] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
}

/// `b2b sandbox p1` running as its own process; killed (and its folder removed) on drop, so a
/// failing assertion does not leave it behind.
struct StandaloneSandbox {
    child: Child,
    dir: PathBuf,
    url: String,
    klucz: String,
}

impl StandaloneSandbox {
    fn start(name: &str) -> Self {
        let dir = temp_dir(name);
        let mut child = b2b()
            .args(["sandbox", "p1", "--out"])
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start b2b sandbox p1");
        let stdout = child.stdout.take().unwrap();
        // Guard first: from here on the process is killed even if waiting fails.
        let mut sandbox = Self {
            child,
            dir,
            url: String::new(),
            klucz: String::new(),
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        while sandbox.url.is_empty() || sandbox.klucz.is_empty() {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|e| panic!("no URL and key from the sandbox ({e}): {seen:?}"));
            if line.contains("listening on")
                && let Some(url) = line.split_whitespace().find(|w| w.starts_with("https://"))
            {
                sandbox.url = url.to_owned();
            }
            if let Some(rest) = line.split("kluczRecepty ").nth(1) {
                sandbox.klucz = rest.trim().to_owned();
            }
            seen.push(line);
        }
        for file in ["ca.pem", "client.pem", "wss.pem", "wss-ca.pem"] {
            assert!(sandbox.dir.join(file).is_file(), "{file} missing");
        }
        sandbox
    }

    fn path(&self, file: &str) -> String {
        self.dir.join(file).to_str().unwrap().to_owned()
    }

    /// `b2b p1 odczyt-recepty KLUCZ` against this sandbox with its TLS files and the sandbox's
    /// fictitious context; `signing` is the --signing-identity file.
    fn odczyt(&self, klucz: &str, signing: &str, extra: &[&str]) -> Output {
        let (client, ca) = (self.path("client.pem"), self.path("ca.pem"));
        let mut args = vec![
            "p1",
            "odczyt-recepty",
            klucz,
            "--endpoint",
            &self.url,
            "--identity",
            &client,
            "--signing-identity",
            signing,
            "--ca",
            &ca,
        ];
        args.extend(CONTEXT);
        args.extend(extra);
        run(&args)
    }
}

impl Drop for StandaloneSandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_standalone_sandbox_is_called_with_the_files_it_writes() {
    let sandbox = StandaloneSandbox::start("call");
    let wss = sandbox.path("wss.pem");

    let out = sandbox.odczyt(&sandbox.klucz, &wss, &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("WYSTAWIONA"), "{text}");
    assert!(text.contains(&sandbox.klucz), "{text}");
    // Not the embedded sandbox this time.
    assert!(!stderr(&out).contains("embedded"), "{}", stderr(&out));

    let out = sandbox.odczyt(&sandbox.klucz, &wss, &["--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["sandbox"], false);
    assert_eq!(
        doc["endpoint"].as_str().unwrap(),
        format!("{}services/ObslugaReceptyWS", sandbox.url)
    );
    assert_eq!(
        doc["response"]["receptaIWynikWeryfikacji"]["statusRecepty"],
        "WYSTAWIONA"
    );

    // A key the sandbox does not hold: the wynik on stdout, the failure on stderr, exit 1.
    let out = sandbox.odczyt("1", &wss, &[]);
    assert_exit(&out, 1);
    assert!(stdout(&out).contains("NieZnaleziono"), "{}", stdout(&out));
    assert!(stderr(&out).contains("NieZnaleziono"), "{}", stderr(&out));

    // Another entity may not read it: P1's codes for an authorisation fault.
    let (client, ca) = (sandbox.path("client.pem"), sandbox.path("ca.pem"));
    let out = run(&[
        "p1",
        "odczyt-recepty",
        &sandbox.klucz,
        "--endpoint",
        &sandbox.url,
        "--identity",
        &client,
        "--signing-identity",
        &wss,
        "--ca",
        &ca,
        "--id-podmiotu",
        "000000999999",
        "--id-uzytkownika",
        "1234567",
        "--rola",
        "FARMACEUTA",
    ]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("urn:csioz:p1:erecepta:kodBleduMajor:bladAutoryzacji")
            && err.contains("urn:csioz:p1:erecepta:kodBleduMinor:brakUprawnienPodmiotu"),
        "{err}"
    );
}

#[test]
fn wss_pem_signs_what_wss_ca_pem_verifies() {
    let sandbox = StandaloneSandbox::start("wssec");
    let request = sandbox.dir.join("request.xml");
    let signed = sandbox.dir.join("signed.xml");
    std::fs::write(&request, ENVELOPE).unwrap();

    let out = run(&[
        "wssec",
        "sign",
        request.to_str().unwrap(),
        "--identity",
        &sandbox.path("wss.pem"),
        "-o",
        signed.to_str().unwrap(),
    ]);
    assert_exit(&out, 0);

    let out = run(&[
        "wssec",
        "verify",
        signed.to_str().unwrap(),
        "--trust",
        &sandbox.path("wss-ca.pem"),
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("signature: valid"), "{text}");
    assert!(text.contains("P1 sandbox WSS CA"), "{text}");
    assert!(text.contains("kontekstWywolania"), "{text}");

    // The TLS CA did not issue the signing certificate.
    let out = run(&[
        "wssec",
        "verify",
        signed.to_str().unwrap(),
        "--trust",
        &sandbox.path("ca.pem"),
    ]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("not trusted"), "{}", stderr(&out));
}

#[test]
fn a_call_signed_with_a_foreign_certificate_is_refused_with_p1_codes() {
    let sandbox = StandaloneSandbox::start("foreign");
    let other = StandaloneSandbox::start("foreign-other");
    let refused = |signing: &str| {
        let out = sandbox.odczyt(&sandbox.klucz, signing, &[]);
        assert_exit(&out, 1);
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("urn:csioz:p1:erecepta:kodBleduMajor:bladUwierzytelnieniaWSS")
                && err.contains("urn:csioz:p1:erecepta:kodBleduMinor:certyfikatNiewazny"),
            "{err}"
        );
        assert!(err.contains("--signing-identity"), "{err}");
    };
    // Another sandbox's signing certificate: another signing CA.
    refused(&other.path("wss.pem"));
    // The TLS certificate used for signing, the classic mix-up.
    refused(&sandbox.path("client.pem"));
}
