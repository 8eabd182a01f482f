// SPDX-License-Identifier: BSD-3-Clause
// The allowlist of torch.load: exactly the Python globals a checkpoint needs, each a handler in a
// static table (reliability.md §2.2). Tensor and Parameter rebuilds check every argument (types,
// sizes, strides, offsets against the storage) before a tensor is made.
import { type CallContext, type GlobalHandler, type PyDict, type PyObject, type PyTuple, type PyValue, describeValue, hashKey, pyObject } from "./unpickler.js";
import { Tensor } from "../tensor/tensor.js";
import type { Storage } from "../tensor/storage.js";
import { type DType, isFloatingPoint } from "../tensor/dtype.js";
import { toDevice } from "../tensor/device.js";
import { Parameter } from "../nn/parameter.js";

export const STORAGE_TYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ["torch.DoubleStorage", "float64"], ["torch.FloatStorage", "float32"], ["torch.HalfStorage", "float16"],
  ["torch.BFloat16Storage", "bfloat16"], ["torch.LongStorage", "int64"], ["torch.IntStorage", "int32"],
  ["torch.ShortStorage", "int16"], ["torch.CharStorage", "int8"], ["torch.ByteStorage", "uint8"],
  ["torch.BoolStorage", "bool"],
]);
export const UNSUPPORTED_STORAGES = new Set(["torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage", "torch.QUInt8Storage", "torch.QInt32Storage", "torch.UntypedStorage"]);

const DTYPE_GLOBALS: Record<string, DType> = {
  float32: "float32", float: "float32", float64: "float64", double: "float64", float16: "float16", half: "float16",
  bfloat16: "bfloat16", int64: "int64", long: "int64", int32: "int32", int: "int32", int16: "int16", short: "int16",
  int8: "int8", uint8: "uint8", bool: "bool",
};

/** A storage as the unpickler sees it. */
export interface LoadedStorage { storage: Storage; dtype: DType; key: string; numel: number }

export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// ---- argument checks -------------------------------------------------------------------------------

export function isObj(v: PyValue, kind?: string): v is PyObject {
  return v !== null && typeof v === "object" && !(v instanceof Uint8Array) && v.t === "object" && (kind === undefined || v.kind === kind);
}
export function isTuple(v: PyValue): v is PyTuple {
  return v !== null && typeof v === "object" && !(v instanceof Uint8Array) && v.t === "tuple";
}
export function isDict(v: PyValue): v is PyDict {
  return v !== null && typeof v === "object" && !(v instanceof Uint8Array) && v.t === "dict";
}
export function int(v: PyValue, what: string, ctx: CallContext, min = 0n): number {
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
      ctx.fail("E_VIEW_BOUNDS", `${ctx.key !== undefined ? `tensor '${JSON.stringify(ctx.key).slice(1, -1)}' ` : "tensor "}(size [${size.join(", ")}], stride [${sd.items.map(String).join(", ")}], offset ${offset}) at pickle offset ${ctx.offset} has a negative stride`);
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
  const name = ctx.key !== undefined ? `tensor '${JSON.stringify(ctx.key).slice(1, -1)}' ` : "tensor ";
  const desc = `${name}(size [${size.join(", ")}], stride [${stride.join(", ")}], offset ${offset}) at pickle offset ${ctx.offset}`;
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

export function makeGlobals(weightsOnly: boolean): Map<string, GlobalHandler> {
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
