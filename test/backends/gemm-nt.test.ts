// SPDX-License-Identifier: BSD-3-Clause
// The unpacked fp32 "NT" GEMM (native/cpu/gemm_nt.h: x @ W^T with the rows of x and of W
// contiguous, nn.Linear's product) against a float64 reference at the GEMM suite's tolerance: odd
// sizes on every edge of its 3x4 tile and its masked k tail, offsets and row strides larger than
// the row, alpha/beta, F.linear with a bias; and its promises: 1, 2 and 8 threads give the same
// bits, and a row of the result does not depend on how many rows the product has.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import type { Tensor } from "../../src/index.js";

/** Storage, strides and offset of a strided float32 matrix. */
function layout(t: Tensor): { data: Float32Array; st: number[]; off: number } {
  return { data: t._storage.data as Float32Array, st: t.stride(), off: t.storageOffset() };
}

/**
 * Checks C == beta*C0 + alpha*A@B (+ bias per column) against a float64 sum, with the tolerance of
 * test/backends/gemm.test.ts: 2e-6 * (|alpha| sum |a*b| sqrt(K) + |beta c0|).
 */
function check(C: Tensor, A: Tensor, B: Tensor, what: string, alpha = 1, beta = 0, C0?: Tensor, bias?: Tensor): void {
  const [M, N] = C.shape as [number, number], K = A.shape[1]!;
  const eps = 2e-6;
  const la = layout(A), lb = layout(B), lc = layout(C), l0 = C0 ? layout(C0) : null, lbias = bias ? layout(bias) : null;
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0, mag = 0;
      for (let k = 0; k < K; k++) {
        const p = la.data[la.off + i * la.st[0]! + k * la.st[1]!]! * lb.data[lb.off + k * lb.st[0]! + j * lb.st[1]!]!;
        s += p;
        mag += Math.abs(p);
      }
      const c0 = l0 && beta !== 0 ? l0.data[l0.off + i * l0.st[0]! + j * l0.st[1]!]! : lbias ? lbias.data[lbias.off + j * lbias.st[0]!]! : 0;
      const b = lbias ? 1 : beta;
      const want = b * c0 + alpha * s;
      const got = lc.data[lc.off + i * lc.st[0]! + j * lc.st[1]!]!;
      const tol = eps * (Math.abs(alpha) * mag * Math.max(1, Math.sqrt(K)) + Math.abs(b * c0)) + 1e-30;
      if (!(Math.abs(got - want) <= tol)) assert.fail(`${what}: [${i},${j}] = ${got}, expected ${want} (tol ${tol})`);
    }
}

test("x @ W^T (both contiguous along k): odd sizes around the 3x4 tile and the 8-wide k step", () => {
  torch.manualSeed(21);
  for (const M of [1, 2, 3, 4, 5, 7, 64, 65])
    for (const N of [2, 3, 4, 5, 7, 10, 33])
      for (const K of [1, 7, 8, 9, 63, 65, 257]) {
        const x = torch.randn(M, K), w = torch.randn(N, K);
        check(torch.mm(x, w.t()), x, w.t(), `${M}x${N}x${K}`);
      }
  // the shapes of LeNet's and the MLP's layers, and W past the kernel's size limit (packed GEMM)
  for (const [M, N, K] of [[4, 120, 400], [4, 84, 120], [4, 10, 84], [64, 256, 784], [64, 10, 256], [16, 300, 1000]]) {
    const x = torch.randn(M!, K!), w = torch.randn(N!, K!);
    check(torch.mm(x, w.t()), x, w.t(), `layer ${M}x${N}x${K}`);
  }
});

test("x @ W^T with offsets, row strides larger than the row, alpha/beta, F.linear with a bias", () => {
  torch.manualSeed(22);
  for (const [M, N, K] of [[5, 7, 9], [13, 40, 300], [65, 9, 63], [3, 130, 17]]) {
    // narrowed views: storage offsets, row strides K + 5 and K + 2
    const x = torch.randn(M! + 3, K! + 5).narrow(0, 2, M!).narrow(1, 3, K!);
    const w = torch.randn(N! + 1, K! + 2).narrow(0, 1, N!).narrow(1, 1, K!);
    check(torch.mm(x, w.t()), x, w.t(), `narrowed ${M}x${N}x${K}`);
    const C0 = torch.randn(M!, N!);
    check(torch.addmm(C0, x, w.t(), { beta: 0.5, alpha: -2 }), x, w.t(), `addmm ${M}x${N}x${K}`, -2, 0.5, C0);
    check(torch.addmm(C0, x, w.t(), { beta: 0, alpha: 3 }), x, w.t(), `addmm beta 0 ${M}x${N}x${K}`, 3, 0, C0);
    // the product the other way round (W @ x^T, also NT), read through its transpose
    check(torch.mm(w, x.t()).t(), x, w.t(), `transposed result ${M}x${N}x${K}`);
    const b = torch.randn(N!);
    check(torch.noGrad(() => nn.functional.linear(x, w, b)), x, w.t(), `linear ${M}x${N}x${K}`, 1, 0, undefined, b);
  }
});

test("x @ W^T: 1, 2 and 8 threads give the same bits", () => {
  const before = torch.getNumThreads();
  torch.manualSeed(23);
  // threads over columns (rows of W), over rows (few columns), and serial-sized products
  const cases: [Tensor, Tensor][] = [
    [torch.randn(64, 784), torch.randn(256, 784)],
    [torch.randn(300, 257), torch.randn(190, 257)],
    [torch.randn(2000, 300), torch.randn(10, 300)],
    [torch.randn(1001, 65), torch.randn(7, 65)],
    [torch.randn(4, 400), torch.randn(120, 400)],
    [torch.randn(3, 1000), torch.randn(257, 1000)],
  ];
  const run = () => cases.map(([x, w]) => torch.mm(x, w.t()));
  try {
    torch.setNumThreads(1);
    const serial = run();
    for (const t of [2, 8]) {
      torch.setNumThreads(t);
      const par = run();
      serial.forEach((s, i) => assert.ok(torch.equal(s, par[i]!), `case ${i}, ${t} threads`));
    }
  } finally {
    torch.setNumThreads(before);
  }
});

test("x @ W^T: a row of the result does not depend on how many rows the product has", () => {
  torch.manualSeed(24);
  for (const [M, N, K] of [[96, 256, 200], [200, 120, 400], [64, 10, 84], [150, 130, 257]]) {
    const x = torch.randn(M!, K!), w = torch.randn(N!, K!);
    const all = torch.mm(x, w.t());
    for (const rows of [1, 2, 4, 5, 13])
      assert.ok(torch.equal(torch.mm(x.narrow(0, 0, rows), w.t()), all.narrow(0, 0, rows)), `${M}x${N}x${K}: first ${rows} rows`);
    const mid = torch.mm(x.narrow(0, 7, 11), w.t());
    assert.ok(torch.equal(mid, all.narrow(0, 7, 11)), `${M}x${N}x${K}: rows 7..17`);
  }
});

test("F.linear's one-call NT path (bias in the kernel's epilogue) equals addmm / mm bit for bit, 1 and 2 threads", () => {
  const before = torch.getNumThreads();
  torch.manualSeed(25);
  try {
    for (const threads of [1, 2]) {
      torch.setNumThreads(threads);
      for (const M of [1, 2, 4, 5, 64])
        for (const N of [2, 3, 5, 10, 33, 120])
          for (const K of [8, 9, 84, 400]) {
            const x = torch.randn(M + 1, K + 3).narrow(0, 1, M).narrow(1, 2, K), w = torch.randn(N, K);
            const b = torch.randn(N), bStrided = torch.randn(2 * N + 1).asStrided([N], [2], 1);
            const what = `${M}x${N}x${K}, ${threads} thread(s)`;
            for (const [bias, name] of [[b, "bias"], [bStrided, "strided bias"], [null, "no bias"]] as const) {
              const got = torch.noGrad(() => nn.functional.linear(x, w, bias));
              const want = bias !== null ? torch.addmm(bias, x, w.t()) : torch.mm(x, w.t());
              assert.ok(torch.equal(got, want), `${what}, ${name}`);
              if (bias !== null) check(got, x, w.t(), `${what}, ${name} vs float64`, 1, 0, undefined, bias);
            }
          }
    }
  } finally {
    torch.setNumThreads(before);
  }
});
