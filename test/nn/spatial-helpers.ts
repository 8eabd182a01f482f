// SPDX-License-Identifier: BSD-3-Clause
// Shared by test/nn/{conv,pooling,resample}.test.ts: decoding test/fixtures/nn-spatial.json
// (scripts/gen_nn_spatial_fixtures.py, PyTorch 1.13) and comparing values, gradients and errors.
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import { noGrad } from "../../src/autograd/grad-mode.js";
import { assertValues, flatValues, type Json, loadFixture } from "../helpers.js";

type T = torch.Tensor;
export interface Enc { shape: number[]; dtype: torch.DType; data: Json[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fx = loadFixture<any>("nn-spatial.json");

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };

export function dec(e: Enc, requiresGrad = false): T {
  if (e.dtype === "int64") return torch.tensor(e.data.map((v) => BigInt(v as string)), { dtype: "int64" }).reshape(e.shape);
  const vals = e.data.map((v) => (typeof v === "string" ? SPECIAL[v]! : v as number));
  const t = torch.tensor(vals, { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_() : t;
}

/** Values and shape against a fixture tensor, with PyTorch's assert_close tolerances (or `tol` = [rtol, atol]). */
export function close(actual: T | null | undefined, expected: Enc | null, what: string, tol?: [number, number]): void {
  if (expected === null) { assert.ok(actual === null || actual === undefined, `${what}: expected no value`); return; }
  assert.ok(actual !== null && actual !== undefined, `${what}: missing`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  if (tol) {
    const a = flatValues(actual) as number[], e = flatValues(dec(expected)) as number[];
    const bad = a.map((v, i) => [v, e[i]!, i] as const).filter(([v, x]) => !(Math.abs(v - x) <= tol[1] + tol[0] * Math.abs(x)));
    assert.equal(bad.length, 0, `${what}: ${bad.slice(0, 5).map(([v, x, i]) => `[${i}] ${v} != ${x}`).join(", ")}`);
    return;
  }
  if (expected.dtype === "int64") { assert.deepEqual(flatValues(actual).map(Number), expected.data.map(Number), what); return; }
  assertValues(flatValues(actual), flatValues(dec(expected)), expected.dtype, what);
}

/** The same values in a non-contiguous layout: channels-last (dims 1 and last swapped in memory). */
export function channelsLast(t: T): T {
  if (t.ndim < 3) return t.t().contiguous().t();
  const r = noGrad(() => t.movedim(1, -1).contiguous().movedim(-1, 1));
  assert.ok(!r.isContiguous(), "channelsLast: expected a non-contiguous tensor");
  return t.requiresGrad ? r.requiresGrad_() : r;
}

/** `fn` raises PyTorch's error: same class name and message (or message prefix). */
export function throwsLike(fn: () => unknown, expected: { type: string; msg: string }, what: string, prefix = false): void {
  let err: Error | null = null;
  try { fn(); } catch (e) { err = e as Error; }
  assert.ok(err !== null, `${what}: did not throw`);
  assert.equal(err.name, expected.type, `${what}: ${err.name}: ${err.message}`);
  if (prefix) assert.ok(err.message.startsWith(expected.msg.slice(0, 30)), `${what}: ${err.message}`);
  else assert.equal(err.message, expected.msg, what);
}

/** Loads a fixture tensor into a parameter without recording. */
export function setParam(p: T, e: Enc): void { noGrad(() => { p.copy_(dec(e)); }); }
