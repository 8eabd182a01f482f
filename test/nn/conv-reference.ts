// SPDX-License-Identifier: BSD-3-Clause
// The float64 reference of a 2-d convolution, shared by test/nn/conv-big.test.ts and
// conv-strided.test.ts: every output and the sum of |x * w| over its terms (the error scale), and
// the check of F.conv2d against it.
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { flatValues } from "../helpers.js";

type T = torch.Tensor;
const vals = (t: T): number[] => flatValues(t) as number[];

/** The geometry of one case; k, s and d default to 3x3, 1 and 1. */
export interface ConvCase {
  N: number; C: number; H: number; W: number; OC: number; p: [number, number];
  k?: [number, number]; s?: [number, number]; d?: [number, number];
}

/** A named case; nonContig runs it on a channels-last copy of the input. */
export interface ConvCheckCase extends ConvCase { name: string; nonContig?: boolean }

export function conv2dReference(c: ConvCase, x: number[], w: number[], b: number[] | null) {
  const [PH, PW] = c.p, [KH, KW] = c.k ?? [3, 3], [SH, SW] = c.s ?? [1, 1], [DH, DW] = c.d ?? [1, 1];
  const OH = Math.floor((c.H + 2 * PH - DH * (KH - 1) - 1) / SH) + 1, OW = Math.floor((c.W + 2 * PW - DW * (KW - 1) - 1) / SW) + 1;
  const out = new Float64Array(c.N * c.OC * OH * OW), abs = new Float64Array(out.length);
  for (let n = 0; n < c.N; n++)
    for (let o = 0; o < c.OC; o++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let acc = b ? b[o]! : 0, s = b ? Math.abs(b[o]!) : 0;
          for (let ci = 0; ci < c.C; ci++)
            for (let ki = 0; ki < KH; ki++) {
              const ih = oh * SH - PH + ki * DH;
              if (ih < 0 || ih >= c.H) continue;
              for (let kj = 0; kj < KW; kj++) {
                const iw = ow * SW - PW + kj * DW;
                if (iw < 0 || iw >= c.W) continue;
                const t = x[((n * c.C + ci) * c.H + ih) * c.W + iw]! * w[((o * c.C + ci) * KH + ki) * KW + kj]!;
                acc += t; s += Math.abs(t);
              }
            }
          const i = ((n * c.OC + o) * OH + oh) * OW + ow;
          out[i] = acc; abs[i] = s;
        }
  return { shape: [c.N, c.OC, OH, OW], out, abs };
}

/**
 * F.conv2d(x0, w, b) (on a channels-last copy of x0 where c.nonContig) against the float64
 * reference: every output within 2e-6 of the sum of |x * w| over its terms. Returns the output.
 */
export function checkConv2d(c: ConvCheckCase, x0: T, w: T, b: T | null): T {
  const x = c.nonContig ? x0.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x0;
  const y = torch.noGrad(() => nn.functional.conv2d(x, w, b, { padding: c.p, stride: c.s ?? [1, 1], dilation: c.d ?? [1, 1] }));
  const ref = conv2dReference(c, vals(x0), vals(w), b ? vals(b) : null);
  assert.deepEqual(y.shape, ref.shape, `${c.name}: shape`);
  const a = vals(y), bad: string[] = [];
  for (let i = 0; i < a.length && bad.length < 5; i++)
    if (!(Math.abs(a[i]! - ref.out[i]!) <= 2e-6 * ref.abs[i]! + 1e-30)) bad.push(`[${i}] ${a[i]} != ${ref.out[i]}`);
  assert.equal(bad.length, 0, `${c.name}: ${bad.join(", ")}`);
  return y;
}
