// SPDX-License-Identifier: BSD-3-Clause
// The tutorial examples print what PyTorch prints (test/fixtures/autograd-basics.txt comes from
// scripts/autograd_basics.py run with PyTorch 1.13).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fixturePath } from "../helpers.js";

const run = (name: string) =>
  execFileSync(process.execPath, [fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url))], { encoding: "utf8" });

test("examples/autograd-basics.ts prints PyTorch's output", () => {
  // Python prints bare booleans as True/False; JS as true/false (reprs keep requires_grad=True)
  const expected = readFileSync(fixturePath("autograd-basics.txt"), "utf8").replace(/^True$/gm, "true").replace(/^False$/gm, "false");
  assert.equal(run("autograd-basics"), expected);
});

test("examples/linear-regression.ts: PyTorch's gradients, then descent to w = 2, b = 0", () => {
  const out = run("linear-regression");
  assert.match(out, /^tensor\(-20\.\) tensor\(-6\.5000\)\n/);
  const [, w, b] = /w = ([\d.-]+), b = ([\d.-]+)/.exec(out)!;
  assert.ok(Math.abs(Number(w) - 2) < 0.05 && Math.abs(Number(b)) < 0.1, out);
});

test("examples/tensor-basics.ts runs", () => {
  assert.match(run("tensor-basics"), /tensor\(\[\[0\.4963, 0\.7682, 0\.0885\]/);
});
