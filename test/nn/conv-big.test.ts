// SPDX-License-Identifier: BSD-3-Clause
// The ResNet-sized float32 forward paths against a float64 reference with naive loops:
// - 3x3 stride 1 Winograd (native/cpu/conv_wino.h; groups 1, dilation 1, at least 16 input and
//   output channels, AVX2 + FMA CPUs): odd channel counts and plane sizes (partial output tiles on
//   the right and bottom, tile groups that end mid-row), padding 0 / 1 / 2 and uneven padding;
// - strided convolutions (native/cpu/conv_s2.h: im2col by runs of valid columns, AVX2 stride-2
//   rows): the 7x7/2 stem, 3x3/2, 1x1/2, stride 3, stride 2x1, stride with dilation, rows long
//   enough for the vector loop and short ones, padding wider than the kernel;
// with and without bias, batches of several images (chunks), non-contiguous input, and 1 vs 2
// threads giving bit-identical results. The tolerance is the one every conv path meets in
// conv-paths.test.ts: |err| <= 2e-6 * sum |x * w| per output.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { flatValues } from "../helpers.js";
import { checkConv2d, conv2dReference as reference } from "./conv-reference.js";

const F = nn.functional;
type T = torch.Tensor;
const vals = (t: T): number[] => flatValues(t) as number[];

interface Case {
  name: string; N: number; C: number; H: number; W: number; OC: number; p: [number, number]; bias?: boolean; nonContig?: boolean;
  k?: [number, number]; s?: [number, number]; d?: [number, number];
}


const opts = (c: Case) => ({ padding: c.p, stride: c.s ?? [1, 1], dilation: c.d ?? [1, 1] });

function run(c: Case): T {
  const [KH, KW] = c.k ?? [3, 3];
  const x0 = torch.randn(c.N, c.C, c.H, c.W), w = torch.randn(c.OC, c.C, KH, KW).mul(0.1);
  return checkConv2d(c, x0, w, c.bias === false ? null : torch.randn(c.OC));
}

const CASES: Case[] = [
  { name: "16 -> 16, 8x8 pad 1", N: 1, C: 16, H: 8, W: 8, OC: 16, p: [1, 1] },
  { name: "odd channels 17 -> 33, 9x13 pad 1", N: 2, C: 17, H: 9, W: 13, OC: 33, p: [1, 1] },
  { name: "65 -> 31, 14x14 pad 1 no bias", N: 1, C: 65, H: 14, W: 14, OC: 31, p: [1, 1], bias: false },
  { name: "pad 0, 11x10", N: 3, C: 24, H: 11, W: 10, OC: 20, p: [0, 0] },
  { name: "pad 2, 7x7", N: 2, C: 32, H: 7, W: 7, OC: 16, p: [2, 2] },
  { name: "pad 2x0, 6x17", N: 1, C: 20, H: 6, W: 17, OC: 24, p: [2, 0] },
  { name: "channels-last input, 28x28", N: 2, C: 16, H: 28, W: 28, OC: 16, p: [1, 1], nonContig: true },
  { name: "batch 5 of 15x15 (several chunks of tiles)", N: 5, C: 40, H: 15, W: 15, OC: 24, p: [1, 1] },
  { name: "96 -> 80, 14x14 batch 2", N: 2, C: 96, H: 14, W: 14, OC: 80, p: [1, 1] },
];

const STRIDED: Case[] = [
  { name: "stem 7x7/2 pad 3, 3 -> 8, 37x37", N: 1, C: 3, H: 37, W: 37, OC: 8, k: [7, 7], s: [2, 2], p: [3, 3] },
  { name: "stem 7x7/2 pad 3, batch 2, 32x45", N: 2, C: 3, H: 32, W: 45, OC: 5, k: [7, 7], s: [2, 2], p: [3, 3], bias: false },
  { name: "3x3/2 pad 1, 17 -> 9, 9x12", N: 2, C: 17, H: 9, W: 12, OC: 9, s: [2, 2], p: [1, 1] },
  { name: "3x3/2 pad 1, 40x41 (vector rows)", N: 1, C: 6, H: 40, W: 41, OC: 7, s: [2, 2], p: [1, 1] },
  { name: "1x1/2, 33x34", N: 3, C: 10, H: 33, W: 34, OC: 6, k: [1, 1], s: [2, 2], p: [0, 0] },
  { name: "3x3 stride 3", N: 1, C: 4, H: 20, W: 26, OC: 5, s: [3, 3], p: [1, 1] },
  { name: "3x3 stride 2x1 pad 0x2", N: 2, C: 3, H: 11, W: 19, OC: 4, s: [2, 1], p: [0, 2] },
  { name: "3x3 stride 2 dilation 2", N: 1, C: 5, H: 30, W: 35, OC: 3, s: [2, 2], d: [2, 2], p: [2, 1] },
  { name: "5x5/2 pad 4 (wider than the kernel reach)", N: 1, C: 2, H: 7, W: 9, OC: 3, k: [5, 5], s: [2, 2], p: [4, 4] },
  { name: "channels-last 3x3/2, 28x28", N: 2, C: 8, H: 28, W: 28, OC: 6, s: [2, 2], p: [1, 1], nonContig: true },
];

test("conv2d 3x3 stride 1 (Winograd path) against a float64 reference", () => {
  torch.manualSeed(7);
  for (const c of CASES) run(c);
});

test("strided conv2d (conv_s2.h) against a float64 reference", () => {
  torch.manualSeed(11);
  for (const c of STRIDED) run(c);
});

test("conv2d Winograd and strided paths: 1 and 2 threads give identical results", () => {
  const saved = torch.getNumThreads();
  try {
    const more: Case[] = [
      { name: "64 -> 64, 56x56", N: 1, C: 64, H: 56, W: 56, OC: 64, p: [1, 1] },
      { name: "stem 3 -> 64, 7x7/2, 112x112", N: 1, C: 3, H: 112, W: 112, OC: 64, k: [7, 7], s: [2, 2], p: [3, 3] },
      { name: "3x3/2 64 -> 128, 28x28 batch 3", N: 3, C: 64, H: 28, W: 28, OC: 128, s: [2, 2], p: [1, 1] },
      // Winograd GEMMs big enough to be threaded inside (one at a time) rather than one per thread
      { name: "160 -> 160, 14x14 batch 4", N: 4, C: 160, H: 14, W: 14, OC: 160, p: [1, 1] },
    ];
    for (const c of [CASES[1]!, CASES[7]!, STRIDED[4]!, ...more]) {
      const [KH, KW] = c.k ?? [3, 3];
      const x = torch.randn(c.N, c.C, c.H, c.W), w = torch.randn(c.OC, c.C, KH, KW).mul(0.1), b = torch.randn(c.OC);
      torch.setNumThreads(1);
      const y1 = vals(torch.noGrad(() => F.conv2d(x, w, b, opts(c))));
      torch.setNumThreads(2);
      const y2 = vals(torch.noGrad(() => F.conv2d(x, w, b, opts(c))));
      assert.deepEqual(y1, y2, c.name);
    }
  } finally {
    torch.setNumThreads(saved);
  }
});

test("conv2d 3x3 Winograd path: training-mode forward and backward still match float64", () => {
  torch.manualSeed(3);
  const x = torch.randn(2, 16, 10, 9, { dtype: "float64" }), w = torch.randn(20, 16, 3, 3, { dtype: "float64" }).mul(0.1);
  const xf = x.float().requiresGrad_(), wf = w.float().requiresGrad_();
  const y = F.conv2d(xf, wf, null, { padding: 1 });
  const y64 = F.conv2d(x, w, null, { padding: 1 });
  const diff = Math.max(...vals(y.double().sub(y64).abs().flatten()));
  assert.ok(diff < 1e-4, `forward differs by ${diff}`);
  y.sum().backward();
  assert.deepEqual(xf.grad!.shape, [2, 16, 10, 9]);
  assert.deepEqual(wf.grad!.shape, [20, 16, 3, 3]);
});

test("conv2d Winograd path: weights changed in place between calls give the new results (transform cache)", () => {
  torch.manualSeed(5);
  const c: Case = { name: "cache", N: 1, C: 16, H: 10, W: 10, OC: 24, p: [1, 1] };
  const x = torch.randn(c.N, c.C, c.H, c.W), w = torch.randn(c.OC, c.C, 3, 3).mul(0.1), b = torch.randn(c.OC);
  const check = (what: string): void => {
    const y = vals(torch.noGrad(() => F.conv2d(x, w, b, { padding: 1 })));
    const ref = reference(c, vals(x), vals(w), vals(b));
    for (let i = 0; i < y.length; i++)
      assert.ok(Math.abs(y[i]! - ref.out[i]!) <= 2e-6 * ref.abs[i]! + 1e-30, `${what}: [${i}] ${y[i]} != ${ref.out[i]}`);
  };
  check("first call");
  check("same weights again");
  torch.noGrad(() => w.mul_(-3));
  check("after w.mul_(-3)");
  torch.noGrad(() => { w.view(-1).narrow(0, 100, 1).fill_(2.5); });  // one element
  check("after changing one element");
  // another tensor of the same shape, and the first one again
  const w2 = torch.randn(c.OC, c.C, 3, 3);
  const y2 = vals(torch.noGrad(() => F.conv2d(x, w2, null, { padding: 1 })));
  const r2 = reference(c, vals(x), vals(w2), null);
  for (let i = 0; i < y2.length; i++) assert.ok(Math.abs(y2[i]! - r2.out[i]!) <= 2e-6 * r2.abs[i]! + 1e-30, `w2 [${i}]`);
  check("first weights after another tensor");
});
