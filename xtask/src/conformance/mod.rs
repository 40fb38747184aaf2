//! `cargo xtask conformance [--scratch DIR] [--json FILE] [--only TEXT] [--catalog FILE]
//! [--map URL=PATH] [DIR…]`
//!
//! Schemas imported by URL are read through OASIS XML catalogs (`--catalog`, repeatable; a
//! `catalog.xml` at the top of a scanned folder is used too) and URL mappings (`--map`), the
//! generator's built-in W3C schemas last; nothing is fetched. xmllint gets the same catalog.
//!
//! Runs the generator over specs nobody here wrote (defaults: `../shared/corpus`,
//! `../shared/corpus-incoming`, `../shared/specs/published`, and our own small specs of the
//! classes real ones showed, `codegen/fixtures/unseen`): every WSDL, every standalone XSD set (a schema no other file
//! imports or includes, with everything it reaches) and every OpenAPI 3.0 / Swagger 2.0 file
//! becomes one crate in a scratch workspace (never in the repository), is compiled with
//! `cargo check`, and its messages are round-tripped. Prints a table, writes it as JSON, and
//! fails if any set fails to generate or compile, or if any round-trip fails.
//!
//! A sample the generator proves impossible (the spec contradicts itself, e.g. a `date` with
//! `maxLength: 1`) is a spec defect, listed with its reason, when it still round-trips and the
//! validator rejects it; if the validator accepts it, the run fails. Every sample is passed, a
//! spec defect, or a failure.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Serialize;

mod rest;
mod xml;

/// What kind of description a set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Wsdl,
    Xsd,
    OpenApi,
    Swagger,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Wsdl => "wsdl",
            Self::Xsd => "xsd",
            Self::OpenApi => "openapi",
            Self::Swagger => "swagger",
        }
    }
}

/// One spec set found on disk.
#[derive(Debug, Clone)]
pub(crate) struct Set {
    /// Shown name: the path relative to the directory it was found in, prefixed with that
    /// directory's name.
    pub name: String,
    pub kind: Kind,
    pub path: PathBuf,
    /// Catalogs and mappings of the run (shared by every set).
    pub locations: codegen::locate::Locations,
}

/// One row of the report.
#[derive(Debug, Serialize)]
struct Row {
    set: String,
    kind: Kind,
    types: usize,
    operations: usize,
    generated_lines: usize,
    lines_per_type: f64,
    /// Time to generate the set's module (and round-trip files).
    generate_seconds: f64,
    check_seconds: Option<f64>,
    /// Time of the round-trip stage (building and running the harness, validating).
    round_trip_seconds: Option<f64>,
    round_trips_tried: usize,
    round_trips_passed: usize,
    /// Samples the spec itself makes impossible (tried, not passed, not failed).
    spec_defects: Vec<SpecDefect>,
    /// `generate`, `check`, `round-trip` or absent when everything passed.
    failed_stage: Option<&'static str>,
    first_error: Option<String>,
    /// A round-trip failure listed in `xtask/conformance-known-gaps.txt`: the generator gap
    /// it is waiting for. It does not fail the run; the set passing while listed does.
    known_gap: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    sets: usize,
    generated: usize,
    compiled: usize,
    round_trips_tried: usize,
    round_trips_passed: usize,
    spec_defects: usize,
    /// Round-trips failing in sets listed as known generator gaps.
    known_gap_failures: usize,
    total_generated_lines: usize,
    largest_set: Option<String>,
    rows: Vec<Row>,
}

struct Options {
    scratch: PathBuf,
    json: PathBuf,
    only: Vec<String>,
    dirs: Vec<PathBuf>,
    catalogs: Vec<PathBuf>,
    maps: Vec<(String, PathBuf)>,
}

fn parse_args(root: &Path, args: &[String]) -> Result<Options, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let mut opts = Options {
        scratch: target.join("conformance"),
        json: target.join("conformance").join("report.json"),
        only: Vec::new(),
        dirs: Vec::new(),
        catalogs: Vec::new(),
        maps: Vec::new(),
    };
    let mut json_set = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match a.as_str() {
            "--scratch" => opts.scratch = PathBuf::from(value("--scratch")?),
            "--json" => {
                opts.json = PathBuf::from(value("--json")?);
                json_set = true;
            }
            "--only" => opts.only.push(value("--only")?),
            "--catalog" => opts.catalogs.push(PathBuf::from(value("--catalog")?)),
            "--map" => {
                let v = value("--map")?;
                let (url, path) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--map {v}: expected URL=PATH"))?;
                opts.maps.push((url.to_owned(), PathBuf::from(path)));
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            dir => opts.dirs.push(PathBuf::from(dir)),
        }
    }
    if !json_set {
        opts.json = opts.scratch.join("report.json");
    }
    if opts.dirs.is_empty() {
        let shared = root.join("../shared");
        opts.dirs = vec![
            shared.join("corpus"),
            shared.join("corpus-incoming"),
            shared.join("specs/published"),
            root.join("codegen/fixtures/unseen"),
        ];
    }
    Ok(opts)
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let result = run_sets(root, args);
    // The run's cost, whatever its outcome: wall time, and the peak resident memory of this
    // process and of its largest child (cargo, rustc, a harness, xmllint, the JSON validator).
    let peak = |who| {
        nix::sys::resource::getrusage(who)
            .map(|u| u.max_rss() / 1024)
            .unwrap_or(0)
    };
    println!(
        "conformance run: {:.0} s wall; peak RSS {} MiB (xtask), {} MiB (largest child process)",
        started.elapsed().as_secs_f64(),
        peak(nix::sys::resource::UsageWho::RUSAGE_SELF),
        peak(nix::sys::resource::UsageWho::RUSAGE_CHILDREN),
    );
    result
}

fn run_sets(root: &Path, args: &[String]) -> Result<(), String> {
    let opts = parse_args(root, args)?;
    let mut locations = codegen::locate::Locations::new();
    for (url, path) in &opts.maps {
        locations.add_mapping(url, path.clone());
    }
    for c in &opts.catalogs {
        locations.add_catalog(c).map_err(|e| e.to_string())?;
    }
    for dir in &opts.dirs {
        let c = dir.join("catalog.xml");
        if c.is_file() {
            locations.add_catalog(&c).map_err(|e| e.to_string())?;
        }
    }
    let mut sets = Vec::new();
    for dir in &opts.dirs {
        sets.extend(discover(dir, &locations)?);
    }
    if !opts.only.is_empty() {
        sets.retain(|s| opts.only.iter().any(|o| s.name.contains(o.as_str())));
    }
    if sets.is_empty() {
        return Err("no spec sets found".to_owned());
    }
    println!("conformance: {} spec sets", sets.len());
    std::fs::create_dir_all(&opts.scratch)
        .map_err(|e| format!("{}: {e}", opts.scratch.display()))?;
    let scratch = opts
        .scratch
        .canonicalize()
        .map_err(|e| format!("{}: {e}", opts.scratch.display()))?;

    let mut rows = Vec::new();
    let mut crates = Vec::new();
    for set in &sets {
        let (row, krate) = generate(&scratch, set);
        if let Some(k) = krate {
            crates.push((rows.len(), k));
        }
        rows.push(row);
    }
    write_workspace(root, &scratch, &crates)?;
    // Build the shared dependencies once, so that each set's time is its own code.
    println!("conformance: checking sdk-runtime (shared by every set)");
    cargo(&scratch, &["check", "--quiet", "-p", "sdk-runtime"])
        .map_err(|e| format!("sdk-runtime does not check in the scratch workspace: {e}"))?;
    for (i, krate) in &crates {
        let Some(row) = rows.get_mut(*i) else {
            continue;
        };
        // Touch the crate so that its check is timed even when nothing changed since the last
        // run (cargo would answer from its cache).
        let lib = scratch.join("sets").join(krate).join("src/lib.rs");
        if let Ok(text) = std::fs::read_to_string(&lib) {
            let _ = std::fs::write(&lib, text);
        }
        let started = Instant::now();
        let result = cargo(&scratch, &["check", "--quiet", "-p", krate]);
        row.check_seconds = Some(round2(started.elapsed().as_secs_f64()));
        if let Err(e) = result {
            row.failed_stage = Some("check");
            row.first_error = Some(first_error(&e));
        }
        println!(
            "  {:<60} check {:>6.2}s {}",
            row.set,
            row.check_seconds.unwrap_or(0.0),
            verdict(row)
        );
    }
    for (i, krate) in &crates {
        let (Some(row), Some(set)) = (rows.get_mut(*i), sets.get(*i)) else {
            continue;
        };
        if row.failed_stage.is_some() {
            continue;
        }
        let dir = scratch.join("sets").join(krate);
        let cx = CrateDir {
            scratch: &scratch,
            name: krate,
            dir: &dir,
            set,
        };
        let started = Instant::now();
        let rt = match set.kind {
            Kind::Wsdl | Kind::Xsd => xml::round_trip(&cx),
            Kind::OpenApi | Kind::Swagger => rest::round_trip(&cx),
        };
        row.round_trip_seconds = Some(round2(started.elapsed().as_secs_f64()));
        row.round_trips_tried = rt.tried;
        row.round_trips_passed = rt.passed;
        row.spec_defects = rt.spec_defects;
        if rt.passed + row.spec_defects.len() != rt.tried || rt.first_error.is_some() {
            row.failed_stage = Some("round-trip");
            row.first_error = rt.first_error;
        }
        println!(
            "  {:<60} round-trips {}/{} (spec defects {}) {:.2}s {}",
            row.set,
            rt.passed,
            rt.tried,
            row.spec_defects.len(),
            row.round_trip_seconds.unwrap_or(0.0),
            verdict(row)
        );
    }

    // Round-trip failures the generator is known not to handle yet: listed, with the reason,
    // and reported; a listed set that passes must leave the list.
    let gaps = known_gaps(root)?;
    let mut stale_gaps = Vec::new();
    for row in &mut rows {
        let Some((_, reason)) = gaps.iter().find(|(set, _)| *set == row.set) else {
            continue;
        };
        match row.failed_stage {
            Some("round-trip") => {
                row.known_gap = Some(reason.clone());
                row.failed_stage = None;
            }
            None => stale_gaps.push(row.set.clone()),
            Some(_) => {}
        }
    }

    let report = summarise(rows);
    print_table(&report);
    // What the generator resolved by guessing (names differing only in case), for the spec's
    // authors to fix.
    for w in locations.warnings() {
        println!("warning: {w}");
    }
    if let Some(parent) = opts.json.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&opts.json, json).map_err(|e| format!("{}: {e}", opts.json.display()))?;
    println!("report written to {}", opts.json.display());

    let failed: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.failed_stage.is_some())
        .collect();
    if !stale_gaps.is_empty() {
        Err(format!(
            "listed as known gaps in {KNOWN_GAPS} but passing now (remove them from the list): {}",
            stale_gaps.join(", ")
        ))
    } else if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {} sets failed: {}",
            failed.len(),
            report.sets,
            failed
                .iter()
                .map(|r| r.set.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Sets whose round-trip failures are known generator gaps: `set<TAB>reason` per line.
const KNOWN_GAPS: &str = "xtask/conformance-known-gaps.txt";

fn known_gaps(root: &Path) -> Result<Vec<(String, String)>, String> {
    let path = root.join(KNOWN_GAPS);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let (set, reason) = l.split_once('\t')?;
            Some((set.trim().to_owned(), reason.trim().to_owned()))
        })
        .collect())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The first `error` line of a cargo/compiler output, with the line after it (its location).
/// `ok`, or `FAILED` with the first line of the reason, so that a log cut short still says why.
fn verdict(row: &Row) -> String {
    if row.failed_stage.is_none() {
        return "ok".to_owned();
    }
    let reason = row.first_error.as_deref().unwrap_or_default();
    let line = reason.lines().next().unwrap_or_default();
    let short: String = line.chars().take(160).collect();
    format!("FAILED: {short}")
}

fn first_error(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("error") {
            let mut s = (*l).to_owned();
            if let Some(next) = lines.get(i + 1) {
                s.push_str(" | ");
                s.push_str(next.trim());
            }
            return s;
        }
    }
    lines.first().map_or_else(String::new, |l| (*l).to_owned())
}

fn cargo(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Finds the spec sets under `dir`, in path order.
fn discover(dir: &Path, locations: &codegen::locate::Locations) -> Result<Vec<Set>, String> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let label = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shown = |p: &Path| {
        let rel = p.strip_prefix(dir).unwrap_or(p);
        format!("{label}/{}", rel.display())
    };
    // Every file some WSDL or schema imports or includes, or some description refers to.
    let mut referenced = BTreeSet::new();
    // Descriptions: who refers to whom (canonical paths).
    let mut described: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
    for f in &files {
        match ext(f).as_str() {
            "wsdl" | "xsd" => {
                for p in
                    codegen::wsdl::referenced_files_with(f, locations).map_err(|e| e.to_string())?
                {
                    if let Ok(p) = p.canonicalize() {
                        referenced.insert(p);
                    }
                }
            }
            // A description split over files: the parts are in the set of the file that
            // refers to them (an unreadable file is reported when it is generated).
            "json" | "yaml" | "yml" => {
                if let Ok(own) = f.canonicalize() {
                    let targets = codegen::openapi::bundle::referenced_files(f, locations)
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|p| p.canonicalize().ok())
                        .filter(|p| *p != own)
                        .collect();
                    described.insert(own, targets);
                }
            }
            _ => {}
        }
    }
    // A description is a part when it only serves as the target of others' references. Files
    // referring to each other (a base schema and the subtypes its discriminator maps to, a
    // root and its own parts pointing back at its components) are one group: the group is a
    // part when a file outside it refers into it; otherwise its files with operations (or, if
    // none has any, all of them) are sets and the rest are their parts.
    let reach = |from: &PathBuf| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(x) = stack.pop() {
            for t in described.get(&x).into_iter().flatten() {
                if seen.insert(t.clone()) {
                    stack.push(t.clone());
                }
            }
        }
        seen
    };
    let reaches: std::collections::BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        described.keys().map(|f| (f, reach(f))).collect();
    let has_paths = |f: &PathBuf| {
        std::fs::read_to_string(f)
            .ok()
            .and_then(|t| codegen::openapi::parse_document(&t).ok())
            .and_then(|d| {
                d.get("paths")
                    .and_then(|p| p.as_object())
                    .map(|p| !p.is_empty())
            })
            .unwrap_or(false)
    };
    for file in described.keys() {
        let own = reaches.get(file).cloned().unwrap_or_default();
        // The group: what it reaches that reaches it back, and itself.
        let mut group: BTreeSet<&PathBuf> = own
            .iter()
            .filter(|g| reaches.get(g).is_some_and(|r| r.contains(file)))
            .collect();
        group.insert(file);
        let referred_from_outside = described
            .iter()
            .any(|(g, targets)| !group.contains(g) && targets.iter().any(|t| group.contains(t)));
        let outranked = !has_paths(file) && group.iter().any(|g| *g != file && has_paths(g));
        if referred_from_outside || outranked {
            referenced.insert(file.clone());
        }
    }
    let mut sets = Vec::new();
    for f in &files {
        let kind = match ext(f).as_str() {
            "wsdl" => Some(Kind::Wsdl),
            "xsd" => {
                let canonical = f
                    .canonicalize()
                    .map_err(|e| format!("{}: {e}", f.display()))?;
                (!referenced.contains(&canonical)).then_some(Kind::Xsd)
            }
            "json" | "yaml" | "yml" => {
                let canonical = f
                    .canonicalize()
                    .map_err(|e| format!("{}: {e}", f.display()))?;
                if referenced.contains(&canonical) {
                    None
                } else {
                    openapi_kind(f)
                }
            }
            _ => None,
        };
        if let Some(kind) = kind {
            sets.push(Set {
                name: shown(f),
                kind,
                path: f.clone(),
                locations: locations.clone(),
            });
        }
    }
    Ok(sets)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for e in entries {
        let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn ext(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// OpenAPI 3 or Swagger 2 document?
fn openapi_kind(p: &Path) -> Option<Kind> {
    let text = std::fs::read_to_string(p).ok()?;
    let top_key = |key: &str| {
        // JSON: a key of the top-level object; YAML: a key at column 0.
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get(key).cloned())
            .is_some()
            || text.lines().any(|l| l.starts_with(&format!("{key}:")))
    };
    if top_key("openapi") {
        Some(Kind::OpenApi)
    } else if top_key("swagger") {
        Some(Kind::Swagger)
    } else {
        None
    }
}

/// Crate name for a set.
fn crate_name(set: &Set) -> String {
    let mut s = String::from("conf_");
    for c in set.name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    s.trim_end_matches('_').to_owned()
}

/// What a backend generated for one set.
pub(crate) struct Generated {
    /// The generated module (`src/generated.rs`).
    pub code: String,
    /// Generated types.
    pub types: usize,
    /// Operations.
    pub operations: usize,
    /// `[dependencies]` lines besides `sdk-runtime = { workspace = true }`.
    pub dependencies: String,
    /// Further files of the crate (paths relative to its directory), e.g. the round-trip
    /// harness `src/main.rs` and its sample messages.
    pub files: Vec<(PathBuf, String)>,
}

/// Outcome of a set's round-trips.
#[derive(Debug, Default)]
pub(crate) struct RoundTrips {
    pub tried: usize,
    pub passed: usize,
    /// Tried samples that cannot pass because the spec contradicts itself.
    pub spec_defects: Vec<SpecDefect>,
    pub first_error: Option<String>,
}

/// A sample no implementation could pass: the spec admits no valid instance there.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SpecDefect {
    /// The sample's label.
    pub sample: String,
    /// Pointer of the schema in the spec.
    pub pointer: String,
    /// Why no instance is valid.
    pub reason: String,
    /// What the validator said.
    pub validator: String,
}

/// Where a set's crate lives, for the round-trip stage.
pub(crate) struct CrateDir<'a> {
    /// The scratch workspace.
    pub scratch: &'a Path,
    /// The crate's package (and binary) name.
    pub name: &'a str,
    /// The crate's directory.
    pub dir: &'a Path,
    /// The set.
    pub set: &'a Set,
}

impl CrateDir<'_> {
    /// Builds the crate's round-trip harness (its binary) and runs it with `args`, returning
    /// its standard output.
    pub fn run_harness(&self, args: &[&str]) -> Result<String, String> {
        cargo(self.scratch, &["build", "--quiet", "-p", self.name])?;
        let exe = self.scratch.join("target/debug").join(self.name);
        let out = Command::new(&exe)
            .args(args)
            .current_dir(self.dir)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "the harness failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            ))
        }
    }
}

/// Generates one set into its scratch crate; the crate name is returned when there is code to
/// compile.
fn generate(scratch: &Path, set: &Set) -> (Row, Option<String>) {
    let mut row = Row {
        set: set.name.clone(),
        kind: set.kind,
        types: 0,
        operations: 0,
        generated_lines: 0,
        lines_per_type: 0.0,
        generate_seconds: 0.0,
        check_seconds: None,
        round_trip_seconds: None,
        round_trips_tried: 0,
        round_trips_passed: 0,
        spec_defects: Vec::new(),
        failed_stage: None,
        first_error: None,
        known_gap: None,
    };
    let started = Instant::now();
    let result = match set.kind {
        Kind::Wsdl | Kind::Xsd => xml::generate(set),
        Kind::OpenApi | Kind::Swagger => rest::generate(set),
    };
    row.generate_seconds = round2(started.elapsed().as_secs_f64());
    let generated = match result {
        Ok(x) => x,
        Err(e) => {
            println!("  {:<60} generate FAILED: {e}", set.name);
            row.failed_stage = Some("generate");
            row.first_error = Some(e);
            return (row, None);
        }
    };
    let (types, operations) = (generated.types, generated.operations);
    row.types = types;
    row.operations = operations;
    row.generated_lines = generated.code.lines().count();
    row.lines_per_type = if types == 0 {
        0.0
    } else {
        round2(row.generated_lines as f64 / types as f64)
    };
    let name = crate_name(set);
    let dir = scratch.join("sets").join(&name);
    let write = || -> Result<(), String> {
        std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
        // A backend may write its own `sdk-runtime` line (to enable features).
        let runtime = if generated
            .dependencies
            .lines()
            .any(|l| l.starts_with("sdk-runtime "))
        {
            ""
        } else {
            "sdk-runtime = { workspace = true }\n"
        };
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{runtime}{}\n[lints]\nworkspace = true\n",
            generated.dependencies
        );
        write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
        write_if_changed(
            &dir.join("src/lib.rs"),
            &format!(
                "//! Conformance crate for `{}`.\n\npub mod generated;\n",
                set.name
            ),
        )?;
        write_if_changed(&dir.join("src/generated.rs"), &generated.code)?;
        for (path, contents) in &generated.files {
            let path = dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            write_if_changed(&path, contents)?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        row.failed_stage = Some("generate");
        row.first_error = Some(format!("{}: {e}", dir.display()));
        return (row, None);
    }
    println!(
        "  {:<60} generated {} types, {} operations, {} lines in {:.2}s",
        set.name, types, operations, row.generated_lines, row.generate_seconds
    );
    (row, Some(name))
}

/// Writes only when the contents differ, so that cargo's fingerprints stay valid between runs.
fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

/// The runtime and the libraries its XML codec runs on, optimised in the scratch workspace's
/// dev profile while the generated crates stay unoptimised (quick to build): the round-trip
/// harnesses spend their time in this code, and unoptimised it made the CDA set alone take
/// 101 s instead of 25 s; building these optimised costs about 16 s once.
const OPTIMISED_DEPENDENCIES: &str = "\
[profile.dev.package.sdk-runtime]\nopt-level = 2\n\
[profile.dev.package.quick-xml]\nopt-level = 2\n\
[profile.dev.package.regex]\nopt-level = 2\n\
[profile.dev.package.regex-automata]\nopt-level = 2\n\
[profile.dev.package.regex-syntax]\nopt-level = 2\n\
[profile.dev.package.aho-corasick]\nopt-level = 2\n\
[profile.dev.package.memchr]\nopt-level = 2\n\
[profile.dev.package.base64-simd]\nopt-level = 2\n\
[profile.dev.package.smallvec]\nopt-level = 2\n\
[profile.dev.package.time]\nopt-level = 2\n\
[profile.dev.package.serde_json]\nopt-level = 2\n";

fn write_workspace(root: &Path, scratch: &Path, crates: &[(usize, String)]) -> Result<(), String> {
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    let runtime = root.join("sdk-runtime");
    let mut members = String::new();
    for (_, name) in crates {
        let _ = writeln!(members, "    \"sets/{name}\",");
    }
    let manifest = format!(
        "# Written by `cargo xtask conformance`; scratch space, not part of the repository.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\n{members}]\n\n\
         [workspace.dependencies]\nsdk-runtime = {{ path = {runtime:?} }}\n\n\
         [workspace.lints.rust]\nmissing_docs = \"warn\"\nunsafe_code = \"forbid\"\n\n\
         [workspace.lints.clippy]\nunwrap_used = \"deny\"\nexpect_used = \"deny\"\npanic = \"deny\"\n\n\
         [profile.dev]\ndebug = false\nincremental = false\n\n{OPTIMISED_DEPENDENCIES}"
    );
    write_if_changed(&scratch.join("Cargo.toml"), &manifest)?;
    // A lock file from the real workspace keeps dependency versions identical.
    if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
        let dest = scratch.join("Cargo.lock");
        if !dest.exists() {
            write_if_changed(&dest, &lock)?;
        }
    }
    Ok(())
}

fn summarise(rows: Vec<Row>) -> Report {
    let largest_set = rows
        .iter()
        .filter(|r| r.failed_stage.is_none())
        .max_by_key(|r| r.generated_lines)
        .map(|r| r.set.clone());
    Report {
        sets: rows.len(),
        generated: rows
            .iter()
            .filter(|r| r.failed_stage != Some("generate"))
            .count(),
        compiled: rows.iter().filter(|r| r.failed_stage.is_none()).count(),
        round_trips_tried: rows.iter().map(|r| r.round_trips_tried).sum(),
        round_trips_passed: rows.iter().map(|r| r.round_trips_passed).sum(),
        spec_defects: rows.iter().map(|r| r.spec_defects.len()).sum(),
        known_gap_failures: rows
            .iter()
            .filter(|r| r.known_gap.is_some())
            .map(|r| {
                r.round_trips_tried
                    .saturating_sub(r.round_trips_passed + r.spec_defects.len())
            })
            .sum(),
        total_generated_lines: rows.iter().map(|r| r.generated_lines).sum(),
        largest_set,
        rows,
    }
}

fn print_table(report: &Report) {
    println!();
    println!(
        "| set | kind | types | ops | lines | lines/type | check s | round-trips | spec defects | result |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in &report.rows {
        let result = match (&r.failed_stage, &r.first_error) {
            (None, Some(e)) if r.known_gap.is_some() => format!(
                "known gap ({} failing): {}; first: {}",
                r.round_trips_tried - r.round_trips_passed - r.spec_defects.len(),
                r.known_gap.as_deref().unwrap_or_default(),
                truncate(e, 140)
            ),
            (None, _) => "ok".to_owned(),
            (Some(stage), Some(e)) => format!("{stage} failed: {}", truncate(e, 140)),
            (Some(stage), None) => format!("{stage} failed"),
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.1} | {} | {}/{} | {} | {} |",
            r.set,
            r.kind.as_str(),
            r.types,
            r.operations,
            r.generated_lines,
            r.lines_per_type,
            r.check_seconds
                .map_or_else(|| "-".to_owned(), |s| format!("{s:.2}")),
            r.round_trips_passed,
            r.round_trips_tried,
            r.spec_defects.len(),
            result.replace('|', "\\|"),
        );
    }
    let defects: Vec<(&str, &SpecDefect)> = report
        .rows
        .iter()
        .flat_map(|r| r.spec_defects.iter().map(move |d| (r.set.as_str(), d)))
        .collect();
    if !defects.is_empty() {
        println!("\nspec defects (samples no implementation can pass; not counted as passed):");
        for (set, d) in defects {
            println!("  {set}: {} at {}: {}", d.sample, d.pointer, d.reason);
        }
    }
    println!(
        "\n{} sets: {} generated, {} compiled; round-trips {}/{} ({} spec defects, {} failing in known gaps); {} generated lines; largest: {}",
        report.sets,
        report.generated,
        report.compiled,
        report.round_trips_passed,
        report.round_trips_tried,
        report.spec_defects,
        report.known_gap_failures,
        report.total_generated_lines,
        report.largest_set.as_deref().unwrap_or("-"),
    );
}

fn truncate(s: &str, n: usize) -> String {
    let first = s.lines().next().unwrap_or("");
    if first.chars().count() <= n {
        first.to_owned()
    } else {
        let mut t: String = first.chars().take(n).collect();
        t.push('…');
        t
    }
}
