# Starts a throwaway PostgreSQL server for tests and benchmarks; source it.
# Sets TEST_DATABASE_URL and stops and removes the server when the calling shell exits.
# Needs Debian's postgresql package (its binaries under /usr/lib/postgresql/*/bin).

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql (or set TEST_DATABASE_URL)" >&2
  return 1 2>/dev/null || exit 1
fi

pg_dir=$(mktemp -d /tmp/participa-pg.XXXXXX)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: run it as the postgres system user.
  chown postgres "$pg_dir"
  as_pg() { runuser -u postgres -- "$@"; }
fi

as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$pg_dir/initdb.log" 2>&1 || {
  cat "$pg_dir/initdb.log" >&2
  return 1 2>/dev/null || exit 1
}

# A test server need not survive a power cut; PARTICIPA_PG_DURABLE=1 makes it write as a
# production server does (for benchmarks of durable commits).
if [ -n "${PARTICIPA_PG_DURABLE:-}" ]; then
  pg_durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
else
  pg_durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
pg_port=""
for _ in 1 2 3 4 5 6 7 8; do
  candidate=$((20000 + RANDOM % 30000))
  if as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $candidate -k $pg_dir $pg_durability -c max_connections=200" \
      start >/dev/null 2>&1; then
    pg_port=$candidate
    break
  fi
done
if [ -z "$pg_port" ]; then
  echo "could not start PostgreSQL; its log:" >&2
  cat "$pg_dir/server.log" >&2
  return 1 2>/dev/null || exit 1
fi

participa_pg_stop() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap participa_pg_stop EXIT

# The suite connects as an ordinary role, as the README tells production to: a superuser
# is never bound by row-level security, which would leave the second wall between
# entities untested.
as_pg "$pg_bin/psql" -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE participa LOGIN CREATEDB" -c "CREATE DATABASE participa OWNER participa" >/dev/null || {
  echo "could not create the test role and database" >&2
  return 1 2>/dev/null || exit 1
}

export TEST_DATABASE_URL="postgres://participa@127.0.0.1:$pg_port/participa"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') for tests at $TEST_DATABASE_URL" >&2
