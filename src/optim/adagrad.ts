// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.Adagrad (Duchi et al., "Adaptive Subgradient Methods for Online Learning and
// Stochastic Optimization", 2011).
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/public.js";
import { checkNonNegative, type ParamGroup, type ParamState, type Params, Optimizer, stepTensor, withGrads } from "./optimizer.js";

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export interface AdagradGroup extends ParamGroup {
  lrDecay: number;
  eps: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  maximize: boolean;
}

export interface AdagradHyper {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
}

/**
 * One Adagrad step, PyTorch 1.13's `_single_tensor_adagrad` (dense gradients) op for op:
 *
 *     step += 1;  g = maximize ? -grad : grad;  if weightDecay != 0: g = g + weightDecay * p
 *     clr = lr / (1 + (step - 1) * lrDecay)
 *     sum += g * g;  p -= clr * g / (sqrt(sum) + eps)
 *
 * Runs in place; call it under noGrad.
 */
export function adagradUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], stateSums: readonly Tensor[], stateSteps: readonly Tensor[],
  { lr, lrDecay, weightDecay, eps, maximize }: AdagradHyper,
): void {
  params.forEach((param, i) => {
    const stepT = stateSteps[i]!, stateSum = stateSums[i]!;
    stepT.add_(1);
    const step = Number(stepT.item());
    let grad = maximize ? grads[i]!.neg() : grads[i]!;
    if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
    const clr = lr / (1 + (step - 1) * lrDecay);
    stateSum.addcmul_(grad, grad, { value: 1 });
    const std = stateSum.sqrt().add_(eps);
    param.addcdiv_(grad, std, { value: -clr });
  });
}

/**
 * Adagrad, torch.optim.Adagrad. Its state is created for every parameter at construction, as in PyTorch.
 *
 * ```ts
 * const opt = new optim.Adagrad(net.parameters(), { lr: 0.1, lrDecay: 1e-3 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradGroup> {
  constructor(params: Params, {
    lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, foreach = null, maximize = false,
  }: AdagradOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(lrDecay, "lr_decay value");
    checkNonNegative(weightDecay, "weight_decay value");
    checkNonNegative(initialAccumulatorValue, "initial_accumulator_value value");
    checkNonNegative(eps, "epsilon value");
    super(params, { lr, lrDecay, eps, weightDecay, initialAccumulatorValue, foreach, maximize });
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        this.state.set(p, { step: stepTensor(0), sum: ops.fullLike(p, group.initialAccumulatorValue) });
      }
    }
  }

  protected stepGroup(group: AdagradGroup): void {
    const { params, grads } = withGrads(group);
    const states = params.map((p) => this.state.get(p)!);
    adagradUpdate(params, grads, states.map((s) => s["sum"] as Tensor), states.map((s) => s["step"] as Tensor), group);
  }

  protected override upgradeState(s: ParamState): ParamState {
    if ("step" in s) s["step"] = stepTensor(s["step"]);
    return s;
  }
}
