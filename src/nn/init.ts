// SPDX-License-Identifier: BSD-3-Clause
// torch.nn.init: in-place initialisers with PyTorch's fan and gain rules (torch/nn/init.py).
// They draw from torch's generator, so the same seed gives PyTorch's exact values.
import { noGrad } from "../autograd/grad-mode.js";
import { ValueError } from "../errors.js";
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
  if (mode !== "fan_in" && mode !== "fan_out") throw new ValueError(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
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
