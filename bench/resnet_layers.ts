// SPDX-License-Identifier: BSD-3-Clause
// Where ResNet-18 inference time goes, per layer kind and shape: every leaf module's forward is
// wrapped with a timer, the model runs `reps` times under noGrad, and the per-key totals (median
// call time x calls per forward) are printed, largest first. Not part of `npm run bench`.
// Run: node dist/bench/resnet_layers.js [threads] [batch] [reps]
import * as torch from "../src/index.js";

// CPU_TIME=1: process CPU time (user + sys, all threads) instead of wall time: steadier on a loaded machine with 1 thread
const useCpu = !!process.env.CPU_TIME;
const now = (): number => { if (!useCpu) return performance.now(); const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
import { models } from "../src/vision/index.js";
import type { Tensor } from "../src/index.js";

const threads = Number(process.argv[2] ?? 2), batch = Number(process.argv[3] ?? 1), reps = Number(process.argv[4] ?? 10);
torch.setNumThreads(threads);
torch.manualSeed(0);
const m = models.getModel("resnet18").eval();
const times = new Map<string, number[][]>();  // key -> per-rep list of call times
let rep = -1;
for (const [name, mod] of m.namedModules()) {
  const isLeaf = [...mod.children()].length === 0;
  const isBlock = mod.constructor.name === "BasicBlock";
  if (!isLeaf && !isBlock) continue;
  const orig = mod.forward.bind(mod);
  (mod as unknown as { forward: (x: Tensor) => Tensor }).forward = (x: Tensor) => {
    const t0 = now();
    const y = orig(x);
    const dt = now() - t0;
    let key = `${mod.constructor.name} ${x.shape.slice(1).join("x")}`;
    if (mod.constructor.name === "Conv2d") {
      const c = mod as unknown as { kernelSize: number[]; stride: number[]; outChannels: number };
      key = `Conv2d ${c.kernelSize.join("x")}/${c.stride[0]} ${x.shape[1]}->${c.outChannels} @${x.shape[2]}`;
    }
    if (isBlock) key = `Block(total) ${name.split(".")[0]}`;
    let l = times.get(key);
    if (!l) { l = []; times.set(key, l); }
    while (l.length <= rep) l.push([]);
    l[rep]!.push(dt);
    return y;
  };
}
const x = torch.randn(batch, 3, 224, 224);
const tot: number[] = [];
for (rep = 0; rep < reps; rep++) {
  const t0 = now();
  torch.noGrad(() => m.forward(x));
  tot.push(now() - t0);
}
const med = (a: number[]): number => { const s = [...a].sort((p, q) => p - q); return s[process.env.LAYERS_MIN ? 0 : s.length >> 1]!; };
const rows = [...times].map(([k, l]) => [k, med(l.slice(1).map((r) => r.reduce((a, b) => a + b, 0))), l[1]!.length] as const);
rows.sort((a, b) => b[1] - a[1]);
console.log(`resnet18 batch ${batch}, ${threads} threads: total median ${med(tot.slice(1)).toFixed(2)} ms`);
for (const [k, t, n] of rows) console.log(`${t.toFixed(2).padStart(8)} ms  x${n}  ${k}`);
