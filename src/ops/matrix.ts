// SPDX-License-Identifier: BSD-3-Clause
// Matrix helpers and contractions: trace, tril, triu, kron, einsum, tensordot.
import { RuntimeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

const todo = (name: string): never => { throw new RuntimeError(`${name}: not implemented yet (issue #2)`); };
export function trace(_x: Tensor): Tensor { return todo("trace"); }
export function tril(_x: Tensor, _diagonal = 0): Tensor { return todo("tril"); }
export function triu(_x: Tensor, _diagonal = 0): Tensor { return todo("triu"); }
export function kron(_a: Tensor, _b: Tensor): Tensor { return todo("kron"); }
export function einsum(_equation: string, ..._operands: (Tensor | Tensor[])[]): Tensor { return todo("einsum"); }
export function tensordot(_a: Tensor, _b: Tensor, _dims: number | [readonly number[], readonly number[]] = 2): Tensor { return todo("tensordot"); }
