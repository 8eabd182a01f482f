// SPDX-License-Identifier: BSD-3-Clause
// torchts: PyTorch for TypeScript. `import * as torch from "torchts"`.
import { native } from "./backends/cpu/native.js";
import { checkpoint } from "./autograd/checkpoint.js";
import * as data from "./data/index.js";
import { broadcastShapeList } from "./tensor/layout.js";
import { Tensor } from "./tensor/tensor.js";

export { Tensor, type ValuesIndices } from "./tensor/tensor.js";
export { RuntimeError, IndexError, ValueError, NotImplementedError, AssertionError, KeyError, AttributeError } from "./errors.js";
export {
  type DType, type DTypeLike, promoteTypes, resultType, canCast, getDefaultDtype, setDefaultDtype, toDType,
} from "./tensor/dtype.js";
export { Device, type DeviceLike, toDevice as device } from "./tensor/device.js";
export { setPrintoptions, getPrintoptions } from "./tensor/print.js";
export { Generator, manualSeed, defaultGenerator, seed, initialSeed, getRngState, setRngState } from "./tensor/random.js";
/** torch.broadcast_shapes(...shapes). */
export const broadcastShapes = (...shapes: (readonly number[])[]): number[] => broadcastShapeList(shapes);
export { Slice, slice } from "./ops/indexing.js";
export * from "./ops/public.js";
export * as cuda from "./cuda.js";
export * as autograd from "./autograd/index.js";
export * as optim from "./optim/index.js";
export * as nn from "./nn/index.js";
/** torch.utils.data, torch.utils.checkpoint */
export const utils = { data, checkpoint: { checkpoint } };
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled } from "./autograd/grad-mode.js";

// dtypes are their names: torch.float32 === "float32"
export const float32 = "float32", float = "float32", float64 = "float64", double = "float64";
export const float16 = "float16", half = "float16", bfloat16 = "bfloat16";
export const int64 = "int64", long = "int64", int32 = "int32", int = "int32", int16 = "int16", short = "int16";
export const int8 = "int8", uint8 = "uint8", bool = "bool";

export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;
export const numel = (x: Tensor): number => x.numel();
export const isFloatingPoint = (x: Tensor): boolean => x.isFloatingPoint();

/** Threads used by large native kernels (torch.set_num_threads). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError("set_num_threads expects a positive integer");
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}
export { save, load, saveAsync, loadAsync, serialization, safetensors } from "./serialization/index.js";
export type { LoadOptions, MapLocation, LoadSource, WritableLike, CheckpointErrorCode } from "./serialization/index.js";
