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
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerNorm(Napi::Env env, Napi::Object exports);
void registerOptim(Napi::Env env, Napi::Object exports);
void registerMmap(Napi::Env env, Napi::Object exports);
void registerNormLayer(Napi::Env env, Napi::Object exports);
void registerRnnCell(Napi::Env env, Napi::Object exports);
void registerResample(Napi::Env env, Napi::Object exports);
void registerAlloc(Napi::Env env, Napi::Object exports);
void registerSoftmax(Napi::Env env, Napi::Object exports);
void registerReduce(Napi::Env env, Napi::Object exports);
void registerLinear(Napi::Env env, Napi::Object exports);
void registerLinearBackward(Napi::Env env, Napi::Object exports);

// C = beta*C + alpha*A@B (float32/float64, strides in elements); threads internally (matmul.cc).
void gemmStrided(int dtype, int64_t M, int64_t N, int64_t K, const void* A, int64_t ars, int64_t acs, const void* B,
                 int64_t brs, int64_t bcs, void* C, int64_t crs, int64_t ccs, double alpha, double beta);

}  // namespace tt
