// SPDX-License-Identifier: BSD-3-Clause
// torch.nn.init: in-place initialisers with PyTorch's fan and gain rules (torch/nn/init.py).
// They draw from torch's generator, so the same seed gives PyTorch's exact values.
import { noGrad } from "../autograd/grad-mode.js";
import { ValueError } from "../errors.js";
import { empty, eye, randperm, tensor as tensor_ } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";

export type Nonlinearity = "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d"
  | "conv_transpose3d" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];
  if (linear.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    const slope = param === undefined || param === null ? 0.01 : param;
    if (typeof slope !== "number") throw new ValueError(`negative_slope ${String(slope)} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/** [fanIn, fanOut]: size(1) and size(0) times the receptive field (the product of dims 2...). */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.ndim < 2) throw new ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptive = tensor.shape.slice(2).reduce((a, b) => a * b, 1);
  return [tensor.shape[1]! * receptive, tensor.shape[0]! * receptive];
}

function fanOf(tensor: Tensor, mode: "fan_in" | "fan_out"): number {
  if (mode !== "fan_in" && mode !== "fan_out") throw new ValueError(`Mode ${String(mode)} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  return mode === "fan_in" ? fi : fo;
}

export const uniform_ = (tensor: Tensor, a = 0, b = 1): Tensor => noGrad(() => tensor.uniform_(a, b));
export const normal_ = (tensor: Tensor, mean = 0, std = 1): Tensor => noGrad(() => tensor.normal_(mean, std));
export const constant_ = (tensor: Tensor, val: number): Tensor => noGrad(() => tensor.fill_(val));
export const ones_ = (tensor: Tensor): Tensor => noGrad(() => tensor.fill_(1));
export const zeros_ = (tensor: Tensor): Tensor => noGrad(() => tensor.zero_());

/** U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio 2010). */
export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  const a = Math.sqrt(3.0) * gain * Math.sqrt(2.0 / (fi + fo));
  return uniform_(tensor, -a, a);
}

/** N(0, std^2), std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2.0 / (fi + fo)));
}

export interface KaimingOptions { a?: number; mode?: "fan_in" | "fan_out"; nonlinearity?: Nonlinearity }

/** U(-bound, bound), bound = gain * sqrt(3 / fan) (He et al. 2015). */
export function kaimingUniform_(tensor: Tensor, a: number | KaimingOptions = 0, opts: KaimingOptions = {}): Tensor {
  const o = typeof a === "number" ? { a, ...opts } : a;
  const fan = fanOf(tensor, o.mode ?? "fan_in");
  const std = calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0) / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}

/** N(0, std^2), std = gain / sqrt(fan). */
export function kaimingNormal_(tensor: Tensor, a: number | KaimingOptions = 0, opts: KaimingOptions = {}): Tensor {
  const o = typeof a === "number" ? { a, ...opts } : a;
  const fan = fanOf(tensor, o.mode ?? "fan_in");
  return normal_(tensor, 0, calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0) / Math.sqrt(fan));
}

/** The identity matrix in a 2-D tensor (torch.nn.init.eye_). */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.ndim !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  return noGrad(() => tensor.copy_(eye(tensor.shape[0]!, tensor.shape[1]!, { dtype: tensor.dtype })));
}

/**
 * The Dirac delta in a 3-, 4- or 5-D conv weight: each output channel (within its group) passes
 * the matching input channel through unchanged (torch.nn.init.dirac_).
 */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  const d = tensor.ndim;
  if (d < 3 || d > 5) throw new ValueError("Only tensors with 3, 4, or 5 dimensions are supported");
  const sizes = tensor.shape;
  if (sizes[0]! % groups !== 0) throw new ValueError("dim 0 must be divisible by groups");
  const outPerGroup = sizes[0]! / groups;
  const minDim = Math.min(outPerGroup, sizes[1]!);
  return noGrad(() => {
    tensor.zero_();
    const centre = sizes.slice(2).map((s) => Math.floor(s / 2));
    for (let g = 0; g < groups; g++)
      for (let k = 0; k < minDim; k++) tensor.index(g * outPerGroup + k, k, ...centre).fill_(1);
    return tensor;
  });
}

/**
 * N(mean, std^2) truncated to [a, b], by PyTorch's inverse-CDF method (the same uniform draws):
 * u ~ U(2 cdf(a) - 1, 2 cdf(b) - 1), x = mean + std sqrt(2) erfinv(u), clamped to [a, b].
 */
export function truncNormal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const cdf = (x: number): number => (1 + erf(x / Math.SQRT2)) / 2;
  if (mean < a - 2 * std || mean > b + 2 * std)
    process.emitWarning("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  const l = cdf((a - mean) / std), u = cdf((b - mean) / std);
  return noGrad(() => tensor.uniform_(2 * l - 1, 2 * u - 1).erfinv_().mul_(std * Math.SQRT2).add_(mean).clamp_(a, b));
}

/** Python's math.erf (Abramowitz-Stegun is not exact enough: use the series / continued fraction in double). */
function erf(x: number): number {
  // erf via the complementary error function's continued fraction for |x| > 2.5, the Taylor series below
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax, term = ax;
    for (let n = 1; n < 200; n++) {
      term *= -ax * ax / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...))))
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + (n / 2) / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/**
 * Householder QR of a (rows x cols) row-major matrix, rows >= cols: the reduced Q (rows x cols) and
 * R's diagonal. Q is unique once R's diagonal is made positive, so after PyTorch's sign fix it
 * equals LAPACK's.
 */
function householderQr(a: Float64Array, rows: number, cols: number): { q: Float64Array; rDiag: Float64Array } {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(cols);
  for (let k = 0; k < cols; k++) {
    let norm = 0;
    for (let i = k; i < rows; i++) norm += r[i * cols + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[k * cols + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(rows);
    for (let i = k; i < rows; i++) v[i] = r[i * cols + k]!;
    v[k] = x0 - alpha;
    let vnorm = 0;
    for (let i = k; i < rows; i++) vnorm += v[i]! ** 2;
    if (vnorm > 0) {
      for (let j = k; j < cols; j++) {
        let dot = 0;
        for (let i = k; i < rows; i++) dot += v[i]! * r[i * cols + j]!;
        const s = (2 * dot) / vnorm;
        for (let i = k; i < rows; i++) r[i * cols + j] = r[i * cols + j]! - s * v[i]!;
      }
    }
    vs.push(v);
    rDiag[k] = r[k * cols + k]!;
  }
  // Q = H_0 H_1 ... H_{cols-1} applied to the first cols columns of the identity
  const q = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) q[j * cols + j] = 1;
  for (let k = cols - 1; k >= 0; k--) {
    const v = vs[k]!;
    let vnorm = 0;
    for (let i = k; i < rows; i++) vnorm += v[i]! ** 2;
    if (vnorm === 0) continue;
    for (let j = 0; j < cols; j++) {
      let dot = 0;
      for (let i = k; i < rows; i++) dot += v[i]! * q[i * cols + j]!;
      const s = (2 * dot) / vnorm;
      for (let i = k; i < rows; i++) q[i * cols + j] = q[i * cols + j]! - s * v[i]!;
    }
  }
  return { q, rDiag };
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a N(0, 1) matrix, as PyTorch's
 * orthogonal_ (Saxe et al. 2013): the same normal draws, Q's columns signed by R's diagonal.
 * Dims after the first are flattened.
 */
export function orthogonal_(tensor: Tensor, gain = 1): Tensor {
  if (tensor.ndim < 2) throw new ValueError("Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0]!, cols = tensor.numel() / rows;
  return noGrad(() => {
    let flat = empty([rows, cols], { dtype: tensor.dtype }).normal_(0, 1);
    const wide = rows < cols;
    if (wide) flat = flat.t();
    const [m, n] = wide ? [cols, rows] : [rows, cols];
    const data = Float64Array.from(flat.contiguous().reshape(-1).tolist() as number[]);
    const { q, rDiag } = householderQr(data, m, n);
    for (let j = 0; j < n; j++) {
      const s = Math.sign(rDiag[j]!);
      for (let i = 0; i < m; i++) q[i * n + j] = q[i * n + j]! * s;
    }
    let qt = tensor_(Array.from(q), { dtype: "float64" }).reshape([m, n]);
    if (wide) qt = qt.t();
    tensor.copy_(qt.reshape(tensor.shape).to(tensor.dtype));
    return tensor.mul_(gain);
  });
}

/**
 * A sparse 2-D matrix (Martens 2010): N(0, std^2) entries, then in each column ceil(sparsity * rows)
 * rows, chosen by randperm as PyTorch's, set to zero.
 */
export function sparse_(tensor: Tensor, sparsity: number, std = 0.01): Tensor {
  if (tensor.ndim !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  const [rows, cols] = tensor.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  return noGrad(() => {
    tensor.normal_(0, std);
    for (let c = 0; c < cols; c++) {
      const zeroRows = randperm(rows).narrow(0, 0, numZeros);
      tensor.indexPut_([zeroRows, tensor_([c], { dtype: "int64" })], tensor_(0, { dtype: tensor.dtype }));
    }
    return tensor;
  });
}
