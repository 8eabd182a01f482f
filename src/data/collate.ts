// SPDX-License-Identifier: BSD-3-Clause
// default_collate: a list of samples -> one batch, recursively, as PyTorch's.
import { RuntimeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { stack } from "../ops/join.js";
import { tensor } from "../ops/creation.js";

/**
 * Tensors are stacked; numbers become a float64 (non-integers) or int64 tensor; booleans a bool
 * tensor; strings stay a list; arrays are collated position-wise (transposed); plain objects
 * and Maps key-wise.
 */
export function defaultCollate(batch: readonly unknown[]): unknown {
  const first = batch[0];
  if (first instanceof Tensor) return stack(batch as Tensor[], 0);
  if (typeof first === "number") {
    const floats = (batch as number[]).some((v) => !Number.isInteger(v));
    return tensor([...(batch as number[])], { dtype: floats ? "float64" : "int64" });
  }
  if (typeof first === "boolean") return tensor([...(batch as boolean[])], { dtype: "bool" });
  if (typeof first === "bigint") return tensor([...(batch as bigint[])], { dtype: "int64" });
  if (typeof first === "string") return [...batch];
  if (first instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const k of first.keys()) out.set(k, defaultCollate(batch.map((b) => (b as Map<unknown, unknown>).get(k))));
    return out;
  }
  if (Array.isArray(first)) {
    const n = first.length;
    if (batch.some((b) => (b as unknown[]).length !== n)) throw new RuntimeError("each element in list of batch should be of equal size");
    return Array.from({ length: n }, (_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  if (first !== null && typeof first === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    return out;
  }
  throw new TypeError(`default_collate: batch must contain tensors, numbers, dicts or lists; found ${first === null ? "null" : typeof first}`);
}
