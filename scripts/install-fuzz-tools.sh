#!/usr/bin/env bash
# Installs what `cargo xtask fuzz` needs: cargo-fuzz (pinned, from crates.io) driving libFuzzer
# on the nightly toolchain that these machines carry beside stable (the project itself builds
# on stable; only the fuzz binaries need nightly's coverage instrumentation).
# Idempotent: does nothing when the pinned cargo-fuzz is already installed.
set -euo pipefail

version="0.13.2"
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "install-fuzz-tools: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
  exit 1
fi
if cargo fuzz --version 2>/dev/null | grep -q " ${version}\$"; then
  exit 0
fi
echo "install-fuzz-tools: installing cargo-fuzz ${version}" >&2
cargo install --quiet --locked cargo-fuzz --version "${version}"
