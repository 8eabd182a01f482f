// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.mobilenetv2: MobileNetV2 and its InvertedResidual block.
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import * as F from "../../nn/functional/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, makeDivisible, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions } from "./_api.js";
import { Conv2dNormActivation, initMobileNetWeights, type LayerFactory } from "./_ops.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const relu6 = (inplace?: boolean) => new nn.ReLU6(inplace ?? false);

export class InvertedResidual extends nn.Module {
  conv: nn.Sequential;
  declare readonly stride: number;
  declare readonly useResConnect: boolean;
  declare readonly outChannels: number;
  constructor(inp: number, oup: number, stride: number, expandRatio: number, normLayer: LayerFactory | null = null) {
    super();
    if (stride !== 1 && stride !== 2) throw new ValueError(`stride should be 1 or 2 instead of ${stride}`);
    const norm = normLayer ?? ((n: number) => new nn.BatchNorm2d(n));
    const hiddenDim = Math.round(inp * expandRatio);
    for (const [k, v] of Object.entries({ stride, useResConnect: stride === 1 && inp === oup, outChannels: oup }))
      Object.defineProperty(this, k, { value: v, enumerable: false });
    const layers: nn.Module[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hiddenDim, 1, { normLayer: norm, activationLayer: relu6 }));
    layers.push(
      new Conv2dNormActivation(hiddenDim, hiddenDim, 3, { stride, groups: hiddenDim, normLayer: norm, activationLayer: relu6 }),
      new nn.Conv2d(hiddenDim, oup, 1, { stride: 1, padding: 0, bias: false }),
      norm(oup));
    this.conv = new nn.Sequential(...layers);
  }
  override forward(x: Tensor): Tensor { return this.useResConnect ? x.add(this.conv.forward(x)) : this.conv.forward(x); }
}

export interface MobileNetV2Options {
  numClasses?: number; widthMult?: number; invertedResidualSetting?: number[][] | null; roundNearest?: number;
  block?: ((inp: number, oup: number, stride: number, expandRatio: number, normLayer: LayerFactory) => nn.Module) | null;
  normLayer?: LayerFactory | null; dropout?: number;
}

export class MobileNetV2 extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Sequential;
  declare readonly lastChannel: number;
  constructor({ numClasses = 1000, widthMult = 1.0, invertedResidualSetting = null, roundNearest = 8, block = null, normLayer = null, dropout = 0.2 }: MobileNetV2Options = {}) {
    super();
    const blk = block ?? ((i: number, o: number, s: number, t: number, n: LayerFactory) => new InvertedResidual(i, o, s, t, n));
    const norm = normLayer ?? ((n: number) => new nn.BatchNorm2d(n));
    let inputChannel = 32;
    const lastChannel = 1280;
    const setting = invertedResidualSetting ?? [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
    if (setting.length === 0 || setting[0]!.length !== 4)
      throw new ValueError(`inverted_residual_setting should be non-empty or a 4-element list, got ${JSON.stringify(setting)}`);
    inputChannel = makeDivisible(inputChannel * widthMult, roundNearest);
    Object.defineProperty(this, "lastChannel", { value: makeDivisible(lastChannel * Math.max(1.0, widthMult), roundNearest), enumerable: false });
    const features: nn.Module[] = [new Conv2dNormActivation(3, inputChannel, 3, { stride: 2, normLayer: norm, activationLayer: relu6 })];
    for (const [t, c, n, s] of setting as [number, number, number, number][]) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(blk(inputChannel, outputChannel, i === 0 ? s : 1, t, norm));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, 1, { normLayer: norm, activationLayer: relu6 }));
    this.features = new nn.Sequential(...features);
    this.classifier = new nn.Sequential(new nn.Dropout(dropout), new nn.Linear(this.lastChannel, numClasses));
    initMobileNetWeights(this);
  }
  override forward(x: Tensor): Tensor {
    x = F.adaptiveAvgPool2d(this.features.forward(x), [1, 1]).flatten(1);
    return this.classifier.forward(x);
  }
}

export const MobileNet_V2_Weights = weightsEnum("MobileNet_V2_Weights");
export function mobilenetV2(opts: ModelOptions & Omit<MobileNetV2Options, "numClasses"> = {}): MobileNetV2 {
  const w = verifyWeights(MobileNet_V2_Weights, opts.weights);
  const { weights: _w, progress = true, numClasses: _n, ...arch } = opts;
  return loadWeights(new MobileNetV2({ ...arch, numClasses: numClassesFor(opts, w) }), w, progress);
}
registerModel("mobilenet_v2", mobilenetV2, MobileNet_V2_Weights);
