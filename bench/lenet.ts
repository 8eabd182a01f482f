// SPDX-License-Identifier: BSD-3-Clause
// The CIFAR-10 tutorial Net's training step (forward, CrossEntropyLoss, backward,
// SGD(lr=0.001, momentum=0.9) step) at batch 64 and batch 4, beside PyTorch (bench/torch_lenet.py)
// in the same run, as images/s and the ratio PyTorch time / torchts time (> 1: torchts is faster);
// also BatchNorm2d forward + backward on a 64x16x32x32 activation (native/cpu/norm.cc).
// Run: npm run build && node dist/bench/lenet.js [threads]
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { medianTime } from "./harness.js";
import { lenetTrainer } from "./nets.js";
import * as nn from "../src/nn/index.js";

const threads = Number(process.argv[2] ?? 2);
torch.setNumThreads(threads);
torch.manualSeed(0);
const batches = [64, 4];
const ours: Record<string, number> = {};
for (const batch of batches) {
  const { step } = lenetTrainer(batch);
  // check that it trains before timing: the loss on a fixed batch must fall
  const first = step();
  for (let i = 0; i < 20; i++) step();
  if (!(step() < first)) throw new Error(`batch ${batch}: the loss did not decrease`);
  ours[`batch${batch}`] = medianTime(step);
}

// BatchNorm2d forward + backward (training mode) on a ResNet-like activation
{
  const bn = new nn.BatchNorm2d(16);
  const xb = torch.randn(64, 16, 32, 32).requiresGrad_(), gb = torch.randn(64, 16, 32, 32);
  ours["batchnorm"] = medianTime(() => bn.forward(xb).backward(gb));
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let theirs: Record<string, number> | null = null, torchInfo = "PyTorch not found (apt-get install python3-torch)";
if (existsSync("/usr/bin/python3")) {
  try {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
    const out = JSON.parse(execFileSync("/usr/bin/python3", [join(root, "bench", "torch_lenet.py"), String(threads)], { env }).toString());
    theirs = out.times;
    torchInfo = `PyTorch ${out.torch}`;
  } catch (e) {
    torchInfo = `PyTorch failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

let commit = "unknown";
try { commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(); } catch { /* not a checkout */ }
console.log(`torchts ${commit} | ${cpus()[0]?.model ?? "cpu"} | threads ${threads} | ${torchInfo}`);
console.log("CIFAR-10 tutorial Net, training step (forward, CrossEntropyLoss, backward, SGD momentum step)");
console.log(`${"batch".padEnd(8)}${"torchts".padEnd(30)}${"PyTorch".padEnd(30)}ratio (PyTorch time / torchts time)`);
for (const batch of batches) {
  const k = `batch${batch}`, t = ours[k]!, p = theirs?.[k];
  const cell = (s: number): string => `${(s * 1e3).toFixed(3)} ms (${(batch / s).toFixed(0)} img/s)`.padEnd(30);
  console.log(`${String(batch).padEnd(8)}${cell(t)}${p ? cell(p) : "-".padEnd(30)}${p ? (p / t).toFixed(2) + "x" : "-"}`);
}
{
  const t = ours["batchnorm"]!, p = theirs?.["batchnorm"];
  const cell = (s: number): string => `${(s * 1e3).toFixed(3)} ms`.padEnd(30);
  console.log(`BatchNorm2d(16) forward + backward, 64x16x32x32 float32, training mode:\n${"".padEnd(8)}${cell(t)}${p ? cell(p) : "-".padEnd(30)}${p ? (p / t).toFixed(2) + "x" : "-"}`);
}
