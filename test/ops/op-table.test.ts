// SPDX-License-Identifier: BSD-3-Clause
// The op table (our OpInfo): every row of test/fixtures/ops.json is one call of one op, with
// what PyTorch 1.13 returned for the same call on the same bits (scripts/gen_op_fixtures.py).
// One test per row: dtype, shape and values (assert_close tolerances), views (storage, strides,
// storage offset), in-place and out= identity, and errors (exception type and message).
import assert from "node:assert/strict";

import * as torch from "../../src/index.js";
import {
  type Element, type InputSpec, type Json, assertValues, decodeElement, flatValues, loadFixture, makeInput,
  tableTests,
} from "../helpers.js";

type Expect =
  | { kind: "tensor"; dtype: torch.DType; shape: number[]; values: Json[] | null; is?: number; shares?: number[];
    strides?: number[]; offset?: number }
  | { kind: "tensors"; items: Expect[]; names?: string[] }
  | { kind: "scalar"; value: Json }
  | { kind: "list"; value: Json }
  | { kind: "error"; type: string; message: string };

export interface OpCase {
  id: string;
  op: string;
  call: "function" | "method" | "getter";
  fn: string;
  args: Json[];
  kwargs?: { [key: string]: Json };
  inputs: InputSpec[];
  expect: Expect;
  views?: boolean;
  ref?: string;
  tags?: string[];
  xfail?: string;
}

export const fixture = loadFixture<{ torch: string; cases: OpCase[] }>("ops.json");

type TypedCtor = new (values: ArrayLike<number> & ArrayLike<bigint>) => torch.Tensor;
const TYPED: Record<string, unknown> = {
  Float32Array, Float64Array, Int32Array, Int16Array, Int8Array, Uint8Array, BigInt64Array,
};

/** A fixture argument as the JS value torchts takes. */
function decodeArg(a: Json, inputs: torch.Tensor[], typed: ArrayBufferView[]): unknown {
  if (Array.isArray(a)) return a.map((x) => decodeArg(x, inputs, typed));
  if (a === null || typeof a !== "object") return a;
  if ("$t" in a) return inputs[a["$t"] as number];
  if ("$n" in a) return decodeElement(a["$n"]!, "float64");
  if ("$big" in a) return BigInt(a["$big"] as string);
  if ("$dtype" in a) return a["$dtype"];
  if ("$typed" in a) {
    const kind = a["$typed"] as string, values = a["values"] as Json[];
    const arr = new (TYPED[kind] as TypedCtor)(values.map((v) => (kind === "BigInt64Array" ? BigInt(v as string) : v)) as never);
    typed.push(arr as unknown as ArrayBufferView);
    return arr;
  }
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, decodeArg(v, inputs, typed)]));
}

/** Calls the op the way the row says: torch.fn(...), self.fn(...) or self.fn. */
function invoke(c: OpCase, inputs: torch.Tensor[], typed: ArrayBufferView[]): unknown {
  const args = c.args.map((a) => decodeArg(a, inputs, typed));
  if (c.kwargs) args.push(decodeArg(c.kwargs, inputs, typed));
  if (c.call === "function") {
    const fn = (torch as unknown as Record<string, unknown>)[c.fn];
    if (typeof fn !== "function") throw new Error(`torch.${c.fn} is missing`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  }
  const self = args[0] as Record<string, unknown>;
  if (!(c.fn in self)) throw new Error(`Tensor.${c.fn} is missing`);
  if (c.call === "getter") return self[c.fn];
  return (self[c.fn] as (...a: unknown[]) => unknown).apply(self, args.slice(1));
}

function checkTensor(r: unknown, e: Extract<Expect, { kind: "tensor" }>, inputs: torch.Tensor[], where: string): void {
  assert.ok(r instanceof torch.Tensor, `${where}: expected a Tensor, got ${String(r)}`);
  assert.equal(r.dtype, e.dtype, `${where}: dtype`);
  assert.deepEqual(r.shape, e.shape, `${where}: shape`);
  if (e.is !== undefined) assert.ok(r === inputs[e.is], `${where}: should return input ${e.is} itself`);
  if (e.strides !== undefined) assert.deepEqual(r.stride(), e.strides, `${where}: strides`);
  if (e.offset !== undefined) assert.equal(r.storageOffset(), e.offset, `${where}: storage offset`);
  if (e.shares !== undefined) {
    // the same memory, whatever object wraps it (x.view(dtype) reinterprets the same buffer)
    const shares = inputs.flatMap((x, i) => (x.numel() > 0 && x._storage.data.buffer === r._storage.data.buffer ? [i] : []));
    assert.deepEqual(shares, e.shares, `${where}: inputs sharing storage with the result`);
  }
  if (e.values !== null)
    assertValues(flatValues(r), e.values.map((v) => decodeElement(v, e.dtype)), e.dtype, `${where}: values`);
}

function decodeScalar(v: Json): Element {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "$big" in v) return BigInt(v["$big"] as string);
  if (typeof v === "string") return decodeElement(v, "float64");
  return v as Element;
}

function checkList(r: unknown, e: Json, where: string): void {
  if (Array.isArray(e)) {
    assert.ok(Array.isArray(r), `${where}: expected a list`);
    assert.equal(r.length, e.length, `${where}: length`);
    e.forEach((x, i) => checkList((r as unknown[])[i], x, `${where}[${i}]`));
    return;
  }
  const want = decodeScalar(e);
  if (typeof want === "number" && Number.isNaN(want)) assert.ok(Number.isNaN(r), `${where}: ${String(r)} is not NaN`);
  else assert.equal(r, want, where);
}

function check(r: unknown, e: Expect, inputs: torch.Tensor[], where = "result"): void {
  switch (e.kind) {
    case "tensor":
      return checkTensor(r, e, inputs, where);
    case "tensors": {
      assert.ok(Array.isArray(r), `${where}: expected an array of tensors`);
      assert.equal(r.length, e.items.length, `${where}: number of tensors`);
      e.items.forEach((x, i) => check((r as unknown[])[i], x, inputs, `${where}[${i}]`));
      e.names?.forEach((name, i) =>
        assert.ok((r as unknown as Record<string, unknown>)[name] === (r as unknown[])[i], `${where}.${name} is not ${where}[${i}]`));
      return;
    }
    case "scalar":
    case "list":
      return checkList(r, e.value, where);
    case "error":
      throw new Error("unreachable");
  }
}

/** Extra checks for what PyTorch shows through numpy: typed arrays share memory with tensors. */
function checkSharing(c: OpCase, r: unknown, inputs: torch.Tensor[], typed: ArrayBufferView[]): void {
  if (c.tags?.includes("numpy-shares")) {
    const self = inputs[0]!, arr = r as unknown as { [i: number]: number | bigint; length: number };
    const e = c.expect as Extract<Expect, { kind: "tensor" }>;
    assert.equal(arr.length, self.numel(), "numpy(): length");
    assertValues(Array.from({ length: arr.length }, (_, i) => arr[i]!), e.values!.map((v) => decodeElement(v, e.dtype)),
      e.dtype, "numpy() values");
    arr[0] = typeof arr[0] === "bigint" ? 42n : 42;
    assert.equal(Number(flatValues(self)[0]), 42, "numpy() should share memory with the tensor");
  }
  if (c.tags?.includes("typed-shares")) {
    const arr = typed[0] as unknown as { [i: number]: number | bigint };
    arr[0] = typeof arr[0] === "bigint" ? 42n : 42;
    assert.equal(Number(flatValues(r as torch.Tensor)[0]), 42, "fromTypedArray should share memory with the array");
  }
}

export function runCase(c: OpCase): void {
  const inputs = c.inputs.map(makeInput);
  const typed: ArrayBufferView[] = [];
  const e = c.expect;
  if (e.kind === "error") {
    assert.throws(() => invoke(c, inputs, typed), (err: unknown) => {
      assert.ok(err instanceof Error, `threw a non-Error: ${String(err)}`);
      assert.equal(err.message, e.message, "error message");
      assert.equal(err.name, e.type, `error type (message: ${err.message})`);
      return true;
    }, `expected ${e.type}: ${e.message}`);
    return;
  }
  const storages = inputs.map((x) => x._storage);
  const r = invoke(c, inputs, typed);
  if (c.tags?.includes("numpy-shares")) return checkSharing(c, r, inputs, typed);
  check(r, e, inputs);
  // in place means into the same memory: a view's base sees the write
  if (c.fn.endsWith("_") && inputs.length > 0) assert.ok(inputs[0]!._storage === storages[0], "in-place op replaced the storage");
  checkSharing(c, r, inputs, typed);
}

tableTests(fixture.cases, runCase, "scripts/gen_op_fixtures.py");
