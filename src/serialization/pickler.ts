// SPDX-License-Identifier: BSD-3-Clause
// The pickle torch.save writes (reliability.md §1.2, §1.4): protocol 2, GLOBAL (never
// STACK_GLOBAL), tensors as torch._utils._rebuild_tensor_v2 over ('storage', ...) persistent ids,
// one storage record per Storage, the same object memoized once.
import { CheckpointError } from "./errors.js";
import { PyFloat, isOrderedDict, isPlainDict, isTuple, plainDict } from "./values.js";
import { Tensor } from "../tensor/tensor.js";
import { Storage } from "../tensor/storage.js";
import { Device } from "../tensor/device.js";
import { type DType, ITEMSIZE } from "../tensor/dtype.js";
import { Parameter } from "../nn/parameter.js";

const STORAGE_CLASS: Record<DType, string> = {
  float64: "DoubleStorage", float32: "FloatStorage", float16: "HalfStorage", bfloat16: "BFloat16Storage",
  int64: "LongStorage", int32: "IntStorage", int16: "ShortStorage", int8: "CharStorage", uint8: "ByteStorage", bool: "BoolStorage",
};

/** A storage record to write: `data/<key>`, its bytes a view of the storage (never copied). */
export interface StorageRecord { key: string; bytes: Uint8Array }

const enc = new TextEncoder();

class Out {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(1 << 16);
  private n = 0;
  byte(b: number): void { if (this.n === this.cur.length) this.flush(); this.cur[this.n++] = b; }
  bytes(b: Uint8Array): void {
    if (b.length > this.cur.length - this.n) { this.flush(); if (b.length > this.cur.length) { this.chunks.push(b.slice()); return; } }
    this.cur.set(b, this.n); this.n += b.length;
  }
  u16(v: number): void { this.byte(v & 0xff); this.byte((v >>> 8) & 0xff); }
  u32(v: number): void { this.u16(v & 0xffff); this.u16(v >>> 16); }
  private flush(): void { if (this.n) this.chunks.push(this.cur.slice(0, this.n)); this.n = 0; }
  result(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    return Buffer.concat(this.chunks);
  }
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Two's-complement little-endian bytes, as LONG1 wants (minimal length). */
function longBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
    const last = out[out.length - 1]!;
    if ((x === 0n && !(last & 0x80)) || (x === -1n && last & 0x80)) break;
  }
  return Uint8Array.from(out);
}

/**
 * Whether torch.save writes a plain object as collections.OrderedDict: when marked so (loaded
 * OrderedDicts, serialization.orderedDict), or, unmarked, when every value is a tensor (what
 * nn.Module.stateDict() returns). Loaded dicts carry a mark that keeps them dicts.
 */
export function savesAsOrderedDict(o: object): boolean {
  if (isOrderedDict(o)) return true;
  if (isPlainDict(o)) return false;
  const values = Object.values(o);
  return values.length > 0 && values.every((x) => x instanceof Tensor);
}

export class Pickler {
  private out = new Out();
  private memo = new Map<unknown, number>();
  private inProgress = new Set<unknown>();
  private storageKeys = new Map<Storage, Map<DType, string>>();
  readonly records: StorageRecord[] = [];

  constructor() { this.out.byte(0x80); this.out.byte(2); }

  finish(root: unknown): Uint8Array {
    this.save(root, "obj");
    this.out.byte(0x2e); // STOP
    return this.out.result();
  }

  private put(obj: unknown): void {
    const i = this.memo.size;
    this.memo.set(obj, i);
    if (i < 256) { this.out.byte(0x71); this.out.byte(i); } else { this.out.byte(0x72); this.out.u32(i); }
  }
  private get(obj: unknown): boolean {
    const i = this.memo.get(obj);
    if (i === undefined) return false;
    if (i < 256) { this.out.byte(0x68); this.out.byte(i); } else { this.out.byte(0x6a); this.out.u32(i); }
    return true;
  }
  private global(module: string, name: string): void {
    const key = `global:${module}.${name}`;
    if (this.get(key)) return;
    this.out.byte(0x63);
    this.out.bytes(enc.encode(`${module}\n${name}\n`));
    this.put(key);
  }
  private str(s: string): void {
    const b = enc.encode(s);
    this.out.byte(0x58); this.out.u32(b.length); this.out.bytes(b);
  }
  private int(v: bigint): void {
    if (v >= 0n && v < 256n) { this.out.byte(0x4b); this.out.byte(Number(v)); }
    else if (v >= 0n && v < 65536n) { this.out.byte(0x4d); this.out.u16(Number(v)); }
    else if (v >= -(2n ** 31n) && v < 2n ** 31n) { this.out.byte(0x4a); this.out.u32(Number(v) >>> 0); }
    else {
      const b = longBytes(v);
      if (b.length > 255) throw new CheckpointError("E_SAVE", `integer ${v} is too large to save`);
      this.out.byte(0x8a); this.out.byte(b.length); this.out.bytes(b);
    }
  }
  private float(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    this.out.byte(0x47); this.out.bytes(b);
  }
  private tupleOf(items: readonly unknown[], path: string): void {
    if (items.length === 0) { this.out.byte(0x29); return; }
    if (items.length <= 3) {
      items.forEach((x, i) => this.save(x, `${path}[${i}]`));
      this.out.byte(0x84 + items.length);
      return;
    }
    this.out.byte(0x28);
    items.forEach((x, i) => this.save(x, `${path}[${i}]`));
    this.out.byte(0x74);
  }
  private emptyOrderedDict(): void {
    this.global("collections", "OrderedDict");
    this.out.byte(0x29); this.out.byte(0x52);
  }
  private setItems(entries: [unknown, unknown][], path: string): void {
    for (let i = 0; i < entries.length; i += 1000) {
      const batch = entries.slice(i, i + 1000);
      if (batch.length === 1) { this.save(batch[0]![0], path); this.save(batch[0]![1], `${path}[${String(batch[0]![0])}]`); this.out.byte(0x73); continue; }
      this.out.byte(0x28);
      for (const [k, v] of batch) { this.save(k, path); this.save(v, `${path}[${String(k)}]`); }
      this.out.byte(0x75);
    }
  }

  private storageKey(t: Tensor): string {
    const s = t._storage;
    let byDtype = this.storageKeys.get(s);
    if (byDtype === undefined) { byDtype = new Map(); this.storageKeys.set(s, byDtype); }
    let key = byDtype.get(t.dtype);
    if (key === undefined) {
      key = String(this.records.length);
      byDtype.set(t.dtype, key);
      const d = s.data;
      this.records.push({ key, bytes: new Uint8Array(d.buffer, d.byteOffset, d.length * ITEMSIZE[t.dtype]) });
    }
    return key;
  }

  private tensor(t: Tensor, path: string): void {
    if (t.device.type !== "cpu") throw new CheckpointError("E_SAVE", `tensor at ${path} is on ${t.device}; only CPU tensors can be saved`);
    const param = t instanceof Parameter;
    if (param) this.global("torch._utils", "_rebuild_parameter");
    this.global("torch._utils", "_rebuild_tensor_v2");
    this.out.byte(0x28);
    // the persistent id ('storage', torch.<T>Storage, key, 'cpu', numel)
    const key = this.storageKey(t);
    this.out.byte(0x28);
    this.str("storage");
    this.global("torch", STORAGE_CLASS[t.dtype]);
    this.str(key);
    this.str("cpu");
    this.int(BigInt(t._storage.data.length));
    this.out.byte(0x74);
    this.out.byte(0x51); // BINPERSID
    this.int(BigInt(t._offset));
    this.tupleOf(t._shape, path);
    this.tupleOf(t._strides, path);
    this.out.byte(!param && t.requiresGrad ? 0x88 : 0x89);
    this.emptyOrderedDict();
    this.out.byte(0x74);
    this.out.byte(0x52);
    if (param) {
      this.out.byte(t.requiresGrad ? 0x88 : 0x89);
      this.emptyOrderedDict();
      this.out.byte(0x87); // TUPLE3
      this.out.byte(0x52);
    }
    this.put(t);
  }

  private save(v: unknown, path: string): void {
    if (v === null || v === undefined) { this.out.byte(0x4e); return; }
    switch (typeof v) {
      case "boolean": this.out.byte(v ? 0x88 : 0x89); return;
      case "number":
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.int(BigInt(v)); else this.float(v);
        return;
      case "bigint": this.int(v); return;
      case "string": this.str(v); return;
      case "object": break;
      default: throw new CheckpointError("E_SAVE", `cannot save a ${typeof v} (at ${path})`);
    }
    const o = v as object;
    if (o instanceof PyFloat) { this.float(o.value); return; }
    if (this.get(o)) return;
    if (this.inProgress.has(o)) throw new CheckpointError("E_SAVE", `cannot save a tuple that contains itself (at ${path})`);
    if (o instanceof Tensor) { this.tensor(o, path); return; }
    if (o instanceof Device) {
      this.global("torch", "device");
      this.str(o.type);
      if (o.index !== null) { this.int(BigInt(o.index)); this.out.byte(0x86); } else this.out.byte(0x85);
      this.out.byte(0x52);
      this.put(o);
      return;
    }
    if (o instanceof Uint8Array) {
      // bytes, as protocol 2 writes them: _codecs.encode(latin1 text, 'latin1')
      this.global("_codecs", "encode");
      let s = "";
      for (let i = 0; i < o.length; i += 4096) s += String.fromCharCode(...o.subarray(i, i + 4096));
      this.str(s); this.str("latin1"); this.out.byte(0x86); this.out.byte(0x52);
      this.put(o);
      return;
    }
    if (Array.isArray(o)) {
      if (isTuple(o)) {
        this.inProgress.add(o);
        this.tupleOf(o, path);
        this.inProgress.delete(o);
        this.put(o);
        return;
      }
      this.out.byte(0x5d); this.put(o);
      for (let i = 0; i < o.length; i += 1000) {
        const batch = o.slice(i, i + 1000);
        if (batch.length === 1) { this.save(batch[0], `${path}[${i}]`); this.out.byte(0x61); continue; }
        this.out.byte(0x28);
        batch.forEach((x, j) => this.save(x, `${path}[${i + j}]`));
        this.out.byte(0x65);
      }
      return;
    }
    if (o instanceof Map) {
      this.out.byte(0x7d); this.put(o);
      this.setItems([...o.entries()], path);
      return;
    }
    if (o instanceof Set) {
      this.global("builtins", "set");
      this.out.byte(0x5d);
      const items = [...o];
      if (items.length) { this.out.byte(0x28); items.forEach((x) => this.save(x, path)); this.out.byte(0x65); }
      this.out.byte(0x85); this.out.byte(0x52);
      this.put(o);
      return;
    }
    if (ArrayBuffer.isView(o)) throw new CheckpointError("E_SAVE", `cannot save a ${o.constructor.name} (at ${path}); wrap it in a tensor with torch.fromTypedArray`);
    if (!isPlainObject(o)) throw new CheckpointError("E_SAVE", `cannot save an object of class ${o.constructor?.name ?? "?"} (at ${path}); save its stateDict() or plain data`);
    const entries: [unknown, unknown][] = Object.entries(o);
    // an optimizer's state dict: PyTorch's `state` has int keys (param indices)
    if (Array.isArray(o["param_groups"]) && typeof o["state"] === "object" && o["state"] !== null && isPlainObject(o["state"] as object)) {
      const i = entries.findIndex(([k]) => k === "state");
      const st = o["state"] as Record<string, unknown>;
      if (Object.keys(st).every((k) => /^(0|[1-9][0-9]*)$/.test(k)) && !this.memo.has(st))
        entries[i] = ["state", new Map(Object.entries(st).map(([k, x]) => [Number(k), x !== null && typeof x === "object" && isPlainObject(x) && !isOrderedDict(x) ? plainDict({ ...x }) : x]))];
    }
    if (!savesAsOrderedDict(o)) {
      this.out.byte(0x7d); this.put(o);
      this.setItems(entries, path);
      return;
    }
    this.emptyOrderedDict();
    this.put(o);
    this.setItems(entries, path);
    const meta = (o as { _metadata?: unknown })._metadata;
    if (meta !== undefined && !Object.prototype.propertyIsEnumerable.call(o, "_metadata")) {
      this.out.byte(0x7d);
      this.str("_metadata");
      this.save(meta, `${path}._metadata`);
      this.out.byte(0x73);
      this.out.byte(0x62); // BUILD
    }
  }
}
