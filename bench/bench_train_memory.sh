#!/usr/bin/env bash
# Peak RSS of gpt2-medium-shaped full fine-tuning steps, batch 8, in SFT Studio and in the
# Python reference, each in its own process. Prints both and the ratio.
set -euo pipefail
build=${1:-build}
here=$(dirname "$0")
ours=$("$build/bench/bench_train_memory")
reference=$(cd "$here" && /usr/bin/python3 reference_train_memory.py)
echo "$ours"; echo "$reference"
/usr/bin/python3 - "$ours" "$reference" <<'PY'
import json, sys
ours, reference = (json.loads(a) for a in sys.argv[1:])
print(f"peak RSS ours/reference: {ours['peak_rss_gb'] / reference['peak_rss_gb']:.2f} "
      f"({ours['peak_rss_gb']:.2f} GB vs {reference['peak_rss_gb']:.2f} GB)")
PY
