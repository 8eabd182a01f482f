// SPDX-License-Identifier: BSD-3-Clause
export { MNIST, FashionMNIST, KMNIST, type VisionDatasetOptions } from "./mnist.js";
export { parseIdx, readIdx } from "./idx.js";
