#!/usr/bin/env bash
# Runs the official MCP conformance suite (0.2 line, server scenarios) against `npm start`: the production bundle in
# standalone mode, auth off, with the conformance fixtures on (PLANEXE_CONFORMANCE_FIXTURES=1: the tools, prompts and
# resources the scenarios call). Both revisions, one after the other: --requirements 2025-11-25 and 2026-07-28.
# The suite (@modelcontextprotocol/conformance@0.2.0-alpha.12, a devDependency) needs Node 22 or newer — the
# project's own floor (engines: ^22.13.0 || >=24).
#
# Results: one folder per revision under $CONFORMANCE_OUT (default test-results/conformance), the suite's
# checks.json per scenario, and report.json summed up by scripts/conformance/summarize.ts, which also prints the
# verdict against tests/conformance/baseline.json.
#   npm run conformance                      run both revisions, print the verdict (exit 1 if it fails)
#   npm run conformance -- --write-baseline  also print the 2026-07-28 failures in baseline.json form
#   CONFORMANCE_REQUIREMENTS=2026-07-28 npm run conformance   one revision only
set -uo pipefail
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 22 ]; then
  echo "conformance: Node $(node -v) is too old; the suite and this project need Node 22.13+ (or 24)" >&2
  exit 2
fi

OUT="${CONFORMANCE_OUT:-test-results/conformance}"
REVISIONS="${CONFORMANCE_REQUIREMENTS:-2025-11-25 2026-07-28}"
TIMEOUT_MS="${CONFORMANCE_SCENARIO_TIMEOUT_MS:-15000}"
PORT="${CONFORMANCE_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
DATA=$(mktemp -d)
LOG="$OUT/server.log"
rm -rf "$OUT" && mkdir -p "$OUT"

node scripts/build.mjs >"$OUT/build.log" 2>&1 || { echo "conformance: the build failed (see $OUT/build.log)" >&2; exit 1; }
# `npm start` without its build step (done above, so a slow build does not count against the start-up wait). Rate
# limits off: the suite sends a few hundred requests a minute from one address (budgets are the security suite's).
env -u PORT PLANEXE_DATA_DIR="$DATA" PLANEXE_MCP_HTTP_HOST=127.0.0.1 PLANEXE_MCP_HTTP_PORT="$PORT" PLANEXE_MCP_REQUIRE_AUTH=false \
  PLANEXE_MCP_RATE_LIMIT=0 PLANEXE_CONFORMANCE_FIXTURES=1 PLANEXE_LOG_LEVEL=warn \
  node --enable-source-maps dist/standalone/main.js >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
ready=
for _ in $(seq 1 240); do
  if curl -sf "http://127.0.0.1:$PORT/healthcheck" >/dev/null; then ready=1; break; fi
  kill -0 $SERVER 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "conformance: the server did not come up on port $PORT (see $LOG)" >&2
  tail -20 "$LOG" >&2
  exit 1
fi

SUITE=node_modules/@modelcontextprotocol/conformance/dist/index.js
for rev in $REVISIONS; do
  echo "conformance: --requirements $rev against http://127.0.0.1:$PORT/mcp"
  # the suite exits non-zero when a scenario fails; the verdict is summarize.ts's (baseline-aware)
  node "$SUITE" server --url "http://127.0.0.1:$PORT/mcp" --requirements "$rev" --timeout "$TIMEOUT_MS" -o "$OUT/$rev" >"$OUT/$rev.log" 2>&1
  echo "conformance: $rev suite exit $? (log: $OUT/$rev.log)"
done

npx tsx scripts/conformance/summarize.ts --out "$OUT" --revisions "$REVISIONS" "$@"
