// SPDX-License-Identifier: BSD-3-Clause
// torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (torch/nn/utils/clip_grad.py).
import { noGrad } from "../../autograd/grad-mode.js";
import { RuntimeError } from "../../errors.js";
import { tensor } from "../../ops/creation.js";
import { stack } from "../../ops/join.js";
import { Tensor } from "../../tensor/tensor.js";
import { isOptions } from "../functional/util.js";
import { pyFloat } from "../repr.js";

export type Parameters = Tensor | Iterable<Tensor>;

const listOf = (parameters: Parameters): Tensor[] => (parameters instanceof Tensor ? [parameters] : [...parameters]);

export interface ClipGradNormOptions { normType?: number | "inf"; errorIfNonfinite?: boolean; foreach?: boolean | null }

/**
 * clipGradNorm_(parameters, maxNorm, normType = 2, errorIfNonfinite = false): scales the gradients
 * in place so their joint norm is at most maxNorm; returns the total norm (before clipping).
 */
export function clipGradNorm_(parameters: Parameters, maxNorm: number, normType: number | "inf" | ClipGradNormOptions = 2,
  errorIfNonfinite = false): Tensor {
  if (isOptions(normType)) {
    const o = normType as ClipGradNormOptions;
    return clipGradNorm_(parameters, maxNorm, o.normType ?? 2, o.errorIfNonfinite ?? false);
  }
  const p = normType === "inf" ? Infinity : Number(normType);
  const grads = listOf(parameters).map((t) => t.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0.0);
  return noGrad(() => {
    let total: Tensor;
    if (p === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max());
      total = norms.length === 1 ? norms[0]! : stack(norms).max();
    } else total = stack(grads.map((g) => g.detach().norm(p))).norm(p);
    const t = total.item() as number;
    if (errorIfNonfinite && !Number.isFinite(t))
      throw new RuntimeError(`The total norm of order ${pyFloat(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``);
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1.0);
    for (const g of grads) g.detach().mul_(coef.to(g.dtype));
    return total;
  });
}

/** clipGradValue_(parameters, clipValue): clamps every gradient to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Parameters, clipValue: number): void {
  noGrad(() => {
    for (const t of listOf(parameters)) if (t.grad !== null) t.grad.clamp_(-clipValue, clipValue);
  });
}
