// SPDX-License-Identifier: BSD-3-Clause
// fp32 GEMM without packing, for products small enough that their operands stay in L1/L2 (the
// small and batched products: bmm of 16^2 .. 128^2 matrices, Linear layers): 6x16 register tiles
// read A by broadcasts through its own strides and B straight from its rows (row-contiguous B),
// so a product costs no packing and no scratch. Included by matmul.cc (AVX2 + FMA only; chosen at
// run time there).
//
// Every element of C is summed exactly as the packed kernel sums it: K in blocks of kc (KC in
// matmul.cc), one FMA per k in increasing k within a block, then C = alpha*acc (+ beta*C) after
// the first block and C += alpha*acc after the others, with separate multiplies and adds. So this
// path and the packed one give the same bits, and choosing between them never changes a result.
#pragma once
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

namespace tt {
namespace gemm_small {

// A lane mask selecting the first n (0..8) lanes of a vector of 8 floats.
__attribute__((target("avx2,fma"), always_inline)) inline __m256i laneMask(int n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

// The k-loop both kernels below share: zero the 12 accumulators, then kc steps (none when kc is 0).
#define TT_KLOOP6X16_ASM \
  "vxorps %%ymm0, %%ymm0, %%ymm0\n\tvxorps %%ymm1, %%ymm1, %%ymm1\n\t" \
  "vxorps %%ymm2, %%ymm2, %%ymm2\n\tvxorps %%ymm3, %%ymm3, %%ymm3\n\t" \
  "vxorps %%ymm4, %%ymm4, %%ymm4\n\tvxorps %%ymm5, %%ymm5, %%ymm5\n\t" \
  "vxorps %%ymm6, %%ymm6, %%ymm6\n\tvxorps %%ymm7, %%ymm7, %%ymm7\n\t" \
  "vxorps %%ymm8, %%ymm8, %%ymm8\n\tvxorps %%ymm9, %%ymm9, %%ymm9\n\t" \
  "vxorps %%ymm10, %%ymm10, %%ymm10\n\tvxorps %%ymm11, %%ymm11, %%ymm11\n\t" \
  "test %[n], %[n]\n\t" \
  "jz 2f\n\t" \
  ".p2align 5\n\t" \
  "1:\n\t" \
  "vmovups (%[b]), %%ymm12\n\t" \
  "vmovups 32(%[b]), %%ymm13\n\t" \
  "add %[bstep], %[b]\n\t" \
  "vbroadcastss (%[a0]), %%ymm14\n\t" \
  "vfmadd231ps %%ymm12, %%ymm14, %%ymm0\n\tvfmadd231ps %%ymm13, %%ymm14, %%ymm1\n\t" \
  "vbroadcastss (%[a0],%[r],1), %%ymm14\n\t" \
  "vfmadd231ps %%ymm12, %%ymm14, %%ymm2\n\tvfmadd231ps %%ymm13, %%ymm14, %%ymm3\n\t" \
  "vbroadcastss (%[a0],%[r],2), %%ymm14\n\t" \
  "vfmadd231ps %%ymm12, %%ymm14, %%ymm4\n\tvfmadd231ps %%ymm13, %%ymm14, %%ymm5\n\t" \
  "vbroadcastss (%[a3]), %%ymm14\n\t" \
  "vfmadd231ps %%ymm12, %%ymm14, %%ymm6\n\tvfmadd231ps %%ymm13, %%ymm14, %%ymm7\n\t" \
  "vbroadcastss (%[a0],%[r],4), %%ymm14\n\t" \
  "vfmadd231ps %%ymm12, %%ymm14, %%ymm8\n\tvfmadd231ps %%ymm13, %%ymm14, %%ymm9\n\t" \
  "vbroadcastss (%[a3],%[r],2), %%ymm14\n\t" \
  "vfmadd231ps %%ymm12, %%ymm14, %%ymm10\n\tvfmadd231ps %%ymm13, %%ymm14, %%ymm11\n\t" \
  "add %[astep], %[a0]\n\t" \
  "add %[astep], %[a3]\n\t" \
  "dec %[n]\n\t" \
  "jnz 1b\n\t" \
  "2:\n\t"

// The full 6x16 tile's k-loop in assembly (the compiler spills the row pointers of A otherwise):
// ymm0-11 accumulate, ymm12-13 hold a row of B, ymm14 a broadcast element of A. Rows of A are
// a0, a0+r, a0+2r, a3=a0+3r, a0+4r, a3+2r (r = A's row stride in bytes), so any strides of A
// are read in place; each k steps A by astep and B by bstep bytes. out[6][16] gets the sums.
__attribute__((target("avx2,fma"), always_inline)) inline void kloop6x16(int64_t kc, const float* a, int64_t ars,
                                                                         int64_t acs, const float* b, int64_t brs,
                                                                         float* out) {
  const char* a0 = reinterpret_cast<const char*>(a);
  const char* a3 = a0 + 3 * ars * 4;
  const char* bp = reinterpret_cast<const char*>(b);
  const int64_t r = ars * 4, astep = acs * 4, bstep = brs * 4;
  int64_t n = kc;
  asm volatile(
      TT_KLOOP6X16_ASM
      "vmovups %%ymm0, 0(%[o])\n\tvmovups %%ymm1, 32(%[o])\n\tvmovups %%ymm2, 64(%[o])\n\t"
      "vmovups %%ymm3, 96(%[o])\n\tvmovups %%ymm4, 128(%[o])\n\tvmovups %%ymm5, 160(%[o])\n\t"
      "vmovups %%ymm6, 192(%[o])\n\tvmovups %%ymm7, 224(%[o])\n\tvmovups %%ymm8, 256(%[o])\n\t"
      "vmovups %%ymm9, 288(%[o])\n\tvmovups %%ymm10, 320(%[o])\n\tvmovups %%ymm11, 352(%[o])\n\t"
      : [a0] "+r"(a0), [a3] "+r"(a3), [b] "+r"(bp), [n] "+r"(n)
      : [r] "r"(r), [astep] "r"(astep), [bstep] "r"(bstep), [o] "r"(out)
      : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

// kloop6x16 with C = acc stored straight into C (rows c, c+r', ..., r' = C's row stride; columns
// contiguous): the first k-block with alpha 1 and beta 0, where alpha*acc is acc exactly. Saves
// the round trip of the 12 sums through memory and the multiply of the general epilogue.
__attribute__((target("avx2,fma"), always_inline)) inline void kloop6x16Store(int64_t kc, const float* a, int64_t ars,
                                                                              int64_t acs, const float* b, int64_t brs,
                                                                              float* c, int64_t crs) {
  const char* a0 = reinterpret_cast<const char*>(a);
  const char* a3 = a0 + 3 * ars * 4;
  const char* bp = reinterpret_cast<const char*>(b);
  char* c0 = reinterpret_cast<char*>(c);
  char* c3 = c0 + 3 * crs * 4;
  const int64_t r = ars * 4, astep = acs * 4, bstep = brs * 4, cr = crs * 4;
  int64_t n = kc;
  asm volatile(
      TT_KLOOP6X16_ASM
      "vmovups %%ymm0, (%[c0])\n\tvmovups %%ymm1, 32(%[c0])\n\t"
      "vmovups %%ymm2, (%[c0],%[cr],1)\n\tvmovups %%ymm3, 32(%[c0],%[cr],1)\n\t"
      "vmovups %%ymm4, (%[c0],%[cr],2)\n\tvmovups %%ymm5, 32(%[c0],%[cr],2)\n\t"
      "vmovups %%ymm6, (%[c3])\n\tvmovups %%ymm7, 32(%[c3])\n\t"
      "vmovups %%ymm8, (%[c0],%[cr],4)\n\tvmovups %%ymm9, 32(%[c0],%[cr],4)\n\t"
      "vmovups %%ymm10, (%[c3],%[cr],2)\n\tvmovups %%ymm11, 32(%[c3],%[cr],2)\n\t"
      : [a0] "+r"(a0), [a3] "+r"(a3), [b] "+r"(bp), [n] "+r"(n)
      : [r] "r"(r), [astep] "r"(astep), [bstep] "r"(bstep), [c0] "r"(c0), [c3] "r"(c3), [cr] "r"(cr)
      : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

#undef TT_KLOOP6X16_ASM

// The full 6x16 tiles of a 6-row strip, columns [0, n16) (n16 a multiple of 16), in one
// out-of-line loop: inlined into strip<6>, the compiler kept the row pointers of every tile
// variant on the stack and stepped each of them per tile (about a quarter of a 64^3 product's
// time). Same sums and epilogue as tile<6, 2, false>.
__attribute__((target("avx2,fma"), noinline)) inline void fullTiles6x16(int64_t n16, int64_t kc, const float* a,
                                                                         int64_t ars, int64_t acs, const float* b,
                                                                         int64_t brs, float* c, int64_t crs,
                                                                         float alpha, float beta, bool firstK) {
  if (firstK && beta == 0.0f && alpha == 1.0f) {
    for (int64_t j = 0; j < n16; j += 16) kloop6x16Store(kc, a, ars, acs, b + j, brs, c + j, crs);
    return;
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  for (int64_t j = 0; j < n16; j += 16) {
    alignas(32) __m256 acc[6][2];
    kloop6x16(kc, a, ars, acs, b + j, brs, reinterpret_cast<float*>(acc));
    for (int i = 0; i < 6; i++)
      for (int v = 0; v < 2; v++) {
        float* p = c + i * crs + j + v * 8;
        __m256 r;
        if (firstK) r = beta == 0.0f ? _mm256_mul_ps(va, acc[i][v])
                                     : _mm256_add_ps(_mm256_mul_ps(vb, _mm256_loadu_ps(p)), _mm256_mul_ps(va, acc[i][v]));
        else r = _mm256_add_ps(_mm256_loadu_ps(p), _mm256_mul_ps(va, acc[i][v]));
        _mm256_storeu_ps(p, r);
      }
  }
}

// C[MR rows][nr cols] (beta, alpha) op= A[MR x kc] @ B[kc x nr], nr <= 8*NV; the last vector of
// B is loaded through `mask` when MASK (the right edge). a points at A[row 0][k 0], b at B[k 0][col 0].
template <int MR, int NV, bool MASK>
__attribute__((target("avx2,fma"), always_inline)) inline void tile(int64_t kc, const float* a, int64_t ars,
                                                                    int64_t acs, const float* b, int64_t brs, float* c,
                                                                    int64_t crs, int64_t ccs, float alpha, float beta,
                                                                    int nr, __m256i mask, bool firstK) {
  __m256 acc[MR][NV];
  if constexpr (MR == 6 && NV == 2 && !MASK) {
    kloop6x16(kc, a, ars, acs, b, brs, reinterpret_cast<float*>(acc));
  } else {
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NV; j++) acc[i][j] = _mm256_setzero_ps();
  const float* ap[MR];
  for (int i = 0; i < MR; i++) ap[i] = a + i * ars;
  if (acs == 1) {
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; k++) {
      __m256 bv[NV];
      for (int j = 0; j < NV; j++)
        bv[j] = (MASK && j == NV - 1) ? _mm256_maskload_ps(b + j * 8, mask) : _mm256_loadu_ps(b + j * 8);
      b += brs;
      for (int i = 0; i < MR; i++) {
        const __m256 av = _mm256_broadcast_ss(ap[i] + k);
        for (int j = 0; j < NV; j++) acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);
      }
    }
  } else {
    const float* ak = a;
#pragma GCC unroll 4
    for (int64_t k = 0; k < kc; k++) {
      __m256 bv[NV];
      for (int j = 0; j < NV; j++)
        bv[j] = (MASK && j == NV - 1) ? _mm256_maskload_ps(b + j * 8, mask) : _mm256_loadu_ps(b + j * 8);
      b += brs;
      for (int i = 0; i < MR; i++) {
        const __m256 av = _mm256_broadcast_ss(ak + i * ars);
        for (int j = 0; j < NV; j++) acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);
      }
      ak += acs;
    }
  }
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  if (ccs == 1 && !MASK) {
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NV; j++) {
        float* p = c + i * crs + j * 8;
        __m256 r;
        if (firstK) r = beta == 0.0f ? _mm256_mul_ps(va, acc[i][j])
                                     : _mm256_add_ps(_mm256_mul_ps(vb, _mm256_loadu_ps(p)), _mm256_mul_ps(va, acc[i][j]));
        else r = _mm256_add_ps(_mm256_loadu_ps(p), _mm256_mul_ps(va, acc[i][j]));
        _mm256_storeu_ps(p, r);
      }
    return;
  }
  alignas(32) float t[MR][NV * 8];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NV; j++) _mm256_store_ps(&t[i][j * 8], acc[i][j]);
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < nr; j++) {
      float& d = c[i * crs + j * ccs];
      if (firstK) d = (beta == 0.0f ? 0.0f : beta * d) + alpha * t[i][j];
      else d += alpha * t[i][j];
    }
}

// One MR-row strip of C over all columns [0, N), for one k-block.
template <int MR>
__attribute__((target("avx2,fma"), always_inline)) inline void strip(int64_t N, int64_t kc, const float* a,
                                                                     int64_t ars, int64_t acs, const float* b,
                                                                     int64_t brs, float* c, int64_t crs, int64_t ccs,
                                                                     float alpha, float beta, bool firstK) {
  const __m256i all = _mm256_set1_epi32(-1);
  int64_t j = 0;
  if constexpr (MR == 6)
    if (ccs == 1 && N >= 16) {
      j = N & ~int64_t(15);
      fullTiles6x16(j, kc, a, ars, acs, b, brs, c, crs, alpha, beta, firstK);
    }
  for (; j + 16 <= N; j += 16)
    tile<MR, 2, false>(kc, a, ars, acs, b + j, brs, c + j * ccs, crs, ccs, alpha, beta, 16, all, firstK);
  const int64_t rest = N - j;
  if (rest > 8)
    tile<MR, 2, true>(kc, a, ars, acs, b + j, brs, c + j * ccs, crs, ccs, alpha, beta, (int)rest,
                      laneMask((int)rest - 8), firstK);
  else if (rest == 8)
    tile<MR, 1, false>(kc, a, ars, acs, b + j, brs, c + j * ccs, crs, ccs, alpha, beta, 8, all, firstK);
  else if (rest > 0)
    tile<MR, 1, true>(kc, a, ars, acs, b + j, brs, c + j * ccs, crs, ccs, alpha, beta, (int)rest,
                      laneMask((int)rest), firstK);
}

// Rows [i0, i1) of C = beta*C + alpha*A@B with B's rows contiguous (its column stride 1), K in
// blocks of kcMax. Rows are taken 6 at a time (then 4, 2, 1 at the bottom edge).
__attribute__((target("avx2,fma"), noinline)) inline void sgemmRows(int64_t i0, int64_t i1, int64_t N, int64_t K,
                                                                    int64_t kcMax, const float* A, int64_t ars,
                                                                    int64_t acs, const float* B, int64_t brs, float* C,
                                                                    int64_t crs, int64_t ccs, float alpha,
                                                                    float beta) {
  for (int64_t pc = 0; pc < K; pc += kcMax) {
    const int64_t kc = K - pc < kcMax ? K - pc : kcMax;
    const bool first = pc == 0;
    const float* a = A + pc * acs;
    const float* b = B + pc * brs;
    int64_t i = i0;
    for (; i + 6 <= i1; i += 6)
      strip<6>(N, kc, a + i * ars, ars, acs, b, brs, C + i * crs, crs, ccs, alpha, beta, first);
    if (i1 - i >= 4) {
      strip<4>(N, kc, a + i * ars, ars, acs, b, brs, C + i * crs, crs, ccs, alpha, beta, first);
      i += 4;
    }
    if (i1 - i >= 2) {
      strip<2>(N, kc, a + i * ars, ars, acs, b, brs, C + i * crs, crs, ccs, alpha, beta, first);
      i += 2;
    }
    if (i1 - i >= 1) strip<1>(N, kc, a + i * ars, ars, acs, b, brs, C + i * crs, crs, ccs, alpha, beta, first);
  }
}

}  // namespace gemm_small
}  // namespace tt
#endif
