//! A durable outbox for LEK-13 reports: nothing lost, nothing reported twice.
//!
//! A pharmacy must report every dispensing within 168 hours, whatever happens to its system or
//! to SÚKL. The outbox makes that the storage's problem:
//!
//! 1. [`Outbox::enqueue`] checks a report ([`Hlaseni::check`]), gives it and its items their
//!    RFC 4122 identifiers and **commits** the body it will send, all before anything is sent.
//!    Your key of the dispensing ([`Hlaseni::klic`]) makes enqueueing idempotent: the same key
//!    with the same report returns the stored one.
//! 2. [`Outbox::run_until_idle`] (or [`run`](Outbox::run)) sends what is due, the oldest
//!    deadline first, and records SÚKL's acknowledgement. Transient failures (connection,
//!    timeout, 5xx, rate limiting) are retried with exponential backoff and jitter
//!    ([`RetryPolicy`]); a refusal that needs a person (400, 403, …) marks the message failed
//!    ([`Outbox::retry_failed`] sends it again after you fixed the cause).
//! 3. A crash at any point loses nothing and duplicates nothing: what was committed is sent
//!    after a restart, and a resend carries the same UUID and the same bytes, which SÚKL stores
//!    once (a repeated create answers 200; if it answered 409, the outbox reads the report back
//!    and acknowledges it when it is ours).
//!
//! Changes and cancellations ([`enqueue_change`](Outbox::enqueue_change),
//! [`enqueue_cancel`](Outbox::enqueue_cancel)) go through the same queue, after the report's
//! earlier messages. [`due`](Outbox::due) lists the reports not yet acknowledged whose deadline
//! falls within a given time, or has passed.
//!
//! Storage: SQLite (feature `sqlite`, default; one file, nothing to install; one worker at a
//! time per file, enforced by a lock) or PostgreSQL (feature `postgres`; any number of workers
//! against one database: each message is claimed with `FOR UPDATE SKIP LOCKED` on its report's
//! row, held until its outcome is committed, so two workers never send the same report at the
//! same time, and a worker that dies releases its claims with its connection).
//!
//! An outbox belongs to one workplace and, once it has sent, to one endpoint: it refuses to be
//! opened for another workplace or to send to another base URL (a sandbox's reports must never
//! reach SÚKL, nor SÚKL's end up at a sandbox).
//!
//! ```no_run
//! # async fn demo(client: sdk_sukl::lek13::Client, lekarna: sdk_sukl::lek13::Odesilatel,
//! #               hlaseni: sdk_sukl::lek13::Hlaseni) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use sdk_sukl::outbox::Outbox;
//!
//! let outbox = Outbox::open("lek13-outbox.sqlite", lekarna).await?;
//! // In the same place your system records the dispensing (with its own key in `klic`):
//! let stored = outbox.enqueue(&hlaseni).await?;
//! println!("report {} must reach SÚKL by {}", stored.podani_id, stored.lhuta);
//! // A worker (a task of your service, or `b2b sukl outbox run`):
//! outbox.run_until_idle(&client).await?;
//! for due in outbox.due(Duration::from_secs(24 * 3600), time::OffsetDateTime::now_utc()).await? {
//!     eprintln!("{} not at SÚKL yet, {} s left", due.report.podani_id, due.remaining_secs);
//! }
//! # Ok(()) }
//! ```

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::xml::ValidationError;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::lek13::{Client, DruhHlaseni, Hlaseni, Odesilatel, Odmitnuti, WireReport};

/// What a message does at SÚKL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Akce {
    /// Store the report (POST).
    Zalozit,
    /// Replace the report (PUT).
    Zmenit,
    /// Cancel the report (DELETE).
    Zrusit,
}

impl Akce {
    /// The name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zalozit => "zalozit",
            Self::Zmenit => "zmenit",
            Self::Zrusit => "zrusit",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "zalozit" => Some(Self::Zalozit),
            "zmenit" => Some(Self::Zmenit),
            "zrusit" => Some(Self::Zrusit),
            _ => None,
        }
    }
}

impl fmt::Display for Akce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StavZpravy {
    /// Waiting to be sent (again).
    Ceka,
    /// SÚKL acknowledged it.
    Potvrzeno,
    /// SÚKL refused it in a way retrying will not fix; see its last error.
    Selhalo,
}

impl StavZpravy {
    /// The name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ceka => "ceka",
            Self::Potvrzeno => "potvrzeno",
            Self::Selhalo => "selhalo",
        }
    }
}

impl fmt::Display for StavZpravy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How failed sends are retried, and how many go at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The first retry waits about this long; each further one twice as long.
    pub base: Duration,
    /// No wait is longer than this.
    pub max: Duration,
    /// Messages of different reports sent at the same time by one worker.
    pub concurrency: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            max: Duration::from_secs(300),
            concurrency: 4,
        }
    }
}

impl RetryPolicy {
    /// Sets the first wait and the longest.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base = base;
        self.max = max.max(base);
        self
    }

    /// Sets how many messages one worker sends at the same time (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The wait after the `attempts`-th failed send: exponential, capped, with jitter (half to
    /// all of it, so that workers restarting together spread out).
    pub fn delay(&self, attempts: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
        let capped = exp.min(self.max);
        let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0;
        capped.mul_f64(0.5 + 0.5 * jitter)
    }
}

/// Why the outbox could not do something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// The report breaks a rule; nothing was stored.
    #[error("{0} (nothing was stored)")]
    Invalid(#[from] ValidationError),
    /// Your key is stored with another report.
    #[error("the key `{klic}` is stored with another report ({podani_id}); nothing was stored")]
    KeyConflict {
        /// Your key.
        klic: String,
        /// The report stored under it.
        podani_id: String,
    },
    /// The report's UUID is stored with another key.
    #[error("the report UUID {0} is already stored under another key; nothing was stored")]
    IdConflict(String),
    /// No report with this UUID is in the outbox.
    #[error("no report {0} in the outbox")]
    NotFound(String),
    /// The report is cancelled; nothing more can be sent for it.
    #[error("report {0} is cancelled")]
    Cancelled(String),
    /// The outbox belongs to another workplace or endpoint.
    #[error("{0}")]
    WrongOutbox(String),
    /// Another worker holds this SQLite outbox.
    #[error(
        "another worker is sending from {0} (one worker per SQLite file; use PostgreSQL for several)"
    )]
    Busy(String),
    /// The storage failed.
    #[error("outbox storage: {0}")]
    Store(String),
    /// The store location is not understood.
    #[error("unknown outbox location `{0}` (a file path, sqlite:PATH, or postgres://…)")]
    Location(String),
}

impl OutboxError {
    pub(crate) fn store(e: impl fmt::Display) -> Self {
        Self::Store(e.to_string())
    }
}

/// The result of [`Outbox::enqueue`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Enqueued {
    /// The report's UUID.
    pub podani_id: String,
    /// Your key (or the UUID when you gave none).
    pub klic: String,
    /// When SÚKL must have it.
    pub lhuta: OffsetDateTime,
    /// `false` when the same report was already stored under the key.
    pub new: bool,
}

/// A report in the outbox, with where its messages stand.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportState {
    /// The report's UUID.
    pub podani_id: String,
    /// Your key.
    pub klic: String,
    /// Its kind.
    pub druh: DruhHlaseni,
    /// The earliest dispensing.
    pub vydano: OffsetDateTime,
    /// When SÚKL must have it.
    pub lhuta: OffsetDateTime,
    /// Every message acknowledged: [`Potvrzeno`](StavZpravy::Potvrzeno); one failed:
    /// [`Selhalo`](StavZpravy::Selhalo); otherwise [`Ceka`](StavZpravy::Ceka).
    pub stav: StavZpravy,
    /// The report itself (its create message) is acknowledged: SÚKL has it.
    pub nahlaseno: bool,
    /// A cancellation was acknowledged.
    pub zruseno: bool,
    /// Messages in all.
    pub zpravy: usize,
    /// Sends of messages not yet acknowledged.
    pub pokusy: u32,
    /// The last error of a message not yet acknowledged.
    pub posledni_chyba: Option<String>,
    /// When the create was acknowledged.
    pub potvrzeno: Option<OffsetDateTime>,
}

/// A report whose deadline is near or past, from [`Outbox::due`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Due {
    /// The report.
    pub report: ReportState,
    /// The deadline has passed.
    pub overdue: bool,
    /// Time left (negative when overdue), whole seconds.
    pub remaining_secs: i64,
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunSummary {
    /// Messages sent.
    pub sent: usize,
    /// Acknowledged by SÚKL.
    pub acknowledged: usize,
    /// To be retried later.
    pub retried: usize,
    /// Failed for good.
    pub failed: usize,
}

impl RunSummary {
    fn add(&mut self, o: &Outcome) {
        self.sent += 1;
        match o {
            Outcome::Acknowledged { .. } => self.acknowledged += 1,
            Outcome::Retry { .. } => self.retried += 1,
            Outcome::Failed { .. } => self.failed += 1,
        }
    }

    fn merge(&mut self, o: RunSummary) {
        self.sent += o.sent;
        self.acknowledged += o.acknowledged;
        self.retried += o.retried;
        self.failed += o.failed;
    }
}

/// What the outbox is doing, for logs and progress output ([`Outbox::on_event`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A report was committed to the store.
    Enqueued {
        /// Its UUID.
        podani_id: String,
    },
    /// A message is about to be sent.
    Sending {
        /// The report.
        podani_id: String,
        /// What it does.
        akce: Akce,
        /// The how-manieth send.
        attempt: u32,
    },
    /// SÚKL acknowledged a message, and that is committed.
    Acknowledged {
        /// The report.
        podani_id: String,
        /// What it did.
        akce: Akce,
    },
    /// A send failed and will be retried.
    Retrying {
        /// The report.
        podani_id: String,
        /// Why.
        error: String,
        /// In how many milliseconds.
        after_ms: u64,
    },
    /// A message failed for good.
    Failed {
        /// The report.
        podani_id: String,
        /// Why.
        error: String,
    },
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub seq: i64,
    pub podani_id: String,
    pub druh: DruhHlaseni,
    pub akce: Akce,
    pub body: Option<String>,
    pub pokusy: u32,
}

/// What sending a message came to.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Acknowledged {
        status: Option<u16>,
        prijato: Option<String>,
    },
    Retry {
        status: Option<u16>,
        error: String,
    },
    Failed {
        status: Option<u16>,
        error: String,
    },
}

/// A report ready to store.
#[derive(Clone)]
pub(crate) struct NewReport {
    pub podani_id: String,
    pub klic: String,
    pub druh: DruhHlaseni,
    pub kod_pracoviste: String,
    pub input: String,
    pub body: String,
    pub vydano_ms: i64,
    pub lhuta_ms: i64,
}

pub(crate) fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The aggregation of a report's messages that [`report_state`] reads, the same SQL for both
/// stores.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
const REPORT_STATE_SELECT: &str = "
SELECT r.podani_id, r.klic, r.druh, r.vydano_ms, r.lhuta_ms,
  COUNT(m.seq),
  SUM(CASE WHEN m.stav = 'potvrzeno' THEN 1 ELSE 0 END),
  SUM(CASE WHEN m.stav = 'selhalo' THEN 1 ELSE 0 END),
  MAX(CASE WHEN m.akce = 'zalozit' AND m.stav = 'potvrzeno' THEN m.potvrzeno_ms END),
  MAX(CASE WHEN m.akce = 'zrusit' AND m.stav = 'potvrzeno' THEN 1 ELSE 0 END),
  SUM(CASE WHEN m.stav <> 'potvrzeno' THEN m.pokusy ELSE 0 END),
  (SELECT e.posledni_chyba FROM lek13_messages e
     WHERE e.podani_id = r.podani_id AND e.stav <> 'potvrzeno' ORDER BY e.seq LIMIT 1)
FROM lek13_reports r JOIN lek13_messages m ON m.podani_id = r.podani_id
";

/// The storage behind an outbox.
enum Store {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::SqliteStore),
    #[cfg(feature = "postgres")]
    Postgres(Box<postgres::PgStore>),
}

/// Where events go.
type EventSink = Arc<dyn Fn(&Event) + Send + Sync>;

/// A durable outbox of LEK-13 reports for one workplace. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<Store>,
    odesilatel: Odesilatel,
    policy: RetryPolicy,
    late_allowed: bool,
    events: Option<EventSink>,
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &*self.store {
            #[cfg(feature = "sqlite")]
            Store::Sqlite(s) => format!("sqlite:{}", s.path().display()),
            #[cfg(feature = "postgres")]
            Store::Postgres(_) => "postgres".to_owned(),
        };
        f.debug_struct("Outbox")
            .field("store", &kind)
            .field("kod_pracoviste", &self.odesilatel.kod_pracoviste)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

macro_rules! dispatch {
    ($self:expr, $s:ident => $e:expr) => {
        match &*$self.store {
            #[cfg(feature = "sqlite")]
            Store::Sqlite($s) => $e,
            #[cfg(feature = "postgres")]
            Store::Postgres($s) => $e,
        }
    };
}

impl Outbox {
    /// Opens (creating when needed) the outbox at `location`: a file path or `sqlite:PATH`, or
    /// a PostgreSQL connection string (`postgres://user@host:port/db`, or `host=… dbname=…`
    /// key-value form after `postgres:`), for the pharmacy `odesilatel`.
    pub async fn open(location: &str, odesilatel: Odesilatel) -> Result<Self, OutboxError> {
        let outbox = Self::new(Self::store(location, true).await?, odesilatel);
        outbox
            .bind("kod_pracoviste", outbox.odesilatel.kod_pracoviste.as_str())
            .await?;
        let json = serde_json::to_string(&outbox.odesilatel).map_err(OutboxError::store)?;
        dispatch!(outbox, s => s.set_meta("odesilatel", &json).await)?;
        Ok(outbox)
    }

    /// Opens an existing outbox with the pharmacy it was last opened for (to list it, see what
    /// is due, or run a worker); refuses a location that holds no outbox.
    pub async fn reopen(location: &str) -> Result<Self, OutboxError> {
        let store = Self::store(location, false).await?;
        let json = match &store {
            #[cfg(feature = "sqlite")]
            Store::Sqlite(s) => s.meta("odesilatel").await?,
            #[cfg(feature = "postgres")]
            Store::Postgres(s) => s.meta("odesilatel").await?,
        }
        .ok_or_else(|| OutboxError::Location(format!("{location} holds no outbox yet")))?;
        let odesilatel: Odesilatel = serde_json::from_str(&json).map_err(OutboxError::store)?;
        Ok(Self::new(store, odesilatel))
    }

    fn new(store: Store, odesilatel: Odesilatel) -> Self {
        Self {
            store: Arc::new(store),
            odesilatel,
            policy: RetryPolicy::default(),
            late_allowed: false,
            events: None,
        }
    }

    /// The pharmacy this outbox reports for.
    pub fn odesilatel(&self) -> &Odesilatel {
        &self.odesilatel
    }

    async fn store(location: &str, create: bool) -> Result<Store, OutboxError> {
        if location.starts_with("postgres://")
            || location.starts_with("postgresql://")
            || location.starts_with("postgres:")
        {
            #[cfg(feature = "postgres")]
            {
                let conninfo = location
                    .strip_prefix("postgres:")
                    .filter(|rest| !rest.starts_with("//"))
                    .unwrap_or(location);
                return Ok(Store::Postgres(Box::new(
                    postgres::PgStore::open(conninfo).await?,
                )));
            }
            #[cfg(not(feature = "postgres"))]
            return Err(OutboxError::Location(format!(
                "{location} (built without the `postgres` feature)"
            )));
        }
        #[cfg(feature = "sqlite")]
        {
            let path = location.strip_prefix("sqlite:").unwrap_or(location);
            if path.is_empty() {
                return Err(OutboxError::Location(location.to_owned()));
            }
            let path = std::path::Path::new(path);
            if !create && !path.is_file() {
                return Err(OutboxError::Location(format!(
                    "{location}: no such outbox file"
                )));
            }
            Ok(Store::Sqlite(sqlite::SqliteStore::open(path).await?))
        }
        #[cfg(not(feature = "sqlite"))]
        {
            // Whether the file may be created only matters to SQLite.
            let _ = create;
            Err(OutboxError::Location(format!(
                "{location} (built without the `sqlite` feature)"
            )))
        }
    }

    /// Uses `policy` for retries and concurrency.
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Accepts reports dispensed more than 168 hours ago (they are late, but still owed).
    pub fn allow_late(mut self, allowed: bool) -> Self {
        self.late_allowed = allowed;
        self
    }

    /// Calls `f` for every [`Event`] (progress output, metrics).
    pub fn on_event(mut self, f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(f));
        self
    }

    fn emit(&self, e: Event) {
        if let Some(f) = &self.events {
            f(&e);
        }
    }

    /// Records `value` under `key` the first time; refuses another value later.
    async fn bind(&self, key: &str, value: &str) -> Result<(), OutboxError> {
        let stored = dispatch!(self, s => s.bind(key, value).await)?;
        if stored != value {
            return Err(OutboxError::WrongOutbox(format!(
                "this outbox belongs to {key} `{stored}`, not `{value}`; open the outbox of \
                 `{value}` instead"
            )));
        }
        Ok(())
    }

    fn prepare(&self, h: &Hlaseni, now: OffsetDateTime) -> Result<NewReport, OutboxError> {
        let wire = h.to_wire(&self.odesilatel, now, self.late_allowed)?;
        let vydano = h.vydano().unwrap_or(now);
        let podani_id = wire.podani_id().to_owned();
        Ok(NewReport {
            klic: h.klic.clone().unwrap_or_else(|| podani_id.clone()),
            druh: h.druh,
            kod_pracoviste: self.odesilatel.kod_pracoviste.to_string(),
            input: serde_json::to_string(h).map_err(OutboxError::store)?,
            body: wire.to_json().map_err(OutboxError::store)?,
            vydano_ms: ms(vydano),
            lhuta_ms: ms(vydano + crate::lek13::LHUTA),
            podani_id,
        })
    }

    /// Checks `h`, gives it its identifiers and commits it to the store (see the module docs).
    pub async fn enqueue(&self, h: &Hlaseni) -> Result<Enqueued, OutboxError> {
        let mut all = self.enqueue_all(std::slice::from_ref(h)).await?;
        all.pop()
            .ok_or_else(|| OutboxError::Store("nothing enqueued".into()))
    }

    /// Like [`enqueue`](Self::enqueue) for several reports, in one transaction: all are stored,
    /// or none (every report is checked first, and every problem of every report is listed,
    /// each field prefixed with the report's position, `[3]/reglp/[0]/kodSUKL`).
    pub async fn enqueue_all(&self, reports: &[Hlaseni]) -> Result<Vec<Enqueued>, OutboxError> {
        let now = OffsetDateTime::now_utc();
        let mut prepared = Vec::with_capacity(reports.len());
        if let [h] = reports {
            // One report: its fields without a position.
            prepared.push(self.prepare(h, now)?);
        } else {
            let mut v = sdk_runtime::xml::Validator::new();
            for (i, h) in reports.iter().enumerate() {
                match self.prepare(h, now) {
                    Ok(p) => prepared.push(p),
                    Err(OutboxError::Invalid(e)) => {
                        v.field(&format!("[{i}]"), |v| v.extend_nested(e))
                    }
                    Err(e) => return Err(e),
                }
            }
            v.finish()?;
        }
        let done = dispatch!(self, s => s.enqueue(&prepared, ms(now)).await)?;
        for e in &done {
            if e.new {
                self.emit(Event::Enqueued {
                    podani_id: e.podani_id.clone(),
                });
            }
        }
        Ok(done)
    }

    /// Queues a replacement of stored report `podani_id` by `h` (same kind; items keep the
    /// identifiers `h` gives them, others get new ones).
    pub async fn enqueue_change(&self, podani_id: &str, h: &Hlaseni) -> Result<(), OutboxError> {
        let state = self.open_report(podani_id).await?;
        let mut h = h.clone();
        if h.druh != state.druh {
            return Err(OutboxError::Invalid(ValidationError::single(
                "druh",
                sdk_runtime::xml::ViolationKind::Enumeration,
                format!("a change keeps the report's kind (`{}`)", state.druh),
            )));
        }
        h.podani_id = Some(podani_id.to_owned());
        // The deadline concerns the report, not its corrections.
        let wire = h.to_wire(&self.odesilatel, OffsetDateTime::now_utc(), true)?;
        let body = wire.to_json().map_err(OutboxError::store)?;
        let now = ms(OffsetDateTime::now_utc());
        dispatch!(self, s => s.add_message(podani_id, Akce::Zmenit, Some(&body), now).await)
    }

    /// Queues the cancellation of stored report `podani_id`.
    pub async fn enqueue_cancel(&self, podani_id: &str) -> Result<(), OutboxError> {
        self.open_report(podani_id).await?;
        let now = ms(OffsetDateTime::now_utc());
        dispatch!(self, s => s.add_message(podani_id, Akce::Zrusit, None, now).await)
    }

    /// A stored report that is not cancelled (what a change or cancellation needs).
    async fn open_report(&self, podani_id: &str) -> Result<ReportState, OutboxError> {
        let state = self
            .report(podani_id)
            .await?
            .ok_or_else(|| OutboxError::NotFound(podani_id.to_owned()))?;
        if state.zruseno {
            return Err(OutboxError::Cancelled(podani_id.to_owned()));
        }
        Ok(state)
    }

    /// One report's state.
    pub async fn report(&self, podani_id: &str) -> Result<Option<ReportState>, OutboxError> {
        Ok(
            dispatch!(self, s => s.list(Some(podani_id), usize::MAX).await)?
                .into_iter()
                .next(),
        )
    }

    /// The reports, the nearest deadline first, at most `limit`.
    pub async fn list(&self, limit: usize) -> Result<Vec<ReportState>, OutboxError> {
        dispatch!(self, s => s.list(None, limit).await)
    }

    /// The reports SÚKL does not have yet whose deadline is within `within` of `now`, or has
    /// passed; the nearest first.
    pub async fn due(
        &self,
        within: Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<Due>, OutboxError> {
        let limit = ms(now) + i64::try_from(within.as_millis()).unwrap_or(i64::MAX / 2);
        let reports = dispatch!(self, s => s.due(limit).await)?;
        Ok(reports
            .into_iter()
            .map(|report| {
                let remaining_secs = (report.lhuta - now).whole_seconds();
                Due {
                    overdue: remaining_secs < 0,
                    remaining_secs,
                    report,
                }
            })
            .collect())
    }

    /// Sends failed messages again (after you fixed what SÚKL refused); returns how many.
    pub async fn retry_failed(&self) -> Result<usize, OutboxError> {
        let now = ms(OffsetDateTime::now_utc());
        dispatch!(self, s => s.retry_failed(now).await)
    }

    /// Messages waiting to be sent, and the earliest time one of them is due.
    pub async fn pending(&self) -> Result<(usize, Option<OffsetDateTime>), OutboxError> {
        let (n, next) = dispatch!(self, s => s.pending().await)?;
        Ok((n, next.map(from_ms)))
    }

    /// Sends every message due now, until none is left due; returns what happened.
    pub async fn run_once(&self, client: &Client) -> Result<RunSummary, OutboxError> {
        self.bind("endpoint", client.base_url().as_str()).await?;
        dispatch!(self, s => s.work(self, client).await)
    }

    /// Sends until nothing is waiting (acknowledged or failed for good), sleeping until the
    /// next retry is due in between.
    pub async fn run_until_idle(&self, client: &Client) -> Result<RunSummary, OutboxError> {
        let mut total = RunSummary::default();
        loop {
            total.merge(self.run_once(client).await?);
            let (waiting, next) = self.pending().await?;
            if waiting == 0 {
                return Ok(total);
            }
            let now = OffsetDateTime::now_utc();
            let wait = next
                .map(|t| (t - now).max(time::Duration::ZERO))
                .and_then(|d| Duration::try_from(d).ok())
                .unwrap_or(Duration::from_millis(100));
            tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
        }
    }

    /// Sends forever (a service's worker): what is due, then waits for the next due time or
    /// for `poll` (new reports enqueued by other processes), until `shutdown` completes.
    pub async fn run(
        &self,
        client: &Client,
        poll: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), OutboxError> {
        tokio::pin!(shutdown);
        loop {
            self.run_once(client).await?;
            let (_, next) = self.pending().await?;
            let now = OffsetDateTime::now_utc();
            let wait = next
                .map(|t| (t - now).max(time::Duration::ZERO))
                .and_then(|d| Duration::try_from(d).ok())
                .unwrap_or(poll)
                .min(poll)
                .max(Duration::from_millis(5));
            tokio::select! {
                _ = &mut shutdown => return Ok(()),
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Sends one claimed message and says what came of it.
    pub(crate) async fn deliver(&self, client: &Client, claim: &Claim) -> Outcome {
        self.emit(Event::Sending {
            podani_id: claim.podani_id.clone(),
            akce: claim.akce,
            attempt: claim.pokusy + 1,
        });
        let report = match (&claim.body, claim.akce) {
            (Some(body), Akce::Zalozit | Akce::Zmenit) => {
                match WireReport::from_json(claim.druh, body) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        return Outcome::Failed {
                            status: None,
                            error: format!("the stored body does not read back: {e}"),
                        };
                    }
                }
            }
            (None, Akce::Zrusit) => None,
            _ => {
                return Outcome::Failed {
                    status: None,
                    error: "the stored message is incomplete".into(),
                };
            }
        };
        match (claim.akce, report) {
            (Akce::Zalozit, Some(r)) => match client.zalozit(&r).await {
                Ok(p) => acknowledged(Some(p.prijato)),
                // A resend SÚKL does not treat as idempotent: it is ours if it holds our body.
                Err(SdkError::Service(Odmitnuti::Konflikt { popis })) => {
                    match client.nacist(claim.druh, &claim.podani_id).await {
                        Ok(stored) if stored == r => acknowledged(None),
                        Ok(_) => Outcome::Failed {
                            status: Some(409),
                            error: format!("SÚKL holds another report under this UUID: {popis}"),
                        },
                        Err(e) => classify(e),
                    }
                }
                Err(e) => classify(e),
            },
            (Akce::Zmenit, Some(r)) => match client.zmenit(&r).await {
                Ok(p) => acknowledged(Some(p.prijato)),
                Err(e) => classify(e),
            },
            (Akce::Zrusit, _) => match client.zrusit(claim.druh, &claim.podani_id).await {
                Ok(()) => acknowledged(None),
                Err(SdkError::Service(o @ Odmitnuti::Nenalezeno { .. })) => {
                    // A cancellation SÚKL already applied may answer 404 on a resend.
                    match client.stav(&claim.podani_id).await {
                        Ok(s) if s.stav.as_str() == "zruseno" => acknowledged(None),
                        _ => Outcome::Failed {
                            status: Some(o.status()),
                            error: o.to_string(),
                        },
                    }
                }
                Err(e) => classify(e),
            },
            _ => Outcome::Failed {
                status: None,
                error: "the stored message is incomplete".into(),
            },
        }
    }

    /// When a message is sent again after `outcome` (now, unless it is a retry).
    pub(crate) fn retry_at(&self, claim: &Claim, outcome: &Outcome, now_ms: i64) -> i64 {
        match outcome {
            Outcome::Retry { .. } => {
                let wait = self.policy.delay(claim.pokusy + 1);
                now_ms.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2))
            }
            _ => now_ms,
        }
    }

    /// Tells the event listener what a recorded (committed) outcome was.
    pub(crate) fn recorded(&self, claim: &Claim, outcome: &Outcome, retry_at: i64, now_ms: i64) {
        let podani_id = claim.podani_id.clone();
        self.emit(match outcome {
            Outcome::Acknowledged { .. } => Event::Acknowledged {
                podani_id,
                akce: claim.akce,
            },
            Outcome::Retry { error, .. } => Event::Retrying {
                podani_id,
                error: error.clone(),
                after_ms: u64::try_from(retry_at.saturating_sub(now_ms)).unwrap_or_default(),
            },
            Outcome::Failed { error, .. } => Event::Failed {
                podani_id,
                error: error.clone(),
            },
        });
    }

    pub(crate) fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

fn acknowledged(prijato: Option<String>) -> Outcome {
    Outcome::Acknowledged {
        status: None,
        prijato,
    }
}

/// Whether a failed call is worth repeating.
fn classify(e: SdkError<Odmitnuti>) -> Outcome {
    match e {
        SdkError::Service(o) if o.is_transient() => Outcome::Retry {
            status: Some(o.status()),
            error: o.to_string(),
        },
        SdkError::Service(o) => Outcome::Failed {
            status: Some(o.status()),
            error: o.to_string(),
        },
        // A success status with a body that does not decode: SÚKL accepted the message.
        SdkError::Decode { status, .. } if (200..300).contains(&status) => Outcome::Acknowledged {
            status: Some(status),
            prijato: None,
        },
        e @ (SdkError::InvalidInput(_) | SdkError::MissingCredentials { .. }) => Outcome::Failed {
            status: None,
            error: e.to_string(),
        },
        SdkError::Http { status, .. } | SdkError::Decode { status, .. }
            if (400..500).contains(&status) && status != 408 && status != 429 =>
        {
            Outcome::Failed {
                status: Some(status),
                error: e.to_string(),
            }
        }
        other => Outcome::Retry {
            status: match &other {
                SdkError::RateLimited { status, .. }
                | SdkError::Http { status, .. }
                | SdkError::Decode { status, .. } => Some(*status),
                _ => None,
            },
            error: other.to_string(),
        },
    }
}

/// An RFC 3339 text of a time (for listings).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Builds a [`ReportState`] from the store's columns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn report_state(
    podani_id: String,
    klic: String,
    druh: &str,
    vydano_ms: i64,
    lhuta_ms: i64,
    messages: usize,
    acked: usize,
    failed: usize,
    create_acked_ms: Option<i64>,
    cancel_acked: bool,
    pokusy: i64,
    posledni_chyba: Option<String>,
) -> Result<ReportState, OutboxError> {
    let druh = DruhHlaseni::parse(druh)
        .ok_or_else(|| OutboxError::Store(format!("unknown report kind `{druh}` in the store")))?;
    let stav = if failed > 0 {
        StavZpravy::Selhalo
    } else if acked == messages {
        StavZpravy::Potvrzeno
    } else {
        StavZpravy::Ceka
    };
    Ok(ReportState {
        podani_id,
        klic,
        druh,
        vydano: from_ms(vydano_ms),
        lhuta: from_ms(lhuta_ms),
        stav,
        nahlaseno: create_acked_ms.is_some(),
        zruseno: cancel_acked,
        zpravy: messages,
        pokusy: u32::try_from(pokusy).unwrap_or(u32::MAX),
        posledni_chyba,
        potvrzeno: create_acked_ms.map(from_ms),
    })
}

pub(crate) fn parse_akce(s: &str) -> Result<Akce, OutboxError> {
    Akce::parse(s).ok_or_else(|| OutboxError::Store(format!("unknown action `{s}` in the store")))
}

pub(crate) fn parse_druh(s: &str) -> Result<DruhHlaseni, OutboxError> {
    DruhHlaseni::parse(s)
        .ok_or_else(|| OutboxError::Store(format!("unknown report kind `{s}` in the store")))
}
