#!/usr/bin/env bash
# Open the samples' report.html in headless Chromium at 1400 px and 420 px (.ci/browser-check.mjs):
# offline, no console error, every app row, the coupled groups' drawings, a legend and the
# timeline's axis present; nothing wider than the viewport, no text cut. Screenshots go to
# ARTIFACTS_DIR (default target/ci-artifacts/browser).
#
# Usage: bash .ci/browser-check.sh OUT_DIR [ARTIFACTS_DIR]   (OUT_DIR: an `ecaplan plan` output)
# Mandatory in CI (CI=true or ECAPLAN_REQUIRE_SHARED=1): a missing Chromium or Node package is
# a failure there; elsewhere the check is skipped with a message.
# PLAYWRIGHT_DIR: a folder with node_modules/playwright-core (else it is installed in a
# scratch folder); CHROMIUM: the browser (else chromium or chromium-browser on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: browser-check.sh OUT_DIR [ARTIFACTS_DIR]}
artifacts=${2:-target/ci-artifacts/browser}
required() { [ "${CI:-}" = true ] || [ "${ECAPLAN_REQUIRE_SHARED:-}" = 1 ]; }
skip() {
  if required; then echo "browser-check: $1" >&2; exit 1; fi
  echo "browser-check: skipped ($1; mandatory in CI)"
  exit 0
}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || skip "no chromium: apt-get install chromium"
command -v node >/dev/null || skip "no node: apt-get install nodejs npm"
tools=${PLAYWRIGHT_DIR:-}
if [ -z "$tools" ]; then
  tools=$(mktemp -d)
  trap 'rm -rf "$tools"' EXIT
  (cd "$tools" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund playwright-core >/dev/null) \
    || skip "npm could not install playwright-core"
fi
count() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))" "$out/report.json" "$1"; }
apps=$(count apps)
groups=$(count coupled_groups)
echo "browser-check: $out/report.html, $apps apps, $groups coupled group(s), chromium $chromium"
CHROMIUM="$chromium" PLAYWRIGHT_DIR="$tools" node .ci/browser-check.mjs "$out/report.html" "$apps" "$groups" "$artifacts"
