// SPDX-License-Identifier: BSD-3-Clause
// sort, argsort, topk, kthvalue, median, nanmedian, mode, unique, bincount, histc against PyTorch
// 1.13 (test/fixtures/sorting.json, written by scripts/gen_sorting_fixtures.py).


import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { EncTensor, checkCase, fixture } from "./sorting-runner.js";

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
