// SPDX-License-Identifier: BSD-3-Clause
/* eslint-disable @typescript-eslint/no-explicit-any */
// F.scaledDotProductAttention, nn.MultiheadAttention and the Transformer modules against PyTorch
// (test/fixtures/nn-seq.json): outputs, attention weights, gradients of inputs and parameters,
// default init after manualSeed (through loadStateDict-free comparison of the init), reprs, errors.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { close, closeGrads, dec, fx, stateOf, throwsLike } from "./seq-helpers.js";

const F = nn.functional;
const camel = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

test("F.scaledDotProductAttention: plain, causal, bool and float masks, scale; gradients", () => {
  for (const [i, c] of (fx.sdpa as any[]).entries()) {
    const q = dec(c.q, true), k = dec(c.k, true), v = dec(c.v, true);
    const y = F.scaledDotProductAttention(q, k, v, { attnMask: c.mask ? dec(c.mask) : null, isCausal: c.isCausal, scale: c.scale });
    close(y, c.out, `sdpa[${i}]`);
    y.backward(dec(c.gradOut));
    close(q.grad, c.gq, `sdpa[${i}] gq`);
    close(k.grad, c.gk, `sdpa[${i}] gk`);
    close(v.grad, c.gv, `sdpa[${i}] gv`);
  }
  const q = torch.randn([1, 3, 2], { dtype: torch.float64 }).requiresGrad_();
  const k = torch.randn([1, 4, 2], { dtype: torch.float64 }).requiresGrad_();
  const v = torch.randn([1, 4, 3], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a, b, cc) => F.scaledDotProductAttention(a, b, cc, { isCausal: true }), [q, k, v]));
  // non-contiguous query (a transpose) equals its contiguous copy
  const qt = torch.randn([2, 5, 4]).transpose(0, 1);
  const kk = torch.randn([5, 3, 4]), vv = torch.randn([5, 3, 4]);
  assert.ok(torch.allclose(F.scaledDotProductAttention(qt, kk, vv), F.scaledDotProductAttention(qt.contiguous(), kk, vv)));
  // dropout: training noise; p = 0 is the identity path
  torch.manualSeed(0);
  const a = F.scaledDotProductAttention(kk, kk, vv, { dropoutP: 0.5 });
  assert.ok(!torch.allclose(a, F.scaledDotProductAttention(kk, kk, vv)));
  assert.throws(() => F.scaledDotProductAttention(kk, kk, vv, { isCausal: true, attnMask: torch.ones([3, 3]) }),
    { message: "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True" });
});

test("MultiheadAttention: default init after manualSeed, stateDict keys, repr", () => {
  torch.manualSeed(0);
  const a = new nn.MultiheadAttention(4, 2);
  torch.manualSeed(0);
  const b = new nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5, addBiasKv: true });
  for (const [name, m] of [["a", a], ["b", b]] as const) {
    const e = fx.mhaInit[name];
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), e.keys, `${name} keys`);
    for (const k of e.keys) close(sd[k], e.sd[k], `mha ${name}.${k}`);
    assert.equal(String(m), e.repr);
  }
});

test("MultiheadAttention forward, weights and gradients match PyTorch (masks, kdim/vdim, bias_kv, zero_attn, batch_first, unbatched)", () => {
  for (const [i, c] of (fx.mha as any[]).entries()) {
    const what = `mha[${i}] ${JSON.stringify(c.opts)}`;
    const m = new nn.MultiheadAttention(c.E, c.H, { ...camel(c.opts), dtype: "float64" }).eval();
    m.loadStateDict(stateOf(c.sd));
    const q = dec(c.q, true);
    const k = c.selfAttn ? q : dec(c.k, true), v = c.selfAttn ? q : dec(c.v, true);
    const [y, w] = m.forward(q, k, v, {
      keyPaddingMask: c.kpm ? dec(c.kpm) : null, needWeights: c.needWeights, attnMask: c.attnMask ? dec(c.attnMask) : null,
      averageAttnWeights: c.average,
    });
    close(y, c.out, `${what} out`);
    if (c.weights) close(w, c.weights, `${what} weights`); else assert.equal(w, null);
    y.backward(dec(c.gradOut));
    close(q.grad, c.gq, `${what} gq`);
    if (!c.selfAttn) { close(k.grad, c.gk, `${what} gk`); close(v.grad, c.gv, `${what} gv`); }
    closeGrads(m, c.gparams, what);
  }
});

test("MultiheadAttention errors in PyTorch's words; isCausal needs a mask", () => {
  throwsLike(() => new nn.MultiheadAttention(5, 2), fx.mhaErrors.divisible, "divisible");
  throwsLike(() => new nn.MultiheadAttention(4, 2).forward(torch.randn(3, 2, 4), torch.randn(5, 2, 4), torch.randn(5, 2, 4), { attnMask: torch.zeros(3, 4) }),
    fx.mhaErrors.mask2d, "2D mask");
  const m = new nn.MultiheadAttention(4, 2);
  const x = torch.randn(3, 2, 4);
  assert.throws(() => m.forward(x, x, x, { isCausal: true }), { message: /^Need attn_mask if specifying the is_causal hint/ });
  const mask = nn.Transformer.generateSquareSubsequentMask(3);
  const [a] = m.forward(x, x, x, { attnMask: mask, isCausal: true });
  const [b] = m.forward(x, x, x, { attnMask: mask });
  assert.ok(torch.equal(a, b));
});

function buildTf(c: any): nn.Module {
  const o: any = { dimFeedforward: 16, ...camel(c.opts) };
  if (c.activation) o.activation = c.activation;
  switch (c.kind) {
    case "encLayer": return new nn.TransformerEncoderLayer(8, 2, o);
    case "decLayer": return new nn.TransformerDecoderLayer(8, 2, o);
    case "enc": return new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, o), 2, new nn.LayerNorm(8));
    case "dec": return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, o), 2);
    default: return new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, ...o });
  }
}

test("Transformer modules: init after manualSeed, keys and reprs; eval outputs and gradients match PyTorch", () => {
  const causal = nn.Transformer.generateSquareSubsequentMask(3);
  close(causal, fx.squareMask, "generateSquareSubsequentMask");
  const kpm = torch.tensor([[false, false, false, true], [false, false, false, false]]);
  const calls: ((m: any, i: torch.Tensor[]) => torch.Tensor)[] = [
    (m, i) => m.forward(i[0]),
    (m, i) => m.forward(i[0], { srcKeyPaddingMask: kpm }),
    (m, i) => m.forward(i[0], { mask: causal.double() }),
    (m, i) => m.forward(i[0], i[1], { tgtMask: causal.double(), memoryKeyPaddingMask: kpm }),
    (m, i) => m.forward(i[0], i[1], { tgtMask: causal.double() }),
    (m, i) => m.forward(i[0], i[1], { tgtMask: causal.double() }),
  ];
  for (const [i, c] of (fx.transformer as any[]).entries()) {
    const what = `${c.kind}[${i}]`;
    torch.manualSeed(9);
    const m = buildTf(c);
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), c.keys, `${what} keys`);
    for (const k of c.keys) close(sd[k], c.initSd[k], `${what} init ${k}`);
    assert.equal(String(m), c.repr, `${what} repr`);
    m.double().eval();
    const ins = c.inputs.map((e: any) => dec(e, true));
    const y = calls[i]!(m, ins);
    close(y, c.out, `${what} out`);
    y.backward(dec(c.gradOut));
    ins.forEach((t: torch.Tensor, j: number) => close(t.grad, c.gin[j], `${what} grad input ${j}`));
    closeGrads(m, c.gparams, what);
  }
});

test("Transformer errors; layers are independent copies; train mode applies dropout", () => {
  const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
  throwsLike(() => t.forward(torch.randn(3, 2, 8), torch.randn(3, 3, 8)), fx.transformerErrors.batch, "batch");
  throwsLike(() => t.forward(torch.randn(3, 2, 8), torch.randn(3, 2, 6)), fx.transformerErrors.feature, "feature");
  const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 2);
  const l0 = (enc.layers as any)[0], l1 = (enc.layers as any)[1];
  assert.notEqual(l0.linear1.weight, l1.linear1.weight);
  assert.ok(torch.equal(l0.linear1.weight, l1.linear1.weight));
  const x = torch.randn(3, 2, 4);
  enc.eval();
  const e1 = enc.forward(x);
  enc.train();
  assert.ok(!torch.allclose(enc.forward(x), e1));
  // an activation given as a function is used as is
  const lay = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, activation: (z) => z.tanh() }).eval();
  assert.deepEqual(lay.forward(x).shape, [3, 2, 4]);
});
