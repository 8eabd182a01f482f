// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.regnet: RegNet (X and Y families), BlockParams computed as torchvision does
// (float32 tensor arithmetic, so the quantised widths are the same).
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import { arange } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, makeDivisible, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";
import { Conv2dNormActivation, SqueezeExcitation, type LayerFactory } from "./_ops.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export class SimpleStemIN extends Conv2dNormActivation {
  constructor(widthIn: number, widthOut: number, normLayer: LayerFactory, activationLayer: LayerFactory) {
    super(widthIn, widthOut, 3, { stride: 2, normLayer, activationLayer });
  }
}

export class BottleneckTransform extends nn.Sequential {
  constructor(widthIn: number, widthOut: number, stride: number, normLayer: LayerFactory, activationLayer: LayerFactory, groupWidth: number,
    bottleneckMultiplier: number, seRatio: number | null) {
    const wB = Math.round(widthOut * bottleneckMultiplier);
    const g = Math.floor(wB / groupWidth);
    const layers = new Map<string, nn.Module>();
    layers.set("a", new Conv2dNormActivation(widthIn, wB, 1, { stride: 1, normLayer, activationLayer }));
    layers.set("b", new Conv2dNormActivation(wB, wB, 3, { stride, groups: g, normLayer, activationLayer }));
    if (seRatio) layers.set("se", new SqueezeExcitation(wB, Math.round(seRatio * widthIn), () => activationLayer()));
    layers.set("c", new Conv2dNormActivation(wB, widthOut, 1, { stride: 1, normLayer, activationLayer: null }));
    super(layers);
  }
}

export class ResBottleneckBlock extends nn.Module {
  declare proj: nn.Module | null;
  declare f: BottleneckTransform;
  declare activation: nn.Module;
  constructor(widthIn: number, widthOut: number, stride: number, normLayer: LayerFactory, activationLayer: LayerFactory, groupWidth = 1,
    bottleneckMultiplier = 1.0, seRatio: number | null = null) {
    super();
    if (widthIn !== widthOut || stride !== 1) this.proj = new Conv2dNormActivation(widthIn, widthOut, 1, { stride, normLayer, activationLayer: null });
    else Object.defineProperty(this, "proj", { value: null, writable: true, enumerable: false, configurable: true });
    this.f = new BottleneckTransform(widthIn, widthOut, stride, normLayer, activationLayer, groupWidth, bottleneckMultiplier, seRatio);
    this.activation = activationLayer(true);
  }
  override forward(x: Tensor): Tensor {
    x = this.proj !== null ? this.proj.forward(x).add(this.f.forward(x)) : x.add(this.f.forward(x));
    return this.activation.forward(x);
  }
}

type BlockCtor = (wi: number, wo: number, s: number, n: LayerFactory, a: LayerFactory, g: number, b: number, se: number | null) => nn.Module;

export class AnyStage extends nn.Sequential {
  constructor(widthIn: number, widthOut: number, stride: number, depth: number, block: BlockCtor, normLayer: LayerFactory, activationLayer: LayerFactory,
    groupWidth: number, bottleneckMultiplier: number, seRatio: number | null = null, stageIndex = 0) {
    super();
    for (let i = 0; i < depth; i++)
      this.addModule(`block${stageIndex}-${i}`, block(i === 0 ? widthIn : widthOut, widthOut, i === 0 ? stride : 1, normLayer, activationLayer, groupWidth, bottleneckMultiplier, seRatio));
  }
}

export class BlockParams {
  constructor(readonly depths: number[], readonly widths: number[], readonly groupWidths: number[], readonly bottleneckMultipliers: number[],
    readonly strides: number[], readonly seRatio: number | null = null) {}

  static fromInitParams({ depth, w0, wA, wM, groupWidth, bottleneckMultiplier = 1.0, seRatio = null }:
    { depth: number; w0: number; wA: number; wM: number; groupWidth: number; bottleneckMultiplier?: number; seRatio?: number | null }): BlockParams {
    const QUANT = 8, STRIDE = 2;
    if (wA < 0 || w0 <= 0 || wM <= 1 || w0 % 8 !== 0) throw new ValueError("Invalid RegNet settings");
    const widthsCont = arange(depth).mul(wA).add(w0);                                      // float32, as torch
    const blockCapacity = widthsCont.div(w0).log().div(Math.log(wM)).round();
    // w_0 * torch.pow(w_m, block_capacity), all float32 as in torchvision, then round(/ 8) * 8
    const powT = blockCapacity.mul(0).add(wM).pow(blockCapacity).mul(w0);
    const widths = powT.div(QUANT).round().mul(QUANT).int().tolist() as number[];
    const numStages = new Set(widths).size;
    const a = [...widths, 0], b = [0, ...widths];
    const splits = a.map((w, i) => w !== b[i]);
    const stageWidths = widths.filter((_, i) => splits[i]);
    const idx = splits.map((t, d) => (t ? d : -1)).filter((d) => d >= 0);
    const stageDepths = idx.slice(1).map((d, i) => d - idx[i]!);
    const strides = Array<number>(numStages).fill(STRIDE);
    const bms = Array<number>(numStages).fill(bottleneckMultiplier);
    const gws = Array<number>(numStages).fill(groupWidth);
    const [sw, gw] = BlockParams.adjustWidthsGroupsCompatibility(stageWidths, bms, gws);
    return new BlockParams(stageDepths, sw, gw, bms, strides, seRatio);
  }

  static adjustWidthsGroupsCompatibility(stageWidths: number[], ratios: number[], groupWidths: number[]): [number[], number[]] {
    const widths = stageWidths.map((w, i) => Math.trunc(w * ratios[i]!));
    const gMin = groupWidths.map((g, i) => Math.min(g, widths[i]!));
    const wsBot = widths.map((w, i) => makeDivisible(w, gMin[i]!));
    return [wsBot.map((w, i) => Math.trunc(w / ratios[i]!)), gMin];
  }
}

export interface RegNetOptions { numClasses?: number; stemWidth?: number; normLayer?: LayerFactory | null; activation?: LayerFactory | null }

export class RegNet extends nn.Module {
  stem: nn.Module;
  trunk_output: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Module;
  constructor(blockParams: BlockParams, { numClasses = 1000, stemWidth = 32, normLayer = null, activation = null }: RegNetOptions = {}) {
    super();
    const norm = normLayer ?? ((n: number) => new nn.BatchNorm2d(n));
    const act = activation ?? ((inplace?: boolean) => new nn.ReLU(inplace ?? false));
    this.stem = new SimpleStemIN(3, stemWidth, norm, act);
    let current = stemWidth;
    const blocks = new Map<string, nn.Module>();
    const block: BlockCtor = (wi, wo, s, n, a, g, b, se) => new ResBottleneckBlock(wi, wo, s, n, a, g, b, se);
    blockParams.widths.forEach((widthOut, i) => {
      blocks.set(`block${i + 1}`, new AnyStage(current, widthOut, blockParams.strides[i]!, blockParams.depths[i]!, block, norm, act,
        blockParams.groupWidths[i]!, blockParams.bottleneckMultipliers[i]!, blockParams.seRatio, i + 1));
      current = widthOut;
    });
    this.trunk_output = new nn.Sequential(blocks);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(current, numClasses);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.normal_(m.weight, 0, Math.sqrt(2.0 / (m.kernelSize[0]! * m.kernelSize[1]! * m.outChannels)));
      else if (m instanceof nn.BatchNorm2d) {
        nn.init.ones_((m as any).weight);
        nn.init.zeros_((m as any).bias);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0, 0.01);
        nn.init.zeros_(m.bias!);
      }
    }
  }
  override forward(x: Tensor): Tensor {
    x = this.trunk_output.forward(this.stem.forward(x));
    return this.fc.forward(this.avgpool.forward(x).flatten(1));
  }
}

type P = { depth: number; w0: number; wA: number; wM: number; groupWidth: number; seRatio?: number };
const SPECS: [string, string, P][] = [
  ["regnet_y_400mf", "RegNet_Y_400MF_Weights", { depth: 16, w0: 48, wA: 27.89, wM: 2.09, groupWidth: 8, seRatio: 0.25 }],
  ["regnet_y_800mf", "RegNet_Y_800MF_Weights", { depth: 14, w0: 56, wA: 38.84, wM: 2.4, groupWidth: 16, seRatio: 0.25 }],
  ["regnet_y_1_6gf", "RegNet_Y_1_6GF_Weights", { depth: 27, w0: 48, wA: 20.71, wM: 2.65, groupWidth: 24, seRatio: 0.25 }],
  ["regnet_y_3_2gf", "RegNet_Y_3_2GF_Weights", { depth: 21, w0: 80, wA: 42.63, wM: 2.66, groupWidth: 24, seRatio: 0.25 }],
  ["regnet_y_8gf", "RegNet_Y_8GF_Weights", { depth: 17, w0: 192, wA: 76.82, wM: 2.19, groupWidth: 56, seRatio: 0.25 }],
  ["regnet_y_16gf", "RegNet_Y_16GF_Weights", { depth: 18, w0: 200, wA: 106.23, wM: 2.48, groupWidth: 112, seRatio: 0.25 }],
  ["regnet_y_32gf", "RegNet_Y_32GF_Weights", { depth: 20, w0: 232, wA: 115.89, wM: 2.53, groupWidth: 232, seRatio: 0.25 }],
  ["regnet_y_128gf", "RegNet_Y_128GF_Weights", { depth: 27, w0: 456, wA: 160.83, wM: 2.52, groupWidth: 264, seRatio: 0.25 }],
  ["regnet_x_400mf", "RegNet_X_400MF_Weights", { depth: 22, w0: 24, wA: 24.48, wM: 2.54, groupWidth: 16 }],
  ["regnet_x_800mf", "RegNet_X_800MF_Weights", { depth: 16, w0: 56, wA: 35.73, wM: 2.28, groupWidth: 16 }],
  ["regnet_x_1_6gf", "RegNet_X_1_6GF_Weights", { depth: 18, w0: 80, wA: 34.01, wM: 2.25, groupWidth: 24 }],
  ["regnet_x_3_2gf", "RegNet_X_3_2GF_Weights", { depth: 25, w0: 88, wA: 26.31, wM: 2.25, groupWidth: 48 }],
  ["regnet_x_8gf", "RegNet_X_8GF_Weights", { depth: 23, w0: 80, wA: 49.56, wM: 2.88, groupWidth: 120 }],
  ["regnet_x_16gf", "RegNet_X_16GF_Weights", { depth: 22, w0: 216, wA: 55.59, wM: 2.1, groupWidth: 128 }],
  ["regnet_x_32gf", "RegNet_X_32GF_Weights", { depth: 23, w0: 320, wA: 69.86, wM: 2.0, groupWidth: 168 }],
];

type ROpts = ModelOptions & { stemWidth?: number; normLayer?: LayerFactory | null; activation?: LayerFactory | null };
function make(p: P, e: WeightsEnum) {
  return (opts: ROpts = {}): RegNet => {
    const w = verifyWeights(e, opts.weights);
    const model = new RegNet(BlockParams.fromInitParams(p), { numClasses: numClassesFor(opts, w), stemWidth: opts.stemWidth, normLayer: opts.normLayer, activation: opts.activation });
    return loadWeights(model, w, opts.progress);
  };
}
const E = Object.fromEntries(SPECS.map(([, en]) => [en, weightsEnum(en)]));
const B = Object.fromEntries(SPECS.map(([n, en, p]) => [n, make(p, E[en]!)]));
for (const [n, en] of SPECS) registerModel(n, B[n]!, E[en]!);

export const RegNet_Y_400MF_Weights = E.RegNet_Y_400MF_Weights!, RegNet_Y_800MF_Weights = E.RegNet_Y_800MF_Weights!, RegNet_Y_1_6GF_Weights = E.RegNet_Y_1_6GF_Weights!,
  RegNet_Y_3_2GF_Weights = E.RegNet_Y_3_2GF_Weights!, RegNet_Y_8GF_Weights = E.RegNet_Y_8GF_Weights!, RegNet_Y_16GF_Weights = E.RegNet_Y_16GF_Weights!,
  RegNet_Y_32GF_Weights = E.RegNet_Y_32GF_Weights!, RegNet_Y_128GF_Weights = E.RegNet_Y_128GF_Weights!, RegNet_X_400MF_Weights = E.RegNet_X_400MF_Weights!,
  RegNet_X_800MF_Weights = E.RegNet_X_800MF_Weights!, RegNet_X_1_6GF_Weights = E.RegNet_X_1_6GF_Weights!, RegNet_X_3_2GF_Weights = E.RegNet_X_3_2GF_Weights!,
  RegNet_X_8GF_Weights = E.RegNet_X_8GF_Weights!, RegNet_X_16GF_Weights = E.RegNet_X_16GF_Weights!, RegNet_X_32GF_Weights = E.RegNet_X_32GF_Weights!;
export const regnetY_400mf = B.regnet_y_400mf!, regnetY_800mf = B.regnet_y_800mf!, regnetY_1_6gf = B.regnet_y_1_6gf!, regnetY_3_2gf = B.regnet_y_3_2gf!,
  regnetY_8gf = B.regnet_y_8gf!, regnetY_16gf = B.regnet_y_16gf!, regnetY_32gf = B.regnet_y_32gf!, regnetY_128gf = B.regnet_y_128gf!,
  regnetX_400mf = B.regnet_x_400mf!, regnetX_800mf = B.regnet_x_800mf!, regnetX_1_6gf = B.regnet_x_1_6gf!, regnetX_3_2gf = B.regnet_x_3_2gf!,
  regnetX_8gf = B.regnet_x_8gf!, regnetX_16gf = B.regnet_x_16gf!, regnetX_32gf = B.regnet_x_32gf!;
