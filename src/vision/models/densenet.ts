// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.densenet: DenseNet-121/161/169/201 (_DenseLayer, _DenseBlock, _Transition).
import * as nn from "../../nn/index.js";
import * as F from "../../nn/functional/index.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export class _DenseLayer extends nn.Module {
  norm1: nn.BatchNorm2d;
  relu1: nn.ReLU;
  conv1: nn.Conv2d;
  norm2: nn.BatchNorm2d;
  relu2: nn.ReLU;
  conv2: nn.Conv2d;
  declare readonly dropRate: number;
  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number, readonly memoryEfficient = false) {
    super();
    this.norm1 = new nn.BatchNorm2d(numInputFeatures);
    this.relu1 = new nn.ReLU(true);
    this.conv1 = new nn.Conv2d(numInputFeatures, bnSize * growthRate, 1, { stride: 1, bias: false });
    this.norm2 = new nn.BatchNorm2d(bnSize * growthRate);
    this.relu2 = new nn.ReLU(true);
    this.conv2 = new nn.Conv2d(bnSize * growthRate, growthRate, 3, { stride: 1, padding: 1, bias: false });
    Object.defineProperty(this, "dropRate", { value: dropRate, enumerable: false });
  }
  override forward(input: Tensor | Tensor[]): Tensor {
    const prev = Array.isArray(input) ? input : [input];
    const bottleneck = this.conv1.forward(this.relu1.forward(this.norm1.forward(cat(prev, 1))));
    let out = this.conv2.forward(this.relu2.forward(this.norm2.forward(bottleneck)));
    if (this.dropRate > 0) out = F.dropout(out, this.dropRate, this.training);
    return out;
  }
}

export class _DenseBlock extends nn.ModuleDict {
  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number, memoryEfficient = false) {
    super();
    for (let i = 0; i < numLayers; i++)
      this.addModule(`denselayer${i + 1}`, new _DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate, memoryEfficient));
  }
  override forward(init: Tensor): Tensor {
    const features = [init];
    for (const [, layer] of this.namedChildren()) features.push(layer.forward(features));
    return cat(features, 1);
  }
}

export class _Transition extends nn.Sequential {
  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super();
    this.addModule("norm", new nn.BatchNorm2d(numInputFeatures));
    this.addModule("relu", new nn.ReLU(true));
    this.addModule("conv", new nn.Conv2d(numInputFeatures, numOutputFeatures, 1, { stride: 1, bias: false }));
    this.addModule("pool", new nn.AvgPool2d(2, 2));
  }
}

export interface DenseNetOptions { growthRate?: number; blockConfig?: number[]; numInitFeatures?: number; bnSize?: number; dropRate?: number; numClasses?: number; memoryEfficient?: boolean }

export class DenseNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;
  constructor({ growthRate = 32, blockConfig = [6, 12, 24, 16], numInitFeatures = 64, bnSize = 4, dropRate = 0, numClasses = 1000, memoryEfficient = false }: DenseNetOptions = {}) {
    super();
    this.features = new nn.Sequential(new Map<string, nn.Module>([
      ["conv0", new nn.Conv2d(3, numInitFeatures, 7, { stride: 2, padding: 3, bias: false })],
      ["norm0", new nn.BatchNorm2d(numInitFeatures)],
      ["relu0", new nn.ReLU(true)],
      ["pool0", new nn.MaxPool2d(3, 2, { padding: 1 })],
    ]));
    let numFeatures = numInitFeatures;
    blockConfig.forEach((numLayers, i) => {
      this.features.addModule(`denseblock${i + 1}`, new _DenseBlock(numLayers, numFeatures, bnSize, growthRate, dropRate, memoryEfficient));
      numFeatures += numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        this.features.addModule(`transition${i + 1}`, new _Transition(numFeatures, Math.floor(numFeatures / 2)));
        numFeatures = Math.floor(numFeatures / 2);
      }
    });
    this.features.addModule("norm5", new nn.BatchNorm2d(numFeatures));
    this.classifier = new nn.Linear(numFeatures, numClasses);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaimingNormal_(m.weight);
      else if (m instanceof nn.BatchNorm2d) {
        nn.init.constant_((m as any).weight, 1);
        nn.init.constant_((m as any).bias, 0);
      } else if (m instanceof nn.Linear) nn.init.constant_(m.bias!, 0);
    }
  }
  override forward(x: Tensor): Tensor {
    let out = F.relu(this.features.forward(x), { inplace: true } as any);
    out = F.adaptiveAvgPool2d(out, [1, 1]).flatten(1);
    return this.classifier.forward(out);
  }
}

/** torchvision's checkpoints use the old "denselayer1.norm.1.weight" spelling; renamed as torchvision's _load_state_dict does. */
export function fixDenseNetKeys(sd: Record<string, Tensor>): Record<string, Tensor> {
  const re = /^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(sd)) {
    const m = re.exec(k);
    out[m ? m[1]! + m[2]! : k] = v;
  }
  return out;
}

export const DenseNet121_Weights = weightsEnum("DenseNet121_Weights");
export const DenseNet161_Weights = weightsEnum("DenseNet161_Weights");
export const DenseNet169_Weights = weightsEnum("DenseNet169_Weights");
export const DenseNet201_Weights = weightsEnum("DenseNet201_Weights");
type DOpts = ModelOptions & { dropRate?: number; bnSize?: number; memoryEfficient?: boolean };
function makeDensenet(growthRate: number, blockConfig: number[], numInitFeatures: number, e: WeightsEnum) {
  return (opts: DOpts = {}): DenseNet => {
    const w = verifyWeights(e, opts.weights);
    const model = new DenseNet({ growthRate, blockConfig, numInitFeatures, dropRate: opts.dropRate, bnSize: opts.bnSize, memoryEfficient: opts.memoryEfficient, numClasses: numClassesFor(opts, w) });
    return loadWeights(model, w, opts.progress, fixDenseNetKeys);
  };
}
export const densenet121 = makeDensenet(32, [6, 12, 24, 16], 64, DenseNet121_Weights);
export const densenet161 = makeDensenet(48, [6, 12, 36, 24], 96, DenseNet161_Weights);
export const densenet169 = makeDensenet(32, [6, 12, 32, 32], 64, DenseNet169_Weights);
export const densenet201 = makeDensenet(32, [6, 12, 48, 32], 64, DenseNet201_Weights);
registerModel("densenet121", densenet121, DenseNet121_Weights);
registerModel("densenet161", densenet161, DenseNet161_Weights);
registerModel("densenet169", densenet169, DenseNet169_Weights);
registerModel("densenet201", densenet201, DenseNet201_Weights);
