// SPDX-License-Identifier: BSD-3-Clause
// sort, argsort, topk, kthvalue, median, nanmedian, mode, unique, bincount, histc against PyTorch
// 1.13 (test/fixtures/sorting.json, written by scripts/gen_sorting_fixtures.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as torch from "../../src/index.js";

// ---- fixture reading (the same helpers live in test/ops/matrix.test.ts) ---------------------------

type Scalar = number | string | boolean;
interface EncTensor { dtype: torch.DType; values: Scalar[]; size: number[]; stride: number[]; offset: number }
type Arg = Scalar | null | Arg[] | { __tensor__: EncTensor };
type Expected = { tensor: EncTensor } | { tuple: Expected[] };
interface Case {
  name: string; group: string; op: string; args: Arg[]; kwargs: Record<string, Arg>; method: boolean;
  expected?: Expected; error?: { type: string; message: string };
}

function fixture(): { torch: string; cases: Case[] } {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("no package.json above " + import.meta.url);
    dir = up;
  }
  return JSON.parse(readFileSync(join(dir, "test", "fixtures", "sorting.json"), "utf8")) as { torch: string; cases: Case[] };
}

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
function decodeValue(v: Scalar, dtype: torch.DType): number | bigint | boolean {
  if (dtype === "int64") return BigInt(v as string);
  return typeof v === "string" ? SPECIAL[v]! : v;
}

function decodeTensor(e: EncTensor): torch.Tensor {
  const base = torch.tensor(e.values.map((v) => decodeValue(v, e.dtype)) as number[], { dtype: e.dtype });
  return base.asStrided(e.size, e.stride, e.offset);
}

function decodeArg(a: Arg): unknown {
  if (Array.isArray(a)) return a.map(decodeArg);
  if (a !== null && typeof a === "object") return decodeTensor(a.__tensor__);
  return a;
}

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** torch.op(...args, { camelCasedKwargs }) or args[0].op(...), as API.md rule 3 ports the Python call. */
function call(c: Case): unknown {
  const args = c.args.map(decodeArg);
  const kw = Object.entries(c.kwargs);
  if (kw.length > 0) args.push(Object.fromEntries(kw.map(([k, v]) => [camel(k), decodeArg(v)])));
  const target = (c.method ? args.shift() : torch) as Record<string, (...a: unknown[]) => unknown>;
  return target[c.op]!(...args);
}

/** The elements in row-major order: bigint for int64, boolean for bool, number otherwise. */
function elements(t: torch.Tensor): (number | bigint | boolean)[] {
  if (t.dtype === "int64") return Array.from(t.contiguous().numpy() as BigInt64Array);
  if (t.dtype === "bool") return Array.from(t.contiguous().numpy() as Uint8Array, (v) => v !== 0);
  return Array.from(t.to("float64").contiguous().numpy() as Float64Array);
}

// torch.testing.assert_close defaults
const TOL: Partial<Record<torch.DType, [number, number]>> = {
  float16: [1e-3, 1e-5], bfloat16: [1.6e-2, 1e-5], float32: [1.3e-6, 1e-5], float64: [1e-7, 1e-7],
};

function assertTensor(actual: unknown, exp: EncTensor, where: string): void {
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

function assertResult(actual: unknown, exp: Expected, where: string): void {
  if ("tensor" in exp) return assertTensor(actual, exp.tensor, where);
  assert.ok(Array.isArray(actual), `${where}: expected an array (PyTorch's tuple)`);
  assert.equal(actual.length, exp.tuple.length, `${where}: tuple length`);
  exp.tuple.forEach((e, i) => assertResult(actual[i], e, `${where}[${i}]`));
}

function checkCase(c: Case): void {
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

// ---- the cases ------------------------------------------------------------------------------------

const fx = fixture();
const cases = fx.cases.filter((c) => c.group === "sorting");

test("fixture covers every op, dtype and layout", () => {
  const ops = new Set(cases.map((c) => c.op));
  for (const op of ["sort", "argsort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique", "bincount", "histc"])
    assert.ok(ops.has(op), `no ${op} case`);
  const dtypes = new Set(cases.flatMap((c) => c.args.filter((a): a is { __tensor__: EncTensor } =>
    a !== null && typeof a === "object" && !Array.isArray(a)).map((a) => a.__tensor__.dtype)));
  for (const d of ["float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool"])
    assert.ok(dtypes.has(d as torch.DType), `no ${d} input`);
  assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  assert.ok(cases.filter((c) => c.error).length >= 20, "too few error cases");
});

for (const c of cases) test(`${c.name} matches PyTorch ${fx.torch}`, () => checkCase(c));

// ---- calling conventions (API.md rules 3 and 8) -------------------------------------------------------

test("sort: dim and descending positionally or in the options object, named results", () => {
  const x = torch.tensor([[3, 1, 2], [0, 5, 4]]);
  const a = torch.sort(x, 1, true), b = torch.sort(x, { dim: 1, descending: true }), c = x.sort(1, true);
  for (const r of [a, b, c]) {
    assert.deepEqual(r.values.tolist(), [[3, 2, 1], [5, 4, 0]]);
    assert.deepEqual(r.indices.tolist(), [[0, 2, 1], [1, 2, 0]]);
  }
  const [values, indices] = torch.sort(x, 0);
  assert.deepEqual(values.tolist(), [[0, 1, 2], [3, 5, 4]]);
  assert.deepEqual(indices.tolist(), [[1, 0, 0], [0, 1, 1]]);
  assert.deepEqual(x.argsort({ dim: 0, descending: true }).tolist(), [[0, 1, 1], [1, 0, 0]]);
  assert.deepEqual(x.msort().tolist(), [[0, 1, 2], [3, 5, 4]]);
});

test("topk, kthvalue, median, mode: options objects and keepdim", () => {
  const x = torch.tensor([[1, 9, 3], [7, 2, 8]]);
  assert.deepEqual(torch.topk(x, 1, { dim: 0 }).indices.tolist(), [[1, 0, 1]]);
  assert.deepEqual(x.topk(2, 1, false).values.tolist(), [[1, 3], [2, 7]]);
  assert.deepEqual(torch.kthvalue(x, 2, { dim: 1, keepdim: true }).values.tolist(), [[3], [7]]);
  assert.deepEqual(torch.median(x, { dim: 1 }).indices.tolist(), [2, 0]);
  assert.deepEqual(torch.mode(torch.tensor([[1, 1, 2]]), { dim: 1, keepdim: true }).values.tolist(), [[1]]);
  assert.equal(torch.median(x).item(), 3);  // lower median of six values
});

test("unique, bincount, histc: positional arguments as in PyTorch's signature", () => {
  const x = torch.tensor([2, 0, 2, 5]);
  const [out, inverse, counts] = torch.unique(x, true, true, true) as torch.Tensor[];
  assert.deepEqual([out!.tolist(), inverse!.tolist(), counts!.tolist()], [[0, 2, 5], [1, 0, 1, 2], [1, 2, 1]]);
  assert.deepEqual((torch.unique(x) as torch.Tensor).tolist(), [0, 2, 5]);
  const w = torch.tensor([0.5, 1, 2, 4], { dtype: torch.float64 });
  assert.deepEqual(torch.bincount(x, w, 7).tolist(), [1, 0, 2.5, 0, 0, 4, 0]);
  assert.deepEqual(torch.bincount(x, { minlength: 2 }).tolist(), [1, 0, 2, 0, 0, 1]);
  const h = torch.tensor([0.5, 1.5, 1.5, 9], { dtype: torch.float32 });
  assert.deepEqual(torch.histc(h, 2, 0, 2).tolist(), [1, 2]);
  assert.deepEqual(h.histc({ bins: 2, min: 0, max: 2 }).tolist(), [1, 2]);
});

test("sort and topk on long rows (parallel rows, partial_sort path) agree with each other", () => {
  const n = 100_000;
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;  // a fixed LCG
  const x = torch.tensor(Array.from({ length: 4 * n }, () => Math.round(random() * 1000) / 8), { dtype: torch.float64 }).reshape(4, n);
  const { values, indices } = torch.sort(x, 1, true);
  const row = Array.from(values.select(0, 1).contiguous().numpy() as Float64Array);
  for (let i = 1; i < n; i++) assert.ok(row[i - 1]! >= row[i]!, "row 1 is not descending");
  const idx = Array.from(indices.select(0, 1).contiguous().numpy() as BigInt64Array, Number);
  const src = Array.from(x.select(0, 1).contiguous().numpy() as Float64Array);
  idx.forEach((j, k) => assert.equal(src[j], row[k]));
  assert.equal(new Set(idx).size, n);  // a permutation
  const top = torch.topk(x, 5, 1);
  assert.ok(torch.equal(top.values, values.narrow(1, 0, 5)));
});
