// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight
// Decay Regularization", 2019).
import type { Tensor } from "../tensor/tensor.js";
import { adamCore, type AdamGroup, type AdamOptions, type AdamHyper, adamState, type AdamStateArrays, upgradeStepState } from "./adam.js";
import { checkBetas, checkNonNegative, type ParamState, type Params, Optimizer, withGrads } from "./optimizer.js";

/** Adam's options (PyTorch 1.13's AdamW has no `differentiable` or `fused`). */
export type AdamWOptions = Omit<AdamOptions, "differentiable" | "fused">;

/**
 * One AdamW step, PyTorch 1.13's `_single_tensor_adamw`: as `adamUpdate`, but the decay acts on
 * the parameter before the moments are updated:
 *
 *     step += 1;  p *= 1 - lr * weightDecay
 *     m, v, vMax and the parameter update as in Adam (with the gradient undecayed)
 */
export function adamwUpdate(params: readonly Tensor[], grads: readonly Tensor[], state: AdamStateArrays, hyper: AdamHyper): void {
  adamCore(params, grads, state, hyper, true);
}

/**
 * AdamW, torch.optim.AdamW (weight decay 1e-2 by default).
 *
 * ```ts
 * const opt = new optim.AdamW(net.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends Optimizer<AdamGroup> {
  constructor(params: Params, {
    lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2, amsgrad = false, maximize = false, foreach = null,
    capturable = false,
  }: AdamWOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(eps, "epsilon value");
    checkBetas(betas);
    checkNonNegative(weightDecay, "weight_decay value");
    super(params, { lr, betas, eps, weightDecay, amsgrad, foreach, maximize, capturable });
  }

  protected stepGroup(group: AdamGroup): void {
    const { params, grads } = withGrads(group);
    adamwUpdate(params, grads, adamState(this.state, params, group.amsgrad), group);
  }

  protected override upgradeState(s: ParamState): ParamState {
    return upgradeStepState(s);
  }
}
