// SPDX-License-Identifier: BSD-3-Clause
// The gradient half of the op table: every row of test/fixtures/grads.json is a short program over
// input tensors, with what PyTorch 1.13's autograd gave for it (scripts/gen_grad_table_fixtures.py). One
// test per row: the output's grad_fn name, each input's .grad (assert_close tolerances per dtype),
// PyTorch's error where it refuses, and in float64 gradcheck and gradgradcheck wherever they pass in
// PyTorch on the same inputs.
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import { type InputSpec, type Json, assertValues, decodeElement, flatValues, loadFixture, makeInput, tableTests } from "../helpers.js";

interface Step { call: "function" | "method" | "getter"; fn: string; args: Json[]; kwargs?: { [key: string]: Json } }
interface Grad { dtype: torch.DType; shape: number[]; values: Json[] }
type Expect =
  | { gradFn: (string | null)[]; grads: (Grad | null)[] }
  | { error: { type: string; message: string } };

export interface GradCase {
  id: string;
  op: string;
  steps: Step[];
  outputs: number[] | null;
  inputs: (InputSpec & { requiresGrad: boolean })[];
  gradOutputs: InputSpec[];
  expect: Expect;
  gradcheck?: boolean;
  gradgradcheck?: boolean;
  xfail?: string;
}

const fixture = loadFixture<{ torch: string; cases: GradCase[] }>("grads.json");

/** A fixture argument as the JS value torchts takes: inputs, earlier results, specials, options. */
function decodeArg(a: Json, inputs: torch.Tensor[], results: unknown[]): unknown {
  if (Array.isArray(a)) return a.map((x) => decodeArg(x, inputs, results));
  if (a === null || typeof a !== "object") return a;
  if ("$t" in a) return inputs[a["$t"] as number];
  if ("$s" in a) {
    const r = results[a["$s"] as number];
    return "i" in a ? (r as unknown[])[a["i"] as number] : r;
  }
  if ("$n" in a) return decodeElement(a["$n"]!, "float64");
  if ("$big" in a) return BigInt(a["$big"] as string);
  if ("$dtype" in a) return a["$dtype"];
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, decodeArg(v, inputs, results)]));
}

/** Runs the steps on these inputs; the differentiated outputs of the last one. */
function runSteps(c: GradCase, inputs: torch.Tensor[]): torch.Tensor[] {
  const results: unknown[] = [];
  for (const s of c.steps) {
    const args = s.args.map((a) => decodeArg(a, inputs, results));
    if (s.kwargs) args.push(decodeArg(s.kwargs, inputs, results));
    let r: unknown;
    if (s.call === "function") {
      const fn = (torch as unknown as Record<string, unknown>)[s.fn];
      if (typeof fn !== "function") throw new Error(`torch.${s.fn} is missing`);
      r = (fn as (...a: unknown[]) => unknown)(...args);
    } else {
      const self = args[0] as Record<string, unknown>;
      if (!(s.fn in self)) throw new Error(`Tensor.${s.fn} is missing`);
      r = s.call === "getter" ? self[s.fn] : (self[s.fn] as (...a: unknown[]) => unknown).apply(self, args.slice(1));
    }
    results.push(r);
  }
  const last = results[results.length - 1];
  return c.outputs === null ? [last as torch.Tensor] : c.outputs.map((i) => (last as torch.Tensor[])[i]!);
}

function makeInputs(c: GradCase): torch.Tensor[] {
  return c.inputs.map((s) => {
    const x = makeInput(s);
    return s.requiresGrad ? x.requiresGrad_() : x;
  });
}

/** gradcheck perturbs storage elements, so inputs with a zero stride are checked as contiguous copies. */
function forGradcheck(xs: torch.Tensor[]): torch.Tensor[] {
  return xs.map((x) => (x.stride().some((st, i) => st === 0 && x.shape[i]! > 1)
    ? x.detach().contiguous().requiresGrad_(x.requiresGrad) : x));
}

/**
 * PyTorch's nodes written in C++ report a namespaced name (torch::autograd::CopyBackwards) and print
 * without it (grad_fn=<CopyBackwards>); torchts's name() is the printed one.
 */
const printedName = (name: string | null): string | null => (name === null ? null : name.replace(/^torch::autograd::/, ""));

export function runCase(c: GradCase): void {
  const inputs = makeInputs(c);
  const e = c.expect;
  if ("error" in e) {
    assert.throws(() => {
      const outs = runSteps(c, inputs);
      torch.autograd.backward(outs, c.gradOutputs.map(makeInput));
    }, (err: unknown) => {
      assert.ok(err instanceof Error, `threw a non-Error: ${String(err)}`);
      assert.equal(err.message, e.error.message, "error message");
      assert.equal(err.name, e.error.type, `error type (message: ${err.message})`);
      return true;
    }, `expected ${e.error.type}: ${e.error.message}`);
    return;
  }
  const outs = runSteps(c, inputs);
  assert.deepEqual(outs.map((o) => o.gradFn?.name() ?? null), e.gradFn.map(printedName), "grad_fn names");
  torch.autograd.backward(outs, c.gradOutputs.map(makeInput));
  e.grads.forEach((want, i) => {
    const got = inputs[i]!.grad;
    const where = `input ${i} .grad`;
    if (want === null) {
      assert.equal(got, null, `${where}: expected no gradient`);
      return;
    }
    assert.ok(got !== null, `${where}: missing`);
    assert.equal(got.dtype, want.dtype, `${where}: dtype`);
    assert.deepEqual(got.shape, want.shape, `${where}: shape`);
    assertValues(flatValues(got), want.values.map((v) => decodeElement(v, want.dtype)), want.dtype, where);
  });
  if (c.gradcheck || c.gradgradcheck) {
    const xs = forGradcheck(makeInputs(c));
    const fn = (...ins: torch.Tensor[]) => runSteps(c, ins);
    if (c.gradcheck) torch.autograd.gradcheck(fn, xs);
    if (c.gradgradcheck) torch.autograd.gradgradcheck(fn, xs);
  }
}

tableTests(fixture.cases, runCase, "scripts/gen_grad_table_fixtures.py");
