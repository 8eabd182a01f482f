// SPDX-License-Identifier: BSD-3-Clause
// The strided float32 forward's direct kernel (native/cpu/conv_s2.h: 16 output channels in the
// vector lanes, inputs broadcast from the zero-padded planes, packed weights cached per thread;
// taken on AVX2 CPUs for 16..512 taps and at least 16 output channels, e.g. ResNet's 7x7/2 stem)
// against a float64 reference with naive loops: output-channel counts that are not a multiple of
// 16, odd plane sizes (the last tile of 6 positions partial, tiles spanning output rows), padding,
// dilation, stride 3 and 2x1, batches of 1 and 3, non-contiguous input, with and without bias
// (and the im2col + GEMM path's one-GEMM-per-image chunks for planes of 512+ outputs);
// weights changed in place between calls (the cache must notice), and 1 vs 2 threads giving
// bit-identical results. Tolerance as in conv-big.test.ts: |err| <= 2e-6 * sum |x * w| per output.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { flatValues } from "../helpers.js";
import { checkConv2d } from "./conv-reference.js";

const F = nn.functional;
type T = torch.Tensor;
const vals = (t: T): number[] => flatValues(t) as number[];

interface Case {
  name: string; N: number; C: number; H: number; W: number; OC: number; k: [number, number]; s: [number, number];
  p: [number, number]; d?: [number, number]; bias?: boolean; nonContig?: boolean;
}


const opts = (c: Case) => ({ padding: c.p, stride: c.s, dilation: c.d ?? [1, 1] });


function inputs(c: Case): { x: T; w: T; b: T | null } {
  return {
    x: torch.randn(c.N, c.C, c.H, c.W), w: torch.randn(c.OC, c.C, c.k[0], c.k[1]).mul(0.1),
    b: c.bias === false ? null : torch.randn(c.OC),
  };
}

const CASES: Case[] = [
  { name: "stem 7x7/2 pad 3, 3 -> 16, 23x23", N: 1, C: 3, H: 23, W: 23, OC: 16, k: [7, 7], s: [2, 2], p: [3, 3] },
  { name: "stem 7x7/2 pad 3, 3 -> 20 (partial channel block), batch 3, 19x26", N: 3, C: 3, H: 19, W: 26, OC: 20, k: [7, 7], s: [2, 2], p: [3, 3] },
  { name: "7x7/2 pad 3, 3 -> 37, 31x17 no bias", N: 2, C: 3, H: 31, W: 17, OC: 37, k: [7, 7], s: [2, 2], p: [3, 3], bias: false },
  { name: "3x3/2 pad 1, 17 -> 32, 9x12", N: 2, C: 17, H: 9, W: 12, OC: 32, k: [3, 3], s: [2, 2], p: [1, 1] },
  { name: "3x3/2 pad 0, 40 -> 48, 13x13 (1 position short of 6 per tile)", N: 1, C: 40, H: 13, W: 13, OC: 48, k: [3, 3], s: [2, 2], p: [0, 0] },
  { name: "5x5/2 dilation 2 pad 3x1, 4 -> 24, 21x19", N: 1, C: 4, H: 21, W: 19, OC: 24, k: [5, 5], s: [2, 2], p: [3, 1], d: [2, 2] },
  { name: "3x3 stride 3 pad 1, 8 -> 16, 20x26", N: 2, C: 8, H: 20, W: 26, OC: 16, k: [3, 3], s: [3, 3], p: [1, 1] },
  { name: "3x3 stride 2x1 pad 0x2, 6 -> 17, 11x19", N: 1, C: 6, H: 11, W: 19, OC: 17, k: [3, 3], s: [2, 1], p: [0, 2] },
  { name: "5x5/2 pad 4 (wider than the kernel reach), 2 -> 16, 7x9", N: 1, C: 2, H: 7, W: 9, OC: 16, k: [5, 5], s: [2, 2], p: [4, 4] },
  { name: "1x1 output plane: 7x7/2 pad 0 on 7x8, 3 -> 16", N: 3, C: 3, H: 7, W: 8, OC: 16, k: [7, 7], s: [2, 2], p: [0, 0] },
  { name: "channels-last 7x7/2, 3 -> 32, 28x28", N: 2, C: 3, H: 28, W: 28, OC: 32, k: [7, 7], s: [2, 2], p: [3, 3], nonContig: true },
  { name: "1x1/2 (gather + GEMM), 24 -> 32, 15x15", N: 2, C: 24, H: 15, W: 15, OC: 32, k: [1, 1], s: [2, 2], p: [0, 0] },
  // im2col + GEMM with planes of 512+ outputs: one GEMM per image, straight into the output
  { name: "1x1/2 (one GEMM per image), 24 -> 20, 46x45, batch 3", N: 3, C: 24, H: 46, W: 45, OC: 20, k: [1, 1], s: [2, 2], p: [0, 0] },
  { name: "3x3/2 576 taps (one GEMM per image), 64 -> 16, 46x46, batch 2", N: 2, C: 64, H: 46, W: 46, OC: 16, k: [3, 3], s: [2, 2], p: [1, 1] },
];

test("strided conv2d direct kernel against a float64 reference", () => {
  torch.manualSeed(5);
  for (const c of CASES) {
    const { x, w, b } = inputs(c);
    checkConv2d(c, x, w, b);
  }
});

test("strided conv2d direct kernel: weights changed in place are used at the next call", () => {
  torch.manualSeed(6);
  const c = CASES[1]!;
  const { x, w, b } = inputs(c);
  checkConv2d(c, x, w, b);
  checkConv2d(c, x, w, b);  // the cached packing
  torch.noGrad(() => w.mul_(-1.5));
  checkConv2d(c, x, w, b);
  // one element, written straight into the storage (no in-place op, no version bump)
  (w._storage.data as Float32Array)[w._offset + 7] = 3.25;
  checkConv2d(c, x, w, b);
  // the same storage viewed with another shape (same address, other channel count)
  const c2: Case = { ...c, name: "same weight storage as 16 x 3 x 7 x 7", OC: 16, k: [7, 7] };
  const w2 = w.flatten().narrow(0, 0, 16 * 3 * 49).reshape([16, 3, 7, 7]);
  checkConv2d(c2, x, w2, null);
  // a fresh weight tensor each call (nothing cached is reused wrongly)
  for (let i = 0; i < 3; i++) checkConv2d(c, x, torch.randn(c.OC, c.C, 7, 7).mul(0.1), b);
});

test("strided conv2d direct kernel: 1 and 2 threads give identical results", () => {
  const saved = torch.getNumThreads();
  try {
    torch.manualSeed(8);
    const more: Case[] = [
      { name: "stem 3 -> 64, 7x7/2, 96x90, batch 2", N: 2, C: 3, H: 96, W: 90, OC: 64, k: [7, 7], s: [2, 2], p: [3, 3] },
      { name: "3x3/2 48 -> 40, 29x29, batch 3", N: 3, C: 48, H: 29, W: 29, OC: 40, k: [3, 3], s: [2, 2], p: [1, 1] },
    ];
    for (const c of [CASES[1]!, ...more]) {
      const { x, w, b } = inputs(c);
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
