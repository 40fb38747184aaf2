//! VZP ČR B2B.
