# Init container of ElixirDeployment, before the migrator (the tests run this file against a
# real PostgreSQL). On a first deploy every app pod starts while PostgreSQL still initialises;
# migrating then would crash-loop with growing back-off. This waits until the server accepts
# connections, logging while it waits, for at most WAIT_SECONDS, then fails (the pod retries).
#
# Environment: DATABASE_URL (ecto://user:password@host:port/db, from the Secret), WAIT_SECONDS.
# Only host and port are passed to pg_isready: the password never appears on a command line.
set -eu
hostport="${DATABASE_URL#*://}"
hostport="${hostport##*@}"
hostport="${hostport%%/*}"
hostport="${hostport%%\?*}"
host="${hostport%:*}"
port="${hostport##*:}"
[ "$port" != "$hostport" ] || port=5432
waited=0
until pg_isready --quiet --host="$host" --port="$port" --timeout=5; do
  if [ "$waited" -ge "$WAIT_SECONDS" ]; then
    echo "wait-for-database: $host:$port accepts no connections after ${waited} s; giving up (the pod will try again)" >&2
    exit 1
  fi
  echo "wait-for-database: waiting for $host:$port to accept connections (${waited} s of ${WAIT_SECONDS} s)"
  sleep 2
  waited=$((waited + 2))
done
echo "wait-for-database: $host:$port accepts connections"
