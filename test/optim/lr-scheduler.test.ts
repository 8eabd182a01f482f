// SPDX-License-Identifier: BSD-3-Clause
// Every scheduler's lr (and OneCycleLR's and CyclicLR's momentum) sequence against PyTorch 1.13's over 100 steps,
// two parameter groups (lr 0.1 and 0.05), from test/fixtures/optim.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { fixture } from "./fixtures.js";

const S = optim.lrScheduler;
type Sched = { step(epoch?: number): void; getLastLr(): number[]; lastEpoch: number };
type Opt = optim.Optimizer;

const pow095 = (e: number): number => 0.95 ** e;
const warmup5 = (e: number): number => Math.min(1.0, (e + 1) / 5);

// The same schedulers, in the same order, as scripts/gen_optim_fixtures.py's SCHEDULERS.
const halfCycle = (x: number): number => (x < 4 ? 0.5 ** (x - 1) : 0.1);
const decayIter = (x: number): number => 1 / (1 + 0.05 * x);

type OptKw = { momentum?: number; adam?: boolean; fractional?: boolean };
const MAKERS: [string, OptKw, (o: Opt) => Sched][] = [
  ["StepLR", {}, (o) => new S.StepLR(o, 4, { gamma: 0.5 })],
  ["MultiStepLR", {}, (o) => new S.MultiStepLR(o, [3, 7, 7, 20], { gamma: 0.3 })],
  ["ExponentialLR", {}, (o) => new S.ExponentialLR(o, 0.9)],
  ["CosineAnnealingLR", {}, (o) => new S.CosineAnnealingLR(o, 10)],
  ["CosineAnnealingLR", {}, (o) => new S.CosineAnnealingLR(o, 7, { etaMin: 0.001 })],
  ["LambdaLR", {}, (o) => new S.LambdaLR(o, pow095)],
  ["LambdaLR", {}, (o) => new S.LambdaLR(o, [warmup5, pow095])],
  ["MultiplicativeLR", {}, (o) => new S.MultiplicativeLR(o, () => 0.9)],
  ["LinearLR", {}, (o) => new S.LinearLR(o)],
  ["LinearLR", {}, (o) => new S.LinearLR(o, { startFactor: 0.1, endFactor: 0.9, totalIters: 12 })],
  ["ConstantLR", {}, (o) => new S.ConstantLR(o)],
  ["ConstantLR", {}, (o) => new S.ConstantLR(o, { factor: 0.25, totalIters: 8 })],
  ["PolynomialLR", {}, (o) => new S.PolynomialLR(o, { totalIters: 20, power: 2.0 })],
  ["OneCycleLR", { momentum: 0.9 }, (o) => new S.OneCycleLR(o, [1.0, 0.5], { totalSteps: 101 })],
  ["OneCycleLR", { momentum: 0.9 }, (o) => new S.OneCycleLR(o, 0.8, {
    epochs: 10, stepsPerEpoch: 10, pctStart: 0.25, annealStrategy: "linear", divFactor: 10.0, finalDivFactor: 100.0,
  })],
  ["OneCycleLR", { momentum: 0.9 }, (o) => new S.OneCycleLR(o, 0.8, { totalSteps: 101, threePhase: true, baseMomentum: 0.8, maxMomentum: 0.9 })],
  ["OneCycleLR", { adam: true }, (o) => new S.OneCycleLR(o, 0.8, { totalSteps: 101 })],
  ["ReduceLROnPlateau", {}, (o) => new S.ReduceLROnPlateau(o, { patience: 2, factor: 0.5, minLr: [0.02, 0.0] }) as unknown as Sched],
  ["ReduceLROnPlateau", {}, (o) => new S.ReduceLROnPlateau(o, {
    mode: "max", patience: 1, threshold: 0.01, thresholdMode: "abs", cooldown: 2,
  }) as unknown as Sched],
  ["SequentialLR", {}, (o) => new S.SequentialLR(o, [new S.LinearLR(o, { startFactor: 0.1, totalIters: 4 }), new S.CosineAnnealingLR(o, 10)], [5])],
  ["SequentialLR", {}, (o) => new S.SequentialLR(o, [
    new S.ConstantLR(o, { factor: 0.5, totalIters: 3 }), new S.ExponentialLR(o, 0.9), new S.StepLR(o, 3),
  ], [4, 12])],
  ["ChainedScheduler", {}, (o) => new S.ChainedScheduler([new S.ConstantLR(o, { factor: 0.5, totalIters: 10 }), new S.ExponentialLR(o, 0.98)])],
  ["CosineAnnealingWarmRestarts", {}, (o) => new S.CosineAnnealingWarmRestarts(o, 10)],
  ["CosineAnnealingWarmRestarts", {}, (o) => new S.CosineAnnealingWarmRestarts(o, 5, { TMult: 2, etaMin: 0.001 })],
  ["CosineAnnealingWarmRestarts", { fractional: true }, (o) => new S.CosineAnnealingWarmRestarts(o, 3)],
  ["CosineAnnealingWarmRestarts", { fractional: true }, (o) => new S.CosineAnnealingWarmRestarts(o, 1, { TMult: 2, etaMin: 0.01 })],
  ["CyclicLR", { momentum: 0.9 }, (o) => new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 10 })],
  ["CyclicLR", { momentum: 0.9 }, (o) => new S.CyclicLR(o, [0.01, 0.02], [0.1, 0.3], {
    stepSizeUp: 7, stepSizeDown: 13, mode: "triangular2", baseMomentum: 0.85, maxMomentum: 0.95,
  })],
  ["CyclicLR", { momentum: 0.9 }, (o) => new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 8, mode: "exp_range", gamma: 0.97 })],
  ["CyclicLR", {}, (o) => new S.CyclicLR(o, 0.001, 0.01, { stepSizeUp: 5, cycleMomentum: false, scaleFn: halfCycle, scaleMode: "cycle" })],
  ["CyclicLR", {}, (o) => new S.CyclicLR(o, 0.001, 0.01, { stepSizeUp: 5, cycleMomentum: false, scaleFn: decayIter, scaleMode: "iterations" })],
];

function makeOptimizer(okw: OptKw): Opt {
  const w = [torch.zeros(2).requiresGrad_(), torch.zeros(3).requiresGrad_()];
  if (okw.adam) return new optim.Adam([{ params: [w[0]!] }, { params: [w[1]!], lr: 0.05 }], { lr: 0.1 });
  return new optim.SGD([{ params: [w[0]!] }, { params: [w[1]!], lr: 0.05 }], { lr: 0.1, momentum: okw.momentum ?? 0 });
}

const momentums = (o: Opt): number[] =>
  o.paramGroups.map((g) => (Array.isArray(g["betas"]) ? (g["betas"] as number[])[0]! : (g["momentum"] as number)));

function assertSeq(got: number[], want: number[], what: string): void {
  got.forEach((g, i) => {
    const w = want[i]!;
    assert.ok(Math.abs(g - w) <= 1e-12 * Math.max(1, Math.abs(w)), `${what} group ${i}: got ${g}, PyTorch ${w}`);
  });
}

assert.equal(MAKERS.length, fixture.schedulers.length);
MAKERS.forEach(([cls, okw, make], n) => {
  const c = fixture.schedulers[n]!;
  test(`${cls} #${n}: lr${okw.momentum !== undefined || okw.adam ? " and momentum" : ""} over ${c.lrs.length - 1} steps equal PyTorch's`, () => {
    assert.equal(c.cls, cls);
    const opt = makeOptimizer(okw);
    const sched = make(opt);
    assertSeq(opt.paramGroups.map((g) => g.lr), c.lrs[0]!, "lr at construction");
    assertSeq(momentums(opt), c.momentums[0]!, "momentum at construction");
    for (let step = 1; step < c.lrs.length; step++) {
      opt.step();
      if (sched instanceof S.ReduceLROnPlateau) sched.step(fixture.metrics[step - 1]!);
      else if (okw.fractional) sched.step(fixture.fractional_epochs[step - 1]!);
      else sched.step();
      assertSeq(opt.paramGroups.map((g) => g.lr), c.lrs[step]!, `lr after step ${step}`);
      assertSeq(momentums(opt), c.momentums[step]!, `momentum after step ${step}`);
    }
    if (c.last_lr !== null) assertSeq(sched.getLastLr(), c.last_lr, "getLastLr()");
    if (c.last_epoch !== null) assert.equal(sched.lastEpoch, c.last_epoch);
  });
});

test("OneCycleLR refuses to step past totalSteps, in PyTorch's words", () => {
  const opt = makeOptimizer({ momentum: 0.9 });
  const sched = new S.OneCycleLR(opt, 1.0, { totalSteps: 3 });
  sched.step(); sched.step(); sched.step();
  assert.throws(() => sched.step(), { message: "Tried to step 5 times. The specified number of total steps is 3" });
  assert.throws(() => new S.OneCycleLR(opt, 1.0), { message: "You must define either total_steps OR (epochs AND steps_per_epoch)" });
});

test("scheduler stateDict has PyTorch's keys and restores into a fresh scheduler", () => {
  const opt = makeOptimizer({});
  const sched = new S.StepLR(opt, 3, { gamma: 0.5 });
  for (let i = 0; i < 4; i++) sched.step();
  const sd = sched.stateDict();
  assert.deepEqual(Object.keys(sd).sort(),
    ["_get_lr_called_within_step", "_last_lr", "_step_count", "base_lrs", "gamma", "last_epoch", "step_size", "verbose"]);
  assert.equal(sd["last_epoch"], 4);
  const opt2 = makeOptimizer({});
  const fresh = new S.StepLR(opt2, 3, { gamma: 0.5 });
  fresh.loadStateDict(sd);
  assert.equal(fresh.lastEpoch, 4);
  opt2.paramGroups.forEach((g, i) => { g.lr = opt.paramGroups[i]!.lr; });
  for (let i = 0; i < 5; i++) { sched.step(); fresh.step(); }
  assert.deepEqual(fresh.getLastLr(), sched.getLastLr());
  const cos = new S.CosineAnnealingLR(makeOptimizer({}), 10);
  assert.ok("T_max" in cos.stateDict() && "eta_min" in cos.stateDict());
});

test("closed form (step(epoch)) agrees with the chainable form", () => {
  for (const make of [(o: Opt) => new S.StepLR(o, 3, { gamma: 0.5 }), (o: Opt) => new S.ExponentialLR(o, 0.9),
    (o: Opt) => new S.MultiStepLR(o, [2, 5, 5]), (o: Opt) => new S.CosineAnnealingLR(o, 8, { etaMin: 0.01 }),
    (o: Opt) => new S.LinearLR(o), (o: Opt) => new S.PolynomialLR(o, { totalIters: 6 })]) {
    const chained = make(makeOptimizer({}));
    const closedOpt = makeOptimizer({});
    const closed = make(closedOpt);
    for (let e = 1; e < 12; e++) {
      chained.step();
      closed.step(e);
      assertSeq(closed.getLastLr(), chained.getLastLr(), `${chained.constructor.name} epoch ${e}`);
    }
  }
});
