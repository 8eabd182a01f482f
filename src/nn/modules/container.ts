// SPDX-License-Identifier: BSD-3-Clause
// nn.Sequential, nn.ModuleList, nn.ModuleDict, nn.ParameterList, nn.ParameterDict: children are
// fields named like their state keys ("0", "1", ... or the given names), so seq[0], list[i],
// dict["cls"] and plist[0] work as in Python and stateDict() keys are PyTorch's.
// Integer-like names enumerate first in JavaScript, so in a Sequential/ModuleDict built from
// named modules, names like "0" sort before names like "conv1" (PyTorch keeps insertion order).
import { IndexError } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { KeyError, Module, _runsOwnForward } from "../module.js";
import { _linearRelu } from "../functional/activation.js";
import { _conv2dFused } from "../functional/conv.js";
import { Linear } from "./linear.js";
import { Conv2d, _isStockConv2d } from "./conv.js";
import { ReLU } from "./activation.js";
import { Parameter } from "../parameter.js";
import { pyTypename } from "../repr.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Named<T> = Record<string, T> | Map<string, T> | Iterable<[string, T]>;

function entriesOf<T>(src: Named<T>): [string, T][] {
  if (src instanceof Map) return [...src.entries()];
  if (typeof (src as any)[Symbol.iterator] === "function") return [...(src as Iterable<[string, T]>)];
  return Object.entries(src as Record<string, T>);
}

function normIndex(i: number, n: number): number {
  if (!Number.isInteger(i) || i < -n || i >= n) throw new IndexError(`index ${i} is out of range`);
  return i < 0 ? i + n : i;
}

/** Python's slice indices (start, stop) clamped to [0, n]. */
function sliceRange(n: number, start?: number, end?: number): [number, number] {
  const norm = (v: number | undefined, d: number): number => (v === undefined ? d : v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  return [norm(start, 0), norm(end, n)];
}

/** Indexed children of a Sequential/ModuleList ("0", "1", ...), in order. */
function moduleEntries(m: Module): [string, Module][] { return m._ownModules(); }

/** Rewrites the children as "0".."n-1" (PyTorch renumbers after a deletion or insertion). */
function renumber(m: Module, mods: Module[]): void {
  for (const [k] of moduleEntries(m)) delete (m as any)[k];
  mods.forEach((mod, i) => { (m as any)[String(i)] = mod; });
}

export class Sequential extends Module {
  [index: number]: Module;

  /** new nn.Sequential(m0, m1, ...) or new nn.Sequential({ name: module, ... }) / a Map (PyTorch's OrderedDict form). */
  constructor(...args: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    const first = args[0];
    if (args.length === 1 && first !== undefined && !(first instanceof Module)) {
      for (const [k, m] of entriesOf(first as Named<Module>)) this.addModule(k, m);
    } else (args as Module[]).forEach((m, i) => this.addModule(String(i), m));
  }

  get length(): number { return moduleEntries(this).length; }

  /** seq.at(i) is Python's seq[i], negative indices included. */
  at(i: number): Module {
    const e = moduleEntries(this);
    return e[normIndex(i, e.length)]![1];
  }
  /** seq.slice(a, b) is Python's seq[a:b]: a Sequential keeping the children's names. */
  slice(start?: number, end?: number): Sequential {
    const e = moduleEntries(this);
    const [a, b] = sliceRange(e.length, start, end);
    return new Sequential(new Map(e.slice(a, Math.max(a, b))));
  }
  /** seq.set(i, module) is Python's seq[i] = module. */
  set(i: number, module: Module): void {
    const e = moduleEntries(this);
    (this as any)[e[normIndex(i, e.length)]![0]] = module;
  }
  /** del seq[i] / del seq[a:b] then renumbering, as PyTorch. */
  delete(i: number, end?: number): void {
    const mods = moduleEntries(this).map(([, m]) => m);
    if (end === undefined) mods.splice(normIndex(i, mods.length), 1);
    else { const [a, b] = sliceRange(mods.length, i, end); mods.splice(a, Math.max(0, b - a)); }
    renumber(this, mods);
  }

  append(module: Module): this { this.addModule(String(this.length), module); return this; }
  insert(index: number, module: Module): this {
    const mods = moduleEntries(this).map(([, m]) => m);
    const n = mods.length;
    if (!(index >= -n && index <= n)) throw new IndexError(`Index out of range: ${index}`);
    mods.splice(index < 0 ? index + n : index, 0, module);
    renumber(this, mods);
    return this;
  }
  extend(modules: Iterable<Module>): this { for (const m of modules) this.append(m); return this; }
  pop(i = -1): Module {
    const m = this.at(i);
    this.delete(i);
    return m;
  }

  *[Symbol.iterator](): IterableIterator<Module> { for (const [, m] of moduleEntries(this)) yield m; }

  override forward(input: any): any {
    let x = input;
    // the children in _ownModules' order, without building its [name, module] pairs each call
    const keys = Object.keys(this);
    for (let i = 0; i < keys.length; i++) {
      const m = (this as any)[keys[i]!];
      if (!(m instanceof Module)) continue;
      if (x instanceof Tensor && (m instanceof Linear || m instanceof Conv2d)) {
        // a stock Linear / Conv2d followed by a stock ReLU: one fused call where it applies
        let j = i + 1;
        while (j < keys.length && !((this as any)[keys[j]!] instanceof Module)) j++;
        const y = j < keys.length ? fusedWithRelu(m, (this as any)[keys[j]!], x) : null;
        if (y !== null) {
          x = y;
          i = j;
          continue;
        }
      }
      x = m.forward(x);
    }
    return x;
  }
}

/**
 * Inference fast path of Sequential: relu(layer(x)) in one native call (the ReLU in the product's
 * or the convolution's epilogue, bit for bit the separate ops: _linearRelu, _conv2dFused) for a
 * stock Linear or Conv2d (zeros padding) followed by a stock ReLU, where nothing records a graph.
 * Stock: the module's own forward, not overridden, replaced or hooked (_runsOwnForward), so the
 * intermediate result is seen by no one and fusing is invisible. Null where it does not apply
 * (then the modules run one by one).
 */
function fusedWithRelu(m: Module, next: Module, x: Tensor): Tensor | null {
  if (!_runsOwnForward(next, ReLU)) return null;
  if (m instanceof Linear) return _runsOwnForward(m, Linear) ? _linearRelu(x, m.weight, m.bias) : null;
  if (!_isStockConv2d(m)) return null;
  const c = m as Conv2d;
  if (x._storage.device !== "cpu" || c.weight._storage.device !== "cpu" || (c.bias !== null && c.bias._storage.device !== "cpu")) return null;
  return _conv2dFused(x, c.weight, { bias: c.bias, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups },
    null, null, true);
}

export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number { return moduleEntries(this).length; }
  at(i: number): Module {
    const e = moduleEntries(this);
    return e[normIndex(i, e.length)]![1];
  }
  /** list.slice(a, b) is Python's list[a:b]: a new ModuleList of the same modules. */
  slice(start?: number, end?: number): ModuleList {
    const e = moduleEntries(this);
    const [a, b] = sliceRange(e.length, start, end);
    return new ModuleList(e.slice(a, Math.max(a, b)).map(([, m]) => m));
  }
  set(i: number, module: Module): void { (this as any)[String(normIndex(i, this.length))] = module; }
  delete(i: number, end?: number): void {
    const mods = moduleEntries(this).map(([, m]) => m);
    if (end === undefined) mods.splice(normIndex(i, mods.length), 1);
    else { const [a, b] = sliceRange(mods.length, i, end); mods.splice(a, Math.max(0, b - a)); }
    renumber(this, mods);
  }
  append(module: Module): this { this.addModule(String(this.length), module); return this; }
  extend(modules: Iterable<Module>): this { for (const m of [...modules]) this.append(m); return this; }
  /** Python's list.insert: index clamps like Python's. */
  insert(index: number, module: Module): this {
    const mods = moduleEntries(this).map(([, m]) => m);
    const n = mods.length;
    const at = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    mods.splice(at, 0, module);
    renumber(this, mods);
    return this;
  }
  pop(i = -1): Module {
    const m = this.at(i);
    this.delete(i);
    return m;
  }
  *[Symbol.iterator](): IterableIterator<Module> { for (const [, m] of moduleEntries(this)) yield m; }
}

export class ModuleDict extends Module {
  [key: string]: any;

  constructor(modules: Named<Module> = {}) {
    super();
    this.update(modules);
  }
  update(modules: Named<Module>): void {
    for (const [k, m] of entriesOf(modules)) this.addModule(k, m);
  }
  get length(): number { return moduleEntries(this).length; }
  get(key: string): Module {
    if (!this.has(key)) throw new KeyError(`'${key}'`);
    return this[key] as Module;
  }
  set(key: string, module: Module): void { this.addModule(key, module); }
  keys(): string[] { return moduleEntries(this).map(([k]) => k); }
  values(): Module[] { return moduleEntries(this).map(([, m]) => m); }
  items(): [string, Module][] { return moduleEntries(this); }
  has(key: string): boolean { return Object.prototype.hasOwnProperty.call(this, key) && this[key] instanceof Module; }
  pop(key: string): Module {
    const m = this.get(key);
    delete this[key];
    return m;
  }
  clear(): void { for (const k of this.keys()) delete this[k]; }
  *[Symbol.iterator](): IterableIterator<string> { yield* this.keys(); }
}

function paramLine(k: string, p: unknown, dtypeName: (t: Tensor) => string): string {
  if (p instanceof Tensor) {
    const dev = p.isCuda ? ` (GPU ${p.device.index ?? 0})` : "";
    return `  (${k}): ${p instanceof Parameter ? "Parameter" : "Tensor"} containing: [${dtypeName(p)} of size ${p.shape.join("x")}${dev}]`;
  }
  return `  (${k}): Object of type: ${(p as object)?.constructor?.name ?? typeof p}`;
}

const asParam = (v: Tensor): Parameter => (v instanceof Parameter ? v : new Parameter(v));

/** ParameterList: parameters as fields "0", "1", ... (a plain tensor is wrapped in a Parameter, as PyTorch 1.12+). */
export class ParameterList extends Module {
  [index: number]: Parameter;

  constructor(values: Iterable<Tensor> = []) {
    super();
    for (const v of values) this.append(v);
  }
  private entries_(): [string, Parameter][] { return this._ownParameters().filter(([k]) => /^\d+$/.test(k)); }
  get length(): number { return this.entries_().length; }
  at(i: number): Parameter { const e = this.entries_(); return e[normIndex(i, e.length)]![1]; }
  set(i: number, value: Tensor): void { (this as any)[String(normIndex(i, this.length))] = asParam(value); }
  append(value: Tensor): this { (this as any)[String(this.length)] = asParam(value); return this; }
  extend(values: Iterable<Tensor>): this { for (const v of [...values]) this.append(v); return this; }
  *[Symbol.iterator](): IterableIterator<Parameter> { for (const [, p] of this.entries_()) yield p; }
  override extraRepr(): string {
    return this.entries_().map(([k, p]) => paramLine(k, p, (t) => `torch.${t.dtype}`)).join("\n");
  }
}

/** ParameterDict: parameters as fields named by their keys. */
export class ParameterDict extends Module {
  [key: string]: any;

  constructor(parameters: Named<Tensor> = {}) {
    super();
    this.update(parameters);
  }
  update(parameters: Named<Tensor>): void {
    for (const [k, v] of entriesOf(parameters)) this.set(k, v);
  }
  get length(): number { return this._ownParameters().length; }
  get(key: string): Parameter {
    if (!this.has(key)) throw new KeyError(`'${key}'`);
    return this[key] as Parameter;
  }
  set(key: string, value: Tensor): void { this.registerParameter(key, asParam(value)); }
  keys(): string[] { return this._ownParameters().map(([k]) => k); }
  values(): Parameter[] { return this._ownParameters().map(([, p]) => p); }
  items(): [string, Parameter][] { return this._ownParameters(); }
  has(key: string): boolean { return Object.prototype.hasOwnProperty.call(this, key) && this[key] instanceof Parameter; }
  pop(key: string): Parameter {
    const p = this.get(key);
    delete this[key];
    return p;
  }
  clear(): void { for (const k of this.keys()) delete this[k]; }
  *[Symbol.iterator](): IterableIterator<string> { yield* this.keys(); }
  override extraRepr(): string {
    return this._ownParameters().map(([k, p]) => paramLine(k, p, (t) => pyTypename(t))).join("\n");
  }
}
