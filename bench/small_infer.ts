// SPDX-License-Identifier: BSD-3-Clause
// Small-batch inference probes: CPU time per call at 1 thread, and wall time at 2
// threads, for the MLP, LeNet batch 4 and bmm 32x64^2, with a per-op breakdown.
// node dist/bench/small_infer.js [filter]
import { join } from "node:path";
import { existsSync } from "node:fs";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { Net, mlp } from "./nets.js";
import type { Tensor } from "../src/tensor/tensor.js";

const F = nn.functional;
const modelDir = join(import.meta.dirname, "..", "..", "bench", "onnx");

/** One call's cost: the minimum of 5 chunks' CPU time ("cpu", µs) or the median of 7 chunks' wall
 * time ("wall", µs), each chunk the repetition count that first took over ms/4. */
function perCall(fn: () => void, mode: "cpu" | "wall", ms = 300): number {
  fn();
  let reps = 1;
  for (;;) {
    const w0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - w0 > ms / 4) break;
    reps *= 2;
  }
  const t: number[] = [];
  for (let c = 0; c < (mode === "cpu" ? 5 : 7); c++) {
    const u0 = process.cpuUsage(), w0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const u = process.cpuUsage(u0);
    t.push(mode === "cpu" ? (u.user + u.system) / reps : ((performance.now() - w0) * 1000) / reps);
  }
  t.sort((x, y) => x - y);
  return mode === "cpu" ? t[0]! : t[Math.floor(t.length / 2)]!;
}

const filter = new RegExp(process.argv[2] ?? ".");
const rows: [string, () => void][] = [];
function load(net: nn.Module, name: string): nn.Module {
  const f = join(modelDir, `${name}.pt`);
  if (existsSync(f)) net.loadStateDict(torch.load(f) as Record<string, Tensor>);
  return net.eval();
}
const m = load(mlp(true), "mlp") as nn.Sequential;
const xm = torch.randn(64, 784);
rows.push(["mlp64", () => { torch.noGrad(() => m.forward(xm)); }]);
const l1 = m.at(0), l2 = m.at(2);
rows.push(["mlp64.fc1", () => { torch.noGrad(() => l1.forward(xm)); }]);
const h = torch.noGrad(() => l1.forward(xm)) as Tensor;
rows.push(["mlp64.relu", () => { torch.noGrad(() => F.relu(h)); }]);
const hr = h.relu();
rows.push(["mlp64.fc2", () => { torch.noGrad(() => l2.forward(hr)); }]);
const o = torch.noGrad(() => l2.forward(hr)) as Tensor;
rows.push(["mlp64.logsoftmax", () => { torch.noGrad(() => F.logSoftmax(o, 1)); }]);
const net = load(new Net(), "lenet") as Net;
const xl = torch.randn(4, 3, 32, 32);
rows.push(["lenet4", () => { torch.noGrad(() => net.forward(xl)); }]);
{
  const c1 = torch.noGrad(() => net.conv1.forward(xl));
  const r1 = c1.relu();
  const p1 = net.pool.forward(r1);
  const c2 = torch.noGrad(() => net.conv2.forward(p1));
  const r2 = c2.relu();
  const p2 = net.pool.forward(r2);
  rows.push(["lenet4.conv1", () => { torch.noGrad(() => net.conv1.forward(xl)); }]);
  rows.push(["lenet4.relu1", () => { torch.noGrad(() => F.relu(c1)); }]);
  rows.push(["lenet4.pool1", () => { torch.noGrad(() => net.pool.forward(r1)); }]);
  rows.push(["lenet4.conv2", () => { torch.noGrad(() => net.conv2.forward(p1)); }]);
  rows.push(["lenet4.relu2", () => { torch.noGrad(() => F.relu(c2)); }]);
  rows.push(["lenet4.pool2", () => { torch.noGrad(() => net.pool.forward(r2)); }]);
  rows.push(["lenet4.fcs", () => { torch.noGrad(() => net.fc3.forward(F.relu(net.fc2.forward(F.relu(net.fc1.forward(torch.flatten(p2, 1))))))); }]);
}
const A = torch.rand(32, 64, 64), B = torch.rand(32, 64, 64);
rows.push(["bmm32x64", () => { torch.bmm(A, B); }]);

const res: string[] = [];
for (const [name, fn] of rows) {
  if (!filter.test(name)) continue;
  torch.setNumThreads(1);
  const c1 = perCall(fn, "cpu");
  torch.setNumThreads(2);
  const w2 = perCall(fn, "wall");
  const c2 = perCall(fn, "cpu");
  res.push(`${name.padEnd(20)} cpu@1 ${c1.toFixed(1).padStart(8)} us   wall@2 ${w2.toFixed(1).padStart(8)} us  cpu@2 ${c2.toFixed(1).padStart(8)} us`);
  console.log(res[res.length - 1]);
}
