//! The generated answer decoders of each sdk crate, through the crates' `ANSWERS` tables: the
//! input's first byte picks the operation, its second the HTTP status, the rest is the body,
//! decoded exactly as a call of that operation would decode it.

use sdk_runtime::answers::{AnswerDecoder, Decoded};
use sdk_runtime::bytes::Bytes;

use crate::Outcome;

/// The statuses an answer comes with: success, SOAP 1.1 faults, REST error statuses, and an
/// undocumented one.
pub const STATUSES: [u16; 8] = [200, 500, 400, 404, 202, 201, 422, 503];

/// Every operation of a crate's `ANSWERS`, in order.
pub fn operations(
    modules: &'static [(&'static str, &'static [AnswerDecoder])],
) -> Vec<(&'static str, &'static AnswerDecoder)> {
    modules
        .iter()
        .flat_map(|(module, ops)| ops.iter().map(move |op| (*module, op)))
        .collect()
}

/// A fuzz input for `operation` (its index in [`operations`]) with `status` and `body`: what the
/// seed generator writes.
pub fn input(operation: usize, status: u16, body: &[u8]) -> Vec<u8> {
    let op = u8::try_from(operation).unwrap_or(u8::MAX);
    let st = STATUSES.iter().position(|s| *s == status).unwrap_or(0);
    let mut out = vec![op, u8::try_from(st).unwrap_or(0)];
    out.extend_from_slice(body);
    out
}

/// Decodes `data` as [`input`] lays it out against a crate's `ANSWERS`.
pub fn decode(
    modules: &'static [(&'static str, &'static [AnswerDecoder])],
    data: &[u8],
) -> Outcome {
    let ops = operations(modules);
    let [op, status, body @ ..] = data else {
        return Outcome::Refused;
    };
    if ops.is_empty() {
        return Outcome::Refused;
    }
    let (_, decoder) = ops[usize::from(*op) % ops.len()];
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    match decoder.decode(status, Bytes::copy_from_slice(body)) {
        Decoded::Output { .. } => Outcome::Read,
        _ => Outcome::Refused,
    }
}

/// sdk-vzp's answers.
pub fn vzp(data: &[u8]) -> Outcome {
    decode(sdk_vzp::generated::ANSWERS, data)
}

/// sdk-p1's answers (e-Recepta, CeR and its notifications).
pub fn p1(data: &[u8]) -> Outcome {
    decode(sdk_p1::generated::ANSWERS, data)
}

/// sdk-sukl's answers (eRecept, LEK-13, the code lists).
pub fn sukl(data: &[u8]) -> Outcome {
    decode(sdk_sukl::generated::ANSWERS, data)
}

/// sdk-vecozo's answers (COV, VSP-Koppeling, the Instroomservice).
pub fn vecozo(data: &[u8]) -> Outcome {
    decode(sdk_vecozo::generated::ANSWERS, data)
}
