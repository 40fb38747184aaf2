//! Client for the B2B web services of VZP ČR (Všeobecná zdravotní pojišťovna České republiky),
//! generated from service descriptions in `wsdl/vzp/`.
//!
//! | service | operation | provenance |
//! |---|---|---|
//! | Průběh pojištění | [`Client::prubeh_pojisteni`] | wire-verified request; response field names wire-verified, root and nesting reconstructed |
//! | Stav smlouvy podle IČP/IČPP | [`Client::stav_smlouvy`] | wire-verified request; response field names wire-verified, root and nesting reconstructed |
//!
//! VZP publishes its WSDL/XSD only inside per-service PDFs; the descriptions here are written by
//! this project from a working public client (see `wsdl/vzp/*.xsd` for what is verified and what
//! is reconstructed). Responses are therefore read leniently: unknown or reordered elements and a
//! differently named response root still decode, and each deviation is reported in
//! [`Response::diagnostics`](sdk_runtime::soap::Response::diagnostics).
//!
//! Calls are authenticated by mutual TLS with the client certificate VZP paired with your B2B
//! account ([`Identity`](sdk_runtime::transport::Identity), from a `.p12`/`.pfx` or PEM). Input is
//! checked before anything is sent ([`CisloPojistence`], [`Icp`]); HTTP 503 — VZP's answer to too
//! many calls — is [`SdkError::RateLimited`](sdk_runtime::SdkError::RateLimited).
//!
//! With the `sandbox` feature, [`sandbox::Sandbox`] runs an in-process fake of the VZP B2B
//! server (mTLS, fictitious data) for tests and demos.

mod calls;
mod domain;

#[rustfmt::skip]
pub mod generated;

#[cfg(feature = "as2")]
pub mod podani;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod soubory;

#[cfg(any(feature = "pzs", feature = "pojistovna"))]
pub use calls::{PrubehPojisteni, PrubehPojisteniError};
#[cfg(feature = "pzs")]
pub use calls::{StavSmlouvy, StavSmlouvyError};
pub use domain::{CisloPojistence, DruhPojisteni, Icp, parse_date};
pub use generated::client::{Client, ClientBuilder};
pub use generated::*;
pub use sdk_runtime::client::ClientBuildError;
