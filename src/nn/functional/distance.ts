// SPDX-License-Identifier: BSD-3-Clause
// F.pairwiseDistance, F.cosineSimilarity, F.normalize and F.channelShuffle (ATen's Distance.cpp,
// Normalization helpers and ChanelShuffle.cpp, as in PyTorch 1.13).
import { noGrad } from "../../autograd/grad-mode.js";
import { record } from "../../autograd/record.js";
import { RuntimeError } from "../../errors.js";
import { norm } from "../../ops/reduce.js";
import type { Tensor } from "../../tensor/tensor.js";
import { argsOf } from "./util.js";

/** F.pairwiseDistance(x1, x2, p = 2, eps = 1e-6, keepdim = false): ||x1 - x2 + eps||_p over the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, ...rest: unknown[]): Tensor {
  const o = argsOf(["p", "eps", "keepdim"], rest, { p: 2, eps: 1e-6, keepdim: false });
  const outDim = Math.max(x1.ndim, x2.ndim);
  return norm(x1.sub(x2).add(o.eps), o.p, outDim - 1, { keepdim: o.keepdim });
}

/**
 * ||x||_2 along dim (kept), clamped in place to eps without grad as PyTorch 1.13 does: the norm's
 * backward then reads the clamped value (g * x / max(||x||, eps)).
 */
function clampedNorm(x: Tensor, dim: number, eps: number): Tensor {
  const n = noGrad(() => norm(x, 2, dim, { keepdim: true }).clampMin(eps));
  return record(n, { name: "NormBackward1", inputs: [x], save: [x, n], backward: ([g], [xs, ns]) => [g!.mul(xs!).div(ns!)] });
}

/**
 * F.cosineSimilarity(x1, x2, dim = 1, eps = 1e-8): sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))
 * along dim; each norm is clamped separately, as PyTorch 1.13.
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, ...rest: unknown[]): Tensor {
  const o = argsOf(["dim", "eps"], rest, { dim: 1, eps: 1e-8 });
  const n = Math.max(x1.ndim, x2.ndim);
  const d = o.dim < 0 ? o.dim + n : o.dim;
  if (d < 0 || d >= Math.max(n, 1)) throw new RuntimeError(`Dimension out of range (expected to be in range of [${-Math.max(n, 1)}, ${Math.max(n, 1) - 1}], but got ${o.dim})`);
  const n1 = clampedNorm(x1, d, o.eps), n2 = clampedNorm(x2, d, o.eps);
  return x1.div(n1).mul(x2.div(n2)).sum(d);
}

/** F.normalize(input, p = 2, dim = 1, eps = 1e-12): input / max(||input||_p, eps) along dim. */
export function normalize(input: Tensor, ...rest: unknown[]): Tensor {
  const o = argsOf(["p", "dim", "eps"], rest, { p: 2, dim: 1, eps: 1e-12 });
  const denom = norm(input, o.p, o.dim, { keepdim: true }).clampMin(o.eps).expandAs(input);
  return input.div(denom);
}

/** F.channelShuffle(input, groups): (N, C, *) -> (N, g, C/g, *) -> transposed -> (N, C, *) (Zhang et al. 2017). */
export function channelShuffle(input: Tensor, groups: number): Tensor {
  if (groups <= 0) throw new RuntimeError(`Number of groups to divide channels in must be positive. Value of groups:${groups}`);
  if (input.ndim <= 2) throw new RuntimeError(`channel_shuffle expects input to have at least 3 dimensions, but got input with sizes [${input.shape.join(", ")}]`);
  const [N, C] = [input.shape[0]!, input.shape[1]!];
  if (C % groups !== 0) throw new RuntimeError(`Number of channels must be divisible by groups. Got ${C} channels and ${groups} groups.`);
  const rest = input.shape.slice(2);
  return input.reshape([N, groups, C / groups, ...rest]).transpose(1, 2).reshape([N, C, ...rest]);  // (N, g, C/g, *) -> (N, C/g, g, *) -> (N, C, *)
}
