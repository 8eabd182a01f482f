// SPDX-License-Identifier: BSD-3-Clause
// torch.utils.data
export { Dataset, IterableDataset, TensorDataset, ConcatDataset, Subset, ChainDataset, randomSplit } from "./dataset.js";
export { type Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from "./sampler.js";
export { defaultCollate } from "./collate.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
