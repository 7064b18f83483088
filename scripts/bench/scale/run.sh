#!/usr/bin/env bash
# `npm run bench:scale`: raise the soft open-file limit to the hard one (10,000 SSE subscribers need a descriptor in
# a stream process and in a client process each), then run the scale benchmark (args pass through, e.g. --quick).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ulimit -n "$(ulimit -Hn)"
echo "open files: soft $(ulimit -Sn), hard $(ulimit -Hn)"
exec node --import tsx scripts/bench/scale/run.ts "$@"
