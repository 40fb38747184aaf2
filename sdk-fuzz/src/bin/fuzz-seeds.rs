//! Writes the seed corpora of the fuzz targets (`cargo run -p sdk-fuzz --features seeds --bin
//! fuzz-seeds -- [DIR]`, `fuzz/corpus` by default), one folder per target:
//!
//! * `answers_<crate>`: for every SOAP operation of the crate, the type model's sample answers
//!   (every optional part; only what is required; each choice branch — the same samples as the
//!   conformance run) in a SOAP envelope with status 200, and a SOAP fault with status 500; for
//!   every REST operation, an empty JSON object and array.
//! * `xml_document`, `soap_envelope`, `c14n`: the same envelopes.
//! * `xml_records`: the samples of CeR's visit list.
//! * `wssec_verify`: envelopes signed with the fuzz key (`fuzz/keys`) at the fixed time the
//!   target verifies against, and an enveloped-signature document.
//!
//! Each sample is first decoded by the crate's own decoder; only those that decode are kept, so
//! a seed starts the fuzzer deep inside the generated code.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sdk_fuzz::answers::{input, operations};
use sdk_runtime::answers::{AnswerDecoder, Decoded, Spec};
use sdk_runtime::bytes::Bytes;
use sdk_runtime::soap::{SOAP11_NS, SOAP12_NS, SoapVersion};
use sdk_runtime::wssec::{SigningIdentity, SigningProfile, WsSecuritySigner};

/// The largest seed kept: larger samples (a CDA document with every optional part) slow the
/// fuzzer more than they teach it.
const MAX_SEED: usize = 32 * 1024;
/// Samples kept per operation (the full, the minimal and one choice branch).
const PER_OPERATION: usize = 3;

type Modules = &'static [(&'static str, &'static [AnswerDecoder])];

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("{n} seeds written");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fuzz-seeds: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Corpus {
    dir: PathBuf,
    written: usize,
}

impl Corpus {
    fn put(&mut self, target: &str, name: &str, bytes: &[u8]) -> Result<(), String> {
        if bytes.len() > MAX_SEED {
            return Ok(());
        }
        let dir = self.dir.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(file);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        self.written += 1;
        Ok(())
    }
}

fn run() -> Result<usize, String> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("fuzz/corpus"));
    let mut corpus = Corpus { dir, written: 0 };
    let crates: [(&str, &str, Modules); 4] = [
        ("answers_vzp", "wsdl/vzp", sdk_vzp::generated::ANSWERS),
        ("answers_p1", "wsdl/p1", sdk_p1::generated::ANSWERS),
        ("answers_sukl", "openapi/sukl", sdk_sukl::generated::ANSWERS),
        (
            "answers_vecozo",
            "wsdl/vecozo",
            sdk_vecozo::generated::ANSWERS,
        ),
    ];
    let mut envelopes = Vec::new();
    for (target, spec_dir, modules) in crates {
        let samples = samples_of(&workspace().join(spec_dir))?;
        for (i, (module, op)) in operations(modules).iter().enumerate() {
            let name = format!("{module}-{}", op.operation());
            match op.spec() {
                Spec::Soap(spec) => {
                    let key = (spec.output.ns.to_owned(), spec.output.local.to_owned());
                    let mut kept = 0;
                    for (k, xml) in samples.get(&key).into_iter().flatten().enumerate() {
                        if kept == PER_OPERATION {
                            break;
                        }
                        let env = envelope(spec.version, xml);
                        // Only samples the crate decodes: a seed must reach the output.
                        if let Decoded::Output { .. } =
                            op.decode(200, Bytes::copy_from_slice(env.as_bytes()))
                        {
                            corpus.put(
                                target,
                                &format!("{name}-{k}"),
                                &input(i, 200, env.as_bytes()),
                            )?;
                            if name.contains("pobierzListeWizyt") {
                                corpus.put(
                                    "xml_records",
                                    &format!("{name}-{k}"),
                                    env.as_bytes(),
                                )?;
                            }
                            envelopes.push((format!("{name}-{k}"), spec.version, env));
                            kept += 1;
                        }
                    }
                    let fault = fault(spec.version);
                    corpus.put(
                        target,
                        &format!("{name}-fault"),
                        &input(i, 500, fault.as_bytes()),
                    )?;
                }
                #[allow(unreachable_patterns)]
                _ => {
                    corpus.put(target, &format!("{name}-object"), &input(i, 200, b"{}"))?;
                    corpus.put(target, &format!("{name}-array"), &input(i, 200, b"[]"))?;
                }
            }
        }
    }
    // The runtime's readers: a spread of the envelopes (every tenth, one per version at least).
    for (n, (name, _, env)) in envelopes.iter().enumerate() {
        if n % 10 == 0 {
            for target in ["xml_document", "soap_envelope", "c14n"] {
                corpus.put(target, name, env.as_bytes())?;
            }
        }
    }
    for (version, name) in [
        (SoapVersion::V11, "fault-11"),
        (SoapVersion::V12, "fault-12"),
    ] {
        corpus.put("soap_envelope", name, fault(version).as_bytes())?;
    }
    signed(&mut corpus, &envelopes)?;
    Ok(corpus.written)
}

/// The type model's samples of every root element of every SOAP service in `spec_dir`'s
/// `codegen.toml`, by element name.
fn samples_of(spec_dir: &Path) -> Result<BTreeMap<(String, String), Vec<String>>, String> {
    let config = codegen::config::CrateConfig::read(&spec_dir.join("codegen.toml"))
        .map_err(|e| e.to_string())?;
    let locations = config.locations(spec_dir).map_err(|e| e.to_string())?;
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for s in &config.services {
        let module =
            codegen::generate_wsdl_module_with(&spec_dir.join(&s.wsdl), &s.wsdl, &locations)
                .map_err(|e| format!("{}: {e}", s.wsdl))?;
        for sample in codegen::xml_samples::samples(&module.model, &module.elements) {
            let Some(root) = module.elements.get(sample.root) else {
                continue;
            };
            let body = sample
                .xml
                .trim_start()
                .strip_prefix("<?xml")
                .and_then(|rest| rest.split_once("?>").map(|(_, b)| b.to_owned()))
                .unwrap_or(sample.xml);
            out.entry((root.name.ns.clone(), root.name.local.clone()))
                .or_default()
                .push(body);
        }
    }
    Ok(out)
}

fn envelope(version: SoapVersion, body: &str) -> String {
    let ns = match version {
        SoapVersion::V12 => SOAP12_NS,
        _ => SOAP11_NS,
    };
    format!("<s:Envelope xmlns:s=\"{ns}\"><s:Header/><s:Body>{body}</s:Body></s:Envelope>")
}

fn fault(version: SoapVersion) -> String {
    match version {
        SoapVersion::V12 => format!(
            "<s:Envelope xmlns:s=\"{SOAP12_NS}\"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value>\
             </s:Code><s:Reason><s:Text xml:lang=\"en\">failed</s:Text></s:Reason><s:Detail><d:x \
             xmlns:d=\"urn:d\">1</d:x></s:Detail></s:Fault></s:Body></s:Envelope>"
        ),
        _ => format!(
            "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><s:Fault><faultcode>s:Server</faultcode>\
             <faultstring>failed</faultstring><detail><d:x xmlns:d=\"urn:d\">1</d:x></detail>\
             </s:Fault></s:Body></s:Envelope>"
        ),
    }
}

/// Envelopes signed with the fuzz key at [`sdk_fuzz::markup::signed_at`], and enveloped
/// documents; each checked to verify in the target before it is kept.
fn signed(corpus: &mut Corpus, envelopes: &[(String, SoapVersion, String)]) -> Result<(), String> {
    let identity =
        SigningIdentity::from_pem(sdk_fuzz::markup::FUZZ_SIGNER_PEM).map_err(|e| e.to_string())?;
    let signer = WsSecuritySigner::new(identity.clone(), SigningProfile::new());
    let at = sdk_fuzz::markup::signed_at();
    let mut kept = 0;
    for (name, _, env) in envelopes.iter().filter(|(_, _, e)| e.len() < 4096) {
        if kept == 6 {
            break;
        }
        let signed = signer
            .sign_envelope_at(env.as_bytes(), at)
            .map_err(|e| format!("{name}: {e}"))?;
        if sdk_fuzz::markup::wssec_verify(&signed) == sdk_fuzz::Outcome::Read {
            corpus.put("wssec_verify", &format!("signed-{name}"), &signed)?;
            kept += 1;
        }
    }
    let document = "<d:Dokument xmlns:d=\"urn:example:dokument\" Id=\"d1\"><d:Pole>hodnota</d:Pole>\
                    <d:Pole a=\"1\">druhá</d:Pole></d:Dokument>";
    let signed = sdk_runtime::wssec::sign_enveloped_document(&identity, document.as_bytes())
        .map_err(|e| format!("enveloped document: {e}"))?;
    if sdk_fuzz::markup::wssec_verify(&signed) == sdk_fuzz::Outcome::Read {
        corpus.put("wssec_verify", "enveloped-document", &signed)?;
        kept += 1;
    }
    if kept == 0 {
        return Err("no signed seed verifies in the wssec_verify target".into());
    }
    Ok(())
}
