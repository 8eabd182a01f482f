// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.convnext: ConvNeXt tiny / small / base / large (LayerNorm2d, CNBlock).
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import * as F from "../../nn/functional/index.js";
import { ones } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";
import { Conv2dNormActivation, Permute, StochasticDepth, type LayerFactory } from "./_ops.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
/** LayerNorm over the channels of an NCHW tensor. */
export class LayerNorm2d extends nn.LayerNorm {
  override forward(x: Tensor): Tensor {
    x = x.permute(0, 2, 3, 1);
    x = F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
    return x.permute(0, 3, 1, 2);
  }
}

export class CNBlock extends nn.Module {
  block: nn.Sequential;
  layer_scale: nn.Parameter;
  stochastic_depth: StochasticDepth;
  constructor(dim: number, layerScale: number, stochasticDepthProb: number, normLayer: LayerFactory | null = null) {
    super();
    const norm = normLayer ?? ((d: number) => new nn.LayerNorm(d, { eps: 1e-6 }));
    this.block = new nn.Sequential(
      new nn.Conv2d(dim, dim, 7, { padding: 3, groups: dim, bias: true }), new Permute([0, 2, 3, 1]), norm(dim),
      new nn.Linear(dim, 4 * dim, { bias: true }), new nn.GELU(), new nn.Linear(4 * dim, dim, { bias: true }), new Permute([0, 3, 1, 2]));
    this.layer_scale = new nn.Parameter(ones([dim, 1, 1]).mul(layerScale));
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, "row");
  }
  override forward(input: Tensor): Tensor {
    const result = this.stochastic_depth.forward(this.layer_scale.mul(this.block.forward(input)));
    return result.add(input);
  }
}

export class CNBlockConfig {
  constructor(readonly inputChannels: number, readonly outChannels: number | null, readonly numLayers: number) {}
  toString(): string { return `CNBlockConfig(input_channels=${this.inputChannels}, out_channels=${this.outChannels ?? "None"}, num_layers=${this.numLayers})`; }
}

export interface ConvNeXtOptions { stochasticDepthProb?: number; layerScale?: number; numClasses?: number; block?: ((dim: number, ls: number, sd: number) => nn.Module) | null; normLayer?: LayerFactory | null }

export class ConvNeXt extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;
  constructor(blockSetting: CNBlockConfig[], { stochasticDepthProb = 0, layerScale = 1e-6, numClasses = 1000, block = null, normLayer = null }: ConvNeXtOptions = {}) {
    super();
    if (blockSetting.length === 0) throw new ValueError("The block_setting should not be empty");
    const blk = block ?? ((d: number, ls: number, sd: number) => new CNBlock(d, ls, sd));
    const norm = normLayer ?? ((d: number) => new LayerNorm2d(d, { eps: 1e-6 }));
    const layers: nn.Module[] = [new Conv2dNormActivation(3, blockSetting[0]!.inputChannels, 4, { stride: 4, padding: 0, normLayer: norm, activationLayer: null, bias: true })];
    const total = blockSetting.reduce((a, c) => a + c.numLayers, 0);
    let id = 0;
    for (const cnf of blockSetting) {
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        stage.push(blk(cnf.inputChannels, layerScale, (stochasticDepthProb * id) / (total - 1.0)));
        id++;
      }
      layers.push(new nn.Sequential(...stage));
      if (cnf.outChannels !== null)
        layers.push(new nn.Sequential(norm(cnf.inputChannels), new nn.Conv2d(cnf.inputChannels, cnf.outChannels, 2, { stride: 2 })));
    }
    this.features = new nn.Sequential(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    const last = blockSetting[blockSetting.length - 1]!;
    const lastOut = last.outChannels ?? last.inputChannels;
    this.classifier = new nn.Sequential(norm(lastOut), new nn.Flatten(1), new nn.Linear(lastOut, numClasses));
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
        nn.init.truncNormal_((m as any).weight, 0, 0.02);
        if ((m as any).bias !== null) nn.init.zeros_((m as any).bias);
      }
    }
  }
  override forward(x: Tensor): Tensor { return this.classifier.forward(this.avgpool.forward(this.features.forward(x))); }
}

const C = (i: number, o: number | null, n: number) => new CNBlockConfig(i, o, n);
type COpts = ModelOptions & { stochasticDepthProb?: number; layerScale?: number };
function make(setting: CNBlockConfig[], sdDefault: number, e: WeightsEnum) {
  return (opts: COpts = {}): ConvNeXt => {
    const w = verifyWeights(e, opts.weights);
    const model = new ConvNeXt(setting, { stochasticDepthProb: opts.stochasticDepthProb ?? sdDefault, layerScale: opts.layerScale, numClasses: numClassesFor(opts, w) });
    return loadWeights(model, w, opts.progress);
  };
}
export const ConvNeXt_Tiny_Weights = weightsEnum("ConvNeXt_Tiny_Weights");
export const ConvNeXt_Small_Weights = weightsEnum("ConvNeXt_Small_Weights");
export const ConvNeXt_Base_Weights = weightsEnum("ConvNeXt_Base_Weights");
export const ConvNeXt_Large_Weights = weightsEnum("ConvNeXt_Large_Weights");
export const convnextTiny = make([C(96, 192, 3), C(192, 384, 3), C(384, 768, 9), C(768, null, 3)], 0.1, ConvNeXt_Tiny_Weights);
export const convnextSmall = make([C(96, 192, 3), C(192, 384, 3), C(384, 768, 27), C(768, null, 3)], 0.4, ConvNeXt_Small_Weights);
export const convnextBase = make([C(128, 256, 3), C(256, 512, 3), C(512, 1024, 27), C(1024, null, 3)], 0.5, ConvNeXt_Base_Weights);
export const convnextLarge = make([C(192, 384, 3), C(384, 768, 3), C(768, 1536, 27), C(1536, null, 3)], 0.5, ConvNeXt_Large_Weights);
registerModel("convnext_tiny", convnextTiny, ConvNeXt_Tiny_Weights);
registerModel("convnext_small", convnextSmall, ConvNeXt_Small_Weights);
registerModel("convnext_base", convnextBase, ConvNeXt_Base_Weights);
registerModel("convnext_large", convnextLarge, ConvNeXt_Large_Weights);
