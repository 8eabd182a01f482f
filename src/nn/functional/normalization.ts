// SPDX-License-Identifier: BSD-3-Clause
// F.batchNorm, F.instanceNorm, F.groupNorm over native/cpu/norm.cc (forward and backward in C++,
// grad fns NativeBatchNormBackward0 / NativeGroupNormBackward0 as PyTorch's), and
// F.localResponseNorm composed as PyTorch's functional.py does it.
import { native } from "../../backends/cpu/native.js";
import { isGradEnabled, noGrad } from "../../autograd/grad-mode.js";
import { needsGrad } from "../../autograd/graph.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { cat } from "../../ops/join.js";
import { Tensor } from "../../tensor/tensor.js";
import { pySize } from "../repr.js";
import { dtypeCode } from "./util.js";

export interface BatchNormOptions { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number }

const EMPTY = new Float32Array(0);
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const isNative = (t: Tensor): boolean => t.dtype === "float32" || t.dtype === "float64";
const PY_DTYPE: Record<string, string> = { int64: "Long", int32: "Int", int16: "Short", int8: "Char", uint8: "Byte", bool: "Bool" };
/** Integer inputs are refused as PyTorch's dispatch does; float16/bfloat16 compute in float32. */
function checkFloat(t: Tensor, op: string): void {
  if (!t.isFloatingPoint()) throw new RuntimeError(`"${op}" not implemented for '${PY_DTYPE[t.dtype] ?? t.dtype}'`);
}
const buf = (t: Tensor | null): ArrayBufferView => (t === null ? EMPTY : t._storage.data as ArrayBufferView);
const off = (t: Tensor | null): number => (t === null ? 0 : t._offset);

function checkVector(t: Tensor | null, C: number, what: string): void {
  if (t !== null && t.numel() !== C) throw new RuntimeError(`${what} should contain ${C} elements not ${t.numel()}`);
}

/** The native batch_norm on x viewed as (N, C, L): the output, and the batch mean and biased variance when training. */
function nativeBatchNorm(input: Tensor, weight: Tensor | null, bias: Tensor | null, runningMean: Tensor | null,
  runningVar: Tensor | null, training: boolean, eps: number): { y: Tensor; mean: Tensor; batchVar: Tensor | null } {
  const N = input.shape[0]!, C = input.shape[1]!, L = prod(input.shape.slice(2));
  const x = input.contiguous();
  const w = weight?.contiguous() ?? null, b = bias?.contiguous() ?? null;
  const dt = dtypeCode(x);
  const flags = (w ? 1 : 0) | (b ? 2 : 0);
  const y = Tensor._emptyUninit(input.shape, x.dtype);  // both forward kernels write every element
  let mean: Tensor, invstd: Tensor | null, batchVar: Tensor | null = null;
  if (training) {
    mean = Tensor._empty([C], x.dtype); invstd = Tensor._empty([C], x.dtype); batchVar = Tensor._empty([C], x.dtype);
    native.batchNorm(0, [buf(y), buf(mean), buf(invstd), buf(batchVar), buf(x), buf(w), buf(b)],
      Float64Array.from([dt, N, C, L, eps, flags, 0, 0, 0, 0, x._offset, off(w), off(b)]));
  } else {
    const rm = runningMean!.contiguous().to(x.dtype), rv = runningVar!.contiguous().to(x.dtype);
    native.batchNorm(1, [buf(y), buf(x), buf(rm), buf(rv), buf(w), buf(b)],
      Float64Array.from([dt, N, C, L, eps, flags, 0, x._offset, rm._offset, rv._offset, off(w), off(b)]));
    mean = rm;
    // 1/sqrt(var + eps) is only needed by the backward: made now (a snapshot of the running
    // variance) when a graph is recorded, and not at all for plain inference
    invstd = needsGrad([input, weight, bias]) ? noGrad(() => rv.add(eps).rsqrt()) : null;
  }
  if (invstd === null) return { y, mean, batchVar };
  const istd = invstd;
  record(y, {
    name: "NativeBatchNormBackward0", inputs: [input, weight, bias], save: [x],
    backward: ([g]) => {
      if (isGradEnabled()) return batchNormBackwardComposite(g ?? zeros(input.shape, { dtype: x.dtype }), input, weight, training, mean, istd, eps);
      const go = (g ?? zeros(input.shape, { dtype: x.dtype })).contiguous();
      const gx = input.requiresGrad ? Tensor._empty(input.shape, x.dtype) : null;
      const gw = weight?.requiresGrad ? Tensor._empty([C], x.dtype) : null;
      const gb = bias?.requiresGrad ? Tensor._empty([C], x.dtype) : null;
      const bflags = (w ? 1 : 0) | (training ? 4 : 0) | (gx ? 8 : 0) | (gw ? 16 : 0) | (gb ? 32 : 0);
      native.batchNorm(2, [buf(gx), buf(gw), buf(gb), buf(go), buf(x), buf(mean), buf(istd), buf(w)],
        Float64Array.from([dt, N, C, L, eps, bflags, 0, 0, 0, go._offset, x._offset, mean._offset, istd._offset, off(w)]));
      return [gx, gw, gb];
    },
  });
  return { y, mean, batchVar };
}

/**
 * The batch-norm backward as differentiable tensor ops, used when the backward itself is recorded
 * (createGraph: double backward). Training recomputes the batch statistics from `input`; evaluation
 * uses the (constant) running mean and 1/sqrt(var + eps).
 */
function batchNormBackwardComposite(go: Tensor, input: Tensor, weight: Tensor | null, training: boolean,
  runMean: Tensor, runInvstd: Tensor, eps: number): (Tensor | null)[] {
  const C = input.shape[1]!;
  const R = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2)];
  const bshape = [1, C, ...Array(input.ndim - 2).fill(1)];
  const w = weight === null ? null : weight.reshape(bshape);
  let xhat: Tensor, invstd: Tensor;
  if (training) {
    const xc = input.sub(input.mean(R, { keepdim: true }));
    invstd = xc.mul(xc).mean(R, { keepdim: true }).add(eps).rsqrt();
    xhat = xc.mul(invstd);
  } else {
    invstd = runInvstd.reshape(bshape);
    xhat = input.sub(runMean.reshape(bshape)).mul(invstd);
  }
  const gb = go.sum(R);
  const gw = go.mul(xhat).sum(R);
  let gx: Tensor = training
    ? go.sub(go.mean(R, { keepdim: true })).sub(xhat.mul(go.mul(xhat).mean(R, { keepdim: true }))).mul(invstd)
    : go.mul(invstd);
  if (w !== null) gx = gx.mul(w);
  return [gx, gw, gb];
}

/** The group-norm backward as differentiable tensor ops (double backward). */
function groupNormBackwardComposite(go: Tensor, input: Tensor, weight: Tensor | null, G: number, eps: number): (Tensor | null)[] {
  const N = input.shape[0]!, C = input.shape[1]!;
  const R = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2)];
  const bshape = [1, C, ...Array(input.ndim - 2).fill(1)];
  const xg = input.reshape([N, G, -1]);
  const xc = xg.sub(xg.mean(-1, { keepdim: true }));
  const rstd = xc.mul(xc).mean(-1, { keepdim: true }).add(eps).rsqrt();
  const xhatG = xc.mul(rstd);
  const xhat = xhatG.reshape(input.shape);
  const dxhat = (weight === null ? go : go.mul(weight.reshape(bshape))).reshape([N, G, -1]);
  const gxG = dxhat.sub(dxhat.mean(-1, { keepdim: true })).sub(xhatG.mul(dxhat.mul(xhatG).mean(-1, { keepdim: true }))).mul(rstd);
  return [gxG.reshape(input.shape), go.mul(xhat).sum(R), go.sum(R)];
}

/** F.batchNorm(input, runningMean, runningVar, { weight, bias, training = false, momentum = 0.1, eps = 1e-5 }). */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 }: BatchNormOptions = {}): Tensor {
  if (input.ndim < 2) throw new RuntimeError(`batch_norm: expected input with at least 2 dims, but got input of size: ${pySize(input.shape)}`);
  const C = input.shape[1]!;
  if (training) {
    const count = input.numel() / C;
    if (count <= 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size ${pySize(input.shape)}`);
  } else if (runningMean === null || runningVar === null) {
    throw new RuntimeError("running_mean and running_var must be defined in evaluation mode");
  }
  checkVector(runningMean, C, "running_mean"); checkVector(runningVar, C, "running_var");
  checkVector(weight, C, "weight"); checkVector(bias, C, "bias");
  checkFloat(input, "batch_norm");
  if (!isNative(input)) {
    const cast = (t: Tensor | null): Tensor | null => (t === null ? null : t.float());
    return batchNorm(input.float(), runningMean, runningVar, { weight: cast(weight), bias: cast(bias), training, momentum, eps }).to(input.dtype);
  }
  const wt = weight === null ? null : weight.to(input.dtype), bt = bias === null ? null : bias.to(input.dtype);
  const { y, mean, batchVar } = nativeBatchNorm(input, wt, bt, runningMean, runningVar, training, eps);
  if (training && batchVar !== null) {
    const n = input.numel() / C;
    noGrad(() => {
      if (runningMean !== null) runningMean.mul_(1 - momentum).add_(mean.to(runningMean.dtype).mul(momentum));
      if (runningVar !== null) runningVar.mul_(1 - momentum).add_(batchVar.to(runningVar.dtype).mul(momentum * n / (n - 1)));
    });
  }
  return y;
}

export interface InstanceNormOptions { runningMean?: Tensor | null; runningVar?: Tensor | null; weight?: Tensor | null; bias?: Tensor | null; useInputStats?: boolean; momentum?: number; eps?: number }

/**
 * F.instanceNorm(input, { runningMean, runningVar, weight, bias, useInputStats = true, momentum = 0.1, eps = 1e-5 }):
 * batch norm over the (1, N*C, *) view, running statistics averaged over the batch (as PyTorch).
 */
export function instanceNorm(input: Tensor, { runningMean = null, runningVar = null, weight = null, bias = null,
  useInputStats = true, momentum = 0.1, eps = 1e-5 }: InstanceNormOptions = {}): Tensor {
  if (useInputStats) {
    const spatial = prod(input.shape.slice(2));
    if (spatial <= 1) throw new ValueError(`Expected more than 1 spatial element when training, got input size ${pySize(input.shape)}`);
  }
  const N = input.shape[0]!, C = input.shape[1]!;
  const rep = (t: Tensor | null): Tensor | null => (t === null ? null : t.repeat(N));
  const rm = noGrad(() => rep(runningMean)), rv = noGrad(() => rep(runningVar));
  const x = input.reshape([1, N * C, ...input.shape.slice(2)]);
  const y = batchNorm(x, rm, rv, { weight: rep(weight), bias: rep(bias), training: useInputStats, momentum, eps });
  noGrad(() => {
    if (runningMean !== null && useInputStats) runningMean.copy_(rm!.view(N, C).mean(0));
    if (runningVar !== null && useInputStats) runningVar.copy_(rv!.view(N, C).mean(0));
  });
  return y.view(input.shape);
}

export interface GroupNormOptions { weight?: Tensor | null; bias?: Tensor | null; eps?: number }

/** F.groupNorm(input, numGroups, { weight, bias, eps = 1e-5 }). */
export function groupNorm(input: Tensor, numGroups: number, { weight = null, bias = null, eps = 1e-5 }: GroupNormOptions = {}): Tensor {
  if (input.ndim < 2) throw new RuntimeError(`Expected at least 2 dimensions for input tensor but received ${input.ndim}`);
  const N = input.shape[0]!, C = input.shape[1]!, L = prod(input.shape.slice(2));
  const shape = `[${input.shape.join(", ")}]`;
  if (C % numGroups !== 0)
    throw new RuntimeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${shape} and num_groups=${numGroups}`);
  for (const [t, what] of [[weight, "weight"], [bias, "bias"]] as const)
    if (t !== null && (t.ndim !== 1 || t.numel() !== C))
      throw new RuntimeError(`Expected ${what} to be a vector of size equal to the number of channels in input, but got ${what} of shape [${t.shape.join(", ")}] and input of shape ${shape}`);
  checkFloat(input, "group_norm");
  if (!isNative(input))
    return groupNorm(input.float(), numGroups, { weight: weight?.float() ?? null, bias: bias?.float() ?? null, eps }).to(input.dtype);
  const x = input.contiguous();
  const w = weight === null ? null : weight.to(x.dtype).contiguous(), b = bias === null ? null : bias.to(x.dtype).contiguous();
  const dt = dtypeCode(x), G = numGroups;
  const y = Tensor._empty(input.shape, x.dtype), mean = Tensor._empty([N, G], x.dtype), rstd = Tensor._empty([N, G], x.dtype);
  native.groupNorm(0, [buf(y), buf(mean), buf(rstd), buf(x), buf(w), buf(b)],
    Float64Array.from([dt, N, C, L, G, eps, (w ? 1 : 0) | (b ? 2 : 0), 0, 0, 0, x._offset, off(w), off(b)]));
  record(y, {
    name: "NativeGroupNormBackward0", inputs: [input, weight, bias], save: [x],
    backward: ([g]) => {
      if (isGradEnabled()) return groupNormBackwardComposite(g ?? zeros(input.shape, { dtype: x.dtype }), input, weight, G, eps);
      const go = (g ?? zeros(input.shape, { dtype: x.dtype })).contiguous();
      const gx = input.requiresGrad ? Tensor._empty(input.shape, x.dtype) : null;
      const gw = weight?.requiresGrad ? Tensor._empty([C], x.dtype) : null;
      const gb = bias?.requiresGrad ? Tensor._empty([C], x.dtype) : null;
      const flags = (w ? 1 : 0) | (gx ? 8 : 0) | (gw ? 16 : 0) | (gb ? 32 : 0);
      native.groupNorm(1, [buf(gx), buf(gw), buf(gb), buf(go), buf(x), buf(mean), buf(rstd), buf(w)],
        Float64Array.from([dt, N, C, L, G, eps, flags, 0, 0, 0, go._offset, x._offset, 0, 0, off(w)]));
      return [gx, gw, gb];
    },
  });
  return y;
}

export interface LocalResponseNormOptions { alpha?: number; beta?: number; k?: number }

/**
 * F.localResponseNorm(input, size, { alpha = 1e-4, beta = 0.75, k = 1 }):
 * x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta, zero-padded as PyTorch's.
 */
export function localResponseNorm(input: Tensor, size: number, { alpha = 1e-4, beta = 0.75, k = 1.0 }: LocalResponseNormOptions = {}): Tensor {
  if (input.ndim < 3)
    throw new ValueError(`Expected 3D or higher dimensionality                          input (got ${input.ndim} dimensions)`);
  if (input.numel() === 0) return input;
  const C = input.shape[1]!;
  const sq = input.mul(input);
  const padShape = (n: number): number[] => [input.shape[0]!, n, ...input.shape.slice(2)];
  const parts: Tensor[] = [];
  const before = Math.floor(size / 2), after = Math.floor((size - 1) / 2);
  if (before > 0) parts.push(zeros(padShape(before), { dtype: input.dtype }));
  parts.push(sq);
  if (after > 0) parts.push(zeros(padShape(after), { dtype: input.dtype }));
  const padded = parts.length > 1 ? cat(parts, 1) : sq;
  let acc = padded.narrow(1, 0, C);
  for (let i = 1; i < size; i++) acc = acc.add(padded.narrow(1, i, C));
  const div = acc.div(size).mul(alpha).add(k).pow(beta);
  return input.div(div);
}
