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

interface TrainFixture { name: string; inputShape: number[]; output: number[]; stats: [string, number, number][]; inputGrad: [number, number] }
const trainFx = loadFixture<{ models: TrainFixture[] }>("models/train.json").models;

describe("models vs torchvision: training mode forward, backward and running stats", () => {
  for (const fx of trainFx) {
    test(fx.name, () => {
      torch.manualSeed(0);
      const m = models.getModel(fx.name, { numClasses: 10 });
      fill(m);
      const x = torch.randn(fx.inputShape).requiresGrad_();
      const w = torch.randn(fx.inputShape[0]!, 10);
      m.train();
      const y = m.forward(x) as torch.Tensor;
      const maxAbs = Math.max(...fx.output.map(Math.abs));
      close(y.detach().flatten().tolist() as number[], fx.output, 1e-3, 1e-4 * maxAbs, `${fx.name} train-mode logits`);
      y.mul(w).sum().backward();
      const params = new Map(m.namedParameters());
      const sd = m.stateDict();
      assert.deepEqual(Object.keys(sd), fx.stats.map((s) => s[0]));
      for (const [k, sum, abs] of fx.stats) {
        const t = (params.has(k) ? params.get(k)!.grad! : sd[k]!).double();
        const what = params.has(k) ? `grad of ${k}` : `buffer ${k} after the step`;
        // a norm layer's weight/bias gradient is, per channel, a sum over N*H*W terms of both signs, and
        // batch statistics over a batch of 2 amplify float32 rounding: 1% there, 0.2% elsewhere
        const rtol = params.has(k) && t.dim() === 1 ? 1e-2 : 2e-3;
        close([t.abs().sum().item() as number], [abs], rtol, 1e-6, `${what} |sum|`);
        close([t.sum().item() as number], [sum], 0, rtol * abs + 1e-6, `${what} sum`);
      }
      const g = x.grad!.double();
      close([g.abs().sum().item() as number], [fx.inputGrad[1]], 2e-3, 1e-6, "input grad |sum|");
      close([g.sum().item() as number], [fx.inputGrad[0]], 0, 2e-3 * fx.inputGrad[1] + 1e-6, "input grad sum");
    });
  }
});

test("resnet18 on a non-contiguous (channels-last view) input gives the contiguous result", () => {
  const fx = fwd.find((f) => f.name === "resnet18")!;
  torch.manualSeed(0);
  const m = models.resnet18({ numClasses: 10 });
  fill(m);
  const x = torch.randn(fx.inputShape);
  const xs = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
  assert.equal(xs.isContiguous(), false);
  m.eval();
  const y = torch.noGrad(() => m.forward(xs)) as torch.Tensor;
  close(y.flatten().tolist() as number[], fx.output, 1e-3, 1e-4 * Math.max(...fx.output.map(Math.abs)), "logits");
});

test("builder errors in torchvision's words", () => {
  assert.throws(() => new models.BasicBlock(64, 64, { groups: 2 }), { name: "ValueError", message: "BasicBlock only supports groups=1 and base_width=64" });
  assert.throws(() => models.resnet18({ replaceStrideWithDilation: [true, false] as any }), { name: "ValueError", message: "replace_stride_with_dilation should be None or a 3-element tuple, got [true,false]" });
  assert.throws(() => new models.SqueezeNet("1_2"), { name: "ValueError", message: "Unsupported SqueezeNet version 1_2: 1_0 or 1_1 expected" });
  assert.throws(() => new models.MNASNet(0), { name: "ValueError", message: "alpha should be greater than 0.0 instead of 0" });
  assert.throws(() => new models.InvertedResidual(8, 8, 3, 6), { name: "ValueError", message: "stride should be 1 or 2 instead of 3" });
  assert.throws(() => models.stochasticDepth(torch.ones(2), 1.5, "row"), { name: "ValueError", message: "drop probability has to be between 0 and 1, but got 1.5" });
});

describe("models: repr of the other families", () => {
  const reprs = loadFixture<Record<string, string>>("models/reprs.json");
  for (const [name, expected] of Object.entries(reprs)) {
    test(name, () => {
      const got = String(models.getModel(name)).split("\n"), exp = expected.split("\n");
      const i = got.findIndex((l, j) => l !== exp[j]);
      assert.ok(i < 0 && got.length === exp.length, i < 0 ? `line count ${got.length} vs ${exp.length}` : `line ${i + 1}: ${got[i]}\n   torchvision: ${exp[i]}`);
    });
  }
});
