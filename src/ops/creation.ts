// SPDX-License-Identifier: BSD-3-Clause
// Tensor creation: from JS data, filled, ranges, and random.
import { RuntimeError, ValueError } from "../errors.js";
import {
  DTYPE_CODE, type DType, type DTypeLike, type TypedArray, dtypeOfTypedArray, getDefaultDtype, isFloatingPoint, toDType,
} from "../tensor/dtype.js";
import { type DeviceLike, toDevice } from "../tensor/device.js";
import { checkShape, contiguousStrides, numelOf } from "../tensor/layout.js";
import {
  type Generator, fillBernoulliTensor, fillRandom, multinomialInto, randpermInto,
} from "../tensor/random.js";
import { Storage } from "../tensor/storage.js";
import { type NestedArray, Tensor } from "../tensor/tensor.js";
import { castTo, type Scalar } from "./elementwise.js";
import { copy_, fill_ } from "./convert.js";
import { type SizeArgs, permute, sizesOf } from "./movement.js";

export interface CreationOptions {
  dtype?: DTypeLike;
  device?: DeviceLike;
  requiresGrad?: boolean;
}
export interface GeneratorOption { generator?: Generator }
export type RandomOptions = CreationOptions & GeneratorOption;

function finish(t: Tensor, opts: CreationOptions): Tensor {
  if (opts.device !== undefined && toDevice(opts.device).type !== "cpu")
    throw new RuntimeError(`Torch not compiled with CUDA enabled: torchts has no '${toDevice(opts.device).type}' backend yet`);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Splits `(...sizes, opts?)` varargs. */
export function splitSizeArgs<O extends object>(args: readonly unknown[]): [number[], O] {
  const last = args[args.length - 1];
  const hasOpts = last !== undefined && typeof last === "object" && !Array.isArray(last);
  const sizes = sizesOf((hasOpts ? args.slice(0, -1) : args) as SizeArgs);
  checkShape(sizes);
  return [sizes, (hasOpts ? last : {}) as O];
}

// ---- from data ------------------------------------------------------------------------------------

type Data = NestedArray<number | boolean | bigint> | TypedArray | Tensor;

function inferDtype(flat: readonly (number | boolean | bigint)[]): DType {
  if (flat.length === 0) return getDefaultDtype();
  let allBool = true, anyFloat = false;
  for (const v of flat) {
    if (typeof v !== "boolean") allBool = false;
    if (typeof v === "number" && !Number.isInteger(v)) anyFloat = true;
  }
  return allBool ? "bool" : anyFloat ? getDefaultDtype() : "int64";
}

/**
 * torch.tensor(data): always copies. JS has one number type, so `[1, 2]` is int64 and
 * `[1.5, 2]` is float32, as in Python; pass `{ dtype }` for `[1., 2.]`.
 */
export function tensor(data: Data, opts: CreationOptions = {}): Tensor {
  if (data instanceof Tensor) return finish(castTo(data, opts.dtype ? toDType(opts.dtype) : data.dtype).clone(), opts);
  if (ArrayBuffer.isView(data)) {
    const src = fromTypedArray(data as TypedArray);
    return finish(castTo(src, opts.dtype ? toDType(opts.dtype) : src.dtype).clone(), opts);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0]; }
  const flat: (number | boolean | bigint)[] = [];
  const walk = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new ValueError(`expected a sequence of length ${shape[dim - 1]} at dim ${dim - 1} (got a nested sequence)`);
      if (typeof v !== "number" && typeof v !== "boolean" && typeof v !== "bigint")
        throw new TypeError(`Could not infer dtype of ${v === null ? "None" : typeof v}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim])
      throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${Array.isArray(v) ? v.length : 0})`);
    for (const x of v) walk(x, dim + 1);
  };
  walk(data, 0);
  const dtype = opts.dtype ? toDType(opts.dtype) : flat.some((v) => typeof v === "bigint") ? "int64" : inferDtype(flat);
  // stage in a wide type, then cast natively (rounding to float16/bfloat16 happens there)
  let staged: Tensor;
  if (dtype === "int64" || dtype === "uint8" || dtype === "int8" || dtype === "int16" || dtype === "int32") {
    const buf = new BigInt64Array(flat.length);
    flat.forEach((v, i) => { buf[i] = typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v))); });
    staged = new Tensor(new Storage(buf), shape, contiguousStrides(shape), 0, "int64");
  } else if (dtype === "bool") {
    const buf = new Uint8Array(flat.length);
    flat.forEach((v, i) => { buf[i] = Number(v) !== 0 ? 1 : 0; });
    staged = new Tensor(new Storage(buf), shape, contiguousStrides(shape), 0, "bool");
  } else {
    staged = new Tensor(new Storage(Float64Array.from(flat, Number)), shape, contiguousStrides(shape), 0, "float64");
  }
  return finish(staged.dtype === dtype ? staged : castTo(staged, dtype), opts);
}

/** torch.as_tensor: shares memory with a tensor or typed array of the right dtype. */
export function asTensor(data: Data, opts: CreationOptions = {}): Tensor {
  if (data instanceof Tensor) return opts.dtype ? castTo(data, toDType(opts.dtype)) : data;
  if (ArrayBuffer.isView(data)) {
    const t = fromTypedArray(data as TypedArray);
    return opts.dtype ? castTo(t, toDType(opts.dtype)) : t;
  }
  return tensor(data, opts);
}

/** torch.from_numpy: a 1-D (or `shape`d) tensor sharing memory with the typed array. */
export function fromTypedArray(arr: TypedArray, shape?: readonly number[]): Tensor {
  const dtype = dtypeOfTypedArray(arr);
  const size = shape ? [...shape] : [arr.length];
  if (numelOf(size) !== arr.length)
    throw new RuntimeError(`shape '[${size.join(", ")}]' is invalid for input of size ${arr.length}`);
  return new Tensor(new Storage(arr), size, contiguousStrides(size), 0, dtype);
}

// ---- filled -----------------------------------------------------------------------------------------

type SizeAndOptions<O> = [...SizeArgs, O] | SizeArgs;

function filled(args: readonly unknown[], value: Scalar | null): Tensor {
  const [size, opts] = splitSizeArgs<CreationOptions>(args);
  const dtype = opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
  const t = Tensor._empty(size, dtype);
  if (value !== null && value !== 0) fill_(t, value);
  return finish(t, opts);
}

export const empty = (...args: SizeAndOptions<CreationOptions>): Tensor => filled(args, null);
export const zeros = (...args: SizeAndOptions<CreationOptions>): Tensor => filled(args, 0);
export const ones = (...args: SizeAndOptions<CreationOptions>): Tensor => filled(args, 1);

export function full(size: readonly number[], fillValue: Scalar, opts: CreationOptions = {}): Tensor {
  checkShape(size);
  const dtype = opts.dtype ? toDType(opts.dtype)
    : typeof fillValue === "boolean" ? "bool"
      : typeof fillValue === "bigint" || Number.isInteger(fillValue) ? "int64" : getDefaultDtype();
  const t = Tensor._empty(size, dtype);
  fill_(t, fillValue);
  return finish(t, opts);
}

const likeOpts = (t: Tensor, opts: CreationOptions): CreationOptions => ({ dtype: t.dtype, ...opts });
export const emptyLike = (t: Tensor, opts: CreationOptions = {}): Tensor => empty(t._shape, likeOpts(t, opts));
export const zerosLike = (t: Tensor, opts: CreationOptions = {}): Tensor => zeros(t._shape, likeOpts(t, opts));
export const onesLike = (t: Tensor, opts: CreationOptions = {}): Tensor => ones(t._shape, likeOpts(t, opts));
export const fullLike = (t: Tensor, v: Scalar, opts: CreationOptions = {}): Tensor => full(t._shape, v, likeOpts(t, opts));

/** x.newZeros(...) and friends: the creation function with x's dtype as default. */
export function withDefaults(fn: (...a: SizeAndOptions<CreationOptions>) => Tensor, t: Tensor, args: readonly unknown[]): Tensor {
  const [size, opts] = splitSizeArgs<CreationOptions>(args);
  return fn(size, { dtype: t.dtype, ...opts });
}

// ---- ranges -------------------------------------------------------------------------------------------

/** torch.arange(end) / arange(start, end, step?, opts?). */
export function arange(...args: (number | CreationOptions)[]): Tensor {
  const last = args[args.length - 1];
  const opts: CreationOptions = typeof last === "object" ? last : {};
  const nums = args.filter((a): a is number => typeof a === "number");
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  if (step === 0) throw new RuntimeError("step must be nonzero");
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new RuntimeError(`unsupported range: ${start} -> ${end}`);
  if ((step > 0 && end < start) || (step < 0 && end > start))
    throw new RuntimeError("upper bound and larger bound inconsistent with step sign");
  const allInt = nums.every((v) => Number.isInteger(v));
  const dtype = opts.dtype ? toDType(opts.dtype) : allInt ? "int64" : getDefaultDtype();
  const n = Math.ceil((end - start) / step);
  // values are start + i*step computed in the accumulate type (double, or int64 for integer dtypes,
  // where start and step are truncated first), then cast; the length comes from the doubles
  const integral = !isFloatingPoint(dtype);
  const [s0, st] = integral ? [Math.trunc(start), Math.trunc(step)] : [start, step];
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = s0 + i * st;
  const staged = new Tensor(new Storage(vals), [n], [1], 0, "float64");
  return finish(castTo(staged, dtype), opts);
}

/** torch.linspace(start, end, steps). */
export function linspace(start: number, end: number, steps: number, opts: CreationOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RuntimeError("number of steps must be non-negative");
  const dtype = opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
  const vals = new Float64Array(steps);
  // PyTorch fills the first half from start and the second half from end, for symmetry; one step is start
  const step = (end - start) / (steps - 1), half = Math.floor(steps / 2);
  if (steps === 1) vals[0] = start;
  else for (let i = 0; i < steps; i++) vals[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  const staged = new Tensor(new Storage(vals), [steps], [1], 0, "float64");
  const t = isFloatingPoint(dtype) ? castTo(staged, dtype) : castTo(staged, "float64");
  return finish(isFloatingPoint(dtype) ? t : castTo(t.trunc(), dtype), opts);
}

/** base ** linspace(start, end, steps), each power computed in double (exact for integer results). */
export function logspace(start: number, end: number, steps: number, opts: CreationOptions & { base?: number } = {}): Tensor {
  const base = opts.base ?? 10;
  const dtype = opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
  // integer dtypes truncate the exponent range first, as PyTorch converts start and end to the dtype
  const [s, e] = isFloatingPoint(dtype) ? [start, end] : [Math.trunc(start), Math.trunc(end)];
  const exps = linspace(s, e, steps, { dtype: "float64" });
  const vals = Float64Array.from(exps.numpy() as Float64Array, (x) => base ** x);
  const staged = new Tensor(new Storage(vals), [steps], [1], 0, "float64");
  return finish(castTo(staged, dtype), { ...opts, dtype: undefined });
}

export function eye(n: number, m?: number | CreationOptions, opts: CreationOptions = {}): Tensor {
  if (typeof m === "object") { opts = m; m = undefined; }
  if (n < 0) throw new RuntimeError(`n must be greater or equal to 0, got ${n}`);
  if (m !== undefined && m < 0) throw new RuntimeError(`m must be greater or equal to 0, got ${m}`);
  const cols = m ?? n;
  const t = zeros([n, cols], opts);
  if (n > 0 && cols > 0) fill_(t.diagonal(), 1);
  return t;
}

// ---- random -------------------------------------------------------------------------------------------

/**
 * Fills any tensor with draws of `kind` in memory order, as PyTorch does: a permuted dense view
 * (x.t()) is filled through its storage front to back; other layouts through a contiguous
 * staging buffer. Non-contiguous normal_ uses the serial kernel, as PyTorch's does.
 */
function randomInto(t: Tensor, kind: string, params: number[], gen?: Generator): Tensor {
  const order = [...t._shape.keys()].sort((a, b) => t._strides[b]! - t._strides[a]!);
  const dense = permute(t, order);
  const target = dense.isContiguous() ? dense : Tensor._empty(dense._shape, t.dtype);
  const k = kind === "normal" && !t.isContiguous() ? "normalSerial" : kind;
  fillRandom(k, gen, target._storage.data, DTYPE_CODE[t.dtype], target._offset, t.numel(), params);
  if (target !== dense) copy_(dense, target);
  t._bumpVersion();
  return t;
}

function floatDtype(opts: CreationOptions, fn: string): DType {
  const d = opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
  if (!isFloatingPoint(d)) throw new RuntimeError(`"${fn}" not implemented for '${d}'`);
  return d;
}

export function rand(...args: SizeAndOptions<RandomOptions>): Tensor {
  const [size, opts] = splitSizeArgs<RandomOptions>(args);
  return finish(randomInto(Tensor._empty(size, floatDtype(opts, "check_uniform_bounds")), "uniform", [0, 1], opts.generator), opts);
}
export function randn(...args: SizeAndOptions<RandomOptions>): Tensor {
  const [size, opts] = splitSizeArgs<RandomOptions>(args);
  return finish(randomInto(Tensor._empty(size, floatDtype(opts, "normal_kernel_cpu")), "normal", [0, 1], opts.generator), opts);
}
export const randLike = (t: Tensor, opts: RandomOptions = {}): Tensor => rand(t._shape, { dtype: t.dtype, ...opts });
export const randnLike = (t: Tensor, opts: RandomOptions = {}): Tensor => randn(t._shape, { dtype: t.dtype, ...opts });

/** torch.randint(high, size) / randint(low, high, size). */
export function randint(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const last = args[args.length - 1];
  const opts: RandomOptions = typeof last === "object" && !Array.isArray(last) ? (last as RandomOptions) : {};
  const nums = args.filter((a): a is number => typeof a === "number");
  const size = args.find((a): a is readonly number[] => Array.isArray(a));
  if (!size) throw new TypeError("randint() missing required argument 'size'");
  const [low, high] = nums.length === 1 ? [0, nums[0]!] : [nums[0]!, nums[1]!];
  if (low >= high) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const t = Tensor._empty(size, opts.dtype ? toDType(opts.dtype) : "int64");
  return finish(randomInto(t, "randomRange", [low, high], opts.generator), opts);
}
export const randintLike = (t: Tensor, low: number, high?: number, opts: RandomOptions = {}): Tensor =>
  high === undefined ? randint(0, low, t._shape, { dtype: t.dtype, ...opts }) : randint(low, high, t._shape, { dtype: t.dtype, ...opts });

export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RuntimeError(`randperm: n must be non-negative, got${n}`);
  const t = Tensor._empty([n], opts.dtype ? toDType(opts.dtype) : "int64");
  randpermInto(opts.generator, t._storage.data, DTYPE_CODE[t.dtype], n);
  return finish(t, opts);
}

export function uniform_(t: Tensor, from = 0, to = 1, opts: GeneratorOption = {}): Tensor {
  if (from > to) throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  return randomInto(t, "uniform", [from, to], opts.generator);
}
export function normal_(t: Tensor, mean = 0, std = 1, opts: GeneratorOption = {}): Tensor {
  if (std < 0) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
  return randomInto(t, "normal", [mean, std], opts.generator);
}
export type RandomArgs = [opts?: GeneratorOption] | [to: number, opts?: GeneratorOption] | [from: number, to: number | null, opts?: GeneratorOption];
export function random_(t: Tensor, ...args: RandomArgs): Tensor {
  const last = args[args.length - 1];
  const opts: GeneratorOption = typeof last === "object" && last !== null ? last : {};
  const nums: number[] = (args as unknown[]).filter((a): a is number => typeof a === "number");
  if (nums.length === 0) return randomInto(t, "random", [], opts.generator);
  const [from, to] = nums.length === 1 ? [0, nums[0]!] : [nums[0]!, nums[1]!];
  if (from >= to) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
  return randomInto(t, "randomRange", [from, to], opts.generator);
}
export function exponential_(t: Tensor, lambd = 1, opts: GeneratorOption = {}): Tensor {
  if (!(lambd >= 0)) throw new RuntimeError(`exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
  return randomInto(t, "exponential", [lambd], opts.generator);
}
export function bernoulli_(t: Tensor, p: number | Tensor = 0.5, opts: GeneratorOption = {}): Tensor {
  if (typeof p === "number") {
    if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    return randomInto(t, "bernoulli", [p], opts.generator);
  }
  const probs = p.expand(t._shape).contiguous();
  const target = t.isContiguous() ? t : Tensor._empty(t._shape, t.dtype);
  fillBernoulliTensor(opts.generator, target._storage.data, DTYPE_CODE[t.dtype], probs._storage.data, DTYPE_CODE[probs.dtype], t.numel(), target._offset, probs._offset);
  if (target !== t) copy_(t, target);
  t._bumpVersion();
  return t;
}
/** torch.bernoulli(probs): 0/1 samples with the probabilities in `probs`. */
export function bernoulli(probs: Tensor, opts: GeneratorOption & { p?: number } = {}): Tensor {
  const out = Tensor._empty(probs._shape, probs.dtype);
  return opts.p !== undefined ? bernoulli_(out, opts.p, opts) : bernoulli_(out, probs, opts);
}
export function normal(mean: number | Tensor, std: number | Tensor, size?: readonly number[] | RandomOptions, opts: RandomOptions = {}): Tensor {
  if (typeof size === "object" && !Array.isArray(size)) { opts = size as RandomOptions; size = undefined; }
  if (typeof mean === "number" && typeof std === "number") {
    if (!size) throw new TypeError("normal() with float mean and std needs a size");
    return finish(normal_(Tensor._empty(size as number[], floatDtype(opts, "normal")), mean, std, opts), opts);
  }
  const m = mean instanceof Tensor ? mean : null, s = std instanceof Tensor ? std : null;
  const like = (m ?? s)!;
  const z = normal_(Tensor._empty(m && s ? m.add(s)._shape : like._shape, like.dtype), 0, 1, opts);
  return z.mul(std).add(mean);
}
export interface MultinomialOptions extends GeneratorOption { replacement?: boolean }
export function multinomial(probs: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  if (probs.ndim < 1 || probs.ndim > 2) throw new RuntimeError("prob_dist must be 1 or 2 dim");
  // float32/float64/bfloat16 are drawn in their own dtype (PyTorch's draws depend on it)
  const p = (probs.dtype === "float32" || probs.dtype === "bfloat16" ? probs : castTo(probs, "float64")).contiguous();
  const rows = probs.ndim === 1 ? 1 : probs._shape[0]!, cols = probs._shape[probs.ndim - 1]!;
  const replacement = opts.replacement ?? false;
  if (!replacement && numSamples > cols)
    throw new RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  const out = Tensor._empty(probs.ndim === 1 ? [numSamples] : [rows, numSamples], "int64");
  multinomialInto(opts.generator, out._storage.data as BigInt64Array, p._storage.data, DTYPE_CODE[p.dtype], rows, cols,
    numSamples, replacement, p._offset);
  return out;
}

