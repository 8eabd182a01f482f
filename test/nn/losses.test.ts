// SPDX-License-Identifier: BSD-3-Clause
// Losses (F. and nn. forms) against test/fixtures/nn-layers.json (scripts/gen_nn_layers_fixtures.py):
// every reduction, weights, ignoreIndex, label smoothing, K-dim inputs, probability targets, CTC;
// forward and input gradients; non-contiguous inputs; gradcheck in float64; reprs and errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { type Case, type T, dec, fx, nonContiguous, runCase, throwsLike } from "./layers-fixture.js";

const F = nn.functional;
type Kw = Record<string, never>;
type Named = Record<string, T>;

/** op -> [functional call, module call] from the named inputs and the (camelCase) keyword arguments. */
const OPS: Record<string, [(a: Named, kw: Kw) => T, (a: Named, kw: Kw) => T]> = {
  l1Loss: [(a, kw) => F.l1Loss(a.input!, a.target!, kw), (a, kw) => new nn.L1Loss(kw).forward(a.input!, a.target!)],
  mseLoss: [(a, kw) => F.mseLoss(a.input!, a.target!, kw), (a, kw) => new nn.MSELoss(kw).forward(a.input!, a.target!)],
  crossEntropy: [(a, kw) => F.crossEntropy(a.input!, a.target!, { ...kw as object, weight: a.weight ?? null }),
    (a, kw) => new nn.CrossEntropyLoss({ ...kw as object, weight: a.weight ?? null }).forward(a.input!, a.target!)],
  nllLoss: [(a, kw) => F.nllLoss(a.input!, a.target!, { ...kw as object, weight: a.weight ?? null }),
    (a, kw) => new nn.NLLLoss({ ...kw as object, weight: a.weight ?? null }).forward(a.input!, a.target!)],
  bce: [(a, kw) => F.binaryCrossEntropy(a.input!, a.target!, { ...kw as object, weight: a.weight }),
    (a, kw) => new nn.BCELoss({ ...kw as object, weight: a.weight }).forward(a.input!, a.target!)],
  bceWithLogits: [(a, kw) => F.binaryCrossEntropyWithLogits(a.input!, a.target!, { ...kw as object, posWeight: a.posWeight }),
    (a, kw) => new nn.BCEWithLogitsLoss({ ...kw as object, posWeight: a.posWeight }).forward(a.input!, a.target!)],
  huberLoss: [(a, kw) => F.huberLoss(a.input!, a.target!, kw), (a, kw) => new nn.HuberLoss(kw).forward(a.input!, a.target!)],
  smoothL1Loss: [(a, kw) => F.smoothL1Loss(a.input!, a.target!, kw), (a, kw) => new nn.SmoothL1Loss(kw).forward(a.input!, a.target!)],
  klDiv: [(a, kw) => F.klDiv(a.input!, a.target!, kw), (a, kw) => new nn.KLDivLoss(kw).forward(a.input!, a.target!)],
  poissonNllLoss: [(a, kw) => F.poissonNllLoss(a.input!, a.target!, kw), (a, kw) => new nn.PoissonNLLLoss(kw).forward(a.input!, a.target!)],
  gaussianNllLoss: [(a, kw) => F.gaussianNllLoss(a.input!, a.target!, a.var!, kw), (a, kw) => new nn.GaussianNLLLoss(kw).forward(a.input!, a.target!, a.var!)],
  marginRankingLoss: [(a, kw) => F.marginRankingLoss(a.input1!, a.input2!, a.target!, kw),
    (a, kw) => new nn.MarginRankingLoss(kw).forward(a.input1!, a.input2!, a.target!)],
  hingeEmbeddingLoss: [(a, kw) => F.hingeEmbeddingLoss(a.input!, a.target!, kw), (a, kw) => new nn.HingeEmbeddingLoss(kw).forward(a.input!, a.target!)],
  softMarginLoss: [(a, kw) => F.softMarginLoss(a.input!, a.target!, kw), (a, kw) => new nn.SoftMarginLoss(kw).forward(a.input!, a.target!)],
  multilabelSoftMarginLoss: [(a, kw) => F.multilabelSoftMarginLoss(a.input!, a.target!, { ...kw as object, weight: a.weight }),
    (a, kw) => new nn.MultiLabelSoftMarginLoss({ ...kw as object, weight: a.weight }).forward(a.input!, a.target!)],
  multilabelMarginLoss: [(a, kw) => F.multilabelMarginLoss(a.input!, a.target!, kw), (a, kw) => new nn.MultiLabelMarginLoss(kw).forward(a.input!, a.target!)],
  multiMarginLoss: [(a, kw) => F.multiMarginLoss(a.input!, a.target!, { ...kw as object, weight: a.weight ?? null }),
    (a, kw) => new nn.MultiMarginLoss({ ...kw as object, weight: a.weight ?? null }).forward(a.input!, a.target!)],
  cosineEmbeddingLoss: [(a, kw) => F.cosineEmbeddingLoss(a.input1!, a.input2!, a.target!, kw),
    (a, kw) => new nn.CosineEmbeddingLoss(kw).forward(a.input1!, a.input2!, a.target!)],
  tripletMarginLoss: [(a, kw) => F.tripletMarginLoss(a.anchor!, a.positive!, a.negative!, kw),
    (a, kw) => new nn.TripletMarginLoss(kw).forward(a.anchor!, a.positive!, a.negative!)],
  tripletMarginWithDistanceLoss: [(a, kw) => F.tripletMarginWithDistanceLoss(a.anchor!, a.positive!, a.negative!, kw),
    (a, kw) => new nn.TripletMarginWithDistanceLoss(kw).forward(a.anchor!, a.positive!, a.negative!)],
  tripletMarginWithDistanceLossCosine: [
    (a, kw) => F.tripletMarginWithDistanceLoss(a.anchor!, a.positive!, a.negative!, { ...kw as object, distanceFunction: (x, y) => F.cosineSimilarity(x, y).neg().add(1) }),
    (a, kw) => new nn.TripletMarginWithDistanceLoss({ ...kw as object, distanceFunction: (x: T, y: T) => F.cosineSimilarity(x, y).neg().add(1) }).forward(a.anchor!, a.positive!, a.negative!)],
  ctcLoss: [(a, kw) => F.ctcLoss(a.logProbs!, a.targets!, a.inputLengths!, a.targetLengths!, kw),
    (a, kw) => new nn.CTCLoss(kw).forward(a.logProbs!, a.targets!, a.inputLengths!, a.targetLengths!)],
};
/** Nodes we record ourselves with PyTorch's name; the composite losses end in whatever op comes last. */
const NAMED = new Set(["HuberLossBackward0", "SmoothL1LossBackward0", "MseLossBackward0", "BinaryCrossEntropyBackward0", "CtcLossBackward0", "NllLossBackward0"]);

describe("losses vs PyTorch (forward and input gradients)", () => {
  for (const c0 of fx.losses as (Case & { names: string[] })[]) {
    const c = { ...c0, gradFn: c0.gradFn !== null && NAMED.has(c0.gradFn) ? c0.gradFn : null };
    const named = (xs: T[]): Named => Object.fromEntries(c.names.map((n, i) => [n, xs[i]!]));
    const [fn, mod] = OPS[c.op]!;
    test(c.id, () => {
      runCase(c, (xs) => fn(named(xs), c.kwargs as Kw));
      runCase(c, (xs) => mod(named(xs), c.kwargs as Kw));
      runCase(c, (xs) => fn(named(xs), c.kwargs as Kw), { layout: nonContiguous });
    });
  }
});

test("loss module reprs and registered weights", () => {
  assert.deepEqual([new nn.HuberLoss(), new nn.TripletMarginWithDistanceLoss(), new nn.CTCLoss(), new nn.MultiMarginLoss()].map(String), fx.lossReprs);
  const m = new nn.MultiLabelSoftMarginLoss({ weight: torch.ones(3) });
  assert.deepEqual(Object.keys(m.stateDict()), ["weight"]);
  assert.deepEqual(Object.keys(new nn.TripletMarginWithDistanceLoss().stateDict()), []);
  // positional arguments in PyTorch's order
  assert.equal(new nn.MarginRankingLoss(0.5).margin, 0.5);
  assert.equal(new nn.MultiMarginLoss(2, 0.3).p, 2);
  assert.equal(new nn.CTCLoss(3, "sum", true).zeroInfinity, true);
});

test("loss errors in PyTorch's words", () => {
  const e = fx.lossErrors, x = torch.randn(3, 4);
  throwsLike(() => F.multiMarginLoss(x, torch.tensor([0, 1, 3]), { p: 3 }), e.multiMarginP);
  throwsLike(() => F.marginRankingLoss(x, x, torch.ones(3)), e.marginRankingDims);
  throwsLike(() => F.gaussianNllLoss(x, x, torch.ones(2)), e.gaussianVarSize);
  throwsLike(() => F.gaussianNllLoss(x, x, torch.ones(3, 4).neg()), e.gaussianVarNegative);
  throwsLike(() => F.klDiv(x, x, { reduction: "foo" as "sum" }), e.reduction);
  throwsLike(() => F.crossEntropy(x, torch.tensor([1, 2, 3], { dtype: torch.float32 }).reshape(3)), e.crossEntropyTargetDtype);
  throwsLike(() => F.nllLoss(x, torch.tensor([1, 2])), e.nllBatch);
  throwsLike(() => F.huberLoss(x, x, { delta: -1 }), e.huberDelta);
  throwsLike(() => F.binaryCrossEntropy(torch.rand(3, 4), torch.rand(3)), e.bceSize);
  throwsLike(() => F.binaryCrossEntropyWithLogits(x, torch.rand(3)), e.bceWithLogitsSize);
  throwsLike(() => F.tripletMarginLoss(x, x, torch.randn(4)), e.tripletDims);
  throwsLike(() => F.ctcLoss(F.logSoftmax(torch.randn(5, 2, 3), 2), torch.tensor([[1, 2], [1, 1]]), torch.tensor([6, 5]), torch.tensor([2, 2])), e.ctcInputLength);
});

test("gradcheck in float64", () => {
  torch.manualSeed(11);
  const d = { dtype: torch.float64 } as const;
  const x = torch.randn([3, 4], d).requiresGrad_(), y = torch.randn([3, 4], d).requiresGrad_();
  const checks: [string, (a: T, b: T) => T][] = [
    ["huber", (a, b) => F.huberLoss(a, b, { delta: 0.7 })], ["smoothL1", (a, b) => F.smoothL1Loss(a, b, { beta: 0.6, reduction: "sum" })],
    ["klDiv logTarget", (a, b) => F.klDiv(a, b, { logTarget: true, reduction: "batchmean" })],
    ["poisson", (a, b) => F.poissonNllLoss(a, b.abs())], ["gaussian", (a, b) => F.gaussianNllLoss(a, b, b.square().add(0.1))],
    ["softMargin", (a, b) => F.softMarginLoss(a, b.sign())], ["multilabelSoftMargin", (a, b) => F.multilabelSoftMarginLoss(a, b.sigmoid())],
    ["triplet", (a, b) => F.tripletMarginLoss(a, b, a.mul(b), { swap: true })], ["cosineEmbedding", (a, b) => F.cosineEmbeddingLoss(a, b, torch.tensor([1, -1, 1]))],
    ["multiMargin", (a) => F.multiMarginLoss(a, torch.tensor([0, 3, 1]), { p: 2, weight: torch.tensor([1, 2, 3, 4], d) })],
    ["multilabelMargin", (a) => F.multilabelMarginLoss(a, torch.tensor([[3, 0, -1, 1], [1, 2, 3, 0], [2, -1, 0, 0]]))],
    ["crossEntropy probs", (a, b) => F.crossEntropy(a, F.softmax(b, 1), { labelSmoothing: 0.1 })],
  ];
  for (const [name, f] of checks) assert.ok(torch.autograd.gradcheck(f, [x, y]), name);
  // CTC through logSoftmax (PyTorch's CTC gradient is the one for log_softmax outputs)
  const logits = torch.randn([6, 2, 4], d).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a) => F.ctcLoss(F.logSoftmax(a, 2), torch.tensor([[1, 2, 2], [3, 1, 0]]), [6, 5], [3, 2]), [logits]), "ctc");
});
