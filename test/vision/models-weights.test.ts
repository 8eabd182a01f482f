// SPDX-License-Identifier: BSD-3-Clause
// vision.models weights and fine-tuning: weights enums (url, file name, meta, transforms() against
// torchvision 0.14's ImageClassification), loading from the hub cache ($TORCH_HOME/hub/checkpoints)
// with strict loadStateDict, the offline error naming where to put the file, builder argument
// errors in torchvision's words, the registry, and transfer learning (freeze, replace fc, one step
// changes only the head). No test touches the network.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import * as torch from "../../src/index.js";
import { models } from "../../src/vision/index.js";
import { loadFixture } from "../helpers.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const { nn, optim } = torch;
const presets = loadFixture<{
  input: number[]; inputShape: number[]; output: number[]; outputShape: number[]; repr: string; resnet18Transforms: string; resnet50V2Transforms: string;
  resnet18Meta: { url: string; numParams: number; metrics: any; categories: string[]; minSize: number[] };
}>("models/presets.json");

/** Runs fn with TORCH_HOME set to dir. */
function withTorchHome<T>(dir: string, fn: () => T): T {
  const old = process.env.TORCH_HOME;
  process.env.TORCH_HOME = dir;
  try { return fn(); } finally { if (old === undefined) delete process.env.TORCH_HOME; else process.env.TORCH_HOME = old; }
}

describe("weights enums", () => {
  test("ResNet18_Weights.IMAGENET1K_V1: url, file name, hash prefix, meta as torchvision", () => {
    const w = models.ResNet18_Weights.IMAGENET1K_V1!;
    assert.equal(models.ResNet18_Weights.DEFAULT, w);
    assert.equal(String(w), "ResNet18_Weights.IMAGENET1K_V1");
    assert.equal(w.url, presets.resnet18Meta.url);
    assert.equal(w.fileName, "resnet18-f37072fd.pth");
    assert.equal(w.hashPrefix, "f37072fd");
    assert.equal(w.meta.numParams, presets.resnet18Meta.numParams);
    assert.deepEqual(w.meta.metrics, presets.resnet18Meta.metrics);
    assert.deepEqual(w.meta.minSize, presets.resnet18Meta.minSize);
    assert.equal(w.meta.categories!.length, 1000);
    assert.deepEqual(w.meta.categories!.slice(0, 5), presets.resnet18Meta.categories);
    assert.deepEqual(Object.keys(models.ResNet50_Weights), ["IMAGENET1K_V1", "IMAGENET1K_V2"]);
    assert.equal(models.ResNet50_Weights.DEFAULT, models.ResNet50_Weights.IMAGENET1K_V2);
  });

  test("transforms(): repr and output equal torchvision's ImageClassification", () => {
    assert.equal(String(models.ResNet18_Weights.DEFAULT.transforms()), presets.resnet18Transforms);
    assert.equal(String(models.ResNet50_Weights.IMAGENET1K_V2!.transforms()), presets.resnet50V2Transforms);
    const t = new models.ImageClassification({ cropSize: 24, resizeSize: 28 });
    assert.equal(String(t), presets.repr);
    const img = torch.tensor(presets.input, { dtype: torch.uint8 }).reshape(presets.inputShape);
    const out = t.forward(img);
    assert.deepEqual(out.shape, presets.outputShape);
    const got = out.flatten().tolist() as number[];
    // uint8 resize rounds to integers, so a rounding flip is one grey level (1/255/std) at most
    const tol = 1 / 255 / 0.224 + 1e-5;
    let worst = 0;
    got.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - presets.output[i]!)); });
    assert.ok(worst <= tol, `max |diff| ${worst}`);
    const mean = got.reduce((a, v, i) => a + Math.abs(v - presets.output[i]!), 0) / got.length;
    assert.ok(mean < 1e-3, `mean |diff| ${mean}`);
  });

  test("weights given by name, by enum entry, or wrongly", () => {
    assert.throws(() => models.resnet18({ weights: models.ResNet50_Weights.DEFAULT }),
      { name: "TypeError", message: "Invalid Weight class provided; expected ResNet18_Weights but received ResNet50_Weights." });
    assert.throws(() => models.resnet18({ weights: "IMAGENET1K_V9" }), { name: "ValueError", message: "Unknown value 'IMAGENET1K_V9' for ResNet18_Weights." });
    assert.throws(() => models.resnet18({ weights: "ResNet50_Weights.IMAGENET1K_V1" }),
      { name: "ValueError", message: "Unknown value 'ResNet50_Weights.IMAGENET1K_V1' for ResNet18_Weights." });
    assert.throws(() => models.resnet18({ weights: "DEFAULT", numClasses: 10 }),
      { name: "ValueError", message: "The parameter 'num_classes' expected value 1000 but got 10 instead." });
    assert.equal(models.getWeight("ResNet50_Weights.IMAGENET1K_V2"), models.ResNet50_Weights.IMAGENET1K_V2);
    assert.equal(models.getWeight("ResNet50_Weights.DEFAULT"), models.ResNet50_Weights.IMAGENET1K_V2);
  });
});

describe("registry", () => {
  test("listModels / getModel / getModelWeights", () => {
    const all = models.listModels();
    for (const n of ["alexnet", "resnet18", "resnext50_32x4d", "wide_resnet50_2", "vgg16_bn", "mobilenet_v3_small", "efficientnet_b0", "vit_b_16", "convnext_tiny"])
      assert.ok(all.includes(n), n);
    assert.deepEqual(all, [...all].sort());
    assert.deepEqual(models.listModels({ include: "resnet1*" }), ["resnet101", "resnet152", "resnet18"]);
    assert.equal(models.getModelWeights("resnet50"), models.ResNet50_Weights);
    assert.equal(models.getModelWeights("mobilenet_v2"), models.MobileNet_V2_Weights);
    assert.ok(models.getModel("squeezenet1_1", { numClasses: 7 }) instanceof models.SqueezeNet);
    assert.throws(() => models.getModel("resnet9"), { name: "ValueError", message: "Unknown model resnet9" });
  });
});

describe("loading weights from the hub cache", () => {
  test("resnet18({ weights }) loads $TORCH_HOME/hub/checkpoints/resnet18-f37072fd.pth strictly", () => {
    const home = mkdtempSync(join(tmpdir(), "torchts-hub-"));
    const dir = join(home, "hub", "checkpoints");
    mkdirSync(dir, { recursive: true });
    torch.manualSeed(7);
    const src = models.resnet18();
    torch.save(src.stateDict(), join(dir, "resnet18-f37072fd.pth"));
    withTorchHome(home, () => {
      assert.equal(models.getDir(), join(home, "hub"));
      torch.manualSeed(8);
      const m = models.resnet18({ weights: models.ResNet18_Weights.IMAGENET1K_V1, progress: false });
      const a = src.stateDict(), b = m.stateDict();
      for (const k of Object.keys(a)) assert.ok(torch.equal(a[k]!, b[k]!), k);
      const m2 = models.getModel("resnet18", { weights: "DEFAULT", progress: false });
      assert.ok(torch.equal(m2.stateDict()["fc.weight"]!, a["fc.weight"]!));
      // a checkpoint for another architecture fails strict loading with PyTorch's words
      torch.save(src.stateDict(), join(dir, "resnet34-b627a593.pth"));
      assert.throws(() => models.resnet34({ weights: "DEFAULT", progress: false }), /Error\(s\) in loading state_dict for ResNet:\n\tMissing key\(s\) in state_dict: "layer1.2.conv1.weight"/);
    });
  });

  test("offline: the error says where to put the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "torchts-hub-"));
    assert.throws(() => models.loadStateDictFromUrl("http://127.0.0.1:9/resnet18-f37072fd.pth", { modelDir: dir, progress: false }),
      (e: Error) => e.name === "RuntimeError" && e.message.includes(`put it at ${join(dir, "resnet18-f37072fd.pth")}`));
  });
});

describe("transfer learning", () => {
  test("freeze, replace fc, one SGD step changes only the head", () => {
    torch.manualSeed(0);
    const model = models.resnet18();
    model.requiresGrad_(false);
    model.fc = new nn.Linear(512, 3);
    assert.deepEqual(Object.entries(model.stateDict()).filter(([k]) => k.startsWith("fc.")).map(([k, t]) => [k, t.shape]), [["fc.weight", [3, 512]], ["fc.bias", [3]]]);
    const trainable = [...model.namedParameters()].filter(([, p]) => p.requiresGrad).map(([k]) => k);
    assert.deepEqual(trainable, ["fc.weight", "fc.bias"]);
    const before = new Map([...model.namedParameters()].map(([k, p]) => [k, p.detach().clone()]));
    const optimizer = new optim.SGD(model.fc.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = torch.randn(4, 3, 32, 32);
    const y = torch.tensor([0, 2, 1, 2], { dtype: torch.int64 });
    model.train();
    optimizer.zeroGrad();
    const loss = new nn.CrossEntropyLoss().forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    for (const [k, p] of model.namedParameters()) {
      if (k.startsWith("fc.")) assert.ok(!torch.equal(p, before.get(k)!), `${k} changed`);
      else {
        assert.ok(torch.equal(p, before.get(k)!), `${k} unchanged`);
        assert.equal(p.grad, null, `${k} has no grad`);
      }
    }
    model.eval();
    const out = torch.noGrad(() => model.forward(x)) as torch.Tensor;
    assert.deepEqual(out.shape, [4, 3]);
    assert.equal(out.requiresGrad, false);
  });
});

test("examples/transfer-learning.ts: loads a local weights file, fine-tunes the head, reports accuracy", () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-weights-"));
  torch.manualSeed(5);
  const file = join(dir, "resnet18-f37072fd.pth");
  torch.save(models.resnet18().stateDict(), file);
  const script = fileURLToPath(new URL("../../examples/transfer-learning.js", import.meta.url));
  const out = execFileSync(process.execPath, [script, "-", file, "2"], { encoding: "utf8" });
  assert.match(out, /^classes: blue, red; 32 training and 16 validation images\nloaded .*resnet18-f37072fd\.pth/);
  assert.match(out, /epoch 2: loss [\d.]+, val accuracy [\d.]+%/);
  const noWeights = execFileSync(process.execPath, [script, "-", join(dir, "missing.pth"), "1"], { encoding: "utf8" });
  assert.match(noWeights, /RANDOMLY INITIALISED/);
});

describe("downloading into the hub cache (a local server on 127.0.0.1)", () => {
  let server: Worker, base = "", body: Uint8Array, digest = "";
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "torchts-srv-"));
    torch.manualSeed(3);
    const file = join(dir, "ckpt.pth");
    torch.save(models.squeezenet1_1({ numClasses: 4 }).stateDict(), file);
    body = readFileSync(file);
    digest = createHash("sha256").update(body).digest("hex");
    server = new Worker(`
      const { createServer } = require("node:http");
      const { readFileSync } = require("node:fs");
      const { parentPort, workerData } = require("node:worker_threads");
      const b = readFileSync(workerData.file);
      const s = createServer((req, res) => { res.writeHead(200, { "content-length": b.length }); res.end(b); });
      s.listen(0, "127.0.0.1", () => parentPort.postMessage(s.address().port));
    `, { eval: true, workerData: { file } });
    base = `http://127.0.0.1:${await new Promise<number>((r) => server.once("message", r))}`;
  });
  after(() => server.terminate());

  test("a file whose sha256 starts with the name's hash is downloaded, cached and loaded", () => {
    const dir = mkdtempSync(join(tmpdir(), "torchts-hub-"));
    const name = `squeezenet-${digest.slice(0, 8)}.pth`;
    const sd = models.loadStateDictFromUrl(`${base}/models/${name}`, { modelDir: dir, checkHash: true, progress: false });
    assert.deepEqual(readdirSync(dir), [name]);
    assert.deepEqual(readFileSync(join(dir, name)), Buffer.from(body));
    const m = new models.SqueezeNet("1_1", { numClasses: 4 });
    m.loadStateDict(sd, { strict: true });
  });

  test("a checksum mismatch is an error and leaves nothing in the cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "torchts-hub-"));
    assert.throws(() => models.loadStateDictFromUrl(`${base}/models/squeezenet-0123abcd.pth`, { modelDir: dir, checkHash: true, progress: false }),
      { name: "RuntimeError", message: `invalid hash value (expected "0123abcd", got "${digest}")` });
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(existsSync(join(dir, "squeezenet-0123abcd.pth")), false);
  });
});
