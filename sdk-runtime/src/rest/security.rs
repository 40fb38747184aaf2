//! Security schemes of a service description, and the credentials a caller gives to satisfy them.
//!
//! The generator emits one [`SecurityScheme`] per entry of `components/securitySchemes`
//! (`securityDefinitions` in Swagger 2.0) and, per operation, the alternatives of its `security`
//! requirement. The caller sets [`Credentials`] by scheme name; before sending, the client picks
//! the first alternative it can satisfy and applies it. When none can be satisfied the call fails
//! with [`SdkError::MissingCredentials`](crate::SdkError::MissingCredentials) and nothing is sent.
//!
//! OAuth 2.0 and OpenID Connect schemes are satisfied by an access token the caller obtained
//! (the flows, URLs and scopes are described so that the caller knows where to get one); this
//! runtime does not run the flows itself.

use base64::Engine as _;
use std::collections::BTreeMap;
use std::fmt;

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// Which OAuth 2.0 flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthFlowKind {
    /// `implicit`.
    Implicit,
    /// `password` (resource owner password credentials).
    Password,
    /// `clientCredentials` (`application` in Swagger 2.0).
    ClientCredentials,
    /// `authorizationCode` (`accessCode` in Swagger 2.0).
    AuthorizationCode,
}

/// One OAuth 2.0 flow of a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthFlow {
    /// The flow.
    pub kind: OAuthFlowKind,
    /// `authorizationUrl`, for the implicit and authorization-code flows.
    pub authorization_url: Option<&'static str>,
    /// `tokenUrl`, for the password, client-credentials and authorization-code flows.
    pub token_url: Option<&'static str>,
    /// `refreshUrl`.
    pub refresh_url: Option<&'static str>,
    /// Scopes and their descriptions.
    pub scopes: &'static [(&'static str, &'static str)],
}

impl OAuthFlow {
    /// Describes a flow.
    pub const fn new(
        kind: OAuthFlowKind,
        authorization_url: Option<&'static str>,
        token_url: Option<&'static str>,
        refresh_url: Option<&'static str>,
        scopes: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            kind,
            authorization_url,
            token_url,
            refresh_url,
            scopes,
        }
    }
}

/// A security scheme as the service description declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityScheme {
    /// HTTP authentication (`type: http`, or `basic` in Swagger 2.0).
    Http {
        /// The scheme, lower case: `bearer`, `basic`, or another IANA-registered name.
        scheme: &'static str,
        /// `bearerFormat`, a hint such as `JWT`.
        bearer_format: Option<&'static str>,
    },
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// The header, parameter or cookie name.
        name: &'static str,
        /// Where it goes.
        location: ApiKeyLocation,
    },
    /// OAuth 2.0; satisfied by an access token ([`Credential::Bearer`]).
    OAuth2 {
        /// The flows the server supports.
        flows: &'static [OAuthFlow],
    },
    /// OpenID Connect; satisfied by an access token ([`Credential::Bearer`]).
    OpenIdConnect {
        /// The discovery document URL.
        url: &'static str,
    },
    /// Mutual TLS: satisfied by the client certificate of the
    /// [`HttpClient`](crate::transport::HttpClient).
    MutualTls,
}

/// What the caller gives for one scheme. `Debug` never shows secrets.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// A bearer token: for `http`/`bearer`, OAuth 2.0 and OpenID Connect schemes
    /// (`Authorization: Bearer <token>`).
    Bearer(String),
    /// User name and password for `http`/`basic` (`Authorization: Basic …`).
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// The value of an API key.
    ApiKey(String),
    /// A complete `Authorization` header value, for other `http` schemes.
    Authorization(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Self::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Self::Authorization(_) => f.write_str("Authorization(<redacted>)"),
        }
    }
}

/// Credentials by security-scheme name (the key in `securitySchemes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    by_scheme: BTreeMap<String, Credential>,
}

impl Credentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the credential for `scheme`, replacing an earlier one.
    pub fn set(&mut self, scheme: impl Into<String>, credential: Credential) -> &mut Self {
        self.by_scheme.insert(scheme.into(), credential);
        self
    }

    /// Builder form of [`set`](Self::set).
    pub fn with(mut self, scheme: impl Into<String>, credential: Credential) -> Self {
        self.set(scheme, credential);
        self
    }

    /// Removes the credential for `scheme`.
    pub fn remove(&mut self, scheme: &str) -> Option<Credential> {
        self.by_scheme.remove(scheme)
    }

    /// The credential for `scheme`.
    pub fn get(&self, scheme: &str) -> Option<&Credential> {
        self.by_scheme.get(scheme)
    }
}

/// One way to satisfy an operation's security: every listed scheme together (an entry of the
/// operation's `security` array). An empty list means "no authentication".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecurityRequirement {
    /// Scheme names with the OAuth 2.0 / OpenID Connect scopes needed (empty for other kinds).
    pub schemes: &'static [(&'static str, &'static [&'static str])],
}

impl SecurityRequirement {
    /// A requirement of these schemes together.
    pub const fn new(schemes: &'static [(&'static str, &'static [&'static str])]) -> Self {
        Self { schemes }
    }
}

/// Where a credential ends up in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applied {
    Header(String, String),
    Query(String, String),
    Cookie(String, String),
    /// mutual TLS: nothing to add; the transport presents the certificate.
    Nothing,
}

/// How `credential` satisfies `scheme`, or `None` when it does not fit.
pub(crate) fn apply(
    scheme: &SecurityScheme,
    credential: Option<&Credential>,
    has_identity: bool,
) -> Option<Applied> {
    match (scheme, credential) {
        (SecurityScheme::MutualTls, _) => has_identity.then_some(Applied::Nothing),
        (SecurityScheme::Http { scheme, .. }, Some(c)) => {
            let value = match (scheme.to_ascii_lowercase().as_str(), c) {
                ("bearer", Credential::Bearer(t)) => format!("Bearer {t}"),
                ("basic", Credential::Basic { username, password }) => {
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD
                            .encode(format!("{username}:{password}"))
                    )
                }
                (_, Credential::Authorization(v)) => v.clone(),
                _ => return None,
            };
            Some(Applied::Header("authorization".into(), value))
        }
        (SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect { .. }, Some(c)) => {
            match c {
                Credential::Bearer(t) => Some(Applied::Header(
                    "authorization".into(),
                    format!("Bearer {t}"),
                )),
                Credential::Authorization(v) => {
                    Some(Applied::Header("authorization".into(), v.clone()))
                }
                _ => None,
            }
        }
        (SecurityScheme::ApiKey { name, location }, Some(Credential::ApiKey(key))) => {
            let (n, k) = ((*name).to_owned(), key.clone());
            Some(match location {
                ApiKeyLocation::Header => Applied::Header(n, k),
                ApiKeyLocation::Query => Applied::Query(n, k),
                ApiKeyLocation::Cookie => Applied::Cookie(n, k),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_encoded_as_rfc_7617_says() {
        let basic = SecurityScheme::Http {
            scheme: "basic",
            bearer_format: None,
        };
        let c = Credential::Basic {
            username: "Aladdin".into(),
            password: "open sesame".into(),
        };
        assert_eq!(
            apply(&basic, Some(&c), false),
            Some(Applied::Header(
                "authorization".into(),
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into()
            ))
        );
    }

    #[test]
    fn credentials_fit_their_schemes_only() {
        let bearer = SecurityScheme::Http {
            scheme: "bearer",
            bearer_format: None,
        };
        let key = SecurityScheme::ApiKey {
            name: "X-Key",
            location: ApiKeyLocation::Header,
        };
        assert_eq!(
            apply(&bearer, Some(&Credential::Bearer("t".into())), false),
            Some(Applied::Header("authorization".into(), "Bearer t".into()))
        );
        assert_eq!(
            apply(&bearer, Some(&Credential::ApiKey("k".into())), false),
            None
        );
        assert_eq!(apply(&key, None, true), None);
        assert_eq!(
            apply(&key, Some(&Credential::ApiKey("k".into())), false),
            Some(Applied::Header("X-Key".into(), "k".into()))
        );
        assert_eq!(apply(&SecurityScheme::MutualTls, None, false), None);
        assert_eq!(
            apply(&SecurityScheme::MutualTls, None, true),
            Some(Applied::Nothing)
        );
        let basic = SecurityScheme::Http {
            scheme: "basic",
            bearer_format: None,
        };
        assert_eq!(
            apply(
                &basic,
                Some(&Credential::Basic {
                    username: "Aladdin".into(),
                    password: "open sesame".into()
                }),
                false
            ),
            Some(Applied::Header(
                "authorization".into(),
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into()
            ))
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Credential::Basic {
            username: "u".into(),
            password: "secret".into(),
        };
        assert!(!format!("{c:?}").contains("secret"));
        assert!(!format!("{:?}", Credential::Bearer("tok".into())).contains("tok"));
    }
}
