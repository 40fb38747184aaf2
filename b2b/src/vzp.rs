//! `b2b vzp ...`: one call of a VZP B2B service, against the embedded sandbox or a real endpoint.

use std::fmt::Write as _;
use std::time::Duration;

use sdk_runtime::Date;
use sdk_runtime::soap::Response;
use sdk_runtime::url::Url;
use sdk_runtime::xml::Diagnostic;
use sdk_vzp::prubeh_pojisteni::operation::prubeh_pojisteni_druh_b2b;
use sdk_vzp::prubeh_pojisteni::types::{PrubehPojisteniDruhB2BPozadavek, StavPojisteni};
use sdk_vzp::sandbox::Sandbox;
use sdk_vzp::stav_smlouvy::operation::stav_smlouvy_icpicppb2b;
use sdk_vzp::stav_smlouvy::types::StavSmlouvyICPICPPB2BZadost;
use sdk_vzp::{CisloPojistence, Client, Icp, PrubehPojisteni, StavSmlouvy};

use crate::cli::{CommonArgs, DateArg, PrubehArgs, StavArgs, VzpCommand};
use crate::failure::{self, Failure};
use crate::{identity, output};

pub async fn run(command: VzpCommand) -> Result<(), Failure> {
    match command {
        VzpCommand::PrubehPojisteni(args) => prubeh_pojisteni(args).await,
        VzpCommand::StavSmlouvy(args) => stav_smlouvy(args).await,
    }
}

async fn prubeh_pojisteni(args: PrubehArgs) -> Result<(), Failure> {
    // Everything the user typed is checked before a sandbox starts or a file is opened.
    let cislo = CisloPojistence::parse(&args.cislo_pojistence)?;
    let k_datu = date(&args.date)?;
    let settings = Settings::check(&args.common)?;

    let target = Target::connect(&settings)?;
    let answer = target
        .client
        .prubeh_pojisteni(&cislo, k_datu)
        .await
        .map_err(|e| failure::call(e, settings.timeout))?;

    report(
        &settings,
        &target,
        prubeh_pojisteni_druh_b2b::SPEC.name,
        target.client.prubeh_pojisteni_service().endpoint(),
        &PrubehPojisteniDruhB2BPozadavek::new(cislo.clone(), k_datu),
        &answer,
        |output| render_prubeh(&cislo, k_datu, output),
    )
}

async fn stav_smlouvy(args: StavArgs) -> Result<(), Failure> {
    let icp = Icp::parse(&args.icp)?;
    let k_datu = date(&args.date)?;
    let settings = Settings::check(&args.common)?;

    let target = Target::connect(&settings)?;
    let answer = target
        .client
        .stav_smlouvy(&icp, k_datu)
        .await
        .map_err(|e| failure::call(e, settings.timeout))?;

    report(
        &settings,
        &target,
        stav_smlouvy_icpicppb2b::SPEC.name,
        target.client.stav_smlouvy_service().endpoint(),
        &StavSmlouvyICPICPPB2BZadost::new(icp.clone(), k_datu),
        &answer,
        |output| render_stav(&icp, k_datu, output),
    )
}

/// Prints an answer: one JSON document with `--json`, else the text `render` makes; then the
/// schema deviations as warnings on stderr.
fn report<O: serde::Serialize>(
    settings: &Settings<'_>,
    target: &Target,
    service: &str,
    endpoint: &Url,
    request: &impl serde::Serialize,
    answer: &Response<O>,
    render: impl FnOnce(&O) -> String,
) -> Result<(), Failure> {
    if settings.json {
        let doc = json_document(
            service,
            endpoint,
            target.is_sandbox(),
            serde_json::to_string_pretty(request),
            serde_json::to_string_pretty(&answer.output),
            &answer.diagnostics,
        )?;
        output::stdout(&doc)?;
    } else {
        output::stdout(&render(&answer.output))?;
    }
    warn_diagnostics(&answer.diagnostics);
    Ok(())
}

/// `--k-datu`, or today (UTC: the answer must not depend on the machine's time zone setting).
fn date(arg: &DateArg) -> Result<Date, Failure> {
    match &arg.k_datu {
        Some(text) => Ok(sdk_vzp::parse_date("kDatu", text)?),
        None => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

/// The common options, checked.
struct Settings<'a> {
    /// `None`: the embedded sandbox.
    endpoint: Option<Url>,
    args: &'a CommonArgs,
    timeout: Duration,
    json: bool,
}

impl<'a> Settings<'a> {
    fn check(args: &'a CommonArgs) -> Result<Self, Failure> {
        let endpoint = match &args.endpoint {
            None => None,
            Some(text) => {
                let url = endpoint_url(text)?;
                if args.identity.is_none() {
                    return Err(Failure::Usage(
                        "--endpoint needs a client certificate: VZP B2B authenticates every call \
                         by mutual TLS; pass --identity FILE (the .p12/.pfx or PEM certificate \
                         paired with your B2B account)"
                            .to_owned(),
                    ));
                }
                Some(url)
            }
        };
        Ok(Self {
            endpoint,
            args,
            timeout: Duration::from_secs(args.timeout),
            json: args.json,
        })
    }
}

fn endpoint_url(text: &str) -> Result<Url, Failure> {
    let url = Url::parse(text.trim())
        .map_err(|e| Failure::Usage(format!("--endpoint `{text}` is not a URL: {e}")))?;
    if url.scheme() != "https" {
        return Err(Failure::Usage(format!(
            "--endpoint must be an https:// URL (VZP B2B is reached over TLS only), got `{text}`"
        )));
    }
    // The SDK appends `/B2BProxy/HttpProxy/<service>`; a full service URL would get it twice.
    if url.path().contains("/B2BProxy/") {
        return Err(Failure::Usage(format!(
            "--endpoint takes the base URL (e.g. {}), not a service URL: the service path is \
             appended by b2b",
            Client::PRODUCTION_BASE_URL
        )));
    }
    Ok(url)
}

/// The client to call, and the embedded sandbox that must outlive the call when there is one.
struct Target {
    client: Client,
    sandbox: Option<Sandbox>,
}

impl Target {
    fn connect(settings: &Settings<'_>) -> Result<Self, Failure> {
        match &settings.endpoint {
            None => Self::sandbox(settings),
            Some(url) => Self::real(settings, url),
        }
    }

    fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    fn sandbox(settings: &Settings<'_>) -> Result<Self, Failure> {
        let sandbox = Sandbox::start()
            .map_err(|e| Failure::Failed(format!("cannot start the embedded VZP sandbox: {e}")))?;
        let client = sandbox
            .client_builder("b2b cli")
            .map_err(failure::client_build)?
            .timeout(settings.timeout)
            .build()
            .map_err(failure::client_build)?;
        eprintln!(
            "note: using the embedded VZP sandbox with fictitious data (nothing leaves this \
             computer); to call VZP add --endpoint {} --identity YOUR_CERTIFICATE.p12",
            Client::PRODUCTION_BASE_URL
        );
        Ok(Self {
            client,
            sandbox: Some(sandbox),
        })
    }

    fn real(settings: &Settings<'_>, url: &Url) -> Result<Self, Failure> {
        let args = settings.args;
        let Some(identity_path) = args.identity.as_deref() else {
            // Settings::check guarantees an identity with an endpoint.
            return Err(Failure::Usage("--endpoint needs --identity".to_owned()));
        };
        let builder = Client::builder()
            .base_url(url.as_str())
            .timeout(settings.timeout);
        let builder =
            identity::with_ca_files(builder, &args.ca, |b, pem| b.add_root_certificates_pem(pem))?;
        let identity = identity::load(identity_path, args.key.as_deref())?;
        if let Some(not_after) = identity.not_after()
            && not_after < time::OffsetDateTime::now_utc()
        {
            eprintln!(
                "warning: the client certificate ({}) expired on {}; the server will likely \
                 refuse it",
                identity.subject(),
                not_after.date()
            );
        }
        let client = builder
            .identity(identity)
            .build()
            .map_err(failure::client_build)?;
        Ok(Self {
            client,
            sandbox: None,
        })
    }
}

/// Schema deviations of the answer, after the result (they do not make it wrong, but tell that
/// the service and this program's description of it differ).
fn warn_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("warning: {}: {}", d.path, d.message);
    }
}

/// The `--json` document, keys in a fixed order. `request` and `response` are the SDK's own
/// serde forms, serialised straight from the structs so their fields keep the schema's order
/// (a `serde_json::Value` would sort them).
fn json_document(
    service: &str,
    endpoint: &Url,
    sandbox: bool,
    request: serde_json::Result<String>,
    response: serde_json::Result<String>,
    diagnostics: &[Diagnostic],
) -> Result<String, Failure> {
    let failed = |e: serde_json::Error| Failure::Failed(format!("cannot write JSON: {e}"));
    let diagnostics: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "path": d.path,
                // `DiagnosticKind` has no serde form; its variant name is stable enough.
                "kind": d.kind.as_str(),
                "message": d.message,
            })
        })
        .collect();
    let fields = [
        ("service", serde_json::to_string(service).map_err(failed)?),
        (
            "endpoint",
            serde_json::to_string(endpoint.as_str()).map_err(failed)?,
        ),
        ("sandbox", sandbox.to_string()),
        ("request", request.map_err(failed)?),
        ("response", response.map_err(failed)?),
        (
            "diagnostics",
            serde_json::to_string_pretty(&diagnostics).map_err(failed)?,
        ),
    ];
    let mut text = String::from("{\n");
    for (i, (key, value)) in fields.iter().enumerate() {
        // Nested pretty-printed values start at column 0; indent them one level.
        let value = value.replace('\n', "\n  ");
        let comma = if i + 1 < fields.len() { "," } else { "" };
        let _ = writeln!(text, "  \"{key}\": {value}{comma}");
    }
    text.push_str("}\n");
    Ok(text)
}

const LABEL_WIDTH: usize = 19;

/// One `  label:   value` line; labels padded by characters, not bytes.
fn row(out: &mut String, label: &str, value: impl std::fmt::Display) {
    let label = format!("{label}:");
    let _ = writeln!(out, "  {label:<LABEL_WIDTH$}{value}");
}

fn render_prubeh(cislo: &CisloPojistence, k_datu: Date, o: &PrubehPojisteni) -> String {
    let mut out = String::new();
    // The number is personal data: masked here; only --json echoes it (the user asked for it).
    let _ = writeln!(
        out,
        "Průběh pojištění (insurance status) — pojištěnec {} k {k_datu}",
        cislo.masked()
    );
    let empty = o.stav.is_none()
        && o.kod_pojistovny.is_none()
        && o.nazev_pojistovny.is_none()
        && o.druh_pojisteni.is_none();
    if empty {
        row(
            &mut out,
            "výsledek",
            "nic nenalezeno (nothing found: the answer holds no insurance data)",
        );
        row(
            &mut out,
            "stav vyřízení",
            raw_or_dash(&o.stav_vyrizeni_pozadavku),
        );
        return out;
    }
    let stav = match &o.stav {
        Some(StavPojisteni::Pojisten) => "pojištěn (pojisten)".to_owned(),
        Some(StavPojisteni::Nepojisten) => "nepojištěn (nepojisten)".to_owned(),
        Some(other) => format!("{} (value unknown to this program)", other.as_str()),
        None => "—".to_owned(),
    };
    row(&mut out, "stav", stav);
    let kod = o.kod_pojistovny.as_ref().map(|k| k.get().as_str());
    let pojistovna = match (kod, o.nazev_pojistovny.as_deref()) {
        (Some(k), Some(n)) => Some(format!("{k} {n}")),
        (Some(k), None) => Some(k.to_owned()),
        (None, Some(n)) => Some(n.to_owned()),
        (None, None) => None,
    };
    if let Some(p) = pojistovna {
        row(&mut out, "pojišťovna", p);
    }
    if let Some(druh) = &o.druh_pojisteni {
        row(&mut out, "druh pojištění", druh);
    }
    if let Some(s) = &o.stav_vyrizeni_pozadavku {
        row(&mut out, "stav vyřízení", s);
    }
    out
}

fn render_stav(icp: &Icp, k_datu: Date, o: &StavSmlouvy) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Stav smlouvy (contract status) — IČP {icp} k {k_datu}");
    let empty = o.odbornost.is_none()
        && o.datum_od.is_none()
        && o.datum_do.is_none()
        && o.nazev_zz.is_none()
        && o.nazev_p.is_none()
        && o.ulice.is_none()
        && o.misto.is_none()
        && o.psc.is_none()
        && o.prijmeni_jmeno.is_none();
    if empty {
        row(
            &mut out,
            "výsledek",
            "nic nenalezeno (nothing found: no contract for this IČP on this date)",
        );
        row(
            &mut out,
            "stav vyřízení",
            raw_or_dash(&o.stav_vyrizeni_pozadavku),
        );
        return out;
    }
    row(&mut out, "odbornost", raw_or_dash(&o.odbornost));
    row(
        &mut out,
        "platnost od",
        o.datum_od.map_or_else(|| "—".to_owned(), |d| d.to_string()),
    );
    row(
        &mut out,
        "platnost do",
        o.datum_do
            .map_or_else(|| "neomezeně (open-ended)".to_owned(), |d| d.to_string()),
    );
    row(&mut out, "zařízení", raw_or_dash(&o.nazev_zz));
    row(&mut out, "pracoviště", raw_or_dash(&o.nazev_p));
    let town = [o.psc.as_deref(), o.misto.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let adresa = [
        o.ulice.as_deref(),
        Some(town.as_str()).filter(|t| !t.is_empty()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    row(
        &mut out,
        "adresa",
        if adresa.is_empty() { "—" } else { &adresa },
    );
    row(&mut out, "příjmení a jméno", raw_or_dash(&o.prijmeni_jmeno));
    row(
        &mut out,
        "stav vyřízení",
        raw_or_dash(&o.stav_vyrizeni_pozadavku),
    );
    out
}

fn raw_or_dash(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("—")
}
