//! Message disposition notifications (RFC 3798, RFC 4130 §7): the receipt a receiver returns,
//! built (signed when asked) and read (its signature, original message and MIC checked).

use super::crypto::{self, Digest};
use super::message::{Mic, Rejected, bare_id};
use super::mime::{self, Headers};
use super::{As2Error, LocalParty, Partner};

/// What a receipt says of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disposition {
    /// Received and processed.
    Processed,
    /// Processed, with a warning (`processed/warning: …`).
    Warning(String),
    /// Not processed: `processed/error: …` (decryption-failed, authentication-failed,
    /// integrity-check-failed, insufficient-message-security, unexpected-processing-error …).
    Error(String),
    /// `failed/failure: …`.
    Failed(String),
}

impl Disposition {
    /// The `Disposition` field's value.
    pub fn field(&self) -> String {
        let base = "automatic-action/MDN-sent-automatically";
        match self {
            Self::Processed => format!("{base}; processed"),
            Self::Warning(w) => format!("{base}; processed/warning: {w}"),
            Self::Error(e) => format!("{base}; processed/error: {e}"),
            Self::Failed(f) => format!("{base}; failed/failure: {f}"),
        }
    }

    /// Reads a `Disposition` field.
    pub fn parse(field: &str) -> Option<Self> {
        let (_, outcome) = field.split_once(';')?;
        let outcome = outcome.trim();
        let (kind, modifier) = match outcome.split_once('/') {
            Some((k, m)) => (k.trim().to_ascii_lowercase(), Some(m.trim())),
            None => (outcome.to_ascii_lowercase(), None),
        };
        let text = |m: &str| m.split_once(':').map_or(m, |(_, t)| t).trim().to_owned();
        Some(match (kind.as_str(), modifier) {
            ("processed", None) => Self::Processed,
            ("processed", Some(m)) if m.to_ascii_lowercase().starts_with("warning") => {
                Self::Warning(text(m))
            }
            ("processed", Some(m)) => Self::Error(text(m)),
            ("failed", Some(m)) => Self::Failed(text(m)),
            ("failed", None) => Self::Failed(String::new()),
            _ => return None,
        })
    }

    /// The negative disposition a rejected message gets (RFC 4130 §7.4.3).
    pub fn for_error(error: &As2Error) -> Self {
        Self::Error(
            match error {
                As2Error::Decryption(_) => "decryption-failed",
                As2Error::Signature(_) => "authentication-failed",
                As2Error::Integrity(_) => "integrity-check-failed",
                As2Error::InsufficientSecurity(_) => "insufficient-message-security",
                As2Error::UnknownPartner(_) => "authentication-failed",
                _ => "unexpected-processing-error",
            }
            .to_owned(),
        )
    }
}

/// A receipt ready to send (in the HTTP response, or POSTed to the sender's URL).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OutgoingMdn {
    /// The HTTP headers.
    pub headers: Headers,
    /// The HTTP body.
    pub body: Vec<u8>,
    /// Where to POST it (`Receipt-Delivery-Option`); `None`: in the HTTP response.
    pub async_url: Option<String>,
}

/// The receipt for a message: `original` is its `Message-ID`, `sender` its `AS2-From`;
/// `mic` the MIC computed on receipt; signed with `local`'s key when the sender asked for a
/// signed receipt and a key is set.
pub fn build(
    original_id: &str,
    sender: &str,
    mic: Option<&Mic>,
    request: &super::message::MdnRequest,
    disposition: &Disposition,
    local: &LocalParty,
) -> Result<OutgoingMdn, As2Error> {
    let report_boundary = mime::boundary("Report");
    let text = match disposition {
        Disposition::Processed => "The AS2 message has been received and processed.".to_owned(),
        other => format!(
            "The AS2 message could not be processed: {}.",
            other.field().split_once("; ").map_or("", |(_, o)| o)
        ),
    };
    let mut fields = format!(
        "Reporting-UA: b2b-sdk sdk_runtime::as2\r\n\
         Original-Recipient: rfc822; {0}\r\n\
         Final-Recipient: rfc822; {0}\r\n\
         Original-Message-ID: <{1}>\r\n\
         Disposition: {2}\r\n",
        local.as2_id,
        original_id,
        disposition.field()
    );
    if let Some(m) = mic {
        // In the algorithm asked for (the MIC was computed with it).
        fields.push_str(&format!("Received-Content-MIC: {}\r\n", m.field()));
    }
    let mut report = Vec::new();
    report.extend_from_slice(
        format!(
            "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"{report_boundary}\"\r\n\r\n\
             --{report_boundary}\r\nContent-Type: text/plain\r\n\r\n{text}\r\n\
             --{report_boundary}\r\nContent-Type: message/disposition-notification\r\n\r\n{fields}\r\n\
             --{report_boundary}--\r\n"
        )
        .as_bytes(),
    );
    let mut headers = Headers::default();
    headers.push("AS2-Version", "1.2");
    headers.push("AS2-From", local.as2_id.clone());
    headers.push("AS2-To", sender.to_owned());
    headers.push(
        "Message-ID",
        format!("<{}@{}>", super::random_hex(16), "mdn.b2b-sdk"),
    );
    headers.push("MIME-Version", "1.0");
    headers.push("EDIINT-Features", "CMS");
    let body = match (&local.signing, request.signed) {
        (Some(identity), true) => {
            let signature = crypto::sign_detached(&report, identity)?;
            let (content_type, body) = mime::multipart_signed(&report, &signature, Digest::Sha256);
            headers.push("Content-Type", content_type);
            body
        }
        _ => {
            let (h, at) = mime::split_entity(&report)?;
            for (k, v) in h.0 {
                headers.0.push((k, v));
            }
            report.get(at..).unwrap_or_default().to_vec()
        }
    };
    Ok(OutgoingMdn {
        headers,
        body,
        async_url: request.async_url.clone(),
    })
}

/// The negative receipt of a rejected message, if its sender asked for one.
pub fn for_rejected(
    rejected: &Rejected,
    local: &LocalParty,
) -> Option<Result<OutgoingMdn, As2Error>> {
    let request = rejected.mdn.as_ref()?;
    let id = rejected.message_id.as_deref()?;
    let sender = rejected.from.as_deref()?;
    Some(build(
        id,
        sender,
        rejected.mic.as_ref(),
        request,
        &Disposition::for_error(&rejected.error),
        local,
    ))
}

/// What a received receipt says.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MdnOutcome {
    /// `Original-Message-ID`, without angle brackets.
    pub original_message_id: String,
    /// The disposition.
    pub disposition: Disposition,
    /// `Received-Content-MIC`, when given.
    pub mic: Option<Mic>,
    /// The receipt was signed and its signature verified.
    pub signed: bool,
}

impl MdnOutcome {
    /// The message was processed (possibly with a warning) and the MIC equals `expected`
    /// (the digest compared, the algorithm by name with or without its hyphen).
    pub fn confirms(&self, expected: Option<&Mic>) -> bool {
        let processed = matches!(
            self.disposition,
            Disposition::Processed | Disposition::Warning(_)
        );
        let mic_ok = match (expected, &self.mic) {
            (None, _) => true,
            (Some(e), Some(m)) => e.value == m.value && e.digest == m.digest,
            (Some(_), None) => false,
        };
        processed && mic_ok
    }
}

/// Reads a receipt from `partner` (`http`: the headers of the response or request carrying
/// it). A signed receipt's signature must verify with the partner's certificates; when
/// `require_signed`, an unsigned receipt is an error.
pub fn parse(
    http: &Headers,
    body: &[u8],
    partner: &Partner,
    require_signed: bool,
) -> Result<MdnOutcome, As2Error> {
    let mut headers = Headers::default();
    for name in ["Content-Type", "Content-Transfer-Encoding"] {
        if let Some(v) = http.get(name) {
            headers.push(name, v);
        }
    }
    let mut report = mime::decode_body(&headers, body)?;
    let mut signed = false;
    if headers.media_type() == "multipart/signed" {
        let boundary = headers
            .content_param("boundary")
            .ok_or_else(|| As2Error::Mime("multipart/signed without a boundary".into()))?;
        let parts = mime::parts(&report, &boundary)?;
        let [first, second, ..] = parts.as_slice() else {
            return Err(As2Error::Mime("multipart/signed without two parts".into()));
        };
        let (sh, sat) = mime::split_entity(second)?;
        let signature = mime::decode_body(&sh, second.get(sat..).unwrap_or_default())?;
        crypto::verify_detached(first, &signature, &partner.certificates)?;
        signed = true;
        let (h, at) = mime::split_entity(first)?;
        headers = h;
        report = first.get(at..).unwrap_or_default().to_vec();
    } else if require_signed {
        return Err(As2Error::InsufficientSecurity(
            "a signed receipt was asked for, an unsigned one came".into(),
        ));
    }
    if headers.media_type() != "multipart/report" {
        return Err(As2Error::Mime(format!(
            "a receipt of type {}, not multipart/report",
            headers.media_type()
        )));
    }
    let boundary = headers
        .content_param("boundary")
        .ok_or_else(|| As2Error::Mime("multipart/report without a boundary".into()))?;
    for part in mime::parts(&report, &boundary)? {
        let (h, at) = mime::split_entity(part)?;
        if h.media_type() != "message/disposition-notification" {
            continue;
        }
        let notification = mime::decode_body(&h, part.get(at..).unwrap_or_default())?;
        // The notification's fields are header lines; a blank line ends the block.
        let mut fields_bytes = notification;
        fields_bytes.extend_from_slice(b"\r\n\r\n");
        let (fields, _) = mime::split_entity(&fields_bytes)?;
        let original = fields
            .get("Original-Message-ID")
            .map(bare_id)
            .ok_or_else(|| As2Error::Mime("the receipt has no Original-Message-ID".into()))?;
        let disposition = fields
            .get("Disposition")
            .and_then(Disposition::parse)
            .ok_or_else(|| As2Error::Mime("the receipt has no readable Disposition".into()))?;
        return Ok(MdnOutcome {
            original_message_id: original,
            disposition,
            mic: fields.get("Received-Content-MIC").and_then(Mic::parse),
            signed,
        });
    }
    Err(As2Error::Mime(
        "the receipt has no message/disposition-notification part".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_read_back() {
        for d in [
            Disposition::Processed,
            Disposition::Warning("duplicate-document".into()),
            Disposition::Error("decryption-failed".into()),
            Disposition::Failed("unsupported format".into()),
        ] {
            assert_eq!(Disposition::parse(&d.field()), Some(d));
        }
        assert_eq!(
            Disposition::parse(
                "automatic-action/MDN-sent-automatically; processed/Error: unexpected-processing-error"
            ),
            Some(Disposition::Error("unexpected-processing-error".into()))
        );
    }
}
