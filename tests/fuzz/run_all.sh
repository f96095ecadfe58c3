#!/usr/bin/env bash
# Runs every libFuzzer target of a build tree configured with Clang and -DSFT_FUZZ=ON for SECONDS
# each, then prints a table: target, executions, crashes. Each target works on its own corpus,
# BUILD/corpus/NAME, seeded from tests/fuzz/corpus/NAME, regressions/NAME and the shared data files
# its CMake line names; new inputs stay there for the next run. Crash inputs are kept under
# BUILD/crashes/NAME/ and printed. Exit status 1 when any target crashed.
# usage: tests/fuzz/run_all.sh BUILD SECONDS
set -euo pipefail
build=$(realpath "${1:?usage: run_all.sh BUILD SECONDS}")
seconds=${2:?usage: run_all.sh BUILD SECONDS}
source_dir=$(realpath "$(dirname "$0")")
# Longer seeds (the chapter's 200 KB dataset) are cut: mutations of short inputs run far faster.
max_len=16384

export UBSAN_OPTIONS=print_stacktrace=1
rows=() found=()
for seeds in "$build"/tests/fuzz/fuzz_*.seeds; do
  target=$(basename "$seeds" .seeds)
  name=${target#fuzz_}
  corpus=$build/corpus/$name crashes=$build/crashes/$name log=$build/fuzz-$name.log
  mkdir -p "$corpus" "$crashes"
  IFS=';' read -r -a inputs < "$seeds"
  for input in "${inputs[@]}"; do
    find "$input" -type f -exec cp -t "$corpus" {} +
  done
  stamp=$(mktemp)
  echo "fuzz: $target for ${seconds} s (log: $log)" >&2
  status=0
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 \
    -max_len="$max_len" -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  # slow-unit-* files only say an input once took long (a loaded machine); a hang is a timeout-*.
  mapfile -t new < <(find "$crashes" -type f ! -name 'slow-unit-*' -newer "$stamp")
  rm -f "$stamp"
  if [ "$status" -ne 0 ] && [ ${#new[@]} -eq 0 ]; then
    new=("$log (exit status $status, no crash input written)")
  fi
  rows+=("$(printf '%-16s %12s %8s' "$name" "${executions:-?}" "${#new[@]}")")
  found+=("${new[@]}")
done

printf '%-16s %12s %8s\n' target executions crashes
printf '%s\n' "${rows[@]}"
if [ ${#found[@]} -gt 0 ]; then
  printf 'crash input: %s\n' "${found[@]}"
  echo "Reproduce one with: $build/tests/fuzz/fuzz_NAME FILE; keep it under $source_dir/regressions/NAME/ once fixed." >&2
  exit 1
fi
