// SPDX-License-Identifier: BSD-3-Clause
// nn.InstanceNorm1d / 2d / 3d: per-sample, per-channel normalisation (affine and
// trackRunningStats default to false), unbatched inputs accepted, as PyTorch's _InstanceNorm.
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/normalization.js";
import { NormBase, type BatchNormOptions } from "./batchnorm.js";

abstract class InstanceNorm extends NormBase {
  constructor(numFeatures: number, { eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false, dtype }: BatchNormOptions = {}) {
    super(numFeatures, { eps, momentum, affine, trackRunningStats, dtype });
  }

  protected abstract noBatchDim(): number;

  protected checkInputDim(input: Tensor): void {
    const d = this.noBatchDim();
    if (input.ndim !== d && input.ndim !== d + 1) throw new ValueError(`expected ${d}D or ${d + 1}D input (got ${input.ndim}D input)`);
  }

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    if (input.ndim === this.noBatchDim()) return this.apply_(input.unsqueeze(0)).squeeze(0);
    return this.apply_(input);
  }

  private apply_(input: Tensor): Tensor {
    return F.instanceNorm(input, {
      runningMean: this.running_mean, runningVar: this.running_var, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum ?? 0.1, eps: this.eps,
    });
  }
}

/** InstanceNorm1d over (N, C, L) or (C, L). */
export class InstanceNorm1d extends InstanceNorm { protected noBatchDim(): number { return 2; } }
/** InstanceNorm2d over (N, C, H, W) or (C, H, W). */
export class InstanceNorm2d extends InstanceNorm { protected noBatchDim(): number { return 3; } }
/** InstanceNorm3d over (N, C, D, H, W) or (C, D, H, W). */
export class InstanceNorm3d extends InstanceNorm { protected noBatchDim(): number { return 4; } }
