#!/bin/sh
# Logical backup of one PostgreSQL database (rendered by PostgresBackup into a ConfigMap;
# the tests run this very file against a real server).
#
# pg_dump in custom format (compressed, restorable selectively and in parallel with
# pg_restore), verified with `pg_restore --list`, written under a temporary name and renamed
# into place only when complete, then the newest $BACKUP_RETENTION dumps are kept.
# Any failure exits non-zero and leaves no partial file.
#
# Environment: PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD (libpq), BACKUP_DIR,
# BACKUP_RETENTION (>= 1), BACKUP_PREFIX (default: $PGDATABASE).
set -eu

: "${BACKUP_DIR:?BACKUP_DIR is not set}"
: "${BACKUP_RETENTION:?BACKUP_RETENTION is not set}"
: "${PGDATABASE:?PGDATABASE is not set}"
case "$BACKUP_RETENTION" in
  ''|*[!0-9]*|0) echo "backup: BACKUP_RETENTION must be a positive integer, got '$BACKUP_RETENTION'" >&2; exit 2 ;;
esac
prefix="${BACKUP_PREFIX:-$PGDATABASE}"
case "$prefix" in
  ''|*[!A-Za-z0-9_-]*) echo "backup: BACKUP_PREFIX must be letters, digits, '_' or '-', got '$prefix'" >&2; exit 2 ;;
esac

umask 077
# UTC timestamp with nanoseconds where date(1) has them (GNU, as in the postgres image).
stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)
case "$stamp" in *.[0-9]*Z) ;; *) stamp=$(date -u +%Y%m%dT%H%M%SZ) ;; esac
final="$BACKUP_DIR/$prefix-$stamp.dump"
n=1
while [ -e "$final" ]; do n=$((n + 1)); final="$BACKUP_DIR/$prefix-$stamp-$n.dump"; done
partial="$BACKUP_DIR/.$(basename "$final").partial"

cleanup() { rm -f "$partial"; }
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

echo "backup: dumping database '$PGDATABASE' from ${PGHOST:-local socket}:${PGPORT:-5432}"
pg_dump --format=custom --no-password --file="$partial"
pg_restore --list "$partial" > /dev/null
mv "$partial" "$final"
echo "backup: wrote $final ($(wc -c < "$final" | tr -d ' ') bytes)"

# Keep the newest $BACKUP_RETENTION dumps of this prefix (only files named as this script names them).
ls -1t "$BACKUP_DIR" | grep -E "^$prefix-[0-9]{8}T[0-9]{6}(\.[0-9]+)?Z(-[0-9]+)?\.dump\$" | tail -n +$((BACKUP_RETENTION + 1)) | while read -r old; do
  rm -f "$BACKUP_DIR/$old"
  echo "backup: pruned $old"
done
