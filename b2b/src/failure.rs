//! What can go wrong, as one line for people and an exit code.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::soap::FaultError;
use sdk_runtime::transport::{BuildError, IdentityError, TlsFailure, TransportError};
use sdk_runtime::xml::ValidationError;
use sdk_vzp::ClientBuildError;

use crate::identity::KeyRole;

/// A failed run: the message (printed after `error: `) and its kind, which picks the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Invalid input or a wrong combination of options: exit code 2, nothing was sent.
    Usage(String),
    /// The service, the network, a certificate or a file got in the way: exit code 1.
    Failed(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Failed(_) => 1,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) | Self::Failed(m) => f.write_str(m),
        }
    }
}

impl From<ValidationError> for Failure {
    fn from(e: ValidationError) -> Self {
        // Displays as `invalid input: <field>: <rule>`; never contains the value itself.
        Self::Usage(e.to_string())
    }
}

/// Where the password of a PKCS#12 file came from, for the wrong-password message.
#[derive(Debug, Clone, Copy)]
pub enum PasswordSource {
    None,
    Environment,
    Prompt,
}

/// A certificate that could not be loaded from `path`.
pub fn identity(
    role: KeyRole,
    path: &Path,
    source: PasswordSource,
    err: &IdentityError,
) -> Failure {
    let file = path.display();
    let KeyRole {
        what,
        password_env: env,
    } = role;
    let message = match err {
        IdentityError::WrongPassword => {
            let from = match source {
                PasswordSource::Environment => format!(" (taken from ${env})"),
                PasswordSource::Prompt => " (as typed)".to_owned(),
                PasswordSource::None => String::new(),
            };
            format!("cannot open the {what} {file}: the PKCS#12 password{from} is wrong")
        }
        IdentityError::PasswordRequired => format!(
            "the {what} {file} is a PKCS#12 keystore and needs a password: set ${env} (no \
             terminal to ask on)"
        ),
        // `Io` already names the file.
        IdentityError::Io { .. } => format!("cannot load the {what}: {err}"),
        other => format!("cannot load the {what} from {file}: {other}"),
    };
    Failure::Failed(message)
}

/// A client that could not be built (trust roots, TLS configuration).
pub fn client_build(err: ClientBuildError) -> Failure {
    match err {
        ClientBuildError::BaseUrl { .. } => Failure::Usage(format!("--endpoint: {err}")),
        ClientBuildError::Transport(BuildError::InvalidRootCertificate(why)) => Failure::Failed(
            format!("a --ca file holds an unusable root certificate: {why}"),
        ),
        other => Failure::Failed(format!("cannot set up the HTTPS client: {other}")),
    }
}

/// A call that failed. `fault` picks the SOAP fault out of the operation's own error type.
pub fn call<E: FaultError + fmt::Display>(
    err: SdkError<E>,
    configured_timeout: Duration,
) -> Failure {
    let message = match err {
        SdkError::InvalidInput(e) => return Failure::Usage(e.to_string()),
        SdkError::Timeout { after } => {
            let hint = if after >= configured_timeout {
                "; raise --timeout to wait longer"
            } else {
                // Only the connect timeout is shorter than the whole-call timeout.
                " (connecting timed out; is the endpoint reachable from here?)"
            };
            format!("no answer within {}{hint}", seconds(after))
        }
        SdkError::Transport(e) => transport(&e),
        SdkError::RateLimited {
            status,
            retry_after,
            ..
        } => {
            let wait = match retry_after {
                Some(d) => format!("the server asks to wait {}", seconds(d)),
                None => "VZP advises waiting e.g. 15 minutes".to_owned(),
            };
            format!(
                "VZP refused the call: too many calls in a short time (HTTP {status}); {wait} \
                 before calling again"
            )
        }
        SdkError::Http { status, raw } => {
            let body = one_line_prefix(&raw, 200);
            if body.is_empty() {
                format!("the server answered HTTP {status} with an empty body")
            } else {
                format!("the server answered HTTP {status} without a SOAP fault: {body}")
            }
        }
        SdkError::Decode { error, status, .. } => {
            format!("cannot read the server's answer (HTTP {status}): {error}")
        }
        SdkError::Service(e) => {
            let f = e.fault();
            let mut code = f.code.local.clone();
            for sub in &f.subcodes {
                code.push('/');
                code.push_str(&sub.local);
            }
            let blame = if f.is_client_fault() {
                " (the service blames the request)"
            } else {
                ""
            };
            format!(
                "the service answered with a fault{blame}: {code}: {}",
                single_line(&f.message)
            )
        }
        // `SdkError` is non-exhaustive; its own wording is the best we have for newer variants.
        other => single_line(&other.to_string()),
    };
    Failure::Failed(message)
}

fn transport(e: &TransportError) -> String {
    match e {
        TransportError::Tls { kind, message, .. } => {
            let hint = match kind {
                TlsFailure::ServerCertificateRejected => {
                    "if the server's certificate is not issued by a public authority, pass its \
                     issuer with --ca"
                }
                TlsFailure::ClientCertificateRejected => {
                    "check that --identity is the certificate paired with your B2B account and \
                     still valid"
                }
                TlsFailure::ClientCertificateRequired => {
                    "the server requires a client certificate: pass it with --identity"
                }
                _ => "check the client certificate (--identity) and the trusted roots (--ca)",
            };
            format!("{message}; {hint}")
        }
        TransportError::InsecureUrl(_) => e.to_string(),
        other => single_line(&other.to_string()),
    }
}

/// "30 s", "1.5 s".
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The first `max` bytes of a body as one line of text (binary and line breaks flattened).
fn one_line_prefix(raw: &[u8], max: usize) -> String {
    let cut = raw.get(..max).unwrap_or(raw);
    let text = String::from_utf8_lossy(cut);
    // A multi-byte character cut in half shows up as a trailing U+FFFD; drop it.
    let text = text.trim_end_matches('\u{FFFD}');
    let mut line = single_line(text);
    if raw.len() > max {
        line.push('…');
    }
    line
}

/// Collapses runs of whitespace and control characters into single spaces.
pub fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sdk_runtime::soap::SoapFault;

    #[test]
    fn bodies_are_shortened_to_one_line() {
        let body = "<html>\n<body>\r\n\t<h1>Bad   gateway</h1></body></html>";
        assert_eq!(
            one_line_prefix(body.as_bytes(), 200),
            "<html> <body> <h1>Bad gateway</h1></body></html>"
        );
        let long = "é".repeat(150); // 300 bytes; byte 200 is a character boundary
        assert_eq!(one_line_prefix(long.as_bytes(), 199).chars().count(), 100);
        assert!(one_line_prefix(long.as_bytes(), 199).ends_with('…'));
    }

    type Err = SdkError<SoapFault>;

    fn message(err: Err) -> (u8, String) {
        let f = call(err, Duration::from_secs(30));
        (f.exit_code(), f.to_string())
    }

    #[test]
    fn sdk_errors_become_one_line_messages() {
        let (code, m) = message(Err::Timeout {
            after: Duration::from_secs(30),
        });
        assert_eq!(
            (code, m.as_str()),
            (1, "no answer within 30 s; raise --timeout to wait longer")
        );

        let (code, m) = message(Err::RateLimited {
            status: 503,
            retry_after: None,
            raw: sdk_runtime::bytes::Bytes::new(),
        });
        assert_eq!(code, 1);
        assert!(m.starts_with("VZP refused the call: too many calls in a short time (HTTP 503)"));
        assert!(m.contains("15 minutes"), "{m}");

        let (_, m) = message(Err::Http {
            status: 502,
            raw: sdk_runtime::bytes::Bytes::from(format!(
                "<h1>Bad\ngateway</h1>{}",
                "x".repeat(300)
            )),
        });
        assert!(
            m.starts_with(
                "the server answered HTTP 502 without a SOAP fault: <h1>Bad gateway</h1>xxx"
            ),
            "{m}"
        );
        assert!(m.len() < 300, "{m}");
        assert!(!m.contains('\n'));

        let xml = sdk_runtime::soap::write_fault(
            sdk_runtime::soap::SoapVersion::V11,
            true,
            "neplatný požadavek",
            None,
        );
        let env = sdk_runtime::soap::Envelope::parse(xml.as_bytes()).unwrap();
        let fault = SoapFault::from_envelope(&env, 500, xml.clone().into()).unwrap();
        let (code, m) = message(Err::Service(fault));
        assert_eq!(code, 1);
        assert_eq!(
            m,
            "the service answered with a fault (the service blames the request): Client: neplatný požadavek"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }
}
