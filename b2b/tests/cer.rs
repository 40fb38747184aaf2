//! `b2b p1 cer validate-csv` as users run it: a valid initial-load file passes (exit 0), a file
//! with bad rows lists every problem with CeR's code and exits 1, `--json` gives JSON Lines
//! ending with the report, and a missing file is a usage error. `b2b p1 cer` against the
//! embedded sandbox, and `b2b sandbox cer` as its own process: called with the files and
//! example commands it prints, and delivering the notifications of simulated patients to a
//! vendor's receiver (`Odbiornik`) over mutual TLS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use sdk_p1::cer::notyfikacje::types as n;
use sdk_p1::cer::odbiornik::{
    BladUruchomienia, Notyfikacja, Obsluzone, Odbiornik, PamiecNotyfikacji,
};
use sdk_p1::wssec::{TrustAnchors, VerificationPolicy, Verifier};
use sdk_runtime::sandbox::TestPki;
use sdk_runtime::server::ServerTls;
use sdk_runtime::transport::Identity;
use sdk_runtime::url::Url;
use support::{StandaloneSandbox, assert_exit, run, run_with_stdin, stdout, temp_dir};

const HEADER: &str = "idMus;kodSwiadczenia;idSlotu;dataWizyty;czasTrwaniaMin;rodzajWizyty;pesel;\
                      email;telefon;kluczSkierowania;statusSkierowania;\
                      idWystawcySkierowaniaPapierowego;dataZapisu";

/// A follow-up visit with a phone (valid), and a first visit on a paper referral.
const GOOD: [&str; 2] = [
    "MUS-1;02.1450.102.02;;2026-07-01T09:00;20;KOLEJNA;44051401359;;600700800;;;;2026-06-01T10:15:00",
    "MUS-1;02.1450.102.02;;2026-07-01T09:20;20;PIERWSZORAZOWA;80010112340;a@example.pl;;;;5425740;2026-06-02T08:00:00",
];

fn file(name: &str, rows: &[&str]) -> std::path::PathBuf {
    let path = temp_dir(&format!("cer-csv-{name}")).join(name);
    let mut text = String::from(HEADER);
    for r in rows {
        text.push_str("\r\n");
        text.push_str(r);
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_valid_file_passes() {
    let path = file("good.csv", &GOOD);
    let out = run(&["p1", "cer", "validate-csv", path.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("2 rows, 0 with problems, 0 problems"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_rows_are_listed_with_their_codes_and_the_run_fails() {
    let rows = [
        GOOD[0],
        // No contact.
        "MUS-1;02.1450.102.02;;2026-07-01T10:00;20;KOLEJNA;90123143210;;;;;;2026-06-01T10:15:00",
        // The same visit as row 2.
        GOOD[0],
        // Booked after the visit; a bad NPWZ.
        "MUS-1;02.1450.102.02;;2026-07-02T09:00;20;PIERWSZORAZOWA;02211555555;;600700801;;;1234567;2026-08-01T10:00:00",
    ];
    let path = file("bad.csv", &rows);
    let out = run(&["p1", "cer", "validate-csv", path.to_str().unwrap()]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    for expected in [
        "row 3: REG.WER.8361",
        "row 4: REG.WER.9644",
        "REG.WER.9667",
        "REG.WER.9666",
        "4 rows, 3 with problems",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    // No personal data in the report.
    assert!(!text.contains("90123143210"), "{text}");

    let out = run(&[
        "p1",
        "cer",
        "validate-csv",
        path.to_str().unwrap(),
        "--json",
    ]);
    assert_exit(&out, 1);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["raport"]["wiersze"], 4);
    assert_eq!(last["raport"]["wiersze_z_bledami"], 3);
    let codes: Vec<&str> = lines[..lines.len() - 1]
        .iter()
        .map(|p| p["kod"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"REG.WER.8361") && codes.contains(&"REG.WER.9644"),
        "{codes:?}"
    );
    assert!(lines.iter().any(|p| p["wiersz"] == 3), "{lines:?}");
}

#[test]
fn standard_input_and_a_missing_file() {
    let mut text = String::from(HEADER);
    text.push('\n');
    text.push_str(GOOD[1]);
    let out = run_with_stdin(&["p1", "cer", "validate-csv", "-"], text.as_bytes());
    assert_exit(&out, 0);
    let out = run(&["p1", "cer", "validate-csv", "/nonexistent/wizyty.csv"]);
    assert_exit(&out, 2);
}

#[test]
fn the_embedded_sandbox_lists_books_and_cancels() {
    let out = run(&["p1", "cer", "wizyty"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("W-1") && text.contains("KOLEJNA") && text.contains("UMOWIONA"),
        "{text}"
    );
    assert!(
        !text.contains("44051401359"),
        "no PESEL in the listing: {text}"
    );

    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-2",
        "--pesel",
        "44051401359",
        "--telefon",
        "600100200",
    ]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("Sukces"), "{}", stdout(&out));

    // The seeded visit holds S-1: CeR's rule answers, exit 1.
    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-1",
        "--pesel",
        "44051401359",
        "--email",
        "a@example.pl",
    ]);
    assert_exit(&out, 1);
    assert!(
        support::stderr(&out).contains("REG.WER.9644"),
        "{}",
        support::stderr(&out)
    );

    let out = run(&["p1", "cer", "odwolaj", "W-1", "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["wynik"]["major"], "urn:csioz:p1:kod:major:Sukces");

    let out = run(&["p1", "cer", "aktywuj-mus"]);
    assert_exit(&out, 0);
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    // No contact: REG.WER.8361 locally.
    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-2",
        "--pesel",
        "44051401359",
    ]);
    assert_exit(&out, 2);
    assert!(support::stderr(&out).contains("REG.WER.8361"));
    // Not a PESEL.
    let out = run(&[
        "p1",
        "cer",
        "zapisz",
        "--slot",
        "S-2",
        "--pesel",
        "12345678901",
        "--telefon",
        "600100200",
    ]);
    assert_exit(&out, 2);
    // A real endpoint needs the signing certificate and the entity.
    let out = run(&[
        "p1",
        "cer",
        "wizyty",
        "--endpoint",
        "https://isus.ezdrowie.gov.pl",
    ]);
    assert_exit(&out, 2);
    assert!(
        support::stderr(&out).contains("--signing-identity"),
        "{}",
        support::stderr(&out)
    );
    let out = run(&[
        "p1",
        "cer",
        "wizyty",
        "--od",
        "2026-12-10",
        "--do",
        "2026-12-01",
    ]);
    assert_exit(&out, 2);
}

/// A large file checked with standard error on a terminal (a pseudo-terminal from `script`)
/// shows a progress bar with the bytes read and the time left; redirected, nothing but the report.
#[test]
fn a_progress_bar_is_drawn_on_a_terminal_only() {
    let path = temp_dir("cer-csv-large").join("large.csv");
    let mut text = String::from(HEADER);
    // 200,000 valid follow-up visits at distinct places of service: about 20 MB.
    for i in 0..200_000 {
        text.push_str(&format!(
            "\r\nMUS-{i};02.1450.102.02;;2026-07-01T09:00;20;KOLEJNA;44051401359;;600700800;;;;2026-06-01T10:15:00"
        ));
    }
    std::fs::write(&path, text).unwrap();
    let command = format!(
        "{} p1 cer validate-csv {}",
        env!("CARGO_BIN_EXE_b2b"),
        path.display()
    );
    let tty = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) runs the command on a pseudo-terminal");
    assert_exit(&tty, 0);
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(screen.contains("200000 rows, 0 with problems"), "{screen}");
    assert!(screen.contains("MiB"), "no bar: {screen}");
    assert!(screen.contains("ETA"), "no bar: {screen}");
    assert!(
        screen.contains("=>") || screen.contains("=="),
        "no bar: {screen}"
    );

    let redirected = run(&["p1", "cer", "validate-csv", path.to_str().unwrap()]);
    assert_exit(&redirected, 0);
    assert_eq!(support::stderr(&redirected), "");
    assert!(!stdout(&redirected).contains("ETA"));
}

const CER_FILES: [&str; 5] = [
    "ca.pem",
    "client.pem",
    "wss.pem",
    "wss-ca.pem",
    "notyfikacje-ca.pem",
];

/// The example command of `sandbox`'s text starting with `prefix` (`b2b p1 cer wizyty`), its
/// continuation lines joined, as arguments of b2b, verbatim (the test's paths need no quoting).
fn example(sandbox: &StandaloneSandbox, prefix: &str) -> Vec<String> {
    let start = sandbox
        .lines
        .iter()
        .position(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` example in {:?}", sandbox.lines));
    let mut words = Vec::new();
    for line in &sandbox.lines[start..] {
        let (text, more) = match line.trim_end().strip_suffix('\\') {
            Some(text) => (text, true),
            None => (line.as_str(), false),
        };
        words.extend(text.split_whitespace().map(str::to_owned));
        if !more {
            break;
        }
    }
    assert_eq!(words[0], "b2b", "{words:?}");
    words.remove(0);
    assert!(
        !words.iter().any(|w| w.starts_with('\'')),
        "quoted words: {words:?}"
    );
    words
}

fn run_words(words: &[String]) -> std::process::Output {
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    run(&args)
}

#[test]
fn a_standalone_sandbox_is_called_with_the_printed_examples() {
    let mut sandbox =
        StandaloneSandbox::start_with("cer", "call", &[], &["Press Ctrl-C"], &CER_FILES);
    let text = sandbox.lines.join("\n");
    for expected in [
        "CeR sandbox (fictitious data) listening on https://127.0.0.1:",
        "services/ObslugaCeRWS",
        "000000123456-01-001",
        "reconstructed",
        "ikp-zapis",
        "ponow ID",
        "No receiver",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    #[cfg(unix)]
    for (file, mode) in [
        ("ca.pem", 0o644),
        ("client.pem", 0o600),
        ("wss.pem", 0o600),
        ("wss-ca.pem", 0o644),
        ("notyfikacje-ca.pem", 0o644),
    ] {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(sandbox.dir.join(file)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{file}");
    }
    // The end of its standard input stops the commands, not the server.
    sandbox.close_stdin();

    let wizyty = example(&sandbox, "b2b p1 cer wizyty");
    for option in [
        "--endpoint",
        "--identity",
        "--signing-identity",
        "--ca",
        "--id-podmiotu",
        "--mus",
    ] {
        assert!(wizyty.iter().any(|w| w == option), "{option}: {wizyty:?}");
    }
    let out = run_words(&wizyty);
    assert_exit(&out, 0);
    let listing = stdout(&out);
    assert!(
        listing.contains("W-1") && listing.contains("KOLEJNA") && listing.contains("UMOWIONA"),
        "{listing}"
    );
    assert!(!listing.contains("44051401359"), "no PESEL: {listing}");
    assert!(
        !support::stderr(&out).contains("embedded"),
        "{}",
        support::stderr(&out)
    );

    // The printed booking of a free slot.
    let zapisz = example(&sandbox, "b2b p1 cer zapisz");
    let out = run_words(&zapisz);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("Sukces") && stdout(&out).contains("idWizyty W-2"),
        "{}",
        stdout(&out)
    );
    let out = run_words(&wizyty);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("W-2"), "{}", stdout(&out));
    // The same slot again: CeR's rule.
    let out = run_words(&zapisz);
    assert_exit(&out, 1);
    assert!(
        support::stderr(&out).contains("REG.WER.9644"),
        "{}",
        support::stderr(&out)
    );

    // A CA that did not issue the server's certificate (the signing CA): the TLS handshake fails.
    let ca = sandbox.path("ca.pem");
    let wrong: Vec<String> = wizyty
        .iter()
        .map(|w| {
            if *w == ca {
                sandbox.path("wss-ca.pem")
            } else {
                w.clone()
            }
        })
        .collect();
    assert_ne!(wrong, wizyty);
    let out = run_words(&wrong);
    assert_exit(&out, 1);
    let why = support::stderr(&out);
    assert!(
        why.contains("TLS handshake") && why.contains("not trusted"),
        "{why}"
    );
}

/// Remembers handled notifications like `PamiecNotyfikacji` and counts the redeliveries it
/// recognised.
struct CountingMemory {
    inner: PamiecNotyfikacji,
    repeats: AtomicUsize,
}

impl Obsluzone for CountingMemory {
    fn czy_obsluzona(&self, id: &str) -> bool {
        let handled = self.inner.czy_obsluzona(id);
        if handled {
            self.repeats.fetch_add(1, Ordering::SeqCst);
        }
        handled
    }

    fn oznacz(&self, id: &str) {
        self.inner.oznacz(id);
    }
}

/// The vendor's receiver for a sandbox that already runs: its server certificate from
/// `receiver_pki` (whose CA the sandbox got as --odbiornik-ca), the sandbox's ca.pem as the
/// client CA (CeR's connections), the sandbox's notyfikacje-ca.pem as the signature trust.
fn receiver(
    sandbox: &StandaloneSandbox,
    receiver_pki: &TestPki,
    url: &Url,
    handled: Arc<Mutex<Vec<Notyfikacja>>>,
    memory: Arc<CountingMemory>,
) -> Result<sdk_runtime::server::MtlsServer, BladUruchomienia> {
    let client_ca = std::fs::read(sandbox.dir.join("ca.pem")).unwrap();
    let wss_ca = std::fs::read(sandbox.dir.join("notyfikacje-ca.pem")).unwrap();
    let cert = receiver_pki
        .issue_server_cert(&["127.0.0.1", "localhost"])
        .unwrap();
    let identity = Identity::from_pem(cert.pem_bundle().as_bytes()).unwrap();
    let tls = ServerTls::with_client_ca_pem(&identity, &client_ca).unwrap();
    let verifier = Verifier::new(VerificationPolicy::new(
        TrustAnchors::from_pem(&wss_ca).unwrap(),
    ));
    let odbiornik = Odbiornik::new(
        verifier,
        Arc::new(move |n: Notyfikacja| {
            let handled = handled.clone();
            Box::pin(async move {
                handled.lock().unwrap().push(n);
                Ok(())
            })
        }),
    )
    .z_pamiecia(memory);
    let addr = format!("127.0.0.1:{}", url.port().unwrap())
        .parse()
        .unwrap();
    // A loopback URL: only as a sandbox (`true`).
    odbiornik.uruchom(url, true, addr, tls)
}

#[test]
fn notifications_of_simulated_patients_reach_the_vendors_receiver() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let receiver_pki = TestPki::new("Vendor's notification receiver (test)").unwrap();
    let receiver_dir = temp_dir("cer-receiver");
    let receiver_ca = receiver_dir.join("receiver-ca.pem");
    std::fs::write(&receiver_ca, receiver_pki.ca_cert_pem()).unwrap();
    let handled: Arc<Mutex<Vec<Notyfikacja>>> = Arc::default();
    let memory = Arc::new(CountingMemory {
        inner: PamiecNotyfikacji::new(1000),
        repeats: AtomicUsize::new(0),
    });

    // The receiver must trust ca.pem and notyfikacje-ca.pem, which exist once the sandbox runs, and
    // the sandbox must be given the receiver's URL when it starts: reserve a port, start the
    // sandbox with it, then the receiver on it. Another process may take the port meanwhile:
    // then once more with another.
    let mut started = None;
    for attempt in 0..2 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = Url::parse(&format!("https://127.0.0.1:{port}/cer/notyfikacje")).unwrap();
        let sandbox = StandaloneSandbox::start_with(
            "cer",
            &format!("notify-{attempt}"),
            &[
                "--odbiornik",
                url.as_str(),
                "--odbiornik-ca",
                receiver_ca.to_str().unwrap(),
            ],
            &["Press Ctrl-C"],
            &CER_FILES,
        );
        let _runtime = rt.enter();
        match receiver(
            &sandbox,
            &receiver_pki,
            &url,
            handled.clone(),
            memory.clone(),
        ) {
            Ok(server) => {
                started = Some((sandbox, server, url));
                break;
            }
            Err(BladUruchomienia::Serwer(e)) if attempt == 0 => {
                eprintln!("the reserved port was taken ({e}); once more");
            }
            Err(e) => panic!("the receiver did not start: {e}"),
        }
    }
    let (mut sandbox, _server, url) = started.unwrap();
    let text = sandbox.lines.join("\n");
    assert!(
        text.contains(&format!("Notifications go to your receiver {url}")),
        "{text}"
    );
    assert!(text.contains("trust ca.pem as your client CA"), "{text}");

    // A patient books in IKP: ZAPIS_IKP, delivered over mutual TLS, signature verified.
    sandbox.send("ikp-zapis");
    let booked = sandbox.wait_for("ikp-zapis:");
    assert!(
        booked.contains("visit W-2 booked by a patient in IKP"),
        "{booked}"
    );
    assert!(booked.contains("PIERWSZORAZOWA"), "{booked}");
    let made = sandbox.wait_for("notification N-");
    assert!(
        made.contains("ZAPIS_IKP") && made.contains("(visit W-2)") && made.ends_with(": delivered"),
        "{made}"
    );
    let id = made.split_whitespace().nth(1).unwrap().to_owned();
    {
        let handled = handled.lock().unwrap();
        assert_eq!(handled.len(), 1, "{handled:?}");
        assert_eq!(handled[0].id, id);
        assert_eq!(handled[0].rodzaj, n::RodzajNotyfikacjiMT::ZapisIkp);
        assert_eq!(handled[0].wizyta.id_wizyty.get(), "W-2");
        assert_eq!(handled[0].wizyta.kanal, n::KanalMT::Ikp);
        assert_eq!(
            handled[0].wizyta.dane.rodzaj_wizyty,
            n::RodzajWizytyMT::Pierwszorazowa
        );
    }

    // Redelivered: acknowledged by the receiver's memory, handled once.
    sandbox.send(&format!("ponow {id}"));
    let again = sandbox.wait_for("ponow:");
    assert!(
        again.contains(&format!("notification {id} delivered again")),
        "{again}"
    );
    assert_eq!(handled.lock().unwrap().len(), 1);
    assert_eq!(memory.repeats.load(Ordering::SeqCst), 1);

    // An unknown command does not stop it; the patient cancels: ANULACJA_IKP.
    sandbox.send("no-such-command");
    sandbox.send("ikp-odwolanie W-2");
    let cancelled = sandbox.wait_for("ikp-odwolanie:");
    assert!(cancelled.contains("visit W-2 cancelled"), "{cancelled}");
    let made = sandbox.wait_for("notification N-");
    assert!(
        made.contains("ANULACJA_IKP") && made.ends_with(": delivered"),
        "{made}"
    );
    sandbox.send("notyfikacje");
    let summary = sandbox.wait_for("notyfikacje:");
    assert!(summary.contains("2 made, 0 failed deliveries"), "{summary}");
    let handled = handled.lock().unwrap();
    assert_eq!(handled.len(), 2);
    assert_eq!(handled[1].rodzaj, n::RodzajNotyfikacjiMT::AnulacjaIkp);
    drop(handled);
    let _ = std::fs::remove_dir_all(&receiver_dir);
}

#[test]
fn the_receiver_needs_its_ca_and_the_help_shows_examples() {
    let out = run(&[
        "sandbox",
        "cer",
        "--odbiornik",
        "https://127.0.0.1:9443/cer/notyfikacje",
    ]);
    assert_exit(&out, 2);
    assert!(
        support::stderr(&out).contains("--odbiornik needs --odbiornik-ca"),
        "{}",
        support::stderr(&out)
    );
    let out = run(&["sandbox", "cer", "--odbiornik-ca", "receiver-ca.pem"]);
    assert_exit(&out, 2);
    let ca = temp_dir("cer-odbiornik-ca").join("receiver-ca.pem");
    std::fs::write(&ca, "not a certificate").unwrap();
    let out = run(&[
        "sandbox",
        "cer",
        "--odbiornik",
        "http://127.0.0.1:9443/cer",
        "--odbiornik-ca",
        ca.to_str().unwrap(),
    ]);
    assert_exit(&out, 2);
    assert!(
        support::stderr(&out).contains("https"),
        "{}",
        support::stderr(&out)
    );

    // Not a CA certificate.
    let out = run(&[
        "sandbox",
        "cer",
        "--odbiornik",
        "https://127.0.0.1:9443/cer",
        "--odbiornik-ca",
        ca.to_str().unwrap(),
    ]);
    assert_exit(&out, 2);
    assert!(
        support::stderr(&out).contains("--odbiornik-ca"),
        "{}",
        support::stderr(&out)
    );

    let out = run(&["sandbox", "cer", "--help"]);
    assert_exit(&out, 0);
    let _ = std::fs::remove_dir_all(ca.parent().unwrap());
    let text = stdout(&out);
    for expected in [
        "--listen",
        "--odbiornik",
        "--odbiornik-ca",
        "wss-ca.pem",
        "notyfikacje-ca.pem",
        "ikp-zapis",
        "ikp-odwolanie ID",
        "inny-podmiot",
        "poczekalnia",
        "ponow ID",
        "reconstructed",
        "Examples:",
        "b2b sandbox cer --out ./cer-sandbox --odbiornik",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
}
