// SPDX-License-Identifier: BSD-3-Clause
// fp32 "NT" GEMM without packing: C = beta*C + alpha*A@B where the rows of A and the columns of B
// are both contiguous along k (A [M,K] row-major, B = W^T for a row-major W [N,K]: nn.Linear's
// y = x @ W^T). Every element of C is a dot product of two contiguous rows, so neither operand is
// copied or packed: the packed GEMM pays a transpose of W per call, which dominates Linear layers
// with few rows. Included by matmul.cc (AVX2 + FMA; chosen at run time there).
//
// Register tile: 3 rows of A x 4 rows of W, one 8-lane accumulator per element of C (12), k in
// steps of 8 with the last partial step masked (zero lanes), then one horizontal reduction that
// turns the 4 accumulators of a row into 4 adjacent sums. Every element of C is summed the same
// way whatever tile, edge or thread computes it: lane l holds the products k = l (mod 8) in
// increasing k, and the lanes are added as ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)). So the result
// of an element depends only on its row of A and its row of W: not on M, on the thread count or
// on where the tiles fall. (It is a different order from the packed kernel's, so an NT product and
// a packed one of the same operands differ by rounding; the dispatch in matmul.cc depends only on
// N, K and the layout, never on M, so the rows of a product do not depend on how many there are.)
#pragma once
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "common/parallel.h"

namespace tt {
namespace gemm_nt {

// Products whose B (W) has more than this many elements keep the packed GEMM (W no longer fits
// in L2, where the dot products stream it from memory once per block of rows of A).
constexpr int64_t kMaxB = int64_t(1) << 18;
// Products with fewer multiply-adds than this run on the calling thread.
constexpr int64_t kSerialWork = int64_t(1) << 20;
// Rows of A swept per block of W rows (A's block stays in L2 while the W block stays in L1).
constexpr int64_t kRowBlock = 96;

// Whether the NT kernel takes C = A@B: A's rows and B's columns contiguous, B neither too big nor
// too thin along k. Depends on N and K only (not M): see the note above.
inline bool applies(int64_t N, int64_t K, int64_t acs, int64_t brs) {
  return acs == 1 && brs == 1 && N >= 2 && K >= 8 && N * K <= kMaxB;
}

// A lane mask selecting the first n (0..8) lanes of a vector of 8 floats.
__attribute__((target("avx2,fma"), always_inline)) inline __m256i ntMask(int n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

// The 4 sums of acc0..acc3, lanes added as ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)).
__attribute__((target("avx2,fma"), always_inline)) inline __m128 reduce4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
  const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

// relu as elementwise.cc's kernel computes it: v < 0 ? 0 : v (NaN and -0 pass through).
__attribute__((target("avx2,fma"), always_inline)) inline __m128 relu4(__m128 v) {
  return _mm_andnot_ps(_mm_cmp_ps(v, _mm_setzero_ps(), _CMP_LT_OQ), v);
}

// C[MR rows][nr <= 4 cols] = (beta*C +) alpha * A[MR rows] . W[4 rows] over K (+ bias[j], stride
// bs, when bias is given: F.linear's epilogue, the same bits as beta = 1 over C = bias). w[j]
// points at row j of W (rows past nr repeat a valid row; their sums are not stored). With relu,
// each stored value v is v < 0 ? 0 : v (F.relu of the result, the same bits as a separate pass).
template <int MR>
__attribute__((target("avx2,fma"), always_inline)) inline void tile(int64_t K, const float* a, int64_t ars,
                                                                    const float* w0, const float* w1, const float* w2,
                                                                    const float* w3, float* c, int64_t crs,
                                                                    int64_t ccs, int nr, float alpha, float beta,
                                                                    const float* bias, int64_t bs, bool relu) {
  __m256 acc[MR][4];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < 4; j++) acc[i][j] = _mm256_setzero_ps();
  const float* ap[MR];
  for (int i = 0; i < MR; i++) ap[i] = a + i * ars;
  int64_t k = 0;
#pragma GCC unroll 2
  for (; k + 8 <= K; k += 8) {
    __m256 av[MR];
    for (int i = 0; i < MR; i++) av[i] = _mm256_loadu_ps(ap[i] + k);
    __m256 b = _mm256_loadu_ps(w0 + k);
    for (int i = 0; i < MR; i++) acc[i][0] = _mm256_fmadd_ps(av[i], b, acc[i][0]);
    b = _mm256_loadu_ps(w1 + k);
    for (int i = 0; i < MR; i++) acc[i][1] = _mm256_fmadd_ps(av[i], b, acc[i][1]);
    b = _mm256_loadu_ps(w2 + k);
    for (int i = 0; i < MR; i++) acc[i][2] = _mm256_fmadd_ps(av[i], b, acc[i][2]);
    b = _mm256_loadu_ps(w3 + k);
    for (int i = 0; i < MR; i++) acc[i][3] = _mm256_fmadd_ps(av[i], b, acc[i][3]);
  }
  if (k < K) {  // the last k, masked (zero lanes add nothing); a row of A at a time, to stay in registers
    const __m256i m = ntMask((int)(K - k));
    for (int i = 0; i < MR; i++) {
      const __m256 av = _mm256_maskload_ps(ap[i] + k, m);
      acc[i][0] = _mm256_fmadd_ps(av, _mm256_maskload_ps(w0 + k, m), acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(av, _mm256_maskload_ps(w1 + k, m), acc[i][1]);
      acc[i][2] = _mm256_fmadd_ps(av, _mm256_maskload_ps(w2 + k, m), acc[i][2]);
      acc[i][3] = _mm256_fmadd_ps(av, _mm256_maskload_ps(w3 + k, m), acc[i][3]);
    }
  }
  __m128 s[MR];
  for (int i = 0; i < MR; i++) s[i] = reduce4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
  const __m128 va = _mm_set1_ps(alpha);
  if (bias) {
    alignas(16) float bt[4] = {0, 0, 0, 0};
    for (int j = 0; j < nr; j++) bt[j] = bias[j * bs];
    const __m128 vbias = _mm_load_ps(bt);
    for (int i = 0; i < MR; i++) {
      __m128 r = _mm_add_ps(vbias, _mm_mul_ps(va, s[i]));
      if (relu) r = relu4(r);
      float* p = c + i * crs;
      if (ccs == 1 && nr == 4) {
        _mm_storeu_ps(p, r);
      } else {
        alignas(16) float t[4];
        _mm_store_ps(t, r);
        for (int j = 0; j < nr; j++) p[j * ccs] = t[j];
      }
    }
    return;
  }
  for (int i = 0; i < MR; i++) {
    const __m128 r = _mm_mul_ps(va, s[i]);
    float* p = c + i * crs;
    if (ccs == 1 && nr == 4) {
      const __m128 v = beta == 0.0f ? r : _mm_add_ps(_mm_mul_ps(_mm_set1_ps(beta), _mm_loadu_ps(p)), r);
      _mm_storeu_ps(p, relu ? relu4(v) : v);
    } else {
      alignas(16) float t[4];
      _mm_store_ps(t, r);
      for (int j = 0; j < nr; j++) {
        float& d = p[j * ccs];
        const float v = beta == 0.0f ? t[j] : beta * d + t[j];
        d = relu && v < 0.0f ? 0.0f : v;
      }
    }
  }
}

// Columns [j0, j1) of C (rows [j0, j1) of W), all rows of A: blocks of kRowBlock rows of A, inside
// them 4 rows of W at a time against 3 rows of A at a time.
__attribute__((target("avx2,fma"), noinline)) inline void cols(int64_t j0, int64_t j1, int64_t i0, int64_t i1,
                                                               int64_t K, const float* A, int64_t ars, const float* W,
                                                               int64_t wrs, float* C, int64_t crs, int64_t ccs,
                                                               float alpha, float beta, const float* bias, int64_t bs,
                                                               bool relu = false) {
  for (int64_t ib = i0; ib < i1; ib += kRowBlock) {
    const int64_t ie = std::min(i1, ib + kRowBlock);
    for (int64_t j = j0; j < j1; j += 4) {
      const int nr = (int)std::min<int64_t>(4, j1 - j);
      const float* w0 = W + j * wrs;
      const float* w1 = nr > 1 ? w0 + wrs : w0;
      const float* w2 = nr > 2 ? w0 + 2 * wrs : w0;
      const float* w3 = nr > 3 ? w0 + 3 * wrs : w0;
      float* c = C + j * ccs;
      const float* bj = bias ? bias + j * bs : nullptr;
      int64_t i = ib;
      // 3k + 1 rows (k >= 1) end in two 2-row tiles instead of a 3-row and a 1-row one: a 1-row tile
      // has 4 accumulators, too few to hide the FMA latency (the same sums: see the note above)
      const int64_t e3 = (ie - ib) % 3 == 1 && ie - ib >= 4 ? ie - 4 : ie;
      for (; i + 3 <= e3; i += 3)
        tile<3>(K, A + i * ars, ars, w0, w1, w2, w3, c + i * crs, crs, ccs, nr, alpha, beta, bj, bs, relu);
      if (e3 != ie) {
        tile<2>(K, A + i * ars, ars, w0, w1, w2, w3, c + i * crs, crs, ccs, nr, alpha, beta, bj, bs, relu);
        i += 2;
      }
      if (ie - i == 2) tile<2>(K, A + i * ars, ars, w0, w1, w2, w3, c + i * crs, crs, ccs, nr, alpha, beta, bj, bs, relu);
      else if (ie - i == 1) tile<1>(K, A + i * ars, ars, w0, w1, w2, w3, c + i * crs, crs, ccs, nr, alpha, beta, bj, bs, relu);
    }
  }
}

// C[M,N] = beta*C + alpha * A[M,K] @ B[K,N] with A's rows contiguous (row stride ars) and B's
// columns contiguous (column stride bcs: B = W^T with W's row stride bcs). Threads (for products
// big enough) claim blocks of columns of C (rows of W), or of rows of C when C has few columns;
// the split changes no sum. With a bias (stride bs), C = alpha*A@B + bias[column] and beta is unused.
// With relu, every stored value goes through relu4 (F.linear then F.relu, fused for inference).
inline void sgemmNT(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars, const float* B, int64_t bcs,
                    float* C, int64_t crs, int64_t ccs, float alpha, float beta, int threads,
                    const float* bias = nullptr, int64_t bs = 1, bool relu = false) {
  if (M * N * K < kSerialWork) threads = 1;
  const int64_t colUnits = (N + 3) / 4, rowUnits = (M + 2) / 3;
  const bool byCols = colUnits >= 2 * threads || colUnits >= rowUnits;
  const int64_t units = byCols ? colUnits : rowUnits;
  if (threads <= 1 || units < 2) return cols(0, N, 0, M, K, A, ars, B, bcs, C, crs, ccs, alpha, beta, bias, bs, relu);
  const int64_t per = std::max<int64_t>(1, units / (threads * 4)), items = (units + per - 1) / per;
  std::atomic<int64_t> next{0};
  parallelFor(std::min<int64_t>(threads, items), 1, [&](int64_t, int64_t) {
    for (int64_t it; (it = next.fetch_add(1, std::memory_order_relaxed)) < items;) {
      if (byCols) {
        const int64_t j0 = it * per * 4, j1 = std::min(N, j0 + per * 4);
        cols(j0, j1, 0, M, K, A, ars, B, bcs, C, crs, ccs, alpha, beta, bias, bs, relu);
      } else {
        const int64_t i0 = it * per * 3, i1 = std::min(M, i0 + per * 3);
        cols(0, N, i0, i1, K, A, ars, B, bcs, C, crs, ccs, alpha, beta, bias, bs, relu);
      }
    }
  }, gemmPollNanos());
}

}  // namespace gemm_nt
}  // namespace tt
#endif
