// SPDX-License-Identifier: BSD-3-Clause
// torch.autograd.functional against closed forms (values PyTorch 1.13 gives for the same calls).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";

const F = torch.autograd.functional;
const f64 = { dtype: torch.float64 } as const;

test("jacobian of x^2 is diag(2x); of a two-input function, one block per input", () => {
  const x = torch.tensor([1, 2, 3], f64);
  assert.deepEqual((F.jacobian((t) => t.pow(2), x) as torch.Tensor).tolist(), [[2, 0, 0], [0, 4, 0], [0, 0, 6]]);
  const [ja, jb] = F.jacobian((a, b) => a!.mul(b!), [x, torch.tensor([4, 5, 6], f64)]) as torch.Tensor[];
  assert.deepEqual(ja!.tolist(), [[4, 0, 0], [0, 5, 0], [0, 0, 6]]);
  assert.deepEqual(jb!.tolist(), [[1, 0, 0], [0, 2, 0], [0, 0, 3]]);
  assert.deepEqual((F.jacobian((t) => t.sum(), x) as torch.Tensor).shape, [3]);   // out [] x in [3]
});

test("hessian, vjp, jvp, hvp of sum(x^3)", () => {
  const x = torch.tensor([1, 2, 3], f64), v = torch.tensor([1, 0, -1], f64);
  assert.deepEqual((F.hessian((t) => t.pow(3).sum(), x) as torch.Tensor).tolist(), [[6, 0, 0], [0, 12, 0], [0, 0, 18]]);
  const [out, g] = F.vjp((t) => t.pow(3).sum(), x);
  assert.equal((out as torch.Tensor).item(), 36);
  assert.deepEqual((g as torch.Tensor).tolist(), [3, 12, 27]);
  const [, jv] = F.jvp((t) => t.pow(2), x, v);
  assert.deepEqual((jv as torch.Tensor).tolist(), [2, 0, -6]);
  const [, hv] = F.hvp((t) => t.pow(3).sum(), x, v);
  assert.deepEqual((hv as torch.Tensor).tolist(), [6, 0, -18]);
  assert.equal(x.requiresGrad, false);   // the caller's tensors are not touched
});

test("strict mode refuses outputs independent of an input", () => {
  const x = torch.tensor([1, 2], f64);
  assert.throws(() => F.jacobian((t) => t.detach().mul(2), x, { strict: true }), /independent of input 0/);
  assert.deepEqual((F.jacobian((t) => t.detach().mul(2), x) as torch.Tensor).tolist(), [[0, 0], [0, 0]]);
});
