// SPDX-License-Identifier: BSD-3-Clause
// F.maxPool1d/2d, F.avgPool1d/2d, F.adaptiveMaxPool1d/2d over native/cpu/pool.cc; adaptive average
// pooling over the separable native map (sepmap.ts); F.maxUnpool1d/2d, F.lpPool1d/2d.
import { native } from "../../backends/cpu/native.js";
import { record } from "../../autograd/record.js";
import type { FusedBackward } from "../../autograd/graph.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { gather, scatterAdd } from "../../ops/scatter.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { adaptiveAvgDim } from "./resample.js";
import { sepmap } from "./sepmap.js";
import { Tensor } from "../../tensor/tensor.js";
import { argsOf, dtypeCode, type IntOrTuple, tuple } from "./util.js";

/** pooling_output_shape in aten/src/ATen/native/Pool.h. */
export function poolOutSize(size: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

interface PoolGeom { P: number; H: number; W: number; OH: number; OW: number; k: number[]; s: number[]; p: number[]; d: number[] }

// One descriptor reused by every call (the native call reads it synchronously and keeps nothing).
const metaScratch = new Float64Array(19);

function meta(g: PoolGeom, dt: number, offs: number[], extra?: number[]): Float64Array {
  const m = metaScratch;
  m[0] = dt; m[1] = g.P; m[2] = g.H; m[3] = g.W; m[4] = g.OH; m[5] = g.OW;
  m[6] = g.k[0]!; m[7] = g.k[1]!; m[8] = g.s[0]!; m[9] = g.s[1]!; m[10] = g.p[0]!; m[11] = g.p[1]!; m[12] = g.d[0]!; m[13] = g.d[1]!;
  m[14] = offs[0] ?? 0; m[15] = offs[1] ?? 0; m[16] = offs[2] ?? 0;
  m[17] = extra ? extra[0]! : 0; m[18] = extra ? extra[1]! : 0;
  return m;
}

function geometry(name: string, x: Tensor, kernel: IntOrTuple, stride: IntOrTuple | null, padding: IntOrTuple,
  dilation: IntOrTuple, ceil: boolean): { g: PoolGeom; lead: number[] } {
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new RuntimeError(`non-empty 3D or 4D (batch mode) tensor expected for input`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new RuntimeError(`"${name}" not implemented for '${x.dtype}'`);
  const k = tuple(kernel, 2, "kernel_size");
  const s = stride === null || (Array.isArray(stride) && stride.length === 0) ? k : tuple(stride, 2, "stride");
  const p = tuple(padding, 2, "padding"), d = tuple(dilation, 2, "dilation");
  if (p[0]! > k[0]! / 2 || p[1]! > k[1]! / 2)
    throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${p[0]! > k[0]! / 2 ? p[0] : p[1]} and kernel_size=${p[0]! > k[0]! / 2 ? k[0] : k[1]}`);
  const H = x.shape[x.ndim - 2]!, W = x.shape[x.ndim - 1]!;
  const OH = poolOutSize(H, k[0]!, p[0]!, s[0]!, d[0]!, ceil), OW = poolOutSize(W, k[1]!, p[1]!, s[1]!, d[1]!, ceil);
  if (OH < 1 || OW < 1)
    throw new RuntimeError(`Given input size: (${x.shape.slice(-3).join("x")}). Calculated output size: (${x.shape[x.ndim - 3]}x${OH}x${OW}). Output size is too small`);
  const lead = x.shape.slice(0, -2);
  return { g: { P: lead.reduce((a, b) => a * b, 1), H, W, OH, OW, k, s, p, d }, lead };
}

export interface MaxPool2dOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean; returnIndices?: boolean }

function maxPool2dWithIndices(x: Tensor, kernel: IntOrTuple, o: Required<MaxPool2dOptions>): [Tensor, Tensor] {
  const { g, lead } = geometry("max_pool2d", x, kernel, o.stride, o.padding, o.dilation, o.ceilMode);
  const xc = x.contiguous();
  // pool.cc writes every element of its results (each backward zero-fills its planes itself)
  const out = Tensor._emptyUninit([...lead, g.OH, g.OW], x.dtype), ind = Tensor._emptyUninit([...lead, g.OH, g.OW], "int64");
  if (out.numel() > 0)
    native.pool2d(0, [out._storage.data, ind._storage.data, xc._storage.data], meta(g, dtypeCode(x), [0, 0, xc._offset]));
  const shape = x.shape;
  record(out, {
    name: "MaxPool2DWithIndicesBackward0", inputs: [x], save: [ind], backward: ([go]) => [maxPoolBackward(go!, ind, shape, g)],
    ...(FUSE_RELU ? { fused: reluPoolBackward(out, shape, g) } : {}),
  });
  return [out, ind];
}

const FUSE_RELU = process.env["TORCHTS_FUSE_RELU_POOL"] !== "0";

/**
 * With a relu before the pool (the engine checks that nothing else sees the gradient between
 * them): threshold_backward(maxPoolBackward(g), y) in one native pass from the pooled values
 * (pool.cc mode 5), bit for bit the two backwards. Declined (the two backwards run) if the
 * output was changed in place since (PyTorch saves only the indices, so that is allowed).
 */
function reluPoolBackward(out: Tensor, shape: number[], g: PoolGeom): FusedBackward {
  const version = out._version;
  return {
    next: "ReluBackward0",
    run: ([go], [ind]) => {
      const gc = go!.contiguous(), pooled = out;
      if (gc.dtype !== out.dtype || out._version !== version) return null;
      const gx = Tensor._emptyUninit(shape, gc.dtype);
      native.pool2d(5, [gx._storage.data, gc._storage.data, ind!._storage.data, pooled._storage.data],
        meta(g, dtypeCode(gc), [0, gc._offset, ind!._offset], [pooled._offset, 0]));
      return [gx];
    },
  };
}

/** Max pooling values only (no indices: nothing records a backward and none were asked for). */
function maxPool2dValues(x: Tensor, kernel: IntOrTuple, o: Required<MaxPool2dOptions>): Tensor {
  const { g, lead } = geometry("max_pool2d", x, kernel, o.stride, o.padding, o.dilation, o.ceilMode);
  const xc = x.contiguous();
  const out = Tensor._emptyUninit([...lead, g.OH, g.OW], x.dtype);
  if (out.numel() > 0) native.pool2d(0, [out._storage.data, null, xc._storage.data], meta(g, dtypeCode(x), [0, 0, xc._offset]));
  return out;
}

/**
 * The input gradient of a max pool: gradOut scattered to the argmax positions. Natively; while
 * building a graph of the backward (double backward), as a differentiable scatterAdd.
 */
function maxPoolBackward(go: Tensor, ind: Tensor, shape: number[], g: PoolGeom): Tensor {
  if (isGradEnabled() && go.requiresGrad) {
    const lead = shape.slice(0, -2);
    return scatterAdd(zeros([...lead, g.H * g.W], { dtype: go.dtype }), -1, ind.reshape([...lead, -1]), go.reshape([...lead, -1])).reshape(shape);
  }
  const gc = go.contiguous();
  const gx = Tensor._emptyUninit(shape, gc.dtype);
  native.pool2d(1, [gx._storage.data, gc._storage.data, ind._storage.data], meta(g, dtypeCode(gc), [0, gc._offset, ind._offset]));
  return gx;
}

/**
 * F.maxPool2d(input, kernelSize, stride = kernelSize, padding = 0, dilation = 1, ceilMode = false,
 * returnIndices = false); returns [output, indices] when returnIndices.
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<MaxPool2dOptions>>(["stride", "padding", "dilation", "ceilMode", "returnIndices"], rest,
    { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: false });
  if (!o.returnIndices && !(isGradEnabled() && input.requiresGrad)) return maxPool2dValues(input, kernelSize, o);
  const [out, ind] = maxPool2dWithIndices(input, kernelSize, o);
  return (o.returnIndices ? [out, ind] : out) as Tensor;
}

/** F.maxPool2d with returnIndices: [output, indices]. */
export function maxPool2dWithIndicesFn(input: Tensor, kernelSize: IntOrTuple, opts: MaxPool2dOptions = {}): [Tensor, Tensor] {
  return maxPool2dWithIndices(input, kernelSize, { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: true, ...opts });
}

export interface AvgPool2dOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

/** F.avgPool2d(input, kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null). */
export function avgPool2d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<AvgPool2dOptions>>(["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], rest,
    { stride: null, padding: 0, ceilMode: false, countIncludePad: true, divisorOverride: null });
  if (o.divisorOverride !== null && o.divisorOverride === 0) throw new RuntimeError("divisor must be not zero");
  const { g, lead } = geometry("avg_pool2d", input, kernelSize, o.stride, o.padding, 1, o.ceilMode);
  const extra = [o.countIncludePad ? 1 : 0, o.divisorOverride ?? 0];
  return avgFwd(input, g, extra, [...lead, g.OH, g.OW]);
}

// avg pool and its input gradient are each other's adjoints, so each records the other as its backward
function avgFwd(x: Tensor, g: PoolGeom, extra: number[], outShape: number[]): Tensor {
  const xc = x.contiguous(), shape = x.shape;
  const out = Tensor._emptyUninit(outShape, x.dtype);
  if (out.numel() > 0) native.pool2d(2, [out._storage.data, xc._storage.data], meta(g, dtypeCode(x), [0, xc._offset], extra));
  return record(out, { name: "AvgPool2DBackward0", inputs: [x], backward: ([go]) => [avgBwd(go!, g, extra, shape)] });
}

function avgBwd(go: Tensor, g: PoolGeom, extra: number[], shape: number[]): Tensor {
  const gc = go.contiguous(), outShape = go.shape;
  const gx = Tensor._emptyUninit(shape, gc.dtype);
  native.pool2d(3, [gx._storage.data, gc._storage.data], meta(g, dtypeCode(gc), [0, gc._offset], extra));
  return record(gx, { name: "AvgPool2DBackwardBackward0", inputs: [go], backward: ([gg]) => [avgFwd(gg!, g, extra, outShape)] });
}


type OutSize = number | null | readonly (number | null)[];

function adaptiveSizes(name: string, input: Tensor, outputSize: OutSize, nd: number): number[] {
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2)
    throw new RuntimeError(`${name}(): Expected ${nd + 1}D or ${nd + 2}D tensor, but got [${input.shape.join(", ")}]`);
  const sp = input.shape.slice(-nd);
  const os = typeof outputSize === "number" || outputSize === null ? Array(nd).fill(outputSize) as (number | null)[] : [...outputSize];
  if (os.length !== nd) throw new RuntimeError(`${name}: internal error: output_size.size() must be ${nd}`);
  for (let i = 1; i < input.ndim; i++)
    if (input.shape[i] === 0)
      throw new RuntimeError(`${name}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${input.shape.join(", ")}] with dimension ${i} being empty`);
  return os.map((v, i) => v ?? sp[i]!);
}

function adaptiveAvg(name: string, input: Tensor, outputSize: OutSize, nd: number): Tensor {
  const os = adaptiveSizes(name, input, outputSize, nd);
  if (input.dtype !== "float32" && input.dtype !== "float64") throw new RuntimeError(`"${name}" not implemented for '${input.dtype}'`);
  const sp = input.shape.slice(-nd);
  return sepmap(input, sp.map((I, i) => adaptiveAvgDim(I, os[i]!)), null, `AdaptiveAvgPool${nd}DBackward0`);
}

/** F.adaptiveAvgPool1d(input, outputSize): window i spans [floor(i*L/O), ceil((i+1)*L/O)). */
export function adaptiveAvgPool1d(input: Tensor, outputSize: OutSize): Tensor { return adaptiveAvg("adaptive_avg_pool1d", input, outputSize, 1); }
/** F.adaptiveAvgPool2d(input, outputSize): window i spans [floor(i*H/OH), ceil((i+1)*H/OH)); null keeps a size. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: OutSize): Tensor { return adaptiveAvg("adaptive_avg_pool2d", input, outputSize, 2); }
/** F.adaptiveAvgPool3d(input, outputSize). */
export function adaptiveAvgPool3d(input: Tensor, outputSize: OutSize): Tensor { return adaptiveAvg("adaptive_avg_pool3d", input, outputSize, 3); }

function adaptiveMax2dWithIndices(input: Tensor, os: number[], name: string): [Tensor, Tensor] {
  if (input.dtype !== "float32" && input.dtype !== "float64") throw new RuntimeError(`"${name}" not implemented for '${input.dtype}'`);
  const H = input.shape[input.ndim - 2]!, W = input.shape[input.ndim - 1]!, lead = input.shape.slice(0, -2);
  const g: PoolGeom = { P: lead.reduce((a, b) => a * b, 1), H, W, OH: os[0]!, OW: os[1]!, k: [1, 1], s: [1, 1], p: [0, 0], d: [1, 1] };
  const xc = input.contiguous();
  const out = Tensor._emptyUninit([...lead, g.OH, g.OW], input.dtype), ind = Tensor._emptyUninit([...lead, g.OH, g.OW], "int64");
  if (out.numel() > 0) native.pool2d(4, [out._storage.data, ind._storage.data, xc._storage.data], meta(g, dtypeCode(input), [0, 0, xc._offset]));
  const shape = input.shape;
  record(out, { name: "AdaptiveMaxPool2DBackward0", inputs: [input], save: [ind], backward: ([go]) => [maxPoolBackward(go!, ind, shape, g)] });
  return [out, ind];
}

/** F.adaptiveMaxPool2d(input, outputSize, returnIndices = false): [output, indices] when returnIndices. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: OutSize, returnIndices: boolean | { returnIndices?: boolean } = false): Tensor {
  const ri = typeof returnIndices === "object" ? returnIndices.returnIndices ?? false : returnIndices;
  const os = adaptiveSizes("adaptive_max_pool2d", input, outputSize, 2);
  const [out, ind] = adaptiveMax2dWithIndices(input, os, "adaptive_max_pool2d");
  return (ri ? [out, ind] : out) as Tensor;
}

/** F.adaptiveMaxPool1d(input, outputSize, returnIndices = false). */
export function adaptiveMaxPool1d(input: Tensor, outputSize: OutSize, returnIndices: boolean | { returnIndices?: boolean } = false): Tensor {
  const ri = typeof returnIndices === "object" ? returnIndices.returnIndices ?? false : returnIndices;
  const [os] = adaptiveSizes("adaptive_max_pool1d", input, outputSize, 1);
  const [out, ind] = adaptiveMax2dWithIndices(input.unsqueeze(-2), [1, os!], "adaptive_max_pool1d");
  const o = out.squeeze(-2), i = ind.squeeze(-2);
  return (ri ? [o, i] : o) as Tensor;
}

function check1d(name: string, x: Tensor): void {
  if (x.ndim !== 2 && x.ndim !== 3) throw new RuntimeError(`${name}() Expected 2D or 3D input tensor, but got ${JSON.stringify(x.shape)}`);
}
const one = (v: IntOrTuple | null | undefined): number | null => (v === null || v === undefined ? null : typeof v === "number" ? v : (Array.isArray(v) && v.length === 0 ? null : v[0]!));

export interface MaxPool1dOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean; returnIndices?: boolean }

/** F.maxPool1d(input, kernelSize, stride = kernelSize, padding = 0, dilation = 1, ceilMode = false, returnIndices = false). */
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<MaxPool1dOptions>>(["stride", "padding", "dilation", "ceilMode", "returnIndices"], rest,
    { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: false });
  check1d("max_pool1d", input);
  const k = one(kernelSize)!, s = one(o.stride) ?? k;
  const [out, ind] = maxPool2dWithIndices(input.unsqueeze(-2), [1, k], { stride: [1, s], padding: [0, one(o.padding)!], dilation: [1, one(o.dilation)!], ceilMode: o.ceilMode, returnIndices: true });
  const y = out.squeeze(-2), i = ind.squeeze(-2);
  return (o.returnIndices ? [y, i] : y) as Tensor;
}

export interface AvgPool1dOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; ceilMode?: boolean; countIncludePad?: boolean }

/** F.avgPool1d(input, kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true). */
export function avgPool1d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<AvgPool1dOptions>>(["stride", "padding", "ceilMode", "countIncludePad"], rest,
    { stride: null, padding: 0, ceilMode: false, countIncludePad: true });
  check1d("avg_pool1d", input);
  const k = one(kernelSize)!, s = one(o.stride) ?? k;
  return avgPool2d(input.unsqueeze(-2), [1, k], { stride: [1, s], padding: [0, one(o.padding)!], ceilMode: o.ceilMode, countIncludePad: o.countIncludePad }).squeeze(-2);
}

export interface MaxUnpoolOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; outputSize?: readonly number[] | null }

function maxUnpoolNd(name: string, nd: number, input: Tensor, indices: Tensor, kernelSize: IntOrTuple, rest: unknown[]): Tensor {
  const o = argsOf<Required<MaxUnpoolOptions>>(["stride", "padding", "outputSize"], rest, { stride: null, padding: 0, outputSize: null });
  const k = tuple(kernelSize, nd, "kernel_size"), s = o.stride === null ? k : tuple(o.stride, nd, "stride"), p = tuple(o.padding, nd, "padding");
  if (indices.dtype !== "int64") throw new RuntimeError(`elements in indices should be type int64 but got: ${indices.dtype}`);
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2) throw new RuntimeError(`Input to ${name} should be a ${nd + 1}d or ${nd + 2}d Tensor, but got a tensor with ${input.ndim} dimensions.`);
  if (input.shape.join() !== indices.shape.join())
    throw new RuntimeError(`Expected shape of indices to be same as that of the input tensor ([${input.shape.join(", ")}]) but got indices tensor with shape: [${indices.shape.join(", ")}]`);
  const sp = input.shape.slice(-nd);
  const def = sp.map((v, i) => (v - 1) * s[i]! - 2 * p[i]! + k[i]!);
  let os = def;
  if (o.outputSize !== null) {
    os = o.outputSize.length === nd + 2 || o.outputSize.length === nd + 1 ? o.outputSize.slice(-nd) : [...o.outputSize];
    if (os.length !== nd) throw new ValueError(`output_size should be a sequence containing ${nd} or ${nd + 2} elements, but it has a length of '${o.outputSize.length}'`);
    os.forEach((v, i) => {
      const mn = def[i]! - s[i]!, mx = def[i]! + s[i]!;
      if (v <= mn || v >= mx)
        throw new ValueError(`invalid output_size "[${os.join(", ")}]" (dim ${i} must be between ${mn} and ${mx})`);
    });
  }
  const lead = input.shape.slice(0, -nd), plane = os.reduce((a, b) => a * b, 1);
  const flatIn = input.reshape([...lead, -1]), flatInd = indices.reshape([...lead, -1]);
  const maxIdx = flatInd.numel() > 0 ? Number(flatInd.max().item()) : 0, minIdx = flatInd.numel() > 0 ? Number(flatInd.min().item()) : 0;
  if (minIdx < 0 || maxIdx >= plane) throw new RuntimeError(`Found an invalid max index: ${minIdx < 0 ? minIdx : maxIdx} (output volumes are of size ${os.join("x")}`);
  const out = zeros([...lead, plane], { dtype: input.dtype }).scatter(-1, flatInd, flatIn);
  return out.reshape([...lead, ...os]);
}

/** F.maxUnpool1d(input, indices, kernelSize, stride = kernelSize, padding = 0, outputSize = null). */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  return maxUnpoolNd("max_unpool1d", 1, input, indices, kernelSize, rest);
}
/** F.maxUnpool2d(input, indices, kernelSize, stride = kernelSize, padding = 0, outputSize = null). */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  return maxUnpoolNd("max_unpool2d", 2, input, indices, kernelSize, rest);
}

export interface LPPoolOptions { stride?: IntOrTuple | null; ceilMode?: boolean }

/** F.lpPool2d(input, normType, kernelSize, stride = kernelSize, ceilMode = false): PyTorch's formula on avg_pool2d. */
export function lpPool2d(input: Tensor, normType: number, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<LPPoolOptions>>(["stride", "ceilMode"], rest, { stride: null, ceilMode: false });
  const [kh, kw] = tuple(kernelSize, 2, "kernel_size") as [number, number];
  const out = avgPool2d(input.pow(normType), kernelSize, { stride: o.stride, padding: 0, ceilMode: o.ceilMode });
  return out.sign().mul(out.abs().relu()).mul(kh * kw).pow(1 / normType);
}

/** F.lpPool1d(input, normType, kernelSize, stride = kernelSize, ceilMode = false). */
export function lpPool1d(input: Tensor, normType: number, kernelSize: number, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<LPPoolOptions>>(["stride", "ceilMode"], rest, { stride: null, ceilMode: false });
  const out = avgPool1d(input.pow(normType), kernelSize, { stride: o.stride, padding: 0, ceilMode: o.ceilMode });
  return out.sign().mul(out.abs().relu()).mul(kernelSize).pow(1 / normType);
}

// ---- 3-d pooling: max and average over a box are separable, so a 2-d pool over (H, W) followed
// by a 1-d pool over D gives PyTorch's values, tie/NaN choices (d-major scan order) and gradients.

function check3d(name: string, x: Tensor): void {
  if (x.ndim !== 4 && x.ndim !== 5)
    throw new RuntimeError(`non-empty 4D or 5D (batch mode) tensor expected for input`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new RuntimeError(`"${name}" not implemented for '${x.dtype}'`);
}

/** Applies a 2-d pool over (H, W) of every D slice, then `poolD` over D (as the width of a 1-row image). */
function separable3d(x: Tensor, poolHW: (t: Tensor) => [Tensor, Tensor | null], poolD: (t: Tensor) => [Tensor, Tensor | null]): [Tensor, Tensor | null, Tensor | null] {
  const lead = x.shape.slice(0, -3), [D, H, W] = x.shape.slice(-3) as [number, number, number];
  const [a, ia] = poolHW(x.reshape([-1, H, W]));
  const OH = a.shape[1]!, OW = a.shape[2]!;
  const b = a.reshape([...lead, D, OH * OW]).movedim(-2, -1).reshape([-1, 1, D]);
  const [c, ic] = poolD(b);
  const OD = c.shape[2]!;
  const out = c.reshape([...lead, OH * OW, OD]).movedim(-1, -2).reshape([...lead, OD, OH, OW]);
  const dIdx = ic ? ic.reshape([...lead, OH * OW, OD]).movedim(-1, -2).reshape([...lead, OD, OH, OW]) : null;
  return [out, ia ? ia.reshape([...lead, D, OH, OW]) : null, dIdx];
}

export interface MaxPool3dOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean; returnIndices?: boolean }

/** F.maxPool3d(input, kernelSize, stride = kernelSize, padding = 0, dilation = 1, ceilMode = false, returnIndices = false). */
export function maxPool3d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<MaxPool3dOptions>>(["stride", "padding", "dilation", "ceilMode", "returnIndices"], rest,
    { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: false });
  check3d("max_pool3d", input);
  const k = tuple(kernelSize, 3, "kernel_size"), s = o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? k : tuple(o.stride, 3, "stride");
  const p = tuple(o.padding, 3, "padding"), d = tuple(o.dilation, 3, "dilation");
  if (p.some((v, i) => v > k[i]! / 2)) {
    throw new RuntimeError(`pad should be smaller than or equal to half of kernel size, but got kT=${k[0]} kW=${k[2]} kH=${k[1]} padT=${p[0]} padW=${p[2]} padH=${p[1]}`);
  }
  const [out, ia, id] = separable3d(input,
    (t) => maxPool2dWithIndices(t, [k[1]!, k[2]!], { stride: [s[1]!, s[2]!], padding: [p[1]!, p[2]!], dilation: [d[1]!, d[2]!], ceilMode: o.ceilMode, returnIndices: true }),
    (t) => maxPool2dWithIndices(t, [1, k[0]!], { stride: [1, s[0]!], padding: [0, p[0]!], dilation: [1, d[0]!], ceilMode: o.ceilMode, returnIndices: true }));
  if (!o.returnIndices) return out;
  const H = input.shape[input.ndim - 2]!, W = input.shape[input.ndim - 1]!;
  const ind = gather(ia!, -3, id!).add(id!.mul(H * W));  // flat d*H*W + h*W + w, as PyTorch's
  return [out, ind] as unknown as Tensor;
}

export interface AvgPool3dOptions { stride?: IntOrTuple | null; padding?: IntOrTuple; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

/** F.avgPool3d(input, kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null). */
export function avgPool3d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<AvgPool3dOptions>>(["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], rest,
    { stride: null, padding: 0, ceilMode: false, countIncludePad: true, divisorOverride: null });
  check3d("avg_pool3d", input);
  if (o.divisorOverride !== null && o.divisorOverride === 0) throw new RuntimeError("divisor must be not zero");
  const k = tuple(kernelSize, 3, "kernel_size"), s = o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? k : tuple(o.stride, 3, "stride");
  const p = tuple(o.padding, 3, "padding");
  if (p.some((v, i) => v > k[i]! / 2))
    throw new RuntimeError(`pad should be smaller than or equal to half of kernel size, but got padT=${p[0]} padW=${p[2]} padH=${p[1]}, kT=${k[0]} kW=${k[2]} kH=${k[1]}`);
  // with a divisor override: the box sum (per-dim sums) divided once
  const div = o.divisorOverride === null ? null : 1;
  const [out] = separable3d(input,
    (t) => [avgPool2d(t, [k[1]!, k[2]!], { stride: [s[1]!, s[2]!], padding: [p[1]!, p[2]!], ceilMode: o.ceilMode, countIncludePad: o.countIncludePad, divisorOverride: div }), null],
    (t) => [avgPool2d(t, [1, k[0]!], { stride: [1, s[0]!], padding: [0, p[0]!], ceilMode: o.ceilMode, countIncludePad: o.countIncludePad, divisorOverride: div }), null]);
  return o.divisorOverride === null ? out : out.div(o.divisorOverride);
}
