// SPDX-License-Identifier: BSD-3-Clause
// Loss functions (torch.nn.functional): PyTorch's formulas and reductions ("none" | "mean" | "sum").
import { noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { IndexError, RuntimeError, ValueError } from "../../errors.js";
import { ones, zerosLike } from "../../ops/creation.js";
import { where } from "../../ops/math.js";
import type { Tensor } from "../../tensor/tensor.js";
import { logSoftmax } from "./activation.js";

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
  if (input.ndim === 1) return nllLoss(input.unsqueeze(0), target.unsqueeze(0), { weight, ignoreIndex, reduction }).squeeze(0);
  const N = input.shape[0]!, C = input.shape[1]!;
  if (target.shape[0] !== N)
    throw new ValueError(`Expected input batch_size (${N}) to match target batch_size (${target.shape[0]}).`);
  if (target.dtype !== "int64") throw new RuntimeError(`expected scalar type Long but found ${target.dtype === "int32" ? "Int" : target.dtype === "float32" ? "Float" : target.dtype}`);
  if (input.ndim > 2 && (target.ndim !== input.ndim - 1 || target.shape.slice(1).some((s, i) => s !== input.shape[i + 2])))
    throw new RuntimeError(`Expected target size [${[N, ...input.shape.slice(2)].join(", ")}], got [${target.shape.join(", ")}]`);
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== C))
    throw new RuntimeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(", ")}]`);
  const ignored = target.eq(ignoreIndex);
  const safe = where(ignored, 0, target);
  for (const t of target.reshape(-1).tolist() as number[])
    if (t !== ignoreIndex && (t < 0 || t >= C)) throw new IndexError(`Target ${t} is out of bounds.`);
  const w = noGrad(() => {
    const base = weight !== null ? weight.gather(0, safe.reshape(-1)).reshape(safe.shape) : ones(safe.shape, { dtype: input.dtype });
    return base.maskedFill(ignored, 0);
  });
  const idx = safe.unsqueeze(1);  // (N, 1, d...)
  const total = noGrad(() => w.sum());
  const out = noGrad(() => {
    const picked = input.gather(1, idx).squeeze(1).mul(w).neg();
    return reduction === "none" ? picked : reduction === "sum" ? picked.sum() : picked.sum().div(total);
  });
  const shape = input.shape;
  return record(out, {
    name: "NllLossBackward0", inputs: [input], save: [],
    backward: ([g]) => {
      // d/dinput[i, t_i] = -w_i * g (divided by the weight total for "mean")
      let scale = w.neg().mul(g!);
      if (reduction === "mean") scale = scale.div(total);
      return [zerosLike(input, { dtype: input.dtype }).expand(shape).contiguous().scatter(1, idx, scale.unsqueeze(1))];
    },
  });
}

/** F.crossEntropy(input, target): logSoftmax over dim 1, then nllLoss; labelSmoothing as PyTorch 1.13. */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = opts;
  if (labelSmoothing < 0 || labelSmoothing > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  if (target.isFloatingPoint()) return crossEntropyProbs(input, target, opts);
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
    name: "BinaryCrossEntropyBackward0", inputs: [input], save: [input],
    backward: ([g], [x]) => {
      let d = x!.sub(target).div(x!.neg().add(1).mul(x!).clampMin(1e-12)).mul(g!);
      if (weight !== null) d = d.mul(weight);
      return [n === 1 ? d : d.div(n)];
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
