//! Generator of the sdk-* crates.
