// SPDX-License-Identifier: BSD-3-Clause
/* eslint-disable @typescript-eslint/no-explicit-any */
// F.layerNorm / nn.LayerNorm and F.rmsNorm / nn.RMSNorm against PyTorch (test/fixtures/nn-seq.json).
import assert from "node:assert/strict";
import { test } from "node:test";

import { native } from "../../src/backends/cpu/native.js";
import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { close, dec, fx, throwsLike } from "./seq-helpers.js";

const F = nn.functional;

test("F.layerNorm forward and input/weight/bias gradients match PyTorch", () => {
  for (const [i, c] of (fx.layerNorm as any[]).entries()) {
    const x = dec(c.x, true), w = c.w ? dec(c.w, true) : null, b = c.b ? dec(c.b, true) : null;
    const y = F.layerNorm(x, c.ns, w, b, c.eps ?? 1e-5);
    assert.equal(y.gradFn?.name(), "NativeLayerNormBackward0");
    close(y, c.out, `layerNorm[${i}]`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `layerNorm[${i}] gx`);
    if (w) close(w.grad, c.gw, `layerNorm[${i}] gw`);
    if (b) close(b.grad, c.gb, `layerNorm[${i}] gb`);
    // float32 agrees too
    const y32 = F.layerNorm(x.detach().float(), c.ns, { weight: w?.detach().float() ?? null, bias: b?.detach().float() ?? null, eps: c.eps ?? 1e-5 });
    close(y32, c.out, `layerNorm[${i}] float32`, [1e-4, 1e-5]);
  }
});

test("layerNorm on a non-contiguous input; gradcheck and gradgradcheck in float64", () => {
  const base = dec(fx.layerNormT.base);
  close(F.layerNorm(base.t(), [5]), fx.layerNormT.out, "layerNorm(x.t())");
  const x = torch.randn([3, 4], { dtype: torch.float64 }).requiresGrad_();
  const w = torch.randn([4], { dtype: torch.float64 }).requiresGrad_();
  const b = torch.randn([4], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a, ww, bb) => F.layerNorm(a, [4], ww, bb), [x, w, b]));
  assert.ok(torch.autograd.gradgradcheck((a, ww) => F.layerNorm(a, [4], ww, null), [x, w]));
  const x2 = torch.randn([2, 2, 3], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a) => F.layerNorm(a.transpose(0, 2), [2, 2]), [x2]));
});

test("nn.LayerNorm: parameters, init, repr, forward and PyTorch's shape error", () => {
  const ln = new nn.LayerNorm(4);
  assert.deepEqual(Object.keys(ln.stateDict()), ["weight", "bias"]);
  assert.deepEqual(ln.weight!.tolist(), [1, 1, 1, 1]);
  assert.deepEqual(ln.bias!.tolist(), [0, 0, 0, 0]);
  assert.equal(String(ln), fx.normRepr.ln);
  const ln2 = new nn.LayerNorm([3, 4], { eps: 1e-6, elementwiseAffine: false });
  assert.equal(String(ln2), fx.normRepr.ln2);
  assert.deepEqual([...ln2.parameters()].length, 0);
  assert.equal(new nn.LayerNorm(4, { bias: false }).bias, null);
  throwsLike(() => ln.forward(torch.randn(2, 3)), fx.normRepr.lnErr, "LayerNorm shape error");
  const c = fx.layerNorm[0];
  const m = new nn.LayerNorm(c.ns, { dtype: "float64" });
  m.loadStateDict({ weight: dec(c.w), bias: dec(c.b) });
  close(m.forward(dec(c.x)), c.out, "LayerNorm module");
});

test("F.rmsNorm / nn.RMSNorm forward and gradients (eps None -> finfo eps)", () => {
  for (const [i, c] of (fx.rmsNorm as any[]).entries()) {
    const x = dec(c.x, true), w = c.w ? dec(c.w, true) : null;
    const y = F.rmsNorm(x, c.ns, w, c.eps);
    close(y, c.out, `rmsNorm[${i}]`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `rmsNorm[${i}] gx`);
    if (w) close(w.grad, c.gw, `rmsNorm[${i}] gw`);
    const m = new nn.RMSNorm(c.ns, { eps: c.eps, elementwiseAffine: w !== null, dtype: x.dtype as "float32" | "float64" });
    if (w) m.loadStateDict({ weight: w.detach() });
    close(m.forward(x.detach()), c.out, `RMSNorm[${i}] module`);
  }
  assert.equal(String(new nn.RMSNorm(4)), "RMSNorm((4,), eps=None, elementwise_affine=True)");
  assert.equal(String(new nn.RMSNorm([2, 3], { eps: 1e-6, elementwiseAffine: false })), "RMSNorm((2, 3), eps=1e-06, elementwise_affine=False)");
  const x = torch.randn([2, 3], { dtype: torch.float64 }).requiresGrad_();
  const w = torch.randn([3], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a, ww) => F.rmsNorm(a, [3], ww, 1e-6), [x, w]));
  assert.throws(() => F.rmsNorm(torch.randn(2, 3), [4]), { message: "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]" });
});

test("layerNorm runs in the native kernel (forward and backward), threaded rows agree with the composite formula", () => {
  const calls: number[] = [];
  const orig = native.layerNorm;
  native.layerNorm = (mode: number, bufs: (ArrayBufferView | null)[], meta: Float64Array) => { calls.push(mode); return orig(mode, bufs, meta); };
  try {
    torch.manualSeed(3);
    const x = torch.randn([300, 257]).requiresGrad_();
    const w = torch.randn([257]).requiresGrad_(), b = torch.randn([257]).requiresGrad_();
    const y = F.layerNorm(x, [257], w, b);
    const g = torch.randn([300, 257]);
    y.backward(g);
    assert.deepEqual(calls, [0, 1]);
    // reference: the same math in float64 ops
    const xd = x.detach().double();
    const mean = xd.mean(-1, { keepdim: true }), rstd = xd.var(-1, { correction: 0, keepdim: true }).add(1e-5).rsqrt();
    const xhat = xd.sub(mean).mul(rstd);
    const ref = xhat.mul(w.detach().double()).add(b.detach().double());
    assert.ok(torch.allclose(y.detach().double(), ref, { rtol: 1e-4, atol: 1e-5 }));
    const gd = g.double(), gw = gd.mul(w.detach().double());
    const gx = rstd.mul(gw.sub(gw.mean(-1, { keepdim: true })).sub(xhat.mul(gw.mul(xhat).mean(-1, { keepdim: true }))));
    assert.ok(torch.allclose(x.grad!.double(), gx, { rtol: 1e-3, atol: 1e-4 }));
    assert.ok(torch.allclose(w.grad!.double(), gd.mul(xhat).sum(0), { rtol: 1e-3, atol: 1e-3 }));
    assert.ok(torch.allclose(b.grad!.double(), gd.sum(0), { rtol: 1e-4, atol: 1e-3 }));
  } finally {
    native.layerNorm = orig;
  }
});
