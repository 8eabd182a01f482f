// SPDX-License-Identifier: BSD-3-Clause
// Sorting and selection: sort, argsort, topk, kthvalue, median, mode, unique, bincount, histc.
import { RuntimeError } from "../errors.js";
import type { Tensor, ValuesIndices } from "../tensor/tensor.js";

export interface SortOptions { dim?: number; descending?: boolean; stable?: boolean }
/** sort(dim?, descending?) positionally, or sort({ dim, descending, stable }). */
export type SortArgs = [opts?: SortOptions] | [dim: number, opts?: SortOptions] | [dim: number, descending: boolean, opts?: SortOptions];
export interface TopkOptions { dim?: number; largest?: boolean; sorted?: boolean }
export type TopkArgs = [opts?: TopkOptions] | [dim: number, opts?: TopkOptions] | [dim: number, largest: boolean, sorted?: boolean];
export interface UniqueOptions { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean; dim?: number | null }

const todo = (name: string): never => { throw new RuntimeError(`${name}: not implemented yet (issue #2)`); };
export function sort(_x: Tensor, ..._args: SortArgs): ValuesIndices { return todo("sort"); }
export function argsort(_x: Tensor, ..._args: SortArgs): Tensor { return todo("argsort"); }
export function topk(_x: Tensor, _k: number, ..._args: TopkArgs): ValuesIndices { return todo("topk"); }
export function kthvalue(_x: Tensor, _k: number, _dim = -1, _opts: { keepdim?: boolean } = {}): ValuesIndices { return todo("kthvalue"); }
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function median(_x: Tensor, _dim?: number, _opts?: { keepdim?: boolean }): Tensor | ValuesIndices { return todo("median"); }
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function nanmedian(_x: Tensor, _dim?: number, _opts?: { keepdim?: boolean }): Tensor | ValuesIndices { return todo("nanmedian"); }
export function mode(_x: Tensor, _dim = -1, _opts: { keepdim?: boolean } = {}): ValuesIndices { return todo("mode"); }
export function unique(_x: Tensor, _opts: UniqueOptions = {}): Tensor | Tensor[] { return todo("unique"); }
export function bincount(_x: Tensor, _opts: { weights?: Tensor; minlength?: number } = {}): Tensor { return todo("bincount"); }
export function histc(_x: Tensor, _opts: { bins?: number; min?: number; max?: number } = {}): Tensor { return todo("histc"); }
