// SPDX-License-Identifier: BSD-3-Clause
// Shared by the table-driven tests: finding fixtures, rebuilding fixture tensors exactly as the
// generator built them in PyTorch, reading tensors back, and PyTorch's assert_close comparison.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { readElement } from "../src/ops/convert.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Element = number | boolean | bigint;

/**
 * test/fixtures/<name>; compiled tests run from dist/test/..., so walk up from this file until
 * the fixture is found.
 */
export function fixturePath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "test", "fixtures", name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`test/fixtures/${name} not found above ${import.meta.url}`);
    dir = parent;
  }
}

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), "utf8")) as T;
}

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 };

/** A fixture element: int64 as a decimal string, "nan"/"inf"/"-inf"/"-0" for special floats. */
export function decodeElement(v: Json, dtype: string): Element {
  if (dtype === "int64") return BigInt(v as string);
  if (typeof v === "string") {
    const x = SPECIAL[v];
    if (x === undefined) throw new Error(`bad fixture value ${JSON.stringify(v)}`);
    return x;
  }
  if (typeof v === "number" || typeof v === "boolean") return v;
  throw new Error(`bad fixture value ${JSON.stringify(v)}`);
}

/** A fixture input tensor: the flat storage `data` and how the generator laid it out. */
export interface InputSpec {
  dtype: torch.DType;
  shape: number[];
  layout: "contiguous" | "transposed" | "sliced" | "expanded";
  data: Json[];
  base?: number[];
}

/** Rebuilds an input exactly as scripts/gen_op_fixtures.py (make_input) built it in PyTorch. */
export function makeInput(spec: InputSpec): torch.Tensor {
  const values = spec.data.map((v) => decodeElement(v, spec.dtype));
  const storage = torch.tensor(values, { dtype: spec.dtype });
  const s = spec.shape;
  switch (spec.layout) {
    case "contiguous":
      return storage.reshape(s);
    case "transposed": // (..., n, m) stored as (..., m, n)
      return storage.reshape([...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!]).transpose(-1, -2);
    case "sliced": // stride 2, storage offset 1
      return storage.reshape([...s, 2]).select(-1, 1);
    case "expanded": // stride 0 on the broadcast dims
      return storage.reshape(spec.base!).expand(s);
  }
}

/** The elements of any tensor in row-major order (int64 as bigint), read through its strides. */
export function flatValues(t: torch.Tensor): Element[] {
  const shape = t.shape, strides = t.stride(), out: Element[] = [];
  if (t.numel() === 0) return out;
  const walk = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(readElement(t, offset, true));
      return;
    }
    for (let i = 0; i < shape[dim]!; i++) walk(dim + 1, offset + i * strides[dim]!);
  };
  walk(0, t.storageOffset());
  return out;
}

/** torch.testing.assert_close's default (rtol, atol) per dtype; integers and bool are exact. */
export const TOLERANCE: Partial<Record<torch.DType, [number, number]>> = {
  float16: [1e-3, 1e-5],
  bfloat16: [1.6e-2, 1e-5],
  float32: [1.3e-6, 1e-5],
  float64: [1e-7, 1e-7],
};

/** |actual - expected| <= atol + rtol * |expected|; NaN matches NaN; infinities must be equal. */
export function close(actual: number, expected: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (actual === expected) return true;
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return false;
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}

/** Compares flat element lists of `dtype`, with assert_close's tolerance for floats. */
export function assertValues(actual: Element[], expected: Element[], dtype: torch.DType, what = "values"): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} elements, expected ${expected.length}`);
  const tol = TOLERANCE[dtype];
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const ok = tol ? close(a as number, e as number, tol[0], tol[1]) : a === e;
    if (!ok) bad.push(`[${i}] ${String(a)} != ${String(e)}`);
  }
  if (bad.length > 0)
    assert.fail(`${what} differ at ${bad.length}/${expected.length} elements (${dtype}` +
      `${tol ? `, rtol ${tol[0]}, atol ${tol[1]}` : ", exact"}): ${bad.slice(0, 6).join(", ")}${bad.length > 6 ? ", ..." : ""}`);
}

/**
 * Registers one test per fixture case, grouped by op. A case marked `xfail` must fail: when it
 * passes, the test fails ("XPASS"), so the table never hides a fixed bug behind a stale mark.
 */
export function tableTests<C extends { op: string; id: string; xfail?: string }>(cases: readonly C[], run: (c: C) => void,
  generator: string): void {
  const byOp = new Map<string, C[]>();
  for (const c of cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  for (const [op, group] of byOp) {
    describe(op, () => {
      for (const c of group) {
        if (c.xfail === undefined) {
          test(c.id, () => run(c));
          continue;
        }
        test(`${c.id} [xfail: ${c.xfail}]`, () => {
          try {
            run(c);
          } catch {
            return;
          }
          assert.fail(`XPASS: ${c.id} now matches PyTorch; remove its xfail in ${generator}`);
        });
      }
    });
  }
}

/** Asserts two arrays hold the same values bit for bit (Object.is: NaN equals NaN, -0 differs from 0). */
export function sameBits(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let bad = 0, first = "";
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) { if (!bad) first = `[${i}] ${a[i]} != ${b[i]}`; bad++; }
  assert.equal(bad, 0, `${what}: ${bad} differ, first ${first}`);
}

/** Asserts two tensors (both present) have the same shape, dtype and values bit for bit (as sameBits). */
export function sameTensorBits(a: torch.Tensor | null, b: torch.Tensor | null, what: string): void {
  assert.ok(a !== null && b !== null, `${what}: missing`);
  assert.deepEqual(a.shape, b.shape, what);
  assert.equal(a.dtype, b.dtype, what);
  sameBits(a.contiguous().reshape(-1).tolist() as number[], b.contiguous().reshape(-1).tolist() as number[], what);
}

/** Random eval statistics and affine parameters for every BatchNorm2d of m (so eval BN is not the identity). */
export function randomiseBn(m: nn.Module, seed: number): void {
  torch.manualSeed(seed);
  torch.noGrad(() => {
    for (const mod of m.modules())
      if (mod instanceof nn.BatchNorm2d) {
        const n = mod.numFeatures;
        mod.running_mean!.copy_(torch.randn(n).mul(0.1));
        mod.running_var!.copy_(torch.rand(n).add(0.5));
        mod.weight!.copy_(torch.rand(n).add(0.5));
        mod.bias!.copy_(torch.randn(n).mul(0.1));
      }
  });
}
