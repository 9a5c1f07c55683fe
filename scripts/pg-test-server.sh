#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the test suite, on a loopback port.
#   scripts/pg-test-server.sh start   installs the server if missing, starts it, prints its URL
#   scripts/pg-test-server.sh stop    stops it and removes its files
# initdb refuses to run as root, so as root the cluster runs as the postgres system user.
set -euo pipefail

# Each clone its own port (from its folder), so two copies of the suite at once do not stop
# each other's server.
PORT="${PGYSCOUT_PG_PORT:-$((55432 + $(pwd | cksum | cut -d' ' -f1) % 500))}"
DIR="${PGYSCOUT_PG_DIR:-/tmp/pgyscout-test-pg-$PORT}"

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install_server() {
  if [ "$(id -u)" != 0 ]; then
    echo "pg-test-server: no PostgreSQL server here; install it (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "pg-test-server: installing PostgreSQL from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
}

start() {
  BIN="$(find_bin)"
  if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    install_server
    BIN="$(find_bin)"
  fi
  if [ -f "$DIR/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$DIR"
  fi
  as_owner "$BIN/initdb" -D "$DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$DIR.initdb.log" 2>&1 \
    || { cat "$DIR.initdb.log" >&2; exit 1; }
  # fsync off: the cluster is thrown away, and the tests are about behaviour, not durability.
  as_owner "$BIN/pg_ctl" -D "$DIR" -w -t 60 -l "$DIR/server.log" \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c max_connections=200" start >&2 \
    || { cat "$DIR/server.log" >&2; exit 1; }
  echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
}

stop() {
  BIN="$(find_bin)"
  if [ -n "$BIN" ] && [ -f "$DIR/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR" "$DIR.initdb.log"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
