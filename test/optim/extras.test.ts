// SPDX-License-Identifier: BSD-3-Clause
// ASGD, LBFGS, SparseAdam, CyclicLR and CosineAnnealingWarmRestarts beyond the trajectory fixtures:
// PyTorch's errors and state-dict keys, LBFGS on a known problem, CyclicLR cycling Adam's beta1.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { pyFloat } from "../../src/optim/optimizer.js";
import { fixture } from "./fixtures.js";

const S = optim.lrScheduler;
const f32 = { dtype: torch.float32 } as const;
const leaf = (values: number[]): torch.Tensor => torch.tensor(values, f32).requiresGrad_();

test("constructor errors in PyTorch's words", () => {
  const w = leaf([1, 2]);
  assert.throws(() => new optim.ASGD([w], { lr: -1 }), { name: "ValueError", message: "Invalid learning rate: -1" });
  assert.throws(() => new optim.ASGD([w], { weightDecay: -0.5 }), { message: "Invalid weight_decay value: -0.5" });
  assert.throws(() => new optim.NAdam([w], { momentumDecay: -1 }), { message: "Invalid momentum_decay value: -1" });
  assert.throws(() => new optim.RAdam([w], { eps: -1e-5 }), { message: "Invalid epsilon value: -1e-05" });
  assert.throws(() => new optim.LBFGS([{ params: [w] }, { params: [leaf([3])] }]),
    { name: "ValueError", message: "LBFGS doesn't support per-parameter options (parameter groups)" });
  assert.throws(() => new optim.SparseAdam([w], { lr: 0 }), { message: "Invalid learning rate: 0" });
  assert.throws(() => new optim.SparseAdam([w], { eps: 0 }), { message: "Invalid epsilon value: 0" });
  assert.throws(() => new optim.SparseAdam([w], { betas: [0.9, 1] }), { message: "Invalid beta parameter at index 1: 1" });
});

test("pyFloat prints numbers as Python's repr does", () => {
  assert.deepEqual([1e-8, 0.0001, 1e-5, 2.5e-7, 0.5, -1, 1e16, 1.5e20, NaN, -Infinity].map(pyFloat),
    ["1e-08", "0.0001", "1e-05", "2.5e-07", "0.5", "-1", "1e+16", "1.5e+20", "nan", "-inf"]);
});

test("SparseAdam constructs and says clearly why it cannot step; no gradient means nothing to do", () => {
  const w = leaf([1, 2]);
  const opt = new optim.SparseAdam([w]);
  assert.deepEqual(opt.stateDict().param_groups, [{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, maximize: false, params: [0] }]);
  opt.step();                                                      // no gradient yet: skipped, as in PyTorch
  w.grad = torch.ones(2);
  assert.throws(() => opt.step(), { name: "RuntimeError", message: /^SparseAdam does not support dense gradients, please consider Adam instead/ });
  assert.deepEqual(w.tolist(), [1, 2]);
});

test("ASGD state and state_dict have PyTorch's keys; ax averages the iterates once step > t0", () => {
  const w = leaf([1, -1]);
  const opt = new optim.ASGD([w], { lr: 0.1, t0: 2, lambd: 0 });
  const iterates: number[][] = [];
  for (let i = 0; i < 5; i++) {
    w.grad = torch.tensor([1, 2], f32);
    opt.step();
    iterates.push(w.tolist() as number[]);
  }
  const s = opt.stateDict();
  assert.deepEqual(Object.keys(s.state[0]!).sort(), ["ax", "eta", "mu", "step"]);
  assert.deepEqual(Object.keys(s.param_groups[0]!), ["lr", "lambd", "alpha", "t0", "weight_decay", "foreach", "maximize", "params"]);
  // mu = 1 / max(1, step - t0) is set after each step: ax copies the iterates up to step 4, then
  // averages from there (PyTorch: ax = [0.55, -1.9] = mean of iterates 4 and 5)
  const ax = (s.state[0]!["ax"] as torch.Tensor).tolist() as number[];
  ax.forEach((v, j) => assert.ok(Math.abs(v - (iterates[3]![j]! + iterates[4]![j]!) / 2) < 1e-6));
  assert.ok(Math.abs(ax[0]! - 0.55) < 1e-6 && Math.abs(ax[1]! + 1.9) < 1e-6);
});

test("LBFGS with strong Wolfe minimises the Rosenbrock function; errors without a closure", () => {
  const xy = torch.tensor([-1.5, 2.0], { dtype: torch.float64 }).requiresGrad_();
  const opt = new optim.LBFGS([xy], { lr: 1, maxIter: 100, historySize: 10, lineSearchFn: "strong_wolfe", toleranceGrad: 1e-10 });
  const rosen = (): torch.Tensor => {
    opt.zeroGrad();
    const [x, y] = [xy.select(0, 0), xy.select(0, 1)];
    const loss = torch.sub(1, x).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
    loss.backward();
    return loss;
  };
  for (let i = 0; i < 3; i++) opt.step(rosen);
  // PyTorch 1.13 stops here too (tolerance_change), after 52 evaluations and 42 iterations
  const [x, y] = xy.tolist() as number[];
  assert.ok(Math.abs(x! - 0.9999834179208867) < 1e-9 && Math.abs(y! - 0.9999669023996953) < 1e-9, `ended at ${x}, ${y}`);
  const state = opt.stateDict().state[0]!;
  assert.equal(state["func_evals"], 52);
  assert.equal(state["n_iter"], 42);
  for (const k of ["func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "al"])
    assert.ok(k in state, `state has ${k}`);
  assert.ok((state["old_dirs"] as unknown[]).length <= 10, "history is capped at historySize");
  assert.throws(() => opt.step(), { name: "RuntimeError", message: /needs a closure/ });
  const bad = new optim.LBFGS([leaf([1])], { lineSearchFn: "backtracking" as "strong_wolfe" });
  const w = bad.paramGroups[0]!.params[0]!;
  assert.throws(() => bad.step(() => { bad.zeroGrad(); const l = w.mul(w).sum(); l.backward(); return l; }),
    { name: "RuntimeError", message: "only 'strong_wolfe' is supported" });
});

test("CyclicLR cycles Adam's beta1 as it cycles SGD's momentum (PyTorch >= 2), beta2 untouched", () => {
  // fixture case: CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10) on SGD with momentum
  const ref = fixture.schedulers.find((c) => c.cls === "CyclicLR")!;
  const w = [leaf([0, 0]), leaf([0, 0, 0])];
  const adam = new optim.Adam([{ params: [w[0]!] }, { params: [w[1]!], lr: 0.05 }], { lr: 0.1, betas: [0.5, 0.99] });
  const sched = new S.CyclicLR(adam, 0.01, 0.1, { stepSizeUp: 10 });
  for (let step = 0; step < ref.lrs.length; step++) {
    if (step > 0) sched.step();
    adam.paramGroups.forEach((g, i) => {
      const betas = g["betas"] as number[];
      assert.ok(Math.abs(betas[0]! - ref.momentums[step]![i]!) < 1e-12, `beta1 at step ${step}`);
      assert.equal(betas[1], 0.99);
      assert.ok(Math.abs(g.lr - ref.lrs[step]![i]!) < 1e-12, `lr at step ${step}`);
    });
  }
  assert.equal(adam.paramGroups[0]!["maxMomentum"], 0.9);
  assert.equal(adam.paramGroups[0]!["baseMomentum"], 0.8);
});

test("CyclicLR and CosineAnnealingWarmRestarts: errors and state_dict keys in PyTorch's words", () => {
  const sgd = (): optim.Optimizer => new optim.SGD([leaf([1])], { lr: 0.1, momentum: 0.9 });
  assert.throws(() => new S.CyclicLR(sgd(), 0.01, 0.1, { mode: "bogus" as "triangular" }), { name: "ValueError", message: "mode is invalid and scale_fn is None" });
  assert.throws(() => new S.CyclicLR(new optim.Adagrad([leaf([1])]), 0.01, 0.1),
    { message: "optimizer must support momentum or beta1 with `cycle_momentum` option enabled" });
  assert.throws(() => new S.CyclicLR(sgd(), [0.01, 0.02], 0.1), { message: "expected 1 values for base_lr, got 2" });
  assert.throws(() => new S.CosineAnnealingWarmRestarts(sgd(), 0), { message: "Expected positive integer T_0, but got 0" });
  assert.throws(() => new S.CosineAnnealingWarmRestarts(sgd(), 2.5), { message: "Expected positive integer T_0, but got 2.5" });
  assert.throws(() => new S.CosineAnnealingWarmRestarts(sgd(), 3, { TMult: 0 }), { message: "Expected integer T_mult >= 1, but got 0" });
  assert.throws(() => new S.CosineAnnealingWarmRestarts(sgd(), 3).step(-1), { message: "Expected non-negative epoch, but got -1" });

  const cawr = new S.CosineAnnealingWarmRestarts(sgd(), 3);
  assert.deepEqual(Object.keys(cawr.stateDict()).sort(),
    ["T_0", "T_cur", "T_i", "T_mult", "_get_lr_called_within_step", "_last_lr", "_step_count", "base_lrs", "eta_min", "last_epoch", "verbose"]);
  const cyc = new S.CyclicLR(sgd(), 0.01, 0.1, { scaleFn: (x) => 1 / x });
  assert.deepEqual(Object.keys(cyc.stateDict()).sort(), [
    "_get_lr_called_within_step", "_last_lr", "_scale_fn_custom", "_step_count", "base_lrs", "base_momentums", "cycle_momentum",
    "gamma", "last_epoch", "max_lrs", "max_momentums", "mode", "scale_mode", "step_ratio", "total_size", "use_beta1", "verbose",
  ]);
  assert.equal(cyc.stateDict()["_scale_fn_custom"], null);
});

test("CosineAnnealingWarmRestarts: a scheduler restored from stateDict continues identically", () => {
  const make = (): [optim.Optimizer, InstanceType<typeof S.CosineAnnealingWarmRestarts>] => {
    const o = new optim.SGD([leaf([1])], { lr: 0.1 });
    return [o, new S.CosineAnnealingWarmRestarts(o, 2, { TMult: 2, etaMin: 0.001 })];
  };
  const [, a] = make();
  const [, b] = make();
  for (let i = 0; i < 7; i++) a.step();
  b.loadStateDict(a.stateDict());
  for (let i = 0; i < 9; i++) {
    a.step();
    b.step();
    assert.deepEqual(b.getLastLr(), a.getLastLr());
  }
});

test("Adam/AdamW/SGD: the fused native pass (contiguous) and the op-by-op path (non-contiguous) agree", () => {
  for (const [Cls, opts] of [
    [optim.SGD, { lr: 0.05, momentum: 0.9, weightDecay: 0.1 }], [optim.SGD, { lr: 0.05, momentum: 0.9, nesterov: true, maximize: true }],
    [optim.SGD, { lr: 0.05, momentum: 0.5, dampening: 0.3 }],
    [optim.Adam, { lr: 0.01, weightDecay: 0.1, amsgrad: true }], [optim.Adam, { lr: 0.01, maximize: true }],
    [optim.AdamW, { lr: 0.02, weightDecay: 0.1 }], [optim.AdamW, { lr: 0.02, amsgrad: true, maximize: true }],
  ] as const) {
    for (const dtype of [torch.float32, torch.float64] as torch.DType[]) {
      torch.manualSeed(3);
      const init = torch.randn([4, 6], { dtype });
      const grads = Array.from({ length: 8 }, () => torch.randn([4, 6], { dtype }));
      const contiguous = init.clone().requiresGrad_();
      const strided = init.t().contiguous().detach().t().requiresGrad_();     // the same values, column-major
      assert.equal(strided.isContiguous(), false);
      const Ctor = Cls as unknown as new (p: torch.Tensor[], o: object) => optim.Optimizer;
      const a = new Ctor([contiguous], opts), b = new Ctor([strided], opts);
      for (const g of grads) {
        contiguous.grad = g.clone();
        strided.grad = g.t().contiguous().t();
        a.step();
        b.step();
      }
      const tol = dtype === torch.float32 ? 1e-6 : 1e-12;
      assert.ok(torch.allclose(contiguous.detach(), strided.detach(), { rtol: tol, atol: tol }), `${Cls.name} ${JSON.stringify(opts)} ${dtype}`);
      const [sa, sb] = [a.state.get(contiguous)!, b.state.get(strided)!];
      for (const k of Cls === optim.SGD ? ["momentum_buffer"] : ["exp_avg", "exp_avg_sq"])
        assert.ok(torch.allclose(sa[k] as torch.Tensor, sb[k] as torch.Tensor, { rtol: tol, atol: tol }), k);
      assert.ok(contiguous._version > 0, "the fused pass bumps the parameter's version counter");
    }
  }
});

test("a parameter listed twice in one group warns as PyTorch does; across groups it is a ValueError", () => {
  const w = leaf([1]);
  const warnings: string[] = [];
  const original = process.emitWarning;
  process.emitWarning = ((msg: string | Error) => { warnings.push(String(msg)); }) as typeof process.emitWarning;
  try {
    new optim.Adam([w, w]);
  } finally {
    process.emitWarning = original;
  }
  assert.deepEqual(warnings, ["optimizer contains a parameter group with duplicate parameters; in future, this will cause " +
    "an error; see github.com/pytorch/pytorch/issues/40967 for more information"]);
  assert.throws(() => new optim.ASGD([{ params: [w] }, { params: [leaf([2]), w] }]),
    { name: "ValueError", message: "some parameters appear in more than one parameter group" });
});
