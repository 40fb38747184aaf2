//! Writing results to stdout.

use std::io::{ErrorKind, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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

/// A progress bar of bytes (`verb`: "read", "sent"), drawn on standard error when it is a
/// terminal (and only then: a redirected run stays clean); a spinner with the bytes when the
/// size is unknown (standard input).
pub fn progress_bar(total: Option<u64>, verb: &str) -> ProgressBar {
    let (bar, template) = match total {
        Some(t) => (
            ProgressBar::new(t),
            "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}"
                .to_owned(),
        ),
        None => (
            ProgressBar::new_spinner(),
            format!("{{spinner}} {{elapsed_precise}} {{bytes}} {verb} {{bytes_per_sec}}"),
        ),
    };
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    bar.set_draw_target(target);
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
