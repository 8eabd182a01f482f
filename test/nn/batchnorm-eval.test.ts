// SPDX-License-Identifier: BSD-3-Clause
// Evaluation-mode batch norm in float32 (native/cpu/norm.cc: per-channel scale and shift rounded to
// float once, then one float multiply-add pass, as PyTorch's CPU kernel) against float64 math:
// plane sizes that are not a multiple of the vector width, batches of 1 and 3, BatchNorm1d/2d/3d,
// with and without affine parameters, a non-contiguous input, and 1 vs 2 threads giving identical
// bits. Tolerance: a few float32 roundings of the terms, 1e-6 * (|x * scale| + |shift|) per element.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { flatValues } from "../helpers.js";

type T = torch.Tensor;
const vals = (t: T): number[] => flatValues(t) as number[];

function randomised(bn: nn.BatchNorm1d | nn.BatchNorm2d | nn.BatchNorm3d): void {
  torch.noGrad(() => {
    bn.running_mean!.normal_(0, 2);
    bn.running_var!.uniform_(0.05, 3);
    if (bn.weight) bn.weight.normal_();
    if (bn.bias) bn.bias.normal_();
  });
  bn.eval();
}

function check(name: string, bn: nn.BatchNorm1d | nn.BatchNorm2d | nn.BatchNorm3d, x: T): void {
  const y = torch.noGrad(() => bn.forward(x));
  assert.deepEqual(y.shape, x.shape, name);
  const C = x.shape[1]!, L = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const xs = vals(x.contiguous()), ys = vals(y);
  const rm = vals(bn.running_mean!), rv = vals(bn.running_var!);
  const w = bn.weight ? vals(bn.weight) : null, b = bn.bias ? vals(bn.bias) : null;
  const bad: string[] = [];
  for (let i = 0; i < xs.length && bad.length < 5; i++) {
    const c = Math.floor(i / L) % C;
    const scale = (1 / Math.sqrt(rv[c]! + bn.eps)) * (w ? w[c]! : 1), shift = (b ? b[c]! : 0) - rm[c]! * scale;
    const ref = xs[i]! * scale + shift;
    if (!(Math.abs(ys[i]! - ref) <= 1e-6 * (Math.abs(xs[i]! * scale) + Math.abs(shift)) + 1e-30)) bad.push(`[${i}] ${ys[i]} != ${ref}`);
  }
  assert.equal(bad.length, 0, `${name}: ${bad.join(", ")}`);
}

test("eval batch norm float32 against float64 math", () => {
  torch.manualSeed(4);
  const cases: [string, nn.BatchNorm1d | nn.BatchNorm2d | nn.BatchNorm3d, number[]][] = [
    ["2d 7x7 planes (49, not a multiple of 8)", new nn.BatchNorm2d(13), [1, 13, 7, 7]],
    ["2d batch 3, 3x5 planes", new nn.BatchNorm2d(6), [3, 6, 3, 5]],
    ["2d 1x1 planes", new nn.BatchNorm2d(9), [4, 9, 1, 1]],
    ["2d 20x21, no affine", new nn.BatchNorm2d(5, { affine: false }), [2, 5, 20, 21]],
    ["1d (N, C)", new nn.BatchNorm1d(17), [5, 17]],
    ["1d (N, C, L)", new nn.BatchNorm1d(4), [3, 4, 33]],
    ["3d", new nn.BatchNorm3d(3), [2, 3, 3, 4, 5]],
  ];
  for (const [name, bn, shape] of cases) {
    randomised(bn);
    check(name, bn, torch.randn(...shape).mul(3));
  }
  // a non-contiguous (channels-last) input
  const bn = new nn.BatchNorm2d(8);
  randomised(bn);
  check("channels-last input", bn, torch.randn(2, 11, 9, 8).permute(0, 3, 1, 2));
});

test("eval batch norm float32: 1 and 2 threads give identical results", () => {
  const saved = torch.getNumThreads();
  try {
    torch.manualSeed(9);
    const bn = new nn.BatchNorm2d(64);
    randomised(bn);
    const x = torch.randn(2, 64, 29, 31);
    torch.setNumThreads(1);
    const y1 = vals(torch.noGrad(() => bn.forward(x)));
    torch.setNumThreads(2);
    const y2 = vals(torch.noGrad(() => bn.forward(x)));
    assert.deepEqual(y1, y2);
  } finally {
    torch.setNumThreads(saved);
  }
});
