//! Shared by the AS2 tests (included with `#[path]`, after `wssec_pki`): both partners' keys
//! and certificates and the HTTPS servers' certificate, made with openssl under one test CA.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sdk_runtime::as2::{DecryptionKey, LocalParty, Partner};
use sdk_runtime::transport::{HttpClient, Identity};

use super::wssec_pki::{Ca, KeyKind, openssl_ca, openssl_leaf, run_ok, work_dir};

/// Keys and certificates of both partners and of the TLS servers.
pub struct Pki {
    pub dir: PathBuf,
    /// Our AS2 key and certificate.
    pub rust_key: PathBuf,
    pub rust_cert: PathBuf,
    /// pyas2lib's key and certificate, together in one PEM (as pyas2lib takes them).
    pub py_keycert: PathBuf,
    pub py_cert: PathBuf,
    /// The TLS servers' certificate (both sides' HTTPS servers), issued by `ca`.
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    pub ca: Ca,
}

pub fn pki(name: &str) -> Pki {
    let dir = work_dir("as2", name);
    let ca = openssl_ca(&dir, "ca", KeyKind::Rsa2048, "/CN=AS2 test CA");
    let rust = openssl_leaf(
        &dir,
        "rust",
        KeyKind::Rsa2048,
        "/O=Nemocnice Test/CN=RUSTAS2",
        30,
        None,
        &ca,
    );
    let py = openssl_leaf(
        &dir,
        "py",
        KeyKind::Rsa2048,
        "/O=Pojistovna Test/CN=PYAS2",
        30,
        None,
        &ca,
    );
    let py_keycert = dir.join("py-keycert.pem");
    let mut both = std::fs::read(&py.key_path).unwrap();
    both.extend(std::fs::read(&py.cert_path).unwrap());
    std::fs::write(&py_keycert, both).unwrap();
    // The HTTPS servers' certificate, for 127.0.0.1.
    let tls_key = dir.join("tls-key.pem");
    let tls_cert = dir.join("tls-cert.pem");
    let csr = dir.join("tls.csr");
    let ext = dir.join("tls.ext");
    std::fs::write(
        &ext,
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
    )
    .unwrap();
    run_ok(
        Command::new("openssl")
            .args([
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
            ])
            .arg(&tls_key)
            .arg("-out")
            .arg(&csr),
    );
    run_ok(
        Command::new("openssl")
            .args(["x509", "-req", "-days", "30", "-in"])
            .arg(&csr)
            .arg("-CA")
            .arg(&ca.cert_path)
            .arg("-CAkey")
            .arg(&ca.key_path)
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(&tls_cert),
    );
    Pki {
        rust_key: rust.key_path,
        rust_cert: rust.cert_path,
        py_cert: py.cert_path,
        py_keycert,
        tls_cert,
        tls_key,
        ca,
        dir,
    }
}

pub fn der(pem_file: &Path) -> Vec<u8> {
    CertificateDer::from_pem_file(pem_file).unwrap().to_vec()
}

/// Our side: `RUSTAS2`, signing and decrypting with our key; the partner `PYAS2`.
pub fn ours(p: &Pki) -> (LocalParty, Partner) {
    let identity = Identity::from_pem_files(&p.rust_cert, Some(&p.rust_key)).unwrap();
    let local = LocalParty::new("RUSTAS2")
        .signing(sdk_runtime::wssec::SigningIdentity::from_identity(identity.clone()).unwrap())
        .decryption(DecryptionKey::from_identity(&identity).unwrap());
    let partner = Partner::new("PYAS2", der(&p.py_cert));
    (local, partner)
}

pub fn http(p: &Pki) -> HttpClient {
    HttpClient::builder()
        .platform_roots(false)
        .add_root_certificates_pem(p.ca.cert_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap()
}

/// A copy of `p` (for a blocking task).
pub fn clone_pki(p: &Pki) -> Pki {
    Pki {
        dir: p.dir.clone(),
        rust_key: p.rust_key.clone(),
        rust_cert: p.rust_cert.clone(),
        py_keycert: p.py_keycert.clone(),
        py_cert: p.py_cert.clone(),
        tls_cert: p.tls_cert.clone(),
        tls_key: p.tls_key.clone(),
        ca: Ca {
            key_path: p.ca.key_path.clone(),
            cert_path: p.ca.cert_path.clone(),
            cert_pem: p.ca.cert_pem.clone(),
        },
    }
}

/// The [`Pki`] another process made in `dir` (a child process of a test).
pub fn existing(dir: &Path) -> Pki {
    let ca_cert = dir.join("ca.pem");
    Pki {
        dir: dir.to_path_buf(),
        rust_key: dir.join("rust-key.pem"),
        rust_cert: dir.join("rust-cert.pem"),
        py_keycert: dir.join("py-keycert.pem"),
        py_cert: dir.join("py-cert.pem"),
        tls_cert: dir.join("tls-cert.pem"),
        tls_key: dir.join("tls-key.pem"),
        ca: Ca {
            key_path: dir.join("ca-key.pem"),
            cert_pem: std::fs::read_to_string(&ca_cert).unwrap(),
            cert_path: ca_cert,
        },
    }
}
