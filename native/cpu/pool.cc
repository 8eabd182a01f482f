// SPDX-License-Identifier: BSD-3-Clause
// max_pool2d (with indices) and avg_pool2d, forward and backward, one task per (n, c) plane.
// The window rules follow PyTorch's CPU kernels (aten/src/ATen/native/cpu/{MaxPool,AvgPool}Kernel.cpp):
// NaN wins a max window, and the index is the flat h*W+w position inside the plane.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"
#include "cpu/pool_k3.h"

namespace tt {
namespace {

// meta = [dtype, planes, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW, off0, off1, off2, extra0, extra1]
struct PoolGeom {
  int dt;
  int64_t P, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW;
  int64_t off[3];
  double extra[2];
};

PoolGeom parse(const Napi::Value& v) {
  size_t n;
  const double* m = f64Data(v, &n);
  if (n < 19) throw std::runtime_error("pool2d: truncated descriptor");
  PoolGeom g;
  g.dt = (int)m[0];
  int64_t* f[] = {&g.P, &g.H, &g.W, &g.OH, &g.OW, &g.KH, &g.KW, &g.SH, &g.SW, &g.PH, &g.PW, &g.DH, &g.DW};
  for (int i = 0; i < 13; i++) *f[i] = (int64_t)m[1 + i];
  for (int i = 0; i < 3; i++) g.off[i] = (int64_t)m[14 + i];
  g.extra[0] = m[17];
  g.extra[1] = m[18];
  if (g.dt != kFloat32 && g.dt != kFloat64) throw std::runtime_error("pool2d: float32 or float64 only");
  return g;
}

template <class T> T* ptr(const Napi::Array& bufs, int k, int64_t off) {
  return reinterpret_cast<T*>(bufferData(bufs.Get(k))) + off;
}

int64_t grainFor(const PoolGeom& g) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.OH * g.OW * g.KH * g.KW)); }

// Windows that never leave the plane (no padding, dilation 1, last window inside): no bounds
// logic, the window offsets fixed at compile time for KH x KW = KT x KT (KT > 0) or read at run
// time (KT = 0). Same scan order and rule as the general loop: a later element wins if it is
// greater or NaN, starting from the window's first element.
template <class T, int KT>
void maxForwardInside(const PoolGeom& g, T* out, int64_t* ind, const T* x, int64_t p0, int64_t p1) {
  const int64_t KH = KT ? KT : g.KH, KW = KT ? KT : g.KW, W = g.W;
  for (int64_t p = p0; p < p1; p++) {
    const T* plane = x + p * g.H * W;
    T* o = out + p * g.OH * g.OW;
    int64_t* oi = ind + p * g.OH * g.OW;
    for (int64_t oh = 0; oh < g.OH; oh++) {
      const int64_t hs = oh * g.SH;
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const int64_t first = hs * W + ow * g.SW;
        const T* b = plane + first;
        T m = b[0];
        int64_t best = 0;
        for (int64_t h = 0; h < KH; h++)
          for (int64_t w = 0; w < KW; w++) {
            const T v = b[h * W + w];
            const bool take = v > m || v != v;
            m = take ? v : m;
            best = take ? h * W + w : best;
          }
        o[oh * g.OW + ow] = m;
        oi[oh * g.OW + ow] = first + best;
      }
    }
  }
}

#if defined(__x86_64__)
bool hasAvx2() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return ok;
}

// 2x2 windows at stride 2 on float32, 8 outputs at a time: the four candidates are the even and
// odd columns of two rows, scanned in the order (0,0), (0,1), (1,0), (1,1) with the same rule.
template <bool Ind>
__attribute__((target("avx2,fma"))) void maxPool2x2s2Avx2(const PoolGeom& g, float* out, int64_t* ind, const float* x,
                                                          int64_t p0, int64_t p1) {
  const int64_t W = g.W, OW = g.OW, OW8 = OW / 8 * 8;
  const __m256i i1 = _mm256_set1_epi32(1), iW = _mm256_set1_epi32((int)W), iW1 = _mm256_set1_epi32((int)W + 1);
  const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  for (int64_t p = p0; p < p1; p++) {
    const float* plane = x + p * g.H * W;
    float* o = out + p * g.OH * OW;
    int64_t* oi = Ind ? ind + p * g.OH * OW : nullptr;
    for (int64_t oh = 0; oh < g.OH; oh++) {
      const float* r0 = plane + 2 * oh * W;
      const float* r1 = r0 + W;
      // 8 outputs at a time; a row of 8 or more ends with its last 8 (overlapping: the same values
      // written twice; the 16 floats read per row stay inside the 2*OW <= W columns)
      const int64_t nblk = OW8 / 8 + (OW8 > 0 && OW8 < OW ? 1 : 0);
      for (int64_t blk = 0; blk < nblk; blk++) {
        const int64_t ow = blk * 8 + 8 <= OW ? blk * 8 : OW - 8;
        const __m256 a0 = _mm256_loadu_ps(r0 + 2 * ow), a1 = _mm256_loadu_ps(r0 + 2 * ow + 8);
        const __m256 b0 = _mm256_loadu_ps(r1 + 2 * ow), b1 = _mm256_loadu_ps(r1 + 2 * ow + 8);
        // even/odd columns, lanes restored to output order
        const __m256 v0 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a0, a1, 0x88)), 0xD8));
        const __m256 v1 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a0, a1, 0xDD)), 0xD8));
        const __m256 v2 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(b0, b1, 0x88)), 0xD8));
        const __m256 v3 = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(b0, b1, 0xDD)), 0xD8));
        __m256 m = v0;
        __m256i idx = _mm256_setzero_si256();
        __m256 t = _mm256_or_ps(_mm256_cmp_ps(v1, m, _CMP_GT_OQ), _mm256_cmp_ps(v1, v1, _CMP_UNORD_Q));
        m = _mm256_blendv_ps(m, v1, t);
        idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(i1), t));
        t = _mm256_or_ps(_mm256_cmp_ps(v2, m, _CMP_GT_OQ), _mm256_cmp_ps(v2, v2, _CMP_UNORD_Q));
        m = _mm256_blendv_ps(m, v2, t);
        idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(iW), t));
        t = _mm256_or_ps(_mm256_cmp_ps(v3, m, _CMP_GT_OQ), _mm256_cmp_ps(v3, v3, _CMP_UNORD_Q));
        m = _mm256_blendv_ps(m, v3, t);
        idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(iW1), t));
        _mm256_storeu_ps(o + oh * OW + ow, m);
        if (!Ind) continue;
        // flat index = 2*oh*W + 2*ow + offset, widened to int64
        const __m256i pos = _mm256_add_epi32(idx, _mm256_add_epi32(lane2, _mm256_set1_epi32((int)(2 * oh * W + 2 * ow))));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(oi + oh * OW + ow), _mm256_cvtepi32_epi64(_mm256_castsi256_si128(pos)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(oi + oh * OW + ow + 4), _mm256_cvtepi32_epi64(_mm256_extracti128_si256(pos, 1)));
      }
      // rows of 4 to 7 outputs (LeNet's 10x10 -> 5x5): 4 at a time in 128-bit lanes, the last 4
      // overlapping (the 8 floats read per row stay inside the 2*OW <= W columns)
      if (nblk == 0 && OW >= 4) {
        const __m128i j1 = _mm_set1_epi32(1), jW = _mm_set1_epi32((int)W), jW1 = _mm_set1_epi32((int)W + 1);
        const __m128i lane2s = _mm_setr_epi32(0, 2, 4, 6);
        for (int64_t ow : {int64_t(0), OW - 4}) {
          const __m128 a0 = _mm_loadu_ps(r0 + 2 * ow), a1 = _mm_loadu_ps(r0 + 2 * ow + 4);
          const __m128 b0 = _mm_loadu_ps(r1 + 2 * ow), b1 = _mm_loadu_ps(r1 + 2 * ow + 4);
          const __m128 v0 = _mm_shuffle_ps(a0, a1, 0x88), v1 = _mm_shuffle_ps(a0, a1, 0xDD);
          const __m128 v2 = _mm_shuffle_ps(b0, b1, 0x88), v3 = _mm_shuffle_ps(b0, b1, 0xDD);
          __m128 m = v0;
          __m128i idx = _mm_setzero_si128();
          __m128 t = _mm_or_ps(_mm_cmp_ps(v1, m, _CMP_GT_OQ), _mm_cmp_ps(v1, v1, _CMP_UNORD_Q));
          m = _mm_blendv_ps(m, v1, t);
          idx = _mm_castps_si128(_mm_blendv_ps(_mm_castsi128_ps(idx), _mm_castsi128_ps(j1), t));
          t = _mm_or_ps(_mm_cmp_ps(v2, m, _CMP_GT_OQ), _mm_cmp_ps(v2, v2, _CMP_UNORD_Q));
          m = _mm_blendv_ps(m, v2, t);
          idx = _mm_castps_si128(_mm_blendv_ps(_mm_castsi128_ps(idx), _mm_castsi128_ps(jW), t));
          t = _mm_or_ps(_mm_cmp_ps(v3, m, _CMP_GT_OQ), _mm_cmp_ps(v3, v3, _CMP_UNORD_Q));
          m = _mm_blendv_ps(m, v3, t);
          idx = _mm_castps_si128(_mm_blendv_ps(_mm_castsi128_ps(idx), _mm_castsi128_ps(jW1), t));
          _mm_storeu_ps(o + oh * OW + ow, m);
          if (!Ind) continue;
          const __m128i pos = _mm_add_epi32(idx, _mm_add_epi32(lane2s, _mm_set1_epi32((int)(2 * oh * W + 2 * ow))));
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(oi + oh * OW + ow), _mm256_cvtepi32_epi64(pos));
        }
        continue;
      }
      for (int64_t ow = nblk > 0 ? OW : 0; ow < OW; ow++) {  // rows of 1 to 3 outputs
        const int64_t first = 2 * oh * W + 2 * ow;
        const float* b = plane + first;
        float m = b[0];
        int64_t best = 0;
        const int64_t offs[3] = {1, W, W + 1};
        for (int k = 0; k < 3; k++) {
          const float v = b[offs[k]];
          const bool take = v > m || v != v;  // branch-free: the winner is data-dependent
          m = take ? v : m;
          best = take ? offs[k] : best;
        }
        o[oh * OW + ow] = m;
        if (Ind) oi[oh * OW + ow] = first + best;
      }
    }
  }
}
#endif

#if defined(__x86_64__)
// Stride 2, dilation 1, any window and padding, float32 (ResNet's 3x3/2 pad 1 stem pool): output
// columns whose window lies inside the row run 8 at a time (each window column is the even lanes
// of two loads), the border columns scalar; kernel rows outside the plane are skipped, as the
// general loop skips them. Same scan order and rule as the general loop.
__attribute__((target("avx2,fma"))) void maxPoolS2Avx2(const PoolGeom& g, float* out, int64_t* ind, const float* x,
                                                       int64_t p0, int64_t p1) {
  const int64_t H = g.H, W = g.W, OW = g.OW, KH = g.KH, KW = g.KW;
  const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  // vector blocks: window inside the row and the 16-float loads too: 2*ow - PW >= 0, 2*ow - PW + KW + 15 <= W
  const int64_t owA = (g.PW + 1) / 2;
  auto scalarAt = [&](const float* plane, int64_t hs, int64_t he, int64_t ow, float* o, int64_t* oi) {
    int64_t ws = ow * 2 - g.PW;
    const int64_t we = std::min(ws + KW, W);
    ws = std::max<int64_t>(ws, 0);
    int64_t best = hs * W + ws;
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t h = hs; h < he; h++)
      for (int64_t w = ws; w < we; w++) {
        const float v = plane[h * W + w];
        if (v > m || std::isnan(v)) { m = v; best = h * W + w; }
      }
    *o = m;
    *oi = best;
  };
  for (int64_t p = p0; p < p1; p++) {
    const float* plane = x + p * H * W;
    float* o = out + p * g.OH * OW;
    int64_t* oi = ind + p * g.OH * OW;
    for (int64_t oh = 0; oh < g.OH; oh++) {
      int64_t hs = oh * 2 - g.PH;
      const int64_t he = std::min(hs + KH, H);
      hs = std::max<int64_t>(hs, 0);
      float* orow = o + oh * OW;
      int64_t* irow = oi + oh * OW;
      int64_t ow = 0;
      for (; ow < std::min(owA, OW); ow++) scalarAt(plane, hs, he, ow, orow + ow, irow + ow);
      for (; ow + 8 <= OW && 2 * ow - g.PW + 14 + KW + 1 <= W; ow += 8) {
        const int64_t ws = 2 * ow - g.PW;
        __m256 m = _mm256_setzero_ps();
        __m256i idx = _mm256_setzero_si256();
        bool first = true;
        for (int64_t h = hs; h < he; h++)
          for (int64_t kj = 0; kj < KW; kj++) {
            const float* s = plane + h * W + ws + kj;
            const __m256 a0 = _mm256_loadu_ps(s), a1 = _mm256_loadu_ps(s + 8);
            const __m256 v = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a0, a1, 0x88)), 0xD8));
            const __m256i vi = _mm256_add_epi32(lane2, _mm256_set1_epi32((int)(h * W + ws + kj)));
            if (first) { m = v; idx = vi; first = false; continue; }
            const __m256 t = _mm256_or_ps(_mm256_cmp_ps(v, m, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
            m = _mm256_blendv_ps(m, v, t);
            idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(vi), t));
          }
        _mm256_storeu_ps(orow + ow, m);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(irow + ow), _mm256_cvtepi32_epi64(_mm256_castsi256_si128(idx)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(irow + ow + 4), _mm256_cvtepi32_epi64(_mm256_extracti128_si256(idx, 1)));
      }
      for (; ow < OW; ow++) scalarAt(plane, hs, he, ow, orow + ow, irow + ow);
    }
  }
}
#endif

// Where the values-only kernels put the indices nobody reads: kept per thread between calls, and
// let go after a call that grew it past kKeepScratch elements (Pool2d), so one big pooling does
// not hold its size in RSS for the life of the process.
thread_local std::vector<int64_t> scratch;
constexpr size_t kKeepScratch = size_t(1) << 19;  // 4 MiB

// The indices buffer, or null when the caller passed none (values only: inference); with
// nullOk false, a scratch the kernel can write and nobody reads.
int64_t* indicesOf(const PoolGeom& g, const Napi::Array& bufs, bool nullOk) {
  const Napi::Value v = bufs.Get(1);
  if (!v.IsNull() && !v.IsUndefined()) return ptr<int64_t>(bufs, 1, g.off[1]);
  if (nullOk) return nullptr;
  const size_t n = (size_t)(g.P * g.OH * g.OW);
  if (scratch.size() < n) scratch.resize(n);
  return scratch.data();
}

template <class T> bool maxForwardFast(const PoolGeom& g, const Napi::Array& bufs) {
  if (g.DH != 1 || g.DW != 1) return false;
  if (std::is_same<T, float>::value && g.KH == 3 && g.KW == 3 && g.SH == 2 && g.SW == 2 && poolk3::forward(reinterpret_cast<const float*>(ptr<T>(bufs, 2, g.off[2])), reinterpret_cast<float*>(ptr<T>(bufs, 0, g.off[0])), indicesOf(g, bufs, true), g.P, g.H, g.W, g.OH, g.OW, g.PH, g.PW)) return true;
#if defined(__x86_64__)
  // stride 2 with padding (or windows other than 2x2): every window has at least one element
  // inside the plane (PyTorch requires padding <= kernel/2), which the scalar border code relies on
  if (std::is_same<T, float>::value && g.SH == 2 && g.SW == 2 && !(g.KH == 2 && g.KW == 2 && g.PH == 0 && g.PW == 0) &&
      g.PH * 2 <= g.KH && g.PW * 2 <= g.KW && (g.OH - 1) * 2 - g.PH < g.H && (g.OW - 1) * 2 - g.PW < g.W && hasAvx2() &&
      g.H * g.W < (int64_t(1) << 30)) {
    T* out = ptr<T>(bufs, 0, g.off[0]);
    int64_t* ind = indicesOf(g, bufs, false);
    const T* x = ptr<T>(bufs, 2, g.off[2]);
    parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
      maxPoolS2Avx2(g, reinterpret_cast<float*>(out), ind, reinterpret_cast<const float*>(x), p0, p1);
    });
    return true;
  }
#endif
  if (g.PH != 0 || g.PW != 0) return false;
  if ((g.OH - 1) * g.SH + g.KH > g.H || (g.OW - 1) * g.SW + g.KW > g.W) return false;  // ceil_mode partial windows
  T* out = ptr<T>(bufs, 0, g.off[0]);
  int64_t* ind = indicesOf(g, bufs, true);
  const T* x = ptr<T>(bufs, 2, g.off[2]);
#if defined(__x86_64__)
  if (std::is_same<T, float>::value && g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && hasAvx2() && g.H * g.W < (int64_t(1) << 30)) {
    parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
      if (ind) maxPool2x2s2Avx2<true>(g, reinterpret_cast<float*>(out), ind, reinterpret_cast<const float*>(x), p0, p1);
      else maxPool2x2s2Avx2<false>(g, reinterpret_cast<float*>(out), nullptr, reinterpret_cast<const float*>(x), p0, p1);
    });
    return true;
  }
#endif
  if (!ind) ind = indicesOf(g, bufs, false);
  parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
    if (g.KH == 2 && g.KW == 2) maxForwardInside<T, 2>(g, out, ind, x, p0, p1);
    else if (g.KH == 3 && g.KW == 3) maxForwardInside<T, 3>(g, out, ind, x, p0, p1);
    else maxForwardInside<T, 0>(g, out, ind, x, p0, p1);
  });
  return true;
}

// buffers [out, indices (int64), input]
// Adaptive: window i spans [floor(i*H/OH), ceil((i+1)*H/OH)) (adaptive_max_pool2d); K/S/P/D unused.
template <class T, bool Adaptive = false> void maxForward(const PoolGeom& g, const Napi::Array& bufs) {
  if (!Adaptive && maxForwardFast<T>(g, bufs)) return;
  T* out = ptr<T>(bufs, 0, g.off[0]);
  int64_t* ind = indicesOf(g, bufs, false);
  const T* x = ptr<T>(bufs, 2, g.off[2]);
  parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const T* plane = x + p * g.H * g.W;
      for (int64_t oh = 0; oh < g.OH; oh++)
        for (int64_t ow = 0; ow < g.OW; ow++) {
          int64_t hs, ws, he, we;
          if (Adaptive) {
            hs = (oh * g.H) / g.OH; he = ((oh + 1) * g.H + g.OH - 1) / g.OH;
            ws = (ow * g.W) / g.OW; we = ((ow + 1) * g.W + g.OW - 1) / g.OW;
          } else {
            hs = oh * g.SH - g.PH; ws = ow * g.SW - g.PW;
            he = std::min(hs + (g.KH - 1) * g.DH + 1, g.H); we = std::min(ws + (g.KW - 1) * g.DW + 1, g.W);
            while (hs < 0) hs += g.DH;
            while (ws < 0) ws += g.DW;
          }
          const int64_t dh = Adaptive ? 1 : g.DH, dw = Adaptive ? 1 : g.DW;
          int64_t best = hs * g.W + ws;
          T m = -std::numeric_limits<T>::infinity();
          for (int64_t h = hs; h < he; h += dh)
            for (int64_t w = ws; w < we; w += dw) {
              const T v = plane[h * g.W + w];
              if (v > m || std::isnan(v)) { m = v; best = h * g.W + w; }
            }
          const int64_t o = (p * g.OH + oh) * g.OW + ow;
          out[o] = m;
          ind[o] = best;
        }
    }
  });
}

#if defined(__x86_64__)
// The input gradient of one plane of a 2x2 stride-2 max pool (no padding, dilation 1), float32:
// the windows do not overlap, so each window's four inputs are written once, gradOut at its
// argmax and zero elsewhere, instead of zero-filling the plane and scattering into it. The values
// are the general loop's: there a gradient lands as 0 + g (so -0 becomes +0, as here). Returns
// false, having written part of the plane, if an index lies outside its window (indices not made
// by the forward): the caller then runs the general loop on the plane, which rewrites all of it.
// Rows of 8 outputs or more only (OW >= 8): on smaller planes (LeNet's 10x10) the zero fill and
// scatter of the general loop measured faster.
// pooled (null: none): the pool's output values, for the fused relu backward of mode 5 (a
// gradient whose window maximum is <= 0 lands as +0, as threshold_backward(g, y) gives there).
__attribute__((target("avx2,fma"))) bool maxBackward2x2s2Plane(const PoolGeom& g, float* plane, const float* go, const int64_t* ind,
                                                               const float* pooled = nullptr) {
  const int64_t W = g.W, OW = g.OW, OH = g.OH;
  const __m256 zero = _mm256_setzero_ps();
  const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14), lowDw = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256i i1 = _mm256_set1_epi32(1), iW = _mm256_set1_epi32((int)W), iW1 = _mm256_set1_epi32((int)W + 1);
  for (int64_t oh = 0; oh < OH; oh++) {
    float* r0 = plane + 2 * oh * W;
    float* r1 = r0 + W;
    const float* gr = go + oh * OW;
    const int64_t* ir = ind + oh * OW;
    for (int64_t blk = 0;; blk++) {  // blocks of 8 outputs, the last one overlapping (same values written twice)
      const int64_t ow = blk * 8 + 8 <= OW ? blk * 8 : OW - 8;
      // the 8 indices as int32 (their high halves must be 0: indices are below 2^30 here)
      const __m256i q0 = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(ir + ow)), lowDw);
      const __m256i q1 = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(ir + ow + 4)), lowDw);
      const __m256i lo = _mm256_permute2x128_si256(q0, q1, 0x20), hi = _mm256_permute2x128_si256(q0, q1, 0x31);
      const __m256i d = _mm256_sub_epi32(lo, _mm256_add_epi32(lane2, _mm256_set1_epi32((int)(2 * oh * W + 2 * ow))));
      const __m256 m0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(d, _mm256_setzero_si256()));
      const __m256 m1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(d, i1));
      const __m256 m2 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(d, iW));
      const __m256 m3 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(d, iW1));
      const __m256 any = _mm256_or_ps(_mm256_or_ps(m0, m1), _mm256_or_ps(m2, m3));
      if (_mm256_movemask_ps(any) != 0xFF || !_mm256_testz_si256(hi, hi)) return false;
      __m256 gv = _mm256_add_ps(_mm256_loadu_ps(gr + ow), zero);  // 0 + g, as the general loop
      if (pooled) gv = _mm256_andnot_ps(_mm256_cmp_ps(_mm256_loadu_ps(pooled + oh * OW + ow), zero, _CMP_LE_OQ), gv);
      const __m256 a = _mm256_and_ps(m0, gv), b = _mm256_and_ps(m1, gv), c = _mm256_and_ps(m2, gv), e = _mm256_and_ps(m3, gv);
      const __m256 ab0 = _mm256_unpacklo_ps(a, b), ab1 = _mm256_unpackhi_ps(a, b);
      const __m256 ce0 = _mm256_unpacklo_ps(c, e), ce1 = _mm256_unpackhi_ps(c, e);
      _mm256_storeu_ps(r0 + 2 * ow, _mm256_permute2f128_ps(ab0, ab1, 0x20));
      _mm256_storeu_ps(r0 + 2 * ow + 8, _mm256_permute2f128_ps(ab0, ab1, 0x31));
      _mm256_storeu_ps(r1 + 2 * ow, _mm256_permute2f128_ps(ce0, ce1, 0x20));
      _mm256_storeu_ps(r1 + 2 * ow + 8, _mm256_permute2f128_ps(ce0, ce1, 0x31));
      if (ow + 8 >= OW) break;
      }
    if (2 * OW < W) {  // the columns no window covers
      std::fill(r0 + 2 * OW, r0 + W, 0.f);
      std::fill(r1 + 2 * OW, r1 + W, 0.f);
    }
  }
  std::fill(plane + 2 * OH * W, plane + g.H * W, 0.f);  // the rows no window covers
  return true;
}
#endif

// Whether maxBackward2x2s2Plane applies (TORCHTS_POOL_FAST=0 turns it off, for comparisons).
bool maxBackward2x2s2Applies(const PoolGeom& g) {
#if defined(__x86_64__)
  static const bool on = [] {
    const char* e = std::getenv("TORCHTS_POOL_FAST");
    return !(e && *e == '0');
  }();
  return on && g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.PH == 0 && g.PW == 0 && g.DH == 1 && g.DW == 1 &&
         g.OW >= 8 && 2 * g.OH <= g.H && 2 * g.OW <= g.W && g.H * g.W < (int64_t(1) << 30) && hasAvx2();
#else
  (void)g;
  return false;
#endif
}

// buffers [gradInput, gradOut, indices]; Relu (mode 5): [gradInput, gradOut, indices, pooled] with
// the pooled values' offset in extra0: the input gradient of relu followed by this max pool, i.e.
// threshold_backward(maxPoolBackward(gradOut), y) with y = relu's output = the pool's input, in one
// pass. y at an argmax is that window's pooled value, so a window whose maximum is <= 0 passes
// nothing (+0 stays, as threshold_backward writes +0 where y <= 0; NaN maxima pass, as there);
// positions that are no argmax are +0 either way. The same values, bit for bit, as the two passes.
template <class T, bool Relu = false> void maxBackward(const PoolGeom& g, const Napi::Array& bufs) {
  T* gx = ptr<T>(bufs, 0, g.off[0]);
  const T* go = ptr<T>(bufs, 1, g.off[1]);
  const int64_t* ind = ptr<int64_t>(bufs, 2, g.off[2]);
  const T* pooled = Relu ? ptr<T>(bufs, 3, (int64_t)g.extra[0]) : nullptr;
  const bool fast = std::is_same<T, float>::value && maxBackward2x2s2Applies(g);
  parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      T* plane = gx + p * g.H * g.W;
#if defined(__x86_64__)
      if (fast && maxBackward2x2s2Plane(g, reinterpret_cast<float*>(plane), reinterpret_cast<const float*>(go) + p * g.OH * g.OW,
                                        ind + p * g.OH * g.OW, Relu ? reinterpret_cast<const float*>(pooled) + p * g.OH * g.OW : nullptr))
        continue;
#endif
      std::fill(plane, plane + g.H * g.W, T(0));
      for (int64_t o = p * g.OH * g.OW; o < (p + 1) * g.OH * g.OW; o++) {
        const int64_t i = ind[o];
        if (Relu && pooled[o] <= T(0)) continue;
        if (i >= 0 && i < g.H * g.W) plane[i] += go[o];
      }
    }
  });
}

// extra = [countIncludePad, divisorOverride (0: none)]
template <class T, bool Backward> void avg(const PoolGeom& g, const Napi::Array& bufs) {
  // forward: [out, input]; backward: [gradInput, gradOut]
  T* dst = ptr<T>(bufs, 0, g.off[0]);
  const T* src = ptr<T>(bufs, 1, g.off[1]);
  const bool includePad = g.extra[0] != 0;
  const int64_t divisor = (int64_t)g.extra[1];
  parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      if (Backward) std::fill(dst + p * g.H * g.W, dst + (p + 1) * g.H * g.W, T(0));
      for (int64_t oh = 0; oh < g.OH; oh++)
        for (int64_t ow = 0; ow < g.OW; ow++) {
          int64_t hs = oh * g.SH - g.PH, ws = ow * g.SW - g.PW;
          int64_t he = std::min(hs + g.KH, g.H + g.PH), we = std::min(ws + g.KW, g.W + g.PW);
          const int64_t poolSize = (he - hs) * (we - ws);
          hs = std::max<int64_t>(hs, 0); ws = std::max<int64_t>(ws, 0);
          he = std::min(he, g.H); we = std::min(we, g.W);
          const int64_t o = (p * g.OH + oh) * g.OW + ow;
          if (hs >= he || ws >= we) { if (!Backward) dst[o] = 0; continue; }
          const int64_t div = divisor ? divisor : (includePad ? poolSize : (he - hs) * (we - ws));
          if (Backward) {
            const T gv = src[o] / (T)div;
            T* plane = dst + p * g.H * g.W;
            for (int64_t h = hs; h < he; h++)
              for (int64_t w = ws; w < we; w++) plane[h * g.W + w] += gv;
          } else {
            const T* plane = src + p * g.H * g.W;
            T s = 0;
            for (int64_t h = hs; h < he; h++)
              for (int64_t w = ws; w < we; w++) s += plane[h * g.W + w];
            dst[o] = s / (T)div;
          }
        }
    }
  });
}

// pool2d(mode, buffers, meta): 0 max forward (indices buffer may be null: values only), 1 max backward, 2 avg forward, 3 avg backward,
// 4 adaptive max forward (its backward is mode 1), 5 max backward fused with the backward of a relu before the pool
Napi::Value Pool2d(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  const PoolGeom g = parse(info[2]);
  const bool f32 = g.dt == kFloat32;
  switch (mode) {
    case 0: f32 ? maxForward<float>(g, bufs) : maxForward<double>(g, bufs); break;
    case 1: f32 ? maxBackward<float>(g, bufs) : maxBackward<double>(g, bufs); break;
    case 2: f32 ? avg<float, false>(g, bufs) : avg<double, false>(g, bufs); break;
    case 3: f32 ? avg<float, true>(g, bufs) : avg<double, true>(g, bufs); break;
    case 4: f32 ? maxForward<float, true>(g, bufs) : maxForward<double, true>(g, bufs); break;
    case 5: f32 ? maxBackward<float, true>(g, bufs) : maxBackward<double, true>(g, bufs); break;
    default: throw std::runtime_error("pool2d: bad mode");
  }
  if (scratch.capacity() > kKeepScratch) std::vector<int64_t>().swap(scratch);
  return info.Env().Undefined();
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("pool2d", Napi::Function::New(env, Pool2d, "pool2d"));
}

}  // namespace tt
