// SPDX-License-Identifier: BSD-3-Clause
// Indexing (API.md rule 5): x.index(...) with PyTorch's rules, index_put_, nonzero, masked ops,
// take and index_select. Basic indexing returns views; advanced indexing is one native gather.
// The gather/scatter family lives in scatter.ts and is re-exported here.
import { needsGrad } from "../autograd/graph.js";
import { noGrad } from "../autograd/grad-mode.js";
import { inplace, record } from "../autograd/record.js";
import { native } from "../backends/cpu/native.js";
import { IndexError, RuntimeError, ValueError } from "../errors.js";
import { DTYPE_CODE, type DType, SCALAR_TYPE_NAME, isFloatingPoint } from "../tensor/dtype.js";
import { broadcastShapes, expandStrides, normalizeDim, numelOf } from "../tensor/layout.js";
import { Tensor } from "../tensor/tensor.js";
import { type Scalar, type TensorOrScalar, castTo, scalarTensor } from "./elementwise.js";
import { descriptor, runElementwise } from "./kernel.js";
import { contiguous, expand, reshape, select, sliceDim, unsqueeze } from "./movement.js";
import { indexAdd, maskedScatter } from "./scatter.js";

export {
  gather, scatter_, scatterAdd_, scatterReduce_, indexAdd_, indexCopy_, indexFill_, maskedScatter_, takeAlongDim,
  type ScatterReduce,
} from "./scatter.js";

// ---- autograd helpers (used by the indexing, join and sorting families) -------------------------------------

/**
 * @internal Runs an op's forward without recording its parts when the op records a node of its
 * own (its views, clones and helper ops would otherwise add nodes of theirs).
 */
export function untracked<T>(inputs: readonly unknown[], forward: () => T): T {
  return needsGrad(inputs) ? noGrad(forward) : forward();
}

/** @internal A copy of x outside the graph (the out-of-place ops write into it). */
export function copyOf(x: Tensor): Tensor {
  const out = Tensor._empty(x._shape, x.dtype);
  runElementwise("copy", out, [x]);
  return out;
}

/**
 * @internal `op(zeros)` for a backward formula: the in-place kernel on fresh zeros, or, when the
 * gradient itself requires grad (createGraph), the recorded out-of-place op so the formula is
 * differentiable.
 */
export function intoZeros(shape: readonly number[], g: Tensor, direct: (z: Tensor) => Tensor, recorded: (z: Tensor) => Tensor): Tensor {
  const z = g.newZeros([...shape]);
  return needsGrad([g]) ? recorded(z) : direct(z);
}

/** @internal The saved non-null tensors of `list` put back in their places. */
export function restoreList(list: readonly (Tensor | null)[], saved: readonly Tensor[]): (Tensor | null)[] {
  let k = 0;
  return list.map((t) => (t === null ? null : saved[k++]!));
}


/** One item of x.index(...): a number, a slice string (":", "1:3", "::2"), "...", null, a Slice, a tensor or a number array. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
}
/** torch.slice(start, stop, step): Python's start:stop:step. */
export const slice = (start: number | null = null, stop: number | null = null, step: number | null = null): Slice => new Slice(start, stop, step);
type NestedIndexArray = readonly (number | boolean | NestedIndexArray)[];
export type IndexItem = number | boolean | string | null | Slice | Tensor | NestedIndexArray;

// ---- the native index kernels ---------------------------------------------------------------------

/** @internal One indexed dim: the data operand moves by index * stride; `index` is viewed over the iteration shape. */
export interface IndexedDim { index: Tensor; dim: number; size: number; stride: number }
/** @internal */
export interface IndexKernelOptions {
  /** 0 assign, 1 sum, 2 prod, 3 amax, 4 amin (scatter only). */
  reduce?: number;
  /** Negative indices are out of bounds instead of counting from the end. */
  noNegative?: boolean;
  /** The error to raise for an out-of-bounds index (default: PyTorch's IndexError). */
  error?: (value: string, dim: number, size: number) => Error;
}

const OUT_OF_BOUNDS = /^index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)$/;

// native.indexFast (addon.cc's index entry with the buffers as arguments) and the scratch its
// descriptor and scalars are written into (read synchronously by the native side, kept nowhere).
const hasIndexFast = typeof native.indexFast === "function";
const INDEX_MAX_DIMS = 25;
const indexMeta = new Float64Array(2 + INDEX_MAX_DIMS + 4 * (2 + INDEX_MAX_DIMS));
const indexScalars = [new Float64Array(2), new Float64Array(5), new Float64Array(8)];  // [K, (dim, size, stride) x K, flags]

function writeOperand(meta: Float64Array, p: number, t: Tensor, shape: readonly number[]): number {
  const nd = shape.length, ts = t._shape;
  meta[p++] = DTYPE_CODE[t.dtype];
  meta[p++] = t._offset;
  let same = ts.length === nd;
  for (let i = 0; same && i < nd; i++) same = ts[i] === shape[i];
  const st = same ? t._strides : expandStrides(ts, t._strides, shape);
  for (let i = 0; i < nd; i++) meta[p++] = st[i]!;
  return p;
}

/** runIndexKernel for at most 2 indexed dims without per-call arrays: one native call with the buffers as arguments. */
function runIndexFast(kind: "gather" | "scatter", a: Tensor, b: Tensor, dims: readonly IndexedDim[], opts: IndexKernelOptions): void {
  const shape = a._shape, nd = shape.length, K = dims.length;
  const meta = indexMeta, sc = indexScalars[K]!;
  meta[0] = nd;
  for (let i = 0; i < nd; i++) meta[1 + i] = shape[i]!;
  meta[1 + nd] = 2 + K;
  let p = writeOperand(meta, 2 + nd, a, shape);
  p = writeOperand(meta, p, b, shape);
  for (let k = 0; k < K; k++) p = writeOperand(meta, p, dims[k]!.index, shape);
  sc[0] = K;
  for (let k = 0; k < K; k++) {
    const d = dims[k]!;
    sc[1 + 3 * k] = d.dim; sc[2 + 3 * k] = d.size; sc[3 + 3 * k] = d.stride;
  }
  sc[1 + 3 * K] = opts.noNegative ? 1 : 0;
  const m = kind === "gather" ? 0 : 1, r = opts.reduce ?? 0, sv = sc;
  if (K === 0) native.indexFast(m, meta, sv, r, a._storage.data, b._storage.data);
  else if (K === 1) native.indexFast(m, meta, sv, r, a._storage.data, b._storage.data, dims[0]!.index._storage.data);
  else native.indexFast(m, meta, sv, r, a._storage.data, b._storage.data, dims[0]!.index._storage.data, dims[1]!.index._storage.data);
}

/**
 * @internal Runs native indexGather (`a` = out, `b` = source) or indexScatter (`a` = destination,
 * `b` = values). `a`, `b` and every index are views whose shape is the iteration shape.
 */
export function runIndexKernel(kind: "gather" | "scatter", a: Tensor, b: Tensor, dims: readonly IndexedDim[], opts: IndexKernelOptions = {}): void {
  if (a.numel() === 0) return;
  if (dims.length > 8) throw new RuntimeError(`indexing more than 8 dimensions at once is not supported (got ${dims.length})`);
  try {
    if (hasIndexFast && dims.length <= 2 && a._shape.length <= INDEX_MAX_DIMS) runIndexFast(kind, a, b, dims, opts);
    else {
      const ops = [a, b, ...dims.map((d) => d.index)];
      const scalars = Float64Array.from([dims.length, ...dims.flatMap((d) => [d.dim, d.size, d.stride]), opts.noNegative ? 1 : 0]);
      const meta = descriptor(a._shape, ops);
      const buffers = ops.map((t) => t._storage.data);
      if (kind === "gather") native.indexGather(buffers, meta, scalars);
      else native.indexScatter(buffers, meta, scalars, opts.reduce ?? 0);
    }
  } catch (e) {
    const m = OUT_OF_BOUNDS.exec((e as Error).message);
    if (m === null) throw e;
    throw opts.error ? opts.error(m[1]!, Number(m[2]), Number(m[3])) : new IndexError((e as Error).message);
  }
}

/** @internal An int64 index tensor (int32 indices are widened; number arrays become tensors). */
export function longIndex(index: Tensor | readonly number[]): Tensor {
  if (!(index instanceof Tensor)) return tensorFromArray(index, "int64");
  return index.dtype === "int64" ? index : castTo(index, "int64");
}

/**
 * @internal out[..., i, ...] = x[..., index_d[i], ...] for every (dim, index) pair: each index is
 * 1-D int64 and replaces its dim. One native call (used by index_select, flip, roll).
 */
export function gatherAlongDims(x: Tensor, entries: readonly { dim: number; index: Tensor }[], opts: IndexKernelOptions = {}): Tensor {
  const shape = [...x._shape];
  for (const e of entries) shape[e.dim] = e.index.numel();
  const out = Tensor._empty(shape, x.dtype);
  const srcStrides = [...x._strides];
  for (const e of entries) srcStrides[e.dim] = 0;
  const dims = entries.map((e) => {
    const st = new Array<number>(shape.length).fill(0);
    st[e.dim] = e.index.ndim === 0 ? 0 : e.index._strides[0]!;
    return { index: e.index._view(shape, st, e.index._offset), dim: e.dim, size: x._shape[e.dim]!, stride: x._strides[e.dim]! };
  });
  runIndexKernel("gather", out, x._view(shape, srcStrides, x._offset), dims, opts);
  return out;
}

// ---- parsing index items ------------------------------------------------------------------------------

const SLICE_RE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function parseSlice(s: string): Slice | null {
  const m = SLICE_RE.exec(s);
  if (m === null) return null;
  const num = (v: string | undefined) => (v === undefined ? null : Number(v));
  return new Slice(num(m[1]), num(m[2]), num(m[3]));
}

function typeName(item: unknown): string {
  if (typeof item === "number") return "float";
  if (typeof item === "string") return "str";
  return typeof item === "object" && item !== null ? item.constructor.name : typeof item;
}

function invalidItem(item: unknown): never {
  throw new IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid " +
    `indices (got ${typeName(item)})`);
}

/** A (nested) JS array as an index tensor: all booleans make a mask, anything else int64. */
function tensorFromArray(arr: NestedIndexArray, dtype?: DType): Tensor {
  const shape: number[] = [];
  let probe: unknown = arr;
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0]; }
  const flat = (arr as unknown[]).flat(Infinity) as unknown[];
  if (flat.some((v) => typeof v !== "number" && typeof v !== "boolean" && typeof v !== "bigint")) invalidItem(arr);
  if (flat.some((v) => typeof v === "number" && !Number.isInteger(v)))
    throw new IndexError("tensors used as indices must be long, byte or bool tensors"); // a float tensor in Python
  const isMask = dtype === undefined && flat.length > 0 && flat.every((v) => typeof v === "boolean");
  const t = isMask ? Tensor._empty(shape, "bool") : Tensor._empty(shape, "int64");
  if (numelOf(shape) !== flat.length) throw new IndexError("index arrays must be rectangular");
  if (isMask) (t._storage.data as Uint8Array).set(flat.map((v) => (v ? 1 : 0)));
  else (t._storage.data as BigInt64Array).set(flat.map((v) => BigInt(v as number | bigint | boolean)));
  return t;
}

/** Python's treatSequenceAsTuple: x[[[0, 1], [1, 2]]] is x[[0, 1], [1, 2]]. */
function sequenceAsTuple(item: IndexItem): item is NestedIndexArray {
  if (!Array.isArray(item) || item.length >= 32) return false;
  return (item as unknown[]).some((v) => Array.isArray(v) || v instanceof Tensor || v instanceof Slice || v === null || typeof v === "string");
}

const isMaskDtype = (d: DType): boolean => d === "bool" || d === "uint8";

/** The index tensor for a Python bool index: True keeps the new axis, False empties it. */
function boolIndex(value: boolean): Tensor {
  const t = Tensor._empty([value ? 1 : 0], "int64");
  if (value) t.fill_(0);
  return t;
}

function selectAt(t: Tensor, dim: number, i: number, realDim: number): Tensor {
  if (!Number.isInteger(i)) invalidItem(i);
  const size = t._shape[normalizeDim(dim, t.ndim)]!;
  if (i < -size || i >= size) throw new IndexError(`index ${i} is out of bounds for dimension ${realDim} with size ${size}`);
  return select(t, dim, i);
}

function sliceAt(t: Tensor, dim: number, s: Slice): Tensor {
  if (s.step === 0) throw new ValueError("slice step cannot be zero");
  if (s.step !== null && s.step < 0) throw new ValueError("step must be greater than zero");
  if (t.ndim === 0) throw new IndexError("slice() cannot be applied to a 0-dim tensor.");
  return sliceDim(t, dim, s.start, s.stop, s.step ?? 1);
}

/**
 * x.index(...items): PyTorch's x[items]. Numbers select, slices slice, "..." skips, null adds an
 * axis (all views); tensors and arrays index (advanced indexing, a copy).
 *
 *     x.index(":", 1)          // x[:, 1]
 *     x.index([0, 2], "1:")    // x[[0, 2], 1:]
 *     x.index(x.gt(0))         // x[x > 0]
 */
export function index(x: Tensor, items: readonly IndexItem[]): Tensor {
  let list: readonly IndexItem[] = items.map((it) => (typeof it === "string" && it !== "..." ? parseSlice(it) ?? invalidItem(it) : it));
  if (list.length === 1 && sequenceAsTuple(list[0]!)) return index(x, list[0] as readonly IndexItem[]);
  list = list.map((it) => (Array.isArray(it) ? tensorFromArray(it as NestedIndexArray) : it));
  if (list.length === 1 && x.ndim === 0) { // Python's single-item fast paths
    if (typeof list[0] === "number")
      throw new IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ " +
        "to convert a 0-dim tensor to a number");
    if (list[0] instanceof Slice) sliceAt(x, 0, list[0]);
  }
  let specified = 0;
  for (const it of list) {
    if (typeof it === "number" || it instanceof Slice) specified++;
    else if (it instanceof Tensor) specified += isMaskDtype(it.dtype) ? it.ndim : 1;
    else if (it !== null && it !== "..." && typeof it !== "boolean") invalidItem(it);
  }
  if (specified > x.ndim) throw new IndexError(`too many indices for tensor of dimension ${x.ndim}`);
  let result = x, dim = 0;
  const indices: (Tensor | null)[] = [];
  const push = (t: Tensor) => {
    while (indices.length < dim) indices.push(null);
    indices[dim++] = t;
  };
  list.forEach((it, realDim) => {
    if (typeof it === "number") result = selectAt(result, dim, it, realDim);
    else if (it instanceof Slice) result = sliceAt(result, dim++, it);
    else if (it === "...") dim += x.ndim - specified;
    else if (it === null) result = unsqueeze(result, dim++);
    else if (typeof it === "boolean") { result = unsqueeze(result, dim); push(boolIndex(it)); }
    else if (it instanceof Tensor && it.ndim === 0 && it.dtype !== "bool" && it.dtype !== "uint8" && !isFloatingPoint(it.dtype)) {
      result = selectAt(result, dim, Number(it.item()), realDim);
    } else if (it instanceof Tensor && it.ndim === 0 && isMaskDtype(it.dtype)) {
      result = unsqueeze(result, dim);
      push(boolIndex(it.item() !== 0 && it.item() !== false));
    } else push(it as Tensor);
  });
  if (indices.length === 0) return result === x ? alias(x) : result;  // x[...] is an alias, x[1:] a view
  return advancedIndex(result, indices);
}

/** x[...]: a new tensor object over x's layout (AliasBackward0). */
function alias(x: Tensor): Tensor {
  const v = x._view([...x._shape], [...x._strides], x._offset);
  return record(v, { name: "AliasBackward0", inputs: [x], backward: ([g]) => [g!] });
}

/**
 * src[indices] (null: a full slice), one native gather. Backward: zeros with the incoming
 * gradient summed in at the same indices (index_put_ with accumulate), so repeated indices add up.
 */
function advancedIndex(src: Tensor, indices: readonly (Tensor | null)[]): Tensor {
  const plan = planAdvanced(src, indices);
  const out = Tensor._empty(plan.shape, src.dtype);
  runIndexKernel("gather", out, src._view(plan.shape, plan.dataStrides, src._offset), plan.dims);
  const shape = [...src._shape];
  return record(out, {
    name: "IndexBackward0", inputs: [src], save: indices.filter((t): t is Tensor => t !== null),
    backward: ([g], saved) => {
      const idx = restoreList(indices, saved);
      return [intoZeros(shape, g!, (z) => indexPutInto(z, idx, g!, { accumulate: true }),
        (z) => indexPut(z, idx, g!, { accumulate: true }))];
    },
  });
}

// ---- advanced indexing ----------------------------------------------------------------------------------

interface AdvancedPlan {
  shape: number[];         // the result shape
  dataStrides: number[];   // the indexed tensor's strides over the result shape (0 on index dims)
  dims: IndexedDim[];
}

/**
 * PyTorch's advanced indexing rule: masks become their nonzero() columns, indices broadcast
 * together to B; adjacent indexed dims are replaced by B in place, separated ones put B first.
 */
function planAdvanced(src: Tensor, raw: readonly (Tensor | null)[]): AdvancedPlan {
  for (const t of raw)
    if (t !== null && t.dtype !== "int64" && !isMaskDtype(t.dtype))
      throw new IndexError("tensors used as indices must be long, byte or bool tensors");
  const indices: (Tensor | null)[] = [];
  for (const t of raw) {
    if (t === null || !isMaskDtype(t.dtype)) { indices.push(t); continue; }
    for (let j = 0; j < t.ndim; j++) {
      const srcIdx = indices.length + j;
      if (srcIdx >= src.ndim) throw new IndexError(`too many indices for tensor of dimension ${src.ndim}`);
      if (t._shape[j] !== src._shape[srcIdx])
        throw new IndexError(`The shape of the mask [${t._shape.join(", ")}] at index ${j} does not match the shape of ` +
          `the indexed tensor [${src._shape.join(", ")}] at index ${srcIdx}`);
    }
    indices.push(...nonzero(t, { asTuple: true }).slice(0, t.ndim));
  }
  if (indices.length > src.ndim)
    throw new IndexError(`too many indices for tensor of dimension ${src.ndim} (got ${indices.length})`);
  const positions = indices.flatMap((t, i) => (t === null ? [] : [i]));
  const used = positions.map((i) => indices[i]!);
  let b: number[] = [];
  try {
    for (const t of used) b = broadcastShapes(b, t._shape);
  } catch {
    throw new IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes " +
      used.map((t) => `[${t._shape.join(", ")}]`).join(", "));
  }
  const adjacent = positions.every((p, k) => k === 0 || p === positions[k - 1]! + 1);
  const rest = [...Array(src.ndim).keys()].filter((d) => !positions.includes(d));
  const before = adjacent ? rest.filter((d) => d < positions[0]!) : [];
  const after = rest.filter((d) => !before.includes(d));
  const shape = [...before.map((d) => src._shape[d]!), ...b, ...after.map((d) => src._shape[d]!)];
  const zerosB = b.map(() => 0);
  const dataStrides = [...before.map((d) => src._strides[d]!), ...zerosB, ...after.map((d) => src._strides[d]!)];
  const dims = used.map((t, k) => {
    const st = [...before.map(() => 0), ...expandStrides(t._shape, t._strides, b), ...after.map(() => 0)];
    const p = positions[k]!;
    return { index: t._view(shape, st, t._offset), dim: k, size: src._shape[p]!, stride: src._strides[p]! };
  });
  return { shape, dataStrides, dims };
}

const SCALAR_RANGE: Partial<Record<DType, [number, number, string]>> = {
  // unsigned types let negative values wrap (c10's checked_convert)
  uint8: [-255, 255, "uint8_t"], int8: [-128, 127, "int8_t"], int16: [-32768, 32767, "int16_t"],
  int32: [-2147483648, 2147483647, "int"], int64: [-(2 ** 63), 2 ** 63 - 1, "int64_t"],
  float16: [-65504, 65504, "at::Half"], bfloat16: [-3.3895313892515355e38, 3.3895313892515355e38, "c10::BFloat16"],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38, "float"],
};

/** A JS scalar as a 0-dim tensor of `dtype`, refusing values that overflow it (PyTorch's Scalar.to<T>()). */
export function checkedScalar(value: Scalar, dtype: DType): Tensor {
  const r = SCALAR_RANGE[dtype];
  const v = Number(value);
  const integral = !isFloatingPoint(dtype);
  if (r && typeof value === "number" && ((integral && !Number.isFinite(v)) || (Number.isFinite(v) && (v < r[0] || v > r[1]))))
    throw new RuntimeError(`value cannot be converted to type ${r[2]} without overflow`);
  return scalarTensor(value, dtype);
}

/**
 * x.indexPut_(indices, values, { accumulate }): x[indices] = values (or +=). A null index is a
 * full slice. Indices are validated before any write, so a failing call leaves x unchanged.
 */
export function indexPut_(x: Tensor, indices: readonly (Tensor | null)[], values: TensorOrScalar, opts: { accumulate?: boolean } = {}): Tensor {
  return inplace(x, [values], (self) => indexPut(self, indices, values, opts), () => indexPutInto(x, indices, values, opts));
}

/**
 * torch.index_put: a copy of x with x[indices] = values (or +=). Backward: the gradient with the
 * overwritten places zeroed (all of it with accumulate) for x; grad[indices] for values.
 */
export function indexPut(x: Tensor, indices: readonly (Tensor | null)[], values: TensorOrScalar, opts: { accumulate?: boolean } = {}): Tensor {
  const v = values instanceof Tensor ? values : null;
  const out = untracked([x, v], () => indexPutInto(copyOf(x), indices, values, opts));
  const accumulate = opts.accumulate ?? false;
  const vShape = v === null ? [] : [...v._shape];
  return record(out, {
    name: "IndexPutBackward0", inputs: [x, v], save: indices.filter((t): t is Tensor => t !== null),
    backward: ([g], saved) => {
      const idx = restoreList(indices, saved);
      const gx = accumulate ? g! : indexPut(g!, idx, 0);
      let gv: Tensor | null = null;
      if (v !== null) {
        gv = index(g!, idx.map((t) => t ?? new Slice()));
        // a one-element value fills a mask however many dims it has
        if (gv.ndim < vShape.length) gv = reshape(gv.sum(), vShape);
      }
      return [gx, gv];
    },
  });
}

/** @internal index_put_'s kernel: writes into x, outside autograd. */
export function indexPutInto(x: Tensor, indices: readonly (Tensor | null)[], values: TensorOrScalar, opts: { accumulate?: boolean } = {}): Tensor {
  if (indices.length > x.ndim) throw new IndexError(`too many indices for tensor of dimension ${x.ndim} (got ${indices.length})`);
  const mask = opts.accumulate || (values instanceof Tensor && values.numel() !== 1) ? null : fillMask(x, indices);
  if (mask !== null) { // PyTorch's masked_fill_ dispatch: x[mask] = scalar
    const v = values instanceof Tensor ? castTo(values._view([], [], values._offset), x.dtype) : checkedScalar(values, x.dtype);
    runElementwise("where", x, [boolMask(mask), v, x]);
    x._bumpVersion();
    return x;
  }
  const plan = planAdvanced(x, indices);
  let v = values instanceof Tensor ? values : checkedScalar(values, x.dtype);
  const n = plan.shape.length;
  if (v.ndim > n || v._shape.some((s, i) => s !== 1 && s !== plan.shape[n - v.ndim + i]))
    throw new RuntimeError(`shape mismatch: value tensor of shape [${v._shape.join(", ")}] cannot be broadcast to ` +
      `indexing result of shape [${plan.shape.join(", ")}]`);
  if (v.dtype !== x.dtype)
    throw new RuntimeError(`Index put requires the source and destination dtypes match, got ${SCALAR_TYPE_NAME[x.dtype]} ` +
      `for the destination and ${SCALAR_TYPE_NAME[v.dtype]} for the source.`);
  if (v._storage === x._storage) v = v.clone();
  runIndexKernel("scatter", x._view(plan.shape, plan.dataStrides, x._offset), expand(v, plan.shape), plan.dims,
    { reduce: opts.accumulate ? 1 : 0 });
  x._bumpVersion();
  return x;
}

/**
 * ATen's canDispatchToMaskedFill: a single bool/uint8 mask (nulls around it) and one value make
 * index_put_ a masked fill. Returns the mask viewed to broadcast against x, or null.
 */
function fillMask(x: Tensor, indices: readonly (Tensor | null)[]): Tensor | null {
  let numInd = 0, mask: Tensor | null = null;
  for (const t of indices) {
    if (t === null) { numInd++; continue; }
    if (!isMaskDtype(t.dtype) || mask !== null) return null;
    for (let j = 0; j < t.ndim; j++) {
      const srcIdx = numInd + j;
      if (srcIdx >= x.ndim) throw new IndexError(`too many indices for tensor of dimension ${x.ndim}`);
      if (t._shape[j] !== x._shape[srcIdx])
        throw new IndexError(`The shape of the mask [${t._shape.join(", ")}] at index ${j} does not match the shape of ` +
          `the indexed tensor [${x._shape.join(", ")}] at index ${srcIdx}`);
    }
    mask = t;
    numInd += t.ndim;
  }
  if (mask === null) return null;
  const trailing = Math.max(0, x.ndim - numInd); // (k..) -> (k.., 1, ..., 1)
  return mask._view([...mask._shape, ...Array<number>(trailing).fill(1)], [...mask._strides, ...Array<number>(trailing).fill(0)], mask._offset);
}

// ---- nonzero, masks, take, index_select ---------------------------------------------------------------------

/** torch.nonzero: (count, ndim) int64 indices in row-major order; asTuple gives one 1-D tensor per dim. */
export function nonzero(x: Tensor, opts?: { asTuple?: false }): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  const meta = descriptor(x._shape, [x]);
  const count = x.numel() === 0 ? 0 : (native.nonzero(null, [x._storage.data], meta));
  const out = Tensor._empty([count, x.ndim], "int64");
  if (count > 0 && x.ndim > 0) native.nonzero(out._storage.data as BigInt64Array, [x._storage.data], meta);
  if (!opts.asTuple) return out;
  if (x.ndim === 0) return [boolIndex(count === 1)];
  return Array.from({ length: x.ndim }, (_, d) => select(out, 1, d));
}

/** A mask as bool (uint8 and other dtypes count nonzero elements as true). */
function boolMask(mask: Tensor): Tensor {
  if (mask.dtype === "bool") return mask;
  const out = Tensor._empty(mask._shape, "bool");
  runElementwise("copy", out, [mask]);
  return out;
}

function fillValue(x: Tensor, value: TensorOrScalar, name: string): Tensor {
  if (!(value instanceof Tensor)) return checkedScalar(value, x.dtype);
  if (value.ndim !== 0)
    throw new RuntimeError(`${name} only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
  return castTo(value, x.dtype);
}

/** x.maskedFill_(mask, value): x[mask] = value; mask broadcasts to x, value is cast to x's dtype. */
export function maskedFill_(x: Tensor, mask: Tensor, value: TensorOrScalar): Tensor {
  const v = untracked([value], () => fillValue(x, value, "masked_fill_"));
  const shape = broadcastShapes(x._shape, mask._shape);
  if (shape.length !== x.ndim || shape.some((s, i) => s !== x._shape[i]))
    throw new RuntimeError(`output with shape [${x._shape.join(", ")}] doesn't match the broadcast shape [${shape.join(", ")}]`);
  return inplace(x, [value], (self) => maskedFill(self, mask, value), () => {
    runElementwise("where", x, [boolMask(mask), v, x]);
    x._bumpVersion();
    return x;
  });
}

/**
 * x.maskedFill(mask, value): a copy of x (broadcast with mask) with value where mask is true.
 * Backward: the gradient with the filled places zeroed; a tensor value gets their sum
 * (MaskedFillBackward1, the Tensor overload).
 */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorOrScalar): Tensor {
  const valueT = value instanceof Tensor ? value : null;
  const v = untracked([valueT], () => fillValue(x, value, "masked_fill_"));
  const shape = broadcastShapes(x._shape, mask._shape);
  const out = Tensor._empty(shape, x.dtype);
  runElementwise("where", out, [boolMask(mask), v, x]);
  return record(out, {
    name: valueT === null ? "MaskedFillBackward0" : "MaskedFillBackward1", inputs: [x, null, valueT], save: [mask],
    backward: ([g], [m]) => [maskedFill(g!, m!, 0), null, valueT === null ? null : maskedSelect(g!, m!).sum()],
  });
}

/**
 * torch.masked_select: the elements of x (broadcast with mask) where mask is true, as a 1-D tensor.
 * Backward: the gradient scattered back into zeros at the mask (masked_scatter).
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (!isMaskDtype(mask.dtype)) throw new RuntimeError("masked_select: expected BoolTensor or ByteTensor for mask");
  const shape = broadcastShapes(mask._shape, x._shape);
  const out = untracked([x], () => (shape.length === 0
    ? maskedSelectKernel(x._view([1], [1], x._offset), mask._view([1], [1], mask._offset), [1])
    : maskedSelectKernel(x, mask, shape)));
  return record(out, {
    name: "MaskedSelectBackward0", inputs: [x], save: [mask],
    backward: ([g], [m]) => [maskedScatter(g!.newZeros(shape), m!, g!)],
  });
}

function maskedSelectKernel(x: Tensor, mask: Tensor, shape: number[]): Tensor {
  const m = expand(mask, shape), src = expand(x, shape);
  const cols = nonzero(m, { asTuple: true });
  const count = cols[0]!.numel();
  const out = Tensor._empty([count], x.dtype);
  const dims = cols.map((c, k) => ({ index: c, dim: k, size: shape[k]!, stride: src._strides[k]! }));
  runIndexKernel("gather", out, src._view([count], [0], src._offset), dims);
  return out;
}

/** torch.take: x read as 1-D (row-major), indexed by `index`; the result has index's shape. Backward: put_ with accumulate. */
export function take(x: Tensor, index: Tensor): Tensor {
  if (index.dtype !== "int64")
    throw new RuntimeError(`take(): Expected a long tensor for index, but got ${SCALAR_TYPE_NAME[index.dtype]}`);
  const n = x.numel();
  if (n === 0 && index.numel() > 0) throw new IndexError("take(): tried to take from an empty tensor");
  const flat = untracked([x], () => contiguous(x));
  const out = Tensor._empty(index._shape, x.dtype);
  const shape = index._shape;
  runIndexKernel("gather", out, flat._view(shape, shape.map(() => 0), flat._offset),
    [{ index, dim: 0, size: n, stride: 1 }],
    { error: (v) => new IndexError(`out of range: tried to access index ${v} on a tensor of ${n} elements.`) });
  const xShape = [...x._shape];
  return record(out, {
    name: "TakeBackward0", inputs: [x], save: [index],
    backward: ([g], [i]) => [reshape(intoZeros([n], g!, (z) => indexPutInto(z, [i!], g!, { accumulate: true }),
      (z) => indexPut(z, [i!], g!, { accumulate: true })), xShape)],
  });
}

/**
 * torch.index_select: the entries `index` (1-D int64/int32, no negatives) of x along dim.
 * Backward: index_add of the gradient into zeros, so repeated indices add up.
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  const idx = index instanceof Tensor ? index : tensorFromArray(index, "int64");
  const d = normalizeDim(dim, x.ndim);
  if (idx.ndim > 1) throw new IndexError("index_select(): Index is supposed to be a vector");
  if (idx.dtype !== "int64" && idx.dtype !== "int32")
    throw new RuntimeError("index_select(): Expected dtype int32 or int64 for index");
  const error = () => new IndexError("index out of range in self");
  let out: Tensor;
  if (x.ndim === 0) {
    if (idx.numel() !== 1) throw new IndexError(`index_select(): Index to scalar can have only 1 value, got ${idx.numel()} value(s)`);
    out = Tensor._empty([], x.dtype);
    const li = longIndex(idx);
    runIndexKernel("gather", out, x, [{ index: li._view([], [], li._offset), dim: 0, size: 1, stride: 0 }],
      { noNegative: true, error });
  } else {
    out = gatherAlongDims(x, [{ dim: d, index: longIndex(idx) }], { noNegative: true, error });
  }
  const shape = [...x._shape];
  return record(out, {
    name: "IndexSelectBackward0", inputs: [x], save: [idx],
    backward: ([g], [i]) => [indexAdd(g!.newZeros(shape), d, i!, g!)],
  });
}
