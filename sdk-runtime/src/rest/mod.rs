//! REST/JSON: the call path of the clients generated from OpenAPI 3.0 and Swagger 2.0
//! descriptions (feature `rest`).
//!
//! * [`RestClient`]: builds the URL from the server URL and the operation's path template,
//!   applies credentials, sends over [`HttpClient`](crate::transport::HttpClient) and decodes the
//!   answer ([`RestOperation`]): a success status into the operation's output, an error status
//!   into its `Error` enum ([`OperationError`]), one variant per documented status plus
//!   `Unhandled`, as SOAP faults are.
//! * [`Request`]: path, query, header and cookie parameters and JSON, form or multipart bodies;
//!   bad parameter values are reported before anything is sent.
//! * [`SecurityScheme`], [`Credentials`]: the description's security schemes and what the
//!   caller provides for them; a missing credential fails the call before sending
//!   ([`SdkError::MissingCredentials`](crate::SdkError::MissingCredentials)).
//! * [`Nullable`]: optional *and* nullable properties, where absent and `null` differ.

mod client;
mod nullable;
mod request;
mod security;

pub use client::{
    OperationError, Response, RestClient, RestOperation, body_excerpt, bytes, decode_answer, empty,
    json, text,
};
pub use nullable::Nullable;
pub use request::{Form, Multipart, OperationSpec, Request, param_texts};
pub use security::{
    ApiKeyLocation, Credential, Credentials, OAuthFlow, OAuthFlowKind, SecurityRequirement,
    SecurityScheme,
};
