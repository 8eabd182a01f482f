// SPDX-License-Identifier: BSD-3-Clause
// nn.GroupNorm (native kernels, NativeGroupNormBackward0) and nn.LocalResponseNorm.
import { ValueError } from "../../errors.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { ones, zeros } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/normalization.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyBool, pyFloat } from "../repr.js";

/** GroupNorm(numGroups, numChannels, { eps = 1e-5, affine = true }). */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(readonly numGroups: number, readonly numChannels: number,
    { eps = 1e-5, affine = true, dtype }: { eps?: number; affine?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new ValueError("num_channels must be divisible by num_groups");
    this.eps = eps;
    this.affine = affine;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  resetParameters(): void {
    if (this.affine) noGrad(() => { this.weight!.fill_(1); this.bias!.zero_(); });
  }

  override forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/** LocalResponseNorm(size, { alpha = 1e-4, beta = 0.75, k = 1 }). */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(readonly size: number, { alpha = 1e-4, beta = 0.75, k = 1.0 }: { alpha?: number; beta?: number; k?: number } = {}) {
    super();
    this.alpha = alpha;
    this.beta = beta;
    this.k = k;
  }

  override forward(input: Tensor): Tensor {
    return F.localResponseNorm(input, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
