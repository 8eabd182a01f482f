// SPDX-License-Identifier: BSD-3-Clause
// dtypes are their names (torch.float32 === "float32"), and PyTorch's type promotion.
import { native } from "../backends/cpu/native.js";

export type DType =
  | "bool" | "uint8" | "int8" | "int16" | "int32" | "int64" | "float16" | "bfloat16" | "float32" | "float64";

/** Anything a dtype may be given as: a name or one of PyTorch's aliases ("float", "long", ...). */
export type DTypeLike = DType | "float" | "double" | "half" | "long" | "int" | "short" | "char" | "byte";

export const ALL_DTYPES: readonly DType[] = [
  "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
];

/** Codes shared with native/common/dtype.h. */
export const DTYPE_CODE: Record<DType, number> = {
  bool: 0, uint8: 1, int8: 2, int16: 3, int32: 4, int64: 5, float16: 6, bfloat16: 7, float32: 8, float64: 9,
};

const ALIASES: Record<string, DType> = {
  float: "float32", double: "float64", half: "float16", long: "int64", int: "int32", short: "int16",
  char: "int8", byte: "uint8",
};

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;

export const ITEMSIZE: Record<DType, number> = {
  bool: 1, uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, float16: 2, bfloat16: 2, float32: 4, float64: 8,
};

type TypedArrayCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
const TYPED_CTOR: Record<DType, TypedArrayCtor> = {
  bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  float16: Uint16Array, bfloat16: Uint16Array, float32: Float32Array, float64: Float64Array,
};

/**
 * Buffers of at least this many bytes come from the native buffer cache (native/cpu/alloc.cc):
 * blocks recycled as soon as V8 frees the dead ArrayBuffer, so a fresh result does not page in
 * new memory. Smaller ones are ordinary typed arrays. 16 KiB is the cache's smallest size class
 * (no rounding waste beyond its 25 %); from there up a cached block is cheaper than a V8 typed
 * array (measured on the 2-vCPU VM: 18.8-75 KiB float32 results 5-10 us of CPU each from V8 with
 * its GC share, 1.2-2.6 us from the cache; the LeNet batch-4 step's TypeScript-side overhead fell
 * ~15 % going from 64 KiB to 16 KiB). TORCHTS_ALLOC_CACHE=0 turns the cache off.
 */
export const CACHE_MIN_BYTES = 16 * 1024;
const cacheOn = process.env["TORCHTS_ALLOC_CACHE"] !== "0" && typeof native.allocBuffer === "function";

const CACHE_MIN_ELEMENTS = CACHE_MIN_BYTES / 8;  // below this no dtype reaches CACHE_MIN_BYTES

function allocCached(dtype: DType, n: number, zero: boolean): TypedArray | null {
  const bytes = n * ITEMSIZE[dtype];
  if (bytes < CACHE_MIN_BYTES) return null;
  const buf = native.allocBuffer(bytes, zero) as ArrayBuffer | undefined;
  return buf === undefined ? null : new TYPED_CTOR[dtype](buf, 0, n);
}

/** The typed array that holds a dtype's elements (half types are stored as their bits), zero-filled. */
export function allocTyped(dtype: DType, n: number): TypedArray {
  if (n >= CACHE_MIN_ELEMENTS && cacheOn) {
    const cached = allocCached(dtype, n, true);
    if (cached) return cached;
  }
  switch (dtype) {
    case "float32": return new Float32Array(n);
    case "float64": return new Float64Array(n);
    case "int64": return new BigInt64Array(n);
    case "int32": return new Int32Array(n);
    case "int16": return new Int16Array(n);
    case "int8": return new Int8Array(n);
    case "uint8": case "bool": return new Uint8Array(n);
    case "float16": case "bfloat16": return new Uint16Array(n);
  }
}

/**
 * Like allocTyped, but large arrays may hold stale bytes (a recycled block is not cleared): only
 * for results whose every element is written before anything reads them.
 */
export function allocTypedUninit(dtype: DType, n: number): TypedArray {
  if (n >= CACHE_MIN_ELEMENTS && cacheOn) {
    const cached = allocCached(dtype, n, false);
    if (cached) return cached;
  }
  return allocTyped(dtype, n);
}

/** Frees the native buffer cache's idle blocks (memory held for reuse, not by live tensors). */
export function emptyCache(): void {
  if (cacheOn) native.emptyCache();
}

/** The dtype a typed array holds (for fromTypedArray). */
export function dtypeOfTypedArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Uint8Array) return "uint8";
  throw new TypeError(`can't convert ${a.constructor.name} to a tensor: the supported types are Float32Array, ` +
    "Float64Array, BigInt64Array, Int32Array, Int16Array, Int8Array and Uint8Array");
}

export function toDType(d: DTypeLike | string): DType {
  const name = d.startsWith("torch.") ? d.slice(6) : d;
  if ((ALL_DTYPES as readonly string[]).includes(name)) return name as DType;
  const alias = ALIASES[name];
  if (alias !== undefined) return alias;
  throw new TypeError(`invalid dtype: ${d}`);
}

export const isFloatingPoint = (d: DType): boolean =>
  d === "float32" || d === "float64" || d === "float16" || d === "bfloat16";
export const isIntegral = (d: DType, includeBool = false): boolean =>
  d === "bool" ? includeBool : !isFloatingPoint(d);

/** PyTorch's legacy type name, used in messages ("Float", "Long", ...). */
export const SCALAR_TYPE_NAME: Record<DType, string> = {
  bool: "Bool", uint8: "Byte", int8: "Char", int16: "Short", int32: "Int", int64: "Long", float16: "Half",
  bfloat16: "BFloat16", float32: "Float", float64: "Double",
};

/** The C++ type names some PyTorch messages use ("Expected out tensor to have dtype float, but got double instead"). */
export const CPP_TYPE_NAME: Record<DType, string> = {
  bool: "bool", uint8: "unsigned char", int8: "signed char", int16: "short int", int32: "int", int64: "long int",
  float16: "c10::Half", bfloat16: "c10::BFloat16", float32: "float", float64: "double",
};

let defaultDtype: DType = "float32";
export function getDefaultDtype(): DType { return defaultDtype; }
export function setDefaultDtype(d: DTypeLike): void {
  const t = toDType(d);
  if (!isFloatingPoint(t) || t === "float16" || t === "bfloat16")
    throw new TypeError("only floating-point types are supported as the default type");
  defaultDtype = t;
}

// ---- promotion ---------------------------------------------------------------------------------

const ORDER: DType[] = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"];

/** torch.promote_types: the table in reliability.md §4.2. */
export function promoteTypes(a: DTypeLike, b: DTypeLike): DType {
  if (a === b && typeof DTYPE_CODE[a as DType] === "number") return a as DType;  // the common case, no parsing
  const x = toDType(a), y = toDType(b);
  if (x === y) return x;
  if ((x === "uint8" && y === "int8") || (x === "int8" && y === "uint8")) return "int16";
  if ((x === "float16" && y === "bfloat16") || (x === "bfloat16" && y === "float16")) return "float32";
  return ORDER.indexOf(x) > ORDER.indexOf(y) ? x : y;
}

/** 0 bool, 1 integer, 2 floating. */
export function category(d: DType): number {
  return d === "bool" ? 0 : isFloatingPoint(d) ? 2 : 1;
}

/** An operand of type promotion: a tensor's dtype and rank, or a JS scalar. */
export type PromotionOperand = { dtype: DType; ndim: number } | number | boolean | bigint;

function scalarDtype(v: number | boolean | bigint): DType {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int64";
  return Number.isInteger(v) ? "int64" : getDefaultDtype();
}

/**
 * torch.result_type: dimensioned tensors win within their category; 0-dim tensors next;
 * Python scalars last. A higher category among the weaker operands promotes to that
 * operand's dtype (a 0-dim tensor) or the default dtype (a float scalar).
 */
export function resultType(...operands: PromotionOperand[]): DType {
  // the common case: tensors of one dtype, at least one of them dimensioned
  const first = operands[0];
  if (typeof first === "object" && typeof DTYPE_CODE[first.dtype] === "number") {
    let same = true, anyDim = false;
    for (let i = 0; i < operands.length; i++) {
      const o = operands[i]!;
      if (typeof o !== "object" || o.dtype !== first.dtype) { same = false; break; }
      if (o.ndim > 0) anyDim = true;
    }
    if (same && anyDim) return first.dtype;
  }
  let dim: DType | null = null, zero: DType | null = null, wrapped: DType | null = null;
  for (const o of operands) {
    if (typeof o === "object") {
      if (o.ndim > 0) dim = dim === null ? o.dtype : promoteTypes(dim, o.dtype);
      else zero = zero === null ? o.dtype : promoteTypes(zero, o.dtype);
    } else {
      const d = scalarDtype(o);
      wrapped = wrapped === null ? d : promoteTypes(wrapped, d);
    }
  }
  let result: DType | null = dim;
  for (const weaker of [zero, wrapped]) {
    if (weaker === null) continue;
    if (result === null) { result = weaker; continue; }
    if (category(weaker) > category(result)) {
      // a wrapped float scalar promotes to the default dtype; a 0-dim tensor to its own dtype
      result = weaker === wrapped && category(weaker) === 2 ? getDefaultDtype() : weaker === wrapped && category(weaker) === 1 ? "int64" : weaker;
    }
  }
  if (result === null) throw new TypeError("resultType needs at least one operand");
  return result;
}

/** Whether a value of dtype `from` may be written into `to` (torch.can_cast). */
export function canCast(from: DType, to: DType): boolean {
  return category(from) <= category(to);
}
