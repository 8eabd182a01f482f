// SPDX-License-Identifier: BSD-3-Clause
// Reductions and scans. The input is permuted so the reduced dims come last; the native
// reducer walks them for each output element (numerically careful: float sums accumulate in
// double, var/std use Welford).
import { IndexError, RuntimeError } from "../errors.js";
import { DTYPE_CODE, type DType, type DTypeLike, SCALAR_TYPE_NAME, getDefaultDtype, isFloatingPoint, toDType } from "../tensor/dtype.js";
import { contiguousStrides, normalizeDim, normalizeDims } from "../tensor/layout.js";
import { Tensor, type ValuesIndices, valuesIndices } from "../tensor/tensor.js";
import { castTo } from "./elementwise.js";
import { runReduce } from "./kernel.js";
import { native } from "../backends/cpu/native.js";
import { arange } from "./creation.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { exp, isinf, log, logicalAnd, logicalOr, maximum, minimum, ne, where } from "./math.js";

type Dims = number | readonly number[] | null | undefined;
export interface KeepdimOptions { keepdim?: boolean; dim?: Dims }
export interface SumOptions extends KeepdimOptions { dtype?: DTypeLike }
export interface VarOptions extends KeepdimOptions { correction?: number; unbiased?: boolean }
/** `(opts?)` or `(dim, opts?)`, with dim also allowed inside opts (API.md rule 3). */
export type ReduceArgs<O extends KeepdimOptions = KeepdimOptions> = [opts?: O] | [dim: Dims, opts?: O];

function parseArgs<O extends KeepdimOptions>(args: ReduceArgs<O>): [Dims, O] {
  if (args.length === 0) return [undefined, {} as O];
  const first = args[0];
  if (first !== null && typeof first === "object" && !Array.isArray(first)) return [(first as O).dim, first as O];
  return [first as Dims, (args[1] ?? {}) as O];
}

/** The reduced dims, normalised; null/undefined/[] mean all dims. */
function reducedDims(x: Tensor, dims: Dims): number[] {
  if (x.ndim === 0) {
    if (typeof dims === "number") normalizeDim(dims, 0);
    return [];
  }
  if (dims === null || dims === undefined || (Array.isArray(dims) && dims.length === 0)) return [...Array(x.ndim).keys()];
  return normalizeDims(dims, x.ndim);
}

// native.reduceFast (the kernel by index, the buffers as arguments) and the scratch its descriptor
// and scalars are written into (read synchronously by the native side, kept nowhere).
const hasReduceFast = typeof native.reduceFast === "function" && typeof native.reduceIds === "function";
let reduceIds: Map<string, number> | null = null;
const RED_MAX_DIMS = 25;
const redMeta = new Float64Array(2 + RED_MAX_DIMS + 3 * (2 + RED_MAX_DIMS));
const redScalars = new Float64Array(8);

/** runReduce (ops/kernel.ts) with one native call that takes the buffers as arguments, where the addon has it. */
function runReduceFast(kernel: string, outs: Tensor[], input: Tensor, shape: readonly number[], strides: number[][],
  ndimOuter: number, scalars: readonly number[]): void {
  const nd = shape.length;
  if (reduceIds === null) {
    reduceIds = new Map();
    if (hasReduceFast) (native.reduceIds() as string[]).forEach((name, i) => reduceIds!.set(name, i));
  }
  const id = reduceIds.get(kernel);
  if (id === undefined || nd > RED_MAX_DIMS || scalars.length > 8) {
    runReduce(kernel, outs, input, shape, strides, ndimOuter, scalars);
    return;
  }
  const meta = redMeta, nops = outs.length + 1;
  meta[0] = nd;
  for (let i = 0; i < nd; i++) meta[1 + i] = shape[i]!;
  meta[1 + nd] = nops;
  let p = 2 + nd;
  for (let k = 0; k < nops; k++) {
    const t = k === 0 ? outs[0]! : k === 1 ? input : outs[k - 1]!, st = strides[k]!;
    meta[p++] = DTYPE_CODE[t.dtype];
    meta[p++] = t._offset;
    for (let i = 0; i < nd; i++) meta[p++] = st[i]!;
  }
  for (let i = 0; i < 8; i++) redScalars[i] = i < scalars.length ? scalars[i]! : 0;
  if (nops === 2) native.reduceFast(id, meta, redScalars, ndimOuter, outs[0]!._storage.data, input._storage.data);
  else native.reduceFast(id, meta, redScalars, ndimOuter, outs[0]!._storage.data, input._storage.data, outs[1]!._storage.data);
}

/**
 * Runs a reducer over `dims` of x. Returns the outputs (the first with `outDtype`, the others
 * int64 indices when `withIndices`).
 */
function reduceCore(kernel: string, x: Tensor, dims: number[], keepdim: boolean, outDtype: DType, scalars: number[],
  withIndices = false): Tensor[] {
  // plain loops, no Set / filter / map: this runs on every reduction, and small ones are all overhead
  const xs = x._shape, nd = xs.length, nRed = dims.length, nKept = nd - nRed;
  const order = new Array<number>(nd);
  let k = 0;
  for (let d = 0; d < nd; d++) if (!dims.includes(d)) order[k++] = d;
  for (let i = 0; i < nRed; i++) order[k++] = dims[i]!;
  const outShape: number[] = [];
  if (keepdim) for (let d = 0; d < nd; d++) outShape.push(dims.includes(d) ? 1 : xs[d]!);
  else for (let i = 0; i < nKept; i++) outShape.push(xs[order[i]!]!);
  const out0 = Tensor._empty(outShape, outDtype);
  const outs = withIndices ? [out0, Tensor._empty(outShape, "int64")] : [out0];
  if (out0.numel() === 0) return outs;
  // strides of the outputs along the iteration order (0 on reduced dims)
  const st = contiguousStrides(outShape);
  const iterShape = new Array<number>(nd), outStrides = new Array<number>(nd), inStrides = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const d = order[i]!;
    iterShape[i] = xs[d]!;
    outStrides[i] = i < nKept ? (keepdim ? st[d]! : st[i]!) : 0;
    inStrides[i] = x._strides[d]!;
  }
  runReduceFast(kernel, outs, x, iterShape, withIndices ? [outStrides, inStrides, outStrides] : [outStrides, inStrides], nKept, scalars);
  return outs;
}

// ---- derivatives -------------------------------------------------------------------------------

/** A reduction's output gradient, broadcast back over the reduced dims to the input's shape. */
function unreduce(g: Tensor, shape: readonly number[], dims: number[], keepdim: boolean): Tensor {
  const kept = keepdim || dims.length === 0 ? g : g.reshape(shape.map((s, i) => (dims.includes(i) ? 1 : s)));
  return kept.expand([...shape]);
}
/** PyTorch numbers the full reduction 0 and the one over dims 1 (SumBackward0 / SumBackward1). */
const byDims = (name: string, dims: Dims) => name + (dims === null || dims === undefined ? "0" : "1");
function recordReduction(out: Tensor, x: Tensor, name: string, dims: number[], keepdim: boolean,
  f: (g: Tensor, x: Tensor, out: Tensor) => Tensor | null, saveInput = true): Tensor {
  return record(out, {
    name, inputs: [x], save: saveInput ? [x, out] : [out],
    backward: ([g], saved) => [f(unreduce(g!, x._shape, dims, keepdim), saveInput ? saved[0]! : x,
      unreduce(saved[saved.length - 1]!, x._shape, dims, keepdim))],
  });
}
/**
 * max/min over all elements, amax/amin: the gradient is split evenly among the tied extremes. With
 * `nanWins` (max()/min(), PyTorch's evenly_distribute_backward) a NaN result sends it to the NaNs;
 * amax/amin compare with == only, so a NaN result gives NaN gradients (as PyTorch's).
 */
function splitAmongTies(g: Tensor, x: Tensor, out: Tensor, dims: number[], nanWins = false): Tensor {
  const mask = nanWins ? logicalOr(x.eq(out), logicalAnd(x.isnan(), out.isnan())) : x.eq(out);
  return g.mul(mask).div(unreduce(mask.sum(dims, { keepdim: true }), x._shape, dims, true));
}
/** max/min(dim): the gradient goes to the selected index. */
function selectBackward(g: Tensor, indices: Tensor, shape: readonly number[], dim: number, keepdim: boolean): Tensor {
  const gk = keepdim ? g : g.unsqueeze(dim), ik = keepdim ? indices : indices.unsqueeze(dim);
  return g.newZeros([...shape]).scatter(dim, ik, gk);
}
/**
 * prod_{j != i} x_j over dims, exact with zeros and twice differentiable: the product of the
 * nonzero others (prod / x where x != 0) times the product of the zeros other than x_i. That
 * product is 0 or 1, but its first derivative must be right for second derivatives: with one zero
 * z it is x_z for the other elements; with two, the other zero for each of them; with more, 0.
 */
function productOfOthers(x: Tensor, dims: number[]): Tensor {
  const isZero = x.eq(0);
  const count = isZero.sum(dims, { keepdim: true });                       // zeros per reduced slice
  const nonzero = where(isZero, 1, x);
  const zeroSum = where(isZero, x, 0).sum(dims, { keepdim: true });        // 0, with the zeros' derivative
  const otherZeros = where(count.eq(0), 1, where(count.eq(1), where(isZero, 1, zeroSum),
    where(count.eq(2), where(isZero, zeroSum.sub(x), 0), 0)));
  return nonzero.prod(dims, { keepdim: true }).div(nonzero).mul(otherZeros);
}
/**
 * d ||x||_p = sgn(x) |x|^(p-1) / ||x||^(p-1), 0 where the norm is 0; none for p = 0; inf-norms
 * split among the extremes (and NaNs). PyTorch 1.13's norm_backward.
 */
function normBackward(g: Tensor, x: Tensor, norm: Tensor, p: number, dims: number[]): Tensor | null {
  if (p === 0) return null;
  if (p === 1) return g.mul(x.sign());
  if (!Number.isFinite(p)) {
    const abs = x.abs(), mask = logicalOr(abs.eq(norm), abs.isnan());
    return x.sign().mul(g.div(unreduce(mask.sum(dims, { keepdim: true }), x._shape, dims, true)).mul(mask));
  }
  const safe = where(norm.eq(0), 1, norm);
  // below 2, sgn(x) |x|^(p-1) is 0 at x = 0 where x |x|^(p-2) would be 0 * inf
  const scaled = p === 2 ? x.div(safe) : (p < 2 ? x.sign().mul(x.abs().pow(p - 1)) : x.mul(x.abs().pow(p - 2))).div(safe.pow(p - 1));
  return where(norm.eq(0), 0, g.mul(scaled));
}

function sumDtype(x: Tensor, opts: SumOptions): DType {
  if (opts.dtype !== undefined) return toDType(opts.dtype);
  return isFloatingPoint(x.dtype) ? x.dtype : "int64";
}

export function sum(x: Tensor, ...args: ReduceArgs<SumOptions>): Tensor {
  const [dim, opts] = parseArgs(args);
  const d = sumDtype(x, opts), dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = reduceCore("sum", castTo(x, d), dims, keepdim, d, [])[0]!;
  return recordReduction(out, x, byDims("SumBackward", dim), dims, keepdim, (g) => g, false);
}
export function nansum(x: Tensor, ...args: ReduceArgs<SumOptions>): Tensor {
  const [dim, opts] = parseArgs(args);
  const d = sumDtype(x, opts), dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = reduceCore("nansum", castTo(x, d), dims, keepdim, d, [])[0]!;
  return recordReduction(out, x, "NansumBackward0", dims, keepdim, (g, v) => g.mul(v.isnan().logicalNot()));
}
export function prod(x: Tensor, ...args: ReduceArgs<SumOptions>): Tensor {
  const [dim, opts] = parseArgs(args);
  const d = sumDtype(x, opts), dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = reduceCore("prod", castTo(x, d), dims, keepdim, d, [])[0]!;
  // d prod / d x_i = prod_{j != i} x_j: the product of the others, exact with zeros
  return recordReduction(out, x, byDims("ProdBackward", dim), dims, keepdim, (g, v) => g.mul(productOfOthers(v, dims)));
}

function meanDtype(x: Tensor, opts: SumOptions, name: string): DType {
  const d = opts.dtype !== undefined ? toDType(opts.dtype) : x.dtype;
  if (!isFloatingPoint(d))
    throw new RuntimeError(`${name}(): could not infer output dtype. ${opts.dtype !== undefined ? "Optional" : "Input"} dtype must be either a floating point or complex dtype. Got: ${SCALAR_TYPE_NAME[d]}`);
  return d;
}
function nanmeanDtype(x: Tensor, opts: SumOptions): DType {
  // unlike mean, nanmean wants a floating input even when a dtype is given
  if (!isFloatingPoint(x.dtype))
    throw new RuntimeError(`nanmean(): expected input to have floating point dtype but got ${SCALAR_TYPE_NAME[x.dtype]}`);
  return meanDtype(x, opts, "nanmean");
}
export function mean(x: Tensor, ...args: ReduceArgs<SumOptions>): Tensor {
  const [dim, opts] = parseArgs(args);
  const d = meanDtype(x, opts, "mean"), dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = reduceCore("mean", castTo(x, d), dims, keepdim, d, [0])[0]!;
  const n = dims.reduce((a, i) => a * x._shape[i]!, 1);
  return recordReduction(out, x, byDims("MeanBackward", dim), dims, keepdim, (g) => g.div(n), false);
}
export function nanmean(x: Tensor, ...args: ReduceArgs<SumOptions>): Tensor {
  const [dim, opts] = parseArgs(args);
  const d = nanmeanDtype(x, opts), dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = reduceCore("mean", castTo(x, d), dims, keepdim, d, [1])[0]!;
  // PyTorch's nanmean is nansum(x) / count, so its node is DivBackward0
  return recordReduction(out, x, "DivBackward0", dims, keepdim, (g, v) => {
    const valid = v.isnan().logicalNot();
    return g.mul(valid).div(unreduce(valid.sum(dims, { keepdim: true }), x._shape, dims, true));
  });
}

function checkNonEmpty(x: Tensor, dims: number[], name: string, dimGiven: boolean): void {
  if (x.numel() !== 0) return;
  if (!dimGiven)
    throw new RuntimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  for (const d of dims)
    if (x._shape[d] === 0)
      throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
}

function extremum(x: Tensor, dims: number[], keepdim: boolean, isMax: boolean, name: string, dimGiven: boolean,
  withIndices = false): Tensor[] {
  checkNonEmpty(x, dims, name, dimGiven);
  return reduceCore("extremum", x, dims, keepdim, x.dtype, [isMax ? 1 : 0, 0], withIndices);
}
export function amax(x: Tensor, ...args: ReduceArgs): Tensor {
  const [dim, opts] = parseArgs(args);
  const dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = extremum(x, dims, keepdim, true, "amax", dim !== undefined && dim !== null)[0]!;
  return recordReduction(out, x, "AmaxBackward0", dims, keepdim, (g, v, o) => splitAmongTies(g, v, o, dims));
}
export function amin(x: Tensor, ...args: ReduceArgs): Tensor {
  const [dim, opts] = parseArgs(args);
  const dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = extremum(x, dims, keepdim, false, "amin", dim !== undefined && dim !== null)[0]!;
  return recordReduction(out, x, "AminBackward0", dims, keepdim, (g, v, o) => splitAmongTies(g, v, o, dims));
}

/** A plain options object where PyTorch takes `dim` by position or keyword (API.md rule 3). */
function isOptions(v: unknown): v is KeepdimOptions {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Tensor);
}

function maxMin(x: Tensor, arg: number | Tensor | KeepdimOptions | undefined, opts: { keepdim?: boolean } = {}, isMax: boolean): Tensor | ValuesIndices {
  const name = isMax ? "max" : "min";
  if (isOptions(arg)) return maxMin(x, (arg.dim ?? undefined) as number | undefined, arg, isMax);
  if (arg instanceof Tensor) return isMax ? maximum(x, arg) : minimum(x, arg);
  if (arg === undefined) {
    if (x.numel() === 0)
      throw new RuntimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    const all = reducedDims(x, null);
    const out = extremum(x, all, false, isMax, name, false)[0]!;
    return record(out, {
      name: isMax ? "MaxBackward1" : "MinBackward1", inputs: [x], save: [x, out],
      backward: ([g], [v, o]) => [splitAmongTies(unreduce(g!, x._shape, all, false), v!, unreduce(o!, x._shape, all, false), all, true)],
    });
  }
  const dims = reducedDims(x, arg), keepdim = opts.keepdim ?? false;
  const [values, indices] = extremum(x, dims, keepdim, isMax, name, true, true);
  // the gradient goes to the selected element (scattered back through the indices)
  record(values!, {
    name: isMax ? "MaxBackward0" : "MinBackward0", inputs: [x], save: [indices!],
    backward: ([g], [idx]) => [selectBackward(g!, idx!, x._shape, dims[0] ?? 0, keepdim)],
  });
  return valuesIndices(values!, indices!);
}
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, arg?: number | Tensor, opts?: { keepdim?: boolean }): Tensor | ValuesIndices {
  return maxMin(x, arg, opts, true);
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, arg?: number | Tensor, opts?: { keepdim?: boolean }): Tensor | ValuesIndices {
  return maxMin(x, arg, opts, false);
}

function argExtremum(x: Tensor, dim: number | null | undefined, keepdim: boolean, isMax: boolean): Tensor {
  const name = isMax ? "argmax" : "argmin";
  if (x.dtype === "bool") throw new RuntimeError(`"${name}_cpu" not implemented for 'Bool'`);
  if (dim === null || dim === undefined) {
    if (x.numel() === 0) throw new IndexError(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const flat = x.reshape(-1);
    const out = reduceCore("extremum", flat, [0], false, "int64", [isMax ? 1 : 0, 1])[0]!;
    return keepdim ? out.reshape(x._shape.map(() => 1)) : out;
  }
  const dims = reducedDims(x, dim);
  checkNonEmpty(x, dims, name, true);
  return reduceCore("extremum", x, dims, keepdim, "int64", [isMax ? 1 : 0, 1])[0]!;
}
type ArgDim = number | null | undefined | { dim?: number | null; keepdim?: boolean };
export const argmax = (x: Tensor, dim?: ArgDim, opts: { keepdim?: boolean } = {}): Tensor =>
  isOptions(dim) ? argmax(x, dim.dim, dim) : argExtremum(x, dim, opts.keepdim ?? false, true);
export const argmin = (x: Tensor, dim?: ArgDim, opts: { keepdim?: boolean } = {}): Tensor =>
  isOptions(dim) ? argmin(x, dim.dim, dim) : argExtremum(x, dim, opts.keepdim ?? false, false);

export function aminmax(x: Tensor, opts: { dim?: number; keepdim?: boolean } = {}): [Tensor, Tensor] & { min: Tensor; max: Tensor } {
  if (x.numel() === 0) {
    if (opts.dim === undefined || opts.dim === null)
      throw new RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
    const d = normalizeDim(opts.dim, x.ndim);
    if (x._shape[d] === 0) throw new IndexError(`aminmax: Expected reduction dim ${d} to have non-zero size.`);
  }
  const lo = amin(x, opts.dim ?? null, { keepdim: opts.keepdim ?? false });
  const hi = amax(x, opts.dim ?? null, { keepdim: opts.keepdim ?? false });
  return Object.assign([lo, hi] as [Tensor, Tensor], { min: lo, max: hi });
}

function varStd(x: Tensor, args: ReduceArgs<VarOptions>, isStd: boolean, name = "std and var"): Tensor {
  const [dim, opts] = parseArgs(args);
  if (!isFloatingPoint(x.dtype))
    throw new RuntimeError(`${name} only support floating point and complex dtypes`);
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const dims = reducedDims(x, dim), keepdim = opts.keepdim ?? false;
  const out = reduceCore("var", x, dims, keepdim, x.dtype, [correction, isStd ? 1 : 0])[0]!;
  const n = dims.reduce((a, i) => a * x._shape[i]!, 1);
  // d var / dx = 2 (x - mean) / (N - correction); d std = d var / (2 std), 0 where std is 0 (PyTorch's std_backward)
  return recordReduction(out, x, isStd ? "StdBackward0" : "VarBackward0", dims, keepdim, (g, v, o) => {
    const centered = v.sub(v.mean(dims, { keepdim: true }));
    return isStd ? where(o.eq(0), 0, g.div(o)).mul(centered).div(n - correction) : g.mul(centered).mul(2 / (n - correction));
  });
}
export const var_ = (x: Tensor, ...args: ReduceArgs<VarOptions>): Tensor => varStd(x, args, false);
export const std = (x: Tensor, ...args: ReduceArgs<VarOptions>): Tensor => varStd(x, args, true);
export function varMean(x: Tensor, ...args: ReduceArgs<VarOptions>): [Tensor, Tensor] {
  const [dim, opts] = parseArgs(args);
  return [varStd(x, [dim, opts], false, "var_mean"), mean(x, dim, { keepdim: opts.keepdim ?? false })];
}
export function stdMean(x: Tensor, ...args: ReduceArgs<VarOptions>): [Tensor, Tensor] {
  const [dim, opts] = parseArgs(args);
  return [varStd(x, [dim, opts], true, "std_mean"), mean(x, dim, { keepdim: opts.keepdim ?? false })];
}

/** Vector p-norm over dims (all by default); p = 'fro' is 2. */
export function norm(x: Tensor, p: number | "fro" | null = 2, dim?: Dims | { dim?: Dims; keepdim?: boolean; dtype?: DTypeLike },
  opts: { keepdim?: boolean; dtype?: DTypeLike } = {}): Tensor {
  if (isOptions(dim)) return norm(x, p, (dim as { dim?: Dims }).dim, dim);
  const pv = p === "fro" || p === null ? 2 : p;
  if (opts.dtype === undefined && !isFloatingPoint(x.dtype))
    throw new RuntimeError(`norm(): input dtype should be either floating point or complex. Got ${SCALAR_TYPE_NAME[x.dtype]} instead.`);
  const d = opts.dtype !== undefined ? toDType(opts.dtype) : x.dtype;
  if (!isFloatingPoint(d))
    throw new RuntimeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${SCALAR_TYPE_NAME[d]}`);
  const dims = reducedDims(x, dim as Dims), keepdim = opts.keepdim ?? false;
  const out = reduceCore("norm", castTo(x, d), dims, keepdim, d, [pv])[0]!;
  // torch.norm and Tensor.norm reach PyTorch's norm.ScalarOpt_dim overload, with or without dims
  return recordReduction(out, x, "NormBackward1", dims, keepdim, (g, v, o) => normBackward(g, v, o, pv, dims));
}

export function logsumexp(x: Tensor, dim: number | readonly number[] | { dim: number | readonly number[]; keepdim?: boolean },
  opts: { keepdim?: boolean } = {}): Tensor {
  if (isOptions(dim)) return logsumexp(x, dim.dim, dim);
  const xf = isFloatingPoint(x.dtype) ? x : castTo(x, getDefaultDtype());
  const dims = reducedDims(xf, dim), keepdim = opts.keepdim ?? false;
  const out = noGrad(() => {
    if (xf.numel() === 0) return log(sum(exp(xf), dims, { keepdim }));
    const m = amax(xf, dims, { keepdim: true });  // shift by the max so exp cannot overflow
    const safe = where(isinf(m), 0, m);
    const r = log(sum(exp(xf.sub(safe)), dims, { keepdim: true })).add(safe);
    return keepdim ? r : r.reshape(xf._shape.filter((_, i) => !dims.includes(i)));
  });
  // d/dx_i = exp(x_i - out)
  return recordReduction(out, x, "LogsumexpBackward0", dims, keepdim, (g, v, o) => g.mul(v.sub(o).exp()));
}

/** all/any give bool, except for uint8 input, which gives uint8 (as in PyTorch). */
export function all(x: Tensor, ...args: ReduceArgs): Tensor {
  const [dim, opts] = parseArgs(args);
  return reduceCore("allAny", x, reducedDims(x, dim), opts.keepdim ?? false, x.dtype === "uint8" ? "uint8" : "bool", [1])[0]!;
}
export function any(x: Tensor, ...args: ReduceArgs): Tensor {
  const [dim, opts] = parseArgs(args);
  return reduceCore("allAny", x, reducedDims(x, dim), opts.keepdim ?? false, x.dtype === "uint8" ? "uint8" : "bool", [0])[0]!;
}
export const countNonzero = (x: Tensor, dim?: Dims): Tensor => sum(ne(x, 0), dim ?? null);

// ---- scans ---------------------------------------------------------------------------------------------

const FINFO_MAX: Partial<Record<DType, number>> = {
  float32: 3.4028234663852886e38, float64: Number.MAX_VALUE, float16: 65504, bfloat16: 3.3895313892515355e38,
};

function scan(kernel: string, x: Tensor, dim: number, outDtype: DType, withIndices = false): Tensor[] {
  const d = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim);
  if (x.ndim === 0) return [castTo(x, outDtype).clone(), ...(withIndices ? [Tensor._empty([], "int64").fill_(0)] : [])];
  const order = [...[...Array(x.ndim).keys()].filter((i) => i !== d), d];
  const outs = [Tensor._empty(x._shape, outDtype)];
  if (withIndices) outs.push(Tensor._empty(x._shape, "int64"));
  if (x.numel() === 0) return outs;
  const src = castTo(x, outDtype);
  const st = contiguousStrides(x._shape);
  const oStr = order.map((i) => st[i]!);
  runReduceFast(kernel, outs, src, order.map((i) => x._shape[i]!), [oStr, order.map((i) => src._strides[i]!), ...(withIndices ? [oStr] : [])], x.ndim - 1, []);
  return outs;
}
/** sum_{k >= i} v_k along dim: the adjoint of cumsum. */
const reverseCumsum = (v: Tensor, dim: number): Tensor => (v.ndim === 0 ? v : v.flip([dim]).cumsum(dim).flip([dim]));

/**
 * d/dx_i of sum_k g_k cumprod(x)_k = sum_{k >= i} g_k prod_{j <= k, j != i} x_j (PyTorch's
 * cumprod_backward): without zeros, reverseCumsum(g * out) / x. With zeros, elements before the
 * first zero use that formula, the first zero gets the products with itself left out, later ones 0;
 * when the gradient must itself be differentiable, the products with x_i left out are formed for
 * every i (O(n^2), as PyTorch does).
 */
function cumprodBackward(g: Tensor, x: Tensor, out: Tensor, dim: number): Tensor {
  if (x.ndim === 0 || x._shape[dim]! <= 1) return g;
  const isZero = x.eq(0);
  if (!(isZero.any().item() as boolean)) return reverseCumsum(g.mul(out), dim).div(x);
  if (!isGradEnabled()) {
    const zerosSoFar = isZero.cumsum(dim);
    const before = zerosSoFar.eq(0), first = logicalAnd(isZero, zerosSoFar.eq(1));
    const beforeGrad = reverseCumsum(g.mul(out), dim).div(where(isZero, 1, x));
    const firstGrad = reverseCumsum(g.mul(where(first, 1, x).cumprod(dim)), dim);
    return where(before, beforeGrad, where(first, firstGrad, 0));
  }
  const n = x._shape[dim]!;
  const xl = x.movedim(dim, -1), gl = g.movedim(dim, -1);                   // (..., n)
  const i = arange(n).unsqueeze(1), k = arange(n).unsqueeze(0);
  const rows = xl.unsqueeze(-2).expand([...xl._shape.slice(0, -1), n, n]);  // (..., i, j) = x_j
  const leftOut = where(i.eq(k), 1, rows).cumprod(-1);                      // (..., i, k) = prod_{j <= k, j != i} x_j
  return leftOut.mul(gl.unsqueeze(-2)).mul(k.ge(i)).sum(-1).movedim(-1, dim);
}

export function cumsum(x: Tensor, dim: number, opts: { dtype?: DTypeLike } = {}): Tensor {
  const out = scan("cumsum", x, dim, opts.dtype !== undefined ? toDType(opts.dtype) : isFloatingPoint(x.dtype) ? x.dtype : "int64")[0]!;
  return record(out, { name: "CumsumBackward0", inputs: [x], backward: ([g]) => [reverseCumsum(g!, dim)] });
}
export function cumprod(x: Tensor, dim: number, opts: { dtype?: DTypeLike } = {}): Tensor {
  const out = scan("cumprod", x, dim, opts.dtype !== undefined ? toDType(opts.dtype) : isFloatingPoint(x.dtype) ? x.dtype : "int64")[0]!;
  const d = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim);
  return record(out, {
    name: "CumprodBackward0", inputs: [x], save: [x, out],
    backward: ([g], [v, o]) => [cumprodBackward(g!, v!, o!, d)],
  });
}
function cumExtremum(x: Tensor, dim: number, isMax: boolean): ValuesIndices {
  const [v, i] = scan(isMax ? "cummax" : "cummin", x, dim, x.dtype, true);
  record(v!, {
    name: isMax ? "CummaxBackward0" : "CumminBackward0", inputs: [x], save: [i!],
    backward: ([g], [idx]) => [g!.ndim === 0 ? g! : g!.newZeros(x._shape).scatterAdd(dim, idx!, g!)],
  });
  return valuesIndices(v!, i!);
}
export const cummax = (x: Tensor, dim: number): ValuesIndices => cumExtremum(x, dim, true);
export const cummin = (x: Tensor, dim: number): ValuesIndices => cumExtremum(x, dim, false);
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  if (!isFloatingPoint(x.dtype))
    throw new RuntimeError(`"logcumsumexp_out_cpu" not implemented for '${SCALAR_TYPE_NAME[x.dtype]}'`);
  const out = scan("logcumsumexp", x, dim, x.dtype)[0]!;
  const d = x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim);
  // d out_k / d x_i = exp(x_i - out_k) for k >= i, summed in log space with the gradient's signs
  // apart so nothing overflows (PyTorch's logcumsumexp_backward)
  return record(out, {
    name: "LogcumsumexpBackward0", inputs: [x], save: [x, out],
    backward: ([g], [v, o]) => {
      if (g!.ndim === 0 || g!.numel() === 0) return [g!];
      const lowest = -FINFO_MAX[g!.dtype]!;
      const logAbs = g!.abs().log();
      const reverseLogcumsumexp = (t: Tensor) => logcumsumexp(t.flip([d]), d).flip([d]);
      const part = (mask: Tensor) => reverseLogcumsumexp(where(mask, logAbs, lowest).sub(o!)).add(v!).exp();
      return [part(g!.gt(0)).sub(part(g!.lt(0)))];
    },
  });
}

