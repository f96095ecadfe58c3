#!/usr/bin/env bash
# Screenshots of every view of the running app for the README: a tiny model trained briefly on
# the chapter's dataset, its answers, two more runs to list and compare with, and a DPO run on
# the preference data continuing the first. The window is drawn by
# Xvfb (xvfb-run) when it is there, else by Qt's offscreen platform.
#   tests/screenshots.sh [BUILD_DIR]     writes docs/screenshots/*.png
# The runs live in a neutral folder (SFT_DEMO_DIR, default /srv/sft-studio-demo), so that no
# temporary or home path shows; the stand-in judge is named for what it is.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
shared=${SFT_SHARED_DIR:-$root/../shared}
studio="$build/bin/sft-studio"
work=${SFT_DEMO_DIR:-/srv/sft-studio-demo}
if [ -e "$work" ] && [ -n "$(ls -A "$work")" ]; then
  echo "screenshots.sh: $work is not empty; remove it or set SFT_DEMO_DIR to a new folder" >&2
  exit 1
fi
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp "$shared/data/instruction-data.json" "$work/instruction-data.json"
data="$work/instruction-data.json"
cp "$shared/data/ch07-extras/04_preference-tuning-with-dpo/instruction-data-with-preference.json" "$work/"
prefs="$work/instruction-data-with-preference.json"
judge_model=stand-in-judge

"$studio" init --config tiny --seed 1 --out "$work/model"
"$studio" train --model "$work/model" --data "$data" --out "$work/run-a" --max-steps 40 --eval-freq 4 --eval-iter 2 --max-length 256
"$studio" train --model "$work/model" --data "$data" --out "$work/run-b" --max-steps 40 --eval-freq 4 --eval-iter 2 --max-length 256 --lr 2e-4 --batch-size 4
"$studio" train --model "$work/model" --data "$data" --out "$work/run-c" --max-steps 40 --eval-freq 4 --eval-iter 2 --max-length 256 --lr 1e-3 --lr-schedule cosine
# DPO continuing run A, at a rate a tiny model moves visibly in 30 steps.
"$studio" train --method dpo --model "$work/run-a/checkpoints/final" --data "$prefs" --out "$work/run-dpo" --max-steps 30 --eval-freq 3 --eval-iter 2 --max-length 256 --lr 1e-4
for r in run-a run-b; do
  "$studio" respond --model "$work/$r/checkpoints/final" --data "$data" --max-new-tokens 24 --out "$work/$r/responses-final.json"
done
# The stand-in judge scores both runs' answers into the files Evaluate and Compare look for.
"$build/tests/fake_judge_server" --models "$judge_model:latest" > "$work/judge.log" &
judge=$!
trap 'kill $judge 2>/dev/null; rm -rf "$work"' EXIT
until grep -q "listening on" "$work/judge.log"; do sleep 0.1; done
judge_url="http://127.0.0.1:$(awk '/listening on/ {print $3}' "$work/judge.log")"
for r in run-a run-b; do
  "$studio" score --responses "$work/$r/responses-final.json" --judge-url "$judge_url" --judge-model "$judge_model" \
    --out "$work/$r/scores-final-$judge_model-chapter.json" > /dev/null
done
mkdir -p "$root/docs/screenshots"
tour=("$build/tests/screenshot_tour" "$root/docs/screenshots" "$data" "$work/run-a/checkpoints/final" "$work/run-a"
      "$work/run-a/responses-final.json" "$work/run-b" "$work/run-c" "$judge_url" "$judge_model" "$prefs"
      "$work/run-dpo")
# The app's default folders (Models' new-model folder, Train's runs) follow HOME: the demo folder.
if command -v xvfb-run >/dev/null; then
  HOME="$work" xvfb-run -a -s "-screen 0 1600x1000x24" "${tour[@]}"
else
  HOME="$work" QT_QPA_PLATFORM=offscreen "${tour[@]}"
fi
