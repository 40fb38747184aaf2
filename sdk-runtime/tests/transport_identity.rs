//! Loading client identities from files made by the real `openssl` CLI, the way certificate
//! authorities' tools make them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use sdk_runtime::transport::{Identity, IdentityError};

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sdk-runtime-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    fn arg(&self, file: &str) -> String {
        self.path(file).to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs openssl; `Err(stderr)` when it exits with failure.
fn try_openssl(args: &[&str]) -> Result<(), String> {
    let output = match Command::new("openssl").args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "the `openssl` command is needed by these tests; run scripts/install-test-tools.sh"
        ),
        Err(e) => panic!("cannot run openssl: {e}"),
    };
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn openssl(args: &[&str]) {
    if let Err(stderr) = try_openssl(args) {
        panic!("openssl {} failed:\n{stderr}", args.join(" "));
    }
}

/// Self-signed certificate `<name>.crt` with key `<name>.key` (PKCS#8 PEM).
fn self_signed(dir: &TempDir, name: &str, newkey: &[&str], subject: &str) {
    let mut args = vec!["req", "-x509", "-nodes", "-days", "30", "-subj", subject];
    args.extend_from_slice(newkey);
    let (key, crt) = (
        dir.arg(&format!("{name}.key")),
        dir.arg(&format!("{name}.crt")),
    );
    args.extend_from_slice(&["-keyout", &key, "-out", &crt]);
    openssl(&args);
}

const RSA: &[&str] = &["-newkey", "rsa:2048"];
const EC_P256: &[&str] = &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

fn export_p12(dir: &TempDir, name: &str, out: &str, extra: &[&str]) -> Result<(), String> {
    let (key, crt, out) = (
        dir.arg(&format!("{name}.key")),
        dir.arg(&format!("{name}.crt")),
        dir.arg(out),
    );
    let mut args = vec![
        "pkcs12",
        "-export",
        "-inkey",
        &key,
        "-in",
        &crt,
        "-out",
        &out,
        "-passout",
        "pass:Heslo123",
    ];
    args.extend_from_slice(extra);
    try_openssl(&args)
}

fn assert_loaded(identity: &Identity, cn: &str) {
    assert!(
        identity.subject().contains(&format!("CN={cn}")),
        "subject {:?} should name CN={cn}",
        identity.subject()
    );
    assert_eq!(identity.certificate_chain().len(), 1);
    let not_after = identity.not_after().expect("not_after");
    let days = (not_after - time::OffsetDateTime::now_utc()).whole_days();
    assert!(
        (28..=31).contains(&days),
        "not_after {not_after} is not ~30 days away"
    );
}

#[test]
fn modern_pkcs12_rsa_and_ec() {
    let dir = TempDir::new("p12-modern");
    self_signed(&dir, "rsa", RSA, "/CN=Test RSA/O=Nemocnice/C=CZ");
    self_signed(&dir, "ec", EC_P256, "/CN=Test EC/O=Nemocnice/C=CZ");
    // OpenSSL 3's default: PBES2 with AES-256-CBC and PBKDF2, HMAC-SHA256 MAC.
    export_p12(&dir, "rsa", "rsa.p12", &[]).unwrap();
    export_p12(&dir, "ec", "ec.p12", &[]).unwrap();

    let rsa = Identity::from_pkcs12_file(dir.path("rsa.p12"), "Heslo123").unwrap();
    assert_loaded(&rsa, "Test RSA");
    assert!(rsa.subject().contains("O=Nemocnice"));
    let ec =
        Identity::from_pkcs12(&std::fs::read(dir.path("ec.p12")).unwrap(), "Heslo123").unwrap();
    assert_loaded(&ec, "Test EC");
}

#[test]
fn legacy_pkcs12_rc2_3des() {
    let dir = TempDir::new("p12-legacy");
    self_signed(&dir, "rsa", RSA, "/CN=Legacy RSA");
    self_signed(&dir, "ec", EC_P256, "/CN=Legacy EC");

    // 3DES for keys and certificates with a SHA-1 MAC: old Windows/Java exports; needs no
    // legacy provider.
    let tdes = [
        "-keypbe",
        "PBE-SHA1-3DES",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ];
    export_p12(&dir, "rsa", "rsa-3des.p12", &tdes).unwrap();
    let id = Identity::from_pkcs12_file(dir.path("rsa-3des.p12"), "Heslo123").unwrap();
    assert_loaded(&id, "Legacy RSA");

    // `-legacy`: RC2-40 for certificates, 3DES for the key, as older CA tools produce.
    for (name, cn) in [("rsa", "Legacy RSA"), ("ec", "Legacy EC")] {
        let out = format!("{name}-legacy.p12");
        match export_p12(&dir, name, &out, &["-legacy"]) {
            Ok(()) => {
                let id = Identity::from_pkcs12_file(dir.path(&out), "Heslo123").unwrap();
                assert_loaded(&id, cn);
            }
            Err(stderr) => {
                eprintln!(
                    "NOTE: skipping the `-legacy` PKCS#12 case: this openssl has no legacy \
                     provider ({})",
                    stderr.lines().next().unwrap_or_default()
                );
                return;
            }
        }
    }
}

#[test]
fn pkcs12_with_ca_chain_puts_leaf_first() {
    let dir = TempDir::new("p12-chain");
    self_signed(&dir, "ca", EC_P256, "/CN=Test CA");
    openssl(&[
        "req",
        "-new",
        "-nodes",
        "-newkey",
        "rsa:2048",
        "-subj",
        "/CN=Leaf",
        "-keyout",
        &dir.arg("leaf.key"),
        "-out",
        &dir.arg("leaf.csr"),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &dir.arg("leaf.csr"),
        "-CA",
        &dir.arg("ca.crt"),
        "-CAkey",
        &dir.arg("ca.key"),
        "-CAcreateserial",
        "-days",
        "30",
        "-out",
        &dir.arg("leaf.crt"),
    ]);
    export_p12(&dir, "leaf", "leaf.p12", &["-certfile", &dir.arg("ca.crt")]).unwrap();

    let id = Identity::from_pkcs12_file(dir.path("leaf.p12"), "Heslo123").unwrap();
    assert_eq!(id.subject(), "CN=Leaf");
    assert_eq!(id.certificate_chain().len(), 2);

    // PEM with the CA first: the leaf is found by its key, not by position.
    let mut pem = std::fs::read(dir.path("ca.crt")).unwrap();
    pem.extend(std::fs::read(dir.path("leaf.crt")).unwrap());
    pem.extend(std::fs::read(dir.path("leaf.key")).unwrap());
    let id = Identity::from_pem(&pem).unwrap();
    assert_eq!(id.subject(), "CN=Leaf");
    assert_eq!(id.certificate_chain().len(), 2);
}

#[test]
fn wrong_password_is_reported_as_such() {
    let dir = TempDir::new("p12-password");
    self_signed(&dir, "rsa", RSA, "/CN=Pw");
    export_p12(&dir, "rsa", "modern.p12", &[]).unwrap();
    let err = Identity::from_pkcs12_file(dir.path("modern.p12"), "wrong").unwrap_err();
    assert!(matches!(err, IdentityError::WrongPassword), "{err:?}");
    assert_eq!(err.to_string(), "the PKCS#12 password is wrong");

    if export_p12(&dir, "rsa", "legacy.p12", &["-legacy"]).is_ok() {
        let err = Identity::from_pkcs12_file(dir.path("legacy.p12"), "wrong").unwrap_err();
        assert!(matches!(err, IdentityError::WrongPassword), "{err:?}");
    }
}

#[test]
fn pkcs12_without_key() {
    let dir = TempDir::new("p12-nokeys");
    self_signed(&dir, "rsa", RSA, "/CN=No Keys");
    let (crt, out) = (dir.arg("rsa.crt"), dir.arg("nokeys.p12"));
    openssl(&[
        "pkcs12",
        "-export",
        "-nokeys",
        "-in",
        &crt,
        "-out",
        &out,
        "-passout",
        "pass:Heslo123",
    ]);
    let err = Identity::from_pkcs12_file(dir.path("nokeys.p12"), "Heslo123").unwrap_err();
    assert!(matches!(err, IdentityError::NoPrivateKey), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the file holds a certificate but no private key"
    );
}

#[test]
fn pem_one_file_two_files_and_key_formats() {
    let dir = TempDir::new("pem");
    self_signed(&dir, "rsa", RSA, "/CN=Pem RSA");
    self_signed(&dir, "ec", EC_P256, "/CN=Pem EC");
    self_signed(&dir, "ed", &["-newkey", "ed25519"], "/CN=Pem Ed25519");

    // Two files, PKCS#8 keys.
    for (name, cn) in [("rsa", "Pem RSA"), ("ec", "Pem EC"), ("ed", "Pem Ed25519")] {
        let crt = dir.path(&format!("{name}.crt"));
        let key = dir.path(&format!("{name}.key"));
        let id = Identity::from_pem_files(&crt, Some(&key)).unwrap();
        assert_loaded(&id, cn);
    }

    // One file, key first then certificate, PKCS#1 RSA key.
    openssl(&[
        "rsa",
        "-in",
        &dir.arg("rsa.key"),
        "-traditional",
        "-out",
        &dir.arg("rsa1.key"),
    ]);
    let pkcs1 = std::fs::read_to_string(dir.path("rsa1.key")).unwrap();
    assert!(pkcs1.contains("BEGIN RSA PRIVATE KEY"));
    let bundle = pkcs1 + &std::fs::read_to_string(dir.path("rsa.crt")).unwrap();
    std::fs::write(dir.path("rsa-bundle.pem"), &bundle).unwrap();
    let id = Identity::from_pem_files(&dir.path("rsa-bundle.pem"), None).unwrap();
    assert_loaded(&id, "Pem RSA");

    // One file, SEC1 EC key, loaded through content detection.
    openssl(&["ec", "-in", &dir.arg("ec.key"), "-out", &dir.arg("ec1.key")]);
    let sec1 = std::fs::read_to_string(dir.path("ec1.key")).unwrap();
    assert!(sec1.contains("BEGIN EC PRIVATE KEY"));
    let bundle = std::fs::read_to_string(dir.path("ec.crt")).unwrap() + &sec1;
    std::fs::write(dir.path("ec-bundle.pem"), &bundle).unwrap();
    let id = Identity::from_file(dir.path("ec-bundle.pem"), None).unwrap();
    assert_loaded(&id, "Pem EC");
}

#[test]
fn pem_certificate_without_key() {
    let dir = TempDir::new("pem-nokey");
    self_signed(&dir, "rsa", RSA, "/CN=Cert Only");
    let err = Identity::from_pem_files(&dir.path("rsa.crt"), None).unwrap_err();
    assert!(matches!(err, IdentityError::NoPrivateKey), "{err:?}");

    let err = Identity::from_pem(&std::fs::read(dir.path("rsa.key")).unwrap()).unwrap_err();
    assert!(matches!(err, IdentityError::NoCertificate), "{err:?}");

    // A DER certificate (`.cer`) is recognised as a certificate without key.
    openssl(&[
        "x509",
        "-in",
        &dir.arg("rsa.crt"),
        "-outform",
        "DER",
        "-out",
        &dir.arg("rsa.cer"),
    ]);
    let err = Identity::from_file(dir.path("rsa.cer"), Some("x")).unwrap_err();
    assert!(matches!(err, IdentityError::NoPrivateKey), "{err:?}");
}

#[test]
fn key_of_another_certificate_is_a_mismatch() {
    let dir = TempDir::new("mismatch");
    self_signed(&dir, "a", RSA, "/CN=A");
    self_signed(&dir, "b", RSA, "/CN=B");
    self_signed(&dir, "c", EC_P256, "/CN=C");
    for key in ["b.key", "c.key"] {
        let err = Identity::from_pem_files(&dir.path("a.crt"), Some(&dir.path(key))).unwrap_err();
        assert!(matches!(err, IdentityError::KeyMismatch), "{key}: {err:?}");
        assert_eq!(
            err.to_string(),
            "the private key does not belong to the certificate"
        );
    }
}

#[test]
fn unsupported_and_encrypted_keys_are_named() {
    let dir = TempDir::new("unsupported");
    self_signed(&dir, "small", &["-newkey", "rsa:1024"], "/CN=Small");
    let err =
        Identity::from_pem_files(&dir.path("small.crt"), Some(&dir.path("small.key"))).unwrap_err();
    assert!(matches!(err, IdentityError::UnsupportedKey(_)), "{err:?}");
    assert!(err.to_string().contains("1024-bit RSA"), "{err}");

    self_signed(
        &dir,
        "p521",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
        "/CN=P521",
    );
    let err =
        Identity::from_pem_files(&dir.path("p521.crt"), Some(&dir.path("p521.key"))).unwrap_err();
    assert!(matches!(err, IdentityError::UnsupportedKey(_)), "{err:?}");
    assert!(err.to_string().contains("P-521"), "{err}");

    self_signed(&dir, "rsa", RSA, "/CN=Encrypted");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        &dir.arg("rsa.key"),
        "-out",
        &dir.arg("enc.key"),
        "-passout",
        "pass:x",
    ]);
    let err =
        Identity::from_pem_files(&dir.path("rsa.crt"), Some(&dir.path("enc.key"))).unwrap_err();
    assert!(matches!(err, IdentityError::UnsupportedKey(_)), "{err:?}");
    assert!(err.to_string().contains("encrypted"), "{err}");
}

#[test]
fn file_detection_and_password_required() {
    let dir = TempDir::new("detect");
    self_signed(&dir, "ec", EC_P256, "/CN=Detect");
    export_p12(&dir, "ec", "ec.p12", &[]).unwrap();

    let err = Identity::from_file(dir.path("ec.p12"), None).unwrap_err();
    assert!(matches!(err, IdentityError::PasswordRequired), "{err:?}");
    let id = Identity::from_file(dir.path("ec.p12"), Some("Heslo123")).unwrap();
    assert_loaded(&id, "Detect");

    std::fs::write(dir.path("garbage.bin"), b"\x30\x03\x02\x01\x07").unwrap();
    let err = Identity::from_file(dir.path("garbage.bin"), Some("x")).unwrap_err();
    assert!(matches!(err, IdentityError::Malformed(_)), "{err:?}");
}

#[test]
fn empty_password_pkcs12_opens_without_password() {
    let dir = TempDir::new("p12-empty");
    self_signed(&dir, "ec", EC_P256, "/CN=Open");
    let (key, crt, out) = (dir.arg("ec.key"), dir.arg("ec.crt"), dir.arg("open.p12"));
    openssl(&[
        "pkcs12", "-export", "-inkey", &key, "-in", &crt, "-out", &out, "-passout", "pass:",
    ]);
    let id = Identity::from_file(dir.path("open.p12"), None).unwrap();
    assert_loaded(&id, "Open");
    let id = Identity::from_pkcs12_file(dir.path("open.p12"), "").unwrap();
    assert_loaded(&id, "Open");
}

#[test]
fn missing_file_names_the_path() {
    let path = Path::new("/nonexistent/dir/client.p12");
    for err in [
        Identity::from_file(path, Some("x")).unwrap_err(),
        Identity::from_pkcs12_file(path, "x").unwrap_err(),
        Identity::from_pem_files(path, None).unwrap_err(),
    ] {
        match &err {
            IdentityError::Io { path: p, source } => {
                assert_eq!(p, path);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("expected Io, got {other:?}"),
        }
        assert!(
            err.to_string().contains("/nonexistent/dir/client.p12"),
            "{err}"
        );
    }
}

#[test]
fn debug_output_redacts_the_key() {
    let dir = TempDir::new("debug");
    self_signed(&dir, "rsa", RSA, "/CN=Debug Me");
    let key_pem = std::fs::read_to_string(dir.path("rsa.key")).unwrap();
    let id = Identity::from_pem_files(&dir.path("rsa.crt"), Some(&dir.path("rsa.key"))).unwrap();

    let debug = format!("{id:?}");
    assert!(debug.contains("CN=Debug Me"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    // No line of the base64 key body, and no raw DER bytes (`[48, 130, ...`).
    for line in key_pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!debug.contains(line), "Debug leaks key material: {debug}");
    }
    assert!(!debug.contains("48, 130"), "{debug}");
    assert!(!format!("{id:#?}").contains("48, 130"));
}
