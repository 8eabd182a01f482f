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
export { MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, MaxUnpool1d, MaxUnpool2d, LPPool1d, LPPool2d } from "./modules/pooling.js";
export {
  ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d,
} from "./modules/padding.js";
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle } from "./modules/upsampling.js";
export * as functional from "./functional/index.js";
export * as init from "./init.js";
export { AssertionError, type BackwardHook, type BackwardPreHook, type StateDictMetadata, type NamedOptions } from "./module.js";
export { ParameterList, ParameterDict } from "./modules/container.js";
export { BatchNorm3d } from "./modules/batchnorm.js";
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from "./modules/instancenorm.js";
export { GroupNorm, LocalResponseNorm } from "./modules/normalization-group.js";
export {
  Threshold, Hardtanh, ReLU6, PReLU, RReLU, ELU, SELU, CELU, Mish, Hardswish, Hardsigmoid, Tanhshrink, Softsign, LogSigmoid,
  Hardshrink, Softshrink, Softplus, GLU, Softmin, Softmax2d,
} from "./modules/activation.js";
export {
  HuberLoss, SmoothL1Loss, KLDivLoss, PoissonNLLLoss, GaussianNLLLoss, MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss,
  MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss, CosineEmbeddingLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, CTCLoss,
} from "./modules/loss.js";
export { PairwiseDistance, CosineSimilarity, ChannelShuffle } from "./modules/distance.js";
export { Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout } from "./modules/dropout.js";
export { Bilinear, LazyLinear } from "./modules/linear.js";
export { Embedding, EmbeddingBag } from "./modules/sparse.js";
export { LayerNorm, RMSNorm } from "./modules/normalization.js";
export { RNNBase, RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } from "./modules/rnn.js";
export {
  MultiheadAttention, NonDynamicallyQuantizableLinear, TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer,
  TransformerDecoder, Transformer,
} from "./modules/transformer.js";
export * as utils from "./utils/index.js";
