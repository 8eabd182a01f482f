// SPDX-License-Identifier: BSD-3-Clause
// Loss modules: criterion.forward(input, target).
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { ValueError } from "../../errors.js";
import { argsOf } from "../functional/util.js";
import { Module } from "../module.js";
import { PairwiseDistance } from "./distance.js";

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

/** Arguments by position (PyTorch's order, without the deprecated size_average/reduce) or by name. */
const lossArgs = <O extends Record<string, unknown>>(names: ((keyof O & string) | "reduction")[], args: unknown[], defaults: O): O & { reduction: Reduction } =>
  argsOf<O & { reduction: Reduction }>(names, args, { reduction: "mean", ...defaults } as O & { reduction: Reduction });

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(...args: unknown[]) { const o = lossArgs(["reduction", "delta"], args, { delta: 1 }); super(o.reduction); this.delta = o.delta; }
  override forward(input: Tensor, target: Tensor): Tensor { return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta }); }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(...args: unknown[]) { const o = lossArgs(["reduction", "beta"], args, { beta: 1 }); super(o.reduction); this.beta = o.beta; }
  override forward(input: Tensor, target: Tensor): Tensor { return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta }); }
}

export class KLDivLoss extends Module {
  readonly reduction: F.KlReduction;
  readonly logTarget: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf<{ reduction: F.KlReduction; logTarget: boolean }>(["reduction", "logTarget"], args, { reduction: "mean", logTarget: false });
    this.reduction = o.reduction; this.logTarget = o.logTarget;
  }
  override forward(input: Tensor, target: Tensor): Tensor { return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget }); }
}

export class PoissonNLLLoss extends Loss {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
  constructor(...args: unknown[]) {
    const o = lossArgs(["logInput", "full", "eps", "reduction"], args, { logInput: true, full: false, eps: 1e-8 });
    super(o.reduction);
    this.logInput = o.logInput; this.full = o.full; this.eps = o.eps;
  }
  override forward(logInput: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(logInput, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

export class GaussianNLLLoss extends Loss {
  readonly full: boolean;
  readonly eps: number;
  constructor({ full = false, eps = 1e-6, reduction = "mean" }: { full?: boolean; eps?: number; reduction?: Reduction } = {}) {
    super(reduction);
    this.full = full; this.eps = eps;
  }
  override forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(...args: unknown[]) { const o = lossArgs(["margin", "reduction"], args, { margin: 0 }); super(o.reduction); this.margin = o.margin; }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class HingeEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(...args: unknown[]) { const o = lossArgs(["margin", "reduction"], args, { margin: 1 }); super(o.reduction); this.margin = o.margin; }
  override forward(input: Tensor, target: Tensor): Tensor { return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction }); }
}

export class SoftMarginLoss extends Loss {
  constructor(...args: unknown[]) { super(lossArgs(["reduction"], args, {}).reduction); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.softMarginLoss(input, target, { reduction: this.reduction }); }
}

export class MultiLabelSoftMarginLoss extends Loss {
  constructor(...args: unknown[]) {
    const o = lossArgs<{ weight: Tensor | null }>(["weight", "reduction"], args, { weight: null });
    super(o.reduction);
    this.registerBuffer("weight", o.weight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelSoftMarginLoss(input, target, { weight: (this as unknown as { weight: Tensor | null }).weight, reduction: this.reduction });
  }
}

export class MultiLabelMarginLoss extends Loss {
  constructor(...args: unknown[]) { super(lossArgs(["reduction"], args, {}).reduction); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.multilabelMarginLoss(input, target, { reduction: this.reduction }); }
}

export class MultiMarginLoss extends Loss {
  readonly p: number;
  readonly margin: number;
  constructor(...args: unknown[]) {
    const o = lossArgs<{ p: number; margin: number; weight: Tensor | null }>(["p", "margin", "weight", "reduction"], args, { p: 1, margin: 1, weight: null });
    super(o.reduction);
    if (o.p !== 1 && o.p !== 2) throw new ValueError("only p == 1 and p == 2 supported");
    if (o.weight !== null && o.weight.ndim !== 1) throw new ValueError("MultiMarginLoss: expected weight to be None or 1D tensor, got " + `${o.weight.ndim}D instead`);
    this.p = o.p; this.margin = o.margin;
    this.registerBuffer("weight", o.weight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: (this as unknown as { weight: Tensor | null }).weight, reduction: this.reduction });
  }
}

export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(...args: unknown[]) { const o = lossArgs(["margin", "reduction"], args, { margin: 0 }); super(o.reduction); this.margin = o.margin; }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(...args: unknown[]) {
    const o = lossArgs(["margin", "p", "eps", "swap", "reduction"], args, { margin: 1, p: 2, eps: 1e-6, swap: false });
    super(o.reduction);
    this.margin = o.margin; this.p = o.p; this.eps = o.eps; this.swap = o.swap;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

/**
 * nn.TripletMarginWithDistanceLoss({ distanceFunction, margin = 1, swap = false }): a Module distance
 * (PairwiseDistance by default) is registered as the submodule `distance_function`, as PyTorch's.
 */
export class TripletMarginWithDistanceLoss extends Loss {
  readonly margin: number;
  readonly swap: boolean;
  readonly distanceFunction: F.DistanceFunction;
  constructor({ distanceFunction = null, margin = 1, swap = false, reduction = "mean" }:
    { distanceFunction?: F.DistanceFunction | Module | null; margin?: number; swap?: boolean; reduction?: Reduction } = {}) {
    super(reduction);
    this.margin = margin; this.swap = swap;
    const fn = distanceFunction ?? new PairwiseDistance();
    if (fn instanceof Module) {
      this.registerModule("distance_function", fn);
      this.distanceFunction = (a, b) => fn.forward(a, b) as Tensor;
    } else this.distanceFunction = fn;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginWithDistanceLoss(anchor, positive, negative,
      { distanceFunction: this.distanceFunction, margin: this.margin, swap: this.swap, reduction: this.reduction });
  }
}

export class CTCLoss extends Loss {
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(...args: unknown[]) {
    const o = lossArgs(["blank", "reduction", "zeroInfinity"], args, { blank: 0, zeroInfinity: false });
    super(o.reduction);
    this.blank = o.blank; this.zeroInfinity = o.zeroInfinity;
  }
  override forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[]): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, { blank: this.blank, reduction: this.reduction, zeroInfinity: this.zeroInfinity });
  }
}
