// SPDX-License-Identifier: BSD-3-Clause
// Reductions and scans. TypeScript moves the reduced dims last; the first `ndimOuter` dims
// index the outputs. A reducer is a small struct: an accumulator, a step, a combine (for
// splitting one long reduction across threads) and a write.
#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <vector>

#include "common/dtype.h"
#include "common/iter.h"
#include "common/napi_util.h"
#include "common/simd.h"
#include "common/parallel.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

template <class C> bool nanOf(C x) { if constexpr (std::is_floating_point<C>::value) return std::isnan(x); else return false; }

// Sum of n contiguous elements with 16 independent accumulators (the adds pipeline and vectorise:
// for float32, 4 vectors of 4 doubles; compiled for AVX2 and baseline, chosen at run time; the
// summation order is the same in both, so both give the same result).
template <class T> TT_SIMD_CLONES acc_t<T> sumContiguous(const T* a, int64_t n) {
  using A = acc_t<T>;
  A p[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) p[j] += static_cast<A>(static_cast<compute_t<T>>(a[i + j]));
  for (int j = 0; j < 8; j++) p[j] += p[j + 8];
  A r = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (; i < n; i++) r += static_cast<A>(static_cast<compute_t<T>>(a[i]));
  return r;
}

// sumContiguous of a[0..n) and of b[0..n) in one loop: the same additions in the same order for
// each (so the same two results), but two memory streams at once, which reads memory faster than
// one stream per core does (measured on the 2-vCPU EPYC VM: one stream per core stays well below
// the bandwidth that add's three streams reach).
template <class T> TT_SIMD_CLONES void sumContiguous2(const T* a, const T* b, int64_t n, acc_t<T>* ra, acc_t<T>* rb) {
  using A = acc_t<T>;
  A p[16] = {}, q[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; j++) p[j] += static_cast<A>(static_cast<compute_t<T>>(a[i + j]));
    for (int j = 0; j < 16; j++) q[j] += static_cast<A>(static_cast<compute_t<T>>(b[i + j]));
  }
  for (int j = 0; j < 8; j++) p[j] += p[j + 8];
  for (int j = 0; j < 8; j++) q[j] += q[j + 8];
  A r = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  A s = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
  for (int64_t k = i; k < n; k++) r += static_cast<A>(static_cast<compute_t<T>>(a[k]));
  for (int64_t k = i; k < n; k++) s += static_cast<A>(static_cast<compute_t<T>>(b[k]));
  *ra = r;
  *rb = s;
}

inline bool sumPairs() {
  static const bool v = [] { const char* e = std::getenv("TORCHTS_SUM_PAIRS"); return !(e && *e == '0'); }();
  return v;
}

// acc[j] += a[j] for j < n: one row of a column reduction (sum over a strided dim into
// contiguous outputs), vectorised across the outputs.
template <class T> TT_SIMD_CLONES void addRow(acc_t<T>* acc, const T* a, int64_t n) {
  using A = acc_t<T>;
  for (int64_t j = 0; j < n; j++) acc[j] += static_cast<A>(static_cast<compute_t<T>>(a[j]));
}

template <class T> struct SumR {
  using C = compute_t<T>;
  using Acc = acc_t<T>;
  static constexpr bool kPlainSum = true;  // accumulate() may use sumContiguous
  const double* s;
  Acc init() const { return 0; }
  void step(Acc& a, C x, int64_t) const { a += static_cast<Acc>(x); }
  void combine(Acc& a, const Acc& b) const { a += b; }
  void write(char* o, char*, const Acc& a, int64_t) const { *reinterpret_cast<T*>(o) = static_cast<T>(static_cast<C>(a)); }
};
template <class T> struct NanSumR : SumR<T> {
  static constexpr bool kPlainSum = false;
  using typename SumR<T>::Acc;
  using typename SumR<T>::C;
  void step(Acc& a, C x, int64_t) const { if (!nanOf(x)) a += static_cast<Acc>(x); }
};
template <class T> struct MeanImpl {
  using C = compute_t<T>;
  struct Acc { double sum; int64_t n; };
  const double* s;
  Acc init() const { return {0, 0}; }
  void step(Acc& a, C x, int64_t) const {
    if (s[0] != 0 && nanOf(x)) return;
    a.sum += static_cast<double>(x);
    a.n++;
  }
  void combine(Acc& a, const Acc& b) const { a.sum += b.sum; a.n += b.n; }
  void write(char* o, char*, const Acc& a, int64_t) const {
    *reinterpret_cast<T*>(o) = static_cast<T>(static_cast<C>(a.n ? a.sum / (double)a.n : NAN));
  }
};
template <class T> struct ProdR {
  using C = compute_t<T>;
  using Acc = acc_t<T>;
  const double* s;
  Acc init() const { return 1; }
  void step(Acc& a, C x, int64_t) const { a *= static_cast<Acc>(x); }
  void combine(Acc& a, const Acc& b) const { a *= b; }
  void write(char* o, char*, const Acc& a, int64_t) const { *reinterpret_cast<T*>(o) = static_cast<T>(static_cast<C>(a)); }
};
// max/min and their indices. NaN wins (the first one); ties keep the first index.
// s[0]: 1 = max, 0 = min; s[1]: 0 write value (+ index to operand 2 if present), 1 write only the index.
template <class T> struct ExtremumR {
  using C = compute_t<T>;
  struct Acc { C v; int64_t i; };
  const double* s;
  Acc init() const { return {C(0), -1}; }
  void step(Acc& a, C x, int64_t i) const {
    if (a.i < 0) { a = {x, i}; return; }
    if (nanOf(a.v)) return;
    if (nanOf(x) || (s[0] != 0 ? x > a.v : x < a.v)) a = {x, i};
  }
  void combine(Acc& a, const Acc& b) const {
    if (b.i < 0) return;
    if (a.i < 0) { a = b; return; }
    if (nanOf(a.v)) return;
    if (nanOf(b.v) || (s[0] != 0 ? b.v > a.v : b.v < a.v)) a = b;
  }
  void write(char* o, char* idx, const Acc& a, int64_t) const {
    if (s[1] != 0) { *reinterpret_cast<int64_t*>(o) = a.i; return; }
    *reinterpret_cast<T*>(o) = static_cast<T>(a.v);
    if (idx) *reinterpret_cast<int64_t*>(idx) = a.i;
  }
};
// all/any: bool output. s[0]: 1 = all, 0 = any.
template <class T> struct AllAnyR {
  using C = compute_t<T>;
  struct Acc { bool v; };  // not a bare bool: std::vector<bool> has no references
  const double* s;
  Acc init() const { return {s[0] != 0}; }
  void step(Acc& a, C x, int64_t) const { if (s[0] != 0) a.v = a.v && (x != C(0)); else a.v = a.v || (x != C(0)); }
  void combine(Acc& a, const Acc& b) const { if (s[0] != 0) a.v = a.v && b.v; else a.v = a.v || b.v; }
  void write(char* o, char*, const Acc& a, int64_t) const { *reinterpret_cast<bool*>(o) = a.v; }
};
// var/std by Welford, combined with Chan's formula. s[0] = correction, s[1] = 1 for std.
template <class T> struct VarR {
  using C = compute_t<T>;
  struct Acc { double mean, m2; int64_t n; };
  const double* s;
  Acc init() const { return {0, 0, 0}; }
  void step(Acc& a, C x, int64_t) const {
    double v = static_cast<double>(x);
    a.n++;
    double d = v - a.mean;
    a.mean += d / (double)a.n;
    a.m2 += d * (v - a.mean);
  }
  void combine(Acc& a, const Acc& b) const {
    if (b.n == 0) return;
    if (a.n == 0) { a = b; return; }
    double n = (double)(a.n + b.n), d = b.mean - a.mean;
    a.mean += d * (double)b.n / n;
    a.m2 += b.m2 + d * d * (double)a.n * (double)b.n / n;
    a.n += b.n;
  }
  void write(char* o, char*, const Acc& a, int64_t) const {
    double dof = std::max(0.0, (double)a.n - s[0]);
    double v = a.m2 / dof;
    if (s[1] != 0) v = std::sqrt(v);
    *reinterpret_cast<T*>(o) = static_cast<T>(static_cast<C>(v));
  }
};
// vector p-norm. s[0] = p (inf as +/-Infinity).
template <class T> struct NormR {
  using C = compute_t<T>;
  using Acc = double;
  const double* s;
  Acc init() const { return std::isinf(s[0]) && s[0] < 0 ? INFINITY : 0.0; }
  void step(Acc& a, C x, int64_t) const {
    double v = std::abs(static_cast<double>(x)), p = s[0];
    if (std::isnan(v)) { a = NAN; return; }
    if (std::isnan(a)) return;
    if (p == 2) a += v * v;
    else if (p == 1) a += v;
    else if (p == 0) a += v != 0;
    else if (std::isinf(p)) a = p > 0 ? std::max(a, v) : std::min(a, v);
    else a += std::pow(v, p);
  }
  void combine(Acc& a, const Acc& b) const {
    double p = s[0];
    if (std::isnan(a) || std::isnan(b)) a = NAN;
    else if (std::isinf(p)) a = p > 0 ? std::max(a, b) : std::min(a, b);
    else a += b;
  }
  void write(char* o, char*, const Acc& a, int64_t) const {
    double p = s[0], r = a;
    if (p == 2) r = std::sqrt(a);
    else if (p != 1 && p != 0 && !std::isinf(p)) r = std::pow(a, 1.0 / p);
    *reinterpret_cast<T*>(o) = static_cast<T>(static_cast<C>(r));
  }
};

template <class R, class = void> struct PlainSum : std::false_type {};
template <class R> struct PlainSum<R, std::void_t<decltype(R::kPlainSum)>> : std::bool_constant<R::kPlainSum> {};

// Runs reducer R over an iterator whose first nOuter dims index outputs.
template <class R, class T> void reduceRun(StridedIter& it, int nOuter, const double* s) {
  using C = compute_t<T>;
  R r{s};
  const int nInner = it.ndim - nOuter;
  // inner dims: coalesce the input's strides (outputs do not move along them)
  int64_t ishape[kMaxDims], istr[kMaxDims];
  int ni = 0;
  for (int d = nOuter; d < it.ndim; d++) {
    if (it.shape[d] == 1) continue;
    if (ni > 0 && istr[ni - 1] == it.ops[1].strides[d] * it.shape[d]) {
      ishape[ni - 1] *= it.shape[d];
      istr[ni - 1] = it.ops[1].strides[d];
      continue;
    }
    ishape[ni] = it.shape[d];
    istr[ni] = it.ops[1].strides[d];
    ni++;
  }
  (void)nInner;
  int64_t innerN = 1;
  for (int d = 0; d < ni; d++) innerN *= ishape[d];
  int64_t outerN = 1;
  for (int d = 0; d < nOuter; d++) outerN *= it.shape[d];
  const bool hasIdx = it.nops > 2;

  // Accumulates input elements [b, e) of the flattened inner range starting at `base`.
  auto accumulate = [&](const char* base, int64_t b, int64_t e, typename R::Acc& acc) {
    if (ni <= 1) {
      const int64_t st = ni ? istr[0] : 0;
      if (st == (int64_t)sizeof(T)) {
        const T* a = reinterpret_cast<const T*>(base);
        if constexpr (PlainSum<R>::value) {
          acc += sumContiguous(a + b, e - b);
          return;
        }
        for (int64_t i = b; i < e; i++) r.step(acc, static_cast<C>(a[i]), i);
      } else {
        for (int64_t i = b; i < e; i++) r.step(acc, static_cast<C>(*reinterpret_cast<const T*>(base + i * st)), i);
      }
      return;
    }
    int64_t idx[kMaxDims] = {}, rem = b;
    for (int d = ni - 1; d >= 0; d--) { idx[d] = rem % ishape[d]; rem /= ishape[d]; }
    for (int64_t i = b; i < e; i++) {
      const char* p = base;
      for (int d = 0; d < ni; d++) p += idx[d] * istr[d];
      r.step(acc, static_cast<C>(*reinterpret_cast<const T*>(p)), i);
      for (int d = ni - 1; d >= 0; d--) { if (++idx[d] < ishape[d]) break; idx[d] = 0; }
    }
  };
  auto outerPtr = [&](int op, int64_t o) {
    char* p = it.ops[op].data;
    for (int d = nOuter - 1; d >= 0; d--) { p += (o % it.shape[d]) * it.ops[op].strides[d]; o /= it.shape[d]; }
    return p;
  };

  // Sums over a strided dim into contiguous outputs (x.sum(0) of a row-major matrix): run down the
  // rows with a tile of accumulators across the outputs instead of one strided walk per output.
  // Each output adds its elements in order; the tiles split across threads, never a column.
  if constexpr (PlainSum<R>::value) {
    if (nOuter >= 1 && ni == 1 && istr[0] != (int64_t)sizeof(T) && it.shape[nOuter - 1] > 1 &&
        it.ops[1].strides[nOuter - 1] == (int64_t)sizeof(T) && it.ops[0].strides[nOuter - 1] == (int64_t)sizeof(T)) {
      constexpr int64_t kTile = 512;
      const int64_t L = it.shape[nOuter - 1], rows = ishape[0], rs = istr[0];
      const int64_t tilesPerRow = (L + kTile - 1) / kTile, tiles = (outerN / L) * tilesPerRow;
      parallelFor(tiles, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, rows * kTile)), [&](int64_t b, int64_t e) {
        acc_t<T> acc[kTile];
        for (int64_t t = b; t < e; t++) {
          const int64_t j0 = (t % tilesPerRow) * kTile, len = std::min(kTile, L - j0), o = (t / tilesPerRow) * L + j0;
          const char* base = outerPtr(1, o);
          std::fill(acc, acc + len, acc_t<T>(0));
          for (int64_t r0 = 0; r0 < rows; r0++) addRow<T>(acc, reinterpret_cast<const T*>(base + r0 * rs), len);
          T* out = reinterpret_cast<T*>(outerPtr(0, o));
          for (int64_t j = 0; j < len; j++) out[j] = static_cast<T>(static_cast<C>(acc[j]));
        }
      });
      return;
    }
  }

  // Long reductions are cut into fixed blocks of kBlock elements, each accumulated from init()
  // and combined in order, whether one thread runs them or several: the result does not depend
  // on the number of threads.
  constexpr int64_t kBlock = int64_t(1) << 15;
  using Acc = typename R::Acc;
  auto reduceOne = [&](const char* base, Acc& acc) {
    if (innerN <= kBlock) {
      accumulate(base, 0, innerN, acc);
      return;
    }
    for (int64_t b = 0; b < innerN; b += kBlock) {
      Acc part = r.init();
      accumulate(base, b, std::min(innerN, b + kBlock), part);
      r.combine(acc, part);
    }
  };

  if (outerN < getNumThreads() && innerN > kBlock) {  // few long reductions: split each one by blocks
    const int64_t nBlocks = (innerN + kBlock - 1) / kBlock;
    std::vector<Acc> partial(nBlocks, r.init());
    for (int64_t o = 0; o < outerN; o++) {
      const char* base = outerPtr(1, o);
      std::fill(partial.begin(), partial.end(), r.init());
      parallelFor(nBlocks, 1, [&](int64_t cb, int64_t ce) {
        int64_t c = cb;
        if constexpr (PlainSum<R>::value) {
          // contiguous: two full blocks per pass (each block's partial is what accumulate() gives)
          if (ni <= 1 && (ni ? istr[0] : 0) == (int64_t)sizeof(T) && sumPairs()) {
            const T* a = reinterpret_cast<const T*>(base);
            for (; c + 1 < ce && (c + 2) * kBlock <= innerN; c += 2) {
              acc_t<T> x, y;
              sumContiguous2(a + c * kBlock, a + (c + 1) * kBlock, kBlock, &x, &y);
              partial[c] += x;
              partial[c + 1] += y;
            }
          }
        }
        for (; c < ce; c++) accumulate(base, c * kBlock, std::min(innerN, (c + 1) * kBlock), partial[c]);
      });
      Acc acc = r.init();
      for (int64_t c = 0; c < nBlocks; c++) r.combine(acc, partial[c]);
      r.write(outerPtr(0, o), hasIdx ? outerPtr(2, o) : nullptr, acc, innerN);
    }
    return;
  }
  parallelFor(outerN, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(innerN, 1)), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; o++) {
      Acc acc = r.init();
      reduceOne(outerPtr(1, o), acc);
      r.write(outerPtr(0, o), hasIdx ? outerPtr(2, o) : nullptr, acc, innerN);
    }
  });
}

// Scans along the last dim: out[..., j] = f(in[..., 0..j]). s[0] as for ExtremumR for cummax/cummin.
enum class ScanKind { Sum, Prod, Max, Min, LogSumExp };
template <ScanKind K, class T> void scanRun(StridedIter& it, int nOuter, const double*) {
  using C = compute_t<T>;
  const int64_t len = it.shape[it.ndim - 1];
  const int64_t so = it.ops[0].strides[it.ndim - 1], si = it.ops[1].strides[it.ndim - 1];
  const int64_t sx = it.nops > 2 ? it.ops[2].strides[it.ndim - 1] : 0;
  int64_t outerN = 1;
  for (int d = 0; d < nOuter; d++) outerN *= it.shape[d];
  parallelFor(outerN, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(len, 1)), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; o++) {
      char* ptr[3] = {it.ops[0].data, it.ops[1].data, it.nops > 2 ? it.ops[2].data : nullptr};
      int64_t rem = o;
      for (int d = nOuter - 1; d >= 0; d--) {
        int64_t i = rem % it.shape[d];
        rem /= it.shape[d];
        for (int k = 0; k < std::min(it.nops, 3); k++) ptr[k] += i * it.ops[k].strides[d];
      }
      if constexpr (K == ScanKind::Sum || K == ScanKind::Prod) {
        acc_t<T> acc = K == ScanKind::Sum ? 0 : 1;
        for (int64_t j = 0; j < len; j++) {
          C x = static_cast<C>(*reinterpret_cast<const T*>(ptr[1] + j * si));
          if constexpr (K == ScanKind::Sum) acc += static_cast<acc_t<T>>(x); else acc *= static_cast<acc_t<T>>(x);
          *reinterpret_cast<T*>(ptr[0] + j * so) = static_cast<T>(static_cast<C>(acc));
        }
      } else if constexpr (K == ScanKind::LogSumExp) {
        double acc = -INFINITY;
        for (int64_t j = 0; j < len; j++) {
          double x = static_cast<double>(static_cast<C>(*reinterpret_cast<const T*>(ptr[1] + j * si)));
          if (std::isnan(x) || std::isnan(acc)) acc = NAN;
          else if (!(std::isinf(x) && x < 0)) {
            double m = std::max(acc, x);
            acc = std::isinf(m) && m > 0 ? m : m + std::log(std::exp(acc - m) + std::exp(x - m));
          }
          *reinterpret_cast<T*>(ptr[0] + j * so) = static_cast<T>(static_cast<C>(acc));
        }
      } else {
        C best = C(0);
        int64_t bi = 0;
        for (int64_t j = 0; j < len; j++) {
          C x = static_cast<C>(*reinterpret_cast<const T*>(ptr[1] + j * si));
          // a later equal value moves the index (PyTorch's cummax/cummin use >= / <=)
          bool take = j == 0 || nanOf(x) ||
                      (!nanOf(best) && (K == ScanKind::Max ? x >= best : x <= best));
          if (take) { best = x; bi = j; }
          *reinterpret_cast<T*>(ptr[0] + j * so) = static_cast<T>(best);
          if (ptr[2]) *reinterpret_cast<int64_t*>(ptr[2] + j * sx) = bi;
        }
      }
    }
  });
}

// Dispatch on the input dtype (operand 1).
template <template <class> class R, bool Bool> void reduceAll(StridedIter& it, int nOuter, const double* s) {
  if constexpr (Bool) {
    TT_DISPATCH_ALL(it.ops[1].dtype, "reduce", reduceRun<R<T>, T>(it, nOuter, s))
  } else {
    TT_DISPATCH_NUMERIC(it.ops[1].dtype, "reduce", reduceRun<R<T>, T>(it, nOuter, s))
  }
}
template <template <class> class R> void reduceFloat(StridedIter& it, int nOuter, const double* s) {
  TT_DISPATCH_FLOAT(it.ops[1].dtype, "reduce", reduceRun<R<T>, T>(it, nOuter, s))
}
template <ScanKind K> void scanNumeric(StridedIter& it, int nOuter, const double* s) {
  if constexpr (K == ScanKind::LogSumExp) {
    TT_DISPATCH_FLOAT(it.ops[1].dtype, "scan", scanRun<K, T>(it, nOuter, s))
  } else if constexpr (K == ScanKind::Max || K == ScanKind::Min) {  // cummax/cummin take bool too
    TT_DISPATCH_ALL(it.ops[1].dtype, "scan", scanRun<K, T>(it, nOuter, s))
  } else {
    TT_DISPATCH_NUMERIC(it.ops[1].dtype, "scan", scanRun<K, T>(it, nOuter, s))
  }
}

}  // namespace

const KernelEntry<ReduceFn> kReduceKernels[] = {
    {"sum", reduceAll<SumR, false>},       {"nansum", reduceAll<NanSumR, false>},
    {"mean", reduceFloat<MeanImpl>},       {"prod", reduceAll<ProdR, false>},
    {"extremum", reduceAll<ExtremumR, true>}, {"allAny", reduceAll<AllAnyR, true>},
    {"var", reduceFloat<VarR>},            {"norm", reduceFloat<NormR>},
    {"cumsum", scanNumeric<ScanKind::Sum>}, {"cumprod", scanNumeric<ScanKind::Prod>},
    {"cummax", scanNumeric<ScanKind::Max>}, {"cummin", scanNumeric<ScanKind::Min>},
    {"logcumsumexp", scanNumeric<ScanKind::LogSumExp>},
};
const size_t kNumReduceKernels = sizeof(kReduceKernels) / sizeof(kReduceKernels[0]);

namespace {
// reduceFast(id, meta, scalars, ndimOuter, buffer0, buffer1[, buffer2]): reduce() with the kernel
// by index into reduceIds() and the buffers as arguments (no string conversion, hash lookup or
// array reads per call). meta as for reduce(); scalars 8 entries.
Napi::Value ReduceFast(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  const size_t argc = info.Length();
  if (argc < 6) throw std::runtime_error("reduceFast: bad arguments");
  uint32_t id;
  if (napi_get_value_uint32(env, info[0], &id) != napi_ok || id >= kNumReduceKernels)
    throw std::runtime_error("reduceFast: unknown kernel id");
  size_t n, ns;
  const double* meta = f64Data(info[1], &n);
  const double* scalars = f64Data(info[2], &ns);
  if (ns < 8) throw std::runtime_error("reduceFast: scalars must have 8 entries");
  int32_t ndimOuter;
  if (napi_get_value_int32(env, info[3], &ndimOuter) != napi_ok) throw std::runtime_error("reduceFast: bad ndimOuter");
  StridedIter it = parseIterArgs(info, 4, meta, n, 2, 3);
  if (ndimOuter < 0 || ndimOuter > it.ndim) throw std::runtime_error("reduceFast: bad ndimOuter");
  kReduceKernels[id].fn(it, ndimOuter, scalars);
  return info.Env().Undefined();
}

// reduceIds(): the reduce kernel names, index = id for reduceFast.
Napi::Value ReduceIds(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env());
  for (size_t k = 0; k < kNumReduceKernels; k++) a.Set((uint32_t)k, kReduceKernels[k].name);
  return a;
}
}  // namespace

namespace {
// The bias gradient of a convolution: out[c] = sum over n of (the sum over the S spatial elements
// of g[n, c]), g contiguous (N, C, S), S <= 32768 (one block of the reduction above). In one call
// what g.sum([2, ...]).sum(0) computes in two, bit for bit: each (n, c) plane summed by
// sumContiguous and rounded to T, then the N planes' sums added in order from 0 in the accumulator
// type and rounded (the column reduction's addRow), whatever the number of threads.
template <class T> void convBiasGradRun(const T* g, int64_t N, int64_t C, int64_t S, T* out) {
  using C_ = compute_t<T>;
  using A = acc_t<T>;
  if (C == 1) {  // the second sum is then over N contiguous values: sumContiguous, as sum(0) runs it
    std::vector<T> planes((size_t)N);
    for (int64_t n = 0; n < N; n++) planes[(size_t)n] = static_cast<T>(static_cast<C_>(sumContiguous(g + n * S, S)));
    out[0] = static_cast<T>(static_cast<C_>(sumContiguous(planes.data(), N)));
    return;
  }
  parallelFor(C, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, N * S)), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      A acc = 0;
      for (int64_t n = 0; n < N; n++) {
        const T plane = static_cast<T>(static_cast<C_>(sumContiguous(g + (n * C + c) * S, S)));
        acc += static_cast<A>(static_cast<C_>(plane));
      }
      out[c] = static_cast<T>(static_cast<C_>(acc));
    }
  });
}

// convBiasGrad(out, g, meta) with meta = [dtype, N, C, S, outOffset, gOffset]; float32/float64.
Napi::Value ConvBiasGrad(const Napi::CallbackInfo& info) {
  size_t n;
  const double* m = f64Data(info[2], &n);
  if (n < 6) throw std::runtime_error("convBiasGrad: truncated descriptor");
  const int dt = (int)m[0];
  const int64_t N = (int64_t)m[1], C = (int64_t)m[2], S = (int64_t)m[3];
  if (S > (int64_t(1) << 15)) throw std::runtime_error("convBiasGrad: plane too large");
  if (dt == kFloat32)
    convBiasGradRun<float>(reinterpret_cast<const float*>(bufferData(info[1])) + (int64_t)m[5], N, C, S,
                           reinterpret_cast<float*>(bufferData(info[0])) + (int64_t)m[4]);
  else if (dt == kFloat64)
    convBiasGradRun<double>(reinterpret_cast<const double*>(bufferData(info[1])) + (int64_t)m[5], N, C, S,
                            reinterpret_cast<double*>(bufferData(info[0])) + (int64_t)m[4]);
  else
    throw std::runtime_error("convBiasGrad: float32 or float64 only");
  return info.Env().Undefined();
}
}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("convBiasGrad", Napi::Function::New(env, ConvBiasGrad, "convBiasGrad"));
  exports.Set("reduceFast", Napi::Function::New(env, ReduceFast, "reduceFast"));
  exports.Set("reduceIds", Napi::Function::New(env, ReduceIds, "reduceIds"));
}

}  // namespace tt
