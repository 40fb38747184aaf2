//! `b2b sandbox vzp|p1|sukl|cer`: an embedded sandbox as a standalone server, until Ctrl-C.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sdk_vzp::sandbox::{Sandbox, SandboxConfig};

use crate::cli::{SandboxCommand, SandboxP1Args, SandboxSuklArgs, SandboxVzpArgs};
use crate::failure::Failure;
use crate::{output, p1};

pub async fn run(command: SandboxCommand) -> Result<(), Failure> {
    match command {
        SandboxCommand::Vzp(args) => vzp(args).await,
        SandboxCommand::P1(args) => p1_sandbox(args).await,
        SandboxCommand::Sukl(args) => sukl_sandbox(args).await,
        SandboxCommand::Cer(args) => cer_sandbox::run(args).await,
    }
}

async fn sukl_sandbox(args: SandboxSuklArgs) -> Result<(), Failure> {
    use sdk_sukl::sandbox::{Faults, SANDBOX_KOD_PRACOVISTE, Sandbox, SandboxConfig};

    for (name, share) in [
        ("--drop-before", args.drop_before),
        ("--drop-after", args.drop_after),
        ("--unavailable", args.unavailable),
    ] {
        if !(0.0..=1.0).contains(&share) {
            return Err(Failure::Usage(format!("{name} is a share from 0 to 1")));
        }
    }
    let mut faults = Faults::none()
        .drop_before(args.drop_before)
        .drop_after(args.drop_after)
        .unavailable(args.unavailable);
    if args.delay_ms > 0 {
        faults = faults.delay(
            std::time::Duration::ZERO,
            std::time::Duration::from_millis(args.delay_ms),
        );
    }
    let sandbox = Sandbox::start_on(args.listen, SandboxConfig::default().faults(faults))
        .map_err(|e| Failure::Failed(format!("cannot start the SÚKL sandbox: {e}")))?;
    let cert = sandbox
        .issue_client_cert(SANDBOX_KOD_PRACOVISTE)
        .map_err(|e| Failure::Failed(format!("cannot issue a client certificate: {e}")))?;
    let dir = out_dir(args.out, "sukl")?;
    let ca = dir.join("ca.pem");
    let client = dir.join("client.pem");
    write_file(&ca, sandbox.ca_cert_pem(), false)?;
    // Holds a private key: readable by the owner only.
    write_file(&client, &cert.pem_bundle(), true)?;
    let url = sandbox.base_url();
    let (ca, client) = (shell_quote(&ca), shell_quote(&client));
    let text = format!(
        "SÚKL sandbox (LEK-13, fictitious) listening on {url}\n\
         \x20 ca.pem      {ca}  (server CA: pass with --ca)\n\
         \x20 client.pem  {client}  (client certificate of workplace {SANDBOX_KOD_PRACOVISTE} and key: --identity)\n\
         \n\
         Example:\n\
         \x20 b2b sukl lek13 send vydej.json --store lek13.sqlite --endpoint {url} \\\n\
         \x20     --identity {client} --ca {ca} --kod-pracoviste {SANDBOX_KOD_PRACOVISTE} --icz 12345000\n\
         Press Ctrl-C to stop.\n"
    );
    output::stdout(&text)?;
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Failed(format!("cannot wait for Ctrl-C: {e}")))?;
    eprintln!("stopping the SÚKL sandbox");
    sandbox.shutdown().await;
    Ok(())
}

async fn vzp(args: SandboxVzpArgs) -> Result<(), Failure> {
    let sandbox = Sandbox::start_on(args.listen, SandboxConfig::default())
        .map_err(|e| Failure::Failed(format!("cannot start the VZP sandbox: {e}")))?;
    let cert = sandbox
        .issue_client_cert("sandbox client")
        .map_err(|e| Failure::Failed(format!("cannot issue a client certificate: {e}")))?;

    let dir = out_dir(args.out, "vzp")?;
    let ca = dir.join("ca.pem");
    let client = dir.join("client.pem");
    write_file(&ca, sandbox.ca_cert_pem(), false)?;
    // Holds a private key: readable by the owner only.
    write_file(&client, &cert.pem_bundle(), true)?;

    let url = sandbox.base_url();
    // The files exist before the URL is printed: whoever waits for this text can use them.
    let text = format!(
        "VZP sandbox (fictitious data) listening on {url}\n\
         \x20 {ca_label:<12}{ca_path}  (server CA: pass with --ca)\n\
         \x20 {client_label:<12}{client_path}  (client certificate and key: pass with --identity)\n\
         \n\
         Example:\n\
         \x20 b2b vzp prubeh-pojisteni 8001010006 --endpoint {url} --identity {client_path} --ca {ca_path}\n\
         \n\
         Known numbers: 8001010006, 7552150012, 9106150009, 7001010050, 450101123; \
         IČP 12345678, 24681357.\n\
         At most 60 calls per minute per client certificate, then HTTP 503 (as at VZP).\n\
         Press Ctrl-C to stop.\n",
        ca_label = "ca.pem",
        client_label = "client.pem",
        ca_path = shell_quote(&ca),
        client_path = shell_quote(&client),
    );
    output::stdout(&text)?;

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Failed(format!("cannot wait for Ctrl-C: {e}")))?;
    eprintln!("stopping the VZP sandbox");
    sandbox.shutdown().await;
    Ok(())
}

async fn p1_sandbox(args: SandboxP1Args) -> Result<(), Failure> {
    use sdk_p1::sandbox::{Sandbox, SandboxConfig};

    let sandbox = Sandbox::start_on(args.listen, SandboxConfig::default())
        .map_err(|e| Failure::Failed(format!("cannot start the P1 sandbox: {e}")))?;
    let tls_cert = sandbox
        .issue_client_cert("sandbox client")
        .map_err(|e| Failure::Failed(format!("cannot issue a TLS client certificate: {e}")))?;
    let signing_cert = sandbox
        .issue_signing_cert("sandbox signer")
        .map_err(|e| Failure::Failed(format!("cannot issue a signing certificate: {e}")))?;
    let prescriber_cert = sandbox
        .issue_prescriber_cert(p1::SANDBOX_LEKARZ)
        .map_err(|e| Failure::Failed(format!("cannot issue a prescriber's certificate: {e}")))?;
    let lekarz = sdk_p1::sandbox::signing_identity_of(&prescriber_cert)
        .map_err(|e| Failure::Failed(format!("cannot use the prescriber's certificate: {e}")))?;

    // One fictitious prescription to read, signed and stored by a fictitious physician of the
    // fictitious entity the example command names.
    let client = sandbox
        .client()
        .map_err(|e| Failure::Failed(format!("cannot set up a client of the sandbox: {e}")))?;
    let klucz =
        p1::store_fictitious_prescription(&client, &p1::sandbox_kontekst()?, &lekarz).await?;

    let dir = out_dir(args.out, "p1")?;
    let ca = dir.join("ca.pem");
    let client_pem = dir.join("client.pem");
    let wss = dir.join("wss.pem");
    let wss_ca = dir.join("wss-ca.pem");
    let prescriber = dir.join("prescriber.pem");
    let prescriber_ca = dir.join("prescriber-ca.pem");
    write_file(&ca, sandbox.ca_cert_pem(), false)?;
    write_file(&wss_ca, sandbox.wss_ca_cert_pem(), false)?;
    write_file(&prescriber_ca, sandbox.prescriber_ca_cert_pem(), false)?;
    // These hold private keys: readable by the owner only.
    write_file(&client_pem, &tls_cert.pem_bundle(), true)?;
    write_file(&wss, &signing_cert.pem_bundle(), true)?;
    write_file(&prescriber, &prescriber_cert.pem_bundle(), true)?;

    let url = sandbox.base_url();
    let endpoint = sandbox.endpoint();
    let (ca, client_pem, wss, wss_ca, prescriber, prescriber_ca) = (
        shell_quote(&ca),
        shell_quote(&client_pem),
        shell_quote(&wss),
        shell_quote(&wss_ca),
        shell_quote(&prescriber),
        shell_quote(&prescriber_ca),
    );
    // The files exist and the prescription is stored before the URL is printed: whoever waits
    // for this text can use them.
    let text = format!(
        "P1 e-Recepta sandbox (fictitious data) listening on {url}\n\
         \x20 endpoint           {endpoint}\n\
         \x20 ca.pem             {ca}  (TLS server CA: pass with --ca)\n\
         \x20 client.pem         {client_pem}  (TLS client certificate and key: --identity)\n\
         \x20 wss.pem            {wss}  (WS-Security signing certificate and key: --signing-identity)\n\
         \x20 wss-ca.pem         {wss_ca}  (the signing CA: b2b wssec verify --trust)\n\
         \x20 prescriber.pem     {prescriber}  (a prescriber's document-signing certificate and key)\n\
         \x20 prescriber-ca.pem  {prescriber_ca}  (its CA: the signatures zapisPakietuRecept accepts)\n\
         \n\
         Fictitious prescription stored, signed XAdES-BES by {lekarz}: kluczRecepty {klucz}\n\
         \x20 (entity {podmiot}, user {uzytkownik}, place of work {miejsce}, role {rola})\n\
         \n\
         Examples:\n\
         \x20 b2b p1 odczyt-recepty {klucz} --endpoint {url} --identity {client_pem} \\\n\
         \x20     --signing-identity {wss} --ca {ca} \\\n\
         \x20     --id-podmiotu {podmiot} --id-uzytkownika {uzytkownik} --id-miejsca-pracy {miejsce} --rola {rola}\n\
         \x20 b2b wssec sign request.xml --identity {wss} > signed.xml\n\
         \x20 b2b wssec verify signed.xml --trust {wss_ca}\n\
         \x20 b2b wssec sign recepta.xml --document --xades --identity {prescriber} > recepta-signed.xml\n\
         \x20 b2b wssec verify recepta-signed.xml --document --require-xades --trust {prescriber_ca}\n\
         \n\
         Requests must be signed by a certificate of the sandbox's signing CA and carry \
         kontekstWywolania; refusals are SOAP faults with P1's kodBleduMajor/kodBleduMinor. \
         zapisPakietuRecept also requires each prescription signed XAdES-BES by a certificate \
         of the prescribers' CA (three certificates: TLS, WS-Security, the prescriber's).\n\
         Press Ctrl-C to stop.\n",
        podmiot = p1::SANDBOX_PODMIOT,
        uzytkownik = p1::SANDBOX_UZYTKOWNIK,
        miejsce = p1::SANDBOX_MIEJSCE_PRACY,
        rola = p1::SANDBOX_ROLA,
        lekarz = p1::SANDBOX_LEKARZ,
    );
    output::stdout(&text)?;

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Failed(format!("cannot wait for Ctrl-C: {e}")))?;
    eprintln!("stopping the P1 sandbox");
    sandbox.shutdown().await;
    Ok(())
}

mod cer_sandbox {
    //! `b2b sandbox cer`: the CeR sandbox standalone, with patients and other providers
    //! simulated by commands on standard input.

    use std::fmt::Write as _;
    use std::io::{self, BufRead, Write};
    use std::path::Path;

    use sdk_p1::cer::sandbox::{Odrzucenie, Sandbox, SandboxConfig};
    use sdk_p1::cer::types as c;
    use sdk_p1::cer::zasilenie::StatusSkierowania;
    use sdk_runtime::url::Url;
    use sdk_runtime::values::DateTime;

    use super::{out_dir, shell_quote, write_file};
    use crate::cli::SandboxCerArgs;
    use crate::failure::Failure;
    use crate::p1::{OID_PODMIOT, SANDBOX_PODMIOT};
    use crate::{cer, output};

    /// What the commands on standard input do (the `help` command and the printed text).
    const KOMENDY: &str = concat!(
        "  ikp-zapis         a patient books the first free slot in IKP (a first visit, on an e-referral)\n",
        "  ikp-odwolanie ID  a patient cancels visit ID in IKP\n",
        "  inny-podmiot      another provider books the next free slot\n",
        "  poczekalnia       serve the waiting room\n",
        "  ponow ID          deliver notification ID again (same idNotyfikacji)\n",
        "  notyfikacje       the notifications made and the failed deliveries\n",
        "  wizyty            the visits\n",
        "  help              this list\n",
    );

    /// The receiver from `--odbiornik` and `--odbiornik-ca`: its URL and CA (PEM).
    fn odbiornik(args: &SandboxCerArgs) -> Result<Option<(Url, Vec<u8>)>, Failure> {
        let Some(text) = args.odbiornik.as_deref() else {
            return Ok(None);
        };
        let Some(ca) = args.odbiornik_ca.as_deref() else {
            return Err(Failure::Usage(
                "--odbiornik needs --odbiornik-ca FILE: the CA certificate (PEM) your \
                 receiver's server certificate chains to (the sandbox checks it like CeR)"
                    .to_owned(),
            ));
        };
        let url = Url::parse(text.trim())
            .map_err(|e| Failure::Usage(format!("--odbiornik `{text}` is not a URL: {e}")))?;
        if url.scheme() != "https" {
            return Err(Failure::Usage(format!(
                "--odbiornik must be an https:// URL (CeR delivers over TLS), got `{text}`"
            )));
        }
        let pem = std::fs::read(ca).map_err(|e| {
            Failure::Usage(format!("cannot read --odbiornik-ca {}: {e}", ca.display()))
        })?;
        Ok(Some((url, pem)))
    }

    pub(super) async fn run(args: SandboxCerArgs) -> Result<(), Failure> {
        // Usage errors before anything starts.
        let odbiornik = odbiornik(&args)?;
        let sandbox = Sandbox::start_on(args.listen, SandboxConfig::default())
            .map_err(|e| Failure::Failed(format!("cannot start the CeR sandbox: {e}")))?;
        let tls_cert = sandbox
            .issue_client_cert("sandbox client")
            .map_err(|e| Failure::Failed(format!("cannot issue a TLS client certificate: {e}")))?;
        let signing_cert = sandbox
            .issue_signing_cert("sandbox signer")
            .map_err(|e| Failure::Failed(format!("cannot issue a signing certificate: {e}")))?;
        cer::seed_sandbox(&sandbox).await?;
        if let Some((url, pem)) = &odbiornik {
            // CeR's TLS client certificate at the receiver: from the sandbox's TLS CA, so a
            // receiver trusting ca.pem as its client CA accepts it.
            let identity = sandbox
                .issue_client_cert("CeR sandbox notifications (b2b-sdk)")
                .map_err(|e| Failure::Failed(format!("cannot issue a certificate: {e}")))?
                .identity()
                .map_err(|e| Failure::Failed(format!("cannot use a certificate: {e}")))?;
            let ca = args
                .odbiornik_ca
                .as_deref()
                .map_or_else(String::new, |p| p.display().to_string());
            sandbox
                .zarejestruj_odbiorce(url.clone(), pem, Some(identity))
                .map_err(|e| Failure::Usage(format!("--odbiornik-ca {ca}: {e}")))?;
        }

        let dir = out_dir(args.out, "cer")?;
        let ca = dir.join("ca.pem");
        let client_pem = dir.join("client.pem");
        let wss = dir.join("wss.pem");
        let wss_ca = dir.join("wss-ca.pem");
        let notyfikacje_ca = dir.join("notyfikacje-ca.pem");
        write_file(&ca, sandbox.ca_cert_pem(), false)?;
        write_file(&wss_ca, sandbox.wss_ca_cert_pem(), false)?;
        write_file(&notyfikacje_ca, sandbox.notification_ca_cert_pem(), false)?;
        // These hold private keys: readable by the owner only.
        write_file(&client_pem, &tls_cert.pem_bundle(), true)?;
        write_file(&wss, &signing_cert.pem_bundle(), true)?;

        // The files exist and the data is seeded before the URL is printed: whoever waits for
        // this text can use them.
        output::stdout(&text(
            &sandbox,
            odbiornik.as_ref().map(|(url, _)| url),
            [&ca, &client_pem, &wss, &wss_ca, &notyfikacje_ca],
        ))?;

        serve(&sandbox).await?;
        eprintln!("stopping the CeR sandbox");
        sandbox.shutdown().await;
        Ok(())
    }

    fn text(sandbox: &Sandbox, odbiornik: Option<&Url>, files: [&Path; 5]) -> String {
        let url = sandbox.base_url();
        let endpoint = sandbox.endpoint();
        let [ca, client_pem, wss, wss_ca, notyfikacje_ca] = files.map(shell_quote);
        let sloty: Vec<c::SlotMT> = sandbox
            .harmonogramy()
            .into_iter()
            .flat_map(|h| h.slot)
            .collect();
        let wolne: Vec<String> = sloty
            .iter()
            .filter(|s| s.status == Some(c::StatusSlotuMT::Wolny))
            .filter_map(|s| s.id_slotu.as_ref().map(|i| i.get().clone()))
            .collect();
        let dzien = sloty
            .first()
            .map_or_else(String::new, |s| s.poczatek.local().date().to_string());
        let wizyty = sandbox
            .wizyty()
            .iter()
            .map(|w| format!("{} in slot {}", w.id_wizyty.get(), w.dane.id_slotu.get()))
            .collect::<Vec<_>>()
            .join(", ");
        let przyklad_slotu = wolne.first().map_or("S-2", String::as_str);
        let pesel = cer::SANDBOX_PESEL;
        let telefon = cer::SANDBOX_TELEFON;
        let (podmiot, mus, swiadczenie) =
            (SANDBOX_PODMIOT, cer::SANDBOX_MUS, cer::SANDBOX_SWIADCZENIE);
        let polaczenie = format!(
            "--endpoint {url} --identity {client_pem} \\\n\
             \x20     --signing-identity {wss} --ca {ca} \\\n\
             \x20     --id-podmiotu {podmiot} --mus {mus}"
        );
        let notyfikacje = match odbiornik {
            Some(o) => format!(
                "Notifications go to your receiver {o}: the sandbox trusts --odbiornik-ca for \
                 its server certificate and presents a TLS client certificate issued by the CA \
                 of ca.pem (trust ca.pem as your client CA); each is signed (WS-Security, Body \
                 and Timestamp) by a certificate of the CA of notyfikacje-ca.pem (trust \
                 notyfikacje-ca.pem for their signatures; it signs nothing else)."
            ),
            None => "No receiver (--odbiornik URL --odbiornik-ca FILE): notifications are made \
                     and recorded as not delivered (see `notyfikacje`)."
                .to_owned(),
        };
        format!(
            "CeR sandbox (fictitious data) listening on {url}\n\
             \x20 endpoint    {endpoint}\n\
             \x20 ca.pem      {ca}  (TLS server CA: pass with --ca; it issues the TLS client certificates)\n\
             \x20 client.pem  {client_pem}  (TLS client certificate and key: --identity)\n\
             \x20 wss.pem     {wss}  (WS-Security signing certificate and key: --signing-identity)\n\
             \x20 wss-ca.pem  {wss_ca}  (the providers' signing CA: b2b wssec verify --trust)\n\
             \x20 notyfikacje-ca.pem  {notyfikacje_ca}  (the CA of CeR's notification signatures: trust it in your receiver)\n\
             \n\
             Fictitious entity {podmiot} (idPodmiotu, root {OID_PODMIOT}), place of service \
             (MUŚ) {mus}, benefit {swiadczenie}: a schedule for {dzien} (20-minute slots from \
             08:00 UTC), the place activated, visit {wizyty} booked; free: {wolne}.\n\
             {notyfikacje}\n\
             Every CeR operation is reconstructed (no CeR interface file is public): names and \
             codes may differ from production.\n\
             \n\
             Examples:\n\
             \x20 b2b p1 cer wizyty {polaczenie}\n\
             \x20 b2b p1 cer zapisz --slot {przyklad_slotu} --pesel {pesel} --telefon {telefon} \\\n\
             \x20     {polaczenie}\n\
             \n\
             Commands on standard input, one per line, simulate patients and other providers:\n\
             {KOMENDY}\
             The end of standard input stops reading commands, not the server. Press Ctrl-C to \
             stop.\n",
            wolne = wolne.join(", "),
        )
    }

    /// Serves until Ctrl-C, carrying out the commands read from standard input meanwhile.
    async fn serve(sandbox: &Sandbox) -> Result<(), Failure> {
        // A thread of its own: reading standard input blocks. It ends with the process.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        std::thread::spawn(move || {
            for line in io::stdin().lock().lines() {
                let line = match line {
                    Ok(line) => line,
                    Err(e) => {
                        blad(&format!(
                            "error: cannot read standard input ({e}): no more commands"
                        ));
                        break;
                    }
                };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let mut symulacja = Symulacja::default();
        let mut czytam = true;
        loop {
            tokio::select! {
                stop = &mut ctrl_c => {
                    return stop.map_err(|e| Failure::Failed(format!("cannot wait for Ctrl-C: {e}")));
                }
                line = rx.recv(), if czytam => match line {
                    Some(line) => symulacja.wykonaj(sandbox, &line).await,
                    // The end of standard input: no more commands, the server goes on.
                    None => czytam = false,
                },
            }
        }
    }

    /// One line on standard error; a failure to write it must not stop the server.
    fn blad(text: &str) {
        let _ = writeln!(io::stderr().lock(), "{text}");
    }

    /// Result lines on standard output; a failure to write them must not stop the server.
    fn wynik(text: &str) {
        if let Err(e) = output::stdout(text) {
            blad(&format!("error: {e}"));
        }
    }

    /// The state of the simulated patients and providers: how many there were (fresh fictitious
    /// PESELs and e-referral keys).
    #[derive(Debug, Default)]
    struct Symulacja {
        n: u32,
    }

    impl Symulacja {
        async fn wykonaj(&mut self, sandbox: &Sandbox, line: &str) {
            let mut words = line.split_whitespace();
            let Some(komenda) = words.next() else {
                return;
            };
            let args: Vec<&str> = words.collect();
            let wynik_komendy = match (komenda, args.as_slice()) {
                ("help", []) => {
                    wynik(&format!("Commands:\n{KOMENDY}"));
                    Ok(())
                }
                ("ikp-zapis", []) => self.zapis(sandbox, Kto::Pacjent).await,
                ("inny-podmiot", []) => self.zapis(sandbox, Kto::InnyPodmiot).await,
                ("ikp-odwolanie", [id]) => odwolanie(sandbox, id).await,
                ("poczekalnia", []) => poczekalnia(sandbox).await,
                ("ponow", [id]) => ponow(sandbox, id).await,
                ("notyfikacje", []) => {
                    wynik(&notyfikacje(sandbox));
                    Ok(())
                }
                ("wizyty", []) => {
                    wynik(&wizyty(sandbox));
                    Ok(())
                }
                _ => Err(
                    match KOMENDY
                        .lines()
                        .find(|l| l.split_whitespace().next() == Some(komenda))
                    {
                        Some(uzycie) => match uzycie.trim().split_once("  ") {
                            Some((skladnia, opis)) => {
                                format!("{komenda}: usage: {skladnia} ({})", opis.trim())
                            }
                            None => format!("{komenda}: usage: {}", uzycie.trim()),
                        },
                        None => format!(
                            "unknown command `{}`; one per line:\n{}",
                            line.trim(),
                            KOMENDY.trim_end()
                        ),
                    },
                ),
            };
            if let Err(e) = wynik_komendy {
                blad(&format!("error: {e}"));
            }
        }

        /// A patient in IKP or another provider books the first free slot (in the future)
        /// for a first visit: with a new e-referral, issued (`WYSTAWIONE`), added to the
        /// sandbox's referral table first, as REG.WER.9662 requires of a first visit.
        async fn zapis(&mut self, sandbox: &Sandbox, kto: Kto) -> Result<(), String> {
            let komenda = kto.komenda();
            let rodzaj = c::RodzajWizytyMT::Pierwszorazowa;
            let slot = wolny_slot(sandbox, &rodzaj).ok_or_else(|| {
                format!("{komenda}: no free slot in the future takes a first visit")
            })?;
            self.n += 1;
            let klucz = format!("SKIEROWANIE-SANDBOX-{}", self.n);
            sandbox.dodaj_skierowanie(klucz.clone(), StatusSkierowania::Wystawione);
            let mut kontakt = c::KontaktMT::new();
            kontakt.telefon = Some(format!("600100{:03}", 200 + self.n % 800));
            let mut dane = c::DaneWizytyMT::new(
                slot,
                rodzaj,
                c::IdentyfikatorPacjentaMT::new(pesel(self.n), sdk_p1::OID_PESEL.to_owned()),
                kontakt,
                DateTime::from_offset(
                    time::OffsetDateTime::now_utc()
                        .replace_nanosecond(0)
                        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
                ),
            );
            dane.skierowanie = Some(c::SkierowanieMT::new(
                c::SkierowanieMtChoiceKluczSkierowania::KluczSkierowania(klucz.clone()),
            ));
            let przed = Stan::teraz(sandbox);
            let wizyta = match kto {
                Kto::Pacjent => sandbox.pacjent_zapisuje_przez_ikp(&dane).await,
                Kto::InnyPodmiot => sandbox.inny_podmiot_zapisuje(&dane).await,
            }
            .map_err(|e| format!("{komenda}: {}", odrzucenie(&e)))?;
            wynik(&format!(
                "{komenda}: visit {} booked by {}: slot {} {} – {}, {} on e-referral {klucz}\n{}",
                wizyta.id_wizyty.get(),
                kto.opis(),
                wizyta.dane.id_slotu.get(),
                wizyta.poczatek,
                wizyta.koniec,
                wizyta.dane.rodzaj_wizyty,
                przed.nowe(sandbox),
            ));
            Ok(())
        }
    }

    #[derive(Debug, Clone, Copy)]
    enum Kto {
        Pacjent,
        InnyPodmiot,
    }

    impl Kto {
        fn komenda(self) -> &'static str {
            match self {
                Kto::Pacjent => "ikp-zapis",
                Kto::InnyPodmiot => "inny-podmiot",
            }
        }

        fn opis(self) -> &'static str {
            match self {
                Kto::Pacjent => "a patient in IKP",
                Kto::InnyPodmiot => "another provider",
            }
        }
    }

    /// A fictitious, valid PESEL for simulated patient `n` (born 1985-03-15).
    fn pesel(n: u32) -> String {
        let urodzony =
            time::Date::from_calendar_date(1985, time::Month::March, 15).unwrap_or(time::Date::MIN);
        let seria = u16::try_from(1000 + n % 9000).unwrap_or(1000);
        sdk_p1::Pesel::fikcyjny(urodzony, seria)
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default()
    }

    /// The earliest free slot starting in the future that takes `rodzaj`.
    fn wolny_slot(sandbox: &Sandbox, rodzaj: &c::RodzajWizytyMT) -> Option<c::IdentyfikatorMT> {
        let teraz = time::OffsetDateTime::now_utc();
        sandbox
            .harmonogramy()
            .into_iter()
            .flat_map(|h| h.slot)
            .filter(|s| {
                s.status == Some(c::StatusSlotuMT::Wolny)
                    && s.rodzaj_wizyty.contains(rodzaj)
                    && s.poczatek.instant().is_some_and(|t| t > teraz)
            })
            .filter_map(|s| Some((s.poczatek.instant()?, s.id_slotu?)))
            .min_by_key(|(t, _)| *t)
            .map(|(_, id)| id)
    }

    /// A refusal with its rules, on one line.
    fn odrzucenie(e: &Odrzucenie) -> String {
        let mut text = format!("CeR refused: {}", e.wynik.major.trim());
        if let Some(k) = &e.wynik.komunikat {
            let _ = write!(text, " ({})", k.trim());
        }
        for r in &e.reguly {
            let _ = write!(
                text,
                "; {}: {}",
                r.kod_reguly_weryfikacji,
                r.opis_problemu.as_deref().unwrap_or("")
            );
        }
        text
    }

    /// How many notifications and failed deliveries there were before an event, to report the
    /// ones it made.
    struct Stan {
        notyfikacje: usize,
        nieudane: usize,
    }

    impl Stan {
        fn teraz(sandbox: &Sandbox) -> Self {
            Stan {
                notyfikacje: sandbox.notyfikacje().len(),
                nieudane: sandbox.nieudane_notyfikacje().len(),
            }
        }

        /// One line per notification made since: its id, kind, visit, and whether it was
        /// delivered.
        fn nowe(&self, sandbox: &Sandbox) -> String {
            let nieudane = sandbox.nieudane_notyfikacje();
            let nieudane = nieudane.get(self.nieudane..).unwrap_or_default();
            let notyfikacje = sandbox.notyfikacje();
            let nowe = notyfikacje.get(self.notyfikacje..).unwrap_or_default();
            if nowe.is_empty() {
                return "  no notification\n".to_owned();
            }
            let mut text = String::new();
            for n in nowe {
                let id = n.id_notyfikacji.get();
                let dostarczenie = match nieudane.iter().find(|f| &f.id_notyfikacji == id) {
                    Some(f) => format!("NOT delivered: {}", f.powod),
                    None => "delivered".to_owned(),
                };
                let _ = writeln!(
                    text,
                    "  notification {id} {} (visit {}): {dostarczenie}",
                    n.rodzaj,
                    n.wizyta.id_wizyty.get()
                );
            }
            text
        }
    }

    async fn odwolanie(sandbox: &Sandbox, id: &str) -> Result<(), String> {
        let przed = Stan::teraz(sandbox);
        let wizyta = sandbox
            .pacjent_odwoluje_przez_ikp(id)
            .await
            .map_err(|e| format!("ikp-odwolanie {id}: {}", odrzucenie(&e)))?;
        wynik(&format!(
            "ikp-odwolanie: visit {} cancelled by the patient in IKP ({}), slot {} freed\n{}",
            wizyta.id_wizyty.get(),
            wizyta.status,
            wizyta.dane.id_slotu.get(),
            przed.nowe(sandbox),
        ));
        Ok(())
    }

    async fn poczekalnia(sandbox: &Sandbox) -> Result<(), String> {
        let przed = Stan::teraz(sandbox);
        let wizyty = sandbox
            .obsluz_poczekalnie()
            .await
            .map_err(|e| format!("poczekalnia: {}", odrzucenie(&e)))?;
        let zapisane = wizyty
            .iter()
            .map(|w| format!("{} (slot {})", w.id_wizyty.get(), w.dane.id_slotu.get()))
            .collect::<Vec<_>>();
        wynik(&format!(
            "poczekalnia: {} visit(s) booked from the waiting room{}{}; {} still waiting\n{}",
            zapisane.len(),
            if zapisane.is_empty() { "" } else { ": " },
            zapisane.join(", "),
            sandbox.poczekalnia().len(),
            przed.nowe(sandbox),
        ));
        Ok(())
    }

    async fn ponow(sandbox: &Sandbox, id: &str) -> Result<(), String> {
        sandbox
            .ponow_notyfikacje(id)
            .await
            .map_err(|e| format!("ponow {id}: {e}"))?;
        wynik(&format!("ponow: notification {id} delivered again\n"));
        Ok(())
    }

    fn notyfikacje(sandbox: &Sandbox) -> String {
        let wszystkie = sandbox.notyfikacje();
        let nieudane = sandbox.nieudane_notyfikacje();
        let mut text = format!(
            "notyfikacje: {} made, {} failed deliveries\n",
            wszystkie.len(),
            nieudane.len()
        );
        for n in &wszystkie {
            let _ = writeln!(
                text,
                "  {}  {}  visit {}  at {}",
                n.id_notyfikacji.get(),
                n.rodzaj,
                n.wizyta.id_wizyty.get(),
                n.czas_zdarzenia
            );
        }
        for f in &nieudane {
            let _ = writeln!(
                text,
                "  failed: {} {}: {}",
                f.id_notyfikacji, f.rodzaj, f.powod
            );
        }
        text
    }

    fn wizyty(sandbox: &Sandbox) -> String {
        let wszystkie = sandbox.wizyty();
        let mut text = format!("wizyty: {}\n", wszystkie.len());
        for w in &wszystkie {
            let _ = writeln!(text, "{}", cer::wizyta_line(w));
        }
        text
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn simulated_patients_have_valid_pesels() {
            for n in [0, 1, 2, 9, 8999, 9000, 123_456] {
                let p = pesel(n);
                assert!(sdk_p1::Pesel::parse(&p).is_ok(), "{p}");
            }
        }

        #[test]
        fn the_help_lists_the_commands_the_loop_knows() {
            for line in KOMENDY.lines() {
                assert!(
                    crate::cli::SANDBOX_CER_AFTER_HELP.contains(line),
                    "b2b sandbox cer --help lacks {line:?}"
                );
            }
        }
    }
}

/// `--out` (created if missing) or a fresh private folder; absolute, so printed commands work
/// from any directory.
fn out_dir(out: Option<PathBuf>, service: &str) -> Result<PathBuf, Failure> {
    let dir = match out {
        Some(dir) => {
            fs::create_dir_all(&dir).map_err(|e| {
                Failure::Failed(format!("cannot create --out {}: {e}", dir.display()))
            })?;
            dir
        }
        None => new_temp_dir(service)?,
    };
    Ok(std::path::absolute(&dir).unwrap_or(dir))
}

/// A fresh folder in the temporary directory, private to the user (it receives a private key).
fn new_temp_dir(service: &str) -> Result<PathBuf, Failure> {
    let base = std::env::temp_dir();
    let pid = std::process::id();
    let mut last_error = None;
    for n in 0..1000 {
        let dir = base.join(format!("b2b-sandbox-{service}-{pid}-{n}"));
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        // `create` fails on anything already there (a symlink included), so the folder is ours.
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => {
                return Err(Failure::Failed(format!(
                    "cannot create a folder in {}: {e}",
                    base.display()
                )));
            }
        }
    }
    Err(Failure::Failed(format!(
        "cannot create a folder in {}: {}",
        base.display(),
        last_error.map_or_else(|| "no free name".to_owned(), |e| e.to_string())
    )))
}

/// Writes via a temporary name and a rename, so nobody reads a half-written file.
fn write_file(path: &Path, contents: &str, private: bool) -> Result<(), Failure> {
    let failed = |e: io::Error| Failure::Failed(format!("cannot write {}: {e}", path.display()));
    let tmp = path.with_extension("pem.tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if private { 0o600 } else { 0o644 });
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp).map_err(failed)?;
    // `mode` applies only to new files; a leftover file keeps its permissions otherwise.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if private { 0o600 } else { 0o644 };
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(failed)?;
    }
    file.write_all(contents.as_bytes()).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    drop(file);
    fs::rename(&tmp, path).map_err(failed)
}

/// The path as a POSIX shell word: unchanged when safe, single-quoted otherwise.
fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c));
    if safe {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_only_when_needed() {
        assert_eq!(
            shell_quote(Path::new("/tmp/b2b-1/ca.pem")),
            "/tmp/b2b-1/ca.pem"
        );
        assert_eq!(
            shell_quote(Path::new("/tmp/my dir/ca.pem")),
            "'/tmp/my dir/ca.pem'"
        );
        assert_eq!(shell_quote(Path::new("/tmp/it's")), r"'/tmp/it'\''s'");
    }
}
