// SPDX-License-Identifier: BSD-3-Clause
// nn.Embedding and nn.EmbeddingBag (torch/nn/modules/sparse.py).
import { noGrad } from "../../autograd/grad-mode.js";
import { empty } from "../../ops/creation.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyFloat } from "../repr.js";

export interface EmbeddingModuleOptions {
  paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean;
  _weight?: Tensor | null; _freeze?: boolean; dtype?: DType;
}

/**
 * nn.Embedding(numEmbeddings, embeddingDim, { paddingIdx, maxNorm, normType = 2, scaleGradByFreq, sparse }):
 * a lookup table, initialised N(0, 1) with the padding row zeroed.
 */
export class Embedding extends Module {
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  weight: Parameter;  // (numEmbeddings, embeddingDim)

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingModuleOptions = {}) {
    super();
    const { paddingIdx = null, maxNorm = null, normType = 2, scaleGradByFreq = false, sparse = false, _weight = null, _freeze = false, dtype } = opts;
    this.paddingIdx = paddingIdx === null ? null : F.paddingIndex(paddingIdx, numEmbeddings);
    this.maxNorm = maxNorm; this.normType = normType; this.scaleGradByFreq = scaleGradByFreq; this.sparse = sparse;
    if (_weight === null) {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype }));
      this.resetParameters();
    } else {
      if (_weight.ndim !== 2 || _weight.shape[0] !== numEmbeddings || _weight.shape[1] !== embeddingDim)
        throw new F.AssertionError("Shape of weight does not match num_embeddings and embedding_dim");
      this.weight = new Parameter(_weight, !_freeze);
    }
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    if (this.sparse) s += ", sparse=True";
    return s;
  }

  /** nn.Embedding.from_pretrained(embeddings, { freeze = true, ... }): the given rows as the weight (not copied). */
  static fromPretrained(embeddings: Tensor, { freeze = true, ...opts }: Omit<EmbeddingModuleOptions, "_weight" | "_freeze" | "dtype"> & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new F.AssertionError("Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape as [number, number];
    return new Embedding(rows, cols, { ...opts, _weight: embeddings, _freeze: freeze });
  }
}

export interface EmbeddingBagModuleOptions {
  maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; mode?: F.BagMode; sparse?: boolean; _weight?: Tensor | null;
  _freeze?: boolean; includeLastOffset?: boolean; paddingIdx?: number | null; dtype?: DType;
}

/** nn.EmbeddingBag(numEmbeddings, embeddingDim, { mode = "mean", paddingIdx, maxNorm, includeLastOffset }). */
export class EmbeddingBag extends Module {
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: F.BagMode;
  readonly sparse: boolean;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;
  weight: Parameter;  // (numEmbeddings, embeddingDim)

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingBagModuleOptions = {}) {
    super();
    const { maxNorm = null, normType = 2, scaleGradByFreq = false, mode = "mean", sparse = false, _weight = null, _freeze = false,
      includeLastOffset = false, paddingIdx = null, dtype } = opts;
    this.maxNorm = maxNorm; this.normType = normType; this.scaleGradByFreq = scaleGradByFreq; this.mode = mode; this.sparse = sparse;
    this.includeLastOffset = includeLastOffset;
    this.paddingIdx = paddingIdx === null ? null : F.paddingIndex(paddingIdx, numEmbeddings);
    if (_weight === null) {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype }));
      this.resetParameters();
    } else {
      if (_weight.ndim !== 2 || _weight.shape[0] !== numEmbeddings || _weight.shape[1] !== embeddingDim)
        throw new F.AssertionError("Shape of weight does not match num_embeddings and embedding_dim");
      this.weight = new Parameter(_weight, !_freeze);
    }
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  override forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return F.embeddingBag(input, this.weight, offsets, {
      maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq, mode: this.mode,
      perSampleWeights, includeLastOffset: this.includeLastOffset, paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }

  static fromPretrained(embeddings: Tensor, { freeze = true, ...opts }: Omit<EmbeddingBagModuleOptions, "_weight" | "_freeze" | "dtype"> & { freeze?: boolean } = {}): EmbeddingBag {
    if (embeddings.ndim !== 2) throw new F.AssertionError("Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape as [number, number];
    return new EmbeddingBag(rows, cols, { ...opts, _weight: embeddings, _freeze: freeze });
  }
}
