// SPDX-License-Identifier: BSD-3-Clause
// nn.PairwiseDistance, nn.CosineSimilarity and nn.ChannelShuffle.
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { argsOf } from "../functional/util.js";
import { Module } from "../module.js";

/** nn.PairwiseDistance(p = 2, eps = 1e-6, keepdim = false). PyTorch prints no options. */
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf(["p", "eps", "keepdim"], args, { p: 2, eps: 1e-6, keepdim: false });
    this.norm = o.p; this.eps = o.eps; this.keepdim = o.keepdim;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor { return F.pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim); }
}

/** nn.CosineSimilarity(dim = 1, eps = 1e-8). */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(...args: unknown[]) {
    super();
    const o = argsOf(["dim", "eps"], args, { dim: 1, eps: 1e-8 });
    this.dim = o.dim; this.eps = o.eps;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor { return F.cosineSimilarity(x1, x2, this.dim, this.eps); }
}

/** nn.ChannelShuffle(groups). */
export class ChannelShuffle extends Module {
  constructor(readonly groups: number) { super(); }
  override forward(input: Tensor): Tensor { return F.channelShuffle(input, this.groups); }
  override extraRepr(): string { return `groups=${this.groups}`; }
}
