// SPDX-License-Identifier: BSD-3-Clause
// torch.nn: `export * as nn from "./nn/index.js"` in src/index.ts gives nn.Module, nn.Linear,
// nn.functional (F) and nn.init.
export { Module, KeyError, AttributeError, type RemovableHandle, type ForwardHook, type ForwardPreHook, type StateDict, type LoadResult } from "./module.js";
export { Parameter } from "./parameter.js";
export { Linear, Identity } from "./modules/linear.js";
export { Conv2d } from "./modules/conv.js";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from "./modules/pooling.js";
export { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Softmax, LogSoftmax } from "./modules/activation.js";
export { Sequential, ModuleList, ModuleDict } from "./modules/container.js";
export { Flatten, Unflatten, Dropout } from "./modules/misc.js";
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss } from "./modules/loss.js";
export { BatchNorm1d, BatchNorm2d } from "./modules/batchnorm.js";
export { Conv1d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, Unfold, Fold } from "./modules/conv.js";
export { MaxPool1d, AvgPool1d, MaxPool3d, AvgPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, MaxUnpool1d, MaxUnpool2d, LPPool1d, LPPool2d } from "./modules/pooling.js";
export {
  ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d,
} from "./modules/padding.js";
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle, ChannelShuffle } from "./modules/upsampling.js";
export * as functional from "./functional/index.js";
export * as init from "./init.js";
