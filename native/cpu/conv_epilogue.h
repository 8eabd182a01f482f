// SPDX-License-Identifier: BSD-3-Clause
// The epilogue of a fused convolution forward (inference: conv -> eval BatchNorm -> + residual ->
// ReLU, as ResNet's blocks run them), applied to each output value while it is still in registers
// (Winograd's output transform, the strided stem kernel) or in one pass over each output plane right
// after the convolution wrote it (the other paths). Every step is the separate op's own float
// operation, so the result is bit for bit that of conv, then F.batchNorm (eval), then add_, then
// relu as separate passes:
//   eval BatchNorm (norm.cc): y = x * scale[c] + shift[c] in float, a multiply then an add (two
//   roundings: norm.cc's row loop is not contracted into an FMA), scale and shift worked out per
//   channel in double and rounded to float (bnEvalTerms, shared with norm.cc);
//   add_: y + r;  relu (elementwise.cc): y < 0 ? 0 : y (NaN and -0 pass through).
// The vector forms keep the multiply and the add apart with an empty asm barrier, so the compiler
// cannot contract them into an FMA under -ffp-contract=fast in the AVX2 + FMA functions.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "common/parallel.h"
#include "common/simd.h"

namespace tt {
namespace convepi {

struct Epilogue {
  const float* scale = nullptr;  // per output channel (with shift), or null: no BatchNorm
  const float* shift = nullptr;
  const float* res = nullptr;    // residual shaped like the output (N, OC, OH, OW), contiguous, or null
  bool relu = false;
};

// eval BatchNorm's per-channel terms, as norm.cc computes them: in double, then rounded to float
inline void bnEvalTerms(int64_t C, const float* rm, const float* rv, const float* w, const float* b, double eps, float* scale,
                        float* shift) {
  for (int64_t c = 0; c < C; c++) {
    const double is = 1.0 / std::sqrt((double)rv[c] + eps);
    const double a = is * (w ? (double)w[c] : 1.0);
    const double s = (b ? (double)b[c] : 0.0) - (double)rm[c] * a;
    scale[c] = (float)a;
    shift[c] = (float)s;
  }
}

// v * s then + b, two roundings
inline float bn1(float v, float s, float b) {
#if defined(__x86_64__) && defined(__GNUC__)
  float p = v * s;
  __asm__("" : "+x"(p));
#else
  volatile float p = v * s;
#endif
  return p + b;
}
inline float relu1(float v) { return v < 0.f ? 0.f : v; }

// The whole epilogue on one value of channel oc; r: the residual value (read only when e.res)
inline float apply1(const Epilogue& e, int64_t oc, float v, float r) {
  if (e.scale) v = bn1(v, e.scale[oc], e.shift[oc]);
  if (e.res) v = v + r;
  if (e.relu) v = relu1(v);
  return v;
}

#if TT_HAVE_AVX2_CODE
TT_AVX2 inline __m256 bn8(__m256 v, __m256 s, __m256 b) {
  __m256 p = _mm256_mul_ps(v, s);
  __asm__("" : "+x"(p));
  return _mm256_add_ps(p, b);
}
TT_AVX2 inline __m256 relu8(__m256 v) { return _mm256_andnot_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ), v); }
#endif

// planes [q0, q1) of out (each OHW floats; plane q is channel q % OC), in place
#if TT_HAVE_AVX2_CODE
TT_AVX2 inline void applyRangeAvx2(const Epilogue& e, float* out, int64_t OC, int64_t OHW, int64_t q0, int64_t q1) {
  for (int64_t q = q0; q < q1; q++) {
    const int64_t oc = q % OC;
    float* o = out + q * OHW;
    const float* r = e.res ? e.res + q * OHW : nullptr;
    const __m256 s = _mm256_set1_ps(e.scale ? e.scale[oc] : 1.f), b = _mm256_set1_ps(e.scale ? e.shift[oc] : 0.f);
    int64_t p = 0;
    for (; p + 8 <= OHW; p += 8) {
      __m256 v = _mm256_loadu_ps(o + p);
      if (e.scale) v = bn8(v, s, b);
      if (r) v = _mm256_add_ps(v, _mm256_loadu_ps(r + p));
      if (e.relu) v = relu8(v);
      _mm256_storeu_ps(o + p, v);
    }
    for (; p < OHW; p++) o[p] = apply1(e, oc, o[p], r ? r[p] : 0.f);
  }
}
#endif

inline void applyRange(const Epilogue& e, float* out, int64_t OC, int64_t OHW, int64_t q0, int64_t q1) {
#if TT_HAVE_AVX2_CODE
  if (hasAvx2Fma()) { applyRangeAvx2(e, out, OC, OHW, q0, q1); return; }
#endif
  for (int64_t q = q0; q < q1; q++) {
    const int64_t oc = q % OC;
    float* o = out + q * OHW;
    const float* r = e.res ? e.res + q * OHW : nullptr;
    for (int64_t p = 0; p < OHW; p++) o[p] = apply1(e, oc, o[p], r ? r[p] : 0.f);
  }
}

// The epilogue over the whole output (N * OC planes of OHW), threaded over planes
inline void apply(const Epilogue* e, float* out, int64_t N, int64_t OC, int64_t OHW) {
  if (e == nullptr) return;
  parallelFor(N * OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)),
              [&](int64_t q0, int64_t q1) { applyRange(*e, out, OC, OHW, q0, q1); });
}

}  // namespace convepi
}  // namespace tt
