// SPDX-License-Identifier: BSD-3-Clause
// nn.RNN, nn.LSTM, nn.GRU and nn.RNNCell, nn.LSTMCell, nn.GRUCell with PyTorch's parameter names
// (weight_ih_l0, weight_hh_l0_reverse, weight_hr_l0, ...), default init (U(-1/sqrt(H), 1/sqrt(H))
// over parameters() in order), input checks, unbatched inputs and PackedSequence input/output.
import { RuntimeError, ValueError } from "../../errors.js";
import { empty, zeros } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { gruCell, lstmCell, rnnPacked, rnnReluCell, rnnTanhCell, type RnnMode, type RnnWeights } from "../functional/rnn.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyBool, pyFloat } from "../repr.js";
import { PackedSequence } from "../utils/rnn.js";

type FloatDType = "float32" | "float64";
/* eslint-disable @typescript-eslint/no-explicit-any */

export interface RNNBaseOptions {
  numLayers?: number; bias?: boolean; batchFirst?: boolean; dropout?: number; bidirectional?: boolean; dtype?: FloatDType;
}
export interface RNNOptions extends RNNBaseOptions { nonlinearity?: "tanh" | "relu" }
export interface LSTMOptions extends RNNBaseOptions { projSize?: number }

const GATES: Record<RnnMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const NAMES: Record<RnnMode, string> = { RNN_TANH: "RNN", RNN_RELU: "RNN", LSTM: "LSTM", GRU: "GRU" };

export abstract class RNNBase extends Module {
  readonly mode: RnnMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** @internal parameter names per layer and direction, in PyTorch's _all_weights order */
  declare _allWeights: string[][];

  constructor(mode: RnnMode, inputSize: number, hiddenSize: number,
    { numLayers = 1, bias = true, batchFirst = false, dropout = 0, bidirectional = false, projSize = 0, dtype }: LSTMOptions = {}) {
    super();
    this.mode = mode; this.inputSize = inputSize; this.hiddenSize = hiddenSize; this.numLayers = numLayers; this.bias = bias;
    this.batchFirst = batchFirst; this.dropout = dropout; this.bidirectional = bidirectional; this.projSize = projSize;
    Object.defineProperty(this, "_allWeights", { value: [], writable: true, enumerable: false });
    for (const k of ["mode", "inputSize", "hiddenSize", "numLayers", "bias", "batchFirst", "dropout", "bidirectional", "projSize"])
      Object.defineProperty(this, k, { enumerable: false });
    if (typeof dropout !== "number" || dropout < 0 || dropout > 1 || typeof dropout === "boolean")
      throw new ValueError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    if (dropout > 0 && numLayers === 1)
      process.emitWarning(`dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${dropout} and num_layers=${numLayers}`, "UserWarning");
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new ValueError("hidden_size must be an integer greater than zero");
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new ValueError("num_layers must be an integer greater than zero");
    if (projSize < 0) throw new ValueError("proj_size should be a positive integer or zero to disable projections");
    if (projSize >= hiddenSize) throw new ValueError("proj_size has to be smaller than hidden_size");
    const gateSize = GATES[mode] * hiddenSize;
    const D = bidirectional ? 2 : 1;
    const realHidden = projSize > 0 ? projSize : hiddenSize;
    for (let layer = 0; layer < numLayers; layer++)
      for (let d = 0; d < D; d++) {
        const inSize = layer === 0 ? inputSize : realHidden * D;
        const sfx = d === 1 ? "_reverse" : "";
        const names: string[] = [];
        const add = (n: string, shape: number[]) => { (this as any)[`${n}_l${layer}${sfx}`] = new Parameter(empty(shape, { dtype })); names.push(`${n}_l${layer}${sfx}`); };
        add("weight_ih", [gateSize, inSize]);
        add("weight_hh", [gateSize, realHidden]);
        if (bias) { add("bias_ih", [gateSize]); add("bias_hh", [gateSize]); }
        if (projSize > 0) add("weight_hr", [projSize, hiddenSize]);
        this._allWeights.push(names);
      }
    this.resetParameters();
  }

  /** U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) for every parameter, in order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /** The parameters per layer and direction ([[weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0], ...]). */
  get allWeights(): Parameter[][] { return this._allWeights.map((ns) => ns.map((n) => (this as any)[n] as Parameter)); }

  private _weights(): RnnWeights[] {
    return this._allWeights.map((ns) => {
      const get = (p: string) => { const n = ns.find((k) => k.startsWith(p)); return n !== undefined ? (this as any)[n] as Tensor : null; };
      return { wIh: get("weight_ih")!, wHh: get("weight_hh")!, bIh: get("bias_ih"), bHh: get("bias_hh"), wHr: get("weight_hr") };
    });
  }

  private _checkInput(input: Tensor, packed: boolean): void {
    const expected = packed ? 2 : 3;
    if (input.ndim !== expected) throw new RuntimeError(`input must have ${expected} dimensions, got ${input.ndim}`);
    if (this.inputSize !== input.size(-1))
      throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.size(-1)}`);
  }

  private _checkHidden(hx: Tensor, expected: number[], msg = "Expected hidden size"): void {
    if (hx.ndim !== expected.length || !hx.shape.every((s, i) => s === expected[i]))
      throw new RuntimeError(`${msg} (${expected.join(", ")}), got [${hx.shape.join(", ")}]`);
  }

  /** The shared forward: (input, hx) for RNN/GRU, (input, [h0, c0]) for LSTM. */
  protected _run(input: Tensor | PackedSequence, hx: Tensor | [Tensor, Tensor] | null | undefined): [Tensor | PackedSequence, Tensor | [Tensor, Tensor]] {
    const lstm = this.mode === "LSTM";
    const name = NAMES[this.mode];
    const D = this.bidirectional ? 2 : 1;
    const realHidden = this.projSize > 0 ? this.projSize : this.hiddenSize;
    let data: Tensor, batchSizes: number[], B: number;
    let sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null;
    let isBatched = true, x: Tensor | null = null;
    let h0: Tensor | null = null, c0: Tensor | null = null;
    if (hx !== null && hx !== undefined) {
      if (lstm) { [h0, c0] = hx as [Tensor, Tensor]; } else h0 = hx as Tensor;
    }
    const packed = input instanceof PackedSequence;
    if (input instanceof PackedSequence) {
      data = input.data;
      batchSizes = input._batchSizes();
      sortedIndices = input.sortedIndices;
      unsortedIndices = input.unsortedIndices;
      B = batchSizes[0] ?? 0;
      this._checkInput(data, true);
      if (sortedIndices !== null) {
        if (h0 !== null) h0 = h0.indexSelect(1, sortedIndices);
        if (c0 !== null) c0 = c0.indexSelect(1, sortedIndices);
      }
    } else {
      if (input.ndim !== 2 && input.ndim !== 3)
        throw new ValueError(`${name}: Expected input to be 2D or 3D, got ${input.ndim}D ${name === "RNN" ? "tensor instead" : "instead"}`);
      isBatched = input.ndim === 3;
      const batchDim = this.batchFirst ? 0 : 1;
      x = input;
      if (!isBatched) {
        x = x.unsqueeze(batchDim);
        if (lstm && h0 !== null) {
          if (h0.ndim !== 2 || c0!.ndim !== 2)
            throw new RuntimeError(`For unbatched 2-D input, hx and cx should also be 2-D but got (${h0.ndim}-D, ${c0!.ndim}-D) tensors`);
          h0 = h0.unsqueeze(1); c0 = c0!.unsqueeze(1);
        } else if (h0 !== null) {
          if (h0.ndim !== 2) throw new RuntimeError(`For unbatched 2-D input, hx should also be 2-D but got ${h0.ndim}-D tensor`);
          h0 = h0.unsqueeze(1);
        }
      } else if (h0 !== null) {
        if (lstm && (h0.ndim !== 3 || c0!.ndim !== 3))
          throw new RuntimeError(`For batched 3-D input, hx and cx should also be 3-D but got (${h0.ndim}-D, ${c0!.ndim}-D) tensors`);
        if (!lstm && h0.ndim !== 3) throw new RuntimeError(`For batched 3-D input, hx should also be 3-D but got ${h0.ndim}-D tensor`);
      }
      this._checkInput(x, false);
      if (this.batchFirst) x = x.transpose(0, 1);
      const T = x.size(0);
      B = x.size(1);
      batchSizes = new Array<number>(T).fill(B);
      data = x.reshape([T * B, x.size(2)]);
    }
    const ref = packed ? data : x!;
    if (h0 === null) {
      h0 = zeros([this.numLayers * D, B, realHidden], { dtype: ref.dtype, device: ref.device });
      if (lstm) c0 = zeros([this.numLayers * D, B, this.hiddenSize], { dtype: ref.dtype, device: ref.device });
    } else if (lstm) {
      this._checkHidden(h0, [this.numLayers * D, B, realHidden], "Expected hidden[0] size");
      this._checkHidden(c0!, [this.numLayers * D, B, this.hiddenSize], "Expected hidden[1] size");
    } else this._checkHidden(h0, [this.numLayers * D, B, realHidden]);
    const r = rnnPacked(data, batchSizes, h0, c0, {
      mode: this.mode, weights: this._weights(), numLayers: this.numLayers, bidirectional: this.bidirectional,
      dropout: this.dropout, training: this.training,
    });
    let hn = r.hn, cn = r.cn;
    if (unsortedIndices !== null) {
      hn = hn.indexSelect(1, unsortedIndices);
      if (cn !== null) cn = cn.indexSelect(1, unsortedIndices);
    }
    if (packed) {
      const p = input as PackedSequence;
      return [new PackedSequence(r.out, p.batchSizes, p.sortedIndices, p.unsortedIndices), lstm ? [hn, cn!] : hn];
    }
    let out = r.out.reshape([batchSizes.length, B, r.out.size(1)]);
    if (this.batchFirst) out = out.transpose(0, 1);
    if (!isBatched) {
      out = out.squeeze(this.batchFirst ? 0 : 1);
      hn = hn.squeeze(1);
      if (cn !== null) cn = cn.squeeze(1);
    }
    return [out, lstm ? [hn, cn!] : hn];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst !== false) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${Number.isInteger(this.dropout) ? this.dropout : pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/** Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu). forward returns [output, h_n]. */
export class RNN extends RNNBase {
  readonly nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    if ("projSize" in opts) throw new ValueError("proj_size argument is only supported for LSTM, not RNN or GRU");
    const nl = opts.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new ValueError(`Unknown nonlinearity '${String(nl)}'. Select from 'tanh' or 'relu'.`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
    Object.defineProperty(this, "nonlinearity", { enumerable: false });
  }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    return this._run(input, hx) as [Tensor | PackedSequence, Tensor];
  }
}

/** LSTM (with optional projections, projSize). forward returns [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: LSTMOptions = {}) { super("LSTM", inputSize, hiddenSize, opts); }
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx: [Tensor, Tensor] | null = null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    return this._run(input, hx) as [Tensor | PackedSequence, [Tensor, Tensor]];
  }
}

/** GRU. forward returns [output, h_n]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    if ("projSize" in opts) throw new ValueError("proj_size argument is only supported for LSTM, not RNN or GRU");
    super("GRU", inputSize, hiddenSize, opts);
  }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    return this._run(input, hx) as [Tensor | PackedSequence, Tensor];
  }
}

// ---- cells ------------------------------------------------------------------------------------

export interface RNNCellOptions { bias?: boolean; nonlinearity?: "tanh" | "relu"; dtype?: FloatDType }

abstract class RNNCellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, readonly bias: boolean, numChunks: number, dtype?: FloatDType) {
    super();
    for (const k of ["inputSize", "hiddenSize", "bias"]) Object.defineProperty(this, k, { enumerable: false });
    this.weight_ih = new Parameter(empty([numChunks * hiddenSize, inputSize], { dtype }));
    this.weight_hh = new Parameter(empty([numChunks * hiddenSize, hiddenSize], { dtype }));
    this.bias_ih = bias ? new Parameter(empty([numChunks * hiddenSize], { dtype })) : null;
    this.bias_hh = bias ? new Parameter(empty([numChunks * hiddenSize], { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /** input (B, in) or (in); returns [input as 2-D, isBatched] after PyTorch's checks. */
  protected _prep(input: Tensor, name: string): [Tensor, boolean] {
    if (input.ndim !== 1 && input.ndim !== 2) throw new ValueError(`${name}: Expected input to be 1D or 2D, got ${input.ndim}D instead`);
    if (input.size(-1) !== this.inputSize)
      throw new RuntimeError(`input has inconsistent input_size: got ${input.size(-1)} expected ${this.inputSize}`);
    return input.ndim === 2 ? [input, true] : [input.unsqueeze(0), false];
  }

  protected _checkHx(hx: Tensor, input: Tensor, which = ""): void {
    if (hx.ndim !== input.ndim) throw new RuntimeError(`${this._getName()}: Expected hidden${which} to be ${input.ndim}D, got ${hx.ndim}D instead`);
    if (input.size(0) !== hx.size(0))
      throw new RuntimeError(`Input batch size ${input.size(0)} doesn't match hidden${which === "" ? "0" : which.slice(1)} batch size ${hx.size(0)}`);
    if (hx.size(1) !== this.hiddenSize)
      throw new RuntimeError(`hidden${which === "" ? "0" : which.slice(1)} has inconsistent hidden_size: got ${hx.size(1)}, expected ${this.hiddenSize}`);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== "tanh") s += `, nonlinearity=${nl}`;
    return s;
  }
}

export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, { bias = true, nonlinearity = "tanh", dtype }: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, bias, 1, dtype);
    this.nonlinearity = nonlinearity;
    Object.defineProperty(this, "nonlinearity", { enumerable: false });
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new RuntimeError(`Unknown nonlinearity: ${String(nonlinearity)}`);
  }
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const [x, batched] = this._prep(input, "RNNCell");
    let h = hx === null ? zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device }) : batched ? hx : hx.unsqueeze(0);
    this._checkHx(h, x);
    h = (this.nonlinearity === "tanh" ? rnnTanhCell : rnnReluCell)(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? h : h.squeeze(0);
  }
}

export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, { bias = true, dtype }: { bias?: boolean; dtype?: FloatDType } = {}) {
    super(inputSize, hiddenSize, bias, 4, dtype);
  }
  override forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const [x, batched] = this._prep(input, "LSTMCell");
    let h: Tensor, c: Tensor;
    if (hx === null) { h = c = zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device }); }
    else [h, c] = batched ? hx : [hx[0].unsqueeze(0), hx[1].unsqueeze(0)];
    this._checkHx(h, x, "[0]");
    this._checkHx(c, x, "[1]");
    const [h1, c1] = lstmCell(x, [h, c], this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? [h1, c1] : [h1.squeeze(0), c1.squeeze(0)];
  }
}

export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, { bias = true, dtype }: { bias?: boolean; dtype?: FloatDType } = {}) {
    super(inputSize, hiddenSize, bias, 3, dtype);
  }
  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const [x, batched] = this._prep(input, "GRUCell");
    const h = hx === null ? zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device }) : batched ? hx : hx.unsqueeze(0);
    this._checkHx(h, x);
    const h1 = gruCell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? h1 : h1.squeeze(0);
  }
}

