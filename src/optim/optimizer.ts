// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.Optimizer: parameter groups, per-parameter state and PyTorch-shaped state dicts.
// Each optimizer's maths lives in a plain update function over arrays of tensors (STYLE.md §6);
// the class only gathers per-parameter state and calls it, under noGrad.
import { Tensor } from "../tensor/tensor.js";
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { ValueError } from "../errors.js";
import * as ops from "../ops/public.js";
import { native } from "../backends/cpu/native.js";
import type { DType, TypedArray } from "../tensor/dtype.js";

/** One parameter's optimizer state. Keys are PyTorch's (`exp_avg`, `momentum_buffer`, `step`): they are data. */
export type ParamState = Record<string, unknown>;

/**
 * A parameter group in memory: the parameters plus hyper-parameters under camelCase names
 * (`lr`, `weightDecay`, `betas`, ...). Editable between steps (schedulers change `lr`).
 */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** What a caller passes per group: params plus any hyper-parameter overrides. */
export interface ParamGroupInput {
  params: Iterable<Tensor> | Tensor;
  [option: string]: unknown;
}

export type Params = Iterable<Tensor> | Iterable<ParamGroupInput>;

/** `optimizer.state_dict()`: `state` keyed by integer parameter index, groups with `params` as indices. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
}

/** camelCase -> snake_case (`weightDecay` -> `weight_decay`), for state-dict keys. */
export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** snake_case -> camelCase (`initial_lr` -> `initialLr`). */
export function toCamelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Python's `str(float)` for the few values error messages print. */
export function pyFloat(x: unknown): string {
  if (typeof x !== "number") return String(x);
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  // Python's repr: scientific notation below 1e-4 and from 1e16, with a two-digit exponent ("1e-08")
  const [mantissa, e] = x.toExponential().split("e") as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(x);
}

/** PyTorch's constructor checks: `if not 0.0 <= value: raise ValueError("Invalid <what>: <value>")`. */
export function checkNonNegative(value: number, what: string): void {
  if (!(value >= 0)) throw new ValueError(`Invalid ${what}: ${pyFloat(value)}`);
}

/** The Adam-family beta checks: `0 <= beta < 1`. */
export function checkBetas(betas: readonly [number, number]): void {
  betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new ValueError(`Invalid beta parameter at index ${i}: ${pyFloat(b)}`);
  });
}

function isTensorIterable(params: unknown): boolean {
  return params instanceof Tensor;
}

/**
 * Base class for all optimizers (torch.optim.Optimizer).
 *
 * ```ts
 * const opt = new optim.SGD([{ params: [w] }, { params: [b], lr: 1e-3 }], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export abstract class Optimizer<G extends ParamGroup = ParamGroup> {
  readonly defaults: Record<string, unknown>;
  paramGroups: G[] = [];
  /** Per-parameter state, keyed by the parameter tensor itself. */
  state = new Map<Tensor, ParamState>();

  constructor(params: Params, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (isTensorIterable(params))
      throw new TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.Tensor");
    const list = [...(params as Iterable<Tensor | ParamGroupInput>)];
    if (list.length === 0) throw new ValueError("optimizer got an empty parameter list");
    const groups: ParamGroupInput[] = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as ParamGroupInput[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** The optimizer's update for one group, run under noGrad; parameters without a gradient are skipped. */
  protected abstract stepGroup(group: G): void;

  /** Performs a single optimization step. A closure re-evaluates the model (grad enabled) and returns the loss. */
  step(closure?: () => unknown): unknown {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    });
    return loss;
  }

  /** Resets the gradients: to null (default, as PyTorch 2), or to zeros with `{ setToNone: false }`. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) {
          p.grad = null;
        } else {
          if (p.grad.gradFn !== null) p.grad.detach_();
          else p.grad.requiresGrad = false;
          p.grad.zero_();
        }
      }
    }
  }

  /** Adds a group (e.g. layers unfrozen while fine-tuning); options it leaves out come from the defaults. */
  addParamGroup(paramGroup: ParamGroupInput): void {
    const params = paramGroup.params instanceof Tensor ? [paramGroup.params] : [...paramGroup.params];
    if (paramGroup.params instanceof Set)
      throw new TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of " +
        "tensors in sets will change between runs. Please use a list instead.");
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new TypeError("optimizer can only optimize Tensors, but one of the params is " + typeof p);
      if (!p.isLeaf && !p.retainsGrad) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const group: Record<string, unknown> = { ...paramGroup, params };
    for (const [name, value] of Object.entries(this.defaults)) {
      if (group[name] !== undefined) continue;
      if (value === undefined)
        throw new ValueError(`parameter group didn't specify a value of required optimization parameter ${toSnakeCase(name)}`);
      group[name] = Array.isArray(value) ? [...value] : value;
    }
    if (new Set(params).size !== params.length)
      process.emitWarning("optimizer contains a parameter group with duplicate parameters; in future, this will cause " +
        "an error; see github.com/pytorch/pytorch/issues/40967 for more information");
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    if (params.some((p) => seen.has(p))) throw new ValueError("some parameters appear in more than one parameter group");
    this.paramGroups.push(group as G);
  }

  /**
   * PyTorch's `state_dict()`: `{ state: { 0: { exp_avg, ... } }, param_groups: [{ lr, weight_decay, ..., params: [0, 1] }] }`.
   * Like PyTorch, the state tensors are shared, not copied.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) if (k !== "params") packed[toSnakeCase(k)] = Array.isArray(v) ? [...v] : v;
      for (const p of group.params) if (!index.has(p)) index.set(p, next++);
      packed["params"] = group.params.map((p) => index.get(p)!);
      return packed;
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...s };
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a state dict shaped like PyTorch's (from `stateDict()` here or from PyTorch): the groups'
   * hyper-parameters are replaced by the saved ones; state tensors are copied to each parameter's dtype
   * (except `step`).
   */
  loadStateDict(stateDict: OptimizerStateDict | { state: Map<number | string, unknown> | Record<string, unknown>; param_groups: unknown[] }): void {
    const saved = stateDict.param_groups as Record<string, unknown>[];
    if (this.paramGroups.length !== saved.length)
      throw new ValueError("loaded state dict has a different number of parameter groups");
    const savedParams = saved.map((g) => g["params"] as number[]);
    if (this.paramGroups.some((g, i) => g.params.length !== savedParams[i]!.length))
      throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    const idMap = new Map<number, Tensor>();
    this.paramGroups.forEach((g, i) => g.params.forEach((p, j) => idMap.set(Number(savedParams[i]![j]), p)));
    const entries = stateDict.state instanceof Map ? [...stateDict.state.entries()] : Object.entries(stateDict.state);
    const state = new Map<Tensor, ParamState>();
    for (const [key, value] of entries) {
      const param = idMap.get(Number(key));
      if (param === undefined) continue;
      const s: ParamState = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) s[k] = castState(param, v, k);
      state.set(param, this.upgradeState(s));
    }
    this.state = state;
    this.paramGroups = this.paramGroups.map((g, i) => {
      const group: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(saved[i]!)) if (k !== "params") group[toCamelCase(k)] = Array.isArray(v) ? [...v] : v;
      group["params"] = g.params;
      return group as G;
    });
  }

  /** Hook for loadStateDict: PyTorch's `__setstate__` fix-ups (e.g. a number `step` becomes a tensor). */
  protected upgradeState(state: ParamState): ParamState {
    return state;
  }

  /** Like PyTorch's repr: the class name, then each group's options in sorted order. */
  toString(): string {
    let s = this.constructor.name + " (";
    this.paramGroups.forEach((group, i) => {
      s += `\nParameter Group ${i}\n`;
      const keys = Object.keys(group).filter((k) => k !== "params").map((k) => [toSnakeCase(k), k] as const);
      for (const [name, key] of keys.sort((a, b) => (a[0] < b[0] ? -1 : 1))) s += `    ${name}: ${formatOption(group[key])}\n`;
    });
    return s + ")";
  }
}

function formatOption(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return "(" + v.map(formatOption).join(", ") + ")";
  return pyFloat(v);
}

/** A deep copy of a loaded state value, with tensors (but `step`) cast to the parameter's floating dtype. */
function castState(param: Tensor, value: unknown, key: string): unknown {
  if (value instanceof Tensor) {
    if (key === "step") return value.clone();
    return param.isFloatingPoint() && value.dtype !== param.dtype ? value.to(param.dtype) : value.clone();
  }
  if (Array.isArray(value)) return value.map((v) => castState(param, v, ""));
  return value;
}

/** `torch.tensor(float(step))`: Adam-family optimizers keep `step` as a float32 scalar tensor, as PyTorch 1.13. */
export function stepTensor(step: unknown): Tensor {
  if (step instanceof Tensor) return step;
  return ops.tensor(Number(step ?? 0), { dtype: "float32" });
}

/** The tensors of one state key, in the order of `params`, creating state with `init` where missing. */
export function gatherState(
  state: Map<Tensor, ParamState>, params: readonly Tensor[], init: (p: Tensor) => ParamState,
): ParamState[] {
  return params.map((p) => {
    let s = state.get(p);
    if (s === undefined) {
      s = init(p);
      state.set(p, s);
    }
    return s;
  });
}

/** The parameters of a group that have a gradient, and their gradients. */
export function withGrads(group: ParamGroup): { params: Tensor[]; grads: Tensor[] } {
  const params: Tensor[] = [], grads: Tensor[] = [];
  for (const p of group.params) {
    if (p.grad === null) continue;
    params.push(p);
    grads.push(p.grad);
  }
  return { params, grads };
}

/**
 * Fused updates of several parameters gathered for one native call (native/cpu/optim.cc's
 * adamStepMulti / sgdStepMulti): each parameter's buffers and its part of the descriptor, after
 * a header. A parameter whose operands share storage with an earlier one of the batch (or has
 * another dtype) is not added: the caller flushes the batch first, so such parameters are updated
 * one after the other, as PyTorch's loop does.
 * @internal
 */
export class FusedBatch {
  readonly buffers: TypedArray[] = [];
  readonly meta: number[] = [];
  /** Tensors whose version the update bumps, after the call. */
  readonly written: Tensor[] = [];
  private readonly storages = new Set<unknown>();
  count = 0;
  dtype: DType | null = null;

  /** Whether `operands` (one parameter's, already checked by canFuse) can join this batch. */
  accepts(operands: readonly Tensor[]): boolean {
    if (this.count === 0) return true;
    if (operands[0]!.dtype !== this.dtype) return false;
    for (const t of operands) if (this.storages.has(t._storage)) return false;
    return true;
  }

  add(operands: readonly Tensor[], meta: readonly number[], written: readonly Tensor[]): void {
    if (this.count === 0) this.dtype = operands[0]!.dtype;
    for (const t of operands) { this.buffers.push(t._storage.data); this.storages.add(t._storage); }
    for (const v of meta) this.meta.push(v);
    for (const t of written) this.written.push(t);
    this.count++;
  }

  /** Runs `call(buffers, meta)` with meta = header, count, the parameters' parts; bumps versions; empties the batch. */
  flush(header: (dtype: DType) => number[], call: (buffers: TypedArray[], meta: Float64Array) => void): void {
    if (this.count === 0) return;
    const [dtypeCode, ...rest] = header(this.dtype!);
    const meta = new Float64Array(2 + rest.length + this.meta.length);
    meta[0] = dtypeCode!;
    meta[1] = this.count;
    meta.set(rest, 2);
    meta.set(this.meta, 2 + rest.length);
    const buffers = this.buffers.splice(0), written = this.written.splice(0);
    this.meta.length = 0;
    this.storages.clear();
    this.count = 0;
    this.dtype = null;
    call(buffers, meta);
    for (const t of written) t._bumpVersion();
  }
}

/**
 * Whether one fused native pass (native/cpu/optim.cc) can do the update: the addon has `kernel`, and every operand is a
 * contiguous CPU float32/float64 tensor of the parameter's dtype and size, no two overlapping in
 * memory (a parameter that is its own gradient takes the op-by-op path).
 */
export function canFuse(kernel: "adamStep" | "sgdStep", operands: readonly Tensor[]): boolean {
  if (typeof native[kernel] !== "function") return false;
  const { dtype } = operands[0]!;
  if (dtype !== "float32" && dtype !== "float64") return false;
  const n = operands[0]!.numel();
  for (const t of operands) {
    if (t.dtype !== dtype || t.isCuda || t.numel() !== n || !t.isContiguous()) return false;
  }
  for (let a = 0; a < operands.length; a++) {
    for (let b = a + 1; b < operands.length; b++) {
      const x = operands[a]!, y = operands[b]!;
      if (x._storage === y._storage && x._offset < y._offset + n && y._offset < x._offset + n) return false;
    }
  }
  return true;
}
