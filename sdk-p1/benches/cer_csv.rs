//! Placeholder: the CeR CSV validator benchmark.
fn main() {}
