//! Project tasks.
//!
//! * `cargo xtask regen` — regenerates every `sdk-*` crate from `wsdl/*/codegen.toml`.
//! * `cargo xtask regen --check` — fails if any generated file is stale (run by CI).
//! * `cargo xtask conformance [DIR…]` — generates, compiles and round-trips every spec set
//!   under the given folders (default: `../shared/corpus`, `../shared/specs/published`).
//! * `cargo xtask features` — each `sdk-*` crate linted with no feature and with each feature
//!   alone (part of `ci`).
//! * `cargo xtask bench [--quick] [--no-zeep] [--stream-mb N] [--no-wssec]` — the codec benchmark against zeep
//!   and the quick-xml floors, WS-Security against xmlsec1, and each sdk crate's compile cost.
//! * `cargo xtask fuzz [--seconds N] [--jobs J] [--dev] [--seeds] [--keep] [TARGET…]` — every
//!   fuzz target of `sdk-fuzz` under libFuzzer (nightly), figures per target.
//! * `cargo xtask ci` — everything CI runs: formatting, regen --check, clippy, rustdoc with
//!   warnings denied, tests, a short run of every fuzz target, and the conformance run over the
//!   corpus and the published specs.

mod conformance;
mod fuzz;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(args.iter().any(|a| a == "--check")),
        Some("ci") => ci(),
        Some("features") => features_one_by_one(&workspace_root()),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("conformance") => conformance::run(&workspace_root(), &args[1..]),
        Some("import-pdf") => import_pdf(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask regen [--check] | import-pdf FILE.pdf [--spec-dir DIR] | conformance [DIR…] | features | bench [--quick] [--no-zeep] [--no-wssec] | fuzz [--seconds N] [--jobs J] [--dev] [--seeds] [--keep] [TARGET…] | ci"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `import-pdf FILE.pdf [--spec-dir DIR]`: the WSDL/XSD a PDF embeds become the service's
/// published description (default spec folder `wsdl/vzp`, whose authority publishes this way);
/// the differences from the description they replace are printed, then everything regenerates.
fn import_pdf(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let mut pdf = None;
    let mut spec_dir = root.join("wsdl/vzp");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--spec-dir" => {
                let dir = it.next().ok_or("--spec-dir needs a folder")?;
                spec_dir = root.join(dir);
            }
            other if pdf.is_none() && !other.starts_with("--") => pdf = Some(PathBuf::from(other)),
            other => return Err(format!("import-pdf: unexpected argument `{other}`")),
        }
    }
    let pdf = pdf.ok_or("usage: cargo xtask import-pdf FILE.pdf [--spec-dir DIR]")?;
    let report = codegen::import::import_pdf(&root, &spec_dir, &pdf).map_err(|e| e.to_string())?;
    let shown = codegen::import::relative(&spec_dir, &root);
    println!(
        "{}: service {} → {}/{}/ ({}), module `{}`, marked published",
        pdf.display(),
        report.service,
        shown.display(),
        report.folder,
        report.files.join(", "),
        report.module
    );
    for s in &report.skipped {
        println!("  skipped {s} (neither WSDL nor XSD)");
    }
    match &report.replaced {
        Some(old) => println!("differences from {}/{old}:", shown.display()),
        None => println!("a new service; it declares:"),
    }
    if report.differences.is_empty() {
        println!("  none: the same operations, elements and types");
    }
    for d in &report.differences {
        println!("  {d}");
    }
    regen(false)
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Spec folders with a `codegen.toml`, in a stable order.
fn spec_dirs(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut dirs = Vec::new();
    for kind in ["wsdl", "openapi", "positional"] {
        let base = root.join(kind);
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        for e in entries {
            let e = e.map_err(|e| format!("{}: {e}", base.display()))?;
            if e.path().join("codegen.toml").is_file() {
                dirs.push(e.path());
            }
        }
    }
    dirs.sort();
    // The generator's own fixtures: golden output compiled by the codegen-fixtures crate.
    dirs.push(root.join("codegen/fixtures/specs"));
    Ok(dirs)
}

fn regen(check: bool) -> Result<(), String> {
    let root = workspace_root();
    let mut stale = Vec::new();
    for dir in spec_dirs(&root)? {
        let files = codegen::generate_crate(&root, &dir).map_err(|e| e.to_string())?;
        let mut expected = BTreeSet::new();
        let mut out_dirs = BTreeSet::new();
        for f in &files {
            let path = root.join(&f.path);
            expected.insert(path.clone());
            if let Some(parent) = path.parent() {
                out_dirs.insert(parent.to_path_buf());
            }
            let current = std::fs::read_to_string(&path).ok();
            if current.as_deref() == Some(f.contents.as_str()) {
                continue;
            }
            if check {
                stale.push(f.path.display().to_string());
            } else {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                std::fs::write(&path, &f.contents)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                println!("wrote {}", f.path.display());
            }
        }
        // Files left over from services that no longer exist.
        for d in out_dirs {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "rs") && !expected.contains(&p) {
                    let shown = p.strip_prefix(&root).unwrap_or(&p).display().to_string();
                    if check {
                        stale.push(format!("{shown} (no longer generated)"));
                    } else {
                        std::fs::remove_file(&p).map_err(|e| format!("{shown}: {e}"))?;
                        println!("removed {shown}");
                    }
                }
            }
        }
    }
    if stale.is_empty() {
        if check {
            println!("generated code is up to date");
        }
        Ok(())
    } else {
        Err(format!(
            "generated code is stale; run `cargo xtask regen` and commit:\n  {}",
            stale.join("\n  ")
        ))
    }
}

/// Set by `cargo xtask ci`: every build it starts is a one-off on a fresh machine, so cargo's
/// incremental caches (about half of the disk a CI run used, 10 GB of 22 GB) only cost time and
/// space there.
static ONE_SHOT: AtomicBool = AtomicBool::new(false);

fn run(root: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    println!("==> {program} {}", args.join(" "));
    let mut cmd = Command::new(program);
    if ONE_SHOT.load(Ordering::Relaxed) {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
    let status = cmd
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Every `sdk-*` crate builds (lint-clean) with no feature and with each feature alone, as a
/// vendor depending on one service group gets it: a feature that needs another, or code that
/// only compiles with everything on, fails here rather than in a vendor's build.
fn features_one_by_one(root: &Path) -> Result<(), String> {
    let out = Command::new("cargo")
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata failed ({})", out.status));
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata: unreadable output: {e}"))?;
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    for p in &packages {
        let Some(name) = p["name"].as_str() else {
            continue;
        };
        let is_lib = p["targets"].as_array().is_some_and(|targets| {
            targets.iter().any(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k == "lib"))
            })
        });
        // The SDK libraries a vendor depends on (not the generator, the runtime beneath them, or
        // the benchmark program).
        if !is_lib || !name.starts_with("sdk-") || name == "sdk-codegen" || name == "sdk-runtime" {
            continue;
        }
        let mut features: Vec<String> = p["features"]
            .as_object()
            .map(|f| f.keys().filter(|k| *k != "default").cloned().collect())
            .unwrap_or_default();
        features.sort();
        let mut sets = vec![String::new()];
        sets.extend(features);
        for set in &sets {
            let mut args = vec!["clippy", "-q", "-p", name, "--lib", "--no-default-features"];
            if !set.is_empty() {
                args.extend(["--features", set.as_str()]);
            }
            args.extend(["--", "-D", "warnings"]);
            run(root, "cargo", &args)?;
        }
    }
    Ok(())
}

fn ci() -> Result<(), String> {
    let root = workspace_root();
    ONE_SHOT.store(true, Ordering::Relaxed);
    // The free disk space, so that a run that fails for want of it says so in its log.
    let _ = run(&root, "df", &["-h", "."]);
    let mut stages = Stages::default();
    stages.time("install test tools", || {
        run(&root, "bash", &["scripts/install-test-tools.sh"])
    })?;
    stages.time("fmt", || run(&root, "cargo", &["fmt", "--all", "--check"]))?;
    stages.time("regen --check", || {
        println!("==> regen --check");
        regen(true)
    })?;
    stages.time("clippy", || {
        run(
            &root,
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    stages.time("features one by one", || features_one_by_one(&root))?;
    // What docs.rs shows: broken intra-doc links or HTML in generated docs fail here.
    stages.time("doc", || {
        run(
            &root,
            "cargo",
            &[
                "doc",
                "--no-deps",
                "--workspace",
                "--all-features",
                "--config",
                "build.rustdocflags=[\"-D\", \"warnings\"]",
            ],
        )
    })?;
    stages.time("test", || {
        run(&root, "cargo", &["test", "--workspace", "--all-features"])
    })?;
    // A short run of every fuzz target under libFuzzer (an unoptimised build: quick to build);
    // the long runs are `cargo xtask fuzz --seconds N`.
    stages.time("fuzz (short run)", || {
        println!("==> fuzz (short run)");
        let short: Vec<String> = ["--dev", "--seconds", "10"].map(String::from).to_vec();
        fuzz::fuzz(&short)
    })?;
    // The generator over specs nobody here wrote: every set must generate, compile and
    // round-trip (the report lands in target/conformance/report.json).
    stages.time("conformance", || {
        println!("==> conformance");
        conformance::run(&root, &[])
    })?;
    let _ = run(&root, "df", &["-h", "."]);
    Ok(())
}

/// Wall time of each stage of `cargo xtask ci`, printed after every stage (so that a run cut
/// short still shows where its time went) and summed at the end.
#[derive(Default)]
struct Stages {
    done: Vec<(&'static str, f64)>,
}

impl Stages {
    fn time(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<(), String>,
    ) -> Result<(), String> {
        let started = std::time::Instant::now();
        let result = f();
        let seconds = started.elapsed().as_secs_f64();
        self.done.push((name, seconds));
        let total: f64 = self.done.iter().map(|(_, s)| s).sum();
        println!(
            "==> stage `{name}` {}: {seconds:.0} s (ci so far {total:.0} s)",
            if result.is_ok() { "done" } else { "FAILED" }
        );
        result
    }
}

/// `cargo xtask bench [--quick] [--no-zeep] [--stream-mb N] [--no-wssec]`: the codec benchmark
/// (`sdk-bench`: our decode and encode of every sdk crate's messages next to zeep and the
/// quick-xml floors, and a CeR list answer of N MB, 1000 by default, read streaming), the WS-Security
/// benchmark against xmlsec1, and the compile cost of each sdk crate (its own clean release
/// build, dependencies built; generated lines per generated type). Prints; asserts nothing.
fn bench(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let quick = args.iter().any(|a| a == "--quick");
    run(&root, "bash", &["scripts/install-test-tools.sh"])?;
    let mut bench_args = vec!["run", "--release", "-q", "-p", "sdk-bench", "--"];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" | "--no-zeep" => bench_args.push(a),
            "--stream-mb" => {
                bench_args.push(a);
                bench_args.push(it.next().ok_or("--stream-mb needs a number of MB")?);
            }
            _ => {}
        }
    }
    run(&root, "cargo", &bench_args)?;
    if !args.iter().any(|a| a == "--no-wssec") {
        println!("\n==> WS-Security sign and verify against xmlsec1");
        run(
            &root,
            "cargo",
            &[
                "bench",
                "-q",
                "-p",
                "sdk-runtime",
                "--features",
                "sandbox",
                "--bench",
                "wssec",
            ],
        )?;
    }
    println!("\n==> compile cost (release, each crate's own build after its dependencies)");
    let mut table = String::from(
        "| crate | own release build s | generated lines | generated types | lines per type |\n|---|---:|---:|---:|---:|\n",
    );
    for krate in [
        "sdk-runtime",
        "sdk-vzp",
        "sdk-p1",
        "sdk-sukl",
        "sdk-vecozo",
        "sdk-chongqing",
    ] {
        let features: &[&str] = if krate == "sdk-runtime" {
            &[]
        } else {
            &["--all-features"]
        };
        let mut build = vec!["build", "-q", "--release", "-p", krate];
        build.extend(features);
        // Dependencies first, then the crate alone from clean.
        run(&root, "cargo", &build)?;
        if !quick {
            run(&root, "cargo", &["clean", "-q", "--release", "-p", krate])?;
        }
        let started = std::time::Instant::now();
        run(&root, "cargo", &build)?;
        let secs = started.elapsed().as_secs_f64();
        let (lines, types) = generated_size(&root.join(krate).join("src/generated"));
        let per_type = if types == 0 {
            "–".to_owned()
        } else {
            format!("{:.0}", lines as f64 / types as f64)
        };
        table.push_str(&format!(
            "| {krate} | {secs:.1} | {lines} | {types} | {per_type} |\n"
        ));
    }
    println!("\n{table}");
    Ok(())
}

/// Lines and generated types (`pub struct` / `pub enum` items) of the generated files under
/// `dir`.
fn generated_size(dir: &Path) -> (usize, usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    let mut lines = 0;
    let mut types = 0;
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        lines += text.lines().count();
        types += text
            .lines()
            .filter(|l| {
                let l = l.trim_start();
                l.starts_with("pub struct ") || l.starts_with("pub enum ")
            })
            .count();
    }
    (lines, types)
}
