// SPDX-License-Identifier: BSD-3-Clause
// What every torchvision dataset shares: root, transform, targetTransform.
import { Dataset } from "../../data/dataset.js";
import { IndexError } from "../../errors.js";

export type TransformLike<A, B> = ((x: A) => B) | { forward(x: A): B };

export const applyTransform = <A, R>(f: TransformLike<A, R> | undefined, x: A): R =>
  f === undefined ? (x as unknown as R) : typeof f === "function" ? f(x) : f.forward(x);

export function checkIndex(index: number, length: number): number {
  const i = index < 0 ? index + length : index;
  if (!Number.isInteger(i) || i < 0 || i >= length) throw new IndexError(`index ${index} is out of range for a dataset of length ${length}`);
  return i;
}

export abstract class VisionDataset<I, T> extends Dataset<[I, T]> {
  readonly root: string;
  readonly transform: TransformLike<any, I> | undefined;
  readonly targetTransform: TransformLike<any, T> | undefined;
  constructor(root: string, opts: { transform?: TransformLike<any, I>; targetTransform?: TransformLike<any, T> }) {
    super();
    this.root = root;
    this.transform = opts.transform;
    this.targetTransform = opts.targetTransform;
  }
  protected extraRepr(): string[] { return []; }
  override toString(): string {
    const lines = [`Number of datapoints: ${this.length}`, `Root location: ${this.root}`, ...this.extraRepr()];
    if (this.transform) lines.push(`StandardTransform\nTransform: ${String(this.transform).split("\n").join("\n           ")}`);
    return [`Dataset ${this.constructor.name}`, ...lines.map((l) => "    " + l.split("\n").join("\n    "))].join("\n");
  }
}
