#!/usr/bin/env bash
# Installs the external tools the tests use as independent judges:
#   xmllint (libxml2-utils) - validates every request we emit against the XSD.
#   openssl                 - writes PKCS#12 files the way real certificate authorities' tools do.
# Idempotent: does nothing when the tools are already present. Debian/Ubuntu only.
set -euo pipefail

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: please install ${need[*]} (no apt-get on this machine)" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "install-test-tools: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || true
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
