//! `b2b p1 odczyt-recepty` and `b2b sandbox p1` as users run them: the embedded sandbox, the
//! standalone sandbox as its own process called with the certificate files it writes, WS-Security
//! signing and verification with those files, the stored prescription signed XAdES-BES by the
//! sandbox's prescriber (verified with `b2b wssec verify --document --require-xades` and
//! `prescriber-ca.pem`), and P1's fault codes for refused calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Output;

use support::{StandaloneSandbox, assert_exit, run, stderr, stdout};

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

/// `b2b sandbox p1` as its own process, with the key of the prescription it stored.
struct P1Sandbox {
    process: StandaloneSandbox,
    url: String,
    dir: std::path::PathBuf,
    klucz: String,
}

impl P1Sandbox {
    fn start(name: &str) -> Self {
        let process = StandaloneSandbox::start(
            "p1",
            name,
            &["kluczRecepty "],
            &[
                "ca.pem",
                "client.pem",
                "wss.pem",
                "wss-ca.pem",
                "prescriber.pem",
                "prescriber-ca.pem",
            ],
        );
        let klucz = process.after("kluczRecepty ").unwrap_or_default();
        assert!(!klucz.is_empty(), "no key in {:?}", process.lines);
        P1Sandbox {
            url: process.url.clone(),
            dir: process.dir.clone(),
            process,
            klucz,
        }
    }

    fn path(&self, file: &str) -> String {
        self.process.path(file)
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

#[test]
fn a_standalone_sandbox_is_called_with_the_files_it_writes() {
    let sandbox = P1Sandbox::start("call");
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
    // The prescription as stored: signed XAdES-BES by the prescriber of prescriber.pem, which
    // prescriber-ca.pem (not the WSS CA) verifies.
    let tresc = doc["response"]["receptaIWynikWeryfikacji"]["recepta"]["tresc"]
        .as_str()
        .unwrap();
    let recepta = sdk_p1::TrescDokumentu::from_base64(tresc).unwrap();
    let file = sandbox.dir.join("recepta.xml");
    std::fs::write(&file, recepta.as_bytes()).unwrap();
    let verify = |trust: &str| {
        run(&[
            "wssec",
            "verify",
            file.to_str().unwrap(),
            "--document",
            "--require-xades",
            "--trust",
            &sandbox.path(trust),
        ])
    };
    let out = verify("prescriber-ca.pem");
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("signature: valid") && text.contains("lek. Jan Fikcyjny"),
        "{text}"
    );
    assert!(text.contains("xades:"), "{text}");
    let out = verify("wss-ca.pem");
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("not trusted"), "{}", stderr(&out));

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
    let sandbox = P1Sandbox::start("wssec");
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
    let sandbox = P1Sandbox::start("foreign");
    let other = P1Sandbox::start("foreign-other");
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
