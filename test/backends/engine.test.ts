// SPDX-License-Identifier: BSD-3-Clause
// The native engine itself: threads, numerically careful reductions, parallel = serial.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";

test("torch.ones(10_000_000).sum() is exactly 1e7 (float32 sums accumulate carefully)", () => {
  assert.equal(torch.ones(10_000_000).sum().item(), 1e7);
  assert.equal(torch.ones(10_000_000).mean().item(), 1);
});

test("setNumThreads/getNumThreads round-trip and results do not depend on the thread count", () => {
  const before = torch.getNumThreads();
  const x = torch.arange(3_000_000, { dtype: torch.float64 }).reshape(1000, 3000);
  const run = () => [x.div(3e6).exp().neg().sum().item(), x.t().contiguous().sum(0).sum().item(), x.std().item()] as number[];
  torch.setNumThreads(1);
  assert.equal(torch.getNumThreads(), 1);
  const serial = run();
  torch.setNumThreads(2);
  const parallel = run();
  torch.setNumThreads(before);
  for (let i = 0; i < serial.length; i++) assert.ok(Math.abs(serial[i]! - parallel[i]!) <= 1e-9 * Math.abs(serial[i]!));
  assert.throws(() => torch.setNumThreads(0), RangeError);
});

test("large strided elementwise ops (parallel path) match a contiguous computation", () => {
  const a = torch.arange(600 * 700, { dtype: torch.float32 }).reshape(600, 700);
  const viaView = a.t().mul(2).add(1);                      // (700, 600), strided input
  const viaCopy = a.t().contiguous().mul(2).add(1);
  assert.ok(torch.equal(viaView, viaCopy));
  assert.equal(viaView.sum().item(), viaCopy.sum().item());
});

test("matmul agrees with a float64 reference for every transpose combination", () => {
  const m = 67, k = 131, n = 45;
  const a = torch.arange(m * k, { dtype: torch.float64 }).remainder(7).sub(3).reshape(m, k);
  const b = torch.arange(k * n, { dtype: torch.float64 }).remainder(5).sub(2).reshape(k, n);
  const ref = a.mm(b);
  for (const [x, y] of [[a, b], [a.t().contiguous().t(), b], [a, b.t().contiguous().t()], [a.t().contiguous().t(), b.t().contiguous().t()]]) {
    assert.ok(torch.equal(x!.mm(y!), ref));                 // small integers: exact in any summation order
    assert.ok(torch.equal(x!.float().mm(y!.float()), ref.float()));
  }
  const big = torch.ones(300, 257).mm(torch.ones(257, 301));
  assert.deepEqual(big.shape, [300, 301]);
  assert.equal(big.amin().item(), 257);
  assert.equal(big.amax().item(), 257);
});

test("the native addon reports its CPU features", async () => {
  const { native } = await import("../../src/backends/cpu/native.js");
  const f = native.cpuFeatures();
  assert.equal(typeof f, "object");
});
