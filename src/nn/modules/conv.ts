// SPDX-License-Identifier: BSD-3-Clause
// nn.Conv1d/2d/3d and nn.ConvTranspose1d/2d/3d (PyTorch's _ConvNd / _ConvTransposeNd), and
// nn.Unfold / nn.Fold.
import { ValueError } from "../../errors.js";
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { convTransposeOutSize } from "../functional/conv.js";
import { argsOf, type IntOrTuple, tuple } from "../functional/util.js";
import * as init from "../init.js";
import { Module, _runsOwnForward } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyValue } from "../repr.js";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvNdOptions {
  stride?: IntOrTuple; padding?: IntOrTuple | "same" | "valid"; dilation?: IntOrTuple; groups?: number; bias?: boolean;
  paddingMode?: PaddingMode; dtype?: "float32" | "float64";
}
export type Conv1dOptions = ConvNdOptions;
export type Conv2dOptions = ConvNdOptions;
export type Conv3dOptions = ConvNdOptions;

export interface ConvTransposeNdOptions {
  stride?: IntOrTuple; padding?: IntOrTuple; outputPadding?: IntOrTuple; groups?: number; bias?: boolean; dilation?: IntOrTuple;
  paddingMode?: PaddingMode; dtype?: "float32" | "float64";
}

const PAD_MODES = ["zeros", "reflect", "replicate", "circular"];

const convArgs = (rest: unknown[]): ConvNdOptions =>
  argsOf<Record<string, unknown>>(["stride", "padding", "dilation", "groups", "bias", "paddingMode", "device", "dtype"], rest, {}) as ConvNdOptions;
const convTArgs = (rest: unknown[]): ConvTransposeNdOptions =>
  argsOf<Record<string, unknown>>(["stride", "padding", "outputPadding", "groups", "bias", "dilation", "paddingMode", "device", "dtype"], rest, {}) as ConvTransposeNdOptions;

abstract class ConvNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly transposed: boolean;
  /** F.pad's argument for non-zeros padding modes (PyTorch's _reversed_padding_repeated_twice). */
  readonly reversedPaddingRepeatedTwice: number[];
  weight: Parameter;        // (out, in / groups, *k) or, transposed, (in, out / groups, *k)
  bias: Parameter | null;   // (out)

  constructor(readonly nd: number, readonly inChannels: number, readonly outChannels: number, kernelSize: IntOrTuple, transposed: boolean,
    o: ConvNdOptions & { outputPadding?: IntOrTuple }) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = "zeros", dtype, outputPadding = 0 } = o;
    if (groups <= 0) throw new ValueError("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new ValueError("in_channels must be divisible by groups");
    if (outChannels % groups !== 0) throw new ValueError("out_channels must be divisible by groups");
    this.kernelSize = tuple(kernelSize, nd, "kernel_size");
    this.stride = tuple(stride, nd, "stride");
    this.dilation = tuple(dilation, nd, "dilation");
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") throw new ValueError(`Invalid padding string '${String(padding)}', should be one of {'valid', 'same'}`);
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new ValueError("padding='same' is not supported for strided convolutions");
      this.padding = padding;
    } else this.padding = tuple(padding, nd, "padding");
    if (!PAD_MODES.includes(paddingMode))
      throw new ValueError(`padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='${String(paddingMode)}'`);
    this.outputPadding = tuple(outputPadding, nd, "output_padding");
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.transposed = transposed;
    const r: number[] = [];
    if (typeof this.padding === "string") {
      for (let i = nd - 1; i >= 0; i--) {
        const total = this.padding === "same" ? this.dilation[i]! * (this.kernelSize[i]! - 1) : 0, left = Math.floor(total / 2);
        r.push(left, total - left);
      }
    } else for (let i = nd - 1; i >= 0; i--) r.push(this.padding[i]!, this.padding[i]!);
    this.reversedPaddingRepeatedTwice = r;
    const wShape = transposed ? [inChannels, outChannels / groups, ...this.kernelSize] : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(empty(wShape, { dtype }));
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

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}`;
    if (typeof this.padding === "string" || this.padding.some((p) => p !== 0)) s += `, padding=${pyValue(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyValue(this.dilation)}`;
    if (this.outputPadding.some((d) => d !== 0)) s += `, output_padding=${pyValue(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

type ConvFn = (input: Tensor, weight: Tensor, ...rest: unknown[]) => Tensor;

abstract class ConvForward extends ConvNd {
  protected abstract fn: ConvFn;
  override forward(input: Tensor): Tensor {
    if (this.paddingMode !== "zeros")
      return this.fn(F.pad(input, this.reversedPaddingRepeatedTwice, this.paddingMode), this.weight, this.bias, this.stride, 0, this.dilation, this.groups);
    return this.fn(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}

/** nn.Conv1d(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias, paddingMode, dtype }). */
export class Conv1d extends ConvForward {
  protected fn: ConvFn = F.conv1d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts?: ConvNdOptions);
  /** PyTorch's positional form: (in, out, kernelSize, stride, padding, dilation, groups, bias, paddingMode[, opts]). */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]);
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) { super(1, inChannels, outChannels, kernelSize, false, convArgs(rest)); }
}
/** nn.Conv2d(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias, paddingMode, dtype }). */
export class Conv2d extends ConvForward {
  protected fn: ConvFn = F.conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts?: ConvNdOptions);
  /** PyTorch's positional form: (in, out, kernelSize, stride, padding, dilation, groups, bias, paddingMode[, opts]). */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]);
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) { super(2, inChannels, outChannels, kernelSize, false, convArgs(rest)); }
}
/**
 * @internal Whether m is a Conv2d that runs F.conv2d with zero padding as written: its own forward
 * (not overridden, replaced or hooked: _runsOwnForward) and the stock `fn`. The fused inference
 * paths (nn.Sequential, ResNet's blocks) take its place only then.
 */
export function _isStockConv2d(m: Module): m is Conv2d {
  return _runsOwnForward(m, Conv2d) && (m as unknown as { fn: unknown }).fn === F.conv2d && (m as Conv2d).paddingMode === "zeros";
}

/** nn.Conv3d(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias, paddingMode, dtype }). */
export class Conv3d extends ConvForward {
  protected fn: ConvFn = F.conv3d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts?: ConvNdOptions);
  /** PyTorch's positional form: (in, out, kernelSize, stride, padding, dilation, groups, bias, paddingMode[, opts]). */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]);
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) { super(3, inChannels, outChannels, kernelSize, false, convArgs(rest)); }
}

abstract class ConvTransposeNd extends ConvNd {
  protected abstract fn: ConvFn;
  constructor(nd: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeNdOptions) {
    if ((opts.paddingMode ?? "zeros") !== "zeros") throw new ValueError(`Only "zeros" padding mode is supported for ConvTranspose${nd}d`);
    super(nd, inChannels, outChannels, kernelSize, true, opts);
  }

  /** PyTorch's _ConvTransposeNd._output_padding: the output padding that gives outputSize. */
  outputPaddingFor(input: Tensor, outputSize: readonly number[] | null): number[] {
    if (outputSize === null) return this.outputPadding;
    const nd = this.nd, nonSpatial = input.ndim === nd + 2 ? 2 : 1;
    let os = [...outputSize];
    if (os.length === nonSpatial + nd) os = os.slice(nonSpatial);
    if (os.length !== nd)
      throw new ValueError(`ConvTranspose${nd}D: for ${input.ndim}D input, output_size must have ${nd} or ${nonSpatial + nd} elements (got ${outputSize.length})`);
    const pad = this.padding as number[];
    const mins = convTransposeOutSize(input.shape.slice(nonSpatial), this.kernelSize, this.stride, pad, this.dilation);
    const maxs = mins.map((m, i) => m + this.stride[i]! - 1);
    if (os.some((v, i) => v < mins[i]! || v > maxs[i]!))
      throw new ValueError(`requested an output size of [${os.join(", ")}], but valid sizes range from [${mins.join(", ")}] to [${maxs.join(", ")}] (for an input of torch.Size([${input.shape.slice(nonSpatial).join(", ")}]))`);
    return os.map((v, i) => v - mins[i]!);
  }

  /** forward(input, outputSize?): outputSize picks among the sizes a strided transposed conv can produce. */
  override forward(input: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const op = this.outputPaddingFor(input, outputSize);
    return this.fn(input, this.weight, this.bias, this.stride, this.padding, op, this.groups, this.dilation);
  }
}

/** nn.ConvTranspose1d(inChannels, outChannels, kernelSize, { stride, padding, outputPadding, groups, bias, dilation, dtype }). */
export class ConvTranspose1d extends ConvTransposeNd {
  protected fn: ConvFn = F.convTranspose1d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts?: ConvTransposeNdOptions);
  /** PyTorch's positional form: (in, out, kernelSize, stride, padding, outputPadding, groups, bias, dilation, paddingMode[, opts]). */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]);
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) { super(1, inChannels, outChannels, kernelSize, convTArgs(rest)); }
}
/** nn.ConvTranspose2d(inChannels, outChannels, kernelSize, { stride, padding, outputPadding, groups, bias, dilation, dtype }). */
export class ConvTranspose2d extends ConvTransposeNd {
  protected fn: ConvFn = F.convTranspose2d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts?: ConvTransposeNdOptions);
  /** PyTorch's positional form: (in, out, kernelSize, stride, padding, outputPadding, groups, bias, dilation, paddingMode[, opts]). */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]);
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) { super(2, inChannels, outChannels, kernelSize, convTArgs(rest)); }
}
/** nn.ConvTranspose3d(inChannels, outChannels, kernelSize, { stride, padding, outputPadding, groups, bias, dilation, dtype }). */
export class ConvTranspose3d extends ConvTransposeNd {
  protected fn: ConvFn = F.convTranspose3d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts?: ConvTransposeNdOptions);
  /** PyTorch's positional form: (in, out, kernelSize, stride, padding, outputPadding, groups, bias, dilation, paddingMode[, opts]). */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]);
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) { super(3, inChannels, outChannels, kernelSize, convTArgs(rest)); }
}

export interface FoldOptions { dilation?: IntOrTuple; padding?: IntOrTuple; stride?: IntOrTuple }

/** nn.Unfold(kernelSize, { dilation = 1, padding = 0, stride = 1 }). */
export class Unfold extends Module {
  readonly dilation: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly stride: IntOrTuple;
  /** new nn.Unfold(kernelSize, dilation = 1, padding = 0, stride = 1), or with an options object. */
  constructor(readonly kernelSize: IntOrTuple, ...rest: unknown[]) {
    super();
    const opts = argsOf<Record<string, unknown>>(["dilation", "padding", "stride"], rest, {}) as FoldOptions;
    this.dilation = opts.dilation ?? 1; this.padding = opts.padding ?? 0; this.stride = opts.stride ?? 1;
  }
  override forward(input: Tensor): Tensor { return F.unfold(input, this.kernelSize, this.dilation, this.padding, this.stride); }
  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, dilation=${pyValue(this.dilation)}, padding=${pyValue(this.padding)}, stride=${pyValue(this.stride)}`;
  }
}

/** nn.Fold(outputSize, kernelSize, { dilation = 1, padding = 0, stride = 1 }). */
export class Fold extends Module {
  readonly dilation: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly stride: IntOrTuple;
  /** new nn.Fold(outputSize, kernelSize, dilation = 1, padding = 0, stride = 1), or with an options object. */
  constructor(readonly outputSize: IntOrTuple, readonly kernelSize: IntOrTuple, ...rest: unknown[]) {
    super();
    const opts = argsOf<Record<string, unknown>>(["dilation", "padding", "stride"], rest, {}) as FoldOptions;
    this.dilation = opts.dilation ?? 1; this.padding = opts.padding ?? 0; this.stride = opts.stride ?? 1;
  }
  override forward(input: Tensor): Tensor { return F.fold(input, this.outputSize, this.kernelSize, this.dilation, this.padding, this.stride); }
  override extraRepr(): string {
    return `output_size=${pyValue(this.outputSize)}, kernel_size=${pyValue(this.kernelSize)}, dilation=${pyValue(this.dilation)}, padding=${pyValue(this.padding)}, stride=${pyValue(this.stride)}`;
  }
}
