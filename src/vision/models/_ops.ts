// SPDX-License-Identifier: BSD-3-Clause
// The torchvision.ops building blocks the model zoo uses: Conv2dNormActivation,
// SqueezeExcitation, MLP, Permute, StochasticDepth (names, keys and reprs as torchvision's).
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export type LayerFactory = (...args: any[]) => nn.Module;

export interface ConvNormActivationOptions {
  stride?: number; padding?: number | null; groups?: number; normLayer?: LayerFactory | null; activationLayer?: LayerFactory | null;
  dilation?: number; inplace?: boolean | null; bias?: boolean | null;
}

/** torchvision.ops.Conv2dNormActivation: Sequential(Conv2d, norm, activation). */
export class Conv2dNormActivation extends nn.Sequential {
  declare readonly outChannels: number;
  constructor(inChannels: number, outChannels: number, kernelSize = 3, { stride = 1, padding = null, groups = 1,
    normLayer = (n: number) => new nn.BatchNorm2d(n), activationLayer = (inplace?: boolean) => new nn.ReLU(inplace ?? false),
    dilation = 1, inplace = true, bias = null }: ConvNormActivationOptions = {}) {
    const pad = padding ?? Math.trunc((kernelSize - 1) / 2) * dilation;
    const layers: nn.Module[] = [new nn.Conv2d(inChannels, outChannels, kernelSize, { stride, padding: pad, dilation, groups, bias: bias ?? normLayer === null })];
    if (normLayer !== null) layers.push(normLayer(outChannels));
    if (activationLayer !== null) layers.push(inplace === null ? activationLayer() : activationLayer(inplace));
    super(...layers);
    Object.defineProperty(this, "outChannels", { value: outChannels, enumerable: false });
  }
}

/** torchvision.ops.SqueezeExcitation: x * scale_activation(fc2(activation(fc1(avgpool(x))))). */
export class SqueezeExcitation extends nn.Module {
  avgpool: nn.AdaptiveAvgPool2d;
  fc1: nn.Conv2d;
  fc2: nn.Conv2d;
  activation: nn.Module;
  constructor(inputChannels: number, squeezeChannels: number, activation: LayerFactory = () => new nn.ReLU(), scaleActivation: LayerFactory = () => new nn.Sigmoid()) {
    super();
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.fc1 = new nn.Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = new nn.Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = activation();
    (this as any).scale_activation = scaleActivation();
  }
  override forward(input: Tensor): Tensor {
    let scale = this.fc1.forward(this.avgpool.forward(input));
    scale = this.fc2.forward(this.activation.forward(scale));
    scale = (this as any).scale_activation.forward(scale);
    return scale.mul(input);
  }
}

/** torchvision.ops.MLP: [Linear, (norm), activation, Dropout]* Linear, Dropout. */
export class MLP extends nn.Sequential {
  constructor(inChannels: number, hiddenChannels: number[], { normLayer = null, activationLayer = (inplace?: boolean) => new nn.ReLU(inplace ?? false), inplace = true, bias = true, dropout = 0 }:
    { normLayer?: LayerFactory | null; activationLayer?: LayerFactory; inplace?: boolean | null; bias?: boolean; dropout?: number } = {}) {
    const layers: nn.Module[] = [];
    let inDim = inChannels;
    for (const h of hiddenChannels.slice(0, -1)) {
      layers.push(new nn.Linear(inDim, h, { bias }));
      if (normLayer !== null) layers.push(normLayer(h));
      layers.push(inplace === null ? activationLayer() : activationLayer(inplace));
      layers.push(new nn.Dropout(dropout, inplace ?? false));
      inDim = h;
    }
    layers.push(new nn.Linear(inDim, hiddenChannels[hiddenChannels.length - 1]!, { bias }));
    layers.push(new nn.Dropout(dropout, inplace ?? false));
    super(...layers);
  }
}

/** torchvision.ops.Permute. */
export class Permute extends nn.Module {
  constructor(readonly dims: number[]) { super(); }
  override forward(x: Tensor): Tensor { return x.permute(this.dims); }
}

/** torchvision.ops.stochastic_depth. */
export function stochasticDepth(input: Tensor, p: number, mode: "batch" | "row", training = true): Tensor {
  if (p < 0 || p > 1) throw new ValueError(`drop probability has to be between 0 and 1, but got ${p}`);
  if (mode !== "batch" && mode !== "row") throw new ValueError(`mode has to be either 'batch' or 'row', but got ${String(mode)}`);
  if (!training || p === 0) return input;
  const survival = 1 - p;
  const size = mode === "row" ? [input.shape[0]!, ...Array<number>(input.dim() - 1).fill(1)] : Array<number>(input.dim()).fill(1);
  let noise = empty(size, { dtype: input.dtype as any }).bernoulli_(survival);
  if (survival > 0) noise = noise.div_(survival);
  return input.mul(noise);
}

/** torchvision.ops.StochasticDepth. */
export class StochasticDepth extends nn.Module {
  constructor(readonly p: number, readonly mode: "batch" | "row") { super(); }
  override forward(input: Tensor): Tensor { return stochasticDepth(input, this.p, this.mode, this.training); }
  override toString(): string { return `StochasticDepth(p=${pyNum(this.p)}, mode=${this.mode})`; }
}

/** Python's repr of a float. */
/**
 * The weight init of torchvision's MobileNetV2/V3: Kaiming-normal (fan_out) convs, unit norms,
 * N(0, 0.01) linears, zero biases, in module order (so the random draws match torchvision's).
 */
export function initMobileNetWeights(model: nn.Module): void {
  for (const m of model.modules()) {
    if (m instanceof nn.Conv2d) {
      nn.init.kaimingNormal_(m.weight, { mode: "fan_out" });
      if (m.bias !== null) nn.init.zeros_(m.bias);
    } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
      nn.init.ones_((m as any).weight);
      nn.init.zeros_((m as any).bias);
    } else if (m instanceof nn.Linear) {
      nn.init.normal_(m.weight, 0, 0.01);
      nn.init.zeros_(m.bias!);
    }
  }
}

export function pyNum(v: number): string { return Number.isInteger(v) ? `${v}.0` : String(v); }
