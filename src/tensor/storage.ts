// SPDX-License-Identifier: BSD-3-Clause
// A Storage owns the bytes: a typed array the garbage collector owns (so tensors never need
// freeing and can be transferred to worker threads). Views share one Storage.
import { type DType, type TypedArray, allocTyped } from "./dtype.js";

export class Storage {
  /** Bumped by every in-place write through any view (autograd checks saved tensors with it). */
  version = 0;

  constructor(readonly data: TypedArray, readonly device: string = "cpu") {}

  static alloc(dtype: DType, numel: number): Storage {
    return new Storage(allocTyped(dtype, numel));
  }

  get length(): number {
    return this.data.length;
  }
}
