//! Shared runtime of the health-care B2B SDK family.
//!
//! The `sdk-*` crates are generated from service descriptions; everything they have in common is
//! written by hand here, once:
//!
//! * [`xml`]: a strict XML writer, a namespace-aware lenient reader with diagnostics, and the
//!   traits generated types implement.
//! * [`soap`]: SOAP 1.1/1.2 envelopes, faults, and the operation call path.
//! * [`transport`]: HTTPS over rustls with a client identity from PKCS#12 or PEM, timeouts.
//! * [`values`]: exact decimals, date-times, times, durations and the Gregorian parts of XSD,
//!   kept as written and compared by value.
//! * [`error`]: the error every operation returns ([`SdkError`]).
//! * [`wssec`]: WS-Security building blocks: exclusive XML canonicalization over a strict,
//!   position-keeping document parse.
//! * `as2` (feature `as2`): AS2 (RFC 4130) messages and receipts over S/MIME with CMS.
//! * [`client`]: the builder behind the generated family clients (one transport, one base URL,
//!   the authority's rules checked when the client is built).
//! * `rest` (feature `rest`): the REST/JSON call path of clients generated from OpenAPI, with
//!   security schemes, credentials and per-status response decoding.
//! * `tabular` (feature `tabular`): delimited text files with a header (SÚKL's windows-1250 DLP
//!   code lists) streamed as typed records, every bad row reported with its line.
//! * `sandbox` (feature `sandbox`): in-process mTLS servers and a throwaway PKI for the
//!   embedded authority sandboxes and tests.

pub mod answers;
#[cfg(feature = "as2")]
pub mod as2;
pub mod client;
pub mod error;
mod macros;
pub mod positional;
pub mod redact;
pub mod requests;
#[cfg(feature = "rest")]
pub mod rest;
pub mod soap;
#[cfg(feature = "tabular")]
pub mod tabular;
pub mod transport;
pub mod values;
pub mod wssec;
pub mod xml;

#[cfg(feature = "sandbox")]
pub mod sandbox;
#[cfg(feature = "server")]
pub mod server;

pub use error::SdkError;
pub use soap::Provenance;
pub use time::Date;
pub use values::{DateTime, Decimal};
/// Re-exported so generated crates need no direct dependency on these.
pub use {bytes, encoding_rs, url};
