# Runs in the database pod next to the server (container ensure-databases, rendered by
# PostgresStatefulSet when databases are added with addDatabase), on every pod start: waits for
# the server's socket, then makes sure each added database and its owner role exist, with the
# password in the role's Secret and no special privilege. Unlike the first-init scripts it also
# works on a data directory initialised before the database was added, and a changed Secret
# rotates the password at the next start.
#
# One database that cannot be ensured (its Secret missing, its name taken by a database of
# another owner) is reported and tried again every minute; the others, and the server, are not
# held up by it: the container reports ready after the first pass, whatever its outcome.
#
# Environment: APP_DATABASES ("role:database role:database ..."), DATABASES_DIR (one password
# file per role, from the Secrets), POSTGRES_PASSWORD_FILE (the superuser's), PGPORT, and
# SOCKET_DIR (the server's unix socket: the superuser may not log in over TCP, see pg_hba.conf).
#
# Passwords are on no command line and in no environment: the superuser's goes to a mode-0600
# passfile for the seconds a pass takes (removed however the script ends); each role's is read by
# psql itself (backquoted `cat` that sees only the path) and quoted as a SQL literal. The
# session turns statement logging off, so a server logging every statement does not log them.
set -u
PGPASSFILE=
sleeper=
cleanup() { if [ -n "$PGPASSFILE" ]; then rm -f "$PGPASSFILE"; fi; }
trap cleanup EXIT
trap 'if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null || true; fi; exit 0' TERM INT
RAN="${RAN_FILE:-/tmp/ensure-databases.ran}"
rm -f "$RAN"
umask 077

pause() {
  sleep "$1" &
  sleeper=$!
  wait "$sleeper" || true
  sleeper=
}

until pg_isready -q -h "$SOCKET_DIR" -p "$PGPORT"; do pause 2; done

# One pass over every database; its exit status says whether all of them are in place.
ensure_all() {
  PGPASSFILE="$(mktemp)"
  export PGPASSFILE
  # passfile syntax: backslash and colon are escaped
  printf '*:*:*:postgres:%s\n' "$(sed -e 's/\\/\\\\/g' -e 's/:/\\:/g' "$POSTGRES_PASSWORD_FILE")" > "$PGPASSFILE"
  failed=0
  for entry in $APP_DATABASES; do
    role="${entry%%:*}"
    database="${entry#*:}"
    file="$DATABASES_DIR/$role"
    if [ ! -r "$file" ] || [ ! -s "$file" ]; then
      echo "ensure-databases: the password file $file of role $role is missing, unreadable or empty (is its Secret there?); database $database is not ensured" >&2
      failed=1
      continue
    fi
    if psql -v ON_ERROR_STOP=1 --no-password --quiet -h "$SOCKET_DIR" -p "$PGPORT" --username postgres --dbname postgres \
      --set role="$role" --set database="$database" --set password_file="$file" <<'SQL'
SET log_statement = 'none';
\set password `cat -- :'password_file'`
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') AS create_role \gset
\if :create_role
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
\else
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') AS create_database \gset
\if :create_database
CREATE DATABASE :"database" OWNER :"role";
\endif
-- A database of that name owned by another role is not taken over: fail this database.
SELECT format('DO $do$ BEGIN RAISE EXCEPTION %L; END $do$',
  format('database %s belongs to role %s, not %s: left as it is; give it to the role (ALTER DATABASE %I OWNER TO %I) or pick another databaseName',
    datname, pg_get_userbyid(datdba), :'role', datname, :'role'))
  FROM pg_database WHERE datname = :'database' AND pg_get_userbyid(datdba) <> :'role' \gexec
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
    then
      echo "ensure-databases: role $role owns database $database"
    else
      echo "ensure-databases: database $database (role $role) is not ensured, see above" >&2
      failed=1
    fi
  done
  cleanup
  PGPASSFILE=
  return "$failed"
}

until ensure_all; do
  touch "$RAN"
  pause 60
done
touch "$RAN"

# Stay, so the pod is ready (the readiness probe checks $RAN) and the checks run again at the
# next start.
while :; do pause 3600; done
