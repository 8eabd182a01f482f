// SPDX-License-Identifier: BSD-3-Clause
// nn.MultiheadAttention, nn.TransformerEncoderLayer / TransformerEncoder, nn.TransformerDecoderLayer /
// TransformerDecoder and nn.Transformer, with PyTorch's parameter names, default init and reprs.
// The computation is PyTorch's math path (its fused fast path gives the same numbers).
import { RuntimeError, ValueError } from "../../errors.js";
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { getRngState, setRngState } from "../../tensor/random.js";
import { gelu, relu } from "../functional/activation.js";
import { AssertionError, generateSquareSubsequentMask, multiHeadAttentionForward } from "../functional/attention.js";
import { argsOf } from "../functional/util.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { ModuleList } from "./container.js";
import { Linear } from "./linear.js";
import { Dropout } from "./misc.js";
import { LayerNorm } from "./normalization.js";

type FloatDType = "float32" | "float64";
/* eslint-disable @typescript-eslint/no-explicit-any */

const hide = (obj: object, ...keys: string[]): void => {
  for (const k of keys) Object.defineProperty(obj, k, { enumerable: false });
};

/** Linear under the name PyTorch gives MultiheadAttention.out_proj. */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions {
  dropout?: number; bias?: boolean; addBiasKv?: boolean; addZeroAttn?: boolean; kdim?: number | null; vdim?: number | null;
  batchFirst?: boolean; dtype?: FloatDType;
}
export interface MhaCallOptions {
  keyPaddingMask?: Tensor | null; needWeights?: boolean; attnMask?: Tensor | null; averageAttnWeights?: boolean; isCausal?: boolean;
}

export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;
  readonly _qkvSameEmbedDim: boolean;
  in_proj_weight!: Parameter | null;
  q_proj_weight!: Parameter | null;
  k_proj_weight!: Parameter | null;
  v_proj_weight!: Parameter | null;
  in_proj_bias!: Parameter | null;
  out_proj!: NonDynamicallyQuantizableLinear;
  bias_k!: Parameter | null;
  bias_v!: Parameter | null;

  constructor(embedDim: number, numHeads: number,
    { dropout = 0, bias = true, addBiasKv = false, addZeroAttn = false, kdim = null, vdim = null, batchFirst = false, dtype }: MultiheadAttentionOptions = {}) {
    super();
    if (embedDim <= 0 || numHeads <= 0)
      throw new ValueError(`embed_dim and num_heads must be greater than 0, got embed_dim=${embedDim} and num_heads=${numHeads} instead`);
    this.embedDim = embedDim;
    this.kdim = kdim ?? embedDim;
    this.vdim = vdim ?? embedDim;
    this._qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.numHeads = numHeads;
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    this.headDim = Math.floor(embedDim / numHeads);
    this.addZeroAttn = addZeroAttn;
    hide(this, "embedDim", "kdim", "vdim", "_qkvSameEmbedDim", "numHeads", "dropout", "batchFirst", "headDim", "addZeroAttn");
    if (this.headDim * numHeads !== embedDim) throw new AssertionError("embed_dim must be divisible by num_heads");
    if (!this._qkvSameEmbedDim) {
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim], { dtype }));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim], { dtype }));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim], { dtype }));
      this.in_proj_weight = null;
    } else {
      this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], { dtype }));
      this.q_proj_weight = null; this.k_proj_weight = null; this.v_proj_weight = null;
    }
    this.in_proj_bias = bias ? new Parameter(empty([3 * embedDim], { dtype })) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, dtype });
    if (addBiasKv) {
      this.bias_k = new Parameter(empty([1, 1, embedDim], { dtype }));
      this.bias_v = new Parameter(empty([1, 1, embedDim], { dtype }));
    } else { this.bias_k = null; this.bias_v = null; }
    this._resetParameters();
  }

  _resetParameters(): void {
    if (this._qkvSameEmbedDim) init.xavierUniform_(this.in_proj_weight!);
    else { init.xavierUniform_(this.q_proj_weight!); init.xavierUniform_(this.k_proj_weight!); init.xavierUniform_(this.v_proj_weight!); }
    if (this.in_proj_bias !== null) {
      init.constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias !== null) init.constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k !== null) init.xavierNormal_(this.bias_k);
    if (this.bias_v !== null) init.xavierNormal_(this.bias_v);
  }

  /** forward(query, key, value, { keyPaddingMask, needWeights = true, attnMask, averageAttnWeights = true, isCausal = false }) -> [attnOutput, attnWeights | null]. */
  override forward(query: Tensor, key: Tensor, value: Tensor, ...rest: unknown[]): [Tensor, Tensor | null] {
    const o = argsOf<Required<MhaCallOptions>>(["keyPaddingMask", "needWeights", "attnMask", "averageAttnWeights", "isCausal"], rest,
      { keyPaddingMask: null, needWeights: true, attnMask: null, averageAttnWeights: true, isCausal: false });
    if (o.isCausal && o.attnMask === null)
      throw new RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.");
    const isBatched = query.ndim === 3;
    let q = query, k = key, v = value;
    if (this.batchFirst && isBatched) { q = q.transpose(1, 0); k = k.transpose(1, 0); v = v.transpose(1, 0); }
    const [out, weights] = multiHeadAttentionForward(q, k, v, this.embedDim, this.numHeads, {
      inProjWeight: this.in_proj_weight, inProjBias: this.in_proj_bias, biasK: this.bias_k, biasV: this.bias_v,
      addZeroAttn: this.addZeroAttn, dropoutP: this.dropout, outProjWeight: this.out_proj.weight, outProjBias: this.out_proj.bias,
      training: this.training, keyPaddingMask: o.keyPaddingMask, needWeights: o.needWeights, attnMask: o.attnMask,
      useSeparateProjWeight: !this._qkvSameEmbedDim, qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight,
      vProjWeight: this.v_proj_weight, averageAttnWeights: o.averageAttnWeights,
    });
    return [this.batchFirst && isBatched ? out.transpose(1, 0) : out, weights];
  }
}

export type Activation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

function activationFn(a: Activation): ((x: Tensor) => Tensor) | Module {
  if (a === "relu") return (x) => relu(x);
  if (a === "gelu") return (x) => gelu(x);
  if (typeof a === "string") throw new RuntimeError(`activation should be relu/gelu, not ${String(a)}`);
  return a;
}
const applyAct = (a: ((x: Tensor) => Tensor) | Module, x: Tensor): Tensor => (a instanceof Module ? a.forward(x) as Tensor : a(x));

export interface TransformerLayerOptions {
  dimFeedforward?: number; dropout?: number; activation?: Activation; layerNormEps?: number; batchFirst?: boolean;
  normFirst?: boolean; bias?: boolean; dtype?: FloatDType;
}

/** A fresh copy of a layer with the same weights (PyTorch's copy.deepcopy), leaving the RNG as it was. */
function cloneLayer<M extends Module>(layer: M, make: () => M): M {
  const state = getRngState();
  const copy = make();
  setRngState(state);
  copy.loadStateDict(layer.stateDict());
  copy.train(layer.training);
  return copy;
}

export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;
  declare _args: [number, number, TransformerLayerOptions];

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const { dimFeedforward = 2048, dropout = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, bias = true, dtype } = opts;
    Object.defineProperty(this, "_args", { value: [dModel, nhead, opts], enumerable: false });
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout, bias, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { bias, dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dimFeedforward, dModel, { bias, dtype });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    this.activation = activationFn(activation);
    hide(this, "normFirst");
    if (!(this.activation instanceof Module)) hide(this, "activation");
  }

  _clone(): TransformerEncoderLayer { return cloneLayer(this, () => new TransformerEncoderLayer(...this._args)); }

  /** forward(src, srcMask?, srcKeyPaddingMask?, isCausal?) (or { srcMask, srcKeyPaddingMask, isCausal }). */
  override forward(src: Tensor, ...rest: unknown[]): Tensor {
    const o = argsOf<{ srcMask: Tensor | null; srcKeyPaddingMask: Tensor | null; isCausal: boolean }>(["srcMask", "srcKeyPaddingMask", "isCausal"], rest,
      { srcMask: null, srcKeyPaddingMask: null, isCausal: false });
    let x = src;
    if (this.normFirst) {
      x = x.add(this._saBlock(this.norm1.forward(x), o.srcMask, o.srcKeyPaddingMask));
      x = x.add(this._ffBlock(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this._saBlock(x, o.srcMask, o.srcKeyPaddingMask)));
      x = this.norm2.forward(x.add(this._ffBlock(x)));
    }
    return x;
  }

  private _saBlock(x: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    const [y] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm, needWeights: false });
    return this.dropout1.forward(y);
  }
  private _ffBlock(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(applyAct(this.activation, this.linear1.forward(x)))));
  }
}

export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;
  declare _args: [number, number, TransformerLayerOptions];

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const { dimFeedforward = 2048, dropout = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, bias = true, dtype } = opts;
    Object.defineProperty(this, "_args", { value: [dModel, nhead, opts], enumerable: false });
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout, bias, batchFirst, dtype });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout, bias, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { bias, dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dimFeedforward, dModel, { bias, dtype });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    this.dropout3 = new Dropout(dropout);
    this.activation = activationFn(activation);
    hide(this, "normFirst");
    if (!(this.activation instanceof Module)) hide(this, "activation");
  }

  _clone(): TransformerDecoderLayer { return cloneLayer(this, () => new TransformerDecoderLayer(...this._args)); }

  /** forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?, tgtIsCausal?, memoryIsCausal?). */
  override forward(tgt: Tensor, memory: Tensor, ...rest: unknown[]): Tensor {
    const o = argsOf<DecoderCall>(DECODER_ARGS, rest, DECODER_DEFAULTS);
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this._saBlock(this.norm1.forward(x), o.tgtMask, o.tgtKeyPaddingMask));
      x = x.add(this._mhaBlock(this.norm2.forward(x), memory, o.memoryMask, o.memoryKeyPaddingMask));
      x = x.add(this._ffBlock(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this._saBlock(x, o.tgtMask, o.tgtKeyPaddingMask)));
      x = this.norm2.forward(x.add(this._mhaBlock(x, memory, o.memoryMask, o.memoryKeyPaddingMask)));
      x = this.norm3.forward(x.add(this._ffBlock(x)));
    }
    return x;
  }

  private _saBlock(x: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    return this.dropout1.forward(this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm, needWeights: false })[0]);
  }
  private _mhaBlock(x: Tensor, mem: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    return this.dropout2.forward(this.multihead_attn.forward(x, mem, mem, { attnMask: mask, keyPaddingMask: kpm, needWeights: false })[0]);
  }
  private _ffBlock(x: Tensor): Tensor {
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(applyAct(this.activation, this.linear1.forward(x)))));
  }
}

type DecoderCall = {
  tgtMask: Tensor | null; memoryMask: Tensor | null; tgtKeyPaddingMask: Tensor | null; memoryKeyPaddingMask: Tensor | null;
  tgtIsCausal: boolean; memoryIsCausal: boolean;
};
const DECODER_ARGS: (keyof DecoderCall)[] = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "tgtIsCausal", "memoryIsCausal"];
const DECODER_DEFAULTS: DecoderCall = { tgtMask: null, memoryMask: null, tgtKeyPaddingMask: null, memoryKeyPaddingMask: null, tgtIsCausal: false, memoryIsCausal: false };

export class TransformerEncoder extends Module {
  layers: ModuleList;
  numLayers: number;
  norm: Module | null;

  /** new TransformerEncoder(encoderLayer, numLayers, norm?) or (encoderLayer, numLayers, { norm }): numLayers copies of the layer. */
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, norm: Module | null | { norm?: Module | null; enableNestedTensor?: boolean; maskCheck?: boolean } = null) {
    super();
    const n = norm instanceof Module || norm === null ? norm : (norm.norm ?? null);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer._clone()));
    this.numLayers = numLayers;
    this.norm = n;
    hide(this, "numLayers");
  }

  /** forward(src, mask?, srcKeyPaddingMask?, isCausal?) (or { mask, srcKeyPaddingMask, isCausal }). */
  override forward(src: Tensor, ...rest: unknown[]): Tensor {
    const o = argsOf<{ mask: Tensor | null; srcKeyPaddingMask: Tensor | null; isCausal: boolean }>(["mask", "srcKeyPaddingMask", "isCausal"], rest,
      { mask: null, srcKeyPaddingMask: null, isCausal: false });
    let out = src;
    for (const layer of this.layers) out = layer.forward(out, { srcMask: o.mask, srcKeyPaddingMask: o.srcKeyPaddingMask, isCausal: o.isCausal }) as Tensor;
    if (this.norm !== null) out = this.norm.forward(out) as Tensor;
    return out;
  }
}

export class TransformerDecoder extends Module {
  layers: ModuleList;
  numLayers: number;
  norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, norm: Module | null | { norm?: Module | null } = null) {
    super();
    const n = norm instanceof Module || norm === null ? norm : (norm.norm ?? null);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer._clone()));
    this.numLayers = numLayers;
    this.norm = n;
    hide(this, "numLayers");
  }

  /** forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?, tgtIsCausal?, memoryIsCausal?). */
  override forward(tgt: Tensor, memory: Tensor, ...rest: unknown[]): Tensor {
    const o = argsOf<DecoderCall>(DECODER_ARGS, rest, DECODER_DEFAULTS);
    let out = tgt;
    for (const layer of this.layers) out = layer.forward(out, memory, o) as Tensor;
    if (this.norm !== null) out = this.norm.forward(out) as Tensor;
    return out;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number; nhead?: number; numEncoderLayers?: number; numDecoderLayers?: number;
  customEncoder?: Module | null; customDecoder?: Module | null;
}

export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  dModel: number;
  nhead: number;
  batchFirst: boolean;

  /** new Transformer({ dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, dimFeedforward = 2048, dropout = 0.1, ... }). */
  constructor(opts: TransformerOptions = {}) {
    super();
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, customEncoder = null, customDecoder = null,
      layerNormEps = 1e-5, batchFirst = false, bias = true, dtype, ...layerOpts } = opts;
    const lo = { ...layerOpts, layerNormEps, batchFirst, bias, dtype };
    if (customEncoder !== null) this.encoder = customEncoder;
    else {
      const layer = new TransformerEncoderLayer(dModel, nhead, lo);
      const norm = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
      this.encoder = new TransformerEncoder(layer, numEncoderLayers, norm);
    }
    if (customDecoder !== null) this.decoder = customDecoder;
    else {
      const layer = new TransformerDecoderLayer(dModel, nhead, lo);
      const norm = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
      this.decoder = new TransformerDecoder(layer, numDecoderLayers, norm);
    }
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = batchFirst;
    hide(this, "dModel", "nhead", "batchFirst");
    this._resetParameters();
  }

  _resetParameters(): void {
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }

  /** forward(src, tgt, srcMask?, tgtMask?, memoryMask?, srcKeyPaddingMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?, srcIsCausal?, tgtIsCausal?, memoryIsCausal?). */
  override forward(src: Tensor, tgt: Tensor, ...rest: unknown[]): Tensor {
    type Call = { srcMask: Tensor | null; tgtMask: Tensor | null; memoryMask: Tensor | null; srcKeyPaddingMask: Tensor | null;
      tgtKeyPaddingMask: Tensor | null; memoryKeyPaddingMask: Tensor | null; srcIsCausal: boolean; tgtIsCausal: boolean; memoryIsCausal: boolean };
    const o = argsOf<Call>(["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "srcIsCausal", "tgtIsCausal", "memoryIsCausal"], rest,
      { srcMask: null, tgtMask: null, memoryMask: null, srcKeyPaddingMask: null, tgtKeyPaddingMask: null, memoryKeyPaddingMask: null, srcIsCausal: false, tgtIsCausal: false, memoryIsCausal: false });
    const isBatched = src.ndim === 3;
    if (!this.batchFirst && src.size(1) !== tgt.size(1) && isBatched) throw new RuntimeError("the batch number of src and tgt must be equal");
    if (this.batchFirst && src.size(0) !== tgt.size(0) && isBatched) throw new RuntimeError("the batch number of src and tgt must be equal");
    if (src.size(-1) !== this.dModel || tgt.size(-1) !== this.dModel)
      throw new RuntimeError("the feature number of src and tgt must be equal to d_model");
    const memory = this.encoder.forward(src, { mask: o.srcMask, srcKeyPaddingMask: o.srcKeyPaddingMask, isCausal: o.srcIsCausal }) as Tensor;
    return this.decoder.forward(tgt, memory, { tgtMask: o.tgtMask, memoryMask: o.memoryMask, tgtKeyPaddingMask: o.tgtKeyPaddingMask,
      memoryKeyPaddingMask: o.memoryKeyPaddingMask, tgtIsCausal: o.tgtIsCausal, memoryIsCausal: o.memoryIsCausal }) as Tensor;
  }

  /** Transformer.generate_square_subsequent_mask(sz): float mask with -inf above the diagonal. */
  static generateSquareSubsequentMask(sz: number, opts: { dtype?: Tensor["dtype"] } = {}): Tensor {
    return generateSquareSubsequentMask(sz, opts);
  }
}
