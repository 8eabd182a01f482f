// SPDX-License-Identifier: BSD-3-Clause
// The fixture runner shared by test/ops/sorting.test.ts and test/ops/matrix.test.ts (test/fixtures/sorting.json).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";

export type Scalar = number | string | boolean;
export interface EncTensor { dtype: torch.DType; values: Scalar[]; size: number[]; stride: number[]; offset: number }
export type Arg = Scalar | null | Arg[] | { __tensor__: EncTensor };
export type Expected = { tensor: EncTensor } | { tuple: Expected[] };
export interface Case {
  name: string; group: string; op: string; args: Arg[]; kwargs: Record<string, Arg>; method: boolean;
  expected?: Expected; error?: { type: string; message: string };
}

export function fixture(): { torch: string; cases: Case[] } {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("no package.json above " + import.meta.url);
    dir = up;
  }
  return JSON.parse(readFileSync(join(dir, "test", "fixtures", "sorting.json"), "utf8")) as { torch: string; cases: Case[] };
}

export const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
export function decodeValue(v: Scalar, dtype: torch.DType): number | bigint | boolean {
  if (dtype === "int64") return BigInt(v as string);
  return typeof v === "string" ? SPECIAL[v]! : v;
}

export function decodeTensor(e: EncTensor): torch.Tensor {
  const base = torch.tensor(e.values.map((v) => decodeValue(v, e.dtype)) as number[], { dtype: e.dtype });
  return base.asStrided(e.size, e.stride, e.offset);
}

export function decodeArg(a: Arg): unknown {
  if (Array.isArray(a)) return a.map(decodeArg);
  if (a !== null && typeof a === "object") return decodeTensor(a.__tensor__);
  return a;
}

export const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** torch.op(...args, { camelCasedKwargs }) or args[0].op(...), as API.md rule 3 ports the Python call. */
export function call(c: Case): unknown {
  const args = c.args.map(decodeArg);
  const kw = Object.entries(c.kwargs);
  if (kw.length > 0) args.push(Object.fromEntries(kw.map(([k, v]) => [camel(k), decodeArg(v)])));
  const target = (c.method ? args.shift() : torch) as Record<string, (...a: unknown[]) => unknown>;
  return target[c.op]!(...args);
}

/** The elements in row-major order: bigint for int64, boolean for bool, number otherwise. */
export function elements(t: torch.Tensor): (number | bigint | boolean)[] {
  if (t.dtype === "int64") return Array.from(t.contiguous().numpy() as BigInt64Array);
  if (t.dtype === "bool") return Array.from(t.contiguous().numpy() as Uint8Array, (v) => v !== 0);
  return Array.from(t.to("float64").contiguous().numpy() as Float64Array);
}

// torch.testing.assert_close defaults
export const TOL: Partial<Record<torch.DType, [number, number]>> = {
  float16: [1e-3, 1e-5], bfloat16: [1.6e-2, 1e-5], float32: [1.3e-6, 1e-5], float64: [1e-7, 1e-7],
};

export function assertTensor(actual: unknown, exp: EncTensor, where: string): void {
  assert.ok(actual instanceof torch.Tensor, `${where}: expected a tensor, got ${String(actual)}`);
  assert.equal(actual.dtype, exp.dtype, `${where}: dtype`);
  assert.deepEqual(actual.shape, exp.size, `${where}: shape`);
  const got = elements(actual), want = exp.values.map((v) => decodeValue(v, exp.dtype));
  const tol = TOL[exp.dtype];
  want.forEach((w, i) => {
    const g = got[i]!;
    if (tol === undefined || typeof w !== "number") {
      assert.equal(g, w, `${where}: element ${i}`);
    } else if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), `${where}: element ${i} is ${String(g)}, expected nan`);
    } else {
      const ok = g === w || Math.abs((g as number) - w) <= tol[1] + tol[0] * Math.abs(w);
      assert.ok(ok, `${where}: element ${i} is ${String(g)}, expected ${w}`);
    }
  });
}

export function assertResult(actual: unknown, exp: Expected, where: string): void {
  if ("tensor" in exp) return assertTensor(actual, exp.tensor, where);
  assert.ok(Array.isArray(actual), `${where}: expected an array (PyTorch's tuple)`);
  assert.equal(actual.length, exp.tuple.length, `${where}: tuple length`);
  exp.tuple.forEach((e, i) => assertResult(actual[i], e, `${where}[${i}]`));
}

export function checkCase(c: Case): void {
  if (c.error) {
    const err = c.error;
    assert.throws(() => call(c), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, err.message);
      if (err.type === "RuntimeError") assert.ok(e instanceof torch.RuntimeError, `${e.name} is not a RuntimeError`);
      if (err.type === "IndexError") assert.ok(e instanceof torch.IndexError, `${e.name} is not an IndexError`);
      return true;
    });
    return;
  }
  const result = call(c);
  assertResult(result, c.expected!, c.name);
  if (NAMED_TUPLES.has(c.op) && Array.isArray(result)) {  // (values, indices) named tuples, API.md rule 8
    const named = result as unknown as { values: unknown; indices: unknown };
    assert.equal(named.values, result[0]);
    assert.equal(named.indices, result[1]);
  }
}


const NAMED_TUPLES = new Set(["sort", "topk", "kthvalue", "median", "nanmedian", "mode"]);
