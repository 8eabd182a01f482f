// SPDX-License-Identifier: BSD-3-Clause
// Activations (F. and nn. forms) against test/fixtures/nn-layers.json (scripts/gen_nn_layers_fixtures.py):
// forward, grad_fn names and input gradients, non-contiguous inputs, in-place forms, rrelu's draws
// after manualSeed, reprs and errors; gradcheck in float64.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { type Case, type T, close, dec, fx, nonContiguous, runCase, throwsLike } from "./layers-fixture.js";

const F = nn.functional;
type Kw = Record<string, number | string>;
const n = (kw: Kw, k: string, d: number): number => (kw[k] === undefined ? d : kw[k] as number);

/** op name -> the call, from PyTorch's keyword arguments. */
const OPS: Record<string, (x: T[], kw: Kw) => T> = {
  relu: ([x]) => F.relu(x!),
  relu6: ([x]) => F.relu6(x!),
  leakyRelu: ([x], kw) => F.leakyRelu(x!, n(kw, "negative_slope", 0.01)),
  elu: ([x], kw) => F.elu(x!, { alpha: n(kw, "alpha", 1) }),
  selu: ([x]) => F.selu(x!),
  celu: ([x], kw) => F.celu(x!, n(kw, "alpha", 1)),
  gelu: ([x], kw) => F.gelu(x!, { approximate: (kw.approximate ?? "none") as "none" | "tanh" }),
  silu: ([x]) => F.silu(x!),
  mish: ([x]) => F.mish(x!),
  sigmoid: ([x]) => F.sigmoid(x!),
  tanh: ([x]) => F.tanh(x!),
  hardtanh: ([x], kw) => F.hardtanh(x!, { minVal: n(kw, "min_val", -1), maxVal: n(kw, "max_val", 1) }),
  hardswish: ([x]) => F.hardswish(x!),
  hardsigmoid: ([x]) => F.hardsigmoid(x!),
  hardshrink: ([x], kw) => F.hardshrink(x!, n(kw, "lambd", 0.5)),
  softshrink: ([x], kw) => F.softshrink(x!, { lambd: n(kw, "lambd", 0.5) }),
  tanhshrink: ([x]) => F.tanhshrink(x!),
  softplus: ([x], kw) => F.softplus(x!, n(kw, "beta", 1), n(kw, "threshold", 20)),
  softsign: ([x]) => F.softsign(x!),
  logsigmoid: ([x]) => F.logsigmoid(x!),
  threshold: ([x], kw) => F.threshold(x!, kw.threshold as number, kw.value as number),
  rreluEval: ([x], kw) => F.rrelu(x!, n(kw, "lower", 1 / 8), n(kw, "upper", 1 / 3)),
  glu: ([x], kw) => F.glu(x!, n(kw, "dim", -1)),
  softmax: ([x], kw) => F.softmax(x!, kw.dim as number),
  logSoftmax: ([x], kw) => F.logSoftmax(x!, { dim: kw.dim as number }),
  softmin: ([x], kw) => F.softmin(x!, kw.dim as number),
  prelu: ([x, w]) => F.prelu(x!, w!),
  softmax2d: ([x]) => new nn.Softmax2d().forward(x!),
  rreluTrain: ([x], kw) => { torch.manualSeed(kw.seed as number); return F.rrelu(x!, kw.lower as number, kw.upper as number, true); },
};

describe("activations vs PyTorch (forward, grad_fn, gradients)", () => {
  for (const c of fx.activations as Case[]) {
    const fn = OPS[c.op]!;
    test(c.id, () => {
      runCase(c, (xs) => fn(xs, c.kwargs as Kw));
      // the same values through a non-contiguous layout (rrelu draws in element order, so it is seeded again)
      runCase(c, (xs) => fn(xs, c.kwargs as Kw), { layout: nonContiguous });
    });
  }
});

test("activation modules: forward equals the functional form, reprs match PyTorch", () => {
  const mods: nn.Module[] = [new nn.ReLU(), new nn.ReLU(true), new nn.ReLU6(), new nn.ReLU6(true), new nn.LeakyReLU(), new nn.LeakyReLU(0.2, true),
    new nn.PReLU(), new nn.PReLU(3, 0.1), new nn.RReLU(), new nn.RReLU(0.1, 0.3, true), new nn.ELU(), new nn.ELU(0.5, true), new nn.SELU(),
    new nn.SELU(true), new nn.CELU(), new nn.CELU({ alpha: 2.0 }), new nn.GELU(), new nn.GELU({ approximate: "tanh" }), new nn.SiLU(), new nn.SiLU(true),
    new nn.Mish(), new nn.Sigmoid(), new nn.Tanh(), new nn.Hardtanh(), new nn.Hardtanh(-2.5, 2.5, true), new nn.Hardswish(), new nn.Hardsigmoid(),
    new nn.Hardshrink(), new nn.Softshrink(0.3), new nn.Tanhshrink(), new nn.Softplus(), new nn.Softplus({ beta: 2.5, threshold: 10.5 }),
    new nn.Softsign(), new nn.LogSigmoid(), new nn.Threshold(0.1, 20), new nn.Threshold(0.1, 20, true), new nn.GLU(), new nn.GLU(1),
    new nn.Softmax(1), new nn.Softmin(0), new nn.LogSoftmax(-1), new nn.Softmax2d()];
  assert.deepEqual(mods.map((m) => String(m)), fx.activationReprs);
  const x = torch.randn([2, 4, 3, 2], { dtype: torch.float64 });
  const same = (a: T, b: T, what: string) => assert.ok(torch.allclose(a, b, { rtol: 1e-12, atol: 1e-12 }), what);
  same(new nn.ELU(0.5).forward(x), F.elu(x, 0.5), "ELU");
  same(new nn.Softplus(2, 5).forward(x), F.softplus(x, { beta: 2, threshold: 5 }), "Softplus");
  same(new nn.GLU(1).forward(x), F.glu(x, { dim: 1 }), "GLU");
  same(new nn.Softmax2d().forward(x), F.softmax(x, 1), "Softmax2d");
  same(new nn.Hardtanh(-0.5, 0.5).forward(x), x.clamp(-0.5, 0.5), "Hardtanh");
  // PReLU: one learnt slope per channel, registered as "weight"
  const p = new nn.PReLU(4, 0.1, { dtype: torch.float64 });
  assert.deepEqual(Object.keys(p.stateDict()), ["weight"]);
  const y = p.forward(x);
  same(y, torch.where(x.gt(0), x, x.mul(0.1)), "PReLU");
  y.sum().backward();
  assert.deepEqual(p.weight.grad?.shape, [4]);
  same(p.weight.grad!, torch.where(x.gt(0), 0, x).sum([0, 2, 3]), "PReLU weight grad");
  // RReLU: random slopes in train mode, their mean in eval mode
  const r = new nn.RReLU(0.1, 0.3);
  same(r.eval().forward(x), F.leakyRelu(x, 0.2), "RReLU eval");
  const yr = r.train().forward(x.neg().abs().neg());
  const slopes = yr.div(x.neg().abs().neg());
  assert.ok(slopes.ge(0.1).all().item() && slopes.le(0.3).all().item(), "RReLU train slopes in [lower, upper]");
});

test("in-place activations: values, grad_fn and gradients through a non-leaf", () => {
  const calls: Record<string, (x: T, kw: Kw) => T> = {
    relu: (x) => F.relu(x, { inplace: true }), elu: (x) => F.elu(x, { inplace: true }), leakyRelu: (x, kw) => F.leakyRelu(x, kw.negative_slope as number, { inplace: true }),
    hardtanh: (x) => F.hardtanh(x, { inplace: true }), selu: (x) => F.selu(x, true), celu: (x) => F.celu(x, { inplace: true }), silu: (x) => F.silu(x, true),
    mish: (x) => F.mish(x, true), hardswish: (x) => F.hardswish(x, true), hardsigmoid: (x) => F.hardsigmoid(x, true), relu6: (x) => F.relu6(x, true),
    threshold: (x, kw) => F.threshold(x, kw.threshold as number, kw.value as number, true),
  };
  for (const [name, c] of Object.entries(fx.activationInplace as Record<string, { kwargs: Kw; x: never; out: never; gradOut: never; gx: never; gradFn: string }>)) {
    const leaf = dec(c.x, true);
    const h = leaf.mul(1);
    const v0 = h._version;
    const y = calls[name]!(h, c.kwargs);
    assert.equal(y, h, `${name}: returns its input`);
    assert.ok(h._version > v0, `${name}: version bumped`);
    assert.equal(y.gradFn?.name(), c.gradFn, `${name}: grad_fn`);
    close(y, c.out, `${name}_ forward`);
    y.backward(dec(c.gradOut));
    close(leaf.grad, c.gx, `${name}_ grad`);
  }
});

test("activation errors in PyTorch's words", () => {
  const e = fx.activationErrors;
  throwsLike(() => F.glu(torch.randn(3, 3), 1), e.glu);
  throwsLike(() => F.prelu(torch.randn(2, 3, 4), torch.tensor([0.25, 0.3])), e.prelu);
  throwsLike(() => F.gelu(torch.randn(3), { approximate: "x" as "tanh" }), e.gelu);
  throwsLike(() => new nn.Softmax2d().forward(torch.randn(3, 4)), e.softmax2d);
  throwsLike(() => F.softmax(torch.randn(3, 4), 2), e.softmaxDim);
  throwsLike(() => F.elu(torch.randn([3], { requiresGrad: true }), { inplace: true }), e.inplaceLeaf);
});

test("gradcheck in float64", () => {
  torch.manualSeed(3);
  // values away from the kinks, where finite differences are meaningful
  const x = torch.rand([3, 4], { dtype: torch.float64 }).mul(4).sub(2).add(torch.tensor([0.013], { dtype: torch.float64 })).requiresGrad_();
  const fns: [string, (a: T) => T][] = [
    ["elu", (a) => F.elu(a, 0.7)], ["selu", (a) => F.selu(a)], ["celu", (a) => F.celu(a, 1.5)], ["gelu", (a) => F.gelu(a)],
    ["gelu tanh", (a) => F.gelu(a, { approximate: "tanh" })], ["silu", (a) => F.silu(a)], ["mish", (a) => F.mish(a)],
    ["softplus", (a) => F.softplus(a, 2, 3)], ["logsigmoid", (a) => F.logsigmoid(a)], ["hardswish", (a) => F.hardswish(a)],
    ["hardsigmoid", (a) => F.hardsigmoid(a)], ["leakyRelu", (a) => F.leakyRelu(a, 0.2)], ["softshrink", (a) => F.softshrink(a, 0.3)],
    ["hardshrink", (a) => F.hardshrink(a, 0.3)], ["hardtanh", (a) => F.hardtanh(a, -0.7, 0.9)], ["glu", (a) => F.glu(a, 1)],
    ["softmin", (a) => F.softmin(a, 1)], ["tanhshrink", (a) => F.tanhshrink(a)], ["softsign", (a) => F.softsign(a)],
    ["threshold", (a) => F.threshold(a, 0.1, 3)], ["rrelu eval", (a) => F.rrelu(a)],
  ];
  for (const [name, f] of fns) assert.ok(torch.autograd.gradcheck(f, [x]), name);
  const w = torch.tensor([0.2, -0.3, 0.4], { dtype: torch.float64 }).requiresGrad_();
  const x3 = torch.randn([2, 3, 2], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a, b) => F.prelu(a, b), [x3, w]), "prelu");
  // second derivatives flow through the recorded formulas
  assert.ok(torch.autograd.gradgradcheck((a) => F.elu(a), [x]), "elu gradgrad");
  assert.ok(torch.autograd.gradgradcheck((a) => F.softplus(a), [x]), "softplus gradgrad");
});
