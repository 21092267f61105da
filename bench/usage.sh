#!/usr/bin/env bash
# Usage-ingest benchmark: ecaplan's full aggregation vs `xsv count` (which only counts records)
# vs a Python csv-module script computing the same per-app summary, on generated LoginHistory
# exports of each data shape; then ecaplan's peak memory at 1x and 4x the rows (same apps and
# users, so memory must not grow).
#
#   bench/usage.sh [--shape S] [ROWS] [STYLE]
#       S: friendly, high-cardinality or skewed (examples/gen_loginhistory.rs); all three when
#       not given. ROWS defaults to 5000000 (~1.1 GB), STYLE to sf-cli (or dataloader).
#   RUNS=5 bench/usage.sh ...     runs per tool (default 3; the median is reported)
#   PY_RUNS=1 ...                 runs of the (slow) Python reference (default RUNS)
#   KEEP_4X=1 ...                 keep the 4x files (~4.5 GB each; deleted by default)
#
# The ecaplan and Python summaries are compared app by app (bench/compare.py) before any ratio
# is printed: the benchmark fails if they differ (network counts past ecaplan's exact cap are
# estimates, allowed their stated error).
#
# Needs: GNU time (/usr/bin/time), python3, and xsv on PATH (`cargo install xsv`).
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPES=(friendly high-cardinality skewed)
if [ "${1:-}" = "--shape" ]; then
  SHAPES=("$2")
  shift 2
fi
ROWS=${1:-5000000}
STYLE=${2:-sf-cli}
# Each tool runs RUNS times on the warm file; the median wall time and the highest peak memory
# are reported (this VM's timings vary by a fifth from run to run).
RUNS=${RUNS:-3}
PY_RUNS=${PY_RUNS:-$RUNS}
DIR=${BENCH_DIR:-/tmp/ecaplan-bench}
mkdir -p "$DIR"
command -v xsv >/dev/null || { echo "xsv not found: cargo install xsv" >&2; exit 2; }

cargo build --release --quiet --bin ecaplan --example gen_loginhistory
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/ecaplan
GEN=$TARGET/release/examples/gen_loginhistory

gen() { # shape rows file
  [ -s "$3" ] || "$GEN" "$2" "$STYLE" --shape "$1" > "$3"
}
measure() { # label runs stdout_file command... ; prints "label wall_s peak_mib" (median of runs)
  local label=$1 runs=$2 dest=$3; shift 3
  local out walls=() peak=0
  out=$(mktemp)
  for _ in $(seq "$runs"); do
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

one_shape() { # shape
  local shape=$1
  local file="$DIR/LoginHistory_${shape}_${STYLE}_${ROWS}.csv"
  gen "$shape" "$ROWS" "$file"
  local size
  size=$(stat -c %s "$file")
  echo "== shape $shape: $file ($((size / 1024 / 1024)) MiB, $ROWS rows, style $STYLE)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # Warm the page cache so every tool reads from memory, not disk.
  cat "$file" > /dev/null
  local E X P
  E=$(measure ecaplan "$RUNS" "$DIR/ecaplan.json" "$BIN" usage --quiet --format json "$file")
  X=$(measure xsv "$RUNS" /dev/null xsv count "$file")
  P=$(measure python "$PY_RUNS" "$DIR/python.json" python3 bench/summary.py "$file")
  printf '%-8s %10s %10s\n' tool wall_s peak_MiB
  printf '%-8s %10s %10s\n' $E
  printf '%-8s %10s %10s\n' $X
  printf '%-8s %10s %10s\n' $P
  # Both programs must have computed the same per-app summary.
  python3 bench/compare.py "$DIR/ecaplan.json" "$DIR/python.json"
  # Memory must not grow with rows: the same apps and users at 4x the rows.
  local big="$DIR/LoginHistory_${shape}_${STYLE}_$((ROWS * 4)).csv"
  gen "$shape" "$((ROWS * 4))" "$big"
  local B
  B=$(measure ecaplan-4x 1 /dev/null "$BIN" usage --quiet --format json "$big")
  [ -n "${KEEP_4X:-}" ] || rm -f "$big"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  read -r _ ew em <<< "$E"; read -r _ xw _ <<< "$X"; read -r _ pw _ <<< "$P"; read -r _ bw bm <<< "$B"
  python3 - "$shape" "$ew" "$xw" "$pw" "$em" "$bm" "$bw" "$ROWS" <<'PY'
import sys
shape = sys.argv[1]
ew, xw, pw, em, bm, bw, rows = map(float, sys.argv[2:])
print(f"ecaplan / xsv count wall time: {ew / xw:.2f}  (target <= 1.00)")
print(f"python / ecaplan wall time:    {pw / ew:.1f}x  (target >= 20x)")
print(f"ecaplan peak memory:           {em:.0f} MiB (target <= 128)")
print(f"peak memory {int(rows)} rows: {em:.0f} MiB; {int(rows * 4)} rows: {bm:.0f} MiB ({bw:.2f} s); growth {100 * (bm - em) / em:+.1f}% (target within 10%)")
PY
}

for shape in "${SHAPES[@]}"; do
  one_shape "$shape"
done
