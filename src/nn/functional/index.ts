// SPDX-License-Identifier: BSD-3-Clause
// torch.nn.functional
export { conv2d, type Conv2dOptions, type Conv2dPadding } from "./conv.js";
export { maxPool2d, maxPool2dWithIndicesFn as maxPool2dWithIndices, avgPool2d, adaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from "./pooling.js";
export { linear, relu, leakyRelu, sigmoid, tanh, gelu, silu, softmax, logSoftmax, dropout } from "./activation.js";
export {
  nllLoss, crossEntropy, mseLoss, l1Loss, binaryCrossEntropy, binaryCrossEntropyWithLogits, type Reduction, type NllOptions,
  type CrossEntropyOptions,
} from "./loss.js";
export { batchNorm, type BatchNormOptions } from "./normalization.js";
import type { Tensor } from "../../tensor/tensor.js";
/** F.flatten is torch.flatten. */
export const flatten = (input: Tensor, startDim = 0, endDim = -1): Tensor => input.flatten(startDim, endDim);
export { instanceNorm, groupNorm, localResponseNorm, type InstanceNormOptions, type GroupNormOptions, type LocalResponseNormOptions } from "./normalization.js";
