//! Answers read as they arrive: the repeated records of a SOAP answer decoded one at a time
//! while the rest of it is still on the network, in memory bounded by the records in flight
//! rather than by the answer.
//!
//! The streaming XML reader ([`crate::xml::Records`]) is synchronous (quick-xml over a
//! `BufRead`); here it runs on a blocking thread, fed with the body's chunks through a bounded
//! channel, and hands decoded records back through another one. Neither side waits on the
//! other's thread: the network is read by an async task, the XML on the blocking thread.

use std::io::{BufRead, Read};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::{Buf, Bytes};
use tokio::sync::mpsc;

use crate::transport::{StreamingResponse, TransportError};
use crate::xml::{DecodeError, Diagnostic, Records, XmlRead};

/// Chunks of the body held between the network and the XML reader.
const CHUNKS_IN_FLIGHT: usize = 8;
/// Decoded records held between the XML reader and the caller.
const RECORDS_IN_FLIGHT: usize = 32;

/// Why a streamed answer could not be read to its end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The connection failed, timed out or stalled while the answer was arriving.
    #[error("{0}")]
    Transport(#[from] TransportError),
    /// The answer is not what the schema describes, or is a SOAP fault
    /// ([`DecodeErrorKind::Fault`](crate::xml::DecodeErrorKind::Fault)).
    #[error("{0}")]
    Decode(#[from] DecodeError),
    /// The thread reading the XML ended without a result (it panicked or was cancelled).
    #[error("the answer's reader stopped: {0}")]
    Interrupted(String),
}

/// A successful (2xx) answer whose body has not been read yet
/// ([`SoapClient::call_streaming`](super::SoapClient::call_streaming)).
#[derive(Debug)]
pub struct StreamedAnswer {
    response: StreamingResponse,
    operation: &'static str,
    started: Instant,
    limits: crate::xml::Limits,
}

impl StreamedAnswer {
    pub(crate) fn new(
        response: StreamingResponse,
        operation: &'static str,
        started: Instant,
        limits: crate::xml::Limits,
    ) -> Self {
        Self {
            limits,
            response,
            operation,
            started,
        }
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.response.status
    }

    /// Decodes the answer's records as they arrive. `open` is the operation's generated
    /// record reader (e.g. `cer::operation::pobierz_liste_wizyt_sync::wizyta_records`); `O` is
    /// the operation's output type, which [`RecordStream::finish`] fills with everything but
    /// the records.
    ///
    /// Must be called within a Tokio runtime (the body is read by a task, the XML on a
    /// blocking thread).
    pub fn records<T, O>(self, open: fn(BodyReader) -> Records<BodyReader, T>) -> RecordStream<T, O>
    where
        T: XmlRead + Send + 'static,
        O: XmlRead + Send + 'static,
    {
        let Self {
            mut response,
            operation,
            started,
            limits,
        } = self;
        let failure: Arc<Mutex<Option<TransportError>>> = Arc::default();
        let (chunk_tx, chunk_rx) = mpsc::channel::<Bytes>(CHUNKS_IN_FLIGHT);
        let pump_failure = Arc::clone(&failure);
        tokio::spawn(async move {
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        if chunk_tx.send(chunk).await.is_err() {
                            // The reader is gone (the stream was dropped): stop reading; the
                            // connection closes with the response.
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        if let Ok(mut slot) = pump_failure.lock() {
                            *slot = Some(e);
                        }
                        return;
                    }
                }
            }
        });
        let (item_tx, item_rx) = mpsc::channel::<Item<T, O>>(RECORDS_IN_FLIGHT);
        let reader = tokio::task::spawn_blocking(move || {
            let body = BodyReader {
                chunks: chunk_rx,
                current: Bytes::new(),
            };
            let mut records = open(body).with_limits(limits);
            for record in &mut records {
                let failed = record.is_err();
                if item_tx.blocking_send(Item::Record(record)).is_err() || failed {
                    return;
                }
            }
            let _ = item_tx.blocking_send(Item::End(records.finish::<O>()));
        });
        RecordStream {
            items: item_rx,
            failure,
            reader: Some(reader),
            records: 0,
            operation,
            started,
            done: false,
            end: None,
        }
    }
}

enum Item<T, O> {
    Record(Result<T, DecodeError>),
    End(Result<(O, Vec<Diagnostic>), DecodeError>),
}

/// The body of a streamed answer as a blocking [`BufRead`], for the generated record readers;
/// only ever read on the blocking thread [`StreamedAnswer::records`] starts.
pub struct BodyReader {
    chunks: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl std::fmt::Debug for BodyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyReader")
            .field("buffered", &self.current.len())
            .finish_non_exhaustive()
    }
}

impl BodyReader {
    /// Waits for the next chunk when the current one is used up; `false` at the end.
    fn refill(&mut self) -> bool {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return false,
            }
        }
        true
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.refill() {
            return Ok(0);
        }
        let n = buf.len().min(self.current.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), self.current.get(..n)) {
            to.copy_from_slice(from);
        }
        self.current.advance(n);
        Ok(n)
    }
}

/// The chunks as they arrived are the buffer (no copy into another one).
impl BufRead for BodyReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.refill();
        Ok(&self.current)
    }

    fn consume(&mut self, amt: usize) {
        self.current.advance(amt.min(self.current.len()));
    }
}

/// The records of a streamed answer, decoded as they arrive ([`StreamedAnswer::records`]).
/// Dropping it stops reading and closes the connection.
pub struct RecordStream<T, O> {
    items: mpsc::Receiver<Item<T, O>>,
    failure: Arc<Mutex<Option<TransportError>>>,
    reader: Option<tokio::task::JoinHandle<()>>,
    records: u64,
    operation: &'static str,
    started: Instant,
    done: bool,
    end: Option<Result<(O, Vec<Diagnostic>), DecodeError>>,
}

impl<T, O> std::fmt::Debug for RecordStream<T, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordStream")
            .field("operation", &self.operation)
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl<T, O> RecordStream<T, O> {
    /// Records received so far.
    pub fn records_read(&self) -> u64 {
        self.records
    }

    /// A transport failure, when there was one, explains a decode error (a cut connection
    /// looks like truncated XML to the reader).
    fn explain(&self, e: DecodeError) -> StreamError {
        match self.failure.lock().ok().and_then(|mut f| f.take()) {
            Some(t) => StreamError::Transport(t),
            None => StreamError::Decode(e),
        }
    }

    async fn interrupted(&mut self) -> StreamError {
        let why = match self.reader.take() {
            Some(handle) => match handle.await {
                Ok(()) => "it ended without a result".to_owned(),
                Err(e) => e.to_string(),
            },
            None => "it had already ended".to_owned(),
        };
        match self.failure.lock().ok().and_then(|mut f| f.take()) {
            Some(t) => StreamError::Transport(t),
            None => StreamError::Interrupted(why),
        }
    }

    /// The next record; `None` after the last one (then [`finish`](Self::finish) gives the
    /// rest of the answer). After an error, nothing more is read.
    pub async fn next(&mut self) -> Option<Result<T, StreamError>> {
        if self.done {
            return None;
        }
        match self.items.recv().await {
            Some(Item::Record(Ok(record))) => {
                self.records += 1;
                Some(Ok(record))
            }
            Some(Item::Record(Err(e))) => {
                self.done = true;
                Some(Err(self.explain(e)))
            }
            Some(Item::End(Err(e))) => {
                // Cut short (a stalled or dropped connection, truncated XML): said now, not
                // only by `finish`.
                self.done = true;
                Some(Err(self.explain(e)))
            }
            Some(Item::End(end)) => {
                self.done = true;
                tracing::debug!(
                    operation = self.operation,
                    records = self.records,
                    elapsed_ms =
                        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "streamed answer read"
                );
                self.end = Some(end);
                None
            }
            None => {
                self.done = true;
                Some(Err(self.interrupted().await))
            }
        }
    }

    /// Reads to the end of the answer (records not taken yet are skipped) and returns
    /// everything but the records as the operation's output `O` (its record list empty), with
    /// the deviations from the schema found in the whole answer.
    pub async fn finish(mut self) -> Result<(O, Vec<Diagnostic>), StreamError> {
        loop {
            if let Some(end) = self.end.take() {
                return end.map_err(|e| self.explain(e));
            }
            if self.done {
                return Err(StreamError::Interrupted(
                    "an earlier error ended the answer's reading".to_owned(),
                ));
            }
            if let Some(Err(e)) = self.next().await {
                return Err(e);
            }
        }
    }
}
