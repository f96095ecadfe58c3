#!/usr/bin/env bash
# The chapter's fine-tuning workload (a prefix of STEPS steps with their evaluations; 0: all of it)
# on a gpt2-small-shaped model from `sft-studio init`, in SFT Studio (chapter-exact settings and
# the app's defaults) and in the Python reference, same LibTorch, same machine, same invocation.
# Prints each run, the speed ratios ours/reference (its wall time over ours) and the gaps in
# validation loss.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
steps=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${SFT_WORKLOAD_DATA:-$root/../shared/data/instruction-data.json}
tokenizer=${SFT_TOKENIZER_DIR:-$root/../shared/data/gpt2-tokenizer}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; native bf16: $(grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo && echo yes || echo no)"
"$build/bin/sft-studio" init --config gpt2-small --seed 123 --tokenizer "$tokenizer" --out "$scratch/model" 2>/dev/null
ours=$("$build/bench/bench_workload" "$scratch/model" "$data" "$steps")
reference=$(cd "$here" && /usr/bin/python3 reference_workload.py "$build/bin/sft-studio" "$scratch/model" "$data" "$steps")
echo "$ours"; echo "$reference"
mapfile -t modes <<<"$ours"
/usr/bin/python3 - "$reference" "${modes[@]}" <<'PY'
import json, sys
reference, *ours = (json.loads(a) for a in sys.argv[1:])
for run in ours:
    speedup = reference["wall_s"] / run["wall_s"]
    gap = 100 * (run["val_loss"] - reference["val_loss"]) / reference["val_loss"]
    print(f"{run['mode']:8s} {run['precision']}  ours/reference speed: {speedup:.2f}x  "
          f"val loss {run['val_loss']:.4f} vs {reference['val_loss']:.4f} ({gap:+.2f}%)")
PY
