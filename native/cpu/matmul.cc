// SPDX-License-Identifier: BSD-3-Clause
// Batched strided GEMM: C = beta*C + alpha*A@B for every batch, with any row/column strides
// (so transposed operands never need a copy). Float types use a packed, cache-blocked kernel
// with a register-tiled micro-kernel compiled per instruction set and chosen at run time;
// integer types use a plain loop with int64 accumulation. On AVX2 the 6x16 (fp32) / 6x8 (fp64)
// micro-kernel's k-loop is inline assembly and packing uses in-register transposes. Small fp32
// products skip packing (gemm_small.h, the same sums); threads claim blocks of C dynamically.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"
#include "cpu/gemm_small.h"
#include "cpu/gemm_nt.h"

namespace tt {
namespace {

struct MatDesc {
  char* base;
  int64_t batchStride, rs, cs;  // in elements
};

// Blocking: a kc x NR panel of packed B (16 KiB for AVX2 fp32) stays in L1 while an MC x KC block of
// packed A (96 KiB) streams from L2; the KC x NC block of packed B lives in L3. Measured on the
// 2-core AVX2 VM (L1d 32 KiB, L2 512 KiB): KC 192-384 and MC 48-240 are all within noise.
constexpr int64_t KC = 256, MC = 96, NC = 2048;
#define TT_PFA 128  // prefetch distance into packed A, in elements

// A vector of W lanes of T (GCC vector extensions: compiled to zmm/ymm/xmm by each variant).
template <class T, int W> struct VecOf { typedef T type __attribute__((vector_size(W * sizeof(T)))); };

#if defined(__x86_64__)
#define TT_STR2(x) #x
#define TT_STR(x) TT_STR2(x)
// The 6x(2 vectors) AVX2 k-loop in assembly, so that the compiler can neither reorder it nor spill
// accumulators: ymm0-11 accumulate, ymm12-13 hold a row of B, ymm14 a broadcast element of A.
// S is "s" for float, "d" for double, ES the element size. Unrolled by 4, with a prefetch of A ahead.
#define TT_FMA2(S, ES, KOFF, I, C0, C1)                                \
  "vbroadcasts" S " (" TT_STR(KOFF) "*6+" #I ")*" ES "(%[a]), %%ymm14\n\t" \
  "vfmadd231p" S " %%ymm12, %%ymm14, %%ymm" #C0 "\n\t"                  \
  "vfmadd231p" S " %%ymm13, %%ymm14, %%ymm" #C1 "\n\t"
#define TT_K1(S, ES, KOFF)                                     \
  "vmovups " TT_STR(KOFF) "*64(%[b]), %%ymm12\n\t"             \
  "vmovups " TT_STR(KOFF) "*64+32(%[b]), %%ymm13\n\t"          \
  TT_FMA2(S, ES, KOFF, 0, 0, 1) TT_FMA2(S, ES, KOFF, 1, 2, 3)  \
  TT_FMA2(S, ES, KOFF, 2, 4, 5) TT_FMA2(S, ES, KOFF, 3, 6, 7)  \
  TT_FMA2(S, ES, KOFF, 4, 8, 9) TT_FMA2(S, ES, KOFF, 5, 10, 11)
#define TT_KLOOP(S, ES)                                                                              \
  "vxorps %%ymm0, %%ymm0, %%ymm0\n\tvxorps %%ymm1, %%ymm1, %%ymm1\n\t"                            \
  "vxorps %%ymm2, %%ymm2, %%ymm2\n\tvxorps %%ymm3, %%ymm3, %%ymm3\n\t"                            \
  "vxorps %%ymm4, %%ymm4, %%ymm4\n\tvxorps %%ymm5, %%ymm5, %%ymm5\n\t"                            \
  "vxorps %%ymm6, %%ymm6, %%ymm6\n\tvxorps %%ymm7, %%ymm7, %%ymm7\n\t"                            \
  "vxorps %%ymm8, %%ymm8, %%ymm8\n\tvxorps %%ymm9, %%ymm9, %%ymm9\n\t"                            \
  "vxorps %%ymm10, %%ymm10, %%ymm10\n\tvxorps %%ymm11, %%ymm11, %%ymm11\n\t"                      \
  "test %[n4], %[n4]\n\t"                                                                          \
  "jz 2f\n\t"                                                                                      \
  "1:\n\t"                                                                                         \
  "prefetcht0 " TT_STR(TT_PFA) "*" ES "(%[a])\n\t"                                                 \
  TT_K1(S, ES, 0) TT_K1(S, ES, 1) TT_K1(S, ES, 2) TT_K1(S, ES, 3)                                  \
  "add $24*" ES ", %[a]\n\t"                                                                       \
  "add $256, %[b]\n\t"                                                                             \
  "dec %[n4]\n\t"                                                                                  \
  "jnz 1b\n\t"                                                                                     \
  "2:\n\t"                                                                                         \
  "test %[n1], %[n1]\n\t"                                                                          \
  "jz 4f\n\t"                                                                                      \
  "3:\n\t" TT_K1(S, ES, 0)                                                                         \
  "add $6*" ES ", %[a]\n\t"                                                                        \
  "add $64, %[b]\n\t"                                                                              \
  "dec %[n1]\n\t"                                                                                  \
  "jnz 3b\n\t"                                                                                     \
  "4:\n\t"                                                                                         \
  "vmovups %%ymm0, 0(%[o])\n\tvmovups %%ymm1, 32(%[o])\n\tvmovups %%ymm2, 64(%[o])\n\t"          \
  "vmovups %%ymm3, 96(%[o])\n\tvmovups %%ymm4, 128(%[o])\n\tvmovups %%ymm5, 160(%[o])\n\t"       \
  "vmovups %%ymm6, 192(%[o])\n\tvmovups %%ymm7, 224(%[o])\n\tvmovups %%ymm8, 256(%[o])\n\t"      \
  "vmovups %%ymm9, 288(%[o])\n\tvmovups %%ymm10, 320(%[o])\n\tvmovups %%ymm11, 352(%[o])\n\t"    \
  : [a] "+r"(a), [b] "+r"(b), [n4] "+r"(n4), [n1] "+r"(n1)                                        \
  : [o] "r"(out)                                                                                   \
  : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
    "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

// out[6][2 vectors] = packedA(6 x kc) * packedB(kc x 2 vectors), for 32-byte vectors (AVX2).
template <class T>
inline __attribute__((always_inline)) void asmKLoop6x2(int64_t kc, const T* a, const T* b, T* out) {
  int64_t n4 = kc >> 2, n1 = kc & 3;
  if (sizeof(T) == 4) asm volatile(TT_KLOOP("s", "4"));
  else asm volatile(TT_KLOOP("d", "8"));
}
#undef TT_KLOOP
#undef TT_K1
#undef TT_FMA2
#undef TT_PFA
#endif

#if defined(__x86_64__)
// In-register 8x8 float transpose (AVX2).
__attribute__((target("avx2,fma"), always_inline)) inline void transpose8x8(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// Packs 6 rows of A (row stride ars, contiguous along k) into a 6-wide micro-panel, 8 k at a time
// through an 8x8 transpose; the 8-float stores overlap by 2, so the panel needs 2 floats of slack
// after it (the next panel's start, or the buffer's tail). Returns how many k it packed.
__attribute__((target("avx2,fma"), noinline)) int64_t packA6Avx2(const float* src, int64_t ars,
                                                                              int64_t kc, float* dst) {
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    __m256 r[8];
    for (int i = 0; i < 6; i++) r[i] = _mm256_loadu_ps(src + i * ars + k);
    r[6] = r[7] = _mm256_setzero_ps();
    transpose8x8(r);
    for (int j = 0; j < 8; j++) _mm256_storeu_ps(dst + (k + j) * 6, r[j]);
  }
  return k;
}

// The same for double: 6 rows, 4 k at a time through a 4x4 transpose (rows 0-3) and a 2x4 one (4-5).
__attribute__((target("avx2,fma"), noinline)) int64_t packA6Avx2(const double* src, int64_t ars, int64_t kc,
                                                                 double* dst) {
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    __m256d r[6];
    for (int i = 0; i < 6; i++) r[i] = _mm256_loadu_pd(src + i * ars + k);
    const __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    const __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    const __m256d v0 = _mm256_unpacklo_pd(r[4], r[5]), v1 = _mm256_unpackhi_pd(r[4], r[5]);
    _mm256_storeu_pd(dst + (k + 0) * 6, _mm256_permute2f128_pd(t0, t2, 0x20));
    _mm_storeu_pd(dst + (k + 0) * 6 + 4, _mm256_castpd256_pd128(v0));
    _mm256_storeu_pd(dst + (k + 1) * 6, _mm256_permute2f128_pd(t1, t3, 0x20));
    _mm_storeu_pd(dst + (k + 1) * 6 + 4, _mm256_castpd256_pd128(v1));
    _mm256_storeu_pd(dst + (k + 2) * 6, _mm256_permute2f128_pd(t0, t2, 0x31));
    _mm_storeu_pd(dst + (k + 2) * 6 + 4, _mm256_extractf128_pd(v0, 1));
    _mm256_storeu_pd(dst + (k + 3) * 6, _mm256_permute2f128_pd(t1, t3, 0x31));
    _mm_storeu_pd(dst + (k + 3) * 6 + 4, _mm256_extractf128_pd(v1, 1));
  }
  return k;
}

// Packs 16 columns of B (column stride bcs, contiguous along k) into a 16-wide micro-panel,
// 8 k at a time through two 8x8 transposes. Returns how many k it packed.
__attribute__((target("avx2,fma"), noinline)) int64_t packB16TAvx2(const float* src, int64_t bcs,
                                                                                int64_t kc, float* dst) {
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    __m256 lo[8], hi[8];
    for (int j = 0; j < 8; j++) {
      lo[j] = _mm256_loadu_ps(src + j * bcs + k);
      hi[j] = _mm256_loadu_ps(src + (j + 8) * bcs + k);
    }
    transpose8x8(lo);
    transpose8x8(hi);
    for (int j = 0; j < 8; j++) {
      _mm256_storeu_ps(dst + (k + j) * 16, lo[j]);
      _mm256_storeu_ps(dst + (k + j) * 16 + 8, hi[j]);
    }
  }
  return k;
}
#endif

// acc[MR][NV vectors] += packedA(MR x kc) * packedB(kc x NV*W); then C = beta*C + alpha*acc.
template <class T, int MR, int NV, int W>
inline __attribute__((always_inline)) void microKernel(int64_t kc, const T* __restrict a, const T* __restrict b,
                                                       T* c, int64_t rs, int64_t cs, T alpha, T beta, int mr, int nr,
                                                       bool firstK) {
  using V = typename VecOf<T, W>::type;
  constexpr int NR = NV * W;
  V acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NV; j++) acc[i][j] = V{};
  if (cs == 1)  // the C tile is written after the loop: start fetching it now
    for (int i = 0; i < mr; i++) {
      __builtin_prefetch(c + i * rs, 1);
      __builtin_prefetch(c + i * rs + NR - 1, 1);
    }
#if defined(__x86_64__)
  if constexpr (MR == 6 && NV == 2 && W * sizeof(T) == 32) {
    asmKLoop6x2<T>(kc, a, b, reinterpret_cast<T*>(acc));
  } else
#endif
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; k++) {
    V bv[NV];
    for (int j = 0; j < NV; j++) __builtin_memcpy(&bv[j], b + k * NR + j * W, sizeof(V));
    const T* ak = a + k * MR;
    for (int i = 0; i < MR; i++) {
      const T av = ak[i];
      for (int j = 0; j < NV; j++) acc[i][j] += av * bv[j];
    }
  }
  if (cs == 1 && nr == NR) {  // row-contiguous C and a full-width tile: vector loads and stores
    const V va = V{} + alpha, vb = V{} + beta;
    for (int i = 0; i < mr; i++)
      for (int j = 0; j < NV; j++) {
        T* p = c + i * rs + j * W;
        V cv;
        if (firstK) {
          if (beta == T(0)) cv = va * acc[i][j];
          else { __builtin_memcpy(&cv, p, sizeof(V)); cv = vb * cv + va * acc[i][j]; }
        } else {
          __builtin_memcpy(&cv, p, sizeof(V));
          cv += va * acc[i][j];
        }
        __builtin_memcpy(p, &cv, sizeof(V));
      }
    return;
  }
  T tile[MR][NR];
  __builtin_memcpy(tile, acc, sizeof(tile));
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) {
      T& dst = c[i * rs + j * cs];
      if (firstK) dst = (beta == T(0) ? T(0) : beta * dst) + alpha * tile[i][j];
      else dst += alpha * tile[i][j];
    }
}

struct GemmArgs {
  int64_t M, N, K;
  const void* A; int64_t ars, acs;
  const void* B; int64_t brs, bcs;
  void* C; int64_t crs, ccs;
  double alpha, beta;
};

// One work item of a (jc, pc) step: pack the MC rows of A of block `blk`, then run the
// micro-kernel over NR-wide panels [p0, p1) of the packed B. This is the function compiled per
// instruction set (a lambda would not inherit the target attribute).
template <class T, int MR, int NV, int W>
inline __attribute__((always_inline)) void gemmWork(const GemmArgs& g, const T* bpack, T* apack, int64_t jc, int64_t nc,
                                                    int64_t pc, int64_t kc, int64_t blk, int64_t p0, int64_t p1,
                                                    bool packA) {
  constexpr int NR = NV * W;
  const T* A = static_cast<const T*>(g.A);
  T* C = static_cast<T*>(g.C);
  const int64_t ic = blk * MC, mc = std::min(MC, g.M - ic);
  if (packA && g.acs == 1) {  // rows of A contiguous: read along k
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int mr = (int)std::min<int64_t>(MR, mc - ir);
      T* dst = apack + ir * kc;
      int64_t k0 = 0;
#if defined(__x86_64__)
      if constexpr (MR == 6 && W * sizeof(T) == 32)  // AVX2, float or double
        if (mr == MR) k0 = packA6Avx2(A + (ic + ir) * g.ars + pc, g.ars, kc, dst);
#endif
      for (int i = 0; i < mr; i++) {
        const T* src = A + (ic + ir + i) * g.ars + pc;
        for (int64_t k = k0; k < kc; k++) dst[k * MR + i] = src[k];
      }
      for (int i = mr; i < MR; i++)
        for (int64_t k = k0; k < kc; k++) dst[k * MR + i] = 0;
    }
  } else if (packA && g.ars == 1) {  // columns of A contiguous (A^T): a panel's k-row is a run of A
    // k outermost, so each column of A is read once, in full lines, and scattered to the panels
    // (going panel by panel would read a few floats from each of kc columns kc floats apart)
    const int64_t full = mc / MR * MR;
    for (int64_t k = 0; k < kc; k++) {
      const T* src = A + ic + (pc + k) * g.acs;
      T* dst = apack + k * MR;
      for (int64_t ir = 0; ir < full; ir += MR) __builtin_memcpy(dst + ir * kc, src + ir, MR * sizeof(T));
      if (full < mc) {
        T* d = dst + full * kc;
        for (int i = 0; i < MR; i++) d[i] = full + i < mc ? src[full + i] : T(0);
      }
    }
  } else if (packA) {
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int mr = (int)std::min<int64_t>(MR, mc - ir);
      for (int64_t k = 0; k < kc; k++) {
        const T* src = A + (ic + ir) * g.ars + (pc + k) * g.acs;
        T* dst = apack + ir * kc + k * MR;
        for (int i = 0; i < mr; i++) dst[i] = src[i * g.ars];
        for (int i = mr; i < MR; i++) dst[i] = 0;
      }
    }
  }
  for (int64_t p = p0; p < p1; p++) {
    const int64_t jr = p * NR;
    const int nr = (int)std::min<int64_t>(NR, nc - jr);
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int mr = (int)std::min<int64_t>(MR, mc - ir);
      microKernel<T, MR, NV, W>(kc, apack + ir * kc, bpack + jr * kc, C + (ic + ir) * g.crs + (jc + jr) * g.ccs,
                                g.crs, g.ccs, (T)g.alpha, (T)g.beta, mr, nr, pc == 0);
    }
  }
}

// Packs panels [q0, q1) of B[pc:pc+kc, jc:jc+nc] into NR-wide row-major panels (kc x NR each),
// zero-padded past nc. Rows of B are copied a few k at a time across all the panels (long
// contiguous reads, short contiguous writes); columns of B (B^T) are read 8 k at a time.
template <class T, int NR>
inline __attribute__((always_inline)) void packB(const GemmArgs& g, T* bpack, int64_t jc, int64_t nc, int64_t pc,
                                                 int64_t kc, int64_t q0, int64_t q1) {
  const T* B = static_cast<const T*>(g.B);
  const int64_t qFull = std::min(q1, nc / NR);  // panels [q0, qFull) are full width
  if (g.bcs == 1) {
    constexpr int64_t KB = 8;
    for (int64_t k0 = 0; k0 < kc; k0 += KB) {
      const int64_t k1 = std::min(kc, k0 + KB);
      for (int64_t q = q0; q < qFull; q++) {
        T* dst = bpack + q * NR * kc;
        const T* src = B + pc * g.brs + jc + q * NR;
        for (int64_t k = k0; k < k1; k++) __builtin_memcpy(dst + k * NR, src + k * g.brs, NR * sizeof(T));
      }
    }
  } else if (g.brs == 1) {
    constexpr int64_t KB = 8;
    for (int64_t q = q0; q < qFull; q++) {
      T* dst = bpack + q * NR * kc;
      const T* src = B + pc + (jc + q * NR) * g.bcs;
      int64_t k0 = 0;
#if defined(__x86_64__)
      if constexpr (std::is_same<T, float>::value && NR == 16) k0 = packB16TAvx2(src, g.bcs, kc, dst);
#endif
      for (; k0 + KB <= kc; k0 += KB)
        for (int j = 0; j < NR; j++)
          for (int64_t k = 0; k < KB; k++) dst[(k0 + k) * NR + j] = src[j * g.bcs + k0 + k];
      for (; k0 < kc; k0++)
        for (int j = 0; j < NR; j++) dst[k0 * NR + j] = src[j * g.bcs + k0];
    }
  } else {
    for (int64_t q = q0; q < qFull; q++) {
      T* dst = bpack + q * NR * kc;
      for (int64_t k = 0; k < kc; k++) {
        const T* src = B + (pc + k) * g.brs + (jc + q * NR) * g.bcs;
        for (int j = 0; j < NR; j++) dst[k * NR + j] = src[j * g.bcs];
      }
    }
  }
  for (int64_t q = std::max(q0, qFull); q < q1; q++) {  // the last, partial panel
    const int64_t jr = q * NR;
    const int nr = (int)std::min<int64_t>(NR, nc - jr);
    T* dst = bpack + jr * kc;
    for (int64_t k = 0; k < kc; k++) {
      const T* src = B + (pc + k) * g.brs + (jc + jr) * g.bcs;
      for (int j = 0; j < nr; j++) dst[k * NR + j] = src[j * g.bcs];
      for (int j = nr; j < NR; j++) dst[k * NR + j] = 0;
    }
  }
}

template <class T> using WorkFn = void (*)(const GemmArgs&, const T*, T*, int64_t, int64_t, int64_t, int64_t, int64_t,
                                           int64_t, int64_t, bool);
template <class T> using PackBFn = void (*)(const GemmArgs&, T*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

// Products with fewer multiply-adds than this run on the calling thread (a pool wake-up costs more).
constexpr int64_t kGemmSerialWork = int64_t(1) << 21;  // ~128^3
// Products this small skip packing altogether.
constexpr int64_t kGemmSmallWork = int64_t(1) << 15;   // ~32^3

// Scratch that lives as long as its thread, so repeated products do not allocate.
template <class T> T* scratch(int which, size_t n) {
  static thread_local std::vector<T> bufs[2];
  std::vector<T>& v = bufs[which];
  const size_t pad = 64 / sizeof(T);  // cache-line aligned: a packed row of B is one line
  if (v.size() < n + pad) v.resize(n + pad);
  const uintptr_t p = reinterpret_cast<uintptr_t>(v.data());
  return reinterpret_cast<T*>((p + 63) & ~uintptr_t(63));
}

template <class F> void maybeParallel(bool serial, int64_t n, int64_t grain, const F& fn) {
  if (serial) fn(0, n);
  else parallelFor(n, grain, fn);
}

// C^T = B^T A^T: the same product with the operands' roles and strides swapped.
inline GemmArgs transposed(const GemmArgs& g) {
  return GemmArgs{g.N, g.M, g.K, g.B, g.bcs, g.brs, g.A, g.acs, g.ars, g.C, g.ccs, g.crs, g.alpha, g.beta};
}

// Packed, cache-blocked GEMM (the BLIS loop order) on one thread.
template <class T>
void gemmSerial(const GemmArgs& g, int NR, WorkFn<T> work, PackBFn<T> packB) {
  const int64_t M = g.M, N = g.N, K = g.K;
  T* bpack = scratch<T>(0, (size_t)KC * (size_t)(std::min(N, NC) + NR));
  T* apack = scratch<T>(1, (size_t)(MC + 16) * KC);
  const int64_t mBlocks = (M + MC - 1) / MC;
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    const int64_t nPanels = (nc + NR - 1) / NR;
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      packB(g, bpack, jc, nc, pc, kc, 0, nPanels);
      for (int64_t blk = 0; blk < mBlocks; blk++) work(g, bpack, apack, jc, nc, pc, kc, blk, 0, nPanels, true);
    }
  }
}

// A packed B (gemmDynamic) or A (gemmDynamicCols) of at most this many bytes is packed whole, once
// (fp32 products up to ~512^2). Larger ones keep the NC-blocked split of gemmDriver: packing 4 MB
// on the calling thread before the others start, and kc x N panels past L2, cost more than the
// dynamic claiming wins (measured at 1024^2, fp32 and fp64, 2 threads, when B was packed before the
// region). With B packed inside the region, k-block by k-block, 4 and 8 MiB limits were measured
// too (2 threads, alternating runs): fp32 1024^2 took 3-6% more CPU time than the blocked split
// (23.7-24.5 vs 24.1-25.8 ms) and no better best time (11.8-11.9 vs 12.0-12.4 ms); fp64 1024^2
// (51-53 vs 48-50 ms CPU) and fp32 2048^2 (best 101-104 vs 93 ms) were slower still. (The guided
// claims end in single 6-row pieces, each streaming all of a k-block of B from L3.)
constexpr int64_t kDynamicPackBytes = int64_t(1) << 20;

// Waits until `count` reaches `want`: spinning a little, then yielding. Only ever waits for
// threads packing pieces of B, which are running (they claimed the pieces inside the region).
inline void waitFor(const std::atomic<int64_t>& count, int64_t want) {
  for (int spins = 0; count.load(std::memory_order_acquire) < want; spins++) {
#if defined(__x86_64__)
    if (spins < 1024) _mm_pause(); else std::this_thread::yield();
#else
    std::this_thread::yield();
#endif
  }
}

// Hands out [0, units) in pieces from a shared counter: big pieces (up to maxPer) while much is
// left, then smaller ones (guided scheduling), so the threads finish together without paying for
// many small pieces. Returns false when nothing is left.
inline bool claimGuided(std::atomic<int64_t>& next, int64_t units, int64_t threads, int64_t maxPer, int64_t& lo,
                        int64_t& hi) {
  int64_t cur = next.load(std::memory_order_relaxed);
  for (;;) {
    if (cur >= units) return false;
    const int64_t take = std::min(units - cur, std::max<int64_t>(1, std::min(maxPer, (units - cur) / (2 * threads))));
    if (next.compare_exchange_weak(cur, cur + take, std::memory_order_relaxed)) {
      lo = cur;
      hi = cur + take;
      return true;
    }
  }
}

// The threaded product for a B that packs whole (products up to ~512^2 fp32). The region starts
// at once: the threads in pack B, k-block by k-block, in pieces, while the others wake up; the threads
// claim blocks of rows of C (guided: large blocks first, single micro-tile rows at the end), each
// packing its own rows of A and waiting only for the k-block of B it is about to use. A thread
// that is slow to start (asleep, or descheduled on a busy machine) just claims less, and no thread
// ever waits for one that may not be running. Each element of C is summed exactly as in gemmSerial.
template <class T>
void gemmDynamic(const GemmArgs& g, int MR, int NR, WorkFn<T> work, PackBFn<T> packB, int64_t threads) {
  const int64_t M = g.M, N = g.N, K = g.K, es = sizeof(T);
  const int64_t nPanels = (N + NR - 1) / NR, nPad = nPanels * NR;
  T* bpack = scratch<T>(0, (size_t)(K * nPad));
  const int64_t units = (M + MR - 1) / MR, maxPer = std::max<int64_t>(1, MC / MR);
  // B is packed in pieces of kPiecePanels panels, k-block by k-block, by every thread that comes in
  // while pieces are left (so a second thread that is already awake halves the packing before
  // the products can start); packed[kb] counts the panels of k-block kb that are done
  constexpr int64_t kPiecePanels = 4;
  const int64_t nkb = (K + KC - 1) / KC, perKb = (nPanels + kPiecePanels - 1) / kPiecePanels, pieces = nkb * perKb;
  std::unique_ptr<std::atomic<int64_t>[]> packed(new std::atomic<int64_t>[nkb]);
  for (int64_t kb = 0; kb < nkb; kb++) packed[kb].store(0, std::memory_order_relaxed);
  std::atomic<int64_t> next{0}, nextPiece{0};
  parallelFor(threads, 1, [&](int64_t, int64_t) {
    for (int64_t p; (p = nextPiece.fetch_add(1, std::memory_order_relaxed)) < pieces;) {
      const int64_t kb = p / perKb, q0 = p % perKb * kPiecePanels, q1 = std::min(nPanels, q0 + kPiecePanels);
      packB(g, bpack + kb * KC * nPad, 0, N, kb * KC, std::min(KC, K - kb * KC), q0, q1);
      packed[kb].fetch_add(q1 - q0, std::memory_order_release);
    }
    T* apack = nullptr;
    for (int64_t u0, u1; claimGuided(next, units, threads, maxPer, u0, u1);) {
      if (!apack) apack = scratch<T>(1, (size_t)(MC + 16) * KC);
      const int64_t lo = u0 * MR, hi = std::min(M, u1 * MR);
      GemmArgs s = g;
      s.M = hi - lo;
      s.A = static_cast<const char*>(g.A) + lo * g.ars * es;
      s.C = static_cast<char*>(g.C) + lo * g.crs * es;
      for (int64_t pc = 0; pc < K; pc += KC) {
        waitFor(packed[pc / KC], nPanels);
        work(s, bpack + pc * nPad, apack, 0, N, pc, std::min(KC, K - pc), 0, 0, nPanels, true);
      }
    }
  }, gemmPollNanos());
}

// The same for a wide C (M < N) whose A packs whole: the calling thread packs all of A once,
// then the threads claim blocks of columns (NR-wide panels), each packing its own columns of B.
template <class T>
void gemmDynamicCols(const GemmArgs& g, int MR, int NR, WorkFn<T> work, PackBFn<T> packB, int64_t threads) {
  const int64_t M = g.M, N = g.N, K = g.K;
  const int64_t mPad = (M + MR - 1) / MR * MR, mBlocks = (M + MC - 1) / MC;
  T* apack = scratch<T>(1, (size_t)(K * mPad + 16));
  for (int64_t pc = 0; pc < K; pc += KC) {
    const int64_t kc = std::min(KC, K - pc);
    for (int64_t blk = 0; blk < mBlocks; blk++)
      work(g, nullptr, apack + pc * mPad + blk * MC * kc, 0, 0, pc, kc, blk, 0, 0, true);
  }
  const int64_t units = (N + NR - 1) / NR;
  const int64_t per = std::max<int64_t>(1, std::min<int64_t>(NC / NR, units / (threads * 4)));
  const int64_t items = (units + per - 1) / per;
  std::atomic<int64_t> next{0};
  parallelFor(threads, 1, [&](int64_t, int64_t) {
    T* bpack = nullptr;
    for (int64_t it; (it = next.fetch_add(1, std::memory_order_relaxed)) < items;) {
      if (!bpack) bpack = scratch<T>(0, (size_t)KC * (size_t)(per * NR));
      const int64_t jc = it * per * NR, nc = std::min(N - jc, per * NR), nPanels = (nc + NR - 1) / NR;
      for (int64_t pc = 0; pc < K; pc += KC) {
        const int64_t kc = std::min(KC, K - pc);
        packB(g, bpack, jc, nc, pc, kc, 0, nPanels);
        for (int64_t blk = 0; blk < mBlocks; blk++)
          work(g, bpack, apack + pc * mPad + blk * MC * kc, jc, nc, pc, kc, blk, 0, nPanels, false);
      }
    }
  }, gemmPollNanos());
}

// Threads get disjoint blocks of C: rows (each packs all of B) when M is at least N, else columns
// (each packs all of A), in whole micro-tiles, with one parallel region and no barrier. Every
// element of C sees the same sums in the same order whatever the split, so the thread count
// never changes the result.
template <class T>
void gemmDriver(const GemmArgs& g, int MR, int NR, WorkFn<T> work, PackBFn<T> packB) {
  const int64_t M = g.M, N = g.N, K = g.K;
  // fewer columns than a panel (the output layer of a classifier): C^T = B^T A^T pads less
  if (N < NR && M > N) return gemmDriver<T>(transposed(g), MR, NR, work, packB);
  const int64_t threads = M * N * K < kGemmSerialWork ? 1 : getNumThreads();
  const bool byRows = M >= N;
  const int64_t unit = byRows ? MR : NR, units = ((byRows ? M : N) + unit - 1) / unit;
  const int64_t parts = std::min<int64_t>(threads, units);
  if (parts <= 1) return gemmSerial<T>(g, NR, work, packB);
  if (byRows && K * ((N + NR - 1) / NR * NR) * (int64_t)sizeof(T) <= kDynamicPackBytes) return gemmDynamic<T>(g, MR, NR, work, packB, parts);
  if (!byRows && K * ((M + MR - 1) / MR * MR) * (int64_t)sizeof(T) <= kDynamicPackBytes)
    return gemmDynamicCols<T>(g, MR, NR, work, packB, parts);
  const int64_t es = sizeof(T);
  parallelFor(parts, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t u0 = units * t / parts, u1 = units * (t + 1) / parts;
      const int64_t lo = u0 * unit, hi = std::min(byRows ? M : N, u1 * unit);
      if (hi <= lo) continue;
      GemmArgs s = g;
      if (byRows) {
        s.M = hi - lo;
        s.A = static_cast<const char*>(g.A) + lo * g.ars * es;
        s.C = static_cast<char*>(g.C) + lo * g.crs * es;
      } else {
        s.N = hi - lo;
        s.B = static_cast<const char*>(g.B) + lo * g.bcs * es;
        s.C = static_cast<char*>(g.C) + lo * g.ccs * es;
      }
      gemmSerial<T>(s, NR, work, packB);
    }
  }, gemmPollNanos());
}


template <class T> inline void storeC(T* d, T v, T alpha, T beta) {
  *d = (beta == T(0) ? T(0) : beta * *d) + alpha * v;
}

// Dot product of a contiguous x with y (stride ys) using W-lane vector accumulators.
template <class T, int W>
inline __attribute__((always_inline)) T dotKernel(int64_t K, const T* __restrict x, const T* __restrict y) {
  using V = typename VecOf<T, W>::type;
  V a0{}, a1{}, a2{}, a3{};
  int64_t k = 0;
  for (; k + 4 * W <= K; k += 4 * W) {
    V x0, x1, x2, x3, y0, y1, y2, y3;
    __builtin_memcpy(&x0, x + k, sizeof(V)); __builtin_memcpy(&y0, y + k, sizeof(V));
    __builtin_memcpy(&x1, x + k + W, sizeof(V)); __builtin_memcpy(&y1, y + k + W, sizeof(V));
    __builtin_memcpy(&x2, x + k + 2 * W, sizeof(V)); __builtin_memcpy(&y2, y + k + 2 * W, sizeof(V));
    __builtin_memcpy(&x3, x + k + 3 * W, sizeof(V)); __builtin_memcpy(&y3, y + k + 3 * W, sizeof(V));
    a0 += x0 * y0; a1 += x1 * y1; a2 += x2 * y2; a3 += x3 * y3;
  }
  for (; k + W <= K; k += W) {
    V x0, y0;
    __builtin_memcpy(&x0, x + k, sizeof(V)); __builtin_memcpy(&y0, y + k, sizeof(V));
    a0 += x0 * y0;
  }
  V s = (a0 + a1) + (a2 + a3);
  T r = 0;
  for (int i = 0; i < W; i++) r += s[i];
  for (; k < K; k++) r += x[k] * y[k];
  return r;
}

// R rows of A (row stride ars, contiguous along k) dotted with x at once: R read streams share
// each load of x. Every row is summed the same way (2 vector accumulators, then the lanes in
// order, then the scalar tail) whatever R, so grouping rows never changes a result.
template <class T, int W, int R>
inline __attribute__((always_inline)) void rowDots(int64_t K, const T* a, int64_t ars, const T* __restrict x, T* c,
                                                   int64_t crs, T alpha, T beta) {
  using V = typename VecOf<T, W>::type;
  V acc[R][2];
  for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = V{};
  int64_t k = 0;
  for (; k + 2 * W <= K; k += 2 * W) {
    V x0, x1;
    __builtin_memcpy(&x0, x + k, sizeof(V));
    __builtin_memcpy(&x1, x + k + W, sizeof(V));
    for (int r = 0; r < R; r++) {
      V a0, a1;
      __builtin_memcpy(&a0, a + r * ars + k, sizeof(V));
      __builtin_memcpy(&a1, a + r * ars + k + W, sizeof(V));
      acc[r][0] += a0 * x0;
      acc[r][1] += a1 * x1;
    }
  }
  for (; k + W <= K; k += W) {
    V x0;
    __builtin_memcpy(&x0, x + k, sizeof(V));
    for (int r = 0; r < R; r++) {
      V a0;
      __builtin_memcpy(&a0, a + r * ars + k, sizeof(V));
      acc[r][0] += a0 * x0;
    }
  }
  for (int r = 0; r < R; r++) {
    const V v = acc[r][0] + acc[r][1];
    T s = 0;
    for (int l = 0; l < W; l++) s += v[l];
    for (int64_t kk = k; kk < K; kk++) s += a[r * ars + kk] * x[kk];
    storeC(c + r * crs, s, alpha, beta);
  }
}

// Rows [i0, i1) of a matrix-vector product with contiguous x: one dot product per row (rows of A
// contiguous, or gathered into `row`), or column updates into `acc` (columns of A contiguous).
template <class T, int W>
inline __attribute__((always_inline)) void gemvRows(const GemmArgs& g, const T* x, int64_t i0, int64_t i1, T* row,
                                                    T* acc) {
  const int64_t K = g.K;
  const T* A = static_cast<const T*>(g.A);
  T* C = static_cast<T*>(g.C);
  const T alpha = (T)g.alpha, beta = (T)g.beta;
  if (g.acs == 1) {
    int64_t i = i0;
    for (; i + 4 <= i1; i += 4) rowDots<T, W, 4>(K, A + i * g.ars, g.ars, x, C + i * g.crs, g.crs, alpha, beta);
    for (; i < i1; i++) rowDots<T, W, 1>(K, A + i * g.ars, g.ars, x, C + i * g.crs, g.crs, alpha, beta);
  } else if (g.ars != 1) {
    for (int64_t i = i0; i < i1; i++) {
      const T* a = A + i * g.ars;
      for (int64_t k = 0; k < K; k++) row[k] = a[k * g.acs];
      rowDots<T, W, 1>(K, row, 0, x, C + i * g.crs, g.crs, alpha, beta);
    }
  } else {
    const int64_t m = i1 - i0;
    for (int64_t i = 0; i < m; i++) acc[i] = 0;
    for (int64_t k = 0; k < K; k++) {
      const T* a = A + i0 + k * g.acs;
      const T xk = x[k];
      for (int64_t i = 0; i < m; i++) acc[i] += a[i] * xk;
    }
    for (int64_t i = 0; i < m; i++) storeC(C + (i0 + i) * g.crs, acc[i], alpha, beta);
  }
}

template <class T> using GemvRowsFn = void (*)(const GemmArgs&, const T*, int64_t, int64_t, T*, T*);

// Matrix-vector product (N == 1): y[M] = beta*y + alpha*A[M,K] x[K], no packing; threads over rows.
template <class T>
void gemvDriver(const GemmArgs& g, GemvRowsFn<T> rows) {
  const int64_t M = g.M, K = g.K;
  const T* B = static_cast<const T*>(g.B);
  const bool serial = M * K < (int64_t(1) << 17);
  const T* x = B;
  if (g.brs != 1) {  // gather x once
    T* t = scratch<T>(0, (size_t)K);
    for (int64_t k = 0; k < K; k++) t[k] = B[k * g.brs];
    x = t;
  }
  const bool byRows = g.acs == 1 || g.ars != 1;
  maybeParallel(serial, M, byRows ? 64 : 256, [&](int64_t i0, int64_t i1) {
    T* buf = byRows ? (g.acs == 1 ? nullptr : scratch<T>(1, (size_t)K)) : scratch<T>(1, (size_t)(i1 - i0));
    rows(g, x, i0, i1, byRows ? buf : nullptr, byRows ? nullptr : buf);
  });
}

// One row of C, columns [j, j + NV*W), held in NV vector registers over all of K (rows of B contiguous).
template <class T, int W, int NV>
inline __attribute__((always_inline)) void smallRowBlock(const GemmArgs& g, int64_t i, int64_t j, T alpha, T beta) {
  using V = typename VecOf<T, W>::type;
  const T* A = static_cast<const T*>(g.A);
  const T* B = static_cast<const T*>(g.B);
  T* C = static_cast<T*>(g.C);
  V acc[NV];
  for (int v = 0; v < NV; v++) acc[v] = V{};
  for (int64_t k = 0; k < g.K; k++) {
    const T a = A[i * g.ars + k * g.acs];
    const T* b = B + k * g.brs + j;
    for (int v = 0; v < NV; v++) {
      V bv;
      __builtin_memcpy(&bv, b + v * W, sizeof(V));
      acc[v] += a * bv;
    }
  }
  T tile[NV * W];
  __builtin_memcpy(tile, acc, sizeof(tile));
  for (int l = 0; l < NV * W; l++) storeC(C + i * g.crs + (j + l) * g.ccs, tile[l], alpha, beta);
}

// Small products without packing, on the calling thread. Needs g.bcs == 1 (rows of B and of the
// accumulator contiguous) or rows of A and columns of B contiguous (dot products).
template <class T, int W>
inline __attribute__((always_inline)) void gemmSmallImpl(const GemmArgs& g) {
  const T* A = static_cast<const T*>(g.A);
  const T* B = static_cast<const T*>(g.B);
  T* C = static_cast<T*>(g.C);
  const T alpha = (T)g.alpha, beta = (T)g.beta;
  if (g.bcs == 1) {
    for (int64_t i = 0; i < g.M; i++) {
      int64_t j = 0;
      for (; j + 4 * W <= g.N; j += 4 * W) smallRowBlock<T, W, 4>(g, i, j, alpha, beta);
      for (; j + W <= g.N; j += W) smallRowBlock<T, W, 1>(g, i, j, alpha, beta);
      for (; j < g.N; j++) {
        T acc = 0;
        for (int64_t k = 0; k < g.K; k++) acc += A[i * g.ars + k * g.acs] * B[k * g.brs + j];
        storeC(C + i * g.crs + j * g.ccs, acc, alpha, beta);
      }
    }
  } else {  // g.acs == 1 && g.brs == 1
    for (int64_t i = 0; i < g.M; i++)
      for (int64_t j = 0; j < g.N; j++)
        storeC(C + i * g.crs + j * g.ccs, dotKernel<T, W>(g.K, A + i * g.ars, B + j * g.bcs), alpha, beta);
  }
}

#define TT_GEMM_VARIANT(NAME, TARGET, T, MR, NV, W)                                                             \
  __attribute__((target(TARGET))) void NAME##Work(const GemmArgs& g, const T* bp, T* ap, int64_t jc, int64_t nc, \
                                                  int64_t pc, int64_t kc, int64_t blk, int64_t p0, int64_t p1,   \
                                                  bool packA) {                                                 \
    gemmWork<T, MR, NV, W>(g, bp, ap, jc, nc, pc, kc, blk, p0, p1, packA);                                     \
  }                                                                                                             \
  __attribute__((target(TARGET))) void NAME##GemvRows(const GemmArgs& g, const T* x, int64_t i0, int64_t i1,    \
                                                      T* row, T* acc) {                                        \
    gemvRows<T, W>(g, x, i0, i1, row, acc);                                                                     \
  }                                                                                                             \
  void NAME##Gemv(const GemmArgs& g) { gemvDriver<T>(g, &NAME##GemvRows); }                                    \
  __attribute__((target(TARGET))) void NAME##Small(const GemmArgs& g) { gemmSmallImpl<T, W>(g); }             \
  __attribute__((target(TARGET))) void NAME##PackB(const GemmArgs& g, T* bp, int64_t jc, int64_t nc, int64_t pc, \
                                                   int64_t kc, int64_t q0, int64_t q1) {                        \
    packB<T, NV * W>(g, bp, jc, nc, pc, kc, q0, q1);                                                            \
  }                                                                                                             \
  void NAME(const GemmArgs& g) { gemmDriver<T>(g, MR, NV * W, &NAME##Work, &NAME##PackB); }

#if defined(__x86_64__)
// register tiles: AVX-512 has 32 vector registers, AVX2 16, SSE2 16
TT_GEMM_VARIANT(sgemmAvx512, "avx512f,avx512vl,avx2,fma", float, 12, 2, 16)
TT_GEMM_VARIANT(dgemmAvx512, "avx512f,avx512vl,avx2,fma", double, 12, 2, 8)
TT_GEMM_VARIANT(sgemmAvx2, "avx2,fma", float, 6, 2, 8)
TT_GEMM_VARIANT(dgemmAvx2, "avx2,fma", double, 6, 2, 4)
#endif
TT_GEMM_VARIANT(sgemmBase, "default", float, 4, 2, 4)
TT_GEMM_VARIANT(dgemmBase, "default", double, 4, 2, 2)

enum class Isa { Base, Avx2, Avx512 };
Isa detectIsa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Base;
}
const Isa kIsa = detectIsa();

#if defined(__x86_64__)
// Products with fewer multiply-adds than this, and B of at most kNoPackB floats, run on the
// unpacked fp32 kernel of gemm_small.h. Measured on the AVX2 VM, one thread, CPU time: 2.6x the
// packed kernel on 16^3 products, 1.2x on 64^3, 1.06x at 128^3, 1.1x on LeNet's fc1 shapes
// (64x120x400 and its gradients), 0.93x at 192^3, 0.87x at 256^3.
constexpr int64_t kNoPackWork = int64_t(1) << 22;
constexpr int64_t kNoPackB = int64_t(1) << 16;

bool useNoPack(const GemmArgs& g) {
  // with AVX-512 the packed kernel is twice as wide: there only the tiny products, where packing
  // costs most (not measured: no AVX-512 machine was at hand)
  if (g.M * g.N * g.K >= (kIsa == Isa::Avx512 ? kGemmSmallWork : kNoPackWork) || g.K * g.N > kNoPackB) return false;
  // B would have to be copied (its rows and A's columns both strided): only worth it for enough rows
  return g.bcs == 1 || g.ars == 1 || g.M >= 16;
}

// t[k][j] = B[k][j] (t row-major K x N) for a column-major B (column stride bcs): 8x8 blocks
// through in-register transposes, the edges one by one.
__attribute__((target("avx2,fma"))) void copyTransposedAvx2(const float* B, int64_t bcs, int64_t K, int64_t N,
                                                             float* t) {
  const int64_t K8 = K & ~int64_t(7), N8 = N & ~int64_t(7);
  for (int64_t j0 = 0; j0 < N8; j0 += 8) {
    for (int64_t k0 = 0; k0 < K8; k0 += 8) {
      __m256 r[8];
      for (int jj = 0; jj < 8; jj++) r[jj] = _mm256_loadu_ps(B + (j0 + jj) * bcs + k0);
      transpose8x8(r);
      for (int kk = 0; kk < 8; kk++) _mm256_storeu_ps(t + (k0 + kk) * N + j0, r[kk]);
    }
    for (int64_t k = K8; k < K; k++)
      for (int64_t j = j0; j < j0 + 8; j++) t[k * N + j] = B[j * bcs + k];
  }
  for (int64_t j = N8; j < N; j++)
    for (int64_t k = 0; k < K; k++) t[k * N + j] = B[j * bcs + k];
}

// The unpacked fp32 product: B's rows must be contiguous, so the product is transposed
// (C^T = B^T A^T) when A's columns are, and B is copied row-major otherwise.
void sgemmNoPack(const GemmArgs& g0) {
  GemmArgs g = g0;
  if (g.bcs != 1) {
    if (g.ars == 1) g = transposed(g0);
    else {
      float* t = scratch<float>(0, (size_t)(g.K * g.N));
      const float* B = static_cast<const float*>(g.B);
      if (g.brs == 1) copyTransposedAvx2(B, g.bcs, g.K, g.N, t);
      else
        for (int64_t k = 0; k < g.K; k++)
          for (int64_t j = 0; j < g.N; j++) t[k * g.N + j] = B[k * g.brs + j * g.bcs];
      g.B = t;
      g.brs = g.N;
      g.bcs = 1;
    }
  }
  const float* A = static_cast<const float*>(g.A);
  const float* B = static_cast<const float*>(g.B);
  float* C = static_cast<float*>(g.C);
  const float alpha = (float)g.alpha, beta = (float)g.beta;
  const int64_t M = g.M, N = g.N;
  const int64_t threads = M * N * g.K < kGemmSerialWork ? 1 : getNumThreads();
  // threads claim blocks of whole 6-row strips (or of 16-column panels when C is wide), a few per
  // thread, from a shared counter: a late thread takes fewer, and the split changes no sum
  const bool byRows = M >= N || (M + 5) / 6 >= threads * 4 || (N + 15) / 16 < threads;
  const int64_t unit = byRows ? 6 : 16, units = ((byRows ? M : N) + unit - 1) / unit;
  const int64_t per = std::max<int64_t>(1, units / (threads * 4)), items = (units + per - 1) / per;
  auto run = [&](int64_t it) {
    const int64_t lo = it * per * unit, hi = std::min(byRows ? M : N, lo + per * unit);
    if (byRows)
      gemm_small::sgemmRows(lo, hi, N, g.K, KC, A, g.ars, g.acs, B, g.brs, C, g.crs, g.ccs, alpha, beta);
    else
      gemm_small::sgemmRows(0, M, hi - lo, g.K, KC, A, g.ars, g.acs, B + lo, g.brs, C + lo * g.ccs, g.crs, g.ccs,
                            alpha, beta);
  };
  if (threads <= 1 || items <= 1) {
    gemm_small::sgemmRows(0, M, N, g.K, KC, A, g.ars, g.acs, B, g.brs, C, g.crs, g.ccs, alpha, beta);
    return;
  }
  std::atomic<int64_t> next{0};
  parallelFor(std::min<int64_t>(threads, items), 1, [&](int64_t, int64_t) {
    for (int64_t it; (it = next.fetch_add(1, std::memory_order_relaxed)) < items;) run(it);
  }, gemmPollNanos());
}
#endif

// One product: the matrix-vector, small and packed paths, then the instruction set.
template <class T>
void gemm(const GemmArgs& g0) {
  constexpr bool isF = std::is_same<T, float>::value;
  if (g0.M == 0 || g0.N == 0) return;
  if (g0.K == 0) {
    T* C = static_cast<T*>(g0.C);
    for (int64_t i = 0; i < g0.M; i++)
      for (int64_t j = 0; j < g0.N; j++) {
        T& d = C[i * g0.crs + j * g0.ccs];
        d = g0.beta == 0 ? T(0) : (T)g0.beta * d;
      }
    return;
  }
#if defined(__x86_64__)
  // x @ W^T with both operands contiguous along k (nn.Linear): dot products, no packing (gemm_nt.h)
  if (isF && kIsa != Isa::Base && g0.N != 1 && gemm_nt::applies(g0.N, g0.K, g0.acs, g0.brs))
    return gemm_nt::sgemmNT(g0.M, g0.N, g0.K, static_cast<const float*>(g0.A), g0.ars, static_cast<const float*>(g0.B),
                            g0.bcs, static_cast<float*>(g0.C), g0.crs, g0.ccs, (float)g0.alpha, (float)g0.beta,
                            getNumThreads());
#endif
  // a row vector times a matrix is the transposed matrix-vector product
  const GemmArgs g = g0.N == 1 || g0.M != 1 ? g0 : transposed(g0);
  const int path = g.N == 1 ? 1
                 : g.M * g.N * g.K < kGemmSmallWork && (g.bcs == 1 || (g.acs == 1 && g.brs == 1)) ? 2
                 : 0;
#if defined(__x86_64__)
  if (isF && kIsa != Isa::Base && path != 1 && useNoPack(g)) return sgemmNoPack(g);
#endif
  // small with B read by columns but A by rows: C^T = B^T A^T has contiguous rows of B
  const bool swapSmall = path == 0 && g.M * g.N * g.K < kGemmSmallWork && g.ars == 1;
#define TT_GEMM_PICK(S, D)                                                             \
  do {                                                                                  \
    if (path == 1) return isF ? S##Gemv(g) : D##Gemv(g);                                \
    if (path == 2) return isF ? S##Small(g) : D##Small(g);                              \
    if (swapSmall) return isF ? S##Small(transposed(g)) : D##Small(transposed(g));      \
    return isF ? S(g) : D(g);                                                           \
  } while (0)
#if defined(__x86_64__)
  if (kIsa == Isa::Avx512) TT_GEMM_PICK(sgemmAvx512, dgemmAvx512);
  if (kIsa == Isa::Avx2) TT_GEMM_PICK(sgemmAvx2, dgemmAvx2);
#endif
  TT_GEMM_PICK(sgemmBase, dgemmBase);
#undef TT_GEMM_PICK
}

template <class T>
void gemmInt(int64_t M, int64_t N, int64_t K, const T* A, int64_t ars, int64_t acs, const T* B, int64_t brs,
             int64_t bcs, T* C, int64_t crs, int64_t ccs, double alpha, double beta) {
  parallelFor(M, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, N * K)), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++)
      for (int64_t j = 0; j < N; j++) {
        int64_t acc = 0;
        for (int64_t k = 0; k < K; k++) acc += (int64_t)A[i * ars + k * acs] * (int64_t)B[k * brs + j * bcs];
        T& d = C[i * crs + j * ccs];
        d = (T)((beta == 0 ? 0 : (int64_t)beta * (int64_t)d) + (int64_t)alpha * acc);
      }
  });
}

// matmul(buffers [C, A, B], meta) with meta =
// [dtype, batch, M, N, K, (offset, batchStride, rowStride, colStride) for C, A, B, alpha, beta]
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  size_t n;
  const double* m = f64Data(info[1], &n);
  if (n < 19) throw std::runtime_error("matmul: truncated descriptor");
  Napi::Array bufs = info[0].As<Napi::Array>();
  const int dt = (int)m[0];
  const int64_t batch = (int64_t)m[1], M = (int64_t)m[2], N = (int64_t)m[3], K = (int64_t)m[4];
  const int64_t es = elementSize(dt);
  MatDesc d[3];
  for (int k = 0; k < 3; k++) {
    const double* q = m + 5 + 4 * k;
    d[k] = {bufferData(bufs.Get(k)) + (int64_t)q[0] * es, (int64_t)q[1], (int64_t)q[2], (int64_t)q[3]};
  }
  const double alpha = m[17], beta = m[18];
  // Small matrices, or as many as there are threads: split the batch over the threads (the
  // products inside then run serially, a nested region being serial); otherwise one threaded
  // product after another.
  const int threads = getNumThreads();
  const int64_t work = std::max<int64_t>(1, M * N * K);
  const bool overBatch = batch > 1 && (work < kGemmSerialWork || batch % threads == 0);
  // the threads claim `per` products at a time (about 2^18 multiply-adds) from a shared counter,
  // so a thread that starts late takes fewer and holds up nothing; tiny batches stay serial
  const int64_t per = std::max<int64_t>(1, (int64_t(1) << 18) / work);
  const int64_t items = (batch + per - 1) / per;
  const bool threaded = overBatch && threads > 1 && items > 1 && batch * work >= (int64_t(1) << 19);
  auto one = [&](int64_t b) {
    switch (dt) {
      case kFloat32:
      case kFloat64: {
        const int64_t es = dt == kFloat32 ? 4 : 8;
        auto P = [&](int k) { return d[k].base + b * d[k].batchStride * es; };
        GemmArgs g{M, N, K, P(1), d[1].rs, d[1].cs, P(2), d[2].rs, d[2].cs, P(0), d[0].rs, d[0].cs, alpha, beta};
        if (dt == kFloat32) gemm<float>(g); else gemm<double>(g);
        break;
      }
      default:
        TT_DISPATCH_INT(dt, "matmul", {
          auto P = [&](int k) { return reinterpret_cast<T*>(d[k].base) + b * d[k].batchStride; };
          gemmInt<T>(M, N, K, P(1), d[1].rs, d[1].cs, P(2), d[2].rs, d[2].cs, P(0), d[0].rs, d[0].cs, alpha, beta);
        })
    }
  };
  if (threaded) {
    std::atomic<int64_t> next{0};
    parallelFor(std::min<int64_t>(threads, items), 1, [&](int64_t, int64_t) {
      for (;;) {
        const int64_t it = next.fetch_add(1, std::memory_order_relaxed);
        if (it >= items) break;
        for (int64_t b = it * per, e = std::min(batch, b + per); b < e; b++) one(b);
      }
    }, gemmPollNanos());
  } else {
    for (int64_t b = 0; b < batch; b++) one(b);
  }
  return info.Env().Undefined();
}

}  // namespace

void registerMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
}

}  // namespace tt

namespace tt {

// The GEMM above for other native kernels (conv): C = beta*C + alpha*A@B on float32/float64,
// strides in elements. Threads internally, so call it from the calling thread only.
void gemmStrided(int dtype, int64_t M, int64_t N, int64_t K, const void* A, int64_t ars, int64_t acs, const void* B,
                 int64_t brs, int64_t bcs, void* C, int64_t crs, int64_t ccs, double alpha, double beta) {
  GemmArgs g{M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta};
  if (dtype == kFloat32) gemm<float>(g);
  else if (dtype == kFloat64) gemm<double>(g);
  else throw std::runtime_error("gemmStrided: float32 or float64 only");
}

}  // namespace tt
