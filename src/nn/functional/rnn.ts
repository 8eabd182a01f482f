// SPDX-License-Identifier: BSD-3-Clause
// The recurrent cells and the multi-layer, (bi)directional recurrence behind nn.RNN / nn.LSTM /
// nn.GRU, composed from matmul and elementwise ops so autograd differentiates them. A sequence is
// held time-major as PackedSequence data: a (sum of batch sizes, features) tensor whose step t is
// the next batchSizes[t] rows (a padded batch is the case where every batch size is B).
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout, linear } from "./activation.js";

export type RnnMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

/** One step of an Elman RNN: act(x W_ih^T + b_ih + h W_hh^T + b_hh). */
export function rnnTanhCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return linear(input, wIh, bIh).add(linear(hx, wHh, bHh)).tanh();
}
export function rnnReluCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return linear(input, wIh, bIh).add(linear(hx, wHh, bHh)).relu();
}

/** LSTM step from precomputed input gates (x W_ih^T + b_ih); returns [h, c] (h before projection). */
function lstmStep(gi: Tensor, h: Tensor, c: Tensor, wHh: Tensor, bHh: Tensor | null): [Tensor, Tensor] {
  const gates = gi.add(linear(h, wHh, bHh));
  const [i, f, g, o] = gates.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const c1 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return [o.sigmoid().mul(c1.tanh()), c1];
}

/** GRU step from precomputed input gates: r, z from both; n = tanh(i_n + r * (h W_hn^T + b_hn)); h' = n + z (h - n). */
function gruStep(gi: Tensor, h: Tensor, wHh: Tensor, bHh: Tensor | null): Tensor {
  const gh = linear(h, wHh, bHh);
  const [ir, iz, inn] = gi.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = gh.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const r = ir.add(hr).sigmoid();
  const z = iz.add(hz).sigmoid();
  const n = inn.add(r.mul(hn)).tanh();
  return n.add(z.mul(h.sub(n)));
}

/** torch.lstm_cell: returns [h', c']. */
export function lstmCell(input: Tensor, hx: [Tensor, Tensor], wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): [Tensor, Tensor] {
  return lstmStep(linear(input, wIh, bIh), hx[0], hx[1], wHh, bHh);
}
/** torch.gru_cell. */
export function gruCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return gruStep(linear(input, wIh, bIh), hx, wHh, bHh);
}

/** The weights of one layer and direction, in PyTorch's order. */
export interface RnnWeights { wIh: Tensor; wHh: Tensor; bIh: Tensor | null; bHh: Tensor | null; wHr: Tensor | null }

/**
 * One direction of one layer over packed data: returns the output data (time-major rows, same
 * layout as the input) and the final [h, c] (c only for LSTM), each (B, *) with B = batchSizes[0].
 */
function runDirection(mode: RnnMode, data: Tensor, batchSizes: number[], w: RnnWeights, h0: Tensor, c0: Tensor | null,
  reverse: boolean): { out: Tensor; h: Tensor; c: Tensor | null } {
  const gi = linear(data, w.wIh, w.bIh);  // all steps' input projections at once
  const offsets: number[] = [];
  let off = 0;
  for (const b of batchSizes) { offsets.push(off); off += b; }
  const T = batchSizes.length;
  const outs: Tensor[] = new Array<Tensor>(T);
  const step = (t: number, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] => {
    const g = gi.narrow(0, offsets[t]!, batchSizes[t]!);
    if (mode === "LSTM") {
      const [hn, cn] = lstmStep(g, h, c!, w.wHh, w.bHh);
      return [w.wHr !== null ? hn.matmul(w.wHr.t()) : hn, cn];
    }
    if (mode === "GRU") return [gruStep(g, h, w.wHh, w.bHh), null];
    const pre = g.add(linear(h, w.wHh, w.bHh));
    return [mode === "RNN_TANH" ? pre.tanh() : pre.relu(), null];
  };
  const B = batchSizes[0] ?? 0;
  if (!reverse) {
    // rows past batchSizes[t] have ended: their state is carried unchanged to the end
    let h = h0, c = c0;
    const doneH: Tensor[] = [], doneC: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const bs = batchSizes[t]!, prev = h.size(0);
      if (bs < prev) {
        doneH.unshift(h.narrow(0, bs, prev - bs)); h = h.narrow(0, 0, bs);
        if (c !== null) { doneC.unshift(c.narrow(0, bs, prev - bs)); c = c.narrow(0, 0, bs); }
      }
      [h, c] = step(t, h, c);
      outs[t] = h;
    }
    const hN = doneH.length > 0 ? cat([h, ...doneH], 0) : h;
    const cN = c !== null && doneC.length > 0 ? cat([c, ...doneC], 0) : c;
    return { out: cat(outs, 0), h: hN, c: cN };
  }
  // backwards in time: a row starts (from h0) at its own last step
  let h: Tensor | null = null, c: Tensor | null = null;
  for (let t = T - 1; t >= 0; t--) {
    const bs = batchSizes[t]!, prev = h === null ? 0 : h.size(0);
    if (bs > prev) {
      const hs = h0.narrow(0, prev, bs - prev), cs = c0 !== null ? c0.narrow(0, prev, bs - prev) : null;
      h = h === null ? hs : cat([h, hs], 0);
      if (cs !== null) c = c === null ? cs : cat([c, cs], 0);
    }
    [h, c] = step(t, h!, c);
    outs[t] = h;
  }
  if (h === null) { h = h0.narrow(0, 0, B); c = c0; }
  return { out: cat(outs, 0), h, c };
}

export interface RnnArgs {
  mode: RnnMode; weights: RnnWeights[]; numLayers: number; bidirectional: boolean; dropout: number; training: boolean;
}

/**
 * The stacked recurrence over packed data (rows time-major, batchSizes non-increasing): hx is
 * (numLayers * numDirections, B, H_out), cx (LSTM) (numLayers * numDirections, B, H). Returns the
 * last layer's output data and [h_n, c_n].
 */
export function rnnPacked(data: Tensor, batchSizes: number[], hx: Tensor, cx: Tensor | null, a: RnnArgs): { out: Tensor; hn: Tensor; cn: Tensor | null } {
  const D = a.bidirectional ? 2 : 1;
  const hs: Tensor[] = [], cs: Tensor[] = [];
  let x = data;
  for (let l = 0; l < a.numLayers; l++) {
    const dirOuts: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      const r = runDirection(a.mode, x, batchSizes, a.weights[k]!, hx.select(0, k), cx !== null ? cx.select(0, k) : null, d === 1);
      dirOuts.push(r.out);
      hs.push(r.h);
      if (r.c !== null) cs.push(r.c);
    }
    x = D === 1 ? dirOuts[0]! : cat(dirOuts, 1);
    if (a.dropout > 0 && a.training && l < a.numLayers - 1) x = dropout(x, a.dropout, true);
  }
  const stack = (ts: Tensor[]) => cat(ts.map((t) => t.unsqueeze(0)), 0);
  return { out: x, hn: stack(hs), cn: cx !== null ? stack(cs) : null };
}
