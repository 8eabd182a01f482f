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

// acc[MR][NR] += packedA(MR x kc) * packedB(kc x NR); then C = beta*C + alpha*acc.
template <class T, int MR, int NR>
inline __attribute__((always_inline)) void microKernel(int64_t kc, const T* __restrict a, const T* __restrict b,
                                                       T* c, int64_t rs, int64_t cs, T alpha, T beta, int mr, int nr,
                                                       bool firstK) {
  T acc[MR][NR];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NR; j++) acc[i][j] = 0;
  for (int64_t k = 0; k < kc; k++) {
    const T* bk = b + k * NR;
    const T* ak = a + k * MR;
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      const T av = ak[i];
#pragma GCC unroll 32
      for (int j = 0; j < NR; j++) acc[i][j] += av * bk[j];
    }
  }
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) {
      T& dst = c[i * rs + j * cs];
      if (firstK) dst = (beta == T(0) ? T(0) : beta * dst) + alpha * acc[i][j];
      else dst += alpha * acc[i][j];
    }
}

template <class T, int MR, int NR>
inline __attribute__((always_inline)) void gemmBody(int64_t M, int64_t N, int64_t K, const T* A, int64_t ars,
                                                    int64_t acs, const T* B, int64_t brs, int64_t bcs, T* C,
                                                    int64_t crs, int64_t ccs, T alpha, T beta) {
  if (K == 0) {
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        T& d = C[i * crs + j * ccs];
        d = beta == T(0) ? T(0) : beta * d;
      }
    return;
  }
  std::vector<T> bpack((size_t)KC * (size_t)(std::min(N, NC) + NR));
  const int64_t mBlocks = (M + MC - 1) / MC;
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      // pack B[pc:pc+kc, jc:jc+nc] into NR-wide panels, zero-padded
      T* bp = bpack.data();
      for (int64_t jr = 0; jr < nc; jr += NR) {
        const int nr = (int)std::min<int64_t>(NR, nc - jr);
        for (int64_t k = 0; k < kc; k++) {
          const T* src = B + (pc + k) * brs + (jc + jr) * bcs;
          T* dst = bp + jr * kc + k * NR;
          for (int j = 0; j < nr; j++) dst[j] = src[j * bcs];
          for (int j = nr; j < NR; j++) dst[j] = 0;
        }
      }
      parallelFor(mBlocks, 1, [&](int64_t b0, int64_t b1) {
        std::vector<T> apack((size_t)(MC + MR) * KC);
        for (int64_t blk = b0; blk < b1; blk++) {
          const int64_t ic = blk * MC, mc = std::min(MC, M - ic);
          T* ap = apack.data();
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int mr = (int)std::min<int64_t>(MR, mc - ir);
            for (int64_t k = 0; k < kc; k++) {
              const T* src = A + (ic + ir) * ars + (pc + k) * acs;
              T* dst = ap + ir * kc + k * MR;
              for (int i = 0; i < mr; i++) dst[i] = src[i * ars];
              for (int i = mr; i < MR; i++) dst[i] = 0;
            }
          }
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int nr = (int)std::min<int64_t>(NR, nc - jr);
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int mr = (int)std::min<int64_t>(MR, mc - ir);
              microKernel<T, MR, NR>(kc, ap + ir * kc, bp + jr * kc, C + (ic + ir) * crs + (jc + jr) * ccs, crs,
                                     ccs, alpha, beta, mr, nr, pc == 0);
            }
          }
        }
      });
    }
  }
}

#define TT_GEMM_VARIANT(NAME, TARGET, T, MR, NR)                                                              \
  __attribute__((target(TARGET))) void NAME(int64_t M, int64_t N, int64_t K, const T* A, int64_t ars,        \
                                            int64_t acs, const T* B, int64_t brs, int64_t bcs, T* C,         \
                                            int64_t crs, int64_t ccs, T alpha, T beta) {                     \
    gemmBody<T, MR, NR>(M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta);                       \
  }

#if defined(__x86_64__)
TT_GEMM_VARIANT(sgemmAvx512, "avx512f,avx512vl,avx2,fma", float, 6, 32)
TT_GEMM_VARIANT(dgemmAvx512, "avx512f,avx512vl,avx2,fma", double, 6, 16)
TT_GEMM_VARIANT(sgemmAvx2, "avx2,fma", float, 6, 16)
TT_GEMM_VARIANT(dgemmAvx2, "avx2,fma", double, 6, 8)
#endif
TT_GEMM_VARIANT(sgemmBase, "default", float, 4, 8)
TT_GEMM_VARIANT(dgemmBase, "default", double, 4, 4)

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

void gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars, int64_t acs, const float* B, int64_t brs,
          int64_t bcs, float* C, int64_t crs, int64_t ccs, float alpha, float beta) {
#if defined(__x86_64__)
  if (kIsa == Isa::Avx512) return sgemmAvx512(M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta);
  if (kIsa == Isa::Avx2) return sgemmAvx2(M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta);
#endif
  sgemmBase(M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta);
}
void gemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t ars, int64_t acs, const double* B, int64_t brs,
          int64_t bcs, double* C, int64_t crs, int64_t ccs, double alpha, double beta) {
#if defined(__x86_64__)
  if (kIsa == Isa::Avx512) return dgemmAvx512(M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta);
  if (kIsa == Isa::Avx2) return dgemmAvx2(M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta);
#endif
  dgemmBase(M, N, K, A, ars, acs, B, brs, bcs, C, crs, ccs, alpha, beta);
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
      case kFloat32: {
        auto P = [&](int k) { return reinterpret_cast<float*>(d[k].base) + b * d[k].batchStride; };
        gemm(M, N, K, P(1), d[1].rs, d[1].cs, P(2), d[2].rs, d[2].cs, P(0), d[0].rs, d[0].cs, (float)alpha, (float)beta);
        break;
      }
      case kFloat64: {
        auto P = [&](int k) { return reinterpret_cast<double*>(d[k].base) + b * d[k].batchStride; };
        gemm(M, N, K, P(1), d[1].rs, d[1].cs, P(2), d[2].rs, d[2].cs, P(0), d[0].rs, d[0].cs, alpha, beta);
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
