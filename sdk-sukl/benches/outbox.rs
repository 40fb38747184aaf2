//! Outbox throughput against the SÚKL sandbox over mutual TLS on loopback, on SQLite and on a
//! PostgreSQL server (scripts/start-postgres.sh), with the same reports sent directly by the
//! client in the same run as the baseline. Prints medians of several runs and the ratio of each
//! to the direct sends; asserts nothing about time.
//!
//! `cargo bench -p sdk-sukl --bench outbox` (B2B_BENCH_REPORTS, B2B_BENCH_RUNS to change the
//! sizes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::{Duration, Instant};

use sdk_sukl::lek13::{Client, Hlaseni, Icz, KodPracoviste, Odesilatel, Software};
use sdk_sukl::outbox::{Outbox, RetryPolicy};
use sdk_sukl::sandbox::{SANDBOX_ICZ, SANDBOX_KOD_PRACOVISTE, Sandbox};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::task::JoinSet;

fn lekarna() -> Odesilatel {
    Odesilatel::new(
        KodPracoviste::parse(SANDBOX_KOD_PRACOVISTE).unwrap(),
        Icz::parse(SANDBOX_ICZ).unwrap(),
        Software::new("bench", "1", "b2b-sdk"),
    )
}

fn report(i: usize, run: usize) -> Hlaseni {
    let vydano = (OffsetDateTime::now_utc() - time::Duration::hours(1))
        .format(&Rfc3339)
        .unwrap();
    sdk_sukl::sandbox::priklad(&format!("R{run}S"), i, &vydano)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn client(sandbox: &Sandbox) -> Client {
    sandbox
        .client_builder(SANDBOX_KOD_PRACOVISTE)
        .unwrap()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The baseline: the same reports built and sent by the client, `concurrency` at a time, with no
/// storage at all.
async fn direct(sandbox: &Sandbox, n: usize, run: usize, concurrency: usize) -> f64 {
    let c = client(sandbox);
    let reports: Vec<_> = (0..n)
        .map(|i| {
            report(i, run)
                .to_wire(&lekarna(), OffsetDateTime::now_utc(), false)
                .unwrap()
        })
        .collect();
    let started = Instant::now();
    let mut set = JoinSet::new();
    let mut iter = reports.into_iter();
    for r in iter.by_ref().take(concurrency) {
        let c = c.clone();
        set.spawn(async move { c.zalozit(&r).await });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap().unwrap();
        if let Some(r) = iter.next() {
            let c = c.clone();
            set.spawn(async move { c.zalozit(&r).await });
        }
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// Enqueue (one transaction) and send through the outbox at `location`; (enqueued/s, sent/s).
async fn outbox(
    sandbox: &Sandbox,
    location: &str,
    n: usize,
    run: usize,
    workers: usize,
    concurrency: usize,
) -> (f64, f64) {
    let policy = RetryPolicy::default().concurrency(concurrency);
    let first = Outbox::open(location, lekarna())
        .await
        .unwrap()
        .with_policy(policy);
    let reports: Vec<Hlaseni> = (0..n).map(|i| report(i, run)).collect();
    let started = Instant::now();
    first.enqueue_all(&reports).await.unwrap();
    let enqueued = n as f64 / started.elapsed().as_secs_f64();
    let mut outboxes = vec![first];
    for _ in 1..workers {
        outboxes.push(
            Outbox::open(location, lekarna())
                .await
                .unwrap()
                .with_policy(policy),
        );
    }
    let started = Instant::now();
    let mut set = JoinSet::new();
    for o in outboxes {
        let c = client(sandbox);
        set.spawn(async move { o.run_until_idle(&c).await.unwrap() });
    }
    let mut acknowledged = 0;
    while let Some(s) = set.join_next().await {
        acknowledged += s.unwrap().acknowledged;
    }
    assert_eq!(acknowledged, n);
    (enqueued, n as f64 / started.elapsed().as_secs_f64())
}

fn postgres_server() -> Option<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/start-postgres.sh");
    let out = Command::new("bash").arg(script).output().ok()?;
    if !out.status.success() {
        eprintln!(
            "PostgreSQL not available: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .map(str::to_owned)
}

async fn postgres_database(server: &str) -> String {
    let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    format!(
        "postgres:{}",
        server.replace("dbname=postgres", &format!("dbname={name}"))
    )
}

#[tokio::main]
async fn main() {
    let n = env_usize("B2B_BENCH_REPORTS", 2000);
    let runs = env_usize("B2B_BENCH_RUNS", 5);
    let concurrency = 8;
    let sandbox = Sandbox::start().unwrap();
    let dir = std::env::temp_dir().join(format!("sukl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pg = postgres_server();

    let mut rows: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
    let mut direct_rates = Vec::new();
    let mut sqlite = (Vec::new(), Vec::new());
    let mut pg1 = (Vec::new(), Vec::new());
    let mut pg2 = (Vec::new(), Vec::new());
    for run in 0..runs {
        direct_rates.push(direct(&sandbox, n, run * 10, concurrency).await);
        let loc = format!("sqlite:{}", dir.join(format!("run{run}.sqlite")).display());
        let (e, s) = outbox(&sandbox, &loc, n, run * 10 + 1, 1, concurrency).await;
        sqlite.0.push(e);
        sqlite.1.push(s);
        if let Some(server) = &pg {
            let loc = postgres_database(server).await;
            let (e, s) = outbox(&sandbox, &loc, n, run * 10 + 2, 1, concurrency).await;
            pg1.0.push(e);
            pg1.1.push(s);
            let loc = postgres_database(server).await;
            let (e, s) = outbox(&sandbox, &loc, n, run * 10 + 3, 2, concurrency).await;
            pg2.0.push(e);
            pg2.1.push(s);
        }
    }
    let base = median(direct_rates.clone());
    rows.push((
        "direct client, no storage (baseline)".into(),
        Vec::new(),
        direct_rates,
    ));
    rows.push(("outbox, SQLite, 1 worker".into(), sqlite.0, sqlite.1));
    if pg.is_some() {
        rows.push(("outbox, PostgreSQL, 1 worker".into(), pg1.0, pg1.1));
        rows.push(("outbox, PostgreSQL, 2 workers".into(), pg2.0, pg2.1));
    }
    println!(
        "LEK-13 throughput to the sandbox over mTLS on loopback: {n} reports per run, {runs} runs, \
         {concurrency} sends at a time per worker; medians"
    );
    println!("| path | enqueue, reports/s | send, reports/s | send vs. baseline |");
    println!("|---|---:|---:|---:|");
    for (name, enq, sent) in rows {
        let e = if enq.is_empty() {
            "—".to_owned()
        } else {
            format!("{:.0}", median(enq))
        };
        let s = median(sent);
        println!("| {name} | {e} | {s:.0} | {:.2} |", s / base);
    }
    sandbox.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
