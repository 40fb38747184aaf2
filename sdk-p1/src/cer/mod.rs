//! Centralna e-Rejestracja (CeR), P1's central booking of visits (feature `cer`).
//!
//! Every part of it is **reconstructed**: CeZ publishes no CeR interface file. The operations,
//! fields and codes come from NFZ's onboarding material (seed 001) and `../shared/facts/p1.md`,
//! in P1's conventions; names may differ from production.

mod client;
pub mod odbiornik;
pub mod reguly;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod uzgodnienie;
pub mod zasilenie;

pub use client::{
    CER_PATH, Client, KONTEKST_CER, KONTEKST_CER_NS, KontekstCeR, KontekstCeRBuilder, OPERATIONS,
    UzgodnienieError, ZasilenieError, endpoint, rola_systemu, signer, signing_profile,
    verification_policy,
};

/// The generated operations (one module each, with its provenance and source) and types.
pub use crate::generated::cer::{operation, types};

/// The notifications CeR pushes to the provider's endpoint (generated; reconstructed: the
/// payload is not public).
pub use crate::generated::cer_notyfikacje as notyfikacje;
