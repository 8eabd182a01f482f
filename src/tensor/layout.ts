// SPDX-License-Identifier: BSD-3-Clause
// Shapes, strides and the rules views follow. Strides and offsets are in elements.
import { IndexError, RuntimeError } from "../errors.js";

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= Math.max(shape[d]!, 1);
  }
  return strides;
}

export function isContiguousLayout(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size === 0) return true;
    if (size !== 1 && strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

/** Wraps a possibly negative dim into [0, ndim); PyTorch's message when out of range. */
export function normalizeDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n)
    throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  return dim < 0 ? dim + n : dim;
}

export function normalizeDims(dims: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (dims === null || dims === undefined) return [...Array(ndim).keys()];
  const list = typeof dims === "number" ? [dims] : dims;
  const out = list.map((d) => normalizeDim(d, ndim));
  // the first dim that repeats an earlier one (a handful of dims: no Set per call)
  for (let i = 1; i < out.length; i++)
    for (let j = 0; j < i; j++)
      if (out[j] === out[i]) throw new RuntimeError(`dim ${out[i]} appears multiple times in the list of dims`);
  return out;
}

export function checkShape(shape: Shape): void {
  for (const s of shape) {
    if (!Number.isInteger(s)) throw new TypeError(`size must be a sequence of integers, but got ${s}`);
    if (s < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${s}: [${shape.join(", ")}]`);
  }
}

/** torch.broadcast_shapes, with the message binary ops give ("The size of tensor a ..."). */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  if (a.length === 0) return b.slice();  // the first operand of a fold, or a 0-dim tensor
  if (a.length === b.length) {  // same rank: most calls have equal shapes
    let same = true;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { same = false; break; }
    if (same) return a.slice();
  }
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new RuntimeError(
        `The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
    out[i] = x === 1 ? y : x;
  }
  return out;
}

export function broadcastShapeList(shapes: Shape[]): number[] {
  let out: number[] = [];
  for (const s of shapes) {
    try {
      out = broadcastShapes(out, s);
    } catch {
      throw new RuntimeError("Shape mismatch: objects cannot be broadcast to a single shape");
    }
  }
  return out;
}

/** Strides that make `shape` read `(srcShape, srcStrides)` broadcast (0 on expanded dims). */
export function expandStrides(srcShape: Shape, srcStrides: readonly number[], shape: Shape): number[] {
  const n = shape.length, k = srcShape.length;
  if (k > n)
    throw new RuntimeError(`expand(torch.FloatTensor{[${srcShape.join(", ")}]}, size=[${shape.join(", ")}]): ` +
      "the number of sizes provided (" + n + ") must be greater or equal to the number of dimensions in the tensor (" + k + ")");
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const j = i - (n - k);
    const target = shape[i]!;
    if (j < 0) { out[i] = 0; continue; }
    const size = srcShape[j]!;
    if (target === -1 || target === size) out[i] = srcStrides[j]!;
    else if (size === 1) out[i] = 0;
    else
      throw new RuntimeError(`The expanded size of the tensor (${target}) must match the existing size (${size}) at ` +
        `non-singleton dimension ${i}.  Target sizes: [${shape.join(", ")}].  Tensor sizes: [${srcShape.join(", ")}]`);
  }
  return out;
}

/** Resolves one -1 in a view/reshape size; PyTorch's message when the numel does not fit. */
export function inferSize(shape: Shape, numel: number): number[] {
  let infer = -1, known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s === -1) {
      if (infer >= 0) throw new RuntimeError("only one dimension can be inferred");
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new RuntimeError(`invalid shape dimension ${s}`);
    } else known *= s;
  }
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0)
      throw new RuntimeError(`shape '[${shape.join(", ")}]' is invalid for input of size ${numel}`);
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new RuntimeError(`shape '[${shape.join(", ")}]' is invalid for input of size ${numel}`);
  }
  return out;
}

/**
 * Strides for viewing (oldShape, oldStrides) as newShape without a copy, or null when no view
 * exists (the algorithm of ATen's computeStride: match chunks of dims that are contiguous
 * with respect to each other).
 */
export function viewStrides(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | null {
  const numel = numelOf(oldShape);
  if (numel === 0) return oldShape.length === newShape.length && oldShape.every((s, i) => s === newShape[i])
    ? [...oldStrides] : contiguousStrides(newShape);
  if (oldShape.length === 0) return newShape.map(() => 1);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}
