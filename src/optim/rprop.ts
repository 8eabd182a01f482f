// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.Rprop (Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation
// Learning: The RPROP Algorithm", 1993).
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import * as ops from "../ops/public.js";
import { checkNonNegative, gatherState, type ParamGroup, type Params, Optimizer, pyFloat, withGrads } from "./optimizer.js";

export interface RpropOptions {
  lr?: number;
  etas?: [number, number];
  stepSizes?: [number, number];
  foreach?: boolean | null;
  maximize?: boolean;
}

export interface RpropHyper {
  etas: readonly [number, number];
  stepSizes: readonly [number, number];
  maximize: boolean;
}

interface RpropGroup extends ParamGroup, RpropHyper {}

/**
 * One Rprop step, PyTorch 1.13's `_single_tensor_rprop`:
 *
 *     s = sign(g * prev) -> etaplus where > 0, etaminus where < 0, 1 where 0
 *     stepSize = clamp(stepSize * s, stepSizeMin, stepSizeMax)
 *     g = 0 where s == etaminus;  p -= sign(g) * stepSize;  prev = g
 */
export function rpropUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], prevs: readonly Tensor[], stepSizes: readonly Tensor[],
  { etas: [etaminus, etaplus], stepSizes: [stepSizeMin, stepSizeMax], maximize }: RpropHyper,
): void {
  params.forEach((param, i) => {
    const grad = maximize ? grads[i]!.neg() : grads[i]!;
    const prev = prevs[i]!, stepSize = stepSizes[i]!;
    const product = grad.mul(prev).sign();
    const decrease = product.lt(0);
    // sign[sign.gt(0)] = etaplus; sign[sign.lt(0)] = etaminus; sign[sign.eq(0)] = 1
    const sign = ops.where(product.gt(0), etaplus, ops.where(decrease, etaminus, ops.onesLike(product)));
    stepSize.mul_(sign).clamp_(stepSizeMin, stepSizeMax);
    const g = ops.where(decrease, 0, grad);                // grad[sign.eq(etaminus)] = 0
    param.addcmul_(g.sign(), stepSize, { value: -1 });
    prev.copy_(g);
  });
}

/** Rprop, torch.optim.Rprop. */
export class Rprop extends Optimizer<RpropGroup> {
  constructor(params: Params, { lr = 1e-2, etas = [0.5, 1.2], stepSizes = [1e-6, 50], foreach = null, maximize = false }: RpropOptions = {}) {
    checkNonNegative(lr, "learning rate");
    if (!(etas[0] > 0 && etas[0] < 1 && etas[1] > 1)) throw new ValueError(`Invalid eta values: ${pyFloat(etas[0])}, ${pyFloat(etas[1])}`);
    super(params, { lr, etas, stepSizes, foreach, maximize });
  }

  protected stepGroup(group: RpropGroup): void {
    const { params, grads } = withGrads(group);
    const states = gatherState(this.state, params, (p) => ({ step: 0, prev: ops.zerosLike(p), step_size: ops.fullLike(p, group.lr) }));
    for (const s of states) s["step"] = Number(s["step"]) + 1;
    rpropUpdate(params, grads, states.map((s) => s["prev"] as Tensor), states.map((s) => s["step_size"] as Tensor), group);
  }
}
