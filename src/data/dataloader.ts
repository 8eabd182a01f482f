// SPDX-License-Identifier: BSD-3-Clause
// DataLoader: Dataset -> Sampler -> batches of indices -> collate. `for await` always works;
// `for ... of` with numWorkers 0 (API.md rule 12).
import { RuntimeError, ValueError } from "../errors.js";
import { Generator } from "../tensor/random.js";
import { empty } from "../ops/creation.js";
import { defaultCollate } from "./collate.js";
import { Dataset, IterableDataset } from "./dataset.js";
import { BatchSampler, RandomSampler, type Sampler, SequentialSampler } from "./sampler.js";

export interface DataLoaderOptions<T, B> {
  batchSize?: number | null;
  shuffle?: boolean;
  sampler?: Iterable<number> & { length?: number };
  batchSampler?: Iterable<number[]> & { length?: number };
  numWorkers?: number;
  collateFn?: (samples: T[]) => B;
  pinMemory?: boolean;
  dropLast?: boolean;
  timeout?: number;
  workerInitFn?: (workerId: number) => void;
  generator?: Generator;
  prefetchFactor?: number;
  persistentWorkers?: boolean;
}

export class DataLoader<T = unknown, B = unknown> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly sampler: (Iterable<number> & { length?: number }) | null;
  readonly batchSampler: (Iterable<number[]> & { length?: number }) | null;
  readonly collateFn: (samples: T[]) => B;
  readonly generator: Generator | undefined;

  constructor(readonly dataset: Dataset<T> | IterableDataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    this.numWorkers = opts.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0)
      throw new ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.");
    if (this.numWorkers > 0)
      throw new RuntimeError("numWorkers > 0 (worker_threads loading) is not implemented yet (issue \"data and vision\"); use numWorkers: 0");
    if ((opts.timeout ?? 0) < 0) throw new ValueError("timeout option should be non-negative");
    this.batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator;
    const isIterable = dataset instanceof IterableDataset;
    if (opts.sampler && opts.shuffle) throw new ValueError("sampler option is mutually exclusive with shuffle");
    if (opts.batchSampler) {
      if (opts.batchSize !== undefined && opts.batchSize !== 1 || opts.shuffle || opts.sampler || opts.dropLast)
        throw new ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
      this.batchSize = null;
    }
    if (isIterable) {
      if (opts.shuffle) throw new ValueError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${opts.shuffle}`);
      this.sampler = null;
      this.batchSampler = null;
    } else {
      const ds = dataset as Dataset<T>;
      this.sampler = opts.sampler ?? (opts.shuffle ? new RandomSampler(ds, { generator: opts.generator }) : new SequentialSampler(ds));
      this.batchSampler = opts.batchSampler ??
        (this.batchSize === null ? null : new BatchSampler(this.sampler, this.batchSize, this.dropLast));
    }
    this.collateFn = opts.collateFn ?? (this.batchSize === null && !opts.batchSampler
      ? ((s: T[]) => s as unknown as B) : (defaultCollate as unknown as (s: T[]) => B));
  }

  /** Number of batches. */
  get length(): number {
    if (this.batchSampler) return (this.batchSampler as { length: number }).length;
    if (this.sampler) return (this.sampler as { length: number }).length;
    throw new TypeError("object of type 'IterableDataset' has no len()");
  }

  *[Symbol.iterator](): Iterator<B> {
    // PyTorch draws the base seed (for worker seeding) when an iterator starts, before the sampler
    void empty([], { dtype: "int64" }).random_({ generator: this.generator });
    if (this.dataset instanceof IterableDataset) {
      let batch: T[] = [];
      for (const sample of this.dataset) {
        if (this.batchSize === null) { yield this.collateFn([sample]); continue; }
        batch.push(sample);
        if (batch.length === this.batchSize) { yield this.collateFn(batch); batch = []; }
      }
      if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
      return;
    }
    const ds = this.dataset;
    if (this.batchSampler) {
      for (const indices of this.batchSampler) yield this.collateFn(indices.map((i) => ds.getItem(i)));
    } else {
      for (const i of this.sampler as Sampler) yield this.collateFn([ds.getItem(i)]);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<B> {
    for (const batch of this) yield batch;
  }
}
