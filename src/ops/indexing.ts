// SPDX-License-Identifier: BSD-3-Clause
// Indexing (API.md rule 5), gather/scatter and masked ops.
import { RuntimeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TensorOrScalar } from "./elementwise.js";

/** One item of x.index(...): a number, a slice string (":", "1:3", "::2"), "...", null, a Slice, a tensor or a number array. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
}
/** torch.slice(start, stop, step): Python's start:stop:step. */
export const slice = (start: number | null = null, stop: number | null = null, step: number | null = null): Slice => new Slice(start, stop, step);
export type IndexItem = number | string | null | Slice | Tensor | readonly number[] | readonly boolean[];
export type ScatterReduce = "sum" | "prod" | "mean" | "amax" | "amin";

const todo = (name: string): never => { throw new RuntimeError(`${name}: not implemented yet (issue #2)`); };
export function index(_x: Tensor, _items: readonly IndexItem[]): Tensor { return todo("index"); }
export function indexPut_(_x: Tensor, _indices: readonly (Tensor | null)[], _values: TensorOrScalar, _opts: { accumulate?: boolean } = {}): Tensor { return todo("indexPut_"); }
export function gather(_x: Tensor, _dim: number, _index: Tensor): Tensor { return todo("gather"); }
export function scatter_(_x: Tensor, _dim: number, _index: Tensor, _src: TensorOrScalar, _opts: { reduce?: "add" | "multiply" } = {}): Tensor { return todo("scatter_"); }
export function scatterAdd_(_x: Tensor, _dim: number, _index: Tensor, _src: Tensor): Tensor { return todo("scatterAdd_"); }
export function scatterReduce_(_x: Tensor, _dim: number, _index: Tensor, _src: Tensor, _reduce: ScatterReduce, _opts: { includeSelf?: boolean } = {}): Tensor { return todo("scatterReduce_"); }
export function indexSelect(_x: Tensor, _dim: number, _index: Tensor | readonly number[]): Tensor { return todo("indexSelect"); }
export function indexAdd_(_x: Tensor, _dim: number, _index: Tensor, _source: Tensor, _opts: { alpha?: number } = {}): Tensor { return todo("indexAdd_"); }
export function indexCopy_(_x: Tensor, _dim: number, _index: Tensor, _source: Tensor): Tensor { return todo("indexCopy_"); }
export function indexFill_(_x: Tensor, _dim: number, _index: Tensor, _value: TensorOrScalar): Tensor { return todo("indexFill_"); }
export function maskedFill(_x: Tensor, _mask: Tensor, _value: TensorOrScalar): Tensor { return todo("maskedFill"); }
export function maskedFill_(_x: Tensor, _mask: Tensor, _value: TensorOrScalar): Tensor { return todo("maskedFill_"); }
export function maskedSelect(_x: Tensor, _mask: Tensor): Tensor { return todo("maskedSelect"); }
export function maskedScatter_(_x: Tensor, _mask: Tensor, _source: Tensor): Tensor { return todo("maskedScatter_"); }
export function take(_x: Tensor, _index: Tensor): Tensor { return todo("take"); }
export function takeAlongDim(_x: Tensor, _indices: Tensor, _dim?: number | null): Tensor { return todo("takeAlongDim"); }
export function nonzero(x: Tensor, opts?: { asTuple?: false }): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(_x: Tensor, _opts?: { asTuple?: boolean }): Tensor | Tensor[] { return todo("nonzero"); }
