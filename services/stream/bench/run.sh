#!/usr/bin/env bash
# Stream service benchmark: raise the soft open-file limit to the hard one (18,000 idle connections need one
# descriptor each in the server and in the client process), then run the benchmark (args pass through, e.g. --quick).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ulimit -n "$(ulimit -Hn)"
echo "open files: soft $(ulimit -Sn), hard $(ulimit -Hn)"
exec node --import tsx services/stream/bench/streamBench.ts "$@"
