//! WS-Security interop and speed against xmlsec1, in one run:
//!
//! ```text
//! cargo bench -p sdk-runtime --features sandbox --bench wssec
//! ```
//!
//! 1. **Interop matrix**: for every token reference style (BinarySecurityToken, Subject Key
//!    Identifier, X509IssuerSerial) × key (RSA-2048, ECDSA P-256) × SOAP 1.1/1.2, and for the
//!    P1 prescription as an enveloped document: we sign → `xmlsec1 --verify`; xmlsec1 signs a
//!    template → our verifier; we sign → we verify. Each "OK" also means a copy with one byte
//!    changed in the signed content was rejected by the same verifier.
//! 2. **Timing**: medians of our in-process sign and verify per envelope (P1 profile,
//!    BinarySecurityToken), and xmlsec1's, for a small and a large (base64 CDA) e-Recepta
//!    envelope, RSA and ECDSA. xmlsec1 takes many files per invocation, so its figures are given
//!    both raw (one invocation for one file: process start-up, key loading and the work) and
//!    amortized per envelope ((t(N files) − t(1 file)) / (N − 1): the marginal cost of one more
//!    envelope in a running process). Ratios are ours / xmlsec1.
//!
//! Keys and certificates are made with the `openssl` CLI; xmlsec1 and openssl are installed by
//! `scripts/install-test-tools.sh`. Nothing here asserts a time: it prints.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/wssec_pki.rs"]
mod wssec_pki;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sdk_runtime::wssec::{
    Document, ExcC14n, SignedPart, SigningProfile, TokenReference, TrustAnchors,
    VerificationPolicy, Verifier, VerifyError, WsSecuritySigner, sign_enveloped_document,
};
use time::OffsetDateTime;
use wssec_pki::{
    Credential, KONTEKST, KeyKind, P1_KONTEKST_ATTRIBUTES, P1_SMALL_BODY, SOAP11, SOAP12, Template,
    Token, WSU, document_template, envelope_id_attrs, openssl_ca, openssl_leaf, output_text,
    p1_envelope, recepta, recepta_unsigned, run, work_dir, xmlsec_sign, xmlsec_sign_command,
    xmlsec_verify_command, zapis_pakietu_recept_body,
};

/// In-process iterations per measurement (after `WARMUP`).
const ITERATIONS: usize = 200;
const WARMUP: usize = 20;
/// Files per xmlsec1 invocation for the amortized figure, and invocations per median.
const XMLSEC_FILES: usize = 100;
const XMLSEC_RUNS: usize = 7;

const STYLES: [TokenReference; 3] = [
    TokenReference::BinarySecurityToken,
    TokenReference::SubjectKeyIdentifier,
    TokenReference::IssuerSerial,
];

struct Setup {
    dir: PathBuf,
    rsa: Credential,
    ec: Credential,
    rsa_ca_path: PathBuf,
    ec_ca_path: PathBuf,
    trust: TrustAnchors,
}

fn main() {
    let started = Instant::now();
    let dir = work_dir("wssec_bench", "run");
    let rsa_ca = openssl_ca(
        &dir,
        "rsa-ca",
        KeyKind::Rsa2048,
        "/C=PL/O=Bench Centrum/CN=Bench WSS RSA CA",
    );
    let rsa = openssl_leaf(
        &dir,
        "rsa",
        KeyKind::Rsa2048,
        "/C=PL/O=Przychodnia/CN=Jan Kowalski",
        30,
        None,
        &rsa_ca,
    );
    let ec_ca = openssl_ca(
        &dir,
        "ec-ca",
        KeyKind::EcP256,
        "/C=PL/O=Bench Centrum/CN=Bench WSS EC CA",
    );
    let ec = openssl_leaf(
        &dir,
        "ec",
        KeyKind::EcP256,
        "/C=PL/O=Szpital/CN=Anna Nowak",
        30,
        None,
        &ec_ca,
    );
    let mut trust = rsa_ca.trust_anchors();
    trust.add_pem(ec_ca.cert_pem.as_bytes()).unwrap();
    let setup = Setup {
        dir,
        rsa,
        ec,
        rsa_ca_path: rsa_ca.cert_path,
        ec_ca_path: ec_ca.cert_path,
        trust,
    };

    let cda = recepta();
    let large_body = zapis_pakietu_recept_body(cda.as_bytes());
    let small = p1_envelope(SOAP11, P1_SMALL_BODY);
    let large = p1_envelope(SOAP11, &large_body);

    println!("# WS-Security: sdk_runtime::wssec vs xmlsec1\n");
    print_environment();
    println!(
        "Envelopes (unsigned): small = P1 `odczytRecepty` with `kontekstWywolania`, {} bytes; \
         large = P1 `zapisPakietuRecept`-like body carrying the published sample `recepta.xml` \
         ({} bytes) in base64, {} bytes. Enveloped document: `recepta.xml` without its own \
         signature, {} bytes.\n",
        small.len(),
        cda.len(),
        large.len(),
        recepta_unsigned().len()
    );

    let failures = interop_matrix(&setup, &large_body);
    // `cargo bench` passes `--bench`; under `cargo test --benches` (a debug build) only the
    // interop matrix runs.
    if !std::env::args().any(|a| a == "--bench") {
        println!("Not run by `cargo bench`: timing skipped.");
        std::process::exit(i32::from(failures > 0));
    }
    timing(
        &setup,
        &[
            ("small", &small, P1_SMALL_BODY),
            ("large", &large, &large_body),
        ],
    );
    println!(
        "\nTotal bench time: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if failures > 0 {
        std::process::exit(1);
    }
}

fn print_environment() {
    let version = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|e| format!("unavailable: {e}"))
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "Environment: {}; {}; CPU {cpu}, {cores} cores available (shared machine: other jobs may run at the same time).\n",
        version("xmlsec1", "--version"),
        version("openssl", "version"),
    );
}

// ---------------------------------------------------------------------------------------------
// Interop

fn token_of(style: TokenReference) -> Token {
    match style {
        TokenReference::BinarySecurityToken => Token::Bst,
        TokenReference::SubjectKeyIdentifier => Token::Ski,
        _ => Token::IssuerSerial,
    }
}

fn style_name(style: TokenReference) -> &'static str {
    match style {
        TokenReference::BinarySecurityToken => "BST",
        TokenReference::SubjectKeyIdentifier => "SKI",
        _ => "IssuerSerial",
    }
}

fn alg_name(c: &Credential) -> &'static str {
    match c.sig_alg {
        wssec_pki::RSA_SHA256 => "RSA-2048",
        _ => "ECDSA P-256",
    }
}

fn verifier(setup: &Setup) -> Verifier {
    Verifier::new(
        VerificationPolicy::p1(setup.trust.clone())
            .known_certificates([setup.rsa.cert.clone(), setup.ec.cert.clone()]),
    )
}

/// The text with the first occurrence of `from` replaced (which must occur).
fn tamper(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(xml).unwrap();
    assert!(text.contains(from), "nothing to tamper with: {from}");
    text.replacen(from, to, 1).into_bytes()
}

/// One line of an error message, for a table cell.
fn cell(reason: &str) -> String {
    let lines: Vec<&str> = reason
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let picked = lines
        .iter()
        .find(|l| l.contains("error=") || l.starts_with("Error") || l.contains("FAIL"))
        .or(lines.first())
        .copied()
        .unwrap_or("(no output)");
    picked.replace('|', "\\|")
}

/// `xmlsec1 --verify` of `xml` with `extra` key arguments: Ok, or the reason.
fn xmlsec_verdict(
    dir: &Path,
    name: &str,
    xml: &[u8],
    key_args: &[&std::ffi::OsStr],
    id_attrs: &[String],
) -> Result<(), String> {
    let file = dir.join(name);
    std::fs::write(&file, xml).unwrap();
    let mut cmd = Command::new("xmlsec1");
    cmd.arg("--verify")
        .args(key_args)
        .args(["--enabled-reference-uris", "empty,same-doc"]);
    for a in id_attrs {
        cmd.arg("--id-attr:Id").arg(a);
    }
    cmd.arg(&file);
    let out = run(&mut cmd);
    let text = output_text(&out);
    if out.status.success() && text.contains("OK") {
        Ok(())
    } else {
        Err(cell(&text))
    }
}

/// Accepted, and a tampered copy refused.
fn both(accepted: Result<(), String>, tampered_refused: Result<(), String>) -> String {
    match (accepted, tampered_refused) {
        (Ok(()), Ok(())) => "OK".into(),
        (Err(e), _) => format!("FAILED: {e}"),
        (Ok(()), Err(e)) => format!("FAILED: tampered copy accepted: {e}"),
    }
}

fn check_envelope_report(
    verifier: &Verifier,
    xml: &[u8],
    signer: &Credential,
    style: TokenReference,
) -> Result<(), String> {
    let report = verifier.verify_envelope(xml).map_err(|e| e.to_string())?;
    if report.signer() != Some(&signer.cert) {
        return Err("report names another signer".into());
    }
    if report.token_reference() != Some(style) {
        return Err(format!(
            "token reference reported as {:?}",
            report.token_reference()
        ));
    }
    for part in [
        SignedPart::Body,
        SignedPart::Timestamp,
        SignedPart::header(KONTEKST, "kontekstWywolania"),
    ] {
        if !report.is_signed(&part) {
            return Err(format!("{part} not reported as signed"));
        }
    }
    Ok(())
}

fn our_rejection(result: Result<impl Sized, VerifyError>) -> Result<(), String> {
    match result {
        Err(VerifyError::DigestMismatch { .. }) => Ok(()),
        Err(other) => Err(format!("rejected, but not as a digest mismatch: {other}")),
        Ok(_) => Err("accepted".into()),
    }
}

fn xmlsec_rejection(result: Result<(), String>) -> Result<(), String> {
    match result {
        Ok(()) => Err("xmlsec1 accepted it".into()),
        Err(_) => Ok(()),
    }
}

/// Prints the matrix; the number of failed cases.
fn interop_matrix(setup: &Setup, large_body: &str) -> usize {
    println!("## Interop matrix\n");
    println!(
        "Envelopes: the large P1 envelope, P1 profile (Body, `kontekstWywolania`, Timestamp), \
         SHA-256, exclusive C14N. `ours → xmlsec1`: xmlsec1 verifies with the key from \
         `--pubkey-cert-pem` (it does not resolve WS-Security token references). `xmlsec1 → ours`: \
         xmlsec1 signs a template whose `wsse:SecurityTokenReference` is filled in; we verify \
         under `VerificationPolicy::p1` (chain to the test CAs; SKI and IssuerSerial resolved \
         from known certificates) and check the reported signer, token reference and parts. \
         Documents: the certificate is inline (`ds:X509Certificate`); xmlsec1 verifies it \
         against the CA (`--trusted-pem`). OK = accepted, and a copy with one byte changed in \
         the signed content refused (by us: as a digest mismatch).\n"
    );
    println!("| profile | algorithm | direction | result |");
    println!("|---|---|---|---|");
    let verifier = verifier(setup);
    let dir = &setup.dir;
    let mut failures = 0;
    let mut row = |profile: &str, alg: &str, direction: &str, result: String| {
        if result != "OK" {
            failures += 1;
        }
        println!("| {profile} | {alg} | {direction} | {result} |");
    };
    let body_tamper = ("<ns3:kodPakietu>1234<", "<ns3:kodPakietu>1235<");
    for (soap_ns, soap) in [(SOAP11, "SOAP 1.1"), (SOAP12, "SOAP 1.2")] {
        let envelope = p1_envelope(soap_ns, large_body);
        let id_attrs = envelope_id_attrs(soap_ns);
        for style in STYLES {
            for signer in [&setup.rsa, &setup.ec] {
                let profile = format!("P1 {} ({soap})", style_name(style));
                let alg = alg_name(signer);
                let stem = format!(
                    "{}-{}-{}",
                    if soap_ns == SOAP11 { "s11" } else { "s12" },
                    style_name(style),
                    if signer.sig_alg == wssec_pki::RSA_SHA256 {
                        "rsa"
                    } else {
                        "ec"
                    }
                );
                let cert_args = [
                    std::ffi::OsStr::new("--pubkey-cert-pem"),
                    signer.cert_path.as_os_str(),
                ];

                // ours → xmlsec1
                let ws = WsSecuritySigner::new(
                    signer.identity.clone(),
                    SigningProfile::p1().token_reference(style),
                );
                let ours = ws.sign_envelope(envelope.as_bytes());
                let result = match &ours {
                    Ok(signed) => both(
                        xmlsec_verdict(
                            dir,
                            &format!("ours-{stem}.xml"),
                            signed,
                            &cert_args,
                            &id_attrs,
                        ),
                        xmlsec_rejection(xmlsec_verdict(
                            dir,
                            &format!("ours-{stem}-tampered.xml"),
                            &tamper(signed, body_tamper.0, body_tamper.1),
                            &cert_args,
                            &id_attrs,
                        )),
                    ),
                    Err(e) => format!("FAILED: signing: {e}"),
                };
                row(&profile, alg, "ours → xmlsec1", result);

                // xmlsec1 → ours
                let mut template = Template::new(signer, token_of(style));
                template.soap_ns = soap_ns;
                template.kontekst = P1_KONTEKST_ATTRIBUTES.to_owned();
                template.body = large_body.to_owned();
                let result = match template.sign(dir, &format!("{stem}.xml")) {
                    Ok(signed) => both(
                        check_envelope_report(&verifier, &signed, signer, style),
                        our_rejection(verifier.verify_envelope(&tamper(
                            &signed,
                            body_tamper.0,
                            body_tamper.1,
                        ))),
                    ),
                    Err(e) => format!("FAILED: xmlsec1 --sign: {}", cell(&e)),
                };
                row(&profile, alg, "xmlsec1 → ours", result);

                // ours → ours
                let result = match &ours {
                    Ok(signed) => both(
                        check_envelope_report(&verifier, signed, signer, style),
                        our_rejection(verifier.verify_envelope(&tamper(
                            signed,
                            body_tamper.0,
                            body_tamper.1,
                        ))),
                    ),
                    Err(e) => format!("FAILED: signing: {e}"),
                };
                row(&profile, alg, "ours → ours", result);
            }
        }
    }

    // Enveloped documents.
    let unsigned = recepta_unsigned();
    let doc_tamper = ("<title>", "<title>X");
    for (signer, ca) in [
        (&setup.rsa, &setup.rsa_ca_path),
        (&setup.ec, &setup.ec_ca_path),
    ] {
        let profile = "enveloped document (recepta.xml)";
        let alg = alg_name(signer);
        let stem = if signer.sig_alg == wssec_pki::RSA_SHA256 {
            "doc-rsa"
        } else {
            "doc-ec"
        };
        let ca_args = [std::ffi::OsStr::new("--trusted-pem"), ca.as_os_str()];
        let check_doc = |xml: &[u8]| -> Result<(), String> {
            let report = verifier
                .verify_enveloped_document(xml)
                .map_err(|e| e.to_string())?;
            if report.signer() != Some(&signer.cert) {
                return Err("report names another signer".into());
            }
            Ok(())
        };
        let ours = sign_enveloped_document(&signer.identity, unsigned.as_bytes());
        let result = match &ours {
            Ok(signed) => both(
                xmlsec_verdict(dir, &format!("ours-{stem}.xml"), signed, &ca_args, &[]),
                xmlsec_rejection(xmlsec_verdict(
                    dir,
                    &format!("ours-{stem}-tampered.xml"),
                    &tamper(signed, doc_tamper.0, doc_tamper.1),
                    &ca_args,
                    &[],
                )),
            ),
            Err(e) => format!("FAILED: signing: {e}"),
        };
        row(profile, alg, "ours → xmlsec1", result);
        let template = document_template(&unsigned, signer.sig_alg);
        let no_ids: [&str; 0] = [];
        let result = match xmlsec_sign(dir, &format!("{stem}.xml"), &template, signer, &no_ids) {
            Ok(signed) => both(
                check_doc(&signed),
                our_rejection(verifier.verify_enveloped_document(&tamper(
                    &signed,
                    doc_tamper.0,
                    doc_tamper.1,
                ))),
            ),
            Err(e) => format!("FAILED: xmlsec1 --sign: {}", cell(&e)),
        };
        row(profile, alg, "xmlsec1 → ours", result);
        let result = match &ours {
            Ok(signed) => both(
                check_doc(signed),
                our_rejection(verifier.verify_enveloped_document(&tamper(
                    signed,
                    doc_tamper.0,
                    doc_tamper.1,
                ))),
            ),
            Err(e) => format!("FAILED: signing: {e}"),
        };
        row(profile, alg, "ours → ours", result);
    }
    println!(
        "\n{}\n",
        if failures == 0 {
            "All interop cases OK.".to_owned()
        } else {
            format!("{failures} interop case(s) FAILED.")
        }
    );
    failures
}

// ---------------------------------------------------------------------------------------------
// Timing

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median wall time of `f` over `ITERATIONS` calls after `WARMUP` calls.
fn time_in_process(mut f: impl FnMut()) -> Duration {
    for _ in 0..WARMUP {
        f();
    }
    let samples = (0..ITERATIONS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    median(samples)
}

/// Median wall time of running `make(files)` over `XMLSEC_RUNS` runs (output discarded; the
/// command must succeed).
fn time_invocation(make: &dyn Fn(&[PathBuf]) -> Command, files: &[PathBuf]) -> Duration {
    let samples = (0..XMLSEC_RUNS)
        .map(|_| {
            let mut cmd = make(files);
            cmd.stdout(Stdio::null()).stderr(Stdio::piped());
            let start = Instant::now();
            let out = cmd.output().unwrap();
            let elapsed = start.elapsed();
            assert!(
                out.status.success(),
                "{cmd:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            elapsed
        })
        .collect();
    median(samples)
}

/// xmlsec1's cost for one invocation on one file and amortized per envelope.
struct XmlsecTime {
    one_file: Duration,
    per_envelope: Duration,
}

fn time_xmlsec(
    make: &dyn Fn(&[PathBuf]) -> Command,
    dir: &Path,
    stem: &str,
    content: &[u8],
) -> XmlsecTime {
    let files: Vec<PathBuf> = (0..XMLSEC_FILES)
        .map(|i| {
            let f = dir.join(format!("{stem}-{i:03}.xml"));
            std::fs::write(&f, content).unwrap();
            f
        })
        .collect();
    // One untimed run to warm the page cache and check that it works.
    time_invocation_once(make, &files);
    let one_file = time_invocation(make, &files[..1]);
    let all = time_invocation(make, &files);
    XmlsecTime {
        one_file,
        per_envelope: all.saturating_sub(one_file) / (XMLSEC_FILES as u32 - 1),
    }
}

fn time_invocation_once(make: &dyn Fn(&[PathBuf]) -> Command, files: &[PathBuf]) {
    let mut cmd = make(files);
    let out = cmd.stdout(Stdio::null()).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn ratio(ours: Duration, theirs: Duration) -> String {
    if theirs.is_zero() {
        "n/a".into()
    } else {
        format!("{:.2}", ours.as_secs_f64() / theirs.as_secs_f64())
    }
}

fn timing(setup: &Setup, envelopes: &[(&str, &str, &str)]) {
    println!("## Timing\n");
    println!(
        "Per envelope, milliseconds, medians. Ours: in-process, {ITERATIONS} iterations after \
         {WARMUP} warm-up, P1 profile with a BinarySecurityToken; verify = parse, digests, \
         signature, certificate path to the CA (webpki), timestamp, required parts. xmlsec1: \
         medians of {XMLSEC_RUNS} invocations; **raw** = one invocation on one file (process \
         start-up, key/cert loading, parsing, the work, output), **amortized** = (t({XMLSEC_FILES} \
         files) − t(1 file)) / {} — the marginal cost per envelope in a running process. xmlsec1 \
         signs a template with the same content (SignedInfo, token reference and timestamp \
         pre-written), verifies the envelope we signed with the key from `--pubkey-cert-pem` (no \
         certificate path checked) and writes the signed documents to /dev/null.\n",
        XMLSEC_FILES - 1
    );
    println!(
        "| envelope | algorithm | op | ours | xmlsec1 amortized | xmlsec1 raw (1 file/invocation) | ours / xmlsec1 amortized | ours / xmlsec1 raw |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let now = OffsetDateTime::now_utc();
    let verifier = Verifier::new(VerificationPolicy::p1(setup.trust.clone()));
    let mut c14n_rows = String::new();
    for (label, envelope, body) in envelopes {
        for signer in [&setup.rsa, &setup.ec] {
            let alg = alg_name(signer);
            let stem = format!(
                "time-{label}-{}",
                if signer.sig_alg == wssec_pki::RSA_SHA256 {
                    "rsa"
                } else {
                    "ec"
                }
            );
            let ws = WsSecuritySigner::new(signer.identity.clone(), SigningProfile::p1());
            let signed = ws.sign_envelope_at(envelope.as_bytes(), now).unwrap();
            verifier.verify_envelope_at(&signed, now).unwrap();

            let our_sign = time_in_process(|| {
                std::hint::black_box(
                    ws.sign_envelope_at(std::hint::black_box(envelope.as_bytes()), now)
                        .unwrap(),
                );
            });
            let our_verify = time_in_process(|| {
                std::hint::black_box(
                    verifier
                        .verify_envelope_at(std::hint::black_box(&signed), now)
                        .unwrap(),
                );
            });

            let mut template = Template::new(signer, Token::Bst);
            template.kontekst = P1_KONTEKST_ATTRIBUTES.to_owned();
            template.body = (*body).to_owned();
            let id_attrs = envelope_id_attrs(SOAP11);
            let sign_cmd = |files: &[PathBuf]| xmlsec_sign_command(files, None, signer, &id_attrs);
            let xs_sign = time_xmlsec(
                &sign_cmd,
                &setup.dir,
                &format!("{stem}-tpl"),
                template.render().as_bytes(),
            );
            let verify_cmd =
                |files: &[PathBuf]| xmlsec_verify_command(files, &signer.cert_path, &id_attrs);
            let xs_verify =
                time_xmlsec(&verify_cmd, &setup.dir, &format!("{stem}-signed"), &signed);
            for (op, ours, xs) in [
                ("sign", our_sign, &xs_sign),
                ("verify", our_verify, &xs_verify),
            ] {
                println!(
                    "| {label} ({} B signed) | {alg} | {op} | {} | {} | {} | {} | {} |",
                    signed.len(),
                    ms(ours),
                    ms(xs.per_envelope),
                    ms(xs.one_file),
                    ratio(ours, xs.per_envelope),
                    ratio(ours, xs.one_file),
                );
            }

            // Parse, and c14n + SHA-256 of the three signed parts, alone (once per envelope
            // size; the key does not matter).
            if signer.sig_alg == wssec_pki::RSA_SHA256 {
                let parse = time_in_process(|| {
                    std::hint::black_box(Document::parse(std::hint::black_box(&signed)).unwrap());
                });
                let doc = Document::parse(&signed).unwrap();
                let parts = [
                    doc.find_element(Some(SOAP11), "Body").unwrap(),
                    doc.find_element(Some(KONTEKST), "kontekstWywolania")
                        .unwrap(),
                    doc.find_element(Some(WSU), "Timestamp").unwrap(),
                ];
                let c14n = ExcC14n::new();
                let digest = time_in_process(|| {
                    for part in parts {
                        let bytes = c14n.canonicalize_element(part).unwrap();
                        std::hint::black_box(ring::digest::digest(&ring::digest::SHA256, &bytes));
                    }
                });
                let body_only = time_in_process(|| {
                    let bytes = c14n.canonicalize_element(parts[0]).unwrap();
                    std::hint::black_box(ring::digest::digest(&ring::digest::SHA256, &bytes));
                });
                let _ = writeln!(
                    c14n_rows,
                    "| {label} ({} B signed) | {} | {} | {} |",
                    signed.len(),
                    ms(parse),
                    ms(digest),
                    ms(body_only)
                );
            }
        }
    }
    println!(
        "\nParts of our work alone (in-process medians, ms): `Document::parse` of the signed \
         envelope; exclusive C14N + SHA-256 of the three signed parts (Body, \
         `kontekstWywolania`, Timestamp) of the parsed envelope; of the Body alone.\n"
    );
    println!("| envelope | parse | c14n + SHA-256, 3 parts | c14n + SHA-256, Body |");
    println!("|---|---|---|---|");
    print!("{c14n_rows}");
}
