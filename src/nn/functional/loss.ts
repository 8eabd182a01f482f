// SPDX-License-Identifier: BSD-3-Clause
// Loss functions (torch.nn.functional): PyTorch's formulas and reductions ("none" | "mean" | "sum").
import { noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { IndexError, RuntimeError, ValueError } from "../../errors.js";
import { ones, onesLike, tensor, zerosLike } from "../../ops/creation.js";
import { broadcastShapes } from "../../tensor/layout.js";
import { where } from "../../ops/math.js";
import { Tensor } from "../../tensor/tensor.js";
import { needsGrad } from "../../autograd/graph.js";
import { logSoftmax, logsigmoid } from "./activation.js";
import { pairwiseDistance } from "./distance.js";

export type Reduction = "none" | "mean" | "sum";

function reduce(x: Tensor, reduction: Reduction): Tensor {
  switch (reduction) {
    case "none": return x;
    case "mean": return x.mean();
    case "sum": return x.sum();
    default: throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
  }
}

export interface NllOptions { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }
export interface CrossEntropyOptions extends NllOptions { labelSmoothing?: number }

/**
 * F.nllLoss(input, target): input (N, C) or (N, C, d1, ...) log-probabilities, target (N) or
 * (N, d1, ...) class indices. loss_i = -w[t_i] * input[i, t_i]; "mean" divides by sum of w[t_i]
 * over the targets that are not ignoreIndex.
 */
export function nllLoss(input: Tensor, target: Tensor, { weight = null, ignoreIndex = -100, reduction = "mean" }: NllOptions = {}): Tensor {
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  if (!["none", "mean", "sum"].includes(reduction)) throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
  // unbatched (C) input with a 0-dim target: computed as a batch of one, recorded as one node on the (C) input
  const unbatched = input.ndim === 1;
  const x = unbatched ? input.detach().unsqueeze(0) : input;  // (N, C, d...)
  if (unbatched) target = target.unsqueeze(0);
  const N = x.shape[0]!, C = x.shape[1]!;
  if (target.shape[0] !== N)
    throw new ValueError(`Expected input batch_size (${N}) to match target batch_size (${target.shape[0]}).`);
  if (target.dtype !== "int64") throw new RuntimeError(`expected scalar type Long but found ${target.dtype === "int32" ? "Int" : target.dtype === "float32" ? "Float" : target.dtype}`);
  if (x.ndim > 2 && (target.ndim !== x.ndim - 1 || target.shape.slice(1).some((s, i) => s !== x.shape[i + 2])))
    throw new RuntimeError(`Expected target size [${[N, ...x.shape.slice(2)].join(", ")}], got [${target.shape.join(", ")}]`);
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== C))
    throw new RuntimeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(", ")}]`);
  if (!unbatched && weight === null && x.ndim === 2 && target.ndim === 1 && (x.dtype === "float32" || x.dtype === "float64") &&
    N * C <= NLL_LOOP_MAX)
    return nllLoss2d(input, target, ignoreIndex, reduction);
  const ignored = target.eq(ignoreIndex);
  const safe = where(ignored, 0, target);
  for (const t of target.reshape(-1).tolist() as number[])
    if (t !== ignoreIndex && (t < 0 || t >= C)) throw new IndexError(`Target ${t} is out of bounds.`);
  const w = noGrad(() => {
    const base = weight !== null ? weight.gather(0, safe.reshape(-1)).reshape(safe.shape) : ones(safe.shape, { dtype: x.dtype });
    return base.maskedFill(ignored, 0);
  });
  const idx = safe.unsqueeze(1);  // (N, 1, d...)
  const total = noGrad(() => w.sum());
  const out = noGrad(() => {
    const picked = x.gather(1, idx).squeeze(1).mul(w).neg();
    if (reduction === "none") return unbatched ? picked.reshape([]) : picked;
    return reduction === "sum" ? picked.sum() : picked.sum().div(total);
  });
  const shape = x.shape;
  return record(out, {
    name: "NllLossBackward0", inputs: [input], save: [],
    backward: ([g]) => {
      // d/dinput[i, t_i] = -w_i * g (divided by the weight total for "mean")
      let scale = w.neg().mul(reduction === "none" ? g!.reshape(w.shape) : g!);
      if (reduction === "mean") scale = scale.div(total);
      const gx = zerosLike(x, { dtype: x.dtype }).expand(shape).contiguous().scatter(1, idx, scale.unsqueeze(1));
      return [unbatched ? gx.reshape(input.shape) : gx];
    },
  });
}

/** Up to this many input elements, nllLoss on (N, C) without class weights runs as plain loops. */
const NLL_LOOP_MAX = 1 << 16;

/**
 * nllLoss of an (N, C) float input without class weights, in plain loops over the N picked
 * elements: the same formula, node and values as the general path (whose dozen small kernels
 * and temporaries cost far more than the arithmetic), the same errors, in the same order.
 */
function nllLoss2d(input: Tensor, target: Tensor, ignoreIndex: number, reduction: Reduction): Tensor {
  const N = input._shape[0]!, C = input._shape[1]!, dtype = input.dtype;
  const tv = target._storage.data as BigInt64Array, ts = target._strides[0]!, to = target._offset;
  const cols = new Int32Array(N);  // the picked class of each row (0 where ignored, as `safe`)
  const ws = new Float64Array(N);  // its weight: 1, or 0 where ignored
  let total = 0;
  for (let i = 0; i < N; i++) {
    const t = Number(tv[to + i * ts]!);
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= C) throw new IndexError(`Target ${t} is out of bounds.`);
    cols[i] = t;
    ws[i] = 1;
    total++;
  }
  const xd = input._storage.data as Float32Array | Float64Array, x0 = input._strides[0]!, x1 = input._strides[1]!, xo = input._offset;
  const out = Tensor._empty(reduction === "none" ? [N] : [], dtype);
  const od = out._storage.data as Float32Array | Float64Array;
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const v = -(xd[xo + i * x0 + cols[i]! * x1]! * ws[i]!);  // exact in either dtype
    if (reduction === "none") od[i] = v; else sum += v;
  }
  // "sum" rounds the (double) sum to the dtype; "mean" then divides by the weight total in the dtype
  if (reduction === "sum") od[0] = sum;
  else if (reduction === "mean") od[0] = (dtype === "float32" ? Math.fround(sum) : sum) / total;
  return record(out, {
    name: "NllLossBackward0", inputs: [input], save: [],
    backward: ([g]) => {
      if (g!.dtype !== dtype || needsGrad([g])) {  // a differentiable backward (createGraph): tensor ops
        const w = tensorOf(ws, [N], dtype), idx = tensorOf(cols, [N, 1], "int64");
        let scale = w.neg().mul(reduction === "none" ? g!.reshape([N]) : g!);
        if (reduction === "mean") scale = scale.div(w.sum());
        return [zerosLike(input, { dtype }).scatter(1, idx, scale.unsqueeze(1))];
      }
      const gx = Tensor._empty([N, C], dtype);
      const gd = gx._storage.data as Float32Array | Float64Array;
      gd.fill(0);
      const gv = g!._storage.data as Float32Array | Float64Array, gs = reduction === "none" ? g!._strides[0]! : 0, go = g!._offset;
      const f32 = dtype === "float32";
      for (let i = 0; i < N; i++) {
        let scale = -ws[i]! * gv[go + i * gs]!;  // exact: the weight is 0 or 1
        if (reduction === "mean") scale = (f32 ? Math.fround(scale) : scale) / total;
        gd[i * C + cols[i]!] = scale;
      }
      return [gx];
    },
  });
}

function tensorOf(values: ArrayLike<number>, shape: number[], dtype: Tensor["dtype"]): Tensor {
  return tensor(Array.from(values), { dtype }).reshape(shape);
}

/** F.crossEntropy(input, target): logSoftmax over dim 1, then nllLoss; labelSmoothing as PyTorch 1.13. */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = opts;
  if (labelSmoothing < 0 || labelSmoothing > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  // probabilities when the target has the input's shape (PyTorch's rule); otherwise class indices
  if (target.isFloatingPoint() && target.ndim === input.ndim && target.shape.every((s, i) => s === input.shape[i]))
    return crossEntropyProbs(input, target, opts);
  const classDim = input.ndim === 1 ? 0 : 1;
  const lp = logSoftmax(input, classDim);
  const nll = nllLoss(lp, target, { weight, ignoreIndex, reduction });
  if (labelSmoothing === 0) return nll;
  const C = input.shape[classDim]!;
  const ignored = target.eq(ignoreIndex);
  const wv = weight !== null ? weight.reshape([C, ...Array(Math.max(0, input.ndim - 2)).fill(1)]) : null;
  let smooth = (wv !== null ? lp.mul(wv) : lp).sum(classDim).neg();
  smooth = smooth.mul(ignored.logicalNot().to(smooth.dtype));  // masked_fill_(ignore_mask, 0), differentiably
  let ret: Tensor;
  if (reduction === "mean") {
    if (weight !== null) {
      const valid = target.maskedSelect(ignored.logicalNot()).reshape(-1);
      ret = smooth.sum().div(weight.gather(0, valid).sum());
    } else ret = smooth.sum().div(ignored.logicalNot().sum());
  } else ret = reduce(smooth, reduction);
  return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / C));
}

/** Class-probability targets: -(w * target * logSoftmax(input)).sum(classDim). */
function crossEntropyProbs(input: Tensor, target: Tensor, { weight = null, reduction = "mean", labelSmoothing = 0 }: CrossEntropyOptions): Tensor {
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  if (target.shape.length !== input.shape.length || target.shape.some((s, i) => s !== input.shape[i]))
    throw new RuntimeError(`Expected target size [${input.shape.join(", ")}], got [${target.shape.join(", ")}]`);
  const t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / C) : target;
  const lp = logSoftmax(input, classDim);
  const wv = weight !== null ? weight.reshape([C, ...Array(Math.max(0, input.ndim - 2)).fill(1)]) : null;
  let l = lp.mul(t);
  if (wv !== null) l = l.mul(wv);
  l = l.sum(classDim).neg();
  if (reduction === "mean") return input.ndim === 1 ? l : l.sum().div(input.numel() / C);
  return reduce(l, reduction);
}

function checkSameSize(input: Tensor, target: Tensor): void {
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i]))
    throw new ValueError(`Using a target size (torch.Size([${target.shape.join(", ")}])) that is different to the input size (torch.Size([${input.shape.join(", ")}])) is deprecated. Please ensure they have the same size.`);
}

/** F.mseLoss(input, target): (input - target)^2, reduced. */
export function mseLoss(input: Tensor, target: Tensor, { reduction = "mean" }: { reduction?: Reduction } = {}): Tensor {
  const out = noGrad(() => reduce(input.sub(target).square(), reduction));
  const n = reduction === "mean" ? input.shape.reduce((a, b) => a * b, 1) : 1;
  return record(out, {
    name: "MseLossBackward0", inputs: [input, target], save: [input, target],
    backward: ([g], [x, y]) => {
      const d = x!.sub(y!).mul(2).mul(g!).div(n);
      return [d, d.neg()];
    },
  });
}

/** F.l1Loss(input, target): |input - target|, reduced. */
export function l1Loss(input: Tensor, target: Tensor, { reduction = "mean" }: { reduction?: Reduction } = {}): Tensor {
  return reduce(input.sub(target).abs(), reduction);
}

/** F.binaryCrossEntropy(input, target, weight?): -(t log x + (1 - t) log(1 - x)), logs clamped at -100 as PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, { weight = null, reduction = "mean" }: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  checkSameSize(input, target);
  const bad = noGrad(() => input.lt(0).logicalOr(input.gt(1)).any().item());
  if (bad) throw new RuntimeError("all elements of input should be between 0 and 1");
  const n = reduction === "mean" ? input.numel() : 1;
  const out = noGrad(() => {
    let l = target.mul(input.log().clampMin(-100)).add(target.neg().add(1).mul(input.neg().add(1).log().clampMin(-100))).neg();
    if (weight !== null) l = l.mul(weight);
    return reduce(l, reduction);
  });
  // PyTorch's binary_cross_entropy_backward: g * (x - t) / max(x (1 - x), 1e-12) * w
  return record(out, {
    name: "BinaryCrossEntropyBackward0", inputs: [input, target], save: [input, target],
    backward: ([g], [x, t]) => {
      let d = x!.sub(t!).div(x!.neg().add(1).mul(x!).clampMin(1e-12)).mul(g!);
      // d/dtarget = -logit(x) = log(1 - x) - log(x)
      let dt = x!.neg().add(1).log().sub(x!.log()).mul(g!);
      if (weight !== null) { d = d.mul(weight); dt = dt.mul(weight); }
      return n === 1 ? [d, dt] : [d.div(n), dt.div(n)];
    },
  });
}

/**
 * F.binaryCrossEntropyWithLogits(input, target, { weight, posWeight }):
 * (1 - t) x + lw * (log(1 + exp(-|x|)) + max(-x, 0)), lw = 1 + (posWeight - 1) t; stable for any x.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor,
  { weight = null, posWeight = null, reduction = "mean" }: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i]))
    throw new ValueError(`Target size (torch.Size([${target.shape.join(", ")}])) must be the same as input size (torch.Size([${input.shape.join(", ")}]))`);
  const maxVal = input.neg().clampMin(0);
  const softplusNeg = input.abs().neg().exp().log1p().add(maxVal);  // log(1 + exp(-x))
  let l: Tensor;
  if (posWeight !== null) {
    const lw = posWeight.sub(1).mul(target).add(1);
    l = target.neg().add(1).mul(input).add(lw.mul(softplusNeg));
  } else l = target.neg().add(1).mul(input).add(softplusNeg);
  if (weight !== null) l = l.mul(weight);
  return reduce(l, reduction);
}

type ReductionOpt = { reduction?: Reduction };
const checkReduction = (reduction: string): void => {
  if (!["none", "mean", "sum"].includes(reduction)) throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
};
const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * A pointwise loss l(input, target) with derivative dl/dinput = dl(d) in d = input - target (so
 * dl/dtarget = -dl): one node named `name`, as PyTorch's HuberLossBackward0 / SmoothL1LossBackward0.
 */
function differenceLoss(input: Tensor, target: Tensor, reduction: Reduction, name: string, l: (d: Tensor) => Tensor, dl: (d: Tensor) => Tensor): Tensor {
  checkReduction(reduction);
  const out = noGrad(() => reduce(l(input.sub(target)), reduction));
  const n = reduction === "mean" ? numelOf(broadcastShapes(input.shape, target.shape)) : 1;
  return record(out, {
    name, inputs: [input, target], save: [input, target],
    backward: ([g], [x, y]) => {
      const dx = dl(x!.sub(y!)).mul(g!).div(n);
      return [dx, dx.neg()];
    },
  });
}

/** F.huberLoss(input, target, { delta = 1 }): 0.5 d^2 for |d| < delta, delta (|d| - delta / 2) beyond (Huber 1964). */
export function huberLoss(input: Tensor, target: Tensor, { reduction = "mean", delta = 1 }: ReductionOpt & { delta?: number } = {}): Tensor {
  if (delta <= 0) throw new RuntimeError("huber_loss does not support non-positive values for delta.");
  return differenceLoss(input, target, reduction, "HuberLossBackward0",
    (d) => where(d.abs().lt(delta), d.square().mul(0.5), d.abs().sub(0.5 * delta).mul(delta)),
    (d) => d.clamp(-delta, delta));
}

/** F.smoothL1Loss(input, target, { beta = 1 }): 0.5 d^2 / beta for |d| < beta, |d| - beta / 2 beyond; beta 0 is L1. */
export function smoothL1Loss(input: Tensor, target: Tensor, { reduction = "mean", beta = 1 }: ReductionOpt & { beta?: number } = {}): Tensor {
  if (beta < 0) throw new RuntimeError("smooth_l1_loss does not support negative values for beta.");
  if (beta === 0) return differenceLoss(input, target, reduction, "SmoothL1LossBackward0", (d) => d.abs(), (d) => d.sign());
  return differenceLoss(input, target, reduction, "SmoothL1LossBackward0",
    (d) => where(d.abs().lt(beta), d.square().mul(0.5 / beta), d.abs().sub(0.5 * beta)),
    (d) => d.div(beta).clamp(-1, 1));
}

export type KlReduction = Reduction | "batchmean";
/**
 * F.klDiv(input, target, { reduction = "mean", logTarget = false }): input holds log-probabilities;
 * target * (log(target) - input) (0 where target is 0), or exp(t) (t - input) for log targets.
 * "batchmean" divides the sum by the batch size, the mathematically correct KL divergence.
 */
export function klDiv(input: Tensor, target: Tensor, { reduction = "mean", logTarget = false }: { reduction?: KlReduction; logTarget?: boolean } = {}): Tensor {
  if (!["none", "mean", "sum", "batchmean"].includes(reduction)) throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
  const l = logTarget ? target.exp().mul(target.sub(input))
    : where(target.eq(0), 0, target.mul(target.log())).sub(target.mul(input));  // xlogy(t, t) - t * x
  if (reduction === "batchmean") return input.ndim !== 0 ? l.sum().div(input.shape[0]!) : l.sum();
  return reduce(l, reduction);
}

/**
 * F.poissonNllLoss(input, target, { logInput = true, full = false, eps = 1e-8 }): exp(x) - t x for
 * log-rate inputs, else x - t log(x + eps); `full` adds Stirling's t log t - t + 0.5 log(2 pi t) where t > 1.
 */
export function poissonNllLoss(input: Tensor, target: Tensor,
  { logInput = true, full = false, eps = 1e-8, reduction = "mean" }: ReductionOpt & { logInput?: boolean; full?: boolean; eps?: number } = {}): Tensor {
  checkReduction(reduction);
  let l = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    const stirling = noGrad(() => target.mul(target.log()).sub(target).add(target.mul(2 * Math.PI).log().mul(0.5)));
    l = l.add(where(target.gt(1), stirling, 0));
  }
  return reduce(l, reduction);
}

/**
 * F.gaussianNllLoss(input, target, var, { full = false, eps = 1e-6 }): 0.5 (log(max(var, eps)) +
 * (input - target)^2 / max(var, eps)) (+ 0.5 log(2 pi) when full). var may omit the last dim or have 1 there.
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor,
  { full = false, eps = 1e-6, reduction = "mean" }: ReductionOpt & { full?: boolean; eps?: number } = {}): Tensor {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
  let v = variance;
  if (!same(v.shape, input.shape)) {
    if (same(input.shape.slice(0, -1), v.shape)) v = v.unsqueeze(-1);  // homoscedastic over the last dim
    else if (!(same(input.shape.slice(0, -1), v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1))
      throw new ValueError("var is of incorrect size");
  }
  checkReduction(reduction);
  if (noGrad(() => v.lt(0).any().item())) throw new ValueError("var has negative entry/entries");
  // the clamp is applied without grad, as PyTorch's: the gradient flows to var as if unclamped
  const clamped = noGrad(() => v.clampMin(eps));
  v = v.add(clamped.sub(v).detach());
  let l = v.log().add(input.sub(target).square().div(v)).mul(0.5);
  if (full) l = l.add(0.5 * Math.log(2 * Math.PI));
  return reduce(l, reduction);
}

function sameDims(name: string, ...ts: Tensor[]): void {
  if (ts.some((t) => t.ndim !== ts[0]!.ndim))
    throw new RuntimeError(`${name} : All input tensors should have same dimension but got sizes: input1: torch.Size([${ts[0]!.shape.join(", ")}]), ` +
      `input2: torch.Size([${ts[1]!.shape.join(", ")}]), target: torch.Size([${ts[2]!.shape.join(", ")}]) `);
}

/** F.marginRankingLoss(input1, input2, target, { margin = 0 }): max(0, -y (x1 - x2) + margin). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, { margin = 0, reduction = "mean" }: ReductionOpt & { margin?: number } = {}): Tensor {
  sameDims("margin_ranking_loss", input1, input2, target);
  checkReduction(reduction);
  return reduce(target.neg().mul(input1.sub(input2)).add(margin).clampMin(0), reduction);
}

/** F.hingeEmbeddingLoss(input, target, { margin = 1 }): x where y = 1, max(0, margin - x) where y = -1. */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, { margin = 1, reduction = "mean" }: ReductionOpt & { margin?: number } = {}): Tensor {
  checkReduction(reduction);
  const marginClamp = input.neg().add(margin).clampMin(0);
  const l = where(target.ne(1), marginClamp, 0).add(where(target.ne(-1), input, 0));
  return reduce(l, reduction);
}

/** F.softMarginLoss(input, target): log(1 + exp(-y x)). */
export function softMarginLoss(input: Tensor, target: Tensor, { reduction = "mean" }: ReductionOpt = {}): Tensor {
  checkReduction(reduction);
  return reduce(input.neg().mul(target).exp().log1p(), reduction);
}

/**
 * F.multilabelSoftMarginLoss(input, target, { weight }): -(t logsigmoid(x) + (1 - t) logsigmoid(-x)),
 * averaged over the classes (the last dim).
 */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, { weight = null, reduction = "mean" }: ReductionOpt & { weight?: Tensor | null } = {}): Tensor {
  checkReduction(reduction);
  let l = target.mul(logsigmoid(input)).add(target.neg().add(1).mul(logsigmoid(input.neg()))).neg();
  if (weight !== null) l = l.mul(weight);
  const classDim = input.ndim - 1;
  l = l.sum(classDim).div(input.shape[classDim]!);
  return reduce(l, reduction);
}

function checkMarginShapes(name: string, input: Tensor, target: Tensor, sameShape: boolean): [number, number] {
  const C = input.ndim === 0 ? 1 : input.shape[input.ndim - 1]!;
  const N = input.ndim <= 1 ? 1 : input.shape[0]!;
  const ok = input.ndim <= 2 && (sameShape
    ? (input.ndim <= 1 ? target.ndim <= 1 && target.numel() === C : target.ndim === 2 && target.shape[0] === N && target.shape[1] === C)
    : (input.ndim <= 1 ? target.ndim <= 1 && target.numel() === 1 : target.ndim === 1 && target.shape[0] === N));
  if (!ok) throw new RuntimeError(`inconsistent ${name} size: [${target.shape.join(", ")}] for input of size: [${input.shape.join(", ")}]`);
  if (target.dtype !== "int64") throw new RuntimeError(`expected scalar type Long but found ${scalarName(target.dtype)}`);
  return [N, C];
}
const scalarName = (d: string): string => ({ float32: "Float", float64: "Double", int32: "Int", int16: "Short", int8: "Char", uint8: "Byte", bool: "Bool", float16: "Half", bfloat16: "BFloat16" } as Record<string, string>)[d] ?? d;

/** Reduction of a per-sample loss for the (C) / (N, C) margin losses: (C) input gives a 0-dim loss. */
function reducePerSample(l: Tensor, input: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return input.ndim <= 1 ? l.reshape([]) : l;
  return reduce(l, reduction);
}

/**
 * F.multilabelMarginLoss(input, target): target holds class indices, ended by the first -1;
 * loss = sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C.
 */
export function multilabelMarginLoss(input: Tensor, target: Tensor, { reduction = "mean" }: ReductionOpt = {}): Tensor {
  checkReduction(reduction);
  const [N, C] = checkMarginShapes("multilabel_margin_loss", input, target, true);
  const x = input.reshape([N, C]);
  const rows = target.reshape([N, C]).tolist() as number[][];
  const count = rows.map(() => new Array<number>(C).fill(0));
  const isTarget = rows.map(() => new Array<number>(C).fill(1));
  rows.forEach((row, n) => {
    for (const t of row) {
      if (t === -1) break;
      if (t < 0 || t >= C) throw new RuntimeError("argument #2 'target' is out of range");
      count[n]![t]! += 1;
      isTarget[n]![t] = 0;
    }
  });
  const cnt = tensor(count, { dtype: x.dtype }), notTarget = tensor(isTarget, { dtype: x.dtype });
  // (N, Cj, 1) against (N, 1, Ci): hinge of every (target j, other i) pair
  const hinge = x.unsqueeze(1).sub(x.unsqueeze(2)).add(1).clampMin(0);
  const l = hinge.mul(cnt.unsqueeze(2)).mul(notTarget.unsqueeze(1)).sum([1, 2]).div(C);
  return reducePerSample(l, input, reduction);
}

/**
 * F.multiMarginLoss(input, target, { p = 1, margin = 1, weight }): sum over i != y of
 * w[y] max(0, margin - x[y] + x[i])^p / C.
 */
export function multiMarginLoss(input: Tensor, target: Tensor,
  { p = 1, margin = 1, weight = null, reduction = "mean" }: ReductionOpt & { p?: number; margin?: number; weight?: Tensor | null } = {}): Tensor {
  if (p !== 1 && p !== 2) throw new ValueError("only p == 1 and p == 2 supported");
  checkReduction(reduction);
  const [N, C] = checkMarginShapes("multi_margin_loss", input, target, false);
  if (weight !== null && (weight.ndim !== 1 || weight.numel() !== C))
    throw new RuntimeError(`inconsistent weight size, expected [${C}] but got [${weight.shape.join(", ")}]`);
  const x = input.reshape([N, C]), t = target.reshape([N, 1]);
  for (const v of t.reshape(-1).tolist() as number[]) if (v < 0 || v >= C) throw new IndexError("target out of range");
  const xy = x.gather(1, t);  // (N, 1)
  let h = x.sub(xy).add(margin).clampMin(0);
  if (p === 2) h = h.square();
  if (weight !== null) h = h.mul(weight.gather(0, t.reshape(-1)).unsqueeze(1));
  const notY = noGrad(() => onesLike(x).scatter(1, t, 0));
  const l = h.mul(notY).sum(1).div(C);
  return reducePerSample(l, input, reduction);
}

/**
 * F.cosineEmbeddingLoss(input1, input2, target, { margin = 0 }): 1 - cos(x1, x2) where y = 1,
 * max(0, cos - margin) where y = -1, cos with 1e-12 added to each squared norm as PyTorch's.
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, { margin = 0, reduction = "mean" }: ReductionOpt & { margin?: number } = {}): Tensor {
  checkReduction(reduction);
  const td = target.ndim;
  if (td > 1) throw new RuntimeError(`0D or 1D target tensor expected, multi-target not supported`);
  if (input1.ndim !== td + 1 || input2.ndim !== td + 1)
    throw new RuntimeError(`${td}D target tensor expects ${td + 1}D input tensors, but found inputs with sizes [${input1.shape.join(", ")}] and [${input2.shape.join(", ")}].`);
  const dim = td === 0 ? 0 : 1;
  const EPS = 1e-12;
  const prod = input1.mul(input2).sum(dim);
  const m1 = input1.mul(input1).sum(dim).add(EPS), m2 = input2.mul(input2).sum(dim).add(EPS);
  const cos = prod.div(m1.mul(m2).sqrt());
  const l = where(target.eq(1), cos.neg().add(1), 0).add(where(target.eq(-1), cos.sub(margin).clampMin(0), 0));
  return reduce(l, reduction);
}

/**
 * F.tripletMarginLoss(anchor, positive, negative, { margin = 1, p = 2, eps = 1e-6, swap = false }):
 * max(0, margin + d(a, p) - d(a, n)), d the pairwise p-distance (Balntas et al. 2016).
 */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor,
  { margin = 1, p = 2, eps = 1e-6, swap = false, reduction = "mean" }: ReductionOpt & { margin?: number; p?: number; eps?: number; swap?: boolean } = {}): Tensor {
  checkReduction(reduction);
  const a = anchor.ndim, pd = positive.ndim, nd = negative.ndim;
  if (a !== pd || a !== nd)
    throw new RuntimeError(`All inputs should have same dimension but got ${a}D, ${pd}D and ${nd}D inputs.`);
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps));
  return reduce(dPos.sub(dNeg).add(margin).clampMin(0), reduction);
}

export type DistanceFunction = (x1: Tensor, x2: Tensor) => Tensor;
/**
 * F.tripletMarginWithDistanceLoss(anchor, positive, negative, { distanceFunction, margin = 1, swap }):
 * the triplet loss with any distance (pairwiseDistance by default).
 */
export function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor, negative: Tensor,
  { distanceFunction = null, margin = 1, swap = false, reduction = "mean" }: ReductionOpt & { distanceFunction?: DistanceFunction | null; margin?: number; swap?: boolean } = {}): Tensor {
  checkReduction(reduction);
  const a = anchor.ndim, pd = positive.ndim, nd = negative.ndim;
  if (a !== pd || a !== nd)
    throw new RuntimeError(`All inputs should have same dimension but got ${a}D, ${pd}D and ${nd}D inputs.`);
  const dist = distanceFunction ?? ((x1: Tensor, x2: Tensor) => pairwiseDistance(x1, x2));
  const dPos = dist(anchor, positive);
  let dNeg = dist(anchor, negative);
  if (swap) dNeg = dNeg.minimum(dist(positive, negative));
  return reduce(dPos.sub(dNeg).add(margin).clampMin(0), reduction);
}

export { ctcLoss, type CtcOptions } from "./ctc.js";
