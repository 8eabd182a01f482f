// SPDX-License-Identifier: BSD-3-Clause
// F.linear, activations, softmax / logSoftmax and dropout.
import { noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { addmm } from "../../ops/linalg.js";
import { emptyLike } from "../../ops/creation.js";
import { where } from "../../ops/math.js";
import type { Tensor } from "../../tensor/tensor.js";
import { argsOf } from "./util.js";

/** F.linear(input, weight, bias?): input @ weight^T + bias; (*, in) -> (*, out). */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (input.ndim === 2 && bias !== null) return addmm(bias, input, weight.t());  // AddmmBackward0, as PyTorch
  const y = input.matmul(weight.t());
  return bias !== null ? y.add(bias) : y;
}

export function relu(input: Tensor, { inplace = false }: { inplace?: boolean } = {}): Tensor {
  return inplace ? input.relu_() : input.relu();
}
export function leakyRelu(input: Tensor, negativeSlope = 0.01, { inplace = false }: { inplace?: boolean } = {}): Tensor {
  // where(x > 0, x, slope * x): the gradient at 0 is slope, as PyTorch's leaky_relu_backward
  const y = where(input.gt(0), input, input.mul(negativeSlope));
  return inplace ? input.copy_(y) : y;
}
export const sigmoid = (input: Tensor): Tensor => input.sigmoid();
export const tanh = (input: Tensor): Tensor => input.tanh();
/** GELU (Hendrycks & Gimpel 2016): x * Phi(x), or the tanh approximation. */
export function gelu(input: Tensor, { approximate = "none" }: { approximate?: "none" | "tanh" } = {}): Tensor {
  if (approximate === "tanh") {
    const inner = input.add(input.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return input.mul(0.5).mul(inner.tanh().add(1));
  }
  if (approximate !== "none") throw new RuntimeError(`approximate argument must be either none or tanh.`);
  return input.mul(0.5).mul(input.mul(Math.SQRT1_2).erf().add(1));
}
export const silu = (input: Tensor): Tensor => input.mul(input.sigmoid());

function dimOf(input: Tensor, dim: number): number {
  const n = Math.max(input.ndim, 1);
  if (dim < -n || dim >= n) throw new RuntimeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  return dim < 0 ? dim + n : dim;
}

/** F.softmax(input, dim): exp(x - max) / sum, max-shifted so large inputs do not overflow. */
export function softmax(input: Tensor, dim: number | { dim: number }): Tensor {
  const d = dimOf(input, typeof dim === "number" ? dim : dim.dim);
  const x = input.isFloatingPoint() ? input : input.float();
  const y = noGrad(() => {
    const e = x.sub(x.amax(d, { keepdim: true })).exp();
    return e.div(e.sum(d, { keepdim: true }));
  });
  // dx = y * (g - sum(g * y))
  return record(y, { name: "SoftmaxBackward0", inputs: [x], save: [y], backward: ([g], [ys]) => [ys!.mul(g!.sub(g!.mul(ys!).sum(d, { keepdim: true })))] });
}

/** F.logSoftmax(input, dim): x - max - log(sum(exp(x - max))). */
export function logSoftmax(input: Tensor, dim: number | { dim: number }): Tensor {
  const d = dimOf(input, typeof dim === "number" ? dim : dim.dim);
  const x = input.isFloatingPoint() ? input : input.float();
  const y = noGrad(() => {
    const shifted = x.sub(x.amax(d, { keepdim: true }));
    return shifted.sub(shifted.exp().sum(d, { keepdim: true }).log());
  });
  // dx = g - exp(y) * sum(g)
  return record(y, { name: "LogSoftmaxBackward0", inputs: [x], save: [y], backward: ([g], [ys]) => [g!.sub(ys!.exp().mul(g!.sum(d, { keepdim: true })))] });
}

/** F.dropout(input, p = 0.5, training = true, inplace = false): zeroes with probability p, scales the rest by 1/(1-p). */
export function dropout(input: Tensor, ...rest: unknown[]): Tensor {
  const o = argsOf<{ p: number; training: boolean; inplace: boolean }>(["p", "training", "inplace"], rest, { p: 0.5, training: true, inplace: false });
  if (o.p < 0 || o.p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${o.p}`);
  if (!o.training || o.p === 0) return input;
  if (o.p === 1) return o.inplace ? input.mul_(0) : input.mul(0);
  // as PyTorch's _dropout_impl: noise = empty_like(x).bernoulli_(1 - p).div_(1 - p); x * noise
  const noise = noGrad(() => emptyLike(input).bernoulli_(1 - o.p).div_(1 - o.p));
  return o.inplace ? input.mul_(noise) : input.mul(noise);
}
