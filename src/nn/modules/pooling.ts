// SPDX-License-Identifier: BSD-3-Clause
// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d.
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import type { IntOrTuple } from "../functional/util.js";
import { Module } from "../module.js";
import { pyBool, pyValue } from "../repr.js";

export interface MaxPool2dOptions { padding?: IntOrTuple; dilation?: IntOrTuple; returnIndices?: boolean; ceilMode?: boolean }

export class MaxPool2d extends Module {
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  /** new nn.MaxPool2d(kernelSize, stride = kernelSize, { padding, dilation, returnIndices, ceilMode }). */
  constructor(readonly kernelSize: IntOrTuple, stride?: IntOrTuple | null | (MaxPool2dOptions & { stride?: IntOrTuple | null }), opts: MaxPool2dOptions = {}) {
    super();
    const o = typeof stride === "object" && stride !== null && !Array.isArray(stride) ? (stride as MaxPool2dOptions & { stride?: IntOrTuple | null }) : { ...opts, stride: stride as IntOrTuple | null | undefined };
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }

  override forward(input: Tensor): Tensor {
    return F.maxPool2d(input, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices });
  }

  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}, dilation=${pyValue(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export interface AvgPool2dOptions { padding?: IntOrTuple; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

export class AvgPool2d extends Module {
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(readonly kernelSize: IntOrTuple, stride?: IntOrTuple | null | (AvgPool2dOptions & { stride?: IntOrTuple | null }), opts: AvgPool2dOptions = {}) {
    super();
    const o = typeof stride === "object" && stride !== null && !Array.isArray(stride) ? (stride as AvgPool2dOptions & { stride?: IntOrTuple | null }) : { ...opts, stride: stride as IntOrTuple | null | undefined };
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }

  override forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride });
  }

  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: IntOrTuple) { super(); }
  override forward(input: Tensor): Tensor { return F.adaptiveAvgPool2d(input, this.outputSize); }
  override extraRepr(): string { return `output_size=${pyValue(this.outputSize)}`; }
}
