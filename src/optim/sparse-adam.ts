// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.SparseAdam: Adam for sparse gradients (nn.Embedding(sparse=True)). torchts has no
// sparse tensors, so the class checks its arguments as PyTorch does and then refuses to step.
import { RuntimeError, ValueError } from "../errors.js";
import { checkBetas, type ParamGroup, type Params, Optimizer, pyFloat } from "./optimizer.js";

export interface SparseAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  maximize?: boolean;
}

/** The message every SparseAdam step raises: torchts gradients are always dense. */
export const SPARSE_ADAM_UNSUPPORTED =
  "SparseAdam does not support dense gradients, please consider Adam instead " +
  "(torchts has no sparse tensors, so SparseAdam cannot step; use optim.Adam or optim.AdamW)";

/**
 * torch.optim.SparseAdam. It can be constructed (so code that builds it ports unchanged and gets
 * PyTorch's argument errors) but `step()` raises a RuntimeError whenever a parameter has a
 * gradient: PyTorch's SparseAdam accepts only sparse gradients and torchts has none.
 */
export class SparseAdam extends Optimizer {
  constructor(params: Params, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, maximize = false }: SparseAdamOptions = {}) {
    if (!(lr > 0)) throw new ValueError(`Invalid learning rate: ${pyFloat(lr)}`);
    if (!(eps > 0)) throw new ValueError(`Invalid epsilon value: ${pyFloat(eps)}`);
    checkBetas(betas);
    super(params, { lr, betas, eps, maximize });
  }

  protected stepGroup(group: ParamGroup): void {
    for (const p of group.params) if (p.grad !== null) throw new RuntimeError(SPARSE_ADAM_UNSUPPORTED);
  }
}
