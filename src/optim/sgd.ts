// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov and weight decay.
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import * as ops from "../ops/public.js";
import { native } from "../backends/cpu/native.js";
import { DTYPE_CODE } from "../tensor/dtype.js";
import { FusedBatch, canFuse, checkNonNegative, type ParamGroup, type Params, Optimizer, withGrads } from "./optimizer.js";

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  differentiable?: boolean;
}

export interface SGDGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export interface SGDHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * One SGD step over parallel arrays, PyTorch 1.13's `_single_tensor_sgd` op for op:
 *
 *     g = maximize ? -grad : grad
 *     if weightDecay != 0:  g = g + weightDecay * p
 *     if momentum != 0:
 *       buf = buf === null ? clone(g) : momentum * buf + (1 - dampening) * g
 *       g = nesterov ? g + momentum * buf : buf
 *     p -= lr * g
 *
 * `momentumBuffers[i]` is created on the first step (so pass nulls) and written back.
 * Runs in place; call it under noGrad.
 */
export function sgdUpdate(
  params: readonly Tensor[], grads: readonly Tensor[], momentumBuffers: (Tensor | null)[],
  { lr, momentum, dampening, weightDecay, nesterov, maximize }: SGDHyper,
): void {
  // fused parameters are gathered into one native call (sgdStepMulti), flushed before any
  // parameter that takes the op-by-op path, so the updates happen in PyTorch's order
  const batch = momentum !== 0 && typeof native.sgdStepMulti === "function" ? new FusedBatch() : null;
  const flush = (): void => batch?.flush((d) => [DTYPE_CODE[d], lr, momentum, dampening, weightDecay, nesterov ? 1 : 0, maximize ? 1 : 0],
    (buffers, meta) => native.sgdStepMulti!(buffers, meta));
  params.forEach((param, i) => {
    if (momentum !== 0) {
      const existing = momentumBuffers[i] ?? null;
      const buf = existing ?? ops.emptyLike(param);
      const operands = [param, grads[i]!, buf];
      if (canFuse("sgdStep", operands)) {
        if (batch !== null) {
          if (!batch.accepts(operands)) flush();
          batch.add(operands, [param.numel(), param._offset, grads[i]!._offset, buf._offset, existing === null ? 1 : 0], [param, buf]);
          momentumBuffers[i] = buf;
          return;
        }
        native.sgdStep!(operands.map((t) => t._storage.data), Float64Array.from([
          DTYPE_CODE[param.dtype], param.numel(), ...operands.map((t) => t._offset),
          lr, momentum, dampening, weightDecay, nesterov ? 1 : 0, maximize ? 1 : 0, existing === null ? 1 : 0,
        ]));
        momentumBuffers[i] = buf;
        param._bumpVersion();
        buf._bumpVersion();
        return;
      }
    }
    flush();
    let dp = maximize ? grads[i]!.neg() : grads[i]!;
    if (weightDecay !== 0) dp = dp.add(param, { alpha: weightDecay });
    if (momentum !== 0) {
      let buf = momentumBuffers[i] ?? null;
      if (buf === null) {
        buf = ops.clone(dp).detach();
        momentumBuffers[i] = buf;
      } else {
        buf.mul_(momentum).add_(dp, { alpha: 1 - dampening });
      }
      dp = nesterov ? dp.add(buf, { alpha: momentum }) : buf;
    }
    param.add_(dp, { alpha: -lr });
  });
  flush();
}

/**
 * Stochastic gradient descent (optionally with momentum), torch.optim.SGD.
 * Nesterov momentum follows Sutskever et al., "On the importance of initialization and momentum
 * in deep learning" (2013), as PyTorch does.
 *
 * ```ts
 * const opt = new optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer<SGDGroup> {
  constructor(params: Params, {
    lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false, foreach = null,
    differentiable = false,
  }: SGDOptions = {}) {
    if (lr !== undefined) checkNonNegative(lr, "learning rate");
    checkNonNegative(momentum, "momentum value");
    checkNonNegative(weightDecay, "weight_decay value");
    if (nesterov && (momentum <= 0 || dampening !== 0))
      throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
    super(params, { lr, momentum, dampening, weightDecay, nesterov, maximize, foreach, differentiable });
  }

  protected stepGroup(group: SGDGroup): void {
    const { params, grads } = withGrads(group);
    const buffers = params.map((p) => (this.state.get(p)?.["momentum_buffer"] as Tensor | null | undefined) ?? null);
    sgdUpdate(params, grads, buffers, group);
    params.forEach((p, i) => {
      const s = this.state.get(p) ?? {};
      s["momentum_buffer"] = buffers[i] ?? null;
      this.state.set(p, s);
    });
  }
}
