//! `b2b p1 ...`: one P1 e-Recepta call, against the embedded sandbox or a real P1 host.
//!
//! P1 authenticates twice: mutual TLS with the entity's `…-tls.p12` and a WS-Security signature
//! with its `…-wss.p12`; every request carries the call context `kontekstWywolania`.

use std::fmt::Write as _;
use std::time::Duration;

use sdk_p1::erecepta::types::{
    self as t, KluczReceptyMT, OdczytReceptyRequest, OdczytReceptyResponse,
};
use sdk_p1::sandbox::Sandbox;
use sdk_p1::wssec::{SigningIdentity, p1_signer};
use sdk_p1::{
    BladUslugi, Client, ClientBuildError, ERECEPTA_PATH, Environment, Error, KontekstWywolania,
    MaWynik, OID_NPWZ, Oid, RolaBiznesowa, TrescDokumentu, choices,
};
use sdk_runtime::SdkError;
use sdk_runtime::transport::BuildError;
use sdk_runtime::url::Url;
use sdk_runtime::xml::Diagnostic;

use crate::cli::{OdczytReceptyArgs, P1Args, P1Command};
use crate::failure::{self, Failure, single_line};
use crate::{identity, output};

/// OID root of entity identifiers (`idPodmiotu`), used when `--id-podmiotu` gives only the
/// extension (../shared/facts/p1.md §3.2).
pub const OID_PODMIOT: &str = "2.16.840.1.113883.3.4424.2.3.1";
/// OID root of places of work (`idMiejscaPracy`), used when `--id-miejsca-pracy` gives only the
/// extension.
pub const OID_MIEJSCE_PRACY: &str = "2.16.840.1.113883.3.4424.2.3.3";

/// The fictitious call context of the sandboxes: entity, user (NPWZ), place of work, role.
pub const SANDBOX_PODMIOT: &str = "000000123456";
pub const SANDBOX_UZYTKOWNIK: &str = "1234567";
pub const SANDBOX_MIEJSCE_PRACY: &str = "01";
pub const SANDBOX_ROLA: &str = "LEKARZ_LEK_DENTYSTA_FELCZER";
/// Common name of the fictitious prescriber whose document-signing certificate signs the
/// sandboxes' prescription.
pub const SANDBOX_LEKARZ: &str = "lek. Jan Fikcyjny (b2b sandbox, fictitious)";

pub async fn run(command: P1Command) -> Result<(), Failure> {
    match command {
        P1Command::OdczytRecepty(args) => odczyt_recepty(args).await,
        P1Command::Cer { command } => crate::cer::run(command).await,
    }
}

async fn odczyt_recepty(args: OdczytReceptyArgs) -> Result<(), Failure> {
    // Everything the user typed is checked before a sandbox starts or a file is opened.
    let settings = Settings::check(&args.common)?;
    let klucz = match args.klucz.as_deref().map(str::trim) {
        Some("") => {
            return Err(Failure::Usage("KLUCZ_RECEPTY must not be empty".to_owned()));
        }
        Some(k) => Some(k.to_owned()),
        None if settings.endpoint.is_some() => {
            return Err(Failure::Usage(
                "with --endpoint, give the prescription's key: b2b p1 odczyt-recepty \
                 KLUCZ_RECEPTY ..."
                    .to_owned(),
            ));
        }
        None => None,
    };

    let target = Target::connect(&settings).await?;
    let Some(klucz) = klucz.or_else(|| target.stored.clone()) else {
        return Err(Failure::Usage("give KLUCZ_RECEPTY".to_owned()));
    };
    let input = OdczytReceptyRequest::new(KluczReceptyMT::new(klucz.clone()));
    let answer = target
        .client
        .odczyt_recepty(&settings.kontekst, &input)
        .await
        .map_err(|e| call_failure(e, settings.timeout))?;

    if settings.json {
        let doc = JsonDocument {
            service: "odczytRecepty",
            endpoint: target.client.endpoint().as_str(),
            sandbox: target.sandbox.is_some(),
            request: &input,
            response: &answer.output,
            diagnostics: answer
                .diagnostics
                .iter()
                .map(JsonDiagnostic::from)
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Failed(format!("cannot write JSON: {e}")))?;
        text.push('\n');
        output::stdout(&text)?;
    } else {
        output::stdout(&render_odczyt(&klucz, &answer.output))?;
    }
    warn_diagnostics(&answer.diagnostics);
    // The answer is printed either way; a wynik other than success still fails the run.
    answer
        .sprawdz_wynik()
        .map_err(|e| Failure::Failed(single_line(&e.to_string())))
}

/// The options, checked.
struct Settings<'a> {
    /// `None`: the embedded sandbox.
    endpoint: Option<Url>,
    args: &'a P1Args,
    kontekst: KontekstWywolania,
    timeout: Duration,
    json: bool,
}

impl<'a> Settings<'a> {
    fn check(args: &'a P1Args) -> Result<Self, Failure> {
        let endpoint = args.endpoint.as_deref().map(endpoint_url).transpose()?;
        if endpoint.is_some() {
            let missing: Vec<_> = [
                ("--signing-identity", args.signing_identity.is_none()),
                ("--id-podmiotu", args.id_podmiotu.is_none()),
                ("--id-uzytkownika", args.id_uzytkownika.is_none()),
                ("--rola", args.rola.is_none()),
            ]
            .into_iter()
            .filter_map(|(name, absent)| absent.then_some(name))
            .collect();
            if !missing.is_empty() {
                return Err(Failure::Usage(format!(
                    "--endpoint needs {}: P1 refuses calls without a WS-Security signature (the \
                     entity's …-wss.p12 as --signing-identity) and without the call context \
                     (entity, user, role)",
                    missing.join(", ")
                )));
            }
        }
        let kontekst = kontekst(args, None)?;
        Ok(Self {
            endpoint,
            args,
            kontekst,
            timeout: Duration::from_secs(args.timeout),
            json: args.json,
        })
    }
}

/// The call context from the options; the sandbox's fictitious values stand in for those not
/// given (with `--endpoint` the required ones are checked before). `rola` overrides `--rola`.
fn kontekst(args: &P1Args, rola: Option<&str>) -> Result<KontekstWywolania, Failure> {
    let podmiot = oid(
        "--id-podmiotu",
        args.id_podmiotu.as_deref().unwrap_or(SANDBOX_PODMIOT),
        OID_PODMIOT,
    )?;
    let uzytkownik = oid(
        "--id-uzytkownika",
        args.id_uzytkownika.as_deref().unwrap_or(SANDBOX_UZYTKOWNIK),
        OID_NPWZ,
    )?;
    let miejsce = match (&args.id_miejsca_pracy, &args.endpoint) {
        (Some(text), _) => Some(oid("--id-miejsca-pracy", text, OID_MIEJSCE_PRACY)?),
        (None, None) => Some(Oid::new(OID_MIEJSCE_PRACY, SANDBOX_MIEJSCE_PRACY)),
        (None, Some(_)) => None,
    };
    let rola = rola.or(args.rola.as_deref()).unwrap_or(SANDBOX_ROLA).trim();
    if rola.is_empty() {
        return Err(Failure::Usage("--rola must not be empty".to_owned()));
    }
    let mut builder = KontekstWywolania::builder()
        .id_podmiotu(podmiot)
        .id_uzytkownika(uzytkownik)
        .rola_biznesowa(RolaBiznesowa::from_value(rola));
    if let Some(miejsce) = miejsce {
        builder = builder.id_miejsca_pracy(miejsce);
    }
    Ok(builder.build()?)
}

/// The fictitious call context the sandboxes' prescription is stored with.
pub fn sandbox_kontekst() -> Result<KontekstWywolania, Failure> {
    Ok(KontekstWywolania::builder()
        .id_podmiotu(Oid::new(OID_PODMIOT, SANDBOX_PODMIOT))
        .id_uzytkownika(Oid::new(OID_NPWZ, SANDBOX_UZYTKOWNIK))
        .id_miejsca_pracy(Oid::new(OID_MIEJSCE_PRACY, SANDBOX_MIEJSCE_PRACY))
        .rola_biznesowa(RolaBiznesowa::from_value(SANDBOX_ROLA))
        .build()?)
}

/// `EXTENSION` (with `default_root`) or `ROOT:EXTENSION`, ROOT being an OID (digits and dots).
fn oid(option: &str, text: &str, default_root: &str) -> Result<Oid, Failure> {
    let text = text.trim();
    if let Some((root, extension)) = text.split_once(':')
        && is_oid(root)
    {
        if extension.trim().is_empty() {
            return Err(Failure::Usage(format!(
                "{option} {text:?}: the extension after the OID root is empty"
            )));
        }
        return Ok(Oid::new(root, extension.trim()));
    }
    if text.is_empty() {
        return Err(Failure::Usage(format!("{option} must not be empty")));
    }
    Ok(Oid::new(default_root, text))
}

fn is_oid(text: &str) -> bool {
    text.contains('.')
        && text
            .split('.')
            .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()))
}

/// `--endpoint`: an https URL, the base (the e-Recepta path is appended) or the full endpoint.
fn endpoint_url(text: &str) -> Result<Url, Failure> {
    let mut url = Url::parse(text.trim())
        .map_err(|e| Failure::Usage(format!("--endpoint `{text}` is not a URL: {e}")))?;
    if url.scheme() != "https" {
        return Err(Failure::Usage(format!(
            "--endpoint must be an https:// URL (P1 is reached over TLS only), got `{text}`"
        )));
    }
    // The client appends the e-Recepta path; a full endpoint URL would get it twice.
    let path = url.path().trim_end_matches('/');
    if let Some(base) = path.strip_suffix(ERECEPTA_PATH) {
        let base = if base.is_empty() {
            "/".to_owned()
        } else {
            base.to_owned()
        };
        url.set_path(&base);
    }
    Ok(url)
}

/// The client to call, and the embedded sandbox that must outlive the call when there is one.
struct Target {
    client: Client,
    sandbox: Option<Sandbox>,
    /// Key of the fictitious prescription stored in the embedded sandbox.
    stored: Option<String>,
}

impl Target {
    async fn connect(settings: &Settings<'_>) -> Result<Self, Failure> {
        match &settings.endpoint {
            None => Self::sandbox(settings).await,
            Some(url) => Self::real(settings, url),
        }
    }

    async fn sandbox(settings: &Settings<'_>) -> Result<Self, Failure> {
        let sandbox = Sandbox::start()
            .map_err(|e| Failure::Failed(format!("cannot start the embedded P1 sandbox: {e}")))?;
        let client = sandbox
            .client_builder("b2b cli")
            .map_err(client_build)?
            .timeout(settings.timeout)
            .build()
            .map_err(client_build)?;
        // Stored by a prescriber of the caller's entity, so the caller may read it whatever
        // --rola says.
        let issuer = kontekst(settings.args, Some(SANDBOX_ROLA))?;
        let lekarz = sandbox.prescriber_identity(SANDBOX_LEKARZ).map_err(|e| {
            Failure::Failed(format!(
                "cannot issue the sandbox prescriber's certificate: {e}"
            ))
        })?;
        let klucz = store_fictitious_prescription(&client, &issuer, &lekarz).await?;
        eprintln!(
            "note: using the embedded P1 e-Recepta sandbox with fictitious data (nothing leaves \
             this computer); it holds one fictitious prescription, stored just now: {klucz}. \
             To call P1 add --endpoint {} --identity …-tls.p12 --signing-identity …-wss.p12 \
             and the call context (--id-podmiotu, --id-uzytkownika, --rola)",
            Environment::Integration.base_url()
        );
        Ok(Self {
            client,
            sandbox: Some(sandbox),
            stored: Some(klucz),
        })
    }

    fn real(settings: &Settings<'_>, url: &Url) -> Result<Self, Failure> {
        let args = settings.args;
        let Some(signing_path) = args.signing_identity.as_deref() else {
            // Settings::check guarantees a signing identity with an endpoint.
            return Err(Failure::Usage(
                "--endpoint needs --signing-identity".to_owned(),
            ));
        };
        let builder = Client::builder()
            .base_url(url.as_str())
            .timeout(settings.timeout);
        let mut builder =
            identity::with_ca_files(builder, &args.ca, |b, pem| b.add_root_certificates_pem(pem))?;
        if let Some(path) = args.identity.as_deref() {
            let tls = identity::load(path, args.key.as_deref())?;
            if let Some(not_after) = tls.not_after()
                && not_after < time::OffsetDateTime::now_utc()
            {
                eprintln!(
                    "warning: the TLS client certificate ({}) expired on {}; P1 will likely \
                     refuse it",
                    tls.subject(),
                    not_after.date()
                );
            }
            builder = builder.identity(tls);
        }
        let signing =
            identity::load_as(identity::SIGNING, signing_path, args.signing_key.as_deref())?;
        let signing = SigningIdentity::from_identity(signing).map_err(|e| {
            Failure::Failed(format!("cannot sign with {}: {e}", signing_path.display()))
        })?;
        let not_after = signing.certificate().not_after();
        if not_after < time::OffsetDateTime::now_utc() {
            eprintln!(
                "warning: the signing certificate ({}) expired on {}; P1 will likely refuse \
                 the signature",
                signing.certificate().subject(),
                not_after.date()
            );
        }
        let client = builder
            .signer(p1_signer(signing))
            .build()
            .map_err(client_build)?;
        Ok(Self {
            client,
            sandbox: None,
            stored: None,
        })
    }
}

/// Stores a package of one fictitious prescription (a minimal CDA document, signed XAdES-BES
/// by `lekarz`, a prescriber's document-signing identity, as `zapisPakietuRecept` requires)
/// with `kontekst` (a prescriber's) and returns the prescription's key.
pub async fn store_fictitious_prescription(
    client: &Client,
    kontekst: &KontekstWywolania,
    lekarz: &SigningIdentity,
) -> Result<String, Failure> {
    let failed =
        |why: String| Failure::Failed(format!("cannot store a fictitious prescription: {why}"));
    let cda = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <ClinicalDocument xmlns=\"urn:hl7-org:v3\">\
        <title>Recepta (fikcyjna / fictitious, b2b sandbox)</title>\
        <component><structuredBody><component><section>\
        <text>Paracetamolum 500 mg, 20 tabl. (dane fikcyjne / fictitious data)</text>\
        </section></component></structuredBody></component>\
        </ClinicalDocument>\n";
    let tresc = TrescDokumentu::podpisz(lekarz, cda.as_bytes())
        .map_err(|e| failed(format!("cannot sign it: {e}")))?;
    let mut recepty = t::ReceptyMT::new();
    recepty.recepta.push(t::ReceptaMT::new(1, tresc));
    let input = t::ZapisPakietuReceptRequest::new(t::PakietReceptMT::new(
        choices::PakietRecept::Recepty(Some(recepty)),
    ));
    let answer = client
        .zapis_pakietu_recept(kontekst, &input)
        .await
        .map_err(|e| failed(e.to_string()))?;
    answer.sprawdz_wynik().map_err(|e| failed(e.to_string()))?;
    let klucz = match answer
        .output
        .potwierdzenie_operacji_zapisu
        .map(|p| p.choice)
    {
        Some(choices::PotwierdzenieOperacjiZapisu::WynikZapisuPakietuRecept(Some(w))) => w
            .wynik_weryfikacji
            .and_then(|w| w.weryfikowana_recepta.into_iter().next())
            .and_then(|r| r.klucz_recepty),
        _ => None,
    };
    klucz.ok_or_else(|| failed("the answer holds no prescription key".to_owned()))
}

/// A call that failed: P1's own fault codes for `bledyOperacji`, the shared wording otherwise.
fn call_failure(err: Error, timeout: Duration) -> Failure {
    match err {
        Error::Call(boxed) => match *boxed {
            SdkError::Service(blad) => Failure::Failed(p1_fault(&blad)),
            SdkError::RateLimited { status, .. } => Failure::Failed(format!(
                "P1 refused the call: too many calls (HTTP {status}); wait before calling again"
            )),
            other => failure::call(other, timeout),
        },
        Error::Signing(e) => {
            let mut message = e.to_string();
            if let Some(source) = std::error::Error::source(&e) {
                let _ = write!(message, ": {source}");
            }
            Failure::Failed(single_line(&message))
        }
        other => Failure::Failed(single_line(&other.to_string())),
    }
}

/// `P1 refused the call: <kodBleduMajor> (<kodBleduMinor>): <opis>`, and what to check.
fn p1_fault(blad: &BladUslugi) -> String {
    let hint = if blad.is_signature_error() {
        "; check the WS-Security signature (--signing-identity: the entity's …-wss.p12)"
    } else if matches!(
        blad.kod_major(),
        Some(sdk_p1::wyjatki::types::KodBleduMajorMT::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS)
    ) {
        "; the signing certificate is not accepted: --signing-identity must be the …-wss.p12 \
         P1 issued to the entity (not the TLS certificate), valid, and the clocks in sync"
    } else if matches!(
        blad.kod_minor(),
        Some(sdk_p1::wyjatki::types::KodBleduMinorMT::UrnCsiozP1EreceptaKodBleduMinorBladKontekstu)
    ) {
        "; check the call context (--id-podmiotu, --id-uzytkownika, --id-miejsca-pracy, --rola)"
    } else {
        ""
    };
    match blad {
        BladUslugi::BledyOperacji { blad, fault } => {
            let mut text = format!("P1 refused the call: {}", blad.kod_bledu_major);
            if let Some(minor) = &blad.kod_bledu_minor {
                let _ = write!(text, " ({minor})");
            }
            let opis = blad.opis.as_deref().unwrap_or(&fault.message);
            let _ = write!(text, ": {}{hint}", single_line(opis));
            text
        }
        // Not the declared fault: code and message as sent.
        other => format!(
            "P1 answered with a fault: {}",
            single_line(&other.to_string())
        ),
    }
}

/// A client that could not be built.
fn client_build(err: ClientBuildError) -> Failure {
    match err {
        ClientBuildError::BaseUrl { .. } => Failure::Usage(format!("--endpoint: {err}")),
        ClientBuildError::Transport(BuildError::InvalidRootCertificate(why)) => Failure::Failed(
            format!("a --ca file holds an unusable root certificate: {why}"),
        ),
        other => Failure::Failed(format!("cannot set up the P1 client: {other}")),
    }
}

/// The `--json` document; fields in this order.
#[derive(serde::Serialize)]
struct JsonDocument<'a, I, O> {
    service: &'a str,
    endpoint: &'a str,
    sandbox: bool,
    request: &'a I,
    response: &'a O,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    kind: &'a str,
    message: &'a str,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        Self {
            path: &d.path,
            kind: d.kind.as_str(),
            message: &d.message,
        }
    }
}

fn warn_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("warning: {}: {}", d.path, d.message);
    }
}

const LABEL_WIDTH: usize = 20;

fn row(out: &mut String, label: &str, value: impl std::fmt::Display) {
    let label = format!("{label}:");
    let _ = writeln!(out, "  {label:<LABEL_WIDTH$}{value}");
}

fn render_odczyt(klucz: &str, o: &OdczytReceptyResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Odczyt recepty (read prescription) — klucz {klucz}");
    render_wynik(&mut out, &o.wynik);
    let Some(r) = &o.recepta_i_wynik_weryfikacji else {
        if o.sukces() {
            row(&mut out, "recepta", "— (the answer holds no prescription)");
        }
        return out;
    };
    row(&mut out, "status", &r.status_recepty);
    if let Some(p) = &r.przyczyna_zablokowania_recepty {
        row(&mut out, "przyczyna blokady", p);
    }
    row(
        &mut out,
        "nr w pakiecie",
        r.recepta.identyfikator_dokumentu_w_pakiecie,
    );
    let w = &r.weryfikowany_dokument.wynik_weryfikacji_zbioru_regul;
    row(
        &mut out,
        "weryfikacja",
        format!("{} ({})", w.wynik_weryfikacji, w.identyfikator_zbioru_regul),
    );
    for regula in &w.wynik_weryfikacji_reguly {
        let opis = regula.opis_problemu.as_deref().unwrap_or("");
        row(
            &mut out,
            &format!("  {}", regula.kod_reguly_weryfikacji),
            format!("{} {}", regula.wynik_weryfikacji, single_line(opis)).trim_end(),
        );
    }
    // The document is personal data: its size here, its content only in --json.
    row(
        &mut out,
        "dokument",
        format!(
            "{} bytes (HL7 CDA; base64 in --json)",
            r.recepta.tresc.len()
        ),
    );
    if let Some(a) = &r.dokument_anulowania_recepty {
        row(&mut out, "anulowanie", format!("{} bytes", a.tresc.len()));
    }
    if !r.dokument_realizacji_recepty.is_empty() {
        row(&mut out, "realizacje", r.dokument_realizacji_recepty.len());
    }
    out
}

fn render_wynik(out: &mut String, w: &t::WynikMT) {
    let mut wynik = w.major.trim().to_owned();
    if let Some(minor) = &w.minor {
        let _ = write!(wynik, " ({})", minor.trim());
    }
    row(out, "wynik", wynik);
    if let Some(k) = &w.komunikat {
        row(out, "komunikat", single_line(k));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn identifiers_take_an_optional_oid_root() {
        let o = oid("--id-podmiotu", "000000123456", OID_PODMIOT).unwrap();
        assert_eq!(
            (o.root.as_str(), o.extension.as_str()),
            (OID_PODMIOT, "000000123456")
        );
        let o = oid("--id-uzytkownika", "1.2.3:42", OID_NPWZ).unwrap();
        assert_eq!((o.root.as_str(), o.extension.as_str()), ("1.2.3", "42"));
        // Not an OID before the colon: all of it is the extension.
        let o = oid("--id-podmiotu", "abc:def", OID_PODMIOT).unwrap();
        assert_eq!(o.extension, "abc:def");
        assert!(matches!(
            oid("--id-podmiotu", " ", OID_PODMIOT),
            Err(Failure::Usage(_))
        ));
        assert!(matches!(
            oid("--id-podmiotu", "1.2.3:", OID_PODMIOT),
            Err(Failure::Usage(_))
        ));
    }

    #[test]
    fn the_endpoint_may_be_the_base_or_the_full_url() {
        let base = endpoint_url("https://isus.ezdrowie.gov.pl").unwrap();
        assert_eq!(base.as_str(), "https://isus.ezdrowie.gov.pl/");
        let full = endpoint_url("https://isus.ezdrowie.gov.pl/services/ObslugaReceptyWS").unwrap();
        assert_eq!(full.as_str(), "https://isus.ezdrowie.gov.pl/");
        let proxy = endpoint_url("https://proxy.example/p1/services/ObslugaReceptyWS/").unwrap();
        assert_eq!(proxy.as_str(), "https://proxy.example/p1");
        assert!(matches!(
            endpoint_url("http://isus.ezdrowie.gov.pl"),
            Err(Failure::Usage(_))
        ));
    }
}
