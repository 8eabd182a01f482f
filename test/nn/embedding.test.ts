// SPDX-License-Identifier: BSD-3-Clause
// Embedding / EmbeddingBag / oneHot, dropout family, distances, normalize, channelShuffle,
// Bilinear and LazyLinear against test/fixtures/nn-layers.json (scripts/gen_nn_layers_fixtures.py).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { type Case, type T, close, dec, fx, nonContiguous, runCase, throwsLike } from "./layers-fixture.js";

const F = nn.functional;
type Kw = Record<string, never>;

const EMB: Record<string, (x: T[], kw: Kw) => T> = {
  embedding: ([i, w], kw) => F.embedding(i!, w!, kw),
  embeddingBag: ([i, w, o, ps], kw) => F.embeddingBag(i!, w!, o ?? null, { ...kw as object, perSampleWeights: ps ?? null }),
};

describe("Embedding / EmbeddingBag vs PyTorch", () => {
  for (const c of fx.embedding as Case[]) {
    test(c.id, () => {
      // EmbeddingBag's node is a composite here (PyTorch: EmbeddingBagBackward0); values and gradients match
      const cc = { ...c, gradFn: c.op === "embedding" ? c.gradFn : null };
      runCase(cc, (xs) => EMB[c.op]!(xs, c.kwargs as Kw));
      runCase(cc, (xs) => EMB[c.op]!(xs, c.kwargs as Kw), { layout: nonContiguous });
    });
  }
  test("modules: Embedding, EmbeddingBag, fromPretrained (freeze), maxNorm renormalisation, reprs", () => {
    const w = dec(fx.embedding[0].inputs[1]);
    const idx = dec(fx.embedding[0].inputs[0]);
    const emb = nn.Embedding.fromPretrained(w);
    assert.equal(emb.weight.requiresGrad, false);
    close(emb.forward(idx), fx.embedding[0].out, "fromPretrained forward");
    assert.equal(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad, true);
    const bag = nn.EmbeddingBag.fromPretrained(dec(fx.embedding[3].inputs[1]), { mode: "sum" });
    close(bag.forward(dec(fx.embedding[3].inputs[0]), dec(fx.embedding[3].inputs[2])), fx.embedding[3].out, "EmbeddingBag module");
    const m = fx.embeddingMaxNorm;
    const wm = dec(m.weight);
    close(F.embedding(dec(m.indices), wm, { maxNorm: 1.5, normType: 1 }), m.out, "maxNorm forward");
    close(wm, m.renormed, "maxNorm renormalises the weight in place");
    const mods = [new nn.Embedding(10, 3), new nn.Embedding(10, 3, { paddingIdx: 0, maxNorm: 1.0, normType: 1.0, scaleGradByFreq: true, sparse: true }),
      new nn.Embedding(10, 3, { paddingIdx: -1 }), new nn.EmbeddingBag(10, 3), new nn.EmbeddingBag(10, 3, { mode: "max", paddingIdx: 2, maxNorm: 2.0 }),
      nn.Embedding.fromPretrained(torch.ones(3, 2))];
    assert.deepEqual(mods.map(String), fx.embeddingReprs);
    assert.deepEqual(Object.keys(new nn.Embedding(4, 2).stateDict()), ["weight"]);
  });
  test("oneHot", () => {
    const o = fx.oneHot;
    close(F.oneHot(dec(o.input)), o.out, "oneHot");
    close(F.oneHot(dec(o.input), 6), o.out6, "oneHot numClasses");
  });
  test("errors in PyTorch's words", () => {
    const e = fx.embeddingErrors, w = torch.randn(5, 3);
    throwsLike(() => F.embedding(torch.tensor([1, 2], { dtype: torch.float32 }), w), e.dtype);
    throwsLike(() => F.embedding(torch.tensor([1, 7]), w), e.range);
    throwsLike(() => F.embeddingBag(torch.tensor([1, 2]), w), e.offsetsNone);
    throwsLike(() => F.embeddingBag(torch.tensor([[1, 2]]), w, torch.tensor([0])), e.offsets2d);
    throwsLike(() => F.embeddingBag(torch.tensor([[1, 2]]), w, null, { perSampleWeights: torch.ones(1, 2) }), e.perSample);
    throwsLike(() => new nn.Embedding(3, 2, { paddingIdx: 3 }), e.paddingIdx);
    throwsLike(() => nn.Embedding.fromPretrained(torch.ones(3)), e.pretrained);
    throwsLike(() => F.embeddingBag(torch.tensor([1, 2]), w, torch.tensor([0, 3])), e.lastOffset);
    throwsLike(() => F.oneHot(torch.tensor([1], { dtype: torch.float32 })), e.oneHotDtype);
    throwsLike(() => F.oneHot(torch.tensor([1, -1])), e.oneHotNegative);
    throwsLike(() => F.oneHot(torch.tensor([1, 5]), 3), e.oneHotRange);
  });
  test("gradcheck in float64", () => {
    const w = torch.randn([6, 3], { dtype: torch.float64 }).requiresGrad_();
    const ps = torch.randn([5], { dtype: torch.float64 }).requiresGrad_();
    assert.ok(torch.autograd.gradcheck((a) => F.embedding(torch.tensor([[0, 2, 2], [5, 1, 2]]), a), [w]));
    assert.ok(torch.autograd.gradcheck((a, b) => F.embeddingBag(torch.tensor([0, 2, 2, 5, 1]), a, torch.tensor([0, 1, 3]), { mode: "sum", perSampleWeights: b }), [w, ps]));
    assert.ok(torch.autograd.gradcheck((a) => F.embeddingBag(torch.tensor([[0, 2, 3], [5, 1, 4]]), a, null, { mode: "max" }), [w]));
  });
});

describe("dropout family", () => {
  const calls: Record<string, (x: T, p: number) => T> = {
    dropout: (x, p) => F.dropout(x, p), dropout1d: (x, p) => F.dropout1d(x, p), dropout1dUnbatched: (x, p) => F.dropout1d(x, { p }),
    dropout2d: (x, p) => F.dropout2d(x, p, true), dropout3d: (x, p) => F.dropout3d(x, p), dropout3dUnbatched: (x, p) => F.dropout3d(x, p),
    alphaDropout: (x, p) => F.alphaDropout(x, p, true), featureAlphaDropout: (x, p) => F.featureAlphaDropout(x, { p, training: true }),
  };
  for (const [name, c] of Object.entries(fx.dropout as Record<string, { p: number; x: never; out: never; gradOut: never; gx: never }>)) {
    test(`${name}: PyTorch's mask after manualSeed, gradient`, () => {
      const x = dec(c.x, true);
      torch.manualSeed(5);
      const y = calls[name]!(x, c.p);
      close(y, c.out, `${name} forward`);
      y.backward(dec(c.gradOut));
      close(x.grad, c.gx, `${name} grad`);
    });
  }
  test("modules: train draws, eval is the identity; reprs; errors", () => {
    const x = torch.randn(2, 3, 4, 4);
    for (const m of [new nn.Dropout1d(), new nn.Dropout2d(0.2), new nn.Dropout3d(), new nn.AlphaDropout(), new nn.FeatureAlphaDropout(0.3)]) {
      m.eval();
      const input = m instanceof nn.Dropout1d ? x.index(0) : x;
      assert.ok(torch.equal(m.forward(input), input), `${m._getName()} in eval mode`);
    }
    const d2 = new nn.Dropout2d(0.5);
    const y = d2.forward(torch.ones(4, 8, 3, 3));
    // whole channels are zeroed or scaled by 2
    const perChannel = y.amax([2, 3]), minPerChannel = y.amin([2, 3]);
    assert.ok(torch.equal(perChannel, minPerChannel));
    assert.ok(y.eq(0).logicalOr(y.eq(2)).all().item());
    // alpha dropout keeps mean ~0, std ~1 for standard normal input
    torch.manualSeed(0);
    const z = F.alphaDropout(torch.randn(20000), 0.2, true);
    assert.ok(Math.abs(z.mean().item() as number) < 0.05 && Math.abs((z.std().item() as number) - 1) < 0.05);
    assert.deepEqual([new nn.Dropout1d(), new nn.Dropout2d(0.2, true), new nn.Dropout3d(0.1), new nn.AlphaDropout(), new nn.FeatureAlphaDropout(0.3)].map(String), fx.dropoutReprs);
    throwsLike(() => new nn.Dropout2d(1.5), fx.dropoutErrors.p);
    throwsLike(() => F.dropout1d(torch.randn(2, 3, 4, 5)), fx.dropoutErrors.dropout1d);
    // in place: the same storage, scaled
    const a = torch.ones(3, 4, 2);
    assert.equal(F.dropout1d(a, 0.5, true, true), a);
    assert.ok(a.eq(0).logicalOr(a.eq(2)).all().item());
  });
});

const MISC: Record<string, (x: T[], kw: Record<string, number | boolean>) => T> = {
  pairwiseDistance: ([a, b], kw) => F.pairwiseDistance(a!, b!, kw),
  cosineSimilarity: ([a, b], kw) => F.cosineSimilarity(a!, b!, kw),
  normalize: ([a], kw) => F.normalize(a!, kw),
  channelShuffle: ([a], kw) => F.channelShuffle(a!, kw.groups as number),
  bilinear: ([a, b, w, bias]) => F.bilinear(a!, b!, w!, bias ?? null),
};
const MODULE_FORMS: Record<string, (x: T[], kw: Record<string, number | boolean>) => T> = {
  pairwiseDistance: ([a, b], kw) => new nn.PairwiseDistance(kw).forward(a!, b!),
  cosineSimilarity: ([a, b], kw) => new nn.CosineSimilarity(kw).forward(a!, b!),
  channelShuffle: ([a], kw) => new nn.ChannelShuffle(kw.groups as number).forward(a!),
};

describe("distances, normalize, channelShuffle, bilinear", () => {
  for (const c of fx.misc as Case[]) {
    test(c.id, () => {
      const cc = { ...c, gradFn: ["NormBackward1", "DivBackward0"].includes(c.gradFn ?? "") ? c.gradFn : null };
      runCase(cc, (xs) => MISC[c.op]!(xs, c.kwargs as Kw));
      runCase(cc, (xs) => MISC[c.op]!(xs, c.kwargs as Kw), { layout: nonContiguous });
      if (MODULE_FORMS[c.op]) runCase(cc, (xs) => MODULE_FORMS[c.op]!(xs, c.kwargs as Kw));
    });
  }
  test("Bilinear module, LazyLinear materialisation, reprs, errors", () => {
    assert.deepEqual([new nn.PairwiseDistance(), new nn.CosineSimilarity(), new nn.ChannelShuffle(2), new nn.Bilinear(2, 3, 4),
      new nn.Bilinear(2, 3, 4, { bias: false }), new nn.LazyLinear(3)].map(String), fx.miscReprs);
    const bl = new nn.Bilinear(3, 2, 4);
    const x1 = torch.randn(5, 3), x2 = torch.randn(5, 2);
    assert.ok(torch.allclose(bl.forward(x1, x2), F.bilinear(x1, x2, bl.weight, bl.bias)));
    const l = fx.lazyLinear;
    torch.manualSeed(2);
    const lazy = new nn.LazyLinear(3);
    assert.ok(lazy.hasUninitializedParams());
    const y = lazy.forward(dec(l.x));
    close(y, l.out, "LazyLinear forward");
    close(lazy.weight, l.weight, "LazyLinear weight (Linear's init draws)");
    close(lazy.bias, l.bias, "LazyLinear bias");
    assert.equal(String(lazy), l.repr);
    assert.ok(lazy instanceof nn.Linear);
    assert.deepEqual(Object.keys(lazy.stateDict()), l.keys);
    assert.deepEqual([...lazy.parameters()].map((p) => p.shape), [[3, 4], [3]]);
    const e = fx.miscErrors;
    throwsLike(() => F.channelShuffle(torch.randn(1, 5, 2), 2), e.channelShuffle);
    throwsLike(() => F.bilinear(torch.randn(3, 2), torch.randn(4, 3), torch.randn(5, 2, 3)), e.bilinearBatch);
    throwsLike(() => F.bilinear(torch.randn(3, 3), torch.randn(3, 3), torch.randn(5, 2, 3)), e.bilinearInput1);
    throwsLike(() => F.bilinear(torch.randn(3, 2), torch.randn(3, 3), torch.randn(5, 2, 3), torch.randn(4)), e.bilinearBias);
  });
  test("gradcheck in float64", () => {
    const d = { dtype: torch.float64 } as const;
    const a = torch.randn([3, 4], d).requiresGrad_(), b = torch.randn([3, 4], d).requiresGrad_();
    assert.ok(torch.autograd.gradcheck((u, v) => F.pairwiseDistance(u, v, 3), [a, b]), "pairwiseDistance");
    assert.ok(torch.autograd.gradcheck((u, v) => F.cosineSimilarity(u, v), [a, b]), "cosineSimilarity");
    assert.ok(torch.autograd.gradcheck((u) => F.normalize(u, { dim: 0 }), [a]), "normalize");
    const w = torch.randn([2, 4, 4], d).requiresGrad_(), bias = torch.randn([2], d).requiresGrad_();
    assert.ok(torch.autograd.gradcheck((u, v, ww, bb) => F.bilinear(u, v, ww, bb), [a, b, w, bias]), "bilinear");
  });
});
