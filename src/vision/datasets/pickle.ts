// SPDX-License-Identifier: BSD-3-Clause
// A restricted unpickler for the data files of datasets (CIFAR's python batches): protocols 0-5
// opcodes for dicts, lists, tuples, strings, bytes, numbers and booleans, and NumPy arrays
// through numpy's own reduce functions. No other global is ever resolved: anything else is refused,
// so a hostile file cannot run code. Python 2 `str` (what the CIFAR files hold) is read as
// torchvision reads it, with encoding="latin1".
import { RuntimeError } from "../../errors.js";
import { fromTypedArray } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

export class UnpicklingError extends RuntimeError {
  constructor(message: string) { super(message); this.name = "UnpicklingError"; }
}

const MARK = Symbol("mark");
type Global = "reconstruct" | "ndarray" | "dtype" | "encode";
const GLOBALS: Record<string, Global> = {
  "numpy.core.multiarray._reconstruct": "reconstruct", "numpy._core.multiarray._reconstruct": "reconstruct",
  "numpy.ndarray": "ndarray", "numpy.dtype": "dtype", "_codecs.encode": "encode",
};

class NpDtype { byteorder = "|"; constructor(readonly code: string) {} }
class NpArray { state: unknown[] | null = null }

const CTORS: Record<string, [new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView & ArrayLike<number | bigint>, number]> = {
  u1: [Uint8Array, 1], i1: [Int8Array, 1], b1: [Uint8Array, 1], i2: [Int16Array, 2], i4: [Int32Array, 4],
  i8: [BigInt64Array, 8], f4: [Float32Array, 4], f8: [Float64Array, 8],
};

function arrayToTensor(a: NpArray): Tensor {
  const st = a.state;
  if (!st || st.length !== 5) throw new UnpicklingError("numpy array: unsupported state");
  const [, shape, dtype, fortran, raw] = st as [number, number[], NpDtype, boolean, string | Uint8Array];
  if (!(dtype instanceof NpDtype)) throw new UnpicklingError("numpy array: bad dtype");
  const spec = CTORS[dtype.code];
  if (!spec) throw new UnpicklingError(`numpy array: unsupported dtype ${dtype.code}`);
  if (dtype.byteorder === ">" && spec[1] > 1) throw new UnpicklingError("numpy array: big-endian data is not supported");
  const bytes = typeof raw === "string" ? Buffer.from(raw, "latin1") : raw;
  const numel = shape.reduce((x, y) => x * y, 1);
  if (bytes.length !== numel * spec[1]) throw new UnpicklingError(`numpy array: ${bytes.length} bytes for shape [${shape.join(", ")}]`);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  let view = new spec[0](copy.buffer, 0, numel) as unknown as Uint8Array;
  if (dtype.code === "b1") view = view;  // stays uint8: 0/1
  const t = fromTypedArray(view, fortran ? [...shape].reverse() : shape);
  return fortran ? t.permute(...shape.map((_, i) => shape.length - 1 - i)).contiguous() : t;
}

/** Loads one pickle. Dicts become plain objects (keys must be strings or numbers). */
export function unpickle(buf: Uint8Array): unknown {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const stack: unknown[] = [], marks: number[] = [], memo = new Map<number, unknown>();
  const need = (n: number) => { if (pos + n > buf.length) throw new UnpicklingError("pickle data was truncated"); };
  const u8 = () => { need(1); return buf[pos++]!; };
  const u16 = () => { need(2); const v = dv.getUint16(pos, true); pos += 2; return v; };
  const u32 = () => { need(4); const v = dv.getUint32(pos, true); pos += 4; return v; };
  const i32 = () => { need(4); const v = dv.getInt32(pos, true); pos += 4; return v; };
  const u64 = () => { need(8); const v = Number(dv.getBigUint64(pos, true)); pos += 8; return v; };
  const bytes = (n: number) => { need(n); const b = buf.subarray(pos, pos + n); pos += n; return b; };
  const line = () => { const e = buf.indexOf(10, pos); if (e < 0) throw new UnpicklingError("pickle data was truncated"); const s = Buffer.from(buf.subarray(pos, e)).toString("latin1"); pos = e + 1; return s; };
  const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
  const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
  const pop = () => { if (stack.length === 0) throw new UnpicklingError("unpickling stack underflow"); return stack.pop(); };
  const top = () => { if (stack.length === 0) throw new UnpicklingError("unpickling stack underflow"); return stack[stack.length - 1]; };
  const popMark = () => { const m = marks.pop(); if (m === undefined) throw new UnpicklingError("could not find MARK"); return stack.splice(m); };
  const setItems = (d: unknown, kv: unknown[]) => {
    if (typeof d !== "object" || d === null || Array.isArray(d)) throw new UnpicklingError("SETITEMS on a non-dict");
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i];
      if (typeof k !== "string" && typeof k !== "number") throw new UnpicklingError("dict keys must be strings or numbers");
      (d as Record<string, unknown>)[String(k)] = kv[i + 1];
    }
  };
  const global = (mod: string, name: string) => {
    const g = GLOBALS[`${mod}.${name}`];
    if (!g) throw new UnpicklingError(`Unsupported global: GLOBAL ${mod}.${name} (only numpy arrays are allowed)`);
    return { global: g };
  };
  const reduce = (f: unknown, args: unknown) => {
    const g = (f as { global?: Global }).global;
    if (!g || !Array.isArray(args)) throw new UnpicklingError("REDUCE of something that is not an allowed global");
    if (g === "reconstruct") return new NpArray();
    if (g === "dtype") return new NpDtype(String(args[0]).replace(/^[<>|=]/, ""));
    if (g === "encode") return new Uint8Array(Buffer.from(String(args[0]), "latin1"));
    throw new UnpicklingError(`${g} cannot be called`);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break;                                   // PROTO
      case 0x95: u64(); break;                                  // FRAME
      case 0x2e: {                                              // STOP
        const v = pop();
        return v instanceof NpArray ? arrayToTensor(v) : v;
      }
      case 0x28: marks.push(stack.length); break;               // MARK
      case 0x7d: stack.push({}); break;                         // EMPTY_DICT
      case 0x5d: stack.push([]); break;                         // EMPTY_LIST
      case 0x29: stack.push([]); break;                         // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break;                  // TUPLE
      case 0x85: stack.push([pop()]); break;                    // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push([a, b]); break; }
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push([a, b, c]); break; }
      case 0x6c: stack.push(popMark()); break;                  // LIST
      case 0x64: { const kv = popMark(), d = {}; setItems(d, kv); stack.push(d); break; } // DICT
      case 0x61: { const v = pop(); (top() as unknown[]).push(v); break; }               // APPEND
      case 0x65: { const vs = popMark(); const l = top(); if (!Array.isArray(l)) throw new UnpicklingError("APPENDS on a non-list"); l.push(...vs); break; }
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; }         // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; }                  // SETITEMS
      case 0x71: memo.set(u8(), top()); break;                  // BINPUT
      case 0x72: memo.set(u32(), top()); break;                 // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break;             // MEMOIZE
      case 0x70: memo.set(Number(line()), top()); break;        // PUT
      case 0x68: case 0x6a: case 0x67: {                        // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(k)) throw new UnpicklingError(`Memo value not found at index ${k}`);
        stack.push(memo.get(k));
        break;
      }
      case 0x4a: stack.push(i32()); break;                      // BININT
      case 0x4b: stack.push(u8()); break;                       // BININT1
      case 0x4d: stack.push(u16()); break;                      // BININT2
      case 0x8a: {                                              // LONG1
        const n = u8(), b = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x49: { const s = line(); stack.push(s === "01" ? true : s === "00" ? false : Number(s)); break; } // INT
      case 0x4c: stack.push(Number(line().replace(/L$/, ""))); break;  // LONG
      case 0x47: { need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT
      case 0x4e: stack.push(null); break;                       // NONE
      case 0x88: stack.push(true); break;                       // NEWTRUE
      case 0x89: stack.push(false); break;                      // NEWFALSE
      case 0x55: stack.push(latin1(bytes(u8()))); break;        // SHORT_BINSTRING
      case 0x54: stack.push(latin1(bytes(u32()))); break;       // BINSTRING
      case 0x58: stack.push(utf8(bytes(u32()))); break;         // BINUNICODE
      case 0x8c: stack.push(utf8(bytes(u8()))); break;          // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(bytes(u64()))); break;         // BINUNICODE8
      case 0x43: stack.push(new Uint8Array(bytes(u8()))); break;   // SHORT_BINBYTES
      case 0x42: stack.push(new Uint8Array(bytes(u32()))); break;  // BINBYTES
      case 0x8e: stack.push(new Uint8Array(bytes(u64()))); break;  // BINBYTES8
      case 0x63: { const mod = line(), name = line(); stack.push(global(mod, name)); break; } // GLOBAL
      case 0x93: { const name = pop(), mod = pop(); stack.push(global(String(mod), String(name))); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(), f = pop(); stack.push(reduce(f, args)); break; }     // REDUCE
      case 0x62: {                                              // BUILD
        const state = pop(), obj = top();
        if (obj instanceof NpArray && Array.isArray(state)) obj.state = state;
        else if (obj instanceof NpDtype && Array.isArray(state)) obj.byteorder = String(state[1]);
        else throw new UnpicklingError("BUILD of an object that is not a numpy array or dtype");
        break;
      }
      default:
        throw new UnpicklingError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${pos - 1}`);
    }
    // numpy arrays are finished by BUILD; turn them into tensors when they are used
    const last = stack[stack.length - 1];
    if (last instanceof NpArray && last.state !== null) stack[stack.length - 1] = arrayToTensor(last);
  }
}
