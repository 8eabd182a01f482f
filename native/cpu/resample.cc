// SPDX-License-Identifier: BSD-3-Clause
// Separable resampling and grid sampling.
//
// sepmap: out[p, o0, o1, o2] = sum over taps t0,t1,t2 of w0[o0,t0] w1[o1,t1] w2[o2,t2] x[p, i0[o0,t0], i1[o1,t1], i2[o2,t2]]
// with per-dim tap tables built on the TypeScript side. One kernel covers F.pad (one tap, index -1
// meaning "outside": the fill value), nearest/linear/cubic interpolation (1/2/4 taps) and adaptive
// average pooling (a window of taps). Mode 1 is the adjoint (the input gradient). One task per plane p.
//
// gridsample2d: F.grid_sample on 4D inputs (bilinear/nearest/bicubic; zeros/border/reflection padding),
// following aten/src/ATen/native/GridSampler.h for the coordinate rules and gradients.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

template <class T> T* ptr(const Napi::Value& v, int64_t off) { return reinterpret_cast<T*>(bufferData(v)) + off; }

// One mapped dim's tap table, converted once per call: int64 indices (-1: skip / fill) and weights.
struct Taps {
  int64_t O = 1, T = 1;
  std::vector<int64_t> idx;
  std::vector<double> w;
  bool anyNeg = false;
};

Taps loadTaps(const Napi::Value& vi, const Napi::Value& vw, int64_t O, int64_t T) {
  size_t ni, nw;
  const double* i = f64Data(vi, &ni);
  const double* w = f64Data(vw, &nw);
  if ((int64_t)ni < O * T || (int64_t)nw < O * T) throw std::runtime_error("sepmap: short tap table");
  Taps t;
  t.O = O; t.T = T;
  t.idx.resize((size_t)(O * T));
  t.w.assign(w, w + O * T);
  for (int64_t k = 0; k < O * T; k++) { t.idx[k] = (int64_t)i[k]; if (t.idx[k] < 0) t.anyNeg = true; }
  return t;
}

// out[o2] (+)= sum over taps of w * x[idx]; the tap count as a template parameter where it is small
template <class T, int NT, bool Check> inline double rowDot(const Taps& t, int64_t o2, const T* xrow) {
  const int64_t* ix = t.idx.data() + o2 * (NT > 0 ? NT : t.T);
  const double* wx = t.w.data() + o2 * (NT > 0 ? NT : t.T);
  const int64_t n = NT > 0 ? NT : t.T;
  double s = 0;
  for (int64_t k = 0; k < n; k++)
    if (!Check || ix[k] >= 0) s += wx[k] * (double)xrow[ix[k]];
  return s;
}

template <class T, int NT, bool Check> void fwdRows(const Taps& t2, const std::vector<std::pair<double, const T*>>& pairs, double* acc, T* orow,
                                                    bool direct) {
  const int64_t O2 = t2.O;
  if (direct) {  // a single (t0, t1) pair: write straight into the output row
    const double w01 = pairs[0].first;
    const T* xrow = pairs[0].second;
    for (int64_t o2 = 0; o2 < O2; o2++) orow[o2] = (T)(w01 * rowDot<T, NT, Check>(t2, o2, xrow));
    return;
  }
  std::fill(acc, acc + O2, 0.0);
  for (const auto& pr : pairs)
    for (int64_t o2 = 0; o2 < O2; o2++) acc[o2] += pr.first * rowDot<T, NT, Check>(t2, o2, pr.second);
  for (int64_t o2 = 0; o2 < O2; o2++) orow[o2] = (T)acc[o2];
}

// arow[idx] += w01 * w * grow[o2] over the taps of every output of the row (the adjoint of rowDot)
template <class T, int NT, bool Check> void bwdRow(const Taps& t, double w01, const T* grow, double* arow) {
  const int64_t n = NT > 0 ? NT : t.T;
  const int64_t* ix = t.idx.data();
  const double* wx = t.w.data();
  for (int64_t o2 = 0; o2 < t.O; o2++, ix += n, wx += n) {
    const double g = w01 * (double)grow[o2];
    for (int64_t k = 0; k < n; k++)
      if (!Check || ix[k] >= 0) arow[ix[k]] += wx[k] * g;
  }
}

// meta = [dtype, P, I0, I1, I2, O0, O1, O2, T0, T1, T2, fill, hasFill, offOut, offIn]
// bufs = [out, input, idx0, w0, idx1, w1, idx2, w2] (tap tables are Float64Array, O*T each)
template <class T> void sepmap(int mode, const double* m, const Napi::Array& bufs) {
  const int64_t P = (int64_t)m[1], I0 = (int64_t)m[2], I1 = (int64_t)m[3], I2 = (int64_t)m[4];
  Taps tp[3];
  for (int d = 0; d < 3; d++)
    tp[d] = loadTaps(bufs.Get((uint32_t)(2 + 2 * d)), bufs.Get((uint32_t)(3 + 2 * d)), (int64_t)m[5 + d], (int64_t)m[8 + d]);
  const double fill = m[11];
  const bool hasFill = m[12] != 0;
  const int64_t O0 = tp[0].O, O1 = tp[1].O, O2 = tp[2].O, T0 = tp[0].T, T1 = tp[1].T, T2 = tp[2].T;
  const int64_t inPlane = I0 * I1 * I2, outPlane = O0 * O1 * O2;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, outPlane * T0 * T1 * T2));
  const Taps& t2 = tp[2];
  const bool check = t2.anyNeg;
  if (mode == 0) {
    T* out = ptr<T>(bufs.Get((uint32_t)0), (int64_t)m[13]);
    const T* x = ptr<T>(bufs.Get((uint32_t)1), (int64_t)m[14]);
    parallelFor(P, grain, [&](int64_t p0, int64_t p1) {
      std::vector<double> acc((size_t)O2);
      std::vector<std::pair<double, const T*>> pairs;
      pairs.reserve((size_t)(T0 * T1));
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
            pairs.clear();
            for (int64_t a = 0; a < T0; a++) {
              const double w0 = tp[0].w[o0 * T0 + a];
              const int64_t i0 = tp[0].idx[o0 * T0 + a];
              if (w0 == 0 || i0 < 0) continue;
              for (int64_t b = 0; b < T1; b++) {
                const double w01 = w0 * tp[1].w[o1 * T1 + b];
                const int64_t i1 = tp[1].idx[o1 * T1 + b];
                if (w01 == 0 || i1 < 0) continue;
                pairs.emplace_back(w01, xp + (i0 * I1 + i1) * I2);
              }
            }
            if (pairs.empty()) { std::fill(orow, orow + O2, T(0)); }
            else {
              const bool direct = pairs.size() == 1;
              if (check) fwdRows<T, 0, true>(t2, pairs, acc.data(), orow, direct);
              else if (T2 == 1) fwdRows<T, 1, false>(t2, pairs, acc.data(), orow, direct);
              else if (T2 == 2) fwdRows<T, 2, false>(t2, pairs, acc.data(), orow, direct);
              else if (T2 == 4) fwdRows<T, 4, false>(t2, pairs, acc.data(), orow, direct);
              else fwdRows<T, 0, false>(t2, pairs, acc.data(), orow, direct);
            }
            if (hasFill && check)
              for (int64_t o2 = 0; o2 < O2; o2++) if (t2.idx[o2 * T2] < 0) orow[o2] = (T)fill;
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
            for (int64_t a = 0; a < T0; a++) {
              const double w0 = tp[0].w[o0 * T0 + a];
              const int64_t i0 = tp[0].idx[o0 * T0 + a];
              if (w0 == 0 || i0 < 0) continue;
              for (int64_t b = 0; b < T1; b++) {
                const double w01 = w0 * tp[1].w[o1 * T1 + b];
                const int64_t i1 = tp[1].idx[o1 * T1 + b];
                if (w01 == 0 || i1 < 0) continue;
                double* arow = acc.data() + (i0 * I1 + i1) * I2;
                if (check) bwdRow<T, 0, true>(t2, w01, grow, arow);
                else if (T2 == 1) bwdRow<T, 1, false>(t2, w01, grow, arow);
                else if (T2 == 2) bwdRow<T, 2, false>(t2, w01, grow, arow);
                else if (T2 == 4) bwdRow<T, 4, false>(t2, w01, grow, arow);
                else bwdRow<T, 0, false>(t2, w01, grow, arow);
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
  int interp, pad;  // interp 0 bilinear, 1 nearest, 2 bicubic; pad 0 zeros, 1 border, 2 reflection
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

// compute_coordinates: the padding rule alone (for bicubic taps), then the integer index or -1 outside
template <class S> int64_t boundedIndex(S coord, int64_t size, const GridGeom& g) {
  S gd;
  if (g.pad == 1) coord = clipCoord(coord, size, &gd);
  else if (g.pad == 2) {
    coord = g.align ? reflectCoord(coord, 0, 2.0 * (double)(size - 1), &gd) : reflectCoord(coord, -1, 2.0 * (double)size - 1, &gd);
    coord = clipCoord(coord, size, &gd);
  }
  const int64_t i = (int64_t)coord;
  return (i >= 0 && i < size) ? i : -1;
}

// get_cubic_upsample_coefficients (A = -0.75) and their derivatives in t
template <class S> void cubicCoeffs(S t, S c[4]) {
  const S A = -0.75;
  S x = t + 1;
  c[0] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  x = t;
  c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
  x = 1 - t;
  c[2] = ((A + 2) * x - (A + 3)) * x * x + 1;
  x = 2 - t;
  c[3] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}
template <class S> void cubicCoeffsGrad(S t, S c[4]) {
  const S A = -0.75;
  S x = -1 - t;
  c[0] = (-3 * A * x - 10 * A) * x - 8 * A;
  x = -t;
  c[1] = (-3 * (A + 2) * x - 2 * (A + 3)) * x;
  x = 1 - t;
  c[2] = (3 * (A + 2) * x - 2 * (A + 3)) * x;
  x = 2 - t;
  c[3] = (3 * A * x - 10 * A) * x + 8 * A;
}

// grid_sampler_unnormalize_set_grad
template <class S> S unnormalize(S coord, int64_t size, bool align, S* grad) {
  if (align) { *grad = (S)(size - 1) / 2; return ((coord + 1) / 2) * (S)(size - 1); }
  *grad = (S)size / 2;
  return ((coord + 1) * (S)size - 1) / 2;
}

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
        const T* xn = x + n * g.C * HW;
        T* on = out + n * g.C * OHW + pt;
        if (g.interp == 2) {  // bicubic: the 4x4 taps around the unpadded coordinate, each padded alone
          const T ux = unnormalize<T>(grid[q * 2], g.W, g.align, &gd), uy = unnormalize<T>(grid[q * 2 + 1], g.H, g.align, &gd);
          const T fx = std::floor(ux), fy = std::floor(uy);
          T cx[4], cy[4];
          cubicCoeffs<T>(ux - fx, cx);
          cubicCoeffs<T>(uy - fy, cy);
          int64_t bx[4], by[4];
          for (int k = 0; k < 4; k++) { bx[k] = boundedIndex<T>(fx - 1 + k, g.W, g); by[k] = boundedIndex<T>(fy - 1 + k, g.H, g); }
          for (int64_t c = 0; c < g.C; c++) {
            const T* xc = xn + c * HW;
            T v = 0;
            for (int j = 0; j < 4; j++) {
              T row = 0;
              for (int i = 0; i < 4; i++) row += cx[i] * ((bx[i] >= 0 && by[j] >= 0) ? xc[by[j] * g.W + bx[i]] : T(0));
              v += cy[j] * row;
            }
            on[c * OHW] = v;
          }
          continue;
        }
        const T ix = sourceIndex<T>(grid[q * 2], g.W, g, &gd), iy = sourceIndex<T>(grid[q * 2 + 1], g.H, g, &gd);
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
        const T* gon = go + n * g.C * OHW + pt;
        if (g.interp == 2) {
          const T ux = unnormalize<T>(grid[q * 2], g.W, g.align, &gmx), uy = unnormalize<T>(grid[q * 2 + 1], g.H, g.align, &gmy);
          const T fx = std::floor(ux), fy = std::floor(uy);
          T cx[4], cy[4], dx[4], dy[4];
          cubicCoeffs<T>(ux - fx, cx); cubicCoeffs<T>(uy - fy, cy);
          cubicCoeffsGrad<T>(ux - fx, dx); cubicCoeffsGrad<T>(uy - fy, dy);
          int64_t bx[4], by[4];
          for (int k = 0; k < 4; k++) { bx[k] = boundedIndex<T>(fx - 1 + k, g.W, g); by[k] = boundedIndex<T>(fy - 1 + k, g.H, g); }
          T gix = 0, giy = 0;
          for (int64_t c = 0; c < g.C; c++) {
            const T gout = gon[c * OHW];
            T* gxc = gxn + c * HW;
            const T* xc = xn + c * HW;
            for (int j = 0; j < 4; j++)
              for (int i = 0; i < 4; i++) {
                if (bx[i] < 0 || by[j] < 0) continue;
                const int64_t o = by[j] * g.W + bx[i];
                gxc[o] += gout * cx[i] * cy[j];
                const T v = xc[o];
                gix -= v * dx[i] * cy[j] * gout;
                giy -= v * dy[j] * cx[i] * gout;
              }
          }
          gg[q * 2] = gmx * gix;
          gg[q * 2 + 1] = gmy * giy;
          continue;
        }
        const T ix = sourceIndex<T>(grid[q * 2], g.W, g, &gmx), iy = sourceIndex<T>(grid[q * 2 + 1], g.H, g, &gmy);
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

// ---- grid_sample (3D): trilinear ("bilinear") / nearest ----
// meta = [dtype, N, C, D, H, W, OD, OH, OW, interp, pad, align, offOut/offGx, offIn/offGo, offGrid, offInput (bwd), offGgrid (bwd)]
template <class T> void gridSample3d(int mode, const double* m, const Napi::Array& bufs) {
  const int64_t N = (int64_t)m[1], C = (int64_t)m[2], D = (int64_t)m[3], H = (int64_t)m[4], W = (int64_t)m[5];
  const int64_t OP = (int64_t)m[6] * (int64_t)m[7] * (int64_t)m[8], V = D * H * W;
  GridGeom g{N, C, H, W, 0, 0, (int)m[9], (int)m[10], m[11] != 0};
  const T* grid = ptr<T>(bufs.Get((uint32_t)2), (int64_t)m[14]);
  auto corners = [&](int64_t q, T* gm, int64_t* idx, T* w, T* dw) {
    // idx/w for the 8 corners (x fastest); dw[3*k + a]: d w_k / d coordinate a; gm: d coordinate / d grid
    const T ix = sourceIndex<T>(grid[q * 3], W, g, &gm[0]), iy = sourceIndex<T>(grid[q * 3 + 1], H, g, &gm[1]),
            iz = sourceIndex<T>(grid[q * 3 + 2], D, g, &gm[2]);
    if (g.interp == 1) {
      const int64_t xi = (int64_t)std::nearbyint(ix), yi = (int64_t)std::nearbyint(iy), zi = (int64_t)std::nearbyint(iz);
      const bool ok = xi >= 0 && xi < W && yi >= 0 && yi < H && zi >= 0 && zi < D;
      idx[0] = ok ? (zi * H + yi) * W + xi : -1;
      w[0] = 1;
      return 1;
    }
    const int64_t x0 = (int64_t)std::floor(ix), y0 = (int64_t)std::floor(iy), z0 = (int64_t)std::floor(iz);
    const T fx[2] = {(T)(x0 + 1) - ix, ix - (T)x0}, fy[2] = {(T)(y0 + 1) - iy, iy - (T)y0}, fz[2] = {(T)(z0 + 1) - iz, iz - (T)z0};
    for (int k = 0; k < 8; k++) {
      const int a = k & 1, b = (k >> 1) & 1, c = k >> 2;
      const int64_t xx = x0 + a, yy = y0 + b, zz = z0 + c;
      idx[k] = (xx >= 0 && xx < W && yy >= 0 && yy < H && zz >= 0 && zz < D) ? (zz * H + yy) * W + xx : -1;
      w[k] = fx[a] * fy[b] * fz[c];
      dw[3 * k] = (a ? T(1) : T(-1)) * fy[b] * fz[c];
      dw[3 * k + 1] = (b ? T(1) : T(-1)) * fx[a] * fz[c];
      dw[3 * k + 2] = (c ? T(1) : T(-1)) * fx[a] * fy[b];
    }
    return 8;
  };
  if (mode == 0) {
    T* out = ptr<T>(bufs.Get((uint32_t)0), (int64_t)m[12]);
    const T* x = ptr<T>(bufs.Get((uint32_t)1), (int64_t)m[13]);
    parallelFor(N * OP, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, C * 8)), [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; q++) {
        const int64_t n = q / OP, pt = q % OP;
        T gm[3], w[8], dw[24];
        int64_t idx[8];
        const int nk = corners(q, gm, idx, w, dw);
        const T* xn = x + n * C * V;
        T* on = out + n * C * OP + pt;
        for (int64_t c = 0; c < C; c++) {
          T v = 0;
          for (int k = 0; k < nk; k++) if (idx[k] >= 0) v += xn[c * V + idx[k]] * w[k];
          on[c * OP] = v;
        }
      }
    });
    return;
  }
  T* gx = ptr<T>(bufs.Get((uint32_t)0), (int64_t)m[12]);
  const T* go = ptr<T>(bufs.Get((uint32_t)1), (int64_t)m[13]);
  const T* x = ptr<T>(bufs.Get((uint32_t)3), (int64_t)m[15]);
  T* gg = ptr<T>(bufs.Get((uint32_t)4), (int64_t)m[16]);
  parallelFor(N, 1, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; n++) {
      T* gxn = gx + n * C * V;
      std::fill(gxn, gxn + C * V, T(0));
      const T* xn = x + n * C * V;
      for (int64_t pt = 0; pt < OP; pt++) {
        const int64_t q = n * OP + pt;
        T gm[3], w[8], dw[24];
        int64_t idx[8];
        const int nk = corners(q, gm, idx, w, dw);
        const T* gon = go + n * C * OP + pt;
        T gi[3] = {0, 0, 0};
        for (int64_t c = 0; c < C; c++) {
          const T gout = gon[c * OP];
          for (int k = 0; k < nk; k++) {
            if (idx[k] < 0) continue;
            gxn[c * V + idx[k]] += w[k] * gout;
            if (nk == 8) {
              const T v = xn[c * V + idx[k]] * gout;
              gi[0] += v * dw[3 * k]; gi[1] += v * dw[3 * k + 1]; gi[2] += v * dw[3 * k + 2];
            }
          }
        }
        for (int a = 0; a < 3; a++) gg[q * 3 + a] = gm[a] * gi[a];
      }
    }
  });
}

Napi::Value GridSample3d(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  size_t n;
  const double* m = f64Data(info[2], &n);
  if (n < 17) throw std::runtime_error("gridsample3d: truncated descriptor");
  if ((int)m[0] == kFloat32) gridSample3d<float>(mode, m, bufs);
  else if ((int)m[0] == kFloat64) gridSample3d<double>(mode, m, bufs);
  else throw std::runtime_error("gridsample3d: float32 or float64 only");
  return info.Env().Undefined();
}

}  // namespace

void registerResample(Napi::Env env, Napi::Object exports) {
  exports.Set("sepmap", Napi::Function::New(env, Sepmap, "sepmap"));
  exports.Set("gridsample2d", Napi::Function::New(env, GridSample2d, "gridsample2d"));
  exports.Set("gridsample3d", Napi::Function::New(env, GridSample3d, "gridsample3d"));
}

}  // namespace tt
