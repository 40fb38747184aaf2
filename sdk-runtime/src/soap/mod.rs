//! SOAP 1.1/1.2 envelopes, faults and the operation call path.
