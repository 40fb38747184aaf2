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

use crate::cli::{
    CommonArgs, DateArg, NastaveniArgs, ObnovaArgs, OznameniArgs, PrubehArgs, PrukazArgs,
    RegistraceArgs, StavArgs, SzzArgs, ValidaceArgs, VzpCommand,
};
use crate::failure::{self, Failure};
use crate::{identity, output};

pub async fn run(command: VzpCommand) -> Result<(), Failure> {
    match command {
        VzpCommand::PrubehPojisteni(args) => prubeh_pojisteni(args).await,
        VzpCommand::StavSmlouvy(args) => stav_smlouvy(args).await,
        VzpCommand::StavPojisteni(args) => stav_pojisteni(args).await,
        VzpCommand::RegistraceKapitace(args) => registrace_kapitace(args).await,
        VzpCommand::VyhledaniSzz(args) => vyhledani_szz(args).await,
        VzpCommand::OvereniPrukazu(args) => overeni_prukazu(args).await,
        VzpCommand::RegistrujiciPzs(args) => registrujici_pzs(args).await,
        VzpCommand::OznameniPuvodniZzp(args) => oznameni_puvodni_zzp(args).await,
        VzpCommand::ValidaceCisla(args) => validace_cisla(args).await,
        VzpCommand::NastaveniKomunikace(args) => nastaveni_komunikace(args).await,
        VzpCommand::ObnovaCertifikatu(args) => obnova_certifikatu(args).await,
        VzpCommand::Davky {
            command: crate::cli::DavkyCommand::Send(args),
        } => crate::davky::send(args).await,
    }
}

/// Calls one operation of the family client with a checked input and reports the answer in
/// the generic layout ([`render_fields`]): `$method` on the client, `$accessor` naming its
/// service client (for the endpoint), `$module::operation::$op` its description.
macro_rules! generic_call {
    ($settings:expr, $title:expr, $input:expr, $method:ident, $accessor:ident, $module:ident :: $op:ident) => {{
        let settings = $settings;
        let input = $input;
        let target = Target::connect(&settings)?;
        #[allow(deprecated)]
        let answer = target
            .client
            .$method(&input)
            .await
            .map_err(|e| failure::call(e, settings.timeout))?;
        #[allow(deprecated)]
        let name = sdk_vzp::$module::operation::$op::SPEC.name;
        report(
            &settings,
            &target,
            name,
            target.client.$accessor().endpoint(),
            &input,
            &answer,
            |output| render_fields($title, output),
        )
    }};
}

/// A checked value of a generated restricted type, its error naming the option.
fn checked<T>(
    option: &str,
    value: Result<T, sdk_runtime::xml::ValidationError>,
) -> Result<T, Failure> {
    value.map_err(|e| Failure::Usage(format!("{option}: {e}")))
}

async fn stav_pojisteni(args: PrubehArgs) -> Result<(), Failure> {
    use sdk_vzp::stav_pojisteni::types::StavPojisteniB2BPozadavek;
    let cislo = CisloPojistence::parse(&args.cislo_pojistence)?;
    let k_datu = date(&args.date)?;
    let settings = Settings::check(&args.common)?;
    eprintln!("note: VZP has deprecated Stav pojištění; prubeh-pojisteni is its successor");
    generic_call!(
        settings,
        &format!("Stav pojištění — pojištěnec {} k {k_datu}", cislo.masked()),
        StavPojisteniB2BPozadavek::new(cislo.clone(), k_datu),
        stav_pojisteni_b2b,
        stav_pojisteni_service,
        stav_pojisteni::stav_pojisteni_b2b
    )
}

async fn registrace_kapitace(args: RegistraceArgs) -> Result<(), Failure> {
    use sdk_vzp::registrace_kapitace::types::{Icz, RegistracePojistenceKapitaceB2BPozadavek};
    let cislo = CisloPojistence::parse(&args.cislo_pojistence)?;
    let k_datu = date(&args.date)?;
    let mut input = RegistracePojistenceKapitaceB2BPozadavek::new(cislo.clone(), k_datu);
    input.icz = args
        .icz
        .as_deref()
        .map(|i| checked("--icz", Icz::new(i.trim())))
        .transpose()?;
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        &format!(
            "Registrace ke kapitaci — pojištěnec {} k {k_datu}",
            cislo.masked()
        ),
        input,
        registrace_pojistence_kapitace_b2b,
        registrace_kapitace_service,
        registrace_kapitace::registrace_pojistence_kapitace_b2b
    )
}

async fn vyhledani_szz(args: SzzArgs) -> Result<(), Failure> {
    use sdk_vzp::vyhledani_szz::types::{MaxPocet, RetezecHledani, VyhledaniSZZB2BPozadavek};
    let retezec = checked("TEXT", RetezecHledani::new(args.retezec.trim()))?;
    let mut input = VyhledaniSZZB2BPozadavek::new(retezec);
    input.k_datu = args
        .k_datu
        .as_deref()
        .map(|d| sdk_vzp::parse_date("kDatu", d))
        .transpose()?;
    input.max_pocet = args
        .max
        .map(|m| checked("--max", MaxPocet::new(u128::from(m))))
        .transpose()?;
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        &format!("Vyhledávání SZZ — „{}“", args.retezec.trim()),
        input,
        vyhledani_szzb2b,
        vyhledani_szz_service,
        vyhledani_szz::vyhledani_szzb2b
    )
}

async fn overeni_prukazu(args: PrukazArgs) -> Result<(), Failure> {
    use sdk_vzp::overeni_prukazu::types::{CisloPrukazu, OvereniPlatnostiPrukazuB2BPozadavek};
    let cislo = checked(
        "CISLO_PRUKAZU",
        CisloPrukazu::new(args.cislo_prukazu.trim()),
    )?;
    let k_datu = date(&args.date)?;
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        &format!("Ověření platnosti průkazu (EHIC) k {k_datu}"),
        OvereniPlatnostiPrukazuB2BPozadavek::new(cislo, k_datu),
        overeni_platnosti_prukazu_b2b,
        overeni_prukazu_service,
        overeni_prukazu::overeni_platnosti_prukazu_b2b
    )
}

async fn registrujici_pzs(args: PrubehArgs) -> Result<(), Failure> {
    use sdk_vzp::registrujici_pzs::types::RegistrujiciPZSB2BPozadavek;
    let cislo = CisloPojistence::parse(&args.cislo_pojistence)?;
    let k_datu = date(&args.date)?;
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        &format!(
            "Registrující PZS — pojištěnec {} k {k_datu}",
            cislo.masked()
        ),
        RegistrujiciPZSB2BPozadavek::new(cislo.clone(), k_datu),
        registrujici_pzsb2b,
        registrujici_pzs_service,
        registrujici_pzs::registrujici_pzsb2b
    )
}

async fn oznameni_puvodni_zzp(args: OznameniArgs) -> Result<(), Failure> {
    use sdk_vzp::oznameni_puvodni_zzp::types::{KodPojistovny, OznameniPuvodniZZPB2BPozadavek};
    let kod = checked(
        "KOD_POJISTOVNY",
        KodPojistovny::new(args.kod_pojistovny.trim()),
    )?;
    let od = sdk_vzp::parse_date("obdobiOd", &args.od)?;
    let r#do = sdk_vzp::parse_date("obdobiDo", &args.r#do)?;
    if r#do < od {
        return Err(Failure::Usage(format!(
            "--do {do} is before --od {od}",
            r#do = r#do
        )));
    }
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        &format!("Oznámení pro původní ZZP — období {od} až {}", r#do),
        OznameniPuvodniZZPB2BPozadavek::new(kod, od, r#do),
        oznameni_puvodni_zzpb2b,
        oznameni_puvodni_zzp_service,
        oznameni_puvodni_zzp::oznameni_puvodni_zzpb2b
    )
}

async fn validace_cisla(args: ValidaceArgs) -> Result<(), Failure> {
    use sdk_vzp::validace_cisla_se::types::{
        Jmeno, Prijmeni, ValidaceCislaPojistenceSEB2BPozadavek,
    };
    let cislo = CisloPojistence::parse(&args.cislo_pojistence)?;
    let prijmeni = checked("--prijmeni", Prijmeni::new(args.prijmeni.trim()))?;
    let jmeno = checked("--jmeno", Jmeno::new(args.jmeno.trim()))?;
    let mut input = ValidaceCislaPojistenceSEB2BPozadavek::new(cislo.clone(), prijmeni, jmeno);
    input.datum_narozeni = args
        .datum_narozeni
        .as_deref()
        .map(|d| sdk_vzp::parse_date("datumNarozeni", d))
        .transpose()?;
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        &format!("Validace čísla pojištěnce — {}", cislo.masked()),
        input,
        validace_cisla_pojistence_seb2b,
        validace_cisla_se_service,
        validace_cisla_se::validace_cisla_pojistence_seb2b
    )
}

async fn nastaveni_komunikace(args: NastaveniArgs) -> Result<(), Failure> {
    use sdk_vzp::nastaveni_uctu::types::{As2Id, NastaveniKomunikacePozadavek, TypKomunikace};
    let as2 = args.typ == "as2";
    if as2 && (args.as2_url.is_none() || args.as2_id.is_none()) {
        return Err(Failure::Usage(
            "as2 needs --as2-url (the https:// address of your AS2 endpoint) and --as2-id"
                .to_owned(),
        ));
    }
    if !as2 && (args.as2_url.is_some() || args.as2_id.is_some()) {
        return Err(Failure::Usage(
            "--as2-url and --as2-id go with as2 only".to_owned(),
        ));
    }
    if let Some(url) = &args.as2_url
        && !Url::parse(url).is_ok_and(|u| u.scheme() == "https")
    {
        return Err(Failure::Usage(format!(
            "--as2-url must be an https:// URL, got `{url}`"
        )));
    }
    let mut input = NastaveniKomunikacePozadavek::new(if as2 {
        TypKomunikace::As2
    } else {
        TypKomunikace::Soap
    });
    input.as2url = args.as2_url.clone();
    input.as2id = args
        .as2_id
        .as_deref()
        .map(|i| checked("--as2-id", As2Id::new(i)))
        .transpose()?;
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        "Nastavení komunikace B2B účtu",
        input,
        nastaveni_komunikace,
        nastaveni_uctu_service,
        nastaveni_uctu::nastaveni_komunikace
    )
}

async fn obnova_certifikatu(args: ObnovaArgs) -> Result<(), Failure> {
    use sdk_vzp::nastaveni_uctu::types::ObnovaCertifikatuPozadavek;
    let certifikat = certificate_base64(&args.certifikat)?;
    let settings = Settings::check(&args.common)?;
    generic_call!(
        settings,
        "Obnova certifikátu B2B účtu",
        ObnovaCertifikatuPozadavek::new(certifikat),
        obnova_certifikatu,
        nastaveni_uctu_service,
        nastaveni_uctu::obnova_certifikatu
    )
}

/// The certificate of a PEM or DER file as base64 of its DER; a file holding a private key is
/// refused (only the public part goes to VZP).
fn certificate_base64(path: &std::path::Path) -> Result<String, Failure> {
    use base64::Engine as _;
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Failed(format!("cannot read {}: {e}", path.display())))?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && text.contains("-----BEGIN")
    {
        if text.contains("PRIVATE KEY-----") {
            return Err(Failure::Usage(format!(
                "{} holds a private key: give the certificate only (its public part goes to VZP)",
                path.display()
            )));
        }
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let body = text
            .split_once(BEGIN)
            .and_then(|(_, rest)| rest.split_once(END))
            .map(|(body, _)| body)
            .ok_or_else(|| {
                Failure::Usage(format!("{} holds no PEM certificate", path.display()))
            })?;
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(&b64)
            .map_err(|e| Failure::Usage(format!("{}: broken PEM: {e}", path.display())))?;
        return Ok(b64);
    }
    // DER: an ASN.1 SEQUENCE.
    if bytes.first() != Some(&0x30) {
        return Err(Failure::Usage(format!(
            "{} is neither a PEM nor a DER certificate",
            path.display()
        )));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(&bytes))
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

/// The generic text layout of an answer: the title, then one `label: value` line per field in
/// the schema's order, nested records indented under a numbered heading, lists counted.
/// Insured-person numbers are masked, as in the other commands (`--json` shows them).
fn render_fields<O: serde::Serialize>(title: &str, output: &O) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    match serde_json::to_string(output).map(|t| serde_json::from_str::<Ordered>(&t)) {
        Ok(Ok(Ordered::Map(fields))) if fields.iter().any(|(_, v)| !v.is_empty()) => {
            fields_into(&mut out, &fields, 1);
        }
        Ok(Ok(_)) => row(
            &mut out,
            "výsledek",
            "prázdná odpověď (the answer holds no data)",
        ),
        Ok(Err(e)) | Err(e) => row(&mut out, "výsledek", format!("(cannot show: {e})")),
    }
    out
}

fn fields_into(out: &mut String, fields: &[(String, Ordered)], depth: usize) {
    let indent = "  ".repeat(depth.saturating_sub(1));
    for (key, value) in fields {
        match value {
            Ordered::Null => {}
            Ordered::List(items) if items.is_empty() => {}
            Ordered::List(items) => {
                let _ = writeln!(out, "{indent}  {key} ({}):", items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Ordered::Map(inner) => {
                            let _ = writeln!(out, "{indent}    {}.", i + 1);
                            fields_into(out, inner, depth + 2);
                        }
                        other => {
                            let _ = writeln!(out, "{indent}    {}. {}", i + 1, other.text(key));
                        }
                    }
                }
            }
            Ordered::Map(inner) => {
                let _ = writeln!(out, "{indent}  {key}:");
                fields_into(out, inner, depth + 1);
            }
            scalar => {
                let label = format!("{key}:");
                let width = LABEL_WIDTH.max(label.chars().count() + 1);
                let _ = writeln!(out, "{indent}  {label:<width$}{}", scalar.text(key));
            }
        }
    }
}

/// A JSON value keeping the order of object keys (serde_json's `Value` sorts them).
enum Ordered {
    Null,
    Scalar(String),
    List(Vec<Ordered>),
    Map(Vec<(String, Ordered)>),
}

impl Ordered {
    fn is_empty(&self) -> bool {
        match self {
            Self::Null => true,
            Self::Scalar(_) => false,
            Self::List(items) => items.is_empty(),
            Self::Map(fields) => fields.iter().all(|(_, v)| v.is_empty()),
        }
    }

    /// The text of a scalar; insured-person numbers masked.
    fn text(&self, key: &str) -> String {
        match self {
            Self::Scalar(s) if key == "cisloPojistence" => {
                CisloPojistence::parse(s).map_or_else(|_| s.clone(), |c| c.masked())
            }
            Self::Scalar(s) => s.clone(),
            Self::Null => "—".to_owned(),
            Self::List(_) | Self::Map(_) => String::new(),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_none<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(
                    if v { "ano (true)" } else { "ne (false)" }.to_owned(),
                ))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Ordered>()? {
                    fields.push((k, v));
                }
                Ok(Ordered::Map(fields))
            }
        }
        d.deserialize_any(Visitor)
    }
}

fn raw_or_dash(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("—")
}
