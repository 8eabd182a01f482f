// SPDX-License-Identifier: BSD-3-Clause
// The fused inference forward conv2d -> eval BatchNorm -> + residual -> ReLU (_conv2dFused,
// native/cpu/conv_epilogue.h) gives the bits of the separate ops on every conv path (packed
// Winograd's three schedules and its edge tiles, the strided stem kernel, the strided im2col + GEMM
// with one image and with chunks, 1x1, the direct kernels, groups, dilation), odd sizes, batch 1 and
// 3, with NaN, -0 and negative values in the input; 1 and 2 threads agree; ResNet-18 and
// ResNet-50 (which take it in eval under noGrad) give the unfused bits, and hooks, a replaced
// forward, training mode and autograd turn it off.
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

interface Case {
  name: string; N: number; C: number; H: number; W: number; OC: number; k: number; s?: number; p?: number; d?: number; groups?: number;
  bias?: boolean; bnAffine?: boolean; res?: boolean; relu?: boolean; special?: boolean;
}

function make(c: Case) {
  const G = c.groups ?? 1;
  const x = torch.randn(c.N, c.C, c.H, c.W);
  if (c.special) {  // NaN, -0 and exact zeros in the input
    const flat = x.view(-1);
    torch.noGrad(() => { flat.narrow(0, 5, 1).fill_(NaN); flat.narrow(0, 17, 3).fill_(-0); flat.narrow(0, 40, 2).fill_(0); });
  }
  const w = torch.randn(c.OC, c.C / G, c.k, c.k).mul(1 / Math.sqrt((c.C / G) * c.k * c.k));
  const b = c.bias ? torch.randn(c.OC).mul(0.1) : null;
  const rm = torch.randn(c.OC).mul(0.2), rv = torch.rand(c.OC).add(0.3);
  const bw = c.bnAffine === false ? null : torch.rand(c.OC).add(0.5), bb = c.bnAffine === false ? null : torch.randn(c.OC).mul(0.3);
  const opts = { bias: b, stride: c.s ?? 1, padding: c.p ?? 0, dilation: c.d ?? 1, groups: G };
  const y0 = torch.noGrad(() => F.conv2d(x, w, opts));
  const res = c.res ? torch.randn(...y0.shape) : null;
  return { x, w, b, rm, rv, bw, bb, opts, res };
}

function separate(c: Case, m: ReturnType<typeof make>): number[] {
  return vals(torch.noGrad(() => {
    let y = F.conv2d(m.x, m.w, m.opts);
    y = F.batchNorm(y, m.rm, m.rv, { weight: m.bw, bias: m.bb, training: false, eps: 1e-5 });
    if (m.res) y = y.add_(m.res);
    return c.relu === false ? y : F.relu(y, { inplace: true });
  }));
}

function fused(c: Case, m: ReturnType<typeof make>): number[] {
  const y = torch.noGrad(() => _conv2dFused(m.x, m.w, m.opts, { runningMean: m.rm, runningVar: m.rv, weight: m.bw, bias: m.bb, eps: 1e-5 },
    m.res, c.relu !== false));
  assert.ok(y !== null, `${c.name}: not taken`);
  return vals(y);
}

const CASES: Case[] = [
  // packed Winograd: the fused schedule (many tile panels), xi-major (several), one panel, edge tiles
  { name: "wino 3x3 32->24 @32, fused schedule", N: 1, C: 32, H: 32, W: 32, OC: 24, k: 3, p: 1, res: true },
  { name: "wino 3x3 20->23 @7 batch 3, residual", N: 3, C: 20, H: 7, W: 7, OC: 23, k: 3, p: 1, res: true, special: true },
  { name: "wino 3x3 40->17 @7 batch 8 (xi-major), no relu", N: 8, C: 40, H: 7, W: 7, OC: 17, k: 3, p: 1, relu: false, bias: true },
  { name: "wino 3x3 16->16 @7 batch 1 (one panel)", N: 1, C: 16, H: 7, W: 7, OC: 16, k: 3, p: 1, res: true },
  { name: "wino 3x3 19->29 13x11 batch 3, bias, no affine", N: 3, C: 19, H: 13, W: 11, OC: 29, k: 3, p: 1, bias: true, bnAffine: false },
  { name: "wino 3x3 pad 0 33->20 16x19, residual", N: 2, C: 33, H: 16, W: 19, OC: 20, k: 3, p: 0, res: true },
  // strided: the direct stem kernel (147 taps), im2col + GEMM (one image; chunks of images), 1x1/2
  { name: "stem 7x7/2 3->20 @33", N: 1, C: 3, H: 33, W: 33, OC: 20, k: 7, s: 2, p: 3, special: true },
  { name: "stem 7x7/2 3->17 @29 batch 3, residual", N: 3, C: 3, H: 29, W: 29, OC: 17, k: 7, s: 2, p: 3, res: true },
  { name: "3x3/2 64->24 @15 batch 3 (GEMM, chunked)", N: 3, C: 64, H: 15, W: 15, OC: 24, k: 3, s: 2, p: 1, res: true },
  { name: "3x3/2 64->20 @47 (GEMM, one image)", N: 1, C: 64, H: 47, W: 47, OC: 20, k: 3, s: 2, p: 1, bias: true },
  { name: "1x1/2 32->40 @14 batch 3, no relu", N: 3, C: 32, H: 14, W: 14, OC: 40, k: 1, s: 2, relu: false },
  // the other paths: 1x1/1, direct kernels, groups, dilation, few channels
  { name: "1x1/1 24->36 @9 batch 3, residual", N: 3, C: 24, H: 9, W: 9, OC: 36, k: 1, res: true, bias: true },
  { name: "5x5/1 3->6 @13 (direct)", N: 3, C: 3, H: 13, W: 13, OC: 6, k: 5, res: true },
  { name: "3x3 groups 2 dilation 2 8->12 @11", N: 1, C: 8, H: 11, W: 11, OC: 12, k: 3, p: 2, d: 2, groups: 2, res: true },
  { name: "3x3 4->8 @6 (too few channels for Winograd)", N: 3, C: 4, H: 6, W: 6, OC: 8, k: 3, p: 1, special: true },
];

test("fused conv2d + eval BatchNorm + residual + ReLU: the bits of the separate ops on every path", () => {
  torch.manualSeed(31);
  for (const c of CASES) {
    const m = make(c);
    sameBits(fused(c, m), separate(c, m), c.name);
  }
});

test("fused conv2d + eval BatchNorm: 1 and 2 threads give the same bits", () => {
  const saved = torch.getNumThreads();
  try {
    torch.manualSeed(32);
    for (const c of [CASES[0]!, CASES[1]!, CASES[2]!, CASES[6]!, CASES[8]!, CASES[11]!]) {
      const m = make(c);
      torch.setNumThreads(1);
      const a = fused(c, m);
      torch.setNumThreads(2);
      sameBits(fused(c, m), a, c.name);
    }
  } finally {
    torch.setNumThreads(saved);
  }
});

test("_conv2dFused declines what it does not cover", () => {
  torch.manualSeed(33);
  const x = torch.randn(1, 16, 8, 8), w = torch.randn(16, 16, 3, 3);
  const bn = { runningMean: torch.zeros(16), runningVar: torch.ones(16), weight: null, bias: null, eps: 1e-5 };
  assert.equal(_conv2dFused(x.double(), w.double(), { padding: 1 }, null, null, true), null, "float64");
  assert.equal(_conv2dFused(x, w, { padding: 1 }, bn, torch.randn(1, 16, 1, 8), true), null, "a broadcast residual");
  const wg = w.clone().requiresGrad_();
  assert.equal(_conv2dFused(x, wg, { padding: 1 }, bn, null, true), null, "a graph to record");
  assert.ok(torch.noGrad(() => _conv2dFused(x, wg, { padding: 1 }, bn, null, true)) !== null, "under noGrad");
});

/** The model with every ReLU's forward wrapped: the blocks then run the modules one by one. */
function unfusedCopy(build: () => nn.Module): nn.Module {
  const m = build();
  for (const mod of m.modules()) if (mod instanceof nn.ReLU) { const f = mod.forward; mod.forward = (t: T) => f(t); }
  return m;
}

function countFused<R>(f: () => R): [R, number] {
  const orig = native.conv;
  let n = 0;
  native.conv = (mode: number, ...rest: unknown[]) => { if (mode === 5) n++; return orig(mode, ...rest); };
  try { return [f(), n]; } finally { native.conv = orig; }
}

test("ResNet-18 and ResNet-50 eval under noGrad: fused, the unfused bits; hooks, replaced forwards, training and autograd fall back", () => {
  for (const [name, convs, batch] of [["resnet18", 20, 2], ["resnet50", 53, 1]] as const) {
    const build = (): nn.Module => { torch.manualSeed(34); const m = models.getModel(name).eval(); randomiseBn(m, 35); return m; };
    const a = build(), b = unfusedCopy(build);
    torch.manualSeed(36);
    const x = torch.randn(batch, 3, 64, 64);
    const [ya, n] = countFused(() => torch.noGrad(() => a.forward(x) as T));
    assert.equal(n, convs, `${name}: every conv fused`);
    const [yb, nb] = countFused(() => torch.noGrad(() => b.forward(x) as T));
    assert.equal(nb, 0, `${name}: wrapped ReLUs turn fusion off`);
    sameBits(vals(ya), vals(yb), name);
    if (name !== "resnet18") continue;
    // a forward hook on a BatchNorm: that block runs unfused and the hook sees its call
    const m = a as unknown as { layer1: nn.Sequential; bn1: nn.BatchNorm2d };
    const block = [...m.layer1.children()][0] as unknown as { bn2: nn.BatchNorm2d };
    let seen = 0;
    const h = block.bn2.registerForwardHook(() => { seen++; });
    const [yh, nh] = countFused(() => torch.noGrad(() => a.forward(x) as T));
    h.remove();
    assert.equal(seen, 1, "the hook ran");
    assert.equal(nh, convs - 1, "only the hooked conv + BatchNorm unfused");
    sameBits(vals(yh), vals(ya), "with a hook");
    // a replaced forward on the stem's BatchNorm is honoured
    const bnf = m.bn1.forward;
    m.bn1.forward = (t: T) => bnf(t).mul(0);
    const [yz] = countFused(() => torch.noGrad(() => a.forward(x) as T));
    m.bn1.forward = bnf;
    assert.notDeepEqual(vals(yz), vals(ya), "the replaced forward ran");
    // with autograd recording, or in training mode: nothing fused
    const [, ng] = countFused(() => a.forward(x) as T);
    assert.equal(ng, 0, "recording a graph");
    a.train();
    const [, nt] = countFused(() => torch.noGrad(() => a.forward(x) as T));
    a.eval();
    assert.equal(nt, 0, "training mode");
  }
});

test("packed Winograd with 2 threads: the weight check deferred into the computation still catches in-place changes (every schedule)", () => {
  const saved = torch.getNumThreads();
  try {
    torch.setNumThreads(2);
    torch.manualSeed(37);
    // few tile panels (7x7, batch 3: batch 1's schedule; at batch 1 calls go to im2col + GEMM while the
    // weights keep changing), xi-major (7x7, batch 8), fused (32x32): 160 x 160 x 9 weights are 4 check blocks
    for (const [N, H] of [[3, 7], [8, 7], [1, 32]] as const) {
      const C = 160, x = torch.randn(N, C, H, H), w = torch.randn(C, C, 3, 3).mul(0.03);
      const fresh = (): number[] => vals(torch.noGrad(() => F.conv2d(x, w.clone(), null, { padding: 1 })));  // a new address: no cache entry
      const y = (): number[] => vals(torch.noGrad(() => F.conv2d(x, w, null, { padding: 1 })));
      sameBits(y(), fresh(), `N${N} H${H}: first call`);
      sameBits(y(), fresh(), `N${N} H${H}: cached`);
      for (const at of [0, C * C * 9 - 1, 70000]) {  // the first, the last and a middle check block
        torch.noGrad(() => { w.view(-1).narrow(0, at, 1).add_(1); });
        sameBits(y(), fresh(), `N${N} H${H}: after changing element ${at}`);
        sameBits(y(), fresh(), `N${N} H${H}: again after changing element ${at}`);
      }
    }
  } finally {
    torch.setNumThreads(saved);
  }
});
