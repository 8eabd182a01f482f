// SPDX-License-Identifier: BSD-3-Clause
// DataLoader: Dataset -> Sampler -> batches of indices -> collate, in the main thread
// (numWorkers 0) or in worker threads. `for await` always works; `for ... of` with numWorkers 0
// (API.md rule 12). Options, checks and messages as PyTorch 1.13's torch.utils.data.DataLoader.
import { RuntimeError, ValueError } from "../errors.js";
import { Generator } from "../tensor/random.js";
import { empty } from "../ops/creation.js";
import { defaultCollate, defaultConvert } from "./collate.js";
import { Dataset, IterableDataset } from "./dataset.js";
import { type Index, makeFetcher, STOP } from "./fetch.js";
import { BatchSampler, RandomSampler, SequentialSampler } from "./sampler.js";
import { encode } from "./worker-codec.js";
import { getWorkerInfo } from "./worker-info.js";
import { DONE, WorkerPool } from "./worker-pool.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null turns batching off (each sample goes through defaultConvert). */
  batchSize?: number | null;
  shuffle?: boolean;
  sampler?: Iterable<number> & { length?: number };
  batchSampler?: Iterable<number[]> & { length?: number };
  /** Worker threads loading in parallel (0: load in the main thread). */
  numWorkers?: number;
  collateFn?: (samples: T[]) => B;
  /** Accepted for PyTorch compatibility; a no-op (CPU tensors are already host memory). */
  pinMemory?: boolean;
  dropLast?: boolean;
  /** Seconds to wait for a batch from the workers before raising (0: forever). */
  timeout?: number;
  /** Called in each worker with its id, after seeding and before loading. Must be an exported function. */
  workerInitFn?: (workerId: number) => void;
  /** Draws the shuffles and the workers' base seed (default: the global generator). */
  generator?: Generator;
  /** Batches loaded in advance per worker (default 2). */
  prefetchFactor?: number;
  /** Keep the worker threads (and their dataset copies) between epochs. */
  persistentWorkers?: boolean;
  /**
   * torchts only: module URL(s) (`import.meta.url`) exporting the dataset's classes, collateFn or
   * workerInitFn, for the workers to import them (docs/data.md, "Workers").
   */
  workerModule?: string | readonly string[];
}

const describe = (v: unknown) => `<${(v as object)?.constructor?.name ?? typeof v} object>`;

export class DataLoader<T = unknown, B = unknown> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly sampler: (Iterable<number> & { length?: number }) | null;
  readonly batchSampler: (Iterable<number[]> & { length?: number }) | null;
  readonly collateFn: (samples: T[]) => B;
  readonly generator: Generator | undefined;
  readonly pinMemory: boolean;
  readonly timeout: number;
  readonly workerInitFn: ((workerId: number) => void) | undefined;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly workerModules: string[];
  private readonly autoCollation: boolean;
  private pool: WorkerPool | null = null;

  constructor(readonly dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    this.numWorkers = opts.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0)
      throw new ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.");
    this.timeout = opts.timeout ?? 0;
    if (this.timeout < 0) throw new ValueError("timeout option should be non-negative");
    if (this.numWorkers === 0 && opts.prefetchFactor !== undefined && opts.prefetchFactor !== 2)
      throw new ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing.");
    this.prefetchFactor = opts.prefetchFactor ?? 2;
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor <= 0)
      throw new ValueError(`prefetch_factor should be a positive integer, but got prefetch_factor=${this.prefetchFactor}`);
    this.persistentWorkers = opts.persistentWorkers ?? false;
    if (this.persistentWorkers && this.numWorkers === 0) throw new ValueError("persistent_workers option needs num_workers > 0");
    this.pinMemory = opts.pinMemory ?? false;
    this.workerInitFn = opts.workerInitFn;
    this.workerModules = opts.workerModule === undefined ? [] : typeof opts.workerModule === "string" ? [opts.workerModule] : [...opts.workerModule];
    this.generator = opts.generator;

    const isIterable = dataset instanceof IterableDataset;
    let shuffle = opts.shuffle;
    if (isIterable) {
      if (shuffle !== undefined && shuffle !== false)
        throw new ValueError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${shuffle ? "True" : String(shuffle)}`);
      if (opts.sampler !== undefined)
        throw new ValueError(`DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${describe(opts.sampler)}`);
      if (opts.batchSampler !== undefined)
        throw new ValueError(`DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${describe(opts.batchSampler)}`);
    } else {
      shuffle = Boolean(shuffle);
    }
    let batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    let dropLast = opts.dropLast ?? false;
    if (opts.sampler !== undefined && shuffle) throw new ValueError("sampler option is mutually exclusive with shuffle");
    if (opts.batchSampler !== undefined) {
      if (batchSize !== 1 || shuffle || opts.sampler !== undefined || dropLast)
        throw new ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last");
    }
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    if (isIterable) {
      this.sampler = null;
      this.batchSampler = null;
      this.autoCollation = batchSize !== null;
      if (batchSize !== null) new BatchSampler([], batchSize, dropLast);  // PyTorch's checks of batch_size and drop_last
    } else {
      this.sampler = opts.sampler ?? (shuffle ? new RandomSampler(dataset, { generator: opts.generator }) : new SequentialSampler(dataset));
      this.batchSampler = opts.batchSampler ?? (batchSize === null ? null : new BatchSampler(this.sampler, batchSize, dropLast));
      this.autoCollation = this.batchSampler !== null;
    }
    this.collateFn = opts.collateFn ?? ((this.autoCollation ? defaultCollate : defaultConvert) as unknown as (s: T[]) => B);
  }

  /** Number of batches (len(dataloader)); for an IterableDataset, from its `length` if it has one. */
  get length(): number {
    if (this.dataset instanceof IterableDataset) {
      const n = this.dataset.length;
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    const s = (this.batchSampler ?? this.sampler) as { length?: number };
    if (typeof s.length !== "number") throw new TypeError(`object of type '${s.constructor?.name ?? "object"}' has no len()`);
    return s.length;
  }

  /** The index stream of one epoch: batches of indices, single indices, or (IterableDataset) placeholders. */
  private indexIterator(): Iterator<Index> {
    if (this.dataset instanceof IterableDataset) {
      const size = this.batchSize;
      return (function* () { for (;;) yield size === null ? null : new Array<null>(size).fill(null); })();
    }
    return ((this.batchSampler ?? this.sampler) as Iterable<Index>)[Symbol.iterator]();
  }

  /** PyTorch draws the workers' base seed when an iterator starts (even without workers). */
  private drawBaseSeed(): bigint {
    return empty([], { dtype: "int64" }).random_({ generator: this.generator }).item({ bigint: true }) as bigint;
  }

  *[Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0)
      throw new RuntimeError(`DataLoader with numWorkers: ${this.numWorkers} loads in worker threads and is asynchronous: ` +
        "iterate it with `for await (const batch of loader)` (plain `for ... of` works only with numWorkers: 0)");
    const indices = this.indexIterator();
    this.drawBaseSeed();
    const fetch = makeFetcher(this.dataset, this.autoCollation, this.collateFn as never, this.dropLast);
    for (let r = indices.next(); !r.done; r = indices.next()) {
      const out = fetch(r.value);
      if (out === STOP) return;
      yield out.batch as B;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<B> {
    if (this.numWorkers === 0) {
      for (const b of this as Iterable<B>) yield b;
      return;
    }
    if (getWorkerInfo() !== null)
      throw new RuntimeError("DataLoader workers cannot start DataLoader workers (in PyTorch: daemonic processes are not allowed to have " +
        "children). If this happened while a worker imported your script to rebuild the dataset, guard the script's main part with " +
        "`if (getWorkerInfo() === null) { ... }` (the form of `if __name__ == \"__main__\":`), or move the dataset into its own module.");
    let pool = this.persistentWorkers && this.pool?.alive ? this.pool : null;
    const firstIter = pool === null;
    if (pool === null) {
      const baseSeed = this.drawBaseSeed();
      const { encoded } = await encode([this.dataset, this.collateFn, this.workerInitFn ?? null], {
        mode: "share", what: "the dataset", path: "dataset", workerModules: this.workerModules,
      }).catch((e: Error) => { throw fixPath(e); });
      pool = new WorkerPool({
        numWorkers: this.numWorkers, prefetchFactor: this.prefetchFactor, timeout: this.timeout,
        persistent: this.persistentWorkers, payload: encoded, baseSeed, autoCollation: this.autoCollation,
        dropLast: this.dropLast, workerModules: this.workerModules,
      });
      if (this.persistentWorkers) this.pool = pool;
    }
    try {
      await pool.reset(this.indexIterator(), firstIter);
      for (;;) {
        const b = await pool.next();
        if (b === DONE) return;
        yield b as B;
      }
    } finally {
      if (!this.persistentWorkers) await pool.shutdown();
    }
  }

  /** Stops persistent workers now (they also stop, without this, when the process exits). */
  async shutdownWorkers(): Promise<void> {
    await this.pool?.shutdown();
    this.pool = null;
  }
}

/** The encoded list is [dataset, collateFn, workerInitFn]: name them as the user knows them. */
function fixPath(e: Error): Error {
  e.message = e.message.replace(/dataset\[1\]/g, "collateFn").replace(/dataset\[2\]/g, "workerInitFn").replace(/dataset\[0\]/g, "dataset");
  return e;
}
