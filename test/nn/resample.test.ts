// SPDX-License-Identifier: BSD-3-Clause
// F.pad, F.interpolate, pixel (un)shuffle, F.gridSample and F.affineGrid against
// test/fixtures/nn-spatial.json (scripts/gen_nn_spatial_fixtures.py, PyTorch 1.13): values and
// gradients over a grid of modes, float32 index/weight rounding, non-contiguous inputs, modules,
// reprs, errors, gradcheck and gradgradcheck in float64.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { gradcheck, gradgradcheck } from "../../src/autograd/gradcheck.js";
import { channelsLast, close, dec, fx, throwsLike } from "./spatial-helpers.js";

const F = nn.functional;
type T = torch.Tensor;

test("F.pad constant (negative pads, >3 dims) / reflect / replicate / circular: values and gradients", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.pad as any[]).entries()) {
    for (const layout of ["contiguous", "channelsLast"]) {
      const what = `pad[${i}] ${c.mode} (${c.pad}) ${layout}`;
      const x = dec(c.x, true);
      const xi = layout === "channelsLast" ? channelsLast(x) : x;
      const y = c.value === null ? F.pad(xi, c.pad, c.mode) : F.pad(xi, c.pad, c.mode, c.value);
      if (c.gradFn !== "CopySlices") assert.equal(y.gradFn?.name(), c.gradFn, `${what} gradFn`);
      close(y, c.out, `${what} out`);
      y.backward(dec(c.gradOut));
      close(x.grad, c.gx, `${what} gx`);
    }
  }
});

test("padding modules", () => {
  torch.manualSeed(0);
  const x = torch.randn([1, 2, 4, 5]);
  assert.deepEqual(flat(new nn.ZeroPad2d([1, 2, 3, 4]).forward(x)), flat(F.pad(x, [1, 2, 3, 4])));
  assert.deepEqual(flat(new nn.ConstantPad2d(2, 1.5).forward(x)), flat(F.pad(x, [2, 2, 2, 2], "constant", 1.5)));
  assert.deepEqual(flat(new nn.ReflectionPad2d([1, 2, 0, 1]).forward(x)), flat(F.pad(x, [1, 2, 0, 1], "reflect")));
  assert.deepEqual(flat(new nn.ReplicationPad1d([3, 1]).forward(x.select(0, 0))), flat(F.pad(x.select(0, 0), [3, 1], "replicate")));
  assert.deepEqual(flat(new nn.CircularPad2d(1).forward(x)), flat(F.pad(x, [1, 1, 1, 1], "circular")));
  const mods: Record<string, nn.Module> = {
    zeroPad2d: new nn.ZeroPad2d([1, 2, 3, 4]), constantPad1d: new nn.ConstantPad1d(2, 3.5), constantPad2d: new nn.ConstantPad2d([1, 0, 2, 1], -1.5),
    reflectionPad1d: new nn.ReflectionPad1d(2), reflectionPad2d: new nn.ReflectionPad2d([1, 2, 0, 1]), replicationPad1d: new nn.ReplicationPad1d([3, 1]),
    replicationPad2d: new nn.ReplicationPad2d(2), replicationPad3d: new nn.ReplicationPad3d(1),
  };
  for (const [k, m] of Object.entries(mods)) assert.equal(String(m), fx.reprs[k], k);
});

const flat = (t: T): number[] => Array.from(t.contiguous().reshape([-1]).tolist() as number[]);

test("F.interpolate nearest / nearest-exact / linear / bilinear / bicubic / trilinear / area: values and gradients", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.interp as any[]).entries()) {
    const what = `interpolate[${i}] ${JSON.stringify(c.opts)} ${c.x.dtype}`;
    const x = dec(c.x, true);
    const y = F.interpolate(i % 2 === 0 ? channelsLast(x) : x, c.opts);
    assert.equal(y.gradFn?.name(), c.gradFn, `${what} gradFn`);
    close(y, c.out, `${what} out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `${what} gx`);
  }
});

test("Upsample modules and reprs", () => {
  torch.manualSeed(1);
  const x = torch.randn([1, 2, 3, 4]);
  assert.deepEqual(flat(new nn.Upsample({ scaleFactor: 2 }).forward(x)), flat(F.interpolate(x, { scaleFactor: 2 })));
  assert.deepEqual(flat(new nn.UpsamplingBilinear2d({ size: 7 }).forward(x)), flat(F.interpolate(x, { size: 7, mode: "bilinear", alignCorners: true })));
  assert.deepEqual(flat(new nn.UpsamplingNearest2d({ scaleFactor: 3 }).forward(x)), flat(F.interpolate(x, { scaleFactor: 3, mode: "nearest" })));
  const mods: Record<string, nn.Module> = {
    upsample: new nn.Upsample({ scaleFactor: 2 }), upsampleSize: new nn.Upsample({ size: [4, 5], mode: "bilinear", alignCorners: true }),
    upsampleTuple: new nn.Upsample({ scaleFactor: [2, 3], mode: "nearest" }), upsamplingNearest2d: new nn.UpsamplingNearest2d({ scaleFactor: 3 }),
    upsamplingBilinear2d: new nn.UpsamplingBilinear2d({ size: 7 }), pixelShuffle: new nn.PixelShuffle(3), pixelUnshuffle: new nn.PixelUnshuffle(2),
  };
  for (const [k, m] of Object.entries(mods)) assert.equal(String(m), fx.reprs[k], k);
});

test("pixelShuffle / pixelUnshuffle values and gradients", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.pixelShuffle as any[]).entries()) {
    const x = dec(c.x, true);
    const y = c.fn === "pixelShuffle" ? F.pixelShuffle(channelsLast(x), c.r) : new nn.PixelUnshuffle(c.r).forward(channelsLast(x));
    close(y, c.out, `${c.fn}[${i}] out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `${c.fn}[${i}] gx`);
  }
});

test("F.gridSample bilinear/nearest x zeros/border/reflection x alignCorners: values, input and grid gradients", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.gridSample as any[]).entries()) {
    const what = `gridSample[${i}] ${JSON.stringify(c.opts)}`;
    const x = dec(c.x, true), grid = dec(c.grid, true);
    const y = F.gridSample(channelsLast(x), grid, c.opts);
    assert.equal(y.gradFn?.name(), "GridSampler2DBackward0");
    close(y, c.out, `${what} out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `${what} gx`);
    close(grid.grad, c.ggrid, `${what} ggrid`);
  }
});

test("F.affineGrid 2-D and 3-D, alignCorners: values and theta gradients", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [i, c] of (fx.affineGrid as any[]).entries()) {
    const theta = dec(c.theta, true);
    const y = F.affineGrid(theta, c.size, { alignCorners: c.alignCorners });
    close(y, c.out, `affineGrid[${i}] out`);
    y.backward(dec(c.gradOut));
    close(theta.grad, c.gtheta, `affineGrid[${i}] gtheta`);
  }
});

test("resampling errors in PyTorch's words", () => {
  const z = (...s: number[]): T => torch.zeros(s);
  const e = fx.errors;
  throwsLike(() => F.pad(z(2, 3), [1, 2, 3]), e.padOdd, "padOdd");
  throwsLike(() => F.pad(z(2, 3), [1, 1, 1, 1, 1, 1]), e.padTooLong, "padTooLong");
  throwsLike(() => F.pad(z(1, 2, 3), [3, 1], "reflect"), e.padReflectTooBig, "padReflectTooBig");
  throwsLike(() => F.pad(z(3), [1, 1], "reflect"), e.padReflectRank, "padReflectRank");
  throwsLike(() => F.pad(z(2, 3), [-2, -2]), e.padNegative, "padNegative");
  throwsLike(() => F.pad(z(1, 2, 3), [4, 0], "circular"), e.padCircularWrap, "padCircularWrap");
  throwsLike(() => F.interpolate(z(1, 1, 4), { size: 3, alignCorners: true }), e.interpAlignNearest, "interpAlignNearest");
  throwsLike(() => F.interpolate(z(1, 1, 4), { size: 3, scaleFactor: 2 }), e.interpBothSizes, "interpBothSizes");
  throwsLike(() => F.interpolate(z(1, 1, 4), {}), e.interpNoSize, "interpNoSize");
  throwsLike(() => F.interpolate(z(1, 1, 4), { size: 3, mode: "bilinear" }), e.interpBilinear3d, "interpBilinear3d");
  throwsLike(() => F.interpolate(z(1, 1, 4, 4), { size: 3, mode: "linear" }), e.interpLinear4d, "interpLinear4d");
  throwsLike(() => F.interpolate(z(1, 1, 4, 4), { size: [3, 4, 5] }), e.interpSizeLen, "interpSizeLen");
  throwsLike(() => F.pixelShuffle(z(1, 5, 2, 2), 2), e.pixelShuffleDiv, "pixelShuffleDiv");
  throwsLike(() => F.pixelUnshuffle(z(1, 1, 3, 4), 2), e.pixelUnshuffleDiv, "pixelUnshuffleDiv");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  throwsLike(() => F.gridSample(z(1, 1, 3, 3), z(1, 2, 2, 2), { mode: "area" as any }), e.gridSampleMode, "gridSampleMode");
  throwsLike(() => F.gridSample(z(1, 1, 3, 3), z(2, 2, 2, 2)), e.gridSampleBatch, "gridSampleBatch");
  throwsLike(() => F.affineGrid(z(1, 3, 3), [1, 1, 2, 2]), e.affineGridShape, "affineGridShape");
});

test("gradcheck / gradgradcheck (float64): pad, interpolate, gridSample, affineGrid", () => {
  torch.manualSeed(11);
  const x = torch.randn([1, 2, 4, 5], { dtype: "float64" }).requiresGrad_();
  for (const mode of ["constant", "reflect", "replicate", "circular"] as const) {
    assert.ok(gradcheck((t: T) => F.pad(t, [2, 1, 1, 3], mode), [x]), mode);
    assert.ok(gradgradcheck((t: T) => F.pad(t, [2, 1, 1, 3], mode), [x]), mode);
  }
  for (const o of [{ size: [7, 3], mode: "bilinear" }, { scaleFactor: 1.5, mode: "bicubic", alignCorners: true }, { size: [3, 8], mode: "nearest" }] as const) {
    assert.ok(gradcheck((t: T) => F.interpolate(t, o), [x]), JSON.stringify(o));
    assert.ok(gradgradcheck((t: T) => F.interpolate(t, o), [x]), JSON.stringify(o));
  }
  const grid = torch.rand([1, 3, 2, 2], { dtype: "float64" }).mul(1.8).sub(0.9).requiresGrad_();
  for (const paddingMode of ["zeros", "border", "reflection"] as const)
    assert.ok(gradcheck((t: T, g: T) => F.gridSample(t, g, { paddingMode, alignCorners: paddingMode === "border" }), [x, grid]), paddingMode);
  const theta = torch.randn([2, 2, 3], { dtype: "float64" }).requiresGrad_();
  assert.ok(gradcheck((t: T) => F.affineGrid(t, [2, 1, 3, 4]), [theta]));
});
