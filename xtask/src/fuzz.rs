//! `cargo xtask fuzz [--seconds N] [--jobs J] [--dev] [--sanitizer S] [--seeds] [--keep]
//! [TARGET…]`: builds the cargo-fuzz binaries of `fuzz/` (nightly, libFuzzer) and runs each
//! target (all of `sdk_fuzz::TARGETS` by default) for N seconds (60 by default), J at a time
//! (2), from its kept corpus (`fuzz/corpus/<target>`) and its regressions
//! (`fuzz/regressions/<target>`), with inputs of at most 64 KiB, 10 s and 2 GiB each.
//!
//! * `--dev`: an unoptimised build (quicker to build, slower to run: what CI's short run uses).
//! * `--sanitizer S`: `none` (default; the code is safe Rust) or `address`.
//! * `--seeds`: writes the seed corpora first (`fuzz-seeds`: samples from the type model).
//! * `--no-build`: runs the binaries as last built.
//! * `--keep`: merges what the run found into `fuzz/corpus/<target>` (libFuzzer's `-merge=1`:
//!   only inputs that add coverage), to commit.
//!
//! New inputs collect in `target/fuzz-work/<target>/corpus` across runs. A crash, a timeout
//! or an input over the memory limit fails the run and names the input (under
//! `target/fuzz-work/<target>/artifacts/`): fix it, then add the input to
//! `fuzz/regressions/<target>/`, which the stable test `sdk-fuzz/tests/corpus.rs` replays.
//! Figures per target (run time, executions, coverage, corpus, findings) are printed and
//! written to `target/fuzz-work/summary.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{run, workspace_root};

/// The targets, as `sdk_fuzz::TARGETS` names them (checked against `fuzz/Cargo.toml` by
/// `sdk-fuzz/tests/corpus.rs`).
fn all_targets(root: &Path) -> Result<Vec<String>, String> {
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml"))
        .map_err(|e| format!("fuzz/Cargo.toml: {e}"))?;
    Ok(manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "sdk-fuzz-targets")
        .map(str::to_owned)
        .collect())
}

struct Options {
    seconds: u64,
    jobs: usize,
    dev: bool,
    sanitizer: String,
    seeds: bool,
    keep: bool,
    build: bool,
    targets: Vec<String>,
}

fn options(root: &Path, args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        seconds: 60,
        jobs: 2,
        dev: false,
        sanitizer: "none".into(),
        seeds: false,
        keep: false,
        build: true,
        targets: Vec::new(),
    };
    let all = all_targets(root)?;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                o.seconds = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--seconds needs a number")?;
            }
            "--jobs" => {
                o.jobs = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|j| *j > 0)
                    .ok_or("--jobs needs a number above 0")?;
            }
            "--dev" => o.dev = true,
            "--sanitizer" => o.sanitizer = it.next().ok_or("--sanitizer needs a name")?.clone(),
            "--seeds" => o.seeds = true,
            "--keep" => o.keep = true,
            "--no-build" => o.build = false,
            t if all.iter().any(|n| n == t) => o.targets.push(t.to_owned()),
            other => {
                return Err(format!(
                    "fuzz: unknown argument `{other}`; targets: {}",
                    all.join(", ")
                ));
            }
        }
    }
    if o.targets.is_empty() {
        o.targets = all;
    }
    Ok(o)
}

/// What one target's run gave.
#[derive(Debug, Default)]
struct Figures {
    target: String,
    seconds: u64,
    executions: u64,
    exec_per_second: u64,
    coverage: u64,
    features: u64,
    corpus: u64,
    peak_rss_mb: u64,
    finding: Option<String>,
}

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let o = options(&root, args)?;
    run(&root, "bash", &["scripts/install-fuzz-tools.sh"])?;
    if o.seeds {
        run(
            &root,
            "cargo",
            &[
                "run",
                "-q",
                "-p",
                "sdk-fuzz",
                "--features",
                "seeds",
                "--bin",
                "fuzz-seeds",
            ],
        )?;
    }
    let mut build = vec!["+nightly", "fuzz", "build", "-s", o.sanitizer.as_str()];
    if o.dev {
        build.push("--dev");
    }
    if o.build {
        run(&root, "cargo", &build)?;
    }
    let profile = if o.dev { "debug" } else { "release" };
    let bin_dir = root.join("fuzz/target").join(host_triple()?).join(profile);
    let work = root.join("target/fuzz-work");
    // J targets at a time, each on its own thread (libFuzzer itself runs one job per process).
    let mut results = Vec::new();
    for chunk in o.targets.chunks(o.jobs) {
        let handles: Vec<_> = chunk
            .iter()
            .map(|t| {
                let (root, bin, work, t) = (root.clone(), bin_dir.join(t), work.join(t), t.clone());
                let seconds = o.seconds;
                std::thread::spawn(move || run_target(&root, &bin, &work, &t, seconds))
            })
            .collect();
        for h in handles {
            results.push(
                h.join()
                    .map_err(|_| "a fuzz thread panicked".to_owned())??,
            );
        }
    }
    if o.keep {
        for t in &o.targets {
            keep(&root, &bin_dir.join(t), &work.join(t), t)?;
        }
    }
    report(&work, &results)?;
    let findings: Vec<String> = results
        .iter()
        .filter_map(|f| f.finding.as_ref().map(|x| format!("{}: {x}", f.target)))
        .collect();
    if findings.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found {} problem(s):\n{}\nFix each, then add its input to fuzz/regressions/<target>/.",
            findings.len(),
            findings.join("\n")
        ))
    }
}

fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .args(["+nightly", "-vV"])
        .output()
        .map_err(|e| format!("rustc +nightly -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| "rustc +nightly -vV names no host".to_owned())
}

fn run_target(
    root: &Path,
    bin: &Path,
    work: &Path,
    target: &str,
    seconds: u64,
) -> Result<Figures, String> {
    let corpus = work.join("corpus");
    let artifacts = work.join("artifacts");
    for d in [&corpus, &artifacts] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let kept = root.join("fuzz/corpus").join(target);
    let regressions = root.join("fuzz/regressions").join(target);
    let mut cmd = Command::new(bin);
    // New inputs go to the first folder (the work corpus); the kept ones are only read.
    cmd.arg(&corpus).arg(&kept);
    if regressions.is_dir() {
        cmd.arg(&regressions);
    }
    cmd.arg(format!("-max_total_time={seconds}"))
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg("-max_len=65536")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()));
    println!("==> fuzz {target} for {seconds} s");
    let out = cmd
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    let log_path = work.join("log.txt");
    std::fs::write(&log_path, &log).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut f = parse(&log);
    f.target = target.to_owned();
    f.seconds = seconds;
    if !out.status.success() {
        let artifact = log.lines().find_map(|l| {
            l.split_once("Test unit written to ")
                .map(|(_, p)| p.trim().to_owned())
        });
        let what = log
            .lines()
            .find(|l| l.starts_with("==") && l.contains("ERROR: libFuzzer"))
            .map(str::trim)
            .unwrap_or("the target failed");
        f.finding = Some(format!(
            "{what}; input {}; log {}",
            artifact.as_deref().unwrap_or("(none written)"),
            log_path.display()
        ));
    }
    Ok(f)
}

/// The figures libFuzzer prints: the last status line and the final stats.
fn parse(log: &str) -> Figures {
    let mut f = Figures::default();
    let field = |line: &str, name: &str| -> Option<u64> {
        let rest = line.split_once(&format!(" {name}: "))?.1;
        let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
        n.parse().ok()
    };
    for line in log.lines() {
        if line.starts_with('#') {
            if let Some(c) = field(line, "cov") {
                f.coverage = c;
            }
            if let Some(c) = field(line, "ft") {
                f.features = c;
            }
            if let Some(c) = field(line, "corp") {
                f.corpus = c;
            }
        }
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units: ") {
            f.executions = n.trim().parse().unwrap_or(0);
        }
        if let Some(n) = line.strip_prefix("stat::average_exec_per_sec: ") {
            f.exec_per_second = n.trim().parse().unwrap_or(0);
        }
        if let Some(n) = line.strip_prefix("stat::peak_rss_mb: ") {
            f.peak_rss_mb = n.trim().parse().unwrap_or(0);
        }
    }
    f
}

/// Merges the work corpus into the kept one: only inputs that add coverage, under libFuzzer's
/// content-hash names, none that is already kept.
fn keep(root: &Path, bin: &Path, work: &Path, target: &str) -> Result<(), String> {
    let kept = root.join("fuzz/corpus").join(target);
    let merged = work.join("merged");
    let _ = std::fs::remove_dir_all(&merged);
    std::fs::create_dir_all(&merged).map_err(|e| format!("{}: {e}", merged.display()))?;
    let status = Command::new(bin)
        .arg("-merge=1")
        .arg(&merged)
        .arg(&kept)
        .arg(work.join("corpus"))
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?
        .status;
    if !status.success() {
        return Err(format!("{target}: merge failed ({status})"));
    }
    let existing: std::collections::HashSet<Vec<u8>> = files(&kept)
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    let mut added = 0;
    for p in files(&merged) {
        let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        if let Some(name) = p.file_name().filter(|_| !existing.contains(&bytes)) {
            std::fs::write(kept.join(name), &bytes)
                .map_err(|e| format!("{}: {e}", kept.display()))?;
            added += 1;
        }
    }
    println!("{target}: {added} input(s) added to fuzz/corpus/{target}");
    Ok(())
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

fn report(work: &Path, results: &[Figures]) -> Result<(), String> {
    println!(
        "\n| target | seconds | executions | exec/s | coverage (edges) | features | corpus | peak RSS MB | findings |\n|---|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    let mut rows = Vec::new();
    for f in results {
        use serde_json::Value;
        // In the table's order (a JSON object would sort its keys).
        let fields: [(&str, Value); 9] = [
            ("target", f.target.clone().into()),
            ("seconds", f.seconds.into()),
            ("executions", f.executions.into()),
            ("exec_per_second", f.exec_per_second.into()),
            ("coverage", f.coverage.into()),
            ("features", f.features.into()),
            ("corpus", f.corpus.into()),
            ("peak_rss_mb", f.peak_rss_mb.into()),
            ("finding", f.finding.clone().into()),
        ];
        let cells: Vec<String> = fields
            .iter()
            .map(|(_, v)| match v {
                Value::String(s) => s.clone(),
                Value::Null => "none".to_owned(),
                other => other.to_string(),
            })
            .collect();
        let row: serde_json::Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        println!("| {} |", cells.join(" | "));
        rows.push(row);
    }
    let path = work.join("summary.json");
    let text = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("figures: {}", path.display());
    Ok(())
}
