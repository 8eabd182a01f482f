// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.RAdam (Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", 2019).
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/public.js";
import { upgradeStepState } from "./adam.js";
import {
  checkBetas, checkNonNegative, gatherState, type ParamGroup, type ParamState, type Params, Optimizer, stepTensor, withGrads,
} from "./optimizer.js";

export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** AdamW-style decay on the parameter instead of the gradient (PyTorch >= 2.1). */
  decoupledWeightDecay?: boolean;
  foreach?: boolean | null;
}

export interface RAdamHyper {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
}

interface RAdamGroup extends ParamGroup, RAdamHyper {}

/**
 * One RAdam step, PyTorch 1.13's `_single_tensor_radam`:
 *
 *     step += 1;  if weightDecay != 0: decoupledWeightDecay ? p *= 1 - lr * weightDecay : g = g + weightDecay * p
 *     m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
 *     rhoInf = 2 / (1 - beta2) - 1;  rhoT = rhoInf - 2 * step * beta2^step / (1 - beta2^step)
 *     rhoT > 5 ? p -= lr * m / (1 - beta1^step) * rect * sqrt(1 - beta2^step) / (sqrt(v) + eps)
 *              : p -= lr * m / (1 - beta1^step)
 */
export function radamUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], expAvgs: readonly Tensor[], expAvgSqs: readonly Tensor[],
  stateSteps: readonly Tensor[], { lr, betas: [beta1, beta2], eps, weightDecay, decoupledWeightDecay }: RAdamHyper,
): void {
  params.forEach((param, i) => {
    let grad = grads[i]!;
    const expAvg = expAvgs[i]!, expAvgSq = expAvgSqs[i]!, stepT = stateSteps[i]!;
    stepT.add_(1);
    const step = Number(stepT.item());
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
      else grad = grad.add(param, { alpha: weightDecay });
    }
    expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
    expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
    const biasCorrectedExpAvg = expAvg.div(biasCorrection1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - 2 * step * (beta2 ** step) / biasCorrection2;
    if (rhoT > 5) {
      const rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      const adaptiveLr = expAvgSq.sqrt().add_(eps).reciprocal().mul(Math.sqrt(biasCorrection2));  // PyTorch: float / t = t.reciprocal() * float
      param.add_(biasCorrectedExpAvg.mul(lr).mul(adaptiveLr).mul(rect), { alpha: -1.0 });
    } else {
      param.add_(biasCorrectedExpAvg.mul(lr), { alpha: -1.0 });
    }
  });
}

/** RAdam, torch.optim.RAdam. */
export class RAdam extends Optimizer<RAdamGroup> {
  constructor(params: Params, {
    lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, foreach = null, decoupledWeightDecay = false,
  }: RAdamOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(eps, "epsilon value");
    checkBetas(betas);
    checkNonNegative(weightDecay, "weight_decay value");
    super(params, { lr, betas, eps, weightDecay, foreach, decoupledWeightDecay });
  }

  protected stepGroup(group: RAdamGroup): void {
    const { params, grads } = withGrads(group);
    const states = gatherState(this.state, params, (p) => ({ step: stepTensor(0), exp_avg: ops.zerosLike(p), exp_avg_sq: ops.zerosLike(p) }));
    radamUpdate(params, grads, states.map((s) => s["exp_avg"] as Tensor), states.map((s) => s["exp_avg_sq"] as Tensor),
      states.map((s) => s["step"] as Tensor), group);
  }

  protected override upgradeState(s: ParamState): ParamState {
    return upgradeStepState(s);
  }
}
