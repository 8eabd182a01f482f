// SPDX-License-Identifier: BSD-3-Clause
// Dropout family (torch/nn/functional.py over ATen's _dropout_impl): the same noise tensors and
// bernoulli_ draws as PyTorch's CPU path, so results match after manualSeed.
import { noGrad } from "../../autograd/grad-mode.js";
import { RuntimeError, ValueError } from "../../errors.js";
import { empty, emptyLike } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { argsOf } from "./util.js";

type DropoutArgs = { p: number; training: boolean; inplace: boolean };
const NAMES: (keyof DropoutArgs)[] = ["p", "training", "inplace"];

function parse(rest: unknown[], training: boolean): DropoutArgs {
  const o = argsOf<DropoutArgs>(NAMES, rest, { p: 0.5, training, inplace: false });
  if (o.p < 0 || o.p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${o.p}`);
  return o;
}

const SELU_ALPHA_SCALED = 1.7580993408473766;  // SELU's alpha * scale: the negative saturation value

/**
 * ATen's _dropout_impl: noise = bernoulli(1 - p) per element (or per (N, C) feature map), then
 * x * noise / (1 - p), or for alpha dropout a * (x * noise + alpha' (noise - 1)) + alpha' a p, which
 * keeps zero mean and unit variance (Klambauer et al. 2017).
 */
function dropoutImpl(input: Tensor, p: number, training: boolean, inplace: boolean, feature: boolean, alpha: boolean): Tensor {
  if (feature && input.ndim < 2) throw new RuntimeError("Feature dropout requires at least 2 dimensions in the input");
  if (p === 0 || !training || input.numel() === 0) return input;
  if (p === 1) return inplace ? input.mul_(0) : input.mul(0);
  let b: Tensor | null = null;
  const noise = noGrad(() => {
    // (N, C, 1, ..., 1) for feature dropout
    const n = feature ? empty([input.shape[0]!, input.shape[1]!, ...Array(input.ndim - 2).fill(1)], { dtype: input.dtype }) : emptyLike(input);
    n.bernoulli_(1 - p);
    if (alpha) {
      const a = 1 / Math.sqrt((SELU_ALPHA_SCALED * SELU_ALPHA_SCALED * p + 1) * (1 - p));
      b = n.add(-1).mul_(SELU_ALPHA_SCALED * a).add_(SELU_ALPHA_SCALED * a * p);
      n.mul_(a);
    } else n.div_(1 - p);
    return n;
  });
  const y = inplace ? input.mul_(noise) : input.mul(noise);
  return b === null ? y : inplace ? y.add_(b) : y.add(b);
}

/** F.dropout(input, p = 0.5, training = true, inplace = false): zeroes with probability p, scales the rest by 1/(1-p). */
export function dropout(input: Tensor, ...rest: unknown[]): Tensor {
  const o = parse(rest, true);
  return dropoutImpl(input, o.p, o.training, o.inplace, false, false);
}

/** F.alphaDropout(input, p = 0.5, training = false): dropout for SELU networks. */
export function alphaDropout(input: Tensor, ...rest: unknown[]): Tensor {
  const o = parse(rest, false);
  return dropoutImpl(input, o.p, o.training, o.inplace, false, true);
}

/** F.featureAlphaDropout(input, p = 0.5, training = false): alpha dropout of whole channels. */
export function featureAlphaDropout(input: Tensor, ...rest: unknown[]): Tensor {
  const o = parse(rest, false);
  return dropoutImpl(input, o.p, o.training, o.inplace, true, true);
}

/** Channel dropout with an optional batch dim: unbatched inputs get a leading 1 while the noise is drawn. */
function channelDropout(input: Tensor, o: DropoutArgs, batched: boolean): Tensor {
  if (batched) return dropoutImpl(input, o.p, o.training, o.inplace, true, false);
  return dropoutImpl(input.unsqueeze(0), o.p, o.training, false, true, false).squeeze(0);
}

function unbatchedInplace(input: Tensor, o: DropoutArgs): Tensor {
  // in place on (C, ...): the noise has shape (1, C, 1, ...), so it applies to input directly once the lead 1 is dropped
  if (o.p === 0 || !o.training || input.numel() === 0) return input;
  if (o.p === 1) return input.mul_(0);
  const noise = noGrad(() => empty([1, input.shape[0]!, ...Array(input.ndim - 1).fill(1)], { dtype: input.dtype }).bernoulli_(1 - o.p).div_(1 - o.p));
  return input.mul_(noise.squeeze(0));
}

/** F.dropout1d(input, p = 0.5, training = true): zeroes whole channels of (N, C, L) or (C, L). */
export function dropout1d(input: Tensor, ...rest: unknown[]): Tensor {
  const o = parse(rest, true);
  const d = input.ndim;
  if (d !== 2 && d !== 3)
    throw new RuntimeError(`dropout1d: Expected 2D or 3D input, but received a ${d}D input. Note that dropout1d exists to provide ` +
      "channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).");
  if (d === 2 && o.inplace) return unbatchedInplace(input, o);
  return channelDropout(input, o, d === 3);
}

/**
 * F.dropout2d(input, p = 0.5, training = true): zeroes whole channels of (N, C, H, W). As PyTorch
 * 1.13, a 3D input is taken as (N, C, L) (PyTorch warns that this will change).
 */
export function dropout2d(input: Tensor, ...rest: unknown[]): Tensor {
  const o = parse(rest, true);
  return dropoutImpl(input, o.p, o.training, o.inplace, true, false);
}

/** F.dropout3d(input, p = 0.5, training = true): zeroes whole channels of (N, C, D, H, W) or (C, D, H, W). */
export function dropout3d(input: Tensor, ...rest: unknown[]): Tensor {
  const o = parse(rest, true);
  const batched = input.ndim === 5;
  if (!batched && o.inplace) return unbatchedInplace(input, o);
  return channelDropout(input, o, batched);
}
