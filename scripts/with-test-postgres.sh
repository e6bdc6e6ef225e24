#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server for the registry's real-server tests
# (AAP_TEST_DATABASE_URL). The server lives in a temporary folder and is stopped and
# removed afterwards, whatever the command's outcome. Without PostgreSQL on the machine
# (and no way to install it), the command still runs and those tests say why they skip.
set -uo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

BIN=$(find_bin)
if [ -z "$BIN" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation de PostgreSQL pour les tests du registre (paquet postgresql)…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1 || true
  BIN=$(find_bin)
fi
if [ -z "$BIN" ]; then
  echo "Attention : PostgreSQL absent, les tests du registre sur PostgreSQL seront ignorés." >&2
  exec "$@"
fi

PORT=${AAP_TEST_PG_PORT:-54329}
DATA=$(mktemp -d /tmp/aap-test-pg.XXXXXX)
RUN=()
if [ "$(id -u)" = "0" ]; then
  chown postgres "$DATA"
  RUN=(runuser -u postgres --)
fi
cleanup() {
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

if "${RUN[@]}" "$BIN/initdb" -D "$DATA/db" -A trust -U aap >"$DATA/initdb.log" 2>&1 \
  && "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
       -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DATA" start >/dev/null 2>&1 \
  && "${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U aap registre >/dev/null 2>&1; then
  export AAP_TEST_DATABASE_URL="postgresql+psycopg://aap@127.0.0.1:$PORT/registre"
else
  echo "Attention : le serveur PostgreSQL de test n'a pas démarré ; tests PostgreSQL ignorés." >&2
  tail -5 "$DATA/initdb.log" "$DATA/server.log" 2>/dev/null >&2
fi
"$@"
