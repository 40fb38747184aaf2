//! `b2b vecozo ...`: COV insurance checks, the Machtigingenportaal Instroomservice and the
//! VSP-Koppeling (messages sent, listed, fetched and confirmed; their status), against the
//! embedded VECOZO sandbox or a real endpoint.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use sdk_runtime::SdkError;
use sdk_runtime::transport::HttpClient;
use sdk_runtime::url::Url;
use sdk_runtime::xml::Validate as _;
use sdk_vecozo::berichten_push::types as push;
use sdk_vecozo::cov::{Cov, SoapVersie};
use sdk_vecozo::generated::cov::types::{Volgnummer, Zoekopdracht};
use sdk_vecozo::instroom::types::Instroomverzoek;
use sdk_vecozo::instroom::{Instroom, InstroomFout};
use sdk_vecozo::sandbox::{SANDBOX_AGB_PRAKTIJK, Sandbox};
use sdk_vecozo::{
    AgbCode, Bsn, berichten_pull, berichten_push, berichtstatus_v2, berichtstatus_v3, certificaat,
};

use crate::cli::{CovArgs, InstroomArgs, VecozoCommand, VecozoTargetArgs};
use crate::failure::{self, Failure};
use crate::{identity, output};

pub async fn run(command: VecozoCommand) -> Result<(), Failure> {
    match command {
        VecozoCommand::Cov(args) => cov(args).await,
        VecozoCommand::Instroom(args) => instroom(args).await,
        VecozoCommand::Berichten(command) => berichten(command).await,
        VecozoCommand::Berichtstatus(args) => berichtstatus(args).await,
    }
}

/// An HTTPS client for a real endpoint: the system certificate and extra roots.
fn http(
    target: &VecozoTargetArgs,
) -> Result<(HttpClient, sdk_runtime::transport::Identity), Failure> {
    let path = target.identity.as_ref().ok_or_else(|| {
        Failure::Usage("--endpoint needs --identity (the VECOZO system certificate)".to_owned())
    })?;
    let id = identity::load(path, target.key.as_deref())?;
    let builder = HttpClient::builder()
        .identity(id.clone())
        .timeout(Duration::from_secs(target.timeout));
    let builder = identity::with_ca_files(builder, &target.ca, |b, pem| {
        b.add_root_certificates_pem(pem)
    })?;
    let http = builder
        .build()
        .map_err(|e| Failure::Failed(format!("cannot set up the HTTPS client: {e}")))?;
    Ok((http, id))
}

fn endpoint(url: &str) -> Result<Url, Failure> {
    Url::parse(url).map_err(|e| Failure::Usage(format!("--endpoint {url}: {e}")))
}

/// `BSN:YYYY-MM-DD` → a query numbered `n`.
fn query(n: usize, text: &str, peildatum: time::Date) -> Result<Zoekopdracht, Failure> {
    let (bsn, born) = text.split_once(':').ok_or_else(|| {
        Failure::Usage(format!(
            "`{text}`: give each person as BSN:YYYY-MM-DD (date of birth)"
        ))
    })?;
    let bsn = Bsn::parse(bsn).map_err(|e| Failure::Usage(format!("query {n}: {e}")))?;
    let born =
        sdk_vzp_date(born).map_err(|e| Failure::Usage(format!("query {n}: date of birth: {e}")))?;
    let volgnummer = i32::try_from(n)
        .ok()
        .and_then(|n| Volgnummer::new(n).ok())
        .ok_or_else(|| {
            Failure::Usage(format!("at most 20 persons per call, this is number {n}"))
        })?;
    let mut q = Zoekopdracht::new(volgnummer, born, peildatum);
    q.bsn = Some(bsn);
    Ok(q)
}

fn sdk_vzp_date(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).map_err(|e| format!("`{text}` is not YYYY-MM-DD: {e}"))
}

async fn cov(args: CovArgs) -> Result<(), Failure> {
    let peildatum = match &args.peildatum {
        Some(d) => sdk_vzp_date(d).map_err(|e| Failure::Usage(format!("--peildatum: {e}")))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let queries = args
        .personen
        .iter()
        .enumerate()
        .map(|(i, p)| query(i + 1, p, peildatum))
        .collect::<Result<Vec<_>, _>>()?;
    let zorgaanbieder = match &args.agb {
        Some(a) => Some(AgbCode::parse(a).map_err(|e| Failure::Usage(format!("--agb: {e}")))?),
        None => None,
    };
    let versie = if args.soap12 {
        SoapVersie::Soap12
    } else {
        SoapVersie::Soap11
    };
    let timeout = Duration::from_secs(args.target.timeout);
    let _sandbox;
    let client = match &args.target.endpoint {
        Some(url) => {
            let (http, _) = http(&args.target)?;
            Cov::new(http, &endpoint(url)?, versie)
                .map_err(|e| Failure::Usage(format!("--endpoint: {e}")))?
        }
        None => {
            let sandbox = Sandbox::start()
                .map_err(|e| Failure::Failed(format!("cannot start the VECOZO sandbox: {e}")))?;
            let client = sandbox.cov(versie).map_err(failure::client_build)?;
            _sandbox = sandbox;
            client
        }
    };
    let answer = client
        .controleer(zorgaanbieder.as_ref(), queries)
        .await
        .map_err(|e| failure::call(e, timeout))?;
    for d in &answer.diagnostics {
        eprintln!("warning: {d}");
    }
    let out = &answer.output.controleer_result;
    if args.target.json {
        let text = serde_json::to_string_pretty(out).map_err(|e| Failure::Failed(e.to_string()))?;
        return output::stdout(&format!("{text}\n"));
    }
    let mut text = format!("Resultaat: {}\n", out.resultaat.as_str());
    for r in out.zoekresultaten.iter().flat_map(|z| &z.zoekresultaat) {
        let bsn = r.bsn.as_ref().map_or_else(|| "-".to_owned(), Bsn::masked);
        let _ = writeln!(
            text,
            "{:>2}. {bsn}: {}",
            r.volgnummer.get(),
            r.resultaatcode.as_str()
        );
        for v in &r.verzekering {
            let tot = v.einddatum.map_or_else(String::new, |d| d.to_string());
            let _ = writeln!(
                text,
                "    UZOVI {} {}, {} – {tot}",
                v.uzovi_nummer.get(),
                v.soortverzekering.as_str(),
                v.ingangsdatum
            );
        }
    }
    output::stdout(&text)
}

async fn instroom(args: InstroomArgs) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", args.file.display())))?;
    let verzoek: Instroomverzoek = serde_json::from_str(&text).map_err(|e| {
        Failure::Usage(format!(
            "{}: not an Instroom request: {e}",
            args.file.display()
        ))
    })?;
    let _sandbox;
    let (client, persoonlijk) = match &args.target.endpoint {
        Some(url) => {
            let (http, id) = http(&args.target)?;
            let path: &PathBuf = args.persoonlijk_certificaat.as_ref().ok_or_else(|| {
                Failure::Usage(
                    "--endpoint needs --persoonlijk-certificaat (the certificate the person opens the link with)"
                        .to_owned(),
                )
            })?;
            let der = crate::davky::certificate_der(path)?;
            (
                Instroom::new(http, endpoint(url)?, &id).map_err(instroom_failure)?,
                der,
            )
        }
        None => {
            let sandbox = Sandbox::start()
                .map_err(|e| Failure::Failed(format!("cannot start the VECOZO sandbox: {e}")))?;
            let sandbox_failure =
                |e: &dyn std::fmt::Display| Failure::Failed(format!("the VECOZO sandbox: {e}"));
            let systeem = sandbox
                .issue_systeemcertificaat(SANDBOX_AGB_PRAKTIJK)
                .map_err(|e| sandbox_failure(&e))?;
            let persoonlijk = sandbox
                .issue_persoonlijk_certificaat("Sandbox user", SANDBOX_AGB_PRAKTIJK)
                .map_err(|e| sandbox_failure(&e))?;
            let client = sandbox
                .instroom(&systeem)
                .map_err(|e| sandbox_failure(&e))?;
            _sandbox = sandbox;
            (client, persoonlijk.cert_der().to_vec())
        }
    };
    let link = client
        .instromen(&verzoek, &persoonlijk)
        .await
        .map_err(instroom_failure)?;
    if args.target.json {
        let text =
            serde_json::to_string_pretty(&link).map_err(|e| Failure::Failed(e.to_string()))?;
        return output::stdout(&format!("{text}\n"));
    }
    output::stdout(&format!("{}\n", link.link))?;
    eprintln!(
        "open it in a browser and log in with a personal VECOZO certificate (valid until {})",
        link.geldig_tot
    );
    Ok(())
}

fn instroom_failure(e: InstroomFout) -> Failure {
    match e {
        InstroomFout::Aanroep(e) => {
            Failure::Failed(format!("VECOZO: {}", failure::single_line(&e.to_string())))
        }
        InstroomFout::Certificaat(e) => Failure::Failed(e.to_string()),
        other => Failure::Usage(other.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// VSP-Koppeling: `b2b vecozo berichten ...` and `b2b vecozo berichtstatus`.

/// What the embedded sandbox does for each command, shown after `--help`.
const BERICHTEN_AFTER_HELP: &str = "\
Without --endpoint each command runs against an embedded VECOZO sandbox that lives as long as the
command and starts empty. So that there is something to see, `lijst`, `ophalen` and `bevestigen`
first have a fictitious second practice (AGB 01500456) send the sandbox practice (AGB 01500123)
messages: two for `lijst`, one with the given trace ID for `ophalen` and `bevestigen`.
`versturen` sends from the sandbox practice and prints the message's status.

With --endpoint URL, give VECOZO's gateway (e.g. https://tst-api.vecozo.nl/acc); the service's
path (/berichtenservice/berichten/rest-push/v1 or .../rest-pull/v1) is appended unless the URL
already ends with it. --identity is the practice's VECOZO system certificate.";

const BERICHTSTATUS_AFTER_HELP: &str = "\
Without --endpoint the command runs against an embedded VECOZO sandbox that starts empty: the
sandbox practice (AGB 01500123) first sends two messages in the conversation (the given
--conversatie-id, or a new one; the first with the given --traceer-id) to a fictitious second
practice (AGB 01500456), which fetches and confirms the first. The answer then shows one message
delivered (Bezorgd) and one still offered (WordtAangeboden, or Aangeboden with --v2).

With --endpoint URL, give VECOZO's gateway (e.g. https://tst-api.vecozo.nl/acc); the service's
path (/berichtenservice/berichtstatus/rest-pull/v3, or v2) is appended unless the URL already
ends with it. Give exactly one of --conversatie-id and --traceer-id.";

/// The fictitious second practice of the sandbox demonstrations.
const SANDBOX_AGB_PARTNER: &str = "01500456";

const PUSH_PATH: &str = "/berichtenservice/berichten/rest-push/v1";
const PULL_PATH: &str = "/berichtenservice/berichten/rest-pull/v1";
const STATUS_V2_PATH: &str = "/berichtenservice/berichtstatus/rest-pull/v2";
const STATUS_V3_PATH: &str = "/berichtenservice/berichtstatus/rest-pull/v3";

/// The largest file `versturen` reads (the sandbox server's own request limit).
const MAX_BESTAND: u64 = 64 * 1024 * 1024;

/// `b2b vecozo berichten ...`.
#[derive(Debug, Subcommand)]
pub enum BerichtenCommand {
    /// Sends a file as a message to one or more addressees (REST Push): prints its trace ID.
    #[command(after_help = BERICHTEN_AFTER_HELP)]
    Versturen(Box<VersturenArgs>),
    /// Lists the messages waiting for the practice, oldest first (REST Pull).
    #[command(after_help = BERICHTEN_AFTER_HELP)]
    Lijst(LijstArgs),
    /// Downloads a waiting message's payload, byte for byte (REST Pull).
    #[command(after_help = BERICHTEN_AFTER_HELP)]
    Ophalen(OphalenArgs),
    /// Confirms receipt of a message: it stops waiting and the sender sees it delivered.
    #[command(after_help = BERICHTEN_AFTER_HELP)]
    Bevestigen(BevestigenArgs),
}

/// `b2b vecozo berichten versturen`.
#[derive(Debug, Args)]
pub struct VersturenArgs {
    /// The payload: any file, sent as it is (`-` for standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// An addressee: AGB code (eight digits) or UZOVI code (four digits); may be repeated.
    #[arg(long, value_name = "AGB", required = true)]
    pub naar: Vec<String>,
    /// The message flow's type, as agreed for the exchange (e.g. JW315).
    #[arg(long, value_name = "TYPE")]
    pub berichttype: String,
    /// The message flow's subtype, if it has one.
    #[arg(long, value_name = "SUBTYPE")]
    pub berichtsubtype: Option<String>,
    /// The message flow's version (0 to 999).
    #[arg(long, value_name = "N")]
    pub berichtversie: i32,
    /// The message flow's subversion (0 to 999).
    #[arg(long, value_name = "N")]
    pub berichtsubversie: i32,
    /// The message flow's action, as agreed for the exchange.
    #[arg(long, value_name = "ACTIE")]
    pub actie: String,
    /// The sender's role. The default is a guess (VECOZO's role names are not public): use the
    /// one the message flow names.
    #[arg(long, value_name = "ROL", default_value = "Zorgaanbieder")]
    pub rol: String,
    /// The addressees' role (same caveat as --rol).
    #[arg(long, value_name = "ROL", default_value = "Zorgaanbieder")]
    pub naar_rol: String,
    /// The sender's code; by default the AGB code in the system certificate.
    #[arg(long, value_name = "CODE")]
    pub afzender: Option<String>,
    /// The conversation the message belongs to (a UUID; a new one by default).
    #[arg(long, value_name = "UUID")]
    pub conversatie_id: Option<String>,
    /// The message's own ID (a UUID; a new one by default). Must be new for every message.
    #[arg(long, value_name = "UUID")]
    pub traceer_id: Option<String>,
    /// The trace ID of the message this one answers.
    #[arg(long, value_name = "UUID")]
    pub als_antwoord_op: Option<String>,
    /// Your own reference for the message (1 to 150 characters).
    #[arg(long, value_name = "TEXT")]
    pub referentie_id: Option<String>,
    /// Processing context as KEY=VALUE; may be repeated (a repeated key gets several values).
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    #[command(flatten)]
    pub target: VecozoTargetArgs,
}

/// `b2b vecozo berichten lijst`.
#[derive(Debug, Args)]
pub struct LijstArgs {
    /// At most this many messages (1 to 250; VECOZO's default is 250).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..=250))]
    pub limit: Option<i64>,
    #[command(flatten)]
    pub target: VecozoTargetArgs,
}

/// `b2b vecozo berichten ophalen`.
#[derive(Debug, Args)]
pub struct OphalenArgs {
    /// The message's trace ID (from `lijst`).
    #[arg(value_name = "TRACEERID")]
    pub traceer_id: String,
    /// Write the payload to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub target: VecozoTargetArgs,
}

/// `b2b vecozo berichten bevestigen`.
#[derive(Debug, Args)]
pub struct BevestigenArgs {
    /// The message's trace ID.
    #[arg(value_name = "TRACEERID")]
    pub traceer_id: String,
    #[command(flatten)]
    pub target: VecozoTargetArgs,
}

/// `b2b vecozo berichtstatus`.
#[derive(Debug, Args)]
#[command(after_help = BERICHTSTATUS_AFTER_HELP)]
pub struct BerichtstatusArgs {
    /// Every message of this conversation.
    #[arg(long, value_name = "UUID", conflicts_with = "traceer_id")]
    pub conversatie_id: Option<String>,
    /// The message with this trace ID and the messages answering it.
    #[arg(long, value_name = "UUID")]
    pub traceer_id: Option<String>,
    /// Ask Berichtstatus V2 (status `Aangeboden`) instead of V3 (`WordtAangeboden`).
    #[arg(long)]
    pub v2: bool,
    #[command(flatten)]
    pub target: VecozoTargetArgs,
}

/// The four VSP-Koppeling clients of one practice, at VECOZO or in an embedded sandbox.
struct Vsp {
    push: berichten_push::Client,
    pull: berichten_pull::Client,
    status_v2: berichtstatus_v2::Client,
    status_v3: berichtstatus_v3::Client,
    /// The AGB code in the practice's certificate, when it names one.
    agb: Option<String>,
    timeout: Duration,
    /// The embedded sandbox and its second practice (`None` with --endpoint).
    sandbox: Option<(Sandbox, Partner)>,
}

/// The sandbox's second practice.
struct Partner {
    push: berichten_push::Client,
    pull: berichten_pull::Client,
}

impl Vsp {
    fn open(target: &VecozoTargetArgs) -> Result<Self, Failure> {
        let timeout = Duration::from_secs(target.timeout);
        if let Some(url) = &target.endpoint {
            let (http, id) = http(target)?;
            let agb = id
                .certificate_chain()
                .first()
                .and_then(|der| certificaat::agb_code(der.as_ref(), "system certificate").ok())
                .map(|a| a.as_str().to_owned());
            return Ok(Self {
                push: berichten_push::Client::new(http.clone(), dienst_url(url, PUSH_PATH)?),
                pull: berichten_pull::Client::new(http.clone(), dienst_url(url, PULL_PATH)?),
                status_v2: berichtstatus_v2::Client::new(
                    http.clone(),
                    dienst_url(url, STATUS_V2_PATH)?,
                ),
                status_v3: berichtstatus_v3::Client::new(http, dienst_url(url, STATUS_V3_PATH)?),
                agb,
                timeout,
                sandbox: None,
            });
        }
        let sandbox = Sandbox::start()
            .map_err(|e| Failure::Failed(format!("cannot start the VECOZO sandbox: {e}")))?;
        let sandbox_failure =
            |e: &dyn std::fmt::Display| Failure::Failed(format!("the VECOZO sandbox: {e}"));
        let eigen = sandbox
            .issue_systeemcertificaat(SANDBOX_AGB_PRAKTIJK)
            .map_err(|e| sandbox_failure(&e))?;
        let ander = sandbox
            .issue_systeemcertificaat(SANDBOX_AGB_PARTNER)
            .map_err(|e| sandbox_failure(&e))?;
        let partner = Partner {
            push: sandbox
                .berichten_push(&ander)
                .map_err(failure::client_build)?,
            pull: sandbox
                .berichten_pull(&ander)
                .map_err(failure::client_build)?,
        };
        Ok(Self {
            push: sandbox
                .berichten_push(&eigen)
                .map_err(failure::client_build)?,
            pull: sandbox
                .berichten_pull(&eigen)
                .map_err(failure::client_build)?,
            status_v2: sandbox
                .berichtstatus_v2(&eigen)
                .map_err(failure::client_build)?,
            status_v3: sandbox
                .berichtstatus_v3(&eigen)
                .map_err(failure::client_build)?,
            agb: Some(SANDBOX_AGB_PRAKTIJK.to_owned()),
            timeout,
            sandbox: Some((sandbox, partner)),
        })
    }

    fn partner(&self) -> Option<&Partner> {
        self.sandbox.as_ref().map(|(_, p)| p)
    }

    /// The V3 status of the message `traceer_id`, as the practice sees it.
    async fn status_van(&self, traceer_id: &str) -> Result<Option<String>, Failure> {
        let mut input = berichtstatus_v3::operation::zoek_berichtstatussen::Input::new();
        input.traceer_id = Some(traceer_id.to_owned());
        let found = self
            .status_v3
            .zoek_berichtstatussen(&input)
            .await
            .map_err(|e| rest_failure(e, self.timeout))?;
        Ok(found
            .output
            .into_iter()
            .find(|s| s.referentiegegevens.traceer_id == traceer_id)
            .map(|s| s.berichtstatus.as_str().to_owned()))
    }
}

/// The service's URL under the gateway `endpoint` (kept when it already ends with the path).
fn dienst_url(endpoint: &str, pad: &str) -> Result<Url, Failure> {
    let mut url = self::endpoint(endpoint)?;
    let huidig = url.path().trim_end_matches('/').to_owned();
    if !huidig.ends_with(pad) {
        url.set_path(&format!("{huidig}{pad}"));
    }
    Ok(url)
}

/// A message from `van` to `naar` with a small XML payload, for the sandbox demonstrations.
fn demo_metadata(
    van: &str,
    naar: &str,
    traceer_id: &str,
    conversatie_id: &str,
    berichttype: &str,
) -> push::BerichtMetadata {
    let relatie = |code: &str| {
        let mut r = push::Relatie::new("Zorgaanbieder".to_owned());
        r.code = Some(code.to_owned());
        r
    };
    push::BerichtMetadata::new(
        push::Routeringgegevens::new(
            relatie(van),
            vec![relatie(naar)],
            push::Berichtstroom::new(berichttype.to_owned(), 3, 2, "Verzoek".to_owned()),
        ),
        push::Referentiegegevens::new(conversatie_id.to_owned(), traceer_id.to_owned()),
    )
}

fn demo_payload(traceer_id: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bericht traceerId=\"{traceer_id}\">fictief voorbeeld uit de b2b-sandbox</bericht>\n"
    )
    .into_bytes()
}

/// Has the sandbox's second practice send the practice a demonstration message.
async fn partner_stuurt(vsp: &Vsp, traceer_id: &str, berichttype: &str) -> Result<(), Failure> {
    let Some(partner) = vsp.partner() else {
        return Ok(());
    };
    let metadata = demo_metadata(
        SANDBOX_AGB_PARTNER,
        SANDBOX_AGB_PRAKTIJK,
        traceer_id,
        &nieuwe_uuid(),
        berichttype,
    );
    partner
        .push
        .post_bericht(&berichten_push::operation::post_bericht::Input::new(
            metadata,
            demo_payload(traceer_id),
        ))
        .await
        .map_err(|e| push_failure(e, vsp.timeout))?;
    eprintln!(
        "sandbox: practice {SANDBOX_AGB_PARTNER} sent practice {SANDBOX_AGB_PRAKTIJK} message {traceer_id} ({berichttype})"
    );
    Ok(())
}

pub async fn berichten(command: BerichtenCommand) -> Result<(), Failure> {
    match command {
        BerichtenCommand::Versturen(args) => versturen(*args).await,
        BerichtenCommand::Lijst(args) => lijst(args).await,
        BerichtenCommand::Ophalen(args) => ophalen(args).await,
        BerichtenCommand::Bevestigen(args) => bevestigen(args).await,
    }
}

fn lees_payload(file: &std::path::Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let (naam, lezer): (String, Box<dyn std::io::Read>) = if file.as_os_str() == "-" {
        (
            "standard input".to_owned(),
            Box::new(std::io::stdin().lock()),
        )
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
        (file.display().to_string(), Box::new(f))
    };
    let mut payload = Vec::new();
    lezer
        .take(MAX_BESTAND + 1)
        .read_to_end(&mut payload)
        .map_err(|e| Failure::Usage(format!("cannot read {naam}: {e}")))?;
    if payload.len() as u64 > MAX_BESTAND {
        return Err(Failure::Usage(format!(
            "{naam} is larger than {} MiB",
            MAX_BESTAND / 1024 / 1024
        )));
    }
    if payload.is_empty() {
        return Err(Failure::Usage(format!(
            "{naam} is empty: a message needs a payload"
        )));
    }
    Ok(payload)
}

/// A UUID option, checked (the descriptions say `format: uuid`; the clients do not check it).
fn uuid_optie(waarde: Option<&str>, optie: &str) -> Result<Option<String>, Failure> {
    match waarde {
        None => Ok(None),
        Some(w) if is_uuid(w) => Ok(Some(w.to_ascii_lowercase())),
        Some(w) => Err(Failure::Usage(format!(
            "{optie} `{}`: not a UUID (8-4-4-4-12 hexadecimal digits)",
            w.chars().take(60).collect::<String>()
        ))),
    }
}

fn is_uuid(text: &str) -> bool {
    let groepen: Vec<&str> = text.split('-').collect();
    groepen.len() == 5
        && groepen
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A new random (version 4) UUID. The randomness is the standard library's per-process hash
/// seeds (from the operating system) mixed with the time: unique, not secret, which is all a
/// trace or conversation ID needs.
fn nieuwe_uuid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let nu = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut bytes = [0u8; 16];
    for (i, helft) in bytes.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nu);
        h.write_usize(i);
        h.write_u32(std::process::id());
        helft.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// An addressee's code: an AGB code or a UZOVI code.
fn adres(code: &str) -> Result<String, Failure> {
    if let Ok(agb) = AgbCode::parse(code) {
        return Ok(agb.as_str().to_owned());
    }
    let c = code.trim();
    if c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(c.to_owned());
    }
    Err(Failure::Usage(format!(
        "--naar `{}`: not an AGB code (eight digits) or a UZOVI code (four digits)",
        code.chars().take(40).collect::<String>()
    )))
}

async fn versturen(args: VersturenArgs) -> Result<(), Failure> {
    let payload = lees_payload(&args.file)?;
    let naar = args
        .naar
        .iter()
        .map(|c| adres(c))
        .collect::<Result<Vec<_>, _>>()?;
    let traceer_id =
        uuid_optie(args.traceer_id.as_deref(), "--traceer-id")?.unwrap_or_else(nieuwe_uuid);
    let conversatie_id =
        uuid_optie(args.conversatie_id.as_deref(), "--conversatie-id")?.unwrap_or_else(nieuwe_uuid);
    let als_antwoord_op = uuid_optie(args.als_antwoord_op.as_deref(), "--als-antwoord-op")?;
    let mut context: Vec<push::SleutelWaardePaar> = Vec::new();
    for kv in &args.context {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("--context `{kv}`: give it as KEY=VALUE")))?;
        match context.iter_mut().find(|p| p.sleutel == k) {
            Some(p) => p.waarde.push(v.to_owned()),
            None => context.push(push::SleutelWaardePaar::new(
                k.to_owned(),
                vec![v.to_owned()],
            )),
        }
    }
    let vsp = Vsp::open(&args.target)?;
    let afzender = match (&args.afzender, &vsp.agb) {
        (Some(a), _) => a.trim().to_owned(),
        (None, Some(a)) => a.clone(),
        (None, None) => {
            return Err(Failure::Usage(
                "the system certificate names no AGB code: give the sender's code with --afzender"
                    .to_owned(),
            ));
        }
    };
    let mut afzender_relatie = push::Relatie::new(args.rol.clone());
    afzender_relatie.code = Some(afzender);
    let geadresseerden = naar
        .into_iter()
        .map(|code| {
            let mut r = push::Relatie::new(args.naar_rol.clone());
            r.code = Some(code);
            r
        })
        .collect();
    let mut stroom = push::Berichtstroom::new(
        args.berichttype.clone(),
        args.berichtversie,
        args.berichtsubversie,
        args.actie.clone(),
    );
    stroom.berichtsubtype = args.berichtsubtype.clone();
    let mut referentie = push::Referentiegegevens::new(conversatie_id.clone(), traceer_id.clone());
    referentie.als_antwoord_op = als_antwoord_op;
    referentie.referentie_id = args.referentie_id.clone();
    let mut metadata = push::BerichtMetadata::new(
        push::Routeringgegevens::new(afzender_relatie, geadresseerden, stroom),
        referentie,
    );
    if !context.is_empty() {
        metadata.verwerkingscontext = Some(context);
    }
    // The generated push client sends multipart fields unchecked: check them here, before
    // anything is sent.
    metadata.validated()?;
    let grootte = payload.len();
    vsp.push
        .post_bericht(&berichten_push::operation::post_bericht::Input::new(
            metadata, payload,
        ))
        .await
        .map_err(|e| push_failure(e, vsp.timeout))?;
    let status = if vsp.sandbox.is_some() {
        vsp.status_van(&traceer_id).await?
    } else {
        None
    };
    if args.target.json {
        let out = serde_json::json!({
            "traceerId": traceer_id,
            "conversatieId": conversatie_id,
            "grootte": grootte,
            "berichtstatus": status,
        });
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| Failure::Failed(e.to_string()))?;
        return output::stdout(&format!("{text}\n"));
    }
    let mut text = format!(
        "verstuurd: traceerId {traceer_id}, conversatieId {conversatie_id} ({grootte} bytes)\n"
    );
    if let Some(s) = status {
        let _ = writeln!(text, "berichtstatus: {s}");
    }
    output::stdout(&text)?;
    if vsp.sandbox.is_some() {
        eprintln!(
            "(embedded sandbox: the message is forgotten when this command ends; pass --endpoint to send it to VECOZO)"
        );
    }
    Ok(())
}

async fn lijst(args: LijstArgs) -> Result<(), Failure> {
    let vsp = Vsp::open(&args.target)?;
    partner_stuurt(&vsp, &nieuwe_uuid(), "JW315").await?;
    partner_stuurt(&vsp, &nieuwe_uuid(), "JW317").await?;
    let mut input = berichten_pull::operation::get_berichten::Input::new();
    input.limit = args.limit;
    let lijst = vsp
        .pull
        .get_berichten(&input)
        .await
        .map_err(|e| rest_failure(e, vsp.timeout))?
        .output;
    if args.target.json {
        let text =
            serde_json::to_string_pretty(&lijst).map_err(|e| Failure::Failed(e.to_string()))?;
        return output::stdout(&format!("{text}\n"));
    }
    if lijst.is_empty() {
        return output::stdout("no messages waiting\n");
    }
    let mut text = String::new();
    for m in &lijst {
        let r = &m.routeringgegevens;
        let s = &r.berichtstroom;
        let subtype = s
            .berichtsubtype
            .as_ref()
            .map_or_else(String::new, |t| format!("/{t}"));
        let _ = writeln!(
            text,
            "{}  {}  from {} {}  {}{subtype} {}.{} {}  {} bytes  sha256 {}",
            m.referentiegegevens.traceer_id,
            m.basisgegevens.ontvangen_op,
            r.afzender.rol,
            r.afzender.code.as_deref().unwrap_or("-"),
            s.berichttype,
            s.berichtversie,
            s.berichtsubversie,
            s.actie,
            m.basisgegevens.payload.grootte,
            m.basisgegevens.payload.checksum.waarde,
        );
    }
    output::stdout(&text)
}

async fn ophalen(args: OphalenArgs) -> Result<(), Failure> {
    let traceer_id = uuid_optie(Some(&args.traceer_id), "TRACEERID")?.unwrap_or_default();
    let vsp = Vsp::open(&args.target)?;
    partner_stuurt(&vsp, &traceer_id, "JW315").await?;
    let payload = vsp
        .pull
        .get_payload(&berichten_pull::operation::get_payload::Input::new(
            traceer_id.clone(),
        ))
        .await
        .map_err(|e| match e {
            SdkError::Service(berichten_pull::operation::get_payload::Error::NotFound {
                ..
            }) => Failure::Failed(format!(
                "VECOZO: message {traceer_id} is not waiting for you (unknown, addressed to others, or already confirmed)"
            )),
            other => rest_failure(other, vsp.timeout),
        })?
        .output;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &payload)
                .map_err(|e| Failure::Failed(format!("cannot write {}: {e}", path.display())))?;
            eprintln!("{} bytes written to {}", payload.len(), path.display());
            Ok(())
        }
        None => stdout_bytes(&payload),
    }
}

async fn bevestigen(args: BevestigenArgs) -> Result<(), Failure> {
    let traceer_id = uuid_optie(Some(&args.traceer_id), "TRACEERID")?.unwrap_or_default();
    let vsp = Vsp::open(&args.target)?;
    partner_stuurt(&vsp, &traceer_id, "JW315").await?;
    vsp.pull
        .bevestig_ontvangst(&berichten_pull::operation::bevestig_ontvangst::Input::new(
            traceer_id.clone(),
        ))
        .await
        .map_err(|e| match e {
            SdkError::Service(berichten_pull::operation::bevestig_ontvangst::Error::NotFound {
                ..
            }) => Failure::Failed(format!(
                "VECOZO: message {traceer_id} is not waiting for you (unknown, addressed to others, or already confirmed)"
            )),
            other => rest_failure(other, vsp.timeout),
        })?;
    if args.target.json {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "traceerId": traceer_id,
            "bevestigd": true,
        }))
        .map_err(|e| Failure::Failed(e.to_string()))?;
        return output::stdout(&format!("{text}\n"));
    }
    output::stdout(&format!("bevestigd: {traceer_id}\n"))
}

pub async fn berichtstatus(args: BerichtstatusArgs) -> Result<(), Failure> {
    let traceer_id = uuid_optie(args.traceer_id.as_deref(), "--traceer-id")?;
    let conversatie_id = uuid_optie(args.conversatie_id.as_deref(), "--conversatie-id")?;
    let vsp = Vsp::open(&args.target)?;
    let (traceer_id, conversatie_id) = match (&vsp.sandbox, traceer_id, conversatie_id) {
        (Some((_, partner)), t, c) => {
            let conversatie = c.clone().unwrap_or_else(nieuwe_uuid);
            let eerste = t.clone().unwrap_or_else(nieuwe_uuid);
            demo_gesprek(&vsp, partner, &eerste, &conversatie).await?;
            match t {
                Some(t) => (Some(t), None),
                None => (None, Some(conversatie)),
            }
        }
        (None, None, None) => {
            return Err(Failure::Usage(
                "give --conversatie-id or --traceer-id".to_owned(),
            ));
        }
        (None, t, c) => (t, c),
    };
    let regels: Vec<(String, String, String, String, String)>;
    let json = if args.v2 {
        let mut input = berichtstatus_v2::operation::zoek_berichtstatussen::Input::new();
        input.traceer_id = traceer_id;
        input.conversatie_id = conversatie_id;
        let out = vsp
            .status_v2
            .zoek_berichtstatussen(&input)
            .await
            .map_err(|e| rest_failure(e, vsp.timeout))?
            .output;
        regels = out
            .iter()
            .map(|s| {
                (
                    s.referentiegegevens.traceer_id.clone(),
                    s.berichtstatus.as_str().to_owned(),
                    s.berichtstatus_gewijzigd_op.clone(),
                    s.berichtstroom.berichttype.clone(),
                    meldingen_v2(s.meldingen.as_deref()),
                )
            })
            .collect();
        serde_json::to_string_pretty(&out)
    } else {
        let mut input = berichtstatus_v3::operation::zoek_berichtstatussen::Input::new();
        input.traceer_id = traceer_id;
        input.conversatie_id = conversatie_id;
        let out = vsp
            .status_v3
            .zoek_berichtstatussen(&input)
            .await
            .map_err(|e| rest_failure(e, vsp.timeout))?
            .output;
        regels = out
            .iter()
            .map(|s| {
                (
                    s.referentiegegevens.traceer_id.clone(),
                    s.berichtstatus.as_str().to_owned(),
                    s.berichtstatus_gewijzigd_op.clone(),
                    s.berichtstroom.berichttype.clone(),
                    meldingen_v3(s.meldingen.as_deref()),
                )
            })
            .collect();
        serde_json::to_string_pretty(&out)
    };
    if args.target.json {
        let text = json.map_err(|e| Failure::Failed(e.to_string()))?;
        return output::stdout(&format!("{text}\n"));
    }
    if regels.is_empty() {
        return output::stdout("no messages found\n");
    }
    let mut text = String::new();
    for (id, status, gewijzigd, berichttype, meldingen) in regels {
        let _ = writeln!(
            text,
            "{id}  {status:<16} since {gewijzigd}  {berichttype}{meldingen}"
        );
    }
    output::stdout(&text)
}

fn meldingen_v2(m: Option<&[berichtstatus_v2::types::Melding]>) -> String {
    m.unwrap_or_default()
        .iter()
        .map(|m| {
            format!(
                "\n    {}: {}",
                m.code,
                failure::single_line(&m.omschrijving)
            )
        })
        .collect()
}

fn meldingen_v3(m: Option<&[berichtstatus_v3::types::Melding]>) -> String {
    m.unwrap_or_default()
        .iter()
        .map(|m| {
            format!(
                "\n    {}: {}",
                m.code,
                failure::single_line(&m.omschrijving)
            )
        })
        .collect()
}

/// The sandbox demonstration of `berichtstatus`: two messages from the practice to the second
/// practice, the first fetched and confirmed.
async fn demo_gesprek(
    vsp: &Vsp,
    partner: &Partner,
    eerste: &str,
    conversatie: &str,
) -> Result<(), Failure> {
    let tweede = nieuwe_uuid();
    for (id, berichttype) in [(eerste, "JW315"), (tweede.as_str(), "JW317")] {
        vsp.push
            .post_bericht(&berichten_push::operation::post_bericht::Input::new(
                demo_metadata(
                    SANDBOX_AGB_PRAKTIJK,
                    SANDBOX_AGB_PARTNER,
                    id,
                    conversatie,
                    berichttype,
                ),
                demo_payload(id),
            ))
            .await
            .map_err(|e| push_failure(e, vsp.timeout))?;
    }
    partner
        .pull
        .get_payload(&berichten_pull::operation::get_payload::Input::new(
            eerste.to_owned(),
        ))
        .await
        .map_err(|e| rest_failure(e, vsp.timeout))?;
    partner
        .pull
        .bevestig_ontvangst(&berichten_pull::operation::bevestig_ontvangst::Input::new(
            eerste.to_owned(),
        ))
        .await
        .map_err(|e| rest_failure(e, vsp.timeout))?;
    eprintln!(
        "sandbox: practice {SANDBOX_AGB_PRAKTIJK} sent {eerste} and {tweede} (conversation {conversatie}) to practice {SANDBOX_AGB_PARTNER}, which fetched and confirmed {eerste}"
    );
    Ok(())
}

fn stdout_bytes(bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Failed(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// A failed REST call as one line.
fn rest_failure<E: std::fmt::Display>(e: SdkError<E>, timeout: Duration) -> Failure {
    match e {
        SdkError::InvalidInput(e) => Failure::Usage(e.to_string()),
        SdkError::Timeout { after } if after >= timeout => Failure::Failed(format!(
            "no answer within {} s; raise --timeout to wait longer",
            after.as_secs()
        )),
        SdkError::Service(e) => {
            Failure::Failed(format!("VECOZO: {}", failure::single_line(&e.to_string())))
        }
        other => Failure::Failed(failure::single_line(&other.to_string())),
    }
}

/// A refused push, with the problem document's code, detail and fields.
fn push_failure(
    e: SdkError<berichten_push::operation::post_bericht::Error>,
    timeout: Duration,
) -> Failure {
    use berichten_push::operation::post_bericht::Error as E;
    let body = match &e {
        SdkError::Service(E::BadRequest { body, .. } | E::UnprocessableEntity { body, .. }) => body,
        _ => return rest_failure(e, timeout),
    };
    let status = body
        .status
        .map_or_else(String::new, |s| format!("HTTP {s}"));
    let code = body
        .additional_properties
        .get("code")
        .and_then(|c| c.as_str())
        .map_or_else(String::new, |c| format!(", {c}"));
    let mut text = format!(
        "VECOZO refused the message ({status}{code}): {}",
        body.detail
            .as_deref()
            .or(body.title.as_deref())
            .unwrap_or("no reason given")
    );
    for (veld, meldingen) in body.errors.iter().flatten() {
        if body
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(meldingen.join("; ").as_str()))
        {
            continue;
        }
        let _ = write!(text, "; {veld}: {}", meldingen.join("; "));
    }
    Failure::Failed(failure::single_line(&text))
}
