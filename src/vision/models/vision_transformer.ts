// SPDX-License-Identifier: BSD-3-Clause
// torchvision.models.vision_transformer: VisionTransformer, vit_b_16 / b_32 / l_16 / l_32 / h_14.
import { ValueError } from "../../errors.js";
import * as nn from "../../nn/index.js";
import { cat } from "../../ops/join.js";
import { empty, zeros } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadWeights, numClassesFor, registerModel, verifyWeights, weightsEnum, type ModelOptions, type WeightsEnum } from "./_api.js";
import { MLP, type LayerFactory } from "./_ops.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
export class MLPBlock extends MLP {
  constructor(inDim: number, mlpDim: number, dropout: number) {
    super(inDim, [mlpDim, inDim], { activationLayer: () => new nn.GELU(), inplace: null, dropout });
    for (const m of this.modules()) {
      if (m instanceof nn.Linear) {
        nn.init.xavierUniform_(m.weight);
        if (m.bias !== null) nn.init.normal_(m.bias, 0, 1e-6);
      }
    }
  }
}

/** Old checkpoints name the MLP's linears linear_1 / linear_2 (torchvision's MLPBlock._load_from_state_dict). */
export function fixVitKeys(sd: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(sd)) out[k.replace(/\.mlp\.linear_([12])\.(weight|bias)$/, (_, i: string, t: string) => `.mlp.${3 * (Number(i) - 1)}.${t}`)] = v;
  return out;
}

const defaultNorm: LayerFactory = (d: number) => new nn.LayerNorm(d, { eps: 1e-6 });

export class EncoderBlock extends nn.Module {
  ln_1: nn.Module;
  self_attention: nn.MultiheadAttention;
  dropout: nn.Dropout;
  ln_2: nn.Module;
  mlp: MLPBlock;
  constructor(readonly numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, normLayer: LayerFactory = defaultNorm) {
    super();
    this.ln_1 = normLayer(hiddenDim);
    this.self_attention = new nn.MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true });
    this.dropout = new nn.Dropout(dropout);
    this.ln_2 = normLayer(hiddenDim);
    this.mlp = new MLPBlock(hiddenDim, mlpDim, dropout);
  }
  override forward(input: Tensor): Tensor {
    if (input.dim() !== 3) throw new Error(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(", ")}]`);
    let x = this.ln_1.forward(input);
    [x] = this.self_attention.forward(x, x, x, { needWeights: false }) as [Tensor, Tensor | null];
    x = this.dropout.forward(x).add(input);
    const y = this.mlp.forward(this.ln_2.forward(x));
    return x.add(y);
  }
}

export class Encoder extends nn.Module {
  pos_embedding: nn.Parameter;
  dropout: nn.Dropout;
  layers: nn.Sequential;
  ln: nn.Module;
  constructor(seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, normLayer: LayerFactory = defaultNorm) {
    super();
    this.pos_embedding = new nn.Parameter(empty([1, seqLength, hiddenDim]).normal_(0, 0.02));
    this.dropout = new nn.Dropout(dropout);
    const layers = new Map<string, nn.Module>();
    for (let i = 0; i < numLayers; i++) layers.set(`encoder_layer_${i}`, new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer));
    this.layers = new nn.Sequential(layers);
    this.ln = normLayer(hiddenDim);
  }
  override forward(input: Tensor): Tensor {
    if (input.dim() !== 3) throw new Error(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(", ")}]`);
    return this.ln.forward(this.layers.forward(this.dropout.forward(input.add(this.pos_embedding))));
  }
}

export interface VisionTransformerOptions {
  imageSize: number; patchSize: number; numLayers: number; numHeads: number; hiddenDim: number; mlpDim: number;
  dropout?: number; attentionDropout?: number; numClasses?: number; representationSize?: number | null; normLayer?: LayerFactory;
}

export class VisionTransformer extends nn.Module {
  conv_proj: nn.Conv2d;
  class_token: nn.Parameter;
  encoder: Encoder;
  heads: nn.Sequential;
  declare readonly imageSize: number;
  declare readonly patchSize: number;
  declare readonly hiddenDim: number;
  declare readonly seqLength: number;
  constructor({ imageSize, patchSize, numLayers, numHeads, hiddenDim, mlpDim, dropout = 0, attentionDropout = 0, numClasses = 1000, representationSize = null, normLayer = defaultNorm }: VisionTransformerOptions) {
    super();
    if (imageSize % patchSize !== 0) throw new Error("Input shape indivisible by patch size!");
    const seqLength = (Math.floor(imageSize / patchSize)) ** 2 + 1;
    for (const [k, v] of Object.entries({ imageSize, patchSize, hiddenDim, seqLength })) Object.defineProperty(this, k, { value: v, enumerable: false });
    this.conv_proj = new nn.Conv2d(3, hiddenDim, patchSize, { stride: patchSize });
    this.class_token = new nn.Parameter(zeros([1, 1, hiddenDim]));
    this.encoder = new Encoder(seqLength, numLayers, numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer);
    const heads = new Map<string, nn.Module>();
    if (representationSize === null) heads.set("head", new nn.Linear(hiddenDim, numClasses));
    else {
      heads.set("pre_logits", new nn.Linear(hiddenDim, representationSize));
      heads.set("act", new nn.Tanh());
      heads.set("head", new nn.Linear(representationSize, numClasses));
    }
    this.heads = new nn.Sequential(heads);
    const fanIn = 3 * patchSize * patchSize;
    nn.init.truncNormal_(this.conv_proj.weight, 0, Math.sqrt(1 / fanIn));
    if (this.conv_proj.bias !== null) nn.init.zeros_(this.conv_proj.bias);
    const pre = (this.heads as any).pre_logits as nn.Linear | undefined;
    if (pre instanceof nn.Linear) {
      nn.init.truncNormal_(pre.weight, 0, Math.sqrt(1 / pre.inFeatures));
      nn.init.zeros_(pre.bias!);
    }
    const head = (this.heads as any).head as nn.Linear;
    nn.init.zeros_(head.weight);
    nn.init.zeros_(head.bias!);
  }

  processInput(x: Tensor): Tensor {
    const [n, , h, w] = x.shape as [number, number, number, number];
    const p = this.patchSize;
    if (h !== this.imageSize) throw new Error(`Wrong image height! Expected ${this.imageSize} but got ${h}!`);
    if (w !== this.imageSize) throw new Error(`Wrong image width! Expected ${this.imageSize} but got ${w}!`);
    x = this.conv_proj.forward(x);
    return x.reshape(n, this.hiddenDim, Math.floor(h / p) * Math.floor(w / p)).permute(0, 2, 1);
  }

  override forward(x: Tensor): Tensor {
    x = this.processInput(x);
    const n = x.shape[0]!;
    x = cat([this.class_token.expand(n, -1, -1), x], 1);
    x = this.encoder.forward(x);
    return this.heads.forward(x.index(":", 0));
  }
}

type VOpts = ModelOptions & { imageSize?: number; dropout?: number; attentionDropout?: number; representationSize?: number | null };
function make(patchSize: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, e: WeightsEnum) {
  return (opts: VOpts = {}): VisionTransformer => {
    const w = verifyWeights(e, opts.weights);
    let imageSize = opts.imageSize ?? 224;
    if (w !== null) {
      const s = w.meta.minSize[0]!;
      if (opts.imageSize !== undefined && opts.imageSize !== s) throw new ValueError(`The parameter 'image_size' expected value ${s} but got ${opts.imageSize} instead.`);
      imageSize = s;
    }
    const model = new VisionTransformer({ imageSize, patchSize, numLayers, numHeads, hiddenDim, mlpDim, dropout: opts.dropout, attentionDropout: opts.attentionDropout,
      representationSize: opts.representationSize, numClasses: numClassesFor(opts, w) });
    return loadWeights(model, w, opts.progress, fixVitKeys);
  };
}
export const ViT_B_16_Weights = weightsEnum("ViT_B_16_Weights");
export const ViT_B_32_Weights = weightsEnum("ViT_B_32_Weights");
export const ViT_L_16_Weights = weightsEnum("ViT_L_16_Weights");
export const ViT_L_32_Weights = weightsEnum("ViT_L_32_Weights");
export const ViT_H_14_Weights = weightsEnum("ViT_H_14_Weights");
export const vitB16 = make(16, 12, 12, 768, 3072, ViT_B_16_Weights);
export const vitB32 = make(32, 12, 12, 768, 3072, ViT_B_32_Weights);
export const vitL16 = make(16, 24, 16, 1024, 4096, ViT_L_16_Weights);
export const vitL32 = make(32, 24, 16, 1024, 4096, ViT_L_32_Weights);
export const vitH14 = make(14, 32, 16, 1280, 5120, ViT_H_14_Weights);
registerModel("vit_b_16", vitB16, ViT_B_16_Weights);
registerModel("vit_b_32", vitB32, ViT_B_32_Weights);
registerModel("vit_l_16", vitL16, ViT_L_16_Weights);
registerModel("vit_l_32", vitL32, ViT_L_32_Weights);
registerModel("vit_h_14", vitH14, ViT_H_14_Weights);
