// SPDX-License-Identifier: BSD-3-Clause
// F.linear's 2-D float fast path (src/nn/functional/activation.ts) computes bit for bit what the
// general ops compute (addmm(bias, x, w.t()) / mm(x, w.t()) and their backward), with the same
// graph, for odd sizes, strided and column-major operands, both float dtypes, 1 and 2 threads.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import type { Tensor } from "../../src/index.js";
import { sameTensorBits } from "../helpers.js";

const F = nn.functional;

type Layout = "contiguous" | "columnMajor" | "strided";
/** A (r, c) matrix with the given memory layout, as a leaf. */
function matrix(r: number, c: number, dtype: torch.DType, layout: Layout): Tensor {
  const base = layout === "columnMajor" ? torch.randn([c, r], { dtype }).t()
    : layout === "strided" ? torch.randn([Math.max(r, 1), 2 * c + 1], { dtype }).asStrided([r, c], [2 * c + 1, 2], 1)
    : torch.randn([r, c], { dtype });
  return base.detach();
}

/** The reference: the general ops the fast path stands for. */
function reference(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  return b !== null ? torch.addmm(b, x, w.t()) : torch.mm(x, w.t());
}

for (const threads of [1, 2])
  test(`F.linear fast path equals addmm / mm and their gradients bit for bit (${threads} thread${threads > 1 ? "s" : ""})`, () => {
    const saved = torch.getNumThreads();
    torch.setNumThreads(threads);
    try {
      torch.manualSeed(threads);
      const sizes: [number, number, number][] = [[1, 1, 1], [3, 7, 5], [70, 300, 130], [65, 33, 10], [4, 400, 120], [0, 5, 3], [2, 0, 3]];
      for (const dtype of ["float32", "float64"] as const)
        for (const [N, I, O] of sizes)
          for (const xl of ["contiguous", "columnMajor", "strided"] as Layout[])
            for (const wl of ["contiguous", "columnMajor"] as Layout[])
              for (const withBias of [true, false]) {
                const what = `${dtype} N=${N} in=${I} out=${O} x ${xl} w ${wl}${withBias ? "" : " no bias"}`;
                const x0 = matrix(N, I, dtype, xl), w0 = matrix(O, I, dtype, wl);
                const b0 = withBias ? torch.randn([O], { dtype }) : null;
                // forward without grad
                sameTensorBits(torch.noGrad(() => F.linear(x0, w0, b0)), torch.noGrad(() => reference(x0, w0, b0)), `${what}: forward`);
                // with grad: the same graph and gradients
                const leaves = () => [x0.clone().requiresGrad_(), w0.clone().requiresGrad_(), b0 === null ? null : b0.clone().requiresGrad_()] as const;
                const [x1, w1, b1] = leaves(), [x2, w2, b2] = leaves();
                const y1 = F.linear(x1, w1, b1), y2 = reference(x2, w2, b2);
                sameTensorBits(y1, y2, `${what}: forward with grad`);
                assert.equal(y1.gradFn?.name(), y2.gradFn?.name(), what);
                assert.deepEqual(y1.gradFn?.nextFunctions.map(([n]) => n?.name() ?? null), y2.gradFn?.nextFunctions.map(([n]) => n?.name() ?? null), what);
                const g = torch.randn([N, O], { dtype });
                y1.backward(g);
                y2.backward(g);
                sameTensorBits(x1.grad, x2.grad, `${what}: input grad`);
                sameTensorBits(w1.grad, w2.grad, `${what}: weight grad`);
                assert.deepEqual(x1.grad!.stride(), x2.grad!.stride(), `${what}: input grad layout`);
                if (b1 !== null) sameTensorBits(b1.grad, b2!.grad, `${what}: bias grad`);
              }
    } finally {
      torch.setNumThreads(saved);
    }
  });

test("F.linear fast path: gradients only where needed, a non-contiguous gradient, double backward", () => {
  torch.manualSeed(3);
  const f64 = { dtype: torch.float64 } as const;
  for (const [needX, needW, needB] of [[true, false, false], [false, true, false], [false, false, true], [true, true, true]]) {
    const x = torch.randn([4, 6], f64).requiresGrad_(needX), w = torch.randn([3, 6], f64).requiresGrad_(needW);
    const b = torch.randn([3], f64).requiresGrad_(needB);
    const gT = torch.randn([3, 4], f64).t();  // a column-major incoming gradient
    F.linear(x, w, b).backward(gT);
    const xr = x.detach().requiresGrad_(needX), wr = w.detach().requiresGrad_(needW), br = b.detach().requiresGrad_(needB);
    torch.addmm(br, xr, wr.t()).backward(gT);
    for (const [got, want, need] of [[x.grad, xr.grad, needX], [w.grad, wr.grad, needW], [b.grad, br.grad, needB]] as const)
      if (need) sameTensorBits(got, want, "grad"); else assert.equal(got, null);
  }
  // gradcheck and gradgradcheck go through the differentiable backward
  const x = torch.randn([3, 4], f64).requiresGrad_(), w = torch.randn([2, 4], f64).requiresGrad_(), b = torch.randn([2], f64).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((u: Tensor, v: Tensor, c: Tensor) => F.linear(u, v, c), [x, w, b]));
  assert.ok(torch.autograd.gradgradcheck((u: Tensor, v: Tensor, c: Tensor) => F.linear(u, v, c).pow(2), [x, w, b]));
  assert.ok(torch.autograd.gradgradcheck((u: Tensor, v: Tensor) => F.linear(u, v).pow(2), [x, w]));
  // mixed dtypes and 3-D inputs take the general path (with its errors)
  assert.throws(() => F.linear(torch.randn(2, 3), torch.randn([4, 3], f64)));
  assert.deepEqual(F.linear(torch.randn(2, 5, 3), torch.randn(4, 3), torch.randn(4)).shape, [2, 5, 4]);
  assert.throws(() => F.linear(torch.randn(2, 3), torch.randn(4, 2)), /cannot be multiplied/);
});
