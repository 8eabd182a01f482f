// SPDX-License-Identifier: BSD-3-Clause
// Every optimizer training a small fixed model (a 3-5-2 tanh MLP, MSE on 16 fixed samples) for 20
// steps against PyTorch 1.13 (test/fixtures/optim_model.json, scripts/gen_optim_model_fixtures.py):
// losses and parameters along the way, with one group and with two groups (lr and weight-decay
// overrides), a parameter that never gets a gradient, state_dict() equal to PyTorch's in structure
// and values, resuming from PyTorch's state_dict, and our own stateDict round trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { loadFixture } from "../helpers.js";
import { camelOptions, fromJson, isTensorJson, type TensorJson } from "./fixtures.js";

interface ModelCase {
  cls: string;
  kwargs: Record<string, unknown>;
  layout: "one" | "groups";
  dtype: "float32" | "float64";
  /** LBFGS's L2 term in the loss (see the generator). */
  reg: number;
  steps: number;
  record: number[];
  snapshot_at: number;
  losses: number[];
  trajectory: Record<string, TensorJson[]>;
  snapshot: { state: Record<string, Record<string, unknown>>; param_groups: Record<string, unknown>[] };
  state_dict: { state: Record<string, Record<string, unknown>>; param_groups: Record<string, unknown>[] };
}
interface ModelFixture {
  steps: number;
  record: number[];
  x: TensorJson;
  y: TensorJson;
  initial: TensorJson[];
  group0: { lr_scale: number; weight_decay: number };
  cases: ModelCase[];
}

const fx = loadFixture<ModelFixture>("optim_model.json");
const X = fromJson(fx.x), Y = fromJson(fx.y);

type Ctor = new (params: optim.Params, opts: Record<string, unknown>) => optim.Optimizer;
const CLASSES: Record<string, Ctor> = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
  Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam, Adadelta: optim.Adadelta, Rprop: optim.Rprop,
  ASGD: optim.ASGD, LBFGS: optim.LBFGS,
} as unknown as Record<string, Ctor>;
const NO_WEIGHT_DECAY = new Set(["Rprop", "LBFGS"]);

/** The generator's model: tanh(X w1^T + b1) w2^T + b2, mean squared error against Y (+ reg * sum of squares). */
function lossFn(p: torch.Tensor[], reg: number): torch.Tensor {
  const x = X.to(p[0]!.dtype), y = Y.to(p[0]!.dtype);
  const h = torch.tanh(torch.matmul(x, p[0]!.t()).add(p[1]!));
  const loss = torch.matmul(h, p[2]!.t()).add(p[3]!).sub(y).pow(2).mean();
  if (reg === 0) return loss;
  return loss.add(p[0]!.pow(2).sum().add(p[1]!.pow(2).sum()).add(p[2]!.pow(2).sum()).add(p[3]!.pow(2).sum()).mul(reg));
}

function makeOptimizer(c: ModelCase, params: torch.Tensor[]): optim.Optimizer {
  const cls = CLASSES[c.cls]!;
  const opts = camelOptions(c.kwargs);
  if (c.layout === "one") return new cls(params, opts);
  const g0: optim.ParamGroupInput = { params: params.slice(0, 2), lr: (opts["lr"] as number) * fx.group0.lr_scale };
  if (!NO_WEIGHT_DECAY.has(c.cls)) g0["weightDecay"] = fx.group0.weight_decay;
  return new cls([g0, { params: params.slice(2) }], opts);
}

/** One training step as the generator took it; returns the loss. */
function trainStep(c: ModelCase, opt: optim.Optimizer, params: torch.Tensor[]): number {
  const closure = (): torch.Tensor => {
    opt.zeroGrad();
    const loss = lossFn(params, c.reg);
    loss.backward();
    return loss;
  };
  if (c.cls === "LBFGS") return Number((opt.step(closure) as torch.Tensor).item());
  const loss = closure();
  opt.step();
  return Number(loss.item());
}

interface Tol { rtol: number; atol: number }
/**
 * float32 through 20 steps of forward, backward and update: the sums in matmul and mean round in a
 * different order than PyTorch's, so a few float32 ulps of drift per step. LBFGS in float32 runs 2
 * steps and is sensitive to rounding (see the generator), in float64 it is checked tightly.
 * Optimizer state (second moments, centered RMSprop's buffers) amplifies the drift: checked looser.
 */
function tolerances(c: ModelCase): { params: Tol; state: Tol } {
  if (c.dtype === "float64") return { params: { rtol: 1e-6, atol: 1e-9 }, state: { rtol: 1e-4, atol: 1e-8 } };
  if (c.cls === "LBFGS") return { params: { rtol: 1e-3, atol: 1e-5 }, state: { rtol: 1e-2, atol: 1e-4 } };
  return { params: { rtol: 2e-5, atol: 2e-6 }, state: { rtol: 1e-3, atol: 1e-6 } };
}
let tol: Tol = { rtol: 0, atol: 0 };

function close(got: number, want: number, what: string, t: Tol = tol): void {
  assert.ok(Math.abs(got - want) <= t.atol + t.rtol * Math.abs(want), `${what}: got ${got}, PyTorch ${want}`);
}

function assertTensor(got: unknown, want: TensorJson, what: string): void {
  assert.ok(got instanceof torch.Tensor, `${what}: expected a tensor, got ${String(got)}`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const values = got.reshape(-1).tolist() as number[];
  values.forEach((v, i) => close(v, want.data[i]!, `${what}[${i}]`));
}

/** A state value against PyTorch's: tensors, lists (LBFGS's history), numbers and None. */
function assertStateValue(got: unknown, want: unknown, what: string): void {
  if (isTensorJson(want)) return assertTensor(got, want, what);
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${what}: expected a list`);
    assert.equal(got.length, want.length, `${what}: length`);
    want.forEach((w, i) => assertStateValue(got[i], w, `${what}[${i}]`));
    return;
  }
  if (typeof want === "number") {
    // a Python number: ours may keep it as a number or (LBFGS's t, H_diag) as PyTorch does
    assert.equal(typeof got, "number", `${what}: expected a number, got ${String(got)}`);
    return close(got as number, want, what);
  }
  assert.equal(got, want, what);
}

function assertStateDict(ours: optim.OptimizerStateDict, theirs: ModelCase["snapshot"], what: string): void {
  assert.deepEqual(Object.keys(ours.state).map(Number).sort(), Object.keys(theirs.state).map(Number).sort(), `${what}: state indices`);
  for (const [i, s] of Object.entries(theirs.state)) {
    const mine = ours.state[Number(i)]!;
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(s).sort(), `${what}: state[${i}] keys`);
    for (const [k, v] of Object.entries(s)) {
      if (k === "func_evals" || k === "n_iter") assert.equal(mine[k], v, `${what}: state[${i}].${k}`);
      else assertStateValue(mine[k], v, `${what}: state[${i}].${k}`);
    }
  }
  assert.deepEqual(ours.param_groups, theirs.param_groups, `${what}: param_groups`);
}

/** PyTorch's state dict from JSON: tensors rebuilt (lists of them too), integer keys. */
function fromJsonState(sd: ModelCase["snapshot"]): optim.OptimizerStateDict {
  const value = (v: unknown): unknown => (isTensorJson(v) ? fromJson(v) : Array.isArray(v) ? v.map(value) : v);
  const state: Record<number, Record<string, unknown>> = {};
  for (const [i, s] of Object.entries(sd.state)) state[Number(i)] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, value(v)]));
  return { state, param_groups: sd.param_groups };
}

const initialParams = (c: ModelCase): torch.Tensor[] => fx.initial.map((t) => fromJson(t).to(c.dtype).requiresGrad_());
const name = (c: ModelCase): string =>
  `${c.cls}(${JSON.stringify(c.kwargs)}) ${c.layout === "one" ? "one group" : "two groups"}${c.dtype === "float64" ? " float64" : ""}`;

for (const c of fx.cases) {
  const { params: paramTol, state: stateTol } = tolerances(c);
  test(`${name(c)}: ${c.steps} training steps equal PyTorch's; state_dict() equals PyTorch's`, () => {
    tol = paramTol;
    const params = initialParams(c);
    const opt = makeOptimizer(c, params);
    for (let step = 1; step <= c.steps; step++) {
      tol = paramTol;
      close(trainStep(c, opt, params), c.losses[step - 1]!, `loss at step ${step}`);
      const want = c.trajectory[String(step)];
      if (want) params.forEach((p, i) => assertTensor(p, want[i]!, `step ${step} param ${i}`));
      tol = stateTol;
      if (step === c.snapshot_at) assertStateDict(opt.stateDict(), c.snapshot, `after ${step} steps`);
    }
    if (c.cls !== "LBFGS") assert.equal(params[4]!.grad, null, "the unused parameter never gets a gradient");
    assert.deepEqual(params[4]!.tolist(), fromJson(fx.initial[4]!).to(c.dtype).tolist(), "the unused parameter does not move");
    tol = stateTol;
    assertStateDict(opt.stateDict(), c.state_dict, "final");
  });

  test(`${name(c)}: resumes from PyTorch's state_dict after ${c.snapshot_at} steps`, () => {
    tol = paramTol;
    const params = c.trajectory[String(c.snapshot_at)]!.map((t) => fromJson(t).requiresGrad_());
    const opt = makeOptimizer(c, params);
    opt.loadStateDict(fromJsonState(c.snapshot));
    for (let step = c.snapshot_at + 1; step <= c.steps; step++) {
      close(trainStep(c, opt, params), c.losses[step - 1]!, `loss at step ${step}`);
      const want = c.trajectory[String(step)];
      if (want) params.forEach((p, i) => assertTensor(p, want[i]!, `step ${step} param ${i}`));
    }
  });

  test(`${name(c)}: 10 steps, stateDict into a fresh optimizer, 10 more = 20 uninterrupted, exactly`, () => {
    const a = initialParams(c);
    const optA = makeOptimizer(c, a);
    for (let s = 0; s < 20; s++) trainStep(c, optA, a);

    const b = initialParams(c);
    const optB = makeOptimizer(c, b);
    for (let s = 0; s < 10; s++) trainStep(c, optB, b);
    const saved = optB.stateDict();
    const resumed = b.map((p) => p.detach().clone().requiresGrad_());
    const optC = makeOptimizer(c, resumed);
    optC.loadStateDict(saved);
    for (let s = 0; s < 10; s++) trainStep(c, optC, resumed);
    resumed.forEach((p, i) => assert.deepEqual(p.tolist(), a[i]!.tolist(), `param ${i}`));
    assert.deepEqual(optC.stateDict().param_groups, optA.stateDict().param_groups);
    // the loaded state is a copy: C's steps did not touch B's state
    for (const [i, s] of Object.entries(optB.stateDict().state)) {
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof torch.Tensor) assert.notEqual(v, optC.stateDict().state[Number(i)]![k], `state[${i}].${k} must be copied on load`);
      }
    }
  });
}
