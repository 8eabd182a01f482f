// SPDX-License-Identifier: BSD-3-Clause
// torch.utils.data
export { Dataset, IterableDataset, TensorDataset, ConcatDataset, Subset, ChainDataset, randomSplit } from "./dataset.js";
export {
  type Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler, DistributedSampler,
} from "./sampler.js";
export { defaultCollate, defaultConvert } from "./collate.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export { getWorkerInfo, WorkerInfo } from "./worker-info.js";
export { workerSpec, type WorkerSpec } from "./worker-codec.js";
