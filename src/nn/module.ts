// SPDX-License-Identifier: BSD-3-Clause
// nn.Module (API.md rule 7). Parameters and submodules are registered by assigning them to
// fields: the registries are the object's own enumerable fields, read in insertion order, so
// stateDict() keys come out in PyTorch's order without a Proxy. Buffers are tensors whose field
// names were declared with registerBuffer. Module bookkeeping lives in non-enumerable fields.
import { noGrad } from "../autograd/grad-mode.js";
import { RuntimeError } from "../errors.js";
import { toDType, type DType, type DTypeLike } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { Device, type DeviceLike } from "../tensor/device.js";
import { Parameter, setData } from "./parameter.js";
import { addIndent, pySize } from "./repr.js";

export interface RemovableHandle { remove(): void; readonly id: number }
/* eslint-disable @typescript-eslint/no-explicit-any */
export type ForwardPreHook = (module: Module, args: any[]) => any[] | any | void;
export type ForwardHook = (module: Module, args: any[], output: any) => any;
export type StateDict = Record<string, Tensor>;
export interface LoadResult { missingKeys: string[]; unexpectedKeys: string[] }

let nextHookId = 0;

function hidden(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: false, configurable: true });
}

export class Module {
  /** train() / eval() mode. */
  declare training: boolean;
  /** @internal names of registered buffers (in registration order) and the non-persistent ones */
  declare _bufferNames: string[];
  declare _nonPersistent: Set<string>;
  declare _forwardPreHooks: Map<number, ForwardPreHook>;
  declare _forwardHooks: Map<number, ForwardHook>;

  constructor() {
    hidden(this, "training", true);
    hidden(this, "_bufferNames", []);
    hidden(this, "_nonPersistent", new Set<string>());
    hidden(this, "_forwardPreHooks", new Map());
    hidden(this, "_forwardHooks", new Map());
    // Wrap the subclass's forward so hooks run whenever forward is called (net.forward(x) is
    // Python's net(x)); the prototype chain is complete here, so this is the most-derived forward.
    const impl = this.forward;
    hidden(this, "forward", (...args: any[]) => this._callImpl(impl, args));
  }

  forward(..._args: any[]): any {
    throw new RuntimeError(`Module [${this._getName()}] is missing the required "forward" function`);
  }

  private _callImpl(impl: (...a: any[]) => any, args: any[]): any {
    if (this._forwardPreHooks.size === 0 && this._forwardHooks.size === 0) return impl.apply(this, args);
    for (const hook of [...this._forwardPreHooks.values()]) {
      const r = hook(this, args);
      if (r !== undefined) args = Array.isArray(r) ? r : [r];
    }
    let out = impl.apply(this, args);
    for (const hook of [...this._forwardHooks.values()]) {
      const r = hook(this, args, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardPreHooks.set(id, hook);
    return { id, remove: () => { this._forwardPreHooks.delete(id); } };
  }

  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardHooks.set(id, hook);
    return { id, remove: () => { this._forwardHooks.delete(id); } };
  }

  // ---- registration ---------------------------------------------------------------------------

  private _checkName(name: string, kind: string): void {
    if (typeof name !== "string") throw new TypeError(`${kind} name should be a string. Got ${typeof name}`);
    if (name.includes(".")) throw new KeyError(`${kind} name can't contain "."`);
    if (name === "") throw new KeyError(`${kind} name can't be empty string ""`);
  }

  registerParameter(name: string, param: Parameter | null): void {
    this._checkName(name, "parameter");
    if (param !== null && !(param instanceof Parameter))
      throw new TypeError(`cannot assign '${(param as object).constructor.name}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    (this as any)[name] = param;
  }

  registerBuffer(name: string, tensor: Tensor | null, { persistent = true }: { persistent?: boolean } = {}): void {
    this._checkName(name, "buffer");
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new TypeError(`cannot assign '${(tensor as object)?.constructor?.name}' object to buffer '${name}' (torch Tensor or None required)`);
    if (!this._bufferNames.includes(name)) this._bufferNames.push(name);
    if (persistent) this._nonPersistent.delete(name); else this._nonPersistent.add(name);
    (this as any)[name] = tensor;
  }

  registerModule(name: string, module: Module | null): void {
    this._checkName(name, "module");
    (this as any)[name] = module;
  }
  addModule(name: string, module: Module | null): void { this.registerModule(name, module); }

  // ---- the registries, read from the fields ----------------------------------------------------

  /** [name, parameter] of this module's own parameters, in field order. */
  _ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const k of Object.keys(this)) {
      const v = (this as any)[k];
      if (v instanceof Parameter && !this._bufferNames.includes(k)) out.push([k, v]);
    }
    return out;
  }

  _ownBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const k of this._bufferNames) {
      const v = (this as any)[k];
      if (v instanceof Tensor) out.push([k, v]);
    }
    return out;
  }

  *namedChildren(): IterableIterator<[string, Module]> {
    const seen = new Set<Module>();
    for (const k of Object.keys(this)) {
      const v = (this as any)[k];
      if (v instanceof Module && !seen.has(v)) { seen.add(v); yield [k, v]; }
    }
  }
  *children(): IterableIterator<Module> { for (const [, m] of this.namedChildren()) yield m; }

  *namedModules(memo: Set<Module> = new Set(), prefix = "", removeDuplicate = true): IterableIterator<[string, Module]> {
    if (removeDuplicate && memo.has(this)) return;
    if (removeDuplicate) memo.add(this);
    yield [prefix, this];
    for (const k of Object.keys(this)) {
      const v = (this as any)[k];
      if (v instanceof Module) yield* v.namedModules(memo, prefix ? `${prefix}.${k}` : k, removeDuplicate);
    }
  }
  *modules(): IterableIterator<Module> { for (const [, m] of this.namedModules()) yield m; }

  *namedParameters(prefix = "", recurse = true, removeDuplicate = true): IterableIterator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(new Set(), prefix, removeDuplicate) : [[prefix, this]];
    for (const [mp, m] of mods)
      for (const [k, p] of m._ownParameters()) {
        if (removeDuplicate && seen.has(p)) continue;
        seen.add(p);
        yield [mp ? `${mp}.${k}` : k, p];
      }
  }
  *parameters(recurse = true): IterableIterator<Parameter> { for (const [, p] of this.namedParameters("", recurse)) yield p; }

  *namedBuffers(prefix = "", recurse = true, removeDuplicate = true): IterableIterator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(new Set(), prefix, removeDuplicate) : [[prefix, this]];
    for (const [mp, m] of mods)
      for (const [k, b] of m._ownBuffers()) {
        if (removeDuplicate && seen.has(b)) continue;
        seen.add(b);
        yield [mp ? `${mp}.${k}` : k, b];
      }
  }
  *buffers(recurse = true): IterableIterator<Tensor> { for (const [, b] of this.namedBuffers("", recurse)) yield b; }

  getSubmodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      const next = (mod as any)[item];
      if (next === undefined || next === null || !Object.prototype.hasOwnProperty.call(mod, item))
        throw new AttributeError(`${mod._getName()} has no attribute \`${item}\``);
      if (!(next instanceof Module)) throw new AttributeError(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  getParameter(target: string): Parameter {
    const i = target.lastIndexOf(".");
    const mod = this.getSubmodule(i < 0 ? "" : target.slice(0, i));
    const name = target.slice(i + 1);
    const p = (mod as any)[name];
    if (p === undefined) throw new AttributeError(`${mod._getName()} has no attribute \`${name}\``);
    if (!(p instanceof Parameter)) throw new AttributeError(`\`${name}\` is not an nn.Parameter`);
    return p;
  }

  // ---- modes and bulk changes ----------------------------------------------------------------

  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TypeError("training mode is expected to be boolean");
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  eval(): this { return this.train(false); }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else {
        if (p.grad.gradFn !== null) p.grad = p.grad.detach(); else p.grad.requiresGrad_(false);
        p.grad.zero_();
      }
    }
  }

  /** Applies fn to every parameter (and its grad) and buffer, keeping the Parameter objects (param.data = fn(param)). */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const m of this.modules()) {
      for (const [, p] of m._ownParameters()) {
        noGrad(() => {
          const n = fn(p);
          if (n !== p) setData(p, n);
          if (p.grad !== null) { const g = fn(p.grad); if (g !== p.grad) setData(p.grad, g); }
        });
      }
      for (const [k, b] of m._ownBuffers()) (m as any)[k] = noGrad(() => fn(b));
    }
    return this;
  }

  /** to(dtype) casts floating-point parameters and buffers; to(device) moves everything. */
  to(...args: (DTypeLike | DeviceLike | { dtype?: DTypeLike; device?: DeviceLike } | Tensor)[]): this {
    let dtype: DType | null = null;
    let device: string | null = null;
    for (const a of args) {
      if (a instanceof Tensor) { dtype = a.dtype; device = String(a.device); }
      else if (a instanceof Device) device = String(a);
      else if (typeof a === "object" && a !== null) {
        const o = a as { dtype?: DTypeLike; device?: DeviceLike };
        if (o.dtype !== undefined) dtype = toDType(o.dtype);
        if (o.device !== undefined) device = String(o.device);
      } else if (typeof a === "string" && /^(cpu|cuda|meta)/.test(a)) device = a;
      else dtype = toDType(a as DTypeLike);
    }
    if (dtype !== null && !["float16", "bfloat16", "float32", "float64"].includes(dtype))
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    return this._apply((t) => {
      let r = t;
      if (device !== null) r = r.to(device);
      if (dtype !== null && r.isFloatingPoint()) r = r.to(dtype);
      return r;
    });
  }
  float(): this { return this._apply((t) => (t.isFloatingPoint() ? t.float() : t)); }
  double(): this { return this._apply((t) => (t.isFloatingPoint() ? t.double() : t)); }
  half(): this { return this._apply((t) => (t.isFloatingPoint() ? t.half() : t)); }
  cpu(): this { return this._apply((t) => t.cpu()); }
  cuda(device?: DeviceLike): this { return this._apply((t) => t.cuda(device)); }

  // ---- state ------------------------------------------------------------------------------

  /** Parameters then persistent buffers of each module, depth first, keys as PyTorch's. */
  stateDict({ keepVars = false, prefix = "", destination }: { keepVars?: boolean; prefix?: string; destination?: StateDict } = {}): StateDict {
    const out: StateDict = destination ?? {};
    for (const [k, p] of this._ownParameters()) out[prefix + k] = keepVars ? p : p.detach();
    for (const [k, b] of this._ownBuffers()) if (!this._nonPersistent.has(k)) out[prefix + k] = keepVars ? b : b.detach();
    for (const [k, c] of this.namedChildren()) c.stateDict({ keepVars, prefix: `${prefix}${k}.`, destination: out });
    return out;
  }

  loadStateDict(stateDict: StateDict | Map<string, Tensor>, { strict = true }: { strict?: boolean } = {}): LoadResult {
    const sd: Map<string, Tensor> = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const missingKeys: string[] = [], errors: string[] = [];
    const expected = new Set<string>();
    const visit = (m: Module, prefix: string): void => {
      const local: [string, Tensor][] = [...m._ownParameters(), ...m._ownBuffers().filter(([k]) => !m._nonPersistent.has(k))];
      for (const [k, t] of local) {
        const key = prefix + k;
        expected.add(key);
        const input = sd.get(key);
        if (input === undefined) { missingKeys.push(key); continue; }
        if (!(input instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof input}`);
          continue;
        }
        const same = input._shape.length === t._shape.length && input._shape.every((s, i) => s === t._shape[i]);
        if (!same) {
          errors.push(`size mismatch for ${key}: copying a param with shape ${pySize(input._shape)} from checkpoint, the shape in current model is ${pySize(t._shape)}.`);
          continue;
        }
        noGrad(() => t.copy_(input));
      }
      for (const [k, c] of m.namedChildren()) visit(c, `${prefix}${k}.`);
    };
    visit(this, "");
    const unexpectedKeys = [...sd.keys()].filter((k) => !expected.has(k));
    if (strict) {
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length > 0)
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join("\n\t")}`);
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ------------------------------------------------------------------------------

  _getName(): string { return this.constructor.name; }

  /** The text inside the parentheses of this module's line (PyTorch's extra_repr). */
  extraRepr(): string { return ""; }

  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [k, c] of this.namedChildren()) childLines.push(`(${k}): ${addIndent(String(c), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = this._getName() + "(";
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
      else s += "\n  " + lines.join("\n  ") + "\n";
    }
    return s + ")";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
}

/** Python's KeyError. */
export class KeyError extends Error { override name = "KeyError"; }
/** Python's AttributeError. */
export class AttributeError extends Error { override name = "AttributeError"; }
