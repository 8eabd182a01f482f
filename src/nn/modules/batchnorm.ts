// SPDX-License-Identifier: BSD-3-Clause
// nn.BatchNorm1d / 2d / 3d with PyTorch's parameters and buffers (weight, bias, running_mean,
// running_var, num_batches_tracked), momentum null = cumulative moving average, `_version` 2.
import { ValueError } from "../../errors.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { ones, tensor, zeros } from "../../ops/creation.js";
import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/normalization.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyBool, pyFloat } from "../repr.js";

export interface BatchNormOptions { eps?: number; momentum?: number | null; affine?: boolean; trackRunningStats?: boolean; dtype?: "float32" | "float64" }

/** PyTorch's _NormBase: the parameters, buffers, reset and repr shared by BatchNorm and InstanceNorm. */
export abstract class NormBase extends Module {
  static override _version = 2;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(readonly numFeatures: number, { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype }: BatchNormOptions = {}) {
    super();
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", tensor(0, { dtype: "int64" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
  }

  /** camelCase views of the buffers (the fields keep PyTorch's state-dict spelling). */
  get runningMean(): Tensor | null { return this.running_mean; }
  get runningVar(): Tensor | null { return this.running_var; }
  get numBatchesTracked(): Tensor | null { return this.num_batches_tracked; }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => { this.running_mean!.zero_(); this.running_var!.fill_(1); this.num_batches_tracked!.zero_(); });
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) noGrad(() => { this.weight!.fill_(1); this.bias!.zero_(); });
  }

  protected abstract checkInputDim(input: Tensor): void;

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }

  /** Checkpoints older than version 2 have no num_batches_tracked: it loads as 0 (as PyTorch). */
  override _loadFromStateDict(stateDict: Map<string, unknown>, prefix: string, localMetadata: { version?: number; assign?: boolean },
    missingKeys: string[], unexpectedKeys: string[], errors: string[]): void {
    const version = localMetadata.version;
    if ((version === undefined || version < 2) && this.trackRunningStats) {
      const key = prefix + "num_batches_tracked";
      if (!stateDict.has(key)) stateDict.set(key, this.num_batches_tracked ?? tensor(0, { dtype: "int64" }));
    }
    super._loadFromStateDict(stateDict, prefix, localMetadata, missingKeys, unexpectedKeys, errors);
  }
}

abstract class BatchNorm extends NormBase {
  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      noGrad(() => this.num_batches_tracked!.add_(1));
      // momentum null: cumulative moving average
      if (this.momentum === null) factor = 1 / Number(this.num_batches_tracked.item());
    }
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    const useRunning = !this.training || this.trackRunningStats;
    return F.batchNorm(input, useRunning ? this.running_mean : null, useRunning ? this.running_var : null,
      { weight: this.weight, bias: this.bias, training: bnTraining, momentum: factor, eps: this.eps });
  }
}

/** BatchNorm1d(numFeatures, { eps, momentum, affine, trackRunningStats }) over (N, C) or (N, C, L). */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new ValueError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** BatchNorm2d over (N, C, H, W). */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new ValueError(`expected 4D input (got ${input.ndim}D input)`);
  }
}

/** BatchNorm3d over (N, C, D, H, W). */
export class BatchNorm3d extends BatchNorm {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 5) throw new ValueError(`expected 5D input (got ${input.ndim}D input)`);
  }
}
