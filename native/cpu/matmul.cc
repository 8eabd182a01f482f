// SPDX-License-Identifier: BSD-3-Clause
// Batched strided GEMM: C = beta*C + alpha*A@B for every batch, with any row/column strides
// (so transposed operands never need a copy). Float types use a packed, cache-blocked kernel
// with a register-tiled micro-kernel compiled per instruction set and chosen at run time;
// integer types use a plain loop with int64 accumulation.
#include <algorithm>
#include <cstring>
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
  for (int64_t k = 0; k < kc; k++) {
    V bv[NV];
    for (int j = 0; j < NV; j++) __builtin_memcpy(&bv[j], b + k * NR + j * W, sizeof(V));
    const T* ak = a + k * MR;
    for (int i = 0; i < MR; i++) {
      const T av = ak[i];
      for (int j = 0; j < NV; j++) acc[i][j] += av * bv[j];
    }
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
  if (packA) {
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

// Packed, cache-blocked GEMM (the BLIS loop order). Work items are (MC block of rows, slice of
// the NC panel), so small M still uses every thread.
template <class T>
void gemmDriver(const GemmArgs& g, int MR, int NR, WorkFn<T> work) {
  const int64_t M = g.M, N = g.N, K = g.K;
  const T* B = static_cast<const T*>(g.B);
  T* C = static_cast<T*>(g.C);
  if (K == 0) {
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        T& d = C[i * g.crs + j * g.ccs];
        d = g.beta == 0 ? T(0) : (T)g.beta * d;
      }
    return;
  }
  std::vector<T> bpack((size_t)KC * (size_t)(std::min(N, NC) + NR));
  const int64_t mBlocks = (M + MC - 1) / MC;
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    const int64_t nPanels = (nc + NR - 1) / NR;
    const int64_t nSplit = std::min<int64_t>(nPanels, mBlocks >= 2 * getNumThreads() ? 1 : getNumThreads());
    const int64_t perSplit = (nPanels + nSplit - 1) / nSplit;
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      // pack B[pc:pc+kc, jc:jc+nc] into NR-wide panels, zero-padded
      parallelFor(nPanels, 16, [&](int64_t q0, int64_t q1) {
        for (int64_t q = q0; q < q1; q++) {
          const int64_t jr = q * NR;
          const int nr = (int)std::min<int64_t>(NR, nc - jr);
          T* dst = bpack.data() + jr * kc;
          for (int64_t k = 0; k < kc; k++) {
            const T* src = B + (pc + k) * g.brs + (jc + jr) * g.bcs;
            for (int j = 0; j < nr; j++) dst[k * NR + j] = src[j * g.bcs];
            for (int j = nr; j < NR; j++) dst[k * NR + j] = 0;
          }
        }
      });
      parallelFor(mBlocks * nSplit, 1, [&](int64_t w0, int64_t w1) {
        std::vector<T> apack((size_t)(MC + MR) * KC);
        int64_t packed = -1;
        for (int64_t w = w0; w < w1; w++) {
          const int64_t blk = w / nSplit, split = w % nSplit;
          work(g, bpack.data(), apack.data(), jc, nc, pc, kc, blk, split * perSplit,
               std::min(nPanels, (split + 1) * perSplit), packed != blk);
          packed = blk;
        }
      });
    }
  }
}

#define TT_GEMM_VARIANT(NAME, TARGET, T, MR, NV, W)                                                             \
  __attribute__((target(TARGET))) void NAME##Work(const GemmArgs& g, const T* bp, T* ap, int64_t jc, int64_t nc, \
                                                  int64_t pc, int64_t kc, int64_t blk, int64_t p0, int64_t p1,   \
                                                  bool packA) {                                                 \
    gemmWork<T, MR, NV, W>(g, bp, ap, jc, nc, pc, kc, blk, p0, p1, packA);                                     \
  }                                                                                                             \
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

template <class T>
void gemm(const GemmArgs& g) {
  constexpr bool isF = std::is_same<T, float>::value;
#if defined(__x86_64__)
  if (kIsa == Isa::Avx512) return isF ? sgemmAvx512(g) : dgemmAvx512(g);
  if (kIsa == Isa::Avx2) return isF ? sgemmAvx2(g) : dgemmAvx2(g);
#endif
  return isF ? sgemmBase(g) : dgemmBase(g);
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
  for (int64_t b = 0; b < batch; b++) {
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
