// SPDX-License-Identifier: BSD-3-Clause
// Pooling against test/fixtures/nn-spatial.json (scripts/gen_nn_spatial_fixtures.py, PyTorch 1.13):
// max/avg pool 1d/2d (ceilMode, padding, dilation, countIncludePad, divisorOverride, indices),
// adaptive avg 1d/2d/3d and adaptive max 1d/2d, LPPool1d/2d, MaxUnpool1d/2d: values, indices and
// gradients, non-contiguous inputs, reprs, errors, gradcheck in float64.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { gradcheck, gradgradcheck } from "../../src/autograd/gradcheck.js";
import { channelsLast, close, dec, fx, throwsLike } from "./spatial-helpers.js";

const F = nn.functional;
type T = torch.Tensor;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function call(c: any, x: T): T | [T, T] {
  const o = c.opts;
  switch (c.fn) {
    case "maxPool1d": return F.maxPool1d(x, o.kernelSize, o) as unknown as [T, T];
    case "maxPool2d": return F.maxPool2d(x, o.kernelSize, o) as unknown as [T, T];
    case "avgPool1d": return F.avgPool1d(x, o.kernelSize, o);
    case "avgPool2d": return F.avgPool2d(x, o.kernelSize, o);
    case "adaptiveAvgPool1d": return F.adaptiveAvgPool1d(x, o.outputSize);
    case "adaptiveAvgPool2d": return F.adaptiveAvgPool2d(x, o.outputSize);
    case "adaptiveAvgPool3d": return F.adaptiveAvgPool3d(x, o.outputSize);
    case "adaptiveMaxPool1d": return F.adaptiveMaxPool1d(x, o.outputSize, true) as unknown as [T, T];
    case "adaptiveMaxPool2d": return F.adaptiveMaxPool2d(x, o.outputSize, true) as unknown as [T, T];
    case "maxPool3d": return F.maxPool3d(x, o.kernelSize, o) as unknown as [T, T];
    case "avgPool3d": return F.avgPool3d(x, o.kernelSize, o);
    case "lpPool2d": return F.lpPool2d(x, o.normType, o.kernelSize, o.stride, o.ceilMode);
    case "lpPool1d": return F.lpPool1d(x, o.normType, o.kernelSize, o.stride, o.ceilMode);
  }
  throw new Error(`unknown ${c.fn}`);
}

test("pooling forward, indices and gradients vs PyTorch (contiguous and channels-last inputs)", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.pool as any[]).entries()) {
    for (const layout of ["contiguous", "channelsLast"]) {
      const what = `${c.fn}[${i}] ${layout}`;
      const x = dec(c.x, true);
      const r = call(c, layout === "channelsLast" ? channelsLast(x) : x);
      const [y, ind] = Array.isArray(r) ? r : [r, null];
      close(y, c.out, `${what} out`);
      if (c.indices) close(ind, c.indices, `${what} indices`);
      if (["AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool3DBackward0", "AdaptiveMaxPool2DBackward0", "MaxPool2DWithIndicesBackward0", "AvgPool2DBackward0"].includes(c.gradFn))
        assert.equal(y.gradFn?.name(), c.gradFn, `${what} gradFn`);
      y.backward(dec(c.gradOut));
      close(x.grad, c.gx, `${what} gx`);
    }
  }
});

test("pooling modules run the same kernels", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const byFn = (fn: string): any => (fx.pool as any[]).find((c) => c.fn === fn);
  const c1 = byFn("maxPool1d");
  const [y1] = new nn.MaxPool1d(c1.opts.kernelSize, c1.opts).forward(dec(c1.x)) as unknown as [T, T];
  close(y1, c1.out, "MaxPool1d");
  const c2 = byFn("avgPool1d");
  close(new nn.AvgPool1d(c2.opts.kernelSize, c2.opts).forward(dec(c2.x)), c2.out, "AvgPool1d");
  const c3 = byFn("adaptiveMaxPool2d");
  close(new nn.AdaptiveMaxPool2d(c3.opts.outputSize).forward(dec(c3.x)), c3.out, "AdaptiveMaxPool2d");
  const c4 = byFn("adaptiveAvgPool1d");
  close(new nn.AdaptiveAvgPool1d(c4.opts.outputSize).forward(dec(c4.x)), c4.out, "AdaptiveAvgPool1d");
  const c5 = byFn("lpPool2d");
  close(new nn.LPPool2d(c5.opts.normType, c5.opts.kernelSize, c5.opts.stride, c5.opts.ceilMode).forward(dec(c5.x)), c5.out, "LPPool2d");
  const c6 = byFn("adaptiveAvgPool3d");
  close(new nn.AdaptiveAvgPool3d(c6.opts.outputSize).forward(dec(c6.x)), c6.out, "AdaptiveAvgPool3d");
});

test("maxUnpool1d/2d forward and gradients (default and explicit outputSize)", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.unpool as any[]).entries()) {
    const x = dec(c.x, true), ind = dec(c.indices);
    const y = c.nd === 2 ? F.maxUnpool2d(x, ind, c.k, c.stride, c.padding, c.outputSize) : F.maxUnpool1d(x, ind, c.k, c.stride, c.padding, c.outputSize);
    close(y, c.out, `maxUnpool${c.nd}d[${i}] out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `maxUnpool${c.nd}d[${i}] gx`);
    const m = c.nd === 2 ? new nn.MaxUnpool2d(c.k, c.stride, { padding: c.padding }) : new nn.MaxUnpool1d(c.k, c.stride, { padding: c.padding });
    close(m.forward(dec(c.x), ind, c.outputSize), c.out, `MaxUnpool${c.nd}d[${i}]`);
  }
});

test("pooling module reprs match PyTorch", () => {
  const mods: Record<string, nn.Module> = {
    maxPool1d: new nn.MaxPool1d(3, 2, { padding: 1 }), maxPool2d: new nn.MaxPool2d([2, 3], { ceilMode: true }),
    avgPool1d: new nn.AvgPool1d(3), avgPool2d: new nn.AvgPool2d(3, 2, { padding: 1 }),
    adaptiveAvgPool1d: new nn.AdaptiveAvgPool1d(4), adaptiveAvgPool2d: new nn.AdaptiveAvgPool2d([3, null] as unknown as number[]),
    adaptiveMaxPool2d: new nn.AdaptiveMaxPool2d([2, 3]), adaptiveMaxPool1d: new nn.AdaptiveMaxPool1d(5),
    maxUnpool2d: new nn.MaxUnpool2d(2), maxUnpool1d: new nn.MaxUnpool1d(3, 2, { padding: 1 }),
    lpPool2d: new nn.LPPool2d(2, 3), lpPool1d: new nn.LPPool1d(3, 2, 1),
    maxPool3d: new nn.MaxPool3d([2, 3, 2], 1, 1, { ceilMode: true }), avgPool3d: new nn.AvgPool3d(3, 2),
  };
  for (const [k, m] of Object.entries(mods)) assert.equal(String(m), fx.reprs[k], k);
  // PyTorch's positional forms (API.md rule 3)
  assert.equal(String(new nn.MaxPool1d(3, 2, 1)), fx.reprs.maxPool1d);
  assert.equal(String(new nn.MaxPool2d([2, 3], null, 0, 1, false, true)), fx.reprs.maxPool2d);
  assert.equal(String(new nn.AvgPool2d(3, 2, 1)), fx.reprs.avgPool2d);
  assert.equal(String(new nn.MaxUnpool1d(3, 2, 1)), fx.reprs.maxUnpool1d);
});

test("pooling errors in PyTorch's words", () => {
  const z = (...s: number[]): T => torch.zeros(s);
  const e = fx.errors;
  throwsLike(() => F.maxPool2d(z(3, 3), 2), e.maxPoolRank, "maxPoolRank");
  throwsLike(() => F.maxPool2d(z(1, 1, 5, 5), 2, { padding: 2 }), e.maxPoolPad, "maxPoolPad");
  throwsLike(() => F.adaptiveAvgPool2d(z(3, 3), 2), e.adaptiveAvgRank, "adaptiveAvgRank");
  throwsLike(() => F.maxUnpool2d(z(1, 1, 2, 2), torch.zeros([1, 1, 2, 3], { dtype: "int64" }), 2), e.unpoolIndices, "unpoolIndices");
});

test("gradcheck and gradgradcheck (float64) through pooling", () => {
  torch.manualSeed(3);
  const x = torch.randn([1, 2, 5, 6], { dtype: "float64" }).requiresGrad_();
  assert.ok(gradcheck((t: T) => F.maxPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true }), [x]));
  assert.ok(gradcheck((t: T) => F.avgPool2d(t, 3, { stride: 2, padding: 1, countIncludePad: false }), [x]));
  assert.ok(gradcheck((t: T) => F.adaptiveAvgPool2d(t, [3, 4]), [x]));
  assert.ok(gradgradcheck((t: T) => F.adaptiveAvgPool2d(t, [3, 4]), [x]));
  assert.ok(gradcheck((t: T) => F.adaptiveMaxPool2d(t, [2, 4]), [x]));
  assert.ok(gradgradcheck((t: T) => F.maxPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true }), [x]));
  assert.ok(gradgradcheck((t: T) => F.avgPool2d(t, 3, { stride: 2, padding: 1, countIncludePad: false }), [x]));
  assert.ok(gradgradcheck((t: T) => F.adaptiveMaxPool2d(t, [2, 4]), [x]));
  const x1 = torch.randn([2, 3, 9], { dtype: "float64" }).requiresGrad_();
  assert.ok(gradcheck((t: T) => F.maxPool1d(t, 3, { stride: 2, dilation: 2 }), [x1]));
  assert.ok(gradcheck((t: T) => F.avgPool1d(t, 4, { stride: 2, padding: 2, ceilMode: true }), [x1]));
  assert.ok(gradgradcheck((t: T) => F.maxPool1d(t, 3, { stride: 2, dilation: 2 }), [x1]));
  const x3 = torch.randn([1, 2, 4, 3, 5], { dtype: "float64" }).requiresGrad_();
  assert.ok(gradcheck((t: T) => F.maxPool3d(t, [2, 2, 3], { stride: [1, 2, 1], padding: [1, 0, 1], ceilMode: true }), [x3]));
  assert.ok(gradgradcheck((t: T) => F.avgPool3d(t, 2, { stride: 1, padding: 1, countIncludePad: false }), [x3]));
  const xp = torch.rand([1, 2, 4, 4], { dtype: "float64" }).add(0.5).requiresGrad_();
  assert.ok(gradcheck((t: T) => F.lpPool2d(t, 2, 2), [xp]));
});

test("maxPool2d without grad or indices (values only, no index buffer) equals the values of the indexed path", () => {
  for (const dtype of ["float32", "float64"] as const)
    for (const [H, W, k, s, pad] of [[28, 28, 2, 2, 0], [10, 10, 2, 2, 0], [7, 35, 2, 2, 0], [9, 9, 3, 2, 1], [12, 13, 3, 3, 0], [8, 9, 2, 1, 0]] as const) {
      torch.manualSeed(H * 100 + W);
      const x = torch.randn([3, 4, H, W], { dtype });
      const [ref] = nn.functional.maxPool2dWithIndices(x, k, { stride: s, padding: pad });
      const got = torch.noGrad(() => nn.functional.maxPool2d(x, k, { stride: s, padding: pad }));
      assert.deepEqual(Array.from(got.reshape([-1]).tolist() as number[]), Array.from(ref.reshape([-1]).tolist() as number[]), `${dtype} ${H}x${W} k${k} s${s} p${pad}`);
    }
});
