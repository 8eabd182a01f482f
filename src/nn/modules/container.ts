// SPDX-License-Identifier: BSD-3-Clause
// nn.Sequential, nn.ModuleList, nn.ModuleDict: children are fields named like their state keys
// ("0", "1", ... or the given names), so seq[0], list[i] and dict["cls"] work as in Python.
import { IndexError } from "../../errors.js";
import { Module } from "../module.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
function indexKeys(m: Module): string[] {
  return [...m.namedChildren()].map(([k]) => k);
}

function normIndex(i: number, n: number, what: string): number {
  if (i < -n || i >= n) throw new IndexError(`index ${i} is out of range`.replace("index", what === "" ? "index" : "index"));
  return i < 0 ? i + n : i;
}

export class Sequential extends Module {
  [index: number]: Module;

  /** new nn.Sequential(m0, m1, ...) or new nn.Sequential({ name: module, ... }) / a Map (PyTorch's OrderedDict form). */
  constructor(...args: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    const first = args[0];
    if (args.length === 1 && first !== undefined && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first);
      for (const [k, m] of entries) this.addModule(k, m);
    } else (args as Module[]).forEach((m, i) => this.addModule(String(i), m));
  }

  get length(): number { return indexKeys(this).length; }

  /** seq.at(i) also accepts negative indices; seq.slice(a, b) is Python's seq[a:b]. */
  at(i: number): Module {
    const keys = indexKeys(this);
    return (this as any)[keys[normIndex(i, keys.length, "")]!] as Module;
  }
  slice(start?: number, end?: number): Sequential {
    const entries = [...this.namedChildren()].slice(start, end);
    return new Sequential(new Map(entries));
  }

  append(module: Module): this { this.addModule(String(this.length), module); return this; }

  *[Symbol.iterator](): IterableIterator<Module> { yield* this.children(); }

  override forward(input: any): any {
    let x = input;
    for (const m of this.children()) x = m.forward(x);
    return x;
  }
}

export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number { return indexKeys(this).length; }
  at(i: number): Module {
    const keys = indexKeys(this);
    return (this as any)[keys[normIndex(i, keys.length, "")]!] as Module;
  }
  append(module: Module): this { this.addModule(String(this.length), module); return this; }
  extend(modules: Iterable<Module>): this { for (const m of modules) this.append(m); return this; }
  *[Symbol.iterator](): IterableIterator<Module> { yield* this.children(); }
  override forward(): never { throw new Error("ModuleList has no forward; call its modules"); }
}

export class ModuleDict extends Module {
  [key: string]: any;

  constructor(modules: Record<string, Module> | Map<string, Module> = {}) {
    super();
    this.update(modules);
  }
  update(modules: Record<string, Module> | Map<string, Module>): void {
    const entries = modules instanceof Map ? [...modules.entries()] : Object.entries(modules);
    for (const [k, m] of entries) this.addModule(k, m);
  }
  get length(): number { return indexKeys(this).length; }
  keys(): string[] { return indexKeys(this); }
  values(): Module[] { return [...this.children()]; }
  items(): [string, Module][] { return [...this.namedChildren()]; }
  has(key: string): boolean { return indexKeys(this).includes(key); }
  *[Symbol.iterator](): IterableIterator<string> { yield* indexKeys(this); }
  override forward(): never { throw new Error("ModuleDict has no forward; call its modules"); }
}
