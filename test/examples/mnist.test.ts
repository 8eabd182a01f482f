// SPDX-License-Identifier: BSD-3-Clause
// The main job, shortened: the MNIST example trains for 300 steps on the real data and its loss
// falls well below chance (ln 10 = 2.30).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

test("examples/mnist.ts: 300 Adam steps take the loss from ~2.3 to below 0.5, test accuracy above 90%", () => {
  const script = fileURLToPath(new URL("../../examples/mnist.js", import.meta.url));
  const out = execFileSync(process.execPath, [script, "--epochs", "1", "--steps", "300"], { encoding: "utf8", timeout: 300_000 });
  const last = Number(/mean of the last 50 ([\d.]+)/.exec(out)?.[1]);
  const first = Number(/first loss ([\d.]+)/.exec(out)?.[1]);
  const acc = Number(/on the 10000 test images: ([\d.]+) %/.exec(out)?.[1]);
  assert.ok(first > 2.0 && first < 2.6, `first loss ${first}`);
  assert.ok(last < 0.5, `loss after 300 steps ${last}`);
  assert.ok(acc > 90, `accuracy ${acc}`);
});
