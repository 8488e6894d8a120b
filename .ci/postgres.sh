#!/usr/bin/env bash
# postgres.sh — a throwaway PostgreSQL cluster for the tests.
#
#   eval "$(.ci/postgres.sh start)"   # start one; prints export lines to eval
#   .ci/postgres.sh stop "$BDT_TEST_PGDATA"   # stop it and delete its files
#
# start installs the `postgresql` package with apt-get when initdb is missing
# (as root), runs initdb as the `postgres` user (when run as root; as the
# calling user otherwise) into a new temporary directory with trust
# authentication, and starts the server with fsync off, listening on
# 127.0.0.1 only, on a free port, with its unix socket in that directory.
# It creates the database `bdt` and prints, on standard output only:
#
#   export BDT_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/bdt?sslmode=disable
#   export BDT_TEST_PGDATA=/tmp/bdt-pg.XXXXXX
#
# Everything else goes to standard error. The cluster lives until `stop`;
# a caller can `trap '.ci/postgres.sh stop "$BDT_TEST_PGDATA"' EXIT`.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

# pgbin prints the directory of initdb and pg_ctl, or nothing.
pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
    fi
  done | sort -V | tail -n 1
}

# as_owner runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin=$(pgbin)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing postgresql"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends postgresql >/dev/null
      bin=$(pgbin)
    fi
    if [ -z "$bin" ]; then
      log "initdb not found; install PostgreSQL: sudo apt-get install -y postgresql"
      exit 1
    fi
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi

  local dir
  dir=$(mktemp -d /tmp/bdt-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }

  local port tries=0
  while :; do
    tries=$((tries + 1))
    port=$((20000 + RANDOM % 20000))
    # A port someone listens on answers; try another.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=300 -c shared_buffers=64MB" \
      start >&2; then
      break
    fi
    if [ "$tries" -ge 5 ]; then
      cat "$dir/server.log" >&2 || true
      log "could not start the server"
      exit 1
    fi
  done
  as_owner "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'CREATE DATABASE bdt' >&2
  log "$("$bin/pg_ctl" --version | sed "s/^pg_ctl (PostgreSQL) /PostgreSQL /") on 127.0.0.1:$port, data in $dir"
  echo "export BDT_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/bdt?sslmode=disable'"
  echo "export BDT_TEST_PGDATA='$dir'"
}

stop() {
  local dir=${1:-}
  case "$dir" in
    /tmp/bdt-pg.*) ;;
    *) log "stop: want the directory start printed (BDT_TEST_PGDATA), got '$dir'"; exit 2 ;;
  esac
  local bin
  bin=$(pgbin)
  if [ -d "$dir/data" ] && [ -n "$bin" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
