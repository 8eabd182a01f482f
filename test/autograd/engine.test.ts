// SPDX-License-Identifier: BSD-3-Clause
// Engine properties: deep graphs, anomaly detection, checkpointing, in-place rebasing, views.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";

const f64 = { dtype: torch.float64 } as const;

test("a chain of 100,000 ops backpropagates without recursion", () => {
  const x = torch.tensor([1], { ...f64, requiresGrad: true });
  let y = x;
  for (let i = 0; i < 100_000; i++) y = y.mul(1.000001);
  y.sum().backward();
  assert.ok(Math.abs((x.grad!.item() as number) - 1.000001 ** 100_000) < 1e-9);
});

test("integer and bool tensors cannot require grad (PyTorch's message)", () => {
  assert.throws(() => torch.tensor([1, 2]).requiresGrad_(), { message: "only Tensors of floating point and complex dtype can require gradients" });
  assert.throws(() => torch.ones(2, { dtype: torch.bool, requiresGrad: true }), /only Tensors of floating point and complex dtype/);
});

test("in-place on a non-leaf rebases the graph: x = a + 1; x.mul_(2) differentiates right", () => {
  const a = torch.tensor([1, 2], { ...f64, requiresGrad: true });
  const x = a.add(1);
  x.mul_(2).exp_();
  x.sum().backward();
  // d/da exp(2(a+1)) = 2 exp(2(a+1))
  assert.ok(torch.allclose(a.grad!, a.detach().add(1).mul(2).exp().mul(2)));
});

test("gradients flow through views, and through in-place writes into a view of a non-leaf", () => {
  const a = torch.arange(6, { dtype: torch.float64 }).reshape(2, 3).requiresGrad_();
  a.t().index(1).sum().backward();                       // a[:, 1] of a.t() row 1 -> column 1 of a
  assert.deepEqual(a.grad!.tolist(), [[0, 1, 0], [0, 1, 0]]);
  const b = torch.ones(2, 3, { ...f64, requiresGrad: true });
  const y = b.mul(1);
  y.index(":", 0).mul_(5);                              // x[:, 0] *= 5 on a non-leaf
  y.sum().backward();
  assert.deepEqual(b.grad!.tolist(), [[5, 1, 1], [5, 1, 1]]);
});

test("anomaly mode names the backward that produced NaN", () => {
  const x = torch.tensor([0], { ...f64, requiresGrad: true });
  const y = x.sqrt().mul(0);                             // d sqrt at 0 = inf; inf * 0 = NaN in SqrtBackward0
  assert.throws(() => torch.autograd.detectAnomaly(() => y.sum().backward()), /Function 'SqrtBackward0' returned nan values in its 0th output/);
  assert.equal(torch.autograd.isAnomalyEnabled(), false);
});

test("checkpoint recomputes in backward and gives the same gradients", () => {
  const w = torch.randn(4, 4, { ...f64, requiresGrad: true });
  const x = torch.randn(3, 4, f64);
  const f = (a: torch.Tensor, b: torch.Tensor) => a.matmul(b).tanh().matmul(b).sum(1);
  f(x, w).sum().backward();
  const direct = w.grad!.clone();
  w.grad = null;
  const y = torch.utils.checkpoint.checkpoint(f, x, w);
  assert.equal(y.gradFn?.name(), "CheckpointFunctionBackward");
  y.sum().backward();
  assert.ok(torch.allclose(w.grad!, direct));
});
