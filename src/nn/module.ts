// SPDX-License-Identifier: BSD-3-Clause
// nn.Module (API.md rule 7). Parameters and submodules are registered by assigning them to
// fields: the registries are the object's own enumerable fields, read in insertion order, so
// stateDict() keys come out in PyTorch's order without a Proxy. Buffers are tensors whose field
// names were declared with registerBuffer. Module bookkeeping lives in non-enumerable fields.
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { RuntimeError, ValueError, KeyError, AssertionError, AttributeError } from "../errors.js";
import { toDType, type DType, type DTypeLike } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { Device, type DeviceLike } from "../tensor/device.js";
import { isAvailable as cudaAvailable } from "../cuda.js";
import { Parameter, setData } from "./parameter.js";
import { addIndent, pySize, pyTypename } from "./repr.js";

export interface RemovableHandle { remove(): void; readonly id: number }
/* eslint-disable @typescript-eslint/no-explicit-any */
/** hook(module, args): return nothing to keep the inputs, an array (or one value) to replace them. */
export type ForwardPreHook = (module: Module, args: any[]) => any[] | any | void;
/** hook(module, args, output): return nothing to keep the output, anything else to replace it. */
export type ForwardHook = (module: Module, args: any[], output: any) => any;
/** hook(module, gradInput, gradOutput): return nothing, or an array replacing gradInput. */
export type BackwardHook = (module: Module, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void;
/** hook(module, gradOutput): return nothing, or an array replacing gradOutput. */
export type BackwardPreHook = (module: Module, gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void;
export type StateDict = Record<string, Tensor>;
/** PyTorch's state_dict()._metadata: the `_version` of each module, keyed by its dotted path ("" is the root). */
export type StateDictMetadata = Record<string, { version: number }>;
export interface LoadResult { missingKeys: string[]; unexpectedKeys: string[] }
export interface NamedOptions { prefix?: string; recurse?: boolean; removeDuplicate?: boolean }
export interface HookOptions { prepend?: boolean }
export interface ForwardHookOptions extends HookOptions { alwaysCall?: boolean }

let nextHookId = 0;

function hidden(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: false, configurable: true });
}

// The forward wrappers Module's constructor installs (see _runsOwnForward).
const installedForwards = new WeakSet<object>();

function addHook<H>(map: Map<number, H>, hook: H, prepend = false): RemovableHandle {
  const id = nextHookId++;
  if (prepend) {
    const rest = [...map.entries()];
    map.clear();
    map.set(id, hook);
    for (const [k, v] of rest) map.set(k, v);
  } else map.set(id, hook);
  return { id, remove: () => { map.delete(id); } };
}

/** Reads namedParameters(prefix, recurse, removeDuplicate) or namedParameters({ prefix, recurse, removeDuplicate }). */
function namedArgs(a: unknown[]): Required<NamedOptions> {
  const o = (typeof a[0] === "object" && a[0] !== null ? a[0] : { prefix: a[0], recurse: a[1], removeDuplicate: a[2] }) as NamedOptions;
  return { prefix: o.prefix ?? "", recurse: o.recurse ?? true, removeDuplicate: o.removeDuplicate ?? true };
}

const tensorsIn = (v: any): Tensor[] => (v instanceof Tensor ? [v] : Array.isArray(v) ? v.filter((t) => t instanceof Tensor) : []);

export class Module {
  /** The version written to state_dict()._metadata (PyTorch's `_version`); BatchNorm is 2. */
  static _version = 1;
  /** train() / eval() mode. */
  declare training: boolean;
  /** @internal names of registered buffers (in registration order) and the non-persistent ones */
  declare _bufferNames: string[];
  declare _nonPersistent: Set<string>;
  /** @internal names registered with registerModule(name, null): printed "(name): None" as PyTorch's */
  declare _moduleNames: Set<string>;
  declare _forwardPreHooks: Map<number, ForwardPreHook>;
  declare _forwardHooks: Map<number, ForwardHook>;
  declare _forwardHooksAlwaysCalled: Set<number>;
  declare _backwardHooks: Map<number, BackwardHook>;
  declare _backwardPreHooks: Map<number, BackwardPreHook>;
  declare _stateDictHooks: Map<number, (module: Module, stateDict: StateDict, prefix: string) => StateDict | void>;
  declare _stateDictPreHooks: Map<number, (module: Module, prefix: string, keepVars: boolean) => void>;
  declare _loadStateDictPreHooks: Map<number, (module: Module, stateDict: Map<string, any>, prefix: string) => void>;
  declare _loadStateDictPostHooks: Map<number, (module: Module, incompatibleKeys: LoadResult) => void>;

  constructor() {
    hidden(this, "training", true);
    hidden(this, "_bufferNames", []);
    hidden(this, "_nonPersistent", new Set<string>());
    hidden(this, "_moduleNames", new Set<string>());
    for (const k of ["_forwardPreHooks", "_forwardHooks", "_backwardHooks", "_backwardPreHooks", "_stateDictHooks",
      "_stateDictPreHooks", "_loadStateDictPreHooks", "_loadStateDictPostHooks"]) hidden(this, k, new Map());
    hidden(this, "_forwardHooksAlwaysCalled", new Set<number>());
    // Wrap the subclass's forward so hooks run whenever forward is called (net.forward(x) is
    // Python's net(x)); the prototype chain is complete here, so this is the most-derived forward.
    const impl = this.forward;
    const wrapper = (...args: any[]): any => this._callImpl(impl, args);
    installedForwards.add(wrapper);
    hidden(this, "forward", wrapper);
  }

  forward(..._args: any[]): any {
    throw new RuntimeError(`Module [${this._getName()}] is missing the required "forward" function`);
  }

  private _callImpl(impl: (...a: any[]) => any, args: any[]): any {
    const backward = (this._backwardHooks.size > 0 || this._backwardPreHooks.size > 0) && isGradEnabled();
    if (this._forwardPreHooks.size === 0 && this._forwardHooks.size === 0 && !backward) return impl.apply(this, args);
    for (const hook of [...this._forwardPreHooks.values()]) {
      const r = hook(this, args);
      if (r !== undefined) args = Array.isArray(r) ? r : [r];
    }
    const bw = backward ? new BackwardHookState(this, args.length) : null;
    if (bw) args = bw.wrapInputs(args);
    let out: any;
    try {
      out = impl.apply(this, args);
    } catch (e) {
      for (const [id, hook] of [...this._forwardHooks.entries()]) if (this._forwardHooksAlwaysCalled.has(id)) hook(this, args, undefined);
      throw e;
    }
    for (const hook of [...this._forwardHooks.values()]) {
      const r = hook(this, args, out);
      if (r !== undefined) out = r;
    }
    if (bw) out = bw.wrapOutputs(out);
    return out;
  }

  /** hook(module, args) runs before forward; it may return replacement inputs. */
  registerForwardPreHook(hook: ForwardPreHook, { prepend = false }: HookOptions = {}): RemovableHandle {
    return addHook(this._forwardPreHooks, hook, prepend);
  }

  /** hook(module, args, output) runs after forward; it may return a replacement output. */
  registerForwardHook(hook: ForwardHook, { prepend = false, alwaysCall = false }: ForwardHookOptions = {}): RemovableHandle {
    const h = addHook(this._forwardHooks, hook, prepend);
    if (alwaysCall) this._forwardHooksAlwaysCalled.add(h.id);
    return { id: h.id, remove: () => { h.remove(); this._forwardHooksAlwaysCalled.delete(h.id); } };
  }

  /**
   * hook(module, gradInput, gradOutput) runs when the gradients with respect to the module's
   * inputs are computed; returning an array replaces gradInput (PyTorch's register_full_backward_hook).
   */
  registerFullBackwardHook(hook: BackwardHook, { prepend = false }: HookOptions = {}): RemovableHandle {
    return addHook(this._backwardHooks, hook, prepend);
  }

  /** hook(module, gradOutput) runs when the gradients with respect to the outputs arrive; returning an array replaces them. */
  registerFullBackwardPreHook(hook: BackwardPreHook, { prepend = false }: HookOptions = {}): RemovableHandle {
    return addHook(this._backwardPreHooks, hook, prepend);
  }

  /** hook(module, stateDict, prefix) runs after this module added its entries to stateDict(). */
  _registerStateDictHook(hook: (module: Module, stateDict: StateDict, prefix: string) => StateDict | void): RemovableHandle {
    return addHook(this._stateDictHooks, hook);
  }
  /** hook(module, prefix, keepVars) runs before this module adds its entries to stateDict(). */
  registerStateDictPreHook(hook: (module: Module, prefix: string, keepVars: boolean) => void): RemovableHandle {
    return addHook(this._stateDictPreHooks, hook);
  }
  /** hook(module, stateDict, prefix) runs before this module loads its entries (stateDict may be edited). */
  _registerLoadStateDictPreHook(hook: (module: Module, stateDict: Map<string, any>, prefix: string) => void): RemovableHandle {
    return addHook(this._loadStateDictPreHooks, hook);
  }
  /** hook(module, { missingKeys, unexpectedKeys }) runs after loadStateDict(); it may edit the lists in place. */
  registerLoadStateDictPostHook(hook: (module: Module, incompatibleKeys: LoadResult) => void): RemovableHandle {
    return addHook(this._loadStateDictPostHooks, hook);
  }

  // ---- registration ---------------------------------------------------------------------------

  private _checkName(name: string, kind: string): void {
    if (typeof name !== "string") throw new TypeError(`${kind} name should be a string. Got ${typeof name}`);
    if (name.includes(".")) throw new KeyError(`${kind} name can't contain "."`);
    if (kind === "buffer" && name === "_version") throw new KeyError(`buffer name can't be "_version"`);
    if (name === "") throw new KeyError(`${kind} name can't be empty string ""`);
  }

  registerParameter(name: string, param: Parameter | null): void {
    this._checkName(name, "parameter");
    if (name in this && !((this as any)[name] instanceof Parameter) && (this as any)[name] != null)
      throw new KeyError(`attribute '${name}' already exists`);
    if (param !== null && !(param instanceof Parameter))
      throw new TypeError(`cannot assign '${pyTypename(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    (this as any)[name] = param;
  }

  registerBuffer(name: string, tensor: Tensor | null, { persistent = true }: { persistent?: boolean } = {}): void {
    this._checkName(name, "buffer");
    if (name in this && !this._bufferNames.includes(name) && (this as any)[name] != null)
      throw new KeyError(`attribute '${name}' already exists`);
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new TypeError(`cannot assign '${pyTypename(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    if (!this._bufferNames.includes(name)) this._bufferNames.push(name);
    if (persistent) this._nonPersistent.delete(name); else this._nonPersistent.add(name);
    (this as any)[name] = tensor;
  }

  /** Registers `module` (or a null placeholder, printed "(name): None" as in PyTorch) under `name`. */
  registerModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module))
      throw new TypeError(`${pyTypename(module)} is not a Module subclass`);
    this._checkName(name, "module");
    if (name in this && !((this as any)[name] instanceof Module) && (this as any)[name] != null)
      throw new KeyError(`attribute '${name}' already exists`);
    this._moduleNames.add(name);
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

  /** [name, child] for every field holding a module, duplicates included (PyTorch's _modules). */
  _ownModules(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const k of Object.keys(this)) {
      const v = (this as any)[k];
      if (v instanceof Module) out.push([k, v]);
    }
    return out;
  }

  *namedChildren(): IterableIterator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [k, v] of this._ownModules()) if (!seen.has(v)) { seen.add(v); yield [k, v]; }
  }
  *children(): IterableIterator<Module> { for (const [, m] of this.namedChildren()) yield m; }

  /** namedModules(memo?, prefix?, removeDuplicate?) or namedModules({ prefix, removeDuplicate }). */
  *namedModules(memo?: Set<Module> | { prefix?: string; removeDuplicate?: boolean }, prefix = "", removeDuplicate = true): IterableIterator<[string, Module]> {
    if (memo !== undefined && !(memo instanceof Set)) {
      prefix = memo.prefix ?? ""; removeDuplicate = memo.removeDuplicate ?? true; memo = undefined;
    }
    const seen = memo ?? new Set<Module>();
    if (removeDuplicate && seen.has(this)) return;
    if (removeDuplicate) seen.add(this);
    yield [prefix, this];
    for (const [k, v] of this._ownModules()) yield* v.namedModules(seen, prefix ? `${prefix}.${k}` : k, removeDuplicate);
  }
  *modules(): IterableIterator<Module> { for (const [, m] of this.namedModules()) yield m; }

  private *_named<T extends Tensor>(own: (m: Module) => [string, T][], a: unknown[]): IterableIterator<[string, T]> {
    const { prefix, recurse, removeDuplicate } = namedArgs(a);
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(new Set(), prefix, removeDuplicate) : [[prefix, this]];
    for (const [mp, m] of mods)
      for (const [k, p] of own(m)) {
        if (removeDuplicate && seen.has(p)) continue;
        seen.add(p);
        yield [mp ? `${mp}.${k}` : k, p];
      }
  }

  /** namedParameters(prefix = "", recurse = true, removeDuplicate = true), or the same as an options object. */
  namedParameters(...a: [NamedOptions?] | [string?, boolean?, boolean?]): IterableIterator<[string, Parameter]> {
    return this._named((m) => m._ownParameters(), a);
  }
  /** parameters(recurse = true) or parameters({ recurse }). */
  *parameters(recurse: boolean | { recurse?: boolean } = true): IterableIterator<Parameter> {
    const r = typeof recurse === "object" ? recurse.recurse ?? true : recurse;
    for (const [, p] of this.namedParameters("", r)) yield p;
  }

  /** namedBuffers(prefix = "", recurse = true, removeDuplicate = true), or the same as an options object. */
  namedBuffers(...a: [NamedOptions?] | [string?, boolean?, boolean?]): IterableIterator<[string, Tensor]> {
    return this._named((m) => m._ownBuffers(), a);
  }
  *buffers(recurse: boolean | { recurse?: boolean } = true): IterableIterator<Tensor> {
    const r = typeof recurse === "object" ? recurse.recurse ?? true : recurse;
    for (const [, b] of this.namedBuffers("", r)) yield b;
  }

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
    if (p === undefined || !Object.prototype.hasOwnProperty.call(mod, name)) throw new AttributeError(`${mod._getName()} has no attribute \`${name}\``);
    if (!(p instanceof Parameter)) throw new AttributeError(`\`${name}\` is not an nn.Parameter`);
    return p;
  }

  getBuffer(target: string): Tensor {
    const i = target.lastIndexOf(".");
    const mod = this.getSubmodule(i < 0 ? "" : target.slice(0, i));
    const name = target.slice(i + 1);
    if (!Object.prototype.hasOwnProperty.call(mod, name)) throw new AttributeError(`${mod._getName()} has no attribute \`${name}\``);
    const b = (mod as any)[name];
    if (!mod._bufferNames.includes(name) || !(b instanceof Tensor)) throw new AttributeError(`\`${name}\` is not a buffer`);
    return b;
  }

  // ---- modes and bulk changes ----------------------------------------------------------------

  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new ValueError("training mode is expected to be boolean");
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
    if (device !== null && device.startsWith("cuda") && !cudaAvailable()) throw new AssertionError("Torch not compiled with CUDA enabled");
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
  bfloat16(): this { return this._apply((t) => (t.isFloatingPoint() ? t.to("bfloat16") : t)); }
  cpu(): this { return this._apply((t) => t.cpu()); }
  /** Moves parameters and buffers to the GPU; without CUDA this throws "Torch not compiled with CUDA enabled". */
  cuda(device?: DeviceLike): this {
    if (!cudaAvailable()) throw new AssertionError("Torch not compiled with CUDA enabled");
    return this._apply((t) => t.cuda(device));
  }

  // ---- state ------------------------------------------------------------------------------

  /** Parameters then persistent buffers of each module, depth first, keys as PyTorch's. */
  stateDict({ keepVars = false, prefix = "", destination }: { keepVars?: boolean; prefix?: string; destination?: StateDict } = {}): StateDict {
    const out: StateDict = destination ?? {};
    if (destination === undefined) hidden(out, "_metadata", {});
    const meta = (out as any)._metadata as StateDictMetadata | undefined;
    if (meta) meta[prefix.slice(0, -1)] = { version: (this.constructor as typeof Module)._version };
    for (const hook of this._stateDictPreHooks.values()) hook(this, prefix, keepVars);
    this._saveToStateDict(out, prefix, keepVars);
    for (const [k, c] of this._ownModules()) c.stateDict({ keepVars, prefix: `${prefix}${k}.`, destination: out });
    for (const hook of this._stateDictHooks.values()) hook(this, out, prefix);
    return out;
  }

  /** Adds this module's own parameters and persistent buffers (PyTorch's _save_to_state_dict). */
  _saveToStateDict(out: StateDict, prefix: string, keepVars: boolean): void {
    for (const [k, p] of this._ownParameters()) out[prefix + k] = keepVars ? p : p.detach();
    for (const [k, b] of this._ownBuffers()) if (!this._nonPersistent.has(k)) out[prefix + k] = keepVars ? b : b.detach();
    if (this.getExtraState !== Module.prototype.getExtraState) (out as any)[prefix + "_extra_state"] = this.getExtraState();
  }

  /** Override (with setExtraState) to save extra, non-tensor state under the key "_extra_state", as PyTorch. */
  getExtraState(): any {
    throw new RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. Please file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug.");
  }
  setExtraState(_state: any): void {
    throw new RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. Please file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug.");
  }

  /**
   * PyTorch's state_dict()._metadata: { "": { version: 1 }, "bn": { version: 2 }, ... } for this
   * module and every submodule (the serializer writes it beside the tensors). stateDict() also
   * attaches it to its result as the non-enumerable property `_metadata`.
   */
  stateDictMetadata(): StateDictMetadata {
    const out: StateDictMetadata = {};
    const visit = (m: Module, prefix: string): void => {
      out[prefix] = { version: (m.constructor as typeof Module)._version };
      for (const [k, c] of m._ownModules()) visit(c, prefix ? `${prefix}.${k}` : k);
    };
    visit(this, "");
    return out;
  }

  /**
   * Copies the matching entries of `stateDict` into this module's parameters and buffers. Missing
   * and unexpected keys raise (strict) or are returned; a shape mismatch always raises, in PyTorch's words.
   * A `_metadata` property on stateDict (PyTorch's versions) is honoured, e.g. BatchNorm version 1 checkpoints.
   * `assign: true` makes the checkpoint's tensors the module's parameters and buffers instead of copying into them.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, { strict = true, assign = false }: { strict?: boolean; assign?: boolean } = {}): LoadResult {
    const metadata = (stateDict as any)._metadata as StateDictMetadata | undefined;
    const sd = new Map<string, any>(stateDict instanceof Map ? stateDict : Object.entries(stateDict));
    const missingKeys: string[] = [], unexpectedKeys: string[] = [], errors: string[] = [];
    const result: LoadResult = { missingKeys, unexpectedKeys };
    const load = (m: Module, local: Map<string, any>, prefix: string): void => {
      const localMetadata = metadata?.[prefix.slice(0, -1)] ?? {};
      m._loadFromStateDict(local, prefix, { ...localMetadata, assign }, missingKeys, unexpectedKeys, errors);
      for (const [k, c] of m._ownModules()) {
        const cp = `${prefix}${k}.`;
        load(c, new Map([...local].filter(([key]) => key.startsWith(cp))), cp);
      }
      for (const hook of m._loadStateDictPostHooks.values()) hook(m, result);
    };
    load(this, sd, "");
    if (strict) {
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length > 0)
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join("\n\t")}`);
    return result;
  }

  /** PyTorch's _load_from_state_dict: loads this module's own entries from the (prefixed) stateDict. */
  _loadFromStateDict(stateDict: Map<string, any>, prefix: string, localMetadata: { version?: number; assign?: boolean },
    missingKeys: string[], unexpectedKeys: string[], errors: string[]): void {
    for (const hook of this._loadStateDictPreHooks.values()) hook(this, stateDict, prefix);
    const local = new Map<string, Tensor>([...this._ownParameters(), ...this._ownBuffers().filter(([k]) => !this._nonPersistent.has(k))]);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!stateDict.has(key)) { missingKeys.push(key); continue; }
      let input: unknown = stateDict.get(key);
      if (!(input instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${pyTypeOf(input)}`);
        continue;
      }
      const src: Tensor = param.ndim === 0 && input.ndim === 1 ? input.select(0, 0) : input;  // backward compatibility, as PyTorch
      const same = src._shape.length === param._shape.length && src._shape.every((s, i) => s === param._shape[i]);
      if (!same) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${pySize(src._shape)} from checkpoint, the shape in current model is ${pySize(param._shape)}.`);
        continue;
      }
      try {
        if (localMetadata.assign) {
          // assign=true: the checkpoint's tensor becomes the parameter (a Parameter keeps requires_grad), as PyTorch
          (this as any)[name] = param instanceof Parameter ? new Parameter(src, param.requiresGrad) : src;
          continue;
        }
        noGrad(() => param.copy_(src));
      } catch (e) {
        errors.push(`While copying the parameter named "${key}", whose dimensions in the model are ${pySize(param._shape)} and whose dimensions in the checkpoint are ${pySize(src._shape)}, an exception occurred : ('${(e as Error).message}',).`);
      }
    }
    const extraKey = prefix + "_extra_state";
    if (this.setExtraState !== Module.prototype.setExtraState) {
      if (stateDict.has(extraKey)) this.setExtraState(stateDict.get(extraKey));
      else missingKeys.push(extraKey);
    } else if (stateDict.has(extraKey)) unexpectedKeys.push(extraKey);
    const children = new Set([...this._moduleNames, ...this._ownModules().map(([k]) => k)]);
    for (const key of stateDict.keys()) {
      if (!key.startsWith(prefix) || key === prefix + "_extra_state") continue;
      const inputName = key.slice(prefix.length).split(".")[0]!;
      if (!children.has(inputName) && !local.has(inputName)) unexpectedKeys.push(key);
    }
  }

  // ---- printing ------------------------------------------------------------------------------

  _getName(): string { return this.constructor.name; }

  /** The text inside the parentheses of this module's line (PyTorch's extra_repr). */
  extraRepr(): string { return ""; }

  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const k of Object.keys(this)) {
      const v = (this as any)[k];
      if (v instanceof Module) childLines.push(`(${k}): ${addIndent(String(v), 2)}`);
      else if (v === null && this._moduleNames.has(k)) childLines.push(`(${k}): None`);
    }
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


/**
 * @internal True when calling `m.forward(...)` runs `cls`'s own forward and nothing else: `m` is a
 * `cls` whose class does not override forward, its forward is still the one the constructor
 * installed (not replaced or wrapped on the instance), and it has no hooks. A fused path (ResNet's
 * conv + BatchNorm + ReLU inference) may stand in for such modules only.
 */
export function _runsOwnForward(m: Module | null, cls: abstract new (...a: any[]) => Module): boolean {
  return m !== null && m instanceof cls && Object.getPrototypeOf(m).forward === cls.prototype.forward && installedForwards.has(m.forward) &&
    m._forwardPreHooks.size === 0 && m._forwardHooks.size === 0 && m._backwardHooks.size === 0 && m._backwardPreHooks.size === 0;
}

/** Python's type(x) as load_state_dict prints it. */
function pyTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === "number") return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === "string") return "<class 'str'>";
  if (typeof v === "boolean") return "<class 'bool'>";
  if (Array.isArray(v)) return "<class 'list'>";
  return `<class '${(v as object).constructor?.name ?? "object"}'>`;
}

/**
 * The state behind registerFullBackwardHook / registerFullBackwardPreHook for one forward call
 * (PyTorch's torch.utils.hooks.BackwardHook): the tensor inputs that require grad and the tensor
 * outputs pass through identity nodes (BackwardHookFunctionBackward). The output node sees
 * gradOutput (pre-hooks may replace it); the input node sees gradInput and calls the hooks.
 */
class BackwardHookState {
  private gradOutputs: (Tensor | null)[] = [];
  private inputIdx: number[] = [];

  constructor(private readonly module: Module, private readonly nInputs: number) {}

  private identity(ts: Tensor[], backward: (grads: (Tensor | null)[]) => (Tensor | null)[]): Tensor[] {
    const outs = ts.map((t) => t.detach());
    record(outs, { name: "BackwardHookFunctionBackward", inputs: ts, backward: (grads) => backward(grads) });
    return outs;
  }

  private packInputs(grads: (Tensor | null)[]): (Tensor | null)[] {
    const full: (Tensor | null)[] = Array(this.nInputs).fill(null);
    this.inputIdx.forEach((i, k) => { full[i] = grads[k] ?? null; });
    return full;
  }

  private runHooks(gradInput: (Tensor | null)[], noInputs: boolean): (Tensor | null)[] {
    for (const hook of [...this.module._backwardHooks.values()]) {
      const r = hook(this.module, gradInput, this.gradOutputs);
      if (r === undefined || r === null) continue;
      if (noInputs && r.some((g) => g !== null))
        throw new RuntimeError("Backward hook for Modules where no input requires gradient should always return None or None for all gradients.");
      if (r.length !== gradInput.length)
        throw new RuntimeError(`Backward hook returned an invalid number of grad_input, got ${r.length}, but expected ${gradInput.length}`);
      gradInput = [...r];
    }
    return gradInput;
  }

  wrapInputs(args: any[]): any[] {
    this.inputIdx = args.map((a, i) => (a instanceof Tensor && a.requiresGrad ? i : -1)).filter((i) => i >= 0);
    if (this.inputIdx.length === 0 || this.module._backwardHooks.size === 0) return args;
    const wrapped = this.identity(this.inputIdx.map((i) => args[i] as Tensor), (grads) => {
      const full = this.runHooks(this.packInputs(grads), false);
      return this.inputIdx.map((i) => full[i] ?? null);
    });
    const out = [...args];
    this.inputIdx.forEach((i, k) => { out[i] = wrapped[k]; });
    return out;
  }

  wrapOutputs(out: any): any {
    const ts = tensorsIn(out).filter((t) => t.requiresGrad);
    if (ts.length === 0) return out;
    const wrapped = this.identity(ts, (grads) => {
      let go = [...grads];
      for (const hook of [...this.module._backwardPreHooks.values()]) {
        const r = hook(this.module, go);
        if (r !== undefined && r !== null) {
          if (r.length !== go.length) throw new RuntimeError(`Backward pre hook returned an invalid number of grad_output, got ${r.length}, but expected ${go.length}`);
          go = [...r];
        }
      }
      this.gradOutputs = go;
      if (this.inputIdx.length === 0) this.runHooks(Array(this.nInputs).fill(null), true);
      return go;
    });
    if (out instanceof Tensor) return wrapped[0];
    let k = 0;
    return (out as any[]).map((v) => (v instanceof Tensor && v.requiresGrad ? wrapped[k++] : v));
  }
}
export { KeyError, AssertionError, AttributeError };
