// SPDX-License-Identifier: BSD-3-Clause
// Separable resampling and grid sampling.
//
// sepmap: out[p, o0, o1, o2] = sum over taps t0,t1,t2 of w0[o0,t0] w1[o1,t1] w2[o2,t2] x[p, i0[o0,t0], i1[o1,t1], i2[o2,t2]]
// with per-dim tap tables built on the TypeScript side. One kernel covers F.pad (one tap, index -1
// meaning "outside": the fill value), nearest/linear/cubic interpolation (1/2/4 taps) and adaptive
// average pooling (a window of taps). Mode 1 is the adjoint (the input gradient). One task per plane p.
//
// gridsample2d: F.grid_sample on 4D inputs (bilinear/nearest; zeros/border/reflection padding),
// following aten/src/ATen/native/GridSampler.h for the coordinate rules and gradients.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

template <class T> T* ptr(const Napi::Value& v, int64_t off) { return reinterpret_cast<T*>(bufferData(v)) + off; }

struct Taps {
  int64_t O, T;
  const double* idx;
  const double* w;
};

// meta = [dtype, P, I0, I1, I2, O0, O1, O2, T0, T1, T2, fill, hasFill, offOut, offIn]
// bufs = [out, input, idx0, w0, idx1, w1, idx2, w2] (tap tables are Float64Array, O*T each)
template <class T> void sepmap(int mode, const double* m, const Napi::Array& bufs) {
  const int64_t P = (int64_t)m[1], I0 = (int64_t)m[2], I1 = (int64_t)m[3], I2 = (int64_t)m[4];
  Taps tp[3];
  for (int d = 0; d < 3; d++) {
    size_t n;
    tp[d].O = (int64_t)m[5 + d];
    tp[d].T = (int64_t)m[8 + d];
    tp[d].idx = f64Data(bufs.Get((uint32_t)2 + 2 * d), &n);
    tp[d].w = f64Data(bufs.Get((uint32_t)3 + 2 * d), &n);
  }
  const double fill = m[11];
  const bool hasFill = m[12] != 0;
  const int64_t O0 = tp[0].O, O1 = tp[1].O, O2 = tp[2].O, T0 = tp[0].T, T1 = tp[1].T, T2 = tp[2].T;
  const int64_t inPlane = I0 * I1 * I2, outPlane = O0 * O1 * O2;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, outPlane * T0 * T1 * T2));
  if (mode == 0) {
    T* out = ptr<T>(bufs.Get((uint32_t)0), (int64_t)m[13]);
    const T* x = ptr<T>(bufs.Get((uint32_t)1), (int64_t)m[14]);
    parallelFor(P, grain, [&](int64_t p0, int64_t p1) {
      std::vector<double> acc((size_t)O2);
      for (int64_t p = p0; p < p1; p++) {
        const T* xp = x + p * inPlane;
        T* op = out + p * outPlane;
        for (int64_t o0 = 0; o0 < O0; o0++)
          for (int64_t o1 = 0; o1 < O1; o1++) {
            T* orow = op + (o0 * O1 + o1) * O2;
            if (hasFill && (tp[0].idx[o0 * T0] < 0 || tp[1].idx[o1 * T1] < 0)) {
              std::fill(orow, orow + O2, (T)fill);
              continue;
            }
            std::fill(acc.begin(), acc.end(), 0.0);
            for (int64_t t0 = 0; t0 < T0; t0++) {
              const double w0 = tp[0].w[o0 * T0 + t0];
              if (w0 == 0) continue;
              const int64_t i0 = (int64_t)tp[0].idx[o0 * T0 + t0];
              for (int64_t t1 = 0; t1 < T1; t1++) {
                const double w01 = w0 * tp[1].w[o1 * T1 + t1];
                if (w01 == 0) continue;
                const T* xrow = xp + (i0 * I1 + (int64_t)tp[1].idx[o1 * T1 + t1]) * I2;
                for (int64_t o2 = 0; o2 < O2; o2++) {
                  const double* ix = tp[2].idx + o2 * T2;
                  const double* wx = tp[2].w + o2 * T2;
                  double s = 0;
                  for (int64_t t2 = 0; t2 < T2; t2++) if (ix[t2] >= 0) s += wx[t2] * (double)xrow[(int64_t)ix[t2]];
                  acc[o2] += w01 * s;
                }
              }
            }
            for (int64_t o2 = 0; o2 < O2; o2++)
              orow[o2] = (hasFill && tp[2].idx[o2 * T2] < 0) ? (T)fill : (T)acc[o2];
          }
      }
    });
  } else {
    T* gx = ptr<T>(bufs.Get((uint32_t)0), (int64_t)m[13]);
    const T* go = ptr<T>(bufs.Get((uint32_t)1), (int64_t)m[14]);
    parallelFor(P, grain, [&](int64_t p0, int64_t p1) {
      std::vector<double> acc((size_t)inPlane);
      for (int64_t p = p0; p < p1; p++) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const T* gp = go + p * outPlane;
        for (int64_t o0 = 0; o0 < O0; o0++)
          for (int64_t o1 = 0; o1 < O1; o1++) {
            const T* grow = gp + (o0 * O1 + o1) * O2;
            for (int64_t t0 = 0; t0 < T0; t0++) {
              const double w0 = tp[0].w[o0 * T0 + t0];
              const int64_t i0 = (int64_t)tp[0].idx[o0 * T0 + t0];
              if (w0 == 0 || i0 < 0) continue;
              for (int64_t t1 = 0; t1 < T1; t1++) {
                const double w01 = w0 * tp[1].w[o1 * T1 + t1];
                const int64_t i1 = (int64_t)tp[1].idx[o1 * T1 + t1];
                if (w01 == 0 || i1 < 0) continue;
                double* arow = acc.data() + (i0 * I1 + i1) * I2;
                for (int64_t o2 = 0; o2 < O2; o2++) {
                  const double g = w01 * (double)grow[o2];
                  const double* ix = tp[2].idx + o2 * T2;
                  const double* wx = tp[2].w + o2 * T2;
                  for (int64_t t2 = 0; t2 < T2; t2++) if (ix[t2] >= 0) arow[(int64_t)ix[t2]] += wx[t2] * g;
                }
              }
            }
          }
        T* gxp = gx + p * inPlane;
        for (int64_t i = 0; i < inPlane; i++) gxp[i] = (T)acc[i];
      }
    });
  }
}

Napi::Value Sepmap(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  size_t n;
  const double* m = f64Data(info[2], &n);
  if (n < 15) throw std::runtime_error("sepmap: truncated descriptor");
  if ((int)m[0] == kFloat32) sepmap<float>(mode, m, bufs);
  else if ((int)m[0] == kFloat64) sepmap<double>(mode, m, bufs);
  else throw std::runtime_error("sepmap: float32 or float64 only");
  return info.Env().Undefined();
}

// ---- grid_sample (2D) ----

struct GridGeom {
  int64_t N, C, H, W, OH, OW;
  int interp, pad;  // interp 0 bilinear, 1 nearest; pad 0 zeros, 1 border, 2 reflection
  bool align;
};

template <class S> S reflectCoord(S in, double twiceLow, double twiceHigh, S* grad) {
  if (twiceLow == twiceHigh) { *grad = 0; return 0; }
  const S mn = (S)(twiceLow / 2), span = (S)((twiceHigh - twiceLow) / 2);
  in = in - mn;
  S mult = 1;
  if (in < 0) { mult = -1; in = -in; }
  const S extra = std::fmod(in, span);
  const int64_t flips = (int64_t)std::floor(in / span);
  if (flips % 2 == 0) { *grad = mult; return extra + mn; }
  *grad = -mult;
  return span - extra + mn;
}

template <class S> S clipCoord(S in, int64_t size, S* grad) {
  if (in <= 0) { *grad = 0; return 0; }
  const S lim = (S)(size - 1);
  if (in >= lim) { *grad = 0; return lim; }
  *grad = 1;
  return in;
}

// grid_sampler_compute_source_index_set_grad
template <class S> S sourceIndex(S coord, int64_t size, const GridGeom& g, S* grad) {
  S gmult;
  if (g.align) { gmult = (S)(size - 1) / 2; coord = ((coord + 1) / 2) * (S)(size - 1); }
  else { gmult = (S)size / 2; coord = ((coord + 1) * (S)size - 1) / 2; }
  S g2 = 1, g3 = 1;
  if (g.pad == 1) coord = clipCoord(coord, size, &g2);
  else if (g.pad == 2) {
    coord = g.align ? reflectCoord(coord, 0, 2.0 * (double)(size - 1), &g2) : reflectCoord(coord, -1, 2.0 * (double)size - 1, &g2);
    coord = clipCoord(coord, size, &g3);
  }
  *grad = gmult * g2 * g3;
  return coord;
}

inline bool inb(int64_t y, int64_t x, int64_t H, int64_t W) { return y >= 0 && y < H && x >= 0 && x < W; }

// meta = [dtype, N, C, H, W, OH, OW, interp, pad, align, offOut/offGx, offIn/offGo, offGrid, offInput (bwd), offGgrid (bwd)]
// forward bufs [out, input, grid]; backward bufs [gradInput, gradOut, grid, input, gradGrid]
template <class T> void gridSample(int mode, const double* m, const Napi::Array& bufs) {
  GridGeom g{(int64_t)m[1], (int64_t)m[2], (int64_t)m[3], (int64_t)m[4], (int64_t)m[5], (int64_t)m[6], (int)m[7], (int)m[8], m[9] != 0};
  const int64_t HW = g.H * g.W, OHW = g.OH * g.OW;
  const T* grid = ptr<T>(bufs.Get((uint32_t)2), (int64_t)m[12]);
  if (mode == 0) {
    T* out = ptr<T>(bufs.Get((uint32_t)0), (int64_t)m[10]);
    const T* x = ptr<T>(bufs.Get((uint32_t)1), (int64_t)m[11]);
    parallelFor(g.N * OHW, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.C * 4)), [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; q++) {
        const int64_t n = q / OHW, pt = q % OHW;
        T gd;
        const T ix = sourceIndex<T>(grid[q * 2], g.W, g, &gd), iy = sourceIndex<T>(grid[q * 2 + 1], g.H, g, &gd);
        const T* xn = x + n * g.C * HW;
        T* on = out + n * g.C * OHW + pt;
        if (g.interp == 1) {
          const int64_t xi = (int64_t)std::nearbyint(ix), yi = (int64_t)std::nearbyint(iy);
          const bool ok = inb(yi, xi, g.H, g.W);
          for (int64_t c = 0; c < g.C; c++) on[c * OHW] = ok ? xn[c * HW + yi * g.W + xi] : T(0);
          continue;
        }
        const int64_t x0 = (int64_t)std::floor(ix), y0 = (int64_t)std::floor(iy), x1 = x0 + 1, y1 = y0 + 1;
        const T wnw = ((T)x1 - ix) * ((T)y1 - iy), wne = (ix - (T)x0) * ((T)y1 - iy);
        const T wsw = ((T)x1 - ix) * (iy - (T)y0), wse = (ix - (T)x0) * (iy - (T)y0);
        const bool bnw = inb(y0, x0, g.H, g.W), bne = inb(y0, x1, g.H, g.W), bsw = inb(y1, x0, g.H, g.W), bse = inb(y1, x1, g.H, g.W);
        for (int64_t c = 0; c < g.C; c++) {
          const T* xc = xn + c * HW;
          T v = 0;
          if (bnw) v += xc[y0 * g.W + x0] * wnw;
          if (bne) v += xc[y0 * g.W + x1] * wne;
          if (bsw) v += xc[y1 * g.W + x0] * wsw;
          if (bse) v += xc[y1 * g.W + x1] * wse;
          on[c * OHW] = v;
        }
      }
    });
    return;
  }
  T* gx = ptr<T>(bufs.Get((uint32_t)0), (int64_t)m[10]);
  const T* go = ptr<T>(bufs.Get((uint32_t)1), (int64_t)m[11]);
  const T* x = ptr<T>(bufs.Get((uint32_t)3), (int64_t)m[13]);
  T* gg = ptr<T>(bufs.Get((uint32_t)4), (int64_t)m[14]);
  parallelFor(g.N, 1, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; n++) {
      T* gxn = gx + n * g.C * HW;
      std::fill(gxn, gxn + g.C * HW, T(0));
      const T* xn = x + n * g.C * HW;
      for (int64_t pt = 0; pt < OHW; pt++) {
        const int64_t q = n * OHW + pt;
        T gmx, gmy;
        const T ix = sourceIndex<T>(grid[q * 2], g.W, g, &gmx), iy = sourceIndex<T>(grid[q * 2 + 1], g.H, g, &gmy);
        const T* gon = go + n * g.C * OHW + pt;
        if (g.interp == 1) {
          const int64_t xi = (int64_t)std::nearbyint(ix), yi = (int64_t)std::nearbyint(iy);
          if (inb(yi, xi, g.H, g.W))
            for (int64_t c = 0; c < g.C; c++) gxn[c * HW + yi * g.W + xi] += gon[c * OHW];
          gg[q * 2] = 0; gg[q * 2 + 1] = 0;
          continue;
        }
        const int64_t x0 = (int64_t)std::floor(ix), y0 = (int64_t)std::floor(iy), x1 = x0 + 1, y1 = y0 + 1;
        const T wnw = ((T)x1 - ix) * ((T)y1 - iy), wne = (ix - (T)x0) * ((T)y1 - iy);
        const T wsw = ((T)x1 - ix) * (iy - (T)y0), wse = (ix - (T)x0) * (iy - (T)y0);
        const bool bnw = inb(y0, x0, g.H, g.W), bne = inb(y0, x1, g.H, g.W), bsw = inb(y1, x0, g.H, g.W), bse = inb(y1, x1, g.H, g.W);
        T gix = 0, giy = 0;
        for (int64_t c = 0; c < g.C; c++) {
          const T gout = gon[c * OHW];
          T* gxc = gxn + c * HW;
          const T* xc = xn + c * HW;
          if (bnw) { gxc[y0 * g.W + x0] += wnw * gout; const T v = xc[y0 * g.W + x0]; gix -= v * ((T)y1 - iy) * gout; giy -= v * ((T)x1 - ix) * gout; }
          if (bne) { gxc[y0 * g.W + x1] += wne * gout; const T v = xc[y0 * g.W + x1]; gix += v * ((T)y1 - iy) * gout; giy -= v * (ix - (T)x0) * gout; }
          if (bsw) { gxc[y1 * g.W + x0] += wsw * gout; const T v = xc[y1 * g.W + x0]; gix -= v * (iy - (T)y0) * gout; giy += v * ((T)x1 - ix) * gout; }
          if (bse) { gxc[y1 * g.W + x1] += wse * gout; const T v = xc[y1 * g.W + x1]; gix += v * (iy - (T)y0) * gout; giy += v * (ix - (T)x0) * gout; }
        }
        gg[q * 2] = gmx * gix;
        gg[q * 2 + 1] = gmy * giy;
      }
    }
  });
}

Napi::Value GridSample2d(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  size_t n;
  const double* m = f64Data(info[2], &n);
  if (n < 15) throw std::runtime_error("gridsample2d: truncated descriptor");
  if ((int)m[0] == kFloat32) gridSample<float>(mode, m, bufs);
  else if ((int)m[0] == kFloat64) gridSample<double>(mode, m, bufs);
  else throw std::runtime_error("gridsample2d: float32 or float64 only");
  return info.Env().Undefined();
}

}  // namespace

void registerResample(Napi::Env env, Napi::Object exports) {
  exports.Set("sepmap", Napi::Function::New(env, Sepmap, "sepmap"));
  exports.Set("gridsample2d", Napi::Function::New(env, GridSample2d, "gridsample2d"));
}

}  // namespace tt
