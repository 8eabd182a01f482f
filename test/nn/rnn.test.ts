// SPDX-License-Identifier: BSD-3-Clause
/* eslint-disable @typescript-eslint/no-explicit-any */
// nn.RNN / LSTM / GRU and the cells against PyTorch (test/fixtures/nn-seq.json): default init after
// manualSeed, stateDict keys, reprs, outputs, final states and gradients for inputs, initial states
// and every parameter, packed sequences, unbatched inputs, errors.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { close, closeGrads, dec, fx, stateOf, throwsLike } from "./seq-helpers.js";

const rnnUtils = nn.utils.rnn;
const camel = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

function make(kind: string, a: number, b: number, opts: Record<string, unknown>): any {
  const C = (nn as any)[kind];
  return new C(a, b, camel(opts));
}

test("default init after manualSeed, stateDict keys and reprs match PyTorch", () => {
  const cases: [string, () => nn.Module][] = [
    ["rnn", () => new nn.RNN(3, 4, { numLayers: 2, bidirectional: true })],
    ["lstm", () => new nn.LSTM(3, 5, { numLayers: 2, projSize: 2, bidirectional: true, batchFirst: true })],
    ["gru", () => new nn.GRU(3, 4, { bias: false, dropout: 0.25, numLayers: 2 })],
    ["rnnRelu", () => new nn.RNN(2, 3, { nonlinearity: "relu", batchFirst: true })],
    ["rnnCell", () => new nn.RNNCell(3, 4, { nonlinearity: "relu", bias: false })],
    ["lstmCell", () => new nn.LSTMCell(3, 4)],
    ["gruCell", () => new nn.GRUCell(3, 4)],
  ];
  for (const [name, mk] of cases) {
    const e = fx.rnnInit[name];
    torch.manualSeed(0);
    const m = mk();
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), e.keys, `${name} keys`);
    for (const k of e.keys) close(sd[k], e.sd[k], `${name}.${k}`);
    assert.equal(String(m), e.repr, `${name} repr`);
  }
});

test("RNN / LSTM / GRU outputs, final states and all gradients match PyTorch (float64)", () => {
  for (const [i, c] of (fx.rnn as any[]).entries()) {
    const what = `${c.kind}[${i}] ${JSON.stringify(c.opts)}`;
    const m = make(c.kind, c.ctor[0], c.ctor[1], c.opts).double();
    m.loadStateDict(stateOf(c.sd));
    const x = dec(c.x, true);
    const h0 = c.h0 ? dec(c.h0, true) : null, c0 = c.c0 ? dec(c.c0, true) : null;
    const hx = c.kind === "LSTM" ? (h0 ? [h0, c0] : null) : h0;
    const [y, hn] = m.forward(x, hx);
    close(y, c.out, `${what} output`);
    const hns: torch.Tensor[] = c.kind === "LSTM" ? hn : [hn];
    hns.forEach((h, j) => close(h, c.hn[j], `${what} h_n[${j}]`));
    torch.autograd.backward([y, ...hns], [dec(c.gy), ...c.ghn.map((g: any) => dec(g))]);
    close(x.grad, c.gx, `${what} grad input`);
    if (h0) close(h0.grad, c.gh0, `${what} grad h0`);
    if (c0) close(c0.grad, c.gc0, `${what} grad c0`);
    closeGrads(m, c.gparams, what);
  }
});

test("packed sequences (enforceSorted false) through GRU / LSTM / RNN match PyTorch", () => {
  for (const [i, c] of (fx.rnnPacked as any[]).entries()) {
    const what = `${c.kind}[${i}] packed`;
    const m = make(c.kind, 3, 4, c.opts).double();
    m.loadStateDict(stateOf(c.sd));
    const x = dec(c.x, true), h0 = dec(c.h0, true);
    const packed = rnnUtils.packPaddedSequence(x, c.lengths, { enforceSorted: false });
    close(packed.sortedIndices, c.sortedIndices, `${what} sortedIndices`);
    const [y, hn] = m.forward(packed, c.kind === "LSTM" ? [h0, dec(c.c0)] : h0);
    assert.ok(y instanceof rnnUtils.PackedSequence);
    close(y.data, c.packedData, `${what} data`);
    close(y.batchSizes, c.batchSizes, `${what} batchSizes`);
    const [padded, lens] = rnnUtils.padPackedSequence(y, { totalLength: 6 });
    close(padded, c.padded, `${what} padded`);
    close(lens, c.lens, `${what} lengths`);
    const hns: torch.Tensor[] = c.kind === "LSTM" ? hn : [hn];
    hns.forEach((h, j) => close(h, c.hn[j], `${what} h_n[${j}]`));
    torch.autograd.backward([padded, ...hns], [dec(c.gy), ...c.ghn.map((g: any) => dec(g))]);
    close(x.grad, c.gx, `${what} grad input`);
    close(h0.grad, c.gh0, `${what} grad h0`);
    closeGrads(m, c.gparams, what);
  }
});

test("RNNCell / LSTMCell / GRUCell match PyTorch (batched and unbatched)", () => {
  for (const [i, c] of (fx.cells as any[]).entries()) {
    const what = `${c.kind}[${i}]`;
    const m = make(c.kind, 3, 4, c.opts).double();
    m.loadStateDict(stateOf(c.sd));
    const x = dec(c.x, true), h = dec(c.h, true), cc = c.c ? dec(c.c, true) : null;
    const r = c.kind === "LSTMCell" ? m.forward(x, [h, cc]) : [m.forward(x, h)];
    r.forEach((t: torch.Tensor, j: number) => close(t, c.out[j], `${what} out[${j}]`));
    torch.autograd.backward(r, c.gout.map((g: any) => dec(g)));
    close(x.grad, c.gx, `${what} gx`);
    close(h.grad, c.gh, `${what} gh`);
    if (cc) close(cc.grad, c.gc, `${what} gc`);
    closeGrads(m, c.gparams, what);
  }
  // hx defaults to zeros
  const cell = new nn.GRUCell(3, 4, { dtype: "float64" });
  const x = torch.randn([2, 3], { dtype: torch.float64 });
  close(cell.forward(x), { dtype: "float64", shape: [2, 4], values: cell.forward(x, torch.zeros([2, 4], { dtype: torch.float64 })).reshape(-1).tolist() as number[] }, "GRUCell default hx");
});

test("gradcheck in float64: LSTM (bidirectional, projection, 2 layers) and GRU over a packed batch", () => {
  torch.manualSeed(1);
  const lstm = new nn.LSTM(2, 3, { numLayers: 2, projSize: 2, bidirectional: true, dtype: "float64" });
  const x = torch.randn([3, 2, 2], { dtype: torch.float64 }).requiresGrad_();
  const h0 = torch.randn([4, 2, 2], { dtype: torch.float64 }).requiresGrad_();
  const c0 = torch.randn([4, 2, 3], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a, h, c) => { const [y, [hn, cn]] = lstm.forward(a, [h, c]); return [y, hn, cn]; }, [x, h0, c0]));
  const gru = new nn.GRU(2, 2, { bidirectional: true, dtype: "float64" });
  const xp = torch.randn([3, 3, 2], { dtype: torch.float64 }).requiresGrad_();
  assert.ok(torch.autograd.gradcheck((a) => {
    const [y, hn] = gru.forward(rnnUtils.packPaddedSequence(a, [3, 1, 2], { enforceSorted: false }));
    return [rnnUtils.padPackedSequence(y)[0], hn];
  }, [xp]));
  // a non-contiguous (transposed) batch-first input gives the same as its contiguous copy
  const rnn = new nn.RNN(2, 3, { batchFirst: true });
  const xt = torch.randn([4, 3, 2]).transpose(0, 1);
  assert.ok(!xt.isContiguous());
  assert.ok(torch.allclose(rnn.forward(xt)[0], rnn.forward(xt.contiguous())[0]));
});

test("unbatched input equals the batch-of-one result; dropout between layers only in training", () => {
  torch.manualSeed(2);
  const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
  const x = torch.randn(5, 3);
  const [y, [h, c]] = lstm.forward(x);
  const [yb, [hb, cb]] = lstm.forward(x.unsqueeze(1));
  assert.deepEqual(y.shape, [5, 4]);
  assert.deepEqual(h.shape, [2, 4]);
  assert.ok(torch.allclose(y, yb.squeeze(1)) && torch.allclose(h, hb.squeeze(1)) && torch.allclose(c, cb.squeeze(1)));
  const gru = new nn.GRU(3, 4, { numLayers: 2, dropout: 0.5 });
  const xs = torch.randn(4, 2, 3);
  gru.eval();
  const [e1] = gru.forward(xs), [e2] = gru.forward(xs);
  assert.ok(torch.equal(e1, e2));
  gru.train();
  const [t1] = gru.forward(xs);
  assert.ok(!torch.allclose(t1, e1));
});

test("PyTorch's errors: input size, hidden sizes, hx rank, constructor arguments", () => {
  const e = fx.rnnErrors;
  throwsLike(() => new nn.LSTM(4, 3).forward(torch.randn(5, 2, 3)), e.inputSize, "input size");
  throwsLike(() => new nn.RNN(3, 4).forward(torch.randn(5, 2, 3), torch.randn(1, 3, 4)), e.hidden, "hidden size");
  throwsLike(() => new nn.LSTM(3, 4).forward(torch.randn(5, 2, 3), [torch.randn(1, 3, 4), torch.randn(1, 2, 4)]), e.hidden0, "hidden[0]");
  throwsLike(() => new nn.LSTM(3, 4).forward(torch.randn(5, 2, 3), [torch.randn(1, 2, 4), torch.randn(2, 2, 4)]), e.hidden1, "hidden[1]");
  throwsLike(() => new nn.GRU(3, 4).forward(torch.randn(5, 3), torch.randn(1, 2, 4)), e.unbatchedHx, "unbatched hx");
  throwsLike(() => new nn.GRU(3, 4).forward(torch.randn(5, 2, 3), torch.randn(2, 4)), e.batchedHx, "batched hx");
  throwsLike(() => new nn.GRU(3, 4, { dropout: 1.5 }), e.dropout, "dropout");
  throwsLike(() => new nn.LSTM(3, 4, { projSize: 4 }), e.proj, "proj_size");
  throwsLike(() => new nn.LSTM(3, 4, { projSize: -1 }), e.projNeg, "proj_size < 0");
  throwsLike(() => new nn.RNN(3, 4, { projSize: 2 } as any), e.projRnn, "proj_size on RNN");
  assert.throws(() => new nn.RNN(3, 4).forward(torch.randn(1, 2, 3, 4)), { name: "ValueError", message: "RNN: Expected input to be 2D or 3D, got 4D tensor instead" });
  assert.throws(() => new nn.LSTMCell(3, 4).forward(torch.randn(2, 5)), { message: "input has inconsistent input_size: got 5 expected 3" });
});
