//! Durable AS2 state on one SQLite file: every message we send is kept from before it leaves
//! until a receipt confirms it (so a filing survives a crash between sending and the receipt,
//! and is sent again under the same `Message-ID`), and every message we receive is kept once by
//! its `Message-ID` (so an answer a partner delivers twice is handed to the application once).
//!
//! Durability as in sdk-sukl's LEK-13 outbox: WAL with `synchronous = FULL`, so what was
//! committed survives a power cut. The calls are short local writes and block the calling
//! thread (call them from `spawn_blocking` where that matters); one connection per store,
//! behind a mutex, shared by clones.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use super::exchange::{self, SendError, Sent, Sink};
use super::mdn::MdnOutcome;
use super::message::{Mic, Outgoing, Received};
use super::mime::Headers;
use super::{As2Error, Partner};
use crate::transport::HttpClient;
use crate::url::Url;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS as2_outgoing (
  message_id TEXT PRIMARY KEY,
  partner TEXT NOT NULL,
  url TEXT NOT NULL,
  headers TEXT NOT NULL,
  body BLOB NOT NULL,
  mic TEXT,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  disposition TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS as2_outgoing_open ON as2_outgoing(state) WHERE state IN ('stored', 'sent');
CREATE TABLE IF NOT EXISTS as2_incoming (
  message_id TEXT NOT NULL,
  partner TEXT NOT NULL,
  content_type TEXT NOT NULL,
  filename TEXT,
  payload BLOB NOT NULL,
  received_ms INTEGER NOT NULL,
  deliveries INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (partner, message_id)
);
";

/// Where a message we sent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilingState {
    /// Kept, not (known to be) sent yet.
    Stored,
    /// Sent; its receipt has not come (asynchronous, or the exchange was cut).
    Sent,
    /// A receipt confirmed it: processed, with our MIC.
    Confirmed,
    /// A receipt refused it, or did not return our MIC.
    Refused,
}

impl FilingState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Stored => "stored",
            Self::Sent => "sent",
            Self::Confirmed => "confirmed",
            Self::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Stored, Self::Sent, Self::Confirmed, Self::Refused]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A message we sent, as the store knows it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Filing {
    /// Its `Message-ID`.
    pub message_id: String,
    /// The partner's AS2 identifier.
    pub partner: String,
    /// Where it goes.
    pub url: String,
    /// Where it stands.
    pub state: FilingState,
    /// Times it was POSTed.
    pub attempts: u32,
    /// The last failure to send, if any.
    pub last_error: Option<String>,
    /// The receipt's disposition, once one came.
    pub disposition: Option<String>,
}

/// The store. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn db(e: rusqlite::Error) -> As2Error {
    As2Error::Store(e.to_string())
}

fn now_ms() -> i64 {
    let t = time::OffsetDateTime::now_utc();
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

impl Store {
    /// Opens (creating when needed) the store in the SQLite file at `path`.
    pub fn open(path: &Path) -> Result<Self, As2Error> {
        let conn = Connection::open(path)
            .map_err(|e| As2Error::Store(format!("{}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(db)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(db)?;
        conn.execute_batch("PRAGMA synchronous = FULL;")
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(Self {
            path: path.to_path_buf(),
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, As2Error>,
    ) -> Result<T, As2Error> {
        let mut c = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut c)
    }

    /// Keeps `message` for `partner` at `url` before it is sent. Keeping the same
    /// `Message-ID` again changes nothing.
    pub fn keep(&self, message: &Outgoing, partner: &str, url: &Url) -> Result<(), As2Error> {
        let mut headers = Vec::new();
        message.headers.write(&mut headers);
        let headers = String::from_utf8(headers)
            .map_err(|_| As2Error::Store("a header is not UTF-8".into()))?;
        let mic = message.mic.as_ref().map(Mic::field);
        let now = now_ms();
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO as2_outgoing
                 (message_id, partner, url, headers, body, mic, state, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'stored', ?7, ?7)",
                params![
                    message.message_id,
                    partner,
                    url.as_str(),
                    headers,
                    message.body,
                    mic,
                    now
                ],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    /// A kept message with where it stands.
    pub fn outgoing(&self, message_id: &str) -> Result<Option<(Filing, Outgoing)>, As2Error> {
        self.with(|c| {
            c.query_row(
                "SELECT message_id, partner, url, state, attempts, last_error, disposition,
                        headers, body, mic
                 FROM as2_outgoing WHERE message_id = ?1",
                params![message_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, u32>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Vec<u8>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                    ))
                },
            )
            .optional()
            .map_err(db)
        })?
        .map(
            |(id, partner, url, state, attempts, last_error, disposition, headers, body, mic)| {
                let state = FilingState::parse(&state)
                    .ok_or_else(|| As2Error::Store(format!("unknown state `{state}`")))?;
                let mut text = headers.into_bytes();
                text.extend_from_slice(b"\r\n");
                let (headers, _) = super::mime::split_entity(&text)?;
                let filing = Filing {
                    message_id: id.clone(),
                    partner,
                    url,
                    state,
                    attempts,
                    last_error,
                    disposition,
                };
                let mut message = Outgoing::kept(id, headers, body);
                message.mic = mic.as_deref().and_then(Mic::parse);
                Ok((filing, message))
            },
        )
        .transpose()
    }

    /// The messages not confirmed or refused yet (kept or sent), oldest first.
    pub fn unconfirmed(&self) -> Result<Vec<Filing>, As2Error> {
        let ids: Vec<String> = self.with(|c| {
            let mut st = c
                .prepare(
                    "SELECT message_id FROM as2_outgoing WHERE state IN ('stored', 'sent')
                     ORDER BY created_ms, message_id",
                )
                .map_err(db)?;
            let rows = st
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(db)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db)?;
            Ok(rows)
        })?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((f, _)) = self.outgoing(&id)? {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// Records a POST of a kept message: sent (`error: None`) or failed.
    pub fn attempted(&self, message_id: &str, error: Option<&str>) -> Result<(), As2Error> {
        let now = now_ms();
        self.with(|c| {
            c.execute(
                "UPDATE as2_outgoing SET attempts = attempts + 1, last_error = ?2, updated_ms = ?3,
                   state = CASE WHEN ?2 IS NULL AND state = 'stored' THEN 'sent' ELSE state END
                 WHERE message_id = ?1",
                params![message_id, error, now],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    /// Records a receipt: the message it names becomes confirmed (processed, with our MIC) or
    /// refused. A receipt for a message already settled changes nothing (a partner may send
    /// it twice). `None`: the receipt names no message we kept.
    pub fn receipt(&self, outcome: &MdnOutcome) -> Result<Option<Filing>, As2Error> {
        let Some((filing, message)) = self.outgoing(&outcome.original_message_id)? else {
            return Ok(None);
        };
        if matches!(filing.state, FilingState::Stored | FilingState::Sent) {
            let state = if outcome.confirms(message.mic.as_ref()) {
                FilingState::Confirmed
            } else {
                FilingState::Refused
            };
            let now = now_ms();
            self.with(|c| {
                c.execute(
                    "UPDATE as2_outgoing SET state = ?2, disposition = ?3, updated_ms = ?4
                     WHERE message_id = ?1 AND state IN ('stored', 'sent')",
                    params![
                        filing.message_id,
                        state.as_str(),
                        outcome.disposition.field(),
                        now
                    ],
                )
                .map_err(db)?;
                Ok(())
            })?;
        }
        Ok(self.outgoing(&outcome.original_message_id)?.map(|(f, _)| f))
    }

    /// Keeps a received message; `true` the first time its partner and `Message-ID` are
    /// seen, `false` for a redelivery (counted, not kept again).
    pub fn received(&self, r: &Received) -> Result<bool, As2Error> {
        let now = now_ms();
        self.with(|c| {
            let tx = c.transaction().map_err(db)?;
            let inserted = tx
                .execute(
                    "INSERT OR IGNORE INTO as2_incoming
                     (message_id, partner, content_type, filename, payload, received_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        r.message_id,
                        r.from,
                        r.content_type,
                        r.filename,
                        r.payload,
                        now
                    ],
                )
                .map_err(db)?;
            if inserted == 0 {
                tx.execute(
                    "UPDATE as2_incoming SET deliveries = deliveries + 1
                     WHERE partner = ?1 AND message_id = ?2",
                    params![r.from, r.message_id],
                )
                .map_err(db)?;
            }
            tx.commit().map_err(db)?;
            Ok(inserted == 1)
        })
    }

    /// How many times a received message was delivered (`None`: never).
    pub fn deliveries(&self, partner: &str, message_id: &str) -> Result<Option<u32>, As2Error> {
        self.with(|c| {
            c.query_row(
                "SELECT deliveries FROM as2_incoming WHERE partner = ?1 AND message_id = ?2",
                params![partner, message_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
        })
    }

    /// A [`Sink`] for a [`Receiver`](exchange::Receiver): each message is kept here first,
    /// and `handler` sees it only the first time (a redelivery is acknowledged again without
    /// calling it).
    pub fn sink(&self, handler: Sink) -> Sink {
        let store = self.clone();
        Arc::new(move |r: &Received| match store.received(r) {
            Ok(true) => handler(r),
            Ok(false) => Ok(()),
            Err(e) => Err(format!("the message could not be stored: {e}")),
        })
    }
}

/// Sends `message` durably: kept in `store` before anything leaves, then sent
/// ([`resend`]).
pub async fn send_kept(
    store: &Store,
    http: &HttpClient,
    url: &Url,
    message: &Outgoing,
    partner: &Partner,
) -> Result<Sent, SendError> {
    let (s, m, u, p) = (
        store.clone(),
        message.clone(),
        url.clone(),
        partner.as2_id.clone(),
    );
    tokio::task::spawn_blocking(move || s.keep(&m, &p, &u))
        .await
        .map_err(|e| As2Error::Store(e.to_string()))??;
    resend(store, http, &message.message_id, partner).await
}

/// Sends a kept message (again): the same bytes under the same `Message-ID`, so a partner
/// that already has it acknowledges it without processing it twice; records the attempt and
/// the synchronous receipt. A message already settled is not sent again.
pub async fn resend(
    store: &Store,
    http: &HttpClient,
    message_id: &str,
    partner: &Partner,
) -> Result<Sent, SendError> {
    resend_with_progress(store, http, message_id, partner, None).await
}

/// [`resend`], reporting the upload's progress (bytes sent, total) to `progress`.
pub async fn resend_with_progress(
    store: &Store,
    http: &HttpClient,
    message_id: &str,
    partner: &Partner,
    progress: Option<crate::transport::Progress>,
) -> Result<Sent, SendError> {
    let s = store.clone();
    let id = message_id.to_owned();
    let (filing, message) = tokio::task::spawn_blocking(move || s.outgoing(&id))
        .await
        .map_err(|e| As2Error::Store(e.to_string()))??
        .ok_or_else(|| As2Error::Store(format!("no message {message_id} is kept")))?;
    if matches!(filing.state, FilingState::Confirmed | FilingState::Refused) {
        return Err(As2Error::Store(format!(
            "message {message_id} is already {}",
            filing.state.as_str()
        ))
        .into());
    }
    let url =
        Url::parse(&filing.url).map_err(|e| As2Error::Store(format!("{}: {e}", filing.url)))?;
    let result = exchange::send_with_progress(http, &url, &message, partner, progress).await;
    let s = store.clone();
    let id = message_id.to_owned();
    let error = result.as_ref().err().map(ToString::to_string);
    let receipt = match &result {
        Ok(Sent::Receipt { outcome, .. }) => Some(outcome.clone()),
        _ => None,
    };
    tokio::task::spawn_blocking(move || -> Result<(), As2Error> {
        s.attempted(&id, error.as_deref())?;
        if let Some(outcome) = receipt {
            s.receipt(&outcome)?;
        }
        Ok(())
    })
    .await
    .map_err(|e| As2Error::Store(e.to_string()))??;
    result
}

impl Outgoing {
    /// A message rebuilt from what the store kept.
    fn kept(message_id: String, headers: Headers, body: Vec<u8>) -> Self {
        Self {
            message_id,
            headers,
            body,
            mic: None,
        }
    }
}
