// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.Adamax: Adam with the infinity norm (Kingma & Ba, 2014, section 7.1).
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/public.js";
import { upgradeStepState } from "./adam.js";
import {
  checkBetas, checkNonNegative, gatherState, type ParamGroup, type ParamState, type Params, Optimizer, stepTensor, withGrads,
} from "./optimizer.js";

export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export interface AdamaxHyper {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

interface AdamaxGroup extends ParamGroup, AdamaxHyper {}

/**
 * One Adamax step, PyTorch 1.13's `_single_tensor_adamax`:
 *
 *     step += 1;  g = maximize ? -grad : grad;  if weightDecay != 0: g = g + weightDecay * p
 *     m = beta1 * m + (1 - beta1) * g
 *     u = max(beta2 * u, |g| + eps)
 *     p -= lr / (1 - beta1^step) * m / u
 */
export function adamaxUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], expAvgs: readonly Tensor[], expInfs: readonly Tensor[],
  stateSteps: readonly Tensor[], { lr, betas: [beta1, beta2], eps, weightDecay, maximize }: AdamaxHyper,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i]!.neg() : grads[i]!;
    const expAvg = expAvgs[i]!, expInf = expInfs[i]!, stepT = stateSteps[i]!;
    stepT.add_(1);
    const step = Number(stepT.item());
    if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
    expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
    expInf.copy_(ops.maximum(expInf.mul_(beta2), grad.abs().add_(eps)));   // amax(cat([..]), 0, out=exp_inf)
    const clr = lr / (1 - beta1 ** step);
    param.addcdiv_(expAvg, expInf, { value: -clr });
  });
}

/** Adamax, torch.optim.Adamax. */
export class Adamax extends Optimizer<AdamaxGroup> {
  constructor(params: Params, {
    lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, foreach = null, maximize = false,
  }: AdamaxOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(eps, "epsilon value");
    checkBetas(betas);
    checkNonNegative(weightDecay, "weight_decay value");
    super(params, { lr, betas, eps, weightDecay, foreach, maximize });
  }

  protected stepGroup(group: AdamaxGroup): void {
    const { params, grads } = withGrads(group);
    const states = gatherState(this.state, params, (p) => ({ step: stepTensor(0), exp_avg: ops.zerosLike(p), exp_inf: ops.zerosLike(p) }));
    adamaxUpdate(params, grads, states.map((s) => s["exp_avg"] as Tensor), states.map((s) => s["exp_inf"] as Tensor),
      states.map((s) => s["step"] as Tensor), group);
  }

  protected override upgradeState(s: ParamState): ParamState {
    return upgradeStepState(s);
  }
}
