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

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{CrateDir, Generated, RoundTrips, Set, SpecDefect};

/// Directory of the samples in the crate.
const SAMPLES: &str = "samples";
/// Directory the harness writes its re-encoded samples to.
const OUT: &str = "out";
/// The list of the samples ([`Case`]s) in the crate.
const CASES: &str = "cases.json";

/// Generates the REST module of an OpenAPI or Swagger file, its round-trip harness and samples.
pub(crate) fn generate(set: &Set) -> Result<Generated, String> {
    let module = codegen::openapi::generate_with(&set.path, &set.name, &set.locations)
        .map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let mut cases = Vec::new();
    let mut list = Vec::new();
    for (i, s) in module.samples.iter().enumerate() {
        let stem = format!("s{:04}", i + 1);
        let mut case = json!({
            "label": s.label,
            "rust_type": s.rust_type,
            "pointer": s.schema_pointer,
            "value": s.value,
        });
        if let (Some(u), Some(obj)) = (&s.unsatisfiable, case.as_object_mut()) {
            obj.insert("unsatisfiable".into(), Value::String(u.reason.clone()));
        }
        let text = serde_json::to_string_pretty(&case).map_err(|e| e.to_string())?;
        files.push((PathBuf::from(SAMPLES).join(format!("{stem}.json")), text));
        cases.push((stem.clone(), s.rust_type.clone()));
        list.push(Case {
            stem,
            label: s.label.clone(),
            pointer: s.schema_pointer.clone(),
            unsatisfiable: s.unsatisfiable.as_ref().map(|u| u.reason.clone()),
            properties: s
                .unsatisfiable
                .as_ref()
                .map(|u| u.properties.clone())
                .unwrap_or_default(),
        });
    }
    files.push((PathBuf::from("src/main.rs"), harness(set, &cases)));
    files.push((
        PathBuf::from(CASES),
        serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?,
    ));
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
        r#"//! Round-trip harness of `{shown}`, written by `cargo xtask conformance`:
//! decodes every sample in `samples/` into its Rust type, encodes it back, compares the JSON
//! values and writes the encoded value to `out/`.

#[allow(unused_imports)]
use {krate}::generated::types;

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

/// One sample as written into the crate (`samples/<stem>.json`).
#[derive(Serialize, Deserialize)]
struct Case {
    stem: String,
    label: String,
    pointer: String,
    /// Why the generator says no value can be valid.
    unsatisfiable: Option<String>,
    /// The properties the validator's complaints must then concern.
    #[serde(default)]
    properties: Vec<String>,
}

/// The crate's samples, as listed by [`generate`]; sample files it does not list (left by an
/// earlier run of a changed spec) are removed.
fn read_cases(dir: &Path) -> Result<Vec<Case>, String> {
    let path = dir.join(CASES);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let cases: Vec<Case> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let samples = dir.join(SAMPLES);
    if let Ok(entries) = std::fs::read_dir(&samples) {
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let listed = name
                .strip_suffix(".json")
                .is_some_and(|stem| cases.iter().any(|c| c.stem == stem));
            if !listed {
                std::fs::remove_file(e.path())
                    .map_err(|err| format!("{}: {err}", e.path().display()))?;
            }
        }
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
    let mut codec = Codec::new();
    for line in stdout.lines() {
        if let Some(stem) = line.strip_prefix("ok ") {
            codec.insert(stem.trim().to_owned(), Ok(()));
        } else if let Some(rest) = line.strip_prefix("fail ") {
            let (stem, reason) = rest.split_once(": ").unwrap_or((rest, ""));
            codec.insert(stem.to_owned(), Err(reason.to_owned()));
        }
    }
    let verdicts = validate(&cx.set.path, cx.dir)?;
    Ok(classify(&cases, &codec, &verdicts))
}

/// What the harness said of each case (by stem): `Err` with the reason when it failed.
type Codec = BTreeMap<String, Result<(), String>>;

/// Passed, spec defect or failed, for every case: a case passes when it round-trips and both
/// copies validate; it is a spec defect when it round-trips, is marked unsatisfiable, and both
/// copies are rejected for the predicted reason only (every validator error concerns one of the
/// properties the generator named); anything else fails, a marked case the validator accepts
/// included.
fn classify(cases: &[Case], codec: &Codec, verdicts: &Verdicts) -> RoundTrips {
    let mut rt = RoundTrips {
        tried: cases.len(),
        ..RoundTrips::default()
    };
    let mut failed = 0;
    let mut fail = |rt: &mut RoundTrips, c: &Case, what: String| {
        failed += 1;
        if rt.first_error.is_none() {
            rt.first_error = Some(format!("{} ({}): {what}", c.label, c.stem));
        }
    };
    for c in cases {
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
        let Some(reason) = &c.unsatisfiable else {
            if !original.is_empty() {
                fail(&mut rt, c, format!("sample invalid: {}", brief(original)));
            } else if !output.is_empty() {
                fail(&mut rt, c, format!("re-encoded invalid: {}", brief(output)));
            } else {
                rt.passed += 1;
            }
            continue;
        };
        if original.is_empty() || output.is_empty() {
            let which = if original.is_empty() {
                "the sample"
            } else {
                "the re-encoded sample"
            };
            fail(
                &mut rt,
                c,
                format!("marked unsatisfiable ({reason}) but the validator accepts {which}"),
            );
            continue;
        }
        let unrelated = original
            .iter()
            .chain(output)
            .find(|e| !concerns(e, &c.properties));
        if let Some(e) = unrelated {
            fail(
                &mut rt,
                c,
                format!("marked unsatisfiable ({reason}), but also invalid otherwise: {e}"),
            );
            continue;
        }
        rt.spec_defects.push(SpecDefect {
            sample: c.label.clone(),
            pointer: c.pointer.clone(),
            reason: format!("unsatisfiable: {reason}"),
            validator: brief(original),
        });
    }
    if failed > 1
        && let Some(e) = &mut rt.first_error
    {
        *e = format!("{failed} samples failed; first: {e}");
    }
    rt
}

/// The first validator errors of a case, in one line.
fn brief(errors: &[String]) -> String {
    let mut s = errors
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if errors.len() > 3 {
        let _ = write!(s, " (+{} more)", errors.len() - 3);
    }
    s
}

/// Whether a validator error (`<pointer> (<validator>) at /<path>: <message>`) concerns one of
/// `properties`: one is a step of its path, or is quoted in its message (`'name'`, as in
/// "Additional properties are not allowed ('x' was unexpected)" or "'x' is a required
/// property"). Without properties (an impossible scalar body) any error does.
fn concerns(error: &str, properties: &[String]) -> bool {
    if properties.is_empty() {
        return true;
    }
    let Some(at) = error.find(") at /") else {
        return false;
    };
    let located = &error[at + ") at ".len()..];
    let (path, message) = located.split_once(": ").unwrap_or((located, ""));
    properties
        .iter()
        .any(|p| path.split('/').any(|step| step == p) || message.contains(&format!("'{p}'")))
}

/// What the validator said of each case (`samples/sNNNN.json`, `out/sNNNN.json`): its errors,
/// none when valid.
type Verdicts = BTreeMap<String, Vec<String>>;

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
        let errors: Vec<String> = c
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        verdicts.insert(case.to_owned(), errors);
    }
    Ok(verdicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(stem: &str, unsatisfiable: Option<&str>) -> Case {
        Case {
            stem: stem.into(),
            label: format!("label {stem}"),
            pointer: "/components/schemas/X".into(),
            unsatisfiable: unsatisfiable.map(str::to_owned),
            properties: unsatisfiable
                .map(|_| vec!["until".to_owned()])
                .unwrap_or_default(),
        }
    }

    fn verdicts(list: &[(&str, &[&str], &[&str])]) -> Verdicts {
        let owned = |e: &[&str]| e.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let mut v = Verdicts::new();
        for (stem, original, output) in list {
            v.insert(format!("{SAMPLES}/{stem}.json"), owned(original));
            v.insert(format!("{OUT}/{stem}.json"), owned(output));
        }
        v
    }

    fn codec(list: &[(&str, Result<(), &str>)]) -> Codec {
        list.iter()
            .map(|(s, r)| ((*s).to_owned(), r.map_err(str::to_owned)))
            .collect()
    }

    const DATE: &str =
        "`Drug.until`: `format: date` values are 10 characters long, but maxLength is 1";

    #[test]
    fn valid_round_trips_pass_and_confirmed_defects_are_counted_apart() {
        let cases = [case("s1", None), case("s2", Some(DATE))];
        let bad = ["/p (V) at /until: 'X' is not a 'date'"];
        let rt = classify(
            &cases,
            &codec(&[("s1", Ok(())), ("s2", Ok(()))]),
            &verdicts(&[("s1", &[], &[]), ("s2", &bad, &bad)]),
        );
        assert_eq!((rt.tried, rt.passed, rt.spec_defects.len()), (2, 1, 1));
        assert_eq!(rt.first_error, None);
        let d = &rt.spec_defects[0];
        assert_eq!(d.sample, "label s2");
        assert_eq!(d.reason, format!("unsatisfiable: {DATE}"));
        assert_eq!(d.validator, bad[0]);
    }

    #[test]
    fn a_defect_the_validator_accepts_fails_so_that_detection_cannot_go_stale() {
        let cases = [case("s1", Some(DATE))];
        let rt = classify(
            &cases,
            &codec(&[("s1", Ok(()))]),
            &verdicts(&[("s1", &[], &[])]),
        );
        assert_eq!((rt.passed, rt.spec_defects.len()), (0, 0));
        let e = rt.first_error.unwrap_or_default();
        assert!(e.contains("but the validator accepts the sample"), "{e}");
    }

    #[test]
    fn a_defect_sample_rejected_for_another_reason_too_fails() {
        let cases = [case("s1", Some(DATE))];
        let errors = [
            "/p (V) at /until: 'X' is not a 'date'",
            "/p (V) at /code: 5 is not of type 'string'",
        ];
        let rt = classify(
            &cases,
            &codec(&[("s1", Ok(()))]),
            &verdicts(&[("s1", &errors, &errors)]),
        );
        assert_eq!((rt.passed, rt.spec_defects.len()), (0, 0));
        let e = rt.first_error.unwrap_or_default();
        assert!(
            e.ends_with("also invalid otherwise: /p (V) at /code: 5 is not of type 'string'"),
            "{e}"
        );
    }

    #[test]
    fn codec_and_validation_failures_fail_even_for_marked_samples() {
        let cases = [
            case("s1", None),
            case("s2", None),
            case("s3", Some(DATE)),
            case("s4", None),
        ];
        let r = ["/p (V) at /until: 'X' is not a 'date'"];
        let rt = classify(
            &cases,
            &codec(&[
                ("s1", Err("does not decode")),
                ("s2", Ok(())),
                ("s3", Err("no")),
            ]),
            &verdicts(&[("s2", &[], &["bad"]), ("s3", &r, &r)]),
        );
        assert_eq!((rt.tried, rt.passed, rt.spec_defects.len()), (4, 0, 0));
        assert_eq!(
            rt.first_error.as_deref(),
            Some("4 samples failed; first: label s1 (s1): round-trip: does not decode")
        );
    }

    #[test]
    fn errors_concern_properties_on_their_path_or_quoted_in_their_message() {
        let props = ["NEOMEZ".to_owned(), "berichttype".to_owned()];
        for yes in [
            "/definitions/Scau (OAS30Validator) at /0/NEOMEZ: 'X' is not a 'date'",
            "/components/schemas/Zoekpad (OAS30Validator) at /: Additional properties are not allowed ('actie', 'berichttype' were unexpected)",
            "/x (OAS30WriteValidator) at /: 'berichttype' is a required property",
        ] {
            assert!(concerns(yes, &props), "{yes}");
        }
        for no in [
            "/definitions/NEOMEZ (OAS30Validator) at /0/code: 5 is not of type 'string'",
            "/x (OAS30Validator) at /NEOMEZX: 'X' is not a 'date'",
            "/x (OAS30Validator) at /: Additional properties are not allowed ('berichttypes' was unexpected)",
            "no location",
        ] {
            assert!(!concerns(no, &props), "{no}");
        }
        assert!(concerns("anything", &[]));
    }
}
