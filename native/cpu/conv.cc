// SPDX-License-Identifier: BSD-3-Clause
// conv1d/2d/3d forward and backward (input and weight gradients), unfold and fold, as im2col + the packed GEMM of
// matmul.cc. A chunk of the batch is unfolded at once into col (C*KH*KW, nb*OH*OW), so one GEMM
// per group covers the chunk and small images still fill every thread. All tensors are
// contiguous NCHW; the TypeScript side (src/nn/functional/conv.ts) checks shapes.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "common/scratch.h"
#include "cpu/kernels.h"
#include "cpu/conv_direct.h"
#include "cpu/conv_wino.h"
#include "cpu/conv_s2.h"
#include "cpu/conv_epilogue.h"
#include "cpu/pool_k3.h"

namespace tt {
namespace {

// meta = [dtype, N, C, D, H, W, OC, KD, KH, KW, SD, SH, SW, PD, PH, PW, DD, DH, DW, groups, OD, OH, OW,
//         off0..off3]; conv1d/conv2d pass singleton leading spatial dims (D = KD = OD = 1, ...).
struct ConvGeom {
  int dt;
  int64_t N, C, D, H, W, OC, KD, KH, KW, SD, SH, SW, PD, PH, PW, DD, DH, DW, G, OD, OH, OW;
  int64_t off[4];
  int64_t Cg() const { return C / G; }
  int64_t OCg() const { return OC / G; }
  int64_t KK() const { return KD * KH * KW; }
  int64_t Kg() const { return Cg() * KK(); }
  int64_t Ktot() const { return C * KK(); }
  int64_t OHW() const { return OD * OH * OW; }
  int64_t IHW() const { return D * H * W; }
  // batch items per chunk: keeps col under ~8M elements
  int64_t chunk() const { return std::max<int64_t>(1, std::min<int64_t>(N, (int64_t)(8 << 20) / std::max<int64_t>(1, Ktot() * OHW()))); }
};

ConvGeom parseGeom(const Napi::Value& v) {
  size_t n;
  const double* m = f64Data(v, &n);
  if (n < 27) throw std::runtime_error("conv: truncated descriptor");
  ConvGeom g;
  g.dt = (int)m[0];
  int64_t* f[] = {&g.N, &g.C, &g.D, &g.H, &g.W, &g.OC, &g.KD, &g.KH, &g.KW, &g.SD, &g.SH, &g.SW, &g.PD, &g.PH, &g.PW,
                  &g.DD, &g.DH, &g.DW, &g.G, &g.OD, &g.OH, &g.OW};
  for (int i = 0; i < 22; i++) *f[i] = (int64_t)m[1 + i];
  for (int i = 0; i < 4; i++) g.off[i] = (int64_t)m[23 + i];
  if (g.dt != kFloat32 && g.dt != kFloat64) throw std::runtime_error("conv: float32 or float64 only");
  return g;
}

// Scratch that lives as long as its thread and is never zero-filled (every entry is written
// before it is read), so repeated convolutions neither allocate nor memset.
struct ConvScratch;
template <class T> T* scratch(int which, size_t n) { return threadScratch<ConvScratch, T>(which, n); }

template <class T> T* ptr(const Napi::Array& bufs, int k, int64_t off) {
  return reinterpret_cast<T*>(bufferData(bufs.Get(k))) + off;
}

// col[((c*KD+kd)*KH+ki)*KW+kj][nl*OHW + (od*OH+oh)*OW + ow]
//   = x[n0+nl, c, od*SD-PD+kd*DD, oh*SH-PH+ki*DH, ow*SW-PW+kj*DW] (0 outside)
template <class T> void im2col(const ConvGeom& g, const T* x, int64_t n0, int64_t nb, T* col) {
  const int64_t OHW = g.OHW(), NC = nb * OHW, rows = g.Ktot();
  parallelFor(rows * nb, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t row = r / nb, nl = r % nb;
      const int64_t kj = row % g.KW, ki = (row / g.KW) % g.KH, kd = (row / (g.KW * g.KH)) % g.KD, c = row / g.KK();
      const T* vol = x + ((n0 + nl) * g.C + c) * g.IHW();
      T* dst = col + row * NC + nl * OHW;
      for (int64_t od = 0; od < g.OD; od++) {
        const int64_t id = od * g.SD - g.PD + kd * g.DD;
        T* dd = dst + od * g.OH * g.OW;
        if (id < 0 || id >= g.D) { std::fill(dd, dd + g.OH * g.OW, T(0)); continue; }
        const T* plane = vol + id * g.H * g.W;
        for (int64_t oh = 0; oh < g.OH; oh++) {
          const int64_t ih = oh * g.SH - g.PH + ki * g.DH;
          T* d = dd + oh * g.OW;
          if (ih < 0 || ih >= g.H) { std::fill(d, d + g.OW, T(0)); continue; }
          const T* src = plane + ih * g.W;
          if (g.SW == 1 && g.PW == 0) {  // no column padding: a straight copy of the row segment
            const T* __restrict s = src + kj * g.DW;  // short rows: an inline loop beats a memcpy call
            for (int64_t ow = 0; ow < g.OW; ow++) d[ow] = s[ow];
            continue;
          }
          for (int64_t ow = 0; ow < g.OW; ow++) {
            const int64_t iw = ow * g.SW - g.PW + kj * g.DW;
            d[ow] = (iw >= 0 && iw < g.W) ? src[iw] : T(0);
          }
        }
      }
    }
  });
}

// the output columns [lo, hi) whose input column ow*SW - PW + kj*DW lies inside [0, W)
inline void colRange(const ConvGeom& g, int64_t kj, int64_t& lo, int64_t& hi) {
  const int64_t off = kj * g.DW - g.PW;  // iw = ow*SW + off
  lo = off >= 0 ? 0 : (-off + g.SW - 1) / g.SW;
  hi = g.W - off <= 0 ? 0 : std::min<int64_t>(g.OW, (g.W - off - 1) / g.SW + 1);
  if (hi < lo) hi = lo;
}

// gx[n0+nl, c] += the col entries that im2col read from it; one task per (nl, c) volume, so no races
template <class T> void col2im(const ConvGeom& g, const T* col, int64_t n0, int64_t nb, T* gx) {
  const int64_t OHW = g.OHW(), NC = nb * OHW;
  std::vector<int64_t> lo(g.KW), hi(g.KW);
  for (int64_t kj = 0; kj < g.KW; kj++) colRange(g, kj, lo[kj], hi[kj]);
  parallelFor(nb * g.C, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW * g.KK())), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t nl = p / g.C, c = p % g.C;
      T* vol = gx + ((n0 + nl) * g.C + c) * g.IHW();
      for (int64_t kd = 0; kd < g.KD; kd++)
        for (int64_t ki = 0; ki < g.KH; ki++)
          for (int64_t kj = 0; kj < g.KW; kj++) {
            const T* srcRow = col + (((c * g.KD + kd) * g.KH + ki) * g.KW + kj) * NC + nl * OHW;
            for (int64_t od = 0; od < g.OD; od++) {
              const int64_t id = od * g.SD - g.PD + kd * g.DD;
              if (id < 0 || id >= g.D) continue;
              T* plane = vol + id * g.H * g.W;
              for (int64_t oh = 0; oh < g.OH; oh++) {
                const int64_t ih = oh * g.SH - g.PH + ki * g.DH;
                if (ih < 0 || ih >= g.H) continue;
                T* __restrict dst = plane + ih * g.W + kj * g.DW - g.PW;
                const T* __restrict s = srcRow + (od * g.OH + oh) * g.OW;
                const int64_t a = lo[kj], e = hi[kj];  // the columns that land inside the row
                if (g.SW == 1) for (int64_t ow = a; ow < e; ow++) dst[ow] += s[ow];
                else for (int64_t ow = a; ow < e; ow++) dst[ow * g.SW] += s[ow];
              }
            }
          }
    }
  });
}

// (nb, OC, OHW) <-> (OC, nb*OHW)
template <class T> void packOut(const ConvGeom& g, const T* src, int64_t n0, int64_t nb, T* dst) {
  const int64_t OHW = g.OHW(), NC = nb * OHW;
  parallelFor(nb * g.OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)), [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; q++) {
      const int64_t nl = q / g.OC, oc = q % g.OC;
      std::memcpy(dst + oc * NC + nl * OHW, src + ((n0 + nl) * g.OC + oc) * OHW, sizeof(T) * OHW);
    }
  });
}

// ---- depthwise (Cg == 1: each output channel reads one input channel), 1-d and 2-d ----
// A direct kernel: one task per (n, oc) output plane, rows accumulated tap by tap over the
// valid output-column range, so no im2col, no GEMM and no per-group calls.
bool isDepthwise(const ConvGeom& g) { return g.Cg() == 1 && g.KD == 1 && g.D == 1 && g.OD == 1 && g.OCg() <= 4; }


template <class T> void dwForward(const ConvGeom& g, T* out, const T* x, const T* w, const T* bias) {
  const int64_t OHW = g.OH * g.OW, IHW = g.H * g.W, KK = g.KH * g.KW, OCg = g.OCg();
  std::vector<int64_t> lo(g.KW), hi(g.KW);
  for (int64_t kj = 0; kj < g.KW; kj++) colRange(g, kj, lo[kj], hi[kj]);
  parallelFor(g.N * g.OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW * KK)), [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; q++) {
      const int64_t n = q / g.OC, oc = q % g.OC, c = oc / OCg;
      const T* plane = x + (n * g.C + c) * IHW;
      const T* wk = w + oc * KK;
      const T b = bias ? bias[oc] : T(0);
      T* o = out + q * OHW;
      for (int64_t oh = 0; oh < g.OH; oh++) {
        T* __restrict orow = o + oh * g.OW;
        for (int64_t ow = 0; ow < g.OW; ow++) orow[ow] = b;
        for (int64_t ki = 0; ki < g.KH; ki++) {
          const int64_t ih = oh * g.SH - g.PH + ki * g.DH;
          if (ih < 0 || ih >= g.H) continue;
          const T* xrow = plane + ih * g.W;
          for (int64_t kj = 0; kj < g.KW; kj++) {
            const T wv = wk[ki * g.KW + kj];
            const T* __restrict src = xrow + kj * g.DW - g.PW;
            const int64_t a = lo[kj], e = hi[kj];
            if (g.SW == 1) for (int64_t ow = a; ow < e; ow++) orow[ow] += wv * src[ow];
            else for (int64_t ow = a; ow < e; ow++) orow[ow] += wv * src[ow * g.SW];
          }
        }
      }
    }
  });
}

// gx plane (n, c) = sum over its OCg output channels of the scattered taps
template <class T> void dwBackwardInput(const ConvGeom& g, T* gx, const T* go, const T* w) {
  const int64_t OHW = g.OH * g.OW, IHW = g.H * g.W, KK = g.KH * g.KW, OCg = g.OCg();
  std::vector<int64_t> lo(g.KW), hi(g.KW);
  for (int64_t kj = 0; kj < g.KW; kj++) colRange(g, kj, lo[kj], hi[kj]);
  parallelFor(g.N * g.C, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW * KK * OCg)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t n = p / g.C, c = p % g.C;
      T* plane = gx + p * IHW;
      std::fill(plane, plane + IHW, T(0));
      for (int64_t m = 0; m < OCg; m++) {
        const int64_t oc = c * OCg + m;
        const T* gplane = go + (n * g.OC + oc) * OHW;
        const T* wk = w + oc * KK;
        for (int64_t oh = 0; oh < g.OH; oh++) {
          const T* __restrict grow = gplane + oh * g.OW;
          for (int64_t ki = 0; ki < g.KH; ki++) {
            const int64_t ih = oh * g.SH - g.PH + ki * g.DH;
            if (ih < 0 || ih >= g.H) continue;
            T* xrow = plane + ih * g.W;
            for (int64_t kj = 0; kj < g.KW; kj++) {
              const T wv = wk[ki * g.KW + kj];
              T* __restrict dst = xrow + kj * g.DW - g.PW;
              const int64_t a = lo[kj], e = hi[kj];
              if (g.SW == 1) for (int64_t ow = a; ow < e; ow++) dst[ow] += wv * grow[ow];
              else for (int64_t ow = a; ow < e; ow++) dst[ow * g.SW] += wv * grow[ow];
            }
          }
        }
      }
    }
  });
}

// sum of a[i] * b[i] over n, in 8 lanes so the compiler can vectorize it
template <class T> inline T dot8(const T* __restrict a, const T* __restrict b, int64_t n) {
  T l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) l[j] += a[i + j] * b[i + j];
  T s = ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}
template <class T> inline T dotStrided(const T* __restrict a, const T* __restrict b, int64_t sb, int64_t n) {
  T l[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; j++) l[j] += a[i + j] * b[(i + j) * sb];
  T s = (l[0] + l[2]) + (l[1] + l[3]);
  for (; i < n; i++) s += a[i] * b[i * sb];
  return s;
}

// gw[oc, ki, kj] = sum over n, oh, ow of go * x; one task per output channel
template <class T> void dwBackwardWeight(const ConvGeom& g, T* gw, const T* go, const T* x) {
  const int64_t OHW = g.OH * g.OW, IHW = g.H * g.W, KK = g.KH * g.KW, OCg = g.OCg();
  std::vector<int64_t> lo(g.KW), hi(g.KW);
  for (int64_t kj = 0; kj < g.KW; kj++) colRange(g, kj, lo[kj], hi[kj]);
  parallelFor(g.OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.N * OHW * KK)), [&](int64_t q0, int64_t q1) {
    std::vector<T> acc((size_t)KK);
    for (int64_t oc = q0; oc < q1; oc++) {
      const int64_t c = oc / OCg;
      std::fill(acc.begin(), acc.end(), T(0));
      for (int64_t n = 0; n < g.N; n++) {
        const T* gplane = go + (n * g.OC + oc) * OHW;
        const T* plane = x + (n * g.C + c) * IHW;
        for (int64_t oh = 0; oh < g.OH; oh++) {
          const T* __restrict grow = gplane + oh * g.OW;
          for (int64_t ki = 0; ki < g.KH; ki++) {
            const int64_t ih = oh * g.SH - g.PH + ki * g.DH;
            if (ih < 0 || ih >= g.H) continue;
            const T* xrow = plane + ih * g.W;
            for (int64_t kj = 0; kj < g.KW; kj++) {
              const T* __restrict src = xrow + kj * g.DW - g.PW;
              const int64_t a = lo[kj], e = hi[kj];
              acc[ki * g.KW + kj] += g.SW == 1 ? dot8(grow + a, src + a, e - a) : dotStrided(grow + a, src + a * g.SW, g.SW, e - a);
            }
          }
        }
      }
      std::copy(acc.begin(), acc.end(), gw + oc * KK);
    }
  });
}

// ---- stride-1 2-d/1-d float32: the direct kernels of conv_direct.h (no im2col, no GEMM packing) ----
// TORCHTS_CONV_DIRECT=mask turns the direct kernels off (for comparisons): bit 1 forward, 2 input
// gradient, 4 weight gradient, 8 the col + col2im input gradient on narrow planes, 16 the lanes
// weight gradient on narrow planes (0: all off; unset: all on)
bool directEnabled(int which) {
  static const int mask = [] {
    const char* e = std::getenv("TORCHTS_CONV_DIRECT");
    return e && *e ? std::atoi(e) : 31;
  }();
  return (mask & which) != 0;
}

bool useDirect(const ConvGeom& g, int which) {
  if (g.dt != kFloat32 || !directEnabled(which) || !convdirect::cpuOk() || isDepthwise(g)) return false;
  if (g.KD != 1 || g.D != 1 || g.OD != 1 || g.SH != 1 || g.SW != 1) return false;
  if (g.KH == 1 && g.KW == 1 && g.PH == 0 && g.PW == 0) return false;  // 1x1: plain GEMM (below)
  // 32-bit tap offsets within one group's padded planes (input side and gradOut side)
  const int64_t Hp = g.H + 2 * g.PH + 2 * g.DH * g.KH, Wp = g.W + 2 * g.PW + 2 * g.DW * g.KW;
  return std::max(g.Cg(), g.OCg()) * Hp * Wp < (int64_t(1) << 30);
}

convdirect::Plan fwdPlan(const ConvGeom& g) {
  return convdirect::Plan{g.N, g.G, g.Cg(), g.H, g.W, g.PH, g.PW, g.OCg(), g.KH, g.KW, g.DH, g.DW};
}

// 1x1, stride 1, no padding (any rank): the input is already the GEMM's B operand
bool isPointwise(const ConvGeom& g) {
  return g.KD == 1 && g.KH == 1 && g.KW == 1 && g.SD == 1 && g.SH == 1 && g.SW == 1 && g.PD == 0 && g.PH == 0 && g.PW == 0;
}

// ep: the fused epilogue (conv_epilogue.h; mode 5): the Winograd and strided paths apply it and set
// *epDone, the caller applies it after the others
template <class T> void forward(const ConvGeom& g, const Napi::Array& bufs, bool hasBias, const convepi::Epilogue* ep = nullptr,
                                bool* epDone = nullptr, T* outInstead = nullptr) {
  T* out = outInstead ? outInstead : ptr<T>(bufs, 0, g.off[0]);  // outInstead: mode 5's pooled path writes a scratch
  const T* x = ptr<T>(bufs, 1, g.off[1]);
  const T* w = ptr<T>(bufs, 2, g.off[2]);
  const T* bias = hasBias ? ptr<T>(bufs, 3, g.off[3]) : nullptr;
  if constexpr (sizeof(T) == 4)  // float32 3x3 stride 1, groups 1: Winograd (conv_wino.h) where it pays
    if (g.G == 1 && g.D == 1 && g.KD == 1 && g.OD == 1 && g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 &&
        g.DW == 1 && convwino::forward({g.N, g.C, g.H, g.W, g.OC, g.PH, g.PW, g.OH, g.OW}, x, w, bias, out, ep))
      return (void)(epDone && (*epDone = true));
  if constexpr (sizeof(T) == 4)  // float32 strided 2-d, groups 1: im2col by runs + GEMM (conv_s2.h)
    if (g.G == 1 && g.D == 1 && g.KD == 1 && g.OD == 1 && !isDepthwise(g) &&
        convs2::forward({g.N, g.C, g.H, g.W, g.OC, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW}, x, w, bias, out, ep))
      return (void)(epDone && (*epDone = true));
  if (isDepthwise(g)) return dwForward<T>(g, out, x, w, bias);
  if (useDirect(g, 1) && convdirect::worthIt(fwdPlan(g))) {
    const int64_t OCg = g.OCg(), Cg = g.Cg(), KK = g.KH * g.KW;
    const float* wf = reinterpret_cast<const float*>(w);
    return convdirect::run(fwdPlan(g), reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out),
                           reinterpret_cast<const float*>(bias), [&](int64_t gi, int64_t o, int64_t c, int64_t ki, int64_t kj) {
                             return wf[((gi * OCg + o) * Cg + c) * KK + ki * g.KW + kj];
                           });
  }
  if (isPointwise(g)) {
    const int64_t HW = g.IHW(), Cg = g.Cg(), OCg = g.OCg();
    for (int64_t n = 0; n < g.N; n++)
      for (int64_t gi = 0; gi < g.G; gi++)
        gemmStrided(g.dt, OCg, HW, Cg, w + gi * OCg * Cg, Cg, 1, x + (n * g.C + gi * Cg) * HW, HW, 1,
                    out + (n * g.OC + gi * OCg) * HW, HW, 1, 1.0, 0.0);
    if (bias)
      parallelFor(g.N * g.OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, HW)), [&](int64_t q0, int64_t q1) {
        for (int64_t q = q0; q < q1; q++) {
          T* o = out + q * HW;
          const T b = bias[q % g.OC];
          for (int64_t p = 0; p < HW; p++) o[p] += b;
        }
      });
    return;
  }
  const int64_t OHW = g.OHW(), Kg = g.Kg(), OCg = g.OCg(), nbMax = g.chunk();
  T* col = scratch<T>(0, (size_t)(g.Ktot() * nbMax * OHW));
  T* tmp = scratch<T>(1, nbMax > 1 ? (size_t)(g.OC * nbMax * OHW) : 0);
  for (int64_t n0 = 0; n0 < g.N; n0 += nbMax) {
    const int64_t nb = std::min(nbMax, g.N - n0), NC = nb * OHW;
    im2col<T>(g, x, n0, nb, col);
    // with one image the GEMM writes straight into out
    T* dst = nb == 1 ? out + n0 * g.OC * OHW : tmp;
    for (int64_t gi = 0; gi < g.G; gi++)
      gemmStrided(g.dt, OCg, NC, Kg, w + gi * OCg * Kg, Kg, 1, col + gi * Kg * NC, NC, 1, dst + gi * OCg * NC, NC, 1, 1.0, 0.0);
    parallelFor(nb * g.OC, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, OHW)), [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; q++) {
        const int64_t nl = q / g.OC, oc = q % g.OC;
        T* o = out + ((n0 + nl) * g.OC + oc) * OHW;
        const T b = bias ? bias[oc] : T(0);
        if (nb == 1) {
          if (bias) for (int64_t p = 0; p < OHW; p++) o[p] += b;
        } else {
          const T* s = dst + oc * NC + nl * OHW;
          for (int64_t p = 0; p < OHW; p++) o[p] = s[p] + b;
        }
      }
    });
  }
}

template <class T> void backwardInput(const ConvGeom& g, const Napi::Array& bufs) {
  T* gx = ptr<T>(bufs, 0, g.off[0]);
  const T* go = ptr<T>(bufs, 1, g.off[1]);
  const T* w = ptr<T>(bufs, 2, g.off[2]);
  if (isDepthwise(g)) return dwBackwardInput<T>(g, gx, go, w);
  if (useDirect(g, 2)) {  // narrow planes (LeNet's conv2): col = W^T gradOut over the valid positions only, then col2im
    const convdirect::ColPlan C{g.N, g.G, g.Cg(), g.H, g.W, g.OCg(), g.KH, g.KW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW};
    if (directEnabled(8) && convdirect::colWorthIt(C))
      return convdirect::inputGradCol(C, reinterpret_cast<const float*>(go), reinterpret_cast<const float*>(w), reinterpret_cast<float*>(gx));
  }
  // the stride-1 transposed convolution: gradOut padded by D*(K-1)-P, weights flipped
  const convdirect::Plan P{g.N, g.G, g.OCg(), g.OH, g.OW, g.DH * (g.KH - 1) - g.PH, g.DW * (g.KW - 1) - g.PW, g.Cg(), g.KH, g.KW, g.DH, g.DW, true};
  if (useDirect(g, 2) && convdirect::worthIt(P)) {
    const int64_t OCg = g.OCg(), Cg = g.Cg(), KK = g.KH * g.KW;
    const float* wf = reinterpret_cast<const float*>(w);
    return convdirect::run(P, reinterpret_cast<const float*>(go), reinterpret_cast<float*>(gx), nullptr,
                           [&](int64_t gi, int64_t c, int64_t oc, int64_t ki, int64_t kj) {
                             return wf[((gi * OCg + oc) * Cg + c) * KK + (g.KH - 1 - ki) * g.KW + (g.KW - 1 - kj)];
                           });
  }
  if (isPointwise(g)) {
    const int64_t HW = g.IHW(), Cg = g.Cg(), OCg = g.OCg();
    for (int64_t n = 0; n < g.N; n++)
      for (int64_t gi = 0; gi < g.G; gi++)  // gx = W^T @ gradOut
        gemmStrided(g.dt, Cg, HW, OCg, w + gi * OCg * Cg, 1, Cg, go + (n * g.OC + gi * OCg) * HW, HW, 1,
                    gx + (n * g.C + gi * Cg) * HW, HW, 1, 1.0, 0.0);
    return;
  }
  const int64_t OHW = g.OHW(), Kg = g.Kg(), OCg = g.OCg(), nbMax = g.chunk();
  std::memset(gx, 0, sizeof(T) * (size_t)(g.N * g.C * g.IHW()));
  T* col = scratch<T>(0, (size_t)(g.Ktot() * nbMax * OHW));
  T* gop = scratch<T>(1, nbMax > 1 ? (size_t)(g.OC * nbMax * OHW) : 0);
  for (int64_t n0 = 0; n0 < g.N; n0 += nbMax) {
    const int64_t nb = std::min(nbMax, g.N - n0), NC = nb * OHW;
    const T* src = go + n0 * g.OC * OHW;
    if (nb > 1) { packOut<T>(g, go, n0, nb, gop); src = gop; }
    for (int64_t gi = 0; gi < g.G; gi++)  // colGrad = W^T @ gradOut
      gemmStrided(g.dt, Kg, NC, OCg, w + gi * OCg * Kg, 1, Kg, src + gi * OCg * NC, NC, 1, col + gi * Kg * NC, NC, 1, 1.0, 0.0);
    col2im<T>(g, col, n0, nb, gx);
  }
}

template <class T> void backwardWeight(const ConvGeom& g, const Napi::Array& bufs) {
  T* gw = ptr<T>(bufs, 0, g.off[0]);
  const T* go = ptr<T>(bufs, 1, g.off[1]);
  const T* x = ptr<T>(bufs, 2, g.off[2]);
  if (isDepthwise(g)) return dwBackwardWeight<T>(g, gw, go, x);
  if (useDirect(g, 4) && convdirect::worthIt(fwdPlan(g), 8))
    return convdirect::weightGrad(fwdPlan(g), reinterpret_cast<const float*>(x), reinterpret_cast<const float*>(go),
                                  reinterpret_cast<float*>(gw), directEnabled(16));
  if (isPointwise(g)) {
    const int64_t HW = g.IHW(), Cg = g.Cg(), OCg = g.OCg();
    if (g.N == 0) std::memset(gw, 0, sizeof(T) * (size_t)(g.OC * Cg));
    for (int64_t n = 0; n < g.N; n++)
      for (int64_t gi = 0; gi < g.G; gi++)  // gradW += gradOut @ x^T
        gemmStrided(g.dt, OCg, Cg, HW, go + (n * g.OC + gi * OCg) * HW, HW, 1, x + (n * g.C + gi * Cg) * HW, 1, HW,
                    gw + gi * OCg * Cg, Cg, 1, 1.0, n == 0 ? 0.0 : 1.0);
    return;
  }
  const int64_t OHW = g.OHW(), Kg = g.Kg(), OCg = g.OCg(), nbMax = g.chunk();
  T* col = scratch<T>(0, (size_t)(g.Ktot() * nbMax * OHW));
  T* gop = scratch<T>(1, nbMax > 1 ? (size_t)(g.OC * nbMax * OHW) : 0);
  if (g.N == 0) std::memset(gw, 0, sizeof(T) * (size_t)(g.OC * Kg));
  for (int64_t n0 = 0; n0 < g.N; n0 += nbMax) {
    const int64_t nb = std::min(nbMax, g.N - n0), NC = nb * OHW;
    im2col<T>(g, x, n0, nb, col);
    const T* src = go + n0 * g.OC * OHW;
    if (nb > 1) { packOut<T>(g, go, n0, nb, gop); src = gop; }
    for (int64_t gi = 0; gi < g.G; gi++)  // gradW = gradOut @ col^T
      gemmStrided(g.dt, OCg, Kg, NC, src + gi * OCg * NC, NC, 1, col + gi * Kg * NC, 1, NC, gw + gi * OCg * Kg, Kg, 1,
                  1.0, n0 == 0 ? 0.0 : 1.0);
  }
}

// unfold: [out (N, C*KK, L), input]; one im2col per batch item writes straight into out
template <class T> void unfold(const ConvGeom& g, const Napi::Array& bufs) {
  T* out = ptr<T>(bufs, 0, g.off[0]);
  const T* x = ptr<T>(bufs, 1, g.off[1]);
  for (int64_t n = 0; n < g.N; n++) im2col<T>(g, x, n, 1, out + n * g.Ktot() * g.OHW());
}

// fold: [out (N, C, D, H, W), col (N, C*KK, L)]; sums overlapping blocks
template <class T> void fold(const ConvGeom& g, const Napi::Array& bufs) {
  T* out = ptr<T>(bufs, 0, g.off[0]);
  const T* col = ptr<T>(bufs, 1, g.off[1]);
  std::memset(out, 0, sizeof(T) * (size_t)(g.N * g.C * g.IHW()));
  for (int64_t n = 0; n < g.N; n++) col2im<T>(g, col + n * g.Ktot() * g.OHW(), 0, 1, out + n * g.C * g.IHW());
}

// Mode 5, inference: the float32 forward fused with eval BatchNorm, a residual add and ReLU
// (conv_epilogue.h), bit for bit the separate ops. buffers [out, input, weight, bias?, runningMean,
// runningVar, bnWeight?, bnBias?, residual?]; meta: the 27 geometry entries, then [eps, flags (1 bn
// weight, 2 bn bias, 4 BatchNorm, 8 ReLU, 16 residual), offsets of runningMean, runningVar, bnWeight,
// bnBias, residual]. The residual is contiguous and shaped like the output.
// Flag 32 (ResNet's stem): then a 3x3 / stride 2 max pool (values only) with padding meta[34], out
// being the pooled (N, OC, meta[35], meta[36]); the convolution's output goes to a thread-local
// scratch, and pool_k3.h pools it into out (the same bits as conv, the epilogue, then max_pool2d).
// Returns false, writing nothing, where pool_k3.h does not take the sizes (or the CPU lacks AVX2).
struct FusedPoolScratch;
bool forwardFused(const ConvGeom& g, const Napi::Array& bufs, const Napi::Value& metaV) {
  size_t n;
  const double* m = f64Data(metaV, &n);
  if (n < 34 || g.dt != kFloat32) throw std::runtime_error("conv: bad fused descriptor");
  const double eps = m[27];
  const int flags = (int)m[28];
  const bool pool = (flags & 32) != 0;
  // (the scratch is kept for the thread's life: at most 8M floats, ResNet's stem up to batch 9)
  if (pool && (n < 37 || !poolk3::applies(g.OH, g.OW, (int64_t)m[35], (int64_t)m[36], (int64_t)m[34], (int64_t)m[34]) || g.OD != 1 ||
               g.N * g.OC * g.OHW() > (int64_t(8) << 20)))
    return false;
  auto opt = [&](uint32_t k, int bit, int64_t off) -> const float* { return (flags & bit) ? ptr<float>(bufs, k, off) : nullptr; };
  convepi::Epilogue ep;
  std::vector<float> sc, sh;
  if (flags & 4) {
    sc.resize((size_t)g.OC);
    sh.resize((size_t)g.OC);
    convepi::bnEvalTerms(g.OC, ptr<float>(bufs, 4, (int64_t)m[29]), ptr<float>(bufs, 5, (int64_t)m[30]), opt(6, 1, (int64_t)m[31]),
                         opt(7, 2, (int64_t)m[32]), eps, sc.data(), sh.data());
    ep.scale = sc.data();
    ep.shift = sh.data();
  }
  ep.relu = (flags & 8) != 0;
  ep.res = opt(8, 16, (int64_t)m[33]);
  const bool hasBias = bufs.Length() > 3 && !bufs.Get(3).IsNull() && !bufs.Get(3).IsUndefined();
  bool done = false;
  float* y = pool ? threadScratch<FusedPoolScratch, float>(0, (size_t)(g.N * g.OC * g.OHW())) : nullptr;
  forward<float>(g, bufs, hasBias, &ep, &done, y);
  if (!done) convepi::apply(&ep, y ? y : ptr<float>(bufs, 0, g.off[0]), g.N, g.OC, g.OHW());
  if (pool)
    poolk3::forward(y, ptr<float>(bufs, 0, g.off[0]), nullptr, g.N * g.OC, g.OH, g.OW, (int64_t)m[35], (int64_t)m[36], (int64_t)m[34],
                    (int64_t)m[34]);
  return true;
}

// conv(mode, buffers, meta): mode 0 forward [out, input, weight, bias?], 1 input grad
// [gradInput, gradOut, weight], 2 weight grad [gradWeight, gradOut, input], 3 unfold, 4 fold.
// A transposed convolution is mode 1 forward, mode 0 (no bias) for its input grad and mode 2
// with input and gradOut swapped for its weight grad.
Napi::Value Conv(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  const ConvGeom g = parseGeom(info[2]);
  const bool hasBias = mode == 0 && bufs.Length() > 3 && !bufs.Get(3).IsNull() && !bufs.Get(3).IsUndefined();
  const bool f32 = g.dt == kFloat32;
  switch (mode) {
    case 0: f32 ? forward<float>(g, bufs, hasBias) : forward<double>(g, bufs, hasBias); break;
    case 1: f32 ? backwardInput<float>(g, bufs) : backwardInput<double>(g, bufs); break;
    case 2: f32 ? backwardWeight<float>(g, bufs) : backwardWeight<double>(g, bufs); break;
    case 3: f32 ? unfold<float>(g, bufs) : unfold<double>(g, bufs); break;
    case 4: f32 ? fold<float>(g, bufs) : fold<double>(g, bufs); break;
    case 5: return Napi::Boolean::New(info.Env(), forwardFused(g, bufs, info[2]));
    default: throw std::runtime_error("conv: bad mode");
  }
  return info.Env().Undefined();
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv", Napi::Function::New(env, Conv, "conv"));
}

}  // namespace tt
