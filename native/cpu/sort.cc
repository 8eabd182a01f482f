// SPDX-License-Identifier: BSD-3-Clause
// Sorting and selection over contiguous (rows x len) inputs: sort, topk, kthvalue, median, mode,
// unique, bincount, histc. Each kernel follows PyTorch 1.13's CPU algorithm step for step (the
// same std:: algorithm with the same comparator), so ties, NaN placement and the indices chosen
// among equal elements come out exactly as PyTorch's. NaN sorts above every number.
// Pointers arrive at the first element (TypeScript applies storage offsets).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

template <class C> bool nanOf(C x) {
  if constexpr (std::is_floating_point<C>::value) return std::isnan(x);
  else return false;
}

// Rows per task so that one task covers about 4096 elements.
int64_t grainFor(int64_t len) { return std::max<int64_t>(1, 4096 / std::max<int64_t>(len, 1)); }

int64_t intArg(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }
int dtypeArg(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
int64_t* i64Ptr(const Napi::Value& v) { return reinterpret_cast<int64_t*>(bufferData(v)); }
int64_t* optI64Ptr(const Napi::Value& v) { return v.IsNull() || v.IsUndefined() ? nullptr : i64Ptr(v); }

// ---- sort: SortingKernel.cpp (std::sort, or std::stable_sort when stable) --------------------------

template <class T> void sortRows(const T* in, T* vals, int64_t* idx, int64_t rows, int64_t len, bool desc, bool stable) {
  using C = compute_t<T>;
  parallelFor(rows, grainFor(len), [&](int64_t r0, int64_t r1) {
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

// sort(values, indices, input, dtype, rows, len, descending, stable)
Napi::Value Sort(const Napi::CallbackInfo& info) {
  char* vals = bufferData(info[0]);
  int64_t* idx = i64Ptr(info[1]);
  const char* in = bufferData(info[2]);
  const int64_t rows = intArg(info, 4), len = intArg(info, 5);
  const bool desc = info[6].ToBoolean(), stable = info[7].ToBoolean();
  TT_DISPATCH_ALL(dtypeArg(info, 3), "sort",
                  sortRows<T>(reinterpret_cast<const T*>(in), reinterpret_cast<T*>(vals), idx, rows, len, desc, stable))
  return info.Env().Undefined();
}

// ---- topk: TopKImpl.h (partial_sort when k * 64 <= len, else nth_element + sort) -------------------

template <class E, class Cmp> void selectTopk(std::vector<E>& q, int64_t k, bool sorted, Cmp cmp) {
  const int64_t n = static_cast<int64_t>(q.size());
  if (k * 64 <= n) {
    std::partial_sort(q.begin(), q.begin() + k, q.end(), cmp);
  } else {
    std::nth_element(q.begin(), q.begin() + k - 1, q.end(), cmp);
    if (sorted) std::sort(q.begin(), q.begin() + k - 1, cmp);
  }
}

template <class T> void topkRows(const T* in, T* vals, int64_t* idx, int64_t rows, int64_t len, int64_t k, bool largest, bool sorted) {
  using C = compute_t<T>;
  using E = std::pair<C, int64_t>;
  if (k == 0) return;
  parallelFor(rows, grainFor(len), [&](int64_t r0, int64_t r1) {
    std::vector<E> q(len);
    for (int64_t r = r0; r < r1; r++) {
      for (int64_t j = 0; j < len; j++) q[j] = E(static_cast<C>(in[r * len + j]), j);
      if (largest)
        selectTopk(q, k, sorted, [](const E& x, const E& y) {
          return (nanOf(x.first) && !nanOf(y.first)) || (x.first > y.first);
        });
      else
        selectTopk(q, k, sorted, [](const E& x, const E& y) {
          return (!nanOf(x.first) && nanOf(y.first)) || (x.first < y.first);
        });
      for (int64_t j = 0; j < k; j++) {
        vals[r * k + j] = static_cast<T>(q[j].first);
        idx[r * k + j] = q[j].second;
      }
    }
  });
}

// topk(values, indices, input, dtype, rows, len, k, largest, sorted)
Napi::Value Topk(const Napi::CallbackInfo& info) {
  char* vals = bufferData(info[0]);
  int64_t* idx = i64Ptr(info[1]);
  const char* in = bufferData(info[2]);
  const int64_t rows = intArg(info, 4), len = intArg(info, 5), k = intArg(info, 6);
  const bool largest = info[7].ToBoolean(), sorted = info[8].ToBoolean();
  TT_DISPATCH_NUMERIC(dtypeArg(info, 3), "topk",
                  topkRows<T>(reinterpret_cast<const T*>(in), reinterpret_cast<T*>(vals), idx, rows, len, k, largest, sorted))
  return info.Env().Undefined();
}

// ---- kthvalue: Sorting.cpp's quick_select_template (Sedgewick's partition, median of three) --------

template <class C> void quickSelect(std::vector<C>& arr, std::vector<int64_t>& ind, int64_t k) {
  auto gtOrNan = [](C x, C y) { return (nanOf(x) && !nanOf(y)) || (x > y); };
  auto swapAt = [&](int64_t i, int64_t j) {
    std::swap(arr[i], arr[j]);
    std::swap(ind[i], ind[j]);
  };
  int64_t L = 0, R = static_cast<int64_t>(arr.size()) - 1;
  for (;;) {
    if (R <= L) return;
    if (R == L + 1) {
      if (gtOrNan(arr[L], arr[R])) swapAt(L, R);
      return;
    }
    const int64_t P = (L + R) >> 1;
    swapAt(P, L + 1);
    if (gtOrNan(arr[L + 1], arr[R])) swapAt(L + 1, R);
    if (gtOrNan(arr[L], arr[R])) swapAt(L, R);
    if (gtOrNan(arr[L + 1], arr[L])) swapAt(L + 1, L);
    int64_t i = L + 1, j = R;
    const C piv = arr[L];
    for (;;) {
      do i++; while (gtOrNan(piv, arr[i]));
      do j--; while (gtOrNan(arr[j], piv));
      if (j < i) break;
      swapAt(i, j);
    }
    swapAt(L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
}

template <class T> void kthRows(const T* in, T* vals, int64_t* idx, int64_t rows, int64_t len, int64_t k) {
  using C = compute_t<T>;
  parallelFor(rows, grainFor(len), [&](int64_t r0, int64_t r1) {
    std::vector<C> v(len);
    std::vector<int64_t> ind(len);
    for (int64_t r = r0; r < r1; r++) {
      for (int64_t j = 0; j < len; j++) v[j] = static_cast<C>(in[r * len + j]);
      std::iota(ind.begin(), ind.end(), 0);
      quickSelect(v, ind, k - 1);
      vals[r] = static_cast<T>(v[k - 1]);
      idx[r] = ind[k - 1];
    }
  });
}

// kthvalue(values, indices, input, dtype, rows, len, k)
Napi::Value Kthvalue(const Napi::CallbackInfo& info) {
  char* vals = bufferData(info[0]);
  int64_t* idx = i64Ptr(info[1]);
  const char* in = bufferData(info[2]);
  const int64_t rows = intArg(info, 4), len = intArg(info, 5), k = intArg(info, 6);
  if (k < 1 || k > len) throw std::runtime_error("kthvalue(): selected number k out of range");
  TT_DISPATCH_NUMERIC(dtypeArg(info, 3), "kthvalue",
                  kthRows<T>(reinterpret_cast<const T*>(in), reinterpret_cast<T*>(vals), idx, rows, len, k))
  return info.Env().Undefined();
}

// ---- median: Sorting.cpp's median_with_indices_impl (nth_element over indices, ties by index) ------

template <class T> void medianRows(const T* in, T* vals, int64_t* idx, int64_t rows, int64_t len, bool ignoreNan) {
  using C = compute_t<T>;
  parallelFor(rows, grainFor(len), [&](int64_t r0, int64_t r1) {
    std::vector<int64_t> order(len);
    std::vector<C> ip(len);
    for (int64_t r = r0; r < r1; r++) {
      for (int64_t j = 0; j < len; j++) ip[j] = static_cast<C>(in[r * len + j]);
      if (!ignoreNan) {  // torch.median returns the first NaN
        auto nan = std::find_if(ip.begin(), ip.end(), [](C x) { return nanOf(x); });
        if (nan != ip.end()) {
          vals[r] = in[r * len + (nan - ip.begin())];
          idx[r] = nan - ip.begin();
          continue;
        }
      }
      std::iota(order.begin(), order.end(), 0);
      auto nth = order.begin();
      if (!ignoreNan) {
        nth += (len - 1) / 2;
        std::nth_element(order.begin(), nth, order.end(), [&](int64_t i, int64_t j) {
          return ip[i] < ip[j] || (ip[i] == ip[j] && i < j);
        });
      } else {
        const int64_t numNan = std::count_if(ip.begin(), ip.end(), [](C x) { return nanOf(x); });
        nth += (len - numNan - 1) / 2;
        std::nth_element(order.begin(), nth, order.end(), [&](int64_t i, int64_t j) {
          return ip[i] < ip[j] || (ip[i] == ip[j] && i < j) || (nanOf(ip[j]) && !nanOf(ip[i]));
        });
      }
      vals[r] = in[r * len + *nth];
      idx[r] = *nth;
    }
  });
}

// median(values, indices, input, dtype, rows, len, ignoreNan)
Napi::Value Median(const Napi::CallbackInfo& info) {
  char* vals = bufferData(info[0]);
  int64_t* idx = i64Ptr(info[1]);
  const char* in = bufferData(info[2]);
  const int64_t rows = intArg(info, 4), len = intArg(info, 5);
  const bool ignoreNan = info[6].ToBoolean();
  if (len < 1) throw std::runtime_error("median(): empty rows");
  TT_DISPATCH_NUMERIC(dtypeArg(info, 3), "median",
                  medianRows<T>(reinterpret_cast<const T*>(in), reinterpret_cast<T*>(vals), idx, rows, len, ignoreNan))
  return info.Env().Undefined();
}

// ---- mode: TensorCompareKernel.cpp's mode_kernel_impl (std::sort by value, longest run wins) -------

template <class T> void modeRows(const T* in, T* vals, int64_t* idx, int64_t rows, int64_t len) {
  using C = compute_t<T>;
  using E = std::pair<C, int64_t>;
  parallelFor(rows, grainFor(len), [&](int64_t r0, int64_t r1) {
    std::vector<E> elements(len);
    for (int64_t r = r0; r < r1; r++) {
      for (int64_t i = 0; i < len; i++) elements[i] = E(static_cast<C>(in[r * len + i]), i);
      std::sort(elements.begin(), elements.end(), [](const E& a, const E& b) { return a.first < b.first; });
      C mode = 0;
      int64_t modei = 0, freq = 0, maxFreq = 0;
      for (int64_t i = 0; i < len; i++) {
        freq++;
        if (i == len - 1 || elements[i].first != elements[i + 1].first) {
          if (freq > maxFreq) {
            mode = elements[i].first;
            modei = elements[i].second;
            maxFreq = freq;
          }
          freq = 0;
        }
      }
      vals[r] = static_cast<T>(mode);
      idx[r] = modei;
    }
  });
}

// mode(values, indices, input, dtype, rows, len)
Napi::Value Mode(const Napi::CallbackInfo& info) {
  char* vals = bufferData(info[0]);
  int64_t* idx = i64Ptr(info[1]);
  const char* in = bufferData(info[2]);
  const int64_t rows = intArg(info, 4), len = intArg(info, 5);
  TT_DISPATCH_ALL(dtypeArg(info, 3), "mode",
                  modeRows<T>(reinterpret_cast<const T*>(in), reinterpret_cast<T*>(vals), idx, rows, len))
  return info.Env().Undefined();
}

}  // namespace
}  // namespace tt

// PyTorch 1.13 hashes bfloat16 by its bits (so sorted=False lists them in the same order here).
template <> struct std::hash<tt::BFloat16> {
  size_t operator()(const tt::BFloat16& v) const noexcept { return v.x; }
};

namespace tt {
namespace {

// ---- unique: Unique.cpp's unique_cpu_template ---------------------------------------------------
// The elements go through a std::unordered_set (so sorted=False yields the set's iteration order,
// as in PyTorch); sorted=True then std::sorts them. Inverse indices and counts come from hash maps
// keyed by value, which is why NaN (never equal to itself) gets inverse 0 and count 0 there too.
// Bool keeps PyTorch's special case: [false, true], whichever are present.

template <class K> struct UniqueResult {
  std::vector<K> out;
  std::vector<int64_t> inverse, counts;
};

template <class K> void inverseAndCounts(const K* in, int64_t n, UniqueResult<K>& r, bool inverse, bool counts) {
  if (inverse) {
    std::unordered_map<K, int64_t> pos;
    pos.reserve(r.out.size());
    for (size_t i = 0; i < r.out.size(); i++) pos[r.out[i]] = static_cast<int64_t>(i);
    r.inverse.resize(n);
    for (int64_t i = 0; i < n; i++) r.inverse[i] = pos[in[i]];
  }
  if (counts) {
    std::unordered_map<K, int64_t> freq;
    freq.reserve(r.out.size());
    for (int64_t i = 0; i < n; i++) freq[in[i]]++;
    r.counts.resize(r.out.size());
    for (size_t i = 0; i < r.out.size(); i++) r.counts[i] = freq[r.out[i]];
  }
}

template <class K> UniqueResult<K> uniqueValues(const K* in, int64_t n, bool sorted, bool inverse, bool counts) {
  UniqueResult<K> r;
  if constexpr (std::is_same<K, bool>::value) {
    bool seen[2] = {false, false};
    for (int64_t i = 0; i < n && !(seen[0] && seen[1]); i++) seen[in[i] ? 1 : 0] = true;
    if (seen[0]) r.out.push_back(false);
    if (seen[1]) r.out.push_back(true);
  } else {
    std::unordered_set<K> set(in, in + n);
    r.out.assign(set.begin(), set.end());
    if (sorted) std::sort(r.out.begin(), r.out.end());
  }
  inverseAndCounts(in, n, r, inverse || counts, counts);
  return r;
}

// The hashed type: float16 (unsupported by PyTorch's unique) goes through float.
template <class T> using key_t =
    typename std::conditional<std::is_same<T, bool>::value || std::is_same<T, BFloat16>::value, T, compute_t<T>>::type;

template <class T> int64_t uniqueInto(const T* src, T* out, int64_t* inv, int64_t* cnt, int64_t n, bool sorted) {
  using K = key_t<T>;
  UniqueResult<K> r;
  if constexpr (std::is_same<K, T>::value) {
    r = uniqueValues<K>(src, n, sorted, inv != nullptr, cnt != nullptr);
  } else {
    std::vector<K> keys(src, src + n);
    r = uniqueValues<K>(keys.data(), n, sorted, inv != nullptr, cnt != nullptr);
  }
  const int64_t u = static_cast<int64_t>(r.out.size());
  for (int64_t i = 0; i < u; i++) out[i] = static_cast<T>(r.out[i]);
  if (inv) std::copy(r.inverse.begin(), r.inverse.end(), inv);
  if (cnt) std::copy(r.counts.begin(), r.counts.end(), cnt);
  return u;
}

// unique(out, inverse|null, counts|null, input, dtype, n, sorted) -> number of unique values.
// out, inverse and counts have room for n elements.
Napi::Value Unique(const Napi::CallbackInfo& info) {
  char* out = bufferData(info[0]);
  int64_t* inv = optI64Ptr(info[1]);
  int64_t* cnt = optI64Ptr(info[2]);
  const char* in = bufferData(info[3]);
  const int64_t n = intArg(info, 5);
  const bool sorted = info[6].ToBoolean();
  int64_t u = 0;
  TT_DISPATCH_ALL(dtypeArg(info, 4), "unique",
                  u = uniqueInto<T>(reinterpret_cast<const T*>(in), reinterpret_cast<T*>(out), inv, cnt, n, sorted))
  return Napi::Number::New(info.Env(), static_cast<double>(u));
}

// ---- unique(dim=...): Unique.cpp's _unique_dim_cpu_template ---------------------------------------
// Rows are std::sorted lexicographically, then equal neighbours (all elements ==) are merged,
// keeping the first row of each run.

template <class T> int64_t uniqueRows(const T* in, int64_t rows, int64_t rowLen, int64_t* first, int64_t* inv, int64_t* cnt) {
  using C = compute_t<T>;
  auto at = [&](int64_t row, int64_t i) { return static_cast<C>(in[row * rowLen + i]); };
  std::vector<int64_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    for (int64_t i = 0; i < rowLen; i++) {
      const C lhs = at(a, i), rhs = at(b, i);
      if (lhs < rhs) return true;
      if (lhs > rhs) return false;
    }
    return false;
  });
  auto equal = [&](int64_t a, int64_t b) {
    for (int64_t i = 0; i < rowLen; i++)
      if (!(at(a, i) == at(b, i))) return false;
    return true;
  };
  if (rows == 0) return 0;
  int64_t u = 0, runStart = 0;
  first[0] = order[0];
  inv[order[0]] = 0;
  for (int64_t k = 1; k < rows; k++) {
    if (!equal(order[k], first[u])) {
      cnt[u] = k - runStart;
      runStart = k;
      first[++u] = order[k];
    }
    inv[order[k]] = u;
  }
  cnt[u] = rows - runStart;
  return u + 1;
}

// uniqueDim(out, inverse, counts, input, dtype, rows, rowLen) -> number of unique rows u; the first
// u rows of out (room for rows x rowLen) receive them, in order; inverse and counts have room for rows.
Napi::Value UniqueDim(const Napi::CallbackInfo& info) {
  char* out = bufferData(info[0]);
  int64_t* inv = i64Ptr(info[1]);
  int64_t* cnt = i64Ptr(info[2]);
  const char* in = bufferData(info[3]);
  const int dt = dtypeArg(info, 4);
  const int64_t rows = intArg(info, 5), rowLen = intArg(info, 6);
  std::vector<int64_t> first(rows);
  int64_t u = 0;
  TT_DISPATCH_ALL(dt, "unique_dim", u = uniqueRows<T>(reinterpret_cast<const T*>(in), rows, rowLen, first.data(), inv, cnt))
  const int64_t rowBytes = rowLen * elementSize(dt);
  for (int64_t g = 0; g < u; g++) std::memcpy(out + g * rowBytes, in + first[g] * rowBytes, rowBytes);
  return Napi::Number::New(info.Env(), static_cast<double>(u));
}

// ---- bincount: SummaryOps.cpp's _bincount_cpu_template ---------------------------------------------

template <class I, class W> void bincountLoop(const I* in, const W* weights, W* out, int64_t n, int64_t nbins) {
  for (int64_t i = 0; i < n; i++) {
    const int64_t b = static_cast<int64_t>(in[i]);
    if (b < 0 || b >= nbins) throw std::out_of_range("bincount: value " + std::to_string(b) + " out of range");
    out[b] += weights ? weights[i] : W(1);
  }
}

// bincount(out, input, inDtype, weights|null, outDtype, n, nbins): out is zeroed, of outDtype
// (int64 without weights; weights already in outDtype, float32 or float64).
Napi::Value Bincount(const Napi::CallbackInfo& info) {
  char* out = bufferData(info[0]);
  const char* in = bufferData(info[1]);
  const bool hasWeights = !(info[3].IsNull() || info[3].IsUndefined());
  const char* w = hasWeights ? bufferData(info[3]) : nullptr;
  const int outDt = dtypeArg(info, 4);
  const int64_t n = intArg(info, 5), nbins = intArg(info, 6);
  TT_DISPATCH_INT(dtypeArg(info, 2), "bincount", {
    const T* src = reinterpret_cast<const T*>(in);
    if (outDt == kFloat32) bincountLoop<T, float>(src, reinterpret_cast<const float*>(w), reinterpret_cast<float*>(out), n, nbins);
    else if (outDt == kFloat64) bincountLoop<T, double>(src, reinterpret_cast<const double*>(w), reinterpret_cast<double*>(out), n, nbins);
    else bincountLoop<T, int64_t>(src, nullptr, reinterpret_cast<int64_t*>(out), n, nbins);
  })
  return info.Env().Undefined();
}

// ---- histc: HistogramKernel.cpp, LINEAR_INTERPOLATION without local search -------------------------
// The bin of x is (x - lo) * bins / (hi - lo) computed in the input's type: for bfloat16 every step
// rounds to bfloat16, as c10::BFloat16's operators do. x == hi falls into the last bin. NaN passes
// PyTorch 1.13's range check and is counted in the first bin; we do the same.

template <class T> struct Arith {  // float and double compute natively
  static T sub(T a, T b) { return a - b; }
  static T mul(T a, int64_t b) { return a * static_cast<T>(b); }
  static T div(T a, T b) { return a / b; }
};
template <> struct Arith<BFloat16> {
  static BFloat16 sub(BFloat16 a, BFloat16 b) { return BFloat16(float(a) - float(b)); }
  static BFloat16 mul(BFloat16 a, int64_t b) { return BFloat16(float(a) * float(BFloat16(static_cast<float>(b)))); }
  static BFloat16 div(BFloat16 a, BFloat16 b) { return BFloat16(float(a) / float(b)); }
};

template <class T> void histcLoop(const T* in, T* out, int64_t n, int64_t bins, double loD, double hiD) {
  using A = Arith<T>;
  const T lo = static_cast<T>(static_cast<compute_t<T>>(loD)), hi = static_cast<T>(static_cast<compute_t<T>>(hiD));
  const compute_t<T> loC = static_cast<compute_t<T>>(lo), hiC = static_cast<compute_t<T>>(hi);
  std::vector<int64_t> counts(bins, 0);
  for (int64_t i = 0; i < n; i++) {
    const T x = in[i];
    const compute_t<T> xc = static_cast<compute_t<T>>(x);
    if (nanOf(xc)) {
      counts[0]++;
      continue;
    }
    if (!(xc >= loC && xc <= hiC)) continue;
    int64_t pos = static_cast<int64_t>(static_cast<compute_t<T>>(A::div(A::mul(A::sub(x, lo), bins), A::sub(hi, lo))));
    if (pos == bins) pos -= 1;
    if (pos >= 0 && pos < bins) counts[pos]++;
  }
  for (int64_t b = 0; b < bins; b++) out[b] = static_cast<T>(static_cast<compute_t<T>>(counts[b]));
}

// histc(out, input, dtype, n, bins, lo, hi): float32, float64 or bfloat16.
Napi::Value Histc(const Napi::CallbackInfo& info) {
  char* out = bufferData(info[0]);
  const char* in = bufferData(info[1]);
  const int64_t n = intArg(info, 3), bins = intArg(info, 4);
  const double lo = info[5].As<Napi::Number>().DoubleValue(), hi = info[6].As<Napi::Number>().DoubleValue();
  switch (dtypeArg(info, 2)) {
    case kFloat32: histcLoop<float>(reinterpret_cast<const float*>(in), reinterpret_cast<float*>(out), n, bins, lo, hi); break;
    case kFloat64: histcLoop<double>(reinterpret_cast<const double*>(in), reinterpret_cast<double*>(out), n, bins, lo, hi); break;
    case kBFloat16: histcLoop<BFloat16>(reinterpret_cast<const BFloat16*>(in), reinterpret_cast<BFloat16*>(out), n, bins, lo, hi); break;
    default: badDtype("histc", dtypeArg(info, 2));
  }
  return info.Env().Undefined();
}

}  // namespace

void registerSort(Napi::Env env, Napi::Object exports) {
  exports.Set("sort", Napi::Function::New(env, Sort, "sort"));
  exports.Set("topk", Napi::Function::New(env, Topk, "topk"));
  exports.Set("kthvalue", Napi::Function::New(env, Kthvalue, "kthvalue"));
  exports.Set("median", Napi::Function::New(env, Median, "median"));
  exports.Set("mode", Napi::Function::New(env, Mode, "mode"));
  exports.Set("unique", Napi::Function::New(env, Unique, "unique"));
  exports.Set("uniqueDim", Napi::Function::New(env, UniqueDim, "uniqueDim"));
  exports.Set("bincount", Napi::Function::New(env, Bincount, "bincount"));
  exports.Set("histc", Napi::Function::New(env, Histc, "histc"));
}

}  // namespace tt
