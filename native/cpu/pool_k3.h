// SPDX-License-Identifier: BSD-3-Clause
// max_pool2d forward for 3x3 windows at stride 2, dilation 1, padding 0 or 1, float32, AVX2 (ResNet's
// stem pool: 64 x 112 x 112 -> 56 x 56 per image). Included by pool.cc, whose maxForwardFast calls
// poolk3::forward() first; it returns false (nothing written) where it does not apply.
//
// Separable: each input row's horizontal window maxima (columns 2ow-PW .. 2ow-PW+2) are computed once,
// 8 outputs at a time from the even / odd lanes of two loads, and each output row combines the
// three row maxima of its window. Positions outside the plane count as -inf, which never wins.
// The result is the general loop's bit for bit, indices included: that loop scans the window in
// row-major order and a later element wins when it is greater or NaN. Scanning each row first and
// then the rows in order with the same rule picks the same element: the row-major first maximum is
// the first maximum of the first row that holds the window's maximum, and the last NaN in
// row-major order is the last NaN of the last row that holds one (a NaN row maximum is never
// replaced by a number).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/parallel.h"
#include "cpu/conv_epilogue.h"

namespace tt {
namespace poolk3 {

#if defined(__x86_64__)
inline bool cpuOk() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return ok;
}

// take v over m: v > m or v is NaN (the general loop's rule)
__attribute__((target("avx2,fma"))) inline __m256 takeMask(__m256 v, __m256 m) {
  return _mm256_or_ps(_mm256_cmp_ps(v, m, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

// Outputs o .. o + 7 of one row's horizontal maxima (every load inside the row)
template <bool Ind>
__attribute__((target("avx2,fma"))) inline void rowBlock(const float* r, int32_t rowBase, int64_t PW, int64_t o, float* hm, int32_t* hi) {
  const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const float* s = r + 2 * o - PW;
  const __m256 a0 = _mm256_loadu_ps(s), a1 = _mm256_loadu_ps(s + 8);
  const __m256 c0 = _mm256_loadu_ps(s + 2), c1 = _mm256_loadu_ps(s + 10);
  // lanes in the order 0 1 4 5 2 3 6 7 (shuffle_ps within 128-bit halves); restored below
  const __m256 v0 = _mm256_shuffle_ps(a0, a1, 0x88), v1 = _mm256_shuffle_ps(a0, a1, 0xDD), v2 = _mm256_shuffle_ps(c0, c1, 0x88);
  __m256 m = v0;
  __m256 t = takeMask(v1, m);
  m = _mm256_blendv_ps(m, v1, t);
  __m256 t2 = takeMask(v2, m);
  m = _mm256_blendv_ps(m, v2, t2);
  _mm256_storeu_ps(hm + o, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(m), 0xD8)));
  if (Ind) {
    const __m256i base = _mm256_add_epi32(lane2, _mm256_set1_epi32(rowBase + (int32_t)(2 * o - PW)));
    // the lane order of the shuffles: permute the base the same way (0 1 4 5 2 3 6 7)
    const __m256i b = _mm256_permute4x64_epi64(base, 0xD8);
    __m256i idx = b;
    idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(_mm256_add_epi32(b, _mm256_set1_epi32(1))), t));
    idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(_mm256_add_epi32(b, _mm256_set1_epi32(2))), t2));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(hi + o), _mm256_permute4x64_epi64(idx, 0xD8));
  }
}

// The horizontal maxima of one input row: hm[ow] (and hi[ow], the flat index h * W + w of the
// winner, when Ind) for ow in [0, OW); row < 0 or row >= H: all -inf (index 0, never chosen
// unless the whole window is outside, which PyTorch's padding rule excludes).
template <bool Ind>
__attribute__((target("avx2,fma"))) void rowMax(const float* plane, int64_t H, int64_t W, int64_t OW, int64_t PW, int64_t row,
                                                 float* hm, int32_t* hi) {
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  if (row < 0 || row >= H) {
    std::fill(hm, hm + OW, kNegInf);
    if (Ind) std::fill(hi, hi + OW, 0);
    return;
  }
  const float* r = plane + row * W;
  const int32_t rowBase = (int32_t)(row * W);
  auto scalarAt = [&](int64_t ow) {
    const int64_t ws = 2 * ow - PW;
    float m = kNegInf;
    int32_t best = 0;
    bool any = false;
    for (int64_t j = ws; j < ws + 3; j++) {
      if (j < 0 || j >= W) continue;
      const float v = r[j];
      if (!any) { m = v; best = (int32_t)j; any = true; continue; }
      if (v > m || v != v) { m = v; best = (int32_t)j; }
    }
    hm[ow] = m;
    if (Ind) hi[ow] = rowBase + best;
  };
  // vector blocks: columns 2ow - PW .. 2ow - PW + 16 inside the row (two 8-float loads from
  // 2ow - PW and 2ow - PW + 8, the third column the even lanes of loads from 2ow - PW + 2)
  const int64_t owA = (PW + 1) / 2;                    // first ow with 2ow - PW >= 0
  const int64_t owB = (W - 18 + PW) >= 0 ? (W - 18 + PW) / 2 : -1;  // last ow with 2ow - PW + 17 <= W - 1
  int64_t ow = 0;
  for (; ow < std::min(owA, OW); ow++) scalarAt(ow);
  const int64_t lastStart = std::min(owB, OW - 8);  // the last block start with every load inside
  if (lastStart >= ow) {
    for (; ow <= lastStart; ow += 8) rowBlock<Ind>(r, rowBase, PW, ow, hm, hi);
    if (ow - 8 < lastStart) rowBlock<Ind>(r, rowBase, PW, lastStart, hm, hi);  // overlaps the block before: the same values again
    ow = std::max(ow, lastStart + 8);
  }
  for (; ow < OW; ow++) scalarAt(ow);
}

// Output row oh from the row maxima of rows 2oh - PH .. 2oh - PH + 2 (a, b, c), in that order.
template <bool Ind>
__attribute__((target("avx2,fma"))) void combine(const float* a, const float* b, const float* c, const int32_t* ia, const int32_t* ib,
                                                 const int32_t* ic, int64_t OW, float* o, int64_t* oi) {
  int64_t ow = 0;
  for (; ow + 8 <= OW; ow += 8) {
    __m256 m = _mm256_loadu_ps(a + ow);
    const __m256 vb = _mm256_loadu_ps(b + ow), vc = _mm256_loadu_ps(c + ow);
    // a row outside the plane is all -inf: v > -inf fails for -inf only, and then the values agree
    const __m256 tb = takeMask(vb, m);
    m = _mm256_blendv_ps(m, vb, tb);
    const __m256 tc = takeMask(vc, m);
    m = _mm256_blendv_ps(m, vc, tc);
    _mm256_storeu_ps(o + ow, m);
    if (Ind) {
      __m256i idx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ia + ow));
      idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_loadu_ps(reinterpret_cast<const float*>(ib + ow)), tb));
      idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_loadu_ps(reinterpret_cast<const float*>(ic + ow)), tc));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(oi + ow), _mm256_cvtepi32_epi64(_mm256_castsi256_si128(idx)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(oi + ow + 4), _mm256_cvtepi32_epi64(_mm256_extracti128_si256(idx, 1)));
    }
  }
  for (; ow < OW; ow++) {
    float m = a[ow];
    int32_t i = Ind ? ia[ow] : 0;
    if (b[ow] > m || b[ow] != b[ow]) { m = b[ow]; if (Ind) i = ib[ow]; }
    if (c[ow] > m || c[ow] != c[ow]) { m = c[ow]; if (Ind) i = ic[ow]; }
    o[ow] = m;
    if (Ind) oi[ow] = i;
  }
}
#endif

// x: P planes H x W; out (and ind, when not null): P planes OH x OW. 3x3 windows, stride 2, padding
// (PH, PW) in {0, 1}, dilation 1; every window must hold an element of the plane (PyTorch's rule
// padding <= kernel / 2 and its output size formula guarantee it, ceil mode included).
// Whether forward() below takes these sizes (and the CPU has AVX2 + FMA)
inline bool applies(int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t PH, int64_t PW) {
#if defined(__x86_64__)
  if (!cpuOk() || PH < 0 || PH > 1 || PW < 0 || PW > 1 || OH <= 0 || OW <= 0 || H * W >= (int64_t(1) << 30)) return false;
  // every window starts inside the plane (so holds at least one element of it)
  return !(2 * (OH - 1) - PH >= H || 2 * (OW - 1) - PW >= W);
#else
  (void)H; (void)W; (void)OH; (void)OW; (void)PH; (void)PW;
  return false;
#endif
}

inline bool forward(const float* x, float* out, int64_t* ind, int64_t P, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t PH,
                    int64_t PW) {
#if defined(__x86_64__)
  if (!applies(H, W, OH, OW, PH, PW)) return false;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OH * OW * 9));
  convepi::dynamicRanges(P, grain, [&](int64_t p0, int64_t p1) {  // claimed dynamically, workers polling (conv_epilogue.h)
    // three rolling rows of horizontal maxima (and their indices)
    static thread_local std::vector<float> hmBuf;
    static thread_local std::vector<int32_t> hiBuf;
    const size_t stride = (size_t)(OW + 8);
    if (hmBuf.size() < 3 * stride) hmBuf.resize(3 * stride);
    if (ind && hiBuf.size() < 3 * stride) hiBuf.resize(3 * stride);
    float* hm = hmBuf.data();
    int32_t* hi = ind ? hiBuf.data() : nullptr;
    for (int64_t p = p0; p < p1; p++) {
      const float* plane = x + p * H * W;
      float* o = out + p * OH * OW;
      int64_t* oi = ind ? ind + p * OH * OW : nullptr;
      // slot of input row r: (r + PH) % 3 (rows -PH .. H-1 + ...); row 2oh - PH + 2 is new for each oh
      // except the first, whose rows 2*0 - PH and 2*0 - PH + 1 are computed first
      int64_t have = -PH - 1;  // rows <= have are computed
      for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t r0 = 2 * oh - PH;
        for (int64_t r = std::max(have + 1, r0); r <= r0 + 2; r++) {
          const size_t slot = (size_t)((r + PH) % 3) * stride;
          if (ind) rowMax<true>(plane, H, W, OW, PW, r, hm + slot, hi + slot);
          else rowMax<false>(plane, H, W, OW, PW, r, hm + slot, nullptr);
        }
        have = r0 + 2;
        const size_t sa = (size_t)((r0 + PH) % 3) * stride, sb = (size_t)((r0 + 1 + PH) % 3) * stride,
                     sc = (size_t)((r0 + 2 + PH) % 3) * stride;
        // a first row above the plane is left out (passing the second row twice: taking it again
        // changes nothing), so the scan starts at the window's first element as the general loop does
        const size_t s0 = r0 < 0 ? sb : sa;
        if (ind) combine<true>(hm + s0, hm + sb, hm + sc, hi + s0, hi + sb, hi + sc, OW, o + oh * OW, oi + oh * OW);
        else combine<false>(hm + s0, hm + sb, hm + sc, nullptr, nullptr, nullptr, OW, o + oh * OW, nullptr);
      }
    }
  });
  return true;
#else
  (void)x; (void)out; (void)ind; (void)P; (void)H; (void)W; (void)OH; (void)OW; (void)PH; (void)PW;
  return false;
#endif
}

}  // namespace poolk3
}  // namespace tt
