//! `b2b`: command-line client of the health-care B2B SDK family.
//!
//! Service commands talk to an embedded sandbox with fictitious data unless `--endpoint` names a
//! real one; `b2b sandbox ...` runs a sandbox standalone. Results go to stdout (text or
//! `--json`), errors and warnings to stderr; exit code 1 for service, transport and certificate
//! errors, 2 for invalid input and usage.

mod cer;
mod chongqing;
mod ciselnik;
mod cli;
mod davky;
mod erecept;
mod failure;
mod identity;
mod output;
mod p1;
mod sandbox;
mod sukl;
mod vecozo;
mod vzp;
mod wssec;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    // Usage errors exit with code 2 from here; --help and --version with 0.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Vzp { command } => vzp::run(command).await,
        Command::Wssec { command } => wssec::run(command),
        Command::P1 { command } => p1::run(command).await,
        Command::Sukl { command } => sukl::run(command).await,
        Command::Vecozo { command } => vecozo::run(command).await,
        Command::Chongqing { command } => chongqing::run(command),
        Command::Sandbox { command } => sandbox::run(command).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
