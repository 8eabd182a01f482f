// SPDX-License-Identifier: BSD-3-Clause
// torch.nn.utils: nn.utils.clipGradNorm_, nn.utils.rnn.packPaddedSequence, ...
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from "./clip-grad.js";
export { parametersToVector, vectorToParameters } from "./convert-parameters.js";
export * as rnn from "./rnn.js";
