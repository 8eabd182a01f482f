// SPDX-License-Identifier: BSD-3-Clause
// F.batchNorm: normalise over every dim but 1 with batch statistics (training) or the running
// ones (eval), updating running_mean / running_var in place (unbiased variance) when training.
import { noGrad } from "../../autograd/grad-mode.js";
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";

export interface BatchNormOptions { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number }

/** F.batchNorm(input, runningMean, runningVar, { weight, bias, training = false, momentum = 0.1, eps = 1e-5 }). */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 }: BatchNormOptions = {}): Tensor {
  const C = input.shape[1]!;
  const dims = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2)];
  const bshape = [1, C, ...Array(input.ndim - 2).fill(1)];
  let mean: Tensor, var_: Tensor;
  if (training) {
    const count = input.numel() / C;
    if (count <= 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size torch.Size([${input.shape.join(", ")}])`);
    mean = input.mean(dims);
    var_ = input.var(dims, { correction: 0 });
    noGrad(() => {
      if (runningMean !== null) runningMean.mul_(1 - momentum).add_(mean.detach().mul(momentum));
      if (runningVar !== null) runningVar.mul_(1 - momentum).add_(var_.detach().mul(momentum * count / (count - 1)));
    });
  } else {
    if (runningMean === null || runningVar === null) throw new ValueError("running_mean and running_var must be defined in evaluation mode");
    mean = runningMean;
    var_ = runningVar;
  }
  let y = input.sub(mean.reshape(bshape)).mul(var_.add(eps).rsqrt().reshape(bshape));
  if (weight !== null) y = y.mul(weight.reshape(bshape));
  if (bias !== null) y = y.add(bias.reshape(bshape));
  return y;
}
