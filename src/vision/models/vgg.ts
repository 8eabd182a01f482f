// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.vgg (vgg11/13/16/19 and their _bn forms) and torchvision.models.alexnet.
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export class VGG extends nn.Module {
  features: nn.Module;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;
  constructor(features: nn.Module, { numClasses = 1000, initWeights = true, dropout = 0.5 }: { numClasses?: number; initWeights?: boolean; dropout?: number } = {}) {
    super();
    this.features = features;
    this.avgpool = new nn.AdaptiveAvgPool2d([7, 7]);
    this.classifier = new nn.Sequential(
      new nn.Linear(512 * 7 * 7, 4096), new nn.ReLU(true), new nn.Dropout(dropout),
      new nn.Linear(4096, 4096), new nn.ReLU(true), new nn.Dropout(dropout),
      new nn.Linear(4096, numClasses));
    if (initWeights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d) {
          nn.init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
          if (m.bias !== null) nn.init.constant_(m.bias, 0);
        } else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_((m as any).weight, 1);
          nn.init.constant_((m as any).bias, 0);
        } else if (m instanceof nn.Linear) {
          nn.init.normal_(m.weight, 0, 0.01);
          nn.init.constant_(m.bias!, 0);
        }
      }
    }
  }
  override forward(x: Tensor): Tensor {
    x = this.avgpool.forward(this.features.forward(x));
    return this.classifier.forward(x.flatten(1));
  }
}

export function makeLayers(cfg: (number | "M")[], batchNorm = false): nn.Sequential {
  const layers: nn.Module[] = [];
  let inChannels = 3;
  for (const v of cfg) {
    if (v === "M") layers.push(new nn.MaxPool2d(2, 2));
    else {
      const conv = new nn.Conv2d(inChannels, v, 3, { padding: 1 });
      if (batchNorm) layers.push(conv, new nn.BatchNorm2d(v), new nn.ReLU(true));
      else layers.push(conv, new nn.ReLU(true));
      inChannels = v;
    }
  }
  return new nn.Sequential(...layers);
}

const CFGS: Record<string, (number | "M")[]> = {
  A: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  B: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  D: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
};

export type VGGBuilderOptions = ModelOptions & { dropout?: number; initWeights?: boolean };

function makeVgg(cfg: string, bn: boolean, e: WeightsEnum) {
  return (opts: VGGBuilderOptions = {}): VGG => {
    const w = verifyWeights(e, opts.weights);
    const model = new VGG(makeLayers(CFGS[cfg]!, bn), { numClasses: numClassesFor(opts, w), dropout: opts.dropout, initWeights: w === null ? opts.initWeights : false });
    return loadWeights(model, w, opts.progress);
  };
}

export const VGG11_Weights = weightsEnum("VGG11_Weights");
export const VGG11_BN_Weights = weightsEnum("VGG11_BN_Weights");
export const VGG13_Weights = weightsEnum("VGG13_Weights");
export const VGG13_BN_Weights = weightsEnum("VGG13_BN_Weights");
export const VGG16_Weights = weightsEnum("VGG16_Weights");
export const VGG16_BN_Weights = weightsEnum("VGG16_BN_Weights");
export const VGG19_Weights = weightsEnum("VGG19_Weights");
export const VGG19_BN_Weights = weightsEnum("VGG19_BN_Weights");
export const vgg11 = makeVgg("A", false, VGG11_Weights);
export const vgg11Bn = makeVgg("A", true, VGG11_BN_Weights);
export const vgg13 = makeVgg("B", false, VGG13_Weights);
export const vgg13Bn = makeVgg("B", true, VGG13_BN_Weights);
export const vgg16 = makeVgg("D", false, VGG16_Weights);
export const vgg16Bn = makeVgg("D", true, VGG16_BN_Weights);
export const vgg19 = makeVgg("E", false, VGG19_Weights);
export const vgg19Bn = makeVgg("E", true, VGG19_BN_Weights);
registerModel("vgg11", vgg11, VGG11_Weights);
registerModel("vgg11_bn", vgg11Bn, VGG11_BN_Weights);
registerModel("vgg13", vgg13, VGG13_Weights);
registerModel("vgg13_bn", vgg13Bn, VGG13_BN_Weights);
registerModel("vgg16", vgg16, VGG16_Weights);
registerModel("vgg16_bn", vgg16Bn, VGG16_BN_Weights);
registerModel("vgg19", vgg19, VGG19_Weights);
registerModel("vgg19_bn", vgg19Bn, VGG19_BN_Weights);

// ---- AlexNet -------------------------------------------------------------------------------------

export class AlexNet extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;
  constructor({ numClasses = 1000, dropout = 0.5 }: { numClasses?: number; dropout?: number } = {}) {
    super();
    this.features = new nn.Sequential(
      new nn.Conv2d(3, 64, 11, { stride: 4, padding: 2 }), new nn.ReLU(true), new nn.MaxPool2d(3, 2),
      new nn.Conv2d(64, 192, 5, { padding: 2 }), new nn.ReLU(true), new nn.MaxPool2d(3, 2),
      new nn.Conv2d(192, 384, 3, { padding: 1 }), new nn.ReLU(true),
      new nn.Conv2d(384, 256, 3, { padding: 1 }), new nn.ReLU(true),
      new nn.Conv2d(256, 256, 3, { padding: 1 }), new nn.ReLU(true), new nn.MaxPool2d(3, 2));
    this.avgpool = new nn.AdaptiveAvgPool2d([6, 6]);
    this.classifier = new nn.Sequential(
      new nn.Dropout(dropout), new nn.Linear(256 * 6 * 6, 4096), new nn.ReLU(true),
      new nn.Dropout(dropout), new nn.Linear(4096, 4096), new nn.ReLU(true),
      new nn.Linear(4096, numClasses));
  }
  override forward(x: Tensor): Tensor {
    x = this.avgpool.forward(this.features.forward(x));
    return this.classifier.forward(x.flatten(1));
  }
}

export const AlexNet_Weights = weightsEnum("AlexNet_Weights");
export function alexnet(opts: ModelOptions & { dropout?: number } = {}): AlexNet {
  const w = verifyWeights(AlexNet_Weights, opts.weights);
  return loadWeights(new AlexNet({ numClasses: numClassesFor(opts, w), dropout: opts.dropout }), w, opts.progress);
}
registerModel("alexnet", alexnet, AlexNet_Weights);
