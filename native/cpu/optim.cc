// SPDX-License-Identifier: BSD-3-Clause
// Fused optimizer updates: one pass over a contiguous parameter reads the parameter, its gradient
// and its state once and writes them once, where the op-by-op update (PyTorch's single-tensor
// path) makes about eight passes and a temporary. The arithmetic follows PyTorch 1.13's
// `_single_tensor_adam(w)` and `_single_tensor_sgd` op for op, each step rounded to the parameter's dtype, with the
// scalars cast to that dtype as PyTorch's tensor-scalar kernels do.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "common/simd.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

struct AdamScalars {
  double lr, beta1, beta2, eps, weightDecay, negStepSize, biasCorrection2Sqrt;
  bool amsgrad, maximize, decoupled;
};

// p, g, m, v (and vmax when amsgrad) over [0, n): the Adam/AdamW update of one chunk.
template <class T>
TT_SIMD_CLONES void adamChunk(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                              T* __restrict vmax, int64_t n, const AdamScalars& s) {
  const T beta1 = T(s.beta1), oneMinusBeta1 = T(1 - s.beta1), beta2 = T(s.beta2), oneMinusBeta2 = T(1 - s.beta2);
  const T wd = T(s.weightDecay), decay = T(1 - s.lr * s.weightDecay), eps = T(s.eps);
  const T bc2 = T(s.biasCorrection2Sqrt), negStep = T(s.negStepSize), sign = s.maximize ? T(-1) : T(1);
  const bool coupled = !s.decoupled && s.weightDecay != 0;
  for (int64_t i = 0; i < n; i++) {
    T pi = p[i];
    T gi = sign * g[i];
    if (s.decoupled) pi = pi * decay;                          // param.mul_(1 - lr * weight_decay)
    else if (coupled) gi = gi + wd * pi;                       // grad = grad.add(param, alpha=weight_decay)
    const T mi = m[i] * beta1 + oneMinusBeta1 * gi;            // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    const T vi = v[i] * beta2 + oneMinusBeta2 * gi * gi;       // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    T vUse = vi;
    if (s.amsgrad) {
      vUse = std::max(vmax[i], vi);                            // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=...)
      vmax[i] = vUse;
    }
    const T denom = std::sqrt(vUse) / bc2 + eps;               // (sqrt(v) / bias_correction2_sqrt).add_(eps)
    p[i] = pi + negStep * mi / denom;                          // param.addcdiv_(exp_avg, denom, value=-step_size)
    m[i] = mi;
    v[i] = vi;
  }
}

template <class T> void adamRun(const Napi::Array& bufs, const double* off, int64_t n, const AdamScalars& s) {
  T* p = reinterpret_cast<T*>(bufferData(bufs.Get(0u))) + (int64_t)off[0];
  const T* g = reinterpret_cast<const T*>(bufferData(bufs.Get(1u))) + (int64_t)off[1];
  T* m = reinterpret_cast<T*>(bufferData(bufs.Get(2u))) + (int64_t)off[2];
  T* v = reinterpret_cast<T*>(bufferData(bufs.Get(3u))) + (int64_t)off[3];
  T* vmax = s.amsgrad ? reinterpret_cast<T*>(bufferData(bufs.Get(4u))) + (int64_t)off[4] : nullptr;
  parallelFor(n, kGrainSize, [&](int64_t b, int64_t e) {
    adamChunk<T>(p + b, g + b, m + b, v + b, vmax ? vmax + b : nullptr, e - b, s);
  });
}

// adamStep(buffers [param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq?], meta) with
// meta = [dtype, n, off0..off4, lr, beta1, beta2, eps, weightDecay, negStepSize,
//         biasCorrection2Sqrt, amsgrad, maximize, decoupled]; every operand contiguous, same dtype.
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Napi::Array bufs = info[0].As<Napi::Array>();
  size_t len;
  const double* m = f64Data(info[1], &len);
  if (len < 17) throw std::runtime_error("adamStep: truncated descriptor");
  const int dt = (int)m[0];
  const int64_t n = (int64_t)m[1];
  AdamScalars s{m[7], m[8], m[9], m[10], m[11], m[12], m[13], m[14] != 0, m[15] != 0, m[16] != 0};
  if (bufs.Length() < (s.amsgrad ? 5u : 4u)) throw std::runtime_error("adamStep: missing buffers");
  if (dt == kFloat32) adamRun<float>(bufs, m + 2, n, s);
  else if (dt == kFloat64) adamRun<double>(bufs, m + 2, n, s);
  else throw std::runtime_error("adamStep: float32 or float64 only");
  return info.Env().Undefined();
}

struct SgdScalars {
  double lr, momentum, dampening, weightDecay;
  bool nesterov, maximize, firstStep;
};

// PyTorch 1.13's `_single_tensor_sgd` with momentum, over one chunk: buf is written (cloned from
// the gradient on the first step), then the parameter.
template <class T>
TT_SIMD_CLONES void sgdChunk(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t n, const SgdScalars& s) {
  const T wd = T(s.weightDecay), momentum = T(s.momentum), oneMinusDampening = T(1 - s.dampening);
  const T negLr = T(-s.lr), sign = s.maximize ? T(-1) : T(1);
  const bool decay = s.weightDecay != 0;
  for (int64_t i = 0; i < n; i++) {
    const T pi = p[i];
    T d = sign * g[i];
    if (decay) d = d + wd * pi;                                  // d_p = d_p.add(param, alpha=weight_decay)
    const T b = s.firstStep ? d : buf[i] * momentum + oneMinusDampening * d;  // buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
    buf[i] = b;
    d = s.nesterov ? d + momentum * b : b;                     // d_p.add(buf, alpha=momentum) or buf
    p[i] = pi + negLr * d;                                     // param.add_(d_p, alpha=-lr)
  }
}

template <class T> void sgdRun(const Napi::Array& bufs, const double* off, int64_t n, const SgdScalars& s) {
  T* p = reinterpret_cast<T*>(bufferData(bufs.Get(0u))) + (int64_t)off[0];
  const T* g = reinterpret_cast<const T*>(bufferData(bufs.Get(1u))) + (int64_t)off[1];
  T* buf = reinterpret_cast<T*>(bufferData(bufs.Get(2u))) + (int64_t)off[2];
  parallelFor(n, kGrainSize, [&](int64_t b, int64_t e) { sgdChunk<T>(p + b, g + b, buf + b, e - b, s); });
}

// sgdStep(buffers [param, grad, momentum_buffer], meta) with meta = [dtype, n, off0, off1, off2,
// lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep]; momentum != 0.
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Napi::Array bufs = info[0].As<Napi::Array>();
  size_t len;
  const double* m = f64Data(info[1], &len);
  if (len < 12 || bufs.Length() < 3u) throw std::runtime_error("sgdStep: truncated descriptor");
  const int dt = (int)m[0];
  const int64_t n = (int64_t)m[1];
  SgdScalars s{m[5], m[6], m[7], m[8], m[9] != 0, m[10] != 0, m[11] != 0};
  if (dt == kFloat32) sgdRun<float>(bufs, m + 2, n, s);
  else if (dt == kFloat64) sgdRun<double>(bufs, m + 2, n, s);
  else throw std::runtime_error("sgdStep: float32 or float64 only");
  return info.Env().Undefined();
}

// ---- several parameters in one call (PyTorch's foreach flavour, with the single-tensor arithmetic)
// One N-API call and one parallel region per step instead of one per parameter: the parameters'
// element ranges are laid end to end and split into chunks that may cross parameter boundaries;
// each element gets the same arithmetic as in adamStep / sgdStep, so the results are those of
// one call per parameter, bit for bit, whatever the chunking. The caller guarantees that no two
// parameters' operands overlap in memory (they may run at the same time on different threads).

// Runs fn(segment, begin, end) over [0, total) split into chunks, segment ranges laid end to end.
template <class F>
void forSegments(const std::vector<int64_t>& start, int64_t total, const F& fn, int64_t grain = kGrainSize) {
  parallelFor(total, grain, [&](int64_t b, int64_t e) {
    size_t k = std::upper_bound(start.begin(), start.end(), b) - start.begin() - 1;
    for (; k + 1 < start.size() && start[k] < e; k++) {
      const int64_t lo = std::max(b, start[k]), hi = std::min(e, start[k + 1]);
      if (hi > lo) fn(k, lo - start[k], hi - lo);
    }
  });
}

template <class T>
void adamMultiRun(const Napi::Array& bufs, const double* m, int64_t count, int per, const AdamScalars& common) {
  // pointers first, on this (the JavaScript) thread
  std::vector<T*> ptr(count * 5, nullptr);
  std::vector<AdamScalars> sc(count, common);
  std::vector<int64_t> start(count + 1, 0);
  for (int64_t i = 0; i < count; i++) {
    const double* q = m + 10 + 8 * i;  // n, off0..off4, negStepSize, biasCorrection2Sqrt
    for (int k = 0; k < per; k++) ptr[i * 5 + k] = reinterpret_cast<T*>(bufferData(bufs.Get(uint32_t(i * per + k)))) + (int64_t)q[1 + k];
    sc[i].negStepSize = q[6];
    sc[i].biasCorrection2Sqrt = q[7];
    start[i + 1] = start[i] + (int64_t)q[0];
  }
  forSegments(start, start[count], [&](size_t k, int64_t off, int64_t n) {
    T* const* p = &ptr[k * 5];
    adamChunk<T>(p[0] + off, p[1] + off, p[2] + off, p[3] + off, p[4] ? p[4] + off : nullptr, n, sc[k]);
  });
}

// adamStepMulti(buffers [param, grad, exp_avg, exp_avg_sq, (max_exp_avg_sq)] per parameter, meta) with
// meta = [dtype, count, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled, then per
//         parameter: n, off0..off4 (off4 unused without amsgrad), negStepSize, biasCorrection2Sqrt].
Napi::Value AdamStepMulti(const Napi::CallbackInfo& info) {
  Napi::Array bufs = info[0].As<Napi::Array>();
  size_t len;
  const double* m = f64Data(info[1], &len);
  if (len < 10) throw std::runtime_error("adamStepMulti: truncated descriptor");
  const int dt = (int)m[0];
  const int64_t count = (int64_t)m[1];
  AdamScalars s{m[2], m[3], m[4], m[5], m[6], 0, 1, m[7] != 0, m[8] != 0, m[9] != 0};
  const int per = s.amsgrad ? 5 : 4;
  if (count < 0 || len < size_t(10 + 8 * count) || bufs.Length() < uint32_t(per * count))
    throw std::runtime_error("adamStepMulti: truncated descriptor");
  if (dt == kFloat32) adamMultiRun<float>(bufs, m, count, per, s);
  else if (dt == kFloat64) adamMultiRun<double>(bufs, m, count, per, s);
  else throw std::runtime_error("adamStepMulti: float32 or float64 only");
  return info.Env().Undefined();
}

constexpr int64_t kSgdGrain = int64_t(1) << 17;  // chunks of at least this: threads from 2^18 elements

template <class T>
void sgdMultiRun(const Napi::Array& bufs, const double* m, int64_t count, const SgdScalars& common) {
  std::vector<T*> ptr(count * 3, nullptr);
  std::vector<SgdScalars> sc(count, common);
  std::vector<int64_t> start(count + 1, 0);
  for (int64_t i = 0; i < count; i++) {
    const double* q = m + 8 + 5 * i;  // n, off0..off2, firstStep
    for (int k = 0; k < 3; k++) ptr[i * 3 + k] = reinterpret_cast<T*>(bufferData(bufs.Get(uint32_t(i * 3 + k)))) + (int64_t)q[1 + k];
    sc[i].firstStep = q[4] != 0;
    start[i + 1] = start[i] + (int64_t)q[0];
  }
  // SGD's few flops per element: a second thread did not pay below 2^18 elements on the 2-vCPU
  // VM (LeNet's 62K parameters: 23 us alone, 26 us with the worker's wake-up), so those run serially
  forSegments(start, start[count], [&](size_t k, int64_t off, int64_t n) {
    T* const* p = &ptr[k * 3];
    sgdChunk<T>(p[0] + off, p[1] + off, p[2] + off, n, sc[k]);
  }, kSgdGrain);
}

// sgdStepMulti(buffers [param, grad, momentum_buffer] per parameter, meta) with meta = [dtype, count,
// lr, momentum, dampening, weightDecay, nesterov, maximize, then per parameter: n, off0..off2, firstStep].
Napi::Value SgdStepMulti(const Napi::CallbackInfo& info) {
  Napi::Array bufs = info[0].As<Napi::Array>();
  size_t len;
  const double* m = f64Data(info[1], &len);
  if (len < 8) throw std::runtime_error("sgdStepMulti: truncated descriptor");
  const int dt = (int)m[0];
  const int64_t count = (int64_t)m[1];
  if (count < 0 || len < size_t(8 + 5 * count) || bufs.Length() < uint32_t(3 * count))
    throw std::runtime_error("sgdStepMulti: truncated descriptor");
  SgdScalars s{m[2], m[3], m[4], m[5], m[6] != 0, m[7] != 0, false};
  if (dt == kFloat32) sgdMultiRun<float>(bufs, m, count, s);
  else if (dt == kFloat64) sgdMultiRun<double>(bufs, m, count, s);
  else throw std::runtime_error("sgdStepMulti: float32 or float64 only");
  return info.Env().Undefined();
}

}  // namespace

void registerOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("adamStep", Napi::Function::New(env, AdamStep, "adamStep"));
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep, "sgdStep"));
  exports.Set("adamStepMulti", Napi::Function::New(env, AdamStepMulti, "adamStepMulti"));
  exports.Set("sgdStepMulti", Napi::Function::New(env, SgdStepMulti, "sgdStepMulti"));
}

}  // namespace tt
