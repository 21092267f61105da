#!/usr/bin/env bash
# Usage-ingest benchmark: ecaplan's full aggregation vs `xsv count` (which only counts records)
# vs a Python csv-module script computing the same per-app summary, on one generated
# LoginHistory export; then ecaplan's peak memory at 1x and 4x the rows (same apps and users).
#
#   bench/usage.sh [ROWS] [STYLE]      defaults: 5000000 rows (~1 GB), sf-cli (or dataloader)
#   RUNS=5 bench/usage.sh ...          runs per tool (default 3; the median is reported)
#
# The ecaplan and Python summaries are compared app by app (bench/compare.py) before any ratio
# is printed: the benchmark fails if they differ.
#
# Needs: GNU time (/usr/bin/time), python3, and xsv on PATH (`cargo install xsv`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-5000000}
STYLE=${2:-sf-cli}
# Each tool runs RUNS times on the warm file; the median wall time and the highest peak memory
# are reported (this VM's timings vary by a fifth from run to run).
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/ecaplan-bench}
mkdir -p "$DIR"
command -v xsv >/dev/null || { echo "xsv not found: cargo install xsv" >&2; exit 2; }

cargo build --release --quiet --bin ecaplan --example gen_loginhistory
BIN=target/release/ecaplan
GEN=target/release/examples/gen_loginhistory

gen() { # rows file
  [ -s "$2" ] || "$GEN" "$1" "$STYLE" > "$2"
}
measure() { # label stdout_file command... ; prints "label wall_s peak_mib" (median of RUNS runs)
  local label=$1 dest=$2; shift 2
  local out walls=() peak=0
  out=$(mktemp)
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$out" "$@" > "$dest"
    read -r wall kib < "$out"
    walls+=("$wall")
    [ "$kib" -gt "$peak" ] && peak=$kib
  done
  rm -f "$out"
  local median
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  printf '%s %s %s\n' "$label" "$median" "$((peak / 1024))"
}

FILE="$DIR/LoginHistory_${STYLE}_${ROWS}.csv"
gen "$ROWS" "$FILE"
SIZE=$(stat -c %s "$FILE")
echo "file: $FILE ($((SIZE / 1024 / 1024)) MiB, $ROWS rows, style $STYLE)"

# Warm the page cache so every tool reads from memory, not disk.
cat "$FILE" > /dev/null

E=$(measure ecaplan "$DIR/ecaplan.json" "$BIN" usage --quiet --format json "$FILE")
X=$(measure xsv /dev/null xsv count "$FILE")
P=$(measure python "$DIR/python.json" python3 bench/summary.py "$FILE")
printf '%-8s %10s %10s\n' tool wall_s peak_MiB
printf '%-8s %10s %10s\n' $E
printf '%-8s %10s %10s\n' $X
printf '%-8s %10s %10s\n' $P
# Both programs must have computed the same per-app summary.
python3 bench/compare.py "$DIR/ecaplan.json" "$DIR/python.json"
read -r _ ew em <<< "$E"; read -r _ xw xm <<< "$X"; read -r _ pw pm <<< "$P"
python3 - "$ew" "$xw" "$pw" "$em" <<'PY'
import sys
ew, xw, pw, em = map(float, sys.argv[1:])
print(f"ecaplan / xsv count wall time: {ew / xw:.2f}  (target <= 1.00)")
print(f"python / ecaplan wall time:    {pw / ew:.1f}x  (target >= 20x)")
print(f"ecaplan peak memory:           {em:.0f} MiB (target <= 128)")
PY

# Memory must not grow with rows: the same apps and users at 1x and 4x the rows.
SMALL=$((ROWS / 4))
SMALL_FILE="$DIR/LoginHistory_${STYLE}_${SMALL}.csv"
gen "$SMALL" "$SMALL_FILE"
S=$(measure ecaplan-1x /dev/null "$BIN" usage --quiet --format json "$SMALL_FILE")
read -r _ sw sm <<< "$S"
python3 - "$sm" "$em" "$SMALL" "$ROWS" <<'PY'
import sys
small, big, r1, r4 = map(float, sys.argv[1:])
print(f"peak memory {int(r1)} rows: {small:.0f} MiB; {int(r4)} rows: {big:.0f} MiB; growth {100 * (big - small) / small:+.1f}% (target within 10%)")
PY
