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

/** An iterable-style dataset: `[Symbol.iterator]` yields samples. */
export abstract class IterableDataset<T = unknown> {
  abstract [Symbol.iterator](): Iterator<T>;
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
  *[Symbol.iterator](): Iterator<T> { for (const d of this.datasets) yield* d; }
}

/** random_split: lengths, or fractions summing to 1 (remainders go round-robin, as PyTorch). */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], opts: { generator?: Generator } = {}): Subset<T>[] {
  let sizes = [...lengths];
  const n = dataset.length;
  if (Math.abs(sizes.reduce((a, b) => a + b, 0) - 1) < 1e-9 && sizes.reduce((a, b) => a + b, 0) <= 1) {
    sizes = lengths.map((f) => Math.floor(n * f));
    let rem = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rem > 0; i = (i + 1) % sizes.length, rem--) sizes[i]! += 1;
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n)
    throw new ValueError("Sum of input lengths does not equal the length of the input dataset!");
  const perm = randperm(n, { generator: opts.generator }).tolist() as number[];
  let offset = 0;
  return sizes.map((len) => {
    const s = new Subset(dataset, perm.slice(offset, offset + len));
    offset += len;
    return s;
  });
}
