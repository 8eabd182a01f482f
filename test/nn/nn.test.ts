// SPDX-License-Identifier: BSD-3-Clause
// torch.nn against test/fixtures/nn.json (scripts/gen_nn_fixtures.py, PyTorch 1.13): layer and loss
// forward values and gradients, default init, reprs, stateDict, loadStateDict errors, training.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { assertValues, type Json, flatValues, loadFixture } from "../helpers.js";

const F = nn.functional;
type T = torch.Tensor;
interface Enc { shape: number[]; dtype: torch.DType; data: Json[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fx = loadFixture<any>("nn.json");

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
function dec(e: Enc, requiresGrad = false): T {
  const vals = e.data.map((v) => (typeof v === "string" ? (e.dtype === "int64" ? Number(v) : SPECIAL[v]!) : v as number));
  const t = torch.tensor(vals, { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_() : t;
}
function close(actual: T | null, expected: Enc, what: string, tol?: [number, number]): void {
  assert.ok(actual !== null, `${what}: missing`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  if (tol) {
    const a = flatValues(actual) as number[], e = expected.data.map((v) => (typeof v === "string" ? SPECIAL[v]! : v as number));
    a.forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= tol[1] + tol[0] * Math.abs(e[i]!) || (Number.isNaN(v) && Number.isNaN(e[i]!)), `${what}[${i}]: ${v} != ${e[i]}`));
    return;
  }
  assertValues(flatValues(actual), flatValues(dec(expected)), expected.dtype, what);
}

test("default init after manualSeed matches PyTorch (Linear, Conv2d, init functions)", () => {
  torch.manualSeed(0);
  const lin = new nn.Linear(3, 2);
  close(lin.weight, fx.init.linear.weight, "linear.weight");
  close(lin.bias, fx.init.linear.bias, "linear.bias");
  torch.manualSeed(0);
  const conv = new nn.Conv2d(3, 6, 5);
  close(conv.weight, fx.init.conv.weight, "conv.weight");
  close(conv.bias, fx.init.conv.bias, "conv.bias");
  torch.manualSeed(0);
  const convg = new nn.Conv2d(4, 6, [3, 2], { groups: 2, bias: false });
  close(convg.weight, fx.init.convGroups.weight, "conv(groups).weight");
  torch.manualSeed(0);
  const t = torch.empty(5, 4);
  nn.init.xavierUniform_(t); close(t, fx.initFns.xavierUniform, "xavierUniform_");
  nn.init.xavierNormal_(t, 2.0); close(t, fx.initFns.xavierNormal, "xavierNormal_");
  nn.init.kaimingUniform_(t, { a: 0.1, mode: "fan_out", nonlinearity: "leaky_relu" }); close(t, fx.initFns.kaimingUniform, "kaimingUniform_");
  nn.init.kaimingNormal_(t, { nonlinearity: "relu" }); close(t, fx.initFns.kaimingNormal, "kaimingNormal_");
  const gains = (["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"] as const).map((n) => nn.init.calculateGain(n));
  gains.forEach((g, i) => assert.ok(Math.abs(g - fx.initFns.gains[i]) < 1e-12));
});

test("conv2d forward and input/weight/bias gradients (stride, padding, same/valid, dilation, groups)", () => {
  for (const [i, c] of (fx.conv2d as any[]).entries()) {
    const x = dec(c.x, true), w = dec(c.w, true), b = c.b ? dec(c.b, true) : null;
    const y = F.conv2d(x, w, b, c.opts);
    assert.equal(y.gradFn?.name(), "ConvolutionBackward0");
    close(y, c.out, `conv2d[${i}] out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `conv2d[${i}] grad input`);
    close(w.grad, c.gw, `conv2d[${i}] grad weight`);
    if (b) close(b.grad, c.gb, `conv2d[${i}] grad bias`);
    // positional form and float32 agree too
    const y32 = F.conv2d(x.detach().float(), w.detach().float(), b?.detach().float() ?? null, c.opts.stride, c.opts.padding, c.opts.dilation, c.opts.groups);
    close(y32, c.out, `conv2d[${i}] float32`, [1e-4, 1e-4]);
  }
});

test("conv2d gradcheck in float64 and PyTorch's errors", () => {
  const x = torch.randn([2, 4, 5, 5], { dtype: torch.float64 }).requiresGrad_();
  const w = torch.randn([4, 2, 3, 3], { dtype: torch.float64 }).requiresGrad_();
  const b = torch.randn([4], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a, k, c) => F.conv2d(a, k, c, { stride: 2, padding: 1, groups: 2, dilation: [1, 2] }), [x, w, b]));
  assert.throws(() => new nn.Conv2d(1, 6, 3).forward(torch.randn(2, 3)),
    { message: "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]" });
  assert.throws(() => new nn.Conv2d(1, 6, 3).forward(torch.randn(1, 3, 8, 8)),
    { message: "Given groups=1, weight of size [6, 1, 3, 3], expected input[1, 3, 8, 8] to have 1 channels, but got 3 channels instead" });
  // unbatched (C, H, W) input
  assert.deepEqual(new nn.Conv2d(1, 6, 3).forward(torch.randn(1, 8, 8)).shape, [6, 6, 6]);
});

test("maxPool2d / avgPool2d / adaptiveAvgPool2d forward, indices and gradients", () => {
  for (const [i, c] of (fx.maxPool2d as any[]).entries()) {
    const x = dec(c.x, true);
    const o = c.opts;
    const [y, ind] = F.maxPool2dWithIndices(x, o.kernelSize, { stride: o.stride, padding: o.padding, dilation: o.dilation, ceilMode: o.ceilMode });
    assert.equal(y.gradFn?.name(), "MaxPool2DWithIndicesBackward0");
    close(y, c.out, `maxPool2d[${i}] out`);
    close(ind, c.indices, `maxPool2d[${i}] indices`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `maxPool2d[${i}] grad`);
  }
  for (const [i, c] of (fx.avgPool2d as any[]).entries()) {
    const x = dec(c.x, true);
    const o = c.opts;
    const y = F.avgPool2d(x, o.kernelSize, o.stride, o.padding, o.ceilMode, o.countIncludePad, o.divisorOverride);
    close(y, c.out, `avgPool2d[${i}] out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `avgPool2d[${i}] grad`);
  }
  for (const [i, c] of (fx.adaptiveAvgPool2d as any[]).entries()) {
    const x = dec(c.x, true);
    const y = new nn.AdaptiveAvgPool2d(c.outputSize).forward(x);
    close(y, c.out, `adaptiveAvgPool2d[${i}] out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `adaptiveAvgPool2d[${i}] grad`);
  }
  const x = torch.randn([1, 2, 6, 7], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a) => F.maxPool2d(a, 3, { stride: 2, padding: 1, ceilMode: true }), [x]));
  assert.ok(torch.autograd.gradcheck((a) => F.avgPool2d(a, [2, 3], { stride: 1, padding: 1, countIncludePad: false }), [x]));
});

test("linear and activations: values and gradients", () => {
  const l = fx.linear;
  const x = dec(l.x, true), w = dec(l.w, true), b = dec(l.b, true);
  const y = F.linear(x, w, b);
  assert.equal(y.gradFn?.name(), l.gradFn);
  close(y, l.out, "linear");
  y.backward(dec(l.gradOut));
  close(x.grad, l.gx, "linear gx"); close(w.grad, l.gw, "linear gw"); close(b.grad, l.gb, "linear gb");
  const fns: Record<string, (t: T) => T> = {
    relu: (t) => new nn.ReLU().forward(t), leakyRelu: (t) => new nn.LeakyReLU(0.2).forward(t), sigmoid: (t) => new nn.Sigmoid().forward(t),
    tanh: (t) => new nn.Tanh().forward(t), gelu: (t) => new nn.GELU().forward(t), geluTanh: (t) => new nn.GELU({ approximate: "tanh" }).forward(t),
    silu: (t) => new nn.SiLU().forward(t), softmax1: (t) => F.softmax(t, 1), softmax0: (t) => new nn.Softmax(0).forward(t),
    logSoftmax1: (t) => F.logSoftmax(t, { dim: 1 }), logSoftmaxNeg1: (t) => new nn.LogSoftmax(-1).forward(t),
  };
  for (const [name, fn] of Object.entries(fns)) {
    const c = fx.activations[name];
    const xi = dec(c.x, true);
    const yi = fn(xi);
    close(yi, c.out, `${name} out`);
    yi.backward(dec(c.gradOut));
    close(xi.grad, c.gx, `${name} grad`);
  }
  const xs = torch.randn([3, 4], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a) => F.logSoftmax(a, 1), [xs]));
  assert.ok(torch.autograd.gradcheck((a) => F.softmax(a, 0), [xs]));
});

test("losses: CrossEntropy (weight, ignoreIndex, labelSmoothing, K-dim, probabilities), NLL, MSE, L1, BCE, BCEWithLogits", () => {
  const wt = dec(fx.lossWeight), pw = dec(fx.lossPosWeight);
  for (const [i, c] of (fx.losses as any[]).entries()) {
    const o = c.opts;
    const x = dec(c.input, true), t = dec(c.target);
    const red = o.reduction ?? "mean";
    const weight = o.weight ? wt : null;
    let y: T;
    switch (c.name) {
      case "crossEntropy": y = new nn.CrossEntropyLoss({ weight, reduction: red, ignoreIndex: o.ignoreIndex ?? -100, labelSmoothing: o.labelSmoothing ?? 0 }).forward(x, t); break;
      case "nllLoss": y = new nn.NLLLoss({ weight, reduction: red }).forward(x, t); break;
      case "mseLoss": y = new nn.MSELoss({ reduction: red }).forward(x, t); break;
      case "l1Loss": y = new nn.L1Loss({ reduction: red }).forward(x, t); break;
      case "bce": y = new nn.BCELoss({ reduction: red }).forward(x, t); break;
      case "bceWithLogits": y = new nn.BCEWithLogitsLoss({ reduction: red, weight, posWeight: o.posWeight ? pw : null }).forward(x, t); break;
      default: throw new Error(c.name);
    }
    const what = `${c.name}[${i}] ${JSON.stringify(o)}`;
    close(y, c.out, `${what} out`);
    y.backward(dec(c.gradOut));
    close(x.grad, c.gx, `${what} grad`);
  }
  assert.throws(() => F.crossEntropy(torch.randn(5, 4), torch.tensor([0, 5, 1, 3, 2])),
    (e: Error) => e.name === fx.targetOutOfBounds.type && e.message === fx.targetOutOfBounds.message);
  const mse = new nn.MSELoss().forward(new nn.Linear(3, 2).forward(torch.randn(1, 3)), torch.randn(1, 2));
  assert.equal(mse.gradFn?.name(), "MseLossBackward0");
  assert.equal(mse.gradFn?.nextFunctions[0]?.[0]?.name(), "AddmmBackward0");
});

test("dropout draws PyTorch's mask; eval() is the identity", () => {
  torch.manualSeed(0);
  close(F.dropout(torch.ones(4, 6), 0.3), fx.dropout.p03, "dropout p=0.3");
  torch.manualSeed(0);
  const d = new nn.Dropout(0.5);
  close(d.forward(torch.arange(12, { dtype: torch.float32 }).reshape(3, 4)), fx.dropout.module05, "nn.Dropout(0.5)");
  d.eval();
  const x = torch.randn(3, 4);
  assert.equal(d.forward(x), x);
});

test("BatchNorm2d / BatchNorm1d: batch statistics, running buffers, eval mode", () => {
  const c = fx.batchNorm2d;
  const bn = new nn.BatchNorm2d(3).double();
  torch.noGrad(() => { bn.weight!.copy_(torch.tensor([1.0, 2.0, 0.5])); bn.bias!.copy_(torch.tensor([0.1, -0.2, 0.3])); });
  const x = dec(c.x, true);
  const y = bn.forward(x);
  close(y, c.out, "bn out");
  y.backward(dec(c.gradOut));
  close(x.grad, c.gx, "bn gx"); close(bn.weight!.grad, c.gw, "bn gw"); close(bn.bias!.grad, c.gb, "bn gb");
  close(bn.forward(x.detach().mul(0.5)), c.out2, "bn out2");
  close(bn.running_mean, c.runningMean, "running_mean"); close(bn.running_var, c.runningVar, "running_var");
  assert.equal(bn.num_batches_tracked!.item(), c.numBatchesTracked);
  bn.eval();
  close(bn.forward(x.detach()), c.evalOut, "bn eval");
  const bn1 = new nn.BatchNorm1d(4, { momentum: null }).double();
  const x1 = dec(fx.batchNorm1d.x);
  bn1.forward(x1); bn1.forward(x1.mul(2));
  close(bn1.running_mean, fx.batchNorm1d.runningMean, "bn1d running_mean (cumulative)");
  close(bn1.running_var, fx.batchNorm1d.runningVar, "bn1d running_var (cumulative)");
});

// ---- the seed networks --------------------------------------------------------------------------

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 3);
  conv2 = new nn.Conv2d(6, 16, 3);
  fc1 = new nn.Linear(16 * 6 * 6, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: T): T {
    x = F.maxPool2d(F.relu(this.conv1.forward(x)), [2, 2]);
    x = F.maxPool2d(F.relu(this.conv2.forward(x)), 2);
    x = x.view(-1, this.numFlatFeatures(x));
    x = F.relu(this.fc1.forward(x)); x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
  numFlatFeatures(x: T): number { return x.size().slice(1).reduce((a, b) => a * b, 1); }
}

class CifarNet extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  override forward(x: T): T {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = x.view(-1, 16 * 5 * 5);
    return this.fc3.forward(F.relu(this.fc2.forward(F.relu(this.fc1.forward(x)))));
  }
}

function seqNet(): nn.Sequential {
  return new nn.Sequential({
    conv: new nn.Conv2d(3, 8, 3, { stride: 2, padding: 1, bias: false }), bn: new nn.BatchNorm2d(8), act: new nn.ReLU(true),
    pool: new nn.AdaptiveAvgPool2d([1, 1]), flat: new nn.Flatten(), drop: new nn.Dropout(0.25),
    head: new nn.Sequential(new nn.Linear(8, 4), new nn.LeakyReLU(0.2), new nn.Linear(4, 2, { bias: false }), new nn.LogSoftmax({ dim: 1 })),
  });
}

test("String(module) matches PyTorch's repr", () => {
  assert.equal(String(new Net()), fx.repr.net);
  assert.equal(String(new CifarNet()), fx.repr.cifarNet);
  assert.equal(String(seqNet()), fx.repr.seq);
  const misc = new nn.Sequential(new nn.Conv2d(4, 4, [3, 1], { padding: "same", dilation: 2, groups: 2 }),
    new nn.MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new nn.AvgPool2d(2), new nn.GELU(), new nn.SiLU(), new nn.Sigmoid(),
    new nn.Tanh(), new nn.Softmax(-1), new nn.Identity(), new nn.Unflatten(1, [2, 2]),
    new nn.BatchNorm1d(5, { momentum: null, affine: false }), new nn.CrossEntropyLoss(), new nn.MSELoss(),
    new nn.ModuleList([new nn.ReLU(), new nn.Linear(2, 2)]), new nn.ModuleDict({ a: new nn.Tanh() }));
  assert.equal(String(misc), fx.repr.misc);
  assert.equal(String(new nn.Parameter(torch.tensor([1.0, 2.0], { dtype: torch.float32 }))), fx.repr.parameter);
});

test("parameters, stateDict keys/shapes and loadStateDict errors as PyTorch", () => {
  const net = new Net();
  const params = [...net.parameters()];
  assert.equal(params.length, 10);
  assert.deepEqual(params[0]!.size(), [6, 1, 3, 3]);
  assert.deepEqual(Object.keys(net.stateDict()), fx.stateDictKeys.net);
  const seq = seqNet();
  const sd = seq.stateDict();
  assert.deepEqual(Object.keys(sd), fx.stateDictKeys.seq);
  assert.deepEqual(Object.values(sd).map((t) => t.shape), fx.stateDictKeys.seqShapes);
  assert.ok(seq[0] instanceof nn.Conv2d === false);  // named children: seq.conv, not seq[0]
  assert.equal((seq as any).head[1].negativeSlope, 0.2);
  assert.equal((seq as any).head.length, 4);
  assert.deepEqual([...(seq as any).head].map((m: nn.Module) => m.constructor.name), ["Linear", "LeakyReLU", "Linear", "LogSoftmax"]);
  assert.equal(seq.getSubmodule("head.0"), (seq as any).head[0]);
  assert.equal(seq.getParameter("head.2.weight"), (seq as any).head[2].weight);

  const bad: Record<string, T> = { ...new Net().stateDict() };
  bad["fc1.weight"] = torch.zeros(120, 500);
  delete bad["fc3.bias"];
  bad["extra.weight"] = torch.zeros(1);
  assert.throws(() => new Net().loadStateDict(bad), { name: "RuntimeError", message: fx.loadError });
  const good = new Net().stateDict();
  delete good["fc3.bias"];
  good["junk"] = torch.zeros(1);
  const r = new Net().loadStateDict(good, { strict: false });
  assert.deepEqual(r, { missingKeys: fx.loadNonStrict.missing, unexpectedKeys: fx.loadNonStrict.unexpected });
  // a round trip copies the values
  const a = new Net(), b = new Net();
  b.loadStateDict(new Map(Object.entries(a.stateDict())));
  assert.ok(torch.equal(a.fc2.weight, b.fc2.weight));
});

test("Module mechanics: hooks, train/eval, apply, zeroGrad, to(dtype), buffers, registration", () => {
  const net = new CifarNet();
  const calls: string[] = [];
  const h1 = net.registerForwardPreHook((_m, args) => { calls.push("pre"); return args; });
  const h2 = net.conv1.registerForwardHook((_m, _a, out: T) => { calls.push("conv1"); return out.mul(0); });
  const y = net.forward(torch.randn(2, 3, 32, 32));
  assert.deepEqual(calls, ["pre", "conv1"]);
  assert.deepEqual(y.shape, [2, 10]);
  h1.remove(); h2.remove();
  net.forward(torch.randn(1, 3, 32, 32));
  assert.equal(calls.length, 2);
  net.eval();
  assert.ok([...net.modules()].every((m) => !m.training));
  net.train();
  assert.ok(net.pool.training);
  const names: string[] = [];
  net.apply((m) => names.push(m.constructor.name));
  assert.deepEqual(names, ["Conv2d", "MaxPool2d", "Conv2d", "Linear", "Linear", "Linear", "CifarNet"]);
  net.forward(torch.randn(1, 3, 32, 32)).sum().backward();
  assert.ok(net.fc1.weight.grad !== null);
  net.zeroGrad({ setToNone: false });
  assert.equal(net.fc1.weight.grad!.abs().sum().item(), 0);
  net.zeroGrad();
  assert.equal(net.fc1.weight.grad, null);
  const w = net.fc1.weight;
  net.double();
  assert.equal(net.fc1.weight, w);
  assert.equal(w.dtype, "float64");
  assert.equal(net.forward(torch.randn([1, 3, 32, 32], { dtype: torch.float64 })).dtype, "float64");
  net.to(torch.float32);
  assert.equal(w.dtype, "float32");
  net.requiresGrad_(false);
  assert.ok([...net.parameters()].every((p) => !p.requiresGrad));

  const m = new nn.Module();
  m.registerBuffer("stats", torch.zeros(2));
  m.registerBuffer("tmp", torch.ones(1), { persistent: false });
  m.registerParameter("p", new nn.Parameter(torch.ones(3)));
  m.registerModule("child", new nn.Linear(1, 1));
  assert.deepEqual([...m.namedBuffers()].map(([k]) => k), ["stats", "tmp"]);
  assert.deepEqual(Object.keys(m.stateDict()), ["p", "stats", "child.weight", "child.bias"]);
  assert.deepEqual([...m.namedModules()].map(([k]) => k), ["", "child"]);
  const bn = new nn.BatchNorm2d(2);
  assert.deepEqual(Object.keys(bn.stateDict()), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
  const ml = new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]);
  assert.equal(ml.length, 2);
  assert.ok(ml[1] instanceof nn.Tanh);
  assert.ok(ml.at(-1) instanceof nn.Tanh);
  const md = new nn.ModuleDict({ cls: new nn.Linear(2, 3) });
  assert.ok(md["cls"] instanceof nn.Linear);
  assert.deepEqual(Object.keys(md.stateDict()), ["cls.weight", "cls.bias"]);
});

test("the tutorial Net trained by hand for 5 SGD steps matches PyTorch's losses", () => {
  const c = fx.train;
  torch.manualSeed(0);
  const net = new Net();
  const inputs = dec(c.inputs), labels = dec(c.labels);
  const criterion = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    net.zeroGrad();
    const loss = criterion.forward(net.forward(inputs), labels);
    loss.backward();
    losses.push(loss.item() as number);
    torch.noGrad(() => { for (const p of net.parameters()) p.sub_(p.grad!.mul(c.lr)); });
  }
  losses.forEach((l, i) => assert.ok(Math.abs(l - c.losses[i]) < 1e-5, `step ${i}: ${l} vs ${c.losses[i]}`));
  close(net.fc3.bias, c.fc3BiasAfter, "fc3.bias after training", [1e-4, 1e-5]);
});
