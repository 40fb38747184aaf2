//! Client for SÚKL's interfaces for pharmacies (Státní ústav pro kontrolu léčiv, the Czech State
//! Institute for Drug Control), generated from service descriptions in `openapi/sukl/`.
//!
//! * [`lek13`]: LEK-13 reports of dispensed medicinal products (REST/JSON, mutual TLS with the
//!   pharmacy's SÚKL certificate): prescriptions, requisitions and restricted sales, to report
//!   within 168 hours. Reconstructed from SÚKL's guidance; see the module.
//! * `erecept` (features `pharmacist` and `prescriber`): eRecept, the electronic prescriptions
//!   (SOAP, interface 201704A, matching SÚKL's published WSDL/XSD): the pharmacist's CUER and
//!   RLPO Lékárník and the prescriber's CUER and RLPO Lékař, with mutual TLS, HTTP Basic, the
//!   message header and the signed requests; SÚKL's faults typed.
//! * `ciselniky` (feature `ciselniky`): Číselníky SÚKL, the drug code lists over REST
//!   (generated from SÚKL's published Swagger 2.0 description): a product by kód SÚKL, product
//!   pages, manufacturer's prices, pharmacies listed or delisted, and every other code list.
//! * [`outbox`]: a durable outbox for those reports: each is stored before it is sent and sent
//!   with backoff until SÚKL acknowledges it, exactly once across crashes (its UUID makes a
//!   resend idempotent); SQLite embedded by default, PostgreSQL for several workers; which
//!   reports are due or overdue. Needs one of the features `sqlite` (default) or `postgres`.
//! * `dlp` (feature `dlp`, default): SÚKL's DLP open data — the drug code lists (`dlp_*.csv`,
//!   windows-1250) and the LEK-13/DIS-13/REG-13 monthly aggregates — streamed as typed records,
//!   every bad row reported with its line and column; with `sqlite`, `dlp::DlpIndex`, a local
//!   index of the products by kód SÚKL for lookups without network.
//! * `sandbox` (feature `sandbox`): an in-process SÚKL with mutual TLS that serves LEK-13 with
//!   its rules and can be told to drop connections, fail or delay.

#[cfg(feature = "ciselniky")]
pub mod ciselniky;
#[cfg(feature = "dlp")]
pub mod dlp;
#[cfg(any(feature = "pharmacist", feature = "prescriber"))]
pub mod erecept;
pub mod lek13;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod outbox;

#[rustfmt::skip]
pub mod generated;

#[cfg(feature = "sandbox")]
pub mod sandbox;
