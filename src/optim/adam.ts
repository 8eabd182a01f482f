// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", 2014), with AMSGrad
// (Reddi et al., "On the Convergence of Adam and Beyond", 2018).
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/public.js";
import { native } from "../backends/cpu/native.js";
import { DTYPE_CODE } from "../tensor/dtype.js";
import {
  FusedBatch, canFuse, checkBetas, checkNonNegative, gatherState, type ParamGroup, type ParamState, type Params, Optimizer, stepTensor, withGrads,
} from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  capturable?: boolean;
  differentiable?: boolean;
  fused?: boolean;
}

export interface AdamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export interface AdamHyper {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** The per-parameter state tensors an Adam-style update reads and writes. */
export interface AdamStateArrays {
  expAvgs: Tensor[];
  expAvgSqs: Tensor[];
  /** Used only when `amsgrad`. */
  maxExpAvgSqs: Tensor[];
  /** float32 scalar tensors, incremented in place. */
  stateSteps: Tensor[];
}

/**
 * One Adam step over parallel arrays, PyTorch 1.13's `_single_tensor_adam` op for op:
 *
 *     g = maximize ? -grad : grad;  step += 1
 *     if weightDecay != 0:  g = g + weightDecay * p          (AdamW: p *= 1 - lr * weightDecay instead)
 *     m = beta1 * m + (1 - beta1) * g
 *     v = beta2 * v + (1 - beta2) * g * g
 *     vMax = amsgrad ? max(vMax, v) : v
 *     p -= lr / (1 - beta1^step) * m / (sqrt(vMax) / sqrt(1 - beta2^step) + eps)
 *
 * Runs in place; call it under noGrad.
 */
export function adamUpdate(params: readonly Tensor[], grads: readonly Tensor[], state: AdamStateArrays, hyper: AdamHyper): void {
  adamCore(params, grads, state, hyper, false);
}

/** @internal The Adam/AdamW loop; `decoupled` moves the weight decay onto the parameter (AdamW). */
export function adamCore(
  params: readonly Tensor[], grads: readonly Tensor[], { expAvgs, expAvgSqs, maxExpAvgSqs, stateSteps }: AdamStateArrays,
  { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize }: AdamHyper, decoupled: boolean,
): void {
  // fused parameters are gathered into one native call (adamStepMulti), flushed before any
  // parameter that takes the op-by-op path, so the updates happen in PyTorch's order
  const batch = typeof native.adamStepMulti === "function" ? new FusedBatch() : null;
  const flush = (): void => batch?.flush((d) => [DTYPE_CODE[d], lr, beta1, beta2, eps, weightDecay, amsgrad ? 1 : 0, maximize ? 1 : 0, decoupled ? 1 : 0],
    (buffers, meta) => native.adamStepMulti!(buffers, meta));
  params.forEach((param, i) => {
    const expAvg = expAvgs[i]!, expAvgSq = expAvgSqs[i]!, stepT = stateSteps[i]!;
    stepT.add_(1);
    const fusedOperands = [param, grads[i]!, expAvg, expAvgSq, ...(amsgrad ? [maxExpAvgSqs[i]!] : [])];
    if (canFuse("adamStep", fusedOperands)) {
      const step = Number(stepT.item());
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      if (batch !== null) {
        if (!batch.accepts(fusedOperands)) flush();
        const o = fusedOperands;
        batch.add(o, [param.numel(), o[0]!._offset, o[1]!._offset, o[2]!._offset, o[3]!._offset, amsgrad ? o[4]!._offset : 0,
          -lr / biasCorrection1, Math.sqrt(biasCorrection2)], amsgrad ? [param, expAvg, expAvgSq, o[4]!] : [param, expAvg, expAvgSq]);
        return;
      }
      native.adamStep!(fusedOperands.map((t) => t._storage.data), Float64Array.from([
        DTYPE_CODE[param.dtype], param.numel(), ...fusedOperands.map((t) => t._offset), ...(amsgrad ? [] : [0]),
        lr, beta1, beta2, eps, weightDecay, -lr / biasCorrection1, Math.sqrt(biasCorrection2),
        amsgrad ? 1 : 0, maximize ? 1 : 0, decoupled ? 1 : 0,
      ]));
      for (const t of fusedOperands) if (t !== grads[i]) t._bumpVersion();
      return;
    }
    flush();
    let grad = maximize ? grads[i]!.neg() : grads[i]!;
    if (decoupled) param.mul_(1 - lr * weightDecay);
    else if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
    expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
    expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
    const step = Number(stepT.item());
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = lr / biasCorrection1;
    const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
    let denom: Tensor;
    if (amsgrad) {
      const maxSq = maxExpAvgSqs[i]!;
      maxSq.copy_(ops.maximum(maxSq, expAvgSq));                // torch.maximum(max, v, out=max)
      denom = maxSq.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    } else {
      denom = expAvgSq.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    }
    param.addcdiv_(expAvg, denom, { value: -stepSize });
  });
  flush();
}

/** @internal Gathers (creating on first use) the Adam-family state of a group's parameters with gradients. */
export function adamState(
  state: Map<Tensor, ParamState>, params: readonly Tensor[], amsgrad: boolean,
): AdamStateArrays {
  const states = gatherState(state, params, (p) => {
    const s: ParamState = { step: stepTensor(0), exp_avg: ops.zerosLike(p), exp_avg_sq: ops.zerosLike(p) };
    if (amsgrad) s["max_exp_avg_sq"] = ops.zerosLike(p);
    return s;
  });
  return {
    expAvgs: states.map((s) => s["exp_avg"] as Tensor),
    expAvgSqs: states.map((s) => s["exp_avg_sq"] as Tensor),
    maxExpAvgSqs: amsgrad ? states.map((s) => s["max_exp_avg_sq"] as Tensor) : [],
    stateSteps: states.map((s) => s["step"] as Tensor),
  };
}

/** A number `step` from an old checkpoint becomes a tensor, as in PyTorch's `__setstate__`. */
export function upgradeStepState(s: ParamState): ParamState {
  if ("step" in s) s["step"] = stepTensor(s["step"]);
  return s;
}

/**
 * Adam, torch.optim.Adam.
 *
 * ```ts
 * const opt = new optim.Adam(net.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
 * ```
 */
export class Adam extends Optimizer<AdamGroup> {
  constructor(params: Params, {
    lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, foreach = null, maximize = false,
    capturable = false, differentiable = false, fused = false,
  }: AdamOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(eps, "epsilon value");
    checkBetas(betas);
    checkNonNegative(weightDecay, "weight_decay value");
    super(params, { lr, betas, eps, weightDecay, amsgrad, maximize, foreach, capturable, differentiable, fused });
  }

  protected stepGroup(group: AdamGroup): void {
    const { params, grads } = withGrads(group);
    adamUpdate(params, grads, adamState(this.state, params, group.amsgrad), group);
  }

  protected override upgradeState(s: ParamState): ParamState {
    return upgradeStepState(s);
  }
}
