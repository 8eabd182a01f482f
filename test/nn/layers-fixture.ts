// SPDX-License-Identifier: BSD-3-Clause
// Shared by the nn layer tests: test/fixtures/nn-layers.json (scripts/gen_nn_layers_fixtures.py,
// PyTorch 1.13) decoding and comparison.
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import { assertValues, type Json, flatValues, loadFixture } from "../helpers.js";

export type T = torch.Tensor;
export interface Enc { shape: number[]; dtype: torch.DType; data: Json[] }
export interface Case {
  op: string; id: string; kwargs: Record<string, Json>; inputs: Enc[]; gradInputs: number[]; out: Enc; gradFn: string | null;
  gradOut?: Enc; grads?: (Enc | null)[];
}
export interface ErrorSpec { type: string; message: string }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fx = loadFixture<any>("nn-layers.json");

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
export function dec(e: Enc, requiresGrad = false): T {
  const vals = e.data.map((v) => (typeof v === "string" ? (e.dtype === "int64" ? Number(v) : SPECIAL[v]!) : v as number));
  const t = torch.tensor(vals, { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_() : t;
}

/** actual vs expected with assert_close's tolerance for the dtype (or `tol` = [rtol, atol]). */
export function close(actual: T | null | undefined, expected: Enc, what: string, tol?: [number, number]): void {
  assert.ok(actual !== null && actual !== undefined, `${what}: missing`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  if (tol) {
    const a = flatValues(actual) as number[], e = flatValues(dec(expected)) as number[];
    a.forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= tol[1] + tol[0] * Math.abs(e[i]!) || (Number.isNaN(v) && Number.isNaN(e[i]!)), `${what}[${i}]: ${v} != ${e[i]}`));
    return;
  }
  assertValues(flatValues(actual.dtype === expected.dtype ? actual : actual.to(expected.dtype)), flatValues(dec(expected)), expected.dtype, what);
}

/** The same values in a non-contiguous layout: every other element of a twice-as-long storage. */
export function nonContiguous(t: T): T {
  if (t.numel() < 2) return t;
  const c = torch.stack([t.detach(), t.detach()], -1).select(-1, 0);
  assert.ok(!c.isContiguous());
  return t.requiresGrad ? c.requiresGrad_() : c;
}

/** Runs a fixture case: forward, grad_fn name and input gradients vs PyTorch. */
export function runCase(c: Case, fn: (inputs: T[]) => T, opts: { tol?: [number, number]; layout?: (t: T) => T } = {}): void {
  const inputs = c.inputs.map((e, i) => {
    const t = dec(e);
    const laid = opts.layout && t.isFloatingPoint() ? opts.layout(t) : t;
    return c.gradInputs.includes(i) ? laid.requiresGrad_() : laid;
  });
  const y = fn(inputs);
  close(y, c.out, `${c.id}: forward`, opts.tol);
  if (c.gradFn !== null) assert.equal(y.gradFn?.name(), c.gradFn, `${c.id}: grad_fn`);
  if (c.gradOut && c.grads) {
    const diff = c.gradInputs.map((i) => inputs[i]!);
    const grads = torch.autograd.grad([y], diff, { gradOutputs: [dec(c.gradOut)], allowUnused: true });
    c.grads.forEach((gExp, k) => {
      if (gExp === null) return;
      close(grads[k], gExp, `${c.id}: grad of input ${c.gradInputs[k]}`, opts.tol);
    });
  }
}

/** The error PyTorch raised: same class name and message. */
export function throwsLike(fn: () => unknown, e: ErrorSpec): void {
  assert.throws(fn, (err: Error) => {
    assert.equal(err.message, e.message);
    assert.equal(err.constructor.name, e.type);
    return true;
  });
}
