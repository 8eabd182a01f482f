// SPDX-License-Identifier: BSD-3-Clause
// ResNet's stem run as one native call: conv -> eval BatchNorm -> ReLU -> 3x3 / stride 2 max pool
// (_conv2dFused with maxPoolPadding, native/cpu/conv.cc mode 5 flag 32, pool_k3.h), taken only for
// a stock nn.MaxPool2d(3, 2, padding 0 or 1). It gives the bits of the separate ops at odd sizes,
// batch 1 and 3, with NaN and -0 in the input, on 1 and 2 threads; ResNet-18 takes it and any
// other pool (ceil mode, another kernel or stride, a subclass, a replaced forward, a hook) runs as
// written. (Whole nets are compared to a tolerance: for layers with few Winograd tiles the path
// taken depends on whether the weights at that address changed since the last call, conv_wino.h's
// skipVolatile, and freed weights' addresses are reused by the next model.)
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { native } from "../../src/backends/cpu/native.js";
import { _conv2dFused } from "../../src/nn/functional/conv.js";
import { models } from "../../src/vision/index.js";
import { flatValues, randomiseBn, sameBits } from "../helpers.js";

const F = nn.functional;
type T = torch.Tensor;
const vals = (t: T): number[] => flatValues(t) as number[];

type Net = nn.Module & { maxpool: nn.Module };
const build = (pool?: () => nn.Module): Net => {
  torch.manualSeed(71);
  const m = models.getModel("resnet18").eval() as unknown as Net;
  randomiseBn(m, 72);
  if (pool) m.maxpool = pool();
  return m;
};
// the same net with every ReLU's forward wrapped: nothing fused, the modules one by one
const unfused = (pool?: () => nn.Module): Net => {
  const m = build(pool);
  for (const mod of m.modules()) if (mod instanceof nn.ReLU) { const f = mod.forward; mod.forward = (t: T) => f(t); }
  return m;
};

// runs f, counting mode-5 calls that asked for the pool (flag 32) and those that did
function countPooled<R>(f: () => R): [R, number] {
  const orig = native.conv;
  let n = 0;
  native.conv = (mode: number, bufs: unknown, meta: Float64Array, ...rest: unknown[]) => {
    const r = orig(mode, bufs, meta, ...rest);
    if (mode === 5 && ((meta[28]! | 0) & 32) && r !== false) n++;
    return r;
  };
  try { return [f(), n]; } finally { native.conv = orig; }
}

function close(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const scale = Math.max(...b.map(Math.abs));
  for (let i = 0; i < a.length; i++)
    if (!(Math.abs(a[i]! - b[i]!) <= 1e-5 * scale)) assert.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
}

// the stem: conv 7x7/2 pad 3 (no bias) -> eval BatchNorm -> ReLU -> max pool 3x3/2, fused and separate
function stem(N: number, H: number, W: number, pad: number, special: boolean) {
  torch.manualSeed(76 + H);
  const x = torch.randn(N, 3, H, W), w = torch.randn(64, 3, 7, 7).mul(0.08);
  if (special) torch.noGrad(() => { const f = x.view(-1); f.narrow(0, 300, 4).fill_(NaN); f.narrow(0, 900, 50).fill_(-0); });
  const bn = { runningMean: torch.randn(64).mul(0.1), runningVar: torch.rand(64).add(0.5), weight: torch.randn(64), bias: torch.randn(64).mul(0.3), eps: 1e-5 };
  const fused = (): T | null => torch.noGrad(() => _conv2dFused(x, w, { stride: 2, padding: 3 }, bn, null, true, pad));
  const separate = (): T => torch.noGrad(() => {
    let y = F.conv2d(x, w, null, { stride: 2, padding: 3 });
    y = F.batchNorm(y, bn.runningMean, bn.runningVar, { weight: bn.weight, bias: bn.bias, training: false, eps: 1e-5 });
    return F.maxPool2d(F.relu(y), 3, { stride: 2, padding: pad });
  });
  return { fused, separate };
}

test("stem + max pool in one call: the bits of the separate ops at odd sizes, batch 1 and 3, padding 1 and 0, NaN and -0", () => {
  for (const [N, H, W, pad, special] of [[1, 224, 224, 1, false], [1, 67, 53, 1, true], [3, 40, 45, 0, true], [2, 9, 8, 1, false],
    [1, 7, 7, 0, false], [3, 31, 30, 0, false]] as const) {
    const { fused, separate } = stem(N, H, W, pad, special);
    const y = fused();
    assert.ok(y, `${N}x${H}x${W} pad ${pad}: taken`);
    const r = separate();
    assert.deepEqual(y.shape, r.shape);
    sameBits(vals(y), vals(r), `${N}x${H}x${W} pad ${pad}`);
  }
});

test("the fused stem + pool: 1 and 2 threads give the same bits", () => {
  const saved = torch.getNumThreads();
  try {
    const { fused } = stem(2, 99, 77, 1, true);
    torch.setNumThreads(1);
    const y1 = vals(fused()!);
    torch.setNumThreads(2);
    sameBits(vals(fused()!), y1, "1 vs 2 threads");
  } finally {
    torch.setNumThreads(saved);
  }
});

test("ResNet-18 in eval under noGrad runs its stem and pool as one call (stock pools with padding 1 and 0) and matches the unfused net", () => {
  const pools: [string, (() => nn.Module) | undefined][] = [
    ["stock MaxPool2d(3, 2, 1)", undefined],
    ["MaxPool2d(3, 2) (padding 0)", () => new nn.MaxPool2d(3, 2)],
    ["MaxPool2d([3, 3], [2, 2], [1, 1])", () => new nn.MaxPool2d([3, 3], { stride: [2, 2], padding: [1, 1] })],
  ];
  for (const [what, pool] of pools) {
    const a = build(pool), b = unfused(pool);
    for (const [N, H, W] of [[1, 67, 53], [3, 40, 45]] as const) {
      torch.manualSeed(73);
      const x = torch.randn(N, 3, H, W);
      const [ya, n] = countPooled(() => torch.noGrad(() => a.forward(x) as T));
      assert.equal(n, 1, `${what} ${N}x${H}x${W}: the stem and the pool in one call`);
      const [yb, nb] = countPooled(() => torch.noGrad(() => b.forward(x) as T));
      assert.equal(nb, 0, "unfused copy");
      close(vals(ya), vals(yb), `${what} ${N}x${H}x${W}`);
    }
  }
});

test("other pools after the stem run as written: ceil mode, other windows, a subclass, a replaced forward, a hook", () => {
  class AvgInstead extends nn.MaxPool2d {
    protected override pool(input: T): T { return F.avgPool2d(input, 3, 2, 1); }
  }
  const cases: [string, () => nn.Module][] = [
    ["ceil mode", () => new nn.MaxPool2d(3, 2, { padding: 1, ceilMode: true })],
    ["2x2 window", () => new nn.MaxPool2d(2, 2)],
    ["stride 1", () => new nn.MaxPool2d(3, 1, { padding: 1 })],
    ["dilation 2", () => new nn.MaxPool2d(3, 2, { padding: 1, dilation: 2 })],
    ["subclass", () => new AvgInstead(3, 2, { padding: 1 })],
    ["replaced forward", () => { const p = new nn.MaxPool2d(3, 2, { padding: 1 }); const f = p.forward; p.forward = (t: T) => f(t).mul(2); return p; }],
    ["forward hook", () => { const p = new nn.MaxPool2d(3, 2, { padding: 1 }); p.registerForwardHook(() => undefined); return p; }],
  ];
  torch.manualSeed(75);
  const x = torch.randn(1, 3, 61, 64);
  for (const [what, pool] of cases) {
    const a = build(pool), b = unfused(pool);
    const [ya, n] = countPooled(() => torch.noGrad(() => a.forward(x) as T));
    assert.equal(n, 0, `${what}: not fused with the stem`);
    close(vals(ya), vals(torch.noGrad(() => b.forward(x) as T)), what);
  }
  // the subclass's own pool really ran (average, not max)
  const avg = build(() => new AvgInstead(3, 2, { padding: 1 })), max = build();
  assert.notDeepEqual(vals(torch.noGrad(() => avg.forward(x) as T)), vals(torch.noGrad(() => max.forward(x) as T)));
});
