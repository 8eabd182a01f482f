// SPDX-License-Identifier: BSD-3-Clause
// Helpers shared by the N-API entry points: buffers in, strided descriptors out.
#pragma once
#include <napi.h>

#include <string>

#include "common/dtype.h"
#include "common/iter.h"

namespace tt {

// Raw pointer to the bytes of a TypedArray/DataView/ArrayBuffer (byteOffset applied).
inline char* bufferData(const Napi::Value& v) {
  {  // the common case in one N-API call (data already includes the byte offset; unlike
     // ArrayBuffer().Data() this also works for views on a SharedArrayBuffer, as DataLoader workers use)
    napi_typedarray_type type;
    size_t length;
    void* data = nullptr;
    if (napi_get_typedarray_info(v.Env(), v, &type, &length, &data, nullptr, nullptr) == napi_ok)
      return static_cast<char*>(data);
  }
  if (v.IsArrayBuffer()) return static_cast<char*>(v.As<Napi::ArrayBuffer>().Data());
  if (v.IsDataView()) {
    Napi::DataView dv = v.As<Napi::DataView>();
    return static_cast<char*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
  }
  throw std::runtime_error("expected a TypedArray or ArrayBuffer");
}

// Reads a descriptor: meta = [ndim, shape..., nops, (dtype, offset, strides[ndim])...],
// with offsets and strides in elements, starting at meta[start]; buffer(k) gives operand k's
// storage and nbuf how many storages there are; operand counts outside [minOps, maxOps] are refused.
template <class BufferAt>
inline StridedIter parseIterWith(const double* meta, size_t metaLen, size_t start, size_t nbuf, int minOps,
                                 int maxOps, BufferAt buffer) {
  StridedIter it;
  size_t p = start;
  auto next = [&]() -> double {
    if (p >= metaLen) throw std::runtime_error("truncated kernel descriptor");
    return meta[p++];
  };
  it.ndim = (int)next();
  if (it.ndim < 0 || it.ndim > kMaxDims) throw std::runtime_error("too many dimensions (at most 25)");
  for (int d = 0; d < it.ndim; d++) it.shape[d] = (int64_t)next();
  it.nops = (int)next();
  if (it.nops < minOps || it.nops > maxOps || it.nops > kMaxOperands || (size_t)it.nops > nbuf)
    throw std::runtime_error("bad operand count");
  for (int k = 0; k < it.nops; k++) {
    Operand& op = it.ops[k];
    op.dtype = (int)next();
    const int64_t es = elementSize(op.dtype);
    op.data = buffer(k) + (int64_t)next() * es;
    for (int d = 0; d < it.ndim; d++) op.strides[d] = (int64_t)next() * es;
  }
  return it;
}

// The descriptor with buffers[k] holding operand k's storage; `start` lets callers put their own
// fields before the descriptor.
inline StridedIter parseIter(const Napi::Array& buffers, const double* meta, size_t metaLen, size_t start = 0) {
  return parseIterWith(meta, metaLen, start, buffers.Length(), 1, kMaxOperands,
                       [&](int k) { return bufferData(buffers.Get(k)); });
}

// The descriptor with operand k's storage in info[first + k] (the *Fast entries: no array to read).
inline StridedIter parseIterArgs(const Napi::CallbackInfo& info, size_t first, const double* meta, size_t metaLen,
                                 int minOps, int maxOps = kMaxOperands) {
  const size_t nbuf = info.Length() > first ? info.Length() - first : 0;
  return parseIterWith(meta, metaLen, 0, nbuf, minOps, maxOps, [&](int k) { return bufferData(info[first + k]); });
}

inline const double* f64Data(const Napi::Value& v, size_t* len) {
  {  // the common case in one N-API call
    napi_typedarray_type type;
    void* data = nullptr;
    if (napi_get_typedarray_info(v.Env(), v, &type, len, &data, nullptr, nullptr) == napi_ok &&
        type == napi_float64_array)
      return static_cast<const double*>(data);
  }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw std::runtime_error("expected a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  *len = a.ElementLength();
  return a.Data();
}

}  // namespace tt
