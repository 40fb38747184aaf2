//! `b2b wssec sign` and `b2b wssec verify`: WS-Security signatures from the command line, for
//! integrators debugging what a service refuses (or what it answers).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use sdk_runtime::wssec::sign::{DocumentSignatureProfile, sign_enveloped_document_with};
use sdk_runtime::wssec::verify::{
    P1_KONTEKST_LOCAL, P1_KONTEKST_NS, SignatureReport, TrustAnchors, VerificationPolicy, Verifier,
};
use sdk_runtime::wssec::{
    CertificateInfo, SignError, SignedPart, SigningIdentity, SigningProfile, TokenReference,
    WsSecuritySigner,
};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::{ProfileArg, TokenReferenceArg, WssecCommand, WssecSignArgs, WssecVerifyArgs};
use crate::failure::Failure;
use crate::identity;
use crate::output;

pub fn run(command: WssecCommand) -> Result<(), Failure> {
    match command {
        WssecCommand::Sign(args) => sign(&args),
        WssecCommand::Verify(args) => verify(&args),
    }
}

fn sign(args: &WssecSignArgs) -> Result<(), Failure> {
    let profile = signing_profile(args)?;
    let input = read_input(args.input.as_deref())?;
    let identity = identity::load_as(identity::SIGNING, &args.identity, args.key.as_deref())?;
    let identity = SigningIdentity::from_identity(identity).map_err(|e| {
        Failure::Failed(format!("cannot sign with {}: {e}", args.identity.display()))
    })?;
    warn_validity(identity.certificate());
    let signed = if args.document {
        let profile = if args.xades {
            DocumentSignatureProfile::xades_bes()
        } else {
            DocumentSignatureProfile::xml_dsig()
        };
        sign_enveloped_document_with(&identity, &input, &profile)
    } else {
        WsSecuritySigner::new(identity, profile).sign_envelope(&input)
    }
    .map_err(|e| sign_failure(args.input.as_deref(), &e))?;
    match &args.out {
        Some(path) => std::fs::write(path, &signed)
            .map_err(|e| Failure::Failed(format!("cannot write {}: {e}", path.display()))),
        None => {
            let text = String::from_utf8_lossy(&signed);
            output::stdout(&text)
        }
    }
}

/// The profile the options describe: the preset, then each option on top.
fn signing_profile(args: &WssecSignArgs) -> Result<SigningProfile, Failure> {
    let mut profile = match args.profile {
        ProfileArg::P1 => SigningProfile::p1(),
        ProfileArg::Basic => SigningProfile::new(),
    };
    if !args.parts.is_empty() {
        let parts = args
            .parts
            .iter()
            .map(|p| parse_part("--part", p))
            .collect::<Result<Vec<_>, _>>()?;
        profile = profile.parts(parts);
    }
    if let Some(style) = args.token_reference {
        profile = profile.token_reference(token_reference(style));
    }
    if let Some(ttl) = args.ttl {
        profile = profile.timestamp_ttl(Duration::from_secs(ttl));
    }
    if args.no_timestamp {
        if profile.signed_parts().contains(&SignedPart::Timestamp) {
            let parts: Vec<_> = profile
                .signed_parts()
                .iter()
                .filter(|p| **p != SignedPart::Timestamp)
                .cloned()
                .collect();
            if !args.parts.is_empty() {
                return Err(Failure::Usage(
                    "--part timestamp and --no-timestamp contradict each other".to_owned(),
                ));
            }
            profile = profile.parts(parts);
        }
        profile = profile.without_timestamp();
    }
    if let Some(list) = &args.prefix_list {
        profile = profile.inclusive_prefixes(list.split_whitespace());
    }
    Ok(profile)
}

fn token_reference(arg: TokenReferenceArg) -> TokenReference {
    match arg {
        TokenReferenceArg::Bst => TokenReference::BinarySecurityToken,
        TokenReferenceArg::Ski => TokenReference::SubjectKeyIdentifier,
        TokenReferenceArg::IssuerSerial => TokenReference::IssuerSerial,
    }
}

/// `body`, `timestamp`, `{namespace}localName` (a header block), or `kontekstWywolania` for
/// P1's call-context header.
fn parse_part(option: &str, text: &str) -> Result<SignedPart, Failure> {
    let trimmed = text.trim();
    match trimmed.to_ascii_lowercase().as_str() {
        "body" => return Ok(SignedPart::Body),
        "timestamp" => return Ok(SignedPart::Timestamp),
        _ => {}
    }
    if trimmed == P1_KONTEKST_LOCAL {
        return Ok(SignedPart::header(P1_KONTEKST_NS, P1_KONTEKST_LOCAL));
    }
    if let Some(rest) = trimmed.strip_prefix('{')
        && let Some((namespace, local)) = rest.split_once('}')
        && is_ncname(local)
    {
        return Ok(SignedPart::header(namespace, local));
    }
    Err(Failure::Usage(format!(
        "{option} {text:?}: expected `body`, `timestamp`, `{P1_KONTEKST_LOCAL}` or a header \
         element as `{{namespace}}localName`"
    )))
}

fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn sign_failure(input: Option<&Path>, err: &SignError) -> Failure {
    let what = match input {
        Some(path) if path != Path::new("-") => path.display().to_string(),
        _ => "the input".to_owned(),
    };
    match err {
        SignError::Key(_) => Failure::Failed(format!("cannot sign {what}: {err}")),
        // Everything else is about the input or the chosen options: nothing was signed.
        _ => Failure::Usage(format!("cannot sign {what}: {err}")),
    }
}

fn verify(args: &WssecVerifyArgs) -> Result<(), Failure> {
    let now = match &args.at {
        Some(text) => OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
            Failure::Usage(format!(
                "--at {text:?}: expected an RFC 3339 time such as 2026-11-30T10:00:00Z ({e})"
            ))
        })?,
        None => OffsetDateTime::now_utc(),
    };
    let policy = verification_policy(args)?;
    let input = read_input(args.input.as_deref())?;
    let verifier = Verifier::new(policy);
    let result = if args.document {
        verifier
            .verify_enveloped_document_at(&input, now)
            .map(|v| Report {
                xades: v.xades().map(|level| (level.to_string(), v.signing_time())),
                timestamp: None,
                signature: SignatureReport::clone(&v),
            })
    } else {
        verifier.verify_envelope_at(&input, now).map(|v| Report {
            timestamp: v.timestamp(),
            xades: None,
            signature: SignatureReport::clone(&v),
        })
    };
    match result {
        Ok(report) => {
            if args.json {
                output::stdout(&format!("{:#}\n", report.json(now)))
            } else {
                output::stdout(&report.text(now))
            }
        }
        Err(err) => {
            if args.json {
                let doc = json!({
                    "valid": false,
                    "checked_at": rfc3339(now),
                    "error": err.to_string(),
                    "check": err.check().to_string(),
                });
                output::stdout(&format!("{doc:#}\n"))?;
            }
            Err(Failure::Failed(format!(
                "the signature does not hold ({} check): {err}",
                err.check()
            )))
        }
    }
}

fn verification_policy(args: &WssecVerifyArgs) -> Result<VerificationPolicy, Failure> {
    let mut trust = TrustAnchors::new();
    for path in &args.trust {
        let pem = read_file("--trust", path)?;
        trust
            .add_pem(&pem)
            .map_err(|e| Failure::Failed(format!("--trust {}: {e}", path.display())))?;
    }
    let mut policy = match args.profile {
        ProfileArg::P1 if !args.document => VerificationPolicy::p1(trust),
        _ => VerificationPolicy::new(trust),
    };
    for path in &args.certs {
        let pem = read_file("--cert", path)?;
        // A certificate named by reference may be the signer's or an intermediate CA's; it is
        // offered as both (the path check only uses what leads to a trust anchor).
        policy = policy
            .known_certificates_pem(&pem)
            .and_then(|p| p.intermediates_pem(&pem))
            .map_err(|e| Failure::Failed(format!("--cert {}: {e}", path.display())))?;
    }
    for text in &args.require {
        policy = policy.require_part(parse_part("--require", text)?);
    }
    if args.no_timestamp {
        policy = policy.require_timestamp(false);
    }
    if args.require_xades {
        policy = policy.require_xades(true);
    }
    Ok(policy.clock_skew(Duration::from_secs(args.clock_skew)))
}

/// What a successful verification established, for printing: the signature (what an envelope
/// and a document share), and what is particular to each.
struct Report {
    signature: SignatureReport,
    timestamp: Option<(OffsetDateTime, Option<OffsetDateTime>)>,
    /// A document's XAdES level and signed signing time.
    xades: Option<(String, Option<OffsetDateTime>)>,
}

impl Report {
    fn text(&self, now: OffsetDateTime) -> String {
        let signature = &self.signature;
        let mut out = String::from("signature: valid\n");
        if let Some(alg) = signature.algorithm() {
            out.push_str(&format!(
                "  algorithm:  {alg}, SHA-256 digests, exclusive C14N\n"
            ));
        }
        let key = match signature.token_reference() {
            Some(style) => style.to_string(),
            None => "X509Certificate in KeyInfo".to_owned(),
        };
        out.push_str(&format!("  key:        {key}\n"));
        if let Some(signer) = signature.signer() {
            out.push_str(&format!("  signer:     {}\n", signer.subject()));
            out.push_str(&format!("  issuer:     {}\n", signer.issuer()));
            out.push_str(&format!("  serial:     {}\n", signer.serial_decimal()));
            out.push_str(&format!(
                "  valid:      {} to {}\n",
                rfc3339(signer.not_before()),
                rfc3339(signer.not_after())
            ));
        }
        if let Some((created, expires)) = self.timestamp {
            let expires = expires.map_or_else(|| "never".to_owned(), rfc3339);
            out.push_str(&format!(
                "  timestamp:  created {}, expires {expires}\n",
                rfc3339(created)
            ));
        }
        if let Some((level, signing_time)) = &self.xades {
            let time = signing_time.map_or_else(
                || "no signing time".to_owned(),
                |t| format!("signing time {}", rfc3339(t)),
            );
            out.push_str(&format!("  xades:      {level}, {time}\n"));
        }
        out.push_str(&format!("  checked at: {}\n", rfc3339(now)));
        out.push_str("signed parts:\n");
        for r in signature.signed_references() {
            let uri = if r.uri().is_empty() {
                "\"\" (whole document)"
            } else {
                r.uri()
            };
            let part = r.part().map(|p| format!("  [{p}]")).unwrap_or_default();
            out.push_str(&format!("  {:<24} {}{part}\n", uri, r.path()));
        }
        out
    }

    fn json(&self, now: OffsetDateTime) -> serde_json::Value {
        let signature = &self.signature;
        json!({
            "valid": true,
            "checked_at": rfc3339(now),
            "algorithm": signature.algorithm().map(|a| a.to_string()),
            "token_reference": signature.token_reference().map(|t| t.to_string()),
            "signer": signature.signer().map(|s| json!({
                "subject": s.subject(),
                "issuer": s.issuer(),
                "serial": s.serial_decimal(),
                "not_before": rfc3339(s.not_before()),
                "not_after": rfc3339(s.not_after()),
            })),
            "timestamp": self.timestamp.map(|(created, expires)| json!({
                "created": rfc3339(created),
                "expires": expires.map(rfc3339),
            })),
            "xades": self.xades.as_ref().map(|(level, signing_time)| json!({
                "level": level,
                "signing_time": signing_time.map(rfc3339),
            })),
            "signed": signature.signed_references().iter().map(|r| json!({
                "uri": r.uri(),
                "element": r.expanded_name(),
                "path": r.path(),
                "part": r.part().map(|p| p.to_string()),
            })).collect::<Vec<_>>(),
        })
    }
}

/// RFC 3339 to the millisecond (WS-Security timestamps carry milliseconds).
fn rfc3339(t: OffsetDateTime) -> String {
    let t = t
        .replace_nanosecond(t.millisecond() as u32 * 1_000_000)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A signing certificate outside its validity period signs, but every receiver will refuse it.
fn warn_validity(cert: &CertificateInfo) {
    let now = OffsetDateTime::now_utc();
    if cert.not_after() < now {
        eprintln!(
            "warning: the signing certificate expired on {}; receivers will refuse the signature",
            cert.not_after().date()
        );
    } else if cert.not_before() > now {
        eprintln!(
            "warning: the signing certificate is valid only from {}; receivers will refuse the \
             signature until then",
            rfc3339(cert.not_before())
        );
    }
}

/// The input file, or stdin for `-` or no file.
fn read_input(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    match path {
        Some(p) if p != Path::new("-") => read_file("input", p),
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Failed(format!("cannot read stdin: {e}")))?;
            if buf.is_empty() {
                return Err(Failure::Usage(
                    "nothing on stdin: pass the XML file or pipe it in".to_owned(),
                ));
            }
            Ok(buf)
        }
    }
}

fn read_file(what: &str, path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failure::Failed(format!("cannot read {what} {}: {e}", path.display())))
}
