#!/usr/bin/env bash
# Runs one test runner and records how it ended, for test/helpers/summary.mjs:
#   run-runner.sh RESULTS NAME SECONDS COMMAND...
# The runner's reporter writes RESULTS/NAME.json (COUNT_FILE); its output goes to the terminal
# and to RESULTS/NAME.log; its exit status (124 when it ran past SECONDS) to RESULTS/NAME.exit.
# A runner that exits non-zero is a failure even when its counts say otherwise.
set -uo pipefail
results=$1 name=$2 seconds=$3
shift 3
mkdir -p "$results"
rm -f "$results/$name.json" "$results/$name.exit"
COUNT_FILE="$results/$name.json" timeout --kill-after=30 "$seconds" "$@" 2>&1 | tee "$results/$name.log"
status=${PIPESTATUS[0]}
echo "$status" >"$results/$name.exit"
exit "$status"
