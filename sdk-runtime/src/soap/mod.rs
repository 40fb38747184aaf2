//! SOAP 1.1/1.2: envelopes, faults and the operation call path.

mod client;
mod envelope;
mod fault;

pub use client::{endpoint_url, FaultError, OperationSpec, Provenance, Response, SoapClient};
pub use envelope::{
    write_envelope, Envelope, SoapBody, SoapHeader, SoapVersion, SOAP11_NS, SOAP12_NS,
};
pub use fault::{write_fault, FaultCode, SoapFault};
