// SPDX-License-Identifier: BSD-3-Clause
// F.maxPool1d/2d, F.avgPool1d/2d, F.adaptiveMaxPool1d/2d over native/cpu/pool.cc; adaptive average
// pooling over the separable native map (sepmap.ts); F.maxUnpool1d/2d, F.lpPool1d/2d.
import { native } from "../../backends/cpu/native.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
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

function meta(g: PoolGeom, dt: number, offs: number[], extra: number[] = [0, 0]): Float64Array {
  return Float64Array.from([dt, g.P, g.H, g.W, g.OH, g.OW, g.k[0]!, g.k[1]!, g.s[0]!, g.s[1]!, g.p[0]!, g.p[1]!, g.d[0]!,
    g.d[1]!, offs[0] ?? 0, offs[1] ?? 0, offs[2] ?? 0, extra[0]!, extra[1]!]);
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
  const out = Tensor._empty([...lead, g.OH, g.OW], x.dtype), ind = Tensor._empty([...lead, g.OH, g.OW], "int64");
  if (out.numel() > 0)
    native.pool2d(0, [out._storage.data, ind._storage.data, xc._storage.data], meta(g, dtypeCode(x), [0, 0, xc._offset]));
  const shape = x.shape;
  record(out, {
    name: "MaxPool2DWithIndicesBackward0", inputs: [x], save: [ind],
    backward: ([go]) => {
      const gc = go!.contiguous();
      const gx = Tensor._empty(shape, gc.dtype);
      native.pool2d(1, [gx._storage.data, gc._storage.data, ind._storage.data], meta(g, dtypeCode(gc), [0, gc._offset, ind._offset]));
      return [gx];
    },
  });
  return [out, ind];
}

/**
 * F.maxPool2d(input, kernelSize, stride = kernelSize, padding = 0, dilation = 1, ceilMode = false,
 * returnIndices = false); returns [output, indices] when returnIndices.
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<MaxPool2dOptions>>(["stride", "padding", "dilation", "ceilMode", "returnIndices"], rest,
    { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: false });
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
  const xc = input.contiguous();
  const extra = [o.countIncludePad ? 1 : 0, o.divisorOverride ?? 0];
  const out = Tensor._empty([...lead, g.OH, g.OW], input.dtype);
  if (out.numel() > 0) native.pool2d(2, [out._storage.data, xc._storage.data], meta(g, dtypeCode(input), [0, xc._offset], extra));
  const shape = input.shape;
  return record(out, {
    name: "AvgPool2DBackward0", inputs: [input],
    backward: ([go]) => {
      const gc = go!.contiguous();
      const gx = Tensor._empty(shape, gc.dtype);
      native.pool2d(3, [gx._storage.data, gc._storage.data], meta(g, dtypeCode(gc), [0, gc._offset], extra));
      return [gx];
    },
  });
}


type OutSize = number | null | readonly (number | null)[];

function adaptiveSizes(name: string, input: Tensor, outputSize: OutSize, nd: number): number[] {
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2)
    throw new RuntimeError(`${name}(): Expected ${nd + 1}D or ${nd + 2}D tensor, but got ${JSON.stringify(input.shape)}`);
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
  const out = Tensor._empty([...lead, g.OH, g.OW], input.dtype), ind = Tensor._empty([...lead, g.OH, g.OW], "int64");
  if (out.numel() > 0) native.pool2d(4, [out._storage.data, ind._storage.data, xc._storage.data], meta(g, dtypeCode(input), [0, 0, xc._offset]));
  const shape = input.shape;
  record(out, {
    name: "AdaptiveMaxPool2DBackward0", inputs: [input], save: [ind],
    backward: ([go]) => {
      const gc = go!.contiguous();
      const gx = Tensor._empty(shape, gc.dtype);
      native.pool2d(1, [gx._storage.data, gc._storage.data, ind._storage.data], meta(g, dtypeCode(gc), [0, gc._offset, ind._offset]));
      return [gx];
    },
  });
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
