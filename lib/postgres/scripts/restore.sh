#!/bin/sh
# Restore a dump written by backup.sh into $PGDATABASE (rendered by PostgresRestoreJob; the
# tests run this very file against a real server).
#
# Usage: restore.sh [dump-file-name]   (default: the newest dump of $BACKUP_PREFIX)
# Existing objects are dropped and recreated (--clean --if-exists) in ONE transaction:
# a failure leaves the database as it was.
set -eu

: "${BACKUP_DIR:?BACKUP_DIR is not set}"
: "${PGDATABASE:?PGDATABASE is not set}"
prefix="${BACKUP_PREFIX:-$PGDATABASE}"
file="${1:-${RESTORE_FILE:-}}"
if [ -z "$file" ]; then
  file=$(ls -1t "$BACKUP_DIR" | grep -E "^$prefix-[0-9]{8}T[0-9]{6}(\.[0-9]+)?Z(-[0-9]+)?\.dump\$" | head -n 1 || true)
  [ -n "$file" ] || { echo "restore: no dump of '$prefix' in $BACKUP_DIR" >&2; exit 1; }
fi
case "$file" in
  */*|.*) echo "restore: give a file name inside $BACKUP_DIR, got '$file'" >&2; exit 2 ;;
esac
path="$BACKUP_DIR/$file"
[ -f "$path" ] || { echo "restore: $path does not exist" >&2; exit 1; }

echo "restore: checking $path"
pg_restore --list "$path" > /dev/null
echo "restore: restoring into database '$PGDATABASE' on ${PGHOST:-local socket}:${PGPORT:-5432}"
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --no-password \
  --dbname="$PGDATABASE" "$path"
echo "restore: done"
