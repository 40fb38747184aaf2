//! The command-line grammar (clap derive).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Name of the environment variable that holds the PKCS#12 password.
pub const PASSWORD_ENV: &str = "B2B_IDENTITY_PASSWORD";

const TOP_AFTER_HELP: &str = "\
Without --endpoint every service command talks to an embedded sandbox with fictitious data:
no certificate and no network are needed to try it out.

Examples:
  b2b vzp prubeh-pojisteni 8001010006
  b2b vzp stav-smlouvy 12345678 --k-datu 2024-01-31 --json
  B2B_IDENTITY_PASSWORD=... b2b vzp prubeh-pojisteni 8001010006 \\
      --endpoint https://prod.b2b.vzp.cz --identity firma.p12
  b2b sandbox vzp --listen 127.0.0.1:8443

Exit codes: 0 success, 1 service/transport/certificate error, 2 invalid input or usage.";

const VZP_AFTER_HELP: &str = "\
Examples:
  b2b vzp prubeh-pojisteni 8001010006 --k-datu 2026-11-23
  b2b vzp stav-smlouvy 24681357 --k-datu 2022-06-01 --json";

const PRUBEH_AFTER_HELP: &str = "\
The insured-person number is personal data: the human-readable output shows only its last four
digits; --json output echoes it in full in \"request\".

Sandbox numbers (fictitious): 8001010006 (insured, 111), 7552150012 (111 until 2019, then 201),
9106150009 (205 until 2024-06-30, then not insured), 7001010050 (211), 450101123 (111).

Examples:
  b2b vzp prubeh-pojisteni 8001010006
  b2b vzp prubeh-pojisteni 800101/0006 --k-datu 2026-11-23 --json
  B2B_IDENTITY_PASSWORD=... b2b vzp prubeh-pojisteni 8001010006 \\
      --endpoint https://prod.b2b.vzp.cz --identity firma.p12";

const STAV_AFTER_HELP: &str = "\
Sandbox IČPs (fictitious): 12345678 (odbornost 001, from 2015-01-01, open-ended),
24681357 (odbornost 955, 2021-12-01 to 2022-12-31).

Examples:
  b2b vzp stav-smlouvy 12345678
  b2b vzp stav-smlouvy 24681357 --k-datu 2022-06-01 --json
  b2b vzp stav-smlouvy 12345678 --endpoint https://prod.b2b.vzp.cz \\
      --identity cert.pem --key key.pem";

const SANDBOX_VZP_AFTER_HELP: &str = "\
Writes ca.pem (the sandbox CA, for --ca) and client.pem (a client certificate with its key, for
--identity) to the output folder, prints the base URL and an example command, and serves until
Ctrl-C. The sandbox answers at most 60 calls per minute per client certificate and then HTTP 503,
like VZP.

Examples:
  b2b sandbox vzp
  b2b sandbox vzp --listen 127.0.0.1:8443 --out ./vzp-sandbox";

/// Command-line client of Czech health-care authority B2B web services (VZP ČR).
#[derive(Debug, Parser)]
#[command(
    name = "b2b",
    version,
    after_help = TOP_AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Services of VZP ČR (Všeobecná zdravotní pojišťovna České republiky).
    #[command(after_help = VZP_AFTER_HELP)]
    Vzp {
        #[command(subcommand)]
        command: VzpCommand,
    },
    /// Runs an authority's sandbox as a standalone HTTPS server (for other programs to call).
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum VzpCommand {
    /// Průběh pojištění: is a person insured on a date, with which insurer, in which kind of
    /// insurance.
    #[command(after_help = PRUBEH_AFTER_HELP)]
    PrubehPojisteni(PrubehArgs),
    /// Stav smlouvy podle IČP/IČPP: a workplace's contract with VZP on a date (odbornost,
    /// validity, names, address).
    #[command(after_help = STAV_AFTER_HELP)]
    StavSmlouvy(StavArgs),
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// The VZP sandbox: mutual TLS, fictitious data, HTTP 503 when called too often.
    #[command(after_help = SANDBOX_VZP_AFTER_HELP)]
    Vzp(SandboxVzpArgs),
}

#[derive(Debug, Args)]
pub struct PrubehArgs {
    /// Číslo pojištěnce: the insured person's number, 9 or 10 digits (a slash after the sixth
    /// digit is accepted).
    #[arg(value_name = "CISLO_POJISTENCE")]
    pub cislo_pojistence: String,
    #[command(flatten)]
    pub date: DateArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct StavArgs {
    /// IČP or IČPP of the workplace, 8 digits.
    #[arg(value_name = "ICP")]
    pub icp: String,
    #[command(flatten)]
    pub date: DateArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct DateArg {
    /// The date asked about, YYYY-MM-DD [default: today's date in UTC].
    #[arg(long = "k-datu", value_name = "YYYY-MM-DD")]
    pub k_datu: Option<String>,
}

/// Options shared by every service command.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Base URL of a real endpoint, e.g. `https://prod.b2b.vzp.cz` (the service path is appended).
    /// Without it, an embedded sandbox with fictitious data answers.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Client certificate VZP paired with your B2B account: PKCS#12 (.p12/.pfx) or PEM with
    /// certificate and key. The PKCS#12 password is read from $B2B_IDENTITY_PASSWORD or asked
    /// for on the terminal.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub key: Option<PathBuf>,
    /// Extra trusted root certificates (PEM) for the server's certificate; may be repeated.
    /// The system trust store is used as well.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub ca: Vec<PathBuf>,
    /// Seconds to wait for the whole call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Prints one JSON object (request, response, diagnostics) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SandboxVzpArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Folder for ca.pem and client.pem [default: a new folder in the temporary directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
