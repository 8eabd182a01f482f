// SPDX-License-Identifier: BSD-3-Clause
// Indexing kernels. Advanced indexing, gather, index_select, scatter and index_put_ all have
// one shape: iterate over the result shape with the source/destination restrided so that the
// indexed dims do not move (stride 0), and add index[k] * stride_k per element.
#include <algorithm>
#include <atomic>
#include <cstring>
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
  int64_t lowest;             // smallest valid index: -size, or 0 when negatives are refused
};

// scalars: [K, (dim, size, stride in elements) x K, flags?]; operand 1 + [0..] are the data, the
// index operands are the last K operands (int64). flags bit 0: negative indices are out of
// bounds (index_select, index_add_ refuse them instead of wrapping).
std::vector<IndexedDim> indexedDims(const double* s, size_t len, int64_t elemSize) {
  if (len < 1) throw std::runtime_error("index kernel: missing scalars");
  const int K = (int)s[0];
  if (K < 0 || len < 1 + 3 * (size_t)K) throw std::runtime_error("index kernel: truncated scalars");
  const bool noNegative = len > 1 + 3 * (size_t)K && ((int64_t)s[1 + 3 * K] & 1);
  std::vector<IndexedDim> dims(K);
  for (int k = 0; k < K; k++) {
    const int64_t size = (int64_t)s[2 + 3 * k];
    dims[k] = {(int64_t)s[1 + 3 * k], size, (int64_t)s[3 + 3 * k] * elemSize, noNegative ? 0 : -size};
  }
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
    if (v < dims[k].lowest || v >= dims[k].size) outOfBounds(v, dims[k]);
    if (v < 0) v += dims[k].size;
    off += v * dims[k].stride;
  }
  return off;
}

// True when no index operand moves along the run: the offset is the same for all of it (rows of
// x[idx], flip/roll/index_select along an outer dim), so it is computed once.
inline bool constantRun(const int64_t* st, int first, size_t k) {
  for (size_t j = 0; j < k; j++)
    if (st[first + j] != 0) return false;
  return true;
}

template <class E> void gatherLoop(StridedIter& it, const std::vector<IndexedDim>& dims) {
  it.forEach([&](char** p, int64_t n, const int64_t* st) {
    if (constantRun(st, 2, dims.size())) {
      const char* src = p[1] + offsetOf(p, 0, st, 2, dims);
      if (st[0] == (int64_t)sizeof(E) && st[1] == (int64_t)sizeof(E)) {
        std::memcpy(p[0], src, n * sizeof(E));
      } else {
        for (int64_t i = 0; i < n; i++)
          *reinterpret_cast<E*>(p[0] + i * st[0]) = *reinterpret_cast<const E*>(src + i * st[1]);
      }
      return;
    }
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
  auto dims = indexedDims(s, sn, es);
  if (it.nops != 2 + (int)dims.size()) throw std::runtime_error("indexGather: operand count does not match K");
  switch (es) {
    case 1: gatherLoop<uint8_t>(it, dims); break;
    case 2: gatherLoop<uint16_t>(it, dims); break;
    case 4: gatherLoop<uint32_t>(it, dims); break;
    default: gatherLoop<uint64_t>(it, dims); break;
  }
  return info.Env().Undefined();
}

enum Reduce { kAssign = 0, kSum = 1, kProd = 2, kAmax = 3, kAmin = 4 };

template <class T, int R> inline void combine(T* dst, T value) {
  using C = compute_t<T>;
  const C v = static_cast<C>(value), d = static_cast<C>(*dst);
  if constexpr (R == kAssign) *dst = value;
  else if constexpr (R == kSum) *dst = static_cast<T>(static_cast<C>(d + v));
  else if constexpr (R == kProd) *dst = static_cast<T>(static_cast<C>(d * v));
  else if constexpr (R == kAmax) *dst = static_cast<T>((v > d || v != v) ? v : d);  // NaN wins, as in PyTorch
  else *dst = static_cast<T>((v < d || v != v) ? v : d);
}

template <class T, int R> void scatterRuns(StridedIter& it, const std::vector<IndexedDim>& dims) {
  // duplicates would race when accumulating: run on one thread (also keeps results deterministic)
  it.forEach(
      [&](char** p, int64_t n, const int64_t* st) {
        if (constantRun(st, 2, dims.size())) {
          char* dst = p[0] + offsetOf(p, 0, st, 2, dims);
          for (int64_t i = 0; i < n; i++)
            combine<T, R>(reinterpret_cast<T*>(dst + i * st[0]), *reinterpret_cast<const T*>(p[1] + i * st[1]));
          return;
        }
        for (int64_t i = 0; i < n; i++)
          combine<T, R>(reinterpret_cast<T*>(p[0] + i * st[0] + offsetOf(p, i, st, 2, dims)),
                        *reinterpret_cast<const T*>(p[1] + i * st[1]));
      },
      INT64_MAX);
}

template <class T> void scatterLoop(StridedIter& it, const std::vector<IndexedDim>& dims, int reduce) {
  // validate every index first so a failing call leaves the destination unchanged
  StridedIter check = it;
  check.forEach([&](char** p, int64_t n, const int64_t* st) {
    if (constantRun(st, 2, dims.size())) n = std::min<int64_t>(n, 1);
    for (int64_t i = 0; i < n; i++) offsetOf(p, i, st, 2, dims);
  });
  switch (reduce) {
    case kAssign: scatterRuns<T, kAssign>(it, dims); break;
    case kSum: scatterRuns<T, kSum>(it, dims); break;
    case kProd: scatterRuns<T, kProd>(it, dims); break;
    case kAmax: scatterRuns<T, kAmax>(it, dims); break;
    case kAmin: scatterRuns<T, kAmin>(it, dims); break;
    default: throw std::runtime_error("indexScatter: unknown reduction " + std::to_string(reduce));
  }
}

// indexScatter(buffers [dst, values, idx...], meta, scalars [K, (dim,size,stride)xK, flags?], reduce)
Napi::Value IndexScatter(const Napi::CallbackInfo& info) {
  size_t n, sn;
  const double* meta = f64Data(info[1], &n);
  const double* s = f64Data(info[2], &sn);
  const int reduce = info[3].As<Napi::Number>().Int32Value();
  StridedIter it = parseIter(info[0].As<Napi::Array>(), meta, n);
  auto dims = indexedDims(s, sn, elementSize(it.ops[0].dtype));
  if (it.nops != 2 + (int)dims.size()) throw std::runtime_error("indexScatter: operand count does not match K");
  TT_DISPATCH_ALL(it.ops[0].dtype, "scatter", scatterLoop<T>(it, dims, reduce))
  return info.Env().Undefined();
}

template <class T> inline bool isNonzero(const char* p) {
  return static_cast<compute_t<T>>(*reinterpret_cast<const T*>(p)) != compute_t<T>(0);  // NaN counts
}

// Counts in parallel over the coalesced runs.
template <class T> int64_t countNonzero(StridedIter it) {
  std::atomic<int64_t> total{0};
  it.forEach([&](char** p, int64_t n, const int64_t* st) {
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++) c += isNonzero<T>(p[0] + i * st[0]);
    total += c;
  });
  return total;
}

// Writes the coordinates row by row (serial: the output order is row-major), walking the
// innermost dim with a running pointer.
template <class T> int64_t writeNonzero(const StridedIter& it, int64_t* out) {
  const int nd = it.ndim;
  if (nd == 0) return isNonzero<T>(it.ops[0].data) ? 1 : 0;
  const int64_t inner = it.shape[nd - 1], is = it.ops[0].strides[nd - 1];
  int64_t outer = 1;
  for (int d = 0; d < nd - 1; d++) outer *= it.shape[d];
  if (inner == 0 || outer == 0) return 0;
  int64_t idx[kMaxDims] = {};
  const char* row = it.ops[0].data;
  int64_t w = 0;
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) {
      if (!isNonzero<T>(row + i * is)) continue;
      int64_t* dst = out + w * nd;
      for (int d = 0; d < nd - 1; d++) dst[d] = idx[d];
      dst[nd - 1] = i;
      w++;
    }
    for (int d = nd - 2; d >= 0; d--) {
      row += it.ops[0].strides[d];
      if (++idx[d] < it.shape[d]) break;
      row -= it.ops[0].strides[d] * it.shape[d];
      idx[d] = 0;
    }
  }
  return w;
}

// nonzero(out: BigInt64Array (count x ndim, contiguous) | null, buffers [in], meta): row-major
// order; returns the count. With out = null it only counts (callers size `out` with that).
Napi::Value Nonzero(const Napi::CallbackInfo& info) {
  size_t n;
  const double* meta = f64Data(info[2], &n);
  StridedIter it = parseIter(info[1].As<Napi::Array>(), meta, n);
  const bool countOnly = info[0].IsNull() || info[0].IsUndefined();
  int64_t w = 0;
  if (countOnly) {
    TT_DISPATCH_ALL(it.ops[0].dtype, "nonzero", w = countNonzero<T>(it))
  } else {
    int64_t* out = reinterpret_cast<int64_t*>(bufferData(info[0]));
    TT_DISPATCH_ALL(it.ops[0].dtype, "nonzero", w = writeNonzero<T>(it, out))
  }
  return Napi::Number::New(info.Env(), (double)w);
}

// indexFast(kind, meta, scalars, reduce, buffer0, buffer1, index buffers...): indexGather (kind 0)
// or indexScatter (kind 1, with `reduce`) with the buffers as arguments instead of an array.
Napi::Value IndexFast(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  const size_t argc = info.Length();
  if (argc < 6) throw std::runtime_error("indexFast: bad arguments");
  int32_t kind, reduce;
  if (napi_get_value_int32(env, info[0], &kind) != napi_ok || napi_get_value_int32(env, info[3], &reduce) != napi_ok)
    throw std::runtime_error("indexFast: bad arguments");
  size_t n, sn;
  const double* meta = f64Data(info[1], &n);
  const double* s = f64Data(info[2], &sn);
  StridedIter it = parseIterArgs(info, 4, meta, n, 2);
  const int64_t es = elementSize(it.ops[0].dtype);
  auto dims = indexedDims(s, sn, es);
  if (it.nops != 2 + (int)dims.size()) throw std::runtime_error("indexFast: operand count does not match K");
  if (kind == 0) {
    switch (es) {
      case 1: gatherLoop<uint8_t>(it, dims); break;
      case 2: gatherLoop<uint16_t>(it, dims); break;
      case 4: gatherLoop<uint32_t>(it, dims); break;
      default: gatherLoop<uint64_t>(it, dims); break;
    }
  } else {
    TT_DISPATCH_ALL(it.ops[0].dtype, "scatter", scatterLoop<T>(it, dims, reduce))
  }
  return info.Env().Undefined();
}

}  // namespace

void registerIndex(Napi::Env env, Napi::Object exports) {
  exports.Set("indexFast", Napi::Function::New(env, IndexFast, "indexFast"));
  exports.Set("indexGather", Napi::Function::New(env, IndexGather, "indexGather"));
  exports.Set("indexScatter", Napi::Function::New(env, IndexScatter, "indexScatter"));
  exports.Set("nonzero", Napi::Function::New(env, Nonzero, "nonzero"));
}

}  // namespace tt
