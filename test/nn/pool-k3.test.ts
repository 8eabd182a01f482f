// SPDX-License-Identifier: BSD-3-Clause
// max_pool2d 3x3 / stride 2 on float32 (native/cpu/pool_k3.h, the separable AVX2 path of ResNet's
// stem pool) against the general loop, which float64 inputs take: values (bit for bit, -0 and NaN
// included) and indices, with ties, NaN and -inf in the windows, padding 0 and 1, ceil mode, odd
// sizes (the vector blocks, the overlapping last block and the scalar columns), non-contiguous
// inputs, values only and with indices, 1 and 2 threads.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { flatValues } from "../helpers.js";

const F = nn.functional;
type T = torch.Tensor;

/** Small integers (many ties), some -0 beside +0, and a few NaN and -inf. */
function input(shape: number[], seed: number, negInf = 0.01): T {
  torch.manualSeed(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const r = flatValues(torch.rand([n])) as number[];
  const v = r.map((u, i) => {
    if (u < 0.01) return NaN;
    if (u < 0.01 + negInf) return -Infinity;
    if (u < 0.05 + negInf) return i % 2 ? -0 : 0;
    return Math.round(u * 6) - 3;
  });
  return torch.tensor(v, { dtype: "float32" }).reshape(shape);
}

const same = (a: number[], b: number[], what: string): void => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: [${i}] ${a[i]} != ${b[i]}`);
};

const cases: [number[], number, boolean][] = [
  // [shape, padding, ceilMode]
  [[1, 4, 112, 112], 1, false], [[2, 3, 17, 23], 1, false], [[1, 2, 9, 8], 1, true], [[3, 1, 5, 5], 0, false],
  [[1, 2, 18, 18], 1, false], [[1, 2, 19, 34], 0, true], [[1, 2, 33, 35], 1, true], [[2, 2, 3, 40], 1, false],
  [[1, 1, 1, 1], 1, false], [[1, 3, 3, 17], 0, false], [[1, 3, 2, 17], 1, false], [[4, 57, 41], 1, false],
];

test("maxPool2d 3x3/2 float32 matches the general loop (values, -0, NaN, indices)", () => {
  for (const [shape, p, ceilMode] of cases) {
    for (const [nonContig, negInf] of [[false, 0.01], [true, 0.01], [false, 0.85]] as const) {
      // mostly -inf: whole windows of -inf, whose index is the window's first element
      const x0 = input(shape, shape.reduce((a, b) => a * 31 + b, p), negInf);
      const x = nonContig && shape.length === 4 ? x0.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x0;
      const name = `${shape.join("x")} p${p}${ceilMode ? " ceil" : ""}${nonContig ? " channels-last" : ""}${negInf > 0.5 ? " mostly -inf" : ""}`;
      const opts = { stride: 2, padding: p, ceilMode };
      const ref = F.maxPool2d(x0.double(), 3, { ...opts, returnIndices: true }) as unknown as [T, T];
      const vals = torch.noGrad(() => F.maxPool2d(x, 3, opts));
      const [v2, ind] = F.maxPool2d(x, 3, { ...opts, returnIndices: true }) as unknown as [T, T];
      assert.deepEqual(vals.shape, ref[0].shape, name);
      const want = flatValues(ref[0]) as number[];
      same(flatValues(vals) as number[], want, `${name} values only`);
      same(flatValues(v2) as number[], want, `${name} values with indices`);
      assert.deepEqual(flatValues(ind), flatValues(ref[1]), `${name} indices`);
    }
  }
});

test("maxPool2d 3x3/2 float32: 1 and 2 threads agree, and the gradient goes to the argmax", () => {
  const saved = torch.getNumThreads();
  try {
    const x = input([2, 8, 30, 47], 7);
    torch.setNumThreads(1);
    const [a, ia] = F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true }) as unknown as [T, T];
    torch.setNumThreads(2);
    const [b, ib] = F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true }) as unknown as [T, T];
    same(flatValues(a) as number[], flatValues(b) as number[], "values");
    assert.deepEqual(flatValues(ia), flatValues(ib), "indices");
  } finally {
    torch.setNumThreads(saved);
  }
  const xf = torch.randn([1, 2, 11, 13]).requiresGrad_();
  const y = F.maxPool2d(xf, 3, { stride: 2, padding: 1 });
  y.sum().backward();
  const xd = xf.detach().double().requiresGrad_();
  F.maxPool2d(xd, 3, { stride: 2, padding: 1 }).sum().backward();
  assert.deepEqual(flatValues(xf.grad!), (flatValues(xd.grad!) as number[]).map((v) => Math.fround(v)));
});
