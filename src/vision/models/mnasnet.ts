// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.mnasnet: MNASNet (B1) with depth multipliers 0.5 / 0.75 / 1.0 / 1.3.
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const BN_MOMENTUM = 1 - 0.9997;

export class _InvertedResidual extends nn.Module {
  layers: nn.Sequential;
  declare readonly applyResidual: boolean;
  constructor(inCh: number, outCh: number, kernelSize: number, stride: number, expansionFactor: number, bnMomentum = 0.1) {
    super();
    if (stride !== 1 && stride !== 2) throw new ValueError(`stride should be 1 or 2 instead of ${stride}`);
    if (kernelSize !== 3 && kernelSize !== 5) throw new ValueError(`kernel_size should be 3 or 5 instead of ${kernelSize}`);
    const mid = inCh * expansionFactor;
    Object.defineProperty(this, "applyResidual", { value: inCh === outCh && stride === 1, enumerable: false });
    this.layers = new nn.Sequential(
      new nn.Conv2d(inCh, mid, 1, { bias: false }), new nn.BatchNorm2d(mid, { momentum: bnMomentum }), new nn.ReLU(true),
      new nn.Conv2d(mid, mid, kernelSize, { padding: Math.floor(kernelSize / 2), stride, groups: mid, bias: false }),
      new nn.BatchNorm2d(mid, { momentum: bnMomentum }), new nn.ReLU(true),
      new nn.Conv2d(mid, outCh, 1, { bias: false }), new nn.BatchNorm2d(outCh, { momentum: bnMomentum }));
  }
  override forward(input: Tensor): Tensor { return this.applyResidual ? this.layers.forward(input).add(input) : this.layers.forward(input); }
}

function stack(inCh: number, outCh: number, k: number, stride: number, exp: number, repeats: number, mom: number): nn.Sequential {
  if (repeats < 1) throw new ValueError(`repeats should be >= 1, instead got ${repeats}`);
  const mods = [new _InvertedResidual(inCh, outCh, k, stride, exp, mom)];
  for (let i = 1; i < repeats; i++) mods.push(new _InvertedResidual(outCh, outCh, k, 1, exp, mom));
  return new nn.Sequential(...mods);
}

function roundToMultipleOf(val: number, divisor: number, roundUpBias = 0.9): number {
  const nv = Math.max(divisor, Math.floor(Math.trunc(val + divisor / 2) / divisor) * divisor);
  return nv >= roundUpBias * val ? nv : nv + divisor;
}
const getDepths = (alpha: number) => [32, 16, 24, 40, 80, 96, 192, 320].map((d) => roundToMultipleOf(d * alpha, 8));

export class MNASNet extends nn.Module {
  layers: nn.Sequential;
  classifier: nn.Sequential;
  constructor(readonly alpha: number, { numClasses = 1000, dropout = 0.2 }: { numClasses?: number; dropout?: number } = {}) {
    super();
    if (alpha <= 0) throw new ValueError(`alpha should be greater than 0.0 instead of ${alpha}`);
    const d = getDepths(alpha);
    const m = BN_MOMENTUM;
    this.layers = new nn.Sequential(
      new nn.Conv2d(3, d[0]!, 3, { padding: 1, stride: 2, bias: false }), new nn.BatchNorm2d(d[0]!, { momentum: m }), new nn.ReLU(true),
      new nn.Conv2d(d[0]!, d[0]!, 3, { padding: 1, stride: 1, groups: d[0]!, bias: false }), new nn.BatchNorm2d(d[0]!, { momentum: m }), new nn.ReLU(true),
      new nn.Conv2d(d[0]!, d[1]!, 1, { padding: 0, stride: 1, bias: false }), new nn.BatchNorm2d(d[1]!, { momentum: m }),
      stack(d[1]!, d[2]!, 3, 2, 3, 3, m), stack(d[2]!, d[3]!, 5, 2, 3, 3, m), stack(d[3]!, d[4]!, 5, 2, 6, 3, m),
      stack(d[4]!, d[5]!, 3, 1, 6, 2, m), stack(d[5]!, d[6]!, 5, 2, 6, 4, m), stack(d[6]!, d[7]!, 3, 1, 6, 1, m),
      new nn.Conv2d(d[7]!, 1280, 1, { padding: 0, stride: 1, bias: false }), new nn.BatchNorm2d(1280, { momentum: m }), new nn.ReLU(true));
    this.classifier = new nn.Sequential(new nn.Dropout(dropout, true), new nn.Linear(1280, numClasses));
    for (const mod of this.modules()) {
      if (mod instanceof nn.Conv2d) {
        nn.init.kaimingNormal_(mod.weight, { mode: "fan_out", nonlinearity: "relu" });
        if (mod.bias !== null) nn.init.zeros_(mod.bias);
      } else if (mod instanceof nn.BatchNorm2d) {
        nn.init.ones_((mod as any).weight);
        nn.init.zeros_((mod as any).bias);
      } else if (mod instanceof nn.Linear) {
        nn.init.kaimingUniform_(mod.weight, { mode: "fan_out", nonlinearity: "sigmoid" });
        nn.init.zeros_(mod.bias!);
      }
    }
  }
  override forward(x: Tensor): Tensor { return this.classifier.forward(this.layers.forward(x).mean([2, 3])); }
}

export const MNASNet0_5_Weights = weightsEnum("MNASNet0_5_Weights");
export const MNASNet0_75_Weights = weightsEnum("MNASNet0_75_Weights");
export const MNASNet1_0_Weights = weightsEnum("MNASNet1_0_Weights");
export const MNASNet1_3_Weights = weightsEnum("MNASNet1_3_Weights");
function make(alpha: number, e: WeightsEnum) {
  return (opts: ModelOptions & { dropout?: number } = {}): MNASNet => {
    const w = verifyWeights(e, opts.weights);
    return loadWeights(new MNASNet(alpha, { numClasses: numClassesFor(opts, w), dropout: opts.dropout }), w, opts.progress);
  };
}
export const mnasnet0_5 = make(0.5, MNASNet0_5_Weights);
export const mnasnet0_75 = make(0.75, MNASNet0_75_Weights);
export const mnasnet1_0 = make(1.0, MNASNet1_0_Weights);
export const mnasnet1_3 = make(1.3, MNASNet1_3_Weights);
registerModel("mnasnet0_5", mnasnet0_5, MNASNet0_5_Weights);
registerModel("mnasnet0_75", mnasnet0_75, MNASNet0_75_Weights);
registerModel("mnasnet1_0", mnasnet1_0, MNASNet1_0_Weights);
registerModel("mnasnet1_3", mnasnet1_3, MNASNet1_3_Weights);
