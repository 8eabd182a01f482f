// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.ASGD: averaged stochastic gradient descent (Polyak & Juditsky, "Acceleration of
// Stochastic Approximation by Averaging", 1992).
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/public.js";
import { upgradeStepState } from "./adam.js";
import { checkNonNegative, gatherState, type ParamGroup, type ParamState, type Params, Optimizer, stepTensor, withGrads } from "./optimizer.js";

export interface ASGDOptions {
  lr?: number;
  lambd?: number;
  alpha?: number;
  t0?: number;
  weightDecay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export interface ASGDHyper {
  lr: number;
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

interface ASGDGroup extends ParamGroup, ASGDHyper {}

/**
 * One ASGD step, PyTorch 1.13's `_single_tensor_asgd` op for op. `eta` and `mu` are float32 scalar
 * tensors as in PyTorch (so their values are float32-rounded):
 *
 *     step += 1;  g = maximize ? -grad : grad;  if weightDecay != 0: g = g + weightDecay * p
 *     p *= 1 - lambd * eta;  p -= eta * g
 *     ax = mu != 1 ? ax + (p - ax) * mu : p
 *     eta = lr / (1 + lambd * lr * step)^alpha;  mu = 1 / max(1, step - t0)
 *
 * Runs in place; call it under noGrad.
 */
export function asgdUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], axs: readonly Tensor[], mus: readonly Tensor[],
  etas: readonly Tensor[], stateSteps: readonly Tensor[], { lr, lambd, alpha, t0, weightDecay, maximize }: ASGDHyper,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i]!.neg() : grads[i]!;
    const mu = mus[i]!, ax = axs[i]!, eta = etas[i]!, stepT = stateSteps[i]!;
    stepT.add_(1);
    const step = Number(stepT.item());
    if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
    const etaValue = Number(eta.item());
    param.mul_(1 - lambd * etaValue);
    param.add_(grad, { alpha: -etaValue });
    if (Number(mu.item()) !== 1) ax.add_(param.sub(ax).mul_(mu));
    else ax.copy_(param);
    eta.fill_(lr / (1 + lambd * lr * step) ** alpha);
    mu.fill_(1 / Math.max(1, step - t0));
  });
}

/**
 * Averaged SGD, torch.optim.ASGD. The running average of the parameters is `state.get(p).ax`.
 *
 * ```ts
 * const opt = new optim.ASGD(net.parameters(), { lr: 0.01, t0: 100 });
 * ```
 */
export class ASGD extends Optimizer<ASGDGroup> {
  constructor(params: Params, {
    lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0, foreach = null, maximize = false,
  }: ASGDOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(weightDecay, "weight_decay value");
    super(params, { lr, lambd, alpha, t0, weightDecay, foreach, maximize });
  }

  protected stepGroup(group: ASGDGroup): void {
    const { params, grads } = withGrads(group);
    const states = gatherState(this.state, params, (p) => ({
      step: stepTensor(0), eta: stepTensor(group.lr), mu: stepTensor(1), ax: ops.zerosLike(p),
    }));
    asgdUpdate(params, grads, states.map((s) => s["ax"] as Tensor), states.map((s) => s["mu"] as Tensor),
      states.map((s) => s["eta"] as Tensor), states.map((s) => s["step"] as Tensor), group);
  }

  protected override upgradeState(s: ParamState): ParamState {
    if ("eta" in s) s["eta"] = stepTensor(s["eta"]);
    if ("mu" in s) s["mu"] = stepTensor(s["mu"]);
    return upgradeStepState(s);
  }
}
