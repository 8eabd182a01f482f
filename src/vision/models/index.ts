// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models: `import { models } from "torchts/vision"`. Builder names are torchvision's,
// camelCased at underscores between words (docs/models.md has the full mapping).
export {
  Weights, ImageClassification, getModel, getModelBuilder, getModelWeights, getWeight, listModels, loadStateDictFromUrl, getDir,
  type WeightsEnum, type WeightsMeta, type ModelOptions,
} from "./_api.js";
export { IMAGENET_CATEGORIES } from "./_meta.js";
export * from "./resnet.js";
export { Conv2dNormActivation, SqueezeExcitation, MLP, Permute, StochasticDepth, stochasticDepth } from "./_ops.js";
export * from "./vgg.js";
export * from "./squeezenet.js";
export { MobileNetV2, InvertedResidual, MobileNet_V2_Weights, mobilenetV2, type MobileNetV2Options } from "./mobilenetv2.js";
export {
  MobileNetV3, InvertedResidual as MobileNetV3InvertedResidual, InvertedResidualConfig, mobilenetV3Conf, MobileNet_V3_Large_Weights,
  MobileNet_V3_Small_Weights, mobilenetV3Large, mobilenetV3Small,
} from "./mobilenetv3.js";
export * from "./densenet.js";
export {
  ShuffleNetV2, InvertedResidual as ShuffleNetV2InvertedResidual, channelShuffle, ShuffleNet_V2_X0_5_Weights, ShuffleNet_V2_X1_0_Weights,
  ShuffleNet_V2_X1_5_Weights, ShuffleNet_V2_X2_0_Weights, shufflenetV2X0_5, shufflenetV2X1_0, shufflenetV2X1_5, shufflenetV2X2_0,
} from "./shufflenetv2.js";
export * from "./mnasnet.js";
export * from "./efficientnet.js";
export * from "./convnext.js";
export * from "./vision_transformer.js";
export * from "./googlenet.js";
export {
  Inception3, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux as InceptionV3Aux, Inception_V3_Weights, inceptionV3,
  type InceptionOutputs, type Inception3Options,
} from "./inception.js";
export * from "./regnet.js";
