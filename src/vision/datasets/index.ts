// SPDX-License-Identifier: BSD-3-Clause
export { MNIST, FashionMNIST, KMNIST, type VisionDatasetOptions } from "./mnist.js";
export { parseIdx, readIdx } from "./idx.js";
export { CIFAR10, CIFAR100, type CIFAROptions } from "./cifar.js";
export { DatasetFolder, ImageFolder, FileNotFoundError, IMG_EXTENSIONS, findClasses, makeDataset, hasFileAllowedExtension,
  isImageFile, defaultLoader, type DatasetFolderOptions } from "./folder.js";
export { FakeData, type FakeDataOptions } from "./fakedata.js";
export { VisionDataset } from "./vision.js";
export { unpickle, UnpicklingError } from "./pickle.js";
export { readTar, extractTar, type TarEntry } from "./tar.js";
export * as utils from "./utils.js";
