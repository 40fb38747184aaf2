//! Client for Chongqing's 金保 social-insurance interface of designated medical institutions
//! (重庆市金保工程定点医疗机构统一标准社保接口), generated from the description of its transactions in
//! `positional/chongqing/`.
//!
//! The interface is a vendor library (`SiInterface.dll`) with two functions: `INIT()`, called
//! once, and `BUSINESS_HANDLE(in, out)`, which takes a transaction code and `|`-separated fields
//! in GBK and writes the answer into a buffer the caller allocates. [`Client`] speaks it over a
//! [`Transport`]: [`DllTransport`] loads the library at run time; with the `sandbox` feature,
//! [`sandbox::InProcess`] answers from fictitious data without a library, and the workspace's
//! `chongqing-sandbox-dll` crate builds the same answers into a library with the DLL's C ABI.
//!
//! ```no_run
//! use sdk_chongqing::jiaoyi::{Transactions as _, t01};
//! use sdk_chongqing::{Client, DllTransport};
//!
//! let client = Client::new(DllTransport::load(r"D:\Client\SiInterface.dll")?);
//! client.init()?;
//! let person = client.ren_yuan_xin_xi(&t01::Request::new("A1234567".to_owned()))?;
//! println!("{:?}", person.ren_yuan_lei_bie);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every transaction of the specification's table of contents (01–30) and the reversal 99 seen
//! in client code has a method ([`jiaoyi::Transactions`]); those whose fields a working client
//! shows are typed, the others take and give raw fields (see [`jiaoyi`] for which is which).
//! Input is checked before the library is called: lengths in GBK bytes, characters GBK lacks,
//! the separator inside a value, decimal formats ([`Error::InvalidInput`]). The library's
//! failure (`-1`) and a refused transaction (status `-1`) are [`Error::Interface`] and
//! [`Error::Business`].

mod client;
mod dll;
#[rustfmt::skip]
pub mod generated;
#[cfg(feature = "sandbox")]
pub mod sandbox;
mod transport;

pub use client::{Client, Error};
pub use dll::DllTransport;
pub use generated::jiaoyi;
pub use transport::{Transport, TransportError};
