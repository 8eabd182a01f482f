// SPDX-License-Identifier: BSD-3-Clause
// The fast paths of native/cpu/pool.cc for 2x2 stride-2 max pooling against plain-JS references:
// forward values and indices (rows of 1-3, 4-7 and 8+ outputs, odd sizes, ties, NaN, -0) and the
// input gradient (written window by window on rows of 8+ outputs, zero fill + scatter otherwise),
// bit for bit, with 1 and 2 threads.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { native } from "../../src/backends/cpu/native.js";
import { DTYPE_CODE } from "../../src/tensor/dtype.js";

const F = nn.functional;

/** The bits of a float32 tensor's elements, in order (so -0 and NaN payloads compare exactly). */
function bits(t: torch.Tensor): number[] {
  const c = t.contiguous(), d = c._storage.data as Float32Array;
  return Array.from(new Uint32Array(d.buffer, d.byteOffset + c._offset * 4, c.numel()));
}

/** Max pool 2x2/2 by the rule of PyTorch's CPU kernel: scan (0,0), (0,1), (1,0), (1,1); later wins if greater or NaN. */
function refPool(x: Float32Array, P: number, H: number, W: number): { v: Float32Array; i: number[] } {
  const OH = Math.floor(H / 2), OW = Math.floor(W / 2);
  const v = new Float32Array(P * OH * OW), i: number[] = [];
  for (let p = 0; p < P; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let best = 2 * oh * W + 2 * ow, m = x[p * H * W + best]!;
        for (const d of [1, W, W + 1]) {
          const at = 2 * oh * W + 2 * ow + d, e = x[p * H * W + at]!;
          if (e > m || Number.isNaN(e)) { m = e; best = at; }
        }
        v[(p * OH + oh) * OW + ow] = m;
        i.push(best);
      }
  return { v, i };
}

/** gx = zeros, then gx[plane, ind] += g (float32 arithmetic, so 0 + -0 = +0). */
function refBackward(g: Float32Array, ind: number[], P: number, H: number, W: number): Float32Array {
  const gx = new Float32Array(P * H * W), per = g.length / P;
  for (let o = 0; o < g.length; o++) {
    const at = Math.floor(o / per) * H * W + ind[o]!;
    gx[at] = Math.fround(gx[at]! + g[o]!);
  }
  return gx;
}

test("maxPool2d 2x2/2 fast paths: values, indices and input gradient bit for bit, 1 and 2 threads", () => {
  const threads = torch.getNumThreads();
  try {
    for (const nt of [1, 2]) {
      torch.setNumThreads(nt);
      for (const [N, C, H, W] of [[2, 3, 28, 28], [3, 16, 10, 10], [1, 2, 9, 11], [2, 2, 17, 33], [1, 1, 2, 2], [1, 1, 3, 7],
        [1, 1, 8, 9], [4, 6, 14, 15], [1, 2, 6, 16], [2, 3, 5, 19], [64, 6, 28, 28]] as const) {
        torch.manualSeed(N * 1000 + C * 100 + H + W);
        const x = torch.randn([N, C, H, W]), xd = x._storage.data as Float32Array;
        // ties (zeros), a NaN and a -0 in the input
        for (let k = 0; k < xd.length; k += 5) xd[k] = 0;
        xd[3] = NaN;
        xd[Math.min(10, xd.length - 1)] = -0;
        const xr = x.clone().requiresGrad_();
        const y = F.maxPool2d(xr, 2, 2);
        const [yi, ind] = F.maxPool2dWithIndices(x, 2);
        const yv = torch.noGrad(() => F.maxPool2d(x, 2, 2));
        const P = N * C, ref = refPool(xd, P, H, W);
        const where = `${nt} threads, ${N}x${C}x${H}x${W}`;
        assert.deepEqual(bits(y), Array.from(new Uint32Array(ref.v.buffer)), `values ${where}`);
        assert.deepEqual(bits(yi), bits(y), `values with indices ${where}`);
        assert.deepEqual(bits(yv), bits(y), `values only ${where}`);
        assert.deepEqual((ind.reshape([-1]).tolist() as number[]).map(Number), ref.i, `indices ${where}`);
        const g = torch.randn(y.shape), gd = g._storage.data as Float32Array;
        gd[0] = -0;
        if (gd.length > 2) gd[2] = NaN;
        y.backward(g);
        assert.deepEqual(bits(xr.grad!), Array.from(new Uint32Array(refBackward(gd, ref.i, P, H, W).buffer)), `gradient ${where}`);
      }
    }
  } finally {
    torch.setNumThreads(threads);
  }
});

test("max pool backward on a non-contiguous gradOut and through maxPool2d's module", () => {
  torch.manualSeed(7);
  const x = torch.randn([2, 4, 20, 18]).requiresGrad_();
  const y = new nn.MaxPool2d(2, 2).forward(x);
  const gT = torch.randn([2, 4, 9, 10]).transpose(2, 3);  // (2, 4, 10, 9), strided
  y.backward(gT);
  const [, ind] = F.maxPool2dWithIndices(x.detach(), 2);
  const want = refBackward(gT.contiguous()._storage.data as Float32Array, (ind.reshape([-1]).tolist() as number[]).map(Number), 8, 20, 18);
  assert.deepEqual(bits(x.grad!), Array.from(new Uint32Array(want.buffer)));
});

/** pool.cc's descriptor (src/nn/functional/pooling.ts's meta), for direct native calls. */
function poolMeta(dtype: "float32" | "float64", P: number, H: number, W: number, OH: number, OW: number, k: number, s: number, p: number,
  offs: number[], extra: number[]): Float64Array {
  return Float64Array.from([DTYPE_CODE[dtype], P, H, W, OH, OW, k, k, s, s, p, p, 1, 1, offs[0]!, offs[1]!, offs[2]!, extra[0]!, extra[1]!]);
}

test("pool2d mode 5 (max pool backward fused with the relu backward before it) equals the two passes bit for bit", () => {
  const threads = torch.getNumThreads();
  try {
    for (const nt of [1, 2])
      for (const dtype of ["float32", "float64"] as const)
        for (const [N, C, H, W, k, s, p] of [[2, 3, 28, 28, 2, 2, 0], [3, 16, 10, 10, 2, 2, 0], [2, 2, 17, 33, 2, 2, 0], [1, 3, 9, 11, 3, 2, 1],
          [2, 4, 12, 13, 3, 3, 0], [1, 2, 8, 9, 2, 1, 0], [64, 6, 28, 28, 2, 2, 0]] as const) {
          torch.setNumThreads(nt);
          torch.manualSeed(N * 7 + C * 5 + H * 3 + W);
          const x = torch.randn([N, C, H, W], { dtype }), xd = x._storage.data as Float32Array | Float64Array;
          for (let i = 0; i < xd.length; i += 7) xd[i] = 0;
          xd[1] = NaN;
          xd[5] = -0;
          // the chain: y = relu(x), max pool of y, backward of both
          const xr = x.clone().requiresGrad_();
          const y = F.relu(xr);
          const [out, ind] = F.maxPool2dWithIndices(y, k, { stride: s, padding: p });
          const g = torch.randn(out.shape, { dtype }), gd = g._storage.data as Float32Array | Float64Array;
          gd[0] = -0;
          gd[3] = NaN;
          out.backward(g);
          // fused: the pooled values given at an offset inside a larger buffer
          const pooled = torch.cat([torch.zeros([3], { dtype }), out.detach().reshape([-1])]);
          const gx = torch.empty([N, C, H, W], { dtype });
          native.pool2d(5, [gx._storage.data, g._storage.data, ind._storage.data, pooled._storage.data],
            poolMeta(dtype, N * C, H, W, out.shape[2]!, out.shape[3]!, k, s, p, [0, 0, 0], [3, 0]));
          const where = `${nt} threads ${dtype} ${N}x${C}x${H}x${W} k${k} s${s} p${p}`;
          if (dtype === "float32") assert.deepEqual(bits(gx), bits(xr.grad!), where);
          else assert.deepEqual(Array.from(new BigUint64Array((gx._storage.data as Float64Array).buffer, 0, gx.numel())),
            Array.from(new BigUint64Array((xr.grad!.contiguous()._storage.data as Float64Array).buffer, xr.grad!.contiguous()._offset * 8, gx.numel())), where);
        }
  } finally {
    torch.setNumThreads(threads);
  }
});
