// SPDX-License-Identifier: BSD-3-Clause
// Indexing, gather/scatter and masked ops against PyTorch 1.13 (test/fixtures/indexing.json,
// written by scripts/gen_indexing_fixtures.py), plus the view and in-place contracts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as torch from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";

// ---- fixture runner (the same in join.test.ts) -----------------------------------------------------------

type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
interface TensorSpec { dtype: DType; shape: number[]; values: (number | string | boolean)[]; strided?: [number[], number[], number] }
interface ErrorSpec { error: string; message: string }
interface Case {
  group: string; name: string; call: "method" | "function"; fn: string; args: Json[];
  expected: TensorSpec | TensorSpec[] | ErrorSpec; view?: boolean; unchanged?: boolean;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above " + import.meta.url);
    dir = up;
  }
  return dir;
}
const fixture = JSON.parse(readFileSync(join(packageRoot(), "test", "fixtures", "indexing.json"), "utf8")) as { torch: string; cases: Case[] };

/** Fixture encoding: int64 as decimal strings, nan/inf as strings. */
function decodeValue(v: number | string | boolean, dtype: DType): number | bigint | boolean {
  if (dtype === "int64") return BigInt(v as string);
  if (typeof v !== "string") return v;
  const special: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
  if (!(v in special)) throw new Error(`bad fixture value ${v}`);
  return special[v]!;
}

function makeTensor(spec: TensorSpec): Tensor {
  const base = torch.tensor(spec.values.map((v) => decodeValue(v, spec.dtype)), { dtype: spec.dtype }).reshape(spec.shape);
  return spec.strided ? base.asStrided(spec.strided[0], spec.strided[1], spec.strided[2]) : base;
}

function decodeArg(a: Json): unknown {
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

type Fn = (...args: unknown[]) => unknown;
function invoke(c: Case, args: unknown[]): unknown {
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
const TOL: Partial<Record<DType, [number, number]>> = {
  float32: [1.3e-6, 1e-5], float64: [1e-7, 1e-7], float16: [1e-3, 1e-5], bfloat16: [1.6e-2, 1e-5],
};

function assertTensor(actual: unknown, spec: TensorSpec, what: string): void {
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

function runCase(c: Case): void {
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

function fixtureTests(group: string): Case[] {
  const cases = fixture.cases.filter((c) => c.group === group);
  for (const c of cases) test(`${c.fn}: ${c.name}`, () => runCase(c));
  return cases;
}

// ---- fixtures ------------------------------------------------------------------------------------------------

const cases = fixtureTests("indexing");

test("fixture covers every op, dtype and layout", () => {
  assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  const fns = new Set(cases.map((c) => c.fn));
  for (const f of ["index", "indexPut_", "gather", "scatter_", "scatterAdd_", "scatterReduce_", "indexSelect", "indexAdd_",
    "indexCopy_", "indexFill_", "maskedFill", "maskedFill_", "maskedSelect", "maskedScatter_", "take", "takeAlongDim", "nonzero"])
    assert.ok(fns.has(f), `no case for ${f}`);
  const text = JSON.stringify(cases);
  for (const d of ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]) assert.ok(text.includes(`"dtype":"${d}"`), d);
  assert.ok(text.includes('"strided"'), "non-contiguous inputs");
  assert.ok(cases.some((c) => "error" in c.expected), "error cases");
});

// ---- views and in-place contracts -------------------------------------------------------------------------

test("basic indexing returns views: writes through them are visible", () => {
  const x = torch.zeros(3, 4);
  x.index(":", 1).fill_(7); // x[:, 1] = 7
  x.index(2).add_(1); // x[2] += 1
  x.index("::2", null, -1).fill_(-1); // x[::2, None, -1] = -1
  x.index(torch.slice(1, 2), "...", torch.slice(null, null, 3)).add_(10); // x[1:2, ..., ::3] += 10
  assert.deepEqual(x.tolist(), [
    [0, 7, 0, -1],
    [10, 7, 0, 10],
    [1, 8, 1, -1],
  ]);
  const v = x.index(0, "...");
  assert.equal(v._storage, x._storage);
  assert.notEqual(v, x, "x[0, ...] is a new tensor object");
  assert.equal(x.index("...")._storage, x._storage, "x[...] aliases x");
});

test("advanced indexing returns a copy", () => {
  const x = torch.arange(6).reshape(2, 3);
  const y = x.index([1, 0]);
  y.fill_(0);
  assert.deepEqual(x.tolist(), [[0, 1, 2], [3, 4, 5]]);
  assert.notEqual(x.index(x.gt(2))._storage, x._storage);
});

test("in-place ops bump the version counter", () => {
  const x = torch.zeros(3, 4);
  const idx = torch.tensor([[0, 1, 2, 0]]);
  const ops: [string, () => unknown][] = [
    ["indexPut_", () => x.indexPut_([torch.tensor([0])], 1)],
    ["scatter_", () => x.scatter_(0, idx, 2)],
    ["scatterAdd_", () => x.scatterAdd_(0, idx, torch.ones(1, 4))],
    ["scatterReduce_", () => x.scatterReduce_(0, idx, torch.ones(1, 4), "amax")],
    ["indexAdd_", () => x.indexAdd_(1, torch.tensor([3]), torch.ones(3, 1))],
    ["indexCopy_", () => x.indexCopy_(1, torch.tensor([3]), torch.ones(3, 1))],
    ["indexFill_", () => x.indexFill_(1, torch.tensor([0]), 5)],
    ["maskedFill_", () => x.maskedFill_(x.gt(1), 0)],
    ["maskedScatter_", () => x.maskedScatter_(x.eq(0), torch.arange(12, { dtype: "float32" }))],
  ];
  for (const [name, run] of ops) {
    const before = x._version;
    run();
    assert.ok(x._version > before, `${name} did not bump the version`);
  }
});

test("out-of-place variants leave self alone", () => {
  const x = torch.zeros(2, 3);
  const idx = torch.tensor([[1, 0, 1]]);
  assert.deepEqual(x.scatter(0, idx, 1).tolist(), [[0, 1, 0], [1, 0, 1]]);
  assert.deepEqual(x.indexPut([torch.tensor([1])], 4).tolist(), [[0, 0, 0], [4, 4, 4]]);
  assert.deepEqual(x.indexFill(1, torch.tensor([2]), 3).tolist(), [[0, 0, 3], [0, 0, 3]]);
  assert.deepEqual(x.tolist(), [[0, 0, 0], [0, 0, 0]]);
});

test("a failing index_put_ / scatter_ writes nothing", () => {
  const x = torch.arange(5, { dtype: "float32" });
  // the out-of-bounds index comes last, after valid ones that would be written first
  assert.throws(() => x.indexPut_([torch.tensor([0, 1, 9])], 7), torch.IndexError);
  assert.throws(() => x.scatter_(0, torch.tensor([0, 1, 9]), 7), torch.RuntimeError);
  assert.throws(() => x.indexAdd_(0, torch.tensor([0, 1, -1]), torch.ones(3)), /index out of range in self/);
  assert.deepEqual(x.tolist(), [0, 1, 2, 3, 4]);
});

test("aliasing sources are read before the destination is written", () => {
  const x = torch.arange(5, { dtype: "float32" });
  x.indexPut_([torch.tensor([1, 2, 3, 4])], x.index("0:4")); // x[1:] = x[:4]
  assert.deepEqual(x.tolist(), [0, 0, 1, 2, 3]);
  const y = torch.arange(4, { dtype: "float32" });
  y.scatter_(0, torch.tensor([3, 2, 1, 0]), y); // reverse in place
  assert.deepEqual(y.tolist(), [3, 2, 1, 0]);
});

test("errors are PyTorch's exception types", () => {
  const x = torch.zeros(3);
  assert.throws(() => x.index(3), (e) => e instanceof torch.IndexError && e instanceof RangeError);
  assert.throws(() => x.index("::-1"), (e) => e instanceof RangeError && (e as Error).name === "ValueError");
  assert.throws(() => x.index("a:b"), torch.IndexError);
  assert.throws(() => x.index(1.5), /only integers, slices/);
  assert.throws(() => x.gather(0, torch.tensor([5])), torch.RuntimeError);
});

test("large advanced indexing runs the parallel gather and still reports bad indices", () => {
  const n = 1_000_003;
  const x = torch.arange(n);
  const rev = torch.arange(n - 1, -1, -1);
  const y = x.index(rev); // y[i] = n - 1 - i
  assert.equal(y.add(torch.arange(n)).eq(n - 1).all().item(), true);
  const bad = rev.clone();
  bad.index(-1).fill_(n);
  assert.throws(() => x.index(bad), new RegExp(`index ${n} is out of bounds for dimension 0 with size ${n}`));
  const mask = x.remainder(3).eq(0);
  assert.deepEqual(x.index(mask).shape, [Math.ceil(n / 3)]);
  assert.deepEqual(mask.nonzero().shape, [Math.ceil(n / 3), 1]);
});

test("Slice objects and number arrays", () => {
  const x = torch.arange(10);
  assert.deepEqual(x.index(torch.slice(2, null, 3)).tolist(), [2, 5, 8]);
  assert.deepEqual(x.index(new torch.Slice(-3)).tolist(), [7, 8, 9]);
  assert.deepEqual(x.index(" 1 : 8 : 3 ").tolist(), [1, 4, 7]);
  assert.deepEqual(x.index([true, false, true, false, false, false, false, false, false, true]).tolist(), [0, 2, 9]);
  assert.deepEqual(x.reshape(2, 5).index([[1, 0], [4, 0]]).tolist(), [9, 0]); // x[[[1, 0], [4, 0]]] is a tuple
  assert.deepEqual(x.indexSelect(0, [9, 0]).tolist(), [9, 0]);
});
