// Writes the expected token IDs of a dataset's entries, formatted as the chapter's
// format_input + "\n\n### Response:\n" + output, made by js-tiktoken (bench/node_modules):
//   node tests/data/tiktoken_ids.mjs tests/data/empty-fields.json > tests/data/empty-fields.tiktoken.json
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../bench/package.json", import.meta.url));
const { getEncoding } = require("js-tiktoken");
const enc = getEncoding("gpt2");

function formatInput(entry) {
  const instruction = "Below is an instruction that describes a task. Write a response that appropriately " +
    `completes the request.\n\n### Instruction:\n${entry.instruction}`;
  return instruction + (entry.input ? `\n\n### Input:\n${entry.input}` : "");
}

const entries = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ids = entries.map((e) => enc.encode(formatInput(e) + `\n\n### Response:\n${e.output}`));
console.log(JSON.stringify(ids));
