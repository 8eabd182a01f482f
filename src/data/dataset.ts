// SPDX-License-Identifier: BSD-3-Clause
// torch.utils.data datasets (API.md rule 12): `length` and `getItem(i)`.
import { RuntimeError, ValueError } from "../errors.js";
import { type Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { randperm } from "../ops/creation.js";

/** A map-style dataset: `class MyData extends Dataset<T> { get length(); getItem(i) }`. */
export abstract class Dataset<T = unknown> {
  abstract get length(): number;
  abstract getItem(index: number): T;
}

/**
 * An iterable-style dataset: `[Symbol.iterator]` yields samples. As in PyTorch it is a Dataset
 * (`instanceof Dataset` holds) without `getItem`; `length` is optional (define it to give the
 * DataLoader a length). With workers each worker iterates its own copy: shard it with
 * `getWorkerInfo()` (docs/data.md).
 */
export abstract class IterableDataset<T = unknown> extends Dataset<T> {
  abstract [Symbol.iterator](): Iterator<T>;
  get length(): number { throw new TypeError(`object of type '${this.constructor.name}' has no len()`); }
  getItem(_index: number): T { throw new TypeError(`'${this.constructor.name}' object is not subscriptable`); }
}

/** Samples are the i-th rows of each tensor. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    const n = tensors[0]?.size(0);
    if (tensors.some((t) => t.size(0) !== n)) throw new RuntimeError("Size mismatch between tensors");
    this.tensors = tensors;
  }
  get length(): number { return this.tensors[0]?.size(0) ?? 0; }
  getItem(index: number): Tensor[] { return this.tensors.map((t) => t.select(0, index)); }
}

export class ConcatDataset<T> extends Dataset<T> {
  private readonly cumulative: number[] = [];
  constructor(readonly datasets: Dataset<T>[]) {
    super();
    if (datasets.length === 0) throw new ValueError("datasets should not be an empty iterable");
    for (const d of datasets)
      if (d instanceof IterableDataset) throw new ValueError("ConcatDataset does not support IterableDataset");
    let s = 0;
    for (const d of datasets) this.cumulative.push((s += d.length));
  }
  get length(): number { return this.cumulative[this.cumulative.length - 1] ?? 0; }
  getItem(index: number): T {
    if (index < 0) {
      if (-index > this.length) throw new ValueError("absolute value of index should not exceed dataset length");
      index += this.length;
    }
    const k = this.cumulative.findIndex((c) => index < c);
    if (k < 0) throw new RangeError(`index ${index} is out of range`);
    return this.datasets[k]!.getItem(index - (k === 0 ? 0 : this.cumulative[k - 1]!));
  }
}

export class Subset<T> extends Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: readonly number[]) { super(); }
  get length(): number { return this.indices.length; }
  getItem(index: number): T { return this.dataset.getItem(this.indices[index]!); }
}

export class ChainDataset<T> extends IterableDataset<T> {
  constructor(readonly datasets: Iterable<T>[]) { super(); }
  *[Symbol.iterator](): Iterator<T> {
    for (const d of this.datasets) {
      if (!(d instanceof IterableDataset)) throw new ValueError("ChainDataset only supports IterableDataset");
      yield* d;
    }
  }
  override get length(): number {
    let n = 0;
    for (const d of this.datasets) {
      if (!(d instanceof IterableDataset)) throw new ValueError("ChainDataset only supports IterableDataset");
      n += d.length;
    }
    return n;
  }
}

/**
 * random_split: lengths, or fractions summing to 1 (floor(n * f) each, the remainder handed out
 * one by one round-robin, as PyTorch), then one randperm from `generator` (default: the global one).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], opts: { generator?: Generator } = {}): Subset<T>[] {
  let sizes = [...lengths];
  const n = dataset.length;
  const total = sizes.reduce((a, b) => a + b, 0);
  // math.isclose(sum, 1) with its default rel_tol=1e-9
  if (Math.abs(total - 1) <= 1e-9 * Math.max(Math.abs(total), 1) && total <= 1) {
    sizes = lengths.map((f, i) => {
      if (f < 0 || f > 1) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    const rem = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < rem; i++) sizes[i % sizes.length]! += 1;
    sizes.forEach((len, i) => {
      if (len === 0) process.emitWarning(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n)
    throw new ValueError("Sum of input lengths does not equal the length of the input dataset!");
  for (const len of sizes)
    if (!Number.isInteger(len) || len < 0) throw new ValueError(`random_split: lengths must be non-negative integers, got ${len}`);
  const perm = randperm(n, { generator: opts.generator }).tolist() as number[];
  let offset = 0;
  return sizes.map((len) => {
    const s = new Subset(dataset, perm.slice(offset, offset + len));
    offset += len;
    return s;
  });
}
