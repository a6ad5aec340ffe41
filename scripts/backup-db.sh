#!/usr/bin/env bash
# Daily backup of mif-erp (docs/operations.md, "Backup and restore"): a verified custom-format dump
# of the database and an archive of the (already encrypted) documents, each with its .sha256, in
# BACKUP_DIR (0700, files 0600), then retention. The encryption keys are NOT in the backup.
#   scripts/backup-db.sh          (cron: 15 2 * * * cd /srv/mif-erp && scripts/backup-db.sh)
set -euo pipefail
umask 077
REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/pg-tools.sh
. "$REPO_ROOT/scripts/pg-tools.sh"

load_connection
mkdir -p "$BACKUP_DIR/logs"
chmod 700 "$BACKUP_DIR" "$BACKUP_DIR/logs"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG_FILE="$BACKUP_DIR/logs/backup_$STAMP.log"
DUMP="$BACKUP_DIR/mif-erp_$STAMP.dump"
DOCS="$BACKUP_DIR/mif-erp_${STAMP}_documents.tar.gz"
PARTIALS=("$DUMP.partial" "$DOCS.partial")
# Set once the dump and the archive are written and checksummed: from then on a failure (of the
# retention) must never remove them, or a run could leave no backup at all.
BACKUP_COMPLETE=0
cleanup_on_error() {
  local status=$?
  [ "$status" -eq 0 ] && return
  if [ "$BACKUP_COMPLETE" -eq 1 ]; then
    log "ERREUR : rétention interrompue (code $status) ; la sauvegarde $(basename "$DUMP") est complète et conservée"
    return
  fi
  rm -f "${PARTIALS[@]}" "$DUMP" "$DUMP.sha256" "$DOCS" "$DOCS.sha256"
  log "ERREUR : sauvegarde interrompue (code $status), fichiers partiels supprimés, rétention non appliquée"
}
trap cleanup_on_error EXIT

find_pg_tools
log "sauvegarde de $PGDATABASE sur $PGHOST:$PGPORT (serveur $SERVER_MAJOR, outils $PG_TOOLS)"
"$PG_TOOLS/pg_dump" -Fc --no-password -f "$DUMP.partial" 2> >(tee -a "$LOG_FILE" >&2) || fail "pg_dump a échoué"
"$PG_TOOLS/pg_restore" --list "$DUMP.partial" >/dev/null 2> >(tee -a "$LOG_FILE" >&2) || fail "la sauvegarde ne se relit pas (pg_restore --list)"
mv "$DUMP.partial" "$DUMP"
(cd "$BACKUP_DIR" && sha256sum "$(basename "$DUMP")" > "$(basename "$DUMP").sha256")
log "base : $(basename "$DUMP") ($(stat -c %s "$DUMP") octets), vérifiée"

if [ -d "$UPLOAD_DIRECTORY" ]; then
  tar -czf "$DOCS.partial" -C "$UPLOAD_DIRECTORY" . || fail "archive des documents impossible"
else
  tar -czf "$DOCS.partial" --files-from /dev/null
fi
mv "$DOCS.partial" "$DOCS"
(cd "$BACKUP_DIR" && sha256sum "$(basename "$DOCS")" > "$(basename "$DOCS").sha256")
chmod 600 "$DUMP" "$DUMP.sha256" "$DOCS" "$DOCS.sha256" "$LOG_FILE"
log "documents : $(basename "$DOCS") (chiffrés ; les clés FILES_ENC_KEY/FILES_ENC_OLD_KEYS ne sont pas dans la sauvegarde)"
BACKUP_COMPLETE=1

# Retention, only after a verified backup: files aged ≥ N days go (find -mtime +N-1 keeps N daily
# backups); the backup just verified, the newest verified one, always stays with its companions.
# A file that cannot be deleted is logged and counted, the others still go, and the run fails.
NEWEST=$(basename "$DUMP" .dump)
removed=0
refused=0
while IFS= read -r -d '' file; do
  case "$(basename "$file")" in "$NEWEST"*) continue ;; esac
  if rm -f "$file" 2> >(tee -a "$LOG_FILE" >&2); then removed=$((removed + 1)); else refused=$((refused + 1)); fi
done < <(find "$BACKUP_DIR" -maxdepth 2 -type f \( -name 'mif-erp_*' -o -name 'backup_*.log' \) -mtime +$((BACKUP_RETENTION_DAYS - 1)) -print0)
log "rétention $BACKUP_RETENTION_DAYS jours : $removed fichier(s) supprimé(s)"
[ "$refused" -eq 0 ] || fail "rétention : $refused fichier(s) impossible(s) à supprimer"
log "sauvegarde terminée"
