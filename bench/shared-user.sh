#!/usr/bin/env bash
# ECA207 benchmark (issue 13, defect 7): APPS connected apps all running as one integration
# user. Findings about the shared user used to list every peer in every finding (quadratic:
# 5,000 apps took 35 s and 6.4 GB; 10,000 ran out of memory). Target: 10,000 apps plan in
# under 30 s and under 1 GiB peak memory.
#
#   bench/shared-user.sh [APPS]        default: 10000 apps
set -euo pipefail
cd "$(dirname "$0")/.."
APPS=${1:-10000}
DIR=${BENCH_DIR:-/tmp/ecaplan-bench}
ORG="$DIR/shared-user-$APPS"
mkdir -p "$DIR"
command -v /usr/bin/time > /dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet --bin ecaplan --example gen_shared_user
[ -d "$ORG/force-app" ] || target/release/examples/gen_shared_user "$APPS" "$ORG" > /dev/null
# Output on /dev/shm when there is one (see bench/plan.sh for why).
if [ -z "${PLAN_OUT:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then PLAN_OUT=/dev/shm; else PLAN_OUT=$DIR; fi
fi
out=$(mktemp -d "$PLAN_OUT/shared-out.XXXXXX")
log=$(mktemp)
status=0
/usr/bin/time -v -o "$log" target/release/ecaplan plan --quiet "$ORG" -o "$out/plan" > /dev/null || status=$?
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
size=$(du -sk "$out" | awk '{print $1}')
rm -rf "$out" "$log"
echo "org: $APPS connected apps sharing one run-as user (exit $status)"
printf '%-12s %s\n' wall "$wall" peak_MiB "$((kib / 1024))" output_MiB "$((size / 1024))"
python3 - "$wall" "$kib" <<'PY'
import sys
w = sys.argv[1]
parts = [float(p) for p in w.split(':')]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
mib = int(sys.argv[2]) / 1024
ok = secs < 30 and mib < 1024
print(f"target: < 30 s and < 1024 MiB -> {'ok' if ok else 'MISSED'} ({secs:.1f} s, {mib:.0f} MiB)")
PY
exit $status
