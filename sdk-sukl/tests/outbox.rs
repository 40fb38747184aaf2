//! The outbox against the SÚKL sandbox over mutual TLS, on SQLite and on a real PostgreSQL
//! server (scripts/start-postgres.sh): delivery, idempotent enqueueing, retries through
//! injected faults without duplicates, refusals, changes and cancellations, the deadline view,
//! and (PostgreSQL) two workers that never send the same report at once.
//! Process crashes (SIGKILL) are tested from the CLI, in b2b/tests/sukl_outbox.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use sdk_sukl::lek13::{Client, Hlaseni, Icz, KodPracoviste, Odesilatel, Software};
use sdk_sukl::outbox::{Outbox, OutboxError, RetryPolicy, StavZpravy};
use sdk_sukl::sandbox::{Fault, Faults, Sandbox, SandboxConfig};
use support::{batch_of, hours_ago, lekarna, report};
use time::OffsetDateTime;

fn sqlite_location() -> String {
    let dir = std::env::temp_dir().join(format!("sukl-outbox-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite:{}", dir.join("outbox.sqlite").display())
}

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .backoff(Duration::from_millis(10), Duration::from_millis(80))
        .concurrency(4)
}

async fn open(location: &str) -> Outbox {
    Outbox::open(location, lekarna())
        .await
        .unwrap()
        .with_policy(fast())
}

fn client(sandbox: &Sandbox) -> Client {
    sandbox
        .client_builder(sdk_sukl::sandbox::SANDBOX_KOD_PRACOVISTE)
        .unwrap()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

macro_rules! on_both_stores {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn sqlite() {
                super::$scenario(super::sqlite_location()).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$scenario(super::support::postgres_database().await).await;
            }
        }
    )*};
}

on_both_stores!(
    delivers_each_report_once_and_enqueues_idempotently_by_key,
    retries_transient_failures_without_duplicates,
    refusals_fail_for_good_until_retried,
    changes_and_cancellations_follow_their_report,
    the_deadline_view_lists_what_sukl_does_not_have,
    an_outbox_keeps_to_its_workplace_and_endpoint,
);

async fn delivers_each_report_once_and_enqueues_idempotently_by_key(location: String) {
    let sandbox = Sandbox::start().unwrap();
    let outbox = open(&location).await;
    let reports: Vec<Hlaseni> = (0..6).map(report).collect();
    let first = outbox.enqueue_all(&reports).await.unwrap();
    assert!(first.iter().all(|e| e.new));
    // The same reports again (a crash between your commit and the enqueue): the stored ones.
    let again = outbox.enqueue_all(&reports).await.unwrap();
    assert_eq!(
        first.iter().map(|e| &e.podani_id).collect::<Vec<_>>(),
        again.iter().map(|e| &e.podani_id).collect::<Vec<_>>()
    );
    assert!(again.iter().all(|e| !e.new));
    // Another report under a stored key is refused; nothing of the batch is stored.
    let mut other = report(0);
    other.polozky[0].sarze = Some("JINA".into());
    let err = outbox.enqueue_all(&[report(100), other]).await.unwrap_err();
    assert!(
        matches!(err, OutboxError::KeyConflict { ref klic, .. } if klic == "vydej-0"),
        "{err}"
    );
    assert_eq!(outbox.list(100).await.unwrap().len(), 6);
    // An invalid report: nothing stored, every problem named.
    let mut bad = report(7);
    bad.polozky[0].kod_sukl = Some("12345".into());
    let err = outbox.enqueue(&bad).await.unwrap_err();
    let OutboxError::Invalid(e) = err else {
        panic!("{err}")
    };
    assert!(e.concerns("reglp/[0]/kodSUKL"), "{e}");
    assert_eq!(outbox.list(100).await.unwrap().len(), 6);

    let summary = outbox.run_until_idle(&client(&sandbox)).await.unwrap();
    assert_eq!((summary.sent, summary.acknowledged), (6, 6));
    let stored = sandbox.reports();
    assert_eq!(stored.len(), 6);
    assert!(stored.iter().all(|r| r.creates == 1));
    for e in &first {
        let state = outbox.report(&e.podani_id).await.unwrap().unwrap();
        assert_eq!(state.stav, StavZpravy::Potvrzeno);
        assert!(state.nahlaseno && state.potvrzeno.is_some());
        assert!(sandbox.report(&e.podani_id).is_some());
    }
    // Nothing left: another pass sends nothing.
    let summary = outbox.run_until_idle(&client(&sandbox)).await.unwrap();
    assert_eq!(summary.sent, 0);
    sandbox.shutdown().await;
}

async fn retries_transient_failures_without_duplicates(location: String) {
    let sandbox = Sandbox::start().unwrap();
    let outbox = open(&location).await.with_policy(fast().concurrency(1));
    let reports: Vec<Hlaseni> = (0..3).map(report).collect();
    let enqueued = outbox.enqueue_all(&reports).await.unwrap();
    // The first sends: stored but the answer lost, twice; a dropped connection; two 503s.
    sandbox.fail_next(2, Fault::DropAfter);
    sandbox.fail_next(1, Fault::DropBefore);
    sandbox.fail_next(2, Fault::Status(503));
    let summary = outbox.run_until_idle(&client(&sandbox)).await.unwrap();
    assert_eq!(summary.acknowledged, 3);
    assert_eq!(summary.retried, 5);
    let stats = sandbox.stats();
    assert_eq!(
        (stats.dropped_after, stats.dropped_before, stats.unavailable),
        (2, 1, 2)
    );
    // Exactly three reports at SÚKL, one per UUID; the lost answers made resends, stored once.
    let stored = sandbox.reports();
    assert_eq!(stored.len(), 3);
    assert_eq!(stats.create_resends, 2);
    let ids: HashSet<&str> = enqueued.iter().map(|e| e.podani_id.as_str()).collect();
    assert!(stored.iter().all(|r| ids.contains(r.podani_id.as_str())));
    sandbox.shutdown().await;
}

async fn refusals_fail_for_good_until_retried(location: String) {
    let sandbox = Sandbox::start().unwrap();
    let outbox = open(&location).await;
    let e = outbox.enqueue(&report(1)).await.unwrap();
    // A certificate of another workplace: SÚKL refuses (403), which retrying will not fix.
    let foreign = sandbox
        .client_builder("99999999999")
        .unwrap()
        .build()
        .unwrap();
    let summary = outbox.run_until_idle(&foreign).await.unwrap();
    assert_eq!((summary.sent, summary.failed), (1, 1));
    let state = outbox.report(&e.podani_id).await.unwrap().unwrap();
    assert_eq!(state.stav, StavZpravy::Selhalo);
    assert!(
        state
            .posledni_chyba
            .as_deref()
            .unwrap_or("")
            .contains("403"),
        "{state:?}"
    );
    assert!(!state.nahlaseno);
    // It stays due, and failed messages wait for a person: retry sends it again.
    assert_eq!(
        outbox
            .due(Duration::from_secs(200 * 3600), OffsetDateTime::now_utc())
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(outbox.retry_failed().await.unwrap(), 1);
    let summary = outbox.run_until_idle(&client(&sandbox)).await.unwrap();
    assert_eq!(summary.acknowledged, 1);
    assert!(
        outbox
            .report(&e.podani_id)
            .await
            .unwrap()
            .unwrap()
            .nahlaseno
    );
    sandbox.shutdown().await;
}

async fn changes_and_cancellations_follow_their_report(location: String) {
    let sandbox = Sandbox::start().unwrap();
    let outbox = open(&location).await;
    let e = outbox.enqueue(&report(0)).await.unwrap();
    // Queued before the create is sent: the change and the cancellation wait for it.
    let mut changed = report(0);
    changed.polozky[0].mnozstvi = sdk_runtime::Decimal::from(3);
    outbox.enqueue_change(&e.podani_id, &changed).await.unwrap();
    outbox.enqueue_cancel(&e.podani_id).await.unwrap();
    let summary = outbox.run_until_idle(&client(&sandbox)).await.unwrap();
    assert_eq!(summary.acknowledged, 3);
    let stored = sandbox.report(&e.podani_id).unwrap();
    assert_eq!(stored.body["reglp"][0]["mnozstvi"], 3.0);
    assert!(stored.zruseno);
    assert_eq!(stored.changes, 1);
    let state = outbox.report(&e.podani_id).await.unwrap().unwrap();
    assert!(state.zruseno && state.stav == StavZpravy::Potvrzeno && state.zpravy == 3);
    let err = outbox.enqueue_cancel(&e.podani_id).await.unwrap_err();
    assert!(matches!(err, OutboxError::Cancelled(_)));
    let err = outbox
        .enqueue_cancel(&uuid::Uuid::new_v4().to_string())
        .await
        .unwrap_err();
    assert!(matches!(err, OutboxError::NotFound(_)));
    sandbox.shutdown().await;
}

async fn the_deadline_view_lists_what_sukl_does_not_have(location: String) {
    let sandbox = Sandbox::start().unwrap();
    let outbox = open(&location).await.allow_late(true);
    let mut soon = report(0);
    soon.polozky
        .iter_mut()
        .for_each(|p| p.vydano = hours_ago(160));
    let mut late = report(1);
    late.polozky
        .iter_mut()
        .for_each(|p| p.vydano = hours_ago(170));
    let fresh = report(2);
    let ids: Vec<String> = outbox
        .enqueue_all(&[soon, late, fresh])
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.podani_id)
        .collect();
    let now = OffsetDateTime::now_utc();
    let due = outbox
        .due(Duration::from_secs(12 * 3600), now)
        .await
        .unwrap();
    assert_eq!(due.len(), 2, "{due:?}");
    // The overdue one first, then the one due within 8 hours.
    assert_eq!(due[0].report.podani_id, ids[1]);
    assert!(due[0].overdue && due[0].remaining_secs < 0);
    assert_eq!(due[1].report.podani_id, ids[0]);
    assert!(!due[1].overdue && due[1].remaining_secs > 7 * 3600);
    // Once SÚKL has them, nothing is due.
    outbox.run_until_idle(&client(&sandbox)).await.unwrap();
    assert!(
        outbox
            .due(Duration::from_secs(400 * 3600), now)
            .await
            .unwrap()
            .is_empty()
    );
    // Without allow_late, a report past the window is refused when enqueued.
    let strict = open(&location).await;
    let mut past = report(3);
    past.polozky
        .iter_mut()
        .for_each(|p| p.vydano = hours_ago(170));
    let err = strict.enqueue(&past).await.unwrap_err();
    assert!(
        matches!(err, OutboxError::Invalid(ref e) if e.violations.iter().any(|v| v.kind == sdk_runtime::xml::ViolationKind::Deadline)),
        "{err}"
    );
    sandbox.shutdown().await;
}

async fn an_outbox_keeps_to_its_workplace_and_endpoint(location: String) {
    let sandbox = Sandbox::start().unwrap();
    let outbox = open(&location).await;
    outbox.enqueue(&report(0)).await.unwrap();
    outbox.run_until_idle(&client(&sandbox)).await.unwrap();
    // Another pharmacy may not use it.
    let other = Odesilatel::new(
        KodPracoviste::parse("10987654321").unwrap(),
        Icz::parse("12345000").unwrap(),
        Software::new("x", "1", "y"),
    );
    let err = Outbox::open(&location, other).await.unwrap_err();
    assert!(matches!(err, OutboxError::WrongOutbox(_)), "{err}");
    // Its reports went to this sandbox; they may not go to another endpoint.
    let second = Sandbox::start().unwrap();
    let err = outbox.run_once(&client(&second)).await.unwrap_err();
    assert!(
        matches!(err, OutboxError::WrongOutbox(ref m) if m.contains("endpoint")),
        "{err}"
    );
    assert_eq!(second.stats().requests, 0);
    sandbox.shutdown().await;
    second.shutdown().await;
}

#[tokio::test]
async fn one_worker_at_a_time_per_sqlite_file() {
    let location = sqlite_location();
    let sandbox = Sandbox::start().unwrap();
    let outbox = open(&location).await;
    outbox.enqueue(&report(0)).await.unwrap();
    let path = location.strip_prefix("sqlite:").unwrap();
    let lock = std::fs::File::create(format!("{path}.worker-lock")).unwrap();
    lock.lock().unwrap();
    let err = outbox.run_once(&client(&sandbox)).await.unwrap_err();
    assert!(matches!(err, OutboxError::Busy(_)), "{err}");
    lock.unlock().unwrap();
    assert_eq!(
        outbox
            .run_once(&client(&sandbox))
            .await
            .unwrap()
            .acknowledged,
        1
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn two_postgres_workers_never_send_the_same_report_at_once() {
    let location = support::postgres_database().await;
    // Slow answers, so that two workers racing for the same report would overlap at the
    // sandbox.
    let sandbox = Sandbox::start_with(
        SandboxConfig::default()
            .faults(Faults::none().delay(Duration::from_millis(2), Duration::from_millis(15))),
    )
    .unwrap();
    let a = open(&location).await.with_policy(fast().concurrency(4));
    let b = open(&location).await.with_policy(fast().concurrency(4));
    let reports: Vec<Hlaseni> = (0..300).map(report).collect();
    a.enqueue_all(&reports).await.unwrap();
    let (ca, cb) = (client(&sandbox), client(&sandbox));
    let (ra, rb) = tokio::join!(a.run_until_idle(&ca), b.run_until_idle(&cb));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.acknowledged + rb.acknowledged, 300);
    assert!(
        ra.acknowledged > 0 && rb.acknowledged > 0,
        "both workers worked: {ra:?} {rb:?}"
    );
    let stats = sandbox.stats();
    assert_eq!(stats.overlapping, 0, "two requests for one report at once");
    assert_eq!((stats.created, stats.create_resends), (300, 0));
    let batches: HashSet<String> = sandbox
        .reports()
        .iter()
        .map(|r| batch_of(&r.body))
        .collect();
    assert_eq!(batches.len(), 300);
    sandbox.shutdown().await;
}
