// SPDX-License-Identifier: BSD-3-Clause
// F.scaledDotProductAttention and F.multiHeadAttentionForward (the math path of
// torch.nn.functional.multi_head_attention_forward), composed from matmul / softmax / dropout.
import { RuntimeError, AssertionError } from "../../errors.js";
import { full, ones, zeros } from "../../ops/creation.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout, linear, softmax } from "./activation.js";
import { argsOf } from "./util.js";

const check = (cond: boolean, msg: string): void => { if (!cond) throw new AssertionError(msg); };

export interface SdpaOptions { attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean; scale?: number | null; enableGqa?: boolean }

/**
 * F.scaledDotProductAttention(query, key, value, { attnMask, dropoutP = 0, isCausal = false, scale }):
 * softmax(q k^T * scale + bias) v, with scale 1/sqrt(E) by default; a bool mask keeps the true
 * positions, a float mask is added; isCausal masks the upper triangle. (..., L, E) x (..., S, E) x (..., S, Ev) -> (..., L, Ev).
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor,
  { attnMask = null, dropoutP = 0, isCausal = false, scale = null, enableGqa = false }: SdpaOptions = {}): Tensor {
  const L = query.size(-2), S = key.size(-2), E = query.size(-1);
  if (isCausal && attnMask !== null)
    throw new RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
  let k = key, v = value;
  if (enableGqa && query.ndim >= 3) {
    const rep = query.size(-3) / key.size(-3);
    k = key.repeatInterleave(rep, -3); v = value.repeatInterleave(rep, -3);
  }
  const s = scale ?? 1 / Math.sqrt(E);
  let attn = query.matmul(k.transpose(-2, -1)).mul(s);
  if (isCausal) {
    const keep = ones([L, S], { dtype: "bool" }).tril();
    attn = attn.maskedFill(keep.logicalNot(), -Infinity);
  }
  if (attnMask !== null) attn = attnMask.dtype === "bool" ? attn.maskedFill(attnMask.logicalNot(), -Infinity) : attn.add(attnMask);
  attn = softmax(attn, -1);
  if (dropoutP > 0) attn = dropout(attn, dropoutP, true);
  return attn.matmul(v);
}

export interface MhaForwardOptions {
  inProjWeight: Tensor | null; inProjBias: Tensor | null; biasK: Tensor | null; biasV: Tensor | null; addZeroAttn: boolean;
  dropoutP: number; outProjWeight: Tensor; outProjBias: Tensor | null; training?: boolean; keyPaddingMask?: Tensor | null;
  needWeights?: boolean; attnMask?: Tensor | null; useSeparateProjWeight?: boolean; qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null; vProjWeight?: Tensor | null; staticK?: Tensor | null; staticV?: Tensor | null; averageAttnWeights?: boolean; isCausal?: boolean;
}

const pad1 = (t: Tensor): Tensor => cat([t, zeros([...t.shape.slice(0, -1), 1], { dtype: t.dtype, device: t.device })], -1);

/** Float mask from a bool one (true: masked, -inf) or the float mask itself. */
function floatMask(m: Tensor, dtype: Tensor["dtype"]): Tensor {
  if (m.dtype === "bool") return zeros(m.shape, { dtype, device: m.device }).maskedFill(m, -Infinity);
  return m;
}

const MHA_ARGS: (keyof MhaForwardOptions)[] = ["inProjWeight", "inProjBias", "biasK", "biasV", "addZeroAttn", "dropoutP", "outProjWeight",
  "outProjBias", "training", "keyPaddingMask", "needWeights", "attnMask", "useSeparateProjWeight", "qProjWeight", "kProjWeight",
  "vProjWeight", "staticK", "staticV", "averageAttnWeights", "isCausal"];

/**
 * F.multiHeadAttentionForward(query, key, value, embedDimToCheck, numHeads, inProjWeight, inProjBias, biasK, biasV,
 * addZeroAttn, dropoutP, outProjWeight, outProjBias, training?, ...) in PyTorch's order, or with one options object
 * after numHeads: query (L, N, E) or (L, E); returns [attnOutput, attnWeights | null] (PyTorch's math path).
 */
export function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, embedDimToCheck: number, numHeads: number,
  ...rest: unknown[]): [Tensor, Tensor | null] {
  const o = argsOf<MhaForwardOptions & Record<string, unknown>>(MHA_ARGS, rest, {} as MhaForwardOptions & Record<string, unknown>);
  if ((o.staticK ?? null) !== null || (o.staticV ?? null) !== null)
    throw new RuntimeError("multiHeadAttentionForward: static_k / static_v are not supported");
  const training = o.training ?? true, needWeights = o.needWeights ?? true, average = o.averageAttnWeights ?? true;
  let keyPaddingMask = o.keyPaddingMask ?? null, attnMask = o.attnMask ?? null;
  const isBatched = query.ndim === 3;
  if (isBatched) {
    check(key.ndim === 3 && value.ndim === 3, `For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (keyPaddingMask !== null) check(keyPaddingMask.ndim === 2, `For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${keyPaddingMask.ndim}-D tensor instead`);
    if (attnMask !== null) check(attnMask.ndim === 2 || attnMask.ndim === 3, `For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
  } else if (query.ndim === 2) {
    check(key.ndim === 2 && value.ndim === 2, `For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (keyPaddingMask !== null) check(keyPaddingMask.ndim === 1, `For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${keyPaddingMask.ndim}-D tensor instead`);
    if (attnMask !== null) {
      check(attnMask.ndim === 2 || attnMask.ndim === 3, `For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
      if (attnMask.ndim === 3) check(attnMask.size(0) === numHeads && attnMask.size(1) === query.size(0) && attnMask.size(2) === key.size(0),
        `Expected \`attn_mask\` shape to be (${numHeads}, ${query.size(0)}, ${key.size(0)}) but got (${attnMask.shape.join(", ")})`);
    }
  } else throw new AssertionError(`query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
  let q = query, k = key, v = value;
  if (!isBatched) {
    q = q.unsqueeze(1); k = k.unsqueeze(1); v = v.unsqueeze(1);
    if (keyPaddingMask !== null) keyPaddingMask = keyPaddingMask.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = q.shape as [number, number, number];
  const srcLen0 = k.size(0);
  check(embedDim === embedDimToCheck, `was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`);
  const headDim = Math.floor(embedDim / numHeads);
  check(headDim * numHeads === embedDim, `embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
  if (o.useSeparateProjWeight) {
    check(k.size(0) === v.size(0) && k.size(1) === v.size(1), `key's sequence and batch dims (${k.shape.slice(0, 2).join(", ")}) do not match value's (${v.shape.slice(0, 2).join(", ")})`);
  } else {
    check(k.shape.every((s, i) => s === v.shape[i]), `key shape [${k.shape.join(", ")}] does not match value shape [${v.shape.join(", ")}]`);
  }
  // input projections
  let bq: Tensor | null = null, bk: Tensor | null = null, bv: Tensor | null = null;
  if (o.inProjBias !== null) [bq, bk, bv] = o.inProjBias.chunk(3) as [Tensor, Tensor, Tensor];
  if (!o.useSeparateProjWeight) {
    check(o.inProjWeight !== null, "use_separate_proj_weight is False but in_proj_weight is None");
    const [wq, wk, wv] = o.inProjWeight!.chunk(3) as [Tensor, Tensor, Tensor];
    q = linear(q, wq, bq); k = linear(k, wk, bk); v = linear(v, wv, bv);
  } else {
    check(o.qProjWeight != null && o.kProjWeight != null && o.vProjWeight != null, "use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None");
    q = linear(q, o.qProjWeight!, bq); k = linear(k, o.kProjWeight!, bk); v = linear(v, o.vProjWeight!, bv);
  }
  // attention mask
  if (attnMask !== null) {
    if (attnMask.dtype === "uint8") attnMask = attnMask.bool();
    else if (!attnMask.isFloatingPoint() && attnMask.dtype !== "bool")
      throw new AssertionError(`Only float, byte, and bool types are supported for attn_mask, not torch.${attnMask.dtype}`);
    if (attnMask.ndim === 2) {
      if (attnMask.size(0) !== tgtLen || attnMask.size(1) !== srcLen0)
        throw new RuntimeError(`The shape of the 2D attn_mask is torch.Size([${attnMask.shape.join(", ")}]), but should be (${tgtLen}, ${srcLen0}).`);
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.ndim === 3) {
      if (attnMask.size(0) !== bsz * numHeads || attnMask.size(1) !== tgtLen || attnMask.size(2) !== srcLen0)
        throw new RuntimeError(`The shape of the 3D attn_mask is torch.Size([${attnMask.shape.join(", ")}]), but should be (${bsz * numHeads}, ${tgtLen}, ${srcLen0}).`);
    } else throw new RuntimeError(`attn_mask's dimension ${attnMask.ndim} is not supported`);
  }
  if (keyPaddingMask !== null && keyPaddingMask.dtype === "uint8") keyPaddingMask = keyPaddingMask.bool();
  // bias_k / bias_v: one more key position
  if (o.biasK !== null && o.biasV !== null) {
    k = cat([k, o.biasK.repeat(1, bsz, 1)]);
    v = cat([v, o.biasV.repeat(1, bsz, 1)]);
    if (attnMask !== null) attnMask = pad1(attnMask);
    if (keyPaddingMask !== null) keyPaddingMask = pad1(keyPaddingMask);
  } else check(o.biasK === null && o.biasV === null, "bias cannot be added to static key.");
  // (L, N, E) -> (N * H, L, headDim)
  q = q.reshape([tgtLen, bsz * numHeads, headDim]).transpose(0, 1);
  k = k.reshape([k.size(0), bsz * numHeads, headDim]).transpose(0, 1);
  v = v.reshape([v.size(0), bsz * numHeads, headDim]).transpose(0, 1);
  if (o.addZeroAttn) {
    k = cat([k, zeros([bsz * numHeads, 1, headDim], { dtype: k.dtype, device: k.device })], 1);
    v = cat([v, zeros([bsz * numHeads, 1, headDim], { dtype: v.dtype, device: v.device })], 1);
    if (attnMask !== null) attnMask = pad1(attnMask);
    if (keyPaddingMask !== null) keyPaddingMask = pad1(keyPaddingMask);
  }
  const srcLen = k.size(1);
  if (keyPaddingMask !== null) {
    if (keyPaddingMask.size(0) !== bsz || keyPaddingMask.size(1) !== srcLen)
      throw new AssertionError(`expecting key_padding_mask shape of (${bsz}, ${srcLen}), but got torch.Size([${keyPaddingMask.shape.join(", ")}])`);
    const kpm = keyPaddingMask.view([bsz, 1, 1, srcLen]).expand(-1, numHeads, -1, -1).reshape([bsz * numHeads, 1, srcLen]);
    if (attnMask === null) attnMask = kpm;
    else if (attnMask.dtype === "bool" && kpm.dtype === "bool") attnMask = attnMask.logicalOr(kpm);
    else attnMask = floatMask(attnMask, q.dtype).add(floatMask(kpm, q.dtype));
  }
  if (attnMask !== null) attnMask = floatMask(attnMask, q.dtype);
  const p = training ? o.dropoutP : 0;
  // the math path: softmax(q k^T / sqrt(d) + mask) v
  let scores = q.mul(1 / Math.sqrt(headDim)).matmul(k.transpose(-2, -1));
  if (attnMask !== null) scores = scores.add(attnMask);
  let weights = softmax(scores, -1);
  if (p > 0) weights = dropout(weights, p, true);
  let out = weights.matmul(v);  // (N * H, L, headDim)
  out = out.transpose(0, 1).contiguous().view([tgtLen * bsz, embedDim]);
  out = linear(out, o.outProjWeight, o.outProjBias).view([tgtLen, bsz, embedDim]);
  let w: Tensor | null = null;
  if (needWeights) {
    w = weights.view([bsz, numHeads, tgtLen, srcLen]);
    if (average) w = w.mean(1);
    if (!isBatched) w = w.squeeze(0);
  }
  if (!isBatched) out = out.squeeze(1);
  return [out, w];
}

/** Transformer.generate_square_subsequent_mask: -inf above the diagonal, 0 elsewhere. */
export function generateSquareSubsequentMask(sz: number, { dtype = "float32" as Tensor["dtype"] } = {}): Tensor {
  return full([sz, sz], -Infinity, { dtype }).triu(1);
}
export { AssertionError };
