// SPDX-License-Identifier: BSD-3-Clause
// torch.load: the zip format (PyTorch >= 1.6) and the legacy pickle-stream format, through the
// restricted unpickler with an allowlist of exactly the globals a checkpoint needs. Storages are
// checked against their records byte for byte before any tensor is made; tensors view the file
// buffer where alignment allows (zero-copy).
import { CheckpointError } from "./errors.js";
import { type CallContext, type GlobalHandler, type PyDict, type PyObject, type PyTuple, type PyValue, type UnpickleLimits, describeValue, hashKey, pyObject, unpickle } from "./unpickler.js";
import { readZip, recordBytes } from "./zip.js";
import { defineKey, orderedDict, plainDict, tuple } from "./values.js";
import { Tensor } from "../tensor/tensor.js";
import { Storage } from "../tensor/storage.js";
import { type DType, ITEMSIZE, type TypedArray, allocTyped, isFloatingPoint } from "../tensor/dtype.js";
import { Device, type DeviceLike, toDevice } from "../tensor/device.js";
import { Parameter } from "../nn/parameter.js";

/** torch.load's map_location: a device, a {saved location: new location} table, or a function. */
export type MapLocation =
  | DeviceLike
  | Record<string, string>
  | ((storage: Storage, location: string) => Storage | DeviceLike | null | undefined);

export interface LoadOptions {
  mapLocation?: MapLocation;
  /** true (the default): only tensors, containers and plain data. false adds a few more known-safe classes; never code. */
  weightsOnly?: boolean;
  /**
   * Map the file instead of reading it (torch.load(..., mmap=True)): tensors view the mapping
   * (copy-on-write: writes never reach the file) and pages are read only when touched.
   */
  mmap?: boolean;
  /** Bounds on the pickle (bytes, memo entries, nesting depth, value count). */
  limits?: UnpickleLimits;
}

export const STORAGE_TYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ["torch.DoubleStorage", "float64"], ["torch.FloatStorage", "float32"], ["torch.HalfStorage", "float16"],
  ["torch.BFloat16Storage", "bfloat16"], ["torch.LongStorage", "int64"], ["torch.IntStorage", "int32"],
  ["torch.ShortStorage", "int16"], ["torch.CharStorage", "int8"], ["torch.ByteStorage", "uint8"],
  ["torch.BoolStorage", "bool"],
]);
const UNSUPPORTED_STORAGES = new Set(["torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage", "torch.QUInt8Storage", "torch.QInt32Storage", "torch.UntypedStorage"]);

const DTYPE_GLOBALS: Record<string, DType> = {
  float32: "float32", float: "float32", float64: "float64", double: "float64", float16: "float16", half: "float16",
  bfloat16: "bfloat16", int64: "int64", long: "int64", int32: "int32", int: "int32", int16: "int16", short: "int16",
  int8: "int8", uint8: "uint8", bool: "bool",
};

/** A storage as the unpickler sees it. */
interface LoadedStorage { storage: Storage; dtype: DType; key: string; numel: number }

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// ---- argument checks -------------------------------------------------------------------------------

function isObj(v: PyValue, kind?: string): v is PyObject {
  return v !== null && typeof v === "object" && !(v instanceof Uint8Array) && v.t === "object" && (kind === undefined || v.kind === kind);
}
function isTuple(v: PyValue): v is PyTuple {
  return v !== null && typeof v === "object" && !(v instanceof Uint8Array) && v.t === "tuple";
}
function isDict(v: PyValue): v is PyDict {
  return v !== null && typeof v === "object" && !(v instanceof Uint8Array) && v.t === "dict";
}
function int(v: PyValue, what: string, ctx: CallContext, min = 0n): number {
  if (typeof v !== "bigint") return ctx.fail("E_PICKLE_STRUCTURE", `${what} at pickle offset ${ctx.offset} is ${describeValue(v)}, expected int`);
  if (v < min || v > MAX_SAFE) {
    const code = what.includes("stride") || what.includes("offset") ? "E_VIEW_BOUNDS" : "E_STORAGE";
    return ctx.fail(code, `${what} ${v} at pickle offset ${ctx.offset} is ${v < min ? "negative" : "larger than 2^53"}`);
  }
  return Number(v);
}
function intTuple(v: PyValue, what: string, ctx: CallContext): number[] {
  if (!isTuple(v)) return ctx.fail("E_PICKLE_STRUCTURE", `${what} at pickle offset ${ctx.offset} is ${describeValue(v)}, expected tuple`);
  if (v.items.length > 64) return ctx.fail("E_VIEW_BOUNDS", `${what} at pickle offset ${ctx.offset} has ${v.items.length} dimensions; at most 64 are accepted`);
  return v.items.map((x, i) => int(x, `${what}[${i}]`, ctx));
}
function bool(v: PyValue, what: string, ctx: CallContext): boolean {
  if (typeof v !== "boolean") return ctx.fail("E_PICKLE_STRUCTURE", `${what} at pickle offset ${ctx.offset} is ${describeValue(v)}, expected bool`);
  return v;
}
function emptyHooks(v: PyValue, ctx: CallContext): void {
  if (!isDict(v) || v.entries.size !== 0)
    ctx.fail("E_PICKLE_STRUCTURE", `backward_hooks at pickle offset ${ctx.offset} must be an empty OrderedDict, got ${describeValue(v)}`);
}

// ---- the allowlist ---------------------------------------------------------------------------------------

function rebuildTensor(args: readonly PyValue[], ctx: CallContext, v2: boolean): PyObject {
  if (v2 ? args.length !== 6 && args.length !== 7 : args.length !== 4)
    ctx.fail("E_PICKLE_STRUCTURE", `_rebuild_tensor${v2 ? "_v2" : ""} at pickle offset ${ctx.offset} got ${args.length} arguments`);
  const [st, off, sz, sd, rg, hooks, meta] = args;
  if (!isObj(st!, "storage")) return ctx.fail("E_PICKLE_STRUCTURE", `tensor storage at pickle offset ${ctx.offset} is ${describeValue(st!)}, expected a storage`);
  const s = st.value as LoadedStorage;
  const offset = int(off!, "storage offset", ctx);
  const size = intTuple(sz!, "size", ctx);
  if (!isTuple(sd!)) return ctx.fail("E_PICKLE_STRUCTURE", `stride at pickle offset ${ctx.offset} is ${describeValue(sd!)}, expected tuple`);
  if (sd.items.length !== size.length)
    ctx.fail("E_VIEW_BOUNDS", `tensor at pickle offset ${ctx.offset} has ${size.length} sizes but ${sd.items.length} strides`);
  for (const x of sd.items) {
    if (typeof x === "bigint" && x < 0n)
      ctx.fail("E_VIEW_BOUNDS", `tensor (size [${size.join(", ")}], stride [${sd.items.map(String).join(", ")}], offset ${offset}) at pickle offset ${ctx.offset} has a negative stride`);
  }
  const stride = intTuple(sd, "stride", ctx);
  let requiresGrad = false;
  if (v2) {
    requiresGrad = bool(rg!, "requires_grad", ctx);
    emptyHooks(hooks!, ctx);
    if (meta !== undefined && meta !== null && !isDict(meta)) ctx.fail("E_PICKLE_STRUCTURE", `tensor metadata at pickle offset ${ctx.offset} is ${describeValue(meta)}, expected dict`);
  }
  let numel = 1n, last = BigInt(offset);
  for (let i = 0; i < size.length; i++) {
    numel *= BigInt(size[i]!);
    last += BigInt(Math.max(size[i]! - 1, 0)) * BigInt(stride[i]!);
  }
  const desc = `tensor (size [${size.join(", ")}], stride [${stride.join(", ")}], offset ${offset}) at pickle offset ${ctx.offset}`;
  if (numel > 0n ? last >= BigInt(s.numel) : offset > s.numel)
    ctx.fail("E_VIEW_BOUNDS", `${desc} reads element ${last} of a ${s.numel}-element storage '${s.key}'`);
  if (requiresGrad && !isFloatingPoint(s.dtype))
    ctx.fail("E_PICKLE_STRUCTURE", `${desc} of dtype ${s.dtype} requires grad; only floating point tensors can require gradients`);
  const t = new Tensor(s.storage, size, stride, offset, s.dtype);
  t.requiresGrad = requiresGrad;
  return pyObject("tensor", t, TENSOR_BUILD);
}

/** BUILD on a tensor sets Python attributes; we accept an empty or dict state and keep nothing. */
const TENSOR_BUILD: GlobalHandler = {
  build: (_target, state) => state === null || isDict(state) || (isTuple(state) && state.items.every((x) => x === null || isDict(x))),
};

function rebuildParameter(args: readonly PyValue[], ctx: CallContext, weightsOnly: boolean, withState: boolean): PyObject {
  if (args.length !== (withState ? 4 : 3)) ctx.fail("E_PICKLE_STRUCTURE", `_rebuild_parameter at pickle offset ${ctx.offset} got ${args.length} arguments`);
  const [data, rg, hooks] = args;
  if (!isObj(data!, "tensor")) return ctx.fail("E_PICKLE_STRUCTURE", `parameter data at pickle offset ${ctx.offset} is ${describeValue(data!)}, expected a tensor`);
  const requiresGrad = bool(rg!, "requires_grad", ctx);
  emptyHooks(hooks!, ctx);
  const t = data.value as Tensor;
  if (requiresGrad && !t.isFloatingPoint())
    ctx.fail("E_PICKLE_STRUCTURE", `parameter of dtype ${t.dtype} at pickle offset ${ctx.offset} requires grad; only floating point tensors can require gradients`);
  if (weightsOnly) { t.requiresGrad = requiresGrad; return pyObject("tensor", t, TENSOR_BUILD); }
  return pyObject("tensor", new Parameter(t, requiresGrad), TENSOR_BUILD);
}

function makeGlobals(weightsOnly: boolean): Map<string, GlobalHandler> {
  const g = new Map<string, GlobalHandler>();
  const ordered: GlobalHandler = {
    call(args, ctx) {
      const d: PyDict = { t: "dict", ordered: true, entries: new Map(), attrs: null };
      if (args.length === 0) return d;
      const items = args[0]!;
      if (args.length === 1 && items !== null && typeof items === "object" && !(items instanceof Uint8Array) && (items.t === "list" || items.t === "tuple")) {
        for (const pair of items.items) {
          if (!isTuple(pair) || pair.items.length !== 2) return ctx.fail("E_PICKLE_STRUCTURE", `OrderedDict item at pickle offset ${ctx.offset} is not a pair`);
          const h = hashKey(pair.items[0]!, ctx);
          const old = d.entries.get(h);
          if (old !== undefined) old[1] = pair.items[1]!; else d.entries.set(h, [pair.items[0]!, pair.items[1]!]);
        }
        return d;
      }
      return ctx.fail("E_PICKLE_STRUCTURE", `OrderedDict at pickle offset ${ctx.offset} called with unsupported arguments`);
    },
  };
  g.set("collections.OrderedDict", ordered);
  g.set("torch._utils._rebuild_tensor_v2", { call: (a, c) => rebuildTensor(a, c, true) });
  g.set("torch._utils._rebuild_tensor", { call: (a, c) => rebuildTensor(a, c, false) });
  g.set("torch._utils._rebuild_parameter", { call: (a, c) => rebuildParameter(a, c, weightsOnly, false) });
  g.set("torch._utils._rebuild_parameter_with_state", { call: (a, c) => rebuildParameter(a, c, weightsOnly, true) });
  const tensorClass: GlobalHandler = {}, parameterClass: GlobalHandler = {};
  g.set("torch.Tensor", tensorClass);
  g.set("torch.nn.parameter.Parameter", parameterClass);
  g.set("torch._tensor._rebuild_from_type_v2", {
    call(args, ctx) {
      if (args.length !== 4) return ctx.fail("E_PICKLE_STRUCTURE", `_rebuild_from_type_v2 at pickle offset ${ctx.offset} got ${args.length} arguments`);
      const [fn, cls, fnArgs, state] = args;
      const clsOk = cls !== null && typeof cls === "object" && !(cls instanceof Uint8Array) && cls.t === "global" && (cls.handler === tensorClass || cls.handler === parameterClass);
      if (!clsOk) return ctx.fail("E_GLOBAL_NOT_ALLOWED", `_rebuild_from_type_v2 at pickle offset ${ctx.offset} rebuilds ${describeValue(cls!)}; only torch.Tensor and torch.nn.parameter.Parameter are allowed`);
      if (fn === null || typeof fn !== "object" || fn instanceof Uint8Array || fn.t !== "global" || fn.handler.call === undefined || !isTuple(fnArgs!))
        return ctx.fail("E_PICKLE_STRUCTURE", `_rebuild_from_type_v2 at pickle offset ${ctx.offset} has a bad rebuild function or arguments`);
      const r = fn.handler.call(fnArgs.items, ctx);
      if (!isObj(r, "tensor")) return ctx.fail("E_PICKLE_STRUCTURE", `_rebuild_from_type_v2 at pickle offset ${ctx.offset} did not rebuild a tensor`);
      if (state !== null && !isDict(state!)) return ctx.fail("E_PICKLE_STRUCTURE", `_rebuild_from_type_v2 state at pickle offset ${ctx.offset} is ${describeValue(state!)}`);
      if ((cls as { handler: GlobalHandler }).handler === parameterClass && !weightsOnly && !(r.value instanceof Parameter)) {
        const t = r.value as Tensor;
        r.value = new Parameter(t, t.requiresGrad);
      }
      return r;
    },
  });
  g.set("torch.Size", {
    call(args, ctx) {
      if (args.length !== 1 || !isTuple(args[0]!)) return ctx.fail("E_PICKLE_STRUCTURE", `torch.Size at pickle offset ${ctx.offset} needs one tuple`);
      intTuple(args[0], "torch.Size", ctx);
      return args[0];
    },
  });
  g.set("torch.device", {
    call(args, ctx) {
      const [type, index] = args;
      if (typeof type !== "string" || args.length > 2 || (index !== undefined && index !== null && typeof index !== "bigint"))
        return ctx.fail("E_PICKLE_STRUCTURE", `torch.device at pickle offset ${ctx.offset} got bad arguments`);
      try {
        return pyObject("device", toDevice(type, typeof index === "bigint" ? Number(index) : undefined));
      } catch {
        return ctx.fail("E_PICKLE_STRUCTURE", `torch.device at pickle offset ${ctx.offset}: unknown device '${JSON.stringify(type).slice(1, -1)}'`);
      }
    },
  });
  for (const [name, dtype] of Object.entries(DTYPE_GLOBALS)) g.set(`torch.${name}`, { asValue: dtype });
  for (const name of [...STORAGE_TYPES.keys(), ...UNSUPPORTED_STORAGES]) g.set(name, {});
  const setLike = (frozen: boolean): GlobalHandler => ({
    call(args, ctx) {
      const s = { t: "set" as const, entries: new Map<string, PyValue>(), frozen };
      if (args.length === 0) return s;
      const items = args[0]!;
      if (args.length !== 1 || items === null || typeof items !== "object" || items instanceof Uint8Array || (items.t !== "list" && items.t !== "tuple"))
        return ctx.fail("E_PICKLE_STRUCTURE", `set at pickle offset ${ctx.offset} needs a list`);
      for (const x of items.items) s.entries.set(hashKey(x, ctx), x);
      return s;
    },
  });
  for (const m of ["builtins", "__builtin__"]) {
    g.set(`${m}.set`, setLike(false));
    g.set(`${m}.frozenset`, setLike(true));
    g.set(`${m}.bytearray`, {
      call(args, ctx) {
        if (args.length === 0) return new Uint8Array(0);
        if (args.length === 1 && args[0] instanceof Uint8Array) return args[0].slice();
        return ctx.fail("E_PICKLE_STRUCTURE", `bytearray at pickle offset ${ctx.offset} needs bytes`);
      },
    });
  }
  // protocol 2 writes bytes as _codecs.encode(str, 'latin1')
  g.set("_codecs.encode", {
    call(args, ctx) {
      const [s, enc] = args;
      if (typeof s !== "string" || (enc !== "latin1" && enc !== "latin-1"))
        return ctx.fail("E_PICKLE_STRUCTURE", `_codecs.encode at pickle offset ${ctx.offset} only decodes latin1 strings to bytes`);
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 255) return ctx.fail("E_PICKLE_STRUCTURE", `_codecs.encode at pickle offset ${ctx.offset}: character outside latin1`);
        out[i] = c;
      }
      return out;
    },
  });
  if (!weightsOnly) addExtraGlobals(g);
  return g;
}

/** weightsOnly: false adds these known-safe classes (plain data in Python too); they still run no code. */
function addExtraGlobals(g: Map<string, GlobalHandler>): void {
  // argparse.Namespace(**kw) is pickled as NEWOBJ/REDUCE with () and a BUILD of its __dict__
  const namespace: GlobalHandler = {
    call(args, ctx) {
      if (args.length !== 0) return ctx.fail("E_PICKLE_STRUCTURE", `argparse.Namespace at pickle offset ${ctx.offset} takes no positional arguments`);
      return pyObject("Namespace", null, namespace);
    },
    build(target, state) {
      if (!isDict(state)) return false;
      for (const [k] of state.entries.values()) if (typeof k !== "string") return false;
      const d: PyDict = { t: "dict", ordered: false, entries: state.entries, attrs: null };
      target.value = d;
      return true;
    },
  };
  g.set("argparse.Namespace", namespace);
  // numpy scalars: numpy.core.multiarray.scalar(numpy.dtype('f8', False, True) + BUILD, raw bytes)
  const NP_TYPES: Record<string, [string, number]> = {
    f8: ["f64", 8], f4: ["f32", 4], f2: ["f16", 2], i8: ["i64", 8], i4: ["i32", 4], i2: ["i16", 2], i1: ["i8", 1],
    u8: ["u64", 8], u4: ["u32", 4], u2: ["u16", 2], u1: ["u8", 1], b1: ["bool", 1],
  };
  const npDtype: GlobalHandler = {
    call(args, ctx) {
      const [code] = args;
      if (typeof code !== "string" || NP_TYPES[code] === undefined)
        return ctx.fail("E_PICKLE_STRUCTURE", `numpy.dtype at pickle offset ${ctx.offset}: unsupported dtype ${describeValue(code ?? null)}`);
      return pyObject("numpy.dtype", { code, little: true }, npDtype);
    },
    build(target, state) {
      if (!isTuple(state) || state.items.length < 2 || typeof state.items[1] !== "string") return false;
      (target.value as { little: boolean }).little = state.items[1] !== ">";
      return true;
    },
  };
  const npScalar: GlobalHandler = {
    call(args, ctx) {
      const [dt, raw] = args;
      if (!isObj(dt!, "numpy.dtype") || !(raw instanceof Uint8Array))
        return ctx.fail("E_PICKLE_STRUCTURE", `numpy scalar at pickle offset ${ctx.offset} needs a dtype and bytes`);
      const { code, little } = dt.value as { code: string; little: boolean };
      const [kind, n] = NP_TYPES[code]!;
      if (raw.length !== n) return ctx.fail("E_PICKLE_STRUCTURE", `numpy scalar at pickle offset ${ctx.offset} has ${raw.length} bytes, expected ${n}`);
      const dv = new DataView(raw.buffer, raw.byteOffset, n);
      switch (kind) {
        case "f64": return dv.getFloat64(0, little);
        case "f32": return dv.getFloat32(0, little);
        case "f16": return halfToFloat(dv.getUint16(0, little));
        case "i64": return dv.getBigInt64(0, little);
        case "u64": return dv.getBigUint64(0, little);
        case "i32": return BigInt(dv.getInt32(0, little));
        case "u32": return BigInt(dv.getUint32(0, little));
        case "i16": return BigInt(dv.getInt16(0, little));
        case "u16": return BigInt(dv.getUint16(0, little));
        case "i8": return BigInt(dv.getInt8(0));
        case "u8": return BigInt(dv.getUint8(0));
        default: return dv.getUint8(0) !== 0;
      }
    },
  };
  for (const m of ["numpy.core.multiarray", "numpy._core.multiarray"]) g.set(`${m}.scalar`, npScalar);
  g.set("numpy.dtype", npDtype);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

// ---- storages -----------------------------------------------------------------------------------------

/** A typed array over `bytes` (zero-copy when allowed and aligned), byte-swapped from big-endian if asked. */
export function typedFromBytes(dtype: DType, bytes: Uint8Array, zeroCopy: boolean, bigEndian = false): TypedArray {
  const size = ITEMSIZE[dtype], n = bytes.length / size;
  let out: TypedArray;
  if (zeroCopy && !(bigEndian && size > 1) && (bytes.byteOffset % size) === 0) {
    out = viewTyped(dtype, bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
  } else {
    out = allocTyped(dtype, n);
    const raw = new Uint8Array(out.buffer, out.byteOffset, bytes.length);
    raw.set(bytes);
    if (bigEndian && size > 1) {
      for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
    }
  }
  if (dtype === "bool") {
    const u = out as Uint8Array;
    if (u.some((x) => x > 1)) {
      if (out.buffer === bytes.buffer) out = u.slice();
      const c = out as Uint8Array;
      for (let i = 0; i < c.length; i++) c[i] = c[i] ? 1 : 0;
    }
  }
  return out;
}

function viewTyped(dtype: DType, buf: ArrayBuffer, off: number, n: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(buf, off, n);
    case "float64": return new Float64Array(buf, off, n);
    case "int64": return new BigInt64Array(buf, off, n);
    case "int32": return new Int32Array(buf, off, n);
    case "int16": return new Int16Array(buf, off, n);
    case "int8": return new Int8Array(buf, off, n);
    case "uint8": case "bool": return new Uint8Array(buf, off, n);
    case "float16": case "bfloat16": return new Uint16Array(buf, off, n);
  }
}

const LOCATION_RE = /^[a-z_]+(:\d+)?$/;

/** Where a storage saved at `location` goes: only the CPU exists in torchts today. */
function placeStorage(storage: Storage, location: string, typeName: string, map: MapLocation | undefined, ctx: CallContext): Storage {
  let target: string = location;
  if (map !== undefined) {
    if (typeof map === "function") {
      const r = map(storage, location);
      if (r instanceof Storage) return r;
      if (r !== null && r !== undefined) target = String(toDevice(r));
    } else if (typeof map === "string" || map instanceof Device) {
      target = String(toDevice(map));
    } else {
      const m = (map as Record<string, string>)[location];
      if (typeof m === "string") target = m;
    }
  }
  if (target === "cpu") return storage;
  if (target.startsWith("cuda"))
    return ctx.fail("E_DEVICE", "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. " +
      "If you are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map your storages to the CPU.");
  return ctx.fail("E_DEVICE", `don't know how to restore data location of ${typeName} (tagged with ${JSON.stringify(target).slice(1, -1)})`);
}

interface StorageSource {
  /** The bytes of storage `key` (declared as numel elements of dtype), or a CheckpointError. */
  bytes(key: string, dtype: DType, numel: number, ctx: CallContext): Uint8Array;
  zeroCopy: boolean;
  bigEndian: boolean;
  legacy: boolean;
}

function persistentLoader(src: StorageSource, opts: LoadOptions): (pid: PyValue, ctx: CallContext) => PyValue {
  const cache = new Map<string, PyObject>();
  return (pid, ctx) => {
    if (!isTuple(pid) || pid.items[0] !== "storage")
      return ctx.fail("E_PICKLE_STRUCTURE", `BINPERSID at pickle offset ${ctx.offset} is ${describeValue(pid)}, expected a ('storage', ...) tuple`);
    const want = src.legacy ? 6 : 5;
    if (pid.items.length !== want)
      return ctx.fail("E_PICKLE_STRUCTURE", `storage persistent id at pickle offset ${ctx.offset} has ${pid.items.length} fields, expected ${want}`);
    const [, type, key, location, n, view] = pid.items;
    if (type === null || typeof type !== "object" || type instanceof Uint8Array || type.t !== "global")
      return ctx.fail("E_STORAGE", `storage type at pickle offset ${ctx.offset} is ${describeValue(type!)}, expected a storage class`);
    const dtype = STORAGE_TYPES.get(type.name);
    if (dtype === undefined) return ctx.fail("E_STORAGE", `storage type ${type.name} at pickle offset ${ctx.offset} is not supported`);
    if (typeof key !== "string" || !/^[0-9]+$/.test(key) || key.length > 40)
      return ctx.fail("E_ZIP_NAME", `storage key ${JSON.stringify(typeof key === "string" ? key : describeValue(key!))} at pickle offset ${ctx.offset} is not a decimal record name`);
    if (typeof location !== "string" || !LOCATION_RE.test(location))
      return ctx.fail("E_STORAGE", `storage '${key}' at pickle offset ${ctx.offset} has an invalid location ${typeof location === "string" ? JSON.stringify(location) : describeValue(location!)}`);
    const numel = int(n!, `storage '${key}' element count`, ctx);
    if (src.legacy && view !== null)
      return ctx.fail("E_STORAGE", `storage '${key}' at pickle offset ${ctx.offset} is a legacy storage view; those are not supported`);
    const prev = cache.get(key);
    if (prev !== undefined) {
      const p = prev.value as LoadedStorage;
      if (p.dtype !== dtype || p.numel !== numel)
        return ctx.fail("E_STORAGE", `storage '${key}' at pickle offset ${ctx.offset} is declared twice with different types or sizes`);
      return prev;
    }
    const bytes = src.bytes(key, dtype, numel, ctx);
    const storage = placeStorage(new Storage(typedFromBytes(dtype, bytes, src.zeroCopy, src.bigEndian)), location, type.name, opts.mapLocation, ctx);
    const o = pyObject("storage", { storage, dtype, key, numel } satisfies LoadedStorage);
    cache.set(key, o);
    return o;
  };
}

// ---- Python values to JS ----------------------------------------------------------------------------

/** Python -> JS as docs/serialization.md describes; shared values stay shared, cycles stay cycles. */
export function toJs(root: PyValue, maxDepth = 1000): unknown {
  const memo = new Map<object, unknown>();
  const convert = (v: PyValue, depth: number): unknown => {
    if (v === null || typeof v !== "object") {
      if (typeof v === "bigint") return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
      return v;
    }
    if (v instanceof Uint8Array) return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    if (depth > maxDepth) throw new CheckpointError("E_LIMIT", `checkpoint nests containers deeper than ${maxDepth} levels`);
    switch (v.t) {
      case "list": {
        const out: unknown[] = [];
        memo.set(v, out);
        for (const x of v.items) out.push(convert(x, depth + 1));
        return out;
      }
      case "tuple": {
        const out = tuple([] as unknown[]);
        memo.set(v, out);
        for (const x of v.items) out.push(convert(x, depth + 1));
        return out;
      }
      case "set": {
        const out = new Set<unknown>();
        memo.set(v, out);
        for (const x of v.entries.values()) out.add(convert(x, depth + 1));
        return out;
      }
      case "dict": {
        const entries = [...v.entries.values()];
        const strKeys = entries.every(([k]) => typeof k === "string");
        let out: object;
        if (strKeys) {
          const obj: Record<string, unknown> = {};
          for (const [k] of entries) defineKey(obj, k as string, undefined);
          const order = Object.keys(obj);
          if (order.every((k, i) => k === entries[i]![0])) {
            memo.set(v, obj);
            if (v.ordered) {
              const meta = v.attrs?.entries.get("s:_metadata");
              orderedDict(obj, meta !== undefined ? convert(meta[1], depth + 1) : undefined);
            } else plainDict(obj);
            for (const [k, x] of entries) obj[k as string] = convert(x, depth + 1);
            return obj;
          }
        }
        const map = new Map<unknown, unknown>();
        out = map;
        memo.set(v, out);
        for (const [k, x] of entries) map.set(convert(k, depth + 1), convert(x, depth + 1));
        return map;
      }
      case "global": {
        if (v.handler.asValue !== undefined) return v.handler.asValue;
        throw new CheckpointError("E_PICKLE_STRUCTURE", `Python global '${v.name}' cannot be used as a value in a checkpoint`);
      }
      case "object": {
        if (v.kind === "storage") throw new CheckpointError("E_PICKLE_STRUCTURE", "a bare storage cannot be loaded; only tensors");
        if (v.kind === "Namespace") {
          const d = v.value as PyDict | null;
          const out = d === null ? {} : convert(d, depth + 1);
          memo.set(v, out);
          return out;
        }
        if (v.kind === "numpy.dtype") throw new CheckpointError("E_PICKLE_STRUCTURE", "a bare numpy dtype cannot be loaded");
        memo.set(v, v.value);
        return v.value;
      }
    }
  };
  return convert(root, 0);
}

// ---- the two formats --------------------------------------------------------------------------------------

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function loadZip(buf: Uint8Array, opts: LoadOptions, zeroCopy: boolean, lazy: boolean): unknown {
  const zip = readZip(buf);
  const p = zip.prefix + "/";
  for (const name of zip.entries.keys()) {
    const rest = name.slice(p.length);
    if (rest === "constants.pkl" || rest.startsWith("code/") || rest === "constants/")
      throw new CheckpointError("E_UNSUPPORTED_FORMAT", "this is a TorchScript archive; only torch.save checkpoints are supported", { entry: name });
  }
  const version = zip.entries.get(p + "version") ?? zip.entries.get(p + ".data/version");
  if (version === undefined) throw new CheckpointError("E_UNSUPPORTED_FORMAT", `checkpoint has no ${p}version record`);
  const vText = new TextDecoder("latin1").decode(recordBytes(buf, version)).trim();
  if (!/^[123]$/.test(vText))
    throw new CheckpointError("E_UNSUPPORTED_FORMAT", `checkpoint version ${JSON.stringify(vText.slice(0, 20))} is not supported (expected 1..3)`, { entry: version.name });
  let bigEndian = false;
  const bo = zip.entries.get(p + "byteorder");
  if (bo !== undefined) {
    const s = new TextDecoder("latin1").decode(recordBytes(buf, bo));
    if (s !== "little" && s !== "big") throw new CheckpointError("E_UNSUPPORTED_FORMAT", `byteorder record is ${JSON.stringify(s.slice(0, 20))}, expected "little" or "big"`, { entry: bo.name });
    bigEndian = s === "big";
  }
  const pkl = zip.entries.get(p + "data.pkl");
  if (pkl === undefined) throw new CheckpointError("E_UNSUPPORTED_FORMAT", `checkpoint has no ${p}data.pkl record`);
  const pklBytes = recordBytes(buf, pkl);
  const src: StorageSource = {
    zeroCopy, bigEndian, legacy: false,
    bytes(key, dtype, numel, ctx) {
      const name = `${p}data/${key}`;
      const e = zip.entries.get(name);
      if (e === undefined) return ctx.fail("E_STORAGE", `storage '${key}' at pickle offset ${ctx.offset} has no record data/${key}`);
      const want = BigInt(numel) * BigInt(ITEMSIZE[dtype]);
      if (BigInt(e.size) !== want)
        return ctx.fail("E_STORAGE", `storage '${key}' declares ${numel} ${dtype} elements (${want} bytes) but record data/${key} has ${e.size} bytes`);
      return recordBytes(buf, e, !lazy);
    },
  };
  const globals = makeGlobals(opts.weightsOnly ?? true);
  const { value } = unpickle(pklBytes, { globals, persistentLoad: persistentLoader(src, opts), limits: opts.limits, baseOffset: 0, entry: pkl.name });
  return toJs(value, opts.limits?.maxDepth);
}

function loadLegacy(buf: Uint8Array, opts: LoadOptions, zeroCopy: boolean): unknown {
  const plain = new Map<string, GlobalHandler>();
  let pos = 0;
  const next = (what: string, globals: ReadonlyMap<string, GlobalHandler>, persistentLoad?: (pid: PyValue, ctx: CallContext) => PyValue): PyValue => {
    const r = unpickle(buf, { globals, persistentLoad, limits: opts.limits, entry: `legacy ${what}` }, pos);
    pos = r.end;
    return r.value;
  };
  if (next("magic number", plain) !== LEGACY_MAGIC) throw new CheckpointError("E_UNSUPPORTED_FORMAT", "Invalid magic number; corrupt file?", { offset: 0 });
  const proto = next("protocol version", plain);
  if (proto !== 1001n) throw new CheckpointError("E_UNSUPPORTED_FORMAT", `Invalid protocol version: ${describeValue(proto)}`, { offset: pos });
  const sysInfo = next("sys_info", plain);
  const le = isDict(sysInfo) ? sysInfo.entries.get("s:little_endian") : undefined;
  const bigEndian = le !== undefined && le[1] === false;
  const objStart = pos;
  // pass 1: which storages the object declares (dtype, numel), without building anything
  const declared = new Map<string, [DType, number]>();
  const globals = makeGlobals(opts.weightsOnly ?? true);
  next("object", globals, (pid, ctx) => {
    if (!isTuple(pid) || pid.items.length !== 6 || typeof pid.items[2] !== "string")
      return ctx.fail("E_PICKLE_STRUCTURE", `BINPERSID at pickle offset ${ctx.offset} is ${describeValue(pid)}, expected a legacy ('storage', ...) tuple`);
    const t = pid.items[1]!;
    const dtype = t !== null && typeof t === "object" && !(t instanceof Uint8Array) && t.t === "global" ? STORAGE_TYPES.get(t.name) : undefined;
    if (dtype === undefined) return ctx.fail("E_STORAGE", `storage type ${describeValue(t)} at pickle offset ${ctx.offset} is not supported`);
    const key = pid.items[2];
    const numel = int(pid.items[4]!, `storage '${key}' element count`, ctx);
    const prev = declared.get(key);
    if (prev !== undefined && (prev[0] !== dtype || prev[1] !== numel))
      return ctx.fail("E_STORAGE", `storage '${key}' at pickle offset ${ctx.offset} is declared twice with different types or sizes`);
    declared.set(key, [dtype, numel]);
    // a stand-in: the bounds checks see the declared size, nothing is allocated
    return pyObject("storage", { storage: new Storage(allocTyped(dtype, 0)), dtype, key, numel } satisfies LoadedStorage);
  });
  const keys = next("storage keys", plain);
  if (keys === null || typeof keys !== "object" || keys instanceof Uint8Array || keys.t !== "list" || !keys.items.every((k) => typeof k === "string"))
    throw new CheckpointError("E_STORAGE", "legacy checkpoint's storage key list is not a list of strings", { offset: pos });
  const records = new Map<string, Uint8Array>();
  for (const k of keys.items as string[]) {
    const d = declared.get(k);
    if (d === undefined) throw new CheckpointError("E_STORAGE", `legacy storage '${k}' is listed but not declared by the object`, { offset: pos });
    if (pos + 8 > buf.length) throw new CheckpointError("E_ZIP_STRUCTURE", `legacy storage '${k}' at offset ${pos}: file is truncated`, { offset: pos });
    const count = new DataView(buf.buffer, buf.byteOffset + pos, 8).getBigInt64(0, !bigEndian);
    if (count !== BigInt(d[1]))
      throw new CheckpointError("E_STORAGE", `storage '${k}' declares ${d[1]} ${d[0]} elements but its legacy record at offset ${pos} holds ${count}`, { offset: pos });
    pos += 8;
    const n = d[1] * ITEMSIZE[d[0]];
    if (pos + n > buf.length) throw new CheckpointError("E_ZIP_STRUCTURE", `legacy storage '${k}' at offset ${pos} needs ${n} bytes; file is truncated`, { offset: pos });
    records.set(k, buf.subarray(pos, pos + n));
    pos += n;
  }
  if (pos !== buf.length) throw new CheckpointError("E_ZIP_STRUCTURE", `legacy checkpoint has ${buf.length - pos} unexpected trailing bytes at offset ${pos}`, { offset: pos });
  const src: StorageSource = {
    zeroCopy, bigEndian, legacy: true,
    bytes(key, dtype, numel, ctx) {
      const r = records.get(key);
      if (r === undefined) return ctx.fail("E_STORAGE", `storage '${key}' at pickle offset ${ctx.offset} has no legacy record`);
      if (r.length !== numel * ITEMSIZE[dtype]) return ctx.fail("E_STORAGE", `storage '${key}' declares ${numel} ${dtype} elements but its legacy record has ${r.length} bytes`);
      return r;
    },
  };
  pos = objStart;
  const value = next("object", globals, persistentLoader(src, opts));
  return toJs(value, opts.limits?.maxDepth);
}

/**
 * Parses checkpoint bytes. `zeroCopy`: tensors may view `buf` directly (the caller owns it).
 * `lazy` (a memory-mapped file): storage records' CRCs are not computed, so pages are read only
 * when a tensor touches them; every size, name, bound and the pickle are still checked.
 */
export function loadBytes(buf: Uint8Array, opts: LoadOptions = {}, zeroCopy = false, lazy = false): unknown {
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return loadZip(buf, opts, zeroCopy, lazy);
  if (buf.length >= 262 && new TextDecoder("latin1").decode(buf.subarray(257, 262)) === "ustar")
    throw new CheckpointError("E_UNSUPPORTED_FORMAT", "Cannot load files saved in the legacy .tar format: it is not supported (CVE-2025-32434)", { offset: 257 });
  if (buf.length >= 4 && buf[0] === 0x80 && buf[1] === 0x02 && buf[2] === 0x8a && buf[3] === 0x0a) return loadLegacy(buf, opts, zeroCopy);
  if (buf.length === 0) throw new CheckpointError("E_UNSUPPORTED_FORMAT", "checkpoint is empty (0 bytes): file is truncated or not a checkpoint");
  if (buf.length >= 2 && buf[0] === 0x50 && buf[1] === 0x4b)
    throw new CheckpointError("E_ZIP_STRUCTURE", "zip archive does not start with a local file header: file is truncated or corrupt", { offset: 0 });
  throw new CheckpointError("E_UNSUPPORTED_FORMAT", "not a PyTorch checkpoint (neither a zip archive nor the legacy format)", { offset: 0 });
}
