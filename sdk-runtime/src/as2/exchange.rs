//! AS2 over HTTP: sending a message and reading its synchronous receipt, and receiving messages
//! (a [`Receiver`] for the server of the `server` feature) with their receipts returned in the
//! response or POSTed to the sender.

use std::sync::Arc;

use super::mdn::{self, Disposition, MdnOutcome, OutgoingMdn};
use super::message::{self, Outgoing, Received};
use super::mime::Headers;
use super::{As2Error, LocalParty, MdnMode, Partner};
use crate::transport::{HttpClient, TransportError};
use crate::url::Url;

/// Why sending failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The message could not be built, or the receipt could not be read.
    #[error(transparent)]
    As2(#[from] As2Error),
    /// The HTTP exchange failed (connection, TLS, timeout). Whether the partner received the
    /// message is not known: send it again under the same `Message-ID` only if the partner
    /// detects duplicates.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The partner answered with an HTTP error status.
    #[error("the partner answered HTTP {status}")]
    Status {
        /// The status.
        status: u16,
    },
}

/// What came back from sending.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Sent {
    /// The synchronous receipt, read and checked (see [`MdnOutcome::confirms`]).
    Receipt {
        /// The receipt.
        outcome: MdnOutcome,
        /// It confirms the message: processed, and the MIC equals ours.
        confirmed: bool,
    },
    /// Accepted; the receipt comes later to our URL (asynchronous MDN), or none was asked for.
    Accepted,
}

/// POSTs `message` (built by [`message::build`] for `partner`) to `url` and, with a
/// synchronous receipt agreed, reads and checks it.
pub async fn send(
    http: &HttpClient,
    url: &Url,
    message: &Outgoing,
    partner: &Partner,
) -> Result<Sent, SendError> {
    send_with_progress(http, url, message, partner, None).await
}

/// [`send`], reporting the upload's progress (bytes sent, total) to `progress`.
pub async fn send_with_progress(
    http: &HttpClient,
    url: &Url,
    message: &Outgoing,
    partner: &Partner,
    progress: Option<crate::transport::Progress>,
) -> Result<Sent, SendError> {
    let headers: Vec<(&str, &str)> = message
        .headers
        .0
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = message.body.clone();
    let response = match progress {
        Some(p) => http.post_with_progress(url, &headers, body, p).await?,
        None => http.post(url, &headers, body).await?,
    };
    if !(200..300).contains(&response.status) {
        return Err(SendError::Status {
            status: response.status,
        });
    }
    if partner.mdn != MdnMode::Sync {
        return Ok(Sent::Accepted);
    }
    let headers = Headers(
        response
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let outcome = mdn::parse(&headers, &response.body, partner, partner.signed_mdn)?;
    if outcome.original_message_id != message.message_id {
        return Err(As2Error::Mime(format!(
            "the receipt is for message {}, not {}",
            outcome.original_message_id, message.message_id
        ))
        .into());
    }
    let confirmed = outcome.confirms(message.mic.as_ref());
    Ok(Sent::Receipt { outcome, confirmed })
}

/// What the application does with a received payload before the receipt is written: store it
/// durably (`Ok`), or refuse it (`Err` with the reason, which the sender sees as
/// `processed/error: unexpected-processing-error`). Called once per message; a message whose
/// `Message-ID` was already accepted should be acknowledged again without storing it twice.
pub type Sink = Arc<dyn Fn(&Received) -> Result<(), String> + Send + Sync>;

/// What the application does with an asynchronous receipt of a message it sent: `from` is the
/// partner's AS2 identifier, `outcome` the receipt read and its signature checked (compare its
/// MIC with the one kept from sending: [`MdnOutcome::confirms`]).
pub type ReceiptSink = Arc<dyn Fn(&str, &MdnOutcome) + Send + Sync>;

/// An AS2 endpoint: receives partners' messages, hands each to the [`Sink`], and returns the
/// receipt, in the HTTP response or (asked for asynchronously) POSTed to the sender's URL.
pub struct Receiver {
    local: LocalParty,
    partners: Vec<Partner>,
    sink: Sink,
    receipts: Option<ReceiptSink>,
    http: HttpClient,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("local", &self.local.as2_id)
            .field("partners", &self.partners.len())
            .finish_non_exhaustive()
    }
}

/// The answer to one received message.
#[derive(Debug)]
#[non_exhaustive]
pub struct Answer {
    /// HTTP status of the response.
    pub status: u16,
    /// Headers and body of the response (the synchronous receipt, or nothing).
    pub headers: Headers,
    /// The response body.
    pub body: Vec<u8>,
    /// A receipt to POST to the sender afterwards.
    pub async_mdn: Option<OutgoingMdn>,
}

impl Receiver {
    /// A receiver for `local`, accepting messages from `partners`; `http` POSTs asynchronous
    /// receipts.
    pub fn new(local: LocalParty, partners: Vec<Partner>, sink: Sink, http: HttpClient) -> Self {
        Self {
            local,
            partners,
            sink,
            receipts: None,
            http,
        }
    }

    /// Also accepts asynchronous receipts of messages we sent, handing each to `receipts`.
    #[must_use]
    pub fn with_receipts(mut self, receipts: ReceiptSink) -> Self {
        self.receipts = Some(receipts);
        self
    }

    /// Whether a request carries a receipt rather than a message: a `multipart/report`, or a
    /// `multipart/signed` whose signed part is one.
    fn is_receipt(headers: &Headers, body: &[u8]) -> bool {
        match headers.media_type().as_str() {
            "multipart/report" => true,
            "multipart/signed" => headers
                .content_param("boundary")
                .and_then(|b| super::mime::parts(body, &b).ok())
                .and_then(|parts| parts.first().map(|p| super::mime::split_entity(p)))
                .and_then(Result::ok)
                .is_some_and(|(h, _)| h.media_type() == "multipart/report"),
            _ => false,
        }
    }

    fn answer_receipt(&self, headers: &Headers, body: &[u8]) -> Answer {
        let refuse = |status: u16, why: String| {
            tracing::warn!(%why, "AS2 receipt refused");
            Answer {
                status,
                headers: Headers::default(),
                body: why.into_bytes(),
                async_mdn: None,
            }
        };
        let Some(receipts) = &self.receipts else {
            return refuse(400, "this endpoint does not take receipts".into());
        };
        let from = headers
            .get("AS2-From")
            .map(super::message::as2_name_value)
            .unwrap_or_default();
        let Some(partner) = self
            .partners
            .iter()
            .find(|p| p.as2_id.eq_ignore_ascii_case(&from))
        else {
            return refuse(403, format!("no agreement with `{from}`"));
        };
        match mdn::parse(headers, body, partner, partner.signed_mdn) {
            Ok(outcome) => {
                receipts(&partner.as2_id, &outcome);
                Answer {
                    status: 200,
                    headers: Headers::default(),
                    body: Vec::new(),
                    async_mdn: None,
                }
            }
            Err(e) => refuse(400, format!("the receipt cannot be accepted: {e}")),
        }
    }

    /// Handles one request: `headers` and `body` as received.
    pub fn answer(&self, headers: &Headers, body: &[u8]) -> Answer {
        if Self::is_receipt(headers, body) {
            return self.answer_receipt(headers, body);
        }
        let outcome = message::open(headers, body, &self.local, |from| {
            self.partners
                .iter()
                .find(|p| p.as2_id.eq_ignore_ascii_case(from))
        });
        let mdn = match outcome {
            Ok(received) => {
                let disposition = match (self.sink)(&received) {
                    Ok(()) => Disposition::Processed,
                    Err(why) => {
                        tracing::warn!(message_id = %received.message_id, %why, "AS2 payload refused by the application");
                        Disposition::Error("unexpected-processing-error".to_owned())
                    }
                };
                received.mdn.as_ref().map(|request| {
                    mdn::build(
                        &received.message_id,
                        &received.from,
                        Some(&received.mic),
                        request,
                        &disposition,
                        &self.local,
                    )
                })
            }
            Err(rejected) => {
                tracing::warn!(error = %rejected.error, message_id = ?rejected.message_id, "AS2 message refused");
                mdn::for_rejected(&rejected, &self.local)
            }
        };
        match mdn {
            None => Answer {
                status: 200,
                headers: Headers::default(),
                body: Vec::new(),
                async_mdn: None,
            },
            Some(Err(e)) => {
                tracing::error!(error = %e, "cannot write an AS2 receipt");
                Answer {
                    status: 500,
                    headers: Headers::default(),
                    body: b"the receipt could not be written".to_vec(),
                    async_mdn: None,
                }
            }
            Some(Ok(mdn)) if mdn.async_url.is_some() => Answer {
                status: 200,
                headers: Headers::default(),
                body: Vec::new(),
                async_mdn: Some(mdn),
            },
            Some(Ok(mdn)) => Answer {
                status: 200,
                headers: mdn.headers,
                body: mdn.body,
                async_mdn: None,
            },
        }
    }

    /// POSTs an asynchronous receipt to its URL.
    pub async fn deliver(&self, mdn: &OutgoingMdn) -> Result<(), SendError> {
        let Some(url) = &mdn.async_url else {
            return Ok(());
        };
        let url = Url::parse(url)
            .map_err(|e| As2Error::Mime(format!("Receipt-Delivery-Option `{url}`: {e}")))?;
        let headers: Vec<(&str, &str)> = mdn
            .headers
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let response = self.http.post(&url, &headers, mdn.body.clone()).await?;
        if !(200..300).contains(&response.status) {
            return Err(SendError::Status {
                status: response.status,
            });
        }
        Ok(())
    }
}

#[cfg(feature = "server")]
impl Receiver {
    /// Serves this receiver over HTTPS on `addr` with the server certificate `identity`, not
    /// asking clients for certificates: partners are authenticated by their messages'
    /// signatures. Must be called within a Tokio runtime.
    pub fn serve(
        self,
        addr: std::net::SocketAddr,
        identity: &crate::transport::Identity,
    ) -> Result<crate::server::MtlsServer, crate::server::ServerError> {
        let tls = crate::server::ServerTls::without_client_auth(identity)?;
        crate::server::MtlsServer::start_with(addr, tls, Arc::new(self))
    }
}

#[cfg(feature = "server")]
impl crate::server::Handler for Receiver {
    fn handle(
        &self,
        request: crate::server::SandboxRequest,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = crate::server::SandboxResponse> + Send + '_>,
    > {
        Box::pin(async move {
            if request.method != "POST" {
                return crate::server::SandboxResponse::new(
                    405,
                    "text/plain; charset=utf-8",
                    "AS2 messages are POSTed",
                )
                .with_header("Allow", "POST");
            }
            let headers = Headers(request.headers.clone());
            let answer = self.answer(&headers, &request.body);
            if let Some(mdn) = &answer.async_mdn
                && let Err(e) = self.deliver(mdn).await
            {
                tracing::warn!(error = %e, "the asynchronous AS2 receipt could not be delivered");
            }
            let content_type = answer
                .headers
                .get("Content-Type")
                .unwrap_or("text/plain")
                .to_owned();
            let mut response =
                crate::server::SandboxResponse::new(answer.status, &content_type, answer.body);
            for (k, v) in answer.headers.0 {
                if !k.eq_ignore_ascii_case("Content-Type") {
                    response = response.with_header(k, v);
                }
            }
            response
        })
    }
}
