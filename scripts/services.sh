#!/usr/bin/env bash
# Makes sure the services the tests talk to are running: PostgreSQL (database `test`).
# In CI a service that cannot be started is an error; elsewhere a warning (tests then skip
# with the reason).
set -uo pipefail

fail() {
  if [ "${CI:-}" = "true" ]; then echo "services: $*" >&2; exit 1; fi
  echo "services: warning: $*" >&2
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
if ! pg_ready; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
fi
if ! pg_ready; then
  fail "PostgreSQL is not running on 127.0.0.1:5432"
  exit 0
fi
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test' >/dev/null 2>&1 \
    || fail "cannot create database 'test' on 127.0.0.1:5432"
fi
exit 0
