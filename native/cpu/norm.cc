// SPDX-License-Identifier: BSD-3-Clause
// batch_norm and group_norm, forward and backward (the math of PyTorch's CPU kernels in
// aten/src/ATen/native/{Normalization.cpp,group_norm.cpp}): statistics are two-pass with double
// accumulators, the variance is biased (the caller derives the unbiased running update), and
// instance_norm reuses batch_norm on an (1, N*C, L) view, as PyTorch does.
// Inputs are contiguous (N, C, L); offsets are in elements, one per buffer.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "common/simd.h"
#include "cpu/conv_epilogue.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

// Row primitives with 8 independent double accumulators, so the loops pipeline and vectorise
// (compiled for AVX2 and baseline, chosen at run time; the same summation order in both).
template <class T> TT_SIMD_CLONES double rowSum(const T* a, int64_t n) {
  double p[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) p[j] += (double)a[i + j];
  double r = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; i < n; i++) r += (double)a[i];
  return r;
}

// sum((a - mu)^2)
template <class T> TT_SIMD_CLONES double rowSqDev(const T* a, int64_t n, double mu) {
  double p[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) { const double t = (double)a[i + j] - mu; p[j] += t * t; }
  double r = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; i < n; i++) { const double t = (double)a[i] - mu; r += t * t; }
  return r;
}

// sum(g) and sum(g * (x - mu))
template <class T> TT_SIMD_CLONES void rowGradSums(const T* g, const T* x, int64_t n, double mu, double* sg, double* sgx) {
  double p[8] = {}, q[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) { const double gv = (double)g[i + j]; p[j] += gv; q[j] += gv * ((double)x[i + j] - mu); }
  double a = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  double b = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
  for (; i < n; i++) { const double gv = (double)g[i]; a += gv; b += gv * ((double)x[i] - mu); }
  *sg += a;
  *sgx += b;
}

// y = x * scale + shift
template <class T> TT_SIMD_CLONES void rowAffine(const T* x, T* y, int64_t n, double scale, double shift) {
  for (int64_t i = 0; i < n; i++) y[i] = (T)((double)x[i] * scale + shift);
}

// y = x * scale + shift in float: a multiply, then an add (not contracted: -std=c++17), so the
// AVX2 and baseline clones give the same bits
TT_SIMD_CLONES void rowAffineF(const float* x, float* y, int64_t n, float scale, float shift) {
  for (int64_t i = 0; i < n; i++) y[i] = x[i] * scale + shift;
}

// y = (g - gMean - (x - mu) * proj) * k
template <class T> TT_SIMD_CLONES void rowGradInput(const T* g, const T* x, T* y, int64_t n, double gMean, double mu, double proj, double k) {
  for (int64_t i = 0; i < n; i++) y[i] = (T)(((double)g[i] - gMean - ((double)x[i] - mu) * proj) * k);
}

template <class T> T* at(const Napi::Array& bufs, uint32_t k, int64_t off) {
  return reinterpret_cast<T*>(bufferData(bufs.Get(k))) + off;
}

int64_t grainFor(int64_t perItem) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, perItem)); }

// meta = [dtype, N, C, L, eps, flags, off0, off1, ...]
// flags: bit0 weight, bit1 bias, bit2 training (backward), bit3 gradInput, bit4 gradWeight, bit5 gradBias
struct Desc {
  int dt;
  int64_t N, C, L, G;
  double eps;
  int flags;
  const double* off;
  size_t nOff;
  int64_t o(size_t k) const { return k < nOff ? (int64_t)off[k] : 0; }
  bool has(int bit) const { return (flags >> bit) & 1; }
};

Desc parse(const Napi::Value& v, bool group) {
  size_t n;
  const double* m = f64Data(v, &n);
  const size_t fixed = group ? 7 : 6;
  if (n < fixed) throw std::runtime_error("norm: truncated descriptor");
  Desc d;
  d.dt = (int)m[0];
  d.N = (int64_t)m[1];
  d.C = (int64_t)m[2];
  d.L = (int64_t)m[3];
  size_t p = 4;
  d.G = group ? (int64_t)m[p++] : 1;
  d.eps = m[p++];
  d.flags = (int)m[p++];
  d.off = m + p;
  d.nOff = n - p;
  if (d.dt != kFloat32 && d.dt != kFloat64) throw std::runtime_error("norm: float32 or float64 only");
  return d;
}

// ---- batch norm ----------------------------------------------------------------------------
// training forward: buffers [y, mean, invstd, var, x, weight, bias]
template <class T> void bnForwardTrain(const Desc& d, const Napi::Array& b) {
  T* y = at<T>(b, 0, d.o(0));
  T* mean = at<T>(b, 1, d.o(1));
  T* invstd = at<T>(b, 2, d.o(2));
  T* var = at<T>(b, 3, d.o(3));
  const T* x = at<T>(b, 4, d.o(4));
  const T* w = d.has(0) ? at<T>(b, 5, d.o(5)) : nullptr;
  const T* bias = d.has(1) ? at<T>(b, 6, d.o(6)) : nullptr;
  const int64_t N = d.N, C = d.C, L = d.L, M = N * L;
  parallelFor(C, grainFor(M * 3), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      double s = 0;
      for (int64_t n = 0; n < N; n++) s += rowSum(x + (n * C + c) * L, L);
      const double mu = M > 0 ? s / (double)M : 0;
      double ss = 0;
      for (int64_t n = 0; n < N; n++) ss += rowSqDev(x + (n * C + c) * L, L, mu);
      const double v = M > 0 ? ss / (double)M : 0;
      const double is = 1.0 / std::sqrt(v + d.eps);
      mean[c] = (T)mu;
      var[c] = (T)v;
      invstd[c] = (T)is;
      const double scale = is * (w ? (double)w[c] : 1.0);
      const double shift = (bias ? (double)bias[c] : 0.0) - mu * scale;
      for (int64_t n = 0; n < N; n++) rowAffine(x + (n * C + c) * L, y + (n * C + c) * L, L, scale, shift);
    }
  });
}

// evaluation forward: buffers [y, x, runningMean, runningVar, weight, bias]
template <class T> void bnForwardEval(const Desc& d, const Napi::Array& b) {
  T* y = at<T>(b, 0, d.o(0));
  const T* x = at<T>(b, 1, d.o(1));
  const T* rm = at<T>(b, 2, d.o(2));
  const T* rv = at<T>(b, 3, d.o(3));
  const T* w = d.has(0) ? at<T>(b, 4, d.o(4)) : nullptr;
  const T* bias = d.has(1) ? at<T>(b, 5, d.o(5)) : nullptr;
  const int64_t N = d.N, C = d.C, L = d.L;
  auto terms = [&](int64_t c, double& scale, double& shift) {
    const double is = 1.0 / std::sqrt((double)rv[c] + d.eps);
    scale = is * (w ? (double)w[c] : 1.0);
    shift = (bias ? (double)bias[c] : 0.0) - (double)rm[c] * scale;
  };
  if constexpr (std::is_same<T, float>::value) {
    // float32: the per-channel terms once (in double, then rounded to float), then one float
    // multiply-add pass 8 lanes wide, as PyTorch's CPU kernel does it (alpha = invstd * weight,
    // beta = bias - mean * alpha; y = x * alpha + beta), instead of widening every element to double
    // (the terms of conv_epilogue.h, which the fused conv + BatchNorm of conv.cc's mode 5 uses too)
    std::vector<float> sc((size_t)C), sh((size_t)C);
    convepi::bnEvalTerms(C, rm, rv, w, bias, d.eps, sc.data(), sh.data());
    parallelFor(N * C, grainFor(L), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) rowAffineF(x + r * L, y + r * L, L, sc[(size_t)(r % C)], sh[(size_t)(r % C)]);
    });
    return;
  }
  parallelFor(N * C, grainFor(L), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      double scale, shift;
      terms(r % C, scale, shift);
      rowAffine(x + r * L, y + r * L, L, scale, shift);
    }
  });
}

// backward: buffers [gradInput, gradWeight, gradBias, gradOut, x, mean, invstd, weight]
// (training: the saved batch statistics; evaluation: the running mean and 1/sqrt(var+eps)).
template <class T> void bnBackward(const Desc& d, const Napi::Array& b) {
  const bool train = d.has(2), needGx = d.has(3), needGw = d.has(4), needGb = d.has(5);
  T* gx = needGx ? at<T>(b, 0, d.o(0)) : nullptr;
  T* gw = needGw ? at<T>(b, 1, d.o(1)) : nullptr;
  T* gb = needGb ? at<T>(b, 2, d.o(2)) : nullptr;
  const T* go = at<T>(b, 3, d.o(3));
  const T* x = at<T>(b, 4, d.o(4));
  const T* mean = at<T>(b, 5, d.o(5));
  const T* invstd = at<T>(b, 6, d.o(6));
  const T* w = d.has(0) ? at<T>(b, 7, d.o(7)) : nullptr;
  const int64_t N = d.N, C = d.C, L = d.L, M = N * L;
  parallelFor(C, grainFor(M * 3), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const double mu = mean[c], is = invstd[c];
      double sumGo = 0, dot = 0;
      for (int64_t n = 0; n < N; n++) rowGradSums(go + (n * C + c) * L, x + (n * C + c) * L, L, mu, &sumGo, &dot);
      if (gb) gb[c] = (T)sumGo;
      if (gw) gw[c] = (T)(dot * is);
      if (!gx) continue;
      const double wc = w ? (double)w[c] : 1.0;
      if (train) {
        const double gMean = M > 0 ? sumGo / (double)M : 0;
        const double proj = M > 0 ? dot * is * is / (double)M : 0;
        for (int64_t n = 0; n < N; n++)
          rowGradInput(go + (n * C + c) * L, x + (n * C + c) * L, gx + (n * C + c) * L, L, gMean, mu, proj, is * wc);
      } else {
        const double k = is * wc;
        for (int64_t n = 0; n < N; n++) rowAffine(go + (n * C + c) * L, gx + (n * C + c) * L, L, k, 0.0);
      }
    }
  });
}

// batchNorm(mode, buffers, meta): 0 training forward, 1 evaluation forward, 2 backward
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  const Desc d = parse(info[2], false);
  const bool f32 = d.dt == kFloat32;
  switch (mode) {
    case 0: f32 ? bnForwardTrain<float>(d, bufs) : bnForwardTrain<double>(d, bufs); break;
    case 1: f32 ? bnForwardEval<float>(d, bufs) : bnForwardEval<double>(d, bufs); break;
    case 2: f32 ? bnBackward<float>(d, bufs) : bnBackward<double>(d, bufs); break;
    default: throw std::runtime_error("batchNorm: bad mode");
  }
  return info.Env().Undefined();
}

// ---- group norm ----------------------------------------------------------------------------
// forward: buffers [y, mean (N*G), rstd (N*G), x, weight, bias]
template <class T> void gnForward(const Desc& d, const Napi::Array& b) {
  T* y = at<T>(b, 0, d.o(0));
  T* mean = at<T>(b, 1, d.o(1));
  T* rstd = at<T>(b, 2, d.o(2));
  const T* x = at<T>(b, 3, d.o(3));
  const T* w = d.has(0) ? at<T>(b, 4, d.o(4)) : nullptr;
  const T* bias = d.has(1) ? at<T>(b, 5, d.o(5)) : nullptr;
  const int64_t C = d.C, L = d.L, G = d.G, Cg = C / G, D = Cg * L;
  parallelFor(d.N * G, grainFor(D * 3), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const T* src = x + r * D;
      const double mu = D > 0 ? rowSum(src, D) / (double)D : 0;
      const double ss = rowSqDev(src, D, mu);
      const double rs = 1.0 / std::sqrt((D > 0 ? ss / (double)D : 0) + d.eps);
      mean[r] = (T)mu;
      rstd[r] = (T)rs;
      const int64_t g = r % G;
      for (int64_t cc = 0; cc < Cg; cc++) {
        const int64_t c = g * Cg + cc;
        const double scale = rs * (w ? (double)w[c] : 1.0);
        const double shift = (bias ? (double)bias[c] : 0.0) - mu * scale;
        rowAffine(src + cc * L, y + r * D + cc * L, L, scale, shift);
      }
    }
  });
}

// backward: buffers [gradInput, gradWeight, gradBias, gradOut, x, mean, rstd, weight]
template <class T> void gnBackward(const Desc& d, const Napi::Array& b) {
  const bool needGx = d.has(3), needGw = d.has(4), needGb = d.has(5);
  T* gx = needGx ? at<T>(b, 0, d.o(0)) : nullptr;
  T* gw = needGw ? at<T>(b, 1, d.o(1)) : nullptr;
  T* gb = needGb ? at<T>(b, 2, d.o(2)) : nullptr;
  const T* go = at<T>(b, 3, d.o(3));
  const T* x = at<T>(b, 4, d.o(4));
  const T* mean = at<T>(b, 5, d.o(5));
  const T* rstd = at<T>(b, 6, d.o(6));
  const T* w = d.has(0) ? at<T>(b, 7, d.o(7)) : nullptr;
  const int64_t N = d.N, C = d.C, L = d.L, G = d.G, Cg = C / G, D = Cg * L;
  if (gw || gb)
    parallelFor(C, grainFor(N * L * 2), [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; c++) {
        const int64_t g = c / Cg;
        double sw = 0, sb = 0;
        for (int64_t n = 0; n < N; n++) {
          double a = 0, b = 0;
          rowGradSums(go + (n * C + c) * L, x + (n * C + c) * L, L, (double)mean[n * G + g], &a, &b);
          sb += a;
          sw += b * (double)rstd[n * G + g];
        }
        if (gw) gw[c] = (T)sw;
        if (gb) gb[c] = (T)sb;
      }
    });
  if (!gx) return;
  parallelFor(N * G, grainFor(D * 3), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t g = r % G;
      const double mu = mean[r], rs = rstd[r];
      double s1 = 0, s2 = 0;  // sum(dxhat), sum(dxhat * xhat)
      for (int64_t cc = 0; cc < Cg; cc++) {
        const double wc = w ? (double)w[g * Cg + cc] : 1.0;
        double a = 0, b = 0;
        rowGradSums(go + r * D + cc * L, x + r * D + cc * L, L, mu, &a, &b);
        s1 += a * wc;
        s2 += b * wc * rs;
      }
      const double m1 = D > 0 ? s1 / (double)D : 0, m2 = D > 0 ? s2 / (double)D : 0;
      for (int64_t cc = 0; cc < Cg; cc++) {
        const double wc = w ? (double)w[g * Cg + cc] : 1.0;
        // rs * (g * wc - m1 - (x - mu) * rs * m2) = (g - m1/wc - (x - mu) * rs*m2/wc) * rs*wc, written without dividing by wc:
        const T* gr = go + r * D + cc * L;
        const T* xr = x + r * D + cc * L;
        T* out = gx + r * D + cc * L;
        const double a = rs * wc, b = rs * m1, q = rs * rs * m2;
        for (int64_t l = 0; l < L; l++) out[l] = (T)((double)gr[l] * a - b - ((double)xr[l] - mu) * q);
      }
    }
  });
}

// groupNorm(mode, buffers, meta): 0 forward, 1 backward
Napi::Value GroupNorm(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  const Desc d = parse(info[2], true);
  if (d.G <= 0 || d.C % d.G != 0) throw std::runtime_error("groupNorm: channels not divisible by groups");
  const bool f32 = d.dt == kFloat32;
  switch (mode) {
    case 0: f32 ? gnForward<float>(d, bufs) : gnForward<double>(d, bufs); break;
    case 1: f32 ? gnBackward<float>(d, bufs) : gnBackward<double>(d, bufs); break;
    default: throw std::runtime_error("groupNorm: bad mode");
  }
  return info.Env().Undefined();
}

}  // namespace

void registerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm, "batchNorm"));
  exports.Set("groupNorm", Napi::Function::New(env, GroupNorm, "groupNorm"));
}

}  // namespace tt
