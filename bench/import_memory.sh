#!/bin/sh
# Peak memory of importing the review's bombs (issue 13, item 6): this tree against a
# baseline commit, in the same run. Builds `crates/formats/examples/import_memory.rs` in
# both (the baseline gets this tree's copy of the example and of the bomb builders), writes
# the bombs once, and imports each in its own process with each build.
#
#   bench/import_memory.sh [BASELINE]      BASELINE defaults to 518d993, before the limits
#
# The dev profile, as the tests build (set PROFILE=release for optimised builds); the
# baseline needs about 2.2 GB of free memory for the file of 3 million rows.
set -eu
base=${1:-518d993}
profile=${PROFILE:-dev}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d /tmp/participa-import-memory.XXXXXX)
trap 'rm -rf "$work"' EXIT
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")

build() { # tree, output binary
  (cd "$1" && CARGO_TARGET_DIR="$root/target" cargo build -q --profile "$profile" \
    -p participa-formats --example import_memory)
  cp "$root/target/$dir/examples/import_memory" "$2"
}

mkdir -p "$work/base"
git -C "$root" archive "$base" | tar -x -C "$work/base"
mkdir -p "$work/base/crates/formats/examples" "$work/base/crates/formats/tests/bombs"
cp "$root/crates/formats/examples/import_memory.rs" "$work/base/crates/formats/examples/"
cp "$root/crates/formats/tests/bombs/mod.rs" "$work/base/crates/formats/tests/bombs/"
build "$work/base" "$work/import-base"
build "$root" "$work/import-this"

"$work/import-this" write "$work/files"
echo
printf 'build\tfile\tpeak RSS\ttime\toutcome\n'
for f in titulo.xlsx filas.xlsx malo.txt cuenta.xlsx lejos.xlsx estilos.xlsx fuentes.xlsx \
    filas-15mb.xlsx textos-8mb.xlsx; do
  for which in base this; do
    printf '%s\t' "$which"
    if "$work/import-$which" import "$work/files/$f" >"$work/out" 2>"$work/err"; then
      cut -c1-160 "$work/out"
    else
      printf '%s\t%s\n' "$f" "the process died (exit $?): $(grep -m1 -o 'memory allocation of [0-9]* bytes failed' "$work/err" || true)"
    fi
  done
done
