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
export { conv1d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, unfold, fold, type ConvOptions, type ConvTransposeOptions, type UnfoldOptions } from "./conv.js";
export { maxPool1d, avgPool1d, adaptiveAvgPool1d, adaptiveAvgPool3d, adaptiveMaxPool1d, adaptiveMaxPool2d, maxUnpool1d, maxUnpool2d, lpPool1d, lpPool2d } from "./pooling.js";
export { pad, type PadMode } from "./padding.js";
export { interpolate, upsample, upsampleNearest, upsampleBilinear, pixelShuffle, pixelUnshuffle, type InterpolateMode, type InterpolateOptions } from "./resample.js";
export { gridSample, affineGrid, type GridSampleOptions } from "./vision.js";
import type { Tensor } from "../../tensor/tensor.js";
/** F.flatten is torch.flatten. */
export const flatten = (input: Tensor, startDim = 0, endDim = -1): Tensor => input.flatten(startDim, endDim);
export { instanceNorm, groupNorm, localResponseNorm, type InstanceNormOptions, type GroupNormOptions, type LocalResponseNormOptions } from "./normalization.js";
export {
  threshold, hardtanh, relu6, prelu, rrelu, elu, selu, celu, softplus, mish, hardswish, hardsigmoid, hardshrink, softshrink,
  tanhshrink, softsign, logsigmoid, glu, softmin, softmax2d, AssertionError, SELU_ALPHA, SELU_SCALE,
} from "./activation.js";
export { dropout1d, dropout2d, dropout3d, alphaDropout, featureAlphaDropout } from "./dropout.js";
export {
  huberLoss, smoothL1Loss, klDiv, poissonNllLoss, gaussianNllLoss, marginRankingLoss, hingeEmbeddingLoss, softMarginLoss,
  multilabelSoftMarginLoss, multilabelMarginLoss, multiMarginLoss, cosineEmbeddingLoss, tripletMarginLoss,
  tripletMarginWithDistanceLoss, ctcLoss, type KlReduction, type DistanceFunction, type CtcOptions,
} from "./loss.js";
export { pairwiseDistance, cosineSimilarity, normalize, channelShuffle } from "./distance.js";
export { bilinear } from "./activation.js";
export {
  embedding, embeddingBag, oneHot, paddingIndex, embeddingRenorm_, NotImplementedError, type EmbeddingOptions, type EmbeddingBagOptions, type BagMode,
} from "./embedding.js";
export { layerNorm, rmsNorm } from "./layer-norm.js";
export { scaledDotProductAttention, multiHeadAttentionForward, type SdpaOptions } from "./attention.js";
