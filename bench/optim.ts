// SPDX-License-Identifier: BSD-3-Clause
// One optimizer step over a ~10M-parameter model (ten 1000x1000 weights and their biases, gradients
// preset), beside PyTorch's in the same run (bench/torch_optim.py), as ratios PyTorch time /
// torchts time (> 1: torchts is faster). Run: node dist/bench/optim.js [threads].
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { medianTime } from "./harness.js";
import * as optim from "../src/optim/index.js";


const threads = Number(process.argv[2] ?? 2);
torch.setNumThreads(threads);
torch.manualSeed(0);

function model(): torch.Tensor[] {
  const params: torch.Tensor[] = [];
  for (let i = 0; i < 10; i++) params.push(torch.randn(1000, 1000).mul_(0.01).requiresGrad_(), torch.zeros(1000).requiresGrad_());
  for (const p of params) p.grad = torch.randnLike(p).mul_(1e-3);
  return params;
}

/** Checks one step against the update written out with plain ops, before timing. */
function checkAdam(): void {
  const p = torch.randn(1000), g = torch.randn(1000);
  const w = p.clone().requiresGrad_();
  w.grad = g.clone();
  const opt = new optim.Adam([w], { lr: 0.1 });
  opt.step();
  opt.step();
  // two steps with the same gradient: m = g (1 - b1^2), v = g^2 (1 - b2^2), bias-corrected to g and g^2
  const expected = p.sub(g.div(g.abs().add(1e-8)).mul(0.1)).sub(g.div(g.abs().add(1e-8)).mul(0.1));
  if (!torch.allclose(w.detach(), expected, { atol: 1e-5, rtol: 1e-4 })) throw new Error("Adam step is wrong");
}
checkAdam();

function bench(make: (p: torch.Tensor[]) => optim.Optimizer): number {
  const opt = make(model());
  return medianTime(() => opt.step());
}

const ours: Record<string, number> = {
  adam: bench((p) => new optim.Adam(p, { lr: 1e-3 })),
  adamw: bench((p) => new optim.AdamW(p, { lr: 1e-3 })),
  sgd_momentum: bench((p) => new optim.SGD(p, { lr: 1e-3, momentum: 0.9 })),
};

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let theirs: Record<string, number> | null = null, torchInfo = "PyTorch not found (apt-get install python3-torch)";
if (existsSync("/usr/bin/python3")) {
  try {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
    const out = JSON.parse(execFileSync("/usr/bin/python3", [join(root, "bench", "torch_optim.py"), String(threads)], { env }).toString());
    theirs = out.times;
    torchInfo = `PyTorch ${out.torch}, ${out.numel} parameters`;
  } catch (e) {
    torchInfo = `PyTorch failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

let commit = "unknown";
try { commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(); } catch { /* not a checkout */ }
console.log(`torchts ${commit} | ${cpus()[0]?.model ?? "cpu"} | threads ${threads} | ${torchInfo}`);
console.log(`${"workload".padEnd(14)}${"torchts".padEnd(14)}${"PyTorch".padEnd(14)}ratio (PyTorch time / torchts time)`);
for (const [k, t] of Object.entries(ours)) {
  const p = theirs?.[k];
  const cell = (s: number): string => `${(s * 1e3).toFixed(2)} ms`.padEnd(14);
  console.log(`${k.padEnd(13)} ${cell(t)}${p ? cell(p) : "-".padEnd(14)}${p ? (p / t).toFixed(2) + "x" : "-"}`);
}
if (theirs?.["adam_foreach"]) console.log(`(PyTorch Adam with foreach=True: ${(theirs["adam_foreach"] * 1e3).toFixed(2)} ms)`);
