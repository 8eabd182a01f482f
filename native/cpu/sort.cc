// SPDX-License-Identifier: BSD-3-Clause
// sort along the last dim of a contiguous (rows x len) tensor, returning values and int64
// indices. NaN sorts above every number, as in PyTorch (last ascending, first descending).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

template <class C> bool nanOf(C x) { if constexpr (std::is_floating_point<C>::value) return std::isnan(x); else return false; }

template <class T> void sortRows(const T* in, T* vals, int64_t* idx, int64_t rows, int64_t len, bool desc, bool stable) {
  using C = compute_t<T>;
  parallelFor(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(len, 1)), [&](int64_t r0, int64_t r1) {
    std::vector<int64_t> order(len);
    for (int64_t r = r0; r < r1; r++) {
      const T* row = in + r * len;
      std::iota(order.begin(), order.end(), 0);
      auto less = [&](int64_t a, int64_t b) {
        C x = static_cast<C>(row[a]), y = static_cast<C>(row[b]);
        if (desc) return nanOf(x) ? !nanOf(y) : (!nanOf(y) && x > y);
        return nanOf(y) ? !nanOf(x) : (!nanOf(x) && x < y);
      };
      if (stable) std::stable_sort(order.begin(), order.end(), less);
      else std::sort(order.begin(), order.end(), less);
      for (int64_t j = 0; j < len; j++) {
        vals[r * len + j] = row[order[j]];
        idx[r * len + j] = order[j];
      }
    }
  });
}

// sort(values, indices, input, dtype, rows, len, descending, stable); all contiguous, offset 0.
Napi::Value Sort(const Napi::CallbackInfo& info) {
  char* vals = bufferData(info[0]);
  int64_t* idx = reinterpret_cast<int64_t*>(bufferData(info[1]));
  const char* in = bufferData(info[2]);
  const int dt = info[3].As<Napi::Number>().Int32Value();
  const int64_t rows = info[4].As<Napi::Number>().Int64Value(), len = info[5].As<Napi::Number>().Int64Value();
  const bool desc = info[6].ToBoolean(), stable = info[7].ToBoolean();
  TT_DISPATCH_ALL(dt, "sort",
                  sortRows<T>(reinterpret_cast<const T*>(in), reinterpret_cast<T*>(vals), idx, rows, len, desc, stable))
  return info.Env().Undefined();
}

}  // namespace

void registerSort(Napi::Env env, Napi::Object exports) {
  exports.Set("sort", Napi::Function::New(env, Sort, "sort"));
}

}  // namespace tt
