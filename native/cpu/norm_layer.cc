// SPDX-License-Identifier: BSD-3-Clause
// layer_norm forward and backward over contiguous (M rows x N normalised elements) data, one task
// per block of rows; the weight / bias gradients are reduced column-wise (no races). Statistics
// accumulate in double. Follows aten/src/ATen/native/cpu/layer_norm_kernel.cpp:
//   y = (x - mean) * rstd * w + b,  rstd = 1 / sqrt(var + eps)  (biased variance)
//   dx = rstd * (dy*w - mean(dy*w) - xhat * mean(dy*w * xhat)),  dw = sum_rows dy * xhat,  db = sum_rows dy
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

// meta = [dtype, M, N, eps, hasWeight, hasBias, off0, off1, ... (one per buffer)]
struct LnMeta {
  int dt;
  int64_t M, N;
  double eps;
  bool hasW, hasB;
  const double* off;
  size_t nOff;
};

LnMeta parse(const Napi::Value& v) {
  size_t n;
  const double* m = f64Data(v, &n);
  if (n < 6) throw std::runtime_error("layer_norm: truncated descriptor");
  LnMeta g{(int)m[0], (int64_t)m[1], (int64_t)m[2], m[3], m[4] != 0, m[5] != 0, m + 6, n - 6};
  if (g.dt != kFloat32 && g.dt != kFloat64) throw std::runtime_error("layer_norm: float32 or float64 only");
  return g;
}

template <class T> T* buf(const Napi::Array& bufs, const LnMeta& g, uint32_t k) {
  if (k >= bufs.Length() || bufs.Get(k).IsNull() || bufs.Get(k).IsUndefined()) return nullptr;
  const int64_t off = k < g.nOff ? (int64_t)g.off[k] : 0;
  return reinterpret_cast<T*>(bufferData(bufs.Get(k))) + off;
}

int64_t rowGrain(int64_t N) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, N)); }

// buffers [out, mean, rstd, x, weight?, bias?]; mean / rstd have M elements
template <class T> void forward(const LnMeta& g, const Napi::Array& bufs) {
  T* y = buf<T>(bufs, g, 0);
  T* meanOut = buf<T>(bufs, g, 1);
  T* rstdOut = buf<T>(bufs, g, 2);
  const T* x = buf<T>(bufs, g, 3);
  const T* w = g.hasW ? buf<T>(bufs, g, 4) : nullptr;
  const T* b = g.hasB ? buf<T>(bufs, g, 5) : nullptr;
  const int64_t N = g.N;
  parallelFor(g.M, rowGrain(N), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const T* xr = x + r * N;
      T* yr = y + r * N;
      double s = 0;
      for (int64_t j = 0; j < N; j++) s += (double)xr[j];
      const double mean = N > 0 ? s / (double)N : 0;
      double ss = 0;
      for (int64_t j = 0; j < N; j++) { const double d = (double)xr[j] - mean; ss += d * d; }
      const double var = N > 0 ? ss / (double)N : 0;
      const double rstd = 1.0 / std::sqrt(var + g.eps);
      meanOut[r] = (T)mean;
      rstdOut[r] = (T)rstd;
      for (int64_t j = 0; j < N; j++) {
        double v = ((double)xr[j] - mean) * rstd;
        if (w) v *= (double)w[j];
        if (b) v += (double)b[j];
        yr[j] = (T)v;
      }
    }
  });
}

// buffers [gradInput?, gradWeight?, gradBias?, gradOut, x, mean, rstd, weight?]
template <class T> void backward(const LnMeta& g, const Napi::Array& bufs) {
  T* gx = buf<T>(bufs, g, 0);
  T* gw = buf<T>(bufs, g, 1);
  T* gb = buf<T>(bufs, g, 2);
  const T* go = buf<T>(bufs, g, 3);
  const T* x = buf<T>(bufs, g, 4);
  const T* mean = buf<T>(bufs, g, 5);
  const T* rstd = buf<T>(bufs, g, 6);
  const T* w = g.hasW ? buf<T>(bufs, g, 7) : nullptr;
  const int64_t M = g.M, N = g.N;
  if (gx) {
    parallelFor(M, rowGrain(N), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        const T* xr = x + r * N;
        const T* gr = go + r * N;
        const double mu = (double)mean[r], rs = (double)rstd[r];
        double a = 0, bsum = 0;  // sum(dy*w), sum(dy*w*xhat)
        for (int64_t j = 0; j < N; j++) {
          const double dyw = (double)gr[j] * (w ? (double)w[j] : 1.0);
          a += dyw;
          bsum += dyw * ((double)xr[j] - mu) * rs;
        }
        const double ma = a / (double)N, mb = bsum / (double)N;
        T* out = gx + r * N;
        for (int64_t j = 0; j < N; j++) {
          const double dyw = (double)gr[j] * (w ? (double)w[j] : 1.0);
          const double xhat = ((double)xr[j] - mu) * rs;
          out[j] = (T)(rs * (dyw - ma - xhat * mb));
        }
      }
    });
  }
  if (gw || gb) {
    parallelFor(N, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, M)), [&](int64_t c0, int64_t c1) {
      for (int64_t j = c0; j < c1; j++) {
        double sw = 0, sb = 0;
        for (int64_t r = 0; r < M; r++) {
          const double d = (double)go[r * N + j];
          sb += d;
          sw += d * ((double)x[r * N + j] - (double)mean[r]) * (double)rstd[r];
        }
        if (gw) gw[j] = (T)sw;
        if (gb) gb[j] = (T)sb;
      }
    });
  }
}

// layerNorm(mode, buffers, meta): 0 forward, 1 backward
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  const LnMeta g = parse(info[2]);
  const bool f32 = g.dt == kFloat32;
  if (mode == 0) f32 ? forward<float>(g, bufs) : forward<double>(g, bufs);
  else if (mode == 1) f32 ? backward<float>(g, bufs) : backward<double>(g, bufs);
  else throw std::runtime_error("layer_norm: bad mode");
  return info.Env().Undefined();
}

}  // namespace

void registerNormLayer(Napi::Env env, Napi::Object exports) {
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm, "layerNorm"));
}

}  // namespace tt
