#!/usr/bin/env bash
# Import throughput on SQLite and on a throwaway PostgreSQL server (optimised build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  . scripts/pg-temp.sh
fi
cargo bench --bench import
