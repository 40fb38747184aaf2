#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests and benchmarks (once; later calls find it
# running) and prints its connection string on the last line of stdout:
#   host=127.0.0.1 port=55432 user=postgres dbname=postgres
# Installs Debian's `postgresql` package when no server is found (scripts/install-test-tools.sh
# does so too). The cluster lives in $B2B_PG_DIR (default $TMPDIR/b2b-sdk-postgres), listens on
# 127.0.0.1:$B2B_PG_PORT (default 55432) only, trusts local connections, and is never the
# machine's own cluster. Safe to call from several test processes at once (flock).
#   scripts/start-postgres.sh stop   stops it.
set -euo pipefail

port="${B2B_PG_PORT:-55432}"
dir="${B2B_PG_DIR:-${TMPDIR:-/tmp}/b2b-sdk-postgres}"
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9

find_bin() {
  local b
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$b" ] && [ -x "$b/postgres" ]; then
    echo "$b"
  fi
}

bin=$(find_bin)
if [ -z "$bin" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "start-postgres: please install a PostgreSQL server (no apt-get on this machine)" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "start-postgres: installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null || true
  $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin=$(find_bin)
  if [ -z "$bin" ]; then
    echo "start-postgres: postgresql installed, but no server binaries under /usr/lib/postgresql" >&2
    exit 1
  fi
fi

# PostgreSQL refuses to run as root: as root, the cluster belongs to the package's `postgres` user.
run=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  run=(runuser -u postgres --)
fi

if [ "${1:-}" = "stop" ]; then
  if [ -f "$dir/data/PG_VERSION" ]; then
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  exit 0
fi

if [ ! -f "$dir/data/PG_VERSION" ]; then
  "${run[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
fi
if ! "${run[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  # The server must not inherit the lock (fd 9) or our stdout: callers wait for both to close.
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start \
    >/dev/null 2>&1 9>&- </dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
fi
echo "host=127.0.0.1 port=$port user=postgres dbname=postgres"
