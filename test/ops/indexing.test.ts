// SPDX-License-Identifier: BSD-3-Clause
// Indexing, gather/scatter and masked ops against PyTorch 1.13 (test/fixtures/indexing.json,
// written by scripts/gen_indexing_fixtures.py), plus the view and in-place contracts.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";

import { fixtureTests } from "./fixture-runner.js";

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
