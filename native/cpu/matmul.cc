// SPDX-License-Identifier: BSD-3-Clause
// Batched strided GEMM: C = beta*C + alpha*A@B for every batch, with any row/column strides
// (so transposed operands never need a copy). Float types use a packed, cache-blocked kernel
// with a register-tiled micro-kernel compiled per instruction set and chosen at run time;
// integer types use a plain loop with int64 accumulation.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

struct MatDesc {
  char* base;
  int64_t batchStride, rs, cs;  // in elements
};

constexpr int64_t KC = 256, MC = 96, NC = 2048;

// A vector of W lanes of T (GCC vector extensions: compiled to zmm/ymm/xmm by each variant).
template <class T, int W> struct VecOf { typedef T type __attribute__((vector_size(W * sizeof(T)))); };

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
      for (int i = 0; i < mr; i++) {
        const T* src = A + (ic + ir + i) * g.ars + pc;
        for (int64_t k = 0; k < kc; k++) dst[k * MR + i] = src[k];
      }
      for (int i = mr; i < MR; i++)
        for (int64_t k = 0; k < kc; k++) dst[k * MR + i] = 0;
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

template <class T> using WorkFn = void (*)(const GemmArgs&, const T*, T*, int64_t, int64_t, int64_t, int64_t, int64_t,
                                           int64_t, int64_t, bool);

// Products with fewer multiply-adds than this run on the calling thread (a pool wake-up costs more).
constexpr int64_t kGemmSerialWork = int64_t(1) << 21;  // ~128^3
// Products this small skip packing altogether.
constexpr int64_t kGemmSmallWork = int64_t(1) << 15;   // ~32^3

// Scratch that lives as long as its thread, so repeated products do not allocate.
template <class T> T* scratch(int which, size_t n) {
  static thread_local std::vector<T> bufs[2];
  std::vector<T>& v = bufs[which];
  if (v.size() < n) v.resize(n);
  return v.data();
}

template <class F> void maybeParallel(bool serial, int64_t n, int64_t grain, const F& fn) {
  if (serial) fn(0, n);
  else parallelFor(n, grain, fn);
}

// Packed, cache-blocked GEMM (the BLIS loop order). Work items are (MC block of rows, slice of
// the NC panel), so small M still uses every thread.
template <class T>
void gemmDriver(const GemmArgs& g, int MR, int NR, WorkFn<T> work) {
  const int64_t M = g.M, N = g.N, K = g.K;
  const T* B = static_cast<const T*>(g.B);
  const bool serial = M * N * K < kGemmSerialWork || getNumThreads() <= 1;
  T* bpack = scratch<T>(0, (size_t)KC * (size_t)(std::min(N, NC) + NR));
  const int64_t mBlocks = (M + MC - 1) / MC;
  const int64_t threads = serial ? 1 : getNumThreads();
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    const int64_t nPanels = (nc + NR - 1) / NR;
    const int64_t nSplit = std::min<int64_t>(nPanels, mBlocks >= 2 * threads ? 1 : threads);
    const int64_t perSplit = (nPanels + nSplit - 1) / nSplit;
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      // pack B[pc:pc+kc, jc:jc+nc] into NR-wide panels, zero-padded
      maybeParallel(serial, nPanels, 16, [&](int64_t q0, int64_t q1) {
        for (int64_t q = q0; q < q1; q++) {
          const int64_t jr = q * NR;
          const int nr = (int)std::min<int64_t>(NR, nc - jr);
          T* dst = bpack + jr * kc;
          if (g.bcs == 1 && nr == NR) {
            for (int64_t k = 0; k < kc; k++) std::memcpy(dst + k * NR, B + (pc + k) * g.brs + jc + jr, NR * sizeof(T));
          } else if (g.brs == 1) {  // columns of B contiguous: read along k
            for (int j = 0; j < NR; j++) {
              if (j < nr) {
                const T* src = B + pc + (jc + jr + j) * g.bcs;
                for (int64_t k = 0; k < kc; k++) dst[k * NR + j] = src[k];
              } else {
                for (int64_t k = 0; k < kc; k++) dst[k * NR + j] = 0;
              }
            }
          } else {
            for (int64_t k = 0; k < kc; k++) {
              const T* src = B + (pc + k) * g.brs + (jc + jr) * g.bcs;
              for (int j = 0; j < nr; j++) dst[k * NR + j] = src[j * g.bcs];
              for (int j = nr; j < NR; j++) dst[k * NR + j] = 0;
            }
          }
        }
      });
      maybeParallel(serial, mBlocks * nSplit, 1, [&](int64_t w0, int64_t w1) {
        T* apack = scratch<T>(1, (size_t)(MC + MR) * KC);
        int64_t packed = -1;
        for (int64_t w = w0; w < w1; w++) {
          const int64_t blk = w / nSplit, split = w % nSplit;
          work(g, bpack, apack, jc, nc, pc, kc, blk, split * perSplit,
               std::min(nPanels, (split + 1) * perSplit), packed != blk);
          packed = blk;
        }
      });
    }
  }
}

// C^T = B^T A^T: the same product with the operands' roles and strides swapped.
inline GemmArgs transposed(const GemmArgs& g) {
  return GemmArgs{g.N, g.M, g.K, g.B, g.bcs, g.brs, g.A, g.acs, g.ars, g.C, g.ccs, g.crs, g.alpha, g.beta};
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

// Rows [i0, i1) of a matrix-vector product with contiguous x: one dot product per row (rows of A
// contiguous, or gathered into `row`), or column updates into `acc` (columns of A contiguous).
template <class T, int W>
inline __attribute__((always_inline)) void gemvRows(const GemmArgs& g, const T* x, int64_t i0, int64_t i1, T* row,
                                                    T* acc) {
  const int64_t K = g.K;
  const T* A = static_cast<const T*>(g.A);
  T* C = static_cast<T*>(g.C);
  const T alpha = (T)g.alpha, beta = (T)g.beta;
  if (g.acs == 1 || g.ars != 1) {
    for (int64_t i = i0; i < i1; i++) {
      const T* a = A + i * g.ars;
      if (g.acs != 1) {
        for (int64_t k = 0; k < K; k++) row[k] = a[k * g.acs];
        a = row;
      }
      storeC(C + i * g.crs, dotKernel<T, W>(K, a, x), alpha, beta);
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
  void NAME(const GemmArgs& g) { gemmDriver<T>(g, MR, NV * W, &NAME##Work); }

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
  // a row vector times a matrix is the transposed matrix-vector product
  const GemmArgs g = g0.N == 1 || g0.M != 1 ? g0 : transposed(g0);
  const int path = g.N == 1 ? 1
                 : g.M * g.N * g.K < kGemmSmallWork && (g.bcs == 1 || (g.acs == 1 && g.brs == 1)) ? 2
                 : 0;
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
  // products inside then run serially); otherwise one threaded product after another.
  const int threads = getNumThreads();
  const bool overBatch = batch > 1 && (M * N * K < kGemmSerialWork || batch % threads == 0);
  const int64_t grain = std::max<int64_t>(1, kGemmSerialWork / std::max<int64_t>(1, M * N * K));
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
  if (overBatch) {
    parallelFor(batch, grain, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; b++) one(b);
    });
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
