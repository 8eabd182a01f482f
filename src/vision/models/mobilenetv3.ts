// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.mobilenetv3: MobileNetV3 (large / small), InvertedResidualConfig, InvertedResidual.
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, makeDivisible, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions } from "./_api.js";
import { Conv2dNormActivation, initMobileNetWeights, SqueezeExcitation, type LayerFactory } from "./_ops.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export class InvertedResidualConfig {
  readonly inputChannels: number;
  readonly expandedChannels: number;
  readonly outChannels: number;
  readonly useHs: boolean;
  constructor(inputChannels: number, readonly kernel: number, expandedChannels: number, outChannels: number, readonly useSe: boolean,
    activation: "RE" | "HS", readonly stride: number, readonly dilation: number, widthMult: number) {
    this.inputChannels = InvertedResidualConfig.adjustChannels(inputChannels, widthMult);
    this.expandedChannels = InvertedResidualConfig.adjustChannels(expandedChannels, widthMult);
    this.outChannels = InvertedResidualConfig.adjustChannels(outChannels, widthMult);
    this.useHs = activation === "HS";
  }
  static adjustChannels(channels: number, widthMult: number): number { return makeDivisible(channels * widthMult, 8); }
}

const hardswish = (inplace?: boolean) => new nn.Hardswish(inplace ?? false);
const relu = (inplace?: boolean) => new nn.ReLU(inplace ?? false);
const seLayer = (c: number, s: number) => new SqueezeExcitation(c, s, () => new nn.ReLU(), () => new nn.Hardsigmoid());

export class InvertedResidual extends nn.Module {
  block: nn.Sequential;
  declare readonly useResConnect: boolean;
  constructor(cnf: InvertedResidualConfig, normLayer: LayerFactory, se: (c: number, s: number) => nn.Module = seLayer) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new ValueError("illegal stride value");
    Object.defineProperty(this, "useResConnect", { value: cnf.stride === 1 && cnf.inputChannels === cnf.outChannels, enumerable: false });
    const act = cnf.useHs ? hardswish : relu;
    const layers: nn.Module[] = [];
    if (cnf.expandedChannels !== cnf.inputChannels)
      layers.push(new Conv2dNormActivation(cnf.inputChannels, cnf.expandedChannels, 1, { normLayer, activationLayer: act }));
    const stride = cnf.dilation > 1 ? 1 : cnf.stride;
    layers.push(new Conv2dNormActivation(cnf.expandedChannels, cnf.expandedChannels, cnf.kernel,
      { stride, dilation: cnf.dilation, groups: cnf.expandedChannels, normLayer, activationLayer: act }));
    if (cnf.useSe) layers.push(se(cnf.expandedChannels, makeDivisible(Math.floor(cnf.expandedChannels / 4), 8)));
    layers.push(new Conv2dNormActivation(cnf.expandedChannels, cnf.outChannels, 1, { normLayer, activationLayer: null }));
    this.block = new nn.Sequential(...layers);
  }
  override forward(input: Tensor): Tensor {
    const result = this.block.forward(input);
    return this.useResConnect ? result.add_(input) : result;
  }
}

export class MobileNetV3 extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;
  constructor(setting: InvertedResidualConfig[], lastChannel: number, { numClasses = 1000, block = null, normLayer = null, dropout = 0.2 }:
    { numClasses?: number; block?: ((c: InvertedResidualConfig, n: LayerFactory) => nn.Module) | null; normLayer?: LayerFactory | null; dropout?: number } = {}) {
    super();
    if (setting.length === 0) throw new ValueError("The inverted_residual_setting should not be empty");
    const blk = block ?? ((c: InvertedResidualConfig, n: LayerFactory) => new InvertedResidual(c, n));
    const norm = normLayer ?? ((n: number) => new nn.BatchNorm2d(n, { eps: 0.001, momentum: 0.01 }));
    const layers: nn.Module[] = [new Conv2dNormActivation(3, setting[0]!.inputChannels, 3, { stride: 2, normLayer: norm, activationLayer: hardswish })];
    for (const cnf of setting) layers.push(blk(cnf, norm));
    const lastIn = setting[setting.length - 1]!.outChannels;
    const lastOut = 6 * lastIn;
    layers.push(new Conv2dNormActivation(lastIn, lastOut, 1, { normLayer: norm, activationLayer: hardswish }));
    this.features = new nn.Sequential(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.classifier = new nn.Sequential(new nn.Linear(lastOut, lastChannel), new nn.Hardswish(true), new nn.Dropout(dropout, true), new nn.Linear(lastChannel, numClasses));
    initMobileNetWeights(this);
  }
  override forward(x: Tensor): Tensor {
    x = this.avgpool.forward(this.features.forward(x)).flatten(1);
    return this.classifier.forward(x);
  }
}

export function mobilenetV3Conf(arch: string, { widthMult = 1.0, reducedTail = false, dilated = false }: { widthMult?: number; reducedTail?: boolean; dilated?: boolean } = {}): [InvertedResidualConfig[], number] {
  const rd = reducedTail ? 2 : 1;
  const d = dilated ? 2 : 1;
  const b = (i: number, k: number, e: number, o: number, se: boolean, a: "RE" | "HS", s: number, dl: number) => new InvertedResidualConfig(i, k, e, o, se, a, s, dl, widthMult);
  const q = (v: number) => Math.floor(v / rd);
  if (arch === "mobilenet_v3_large") {
    return [[
      b(16, 3, 16, 16, false, "RE", 1, 1), b(16, 3, 64, 24, false, "RE", 2, 1), b(24, 3, 72, 24, false, "RE", 1, 1),
      b(24, 5, 72, 40, true, "RE", 2, 1), b(40, 5, 120, 40, true, "RE", 1, 1), b(40, 5, 120, 40, true, "RE", 1, 1),
      b(40, 3, 240, 80, false, "HS", 2, 1), b(80, 3, 200, 80, false, "HS", 1, 1), b(80, 3, 184, 80, false, "HS", 1, 1),
      b(80, 3, 184, 80, false, "HS", 1, 1), b(80, 3, 480, 112, true, "HS", 1, 1), b(112, 3, 672, 112, true, "HS", 1, 1),
      b(112, 5, 672, q(160), true, "HS", 2, d), b(q(160), 5, q(960), q(160), true, "HS", 1, d), b(q(160), 5, q(960), q(160), true, "HS", 1, d),
    ], InvertedResidualConfig.adjustChannels(q(1280), widthMult)];
  }
  if (arch === "mobilenet_v3_small") {
    return [[
      b(16, 3, 16, 16, true, "RE", 2, 1), b(16, 3, 72, 24, false, "RE", 2, 1), b(24, 3, 88, 24, false, "RE", 1, 1),
      b(24, 5, 96, 40, true, "HS", 2, 1), b(40, 5, 240, 40, true, "HS", 1, 1), b(40, 5, 240, 40, true, "HS", 1, 1),
      b(40, 5, 120, 48, true, "HS", 1, 1), b(48, 5, 144, 48, true, "HS", 1, 1), b(48, 5, 288, q(96), true, "HS", 2, d),
      b(q(96), 5, q(576), q(96), true, "HS", 1, d), b(q(96), 5, q(576), q(96), true, "HS", 1, d),
    ], InvertedResidualConfig.adjustChannels(q(1024), widthMult)];
  }
  throw new ValueError(`Unsupported model type ${arch}`);
}

export const MobileNet_V3_Large_Weights = weightsEnum("MobileNet_V3_Large_Weights");
export const MobileNet_V3_Small_Weights = weightsEnum("MobileNet_V3_Small_Weights");
type V3Opts = ModelOptions & { widthMult?: number; reducedTail?: boolean; dilated?: boolean; dropout?: number; normLayer?: LayerFactory | null };
function makeV3(arch: string, e: typeof MobileNet_V3_Large_Weights) {
  return (opts: V3Opts = {}): MobileNetV3 => {
    const w = verifyWeights(e, opts.weights);
    const [setting, last] = mobilenetV3Conf(arch, opts);
    return loadWeights(new MobileNetV3(setting, last, { numClasses: numClassesFor(opts, w), dropout: opts.dropout, normLayer: opts.normLayer }), w, opts.progress);
  };
}
export const mobilenetV3Large = makeV3("mobilenet_v3_large", MobileNet_V3_Large_Weights);
export const mobilenetV3Small = makeV3("mobilenet_v3_small", MobileNet_V3_Small_Weights);
registerModel("mobilenet_v3_large", mobilenetV3Large, MobileNet_V3_Large_Weights);
registerModel("mobilenet_v3_small", mobilenetV3Small, MobileNet_V3_Small_Weights);
