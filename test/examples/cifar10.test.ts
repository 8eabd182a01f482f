// SPDX-License-Identifier: BSD-3-Clause
// The CIFAR-10 tutorial program, run in this process on a small CIFAR-10 archive in the real format
// (test/fixtures/vision/cifar, written by scripts/gen_vision_fixtures.py): 2 DataLoader workers,
// training, torch.save, reload into a fresh Net, the accuracy printouts.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import { CIFAR10 } from "../../src/vision/datasets/index.js";
import { fixturePath, loadFixture } from "../helpers.js";
import { type CifarChecksums, withFixtureChecksums } from "../vision/common.js";

const fx = loadFixture<{ cifar: { CIFAR10: CifarChecksums } }>("vision/datasets.json");

test("examples/cifar10-tutorial.ts: trains, saves, reloads and reports accuracy as the tutorial does", async () => {
  const root = mkdtempSync(join(tmpdir(), "torchts-cifar-root-")), out = mkdtempSync(join(tmpdir(), "torchts-cifar-out-"));
  copyFileSync(fixturePath("vision/cifar/cifar-10-python.tar.gz"), join(root, "cifar-10-python.tar.gz"));
  const lines: string[] = [];
  const argv = process.argv, log = console.log;
  process.argv = [argv[0]!, "cifar10-tutorial.js", "--root", root, "--out", out, "--epochs", "2", "--print-every", "2"];
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(" ")); };
  try {
    await withFixtureChecksums(CIFAR10, fx.cifar.CIFAR10, () => import("../../examples/cifar10-tutorial.js"));
  } finally {
    process.argv = argv; console.log = log;
  }
  const text = lines.join("\n");
  assert.match(text, /^\[1,     2\] loss: \d+\.\d{3}$/m);
  assert.match(text, /^\[2,     2\] loss: \d+\.\d{3}$/m);
  assert.match(text, /^Finished Training$/m);
  assert.match(text, /^GroundTruth: {2}( *(plane|car|bird|cat|deer|dog|frog|horse|ship|truck)){1,4}$/m);
  assert.match(text, /^Predicted: {2}( *(plane|car|bird|cat|deer|dog|frog|horse|ship|truck)){1,4}$/m);
  assert.match(text, /^Accuracy of the network on the \d+ test images: \d+ %$/m);
  assert.equal(lines.filter((l) => /^Accuracy of +\w+ : +\d+ %$/.test(l)).length, 10);
  for (const f of ["cifar_net.pth", "cifar_train.png", "cifar_test.png"]) assert.ok(existsSync(join(out, f)), f);
  const sd = torch.load(join(out, "cifar_net.pth")) as Record<string, torch.Tensor>;
  assert.deepEqual(Object.keys(sd), ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
    "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]);
  rmSync(root, { recursive: true, force: true }); rmSync(out, { recursive: true, force: true });
});
