// SPDX-License-Identifier: BSD-3-Clause
// gather / scatter and the index_* family. Each is one native index kernel over the index
// shape: the data tensor is restrided with stride 0 along `dim`, the index adds index * stride.
// Shapes, dtypes and PyTorch's error messages are checked here first, and the native scatter
// validates every index before writing, so a failing call leaves the destination unchanged.
import { IndexError, RuntimeError } from "../errors.js";
import { SCALAR_TYPE_NAME, isFloatingPoint } from "../tensor/dtype.js";
import { broadcastShapes, contiguousStrides, expandStrides, normalizeDim } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { type TensorOrScalar, castTo, scalarTensor } from "./elementwise.js";
import { type IndexKernelOptions, checkedScalar, longIndex, maskedFill_, nonzero, runIndexKernel } from "./indexing.js";
import { div_, eq, mul } from "./math.js";
import { contiguous, expand, reshape } from "./movement.js";

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

// ---- gather / scatter ---------------------------------------------------------------------------------------

/** torch.gather: out[i][j] = x[index[i][j]][j] (dim 0); the result has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor, _opts: { sparseGrad?: boolean } = {}): Tensor {
  const d = normalizeDim(dim, x.ndim);
  if (index.numel() === 0) return Tensor._empty(index._shape, x.dtype);
  if (index.dtype !== "int64") throw new RuntimeError("gather(): Expected dtype int64 for index");
  const xs = padded(x), is = padded(index);
  if (xs.shape.length !== is.shape.length)
    throw new RuntimeError("Index tensor must have the same number of dimensions as input tensor");
  for (let i = 0; i < xs.shape.length; i++)
    if (i !== d && is.shape[i]! > xs.shape[i]!)
      throw new RuntimeError(`Size does not match at dimension ${i} expected index [${index._shape.join(", ")}] to be ` +
        `smaller than self [${x._shape.join(", ")}] apart from dimension ${d}`);
  const out = Tensor._empty(index._shape, x.dtype);
  const shape = is.shape;
  runIndexKernel("gather", out._view(shape, contiguousStrides(shape), 0),
    x._view(shape, xs.strides.map((s, i) => (i === d ? 0 : s)), x._offset),
    [{ index: index._view(shape, is.strides, index._offset), dim: d, size: xs.shape[d]!, stride: xs.strides[d]! }],
    { error: runtimeError });
  return out;
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

/** x[..., index[i, j], ...] op= src[i, j] over index's shape; a 0-dim `src` is a broadcast scalar. */
function runScatter(x: Tensor, d: number, index: Tensor, src: Tensor, reduce: number): void {
  const xs = padded(x), is = padded(index);
  const shape = is.shape;
  const s = unaliased(src, x);
  const srcView = s.ndim === 0 ? s._view(shape, shape.map(() => 0), s._offset) : s._view(shape, s._strides, s._offset);
  runIndexKernel("scatter", x._view(shape, xs.strides.map((st, i) => (i === d ? 0 : st)), x._offset), srcView,
    [{ index: index._view(shape, is.strides, index._offset), dim: d, size: xs.shape[d]!, stride: xs.strides[d]! }],
    { reduce, error: runtimeError });
}

/** x.scatter_(dim, index, src | value, { reduce }): x[index[i][j]][j] = src[i][j] (dim 0); reduce "add" | "multiply". */
export function scatter_(x: Tensor, dim: number, index: Tensor, src: TensorOrScalar, opts: { reduce?: "add" | "multiply" } = {}): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const srcT = src instanceof Tensor ? src : null;
  scatterChecks(x, d, index, srcT);
  const r = opts.reduce;
  if (r !== undefined && r !== "add" && r !== "multiply") throw new RuntimeError("reduce argument must be either add or multiply.");
  if (index.numel() === 0) return x;
  runScatter(x, d, index, srcT ?? checkedScalar(src as Exclude<TensorOrScalar, Tensor>, x.dtype),
    r === "add" ? REDUCE.sum : r === "multiply" ? REDUCE.prod : REDUCE.assign);
  x._bumpVersion();
  return x;
}

/** x.scatterAdd_(dim, index, src): x[index[i][j]][j] += src[i][j] (dim 0). */
export function scatterAdd_(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim);
  scatterChecks(x, d, index, src);
  if (index.numel() === 0) return x;
  runScatter(x, d, index, src, REDUCE.sum);
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
  const d = normalizeDim(dim, x.ndim);
  scatterChecks(x, d, index, src);
  if (!["sum", "prod", "mean", "amax", "amin"].includes(reduce))
    throw new RuntimeError("reduce argument must be either sum, prod, mean, amax or amin.");
  if (index.numel() === 0) return x;
  const includeSelf = opts.includeSelf ?? true;
  const scalar = (v: number) => scalarTensor(v, x.dtype);
  if (reduce === "mean") {
    // count[i] = scattered elements (+1 with self); the first scatter also validates every index
    const count = Tensor._empty(x._shape, x.dtype).fill_(includeSelf ? 1 : 0);
    runScatter(count, d, index, scalar(1), REDUCE.sum);
    if (!includeSelf) runScatter(x, d, index, scalar(0), REDUCE.assign);
    runScatter(x, d, index, src, REDUCE.sum);
    maskedFill_(count, eq(count, 0), 1);
    if (isFloatingPoint(x.dtype)) div_(x, count);
    else div_(x, count, { roundingMode: "floor" });
  } else {
    // amax/amin without self: start from one of the scattered values, which is as good as -inf/+inf
    if (!includeSelf)
      runScatter(x, d, index, reduce === "sum" ? scalar(0) : reduce === "prod" ? scalar(1) : src, REDUCE.assign);
    runScatter(x, d, index, src, REDUCE[reduce]);
  }
  x._bumpVersion();
  return x;
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

/** x.indexAdd_(dim, index, source, { alpha }): x[..., index[i], ...] += alpha * source[..., i, ...]. */
export function indexAdd_(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
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
  const alpha = opts.alpha ?? 1;
  const src = alpha === 1 ? source : castTo(mul(source, alpha), x.dtype);
  scatterAlongDim(x, d, index, src, { reduce: REDUCE.sum, noNegative: true, error: () => new IndexError("index out of range in self") });
  x._bumpVersion();
  return x;
}

/** x.indexCopy_(dim, index, source): x[..., index[i], ...] = source[..., i, ...]. */
export function indexCopy_(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
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
  scatterAlongDim(x, d, index, source, {
    reduce: REDUCE.assign, noNegative: true,
    error: (v, _dim, size) => new IndexError(`index_copy_(): index ${v} is out of bounds for dimension ${d} with size ${size}`),
  });
  x._bumpVersion();
  return x;
}

/** x.indexFill_(dim, index, value): x[..., index[i], ...] = value. */
export function indexFill_(x: Tensor, dim: number, index: Tensor, value: TensorOrScalar): Tensor {
  const d = normalizeDim(dim, x.ndim);
  if (value instanceof Tensor && value.ndim !== 0)
    throw new RuntimeError(`index_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
  if (index.dtype !== "int64") throw new IndexError("index_fill_(): Expected dtype int64 for index.");
  if (index.ndim > 1) throw new RuntimeError("Index has to be a vector/scalar");
  const v = value instanceof Tensor ? castTo(value, x.dtype) : checkedScalar(value, x.dtype);
  scatterAlongDim(x, d, index, v, { reduce: REDUCE.assign });
  x._bumpVersion();
  return x;
}

/** x.maskedScatter_(mask, source): the elements of x where mask is true become source's, in row-major order. */
export function maskedScatter_(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  if (x.dtype !== source.dtype)
    throw new RuntimeError(`masked_scatter: expected self and source to have same dtypes but got${NAME[x.dtype]} and ${NAME[source.dtype]}`);
  if (x.ndim === 0) {
    maskedScatter_(x._view([1], [1], x._offset), mask.ndim === 0 ? mask._view([1], [1], mask._offset) : mask, source);
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
