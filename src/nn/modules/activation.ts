// SPDX-License-Identifier: BSD-3-Clause
// Activation modules: ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Softmax, LogSoftmax.
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { pyFloat } from "../repr.js";

export class ReLU extends Module {
  constructor(readonly inplace = false) { super(); }
  override forward(input: Tensor): Tensor { return F.relu(input, { inplace: this.inplace }); }
  override extraRepr(): string { return this.inplace ? "inplace=True" : ""; }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01, readonly inplace = false) { super(); }
  override forward(input: Tensor): Tensor { return F.leakyRelu(input, this.negativeSlope, { inplace: this.inplace }); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`; }
}

export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor { return input.sigmoid(); }
}

export class Tanh extends Module {
  override forward(input: Tensor): Tensor { return input.tanh(); }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor({ approximate = "none" }: { approximate?: "none" | "tanh" } = {}) { super(); this.approximate = approximate; }
  override forward(input: Tensor): Tensor { return F.gelu(input, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

export class SiLU extends Module {
  constructor(readonly inplace = false) { super(); }
  override forward(input: Tensor): Tensor { return F.silu(input); }
  override extraRepr(): string { return this.inplace ? "inplace=True" : ""; }
}

export class Softmax extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) { super(); this.dim = typeof dim === "number" ? dim : dim.dim; }
  override forward(input: Tensor): Tensor { return F.softmax(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) { super(); this.dim = typeof dim === "number" ? dim : dim.dim; }
  override forward(input: Tensor): Tensor { return F.logSoftmax(input, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
