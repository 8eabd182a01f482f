// SPDX-License-Identifier: BSD-3-Clause
// torch.autograd
export { backward, grad, type BackwardOptions, type GradOptions } from "./engine.js";
export { Function, FunctionCtx } from "./function.js";
export { gradcheck, gradgradcheck, type GradcheckOptions } from "./gradcheck.js";
export { Node, AccumulateGrad } from "./graph.js";
export * as functional from "./functional.js";
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from "./grad-mode.js";
