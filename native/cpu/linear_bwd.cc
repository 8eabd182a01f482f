// SPDX-License-Identifier: BSD-3-Clause
// F.linear's backward (AddmmBackward0 / MmBackward0 of the 2-D fast path) in one native call:
// the input gradient g @ W, the weight gradient g^T @ x and the bias gradient (g summed over its
// rows), each only where asked for. The two products are the very GEMM calls the separate path
// makes (gemmStrided with the same operands and strides as matmul's mm_mat1/mm_mat2_backward), and
// the bias sum adds the rows in order in the accumulator type sum() uses (double for float32), so
// the results are the same bits as before; what is saved is two crossings into native code, two
// descriptors and the reduction call (with its keepdim and reshape views) per Linear layer
// (LeNet's batch-4 training step has three).
#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/simd.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

// db[o] = sum over n of g[n, o], each column added row by row from 0 in A (the column reduction's
// order), a row at a time across the columns (contiguous rows vectorise).
template <class T, class A>
TT_SIMD_CLONES void biasGradRows(const T* g, int64_t N, int64_t O, int64_t gs0, int64_t gs1, T* db) {
  constexpr int64_t kTile = 512;
  A acc[kTile];
  for (int64_t o0 = 0; o0 < O; o0 += kTile) {
    const int64_t len = std::min(kTile, O - o0);
    for (int64_t j = 0; j < len; j++) acc[j] = 0;
    for (int64_t n = 0; n < N; n++) {
      const T* row = g + n * gs0 + o0 * gs1;
      if (gs1 == 1)
        for (int64_t j = 0; j < len; j++) acc[j] += static_cast<A>(row[j]);
      else
        for (int64_t j = 0; j < len; j++) acc[j] += static_cast<A>(row[j * gs1]);
    }
    for (int64_t j = 0; j < len; j++) db[o0 + j] = static_cast<T>(acc[j]);
  }
}

// linearBackward(meta, g, x, w, dx | null, dw | null, db | null). meta = [dtype, N, K, O,
// gOffset, gRowStride, gColStride, xOffset, xRowStride, xColStride, wOffset, wRowStride,
// wColStride, dxOffset, dwOffset, dbOffset] in elements. g (N, O), x (N, K), w (O, K) strided;
// dx (N, K) = g @ w, dw (O, K) = g^T @ x and db (O) = sum of g's rows, all three contiguous and
// fully written (beta 0).
Napi::Value LinearBackward(const Napi::CallbackInfo& info) {
  size_t n;
  const double* m = f64Data(info[0], &n);
  if (n < 16) throw std::runtime_error("linearBackward: truncated descriptor");
  const int dt = (int)m[0];
  if (dt != kFloat32 && dt != kFloat64) throw std::runtime_error("linearBackward: float32 or float64 only");
  const int64_t es = dt == kFloat32 ? 4 : 8;
  const int64_t N = (int64_t)m[1], K = (int64_t)m[2], O = (int64_t)m[3];
  const int64_t gs0 = (int64_t)m[5], gs1 = (int64_t)m[6], xs0 = (int64_t)m[8], xs1 = (int64_t)m[9];
  const int64_t ws0 = (int64_t)m[11], ws1 = (int64_t)m[12];
  const char* g = bufferData(info[1]) + (int64_t)m[4] * es;
  const char* x = bufferData(info[2]) + (int64_t)m[7] * es;
  const char* w = bufferData(info[3]) + (int64_t)m[10] * es;
  auto out = [&](int k, double off) -> char* {
    return info[k].IsNull() || info[k].IsUndefined() ? nullptr : bufferData(info[k]) + (int64_t)off * es;
  };
  char* dx = out(4, m[13]);
  char* dw = out(5, m[14]);
  char* db = out(6, m[15]);
  // mm_mat1_backward: dx = g @ w (M = N, N = K, K = O)
  if (dx && N > 0 && K > 0) gemmStrided(dt, N, K, O, g, gs0, gs1, w, ws0, ws1, dx, K, 1, 1.0, 0.0);
  // mm_mat2_backward for a row-major weight: dw = g^T @ x (M = O, N = K, K = N)
  if (dw && O > 0 && K > 0) gemmStrided(dt, O, K, N, g, gs1, gs0, x, xs0, xs1, dw, K, 1, 1.0, 0.0);
  if (db) {
    if (dt == kFloat32)
      biasGradRows<float, double>(reinterpret_cast<const float*>(g), N, O, gs0, gs1, reinterpret_cast<float*>(db));
    else
      biasGradRows<double, double>(reinterpret_cast<const double*>(g), N, O, gs0, gs1, reinterpret_cast<double*>(db));
  }
  return info.Env().Undefined();
}

}  // namespace

void registerLinearBackward(Napi::Env env, Napi::Object exports) {
  exports.Set("linearBackward", Napi::Function::New(env, LinearBackward, "linearBackward"));
}

}  // namespace tt
