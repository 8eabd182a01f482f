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
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/dtype.h"
#include "common/parallel.h"
#include "common/scratch.h"
#include "common/simd.h"
#include "common/weight_cache.h"
#include "cpu/conv_epilogue.h"
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
  convepi::dynamicRanges(rows * nb, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)), [&](int64_t r0, int64_t r1) {
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

// TORCHTS_CONV_S2=0 turns this file's paths off (read once), for comparisons with conv.cc's own;
// TORCHTS_CONV_S2=1 keeps only im2col + GEMM (turns the direct kernel below off).
inline int mode() {
  static const int m = [] {
    const char* e = std::getenv("TORCHTS_CONV_S2");
    return e && *e ? std::atoi(e) : 2;
  }();
  return m;
}
inline bool enabled() { return mode() != 0; }

// ---- direct kernel: 16 output channels in the vector lanes, no im2col ----
// A register tile is 16 output channels (two vectors of packed weights, [k][16]) x 6 output
// positions, any 6 (they may span output rows): each position's inputs are broadcast straight from
// the zero-padded input planes at base[position] + off[tap], so nothing is unfolded, B is never
// packed and no position outside the output is computed. Each output is one FMA chain over its
// taps in (c, ki, kj) order, the bias added after; the order depends only on the shapes, so 1 and 2
// threads give the same bits. The packed weights are cached per calling thread (see packedWeights).
constexpr int kNP = 6;

#if TT_HAVE_AVX2_CODE
// out[o * OHW + j] (o < noc, j < np) for the positions xs[0..np) (xs[j] = input at tap 0)
// ep (or null): the fused epilogue (conv_epilogue.h) for channels o0 ..; res: the residual at out's position
TT_AVX2 __attribute__((noinline)) void lanesTile(int64_t K, const float* __restrict a, const float* const* xsIn,
                                               const int32_t* __restrict off, int np, int noc, const float* bias, float* out,
                                               int64_t OHW, const convepi::Epilogue* ep, int64_t o0, const float* res) {
  __m256 acc0[kNP], acc1[kNP];
  const float* xs[kNP];
#pragma GCC unroll 8
  for (int j = 0; j < kNP; j++) {
    acc0[j] = acc1[j] = _mm256_setzero_ps();
    xs[j] = xsIn[j];
  }
  for (int64_t k = 0; k < K; k++) {
    const __m256 a0 = _mm256_load_ps(a + k * 16), a1 = _mm256_load_ps(a + k * 16 + 8);
    const int64_t o = off[k];
#pragma GCC unroll 8
    for (int j = 0; j < kNP; j++) {
      const __m256 b = _mm256_broadcast_ss(xs[j] + o);
      acc0[j] = _mm256_fmadd_ps(a0, b, acc0[j]);
      acc1[j] = _mm256_fmadd_ps(a1, b, acc1[j]);
    }
  }
  if (bias) {
    alignas(32) float bb[16] = {};
    for (int i = 0; i < noc; i++) bb[i] = bias[i];
    const __m256 b0 = _mm256_load_ps(bb), b1 = _mm256_load_ps(bb + 8);
#pragma GCC unroll 8
    for (int j = 0; j < kNP; j++) { acc0[j] = _mm256_add_ps(acc0[j], b0); acc1[j] = _mm256_add_ps(acc1[j], b1); }
  }
  if (ep && ep->scale) {  // BatchNorm: the lanes are the channels
    alignas(32) float ss[16] = {}, bb[16] = {};
    for (int i = 0; i < noc; i++) { ss[i] = ep->scale[o0 + i]; bb[i] = ep->shift[o0 + i]; }
    const __m256 s0 = _mm256_load_ps(ss), s1 = _mm256_load_ps(ss + 8), b0 = _mm256_load_ps(bb), b1 = _mm256_load_ps(bb + 8);
#pragma GCC unroll 8
    for (int j = 0; j < kNP; j++) { acc0[j] = convepi::bn8(acc0[j], s0, b0); acc1[j] = convepi::bn8(acc1[j], s1, b1); }
  }
  if (ep && ep->relu && !res) {
#pragma GCC unroll 8
    for (int j = 0; j < kNP; j++) { acc0[j] = convepi::relu8(acc0[j]); acc1[j] = convepi::relu8(acc1[j]); }
  }
  alignas(32) float t[kNP][16];
#pragma GCC unroll 8
  for (int j = 0; j < kNP; j++) { _mm256_store_ps(t[j], acc0[j]); _mm256_store_ps(t[j] + 8, acc1[j]); }
  if (res) {  // the residual, then ReLU, value by value
    for (int o = 0; o < noc; o++)
      for (int j = 0; j < np; j++) {
        float v = t[j][o] + res[o * OHW + j];
        if (ep->relu) v = convepi::relu1(v);
        out[o * OHW + j] = v;
      }
    return;
  }
  if (np == kNP) {
    for (int o = 0; o < noc; o++) {
      float* d = out + o * OHW;
#pragma GCC unroll 8
      for (int j = 0; j < kNP; j++) d[j] = t[j][o];
    }
  } else {
    for (int o = 0; o < noc; o++)
      for (int j = 0; j < np; j++) out[o * OHW + j] = t[j][o];
  }
}
#endif

// Packed weights [ob][k][16] (output channels zero-padded to a multiple of 16) are cached per
// thread (common/weight_cache.h), keyed by (OC, K): inference packs them once.
struct S2WeightCache;
constexpr size_t kWCacheFloats = size_t(16) << 20;  // 64 MiB of copies and packed weights per thread

inline float* align32(float* p) { return reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(p) + 31) & ~uintptr_t(31)); }

inline void packRange(const float* w, int64_t OC, int64_t K, float* A, int64_t ob0, int64_t ob1) {
  for (int64_t ob = ob0; ob < ob1; ob++) {
    float* d = A + ob * K * 16;
    for (int64_t l = 0; l < 16; l++) {
      const int64_t o = ob * 16 + l;
      if (o < OC) {
        const float* s = w + o * K;
        for (int64_t k = 0; k < K; k++) d[k * 16 + l] = s[k];
      } else {
        for (int64_t k = 0; k < K; k++) d[k * 16 + l] = 0.f;
      }
    }
  }
}

inline void pack(const float* w, int64_t OC, int64_t K, float* A) {
  const int64_t nob = (OC + 15) / 16;
  parallelFor(nob, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, 16 * K)),
              [&](int64_t a, int64_t b) { packRange(w, OC, K, A, a, b); });
}

inline const float* packedWeights(const float* w, int64_t OC, int64_t K) {
  const size_t np = (size_t)(((OC + 15) / 16) * 16 * K) + 8;  // + 8: room to align to 32 bytes
  float* P = cachedDerivedWeights<S2WeightCache>(w, (size_t)(OC * K), OC, K, 0, np, kWCacheFloats,
                                                [&](float* d) { pack(w, OC, K, align32(d)); });
  if (P == nullptr) {  // too big to keep: pack into scratch every call
    P = scratch<float>(2, np);
    pack(w, OC, K, align32(P));
  }
  return align32(P);
}

// Copies planes [p0, p1) of src (H x W) into dst planes (Hp x Wp) at row PH, column PW, zeros around.
inline void padRange(const float* src, float* dst, int64_t p0, int64_t p1, int64_t H, int64_t W, int64_t Hp, int64_t Wp,
                     int64_t PH, int64_t PW) {
  const int64_t c1 = std::min<int64_t>(Wp, W + PW);  // dst columns [PW, c1) have a source
  for (int64_t pl = p0; pl < p1; pl++) {
    const float* s = src + pl * H * W;
    float* d = dst + pl * Hp * Wp;
    for (int64_t r = 0; r < Hp; r++) {
      float* dr = d + r * Wp;
      const int64_t sr = r - PH;
      if (sr < 0 || sr >= H || c1 <= PW) { std::fill(dr, dr + Wp, 0.f); continue; }
      std::fill(dr, dr + PW, 0.f);
      std::memcpy(dr + PW, s + sr * W, sizeof(float) * (size_t)(c1 - PW));
      std::fill(dr + c1, dr + Wp, 0.f);
    }
  }
}

// Whether the direct kernel takes the convolution: AVX2, enough taps and output channels that a
// tile's 12 accumulators dominate its transposed store, 32-bit tap offsets, and at most 512 taps.
// Measured against im2col + GEMM (1 thread, CPU time, the AVX2 VM): the 7x7/2 stem (147 taps)
// 0.75x the time at batch 1 and 8; 3x3/2 64->128 (576 taps) level; 3x3/2 256->512 on 14x14
// (2304 taps) 1.24x slower at batch 8 (the 147 KiB weight panel and the image share L2; the GEMM
// blocks K); 1x1/2 (64-256 taps) 1.3x slower (the strided gather + GEMM has no transposed store).
inline bool directApplies(const Geom& g) {
  if (mode() != 2 || !hasAvx2Fma()) return false;
  const int64_t K = g.C * g.KH * g.KW;
  if (K < 16 || K > 512 || g.OC < 16 || g.KH * g.KW == 1) return false;
  const int64_t Hp = std::max(g.H + g.PH, (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1);
  const int64_t Wp = std::max(g.W + g.PW, (g.OW - 1) * g.SW + (g.KW - 1) * g.DW + 1);
  return g.C * Hp * Wp < (int64_t(1) << 31);
}

#if TT_HAVE_AVX2_CODE
inline void directForward(const Geom& g, const float* x, const float* w, const float* bias, float* out, const convepi::Epilogue* ep) {
  const int64_t K = g.C * g.KH * g.KW, OHW = g.OH * g.OW, nob = (g.OC + 15) / 16;
  // padded planes: just big enough for every tap of every output position (no copy without padding)
  const int64_t Hp = std::max(g.H + g.PH, (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1);
  const int64_t Wp = std::max(g.W + g.PW, (g.OW - 1) * g.SW + (g.KW - 1) * g.DW + 1);
  const bool copy = g.PH != 0 || g.PW != 0 || Hp != g.H || Wp != g.W;
  const int64_t HpWp = Hp * Wp, planes = g.N * g.C;
  const float* xp = x;
  if (copy) {
    float* buf = scratch<float>(3, (size_t)(planes * HpWp));
    convepi::dynamicRanges(planes, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, HpWp)),
                [&](int64_t a, int64_t b) { padRange(x, buf, a, b, g.H, g.W, Hp, Wp, g.PH, g.PW); });
    xp = buf;
  }
  const float* A = packedWeights(w, g.OC, K);
  std::vector<int32_t> off((size_t)K);
  for (int64_t c = 0; c < g.C; c++)
    for (int64_t ki = 0; ki < g.KH; ki++)
      for (int64_t kj = 0; kj < g.KW; kj++)
        off[(size_t)((c * g.KH + ki) * g.KW + kj)] = (int32_t)(c * HpWp + ki * g.DH * Wp + kj * g.DW);
  std::vector<int64_t> base((size_t)OHW);
  for (int64_t oh = 0; oh < g.OH; oh++)
    for (int64_t ow = 0; ow < g.OW; ow++) base[(size_t)(oh * g.OW + ow)] = oh * g.SH * Wp + ow * g.SW;
  // work items (image, run of tiles, 16-channel block), claimed one at a time; the channel block
  // varies fastest, so consecutive items reuse the same input rows
  const int64_t tiles = (OHW + kNP - 1) / kNP;
  // at least ~16 items per thread (the stem at batch 1: 48 of about 60 us rather than 20 of 150 us), so
  // that a thread that starts late or is descheduled leaves little to wait for at the end
  const int64_t runsWanted = std::max<int64_t>(1, (getNumThreads() * 16 + g.N * nob - 1) / (g.N * nob));
  const int64_t per = std::max<int64_t>(1, std::min<int64_t>({tiles, (int64_t(1) << 16) / K, (tiles + runsWanted - 1) / runsWanted}));
  const int64_t runs = (tiles + per - 1) / per, items = g.N * runs * nob;
  auto item = [&](int64_t it) {
    const int64_t ob = it % nob, r = (it / nob) % runs, n = it / (nob * runs);
    const int64_t t0 = r * per, t1 = std::min(tiles, t0 + per), o0 = ob * 16;
    const int noc = (int)std::min<int64_t>(16, g.OC - o0);
    const float* xn = xp + n * g.C * HpWp;
    const float* Ab = A + ob * K * 16;
    float* on = out + (n * g.OC + o0) * OHW;
    const float* bb = bias ? bias + o0 : nullptr;
    for (int64_t t = t0; t < t1; t++) {
      const int64_t q0 = t * kNP;
      const int np = (int)std::min<int64_t>(kNP, OHW - q0);
      const float* xs[kNP];
      for (int j = 0; j < kNP; j++) xs[j] = xn + base[(size_t)(q0 + (j < np ? j : np - 1))];
      lanesTile(K, Ab, xs, off.data(), np, noc, bb, on + q0, OHW, ep, o0, ep && ep->res ? ep->res + (n * g.OC + o0) * OHW + q0 : nullptr);
    }
  };
  const int64_t threads = std::min<int64_t>(getNumThreads(), items);
  if (threads <= 1 || items * K * per * kNP * 16 < (int64_t(1) << 18)) {
    for (int64_t it = 0; it < items; it++) item(it);
    return;
  }
  std::atomic<int64_t> next{0};
  parallelFor(threads, 1, [&](int64_t, int64_t) {
    for (int64_t it; (it = next.fetch_add(1, std::memory_order_relaxed)) < items;) item(it);
  }, convepi::pollNanos());
}
#endif

// Whether this path takes the convolution: float32 2-d, groups 1, a stride above 1.
inline bool applies(const Geom& g) { return (g.SH > 1 || g.SW > 1) && g.N > 0 && g.OH > 0 && g.OW > 0 && enabled(); }

// out (N, OC, OH, OW) = conv(x (N, C, H, W), w (OC, C, KH, KW)) + bias, all contiguous; then the
// fused epilogue ep (conv_epilogue.h) where not null.
inline bool forward(const Geom& g, const float* x, const float* w, const float* bias, float* out,
                    const convepi::Epilogue* ep = nullptr) {
  if (!applies(g)) return false;
#if TT_HAVE_AVX2_CODE
  if (directApplies(g)) { directForward(g, x, w, bias, out, ep); return true; }
#endif
  const int64_t OHW = g.OH * g.OW, K = g.C * g.KH * g.KW;
  // batch items per chunk: enough for ~2048 GEMM columns (seven 14x14 images have 1372), and col
  // under ~8M elements. Bigger chunks of big planes only make col and the copy out of tmp slower.
  // An image of 512 columns or more is a GEMM of its own, written straight into out: measured at
  // batch 8 (1 thread, CPU time) 3x3/2 64->128 and 1x1/2 64->128 on 56x56 (784 columns each)
  // take 0.8x the time of 3-image chunks (no tmp and no copy out of it, a 3x smaller col); on
  // 28x28 and 14x14 planes smaller chunks measured level or slower.
  const int64_t nbMax = OHW >= 512 ? 1 : std::max<int64_t>(1, std::min({g.N, (int64_t(8) << 20) / std::max<int64_t>(1, K * OHW), (2048 + OHW - 1) / OHW}));
  float* col = scratch<float>(0, (size_t)(K * nbMax * OHW));
  float* tmp = scratch<float>(1, nbMax > 1 ? (size_t)(g.OC * nbMax * OHW) : 0);
  for (int64_t n0 = 0; n0 < g.N; n0 += nbMax) {
    const int64_t nb = std::min(nbMax, g.N - n0), NC = nb * OHW;
    im2col(g, x, n0, nb, col);
    float* dst = nb == 1 ? out + n0 * g.OC * OHW : tmp;  // one image: the GEMM writes straight into out
    gemmStrided(kFloat32, g.OC, NC, K, w, K, 1, col, NC, 1, dst, NC, 1, 1.0, 0.0);
    convepi::dynamicRanges(nb * g.OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)), [&](int64_t q0, int64_t q1) {
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
        if (ep) convepi::applyRange(*ep, out, g.OC, OHW, (n0 + nl) * g.OC + oc, (n0 + nl) * g.OC + oc + 1);
      }
    });
  }
  return true;
}

}  // namespace convs2
}  // namespace tt
