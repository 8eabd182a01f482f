// SPDX-License-Identifier: BSD-3-Clause
// batch_norm and group_norm, forward and backward (the math of PyTorch's CPU kernels in
// aten/src/ATen/native/{Normalization.cpp,group_norm.cpp}): statistics are two-pass with double
// accumulators, the variance is biased (the caller derives the unbiased running update), and
// instance_norm reuses batch_norm on an (1, N*C, L) view, as PyTorch does.
// Inputs are contiguous (N, C, L); offsets are in elements, one per buffer.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

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
      for (int64_t n = 0; n < N; n++) {
        const T* row = x + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) s += row[l];
      }
      const double mu = M > 0 ? s / (double)M : 0;
      double ss = 0;
      for (int64_t n = 0; n < N; n++) {
        const T* row = x + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) { const double t = row[l] - mu; ss += t * t; }
      }
      const double v = M > 0 ? ss / (double)M : 0;
      const double is = 1.0 / std::sqrt(v + d.eps);
      mean[c] = (T)mu;
      var[c] = (T)v;
      invstd[c] = (T)is;
      const double scale = is * (w ? (double)w[c] : 1.0);
      const double shift = (bias ? (double)bias[c] : 0.0) - mu * scale;
      for (int64_t n = 0; n < N; n++) {
        const T* row = x + (n * C + c) * L;
        T* out = y + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) out[l] = (T)(row[l] * scale + shift);
      }
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
  parallelFor(N * C, grainFor(L), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t c = r % C;
      const double is = 1.0 / std::sqrt((double)rv[c] + d.eps);
      const double scale = is * (w ? (double)w[c] : 1.0);
      const double shift = (bias ? (double)bias[c] : 0.0) - (double)rm[c] * scale;
      const T* row = x + r * L;
      T* out = y + r * L;
      for (int64_t l = 0; l < L; l++) out[l] = (T)(row[l] * scale + shift);
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
      for (int64_t n = 0; n < N; n++) {
        const T* g = go + (n * C + c) * L;
        const T* row = x + (n * C + c) * L;
        for (int64_t l = 0; l < L; l++) { sumGo += g[l]; dot += g[l] * (row[l] - mu); }
      }
      if (gb) gb[c] = (T)sumGo;
      if (gw) gw[c] = (T)(dot * is);
      if (!gx) continue;
      const double wc = w ? (double)w[c] : 1.0;
      if (train) {
        const double gMean = M > 0 ? sumGo / (double)M : 0;
        const double proj = M > 0 ? dot * is * is / (double)M : 0;
        for (int64_t n = 0; n < N; n++) {
          const T* g = go + (n * C + c) * L;
          const T* row = x + (n * C + c) * L;
          T* out = gx + (n * C + c) * L;
          for (int64_t l = 0; l < L; l++) out[l] = (T)((g[l] - gMean - (row[l] - mu) * proj) * is * wc);
        }
      } else {
        const double k = is * wc;
        for (int64_t n = 0; n < N; n++) {
          const T* g = go + (n * C + c) * L;
          T* out = gx + (n * C + c) * L;
          for (int64_t l = 0; l < L; l++) out[l] = (T)(g[l] * k);
        }
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
      double s = 0;
      for (int64_t i = 0; i < D; i++) s += src[i];
      const double mu = D > 0 ? s / (double)D : 0;
      double ss = 0;
      for (int64_t i = 0; i < D; i++) { const double t = src[i] - mu; ss += t * t; }
      const double rs = 1.0 / std::sqrt((D > 0 ? ss / (double)D : 0) + d.eps);
      mean[r] = (T)mu;
      rstd[r] = (T)rs;
      const int64_t g = r % G;
      for (int64_t cc = 0; cc < Cg; cc++) {
        const int64_t c = g * Cg + cc;
        const double scale = rs * (w ? (double)w[c] : 1.0);
        const double shift = (bias ? (double)bias[c] : 0.0) - mu * scale;
        const T* row = src + cc * L;
        T* out = y + r * D + cc * L;
        for (int64_t l = 0; l < L; l++) out[l] = (T)(row[l] * scale + shift);
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
          const double mu = mean[n * G + g], rs = rstd[n * G + g];
          const T* gr = go + (n * C + c) * L;
          const T* xr = x + (n * C + c) * L;
          for (int64_t l = 0; l < L; l++) { sb += gr[l]; sw += gr[l] * (xr[l] - mu) * rs; }
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
        const T* gr = go + r * D + cc * L;
        const T* xr = x + r * D + cc * L;
        for (int64_t l = 0; l < L; l++) {
          const double dxh = gr[l] * wc;
          s1 += dxh;
          s2 += dxh * (xr[l] - mu) * rs;
        }
      }
      const double m1 = D > 0 ? s1 / (double)D : 0, m2 = D > 0 ? s2 / (double)D : 0;
      for (int64_t cc = 0; cc < Cg; cc++) {
        const double wc = w ? (double)w[g * Cg + cc] : 1.0;
        const T* gr = go + r * D + cc * L;
        const T* xr = x + r * D + cc * L;
        T* out = gx + r * D + cc * L;
        for (int64_t l = 0; l < L; l++) out[l] = (T)(rs * (gr[l] * wc - m1 - (xr[l] - mu) * rs * m2));
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
