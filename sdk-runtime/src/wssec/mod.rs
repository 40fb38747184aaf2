//! WS-Security building blocks, written by hand in pure Rust.
//!
//! No maintained Rust crate signs or verifies WS-Security messages production-grade, nor does
//! exclusive XML canonicalization (see [`c14n`] for the crates checked), so the pieces live here:
//!
//! * [`Document`]: a strict, namespace-resolved parse of a message that keeps what signatures
//!   depend on (normalised attribute values, namespace declarations where written, processing
//!   instructions, element positions) and finds signed elements by ID without ambiguity.
//! * [`ExcC14n`]: Exclusive XML Canonicalization 1.0 with the InclusiveNamespaces PrefixList,
//!   byte-identical to libxml2/xmlsec1, for a whole document or one element in its context.

pub mod c14n;
pub mod document;

pub use c14n::{C14nError, EXC_C14N, EXC_C14N_WITH_COMMENTS, ExcC14n};
pub use document::{Document, DocumentError, Element, ElementId, LookupError};
