// SPDX-License-Identifier: BSD-3-Clause
// Loss modules: criterion.forward(input, target).
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";

type Reduction = F.Reduction;

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(reduction: Reduction = "mean") { super(); this.reduction = reduction; }
}

export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor({ weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 }: F.CrossEntropyOptions = {}) {
    super(reduction);
    this.registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: (this as unknown as { weight: Tensor | null }).weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  constructor({ weight = null, ignoreIndex = -100, reduction = "mean" }: F.NllOptions = {}) {
    super(reduction);
    this.registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: (this as unknown as { weight: Tensor | null }).weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class MSELoss extends Loss {
  constructor({ reduction = "mean" }: { reduction?: Reduction } = {}) { super(reduction); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, { reduction: this.reduction }); }
}

export class L1Loss extends Loss {
  constructor({ reduction = "mean" }: { reduction?: Reduction } = {}) { super(reduction); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, { reduction: this.reduction }); }
}

export class BCELoss extends Loss {
  constructor({ weight = null, reduction = "mean" }: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(reduction);
    this.registerBuffer("weight", weight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: (this as unknown as { weight: Tensor | null }).weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  constructor({ weight = null, reduction = "mean", posWeight = null }: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super(reduction);
    this.registerBuffer("weight", weight);
    this.registerBuffer("pos_weight", posWeight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    const self = this as unknown as { weight: Tensor | null; pos_weight: Tensor | null };
    return F.binaryCrossEntropyWithLogits(input, target, { weight: self.weight, posWeight: self.pos_weight, reduction: this.reduction });
  }
}
