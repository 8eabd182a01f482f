// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.inception: Inception3 (inception_v3) with its auxiliary classifier.
import * as nn from "../../nn/index.js";
import * as F from "../../nn/functional/index.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, overwriteNamedParam, registerModel, verifyWeights, weightsEnum, type ModelOptions } from "./_api.js";
import { BasicConv2d, transformInput } from "./googlenet.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const C = (i: number, o: number, k: number | number[], opts: { stride?: number; padding?: number | number[] } = {}) => new BasicConv2d(i, o, k, opts);
const avg3 = (x: Tensor) => F.avgPool2d(x, 3, { stride: 1, padding: 1 } as any);
const max3 = (x: Tensor) => F.maxPool2d(x, 3, { stride: 2 } as any) as Tensor;

export class InceptionA extends nn.Module {
  branch1x1: BasicConv2d; branch5x5_1: BasicConv2d; branch5x5_2: BasicConv2d;
  branch3x3dbl_1: BasicConv2d; branch3x3dbl_2: BasicConv2d; branch3x3dbl_3: BasicConv2d; branch_pool: BasicConv2d;
  constructor(inChannels: number, poolFeatures: number) {
    super();
    this.branch1x1 = C(inChannels, 64, 1);
    this.branch5x5_1 = C(inChannels, 48, 1);
    this.branch5x5_2 = C(48, 64, 5, { padding: 2 });
    this.branch3x3dbl_1 = C(inChannels, 64, 1);
    this.branch3x3dbl_2 = C(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = C(96, 96, 3, { padding: 1 });
    this.branch_pool = C(inChannels, poolFeatures, 1);
  }
  override forward(x: Tensor): Tensor {
    return cat([this.branch1x1.forward(x), this.branch5x5_2.forward(this.branch5x5_1.forward(x)),
      this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x))), this.branch_pool.forward(avg3(x))], 1);
  }
}

export class InceptionB extends nn.Module {
  branch3x3: BasicConv2d; branch3x3dbl_1: BasicConv2d; branch3x3dbl_2: BasicConv2d; branch3x3dbl_3: BasicConv2d;
  constructor(inChannels: number) {
    super();
    this.branch3x3 = C(inChannels, 384, 3, { stride: 2 });
    this.branch3x3dbl_1 = C(inChannels, 64, 1);
    this.branch3x3dbl_2 = C(64, 96, 3, { padding: 1 });
    this.branch3x3dbl_3 = C(96, 96, 3, { stride: 2 });
  }
  override forward(x: Tensor): Tensor {
    return cat([this.branch3x3.forward(x), this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x))), max3(x)], 1);
  }
}

export class InceptionC extends nn.Module {
  branch1x1: BasicConv2d; branch7x7_1: BasicConv2d; branch7x7_2: BasicConv2d; branch7x7_3: BasicConv2d;
  branch7x7dbl_1: BasicConv2d; branch7x7dbl_2: BasicConv2d; branch7x7dbl_3: BasicConv2d; branch7x7dbl_4: BasicConv2d; branch7x7dbl_5: BasicConv2d;
  branch_pool: BasicConv2d;
  constructor(inChannels: number, channels7x7: number) {
    super();
    const c7 = channels7x7;
    this.branch1x1 = C(inChannels, 192, 1);
    this.branch7x7_1 = C(inChannels, c7, 1);
    this.branch7x7_2 = C(c7, c7, [1, 7], { padding: [0, 3] });
    this.branch7x7_3 = C(c7, 192, [7, 1], { padding: [3, 0] });
    this.branch7x7dbl_1 = C(inChannels, c7, 1);
    this.branch7x7dbl_2 = C(c7, c7, [7, 1], { padding: [3, 0] });
    this.branch7x7dbl_3 = C(c7, c7, [1, 7], { padding: [0, 3] });
    this.branch7x7dbl_4 = C(c7, c7, [7, 1], { padding: [3, 0] });
    this.branch7x7dbl_5 = C(c7, 192, [1, 7], { padding: [0, 3] });
    this.branch_pool = C(inChannels, 192, 1);
  }
  override forward(x: Tensor): Tensor {
    const b7 = this.branch7x7_3.forward(this.branch7x7_2.forward(this.branch7x7_1.forward(x)));
    let d = this.branch7x7dbl_1.forward(x);
    for (const m of [this.branch7x7dbl_2, this.branch7x7dbl_3, this.branch7x7dbl_4, this.branch7x7dbl_5]) d = m.forward(d);
    return cat([this.branch1x1.forward(x), b7, d, this.branch_pool.forward(avg3(x))], 1);
  }
}

export class InceptionD extends nn.Module {
  branch3x3_1: BasicConv2d; branch3x3_2: BasicConv2d;
  branch7x7x3_1: BasicConv2d; branch7x7x3_2: BasicConv2d; branch7x7x3_3: BasicConv2d; branch7x7x3_4: BasicConv2d;
  constructor(inChannels: number) {
    super();
    this.branch3x3_1 = C(inChannels, 192, 1);
    this.branch3x3_2 = C(192, 320, 3, { stride: 2 });
    this.branch7x7x3_1 = C(inChannels, 192, 1);
    this.branch7x7x3_2 = C(192, 192, [1, 7], { padding: [0, 3] });
    this.branch7x7x3_3 = C(192, 192, [7, 1], { padding: [3, 0] });
    this.branch7x7x3_4 = C(192, 192, 3, { stride: 2 });
  }
  override forward(x: Tensor): Tensor {
    const b3 = this.branch3x3_2.forward(this.branch3x3_1.forward(x));
    const b7 = this.branch7x7x3_4.forward(this.branch7x7x3_3.forward(this.branch7x7x3_2.forward(this.branch7x7x3_1.forward(x))));
    return cat([b3, b7, max3(x)], 1);
  }
}

export class InceptionE extends nn.Module {
  branch1x1: BasicConv2d; branch3x3_1: BasicConv2d; branch3x3_2a: BasicConv2d; branch3x3_2b: BasicConv2d;
  branch3x3dbl_1: BasicConv2d; branch3x3dbl_2: BasicConv2d; branch3x3dbl_3a: BasicConv2d; branch3x3dbl_3b: BasicConv2d; branch_pool: BasicConv2d;
  constructor(inChannels: number) {
    super();
    this.branch1x1 = C(inChannels, 320, 1);
    this.branch3x3_1 = C(inChannels, 384, 1);
    this.branch3x3_2a = C(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3_2b = C(384, 384, [3, 1], { padding: [1, 0] });
    this.branch3x3dbl_1 = C(inChannels, 448, 1);
    this.branch3x3dbl_2 = C(448, 384, 3, { padding: 1 });
    this.branch3x3dbl_3a = C(384, 384, [1, 3], { padding: [0, 1] });
    this.branch3x3dbl_3b = C(384, 384, [3, 1], { padding: [1, 0] });
    this.branch_pool = C(inChannels, 192, 1);
  }
  override forward(x: Tensor): Tensor {
    const b3 = this.branch3x3_1.forward(x);
    const b3c = cat([this.branch3x3_2a.forward(b3), this.branch3x3_2b.forward(b3)], 1);
    const d = this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x));
    const dc = cat([this.branch3x3dbl_3a.forward(d), this.branch3x3dbl_3b.forward(d)], 1);
    return cat([this.branch1x1.forward(x), b3c, dc, this.branch_pool.forward(avg3(x))], 1);
  }
}

export class InceptionAux extends nn.Module {
  conv0: BasicConv2d; conv1: BasicConv2d; fc: nn.Linear;
  constructor(inChannels: number, numClasses: number) {
    super();
    this.conv0 = C(inChannels, 128, 1);
    this.conv1 = C(128, 768, 5);
    Object.defineProperty(this.conv1, "stddev", { value: 0.01, enumerable: false });   // on the block, as torchvision (unused by its init)
    this.fc = new nn.Linear(768, numClasses);
    Object.defineProperty(this.fc, "stddev", { value: 0.001, enumerable: false });
  }
  override forward(x: Tensor): Tensor {
    x = this.conv1.forward(this.conv0.forward(F.avgPool2d(x, 5, { stride: 3 } as any)));
    return this.fc.forward(F.adaptiveAvgPool2d(x, [1, 1]).flatten(1));
  }
}

export type InceptionOutputs = [Tensor, Tensor | null] & { logits: Tensor; auxLogits: Tensor | null };
export interface Inception3Options { numClasses?: number; auxLogits?: boolean; transformInput?: boolean; initWeights?: boolean | null; dropout?: number }

export class Inception3 extends nn.Module {
  Conv2d_1a_3x3: BasicConv2d; Conv2d_2a_3x3: BasicConv2d; Conv2d_2b_3x3: BasicConv2d; maxpool1: nn.MaxPool2d;
  Conv2d_3b_1x1: BasicConv2d; Conv2d_4a_3x3: BasicConv2d; maxpool2: nn.MaxPool2d;
  Mixed_5b: InceptionA; Mixed_5c: InceptionA; Mixed_5d: InceptionA; Mixed_6a: InceptionB;
  Mixed_6b: InceptionC; Mixed_6c: InceptionC; Mixed_6d: InceptionC; Mixed_6e: InceptionC;
  AuxLogits!: InceptionAux | null;
  Mixed_7a: InceptionD; Mixed_7b: InceptionE; Mixed_7c: InceptionE;
  avgpool: nn.AdaptiveAvgPool2d; dropout: nn.Dropout; fc: nn.Module;
  declare auxLogits: boolean;
  declare transformInput: boolean;
  constructor({ numClasses = 1000, auxLogits = true, transformInput = false, initWeights = null, dropout = 0.5 }: Inception3Options = {}) {
    super();
    for (const [k, v] of Object.entries({ auxLogits, transformInput })) Object.defineProperty(this, k, { value: v, writable: true, enumerable: false });
    this.Conv2d_1a_3x3 = C(3, 32, 3, { stride: 2 });
    this.Conv2d_2a_3x3 = C(32, 32, 3);
    this.Conv2d_2b_3x3 = C(32, 64, 3, { padding: 1 });
    this.maxpool1 = new nn.MaxPool2d(3, 2);
    this.Conv2d_3b_1x1 = C(64, 80, 1);
    this.Conv2d_4a_3x3 = C(80, 192, 3);
    this.maxpool2 = new nn.MaxPool2d(3, 2);
    this.Mixed_5b = new InceptionA(192, 32);
    this.Mixed_5c = new InceptionA(256, 64);
    this.Mixed_5d = new InceptionA(288, 64);
    this.Mixed_6a = new InceptionB(288);
    this.Mixed_6b = new InceptionC(768, 128);
    this.Mixed_6c = new InceptionC(768, 160);
    this.Mixed_6d = new InceptionC(768, 160);
    this.Mixed_6e = new InceptionC(768, 192);
    // AuxLogits is registered here (after Mixed_6e) only when it is a module, as in torchvision
    if (auxLogits) this.AuxLogits = new InceptionAux(768, numClasses);
    else {
      delete (this as any).AuxLogits;
      Object.defineProperty(this, "AuxLogits", { value: null, writable: true, enumerable: false, configurable: true });
    }
    this.Mixed_7a = new InceptionD(768);
    this.Mixed_7b = new InceptionE(1280);
    this.Mixed_7c = new InceptionE(2048);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout(dropout);
    this.fc = new nn.Linear(2048, numClasses);
    if (initWeights ?? true) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) nn.init.truncNormal_((m as any).weight, 0, (m as any).stddev ?? 0.1, -2, 2);
        else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_((m as any).weight, 1);
          nn.init.constant_((m as any).bias, 0);
        }
      }
    }
  }

  /** In training mode with auxLogits: [logits, aux] (InceptionOutputs); otherwise the logits. */
  override forward(x: Tensor): Tensor | InceptionOutputs {
    if (this.transformInput) x = transformInput(x);
    for (const m of [this.Conv2d_1a_3x3, this.Conv2d_2a_3x3, this.Conv2d_2b_3x3, this.maxpool1, this.Conv2d_3b_1x1, this.Conv2d_4a_3x3, this.maxpool2,
      this.Mixed_5b, this.Mixed_5c, this.Mixed_5d, this.Mixed_6a, this.Mixed_6b, this.Mixed_6c, this.Mixed_6d, this.Mixed_6e]) x = m.forward(x);
    const aux = this.AuxLogits !== null && this.training ? this.AuxLogits.forward(x) : null;
    x = this.Mixed_7c.forward(this.Mixed_7b.forward(this.Mixed_7a.forward(x)));
    x = this.fc.forward(this.dropout.forward(this.avgpool.forward(x)).flatten(1));
    if (this.training && this.auxLogits) return Object.assign([x, aux], { logits: x, auxLogits: aux }) as InceptionOutputs;
    return x;
  }
}

export const Inception_V3_Weights = weightsEnum("Inception_V3_Weights");
export function inceptionV3(opts: ModelOptions & Omit<Inception3Options, "numClasses"> = {}): Inception3 {
  const w = verifyWeights(Inception_V3_Weights, opts.weights);
  const { weights: _w, progress = true, numClasses: _n, ...arch } = opts;
  const originalAux = opts.auxLogits ?? true;
  if (w !== null) {
    Object.assign(arch, {
      transformInput: opts.transformInput ?? true, auxLogits: overwriteNamedParam(opts.auxLogits, "aux_logits", true),
      initWeights: overwriteNamedParam(opts.initWeights ?? undefined, "init_weights", false),
    });
  }
  const model = loadWeights(new Inception3({ ...arch, numClasses: numClassesFor(opts, w) }), w, progress);
  if (w !== null && !originalAux) {
    model.auxLogits = false;
    model.AuxLogits = null;
  }
  return model;
}
registerModel("inception_v3", inceptionV3, Inception_V3_Weights);
