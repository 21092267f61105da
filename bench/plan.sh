#!/usr/bin/env bash
# End-to-end plan benchmark: a large generated org (APPS connected apps) with the ~1 GB
# LoginHistory export of bench/usage.sh; `ecaplan plan` must take at most 1.5x the time of
# the usage ingest alone on the same inputs (issue 17: median of 5 runs, the default).
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
RUNS=${RUNS:-5}
# Where plan writes its ~21,600 files (for 2,000 apps): PLAN_OUT, by default /dev/shm when
# there is one. On a disk the time to create the files depends on the file system's state: ext4 without a
# journal (as on some VMs) skips inodes deleted in the last minutes one by one, so a run
# soon after an earlier run's output was deleted spends seconds in the kernel. Set
# PLAN_OUT=$DIR to measure on the disk (wait a few minutes after deleting earlier outputs).
if [ -z "${PLAN_OUT:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then PLAN_OUT=/dev/shm; else PLAN_OUT=$DIR; fi
fi
# RUNS rounds; each round times the usage ingest and then the plan, so both see the same
# state of this VM (its speed drifts by a fifth over minutes). Reported: the median wall time
# of each, the highest peak memory, and the median CPU time (user + system: on a machine
# shared with other work the wall time follows the neighbours, the CPU time much less).
# `{OUT}` in a command becomes a fresh folder each run.
timed() {
  local out fresh
  out=$(mktemp)
  fresh=$(mktemp -d "$PLAN_OUT/plan-out.XXXXXX")/out
  /usr/bin/time -f "%e %M %U %S" -o "$out" "${@/\{OUT\}/$fresh}" > /dev/null
  cat "$out"
  rm -f "$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
uws=() pws=() ucs=() pcs=() um=0 pm=0
for _ in $(seq "$RUNS"); do
  read -r w kib us ss < <(timed target/release/ecaplan usage --quiet --format json "$ORG/usage")
  uws+=("$w"); ucs+=("$(awk -v a="$us" -v b="$ss" 'BEGIN {print a + b}')"); [ "$kib" -gt "$um" ] && um=$kib
  read -r w kib us ss < <(timed target/release/ecaplan plan --quiet "$ORG" -o "{OUT}")
  pws+=("$w"); pcs+=("$(awk -v a="$us" -v b="$ss" 'BEGIN {print a + b}')"); [ "$kib" -gt "$pm" ] && pm=$kib
done
rm -rf "$PLAN_OUT"/plan-out.*
uw=$(printf '%s\n' "${uws[@]}" | median)
pw=$(printf '%s\n' "${pws[@]}" | median)
uc=$(printf '%s\n' "${ucs[@]}" | median)
pc=$(printf '%s\n' "${pcs[@]}" | median)
echo "runs (usage / plan): ${uws[*]} / ${pws[*]}; plan output in $PLAN_OUT"
echo "org: $APPS apps, $(stat -c %s "$ORG/usage/LoginHistory.csv" | awk '{printf "%d MiB", $1/1048576}') of LoginHistory ($ROWS rows)"
printf '%-14s %8s %10s %8s\n' step wall_s peak_MiB cpu_s
printf '%-14s %8s %10s %8s\n' "usage ingest" "$uw" "$((um / 1024))" "$uc"
printf '%-14s %8s %10s %8s\n' "plan" "$pw" "$((pm / 1024))" "$pc"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 -c "import sys; u, p, uc, pc = map(float, sys.argv[1:]); print(f'plan / usage ingest: {p / u:.2f}  (target <= 1.50); CPU time: {pc / uc:.2f}')" "$uw" "$pw" "$uc" "$pc"
