// SPDX-License-Identifier: BSD-3-Clause
// Convolutions against test/fixtures/nn-spatial.json (scripts/gen_nn_spatial_fixtures.py, PyTorch
// 1.13): conv1d/2d/3d and transposed forward + input/weight/bias gradients over a grid of options,
// padding modes and output_size through the modules, unfold/fold, default init, reprs, errors,
// non-contiguous inputs, gradcheck and gradgradcheck in float64.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { gradcheck, gradgradcheck } from "../../src/autograd/gradcheck.js";
import { channelsLast, close, dec, fx, setParam, throwsLike } from "./spatial-helpers.js";

const F = nn.functional;
type T = torch.Tensor;
const CONV = [null, F.conv1d, F.conv2d, F.conv3d] as const;
const CONVT = [null, F.convTranspose1d, F.convTranspose2d, F.convTranspose3d] as const;

test("conv1d/conv2d/conv3d forward and input/weight/bias gradients (stride, padding, same/valid, dilation, groups)", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.conv as any[]).entries()) {
    for (const layout of ["contiguous", "channelsLast"]) {
      const what = `conv${c.nd}d[${i}] ${layout}`;
      let x = dec(c.x, true);
      if (layout === "channelsLast") x = channelsLast(x);
      const w = dec(c.w, true), b = c.b ? dec(c.b, true) : null;
      const y = CONV[c.nd]!(x, w, b, c.opts);
      assert.equal(y.gradFn?.name(), c.gradFn, `${what} gradFn`);
      close(y, c.out, `${what} out`);
      y.backward(dec(c.gradOut));
      close(x.grad, c.gx, `${what} gx`);
      close(w.grad, c.gw, `${what} gw`);
      if (b) close(b.grad, c.gb, `${what} gb`);
    }
  }
});

test("convTranspose1d/2d/3d forward and gradients (stride, padding, outputPadding, groups, dilation)", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.convTranspose as any[]).entries()) {
    const what = `convTranspose${c.nd}d[${i}]`;
    const x = dec(c.x, true), w = dec(c.w, true), b = c.b ? dec(c.b, true) : null;
    const y = CONVT[c.nd]!(channelsLast(x), w, b, c.opts);
    close(y, c.out, `${what} out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `${what} gx`);
    close(w.grad, c.gw, `${what} gw`);
    if (b) close(b.grad, c.gb, `${what} gb`);
  }
});

test("Conv modules: padding modes reflect/replicate/circular, same, unbatched input, ConvTranspose output_size", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.convModule as any[]).entries()) {
    const what = `${c.cls}[${i}]`;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const Cls = (nn as any)[c.cls];
    const m = new Cls(...c.args, { ...c.opts, dtype: "float64" });
    setParam(m.weight, c.w);
    if (c.b) setParam(m.bias, c.b);
    const x = dec(c.x, true);
    const y: T = c.outputSize ? m.forward(x, c.outputSize) : m.forward(x);
    close(y, c.out, `${what} out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `${what} gx`);
    close(m.weight.grad, c.gw, `${what} gw`);
    if (c.b) close(m.bias.grad, c.gb, `${what} gb`);
  }
});

test("unfold / fold forward and gradients; Unfold/Fold modules", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.unfold as any[]).entries()) {
    const x = dec(c.x, true);
    const y = F.unfold(channelsLast(x), c.k, c.opts);
    assert.equal(y.gradFn?.name(), "Im2ColBackward0");
    close(y, c.out, `unfold[${i}] out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `unfold[${i}] gx`);
    const m = new nn.Unfold(c.k, c.opts);
    close(m.forward(dec(c.x)), c.out, `Unfold[${i}] out`);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.fold as any[]).entries()) {
    const x = dec(c.x, true);
    const y = F.fold(x.transpose(1, 2).contiguous().transpose(1, 2), c.outputSize, c.k, c.opts);
    assert.equal(y.gradFn?.name(), "Col2ImBackward0");
    close(y, c.out, `fold[${i}] out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `fold[${i}] gx`);
    const m = new nn.Fold(c.outputSize, c.k, c.opts);
    close(m.forward(dec(c.x)), c.out, `Fold[${i}] out`);
  }
});

test("default init after manualSeed matches PyTorch (Conv1d, Conv3d, ConvTranspose1d/2d)", () => {
  const make: Record<string, () => nn.Module> = {
    conv1d: () => new nn.Conv1d(3, 4, 3), conv3d: () => new nn.Conv3d(2, 3, [2, 3, 2]),
    convT2d: () => new nn.ConvTranspose2d(4, 6, 3, { groups: 2 }), convT1d: () => new nn.ConvTranspose1d(3, 2, 4),
  };
  for (const [name, ctor] of Object.entries(make)) {
    torch.manualSeed(0);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const m = ctor() as any;
    close(m.weight, fx.init[name].weight, `${name}.weight`);
    close(m.bias, fx.init[name].bias, `${name}.bias`);
  }
});

test("conv module reprs match PyTorch", () => {
  const mods: Record<string, nn.Module> = {
    conv1d: new nn.Conv1d(3, 4, 3),
    conv1dFull: new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false, paddingMode: "reflect" }),
    conv2dSame: new nn.Conv2d(2, 3, [3, 5], { padding: "same", paddingMode: "circular" }),
    conv3d: new nn.Conv3d(2, 4, [2, 3, 2], { stride: [1, 2, 1], padding: 1 }),
    convT1d: new nn.ConvTranspose1d(3, 2, 4, { stride: 2, outputPadding: 1 }),
    convT2d: new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, groups: 2, dilation: 2, bias: false }),
    unfold: new nn.Unfold([2, 3], { dilation: 1, padding: 1, stride: 2 }),
    fold: new nn.Fold([4, 5], 2),
  };
  for (const [k, m] of Object.entries(mods)) assert.equal(String(m), fx.reprs[k], k);
});

test("conv errors in PyTorch's words", () => {
  const z = (...s: number[]): T => torch.zeros(s);
  const e = fx.errors;
  throwsLike(() => F.conv2d(z(2, 3), z(4, 3, 1, 1)), e.conv2dRank, "conv2dRank");
  throwsLike(() => new nn.Conv2d(3, 4, 3).forward(z(1, 1, 3, 5, 5)), e.conv2dModuleRank, "conv2dModuleRank");
  throwsLike(() => F.conv2d(z(1, 4, 5, 5), z(2, 3, 3, 3)), e.conv2dChannels, "conv2dChannels");
  throwsLike(() => F.conv1d(z(2, 3, 4, 5), z(4, 3, 1)), e.conv1dRank, "conv1dRank");
  throwsLike(() => F.conv3d(z(2, 3, 4), z(4, 3, 1, 1, 1)), e.conv3dRank, "conv3dRank");
  throwsLike(() => F.conv1d(z(1, 4, 5), z(2, 1, 3), { groups: 2 }), e.conv1dChannelsGroups, "conv1dChannelsGroups");
  throwsLike(() => F.conv2d(z(1, 1, 3, 3), z(1, 1, 4, 4)), e.convKernelTooBig, "convKernelTooBig");
  throwsLike(() => F.conv2d(z(1, 1, 5, 5), z(1, 1, 3, 3), { stride: 2, padding: "same" }), e.convSameStrided, "convSameStrided");
  throwsLike(() => new nn.Conv2d(1, 1, 3, { stride: 2, padding: "same" }), e.convModuleSameStrided, "convModuleSameStrided");
  throwsLike(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), e.convModuleGroups, "convModuleGroups");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  throwsLike(() => new nn.Conv2d(3, 4, 3, { paddingMode: "wrap" as any }), e.convModulePadMode, "convModulePadMode", true);
  throwsLike(() => new nn.ConvTranspose2d(3, 4, 3, { paddingMode: "reflect" }), e.convTModulePadMode, "convTModulePadMode");
  throwsLike(() => new nn.ConvTranspose2d(2, 3, 3, { stride: 2 }).forward(z(1, 2, 4, 4), [12, 9]), e.convTOutputSize, "convTOutputSize");
  throwsLike(() => F.fold(z(1, 12, 8), [4, 5], 2), e.foldBlocks, "foldBlocks");
  throwsLike(() => F.fold(z(1, 10, 12), [4, 5], 2), e.foldDivisible, "foldDivisible");
});

test("gradcheck and gradgradcheck (float64) through conv, convTranspose, unfold/fold", () => {
  const r = (...s: number[]): T => torch.randn(s, { dtype: "float64" }).requiresGrad_();
  torch.manualSeed(7);
  const x1 = r(2, 2, 6), w1 = r(4, 1, 3), b1 = r(4);
  const f1 = (x: T, w: T, b: T): T => F.conv1d(x, w, b, { stride: 2, padding: 1, groups: 2 });
  assert.ok(gradcheck(f1, [x1, w1, b1]));
  assert.ok(gradgradcheck(f1, [x1, w1, b1]));
  const x2 = r(1, 2, 4, 5), w2 = r(3, 2, 2, 3), b2 = r(3);
  const f2 = (x: T, w: T, b: T): T => F.conv2d(x, w, b, { padding: [1, 0], dilation: [1, 2] });
  assert.ok(gradcheck(f2, [x2, w2, b2]));
  assert.ok(gradgradcheck(f2, [x2, w2, b2]));
  const x3 = r(1, 2, 3, 3, 3), w3 = r(2, 2, 2, 2, 2);
  assert.ok(gradcheck((x: T, w: T) => F.conv3d(x, w, null, { stride: [1, 2, 1] }), [x3, w3]));
  const xt = r(1, 4, 3, 3), wt = r(4, 1, 3, 2), bt = r(2);
  const ft = (x: T, w: T, b: T): T => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
  assert.ok(gradcheck(ft, [xt, wt, bt]));
  assert.ok(gradgradcheck(ft, [xt, wt, bt]));
  const xu = r(1, 2, 4, 4);
  assert.ok(gradcheck((x: T) => F.unfold(x, 2, { stride: 1, padding: 1 }), [xu]));
  assert.ok(gradgradcheck((x: T) => F.fold(F.unfold(x, 2, { stride: 1, padding: 1 }), [4, 4], 2, { padding: 1 }), [xu]));
  const xm = r(1, 2, 5), m = new nn.Conv1d(2, 2, 3, { padding: 2, paddingMode: "circular", dtype: "float64" });
  assert.ok(gradcheck((x: T) => m.forward(x), [xm]));
});
