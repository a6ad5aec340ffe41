# Shared by backup-db.sh and restore-db.sh (docs/operations.md, "Backup and restore"): logging,
# the connection from scripts/backup-env.ts, and PostgreSQL client tools of a suitable version.

ts() { date -u +%Y-%m-%dT%H:%M:%SZ; }
log() { printf '%s %s\n' "$(ts)" "$*" | tee -a "${LOG_FILE:-/dev/null}"; }
fail() { log "ERREUR : $*"; exit 1; }

# Connection and paths as the application resolves them (PG*, SERVER_MAJOR, BACKUP_*, UPLOAD_DIRECTORY).
load_connection() {
  local assignments
  assignments=$(cd "$REPO_ROOT" && node --import tsx scripts/backup-env.ts) || fail "configuration ou connexion refusée (voir ci-dessus)"
  eval "$assignments"
  export PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE
}

# The first directory holding pg_dump, pg_restore and psql whose major version is ≥ the server's:
# PG_BIN, then Debian's /usr/lib/postgresql/<major>/bin (newest first), then PATH.
find_pg_tools() {
  local dir candidates=() major
  [ -n "${PG_BIN:-}" ] && candidates+=("$PG_BIN")
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do candidates+=("$dir"); done
  dir=$(dirname "$(command -v pg_dump 2>/dev/null || echo /nonexistent/pg_dump)")
  candidates+=("$dir")
  for dir in "${candidates[@]}"; do
    [ -x "$dir/pg_dump" ] && [ -x "$dir/pg_restore" ] && [ -x "$dir/psql" ] || continue
    major=$("$dir/pg_dump" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')
    if [ "$major" -ge "$SERVER_MAJOR" ]; then PG_TOOLS="$dir"; return 0; fi
  done
  fail "aucun pg_dump/pg_restore/psql de version ≥ $SERVER_MAJOR (celle du serveur) : installez postgresql-client-$SERVER_MAJOR ou indiquez PG_BIN"
}
