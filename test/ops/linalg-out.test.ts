// SPDX-License-Identifier: BSD-3-Clause
// mm / bmm / matmul with out=: written in place (strided views too), resized, checked as PyTorch 1.13
// checks them (messages as torch 1.13 prints them).
import { test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";

const close = (a: torch.Tensor, b: torch.Tensor) => assert.ok(torch.allclose(a, b, { atol: 1e-5 }), `${a} vs ${b}`);

test("mm writes into a transposed out, and into a resized one", () => {
  torch.manualSeed(0);
  const a = torch.randn(2, 3), b = torch.randn(3, 4);
  const o = torch.empty(4, 2).t();
  const v = o._version;
  assert.equal(torch.mm(a, b, { out: o }), o);
  assert.deepEqual(o.stride(), [1, 2]);
  assert.ok(o._version > v);
  close(o, torch.mm(a, b));
  const r = torch.empty(5);
  torch.mm(a, b, { out: r });
  assert.deepEqual(r.shape, [2, 4]);
  close(r, a.mm(b));
});

test("bmm writes into strided outs, and into an operand", () => {
  torch.manualSeed(1);
  const a = torch.randn(2, 2, 3), b = torch.randn(2, 3, 4);
  const want = torch.bmm(a, b);
  const t = torch.empty(2, 4, 2).transpose(1, 2);
  torch.bmm(a, b, { out: t });
  close(t, want);
  const s = torch.empty(2, 2, 8).index(":", ":", "::2");
  torch.bmm(a, b, { out: s });
  assert.deepEqual(s.stride(), [16, 8, 2]);
  close(s, want);
  // the product is computed first when out is one of the operands
  const x = torch.randn(2, 3, 3), y = torch.randn(2, 3, 3);
  const xy = torch.bmm(x, y);
  torch.bmm(x, y, { out: x });
  close(x, xy);
});

test("matmul out= follows matmul's shapes", () => {
  torch.manualSeed(2);
  const a = torch.randn(2, 2, 3), b = torch.randn(2, 3, 4);
  const o = torch.empty(1);
  assert.equal(torch.matmul(a, b, { out: o }), o);
  assert.deepEqual(o.shape, [2, 2, 4]);
  close(o, torch.matmul(a, b));
  const v = torch.randn(3), d = torch.empty(0);
  torch.matmul(v, v, { out: d });
  assert.deepEqual(d.shape, []);
  close(d, torch.dot(v, v));
});

test("out= errors: dtype, autograd", () => {
  const a = torch.randn(2, 3), b = torch.randn(3, 4);
  assert.throws(() => torch.mm(a, b, { out: torch.empty(2, 4, { dtype: "float64" }) }),
    /^RuntimeError: Expected out tensor to have dtype float, but got double instead$/);
  assert.throws(() => torch.bmm(a.unsqueeze(0), b.unsqueeze(0), { out: torch.empty(1, 2, 4, { dtype: "int64" }) }),
    /^RuntimeError: Expected out tensor to have dtype float, but got long int instead$/);
  assert.throws(() => torch.matmul(a.unsqueeze(0), b.unsqueeze(0), { out: torch.empty(1, 2, 4, { dtype: "float64" }) }),
    /^RuntimeError: Expected out tensor to have dtype float, but got double instead$/);
  assert.throws(() => torch.mm(a.clone().requiresGrad_(), b, { out: torch.empty(2, 4) }),
    /^RuntimeError: mm\(\): functions with out=\.\.\. arguments don't support automatic differentiation, but one of the arguments requires grad\.$/);
  assert.throws(() => torch.mm(torch.randn(2, 2), b, { out: torch.empty(2, 4) }), /mat1 and mat2 shapes cannot be multiplied \(2x2 and 3x4\)/);
});

test("out= sharing an operand's bytes through another Storage (view(dtype)) gets the right product", () => {
  torch.manualSeed(3);
  const a = torch.randn(64, 64), b = torch.randn(64, 64);
  const want = torch.mm(a, b);
  const alias = a.view("int32").view("float32");
  torch.mm(a, b, { out: alias });
  close(alias, want);
});

test("out= version counter moves by one; an expanded or grad-requiring out is refused", () => {
  const a = torch.randn(2, 3), b = torch.randn(3, 4);
  for (const f of [torch.mm, torch.matmul]) {
    const o = torch.empty(2, 4), v = o._version;
    f(a, b, { out: o });
    assert.equal(o._version, v + 1);
  }
  const sq = torch.randn(3, 3), v = sq._version;  // out is an operand: computed, then copied in
  torch.mm(sq, sq, { out: sq });
  assert.equal(sq._version, v + 1);
  const overlap = /^RuntimeError: unsupported operation: more than one element of the written-to tensor refers to a single memory location\. Please clone\(\) the tensor before performing the operation\.$/;
  assert.throws(() => torch.mm(a, b, { out: torch.zeros(4).expand(2, 4) }), overlap);
  assert.throws(() => torch.matmul(a, b, { out: torch.zeros(4).expand(2, 4) }), overlap);
  assert.throws(() => torch.mm(a, b, { out: torch.empty(2, 4).requiresGrad_() }), /^RuntimeError: mm\(\): functions with out=/);
  assert.throws(() => torch.cat([a, a], { out: torch.empty(4, 3).requiresGrad_() }), /^RuntimeError: cat\(\): functions with out=/);
});
