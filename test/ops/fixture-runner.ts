// SPDX-License-Identifier: BSD-3-Clause
// The fixture runner shared by test/ops/indexing.test.ts and test/ops/join.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";

// ---- fixture runner -----------------------------------------------------------------------------------

export type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
export interface TensorSpec { dtype: DType; shape: number[]; values: (number | string | boolean)[]; strided?: [number[], number[], number] }
export interface ErrorSpec { error: string; message: string }
export interface Case {
  group: string; name: string; call: "method" | "function"; fn: string; args: Json[];
  expected: TensorSpec | TensorSpec[] | ErrorSpec; view?: boolean; unchanged?: boolean;
}

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above " + import.meta.url);
    dir = up;
  }
  return dir;
}
export const fixture = JSON.parse(readFileSync(join(packageRoot(), "test", "fixtures", "indexing.json"), "utf8")) as { torch: string; cases: Case[] };

/** Fixture encoding: int64 as decimal strings, nan/inf as strings. */
export function decodeValue(v: number | string | boolean, dtype: DType): number | bigint | boolean {
  if (dtype === "int64") return BigInt(v as string);
  if (typeof v !== "string") return v;
  const special: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
  if (!(v in special)) throw new Error(`bad fixture value ${v}`);
  return special[v]!;
}

export function makeTensor(spec: TensorSpec): Tensor {
  const base = torch.tensor(spec.values.map((v) => decodeValue(v, spec.dtype)), { dtype: spec.dtype }).reshape(spec.shape);
  return spec.strided ? base.asStrided(spec.strided[0], spec.strided[1], spec.strided[2]) : base;
}

export function decodeArg(a: Json): unknown {
  if (Array.isArray(a)) return a.map(decodeArg);
  if (a !== null && typeof a === "object") {
    if ("tensor" in a) return makeTensor(a["tensor"] as unknown as TensorSpec);
    if ("slice" in a) {
      const [start, stop, step] = a["slice"] as (number | null)[];
      return torch.slice(start ?? null, stop ?? null, step ?? null);
    }
    if ("scalar" in a) return decodeValue(a["scalar"] as string, "float64");
    if ("opts" in a) return Object.fromEntries(Object.entries(a["opts"] as Record<string, Json>).map(([k, v]) => [k, decodeArg(v)]));
  }
  return a;
}

export type Fn = (...args: unknown[]) => unknown;
export function invoke(c: Case, args: unknown[]): unknown {
  if (c.call === "method") {
    const self = args[0] as Tensor;
    const fn = (self as unknown as Record<string, Fn>)[c.fn];
    assert.equal(typeof fn, "function", `Tensor.${c.fn} is missing`);
    return fn!.apply(self, args.slice(1));
  }
  const fn = (torch as unknown as Record<string, Fn>)[c.fn];
  assert.equal(typeof fn, "function", `torch.${c.fn} is missing`);
  return fn!(...args);
}

/** torch.testing.assert_close's default tolerances. */
export const TOL: Partial<Record<DType, [number, number]>> = {
  float32: [1.3e-6, 1e-5], float64: [1e-7, 1e-7], float16: [1e-3, 1e-5], bfloat16: [1.6e-2, 1e-5],
};

export function assertTensor(actual: unknown, spec: TensorSpec, what: string): void {
  assert.ok(actual instanceof torch.Tensor, `${what}: expected a tensor, got ${String(actual)}`);
  assert.equal(actual.dtype, spec.dtype, `${what}: dtype`);
  assert.deepEqual(actual.shape, spec.shape, `${what}: shape`);
  const flat = actual.reshape(-1).contiguous();
  if (spec.dtype === "int64") {
    assert.deepEqual([...(flat.numpy() as BigInt64Array)].map(String), spec.values, `${what}: values`);
    return;
  }
  const got = flat.tolist() as (number | boolean)[];
  const tol = TOL[spec.dtype];
  spec.values.forEach((raw, i) => {
    const e = decodeValue(raw, spec.dtype), a = got[i];
    if (tol === undefined || typeof e !== "number" || typeof a !== "number") {
      assert.equal(a, e, `${what}: element ${i}`);
      return;
    }
    const close = Object.is(a, e) || a === e || (Number.isNaN(a) && Number.isNaN(e)) ||
      (Number.isFinite(e) && Math.abs(a - e) <= tol[1] + tol[0] * Math.abs(e));
    assert.ok(close, `${what}: element ${i} is ${a}, expected ${e}`);
  });
}

export function runCase(c: Case): void {
  const args = c.args.map(decodeArg);
  const self = args[0] instanceof torch.Tensor ? args[0] : undefined;
  const inplace = c.call === "method" && c.fn.endsWith("_");
  const exp = c.expected;
  if ("error" in exp) {
    const before = inplace ? self!.clone() : undefined;
    assert.throws(() => invoke(c, args), (e: Error) => {
      assert.equal(e.name, exp.error, `error type (message: ${e.message})`);
      assert.equal(e.message, exp.message);
      return true;
    });
    // stronger than PyTorch (which may write part of the result first): nothing is written
    if (before !== undefined) assert.deepEqual(self!.tolist(), before.tolist(), "a failing in-place call left self changed");
    return;
  }
  const result = invoke(c, args);
  if (Array.isArray(exp)) {
    assert.ok(Array.isArray(result), "expected an array of tensors");
    assert.equal(result.length, exp.length, "number of results");
    exp.forEach((spec, i) => assertTensor(result[i], spec, `result ${i}`));
    return;
  }
  if (inplace) assert.equal(result, self, "an in-place op returns self");
  assertTensor(result, exp, "result");
  if (c.view !== undefined && self !== undefined)
    assert.equal((result as Tensor)._storage === self._storage, c.view, c.view ? "expected a view of self" : "expected a copy");
}

export function fixtureTests(group: string): Case[] {
  const cases = fixture.cases.filter((c) => c.group === group);
  for (const c of cases) test(`${c.fn}: ${c.name}`, () => runCase(c));
  return cases;
}

// ---- fixtures ------------------------------------------------------------------------------------------------

