// SPDX-License-Identifier: BSD-3-Clause
// BatchNorm1d/2d/3d, GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm against PyTorch 1.13
// (test/fixtures/nn-module.json): forward, input/weight/bias gradients, running statistics over
// several steps (momentum, momentum null, no tracking), eval, non-contiguous inputs, grad fn
// names; gradcheck in float64; errors in PyTorch's words.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { gradcheck, gradgradcheck } from "../../src/autograd/gradcheck.js";
import { closeTo, dec, type Enc, fx } from "./fixture-util.js";

const F = nn.functional;
type T = torch.Tensor;

/* eslint-disable @typescript-eslint/no-explicit-any */
const MAKERS: Record<string, () => nn.Module> = {
  "BatchNorm1d(3)": () => new nn.BatchNorm1d(3),
  "BatchNorm1d(3) 3D": () => new nn.BatchNorm1d(3),
  "BatchNorm2d(4)": () => new nn.BatchNorm2d(4),
  "BatchNorm2d(4) transposed": () => new nn.BatchNorm2d(4),
  "BatchNorm2d(4) momentum=None": () => new nn.BatchNorm2d(4, { momentum: null }),
  "BatchNorm2d(4) momentum=0.3 affine=False": () => new nn.BatchNorm2d(4, { momentum: 0.3, affine: false }),
  "BatchNorm2d(4) track_running_stats=False": () => new nn.BatchNorm2d(4, { trackRunningStats: false }),
  "BatchNorm2d(4) eval": () => new nn.BatchNorm2d(4),
  "BatchNorm2d(4) track_running_stats=False eval": () => new nn.BatchNorm2d(4, { trackRunningStats: false }),
  "BatchNorm3d(2)": () => new nn.BatchNorm3d(2),
  "BatchNorm3d(2) eval": () => new nn.BatchNorm3d(2, { eps: 1e-3 }),
  "BatchNorm1d(3) float64": () => new nn.BatchNorm1d(3).double(),
  "GroupNorm(2, 4)": () => new nn.GroupNorm(2, 4),
  "GroupNorm(2, 4) eval": () => new nn.GroupNorm(2, 4),
  "GroupNorm(3, 6) affine=False": () => new nn.GroupNorm(3, 6, { affine: false }),
  "GroupNorm(1, 3) transposed": () => new nn.GroupNorm(1, 3, { eps: 1e-3 }),
  "GroupNorm(2, 4) 2D": () => new nn.GroupNorm(2, 4),
  "InstanceNorm1d(3)": () => new nn.InstanceNorm1d(3),
  "InstanceNorm1d(3) unbatched": () => new nn.InstanceNorm1d(3, { affine: true }),
  "InstanceNorm2d(4) affine track": () => new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }),
  "InstanceNorm2d(4) affine track eval": () => new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }),
  "InstanceNorm3d(2)": () => new nn.InstanceNorm3d(2, { affine: true }),
  "LocalResponseNorm(2)": () => new nn.LocalResponseNorm(2),
  "LocalResponseNorm(3, alpha=0.5, beta=0.2, k=2.0) 3D": () => new nn.LocalResponseNorm(3, { alpha: 0.5, beta: 0.2, k: 2.0 }),
  "LocalResponseNorm(4) 5D": () => new nn.LocalResponseNorm(4, { alpha: 1e-2 }),
};

/** Same values as `base`, stored with the first and last dims swapped (PyTorch's x.transpose(0, -1).contiguous().transpose(0, -1)). */
function transposedCopy(base: T): T {
  const x = base.transpose(0, -1).contiguous().transpose(0, -1);
  assert.equal(x.isContiguous(), false);
  return x;
}

for (const c of fx.norms as any[]) {
  test(`${c.name}: forward, gradients, running statistics${c.steps.length > 1 ? ` over ${c.steps.length} steps` : ""} as PyTorch`, () => {
    const m = MAKERS[c.name]!();
    m.train(c.train);
    const params = Object.fromEntries(m.namedParameters());
    assert.deepEqual(Object.keys(params), Object.keys(c.params));
    torch.noGrad(() => { for (const [k, e] of Object.entries(c.params)) params[k]!.copy_(dec(e as Enc)); });
    const mm = m as any;
    if (c.running_mean0) torch.noGrad(() => { mm.running_mean.copy_(dec(c.running_mean0)); mm.running_var.copy_(dec(c.running_var0)); });
    const dtype = c.steps[0].x.dtype as torch.DType;
    const tol: [number, number] = dtype === "float64" ? [1e-10, 1e-12] : [2e-5, 2e-5];
    for (const [i, st] of (c.steps as any[]).entries()) {
      const base = dec(st.x);
      const x = (c.layout === "transposed" ? transposedCopy(base) : base).requiresGrad_();
      m.zeroGrad();
      const y = m.forward(x) as T;
      assert.equal(y.gradFn?.name(), st.gradFn, `step ${i}: grad fn`);
      closeTo(y, st.y, `step ${i}: output`, tol);
      y.backward(dec(st.gy));
      closeTo(x.grad, st.gx, `step ${i}: grad input`, dtype === "float64" ? tol : [1e-4, 1e-5]);
      for (const [k, g] of Object.entries(st.grads)) closeTo(params[k]!.grad, g as Enc, `step ${i}: grad ${k}`, dtype === "float64" ? tol : [1e-4, 1e-5]);
      const bufs = Object.fromEntries(m.namedBuffers());
      assert.deepEqual(Object.keys(bufs), Object.keys(st.buffers), `step ${i}: buffer names`);
      for (const [k, b] of Object.entries(st.buffers)) closeTo(bufs[k]!, b as Enc, `step ${i}: buffer ${k}`, [1e-5, 1e-6]);
    }
  });
}

test("gradcheck in float64: F.batchNorm (train and eval), F.groupNorm, F.instanceNorm, F.localResponseNorm", () => {
  torch.manualSeed(3);
  const x = torch.randn([3, 2, 4], { dtype: "float64" }).requiresGrad_();
  const w = torch.randn([2], { dtype: "float64" }).requiresGrad_(), b = torch.randn([2], { dtype: "float64" }).requiresGrad_();
  const rm = torch.randn([2], { dtype: "float64" }), rv = torch.rand([2], { dtype: "float64" }).add(0.5);
  assert.ok(gradcheck((xx: T, ww: T, bb: T) => F.batchNorm(xx, null, null, { weight: ww, bias: bb, training: true }), [x, w, b]));
  assert.ok(gradcheck((xx: T, ww: T, bb: T) => F.batchNorm(xx, rm, rv, { weight: ww, bias: bb, training: false }), [x, w, b]));
  const x4 = torch.randn([2, 4, 3], { dtype: "float64" }).requiresGrad_();
  const w4 = torch.randn([4], { dtype: "float64" }).requiresGrad_(), b4 = torch.randn([4], { dtype: "float64" }).requiresGrad_();
  assert.ok(gradcheck((xx: T, ww: T, bb: T) => F.groupNorm(xx, 2, { weight: ww, bias: bb }), [x4, w4, b4]));
  assert.ok(gradcheck((xx: T) => F.groupNorm(xx, 4), [x4]));
  assert.ok(gradcheck((xx: T, ww: T, bb: T) => F.instanceNorm(xx, { weight: ww, bias: bb }), [x4, w4, b4]));
  assert.ok(gradcheck((xx: T) => F.localResponseNorm(xx, 3, { alpha: 0.3, beta: 0.6, k: 1.5 }), [x4]));
});

test("double backward (createGraph) through batch norm and group norm: gradgradcheck in float64", () => {
  torch.manualSeed(4);
  const x = torch.randn([3, 2, 2], { dtype: "float64" }).requiresGrad_();
  const w = torch.randn([2], { dtype: "float64" }).requiresGrad_(), b = torch.randn([2], { dtype: "float64" }).requiresGrad_();
  const rm = torch.randn([2], { dtype: "float64" }), rv = torch.rand([2], { dtype: "float64" }).add(0.5);
  assert.ok(gradgradcheck((xx: T, ww: T, bb: T) => F.batchNorm(xx, null, null, { weight: ww, bias: bb, training: true }), [x, w, b]));
  assert.ok(gradgradcheck((xx: T, ww: T, bb: T) => F.batchNorm(xx, rm, rv, { weight: ww, bias: bb }), [x, w, b]));
  const x4 = torch.randn([2, 4, 2], { dtype: "float64" }).requiresGrad_();
  const w4 = torch.randn([4], { dtype: "float64" }).requiresGrad_(), b4 = torch.randn([4], { dtype: "float64" }).requiresGrad_();
  assert.ok(gradgradcheck((xx: T, ww: T, bb: T) => F.groupNorm(xx, 2, { weight: ww, bias: bb }), [x4, w4, b4]));
  // the first-order gradients of the composite path equal the native kernel's
  const y = F.groupNorm(x4, 2, { weight: w4, bias: b4 });
  const gy = torch.randnLike(y);
  const [n1] = torch.autograd.grad(y, [x4], { gradOutputs: gy, retainGraph: true });
  const [c1] = torch.autograd.grad(y, [x4], { gradOutputs: gy, createGraph: true });
  assert.ok(n1!.sub(c1!).abs().max().item() as number < 1e-12);
});

test("BatchNorm: momentum null is a cumulative average; eval uses the running statistics; train/eval switch", () => {
  torch.manualSeed(1);
  const bn = new nn.BatchNorm1d(2, { momentum: null, affine: false });
  const xs = [torch.randn(5, 2), torch.randn(5, 2), torch.randn(5, 2)];
  for (const x of xs) bn.forward(x);
  const meanOfMeans = torch.stack(xs.map((x) => x.mean(0))).mean(0);
  assert.ok(bn.running_mean!.sub(meanOfMeans).abs().max().item() as number < 1e-6);
  assert.equal(bn.num_batches_tracked!.item(), 3);
  bn.eval();
  const x = torch.randn(4, 2);
  const expect = x.sub(bn.running_mean!).div(bn.running_var!.add(1e-5).sqrt());
  assert.ok(bn.forward(x).sub(expect).abs().max().item() as number < 1e-6);
  assert.equal(bn.num_batches_tracked!.item(), 3, "eval does not count batches");
  bn.resetRunningStats();
  assert.equal(bn.num_batches_tracked!.item(), 0);
});

test("BatchNorm in float16 computes in float32 and returns float16", () => {
  const bn = new nn.BatchNorm1d(2);
  const x = torch.tensor([[1, 2], [3, 5], [0, -1]], { dtype: "float32" });
  assert.throws(() => bn.forward(x.long()), /"batch_norm" not implemented for 'Long'/);
  const y32 = bn.forward(x);
  const bn16 = new nn.BatchNorm1d(2).half();
  const y16 = bn16.forward(x.half());
  assert.equal(y16.dtype, "float16");
  assert.ok(y16.float().sub(y32).abs().max().item() as number < 1e-2);
});

test("norm errors in PyTorch's words", () => {
  const e = fx.containers;
  const check = (fn: () => unknown, exp: { type: string; message: string }): void =>
    assert.throws(fn, (err: Error) => err.name === exp.type && err.message === exp.message, `${exp.type}: ${exp.message}`);
  check(() => new nn.BatchNorm1d(3).forward(torch.randn(2, 3, 4, 5)), e.bnDimError);
  check(() => new nn.BatchNorm2d(3).forward(torch.randn(2, 3)), e.bn2dDimError);
  check(() => new nn.BatchNorm3d(3).forward(torch.randn(2, 3, 4, 5)), e.bn3dDimError);
  check(() => new nn.BatchNorm1d(3).forward(torch.randn(1, 3)), e.bnOneValue);
  check(() => new nn.GroupNorm(3, 4), e.gnDivisible);
  check(() => new nn.BatchNorm1d(3).forward(torch.randn(2, 4)), e.bnChannels);
  check(() => new nn.BatchNorm1d(3).eval().forward(torch.randn(2, 4)), e.bnChannelsEval);
  check(() => new nn.BatchNorm1d(3, { trackRunningStats: false }).forward(torch.randn(2, 4)), e.bnWeightChannels);
  check(() => new nn.InstanceNorm1d(3, { affine: true }).forward(torch.randn(2, 4, 5)), e.inWeightChannels);
  check(() => new nn.GroupNorm(2, 4).forward(torch.randn(2, 6, 3)), e.gnInputChannels);
  check(() => new nn.InstanceNorm2d(3).forward(torch.randn(2, 3)), e.inDimError);
  check(() => new nn.InstanceNorm1d(3).forward(torch.randn(3, 1)), e.inSpatial);
  check(() => new nn.LocalResponseNorm(2).forward(torch.randn(3, 4, 5).select(0, 0).select(0, 0)), e.lrnDim);
  assert.throws(() => F.groupNorm(torch.randn(2, 6, 3), 4), /Expected number of channels in input to be divisible by num_groups, but got input of shape \[2, 6, 3\] and num_groups=4/);
});
