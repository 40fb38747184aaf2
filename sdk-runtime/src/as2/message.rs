//! AS2 messages (RFC 4130): a payload packed for a partner (compressed, signed, encrypted as
//! agreed) with the AS2 headers, and a received message opened, checked and unpacked.

use super::crypto::{self, Digest};
use super::mime::{self, Headers};
use super::{As2Error, LocalParty, Partner};

/// The message integrity check: the digest of what was signed (or, unsigned, of the content),
/// which the receiver returns in its MDN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mic {
    /// The algorithm.
    pub digest: Digest,
    /// The digest, base64.
    pub value: String,
}

impl Mic {
    fn of(digest: Digest, data: &[u8]) -> Self {
        use base64::Engine as _;
        Self {
            digest,
            value: base64::engine::general_purpose::STANDARD.encode(digest.digest(data)),
        }
    }

    /// `Received-Content-MIC` form: `value, algorithm`.
    pub fn field(&self) -> String {
        format!("{}, {}", self.value, self.digest.name())
    }

    /// Reads a `Received-Content-MIC` value.
    pub fn parse(field: &str) -> Option<Self> {
        let (value, alg) = field.split_once(',')?;
        Some(Self {
            digest: Digest::from_name(alg)?,
            value: value.trim().to_owned(),
        })
    }
}

/// A message ready to POST: its headers (AS2 and MIME) and body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outgoing {
    /// `Message-ID` without angle brackets.
    pub message_id: String,
    /// The HTTP headers.
    pub headers: Headers,
    /// The HTTP body.
    pub body: Vec<u8>,
    /// What the partner's MDN must return (`None`: no MDN asked for).
    pub mic: Option<Mic>,
}

/// What the sender asks of the receipt (`Disposition-Notification-*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdnRequest {
    /// `Disposition-Notification-To`.
    pub to: String,
    /// A signed receipt is asked for (`signed-receipt-protocol=…pkcs7-signature`).
    pub signed: bool,
    /// The MIC algorithm asked for, the first one supported.
    pub micalg: Option<Digest>,
    /// `Receipt-Delivery-Option`: the URL of an asynchronous MDN; `None`: synchronous.
    pub async_url: Option<String>,
}

/// An AS2 identifier as a header value: quoted when it holds a space or a quote (RFC 4130
/// §6.2).
fn as2_name(id: &str) -> String {
    if id.contains([' ', '"', '\\']) {
        format!("\"{}\"", id.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        id.to_owned()
    }
}

/// An AS2 identifier read from a header (quotes removed).
pub(crate) fn as2_name_value(value: &str) -> String {
    let v = value.trim();
    match v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_owned(),
    }
}

/// A `Message-ID` value without its angle brackets.
pub(crate) fn bare_id(value: &str) -> String {
    value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

/// Packs `payload` (of media type `content_type`) for `partner`, as agreed in its settings:
/// compressed, then signed with `local`'s key, then encrypted for the partner's certificate.
pub fn build(
    payload: &[u8],
    content_type: &str,
    filename: Option<&str>,
    local: &LocalParty,
    partner: &Partner,
) -> Result<Outgoing, As2Error> {
    if content_type.contains(['\r', '\n'])
        || filename.is_some_and(|f| f.contains(['\r', '\n', '"']))
    {
        return Err(As2Error::Mime(
            "a header value with a line break or quote".into(),
        ));
    }
    // The payload entity.
    let mut headers = Headers::default();
    headers.push("Content-Type", content_type);
    headers.push("Content-Transfer-Encoding", "binary");
    if let Some(f) = filename {
        headers.push(
            "Content-Disposition",
            format!("attachment; filename=\"{f}\""),
        );
    }
    let mut body = payload.to_vec();
    if partner.compress {
        let packed = crypto::compress(&mime::entity(&headers, &body))?;
        headers = mime::pkcs7_mime_headers("compressed-data", "smime.p7z");
        body = packed;
    }
    let wants_mdn = partner.mdn != super::MdnMode::None;
    let mut mic = None;
    if partner.sign {
        let identity = local.signing.as_ref().ok_or_else(|| {
            As2Error::Config("signing is agreed but no signing key is set".into())
        })?;
        let signed_entity = mime::entity(&headers, &body);
        let signature = crypto::sign_detached(&signed_entity, identity)?;
        mic = Some(Mic::of(Digest::Sha256, &signed_entity));
        let (content_type, multipart) =
            mime::multipart_signed(&signed_entity, &signature, Digest::Sha256);
        headers = Headers::default();
        headers.push("Content-Type", content_type);
        body = multipart;
    } else if wants_mdn {
        // Unsigned: the MIC covers the content with its MIME headers (RFC 4130 §7.3.1).
        mic = Some(Mic::of(Digest::Sha256, &mime::entity(&headers, &body)));
    }
    if let Some(cipher) = partner.encrypt {
        let cert = partner.encryption_certificate.as_deref().ok_or_else(|| {
            As2Error::Config("encryption is agreed but the partner has no certificate".into())
        })?;
        let enveloped = crypto::encrypt(&mime::entity(&headers, &body), cert, cipher)?;
        headers = mime::pkcs7_mime_headers("enveloped-data", "smime.p7m");
        body = enveloped;
    }
    let message_id = format!("{}@{}", super::random_hex(16), sanitize_host(&local.as2_id));
    let mut http = Headers::default();
    http.push("AS2-Version", "1.2");
    http.push("AS2-From", as2_name(&local.as2_id));
    http.push("AS2-To", as2_name(&partner.as2_id));
    http.push("Message-ID", format!("<{message_id}>"));
    http.push("MIME-Version", "1.0");
    http.push("Subject", partner.subject.clone());
    http.push("EDIINT-Features", "CMS");
    for (k, v) in headers.0 {
        http.0.push((k, v));
    }
    match &partner.mdn {
        super::MdnMode::None => {}
        mode => {
            http.push("Disposition-Notification-To", local.as2_id.clone());
            if partner.signed_mdn {
                http.push(
                    "Disposition-Notification-Options",
                    format!(
                        "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, {}",
                        Digest::Sha256.name()
                    ),
                );
            }
            if let super::MdnMode::Async { url } = mode {
                http.push("Receipt-Delivery-Option", url.clone());
            }
        }
    }
    Ok(Outgoing {
        message_id,
        headers: http,
        body,
        mic: if wants_mdn { mic } else { None },
    })
}

fn sanitize_host(id: &str) -> String {
    let s: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    if s.is_empty() { "as2".to_owned() } else { s }
}

/// A received message, opened and checked.
#[derive(Clone)]
#[non_exhaustive]
pub struct Received {
    /// `Message-ID` without angle brackets.
    pub message_id: String,
    /// `AS2-From`.
    pub from: String,
    /// `AS2-To`.
    pub to: String,
    /// The payload.
    pub payload: Vec<u8>,
    /// Its media type.
    pub content_type: String,
    /// Its file name, when the sender gave one.
    pub filename: Option<String>,
    /// It was signed (and the signature verified).
    pub signed: bool,
    /// It was encrypted.
    pub encrypted: bool,
    /// It was compressed.
    pub compressed: bool,
    /// The MIC for the receipt.
    pub mic: Mic,
    /// What the sender asked of the receipt (`None`: no receipt).
    pub mdn: Option<MdnRequest>,
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Received")
            .field("message_id", &self.message_id)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("payload_bytes", &self.payload.len())
            .field("content_type", &self.content_type)
            .field("signed", &self.signed)
            .field("encrypted", &self.encrypted)
            .field("compressed", &self.compressed)
            .finish_non_exhaustive()
    }
}

/// A message that could not be accepted, with what a negative MDN needs.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rejected {
    /// `Message-ID`, when the message had one.
    pub message_id: Option<String>,
    /// `AS2-From`, when present.
    pub from: Option<String>,
    /// `AS2-To`, when present.
    pub to: Option<String>,
    /// The receipt asked for.
    pub mdn: Option<MdnRequest>,
    /// The MIC, when the content could be read that far.
    pub mic: Option<Mic>,
    /// Why.
    pub error: As2Error,
}

/// The receipt request of a message's headers.
pub fn mdn_request(headers: &Headers) -> Option<MdnRequest> {
    let to = headers.get("Disposition-Notification-To")?.to_owned();
    let options = headers
        .get("Disposition-Notification-Options")
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut signed = false;
    let mut micalg = None;
    for part in options.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let values: Vec<&str> = v.split(',').map(str::trim).collect();
        match k.trim() {
            "signed-receipt-protocol" => {
                signed = values.iter().skip(1).any(|p| *p == "pkcs7-signature");
            }
            "signed-receipt-micalg" => {
                micalg = values.iter().skip(1).find_map(|a| Digest::from_name(a));
            }
            _ => {}
        }
    }
    Some(MdnRequest {
        to,
        signed,
        micalg,
        async_url: headers.get("Receipt-Delivery-Option").map(str::to_owned),
    })
}

/// Opens a received message: `http` are the request's headers, `body` its body; `partner`
/// finds the agreement with the sender by its AS2 identifier. Everything the agreement
/// requires (signature, encryption) is checked.
pub fn open<'p>(
    http: &Headers,
    body: &[u8],
    local: &LocalParty,
    partner: impl FnOnce(&str) -> Option<&'p Partner>,
) -> Result<Received, Box<Rejected>> {
    let message_id = http.get("Message-ID").map(bare_id);
    let from = http.get("AS2-From").map(as2_name_value);
    let to = http.get("AS2-To").map(as2_name_value);
    let mdn = mdn_request(http);
    let mut mic = None;
    let reject = |error: As2Error, mic: Option<Mic>| {
        Box::new(Rejected {
            message_id: message_id.clone(),
            from: from.clone(),
            to: to.clone(),
            mdn: mdn.clone(),
            mic,
            error,
        })
    };
    let (Some(id), Some(sender), Some(recipient)) = (&message_id, &from, &to) else {
        return Err(reject(
            As2Error::Mime("AS2-From, AS2-To and Message-ID are required".into()),
            None,
        ));
    };
    if !recipient.eq_ignore_ascii_case(&local.as2_id) {
        return Err(reject(
            As2Error::UnknownPartner(format!(
                "the message is for `{recipient}`, we are `{}`",
                local.as2_id
            )),
            None,
        ));
    }
    let Some(partner) = partner(sender) else {
        return Err(reject(
            As2Error::UnknownPartner(format!("no agreement with `{sender}`")),
            None,
        ));
    };
    let micalg = mdn
        .as_ref()
        .and_then(|m| m.micalg)
        .unwrap_or(Digest::Sha256);
    // The entity: the HTTP Content-Type (and transfer encoding) over the body.
    let mut headers = Headers::default();
    for name in [
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
    ] {
        if let Some(v) = http.get(name) {
            headers.push(name, v);
        }
    }
    let mut content = mime::decode_body(&headers, body).map_err(|e| reject(e, None))?;
    let (mut signed, mut encrypted, mut compressed) = (false, false, false);
    for _layer in 0..8 {
        let media = headers.media_type();
        let smime = headers
            .content_param("smime-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if media == "application/pkcs7-mime" || media == "application/x-pkcs7-mime" {
            let inner = match smime.as_str() {
                // Compressed once at most (RFC 5402: before or after signing, not twice): a
                // second layer is how a small message inflates past any budget (a
                // decompression bomb), each layer within the per-layer limit.
                "compressed-data" if !compressed => {
                    compressed = true;
                    crypto::decompress(&content).map_err(|e| reject(e, mic.clone()))?
                }
                // Enveloped data (an smime-type is optional).
                "enveloped-data" | "" if !encrypted => {
                    let key = local.decryption.as_deref().ok_or_else(|| {
                        reject(
                            As2Error::Config(
                                "an encrypted message but no decryption key is set".into(),
                            ),
                            None,
                        )
                    })?;
                    encrypted = true;
                    crypto::decrypt(&content, key).map_err(|e| reject(e, None))?
                }
                other => {
                    return Err(reject(
                        As2Error::Unsupported(format!("smime-type `{other}` here")),
                        mic.clone(),
                    ));
                }
            };
            let (h, at) = mime::split_entity(&inner).map_err(|e| reject(e, mic.clone()))?;
            content = mime::decode_body(&h, inner.get(at..).unwrap_or_default())
                .map_err(|e| reject(e, mic.clone()))?;
            // A signed layer's MIC is over its exact bytes; an unsigned one's over the entity.
            if !signed && mic.is_none() && h.media_type() != "multipart/signed" {
                mic = Some(Mic::of(micalg, &inner));
            }
            headers = h;
            continue;
        }
        if media == "multipart/signed" {
            let boundary = headers.content_param("boundary").ok_or_else(|| {
                reject(
                    As2Error::Mime("multipart/signed without a boundary".into()),
                    None,
                )
            })?;
            let parts = mime::parts(&content, &boundary).map_err(|e| reject(e, None))?;
            let [first, second, ..] = parts.as_slice() else {
                return Err(reject(
                    As2Error::Mime("multipart/signed without two parts".into()),
                    None,
                ));
            };
            let (sig_headers, sig_at) = mime::split_entity(second).map_err(|e| reject(e, None))?;
            let signature =
                mime::decode_body(&sig_headers, second.get(sig_at..).unwrap_or_default())
                    .map_err(|e| reject(e, None))?;
            let first = first.to_vec();
            let this_mic = Mic::of(micalg, &first);
            crypto::verify_detached(&first, &signature, &partner.certificates)
                .map_err(|e| reject(e, Some(this_mic.clone())))?;
            signed = true;
            mic = Some(this_mic);
            let (h, at) = mime::split_entity(&first).map_err(|e| reject(e, mic.clone()))?;
            content = mime::decode_body(&h, first.get(at..).unwrap_or_default())
                .map_err(|e| reject(e, mic.clone()))?;
            headers = h;
            continue;
        }
        // The payload.
        if partner.require_signed && !signed {
            return Err(reject(
                As2Error::InsufficientSecurity("the agreement requires a signed message".into()),
                mic.clone(),
            ));
        }
        if partner.require_encrypted && !encrypted {
            return Err(reject(
                As2Error::InsufficientSecurity(
                    "the agreement requires an encrypted message".into(),
                ),
                mic.clone(),
            ));
        }
        let mic = match mic {
            Some(m) => m,
            None => Mic::of(micalg, &mime::entity(&headers, &content)),
        };
        let filename = headers
            .get("Content-Disposition")
            .and_then(|d| mime::param(d, "filename"));
        return Ok(Received {
            message_id: id.clone(),
            from: sender.clone(),
            to: recipient.clone(),
            content_type: headers.media_type(),
            payload: content,
            filename,
            signed,
            encrypted,
            compressed,
            mic,
            mdn,
        });
    }
    Err(reject(
        As2Error::Mime("more than 8 nested S/MIME layers".into()),
        mic,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn compressed_entity(inner: &[u8]) -> Vec<u8> {
        let mut e = b"Content-Type: application/pkcs7-mime; smime-type=compressed-data\r\nContent-Transfer-Encoding: binary\r\n\r\n".to_vec();
        e.extend(crypto::compress(inner).unwrap());
        e
    }

    /// A message compressed twice is refused before its second layer is inflated; once is read.
    #[test]
    fn a_second_compressed_layer_is_refused() {
        let plain = b"Content-Type: text/plain\r\n\r\nUNB+UNOC:3".to_vec();
        let once = compressed_entity(&plain);
        let twice = compressed_entity(&once);
        let mut partner = Partner::new("SENDER", Vec::new());
        partner.require_signed = false;
        partner.require_encrypted = false;
        let local = LocalParty::new("US");
        for (body, ok) in [(once, true), (twice, false)] {
            let (h, at) = mime::split_entity(&body).unwrap();
            let mut http = Headers::default();
            http.push("AS2-From", "SENDER");
            http.push("AS2-To", "US");
            http.push("Message-ID", "<m1@sender>");
            for (k, v) in &h.0 {
                http.push(k.as_str(), v.as_str());
            }
            let r = open(&http, &body[at..], &local, |_| Some(&partner));
            match r {
                Ok(received) => {
                    assert!(ok, "the twice-compressed message was read");
                    assert!(received.compressed);
                }
                Err(rejected) => {
                    assert!(!ok, "{}", rejected.error);
                    assert!(
                        matches!(&rejected.error, As2Error::Unsupported(m) if m.contains("compressed-data")),
                        "{}",
                        rejected.error
                    );
                }
            }
        }
    }
}
