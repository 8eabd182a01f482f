// SPDX-License-Identifier: BSD-3-Clause
// Conversions between tensors, dtypes, devices and JS values; copy_ and fill_.
import { RuntimeError } from "../errors.js";
import { type DType, type DTypeLike, ITEMSIZE, type TypedArray, ALL_DTYPES, allocTyped, isFloatingPoint, toDType } from "../tensor/dtype.js";
import { Device, type DeviceLike, isDeviceLike, toDevice } from "../tensor/device.js";
import { broadcastShapes } from "../tensor/layout.js";
import { Storage } from "../tensor/storage.js";
import { type NestedArray, Tensor, type ToArgs } from "../tensor/tensor.js";
import type { Scalar, TensorOrScalar } from "./elementwise.js";
import { runElementwise } from "./kernel.js";
import { noGrad } from "../autograd/grad-mode.js";
import { inplace, record } from "../autograd/record.js";

export const isFloatingPointDtype = isFloatingPoint;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}
export function bfloat16ToNumber(h: number): number {
  u32[0] = h << 16;
  return f32[0]!;
}

/** Reads one element at a storage index as a JS value (int64 as bigint when asked). */
export function readElement(t: Tensor, index: number, bigint: boolean): number | boolean | bigint {
  const v = t._storage.data[index]!;
  switch (t.dtype) {
    case "bool": return v !== 0;
    case "float16": return halfToNumber(v as number);
    case "bfloat16": return bfloat16ToNumber(v as number);
    case "int64": {
      const b = v as bigint;
      if (bigint) return b;
      const n = Number(b);  // exact for |b| <= 2^53 and for every b a double holds exactly (2^60, ...)
      if (BigInt(n) !== b)
        throw new RangeError(`int64 value ${b} does not fit in a JavaScript number without rounding; ` +
          "use item({ bigint: true })");
      return n;
    }
    default: return v as number;
  }
}

export function tolist(t: Tensor): NestedArray<number | boolean> {
  const rec = (dim: number, offset: number): NestedArray<number | boolean> => {
    if (dim === t.ndim) return readElement(t, offset, false) as number | boolean;
    const out: NestedArray<number | boolean>[] = [];
    for (let i = 0; i < t._shape[dim]!; i++) out.push(rec(dim + 1, offset + i * t._strides[dim]!));
    return out;
  };
  return rec(0, t._offset);
}

export function numpy(t: Tensor): TypedArray {
  if (t.device.type !== "cpu")
    throw new TypeError(`can't convert ${t.device} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.`);
  if (!t.isContiguous())
    throw new RuntimeError("numpy() needs a contiguous tensor here (typed arrays have no strides); call .contiguous() first");
  return t._storage.data.subarray(t._offset, t._offset + t.numel()) as TypedArray;
}

function checkDevice(d: Device): void {
  if (d.type !== "cpu")
    throw new RuntimeError(`Torch not compiled with CUDA enabled: torchts has no '${d.type}' backend yet (issue "The CUDA device")`);
}

export function to(t: Tensor, ...args: ToArgs): Tensor {
  let dtype: DType = t.dtype, device: Device = t.device, copy = false;
  for (const a of args) {
    if (a instanceof Tensor) { dtype = a.dtype; device = a.device; }
    else if (a instanceof Device) device = a;
    else if (typeof a === "string") {
      if ((ALL_DTYPES as readonly string[]).includes(a.replace(/^torch\./, "")) || !isDeviceLike(a)) dtype = toDType(a as DTypeLike);
      else device = toDevice(a);
    } else if (a && typeof a === "object") {
      const o = a as { dtype?: DTypeLike; device?: DeviceLike; copy?: boolean };
      if (o.dtype !== undefined) dtype = toDType(o.dtype);
      if (o.device !== undefined) device = toDevice(o.device);
      copy = o.copy ?? false;
    }
  }
  checkDevice(device);
  if (dtype === t.dtype && !copy) return t;
  const out = Tensor._emptyUninit(t._shape, dtype);
  runElementwise("copy", out, [t]);
  // record() casts the gradient back to t's dtype
  return record(out, { name: "ToCopyBackward0", inputs: [t], backward: ([g]) => [g!] });
}

export function clone(t: Tensor): Tensor {
  const out = Tensor._emptyUninit(t._shape, t.dtype);
  runElementwise("copy", out, [t]);
  return record(out, { name: "CloneBackward0", inputs: [t], backward: ([g]) => [g!] });
}

/** copy_(dst, src): broadcasts and casts src into dst. */
export function copy_(dst: Tensor, src: TensorOrScalar): Tensor {
  if (!(src instanceof Tensor)) return fill_(dst, src);
  const shape = broadcastShapes(dst._shape, src._shape);
  if (shape.length !== dst.ndim || shape.some((s, i) => s !== dst._shape[i]))
    throw new RuntimeError(`output with shape [${dst._shape.join(", ")}] doesn't match the broadcast shape [${shape.join(", ")}]`);
  // autograd sees dst = src (broadcast, cast): dst's old value gets no gradient
  return inplace(dst, [src], (self) => record(noGrad(() => src.expand(shape).to(dst.dtype).clone()), {
    name: "CopyBackwards", inputs: [self, src], backward: ([g]) => [g!.mul(0), g!],
  }), () => copyRaw(dst, src));
}
function copyRaw(dst: Tensor, src: Tensor): Tensor {
  const source = src._storage === dst._storage && src !== dst ? clone(src) : src;
  runElementwise("copy", dst, [source]);
  dst._bumpVersion();
  return dst;
}

/** C++ names of the dtypes, as PyTorch's overflow messages print them. */
const CPP_NAME: Record<DType, string> = {
  bool: "bool", uint8: "uint8_t", int8: "int8_t", int16: "int16_t", int32: "int", int64: "int64_t",
  float16: "at::Half", bfloat16: "at::BFloat16", float32: "float", float64: "double",
};
const MAX_VALUE: Partial<Record<DType, number>> = {
  uint8: 255, int8: 127, int16: 32767, int32: 2147483647, float16: 65504, bfloat16: 3.3895313892515355e38,
  float32: 3.4028234663852886e38,
};

/**
 * A scalar converted into a dtype must fit (c10::checked_convert): fill_, full and clamp's bounds
 * check this, while arithmetic with a scalar wraps. Infinities and NaN fit floating types;
 * unsigned types also take negatives down to -max (they wrap).
 */
export function checkScalarFits(v: Scalar, dtype: DType): void {
  if (typeof v === "boolean" || dtype === "bool" || dtype === "float64") return;
  let overflows: boolean;
  if (dtype === "int64") {
    const big = typeof v === "bigint" ? v : Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    overflows = big < -(2n ** 63n) || big >= 2n ** 63n;
  } else {
    const x = Number(v), max = MAX_VALUE[dtype]!;
    if (isFloatingPoint(dtype)) overflows = Number.isFinite(x) && Math.abs(x) > max;
    else if (dtype === "uint8") overflows = x > max || -x > max;
    else overflows = x < -max - 1 || x > max;
  }
  if (overflows) throw new RuntimeError(`value cannot be converted to type ${CPP_NAME[dtype]} without overflow`);
}

export function fill_(t: Tensor, value: TensorOrScalar): Tensor {
  if (value instanceof Tensor) {
    if (value.ndim !== 0)
      throw new RuntimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.ndim} dimensions.`);
    // t's old value gets no gradient; the value gets the sum of t's
    return inplace(t, [value], (self) => record(noGrad(() => value.expand(self._shape).to(self.dtype).clone()), {
      name: "FillBackward3", inputs: [self, value], backward: ([g]) => [g!.mul(0), g!.sum()],
    }), () => copyRaw(t, value));
  }
  checkScalarFits(value, t.dtype);
  return inplace(t, [], (self) => record(noGrad(() => self.clone().fill_(value)), {
    name: "FillBackward2", inputs: [self], backward: ([g]) => [g!.mul(0)],
  }), () => fillUnchecked(t, value));
}

/** fill_ without the overflow check: a scalar operand of arithmetic wraps as PyTorch's does. */
export function fillUnchecked(t: Tensor, value: Scalar): Tensor {
  if (typeof value === "bigint" && t.dtype === "int64" && t.isContiguous()) {
    (t._storage.data as BigInt64Array).fill(value, t._offset, t._offset + t.numel());
  } else {
    runElementwise("fill", t, [], [Number(value)]);
  }
  t._bumpVersion();
  return t;
}

/** x.view(dtype): reinterprets the bytes (same element size only). */
export function viewDtype(t: Tensor, dtype: DType): Tensor {
  if (ITEMSIZE[dtype] !== ITEMSIZE[t.dtype])
    throw new RuntimeError(`x.view(${dtype}) needs the same element size here (${ITEMSIZE[t.dtype]} bytes)`);
  const src = t._storage.data;
  const like = allocTyped(dtype, 0).constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray;
  const storage = new Storage(new like(src.buffer, src.byteOffset, src.length), t._storage.device);
  return new Tensor(storage, [...t._shape], [...t._strides], t._offset, dtype);
}

export type { Scalar };
