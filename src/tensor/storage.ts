// SPDX-License-Identifier: BSD-3-Clause
// A Storage owns the bytes: a typed array the garbage collector owns (so tensors never need
// freeing and can be transferred to worker threads). Views share one Storage. Large arrays are
// views of ArrayBuffers from the native buffer cache (see allocTyped in dtype.ts), which V8 frees
// like any other.
import { type DType, type TypedArray, allocTyped, allocTypedUninit } from "./dtype.js";

export class Storage {
  /** Bumped by every in-place write through any view (autograd checks saved tensors with it). */
  version = 0;

  constructor(readonly data: TypedArray, readonly device: string = "cpu") {}

  /** Zero-filled. */
  static alloc(dtype: DType, numel: number): Storage {
    return new Storage(allocTyped(dtype, numel));
  }

  /** Uninitialised (large ones are recycled blocks of the buffer cache): for results whose
   * every element is written before anything reads them. */
  static allocUninit(dtype: DType, numel: number): Storage {
    return new Storage(allocTypedUninit(dtype, numel));
  }

  get length(): number {
    return this.data.length;
  }
}
