// SPDX-License-Identifier: BSD-3-Clause
// The main job, shortened: the MNIST example trains for 300 steps on the real data and its loss
// falls well below chance (ln 10 = 2.30).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import * as torch from "../../src/index.js";

test("examples/mnist.ts: 300 Adam steps take the loss from ~2.3 to below 0.5, test accuracy above 90%; writes its outputs", () => {
  const script = fileURLToPath(new URL("../../examples/mnist.js", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "torchts-mnist-"));
  const out = execFileSync(process.execPath, [script, "--epochs", "1", "--steps", "300", "--out", dir], { encoding: "utf8", timeout: 300_000 });
  const last = Number(/mean of the last 50 ([\d.]+)/.exec(out)?.[1]);
  const first = Number(/first loss ([\d.]+)/.exec(out)?.[1]);
  const acc = Number(/on the 10000 test images: ([\d.]+) %/.exec(out)?.[1]);
  assert.ok(first > 2.0 && first < 2.6, `first loss ${first}`);
  assert.ok(last < 0.5, `loss after 300 steps ${last}`);
  assert.ok(acc > 90, `accuracy ${acc}`);
  // the checkpoint loads back into the same architecture's keys; the PNGs are PNGs
  const sd = torch.load(join(dir, "mnist_cnn.pth")) as Record<string, torch.Tensor>;
  assert.deepEqual(Object.keys(sd), ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
    "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]);
  assert.deepEqual(sd["fc1.weight"]!.shape, [120, 400]);
  for (const png of ["mnist_predictions.png", "mnist_loss.png"]) {
    assert.ok(existsSync(join(dir, png)), png);
    assert.deepEqual([...readFileSync(join(dir, png)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], png);
  }
  rmSync(dir, { recursive: true, force: true });
});
