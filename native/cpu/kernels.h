// SPDX-License-Identifier: BSD-3-Clause
// The kernel tables each family file exports; addon.cc binds them to JavaScript.
#pragma once
#include <napi.h>

#include <cstddef>

#include "common/iter.h"

namespace tt {

// Elementwise: operand 0 is the output; scalars are op parameters (alpha, bounds, ...).
using ElementwiseFn = void (*)(StridedIter& it, const double* scalars);
// Reduction: the first `ndimOuter` dims index outputs, the rest are reduced.
// Operand 0 is the output (strides 0 on reduced dims), operand 1 the input, operand 2 an
// optional int64 index output for arg-reductions.
using ReduceFn = void (*)(StridedIter& it, int ndimOuter, const double* scalars);

template <class Fn> struct KernelEntry { const char* name; Fn fn; };

extern const KernelEntry<ElementwiseFn> kElementwiseKernels[];
extern const size_t kNumElementwiseKernels;
extern const KernelEntry<ElementwiseFn> kCopyKernels[];
extern const size_t kNumCopyKernels;
extern const KernelEntry<ReduceFn> kReduceKernels[];
extern const size_t kNumReduceKernels;

// Families with their own calling conventions register functions on the exports object.
void registerMatmul(Napi::Env env, Napi::Object exports);
void registerIndex(Napi::Env env, Napi::Object exports);
void registerSort(Napi::Env env, Napi::Object exports);
void registerRandom(Napi::Env env, Napi::Object exports);

}  // namespace tt
