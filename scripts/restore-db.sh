#!/usr/bin/env bash
# Restore a backup of scripts/backup-db.sh (docs/operations.md, "Backup and restore"). Stop the
# application first; it migrates at its next start.
#   scripts/restore-db.sh <dump> [--documents <archive>] [--target-db <name>] [--yes]
# Checksums and `pg_restore --list` are verified first. A non-empty target database or upload
# directory is refused unless --yes (then the database's objects are replaced).
set -euo pipefail
umask 077
REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/pg-tools.sh
. "$REPO_ROOT/scripts/pg-tools.sh"

usage() { echo "usage : $0 <dump> [--documents <archive>] [--target-db <nom>] [--yes]" >&2; exit 2; }
DUMP=""; DOCS=""; TARGET=""; YES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --documents) [ $# -ge 2 ] || usage; DOCS=$2; shift 2 ;;
    --target-db) [ $# -ge 2 ] || usage; TARGET=$2; shift 2 ;;
    --yes) YES=1; shift ;;
    -*) usage ;;
    *) [ -z "$DUMP" ] || usage; DUMP=$1; shift ;;
  esac
done
[ -n "$DUMP" ] || usage

verify_checksum() {
  [ -f "$1" ] || fail "fichier absent : $1"
  [ -f "$1.sha256" ] || fail "somme de contrôle absente : $1.sha256"
  (cd "$(dirname "$1")" && sha256sum --check --status "$(basename "$1").sha256") || fail "somme de contrôle incorrecte : $1"
}
verify_checksum "$DUMP"
[ -z "$DOCS" ] || verify_checksum "$DOCS"

load_connection
find_pg_tools
"$PG_TOOLS/pg_restore" --list "$DUMP" >/dev/null || fail "sauvegarde illisible (pg_restore --list)"
TARGET=${TARGET:-$PGDATABASE}
case "$TARGET" in *[!A-Za-z0-9_]*|"") fail "nom de base invalide : $TARGET" ;; esac
psql_admin() { "$PG_TOOLS/psql" --no-password -X -q -v ON_ERROR_STOP=1 -At -d "$PGDATABASE" "$@"; }
psql_target() { "$PG_TOOLS/psql" --no-password -X -q -v ON_ERROR_STOP=1 -At -d "$TARGET" "$@"; }

if [ "$(psql_admin -c "SELECT count(*) FROM pg_database WHERE datname = '$TARGET'")" = "0" ]; then
  psql_admin -c "CREATE DATABASE \"$TARGET\""
  log "base $TARGET créée"
fi
CLEAN=()
if [ "$(psql_target -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")" != "0" ]; then
  [ "$YES" = 1 ] || fail "la base $TARGET n'est pas vide : relancez avec --yes pour la remplacer"
  CLEAN=(--clean --if-exists)
fi
if [ -n "$DOCS" ] && [ -d "$UPLOAD_DIRECTORY" ] && [ -n "$(ls -A "$UPLOAD_DIRECTORY")" ] && [ "$YES" != 1 ]; then
  fail "le répertoire des documents $UPLOAD_DIRECTORY n'est pas vide : relancez avec --yes"
fi

log "restauration de $(basename "$DUMP") dans $TARGET"
"$PG_TOOLS/pg_restore" --no-password --exit-on-error --single-transaction --no-owner "${CLEAN[@]}" -d "$TARGET" "$DUMP" || fail "pg_restore a échoué : la base est inchangée (transaction unique)"
if [ -n "$DOCS" ]; then
  mkdir -p "$UPLOAD_DIRECTORY"
  tar -xzf "$DOCS" -C "$UPLOAD_DIRECTORY" || fail "documents non restaurés"
  log "documents restaurés dans $UPLOAD_DIRECTORY"
fi
for table in users techniciens clients equipements interventions historiques_interventions plannings notifications documents audit_events contrats; do
  count=$(psql_target -c "SELECT count(*) FROM $table" 2>/dev/null || echo "-")
  log "  $table : $count"
done
log "restauration terminée ; l'application migrera au démarrage"
