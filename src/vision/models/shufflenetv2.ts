// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.shufflenetv2: ShuffleNetV2 x0.5 / x1.0 / x1.5 / x2.0.
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";

export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  return x.view(b, groups, Math.floor(c / groups), h, w).transpose(1, 2).contiguous().view(b, -1, h, w);
}

function depthwiseConv(i: number, o: number, kernelSize: number, stride = 1, padding = 0, bias = false): nn.Conv2d {
  return new nn.Conv2d(i, o, kernelSize, { stride, padding, bias, groups: i });
}

export class InvertedResidual extends nn.Module {
  branch1: nn.Sequential;
  branch2: nn.Sequential;
  declare readonly stride: number;
  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new ValueError("illegal stride value");
    Object.defineProperty(this, "stride", { value: stride, enumerable: false });
    const bf = Math.floor(oup / 2);
    if (stride === 1 && inp !== bf << 1)
      throw new ValueError(`Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`);
    this.branch1 = stride > 1
      ? new nn.Sequential(depthwiseConv(inp, inp, 3, stride, 1), new nn.BatchNorm2d(inp),
        new nn.Conv2d(inp, bf, 1, { stride: 1, padding: 0, bias: false }), new nn.BatchNorm2d(bf), new nn.ReLU(true))
      : new nn.Sequential();
    this.branch2 = new nn.Sequential(
      new nn.Conv2d(stride > 1 ? inp : bf, bf, 1, { stride: 1, padding: 0, bias: false }), new nn.BatchNorm2d(bf), new nn.ReLU(true),
      depthwiseConv(bf, bf, 3, stride, 1), new nn.BatchNorm2d(bf),
      new nn.Conv2d(bf, bf, 1, { stride: 1, padding: 0, bias: false }), new nn.BatchNorm2d(bf), new nn.ReLU(true));
  }
  override forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, 1) as Tensor[];
      out = cat([x1!, this.branch2.forward(x2!)], 1);
    } else out = cat([this.branch1.forward(x), this.branch2.forward(x)], 1);
    return channelShuffle(out, 2);
  }
}

export class ShuffleNetV2 extends nn.Module {
  conv1: nn.Sequential;
  maxpool: nn.MaxPool2d;
  stage2!: nn.Sequential;
  stage3!: nn.Sequential;
  stage4!: nn.Sequential;
  conv5: nn.Sequential;
  fc: nn.Module;
  constructor(stagesRepeats: number[], stagesOutChannels: number[], { numClasses = 1000, invertedResidual = (i: number, o: number, s: number): nn.Module => new InvertedResidual(i, o, s) }:
    { numClasses?: number; invertedResidual?: (i: number, o: number, s: number) => nn.Module } = {}) {
    super();
    if (stagesRepeats.length !== 3) throw new ValueError("expected stages_repeats as list of 3 positive ints");
    if (stagesOutChannels.length !== 5) throw new ValueError("expected stages_out_channels as list of 5 positive ints");
    let inputChannels = 3;
    let outputChannels = stagesOutChannels[0]!;
    this.conv1 = new nn.Sequential(new nn.Conv2d(inputChannels, outputChannels, 3, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2d(outputChannels), new nn.ReLU(true));
    inputChannels = outputChannels;
    this.maxpool = new nn.MaxPool2d(3, 2, { padding: 1 });
    (["stage2", "stage3", "stage4"] as const).forEach((name, k) => {
      const oc = stagesOutChannels[k + 1]!;
      const seq = [invertedResidual(inputChannels, oc, 2)];
      for (let i = 0; i < stagesRepeats[k]! - 1; i++) seq.push(invertedResidual(oc, oc, 1));
      this[name] = new nn.Sequential(...seq);
      inputChannels = oc;
    });
    outputChannels = stagesOutChannels[4]!;
    this.conv5 = new nn.Sequential(new nn.Conv2d(inputChannels, outputChannels, 1, { stride: 1, padding: 0, bias: false }), new nn.BatchNorm2d(outputChannels), new nn.ReLU(true));
    this.fc = new nn.Linear(outputChannels, numClasses);
  }
  override forward(x: Tensor): Tensor {
    x = this.maxpool.forward(this.conv1.forward(x));
    x = this.conv5.forward(this.stage4.forward(this.stage3.forward(this.stage2.forward(x))));
    return this.fc.forward(x.mean([2, 3]));
  }
}

export const ShuffleNet_V2_X0_5_Weights = weightsEnum("ShuffleNet_V2_X0_5_Weights");
export const ShuffleNet_V2_X1_0_Weights = weightsEnum("ShuffleNet_V2_X1_0_Weights");
export const ShuffleNet_V2_X1_5_Weights = weightsEnum("ShuffleNet_V2_X1_5_Weights");
export const ShuffleNet_V2_X2_0_Weights = weightsEnum("ShuffleNet_V2_X2_0_Weights");
function make(channels: number[], e: WeightsEnum) {
  return (opts: ModelOptions = {}): ShuffleNetV2 => {
    const w = verifyWeights(e, opts.weights);
    return loadWeights(new ShuffleNetV2([4, 8, 4], channels, { numClasses: numClassesFor(opts, w) }), w, opts.progress);
  };
}
export const shufflenetV2X0_5 = make([24, 48, 96, 192, 1024], ShuffleNet_V2_X0_5_Weights);
export const shufflenetV2X1_0 = make([24, 116, 232, 464, 1024], ShuffleNet_V2_X1_0_Weights);
export const shufflenetV2X1_5 = make([24, 176, 352, 704, 1024], ShuffleNet_V2_X1_5_Weights);
export const shufflenetV2X2_0 = make([24, 244, 488, 976, 2048], ShuffleNet_V2_X2_0_Weights);
registerModel("shufflenet_v2_x0_5", shufflenetV2X0_5, ShuffleNet_V2_X0_5_Weights);
registerModel("shufflenet_v2_x1_0", shufflenetV2X1_0, ShuffleNet_V2_X1_0_Weights);
registerModel("shufflenet_v2_x1_5", shufflenetV2X1_5, ShuffleNet_V2_X1_5_Weights);
registerModel("shufflenet_v2_x2_0", shufflenetV2X2_0, ShuffleNet_V2_X2_0_Weights);
