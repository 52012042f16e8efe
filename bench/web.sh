#!/usr/bin/env bash
# Public pages under load: `GET /planes/1` and the portal `GET /` served by Participa
# (release build, SQLite, the seed plan published) next to nginx serving the same bytes
# as static files, all measured in this run with wrk over loopback. Reports requests/s, p99 latency, their ratios, and Participa's peak
# resident memory. Needs Debian's wrk and nginx (nginx-light is enough).
#   bench/web.sh [DURATION_SECONDS] [CONNECTIONS]   (PARTICIPA_BIN=… for another build)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "missing $tool: apt-get install wrk nginx-light curl" >&2; exit 1; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

# PARTICIPA_BIN runs another build (an earlier version, for a before/after).
if [ -n "${PARTICIPA_BIN:-}" ]; then
  bin=$PARTICIPA_BIN
else
  cargo build --release --quiet
  bin=./target/release/participa
fi
work=$(mktemp -d /tmp/participa-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
app_port=$(port)
nginx_port=$(port)
base="http://127.0.0.1:$app_port"

export DATABASE_URL="sqlite://$work/participa.db"
"$bin" serve --bind "127.0.0.1:$app_port" >"$work/serve.log" 2>"$work/serve.err" &
app_pid=$!
pids+=("$app_pid")
for _ in $(seq 100); do curl -fsS "$base/salud" >/dev/null 2>&1 && break; sleep 0.1; done
admin_password=$(sed -n 's/^  contraseña: //p' "$work/serve.log")

# Publish the seed plan through the web, as staff would: admin consolidates and reviews,
# a new approver approves with the CIGD's acta, admin publishes.
post() { # cookie-jar path form...
  local jar=$1 path=$2; shift 2
  local args=()
  for f in "$@"; do args+=(--data-urlencode "$f"); done
  # Follows the redirect (as a browser would) so last.html is the page shown after it.
  curl -fsSL -o "$work/last.html" -b "$jar" -c "$jar" -H "Origin: $base" "${args[@]}" "$base$path"
}
# A generated password was seen by someone else, so each account sets its own first.
own_password() { # cookie-jar user temporary-password
  post "$1" /ingresar "usuario=$2" "clave=$3"
  post "$1" /admin/cuenta/clave "actual=$3" "nueva=Medicion-de-carga-2026" "repetir=Medicion-de-carga-2026"
}
own_password "$work/admin" admin "$admin_password"
post "$work/admin" /admin/usuarios/nuevo usuario=cigd "nombre=Secretaría CIGD" rol=approver activo=si
approver_password=$(sed -n 's/.*<code>\(.*\)<\/code>.*/\1/p' "$work/last.html")
[ -n "$approver_password" ] || { echo "no temporary password shown for the new approver" >&2; exit 1; }
# Coverage findings must be covered or accepted before consolidating (issue 4).
curl -fsS -b "$work/admin" "$base/admin/planes/1/cobertura" -o "$work/coverage.html"
sed -n 's/.*name="codigo" value="\([^"]*\)".*/\1/p' "$work/coverage.html" | while IFS= read -r code; do
  post "$work/admin" /admin/planes/1/cobertura/aceptar "codigo=$code" "justificacion=Aceptado para la medición"
done
post "$work/admin" /admin/planes/1/estado accion=consolidar confirmar=si
post "$work/admin" /admin/planes/1/estado accion=revisar confirmar=si
own_password "$work/cigd" cigd "$approver_password"
post "$work/cigd" /admin/planes/1/estado accion=aprobar confirmar=si acta_numero=001 "acta_fecha=$(TZ=America/Bogota date +%F)"
post "$work/admin" /admin/planes/1/estado accion=publicar confirmar=si

setup_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$app_pid/status")
setup_peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$app_pid/status")
mkdir -p "$work/www"
curl -fsS "$base/planes/1" -o "$work/www/plan.html"
bytes=$(wc -c <"$work/www/plan.html")
curl -fsS "$base/" -o "$work/www/home.html"
home_bytes=$(wc -c <"$work/www/home.html")
grep -q "Versión 1, publicada" "$work/www/plan.html" || { echo "the plan is not published" >&2; exit 1; }

cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location = /planes/1 { default_type text/html; try_files /plan.html =404; }
    location = / { default_type text/html; try_files /home.html =404; }
  }
}
CONF
"$nginx_bin" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$nginx_port/planes/1" >/dev/null 2>&1 && break; sleep 0.1; done

run() { # name url
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$2" >"$work/$1.wrk"
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$1.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$1.wrk")
  echo "$rps $p99"
}
to_ms() { # 1.23ms | 456.78us | 1.2s
  python3 -c "import sys,re; v=sys.argv[1]; n,u=re.match(r'([\d.]+)(\w+)',v).groups(); print(float(n)*{'us':0.001,'ms':1,'s':1000}[u])" "$1"
}

read -r nginx_rps nginx_p99 < <(run nginx "http://127.0.0.1:$nginx_port/planes/1")
read -r app_rps app_p99 < <(run participa "$base/planes/1")
read -r nginx_home_rps nginx_home_p99 < <(run nginx-home "http://127.0.0.1:$nginx_port/")
read -r app_home_rps app_home_p99 < <(run participa-home "$base/")
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$app_pid/status")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$app_pid/status")
echo "participa resident memory: $((setup_rss_kb / 1024)) MiB after publishing the plan (peak $((setup_peak_kb / 1024)) MiB), $((rss_kb / 1024)) MiB after the load (peak $((peak_kb / 1024)) MiB)"

echo "GET /planes/1 ($bytes bytes), wrk -t2 -c$connections -d${duration}s, loopback, $(nproc) cores"
printf '  nginx (static file)   %10.0f req/s   p99 %8.2f ms\n' "$nginx_rps" "$(to_ms "$nginx_p99")"
printf '  participa (SQLite)    %10.0f req/s   p99 %8.2f ms\n' "$app_rps" "$(to_ms "$app_p99")"
python3 - "$nginx_rps" "$app_rps" "$(to_ms "$nginx_p99")" "$(to_ms "$app_p99")" "$peak_kb" <<'PY'
import sys
n_rps, a_rps, n_p99, a_p99, peak = map(float, sys.argv[1:])
print(f"  participa/nginx: throughput {a_rps / n_rps:.2f}x, p99 latency {a_p99 / n_p99:.1f}x")
print(f"  participa peak resident memory: {peak / 1024:.1f} MiB")
PY
echo "GET / ($home_bytes bytes), same settings"
printf '  nginx (static file)   %10.0f req/s   p99 %8.2f ms\n' "$nginx_home_rps" "$(to_ms "$nginx_home_p99")"
printf '  participa (SQLite)    %10.0f req/s   p99 %8.2f ms\n' "$app_home_rps" "$(to_ms "$app_home_p99")"
python3 - "$nginx_home_rps" "$app_home_rps" "$(to_ms "$nginx_home_p99")" "$(to_ms "$app_home_p99")" <<'PY'
import sys
n_rps, a_rps, n_p99, a_p99 = map(float, sys.argv[1:])
print(f"  participa/nginx: throughput {a_rps / n_rps:.2f}x, p99 latency {a_p99 / n_p99:.1f}x")
PY
