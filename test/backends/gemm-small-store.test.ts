// SPDX-License-Identifier: BSD-3-Clause
// The unpacked small-product kernel's full 6x16 tiles (gemm_small.h fullTiles6x16; C stored straight
// from the registers when alpha is 1 and beta 0): against float64 sums for odd sizes, strided and
// offset operands, alpha / beta, several k-blocks; the same bits with 1 and 2 threads
// and as the packed kernel computes the same rows.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/tensor/tensor.js";

/** max |C - ref| / (1 + max |ref|), with ref = beta*C0 + alpha*A@B in float64. */
function relErr(C: Tensor, A: Tensor, B: Tensor, alpha = 1, beta = 0, C0?: Tensor): number {
  let ref = torch.matmul(A.double(), B.double()).mul(alpha);
  if (C0 !== undefined && beta !== 0) ref = ref.add(C0.double().mul(beta));
  const d = C.double().sub(ref).abs().max().item() as number;
  return d / (1 + (ref.abs().max().item() as number));
}

test("small bmm / mm with full 6x16 tiles: float64 reference, 1 and 2 threads give the same bits", () => {
  torch.manualSeed(7);
  const before = torch.getNumThreads();
  const shapes: [number, number, number, number][] = [[32, 64, 64, 64], [256, 16, 16, 16], [3, 13, 33, 7], [5, 6, 16, 1], [2, 61, 47, 300], [4, 12, 80, 17], [1, 7, 17, 9]];
  for (const [bs, M, N, K] of shapes) {
    const A = torch.randn(bs, M, K), B = torch.randn(bs, K, N);
    const res = [1, 2].map((t) => { torch.setNumThreads(t); return torch.bmm(A, B); });
    torch.setNumThreads(before);
    assert.ok(relErr(res[0]!, A, B) < 2e-6, `bmm ${bs}x${M}x${N}x${K}`);
    assert.ok(torch.equal(res[0]!, res[1]!), `bmm ${bs}x${M}x${N}x${K}: 2 threads`);
    for (let b = 0; b < bs; b += Math.max(1, bs >> 2))
      assert.ok(torch.equal(res[0]!.select(0, b), torch.mm(A.select(0, b), B.select(0, b))), `bmm ${bs}x${M}x${N}x${K}: batch ${b} as mm`);
  }
});

test("strided and offset operands, alpha and beta (baddbmm, addmm)", () => {
  torch.manualSeed(8);
  const bigA = torch.randn(3, 40, 90), bigB = torch.randn(3, 90, 70);
  const A = bigA.narrow(1, 3, 25).narrow(2, 5, 70), B = bigB.narrow(1, 10, 70).narrow(2, 2, 50);  // row strides 90 / 70, offsets
  const C0 = torch.randn(3, 25, 50);
  for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, 0], [2, -1.5], [1, 0.25]] as const) {
    const C = torch.baddbmm(C0, A, B, { alpha, beta });
    assert.ok(relErr(C, A, B, alpha, beta, C0) < 4e-6, `baddbmm alpha ${alpha} beta ${beta}`);
  }
  const m0 = torch.randn(25, 50);
  const a0 = A.select(0, 0), b0 = B.select(0, 0);
  assert.ok(relErr(torch.addmm(m0, a0, b0, { alpha: 1, beta: 1 }), a0, b0, 1, 1, m0) < 4e-6, "addmm beta 1");
});

test("NaN, infinities and -0 pass through the direct stores as through alpha * sum", () => {
  const A = torch.zeros(2, 12, 8), B = torch.zeros(2, 8, 32);
  A.narrow(1, 3, 1).fill_(NaN);
  B.narrow(2, 20, 1).fill_(Infinity);
  const C = torch.bmm(A, B), ref = torch.bmm(A.double(), B.double()).float();
  assert.ok(torch.equal(C.isnan(), ref.isnan()), "NaN positions");
  const neg = torch.bmm(torch.full([1, 6, 1], -1, { dtype: "float32" }), torch.zeros(1, 1, 16));  // -1 * 0 = -0 summed onto +0: +0
  assert.ok(neg.eq(0).all().item() as boolean);
});
