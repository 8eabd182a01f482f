// SPDX-License-Identifier: BSD-3-Clause
// How values cross between the main thread and DataLoader worker threads: PyTorch pickles the
// dataset into each worker; this is the same idea for JS. Data (numbers, strings, arrays, plain
// objects, Maps, Sets, typed arrays) is structured-cloned; tensors keep their layout and either
// share memory (SharedArrayBuffer) or have their buffers transferred (no copy); class instances
// and functions travel by reference to the module that exports them (like pickle's module +
// qualname) and are rebuilt there: `new Class(...args)` when the object implements the
// `workerSpec` hook, otherwise `Object.create(Class.prototype)` plus its own fields (pickle's
// default `__dict__` restore).
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { RuntimeError } from "../errors.js";
import { Generator } from "../tensor/random.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";
import type { DType, TypedArray } from "../tensor/dtype.js";

/**
 * The hook an object implements to say how a DataLoader worker rebuilds it:
 *
 * ```ts
 * class Shards extends IterableDataset<number> {
 *   static moduleUrl = import.meta.url;          // where the class is exported
 *   #files: string[];
 *   constructor(files: string[]) { super(); this.#files = files; }
 *   [workerSpec]() { return { args: [this.#files] }; }   // the worker runs new Shards(files)
 * }
 * ```
 *
 * `args` may hold anything that can cross (tensors, other datasets, transforms, exported
 * functions); `class` overrides which exported class is constructed.
 */
export const workerSpec: unique symbol = Symbol.for("torchts.data.workerSpec") as never;

export interface WorkerSpec {
  args: readonly unknown[];
  class?: abstract new (...args: never[]) => unknown;
}

/** A class or function as the worker finds it: a module URL and the export path inside it. */
export interface Ref { url: string; path: string[] }

type Node =
  | null | undefined | boolean | number | bigint | string
  | { $: "arr"; id: number; v: Node[] }
  | { $: "parr"; id: number; v: unknown[] }
  | { $: "obj"; id: number; e: [string, Node][] }
  | { $: "map"; id: number; e: [Node, Node][] }
  | { $: "set"; id: number; v: Node[] }
  | { $: "clone"; id: number; v: unknown }
  | { $: "st"; id: number; data: TypedArray }
  | { $: "t"; id: number; st: Node; dtype: DType; shape: number[]; strides: number[]; offset: number; rg: boolean }
  | { $: "gen"; id: number; state: Uint8Array }
  | { $: "inst"; id: number; cls: number; e: [string, Node][] }
  | { $: "spec"; id: number; cls: number; args: Node }
  | { $: "fn"; ref: number }
  | { $: "ref"; id: number };

/** An encoded value: post it (with `transfer`) and decode it on the other side. */
export interface Encoded { root: Node; refs: Ref[] }

/** "share": tensors go to SharedArrayBuffers (once per storage; the dataset into workers).
 * "move": tensor buffers are transferred, except those in `keep` (copied), and shared ones. */
export type Mode = "share" | "move";

// ---- finding classes and functions in importable modules --------------------------------------

const isModuleNamespace = (v: unknown) => Object.prototype.toString.call(v) === "[object Module]";
const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object") return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};

/** Where `target` is exported in `root` (module namespaces and plain objects, 4 levels deep). */
function findIn(root: unknown, target: unknown): string[] | null {
  const seen = new Set<unknown>();
  let level: [unknown, string[]][] = [[root, []]];
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: [unknown, string[]][] = [];
    for (const [obj, path] of level) {
      if (seen.has(obj)) continue;
      seen.add(obj);
      for (const key of Object.keys(obj as object)) {
        let v: unknown;
        try { v = (obj as Record<string, unknown>)[key]; } catch { continue; }
        if (v === target) return [...path, key];
        if (isModuleNamespace(v) || isPlain(v)) next.push([v, [...path, key]]);
      }
    }
    level = next;
  }
  return null;
}

const importCache = new Map<string, Promise<unknown>>();
export function importModule(url: string): Promise<unknown> {
  let p = importCache.get(url);
  if (!p) { p = import(url); importCache.set(url, p); }
  return p;
}

/** torchts's own public modules: built-in datasets, transforms and functions are found here. */
const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
const builtinRoots = [new URL(`./index.${ext}`, import.meta.url).href, new URL(`../index.${ext}`, import.meta.url).href, new URL(`../vision/index.${ext}`, import.meta.url).href];

const refCache = new Map<unknown, Ref | null>();

/**
 * Finds the module that exports `fn` (a class or function): its own `moduleUrl` (a static
 * `moduleUrl = import.meta.url`; also on functions: `myCollate.moduleUrl = import.meta.url`),
 * then the `workerModule` URLs given to the DataLoader and the modules of the classes met so
 * far (a function exported beside the dataset class is found), then torchts itself.
 */
export async function resolveRef(fn: object, extraModules: readonly string[]): Promise<Ref | null> {
  const key = fn;
  if (refCache.has(key)) return refCache.get(key)!;
  const own = (fn as { moduleUrl?: unknown }).moduleUrl;
  const candidates = [...new Set([...(typeof own === "string" ? [own] : []), ...extraModules, ...builtinRoots])];
  let deferred: string | null = null;
  for (const url of candidates) {
    // The program's entry module may still be evaluating (a top-level await on the training
    // loop): importing it here would wait for itself. Take it by name; the worker checks.
    if (url === entryUrl) { deferred ??= url; continue; }
    let mod: unknown;
    try { mod = await importModule(url); } catch (e) {
      if (url === own || extraModules.includes(url))
        throw new RuntimeError(`DataLoader workers: cannot import ${url} (the module that should export ${nameOf(fn)}): ${(e as Error).message}`);
      continue;
    }
    const path = findIn(mod, fn);
    if (path) {
      const ref = { url, path };
      refCache.set(key, ref);  // a place that exports it stays valid, whatever the loader
      return ref;
    }
  }
  const name = (fn as { name?: unknown }).name;
  if (deferred !== null && typeof name === "string" && name !== "") return { url: deferred, path: [name] };
  return null;
}

/** The URL of the program's entry module (process.argv[1]), or null. */
const entryUrl = (() => {
  const main = process.argv[1];
  if (!main) return null;
  try { return pathToFileURL(realpathSync(main)).href; } catch { return null; }
})();

const nameOf = (fn: object) => (typeof fn === "function" && fn.name ? fn.name : "(anonymous)");

// ---- encoding -----------------------------------------------------------------------------------

const sharedCopies = new WeakMap<Storage, TypedArray>();

let sabSupport: boolean | undefined;
/**
 * Whether the native kernels accept tensors over SharedArrayBuffers (the addon must take the data
 * pointer from napi_get_typedarray_info; Napi::ArrayBuffer rejects a SharedArrayBuffer). When
 * they do not, the dataset's tensors are copied into each worker once, at its start.
 */
export function sharedMemorySupported(): boolean {
  if (sabSupport === undefined) {
    try {
      const t = new Tensor(new Storage(new Float32Array(new SharedArrayBuffer(8))), [2], [1], 0, "float32");
      sabSupport = t.add(1).sum().item() === 2;
    } catch {
      sabSupport = false;
    }
  }
  return sabSupport;
}

/** The storage's elements in a SharedArrayBuffer (copied once per storage, then reused). */
function shared(storage: Storage): TypedArray {
  const data = storage.data;
  if (data.buffer instanceof SharedArrayBuffer || !sharedMemorySupported()) return data;
  let s = sharedCopies.get(storage);
  if (!s) {
    const Ctor = data.constructor as new (b: SharedArrayBuffer) => TypedArray;
    s = new Ctor(new SharedArrayBuffer(data.byteLength));
    (s as unknown as { set(a: TypedArray): void }).set(data);
    sharedCopies.set(storage, s);
  }
  return s;
}

const isTypedArray = (v: unknown): v is TypedArray => ArrayBuffer.isView(v) && !(v instanceof DataView);

/** Every ArrayBuffer that tensors and typed arrays inside `v` live in (samples a batch came from). */
export function collectBuffers(v: unknown, out: Set<ArrayBufferLike> = new Set(), seen = new Set<unknown>(), depth = 0): Set<ArrayBufferLike> {
  if (v === null || typeof v !== "object" || seen.has(v) || depth > 32) return out;
  seen.add(v);
  if (v instanceof Tensor) { out.add(v._storage.data.buffer); return out; }
  if (ArrayBuffer.isView(v)) { out.add(v.buffer); return out; }
  if (Array.isArray(v) || v instanceof Set) { for (const x of v) collectBuffers(x, out, seen, depth + 1); return out; }
  if (v instanceof Map) { for (const x of v.values()) collectBuffers(x, out, seen, depth + 1); return out; }
  for (const k of Object.keys(v)) collectBuffers((v as Record<string, unknown>)[k], out, seen, depth + 1);
  return out;
}

class Encoder {
  private readonly memo = new Map<object, number>();
  private nextId = 0;
  readonly refs: Ref[] = [];
  private readonly refIdx = new Map<object, number>();
  readonly missing = new Map<object, string>();
  readonly transfer = new Set<ArrayBuffer>();

  constructor(private readonly mode: Mode, private readonly known: Map<object, Ref | null>,
    private readonly keep: Set<ArrayBufferLike>) {}

  /** The moduleUrls of the classes met: functions exported beside a dataset class are found there. */
  readonly hints = new Set<string>();

  private ref(fn: object, path: string): number {
    const url = (fn as { moduleUrl?: unknown }).moduleUrl;
    if (typeof url === "string") this.hints.add(url);
    const r = this.known.get(fn);
    if (!r) {
      if (!this.missing.has(fn)) this.missing.set(fn, path);
      return -1;
    }
    let i = this.refIdx.get(fn);
    if (i === undefined) { i = this.refs.push(r) - 1; this.refIdx.set(fn, i); }
    return i;
  }

  enc(v: unknown, path: string): Node {
    if (v === null || v === undefined || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || typeof v === "string")
      return v;
    if (typeof v === "symbol") throw new RuntimeError(`DataLoader workers: can't send ${path}: a symbol cannot cross threads`);
    if (typeof v === "function") return { $: "fn", ref: this.ref(v, path) };
    const obj = v as object;
    const seenId = this.memo.get(obj);
    if (seenId !== undefined) return { $: "ref", id: seenId };
    const id = this.nextId++;
    this.memo.set(obj, id);
    if (obj instanceof Tensor) {
      if (obj.device.toString() !== "cpu") throw new RuntimeError(`DataLoader workers: can't send ${path}: only CPU tensors cross threads (got one on ${obj.device.toString()})`);
      let t = obj;
      const buf = t._storage.data.buffer;
      // a view into a tensor the dataset keeps (a sample of a TensorDataset, batchSize: null):
      // copy just the view, not its whole storage
      if (this.mode === "move" && !(buf instanceof SharedArrayBuffer) && this.keep.has(buf) && t.numel() < t._storage.length)
        t = t.detach().clone();
      return { $: "t", id, st: this.storage(t._storage), dtype: t.dtype, shape: [...t._shape], strides: [...t._strides], offset: t._offset, rg: obj.requiresGrad };
    }
    if (obj instanceof Generator) return { $: "gen", id, state: obj.getState() };
    if (Array.isArray(obj)) {
      if (obj.every((x) => x === null || (typeof x !== "object" && typeof x !== "function" && typeof x !== "symbol")))
        return { $: "parr", id, v: obj };
      return { $: "arr", id, v: obj.map((x, i) => this.enc(x, `${path}[${i}]`)) };
    }
    if (isTypedArray(obj) || obj instanceof ArrayBuffer || obj instanceof DataView) {
      const buf = (obj instanceof ArrayBuffer ? obj : obj.buffer);
      if (this.mode === "move" && buf instanceof ArrayBuffer && !this.keep.has(buf)) this.transfer.add(buf);
      return { $: "clone", id, v: obj };
    }
    if (obj instanceof Date || obj instanceof RegExp || obj instanceof Error) return { $: "clone", id, v: obj };
    if (obj instanceof Map) return { $: "map", id, e: [...obj].map(([k, x], i) => [this.enc(k, `${path}.keys[${i}]`), this.enc(x, `${path}.get(${String(k)})`)]) };
    if (obj instanceof Set) return { $: "set", id, v: [...obj].map((x, i) => this.enc(x, `${path}.values[${i}]`)) };
    if (isPlain(obj)) return { $: "obj", id, e: Object.keys(obj).map((k) => [k, this.enc((obj as Record<string, unknown>)[k], `${path}.${k}`)]) };
    const hook = (obj as { [workerSpec]?: () => WorkerSpec })[workerSpec];
    if (typeof hook === "function") {
      const spec = hook.call(obj);
      const cls = this.ref(spec.class ?? obj.constructor, path);
      return { $: "spec", id, cls, args: this.enc([...spec.args], `${path}[workerSpec]().args`) };
    }
    if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof WeakRef)
      throw new RuntimeError(`DataLoader workers: can't send ${path}: a ${obj.constructor.name} cannot cross threads`);
    const cls = this.ref(obj.constructor, path);
    return { $: "inst", id, cls, e: Object.keys(obj).map((k) => [k, this.enc((obj as Record<string, unknown>)[k], `${path}.${k}`)]) };
  }

  private readonly storages = new Map<Storage, Node>();
  private storage(st: Storage): Node {
    const seen = this.storages.get(st);
    if (seen !== undefined) return seen;
    let data = st.data;
    if (this.mode === "share") data = shared(st);
    else if (!(data.buffer instanceof SharedArrayBuffer)) {
      if (this.keep.has(data.buffer)) data = data.slice() as TypedArray;  // the dataset still holds it: copy
      this.transfer.add(data.buffer as ArrayBuffer);
    }
    const node: Node = { $: "st", id: this.nextId++, data };
    this.storages.set(st, { $: "ref", id: node.id });
    return node;
  }
}

/** Nice explanation of what to do when a class or function cannot be found. */
function missingError(fn: object, path: string, what: string): RuntimeError {
  const kind = typeof fn === "function" && /^class\b/.test(Function.prototype.toString.call(fn)) ? "class" : "function";
  const name = nameOf(fn);
  const own = (fn as { moduleUrl?: unknown }).moduleUrl;
  if (kind === "function" && name === "(anonymous)")
    return new RuntimeError(`Can't send ${what} to DataLoader workers: ${path} is an anonymous function (an arrow function or closure), which cannot be sent to a worker thread (as PyTorch cannot pickle a lambda). Make it a named function exported from a module, and pass \`workerModule: import.meta.url\` (that module) to the DataLoader. See docs/data.md.`);
  const hint = typeof own === "string"
    ? `${name}.moduleUrl is ${own}, but that module does not export it: export it from there.`
    : kind === "class"
      ? `Export the class from a module and add \`static moduleUrl = import.meta.url;\` to it (or pass \`workerModule: import.meta.url\`, the exporting module, to the DataLoader).`
      : `Export the function from a module and pass \`workerModule: import.meta.url\` (that module) to the DataLoader, or set \`${name}.moduleUrl = import.meta.url\`. Closures cannot be sent (as PyTorch cannot pickle local functions).`;
  return new RuntimeError(`Can't send ${what} to DataLoader workers: ${path} is ${kind} ${name}, which the workers cannot import. ${hint} See docs/data.md.`);
}

/**
 * Encodes `value` for postMessage. Classes and functions are looked up (importing modules as
 * needed), so this is async; `transfer` lists the buffers to transfer.
 */
export async function encode(value: unknown, opts: { mode: Mode; what: string; path: string; workerModules?: readonly string[]; keep?: Set<ArrayBufferLike> }):
  Promise<{ encoded: Encoded; transfer: ArrayBuffer[] }> {
  const known = new Map<object, Ref | null>();
  for (;;) {
    const e = new Encoder(opts.mode, known, opts.keep ?? new Set());
    const root = e.enc(value, opts.path);
    if (e.missing.size === 0) return { encoded: { root, refs: e.refs }, transfer: [...e.transfer] };
    for (const [fn, path] of e.missing) {
      const r = await resolveRef(fn, [...(opts.workerModules ?? []), ...e.hints]);
      if (!r) throw missingError(fn, path, opts.what);
      known.set(fn, r);
    }
  }
}

// ---- decoding -----------------------------------------------------------------------------------

/** Rebuilds an encoded value: imports the modules its classes and functions come from. */
export async function decode(enc: Encoded): Promise<unknown> {
  const resolved: unknown[] = [];
  for (const r of enc.refs) {
    let v = await importModule(r.url);
    for (const k of r.path) v = (v as Record<string, unknown>)[k];
    if (v === undefined)
      throw new RuntimeError(`DataLoader worker: ${r.url} does not export ${r.path.join(".")}: export it under that name (the workers import it from there)`);
    resolved.push(v);
  }
  return decodeSync(enc, resolved);
}

/** @internal Decoding when the value has no classes or functions (the common batch). */
export function decodeSync(enc: Encoded, resolved: readonly unknown[] = []): unknown {
  const byId = new Map<number, unknown>();
  const define = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  const dec = (n: Node): unknown => {
    if (n === null || typeof n !== "object") return n;
    switch (n.$) {
      case "ref": {
        if (!byId.has(n.id)) throw new RuntimeError("DataLoader worker: a value refers to itself while it is being rebuilt (cycle through a workerSpec)");
        return byId.get(n.id);
      }
      case "parr": byId.set(n.id, n.v); return n.v;
      case "arr": { const a: unknown[] = []; byId.set(n.id, a); for (const x of n.v) a.push(dec(x)); return a; }
      case "obj": { const o: Record<string, unknown> = {}; byId.set(n.id, o); for (const [k, x] of n.e) define(o, k, dec(x)); return o; }
      case "map": { const m = new Map(); byId.set(n.id, m); for (const [k, x] of n.e) m.set(dec(k), dec(x)); return m; }
      case "set": { const s = new Set(); byId.set(n.id, s); for (const x of n.v) s.add(dec(x)); return s; }
      case "clone": byId.set(n.id, n.v); return n.v;
      case "st": { const s = new Storage(n.data); byId.set(n.id, s); return s; }
      case "t": {
        const t = new Tensor(dec(n.st) as Storage, n.shape, n.strides, n.offset, n.dtype);
        if (n.rg) t.requiresGrad = true;
        byId.set(n.id, t);
        return t;
      }
      case "gen": { const g = new Generator(); g.setState(n.state); byId.set(n.id, g); return g; }
      case "fn": return resolved[n.ref];
      case "inst": {
        const cls = resolved[n.cls] as { prototype: object };
        const o = Object.create(cls.prototype) as object;
        byId.set(n.id, o);
        for (const [k, x] of n.e) define(o, k, dec(x));
        return o;
      }
      case "spec": {
        const cls = resolved[n.cls] as new (...a: unknown[]) => unknown;
        const o = new cls(...(dec(n.args) as unknown[]));
        byId.set(n.id, o);
        return o;
      }
    }
  };
  return dec(enc.root);
}
