// SPDX-License-Identifier: BSD-3-Clause
// torchts/vision: `import * as torchvision from "torchts/vision"`.
export * as datasets from "./datasets/index.js";
export * as transforms from "./transforms/index.js";
export * as io from "./io.js";
export * as utils from "./utils.js";
export { Image, type ImageMode } from "./image.js";
export * as models from "./models/index.js";
