//! AS2 (RFC 4130) on the receiving side: the MIME of an incoming request, a message opened as
//! a receiver opens it (decrypted, decompressed, its signature checked) and a receipt (MDN)
//! read as a sender reads it, with a throwaway RSA key for both partners.

use std::sync::OnceLock;

use sdk_runtime::as2::mime::{self, Headers};
use sdk_runtime::as2::{DecryptionKey, LocalParty, Partner, mdn, message};
use sdk_runtime::transport::Identity;
use sdk_runtime::wssec::SigningIdentity;

use crate::Outcome;

/// The throwaway AS2 key (RSA 2048, self-signed certificate and PKCS#8 key, made with
/// `openssl req -x509 -newkey rsa:2048 -nodes` for fuzzing; nothing trusts it anywhere else):
/// the sender's signing key and the receiver's decryption key alike.
pub const FUZZ_AS2_PEM: &[u8] = include_bytes!("../keys/as2.pem");
/// The AS2 identifier of the party that sends (and signs) the seeds' messages.
pub const SENDER: &str = "fuzz-sender";
/// The AS2 identifier of the party that receives them (the target's side).
pub const RECEIVER: &str = "fuzz-receiver";

/// The fuzz key as a signing identity (for the seeds).
pub fn signing_identity() -> Result<SigningIdentity, String> {
    SigningIdentity::from_pem(FUZZ_AS2_PEM).map_err(|e| e.to_string())
}

/// The fuzz key's certificate (DER).
pub fn certificate() -> Result<Vec<u8>, String> {
    Ok(signing_identity()?.certificate().der().to_vec())
}

/// The receiving side: our party (decryption key set) and the agreement with the sender, which
/// accepts unsigned and unencrypted messages so that every layer can be reached alone.
fn receiver() -> Option<&'static (LocalParty, Partner)> {
    static RECEIVER_SIDE: OnceLock<Option<(LocalParty, Partner)>> = OnceLock::new();
    RECEIVER_SIDE
        .get_or_init(|| {
            let identity = Identity::from_pem(FUZZ_AS2_PEM).ok()?;
            let key = DecryptionKey::from_identity(&identity).ok()?;
            let local = LocalParty::new(RECEIVER).decryption(key);
            let mut partner = Partner::new(SENDER, certificate().ok()?);
            partner.require_signed = false;
            partner.require_encrypted = false;
            Some((local, partner))
        })
        .as_ref()
}

/// An incoming request as one input: its headers (`Name: value` lines), a blank line, its
/// body.
pub fn input(headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    headers.write(&mut out);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// The MIME readers over one entity and (`depth` levels down) its parts.
fn walk(headers: &Headers, body: &[u8], depth: u8) {
    for (_, v) in &headers.0 {
        for name in [
            "boundary",
            "micalg",
            "smime-type",
            "filename",
            "report-type",
        ] {
            let _ = mime::param(v, name);
        }
    }
    let _ = mime::decode_body(headers, body).map(|b| b.len());
    let _ = headers.media_type();
    let Some(boundary) = headers.content_param("boundary") else {
        return;
    };
    let Ok(parts) = mime::parts(body, &boundary) else {
        return;
    };
    for part in parts {
        if let Ok((h, at)) = mime::split_entity(part) {
            let rest = part.get(at..).unwrap_or_default();
            if depth > 0 {
                walk(&h, rest, depth - 1);
            } else {
                let _ = mime::decode_body(&h, rest).map(|b| b.len());
            }
        }
    }
}

/// `as2_mime`: the input is an incoming request (headers, blank line, body). Its MIME is
/// walked (parameters, transfer decoding, the parts of a multipart body two levels down); it
/// is opened as a message from the sender (decrypted with the fuzz key, decompressed, the
/// signature checked against the fuzz certificate) and read as a receipt from the sender.
/// `Read` when either succeeds.
pub fn as2_mime(data: &[u8]) -> Outcome {
    let Ok((headers, at)) = mime::split_entity(data) else {
        return Outcome::Refused;
    };
    let body = data.get(at..).unwrap_or_default();
    walk(&headers, body, 2);
    let _ = message::mdn_request(&headers);
    let Some((local, partner)) = receiver() else {
        return Outcome::Refused;
    };
    let opened = message::open(&headers, body, local, |from| {
        partner.as2_id.eq_ignore_ascii_case(from).then_some(partner)
    });
    let receipt = mdn::parse(&headers, body, partner, false);
    if let Ok(r) = &receipt {
        let _ = (r.confirms(None), r.disposition.field());
    }
    match opened {
        Ok(m) => {
            let _ = (m.mic.field(), m.payload.len());
            Outcome::Read
        }
        Err(rejected) => {
            let _ = mdn::Disposition::for_error(&rejected.error).field();
            Outcome::of(&receipt)
        }
    }
}
