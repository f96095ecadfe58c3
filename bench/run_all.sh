#!/usr/bin/env bash
# Runs every benchmark against its reference in the same invocation and writes
# docs/benchmarks.md with the machine, the figures and the ratios.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$root/docs/benchmarks.md"
log=$(mktemp)

section() { echo; echo "## $1"; echo; echo '```'; }
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`./studio bench\` on $(date -u +%Y-%m-%d): $(nproc) cores,"
  echo "$(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB, LibTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')."
  echo "Each figure is a median of several repetitions unless its section says otherwise; each ratio compares two runs of the same invocation."
  section "Training step: gpt2-small shape, batch 8 x 64 tokens, fp32, AdamW"
  "$here/bench_train_step.sh" "$build"
  echo '```'
  section "Fine-tuning workload: the chapter's first 20 steps and their evaluations, gpt2-small shape from init (one run of each)"
  "$here/bench_workload.sh" "$build" 20
  echo '```'
  section "Generation: gpt2-small shape, greedy, KV cache vs the chapter's generate()"
  "$root/$build/bench/bench_generation"
  echo '```'
  section "Tokenizer: the 1,100 formatted chapter entries, ours vs js-tiktoken"
  "$here/bench_tokenizer.sh" "$build"
  echo '```'
} | tee "$log"
mv "$log" "$out"
echo "wrote $out" >&2
