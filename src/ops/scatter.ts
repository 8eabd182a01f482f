// SPDX-License-Identifier: BSD-3-Clause
// gather / scatter and the index_* family. Each is one native index kernel over the index
// shape: the data tensor is restrided with stride 0 along `dim`, the index adds index * stride.
// Shapes, dtypes and PyTorch's error messages are checked here first, and the native scatter
// validates every index before writing, so a failing call leaves the destination unchanged.
// Each op comes as the out-of-place form, which records its backward formula (PyTorch's
// derivatives.yaml), and the in-place form, which goes through autograd's inplace().
import { inplace, record } from "../autograd/record.js";
import { IndexError, RuntimeError } from "../errors.js";
import { SCALAR_TYPE_NAME, isFloatingPoint } from "../tensor/dtype.js";
import { broadcastShapes, contiguousStrides, expandStrides, normalizeDim, numelOf } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { type TensorOrScalar, castTo, scalarTensor } from "./elementwise.js";
import {
  type IndexKernelOptions, checkedScalar, copyOf, indexSelect, intoZeros, longIndex, maskedFill, maskedFill_, maskedSelect,
  nonzero, runIndexKernel, untracked,
} from "./indexing.js";
import { cat } from "./join.js";
import { div, div_, eq, logicalAnd, mul, remainder, where } from "./math.js";
import { contiguous, expand, movedim, narrow, reshape } from "./movement.js";
import { sum } from "./reduce.js";
import { unique } from "./sorting.js";

export type ScatterReduce = "sum" | "prod" | "mean" | "amax" | "amin";

const NAME = SCALAR_TYPE_NAME;
const REDUCE = { assign: 0, sum: 1, prod: 2, amax: 3, amin: 4 } as const;
const runtimeError: IndexKernelOptions["error"] = (v, dim, size) =>
  new RuntimeError(`index ${v} is out of bounds for dimension ${dim} with size ${size}`);

/** Shape and strides with a 0-dim tensor read as 1-D of size 1 (ATen's ensure_nonempty_*). */
function padded(t: Tensor): { shape: number[]; strides: number[] } {
  return t.ndim === 0 ? { shape: [1], strides: [0] } : { shape: t._shape, strides: t._strides };
}

/** A source that aliases the destination is copied first, so writes cannot feed later reads. */
const unaliased = (src: Tensor, dst: Tensor): Tensor => (src._storage === dst._storage ? src.clone() : src);

/** The part of src that a scatter reads: its leading index-shaped block (src may be larger than index). */
function usedPart(src: Tensor, index: Tensor): Tensor {
  if (src.ndim === 0) return index.ndim === 0 ? src : expand(src, index._shape);
  let r = src;
  index._shape.forEach((s, i) => { if (r._shape[i] !== s) r = narrow(r, i, 0, s); });
  return r;
}

/** An index-shaped gradient padded with zeros to src's shape: src elements no index reads get none. */
function padTo(g: Tensor, shape: readonly number[]): Tensor {
  let r = g;
  for (let i = 0; i < shape.length && i < r.ndim; i++) {
    const extra = shape[i]! - r._shape[i]!;
    if (extra <= 0) continue;
    const zs = [...r._shape];
    zs[i] = extra;
    r = cat([r, r.newZeros(zs)], i);  // (.., index size, ..) -> (.., src size, ..)
  }
  return r;
}

// ---- gather / scatter ---------------------------------------------------------------------------------------

/**
 * torch.gather: out[i][j] = x[index[i][j]][j] (dim 0); the result has index's shape.
 * Backward: scatter_add of the gradient into zeros, so repeated indices add up.
 */
export function gather(x: Tensor, dim: number, index: Tensor, _opts: { sparseGrad?: boolean } = {}): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const shape = [...x._shape];
  const grad = (out: Tensor) => record(out, {
    name: "GatherBackward0", inputs: [x], save: [index],
    backward: ([g], [i]) => [intoZeros(shape, g!, (z) => scatterInto(z, d, i!, g!, REDUCE.sum), (z) => scatterAdd(z, d, i!, g!))],
  });
  if (index.numel() === 0) return grad(Tensor._empty(index._shape, x.dtype));
  if (index.dtype !== "int64") throw new RuntimeError("gather(): Expected dtype int64 for index");
  const xs = padded(x), is = padded(index);
  if (xs.shape.length !== is.shape.length)
    throw new RuntimeError("Index tensor must have the same number of dimensions as input tensor");
  for (let i = 0; i < xs.shape.length; i++)
    if (i !== d && is.shape[i]! > xs.shape[i]!)
      throw new RuntimeError(`Size does not match at dimension ${i} expected index [${index._shape.join(", ")}] to be ` +
        `smaller than self [${x._shape.join(", ")}] apart from dimension ${d}`);
  const out = Tensor._empty(index._shape, x.dtype);
  const is0 = is.shape;
  runIndexKernel("gather", out._view(is0, contiguousStrides(is0), 0),
    x._view(is0, xs.strides.map((s, i) => (i === d ? 0 : s)), x._offset),
    [{ index: index._view(is0, is.strides, index._offset), dim: d, size: xs.shape[d]!, stride: xs.strides[d]! }],
    { error: runtimeError });
  return grad(out);
}

/** PyTorch's scatter_gather_dtype_check + scatter_shape_check. */
function scatterChecks(x: Tensor, d: number, index: Tensor, src: Tensor | null): void {
  if (index.numel() !== 0 && index.dtype !== "int64") throw new RuntimeError("scatter(): Expected dtype int64 for index");
  if (src !== null && src.dtype !== x.dtype) throw new RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype");
  if (index.numel() === 0) return;
  const xs = padded(x).shape, is = padded(index).shape;
  if (xs.length !== is.length) throw new RuntimeError("Index tensor must have the same number of dimensions as self tensor");
  let wrong = is.some((s, i) => i !== d && s > xs[i]!);
  const ss = src === null ? null : padded(src).shape;
  if (!wrong && ss !== null) wrong = is.some((s, i) => s > (ss[i] ?? 1));
  if (ss !== null && ss.length !== is.length)
    throw new RuntimeError("Index tensor must have the same number of dimensions as src tensor");
  const msg = `Expected index [${index._shape.join(", ")}] to be smaller than self [${x._shape.join(", ")}] apart from dimension ${d}`;
  if (wrong) throw new RuntimeError(src === null ? msg : `${msg} and to be smaller size than src [${src._shape.join(", ")}]`);
}

/** x[..., index[i, j], ...] op= src[i, j] over index's shape; a 0-dim `src` is a broadcast scalar. Returns x. */
function scatterInto(x: Tensor, d: number, index: Tensor, src: Tensor, reduce: number): Tensor {
  if (index.numel() === 0) return x;
  const xs = padded(x), is = padded(index);
  const shape = is.shape;
  const s = unaliased(src, x);
  const srcView = s.ndim === 0 ? s._view(shape, shape.map(() => 0), s._offset) : s._view(shape, s._strides, s._offset);
  runIndexKernel("scatter", x._view(shape, xs.strides.map((st, i) => (i === d ? 0 : st)), x._offset), srcView,
    [{ index: index._view(shape, is.strides, index._offset), dim: d, size: xs.shape[d]!, stride: xs.strides[d]! }],
    { reduce, error: runtimeError });
  x._bumpVersion();
  return x;
}

type ScatterOptions = { reduce?: "add" | "multiply" };

function scatterArgs(x: Tensor, dim: number, index: Tensor, src: TensorOrScalar, opts: ScatterOptions): [number, Tensor, number] {
  const d = normalizeDim(dim, x.ndim);
  const srcT = src instanceof Tensor ? src : null;
  scatterChecks(x, d, index, srcT);
  const r = opts.reduce;
  if (r !== undefined && r !== "add" && r !== "multiply") throw new RuntimeError("reduce argument must be either add or multiply.");
  const value = srcT ?? (index.numel() === 0 ? x : checkedScalar(src as Exclude<TensorOrScalar, Tensor>, x.dtype));
  return [d, value, r === "add" ? REDUCE.sum : r === "multiply" ? REDUCE.prod : REDUCE.assign];
}

/** x.scatter_(dim, index, src | value, { reduce }): x[index[i][j]][j] = src[i][j] (dim 0); reduce "add" | "multiply". */
export function scatter_(x: Tensor, dim: number, index: Tensor, src: TensorOrScalar, opts: ScatterOptions = {}): Tensor {
  return inplace(x, [src], (self) => scatter(self, dim, index, src, opts), () => {
    const [d, value, reduce] = scatterArgs(x, dim, index, src, opts);
    return scatterInto(x, d, index, value, reduce);
  });
}

/**
 * torch.scatter. Backward (src form, ScatterBackward0): the gradient with the written places
 * zeroed for x, grad.gather(dim, index) for src; the value form is ScatterBackward1. With
 * `reduce` PyTorch has no derivative, and neither has this.
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorOrScalar, opts: ScatterOptions = {}): Tensor {
  const srcT = src instanceof Tensor ? src : null;
  const [d, value, reduce] = scatterArgs(x, dim, index, src, opts);
  const out = untracked([x, srcT], () => scatterInto(copyOf(x), d, index, value, reduce));
  if (opts.reduce !== undefined)
    return record(out, {
      name: "torch::autograd::NotImplemented", inputs: [x, null, srcT],
      backward: () => { throw new RuntimeError("derivative for aten::scatter is not implemented"); },
    });
  const srcShape = srcT === null ? [] : [...srcT._shape];
  return record(out, {
    name: srcT === null ? "ScatterBackward1" : "ScatterBackward0", inputs: [x, null, srcT], save: [index],
    backward: ([g], [i]) => [scatter(g!, d, i!, 0), null, srcT === null ? null : padTo(gather(g!, d, i!), srcShape)],
  });
}

function scatterAddArgs(x: Tensor, dim: number, index: Tensor, src: Tensor): number {
  const d = normalizeDim(dim, x.ndim);
  scatterChecks(x, d, index, src);
  return d;
}

/** x.scatterAdd_(dim, index, src): x[index[i][j]][j] += src[i][j] (dim 0). */
export function scatterAdd_(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return inplace(x, [src], (self) => scatterAdd(self, dim, index, src),
    () => scatterInto(x, scatterAddArgs(x, dim, index, src), index, src, REDUCE.sum));
}

/** torch.scatter_add. Backward: the gradient for x, grad.gather(dim, index) for src. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = scatterAddArgs(x, dim, index, src);
  const out = untracked([x, src], () => scatterInto(copyOf(x), d, index, src, REDUCE.sum));
  const srcShape = [...src._shape];
  return record(out, {
    name: "ScatterAddBackward0", inputs: [x, null, src], save: [index],
    backward: ([g], [i]) => [g!, null, padTo(gather(g!, d, i!), srcShape)],
  });
}

/** Validates scatter_reduce's arguments and runs it into x (x is written). */
function scatterReduceInto(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, includeSelf: boolean): Tensor {
  const d = normalizeDim(dim, x.ndim);
  scatterChecks(x, d, index, src);
  if (!["sum", "prod", "mean", "amax", "amin"].includes(reduce))
    throw new RuntimeError("reduce argument must be either sum, prod, mean, amax or amin.");
  if (index.numel() === 0) return x;
  const scalar = (v: number) => scalarTensor(v, x.dtype);
  if (reduce === "mean") {
    // count[i] = scattered elements (+1 with self); the first scatter also validates every index
    const count = Tensor._empty(x._shape, x.dtype).fill_(includeSelf ? 1 : 0);
    scatterInto(count, d, index, scalar(1), REDUCE.sum);
    if (!includeSelf) scatterInto(x, d, index, scalar(0), REDUCE.assign);
    scatterInto(x, d, index, src, REDUCE.sum);
    maskedFill_(count, eq(count, 0), 1);
    if (isFloatingPoint(x.dtype)) div_(x, count);
    else div_(x, count, { roundingMode: "floor" });
  } else {
    // amax/amin without self: start from one of the scattered values, which is as good as -inf/+inf
    if (!includeSelf)
      scatterInto(x, d, index, reduce === "sum" ? scalar(0) : reduce === "prod" ? scalar(1) : src, REDUCE.assign);
    scatterInto(x, d, index, src, REDUCE[reduce]);
  }
  x._bumpVersion();
  return x;
}

/**
 * x.scatterReduce_(dim, index, src, reduce, { includeSelf }): reduces src into x at index with
 * "sum" | "prod" | "mean" | "amax" | "amin". Without includeSelf the scattered-to elements of x
 * are left out (ATen's scatter_reduce.two: they start from the reduction's identity).
 */
export function scatterReduce_(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce,
  opts: { includeSelf?: boolean } = {}): Tensor {
  return inplace(x, [src], (self) => scatterReduce(self, dim, index, src, reduce, opts),
    () => scatterReduceInto(x, dim, index, src, reduce, opts.includeSelf ?? true));
}

/** torch.scatter_reduce; the backward is PyTorch's scatter_reduce_backward (ScatterReduceBackward0). */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce,
  opts: { includeSelf?: boolean } = {}): Tensor {
  const includeSelf = opts.includeSelf ?? true;
  const out = untracked([x, src], () => scatterReduceInto(copyOf(x), dim, index, src, reduce, includeSelf));
  const d = normalizeDim(dim, x.ndim);
  return record(out, {
    name: "ScatterReduceBackward0", inputs: [x, null, src], save: [x, index, src, out],
    backward: ([g], [self, i, s, result]) => scatterReduceBackward(g!, self!, d, i!, s!, reduce, includeSelf, result!),
  });
}

/**
 * PyTorch 1.13's scatter_reduce_backward (torch/csrc/autograd/FunctionsManual.cpp). Ties in
 * amax/amin share the gradient evenly. One deliberate difference: without includeSelf, an
 * excluded element of self that happens to equal the result does not take a share (PyTorch
 * counts it, then zeroes its gradient, so the scattered maximum gets too little).
 */
function scatterReduceBackward(g: Tensor, self: Tensor, d: number, index: Tensor, src: Tensor, reduce: ScatterReduce,
  includeSelf: boolean, result: Tensor): (Tensor | null)[] {
  const s = usedPart(src, index);
  let gSelf: Tensor, gSrc: Tensor;
  if (reduce === "sum") {
    gSelf = g;
    gSrc = gather(g, d, index);
  } else if (reduce === "mean") {
    let n = scatterAdd(includeSelf ? g.newOnes(g._shape) : g.newZeros(g._shape), d, index, s.newOnes(s._shape));
    n = maskedFill(n, eq(n, 0), 1);
    gSelf = div(g, n);
    gSrc = div(gather(g, d, index), gather(n, d, index));
  } else if (reduce === "prod") {
    // exclusive products, computed without dividing by zeros of self or src
    const maskedSelf = maskedFill(self, eq(self, 0), 1);
    gSelf = div(mul(g, scatterReduce(maskedSelf, d, index, src, "prod", { includeSelf })), maskedSelf);
    const srcZero = eq(s, 0);
    const srcNumZeros = gather(scatterAdd(self.newZeros(self._shape), d, index, castTo(srcZero, self.dtype)), d, index);
    const srcSingleZero = logicalAnd(srcZero, eq(srcNumZeros, 1));
    const maskedSrcResult = scatterReduce(self, d, index, maskedFill(s, srcSingleZero, 1), "prod", { includeSelf });
    gSrc = where(srcSingleZero, gather(mul(g, maskedSrcResult), d, index),
      div(gather(mul(g, result), d, index), maskedFill(s, srcZero, 1)));
  } else {
    // amax / amin: every element equal to the result shares its gradient evenly
    let selfIsResult = castTo(eq(self, result), self.dtype);
    if (!includeSelf) selfIsResult = scatter(selfIsResult, d, index, 0);
    const srcIsResult = castTo(eq(s, gather(result, d, index)), self.dtype);
    const distributed = div(g, scatterAdd(selfIsResult, d, index, srcIsResult));
    gSelf = mul(selfIsResult, distributed);
    gSrc = mul(srcIsResult, gather(distributed, d, index));
  }
  if (!includeSelf) gSelf = scatter(gSelf, d, index, 0);
  return [gSelf, null, padTo(gSrc, src._shape)];
}

// ---- index_* along one dim --------------------------------------------------------------------------------

/**
 * x[..., index[i], ...] op= src[..., i, ...] along dim d. `src`'s slices broadcast to x's
 * slices (index_add_); a 0-dim src is a scalar (index_fill_).
 */
function scatterAlongDim(x: Tensor, d: number, index: Tensor, src: Tensor, opts: IndexKernelOptions): void {
  const n = index.numel();
  if (n === 0) return;
  const xs = padded(x);
  const shape = [...xs.shape];
  shape[d] = n;
  let srcStrides = shape.map(() => 0);
  if (src.ndim > 0) {
    const keep = (_: number, i: number) => i !== d;
    const slice = expandStrides(src._shape.filter(keep), src._strides.filter(keep), shape.filter(keep));
    srcStrides = [...slice.slice(0, d), src._strides[d] ?? 0, ...slice.slice(d)];
  }
  const s = unaliased(src, x);
  const idx = longIndex(index);
  const idxStrides = shape.map((_, i) => (i === d && idx.ndim === 1 ? idx._strides[0]! : 0));
  runIndexKernel("scatter", x._view(shape, xs.strides.map((st, i) => (i === d ? 0 : st)), x._offset),
    s._view(shape, srcStrides, s._offset),
    [{ index: idx._view(shape, idxStrides, idx._offset), dim: d, size: xs.shape[d]!, stride: xs.strides[d]! }], opts);
}

function indexAddChecks(x: Tensor, dim: number, index: Tensor, source: Tensor): number {
  const d = normalizeDim(dim, x.ndim);
  if (index.ndim > 1)
    throw new IndexError(`index_add_(): Index is supposed to be a vector, but got dim: ${index.ndim} with type: ` +
      `${NAME[index.dtype]} and size: [${index._shape.join(", ")}]`);
  if (index.dtype !== "int64" && index.dtype !== "int32")
    throw new RuntimeError(`index_add_(): Expected dtype int32/int64 for index but got: ${NAME[index.dtype]}`);
  if (source.dtype !== x.dtype)
    throw new RuntimeError(`index_add_(): self (${NAME[x.dtype]}) and source (${NAME[source.dtype]}) must have the same scalar type`);
  if (!(d === 0 || d < source.ndim))
    throw new RuntimeError(`index_add_(): Indexing dim ${d} is out of bounds of the source tensor with dim ${source.ndim}`);
  const n = index.numel(), srcSize = source.ndim === 0 ? 1 : source._shape[d]!;
  if (n !== srcSize)
    throw new RuntimeError(`index_add_(): Number of indices (${n}) should be equal to source.size(dim): (${srcSize}), for dim: ${d}`);
  if (x.ndim > 1) {
    const selfSlice = x._shape.filter((_, i) => i !== d), sourceSlice = source._shape.filter((_, i) => i !== d);
    const b = broadcastShapes(selfSlice, sourceSlice);
    if (b.join() !== selfSlice.join())
      throw new RuntimeError(`output with shape [${selfSlice.join(", ")}] doesn't match the broadcast shape [${b.join(", ")}]`);
  } else if (source.ndim > 1) {
    throw new RuntimeError(`source.dim() (${source.ndim}) must one or zero for given self.dim() (${x.ndim})`);
  }
  return d;
}

function indexAddInto(x: Tensor, d: number, index: Tensor, source: Tensor, alpha: number): Tensor {
  const src = alpha === 1 ? source : castTo(mul(source, alpha), x.dtype);
  scatterAlongDim(x, d, index, src, { reduce: REDUCE.sum, noNegative: true, error: () => new IndexError("index out of range in self") });
  x._bumpVersion();
  return x;
}

/** x.indexAdd_(dim, index, source, { alpha }): x[..., index[i], ...] += alpha * source[..., i, ...]. */
export function indexAdd_(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  return inplace(x, [source], (self) => indexAdd(self, dim, index, source, opts),
    () => indexAddInto(x, indexAddChecks(x, dim, index, source), index, source, opts.alpha ?? 1));
}

/** torch.index_add. Backward: the gradient for x, alpha * grad.index_select(dim, index) for source. */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  const d = indexAddChecks(x, dim, index, source);
  const alpha = opts.alpha ?? 1;
  const out = untracked([x, source], () => indexAddInto(copyOf(x), d, index, source, alpha));
  const srcShape = [...source._shape];
  return record(out, {
    name: "IndexAddBackward0", inputs: [x, null, source], save: [index],
    backward: ([g], [i]) => {
      const gs = sliceBroadcastGrad(indexSelect(g!, d, i!), d, srcShape);
      return [g!, null, alpha === 1 ? gs : mul(gs, alpha)];
    },
  });
}

/**
 * index_add's source gradient: `gs` has x's shape with n at d; a source with fewer dims had its
 * slices broadcast (right-aligned) over x's, so those dims are summed here. Equal ndims are left
 * to autograd's sum-to-shape.
 */
function sliceBroadcastGrad(gs: Tensor, d: number, srcShape: readonly number[]): Tensor {
  if (srcShape.length === 0 || srcShape.length === gs.ndim) return gs;
  const moved = movedim(gs, d, 0);  // (n, ...x's slice)
  const tail = srcShape.filter((_, i) => i !== d);
  const lead = moved.ndim - 1 - tail.length;
  const dims: number[] = [];
  for (let i = 1; i < moved.ndim; i++) if (i - 1 < lead || (tail[i - 1 - lead] === 1 && moved._shape[i] !== 1)) dims.push(i);
  const summed = dims.length > 0 ? sum(moved, dims, { keepdim: true }) : moved;
  return movedim(reshape(summed, [moved._shape[0]!, ...tail]), 0, d);  // (n, ...source slice) -> source's shape
}

function indexCopyChecks(x: Tensor, dim: number, index: Tensor, source: Tensor): number {
  const d = normalizeDim(dim, x.ndim);
  if (index.ndim >= 2) throw new IndexError(`index_copy_(): Index should have dimension 1 or 0 (got ${index.ndim})`);
  const n = index.numel();
  if (source.ndim === 0 && n !== 1)
    throw new IndexError(`index_copy_(): When source is scalar, index should have one element (got ${n})`);
  if (source.ndim !== x.ndim && source.ndim !== 0 && x.ndim !== 0)
    throw new IndexError("index_copy_(): When source and destination are not scalars, their dimensionality must match. " +
      `Source dimensionality (${source.ndim}), destination dimensionality (${x.ndim})`);
  if (index.dtype !== "int64")
    throw new RuntimeError(`index_copy_(): Expected a long tensor for index, but got ${NAME[index.dtype]}`);
  if (x.dtype !== source.dtype)
    throw new RuntimeError(`index_copy_(): self and source expected to have the same dtype, but got (self) ${NAME[x.dtype]} ` +
      `and (source) ${NAME[source.dtype]}`);
  const selfSliced = x._shape.filter((_, i) => i !== d), sourceSliced = source._shape.filter((_, i) => i !== d);
  if (selfSliced.join() !== sourceSliced.join())
    throw new RuntimeError("index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: " +
      `${selfSliced.join(" ")} at dimension ${d} and source slice shape: ${sourceSliced.join(" ")} at dimension 0.`);
  if (source.ndim !== 0 && n !== source._shape[d])
    throw new IndexError(`index_copy_(): Number of indices (${n}) should be equal to source.size(dim) (${source._shape[d]})`);
  return d;
}

function indexCopyInto(x: Tensor, d: number, index: Tensor, source: Tensor): Tensor {
  scatterAlongDim(x, d, index, source, {
    reduce: REDUCE.assign, noNegative: true,
    error: (v, _dim, size) => new IndexError(`index_copy_(): index ${v} is out of bounds for dimension ${d} with size ${size}`),
  });
  x._bumpVersion();
  return x;
}

/** x.indexCopy_(dim, index, source): x[..., index[i], ...] = source[..., i, ...]. */
export function indexCopy_(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  return inplace(x, [source], (self) => indexCopy(self, dim, index, source),
    () => indexCopyInto(x, indexCopyChecks(x, dim, index, source), index, source));
}

/** torch.index_copy. Backward: the gradient with the copied slices zeroed for x, grad.index_select for source. */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const d = indexCopyChecks(x, dim, index, source);
  const out = untracked([x, source], () => indexCopyInto(copyOf(x), d, index, source));
  return record(out, {
    name: "IndexCopyBackward0", inputs: [x, null, source], save: [index],
    backward: ([g], [i]) => [indexFill(g!, d, i!, 0), null, indexSelect(g!, d, i!)],
  });
}

function indexFillArgs(x: Tensor, dim: number, index: Tensor, value: TensorOrScalar): [number, Tensor] {
  const d = normalizeDim(dim, x.ndim);
  if (value instanceof Tensor && value.ndim !== 0)
    throw new RuntimeError(`index_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
  if (index.dtype !== "int64") throw new IndexError("index_fill_(): Expected dtype int64 for index.");
  if (index.ndim > 1) throw new RuntimeError("Index has to be a vector/scalar");
  const v = value instanceof Tensor ? untracked([value], () => castTo(value, x.dtype)) : checkedScalar(value, x.dtype);
  return [d, v];
}

function indexFillInto(x: Tensor, d: number, index: Tensor, v: Tensor): Tensor {
  scatterAlongDim(x, d, index, v, { reduce: REDUCE.assign });
  x._bumpVersion();
  return x;
}

/** x.indexFill_(dim, index, value): x[..., index[i], ...] = value. */
export function indexFill_(x: Tensor, dim: number, index: Tensor, value: TensorOrScalar): Tensor {
  return inplace(x, [value], (self) => indexFill(self, dim, index, value), () => {
    const [d, v] = indexFillArgs(x, dim, index, value);
    return indexFillInto(x, d, index, v);
  });
}

/**
 * torch.index_fill. Backward: the gradient with the filled slices zeroed for x; a tensor value
 * (IndexFillBackward1) gets the sum of the filled slices, each counted once.
 */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: TensorOrScalar): Tensor {
  const [d, v] = indexFillArgs(x, dim, index, value);
  const valueT = value instanceof Tensor ? value : null;
  const out = untracked([x, valueT], () => indexFillInto(copyOf(x), d, index, v));
  const size = x.ndim === 0 ? 1 : x._shape[d]!;
  return record(out, {
    name: valueT === null ? "IndexFillBackward0" : "IndexFillBackward1", inputs: [x, null, valueT], save: [index],
    backward: ([g], [i]) => [indexFill(g!, d, i!, 0), null,  // each filled slice counts once for the value
      valueT === null ? null : sum(indexSelect(g!, d, i!.numel() === 0 ? i! : unique(remainder(i!, size)) as Tensor))],
  });
}

function maskedScatterInto(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  if (x.dtype !== source.dtype)
    throw new RuntimeError(`masked_scatter: expected self and source to have same dtypes but got${NAME[x.dtype]} and ${NAME[source.dtype]}`);
  if (x.ndim === 0) {
    maskedScatterInto(x._view([1], [1], x._offset), mask.ndim === 0 ? mask._view([1], [1], mask._offset) : mask, source);
    return x;
  }
  const cols = nonzero(expand(mask, x._shape), { asTuple: true });
  const count = cols[0]!.numel();
  if (source.numel() < count) throw new RuntimeError("Number of elements of source < number of ones in mask");
  const values = contiguous(unaliased(source, x));
  const dims = cols.map((c, k) => ({ index: c, dim: k, size: x._shape[k]!, stride: x._strides[k]! }));
  runIndexKernel("scatter", x._view([count], [0], x._offset), values._view([count], [1], values._offset), dims);
  x._bumpVersion();
  return x;
}

/** x.maskedScatter_(mask, source): the elements of x where mask is true become source's, in row-major order. */
export function maskedScatter_(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  return inplace(x, [source], (self) => maskedScatter(self, mask, source), () => maskedScatterInto(x, mask, source));
}

/**
 * torch.masked_scatter. Backward: the gradient with the masked places zeroed for x; for source,
 * the masked gradient in order, zero-padded to source's size.
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  const out = untracked([x, source], () => maskedScatterInto(copyOf(x), mask, source));
  const srcShape = [...source._shape];
  return record(out, {
    name: "MaskedScatterBackward0", inputs: [x, null, source], save: [mask],
    backward: ([g], [m]) => {
      let sel = maskedSelect(g!, m!);
      const missing = numelOf(srcShape) - sel.numel();
      if (missing > 0) sel = cat([sel, sel.newZeros([missing])]);
      return [maskedFill(g!, m!, 0), null, reshape(sel, srcShape)];
    },
  });
}

/** torch.take_along_dim: gather with x and indices broadcast against each other (flattened when dim is null). */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number | null): Tensor {
  if (dim === null || dim === undefined) return gather(reshape(x, [-1]), 0, reshape(indices, [-1]));
  if (x.ndim !== indices.ndim)
    throw new RuntimeError("torch.take_along_dim(): input and indices should have the same number of dimensions, but got " +
      `${x.ndim} dimensions for input, and ${indices.ndim} dimensions for indices`);
  if (indices.dtype !== "int64")
    throw new RuntimeError(`torch.take_along_dim(): dtype of indices should be Long but got ${NAME[indices.dtype]}`);
  const d = normalizeDim(dim, x.ndim);
  if (x.ndim === 0) return gather(x, d, indices);
  const selfSizes = [...x._shape];
  selfSizes[d] = indices._shape[d]!;
  const idx = expand(indices, broadcastShapes(selfSizes, indices._shape));
  const indSizes = [...indices._shape];
  indSizes[d] = x._shape[d]!;
  return gather(expand(x, broadcastShapes(indSizes, x._shape)), d, idx);
}
