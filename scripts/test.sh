#!/usr/bin/env bash
# The README's test command: every check and test of the project, on a fresh Debian (or
# Ubuntu) machine by itself.
#
# 1. Installs what is missing: Debian's postgresql (a throwaway server for the store, web
#    and CLI suites), chromium and chromium-driver (the browser test), poppler-utils
#    (pdftotext, with which the tests read the PDFs back) and npm (fetches axe-core),
#    through apt-get, as root or with sudo; python3-aiosmtpd (a real SMTP server process
#    the e-mail tests deliver to); rustup's clippy and rustfmt components; and moto from
#    PyPI, a real S3-compatible server process the evidence-storage tests write to.
# 2. Runs formatting, lints, and the whole test suite, with the store, web and CLI suites
#    against SQLite and against a real PostgreSQL server, and the browser test in headless
#    Chromium with axe-core.
#
# Uses TEST_DATABASE_URL when set (then PostgreSQL is not installed); otherwise starts a
# throwaway PostgreSQL server on loopback. Likewise TEST_S3_ENDPOINT and a throwaway S3
# server (scripts/s3-temp.sh). .ci/run is just this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs a command as root: directly when root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

missing=()
packages=(chromium chromium-driver poppler-utils python3-aiosmtpd nginx-light)
[ -n "${TEST_DATABASE_URL:-}" ] || packages=(postgresql "${packages[@]}")
if command -v dpkg >/dev/null 2>&1; then
  for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
fi
# npm fetches axe-core; Node.js may come from elsewhere than Debian, so test the command.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The S3 test server is installed from PyPI into a virtual environment.
if [ -z "${TEST_S3_ENDPOINT:-}" ] && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test.sh: missing ${missing[*]}, and there is no apt-get to install them;" >&2
    echo "install them with your system's package manager and run scripts/test.sh again." >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "scripts/test.sh: missing ${missing[*]}; installing them needs root, and sudo is not" >&2
    echo "installed. As root run:  apt-get update && apt-get install --no-install-recommends ${missing[*]}" >&2
    echo "then run scripts/test.sh again." >&2
    exit 1
  fi
  echo "scripts/test.sh: installing ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  if command -v rustup >/dev/null 2>&1; then
    rustup component add clippy rustfmt
  else
    echo "scripts/test.sh: cargo fmt or cargo clippy is missing and there is no rustup;" >&2
    echo "install rustfmt and clippy for your Rust toolchain and run scripts/test.sh again." >&2
    exit 1
  fi
fi

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  # shellcheck source=scripts/pg-temp.sh
  . scripts/pg-temp.sh
fi
if [ -z "${TEST_S3_ENDPOINT:-}" ]; then
  # shellcheck source=scripts/s3-temp.sh
  . scripts/s3-temp.sh
fi

# axe-core for the browser test, at the version package-lock.json pins.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
