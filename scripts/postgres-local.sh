#!/usr/bin/env bash
# A PostgreSQL server on localhost for the gateway's database tests (Debian 12, as root):
#   scripts/postgres-local.sh up     install if needed, start, create role `galvana` (password
#                                    `galvana`, CREATEDB); prints the base URL
#   scripts/postgres-local.sh down   stop it
# The tests create one database per gateway they start (see gateway/tests/common/mod.rs).
set -euo pipefail

cmd="${1:-up}"
if [ "$cmd" = "down" ]; then
  pg_ctlcluster "$(ls /etc/postgresql | sort -V | tail -1)" main stop || true
  exit 0
fi

# Only the URL goes to stdout (callers capture it); everything else, including what the
# Debian postinst and pg_ctlcluster print, goes to stderr. No extra descriptor is opened:
# the server daemon would inherit it and keep a caller's $(...) waiting.
{
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "[postgres-local] installing postgresql" >&2
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql >/dev/null
fi
ver="$(ls /etc/postgresql | sort -V | tail -1)"
pg_ctlcluster "$ver" main status >/dev/null 2>&1 || pg_ctlcluster "$ver" main start
for _ in $(seq 1 30); do
  su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname = 'galvana'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role galvana login createdb password 'galvana'\""
} >&2
echo "postgres://galvana:galvana@127.0.0.1:5432"
