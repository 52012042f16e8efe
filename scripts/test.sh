#!/usr/bin/env bash
# Every check and test of the project: formatting, lints, and the whole test suite, with
# the store, web and CLI suites run against SQLite and against a real PostgreSQL server,
# and the browser test in headless Chromium with axe-core.
# Uses TEST_DATABASE_URL when set; otherwise starts a throwaway PostgreSQL server.
# Needs Debian's postgresql, chromium, chromium-driver and npm (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  # shellcheck source=scripts/pg-temp.sh
  . scripts/pg-temp.sh
fi

# axe-core for the browser test, at the version package-lock.json pins.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
