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

  /** Pre-0.4 checkpoints carry running stats an untracked InstanceNorm does not have: reported as PyTorch does. */
  override _loadFromStateDict(stateDict: Map<string, unknown>, prefix: string, localMetadata: { version?: number; assign?: boolean },
    missingKeys: string[], unexpectedKeys: string[], errors: string[]): void {
    if (localMetadata.version === undefined && !this.trackRunningStats) {
      const keys = ["running_mean", "running_var"].map((n) => prefix + n).filter((k) => stateDict.has(k));
      if (keys.length > 0) {
        const klass = this._getName();
        errors.push(`Unexpected running stats buffer(s) ${keys.map((k) => `"${k}"`).join(" and ")} for ${klass} with track_running_stats=False. ` +
          `If state_dict is a checkpoint saved before 0.4.0, this may be expected because ${klass} does not track running stats by default since 0.4.0. ` +
          `Please remove these keys from state_dict. If the running stats are actually needed, instead set track_running_stats=True in ${klass} to enable them. ` +
          `See the documentation of ${klass} for details.`);
        for (const k of keys) stateDict.delete(k);
      }
    }
    super._loadFromStateDict(stateDict, prefix, localMetadata, missingKeys, unexpectedKeys, errors);
  }

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
