//! Shared by the `wssec_*` tests and the `wssec` bench (included with `#[path]`): keys and
//! certificates made with the `openssl` CLI (or taken from a [`TestPki`]), the xmlsec1 command
//! lines for signing templates and verifying signatures, SOAP envelope templates for xmlsec1 in
//! every token reference style, and the published P1 prescription sample.
//!
//! xmlsec1 and openssl are installed by `scripts/install-test-tools.sh`; a missing tool panics.
//! xmlsec1 does not understand `wsse:SecurityTokenReference`: it signs templates whose
//! `ds:KeyInfo` is already filled in, and verifies with the key given on its command line.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use sdk_runtime::wssec::{CertificateInfo, SigningIdentity, TrustAnchors};
use time::OffsetDateTime;

pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// P1's call-context header namespace (`kontekstWywolania`).
pub const KONTEKST: &str = "http://csioz.gov.pl/p1/kontekst/mt/v20170510";
pub const EXC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
pub const X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
pub const SKI_VT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";
pub const B64: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

// ---------------------------------------------------------------------------------------------
// Processes and files

/// Runs `cmd`; panics only when it cannot be started.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {cmd:?}: {e} (scripts/install-test-tools.sh installs xmlsec1 and openssl)"
        )
    })
}

/// Runs `cmd` and panics unless it succeeds.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// stdout followed by stderr.
pub fn output_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A fresh, empty directory `<CARGO_TARGET_TMPDIR>/<group>/<name>`.
pub fn work_dir(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `xs:dateTime` in UTC with milliseconds, as WS-Security timestamps write it.
pub fn xs_datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

// ---------------------------------------------------------------------------------------------
// Keys and certificates

/// The key types a WS-Security signer can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa2048,
    EcP256,
}

impl KeyKind {
    fn newkey_args(self) -> &'static [&'static str] {
        match self {
            KeyKind::Rsa2048 => &["-newkey", "rsa:2048"],
            KeyKind::EcP256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        }
    }
}

/// A CA made by openssl: key and self-signed certificate (PEM files).
pub struct Ca {
    pub key_path: PathBuf,
    pub cert_path: PathBuf,
    pub cert_pem: String,
}

impl Ca {
    pub fn trust_anchors(&self) -> TrustAnchors {
        TrustAnchors::from_pem(self.cert_pem.as_bytes()).unwrap()
    }
}

/// A signing key with its certificate: the files (for xmlsec1) and the loaded identity.
pub struct Credential {
    pub key_path: PathBuf,
    pub cert_path: PathBuf,
    pub cert: CertificateInfo,
    pub identity: SigningIdentity,
    /// `openssl x509 -issuer -nameopt RFC2253` (what xmlsec1 and WSS4J write).
    pub issuer_rfc2253: String,
    /// The `ds:SignatureMethod` URI of the key.
    pub sig_alg: &'static str,
}

/// A CA `<dir>/<stem>.pem` (key `<stem>-key.pem`), valid for ten years.
pub fn openssl_ca(dir: &Path, stem: &str, kind: KeyKind, subject: &str) -> Ca {
    let key_path = dir.join(format!("{stem}-key.pem"));
    let cert_path = dir.join(format!("{stem}.pem"));
    run_ok(
        Command::new("openssl")
            .args(["req", "-x509"])
            .args(kind.newkey_args())
            .args(["-nodes", "-days", "3650", "-subj", subject])
            .arg("-keyout")
            .arg(&key_path)
            .arg("-out")
            .arg(&cert_path),
    );
    Ca {
        cert_pem: std::fs::read_to_string(&cert_path).unwrap(),
        key_path,
        cert_path,
    }
}

/// A signing certificate issued by `ca` (`<stem>-cert.pem`, key `<stem>-key.pem`), valid for
/// `days`: digitalSignature and nonRepudiation, EKU emailProtection only (as signing
/// certificates often have), a Subject Key Identifier and an Authority Key Identifier.
pub fn openssl_leaf(
    dir: &Path,
    stem: &str,
    kind: KeyKind,
    subject: &str,
    days: u32,
    serial: Option<&str>,
    ca: &Ca,
) -> Credential {
    let key_path = dir.join(format!("{stem}-key.pem"));
    let csr = dir.join(format!("{stem}.csr"));
    let cert_path = dir.join(format!("{stem}-cert.pem"));
    let ext = dir.join(format!("{stem}.ext"));
    std::fs::write(
        &ext,
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    run_ok(
        Command::new("openssl")
            .arg("req")
            .args(kind.newkey_args())
            .args(["-nodes", "-subj", subject])
            .arg("-keyout")
            .arg(&key_path)
            .arg("-out")
            .arg(&csr),
    );
    let mut cmd = Command::new("openssl");
    cmd.args(["x509", "-req", "-days", &days.to_string()]);
    if let Some(serial) = serial {
        cmd.args(["-set_serial", serial]);
    }
    run_ok(
        cmd.arg("-in")
            .arg(&csr)
            .arg("-CA")
            .arg(&ca.cert_path)
            .arg("-CAkey")
            .arg(&ca.key_path)
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(&cert_path),
    );
    credential_from_files(key_path, cert_path)
}

/// The credential of a key and certificate in PEM files.
pub fn credential_from_files(key_path: PathBuf, cert_path: PathBuf) -> Credential {
    let pem = std::fs::read(&cert_path).unwrap();
    let cert = TrustAnchors::from_pem(&pem).unwrap().certificates()[0].clone();
    let identity = SigningIdentity::from_pem_files(&cert_path, Some(&key_path)).unwrap();
    assert_eq!(identity.certificate(), &cert);
    let out = run_ok(
        Command::new("openssl")
            .args(["x509", "-noout", "-issuer", "-nameopt", "RFC2253", "-in"])
            .arg(&cert_path),
    );
    let issuer = String::from_utf8(out.stdout).unwrap();
    Credential {
        issuer_rfc2253: issuer
            .trim()
            .strip_prefix("issuer=")
            .unwrap()
            .trim()
            .to_owned(),
        sig_alg: identity.algorithm().uri(),
        key_path,
        cert_path,
        cert,
        identity,
    }
}

/// The credential of a certificate issued by a [`TestPki`] (ECDSA P-256, no Subject Key
/// Identifier), written to `<stem>-key.pem` and `<stem>-cert.pem`.
#[cfg(feature = "sandbox")]
pub fn credential_from_issued(
    dir: &Path,
    stem: &str,
    issued: &sdk_runtime::sandbox::IssuedCert,
) -> Credential {
    let key_path = dir.join(format!("{stem}-key.pem"));
    let cert_path = dir.join(format!("{stem}-cert.pem"));
    std::fs::write(&key_path, issued.key_pem()).unwrap();
    std::fs::write(&cert_path, issued.cert_pem()).unwrap();
    credential_from_files(key_path, cert_path)
}

/// The Subject Key Identifier a WS-Security sender puts in `wsse:KeyIdentifier`: the
/// extension, or SHA-1 of the public key for certificates without one (rcgen's leaves).
pub fn ski_of(cert: &CertificateInfo) -> Vec<u8> {
    if let Some(ski) = cert.subject_key_identifier() {
        return ski.to_vec();
    }
    use x509_parser::prelude::FromDer;
    let (_, x) = x509_parser::certificate::X509Certificate::from_der(cert.der()).unwrap();
    ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        &x.public_key().subject_public_key.data,
    )
    .as_ref()
    .to_vec()
}

// ---------------------------------------------------------------------------------------------
// xmlsec1

/// `--id-attr:Id` arguments for the parts of a WS-Security envelope with this SOAP namespace.
pub fn envelope_id_attrs(soap_ns: &str) -> Vec<String> {
    vec![
        format!("{soap_ns}:Body"),
        format!("{WSU}:Timestamp"),
        format!("{KONTEKST}:kontekstWywolania"),
        format!("{WSSE}:BinarySecurityToken"),
    ]
}

/// `xmlsec1 --sign` of the template files `inputs` with `signer`'s key. With one input and
/// `output`, the signed document is written there; otherwise the signed documents go to stdout.
pub fn xmlsec_sign_command<S: AsRef<OsStr>>(
    inputs: &[PathBuf],
    output: Option<&Path>,
    signer: &Credential,
    id_attrs: &[S],
) -> Command {
    let mut cmd = Command::new("xmlsec1");
    cmd.arg("--sign").arg("--privkey-pem").arg(format!(
        "{},{}",
        signer.key_path.display(),
        signer.cert_path.display()
    ));
    for a in id_attrs {
        cmd.arg("--id-attr:Id").arg(a);
    }
    if let Some(output) = output {
        cmd.arg("--output").arg(output);
    }
    cmd.args(inputs);
    cmd
}

/// `xmlsec1 --verify` of `files` with the key of the certificate `cert` (PEM), same-document
/// and empty reference URIs only.
pub fn xmlsec_verify_command<S: AsRef<OsStr>>(
    files: &[PathBuf],
    cert: &Path,
    id_attrs: &[S],
) -> Command {
    let mut cmd = Command::new("xmlsec1");
    cmd.arg("--verify")
        .arg("--pubkey-cert-pem")
        .arg(cert)
        .arg("--enabled-reference-uris")
        .arg("empty,same-doc");
    for a in id_attrs {
        cmd.arg("--id-attr:Id").arg(a);
    }
    cmd.args(files);
    cmd
}

/// Signs `template` (written to `<dir>/<name>`) with xmlsec1; the signed document, or
/// xmlsec1's messages when it fails.
pub fn xmlsec_sign<S: AsRef<OsStr>>(
    dir: &Path,
    name: &str,
    template: &str,
    signer: &Credential,
    id_attrs: &[S],
) -> Result<Vec<u8>, String> {
    let input = dir.join(format!("tpl-{name}"));
    let output = dir.join(format!("signed-{name}"));
    std::fs::write(&input, template).unwrap();
    let _ = std::fs::remove_file(&output);
    let out = run(&mut xmlsec_sign_command(
        &[input],
        Some(&output),
        signer,
        id_attrs,
    ));
    if out.status.success() {
        Ok(std::fs::read(&output).unwrap())
    } else {
        Err(output_text(&out))
    }
}

/// `xmlsec1 --verify` of `xml` (written to `<dir>/<name>`) with `cert`'s key: whether it
/// succeeded (exit status), and xmlsec1's messages.
pub fn xmlsec_verify<S: AsRef<OsStr>>(
    dir: &Path,
    name: &str,
    xml: &[u8],
    cert: &Path,
    id_attrs: &[S],
) -> (bool, String) {
    let file = dir.join(name);
    std::fs::write(&file, xml).unwrap();
    let out = run(&mut xmlsec_verify_command(&[file], cert, id_attrs));
    let text = output_text(&out);
    (out.status.success(), text)
}

// ---------------------------------------------------------------------------------------------
// Envelope templates for xmlsec1

/// How the template's `ds:KeyInfo` names the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Bst,
    Ski,
    /// SKI reference, with the certificate also in a BinarySecurityToken of the header.
    SkiWithBst,
    IssuerSerial,
    X509Data,
}

/// The `kontekstWywolania` attributes of the default template.
pub const TEMPLATE_KONTEKST: &str = "<k:atrybut><k:nazwa>urn:csioz:p1:erecepta:kontekst:idPodmiotuOidRoot</k:nazwa><k:wartosc>2.16.840.1.113883.3.4424.2.3.1</k:wartosc></k:atrybut>
      <k:atrybut><k:nazwa>urn:csioz:p1:erecepta:kontekst:idPodmiotuOidExt</k:nazwa><k:wartosc>000000001</k:wartosc></k:atrybut>";

/// The body content of the default template.
pub const TEMPLATE_BODY: &str = "<urn:zapisPakietuRecept><urn:tresc>QUJD</urn:tresc><urn:uwagi>abc &amp; def</urn:uwagi></urn:zapisPakietuRecept>";

/// A SOAP envelope template for `xmlsec1 --sign`: a Timestamp (`TS-1`), P1's
/// `kontekstWywolania` (`KW-1`) and the Body (`Body-1`), a `wsse:Security` header with the
/// token reference filled in. Elements of the body content may use the prefix `urn`
/// (`urn:csioz:p1:erecepta:test`).
pub struct Template<'a> {
    pub signer: &'a Credential,
    pub token: Token,
    pub soap_ns: &'static str,
    pub created: OffsetDateTime,
    pub expires: OffsetDateTime,
    pub timestamp: bool,
    /// The IDs referenced, in this order.
    pub refs: Vec<&'static str>,
    /// `None`: the signer's algorithm.
    pub sig_alg: Option<&'static str>,
    pub digest_alg: &'static str,
    /// The content of `k:kontekstWywolania` (prefix `k`).
    pub kontekst: String,
    /// The content of `soapenv:Body`.
    pub body: String,
}

impl<'a> Template<'a> {
    /// SOAP 1.1, created 5 s ago, expiring in 300 s, references `TS-1 KW-1 Body-1`.
    pub fn new(signer: &'a Credential, token: Token) -> Self {
        let now = OffsetDateTime::now_utc();
        Template {
            signer,
            token,
            soap_ns: SOAP11,
            created: now - time::Duration::seconds(5),
            expires: now + time::Duration::seconds(300),
            timestamp: true,
            refs: vec!["TS-1", "KW-1", "Body-1"],
            sig_alg: None,
            digest_alg: SHA256,
            kontekst: TEMPLATE_KONTEKST.to_owned(),
            body: TEMPLATE_BODY.to_owned(),
        }
    }

    /// The template text.
    pub fn render(&self) -> String {
        let cert = &self.signer.cert;
        let bst = format!(
            r#"<wsse:BinarySecurityToken EncodingType="{B64}" ValueType="{X509V3}" wsu:Id="X509-1">{}</wsse:BinarySecurityToken>"#,
            b64(cert.der())
        );
        let (bst, key_info) = match self.token {
            Token::Bst => (
                bst,
                format!(
                    r##"<wsse:SecurityTokenReference wsu:Id="STR-1"><wsse:Reference URI="#X509-1" ValueType="{X509V3}"/></wsse:SecurityTokenReference>"##
                ),
            ),
            Token::Ski | Token::SkiWithBst => (
                if self.token == Token::SkiWithBst {
                    bst
                } else {
                    String::new()
                },
                format!(
                    r#"<wsse:SecurityTokenReference><wsse:KeyIdentifier EncodingType="{B64}" ValueType="{SKI_VT}">{}</wsse:KeyIdentifier></wsse:SecurityTokenReference>"#,
                    b64(&ski_of(cert))
                ),
            ),
            Token::IssuerSerial => (
                String::new(),
                format!(
                    r#"<wsse:SecurityTokenReference><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>{}</ds:X509IssuerName><ds:X509SerialNumber>{}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference>"#,
                    self.signer
                        .issuer_rfc2253
                        .replace('&', "&amp;")
                        .replace('<', "&lt;"),
                    cert.serial_decimal()
                ),
            ),
            Token::X509Data => (
                String::new(),
                "<ds:X509Data><ds:X509Certificate/></ds:X509Data>".to_owned(),
            ),
        };
        let timestamp = if self.timestamp {
            format!(
                r#"<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>{}</wsu:Created><wsu:Expires>{}</wsu:Expires></wsu:Timestamp>"#,
                xs_datetime(self.created),
                xs_datetime(self.expires)
            )
        } else {
            String::new()
        };
        let refs: String = self
            .refs
            .iter()
            .map(|id| {
                format!(
                    r##"<ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="{EXC}"><ec:InclusiveNamespaces xmlns:ec="{EXC}" PrefixList="wsse soapenv"/></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="{}"/><ds:DigestValue></ds:DigestValue></ds:Reference>"##,
                    self.digest_alg
                )
            })
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="{soap}" xmlns:wsu="{WSU}" xmlns:urn="urn:csioz:p1:erecepta:test">
  <soapenv:Header>
    <wsse:Security xmlns:wsse="{WSSE}" soapenv:mustUnderstand="1">
      {bst}
      {timestamp}
      <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="SIG-1">
        <ds:SignedInfo>
          <ds:CanonicalizationMethod Algorithm="{EXC}"><ec:InclusiveNamespaces xmlns:ec="{EXC}" PrefixList="soapenv urn"/></ds:CanonicalizationMethod>
          <ds:SignatureMethod Algorithm="{sig_alg}"/>
          {refs}
        </ds:SignedInfo>
        <ds:SignatureValue></ds:SignatureValue>
        <ds:KeyInfo Id="KI-1">{key_info}</ds:KeyInfo>
      </ds:Signature>
    </wsse:Security>
    <k:kontekstWywolania xmlns:k="{KONTEKST}" wsu:Id="KW-1">
      {kontekst}
    </k:kontekstWywolania>
  </soapenv:Header>
  <soapenv:Body wsu:Id="Body-1">
    {body}
  </soapenv:Body>
</soapenv:Envelope>
"#,
            soap = self.soap_ns,
            sig_alg = self.sig_alg.unwrap_or(self.signer.sig_alg),
            kontekst = self.kontekst,
            body = self.body,
        )
    }

    /// The envelope signed by xmlsec1 (the template written under `dir` as `name`).
    pub fn sign(&self, dir: &Path, name: &str) -> Result<Vec<u8>, String> {
        xmlsec_sign(
            dir,
            name,
            &self.render(),
            self.signer,
            &envelope_id_attrs(self.soap_ns),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Enveloped documents: the published P1 prescription sample

/// `recepta.xml` of the published e-Recepta package (CARGO_MANIFEST_DIR/../../shared).
pub fn recepta_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/p1-erecepta-v20170510/samples/recepta.xml")
}

/// The sample as published (with its own XAdES, rsa-sha1 signature).
pub fn recepta() -> String {
    let path = recepta_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sample with its own `ds:Signature` taken out.
pub fn recepta_unsigned() -> String {
    let xml = recepta();
    let start = xml.find("<ds:Signature").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    format!("{}{}", &xml[..start], &xml[end..])
}

/// An enveloped-signature template for xmlsec1: `unsigned` (whose document element is
/// `ClinicalDocument`) with an empty `ds:Signature` (exclusive C14N, SHA-256, `sig_alg`, the
/// certificate in `ds:X509Data`) as the last child of the document element.
pub fn document_template(unsigned: &str, sig_alg: &str) -> String {
    let close = unsigned.rfind("</ClinicalDocument>").unwrap();
    format!(
        r#"{}<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="{EXC}"/><ds:SignatureMethod Algorithm="{sig_alg}"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="{EXC}"/></ds:Transforms><ds:DigestMethod Algorithm="{SHA256}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>{}"#,
        &unsigned[..close],
        &unsigned[close..]
    )
}

// ---------------------------------------------------------------------------------------------
// Envelopes to sign

/// The body of a small P1 request (`odczytRecepty`, Polish text, an escaped `&`).
pub const P1_SMALL_BODY: &str = r#"<ns2:odczytRecepty xmlns:ns2="http://csioz.gov.pl/p1/erecepta/mt/v20170510">
      <ns2:kluczRecepty>0123456789012345678901234567890123456789012&amp;ŁÓDŹ</ns2:kluczRecepty>
      <ns2:kodPakietu>1234</ns2:kodPakietu>
    </ns2:odczytRecepty>"#;

/// A `zapisPakietuRecept`-like body carrying `cda` (a signed prescription document) in base64,
/// folded at 76 characters as Java's MIME encoder writes it.
pub fn zapis_pakietu_recept_body(cda: &[u8]) -> String {
    let encoded = b64(cda);
    let folded: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        r#"<ns2:zapisPakietuRecept xmlns:ns2="http://csioz.gov.pl/p1/erecepta/mt/v20170510" xmlns:ns3="http://csioz.gov.pl/p1/erecepta/mt/v20170510/pakiet">
      <ns2:pakietRecept>
        <ns3:kodPakietu>1234</ns3:kodPakietu>
        <ns3:recepta>
          <ns3:identyfikatorRecepty root="2.16.840.1.113883.3.4424.2.7.1.2" extension="0000000000000001"/>
          <ns3:dokument>{}</ns3:dokument>
        </ns3:recepta>
      </ns2:pakietRecept>
    </ns2:zapisPakietuRecept>"#,
        folded.join("\n")
    )
}

/// An e-Recepta request envelope (pretty-printed, as a client might build it) with P1's
/// `kontekstWywolania` header (five call-context attributes) and `body` in the Body.
pub fn p1_envelope(soap_ns: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="{soap_ns}">
  <soapenv:Header>
    <k:kontekstWywolania xmlns:k="{KONTEKST}">
      {P1_KONTEKST_ATTRIBUTES}
    </k:kontekstWywolania>
  </soapenv:Header>
  <soapenv:Body>
    {body}
  </soapenv:Body>
</soapenv:Envelope>
"#
    )
}

/// The five call-context attributes of a P1 request (prefix `k`).
pub const P1_KONTEKST_ATTRIBUTES: &str = r#"<k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idPodmiotuOidRoot"><k:wartosc>2.16.840.1.113883.3.4424.2.3.1</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idPodmiotuOidExt"><k:wartosc>000000123456</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idUzytkownikaOidRoot"><k:wartosc>2.16.840.1.113883.3.4424.1.6.2</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idUzytkownikaOidExt"><k:wartosc>1234567</k:wartosc></k:atrybut>
      <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:rolaBiznesowa"><k:wartosc>LEKARZ_LEK_DENTYSTA_FELCZER</k:wartosc></k:atrybut>"#;
