// SPDX-License-Identifier: BSD-3-Clause
// Samplers: which indices, in which order. Random ones draw from torch's generator as PyTorch.
import { ValueError } from "../errors.js";
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
  constructor(private readonly source: { length: number },
    private readonly opts: { replacement?: boolean; numSamples?: number; generator?: Generator } = {}) {
    if (opts.numSamples !== undefined && (!Number.isInteger(opts.numSamples) || opts.numSamples <= 0))
      throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${opts.numSamples}`);
  }
  get length(): number { return this.opts.numSamples ?? this.source.length; }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.source.length, gen = epochGenerator(this.opts.generator);
    if (this.opts.replacement) {
      for (let left = this.length; left > 0; left -= 32) {
        yield* randint(0, n, [Math.min(32, left)], { generator: gen }).tolist() as number[];
      }
      return;
    }
    for (let left = this.length; left > 0; left -= n) yield* (randperm(n, { generator: gen }).tolist() as number[]).slice(0, left);
  }
}

export class SubsetRandomSampler implements Sampler {
  constructor(private readonly indices: readonly number[], private readonly opts: { generator?: Generator } = {}) {}
  get length(): number { return this.indices.length; }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, { generator: this.opts.generator }).tolist() as number[]) yield this.indices[i]!;
  }
}

export class WeightedRandomSampler implements Sampler {
  private readonly weights: Tensor;
  constructor(weights: readonly number[] | Tensor, readonly numSamples: number,
    private readonly opts: { replacement?: boolean; generator?: Generator } = {}) {
    this.weights = weights instanceof Tensor ? weights.double() : tensor([...weights], { dtype: "float64" });
  }
  get length(): number { return this.numSamples; }
  *[Symbol.iterator](): Iterator<number> {
    yield* multinomial(this.weights, this.numSamples, { replacement: this.opts.replacement ?? true, generator: this.opts.generator }).tolist() as number[];
  }
}

/** Groups another sampler's indices into batches. */
export class BatchSampler implements Iterable<number[]> {
  constructor(readonly sampler: Iterable<number> & { length?: number }, readonly batchSize: number, readonly dropLast: boolean) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
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
