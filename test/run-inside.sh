#!/usr/bin/env bash
# The runners, in a network namespace whose only interface is `lo` (called by test/run.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=.test-results
ip link set lo up 2>/dev/null || true
LOADER=(--import ./test/helpers/ts-loader.mjs)
REPORT=(--test-reporter=spec --test-reporter-destination=stdout --test-reporter=./test/helpers/count-reporter.mjs --test-reporter-destination="$RESULTS/node-events.log")

echo "== node:test — relay and core units (real relay on 127.0.0.1)"
COUNT_FILE=$RESULTS/node.json timeout 600 node "${LOADER[@]}" --test "${REPORT[@]}" test/relay/*.test.ts test/unit/*.test.ts 2>&1 | tee "$RESULTS/node.log"

echo "== web-test-runner — core and elements in Chromium"
COUNT_FILE=$RESULTS/wtr.json timeout 900 node "${LOADER[@]}" node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs 2>&1 | tee "$RESULTS/wtr.log"

echo "== e2e — several browser contexts on the demo page"
COUNT_FILE=$RESULTS/e2e.json timeout 1200 node "${LOADER[@]}" --test --test-concurrency=1 "${REPORT[@]}" test/e2e/*.test.ts 2>&1 | tee "$RESULTS/e2e.log"
exit 0
