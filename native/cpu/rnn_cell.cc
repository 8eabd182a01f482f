// SPDX-License-Identifier: BSD-3-Clause
// The pointwise part of the LSTM and GRU cells, forward and backward, fused into one pass over
// the batch (aten/src/ATen/native/RNN.cpp's _thnn_fused_lstm_cell / _thnn_fused_gru_cell): the
// matmuls stay in gemm; this replaces the dozen small elementwise ops per step. All buffers are
// contiguous (B rows); H is the hidden size.
//   LSTM: gates (B, 4H) = x W_ih^T + b_ih + h W_hh^T + b_hh, order i, f, g, o
//         c' = sigmoid(f) c + sigmoid(i) tanh(g),  h' = sigmoid(o) tanh(c')
//   GRU:  gi = x W_ih^T + b_ih, gh = h W_hh^T + b_hh (B, 3H), order r, z, n
//         r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n), h' = n + z (h - n)
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

struct CellMeta {
  int dt;
  int64_t B, H;
  const double* off;
  size_t nOff;
};

CellMeta parse(const Napi::Value& v) {
  size_t n;
  const double* m = f64Data(v, &n);
  if (n < 3) throw std::runtime_error("rnn_cell: truncated descriptor");
  CellMeta g{(int)m[0], (int64_t)m[1], (int64_t)m[2], m + 3, n - 3};
  if (g.dt != kFloat32 && g.dt != kFloat64) throw std::runtime_error("rnn_cell: float32 or float64 only");
  return g;
}

template <class T> T* buf(const Napi::Array& bufs, const CellMeta& g, uint32_t k) {
  if (k >= bufs.Length() || bufs.Get(k).IsNull() || bufs.Get(k).IsUndefined()) return nullptr;
  const int64_t off = k < g.nOff ? (int64_t)g.off[k] : 0;
  return reinterpret_cast<T*>(bufferData(bufs.Get(k))) + off;
}

template <class T> inline T sigm(T x) { return T(1) / (T(1) + std::exp(-x)); }

int64_t grain(int64_t H) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, 8 * H)); }

// forward: [hy, cy, act (B, 4H: sigmoid i, sigmoid f, tanh g, sigmoid o), gates, cx]
template <class T> void lstmForward(const CellMeta& g, const Napi::Array& bufs) {
  T* hy = buf<T>(bufs, g, 0);
  T* cy = buf<T>(bufs, g, 1);
  T* act = buf<T>(bufs, g, 2);
  const T* gates = buf<T>(bufs, g, 3);
  const T* cx = buf<T>(bufs, g, 4);
  const int64_t H = g.H;
  parallelFor(g.B, grain(H), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const T* gr = gates + b * 4 * H;
      T* ar = act + b * 4 * H;
      for (int64_t j = 0; j < H; j++) {
        const T i = sigm(gr[j]), f = sigm(gr[H + j]), c = std::tanh(gr[2 * H + j]), o = sigm(gr[3 * H + j]);
        ar[j] = i; ar[H + j] = f; ar[2 * H + j] = c; ar[3 * H + j] = o;
        const T cn = f * cx[b * H + j] + i * c;
        cy[b * H + j] = cn;
        hy[b * H + j] = o * std::tanh(cn);
      }
    }
  });
}

// backward: [dgates (B, 4H), dcx, dhy?, dcy?, act, cx, cy]
template <class T> void lstmBackward(const CellMeta& g, const Napi::Array& bufs) {
  T* dg = buf<T>(bufs, g, 0);
  T* dcx = buf<T>(bufs, g, 1);
  const T* dhy = buf<T>(bufs, g, 2);
  const T* dcy = buf<T>(bufs, g, 3);
  const T* act = buf<T>(bufs, g, 4);
  const T* cx = buf<T>(bufs, g, 5);
  const T* cy = buf<T>(bufs, g, 6);
  const int64_t H = g.H;
  parallelFor(g.B, grain(H), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const T* ar = act + b * 4 * H;
      T* dr = dg + b * 4 * H;
      for (int64_t j = 0; j < H; j++) {
        const int64_t k = b * H + j;
        const T i = ar[j], f = ar[H + j], c = ar[2 * H + j], o = ar[3 * H + j];
        const T tc = std::tanh(cy[k]);
        const T gh = dhy ? dhy[k] : T(0);
        const T gc = (dcy ? dcy[k] : T(0)) + gh * o * (T(1) - tc * tc);
        dr[j] = gc * c * i * (T(1) - i);
        dr[H + j] = gc * cx[k] * f * (T(1) - f);
        dr[2 * H + j] = gc * i * (T(1) - c * c);
        dr[3 * H + j] = gh * tc * o * (T(1) - o);
        dcx[k] = gc * f;
      }
    }
  });
}

// forward: [hy, saved (B, 4H: r, z, n, gh_n), gi, gh, hx]
template <class T> void gruForward(const CellMeta& g, const Napi::Array& bufs) {
  T* hy = buf<T>(bufs, g, 0);
  T* sv = buf<T>(bufs, g, 1);
  const T* gi = buf<T>(bufs, g, 2);
  const T* gh = buf<T>(bufs, g, 3);
  const T* hx = buf<T>(bufs, g, 4);
  const int64_t H = g.H;
  parallelFor(g.B, grain(H), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const T* ir = gi + b * 3 * H;
      const T* hr = gh + b * 3 * H;
      T* s = sv + b * 4 * H;
      for (int64_t j = 0; j < H; j++) {
        const T r = sigm(ir[j] + hr[j]), z = sigm(ir[H + j] + hr[H + j]);
        const T n = std::tanh(ir[2 * H + j] + r * hr[2 * H + j]);
        s[j] = r; s[H + j] = z; s[2 * H + j] = n; s[3 * H + j] = hr[2 * H + j];
        const T h = hx[b * H + j];
        hy[b * H + j] = n + z * (h - n);
      }
    }
  });
}

// backward: [dgi (B, 3H), dgh (B, 3H), dhx, dhy, saved, hx]
template <class T> void gruBackward(const CellMeta& g, const Napi::Array& bufs) {
  T* dgi = buf<T>(bufs, g, 0);
  T* dgh = buf<T>(bufs, g, 1);
  T* dhx = buf<T>(bufs, g, 2);
  const T* dhy = buf<T>(bufs, g, 3);
  const T* sv = buf<T>(bufs, g, 4);
  const T* hx = buf<T>(bufs, g, 5);
  const int64_t H = g.H;
  parallelFor(g.B, grain(H), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const T* s = sv + b * 4 * H;
      T* di = dgi + b * 3 * H;
      T* dh = dgh + b * 3 * H;
      for (int64_t j = 0; j < H; j++) {
        const int64_t k = b * H + j;
        const T r = s[j], z = s[H + j], n = s[2 * H + j], hn = s[3 * H + j];
        const T go = dhy[k];
        const T dn = go * (T(1) - z) * (T(1) - n * n);
        const T dz = go * (hx[k] - n) * z * (T(1) - z);
        const T dr = dn * hn * r * (T(1) - r);
        di[j] = dr; di[H + j] = dz; di[2 * H + j] = dn;
        dh[j] = dr; dh[H + j] = dz; dh[2 * H + j] = dn * r;
        dhx[k] = go * z;
      }
    }
  });
}

// rnnCell(mode, buffers, meta): 0 lstm forward, 1 lstm backward, 2 gru forward, 3 gru backward
Napi::Value RnnCell(const Napi::CallbackInfo& info) {
  const int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array bufs = info[1].As<Napi::Array>();
  const CellMeta g = parse(info[2]);
  const bool f32 = g.dt == kFloat32;
  switch (mode) {
    case 0: f32 ? lstmForward<float>(g, bufs) : lstmForward<double>(g, bufs); break;
    case 1: f32 ? lstmBackward<float>(g, bufs) : lstmBackward<double>(g, bufs); break;
    case 2: f32 ? gruForward<float>(g, bufs) : gruForward<double>(g, bufs); break;
    case 3: f32 ? gruBackward<float>(g, bufs) : gruBackward<double>(g, bufs); break;
    default: throw std::runtime_error("rnn_cell: bad mode");
  }
  return info.Env().Undefined();
}

}  // namespace

void registerRnnCell(Napi::Env env, Napi::Object exports) {
  exports.Set("rnnCell", Napi::Function::New(env, RnnCell, "rnnCell"));
}

}  // namespace tt
