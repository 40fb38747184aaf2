//! The command-line grammar (clap derive).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Name of the environment variable that holds the PKCS#12 password.
pub const PASSWORD_ENV: &str = "B2B_IDENTITY_PASSWORD";

/// Name of the environment variable that holds the signing certificate's PKCS#12 password
/// (`b2b wssec sign --identity`); P1 issues the TLS and the signing certificate separately.
pub const SIGNING_PASSWORD_ENV: &str = "B2B_SIGNING_PASSWORD";

const TOP_AFTER_HELP: &str = "\
Without --endpoint every service command talks to an embedded sandbox with fictitious data:
no certificate and no network are needed to try it out.

Examples:
  b2b vzp prubeh-pojisteni 8001010006
  b2b vzp stav-smlouvy 12345678 --k-datu 2024-01-31 --json
  B2B_IDENTITY_PASSWORD=... b2b vzp prubeh-pojisteni 8001010006 \\
      --endpoint https://prod.b2b.vzp.cz --identity firma.p12
  b2b sandbox vzp --listen 127.0.0.1:8443
  b2b p1 odczyt-recepty
  b2b sandbox p1 --out ./p1-sandbox
  b2b sandbox cer --out ./cer-sandbox
  B2B_SIGNING_PASSWORD=... b2b wssec sign request.xml --identity firma-wss.p12 > signed.xml
  b2b wssec verify signed.xml --trust ccp1-root.pem
  b2b sukl lek13 send vydej.json
  b2b sukl outbox due --store lek13.sqlite --hours 24

Exit codes: 0 success, 1 service/transport/certificate error, 2 invalid input or usage.";

const SUKL_AFTER_HELP: &str = "\
Examples:
  b2b sukl lek13 send vydej.json
  b2b sukl lek13 send vydeje.json --store lek13.sqlite --endpoint https://api2.sukl.cz/lek13 \\
      --identity LEKSUKL.pfx --kod-pracoviste 12345678901 --icz 12345000
  b2b sukl outbox due --store lek13.sqlite --hours 24
  b2b sukl ciselnik pripravek 0034567
  b2b sukl ciselnik lekarny --status zarazeno
  b2b sandbox sukl";

const LEK13_SEND_AFTER_HELP: &str = "\
FILE holds one report or an array of reports (JSON; `-` reads stdin):

  {\"druh\": \"recept\", \"klic\": \"vydej-123\", \"icp\": \"87654321\", \"rokNarozeni\": 1958,
   \"pohlavi\": \"Z\", \"polozky\": [{\"druh\": \"registrovany\",
   \"vydano\": \"2026-12-06T09:30:00+01:00\", \"mnozstvi\": 1, \"kodSUKL\": \"0012345\",
   \"nazev\": \"PARALEN 500MG TBL NOB 24\", \"sarze\": \"A12B\", \"hradiPacient\": false,
   \"uhradaZP\": 25.5}]}

Kinds: druh recept | zadanka | volny; items registrovany | neregistrovany | iplp. Every report is
checked first (all problems are listed, each with its field; exit code 2, nothing stored), then
committed to the outbox (--store), then sent until SÚKL acknowledges it: connection failures,
timeouts and 5xx answers are retried with backoff for up to --wait seconds; what is still waiting
then stays in the outbox for `b2b sukl outbox run`. `klic` (your key of the dispensing) makes a
repeated run idempotent: a report already in the outbox under its key is not stored twice.

Without --endpoint an embedded SÚKL sandbox answers and the outbox is a temporary file. LEK-13's
interface is reconstructed from SÚKL's guidance (no machine-readable description is public):
names may differ from production.

Examples:
  b2b sukl lek13 send vydej.json
  B2B_IDENTITY_PASSWORD=... b2b sukl lek13 send vydeje.json --store lek13.sqlite \\
      --endpoint https://api2.sukl.cz/lek13 --identity LEKSUKL.pfx \\
      --kod-pracoviste 12345678901 --icz 12345000 --sw-nazev 'Lékárna 2000' --sw-verze 7.1";

const OUTBOX_AFTER_HELP: &str = "\
--store is the outbox: a SQLite file (or sqlite:PATH), or a PostgreSQL database
(postgres://user@host/db, or postgres:host=... dbname=...).

Examples:
  b2b sukl outbox list --store lek13.sqlite
  b2b sukl outbox due --store lek13.sqlite --hours 24 --json
  b2b sukl outbox retry --store lek13.sqlite
  b2b sukl outbox run --store postgres://lekarna@db/lek13 --endpoint https://api2.sukl.cz/lek13 \\
      --identity LEKSUKL.pfx";

const SANDBOX_SUKL_AFTER_HELP: &str = "\
Writes ca.pem (the sandbox CA, for --ca) and client.pem (a client certificate of the workplace
12345678901 with its key, for --identity) to the output folder, prints the base URL and an
example command, and serves LEK-13 under /lek13 until Ctrl-C. The sandbox reads the workplace
code from the client certificate's common name and refuses reports of another workplace (403).
The code lists (Číselníky SÚKL, invented data) are served under /cissuklapi/v1 on the same
server: `b2b sukl ciselnik ... --endpoint https://ADDR/cissuklapi/v1 --ca ca.pem --identity
client.pem`.

Examples:
  b2b sandbox sukl
  b2b sandbox sukl --listen 127.0.0.1:8443 --out ./sukl-sandbox --drop-after 0.1";

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

const RECONSTRUCTED_AFTER_HELP: &str = "\
VZP publishes this service's description only inside a PDF that was not available: its message
names are reconstructed from VZP's list of services and may differ from production. Answers are
read leniently (unknown or renamed elements become warnings). The embedded sandbox's data is
listed in the sdk-vzp docs (sdk_vzp::sandbox).

Examples:
  b2b vzp vyhledani-szz sandbox --k-datu 2026-01-01
  b2b vzp overeni-prukazu 80203000010000000001 --json
  b2b vzp registrujici-pzs 7552150012
  b2b vzp validace-cisla 8001010006 --prijmeni Novák --jmeno Jan
  b2b vzp nastaveni-komunikace as2 --as2-url https://as2.example.cz/vzp --as2-id FIRMA-AS2";

const DAVKY_SEND_AFTER_HELP: &str = "\
Without --endpoint the embedded sandbox answers: it issues the account an RSA certificate, the
account is switched to AS2 (NastaveniB2BUctu2) with a local AS2 endpoint of this program, the file
is filed, the sandbox's signed receipt is checked (its MIC against ours), and the protocol of the
sandbox's syntax check comes back to the local endpoint and is printed. The sandbox's rules (not
VZPkontrol's, which are not public): every batch starts with a header line D and its number,
documents are lines A, lines are at most 512 characters.

With --endpoint (VZP's AS2 URL), --identity (the account's certificate), --vzp-cert, --as2-id,
--vzp-as2-id and --store: the file is filed and the receipt checked; the protocol comes later to
your own AS2 endpoint. VZP's AS2 parameters are not public: every name here is reconstructed.

Exit codes: 0 confirmed (and, with the sandbox, the protocol printed; a refused batch is in it),
1 not confirmed or no protocol in time, 2 invalid input.

Examples:
  b2b vzp davky send KDAVKA.001
  b2b vzp davky send KDAVKA.001 --json";

const SANDBOX_VZP_AFTER_HELP: &str = "\
Writes ca.pem (the sandbox CA, for --ca) and client.pem (a client certificate with its key, for
--identity) to the output folder, prints the base URL and an example command, and serves until
Ctrl-C. The sandbox answers at most 60 calls per minute per client certificate and then HTTP 503,
like VZP.

Examples:
  b2b sandbox vzp
  b2b sandbox vzp --listen 127.0.0.1:8443 --out ./vzp-sandbox";

const P1_AFTER_HELP: &str = "\
Examples:
  b2b p1 odczyt-recepty
  b2b p1 odczyt-recepty --json";

const ODCZYT_RECEPTY_AFTER_HELP: &str = "\
Without --endpoint the embedded e-Recepta sandbox answers: b2b first stores one fictitious
prescription there and, without KLUCZ_RECEPTY, reads it back. Nothing leaves this computer.

With --endpoint P1 needs two certificates: --identity for mutual TLS (the entity's
`…-tls.p12`, password in $B2B_IDENTITY_PASSWORD) and --signing-identity for the WS-Security
signature (the `…-wss.p12`, password in $B2B_SIGNING_PASSWORD), and the call context:
--id-podmiotu, --id-uzytkownika and --rola (--id-miejsca-pracy if your calls carry it).
An identifier is EXTENSION (with the usual OID root) or ROOT:EXTENSION.

A refused call (SOAP fault bledyOperacji) prints P1's kodBleduMajor/kodBleduMinor and exits
with 1; so does an answer whose wynik is not urn:csioz:p1:kod:major:Sukces (the answer is
printed first).

Examples:
  b2b p1 odczyt-recepty
  b2b p1 odczyt-recepty --json
  B2B_IDENTITY_PASSWORD=... B2B_SIGNING_PASSWORD=... b2b p1 odczyt-recepty KLUCZ \\
      --endpoint https://isus.ezdrowie.gov.pl --identity Podmiot-tls.p12 \\
      --signing-identity Podmiot-wss.p12 --id-podmiotu 000000123456 \\
      --id-uzytkownika 1234567 --id-miejsca-pracy 01 --rola FARMACEUTA";

const SANDBOX_P1_AFTER_HELP: &str = "\
Writes to the output folder: ca.pem (the sandbox's TLS CA, for --ca), client.pem (a TLS client
certificate with its key, for --identity), wss.pem (a WS-Security signing certificate with its
key, issued by the sandbox's separate signing CA, for --signing-identity or b2b wssec sign
--identity), wss-ca.pem (that signing CA, for b2b wssec verify --trust), prescriber.pem (a
prescriber's document-signing certificate with its key, from a third CA, for b2b wssec sign
--document --xades) and prescriber-ca.pem (that CA: zapisPakietuRecept takes only prescriptions
signed XAdES-BES by it). Stores one fictitious prescription, prints the endpoint, its key and example commands, and serves until
Ctrl-C. The sandbox checks signatures and the call context as P1 does and answers refusals with
P1's fault codes (see sdk_p1::sandbox).

Examples:
  b2b sandbox p1
  b2b sandbox p1 --listen 127.0.0.1:8443 --out ./p1-sandbox";

pub(crate) const SANDBOX_CER_AFTER_HELP: &str = "\
Writes to the output folder: ca.pem (the sandbox's TLS CA, for --ca), client.pem (a TLS client
certificate with its key, for --identity), wss.pem (a WS-Security signing certificate with its
key, from the sandbox's separate signing CA, for --signing-identity), wss-ca.pem (that signing
CA) and notyfikacje-ca.pem (the CA of the certificate that signs CeR's notifications, and
nothing else: what your receiver trusts for their signatures). Starts with the fictitious data of the embedded
sandbox (entity 000000123456, place of service 000000123456-01-001, four slots tomorrow, the
place activated, visit W-1 booked), prints the endpoint and example commands, and serves until
Ctrl-C. Every CeR operation is reconstructed (no CeR interface file is public; see
sdk_p1::cer::sandbox for its rules and codes).

With --odbiornik URL the sandbox delivers notifications to your receiver (https, POST,
SOAPAction urn:przekazNotyfikacje): it trusts --odbiornik-ca for your server certificate and
presents a client certificate issued by ca.pem's CA (trust ca.pem as your client CA); each
notification is signed by a certificate of notyfikacje-ca.pem's CA (trust it for signatures).

Commands on standard input, one per line, simulate patients and other providers (each prints
its result and the notifications it made, delivered or not):
  ikp-zapis         a patient books the first free slot in IKP (a first visit, on an e-referral)
  ikp-odwolanie ID  a patient cancels visit ID in IKP
  inny-podmiot      another provider books the next free slot
  poczekalnia       serve the waiting room
  ponow ID          deliver notification ID again (same idNotyfikacji)
  notyfikacje       the notifications made and the failed deliveries
  wizyty            the visits
  help              this list
The end of standard input stops reading commands, not the server.

Examples:
  b2b sandbox cer
  b2b sandbox cer --listen 127.0.0.1:8443 --out ./cer-sandbox
  b2b sandbox cer --out ./cer-sandbox --odbiornik https://127.0.0.1:9443/cer/notyfikacje \\
      --odbiornik-ca receiver-ca.pem
  b2b p1 cer wizyty --endpoint https://127.0.0.1:8443/ --identity cer-sandbox/client.pem \\
      --signing-identity cer-sandbox/wss.pem --ca cer-sandbox/ca.pem \\
      --id-podmiotu 000000123456 --mus 000000123456-01-001";

const WSSEC_AFTER_HELP: &str = "\
Examples:
  B2B_SIGNING_PASSWORD=... b2b wssec sign request.xml --identity firma-wss.p12 > signed.xml
  b2b wssec verify signed.xml --trust ccp1-root.pem";

const WSSEC_SIGN_AFTER_HELP: &str = "\
The envelope's bytes are kept as they are; the Security header, the wsu:Id attributes of the
signed parts and the Signature are inserted. Signing uses RSA-SHA256 or ECDSA-SHA256 (from the
key), SHA-256 digests and exclusive canonicalization.

Examples:
  B2B_SIGNING_PASSWORD=... b2b wssec sign request.xml --identity firma-wss.p12 -o signed.xml
  b2b wssec sign request.xml --identity cert.pem --key key.pem --profile basic \\
      --token-reference issuer-serial --ttl 60
  b2b wssec sign recepta.xml --identity lekarz.p12 --document --xades > recepta-signed.xml";

const WSSEC_VERIFY_AFTER_HELP: &str = "\
Checks, in order: the Security header and its one Signature, the algorithms (exclusive C14N,
SHA-256, RSA/ECDSA-SHA256), every reference's digest, the signature value, the certificate's path
to a --trust root at the checked time, the Timestamp (with --clock-skew), and that each required
part is signed where it belongs (signature wrapping is refused). A document's XAdES-BES
properties (signing certificate, signing time) are checked when present and printed. Exit code 0
when all hold, 1 with the reason otherwise.

Examples:
  b2b wssec verify signed.xml --trust ccp1-root.pem
  b2b wssec verify answer.xml --trust root.pem --cert partner.pem --profile basic --json
  b2b wssec verify recepta-signed.xml --document --require-xades --trust ca.pem";

/// Command-line client of health-care authority B2B web services (VZP ČR, P1 e-Recepta).
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
    /// WS-Security: signs SOAP envelopes (or documents) with an X.509 certificate and checks
    /// signatures, the way P1 and SÚKL expect them (XML-DSig, exclusive C14N, RSA/ECDSA-SHA256).
    #[command(after_help = WSSEC_AFTER_HELP)]
    Wssec {
        #[command(subcommand)]
        command: WssecCommand,
    },
    /// P1 (Poland, Centrum e-Zdrowia): e-Recepta, with mutual TLS and WS-Security signatures.
    #[command(after_help = P1_AFTER_HELP)]
    P1 {
        #[command(subcommand)]
        command: P1Command,
    },
    /// SÚKL (Czech State Institute for Drug Control): LEK-13 dispensing reports through a
    /// durable outbox, and the drug code lists (Číselníky SÚKL).
    #[command(after_help = SUKL_AFTER_HELP)]
    Sukl {
        #[command(subcommand)]
        command: SuklCommand,
    },
    /// VECOZO (Netherlands): COV insurance checks and the Machtigingenportaal Instroomservice,
    /// with the practice's VECOZO system certificate.
    #[command(after_help = VECOZO_AFTER_HELP)]
    Vecozo {
        #[command(subcommand)]
        command: VecozoCommand,
    },
    /// Chongqing 金保 (China): the social-insurance interface of designated medical institutions,
    /// through the vendor's library (--dll) or an in-process sandbox.
    Chongqing {
        #[command(subcommand)]
        command: crate::chongqing::ChongqingCommand,
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
    /// Stav pojištění (deprecated by VZP in favour of prubeh-pojisteni): is a person insured on a
    /// date, and with which insurer. Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    StavPojisteni(PrubehArgs),
    /// Registration of an insured person for capitation with a provider (yours unless --icz)
    /// on a date. Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    RegistraceKapitace(RegistraceArgs),
    /// Vyhledávání SZZ: contracted facilities and their workplaces matching a text (name, town,
    /// IČZ, IČO, IČP). Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    VyhledaniSzz(SzzArgs),
    /// Ověření platnosti průkazu (EHIC): is a European health insurance card valid on a date.
    /// Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    OvereniPrukazu(PrukazArgs),
    /// The workplaces an insured person is registered with, when not with yours. Reconstructed
    /// service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    RegistrujiciPzs(PrubehArgs),
    /// For insurers (CRP): insured persons who left the given insurer for another in a period.
    /// Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    OznameniPuvodniZzp(OznameniArgs),
    /// For court executors: does an insured-person number belong to the named person.
    /// Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    ValidaceCisla(ValidaceArgs),
    /// NastaveniB2BUctu2: switch the account between SOAP and AS2. Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    NastaveniKomunikace(NastaveniArgs),
    /// NastaveniB2BUctu2: renew the account's certificate with a new one (PEM or DER file).
    /// Reconstructed service.
    #[command(after_help = RECONSTRUCTED_AFTER_HELP)]
    ObnovaCertifikatu(ObnovaArgs),
    /// Dávky (batches of provided care) filed over AS2, answered later with the protocol of
    /// VZP's syntax check (VZPkontrol). Reconstructed: VZP's AS2 parameters are not public.
    Davky {
        #[command(subcommand)]
        command: DavkyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DavkyCommand {
    /// Files a batch file: signed and encrypted, kept in --store until VZP's receipt confirms it
    /// (a run cut short sends it again on the next run with the same --store); with the embedded
    /// sandbox, also waits for the protocol and prints it.
    #[command(after_help = DAVKY_SEND_AFTER_HELP)]
    Send(DavkySendArgs),
}

#[derive(Debug, Args)]
pub struct DavkySendArgs {
    /// The batch file (e.g. KDAVKA.001), sent as is.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The AS2 store (SQLite file): filings kept until confirmed [default: a temporary file with
    /// the embedded sandbox; required with --endpoint].
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Seconds to wait for the protocol (embedded sandbox only).
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub wait: u64,
    /// With --endpoint: VZP's AS2 certificate (PEM or DER), which filings are encrypted for and
    /// its receipts are checked with.
    #[arg(long = "vzp-cert", value_name = "FILE", requires = "endpoint")]
    pub vzp_cert: Option<PathBuf>,
    /// With --endpoint: your AS2 identifier (as set with nastaveni-komunikace).
    #[arg(long = "as2-id", value_name = "ID", requires = "endpoint")]
    pub as2_id: Option<String>,
    /// With --endpoint: VZP's AS2 identifier.
    #[arg(long = "vzp-as2-id", value_name = "ID", requires = "endpoint")]
    pub vzp_as2_id: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// The VZP sandbox: mutual TLS, fictitious data, HTTP 503 when called too often.
    #[command(after_help = SANDBOX_VZP_AFTER_HELP)]
    Vzp(SandboxVzpArgs),
    /// The P1 e-Recepta sandbox: mutual TLS, WS-Security signatures, the call context, fictitious
    /// prescriptions kept in memory.
    #[command(after_help = SANDBOX_P1_AFTER_HELP)]
    P1(SandboxP1Args),
    /// The SÚKL sandbox: LEK-13 with mutual TLS, its rules, reports kept in memory, and faults
    /// on request (dropped connections, 503s, delays).
    #[command(after_help = SANDBOX_SUKL_AFTER_HELP)]
    Sukl(SandboxSuklArgs),
    /// The CeR (Centralna e-Rejestracja) sandbox: mutual TLS, WS-Security signatures, CeR's
    /// booking rules, a fictitious schedule, notifications to your receiver; patients and other
    /// providers simulated by commands on standard input.
    #[command(after_help = SANDBOX_CER_AFTER_HELP)]
    Cer(SandboxCerArgs),
}

#[derive(Debug, Subcommand)]
pub enum SuklCommand {
    /// LEK-13: reports of medicines dispensed on prescription, on requisition, and restricted
    /// non-prescription sales (to SÚKL within 168 hours).
    Lek13 {
        #[command(subcommand)]
        command: Lek13Command,
    },
    /// The outbox: what is stored, what is due, retries, and a worker.
    #[command(after_help = OUTBOX_AFTER_HELP)]
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// eRecept, the electronic prescriptions: a walk through a prescription's life on the
    /// sandbox, a ping, a prescription by its identifier.
    #[command(after_help = ERECEPT_AFTER_HELP)]
    Erecept {
        #[command(subcommand)]
        command: EreceptCommand,
    },
    /// Číselníky SÚKL, the drug code lists: a medicinal product by kód SÚKL, products,
    /// pharmacies.
    #[command(after_help = CISELNIK_AFTER_HELP)]
    Ciselnik {
        #[command(subcommand)]
        command: CiselnikCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum Lek13Command {
    /// Checks reports, commits them to the outbox and sends them until SÚKL acknowledges them.
    #[command(after_help = LEK13_SEND_AFTER_HELP)]
    Send(Lek13SendArgs),
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Lists the reports in the outbox, nearest deadline first, with where they stand.
    List(OutboxListArgs),
    /// Lists the reports SÚKL does not have yet whose deadline is within --hours, or past.
    Due(OutboxDueArgs),
    /// Sends failed messages again (after the cause was fixed).
    Retry(OutboxStoreArgs),
    /// Sends what is waiting: until nothing is left (--until-idle) or until Ctrl-C.
    Run(OutboxRunArgs),
}

/// How to reach SÚKL (shared by the commands that send).
#[derive(Debug, Args)]
pub struct SuklTargetArgs {
    /// Base URL of LEK-13, e.g. `https://api2.sukl.cz/lek13` or `https://testapi.sukl.cz/lek13`.
    /// Without it, an embedded sandbox with fictitious data answers.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The pharmacy's SÚKL certificate (the same as for eRecept): PKCS#12 or PEM with
    /// certificate and key. The PKCS#12 password is read from $B2B_IDENTITY_PASSWORD or asked
    /// for on the terminal.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub key: Option<PathBuf>,
    /// Extra trusted root certificates (PEM) for the server's certificate; may be repeated.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub ca: Vec<PathBuf>,
    /// Seconds to wait for one call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// The first retry waits about this many milliseconds, each further one twice as long.
    #[arg(long, value_name = "MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub retry_base_ms: u64,
    /// No retry waits longer than this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 300_000,
          value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    pub retry_max_ms: u64,
    /// Messages sent at the same time.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// Prints each step (enqueued, sending, acknowledged, retrying, failed) to stderr.
    #[arg(long)]
    pub progress: bool,
}

#[derive(Debug, Args)]
pub struct Lek13SendArgs {
    /// Files with one report or an array of reports (JSON); `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// The outbox (a SQLite file, sqlite:PATH, or postgres://…). Required with --endpoint;
    /// without it, a temporary one for the embedded sandbox.
    #[arg(long, value_name = "STORE", requires = "endpoint")]
    pub store: Option<String>,
    /// Your SÚKL workplace code (11 digits, as in your certificate). Required with --endpoint.
    #[arg(long, value_name = "CODE")]
    pub kod_pracoviste: Option<String>,
    /// Your IČZ (8 digits). Required with --endpoint.
    #[arg(long, value_name = "ICZ")]
    pub icz: Option<String>,
    /// The reporting software's name [default: b2b].
    #[arg(long, value_name = "NAME")]
    pub sw_nazev: Option<String>,
    /// The reporting software's version [default: this b2b's version].
    #[arg(long, value_name = "VERSION")]
    pub sw_verze: Option<String>,
    /// The reporting software's maker [default: b2b-sdk].
    #[arg(long, value_name = "MAKER")]
    pub sw_vyrobce: Option<String>,
    /// Accept reports dispensed more than 168 hours ago (late, but still owed to SÚKL).
    #[arg(long)]
    pub allow_late: bool,
    /// Only check and commit the reports; send them later with `b2b sukl outbox run`.
    #[arg(long, conflicts_with = "wait")]
    pub no_send: bool,
    /// Seconds to keep sending and retrying before leaving the rest in the outbox.
    #[arg(long, value_name = "SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(0..=86400))]
    pub wait: u64,
    #[command(flatten)]
    pub target: SuklTargetArgs,
    /// Prints one JSON array (a record per report) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OutboxStoreArgs {
    /// The outbox: a SQLite file (or sqlite:PATH), or postgres://….
    #[arg(long, value_name = "STORE")]
    pub store: String,
}

#[derive(Debug, Args)]
pub struct OutboxListArgs {
    #[command(flatten)]
    pub store: OutboxStoreArgs,
    /// At most this many reports.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
    /// Prints one JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OutboxDueArgs {
    #[command(flatten)]
    pub store: OutboxStoreArgs,
    /// Reports whose deadline is within this many hours (and every overdue one).
    #[arg(long, value_name = "N", default_value_t = 24)]
    pub hours: u64,
    /// Prints one JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OutboxRunArgs {
    #[command(flatten)]
    pub store: OutboxStoreArgs,
    /// Stop when nothing is waiting any more, instead of running until Ctrl-C.
    #[arg(long)]
    pub until_idle: bool,
    /// Seconds between looks for newly enqueued reports (without --until-idle).
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub poll: u64,
    #[command(flatten)]
    pub target: SuklTargetArgs,
}

#[derive(Debug, Args)]
pub struct SandboxSuklArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Folder for ca.pem and client.pem [default: a new folder in the temporary directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Share of requests whose connection is dropped before they are handled (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub drop_before: f64,
    /// Share of requests handled whose answer is then dropped (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub drop_after: f64,
    /// Share of requests answered 503 (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub unavailable: f64,
    /// Delay every answer by up to this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub delay_ms: u64,
}

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum P1Command {
    /// odczytRecepty: reads one prescription by its key (status, verification result, document).
    #[command(after_help = ODCZYT_RECEPTY_AFTER_HELP)]
    OdczytRecepty(OdczytReceptyArgs),
    /// Centralna e-Rejestracja (CeR; reconstructed: no CeR interface file is public).
    Cer {
        #[command(subcommand)]
        command: CerCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum CerCommand {
    /// Checks an initial-load CSV file (zasilenie inicjalne) locally, as CeR would, before it is
    /// uploaded: every problem of every row with CeR's code (REG.WER.8244, 8361, 9644, 9662,
    /// 9666, 9667). Streams: any file size in bounded memory. Exit code 1 when a row fails.
    #[command(after_help = VALIDATE_CSV_AFTER_HELP)]
    ValidateCsv(ValidateCsvArgs),
    /// pobierzListeWizytSync: the visits of a place of service (MUŚ) for a range of days.
    #[command(after_help = CER_AFTER_HELP)]
    Wizyty(CerWizytyArgs),
    /// aktywujMus: activates a place of service (its slots become bookable in IKP; from then on
    /// no visit more than 40 days ahead).
    #[command(after_help = CER_AFTER_HELP)]
    AktywujMus(CerMusArgs),
    /// zapiszNaWizyte: books a follow-up or first visit into a slot; CeR's booking rules are
    /// checked first (contact, referral, the 40-day horizon).
    #[command(after_help = CER_AFTER_HELP)]
    Zapisz(CerZapiszArgs),
    /// odwolajWizyte: cancels a visit (the waiting room may take the freed slot).
    #[command(after_help = CER_AFTER_HELP)]
    Odwolaj(CerOdwolajArgs),
}

const CER_AFTER_HELP: &str = "\
Without --endpoint an embedded CeR sandbox answers, with a fictitious place of service
(000000123456-01-001), a schedule for tomorrow, the place activated and one visit booked.
Every CeR operation is reconstructed (no CeR interface file is public); names may differ from
production. `b2b sandbox cer` runs the same sandbox standalone, for --endpoint.

Examples:
  b2b p1 cer wizyty
  b2b p1 cer zapisz --slot S-2 --pesel 44051401359 --telefon 600100200
  b2b p1 cer odwolaj W-1 --json";

/// Connection and call context of the CeR commands.
#[derive(Debug, Args)]
pub struct CerArgs {
    /// Base URL of a P1 host, e.g. `https://isus.ezdrowie.gov.pl` (the CeR path
    /// `/services/ObslugaCeRWS`, reconstructed, is appended). Without it, an embedded sandbox.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// TLS client certificate (`…-tls.p12` or PEM); password from $B2B_IDENTITY_PASSWORD.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub key: Option<PathBuf>,
    /// WS-Security signing certificate (`…-wss.p12` or PEM); password from
    /// $B2B_SIGNING_PASSWORD. Required with --endpoint.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub signing_identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --signing-identity file.
    #[arg(long, value_name = "FILE", requires = "signing_identity")]
    pub signing_key: Option<PathBuf>,
    /// Extra trusted root certificates (PEM); may be repeated.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub ca: Vec<PathBuf>,
    /// The entity (idPodmiotu): EXTENSION (root 2.16.840.1.113883.3.4424.2.3.1) or
    /// ROOT:EXTENSION. Required with --endpoint.
    #[arg(long, value_name = "[ROOT:]EXT")]
    pub id_podmiotu: Option<String>,
    /// The place of service (MUŚ): EXTENSION (root 2.16.840.1.113883.3.4424.2.3.3) or
    /// ROOT:EXTENSION; the sandbox's fictitious one by default.
    #[arg(long, value_name = "[ROOT:]EXT")]
    pub mus: Option<String>,
    /// Business role in the context (default SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO).
    #[arg(long, value_name = "ROLA")]
    pub rola: Option<String>,
    /// Seconds to wait for the whole call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Prints the answer as one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CerWizytyArgs {
    /// First day (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE")]
    pub od: Option<String>,
    /// Last day (YYYY-MM-DD); 40 days after the first by default.
    #[arg(long = "do", value_name = "DATE")]
    pub do_: Option<String>,
    #[command(flatten)]
    pub common: CerArgs,
}

#[derive(Debug, Args)]
pub struct CerMusArgs {
    #[command(flatten)]
    pub common: CerArgs,
}

#[derive(Debug, Args)]
pub struct CerZapiszArgs {
    /// The slot (idSlotu).
    #[arg(long, value_name = "ID")]
    pub slot: String,
    /// The patient's PESEL.
    #[arg(long, value_name = "PESEL")]
    pub pesel: String,
    /// PIERWSZORAZOWA, KOLEJNA (default) or UPRAWNIENIA_SZCZEGOLNE.
    #[arg(long, value_name = "RODZAJ", default_value = "KOLEJNA")]
    pub rodzaj: String,
    /// The patient's phone (a contact is required: --telefon or --email).
    #[arg(long, value_name = "TEL")]
    pub telefon: Option<String>,
    /// The patient's e-mail.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// The e-referral's key (kluczSkierowania), for a first visit.
    #[arg(long, value_name = "KLUCZ")]
    pub skierowanie: Option<String>,
    #[command(flatten)]
    pub common: CerArgs,
}

#[derive(Debug, Args)]
pub struct CerOdwolajArgs {
    /// The visit (idWizyty).
    #[arg(value_name = "ID_WIZYTY")]
    pub wizyta: String,
    /// Why (free text).
    #[arg(long, value_name = "TEXT")]
    pub powod: Option<String>,
    #[command(flatten)]
    pub common: CerArgs,
}

#[derive(Debug, Args)]
pub struct ValidateCsvArgs {
    /// The CSV file (UTF-8, `;`, the reconstructed layout of `sdk_p1::cer::zasilenie`); `-` reads
    /// standard input.
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// JSON Lines on standard output: one object per problem, then `{"raport": …}`.
    #[arg(long)]
    pub json: bool,
}

const VALIDATE_CSV_AFTER_HELP: &str = "\
The layout (13 columns, header row) is reconstructed: CeR's is not public; see the docs of
sdk_p1::cer::zasilenie. A progress line is shown on standard error when it is a terminal.

Examples:
  b2b p1 cer validate-csv wizyty.csv
  b2b p1 cer validate-csv wizyty.csv --json > problems.jsonl";

#[derive(Debug, Args)]
pub struct OdczytReceptyArgs {
    /// The prescription's key (kluczRecepty) P1 gave it. Required with --endpoint; without it,
    /// the fictitious prescription stored in the embedded sandbox is read.
    #[arg(value_name = "KLUCZ_RECEPTY")]
    pub klucz: Option<String>,
    #[command(flatten)]
    pub common: P1Args,
}

/// Options shared by the P1 commands.
#[derive(Debug, Args)]
pub struct P1Args {
    /// Base URL of a P1 host, e.g. `https://isus.ezdrowie.gov.pl` (the e-Recepta path
    /// `/services/ObslugaReceptyWS` is appended unless given). Without it, an embedded sandbox
    /// with fictitious data answers.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// TLS client certificate (P1's `…-tls.p12`, or PEM with certificate and key). The PKCS#12
    /// password is read from $B2B_IDENTITY_PASSWORD or asked for on the terminal.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub key: Option<PathBuf>,
    /// WS-Security signing certificate (P1's `…-wss.p12`, not the TLS one; or PEM). The
    /// PKCS#12 password is read from $B2B_SIGNING_PASSWORD or asked for on the terminal.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub signing_identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --signing-identity file.
    #[arg(long, value_name = "FILE", requires = "signing_identity")]
    pub signing_key: Option<PathBuf>,
    /// Extra trusted root certificates (PEM) for the server's certificate; may be repeated.
    /// The system trust store is used as well.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub ca: Vec<PathBuf>,
    /// The entity calling (idPodmiotu): EXTENSION, OID root 2.16.840.1.113883.3.4424.2.3.1
    /// unless given as ROOT:EXTENSION. Required with --endpoint.
    #[arg(long, value_name = "[ROOT:]EXT")]
    pub id_podmiotu: Option<String>,
    /// The user (idUzytkownika): the professional's NPWZ, OID root 2.16.840.1.113883.3.4424.1.6.2
    /// unless given as ROOT:EXTENSION. Required with --endpoint.
    #[arg(long, value_name = "[ROOT:]EXT")]
    pub id_uzytkownika: Option<String>,
    /// The place of work (idMiejscaPracy): EXTENSION, OID root 2.16.840.1.113883.3.4424.2.3.3
    /// unless given as ROOT:EXTENSION.
    #[arg(long, value_name = "[ROOT:]EXT")]
    pub id_miejsca_pracy: Option<String>,
    /// The user's business role (rolaBiznesowa): LEKARZ_LEK_DENTYSTA_FELCZER,
    /// PIELEGNIARKA_POLOZNA, FARMACEUTA, TECHNIK_FARMACEUTYCZNY (another value is sent as
    /// given). Required with --endpoint.
    #[arg(long, value_name = "ROLA")]
    pub rola: Option<String>,
    /// Seconds to wait for the whole call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Prints one JSON object (request, response, diagnostics) instead of text.
    #[arg(long)]
    pub json: bool,
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
pub struct RegistraceArgs {
    /// Číslo pojištěnce, 9 or 10 digits.
    #[arg(value_name = "CISLO_POJISTENCE")]
    pub cislo_pojistence: String,
    /// IČZ (8 digits) of the provider asked about [default: the caller's own].
    #[arg(long, value_name = "ICZ")]
    pub icz: Option<String>,
    #[command(flatten)]
    pub date: DateArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct SzzArgs {
    /// The text searched for, 3 to 100 characters.
    #[arg(value_name = "TEXT")]
    pub retezec: String,
    /// Only workplaces under contract on this date, YYYY-MM-DD [default: any].
    #[arg(long = "k-datu", value_name = "YYYY-MM-DD")]
    pub k_datu: Option<String>,
    /// At most this many facilities, 1 to 500 [default: the service's own limit].
    #[arg(long, value_name = "N")]
    pub max: Option<u32>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct PrukazArgs {
    /// The card's number (EHIC field 8), 20 digits.
    #[arg(value_name = "CISLO_PRUKAZU")]
    pub cislo_prukazu: String,
    #[command(flatten)]
    pub date: DateArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct OznameniArgs {
    /// The asking (original) insurer's three-digit code.
    #[arg(value_name = "KOD_POJISTOVNY")]
    pub kod_pojistovny: String,
    /// First day of the period, YYYY-MM-DD.
    #[arg(long = "od", value_name = "YYYY-MM-DD")]
    pub od: String,
    /// Last day of the period, YYYY-MM-DD.
    #[arg(long = "do", value_name = "YYYY-MM-DD")]
    pub r#do: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ValidaceArgs {
    /// Číslo pojištěnce, 9 or 10 digits.
    #[arg(value_name = "CISLO_POJISTENCE")]
    pub cislo_pojistence: String,
    /// Surname (příjmení), 1 to 35 characters.
    #[arg(long, value_name = "TEXT")]
    pub prijmeni: String,
    /// First name (jméno), 1 to 24 characters.
    #[arg(long, value_name = "TEXT")]
    pub jmeno: String,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long = "datum-narozeni", value_name = "YYYY-MM-DD")]
    pub datum_narozeni: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct NastaveniArgs {
    /// How VZP talks to the account: `soap` (the default of every account) or `as2`.
    #[arg(value_name = "TYP", value_parser = ["soap", "as2"])]
    pub typ: String,
    /// With as2: the https:// address of your AS2 endpoint, where VZP pushes answers.
    #[arg(long = "as2-url", value_name = "URL")]
    pub as2_url: Option<String>,
    /// With as2: your AS2 identifier.
    #[arg(long = "as2-id", value_name = "ID")]
    pub as2_id: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ObnovaArgs {
    /// The new certificate (PEM or DER): its public part only, never the key.
    #[arg(value_name = "CERT_FILE")]
    pub certifikat: PathBuf,
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

#[derive(Debug, Subcommand)]
pub enum WssecCommand {
    /// Signs a SOAP envelope: adds a wsse:Security header with a Timestamp, the certificate
    /// token and a ds:Signature over the chosen parts; prints the signed envelope.
    #[command(after_help = WSSEC_SIGN_AFTER_HELP)]
    Sign(WssecSignArgs),
    /// Checks the signature of a SOAP envelope (or, with --document, of a document): prints what
    /// was signed, by whom, and why a check fails (exit code 1).
    #[command(after_help = WSSEC_VERIFY_AFTER_HELP)]
    Verify(WssecVerifyArgs),
}

/// The signing profiles `--profile` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileArg {
    /// P1 (e-Recepta and the other CeZ services): Body, the kontekstWywolania header and the
    /// Timestamp signed; the certificate as a BinarySecurityToken.
    P1,
    /// Body and Timestamp signed; the certificate as a BinarySecurityToken.
    Basic,
}

/// `--token-reference`: how ds:KeyInfo points at the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenReferenceArg {
    /// The certificate in a wsse:BinarySecurityToken, referenced by its wsu:Id (P1).
    Bst,
    /// The certificate's Subject Key Identifier (the receiver must have the certificate).
    Ski,
    /// The certificate's issuer name and serial number (the receiver must have the certificate).
    IssuerSerial,
}

#[derive(Debug, Args)]
pub struct WssecSignArgs {
    /// The envelope to sign (with --document: the XML document); `-` or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// The signing certificate with its key: PKCS#12 (.p12/.pfx) or PEM. For P1 this is the
    /// `…-wss.p12`, not the TLS one. The PKCS#12 password is read from $B2B_SIGNING_PASSWORD.
    #[arg(long, value_name = "FILE")]
    pub identity: PathBuf,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Which parts to sign and how, as a preset.
    #[arg(long, value_enum, default_value_t = ProfileArg::P1)]
    pub profile: ProfileArg,
    /// A part to sign instead of the profile's: `body`, `timestamp`, or a header element as
    /// `{namespace}localName`; may be repeated.
    #[arg(long = "part", value_name = "PART")]
    pub parts: Vec<String>,
    /// How the signature refers to the certificate [default: bst].
    #[arg(long, value_enum)]
    pub token_reference: Option<TokenReferenceArg>,
    /// Seconds from wsu:Created to wsu:Expires [default: 300].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub ttl: Option<u64>,
    /// No wsu:Timestamp (and so no Timestamp part).
    #[arg(long, conflicts_with = "ttl")]
    pub no_timestamp: bool,
    /// Namespace prefixes to treat inclusively in the exclusive canonicalization of the signed
    /// parts (InclusiveNamespaces PrefixList), separated by spaces.
    #[arg(long, value_name = "PREFIXES")]
    pub prefix_list: Option<String>,
    /// Sign a whole document with an enveloped ds:Signature (as P1 wants e-prescriptions)
    /// instead of a SOAP envelope.
    #[arg(long, conflicts_with_all = ["parts", "token_reference", "ttl", "no_timestamp", "prefix_list"])]
    pub document: bool,
    /// With --document: a XAdES-BES signature (XAdES v1.3.2: the signing time and the signing
    /// certificate's digest signed with the document), as P1 wants clinical documents.
    #[arg(long, requires = "document")]
    pub xades: bool,
    /// Writes the result to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WssecVerifyArgs {
    /// The signed envelope (with --document: the signed document); `-` or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Trusted root certificates (PEM) the signer's certificate must chain to; may be repeated.
    #[arg(long, value_name = "FILE", required = true)]
    pub trust: Vec<PathBuf>,
    /// Certificates (PEM) the message refers to without carrying them (Subject Key Identifier,
    /// issuer and serial), and intermediate CA certificates; may be repeated.
    #[arg(long = "cert", value_name = "FILE")]
    pub certs: Vec<PathBuf>,
    /// Which parts must be signed, as a preset.
    #[arg(long, value_enum, default_value_t = ProfileArg::P1)]
    pub profile: ProfileArg,
    /// A further part that must be signed: `body`, `timestamp`, or `{namespace}localName`; may
    /// be repeated.
    #[arg(long = "require", value_name = "PART")]
    pub require: Vec<String>,
    /// Accept a message without a wsu:Timestamp.
    #[arg(long)]
    pub no_timestamp: bool,
    /// Allowed difference between the sender's clock and ours, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(0..=86400))]
    pub clock_skew: u64,
    /// Check as of this time (RFC 3339, e.g. 2026-11-30T10:00:00Z) instead of now: for messages
    /// kept from earlier.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The input is a document with an enveloped ds:Signature, not a SOAP envelope.
    #[arg(long, conflicts_with_all = ["require", "no_timestamp"])]
    pub document: bool,
    /// With --document: refuse a signature without XAdES-BES properties (plain XML-DSig).
    #[arg(long, requires = "document")]
    pub require_xades: bool,
    /// Prints one JSON object instead of text.
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

#[derive(Debug, Args)]
pub struct SandboxP1Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Folder for ca.pem, client.pem, wss.pem, wss-ca.pem, prescriber.pem and
    /// prescriber-ca.pem [default: a new folder in the temporary directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SandboxCerArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Folder for ca.pem, client.pem, wss.pem, wss-ca.pem and notyfikacje-ca.pem [default: a new
    /// folder in the temporary directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Your notification receiver (odbiornik notyfikacji), an https:// URL: the sandbox delivers
    /// each notification there, with a client certificate of ca.pem's CA, signed by a
    /// certificate of notyfikacje-ca.pem's CA. Needs --odbiornik-ca.
    #[arg(long, value_name = "URL")]
    pub odbiornik: Option<String>,
    /// The CA certificate (PEM) your receiver's server certificate chains to. Required with
    /// --odbiornik.
    #[arg(long, value_name = "FILE", requires = "odbiornik")]
    pub odbiornik_ca: Option<PathBuf>,
}

const VECOZO_AFTER_HELP: &str = "\
Without --endpoint an embedded VECOZO sandbox with fictitious data answers.

Examples:
  b2b vecozo cov 111222333:1980-01-01 123456782:1975-05-05 --peildatum 2024-06-01
  b2b vecozo instroom aanvraag.json";

#[derive(Debug, Subcommand)]
pub enum VecozoCommand {
    /// COV (VZ801/802): are these persons insured on a date, and with which insurer? 1 to 20
    /// persons per call, each as BSN:DATE-OF-BIRTH. Reconstructed service.
    Cov(CovArgs),
    /// Machtigingenportaal Instroomservice: streams an authorisation request (JSON, see
    /// openapi/vecozo/instroom.yaml) in and prints the link that opens the pre-filled form.
    /// Reconstructed service.
    Instroom(InstroomArgs),
    /// VSP-Koppeling message exchange (REST Push and Pull V1): send a file to addressees, list
    /// the messages waiting for you, fetch one's payload, confirm its receipt. Published
    /// service.
    #[command(subcommand)]
    Berichten(crate::vecozo::BerichtenCommand),
    /// VSP-Koppeling Berichtstatus (REST Pull V3, or V2): the status of messages by conversation
    /// or trace ID. Published service.
    Berichtstatus(crate::vecozo::BerichtstatusArgs),
}

/// How to reach VECOZO (shared by the vecozo commands).
#[derive(Debug, Args)]
pub struct VecozoTargetArgs {
    /// Base URL: VECOZO's gateway for COV (e.g. `https://tst-api.vecozo.nl/acc`), the
    /// Instroomservice's base URL for `instroom`. Without it, an embedded sandbox answers.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The practice's VECOZO system certificate: PKCS#12 or PEM with certificate and key. The
    /// PKCS#12 password is read from $B2B_IDENTITY_PASSWORD or asked for on the terminal.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub key: Option<PathBuf>,
    /// Extra trusted root certificates (PEM) for the server's certificate; may be repeated.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub ca: Vec<PathBuf>,
    /// Seconds to wait for one call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CovArgs {
    /// Persons as BSN:YYYY-MM-DD (BSN and date of birth), 1 to 20.
    #[arg(value_name = "BSN:BORN", required = true)]
    pub personen: Vec<String>,
    /// The date insurance is asked for (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub peildatum: Option<String>,
    /// The asking care provider's AGB code (eight digits).
    #[arg(long, value_name = "AGB")]
    pub agb: Option<String>,
    /// Use the SOAP 1.2 endpoint instead of SOAP 1.1.
    #[arg(long)]
    pub soap12: bool,
    #[command(flatten)]
    pub target: VecozoTargetArgs,
}

#[derive(Debug, Args)]
pub struct InstroomArgs {
    /// The request (JSON: instantie, zorgverlener, verzekerde, verstrekking).
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,
    /// The personal VECOZO certificate (PEM or DER) the person will open the link with: it
    /// must be issued under the same institution as the system certificate.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub persoonlijk_certificaat: Option<PathBuf>,
    #[command(flatten)]
    pub target: VecozoTargetArgs,
}

const CISELNIK_AFTER_HELP: &str = "\
Without --endpoint the embedded SÚKL sandbox answers, with a handful of invented products
(0012345, 0023456, 0034567, 0045678, 0056789, 0067890) and pharmacies (12345678901 listed,
34567890123 delisted, ...). SÚKL's own description of the API (Swagger 2.0, matched by the SDK)
names no public host: give --endpoint the service's base URL, ending in /cissuklapi/v1.
Codes are checked before anything is sent (exit code 2); a code SÚKL does not know is exit code 1.
--json prints the records as SÚKL sends them (its UPPER_SNAKE field names).

Examples:
  b2b sukl ciselnik pripravek 0034567
  b2b sukl ciselnik pripravky --regulovany --limit 5 --json
  b2b sukl ciselnik lekarny --status zarazeno
  b2b sukl ciselnik lekarna 12345678901";

#[derive(Debug, Subcommand)]
pub enum CiselnikCommand {
    /// One medicinal product by its kód SÚKL (7 digits, leading zeros kept).
    Pripravek(CiselnikPripravekArgs),
    /// A page of medicinal products, with SÚKL's total.
    Pripravky(CiselnikPripravkyArgs),
    /// One pharmacy by its workplace code (kód pracoviště, 11 digits).
    Lekarna(CiselnikLekarnaArgs),
    /// The pharmacies: listed, delisted, or all.
    Lekarny(CiselnikLekarnyArgs),
}

/// How to reach Číselníky SÚKL (shared by the `ciselnik` commands).
#[derive(Debug, Args)]
pub struct CiselnikTargetArgs {
    /// Base URL of Číselníky SÚKL, ending in /cissuklapi/v1 (SÚKL publishes no host). Without
    /// it, the embedded sandbox's invented code lists answer.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// A client certificate, if the service asks for one: PKCS#12 or PEM with certificate and
    /// key. The PKCS#12 password is read from $B2B_IDENTITY_PASSWORD or asked for on the
    /// terminal.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub key: Option<PathBuf>,
    /// Extra trusted root certificates (PEM) for the server's certificate; may be repeated.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub ca: Vec<PathBuf>,
    /// Seconds to wait for one call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Prints the records as SÚKL sends them (JSON) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CiselnikPripravekArgs {
    /// The product's kód SÚKL, 7 digits (e.g. 0034567).
    #[arg(value_name = "KOD_SUKL")]
    pub kod_sukl: String,
    #[command(flatten)]
    pub target: CiselnikTargetArgs,
}

#[derive(Debug, Args)]
pub struct CiselnikPripravkyArgs {
    /// Only products whose price is regulated.
    #[arg(long, conflicts_with = "neregulovany")]
    pub regulovany: bool,
    /// Only products whose price is not regulated.
    #[arg(long)]
    pub neregulovany: bool,
    /// At most this many products (SÚKL's default: 20).
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// After skipping this many (SÚKL's default: 0).
    #[arg(long, value_name = "N")]
    pub offset: Option<u32>,
    #[command(flatten)]
    pub target: CiselnikTargetArgs,
}

#[derive(Debug, Args)]
pub struct CiselnikLekarnaArgs {
    /// The pharmacy's workplace code (kód pracoviště), 11 digits.
    #[arg(value_name = "KOD_PRACOVISTE")]
    pub kod_pracoviste: String,
    #[command(flatten)]
    pub target: CiselnikTargetArgs,
}

#[derive(Debug, Args)]
pub struct CiselnikLekarnyArgs {
    /// Only listed (zarazeno) or delisted (vyrazeno) pharmacies; all without it.
    #[arg(long, value_name = "STATUS", value_parser = ["zarazeno", "vyrazeno"])]
    pub status: Option<String>,
    #[command(flatten)]
    pub target: CiselnikTargetArgs,
}

const ERECEPT_AFTER_HELP: &str = "\
Without --endpoint the embedded SÚKL sandbox answers (it starts empty each time: `ukazka` writes,
finds, reserves, dispenses and reads back one prescription). With --endpoint (SÚKL's host, e.g.
https://lekarnik-soap.test-erecept.sukl.cz; the service path is added) eRecept needs the
workplace's SÚKL certificate (--identity, its PKCS#12 password in $B2B_IDENTITY_PASSWORD), the
SÚKL user (--uzivatel, its password in $B2B_SUKL_HESLO), the workplace code (--pracoviste), the
software identification (--sw-klienta, 12 characters) and, for signed requests, the user's
personal certificate (--podpis, its password in $B2B_SIGNING_PASSWORD).

Examples:
  b2b sukl erecept ukazka
  b2b sukl erecept ping --role lekar --zep
  B2B_SUKL_HESLO=... b2b sukl erecept predpis ABCD1234EFGH --endpoint https://lekarnik-soap.test-erecept.sukl.cz \\
      --identity lekarna.pfx --uzivatel 17b5c860-b570-11e7-abc4-cec278b6b50a --pracoviste 00000910487 \\
      --sw-klienta LEKARNA01234";

/// The environment variable holding the SÚKL user's password (eRecept's HTTP Basic).
pub const SUKL_PASSWORD_ENV: &str = "B2B_SUKL_HESLO";

#[derive(Debug, Subcommand)]
pub enum EreceptCommand {
    /// A prescription's life on the embedded sandbox: the prescriber writes it (signed), the
    /// pharmacist finds it, reserves it, dispenses it (signed), the prescriber reads it back.
    Ukazka(EreceptUkazkaArgs),
    /// AppPing (or AppPingZEP, signed, with --zep): is the service there, and are the
    /// credentials (and the signature) accepted.
    Ping(EreceptPingArgs),
    /// A prescription by its identifier (ID_Dokladu), as the pharmacist (or --role lekar) reads
    /// it.
    Predpis(EreceptPredpisArgs),
}

/// Whose service to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EreceptRole {
    /// The pharmacist's CUER Lékárník.
    Lekarnik,
    /// The prescriber's CUER Lékař.
    Lekar,
}

#[derive(Debug, Args)]
pub struct EreceptUkazkaArgs {
    /// Seconds to wait for one call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// How to reach eRecept (shared by the commands that may call SÚKL).
#[derive(Debug, Args)]
pub struct EreceptTargetArgs {
    /// Whose service: the pharmacist's or the prescriber's.
    #[arg(long, value_enum, default_value_t = EreceptRole::Lekarnik)]
    pub role: EreceptRole,
    /// SÚKL's host for that role (the service path /cuer/Lekarnik or /cuer/Lekar is added).
    /// Without it, the embedded sandbox answers.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The workplace's SÚKL certificate (TLS): PKCS#12 or PEM with certificate and key.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub identity: Option<PathBuf>,
    /// Private key (PEM) when it is not in the --identity file.
    #[arg(long, value_name = "FILE", requires = "identity")]
    pub key: Option<PathBuf>,
    /// Extra trusted root certificates (PEM) for the server's certificate; may be repeated.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub ca: Vec<PathBuf>,
    /// The SÚKL user's identifier (its password is read from $B2B_SUKL_HESLO).
    #[arg(long, value_name = "GUID", requires = "endpoint")]
    pub uzivatel: Option<String>,
    /// The workplace code (11 digits).
    #[arg(long, value_name = "KOD", requires = "endpoint")]
    pub pracoviste: Option<String>,
    /// The software identification SÚKL assigned (12 characters).
    #[arg(long, value_name = "KOD", requires = "endpoint")]
    pub sw_klienta: Option<String>,
    /// The user's personal certificate for signed requests: PKCS#12 (password in
    /// $B2B_SIGNING_PASSWORD) or PEM with certificate and key.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    pub podpis: Option<PathBuf>,
    /// Seconds to wait for one call.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct EreceptPingArgs {
    /// AppPingZEP: the request signed with the user's personal certificate.
    #[arg(long)]
    pub zep: bool,
    #[command(flatten)]
    pub target: EreceptTargetArgs,
}

#[derive(Debug, Args)]
pub struct EreceptPredpisArgs {
    /// The prescription's identifier (ID_Dokladu, 12 characters).
    pub id_dokladu: String,
    #[command(flatten)]
    pub target: EreceptTargetArgs,
}
