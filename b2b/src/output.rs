//! Writing results to stdout.

use std::io::{ErrorKind, Write};

use crate::failure::Failure;

/// Writes `text` to stdout. A closed pipe (`b2b ... | head -1`) is not an error worth reporting;
/// `println!` would panic on it.
pub fn stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(Failure::Failed(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
