// SPDX-License-Identifier: BSD-3-Clause
// Indexing kernels. Advanced indexing, gather, index_select, scatter and index_put_ all have
// one shape: iterate over the result shape with the source/destination restrided so that the
// indexed dims do not move (stride 0), and add index[k] * stride_k per element.
#include <string>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

struct IndexedDim {
  int64_t dim, size, stride;  // stride in bytes
};

// scalars: [K, (dim, size, stride in elements) x K]; operand 1 + [0..] are the data, the
// index operands are the last K operands (int64).
std::vector<IndexedDim> indexedDims(const double* s, int64_t elemSize) {
  int K = (int)s[0];
  std::vector<IndexedDim> dims(K);
  for (int k = 0; k < K; k++)
    dims[k] = {(int64_t)s[1 + 3 * k], (int64_t)s[2 + 3 * k], (int64_t)s[3 + 3 * k] * elemSize};
  return dims;
}

[[noreturn]] void outOfBounds(int64_t v, const IndexedDim& d) {
  throw std::out_of_range("index " + std::to_string(v) + " is out of bounds for dimension " +
                          std::to_string(d.dim) + " with size " + std::to_string(d.size));
}

inline int64_t offsetOf(char** p, int64_t i, const int64_t* st, int first, const std::vector<IndexedDim>& dims) {
  int64_t off = 0;
  for (size_t k = 0; k < dims.size(); k++) {
    int64_t v = *reinterpret_cast<const int64_t*>(p[first + k] + i * st[first + k]);
    if (v < -dims[k].size || v >= dims[k].size) outOfBounds(v, dims[k]);
    if (v < 0) v += dims[k].size;
    off += v * dims[k].stride;
  }
  return off;
}

template <class E> void gatherLoop(StridedIter& it, const std::vector<IndexedDim>& dims) {
  it.forEach([&](char** p, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; i++) {
      int64_t off = offsetOf(p, i, st, 2, dims);
      *reinterpret_cast<E*>(p[0] + i * st[0]) = *reinterpret_cast<const E*>(p[1] + i * st[1] + off);
    }
  });
}

// indexGather(buffers [out, src, idx...], meta, scalars): out[i] = src[i + sum_k idx_k[i] * stride_k]
Napi::Value IndexGather(const Napi::CallbackInfo& info) {
  size_t n, sn;
  const double* meta = f64Data(info[1], &n);
  const double* s = f64Data(info[2], &sn);
  StridedIter it = parseIter(info[0].As<Napi::Array>(), meta, n);
  const int64_t es = elementSize(it.ops[0].dtype);
  auto dims = indexedDims(s, es);
  switch (es) {
    case 1: gatherLoop<uint8_t>(it, dims); break;
    case 2: gatherLoop<uint16_t>(it, dims); break;
    case 4: gatherLoop<uint32_t>(it, dims); break;
    default: gatherLoop<uint64_t>(it, dims); break;
  }
  return info.Env().Undefined();
}

enum Reduce { kAssign = 0, kSum = 1, kProd = 2, kAmax = 3, kAmin = 4 };

template <class T> void scatterLoop(StridedIter& it, const std::vector<IndexedDim>& dims, int reduce) {
  using C = compute_t<T>;
  // validate every index first so a failing call leaves the destination unchanged
  StridedIter check = it;
  check.forEach([&](char** p, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; i++) offsetOf(p, i, st, 2, dims);
  });
  // duplicates would race when accumulating: run on one thread (also keeps results deterministic)
  it.forEach(
      [&](char** p, int64_t n, const int64_t* st) {
        for (int64_t i = 0; i < n; i++) {
          T* dst = reinterpret_cast<T*>(p[0] + i * st[0] + offsetOf(p, i, st, 2, dims));
          const C v = static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * st[1]));
          const C d = static_cast<C>(*dst);
          switch (reduce) {
            case kAssign: *dst = static_cast<T>(v); break;
            case kSum: *dst = static_cast<T>(static_cast<C>(d + v)); break;
            case kProd: *dst = static_cast<T>(static_cast<C>(d * v)); break;
            case kAmax: *dst = static_cast<T>((v > d || v != v) ? v : d); break;
            case kAmin: *dst = static_cast<T>((v < d || v != v) ? v : d); break;
          }
        }
      },
      INT64_MAX);
}

// indexScatter(buffers [dst, values, idx...], meta, scalars [K, (dim,size,stride)xK], reduce)
Napi::Value IndexScatter(const Napi::CallbackInfo& info) {
  size_t n, sn;
  const double* meta = f64Data(info[1], &n);
  const double* s = f64Data(info[2], &sn);
  const int reduce = info[3].As<Napi::Number>().Int32Value();
  StridedIter it = parseIter(info[0].As<Napi::Array>(), meta, n);
  auto dims = indexedDims(s, elementSize(it.ops[0].dtype));
  TT_DISPATCH_ALL(it.ops[0].dtype, "scatter", scatterLoop<T>(it, dims, reduce))
  return info.Env().Undefined();
}

// nonzero(out: BigInt64Array (count x ndim, contiguous), buffers [in], meta): row-major order.
Napi::Value Nonzero(const Napi::CallbackInfo& info) {
  size_t n;
  const double* meta = f64Data(info[2], &n);
  StridedIter it = parseIter(info[1].As<Napi::Array>(), meta, n);
  int64_t* out = reinterpret_cast<int64_t*>(bufferData(info[0]));
  const int64_t numel = it.numel();
  const int nd = it.ndim;
  int64_t idx[kMaxDims] = {};
  int64_t w = 0;
  TT_DISPATCH_ALL(it.ops[0].dtype, "nonzero", {
    for (int64_t e = 0; e < numel; e++) {
      const char* p = it.ops[0].data;
      for (int d = 0; d < nd; d++) p += idx[d] * it.ops[0].strides[d];
      if (static_cast<compute_t<T>>(*reinterpret_cast<const T*>(p)) != compute_t<T>(0)) {
        for (int d = 0; d < nd; d++) out[w * nd + d] = idx[d];
        w++;
      }
      for (int d = nd - 1; d >= 0; d--) { if (++idx[d] < it.shape[d]) break; idx[d] = 0; }
    }
  })
  return Napi::Number::New(info.Env(), (double)w);
}

}  // namespace

void registerIndex(Napi::Env env, Napi::Object exports) {
  exports.Set("indexGather", Napi::Function::New(env, IndexGather, "indexGather"));
  exports.Set("indexScatter", Napi::Function::New(env, IndexScatter, "indexScatter"));
  exports.Set("nonzero", Napi::Function::New(env, Nonzero, "nonzero"));
}

}  // namespace tt
