// SPDX-License-Identifier: BSD-3-Clause
// nn.Flatten, nn.Unflatten, nn.Dropout.
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../errors.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { pyBool, pyFloat, pyValue } from "../repr.js";

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  override forward(input: Tensor): Tensor { return input.flatten(this.startDim, this.endDim); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}

export class Unflatten extends Module {
  constructor(readonly dim: number, readonly unflattenedSize: number[]) { super(); }
  override forward(input: Tensor): Tensor { return input.unflatten(this.dim, this.unflattenedSize); }
  override extraRepr(): string { return `dim=${this.dim}, unflattened_size=${pyValue(this.unflattenedSize)}`; }
}

export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly inplace = false) {
    super();
    if (p < 0 || p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
  }
  override forward(input: Tensor): Tensor { return F.dropout(input, this.p, this.training, this.inplace); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`; }
}
