// SPDX-License-Identifier: BSD-3-Clause
// Forward time of each distinct ResNet-18 convolution shape (eval, no grad), median of repeats.
// Prints one JSON line {shape: ms}. Run: node dist/bench/conv_shapes.js [threads] [batch] [filter]
import * as torch from "../src/index.js";

// CPU_TIME=1: process CPU time (user + sys, all threads) instead of wall time: steadier on a loaded machine with 1 thread
const useCpu = !!process.env.CPU_TIME;
const now = (): number => { if (!useCpu) return performance.now(); const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

const threads = Number(process.argv[2] ?? 2), batch = Number(process.argv[3] ?? 1);
const filter = process.argv[4] ? new RegExp(process.argv[4]) : null;
torch.setNumThreads(threads);
torch.manualSeed(0);
// [C, OC, H, k, stride, pad]
export const shapes: [number, number, number, number, number, number][] = [
  [3, 64, 224, 7, 2, 3], [64, 64, 56, 3, 1, 1], [64, 128, 56, 3, 2, 1], [64, 128, 56, 1, 2, 0], [128, 128, 28, 3, 1, 1],
  [128, 256, 28, 3, 2, 1], [128, 256, 28, 1, 2, 0], [256, 256, 14, 3, 1, 1], [256, 512, 14, 3, 2, 1], [256, 512, 14, 1, 2, 0],
  [512, 512, 7, 3, 1, 1],
];
const out: Record<string, number> = {};
for (const [C, OC, H, k, s, p] of shapes) {
  const key = `${k}x${k}/${s} ${C}->${OC} @${H}`;
  if (filter && !filter.test(key)) continue;
  const x = torch.randn(batch, C, H, H), w = torch.randn(OC, C, k, k).mul(0.05);
  const f = (): void => { torch.noGrad(() => torch.nn.functional.conv2d(x, w, null, { stride: s, padding: p })); };
  for (let i = 0; i < 3; i++) f();
  const ts: number[] = [];
  const t1 = now();
  while (ts.length < 5 || (now() - t1 < 400 && ts.length < 200)) { const t0 = now(); f(); ts.push(now() - t0); }
  ts.sort((a, b) => a - b);
  out[key] = Number((process.env.CONV_SHAPES_MIN ? ts[0]! : ts[ts.length >> 1]!).toFixed(3));
}
console.log(JSON.stringify(out));
