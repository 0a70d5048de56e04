#!/usr/bin/env bash
# The runners, in a network namespace whose only interface is `lo` (called by test/run.sh as
# `unshare -n bash test/run-inside.sh --own-netns`). Each runner goes through run-runner.sh, which
# records its counts, output and exit status for test/helpers/summary.mjs.
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=.test-results
ip link set lo up 2>/dev/null || true
# Fault injection (test/helpers/chaos.ts) works only in the namespace recorded here.
if [ "${1:-}" = --own-netns ]; then export MESH_TEST_NETNS=$(readlink /proc/self/ns/net); fi
LOADER=(--import ./test/helpers/ts-loader.mjs)
# --test-force-exit: a test that timed out must not keep its file's process alive (its promise
# still pending, a socket still open): the test fails, the file ends, the next one runs.
REPORT=(--test-force-exit --test-reporter=spec --test-reporter-destination=stdout --test-reporter=./test/helpers/count-reporter.mjs --test-reporter-destination="$RESULTS/node-events.log")
RUN=(bash test/helpers/run-runner.sh "$RESULTS")
status=0

# Whatever a killed test file left in this namespace: its chaos table, its processes (relays,
# redis-servers, browsers). The namespace itself dies with the run.
cleanup() {
  nft delete table inet chaos 2>/dev/null || true
  if [ -n "${MESH_TEST_NETNS:-}" ]; then
    for p in /proc/[0-9]*; do
      pid=${p#/proc/}
      [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$MESH_TEST_NETNS" ] || continue
      grep -q "^PPid:\s*$$\$" "$p/status" 2>/dev/null && continue # this script's own subshells
      kill -9 "$pid" 2>/dev/null || true
    done
  fi
}

echo "== node:test — relay and core units (real relay on 127.0.0.1)"
"${RUN[@]}" node 600 node "${LOADER[@]}" --expose-gc --test "${REPORT[@]}" test/relay/*.test.ts test/unit/*.test.ts || status=1
cleanup

echo "== web-test-runner — core and elements in Chromium"
"${RUN[@]}" wtr 900 node "${LOADER[@]}" node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs || status=1
cleanup

echo "== e2e — several browser contexts on the demo page"
"${RUN[@]}" e2e 1200 node "${LOADER[@]}" --test --test-concurrency=1 "${REPORT[@]}" test/e2e/*.test.ts || status=1
cleanup
# Firefox ESR: the element tests again, and rooms that mix browsers. Part of every run;
# `MESH_FIREFOX=0 npm test` (npm run test:chromium) leaves it out of a quick local run.
if [ "${MESH_FIREFOX:-1}" = 1 ]; then
echo "== web-test-runner — core and elements in Firefox ESR (WebDriver BiDi)"
  # Firefox gathers no ICE candidate with only `lo`: from here on the namespace also has a veth pair
  # with 192.0.2.10 and a route to nowhere (nothing leaves it; see test/helpers/netns-veth.sh).
  # Without a namespace of our own (a laptop) the host's interfaces serve, and nothing is added.
  if [ -n "${MESH_TEST_NETNS:-}" ]; then bash test/helpers/netns-veth.sh || echo "test: no veth pair: Firefox will gather no ICE candidate" >&2; fi
  WTR_BROWSER=firefox "${RUN[@]}" wtr-firefox 600 node "${LOADER[@]}" node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs || status=1
  cleanup
  echo "== e2e — mixed rooms, Firefox ESR and Chromium"
  "${RUN[@]}" e2e-firefox 600 node "${LOADER[@]}" --test --test-concurrency=1 "${REPORT[@]}" test/e2e-firefox/*.test.ts || status=1
  cleanup
fi
# The SFU (issue 19): the relay driving a real Janus, and rooms in SFU mode in Chromium. Janus, like
# Firefox, gathers no ICE candidate with only `lo`: the same veth pair (nothing leaves the namespace).
if [ "${MESH_SFU:-1}" = 1 ]; then
  echo "== SFU — the relay with a real Janus, rooms in SFU mode"
  if [ -n "${MESH_TEST_NETNS:-}" ]; then bash test/helpers/netns-veth.sh || echo "test: no veth pair: Janus will gather no ICE candidate" >&2; fi
  "${RUN[@]}" sfu 600 node "${LOADER[@]}" --test --test-concurrency=1 "${REPORT[@]}" test/sfu/*.test.ts || status=1
  cleanup
fi
exit $status
