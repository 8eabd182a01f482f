// SPDX-License-Identifier: BSD-3-Clause
// defaultCollate / defaultConvert against PyTorch's default_collate / default_convert on the same
// nested batches (test/fixtures/data-more.json): values, dtypes, container types, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { defaultCollate, defaultConvert } from "../../src/data/index.js";
import { decodeElement, type Json, loadFixture } from "../helpers.js";

interface Case { kind: string; name: string; [k: string]: unknown }
type Enc = { tensor: { dtype: torch.DType; shape: number[]; values: Json[] } } | { dict: Record<string, Enc> } | { list: Enc[] } | { value: unknown };
const { cases } = loadFixture<{ cases: Case[] }>("data-more.json");

function build(e: Enc): unknown {
  if ("tensor" in e) {
    const { dtype, shape, values } = e.tensor;
    return torch.tensor(values.map((v) => decodeElement(v, dtype)) as number[], { dtype }).reshape(shape);
  }
  if ("dict" in e) return Object.fromEntries(Object.entries(e.dict).map(([k, v]) => [k, build(v)]));
  if ("list" in e) return e.list.map(build);
  return e.value;
}

function check(got: unknown, want: Enc, where: string): void {
  if ("tensor" in want) {
    assert.ok(got instanceof torch.Tensor, `${where}: expected a tensor, got ${String(got)}`);
    assert.equal(got.dtype, want.tensor.dtype, `${where}: dtype`);
    assert.deepEqual(got.shape, want.tensor.shape, `${where}: shape`);
    const vals = want.tensor.values.map((v) => decodeElement(v, want.tensor.dtype));
    assert.deepEqual(got.reshape(-1).tolist(), vals.map((v) => (typeof v === "bigint" ? Number(v) : v)), `${where}: values`);
  } else if ("dict" in want) {
    assert.ok(got !== null && typeof got === "object" && !Array.isArray(got), `${where}: expected an object`);
    assert.deepEqual(Object.keys(got as object), Object.keys(want.dict), `${where}: keys`);
    for (const [k, v] of Object.entries(want.dict)) check((got as Record<string, unknown>)[k], v, `${where}.${k}`);
  } else if ("list" in want) {
    assert.ok(Array.isArray(got), `${where}: expected an array`);
    assert.equal(got.length, want.list.length, `${where}: length`);
    want.list.forEach((v, i) => check(got[i], v, `${where}[${i}]`));
  } else {
    assert.deepEqual(got, want.value, where);
  }
}

for (const c of cases.filter((c) => c.kind === "collate")) {
  test(`defaultCollate ${c.name}: PyTorch's batch`, () => {
    check(defaultCollate(build(c.batch as Enc) as unknown[]), c.out as Enc, "batch");
  });
}

for (const c of cases.filter((c) => c.kind === "convert")) {
  test(`defaultConvert ${c.name}: PyTorch's sample`, () => {
    check(defaultConvert(build(c.sample as Enc)), c.out as Enc, "sample");
  });
}

test("defaultCollate errors: PyTorch's class and words", () => {
  const PyObject = ({ object: class {} }).object;  // a class named like Python's `object`
  const inputs: Record<string, unknown[]> = { None: [null, null], "unequal lists": [[1, 2], [3]], object: [new PyObject(), new PyObject()] };
  for (const c of cases.filter((c) => c.kind === "collate_error")) {
    const batch = inputs[c.name]!;
    assert.throws(() => defaultCollate(batch), (e: Error) => e.name === c.error && e.message === c.message, c.name);
  }
  assert.throws(() => defaultCollate([undefined]), /found <class 'NoneType'>/);
  assert.throws(() => defaultCollate([new Date(0)]), /found <class 'Date'>/);
  assert.throws(() => defaultCollate([() => 1]), /found <class 'function'>/);
});

test("defaultCollate: typed arrays as NumPy arrays, Maps, bigints, mixed ints and floats, non-contiguous tensors", () => {
  const t = defaultCollate([new Float32Array([1, 2]), new Float32Array([3, 4])]) as torch.Tensor;
  assert.equal(t.dtype, "float32");
  assert.deepEqual(t.tolist(), [[1, 2], [3, 4]]);
  const m = defaultCollate([new Map([["a", 1]]), new Map([["a", 2]])]) as Map<string, torch.Tensor>;
  assert.ok(m instanceof Map);
  assert.deepEqual(m.get("a")!.tolist(), [1, 2]);
  const b = defaultCollate([1n, 2n]) as torch.Tensor;
  assert.equal(b.dtype, "int64");
  // JS numbers carry no int/float type: all integers -> int64, any fraction -> float64
  assert.equal((defaultCollate([1, 2.5]) as torch.Tensor).dtype, "float64");
  const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
  const s = defaultCollate([x.t(), x.t().mul(2)]) as torch.Tensor;
  assert.deepEqual(s.tolist(), [[[0, 3], [1, 4], [2, 5]], [[0, 6], [2, 8], [4, 10]]]);
  assert.throws(() => defaultCollate([torch.ones(2), 3]), TypeError);
});

test("defaultConvert: typed arrays become tensors sharing memory", () => {
  const a = new Float64Array([1, 2, 3]);
  const t = defaultConvert({ x: a }) as { x: torch.Tensor };
  a[0] = 7;
  assert.deepEqual(t.x.tolist(), [7, 2, 3]);
});
