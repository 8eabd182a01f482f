// SPDX-License-Identifier: BSD-3-Clause
// F.linear, the activations (torch/nn/functional.py), softmax / logSoftmax / softmin and dropout.
// Each pointwise activation computes its forward without grad and records one node with
// PyTorch's name (EluBackward0, SoftplusBackward0, ...) and PyTorch's derivative formula, written
// with tensor ops so it is differentiable again.
import { noGrad } from "../../autograd/grad-mode.js";
import { needsGrad } from "../../autograd/graph.js";
import { inplace as inplaceOp, record } from "../../autograd/record.js";
import { elementwise } from "../../ops/elementwise.js";
import { IndexError, RuntimeError, ValueError, AssertionError } from "../../errors.js";
import { addmm, mm } from "../../ops/linalg.js";
import { runElementwise } from "../../ops/kernel.js";
import { native } from "../../backends/cpu/native.js";
import { DTYPE_CODE, type TypedArray } from "../../tensor/dtype.js";
import { empty, onesLike } from "../../ops/creation.js";
import { expm1, log1p, where } from "../../ops/math.js";
import { cat } from "../../ops/join.js";
import { Tensor } from "../../tensor/tensor.js";
import { argsOf } from "./util.js";
import { softmaxLastDim } from "../../ops/softmax.js";


/** F.linear(input, weight, bias?): input @ weight^T + bias; (*, in) -> (*, out). */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (linearFastApplies(input, weight, bias)) return linear2d(input, weight, bias);
  if (input.ndim === 2 && bias !== null) return addmm(bias, input, weight.t());  // AddmmBackward0, as PyTorch
  const y = input.matmul(weight.t());
  return bias !== null ? y.add(bias) : y;
}

// ---- the 2-D float fast path of F.linear --------------------------------------------------------
// The same products as addmm(bias, x, weight.t()) / mm(x, weight.t()) and their backward
// (mm_mat1_backward / mm_mat2_backward), each the very same native GEMM call with the same operand
// strides (so bit for bit the same results), the same graph (AddmmBackward0 or MmBackward0 over
// TBackward0), but without their per-call descriptors, closures and zero-filled outputs: a GEMM
// with beta 0 writes every element of C without reading it.

/** Whether linear2d computes F.linear(input, weight, bias): 2-D input, float32/float64 CPU operands of one dtype, fitting shapes. */
function linearFastApplies(input: Tensor, weight: Tensor, bias: Tensor | null): boolean {
  const d = input.dtype;
  if ((d !== "float32" && d !== "float64") || input._shape.length !== 2 || weight._shape.length !== 2 || weight.dtype !== d) return false;
  if (input._shape[1] !== weight._shape[1] || input._storage.device !== "cpu" || weight._storage.device !== "cpu") return false;
  if (bias === null) return true;
  return bias.dtype === d && bias._shape.length === 1 && bias._shape[0] === weight._shape[0] && bias._storage.device === "cpu";
}

const gemmDesc = new Float64Array(19);
const gemmBufs: (TypedArray | null)[] = [null, null, null];

/**
 * C = beta*C + A@B through native.matmul, for 2-D operands given as (storage, offset, row stride,
 * column stride): the descriptor linalg's gemmInto builds for 2-D tensors. C [M, N], A [M, K], B [K, N].
 */
function gemm2d(dtype: "float32" | "float64", M: number, N: number, K: number, c: Tensor, crs: number, ccs: number,
  a: Tensor, ars: number, acs: number, b: Tensor, brs: number, bcs: number, beta: number): void {
  if (M === 0 || N === 0) return;
  const d = gemmDesc;
  d[0] = DTYPE_CODE[dtype]; d[1] = 1; d[2] = M; d[3] = N; d[4] = K;
  d[5] = c._offset; d[6] = 0; d[7] = crs; d[8] = ccs;
  d[9] = a._offset; d[10] = 0; d[11] = ars; d[12] = acs;
  d[13] = b._offset; d[14] = 0; d[15] = brs; d[16] = bcs;
  d[17] = 1; d[18] = beta;
  gemmBufs[0] = c._storage.data; gemmBufs[1] = a._storage.data; gemmBufs[2] = b._storage.data;
  try {
    native.matmul(gemmBufs as TypedArray[], d);
  } finally {
    gemmBufs[0] = gemmBufs[1] = gemmBufs[2] = null;  // the scratch never keeps a storage alive
  }
}

const ntDesc = new Float64Array(12);

/**
 * out = input @ weight^T (+ bias) in one native call for float32 operands contiguous along K (the
 * unpacked NT kernel, native/cpu/linear.cc, with the bias added in its epilogue): the same kernel
 * and bits as gemm2d's addmm / mm, without copying the bias into out first. False where it does
 * not apply (then nothing is written).
 */
function linearNT(out: Tensor, input: Tensor, weight: Tensor, bias: Tensor | null, relu = false): boolean {
  const f = native.linearNT;
  if (f === undefined || input.dtype !== "float32" || input._strides[1] !== 1 || weight._strides[1] !== 1) return false;
  const d = ntDesc;
  d[0] = input._shape[0]!; d[1] = weight._shape[0]!; d[2] = input._shape[1]!;
  d[3] = out._offset; d[4] = out._strides[0]!;
  d[5] = input._offset; d[6] = input._strides[0]!;
  d[7] = weight._offset; d[8] = weight._strides[0]!;
  d[9] = bias !== null ? bias._offset : 0; d[10] = bias !== null ? bias._strides[0]! : 0;
  d[11] = relu ? 1 : 0;
  return f(d, out._storage.data, input._storage.data, weight._storage.data, bias !== null ? bias._storage.data : null);
}

/** A fresh (M, N) result of A@B (beta 0: nothing reads the uninitialised elements). */
function mmFresh(dtype: "float32" | "float64", M: number, N: number, K: number, a: Tensor, ars: number, acs: number,
  b: Tensor, brs: number, bcs: number): Tensor {
  const c = Tensor._emptyUninit([M, N], dtype);
  gemm2d(dtype, M, N, K, c, N, 1, a, ars, acs, b, brs, bcs, 0);
  return c;
}

/** input (N, in) @ weight^T (in, out) [+ bias], as addmm / mm. */
function linear2d(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const dtype = input.dtype as "float32" | "float64";
  const N = input._shape[0]!, K = input._shape[1]!, O = weight._shape[0]!;
  const ws0 = weight._strides[0]!, ws1 = weight._strides[1]!;  // weight^T is (in, out) with strides (ws1, ws0)
  const grad = needsGrad([input, weight, bias]);
  // PyTorch's weight.t() comes first (TBackward0 is numbered before the product's node)
  const wT = grad ? weight.t() : null;
  const out = Tensor._emptyUninit([N, O], dtype);
  if (N * O !== 0 && !linearNT(out, input, weight, bias)) {
    if (bias !== null) runElementwise("copy", out, [bias]);  // addmm: out = bias broadcast, then out += x @ w^T
    gemm2d(dtype, N, O, K, out, O, 1, input, input._strides[0]!, input._strides[1]!, weight, ws1, ws0, bias !== null ? 1 : 0);
  }
  if (!grad) return out;
  const backward = ([g]: (Tensor | null)[], [a, b]: Tensor[], needs: readonly boolean[]): (Tensor | null)[] => {
    const gx = needs[bias !== null ? 1 : 0] === true, gw = needs[bias !== null ? 2 : 1] === true;
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (g!.dtype !== dtype || needsGrad([g, a, b])) {
      // a graph of the backward itself (double backward): the differentiable formulas
      if (gx) dx = columnMajor(a!) ? mm(b!, g!.t()).t() : mm(g!, b!.t());
      if (gw) dw = columnMajor(b!) ? mm(g!.t(), a!).t() : mm(a!.t(), g!);
    } else if (linearBackwardNative(dtype, g!, a!, b!, N, K, O, gx, gw, bias !== null && needs[0] === true, lbOut)) {
      const db = lbOut[2];
      [dx, dw] = lbOut;
      lbOut[0] = lbOut[1] = lbOut[2] = null;  // the scratch never keeps a gradient alive
      return bias !== null ? [db, dx, dw] : [dx, dw];
    } else {
      const G = g!, gs0 = G._strides[0]!, gs1 = G._strides[1]!;
      const A = a!, as0 = A._strides[0]!, as1 = A._strides[1]!;
      const B = b!, bs0 = B._strides[0]!, bs1 = B._strides[1]!;  // B = weight^T (in, out)
      // mm_mat1_backward: g @ B^T, or (B @ g^T)^T when the input is column-major
      if (gx) dx = columnMajor(A) ? mmFresh(dtype, K, N, O, B, bs0, bs1, G, gs1, gs0).t() : mmFresh(dtype, N, K, O, G, gs0, gs1, B, bs1, bs0);
      // mm_mat2_backward: A^T @ g, or (g^T @ A)^T when weight^T is column-major (a row-major weight)
      if (gw) dw = columnMajor(B) ? mmFresh(dtype, O, K, N, G, gs1, gs0, A, as0, as1).t() : mmFresh(dtype, K, O, N, A, as1, as0, G, gs0, gs1);
    }
    return bias !== null ? [needs[0] === true ? g! : null, dx, dw] : [dx, dw];
  };
  return bias !== null
    ? record(out, { name: "AddmmBackward0", inputs: [bias, input, wT], save: [input, wT!], backward })
    : record(out, { name: "MmBackward0", inputs: [input, wT], save: [input, wT!], backward });
}

const lbDesc = new Float64Array(16);
const lbOut: [Tensor | null, Tensor | null, Tensor | null] = [null, null, null];

/**
 * The fast path's backward in one native call (native/cpu/linear_bwd.cc): into out, dx = g @ B^T
 * (N, K), dw = (A^T @ g) as the transposed view of a contiguous (O, K) gradient, and db = g summed
 * over its rows (O), each only where asked for; the same GEMM calls and operand strides as the
 * mmFresh formulas in linear2d (and the sum's order), so the same bits, without their separate native
 * calls and without the bias gradient's reduction in record(). False (nothing computed) where it
 * does not apply: a column-major input or a weight that is not row-major contiguous.
 */
function linearBackwardNative(dtype: "float32" | "float64", G: Tensor, A: Tensor, B: Tensor, N: number, K: number, O: number,
  gx: boolean, gw: boolean, gb: boolean, out: [Tensor | null, Tensor | null, Tensor | null]): boolean {
  const f = native.linearBackward;
  // B = weight^T (K, O): a row-major contiguous weight is column-major here
  if (f === undefined || (!gx && !gw && !gb) || columnMajor(A) || !columnMajor(B) || G._storage.device !== "cpu") return false;
  const dx = gx ? Tensor._emptyUninit([N, K], dtype) : null;
  const dwT = gw ? Tensor._emptyUninit([O, K], dtype) : null;
  // the bias gradient natively only where sum(0) adds each column in order: not a column that is
  // contiguous over 16+ rows (summed with 16 accumulators) nor over 32768 rows (summed in blocks);
  // then g goes to record()'s sumToShape
  const nativeDb = gb && (N < 16 || G._strides[0] !== 1) && N <= 32768;
  const db = nativeDb ? Tensor._emptyUninit([O], dtype) : null;
  const d = lbDesc;
  d[0] = DTYPE_CODE[dtype]; d[1] = N; d[2] = K; d[3] = O;
  d[4] = G._offset; d[5] = G._strides[0]!; d[6] = G._strides[1]!;
  d[7] = A._offset; d[8] = A._strides[0]!; d[9] = A._strides[1]!;
  d[10] = B._offset; d[11] = B._strides[1]!; d[12] = B._strides[0]!;  // the weight (O, K) itself
  d[13] = 0; d[14] = 0; d[15] = 0;
  f(d, G._storage.data, A._storage.data, B._storage.data, dx !== null ? dx._storage.data : null,
    dwT !== null ? dwT._storage.data : null, db !== null ? db._storage.data : null);
  out[0] = dx; out[1] = dwT !== null ? dwT.t() : null; out[2] = db ?? (gb ? G : null);
  return true;
}

/**
 * @internal F.relu(F.linear(input, weight, bias)) for inference (nothing to record: no input
 * requires grad, or grad mode is off), the same bits as the two ops: 2-d float input, the ReLU
 * applied in the NT kernel's epilogue (native/cpu/linear.cc) or, where that kernel does not take
 * the product, in place on the fresh product (no one else holds it). Null, computing nothing,
 * where it does not apply (then the caller runs the two ops). nn.Sequential takes it for a stock
 * Linear followed by a stock ReLU (container.ts).
 */
export function _linearRelu(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor | null {
  if (!linearFastApplies(input, weight, bias) || needsGrad([input, weight, bias])) return null;
  const dtype = input.dtype as "float32" | "float64";
  const N = input._shape[0]!, K = input._shape[1]!, O = weight._shape[0]!;
  const out = Tensor._emptyUninit([N, O], dtype);
  if (N * O === 0 || linearNT(out, input, weight, bias, true)) return out;
  if (bias !== null) runElementwise("copy", out, [bias]);
  gemm2d(dtype, N, O, K, out, O, 1, input, input._strides[0]!, input._strides[1]!, weight, weight._strides[1]!, weight._strides[0]!, bias !== null ? 1 : 0);
  return out.relu_();
}

/** Whether a matrix is a transposed contiguous one (column-major), as linalg's mm backward tests. */
function columnMajor(t: Tensor): boolean {
  return t._strides[0] === 1 && t._strides[1] === t._shape[0];
}

/** F.bilinear(input1, input2, weight, bias?): y_o = x1^T W_o x2 + b_o; (*, in1), (*, in2) -> (*, out). */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (input1.ndim !== input2.ndim)
    throw new RuntimeError(`bilinear(): input dimensions do not match: got ${input1.ndim} and ${input2.ndim}`);
  for (let i = 0; i < input1.ndim - 1; i++)
    if (input1.shape[i] !== input2.shape[i])
      throw new RuntimeError(`bilinear(): input batch dimensions do not match at dim ${i}: got ${input1.shape[i]} and ${input2.shape[i]}`);
  const [out, in1, in2] = weight.shape as [number, number, number];
  if (input1.shape[input1.ndim - 1] !== in1)
    throw new RuntimeError(`bilinear(): input1 size does not match weight size: got ${input1.shape[input1.ndim - 1]} but expected ${in1}`);
  if (input2.shape[input2.ndim - 1] !== in2)
    throw new RuntimeError(`bilinear(): input2 size does not match weight size: got ${input2.shape[input2.ndim - 1]} but expected ${in2}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== out))
    throw new RuntimeError(`bilinear(): bias size does not match weight size: got ${bias.shape[0]} but expected ${out}`);
  const lead = input1.shape.slice(0, -1);
  const x1 = input1.reshape([-1, in1]), x2 = input2.reshape([-1, in2]);  // (N, in1), (N, in2)
  // (N, in1) @ (in1, out * in2) -> (N, out, in2), times x2 over in2
  const t = x1.matmul(weight.permute(1, 0, 2).reshape([in1, out * in2])).reshape([-1, out, in2]);
  let y = t.mul(x2.unsqueeze(1)).sum(-1);  // (N, out)
  if (bias !== null) y = y.add(bias);
  return y.reshape([...lead, out]);
}

/** Native kernels for an activation: forward f(x) and backward f(g, x), with their scalars. */
interface Kernels { fwd?: string; bwd: string; scalars?: number[] }

/**
 * A pointwise activation y = f(x) with derivative dx = df(g, x): one graph node named `name`.
 * With `k`, the forward and backward run as single native kernels (native/cpu/elementwise.cc);
 * f and df, written with tensor ops, are the same formulas, used where the backward itself must
 * be differentiated (double backward). In place, the input is replaced by the result (autograd's
 * in-place rules apply).
 */
function pointwise(input: Tensor, name: string, f: (x: Tensor) => Tensor, df: (g: Tensor, x: Tensor) => Tensor, inplace = false,
  k?: Kernels): Tensor {
  // PyTorch names some in-place nodes differently (elu_ saves its result: EluBackward1)
  const nodeName = inplace ? INPLACE_NAMES[name] ?? name : name;
  const scalars = k?.scalars ?? [];
  const fwd = (x: Tensor): Tensor => (k?.fwd !== undefined && x.isFloatingPoint() ? elementwise({ kernel: k.fwd, scalars }, [x]) : f(x));
  const bwd = (g: Tensor, x: Tensor): Tensor =>
    (k !== undefined && !needsGrad([g, x]) && x.isFloatingPoint() && g.dtype === x.dtype ? elementwise({ kernel: k.bwd, scalars }, [g, x]) : df(g, x));
  const outOfPlace = (x: Tensor): Tensor => {
    const y = noGrad(() => fwd(x));
    return record(y, { name: nodeName, inputs: [x], save: [x], backward: ([g], [xs]) => [bwd(g!, xs!)] });
  };
  if (!inplace) return outOfPlace(input);
  return inplaceOp(input, [], outOfPlace, () => noGrad(() => input.copy_(fwd(input))));
}

const INPLACE_NAMES: Record<string, string> = {
  EluBackward0: "EluBackward1", CeluBackward0: "CeluBackward1", LeakyReluBackward0: "LeakyReluBackward1", ThresholdBackward0: "ThresholdBackward1",
};

/** Options given positionally (PyTorch's order) or as a trailing object. */
const opts = <T extends Record<string, unknown>>(names: (keyof T & string)[], rest: unknown[], defaults: T): T => argsOf(names, rest, defaults);

export function relu(input: Tensor, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  return inplace ? input.relu_() : input.relu();
}

/** F.threshold(input, threshold, value): x <= threshold ? value : x (ThresholdBackward0). */
export function threshold(input: Tensor, thresholdValue: number, value: number, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  return pointwise(input, "ThresholdBackward0", (x) => where(x.le(thresholdValue), value, x),
    (g, x) => where(x.le(thresholdValue), 0, g), inplace, { fwd: "threshold", bwd: "thresholdBackward", scalars: [thresholdValue, value] });
}

/** F.hardtanh(input, minVal = -1, maxVal = 1): clamp; the gradient passes strictly inside (min, max). */
export function hardtanh(input: Tensor, ...rest: unknown[]): Tensor {
  const o = opts(["minVal", "maxVal", "inplace"], rest, { minVal: -1, maxVal: 1, inplace: false });
  if (o.minVal > o.maxVal) throw new ValueError("min_val cannot be greater than max_val");
  return pointwise(input, "HardtanhBackward0", (x) => x.clamp(o.minVal, o.maxVal),
    (g, x) => where(x.le(o.minVal).logicalOr(x.ge(o.maxVal)), 0, g), o.inplace, { bwd: "hardtanhBackward", scalars: [o.minVal, o.maxVal] });
}

/** F.relu6(input) = hardtanh(input, 0, 6). */
export function relu6(input: Tensor, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  return hardtanh(input, 0, 6, inplace);
}

/** F.leakyRelu(input, negativeSlope = 0.01): x > 0 ? x : slope * x; the gradient at 0 is slope. */
export function leakyRelu(input: Tensor, ...rest: unknown[]): Tensor {
  const o = opts(["negativeSlope", "inplace"], rest, { negativeSlope: 0.01, inplace: false });
  const s = o.negativeSlope;
  return pointwise(input, "LeakyReluBackward0", (x) => where(x.gt(0), x, x.mul(s)), (g, x) => where(x.gt(0), g, g.mul(s)), o.inplace,
    { fwd: "leakyRelu", bwd: "leakyReluBackward", scalars: [s] });
}

/**
 * F.prelu(input, weight): x > 0 ? x : w * x with one learnt slope, or one per channel (dim 1).
 * (He et al. 2015, "Delving Deep into Rectifiers").
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const C = input.ndim >= 2 ? input.shape[1]! : 1;
  const n = weight.numel();
  if (n !== 1 && n !== C)
    throw new RuntimeError(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${C}.`);
  // (C) -> (C, 1, ..., 1) against (N, C, ...)
  const wShape = n === 1 ? [] : [C, ...Array(input.ndim - 2).fill(1)] as number[];
  const w = weight.reshape(wShape);
  const y = noGrad(() => where(input.gt(0), input, input.mul(w)));
  const sumDims = [...Array(input.ndim).keys()].filter((d) => n === 1 || d !== 1);
  return record(y, {
    name: "PreluBackward0", inputs: [input, weight], save: [input, weight],
    backward: ([g], [x, wt]) => {
      const wv = wt!.reshape(wShape), pos = x!.gt(0);
      const gx = where(pos, g!, g!.mul(wv));
      const gwFull = where(pos, 0, x!.mul(g!));
      const gw = (sumDims.length ? gwFull.sum(sumDims) : gwFull).reshape(wt!.shape);
      return [gx, gw];
    },
  });
}

/**
 * F.rrelu(input, lower = 1/8, upper = 1/3, training = false): in training each x <= 0 is scaled by
 * a slope drawn from U(lower, upper), in element order as PyTorch's CPU kernel (one double draw per
 * such element); in eval the slope is (lower + upper) / 2 (Xu et al. 2015).
 */
export function rrelu(input: Tensor, ...rest: unknown[]): Tensor {
  const o = opts(["lower", "upper", "training", "inplace"], rest, { lower: 1 / 8, upper: 1 / 3, training: false, inplace: false });
  if (!o.training) {
    const s = (o.lower + o.upper) / 2;
    return pointwise(input, "RreluWithNoiseBackward0", (x) => where(x.gt(0), x, x.mul(s)), (g, x) => where(x.gt(0), g, g.mul(s)), o.inplace,
      { fwd: "leakyRelu", bwd: "leakyReluBackward", scalars: [s] });
  }
  const noise = noGrad(() => {
    const neg = input.le(0);
    const k = Number(neg.sum().item());
    const draws = empty([k], { dtype: "float64" }).uniform_(o.lower, o.upper).to(input.dtype);
    const nz = onesLike(input).contiguous();
    return nz.maskedScatter(neg, draws);
  });
  return pointwise(input, "RreluWithNoiseBackward0", (x) => x.mul(noise), (g) => g.mul(noise), o.inplace);
}

export interface EluParams { alpha: number; scale: number; inputScale: number }
function eluCore(input: Tensor, name: string, { alpha, scale, inputScale }: EluParams, inplace: boolean): Tensor {
  return pointwise(input, name, (x) => where(x.gt(0), x.mul(scale), expm1(x.mul(inputScale)).mul(alpha * scale)),
    (g, x) => where(x.gt(0), g.mul(scale), g.mul(x.mul(inputScale).exp()).mul(inputScale * alpha * scale)), inplace,
    { fwd: "elu", bwd: "eluBackward", scalars: [alpha, scale, inputScale] });
}

/** F.elu(input, alpha = 1): x > 0 ? x : alpha (exp(x) - 1) (Clevert et al. 2015). */
export function elu(input: Tensor, ...rest: unknown[]): Tensor {
  const o = opts(["alpha", "inplace"], rest, { alpha: 1, inplace: false });
  return eluCore(input, "EluBackward0", { alpha: o.alpha, scale: 1, inputScale: 1 }, o.inplace);
}

export const SELU_ALPHA = 1.6732632423543772848170429916717, SELU_SCALE = 1.0507009873554804934193349852946;
/** F.selu(input): scale * elu(x, alpha) with Klambauer et al.'s constants. */
export function selu(input: Tensor, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  return eluCore(input, "EluBackward0", { alpha: SELU_ALPHA, scale: SELU_SCALE, inputScale: 1 }, inplace);
}

/** F.celu(input, alpha = 1): max(0, x) + min(0, alpha (exp(x / alpha) - 1)) (Barron 2017). */
export function celu(input: Tensor, ...rest: unknown[]): Tensor {
  const o = opts(["alpha", "inplace"], rest, { alpha: 1, inplace: false });
  if (o.alpha === 0) throw new RuntimeError("ZeroDivisionError");
  return eluCore(input, "CeluBackward0", { alpha: o.alpha, scale: 1, inputScale: 1 / o.alpha }, o.inplace);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI), GELU_KAPPA = 0.044715;
/** GELU (Hendrycks & Gimpel 2016): x * Phi(x), or the tanh approximation; GeluBackward0. */
export function gelu(input: Tensor, ...rest: unknown[]): Tensor {
  const { approximate } = opts<{ approximate: "none" | "tanh" }>(["approximate"], rest, { approximate: "none" });
  if (approximate === "tanh") {
    const inner = (x: Tensor): Tensor => x.add(x.pow(3).mul(GELU_KAPPA)).mul(SQRT_2_OVER_PI);
    return pointwise(input, "GeluBackward0", (x) => x.mul(0.5).mul(inner(x).tanh().add(1)), (g, x) => {
      const t = inner(x).tanh();
      const left = t.add(1).mul(0.5);
      const right = x.mul(0.5).mul(t.square().neg().add(1)).mul(x.square().mul(3 * GELU_KAPPA).add(1).mul(SQRT_2_OVER_PI));
      return g.mul(left.add(right));
    }, false, { fwd: "gelu", bwd: "geluBackward", scalars: [1] });
  }
  if (approximate !== "none") throw new RuntimeError(`approximate argument must be either none or tanh.`);
  return pointwise(input, "GeluBackward0", (x) => x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1)), (g, x) => {
    const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
    return g.mul(cdf.add(x.mul(pdf)));
  }, false, { fwd: "gelu", bwd: "geluBackward", scalars: [0] });
}

/** F.silu(input) = x * sigmoid(x) (Elfwing et al. 2017); SiluBackward0. */
export function silu(input: Tensor, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  return pointwise(input, "SiluBackward0", (x) => x.mul(x.sigmoid()), (g, x) => {
    const s = x.sigmoid();
    return g.mul(s).mul(x.mul(s.neg().add(1)).add(1));
  }, inplace, { fwd: "silu", bwd: "siluBackward" });
}

/** F.softplus(input, beta = 1, threshold = 20): log(1 + exp(beta x)) / beta, linear above threshold. */
export function softplus(input: Tensor, ...rest: unknown[]): Tensor {
  const o = opts(["beta", "threshold"], rest, { beta: 1, threshold: 20 });
  const { beta, threshold: th } = o;
  return pointwise(input, "SoftplusBackward0", (x) => where(x.mul(beta).gt(th), x, log1p(x.mul(beta).exp()).div(beta)), (g, x) => {
    const z = x.mul(beta).exp();
    return where(x.mul(beta).gt(th), g, g.mul(z).div(z.add(1)));
  }, false, { fwd: "softplus", bwd: "softplusBackward", scalars: [beta, th] });
}

/** F.mish(input) = x * tanh(softplus(x)) (Misra 2019); MishBackward0. */
export function mish(input: Tensor, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  const sp = (x: Tensor): Tensor => where(x.gt(20), x, log1p(x.exp()));
  return pointwise(input, "MishBackward0", (x) => x.mul(sp(x).tanh()), (g, x) => {
    const t = sp(x).tanh();
    return g.mul(t.add(x.mul(x.sigmoid()).mul(t.square().neg().add(1))));
  }, inplace, { fwd: "mish", bwd: "mishBackward" });
}

/** F.hardswish(input) = x * relu6(x + 3) / 6 (Howard et al. 2019); HardswishBackward0. */
export function hardswish(input: Tensor, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  return pointwise(input, "HardswishBackward0", (x) => x.mul(x.add(3).clamp(0, 6)).div(6),
    (g, x) => where(x.lt(-3), 0, where(x.le(3), g.mul(x.div(3).add(0.5)), g)), inplace, { fwd: "hardswish", bwd: "hardswishBackward" });
}

/** F.hardsigmoid(input) = relu6(x + 3) / 6; HardsigmoidBackward0 (zero gradient outside (-3, 3)). */
export function hardsigmoid(input: Tensor, ...rest: unknown[]): Tensor {
  const { inplace } = opts(["inplace"], rest, { inplace: false });
  return pointwise(input, "HardsigmoidBackward0", (x) => x.add(3).clamp(0, 6).div(6),
    (g, x) => where(x.gt(-3).logicalAnd(x.lt(3)), g.div(6), 0), inplace, { fwd: "hardsigmoid", bwd: "hardsigmoidBackward" });
}

/** F.hardshrink(input, lambd = 0.5): x outside [-lambd, lambd], 0 inside. */
export function hardshrink(input: Tensor, ...rest: unknown[]): Tensor {
  const { lambd } = opts(["lambd"], rest, { lambd: 0.5 });
  const inside = (x: Tensor): Tensor => x.ge(-lambd).logicalAnd(x.le(lambd));
  return pointwise(input, "HardshrinkBackward0", (x) => where(inside(x), 0, x), (g, x) => where(inside(x), 0, g), false,
    { fwd: "hardshrink", bwd: "shrinkBackward", scalars: [lambd] });
}

/** F.softshrink(input, lambd = 0.5): x - lambd above lambd, x + lambd below -lambd, 0 between. */
export function softshrink(input: Tensor, ...rest: unknown[]): Tensor {
  const { lambd } = opts(["lambd"], rest, { lambd: 0.5 });
  if (lambd < 0) throw new RuntimeError(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
  const inside = (x: Tensor): Tensor => x.ge(-lambd).logicalAnd(x.le(lambd));
  return pointwise(input, "SoftshrinkBackward0", (x) => where(x.gt(lambd), x.sub(lambd), where(x.lt(-lambd), x.add(lambd), 0)),
    (g, x) => where(inside(x), 0, g), false, { fwd: "softshrink", bwd: "shrinkBackward", scalars: [lambd] });
}

/** F.tanhshrink(input) = x - tanh(x). */
export const tanhshrink = (input: Tensor): Tensor => input.sub(input.tanh());
/** F.softsign(input) = x / (1 + |x|). */
export const softsign = (input: Tensor): Tensor => input.div(input.abs().add(1));

/** F.logsigmoid(input) = min(x, 0) - log1p(exp(-|x|)), stable for large |x|; LogSigmoidBackward0. */
export function logsigmoid(input: Tensor): Tensor {
  return pointwise(input, "LogSigmoidBackward0", (x) => x.clampMax(0).sub(log1p(x.abs().neg().exp())), (g, x) => {
    const neg = x.lt(0);
    const z = x.abs().neg().exp();
    const zr = z.div(z.add(1));
    return g.mul(where(neg, zr.neg().add(1), zr));
  }, false, { fwd: "logSigmoid", bwd: "logSigmoidBackward" });
}

export const sigmoid = (input: Tensor): Tensor => input.sigmoid();
export const tanh = (input: Tensor): Tensor => input.tanh();

function dimOf(input: Tensor, dim: number): number {
  const n = Math.max(input.ndim, 1);
  if (dim < -n || dim >= n) throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  return dim < 0 ? dim + n : dim;
}

/** F.glu(input, dim = -1): a * sigmoid(b), a and b the halves of input along dim (Dauphin et al. 2016). */
export function glu(input: Tensor, ...rest: unknown[]): Tensor {
  const { dim } = opts(["dim"], rest, { dim: -1 });
  if (input.ndim === 0) throw new RuntimeError("glu does not support scalars because halving size must be even");
  const d = dimOf(input, dim);
  const n = input.shape[d]!;
  if (n % 2 !== 0) throw new RuntimeError(`Halving dimension must be even, but dimension ${d} is size ${n}`);
  const h = n / 2;
  const y = noGrad(() => input.narrow(d, 0, h).mul(input.narrow(d, h, h).sigmoid()));
  return record(y, {
    name: "GluBackward0", inputs: [input], save: [input],
    backward: ([g], [x]) => {
      const a = x!.narrow(d, 0, h), s = x!.narrow(d, h, h).sigmoid();
      return [cat([g!.mul(s), g!.mul(a).mul(s).mul(s.neg().add(1))], d)];
    },
  });
}

type SoftmaxDim = number | { dim: number; dtype?: Tensor["dtype"] };
interface SoftmaxOptions { dtype?: Tensor["dtype"] }
function softmaxArgs(input: Tensor, dim: SoftmaxDim, o: SoftmaxOptions): [Tensor, number] {
  const d = dimOf(input, typeof dim === "number" ? dim : dim.dim);
  const dtype = (typeof dim === "number" ? undefined : dim.dtype) ?? o.dtype;
  const x = dtype !== undefined ? input.to(dtype) : input.isFloatingPoint() ? input : input.float();
  return [x, d];
}

/** F.softmax(input, dim): exp(x - max) / sum, max-shifted so large inputs do not overflow. */
export function softmax(input: Tensor, dim: SoftmaxDim, o: SoftmaxOptions = {}): Tensor {
  const [x, d] = softmaxArgs(input, dim, o);
  const fast = d === x.ndim - 1 ? softmaxLastDim(x, false) : null;
  if (fast !== null) return fast;
  const y = noGrad(() => {
    const e = x.sub(x.amax(d, { keepdim: true })).exp();
    return e.div(e.sum(d, { keepdim: true }));
  });
  // dx = y * (g - sum(g * y))
  return record(y, { name: "SoftmaxBackward0", inputs: [x], save: [y], backward: ([g], [ys]) => [ys!.mul(g!.sub(g!.mul(ys!).sum(d, { keepdim: true })))] });
}

/** F.softmin(input, dim) = softmax(-input, dim). */
export function softmin(input: Tensor, dim: SoftmaxDim, o: SoftmaxOptions = {}): Tensor {
  const [x, d] = softmaxArgs(input, dim, o);
  return softmax(x.neg(), d);
}

/** F.logSoftmax(input, dim): x - max - log(sum(exp(x - max))). */
export function logSoftmax(input: Tensor, dim: SoftmaxDim, o: SoftmaxOptions = {}): Tensor {
  const [x, d] = softmaxArgs(input, dim, o);
  const fast = d === x.ndim - 1 ? softmaxLastDim(x, true) : null;
  if (fast !== null) return fast;
  const y = noGrad(() => {
    const shifted = x.sub(x.amax(d, { keepdim: true }));
    return shifted.sub(shifted.exp().sum(d, { keepdim: true }).log());
  });
  // dx = g - exp(y) * sum(g)
  return record(y, { name: "LogSoftmaxBackward0", inputs: [x], save: [y], backward: ([g], [ys]) => [g!.sub(ys!.exp().mul(g!.sum(d, { keepdim: true })))] });
}

/** nn.Softmax2d's forward: softmax over the channel dim of (C, H, W) or (N, C, H, W). */
export function softmax2d(input: Tensor): Tensor {
  if (input.ndim !== 3 && input.ndim !== 4) throw new AssertionError("Softmax2d requires a 3D or 4D tensor as input");
  return softmax(input, -3);
}

export { dropout } from "./dropout.js";
export { AssertionError };
