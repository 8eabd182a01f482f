// SPDX-License-Identifier: BSD-3-Clause
// The Optimizer base: parameter groups, zeroGrad, closures, stateDict round trips and PyTorch's errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as optim from "../../src/optim/index.js";

const f32 = { dtype: torch.float32 } as const;
const leaf = (values: number[]): torch.Tensor => torch.tensor(values, f32).requiresGrad_();

test("errors in PyTorch's words", () => {
  const w = leaf([1, 2]);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), { name: "ValueError", message: "optimizer got an empty parameter list" });
  assert.throws(() => new optim.SGD([w], { lr: -1 }), { message: "Invalid learning rate: -1" });
  assert.throws(() => new optim.Adam([w], { lr: -1 }), { message: "Invalid learning rate: -1" });
  assert.throws(() => new optim.Adam([w], { lr: NaN }), { message: "Invalid learning rate: nan" });
  assert.throws(() => new optim.SGD([w], { lr: 0.1, momentum: -0.5 }), { message: "Invalid momentum value: -0.5" });
  assert.throws(() => new optim.SGD([w], { lr: 0.1, nesterov: true }), { message: "Nesterov momentum requires a momentum and zero dampening" });
  assert.throws(() => new optim.Adam([w], { betas: [1.0, 0.999] }), { message: "Invalid beta parameter at index 0: 1" });
  assert.throws(() => new optim.AdamW([w], { betas: [0.9, -0.1] }), { message: "Invalid beta parameter at index 1: -0.1" });
  assert.throws(() => new optim.Adam([w], { eps: -1e-8 }), { message: "Invalid epsilon value: -1e-08" });
  assert.throws(() => new optim.Adam([w], { weightDecay: -1 }), { message: "Invalid weight_decay value: -1" });
  assert.throws(() => new optim.SGD([w]), { message: "parameter group didn't specify a value of required optimization parameter lr" });
  assert.throws(() => new optim.SGD([{ params: [w] }, { params: [w] }], { lr: 0.1 }),
    { message: "some parameters appear in more than one parameter group" });
  const opt = new optim.SGD([w], { lr: 0.1 });
  assert.throws(() => opt.addParamGroup({ params: [w] }), { message: "some parameters appear in more than one parameter group" });
  assert.throws(() => new optim.SGD([w.mul(2)], { lr: 0.1 }), { message: "can't optimize a non-leaf Tensor" });
});

test("loadStateDict refuses a different group structure", () => {
  const a = leaf([1]), b = leaf([2]);
  const one = new optim.Adam([a, b]);
  const two = new optim.Adam([{ params: [a] }, { params: [b] }]);
  assert.throws(() => one.loadStateDict(two.stateDict()), { message: "loaded state dict has a different number of parameter groups" });
  const three = new optim.Adam([{ params: [a, b] }, { params: [leaf([3])] }]);
  assert.throws(() => two.loadStateDict({ ...two.stateDict(), param_groups: three.stateDict().param_groups }),
    { message: "loaded state dict contains a parameter group that doesn't match the size of optimizer's group" });
});

test("paramGroups: camelCase options in memory, defaults filled, editable between steps; addParamGroup", () => {
  const w = leaf([1, 2]), b = leaf([3]);
  const opt = new optim.SGD([{ params: [w] }, { params: [b], lr: 0.5, weightDecay: 0.1 }], { lr: 0.1, momentum: 0.9 });
  assert.equal(opt.paramGroups[0]!.lr, 0.1);
  assert.equal(opt.paramGroups[0]!["weightDecay"], 0);
  assert.equal(opt.paramGroups[1]!["weightDecay"], 0.1);
  assert.equal(opt.paramGroups[1]!["momentum"], 0.9);
  const sd = opt.stateDict();
  assert.deepEqual(sd.param_groups[1], {
    lr: 0.5, weight_decay: 0.1, momentum: 0.9, dampening: 0, nesterov: false, maximize: false, foreach: null,
    differentiable: false, params: [1],
  });
  // lr edited between steps takes effect: p -= lr * g
  w.grad = torch.ones(2);
  opt.paramGroups[0]!.lr = 1;
  opt.step();
  assert.deepEqual(w.tolist(), [0, 1]);
  const c = leaf([5]);
  opt.addParamGroup({ params: c, lr: 2 });
  assert.equal(opt.paramGroups.length, 3);
  assert.equal(opt.paramGroups[2]!["momentum"], 0.9);
  assert.deepEqual(opt.stateDict().param_groups.map((g) => g["params"]), [[0], [1], [2]]);
});

test("parameters without a gradient are skipped and get no state; step stays outside autograd", () => {
  const w = leaf([1, 2]), b = leaf([3]);
  const opt = new optim.Adam([w, b], { lr: 0.1 });
  w.grad = torch.tensor([1, -1], f32);
  opt.step();
  assert.deepEqual(b.tolist(), [3]);
  assert.equal(opt.state.has(b), false);
  assert.equal(opt.state.has(w), true);
  assert.equal(w.gradFn, null);
  assert.equal(w.requiresGrad, true);
  // Adam's first step moves each coordinate by lr against the gradient's sign
  const [w0, w1] = w.tolist() as number[];
  assert.ok(Math.abs(w0! - 0.9) < 1e-6 && Math.abs(w1! - 2.1) < 1e-6);
});

test("zeroGrad sets gradients to null by default, zeros with setToNone: false", () => {
  const w = leaf([1, 2]);
  const opt = new optim.SGD([w], { lr: 0.1 });
  w.grad = torch.ones(2);
  opt.zeroGrad({ setToNone: false });
  assert.deepEqual(w.grad?.tolist(), [0, 0]);
  opt.zeroGrad();
  assert.equal(w.grad, null);
});

test("step(closure) evaluates the closure with grad enabled and returns its loss", () => {
  const w = leaf([3]);
  const opt = new optim.SGD([w], { lr: 0.25 });
  const loss = torch.noGrad(() => opt.step(() => {
    opt.zeroGrad();
    const l = w.mul(w).sum();                            // d/dw w^2 = 2w = 6
    l.backward();
    return l;
  })) as torch.Tensor;
  assert.equal(loss.item(), 9);
  assert.deepEqual(w.tolist(), [1.5]);                   // 3 - 0.25 * 6
});

for (const [name, make] of [
  ["SGD", (p: torch.Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
  ["Adam", (p: torch.Tensor[]) => new optim.Adam(p, { lr: 0.05, amsgrad: true })],
  ["AdamW", (p: torch.Tensor[]) => new optim.AdamW(p, { lr: 0.05 })],
  ["RMSprop", (p: torch.Tensor[]) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ["Adagrad", (p: torch.Tensor[]) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01 })],
] as const) {
  test(`${name}: stop after 10 steps, stateDict into a fresh optimizer, 10 more = 20 uninterrupted`, () => {
    const grads = Array.from({ length: 20 }, (_, s) => torch.tensor([Math.sin(s), Math.cos(2 * s), 0.5 - s / 20], f32));
    const run = (p: torch.Tensor, opt: optim.Optimizer, from: number, to: number): void => {
      for (let s = from; s < to; s++) {
        p.grad = grads[s]!.add(p.detach().mul(0.1));         // depends on p, so any drift shows
        opt.step();
      }
    };
    const a = leaf([1, -2, 3]);
    const optA = make([a]);
    run(a, optA, 0, 20);

    const b = leaf([1, -2, 3]);
    const optB = make([b]);
    run(b, optB, 0, 10);
    const c = b.detach().clone().requiresGrad_();
    const optC = make([c]);
    const saved = optB.stateDict();
    optC.loadStateDict(saved);
    // the loaded state is a copy: stepping C does not touch B's state
    run(c, optC, 10, 20);
    assert.deepEqual(c.tolist(), a.tolist());
    assert.deepEqual(optC.stateDict().param_groups, optA.stateDict().param_groups);
    for (const [k, v] of Object.entries(optB.stateDict().state[0]!)) {
      if (v instanceof torch.Tensor) assert.notEqual(v, optC.stateDict().state[0]![k], `${k} must be copied on load`);
    }
  });
}

test("loadStateDict casts state to the parameter's dtype and accepts a Map keyed by index", () => {
  const w = torch.tensor([1, 2], { dtype: torch.float64 }).requiresGrad_();
  const opt = new optim.Adam([w], { lr: 0.1 });
  opt.loadStateDict({
    state: new Map([[0, { step: 3, exp_avg: torch.tensor([0.1, 0.2], f32), exp_avg_sq: torch.tensor([0.01, 0.04], f32) }]]),
    param_groups: [{ lr: 0.01, betas: [0.8, 0.9], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, foreach: null,
      capturable: false, differentiable: false, fused: false, params: [0] }],
  });
  const s = opt.state.get(w)!;
  assert.equal((s["exp_avg"] as torch.Tensor).dtype, "float64");
  assert.equal((s["step"] as torch.Tensor).item(), 3);     // a number step becomes a tensor, as PyTorch's __setstate__
  assert.equal(opt.paramGroups[0]!.lr, 0.01);
  assert.deepEqual(opt.paramGroups[0]!["betas"], [0.8, 0.9]);
  assert.equal(opt.paramGroups[0]!["weightDecay"], 0);
});

test("toString lists each group's options like PyTorch's repr", () => {
  const opt = new optim.SGD([leaf([1])], { lr: 0.1 });
  assert.equal(String(opt), "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n" +
    "    lr: 0.1\n    maximize: False\n    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)");
});
