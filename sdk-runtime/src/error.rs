//! Errors returned by every operation.
