// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.RMSprop (Hinton, Lecture 6.5 of "Neural Networks for Machine Learning"; centered
// variant from Graves, "Generating Sequences With Recurrent Neural Networks", 2013).
import type { Tensor } from "../tensor/tensor.js";
import * as ops from "../ops/public.js";
import { checkNonNegative, gatherState, type ParamGroup, type Params, Optimizer, withGrads } from "./optimizer.js";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  foreach?: boolean | null;
  maximize?: boolean;
  differentiable?: boolean;
}

export interface RMSpropGroup extends ParamGroup {
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export interface RMSpropHyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * One RMSprop step, PyTorch 1.13's `_single_tensor_rmsprop` op for op:
 *
 *     g = maximize ? -grad : grad;  if weightDecay != 0: g = g + weightDecay * p
 *     v = alpha * v + (1 - alpha) * g * g
 *     avg = centered ? sqrt(v - gAvg^2) (gAvg = alpha * gAvg + (1 - alpha) * g) : sqrt(v);  avg += eps
 *     momentum > 0 ? (buf = momentum * buf + g / avg; p -= lr * buf) : p -= lr * g / avg
 *
 * Runs in place; call it under noGrad.
 */
export function rmspropUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], squareAvgs: readonly Tensor[], gradAvgs: readonly Tensor[],
  momentumBuffers: readonly Tensor[], { lr, alpha, eps, weightDecay, momentum, centered, maximize }: RMSpropHyper,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i]!.neg() : grads[i]!;
    const squareAvg = squareAvgs[i]!;
    if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
    squareAvg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
    let avg: Tensor;
    if (centered) {
      const gradAvg = gradAvgs[i]!;
      gradAvg.mul_(alpha).add_(grad, { alpha: 1 - alpha });
      avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add_(eps);
    if (momentum > 0) {
      const buf = momentumBuffers[i]!;
      buf.mul_(momentum).addcdiv_(grad, avg);
      param.add_(buf, { alpha: -lr });
    } else {
      param.addcdiv_(grad, avg, { value: -lr });
    }
  });
}

/**
 * RMSprop, torch.optim.RMSprop.
 *
 * ```ts
 * const opt = new optim.RMSprop(net.parameters(), { lr: 0.01, momentum: 0.9, centered: true });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropGroup> {
  constructor(params: Params, {
    lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, foreach = null, maximize = false,
    differentiable = false,
  }: RMSpropOptions = {}) {
    checkNonNegative(lr, "learning rate");
    checkNonNegative(eps, "epsilon value");
    checkNonNegative(momentum, "momentum value");
    checkNonNegative(weightDecay, "weight_decay value");
    checkNonNegative(alpha, "alpha value");
    super(params, { lr, momentum, alpha, eps, centered, weightDecay, foreach, maximize, differentiable });
  }

  protected stepGroup(group: RMSpropGroup): void {
    const { params, grads } = withGrads(group);
    const states = gatherState(this.state, params, (p) => {
      const s: Record<string, unknown> = { step: 0, square_avg: ops.zerosLike(p) };
      if (group.momentum > 0) s["momentum_buffer"] = ops.zerosLike(p);
      if (group.centered) s["grad_avg"] = ops.zerosLike(p);
      return s;
    });
    for (const s of states) s["step"] = Number(s["step"]) + 1;
    rmspropUpdate(params, grads, states.map((s) => s["square_avg"] as Tensor),
      group.centered ? states.map((s) => s["grad_avg"] as Tensor) : [],
      group.momentum > 0 ? states.map((s) => s["momentum_buffer"] as Tensor) : [], group);
  }
}
