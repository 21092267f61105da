#!/usr/bin/env bash
# End-to-end plan benchmark: a large generated org (APPS connected apps) with the ~1 GB
# LoginHistory export of bench/usage.sh; `ecaplan plan` must take at most 1.5x the time of
# the usage ingest alone on the same inputs (issue 17: median of 5 runs, the default).
#
#   bench/plan.sh [APPS] [ROWS]        defaults: 2000 apps, 5000000 rows
#   SHAPE=high-cardinality bench/plan.sh   the LoginHistory's shape (gen_loginhistory --shape):
#                                      friendly (default), high-cardinality (405 apps, 5,000
#                                      users each, IPs over a /8) or skewed (a few busy apps
#                                      with thousands of users, a long tail of APPS integrations)
set -euo pipefail
cd "$(dirname "$0")/.."
APPS=${1:-2000}
ROWS=${2:-5000000}
DIR=${BENCH_DIR:-/tmp/ecaplan-bench}
SHAPE=${SHAPE:-friendly}
ORG="$DIR/org-$APPS"
mkdir -p "$DIR"
cargo build --release --quiet --bin ecaplan --example gen_org --example gen_loginhistory --example write_floor
[ -d "$ORG/force-app" ] || target/release/examples/gen_org "$APPS" "$ORG" > /dev/null
# One usage folder per shape and size beside the org's metadata: the plan reads the org's
# folder and that usage folder, the usage ingest that folder alone.
USAGE="$DIR/usage-$APPS-$SHAPE-$ROWS"
mkdir -p "$USAGE"
if [ ! -s "$USAGE/LoginHistory.csv" ]; then
  case $SHAPE in
    # The issue's high-cardinality shape has its own 405 apps (the org's first 405 of them).
    high-cardinality) target/release/examples/gen_loginhistory "$ROWS" sf-cli --shape "$SHAPE" ;;
    *) target/release/examples/gen_loginhistory "$ROWS" sf-cli "$APPS" --shape "$SHAPE" ;;
  esac > "$USAGE/LoginHistory.csv"
fi
cat "$USAGE/LoginHistory.csv" > /dev/null
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
  read -r w kib us ss < <(timed target/release/ecaplan usage --quiet --format json "$USAGE")
  uws+=("$w"); ucs+=("$(awk -v a="$us" -v b="$ss" 'BEGIN {print a + b}')"); [ "$kib" -gt "$um" ] && um=$kib
  read -r w kib us ss < <(timed target/release/ecaplan plan --quiet "$ORG/force-app" "$USAGE" -o "{OUT}")
  pws+=("$w"); pcs+=("$(awk -v a="$us" -v b="$ss" 'BEGIN {print a + b}')"); [ "$kib" -gt "$pm" ] && pm=$kib
done
# The floor no code of ours can go under: the kernel's work to create the plan's files and
# write their bytes. examples/write_floor reads one plan output into memory, then writes the
# same tree again on one thread and prints the CPU time of that writing alone.
keep=$(mktemp -d "$PLAN_OUT/plan-out.XXXXXX")
target/release/ecaplan plan --quiet "$ORG/force-app" "$USAGE" -o "$keep/out" > /dev/null
cps=()
for i in 1 2 3; do
  read -r c files < <(target/release/examples/write_floor "$keep/out" "$keep/copy$i")
  cps+=("$c")
  # One copy at a time: copies of a large output left behind would fill the memory of /dev/shm.
  rm -rf "$keep/copy$i"
done
rm -rf "$PLAN_OUT"/plan-out.*
uw=$(printf '%s\n' "${uws[@]}" | median)
pw=$(printf '%s\n' "${pws[@]}" | median)
uc=$(printf '%s\n' "${ucs[@]}" | median)
pc=$(printf '%s\n' "${pcs[@]}" | median)
echo "runs (usage / plan): ${uws[*]} / ${pws[*]}; plan output in $PLAN_OUT"
echo "org: $APPS apps, $(stat -c %s "$USAGE/LoginHistory.csv" | awk '{printf "%d MiB", $1/1048576}') of LoginHistory ($ROWS rows, shape $SHAPE)"
printf '%-14s %8s %10s %8s\n' step wall_s peak_MiB cpu_s
printf '%-14s %8s %10s %8s\n' "usage ingest" "$uw" "$((um / 1024))" "$uc"
printf '%-14s %8s %10s %8s\n' "plan" "$pw" "$((pm / 1024))" "$pc"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cc=$(printf '%s\n' "${cps[@]}" | median)
python3 -c "import sys; u, p, uc, pc = map(float, sys.argv[1:]); print(f'plan / usage ingest: {p / u:.2f}  (target <= 1.50); CPU time: {pc / uc:.2f}')" "$uw" "$pw" "$uc" "$pc"
python3 - "$uc" "$pc" "$cc" "$files" <<'PY'
import sys
uc, pc, cc, files = map(float, sys.argv[1:])
print(f"writing the plan's {int(files)} files alone (examples/write_floor, CPU): {cc:.2f} s = {cc / uc:.2f}x the usage ingest's CPU time")
print(f"plan CPU time beyond the usage ingest: {pc - uc:.2f} s, of which the files' floor {cc:.2f} s and our computing {pc - uc - cc:.2f} s")
PY
