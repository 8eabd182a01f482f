// SPDX-License-Identifier: BSD-3-Clause
// torch.scatter, torch.index_add, ...: the out-of-place forms of the in-place indexing ops (a clone, then the in-place op).
import type { Tensor } from "../tensor/tensor.js";
import type { TensorOrScalar } from "./elementwise.js";
import {
  type ScatterReduce, indexAdd_, indexCopy_, indexFill_, indexPut_, maskedScatter_, scatterAdd_, scatterReduce_, scatter_,
} from "./indexing.js";

export const scatter = (x: Tensor, dim: number, index: Tensor, src: TensorOrScalar, opts?: { reduce?: "add" | "multiply" }): Tensor =>
  scatter_(x.clone(), dim, index, src, opts);
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor => scatterAdd_(x.clone(), dim, index, src);
export const scatterReduce = (x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, opts?: { includeSelf?: boolean }): Tensor =>
  scatterReduce_(x.clone(), dim, index, src, reduce, opts);
export const indexAdd = (x: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor =>
  indexAdd_(x.clone(), dim, index, source, opts);
export const indexCopy = (x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor => indexCopy_(x.clone(), dim, index, source);
export const indexFill = (x: Tensor, dim: number, index: Tensor, value: TensorOrScalar): Tensor => indexFill_(x.clone(), dim, index, value);
export const indexPut = (x: Tensor, indices: readonly (Tensor | null)[], values: TensorOrScalar, opts?: { accumulate?: boolean }): Tensor =>
  indexPut_(x.clone(), indices, values, opts);
export const maskedScatter = (x: Tensor, mask: Tensor, source: Tensor): Tensor => maskedScatter_(x.clone(), mask, source);
