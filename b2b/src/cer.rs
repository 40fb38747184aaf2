//! `b2b p1 cer …`: Centralna e-Rejestracja.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read, Write};

use sdk_p1::cer::zasilenie::{Problem, Raport, Walidator};

use crate::cli::{CerCommand, ValidateCsvArgs};
use crate::failure::Failure;

pub fn run(command: CerCommand) -> Result<(), Failure> {
    match command {
        CerCommand::ValidateCsv(args) => validate_csv(args),
    }
}

/// Counts the bytes read and, when standard error is a terminal, shows how far the check is.
struct Progress<R> {
    inner: R,
    read: u64,
    total: Option<u64>,
    shown: u64,
    tty: bool,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        // Every 4 MiB, on one line.
        if self.tty && self.read - self.shown >= 4 << 20 {
            self.shown = self.read;
            let mib = self.read >> 20;
            let line = match self.total.filter(|t| *t > 0) {
                Some(t) => format!("\r{mib} MiB read ({}%)", self.read * 100 / t),
                None => format!("\r{mib} MiB read"),
            };
            let _ = io::stderr().write_all(line.as_bytes());
        }
        Ok(n)
    }
}

fn validate_csv(args: ValidateCsvArgs) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let (input, total): (Box<dyn Read>, Option<u64>) = if shown == "-" {
        (Box::new(io::stdin().lock()), None)
    } else {
        let file = File::open(&args.file)
            .map_err(|e| Failure::Usage(format!("cannot open {shown}: {e}")))?;
        let total = file.metadata().ok().map(|m| m.len());
        (Box::new(file), total)
    };
    let tty = io::stderr().is_terminal();
    let reader = BufReader::with_capacity(
        1 << 16,
        Progress {
            inner: input,
            read: 0,
            total,
            shown: 0,
            tty,
        },
    );
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut write_error = None;
    let mut emit = |p: Problem| {
        if write_error.is_some() {
            return;
        }
        let line = if args.json {
            serde_json::to_string(&p).map_err(io::Error::other)
        } else {
            Ok(p.to_string())
        };
        if let Err(e) = line.and_then(|l| writeln!(out, "{l}")) {
            write_error = Some(e);
        }
    };
    let raport = Walidator::new()
        .sprawdz(reader, &mut emit)
        .map_err(|e| Failure::Failed(format!("reading {shown}: {e}")))?;
    if tty {
        let _ = io::stderr().write_all(b"\r\x1b[K");
    }
    if let Some(e) = write_error {
        return Err(Failure::Failed(format!("writing the report: {e}")));
    }
    summary(&mut out, &raport, args.json)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Failed(format!("writing the report: {e}")))?;
    if raport.sukces() {
        Ok(())
    } else {
        Err(Failure::Failed(format!(
            "{} of {} rows have problems ({} problems); nothing is uploaded from here",
            raport.wiersze_z_bledami, raport.wiersze, raport.problemy
        )))
    }
}

fn summary(out: &mut impl Write, raport: &Raport, json: bool) -> io::Result<()> {
    if json {
        let line = serde_json::to_string(&serde_json::json!({ "raport": raport }))
            .map_err(io::Error::other)?;
        writeln!(out, "{line}")
    } else {
        writeln!(
            out,
            "{} rows, {} with problems, {} problems ({} bytes)",
            raport.wiersze, raport.wiersze_z_bledami, raport.problemy, raport.bajty
        )
    }
}
