//! The LEK-13 outbox under fault injection with real processes: `b2b sukl lek13 send` children
//! are killed with SIGKILL at chosen and random points (right after a file's reports are
//! committed, while requests are in flight, at random times) while the SÚKL sandbox drops
//! connections before and after handling, answers 503 and delays. After the restarts, every one
//! of 1,000 reports must be at the sandbox exactly once (counted by UUID and by its batch
//! number), and acknowledged in the outbox. On SQLite with one worker, and on a real PostgreSQL
//! server with two concurrent workers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sdk_sukl::lek13::Hlaseni;
use sdk_sukl::outbox::{Outbox, StavZpravy};
use sdk_sukl::sandbox::{Faults, SANDBOX_ICZ, SANDBOX_KOD_PRACOVISTE, Sandbox, SandboxConfig};
use support::b2b;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const REPORTS: usize = 1000;
const FILES: usize = 20;

/// A small seeded generator: the kill schedule is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn report(i: usize) -> Hlaseni {
    let vydano = (OffsetDateTime::now_utc() - time::Duration::hours(2))
        .format(&Rfc3339)
        .unwrap();
    sdk_sukl::sandbox::priklad("vydej", i, &vydano)
}

/// The batch of a stored body's first item.
fn batch_of(body: &serde_json::Value) -> String {
    body.get("reglp")
        .or_else(|| body.get("polozky"))
        .and_then(|l| l.get(0))
        .and_then(|i| i["sarze"].as_str())
        .unwrap()
        .to_owned()
}

/// Decides, from a child's progress lines so far, to kill it now.
type Trigger = Box<dyn Fn(&[String]) -> bool + Send>;

/// Where a child was when it was killed.
#[derive(Debug, Default)]
struct Kills {
    /// Reports committed in this run, none of them sent yet.
    after_commit_before_send: usize,
    /// At least one request sent and not yet acknowledged (or given up) in the store.
    between_send_and_ack: usize,
    /// Elsewhere (starting up, between messages, sleeping before a retry).
    other: usize,
}

/// Reads a child's progress lines; kills it (SIGKILL) when `trigger` says so.
struct Worker {
    child: Arc<Mutex<Child>>,
    lines: Arc<Mutex<Vec<String>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Worker {
    fn start(mut cmd: Command, trigger: Trigger) -> Worker {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start b2b");
        let stderr = child.stderr.take().unwrap();
        let child = Arc::new(Mutex::new(child));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (c, l) = (child.clone(), lines.clone());
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut l = l.lock().unwrap();
                l.push(line);
                if trigger(&l) {
                    let _ = c.lock().unwrap().kill();
                }
            }
        });
        Worker {
            child,
            lines,
            reader,
        }
    }

    /// Waits until the child ends or `limit` passes (then kills it); the exit code (`None` when
    /// killed) and its lines.
    fn finish(self, limit: Duration) -> (Option<i32>, Vec<String>) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.lock().unwrap().try_wait().unwrap() {
                break status;
            }
            if started.elapsed() >= limit {
                let mut c = self.child.lock().unwrap();
                let _ = c.kill();
                break c.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let _ = self.reader.join();
        let lines = self.lines.lock().unwrap().clone();
        (status.code(), lines)
    }
}

/// Where the child was when it died, from its last progress lines.
fn classify(kills: &mut Kills, lines: &[String]) {
    let mut open: HashMap<&str, usize> = HashMap::new();
    let mut enqueued = 0;
    let mut sent = 0;
    for l in lines {
        let mut words = l.split_whitespace();
        match (words.next(), words.next()) {
            (Some("enqueued"), Some(_)) => enqueued += 1,
            (Some("sending"), Some(id)) => {
                sent += 1;
                *open.entry(id).or_default() += 1;
            }
            (Some("acknowledged" | "retrying" | "failed"), Some(id)) => {
                if let Some(n) = open.get_mut(id) {
                    *n = n.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    if open.values().any(|n| *n > 0) {
        kills.between_send_and_ack += 1;
    } else if enqueued > 0 && sent == 0 {
        kills.after_commit_before_send += 1;
    } else {
        kills.other += 1;
    }
}

struct Setup {
    dir: std::path::PathBuf,
    files: Vec<String>,
    url: String,
}

fn setup(name: &str, sandbox: &Sandbox) -> Setup {
    let dir = support::temp_dir(name);
    let cert = sandbox.issue_client_cert(SANDBOX_KOD_PRACOVISTE).unwrap();
    std::fs::write(dir.join("ca.pem"), sandbox.ca_cert_pem()).unwrap();
    std::fs::write(dir.join("client.pem"), cert.pem_bundle()).unwrap();
    let per_file = REPORTS / FILES;
    let mut files = Vec::new();
    for f in 0..FILES {
        let reports: Vec<Hlaseni> = (f * per_file..(f + 1) * per_file).map(report).collect();
        let path = dir.join(format!("vydeje-{f:02}.json"));
        std::fs::write(&path, serde_json::to_string(&reports).unwrap()).unwrap();
        files.push(path.display().to_string());
    }
    Setup {
        dir,
        files,
        url: sandbox.base_url().to_string(),
    }
}

fn target_args(cmd: &mut Command, s: &Setup) {
    let p = |f: &str| s.dir.join(f).display().to_string();
    cmd.args(["--endpoint", &s.url])
        .args(["--identity", &p("client.pem"), "--ca", &p("ca.pem")])
        .args([
            "--timeout",
            "5",
            "--retry-base-ms",
            "20",
            "--retry-max-ms",
            "200",
        ])
        .args(["--concurrency", "8", "--progress"]);
}

fn send_cmd(s: &Setup, store: &str) -> Command {
    let mut cmd = b2b();
    cmd.args(["sukl", "lek13", "send"])
        .args(&s.files)
        .args(["--store", store])
        .args([
            "--kod-pracoviste",
            SANDBOX_KOD_PRACOVISTE,
            "--icz",
            SANDBOX_ICZ,
        ])
        .args(["--wait", "120"]);
    target_args(&mut cmd, s);
    cmd
}

fn worker_cmd(s: &Setup, store: &str) -> Command {
    let mut cmd = b2b();
    cmd.args(["sukl", "outbox", "run", "--until-idle", "--store", store]);
    target_args(&mut cmd, s);
    cmd
}

/// When to kill a child in round `round`: right after a file's reports are committed, right
/// after the n-th request went out, or never (a time limit then applies).
fn trigger(round: usize, rng: &mut Rng) -> Trigger {
    // Round 1 stores the first files: its child dies right after a commit.
    match (round - 1) % 3 {
        0 => {
            let files = 1 + rng.below(FILES as u64 / 2) as usize;
            Box::new(move |l: &[String]| {
                l.last().is_some_and(|x| x.starts_with("enqueued"))
                    && l.iter().filter(|x| x.starts_with("enqueued")).count() >= files
                    && !l.iter().any(|x| x.starts_with("sending"))
            })
        }
        1 => {
            let n = 1 + rng.below(50) as usize;
            Box::new(move |l: &[String]| {
                l.last().is_some_and(|x| x.starts_with("sending"))
                    && l.iter().filter(|x| x.starts_with("sending")).count() >= n
            })
        }
        _ => Box::new(|_: &[String]| false),
    }
}

/// Runs rounds of killed children until one run ends with every report acknowledged.
fn run_rounds(s: &Setup, store: &str, workers: usize, seed: u64) -> (Kills, usize) {
    let mut rng = Rng(seed);
    let mut kills = Kills::default();
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 200, "the outbox does not finish");
        // After enough kills, and once a kill has landed in each window the tests assert on
        // (how soon a SIGKILL lands depends on the machine's load), let runs finish.
        let covered = kills.after_commit_before_send > 0 && kills.between_send_and_ack > 0;
        let calm = (rounds > 40 && covered) || rounds > 120;
        let mut children = Vec::new();
        let send = Worker::start(
            send_cmd(s, store),
            if calm {
                Box::new(|_: &[String]| false)
            } else {
                trigger(rounds, &mut rng)
            },
        );
        children.push(send);
        for _ in 1..workers {
            // Another worker on the same store (it may find no outbox yet in round 1).
            let t: Trigger = if calm {
                Box::new(|_: &[String]| false)
            } else {
                trigger(rounds + 1, &mut rng)
            };
            children.push(Worker::start(worker_cmd(s, store), t));
        }
        let limit = if calm {
            Duration::from_secs(180)
        } else {
            Duration::from_millis(50 + rng.below(450))
        };
        let mut done = false;
        for (i, c) in children.into_iter().enumerate() {
            let (code, lines) = c.finish(limit);
            match code {
                None => classify(&mut kills, &lines),
                Some(0) if i == 0 => done = true,
                _ => {}
            }
        }
        if done {
            return (kills, rounds);
        }
    }
}

/// Every report at the sandbox exactly once, and acknowledged in the outbox.
fn check_exactly_once(rt: &tokio::runtime::Runtime, sandbox: &Sandbox, store: &str) {
    let stored = sandbox.reports();
    let by_batch: HashSet<String> = stored.iter().map(|r| batch_of(&r.body)).collect();
    let uuids: HashSet<&str> = stored.iter().map(|r| r.podani_id.as_str()).collect();
    assert_eq!(stored.len(), REPORTS, "reports at the sandbox");
    assert_eq!(
        by_batch.len(),
        REPORTS,
        "one report per dispensing (no duplicate under another UUID)"
    );
    assert_eq!(uuids.len(), REPORTS);
    let outbox = rt.block_on(Outbox::reopen(store)).unwrap();
    let states = rt.block_on(outbox.list(REPORTS * 2)).unwrap();
    assert_eq!(states.len(), REPORTS);
    for s in &states {
        assert_eq!(s.stav, StavZpravy::Potvrzeno, "{s:?}");
        assert!(
            uuids.contains(s.podani_id.as_str()),
            "{s:?} is not at the sandbox"
        );
    }
}

fn faulty_sandbox(rt: &tokio::runtime::Runtime, seed: u64) -> Sandbox {
    let _guard = rt.enter();
    Sandbox::start_with(
        SandboxConfig::default().seed(seed).faults(
            Faults::none()
                .drop_before(0.04)
                .drop_after(0.04)
                .unavailable(0.05)
                // Long enough that a kill after "sending" often lands before the answer.
                .delay(Duration::ZERO, Duration::from_millis(25)),
        ),
    )
    .unwrap()
}

fn report_numbers(what: &str, kills: &Kills, rounds: usize, sandbox: &Sandbox) {
    let stats = sandbox.stats();
    eprintln!(
        "{what}: {REPORTS} reports acknowledged exactly once after {rounds} runs; SIGKILLs: \
         {} after commit before send, {} between send and acknowledgement, {} elsewhere; \
         sandbox: {} requests, {} dropped before and {} after handling, {} answered 503, \
         {} resends of stored reports (idempotent), {} requests overlapping one still in \
         flight (a killed worker's)",
        kills.after_commit_before_send,
        kills.between_send_and_ack,
        kills.other,
        stats.requests,
        stats.dropped_before,
        stats.dropped_after,
        stats.unavailable,
        stats.create_resends,
        stats.overlapping,
    );
}

#[test]
fn sqlite_outbox_delivers_each_report_exactly_once_through_sigkills_and_faults() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = faulty_sandbox(&rt, 11);
    let s = setup("sukl-sqlite-kill", &sandbox);
    let store = format!("sqlite:{}", s.dir.join("outbox.sqlite").display());
    let (kills, rounds) = run_rounds(&s, &store, 1, 0x1e13_0001);
    report_numbers("SQLite, one worker", &kills, rounds, &sandbox);
    check_exactly_once(&rt, &sandbox, &store);
    assert!(kills.after_commit_before_send > 0, "{kills:?}");
    assert!(kills.between_send_and_ack > 0, "{kills:?}");
    let stats = sandbox.stats();
    assert!(stats.dropped_after > 0 && stats.dropped_before > 0 && stats.unavailable > 0);
}

fn postgres_database() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/start-postgres.sh");
    let out = Command::new("bash").arg(script).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let name = format!(
        "kill_{}_{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp()
    );
    let created = Command::new("psql")
        .args([&server, "-q", "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    format!(
        "postgres:{}",
        server.replace("dbname=postgres", &format!("dbname={name}"))
    )
}

#[test]
fn postgres_outbox_with_two_workers_delivers_each_report_exactly_once_through_sigkills() {
    let store = postgres_database();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = faulty_sandbox(&rt, 12);
    let s = setup("sukl-pg-kill", &sandbox);
    let (kills, rounds) = run_rounds(&s, &store, 2, 0x1e13_0002);
    report_numbers("PostgreSQL, two workers", &kills, rounds, &sandbox);
    check_exactly_once(&rt, &sandbox, &store);
    assert!(kills.between_send_and_ack > 0, "{kills:?}");
}
