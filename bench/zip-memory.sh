#!/usr/bin/env bash
# Zip memory benchmark (issue 13, defect 6): six small archives whose entries inflate to
# 40 MB each must not drive ecaplan's memory up. Generates six zips of 30 entries x 40 MB
# (highly compressible, about 1.2 MB each: the shape that reached 6 GB before entries were
# inflated one at a time within a limit), then runs `ecaplan inventory` and `ecaplan plan`
# under GNU time and prints wall time and peak RSS. Fails if a peak exceeds LIMIT_MIB.
#
#   bench/zip-memory.sh                 entries: 10 metadata-named, 10 usage CSVs, 10 others
#   MIX=xml bench/zip-memory.sh         all 30 entries metadata-named (.connectedApp-meta.xml)
#   MIX=csv bench/zip-memory.sh         all 30 entries LoginHistory CSVs (streamed)
#
# Needs: GNU time (/usr/bin/time; `apt-get install time`), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
MIX=${MIX:-mixed}
LIMIT_MIB=${LIMIT_MIB:-256}
DIR=${BENCH_DIR:-/tmp/ecaplan-zip-bench}/$MIX
ENTRY_MB=${ENTRY_MB:-40}
[ -x /usr/bin/time ] || { echo "GNU time not found: apt-get install time" >&2; exit 2; }

cargo build --release --quiet --bin ecaplan
BIN=target/release/ecaplan

mkdir -p "$DIR/in"
if [ ! -s "$DIR/in/z6.zip" ]; then
  python3 - "$DIR/in" "$MIX" "$ENTRY_MB" <<'PY'
import sys, zipfile
out, mix, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = mb * 1000 * 1000
xml_head = b'<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">\n<label>Big</label>\n'
xml = xml_head + b' ' * (size - len(xml_head) - 16) + b'</ConnectedApp>\n'
head = b'Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\r\n'
row = b'0Ya000000000001AAA,005000000000001AAA,2026-05-01T10:00:00.000+0000,Remote Access 2.0,OAuth User-Agent,Big App,Success,10.0.0.1\r\n'
csv = head + row * ((size - len(head)) // len(row))
other = b'\0' * size
for z in range(1, 7):
    with zipfile.ZipFile(f'{out}/z{z}.zip', 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as w:
        for e in range(30):
            kind = {'xml': 0, 'csv': 1}.get(mix, e % 3)
            if kind == 0:
                w.writestr(f'force-app/connectedApps/App{z}_{e}.connectedApp-meta.xml', xml)
            elif kind == 1:
                w.writestr(f'usage/LoginHistory{z}_{e}.csv', csv)
            else:
                w.writestr(f'blobs/blob{z}_{e}.bin', other)
PY
fi
ls -l "$DIR/in"

fail=0
run() { # label command...
  local label=$1; shift
  local t; t=$(mktemp)
  set +e
  /usr/bin/time -f "%e %M" -o "$t" "$@" > "$DIR/$label.out" 2> "$DIR/$label.err"
  local code=$?
  set -e
  read -r wall kib < <(tail -n 1 "$t")
  local mib=$(( kib / 1024 ))
  printf '%-10s exit %s  wall %6ss  peak %5s MiB\n' "$label" "$code" "$wall" "$mib"
  [ "$mib" -le "$LIMIT_MIB" ] || { echo "  over the ${LIMIT_MIB} MiB limit" >&2; fail=1; }
  case $code in 0|1) ;; *) echo "  unexpected exit $code: $(head -c 400 "$DIR/$label.err")" >&2; fail=1 ;; esac
}
run inventory "$BIN" inventory "$DIR/in" --quiet --format json
run plan "$BIN" plan "$DIR/in" -o "$DIR/out" --force --quiet
rm -rf "$DIR/out"
python3 - "$DIR/inventory.out" <<'PY'
import json, sys, collections
files = json.load(open(sys.argv[1]))["accounting"]["files"]
count = collections.Counter((f["status"], f.get("reason") or f.get("message") or f.get("kind")) for f in files)
for (status, why), n in sorted(count.items()):
    print(f"  {n:4} {status}: {why}")
PY
exit $fail
