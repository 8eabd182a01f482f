// SPDX-License-Identifier: BSD-3-Clause
// Joining and rearranging: cat, stack, repeat, tile, flip, roll, rot90, meshgrid, broadcasting helpers.
import { RuntimeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

const todo = (name: string): never => { throw new RuntimeError(`${name}: not implemented yet (issue #2)`); };
export function cat(_tensors: readonly Tensor[], _dim = 0, _opts: { out?: Tensor } = {}): Tensor { return todo("cat"); }
export const concat = cat;
export const concatenate = cat;
export function stack(_tensors: readonly Tensor[], _dim = 0, _opts: { out?: Tensor } = {}): Tensor { return todo("stack"); }
export function hstack(_tensors: readonly Tensor[]): Tensor { return todo("hstack"); }
export function vstack(_tensors: readonly Tensor[]): Tensor { return todo("vstack"); }
export function dstack(_tensors: readonly Tensor[]): Tensor { return todo("dstack"); }
export function repeat(_x: Tensor, _sizes: readonly number[]): Tensor { return todo("repeat"); }
export function repeatInterleave(_x: Tensor, _repeats: number | Tensor, _dim?: number | null, _opts: { outputSize?: number } = {}): Tensor { return todo("repeatInterleave"); }
export function tile(_x: Tensor, _dims: readonly number[]): Tensor { return todo("tile"); }
export function flip(_x: Tensor, _dims: readonly number[]): Tensor { return todo("flip"); }
export function fliplr(_x: Tensor): Tensor { return todo("fliplr"); }
export function flipud(_x: Tensor): Tensor { return todo("flipud"); }
export function roll(_x: Tensor, _shifts: number | readonly number[], _dims?: number | readonly number[] | null): Tensor { return todo("roll"); }
export function rot90(_x: Tensor, _k = 1, _dims: readonly number[] = [0, 1]): Tensor { return todo("rot90"); }
export function meshgrid(_tensors: readonly Tensor[], _opts: { indexing?: "ij" | "xy" } = {}): Tensor[] { return todo("meshgrid"); }
export function broadcastTensors(..._tensors: Tensor[]): Tensor[] { return todo("broadcastTensors"); }
