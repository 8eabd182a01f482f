// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.NAdam: Adam with Nesterov momentum (Dozat, "Incorporating Nesterov Momentum into Adam", 2016).
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/public.js";
import { upgradeStepState } from "./adam.js";
import {
  checkBetas, checkNonNegative, gatherState, type ParamGroup, type ParamState, type Params, Optimizer, stepTensor, withGrads,
} from "./optimizer.js";

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** AdamW-style decay on the parameter instead of the gradient (PyTorch >= 2.1). */
  decoupledWeightDecay?: boolean;
  momentumDecay?: number;
  foreach?: boolean | null;
}

export interface NAdamHyper {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  momentumDecay: number;
}

interface NAdamGroup extends ParamGroup, NAdamHyper {}

/**
 * One NAdam step, PyTorch 1.13's `_single_tensor_nadam`:
 *
 *     step += 1;  if weightDecay != 0: decoupledWeightDecay ? p *= 1 - lr * weightDecay : g = g + weightDecay * p
 *     mu = beta1 * (1 - 0.5 * 0.96^(step * momentumDecay));  muNext likewise at step + 1
 *     muProduct *= mu
 *     m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
 *     denom = sqrt(v / (1 - beta2^step)) + eps
 *     p -= lr * (1 - mu) / (1 - muProduct) * g / denom + lr * muNext / (1 - muProduct * muNext) * m / denom
 */
export function nadamUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], expAvgs: readonly Tensor[], expAvgSqs: readonly Tensor[],
  muProducts: readonly Tensor[], stateSteps: readonly Tensor[],
  { lr, betas: [beta1, beta2], eps, weightDecay, decoupledWeightDecay, momentumDecay }: NAdamHyper,
): void {
  params.forEach((param, i) => {
    let grad = grads[i]!;
    const expAvg = expAvgs[i]!, expAvgSq = expAvgSqs[i]!, muProduct = muProducts[i]!, stepT = stateSteps[i]!;
    stepT.add_(1);
    const step = Number(stepT.item());
    const biasCorrection2 = 1 - beta2 ** step;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
      else grad = grad.add(param, { alpha: weightDecay });
    }
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
    muProduct.mul_(mu);                                   // a float32 scalar tensor, as in PyTorch
    const muProductNext = muProduct.mul(mu).mul(muNext);
    expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
    expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
    const denom = expAvgSq.div(biasCorrection2).sqrt().add_(eps);
    param.addcdiv_(grad, denom, { value: -lr * (1 - mu) / (1 - Number(muProduct.item())) });
    param.addcdiv_(expAvg, denom, { value: -lr * muNext / (1 - Number(muProductNext.item())) });
  });
}

/** NAdam, torch.optim.NAdam. */
export class NAdam extends Optimizer<NAdamGroup> {
  constructor(params: Params, {
    lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3, foreach = null, decoupledWeightDecay = false,
  }: NAdamOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(eps, "epsilon value");
    checkBetas(betas);
    checkNonNegative(weightDecay, "weight_decay value");
    checkNonNegative(momentumDecay, "momentum_decay value");
    super(params, { lr, betas, eps, weightDecay, momentumDecay, foreach, decoupledWeightDecay });
  }

  protected stepGroup(group: NAdamGroup): void {
    const { params, grads } = withGrads(group);
    const states = gatherState(this.state, params, (p) => ({
      step: stepTensor(0), mu_product: stepTensor(1), exp_avg: ops.zerosLike(p), exp_avg_sq: ops.zerosLike(p),
    }));
    nadamUpdate(params, grads, states.map((s) => s["exp_avg"] as Tensor), states.map((s) => s["exp_avg_sq"] as Tensor),
      states.map((s) => s["mu_product"] as Tensor), states.map((s) => s["step"] as Tensor), group);
  }

  protected override upgradeState(s: ParamState): ParamState {
    if ("mu_product" in s) s["mu_product"] = stepTensor(s["mu_product"]);
    return upgradeStepState(s);
  }
}
