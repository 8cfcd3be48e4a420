#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, CI and benchmarks.
#
#   eval "$(scripts/pg-test.sh start)"        # prints the export lines below
#   .venv/bin/python -m pytest                 # the tests read TEST_DATABASE_URL
#   scripts/pg-test.sh stop "$THREADBOT_PG_DIR"
#
# `start` initialises a cluster in a new temporary folder, starts it listening only on
# a Unix socket inside that folder (no TCP port to collide with, and the folder's
# permissions decide who may connect), creates the database `threadbot_test` and
# prints `export TEST_DATABASE_URL=... THREADBOT_PG_DIR=...`. The server never runs as
# root (PostgreSQL refuses to): as root it runs as the `postgres` user. Durability is
# switched off (fsync, synchronous_commit): the data lives for one test run.
# `start --install` installs Debian's `postgresql` package when no server binaries are
# found (CI). `stop DIR` stops the server and removes the folder.
set -euo pipefail

log() { echo "pg-test: $*" >&2; }

find_bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
    return 0
  fi
  return 1
}

as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local install=${1:-}
  local bindir
  if ! bindir=$(find_bindir); then
    if [ "$install" != "--install" ]; then
      log "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin;"
      log "install them (Debian: apt-get install postgresql) or run with --install"
      exit 1
    fi
    log "installing the postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bindir=$(find_bindir) || { log "postgresql installed but no server binaries found"; exit 1; }
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi

  local dir
  # As root the folder goes under /tmp: the server user must be able to reach it.
  local base=${TMPDIR:-/tmp}
  [ "$(id -u)" -ne 0 ] || base=/tmp
  dir=$(mktemp -d "$base/threadbot-pg.XXXXXX")
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  chmod 700 "$dir"

  as_server_user "$bindir/initdb" -D "$dir/data" -U threadbot --auth=trust \
    --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  if ! as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >&2; then
    cat "$dir/server.log" >&2
    exit 1
  fi
  "$bindir/createdb" -h "$dir" -U threadbot threadbot_test
  log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on socket $dir"
  echo "export TEST_DATABASE_URL='postgresql://threadbot@/threadbot_test?host=$dir'"
  echo "export THREADBOT_PG_DIR='$dir'"
}

stop() {
  local dir=${1:?usage: pg-test.sh stop DIR}
  local bindir
  bindir=$(find_bindir) || { log "no pg_ctl found"; exit 1; }
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_server_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  case "$dir" in
    */threadbot-pg.*) rm -rf "$dir" ;;
    *) log "not removing $dir: not a folder this script made" ;;
  esac
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start [--install] | stop DIR" >&2; exit 2 ;;
esac
