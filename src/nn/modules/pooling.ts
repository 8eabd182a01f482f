// SPDX-License-Identifier: BSD-3-Clause
// nn.MaxPool1d/2d, nn.AvgPool1d/2d, nn.AdaptiveAvgPool1d/2d/3d, nn.AdaptiveMaxPool1d/2d, nn.MaxUnpool1d/2d, nn.LPPool1d/2d.
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { argsOf, type IntOrTuple } from "../functional/util.js";
import { Module } from "../module.js";
import { pyBool, pyValue } from "../repr.js";

export interface MaxPool2dOptions { padding?: IntOrTuple; dilation?: IntOrTuple; returnIndices?: boolean; ceilMode?: boolean }

const maxArgs = (rest: unknown[]): MaxPool2dOptions & { stride?: IntOrTuple | null } =>
  argsOf<Record<string, unknown>>(["stride", "padding", "dilation", "returnIndices", "ceilMode"], rest, {}) as MaxPool2dOptions & { stride?: IntOrTuple | null };

/** PyTorch's _MaxPoolNd: (kernelSize, stride = kernelSize, padding = 0, dilation = 1, returnIndices = false, ceilMode = false), any of them in a trailing options object. */
abstract class MaxPoolNd extends Module {
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(readonly kernelSize: IntOrTuple, ...rest: unknown[]) {
    super();
    const o = maxArgs(rest);
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }

  protected abstract pool(input: Tensor, kernelSize: IntOrTuple, opts: F.MaxPool2dOptions): Tensor;

  override forward(input: Tensor): Tensor {
    return this.pool(input, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices });
  }

  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}, dilation=${pyValue(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** nn.MaxPool1d(kernelSize, stride = kernelSize, { padding, dilation, returnIndices, ceilMode }). */
export class MaxPool1d extends MaxPoolNd {
  protected pool(input: Tensor, k: IntOrTuple, opts: F.MaxPool2dOptions): Tensor { return F.maxPool1d(input, k, opts); }
}

/** nn.MaxPool2d(kernelSize, stride = kernelSize, { padding, dilation, returnIndices, ceilMode }). */
export class MaxPool2d extends MaxPoolNd {
  protected pool(input: Tensor, k: IntOrTuple, opts: F.MaxPool2dOptions): Tensor { return F.maxPool2d(input, k, opts); }
}

/** nn.MaxPool3d(kernelSize, stride = kernelSize, { padding, dilation, returnIndices, ceilMode }). */
export class MaxPool3d extends MaxPoolNd {
  protected pool(input: Tensor, k: IntOrTuple, opts: F.MaxPool2dOptions): Tensor { return F.maxPool3d(input, k, opts); }
}

export interface AvgPool2dOptions { padding?: IntOrTuple; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

export class AvgPool2d extends Module {
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  /** new nn.AvgPool2d(kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null), or options. */
  constructor(readonly kernelSize: IntOrTuple, ...rest: unknown[]) {
    super();
    const o = argsOf<Record<string, unknown>>(["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], rest, {}) as AvgPool2dOptions & { stride?: IntOrTuple | null };
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

const single = (v: IntOrTuple): number[] => (typeof v === "number" ? [v] : [...v]);


/** nn.AvgPool1d(kernelSize, stride = kernelSize, { padding, ceilMode, countIncludePad }). */
export class AvgPool1d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  /** new nn.AvgPool1d(kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true), or options. */
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super();
    const o = argsOf<Record<string, unknown>>(["stride", "padding", "ceilMode", "countIncludePad"], rest, {}) as AvgPool2dOptions & { stride?: IntOrTuple | null };
    this.kernelSize = single(kernelSize);
    this.stride = single(o.stride ?? kernelSize);
    this.padding = single(o.padding ?? 0);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }
  override forward(input: Tensor): Tensor {
    return F.avgPool1d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}

type OutSize = number | null | readonly (number | null)[];

/** nn.AdaptiveAvgPool1d(outputSize). */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: OutSize) { super(); }
  override forward(input: Tensor): Tensor { return F.adaptiveAvgPool1d(input, this.outputSize); }
  override extraRepr(): string { return `output_size=${pyValue(this.outputSize)}`; }
}
/** nn.AdaptiveAvgPool3d(outputSize). */
export class AdaptiveAvgPool3d extends Module {
  constructor(readonly outputSize: OutSize) { super(); }
  override forward(input: Tensor): Tensor { return F.adaptiveAvgPool3d(input, this.outputSize); }
  override extraRepr(): string { return `output_size=${pyValue(this.outputSize)}`; }
}
/** nn.AdaptiveMaxPool1d(outputSize, returnIndices = false). */
export class AdaptiveMaxPool1d extends Module {
  readonly returnIndices: boolean;
  constructor(readonly outputSize: OutSize, returnIndices: boolean | { returnIndices?: boolean } = false) {
    super();
    this.returnIndices = typeof returnIndices === "object" ? returnIndices.returnIndices ?? false : returnIndices;
  }
  override forward(input: Tensor): Tensor { return F.adaptiveMaxPool1d(input, this.outputSize, this.returnIndices); }
  override extraRepr(): string { return `output_size=${pyValue(this.outputSize)}`; }
}
/** nn.AdaptiveMaxPool2d(outputSize, returnIndices = false). */
export class AdaptiveMaxPool2d extends Module {
  readonly returnIndices: boolean;
  constructor(readonly outputSize: OutSize, returnIndices: boolean | { returnIndices?: boolean } = false) {
    super();
    this.returnIndices = typeof returnIndices === "object" ? returnIndices.returnIndices ?? false : returnIndices;
  }
  override forward(input: Tensor): Tensor { return F.adaptiveMaxPool2d(input, this.outputSize, this.returnIndices); }
  override extraRepr(): string { return `output_size=${pyValue(this.outputSize)}`; }
}

export interface MaxUnpoolOptions { padding?: IntOrTuple }

abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  constructor(nd: number, kernelSize: IntOrTuple, rest: unknown[]) {
    super();
    const o = argsOf<Record<string, unknown>>(["stride", "padding"], rest, {}) as MaxUnpoolOptions & { stride?: IntOrTuple | null };
    const t = (v: IntOrTuple): number[] => (typeof v === "number" ? Array(nd).fill(v) as number[] : [...v]);
    this.kernelSize = t(kernelSize);
    this.stride = t(o.stride ?? kernelSize);
    this.padding = t(o.padding ?? 0);
  }
  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}
/** nn.MaxUnpool1d(kernelSize, stride = kernelSize, { padding }); forward(input, indices, outputSize?). */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) { super(1, kernelSize, rest); }
  override forward(input: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return F.maxUnpool1d(input, indices, this.kernelSize, this.stride, this.padding, outputSize);
  }
}
/** nn.MaxUnpool2d(kernelSize, stride = kernelSize, { padding }); forward(input, indices, outputSize?). */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) { super(2, kernelSize, rest); }
  override forward(input: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return F.maxUnpool2d(input, indices, this.kernelSize, this.stride, this.padding, outputSize);
  }
}

abstract class LPPoolNd extends Module {
  readonly stride: IntOrTuple | null;
  readonly ceilMode: boolean;
  constructor(readonly normType: number, readonly kernelSize: IntOrTuple, stride: IntOrTuple | null | { stride?: IntOrTuple | null; ceilMode?: boolean } = null, ceilMode = false) {
    super();
    const o = typeof stride === "object" && stride !== null && !Array.isArray(stride) ? stride as { stride?: IntOrTuple | null; ceilMode?: boolean } : { stride: stride as IntOrTuple | null, ceilMode };
    this.stride = o.stride ?? null;
    this.ceilMode = o.ceilMode ?? false;
  }
  override extraRepr(): string {
    return `norm_type=${this.normType}, kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
/** nn.LPPool1d(normType, kernelSize, stride = null, ceilMode = false). */
export class LPPool1d extends LPPoolNd {
  override forward(input: Tensor): Tensor { return F.lpPool1d(input, this.normType, this.kernelSize as number, this.stride, this.ceilMode); }
}
/** nn.LPPool2d(normType, kernelSize, stride = null, ceilMode = false). */
export class LPPool2d extends LPPoolNd {
  override forward(input: Tensor): Tensor { return F.lpPool2d(input, this.normType, this.kernelSize, this.stride, this.ceilMode); }
}

/** new nn.MaxPool3d(kernelSize, stride = kernelSize, padding = 0, dilation = 1, returnIndices = false, ceilMode = false), or options. */

/** new nn.AvgPool3d(kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null), or options. */
export class AvgPool3d extends Module {
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(readonly kernelSize: IntOrTuple, ...rest: unknown[]) {
    super();
    const o = argsOf<Record<string, unknown>>(["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], rest, {}) as AvgPool2dOptions & { stride?: IntOrTuple | null };
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  override forward(input: Tensor): Tensor {
    return F.avgPool3d(input, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride });
  }
  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}
