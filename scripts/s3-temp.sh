# Starts a throwaway S3-compatible server for the evidence-storage tests; source it.
# The server is moto's (PyPI, pinned below), installed once into a virtual environment
# under ~/.cache/participa; it listens on loopback and keeps everything in memory.
# Sets TEST_S3_ENDPOINT (a bucket «participa-pruebas» exists there) and stops the
# server when the calling shell exits (after any EXIT trap already set, such as
# pg-temp.sh's). Needs python3 with its venv module (Debian: python3-venv).

moto_version=5.2.5
moto_venv=${PARTICIPA_MOTO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/participa/moto-$moto_version}
if [ ! -x "$moto_venv/bin/moto_server" ]; then
  echo "installing moto $moto_version (an S3-compatible server for the tests) into $moto_venv" >&2
  python3 -m venv "$moto_venv" && "$moto_venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$moto_version" || {
    echo "could not install moto from PyPI" >&2
    return 1 2>/dev/null || exit 1
  }
fi

s3_dir=$(mktemp -d /tmp/participa-s3.XXXXXX)
s3_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$moto_venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$s3_dir/server.log" 2>&1 &
s3_pid=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$s3_port/" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$s3_port/participa-pruebas" || {
  echo "the S3 test server did not start; its log:" >&2
  cat "$s3_dir/server.log" >&2
  return 1 2>/dev/null || exit 1
}

participa_s3_stop() {
  kill "$s3_pid" 2>/dev/null || true
  rm -rf "$s3_dir"
}
# Keep the EXIT trap already set (the PostgreSQL server's) and add this one.
s3_previous_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
trap "participa_s3_stop; ${s3_previous_trap:-true}" EXIT

export TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
echo "moto $moto_version (S3) for tests at $TEST_S3_ENDPOINT" >&2
