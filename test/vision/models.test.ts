// SPDX-License-Identifier: BSD-3-Clause
// vision.models against torchvision 0.14 (scripts/gen_models_fixtures.py): for each architecture the
// stateDict keys and shapes, torchvision's default init under manualSeed(0) (sums per tensor), and the
// eval-mode logits after refilling every parameter and buffer from randn in stateDict order; the
// structure (parameter count, sha256 of "key:shape" lines) of every builder; the repr of resnet18
// and mobilenet_v2.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import * as torch from "../../src/index.js";
import { models } from "../../src/vision/index.js";
import { fixturePath, loadFixture } from "../helpers.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
interface FwdFixture {
  name: string; kwargs: Record<string, unknown>; inputShape: number[]; keys: [string, number[]][];
  initSums: number[]; output: number[]; outputShape: number[];
}
const fwd = loadFixture<{ models: FwdFixture[] }>("models/forward.json").models;
const structure = loadFixture<{ models: { name: string; numParams: number; numKeys: number; sha256: string }[] }>("models/structure.json").models;

/** torchvision kwargs (snake_case) as builder options. */
function camel(kw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kw).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), v]));
}

/** The generator's fill(): every float tensor of the state dict from randn, in order. */
export function fill(model: torch.nn.Module): void {
  torch.manualSeed(1);
  torch.noGrad(() => {
    for (const [k, t] of Object.entries(model.stateDict())) {
      if (!t.isFloatingPoint()) continue;
      const r = torch.randn(t.shape);
      let v: torch.Tensor;
      if (k.endsWith("running_var")) v = r.abs().add(0.5);
      else if (t.dim() === 1 && k.endsWith("weight")) v = r.mul(0.1).add(1);
      else if (t.dim() <= 1) v = r.mul(0.05);
      else v = r.div(Math.sqrt(t.numel() / t.shape[0]!));
      t.copy_(v);
    }
  });
}

function close(actual: number[], expected: number[], rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}[${i}]: ${a} vs ${e} (torchvision)`);
  }
}

describe("models vs torchvision: keys, default init, eval forward", () => {
  for (const fx of fwd) {
    test(fx.name, () => {
      torch.manualSeed(0);
      const m = models.getModel(fx.name, { numClasses: 10, ...camel(fx.kwargs) });
      const sd = m.stateDict();
      assert.deepEqual(Object.entries(sd).map(([k, t]) => [k, t.shape]), fx.keys, "stateDict keys and shapes");
      // default init: same RNG draws in the same order give the same tensors
      const sums = Object.values(sd).map((t) => (t.isFloatingPoint() ? (t.double().sum().item() as number) : Number(t.sum().item())));
      close(sums, fx.initSums, 1e-4, 1e-3, `${fx.name} init sums`);
      fill(m);
      const x = torch.randn(fx.inputShape);
      m.eval();
      const y = torch.noGrad(() => m.forward(x)) as torch.Tensor;
      assert.deepEqual(y.shape, fx.outputShape);
      const maxAbs = Math.max(...fx.output.map(Math.abs));
      close(y.flatten().tolist() as number[], fx.output, 1e-3, 1e-4 * maxAbs, `${fx.name} logits`);
    });
  }
});

describe("models: structure of every builder", () => {
  for (const s of structure) {
    test(s.name, () => {
      const m = models.getModel(s.name);
      const sd = m.stateDict();
      const lines = Object.entries(sd).map(([k, t]) => `${k}:[${t.shape.join(", ")}]\n`).join("");
      assert.equal(Object.keys(sd).length, s.numKeys, "number of stateDict keys");
      assert.equal([...m.parameters()].reduce((n, p) => n + p.numel(), 0), s.numParams, "number of parameters");
      assert.equal(createHash("sha256").update(lines).digest("hex"), s.sha256, "sha256 of key:shape lines");
      const w = models.getModelWeights(s.name);
      // torchvision counts GoogLeNet's parameters without its auxiliary classifiers (dropped after loading)
      const counted = s.name === "googlenet" ? [...models.getModel(s.name, { auxLogits: false }).parameters()].reduce((n, p) => n + p.numel(), 0) : s.numParams;
      assert.equal(w.DEFAULT.meta.numParams, counted, "weights meta numParams");
    });
  }
});

describe("models: repr", () => {
  for (const name of ["resnet18", "mobilenet_v2"]) {
    test(name, () => {
      const m = models.getModel(name);
      assert.equal(String(m), readFileSync(fixturePath(`models/repr_${name}.txt`), "utf8"));
    });
  }
});
