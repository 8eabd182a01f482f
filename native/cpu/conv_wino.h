// SPDX-License-Identifier: BSD-3-Clause
// Winograd F(m x m, 3 x 3) convolution forward for float32, stride 1, dilation 1, groups 1, any
// padding (ResNet's 3x3 layers at 64..512 channels), AVX2 + FMA CPUs only. Included by conv.cc,
// which calls convwino::forward() first and falls back to its other paths when it returns false.
//
//   U[xi][oc][c] = (G g G^T)[xi]          weights, transformed once per distinct weights (see cachedTransform)
//   V[xi][c][t]  = (B^T d B)[xi]          d: the (m+2)^2 input patch of tile t (zero-padded plane)
//   M[xi]        = U[xi] @ V[xi]          (m+2)^2 independent GEMMs (gemmStrided, matmul.cc)
//   y[tile]      = A^T M A + bias         m x m outputs per tile
// Tiles are numbered per image (row-major over the TH x TW tile grid, padded to a multiple of 8
// per image) and the transforms run 8 tiles at a time in AVX2 registers (input patches gathered).
// The default F(2x2) path (run2Packed, below) keeps U and V in the layouts of one 6x16 register
// kernel and fuses it with the output transform; `run` (16 gemmStrided calls) serves F(4x4) and
// TORCHTS_CONV_WINO=3 (the same F(2x2) the old way, for comparisons).
// m = 2 by default: its transforms only add, subtract and halve, so its rounding error stays
// within the direct kernel's (measured max |err| / sum|x*w| ~ 6e-8 against float64); F(4x4,3x3)
// saves more multiplies but its error reaches ~1e-6 of sum|x*w|, which is why it is opt-in
// (TORCHTS_CONV_WINO=4; it fails the conv tests' 2e-6 bound). TORCHTS_CONV_WINO=0 turns this path
// off (read once).
// Every output sees the same operations in the same order whatever the thread count (the GEMM
// promises that, the transforms are per element), so 1 and 2 threads give identical results.
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
namespace convwino {

struct Geom { int64_t N, C, H, W, OC, PH, PW, OH, OW; };

// 0: off, 2: F(2x2,3x3), 4: F(4x4,3x3)
inline int mode() {
  static const int v = [] {
    const char* e = std::getenv("TORCHTS_CONV_WINO");
    if (!e || !*e) return 2;
    const int k = std::atoi(e);
    return k == 0 || k == 2 || k == 3 || k == 4 ? k : 2;
  }();
  return v;
}

struct WinoScratch;
template <class T> T* scratch(int which, size_t n) { return threadScratch<WinoScratch, T>(which, n); }

#if TT_HAVE_AVX2_CODE
typedef float v8 __attribute__((vector_size(32)));

// ---- 1-d transforms on arrays of values (v8 or float), m = 2 and m = 4 ----
template <int m> struct Tr;
template <> struct Tr<2> {
  static constexpr int a = 4;
  template <class V> static inline __attribute__((always_inline)) void bt(const V* d, V* o) {  // B^T d
    o[0] = d[0] - d[2]; o[1] = d[1] + d[2]; o[2] = d[2] - d[1]; o[3] = d[1] - d[3];
  }
  template <class V> static inline __attribute__((always_inline)) void g(const V* w, V* o) {  // G w
    o[0] = w[0]; o[1] = (w[0] + w[1] + w[2]) * 0.5f; o[2] = (w[0] - w[1] + w[2]) * 0.5f; o[3] = w[2];
  }
  template <class V> static inline __attribute__((always_inline)) void at(const V* x, V* o) {  // A^T x
    o[0] = x[0] + x[1] + x[2]; o[1] = x[1] - x[2] - x[3];
  }
};
template <> struct Tr<4> {
  static constexpr int a = 6;
  template <class V> static inline __attribute__((always_inline)) void bt(const V* d, V* o) {
    o[0] = d[0] * 4.f - d[2] * 5.f + d[4];
    o[1] = d[3] + d[4] - (d[1] + d[2]) * 4.f;
    o[2] = (d[1] - d[2]) * 4.f + d[4] - d[3];
    o[3] = (d[3] - d[1]) * 2.f + d[4] - d[2];
    o[4] = (d[1] - d[3]) * 2.f + d[4] - d[2];
    o[5] = d[1] * 4.f - d[3] * 5.f + d[5];
  }
  template <class V> static inline __attribute__((always_inline)) void g(const V* w, V* o) {
    o[0] = w[0] * 0.25f;
    o[1] = (w[0] + w[1] + w[2]) * (-1.f / 6);
    o[2] = (w[0] - w[1] + w[2]) * (-1.f / 6);
    o[3] = w[0] * (1.f / 24) + w[1] * (1.f / 12) + w[2] * (1.f / 6);
    o[4] = w[0] * (1.f / 24) - w[1] * (1.f / 12) + w[2] * (1.f / 6);
    o[5] = w[2];
  }
  template <class V> static inline __attribute__((always_inline)) void at(const V* x, V* o) {
    const V s1 = x[1] + x[2], d1 = x[1] - x[2], s2 = x[3] + x[4], d2 = x[3] - x[4];
    o[0] = x[0] + s1 + s2;
    o[1] = d1 + d2 * 2.f;
    o[2] = s1 + s2 * 4.f;
    o[3] = d1 + d2 * 8.f + x[5];
  }
};

// the even (or odd) elements of the 16 floats a:b, in order
TT_AVX2 inline __attribute__((always_inline)) __m256 evenOdd(__m256 a, __m256 b, bool even) {
  const __m256 s = even ? _mm256_shuffle_ps(a, b, 0x88) : _mm256_shuffle_ps(a, b, 0xDD);  // 0 2 8 10 | 4 6 12 14
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), 0xD8));
}

// U[xi][oc][c] for 8 input channels at a time (the last block masked)
template <int m> TT_AVX2 void weightTransformRange(const Geom& g, const float* w, float* U, int64_t o0, int64_t o1) {
  constexpr int A = Tr<m>::a;
  const int64_t C = g.C, OC = g.OC, plane = OC * C;
  {
    for (int64_t oc = o0; oc < o1; oc++)
      for (int64_t c0 = 0; c0 < C; c0 += 8) {
        const int nl = (int)std::min<int64_t>(8, C - c0);
        alignas(32) int32_t idx[8], msk[8];
        for (int l = 0; l < 8; l++) { idx[l] = (int32_t)(std::min<int64_t>(c0 + l, C - 1) - c0) * 9; msk[l] = l < nl ? -1 : 0; }
        const __m256i vi = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx));
        const float* base = w + (oc * C + c0) * 9;
        v8 k[3][3], t[A][3], u[A][A], col[3], r[A];
        for (int i = 0; i < 3; i++)
          for (int j = 0; j < 3; j++) k[i][j] = (v8)_mm256_i32gather_ps(base + i * 3 + j, vi, 4);
        for (int j = 0; j < 3; j++) {  // columns: t[:, j] = G k[:, j]
          for (int i = 0; i < 3; i++) col[i] = k[i][j];
          Tr<m>::g(col, r);
          for (int i = 0; i < A; i++) t[i][j] = r[i];
        }
        for (int i = 0; i < A; i++) Tr<m>::g(t[i], u[i]);  // rows: u[i, :] = G t[i, :]
        float* dst = U + oc * C + c0;
        if (nl == 8) {
          for (int i = 0; i < A; i++)
            for (int j = 0; j < A; j++) _mm256_storeu_ps(dst + (i * A + j) * plane, (__m256)u[i][j]);
        } else {
          const __m256i vm = _mm256_load_si256(reinterpret_cast<const __m256i*>(msk));
          for (int i = 0; i < A; i++)
            for (int j = 0; j < A; j++) _mm256_maskstore_ps(dst + (i * A + j) * plane, vm, (__m256)u[i][j]);
        }
      }
  }
}

// One H x W input plane copied into a zero-padded Hp x Wp plane: the input columns [x0, x1) land at
// padded columns [x0 + PW, x1 + PW), the rows likewise shifted by PH
inline void padPlane(const Geom& g, const float* src, int64_t Hp, int64_t Wp, float* P) {
  const int64_t x0 = std::max<int64_t>(0, -g.PW), x1 = std::min<int64_t>(g.W, Wp - g.PW);
  for (int64_t y = 0; y < Hp; y++) {
    float* row = P + y * Wp;
    const int64_t iy = y - g.PH;
    if (iy < 0 || iy >= g.H || x1 <= x0) { std::fill(row, row + Wp, 0.f); continue; }
    std::fill(row, row + x0 + g.PW, 0.f);
    std::copy(src + iy * g.W + x0, src + iy * g.W + x1, row + x0 + g.PW);
    std::fill(row + x1 + g.PW, row + Wp, 0.f);
  }
}

// V[xi][c][nl*TPp + t] for images [n0, n0+nb): each (image, channel) plane is copied into a
// zero-padded plane (thread-local), then transformed 8 tiles at a time
template <int m> TT_AVX2 void inputTransformRange(const Geom& g, const float* x, int64_t n0, int64_t nb, int64_t TH, int64_t TW,
                                                  int64_t TPp, float* V, int64_t p0, int64_t p1) {
  constexpr int A = Tr<m>::a;
  const int64_t C = g.C, Hp = TH * m + 2, Wp = TW * m + 2, TP = TH * TW, Ntot = nb * TPp, plane = C * Ntot;
  {
    float* P = scratch<float>(0, (size_t)(Hp * Wp));
    for (int64_t p = p0; p < p1; p++) {
      const int64_t nl = p / C, c = p % C;
      padPlane(g, x + ((n0 + nl) * C + c) * g.H * g.W, Hp, Wp, P);
      float* dst = V + c * Ntot + nl * TPp;
      for (int64_t t0 = 0; t0 < TPp; t0 += 8) {
        alignas(32) int32_t idx[8];
        for (int l = 0; l < 8; l++) {
          const int64_t t = t0 + l;
          idx[l] = t < TP ? (int32_t)((t / TW) * m * Wp + (t % TW) * m) : 0;
        }
        v8 d[A][A], t[A][A], col[A], r[A];
        const int64_t tr = t0 / TW, tc = t0 % TW;
        if (m == 2 && t0 + 8 <= TP && tc + 8 <= TW) {
          // 8 tiles in one row: the columns 2t+k de-interleaved from contiguous loads (no gathers)
          const float* base = P + tr * m * Wp + tc * m;
          for (int i = 0; i < A; i++) {
            const float* row = base + i * Wp;
            const __m256 a0 = _mm256_loadu_ps(row), a1 = _mm256_loadu_ps(row + 8);
            const __m256 b0 = _mm256_loadu_ps(row + 2), b1 = _mm256_loadu_ps(row + 10);
            d[i][0] = (v8)evenOdd(a0, a1, true); d[i][1] = (v8)evenOdd(a0, a1, false);
            d[i][2] = (v8)evenOdd(b0, b1, true); d[i][3] = (v8)evenOdd(b0, b1, false);
          }
        } else {
          const __m256i vi = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx));
          for (int i = 0; i < A; i++)
            for (int j = 0; j < A; j++) d[i][j] = (v8)_mm256_i32gather_ps(P + i * Wp + j, vi, 4);
        }
        for (int j = 0; j < A; j++) {  // columns
          for (int i = 0; i < A; i++) col[i] = d[i][j];
          Tr<m>::bt(col, r);
          for (int i = 0; i < A; i++) t[i][j] = r[i];
        }
        for (int i = 0; i < A; i++) {  // rows
          Tr<m>::bt(t[i], r);
          for (int j = 0; j < A; j++) _mm256_storeu_ps(dst + (i * A + j) * plane + t0, (__m256)r[j]);
        }
      }
    }
  }
}

// out[n0+nl, oc] from M[xi][oc][nl*TPp + t], plus the bias
template <int m> TT_AVX2 void outputTransformRange(const Geom& g, const float* M, const float* bias, int64_t n0, int64_t nb,
                                                   int64_t TH, int64_t TW, int64_t TPp, float* out, int64_t q0, int64_t q1) {
  constexpr int A = Tr<m>::a;
  const int64_t OC = g.OC, TP = TH * TW, Ntot = nb * TPp, plane = OC * Ntot, OHW = g.OH * g.OW;
  {
    for (int64_t q = q0; q < q1; q++) {
      const int64_t nl = q / OC, oc = q % OC;
      const float* src = M + oc * Ntot + nl * TPp;
      float* o = out + ((n0 + nl) * OC + oc) * OHW;
      const v8 b = v8{} + (bias ? bias[oc] : 0.f);
      for (int64_t t0 = 0; t0 < TPp && t0 < TP; t0 += 8) {
        v8 mm[A][A], t[m][A], col[A], r[m];
        for (int i = 0; i < A; i++)
          for (int j = 0; j < A; j++) mm[i][j] = (v8)_mm256_loadu_ps(src + (i * A + j) * plane + t0);
        for (int j = 0; j < A; j++) {
          for (int i = 0; i < A; i++) col[i] = mm[i][j];
          Tr<m>::at(col, r);
          for (int i = 0; i < m; i++) t[i][j] = r[i];
        }
        alignas(32) float y[m][m][8];
        const int64_t tr = t0 / TW, tc = t0 % TW;
        if (m == 2 && t0 + 8 <= TP && tc + 8 <= TW && (tr + 1) * m <= g.OH && (tc + 8) * m <= g.OW) {
          // 8 whole tiles in one row: interleave the two output columns, two 8-float stores per row
          for (int i = 0; i < m; i++) {
            Tr<m>::at(t[i], r);
            const __m256 e = (__m256)(r[0] + b), f = (__m256)(r[1] + b);
            const __m256 lo = _mm256_unpacklo_ps(e, f), hi = _mm256_unpackhi_ps(e, f);  // 0 0 1 1 4 4 5 5 | 2 2 3 3 6 6 7 7
            float* orow = o + (tr * m + i) * g.OW + tc * m;
            _mm256_storeu_ps(orow, _mm256_permute2f128_ps(lo, hi, 0x20));
            _mm256_storeu_ps(orow + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
          }
          continue;
        }
        for (int i = 0; i < m; i++) {
          Tr<m>::at(t[i], r);
          for (int j = 0; j < m; j++) _mm256_store_ps(y[i][j], (__m256)(r[j] + b));
        }
        const int nt = (int)std::min<int64_t>(8, TP - t0);
        for (int l = 0; l < nt; l++) {
          const int64_t tt = t0 + l, oh0 = (tt / TW) * m, ow0 = (tt % TW) * m;
          const int64_t mi = std::min<int64_t>(m, g.OH - oh0), mj = std::min<int64_t>(m, g.OW - ow0);
          for (int64_t i = 0; i < mi; i++) {
            float* orow = o + (oh0 + i) * g.OW + ow0;
            for (int64_t j = 0; j < mj; j++) orow[j] = y[i][j][l];
          }
        }
      }
    }
  }
}

// ---- F(2x2,3x3) with packed operands: no repacking per call, the GEMM fused with the output transform ----
//
//   Up[xi][op][c][6]    U with the output channels in panels of 6 (zero rows past OC), cached
//   Vp[xi][tp][c][16]   V with the tiles in panels of 16 (a chunk of images), from the input transform
// Work items are (tile panel, block of output panels); for each output panel the 16 products
// 6 x 16 over k = 0..C-1 run in registers (one accumulator per output, k in order), then
// A^T M A + bias goes straight into the output: no M buffer, and no GEMM packing.
// Every output sees the same operations whatever the thread count.
constexpr int kMR = 6, kNR = 16;

// Up for output channels [o0, o1) (whole panels: o0 a multiple of 6): the lanes hold the 6 rows of
// a panel (gathered at a stride of C * 9), so each xi of one input channel is one 6-lane store
TT_AVX2 inline void weightTransformPacked(const Geom& g, const float* w, float* Up, int64_t o0, int64_t o1) {
  const int64_t C = g.C, OCP = (g.OC + kMR - 1) / kMR;
  for (int64_t op = o0 / kMR; op * kMR < o1; op++) {
    const int64_t r1 = std::min<int64_t>(kMR, g.OC - op * kMR);
    alignas(32) int32_t idx[8], keep[8];
    for (int l = 0; l < 8; l++) {
      idx[l] = (int32_t)(std::min<int64_t>(l, r1 - 1) * C * 9);
      keep[l] = l < r1 ? -1 : 0;  // rows past OC: zeros
    }
    const __m256i vi = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx));
    const __m256 vk = _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(keep)));
    const float* base = w + op * kMR * C * 9;
    for (int64_t c = 0; c < C; c++) {
      v8 k[3][3], t[4][3], u[4][4], col[3], rr[4];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
          k[i][j] = (v8)_mm256_and_ps(_mm256_i32gather_ps(base + c * 9 + i * 3 + j, vi, 4), vk);
      for (int j = 0; j < 3; j++) {
        for (int i = 0; i < 3; i++) col[i] = k[i][j];
        Tr<2>::g(col, rr);
        for (int i = 0; i < 4; i++) t[i][j] = rr[i];
      }
      for (int i = 0; i < 4; i++) Tr<2>::g(t[i], u[i]);
      // 8-lane stores whose last 2 lanes land on the next channel's first 2 (written next); the
      // block's last channel stores exactly 6 (masked stores are slow on AMD)
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
          float* d = Up + (((i * 4 + j) * OCP + op) * C + c) * kMR;
          const __m256 v = (__m256)u[i][j];
          if (c + 1 < C) {
            _mm256_storeu_ps(d, v);
          } else {
            _mm_storeu_ps(d, _mm256_castps256_ps128(v));
            _mm_storel_pi(reinterpret_cast<__m64*>(d + 4), _mm256_extractf128_ps(v, 1));
          }
        }
    }
  }
}

// The zero-padded planes Xp[nl][c][Hp][Wp] (Hp = 2 TH + 2, Wp = 2 TW + 2) of images [n0, n0 + nb),
// planes p = nl * C + c in [p0, p1)
inline void padPlanes(const Geom& g, const float* x, int64_t n0, int64_t Hp, int64_t Wp, float* Xp, int64_t p0, int64_t p1) {
  for (int64_t p = p0; p < p1; p++) padPlane(g, x + (n0 * g.C + p) * g.H * g.W, Hp, Wp, Xp + p * Hp * Wp);
}

// The packed path keeps the 8 tiles of a group in the lanes in the order kLane (lane l holds tile
// t0 + kLane[l]): the order _mm256_shuffle_ps leaves the even / odd columns of two contiguous
// loads in, and the order in which unpacklo / unpackhi put two output columns back in a row, so
// neither transform needs a cross-lane permute.
constexpr int kLane[8] = {0, 1, 4, 5, 2, 3, 6, 7};

// B^T d B of the tiles t0..t0+7 (t0 a multiple of 8) of the padded plane P into dst[xi * xs + 0..8)
TT_AVX2 inline void inputGroup8(const float* P, int64_t Wp, int64_t TW, int64_t TP, int64_t t0, float* dst, int64_t xs) {
  constexpr int m = 2, A = 4;
  v8 t[A][A], d[A], r[A];
  const int64_t tr = t0 / TW, tc = t0 % TW;
  if (t0 + 8 <= TP && tc + 8 <= TW) {  // 8 tiles in one row: even/odd columns of contiguous loads
    const float* base = P + tr * m * Wp + tc * m;
    for (int i = 0; i < A; i++) {  // each row's horizontal transform as it is loaded
      const float* row = base + i * Wp;
      const __m256 a0 = _mm256_loadu_ps(row), a1 = _mm256_loadu_ps(row + 8);
      const __m256 b0 = _mm256_loadu_ps(row + 2), b1 = _mm256_loadu_ps(row + 10);
      d[0] = (v8)_mm256_shuffle_ps(a0, a1, 0x88); d[1] = (v8)_mm256_shuffle_ps(a0, a1, 0xDD);
      d[2] = (v8)_mm256_shuffle_ps(b0, b1, 0x88); d[3] = (v8)_mm256_shuffle_ps(b0, b1, 0xDD);
      Tr<2>::bt(d, t[i]);
    }
  } else {
    alignas(32) int32_t idx[8];
    for (int l = 0; l < 8; l++) {
      const int64_t tt = t0 + kLane[l];
      idx[l] = tt < TP ? (int32_t)((tt / TW) * m * Wp + (tt % TW) * m) : 0;
    }
    const __m256i vi = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx));
    for (int i = 0; i < A; i++) {
      for (int j = 0; j < A; j++) d[j] = (v8)_mm256_i32gather_ps(P + i * Wp + j, vi, 4);
      Tr<2>::bt(d, t[i]);
    }
  }
  for (int j = 0; j < A; j++) {  // vertical transform, column by column, stored as it comes
    for (int i = 0; i < A; i++) d[i] = t[i][j];
    Tr<2>::bt(d, r);
    for (int i = 0; i < A; i++) _mm256_storeu_ps(dst + (i * A + j) * xs, (__m256)r[i]);
  }
}

// V of tile panel tp (columns tp * 16 .. + 16 of a chunk of `cols` columns; column nl * TPp + t is
// tile t of image nl), channels [c0, c1), from the padded planes Xp: dst[xi * xs + c * 16 + l]
TT_AVX2 inline void panelTransform(const Geom& g, const float* Xp, int64_t Hp, int64_t Wp, int64_t TW, int64_t TPp, int64_t cols,
                                   int64_t tp, int64_t c0, int64_t c1, float* dst, int64_t xs) {
  const int64_t TP = ((Hp - 2) / 2) * TW;
  for (int64_t h = 0; h < 2; h++) {
    const int64_t col = tp * kNR + h * 8;
    if (col >= cols) break;
    const int64_t nl = col / TPp, t0 = col % TPp;
    for (int64_t c = c0; c < c1; c++)
      inputGroup8(Xp + (nl * g.C + c) * Hp * Wp, Wp, TW, TP, t0, dst + c * kNR + h * 8, xs);
  }
}

// o[r * 16 + l] = sum_k a[k * 6 + r] * b[k * 16 + l], l < 8 * NV, k = 0..K-1 in order
template <int NV> TT_AVX2 inline void kernel6(const float* a, const float* b, int64_t K, float* o) {
  __m256 c00 = _mm256_setzero_ps(), c10 = c00, c20 = c00, c30 = c00, c40 = c00, c50 = c00;
  __m256 c01 = c00, c11 = c00, c21 = c00, c31 = c00, c41 = c00, c51 = c00;
  for (int64_t k = 0; k < K; k++, a += kMR, b += kNR) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = NV == 2 ? _mm256_loadu_ps(b + 8) : b0;
    __m256 av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00); if (NV == 2) c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10); if (NV == 2) c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20); if (NV == 2) c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30); if (NV == 2) c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40); if (NV == 2) c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50); if (NV == 2) c51 = _mm256_fmadd_ps(av, b1, c51);
  }
  _mm256_storeu_ps(o + 0 * kNR, c00); _mm256_storeu_ps(o + 1 * kNR, c10); _mm256_storeu_ps(o + 2 * kNR, c20);
  _mm256_storeu_ps(o + 3 * kNR, c30); _mm256_storeu_ps(o + 4 * kNR, c40); _mm256_storeu_ps(o + 5 * kNR, c50);
  if (NV == 2) {
    _mm256_storeu_ps(o + 0 * kNR + 8, c01); _mm256_storeu_ps(o + 1 * kNR + 8, c11); _mm256_storeu_ps(o + 2 * kNR + 8, c21);
    _mm256_storeu_ps(o + 3 * kNR + 8, c31); _mm256_storeu_ps(o + 4 * kNR + 8, c41); _mm256_storeu_ps(o + 5 * kNR + 8, c51);
  }
}

// tiles t0..t0+7 (t0 a multiple of 8, lanes in the order kLane) of one output plane o: A^T mm A + b,
// then the fused epilogue of channel oc where ep is not null (rp: the residual's plane of o)
TT_AVX2 inline void outputTiles8(const Geom& g, const v8 (&mm)[4][4], v8 b, int64_t TH, int64_t TW, int64_t t0, float* o,
                                 const convepi::Epilogue* ep = nullptr, int64_t oc = 0, const float* rp = nullptr) {
  constexpr int m = 2, A = 4;
  const int64_t TP = TH * TW;
  v8 t[m][A], cl[A], r[m];
  for (int j = 0; j < A; j++) {
    for (int i = 0; i < A; i++) cl[i] = mm[i][j];
    Tr<m>::at(cl, r);
    for (int i = 0; i < m; i++) t[i][j] = r[i];
  }
  const bool bn = ep && ep->scale;
  const __m256 sc = _mm256_set1_ps(bn ? ep->scale[oc] : 1.f), sh = _mm256_set1_ps(bn ? ep->shift[oc] : 0.f);
  const int64_t tr = t0 / TW, tc = t0 % TW;
  if (t0 + 8 <= TP && tc + 8 <= TW && (tr + 1) * m <= g.OH && (tc + 8) * m <= g.OW) {
    for (int i = 0; i < m; i++) {
      Tr<m>::at(t[i], r);
      __m256 e = (__m256)(r[0] + b), f = (__m256)(r[1] + b);
      if (bn) { e = convepi::bn8(e, sc, sh); f = convepi::bn8(f, sc, sh); }  // per channel: before the interleave
      const int64_t at = (tr * m + i) * g.OW + tc * m;
      __m256 lo = _mm256_unpacklo_ps(e, f), hi = _mm256_unpackhi_ps(e, f);  // tiles 0 1 | 2 3, 4 5 | 6 7
      if (ep) {
        if (rp) { lo = _mm256_add_ps(lo, _mm256_loadu_ps(rp + at)); hi = _mm256_add_ps(hi, _mm256_loadu_ps(rp + at + 8)); }
        if (ep->relu) { lo = convepi::relu8(lo); hi = convepi::relu8(hi); }
      }
      _mm256_storeu_ps(o + at, lo);      // (lanes 0 1 | 4 5)
      _mm256_storeu_ps(o + at + 8, hi);  // (lanes 2 3 | 6 7)
    }
    return;
  }
  alignas(32) float y[m][m][8];
  for (int i = 0; i < m; i++) {
    Tr<m>::at(t[i], r);
    for (int j = 0; j < m; j++) {
      __m256 e = (__m256)(r[j] + b);
      if (bn) e = convepi::bn8(e, sc, sh);
      _mm256_store_ps(y[i][j], e);
    }
  }
  for (int l = 0; l < 8; l++) {
    const int64_t tt = t0 + kLane[l];
    if (tt >= TP) continue;
    const int64_t oh0 = (tt / TW) * m, ow0 = (tt % TW) * m;
    const int64_t mi = std::min<int64_t>(m, g.OH - oh0), mj = std::min<int64_t>(m, g.OW - ow0);
    for (int64_t i = 0; i < mi; i++) {
      const int64_t at = (oh0 + i) * g.OW + ow0;
      for (int64_t j = 0; j < mj; j++) {
        float v = y[i][j][l];
        if (ep) {
          if (rp) v = v + rp[at + j];
          if (ep->relu) v = convepi::relu1(v);
        }
        o[at + j] = v;
      }
    }
  }
}

// One work item: tile panel tp of the chunk (images from n0), output panels [op0, op1). In
// sub-blocks of at most 8 output panels: for each xi the panel's V (C x 16) stays in L1 while the
// sub-block's U streams past it; the products wait in Mb for the output transform.
constexpr int64_t kSubOP = 8;
TT_AVX2 inline void gemmOutPacked(const Geom& g, const float* Up, const float* Vp, const float* bias, int64_t n0, int64_t TH,
                                  int64_t TW, int64_t TPp, int64_t cols, int64_t XS, float* out, int64_t tp, int64_t op0, int64_t op1,
                                  const convepi::Epilogue* ep) {
  const int64_t C = g.C, OCP = (g.OC + kMR - 1) / kMR, OHW = g.OH * g.OW, TP = TH * TW;
  const int64_t nc = std::min<int64_t>(kNR, cols - tp * kNR);  // 8 or 16 columns
  const int64_t nsub = (op1 - op0 + kSubOP - 1) / kSubOP, per = (op1 - op0 + nsub - 1) / nsub;
  alignas(32) float Mb[kSubOP][16][kMR][kNR];
  for (int64_t s0 = op0; s0 < op1; s0 += per) {
    const int64_t s1 = std::min(op1, s0 + per);
    for (int xi = 0; xi < 16; xi++) {
      const float* b = Vp + xi * XS + tp * C * kNR;
      const float* a = Up + (xi * OCP + s0) * C * kMR;
      for (int64_t op = s0; op < s1; op++, a += C * kMR) {
        if (nc == kNR) kernel6<2>(a, b, C, &Mb[op - s0][xi][0][0]);
        else kernel6<1>(a, b, C, &Mb[op - s0][xi][0][0]);
      }
    }
    for (int64_t op = s0; op < s1; op++) {
      const int64_t r1 = std::min<int64_t>(kMR, g.OC - op * kMR);
      for (int64_t h = 0; h * 8 < nc; h++) {
        const int64_t col = tp * kNR + h * 8, nl = col / TPp, t0 = col % TPp;
        if (t0 >= TP) continue;  // the padding columns of an image
        for (int64_t r = 0; r < r1; r++) {
          const int64_t oc = op * kMR + r;
          v8 mm[4][4];
          for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) mm[i][j] = (v8)_mm256_load_ps(&Mb[op - s0][i * 4 + j][r][h * 8]);
          const int64_t po = ((n0 + nl) * g.OC + oc) * OHW;
          outputTiles8(g, mm, v8{} + (bias ? bias[oc] : 0.f), TH, TW, t0, out + po, ep, oc, ep && ep->res ? ep->res + po : nullptr);
        }
      }
    }
  }
}

// The xi-major schedule (few output pixels per image but several tile panels: 7x7 planes at
// batch >= 4): each item runs one xi and a block of output panels over every tile panel, so each
// U block is read once per call while that xi's V (C x cols) stays in L2; the products go to
// Mx[xi][op][tp][6][16] and a second pass transforms them out. Same sums as gemmOutPacked.
TT_AVX2 inline void gemmXi(const Geom& g, const float* Up, const float* Vp, int64_t XS, int64_t cols, float* Mx, int64_t xi,
                           int64_t op0, int64_t op1) {
  const int64_t C = g.C, OCP = (g.OC + kMR - 1) / kMR, panels = (cols + kNR - 1) / kNR;
  for (int64_t op = op0; op < op1; op++) {
    const float* a = Up + (xi * OCP + op) * C * kMR;
    float* m = Mx + (xi * OCP + op) * panels * (kMR * kNR);
    for (int64_t tp = 0; tp < panels; tp++) {
      const float* b = Vp + xi * XS + tp * C * kNR;
      if (cols - tp * kNR >= kNR) kernel6<2>(a, b, C, m + tp * kMR * kNR);
      else kernel6<1>(a, b, C, m + tp * kMR * kNR);
    }
  }
}

TT_AVX2 inline void outputXi(const Geom& g, const float* Mx, const float* bias, int64_t n0, int64_t TH, int64_t TW, int64_t TPp,
                             int64_t cols, float* out, int64_t op, const convepi::Epilogue* ep) {
  const int64_t OCP = (g.OC + kMR - 1) / kMR, panels = (cols + kNR - 1) / kNR, OHW = g.OH * g.OW, TP = TH * TW;
  const int64_t r1 = std::min<int64_t>(kMR, g.OC - op * kMR), xstride = OCP * panels * kMR * kNR;
  for (int64_t tp = 0; tp < panels; tp++)
    for (int64_t h = 0; h < 2; h++) {
      const int64_t col = tp * kNR + h * 8, nl = col / TPp, t0 = col % TPp;
      if (col >= cols || t0 >= TP) continue;
      const float* m = Mx + (op * panels + tp) * kMR * kNR + h * 8;
      for (int64_t r = 0; r < r1; r++) {
        const int64_t oc = op * kMR + r;
        v8 mm[4][4];
        for (int i = 0; i < 4; i++)
          for (int j = 0; j < 4; j++) mm[i][j] = (v8)_mm256_loadu_ps(m + (i * 4 + j) * xstride + r * kNR);
        const int64_t po = ((n0 + nl) * g.OC + oc) * OHW;
        outputTiles8(g, mm, v8{} + (bias ? bias[oc] : 0.f), TH, TW, t0, out + po, ep, oc, ep && ep->res ? ep->res + po : nullptr);
      }
    }
}

struct WinoMScratch;

// Transformed weights are cached per thread (common/weight_cache.h), keyed by (OC, C, kind).
struct WinoUCache;
constexpr size_t kUCacheFloats = size_t(32) << 20;  // 128 MiB of copies and transforms per thread

// kind: m (2 or 4) for U in the [xi][oc][c] layout, -2 for Up (packed F(2x2)); nu floats;
// fill(U, o0, o1) transforms the output channels [o0, o1), in steps of `step` channels
template <class Fill> const float* cachedTransform(const Geom& g, const float* w, int kind, size_t nu, int64_t step, Fill fill) {
  const int64_t steps = (g.OC + step - 1) / step, grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.C * step));
  auto transform = [&](float* U) {
    parallelFor(steps, grain, [&](int64_t s0, int64_t s1) { fill(U, s0 * step, std::min(g.OC, s1 * step)); });
  };
  if (float* U = cachedDerivedWeights<WinoUCache>(w, (size_t)(g.OC * g.C * 9), g.OC, g.C, kind, nu, kUCacheFloats, transform))
    return U;
  float* U = scratch<float>(1, nu);  // too big to keep: transform into scratch every call
  transform(U);
  return U;
}

template <int m> const float* transformedWeights(const Geom& g, const float* w) {
  constexpr int A = Tr<m>::a;
  return cachedTransform(g, w, m, (size_t)(A * A * g.OC * g.C), 1,
                         [&](float* U, int64_t o0, int64_t o1) { weightTransformRange<m>(g, w, U, o0, o1); });
}

inline const float* transformedWeightsPacked(const Geom& g, const float* w) {
  const int64_t OCP = (g.OC + kMR - 1) / kMR;
  return cachedTransform(g, w, -2, (size_t)(16 * OCP * kMR * g.C), kMR,
                         [&](float* U, int64_t o0, int64_t o1) { weightTransformPacked(g, w, U, o0, o1); });
}

// dynamic claiming, workers polling between regions (conv_epilogue.h)
template <class F> void dynamicFor(int64_t n, F&& fn) { convepi::dynamicFor(n, fn); }

// The weight check of a cached Up (common/weight_cache.h), run as items of the main computation's
// region rather than before it: memcmp of blocks of the weights against the copy Up came from,
// spread evenly between the work items, so one thread's check streams memory while another
// computes. Any difference: the caller throws the results away and runs again with the check first.
struct DeferredCheck {
  static constexpr int64_t kBlock = int64_t(1) << 16;
  const float* w = nullptr;
  const float* copy = nullptr;
  int64_t nw = 0;
  std::atomic<bool> differ{false};
  int64_t blocks() const { return (nw + kBlock - 1) / kBlock; }
  void run(int64_t b) {
    if (differ.load(std::memory_order_relaxed)) return;
    const int64_t o = b * kBlock, len = std::min(kBlock, nw - o);
    if (std::memcmp(w + o, copy + o, (size_t)len * sizeof(float)) != 0) differ.store(true, std::memory_order_relaxed);
  }
};

// dynamicFor over n work items plus chk's blocks (none when chk is null), the blocks spread evenly
template <class F> void dynamicForChecked(int64_t n, DeferredCheck* chk, F&& fn) {
  const int64_t nc = chk ? chk->blocks() : 0;
  if (nc == 0) return dynamicFor(n, fn);
  std::vector<int64_t> order;  // >= 0: work item, < 0: check block ~b
  order.reserve((size_t)(n + nc));
  int64_t acc = 0, b = 0;
  for (int64_t i = 0; i < n; i++) {
    order.push_back(i);
    for (acc += nc; acc >= n && b < nc; acc -= n) order.push_back(~b++);
  }
  while (b < nc) order.push_back(~b++);
  dynamicFor((int64_t)order.size(), [&](int64_t k) {
    const int64_t v = order[(size_t)k];
    if (v >= 0) fn(v);
    else chk->run(~v);
  });
}

// checkFirst: the cached Up's weight check before the computation (cachedDerivedWeights), not
// alongside it; with more than one thread and a cached Up, the first call defers it (DeferredCheck)
// and, where the weights changed, runs again with checkFirst. TORCHTS_CONV_WINO_DEFER=0 (read
// once) always checks first, for comparisons.
inline void run2Packed(const Geom& g, const float* x, const float* w, const float* bias, float* out, const convepi::Epilogue* ep,
                       bool checkFirst = false) {
  const int64_t TH = (g.OH + 1) / 2, TW = (g.OW + 1) / 2, TPp = (TH * TW + 7) / 8 * 8, Hp = 2 * TH + 2, Wp = 2 * TW + 2;
  const int64_t OCP = (g.OC + kMR - 1) / kMR;
  const int threads = getNumThreads();
  // Three schedules, the same sums in the same order (so the same bits) whichever runs:
  // - fused (many tile panels, U up to 8 MiB): one work item per tile panel, which transforms its
  //   own tiles into a thread-local V and runs every output panel over it (gemmOutPacked);
  // - xi-major (few tile panels, or 512-channel weights, whose 16 MiB of U the fused schedule
  //   would re-read for every tile panel): V of the whole chunk first, then (xi, output panels)
  //   items over all tile panels (gemmXi) and an output pass (outputXi);
  // - one tile panel or a few (7x7 planes at batch 1): V first, then items of (tile panel, block of
  //   output panels), so that each thread gets several.
  // Chunks of images: Xp (fused) or V (the others) near 2M floats. TORCHTS_CONV_WINO_SCHED=f / x / s
  // forces one (f: fused, x: xi-major, s: the third), for comparisons.
  static const char* sched = std::getenv("TORCHTS_CONV_WINO_SCHED");
  const bool forced = sched && (sched[0] == 'f' || sched[0] == 'x' || sched[0] == 's');
  const bool fused = forced ? sched[0] == 'f'
                            : (g.N * TPp + kNR - 1) / kNR >= threads * 8 && 16 * OCP * kMR * g.C <= (int64_t(2) << 20);
  const int64_t perImage = fused ? g.C * Hp * Wp : 16 * g.C * TPp;
  const int64_t nbMax = std::max<int64_t>(1, std::min<int64_t>(g.N, (int64_t(2) << 20) / perImage));
  const size_t nw = (size_t)(g.OC * g.C * 9), nu = (size_t)(16 * OCP * kMR * g.C);
  static const bool defer = [] { const char* e = std::getenv("TORCHTS_CONV_WINO_DEFER"); return !(e && e[0] == '0'); }();
  DerivedWeights* cached = defer && !checkFirst && threads > 1 ? uncheckedDerivedWeights<WinoUCache>(w, nw, g.OC, g.C, -2, nu) : nullptr;
  DeferredCheck check;
  if (cached) { check.w = w; check.copy = cached->wcopy.data(); check.nw = (int64_t)nw; }
  DeferredCheck* chk = cached ? &check : nullptr;  // goes with the first chunk's main region
  const float* Up = cached ? cached->derived.data() : transformedWeightsPacked(g, w);
  float* Xp = scratch<float>(3, (size_t)(nbMax * g.C * Hp * Wp));
  for (int64_t n0 = 0; n0 < g.N; n0 += nbMax) {
    const int64_t nb = std::min(nbMax, g.N - n0), cols = nb * TPp, panels = (cols + kNR - 1) / kNR;
    {
      const int64_t per = std::max<int64_t>(1, 16384 / (Hp * Wp)), items = (nb * g.C + per - 1) / per;
      dynamicFor(items, [&](int64_t i) { padPlanes(g, x, n0, Hp, Wp, Xp, i * per, std::min(nb * g.C, (i + 1) * per)); });
    }
    if (fused) {
      // the 16 xi blocks 64 bytes off a multiple of 4 KiB apart: the 16 stores of a tile group
      // and the kernel's reads do not all fall into one L1 set
      const int64_t xs = g.C * kNR + 16;
      dynamicForChecked(panels, chk, [&](int64_t tp) {
        float* Vt = scratch<float>(0, (size_t)(16 * xs));
        panelTransform(g, Xp, Hp, Wp, TW, TPp, cols, tp, 0, g.C, Vt, xs);
        gemmOutPacked(g, Up, Vt - tp * g.C * kNR, bias, n0, TH, TW, TPp, cols, xs, out, tp, 0, OCP, ep);
      });
      chk = nullptr;
      continue;
    }
    const int64_t XS = g.C * panels * kNR + 16;
    float* Vp = scratch<float>(2, (size_t)(16 * XS));
    const int64_t cb = 32, cbs = (g.C + cb - 1) / cb;  // channel blocks: even one panel is split over the threads
    dynamicFor(panels * cbs, [&](int64_t i) {
      const int64_t tp = i / cbs, c0 = (i % cbs) * cb;
      panelTransform(g, Xp, Hp, Wp, TW, TPp, cols, tp, c0, std::min(g.C, c0 + cb), Vp + tp * g.C * kNR, XS);
    });
    if (forced ? sched[0] == 'x' : panels >= 4) {  // xi-major
      const int64_t per = 4, obs = (OCP + per - 1) / per;
      float* Mx = threadScratch<WinoMScratch, float>(0, (size_t)(16 * OCP * panels * kMR * kNR));
      dynamicForChecked(16 * obs, chk, [&](int64_t i) {
        gemmXi(g, Up, Vp, XS, cols, Mx, i / obs, (i % obs) * per, std::min(OCP, (i % obs + 1) * per));
      });
      chk = nullptr;
      dynamicFor(OCP, [&](int64_t op) { outputXi(g, Mx, bias, n0, TH, TW, TPp, cols, out, op, ep); });
      continue;
    }
    const int64_t want = (int64_t)threads * 8;
    const int64_t nob = std::min<int64_t>(OCP, std::max<int64_t>(1, (want + panels - 1) / panels));
    const int64_t per = (OCP + nob - 1) / nob, obs = (OCP + per - 1) / per;
    dynamicForChecked(panels * obs, chk, [&](int64_t i) {
      const int64_t tp = i / obs, ob = i % obs;
      gemmOutPacked(g, Up, Vp, bias, n0, TH, TW, TPp, cols, XS, out, tp, ob * per, std::min(OCP, (ob + 1) * per), ep);
    });
    chk = nullptr;
  }
  if (cached) {
    if (check.differ.load()) return run2Packed(g, x, w, bias, out, ep, true);  // the weights changed: again, checked first
    confirmedDerivedWeights<WinoUCache>(cached);
  }
}

template <int m> void run(const Geom& g, const float* x, const float* w, const float* bias, float* out) {
  constexpr int A = Tr<m>::a;
  const int64_t TH = (g.OH + m - 1) / m, TW = (g.OW + m - 1) / m, TP = TH * TW, TPp = (TP + 7) / 8 * 8;
  // images per chunk: V and M together near 1M floats (each chunk repacks the transformed
  // weights inside the GEMMs, so at least ~256 tiles per chunk), never over 4M floats (16 MiB)
  const int64_t perImage = A * A * (g.C + g.OC) * TPp;
  const int64_t want = std::max<int64_t>((256 + TPp - 1) / TPp, (int64_t(1) << 20) / perImage);
  const int64_t nbMax = std::max<int64_t>(1, std::min<int64_t>({g.N, want, (int64_t(4) << 20) / perImage}));
  const float* U = transformedWeights<m>(g, w);
  float* V = scratch<float>(2, (size_t)(A * A * g.C * nbMax * TPp));
  float* M = scratch<float>(3, (size_t)(A * A * g.OC * nbMax * TPp));
  for (int64_t n0 = 0; n0 < g.N; n0 += nbMax) {
    const int64_t nb = std::min(nbMax, g.N - n0), Ntot = nb * TPp;
    parallelFor(nb * g.C, 1, [&](int64_t p0, int64_t p1) { inputTransformRange<m>(g, x, n0, nb, TH, TW, TPp, V, p0, p1); });
    // the A*A products: one per thread at a time when each is small, else threaded inside
    const bool big = g.OC * Ntot * g.C >= (int64_t(1) << 22);
    auto one = [&](int64_t xi) {
      gemmStrided(kFloat32, g.OC, Ntot, g.C, U + xi * g.OC * g.C, g.C, 1, V + xi * g.C * Ntot, Ntot, 1,
                  M + xi * g.OC * Ntot, Ntot, 1, 1.0, 0.0);
    };
    if (big) for (int64_t xi = 0; xi < A * A; xi++) one(xi);
    else parallelFor(A * A, 1, [&](int64_t a0, int64_t a1) { for (int64_t xi = a0; xi < a1; xi++) one(xi); });
    parallelFor(nb * g.OC, 1, [&](int64_t q0, int64_t q1) { outputTransformRange<m>(g, M, bias, n0, nb, TH, TW, TPp, out, q0, q1); });
  }
}
#endif

// Whether the Winograd path takes this convolution (float32, 3x3, stride 1, dilation 1, groups 1
// already checked by the caller): enough channels that the GEMMs dominate the transforms, and
// tiles that waste little of the grid.
inline bool worthIt(const Geom& g) {
  if (g.C < 16 || g.OC < 16) return false;
  const int m = mode() == 4 ? 4 : 2;
  const int64_t TH = (g.OH + m - 1) / m, TW = (g.OW + m - 1) / m, TP = TH * TW, TPp = (TP + 7) / 8 * 8;
  const double waste = (double)(TPp * m * m) / (double)(g.OH * g.OW);  // computed / needed outputs
  // few tiles: each of the (m+2)^2 GEMMs streams a whole transformed weight matrix for little work
  // (the packed F(2x2) path streams its cached Up once per call even for one panel of 16 tiles)
  return waste < 1.6 && g.N * TPp >= (mode() == 2 ? 16 : 48);
}

// Runs the convolution and returns true, or returns false (nothing written) when this path does
// not apply. x: (N, C, H, W), w: (OC, C, 3, 3), bias: (OC) or null, out: (N, OC, OH, OW), contiguous.
// Few tiles (7x7 planes at batch 1) pay for the weight transform only when it is cached: where the
// weights changed on the last call (a training loop), 7 calls out of 8 take the other paths (which
// read the weights as they are); every 8th runs here and checks, so inference after training
// comes back to this path.
inline bool skipVolatile(const Geom& g, const float* w) {
  const int64_t TPp = ((g.OH + 1) / 2 * ((g.OW + 1) / 2) + 7) / 8 * 8;
  if (g.N * TPp >= 48) return false;
  DerivedWeights* e = findDerivedWeights<WinoUCache>(w, g.OC, g.C, -2);
  return e != nullptr && e->changed != 0 && ++e->skipped % 8 != 0;
}

// ep: the fused epilogue (conv_epilogue.h), applied by the output transform, or null.
inline bool forward(const Geom& g, const float* x, const float* w, const float* bias, float* out,
                    const convepi::Epilogue* ep = nullptr) {
#if TT_HAVE_AVX2_CODE
  if (mode() == 0 || !hasAvx2Fma() || g.N == 0 || g.OH <= 0 || g.OW <= 0 || !worthIt(g)) return false;
  if (mode() == 2 && skipVolatile(g, w)) return false;
  if (mode() == 4 || mode() == 3) {  // F(4x4), or the unpacked F(2x2) path, for comparisons
    if (mode() == 4) run<4>(g, x, w, bias, out);
    else run<2>(g, x, w, bias, out);
    convepi::apply(ep, out, g.N, g.OC, g.OH * g.OW);
  } else {
    run2Packed(g, x, w, bias, out, ep);
  }
  return true;
#else
  (void)g; (void)x; (void)w; (void)bias; (void)out; (void)ep;
  return false;
#endif
}

}  // namespace convwino
}  // namespace tt
