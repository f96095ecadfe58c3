// js-tiktoken (the oracle's own implementation) encoding the same 1,100 texts as
// bench_tokenizer.cpp. Prints one JSON line in the same shape.
//   node tokenizer_js.mjs ORACLE_JSON [REPETITIONS]
import { readFileSync } from "node:fs";
import { getEncoding } from "js-tiktoken";

const [oraclePath, repetitionsArg] = process.argv.slice(2);
const repetitions = Math.max(1, Number(repetitionsArg ?? 9));
const cases = JSON.parse(readFileSync(oraclePath, "utf8"));
const texts = cases.map((c) => c.text);

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const loadStart = performance.now();
const encoding = getEncoding("gpt2");
const loadSeconds = (performance.now() - loadStart) / 1000;

const seconds = [];
let tokens = 0;
for (let r = 0; r < repetitions; ++r) {
  const start = performance.now();
  const ids = texts.map((t) => encoding.encode(t));
  seconds.push((performance.now() - start) / 1000);
  if (ids.some((v, i) => v.join() !== cases[i].ids.join())) {
    console.error("tokenizer_js.mjs: the IDs differ from the oracle");
    process.exit(1);
  }
  tokens = ids.reduce((n, v) => n + v.length, 0);
}
const s = median(seconds);
console.log(JSON.stringify({
  impl: `js-tiktoken ${JSON.parse(readFileSync(new URL("node_modules/js-tiktoken/package.json", import.meta.url))).version} (node ${process.version})`,
  texts: texts.length, tokens, repetitions,
  median_s: Number(s.toFixed(5)), texts_per_s: Math.round(texts.length / s),
  tokens_per_s: Math.round(tokens / s), load_s: Number(loadSeconds.toFixed(3)),
}));
