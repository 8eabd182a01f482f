// SPDX-License-Identifier: BSD-3-Clause
// nn.LayerNorm and nn.RMSNorm (weight ones, bias zeros, as PyTorch's reset_parameters).
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { layerNorm, rmsNorm, type NormalizedShape } from "../functional/layer-norm.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyBool, pyFloat, pyValue } from "../repr.js";

type FloatDType = "float32" | "float64";

export interface LayerNormOptions { eps?: number; elementwiseAffine?: boolean; bias?: boolean; dtype?: FloatDType }

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: NormalizedShape, { eps = 1e-5, elementwiseAffine = true, bias = true, dtype }: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Parameter(empty(this.normalizedShape, { dtype })) : null;
    this.bias = elementwiseAffine && bias ? new Parameter(empty(this.normalizedShape, { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  override forward(input: Tensor): Tensor { return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps); }

  override extraRepr(): string {
    return `${pyValue(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface RMSNormOptions { eps?: number | null; elementwiseAffine?: boolean; dtype?: FloatDType }

export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: NormalizedShape, { eps = null, elementwiseAffine = true, dtype }: RMSNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Parameter(empty(this.normalizedShape, { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void { if (this.weight !== null) init.ones_(this.weight); }

  override forward(input: Tensor): Tensor { return rmsNorm(input, this.normalizedShape, this.weight, this.eps); }

  override extraRepr(): string {
    return `${pyValue(this.normalizedShape)}, eps=${this.eps === null ? "None" : pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
