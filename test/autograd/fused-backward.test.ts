// SPDX-License-Identifier: BSD-3-Clause
// FunctionNode.fused (src/autograd/graph.ts): the engine runs a node's backward fused with the
// node of its single input only where nothing can tell: the gradients equal the two backwards',
// and it declines with hooks, retained grads, other consumers, autograd.grad, createGraph,
// anomaly mode; saved tensors are still version-checked.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { record } from "../../src/autograd/record.js";
import { noGrad } from "../../src/autograd/grad-mode.js";

const F = nn.functional;
type T = torch.Tensor;

let fusedRuns = 0;

/** z = 3 * y, recorded with a backward fused with a relu before it: d/dx = (y <= 0 ? 0 : 3 * g). */
function triple(y: T, fuse = true): T {
  const z = noGrad(() => y.mul(3));
  return record(z, {
    name: "TripleBackward", inputs: [y], save: [y],
    backward: ([g]) => [g!.mul(3)],
    ...(fuse ? {
      fused: {
        next: "ReluBackward0",
        run: ([g], _saved: T[], [yr]: T[]) => {
          fusedRuns++;
          return [torch.where(yr!.le(0), 0, g!.mul(3))];
        },
      },
    } : {}),
  });
}

function grads(fuse: boolean, extra?: (y: T) => T | null): { gx: number[]; runs: number } {
  torch.manualSeed(3);
  const x = torch.randn([4, 5]).requiresGrad_();
  const before = fusedRuns;
  const y = F.relu(x);
  let loss = triple(y, fuse).mul(torch.randn([4, 5])).sum();
  const more = extra?.(y) ?? null;
  if (more) loss = loss.add(more);
  loss.backward();
  return { gx: x.grad!.reshape([-1]).tolist() as number[], runs: fusedRuns - before };
}

test("a fused backward runs where it may and gives the two backwards' gradients", () => {
  const plain = grads(false), fused = grads(true);
  assert.equal(plain.runs, 0);
  assert.equal(fused.runs, 1);
  assert.deepEqual(fused.gx, plain.gx);
});

test("a fused backward is declined when the gradient between the nodes is observable or shared", () => {
  // another consumer of the relu output
  const shared = grads(true, (y) => y.sum());
  assert.equal(shared.runs, 0);
  assert.deepEqual(shared.gx, grads(false, (y) => y.sum()).gx);
  // a hook and a retained grad on the relu output
  let seen = 0;
  assert.equal(grads(true, (y) => { y.registerHook(() => { seen++; }); return null; }).runs, 0);
  assert.equal(seen, 1);
  assert.equal(grads(true, (y) => { y.retainGrad(); return null; }).runs, 0);
  // autograd.grad, createGraph, anomaly mode
  torch.manualSeed(3);
  const x = torch.randn([4, 5]).requiresGrad_();
  const before = fusedRuns;
  torch.autograd.grad(triple(F.relu(x)).sum(), x);
  triple(F.relu(x)).sum().backward(null, { createGraph: true });
  torch.autograd.setDetectAnomaly(true);
  try {
    triple(F.relu(x)).sum().backward();
  } finally {
    torch.autograd.setDetectAnomaly(false);
  }
  assert.equal(fusedRuns - before, 0);
});

test("a fused backward runs only where the next node would run right after it (the same summation order)", () => {
  // x's gradient sums three contributions; the engine runs the ready node with the largest
  // sequence number first, so the relu (created first) would run after the mul made later
  function run(fuse: boolean, mulFirst: boolean): { gx: number[]; runs: number } {
    torch.manualSeed(5);
    const x = torch.randn([4, 5]).requiresGrad_();
    const w = torch.randn([3, 4, 5]);
    const before = fusedRuns;
    const a0 = mulFirst ? x.mul(2) : null;
    const y = F.relu(x);
    const a = a0 ?? x.mul(2);
    const z = triple(y, fuse);
    const b = x.mul(3);
    z.mul(w.select(0, 0)).sum().add(a.mul(w.select(0, 1)).sum()).add(b.mul(w.select(0, 2)).sum()).backward();
    return { gx: x.grad!.reshape([-1]).tolist() as number[], runs: fusedRuns - before };
  }
  const later = run(true, false);
  assert.equal(later.runs, 0);
  assert.deepEqual(later.gx, run(false, false).gx);
  const earlier = run(true, true);
  assert.equal(earlier.runs, 1);
  assert.deepEqual(earlier.gx, run(false, true).gx);
});

test("a fused backward still checks the saved tensors of both nodes", () => {
  torch.manualSeed(4);
  const x = torch.randn([3, 3]).requiresGrad_();
  const y = F.relu(x);
  const z = triple(y).sum();
  noGrad(() => y.add_(1));  // relu saved y: modified in place
  assert.throws(() => z.backward(), /modified by an inplace operation/);
});
