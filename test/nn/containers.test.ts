// SPDX-License-Identifier: BSD-3-Clause
// Sequential (positional and OrderedDict forms), ModuleList, ModuleDict, ParameterList,
// ParameterDict, Identity, Flatten, Unflatten: indexing, slicing, mutation, stateDict keys and
// String(module) against PyTorch 1.13 (test/fixtures/nn-module.json).
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { fx } from "./fixture-util.js";

const check = (fn: () => unknown, exp: { type: string; message: string }): void =>
  assert.throws(fn, (err: Error) => err.name === exp.type && err.message === exp.message, `${exp.type}: ${exp.message}`);
const R = fx.reprs;

test("reprs as PyTorch: Sequential(OrderedDict), ModuleList, ModuleDict, ParameterList, ParameterDict, norms, nested, empty", () => {
  assert.equal(String(new nn.Sequential(new Map<string, nn.Module>([["conv1", new nn.Conv2d(1, 20, 5)], ["relu1", new nn.ReLU()],
    ["conv2", new nn.Conv2d(20, 64, 5)], ["relu2", new nn.ReLU()]]))), R.seqDict);
  assert.equal(String(new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()])), R.moduleList);
  assert.equal(String(new nn.ModuleDict({ choice: new nn.Sequential(new nn.Flatten(), new nn.Unflatten(1, [2, 3])), act: new nn.ReLU() })), R.moduleDict);
  assert.equal(String(new nn.ParameterList([new nn.Parameter(torch.randn(2, 3)), new nn.Parameter(torch.randn([3], { dtype: "float64" }))])), R.parameterList);
  assert.equal(String(new nn.ParameterDict({ a: new nn.Parameter(torch.randn(2, 3)), b: new nn.Parameter(torch.randn(4)) })), R.parameterDict);
  assert.equal(String(new nn.Sequential(new nn.BatchNorm1d(3), new nn.BatchNorm2d(4, { eps: 1e-3, momentum: null, affine: false }),
    new nn.BatchNorm3d(5, { trackRunningStats: false }), new nn.GroupNorm(2, 4), new nn.GroupNorm(1, 3, { affine: false }),
    new nn.InstanceNorm1d(3), new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }), new nn.InstanceNorm3d(2),
    new nn.LocalResponseNorm(2), new nn.LocalResponseNorm(3, { alpha: 0.5, beta: 0.2, k: 2.0 }), new nn.Identity(), new nn.Flatten(),
    new nn.Flatten(0, 2))), R.norms);
  assert.equal(String(new nn.Sequential()), R.empty);
  const nested = new nn.Sequential(new nn.Sequential(new nn.Linear(1, 1)), new nn.ModuleList([]), new nn.ModuleDict());
  assert.equal(inspect(nested), R.nested, "console.log prints the same tree");
  assert.equal(String(new nn.Sequential(new nn.Sequential(new nn.Linear(1, 1)), new nn.ModuleList([]), new nn.ModuleDict())), R.nested);
});

test("Sequential: fields named like state keys, at() with negative indices, slice, append/insert/extend/pop/delete, iteration, forward", () => {
  const a = new nn.Linear(1, 2), r = new nn.ReLU(), b = new nn.Linear(2, 3);
  const s = new nn.Sequential(a, r, b);
  assert.equal(s[0], a);
  assert.equal(s.at(-1), b);
  assert.equal(s.length, 3);
  assert.deepEqual([...s], [a, r, b]);
  check(() => s.at(3), fx.containers.seqIndexError);
  check(() => s.at(-4), fx.containers.seqNegIndexError);
  const sl = s.slice(1);
  assert.ok(sl instanceof nn.Sequential);
  assert.deepEqual([...sl.namedChildren()].map(([k]) => k), ["1", "2"], "a slice keeps the names, as PyTorch");
  assert.deepEqual([...s.slice(0, -1)], [a, r]);
  assert.deepEqual([...s.slice(5)], []);
  const x = torch.randn(4, 1);
  assert.deepEqual(s.forward(x).shape, [4, 3]);
  const t = new nn.Tanh();
  s.insert(1, t);
  assert.deepEqual([...s], [a, t, r, b]);
  assert.deepEqual(Object.keys(s.stateDict()), ["0.weight", "0.bias", "3.weight", "3.bias"]);
  assert.equal(s.pop(1), t);
  assert.deepEqual([...s], [a, r, b]);
  s.append(new nn.Sigmoid()).extend([new nn.Identity()]);
  assert.equal(s.length, 5);
  s.delete(3, 5);
  assert.deepEqual([...s], [a, r, b]);
  s.set(-2, t);
  assert.equal(s[1], t);
  const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.ReLU() });
  assert.deepEqual(Object.keys(named.stateDict()), ["fc.weight", "fc.bias"]);
  assert.equal(named.at(1), named["act" as unknown as number]);
});

test("ModuleList: append/extend/insert/slice/pop/set, index errors, no forward, nested stateDict keys", () => {
  const l = new nn.ModuleList([new nn.ReLU()]);
  check(() => l.at(5), fx.containers.listIndexError);
  const lin = new nn.Linear(2, 2);
  l.append(lin).extend([new nn.Tanh()]);
  assert.equal(l.length, 3);
  assert.equal(l[1], lin);
  l.insert(0, new nn.Sigmoid());
  assert.equal(l.at(2), lin);
  assert.ok(l.slice(1, 3) instanceof nn.ModuleList);
  assert.equal(l.slice(1, 3).length, 2);
  const last = l.at(-1);
  assert.equal(l.pop(), last, "pop returns the last");
  assert.equal(l.length, 3);
  assert.throws(() => l.forward(), /Module \[ModuleList\] is missing the required "forward" function/);
  class WithLists extends nn.Module {
    pl = new nn.ParameterList([torch.zeros(2), torch.zeros(3)]);
    pd = new nn.ParameterDict({ a: torch.zeros(2), b: torch.zeros(3) });
    blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
    heads = new nn.ModuleDict({ x: new nn.Linear(2, 1) });
  }
  assert.deepEqual(Object.keys(new WithLists().stateDict()), fx.containers.withListsKeys);
});

test("ModuleDict and ParameterDict: keys/values/items/has/get/pop/update/clear; ParameterList wraps tensors in Parameters", () => {
  const d = new nn.ModuleDict({ a: new nn.ReLU() });
  d.update(new Map([["b", new nn.Tanh()]]));
  d.set("c", new nn.Sigmoid());
  assert.deepEqual(d.keys(), ["a", "b", "c"]);
  assert.deepEqual([...d], ["a", "b", "c"]);
  assert.ok(d.has("b") && !d.has("z"));
  assert.ok(d.get("b") instanceof nn.Tanh);
  assert.ok(d["a"] instanceof nn.ReLU);
  assert.ok(d.pop("a") instanceof nn.ReLU);
  assert.equal(d.length, 2);
  assert.throws(() => d.get("zz"), /'zz'/);
  d.clear();
  assert.equal(d.length, 0);
  const pl = new nn.ParameterList([torch.ones(2)]);
  assert.ok(pl[0] instanceof nn.Parameter);
  assert.equal(pl.at(-1).requiresGrad, true);
  pl.append(torch.zeros(1));
  assert.equal([...pl.parameters()].length, 2);
  const pd = new nn.ParameterDict({ w: torch.ones(2) });
  assert.ok(pd.get("w") instanceof nn.Parameter);
  pd.set("v", torch.zeros(3));
  assert.deepEqual(pd.keys(), ["w", "v"]);
  assert.deepEqual(Object.keys(pd.stateDict()), ["w", "v"]);
  assert.ok(pd.pop("w") instanceof nn.Parameter);
  assert.deepEqual(pd.keys(), ["v"]);
});

test("Identity, Flatten, Unflatten forward", () => {
  const x = torch.randn(2, 3, 4);
  assert.equal(new nn.Identity(54, { unused: 1 }).forward(x), x);
  assert.deepEqual(new nn.Flatten().forward(x).shape, [2, 12]);
  assert.deepEqual(new nn.Flatten(0, 1).forward(x).shape, [6, 4]);
  assert.deepEqual(new nn.Unflatten(2, [2, 2]).forward(x).shape, [2, 3, 2, 2]);
});
