// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.lr_scheduler as torch.optim.lrScheduler. Each scheduler is a port of PyTorch 1.13's:
// the chainable (recursive) `getLr()` for `step()`, and the closed form for `step(epoch)`, so the
// lr sequence is PyTorch's float for float. Docs: https://pytorch.org/docs/1.13/optim.html
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import { type Optimizer, type ParamGroup, toCamelCase, toSnakeCase } from "./optimizer.js";

/** A scheduler's field name as PyTorch spells it in `state_dict()` (`lastEpoch` -> `last_epoch`, `TMax` -> `T_max`). */
const T_FIELDS: Record<string, string> = { TMax: "T_max", T0: "T_0", Ti: "T_i", TMult: "T_mult", TCur: "T_cur" };
const T_KEYS: Record<string, string> = Object.fromEntries(Object.entries(T_FIELDS).map(([k, v]) => [v, k]));

function stateKey(name: string): string {
  if (name in T_FIELDS) return T_FIELDS[name]!;
  return name.startsWith("_") ? "_" + toSnakeCase(name.slice(1)) : toSnakeCase(name);
}

function fieldName(key: string): string {
  if (key in T_KEYS) return T_KEYS[key]!;
  return key.startsWith("_") ? "_" + toCamelCase(key.slice(1)) : toCamelCase(key);
}

/** Python's bisect_right on a sorted array. */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const NOT_STATE = new Set(["optimizer", "lrLambdas", "_schedulers", "annealFunc", "_scaleFnCustom"]);

/** The fields of a scheduler as PyTorch's `state_dict()` (its `__dict__` without the optimizer). */
function fieldsToState(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (NOT_STATE.has(k) || typeof v === "function") continue;
    out[stateKey(k)] = structuredCloneSafe(v);
  }
  return out;
}

function structuredCloneSafe(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(structuredCloneSafe);
  if (v !== null && typeof v === "object" && !(v instanceof Tensor)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, structuredCloneSafe(x)]));
  }
  return v;
}

function loadFields(obj: object, state: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(state)) {
    const name = fieldName(k);
    if (NOT_STATE.has(name)) continue;
    (obj as Record<string, unknown>)[name] = structuredCloneSafe(v);
  }
}

/**
 * Base class of the epoch-based schedulers (PyTorch's `_LRScheduler`). Subclasses set their fields
 * and then call `this._initialStep()`, which sets every group's lr for epoch 0.
 */
export abstract class LRScheduler {
  optimizer: Optimizer;
  baseLrs: number[];
  lastEpoch: number;
  verbose = false;
  _stepCount = 0;
  _getLrCalledWithinStep = false;
  _lastLr: number[] = [];

  constructor(optimizer: Optimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const group of optimizer.paramGroups) if (group["initialLr"] === undefined) group["initialLr"] = group.lr;
    } else {
      optimizer.paramGroups.forEach((group, i) => {
        if (group["initialLr"] === undefined)
          throw new ValueError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g["initialLr"] as number);
    this.lastEpoch = lastEpoch;
  }

  /** @internal The step done at construction (PyTorch's `_initial_step`). */
  _initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /** The chainable form: each group's lr at `lastEpoch`, from the current lrs. */
  abstract getLr(): number[];

  /** The closed form, used by `step(epoch)` where PyTorch has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advances one epoch (or jumps to `epoch`, using the closed form) and writes each group's lr. */
  step(epoch?: number): void {
    this._stepCount += 1;
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((group, i) => {
      if (i < values.length) group.lr = values[i]!;
    });
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs the last `step()` set. */
  getLastLr(): number[] {
    return this._lastLr;
  }

  /** PyTorch's state dict: every field but the optimizer, under PyTorch's names (`last_epoch`, `base_lrs`, ...). */
  stateDict(): Record<string, unknown> {
    return fieldsToState(this);
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    loadFields(this, stateDict);
  }

  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }
}

type LrLambda = (epoch: number) => number;

function lambdasFor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[]): LrLambda[] {
  if (!Array.isArray(lrLambda)) return optimizer.paramGroups.map(() => lrLambda);
  if (lrLambda.length !== optimizer.paramGroups.length)
    throw new ValueError(`Expected ${optimizer.paramGroups.length} lr_lambdas, but got ${lrLambda.length}`);
  return [...lrLambda];
}

/** lr = initialLr * lrLambda(epoch). */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], { lastEpoch = -1 }: { lastEpoch?: number } = {}) {
    super(optimizer, lastEpoch);
    this.lrLambdas = lambdasFor(optimizer, lrLambda);
    this._initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }

  /** Functions are not state: `lr_lambdas` is saved as nulls, as PyTorch does for plain functions. */
  override stateDict(): Record<string, unknown> {
    return { ...fieldsToState(this), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** lr *= lrLambda(epoch) each epoch after the first. */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], { lastEpoch = -1 }: { lastEpoch?: number } = {}) {
    super(optimizer, lastEpoch);
    this.lrLambdas = lambdasFor(optimizer, lrLambda);
    this._initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }

  override stateDict(): Record<string, unknown> {
    return { ...fieldsToState(this), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** lr *= gamma every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer, stepSize: number, { gamma = 0.1, lastEpoch = -1 }: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this._initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** lr *= gamma at each milestone (a milestone listed twice applies gamma twice). */
export class MultiStepLR extends LRScheduler {
  /** PyTorch's Counter: milestone -> how many times it was listed. */
  milestones: Record<number, number>;
  gamma: number;

  constructor(optimizer: Optimizer, milestones: readonly number[], { gamma = 0.1, lastEpoch = -1 }: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, lastEpoch);
    this.milestones = {};
    for (const m of milestones) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = gamma;
    this._initialStep();
  }

  getLr(): number[] {
    const count = this.milestones[this.lastEpoch];
    if (count === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const sorted = Object.entries(this.milestones).flatMap(([m, n]) => Array<number>(n).fill(Number(m))).sort((a, b) => a - b);
    return this.baseLrs.map((base) => base * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }
}

/** lr = initialLr * factor until epoch `totalIters`, then initialLr. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: Optimizer, { factor = 1 / 3, totalIters = 5, lastEpoch = -1 }: { factor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    if (factor > 1.0 || factor < 0) throw new ValueError("Constant multiplicative factor expected to be between 0 and 1.");
    super(optimizer, lastEpoch);
    this.factor = factor;
    this.totalIters = totalIters;
    this._initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch > this.totalIters || this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/** The lr factor goes linearly from `startFactor` to `endFactor` over `totalIters` epochs. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer, {
    startFactor = 1 / 3, endFactor = 1.0, totalIters = 5, lastEpoch = -1,
  }: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    if (startFactor > 1.0 || startFactor < 0) throw new ValueError("Starting multiplicative factor expected to be between 0 and 1.");
    if (endFactor > 1.0 || endFactor < 0) throw new ValueError("Ending multiplicative factor expected to be between 0 and 1.");
    super(optimizer, lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this._initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    return this.groups.map((g) => g.lr * (1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }

  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((base) => base * (this.startFactor + d * Math.min(this.totalIters, this.lastEpoch) / this.totalIters));
  }
}

/** lr *= gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer, gamma: number, { lastEpoch = -1 }: { lastEpoch?: number } = {}) {
    super(optimizer, lastEpoch);
    this.gamma = gamma;
    this._initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}

/** lr decays polynomially (power `power`) to 0 over `totalIters` epochs. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: Optimizer, { totalIters = 5, power = 1.0, lastEpoch = -1 }: { totalIters?: number; power?: number; lastEpoch?: number } = {}) {
    super(optimizer, lastEpoch);
    this.totalIters = totalIters;
    this.power = power;
    this._initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const decay = ((1.0 - this.lastEpoch / this.totalIters) / (1.0 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/**
 * Cosine annealing (Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", 2017),
 * without restarts: lr = etaMin + (initialLr - etaMin) * (1 + cos(pi * epoch / TMax)) / 2, in PyTorch's
 * recursive form (so lrs edited between steps carry through).
 */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;

  constructor(optimizer: Optimizer, TMax: number, { etaMin = 0, lastEpoch = -1 }: { etaMin?: number; lastEpoch?: number } = {}) {
    super(optimizer, lastEpoch);
    this.TMax = TMax;
    this.etaMin = etaMin;
    this._initialStep();
  }

  getLr(): number[] {
    const { etaMin, TMax, lastEpoch } = this;
    if (lastEpoch === 0) return this.groups.map((g) => g.lr);
    if (this._stepCount === 1 && lastEpoch > 0)
      return this.baseLrs.map((base) => etaMin + (base - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / TMax)) / 2);
    if ((lastEpoch - 1 - TMax) % (2 * TMax) === 0)
      return this.groups.map((g, i) => g.lr + (this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / TMax)) / 2);
    return this.groups.map((g) =>
      (1 + Math.cos(Math.PI * lastEpoch / TMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / TMax)) * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + (base - this.etaMin) * (1 + Math.cos(Math.PI * this.lastEpoch / this.TMax)) / 2);
  }
}

/** Runs `schedulers` one after another, switching at each of `milestones`. */
export class SequentialLR extends LRScheduler {
  _schedulers: LRScheduler[];
  _milestones: number[];

  constructor(optimizer: Optimizer, schedulers: LRScheduler[], milestones: number[], { lastEpoch = -1 }: { lastEpoch?: number } = {}) {
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new ValueError("Sequential Schedulers expects all schedulers to belong to the same optimizer, but got " +
          `schedulers at index ${i} to be different than the optimizer passed in.`);
    });
    if (milestones.length !== schedulers.length - 1)
      throw new ValueError("Sequential Schedulers expects number of schedulers provided to be one more than the number " +
        `of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`);
    super(optimizer, -1);
    this._schedulers = schedulers;
    this._milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    for (const group of optimizer.paramGroups) group.lr = group["initialLr"] as number;
    for (const s of schedulers) s.lastEpoch -= 1;           // "undo" the step each did at construction
    schedulers[0]!._initialStep();
    this._lastLr = schedulers[0]!.getLastLr();
  }

  getLr(): number[] {
    return this._lastLr;
  }

  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const scheduler = this._schedulers[idx]!;
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this._lastLr = scheduler.getLastLr();
  }

  override stateDict(): Record<string, unknown> {
    return { ...fieldsToState(this), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(stateDict: Record<string, unknown>): void {
    loadFields(this, stateDict);
    const nested = stateDict["_schedulers"] as Record<string, unknown>[] | undefined;
    nested?.forEach((s, i) => this._schedulers[i]?.loadStateDict(s));
  }
}

/** Steps every scheduler in `schedulers` at once, each multiplying on the lr the previous one set. */
export class ChainedScheduler extends LRScheduler {
  _schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[]) {
    const optimizer = schedulers[0]!.optimizer;
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new ValueError(`ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
    });
    super(optimizer, -1);
    this._schedulers = [...schedulers];
    this._lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  getLr(): number[] {
    return this._lastLr;
  }

  override step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  override stateDict(): Record<string, unknown> {
    return { ...fieldsToState(this), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(stateDict: Record<string, unknown>): void {
    loadFields(this, stateDict);
    const nested = stateDict["_schedulers"] as Record<string, unknown>[] | undefined;
    nested?.forEach((s, i) => this._schedulers[i]?.loadStateDict(s));
  }
}

export interface OneCycleLROptions {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

/**
 * The 1cycle policy (Smith & Topin, "Super-Convergence", 2017): lr rises from maxLr / divFactor to
 * maxLr, then anneals to initialLr / finalDivFactor, with momentum (or Adam's beta1) cycling inversely.
 * Stepped once per batch.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  _schedulePhases: Phase[];
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1 = false;

  constructor(optimizer: Optimizer, maxLr: number | number[], {
    totalSteps = null, epochs = null, stepsPerEpoch = null, pctStart = 0.3, annealStrategy = "cos", cycleMomentum = true,
    baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false, lastEpoch = -1,
  }: OneCycleLROptions = {}) {
    let total: number;
    if (totalSteps === null && epochs === null && stepsPerEpoch === null) {
      throw new ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    } else if (totalSteps !== null) {
      if (totalSteps <= 0 || !Number.isInteger(totalSteps)) throw new ValueError(`Expected positive integer total_steps, but got ${totalSteps}`);
      total = totalSteps;
    } else {
      if (epochs === null || epochs <= 0 || !Number.isInteger(epochs)) throw new ValueError(`Expected positive integer epochs, but got ${epochs}`);
      if (stepsPerEpoch === null || stepsPerEpoch <= 0 || !Number.isInteger(stepsPerEpoch))
        throw new ValueError(`Expected positive integer steps_per_epoch, but got ${stepsPerEpoch}`);
      total = epochs * stepsPerEpoch;
    }
    if (pctStart < 0 || pctStart > 1) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pctStart}`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear")
      throw new ValueError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(annealStrategy)}`);
    const phases: Phase[] = threePhase
      ? [
        { end_step: pctStart * total - 1, start_lr: "initialLr", end_lr: "maxLr", start_momentum: "maxMomentum", end_momentum: "baseMomentum" },
        { end_step: 2 * pctStart * total - 2, start_lr: "maxLr", end_lr: "initialLr", start_momentum: "baseMomentum", end_momentum: "maxMomentum" },
        { end_step: total - 1, start_lr: "initialLr", end_lr: "minLr", start_momentum: "maxMomentum", end_momentum: "maxMomentum" },
      ]
      : [
        { end_step: pctStart * total - 1, start_lr: "initialLr", end_lr: "maxLr", start_momentum: "maxMomentum", end_momentum: "baseMomentum" },
        { end_step: total - 1, start_lr: "maxLr", end_lr: "minLr", start_momentum: "baseMomentum", end_momentum: "maxMomentum" },
      ];
    const maxLrs = formatParam("max_lr", optimizer, maxLr);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((group, i) => {
        group["initialLr"] = maxLrs[i]! / divFactor;
        group["maxLr"] = maxLrs[i]!;
        group["minLr"] = (group["initialLr"] as number) / finalDivFactor;
      });
    }
    let useBeta1 = false;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults))
        throw new ValueError("optimizer must support momentum with `cycle_momentum` option enabled");
      useBeta1 = "betas" in optimizer.defaults;
      const maxMomentums = formatParam("max_momentum", optimizer, maxMomentum);
      const baseMomentums = formatParam("base_momentum", optimizer, baseMomentum);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((group, i) => {
          if (useBeta1) group["betas"] = [maxMomentums[i]!, ...(group["betas"] as number[]).slice(1)];
          else group["momentum"] = maxMomentums[i]!;
          group["maxMomentum"] = maxMomentums[i]!;
          group["baseMomentum"] = baseMomentums[i]!;
        });
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this._schedulePhases = phases;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this._initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "cos") return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps)
      throw new ValueError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    return this.groups.map((group) => {
      let startStep = 0, lr = 0, momentum = 0;
      for (let i = 0; i < this._schedulePhases.length; i++) {
        const phase = this._schedulePhases[i]!;
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === this._schedulePhases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this.anneal(group[phase.start_lr] as number, group[phase.end_lr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(group[phase.start_momentum] as number, group[phase.end_momentum] as number, pct);
          break;
        }
        startStep = phase.end_step;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) group["betas"] = [momentum, ...(group["betas"] as number[]).slice(1)];
        else group["momentum"] = momentum;
      }
      return lr;
    });
  }
}

function formatParam(name: string, optimizer: Optimizer, param: number | number[]): number[] {
  if (Array.isArray(param)) {
    if (param.length !== optimizer.paramGroups.length)
      throw new ValueError(`expected ${optimizer.paramGroups.length} values for ${name}, got ${param.length}`);
    return param;
  }
  return optimizer.paramGroups.map(() => param);
}

export interface ReduceLROnPlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
  verbose?: boolean;
}

/** Multiplies the lr by `factor` when a metric has stopped improving for `patience` epochs: `step(valLoss)`. */
export class ReduceLROnPlateau {
  factor: number;
  optimizer: Optimizer;
  minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max";
  threshold: number;
  thresholdMode: "rel" | "abs";
  best = Infinity;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  _lastLr: number[] = [];

  constructor(optimizer: Optimizer, {
    mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel", cooldown = 0, minLr = 0, eps = 1e-8,
    verbose = false,
  }: ReduceLROnPlateauOptions = {}) {
    if (factor >= 1.0) throw new ValueError("Factor should be < 1.0.");
    this.factor = factor;
    this.optimizer = optimizer;
    if (Array.isArray(minLr)) {
      if (minLr.length !== optimizer.paramGroups.length)
        throw new ValueError(`expected ${optimizer.paramGroups.length} min_lrs, got ${minLr.length}`);
      this.minLrs = [...minLr];
    } else {
      this.minLrs = optimizer.paramGroups.map(() => minLr);
    }
    this.patience = patience;
    this.verbose = verbose;
    this.cooldown = cooldown;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.eps = eps;
    this.initIsBetter();
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** One epoch's metric (a number or a one-element tensor). */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? Number(metrics.item()) : Number(metrics);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;                               // ignore any bad epochs in cooldown
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min" && this.thresholdMode === "abs") return a < best - this.threshold;
    if (this.mode === "max" && this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  private initIsBetter(): void {
    if (this.mode !== "min" && this.mode !== "max") throw new ValueError(`mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs")
      throw new ValueError(`threshold mode ${String(this.thresholdMode)} is unknown!`);
    this.modeWorse = this.mode === "min" ? Infinity : -Infinity;
  }

  getLastLr(): number[] {
    return this._lastLr;
  }

  stateDict(): Record<string, unknown> {
    return fieldsToState(this);
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    loadFields(this, stateDict);
    this.initIsBetter();
  }
}

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017): the cosine runs over `T0`
 * epochs, then restarts at initialLr with a period multiplied by `TMult`. Can be stepped per batch
 * with a fractional epoch: `sched.step(epoch + i / iters)`.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  T0: number;
  Ti: number;
  TMult: number;
  etaMin: number;
  TCur: number;

  constructor(optimizer: Optimizer, T0: number, {
    TMult = 1, etaMin = 0, lastEpoch = -1,
  }: { TMult?: number; etaMin?: number; lastEpoch?: number } = {}) {
    if (!(T0 > 0) || !Number.isInteger(T0)) throw new ValueError(`Expected positive integer T_0, but got ${T0}`);
    if (!(TMult >= 1) || !Number.isInteger(TMult)) throw new ValueError(`Expected integer T_mult >= 1, but got ${TMult}`);
    super(optimizer, lastEpoch);
    this.T0 = T0;
    this.Ti = T0;
    this.TMult = TMult;
    this.etaMin = etaMin;
    this.TCur = lastEpoch;
    this._initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + (base - this.etaMin) * (1 + Math.cos(Math.PI * this.TCur / this.Ti)) / 2);
  }

  /** One epoch on, or to `epoch` (fractional epochs allowed: the lr is set for that point of the cycle). */
  override step(epoch?: number): void {
    this._stepCount += 1;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.TCur = this.TCur + 1;
      if (this.TCur >= this.Ti) {
        this.TCur = this.TCur - this.Ti;
        this.Ti = this.Ti * this.TMult;
      }
    } else {
      if (epoch < 0) throw new ValueError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T0) {
        if (this.TMult === 1) {
          this.TCur = pyMod(epoch, this.T0);
        } else {
          const n = Math.trunc(Math.log(epoch / this.T0 * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.TCur = epoch - this.T0 * (this.TMult ** n - 1) / (this.TMult - 1);
          this.Ti = this.T0 * this.TMult ** n;
        }
      } else {
        this.Ti = this.T0;
        this.TCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this._getLrCalledWithinStep = true;
    try {
      const values = this.getLr();
      this.optimizer.paramGroups.forEach((group, i) => {
        if (i < values.length) group.lr = values[i]!;
      });
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/** Python's `%` on floats (the sign of the divisor). */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

export interface CyclicLROptions {
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: "triangular" | "triangular2" | "exp_range";
  gamma?: number;
  /** A custom amplitude scaling `scaleFn(x)`, with 0 <= scaleFn(x) <= 1; overrides `mode`. */
  scaleFn?: ((x: number) => number) | null;
  /** Whether `scaleFn` is evaluated on the cycle number or on the iteration count. */
  scaleMode?: "cycle" | "iterations";
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  lastEpoch?: number;
}

/**
 * Cyclical learning rates (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017):
 * the lr cycles between `baseLr` and `maxLr` (and the momentum, or Adam's beta1, inversely between
 * `maxMomentum` and `baseMomentum`). Stepped once per batch.
 *
 * ```ts
 * const sched = new optim.lrScheduler.CyclicLR(opt, 0.01, 0.1, { stepSizeUp: 2000, mode: "triangular2" });
 * ```
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: "cycle" | "iterations";
  cycleMomentum: boolean;
  useBeta1 = false;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  _scaleFnCustom: ((x: number) => number) | null;

  constructor(optimizer: Optimizer, baseLr: number | number[], maxLr: number | number[], {
    stepSizeUp = 2000, stepSizeDown = null, mode = "triangular", gamma = 1.0, scaleFn = null, scaleMode = "cycle",
    cycleMomentum = true, baseMomentum = 0.8, maxMomentum = 0.9, lastEpoch = -1,
  }: CyclicLROptions = {}) {
    const baseLrs = formatParam("base_lr", optimizer, baseLr);
    if (lastEpoch === -1) optimizer.paramGroups.forEach((group, i) => { group.lr = baseLrs[i]!; });
    const maxLrs = formatParam("max_lr", optimizer, maxLr);
    const up = stepSizeUp, down = stepSizeDown ?? stepSizeUp;
    if (!["triangular", "triangular2", "exp_range"].includes(mode) && scaleFn === null)
      throw new ValueError("mode is invalid and scale_fn is None");
    let useBeta1 = false, baseMomentums: number[] = [], maxMomentums: number[] = [];
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults))
        throw new ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
      useBeta1 = "betas" in optimizer.defaults;
      baseMomentums = formatParam("base_momentum", optimizer, baseMomentum);
      maxMomentums = formatParam("max_momentum", optimizer, maxMomentum);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((group, i) => {
          if (useBeta1) group["betas"] = [maxMomentums[i]!, ...(group["betas"] as number[]).slice(1)];
          else group["momentum"] = maxMomentums[i]!;
          group["maxMomentum"] = maxMomentums[i]!;
          group["baseMomentum"] = baseMomentums[i]!;
        });
      }
    }
    super(optimizer, lastEpoch);
    this.maxLrs = [...maxLrs];
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = gamma;
    this._scaleFnCustom = scaleFn;
    this.scaleMode = scaleFn === null ? (mode === "exp_range" ? "iterations" : "cycle") : scaleMode;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    this._initialStep();
    this.baseLrs = [...baseLrs];
  }

  /** PyTorch's keys; a custom `scaleFn` is code, not state (`_scale_fn_custom: null`, as PyTorch >= 2 for functions). */
  override stateDict(): Record<string, unknown> {
    return { ...fieldsToState(this), _scale_fn_custom: null };
  }

  /** The amplitude scaling at cycle (or iteration) `x`: the custom `scaleFn`, or the mode's. */
  scaleFn(x: number): number {
    if (this._scaleFnCustom !== null) return this._scaleFnCustom(x);
    if (this.mode === "triangular") return 1.0;
    if (this.mode === "triangular2") return 1 / 2.0 ** (x - 1);
    return this.gamma ** x;
  }

  getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1.0 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const at = this.scaleMode === "cycle" ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i]! - base) * scaleFactor * this.scaleFn(at));
    if (this.cycleMomentum) {
      this.groups.forEach((group, i) => {
        const baseHeight = (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor;
        const momentum = this.maxMomentums[i]! - baseHeight * this.scaleFn(at);
        if (this.useBeta1) group["betas"] = [momentum, ...(group["betas"] as number[]).slice(1)];
        else group["momentum"] = momentum;
      });
    }
    return lrs;
  }
}
