#!/usr/bin/env bash
# End-to-end plan benchmark: a large generated org (APPS connected apps) with the ~1 GB
# LoginHistory export of bench/usage.sh; `ecaplan plan` must take at most 1.5x the time of
# the usage ingest alone on the same inputs.
#
#   bench/plan.sh [APPS] [ROWS]        defaults: 2000 apps, 5000000 rows
set -euo pipefail
cd "$(dirname "$0")/.."
APPS=${1:-2000}
ROWS=${2:-5000000}
DIR=${BENCH_DIR:-/tmp/ecaplan-bench}
ORG="$DIR/org-$APPS"
mkdir -p "$DIR"
cargo build --release --quiet --bin ecaplan --example gen_org --example gen_loginhistory
[ -d "$ORG/force-app" ] || target/release/examples/gen_org "$APPS" "$ORG" > /dev/null
mkdir -p "$ORG/usage"
[ -s "$ORG/usage/LoginHistory.csv" ] || target/release/examples/gen_loginhistory "$ROWS" sf-cli "$APPS" > "$ORG/usage/LoginHistory.csv"
cat "$ORG/usage/LoginHistory.csv" > /dev/null
measure() { local out; out=$(mktemp); /usr/bin/time -f "%e %M" -o "$out" "$@" > /dev/null; cat "$out"; rm -f "$out"; }
read -r uw um < <(measure target/release/ecaplan usage --quiet --format json "$ORG/usage")
# A fresh folder name: writing into a just-deleted tree is slow on ext4 and would measure the
# file system, not ecaplan.
OUT=$(mktemp -d "$DIR/plan-out.XXXXXX")/out
read -r pw pm < <(measure target/release/ecaplan plan --quiet "$ORG" -o "$OUT")
echo "org: $APPS apps, $(stat -c %s "$ORG/usage/LoginHistory.csv" | awk '{printf "%d MiB", $1/1048576}') of LoginHistory ($ROWS rows)"
printf '%-14s %8s %10s\n' step wall_s peak_MiB
printf '%-14s %8s %10s\n' "usage ingest" "$uw" "$((um / 1024))"
printf '%-14s %8s %10s\n' "plan" "$pw" "$((pm / 1024))"
python3 -c "import sys; u, p = map(float, sys.argv[1:]); print(f'plan / usage ingest: {p / u:.2f}  (target <= 1.50)')" "$uw" "$pw"
