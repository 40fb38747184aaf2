//! The outbox on a PostgreSQL server (tokio-postgres), for pharmacy chains running several
//! workers against one store.
//!
//! Each worker task has its own connection and, per message, its own transaction: it claims
//! the next message with `SELECT … FOR UPDATE OF r SKIP LOCKED` on the report's row, sends it,
//! records the outcome and commits. The row lock is what keeps two workers from sending the same
//! report at the same time; a worker that dies (its process killed) loses its connection, the
//! server rolls its transaction back and the report is free again.

use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::task::JoinSet;
use tokio_postgres::{Client as PgClient, NoTls, Row};

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
  vydano_ms BIGINT NOT NULL,
  lhuta_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  otevreno BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE IF NOT EXISTS lek13_messages (
  seq BIGSERIAL PRIMARY KEY,
  podani_id TEXT NOT NULL REFERENCES lek13_reports(podani_id),
  akce TEXT NOT NULL,
  body TEXT,
  stav TEXT NOT NULL,
  pokusy INTEGER NOT NULL DEFAULT 0,
  dalsi_pokus_ms BIGINT NOT NULL,
  posledni_chyba TEXT,
  posledni_status INTEGER,
  potvrzeno_ms BIGINT,
  prijato TEXT,
  created_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS lek13_messages_due ON lek13_messages(stav, dalsi_pokus_ms);
CREATE INDEX IF NOT EXISTS lek13_messages_report ON lek13_messages(podani_id, seq);
CREATE INDEX IF NOT EXISTS lek13_reports_lhuta ON lek13_reports(lhuta_ms);
CREATE INDEX IF NOT EXISTS lek13_reports_open ON lek13_reports(lhuta_ms) WHERE otevreno;
";

/// The next message that may be sent, its report row locked; skips reports another worker
/// holds. Only reports with messages not yet acknowledged (`otevreno`, indexed) are looked at,
/// so the acknowledged history costs nothing; of each, its first such message (a report's
/// messages go in order), if it is waiting and due.
const CLAIM: &str = "
SELECT m.seq, r.podani_id, r.druh, m.akce, m.body, m.pokusy
FROM lek13_reports r
CROSS JOIN LATERAL (
  SELECT e.seq, e.akce, e.body, e.pokusy, e.stav, e.dalsi_pokus_ms FROM lek13_messages e
  WHERE e.podani_id = r.podani_id AND e.stav <> 'potvrzeno' ORDER BY e.seq LIMIT 1) m
WHERE r.otevreno AND m.stav = 'ceka' AND m.dalsi_pokus_ms <= $1
ORDER BY r.lhuta_ms, r.podani_id
LIMIT 1
FOR UPDATE OF r SKIP LOCKED
";

/// Closes a report whose messages are all acknowledged.
const CLOSE_REPORT: &str = "
UPDATE lek13_reports SET otevreno = EXISTS (
  SELECT 1 FROM lek13_messages e WHERE e.podani_id = lek13_reports.podani_id
    AND e.stav <> 'potvrzeno')
WHERE podani_id = $1
";

pub(super) struct PgStore {
    config: tokio_postgres::Config,
    admin: Arc<Mutex<PgClient>>,
}

fn db(e: tokio_postgres::Error) -> OutboxError {
    // The server's own message (e.g. a missing database) says more than the driver's summary.
    match e.as_db_error() {
        Some(d) => OutboxError::Store(format!("PostgreSQL: {}", d.message())),
        None => OutboxError::Store(format!("PostgreSQL: {e}")),
    }
}

async fn connect(config: &tokio_postgres::Config) -> Result<PgClient, OutboxError> {
    let (client, connection) = config.connect(NoTls).await.map_err(db)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "outbox PostgreSQL connection ended");
        }
    });
    Ok(client)
}

fn states(rows: &[Row]) -> Result<Vec<ReportState>, OutboxError> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let get = |e: tokio_postgres::Error| db(e);
        out.push(report_state(
            r.try_get(0).map_err(get)?,
            r.try_get(1).map_err(get)?,
            r.try_get::<_, &str>(2).map_err(get)?,
            r.try_get(3).map_err(get)?,
            r.try_get(4).map_err(get)?,
            usize::try_from(r.try_get::<_, i64>(5).map_err(get)?).unwrap_or_default(),
            usize::try_from(r.try_get::<_, i64>(6).map_err(get)?).unwrap_or_default(),
            usize::try_from(r.try_get::<_, i64>(7).map_err(get)?).unwrap_or_default(),
            r.try_get(8).map_err(get)?,
            r.try_get::<_, i32>(9).map_err(get)? > 0,
            r.try_get(10).map_err(get)?,
            r.try_get(11).map_err(get)?,
        )?);
    }
    Ok(out)
}

impl PgStore {
    pub(super) async fn open(conninfo: &str) -> Result<Self, OutboxError> {
        let config: tokio_postgres::Config = conninfo
            .parse()
            .map_err(|e| OutboxError::Location(format!("{conninfo}: {e}")))?;
        let mut admin = connect(&config).await?;
        // Two processes creating the tables at once would collide; one at a time.
        let tx = admin.transaction().await.map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock(7310013)", &[])
            .await
            .map_err(db)?;
        tx.batch_execute(SCHEMA).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Self {
            config,
            admin: Arc::new(Mutex::new(admin)),
        })
    }

    pub(super) async fn bind(&self, key: &str, value: &str) -> Result<String, OutboxError> {
        let c = self.admin.lock().await;
        c.execute(
            "INSERT INTO lek13_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &value],
        )
        .await
        .map_err(db)?;
        let row = c
            .query_one("SELECT value FROM lek13_meta WHERE key = $1", &[&key])
            .await
            .map_err(db)?;
        row.try_get(0).map_err(db)
    }

    pub(super) async fn meta(&self, key: &str) -> Result<Option<String>, OutboxError> {
        let c = self.admin.lock().await;
        let row = c
            .query_opt("SELECT value FROM lek13_meta WHERE key = $1", &[&key])
            .await
            .map_err(db)?;
        row.map(|r| r.try_get(0).map_err(db)).transpose()
    }

    pub(super) async fn set_meta(&self, key: &str, value: &str) -> Result<(), OutboxError> {
        let c = self.admin.lock().await;
        c.execute(
            "INSERT INTO lek13_meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )
        .await
        .map_err(db)?;
        Ok(())
    }

    pub(super) async fn enqueue(
        &self,
        reports: &[NewReport],
        now: i64,
    ) -> Result<Vec<Enqueued>, OutboxError> {
        let mut c = self.admin.lock().await;
        let tx = c.transaction().await.map_err(db)?;
        let mut out = Vec::with_capacity(reports.len());
        for r in reports {
            let existing =
                |row: Option<Row>| -> Result<Option<(String, String, i64)>, OutboxError> {
                    match row {
                        Some(row) => Ok(Some((
                            row.try_get(0).map_err(db)?,
                            row.try_get(1).map_err(db)?,
                            row.try_get(2).map_err(db)?,
                        ))),
                        None => Ok(None),
                    }
                };
            let select = "SELECT podani_id, input, lhuta_ms FROM lek13_reports WHERE klic = $1";
            let mut stored = existing(tx.query_opt(select, &[&r.klic]).await.map_err(db)?)?;
            if stored.is_none() {
                let taken = tx
                    .query_opt(
                        "SELECT 1 FROM lek13_reports WHERE podani_id = $1",
                        &[&r.podani_id],
                    )
                    .await
                    .map_err(db)?;
                if taken.is_some() {
                    return Err(OutboxError::IdConflict(r.podani_id.clone()));
                }
                let inserted = tx
                    .execute(
                        "INSERT INTO lek13_reports
                           (podani_id, klic, druh, kod_pracoviste, input, vydano_ms, lhuta_ms, created_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                         ON CONFLICT (klic) DO NOTHING",
                        &[
                            &r.podani_id,
                            &r.klic,
                            &r.druh.as_str(),
                            &r.kod_pracoviste,
                            &r.input,
                            &r.vydano_ms,
                            &r.lhuta_ms,
                            &now,
                        ],
                    )
                    .await
                    .map_err(db)?;
                if inserted == 1 {
                    tx.execute(
                        "INSERT INTO lek13_messages (podani_id, akce, body, stav, dalsi_pokus_ms, created_ms)
                         VALUES ($1, 'zalozit', $2, 'ceka', $3, $3)",
                        &[&r.podani_id, &r.body, &now],
                    )
                    .await
                    .map_err(db)?;
                    out.push(Enqueued {
                        podani_id: r.podani_id.clone(),
                        klic: r.klic.clone(),
                        lhuta: from_ms(r.lhuta_ms),
                        new: true,
                    });
                    continue;
                }
                // Another process stored this key in the meantime.
                stored = existing(tx.query_opt(select, &[&r.klic]).await.map_err(db)?)?;
            }
            match stored {
                Some((id, input, lhuta)) if input == r.input => out.push(Enqueued {
                    podani_id: id,
                    klic: r.klic.clone(),
                    lhuta: from_ms(lhuta),
                    new: false,
                }),
                Some((id, _, _)) => {
                    return Err(OutboxError::KeyConflict {
                        klic: r.klic.clone(),
                        podani_id: id,
                    });
                }
                None => return Err(OutboxError::Store("a stored key disappeared".into())),
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    pub(super) async fn add_message(
        &self,
        podani_id: &str,
        akce: Akce,
        body: Option<&str>,
        now: i64,
    ) -> Result<(), OutboxError> {
        let mut c = self.admin.lock().await;
        let tx = c.transaction().await.map_err(db)?;
        tx.execute(
            "INSERT INTO lek13_messages (podani_id, akce, body, stav, dalsi_pokus_ms, created_ms)
             VALUES ($1, $2, $3, 'ceka', $4, $4)",
            &[&podani_id, &akce.as_str(), &body, &now],
        )
        .await
        .map_err(db)?;
        tx.execute(
            "UPDATE lek13_reports SET otevreno = TRUE WHERE podani_id = $1",
            &[&podani_id],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    pub(super) async fn list(
        &self,
        podani_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ReportState>, OutboxError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.admin.lock().await;
        let rows = match podani_id {
            Some(id) => c
                .query(
                    &format!(
                        "{REPORT_STATE_SELECT} WHERE r.podani_id = $1 GROUP BY r.podani_id LIMIT $2"
                    ),
                    &[&id, &limit],
                )
                .await,
            None => c
                .query(
                    &format!(
                        "{REPORT_STATE_SELECT} GROUP BY r.podani_id ORDER BY r.lhuta_ms, r.podani_id LIMIT $1"
                    ),
                    &[&limit],
                )
                .await,
        }
        .map_err(db)?;
        states(&rows)
    }

    pub(super) async fn due(&self, until_ms: i64) -> Result<Vec<ReportState>, OutboxError> {
        let c = self.admin.lock().await;
        let rows = c
            .query(
                &format!(
                    "{REPORT_STATE_SELECT}
                     WHERE r.lhuta_ms <= $1 AND NOT EXISTS (
                       SELECT 1 FROM lek13_messages x WHERE x.podani_id = r.podani_id
                         AND x.akce = 'zalozit' AND x.stav = 'potvrzeno')
                     GROUP BY r.podani_id ORDER BY r.lhuta_ms, r.podani_id"
                ),
                &[&until_ms],
            )
            .await
            .map_err(db)?;
        states(&rows)
    }

    pub(super) async fn retry_failed(&self, now: i64) -> Result<usize, OutboxError> {
        let c = self.admin.lock().await;
        let n = c
            .execute(
                "UPDATE lek13_messages SET stav = 'ceka', pokusy = 0, dalsi_pokus_ms = $1
                 WHERE stav = 'selhalo'",
                &[&now],
            )
            .await
            .map_err(db)?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    pub(super) async fn pending(&self) -> Result<(usize, Option<i64>), OutboxError> {
        let c = self.admin.lock().await;
        let n: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM lek13_messages m WHERE m.stav = 'ceka'
                   AND NOT EXISTS (SELECT 1 FROM lek13_messages e
                     WHERE e.podani_id = m.podani_id AND e.seq < m.seq AND e.stav = 'selhalo')",
                &[],
            )
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        let next: Option<i64> = c
            .query_one(
                "SELECT MIN(m.dalsi_pokus_ms) FROM lek13_reports r
                 CROSS JOIN LATERAL (
                   SELECT e.stav, e.dalsi_pokus_ms FROM lek13_messages e
                   WHERE e.podani_id = r.podani_id AND e.stav <> 'potvrzeno' ORDER BY e.seq LIMIT 1) m
                 WHERE r.otevreno AND m.stav = 'ceka'",
                &[],
            )
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        Ok((usize::try_from(n).unwrap_or_default(), next))
    }

    /// `concurrency` worker tasks, each claiming, sending and recording one message per
    /// transaction until nothing is due.
    pub(super) async fn work(
        &self,
        outbox: &Outbox,
        client: &Client,
    ) -> Result<RunSummary, OutboxError> {
        let mut tasks = JoinSet::new();
        for _ in 0..outbox.policy().concurrency {
            let (outbox, client, config) = (outbox.clone(), client.clone(), self.config.clone());
            tasks.spawn(async move {
                let mut conn = connect(&config).await?;
                let mut summary = RunSummary::default();
                loop {
                    match step(&mut conn, &outbox, &client).await? {
                        Step::Idle => break,
                        Step::Skipped => {}
                        Step::Sent(outcome) => summary.add(&outcome),
                    }
                }
                Ok::<_, OutboxError>(summary)
            });
        }
        let mut total = RunSummary::default();
        let mut first_error = None;
        while let Some(done) = tasks.join_next().await {
            match done.map_err(OutboxError::store) {
                Ok(Ok(s)) => total.merge(s),
                Ok(Err(e)) | Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(total),
        }
    }
}

/// What one [`step`] did.
enum Step {
    /// Nothing is due.
    Idle,
    /// The claimed message was handled by another worker meanwhile.
    Skipped,
    /// A message was sent, with this outcome.
    Sent(Outcome),
}

/// Claims, sends and records one message.
async fn step(conn: &mut PgClient, outbox: &Outbox, client: &Client) -> Result<Step, OutboxError> {
    let now = ms(time::OffsetDateTime::now_utc());
    let tx = conn.transaction().await.map_err(db)?;
    let Some(row) = tx.query_opt(CLAIM, &[&now]).await.map_err(db)? else {
        tx.commit().await.map_err(db)?;
        return Ok(Step::Idle);
    };
    let claim = Claim {
        seq: row.try_get(0).map_err(db)?,
        podani_id: row.try_get(1).map_err(db)?,
        druh: parse_druh(row.try_get(2).map_err(db)?)?,
        akce: parse_akce(row.try_get(3).map_err(db)?)?,
        body: row.try_get(4).map_err(db)?,
        pokusy: u32::try_from(row.try_get::<_, i32>(5).map_err(db)?).unwrap_or_default(),
    };
    // The claim's snapshot predates the lock: another worker may have acknowledged the message
    // and released the report just before. Read it again now that the report is ours.
    let still = tx
        .query_one(
            "SELECT stav FROM lek13_messages WHERE seq = $1",
            &[&claim.seq],
        )
        .await
        .map_err(db)?;
    if still.try_get::<_, &str>(0).map_err(db)? != "ceka" {
        tx.commit().await.map_err(db)?;
        return Ok(Step::Skipped);
    }
    let outcome = outbox.deliver(client, &claim).await;
    let now = ms(time::OffsetDateTime::now_utc());
    let next = outbox.retry_at(&claim, &outcome, now);
    match &outcome {
        Outcome::Acknowledged { status, prijato } => {
            let status = status.map(i32::from);
            tx.execute(
                "UPDATE lek13_messages SET stav = 'potvrzeno', pokusy = pokusy + 1,
                   potvrzeno_ms = $1, prijato = $2, posledni_status = $3, posledni_chyba = NULL
                 WHERE seq = $4",
                &[&now, prijato, &status, &claim.seq],
            )
            .await
            .map_err(db)?;
            tx.execute(CLOSE_REPORT, &[&claim.podani_id]).await
        }
        Outcome::Retry { status, error } => {
            let status = status.map(i32::from);
            tx.execute(
                "UPDATE lek13_messages SET pokusy = pokusy + 1, dalsi_pokus_ms = $1,
                   posledni_chyba = $2, posledni_status = $3
                 WHERE seq = $4",
                &[&next, error, &status, &claim.seq],
            )
            .await
        }
        Outcome::Failed { status, error } => {
            let status = status.map(i32::from);
            tx.execute(
                "UPDATE lek13_messages SET stav = 'selhalo', pokusy = pokusy + 1,
                   posledni_chyba = $1, posledni_status = $2
                 WHERE seq = $3",
                &[error, &status, &claim.seq],
            )
            .await
        }
    }
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    outbox.recorded(&claim, &outcome, next, now);
    Ok(Step::Sent(outcome))
}
