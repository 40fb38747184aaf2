//! OpenAPI 3.0 / Swagger 2.0 sets: generation through `codegen::openapi`, JSON round-trips.
//!
//! Every JSON sample the generator makes (`codegen::openapi::JsonSample`) goes into the crate as
//! `samples/sNNNN.json`; the generated harness `src/main.rs` decodes each into its Rust type,
//! encodes it back, compares the two JSON values and writes what it encoded to `out/sNNNN.json`.
//! `scripts/validate-json-schema.py` then judges the originals and the outputs against the
//! schema at each sample's pointer, in one run per set.
//!
//! A sample the generator marked as unsatisfiable (the spec's own constraints admit no value,
//! e.g. a `date` string with `maxLength: 1`) must still round-trip, and the validator must
//! reject it: it is then a spec defect, counted apart from passes. If the validator accepts it,
//! the detection was wrong and the sample fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use super::{CrateDir, Generated, RoundTrips, Set, SpecDefect};

/// Directory of the samples in the crate.
const SAMPLES: &str = "samples";
/// Directory the harness writes its re-encoded samples to.
const OUT: &str = "out";

/// Generates the REST module of an OpenAPI or Swagger file, its round-trip harness and samples.
pub(crate) fn generate(set: &Set) -> Result<Generated, String> {
    let module = codegen::openapi::generate(&set.path, &set.name).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let mut cases = Vec::new();
    for (i, s) in module.samples.iter().enumerate() {
        let stem = format!("s{:04}", i + 1);
        let mut case = json!({
            "label": s.label,
            "rust_type": s.rust_type,
            "pointer": s.schema_pointer,
            "value": s.value,
        });
        if let (Some(reason), Some(obj)) = (&s.unsatisfiable, case.as_object_mut()) {
            obj.insert("unsatisfiable".into(), Value::String(reason.clone()));
        }
        let text = serde_json::to_string_pretty(&case).map_err(|e| e.to_string())?;
        files.push((PathBuf::from(SAMPLES).join(format!("{stem}.json")), text));
        cases.push((stem, s.rust_type.clone()));
    }
    files.push((PathBuf::from("src/main.rs"), harness(set, &cases)));
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .unwrap_or_default();
    let pin = |name: &str| {
        locked_version(&lock, name).map_or_else(|| "1".to_owned(), |v| format!("={v}"))
    };
    let dependencies = format!(
        "sdk-runtime = {{ workspace = true, features = [\"rest\"] }}\n\
         serde = {{ version = \"{}\", features = [\"derive\"] }}\n\
         serde_json = \"{}\"\n",
        pin("serde"),
        pin("serde_json"),
    );
    Ok(Generated {
        code: module.code,
        types: module.types,
        operations: module.operations,
        dependencies,
        files,
    })
}

/// The version of `name` in a `Cargo.lock` (the first entry when there are several).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == format!("name = \"{name}\"") {
            let v = lines.next()?.trim();
            return v
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_owned);
        }
    }
    None
}

/// The harness: one line per case on stdout, `ok <stem>` or `fail <stem>: <reason>`.
fn harness(set: &Set, cases: &[(String, String)]) -> String {
    let mut table = String::new();
    for (stem, ty) in cases {
        let _ = writeln!(table, "    ({stem:?}, round_trip::<{ty}>),");
    }
    format!(
        r#"//! Round-trip harness for `{shown}` (written by `cargo xtask conformance`): decodes every
//! sample in `samples/` into its Rust type, encodes it back, compares the JSON values and writes
//! the encoded value to `out/`.

#[allow(unused_imports)]
use {krate}::generated::*;

type Codec = fn(&str) -> Result<String, String>;

/// (sample file stem, codec of its type)
const CASES: &[(&str, Codec)] = &[
{table}];

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> Result<String, String> {{
    let x: T = serde_json::from_str(text).map_err(|e| format!("does not decode: {{e}}"))?;
    serde_json::to_string(&x).map_err(|e| format!("does not encode: {{e}}"))
}}

fn case(stem: &str, codec: Codec) -> Result<(), String> {{
    let path = format!("{SAMPLES}/{{stem}}.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{{path}}: {{e}}"))?;
    let mut sample: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{{path}}: {{e}}"))?;
    let value = sample.get("value").cloned().unwrap_or_default();
    let wire = serde_json::to_string(&value).map_err(|e| e.to_string())?;
    let back = codec(&wire)?;
    let back: serde_json::Value =
        serde_json::from_str(&back).map_err(|e| format!("encodes invalid JSON: {{e}}"))?;
    let differs = back != value;
    if let Some(obj) = sample.as_object_mut() {{
        obj.insert("value".to_owned(), back.clone());
    }}
    let out = format!("{OUT}/{{stem}}.json");
    std::fs::write(&out, sample.to_string()).map_err(|e| format!("{{out}}: {{e}}"))?;
    if differs {{
        return Err(format!("re-encodes differently: {{back}}"));
    }}
    Ok(())
}}

fn main() -> std::process::ExitCode {{
    if let Err(e) = std::fs::create_dir_all("{OUT}") {{
        eprintln!("{OUT}: {{e}}");
        return std::process::ExitCode::FAILURE;
    }}
    for (stem, codec) in CASES {{
        match case(stem, *codec) {{
            Ok(()) => println!("ok {{stem}}"),
            Err(e) => println!("fail {{stem}}: {{}}", e.replace('\n', " ")),
        }}
    }}
    std::process::ExitCode::SUCCESS
}}
"#,
        shown = set.name,
        krate = super::crate_name(set),
    )
}

/// One sample as written into the crate.
struct Case {
    stem: String,
    label: String,
    pointer: String,
    unsatisfiable: Option<String>,
}

fn read_cases(dir: &Path) -> Result<Vec<Case>, String> {
    let samples = dir.join(SAMPLES);
    let mut stems: Vec<String> = match std::fs::read_dir(&samples) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".json").map(str::to_owned)
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("{}: {e}", samples.display())),
    };
    stems.sort();
    let mut cases = Vec::new();
    for stem in stems {
        let path = samples.join(format!("{stem}.json"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        cases.push(Case {
            label: field("label").unwrap_or_else(|| stem.clone()),
            pointer: field("pointer").unwrap_or_default(),
            unsatisfiable: field("unsatisfiable"),
            stem,
        });
    }
    Ok(cases)
}

/// Round-trips the JSON samples of a generated REST crate and validates originals and outputs.
pub(crate) fn round_trip(cx: &CrateDir<'_>) -> RoundTrips {
    match try_round_trip(cx) {
        Ok(rt) => rt,
        Err(e) => RoundTrips {
            tried: read_cases(cx.dir).map_or(0, |c| c.len()),
            first_error: Some(e),
            ..RoundTrips::default()
        },
    }
}

fn try_round_trip(cx: &CrateDir<'_>) -> Result<RoundTrips, String> {
    let cases = read_cases(cx.dir)?;
    let out = cx.dir.join(OUT);
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let stdout = cx.run_harness(&[])?;
    let mut codec: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    for line in stdout.lines() {
        if let Some(stem) = line.strip_prefix("ok ") {
            codec.insert(stem.trim().to_owned(), Ok(()));
        } else if let Some(rest) = line.strip_prefix("fail ") {
            let (stem, reason) = rest.split_once(": ").unwrap_or((rest, ""));
            codec.insert(stem.to_owned(), Err(reason.to_owned()));
        }
    }
    let verdicts = validate(&cx.set.path, cx.dir)?;

    let mut rt = RoundTrips {
        tried: cases.len(),
        ..RoundTrips::default()
    };
    let fail = |rt: &mut RoundTrips, c: &Case, what: String| {
        if rt.first_error.is_none() {
            rt.first_error = Some(format!("{} ({}): {what}", c.label, c.stem));
        }
    };
    for c in &cases {
        match codec.get(&c.stem) {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                fail(&mut rt, c, format!("round-trip: {e}"));
                continue;
            }
            None => {
                fail(&mut rt, c, "the harness did not report it".to_owned());
                continue;
            }
        }
        let (Some(original), Some(output)) = (
            verdicts.get(&format!("{SAMPLES}/{}.json", c.stem)),
            verdicts.get(&format!("{OUT}/{}.json", c.stem)),
        ) else {
            fail(&mut rt, c, "the validator did not judge it".to_owned());
            continue;
        };
        match (&c.unsatisfiable, original, output) {
            (None, None, None) => rt.passed += 1,
            (None, Some(e), _) => fail(&mut rt, c, format!("sample invalid: {e}")),
            (None, None, Some(e)) => fail(&mut rt, c, format!("re-encoded invalid: {e}")),
            // A spec defect: both copies rejected, as the detection predicted.
            (Some(reason), Some(e), Some(_)) => rt.spec_defects.push(SpecDefect {
                sample: c.label.clone(),
                pointer: c.pointer.clone(),
                reason: format!("unsatisfiable: {reason}"),
                validator: e.clone(),
            }),
            (Some(reason), _, _) => fail(
                &mut rt,
                c,
                format!(
                    "marked unsatisfiable ({reason}) but the validator accepts {}",
                    if original.is_none() {
                        "the sample"
                    } else {
                        "the re-encoded sample"
                    }
                ),
            ),
        }
    }
    Ok(rt)
}

/// What the validator said of each case (`samples/sNNNN.json`, `out/sNNNN.json`): `None` when
/// valid, its reasons otherwise.
type Verdicts = BTreeMap<String, Option<String>>;

/// Runs the schema validator once over `samples/` and `out/`.
fn validate(spec: &Path, dir: &Path) -> Result<Verdicts, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/validate-json-schema.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--json")
        .arg(spec)
        .arg(dir.join(SAMPLES))
        .arg(dir.join(OUT))
        .output()
        .map_err(|e| format!("cannot run python3 {}: {e}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Exit 0: all valid, 1: some invalid; anything else is a broken run.
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(format!(
            "{} failed ({}): {}{}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            stdout.trim()
        ));
    }
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| format!("{}: no JSON report in its output", script.display()))?;
    let mut verdicts = Verdicts::new();
    for c in report
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(case) = c.get("case").and_then(Value::as_str) else {
            continue;
        };
        let errors: Vec<&str> = c
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        verdicts.insert(
            case.to_owned(),
            (!errors.is_empty()).then(|| errors.join("; ")),
        );
    }
    Ok(verdicts)
}
