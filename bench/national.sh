#!/usr/bin/env bash
# The national platform at scale (issue 16, point 7): on a throwaway PostgreSQL, a
# deployment of one entity and one of N entities (default 1000), each entity with the
# demo's year: a published 15-activity plan, ten staff accounts, the follow-up reports
# and reviews, a hearing, a survey, a forum, events and suggestions. Measures at C
# connections (default 32), with wrk over loopback, in the same run for both:
#   - the public plan page of an entity,
#   - the portal of an entity,
#   - a staff dashboard (the entity's follow-up page, signed in as its planning office),
#   - the national dashboard (signed in as the platform's administrator);
# and prints requests/s, p50 and p99 latency, and the database size.
#   bench/national.sh [ENTITIES] [DURATION_SECONDS] [CONNECTIONS]
# PARTICIPA_BIN=path measures that binary instead of building this tree (to compare
# two builds on the same machine).
# Needs Debian's postgresql and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
entities=${1:-1000}
duration=${2:-10}
connections=${3:-32}
for tool in wrk curl psql python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk curl postgresql-client python3" >&2; exit 1; }
done
bin=${PARTICIPA_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=./target/release/participa
fi
. scripts/pg-temp.sh >/dev/null
work=$(mktemp -d /tmp/participa-national.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
password="demostración participa 2026"

# Builds and serves the demo of $1 entities in database $2; prints the base URL.
start() {
  local n=$1 db=$2 p
  p=$(port)
  psql "$TEST_DATABASE_URL" -q -c "CREATE DATABASE $db"
  local url="${TEST_DATABASE_URL%/*}/$db"
  local began
  began=$(date +%s.%N)
  PARTICIPA_CLAVE_IDENTIDAD="clave de identidad de la medición nacional, larga" \
    "$bin" demo --base-demo "$url" --entidades "$n" \
    --evidence "$work/evidencias-$db" --bind "127.0.0.1:$p" --hora-recordatorios 0 \
    >"$work/$db.log" 2>&1 &
  pids+=("$!")
  until grep -q "Participa está en" "$work/$db.log"; do
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then cat "$work/$db.log" >&2; exit 1; fi
    sleep 1
  done
  echo "$db: $n entidades construidas en $(python3 -c "print(round($(date +%s.%N) - $began))") s" >&2
  # The day's reminders (every entity's, once a day at their hour: here at once) are
  # written before measuring, so the figures are the steady state's.
  until grep -q "Recordatorios del día revisados" "$work/$db.log"; do
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then cat "$work/$db.log" >&2; exit 1; fi
    sleep 1
  done
  grep "Recordatorios del día revisados" "$work/$db.log" | sed "s/^/$db: /" >&2
  # Statistics for the planner and no autovacuum of the fresh rows during the measurement.
  psql "$url" -q -c "SET client_min_messages = error" -c "VACUUM ANALYZE" >&2
  echo "http://127.0.0.1:$p"
}

# Signs $2 in at site $1 (a base URL with its prefix); prints the session cookie.
login() {
  local jar="$work/jar-$RANDOM"
  local code
  code=$(curl -sS -o "$jar.body" -w '%{http_code}' -c "$jar" -H "Origin: ${1%%/e/*}" \
    --data-urlencode "usuario=$2" --data-urlencode "clave=$password" \
    --data-urlencode "siguiente=/admin" "$1/ingresar")
  [ "$code" = 303 ] || { echo "signing $2 in at $1 answered $code:" >&2; sed -e 's/<[^>]*>//g' "$jar.body" | grep -v '^\s*$' | head -n 20 >&2; }
  local cookie
  cookie=$(awk '$6 ~ /^participa_sesion/ {print $6 "=" $7}' "$jar")
  if [ -z "$cookie" ]; then
    echo "could not sign $2 in at $1; the servers' last lines:" >&2
    tail -n 20 "$work"/*.log >&2
    kill $$
  fi
  echo "$cookie"
}

# wrk on $2 (with cookie $3, if any); prints "req/s p50 p99" for label $1.
measure() {
  local label=$1 url=$2 cookie=${3:-} out
  local header=()
  [ -n "$cookie" ] && header=(-H "Cookie: $cookie")
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' "${header[@]}" "$url")
  [ "$code" = 200 ] || { echo "$label: $url answers $code" >&2; tail -n 20 "$work"/*.log >&2; exit 1; }
  # A warm-up pass, then the measured one.
  wrk -t2 -c"$connections" -d2s "${header[@]}" "$url" >/dev/null
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "${header[@]}" "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-34s %10s req/s   p50 %8s   p99 %8s%s\n' "$label" "$rps" "$p50" "$p99" \
    "${errors:+   (non-2xx: $errors)}"
}

one=$(start 1 una)
many=$(start "$entities" muchas)
# The entity measured in the big deployment: one in the middle.
middle=$(printf 'municipio-%04d' $(( (entities + 1) / 2 )))
plan_of() { # database slug
  # Row-level security hides every entity's plans from a connection with no scope:
  # this one is given the entity's.
  psql "${TEST_DATABASE_URL%/*}/$1" -tA \
    -c "SELECT set_config('participa.entities', (SELECT '{' || id || '}' FROM entities WHERE slug = '$2'), false)" \
    -c "SELECT p.id FROM plans p JOIN entities e ON e.id = p.entity_id WHERE e.slug = '$2'" | tail -n 1
}
one_plan=$(plan_of una entidad)
many_plan=$(plan_of muchas "$middle")
site="$many/e/$middle"
prefix=$(printf 'm%04d-' $(( (entities + 1) / 2 )))

echo
echo "Una entidad (la base de la comparación):"
measure "plan público /planes/$one_plan" "$one/planes/$one_plan"
measure "portal /" "$one/"
measure "tablero de seguimiento (staff)" "$one/admin/planes/$one_plan/seguimiento" "$(login "$one" planeacion)"
measure "tablero nacional (1 entidad)" "$one/admin/nacional" "$(login "$one" planeacion)"
echo
echo "$entities entidades ($middle):"
measure "plan público" "$site/planes/$many_plan"
measure "portal" "$site/"
measure "tablero de seguimiento (staff)" "$site/admin/planes/$many_plan/seguimiento" "$(login "$site" "${prefix}planeacion")"
measure "tablero nacional ($entities entidades)" "$many/admin/nacional" "$(login "$many" planeacion)"
echo
for db in una muchas; do
  psql "$TEST_DATABASE_URL" -tA -c "SELECT '$db: ' || pg_size_pretty(pg_database_size('$db'))"
done
