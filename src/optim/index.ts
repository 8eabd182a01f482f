// SPDX-License-Identifier: BSD-3-Clause
// torch.optim: optimizers, their update functions, and torch.optim.lrScheduler.
export {
  Optimizer, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type OptimizerStateDict,
} from "./optimizer.js";
export { SGD, sgdUpdate, type SGDOptions } from "./sgd.js";
export { Adam, adamUpdate, type AdamOptions } from "./adam.js";
export { AdamW, adamwUpdate, type AdamWOptions } from "./adamw.js";
export { RMSprop, rmspropUpdate, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, adagradUpdate, type AdagradOptions } from "./adagrad.js";
export * as lrScheduler from "./lr-scheduler.js";
export { Adamax, adamaxUpdate, type AdamaxOptions } from "./adamax.js";
export { NAdam, nadamUpdate, type NAdamOptions } from "./nadam.js";
export { RAdam, radamUpdate, type RAdamOptions } from "./radam.js";
export { Adadelta, adadeltaUpdate, type AdadeltaOptions } from "./adadelta.js";
export { Rprop, rpropUpdate, type RpropOptions } from "./rprop.js";
export { ASGD, asgdUpdate, type ASGDOptions } from "./asgd.js";
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
export { SparseAdam, type SparseAdamOptions } from "./sparse-adam.js";
