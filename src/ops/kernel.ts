// SPDX-License-Identifier: BSD-3-Clause
// The thin layer between ops and the native engine: builds strided descriptors and calls one
// kernel over whole buffers. Nothing here loops over elements.
import { native } from "../backends/cpu/native.js";
import { DTYPE_CODE, type TypedArray } from "../tensor/dtype.js";
import { expandStrides } from "../tensor/layout.js";
import type { Tensor } from "../tensor/tensor.js";

/** Strides of `t` read as if broadcast to `shape` (0 on broadcast dims). */
export function stridesFor(t: Tensor, shape: readonly number[]): number[] {
  return sameShape(t._shape, shape) ? t._strides : expandStrides(t._shape, t._strides, shape);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

// Scratch reused by runElementwise (the native call reads it synchronously and keeps nothing; the
// native side ignores entries past the descriptor's end and buffers past its operand count), so
// the hot path allocates no descriptor, scalar or buffer arrays.
const MAX_DIMS = 25;
const metaScratch = new Float64Array(2 + MAX_DIMS + 9 * (2 + MAX_DIMS));
const scalarScratch = new Float64Array(8);
const bufferScratch: TypedArray[][] = [];

/**
 * One element of a float fill or add / sub (alpha 1) / mul / div computed in JavaScript, where crossing
 * into the native engine costs far more than the arithmetic. The result is the native kernel's:
 * these operations are correctly rounded in float64, and rounding that to float32 (the typed
 * array store) gives the correctly rounded float32 result. False when it does not apply.
 */
function oneElement(kernel: string, out: Tensor, inputs: Tensor[], scalars?: readonly number[]): boolean {
  const d = out.dtype;
  if (d !== "float32" && d !== "float64") return false;
  if (inputs.length === 0 && kernel === "fill" && scalars !== undefined) {  // the typed array store rounds as static_cast
    out._storage.data[out._offset] = scalars[0]!;
    return true;
  }
  if (inputs.length !== 2) return false;
  const a = inputs[0]!, b = inputs[1]!;
  if (a.dtype !== d || b.dtype !== d) return false;
  const x = a._storage.data[a._offset] as number, y = b._storage.data[b._offset] as number;
  let r: number;
  switch (kernel) {
    case "add": if (scalars !== undefined && scalars[0] !== 1) return false; r = x + y; break;
    case "sub": if (scalars !== undefined && scalars[0] !== 1) return false; r = x - y; break;
    case "mul": r = x * y; break;
    case "div": r = x / y; break;
    default: return false;
  }
  out._storage.data[out._offset] = r;
  return true;
}

/** Runs an elementwise kernel: out (operand 0) over out's shape, inputs broadcast to it. */
export function runElementwise(kernel: string, out: Tensor, inputs: Tensor[], scalars?: readonly number[]): void {
  const shape = out._shape, nd = shape.length, nops = inputs.length + 1;
  let numel = 1;
  for (let i = 0; i < nd; i++) numel *= shape[i]!;
  if (numel === 0) return;
  if (numel === 1 && oneElement(kernel, out, inputs, scalars)) return;
  if (nd > MAX_DIMS || nops > 9 || (scalars !== undefined && scalars.length > 8)) {  // rare: the general path
    const ops = [out, ...inputs];
    const s = scalars ? Float64Array.from(scalars.length < 8 ? [...scalars, ...Array(8 - scalars.length).fill(0)] : scalars) : EMPTY;
    native.elementwise(kernel, ops.map((t) => t._storage.data), descriptor(shape, ops), s);
    return;
  }
  const meta = metaScratch;
  meta[0] = nd;
  for (let i = 0; i < nd; i++) meta[1 + i] = shape[i]!;
  meta[1 + nd] = nops;
  let p = 2 + nd;
  const bufs = (bufferScratch[nops] ??= new Array<TypedArray>(nops));
  for (let k = 0; k < nops; k++) {
    const t = k === 0 ? out : inputs[k - 1]!;
    bufs[k] = t._storage.data;
    meta[p++] = DTYPE_CODE[t.dtype];
    meta[p++] = t._offset;
    const st = k === 0 || sameShape(t._shape, shape) ? t._strides : expandStrides(t._shape, t._strides, shape);
    for (let i = 0; i < nd; i++) meta[p++] = st[i]!;
  }
  let s = EMPTY;
  if (scalars !== undefined) {
    s = scalarScratch;
    for (let i = 0; i < 8; i++) s[i] = i < scalars.length ? scalars[i]! : 0;
  }
  const id = nops <= 4 ? kernelId(kernel) : -1;
  if (id >= 0) {  // kernel by index, buffers as arguments: about half the cost of a call
    const fast = native.elementwiseFast!;
    try {
      if (nops === 1) fast(id, meta, s, bufs[0]!);
      else if (nops === 2) fast(id, meta, s, bufs[0]!, bufs[1]!);
      else if (nops === 3) fast(id, meta, s, bufs[0]!, bufs[1]!, bufs[2]!);
      else fast(id, meta, s, bufs[0]!, bufs[1]!, bufs[2]!, bufs[3]!);
    } finally {
      bufs.fill(EMPTY);
    }
    return;
  }
  try {
    native.elementwise(kernel, bufs, meta, s);
  } finally {
    bufs.fill(EMPTY);  // drop the references so the scratch never keeps a storage alive
  }
}

/** Elementwise kernel name -> index for native.elementwiseFast (-1 where an older addon lacks it). */
let kernelIds: Map<string, number> | null = null;
function kernelId(kernel: string): number {
  if (kernelIds === null) {
    kernelIds = new Map();
    if (typeof native.elementwiseFast === "function" && typeof native.elementwiseIds === "function")
      native.elementwiseIds().forEach((name, i) => kernelIds!.set(name, i));
  }
  return kernelIds.get(kernel) ?? -1;
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
