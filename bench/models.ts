// SPDX-License-Identifier: BSD-3-Clause
// vision.models inference: resnet18, resnet50 and mobilenet_v2 in eval mode under noGrad on
// 224x224 inputs at batch 1 and 8, beside PyTorch + torchvision (bench/torch_models.py) in the same
// run, as images/s and the ratio PyTorch time / torchts time (> 1: torchts is faster).
// onnxruntime-node is not a dependency of torchts, so its column is printed only when bench/setup.sh
// installed it (into bench/peers) and an exported model is found at bench/onnx/<name>.onnx (only
// resnet18 is exported, with weights of its own: `npm run bench` has the checked, interleaved
// ResNet-18 rows with one set of weights in all three frameworks).
// Run: npm run build && node dist/bench/models.js [threads] [names] [batches]
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as torch from "../src/index.js";
import { medianTime } from "./harness.js";
import { models } from "../src/vision/index.js";


const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const threads = Number(process.argv[2] ?? 2);
const names = (process.argv[3] ?? "resnet18,resnet50,mobilenet_v2").split(",");
const batches = (process.argv[4] ?? "1,8").split(",").map(Number);
torch.setNumThreads(threads);
torch.manualSeed(0);

const ours: Record<string, number> = {};
for (const name of names) {
  const m = models.getModel(name).eval();
  for (const b of batches) {
    const x = torch.randn(b, 3, 224, 224);
    ours[`${name}/${b}`] = medianTime(() => { torch.noGrad(() => m.forward(x)); });
  }
}

let theirs: Record<string, number> | null = null, torchInfo = "PyTorch not found (apt-get install python3-torchvision)";
if (existsSync("/usr/bin/python3")) {
  try {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
    const out = JSON.parse(execFileSync("/usr/bin/python3", [join(root, "bench", "torch_models.py"), String(threads), names.join(","), batches.join(",")], { env }).toString());
    torchInfo = `PyTorch ${out.torch as string}`;
    theirs = out;
  } catch (e) { torchInfo = `PyTorch run failed: ${(e as Error).message.split("\n")[0]}`; }
}

let onnx: Record<string, number> | null = null, onnxInfo = "onnxruntime-node not installed";
try {
  const entry = createRequire(join(root, "bench", "peers", "package.json")).resolve("onnxruntime-node");
  const mod = await import(pathToFileURL(entry).href) as any;  // eslint-disable-line @typescript-eslint/no-explicit-any
  const ort = mod.InferenceSession ? mod : mod.default;
  onnx = {};
  onnxInfo = "onnxruntime-node";
  for (const name of names) {
    const file = join(root, "bench", "onnx", `${name}.onnx`);
    if (!existsSync(file)) continue;
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential" });
    for (const b of batches) {
      const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", new Float32Array(b * 3 * 224 * 224), [b, 3, 224, 224]) };
      await session.run(feeds);
      const t0 = performance.now();
      const reps = 5;
      for (let i = 0; i < reps; i++) await session.run(feeds);
      onnx[`${name}/${b}`] = (performance.now() - t0) / 1000 / reps;
    }
  }
} catch { /* not installed */ }

let commit = "?";
try { commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(); } catch { /* not a checkout */ }
console.log(`torchts ${commit} | ${cpus()[0]?.model ?? "cpu"} | threads ${threads} | ${torchInfo} | ${onnxInfo}`);
console.log("| model | batch | torchts img/s | PyTorch img/s | PyTorch/torchts | onnxruntime img/s |");
console.log("|---|---|---|---|---|---|");
for (const name of names) {
  for (const b of batches) {
    const k = `${name}/${b}`, t = ours[k]!, p = theirs?.[k], o = onnx?.[k];
    console.log(`| ${name} | ${b} | ${(b / t).toFixed(1)} | ${p ? (b / p).toFixed(1) : "-"} | ${p ? (p / t).toFixed(2) : "-"} | ${o ? (b / o).toFixed(1) : "-"} |`);
  }
}
