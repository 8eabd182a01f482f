// SPDX-License-Identifier: BSD-3-Clause
// nn.Dropout1d/2d/3d, nn.AlphaDropout, nn.FeatureAlphaDropout (nn.Dropout is in misc.ts): active in
// train mode, the identity in eval mode.
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { argsOf } from "../functional/util.js";
import { Module } from "../module.js";
import { pyBool, pyFloat } from "../repr.js";

abstract class DropoutBase extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(args: unknown[]) {
    super();
    const o = argsOf(["p", "inplace"], args, { p: 0.5, inplace: false });
    if (o.p < 0 || o.p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${o.p}`);
    this.p = o.p; this.inplace = o.inplace;
  }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`; }
}

export class Dropout1d extends DropoutBase {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.dropout1d(input, this.p, this.training, this.inplace); }
}
export class Dropout2d extends DropoutBase {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.dropout2d(input, this.p, this.training, this.inplace); }
}
export class Dropout3d extends DropoutBase {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.dropout3d(input, this.p, this.training, this.inplace); }
}
export class AlphaDropout extends DropoutBase {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.alphaDropout(input, this.p, this.training); }
}
export class FeatureAlphaDropout extends DropoutBase {
  constructor(...args: unknown[]) { super(args); }
  override forward(input: Tensor): Tensor { return F.featureAlphaDropout(input, this.p, this.training); }
}
