#!/usr/bin/env bash
# `npm test`: everything, on a fresh Debian machine as root.
#  1. installs the system packages the tests use when missing (Chromium, Firefox ESR, nftables, coturn, redis-server, janus; never a downloaded browser),
#  2. builds, type-checks, checks the generated docs and the bundle size budgets,
#  3. runs every runner inside a network namespace that has only `lo` (test traffic stays on 127.0.0.1),
#  4. ends with one line: "tests: N passed, N failed", summed over all runners (test/helpers/summary.mjs);
#     a runner that exits non-zero, does not report, or runs out of time counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=.test-results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

packages=()
command -v chromium >/dev/null 2>&1 || [ -n "${CHROME_PATH:-}" ] || packages+=(chromium)
[ "${MESH_FIREFOX:-1}" != 1 ] || command -v firefox-esr >/dev/null 2>&1 || [ -n "${FIREFOX_PATH:-}" ] || packages+=(firefox-esr) # the Firefox runs (MESH_FIREFOX=0 leaves them out)
command -v nft >/dev/null 2>&1 || packages+=(nftables)          # fault injection inside the namespace
command -v turnserver >/dev/null 2>&1 || packages+=(coturn)     # TURN tests
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server) # multi-node relay tests
[ "${MESH_SFU:-1}" != 1 ] || command -v janus >/dev/null 2>&1 || packages+=(janus) # the SFU (MESH_SFU=0 leaves it out)
if [ ${#packages[@]} -gt 0 ]; then
  echo "test: installing ${packages[*]} (Debian packages)"
  if [ "$(id -u)" != 0 ]; then
    echo "test: need root to install ${packages[*]}; run: sudo apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}") >"$RESULTS/apt.log" 2>&1 \
    || { tail -20 "$RESULTS/apt.log" >&2; echo "test: installing ${packages[*]} failed" >&2; exit 1; }
fi

check() { # name, command...: a build step counted as one test
  local name=$1; shift
  "$@" >"$RESULTS/$name.log" 2>&1
  local status=$?
  echo "$status" >"$RESULTS/$name.exit"
  if [ "$status" = 0 ]; then echo '{"passed":1,"failed":0,"skipped":0}' >"$RESULTS/$name.json"; echo "ok: $name";
  else echo '{"passed":0,"failed":1,"skipped":0}' >"$RESULTS/$name.json"; echo "FAILED: $name"; cat "$RESULTS/$name.log"; fi
}
check build node build.mjs
check typecheck npx --no-install tsc --noEmit -p .
check docs node build.mjs --check-docs   # custom-elements.json and the README reference match the JSDoc
check size node bench/size.mjs --check   # bundle size budgets

# Inside the namespace: loopback only (see ../shared/TESTING.md). Without unshare (a laptop
# without root) the same commands run on the host, still bound to 127.0.0.1.
if unshare -n true 2>/dev/null; then
  unshare -n bash test/run-inside.sh --own-netns
else
  echo "test: network namespaces unavailable; running on the host loopback" >&2
  bash test/run-inside.sh
fi

runners=(build typecheck docs size node wtr e2e)
[ "${MESH_FIREFOX:-1}" = 1 ] && runners+=(wtr-firefox e2e-firefox)
[ "${MESH_SFU:-1}" = 1 ] && runners+=(sfu)
node test/helpers/summary.mjs "$RESULTS" "${runners[@]}"
