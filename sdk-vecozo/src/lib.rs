//! Client for VECOZO's web services (Netherlands), generated from service descriptions in
//! `wsdl/vecozo/` and `openapi/vecozo/`.
//!
//! | service | where | provenance |
//! |---|---|---|
//! | COV VZ801/802 (`Controleer`: 1–20 insurance checks per call), SOAP 1.1 and 1.2 | [`Client::controleer`], [`cov::Cov`] | reconstructed (names from client code, types reconstructed) |
//! | Machtigingenportaal Instroomservice (pre-filled authorisation request → link) | [`instroom::Instroom`] | reconstructed (from VECOZO's support page) |
//! | VSP-Koppeling Berichtstatus REST Pull V2 and V3 | [`berichtstatus_v2::Client`], [`berichtstatus_v3::Client`] | published (matches VECOZO's OpenAPI documents) |
//! | VSP-Koppeling Berichtuitwisseling REST Pull V1 / Push V1 | [`berichten_pull::Client`], [`berichten_push::Client`] | published |
//!
//! Every call is authenticated by the practice's VECOZO **system certificate** (mutual TLS,
//! [`Identity`](sdk_runtime::transport::Identity)). Input is checked before anything is sent:
//! schema facets, [`Bsn`] by the eleven test, [`AgbCode`]s, at most 20 queries per COV call, and
//! for the Instroomservice the rules that tie the certificates to the institution in the data
//! ([`instroom::InstroomFout`]).
//!
//! With the `sandbox` feature, [`sandbox::Sandbox`] runs an in-process fake of VECOZO (mTLS with
//! system certificates carrying an AGB code, fictitious data) for tests and demos.

mod agb;
mod bsn;
pub mod certificaat;
pub mod cov;
pub mod instroom;

#[rustfmt::skip]
pub mod generated;

#[cfg(feature = "sandbox")]
pub mod sandbox;

pub use agb::{AgbCode, AgbCodeError, AgbSoort};
pub use bsn::Bsn;
pub use generated::client::{Client, ClientBuilder};
pub use generated::{berichten_pull, berichten_push, berichtstatus_v2, berichtstatus_v3};
pub use sdk_runtime::client::ClientBuildError;
