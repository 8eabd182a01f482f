// SPDX-License-Identifier: BSD-3-Clause
// nn.Linear and nn.Identity.
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyBool } from "../repr.js";

export class Linear extends Module {
  weight: Parameter;          // (outFeatures, inFeatures)
  bias: Parameter | null;     // (outFeatures)

  constructor(readonly inFeatures: number, readonly outFeatures: number, { bias = true, dtype }: { bias?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype }));
    this.bias = bias ? new Parameter(empty([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's default: kaiming_uniform_(a=sqrt(5)) for the weight, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for the bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor { return F.linear(input, this.weight, this.bias); }  // (*, in) -> (*, out)

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

export class Identity extends Module {
  constructor(..._args: unknown[]) { super(); }
  override forward(input: Tensor): Tensor { return input; }
}
