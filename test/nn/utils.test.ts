// SPDX-License-Identifier: BSD-3-Clause
/* eslint-disable @typescript-eslint/no-explicit-any */
// nn.utils (clipGradNorm_, clipGradValue_, parametersToVector, vectorToParameters) and nn.utils.rnn
// (padSequence, packSequence, packPaddedSequence, padPackedSequence, unpad/unpack) against PyTorch.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { close, dec, fx, throwsLike } from "./seq-helpers.js";

const U = nn.utils;
const R = nn.utils.rnn;

test("clipGradNorm_ (norm types 2, inf, 1, 3) scales gradients and returns the total norm as PyTorch", () => {
  for (const [i, c] of (fx.clip as any[]).entries()) {
    const ps = c.grads.map((g: any, j: number) => {
      const p = new nn.Parameter(torch.zeros(j === 0 ? [3, 2] : j === 1 ? [4] : [2], { dtype: torch.float64 }));
      p.grad = g ? dec(g) : null;
      return p;
    });
    const total = U.clipGradNorm_(ps, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
    close(total, c.total, `clip[${i}] total`);
    ps.forEach((p: nn.Parameter, j: number) => { if (c.clipped[j]) close(p.grad, c.clipped[j], `clip[${i}] grad ${j}`); else assert.equal(p.grad, null); });
  }
  // options form and "inf"
  const p = new nn.Parameter(torch.zeros(2));
  p.grad = torch.tensor([3, -4], { dtype: torch.float32 });
  assert.equal(U.clipGradNorm_([p], 1, { normType: "inf" }).item(), 4);
  assert.ok(Math.abs((p.grad.tolist() as number[])[1]! + 1) < 1e-5);
  // no gradients: 0
  assert.equal(U.clipGradNorm_([new nn.Parameter(torch.zeros(2))], 1).item(), 0);
});

test("clipGradNorm_ errorIfNonfinite raises PyTorch's error; clipGradValue_ clamps", () => {
  const p = new nn.Parameter(torch.zeros(2));
  p.grad = torch.tensor([1.0, Infinity]);
  throwsLike(() => U.clipGradNorm_([p], 1.0, 2, true), fx.clipErr, "nonfinite");
  throwsLike(() => U.clipGradNorm_(p, 1.0, { errorIfNonfinite: true }), fx.clipErr, "nonfinite (options)");
  const q = new nn.Parameter(torch.zeros([3, 4], { dtype: torch.float64 }));
  q.grad = dec(fx.clipValue.grad);
  U.clipGradValue_([q], 0.7);
  close(q.grad, fx.clipValue.clipped, "clipGradValue_");
});

test("parametersToVector / vectorToParameters", () => {
  const ps = fx.vec.params.map((e: any) => new nn.Parameter(dec(e)));
  const v = U.parametersToVector(ps);
  close(v, fx.vec.vec, "parametersToVector");
  const lin = new nn.Linear(3, 2);
  const n = [...lin.parameters()].reduce((a, p) => a + p.numel(), 0);
  const vec = torch.arange(n).float();
  U.vectorToParameters(vec, lin.parameters());
  assert.deepEqual(lin.weight.tolist(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(lin.bias!.tolist(), [6, 7]);
  assert.ok(lin.weight instanceof nn.Parameter && lin.weight.requiresGrad);
  throwsLike(() => U.vectorToParameters([1, 2] as any, ps), { type: "TypeError", message: fx.vec.err.message.replace("list", "Array") }, "vectorToParameters type");
});

test("padSequence (batchFirst, paddingValue, paddingSide), packSequence, padPackedSequence (totalLength)", () => {
  const seqs = fx.padSeq.seqs.map((e: any) => dec(e));
  close(R.padSequence(seqs), fx.padSeq.default, "padSequence");
  close(R.padSequence(seqs, true, -1), fx.padSeq.batchFirst, "padSequence(batchFirst, -1)");
  close(R.padSequence(seqs, { batchFirst: true, paddingSide: "left" }), fx.padSeq.left, "padSequence(left)");
  const packed = R.packSequence(seqs, { enforceSorted: false });
  close(packed.data, fx.packSeq.data, "packSequence data");
  close(packed.batchSizes, fx.packSeq.batchSizes, "batchSizes");
  close(packed.sortedIndices, fx.packSeq.sortedIndices, "sortedIndices");
  close(packed.unsortedIndices, fx.packSeq.unsortedIndices, "unsortedIndices");
  const [data, batchSizes, sortedIndices] = packed;
  assert.equal(data, packed.data); assert.equal(batchSizes, packed.batchSizes); assert.equal(sortedIndices, packed.sortedIndices);
  const [padded, lengths] = R.padPackedSequence(packed, { batchFirst: true, paddingValue: 9, totalLength: 5 });
  close(padded, fx.padPacked.padded, "padPackedSequence");
  close(lengths, fx.padPacked.lengths, "lengths");
  const xs = dec(fx.packPadded.x);
  const pk = R.packPaddedSequence(xs, torch.tensor([4, 2, 1]), true);
  close(pk.data, fx.packPadded.data, "packPaddedSequence(batchFirst)");
  close(pk.batchSizes, fx.packPadded.batchSizes, "packPaddedSequence batchSizes");
  // round trips
  const un = R.unpackSequence(packed);
  un.forEach((s, i) => assert.ok(torch.equal(s, seqs[i]!)));
  const unp = R.unpadSequence(R.padSequence(seqs, true), [4, 2, 3], true);
  unp.forEach((s, i) => assert.ok(torch.equal(s, seqs[i]!)));
});

test("packing is differentiable: gradients flow back to the padded input", () => {
  const x = torch.randn([4, 2, 3], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a) => R.padPackedSequence(R.packPaddedSequence(a, [2, 4], { enforceSorted: false }))[0], [x]));
  const y = R.padPackedSequence(R.packPaddedSequence(x, [4, 2]))[0];
  y.sum().backward();
  // padded positions of the second sequence get no gradient
  assert.deepEqual(x.grad!.index(":", 1, 0).tolist(), [1, 1, 0, 0]);
});

test("nn.utils.rnn errors in PyTorch's words", () => {
  const e = fx.rnnUtilsErrors;
  throwsLike(() => R.packPaddedSequence(torch.randn(3, 2, 1), [2, 3]), e.notSorted, "not sorted");
  throwsLike(() => R.packPaddedSequence(torch.randn(3, 2, 1), [2, 0]), e.zero, "zero length");
  throwsLike(() => R.packPaddedSequence(torch.randn(3, 2, 1), [3, 2, 1]), e.len, "lengths count");
  throwsLike(() => R.padPackedSequence(R.packSequence([torch.randn(4), torch.randn(2)]), { totalLength: 3 }), e.total, "total_length");
});
