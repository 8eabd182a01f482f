// SPDX-License-Identifier: BSD-3-Clause
// F.linear's float32 forward in one call: out = x @ W^T (+ bias) on the unpacked NT kernel
// (gemm_nt.h), the bias added in the kernel's epilogue instead of copied into out beforehand. The
// sums are the ones matmul computes for addmm(bias, x, W^T) (the same kernel, chosen by the same
// rule on N and K; bias + sum rounds as 1*bias + 1*sum does), so the result is the same bits.
#include <cstdint>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "common/simd.h"
#include "cpu/gemm_nt.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

// linearNT(meta, out, x, w, bias | null) -> whether it computed out. meta = [M, N, K, outOffset,
// outRowStride, xOffset, xRowStride, wOffset, wRowStride, biasOffset, biasStride (, flags)] in
// float32 elements; out, x and w contiguous along their last dim. flags bit 1: relu every result
// (v < 0 ? 0 : v, as F.relu's kernel: nn.Sequential's Linear + ReLU without grad, container.ts).
// False (nothing written) where the NT kernel does not take the product (no AVX2 + FMA, or N and
// K outside its range): the caller then takes the general GEMM.
Napi::Value LinearNT(const Napi::CallbackInfo& info) {
  size_t n;
  const double* m = f64Data(info[0], &n);
  if (n < 11) throw std::runtime_error("linearNT: truncated descriptor");
  const int64_t M = (int64_t)m[0], N = (int64_t)m[1], K = (int64_t)m[2];
#if defined(__x86_64__)
  if (hasAvx2Fma() && gemm_nt::applies(N, K, 1, 1)) {
    float* out = reinterpret_cast<float*>(bufferData(info[1])) + (int64_t)m[3];
    const float* x = reinterpret_cast<const float*>(bufferData(info[2])) + (int64_t)m[5];
    const float* w = reinterpret_cast<const float*>(bufferData(info[3])) + (int64_t)m[7];
    const float* bias = info[4].IsNull() || info[4].IsUndefined()
                            ? nullptr
                            : reinterpret_cast<const float*>(bufferData(info[4])) + (int64_t)m[9];
    const bool relu = n >= 12 && ((int64_t)m[11] & 1) != 0;
    if (M > 0 && N > 0)
      gemm_nt::sgemmNT(M, N, K, x, (int64_t)m[6], w, (int64_t)m[8], out, (int64_t)m[4], 1, 1.0f, 0.0f,
                       getNumThreads(), bias, (int64_t)m[10], relu);
    return Napi::Boolean::New(info.Env(), true);
  }
#endif
  (void)M; (void)N; (void)K;
  return Napi::Boolean::New(info.Env(), false);
}

}  // namespace

void registerLinear(Napi::Env env, Napi::Object exports) {
  exports.Set("linearNT", Napi::Function::New(env, LinearNT, "linearNT"));
}

}  // namespace tt
