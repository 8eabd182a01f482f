// SPDX-License-Identifier: BSD-3-Clause
// Direct float32 convolution kernels for stride-1 2-d (and 1-d) convolutions, included by conv.cc only.
//
// The trick ("virtual width"): copy each input plane into a zero-padded plane of width Wp, and
// compute the output on an OH x Wp grid, where output p = oh*Wp + ow reads the padded input at
// p + off[k], off[k] = c*Hp*Wp + ki*DH*Wp + kj*DW for tap k = (c, ki, kj). Along p the input of
// every tap is contiguous, so a register tile of MR output channels x 16 positions is a GEMM
// micro-kernel whose B operand is two unaligned loads straight from the padded input: no im2col,
// no packing of B. The columns ow >= OW of the grid are garbage and never stored. The input
// gradient of a stride-1 convolution is the same kernel on the padded gradOut with the weights
// flipped and transposed; the weight gradient is a dot product along p with gradOut laid out on
// the same grid (zeros in the garbage columns).
//
// Everything here is AVX2+FMA (target attribute); conv.cc calls it only when the CPU has both.
// Results do not depend on the thread count: every output element is summed in one fixed order,
// and the weight gradient sums fixed chunks of the batch in order.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/parallel.h"
#include "common/scratch.h"

namespace tt {
namespace {  // included by conv.cc only
namespace convdirect {

#define TT_AVX2 __attribute__((target("avx2,fma")))

inline bool cpuOk() {
#if defined(__x86_64__)
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return ok;
#else
  return false;
#endif
}

// Thread-local scratch of this file's kernels (common/scratch.h).
struct DirectScratch;
template <class T> T* buf(int which, size_t n) { return threadScratch<DirectScratch, T>(which, n); }

constexpr int64_t kSlack = 64;  // floats of zeros after a padded buffer: the last tile reads up to 24 past it

// One stride-1 convolution of src (N, G*Cs, Hs, Ws) into dst (N, G*Od, OH, OW):
// dst[n, g*Od + o, oh, ow] = bias + sum over (c, ki, kj) of A(g, o, c, ki, kj) * srcPadded[n, g*Cs + c, oh + ki*DH, ow + kj*DW],
// where srcPadded places src at row qh, column qw of an (Hs + 2qh) x (Ws + 2qw) plane (q < 0 crops).
struct Plan {
  int64_t N, G, Cs, Hs, Ws, qh, qw, Od, KH, KW, DH, DW;
  // taps in (ki, c, kj) order, tiles skipping the kernel rows that read only padding (input
  // gradients); otherwise (c, ki, kj), the order of im2col + GEMM, so forward results match it bit for bit
  bool rowMajorTaps = false;
  int64_t Hp() const { return Hs + 2 * qh; }
  int64_t Wp() const { return Ws + 2 * qw; }
  int64_t OH() const { return Hp() - DH * (KH - 1); }
  int64_t OW() const { return Wp() - DW * (KW - 1); }
  int64_t K() const { return Cs * KH * KW; }
  int64_t Pend() const { return (OH() - 1) * Wp() + OW(); }  // one past the last valid grid position
};

// Copies planes [p0, p1) of src (Hs x Ws each) into dst planes (Hp x Wp) shifted by (qh, qw), zero elsewhere.
template <class T>
void padPlaneRange(const T* src, T* dst, int64_t p0, int64_t p1, int64_t Hs, int64_t Ws, int64_t qh, int64_t qw) {
  const int64_t Hp = Hs + 2 * qh, Wp = Ws + 2 * qw;
  const int64_t c0 = std::max<int64_t>(0, qw), c1 = std::min<int64_t>(Wp, Ws + qw);  // dst columns with a source
  for (int64_t pl = p0; pl < p1; pl++) {
    const T* s = src + pl * Hs * Ws;
    T* d = dst + pl * Hp * Wp;
    for (int64_t r = 0; r < Hp; r++) {
      T* dr = d + r * Wp;
      const int64_t sr = r - qh;
      if (sr < 0 || sr >= Hs || c1 <= c0) { std::fill(dr, dr + Wp, T(0)); continue; }
      std::fill(dr, dr + c0, T(0));
      std::memcpy(dr + c0, s + sr * Ws + (c0 - qw), sizeof(T) * (size_t)(c1 - c0));
      std::fill(dr + c1, dr + Wp, T(0));
    }
  }
}

// padPlaneRange over all planes, split over the threads.
template <class T>
void padPlanes(const T* src, T* dst, int64_t planes, int64_t Hs, int64_t Ws, int64_t qh, int64_t qw) {
  const int64_t HpWp = (Hs + 2 * qh) * (Ws + 2 * qw);
  parallelFor(planes, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, HpWp)),
              [&](int64_t a, int64_t b) { padPlaneRange(src, dst, a, b, Hs, Ws, qh, qw); });
}

// padPlanes for one thread: planes [0, planes) of src into dst, plus kSlack zeros after them.
template <class T>
void padPlanesSerial(const T* src, T* dst, int64_t planes, int64_t Hs, int64_t Ws, int64_t qh, int64_t qw) {
  const int64_t Hp = Hs + 2 * qh, Wp = Ws + 2 * qw;
  padPlaneRange(src, dst, 0, planes, Hs, Ws, qh, qw);
  std::fill(dst + planes * Hp * Wp, dst + planes * Hp * Wp + kSlack, T(0));
}

// fn(i) for every i in [0, n), items claimed one at a time by whichever thread is free: a worker
// that wakes late (the VM is shared) still takes its share instead of leaving the caller a fixed half.
template <class Fn> void dynamicFor(int64_t n, const Fn& fn) {
  const int64_t threads = std::min<int64_t>(getNumThreads(), n);
  if (threads <= 1) {
    for (int64_t i = 0; i < n; i++) fn(i);
    return;
  }
  std::atomic<int64_t> next{0};
  parallelFor(threads, 1, [&](int64_t, int64_t) {
    for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  });
}

// ---- forward-type kernel: MR output channels x NV*8 grid positions ----
// Stores the valid positions of rows [0, mr) of the tile into out (row r at outb + r*rowStride,
// position p = oh*Wp + ow at oh*OW + ow) with masked stores, so garbage columns are never written.
TT_AVX2 inline void storeSegments(const float* tile, int NR, int mr, float* outb, int64_t rowStride, int64_t p0, int64_t Pend,
                                  int64_t Wp, int64_t OW) {
  int64_t p = p0;
  const int64_t pe = std::min<int64_t>(p0 + NR, Pend);
  while (p < pe) {
    const int64_t oh = p / Wp, ow = p - oh * Wp;
    if (ow >= OW) { p = (oh + 1) * Wp; continue; }
    const int64_t seg = std::min(pe - p, OW - ow);
    for (int r = 0; r < mr; r++) {
      float* d = outb + r * rowStride + oh * OW + ow;
      const float* src = tile + r * NR + (p - p0);
      // no masked stores (slow on AMD): a tail of a segment of 8 or more rewrites the segment's
      // last 8 values (the same values twice), shorter segments go one value at a time
      if (seg < 8) {
        for (int64_t e = 0; e < seg; e++) d[e] = src[e];
        continue;
      }
      int64_t e = 0;
      for (; e + 8 <= seg; e += 8) _mm256_storeu_ps(d + e, _mm256_loadu_ps(src + e));
      if (e < seg) _mm256_storeu_ps(d + seg - 8, _mm256_loadu_ps(src + seg - 8));
    }
    p += seg;
  }
}

// A is packed [k][MR] (rows past mr zero); the tile is written with storeSegments.
template <int MR, int NV>
TT_AVX2 __attribute__((noinline)) void fwdTile(int mr, int64_t K, const float* __restrict a, const float* __restrict xb,
                                              const int32_t* __restrict off, const float* bias, float* outb, int64_t rowStride,
                                              int64_t p0, int64_t Pend, int64_t Wp, int64_t OW) {
  __m256 acc[MR][NV];
  #pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
    #pragma GCC unroll 16
    for (int j = 0; j < NV; j++) acc[i][j] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; k++) {
    const float* s = xb + off[k];
    __m256 b[NV];
    #pragma GCC unroll 16
    for (int j = 0; j < NV; j++) b[j] = _mm256_loadu_ps(s + 8 * j);
    const float* ak = a + k * MR;
    #pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const __m256 av = _mm256_broadcast_ss(ak + i);
      #pragma GCC unroll 16
      for (int j = 0; j < NV; j++) acc[i][j] = _mm256_fmadd_ps(av, b[j], acc[i][j]);
    }
  }
  if (bias)  // added after the sum, as the GEMM path adds it
    #pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
      #pragma GCC unroll 16
      for (int j = 0; j < NV; j++) acc[i][j] = _mm256_add_ps(acc[i][j], _mm256_set1_ps(i < mr ? bias[i] : 0.f));
  alignas(32) float tile[MR * NV * 8];
  #pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
    #pragma GCC unroll 16
    for (int j = 0; j < NV; j++) _mm256_store_ps(tile + i * NV * 8 + j * 8, acc[i][j]);
  storeSegments(tile, NV * 8, mr, outb, rowStride, p0, Pend, Wp, OW);
}

// Register tiles: 6 channels x 16 positions, or 4 x 24 when the channel count is a multiple of 4
// but not of 6 (16, 64, 128, ...: no padded rows, and 7 loads per 12 FMAs instead of 8).
struct TileCfg { int MR, NR; };
inline TileCfg tileFor(int64_t Od) { return (Od % 4 == 0 && Od % 6 != 0) ? TileCfg{4, 24} : TileCfg{6, 16}; }

// Whether the direct kernel should beat im2col + GEMM: always for short reductions (small
// channel counts, where im2col and packing cost as much as the product), otherwise only while the
// grid wastes little (garbage columns and the last partial tile; 7x7 planes waste about a third).
inline bool worthIt(const Plan& P, int64_t NR) {
  if (P.K() <= 512) return true;
  const int64_t tiles = (P.Pend() + NR - 1) / NR;
  return (double)(P.OH() * P.OW()) >= 0.75 * (double)(tiles * NR);
}
inline bool worthIt(const Plan& P) { return worthIt(P, tileFor(P.Od).NR); }

// Runs the plan. weightAt(g, o, c, ki, kj) gives A; bias (G*Od or null). src/dst contiguous.
// ---- forward with output channels in the lanes (narrow planes, 16k output channels) ----
// The grid wastes its garbage columns and the last partial tile: a third of LeNet's conv2 (10 of
// 14 columns valid). Here a register tile is 16 output channels (two vectors of packed weights)
// x 6 output positions, any 6 valid positions (their inputs broadcast from the padded plane), so
// nothing is computed outside the output. Each output sums its taps in the grid's (c, ki, kj)
// order in one accumulator and adds the bias after, so the results are the grid's, bit for bit.
constexpr int kLanesNP = 6;

inline bool lanesWorthIt(const Plan& P, int64_t NR) {
  if (P.rowMajorTaps || P.Od % 16 != 0 || P.K() > 512) return false;
  const int64_t tiles = (P.Pend() + NR - 1) / NR;
  return (double)(P.OH() * P.OW()) < 0.75 * (double)(tiles * NR);
}

// In-register 8x8 float transpose: r[i] lane l -> r[l] lane i.
TT_AVX2 __attribute__((always_inline)) inline void lanesTranspose8x8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// positions q0 .. q0+np-1 (flattened oh*OW + ow) of the 16 channels at a ([k][16]); out + o*OHW + q
TT_AVX2 __attribute__((noinline)) void lanesTile(int64_t K, const float* __restrict a, const float* __restrict xg,
                                               const int32_t* __restrict off, const int64_t* base, int np, const float* bias,
                                               float* out, int64_t OHW, int64_t q0) {
  __m256 acc[2][kLanesNP];
  #pragma GCC unroll 16
  for (int j = 0; j < kLanesNP; j++) acc[0][j] = acc[1][j] = _mm256_setzero_ps();
  const float* xs[kLanesNP];
  #pragma GCC unroll 16
  for (int j = 0; j < kLanesNP; j++) xs[j] = xg + base[j < np ? j : np - 1];
  for (int64_t k = 0; k < K; k++) {
    const __m256 a0 = _mm256_load_ps(a + k * 16), a1 = _mm256_load_ps(a + k * 16 + 8);
    const int64_t o = off[k];
    #pragma GCC unroll 16
    for (int j = 0; j < kLanesNP; j++) {
      const __m256 b = _mm256_broadcast_ss(xs[j] + o);
      acc[0][j] = _mm256_fmadd_ps(a0, b, acc[0][j]);
      acc[1][j] = _mm256_fmadd_ps(a1, b, acc[1][j]);
    }
  }
  if (bias) {
    const __m256 b0 = _mm256_loadu_ps(bias), b1 = _mm256_loadu_ps(bias + 8);
    #pragma GCC unroll 16
    for (int j = 0; j < kLanesNP; j++) { acc[0][j] = _mm256_add_ps(acc[0][j], b0); acc[1][j] = _mm256_add_ps(acc[1][j], b1); }
  }
  if (np == kLanesNP) {
    // a full tile: two in-register 8x8 transposes (positions 6 and 7 zero) give each channel's 6
    // values in one vector, stored as 4 + 2 floats, instead of 96 scalar stores through memory
    static_assert(kLanesNP == 6, "the transposed store writes 6 positions");
    #pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
      __m256 r[8];
      #pragma GCC unroll 8
      for (int j = 0; j < 6; j++) r[j] = acc[h][j];
      r[6] = r[7] = _mm256_setzero_ps();
      lanesTranspose8x8(r);
      #pragma GCC unroll 8
      for (int oc = 0; oc < 8; oc++) {
        float* d = out + (h * 8 + oc) * OHW + q0;
        _mm_storeu_ps(d, _mm256_castps256_ps128(r[oc]));
        _mm_storel_pi(reinterpret_cast<__m64*>(d + 4), _mm256_extractf128_ps(r[oc], 1));
      }
    }
    return;
  }
  alignas(32) float t[kLanesNP][16];
  #pragma GCC unroll 16
  for (int j = 0; j < kLanesNP; j++) { _mm256_store_ps(t[j], acc[0][j]); _mm256_store_ps(t[j] + 8, acc[1][j]); }
  for (int oc = 0; oc < 16; oc++) {
    float* d = out + oc * OHW + q0;
    for (int j = 0; j < np; j++) d[j] = t[j][oc];
  }
}

template <class WeightAt>
void runLanes(const Plan& P, const float* src, float* dst, const float* bias, const WeightAt& weightAt) {
  const int64_t Hp = P.Hp(), Wp = P.Wp(), HpWp = Hp * Wp, OH = P.OH(), OW = P.OW(), OHW = OH * OW, K = P.K();
  const int64_t Ctot = P.G * P.Cs, Otot = P.G * P.Od, nob = P.Od / 16;
  // packed weights [g][ob][k][16], taps in (c, ki, kj) order
  float* A = buf<float>(0, (size_t)(P.G * nob * K * 16) + 8);
  A = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(A) + 31) & ~uintptr_t(31));
  for (int64_t g = 0; g < P.G; g++)
    for (int64_t ob = 0; ob < nob; ob++)
      for (int64_t c = 0; c < P.Cs; c++)
        for (int64_t ki = 0; ki < P.KH; ki++)
          for (int64_t kj = 0; kj < P.KW; kj++)
            for (int64_t l = 0; l < 16; l++)
              A[((g * nob + ob) * K + (c * P.KH + ki) * P.KW + kj) * 16 + l] = weightAt(g, ob * 16 + l, c, ki, kj);
  std::vector<int32_t> off((size_t)K);
  for (int64_t c = 0; c < P.Cs; c++)
    for (int64_t ki = 0; ki < P.KH; ki++)
      for (int64_t kj = 0; kj < P.KW; kj++) off[(size_t)((c * P.KH + ki) * P.KW + kj)] = (int32_t)(c * HpWp + ki * P.DH * Wp + kj * P.DW);
  // the padded-plane offset of every output position
  std::vector<int64_t> base((size_t)OHW);
  for (int64_t oh = 0; oh < OH; oh++)
    for (int64_t ow = 0; ow < OW; ow++) base[(size_t)(oh * OW + ow)] = oh * Wp + ow;
  const int64_t tiles = (OHW + kLanesNP - 1) / kLanesNP, threads = getNumThreads();
  // one task per sample, or per (sample, run of tiles) when the samples are too few to share out
  const int64_t parts = threads == 1 || P.N >= 4 * threads ? 1 : std::min<int64_t>(tiles, (4 * threads + P.N - 1) / P.N);
  const int64_t per = (tiles + parts - 1) / parts;
  dynamicFor(P.N * parts, [&](int64_t t) {
    const int64_t n = t / parts, tb = (t % parts) * per, te = std::min(tiles, tb + per);
    if (tb >= te) return;
    float* xs = buf<float>(3, (size_t)(Ctot * HpWp + kSlack));
    padPlanesSerial<float>(src + n * Ctot * P.Hs * P.Ws, xs, Ctot, P.Hs, P.Ws, P.qh, P.qw);
    for (int64_t g = 0; g < P.G; g++)
      for (int64_t ob = 0; ob < nob; ob++) {
        const int64_t o0 = g * P.Od + ob * 16;
        const float* Ab = A + (g * nob + ob) * K * 16;
        for (int64_t ti = tb; ti < te; ti++) {
          const int64_t q0 = ti * kLanesNP;
          lanesTile(K, Ab, xs + g * P.Cs * HpWp, off.data(), base.data() + q0, (int)std::min<int64_t>(kLanesNP, OHW - q0),
                    bias ? bias + o0 : nullptr, dst + (n * Otot + o0) * OHW, OHW, q0);
        }
      }
  });
}

template <class WeightAt>
void run(const Plan& P, const float* src, float* dst, const float* bias, const WeightAt& weightAt) {
  if (lanesWorthIt(P, tileFor(P.Od).NR)) return runLanes(P, src, dst, bias, weightAt);
  const int64_t Hp = P.Hp(), Wp = P.Wp(), HpWp = Hp * Wp, OH = P.OH(), OW = P.OW(), K = P.K(), Pend = P.Pend();
  const int64_t Ctot = P.G * P.Cs, Otot = P.G * P.Od;
  const TileCfg cfg = tileFor(P.Od);
  const bool rowMajor = P.rowMajorTaps;
  auto tapIndex = [&](int64_t ki, int64_t c, int64_t kj) {
    return rowMajor ? (ki * P.Cs + c) * P.KW + kj : (c * P.KH + ki) * P.KW + kj;
  };
  const int64_t MR = cfg.MR, NR = cfg.NR;
  const int64_t nob = (P.Od + MR - 1) / MR;
  // packed weights: [g][ob][k][MR], rows past Od zero
  float* A = buf<float>(0, (size_t)(P.G * nob * K * MR));
  for (int64_t g = 0; g < P.G; g++)
    for (int64_t ob = 0; ob < nob; ob++) {
      float* Ab = A + (g * nob + ob) * K * MR;
      for (int64_t ki = 0; ki < P.KH; ki++)
        for (int64_t c = 0; c < P.Cs; c++)
          for (int64_t kj = 0; kj < P.KW; kj++) {
            float* ak = Ab + tapIndex(ki, c, kj) * MR;
            for (int64_t r = 0; r < MR; r++) {
              const int64_t o = ob * MR + r;
              ak[r] = o < P.Od ? weightAt(g, o, c, ki, kj) : 0.f;
            }
          }
    }
  std::vector<int32_t> off((size_t)K);
  for (int64_t ki = 0; ki < P.KH; ki++)
    for (int64_t c = 0; c < P.Cs; c++)
      for (int64_t kj = 0; kj < P.KW; kj++) off[(size_t)tapIndex(ki, c, kj)] = (int32_t)(c * HpWp + ki * P.DH * Wp + kj * P.DW);
  const int64_t perRow = P.Cs * P.KW;  // taps per kernel row
  // padded source for a chunk of samples (the scratch stays under ~8M floats), plus zero slack
  const int64_t nsMax = std::max<int64_t>(1, std::min<int64_t>(P.N, (int64_t)(8 << 20) / std::max<int64_t>(1, Ctot * HpWp)));
  // tasks: (n, chunk of tiles); a chunk keeps its source strip (all channels, its rows) near L2 size
  const int64_t tiles = (Pend + NR - 1) / NR;
  int64_t rows = std::max<int64_t>(1, (int64_t)(48 * 1024) / std::max<int64_t>(1, Ctot * Wp) - P.DH * (P.KH - 1));
  int64_t perChunk = std::max<int64_t>(1, rows * Wp / NR);
  const int64_t stripTiles = perChunk;  // tiles per source strip of about L2 size
  const int64_t threads = getNumThreads();
  while (perChunk > 1 && nsMax * ((tiles + perChunk - 1) / perChunk) < 4 * threads) perChunk = (perChunk + 1) / 2;
  const int64_t nchunk = (tiles + perChunk - 1) / perChunk;
  const int32_t* offp = off.data();
  const int64_t rowStride = OH * OW;
  // the tiles [tb, te) of sample n, whose padded planes (all groups) start at xs
  auto tilesOf = [&](const float* xs, int64_t n, int64_t tb, int64_t te) {
    for (int64_t g = 0; g < P.G; g++) {
      const float* xg = xs + g * P.Cs * HpWp;
      for (int64_t ob = 0; ob < nob; ob++) {
        const int mr = (int)std::min<int64_t>(MR, P.Od - ob * MR);
        const float* Ab = A + (g * nob + ob) * K * MR;
        const int64_t o0 = g * P.Od + ob * MR;
        float* outb = dst + (n * Otot + o0) * rowStride;
        const float* bb = bias ? bias + o0 : nullptr;
        for (int64_t ti = tb; ti < te; ti++) {
          const int64_t p0 = ti * NR;
          // kernel rows whose source rows are all padding for every output row of the tile add
          // exact zeros: skip them (large for input gradients, whose gradOut is padded by K-1)
          const int64_t ohA = p0 / Wp, ohB = (std::min(p0 + NR, Pend) - 1) / Wp;
          const int64_t lo = P.qh - ohB, kiLo = lo <= 0 ? 0 : (lo + P.DH - 1) / P.DH;
          const int64_t hi = P.qh + P.Hs - 1 - ohA, kiHi = hi < 0 ? -1 : std::min<int64_t>(P.KH - 1, hi / P.DH);
          const int64_t kb = rowMajor ? kiLo * perRow : 0, ke = rowMajor ? std::max(kb, (kiHi + 1) * perRow) : K;
          if (MR == 6) fwdTile<6, 2>(mr, ke - kb, Ab + kb * MR, xg + p0, offp + kb, bb, outb, rowStride, p0, Pend, Wp, OW);
          else fwdTile<4, 3>(mr, ke - kb, Ab + kb * MR, xg + p0, offp + kb, bb, outb, rowStride, p0, Pend, Wp, OW);
        }
      }
    }
  };
  // many samples (or one thread): one task per sample, which pads its sample into its thread's
  // scratch (hot in cache for the tiles that follow) and runs all its tiles; one parallel region
  if (threads == 1 || P.N >= 4 * threads) {
    dynamicFor(P.N, [&](int64_t n) {
      float* xs = buf<float>(3, (size_t)(Ctot * HpWp + kSlack));
      padPlanesSerial<float>(src + n * Ctot * P.Hs * P.Ws, xs, Ctot, P.Hs, P.Ws, P.qh, P.qw);
      for (int64_t tb = 0; tb < tiles; tb += stripTiles) tilesOf(xs, n, tb, std::min(tiles, tb + stripTiles));
    });
    return;
  }
  float* xp = buf<float>(1, (size_t)(nsMax * Ctot * HpWp) + kSlack);
  for (int64_t n0 = 0; n0 < P.N; n0 += nsMax) {
  const int64_t ns = std::min(nsMax, P.N - n0);
  padPlanes<float>(src + n0 * Ctot * P.Hs * P.Ws, xp, ns * Ctot, P.Hs, P.Ws, P.qh, P.qw);
  std::fill(xp + ns * Ctot * HpWp, xp + ns * Ctot * HpWp + kSlack, 0.f);
  dynamicFor(ns * nchunk, [&](int64_t t) {
    const int64_t nl = t / nchunk, ch = t % nchunk;
    tilesOf(xp + nl * Ctot * HpWp, n0 + nl, ch * perChunk, std::min(tiles, (ch + 1) * perChunk));
  });
  }
}

// ---- weight gradient: gw[g*Od + o, c, ki, kj] = sum_n sum_p gv[n, g*Od + o, p] * xp[n, g*Cs + c, off + p] ----
// gv is gradOut on the OH x Wp grid (zeros in the garbage columns and up to Lp). MR channels x NK taps
// of 8-lane accumulators, kept in memory (acc) across the samples of a chunk.
template <int MR, int NK>
TT_AVX2 inline void gwBlock(int64_t nb, int64_t Lp, const float* __restrict gv, int64_t gvStride, int64_t gvN, const float* __restrict xb,
                             int64_t xN, const int32_t* __restrict off, __m256* __restrict acc, int64_t accStride) {
  __m256 a[MR][NK];
  #pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
    #pragma GCC unroll 16
    for (int j = 0; j < NK; j++) a[i][j] = acc[i * accStride + j];
  // the samples of the chunk in order, accumulators kept in registers across them
  for (int64_t nl = 0; nl < nb; nl++) {
    const float* xs[NK];
    #pragma GCC unroll 16
    for (int j = 0; j < NK; j++) xs[j] = xb + nl * xN + off[j];
    const float* g = gv + nl * gvN;
    for (int64_t p = 0; p < Lp; p += 8) {
      __m256 xv[NK];
      #pragma GCC unroll 16
      for (int j = 0; j < NK; j++) xv[j] = _mm256_loadu_ps(xs[j] + p);
      #pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        const __m256 gvv = _mm256_load_ps(g + i * gvStride + p);
        #pragma GCC unroll 16
        for (int j = 0; j < NK; j++) a[i][j] = _mm256_fmadd_ps(gvv, xv[j], a[i][j]);
      }
    }
  }
  #pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
    #pragma GCC unroll 16
    for (int j = 0; j < NK; j++) acc[i * accStride + j] = a[i][j];
}

#define TT_GWARGS nb, Lp, gv, gvStride, gvN, xb, xN, off, acc, accStride
template <int MR>
TT_AVX2 inline void gwBlockK(int nk, int64_t nb, int64_t Lp, const float* gv, int64_t gvStride, int64_t gvN, const float* xb, int64_t xN,
                             const int32_t* off, __m256* acc, int64_t accStride) {
  switch (nk) {
    case 4: return gwBlock<MR, 4>(TT_GWARGS);
    case 3: return gwBlock<MR, 3>(TT_GWARGS);
    case 2: return gwBlock<MR, 2>(TT_GWARGS);
    default: return gwBlock<MR, 1>(TT_GWARGS);
  }
}

TT_AVX2 inline void gwBlockN(int mr, int nk, int64_t nb, int64_t Lp, const float* gv, int64_t gvStride, int64_t gvN, const float* xb, int64_t xN,
                             const int32_t* off, __m256* acc, int64_t accStride) {
  switch (mr) {
    case 4: return gwBlockK<4>(nk, TT_GWARGS);
    case 3: return gwBlockK<3>(nk, TT_GWARGS);
    case 2: return gwBlockK<2>(nk, TT_GWARGS);
    default: return gwBlockK<1>(nk, TT_GWARGS);
  }
}
#undef TT_GWARGS

TT_AVX2 inline float hsum(__m256 v) {
  alignas(32) float l[8];
  _mm256_store_ps(l, v);
  return ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
}

constexpr int64_t kGwChunk = 8;  // samples summed in registers before a chunk's partial is added (fixed: thread-count independent)

// One weight-gradient task: channels [o0, o0+mr) x taps [k0, k1) (at most 8*NK) of one group over
// nb samples, MR x NK accumulator blocks; adds to gw.
template <int MR, int NK>
TT_AVX2 __attribute__((noinline)) void gwTask(int mr, int64_t k0, int64_t k1, int64_t nb, int64_t Lp, const float* xg, int64_t xStride,
                                             const float* gvb, int64_t gvStride, const int32_t* off, float* gwRow, int64_t K) {
  constexpr int KPer = 8 * NK;
  __m256 ac[4 * KPer];  // 4 rows: gwBlockN's widest case (mr <= MR <= 4)
  const int64_t kn = k1 - k0;
  #pragma GCC unroll 16
  for (int i = 0; i < MR * KPer; i++) ac[i] = _mm256_setzero_ps();
  // each accumulator sums its samples in order and, within a sample, p in order
  for (int64_t k = k0; k < k1; k += NK) {
    const int nk = (int)std::min<int64_t>(NK, k1 - k);
    if (mr == MR && nk == NK) gwBlock<MR, NK>(nb, Lp, gvb, Lp, gvStride, xg, xStride, off + k, ac + (k - k0), KPer);
    else gwBlockN(mr, nk, nb, Lp, gvb, Lp, gvStride, xg, xStride, off + k, ac + (k - k0), KPer);
  }
  for (int i = 0; i < mr; i++)
    for (int64_t k = 0; k < kn; k++) gwRow[i * K + k0 + k] += hsum(ac[i * KPer + k]);
}

// ---- weight gradient with output channels in the lanes (narrow planes, 16k output channels) ----
// part[tap][16] += sum over the OHW valid positions q of gT[q][16 channels] * x[base[q] + off[tap]]
// for up to 6 taps: 16 channels x 6 taps of accumulators, gradOut transposed to [q][channel] so a
// position's 16 channels are two aligned loads and its inputs are broadcast. Nothing is computed
// for the grid's garbage columns (a quarter of LeNet's conv2 grid).
TT_AVX2 __attribute__((noinline)) void gwLanesTile(int64_t nq, const float* __restrict gT, int64_t ldg, const float* __restrict xg,
                                                 const int32_t* off, int nt, const int64_t* __restrict base, float* part) {
  __m256 acc[kLanesNP][2];
  #pragma GCC unroll 16
  for (int j = 0; j < kLanesNP; j++) acc[j][0] = acc[j][1] = _mm256_setzero_ps();
  const float* xs[kLanesNP];
  #pragma GCC unroll 16
  for (int j = 0; j < kLanesNP; j++) xs[j] = xg + off[j < nt ? j : nt - 1];
  for (int64_t q = 0; q < nq; q++) {
    const __m256 g0 = _mm256_load_ps(gT + q * ldg), g1 = _mm256_load_ps(gT + q * ldg + 8);
    const int64_t b = base[q];
    #pragma GCC unroll 16
    for (int j = 0; j < kLanesNP; j++) {
      const __m256 xv = _mm256_broadcast_ss(xs[j] + b);
      acc[j][0] = _mm256_fmadd_ps(g0, xv, acc[j][0]);
      acc[j][1] = _mm256_fmadd_ps(g1, xv, acc[j][1]);
    }
  }
  alignas(32) float t[kLanesNP][16];  // static indices only above: the accumulators stay in registers
  #pragma GCC unroll 16
  for (int j = 0; j < kLanesNP; j++) { _mm256_store_ps(t[j], acc[j][0]); _mm256_store_ps(t[j] + 8, acc[j][1]); }
  for (int j = 0; j < nt; j++) {
    _mm256_storeu_ps(part + j * 16, _mm256_add_ps(_mm256_loadu_ps(part + j * 16), _mm256_load_ps(t[j])));
    _mm256_storeu_ps(part + j * 16 + 8, _mm256_add_ps(_mm256_loadu_ps(part + j * 16 + 8), _mm256_load_ps(t[j] + 8)));
  }
}

// gw from fixed chunks of kGwChunk samples: each chunk's partial sums, per tap and channel, its
// samples in order (each the sum over q in order); the partials are then added in chunk order.
// Tasks are (chunk, group, channel block, run of taps), so the result does not depend on the threads.
inline bool weightGradLanes(const Plan& P, const float* x, const float* gy, float* gw) {
  const int64_t Hp = P.Hp(), Wp = P.Wp(), HpWp = Hp * Wp, OH = P.OH(), OW = P.OW(), OHW = OH * OW, K = P.K();
  const int64_t Ctot = P.G * P.Cs, Otot = P.G * P.Od, KK = P.KH * P.KW, nob = P.Od / 16, GW = Otot * K;
  const int64_t nc = std::min<int64_t>(kGwChunk, P.N), nchunks = (P.N + nc - 1) / nc;
  if (nchunks * GW > (int64_t)(4 << 20)) return false;  // the partials stay small
  std::vector<int32_t> off((size_t)K);
  for (int64_t c = 0; c < P.Cs; c++)
    for (int64_t ki = 0; ki < P.KH; ki++)
      for (int64_t kj = 0; kj < P.KW; kj++) off[(size_t)(c * KK + ki * P.KW + kj)] = (int32_t)(c * HpWp + ki * P.DH * Wp + kj * P.DW);
  std::vector<int64_t> base((size_t)OHW);
  for (int64_t oh = 0; oh < OH; oh++)
    for (int64_t ow = 0; ow < OW; ow++) base[(size_t)(oh * OW + ow)] = oh * Wp + ow;
  const int64_t ntb = (K + kLanesNP - 1) / kLanesNP, threads = getNumThreads(), blocks = nchunks * P.G * nob;
  const int64_t ntg = blocks >= 4 * threads ? 1 : std::min<int64_t>(ntb, (4 * threads + blocks - 1) / blocks);
  const int64_t tbPer = (ntb + ntg - 1) / ntg;
  // partials [chunk][g][ob][tap][16]
  std::vector<float> part((size_t)(nchunks * GW));
  // The padded input planes of every (sample, group) and the transposed gradOut of every (sample,
  // group, channel block), made once when they are small (LeNet's conv2: 11 KiB a sample) instead
  // of once per task: with few samples the taps are split over several tasks, and each repeated
  // the pad and the scalar transpose of its samples (at batch 4, 4x on one thread, 8x on two).
  // The same values either way, so the sums and the results are unchanged.
  const int64_t xsN = P.Cs * HpWp + kSlack, gTN = OHW * 16;
  const int64_t preN = P.N * P.G * xsN + P.N * P.G * nob * gTN;
  float* pre = nullptr;
  if (ntg > 1 && preN <= (int64_t)(1 << 20)) {
    pre = buf<float>(1, (size_t)preN + 16);  // slot 1: unused by this path otherwise; 2 alignments
    pre = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(pre) + 31) & ~uintptr_t(31));
    float* gTAll = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(pre + P.N * P.G * xsN) + 31) & ~uintptr_t(31));
    const int64_t items = P.N * P.G;
    parallelFor(items, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, xsN + nob * gTN)), [&](int64_t a, int64_t b) {
      for (int64_t it = a; it < b; it++) {
        const int64_t n = it / P.G, g = it % P.G;
        padPlanesSerial<float>(x + (n * Ctot + g * P.Cs) * P.Hs * P.Ws, pre + it * xsN, P.Cs, P.Hs, P.Ws, P.qh, P.qw);
        for (int64_t ob = 0; ob < nob; ob++) {
          float* gT = gTAll + (it * nob + ob) * gTN;
          for (int64_t l = 0; l < 16; l++) {
            const float* src = gy + (n * Otot + g * P.Od + ob * 16 + l) * OHW;
            for (int64_t q = 0; q < OHW; q++) gT[q * 16 + l] = src[q];
          }
        }
      }
    });
  }
  float* const gTAll = pre ? reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(pre + P.N * P.G * xsN) + 31) & ~uintptr_t(31)) : nullptr;
  dynamicFor(blocks * ntg, [&](int64_t t) {
    const int64_t tg = t % ntg, blk = t / ntg, ob = blk % nob, g = (blk / nob) % P.G, c = blk / (nob * P.G);
    const int64_t tb0 = tg * tbPer, tb1 = std::min(ntb, tb0 + tbPer);
    if (tb0 >= tb1) return;
    const int64_t n0 = c * nc, nb = std::min(nc, P.N - n0), o0 = g * P.Od + ob * 16;
    float* pc = part.data() + c * GW + (g * nob + ob) * K * 16;
    std::fill(pc + tb0 * kLanesNP * 16, pc + std::min(K, tb1 * kLanesNP) * 16, 0.f);
    float* xsOwn = nullptr;
    float* gTOwn = nullptr;
    if (!pre) {
      xsOwn = buf<float>(3, (size_t)(P.Cs * HpWp + kSlack));
      gTOwn = buf<float>(2, (size_t)(OHW * 16) + 8);
      gTOwn = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(gTOwn) + 31) & ~uintptr_t(31));
    }
    for (int64_t nl = 0; nl < nb; nl++) {
      const int64_t n = n0 + nl;
      const float* xs;
      const float* gT;
      if (pre) {
        xs = pre + (n * P.G + g) * xsN;
        gT = gTAll + ((n * P.G + g) * nob + ob) * gTN;
      } else {
        padPlanesSerial<float>(x + (n * Ctot + g * P.Cs) * P.Hs * P.Ws, xsOwn, P.Cs, P.Hs, P.Ws, P.qh, P.qw);
        for (int64_t l = 0; l < 16; l++) {
          const float* src = gy + (n * Otot + o0 + l) * OHW;
          for (int64_t q = 0; q < OHW; q++) gTOwn[q * 16 + l] = src[q];
        }
        xs = xsOwn;
        gT = gTOwn;
      }
      for (int64_t tb = tb0; tb < tb1; tb++) {
        const int64_t k0 = tb * kLanesNP;
        gwLanesTile(OHW, gT, 16, xs, off.data() + k0, (int)std::min<int64_t>(kLanesNP, K - k0), base.data(), pc + k0 * 16);
      }
    }
  });
  for (int64_t g = 0; g < P.G; g++)
    for (int64_t ob = 0; ob < nob; ob++)
      for (int64_t l = 0; l < 16; l++) {
        float* d = gw + (g * P.Od + ob * 16 + l) * K;
        for (int64_t k = 0; k < K; k++) d[k] = 0.f;
        for (int64_t c = 0; c < nchunks; c++) {
          const float* pc = part.data() + c * GW + (g * nob + ob) * K * 16;
          for (int64_t k = 0; k < K; k++) d[k] += pc[k * 16 + l];
        }
      }
  return true;
}

// x (N, G*Cs, H, W) with padding (qh, qw) = (PH, PW); gy (N, G*Od, OH, OW); gw (G*Od, Cs, KH, KW).
// lanes: whether the lanes kernel may run where it pays (conv.cc: TORCHTS_CONV_DIRECT bit 16)
inline void weightGrad(const Plan& P, const float* x, const float* gy, float* gw, bool lanes = true) {
  if (lanes && lanesWorthIt(P, tileFor(P.Od).NR) && weightGradLanes(P, x, gy, gw)) return;
  const int64_t Hp = P.Hp(), Wp = P.Wp(), HpWp = Hp * Wp, OH = P.OH(), OW = P.OW(), K = P.K(), Pend = P.Pend();
  const int64_t Ctot = P.G * P.Cs, Otot = P.G * P.Od, KK = P.KH * P.KW;
  const int64_t Lp = (Pend + 7) / 8 * 8;
  std::vector<int32_t> off((size_t)K);
  for (int64_t c = 0; c < P.Cs; c++)
    for (int64_t ki = 0; ki < P.KH; ki++)
      for (int64_t kj = 0; kj < P.KW; kj++) off[(size_t)(c * KK + ki * P.KW + kj)] = (int32_t)(c * HpWp + ki * P.DH * Wp + kj * P.DW);
  const int64_t nc = std::min<int64_t>(kGwChunk, P.N);
  const size_t padN = (size_t)(nc * Ctot * HpWp);
  // tasks: (g, block of 4 channels, block of taps); each owns its accumulators and gw entries
  // 4 channels x 3 taps, or 3 x 4 when the channel count is a multiple of 3 but not of 4 (6: no 2-row block)
  const bool three = P.Od % 4 != 0 && P.Od % 3 == 0;
  const int64_t MR = three ? 3 : 4, KPer = three ? 32 : 24;
  const int64_t nob = (P.Od + MR - 1) / MR, nkb = (K + KPer - 1) / KPer, ntask = P.G * nob * nkb;
  const int32_t* offp = off.data();
  const int64_t nchunks = (P.N + nc - 1) / nc, threads = getNumThreads();
  // enough chunks of samples (or one thread): one task per chunk, which pads its samples and lays
  // out their gradOut in its thread's scratch and sums every block of the chunk into its own
  // partial gw; the partials are then added in chunk order, the order of the per-chunk path below,
  // so the result is the same bits either way and for any thread count. One parallel region.
  if (threads == 1 || nchunks >= 2 * threads) {
    const int64_t GW = Otot * K;
    std::vector<float> part((size_t)(nchunks * GW));
    dynamicFor(nchunks, [&](int64_t c) {
      const int64_t n0 = c * nc, nb = std::min(nc, P.N - n0);
      float* xs = buf<float>(1, padN + kSlack);
      padPlanesSerial<float>(x + n0 * Ctot * P.Hs * P.Ws, xs, nb * Ctot, P.Hs, P.Ws, P.qh, P.qw);
      float* gvt = buf<float>(2, (size_t)(nc * Otot * Lp) + 8);
      gvt = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(gvt) + 31) & ~uintptr_t(31));
      for (int64_t q = 0; q < nb * Otot; q++) {
        const float* sq = gy + (n0 * Otot + q) * OH * OW;
        float* d = gvt + q * Lp;
        std::memset(d, 0, sizeof(float) * (size_t)Lp);
        for (int64_t oh = 0; oh < OH; oh++) std::memcpy(d + oh * Wp, sq + oh * OW, sizeof(float) * (size_t)OW);
      }
      float* pc = part.data() + c * GW;
      std::fill(pc, pc + GW, 0.f);
      for (int64_t t = 0; t < ntask; t++) {
        const int64_t g = t / (nob * nkb), ob = (t / nkb) % nob, kb = t % nkb;
        const int mr = (int)std::min<int64_t>(MR, P.Od - ob * MR);
        const int64_t o0 = g * P.Od + ob * MR, k0 = kb * KPer, k1 = std::min(K, k0 + KPer);
        (three ? gwTask<3, 4> : gwTask<4, 3>)(mr, k0, k1, nb, Lp, xs + g * P.Cs * HpWp, Ctot * HpWp, gvt + o0 * Lp, Otot * Lp, offp, pc + o0 * K, K);
      }
    });
    std::fill(gw, gw + GW, 0.f);
    for (int64_t c = 0; c < nchunks; c++) {
      const float* pc = part.data() + c * GW;
      for (int64_t i = 0; i < GW; i++) gw[i] += pc[i];
    }
    return;
  }
  float* xp = buf<float>(1, padN + kSlack);
  std::fill(xp + padN, xp + padN + kSlack, 0.f);
  float* gv = buf<float>(2, (size_t)(nc * Otot * Lp) + 8);
  gv = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(gv) + 31) & ~uintptr_t(31));  // 32-byte aligned rows (Lp % 8 == 0)
  std::memset(gw, 0, sizeof(float) * (size_t)(Otot * K));
  for (int64_t n0 = 0; n0 < P.N; n0 += nc) {
    const int64_t nb = std::min(nc, P.N - n0);
    padPlanes<float>(x + n0 * Ctot * P.Hs * P.Ws, xp, nb * Ctot, P.Hs, P.Ws, P.qh, P.qw);
    parallelFor(nb * Otot, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, Lp)), [&](int64_t a, int64_t b) {
      for (int64_t q = a; q < b; q++) {
        const float* s = gy + (n0 * Otot + q) * OH * OW;
        float* d = gv + q * Lp;
        std::memset(d, 0, sizeof(float) * (size_t)Lp);
        for (int64_t oh = 0; oh < OH; oh++) std::memcpy(d + oh * Wp, s + oh * OW, sizeof(float) * (size_t)OW);
      }
    });
    parallelFor(ntask, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; t++) {
        const int64_t g = t / (nob * nkb), ob = (t / nkb) % nob, kb = t % nkb;
        const int mr = (int)std::min<int64_t>(MR, P.Od - ob * MR);
        const int64_t o0 = g * P.Od + ob * MR, k0 = kb * KPer, k1 = std::min(K, k0 + KPer);
        (three ? gwTask<3, 4> : gwTask<4, 3>)(mr, k0, k1, nb, Lp, xp + g * P.Cs * HpWp, Ctot * HpWp, gv + o0 * Lp, Otot * Lp, offp, gw + o0 * K, K);
      }
    });
  }
}

// ---- input gradient as col = W^T gy, then col2im, one sample per task (narrow planes) ----
// The grid kernel above computes the input gradient as a correlation over gradOut padded by
// D*(K-1)-P on each side; on LeNet's conv2 (10x10 gradOut, 5x5 kernel) about half of the products
// it forms read that padding. Here col[(c, ki, kj), p] = sum_o w[o, c, ki, kj] * gy[o, p] over the
// OH*OW valid positions only (6 rows x 16 positions per register tile, B straight from gy), then each
// col row is added into gx at its shift. gx[c, ih, iw] sums its (ki, kj) terms in order, each the sum over o.
struct ColPlan { int64_t N, G, Cs, H, W, Od, KH, KW, PH, PW, DH, DW, OH, OW; };

// Whether col + col2im beats the grid kernel: the grid's horizontal padding wastes over a quarter
// of its products, and one sample's col (all groups) stays within L2.
inline bool colWorthIt(const ColPlan& P) {
  const int64_t qw = P.DW * (P.KW - 1) - P.PW;
  if (qw <= 0) return false;
  if ((double)P.OW >= 0.75 * (double)(P.OW + 2 * qw)) return false;
  return P.Cs * P.KH * P.KW * ((P.OH * P.OW + 15) / 16 * 16) <= (int64_t)(64 * 1024) && P.Od <= 1024;
}

// one 6 x 16 tile of col: rows of a packed [k][6], positions xb[k*ldx + 0..15]
TT_AVX2 __attribute__((noinline)) void colTile(int64_t K, const float* __restrict a, const float* __restrict xb, int64_t ldx,
                                             float* __restrict colb, int64_t ldc) {
  __m256 acc[6][2];
  #pragma GCC unroll 16
  for (int i = 0; i < 6; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; k++) {
    const float* s = xb + k * ldx;
    const __m256 b0 = _mm256_loadu_ps(s), b1 = _mm256_loadu_ps(s + 8);
    const float* ak = a + k * 6;
    #pragma GCC unroll 16
    for (int i = 0; i < 6; i++) {
      const __m256 av = _mm256_broadcast_ss(ak + i);
      acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
    }
  }
  #pragma GCC unroll 16
  for (int i = 0; i < 6; i++) {
    _mm256_store_ps(colb + i * ldc, acc[i][0]);
    _mm256_store_ps(colb + i * ldc + 8, acc[i][1]);
  }
}

// dst[0..n) += src[0..n). No masked stores (slow on AMD): a tail of a row of 8 or more is the
// last 8 elements, summed from the values loaded before the previous vector is stored, so the
// overlap is written twice with the same sum.
TT_AVX2 inline void addRow(float* __restrict dst, const float* __restrict src, int64_t n) {
  if (n < 8) {
    for (int64_t i = 0; i < n; i++) dst[i] += src[i];
    return;
  }
  int64_t i = 0;
  for (; i + 16 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_add_ps(_mm256_loadu_ps(dst + i), _mm256_loadu_ps(src + i)));
  const __m256 v = _mm256_add_ps(_mm256_loadu_ps(dst + i), _mm256_loadu_ps(src + i));
  const __m256 t = _mm256_add_ps(_mm256_loadu_ps(dst + n - 8), _mm256_loadu_ps(src + n - 8));
  _mm256_storeu_ps(dst + n - 8, t);
  _mm256_storeu_ps(dst + i, v);
}

// The col2im column masks of a gx row: masks[vb*KW + kj] has the lanes iw = vb*8 + lane whose
// ow = iw - (kj*DW - PW) lies in [0, OW). Written into `small` (64 vectors) or, for wider rows,
// into `big`; returns the 32-byte-aligned table.
TT_AVX2 inline const float* col2imMasks(const ColPlan& P, float* small, std::vector<float>& big) {
  const int64_t nvb = (P.W + 7) / 8;
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  float* masks = small;
  if (nvb * P.KW > 64) {
    big.resize((size_t)(nvb * P.KW * 8 + 8));
    masks = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(big.data()) + 31) & ~uintptr_t(31));
  }
  for (int64_t vb = 0; vb < nvb; vb++)
    for (int64_t kj = 0; kj < P.KW; kj++) {
      const int64_t ow0 = vb * 8 - (kj * P.DW - P.PW);
      const __m256i ow = _mm256_add_epi32(iota, _mm256_set1_epi32((int)ow0));
      const __m256i ge0 = _mm256_cmpgt_epi32(ow, _mm256_set1_epi32(-1)), ltW = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)P.OW), ow);
      _mm256_store_ps(masks + (vb * P.KW + kj) * 8, _mm256_castsi256_ps(_mm256_and_si256(ge0, ltW)));
    }
  return masks;
}

// The Cs planes of one sample and group. Each gx row is summed in registers, 8 columns at a time:
// for every (ki, kj) in order, the col row's segment that lands on those columns, loaded at its
// shift and masked (lanes outside the kernel's reach become +0; the col buffer has slack on both
// sides, so the loads stay inside it). No read-modify-write of gx.
TT_AVX2 __attribute__((noinline)) void col2imGroup(const ColPlan& P, const float* col, int64_t ldc, float* gx) {
  const int64_t nvb = (P.W + 7) / 8;
  alignas(32) float masksSmall[64 * 8];
  std::vector<float> masksBig;
  const float* masks = col2imMasks(P, masksSmall, masksBig);
  alignas(32) float tmp[8];
  for (int64_t c = 0; c < P.Cs; c++) {
    float* plane = gx + c * P.H * P.W;
    const float* cc = col + c * P.KH * P.KW * ldc;
    // 4 rows at a time: 4 independent add chains (rows past H are computed and not stored)
    for (int64_t ih0 = 0; ih0 < P.H; ih0 += 4)
      for (int64_t vb = 0; vb < nvb; vb++) {
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        for (int64_t ki = 0; ki < P.KH; ki++) {
          const float* base[4];
          bool ok[4];
          #pragma GCC unroll 4
          for (int r = 0; r < 4; r++) {
            const int64_t oh = ih0 + r + P.PH - ki * P.DH;
            ok[r] = oh >= 0 && oh < P.OH;
            base[r] = cc + ki * P.KW * ldc + oh * P.OW + vb * 8 + P.PW;
          }
          for (int64_t kj = 0; kj < P.KW; kj++) {
            const __m256 m = _mm256_load_ps(masks + (vb * P.KW + kj) * 8);
            const int64_t o = kj * (ldc - P.DW);
            #pragma GCC unroll 4
            for (int r = 0; r < 4; r++)
              if (ok[r]) acc[r] = _mm256_add_ps(acc[r], _mm256_and_ps(m, _mm256_loadu_ps(base[r] + o)));
          }
        }
        const int64_t left = P.W - vb * 8;
        #pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
          if (ih0 + r >= P.H) break;
          float* row = plane + (ih0 + r) * P.W;
          if (left >= 8) _mm256_storeu_ps(row + vb * 8, acc[r]);
          else {
            _mm256_store_ps(tmp, acc[r]);
            for (int64_t i = 0; i < left; i++) row[vb * 8 + i] = tmp[i];
          }
        }
      }
  }
}

// ---- col2im in two passes (the default; TORCHTS_COL2IM_MASKED=1 runs col2imGroup instead) ----
// col2imGroup sums 25 masked, shifted loads per output vector (LeNet's conv2). Here the sum is
// split: first, for each (c, kj), T[ih*OW + ow] = sum over ki of col(c, ki, kj)[(ih + PH - ki*DH)*OW + ow],
// a vertical shift that is a whole number of rows of the flat col, so no masks: the col rows carry
// zeros before and after their OH*OW values (rows outside [0, OH) read zeros); then each gx row is
// the sum over kj of T(c, kj) shifted by kj*DW - PW, masked to the columns ow in [0, OW) as in
// col2imGroup. Each gx element sums its (ki, kj) terms as sum over kj of (sum over ki), in order:
// a different rounding from col2imGroup's (ki, kj) order, the same for any thread count.
struct ColLayout {
  int64_t frontA, ldcP, TL;  // zeros before each col row, row stride, T length (ceil(H*OW / 8) * 8)
};
inline ColLayout colLayout(const ColPlan& P, int64_t ldc) {
  const int64_t TL = (P.H * P.OW + 7) / 8 * 8;
  const int64_t front = std::max<int64_t>(0, ((P.KH - 1) * P.DH - P.PH) * P.OW);
  const int64_t backEnd = std::max<int64_t>(ldc, TL + std::max<int64_t>(0, P.PH) * P.OW);  // reads stay below this index
  const int64_t frontA = (front + 7) / 8 * 8;
  return {frontA, frontA + (backEnd + 7) / 8 * 8, TL};
}

// gx planes of one sample and group from col (rows at col + r*ldcP, zeros around each row's values)
TT_AVX2 __attribute__((noinline)) void col2imSep(const ColPlan& P, const ColLayout& L, const float* col, float* T, float* gx) {
  const int64_t nvb = (P.W + 7) / 8, KK = P.KH * P.KW;
  alignas(32) float masksSmall[64 * 8];
  std::vector<float> masksBig;
  const float* masks = col2imMasks(P, masksSmall, masksBig);
  // T(kj) at T + kj*Ts + Tf: Tf floats of slack before (the shifted loads of the second pass
  // reach kj*DW - PW before a row's start) and after
  const int64_t Tf = (std::max<int64_t>(0, (P.KW - 1) * P.DW - P.PW) + 7) / 8 * 8;
  const int64_t Ts = Tf + L.TL + Tf + 16;
  alignas(32) float tmp[8];
  const int64_t KH = P.KH, KW = P.KW, OW = P.OW, H = P.H, W = P.W, ldcP = L.ldcP, TL = L.TL, PW = P.PW, DW = P.DW;
  const int64_t TL32 = TL / 32 * 32;
  int64_t sh[64];  // the flat shift of kernel row ki: (ki*DH - PH)*OW
  const int64_t nki = std::min<int64_t>(KH, 64);
  for (int64_t ki = 0; ki < nki; ki++) sh[ki] = (ki * P.DH - P.PH) * OW;
  for (int64_t c = 0; c < P.Cs; c++) {
    const float* cc = col + c * KK * ldcP;
    for (int64_t kj = 0; kj < KW; kj++) {
      float* t = T + kj * Ts + Tf;
      const float* ck = cc + kj * ldcP;
      // 4 independent sums at a time (a chain of KH dependent adds each)
      for (int64_t b = 0; b < TL32; b += 32) {
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t ki = 0; ki < nki; ki++) {
          const float* s = ck + ki * KW * ldcP + b - sh[ki];
          a0 = _mm256_add_ps(a0, _mm256_loadu_ps(s));
          a1 = _mm256_add_ps(a1, _mm256_loadu_ps(s + 8));
          a2 = _mm256_add_ps(a2, _mm256_loadu_ps(s + 16));
          a3 = _mm256_add_ps(a3, _mm256_loadu_ps(s + 24));
        }
        _mm256_store_ps(t + b, a0);
        _mm256_store_ps(t + b + 8, a1);
        _mm256_store_ps(t + b + 16, a2);
        _mm256_store_ps(t + b + 24, a3);
      }
      for (int64_t b = TL32; b < TL; b += 8) {
        __m256 a0 = _mm256_setzero_ps();
        for (int64_t ki = 0; ki < nki; ki++) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(ck + ki * KW * ldcP + b - sh[ki]));
        _mm256_store_ps(t + b, a0);
      }
    }
    float* plane = gx + c * H * W;
    // 4 rows at a time (4 independent chains; rows past H read row H-1 and are not stored)
    for (int64_t ih0 = 0; ih0 < H; ih0 += 4)
      for (int64_t vb = 0; vb < nvb; vb++) {
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        int64_t at[4];
        #pragma GCC unroll 4
        for (int r = 0; r < 4; r++) at[r] = std::min<int64_t>(ih0 + r, H - 1) * OW + vb * 8 + PW + Tf;
        for (int64_t kj = 0; kj < KW; kj++) {
          const __m256 m = _mm256_load_ps(masks + (vb * KW + kj) * 8);
          const float* tk = T + kj * Ts - kj * DW;
          #pragma GCC unroll 4
          for (int r = 0; r < 4; r++) acc[r] = _mm256_add_ps(acc[r], _mm256_and_ps(m, _mm256_loadu_ps(tk + at[r])));
        }
        const int64_t left = W - vb * 8;
        #pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
          if (ih0 + r >= H) break;
          float* row = plane + (ih0 + r) * W;
          if (left >= 8) _mm256_storeu_ps(row + vb * 8, acc[r]);
          else {
            _mm256_store_ps(tmp, acc[r]);
            for (int64_t i = 0; i < left; i++) row[vb * 8 + i] = tmp[i];
          }
        }
      }
  }
}

inline bool col2imMasked() {
  static const bool on = [] {
    const char* e = std::getenv("TORCHTS_COL2IM_MASKED");
    return e && *e == '1';
  }();
  return on;
}

// The two-pass col buffer: its own scratch (so nothing else writes the zeros around the rows), with
// the zeros written once per thread for a layout (key) and kept: the tiles only write the values.
struct ColSepScratch;
struct ColSepKey {
  const float* p;
  int64_t rows, ldcP, frontA, ldc;
  bool operator==(const ColSepKey& o) const { return p == o.p && rows == o.rows && ldcP == o.ldcP && frontA == o.frontA && ldc == o.ldc; }
};

// gy (N, G*Od, OH, OW), w (G*Od, Cs, KH, KW) -> gx (N, G*Cs, H, W); stride 1.
TT_AVX2 inline void inputGradCol(const ColPlan& P, const float* gy, const float* w, float* gx) {
  const int64_t KK = P.KH * P.KW, R = P.Cs * KK, nrb = (R + 5) / 6, OHW = P.OH * P.OW;
  const int64_t tiles = (OHW + 15) / 16, ldc = tiles * 16, Ctot = P.G * P.Cs, Otot = P.G * P.Od, HW = P.H * P.W;
  // packed W^T: [g][row block][o][6], rows past R zero
  float* A = buf<float>(0, (size_t)(P.G * nrb * P.Od * 6));
  for (int64_t g = 0; g < P.G; g++)
    for (int64_t rb = 0; rb < nrb; rb++)
      for (int64_t o = 0; o < P.Od; o++)
        for (int64_t i = 0; i < 6; i++) {
          const int64_t r = rb * 6 + i;
          A[((g * nrb + rb) * P.Od + o) * 6 + i] = r < R ? w[(g * P.Od + o) * R + r] : 0.f;
        }
  if (!col2imMasked() && P.KH <= 64) {  // (col2imSep keeps the row shifts in a 64-entry table)
    const ColLayout L = colLayout(P, ldc);
    const int64_t rows = nrb * 6;
    const int64_t Tf = (std::max<int64_t>(0, (P.KW - 1) * P.DW - P.PW) + 7) / 8 * 8;
    const int64_t Ts = Tf + L.TL + Tf + 16;  // as col2imSep: the masked lanes of a shifted load stay inside
    dynamicFor(P.N, [&](int64_t n) {
      // gy of the sample, each plane padded with zeros to ldc (the last tile reads past OH*OW)
      float* ys = buf<float>(3, (size_t)(Otot * ldc));
      for (int64_t o = 0; o < Otot; o++) {
        std::memcpy(ys + o * ldc, gy + (n * Otot + o) * OHW, sizeof(float) * (size_t)OHW);
        std::fill(ys + o * ldc + OHW, ys + (o + 1) * ldc, 0.f);
      }
      float* raw = threadScratch<ColSepScratch, float>(0, (size_t)(rows * L.ldcP + 8));
      float* col = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(raw) + 31) & ~uintptr_t(31));
      static thread_local ColSepKey key{nullptr, 0, 0, 0, 0};
      const ColSepKey want{col, rows, L.ldcP, L.frontA, ldc};
      if (!(key == want)) {  // the zeros around every row, once for this buffer and layout
        std::fill(col, col + rows * L.ldcP, 0.f);
        key = want;
      }
      float* T = buf<float>(2, (size_t)(P.KW * Ts) + 8);
      T = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(T) + 31) & ~uintptr_t(31));
      for (int64_t g = 0; g < P.G; g++) {
        const float* yg = ys + g * P.Od * ldc;
        for (int64_t rb = 0; rb < nrb; rb++) {
          float* cb = col + rb * 6 * L.ldcP + L.frontA;
          for (int64_t t = 0; t < tiles; t++) colTile(P.Od, A + (g * nrb + rb) * P.Od * 6, yg + t * 16, ldc, cb + t * 16, L.ldcP);
          // past OH*OW the first pass of col2imSep reads rows outside [0, OH): exact zeros there
          // (the tiles wrote 0 * w, NaN where a weight is not finite)
          for (int64_t i = 0; i < 6; i++) std::fill(cb + i * L.ldcP + OHW, cb + i * L.ldcP + ldc, 0.f);
        }
        col2imSep(P, L, col + L.frontA, T, gx + (n * Ctot + g * P.Cs) * HW);
      }
    });
    return;
  }
  // slack around col for col2imGroup's shifted loads: a load reads col row r from
  // oh*OW + vb*8 - (kj*DW - PW) for 8 floats, oh < OH, vb*8 < W
  const int64_t shMax = std::max<int64_t>(0, (P.KW - 1) * P.DW - P.PW);
  const int64_t colFront = (shMax + 7) / 8 * 8, colBack = P.W + P.PW + 16;
  dynamicFor(P.N, [&](int64_t n) {
    // gy of the sample with zero slack (the last tile reads up to 15 past a plane)
    float* ys = buf<float>(3, (size_t)(Otot * OHW + 16));
    std::memcpy(ys, gy + n * Otot * OHW, sizeof(float) * (size_t)(Otot * OHW));
    std::fill(ys + Otot * OHW, ys + Otot * OHW + 16, 0.f);
    float* col = buf<float>(2, (size_t)(colFront + nrb * 6 * ldc + colBack) + 8);
    col = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(col) + 31) & ~uintptr_t(31)) + colFront;
    for (int64_t g = 0; g < P.G; g++) {
      const float* yg = ys + g * P.Od * OHW;
      for (int64_t rb = 0; rb < nrb; rb++)
        for (int64_t t = 0; t < tiles; t++)
          colTile(P.Od, A + (g * nrb + rb) * P.Od * 6, yg + t * 16, OHW, col + rb * 6 * ldc + t * 16, ldc);
      col2imGroup(P, col, ldc, gx + (n * Ctot + g * P.Cs) * HW);
    }
  });
}

#undef TT_AVX2

}  // namespace convdirect
}  // namespace
}  // namespace tt
