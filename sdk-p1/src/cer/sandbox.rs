//! An in-process fake of Centralna e-Rejestracja (features `cer` and `sandbox`).
