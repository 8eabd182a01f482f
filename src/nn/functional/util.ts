// SPDX-License-Identifier: BSD-3-Clause
// Argument helpers shared by the functional ops.
import { DTYPE_CODE } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";

/** An int or a tuple of n ints (PyTorch's _pair / _single). */
export type IntOrTuple = number | readonly number[];

export function tuple(v: IntOrTuple, n: number, name: string): number[] {
  if (typeof v === "number") return Array(n).fill(v) as number[];
  if (v.length === 1) return Array(n).fill(v[0]) as number[];
  if (v.length !== n) throw new RangeError(`${name} must be an int or a tuple of ${n} ints, got (${v.join(", ")})`);
  return [...v];
}

export const dtypeCode = (t: Tensor): number => DTYPE_CODE[t.dtype];

export const isOptions = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Positional arguments after the required ones, possibly ending in an options object
 * (API.md rule 3): returns the values by name, positional first, options overriding undefined.
 */
export function argsOf<T extends Record<string, unknown>>(names: (keyof T & string)[], rest: unknown[], defaults: T): T {
  const out: Record<string, unknown> = { ...defaults };
  let pos = rest;
  const last = rest[rest.length - 1];
  if (isOptions(last)) {
    pos = rest.slice(0, -1);
    for (const [k, v] of Object.entries(last)) if (v !== undefined) out[k] = v;
  }
  pos.forEach((v, i) => { const n = names[i]; if (n !== undefined && v !== undefined) out[n] = v; });
  return out as T;
}

