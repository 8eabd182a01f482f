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
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/parallel.h"
#include "common/simd.h"

namespace tt {
namespace convepi {

// The poll request (parallel.h) of the regions of the conv paths in these headers (Winograd, the
// strided paths, the epilogue pass, the 3x3/2 pool): a worker that ran a chunk keeps polling, with
// yields, for the next region before it sleeps, as the GEMMs' workers do, so a network's next layer
// (tens of microseconds of TypeScript later) does not pay the worker's futex wake-up; the pool stops
// polling for a while by itself when a worker held the caller up (a busy machine).
// TORCHTS_CONV_POLL=0 (read once): no polling (every region wakes its worker), for comparisons.
inline int64_t pollNanos() {
  static const int64_t ns = [] {
    const char* e = std::getenv("TORCHTS_CONV_POLL");
    return e && e[0] == '0' ? (int64_t)0 : gemmPollNanos();
  }();
  return ns;
}

// fn(i) for i in [0, n): each thread works through its own contiguous share of the items (as a
// static split would: neighbouring items share operands), claiming them one at a time, and when its
// share is done it takes the items left in the others', so a thread that starts late (a worker
// waking up, or descheduled on a busy machine) holds up nothing. Each item computes the same values
// whichever thread runs it.
template <class F> void dynamicFor(int64_t n, F&& fn) {
  const int64_t threads = std::min<int64_t>(std::min(getNumThreads(), 64), n);
  if (threads <= 1) {
    for (int64_t i = 0; i < n; i++) fn(i);
    return;
  }
  struct alignas(64) Share { std::atomic<int64_t> next; int64_t end; };
  Share share[64];
  const int64_t per = (n + threads - 1) / threads;
  for (int64_t t = 0; t < threads; t++) {
    share[t].next.store(std::min(n, t * per), std::memory_order_relaxed);
    share[t].end = std::min(n, (t + 1) * per);
  }
  parallelFor(threads, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++)
      for (int64_t k = 0; k < threads; k++) {  // its own share first, then the others' leftovers
        Share& sh = share[(c + k) % threads];
        for (int64_t i; (i = sh.next.fetch_add(1, std::memory_order_relaxed)) < sh.end;) fn(i);
      }
  }, pollNanos());
}

// fn(b, e) over [0, n) in ranges of about `grain` items (at least 8 per thread where n allows),
// claimed dynamically as in dynamicFor; a single range (no region) below two grains
template <class F> void dynamicRanges(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  const int64_t threads = getNumThreads();
  grain = std::max<int64_t>(1, grain);
  if (threads <= 1 || n < 2 * grain) return (void)fn(int64_t(0), n);
  const int64_t items = std::min<int64_t>((n + grain - 1) / grain, std::max<int64_t>(threads * 8, 1)), per = (n + items - 1) / items;
  dynamicFor((n + per - 1) / per, [&](int64_t i) { fn(i * per, std::min(n, (i + 1) * per)); });
}

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
  dynamicRanges(N * OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)),
                [&](int64_t q0, int64_t q1) { applyRange(*e, out, OC, OHW, q0, q1); });
}

}  // namespace convepi
}  // namespace tt
