#!/usr/bin/env bash
# Every check and test of the project: formatting, lints, and the whole test suite, with
# the store and CLI suites run against SQLite and against a real PostgreSQL server.
# Uses TEST_DATABASE_URL when set; otherwise starts a throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  # shellcheck source=scripts/pg-temp.sh
  . scripts/pg-temp.sh
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
