//! Redaction of sensitive values in `Debug` output and logs.
