//! The outbox on one SQLite file (rusqlite, SQLite compiled in).
//!
//! Durability: WAL with `synchronous = FULL`, so a committed report survives a power cut, not
//! only a crash. Every statement runs on a blocking thread; one connection per store, behind a
//! mutex. One worker per file at a time: [`SqliteStore::work`] holds an exclusive lock on
//! `<file>.worker-lock` (released by the operating system when the process dies), while other
//! processes may enqueue at any time (SQLite serialises the writes, with a busy timeout).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio::task::JoinSet;

use super::{
    Akce, Claim, Enqueued, NewReport, Outbox, OutboxError, Outcome, REPORT_STATE_SELECT,
    ReportState, RunSummary, from_ms, ms, parse_akce, parse_druh, report_state,
};
use crate::lek13::Client;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS lek13_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lek13_reports (
  podani_id TEXT PRIMARY KEY,
  klic TEXT NOT NULL UNIQUE,
  druh TEXT NOT NULL,
  kod_pracoviste TEXT NOT NULL,
  input TEXT NOT NULL,
  vydano_ms INTEGER NOT NULL,
  lhuta_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  otevreno INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS lek13_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  podani_id TEXT NOT NULL REFERENCES lek13_reports(podani_id),
  akce TEXT NOT NULL,
  body TEXT,
  stav TEXT NOT NULL,
  pokusy INTEGER NOT NULL DEFAULT 0,
  dalsi_pokus_ms INTEGER NOT NULL,
  posledni_chyba TEXT,
  posledni_status INTEGER,
  potvrzeno_ms INTEGER,
  prijato TEXT,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS lek13_messages_due ON lek13_messages(stav, dalsi_pokus_ms);
CREATE INDEX IF NOT EXISTS lek13_messages_report ON lek13_messages(podani_id, seq);
CREATE INDEX IF NOT EXISTS lek13_reports_lhuta ON lek13_reports(lhuta_ms);
CREATE INDEX IF NOT EXISTS lek13_reports_open ON lek13_reports(lhuta_ms) WHERE otevreno = 1;
";

/// Messages that may be sent now: of reports with messages not yet acknowledged
/// (`otevreno`, indexed, so that the acknowledged history costs nothing), the first such
/// message of each report (a report's messages go in order), if it is waiting and due.
const CLAIMABLE: &str = "
SELECT m.seq, r.podani_id, r.druh, m.akce, m.body, m.pokusy
FROM lek13_reports r
JOIN lek13_messages m ON m.seq = (
  SELECT e.seq FROM lek13_messages e
  WHERE e.podani_id = r.podani_id AND e.stav <> 'potvrzeno' ORDER BY e.seq LIMIT 1)
WHERE r.otevreno = 1 AND m.stav = 'ceka' AND m.dalsi_pokus_ms <= ?1
ORDER BY r.lhuta_ms, r.podani_id
LIMIT ?2
";

/// Closes a report whose messages are all acknowledged.
const CLOSE_REPORT: &str = "
UPDATE lek13_reports SET otevreno = EXISTS (
  SELECT 1 FROM lek13_messages e WHERE e.podani_id = lek13_reports.podani_id
    AND e.stav <> 'potvrzeno')
WHERE podani_id = ?1
";

pub(super) struct SqliteStore {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

fn db(e: rusqlite::Error) -> OutboxError {
    OutboxError::store(e)
}

impl SqliteStore {
    pub(super) async fn open(path: &Path) -> Result<Self, OutboxError> {
        let owned = path.to_path_buf();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, OutboxError> {
            let conn = Connection::open(&owned)
                .map_err(|e| OutboxError::Store(format!("{}: {e}", owned.display())))?;
            conn.busy_timeout(std::time::Duration::from_secs(30))
                .map_err(db)?;
            // journal_mode answers with a row; the others set quietly.
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
                .map_err(db)?;
            conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
                .map_err(db)?;
            conn.execute_batch(SCHEMA).map_err(db)?;
            Ok(conn)
        })
        .await
        .map_err(OutboxError::store)??;
        Ok(Self {
            path: path.to_path_buf(),
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, OutboxError> + Send + 'static,
    ) -> Result<T, OutboxError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut c)
        })
        .await
        .map_err(OutboxError::store)?
    }

    pub(super) async fn bind(&self, key: &str, value: &str) -> Result<String, OutboxError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.with(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO lek13_meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(db)?;
            c.query_row(
                "SELECT value FROM lek13_meta WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .map_err(db)
        })
        .await
    }

    pub(super) async fn meta(&self, key: &str) -> Result<Option<String>, OutboxError> {
        let key = key.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT value FROM lek13_meta WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
        })
        .await
    }

    pub(super) async fn set_meta(&self, key: &str, value: &str) -> Result<(), OutboxError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.with(move |c| {
            c.execute(
                "INSERT INTO lek13_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    pub(super) async fn enqueue(
        &self,
        reports: &[NewReport],
        now: i64,
    ) -> Result<Vec<Enqueued>, OutboxError> {
        let reports = reports.to_vec();
        self.with(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let mut out = Vec::with_capacity(reports.len());
            for r in reports {
                let NewReport {
                    podani_id: id,
                    klic,
                    druh,
                    kod_pracoviste: kod,
                    input,
                    body,
                    vydano_ms: vydano,
                    lhuta_ms: lhuta,
                } = r;
                let druh = druh.as_str();
                let stored: Option<(String, String, i64)> = tx
                    .query_row(
                        "SELECT podani_id, input, lhuta_ms FROM lek13_reports WHERE klic = ?1",
                        params![klic],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()
                    .map_err(db)?;
                if let Some((stored_id, stored_input, stored_lhuta)) = stored {
                    if stored_input != input {
                        return Err(OutboxError::KeyConflict {
                            klic,
                            podani_id: stored_id,
                        });
                    }
                    out.push(Enqueued {
                        podani_id: stored_id,
                        klic,
                        lhuta: from_ms(stored_lhuta),
                        new: false,
                    });
                    continue;
                }
                let taken: bool = tx
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM lek13_reports WHERE podani_id = ?1)",
                        params![id],
                        |r| r.get(0),
                    )
                    .map_err(db)?;
                if taken {
                    return Err(OutboxError::IdConflict(id));
                }
                tx.execute(
                    "INSERT INTO lek13_reports
                       (podani_id, klic, druh, kod_pracoviste, input, vydano_ms, lhuta_ms, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![id, klic, druh, kod, input, vydano, lhuta, now],
                )
                .map_err(db)?;
                tx.execute(
                    "INSERT INTO lek13_messages (podani_id, akce, body, stav, dalsi_pokus_ms, created_ms)
                     VALUES (?1, 'zalozit', ?2, 'ceka', ?3, ?3)",
                    params![id, body, now],
                )
                .map_err(db)?;
                out.push(Enqueued {
                    podani_id: id,
                    klic,
                    lhuta: from_ms(lhuta),
                    new: true,
                });
            }
            tx.commit().map_err(db)?;
            Ok(out)
        })
        .await
    }

    pub(super) async fn add_message(
        &self,
        podani_id: &str,
        akce: Akce,
        body: Option<&str>,
        now: i64,
    ) -> Result<(), OutboxError> {
        let (id, body) = (podani_id.to_owned(), body.map(str::to_owned));
        self.with(move |c| {
            let tx = c.transaction().map_err(db)?;
            tx.execute(
                "INSERT INTO lek13_messages (podani_id, akce, body, stav, dalsi_pokus_ms, created_ms)
                 VALUES (?1, ?2, ?3, 'ceka', ?4, ?4)",
                params![id, akce.as_str(), body, now],
            )
            .map_err(db)?;
            tx.execute(
                "UPDATE lek13_reports SET otevreno = 1 WHERE podani_id = ?1",
                params![id],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
        })
        .await
    }

    fn states(
        c: &Connection,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ReportState>, OutboxError> {
        let mut stmt = c.prepare(sql).map_err(db)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, i64>(10)?,
                    r.get::<_, Option<String>>(11)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, klic, druh, vydano, lhuta, n, acked, failed, created, cancel, pokusy, err) =
                row.map_err(db)?;
            out.push(report_state(
                id,
                klic,
                &druh,
                vydano,
                lhuta,
                usize::try_from(n).unwrap_or_default(),
                usize::try_from(acked).unwrap_or_default(),
                usize::try_from(failed).unwrap_or_default(),
                created,
                cancel > 0,
                pokusy,
                err,
            )?);
        }
        Ok(out)
    }

    pub(super) async fn list(
        &self,
        podani_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ReportState>, OutboxError> {
        let id = podani_id.map(str::to_owned);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(move |c| match &id {
            Some(id) => Self::states(
                c,
                &format!(
                    "{REPORT_STATE_SELECT} WHERE r.podani_id = ?1 GROUP BY r.podani_id LIMIT ?2"
                ),
                &[id, &limit],
            ),
            None => Self::states(
                c,
                &format!(
                    "{REPORT_STATE_SELECT} GROUP BY r.podani_id ORDER BY r.lhuta_ms, r.podani_id LIMIT ?1"
                ),
                &[&limit],
            ),
        })
        .await
    }

    pub(super) async fn due(&self, until_ms: i64) -> Result<Vec<ReportState>, OutboxError> {
        self.with(move |c| {
            Self::states(
                c,
                &format!(
                    "{REPORT_STATE_SELECT}
                     WHERE r.lhuta_ms <= ?1 AND NOT EXISTS (
                       SELECT 1 FROM lek13_messages x WHERE x.podani_id = r.podani_id
                         AND x.akce = 'zalozit' AND x.stav = 'potvrzeno')
                     GROUP BY r.podani_id ORDER BY r.lhuta_ms, r.podani_id"
                ),
                &[&until_ms],
            )
        })
        .await
    }

    pub(super) async fn retry_failed(&self, now: i64) -> Result<usize, OutboxError> {
        self.with(move |c| {
            c.execute(
                "UPDATE lek13_messages SET stav = 'ceka', pokusy = 0, dalsi_pokus_ms = ?1
                 WHERE stav = 'selhalo'",
                params![now],
            )
            .map_err(db)
        })
        .await
    }

    pub(super) async fn pending(&self) -> Result<(usize, Option<i64>), OutboxError> {
        self.with(move |c| {
            // Waiting messages not stuck behind a failed one; the earliest due among those
            // that may go next.
            let n: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM lek13_messages m WHERE m.stav = 'ceka'
                       AND NOT EXISTS (SELECT 1 FROM lek13_messages e
                         WHERE e.podani_id = m.podani_id AND e.seq < m.seq AND e.stav = 'selhalo')",
                    [],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let next: Option<i64> = c
                .query_row(
                    "SELECT MIN(m.dalsi_pokus_ms) FROM lek13_reports r
                     JOIN lek13_messages m ON m.seq = (
                       SELECT e.seq FROM lek13_messages e
                       WHERE e.podani_id = r.podani_id AND e.stav <> 'potvrzeno' ORDER BY e.seq LIMIT 1)
                     WHERE r.otevreno = 1 AND m.stav = 'ceka'",
                    [],
                    |r| r.get(0),
                )
                .map_err(db)?;
            Ok((usize::try_from(n).unwrap_or_default(), next))
        })
        .await
    }

    async fn claim(&self, n: usize, now: i64) -> Result<Vec<Claim>, OutboxError> {
        let n = i64::try_from(n).unwrap_or(1);
        self.with(move |c| {
            let mut stmt = c.prepare_cached(CLAIMABLE).map_err(db)?;
            let rows = stmt
                .query_map(params![now, n], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                })
                .map_err(db)?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, podani_id, druh, akce, body, pokusy) = row.map_err(db)?;
                out.push(Claim {
                    seq,
                    podani_id,
                    druh: parse_druh(&druh)?,
                    akce: parse_akce(&akce)?,
                    body,
                    pokusy: u32::try_from(pokusy).unwrap_or(u32::MAX),
                });
            }
            Ok(out)
        })
        .await
    }

    /// Records the outcomes of a batch of sends in one transaction (one write to the disk for
    /// all of them).
    async fn record(&self, done: Vec<(Claim, Outcome, i64)>, now: i64) -> Result<(), OutboxError> {
        self.with(move |c| {
            let tx = c.transaction().map_err(db)?;
            for (claim, outcome, next) in done {
                let seq = claim.seq;
                match outcome {
                    Outcome::Acknowledged { status, prijato } => {
                        tx.execute(
                            "UPDATE lek13_messages SET stav = 'potvrzeno', pokusy = pokusy + 1,
                               potvrzeno_ms = ?1, prijato = ?2, posledni_status = ?3,
                               posledni_chyba = NULL
                             WHERE seq = ?4",
                            params![now, prijato, status, seq],
                        )
                        .map_err(db)?;
                        tx.execute(CLOSE_REPORT, params![claim.podani_id])
                            .map_err(db)?;
                    }
                    Outcome::Retry { status, error } => {
                        tx.execute(
                            "UPDATE lek13_messages SET pokusy = pokusy + 1, dalsi_pokus_ms = ?1,
                               posledni_chyba = ?2, posledni_status = ?3
                             WHERE seq = ?4",
                            params![next, error, status, seq],
                        )
                        .map_err(db)?;
                    }
                    Outcome::Failed { status, error } => {
                        tx.execute(
                            "UPDATE lek13_messages SET stav = 'selhalo', pokusy = pokusy + 1,
                               posledni_chyba = ?1, posledni_status = ?2
                             WHERE seq = ?3",
                            params![error, status, seq],
                        )
                        .map_err(db)?;
                    }
                }
            }
            tx.commit().map_err(db)
        })
        .await
    }

    /// Holds the file's worker lock while sending what is due.
    pub(super) async fn work(
        &self,
        outbox: &Outbox,
        client: &Client,
    ) -> Result<RunSummary, OutboxError> {
        let lock_path = {
            let mut p = self.path.clone().into_os_string();
            p.push(".worker-lock");
            PathBuf::from(p)
        };
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| OutboxError::Store(format!("{}: {e}", lock_path.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OutboxError::Busy(self.path.display().to_string()));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(OutboxError::Store(format!("{}: {e}", lock_path.display())));
            }
        }
        let mut summary = RunSummary::default();
        loop {
            let now = ms(time::OffsetDateTime::now_utc());
            let claims = self.claim(outbox.policy().concurrency, now).await?;
            if claims.is_empty() {
                break;
            }
            let mut sends = JoinSet::new();
            for claim in claims {
                let (outbox, client) = (outbox.clone(), client.clone());
                sends.spawn(async move {
                    let outcome = outbox.deliver(&client, &claim).await;
                    (claim, outcome)
                });
            }
            let mut done = Vec::new();
            while let Some(sent) = sends.join_next().await {
                let (claim, outcome) = sent.map_err(OutboxError::store)?;
                let now = ms(time::OffsetDateTime::now_utc());
                let next = outbox.retry_at(&claim, &outcome, now);
                summary.add(&outcome);
                done.push((claim, outcome, next));
            }
            let now = ms(time::OffsetDateTime::now_utc());
            self.record(done.clone(), now).await?;
            for (claim, outcome, next) in &done {
                outbox.recorded(claim, outcome, *next, now);
            }
        }
        drop(lock);
        Ok(summary)
    }
}
