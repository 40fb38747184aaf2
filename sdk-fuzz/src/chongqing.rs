//! Chongqing's 金保 interface: an answer of the vendor library read as the client reads it (GBK,
//! `|`-separated, status first) into each transaction's generated response.

use sdk_chongqing::jiaoyi::{self, PROTOCOL};
use sdk_runtime::positional::{Answer, FromAnswer, WireError};

use crate::Outcome;

/// Reads an answer into one transaction's response.
pub type ResponseReader = fn(&Answer) -> Result<usize, WireError>;

fn response<T: FromAnswer + std::fmt::Debug>(answer: &Answer) -> Result<usize, WireError> {
    T::from_answer(answer).map(|r| format!("{r:?}").len())
}

macro_rules! responses {
    ($($module:ident $code:literal),* $(,)?) => {
        /// Every transaction's code and the reader of its response, in the order of
        /// [`jiaoyi::TRANSACTIONS`] (a test holds the two lists together).
        pub const RESPONSES: &[(&str, ResponseReader)] = &[
            $(($code, response::<jiaoyi::$module::Response> as ResponseReader),)*
        ];
    };
}

responses!(
    t01 "01", t02 "02", t03 "03", t04 "04", t05 "05", t06 "06", t07 "07", t08 "08", t09 "09",
    t10 "10", t11 "11", t12 "12", t13 "13", t14 "14", t15 "15", t16 "16", t17 "17", t18 "18",
    t19 "19", t20 "20", t21 "21", t22 "22", t23 "23", t24 "24", t25 "25", t26 "26", t27 "27",
    t28 "28", t29 "29", t30 "30", t99 "99",
);

/// A `chongqing` input: `answer` (the library's output buffer) read as the answer of the
/// transaction at `index` in [`RESPONSES`].
pub fn input(index: usize, answer: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(index).unwrap_or(0)];
    out.extend_from_slice(answer);
    out
}

/// `chongqing`: the first byte picks the transaction ([`RESPONSES`], modulo their number); the
/// rest is the library's output buffer, cut at its first NUL as the DLL transport cuts it,
/// decoded and split by the interface's protocol; a refusal (status `-1`) is read as the client
/// reads it, any other answer into the transaction's generated response (`Read` when that
/// succeeds and the status is `0`).
pub fn chongqing(data: &[u8]) -> Outcome {
    let [first, buffer @ ..] = data else {
        return Outcome::Refused;
    };
    let Some(n) = usize::from(*first).checked_rem(RESPONSES.len()) else {
        return Outcome::Refused;
    };
    let end = buffer.iter().position(|b| *b == 0).unwrap_or(buffer.len());
    let Ok(answer) = PROTOCOL.answer(buffer.get(..end).unwrap_or_default()) else {
        return Outcome::Refused;
    };
    let _ = (answer.len(), answer.is_empty(), answer.fields().count());
    let _ = (answer.rest(1).len(), answer.to_vec().len());
    if answer.status() == "-1" {
        let _ = answer.get(1).unwrap_or_default().len();
        return Outcome::Refused;
    }
    // The client reads every status but `-1` as success; `Read` only for the documented `0`.
    let (_, read) = RESPONSES[n];
    let read = read(&answer);
    if answer.status() == "0" {
        Outcome::of(&read)
    } else {
        Outcome::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_responses_are_the_transactions_in_order() {
        let responses: Vec<&str> = RESPONSES.iter().map(|(c, _)| *c).collect();
        let transactions: Vec<&str> = jiaoyi::TRANSACTIONS.iter().map(|(c, _, _)| *c).collect();
        assert_eq!(responses, transactions);
    }
}
