#!/usr/bin/env bash
# supervise.sh <owner pid | -> <command...>
# Runs the command and ends it (TERM, then KILL) as soon as the owner process is gone, so a
# control plane never outlives the test run that started it, even one killed with SIGKILL;
# then removes $SUPERVISE_REMOVE_ON_ORPHAN if set (the run's temp dir). Owner "-": no owner
# (`npm run cluster -- up`). A TERM or INT sent to this script is passed on to the command.
set -u
owner="$1"; shift
"$@" &
child=$!
stop() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || exit 0; sleep 0.1; done
  kill -KILL "$child" 2>/dev/null
  exit 0
}
trap stop TERM INT
while kill -0 "$child" 2>/dev/null; do
  if [ "$owner" != "-" ] && ! kill -0 "$owner" 2>/dev/null; then
    trap - TERM INT
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$child" 2>/dev/null
    [ -n "${SUPERVISE_REMOVE_ON_ORPHAN:-}" ] && rm -rf "$SUPERVISE_REMOVE_ON_ORPHAN"
    exit 0
  fi
  sleep 0.5 & wait $!
done
wait "$child"
