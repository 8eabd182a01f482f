// SPDX-License-Identifier: BSD-3-Clause
// The native GEMM against a float64 reference computed here: odd sizes (1, 7, 63, 65, 257), all
// four transpose combinations, strided and offset operands, batches (the split over the batch and
// the serial loop), alpha/beta, matrix-vector shapes, and parallel == serial bit for bit.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const SIZES = [1, 7, 63, 65, 257];

/** The storage, strides and offset of any strided float tensor, for direct reads. */
function layout(t: Tensor): { data: Float32Array | Float64Array; st: number[]; off: number } {
  return { data: t._storage.data as Float32Array | Float64Array, st: t.stride(), off: t.storageOffset() };
}

/**
 * Checks C == beta*C0 + alpha*A@B over the last two dims, batch dims equal, against a float64
 * sum; the tolerance scales with sum |a*b| (the rounding bound), never loosened per case.
 */
function check(C: Tensor, A: Tensor, B: Tensor, what: string, alpha = 1, beta = 0, C0?: Tensor): void {
  const nb = C.ndim - 2;
  const M = C.shape[nb]!, N = C.shape[nb + 1]!, K = A.shape[nb + 1]!;
  assert.deepEqual(C.shape.slice(0, nb), A.shape.slice(0, nb), what);
  assert.deepEqual(B.shape.slice(0, nb), A.shape.slice(0, nb), what);
  const eps = C.dtype === "float64" ? 1e-14 : 2e-6;
  const la = layout(A), lb = layout(B), lc = layout(C), lc0 = C0 ? layout(C0) : null;
  const batch = C.shape.slice(0, nb).reduce((x, y) => x * y, 1);
  for (let b = 0; b < batch; b++) {
    // offsets of this batch entry in each operand
    let oa = la.off, ob = lb.off, oc = lc.off, oc0 = lc0?.off ?? 0;
    const bi: number[] = [];
    for (let d = nb - 1, r = b; d >= 0; d--) {
      const idx = r % C.shape[d]!;
      r = Math.floor(r / C.shape[d]!);
      bi.unshift(idx);
      oa += idx * la.st[d]!; ob += idx * lb.st[d]!; oc += idx * lc.st[d]!;
      if (lc0) oc0 += idx * lc0.st[d]!;
    }
    const [ars, acs] = [la.st[nb]!, la.st[nb + 1]!], [brs, bcs] = [lb.st[nb]!, lb.st[nb + 1]!];
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0, mag = 0;
        for (let k = 0; k < K; k++) {
          const p = la.data[oa + i * ars + k * acs]! * lb.data[ob + k * brs + j * bcs]!;
          s += p;
          mag += Math.abs(p);
        }
        const c0 = lc0 && beta !== 0 ? lc0.data[oc0 + i * lc0.st[nb]! + j * lc0.st[nb + 1]!]! : 0;
        const want = beta * c0 + alpha * s;
        const got = lc.data[oc + i * lc.st[nb]! + j * lc.st[nb + 1]!]!;
        const tol = eps * (Math.abs(alpha) * mag * Math.max(1, Math.sqrt(K)) + Math.abs(beta * c0)) + 1e-30;
        if (!(Math.abs(got - want) <= tol))
          assert.fail(`${what}: [${bi.join(",")}${bi.length ? "," : ""}${i},${j}] = ${got}, expected ${want} (tol ${tol})`);
      }
  }
}

/** An [r, c] operand of `dtype`, stored transposed when `trans` (a .t() view of a [c, r] tensor). */
function operand(r: number, c: number, trans: boolean, dtype: torch.DType): Tensor {
  return trans ? torch.randn(c, r, { dtype }).t() : torch.randn(r, c, { dtype });
}

for (const dtype of ["float32", "float64"] as const) {
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    test(`mm ${dtype} A${ta ? "^T" : ""} @ B${tb ? "^T" : ""} over sizes ${SIZES.join(", ")} (M x N x K)`, () => {
      torch.manualSeed(1);
      for (const M of SIZES)
        for (const N of SIZES)
          for (const K of SIZES) {
            if ([M, N, K].filter((v) => v === 257).length > 1 && !(M === 257 && N === 257 && K === 257)) continue;
            const A = operand(M, K, ta, dtype), B = operand(K, N, tb, dtype);
            check(torch.mm(A, B), A, B, `mm ${M}x${N}x${K}`);
          }
    });
  }
}

test("mm with offsets and row strides larger than the row (narrowed views of bigger tensors)", () => {
  torch.manualSeed(2);
  for (const dtype of ["float32", "float64"] as const)
    for (const [M, N, K] of [[7, 65, 63], [65, 7, 257], [63, 63, 1], [1, 65, 65], [65, 1, 65], [130, 200, 70]]) {
      const bigA = torch.randn(M! + 5, K! + 9, { dtype }), bigB = torch.randn(K! + 3, N! + 11, { dtype });
      const A = bigA.narrow(0, 3, M!).narrow(1, 5, K!), B = bigB.narrow(0, 2, K!).narrow(1, 7, N!);
      assert.ok(A.storageOffset() > 0 && B.storageOffset() > 0);
      check(torch.mm(A, B), A, B, `narrowed ${dtype} ${M}x${N}x${K}`);
      check(torch.mm(B.t(), A.t()), B.t(), A.t(), `narrowed^T ${dtype} ${N}x${M}x${K}`);
    }
});

test("mm with no unit stride in any operand (column stride 2, via asStrided)", () => {
  torch.manualSeed(3);
  for (const [M, N, K] of [[7, 9, 5], [65, 63, 67], [1, 33, 40], [40, 1, 33]]) {
    const A = torch.randn(M! * K! * 2 + 8).asStrided([M!, K!], [K! * 2, 2], 3);
    const B = torch.randn(K! * N! * 2 + 8).asStrided([K!, N!], [N! * 2, 2], 5);
    check(torch.mm(A, B), A, B, `stride-2 ${M}x${N}x${K}`);
    check(torch.mm(B.t(), A.t()), B.t(), A.t(), `stride-2 transposed ${N}x${M}x${K}`);
  }
});

test("matrix-vector shapes: mv, vector @ matrix, dot, and 1 x N / M x 1 products", () => {
  torch.manualSeed(4);
  for (const dtype of ["float32", "float64"] as const)
    for (const [M, K] of [[1, 1], [7, 257], [257, 7], [65, 63], [1000, 300]]) {
      for (const ta of [false, true]) {
        const A = operand(M!, K!, ta, dtype), x = torch.randn(K!, { dtype }), y = torch.randn(M!, { dtype });
        check(torch.mv(A, x).unsqueeze(1), A, x.unsqueeze(1), `mv ${dtype} ${M}x${K}${ta ? " (A^T)" : ""}`);
        check(torch.matmul(y, A).unsqueeze(0), y.unsqueeze(0), A, `vecmat ${dtype} ${M}x${K}${ta ? " (A^T)" : ""}`);
        const xs = torch.randn(K! * 3, { dtype }).asStrided([K!], [3], 1);  // strided vector
        check(torch.mv(A, xs).unsqueeze(1), A, xs.unsqueeze(1), `mv strided x ${dtype} ${M}x${K}`);
      }
      const u = torch.randn(K!, { dtype }), v = torch.randn(K!, { dtype });
      check(torch.dot(u, v).reshape([1, 1]), u.unsqueeze(0), v.unsqueeze(1), `dot ${dtype} ${K}`);
    }
});

test("bmm and batched matmul: small batches split over threads, large products one after another", () => {
  torch.manualSeed(5);
  for (const dtype of ["float32", "float64"] as const)
    for (const [bs, M, N, K] of [[5, 7, 9, 11], [64, 4, 4, 4], [3, 65, 63, 257], [2, 130, 140, 120], [4, 1, 65, 63], [3, 63, 1, 65]]) {
      const A = torch.randn(bs!, M!, K!, { dtype }), B = torch.randn(bs!, K!, N!, { dtype });
      check(torch.bmm(A, B), A, B, `bmm ${dtype} ${bs}x${M}x${N}x${K}`);
      // transposed batch operands (views, no copies) and a permuted batch
      const At = torch.randn(bs!, K!, M!, { dtype }).transpose(1, 2), Bt = torch.randn(N!, bs!, K!, { dtype }).permute([1, 2, 0]);
      check(torch.bmm(At, Bt), At, Bt, `bmm transposed ${dtype} ${bs}x${M}x${N}x${K}`);
    }
  // broadcast batch dims in matmul: [2,3,M,K] @ [K,N] and [3,1,M,K] @ [4,K,N]
  const A = torch.randn(2, 3, 9, 17), B = torch.randn(17, 5);
  check(torch.matmul(A, B), A, B.expand([2, 3, 17, 5]), "matmul 4-D @ 2-D");
  const A2 = torch.randn(3, 1, 9, 17), B2 = torch.randn(4, 17, 5);
  check(torch.matmul(A2, B2), A2.expand([3, 4, 9, 17]), B2.expand([3, 4, 17, 5]), "matmul broadcast batch");
});

test("addmm / baddbmm alpha and beta, beta = 0 ignores NaN in the input (as PyTorch)", () => {
  torch.manualSeed(6);
  for (const [M, N, K] of [[7, 65, 63], [130, 140, 150], [1, 9, 20], [9, 1, 20]]) {
    const C0 = torch.randn(M!, N!), A = torch.randn(M!, K!), B = torch.randn(K!, N!);
    check(torch.addmm(C0, A, B, { beta: 0.5, alpha: -2 }), A, B, `addmm ${M}x${N}x${K}`, -2, 0.5, C0);
    const nan = torch.full([M!, N!], NaN);
    check(torch.addmm(nan, A, B, { beta: 0 }), A, B, `addmm beta=0 over NaN ${M}x${N}x${K}`);
  }
  const C0 = torch.randn(3, 7, 8), A = torch.randn(3, 7, 9), B = torch.randn(3, 9, 8);
  check(torch.baddbmm(C0, A, B, { beta: 2, alpha: 0.25 }), A, B, "baddbmm", 0.25, 2, C0);
});

test("K = 0 gives beta*C (zeros for mm); empty M or N gives an empty result", () => {
  assert.ok(torch.equal(torch.mm(torch.empty(3, 0), torch.empty(0, 4)), torch.zeros(3, 4)));
  const C0 = torch.ones(3, 4);
  assert.ok(torch.equal(torch.addmm(C0, torch.empty(3, 0), torch.empty(0, 4), { beta: 3 }), torch.full([3, 4], 3)));
  assert.deepEqual(torch.mm(torch.empty(0, 5), torch.randn(5, 4)).shape, [0, 4]);
  assert.deepEqual(torch.bmm(torch.empty(2, 3, 5), torch.empty(2, 5, 0)).shape, [2, 3, 0]);
  // mm / bmm / matmul results are not zero-filled before the GEMM: K = 0 must still write zeros
  for (const dtype of [torch.float32, torch.float64, torch.int64, torch.int32] as const) {
    assert.ok(torch.equal(torch.bmm(torch.empty(2, 3, 0, { dtype }), torch.empty(2, 0, 4, { dtype })), torch.zeros(2, 3, 4, { dtype })));
    assert.ok(torch.equal(torch.matmul(torch.empty(2, 3, 0, { dtype }), torch.empty(1, 0, 4, { dtype })), torch.zeros(2, 3, 4, { dtype })));
    assert.ok(torch.equal(torch.mm(torch.empty(5, 0, { dtype }), torch.empty(0, 6, { dtype })), torch.zeros(5, 6, { dtype })));
  }
});

test("integer matmul is exact (int64 accumulation)", () => {
  const A = torch.arange(7 * 65, { dtype: torch.int64 }).reshape(7, 65).remainder(13).sub(6);
  const B = torch.arange(65 * 9, { dtype: torch.int64 }).reshape(65, 9).remainder(7).sub(3);
  const want = torch.mm(A.double(), B.double()).long();
  assert.ok(torch.equal(torch.mm(A, B), want));
  assert.ok(torch.equal(torch.mm(B.t(), A.t()), want.t()));
});

test("packed paths: panel edges, K not a multiple of the packing step, thin outputs, the MLP's shapes", () => {
  torch.manualSeed(9);
  for (const dtype of ["float32", "float64"] as const)
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const)
      for (const [M, N, K] of [[64, 256, 784], [256, 784, 64], [64, 10, 256], [300, 10, 257], [10, 300, 257],
                               [97, 33, 9], [6, 16, 8], [12, 32, 17], [385, 70, 300]]) {
        const A = operand(M!, K!, ta, dtype), B = operand(K!, N!, tb, dtype);
        check(torch.mm(A, B), A, B, `packed ${dtype} ${ta ? "A^T" : "A"}@${tb ? "B^T" : "B"} ${M}x${N}x${K}`);
      }
});

test("matrix-vector product over rows of a narrowed matrix (row stride > K), 1 to 9 rows", () => {
  torch.manualSeed(10);
  for (const dtype of ["float32", "float64"] as const)
    for (const M of [1, 3, 4, 5, 8, 9, 1031])
      for (const K of [1, 15, 16, 17, 300]) {
        const A = torch.randn(M + 2, K + 5, { dtype }).narrow(0, 1, M).narrow(1, 3, K), x = torch.randn(K, { dtype });
        check(torch.mv(A, x).unsqueeze(1), A, x.unsqueeze(1), `mv narrowed ${dtype} ${M}x${K}`);
      }
});

test("results do not depend on the thread count (bit for bit)", () => {
  const before = torch.getNumThreads();
  torch.manualSeed(7);
  const cases: [Tensor, Tensor][] = [
    [torch.randn(300, 257), torch.randn(257, 190)],
    [torch.randn(257, 300).t(), torch.randn(190, 257).t()],
    [torch.randn(2000, 300), torch.randn(300, 1)],
    [torch.randn(6, 65, 63), torch.randn(6, 63, 65)],
    [torch.randn(3, 150, 140), torch.randn(3, 140, 130)],
    // threads split the columns (M < N), with transposed operands: the MLP's shapes
    [torch.randn(64, 784), torch.randn(256, 784).t()],
    [torch.randn(64, 784).t(), torch.randn(64, 256)],
    [torch.randn(64, 256), torch.randn(256, 784)],
    // fewer columns than a register panel: computed as C^T = B^T A^T
    [torch.randn(2000, 300), torch.randn(10, 300).t()],
    [torch.randn(4099, 517), torch.randn(517, 1)],
    // B packed whole and row blocks claimed by the threads: several k-blocks, ragged row and panel edges
    [torch.randn(401, 600), torch.randn(600, 301)],
    [torch.randn(600, 401).t(), torch.randn(301, 600).t()],
    [torch.randn(256, 256), torch.randn(256, 256)],
    [torch.randn(8, 256, 256), torch.randn(8, 256, 256)],
    // the unpacked kernel threaded over row strips or column panels: LeNet's fc1 and its gradients
    [torch.randn(64, 400), torch.randn(120, 400).t()],
    [torch.randn(64, 120), torch.randn(120, 400)],
    [torch.randn(64, 120).t(), torch.randn(64, 400)],
    [torch.randn(150, 130), torch.randn(130, 200)],
    // small products split over the batch
    [torch.randn(256, 16, 16), torch.randn(256, 16, 16)],
    [torch.randn(33, 64, 64), torch.randn(33, 64, 64).transpose(1, 2)],
  ];
  const run = () => cases.map(([a, b]) => torch.matmul(a, b));
  torch.setNumThreads(1);
  const serial = run();
  torch.setNumThreads(2);
  const parallel = run();
  // more threads than cores: the unpacked kernel then splits a wide C (100 x 200) by column panels
  cases.push([torch.randn(100, 150), torch.randn(150, 200)]);
  torch.setNumThreads(1);
  const serial2 = run();
  torch.setNumThreads(8);
  const parallel8 = run();
  torch.setNumThreads(before);
  serial.forEach((s, i) => assert.ok(torch.equal(s, parallel[i]!), `case ${i}`));
  serial2.forEach((s, i) => assert.ok(torch.equal(s, parallel8[i]!), `case ${i}, 8 threads`));
});

test("small fp32 products (the unpacked kernel): odd sizes, every transpose, strides, offsets, alpha/beta", () => {
  torch.manualSeed(11);
  const sizes = [1, 2, 5, 6, 7, 8, 9, 15, 16, 17, 63, 65];
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const)
    for (const M of sizes)
      for (const N of sizes)
        for (const K of [1, 7, 16, 65, 257, 300]) {
          if (N * K > 65536) continue;
          const A = operand(M, K, ta, "float32"), B = operand(K, N, tb, "float32");
          check(torch.mm(A, B), A, B, `small ${ta ? "A^T" : "A"}@${tb ? "B^T" : "B"} ${M}x${N}x${K}`);
        }
  // offsets and row strides larger than the row, stride-2 columns, alpha and beta
  for (const [M, N, K] of [[7, 17, 9], [13, 40, 300], [65, 9, 63]]) {
    const A = torch.randn(M! + 3, K! + 5).narrow(0, 2, M!).narrow(1, 3, K!);
    const B = torch.randn(K! + 2, N! + 7).narrow(0, 1, K!).narrow(1, 4, N!);
    check(torch.mm(A, B), A, B, `small narrowed ${M}x${N}x${K}`);
    const A2 = torch.randn(M! * K! * 2 + 4).asStrided([M!, K!], [K! * 2, 2], 1);
    const B2 = torch.randn(K! * N! * 2 + 4).asStrided([K!, N!], [N! * 2, 2], 3);
    check(torch.mm(A2, B2), A2, B2, `small stride-2 ${M}x${N}x${K}`);
    const C0 = torch.randn(M!, N!);
    check(torch.addmm(C0, A, B, { beta: 0.5, alpha: -2 }), A, B, `small addmm ${M}x${N}x${K}`, -2, 0.5, C0);
    check(torch.addmm(C0, A, B.t().contiguous().t(), { beta: 1.5, alpha: 3 }), A, B, `small addmm B^T ${M}x${N}x${K}`, 3, 1.5, C0);
  }
  // batched small products (split over the batch), every transpose
  for (const [bs, M, N, K] of [[256, 16, 16, 16], [33, 64, 64, 64], [7, 17, 5, 33], [9, 3, 40, 260]])
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const A = ta ? torch.randn(bs!, K!, M!).transpose(1, 2) : torch.randn(bs!, M!, K!);
      const B = tb ? torch.randn(bs!, N!, K!).transpose(1, 2) : torch.randn(bs!, K!, N!);
      check(torch.bmm(A, B), A, B, `small bmm ${ta ? "A^T" : "A"}@${tb ? "B^T" : "B"} ${bs}x${M}x${N}x${K}`);
    }
});

test("small and large products give the same bits for the same rows (the unpacked and packed kernels agree)", () => {
  torch.manualSeed(12);
  for (const [M, N, K] of [[96, 256, 200], [80, 200, 300], [150, 130, 257]])
    for (const tb of [false, true]) {
      const A = torch.randn(M!, K!), B = operand(K!, N!, tb, "float32");
      const big = torch.mm(A, B);  // M*N*K above the unpacked kernel's limit: packed
      for (const rows of [2, 5, 8, 13]) {
        const small = torch.mm(A.narrow(0, 0, rows), B);
        assert.ok(torch.equal(small, big.narrow(0, 0, rows)), `${M}x${N}x${K}${tb ? " B^T" : ""}: first ${rows} rows`);
      }
    }
});

test("packed products with a column-major A (A^T views): ragged panels, several k-blocks, offsets; 1, 2 and 8 threads agree", () => {
  const before = torch.getNumThreads();
  torch.manualSeed(13);
  // A read k-row by k-row into 6-row panels: row counts 1..5 past a whole panel, K over one k-block
  // (256), A^T narrowed out of a wider tensor (column stride > M, non-zero offset), fp32 and fp64;
  // with 2 threads 97x80x600 and 401x301x600 take the pack-B-once row split, 190x300x520 the
  // pack-A-once column split, 650x600x450 (fp32 B over 1 MiB) the blocked row split
  const cases: [number, number, number][] = [[97, 80, 600], [190, 300, 520], [401, 301, 600], [650, 600, 450]];
  for (const dtype of ["float32", "float64"] as const)
    for (const [M, N, K] of cases) {
      const bigA = torch.randn(K + 2, M + 9, { dtype });
      const A = bigA.narrow(0, 1, K).narrow(1, 4, M).t();  // [M, K], row stride 1, column stride M + 9
      const B = torch.randn(K, N, { dtype });
      assert.ok(A.stride()[0] === 1 && A.storageOffset() > 0);
      const results = [1, 2, 8].map((t) => { torch.setNumThreads(t); return torch.mm(A, B); });
      torch.setNumThreads(before);
      check(results[0]!, A, B, `A^T ${dtype} ${M}x${N}x${K}`);
      assert.ok(torch.equal(results[0]!, results[1]!), `A^T ${dtype} ${M}x${N}x${K}: 2 threads`);
      assert.ok(torch.equal(results[0]!, results[2]!), `A^T ${dtype} ${M}x${N}x${K}: 8 threads`);
    }
});

test("the reference check rejects a product that is off in one element", () => {
  torch.manualSeed(8);
  const A = torch.randn(65, 63), B = torch.randn(63, 7);
  const C = torch.mm(A, B);
  check(C, A, B, "exact");
  const bad = C.clone();
  bad.narrow(0, 64, 1).narrow(1, 6, 1).add_(1e-2);
  assert.throws(() => check(bad, A, B, "perturbed"), /perturbed: \[64,6\]/);
});

test("back-to-back threaded products (workers poll between GEMM regions): same bits as 1 thread; resizing the pool while they poll", () => {
  const before = torch.getNumThreads();
  torch.manualSeed(21);
  // packed (dynamic and blocked splits), unpacked, NT (x @ W^T) and batched products, each run
  // several times in a row so the later ones find the workers polling; then the pool is resized
  // right after a region, while they still poll
  const A = torch.randn(300, 260), B = torch.randn(260, 290), X = torch.randn(64, 784), W = torch.randn(256, 784);
  const Ab = torch.randn(32, 64, 64), Bb = torch.randn(32, 64, 64), S = torch.randn(100, 90), T = torch.randn(90, 70);
  const run = (): Tensor[] => [torch.mm(A, B), torch.mm(X, W.t()), torch.bmm(Ab, Bb), torch.mm(S, T), torch.mm(A.t().contiguous().t(), B)];
  torch.setNumThreads(1);
  const want = run();
  for (const threads of [2, 3, 2]) {
    torch.setNumThreads(threads);
    for (let rep = 0; rep < 4; rep++) {
      const got = run();
      got.forEach((g, i) => assert.ok(torch.equal(g, want[i]!), `product ${i}, ${threads} threads, repeat ${rep}`));
    }
  }
  torch.setNumThreads(before);
});
