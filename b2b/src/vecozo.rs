//! `b2b vecozo ...`: COV insurance checks and the Machtigingenportaal Instroomservice, against
//! the embedded VECOZO sandbox or a real endpoint.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use sdk_runtime::transport::HttpClient;
use sdk_runtime::url::Url;
use sdk_vecozo::cov::{Cov, SoapVersie};
use sdk_vecozo::generated::cov::types::{Volgnummer, Zoekopdracht};
use sdk_vecozo::instroom::types::Instroomverzoek;
use sdk_vecozo::instroom::{Instroom, InstroomFout};
use sdk_vecozo::sandbox::{SANDBOX_AGB_PRAKTIJK, Sandbox};
use sdk_vecozo::{AgbCode, Bsn};

use crate::cli::{CovArgs, InstroomArgs, VecozoCommand, VecozoTargetArgs};
use crate::failure::{self, Failure};
use crate::{identity, output};

pub async fn run(command: VecozoCommand) -> Result<(), Failure> {
    match command {
        VecozoCommand::Cov(args) => cov(args).await,
        VecozoCommand::Instroom(args) => instroom(args).await,
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
