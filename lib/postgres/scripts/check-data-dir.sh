# Init container of PostgresStatefulSet (rendered into the <name>-scripts ConfigMap; the tests
# run this file against clusters made by a real initdb). Runs before the server, with the
# server's image and the data volume mounted at $VOLUME.
#
# The server's own entrypoint runs initdb whenever $PGDATA is empty. After a change of major
# version PGDATA names another directory (majors up to 17: <volume>/pgdata; 18 and later:
# <volume>/<major>/docker), so the old cluster would sit unseen beside a new, empty one, the
# app's migrations would build an empty schema and every pod would go ready. This refuses to
# start instead, whenever the volume holds a cluster of another major than the image's.
#
# Environment: VOLUME (mount point of the data volume), PGDATA (as the server sees it),
# PG_MAJOR (set by the postgres image; EXPECTED_MAJOR when it is not).
set -eu
expected="${PG_MAJOR:-${EXPECTED_MAJOR:?EXPECTED_MAJOR or PG_MAJOR must be set}}"
found=""
# The layouts of every major: <volume>/pgdata (up to 17), <volume>/<major>/docker (18 on),
# and <volume>/data and <volume>/PG_VERSION (a volume first used with other settings).
for version_file in "$VOLUME/pgdata/PG_VERSION" "$VOLUME"/*/docker/PG_VERSION "$VOLUME/data/PG_VERSION" "$VOLUME/PG_VERSION"; do
  [ -s "$version_file" ] || continue
  major="$(cat "$version_file")"
  if [ "$major" != "$expected" ]; then
    found="$found
  PostgreSQL $major cluster in $(dirname "$version_file")"
  fi
done
if [ -n "$found" ]; then
  cat >&2 <<EOF
check-data-dir: REFUSING TO START PostgreSQL $expected: the data volume holds a cluster of another major version:$found
A new major cannot read it, and starting would create a new, empty database beside it.
Go back to the previous version (postgres.version), or upgrade with a dump and restore:
README, "Upgrading PostgreSQL to a new major version".
EOF
  exit 1
fi
if [ -s "$PGDATA/PG_VERSION" ]; then
  echo "check-data-dir: PostgreSQL $expected cluster in $PGDATA"
else
  echo "check-data-dir: no cluster on the volume yet; PostgreSQL $expected will initialise $PGDATA"
fi
