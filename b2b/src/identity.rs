//! Loading the client certificate, with the PKCS#12 password from the environment or a prompt.

use std::io::IsTerminal;
use std::path::Path;

use sdk_runtime::transport::{Identity, IdentityError};

use crate::cli::PASSWORD_ENV;
use crate::failure::{self, Failure, PasswordSource};

/// Loads `--identity` (and `--key`). The password is never a command-line flag: flags end up in
/// shell histories and process listings.
pub fn load(path: &Path, key: Option<&Path>) -> Result<Identity, Failure> {
    if let Some(key) = key {
        // A separate key file means PEM; there is no password to ask for.
        return Identity::from_pem_files(path, Some(key))
            .map_err(|e| failure::identity(path, PasswordSource::None, &e));
    }
    // First without a password: PEM files and keystores exported with an empty password open
    // like this, and nobody is asked for a password they do not have.
    match Identity::from_file(path, None) {
        Err(IdentityError::PasswordRequired) => {}
        other => return other.map_err(|e| failure::identity(path, PasswordSource::None, &e)),
    }
    let (password, source) = match std::env::var(PASSWORD_ENV) {
        Ok(p) => (p, PasswordSource::Environment),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Failure::Failed(format!(
                "${PASSWORD_ENV} is not valid UTF-8; PKCS#12 passwords are text"
            )));
        }
        Err(std::env::VarError::NotPresent) if std::io::stdin().is_terminal() => {
            let prompt = format!("Password of {}: ", path.display());
            let p = rpassword::prompt_password(prompt).map_err(|e| {
                Failure::Failed(format!(
                    "cannot read the password of {} from the terminal ({e}); set ${PASSWORD_ENV} \
                     instead",
                    path.display()
                ))
            })?;
            (p, PasswordSource::Prompt)
        }
        Err(std::env::VarError::NotPresent) => {
            return Err(failure::identity(
                path,
                PasswordSource::None,
                &IdentityError::PasswordRequired,
            ));
        }
    };
    Identity::from_file(path, Some(&password)).map_err(|e| failure::identity(path, source, &e))
}
