//! SOAP 1.1/1.2: envelopes, faults and the operation call path.

mod client;
mod envelope;
mod fault;
mod stream;

pub use client::{
    FaultError, NO_OUTPUT, NoOutput, OperationSpec, Provenance, RawAnswer, Response, SoapClient,
    decode_answer, endpoint_url,
};
pub use envelope::{
    Envelope, HeaderBlock, SOAP11_NS, SOAP12_NS, SoapVersion, envelope_around, write_body_element,
    write_envelope,
};
pub use fault::{FaultCode, SoapFault, decode_detail, write_fault, write_fault_detail};
pub use stream::{BodyReader, RecordStream, StreamError, StreamedAnswer};
