#!/usr/bin/env bash
# Encoding the 1,100 formatted chapter entries with SFT Studio's tokenizer and with
# js-tiktoken (which made the oracle IDs), same texts, same invocation. Prints each median
# and the ratio ours/js (above 1: ours is faster).
#   bench/bench_tokenizer.sh [BUILD_DIR] [REPETITIONS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
repetitions=${2:-9}
shared=${SFT_SHARED_DIR:-$root/../shared}
oracle="$shared/data/tokenizer-oracle/instruction-data.alpaca-tokens.json"

# js-tiktoken is pinned in bench/package.json; node_modules stays out of git.
if [ ! -f "$here/node_modules/js-tiktoken/package.json" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent) >&2
fi

ours=$("$build/bench/bench_tokenizer" "$shared/data/gpt2-tokenizer" "$oracle" "$repetitions")
js=$(node "$here/tokenizer_js.mjs" "$oracle" "$repetitions")
echo "$ours"
echo "$js"
node -e '
const [ours, js] = process.argv.slice(1).map((a) => JSON.parse(a));
console.log(`ratio ours/js-tiktoken (texts/s): ${(ours.texts_per_s / js.texts_per_s).toFixed(2)}`);
' "$ours" "$js"
