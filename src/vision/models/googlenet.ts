// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.googlenet: GoogLeNet (Inception v1) with its auxiliary classifiers.
import * as nn from "../../nn/index.js";
import * as F from "../../nn/functional/index.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, overwriteNamedParam, registerModel, verifyWeights, weightsEnum, type ModelOptions } from "./_api.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export type ConvOptions = { stride?: number | number[]; padding?: number | number[] };

/** Conv2d (no bias) + BatchNorm2d(eps=0.001) + ReLU, shared by GoogLeNet and Inception3. */
export class BasicConv2d extends nn.Module {
  conv: nn.Conv2d;
  bn: nn.BatchNorm2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvOptions = {}) {
    super();
    this.conv = new nn.Conv2d(inChannels, outChannels, kernelSize as any, { ...opts, bias: false } as any);
    this.bn = new nn.BatchNorm2d(outChannels, { eps: 0.001 });
  }
  override forward(x: Tensor): Tensor { return F.relu(this.bn.forward(this.conv.forward(x)), { inplace: true } as any); }
}

/** ImageNet normalisation -> the (x - 0.5) / 0.5 scaling the original Google weights expect. */
export function transformInput(x: Tensor): Tensor {
  const ch = (i: number, s: number, m: number) => x.index(":", i).unsqueeze(1).mul(s / 0.5).add((m - 0.5) / 0.5);
  return cat([ch(0, 0.229, 0.485), ch(1, 0.224, 0.456), ch(2, 0.225, 0.406)], 1);
}

export class Inception extends nn.Module {
  branch1: BasicConv2d;
  branch2: nn.Sequential;
  branch3: nn.Sequential;
  branch4: nn.Sequential;
  constructor(inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, 1);
    this.branch2 = new nn.Sequential(new BasicConv2d(inChannels, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 }));
    this.branch3 = new nn.Sequential(new BasicConv2d(inChannels, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 }));
    this.branch4 = new nn.Sequential(new nn.MaxPool2d(3, 1, { padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, 1));
  }
  override forward(x: Tensor): Tensor {
    return cat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
}

export class InceptionAux extends nn.Module {
  conv: BasicConv2d;
  fc1: nn.Linear;
  fc2: nn.Linear;
  dropout: nn.Dropout;
  constructor(inChannels: number, numClasses: number, dropout = 0.7) {
    super();
    this.conv = new BasicConv2d(inChannels, 128, 1);
    this.fc1 = new nn.Linear(2048, 1024);
    this.fc2 = new nn.Linear(1024, numClasses);
    this.dropout = new nn.Dropout(dropout);
  }
  override forward(x: Tensor): Tensor {
    x = this.conv.forward(F.adaptiveAvgPool2d(x, [4, 4])).flatten(1);
    x = this.dropout.forward(F.relu(this.fc1.forward(x), { inplace: true } as any));
    return this.fc2.forward(x);
  }
}

/** GoogLeNetOutputs(logits, aux_logits2, aux_logits1) as an array that also carries the names. */
export type GoogLeNetOutputs = [Tensor, Tensor | null, Tensor | null] & { logits: Tensor; auxLogits2: Tensor | null; auxLogits1: Tensor | null };

export interface GoogLeNetOptions { numClasses?: number; auxLogits?: boolean; transformInput?: boolean; initWeights?: boolean | null; dropout?: number; dropoutAux?: number }

export class GoogLeNet extends nn.Module {
  conv1: BasicConv2d; maxpool1: nn.MaxPool2d; conv2: BasicConv2d; conv3: BasicConv2d; maxpool2: nn.MaxPool2d;
  inception3a: Inception; inception3b: Inception; maxpool3: nn.MaxPool2d;
  inception4a: Inception; inception4b: Inception; inception4c: Inception; inception4d: Inception; inception4e: Inception; maxpool4: nn.MaxPool2d;
  inception5a: Inception; inception5b: Inception;
  aux1: InceptionAux | null; aux2: InceptionAux | null;
  avgpool: nn.AdaptiveAvgPool2d; dropout: nn.Dropout; fc: nn.Module;
  declare auxLogits: boolean;
  declare transformInput: boolean;
  constructor({ numClasses = 1000, auxLogits = true, transformInput = false, initWeights = null, dropout = 0.2, dropoutAux = 0.7 }: GoogLeNetOptions = {}) {
    super();
    for (const [k, v] of Object.entries({ auxLogits, transformInput })) Object.defineProperty(this, k, { value: v, writable: true, enumerable: false });
    this.conv1 = new BasicConv2d(3, 64, 7, { stride: 2, padding: 3 });
    this.maxpool1 = new nn.MaxPool2d(3, 2, { ceilMode: true });
    this.conv2 = new BasicConv2d(64, 64, 1);
    this.conv3 = new BasicConv2d(64, 192, 3, { padding: 1 });
    this.maxpool2 = new nn.MaxPool2d(3, 2, { ceilMode: true });
    this.inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = new nn.MaxPool2d(3, 2, { ceilMode: true });
    this.inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = new nn.MaxPool2d(2, 2, { ceilMode: true });
    this.inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);
    if (auxLogits) {
      this.aux1 = new InceptionAux(512, numClasses, dropoutAux);
      this.aux2 = new InceptionAux(528, numClasses, dropoutAux);
    } else {
      this.aux1 = null;
      this.aux2 = null;
    }
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout(dropout);
    this.fc = new nn.Linear(1024, numClasses);
    if (initWeights ?? true) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) nn.init.truncNormal_((m as any).weight, 0, 0.01, -2, 2);
        else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_((m as any).weight, 1);
          nn.init.constant_((m as any).bias, 0);
        }
      }
    }
  }

  /** In training mode with auxLogits: [logits, aux2, aux1] (GoogLeNetOutputs); otherwise the logits. */
  override forward(x: Tensor): Tensor | GoogLeNetOutputs {
    if (this.transformInput) x = transformInput(x);
    x = this.maxpool1.forward(this.conv1.forward(x));
    x = this.maxpool2.forward(this.conv3.forward(this.conv2.forward(x)));
    x = this.maxpool3.forward(this.inception3b.forward(this.inception3a.forward(x)));
    x = this.inception4a.forward(x);
    const aux1 = this.aux1 !== null && this.training ? this.aux1.forward(x) : null;
    x = this.inception4d.forward(this.inception4c.forward(this.inception4b.forward(x)));
    const aux2 = this.aux2 !== null && this.training ? this.aux2.forward(x) : null;
    x = this.maxpool4.forward(this.inception4e.forward(x));
    x = this.inception5b.forward(this.inception5a.forward(x));
    x = this.fc.forward(this.dropout.forward(this.avgpool.forward(x).flatten(1)));
    if (this.training && this.auxLogits) return Object.assign([x, aux2, aux1], { logits: x, auxLogits2: aux2, auxLogits1: aux1 }) as GoogLeNetOutputs;
    return x;
  }
}

export const GoogLeNet_Weights = weightsEnum("GoogLeNet_Weights");
export function googlenet(opts: ModelOptions & Omit<GoogLeNetOptions, "numClasses"> = {}): GoogLeNet {
  const w = verifyWeights(GoogLeNet_Weights, opts.weights);
  const { weights: _w, progress = true, numClasses: _n, ...arch } = opts;
  const originalAux = opts.auxLogits ?? false;
  if (w !== null) {
    Object.assign(arch, {
      transformInput: opts.transformInput ?? true, auxLogits: overwriteNamedParam(opts.auxLogits, "aux_logits", true),
      initWeights: overwriteNamedParam(opts.initWeights ?? undefined, "init_weights", false),
    });
  }
  const model = loadWeights(new GoogLeNet({ ...arch, numClasses: numClassesFor(opts, w) }), w, progress);
  if (w !== null && !originalAux) {
    model.auxLogits = false;
    model.aux1 = null;
    model.aux2 = null;
  }
  return model;
}
registerModel("googlenet", googlenet, GoogLeNet_Weights);
