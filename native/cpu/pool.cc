// SPDX-License-Identifier: BSD-3-Clause
// max_pool2d (with indices) and avg_pool2d, forward and backward, one task per (n, c) plane.
// The window rules follow PyTorch's CPU kernels (aten/src/ATen/native/cpu/{MaxPool,AvgPool}Kernel.cpp):
// NaN wins a max window, and the index is the flat h*W+w position inside the plane.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

// meta = [dtype, planes, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW, off0, off1, off2, extra0, extra1]
struct PoolGeom {
  int dt;
  int64_t P, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW;
  int64_t off[3];
  double extra[2];
};

PoolGeom parse(const Napi::Value& v) {
  size_t n;
  const double* m = f64Data(v, &n);
  if (n < 19) throw std::runtime_error("pool2d: truncated descriptor");
  PoolGeom g;
  g.dt = (int)m[0];
  int64_t* f[] = {&g.P, &g.H, &g.W, &g.OH, &g.OW, &g.KH, &g.KW, &g.SH, &g.SW, &g.PH, &g.PW, &g.DH, &g.DW};
  for (int i = 0; i < 13; i++) *f[i] = (int64_t)m[1 + i];
  for (int i = 0; i < 3; i++) g.off[i] = (int64_t)m[14 + i];
  g.extra[0] = m[17];
  g.extra[1] = m[18];
  if (g.dt != kFloat32 && g.dt != kFloat64) throw std::runtime_error("pool2d: float32 or float64 only");
  return g;
}

template <class T> T* ptr(const Napi::Array& bufs, int k, int64_t off) {
  return reinterpret_cast<T*>(bufferData(bufs.Get(k))) + off;
}

int64_t grainFor(const PoolGeom& g) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.OH * g.OW * g.KH * g.KW)); }

// buffers [out, indices (int64), input]
// Adaptive: window i spans [floor(i*H/OH), ceil((i+1)*H/OH)) (adaptive_max_pool2d); K/S/P/D unused.
template <class T, bool Adaptive = false> void maxForward(const PoolGeom& g, const Napi::Array& bufs) {
  T* out = ptr<T>(bufs, 0, g.off[0]);
  int64_t* ind = ptr<int64_t>(bufs, 1, g.off[1]);
  const T* x = ptr<T>(bufs, 2, g.off[2]);
  parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const T* plane = x + p * g.H * g.W;
      for (int64_t oh = 0; oh < g.OH; oh++)
        for (int64_t ow = 0; ow < g.OW; ow++) {
          int64_t hs, ws, he, we;
          if (Adaptive) {
            hs = (oh * g.H) / g.OH; he = ((oh + 1) * g.H + g.OH - 1) / g.OH;
            ws = (ow * g.W) / g.OW; we = ((ow + 1) * g.W + g.OW - 1) / g.OW;
          } else {
            hs = oh * g.SH - g.PH; ws = ow * g.SW - g.PW;
            he = std::min(hs + (g.KH - 1) * g.DH + 1, g.H); we = std::min(ws + (g.KW - 1) * g.DW + 1, g.W);
            while (hs < 0) hs += g.DH;
            while (ws < 0) ws += g.DW;
          }
          const int64_t dh = Adaptive ? 1 : g.DH, dw = Adaptive ? 1 : g.DW;
          int64_t best = hs * g.W + ws;
          T m = -std::numeric_limits<T>::infinity();
          for (int64_t h = hs; h < he; h += dh)
            for (int64_t w = ws; w < we; w += dw) {
              const T v = plane[h * g.W + w];
              if (v > m || std::isnan(v)) { m = v; best = h * g.W + w; }
            }
          const int64_t o = (p * g.OH + oh) * g.OW + ow;
          out[o] = m;
          ind[o] = best;
        }
    }
  });
}

// buffers [gradInput, gradOut, indices]
template <class T> void maxBackward(const PoolGeom& g, const Napi::Array& bufs) {
  T* gx = ptr<T>(bufs, 0, g.off[0]);
  const T* go = ptr<T>(bufs, 1, g.off[1]);
  const int64_t* ind = ptr<int64_t>(bufs, 2, g.off[2]);
  parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      T* plane = gx + p * g.H * g.W;
      std::fill(plane, plane + g.H * g.W, T(0));
      for (int64_t o = p * g.OH * g.OW; o < (p + 1) * g.OH * g.OW; o++) {
        const int64_t i = ind[o];
        if (i >= 0 && i < g.H * g.W) plane[i] += go[o];
      }
    }
  });
}

// extra = [countIncludePad, divisorOverride (0: none)]
template <class T, bool Backward> void avg(const PoolGeom& g, const Napi::Array& bufs) {
  // forward: [out, input]; backward: [gradInput, gradOut]
  T* dst = ptr<T>(bufs, 0, g.off[0]);
  const T* src = ptr<T>(bufs, 1, g.off[1]);
  const bool includePad = g.extra[0] != 0;
  const int64_t divisor = (int64_t)g.extra[1];
  parallelFor(g.P, grainFor(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      if (Backward) std::fill(dst + p * g.H * g.W, dst + (p + 1) * g.H * g.W, T(0));
      for (int64_t oh = 0; oh < g.OH; oh++)
        for (int64_t ow = 0; ow < g.OW; ow++) {
          int64_t hs = oh * g.SH - g.PH, ws = ow * g.SW - g.PW;
          int64_t he = std::min(hs + g.KH, g.H + g.PH), we = std::min(ws + g.KW, g.W + g.PW);
          const int64_t poolSize = (he - hs) * (we - ws);
          hs = std::max<int64_t>(hs, 0); ws = std::max<int64_t>(ws, 0);
          he = std::min(he, g.H); we = std::min(we, g.W);
          const int64_t o = (p * g.OH + oh) * g.OW + ow;
          if (hs >= he || ws >= we) { if (!Backward) dst[o] = 0; continue; }
          const int64_t div = divisor ? divisor : (includePad ? poolSize : (he - hs) * (we - ws));
          if (Backward) {
            const T gv = src[o] / (T)div;
            T* plane = dst + p * g.H * g.W;
            for (int64_t h = hs; h < he; h++)
              for (int64_t w = ws; w < we; w++) plane[h * g.W + w] += gv;
          } else {
            const T* plane = src + p * g.H * g.W;
            T s = 0;
            for (int64_t h = hs; h < he; h++)
              for (int64_t w = ws; w < we; w++) s += plane[h * g.W + w];
            dst[o] = s / (T)div;
          }
        }
    }
  });
}

// pool2d(mode, buffers, meta): 0 max forward, 1 max backward, 2 avg forward, 3 avg backward,
// 4 adaptive max forward (its backward is mode 1)
Napi::Value Pool2d(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  const PoolGeom g = parse(info[2]);
  const bool f32 = g.dt == kFloat32;
  switch (mode) {
    case 0: f32 ? maxForward<float>(g, bufs) : maxForward<double>(g, bufs); break;
    case 1: f32 ? maxBackward<float>(g, bufs) : maxBackward<double>(g, bufs); break;
    case 2: f32 ? avg<float, false>(g, bufs) : avg<double, false>(g, bufs); break;
    case 3: f32 ? avg<float, true>(g, bufs) : avg<double, true>(g, bufs); break;
    case 4: f32 ? maxForward<float, true>(g, bufs) : maxForward<double, true>(g, bufs); break;
    default: throw std::runtime_error("pool2d: bad mode");
  }
  return info.Env().Undefined();
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("pool2d", Napi::Function::New(env, Pool2d, "pool2d"));
}

}  // namespace tt
