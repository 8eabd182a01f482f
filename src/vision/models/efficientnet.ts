// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.efficientnet: EfficientNet B0-B7 and V2 S/M/L (MBConv, FusedMBConv).
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, makeDivisible, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";
import { Conv2dNormActivation, SqueezeExcitation, StochasticDepth, type LayerFactory } from "./_ops.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
type BlockCtor = (cnf: MBConvConfig, sdProb: number, normLayer: LayerFactory) => nn.Module;

export class MBConvConfig {
  constructor(public expandRatio: number, public kernel: number, public stride: number, public inputChannels: number,
    public outChannels: number, public numLayers: number, public block: BlockCtor) {}
  static adjustChannels(channels: number, widthMult: number, minValue: number | null = null): number { return makeDivisible(channels * widthMult, 8, minValue); }
  static adjustDepth(numLayers: number, depthMult: number): number { return Math.ceil(numLayers * depthMult); }
  static mb(e: number, k: number, s: number, i: number, o: number, n: number, widthMult = 1, depthMult = 1): MBConvConfig {
    return new MBConvConfig(e, k, s, MBConvConfig.adjustChannels(i, widthMult), MBConvConfig.adjustChannels(o, widthMult), MBConvConfig.adjustDepth(n, depthMult),
      (c, p, nl) => new MBConv(c, p, nl));
  }
  static fused(e: number, k: number, s: number, i: number, o: number, n: number): MBConvConfig {
    return new MBConvConfig(e, k, s, i, o, n, (c, p, nl) => new FusedMBConv(c, p, nl));
  }
  copy(): MBConvConfig { return new MBConvConfig(this.expandRatio, this.kernel, this.stride, this.inputChannels, this.outChannels, this.numLayers, this.block); }
}

const silu = (inplace?: boolean) => new nn.SiLU(inplace ?? false);

export class MBConv extends nn.Module {
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  declare readonly useResConnect: boolean;
  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: LayerFactory,
    seLayer: (c: number, s: number, act: LayerFactory) => nn.Module = (c, s, act) => new SqueezeExcitation(c, s, act)) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new ValueError("illegal stride value");
    Object.defineProperty(this, "useResConnect", { value: cnf.stride === 1 && cnf.inputChannels === cnf.outChannels, enumerable: false });
    const layers: nn.Module[] = [];
    const expanded = MBConvConfig.adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expanded !== cnf.inputChannels) layers.push(new Conv2dNormActivation(cnf.inputChannels, expanded, 1, { normLayer, activationLayer: silu }));
    layers.push(new Conv2dNormActivation(expanded, expanded, cnf.kernel, { stride: cnf.stride, groups: expanded, normLayer, activationLayer: silu }));
    layers.push(seLayer(expanded, Math.max(1, Math.floor(cnf.inputChannels / 4)), () => new nn.SiLU(true)));
    layers.push(new Conv2dNormActivation(expanded, cnf.outChannels, 1, { normLayer, activationLayer: null }));
    this.block = new nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, "row");
  }
  override forward(input: Tensor): Tensor {
    let result = this.block.forward(input);
    if (this.useResConnect) result = this.stochastic_depth.forward(result).add(input);
    return result;
  }
}

export class FusedMBConv extends nn.Module {
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  declare readonly useResConnect: boolean;
  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: LayerFactory) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new ValueError("illegal stride value");
    Object.defineProperty(this, "useResConnect", { value: cnf.stride === 1 && cnf.inputChannels === cnf.outChannels, enumerable: false });
    const layers: nn.Module[] = [];
    const expanded = MBConvConfig.adjustChannels(cnf.inputChannels, cnf.expandRatio);
    if (expanded !== cnf.inputChannels) {
      layers.push(new Conv2dNormActivation(cnf.inputChannels, expanded, cnf.kernel, { stride: cnf.stride, normLayer, activationLayer: silu }));
      layers.push(new Conv2dNormActivation(expanded, cnf.outChannels, 1, { normLayer, activationLayer: null }));
    } else layers.push(new Conv2dNormActivation(cnf.inputChannels, cnf.outChannels, cnf.kernel, { stride: cnf.stride, normLayer, activationLayer: silu }));
    this.block = new nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, "row");
  }
  override forward(input: Tensor): Tensor {
    let result = this.block.forward(input);
    if (this.useResConnect) result = this.stochastic_depth.forward(result).add(input);
    return result;
  }
}

export interface EfficientNetOptions { stochasticDepthProb?: number; numClasses?: number; normLayer?: LayerFactory | null; lastChannel?: number | null }

export class EfficientNet extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;
  constructor(setting: MBConvConfig[], dropout: number, { stochasticDepthProb = 0.2, numClasses = 1000, normLayer = null, lastChannel = null }: EfficientNetOptions = {}) {
    super();
    if (setting.length === 0) throw new ValueError("The inverted_residual_setting should not be empty");
    const norm = normLayer ?? ((n: number) => new nn.BatchNorm2d(n));
    const layers: nn.Module[] = [new Conv2dNormActivation(3, setting[0]!.inputChannels, 3, { stride: 2, normLayer: norm, activationLayer: silu })];
    const total = setting.reduce((a, c) => a + c.numLayers, 0);
    let id = 0;
    for (const cnf of setting) {
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        const b = cnf.copy();
        if (stage.length > 0) { b.inputChannels = b.outChannels; b.stride = 1; }
        stage.push(b.block(b, (stochasticDepthProb * id) / total, norm));
        id++;
      }
      layers.push(new nn.Sequential(...stage));
    }
    const lastIn = setting[setting.length - 1]!.outChannels;
    const lastOut = lastChannel ?? 4 * lastIn;
    layers.push(new Conv2dNormActivation(lastIn, lastOut, 1, { normLayer: norm, activationLayer: silu }));
    this.features = new nn.Sequential(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.classifier = new nn.Sequential(new nn.Dropout(dropout, true), new nn.Linear(lastOut, numClasses));
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaimingNormal_(m.weight, { mode: "fan_out" });
        if (m.bias !== null) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        nn.init.ones_((m as any).weight);
        nn.init.zeros_((m as any).bias);
      } else if (m instanceof nn.Linear) {
        const r = 1 / Math.sqrt(m.outFeatures);
        nn.init.uniform_(m.weight, -r, r);
        nn.init.zeros_(m.bias!);
      }
    }
  }
  override forward(x: Tensor): Tensor { return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1)); }
}

export function efficientnetConf(arch: string, widthMult = 1, depthMult = 1): [MBConvConfig[], number | null] {
  const F = MBConvConfig.fused, M = MBConvConfig.mb;
  if (arch.startsWith("efficientnet_b")) {
    const b = (e: number, k: number, s: number, i: number, o: number, n: number) => M(e, k, s, i, o, n, widthMult, depthMult);
    return [[b(1, 3, 1, 32, 16, 1), b(6, 3, 2, 16, 24, 2), b(6, 5, 2, 24, 40, 2), b(6, 3, 2, 40, 80, 3), b(6, 5, 1, 80, 112, 3), b(6, 5, 2, 112, 192, 4), b(6, 3, 1, 192, 320, 1)], null];
  }
  if (arch.startsWith("efficientnet_v2_s"))
    return [[F(1, 3, 1, 24, 24, 2), F(4, 3, 2, 24, 48, 4), F(4, 3, 2, 48, 64, 4), M(4, 3, 2, 64, 128, 6), M(6, 3, 1, 128, 160, 9), M(6, 3, 2, 160, 256, 15)], 1280];
  if (arch.startsWith("efficientnet_v2_m"))
    return [[F(1, 3, 1, 24, 24, 3), F(4, 3, 2, 24, 48, 5), F(4, 3, 2, 48, 80, 5), M(4, 3, 2, 80, 160, 7), M(6, 3, 1, 160, 176, 14), M(6, 3, 2, 176, 304, 18), M(6, 3, 1, 304, 512, 5)], 1280];
  if (arch.startsWith("efficientnet_v2_l"))
    return [[F(1, 3, 1, 32, 32, 4), F(4, 3, 2, 32, 64, 7), F(4, 3, 2, 64, 96, 7), M(4, 3, 2, 96, 192, 10), M(6, 3, 1, 192, 224, 19), M(6, 3, 2, 224, 384, 25), M(6, 3, 1, 384, 640, 7)], 1280];
  throw new ValueError(`Unsupported model type ${arch}`);
}

type EOpts = ModelOptions & { stochasticDepthProb?: number; normLayer?: LayerFactory | null };
const bnEps = (eps: number, momentum?: number) => (n: number) => new nn.BatchNorm2d(n, momentum === undefined ? { eps } : { eps, momentum });
function make(arch: string, widthMult: number, depthMult: number, dropout: number, e: WeightsEnum, normLayer: LayerFactory | null = null) {
  return (opts: EOpts = {}): EfficientNet => {
    const w = verifyWeights(e, opts.weights);
    const [setting, lastChannel] = efficientnetConf(arch, widthMult, depthMult);
    const model = new EfficientNet(setting, dropout, { lastChannel, numClasses: numClassesFor(opts, w), stochasticDepthProb: opts.stochasticDepthProb, normLayer: opts.normLayer ?? normLayer });
    return loadWeights(model, w, opts.progress);
  };
}

export const EfficientNet_B0_Weights = weightsEnum("EfficientNet_B0_Weights");
export const EfficientNet_B1_Weights = weightsEnum("EfficientNet_B1_Weights");
export const EfficientNet_B2_Weights = weightsEnum("EfficientNet_B2_Weights");
export const EfficientNet_B3_Weights = weightsEnum("EfficientNet_B3_Weights");
export const EfficientNet_B4_Weights = weightsEnum("EfficientNet_B4_Weights");
export const EfficientNet_B5_Weights = weightsEnum("EfficientNet_B5_Weights");
export const EfficientNet_B6_Weights = weightsEnum("EfficientNet_B6_Weights");
export const EfficientNet_B7_Weights = weightsEnum("EfficientNet_B7_Weights");
export const EfficientNet_V2_S_Weights = weightsEnum("EfficientNet_V2_S_Weights");
export const EfficientNet_V2_M_Weights = weightsEnum("EfficientNet_V2_M_Weights");
export const EfficientNet_V2_L_Weights = weightsEnum("EfficientNet_V2_L_Weights");
export const efficientnetB0 = make("efficientnet_b0", 1.0, 1.0, 0.2, EfficientNet_B0_Weights);
export const efficientnetB1 = make("efficientnet_b1", 1.0, 1.1, 0.2, EfficientNet_B1_Weights);
export const efficientnetB2 = make("efficientnet_b2", 1.1, 1.2, 0.3, EfficientNet_B2_Weights);
export const efficientnetB3 = make("efficientnet_b3", 1.2, 1.4, 0.3, EfficientNet_B3_Weights);
export const efficientnetB4 = make("efficientnet_b4", 1.4, 1.8, 0.4, EfficientNet_B4_Weights);
export const efficientnetB5 = make("efficientnet_b5", 1.6, 2.2, 0.4, EfficientNet_B5_Weights, bnEps(0.001, 0.01));
export const efficientnetB6 = make("efficientnet_b6", 1.8, 2.6, 0.5, EfficientNet_B6_Weights, bnEps(0.001, 0.01));
export const efficientnetB7 = make("efficientnet_b7", 2.0, 3.1, 0.5, EfficientNet_B7_Weights, bnEps(0.001, 0.01));
export const efficientnetV2S = make("efficientnet_v2_s", 1, 1, 0.2, EfficientNet_V2_S_Weights, bnEps(0.001));
export const efficientnetV2M = make("efficientnet_v2_m", 1, 1, 0.3, EfficientNet_V2_M_Weights, bnEps(0.001));
export const efficientnetV2L = make("efficientnet_v2_l", 1, 1, 0.4, EfficientNet_V2_L_Weights, bnEps(0.001));
for (const [n, f, e] of [
  ["efficientnet_b0", efficientnetB0, EfficientNet_B0_Weights], ["efficientnet_b1", efficientnetB1, EfficientNet_B1_Weights],
  ["efficientnet_b2", efficientnetB2, EfficientNet_B2_Weights], ["efficientnet_b3", efficientnetB3, EfficientNet_B3_Weights],
  ["efficientnet_b4", efficientnetB4, EfficientNet_B4_Weights], ["efficientnet_b5", efficientnetB5, EfficientNet_B5_Weights],
  ["efficientnet_b6", efficientnetB6, EfficientNet_B6_Weights], ["efficientnet_b7", efficientnetB7, EfficientNet_B7_Weights],
  ["efficientnet_v2_s", efficientnetV2S, EfficientNet_V2_S_Weights], ["efficientnet_v2_m", efficientnetV2M, EfficientNet_V2_M_Weights],
  ["efficientnet_v2_l", efficientnetV2L, EfficientNet_V2_L_Weights],
] as const) registerModel(n, f, e);
