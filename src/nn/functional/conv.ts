// SPDX-License-Identifier: BSD-3-Clause
// F.conv1d/2d/3d, F.convTranspose1d/2d/3d, F.unfold and F.fold over the native im2col + GEMM
// kernels (native/cpu/conv.cc). Every spatial rank runs as a 3-d geometry with singleton leading
// dims. Three primitives close under differentiation, so double backward works:
//   fwd(x, w)     the convolution
//   bwdIn(gy, w)  its input gradient (= the transposed convolution)
//   bwdW(gy, x)   its weight gradient
// d fwd = [bwdIn, bwdW], d bwdIn = [fwd, bwdW], d bwdW = [fwd, bwdIn] with the roles swapped.
import { native } from "../../backends/cpu/native.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { needsGrad } from "../../autograd/graph.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { pad as fpad } from "./padding.js";
import { argsOf, dtypeCode, type IntOrTuple, tuple } from "./util.js";

export type Conv2dPadding = IntOrTuple | "same" | "valid";
export type ConvPadding = IntOrTuple | "same" | "valid";
export interface ConvOptions { bias?: Tensor | null; stride?: IntOrTuple; padding?: ConvPadding; dilation?: IntOrTuple; groups?: number }
export type Conv2dOptions = ConvOptions;
export interface ConvTransposeOptions {
  bias?: Tensor | null; stride?: IntOrTuple; padding?: IntOrTuple; outputPadding?: IntOrTuple; groups?: number; dilation?: IntOrTuple;
}

/** The conv geometry in 3-d form: the convolution maps x (N, C, D, H, W) to y (N, OC, OD, OH, OW). */
export interface Geom {
  N: number; C: number; sp: number[]; OC: number; k: number[]; s: number[]; p: number[]; d: number[]; G: number; osp: number[];
  xShape: number[]; wShape: number[]; yShape: number[];
}


// One descriptor reused by every call (the native call reads it synchronously and keeps nothing):
// a fresh 27-double Float64Array per call is an off-heap allocation plus garbage.
const metaScratch = new Float64Array(27);

/** Writes v, left-padded to 3 entries with `fill`, at m[at..at+3). */
function put3(m: Float64Array, at: number, v: readonly number[], fill: number): void {
  const lead = 3 - v.length;
  for (let i = 0; i < 3; i++) m[at + i] = i < lead ? fill : v[i - lead]!;
}

function meta(g: Geom, dt: number, offs: number[]): Float64Array {
  const m = metaScratch;
  m[0] = dt; m[1] = g.N; m[2] = g.C;
  put3(m, 3, g.sp, 1);
  m[6] = g.OC;
  put3(m, 7, g.k, 1);
  put3(m, 10, g.s, 1);
  put3(m, 13, g.p, 0);
  put3(m, 16, g.d, 1);
  m[19] = g.G;
  put3(m, 20, g.osp, 1);
  for (let i = 0; i < 4; i++) m[23 + i] = offs[i] ?? 0;
  return m;
}

const numel = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** y = conv(x, w) (+ bias); x, w contiguous. */
// The native kernels write every element of their result (modes 0-2), so it is allocated uninitialised.
function fwdRaw(x: Tensor, w: Tensor, g: Geom, bias: Tensor | null): Tensor {
  if (numel(g.yShape) === 0) return Tensor._empty(g.yShape, x.dtype);
  if (x.numel() === 0 || w.numel() === 0) {
    const out = Tensor._empty(g.yShape, x.dtype);
    return noGrad(() => (bias ? out.zero_().add_(bias.reshape([g.OC, ...g.osp.map(() => 1)])) : out.zero_()));
  }
  const out = Tensor._emptyUninit(g.yShape, x.dtype);
  native.conv(0, [out._storage.data, x._storage.data, w._storage.data, bias ? bias._storage.data : null],
    meta(g, dtypeCode(x), [0, x._offset, w._offset, bias?._offset ?? 0]));
  return out;
}

/** x-shaped input gradient of the convolution from gy (y-shaped); the transposed convolution. */
function bwdInRaw(gy: Tensor, w: Tensor, g: Geom): Tensor {
  if (numel(g.xShape) === 0 || gy.numel() === 0 || w.numel() === 0) return Tensor._empty(g.xShape, gy.dtype);
  const out = Tensor._emptyUninit(g.xShape, gy.dtype);
  native.conv(1, [out._storage.data, gy._storage.data, w._storage.data], meta(g, dtypeCode(gy), [0, gy._offset, w._offset, 0]));
  return out;
}

/** w-shaped weight gradient from gy (y-shaped) and x. */
function bwdWRaw(gy: Tensor, x: Tensor, g: Geom): Tensor {
  if (numel(g.wShape) === 0 || gy.numel() === 0) return Tensor._empty(g.wShape, gy.dtype);
  const out = Tensor._emptyUninit(g.wShape, gy.dtype);
  native.conv(2, [out._storage.data, gy._storage.data, x._storage.data], meta(g, dtypeCode(gy), [0, gy._offset, x._offset, 0]));
  return out;
}

const biasMeta = new Float64Array(6);

/**
 * The bias gradient: sums over the batch and the spatial dims, the contiguous spatial dims first
 * (one pass each, ~10x faster than one strided reduction). A contiguous float gradient without a
 * graph of its own takes one native call (convBiasGrad, native/cpu/reduce.cc) that computes the
 * same two sums bit for bit.
 */
function biasGrad(t: Tensor, nsp: number): Tensor {
  const f = native.convBiasGrad;
  const N = t._shape[0]!, C = t._shape[1]!, S = t.numel() / Math.max(1, N * C);
  if (f !== undefined && (t.dtype === "float32" || t.dtype === "float64") && !needsGrad([t]) && t._shape.length === nsp + 2 &&
    t.isContiguous() && N * C > 0 && S >= 1 && S <= 32768 && N <= 32768 && t._storage.device === "cpu") {
    const out = Tensor._emptyUninit([C], t.dtype);
    const m = biasMeta;
    m[0] = dtypeCode(t); m[1] = N; m[2] = C; m[3] = S; m[4] = 0; m[5] = t._offset;
    f(out._storage.data, t._storage.data, m);
    return out;
  }
  return t.sum(Array.from({ length: nsp }, (_, i) => i + 2)).sum(0);
}

export function convFwd(x: Tensor, w: Tensor, bias: Tensor | null, g: Geom): Tensor {
  const xc = x.contiguous(), wc = w.contiguous(), bc = bias ? bias.contiguous() : null;
  const out = noGrad(() => fwdRaw(xc, wc, g, bc));
  return record(out, {
    name: "ConvolutionBackward0", inputs: [x, w, bias], save: [xc, wc],
    backward: ([gy], [xs, ws]) => [
      x.requiresGrad ? convBwdIn(gy!, ws!, null, g) : null,
      w.requiresGrad ? convBwdW(gy!, xs!, g) : null,
      bias ? biasGrad(gy!, g.osp.length) : null,
    ],
  });
}

/** The transposed convolution: x-shaped result from a y-shaped gy, plus an optional bias on C. */
export function convBwdIn(gy: Tensor, w: Tensor, bias: Tensor | null, g: Geom): Tensor {
  const gc = gy.contiguous(), wc = w.contiguous();
  let out = noGrad(() => bwdInRaw(gc, wc, g));
  if (bias) noGrad(() => { out = out.add_(bias.reshape([g.C, ...g.sp.map(() => 1)])); });
  return record(out, {
    name: "ConvolutionBackward0", inputs: [gy, w, bias], save: [gc, wc],
    backward: ([gx], [gs, ws]) => [
      gy.requiresGrad ? convFwd(gx!, ws!, null, g) : null,
      w.requiresGrad ? convBwdW(gs!, gx!, g) : null,
      bias ? biasGrad(gx!, g.sp.length) : null,
    ],
  });
}

function convBwdW(gy: Tensor, x: Tensor, g: Geom): Tensor {
  const gc = gy.contiguous(), xc = x.contiguous();
  const out = noGrad(() => bwdWRaw(gc, xc, g));
  return record(out, {
    name: "ConvolutionBackwardBackward0", inputs: [gy, x], save: [gc, xc],
    backward: ([gw], [gs, xs]) => [
      gy.requiresGrad ? convFwd(xs!, gw!, null, g) : null,
      x.requiresGrad ? convBwdIn(gs!, gw!, null, g) : null,
    ],
  });
}

const sizeStr = (t: Tensor): string => `[${t.shape.join(", ")}]`;
const RANK_WORDS = ["", "1D", "2D", "3D", "4D", "5D"];

/** Shared argument checks of conv{1,2,3}d; returns the batched input (and whether it was unbatched). */
function checkConvInput(name: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null, groups: number): [Tensor, boolean] {
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2)
    throw new RuntimeError(`Expected ${RANK_WORDS[nd + 1]} (unbatched) or ${RANK_WORDS[nd + 2]} (batched) input to ${name}, but got input of size: ${sizeStr(input)}`);
  if (weight.ndim !== nd + 2)
    throw new RuntimeError(`weight should have at least three dimensions`);
  if (input.dtype !== weight.dtype || (bias && bias.dtype !== input.dtype))
    throw new RuntimeError(`expected scalar type ${input.dtype === "float64" ? "Double" : "Float"} but found ${weight.dtype === "float64" ? "Double" : "Float"}`);
  if (input.dtype !== "float32" && input.dtype !== "float64")
    throw new RuntimeError(`"slow_conv2d_cpu" not implemented for '${input.dtype === "int64" ? "Long" : input.dtype}'`);
  if (!Number.isInteger(groups) || groups <= 0) throw new RuntimeError("non-positive groups is not supported");
  const unbatched = input.ndim === nd + 1;
  return [unbatched ? input.unsqueeze(0) : input, unbatched];
}

function convNd(name: string, nd: number, input: Tensor, weight: Tensor, rest: unknown[]): Tensor {
  const o = argsOf<Required<ConvOptions>>(["bias", "stride", "padding", "dilation", "groups"], rest,
    { bias: null, stride: 1, padding: 0, dilation: 1, groups: 1 });
  const { x, unbatched, g } = convSetup(name, nd, input, weight, o);
  const y = convFwd(x, weight, o.bias, g);
  return unbatched ? y.squeeze(0) : y;
}

/** The checked arguments of conv{1,2,3}d: the batched (and, for odd 'same' padding, padded) input and the geometry. */
function convSetup(name: string, nd: number, input: Tensor, weight: Tensor, o: Required<ConvOptions>): { x: Tensor; unbatched: boolean; g: Geom } {
  const G = o.groups;
  let [x, unbatched] = checkConvInput(name, nd, input, weight, o.bias, G);
  const stride = tuple(o.stride, nd, "stride"), dilation = tuple(o.dilation, nd, "dilation");
  const N = x.shape[0]!, C = x.shape[1]!, OC = weight.shape[0]!, Cg = weight.shape[1]!;
  const k = weight.shape.slice(2);
  if (C !== Cg * G)
    throw new RuntimeError(`Given groups=${G}, weight of size ${sizeStr(weight)}, expected input${sizeStr(x)} to have ${Cg * G} channels, but got ${C} channels instead`);
  if (OC % G !== 0)
    throw new RuntimeError(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size ${sizeStr(weight)} instead`);
  if (stride.some((s) => s <= 0)) throw new RuntimeError("non-positive stride is not supported");
  if (dilation.some((d) => d <= 0)) throw new RuntimeError("dilation should be greater than zero");
  let pad: number[];
  if (o.padding === "valid") pad = Array(nd).fill(0) as number[];
  else if (o.padding === "same") {
    if (stride.some((s) => s !== 1)) throw new RuntimeError("padding='same' is not supported for strided convolutions");
    const total = k.map((kk, i) => dilation[i]! * (kk - 1));
    pad = total.map((t) => Math.floor(t / 2));
    // odd totals: the extra element goes after, as PyTorch's _convolution_mode pads
    if (total.some((t) => t % 2 === 1)) {
      const extra: number[] = [];
      for (let i = nd - 1; i >= 0; i--) extra.push(0, total[i]! % 2);
      x = fpad(x, extra);
    }
  } else {
    if (typeof o.padding === "string") throw new ValueError(`Invalid padding string '${o.padding}', should be one of {'valid', 'same'}`);
    pad = tuple(o.padding, nd, "padding");
    if (pad.some((p) => p < 0)) throw new RuntimeError("negative padding is not supported");
  }
  const sp = x.shape.slice(2);
  const osp = sp.map((s, i) => Math.floor((s + 2 * pad[i]! - dilation[i]! * (k[i]! - 1) - 1) / stride[i]!) + 1);
  if (osp.some((v) => v <= 0)) {
    const padded = sp.map((s, i) => s + 2 * pad[i]!).join(" x "), ks = k.map((kk, i) => (kk - 1) * dilation[i]! + 1).join(" x ");
    throw new RuntimeError(`Calculated padded input size per channel: (${padded}). Kernel size: (${ks}). Kernel size can't be greater than actual input size`);
  }
  const bias = o.bias;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OC))
    throw new RuntimeError(`Given weight of size ${sizeStr(weight)}, expected bias to be 1-dimensional with ${OC} elements, but got bias of size ${sizeStr(bias)} instead`);
  const g: Geom = { N, C, sp, OC, k, s: stride, p: pad, d: dilation, G, osp, xShape: [N, C, ...sp], wShape: [...weight.shape], yShape: [N, OC, ...osp] };
  return { x, unbatched, g };
}

/** Eval BatchNorm's tensors for the fused forward: its running statistics, affine weight and bias, eps. */
export interface FusedBatchNorm { runningMean: Tensor; runningVar: Tensor; weight: Tensor | null; bias: Tensor | null; eps: number }

const fusedMetaScratch = new Float64Array(37);
const isF32 = (t: Tensor | null): boolean => t === null || t.dtype === "float32";

/**
 * Inference (nothing recorded for autograd): F.conv2d(x, weight, opts), then eval F.batchNorm with
 * `bn`'s running statistics (when given), then `+ residual` (when given), then ReLU (when `relu`),
 * in one native call whose result is bit for bit that of the separate ops (native/cpu/
 * conv_epilogue.h): ResNet's blocks (src/vision/models/resnet.ts). With `maxPoolPadding` (0 or 1;
 * ResNet's stem), then F.maxPool2d(y, 3, 2, padding) (values only, ceil_mode false) in the same
 * call: the convolution's output never becomes a tensor. Returns null, computing nothing,
 * where it does not apply: not float32, a 4-d batched input, a residual of the output's exact
 * shape, or a graph to record (or a pool the native side does not take); the caller then runs
 * the separate ops.
 */
export function _conv2dFused(input: Tensor, weight: Tensor, opts: ConvOptions, bn: FusedBatchNorm | null, residual: Tensor | null,
  relu: boolean, maxPoolPadding: number | null = null): Tensor | null {
  const o: Required<ConvOptions> = { bias: opts.bias ?? null, stride: opts.stride ?? 1, padding: opts.padding ?? 0, dilation: opts.dilation ?? 1, groups: opts.groups ?? 1 };
  if (input.ndim !== 4 || !isF32(input) || !isF32(weight) || !isF32(o.bias) || !isF32(residual)) return null;
  if (bn && (!isF32(bn.weight) || !isF32(bn.bias))) return null;
  if (needsGrad([input, weight, o.bias, residual, bn?.weight ?? null, bn?.bias ?? null])) return null;
  const { x, g } = convSetup("conv2d", 2, input, weight, o);
  const OC = g.OC;
  if (bn && (bn.runningMean.numel() !== OC || bn.runningVar.numel() !== OC || (bn.weight && bn.weight.numel() !== OC) || (bn.bias && bn.bias.numel() !== OC)))
    return null;
  if (residual && (residual.ndim !== 4 || residual.shape.some((v, i) => v !== g.yShape[i]))) return null;
  if (numel(g.yShape) === 0 || x.numel() === 0 || weight.numel() === 0) return null;
  const xc = x.contiguous(), wc = weight.contiguous(), bc = o.bias ? o.bias.contiguous() : null;
  const rc = residual ? residual.contiguous() : null;
  const rm = bn ? bn.runningMean.contiguous().to("float32") : null, rv = bn ? bn.runningVar.contiguous().to("float32") : null;
  const bw = bn?.weight ? bn.weight.contiguous() : null, bb = bn?.bias ? bn.bias.contiguous() : null;
  let yShape = g.yShape;
  if (maxPoolPadding !== null) {
    if (maxPoolPadding !== 0 && maxPoolPadding !== 1) return null;
    const [oh, ow] = g.osp as [number, number];
    const ph = Math.floor((oh + 2 * maxPoolPadding - 3) / 2) + 1, pw = Math.floor((ow + 2 * maxPoolPadding - 3) / 2) + 1;
    if (ph <= 0 || pw <= 0) return null;
    yShape = [g.N, OC, ph, pw];
  }
  const out = Tensor._emptyUninit(yShape, "float32");
  const m = fusedMetaScratch;
  m.set(meta(g, dtypeCode(xc), [0, xc._offset, wc._offset, bc?._offset ?? 0]));
  m[27] = bn ? bn.eps : 0;
  m[28] = (bw ? 1 : 0) | (bb ? 2 : 0) | (bn ? 4 : 0) | (relu ? 8 : 0) | (rc ? 16 : 0) | (maxPoolPadding !== null ? 32 : 0);
  m[29] = rm?._offset ?? 0; m[30] = rv?._offset ?? 0; m[31] = bw?._offset ?? 0; m[32] = bb?._offset ?? 0; m[33] = rc?._offset ?? 0;
  m[34] = maxPoolPadding ?? 0; m[35] = yShape[2]!; m[36] = yShape[3]!;
  const d = (t: Tensor | null): ArrayBufferView | null => (t ? t._storage.data as ArrayBufferView : null);
  const done = native.conv(5, [out._storage.data, xc._storage.data, wc._storage.data, d(bc), d(rm), d(rv), d(bw), d(bb), d(rc)], m) as unknown;
  return done === false ? null : out;
}

/** F.conv1d(input, weight, bias?, stride = 1, padding = 0, dilation = 1, groups = 1); input (N, C, L) or (C, L). */
export function conv1d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor { return convNd("conv1d", 1, input, weight, rest); }
/**
 * F.conv2d(input, weight, bias?, stride = 1, padding = 0, dilation = 1, groups = 1); any of the
 * optional arguments may also come in a trailing options object. Input (N, C, H, W) or (C, H, W).
 */
export function conv2d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor { return convNd("conv2d", 2, input, weight, rest); }
/** F.conv3d(input, weight, bias?, stride = 1, padding = 0, dilation = 1, groups = 1); input (N, C, D, H, W) or unbatched. */
export function conv3d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor { return convNd("conv3d", 3, input, weight, rest); }

/** The output size of a transposed convolution (without output padding) per spatial dim. */
export function convTransposeOutSize(insp: number[], k: number[], s: number[], p: number[], d: number[]): number[] {
  return insp.map((v, i) => (v - 1) * s[i]! - 2 * p[i]! + d[i]! * (k[i]! - 1) + 1);
}

function convTransposeNd(name: string, nd: number, input: Tensor, weight: Tensor, rest: unknown[]): Tensor {
  const o = argsOf<Required<ConvTransposeOptions>>(["bias", "stride", "padding", "outputPadding", "groups", "dilation"], rest,
    { bias: null, stride: 1, padding: 0, outputPadding: 0, groups: 1, dilation: 1 });
  const G = o.groups;
  const [x, unbatched] = checkConvInput(name, nd, input, weight, o.bias, G);
  const s = tuple(o.stride, nd, "stride"), p = tuple(o.padding, nd, "padding"), op = tuple(o.outputPadding, nd, "output_padding");
  const d = tuple(o.dilation, nd, "dilation");
  const N = x.shape[0]!, Cin = x.shape[1]!, OCg = weight.shape[1]!, k = weight.shape.slice(2);
  if (Cin !== weight.shape[0]!)
    throw new RuntimeError(`Given transposed=1, weight of size ${sizeStr(weight)}, expected input${sizeStr(x)} to have ${weight.shape[0]} channels, but got ${Cin} channels instead`);
  if (Cin % G !== 0)
    throw new RuntimeError(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size ${sizeStr(weight)} instead`);
  if (op.some((v, i) => v >= s[i]! && v >= d[i]!))
    throw new RuntimeError(`output padding must be smaller than either stride or dilation, got output_padding=${pyTuple(op)}, stride=${pyTuple(s)}, dilation=${pyTuple(d)}`);
  const insp = x.shape.slice(2);
  const osp = convTransposeOutSize(insp, k, s, p, d).map((v, i) => v + op[i]!);
  if (osp.some((v) => v <= 0))
    throw new RuntimeError(`Given input size per channel: (${insp.join(" x ")}). Calculated output size per channel: (${osp.join(" x ")}). Output size is too small`);
  const C = OCg * G;
  const bias = o.bias;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== C))
    throw new RuntimeError(`Given transposed=1, weight of size ${sizeStr(weight)}, expected bias to be 1-dimensional with ${C} elements, but got bias of size ${sizeStr(bias)} instead`);
  // the convolution whose input gradient this is: input (N, C, osp) -> output (N, Cin, insp)
  const g: Geom = { N, C, sp: osp, OC: Cin, k, s, p, d, G, osp: insp, xShape: [N, C, ...osp], wShape: [...weight.shape], yShape: [N, Cin, ...insp] };
  const y = convBwdIn(x, weight, bias, g);
  return unbatched ? y.squeeze(0) : y;
}

const pyTuple = (v: number[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`);

/** F.convTranspose1d(input, weight, bias?, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1). */
export function convTranspose1d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor { return convTransposeNd("conv_transpose1d", 1, input, weight, rest); }
/** F.convTranspose2d(input, weight, bias?, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1). */
export function convTranspose2d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor { return convTransposeNd("conv_transpose2d", 2, input, weight, rest); }
/** F.convTranspose3d(input, weight, bias?, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1). */
export function convTranspose3d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor { return convTransposeNd("conv_transpose3d", 3, input, weight, rest); }

// ---- unfold / fold (im2col / col2im), each the other's gradient ----

interface FoldGeom { g: Geom; colShape: number[]; imShape: number[] }

function im2col(x: Tensor, fg: FoldGeom): Tensor {
  const xc = x.contiguous();
  const out = Tensor._emptyUninit(fg.colShape, x.dtype);
  if (out.numel() > 0) native.conv(3, [out._storage.data, xc._storage.data], meta(fg.g, dtypeCode(x), [0, xc._offset]));
  return record(out, { name: "Im2ColBackward0", inputs: [x], backward: ([gc]) => [col2im(gc!, fg)] });
}

function col2im(col: Tensor, fg: FoldGeom): Tensor {
  const cc = col.contiguous();
  const out = Tensor._emptyUninit(fg.imShape, col.dtype);
  if (out.numel() > 0) native.conv(4, [out._storage.data, cc._storage.data], meta(fg.g, dtypeCode(col), [0, cc._offset]));
  return record(out, { name: "Col2ImBackward0", inputs: [col], backward: ([gi]) => [im2col(gi!, fg)] });
}

export interface UnfoldOptions { dilation?: IntOrTuple; padding?: IntOrTuple; stride?: IntOrTuple }

function foldGeom(N: number, C: number, sp: number[], k: number[], d: number[], p: number[], s: number[]): FoldGeom {
  const osp = sp.map((v, i) => Math.floor((v + 2 * p[i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1);
  const K = numel(k), L = numel(osp);
  const g: Geom = { N, C, sp, OC: 1, k, s, p, d, G: 1, osp, xShape: [N, C, ...sp], wShape: [], yShape: [] };
  return { g, colShape: [N, C * K, L], imShape: [N, C, ...sp] };
}

function checkPositive(k: number[], d: number[], p: number[], s: number[]): void {
  if (k.some((v) => v <= 0)) throw new RuntimeError(`kernel size should be greater than zero, but got kernel_height: ${k[0]} kernel_width: ${k[1]}`);
  if (d.some((v) => v <= 0)) throw new RuntimeError(`dilation should be greater than zero, but got dilation_height: ${d[0]} dilation_width: ${d[1]}`);
  if (p.some((v) => v < 0)) throw new RuntimeError(`padding should be non-negative, but got pad_height: ${p[0]} pad_width: ${p[1]}`);
  if (s.some((v) => v <= 0)) throw new RuntimeError(`stride should be greater than zero, but got stride_height: ${s[0]} stride_width: ${s[1]}`);
}

/** F.unfold(input, kernelSize, dilation = 1, padding = 0, stride = 1): (N, C, H, W) -> (N, C*kH*kW, L). */
export function unfold(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<UnfoldOptions>>(["dilation", "padding", "stride"], rest, { dilation: 1, padding: 0, stride: 1 });
  if (input.ndim !== 4 && input.ndim !== 3)
    throw new RuntimeError(`Expected 3D or 4D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: ${sizeStr(input)}`);
  if (input.ndim === 3) return unfold(input.unsqueeze(0), kernelSize, o).squeeze(0);
  const k = tuple(kernelSize, 2, "kernel_size"), d = tuple(o.dilation, 2, "dilation"), p = tuple(o.padding, 2, "padding"), s = tuple(o.stride, 2, "stride");
  checkPositive(k, d, p, s);
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const fg = foldGeom(N, C, [H, W], k, d, p, s);
  const [oh, ow] = fg.g.osp as [number, number];
  if (oh < 1 || ow < 1)
    throw new RuntimeError(`Given input with spatial size (${H}, ${W}), kernel_size=(${k[0]}, ${k[1]}), dilation=(${d[0]}, ${d[1]}), padding=(${p[0]}, ${p[1]}), calculated shape of the array of sliding blocks as (${oh}, ${ow}), but its components must be at least one.`);
  return im2col(input, fg);
}

/** F.fold(input, outputSize, kernelSize, dilation = 1, padding = 0, stride = 1): (N, C*kH*kW, L) -> (N, C, H, W). */
export function fold(input: Tensor, outputSize: IntOrTuple, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = argsOf<Required<UnfoldOptions>>(["dilation", "padding", "stride"], rest, { dilation: 1, padding: 0, stride: 1 });
  if (input.ndim !== 3 && input.ndim !== 2)
    throw new RuntimeError(`Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: ${sizeStr(input)}`);
  if (input.ndim === 2) return fold(input.unsqueeze(0), outputSize, kernelSize, o).squeeze(0);
  const os = tuple(outputSize, 2, "output_size"), k = tuple(kernelSize, 2, "kernel_size");
  const d = tuple(o.dilation, 2, "dilation"), p = tuple(o.padding, 2, "padding"), s = tuple(o.stride, 2, "stride");
  checkPositive(k, d, p, s);
  const [N, CK, L] = input.shape as [number, number, number];
  const K = k[0]! * k[1]!;
  if (CK % K !== 0)
    throw new RuntimeError(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${CK} and kernel_size=(${k[0]}, ${k[1]}).`);
  const fg = foldGeom(N, CK / K, os, k, d, p, s);
  const [bh, bw] = fg.g.osp as [number, number];
  if (bh < 1 || bw < 1)
    throw new RuntimeError(`Given output_size=(${os[0]}, ${os[1]}), kernel_size=(${k[0]}, ${k[1]}), dilation=(${d[0]}, ${d[1]}), padding=(${p[0]}, ${p[1]}), stride=(${s[0]}, ${s[1]}), calculated shape of the array of sliding blocks as (${bh}, ${bw}), which is too small (non-positive)`);
  if (L !== bh * bw)
    throw new RuntimeError(`Given output_size=(${os[0]}, ${os[1]}), kernel_size=(${k[0]}, ${k[1]}), dilation=(${d[0]}, ${d[1]}), padding=(${p[0]}, ${p[1]}), stride=(${s[0]}, ${s[1]}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${bh} * ${bw} = ${bh * bw}, but got input.size(2)=${L}.`);
  return col2im(input, fg);
}
