// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.Adadelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012).
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import * as ops from "../ops/public.js";
import { checkNonNegative, gatherState, type ParamGroup, type Params, Optimizer, pyFloat, withGrads } from "./optimizer.js";

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

export interface AdadeltaHyper {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

interface AdadeltaGroup extends ParamGroup, AdadeltaHyper {}

/**
 * One Adadelta step, PyTorch 1.13's `_single_tensor_adadelta`:
 *
 *     g = maximize ? -grad : grad;  if weightDecay != 0: g = g + weightDecay * p
 *     v = rho * v + (1 - rho) * g * g
 *     delta = sqrt(u + eps) / sqrt(v + eps) * g
 *     u = rho * u + (1 - rho) * delta * delta
 *     p -= lr * delta
 */
export function adadeltaUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], squareAvgs: readonly Tensor[], accDeltas: readonly Tensor[],
  { lr, rho, eps, weightDecay, maximize }: AdadeltaHyper,
): void {
  params.forEach((param, i) => {
    let grad = maximize ? grads[i]!.neg() : grads[i]!;
    const squareAvg = squareAvgs[i]!, accDelta = accDeltas[i]!;
    if (weightDecay !== 0) grad = grad.add(param, { alpha: weightDecay });
    squareAvg.mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
    const std = squareAvg.add(eps).sqrt_();
    const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
    accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
    param.add_(delta, { alpha: -lr });
  });
}

/** Adadelta, torch.optim.Adadelta. */
export class Adadelta extends Optimizer<AdadeltaGroup> {
  constructor(params: Params, { lr = 1.0, rho = 0.9, eps = 1e-6, weightDecay = 0, foreach = null, maximize = false }: AdadeltaOptions = {}) {
    checkNonNegative(lr, "learning rate");
    if (!(rho >= 0 && rho <= 1)) throw new ValueError(`Invalid rho value: ${pyFloat(rho)}`);
    checkNonNegative(eps, "epsilon value");
    checkNonNegative(weightDecay, "weight_decay value");
    super(params, { lr, rho, eps, weightDecay, maximize, foreach });
  }

  protected stepGroup(group: AdadeltaGroup): void {
    const { params, grads } = withGrads(group);
    const states = gatherState(this.state, params, (p) => ({ step: 0, square_avg: ops.zerosLike(p), acc_delta: ops.zerosLike(p) }));
    for (const s of states) s["step"] = Number(s["step"]) + 1;
    adadeltaUpdate(params, grads, states.map((s) => s["square_avg"] as Tensor), states.map((s) => s["acc_delta"] as Tensor), group);
  }
}
