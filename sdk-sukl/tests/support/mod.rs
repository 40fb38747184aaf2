//! Shared by sdk-sukl's tests: reports, the pharmacy, and fresh PostgreSQL databases on the
//! server scripts/start-postgres.sh runs.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use sdk_sukl::lek13::{Hlaseni, Icz, KodPracoviste, Odesilatel, Software};
use sdk_sukl::sandbox::{SANDBOX_ICZ, SANDBOX_KOD_PRACOVISTE};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub fn lekarna() -> Odesilatel {
    Odesilatel::new(
        KodPracoviste::parse(SANDBOX_KOD_PRACOVISTE).unwrap(),
        Icz::parse(SANDBOX_ICZ).unwrap(),
        Software::new("Testovací lékárna", "1.0", "b2b-sdk tests"),
    )
}

pub fn hours_ago(h: i64) -> String {
    (OffsetDateTime::now_utc() - time::Duration::hours(h))
        .format(&Rfc3339)
        .unwrap()
}

/// Report `i` of a series: the kinds in turn, each with a distinct batch.
pub fn report(i: usize) -> Hlaseni {
    sdk_sukl::sandbox::priklad("vydej", i, &hours_ago(1))
}

/// The batch of a stored body's first item.
pub fn batch_of(body: &serde_json::Value) -> String {
    let item = body
        .get("reglp")
        .or_else(|| body.get("polozky"))
        .and_then(|l| l.get(0))
        .expect("an item");
    item["sarze"].as_str().unwrap().to_owned()
}

/// The connection string of scripts/start-postgres.sh's server (started when needed).
pub fn postgres_server() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/start-postgres.sh");
    let out = Command::new("bash")
        .arg(script)
        .output()
        .expect("run scripts/start-postgres.sh");
    assert!(
        out.status.success(),
        "scripts/start-postgres.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_owned()
}

/// A fresh, empty database on the test server; the outbox location for it.
pub async fn postgres_database() -> String {
    let server = postgres_server();
    let (client, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    format!(
        "postgres:{}",
        server.replace("dbname=postgres", &format!("dbname={name}"))
    )
}
