// SPDX-License-Identifier: BSD-3-Clause
// The col + two-pass col2im input gradient of native/cpu/conv_direct.h (narrow planes: LeNet's
// conv2) against a float64 loop: odd sizes, padding, dilation, groups, 1 and 2 threads (bit for bit),
// and a non-finite weight, whose NaN/Inf must reach only the input positions it touches.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const F = nn.functional;

interface Geo { N: number; C: number; H: number; W: number; OC: number; KH: number; KW: number; PH: number; PW: number; DH: number; DW: number; G: number }

/** gx[n, c, ih, iw] = sum of w[o, c, ki, kj] * gy[n, o, oh, ow] over ih = oh - PH + ki*DH, iw = ow - PW + kj*DW; also the sums of |terms|. */
function inputGradRef(g: Geo, gy: Float32Array, w: Float32Array, OH: number, OW: number): { v: Float64Array; abs: Float64Array } {
  const Cg = g.C / g.G, OCg = g.OC / g.G, v = new Float64Array(g.N * g.C * g.H * g.W), abs = new Float64Array(v.length);
  for (let n = 0; n < g.N; n++)
    for (let o = 0; o < g.OC; o++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const gv = gy[((n * g.OC + o) * OH + oh) * OW + ow]!, grp = Math.floor(o / OCg);
          for (let cl = 0; cl < Cg; cl++)
            for (let ki = 0; ki < g.KH; ki++)
              for (let kj = 0; kj < g.KW; kj++) {
                const ih = oh - g.PH + ki * g.DH, iw = ow - g.PW + kj * g.DW;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                const c = grp * Cg + cl, t = w[((o * Cg + cl) * g.KH + ki) * g.KW + kj]! * gv, at = ((n * g.C + c) * g.H + ih) * g.W + iw;
                v[at] = v[at]! + t;
                abs[at] = abs[at]! + Math.abs(t);
              }
        }
  return { v, abs };
}

function run(g: Geo, threads: number, poison?: number): { gx: Float32Array; gy: Float32Array; w: Float32Array; OH: number; OW: number } {
  torch.setNumThreads(threads);
  torch.manualSeed(g.C * 100 + g.H * 10 + g.W + g.KH);
  const x = torch.randn([g.N, g.C, g.H, g.W]).requiresGrad_(), w = torch.randn([g.OC, g.C / g.G, g.KH, g.KW]);
  if (poison !== undefined) (w._storage.data as Float32Array)[0] = poison;
  const y = F.conv2d(x, w, null, { padding: [g.PH, g.PW], dilation: [g.DH, g.DW], groups: g.G });
  const gy = torch.randn(y.shape);
  y.backward(gy);
  return { gx: Float32Array.from(x.grad!.reshape([-1]).tolist() as number[]), gy: gy._storage.data as Float32Array,
    w: w._storage.data as Float32Array, OH: y.shape[2]!, OW: y.shape[3]! };
}

const CASES: Geo[] = [
  { N: 3, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5, PH: 0, PW: 0, DH: 1, DW: 1, G: 1 },  // LeNet conv2
  { N: 5, C: 7, H: 11, W: 13, OC: 9, KH: 5, KW: 3, PH: 2, PW: 0, DH: 1, DW: 2, G: 1 },
  { N: 2, C: 4, H: 9, W: 10, OC: 6, KH: 3, KW: 5, PH: 1, PW: 1, DH: 2, DW: 1, G: 2 },
  { N: 2, C: 3, H: 5, W: 19, OC: 5, KH: 5, KW: 7, PH: 3, PW: 2, DH: 1, DW: 1, G: 1 },
  { N: 1, C: 2, H: 17, W: 9, OC: 33, KH: 7, KW: 5, PH: 0, PW: 1, DH: 1, DW: 1, G: 1 },
];

test("col + two-pass col2im input gradient against a float64 loop; 1 and 2 threads bit for bit", () => {
  const saved = torch.getNumThreads();
  try {
    for (const g of CASES) {
      const a = run(g, 1), b = run(g, 2);
      assert.deepEqual(Array.from(a.gx), Array.from(b.gx), `threads ${JSON.stringify(g)}`);
      const ref = inputGradRef(g, a.gy, a.w, a.OH, a.OW);
      for (let i = 0; i < a.gx.length; i++)
        assert.ok(Math.abs(a.gx[i]! - ref.v[i]!) <= 2e-6 * ref.abs[i]! + 1e-30, `${JSON.stringify(g)} [${i}] ${a.gx[i]} vs ${ref.v[i]}`);
    }
  } finally {
    torch.setNumThreads(saved);
  }
});

test("a non-finite weight reaches only the input positions it touches", () => {
  const saved = torch.getNumThreads();
  try {
    for (const poison of [NaN, Infinity])
      for (const g of [CASES[0]!, CASES[1]!]) {
        const a = run(g, 1, poison), ref = inputGradRef(g, a.gy, a.w, a.OH, a.OW);
        for (let i = 0; i < a.gx.length; i++) {
          const want = ref.v[i]!;
          if (Number.isFinite(want)) assert.ok(Math.abs(a.gx[i]! - want) <= 2e-6 * ref.abs[i]! + 1e-30, `${poison} [${i}] ${a.gx[i]} vs ${want}`);
          else assert.ok(!Number.isFinite(a.gx[i]!), `${poison} [${i}]: ${a.gx[i]} should not be finite`);
        }
      }
  } finally {
    torch.setNumThreads(saved);
  }
});
