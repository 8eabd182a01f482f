// SPDX-License-Identifier: BSD-3-Clause
// The thin layer between ops and the native engine: builds strided descriptors and calls one
// kernel over whole buffers. Nothing here loops over elements.
import { native } from "../backends/cpu/native.js";
import { DTYPE_CODE } from "../tensor/dtype.js";
import { expandStrides } from "../tensor/layout.js";
import type { Tensor } from "../tensor/tensor.js";

/** Strides of `t` read as if broadcast to `shape` (0 on broadcast dims). */
export function stridesFor(t: Tensor, shape: readonly number[]): number[] {
  const s = t._shape;
  if (s.length === shape.length && s.every((v, i) => v === shape[i])) return t._strides;
  return expandStrides(s, t._strides, shape);
}

/** [ndim, shape..., nops, (dtype, offset, strides...) per operand]. */
export function descriptor(shape: readonly number[], operands: Tensor[], strides?: number[][]): Float64Array {
  const nd = shape.length;
  const meta = new Float64Array(2 + nd + operands.length * (2 + nd));
  meta[0] = nd;
  for (let i = 0; i < nd; i++) meta[1 + i] = shape[i]!;
  meta[1 + nd] = operands.length;
  let p = 2 + nd;
  operands.forEach((t, k) => {
    meta[p++] = DTYPE_CODE[t.dtype];
    meta[p++] = t._offset;
    const st = strides?.[k] ?? stridesFor(t, shape);
    for (let i = 0; i < nd; i++) meta[p++] = st[i]!;
  });
  return meta;
}

const EMPTY = new Float64Array(8);

/** Runs an elementwise kernel: out (operand 0) over out's shape, inputs broadcast to it. */
export function runElementwise(kernel: string, out: Tensor, inputs: Tensor[], scalars?: readonly number[]): void {
  if (out.numel() === 0) return;
  const ops = [out, ...inputs];
  const s = scalars ? Float64Array.from(scalars.length < 8 ? [...scalars, ...Array(8 - scalars.length).fill(0)] : scalars) : EMPTY;
  native.elementwise(kernel, ops.map((t) => t._storage.data), descriptor(out._shape, ops), s);
}

/**
 * Runs a reduction: `input` is permuted so the reduced dims come last; `outs` are viewed with
 * stride 0 along them. `ndimOuter` dims index the outputs.
 */
export function runReduce(kernel: string, outs: Tensor[], input: Tensor, shape: readonly number[],
  strides: number[][], ndimOuter: number, scalars: readonly number[] = []): void {
  const ops = [outs[0]!, input, ...outs.slice(1)];
  const st = [strides[0]!, strides[1]!, ...strides.slice(2)];
  const s = Float64Array.from([...scalars, ...Array(Math.max(0, 8 - scalars.length)).fill(0)]);
  native.reduce(kernel, ops.map((t) => t._storage.data), descriptor(shape, ops, st), s, ndimOuter);
}
