// SPDX-License-Identifier: BSD-3-Clause
// The single export table of the native addon.
#include <napi.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

template <class Fn> const std::unordered_map<std::string, Fn>& table(const KernelEntry<Fn>* entries, size_t n) {
  static std::unordered_map<std::string, Fn> map = [&] {
    std::unordered_map<std::string, Fn> m;
    for (size_t i = 0; i < n; i++) m.emplace(entries[i].name, entries[i].fn);
    return m;
  }();
  return map;
}

const std::unordered_map<std::string, ElementwiseFn>& elementwiseTable() {
  static std::unordered_map<std::string, ElementwiseFn> map = [] {
    std::unordered_map<std::string, ElementwiseFn> m;
    for (size_t i = 0; i < kNumElementwiseKernels; i++) m.emplace(kElementwiseKernels[i].name, kElementwiseKernels[i].fn);
    for (size_t i = 0; i < kNumCopyKernels; i++) m.emplace(kCopyKernels[i].name, kCopyKernels[i].fn);
    return m;
  }();
  return map;
}

const double* scalarsOf(const Napi::Value& v) {
  static const double none[8] = {};
  if (v.IsUndefined()) return none;
  size_t n;
  return f64Data(v, &n);
}

// elementwise(kernel, buffers, meta, scalars?)
Napi::Value Elementwise(const Napi::CallbackInfo& info) {
  const std::string name = info[0].As<Napi::String>();
  auto& t = elementwiseTable();
  auto f = t.find(name);
  if (f == t.end()) throw std::runtime_error("unknown elementwise kernel '" + name + "'");
  size_t n;
  const double* meta = f64Data(info[2], &n);
  StridedIter it = parseIter(info[1].As<Napi::Array>(), meta, n);
  f->second(it, scalarsOf(info[3]));
  return info.Env().Undefined();
}

// The elementwise kernels in a fixed order, so JavaScript can name them by index.
const std::vector<ElementwiseFn>& elementwiseById() {
  static std::vector<ElementwiseFn> v = [] {
    std::vector<ElementwiseFn> r;
    for (size_t i = 0; i < kNumElementwiseKernels; i++) r.push_back(kElementwiseKernels[i].fn);
    for (size_t i = 0; i < kNumCopyKernels; i++) r.push_back(kCopyKernels[i].fn);
    return r;
  }();
  return v;
}

// elementwiseIds(): the kernel names, index = id for elementwiseFast.
Napi::Value ElementwiseIds(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env());
  uint32_t i = 0;
  for (size_t k = 0; k < kNumElementwiseKernels; k++) a.Set(i++, kElementwiseKernels[k].name);
  for (size_t k = 0; k < kNumCopyKernels; k++) a.Set(i++, kCopyKernels[k].name);
  return a;
}

// elementwiseFast(id, meta, scalars, buffer0, buffer1, ...): elementwise() with the kernel by
// index and the buffers as arguments (no string conversion, lookup or array reads per call).
Napi::Value ElementwiseFast(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  const size_t argc = info.Length();
  if (argc < 4) throw std::runtime_error("elementwiseFast: bad arguments");
  uint32_t id;
  if (napi_get_value_uint32(env, info[0], &id) != napi_ok || id >= elementwiseById().size())
    throw std::runtime_error("elementwiseFast: unknown kernel id");
  size_t n;
  const double* meta = f64Data(info[1], &n);
  size_t ns;
  const double* scalars = f64Data(info[2], &ns);
  if (ns < 8) throw std::runtime_error("elementwiseFast: scalars must have 8 entries");
  StridedIter it = parseIterArgs(info, 3, meta, n, 1);
  elementwiseById()[id](it, scalars);
  return info.Env().Undefined();
}

// reduce(kernel, buffers, meta, scalars, ndimOuter)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const std::string name = info[0].As<Napi::String>();
  auto& t = table(kReduceKernels, kNumReduceKernels);
  auto f = t.find(name);
  if (f == t.end()) throw std::runtime_error("unknown reduce kernel '" + name + "'");
  size_t n;
  const double* meta = f64Data(info[2], &n);
  StridedIter it = parseIter(info[1].As<Napi::Array>(), meta, n);
  f->second(it, info[4].As<Napi::Number>().Int32Value(), scalarsOf(info[3]));
  return info.Env().Undefined();
}

Napi::Value KernelNames(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env());
  uint32_t i = 0;
  for (auto& kv : elementwiseTable()) a.Set(i++, kv.first);
  for (auto& kv : table(kReduceKernels, kNumReduceKernels)) a.Set(i++, kv.first);
  return a;
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), getNumThreads()); }
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  setNumThreads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  o.Set("avx2", Napi::Boolean::New(info.Env(), __builtin_cpu_supports("avx2")));
  o.Set("fma", Napi::Boolean::New(info.Env(), __builtin_cpu_supports("fma")));
  o.Set("avx512f", Napi::Boolean::New(info.Env(), __builtin_cpu_supports("avx512f")));
#endif
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("elementwise", Napi::Function::New(env, Elementwise, "elementwise"));
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("elementwiseIds", Napi::Function::New(env, ElementwiseIds, "elementwiseIds"));
  exports.Set("elementwiseFast", Napi::Function::New(env, ElementwiseFast, "elementwiseFast"));
  exports.Set("kernelNames", Napi::Function::New(env, KernelNames, "kernelNames"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures, "cpuFeatures"));
  registerMatmul(env, exports);
  registerIndex(env, exports);
  registerSort(env, exports);
  registerRandom(env, exports);
  registerConv(env, exports);
  registerPool(env, exports);
  registerNorm(env, exports);
  registerOptim(env, exports);
  registerMmap(env, exports);
  registerNormLayer(env, exports);
  registerRnnCell(env, exports);
  registerResample(env, exports);
  registerAlloc(env, exports);
  registerSoftmax(env, exports);
  registerReduce(env, exports);
  registerLinear(env, exports);
  registerLinearBackward(env, exports);
  return exports;
}

}  // namespace
}  // namespace tt

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tt::Init(env, exports); }
NODE_API_MODULE(torchts_native, InitAddon)
