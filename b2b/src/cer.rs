//! `b2b p1 cer …`: Centralna e-Rejestracja.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};

use std::fmt::Write as _;
use std::time::Duration;

use sdk_p1::cer::sandbox::Sandbox;
use sdk_p1::cer::types as c;
use sdk_p1::cer::zasilenie::{Problem, Raport, Walidator};
use sdk_p1::cer::{self, KontekstCeR, operation as op};
use sdk_p1::wssec::SigningIdentity;
use sdk_p1::{Client, ClientBuildError, MaWynik, Oid, RolaBiznesowa};
use sdk_runtime::soap::Response;
use sdk_runtime::url::Url;
use sdk_runtime::values::DateTime;

use crate::cli::{
    CerArgs, CerCommand, CerMusArgs, CerOdwolajArgs, CerWizytyArgs, CerZapiszArgs, ValidateCsvArgs,
};
use crate::failure::Failure;
use crate::p1::{OID_MIEJSCE_PRACY, OID_PODMIOT, SANDBOX_PODMIOT};
use crate::{identity, output};

/// The CeR sandbox's fictitious place of service (embedded and `b2b sandbox cer`).
pub const SANDBOX_MUS: &str = "000000123456-01-001";
/// The benefit of the sandbox's schedule (cervical screening, seed L339-L351).
pub const SANDBOX_SWIADCZENIE: &str = "02.1450.102.02";
/// The fictitious patient of the sandbox's booked visit.
pub const SANDBOX_PESEL: &str = "44051401359";
/// The fictitious patient's phone on the sandbox's booked visit.
pub const SANDBOX_TELEFON: &str = "600100200";

pub async fn run(command: CerCommand) -> Result<(), Failure> {
    match command {
        CerCommand::ValidateCsv(args) => validate_csv(args),
        CerCommand::Wizyty(args) => wizyty(args).await,
        CerCommand::AktywujMus(args) => aktywuj_mus(args).await,
        CerCommand::Zapisz(args) => zapisz(args).await,
        CerCommand::Odwolaj(args) => odwolaj(args).await,
    }
}

/// The client to call, its context and place of service, and the embedded sandbox when there
/// is one (it must outlive the call).
struct Cel {
    client: cer::Client,
    kontekst: KontekstCeR,
    mus: c::IdentyfikatorMusMT,
    _sandbox: Option<Sandbox>,
}

fn oid(option: &str, text: &str, root: &str) -> Result<Oid, Failure> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Failure::Usage(format!("{option} must not be empty")));
    }
    Ok(match text.split_once(':') {
        Some((r, e)) if r.contains('.') && r.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
            Oid::new(r, e.trim())
        }
        _ => Oid::new(root, text),
    })
}

fn build_error(e: ClientBuildError) -> Failure {
    match e {
        ClientBuildError::BaseUrl { .. } => Failure::Usage(format!("--endpoint: {e}")),
        other => Failure::Failed(format!("cannot set up the CeR client: {other}")),
    }
}

fn call_error(e: sdk_p1::Error) -> Failure {
    match e.blad() {
        Some(b) => Failure::Failed(format!(
            "CeR refused the call: {}{}",
            b.kod_bledu_major,
            b.opis
                .as_deref()
                .map(|o| format!(": {o}"))
                .unwrap_or_default()
        )),
        None => Failure::Failed(format!("the CeR call failed: {e}")),
    }
}

impl Cel {
    async fn connect(args: &CerArgs) -> Result<Cel, Failure> {
        let timeout = Duration::from_secs(args.timeout);
        let rola = args
            .rola
            .as_deref()
            .map_or_else(cer::rola_systemu, RolaBiznesowa::from_value);
        let mus_oid = oid(
            "--mus",
            args.mus.as_deref().unwrap_or(SANDBOX_MUS),
            OID_MIEJSCE_PRACY,
        )?;
        let mus = c::IdentyfikatorMusMT::new(mus_oid.extension.clone(), mus_oid.root.clone());
        let Some(endpoint) = args.endpoint.as_deref() else {
            let kontekst = sandbox_kontekst(mus_oid, rola)?;
            let sandbox = Sandbox::start().map_err(|e| {
                Failure::Failed(format!("cannot start the embedded CeR sandbox: {e}"))
            })?;
            let client = sandbox_client(&sandbox, timeout)?;
            seed(&client, &kontekst, &mus).await?;
            let cel = Cel {
                client,
                kontekst,
                mus,
                _sandbox: Some(sandbox),
            };
            eprintln!(
                "note: using the embedded CeR sandbox with fictitious data (nothing leaves this \
                 computer): place of service {SANDBOX_MUS}, a schedule for tomorrow, activated, \
                 one visit booked. Every CeR operation is reconstructed. To call P1 add \
                 --endpoint URL --identity …-tls.p12 --signing-identity …-wss.p12 --id-podmiotu \
                 EXT --mus EXT"
            );
            return Ok(cel);
        };
        let (Some(signing_path), Some(podmiot)) = (
            args.signing_identity.as_deref(),
            args.id_podmiotu.as_deref(),
        ) else {
            return Err(Failure::Usage(
                "--endpoint needs --signing-identity (P1 refuses unsigned calls) and \
                 --id-podmiotu (the call context)"
                    .to_owned(),
            ));
        };
        let url = Url::parse(endpoint.trim())
            .map_err(|e| Failure::Usage(format!("--endpoint `{endpoint}` is not a URL: {e}")))?;
        if url.scheme() != "https" {
            return Err(Failure::Usage(format!(
                "--endpoint must be an https:// URL, got `{endpoint}`"
            )));
        }
        let kontekst = KontekstCeR::builder()
            .id_podmiotu(oid("--id-podmiotu", podmiot, OID_PODMIOT)?)
            .id_miejsca_pracy(mus_oid)
            .rola_biznesowa(rola)
            .build()?;
        let builder = Client::builder().base_url(url.as_str()).timeout(timeout);
        let mut builder =
            identity::with_ca_files(builder, &args.ca, |b, pem| b.add_root_certificates_pem(pem))?;
        if let Some(path) = args.identity.as_deref() {
            builder = builder.identity(identity::load(path, args.key.as_deref())?);
        }
        let signing =
            identity::load_as(identity::SIGNING, signing_path, args.signing_key.as_deref())?;
        let signing = SigningIdentity::from_identity(signing).map_err(|e| {
            Failure::Failed(format!("cannot sign with {}: {e}", signing_path.display()))
        })?;
        let client =
            cer::Client::from_builder(builder.signer(cer::signer(signing))).map_err(build_error)?;
        Ok(Cel {
            client,
            kontekst,
            mus,
            _sandbox: None,
        })
    }
}

/// The call context of the sandbox's fictitious entity ([`SANDBOX_PODMIOT`]) at place of
/// service `mus`.
fn sandbox_kontekst(mus: Oid, rola: RolaBiznesowa) -> Result<KontekstCeR, Failure> {
    Ok(KontekstCeR::builder()
        .id_podmiotu(Oid::new(OID_PODMIOT, SANDBOX_PODMIOT))
        .id_miejsca_pracy(mus)
        .rola_biznesowa(rola)
        .build()?)
}

/// A client of `sandbox` with a fresh TLS client certificate and signing certificate of its
/// CAs.
fn sandbox_client(sandbox: &Sandbox, timeout: Duration) -> Result<cer::Client, Failure> {
    let builder = sandbox
        .client_builder("b2b cli")
        .map_err(build_error)?
        .timeout(timeout);
    cer::Client::from_builder(builder).map_err(build_error)
}

/// Gives a fresh CeR sandbox the fictitious state of the embedded one ([`seed`]) through its
/// own interface, as the entity [`SANDBOX_PODMIOT`] at [`SANDBOX_MUS`]: what `b2b sandbox cer`
/// starts with.
pub async fn seed_sandbox(sandbox: &Sandbox) -> Result<(), Failure> {
    let mus_oid = Oid::new(OID_MIEJSCE_PRACY, SANDBOX_MUS);
    let mus = c::IdentyfikatorMusMT::new(mus_oid.extension.clone(), mus_oid.root.clone());
    let kontekst = sandbox_kontekst(mus_oid, cer::rola_systemu())?;
    let client = sandbox_client(sandbox, Duration::from_secs(30))?;
    seed(&client, &kontekst, &mus).await
}

/// The CeR sandbox's fictitious state, made by `client` as `kontekst` at place of service
/// `mus`: a schedule of four 20-minute slots tomorrow from 08:00 UTC, the place of service
/// activated, the first slot booked (a follow-up of [`SANDBOX_PESEL`]). The embedded
/// sandbox and `b2b sandbox cer` both start with it.
async fn seed(
    client: &cer::Client,
    kontekst: &KontekstCeR,
    mus: &c::IdentyfikatorMusMT,
) -> Result<(), Failure> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Failure::Failed(format!(
            "cannot prepare the CeR sandbox's fictitious data ({what}): {e}"
        ))
    };
    let jutro = time::OffsetDateTime::now_utc()
        .date()
        .next_day()
        .unwrap_or(time::Date::MAX);
    let mut h = c::HarmonogramMT::new(
        mus.clone(),
        c::KodSwiadczeniaMT::new(SANDBOX_SWIADCZENIE).map_err(|e| fail("benefit", &e))?,
    );
    for i in 0..4u8 {
        let at = |minutes: u8| {
            let t = time::Time::from_hms(8 + minutes / 60, minutes % 60, 0)
                .unwrap_or(time::Time::MIDNIGHT);
            DateTime::from_offset(time::PrimitiveDateTime::new(jutro, t).assume_utc())
        };
        let mut slot = c::SlotMT::new(at(i * 20), at(i * 20 + 20));
        slot.rodzaj_wizyty.push(c::RodzajWizytyMT::Pierwszorazowa);
        slot.rodzaj_wizyty.push(c::RodzajWizytyMT::Kolejna);
        h.slot.push(slot);
    }
    let r = client
        .utworz_harmonogram(kontekst, &op::utworz_harmonogram::Input::new(h))
        .await
        .map_err(|e| fail("schedule", &e))?;
    r.sprawdz_wynik().map_err(|e| fail("schedule", &e))?;
    let first = r
        .output
        .harmonogram
        .as_ref()
        .and_then(|h| h.slot.first())
        .and_then(|s| s.id_slotu.clone())
        .ok_or_else(|| fail("schedule", &"no slot ids"))?;
    client
        .aktywuj_mus(kontekst, &op::aktywuj_mus::Input::new(mus.clone()))
        .await
        .map_err(|e| fail("activation", &e))?
        .sprawdz_wynik()
        .map_err(|e| fail("activation", &e))?;
    let mut kontakt = c::KontaktMT::new();
    kontakt.telefon = Some(SANDBOX_TELEFON.to_owned());
    let dane = c::DaneWizytyMT::new(
        first,
        c::RodzajWizytyMT::Kolejna,
        c::IdentyfikatorPacjentaMT::new(SANDBOX_PESEL.to_owned(), sdk_p1::OID_PESEL.to_owned()),
        kontakt,
        DateTime::from_offset(
            time::OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        ),
    );
    client
        .zapisz_na_wizyte(kontekst, &op::zapisz_na_wizyte::Input::new(dane))
        .await
        .map_err(|e| fail("booking", &e))?
        .sprawdz_wynik()
        .map_err(|e| fail("booking", &e))?;
    Ok(())
}

/// One visit as the commands list it (indented, no personal data).
pub(crate) fn wizyta_line(w: &c::WizytaMT) -> String {
    format!(
        "  {}  {} – {}  {}  {}  via {}  slot {}",
        w.id_wizyty.get(),
        w.poczatek,
        w.koniec,
        w.dane.rodzaj_wizyty,
        w.status,
        w.kanal,
        w.dane.id_slotu.get()
    )
}

/// Prints the answer (text or JSON) and turns a failed `wynik` into exit code 1, listing the
/// rule results.
fn report<O: serde::Serialize + MaWynik>(
    r: &Response<O>,
    json: bool,
    reguly: &[c::WynikWeryfikacjiRegulyMT],
    text: String,
) -> Result<(), Failure> {
    if json {
        let doc = serde_json::to_string_pretty(&r.output)
            .map_err(|e| Failure::Failed(format!("cannot write JSON: {e}")))?;
        output::stdout(&format!("{doc}\n"))?;
    } else if r.sukces() {
        output::stdout(&text)?;
    }
    match r.sprawdz_wynik() {
        Ok(()) => Ok(()),
        Err(e) => {
            let mut why = e.to_string();
            for rule in reguly {
                let _ = write!(
                    why,
                    "\n  {}: {}",
                    rule.kod_reguly_weryfikacji,
                    rule.opis_problemu.as_deref().unwrap_or("")
                );
            }
            Err(Failure::Failed(why))
        }
    }
}

fn date(option: &str, text: &str) -> Result<time::Date, Failure> {
    sdk_runtime::xml::parse_date(text.trim()).map_err(|e| Failure::Usage(format!("{option}: {e}")))
}

async fn wizyty(args: CerWizytyArgs) -> Result<(), Failure> {
    let od = match &args.od {
        Some(t) => date("--od", t)?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let do_ = match &args.do_ {
        Some(t) => date("--do", t)?,
        None => od.saturating_add(time::Duration::days(40)),
    };
    if do_ < od {
        return Err(Failure::Usage(format!("--do {do_} is before --od {od}")));
    }
    let cel = Cel::connect(&args.common).await?;
    let input = op::pobierz_liste_wizyt_sync::Input::new(cel.mus.clone(), od, do_);
    let r = cel
        .client
        .pobierz_liste_wizyt_sync(&cel.kontekst, &input)
        .await
        .map_err(call_error)?;
    let mut text = format!(
        "Wizyty {} {od}..{do_}: {}\n",
        cel.mus.extension,
        r.output.wizyta.len()
    );
    for w in &r.output.wizyta {
        let _ = writeln!(text, "{}", wizyta_line(w));
    }
    report(&r, args.common.json, &[], text)
}

async fn aktywuj_mus(args: CerMusArgs) -> Result<(), Failure> {
    let cel = Cel::connect(&args.common).await?;
    let r = cel
        .client
        .aktywuj_mus(&cel.kontekst, &op::aktywuj_mus::Input::new(cel.mus.clone()))
        .await
        .map_err(call_error)?;
    let text = format!(
        "aktywujMus {}: {}\n",
        cel.mus.extension,
        r.output.wynik.major.trim()
    );
    report(&r, args.common.json, &[], text)
}

async fn zapisz(args: CerZapiszArgs) -> Result<(), Failure> {
    let rodzaj = c::RodzajWizytyMT::from(args.rodzaj.trim());
    if let c::RodzajWizytyMT::Unknown(v) = &rodzaj {
        return Err(Failure::Usage(format!(
            "--rodzaj {v}: one of PIERWSZORAZOWA, KOLEJNA, UPRAWNIENIA_SZCZEGOLNE"
        )));
    }
    let pesel = sdk_p1::Pesel::parse(&args.pesel)?;
    let pusty = |o: &Option<String>| o.as_deref().is_none_or(|s| s.trim().is_empty());
    if pusty(&args.telefon) && pusty(&args.email) {
        return Err(Failure::Usage(
            "REG.WER.8361: give the patient's --telefon or --email (a contact is required on \
             every visit)"
                .to_owned(),
        ));
    }
    let slot = c::IdentyfikatorMT::new(args.slot.trim().to_owned())?;
    let cel = Cel::connect(&args.common).await?;
    let mut kontakt = c::KontaktMT::new();
    kontakt.telefon = args.telefon.clone();
    kontakt.email = args.email.clone();
    let mut dane = c::DaneWizytyMT::new(
        slot,
        rodzaj,
        c::IdentyfikatorPacjentaMT::new(pesel.as_str().to_owned(), sdk_p1::OID_PESEL.to_owned()),
        kontakt,
        DateTime::from_offset(
            time::OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        ),
    );
    if let Some(k) = &args.skierowanie {
        dane.skierowanie = Some(c::SkierowanieMT::new(
            c::SkierowanieMtChoiceKluczSkierowania::KluczSkierowania(k.trim().to_owned()),
        ));
    }
    let r = cel
        .client
        .zapisz_na_wizyte(&cel.kontekst, &op::zapisz_na_wizyte::Input::new(dane))
        .await
        .map_err(call_error)?;
    let text = format!(
        "zapiszNaWizyte: {} (idWizyty {})\n",
        r.output.wynik.major.trim(),
        r.output
            .id_wizyty
            .as_ref()
            .map_or("-", |i| i.get().as_str())
    );
    let reguly = r.output.wynik_weryfikacji_reguly.clone();
    report(&r, args.common.json, &reguly, text)
}

async fn odwolaj(args: CerOdwolajArgs) -> Result<(), Failure> {
    let id = c::IdentyfikatorMT::new(args.wizyta.trim().to_owned())?;
    let cel = Cel::connect(&args.common).await?;
    let mut input = op::odwolaj_wizyte::Input::new(id);
    input.powod = args.powod.clone();
    let r = cel
        .client
        .odwolaj_wizyte(&cel.kontekst, &input)
        .await
        .map_err(call_error)?;
    let mut text = format!(
        "odwolajWizyte {}: {}\n",
        args.wizyta.trim(),
        r.output.wynik.major.trim()
    );
    if let Some(p) = &r.output.id_wpisu_poczekalni {
        let _ = writeln!(text, "  waiting-room entry {}", p.get());
    }
    report(&r, args.common.json, &[], text)
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
    let bar = output::progress_bar(total, "read");
    let reader = BufReader::with_capacity(1 << 16, bar.wrap_read(input));
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
        .map_err(|e| Failure::Failed(format!("reading {shown}: {e}")));
    bar.finish_and_clear();
    let raport = raport?;
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
