//! `b2b sandbox vzp|p1`: an embedded sandbox as a standalone server, until Ctrl-C.

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
