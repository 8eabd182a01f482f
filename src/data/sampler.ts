// SPDX-License-Identifier: BSD-3-Clause
// Samplers: which indices, in which order. Random ones draw from torch's generator as PyTorch.
import { RuntimeError, ValueError } from "../errors.js";
import { Generator } from "../tensor/random.js";
import { empty, multinomial, randint, randperm, tensor } from "../ops/creation.js";
import { Tensor } from "../tensor/tensor.js";

export interface Sampler extends Iterable<number> { readonly length: number }

export class SequentialSampler implements Sampler {
  constructor(private readonly source: { length: number }) {}
  get length(): number { return this.source.length; }
  *[Symbol.iterator](): Iterator<number> { for (let i = 0; i < this.source.length; i++) yield i; }
}

/**
 * Without a generator, PyTorch's RandomSampler seeds a fresh one each epoch from the default
 * generator (`int(torch.empty((), dtype=torch.int64).random_().item())`); doing the same keeps
 * shuffles identical to PyTorch's after torch.manualSeed.
 */
export function epochGenerator(generator?: Generator): Generator {
  if (generator) return generator;
  const seed = empty([], { dtype: "int64" }).random_().item({ bigint: true }) as bigint;
  return new Generator().manualSeed(seed);
}

export class RandomSampler implements Sampler {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  constructor(readonly dataSource: { length: number },
    private readonly opts: { replacement?: boolean; numSamples?: number; generator?: Generator } = {}) {
    this.replacement = opts.replacement ?? false;
    this.generator = opts.generator;
    if (typeof this.replacement !== "boolean")
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    if (!Number.isInteger(this.numSamples) || this.numSamples <= 0)
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${this.numSamples}`);
  }
  get numSamples(): number { return this.opts.numSamples ?? this.dataSource.length; }
  get length(): number { return this.numSamples; }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length, gen = epochGenerator(this.generator), m = this.numSamples;
    // PyTorch's exact draws: whole chunks, then the remainder (a final draw even when it is empty)
    if (this.replacement) {
      for (let k = 0; k < Math.floor(m / 32); k++) yield* randint(0, n, [32], { generator: gen }).tolist() as number[];
      yield* randint(0, n, [m % 32], { generator: gen }).tolist() as number[];
      return;
    }
    for (let k = 0; k < Math.floor(m / n); k++) yield* randperm(n, { generator: gen }).tolist() as number[];
    yield* (randperm(n, { generator: gen }).tolist() as number[]).slice(0, m % n);
  }
}

export class SubsetRandomSampler implements Sampler {
  constructor(readonly indices: readonly number[], private readonly opts: { generator?: Generator } = {}) {}
  get length(): number { return this.indices.length; }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, { generator: this.opts.generator }).tolist() as number[]) yield this.indices[i]!;
  }
}

export class WeightedRandomSampler implements Sampler {
  readonly weights: Tensor;
  readonly replacement: boolean;
  constructor(weights: readonly number[] | Tensor, readonly numSamples: number,
    private readonly opts: { replacement?: boolean; generator?: Generator } = {}) {
    if (!Number.isInteger(numSamples) || numSamples <= 0)
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    this.replacement = opts.replacement ?? true;
    if (typeof this.replacement !== "boolean")
      throw new ValueError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    this.weights = weights instanceof Tensor ? weights.double() : tensor([...weights] as number[], { dtype: "float64" });
    if (this.weights.ndim !== 1)
      throw new ValueError(`weights should be a 1d sequence but given weights have shape (${this.weights.shape.join(", ")}${this.weights.ndim === 1 ? "," : ""})`);
  }
  get length(): number { return this.numSamples; }
  *[Symbol.iterator](): Iterator<number> {
    yield* multinomial(this.weights, this.numSamples, { replacement: this.replacement, generator: this.opts.generator }).tolist() as number[];
  }
}

/**
 * DistributedSampler: this rank's share of the indices (every numReplicas-th from `rank`), the
 * list padded by wrapping around (or cut with dropLast) to a multiple of numReplicas. With
 * shuffle, the permutation comes from a fresh generator seeded with seed + epoch: call
 * `setEpoch(epoch)` before each epoch. Without torch.distributed, numReplicas and rank are required.
 */
export class DistributedSampler implements Sampler {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly numSamples: number;
  readonly totalSize: number;
  epoch = 0;
  constructor(readonly dataset: { length: number },
    opts: { numReplicas?: number; rank?: number; shuffle?: boolean; seed?: number; dropLast?: boolean } = {}) {
    if (opts.numReplicas === undefined || opts.rank === undefined)
      throw new RuntimeError("Requires distributed package to be available");
    this.numReplicas = opts.numReplicas;
    this.rank = opts.rank;
    if (this.rank >= this.numReplicas || this.rank < 0)
      throw new ValueError(`Invalid rank ${this.rank}, rank should be in the interval [0, ${this.numReplicas - 1}]`);
    this.dropLast = opts.dropLast ?? false;
    this.shuffle = opts.shuffle ?? true;
    this.seed = opts.seed ?? 0;
    const n = dataset.length;
    this.numSamples = this.dropLast && n % this.numReplicas !== 0
      ? Math.ceil((n - this.numReplicas) / this.numReplicas) : Math.ceil(n / this.numReplicas);
    this.totalSize = this.numSamples * this.numReplicas;
  }
  get length(): number { return this.numSamples; }
  /** Sets the epoch: with shuffle, each epoch gets another order (the same on every replica). */
  setEpoch(epoch: number): void { this.epoch = epoch; }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataset.length;
    let indices = this.shuffle
      ? randperm(n, { generator: new Generator().manualSeed(this.seed + this.epoch) }).tolist() as number[]
      : Array.from({ length: n }, (_, i) => i);
    if (!this.dropLast) {
      const pad = this.totalSize - indices.length;
      const reps = pad <= indices.length ? indices.slice(0, pad)
        : Array.from({ length: Math.ceil(pad / indices.length) }, () => indices).flat().slice(0, pad);
      indices = indices.concat(reps);
    } else {
      indices = indices.slice(0, this.totalSize);
    }
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) yield indices[i]!;
  }
}

/** Groups another sampler's indices into batches. */
export class BatchSampler implements Iterable<number[]> {
  constructor(readonly sampler: Iterable<number> & { length?: number }, readonly batchSize: number, readonly dropLast: boolean) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    if (typeof dropLast !== "boolean")
      throw new ValueError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
  }
  get length(): number {
    const n = (this.sampler as { length: number }).length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) { yield batch; batch = []; }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
