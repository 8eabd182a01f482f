// SPDX-License-Identifier: BSD-3-Clause
// Every optimizer against PyTorch 1.13 step for step (test/fixtures/optim.json): one group, two
// groups with an lr override and a parameter whose gradient is missing on some steps, the
// state_dict() structure, and resuming from a PyTorch-structured state dict mid-run.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { assertClose, camelOptions, fixture, fromJson, isTensorJson, type OptimizerCase, type StateDictJson } from "./fixtures.js";

type Ctor = new (params: optim.Params, opts: Record<string, unknown>) => optim.Optimizer;
const CLASSES: Record<string, Ctor> = {
  SGD: optim.SGD as unknown as Ctor, Adam: optim.Adam as unknown as Ctor, AdamW: optim.AdamW as unknown as Ctor,
  RMSprop: optim.RMSprop as unknown as Ctor, Adagrad: optim.Adagrad as unknown as Ctor,
  Adamax: optim.Adamax as unknown as Ctor, NAdam: optim.NAdam as unknown as Ctor, RAdam: optim.RAdam as unknown as Ctor,
  Adadelta: optim.Adadelta as unknown as Ctor, Rprop: optim.Rprop as unknown as Ctor, ASGD: optim.ASGD as unknown as Ctor,
};

function makeOptimizer(c: OptimizerCase, params: torch.Tensor[]): optim.Optimizer {
  const cls = CLASSES[c.cls]!;
  const opts = camelOptions(c.kwargs);
  if (!c.two_groups) return new cls(params, opts);
  return new cls([{ params: [params[0]!], lr: (opts["lr"] as number) * 0.5 }, { params: [params[1]!, params[2]!] }], opts);
}

/** Sets the gradients of step `step` as the generator did (param 1 has none at steps 0 and 2 with two groups). */
function setGrads(c: OptimizerCase, params: torch.Tensor[], step: number): void {
  params.forEach((p, i) => {
    const missing = c.two_groups && i === 1 && (step === 0 || step === 2);
    p.grad = missing ? null : fromJson(fixture.grads[step]![i]!);
  });
}

/** Our stateDict() against PyTorch's: the same indices, keys and values; the same group options. */
function assertStateDict(ours: optim.OptimizerStateDict, theirs: StateDictJson, what: string): void {
  assert.deepEqual(Object.keys(ours.state).map(Number).sort(), Object.keys(theirs.state).map(Number).sort(), `${what}: state indices`);
  for (const [i, s] of Object.entries(theirs.state)) {
    const mine = ours.state[Number(i)]!;
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(s).sort(), `${what}: state[${i}] keys`);
    for (const [k, v] of Object.entries(s)) {
      const got = mine[k];
      if (isTensorJson(v)) assertClose(got as torch.Tensor, v, `${what}: state[${i}].${k}`);
      else assert.equal(got, v, `${what}: state[${i}].${k}`);
    }
  }
  assert.deepEqual(ours.param_groups, theirs.param_groups, `${what}: param_groups`);
}

/** A PyTorch state dict from JSON: tensors rebuilt, integer keys. */
function stateDictFromJson(sd: StateDictJson): optim.OptimizerStateDict {
  const state: Record<number, Record<string, unknown>> = {};
  for (const [i, s] of Object.entries(sd.state)) {
    state[Number(i)] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, isTensorJson(v) ? fromJson(v) : v]));
  }
  return { state, param_groups: sd.param_groups };
}

const name = (c: OptimizerCase): string => `${c.cls}(${JSON.stringify(c.kwargs)})${c.two_groups ? " two groups" : ""}`;

for (const c of fixture.optimizers) {
  test(`${name(c)}: ${fixture.steps} steps equal PyTorch's, state_dict() has PyTorch's structure`, () => {
    const params = fixture.initial.map((t) => fromJson(t).requiresGrad_());
    const opt = makeOptimizer(c, params);
    for (let step = 0; step < fixture.steps; step++) {
      setGrads(c, params, step);
      opt.step();
      params.forEach((p, i) => assertClose(p, c.trajectory[step]![i]!, `step ${step} param ${i}`));
      assert.equal(p0RequiresGrad(params), true);
      if (step + 1 === fixture.snapshot) assertStateDict(opt.stateDict(), c.snapshot, `after ${fixture.snapshot} steps`);
    }
    assertStateDict(opt.stateDict(), c.state_dict, "final");
  });

  test(`${name(c)}: resumes from PyTorch's state_dict after ${fixture.snapshot} steps`, () => {
    const params = c.trajectory[fixture.snapshot - 1]!.map((t) => fromJson(t).requiresGrad_());
    const opt = makeOptimizer(c, params);
    opt.loadStateDict(stateDictFromJson(c.snapshot));
    for (let step = fixture.snapshot; step < fixture.steps; step++) {
      setGrads(c, params, step);
      opt.step();
      params.forEach((p, i) => assertClose(p, c.trajectory[step]![i]!, `step ${step} param ${i}`));
    }
  });
}

function p0RequiresGrad(params: torch.Tensor[]): boolean {
  return params[0]!.requiresGrad && params[0]!.gradFn === null;
}
