// SPDX-License-Identifier: BSD-3-Clause
// Loads the native CPU engine (build/Release/torchts_native.node). If it is missing, say what
// was tried and how to build it.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The kernels of the native addon; see native/cpu/addon.cc for the export table. */
export interface NativeAddon {
  elementwise(kernel: string, buffers: ArrayBufferView[], meta: Float64Array, scalars?: Float64Array): void;
  reduce(kernel: string, buffers: ArrayBufferView[], meta: Float64Array, scalars: Float64Array, ndimOuter: number): void;
  matmul(buffers: ArrayBufferView[], meta: Float64Array): void;
  /** F.linear's float32 x @ W^T (+ bias) on the unpacked NT kernel; false where it does not apply (native/cpu/linear.cc). */
  linearNT?(meta: Float64Array, out: ArrayBufferView, x: ArrayBufferView, w: ArrayBufferView, bias: ArrayBufferView | null): boolean;
  /** F.linear's backward: dx = g @ w, dw = g^T @ x, db = row sums of g, each where given (native/cpu/linear_bwd.cc). */
  linearBackward?(meta: Float64Array, g: ArrayBufferView, x: ArrayBufferView, w: ArrayBufferView, dx: ArrayBufferView | null,
    dw: ArrayBufferView | null, db: ArrayBufferView | null): void;
  /** A conv's bias gradient: out[c] = sum of g[n, c, :] over n and the plane, g contiguous (N, C, S), S <= 32768 (native/cpu/reduce.cc). */
  convBiasGrad?(out: ArrayBufferView, g: ArrayBufferView, meta: Float64Array): void;
  indexGather(buffers: ArrayBufferView[], meta: Float64Array, scalars: Float64Array): void;
  indexScatter(buffers: ArrayBufferView[], meta: Float64Array, scalars: Float64Array, reduce: number): void;
  /** Writes (count x ndim) indices into `out`, or only counts when `out` is null. */
  nonzero(out: BigInt64Array | null, buffers: ArrayBufferView[], meta: Float64Array): number;
  sort(values: ArrayBufferView, indices: BigInt64Array, input: ArrayBufferView, dtype: number, rows: number,
    len: number, descending: boolean, stable: boolean): void;
  /** native/cpu/norm.cc: mode 0 training forward, 1 evaluation forward, 2 backward. */
  batchNorm(mode: number, buffers: ArrayBufferView[], meta: Float64Array): void;
  /** native/cpu/norm.cc: mode 0 forward, 1 backward. */
  groupNorm(mode: number, buffers: ArrayBufferView[], meta: Float64Array): void;
  kernelNames(): string[];
  /** elementwise() with the kernel by index into elementwiseIds() and the buffers as arguments (addon.cc). */
  elementwiseFast?(id: number, meta: Float64Array, scalars: Float64Array, ...buffers: ArrayBufferView[]): void;
  elementwiseIds?(): string[];
  getNumThreads(): number;
  setNumThreads(n: number): void;
  cpuFeatures(): Record<string, boolean>;
  /** Fused Adam/AdamW step over contiguous same-dtype buffers (native/cpu/optim.cc); absent in older builds. */
  adamStep?(buffers: ArrayBufferView[], meta: Float64Array): void;
  /** Fused SGD-with-momentum step, the same conventions (native/cpu/optim.cc). */
  sgdStep?(buffers: ArrayBufferView[], meta: Float64Array): void;
  /** adamStep over several parameters in one call (native/cpu/optim.cc); absent in older builds. */
  adamStepMulti?(buffers: ArrayBufferView[], meta: Float64Array): void;
  /** sgdStep over several parameters in one call (native/cpu/optim.cc); absent in older builds. */
  sgdStepMulti?(buffers: ArrayBufferView[], meta: Float64Array): void;
  /** layer_norm: mode 0 forward [out, mean, rstd, x, weight?, bias?], 1 backward [gx?, gw?, gb?, gy, x, mean, rstd, weight?] (native/cpu/norm_layer.cc). */
  layerNorm(mode: number, buffers: (ArrayBufferView | null)[], meta: Float64Array): void;
  /** Fused LSTM / GRU cell pointwise ops: mode 0/1 LSTM forward/backward, 2/3 GRU forward/backward (native/cpu/rnn_cell.cc). */
  rnnCell(mode: number, buffers: (ArrayBufferView | null)[], meta: Float64Array): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [name: string]: any;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("torchts: cannot find the package root above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

function load(): NativeAddon {
  const root = packageRoot();
  const candidates = [
    process.env["TORCHTS_NATIVE"],
    join(root, "build", "Release", "torchts_native.node"),
    join(root, "build", "Debug", "torchts_native.node"),
  ].filter((p): p is string => typeof p === "string" && p.length > 0);
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) {
      errors.push(`  ${path}: not found`);
      continue;
    }
    try {
      return require(path) as NativeAddon;
    } catch (e) {
      errors.push(`  ${path}: ${(e as Error).message}`);
    }
  }
  throw new Error(
    "torchts: could not load the native CPU engine. Tried:\n" + errors.join("\n") +
    `\nBuild it with \`npm rebuild torchts\` (or \`npx node-gyp rebuild\` in ${root}); ` +
    "this needs a C++17 compiler (g++ or clang++), make and python3. " +
    "Set TORCHTS_NATIVE to the path of a prebuilt torchts_native.node to use that instead.",
  );
}

export const native: NativeAddon = load();
