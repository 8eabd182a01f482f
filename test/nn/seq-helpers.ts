// SPDX-License-Identifier: BSD-3-Clause
// Shared by the nn sequence tests (rnn, attention, layernorm, utils): reading test/fixtures/nn-seq.json
// (scripts/gen_nn_seq_fixtures.py) tensors and comparing against them.
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import { assertValues, decodeElement, flatValues, type Json, loadFixture } from "../helpers.js";

export interface Enc { dtype: torch.DType; shape: number[]; values: Json[] }
export interface Err { type: string; message: string }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fx = loadFixture<any>("nn-seq.json");

/** A fixture tensor (optionally requiring grad). */
export function dec(e: Enc, requiresGrad = false): torch.Tensor {
  const vals = e.values.map((v) => decodeElement(v, e.dtype));
  const t = torch.tensor(e.dtype === "int64" ? vals.map(Number) : vals as number[], { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_() : t;
}

/** actual matches the fixture tensor: shape, and values within assert_close's tolerance for its dtype (or tol). */
export function close(actual: torch.Tensor | null | undefined, expected: Enc, what: string, tol?: [number, number]): void {
  assert.ok(actual !== null && actual !== undefined, `${what}: missing`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = flatValues(actual.dtype === "int64" ? actual : actual.double()).map(Number);
  const e = flatValues(dec(expected)).map(Number);
  if (tol) {
    a.forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= tol[1] + tol[0] * Math.abs(e[i]!) || (Number.isNaN(v) && Number.isNaN(e[i]!)) || v === e[i],
      `${what}[${i}]: ${v} != ${e[i]}`));
    return;
  }
  assertValues(a, e, expected.dtype === "int64" ? "int64" : expected.dtype, what);
}

/** A state dict from the fixture. */
export function stateOf(sd: Record<string, Enc>): Record<string, torch.Tensor> {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, dec(v)]));
}

/** fn throws PyTorch's error: same class name and message. */
export function throwsLike(fn: () => unknown, e: Err, what: string): void {
  assert.throws(fn, (x: Error) => {
    assert.equal(x.message, e.message, `${what}: message`);
    assert.equal(x.name, e.type, `${what}: class`);
    return true;
  });
}

/** Every parameter gradient against the fixture's (by PyTorch name). */
export function closeGrads(m: torch.nn.Module, expected: Record<string, Enc>, what: string): void {
  const params = Object.fromEntries(m.namedParameters());
  assert.deepEqual(Object.keys(expected).sort(), Object.keys(params).filter((k) => params[k]!.grad !== null).sort(), `${what}: params with grads`);
  for (const [k, e] of Object.entries(expected)) close(params[k]!.grad, e, `${what} grad ${k}`);
}
