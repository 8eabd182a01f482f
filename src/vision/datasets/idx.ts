// SPDX-License-Identifier: BSD-3-Clause
// The IDX format of MNIST and its relatives (yann.lecun.com/exdb/mnist): a big-endian header
// (magic 0x0000 | type | ndim, then ndim uint32 sizes) and the raw data. Gzipped files are read too.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { RuntimeError } from "../../errors.js";
import { fromTypedArray } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

const TYPES: Record<number, { ctor: new (n: number) => Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array; size: number }> = {
  0x08: { ctor: Uint8Array, size: 1 }, 0x09: { ctor: Int8Array, size: 1 }, 0x0b: { ctor: Int16Array, size: 2 },
  0x0c: { ctor: Int32Array, size: 4 }, 0x0d: { ctor: Float32Array, size: 4 }, 0x0e: { ctor: Float64Array, size: 8 },
};

/** Parses an IDX buffer into a tensor of its shape (uint8 for MNIST images and labels). */
export function parseIdx(buf: Uint8Array, name = "IDX file"): Tensor {
  const data = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 4 || view.getUint16(0) !== 0) throw new RuntimeError(`${name}: not an IDX file (bad magic number)`);
  const type = TYPES[data[2]!], ndim = data[3]!;
  if (!type) throw new RuntimeError(`${name}: unsupported IDX data type 0x${data[2]!.toString(16)}`);
  if (data.length < 4 + 4 * ndim) throw new RuntimeError(`${name}: truncated IDX header`);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const numel = shape.reduce((a, b) => a * b, 1), start = 4 + 4 * ndim;
  if (data.length !== start + numel * type.size)
    throw new RuntimeError(`${name}: expected ${numel * type.size} bytes of data for shape [${shape.join(", ")}], found ${data.length - start}`);
  const out = new type.ctor(numel);
  if (type.size === 1) (out as Uint8Array).set(data.subarray(start, start + numel));
  else for (let i = 0; i < numel; i++) {  // big-endian multi-byte values: a one-time decode of the file
    const o = start + i * type.size;
    out[i] = type.size === 2 ? view.getInt16(o) : type.size === 8 ? view.getFloat64(o)
      : data[2] === 0x0d ? view.getFloat32(o) : view.getInt32(o);
  }
  return fromTypedArray(out as Uint8Array, shape);
}

export function readIdx(path: string): Tensor {
  return parseIdx(readFileSync(path), path);
}
