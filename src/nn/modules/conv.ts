// SPDX-License-Identifier: BSD-3-Clause
// nn.Conv2d.
import { RuntimeError, ValueError } from "../../errors.js";
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { type IntOrTuple, tuple } from "../functional/util.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyValue } from "../repr.js";

export interface Conv2dOptions {
  stride?: IntOrTuple; padding?: IntOrTuple | "same" | "valid"; dilation?: IntOrTuple; groups?: number; bias?: boolean;
  paddingMode?: "zeros"; dtype?: "float32" | "float64";
}

export class Conv2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: string;
  weight: Parameter;        // (outChannels, inChannels / groups, kH, kW)
  bias: Parameter | null;   // (outChannels)

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: IntOrTuple, opts: Conv2dOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = "zeros", dtype } = opts;
    if (groups <= 0) throw new ValueError("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new ValueError("in_channels must be divisible by groups");
    if (outChannels % groups !== 0) throw new ValueError("out_channels must be divisible by groups");
    if (paddingMode !== "zeros") throw new ValueError(`padding_mode '${paddingMode}' is not supported yet (issue #4); use 'zeros'`);
    this.kernelSize = tuple(kernelSize, 2, "kernel_size");
    this.stride = tuple(stride, 2, "stride");
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") throw new ValueError(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new ValueError("padding='same' is not supported for strided convolutions");
      this.padding = padding;
    } else this.padding = tuple(padding, 2, "padding");
    this.dilation = tuple(dilation, 2, "dilation");
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.weight = new Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize], { dtype }));
    this.bias = bias ? new Parameter(empty([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's _ConvNd.reset_parameters: kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) init.uniform_(this.bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    }
  }

  override forward(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4)
      throw new RuntimeError(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [${input.shape.join(", ")}]`);
    return F.conv2d(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}`;
    if (typeof this.padding === "string" || this.padding.some((p) => p !== 0)) s += `, padding=${pyValue(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyValue(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}
