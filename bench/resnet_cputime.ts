// SPDX-License-Identifier: BSD-3-Clause
// ResNet-18 inference, 1 thread, measured as process CPU time (user + sys) rather than wall time:
// on a shared, oversubscribed machine wall times of single-threaded runs swing by 2x, CPU times
// much less. torchts (vision.models resnet18, eval, noGrad) and, when bench/setup.sh installed it,
// onnxruntime-node (intraOpNumThreads 1) on bench/onnx/resnet18.onnx, alternating, min and
// median of the rounds. Not part of `npm run bench`. Run: node dist/bench/resnet_cputime.js [batch] [rounds]
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as torch from "../src/index.js";
import { models } from "../src/vision/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const batch = Number(process.argv[2] ?? 1), rounds = Number(process.argv[3] ?? 15);
torch.setNumThreads(1);
torch.manualSeed(0);
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const m = models.getModel("resnet18").eval();
const x = torch.randn(batch, 3, 224, 224);
let ort: any = null, session: any = null, feeds: any = null;  // eslint-disable-line @typescript-eslint/no-explicit-any
try {
  const entry = createRequire(join(root, "bench", "peers", "package.json")).resolve("onnxruntime-node");
  const mod = await import(pathToFileURL(entry).href) as any;  // eslint-disable-line @typescript-eslint/no-explicit-any
  ort = mod.InferenceSession ? mod : mod.default;
  const file = join(root, "bench", "onnx", "resnet18.onnx");
  if (existsSync(file)) {
    session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential" });
    feeds = { [session.inputNames[0]]: new ort.Tensor("float32", Float32Array.from(x.flatten().tolist() as number[]), [batch, 3, 224, 224]) };
  }
} catch { /* no onnxruntime-node */ }
const ours: number[] = [], theirs: number[] = [];
for (let r = 0; r < rounds + 2; r++) {
  let t0 = cpu();
  torch.noGrad(() => m.forward(x));
  if (r >= 2) ours.push(cpu() - t0);
  if (session) {
    t0 = cpu();
    await session.run(feeds);
    if (r >= 2) theirs.push(cpu() - t0);
  }
}
const stat = (a: number[]): string => { const s = [...a].sort((p, q) => p - q); return `min ${s[0]!.toFixed(2)} ms, median ${s[s.length >> 1]!.toFixed(2)} ms`; };
console.log(`resnet18 [${batch},3,224,224], 1 thread, CPU time over ${rounds} rounds`);
console.log(`  torchts: ${stat(ours)}`);
if (theirs.length) console.log(`  onnxruntime-node: ${stat(theirs)}  (ratio of medians ORT/torchts ${(theirs.sort((a, b) => a - b)[theirs.length >> 1]! / ours.sort((a, b) => a - b)[ours.length >> 1]!).toFixed(2)}x)`);
