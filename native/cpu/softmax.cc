// SPDX-License-Identifier: BSD-3-Clause
// softmax / log_softmax over the last dim of a contiguous (rows, cols) float matrix, forward and
// backward, one pass over each row instead of separate max / sub / exp / sum / div kernels.
// PyTorch's CPU formulas (aten/src/ATen/native/cpu/SoftMaxKernel.cpp, the lastdim kernels):
//   softmax:          m = max(x); e = exp(x - m); y = e * (1 / sum(e))
//   log_softmax:      m = max(x); y = (x - m) - log(sum(exp(x - m)))
//   softmax bwd:      gx = y * (g - sum(g * y))
//   log_softmax bwd:  gx = g - exp(y) * sum(g)
// Sums accumulate in double. A NaN anywhere in a row makes the whole row NaN (as the max-shift does
// in PyTorch). float32 with AVX2 + FMA runs 8 lanes with the exp of common/simd.h (within 2 ulp);
// the tail of a row is padded to 8 lanes, so every element of a row goes through the same code
// whatever the row length, and rows are independent: results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "common/simd.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

// ---- scalar rows (float64; float32 without AVX2) ---------------------------------------------
template <class T> void rowForward(T* y, const T* x, int64_t n, bool log) {
  T m = -INFINITY;
  for (int64_t j = 0; j < n; j++) {
    if (std::isnan(x[j])) { m = x[j]; break; }
    m = x[j] > m ? x[j] : m;
  }
  double sum = 0;
  if (log) {
    for (int64_t j = 0; j < n; j++) sum += static_cast<double>(std::exp(static_cast<T>(x[j] - m)));
    const T lse = std::log(static_cast<T>(sum));
    for (int64_t j = 0; j < n; j++) y[j] = static_cast<T>(x[j] - m) - lse;
  } else {
    for (int64_t j = 0; j < n; j++) {
      const T e = std::exp(static_cast<T>(x[j] - m));
      y[j] = e;
      sum += static_cast<double>(e);
    }
    const T r = T(1) / static_cast<T>(sum);
    for (int64_t j = 0; j < n; j++) y[j] *= r;
  }
}

template <class T> void rowBackward(T* gx, const T* g, const T* y, int64_t n, bool log) {
  double sum = 0;
  if (log) {
    for (int64_t j = 0; j < n; j++) sum += static_cast<double>(g[j]);
    const T s = static_cast<T>(sum);
    for (int64_t j = 0; j < n; j++) gx[j] = g[j] - std::exp(y[j]) * s;
  } else {
    for (int64_t j = 0; j < n; j++) sum += static_cast<double>(g[j] * y[j]);
    const T s = static_cast<T>(sum);
    for (int64_t j = 0; j < n; j++) gx[j] = y[j] * (g[j] - s);
  }
}

// ---- float32 AVX2 rows -------------------------------------------------------------------------
#if TT_HAVE_AVX2_CODE
// Loads 8 lanes at p[j..j+m), the rest `fill`.
TT_AVX2 inline __m256 loadPart(const float* p, int64_t m, float fill) {
  alignas(32) float b[8];
  for (int k = 0; k < 8; k++) b[k] = k < m ? p[k] : fill;
  return _mm256_load_ps(b);
}
TT_AVX2 inline void storePart(float* p, __m256 v, int64_t m) {
  alignas(32) float b[8];
  _mm256_store_ps(b, v);
  for (int k = 0; k < m; k++) p[k] = b[k];
}
// The lanes of v summed in double, in a fixed order.
TT_AVX2 inline __m256d widenAdd(__m256d acc, __m256 v) {
  return _mm256_add_pd(_mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(v))), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}
TT_AVX2 inline double hsum(__m256d a, __m256d b) {
  alignas(32) double t[4];
  _mm256_store_pd(t, _mm256_add_pd(a, b));
  return (t[0] + t[1]) + (t[2] + t[3]);
}

TT_AVX2 void rowForwardAvx2(float* y, const float* x, int64_t n, bool log) {
  // max, with any NaN noted
  __m256 mv = _mm256_set1_ps(-INFINITY), nanv = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 v = _mm256_loadu_ps(x + j);
    nanv = _mm256_or_ps(nanv, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    mv = _mm256_max_ps(mv, v);
  }
  if (j < n) {
    const __m256 v = loadPart(x + j, n - j, -INFINITY);
    nanv = _mm256_or_ps(nanv, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    mv = _mm256_max_ps(mv, v);
  }
  alignas(32) float t[8];
  _mm256_store_ps(t, mv);
  float m = t[0];
  for (int k = 1; k < 8; k++) m = t[k] > m ? t[k] : m;
  if (_mm256_movemask_ps(nanv) != 0) m = NAN;
  const __m256 mb = _mm256_set1_ps(m);
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  // the padded tail lanes hold -inf: exp(-inf - m) = 0 adds nothing (m finite); m = +-inf or NaN
  // makes the row NaN (or 0 / NaN) as in PyTorch, and the tail's lanes are not stored
  if (log) {
    for (j = 0; j + 8 <= n; j += 8) s0 = widenAdd(s0, v8::exp(_mm256_sub_ps(_mm256_loadu_ps(x + j), mb)));
    if (j < n) {
      const int64_t r = n - j;
      __m256 e = v8::exp(_mm256_sub_ps(loadPart(x + j, r, 0.0f), mb));
      // keep the r real lanes only
      alignas(32) float b[8];
      _mm256_store_ps(b, e);
      for (int k = (int)r; k < 8; k++) b[k] = 0.0f;
      s1 = widenAdd(s1, _mm256_load_ps(b));
    }
    const float lse = std::log(static_cast<float>(hsum(s0, s1)));
    const __m256 lb = _mm256_set1_ps(lse);
    for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), mb), lb));
    for (; j < n; j++) y[j] = (x[j] - m) - lse;
  } else {
    for (j = 0; j + 8 <= n; j += 8) {
      const __m256 e = v8::exp(_mm256_sub_ps(_mm256_loadu_ps(x + j), mb));
      _mm256_storeu_ps(y + j, e);
      s0 = widenAdd(s0, e);
    }
    if (j < n) {
      const int64_t r = n - j;
      __m256 e = v8::exp(_mm256_sub_ps(loadPart(x + j, r, 0.0f), mb));
      alignas(32) float b[8];
      _mm256_store_ps(b, e);
      for (int k = (int)r; k < 8; k++) b[k] = 0.0f;
      storePart(y + j, _mm256_load_ps(b), r);
      s1 = widenAdd(s1, _mm256_load_ps(b));
    }
    const float rs = 1.0f / static_cast<float>(hsum(s0, s1));
    const __m256 rb = _mm256_set1_ps(rs);
    for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(y + j), rb));
    for (; j < n; j++) y[j] *= rs;
  }
}

TT_AVX2 void rowBackwardAvx2(float* gx, const float* g, const float* y, int64_t n, bool log) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  int64_t j = 0;
  if (log) {
    for (; j + 8 <= n; j += 8) s0 = widenAdd(s0, _mm256_loadu_ps(g + j));
    if (j < n) s1 = widenAdd(s1, loadPart(g + j, n - j, 0.0f));
    const __m256 sb = _mm256_set1_ps(static_cast<float>(hsum(s0, s1)));
    for (j = 0; j + 8 <= n; j += 8)
      _mm256_storeu_ps(gx + j, _mm256_sub_ps(_mm256_loadu_ps(g + j), _mm256_mul_ps(v8::exp(_mm256_loadu_ps(y + j)), sb)));
    if (j < n) {
      const int64_t r = n - j;
      storePart(gx + j, _mm256_sub_ps(loadPart(g + j, r, 0.0f), _mm256_mul_ps(v8::exp(loadPart(y + j, r, 0.0f)), sb)), r);
    }
  } else {
    for (; j + 8 <= n; j += 8) s0 = widenAdd(s0, _mm256_mul_ps(_mm256_loadu_ps(g + j), _mm256_loadu_ps(y + j)));
    if (j < n) s1 = widenAdd(s1, _mm256_mul_ps(loadPart(g + j, n - j, 0.0f), loadPart(y + j, n - j, 0.0f)));
    const __m256 sb = _mm256_set1_ps(static_cast<float>(hsum(s0, s1)));
    for (j = 0; j + 8 <= n; j += 8)
      _mm256_storeu_ps(gx + j, _mm256_mul_ps(_mm256_loadu_ps(y + j), _mm256_sub_ps(_mm256_loadu_ps(g + j), sb)));
    for (; j < n; j++) gx[j] = y[j] * (g[j] - static_cast<float>(hsum(s0, s1)));
  }
}
#endif

template <class T> void runRows(int mode, int64_t rows, int64_t cols, T* out, const T* a, const T* b) {
  const bool log = (mode & 1) != 0, backward = mode >= 2;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(cols, 1));
  parallelFor(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      T* o = out + r * cols;
      const T* x = a + r * cols;
      const T* y = backward ? b + r * cols : nullptr;
#if TT_HAVE_AVX2_CODE
      if constexpr (std::is_same<T, float>::value) {
        if (hasAvx2Fma()) {
          if (backward) rowBackwardAvx2(o, x, y, cols, log);
          else rowForwardAvx2(o, x, cols, log);
          continue;
        }
      }
#endif
      if (backward) rowBackward<T>(o, x, y, cols, log);
      else rowForward<T>(o, x, cols, log);
    }
  });
}

// softmax(mode, meta, out, a, b?): mode 0 softmax, 1 log_softmax (a = x); 2 softmax backward,
// 3 log_softmax backward (a = grad, b = the forward's output). meta = [dtype, rows, cols,
// outOffset, aOffset, bOffset] (offsets in elements); every operand contiguous (rows, cols).
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  if (mode < 0 || mode > 3) throw std::runtime_error("softmax: bad mode");
  size_t n;
  const double* meta = f64Data(info[1], &n);
  if (n < 6) throw std::runtime_error("softmax: truncated descriptor");
  const int dt = (int)meta[0];
  const int64_t rows = (int64_t)meta[1], cols = (int64_t)meta[2];
  if (rows < 0 || cols < 0) throw std::runtime_error("softmax: bad shape");
  if (rows == 0 || cols == 0) return info.Env().Undefined();
  if ((mode >= 2 && info.Length() < 5) || info.Length() < 4) throw std::runtime_error("softmax: missing buffers");
  const int64_t es = elementSize(dt);
  char* out = bufferData(info[2]) + (int64_t)meta[3] * es;
  const char* a = bufferData(info[3]) + (int64_t)meta[4] * es;
  const char* b = mode >= 2 ? bufferData(info[4]) + (int64_t)meta[5] * es : nullptr;
  if (dt == kFloat32)
    runRows<float>(mode, rows, cols, reinterpret_cast<float*>(out), reinterpret_cast<const float*>(a), reinterpret_cast<const float*>(b));
  else if (dt == kFloat64)
    runRows<double>(mode, rows, cols, reinterpret_cast<double*>(out), reinterpret_cast<const double*>(a), reinterpret_cast<const double*>(b));
  else
    throw std::runtime_error("softmax: float32 or float64 only");
  return info.Env().Undefined();
}

}  // namespace

void registerSoftmax(Napi::Env env, Napi::Object exports) {
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
}

}  // namespace tt
