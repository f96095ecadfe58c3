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
  echo
  echo "Where the speed comes from (each measured below or in the tests named):"
  echo "- the optimizer: FusedAdamW updates each weight in one pass over memory instead of torch's"
  echo "  eight elementwise kernels (\`bench_adamw\`; equal to torch's AdamW within float rounding,"
  echo "  \`test_fused_adamw\`);"
  echo "- the output head only where a target counts (the app's default; \`--full-head\` is the"
  echo "  chapter's way; same loss, \`test_train_features\`);"
  echo "- \`--group-by-length\`: less padding (\`test_batcher\` chapterPaddingFraction: 19.2% of the"
  echo "  chapter's computed positions are padding, 1.1% with grouping);"
  echo "- generation with a KV cache, prompts batched by length, finished rows dropped;"
  echo "- evaluation in inference mode; threads set to the cores; OpenBLAS checked at start-up;"
  echo "- tcmalloc as the allocator: a step's large tensors are reused, not given back to the kernel"
  echo "  and faulted in again; gradients dropped before each backward pass rather than zeroed;"
  echo "- the app's evaluation computes no padding (its batches' rows regrouped by length; the same"
  echo "  loss, \`test_trainer\`), and its training loss is the mean of the steps since the last"
  echo "  evaluation (\`--train-loss chapter\` runs the chapter's extra batches);"
  echo "- bf16: GPT-2's GELU in one pass computed in fp32 (\`test_gpt\`; LibTorch 1.13's bf16 kernel"
  echo "  rounds every intermediate and is slower than its fp32 one);"
  echo "- decoding: a few rows times a weight matrix streamed once and prefetched (BLAS's packing"
  echo "  skipped), the KV cache written in place, a step's attention in one pass per sequence and"
  echo "  head, the output head over a prompt's last position only;"
  echo "- our own kernels on every core (\`at::parallel_for\` runs on one thread without OpenMP's flag);"
  echo "- loading: no random init of weights about to be read; for answering and evaluating, the"
  echo "  weights are the file's mapped pages, not copies (\`WeightUse\`)."
  section "Training step: gpt2-small shape, batch 8 x 64 tokens, fp32, AdamW"
  "$here/bench_train_step.sh" "$build"
  echo '```'
  section "Precision: the app's training step (gpt2-small shape, batch 8 x 64 tokens) in fp32 and bf16, MFU against each GEMM peak of the same run, and a profile of one step by operator"
  "$root/$build/bench/bench_train_precision" 20 2>/dev/null
  echo '```'
  section "Short jobs: process start to first logits, and 4 test prompts x 32 new tokens with respond vs the chapter's generate() on a model in memory"
  "$here/bench_short_jobs.sh" "$build"
  echo '```'
  section "Optimizer step: AdamW over gpt2-small's 163 M weights, torch's kernels vs one fused pass"
  "$root/$build/bench/bench_adamw"
  echo '```'
  section "Peak memory: gpt2-medium shape, full fine-tuning, batch 8 x 91 (20 padding targets a row), fp32"
  "$here/bench_train_memory.sh" "$build"
  echo '```'
  section "Fine-tuning workload: the chapter's first 20 steps and their evaluations, gpt2-small shape from init (one run of each)"
  "$here/bench_workload.sh" "$build" 20
  echo '```'
  section "Data-parallel training (train --nproc): gpt2-small shape, batch 8, rows up to 64 tokens, 1 process x all cores' threads vs 2 processes"
  "$here/bench_distributed.sh" "$build"
  echo '```'
  section "Generation: the 110 test prompts, greedy, up to 256 new tokens, KV cache vs the chapter's generate()"
  "$root/$build/bench/bench_generation" "$root/../shared/data/instruction-data.json" "$root/../shared/data/gpt2-tokenizer"
  echo '```'
  section "Tokenizer: the 1,100 formatted chapter entries, ours vs js-tiktoken"
  "$here/bench_tokenizer.sh" "$build"
  echo '```'
  section "Near duplicates: 50,000 Alpaca-like entries, the book's TF-IDF search (scikit-learn's dense similarity matrix would need 20 GB)"
  "$root/$build/bench/bench_near_duplicates"
  echo '```'
} | tee "$log"
mv "$log" "$out"
echo "wrote $out" >&2
