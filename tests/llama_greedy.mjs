// Loads a GGUF file with llama.cpp (through node-llama-cpp, CPU only), tokenizes each prompt
// and continues it greedily. Prints [{"prompt": [ids], "generated": [ids]}, ...] as JSON.
// Usage: node llama_greedy.mjs NODE_LLAMA_CPP_INSTALL_DIR MODEL.gguf PROMPTS_JSON MAX_NEW_TOKENS CONTEXT
import {createRequire} from "node:module";
import {join} from "node:path";
import {pathToFileURL} from "node:url";

const [installDir, modelPath, promptsJson, maxNewTokens, contextSize] = process.argv.slice(2);
// The package lives outside the repository, so it is resolved from its install folder.
const entry = createRequire(join(installDir, "package.json")).resolve("node-llama-cpp");
const {getLlama, LlamaLogLevel} = await import(pathToFileURL(entry).href);

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({
    contextSize: Number(contextSize),
    batchSize: Number(contextSize),
    flashAttention: false,
    // One thread: on a 2-core machine llama.cpp's spinning workers and node's own threads slow
    // this tiny model down a hundredfold (measured: 51 s instead of 0.1 s for 40 tokens).
    threads: 1,
    // SFT Studio keeps keys and values in float32; llama.cpp's default cache would round them.
    experimentalKvCacheKeyType: "F32",
    experimentalKvCacheValueType: "F32",
});
const results = [];
for (const prompt of JSON.parse(promptsJson)) {
    const sequence = context.getSequence();
    const promptTokens = model.tokenize(prompt);
    const generated = [];
    for await (const token of sequence.evaluate(promptTokens, {temperature: 0})) {
        generated.push(token);
        if (generated.length >= Number(maxNewTokens))
            break;
    }
    results.push({prompt: promptTokens, generated});
    sequence.dispose();
}
process.stdout.write(JSON.stringify(results) + "\n");
await context.dispose();
await model.dispose();
await llama.dispose();
