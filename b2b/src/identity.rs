//! Loading the client certificate, with the PKCS#12 password from the environment or a prompt.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use sdk_runtime::transport::{Identity, IdentityError};

use crate::cli::{PASSWORD_ENV, SIGNING_PASSWORD_ENV};
use crate::failure::{self, Failure, PasswordSource};

/// Which certificate a file holds, for messages and the password's environment variable.
#[derive(Debug, Clone, Copy)]
pub struct KeyRole {
    /// "client certificate", "signing certificate".
    pub what: &'static str,
    /// The environment variable holding the PKCS#12 password.
    pub password_env: &'static str,
}

/// The TLS client certificate (`--identity` of the service commands).
pub const CLIENT: KeyRole = KeyRole {
    what: "client certificate",
    password_env: PASSWORD_ENV,
};

/// The WS-Security signing certificate (P1's `…-wss.p12`), separate from the TLS one and with
/// its own password variable.
pub const SIGNING: KeyRole = KeyRole {
    what: "signing certificate",
    password_env: SIGNING_PASSWORD_ENV,
};

/// Loads `--identity` (and `--key`) as the TLS client certificate.
pub fn load(path: &Path, key: Option<&Path>) -> Result<Identity, Failure> {
    load_as(CLIENT, path, key)
}

/// Loads a certificate with its key for `role`. The password is never a command-line flag:
/// flags end up in shell histories and process listings.
pub fn load_as(role: KeyRole, path: &Path, key: Option<&Path>) -> Result<Identity, Failure> {
    let env = role.password_env;
    if let Some(key) = key {
        // A separate key file means PEM; there is no password to ask for.
        return Identity::from_pem_files(path, Some(key))
            .map_err(|e| failure::identity(role, path, PasswordSource::None, &e));
    }
    // First without a password: PEM files and keystores exported with an empty password open
    // like this, and nobody is asked for a password they do not have.
    match Identity::from_file(path, None) {
        Err(IdentityError::PasswordRequired) => {}
        other => return other.map_err(|e| failure::identity(role, path, PasswordSource::None, &e)),
    }
    let (password, source) = match std::env::var(env) {
        Ok(p) => (p, PasswordSource::Environment),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Failure::Failed(format!(
                "${env} is not valid UTF-8; PKCS#12 passwords are text"
            )));
        }
        Err(std::env::VarError::NotPresent) if std::io::stdin().is_terminal() => {
            let prompt = format!("Password of {}: ", path.display());
            let p = rpassword::prompt_password(prompt).map_err(|e| {
                Failure::Failed(format!(
                    "cannot read the password of {} from the terminal ({e}); set ${env} \
                     instead",
                    path.display()
                ))
            })?;
            (p, PasswordSource::Prompt)
        }
        Err(std::env::VarError::NotPresent) => {
            return Err(failure::identity(
                role,
                path,
                PasswordSource::None,
                &IdentityError::PasswordRequired,
            ));
        }
    };
    Identity::from_file(path, Some(&password))
        .map_err(|e| failure::identity(role, path, source, &e))
}

/// Adds each `--ca` file (PEM) to a client builder with `add`.
pub fn with_ca_files<B, E: std::fmt::Display>(
    mut builder: B,
    paths: &[PathBuf],
    add: impl Fn(B, &[u8]) -> Result<B, E>,
) -> Result<B, Failure> {
    for path in paths {
        let pem = std::fs::read(path)
            .map_err(|e| Failure::Failed(format!("cannot read --ca {}: {e}", path.display())))?;
        builder = add(builder, &pem)
            .map_err(|e| Failure::Failed(format!("--ca {}: {e}", path.display())))?;
    }
    Ok(builder)
}
