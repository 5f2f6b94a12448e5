# Sourced by the postgres image's entrypoint from /docker-entrypoint-initdb.d, once, when the
# data directory is first initialised (rendered by PostgresStatefulSet; the tests run this file).
#
# The image makes POSTGRES_USER a superuser. The application must not be one (a SQL injection
# would become `COPY ... TO PROGRAM`, a shell in the database container), so the superuser is
# `postgres` and this creates the application's own login role, without any special privilege,
# and its database, which that role owns.
#
# Environment: APP_USER, APP_DATABASE, APP_PASSWORD_FILE (the mounted Secret), and the
# entrypoint's POSTGRES_USER / PGPASSWORD for the init-time server.
#
# The application password is on no command line and in no environment (both are readable in
# /proc while init runs): psql reads the file itself, with a backquoted `cat` that sees only the
# path, and quotes the value as a SQL literal (:'app_password'), whatever characters it holds.
# A missing, unreadable or empty file fails the init: psql would otherwise set an empty value,
# and the role would be created without a password (nobody could log in as it).
if [ ! -r "$APP_PASSWORD_FILE" ] || [ ! -s "$APP_PASSWORD_FILE" ]; then
  echo "create-app-role: the application password file APP_PASSWORD_FILE=$APP_PASSWORD_FILE is missing, unreadable or empty" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --no-password --username "$POSTGRES_USER" --dbname postgres \
  --set app_user="$APP_USER" --set app_db="$APP_DATABASE" --set app_password_file="$APP_PASSWORD_FILE" <<'SQL'
\set app_password `cat -- :'app_password_file'`
CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
SQL
echo "create-app-role: role $APP_USER owns database $APP_DATABASE"
