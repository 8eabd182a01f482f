// SPDX-License-Identifier: BSD-3-Clause
// F.maxPool2d / F.avgPool2d over native/cpu/pool.cc, and F.adaptiveAvgPool2d.
import { native } from "../../backends/cpu/native.js";
import { record } from "../../autograd/record.js";
import { RuntimeError } from "../../errors.js";
import { stack } from "../../ops/join.js";
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
    throw new RuntimeError(`pad should be at most half of effective kernel size, but got pad=${p[0]}, kernel_size=${k[0]} and dilation=${d[0]}`);
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

/** F.adaptiveAvgPool2d(input, outputSize): window i spans [floor(i*H/OH), ceil((i+1)*H/OH)). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: IntOrTuple | (number | null)[]): Tensor {
  if (input.ndim !== 3 && input.ndim !== 4)
    throw new RuntimeError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${input.shape}`);
  const H = input.shape[input.ndim - 2]!, W = input.shape[input.ndim - 1]!;
  const os = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize.map((v, i) => v ?? (i === 0 ? H : W));
  const [OH, OW] = os as [number, number];
  if (H % OH === 0 && W % OW === 0) return avgPool2d(input, [H / OH, W / OW]);  // uniform windows: one native pass
  const rows: Tensor[] = [];
  for (let i = 0; i < OH; i++) {
    const h0 = Math.floor((i * H) / OH), h1 = Math.ceil(((i + 1) * H) / OH);
    const cols: Tensor[] = [];
    for (let j = 0; j < OW; j++) {
      const w0 = Math.floor((j * W) / OW), w1 = Math.ceil(((j + 1) * W) / OW);
      cols.push(input.narrow(-2, h0, h1 - h0).narrow(-1, w0, w1 - w0).mean([-2, -1]));
    }
    rows.push(stack(cols, -1));
  }
  return stack(rows, -2);
}
