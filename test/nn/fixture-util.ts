// SPDX-License-Identifier: BSD-3-Clause
// Decoding and comparing the tensors of test/fixtures/nn-module.json (scripts/gen_nn_module_fixtures.py).
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import { type Json, flatValues, loadFixture } from "../helpers.js";

export interface Enc { shape: number[]; dtype: torch.DType; data: Json[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fx = loadFixture<any>("nn-module.json");

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };

export function dec(e: Enc): torch.Tensor {
  const vals = e.data.map((v) => (typeof v === "string" ? (e.dtype === "int64" ? Number(v) : SPECIAL[v]!) : v as number));
  return torch.tensor(vals, { dtype: e.dtype }).reshape(e.shape);
}

/** |a - e| <= atol + rtol * |e| elementwise, shapes equal. */
export function closeTo(actual: torch.Tensor | null | undefined, expected: Enc, what: string, [rtol, atol]: [number, number] = [1.3e-6, 1e-5]): void {
  assert.ok(actual !== null && actual !== undefined, `${what}: missing`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = flatValues(actual).map(Number), e = flatValues(dec(expected)).map(Number);
  const bad: string[] = [];
  a.forEach((v, i) => { if (!(Math.abs(v - e[i]!) <= atol + rtol * Math.abs(e[i]!))) bad.push(`[${i}] ${v} != ${e[i]}`); });
  assert.ok(bad.length === 0, `${what}: ${bad.length}/${a.length} differ: ${bad.slice(0, 5).join(", ")}`);
}
