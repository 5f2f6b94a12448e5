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
psql -v ON_ERROR_STOP=1 --no-password --username "$POSTGRES_USER" --dbname postgres \
  --set app_user="$APP_USER" --set app_db="$APP_DATABASE" --set app_password="$(cat "$APP_PASSWORD_FILE")" <<'SQL'
CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
SQL
echo "create-app-role: role $APP_USER owns database $APP_DATABASE"
