// SPDX-License-Identifier: BSD-3-Clause
// Activation modules (torch/nn/modules/activation.py): PyTorch's constructor arguments (by
// position, or by name in a trailing options object), defaults and extra_repr.
import { full } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { argsOf } from "../functional/util.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyFloat } from "../repr.js";

const inplaceArg = (args: unknown[]): boolean => argsOf(["inplace"], args, { inplace: false }).inplace;
const inplaceOnly = (inplace: boolean): string => (inplace ? "inplace=True" : "");
const inplaceTail = (inplace: boolean): string => (inplace ? ", inplace=True" : "");

export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(...args: unknown[]) { super(); this.inplace = inplaceArg(args); }
  override forward(input: Tensor): Tensor { return F.relu(input, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceOnly(this.inplace); }
}

export class Threshold extends Module {
  readonly inplace: boolean;
  constructor(readonly threshold: number, readonly value: number, ...args: unknown[]) { super(); this.inplace = inplaceArg(args); }
  override forward(input: Tensor): Tensor { return F.threshold(input, this.threshold, this.value, this.inplace); }
  override extraRepr(): string { return `threshold=${this.threshold}, value=${this.value}${inplaceTail(this.inplace)}`; }
}

export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf(["minVal", "maxVal", "inplace"], args, { minVal: -1, maxVal: 1, inplace: false });
    this.minVal = o.minVal; this.maxVal = o.maxVal; this.inplace = o.inplace;
    if (this.maxVal <= this.minVal) throw new F.AssertionError("");
  }
  override forward(input: Tensor): Tensor { return F.hardtanh(input, this.minVal, this.maxVal, this.inplace); }
  override extraRepr(): string { return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceTail(this.inplace)}`; }
}

export class ReLU6 extends Hardtanh {
  constructor(...args: unknown[]) { super(0, 6, inplaceArg(args)); }
  override extraRepr(): string { return inplaceOnly(this.inplace); }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf(["negativeSlope", "inplace"], args, { negativeSlope: 0.01, inplace: false });
    this.negativeSlope = o.negativeSlope; this.inplace = o.inplace;
  }
  override forward(input: Tensor): Tensor { return F.leakyRelu(input, this.negativeSlope, { inplace: this.inplace }); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceTail(this.inplace)}`; }
}

/** nn.PReLU(numParameters = 1, init = 0.25): a learnt negative slope, one or one per channel. */
export class PReLU extends Module {
  readonly numParameters: number;
  readonly init: number;
  weight: Parameter;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf<{ numParameters: number; init: number; dtype?: Tensor["dtype"] }>(["numParameters", "init"], args, { numParameters: 1, init: 0.25 });
    this.numParameters = o.numParameters; this.init = o.init;
    this.weight = new Parameter(full([o.numParameters], o.init, { dtype: o.dtype }));
  }
  resetParameters(): void { this.weight.data.fill_(this.init); }
  override forward(input: Tensor): Tensor { return F.prelu(input, this.weight); }
  override extraRepr(): string { return `num_parameters=${this.numParameters}`; }
}

/** nn.RReLU(lower = 1/8, upper = 1/3): random slopes in training, their mean in eval. */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf(["lower", "upper", "inplace"], args, { lower: 1 / 8, upper: 1 / 3, inplace: false });
    this.lower = o.lower; this.upper = o.upper; this.inplace = o.inplace;
  }
  override forward(input: Tensor): Tensor { return F.rrelu(input, this.lower, this.upper, this.training, this.inplace); }
  override extraRepr(): string { return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${inplaceTail(this.inplace)}`; }
}

class AlphaActivation extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(args: unknown[]) {
    super();
    const o = argsOf(["alpha", "inplace"], args, { alpha: 1, inplace: false });
    this.alpha = o.alpha; this.inplace = o.inplace;
  }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${inplaceTail(this.inplace)}`; }
}

export class ELU extends AlphaActivation {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.elu(input, this.alpha, this.inplace); }
}

export class CELU extends AlphaActivation {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.celu(input, this.alpha, this.inplace); }
}

/** Modules whose only option is `inplace`, printed as "inplace=True" or nothing. */
abstract class InplaceActivation extends Module {
  readonly inplace: boolean;
  constructor(args: unknown[]) { super(); this.inplace = inplaceArg(args); }
  override extraRepr(): string { return inplaceOnly(this.inplace); }
}

export class SELU extends InplaceActivation {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.selu(input, this.inplace); }
}
export class SiLU extends InplaceActivation {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.silu(input, this.inplace); }
}
export class Mish extends InplaceActivation {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.mish(input, this.inplace); }
}
/** nn.Hardswish(inplace = false) (PyTorch prints no options for it). */
export class Hardswish extends InplaceActivation {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.hardswish(input, this.inplace); }
  override extraRepr(): string { return ""; }
}
export class Hardsigmoid extends InplaceActivation {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.hardsigmoid(input, this.inplace); }
  override extraRepr(): string { return ""; }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(...args: unknown[]) {
    super();
    this.approximate = argsOf<{ approximate: "none" | "tanh" }>(["approximate"], args, { approximate: "none" }).approximate;
  }
  override forward(input: Tensor): Tensor { return F.gelu(input, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor { return input.sigmoid(); }
}
export class Tanh extends Module {
  override forward(input: Tensor): Tensor { return input.tanh(); }
}
export class Tanhshrink extends Module {
  override forward(input: Tensor): Tensor { return F.tanhshrink(input); }
}
export class Softsign extends Module {
  override forward(input: Tensor): Tensor { return F.softsign(input); }
}
export class LogSigmoid extends Module {
  override forward(input: Tensor): Tensor { return F.logsigmoid(input); }
}

export class Hardshrink extends Module {
  readonly lambd: number;
  constructor(...args: unknown[]) { super(); this.lambd = argsOf(["lambd"], args, { lambd: 0.5 }).lambd; }
  override forward(input: Tensor): Tensor { return F.hardshrink(input, this.lambd); }
  override extraRepr(): string { return pyFloat(this.lambd); }
}

export class Softshrink extends Module {
  readonly lambd: number;
  constructor(...args: unknown[]) { super(); this.lambd = argsOf(["lambd"], args, { lambd: 0.5 }).lambd; }
  override forward(input: Tensor): Tensor { return F.softshrink(input, this.lambd); }
  override extraRepr(): string { return pyFloat(this.lambd); }
}

/** nn.Softplus(beta = 1, threshold = 20); PyTorch's defaults are ints and print as such. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf(["beta", "threshold"], args, { beta: 1, threshold: 20 });
    this.beta = o.beta; this.threshold = o.threshold;
  }
  override forward(input: Tensor): Tensor { return F.softplus(input, this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

export class GLU extends Module {
  readonly dim: number;
  constructor(...args: unknown[]) { super(); this.dim = argsOf(["dim"], args, { dim: -1 }).dim; }
  override forward(input: Tensor): Tensor { return F.glu(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

const dimArg = (dim: number | { dim: number }): number => (typeof dim === "number" ? dim : dim.dim);

/** nn.Softmax(dim): dim is required (PyTorch's implicit dim is deprecated). */
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) { super(); this.dim = dimArg(dim); }
  override forward(input: Tensor): Tensor { return F.softmax(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

export class Softmin extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) { super(); this.dim = dimArg(dim); }
  override forward(input: Tensor): Tensor { return F.softmin(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) { super(); this.dim = dimArg(dim); }
  override forward(input: Tensor): Tensor { return F.logSoftmax(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** nn.Softmax2d: softmax over the channels of (N, C, H, W) or (C, H, W). */
export class Softmax2d extends Module {
  override forward(input: Tensor): Tensor { return F.softmax2d(input); }
}
