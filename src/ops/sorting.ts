// SPDX-License-Identifier: BSD-3-Clause
// Sorting and selection: sort, argsort, topk, kthvalue, median, mode, unique, bincount, histc.
// TypeScript checks arguments and lays the input out as contiguous rows along the chosen dim;
// native/cpu/sort.cc runs PyTorch 1.13's own CPU algorithms on the rows, so ties and NaN come out
// with the same values and indices as PyTorch's. The values of sort, topk, kthvalue, median and
// mode are differentiable: the gradient goes back to where each value came from.
import { record } from "../autograd/record.js";
import { native } from "../backends/cpu/native.js";
import { IndexError, RuntimeError } from "../errors.js";
import { DTYPE_CODE, type DType, SCALAR_TYPE_NAME, type TypedArray, isFloatingPoint } from "../tensor/dtype.js";
import { normalizeDim, numelOf } from "../tensor/layout.js";
import { Tensor, type ValuesIndices, valuesIndices } from "../tensor/tensor.js";
import { castTo } from "./elementwise.js";
import { intoZeros, maskedFill, untracked } from "./indexing.js";
import { div, eq, isnan } from "./math.js";
import { contiguous, movedim, transpose, unsqueeze } from "./movement.js";
import { amax, amin, sum } from "./reduce.js";
import { scatter } from "./scatter.js";

export interface SortOptions { dim?: number; descending?: boolean; stable?: boolean }
/** sort(dim?, descending?) positionally, or sort({ dim, descending, stable }). */
export type SortArgs = [opts?: SortOptions] | [dim: number, opts?: SortOptions] | [dim: number, descending: boolean, opts?: SortOptions];
export interface TopkOptions { dim?: number; largest?: boolean; sorted?: boolean }
export type TopkArgs = [opts?: TopkOptions] | [dim: number, opts?: TopkOptions] |
  [dim: number, largest: boolean, opts?: TopkOptions] | [dim: number, largest: boolean, sorted: boolean, opts?: TopkOptions];
export interface DimKeepdim { dim?: number; keepdim?: boolean }
export interface UniqueOptions { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean; dim?: number | null }
export interface BincountOptions { weights?: Tensor | null; minlength?: number }
export interface HistcOptions { bins?: number; min?: number; max?: number }

/** The kernels of native/cpu/sort.cc (buffers start at element 0 of each operand). */
interface SortKernels {
  sort(values: TypedArray, indices: TypedArray, input: TypedArray, dtype: number, rows: number, len: number,
    descending: boolean, stable: boolean): void;
  topk(values: TypedArray, indices: TypedArray, input: TypedArray, dtype: number, rows: number, len: number, k: number,
    largest: boolean, sorted: boolean): void;
  kthvalue(values: TypedArray, indices: TypedArray, input: TypedArray, dtype: number, rows: number, len: number, k: number): void;
  median(values: TypedArray, indices: TypedArray, input: TypedArray, dtype: number, rows: number, len: number, ignoreNan: boolean): void;
  mode(values: TypedArray, indices: TypedArray, input: TypedArray, dtype: number, rows: number, len: number): void;
  unique(out: TypedArray, inverse: TypedArray | null, counts: TypedArray | null, input: TypedArray, dtype: number, n: number,
    sorted: boolean): number;
  uniqueDim(out: TypedArray, inverse: TypedArray, counts: TypedArray, input: TypedArray, dtype: number, rows: number,
    rowLen: number): number;
  bincount(out: TypedArray, input: TypedArray, inDtype: number, weights: TypedArray | null, outDtype: number, n: number,
    nbins: number): void;
  histc(out: TypedArray, input: TypedArray, dtype: number, n: number, bins: number, lo: number, hi: number): void;
}
const kernels = native as unknown as SortKernels;

/** The elements of a contiguous tensor, from its first one. */
const data = (t: Tensor): TypedArray => t._storage.data.subarray(t._offset) as TypedArray;
const code = (t: Tensor): number => DTYPE_CODE[t.dtype];

function notImplemented(name: string, dtype: DType): never {
  throw new RuntimeError(`"${name}" not implemented for '${SCALAR_TYPE_NAME[dtype]}'`);
}
function checkDtype(name: string, x: Tensor, unsupported: readonly DType[]): void {
  if (unsupported.includes(x.dtype)) notImplemented(name, x.dtype);
}

/** x with `d` moved last, contiguous: the (rows x len) layout of the row kernels. */
function rowsAlong(x: Tensor, d: number): { src: Tensor; rows: number; len: number; outer: number[] } {
  const src = contiguous(x.ndim === 0 ? x.reshape([1]) : movedim(x, d, -1));
  const len = src._shape[src.ndim - 1]!;
  const outer = src._shape.slice(0, -1);
  return { src, rows: numelOf(outer), len, outer };
}

/** A (..., k) result laid out by rowsAlong back in x's dim order, contiguous. */
const restore = (t: Tensor, d: number, ndim: number): Tensor => (d === ndim - 1 ? t : contiguous(movedim(t, -1, d)));

const zeroIndex = (): Tensor => Tensor._empty([], "int64").fill_(0);

function zeroNumelCheck(x: Tensor, d: number, name: string): void {
  if (x.ndim > 0 && x._shape[d] === 0) throw new IndexError(`${name}: Expected reduction dim ${d} to have non-zero size.`);
}

/**
 * PyTorch's value_selecting_reduction_backward: the gradient of values picked out of x at
 * `indices` along d goes back to those places (zeros elsewhere).
 */
function valueSelectingBackward(g: Tensor, d: number, indices: Tensor, shape: readonly number[], keepdim: boolean): Tensor {
  let gv = g, idx = indices;
  if (!keepdim && shape.length > 0) { gv = unsqueeze(g, d); idx = unsqueeze(indices, d); }
  return intoZeros(shape, gv, (z) => z.scatter_(d, idx, gv), (z) => scatter(z, d, idx, gv));
}

/** Records `name` on the values of a (values, indices) result picked from x along d. */
function recordSelection(name: string, x: Tensor, d: number, keepdim: boolean, result: ValuesIndices): ValuesIndices {
  const shape = [...x._shape];
  record([result.values, result.indices], {
    name, inputs: [x], save: [result.indices],
    backward: ([g], [i]) => [valueSelectingBackward(g!, d, i!, shape, keepdim)],
  });
  return result;
}

/**
 * PyTorch's evenly_distribute_backward (full median / nanmedian): the gradient is shared by all
 * elements equal to the result (all NaNs when the result is NaN).
 */
function recordEvenly(name: string, x: Tensor, value: Tensor): Tensor {
  return record(value, {
    name, inputs: [x], save: [x, value],
    backward: ([g], [input, v]) => {
      const mask = isnan(v!).item() ? isnan(input!) : eq(input!, v!);
      return [maskedFill(g!.newZeros(input!._shape), mask, div(g!, sum(mask)))];
    },
  });
}

/**
 * Marks `out` as computed from `inputs` by an op PyTorch has no derivative for: it requires grad
 * (as PyTorch's does) and its backward raises PyTorch's message.
 */
function noDerivative<T extends Tensor | Tensor[]>(out: T, name: string, message: string, inputs: (Tensor | null)[]): T {
  return record(out, { name, inputs, backward: () => { throw new RuntimeError(message); } });
}

/** Runs a row reduction kernel (one value + index per row) and shapes the result like PyTorch. */
function reduceRows(x: Tensor, d: number, keepdim: boolean,
  run: (vals: Tensor, idx: Tensor, src: Tensor, rows: number, len: number) => void): ValuesIndices {
  const { src, rows, len, outer } = rowsAlong(x, d);
  const vals = Tensor._empty(outer, x.dtype), idx = Tensor._empty(outer, "int64");
  if (rows > 0) run(vals, idx, src, rows, len);
  if (x.ndim === 0) return valuesIndices(vals.reshape([]), idx.reshape([]));
  return keepdim ? valuesIndices(vals.unsqueeze(d), idx.unsqueeze(d)) : valuesIndices(vals, idx);
}

// ---- sort, argsort, topk -------------------------------------------------------------------------

function sortOptions(args: SortArgs): Required<SortOptions> {
  let opts: SortOptions = {}, dim: number | undefined, descending: boolean | undefined;
  for (const a of args) {
    if (typeof a === "number") dim = a;
    else if (typeof a === "boolean") descending = a;
    else if (a !== undefined) opts = a;
  }
  return { dim: dim ?? opts.dim ?? -1, descending: descending ?? opts.descending ?? false, stable: opts.stable ?? false };
}

function sortImpl(x: Tensor, { dim, descending, stable }: Required<SortOptions>): ValuesIndices {
  const d = normalizeDim(dim, x.ndim);
  if (x.ndim === 0) return valuesIndices(x.clone(), zeroIndex());
  const { src, rows, len } = rowsAlong(x, d);
  const vals = Tensor._empty(src._shape, x.dtype), idx = Tensor._empty(src._shape, "int64");
  if (rows * len > 0) kernels.sort(data(vals), data(idx), data(src), code(x), rows, len, descending, stable);
  return valuesIndices(restore(vals, d, x.ndim), restore(idx, d, x.ndim));
}

/**
 * torch.sort: values ascending (or descending) along `dim` and their indices. NaN counts as the
 * largest value; `stable` keeps equal elements in input order.
 * `torch.sort(torch.tensor([3, 1, 2]))` -> values [1, 2, 3], indices [1, 2, 0].
 */
export function sort(x: Tensor, ...args: SortArgs): ValuesIndices {
  const opts = sortOptions(args);
  return recordSelection("SortBackward0", x, normalizeDim(opts.dim, x.ndim), true, untracked([x], () => sortImpl(x, opts)));
}

/** torch.argsort: the indices of sort. `torch.argsort(torch.tensor([3, 1, 2]))` -> [1, 2, 0]. */
export function argsort(x: Tensor, ...args: SortArgs): Tensor {
  return sortImpl(x, sortOptions(args)).indices;
}

/**
 * torch.topk: the k largest (or smallest) elements along `dim` and their indices.
 * `torch.topk(torch.tensor([1, 5, 3]), 2)` -> values [5, 3], indices [1, 2].
 */
export function topk(x: Tensor, k: number, ...args: TopkArgs): ValuesIndices {
  let opts: TopkOptions = {};
  const pos: (number | boolean)[] = [];
  for (const a of args) {
    if (typeof a === "object") opts = a;
    else if (a !== undefined) pos.push(a);
  }
  const dim = (pos[0] as number | undefined) ?? opts.dim ?? -1;
  const largest = (pos[1] as boolean | undefined) ?? opts.largest ?? true;
  const sorted = (pos[2] as boolean | undefined) ?? opts.sorted ?? true;
  const d = normalizeDim(dim, x.ndim);
  if (!Number.isInteger(k) || k < 0 || k > (x.ndim > 0 ? x._shape[d]! : 1)) throw new RuntimeError("selected index k out of range");
  return recordSelection("TopkBackward0", x, d, true, untracked([x], () => {
    if (x.ndim === 0) return valuesIndices(x.clone(), zeroIndex());
    checkDtype("topk_cpu", x, ["bool", "float16"]);
    const { src, rows, len, outer } = rowsAlong(x, d);
    const vals = Tensor._empty([...outer, k], x.dtype), idx = Tensor._empty([...outer, k], "int64");
    if (rows * k > 0) kernels.topk(data(vals), data(idx), data(src), code(x), rows, len, k, largest, sorted);
    return valuesIndices(restore(vals, d, x.ndim), restore(idx, d, x.ndim));
  }));
}

// ---- kthvalue, median, nanmedian, mode -----------------------------------------------------------------

function dimAndKeepdim(dim: number | DimKeepdim | undefined, opts: DimKeepdim, dflt?: number): [number | undefined, boolean] {
  if (typeof dim === "object") return [dim.dim ?? dflt, dim.keepdim ?? false];
  return [dim ?? opts.dim ?? dflt, opts.keepdim ?? false];
}

/**
 * torch.kthvalue: the k-th smallest element along `dim` (k counts from 1) and its index.
 * `torch.kthvalue(torch.tensor([3., 1., 2.]), 2)` -> values 2, indices 2.
 */
export function kthvalue(x: Tensor, k: number, dim: number | DimKeepdim = -1, opts: DimKeepdim = {}): ValuesIndices {
  const [dm, keepdim] = dimAndKeepdim(dim, opts, -1);
  const d = normalizeDim(dm!, x.ndim);
  zeroNumelCheck(x, d, "kthvalue()");
  if (!Number.isInteger(k) || k < 1 || k > (x.ndim > 0 ? x._shape[d]! : 1))
    throw new RuntimeError(`kthvalue(): selected number k out of range for dimension ${d}`);
  return recordSelection("KthvalueBackward0", x, d, keepdim, untracked([x], () => {
    if (x.ndim === 0) return valuesIndices(x.clone(), zeroIndex());
    checkDtype("kthvalue_cpu", x, ["bool", "float16"]);
    return reduceRows(x, d, keepdim, (v, i, src, rows, len) => kernels.kthvalue(data(v), data(i), data(src), code(x), rows, len, k));
  }));
}

/** What median_impl returns for an empty input: NaN converted to the dtype (as x86 converts it). */
function emptyMedian(dtype: DType): Tensor {
  const out = Tensor._empty([], dtype);
  if (isFloatingPoint(dtype)) return out.fill_(NaN);
  const fill: Record<string, number | bigint | boolean> = { int64: -(2n ** 63n), int32: -(2 ** 31), bool: true };
  return out.fill_(fill[dtype] ?? 0);
}

function medianImpl(x: Tensor, dim: number | DimKeepdim | undefined, opts: DimKeepdim, ignoreNan: boolean): Tensor | ValuesIndices {
  const [dm, keepdim] = dimAndKeepdim(dim, opts);
  const name = ignoreNan ? "NanmedianBackward" : "MedianBackward";
  if (dm === undefined) {
    if (x.numel() === 0) return recordEvenly(`${name}0`, x, emptyMedian(x.dtype));
    checkDtype("median_cpu", x, ["bool", "float16"]);
    const value = untracked([x], () => {
      const flat = contiguous(x.reshape([-1]));
      const vals = Tensor._empty([], x.dtype), idx = Tensor._empty([1], "int64");
      kernels.median(data(vals), data(idx), data(flat), code(x), 1, flat.numel(), ignoreNan);
      return vals;
    });
    return recordEvenly(`${name}0`, x, value);
  }
  const d = normalizeDim(dm, x.ndim);
  zeroNumelCheck(x, d, "median()");
  checkDtype("median_out", x, ["bool", "float16"]);
  return recordSelection(`${name}1`, x, d, keepdim, untracked([x], () => reduceRows(x, d, keepdim, (v, i, src, rows, len) =>
    kernels.median(data(v), data(i), data(src), code(x), rows, len, ignoreNan))));
}

/**
 * torch.median: the lower median (of an even count, the smaller middle value); NaN if any element
 * is NaN. Without `dim` a 0-dim tensor, with `dim` values and indices.
 * `torch.median(torch.tensor([1., 4., 2., 3.]))` -> 2.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number | DimKeepdim, opts?: DimKeepdim): ValuesIndices;
export function median(x: Tensor, dim?: number | DimKeepdim, opts: DimKeepdim = {}): Tensor | ValuesIndices {
  return medianImpl(x, dim, opts, false);
}

/** torch.nanmedian: median of the non-NaN elements (NaN only where all are NaN). */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number | DimKeepdim, opts?: DimKeepdim): ValuesIndices;
export function nanmedian(x: Tensor, dim?: number | DimKeepdim, opts: DimKeepdim = {}): Tensor | ValuesIndices {
  return medianImpl(x, dim, opts, true);
}

/**
 * torch.mode: the most frequent value along `dim` (the smallest among equally frequent ones) and
 * an index where it occurs (PyTorch's choice among its occurrences).
 * `torch.mode(torch.tensor([2, 1, 2, 1, 3]))` -> values 1.
 */
export function mode(x: Tensor, dim: number | DimKeepdim = -1, opts: DimKeepdim = {}): ValuesIndices {
  const [dm, keepdim] = dimAndKeepdim(dim, opts, -1);
  const d = normalizeDim(dm!, x.ndim);
  if (x.ndim !== 0) zeroNumelCheck(x, d, "mode()");
  return recordSelection("ModeBackward0", x, d, keepdim, untracked([x], () => {
    if (x.ndim === 0) return valuesIndices(x.clone(), zeroIndex());
    return reduceRows(x, d, keepdim, (v, i, src, rows, len) => kernels.mode(data(v), data(i), data(src), code(x), rows, len));
  }));
}

// ---- unique, bincount, histc ----------------------------------------------------------------------------

export type UniqueArgs = [opts?: UniqueOptions] |
  [sorted: boolean, returnInverse?: boolean, returnCounts?: boolean, dim?: number | null, opts?: UniqueOptions];

/**
 * torch.unique: the distinct elements (or, with `dim`, distinct slices along dim), sorted. With
 * `returnInverse` / `returnCounts` an array [output, inverse?, counts?] like PyTorch's tuple.
 * `torch.unique(torch.tensor([3, 1, 3]), { returnCounts: true })` -> [[1, 3], [1, 2]].
 */
export function unique(x: Tensor, ...args: UniqueArgs): Tensor | Tensor[] {
  const last = args[args.length - 1];
  const opts: UniqueOptions = typeof last === "object" && last !== null ? last : {};
  const pos = args.filter((a) => typeof a !== "object" || a === null) as (boolean | number | null | undefined)[];
  const sorted = (pos[0] as boolean | undefined) ?? opts.sorted ?? true;
  const returnInverse = (pos[1] as boolean | undefined) ?? opts.returnInverse ?? false;
  const returnCounts = (pos[2] as boolean | undefined) ?? opts.returnCounts ?? false;
  const dim = (pos[3] as number | null | undefined) ?? opts.dim ?? null;
  const [output, inverse, counts] = untracked([x], () => (dim === null
    ? uniqueFlat(x, sorted, returnInverse || returnCounts, returnCounts) : uniqueDim(x, dim)));
  if (dim === null) noDerivative(output, "Unique2Backward0", "the derivative for '_unique2' is not implemented.", [x]);
  else noDerivative(output, "UniqueDimBackward0", "the derivative for 'unique_dim' is not implemented.", [x]);
  if (!returnInverse && !returnCounts) return output;
  return [output, ...(returnInverse ? [inverse] : []), ...(returnCounts ? [counts] : [])];
}

/** The first u rows of t in a storage of their own (a narrow view would keep all of t alive, and save it). */
const compact = (t: Tensor, u: number): Tensor => (u === t._shape[0] ? t : t.narrow(0, 0, u).clone());

function uniqueFlat(x: Tensor, sorted: boolean, wantInverse: boolean, wantCounts: boolean): [Tensor, Tensor, Tensor] {
  checkDtype("unique", x, ["float16"]);
  const flat = contiguous(x.reshape([-1]));
  const n = flat.numel();
  const out = Tensor._empty([n], x.dtype), inv = Tensor._empty(x._shape, "int64"), counts = Tensor._empty([n], "int64");
  const u = n === 0 ? 0 : kernels.unique(data(out), wantInverse ? data(inv) : null, wantCounts ? data(counts) : null,
    data(flat), code(x), n, sorted);
  return [compact(out, u), inv, compact(counts, u)];
}

function uniqueDim(x: Tensor, dim: number): [Tensor, Tensor, Tensor] {
  checkDtype("unique_dim", x, ["float16"]);
  if (x.ndim === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(dim, x.ndim);
  const zeroDims = x._shape.filter((s) => s === 0).length;
  if (x._shape[d] === 0) {
    if (zeroDims !== 1) throw new RuntimeError("Number of zero sized dimensions is more than one, so unique cannot be applied ");
    return [x.clone(), Tensor._empty([0], "int64"), Tensor._empty([0], "int64")];
  }
  if (zeroDims !== 0) throw new RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied");
  // transpose, not movedim: PyTorch 1.13 orders the slices by their elements in this layout
  const src = contiguous(transpose(x, d, 0));  // (rows, ...rest)
  const rows = src._shape[0]!, rowLen = src.numel() / rows;
  const out = Tensor._empty(src._shape, x.dtype), inv = Tensor._empty([rows], "int64"), counts = Tensor._empty([rows], "int64");
  const u = kernels.uniqueDim(data(out), data(inv), data(counts), data(src), code(x), rows, rowLen);
  return [transpose(compact(out, u), 0, d), inv, compact(counts, u)];
}

const INTEGRAL: readonly DType[] = ["uint8", "int8", "int16", "int32", "int64"];

/**
 * torch.bincount: how often each value 0..max(x) occurs in a 1-D non-negative integer tensor
 * (summing `weights` instead of counting when given), at least `minlength` bins.
 * `torch.bincount(torch.tensor([1, 1, 3]))` -> [0, 2, 0, 1].
 */
export function bincount(x: Tensor, weights?: Tensor | null | BincountOptions, minlength?: number): Tensor {
  const opts: BincountOptions = weights instanceof Tensor || weights === null || weights === undefined
    ? { weights: weights ?? null, minlength: minlength ?? 0 } : weights;
  const w = opts.weights ?? null, minLen = opts.minlength ?? 0;
  if (!INTEGRAL.includes(x.dtype)) notImplemented("bincount_cpu", x.dtype);
  if (minLen < 0) throw new RuntimeError("minlength should be >= 0");
  if (x.ndim === 1 && x.numel() === 0) return Tensor._empty([minLen], "int64").fill_(0);
  if (x.ndim !== 1 || Number(amin(x).item()) < 0) throw new RuntimeError("bincount only supports 1-d non-negative integral inputs.");
  if (w !== null && (w.ndim !== 1 || w._shape[0] !== x._shape[0]))
    throw new RuntimeError("weights should be 1-d and have the same length as input");
  const nbins = Math.max(Number(amax(x).item()) + 1, minLen);
  const outDtype: DType = w === null ? "int64" : w.dtype === "float32" ? "float32" : "float64";
  const out = Tensor._empty([nbins], outDtype).fill_(0);
  const src = contiguous(x), wt = w === null ? null : untracked([w], () => contiguous(castTo(w, outDtype)));
  kernels.bincount(data(out), data(src), code(src), wt === null ? null : data(wt), DTYPE_CODE[outDtype], src.numel(), nbins);
  return noDerivative(out, "torch::autograd::NotImplemented", "derivative for aten::bincount is not implemented", [null, w]);
}

/** A double as C++'s `ostream << double` prints it (%g with 6 significant digits). */
function formatDouble(v: number, nanText = "nan"): string {
  if (Number.isNaN(v)) return nanText;
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mant, exp] = v.toExponential(5).split("e") as [string, string];
  const e = Number(exp);
  const strip = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (e < -4 || e >= 6) return `${strip(mant)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return strip(v.toFixed(Math.max(0, 5 - e)));
}

/**
 * torch.histc: a histogram of x with `bins` equal-width bins over [min, max] (the data's range when
 * min = max); elements outside are ignored, max itself counts in the last bin.
 * `torch.histc(torch.tensor([1., 2., 1.]), { bins: 4, min: 0, max: 3 })` -> [0, 2, 1, 0].
 */
export function histc(x: Tensor, bins?: number | HistcOptions, min?: number, max?: number): Tensor {
  const opts: HistcOptions = typeof bins === "object" ? bins : { bins, min, max };
  const nbins = opts.bins ?? 100;
  let lo = opts.min ?? 0, hi = opts.max ?? 0, nanText = "nan";
  if (!Number.isInteger(nbins) || nbins <= 0) throw new RuntimeError(`torch.histogram(): bins must be > 0, but got ${nbins} for dimension 0`);
  if (lo === hi && x.numel() > 0 && x.dtype !== "bool") {
    if (x.dtype === "float16") notImplemented("aminmax_cpu", x.dtype);
    lo = Number(amin(x).item());
    hi = Number(amax(x).item());
    nanText = "-nan";  // NaN from the data prints as x86's default NaN does
  }
  if (lo === hi) { lo -= 1; hi += 1; }
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new RuntimeError(`torch.histc: range of [${formatDouble(lo, nanText)}, ${formatDouble(hi, nanText)}] is not finite`);
  if (!(lo < hi)) throw new RuntimeError("torch.histc: max must be larger than min");
  if (x.dtype === "bool") notImplemented("linspace_cpu", x.dtype);
  if (!["float32", "float64", "bfloat16"].includes(x.dtype)) notImplemented("histogram_cpu", x.dtype);
  const out = Tensor._empty([nbins], x.dtype).fill_(0);
  const src = contiguous(x.reshape([-1]));
  if (src.numel() > 0) kernels.histc(data(out), data(src), code(src), src.numel(), nbins, lo, hi);
  return out;
}
