#!/usr/bin/env bash
# What a user waits for before work starts, measured in one run on this machine:
# - load: process start to the first logits (`logits --model M --ids 1 --last`) for gpt2-small
#   and gpt2-medium folders from `init`, page cache warm; beside it the process start alone
#   (`--version`) and the raw read of model.safetensors (the memory-bandwidth bound);
# - a short job: answers for 4 test prompts, up to 32 new tokens, `respond` as a user runs it
#   (a new process: start, load, tokenize, generate, write), against the chapter's generate()
#   on a model already in memory (bench/reference_generate.py); bench_generation checks that
#   the two answer alike.
# Each time is the median of 5 runs. Usage: bench/bench_short_jobs.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${SFT_WORKLOAD_DATA:-$root/../shared/data/instruction-data.json}
tokenizer=${SFT_TOKENIZER_DIR:-$root/../shared/data/gpt2-tokenizer}
studio=$build/bin/sft-studio
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

median5() { # COMMAND...: the median wall time of 5 runs, in seconds
  for _ in 1 2 3 4 5; do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
  done | sort -n | sed -n 3p
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; native bf16: $(grep -qw 'avx512_bf16\|amx_bf16' /proc/cpuinfo && echo yes || echo no)"
for config in gpt2-small gpt2-medium; do
  "$studio" init --config "$config" --seed 1 --tokenizer "$tokenizer" --out "$scratch/$config" >/dev/null 2>&1
  cat "$scratch/$config/model.safetensors" >/dev/null
done
start=$(median5 "$studio" --version)
echo "{\"what\": \"process start (--version)\", \"s\": $start}"
for config in gpt2-small gpt2-medium; do
  weights=$scratch/$config/model.safetensors
  read=$(median5 dd if="$weights" of=/dev/null bs=16M)
  logits=$(median5 "$studio" logits --model "$scratch/$config" --ids 1 --last)
  echo "{\"what\": \"load to first logits\", \"model\": \"$config\", \"bytes\": $(stat -c %s "$weights"), \"s\": $logits, \"raw_read_s\": $read, \"after_process_start_s\": $(awk -v a="$start" -v b="$logits" 'BEGIN { printf "%.3f", b - a }')}"
done

/usr/bin/python3 - "$data" "$scratch/four.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
test = data[int(len(data) * 0.85):int(len(data) * 0.85) + int(len(data) * 0.1)]
json.dump(test[:4], open(sys.argv[2], "w"), indent=1)
PY
model=$scratch/gpt2-small
respond=(respond --model "$model" --data "$scratch/four.json" --split all --max-new-tokens 32 --out "$scratch/answers.json")
ours=$(median5 sh -c 'rm -f "$0.journal.jsonl" "$0"; "$@"' "$scratch/answers.json" "$studio" "${respond[@]}")
reference=$(cd "$here" && /usr/bin/python3 reference_generate.py "$studio" "$model" "$scratch/four.json" 32)
/usr/bin/python3 - "$ours" "$reference" <<'PY'
import json, sys
ours_s, reference = float(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps(reference))
print(json.dumps({"impl": "sft-studio respond (a new process: start, load, answer, write)", "prompts": 4,
                  "max_new_tokens": 32, "s": ours_s}))
print(f"4 prompts x 32 new tokens: respond {ours_s:.2f} s vs the chapter's generate() {reference['answer_s']:.2f} s "
      f"on a model in memory = {reference['answer_s'] / ours_s:.1f}x (target >= 10x)")
PY
