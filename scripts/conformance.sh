#!/usr/bin/env bash
# Runs the official MCP conformance suite (server scenarios) against a local standalone server.
# @modelcontextprotocol/conformance 0.1.13 is the last release that runs on Node 20.
set -uo pipefail
cd "$(dirname "$0")/.."
PORT="${CONFORMANCE_PORT:-8765}"
DATA=$(mktemp -d)
PLANEXE_DATA_DIR="$DATA" PLANEXE_MCP_HTTP_PORT="$PORT" PLANEXE_LOG_LEVEL=warn npx tsx services/standalone/src/main.ts 2>/tmp/planexe-conformance-server.log &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthcheck" >/dev/null && break; sleep 0.5; done
npx -y @modelcontextprotocol/conformance@0.1.13 server --url "http://127.0.0.1:$PORT/mcp" "$@"
