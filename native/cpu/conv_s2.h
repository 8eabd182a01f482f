// SPDX-License-Identifier: BSD-3-Clause
// Strided 2-d float32 convolution forward (ResNet's 7x7/2 stem, 3x3/2 and 1x1/2 downsampling
// convs): im2col + the packed GEMM of matmul.cc, like conv.cc's generic path, but with an im2col
// that works on whole runs of valid columns (computed once per kernel column) instead of testing
// every element, and reads stride-2 rows with AVX2 even/odd shuffles. Included by conv.cc, which
// calls convs2::forward() first for strided convolutions and falls back when it returns false.
// The GEMM and the order of every sum are those of conv.cc's path, so results are bit-identical
// to it (and 1 and 2 threads agree).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/dtype.h"
#include "common/parallel.h"
#include "common/scratch.h"
#include "common/simd.h"
#include "cpu/kernels.h"

namespace tt {
namespace convs2 {

struct Geom { int64_t N, C, H, W, OC, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW; };

struct S2Scratch;
template <class T> T* scratch(int which, size_t n) { return threadScratch<S2Scratch, T>(which, n); }

// d[i] = s[2*i] for i in [0, n), reading no further than s[2*n - 2]
#if TT_HAVE_AVX2_CODE
TT_AVX2 inline void copyStride2Avx2(const float* __restrict s, float* __restrict d, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n && 2 * i + 16 <= 2 * n - 1; i += 8) {  // the loads reach s[2*i + 15]
    const __m256 a = _mm256_loadu_ps(s + 2 * i), b = _mm256_loadu_ps(s + 2 * i + 8);
    const __m256 e = _mm256_shuffle_ps(a, b, 0x88);  // 0 2 8 10 | 4 6 12 14
    _mm256_storeu_ps(d + i, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8)));
  }
  for (; i < n; i++) d[i] = s[2 * i];
}
#endif

inline void copyStrided(const float* __restrict s, float* __restrict d, int64_t n, int64_t stride) {
  if (stride == 1) { std::copy(s, s + n, d); return; }
#if TT_HAVE_AVX2_CODE
  if (stride == 2 && hasAvx2Fma()) { copyStride2Avx2(s, d, n); return; }
#endif
  for (int64_t i = 0; i < n; i++) d[i] = s[i * stride];
}

// col[((c*KH+ki)*KW+kj)][nl*OHW + oh*OW + ow] = x[n0+nl, c, oh*SH-PH+ki*DH, ow*SW-PW+kj*DW] (0 outside)
inline void im2col(const Geom& g, const float* x, int64_t n0, int64_t nb, float* col) {
  const int64_t OHW = g.OH * g.OW, NC = nb * OHW, KK = g.KH * g.KW, rows = g.C * KK;
  std::vector<int64_t> lo(g.KW), hi(g.KW);
  for (int64_t kj = 0; kj < g.KW; kj++) {  // the output columns whose input column lies inside [0, W)
    const int64_t off = kj * g.DW - g.PW;
    lo[kj] = off >= 0 ? 0 : std::min<int64_t>(g.OW, (-off + g.SW - 1) / g.SW);
    hi[kj] = g.W - off <= 0 ? 0 : std::min<int64_t>(g.OW, (g.W - off - 1) / g.SW + 1);
    if (hi[kj] < lo[kj]) hi[kj] = lo[kj];
  }
  parallelFor(rows * nb, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t row = r / nb, nl = r % nb;
      const int64_t kj = row % g.KW, ki = (row / g.KW) % g.KH, c = row / KK;
      const float* plane = x + ((n0 + nl) * g.C + c) * g.H * g.W;
      float* dst = col + row * NC + nl * OHW;
      const int64_t a = lo[kj], e = hi[kj], off = kj * g.DW - g.PW;
      for (int64_t oh = 0; oh < g.OH; oh++) {
        float* d = dst + oh * g.OW;
        const int64_t ih = oh * g.SH - g.PH + ki * g.DH;
        if (ih < 0 || ih >= g.H) { std::fill(d, d + g.OW, 0.f); continue; }
        std::fill(d, d + a, 0.f);
        copyStrided(plane + ih * g.W + a * g.SW + off, d + a, e - a, g.SW);
        std::fill(d + e, d + g.OW, 0.f);
      }
    }
  });
}

// TORCHTS_CONV_S2=0 turns this path off (read once), for comparisons with conv.cc's own.
inline bool enabled() {
  static const bool on = [] {
    const char* e = std::getenv("TORCHTS_CONV_S2");
    return !(e && *e && std::atoi(e) == 0);
  }();
  return on;
}

// Whether this path takes the convolution: float32 2-d, groups 1, a stride above 1.
inline bool applies(const Geom& g) { return (g.SH > 1 || g.SW > 1) && g.N > 0 && g.OH > 0 && g.OW > 0 && enabled(); }

// out (N, OC, OH, OW) = conv(x (N, C, H, W), w (OC, C, KH, KW)) + bias, all contiguous.
inline bool forward(const Geom& g, const float* x, const float* w, const float* bias, float* out) {
  if (!applies(g)) return false;
  const int64_t OHW = g.OH * g.OW, K = g.C * g.KH * g.KW;
  // batch items per chunk: enough for ~2048 GEMM columns (one image of the stem has 12544; seven
  // 14x14 ones have 1372), and col under ~8M elements. Bigger chunks of big planes only make col
  // (29 MB for four stem images) and the copy out of tmp slower.
  const int64_t nbMax = std::max<int64_t>(1, std::min({g.N, (int64_t(8) << 20) / std::max<int64_t>(1, K * OHW), (2048 + OHW - 1) / OHW}));
  float* col = scratch<float>(0, (size_t)(K * nbMax * OHW));
  float* tmp = scratch<float>(1, nbMax > 1 ? (size_t)(g.OC * nbMax * OHW) : 0);
  for (int64_t n0 = 0; n0 < g.N; n0 += nbMax) {
    const int64_t nb = std::min(nbMax, g.N - n0), NC = nb * OHW;
    im2col(g, x, n0, nb, col);
    float* dst = nb == 1 ? out + n0 * g.OC * OHW : tmp;  // one image: the GEMM writes straight into out
    gemmStrided(kFloat32, g.OC, NC, K, w, K, 1, col, NC, 1, dst, NC, 1, 1.0, 0.0);
    parallelFor(nb * g.OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)), [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; q++) {
        const int64_t nl = q / g.OC, oc = q % g.OC;
        float* o = out + ((n0 + nl) * g.OC + oc) * OHW;
        const float b = bias ? bias[oc] : 0.f;
        if (nb == 1) {
          if (bias) for (int64_t p = 0; p < OHW; p++) o[p] += b;
        } else {
          const float* s = dst + oc * NC + nl * OHW;
          for (int64_t p = 0; p < OHW; p++) o[p] = s[p] + b;
        }
      }
    });
  }
  return true;
}

}  // namespace convs2
}  // namespace tt
