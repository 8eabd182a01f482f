// SPDX-License-Identifier: BSD-3-Clause
// copy_ with casting: any dtype to any dtype, any layout to any layout. This is the one
// place layouts are materialised (contiguous(), reshape of a non-viewable tensor, to(dtype)).
#include <cstring>
#include <type_traits>

#include "common/dtype.h"
#include "common/iter.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

template <class TO, class TI> inline TO castValue(TI v) {
  if constexpr (std::is_same<TO, bool>::value) return static_cast<float>(v) != 0.0f || static_cast<double>(v) != 0.0;
  else if constexpr (std::is_same<TI, Half>::value || std::is_same<TI, BFloat16>::value) return static_cast<TO>(static_cast<float>(v));
  else if constexpr (std::is_same<TO, Half>::value || std::is_same<TO, BFloat16>::value) return TO(static_cast<float>(v));
  else return static_cast<TO>(v);
}

template <class TO, class TI> void copyLoop(StridedIter& it) {
  it.forEach([](char** p, int64_t n, const int64_t* st) {
    if (st[0] == (int64_t)sizeof(TO) && st[1] == (int64_t)sizeof(TI)) {
      if constexpr (std::is_same<TO, TI>::value) {
        std::memcpy(p[0], p[1], n * sizeof(TO));
      } else {
        TO* o = reinterpret_cast<TO*>(p[0]);
        const TI* a = reinterpret_cast<const TI*>(p[1]);
        for (int64_t i = 0; i < n; i++) o[i] = castValue<TO, TI>(a[i]);
      }
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<TO*>(p[0] + i * st[0]) = castValue<TO, TI>(*reinterpret_cast<const TI*>(p[1] + i * st[1]));
    }
  });
}

void copyKernel(StridedIter& it, const double*) {
  const int din = it.ops[1].dtype;
  TT_DISPATCH_ALL(it.ops[0].dtype, "copy", {
    using TO = T;
    TT_DISPATCH_ALL(din, "copy", copyLoop<TO, T>(it))
  })
}

}  // namespace

const KernelEntry<ElementwiseFn> kCopyKernels[] = {{"copy", &copyKernel}};
const size_t kNumCopyKernels = 1;

}  // namespace tt
