// SPDX-License-Identifier: BSD-3-Clause
// trace, tril, triu, kron, einsum, tensordot against PyTorch 1.13 (test/fixtures/sorting.json,
// written by scripts/gen_sorting_fixtures.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as torch from "../../src/index.js";

// ---- fixture reading (the same helpers live in test/ops/sorting.test.ts) ---------------------------

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
  assertResult(call(c), c.expected!, c.name);
}

// ---- the cases ------------------------------------------------------------------------------------

const fx = fixture();
const cases = fx.cases.filter((c) => c.group === "matrix");

test("fixture covers every op", () => {
  const ops = new Set(cases.map((c) => c.op));
  for (const op of ["trace", "tril", "triu", "kron", "einsum", "tensordot"]) assert.ok(ops.has(op), `no ${op} case`);
  assert.ok(cases.filter((c) => c.op === "einsum").length >= 30, "too few einsum cases");
});

for (const c of cases) test(`${c.name} matches PyTorch ${fx.torch}`, () => checkCase(c));

// ---- calling conventions and properties -------------------------------------------------------------

test("einsum: operands as varargs or one array; a permutation stays a view", () => {
  const a = torch.tensor([[1, 2], [3, 4]]), b = torch.tensor([[5, 6], [7, 8]]);
  const want = [[19, 22], [43, 50]];  // a @ b
  assert.deepEqual(torch.einsum("ij,jk->ik", a, b).tolist(), want);
  assert.deepEqual(torch.einsum("ij,jk->ik", [a, b]).tolist(), want);
  assert.deepEqual(torch.einsum(a, [0, 1], b, [1, 2], [0, 2]).tolist(), want);
  const t = torch.einsum("ij->ji", a);
  assert.ok(t.isSetTo(a.t()), "ij->ji should be a view of the input, as in PyTorch");
});

test("einsum agrees with matmul on a larger batched contraction", () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const x = torch.tensor(Array.from({ length: 3 * 17 * 9 }, random), { dtype: torch.float64 }).reshape(3, 17, 9);
  const y = torch.tensor(Array.from({ length: 9 * 11 }, random), { dtype: torch.float64 }).reshape(9, 11);
  const viaEinsum = torch.einsum("bik,kj->bij", x, y), viaMatmul = x.matmul(y);
  assert.ok(viaEinsum.allclose(viaMatmul, { rtol: 1e-12, atol: 1e-12 }));
  assert.ok(torch.tensordot(x, y, 1).allclose(viaMatmul, { rtol: 1e-12, atol: 1e-12 }));
});

test("tril/triu keep the dtype and accept the diagonal in an options object; Tensor methods delegate", () => {
  const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: torch.int32 });
  assert.deepEqual(torch.tril(x, { diagonal: 1 }).tolist(), [[1, 2, 0], [4, 5, 6]]);
  assert.equal(torch.triu(x).dtype, "int32");
  assert.deepEqual(x.triu(1).tolist(), [[0, 2, 3], [0, 0, 6]]);
  assert.equal(x.narrow(1, 0, 2).trace().item(), 6);
  assert.deepEqual(torch.kron(x.narrow(0, 0, 1), torch.tensor([[1], [10]], { dtype: torch.int32 })).tolist(),
    [[1, 2, 3], [10, 20, 30]]);
  assert.deepEqual(torch.tensordot(x, x, { dims: [[0], [0]] }).tolist(), [[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
});
