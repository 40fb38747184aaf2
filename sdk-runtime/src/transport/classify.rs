//! Turns reqwest's layered errors into [`TransportError`]s that say what happened.
//!
//! reqwest wraps hyper, which wraps the connector, which wraps `io::Error`, which wraps the
//! `rustls::Error`. Note that `io::Error::source()` skips the error it wraps (it returns the
//! wrapped error's source), so the walk below looks inside every `io::Error` explicitly.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use rustls::{AlertDescription, CertificateError};

use super::http::{TlsFailure, TransportError};

/// What the classifier needs to know about the request.
pub(crate) struct Context<'a> {
    /// `host:port` of the server.
    pub(crate) endpoint: &'a str,
    /// Whether a client certificate was configured.
    pub(crate) has_identity: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
}

pub(crate) fn classify(err: reqwest::Error, cx: &Context<'_>) -> TransportError {
    if let Some(tls) = find::<rustls::Error>(&err) {
        let (kind, why) = describe_tls(tls, cx);
        let message = format!("TLS handshake with {} failed: {why}", cx.endpoint);
        return TransportError::Tls {
            kind,
            message,
            source: Box::new(err),
        };
    }
    if err.is_timeout() {
        let after = if err.is_connect() {
            cx.connect_timeout
        } else {
            cx.timeout
        };
        return TransportError::Timeout { after };
    }
    if err.is_connect() {
        let message = format!(
            "cannot connect to {}: {}",
            cx.endpoint,
            describe_connect(&err)
        );
        return TransportError::Connect {
            message,
            source: Box::new(err),
        };
    }
    let message = format!(
        "the request to {} failed: {}",
        cx.endpoint,
        innermost_message(&err)
    );
    TransportError::Other {
        message,
        source: Box::new(err),
    }
}

/// The error chain, looking through `io::Error` wrappers.
fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e| next_in_chain(e))
}

fn next_in_chain<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a (dyn StdError + 'static)> {
    match e.downcast_ref::<io::Error>() {
        Some(io) => match io.get_ref() {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => io.source(),
        },
        None => e.source(),
    }
}

fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(err).find_map(|e| e.downcast_ref::<T>())
}

fn innermost_message(err: &(dyn StdError + 'static)) -> String {
    chain(err)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default()
}

fn describe_connect(err: &(dyn StdError + 'static)) -> String {
    let refused = chain(err).any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::ConnectionRefused)
    });
    if refused {
        return "connection refused (is the server running and the port right?)".into();
    }
    // hyper-util reports resolver failures as "dns error" over the resolver's io::Error.
    if chain(err).any(|e| e.to_string().starts_with("dns error")) {
        return format!(
            "the host name cannot be resolved ({})",
            innermost_message(err)
        );
    }
    innermost_message(err)
}

fn describe_tls(err: &rustls::Error, cx: &Context<'_>) -> (TlsFailure, String) {
    match err {
        rustls::Error::AlertReceived(alert) => describe_alert(*alert, cx.has_identity),
        rustls::Error::InvalidCertificate(e) => (
            TlsFailure::ServerCertificateRejected,
            describe_server_certificate(e, cx.endpoint),
        ),
        rustls::Error::NoCertificatesPresented => (
            TlsFailure::ServerCertificateRejected,
            "the server presented no certificate".into(),
        ),
        rustls::Error::PeerIncompatible(p) => (
            TlsFailure::Protocol,
            format!(
                "the server shares no TLS version or cipher suite with us (TLS 1.2/1.3): {p:?}"
            ),
        ),
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => (
            TlsFailure::Protocol,
            format!("the server did not answer with valid TLS ({err}); is this an HTTPS port?"),
        ),
        other => (TlsFailure::Other, other.to_string()),
    }
}

fn describe_alert(alert: AlertDescription, has_identity: bool) -> (TlsFailure, String) {
    let kind = if is_about_client_certificate(alert) {
        if has_identity {
            TlsFailure::ClientCertificateRejected
        } else {
            TlsFailure::ClientCertificateRequired
        }
    } else if alert == AlertDescription::ProtocolVersion {
        TlsFailure::Protocol
    } else {
        TlsFailure::Other
    };
    (kind, describe_alert_text(alert, has_identity))
}

/// Alerts a server sends when it does not accept (or did not get) the client's certificate.
fn is_about_client_certificate(alert: AlertDescription) -> bool {
    use AlertDescription as A;
    matches!(
        alert,
        A::CertificateRequired
            | A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCA
            | A::AccessDenied
    )
}

fn describe_alert_text(alert: AlertDescription, has_identity: bool) -> String {
    use AlertDescription as A;
    if is_about_client_certificate(alert) {
        if !has_identity {
            return format!(
                "the server requires a client certificate, but none is configured (alert {alert:?})"
            );
        }
        let why = match alert {
            A::UnknownCA => ": it does not trust the certificate's issuer",
            A::CertificateExpired => ": it says the certificate has expired",
            A::CertificateRevoked => ": it says the certificate has been revoked",
            _ => "",
        };
        return format!("the server rejected the client certificate{why} (alert {alert:?})");
    }
    match alert {
        A::HandshakeFailure if has_identity => "the server refused the handshake (alert \
             HandshakeFailure): it may not accept our client certificate, or we share no \
             cipher suite"
            .into(),
        A::HandshakeFailure => "the server refused the handshake (alert HandshakeFailure): it \
             may require a client certificate (none is configured), or we share no cipher suite"
            .into(),
        A::ProtocolVersion => {
            "the server supports neither TLS 1.2 nor TLS 1.3 (alert ProtocolVersion)".into()
        }
        other => format!("the server aborted the connection (alert {other:?})"),
    }
}

fn describe_server_certificate(err: &CertificateError, endpoint: &str) -> String {
    use CertificateError as C;
    let host = endpoint.rsplit_once(':').map_or(endpoint, |(host, _)| host);
    match err {
        C::UnknownIssuer => "the server's certificate is not trusted: it was issued by an \
             unknown certificate authority"
            .into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            format!("the server's certificate is not valid for the name {host}")
        }
        C::Expired | C::ExpiredContext { .. } => "the server's certificate has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "the server's certificate is not valid yet (is this computer's clock right?)".into()
        }
        C::Revoked => "the server's certificate has been revoked".into(),
        C::BadSignature => "the server's certificate has an invalid signature".into(),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "the server's certificate is not meant for TLS servers".into()
        }
        other => format!("the server's certificate was rejected ({other})"),
    }
}
