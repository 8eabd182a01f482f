// SPDX-License-Identifier: BSD-3-Clause
// Views: each computes a new layout over the same storage; no kernel runs. contiguous() is
// the one place a layout is copied.
import { IndexError, RuntimeError } from "../errors.js";
import {
  expandStrides, inferSize, normalizeDim, normalizeDims, numelOf, viewStrides,
} from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { runElementwise } from "./kernel.js";
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";

export type SizeArgs = (number | readonly number[])[];

/** Sizes given as varargs or one array: view(2, 3) = view([2, 3]). */
export function sizesOf(args: SizeArgs): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}

// ---- derivatives: a view's gradient is the gradient moved back to the input's layout ---------------

function viewOf(t: Tensor, v: Tensor, name: string, backward: (g: Tensor) => Tensor): Tensor {
  return record(v, { name, inputs: [t], backward: ([g]) => [backward(g!)] });
}
/**
 * The gradient of a view that selects part of its input (select, narrow, slice, diagonal): zeros
 * with the gradient written into the same view. Itself differentiable: its backward is the view.
 */
function embed(g: Tensor, shape: readonly number[], makeView: (t: Tensor) => Tensor): Tensor {
  return embedAll([g], shape, [makeView]);
}
/** embed for the pieces of a multi-output view (unbind, split): each gradient into its own view; null is zero. */
function embedAll(grads: (Tensor | null)[], shape: readonly number[], makeViews: ((t: Tensor) => Tensor)[]): Tensor {
  const z = grads.find((g) => g !== null)!.newZeros([...shape]);
  noGrad(() => grads.forEach((g, i) => { if (g !== null) makeViews[i]!(z).copy_(g); }));
  return record(z, { name: "EmbedBackward0", inputs: grads, backward: ([gg]) => makeViews.map((v, i) => (grads[i] ? v(gg!) : null)) });
}
/** Views of t made by `makeViews`, as the outputs of one node (PyTorch's UnbindBackward0, SplitBackward0). */
function multiView(t: Tensor, name: string, makeViews: ((t: Tensor) => Tensor)[]): Tensor[] {
  const outs = noGrad(() => makeViews.map((v) => v(t)));
  if (outs.length === 0) return outs;
  return record(outs, { name, inputs: [t], backward: (grads) => [embedAll(grads, t._shape, makeViews)] });
}

export function contiguous(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = Tensor._emptyUninit(t._shape, t.dtype);
  runElementwise("copy", out, [t]);
  return viewOf(t, out, "CloneBackward0", (g) => g);
}

export function view(t: Tensor, shape: readonly number[]): Tensor {
  const size = inferSize(shape, t.numel());
  const st = viewStrides(t._shape, t._strides, size);
  if (st === null)
    throw new RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension " +
      "spans across two contiguous subspaces). Use .reshape(...) instead.");
  return viewOf(t, t._view(size, st, t._offset), "ViewBackward0", (g) => g.reshape(t._shape));
}

/** reshape: a view when the layout allows (PyTorch 1.13's _reshape_alias), else a contiguous copy viewed. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const size = inferSize(shape, t.numel());
  const st = viewStrides(t._shape, t._strides, size);
  if (st !== null) return viewOf(t, t._view(size, st, t._offset), "ReshapeAliasBackward0", (g) => g.reshape(t._shape));
  return unsafeView(contiguous(t), size);
}

/** A view of a tensor nothing else sees (PyTorch's _unsafe_view: reshape's copy, folded matmul results). */
export function unsafeView(t: Tensor, shape: readonly number[]): Tensor {
  const size = inferSize(shape, t.numel());
  const st = viewStrides(t._shape, t._strides, size);
  if (st === null) throw new RuntimeError("internal: unsafeView needs a viewable layout");
  return viewOf(t, t._view(size, st, t._offset), "UnsafeViewBackward0", (g) => g.reshape(t._shape));
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normalizeDim(startDim, t.ndim), e = normalizeDim(endDim, t.ndim);
  if (s > e) throw new RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return t;
  const shape = [...t._shape.slice(0, s), numelOf(t._shape.slice(s, e + 1)), ...t._shape.slice(e + 1)];
  return reshape(t, shape);
}

export function unflatten(t: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const size = t._shape[d]!;
  if (!sizes.includes(-1) && numelOf(sizes) !== size)
    throw new RuntimeError(`unflatten: Provided sizes [${sizes.join(", ")}] don't multiply up to the size of dim ${dim} ` +
      `(${size}) in the input tensor`);
  const inner = inferSize(sizes, size);
  return view(t, [...t._shape.slice(0, d), ...inner, ...t._shape.slice(d + 1)]);
}

export function squeeze(t: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? null : new Set(normalizeDims(dim, t.ndim));
  const shape: number[] = [], strides: number[] = [];
  t._shape.forEach((s, i) => {
    if (s === 1 && (dims === null || dims.has(i))) return;
    shape.push(s);
    strides.push(t._strides[i]!);
  });
  return viewOf(t, t._view(shape, strides, t._offset), dim === undefined ? "SqueezeBackward0" : "SqueezeBackward1",
    (g) => g.reshape(t._shape));
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.ndim + 1);
  const shape = [...t._shape], strides = [...t._strides];
  const st = d < t.ndim ? shape[d]! * strides[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return viewOf(t, t._view(shape, strides, t._offset), "UnsqueezeBackward0", (g) => g.squeeze(d));
}

export function permute(t: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== t.ndim)
    throw new RuntimeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length ` +
      `of the desired ordering of dimensions i.e. input.dim() = ${t.ndim} is not equal to len(dims) = ${dims.length}`);
  const ds = dims.map((d) => normalizeDim(d, t.ndim));
  if (new Set(ds).size !== ds.length) throw new RuntimeError("permute(): duplicate dims are not allowed.");
  const inverse = ds.map((_, i) => ds.indexOf(i));
  return viewOf(t, t._view(ds.map((d) => t._shape[d]!), ds.map((d) => t._strides[d]!), t._offset), "PermuteBackward0",
    (g) => g.permute(inverse));
}

export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  return transposeNamed(t, dim0, dim1, "TransposeBackward0");
}
function transposeNamed(t: Tensor, dim0: number, dim1: number, name: string): Tensor {
  if (t.ndim === 0) return t;
  const a = normalizeDim(dim0, t.ndim), b = normalizeDim(dim1, t.ndim);
  const shape = [...t._shape], strides = [...t._strides];
  [shape[a], shape[b]] = [shape[b]!, shape[a]!];
  [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  return viewOf(t, t._view(shape, strides, t._offset), name, (g) => g.transpose(a, b));
}

export function t2d(t: Tensor): Tensor {
  if (t.ndim > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${t.ndim}D`);
  if (t.ndim < 2) return viewOf(t, t._view([...t._shape], [...t._strides], t._offset), "TBackward0", (g) => g);
  return transposeNamed(t, 0, 1, "TBackward0");
}

export function mT(t: Tensor): Tensor {
  if (t.ndim === 0) return t;  // PyTorch 1.13 returns a 0-dim tensor itself
  if (t.ndim < 2) throw new RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.");
  return transpose(t, -2, -1);
}

export function reversedDims(t: Tensor): Tensor {
  return permute(t, [...Array(t.ndim).keys()].reverse());
}

export function expand(t: Tensor, shape: readonly number[]): Tensor {
  const strides = expandStrides(t._shape, t._strides, shape);
  const size = shape.map((s, i) => (s === -1 ? t._shape[i - (shape.length - t.ndim)]! : s));
  return viewOf(t, t._view(size, strides, t._offset), "ExpandBackward0", (g) => g);  // record() sums over expanded dims
}

export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  if (t.ndim === 0) throw new RuntimeError("narrow() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, t.ndim);
  const size = t._shape[d]!;
  // start wraps like a dim index ([-size, size - 1]), with PyTorch's "Dimension out of range" message;
  // start == size is allowed only for an empty slice at the end
  const s = start === size ? start : normalizeDim(start, size);
  if (length < 0 || s + length > size)
    throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  const shape = [...t._shape];
  shape[d] = length;
  return viewOf(t, t._view(shape, t._strides, t._offset + s * t._strides[d]!), "SliceBackward0",
    (g) => embed(g, t._shape, (z) => narrow(z, d, s, length)));
}

export function select(t: Tensor, dim: number, index: number): Tensor {
  if (t.ndim === 0) throw new IndexError("select() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, t.ndim);
  const size = t._shape[d]!;
  if (index < -size || index >= size)
    throw new IndexError(`select(): index ${index} out of range for tensor of size [${t._shape.join(", ")}] at dimension ${d}`);
  const i = index < 0 ? index + size : index;
  const shape = [...t._shape], strides = [...t._strides];
  shape.splice(d, 1);
  strides.splice(d, 1);
  return viewOf(t, t._view(shape, strides, t._offset + i * t._strides[d]!), "SelectBackward0",
    (g) => embed(g, t._shape, (z) => select(z, d, i)));
}

/** Basic slicing along one dim (start/stop clamped as in Python; step > 0). */
export function sliceDim(t: Tensor, dim: number, start: number | null, stop: number | null, step = 1): Tensor {
  const d = normalizeDim(dim, t.ndim);
  if (step <= 0) throw new RuntimeError("slice step must be positive");
  const size = t._shape[d]!;
  const clamp = (v: number | null, dflt: number) => {
    if (v === null) return dflt;
    if (v < 0) v += size;
    return Math.min(Math.max(v, 0), size);
  };
  const s = clamp(start, 0), e = Math.max(clamp(stop, size), s);
  const shape = [...t._shape], strides = [...t._strides];
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = t._strides[d]! * step;
  return viewOf(t, t._view(shape, strides, t._offset + s * t._strides[d]!), "SliceBackward0",
    (g) => embed(g, t._shape, (z) => sliceDim(z, d, s, e, step)));
}

export function unbind(t: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim(dim, t.ndim);
  return multiView(t, "UnbindBackward0", Array.from({ length: t._shape[d]! }, (_, i) => (x: Tensor) => select(x, d, i)));
}

export function split(t: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  return splitNamed(t, splitSize, dim, typeof splitSize === "number" ? "SplitBackward0" : "SplitWithSizesBackward0");
}
function splitNamed(t: Tensor, splitSize: number | readonly number[], dim: number, name: string): Tensor[] {
  const d = normalizeDim(dim, t.ndim);
  const size = t._shape[d]!;
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (splitSize <= 0 && size > 0) throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    sizes = [];
    for (let s = 0; s < size; s += splitSize) sizes.push(Math.min(splitSize, size - s));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = [...splitSize];
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== size)
      throw new RuntimeError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at ` +
        `dimension ${d}), but got split_sizes=[${sizes.join(", ")}]`);
  }
  let start = 0;
  return multiView(t, name, sizes.map((len) => {
    const s = start;
    start += len;
    return (x: Tensor) => narrow(x, d, s, len);
  }));
}

export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RuntimeError("chunk expects `chunks` to be greater than 0, got: " + chunks);
  const d = normalizeDim(dim, t.ndim);
  const size = t._shape[d]!;
  if (size === 0) return splitNamed(t, new Array<number>(chunks).fill(0), d, "SplitWithSizesBackward0");  // chunks empty pieces
  return split(t, Math.max(1, Math.ceil(size / chunks)), d);
}

export function movedim(t: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const src = normalizeDims(source, t.ndim), dst = normalizeDims(destination, t.ndim);
  if (src.length !== dst.length)
    throw new RuntimeError(`movedim: Invalid source or destination dims: source (${fmtDims(source)} dims) should ` +
      `contain the same number of dims as destination (${fmtDims(destination)} dims)`);
  const order = new Array<number>(t.ndim).fill(-1);
  src.forEach((s, i) => { order[dst[i]!] = s; });
  const rest = [...Array(t.ndim).keys()].filter((d) => !src.includes(d));
  let r = 0;
  for (let i = 0; i < t.ndim; i++) if (order[i] === -1) order[i] = rest[r++]!;
  return permute(t, order);
}

const fmtDims = (d: number | readonly number[]): string => (typeof d === "number" ? String(d) : `[${d.join(", ")}]`);

export function asStrided(t: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
  const offset = storageOffset ?? t._offset;
  let maxIndex = offset;
  size.forEach((s, i) => { if (s > 0) maxIndex += (s - 1) * stride[i]!; });
  if (size.some((s) => s === 0)) maxIndex = offset - 1;
  if (maxIndex >= t._storage.length || offset < 0)
    throw new RuntimeError(`setStorage: sizes [${size.join(", ")}], strides [${stride.join(", ")}], storage offset ` +
      `${offset}, and itemsize ${t.elementSize()} requiring a storage size of ${(maxIndex + 1) * t.elementSize()} are ` +
      `out of bounds for storage of size ${t._storage.length * t.elementSize()}`);
  // the gradient view is taken on a contiguous tensor of t's shape; exact when t is contiguous
  return viewOf(t, t._view([...size], [...stride], offset), "AsStridedBackward0", (g) => {
    if (!t.isContiguous()) throw new RuntimeError("asStrided backward needs a contiguous input here (TODO #3)");
    return embed(g, t._shape, (z) => z._view([...size], [...stride], offset - t._offset));
  });
}

export function diagonal(t: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const a = normalizeDim(dim1, t.ndim), b = normalizeDim(dim2, t.ndim);
  if (a === b) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  let len: number, start = t._offset;
  if (offset >= 0) {
    len = Math.max(0, Math.min(t._shape[a]!, t._shape[b]! - offset));
    start += offset * t._strides[b]!;
  } else {
    len = Math.max(0, Math.min(t._shape[a]! + offset, t._shape[b]!));
    start -= offset * t._strides[a]!;
  }
  if (len === 0) start = t._offset;
  const shape: number[] = [], strides: number[] = [];
  t._shape.forEach((s, i) => { if (i !== a && i !== b) { shape.push(s); strides.push(t._strides[i]!); } });
  shape.push(len);
  strides.push(t._strides[a]! + t._strides[b]!);
  return viewOf(t, t._view(shape, strides, start), "DiagonalBackward0", (g) => embed(g, t._shape, (z) => diagonal(z, offset, a, b)));
}
