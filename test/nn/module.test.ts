// SPDX-License-Identifier: BSD-3-Clause
// nn.Module: registration, the named iterators and their options, getSubmodule/getParameter/getBuffer,
// train/eval, requiresGrad_, zeroGrad, to/float/double/half/cuda, stateDict (keepVars, prefix,
// non-persistent buffers, _metadata), loadStateDict (missing/unexpected/size-mismatch text from
// PyTorch 1.13 fixtures), forward hooks, full backward hooks and state-dict hooks.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { closeTo, dec, type Enc, fx } from "./fixture-util.js";

type T = torch.Tensor;
const check = (fn: () => unknown, exp: { type: string; message: string }): void =>
  assert.throws(fn, (err: Error) => err.name === exp.type && err.message === exp.message, `${exp.type}: ${exp.message}`);

class Small extends nn.Module {
  fc1: nn.Linear; bn: nn.BatchNorm1d; fc: nn.Linear;
  constructor(n = 3) {
    super();
    this.fc1 = new nn.Linear(4, n);
    this.bn = new nn.BatchNorm1d(n);
    this.fc = new nn.Linear(n, 2);
  }
  override forward(x: T): T { return this.fc.forward(this.bn.forward(this.fc1.forward(x))); }
}

test("registration: fields, registerParameter/Buffer/Module, non-persistent buffers, name errors", () => {
  const m = new nn.Module();
  m.registerParameter("w", new nn.Parameter(torch.ones(2)));
  m.registerBuffer("stat", torch.zeros(2));
  m.registerBuffer("tmp", torch.zeros(1), { persistent: false });
  m.registerModule("child", new nn.Linear(2, 1));
  m.addModule("none", null);
  assert.deepEqual([...m.namedParameters()].map(([k]) => k), ["w", "child.weight", "child.bias"]);
  assert.deepEqual([...m.namedBuffers()].map(([k]) => k), ["stat", "tmp"]);
  assert.deepEqual(Object.keys(m.stateDict()), ["w", "stat", "child.weight", "child.bias"]);
  assert.equal(String(m), "Module(\n  (child): Linear(in_features=2, out_features=1, bias=True)\n  (none): None\n)");
  assert.throws(() => m.registerBuffer("a.b", torch.zeros(1)), /buffer name can't contain "."/);
  assert.throws(() => m.registerParameter("", null), /parameter name can't be empty string ""/);
  const R = fx.registration;
  check(() => m.registerParameter("x", torch.zeros(1) as nn.Parameter), R.paramFloat);
  check(() => m.registerParameter("x", torch.zeros([1], { dtype: "float64" }) as nn.Parameter), R.paramDouble);
  check(() => m.registerBuffer("y", 3 as unknown as T), R.bufferInt);
  check(() => m.train("a" as unknown as boolean), R.train);
  check(() => m.registerModule("z", 3 as unknown as nn.Module), R.moduleInt);
  assert.throws(() => m.registerBuffer("w", torch.zeros(1)), /attribute 'w' already exists/);
});

test("named iterators: prefix, recurse, removeDuplicate (shared modules and parameters), modules and children", () => {
  const shared = new nn.Linear(2, 2);
  const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
  assert.deepEqual([...seq.namedParameters()].map(([k]) => k), ["0.weight", "0.bias"]);
  assert.deepEqual([...seq.namedParameters({ removeDuplicate: false })].map(([k]) => k), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  assert.deepEqual([...seq.namedParameters({ prefix: "net" })].map(([k]) => k), ["net.0.weight", "net.0.bias"]);
  assert.deepEqual([...seq.namedParameters("p", true)].map(([k]) => k), ["p.0.weight", "p.0.bias"]);
  assert.deepEqual([...seq.namedParameters({ recurse: false })], []);
  assert.deepEqual([...seq.namedModules()].map(([k]) => k), ["", "0", "1"]);
  assert.deepEqual([...seq.namedModules({ removeDuplicate: false })].map(([k]) => k), ["", "0", "1", "2"]);
  assert.deepEqual([...seq.namedChildren()].map(([k]) => k), ["0", "1"]);
  assert.equal([...seq.modules()].length, 3);
  assert.equal([...seq.parameters({ recurse: true })].length, 2);
  const bn = new nn.BatchNorm1d(2);
  assert.deepEqual([...bn.namedBuffers({ prefix: "bn" })].map(([k]) => k), ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]);
});

test("getSubmodule / getParameter / getBuffer and their errors as PyTorch", () => {
  const s = new nn.Sequential(new nn.Linear(1, 2), new nn.ReLU(), new nn.Linear(2, 3));
  assert.equal(s.getSubmodule("2"), s[2]);
  assert.equal(s.getParameter("0.weight"), (s[0] as nn.Linear).weight);
  const bn = new nn.Sequential(new nn.BatchNorm1d(2));
  assert.equal(bn.getBuffer("0.running_var"), (bn[0] as nn.BatchNorm1d).running_var);
  const e = fx.containers;
  check(() => s.getSubmodule("5"), e.getSubmoduleMissing);
  check(() => s.getSubmodule("1.x"), e.getSubmoduleDeep);
  check(() => s.getParameter("0.foo"), e.getParameterMissing);
  check(() => new nn.BatchNorm1d(2).getBuffer("foo"), e.getBufferMissing);
  check(() => new nn.BatchNorm1d(2).getBuffer("weight"), e.getBufferNotBuffer);
  const withList = new nn.Module();
  withList.registerModule("pl", new nn.ParameterList([torch.zeros(1)]));
  check(() => withList.getSubmodule("pl.0"), e.getSubmoduleNotModule);
});

test("train/eval, apply, requiresGrad_, zeroGrad (setToNone and zeroing)", () => {
  const net = new Small();
  assert.equal(net.training, true);
  net.eval();
  assert.equal(net.bn.training, false);
  net.train();
  assert.equal(net.bn.training, true);
  const seen: string[] = [];
  net.apply((m) => { seen.push(m.constructor.name); });
  assert.deepEqual(seen, ["Linear", "BatchNorm1d", "Linear", "Small"]);
  net.requiresGrad_(false);
  assert.ok([...net.parameters()].every((p) => !p.requiresGrad));
  net.requiresGrad_();
  net.forward(torch.randn(4, 4)).sum().backward();
  assert.ok(net.fc.weight.grad !== null);
  net.zeroGrad({ setToNone: false });
  assert.equal(net.fc.weight.grad!.abs().sum().item(), 0);
  net.zeroGrad();
  assert.equal(net.fc.weight.grad, null);
});

test("to(dtype), double/float/half/bfloat16 keep Parameter identity and leave integer buffers; cuda() without CUDA", () => {
  const net = new Small();
  const w = net.fc.weight;
  net.double();
  assert.equal(net.fc.weight, w);
  assert.equal(w.dtype, "float64");
  assert.equal(net.bn.running_mean!.dtype, "float64");
  assert.equal(net.bn.num_batches_tracked!.dtype, "int64");
  net.to("float32");
  assert.equal(w.dtype, "float32");
  net.to({ dtype: "float16" });
  assert.equal(w.dtype, "float16");
  net.bfloat16();
  assert.equal(w.dtype, "bfloat16");
  net.float().cpu();
  assert.equal(w.dtype, "float32");
  assert.throws(() => net.to("int64"), /nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=int64/);
  check(() => net.cuda(), fx.containers.cuda);
  check(() => net.to("cuda"), fx.containers.toCuda);
});

test("stateDict: keys as PyTorch, keepVars, prefix, detached values sharing storage, _metadata versions", () => {
  const net = new Small();
  const sd = net.stateDict();
  assert.deepEqual(Object.keys(sd), fx.load.keys);
  assert.equal(sd["fc.weight"]!.requiresGrad, false);
  assert.equal(net.stateDict({ keepVars: true })["fc.weight"], net.fc.weight);
  assert.deepEqual(Object.keys(net.stateDict({ prefix: "model." })).slice(0, 2), ["model.fc1.weight", "model.fc1.bias"]);
  torch.noGrad(() => sd["fc.bias"]!.fill_(7));
  assert.equal(net.fc.bias!.sum().item(), 14, "stateDict values share storage with the parameters");
  assert.deepEqual(net.stateDictMetadata(), { "": { version: 1 }, fc1: { version: 1 }, bn: { version: 2 }, fc: { version: 1 } });
});

test("loadStateDict: missing / unexpected / size mismatch errors and strict=false results, text from PyTorch", () => {
  const ref = new Small();
  const sd = ref.stateDict();
  const without = (d: Record<string, T>, k: string): Record<string, T> => Object.fromEntries(Object.entries(d).filter(([kk]) => kk !== k));
  const missing = without(sd, "fc.bias");
  const extra = { ...sd, "fc.extra": torch.zeros(1), "head.weight": torch.zeros(2) };
  const wrong = new Small(5).stateDict();
  const combo = { ...without(wrong, "bn.running_var"), zzz: torch.zeros(1) };
  const L = fx.load;
  check(() => new Small().loadStateDict(missing), L.missing);
  check(() => new Small().loadStateDict(extra), L.unexpected);
  check(() => new Small().loadStateDict(wrong), L.size);
  check(() => new Small().loadStateDict(combo), L.combo);
  check(() => new Small().loadStateDict(combo, { strict: false }), L.nonStrictSize);
  check(() => new nn.Sequential(new nn.InstanceNorm2d(3)).loadStateDict({ "0.running_mean": torch.zeros(3), "0.running_var": torch.ones(3) }),
    L.instanceNormOldStats);
  assert.deepEqual(new Small().loadStateDict(missing, { strict: false }), { missingKeys: L.nonStrictMissing.missing, unexpectedKeys: L.nonStrictMissing.unexpected });
  assert.deepEqual(new Small().loadStateDict(new Map(Object.entries(extra)), { strict: false }), { missingKeys: L.nonStrictExtra.missing, unexpectedKeys: L.nonStrictExtra.unexpected });
  // loads the values; a BatchNorm checkpoint without version metadata may omit num_batches_tracked (as PyTorch)
  const net = new Small();
  net.loadStateDict(without(sd, "bn.num_batches_tracked"));
  assert.equal(net.fc.weight.sub(ref.fc.weight).abs().max().item(), 0);
  const withMeta = ref.stateDict();
  delete withMeta["bn.num_batches_tracked"];
  assert.throws(() => net.loadStateDict(withMeta), /Missing key\(s\) in state_dict: "bn.num_batches_tracked"/,
    "with version 2 metadata the key is required");
  assert.throws(() => net.loadStateDict({ ...sd, "fc.bias": 3 as unknown as T }),
    /While copying the parameter named "fc.bias", expected torch.Tensor or Tensor-like object from checkpoint but received <class 'int'>/);
});

test("loadStateDict({ assign: true }) makes the checkpoint tensors the parameters and buffers", () => {
  const src = new Small(), dst = new Small();
  const sd = src.stateDict();
  dst.loadStateDict(sd, { assign: true });
  assert.ok(dst.fc.weight instanceof nn.Parameter);
  assert.equal(dst.fc.weight.requiresGrad, true);
  assert.equal(dst.fc.weight._storage, sd["fc.weight"]!._storage, "shares the checkpoint tensor's storage");
  assert.equal(dst.bn.running_mean, sd["bn.running_mean"]);
  assert.deepEqual([...dst.parameters()].length, 6);
});

test("getExtraState / setExtraState round-trip under _extra_state; missing and unexpected as PyTorch", () => {
  class WithExtra extends nn.Module {
    lin = new nn.Linear(1, 1);
    note = "a";
    override getExtraState(): unknown { return { note: this.note }; }
    override setExtraState(s: { note: string }): void { this.note = s.note; }
  }
  const a = new WithExtra();
  a.note = "saved";
  const sd = a.stateDict();
  assert.deepEqual(Object.keys(sd), ["_extra_state", "lin.weight", "lin.bias"], "own state first, as PyTorch");
  const b = new WithExtra();
  b.loadStateDict(sd);
  assert.equal(b.note, "saved");
  assert.throws(() => b.loadStateDict({ "lin.weight": sd["lin.weight"]!, "lin.bias": sd["lin.bias"]! }), /Missing key\(s\) in state_dict: "_extra_state"/);
  assert.throws(() => new nn.Linear(1, 1).loadStateDict({ ...new nn.Linear(1, 1).stateDict(), _extra_state: torch.zeros(1) }),
    /Unexpected key\(s\) in state_dict: "_extra_state"/);
});

test("state-dict hooks: pre hook, post hook editing the result, load post hook", () => {
  const net = new nn.Linear(2, 2);
  const calls: string[] = [];
  const h1 = net.registerStateDictPreHook((_m, prefix) => { calls.push(`pre:${prefix}`); });
  const h2 = net._registerStateDictHook((_m, sd, prefix) => { delete sd[`${prefix}bias`]; });
  assert.deepEqual(Object.keys(net.stateDict()), ["weight"]);
  assert.deepEqual(calls, ["pre:"]);
  h1.remove(); h2.remove();
  assert.deepEqual(Object.keys(net.stateDict()), ["weight", "bias"]);
  net.registerLoadStateDictPostHook((_m, keys) => { keys.unexpectedKeys.splice(0); });
  assert.deepEqual(net.loadStateDict({ ...net.stateDict(), junk: torch.zeros(1) }), { missingKeys: [], unexpectedKeys: [] });
});

test("forward pre-hooks and hooks replace inputs/outputs; handles remove; prepend and alwaysCall", () => {
  const H = fx.hooks;
  const lin = new nn.Linear(3, 2);
  torch.manualSeed(41);
  torch.noGrad(() => { for (const [, p] of lin.namedParameters()) p.copy_(torch.randn(p.shape).mul(0.2)); });
  const x = dec(H.x);
  const h4 = lin.registerForwardPreHook((_m, args) => [(args[0] as T).mul(2)]);
  const h5 = lin.registerForwardHook((_m, _a, o) => (o as T).add(1));
  closeTo(lin.forward(x), H.fwdHooked, "hooked forward");
  h4.remove(); h5.remove();
  closeTo(lin.forward(x), H.fwdPlain, "plain forward");
  const order: string[] = [];
  lin.registerForwardHook(() => { order.push("a"); });
  lin.registerForwardHook(() => { order.push("b"); }, { prepend: true });
  lin.forward(x);
  assert.deepEqual(order, ["b", "a"]);
  const failing = new nn.Linear(3, 2);
  let called = 0;
  failing.registerForwardHook(() => { called++; }, { alwaysCall: true });
  assert.throws(() => failing.forward(torch.randn(2, 5)));
  assert.equal(called, 1);
});

test("full backward hooks: gradInput/gradOutput as PyTorch, replacing gradInput, pre-hooks replacing gradOutput", () => {
  const H = fx.hooks;
  const lin = new nn.Linear(3, 2);
  torch.manualSeed(41);
  torch.noGrad(() => { for (const [, p] of lin.namedParameters()) p.copy_(torch.randn(p.shape).mul(0.2)); });
  const x = dec(H.x).requiresGrad_();
  let gi: (T | null)[] = [], go: (T | null)[] = [];
  const h1 = lin.registerFullBackwardHook((_m, a, b) => { gi = a; go = b; });
  const y = lin.forward(x);
  y.backward(torch.ones(4, 2).mul(torch.arange(2.0)));
  h1.remove();
  assert.equal(gi.length, H.linearGradInput.length);
  closeTo(gi[0]!, H.linearGradInput[0] as Enc, "grad_input[0]");
  closeTo(go[0]!, H.linearGradOutput[0] as Enc, "grad_output[0]");
  // the hook's result replaces grad_input
  x.grad = null; lin.zeroGrad();
  const h3 = lin.registerFullBackwardHook((_m, a) => [a[0]!.mul(2)]);
  lin.forward(x).sum().backward();
  closeTo(x.grad, H.replacedGx, "replaced grad x");
  closeTo(lin.weight.grad, H.replacedGw, "weight grad unaffected");
  // a backward pre-hook scales grad_output before the module's backward (weight grads scale too)
  x.grad = null; lin.zeroGrad();
  const h2 = lin.registerFullBackwardPreHook((_m, g) => [g[0]!.mul(3)]);
  lin.forward(x).sum().backward();
  assert.ok(x.grad!.sub(dec(H.replacedGx).mul(3)).abs().max().item() as number < 1e-5);
  assert.ok(lin.weight.grad!.sub(dec(H.replacedGw).mul(3)).abs().max().item() as number < 1e-5);
  h2.remove(); h3.remove();
  // a container whose input does not require grad: grad_input is (None,)
  const seq = new nn.Sequential(new nn.Linear(3, 3), new nn.Tanh(), new nn.Linear(3, 1));
  torch.manualSeed(43);
  torch.noGrad(() => { for (const [, p] of seq.namedParameters()) p.copy_(torch.randn(p.shape).mul(0.2)); });
  let gis: boolean[] = [], gos: (T | null)[] = [];
  seq.registerFullBackwardHook((_m, a, b) => { gis = a.map((g) => g === null); gos = b; });
  seq.forward(x.detach()).sum().backward();
  assert.deepEqual(gis, H.seqGradInputIsNone);
  closeTo(gos[0]!, H.seqGradOutput[0] as Enc, "seq grad_output");
});

test("full backward hook on a module with a non-tensor argument and two outputs", () => {
  const H = fx.hooks.two;
  class Two extends nn.Module {
    override forward(a: T, k: number, b: T): T[] { return [a.mul(b).mul(k), a.add(b)]; }
  }
  const two = new Two();
  let gi: (T | null)[] = [], go: (T | null)[] = [];
  two.registerFullBackwardHook((_m, a, b) => { gi = a; go = b; });
  const a = dec(H.a).requiresGrad_(), b = dec(H.b).requiresGrad_();
  const [o1, o2] = two.forward(a, 2.0, b) as T[];
  assert.equal(o1!.gradFn?.name(), "BackwardHookFunctionBackward");
  o1!.sum().add(o2!.pow(2).sum()).backward();
  assert.deepEqual(gi.map((g) => g === null), (H.gi as (Enc | null)[]).map((g) => g === null));
  gi.forEach((g, i) => { if (g !== null) closeTo(g, H.gi[i] as Enc, `grad_input[${i}]`); });
  go.forEach((g, i) => closeTo(g!, H.go[i] as Enc, `grad_output[${i}]`));
  closeTo(a.grad, H.ga, "a.grad");
  closeTo(b.grad, H.gb, "b.grad");
});
