// SPDX-License-Identifier: BSD-3-Clause
// A restricted pickle machine (reliability.md §2.2, §2.5). It understands the data-only opcodes
// of protocols 2-4 and nothing else; GLOBAL/STACK_GLOBAL resolve only through the static table
// the caller passes (`globals`), never through any module system, and REDUCE/NEWOBJ/BUILD call
// only the handlers in that table. Every length is checked against the bytes that remain, and the
// memo, the object count and the nesting depth are bounded.
import { CheckpointError } from "./errors.js";

// ---- the values the machine works with --------------------------------------------------------------
// Python ints are bigints and floats numbers, so the two stay distinct until the final conversion.

export interface PyList { readonly t: "list"; items: PyValue[] }
export interface PyTuple { readonly t: "tuple"; readonly items: readonly PyValue[]; readonly depth: number }
export interface PyDict {
  readonly t: "dict";
  ordered: boolean;
  /** hash key -> [key, value], in insertion order */
  readonly entries: Map<string, [PyValue, PyValue]>;
  /** attributes set by BUILD (OrderedDict's `_metadata`) */
  attrs: PyDict | null;
}
export interface PySet { readonly t: "set"; readonly entries: Map<string, PyValue>; frozen: boolean }
export interface PyGlobal { readonly t: "global"; readonly name: string; readonly handler: GlobalHandler }
/** A value a global handler built (a tensor, a storage, a device...); `value` is what JS sees. */
export interface PyObject { readonly t: "object"; readonly kind: string; value: unknown; state?: PyValue }

export type PyValue =
  | null | boolean | bigint | number | string | Uint8Array
  | PyList | PyTuple | PyDict | PySet | PyGlobal | PyObject;

export interface CallContext {
  /** Pickle offset of the opcode that called. */
  offset: number;
  fail(code: CheckpointError["code"], message: string): never;
}

export interface GlobalHandler {
  /** REDUCE / NEWOBJ: build a value from the argument tuple. */
  call?(args: readonly PyValue[], ctx: CallContext): PyValue;
  /** BUILD on a value this handler made. Returning false refuses. */
  build?(target: PyObject, state: PyValue, ctx: CallContext): boolean;
  /** What the global itself converts to when it is used as a value (a dtype, say); undefined refuses. */
  asValue?: unknown;
}

export interface UnpickleLimits {
  /** Pickle bytes (default 64 MiB). */
  maxBytes?: number;
  /** Memo entries (default 1e6). */
  maxMemo?: number;
  /** Container nesting (default 1000). */
  maxDepth?: number;
  /** Values created (default 1e7). */
  maxObjects?: number;
}

export interface UnpickleOptions {
  globals: ReadonlyMap<string, GlobalHandler>;
  persistentLoad?: (pid: PyValue, ctx: CallContext) => PyValue;
  limits?: UnpickleLimits;
  /** Added to offsets in messages (where this pickle starts in the file). */
  baseOffset?: number;
  /** For messages: which record this pickle came from. */
  entry?: string;
}

export const OPCODE_NAMES: Record<number, string> = {
  0x28: "MARK", 0x2e: "STOP", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x46: "FLOAT", 0x49: "INT",
  0x4a: "BININT", 0x4b: "BININT1", 0x4c: "LONG", 0x4d: "BININT2", 0x4e: "NONE", 0x50: "PERSID",
  0x51: "BINPERSID", 0x52: "REDUCE", 0x53: "STRING", 0x54: "BINSTRING", 0x55: "SHORT_BINSTRING",
  0x56: "UNICODE", 0x58: "BINUNICODE", 0x61: "APPEND", 0x62: "BUILD", 0x63: "GLOBAL", 0x64: "DICT",
  0x7d: "EMPTY_DICT", 0x65: "APPENDS", 0x67: "GET", 0x68: "BINGET", 0x69: "INST", 0x6a: "LONG_BINGET",
  0x6c: "LIST", 0x5d: "EMPTY_LIST", 0x6f: "OBJ", 0x70: "PUT", 0x71: "BINPUT", 0x72: "LONG_BINPUT",
  0x73: "SETITEM", 0x74: "TUPLE", 0x29: "EMPTY_TUPLE", 0x75: "SETITEMS", 0x47: "BINFLOAT",
  0x80: "PROTO", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x85: "TUPLE1", 0x86: "TUPLE2",
  0x87: "TUPLE3", 0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x8a: "LONG1", 0x8b: "LONG4", 0x42: "BINBYTES",
  0x43: "SHORT_BINBYTES", 0x8c: "SHORT_BINUNICODE", 0x8d: "BINUNICODE8", 0x8e: "BINBYTES8",
  0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX", 0x93: "STACK_GLOBAL",
  0x94: "MEMOIZE", 0x95: "FRAME", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** Modules that are refused whatever a caller's table says (reliability.md §2.2). */
const BLOCKED_MODULES = new Set(["os", "sys", "posix", "nt", "subprocess", "builtins", "__builtin__", "shutil", "socket", "importlib", "runpy", "pickle", "io", "codecs"]);
const BLOCKED_EXCEPT = new Set(["builtins.set", "builtins.frozenset", "builtins.bytearray", "__builtin__.set", "__builtin__.frozenset", "__builtin__.bytearray"]);

export function describeValue(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "float";
  if (typeof v === "string") return "str";
  if (v instanceof Uint8Array) return "bytes";
  if (v.t === "object") return v.kind;
  if (v.t === "global") return `global ${v.name}`;
  return v.t;
}

const MARK = Symbol("mark");
type StackItem = PyValue | typeof MARK;

/** The hash key of a dict key or set element; unhashable values are refused. */
export function hashKey(v: PyValue, ctx: CallContext): string {
  if (v === null) return "n";
  switch (typeof v) {
    case "boolean": return v ? "i:1" : "i:0"; // Python: True == 1
    case "bigint": return "i:" + v.toString();
    case "number": return Number.isInteger(v) && !Object.is(v, -0) ? "i:" + BigInt(v).toString() : "f:" + String(v);
    case "string": return "s:" + v;
    default: break;
  }
  if (v instanceof Uint8Array) return "y:" + Buffer.from(v.buffer, v.byteOffset, v.length).toString("hex");
  if (v.t === "tuple") return "t:(" + v.items.map((x) => hashKey(x, ctx)).join(",") + ")";
  if (v.t === "global") return "g:" + v.name;
  return ctx.fail("E_PICKLE_STRUCTURE", `unhashable type: '${describeValue(v)}' used as a dict key or set element at pickle offset ${ctx.offset}`);
}

function depthOf(v: PyValue): number {
  return v !== null && typeof v === "object" && !(v instanceof Uint8Array) && v.t === "tuple" ? v.depth : 0;
}

/** Runs one pickle (from `start` in `data`) to its STOP; returns the value and where the next byte is. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions, start = 0): { value: PyValue; end: number } {
  const maxBytes = opts.limits?.maxBytes ?? 64 * 1024 * 1024;
  const maxMemo = opts.limits?.maxMemo ?? 1_000_000;
  const maxDepth = opts.limits?.maxDepth ?? 1000;
  const maxObjects = opts.limits?.maxObjects ?? 10_000_000;
  const base = opts.baseOffset ?? 0;
  const where = opts.entry !== undefined ? ` of ${opts.entry}` : "";
  if (data.length - start > maxBytes && opts.entry !== undefined)
    throw new CheckpointError("E_LIMIT", `pickle ${opts.entry} is ${data.length - start} bytes, over the ${maxBytes}-byte limit`, { entry: opts.entry });
  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let objects = 0;
  let pos = start;
  let opPos = start;

  const fail = (code: CheckpointError["code"], message: string): never => {
    throw new CheckpointError(code, message, { offset: base + opPos, entry: opts.entry });
  };
  const ctx: CallContext = { get offset() { return base + opPos; }, fail };

  const need = (n: number, what: string): void => {
    if (n > data.length - pos) fail("E_LIMIT", `${what} length ${n} at offset ${base + opPos}${where} exceeds remaining ${data.length - pos} bytes`);
    if (pos - start + n > maxBytes) fail("E_LIMIT", `pickle at offset ${base + opPos}${where} exceeds the ${maxBytes}-byte limit`);
  };
  const u8 = (): number => { need(1, "opcode argument"); return data[pos++]!; };
  const u16 = (): number => { need(2, "opcode argument"); const v = data[pos]! | (data[pos + 1]! << 8); pos += 2; return v; };
  const u32 = (): number => { need(4, "opcode argument"); const v = (data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24)) >>> 0; pos += 4; return v; };
  const u64 = (what: string): number => {
    const lo = u32(), hi = u32();
    if (hi >= 0x200000) fail("E_LIMIT", `${what} length at offset ${base + opPos}${where} is larger than 2^53`);
    return hi * 0x100000000 + lo;
  };
  const bytes = (n: number, what: string): Uint8Array => { need(n, what); const b = data.subarray(pos, pos + n); pos += n; return b; };
  const text = (n: number, what: string): string => {
    const b = bytes(n, what);
    try { return utf8.decode(b); } catch { return fail("E_PICKLE_STRUCTURE", `${what} at offset ${base + opPos}${where} is not valid UTF-8`); }
  };
  const line = (what: string): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 1024) fail("E_PICKLE_STRUCTURE", `${what} at offset ${base + opPos}${where} has no end of line within 1024 bytes`);
    const s = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };

  const count = (): void => {
    if (++objects > maxObjects) fail("E_LIMIT", `pickle${where} creates more than ${maxObjects} values`);
  };
  const push = (v: PyValue): void => { count(); stack.push(v); };
  const pop = (what: string): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]! + 1))
      fail("E_PICKLE_STRUCTURE", `stack underflow in ${what} at offset ${base + opPos}${where}`);
    return stack.pop() as PyValue;
  };
  const top = (what: string): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]! + 1))
      fail("E_PICKLE_STRUCTURE", `stack underflow in ${what} at offset ${base + opPos}${where}`);
    return stack[stack.length - 1] as PyValue;
  };
  const popMark = (what: string): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) return fail("E_PICKLE_STRUCTURE", `${what} at offset ${base + opPos}${where} without a MARK`);
    const items = stack.splice(m + 1) as PyValue[];
    stack.pop(); // the MARK itself
    return items;
  };
  const tuple = (items: PyValue[]): PyTuple => {
    let d = 0;
    for (const x of items) d = Math.max(d, depthOf(x));
    if (d + 1 > maxDepth) fail("E_LIMIT", `nesting deeper than ${maxDepth} at offset ${base + opPos}${where}`);
    return { t: "tuple", items, depth: d + 1 };
  };
  const resolveGlobal = (module: string, name: string): PyGlobal => {
    const full = `${module}.${name}`;
    const safeName = JSON.stringify(full).slice(1, -1);
    const handler = opts.globals.get(full);
    const blocked = BLOCKED_MODULES.has(module.split(".")[0]!) && !BLOCKED_EXCEPT.has(full);
    if (handler === undefined || blocked)
      return fail("E_GLOBAL_NOT_ALLOWED", `checkpoint refers to Python global '${safeName}' at pickle offset ${base + opPos}${where}, which is not in the allowlist; loading stopped (nothing was executed)`);
    return { t: "global", name: full, handler };
  };
  const setItem = (target: PyValue, k: PyValue, v: PyValue, what: string): void => {
    if (target === null || typeof target !== "object" || target instanceof Uint8Array || target.t !== "dict")
      fail("E_PICKLE_STRUCTURE", `${what} target at offset ${base + opPos}${where} is ${describeValue(target)}, expected dict`);
    const d = target as PyDict;
    const h = hashKey(k, ctx);
    const old = d.entries.get(h);
    if (old !== undefined) old[1] = v; else d.entries.set(h, [k, v]);
  };
  const listTarget = (target: PyValue, what: string): PyList => {
    if (target === null || typeof target !== "object" || target instanceof Uint8Array || target.t !== "list")
      return fail("E_PICKLE_STRUCTURE", `${what} target at offset ${base + opPos}${where} is ${describeValue(target)}, expected list`);
    return target;
  };
  const callGlobal = (fn: PyValue, args: PyValue, what: string): PyValue => {
    if (fn === null || typeof fn !== "object" || fn instanceof Uint8Array || fn.t !== "global" || fn.handler.call === undefined)
      return fail("E_PICKLE_STRUCTURE", `${what} at offset ${base + opPos}${where} calls ${describeValue(fn)}, which is not an allowed callable`);
    if (args === null || typeof args !== "object" || args instanceof Uint8Array || args.t !== "tuple")
      return fail("E_PICKLE_STRUCTURE", `${what} arguments at offset ${base + opPos}${where} are ${describeValue(args)}, expected tuple`);
    return fn.handler.call(args.items, ctx);
  };

  for (;;) {
    opPos = pos;
    if (pos >= data.length) fail("E_PICKLE_STRUCTURE", `pickle${where} ends at offset ${base + pos} without STOP: file is truncated`);
    const op = data[pos++]!;
    switch (op) {
      case 0x80: { const v = u8(); if (v < 2 || v > 4) fail("E_PICKLE_OPCODE", `unsupported pickle protocol ${v} at offset ${base + opPos}${where}`); break; }
      case 0x95: { const n = u64("FRAME"); need(n, "FRAME"); break; }
      case 0x2e: { // STOP
        if (marks.length > 0 || stack.length !== 1)
          fail("E_PICKLE_STRUCTURE", `STOP at offset ${base + opPos}${where} with ${stack.length} values on the stack (expected 1)`);
        return { value: stack.pop() as PyValue, end: pos };
      }
      case 0x28: marks.push(stack.length); stack.push(MARK); break;
      case 0x30: pop("POP"); break;
      case 0x31: popMark("POP_MARK"); break;
      case 0x32: push(top("DUP")); break;
      case 0x4a: { const v = u32() | 0; push(BigInt(v)); break; }
      case 0x4b: push(BigInt(u8())); break;
      case 0x4d: push(BigInt(u16())); break;
      case 0x8a: case 0x8b: {
        const n = op === 0x8a ? u8() : u32();
        if (n > 1024) fail("E_LIMIT", `LONG4 length ${n} at offset ${base + opPos}${where} exceeds the 1024-byte integer limit`);
        const b = bytes(n, OPCODE_NAMES[op]!);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        push(v);
        break;
      }
      case 0x4e: push(null); break;
      case 0x88: push(true); break;
      case 0x89: push(false); break;
      case 0x47: { need(8, "BINFLOAT"); const v = new DataView(data.buffer, data.byteOffset + pos, 8).getFloat64(0, false); pos += 8; push(v); break; }
      case 0x58: push(text(u32(), "BINUNICODE")); break;
      case 0x8c: push(text(u8(), "SHORT_BINUNICODE")); break;
      case 0x8d: push(text(u64("BINUNICODE8"), "BINUNICODE8")); break;
      case 0x55: case 0x54: { // Python 2 str: UTF-8 where valid, else latin-1
        const n = op === 0x55 ? u8() : u32();
        if (op === 0x54 && n >= 0x80000000) fail("E_LIMIT", `BINSTRING length ${n} at offset ${base + opPos}${where} is negative`);
        const b = bytes(n, OPCODE_NAMES[op]!);
        let s: string;
        try { s = utf8.decode(b); } catch { s = latin1.decode(b); }
        push(s);
        break;
      }
      case 0x43: push(bytes(u8(), "SHORT_BINBYTES").slice()); break;
      case 0x42: push(bytes(u32(), "BINBYTES").slice()); break;
      case 0x8e: push(bytes(u64("BINBYTES8"), "BINBYTES8").slice()); break;
      case 0x5d: push({ t: "list", items: [] }); break;
      case 0x6c: push({ t: "list", items: popMark("LIST") }); break;
      case 0x61: { const v = pop("APPEND"); listTarget(top("APPEND"), "APPEND").items.push(v); break; }
      case 0x65: { const items = popMark("APPENDS"); const l = listTarget(top("APPENDS"), "APPENDS"); for (const x of items) l.items.push(x); break; }
      case 0x29: push(tuple([])); break;
      case 0x74: push(tuple(popMark("TUPLE"))); break;
      case 0x85: { const a = pop("TUPLE1"); push(tuple([a])); break; }
      case 0x86: { const b = pop("TUPLE2"), a = pop("TUPLE2"); push(tuple([a, b])); break; }
      case 0x87: { const c = pop("TUPLE3"), b = pop("TUPLE3"), a = pop("TUPLE3"); push(tuple([a, b, c])); break; }
      case 0x7d: push({ t: "dict", ordered: false, entries: new Map(), attrs: null }); break;
      case 0x64: {
        const items = popMark("DICT");
        if (items.length % 2) fail("E_PICKLE_STRUCTURE", `DICT at offset ${base + opPos}${where} has an odd number of items`);
        const d: PyDict = { t: "dict", ordered: false, entries: new Map(), attrs: null };
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!, "DICT");
        push(d);
        break;
      }
      case 0x73: { const v = pop("SETITEM"), k = pop("SETITEM"); setItem(top("SETITEM"), k, v, "SETITEM"); break; }
      case 0x75: {
        const items = popMark("SETITEMS");
        if (items.length % 2) fail("E_PICKLE_STRUCTURE", `SETITEMS at offset ${base + opPos}${where} has an odd number of items`);
        const d = top("SETITEMS");
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!, "SETITEMS");
        break;
      }
      case 0x8f: push({ t: "set", entries: new Map(), frozen: false }); break;
      case 0x90: {
        const items = popMark("ADDITEMS");
        const s = top("ADDITEMS");
        if (s === null || typeof s !== "object" || s instanceof Uint8Array || s.t !== "set" || s.frozen)
          fail("E_PICKLE_STRUCTURE", `ADDITEMS target at offset ${base + opPos}${where} is ${describeValue(s)}, expected set`);
        for (const x of items) (s as PySet).entries.set(hashKey(x, ctx), x);
        break;
      }
      case 0x91: {
        const items = popMark("FROZENSET");
        const s: PySet = { t: "set", entries: new Map(), frozen: true };
        for (const x of items) s.entries.set(hashKey(x, ctx), x);
        push(s);
        break;
      }
      case 0x63: { const module = line("GLOBAL module"); const name = line("GLOBAL name"); push(resolveGlobal(module, name)); break; }
      case 0x93: {
        const name = pop("STACK_GLOBAL"), module = pop("STACK_GLOBAL");
        if (typeof name !== "string" || typeof module !== "string") fail("E_PICKLE_STRUCTURE", `STACK_GLOBAL at offset ${base + opPos}${where} needs two strings`);
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop("REDUCE"), fn = pop("REDUCE"); push(callGlobal(fn, args, "REDUCE")); break; }
      case 0x81: { const args = pop("NEWOBJ"), cls = pop("NEWOBJ"); push(callGlobal(cls, args, "NEWOBJ")); break; }
      case 0x62: { // BUILD
        const state = pop("BUILD");
        const target = top("BUILD");
        if (target !== null && typeof target === "object" && !(target instanceof Uint8Array)) {
          if (target.t === "dict" && target.ordered) {
            if (state === null) break;
            if (typeof state === "object" && !(state instanceof Uint8Array) && state.t === "dict") { target.attrs = state; break; }
          } else if (target.t === "object") {
            const h = (target as PyObject & { handler?: GlobalHandler }).handler;
            if (h?.build !== undefined && h.build(target, state, ctx)) break;
          }
        }
        fail("E_PICKLE_STRUCTURE", `BUILD at offset ${base + opPos}${where} on ${describeValue(target)} with ${describeValue(state)} state is not allowed`);
        break;
      }
      case 0x51: {
        const pid = pop("BINPERSID");
        if (opts.persistentLoad === undefined) fail("E_PICKLE_STRUCTURE", `BINPERSID at offset ${base + opPos}${where}: this pickle may not refer to storages`);
        push(opts.persistentLoad!(pid, ctx));
        break;
      }
      case 0x71: case 0x72: case 0x94: {
        const idx = op === 0x71 ? u8() : op === 0x72 ? u32() : memo.size;
        if (!memo.has(idx) && memo.size >= maxMemo) fail("E_LIMIT", `memo exceeds ${maxMemo} entries at offset ${base + opPos}${where}`);
        memo.set(idx, top(OPCODE_NAMES[op]!));
        break;
      }
      case 0x68: case 0x6a: {
        const idx = op === 0x68 ? u8() : u32();
        const v = memo.get(idx);
        if (v === undefined) fail("E_PICKLE_STRUCTURE", `memo index ${idx} at offset ${base + opPos}${where} is missing`);
        push(v!);
        break;
      }
      default: {
        const name = OPCODE_NAMES[op];
        fail("E_PICKLE_OPCODE", `unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")}${name ? ` (${name})` : ""} at offset ${base + opPos}${where}`);
      }
    }
  }
}

/** Makes a handler-owned object that BUILD can reach. */
export function pyObject(kind: string, value: unknown, handler?: GlobalHandler): PyObject {
  const o: PyObject & { handler?: GlobalHandler } = { t: "object", kind, value };
  if (handler !== undefined) Object.defineProperty(o, "handler", { value: handler, enumerable: false });
  return o;
}
