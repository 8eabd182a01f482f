// SPDX-License-Identifier: BSD-3-Clause
// nn.Linear, nn.Identity, nn.Bilinear and nn.LazyLinear.
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

/** nn.Bilinear(in1Features, in2Features, outFeatures, { bias = true }): y = x1^T W x2 + b, U(-1/sqrt(in1), 1/sqrt(in1)) init. */
export class Bilinear extends Module {
  weight: Parameter;          // (outFeatures, in1Features, in2Features)
  bias: Parameter | null;     // (outFeatures)

  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number,
    { bias = true, dtype }: { bias?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype }));
    this.bias = bias ? new Parameter(empty([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias !== null) init.uniform_(this.bias, -bound, bound);
  }

  override forward(input1: Tensor, input2: Tensor): Tensor { return F.bilinear(input1, input2, this.weight, this.bias); }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * nn.LazyLinear(outFeatures, { bias = true }): a Linear whose inFeatures is taken from the first
 * input. Until then the parameters are empty placeholders (PyTorch's UninitializedParameter); the
 * first forward materialises them, runs Linear's initialisation (the same draws as
 * new Linear(in, out)) and turns the module into a Linear, as PyTorch's cls_to_become.
 */
export class LazyLinear extends Module {
  inFeatures = 0;
  weight: Parameter;
  bias: Parameter | null;
  private readonly dtype: "float32" | "float64" | undefined;

  constructor(readonly outFeatures: number, { bias = true, dtype }: { bias?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    this.dtype = dtype;
    this.weight = new Parameter(empty([0], { dtype }));
    this.bias = bias ? new Parameter(empty([0], { dtype })) : null;
  }

  /** Whether the parameters are still placeholders (PyTorch's has_uninitialized_params()). */
  hasUninitializedParams(): boolean { return this.weight.numel() === 0 && this.inFeatures === 0; }

  override forward(input: Tensor): Tensor {
    if (this.hasUninitializedParams()) this.initializeParameters(input);
    return F.linear(input, this.weight, this.bias);
  }

  /** Materialises weight (outFeatures, inFeatures) and bias from the input's last dim, then becomes a Linear. */
  initializeParameters(input: Tensor): void {
    const inFeatures = input.shape[input.ndim - 1]!;
    this.inFeatures = inFeatures;
    this.weight = new Parameter(empty([this.outFeatures, inFeatures], { dtype: this.dtype }));
    if (this.bias !== null) this.bias = new Parameter(empty([this.outFeatures], { dtype: this.dtype }));
    Object.setPrototypeOf(this, Linear.prototype);
    (this as unknown as Linear).resetParameters();
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
