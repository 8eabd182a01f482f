// SPDX-License-Identifier: BSD-3-Clause
// default_collate and default_convert, as PyTorch's (torch/utils/data/_utils/collate.py).
// JS values map to Python's: numbers -> int/float, booleans -> bool, bigint -> int, strings -> str,
// arrays -> list/tuple, plain objects and Maps -> dict, typed arrays -> numpy arrays.
import { RuntimeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import { stack } from "../ops/join.js";
import { fromTypedArray, tensor } from "../ops/creation.js";

const ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found ";

/** How Python would print the type of a JS value: `<class 'NoneType'>`, `<class 'Date'>`. */
export function pythonTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
    return `<class '${proto === null || proto.constructor === Object ? "object" : proto.constructor?.name ?? "object"}'>`;
  }
  return `<class '${typeof v}'>`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object") return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};

const isTypedArray = (v: unknown): v is TypedArray => ArrayBuffer.isView(v) && !(v instanceof DataView);

/**
 * Merges a list of samples into a batch, by the type of the first sample:
 * - tensors are stacked along a new dim 0;
 * - numbers become one tensor: int64 when all are integers, else float64 (PyTorch's int and float);
 *   booleans a bool tensor; bigints int64;
 * - strings stay a list;
 * - typed arrays (NumPy arrays) become tensors and are stacked;
 * - arrays (lists and tuples) are transposed and collated position by position: a list of
 *   [image, label] pairs gives [images, labels];
 * - plain objects and Maps are collated key by key (dicts).
 * Anything else is a TypeError in PyTorch's words; lists of unequal lengths a RuntimeError.
 */
export function defaultCollate(batch: readonly unknown[]): unknown {
  const elem = batch[0];
  if (elem instanceof Tensor) {
    for (const b of batch)
      if (!(b instanceof Tensor)) throw new TypeError(`expected Tensor as element ${batch.indexOf(b)} in argument 0, but got ${pythonTypeName(b).slice(8, -2)}`);
    return stack(batch as Tensor[], 0);
  }
  if (isTypedArray(elem)) return defaultCollate(batch.map((b) => (isTypedArray(b) ? fromTypedArray(b) : b)));
  if (typeof elem === "number" || typeof elem === "boolean" || typeof elem === "bigint") {
    if (typeof elem === "number") {
      const nonInt = batch.some((v) => typeof v === "number" && !Number.isInteger(v));
      if (nonInt || !Number.isInteger(elem)) return tensor(batch as number[], { dtype: "float64" });
    }
    return tensor(batch as number[]);
  }
  if (typeof elem === "string") return [...batch];
  if (elem instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const k of elem.keys()) out.set(k, defaultCollate(batch.map((b) => (b as Map<unknown, unknown>).get(k))));
    return out;
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(elem)) out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    return out;
  }
  if (Array.isArray(elem)) {
    const n = elem.length;
    if (batch.some((b) => !Array.isArray(b) || b.length !== n))
      throw new RuntimeError("each element in list of batch should be of equal size");
    return Array.from({ length: n }, (_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  throw new TypeError(ERR + pythonTypeName(elem));
}

/**
 * The collate function of a DataLoader with `batchSize: null`: one sample at a time, typed
 * arrays (NumPy arrays) turned into tensors sharing their memory, inside arrays, plain objects
 * and Maps too; everything else (tensors, numbers, strings) unchanged.
 */
export function defaultConvert(data: unknown): unknown {
  if (data instanceof Tensor) return data;
  if (isTypedArray(data)) return fromTypedArray(data);
  if (data instanceof Map) return new Map([...data].map(([k, v]) => [k, defaultConvert(v)]));
  if (isPlainObject(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, defaultConvert(v)]));
  if (Array.isArray(data)) return data.map(defaultConvert);
  return data;
}
