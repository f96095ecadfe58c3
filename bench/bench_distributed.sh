#!/usr/bin/env bash
# Data-parallel training on one machine (`sft-studio train --nproc N`, issue 21): a gpt2-small-shaped
# model from `sft-studio init`, the chapter's dataset, batch 8, rows truncated to 64 tokens, file
# order, evaluation (1 batch) only at step 0, no samples. Configuration A is a plain run (1 process
# with a thread per core), B is `--nproc 2` (2 processes of cores/2 threads each); each in fp32
# and, where the CPU computes bf16 natively (avx512_bf16, amx_bf16), in bf16.
# A step's time excludes start-up, the step-0 evaluation and the final save (a 1.9 GB checkpoint):
# each configuration runs STEPS steps once, its progress lines (one per step on a pipe) are
# timestamped as they arrive, and a step takes (time of line STEPS - time of line 2) / (STEPS - 2);
# steps 0 and 1 (warm-up, and the evaluation after step 0) are left out. Its tokens are the
# difference of steps.jsonl's tokens_seen over those same steps (padding not counted). Prints
# each run, then a table: tokens/s, the ratio B/A, B's mean all-reduce time per step (rank 0's,
# flatten/unflatten copies and any wait for the other rank included) and its share of B's step,
# the gradient bytes per step, and on paper what a second host on a 10 Gbit/s link would add.
# Run: bench/bench_distributed.sh [BUILD_DIR (build)] [STEPS (12)]   (~3 min on 2 idle cores)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
steps=${2:-12}
first=2 # the first progress line timed: after steps 0 and 1
[ "$steps" -gt "$first" ] && [ "$steps" -le 20 ] || { echo "STEPS must be 3..20 (a progress line per step)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${SFT_WORKLOAD_DATA:-$root/../shared/data/instruction-data.json}
[ -f "$data" ] || data=$root/resources/chapter-7/instruction-data.json
tokenizer=${SFT_TOKENIZER_DIR:-$root/../shared/data/gpt2-tokenizer}
tokenizer_arg=()
[ -d "$tokenizer" ] && tokenizer_arg=(--tokenizer "$tokenizer")
cores=$(nproc)
studio="$build/bin/sft-studio"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

flags=$(grep -o -w 'avx2\|avx512f\|avx512_bf16\|amx_bf16\|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $cores cores; flags: ${flags:-none of avx2 avx512f avx512_bf16 amx}"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; data: $data"
precisions=(fp32)
if grep -q -w 'avx512_bf16\|amx_bf16' /proc/cpuinfo; then precisions+=(bf16); fi

"$studio" init --config gpt2-small --seed 1 "${tokenizer_arg[@]}" --out "$scratch/model" >/dev/null 2>&1

# run NAME PRECISION [train options...]: prints one JSON line (the progress lines' times,
# steps.jsonl, run.json).
run() {
  local name=$1 precision=$2
  shift 2
  local dir="$scratch/$name-$precision"
  if ! "$studio" train --model "$scratch/model" --data "$data" --out "$dir" --batch-size 8 \
      --max-length 64 --no-shuffle --sample-tokens 0 --eval-iter 1 --eval-freq 1000000 \
      --max-steps "$steps" --precision "$precision" "$@" 2>&1 |
      /usr/bin/python3 -c '
import sys, time
start = time.monotonic()
for line in iter(sys.stdin.buffer.readline, b""):
    print("%.4f %s" % (time.monotonic() - start, line.decode("utf-8", "replace").rstrip()), flush=True)
' >"$scratch/log"; then
    tail -20 "$scratch/log" >&2
    return 1
  fi
  /usr/bin/python3 - "$dir" "$name" "$steps" "$first" "$scratch/log" <<'PY'
import json, re, sys
d, name, steps, first, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
seen = {}  # steps done -> when its progress line arrived
wall = 0.0
for line in open(log):
    t, _, text = line.partition(" ")
    wall = float(t)
    m = re.search(r"\b(\d+)/(\d+) steps\b", text)
    if m and int(m.group(2)) == steps:
        seen.setdefault(int(m.group(1)), float(t))
missing = [k for k in range(first, steps + 1) if k not in seen]
if missing:
    sys.exit(f"no progress line for steps {missing} in {log}")
intervals = [seen[k + 1] - seen[k] for k in range(first, steps)]
rows = [json.loads(l) for l in open(f"{d}/steps.jsonl")]
run = json.load(open(f"{d}/run.json"))
dist = run.get("distributed") or {}
timed = rows[first:steps]  # the steps between the timed progress lines
print(json.dumps({"config": name, "precision": run["precision"], "steps": len(rows),
                  "processes": dist.get("world_size", 1), "threads": run["environment"]["threads"],
                  "wall_s": round(wall, 2), "timed_steps": len(timed),
                  "step_s": round((seen[steps] - seen[first]) / (steps - first), 4),
                  "step_s_min_max": [round(min(intervals), 3), round(max(intervals), 3)],
                  "tokens_per_step": (rows[steps - 1]["tokens_seen"] - rows[first - 1]["tokens_seen"]) / (steps - first),
                  "allreduce_s": (round(sum(r["allreduce_seconds"] for r in timed) / len(timed), 4)
                                  if "allreduce_seconds" in timed[0] else None),
                  "allreduce_bytes_per_step": dist.get("allreduce_bytes_per_step", 0)}))
PY
  rm -rf "$dir"
}

results=()
for precision in "${precisions[@]}"; do
  results+=("$(run A "$precision")"); echo "${results[-1]}"
  results+=("$(run B "$precision" --nproc 2)"); echo "${results[-1]}"
done

/usr/bin/python3 - "$steps" "$first" "${results[@]}" <<'PY'
import json, sys
steps, first = int(sys.argv[1]), int(sys.argv[2])
runs = [json.loads(a) for a in sys.argv[3:]]
link = 1.25e9  # 10 Gbit/s in bytes/s
table, paper = [], []
for precision in dict.fromkeys(r["precision"] for r in runs):
    a, b = (next(r for r in runs if (r["config"], r["precision"]) == (c, precision)) for c in "AB")
    assert a["tokens_per_step"] == b["tokens_per_step"], "A and B trained on different tokens"
    for r in (a, b):
        r["tps"] = r["tokens_per_step"] / r["step_s"]
    n = b["processes"]
    payload = b["allreduce_bytes_per_step"]
    for r in (a, b):
        ar = r["allreduce_s"]
        table.append((f"{r['config']}: {r['processes']} proc x {r['threads']} thr", precision, f"{r['step_s']:.2f}",
                      f"{r['tokens_per_step']:.0f}", f"{r['tps']:.1f}",
                      f"{b['tps'] / a['tps']:.2f}" if r is b else "",
                      "" if ar is None else f"{ar:.2f}",
                      "" if ar is None else f"{100 * ar / r['step_s']:.0f}%"))
    wire = 2 * (2 - 1) / 2 * payload / link
    paper.append(f"{precision}: all-reduce payload {payload / 1e6:.1f} MB per rank per step (fp32 gradients); "
                 f"a ring over N={n} ranks sends 2(N-1)/N x payload = {2 * (n - 1) / n * payload / 1e6:.1f} MB per rank")
    paper.append(f"{precision}: 2 hosts, 10 Gbit/s, ring (N=2): {2 * (2 - 1) / 2 * payload / 1e6:.1f} MB / 1.25 GB/s = "
                 f"{wire:.2f} s per step = {100 * wire / a['step_s']:.0f}% of A's {a['step_s']:.2f} s step; "
                 f"if each host computed half the batch in half of A's time: {a['step_s'] / 2:.2f} + {wire:.2f} = "
                 f"{a['step_s'] / 2 + wire:.2f} s a step, {a['step_s'] / (a['step_s'] / 2 + wire):.2f}x A "
                 f"(exchange after the backward pass, not overlapped)")
head = ("configuration", "precision", "step s", "tokens/step", "tokens/s", "B/A", "allreduce s", "share")
widths = [max(len(str(row[i])) for row in [head] + table) for i in range(len(head))]
print(f"step s: mean over steps {first}..{steps - 1} of a {steps}-step run (progress-line times); "
      f"allreduce s: mean over the same steps, rank 0")
for row in [head] + table:
    print("  ".join(str(c).rjust(w) for c, w in zip(row, widths)))
print("\n".join(paper))
PY
