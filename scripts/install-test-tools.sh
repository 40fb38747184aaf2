#!/usr/bin/env bash
# Installs the external tools the tests use as independent judges:
#   xmllint (libxml2-utils) - validates every request we emit against the XSD.
#   openssl                 - writes PKCS#12 files the way real certificate authorities' tools do.
#   xmlsec1                 - the reference XML-DSig implementation: WS-Security envelopes and
#                             enveloped documents we sign must verify with it, and what it signs
#                             must verify in sdk_runtime::wssec.
#   openapi-schema-validator, PyYAML (Python, pinned) - judge the JSON samples of generated REST
#                             modules against their OpenAPI/Swagger schemas
#                             (scripts/validate-json-schema.py).
#   postgresql              - a real PostgreSQL server for sdk-sukl's outbox (started per run by
#                             scripts/start-postgres.sh on 127.0.0.1:55432, never the system's).
#   lxml (Python, pinned)     - a second libxml2 build judging exclusive XML canonicalization
#                             (sdk-runtime/tests/support/exc_c14n_oracle.py, which also calls the
#                             system libxml2 that xmllint brings through ctypes).
#   pyas2lib (Python, pinned) - an independent AS2 implementation: messages and receipts exchanged
#                             with sdk_runtime::as2 both ways (sdk-runtime/tests/as2_pyas2lib.rs).
#   qpdf                      - writes PDFs with embedded files the way authorities' PDF tools do, for
#                             `cargo xtask import-pdf` (codegen/tests/import_pdf.rs).
#   zeep (Python, pinned)     - a second SOAP implementation: rpc/literal messages as zeep builds and
#                             reads them (codegen/fixtures/tests/rpc.rs).
# Idempotent: does nothing when the tools are already present. Debian/Ubuntu only.
set -euo pipefail

# Python packages first (the apt part below may stop early when nothing is missing).
py_pins=("openapi-schema-validator==0.9.0" "PyYAML==6.0.3" "lxml==6.1.3" "zeep==4.3.3" "pyas2lib==1.4.4")
if ! command -v python3 >/dev/null 2>&1; then
  echo "install-test-tools: python3 is needed for scripts/validate-json-schema.py" >&2
  exit 1
fi
if ! python3 - "${py_pins[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    try:
        if version(name) != wanted:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
  echo "install-test-tools: installing ${py_pins[*]}" >&2
  if ! python3 -m pip --version >/dev/null 2>&1; then
    sudo_pip=""
    [ "$(id -u)" -ne 0 ] && sudo_pip="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_pip apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  # A Debian-managed python3 refuses plain installs (PEP 668); the user site is ours to change.
  python3 -m pip install --quiet --disable-pip-version-check "${py_pins[@]}" 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "${py_pins[@]}"
fi

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
# `script` runs a command on a pseudo-terminal (the progress-bar test of b2b).
command -v script >/dev/null 2>&1 || need+=(bsdutils)
# The PostgreSQL server the outbox tests start with scripts/start-postgres.sh.
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)

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
