#!/usr/bin/env bash
# One gpt2-small-shaped training step (batch 8 x 64) in SFT Studio and in the Python reference,
# same LibTorch, same machine, same invocation. Prints each median and the ratios.
set -euo pipefail
build=${1:-build}
steps=${2:-10}
here=$(dirname "$0")
ours=$("$build/bench/bench_train_step" "$steps")
chapter=$(cd "$here" && /usr/bin/python3 reference_train_step.py chapter "$steps")
fused=$(cd "$here" && /usr/bin/python3 reference_train_step.py fused "$steps")
echo "$ours"; echo "$chapter"; echo "$fused"
/usr/bin/python3 - "$ours" "$chapter" "$fused" <<'PY'
import json, sys
ours, chapter, fused = (json.loads(a) for a in sys.argv[1:])
print(f"ratio ours/chapter-python: {ours['tokens_per_s'] / chapter['tokens_per_s']:.2f}")
print(f"ratio ours/fused-python:   {ours['tokens_per_s'] / fused['tokens_per_s']:.2f}")
print(f"model FLOP utilisation: {ours['gflops']:.1f} GFLOP/s of a {ours['gemm_peak_gflops']:.1f} GFLOP/s "
      f"fp32 GEMM peak measured in the same run = {100 * ours['mfu']:.0f}%")
PY
