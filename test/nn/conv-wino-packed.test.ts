// SPDX-License-Identifier: BSD-3-Clause
// The packed Winograd F(2x2,3x3) forward (native/cpu/conv_wino.h: cached weights in 6-row panels,
// tiles in 16-column panels, a 6x16 register kernel fused with the output transform) on the
// ResNet-18 layer shapes and around them, against a float64 reference with naive loops:
// 16..512 channels, output channel counts that are not a multiple of 6 (a partial weight panel),
// 7x7 and 14x14 planes (a half tile panel, tile panels that span two images), odd plane sizes,
// batch 1 and 3, padding 0 / 1 / 2 and uneven padding, with and without bias; its schedules
// (fused per tile panel, xi-major, output-channel blocks of one panel; 128 @28 at batch 1 runs
// the first with 1 thread and the second with 2) and 1 vs 2 threads giving identical bits.
// TORCHTS_CONV_WINO_SCHED=f / x / s forces one schedule for the whole file.
// Tolerance: the one every conv path meets in conv-paths.test.ts, |err| <= 2e-6 * sum |x * w|.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { flatValues } from "../helpers.js";

const F = nn.functional;
type T = torch.Tensor;
const vals = (t: T): number[] => flatValues(t) as number[];

interface Case { name: string; N: number; C: number; H: number; W: number; OC: number; p: [number, number]; bias?: boolean }

// only the output channels `keep` says (all by default): the big layers check every 5th channel
// and the last 7 (the last, partial weight panel), at a fifth of the cost
function reference(c: Case, x: Float64Array, w: Float64Array, b: number[] | null, keep = (_o: number) => true) {
  const [PH, PW] = c.p;
  const OH = c.H + 2 * PH - 2, OW = c.W + 2 * PW - 2;
  const out = new Float64Array(c.N * c.OC * OH * OW), abs = new Float64Array(out.length);
  for (let n = 0; n < c.N; n++)
    for (let o = 0; o < c.OC; o++) {
      if (!keep(o)) continue;
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let acc = b ? b[o]! : 0, s = b ? Math.abs(b[o]!) : 0;
          for (let ci = 0; ci < c.C; ci++) {
            const xb = (n * c.C + ci) * c.H * c.W, wb = (o * c.C + ci) * 9;
            for (let ki = 0; ki < 3; ki++) {
              const ih = oh - PH + ki;
              if (ih < 0 || ih >= c.H) continue;
              for (let kj = 0; kj < 3; kj++) {
                const iw = ow - PW + kj;
                if (iw < 0 || iw >= c.W) continue;
                const t = x[xb + ih * c.W + iw]! * w[wb + ki * 3 + kj]!;
                acc += t; s += Math.abs(t);
              }
            }
          }
          const i = ((n * c.OC + o) * OH + oh) * OW + ow;
          out[i] = acc; abs[i] = s;
        }
    }
  return { shape: [c.N, c.OC, OH, OW], out, abs };
}

function inputs(c: Case) {
  const x = torch.randn(c.N, c.C, c.H, c.W), w = torch.randn(c.OC, c.C, 3, 3).mul(1 / Math.sqrt(9 * c.C));
  const b = c.bias === false ? null : torch.randn(c.OC);
  return { x, w, b };
}

function check(c: Case): void {
  const { x, w, b } = inputs(c);
  const y = torch.noGrad(() => F.conv2d(x, w, b, { padding: c.p }));
  const keep = c.C * c.OC > 8192 ? (o: number) => o % 5 === 0 || o >= c.OC - 7 : () => true;
  const ref = reference(c, Float64Array.from(vals(x)), Float64Array.from(vals(w)), b ? vals(b) : null, keep);
  assert.deepEqual(y.shape, ref.shape, `${c.name}: shape`);
  const a = vals(y), bad: string[] = [], plane = ref.shape[2]! * ref.shape[3]!;
  for (let i = 0; i < a.length && bad.length < 5; i++)
    if (keep(Math.floor(i / plane) % c.OC) && !(Math.abs(a[i]! - ref.out[i]!) <= 2e-6 * ref.abs[i]! + 1e-30)) bad.push(`[${i}] ${a[i]} != ${ref.out[i]}`);
  assert.equal(bad.length, 0, `${c.name}: ${bad.join(", ")}`);
}

const RESNET: Case[] = [
  { name: "64 -> 64 @56 (many tile panels)", N: 1, C: 64, H: 56, W: 56, OC: 64, p: [1, 1] },
  { name: "128 -> 128 @28", N: 1, C: 128, H: 28, W: 28, OC: 128, p: [1, 1] },
  { name: "256 -> 256 @14 (a half tile panel)", N: 1, C: 256, H: 14, W: 14, OC: 256, p: [1, 1] },
  { name: "512 -> 512 @7 (one tile panel)", N: 1, C: 512, H: 7, W: 7, OC: 512, p: [1, 1] },
];

const ODD: Case[] = [
  { name: "16 -> 16 @7, batch 1 (the smallest taken)", N: 1, C: 16, H: 7, W: 7, OC: 16, p: [1, 1] },
  { name: "19 -> 29, 13x11, batch 3, no bias", N: 3, C: 19, H: 13, W: 11, OC: 29, p: [1, 1], bias: false },
  { name: "96 -> 100 @14, batch 3 (tile panels span images)", N: 3, C: 96, H: 14, W: 14, OC: 100, p: [1, 1] },
  { name: "40 -> 17 @7, batch 3", N: 3, C: 40, H: 7, W: 7, OC: 17, p: [1, 1] },
  { name: "pad 0, 33 -> 20, 16x19", N: 2, C: 33, H: 16, W: 19, OC: 20, p: [0, 0] },
  { name: "pad 2, 24 -> 31, 9x9", N: 3, C: 24, H: 9, W: 9, OC: 31, p: [2, 2] },
  { name: "pad 2x0, 20 -> 22, 10x21", N: 1, C: 20, H: 10, W: 21, OC: 22, p: [2, 0] },
  { name: "pad 0x1, 48 -> 50, 23x17 (rows of whole and partial tile groups)", N: 2, C: 48, H: 23, W: 17, OC: 50, p: [0, 1] },
];

test("packed Winograd F(2x2): ResNet-18's 3x3 stride-1 layers against float64", () => {
  torch.manualSeed(21);
  for (const c of RESNET) check(c);
});

test("packed Winograd F(2x2): odd channels, plane sizes, batches and padding against float64", () => {
  torch.manualSeed(22);
  for (const c of ODD) check(c);
});

test("packed Winograd F(2x2): 1 and 2 threads give identical results (both schedules)", () => {
  const saved = torch.getNumThreads();
  try {
    torch.manualSeed(23);
    // 128 @28 batch 1: 13 tile panels, the fused schedule with 1 thread and the xi-major one with 2
    const cases: Case[] = [RESNET[1]!, RESNET[3]!, ODD[1]!, ODD[2]!, { name: "64 -> 64 @56 batch 3", N: 3, C: 64, H: 56, W: 56, OC: 64, p: [1, 1] }];
    for (const c of cases) {
      const { x, w, b } = inputs(c);
      torch.setNumThreads(1);
      const y1 = vals(torch.noGrad(() => F.conv2d(x, w, b, { padding: c.p })));
      torch.setNumThreads(2);
      const y2 = vals(torch.noGrad(() => F.conv2d(x, w, b, { padding: c.p })));
      assert.deepEqual(y1, y2, c.name);
    }
  } finally {
    torch.setNumThreads(saved);
  }
});

test("packed Winograd F(2x2): cached weights follow in-place changes and other tensors", () => {
  torch.manualSeed(24);
  const c: Case = { name: "cache", N: 1, C: 32, H: 14, W: 14, OC: 40, p: [1, 1] };
  const { x, w, b } = inputs(c);
  const near = (what: string, wt: T): void => {
    const y = vals(torch.noGrad(() => F.conv2d(x, wt, b, { padding: 1 })));
    const ref = reference(c, Float64Array.from(vals(x)), Float64Array.from(vals(wt)), vals(b!));
    for (let i = 0; i < y.length; i++)
      assert.ok(Math.abs(y[i]! - ref.out[i]!) <= 2e-6 * ref.abs[i]! + 1e-30, `${what}: [${i}] ${y[i]} != ${ref.out[i]}`);
  };
  near("first call", w);
  near("again", w);
  torch.noGrad(() => { w.view(-1).narrow(0, c.OC * c.C * 9 - 1, 1).fill_(3); });  // the last element
  near("after changing the last element", w);
  const w2 = torch.randn(c.OC, c.C, 3, 3);
  near("another tensor", w2);
  near("the first tensor again", w);
});

test("packed Winograd F(2x2): 7x7 at batch 1 with weights changed before every call (a training loop), then fixed", () => {
  torch.manualSeed(25);
  const c: Case = { name: "volatile", N: 1, C: 24, H: 7, W: 7, OC: 20, p: [1, 1] };
  const { x, w, b } = inputs(c);
  const near = (what: string): void => {
    const y = vals(torch.noGrad(() => F.conv2d(x, w, b, { padding: 1 })));
    const ref = reference(c, Float64Array.from(vals(x)), Float64Array.from(vals(w)), vals(b!));
    for (let i = 0; i < y.length; i++)
      assert.ok(Math.abs(y[i]! - ref.out[i]!) <= 2e-6 * ref.abs[i]! + 1e-30, `${what}: [${i}] ${y[i]} != ${ref.out[i]}`);
  };
  for (let step = 0; step < 12; step++) {
    near(`changing, call ${step}`);
    torch.noGrad(() => { w.add_(torch.randn(c.OC, c.C, 3, 3).mul(0.01)); });
  }
  for (let step = 0; step < 12; step++) near(`fixed, call ${step}`);
});
