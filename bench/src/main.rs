//! The codec benchmark of the sdk crates, in one run on the same bytes (`cargo xtask bench`):
//! for representative messages of every sdk crate (small and large, requests and answers,
//! captured from the crates' sandboxes) our decode and encode, zeep's (`bench/zeep_bench.py`,
//! zeep from `scripts/install-test-tools.sh`), and the floors — a quick-xml scan that checks
//! UTF-8, resolves names and reads attributes and text, and a quick-xml writer emitting the same
//! events (serde_json's untyped value for JSON; for a positional line, encoding_rs decoding and
//! splitting the answer, joining and encoding the request's fields). Medians of batches; ratios;
//! a JSON file of the results. Nothing here asserts a time.
//!
//! ```text
//! sdk-bench [--quick] [--no-zeep] [--only TEXT] [--out FILE]
//! ```
#![allow(clippy::print_stdout)]

mod floor;
mod measure;
mod messages;
mod stream;
mod vzp_file;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use measure::Timing;
use messages::{Format, Message};

struct Args {
    quick: bool,
    zeep: bool,
    /// Size of the streamed answer in MB (0: not measured).
    stream_mb: Option<u64>,
    /// Employees in the VZP employer file (0: not measured).
    vzp_file_records: Option<u64>,
    out: PathBuf,
    /// Only the messages whose name contains this.
    only: Option<String>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        quick: false,
        zeep: true,
        stream_mb: None,
        vzp_file_records: None,
        out: workspace().join("target/bench/codec.json"),
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => a.quick = true,
            "--no-zeep" => a.zeep = false,
            "--stream-mb" => {
                a.stream_mb = Some(
                    it.next()
                        .and_then(|n| n.parse().ok())
                        .ok_or("--stream-mb needs a number")?,
                );
            }
            "--vzp-file-records" => {
                a.vzp_file_records = Some(
                    it.next()
                        .and_then(|n| n.parse().ok())
                        .ok_or("--vzp-file-records needs a number")?,
                );
            }
            "--out" => a.out = PathBuf::from(it.next().ok_or("--out needs a file")?),
            "--only" => a.only = Some(it.next().ok_or("--only needs a text")?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: sdk-bench [--quick] [--no-zeep] [--stream-mb N] [--vzp-file-records N] [--only TEXT] [--out FILE]"
                ));
            }
        }
    }
    Ok(a)
}

/// One message's figures.
#[derive(serde::Serialize)]
struct Row {
    krate: &'static str,
    message: String,
    bytes: usize,
    format: &'static str,
    /// A positional row's request line, in bytes (`bytes` is its answer's).
    request_bytes: Option<usize>,
    decode: Timing,
    encode: Timing,
    floor_scan: Timing,
    floor_write: Timing,
    /// The escaping writer floor (see [`floor::write_escaping`]); XML only.
    floor_write_escaping: Option<Timing>,
    /// Our decode's speed as a fraction of the floor scan's (floor time / our time).
    decode_vs_floor: f64,
    /// Our encode's speed as a fraction of the floor writer's.
    encode_vs_floor: f64,
    /// Our encode's speed as a fraction of the escaping writer floor's.
    encode_vs_escaping_floor: Option<f64>,
    zeep: Option<ZeepResult>,
}

/// What `bench/zeep_bench.py` printed for one message.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct ZeepResult {
    name: String,
    decode_us: Option<f64>,
    encode_us: Option<f64>,
    #[serde(default)]
    roundtrip: Option<bool>,
    #[serde(default)]
    error: Option<String>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sdk-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    // The streaming measurement's child process (see `stream`).
    let mut raw = std::env::args().skip(1);
    if raw.next().as_deref() == Some("--stream-child") {
        let dir = raw.next().ok_or("--stream-child DIR BYTES")?;
        let bytes = raw
            .next()
            .and_then(|b| b.parse().ok())
            .ok_or("--stream-child DIR BYTES")?;
        return stream::child(Path::new(&dir), bytes);
    }
    let mut raw = std::env::args().skip(1);
    if raw.next().as_deref() == Some("--vzp-file-child") {
        let kind = raw.next().ok_or("--vzp-file-child KIND FILE")?;
        let path = raw.next().ok_or("--vzp-file-child KIND FILE")?;
        return vzp_file::child(&kind, Path::new(&path));
    }
    let args = args()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    eprintln!("preparing the messages (sandbox traffic)…");
    let mut messages = rt.block_on(messages::all())?;
    let list_answer = messages
        .iter()
        .find(|m| m.name.contains("pobierzListeWizytSync answer"))
        .map(|m| m.bytes.clone());
    if let Some(only) = &args.only {
        messages.retain(|m| m.name.contains(only.as_str()));
    }
    let (runs, batch) = if args.quick {
        (3, Duration::from_millis(30))
    } else {
        (15, Duration::from_millis(100))
    };
    // `SDK_BENCH_DUMP=DIR`: our encoding of each selected message is written there, to read.
    if let Ok(dir) = std::env::var("SDK_BENCH_DUMP") {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{dir}: {e}"))?;
        for (i, m) in messages.iter().enumerate() {
            let path = std::path::Path::new(&dir).join(format!("{i:02}.out"));
            let out = (m.encode)();
            std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    // `SDK_BENCH_PROFILE=decode|encode`: only that path of the selected messages, for a profiler.
    if let Ok(phase) = std::env::var("SDK_BENCH_PROFILE") {
        // A fixed time per message, so that small ones outweigh the sandbox traffic too.
        let per_message = Duration::from_millis(if args.quick { 300 } else { 3000 });
        for m in &messages {
            let started = std::time::Instant::now();
            while started.elapsed() < per_message {
                for _ in 0..64 {
                    if phase == "encode" {
                        std::hint::black_box((m.encode)());
                    } else {
                        let _ = std::hint::black_box((m.decode)(&m.bytes));
                    }
                }
            }
        }
        return Ok(());
    }
    let mut rows = Vec::new();
    for m in &messages {
        eprintln!("measuring {} ({} bytes)…", m.name, m.bytes.len());
        rows.push(measure_one(m, runs, batch)?);
    }
    if args.zeep {
        let results = zeep(&messages, &args)?;
        for row in &mut rows {
            row.zeep = results.get(&row.message).cloned();
        }
    }
    print!("{}", table(&rows));
    // The streamed answer: 1 GB unless asked otherwise (64 MB with --quick).
    let stream_mb = args.stream_mb.unwrap_or(if args.quick { 64 } else { 1000 });
    let streamed = match (&list_answer, stream_mb) {
        (Some(answer), mb) if mb > 0 => {
            eprintln!("streaming a {mb} MB CeR visit list in a child process…");
            let dir = workspace().join("target/bench/stream");
            let r = stream::measure(answer, mb * 1_000_000, &dir)?;
            println!(
                "\nStreamed CeR visit list: {} records, {:.0} MB: ours {:.1} MB/s, floor scan {:.1} MB/s \
                 (ours / floor {:.2}); peak RSS of the process {:.1} MiB",
                r.records,
                r.bytes as f64 / 1e6,
                r.our_mb_per_s,
                r.floor_mb_per_s,
                r.vs_floor,
                r.peak_rss_mib
            );
            Some(r)
        }
        _ => None,
    };
    // The VZP employer file: 1,000,000 employees unless asked otherwise (100,000 with --quick).
    let vzp_records = args
        .vzp_file_records
        .unwrap_or(if args.quick { 100_000 } else { 1_000_000 });
    let mut vzp_files = Vec::new();
    if vzp_records > 0 {
        for kind in vzp_file::Kind::ALL {
            eprintln!(
                "reading a VZP {} of {vzp_records} records in a child process…",
                kind.title()
            );
            let r = vzp_file::measure(kind, vzp_records, &workspace().join("target/bench"))?;
            println!(
                "\nVZP {} (ISO-8859-2, on disk): {} records, {:.0} MB: ours {:.1} MB/s, floor scan \
                 {:.1} MB/s (ours / floor {:.2}); peak RSS of the process {:.1} MiB",
                kind.title(),
                r.records,
                r.bytes as f64 / 1e6,
                r.our_mb_per_s,
                r.floor_mb_per_s,
                r.vs_floor,
                r.peak_rss_mib
            );
            vzp_files.push(serde_json::json!({ "file": kind.name(), "result": r }));
        }
    }
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let doc = serde_json::json!({
        "command": "cargo xtask bench",
        "runs": runs,
        "batch_ms": batch.as_millis(),
        "cpus": std::thread::available_parallelism().map(usize::from).unwrap_or(0),
        "messages": rows,
        "streamed_list": streamed,
        "vzp_files": vzp_files,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, text).map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!("results: {}", args.out.display());
    Ok(())
}

fn measure_one(m: &Message, runs: usize, batch: Duration) -> Result<Row, String> {
    // The paths work before they are timed: the bytes decode, and what we write decodes again
    // (a positional row writes the request of the answer it decodes: see below).
    (m.decode)(&m.bytes).map_err(|e| format!("{}: decode: {e}", m.name))?;
    let written = (m.encode)();
    if !matches!(m.format, Format::Positional(_)) {
        (m.decode)(&written)
            .map_err(|e| format!("{}: what we wrote does not decode: {e}", m.name))?;
    }
    let mut decode_f = || {
        let _ = std::hint::black_box((m.decode)(std::hint::black_box(&m.bytes)));
    };
    let mut encode_f = || {
        std::hint::black_box((m.encode)());
    };
    // Ours and the floors run in interleaved rounds; each ratio is the median of the rounds'.
    let (decode, encode, floor_scan, floor_write, floor_write_escaping) = match m.format {
        Format::Xml => {
            floor::scan(&m.bytes).map_err(|e| format!("{}: floor scan: {e}", m.name))?;
            // The writer floors emit the events of what we write (the same document).
            let events = floor::events(&written)?;
            let logical = floor::logical(&written)?;
            let capacity = written.len();
            let escaping = floor::write_escaping(&logical, capacity)?;
            if escaping == 0 {
                return Err(format!("{}: the escaping floor wrote nothing", m.name));
            }
            let mut t = measure::interleaved(
                runs,
                batch,
                &mut [
                    &mut decode_f,
                    &mut encode_f,
                    &mut || {
                        let _ = std::hint::black_box(floor::scan(std::hint::black_box(&m.bytes)));
                    },
                    &mut || {
                        let _ = std::hint::black_box(floor::write(&events, capacity));
                    },
                    &mut || {
                        let _ = std::hint::black_box(floor::write_escaping(&logical, capacity));
                    },
                ],
            )
            .into_iter();
            let mut next = || t.next().ok_or("a timing is missing");
            (next()?, next()?, next()?, next()?, Some(next()?))
        }
        Format::Json => {
            let value: serde_json::Value =
                serde_json::from_slice(&m.bytes).map_err(|e| format!("{}: {e}", m.name))?;
            let mut t = measure::interleaved(
                runs,
                batch,
                &mut [
                    &mut decode_f,
                    &mut encode_f,
                    &mut || {
                        let _ =
                            std::hint::black_box(floor::json_scan(std::hint::black_box(&m.bytes)));
                    },
                    &mut || {
                        std::hint::black_box(floor::json_write(&value));
                    },
                ],
            )
            .into_iter();
            let mut next = || t.next().ok_or("a timing is missing");
            (next()?, next()?, next()?, next()?, None)
        }
        Format::Positional(protocol) => {
            floor::positional_scan(&m.bytes, &protocol)
                .map_err(|e| format!("{}: floor scan: {e}", m.name))?;
            // The writer floor joins the field strings of the request we write (the same line).
            let fields = floor::positional_fields(&written, &protocol)?;
            if floor::positional_write(&fields, &protocol) != written {
                return Err(format!(
                    "{}: the floor writer does not write our request line",
                    m.name
                ));
            }
            let mut t = measure::interleaved(
                runs,
                batch,
                &mut [
                    &mut decode_f,
                    &mut encode_f,
                    &mut || {
                        let _ = std::hint::black_box(floor::positional_scan(
                            std::hint::black_box(&m.bytes),
                            &protocol,
                        ));
                    },
                    &mut || {
                        std::hint::black_box(floor::positional_write(&fields, &protocol));
                    },
                ],
            )
            .into_iter();
            let mut next = || t.next().ok_or("a timing is missing");
            (next()?, next()?, next()?, next()?, None)
        }
    };
    Ok(Row {
        krate: m.krate,
        message: m.name.clone(),
        bytes: m.bytes.len(),
        format: match m.format {
            Format::Xml => "xml",
            Format::Json => "json",
            Format::Positional(_) => "positional",
        },
        request_bytes: matches!(m.format, Format::Positional(_)).then_some(written.len()),
        decode_vs_floor: measure::ratio(&floor_scan, &decode),
        encode_vs_floor: measure::ratio(&floor_write, &encode),
        encode_vs_escaping_floor: floor_write_escaping
            .as_ref()
            .map(|f| measure::ratio(f, &encode)),
        decode,
        encode,
        floor_scan,
        floor_write,
        floor_write_escaping,
        zeep: None,
    })
}

/// Runs zeep on the same bytes; its results by message name. A missing python3 or zeep is an
/// error naming the script that installs them.
fn zeep(messages: &[Message], args: &Args) -> Result<BTreeMap<String, ZeepResult>, String> {
    let dir = workspace().join("target/bench/messages");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut manifest = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let Some(z) = &m.zeep else { continue };
        let file = dir.join(format!("{i:02}.xml"));
        std::fs::write(&file, &m.bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        manifest.push(serde_json::json!({
            "name": m.name,
            "wsdl": z.wsdl,
            "operation": z.operation,
            "direction": z.direction,
            "file": file,
            "iterations": if args.quick { 20 } else { 200 },
            "runs": if args.quick { 3 } else { 7 },
        }));
    }
    let manifest_path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(&manifest_path, text)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    eprintln!("measuring zeep on the same bytes…");
    let out = Command::new("python3")
        .arg(workspace().join("bench/zeep_bench.py"))
        .arg(&manifest_path)
        .output()
        .map_err(|e| {
            format!("cannot run python3 (scripts/install-test-tools.sh installs zeep): {e}")
        })?;
    if !out.status.success() {
        return Err(format!(
            "bench/zeep_bench.py failed ({}): {} (scripts/install-test-tools.sh installs zeep)",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut results = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Ok(r) = serde_json::from_str::<ZeepResult>(line) {
            results.insert(r.name.clone(), r);
        }
    }
    Ok(results)
}

fn us(t: f64) -> String {
    if t >= 100.0 {
        format!("{t:.0}")
    } else if t >= 10.0 {
        format!("{t:.1}")
    } else {
        format!("{t:.2}")
    }
}

fn table(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n| crate | message | bytes | our decode µs | our encode µs | floor scan µs | floor write µs | escaping floor write µs | decode / floor | encode / floor | encode / escaping floor | zeep decode µs | zeep encode µs | decode × zeep | encode × zeep |"
    );
    let _ = writeln!(
        s,
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in rows {
        let (zd, ze, xd, xe) = match &r.zeep {
            Some(ZeepResult {
                decode_us: Some(d),
                encode_us: Some(e),
                ..
            }) => (
                us(*d),
                us(*e),
                format!("{:.1}×", d / r.decode.median_us),
                format!("{:.1}×", e / r.encode.median_us),
            ),
            Some(ZeepResult {
                error: Some(err), ..
            }) => {
                let short: String = err.chars().take(40).collect();
                (
                    format!("error: {short}"),
                    String::new(),
                    String::new(),
                    String::new(),
                )
            }
            _ => (
                "–".to_owned(),
                "–".to_owned(),
                "–".to_owned(),
                "–".to_owned(),
            ),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {} | {zd} | {ze} | {xd} | {xe} |",
            r.krate,
            r.message,
            r.request_bytes.map_or_else(
                || r.bytes.to_string(),
                |q| format!("{} (request {q})", r.bytes)
            ),
            us(r.decode.median_us),
            us(r.encode.median_us),
            us(r.floor_scan.median_us),
            us(r.floor_write.median_us),
            r.floor_write_escaping
                .as_ref()
                .map_or_else(|| "–".to_owned(), |t| us(t.median_us)),
            r.decode_vs_floor,
            r.encode_vs_floor,
            r.encode_vs_escaping_floor
                .map_or_else(|| "–".to_owned(), |x| format!("{x:.2}")),
        );
    }
    let _ = writeln!(
        s,
        "\nMedians of batches (µs per message); ours and the floors run in interleaved rounds, and \
         each ratio is the median of the rounds' ratios. decode / floor: the floor scan's time over ours \
         (1.00 = as fast as scanning the bytes with quick-xml; JSON: serde_json's untyped value; \
         positional: encoding_rs decoding the answer and splitting it on the separator); \
         floor write: quick-xml's writer copying the events of \
         the same document as read (pre-escaped; positional: the request's field strings joined \
         and encoded); escaping floor write: quick-xml's writer \
         emitting the same document from its values, escaping as it writes (the scan's \
         counterpart); × zeep: zeep's time over ours. A positional row decodes a transaction's \
         answer (its bytes) and encodes its request (the request's size in brackets)."
    );
    s
}
