// SPDX-License-Identifier: BSD-3-Clause
// The one strided iterator. Operands share an iteration shape; each has its own byte strides
// (0 for broadcast dimensions). Dimensions that are contiguous in every operand are merged,
// then the innermost dimension is handed to the kernel as a 1-D run, which a kernel
// specialises for the contiguous case so the compiler can vectorise it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "common/parallel.h"

namespace tt {

constexpr int kMaxDims = 25;
constexpr int kMaxOperands = 10;

struct Operand {
  char* data = nullptr;  // points at the first element (storage offset applied)
  int dtype = 0;
  int64_t strides[kMaxDims] = {};  // in bytes
};

struct StridedIter {
  int ndim = 0;
  int nops = 0;
  int64_t shape[kMaxDims] = {};
  Operand ops[kMaxOperands];

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) n *= shape[d];
    return n;
  }

  // Drops size-1 dims and merges dim d-1 into d where every operand is contiguous across them.
  void coalesce() {
    int out = 0;
    for (int d = 0; d < ndim; d++) {
      if (shape[d] == 1) continue;
      if (out > 0) {
        bool merge = true;
        for (int k = 0; k < nops; k++)
          if (ops[k].strides[out - 1] != ops[k].strides[d] * shape[d]) { merge = false; break; }
        if (merge) {
          shape[out - 1] *= shape[d];
          for (int k = 0; k < nops; k++) ops[k].strides[out - 1] = ops[k].strides[d];
          continue;
        }
      }
      shape[out] = shape[d];
      for (int k = 0; k < nops; k++) ops[k].strides[out] = ops[k].strides[d];
      out++;
    }
    ndim = out;
    if (ndim == 0) {  // a single element
      ndim = 1;
      shape[0] = 1;
      for (int k = 0; k < nops; k++) ops[k].strides[0] = 0;
    }
  }

  // Calls loop(ptrs, n, strides) for every innermost run; `strides` are the inner byte strides.
  // Runs in parallel over the outer index when the work is large enough.
  template <class Loop>
  void forEach(Loop&& loop, int64_t grain = kGrainSize) {
    coalesce();
    const int64_t inner = shape[ndim - 1];
    int64_t outer = 1;
    for (int d = 0; d < ndim - 1; d++) outer *= shape[d];
    if (inner == 0 || outer == 0) return;
    int64_t innerStrides[kMaxOperands];
    for (int k = 0; k < nops; k++) innerStrides[k] = ops[k].strides[ndim - 1];

    if (outer == 1) {  // one long run: split it across threads
      parallelFor(inner, grain, [&](int64_t b, int64_t e) {
        char* ptrs[kMaxOperands];
        for (int k = 0; k < nops; k++) ptrs[k] = ops[k].data + b * innerStrides[k];
        loop(ptrs, e - b, innerStrides);
      });
      return;
    }
    int64_t rowGrain = std::max<int64_t>(1, grain / std::max<int64_t>(inner, 1));
    parallelFor(outer, rowGrain, [&](int64_t b, int64_t e) {
      int64_t idx[kMaxDims] = {};
      int64_t rem = b;
      for (int d = ndim - 2; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
      char* ptrs[kMaxOperands];
      for (int64_t row = b; row < e; row++) {
        for (int k = 0; k < nops; k++) {
          char* p = ops[k].data;
          for (int d = 0; d < ndim - 1; d++) p += idx[d] * ops[k].strides[d];
          ptrs[k] = p;
        }
        loop(ptrs, inner, innerStrides);
        for (int d = ndim - 2; d >= 0; d--) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
    });
  }
};

}  // namespace tt
