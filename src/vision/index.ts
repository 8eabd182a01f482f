// SPDX-License-Identifier: BSD-3-Clause
// torchts/vision: `import * as torchvision from "torchts/vision"`.
export * as datasets from "./datasets/index.js";
export * as transforms from "./transforms/index.js";
