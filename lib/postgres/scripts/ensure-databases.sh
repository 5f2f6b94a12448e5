# Runs in the database pod next to the server (container ensure-databases, rendered by
# PostgresStatefulSet when databases are added with addDatabase), on every pod start: waits for
# the server's socket, then makes sure each added database and its owner role exist, with the
# password in the role's Secret. Unlike the first-init scripts it also works on a data
# directory initialised before the database was added, and a changed Secret rotates the password.
#
# Environment: APP_DATABASES ("role:database role:database ..."), DATABASES_DIR (one password
# file per role, from the Secrets), POSTGRES_PASSWORD_FILE (the superuser's), PGPORT, and
# SOCKET_DIR (the server's unix socket: the superuser may not log in over TCP, see pg_hba.conf).
#
# Passwords are on no command line and in no environment: the superuser's goes to a mode-0600
# passfile for the few seconds psql runs; each role's is read by psql itself (backquoted `cat`
# that sees only the path) and quoted as a SQL literal.
set -eu
sleeper=
trap 'if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null || true; fi; exit 0' TERM INT
DONE="${DONE_FILE:-/tmp/ensure-databases.done}"
rm -f "$DONE"

until pg_isready -q -h "$SOCKET_DIR" -p "$PGPORT"; do sleep 2; done

umask 077
PGPASSFILE="$(mktemp)"
export PGPASSFILE
# passfile syntax: backslash and colon are escaped
printf '*:*:*:postgres:%s\n' "$(sed -e 's/\\/\\\\/g' -e 's/:/\\:/g' "$POSTGRES_PASSWORD_FILE")" > "$PGPASSFILE"

for entry in $APP_DATABASES; do
  role="${entry%%:*}"
  database="${entry#*:}"
  file="$DATABASES_DIR/$role"
  if [ ! -r "$file" ] || [ ! -s "$file" ]; then
    echo "ensure-databases: the password file $file of role $role is missing, unreadable or empty" >&2
    rm -f "$PGPASSFILE"
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --no-password --quiet -h "$SOCKET_DIR" -p "$PGPORT" --username postgres --dbname postgres \
    --set role="$role" --set database="$database" --set password_file="$file" <<'SQL'
\set password `cat -- :'password_file'`
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') AS create_role \gset
\if :create_role
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
\else
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') AS create_database \gset
\if :create_database
CREATE DATABASE :"database" OWNER :"role";
\endif
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"role";
SQL
  echo "ensure-databases: role $role owns database $database"
done
rm -f "$PGPASSFILE"
touch "$DONE"

# Stay, so the pod is ready (the readiness probe checks $DONE) and the checks run again at the
# next start; sleep in the background so TERM is handled at once.
while :; do
  sleep 3600 &
  sleeper=$!
  wait "$sleeper" || true
done
