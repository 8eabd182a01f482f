// SPDX-License-Identifier: BSD-3-Clause
// Elementwise kernels: each op is a small functor; the strided loop and dtype dispatch are
// written once below. Inputs already have the computation dtype (TypeScript promotes first);
// the output has the same dtype, or bool for predicates and comparisons.
// No FP trapping in this file: GCC may then evaluate both arms of a select (x <= t ? v : x) and
// vectorise the loop, where it otherwise keeps a branch per element to avoid converting a
// scalar that could raise an exception flag nobody reads. Values are unchanged (no
// reassociation, no contraction, NaN and signed zeros as before).
#pragma GCC optimize("no-trapping-math")
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include "common/dtype.h"
#include "common/iter.h"
#include "common/simd.h"
#include "cpu/kernels.h"

namespace tt {
namespace {

// ---- the loops -----------------------------------------------------------------------------

// Contiguous runs: plain indexed loops the compiler vectorises, compiled for AVX2 and for the
// baseline and chosen at run time (GCC's target_clones) where the toolchain supports it.

template <class Op, class TO, class TI>
TT_SIMD_CLONES void unaryContiguous(TO* o, const TI* a, int64_t n, const double* scalars) {
  using C = compute_t<TI>;
  double s[8];
  for (int k = 0; k < 8; k++) s[k] = scalars[k];
  for (int64_t i = 0; i < n; i++) o[i] = static_cast<TO>(Op::f(static_cast<C>(a[i]), s));
}

// b == nullptr: the second operand is the scalar `bv` (tensor op scalar)
template <class Op, class TO, class TI>
TT_SIMD_CLONES void binaryContiguous(TO* o, const TI* a, const TI* b, TI bv, int64_t n, const double* scalars) {
  using C = compute_t<TI>;
  double s[8];
  for (int k = 0; k < 8; k++) s[k] = scalars[k];
  if (b == nullptr) {
    const C c = static_cast<C>(bv);
    for (int64_t i = 0; i < n; i++) o[i] = static_cast<TO>(Op::f(static_cast<C>(a[i]), c, s));
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = static_cast<TO>(Op::f(static_cast<C>(a[i]), static_cast<C>(b[i]), s));
  }
}

// ---- streaming (non-temporal) stores for large outputs ------------------------------------------
// An output much larger than the last-level cache is not in the cache when the next op reads it,
// so writing it through the cache only costs a read-for-ownership of every line (16 bytes of
// traffic per float of add instead of 12). Above streamBytes() of traffic, contiguous runs are
// computed into a small L1-resident buffer by the same loop (same values, bit for bit) and the
// buffer is copied out with non-temporal stores.

// Bytes of traffic (inputs + output) above which outputs are streamed: 24 MiB, about the
// last-level cache of one CPU complex (32 MiB on the bench machine; sysconf's figure is not to be
// trusted in a VM: it reports 256 MiB there), or TORCHTS_STREAM_BYTES.
inline int64_t streamBytes() {
  static const int64_t v = [] {
    const char* env = std::getenv("TORCHTS_STREAM_BYTES");
    if (env && *env) return (int64_t)std::atoll(env);
    return (int64_t)24 << 20;
  }();
  return v;
}

// Writes n outputs of `compute(dst, offset, len)` to o: an unaligned head and the tail straight,
// the aligned middle through a 2 KiB buffer copied out with streaming stores.
template <class TO, class F> void streamOut(TO* o, int64_t n, F&& compute) {
#if defined(__SSE2__)
  constexpr int64_t kBuf = 2048 / (int64_t)sizeof(TO);
  if (sizeof(TO) > 16 || 16 % sizeof(TO) != 0 || n < 2 * kBuf) { compute(o, 0, n); return; }
  int64_t head = (int64_t)((16 - (reinterpret_cast<uintptr_t>(o) & 15)) & 15);
  if (head % (int64_t)sizeof(TO) != 0) { compute(o, 0, n); return; }
  head /= (int64_t)sizeof(TO);
  if (head) compute(o, 0, head);
  alignas(64) TO buf[kBuf];
  int64_t i = head;
  for (; i + kBuf <= n; i += kBuf) {
    compute(buf, i, kBuf);
    const __m128i* src = reinterpret_cast<const __m128i*>(buf);
    __m128i* dst = reinterpret_cast<__m128i*>(o + i);
    for (int64_t j = 0; j < (int64_t)(kBuf * sizeof(TO) / 16); j += 4) {
      _mm_stream_si128(dst + j, _mm_load_si128(src + j));
      _mm_stream_si128(dst + j + 1, _mm_load_si128(src + j + 1));
      _mm_stream_si128(dst + j + 2, _mm_load_si128(src + j + 2));
      _mm_stream_si128(dst + j + 3, _mm_load_si128(src + j + 3));
    }
  }
  if (i < n) compute(o + i, i, n - i);
  _mm_sfence();  // streaming stores are weakly ordered: make them visible before the region ends
#else
  compute(o, 0, n);
#endif
}

// True where an op over `it` writing TO and reading N inputs of TI should stream its output.
template <class TO, class TI, int N> bool wantStream(const StridedIter& it) {
  const int64_t n = it.numel();
  return n * (int64_t)(sizeof(TO) + N * sizeof(TI)) >= streamBytes();
}

// out[i] = Op::f(in_1[i], ..., in_N[i], scalars), with contiguous runs written as plain
// indexed loops so the compiler vectorises them.
template <class Op, class TO, class TI, int N>
void runElementwise(StridedIter& it, const double* scalars) {
  using C = compute_t<TI>;
  // a local copy: the compiler then knows no output write can change a scalar, and vectorises
  double s[8];
  for (int k = 0; k < 8; k++) s[k] = scalars[k];
  const bool stream = (N == 1 || N == 2) && wantStream<TO, TI, N>(it);
  it.forEach([&](char** p, int64_t n, const int64_t* st) {
    bool contiguous = st[0] == (int64_t)sizeof(TO);
    for (int k = 1; k <= N; k++) contiguous = contiguous && st[k] == (int64_t)sizeof(TI);
    TO* o = reinterpret_cast<TO*>(p[0]);
    const TI* a = reinterpret_cast<const TI*>(p[1]);
    if constexpr (N == 0) {
      if (contiguous) {
        for (int64_t i = 0; i < n; i++) o[i] = static_cast<TO>(Op::template f<C>(s));
      } else {
        for (int64_t i = 0; i < n; i++) *reinterpret_cast<TO*>(p[0] + i * st[0]) = static_cast<TO>(Op::template f<C>(s));
      }
    } else if constexpr (N == 1) {
      if (contiguous) {
        if (stream) streamOut(o, n, [&](TO* d, int64_t off, int64_t len) { unaryContiguous<Op, TO, TI>(d, a + off, len, s); });
        else unaryContiguous<Op, TO, TI>(o, a, n, s);
      } else {
        for (int64_t i = 0; i < n; i++)
          *reinterpret_cast<TO*>(p[0] + i * st[0]) =
              static_cast<TO>(Op::f(static_cast<C>(*reinterpret_cast<const TI*>(p[1] + i * st[1])), s));
      }
    } else if constexpr (N == 2) {
      const TI* b = reinterpret_cast<const TI*>(p[2]);
      if (contiguous) {
        if (stream) streamOut(o, n, [&](TO* d, int64_t off, int64_t len) { binaryContiguous<Op, TO, TI>(d, a + off, b + off, TI{}, len, s); });
        else binaryContiguous<Op, TO, TI>(o, a, b, TI{}, n, s);
      } else if (st[0] == (int64_t)sizeof(TO) && st[1] == (int64_t)sizeof(TI) && st[2] == 0) {  // tensor op scalar
        const TI bv = *b;
        if (stream) streamOut(o, n, [&](TO* d, int64_t off, int64_t len) { binaryContiguous<Op, TO, TI>(d, a + off, nullptr, bv, len, s); });
        else binaryContiguous<Op, TO, TI>(o, a, nullptr, bv, n, s);
      } else {
        for (int64_t i = 0; i < n; i++)
          *reinterpret_cast<TO*>(p[0] + i * st[0]) =
              static_cast<TO>(Op::f(static_cast<C>(*reinterpret_cast<const TI*>(p[1] + i * st[1])),
                                    static_cast<C>(*reinterpret_cast<const TI*>(p[2] + i * st[2])), s));
      }
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<TO*>(p[0] + i * st[0]) =
            static_cast<TO>(Op::f(static_cast<C>(*reinterpret_cast<const TI*>(p[1] + i * st[1])),
                                  static_cast<C>(*reinterpret_cast<const TI*>(p[2] + i * st[2])),
                                  static_cast<C>(*reinterpret_cast<const TI*>(p[3] + i * st[3])), s));
    }
  });
}

// Dtype sets an op is instantiated for; the input dtype (operand 1) selects T.
enum class Set { Float, Numeric, Integral, All };

template <class Op, Set S, bool BoolOut, int N>
void dispatchElementwise(StridedIter& it, const double* s) {
  const int dt = it.ops[N == 0 ? 0 : 1].dtype;
#define TT_RUN runElementwise<Op, std::conditional_t<BoolOut, bool, T>, T, N>(it, s)
  if constexpr (S == Set::Float) {
    TT_DISPATCH_FLOAT(dt, Op::name, TT_RUN)
  } else if constexpr (S == Set::Numeric) {
    TT_DISPATCH_NUMERIC(dt, Op::name, TT_RUN)
  } else if constexpr (S == Set::Integral) {
    switch (dt) {
      TT_CASE(kBool, bool, TT_RUN)
      TT_CASE(kUInt8, uint8_t, TT_RUN)
      TT_CASE(kInt8, int8_t, TT_RUN)
      TT_CASE(kInt16, int16_t, TT_RUN)
      TT_CASE(kInt32, int32_t, TT_RUN)
      TT_CASE(kInt64, int64_t, TT_RUN)
      default: badDtype(Op::name, dt);
    }
  } else {
    TT_DISPATCH_ALL(dt, Op::name, TT_RUN)
  }
#undef TT_RUN
}

// where over contiguous runs; AS / BS: a / b is one broadcast value (stride 0).
template <class T, bool AS, bool BS>
TT_SIMD_CLONES void whereContiguous(T* o, const bool* c, const T* a, const T* b, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = c[i] ? a[AS ? 0 : i] : b[BS ? 0 : i];
}

// where(cond, a, b): the condition is bool, the values have the output's dtype.
void whereKernel(StridedIter& it, const double*) {
  TT_DISPATCH_ALL(it.ops[0].dtype, "where", {
    it.forEach([&](char** p, int64_t n, const int64_t* st) {
      constexpr int64_t z = sizeof(T);
      if (st[0] == z && st[1] == 1 && (st[2] == z || st[2] == 0) && (st[3] == z || st[3] == 0)) {
        T* o = reinterpret_cast<T*>(p[0]);
        const bool* c = reinterpret_cast<const bool*>(p[1]);
        const T* a = reinterpret_cast<const T*>(p[2]);
        const T* b = reinterpret_cast<const T*>(p[3]);
        if (st[2] == 0 && st[3] == 0) whereContiguous<T, true, true>(o, c, a, b, n);
        else if (st[2] == 0) whereContiguous<T, true, false>(o, c, a, b, n);
        else if (st[3] == 0) whereContiguous<T, false, true>(o, c, a, b, n);
        else whereContiguous<T, false, false>(o, c, a, b, n);
        return;
      }
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<T*>(p[0] + i * st[0]) = *reinterpret_cast<const bool*>(p[1] + i * st[1])
                                                      ? *reinterpret_cast<const T*>(p[2] + i * st[2])
                                                      : *reinterpret_cast<const T*>(p[3] + i * st[3]);
    });
  })
}

// ---- the functors -----------------------------------------------------------------------------

template <class C> constexpr bool isFp() { return std::is_floating_point<C>::value; }
template <class C> bool isNan(C x) { if constexpr (isFp<C>()) return std::isnan(x); else return false; }

#define UNARY(Name, ...)                                                       \
  struct Name {                                                                 \
    static constexpr const char* name = #Name;                                  \
    template <class C> static auto f(C x, const double* s) { (void)s; return __VA_ARGS__; } \
  };
#define BINARY(Name, ...)                                                      \
  struct Name {                                                                 \
    static constexpr const char* name = #Name;                                  \
    template <class C> static auto f(C a, C b, const double* s) { (void)s; return __VA_ARGS__; } \
  };
#define TERNARY(Name, ...)                                                     \
  struct Name {                                                                 \
    static constexpr const char* name = #Name;                                  \
    template <class C> static auto f(C a, C b, C c, const double* s) { (void)s; return __VA_ARGS__; } \
  };

// Inverse error function: Giles' single-precision approximation refined by two Newton steps.
template <class C> C erfinvImpl(C y) {
  if (y <= -1) return y == -1 ? -std::numeric_limits<C>::infinity() : std::numeric_limits<C>::quiet_NaN();
  if (y >= 1) return y == 1 ? std::numeric_limits<C>::infinity() : std::numeric_limits<C>::quiet_NaN();
  double x = y, w = -std::log((1.0 - x) * (1.0 + x)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08; p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257; p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double r = p * x;
  const double k = 1.1283791670955126;  // 2/sqrt(pi)
  for (int i = 0; i < 2; i++) r -= (std::erf(r) - x) / (k * std::exp(-r * r));
  return static_cast<C>(r);
}

template <class C> C roundHalfEven(C x) { if constexpr (isFp<C>()) return std::nearbyint(x); else return x; }

template <class C> C roundDecimals(C x, double d) {
  if constexpr (!isFp<C>()) return x;
  else {
    int dec = (int)d;
    if (dec == 0) return std::nearbyint(x);
    bool neg = dec < 0;
    C ten = std::pow(C(10), C(neg ? -dec : dec));
    return neg ? std::nearbyint(x / ten) * ten : std::nearbyint(x * ten) / ten;
  }
}

template <class C> C floorDivide(C a, C b) {
  if constexpr (isFp<C>()) {
    if (b == 0) return a / b;
    C mod = std::fmod(a, b), div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= C(1);
    if (div == 0) return std::copysign(C(0), a / b);
    C fl = std::floor(div);
    if (div - fl > C(0.5)) fl += C(1);
    return fl;
  } else {
    if (b == 0) return 0;  // TypeScript rejects integer division by zero before running
    if (std::is_signed<C>::value && b == C(-1)) return C(-a);
    C q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    return q;
  }
}

template <class C> C remainderOf(C a, C b) {
  if constexpr (isFp<C>()) {
    C mod = std::fmod(a, b);
    if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
    return mod;
  } else {
    if (b == 0) return 0;
    if (std::is_signed<C>::value && b == C(-1)) return 0;
    C mod = a % b;
    if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
    return mod;
  }
}

template <class C> C powOf(C a, C b) {
  if constexpr (isFp<C>()) return std::pow(a, b);
  else if constexpr (std::is_same<C, bool>::value) return a || !b;
  else {
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
    C r = 1, base = a;
    using U = std::make_unsigned_t<C>;
    U e = (U)b;
    while (e) { if (e & 1) r = (C)((U)r * (U)base); base = (C)((U)base * (U)base); e >>= 1; }
    return r;
  }
}

template <class C> C bitNot(C x) {
  if constexpr (std::is_same<C, bool>::value) return !x;
  else return C(~x);
}
template <class C> C divTrunc(C a, C b) {
  if constexpr (isFp<C>()) return std::trunc(a / b);
  else return b == 0 ? C(0) : C(a / b);
}
template <class C> C fmodOf(C a, C b) {
  if constexpr (isFp<C>()) return std::fmod(a, b);
  else return b == 0 ? C(0) : C(a % b);
}
// Shifts past the width give 0 (or -1 for negative values shifted right), as in PyTorch.
template <class C> C shiftLeft(C a, C b) {
  if constexpr (std::is_same<C, bool>::value) return b ? false : a;
  else {
    using U = std::make_unsigned_t<C>;
    return (std::is_signed<C>::value && b < 0) || (int64_t)b >= (int64_t)(sizeof(C) * 8) ? C(0) : C((U)a << b);
  }
}
template <class C> C shiftRight(C a, C b) {
  if constexpr (std::is_same<C, bool>::value) return b ? false : a;
  else {
    if ((std::is_signed<C>::value && b < 0) || (int64_t)b >= (int64_t)(sizeof(C) * 8)) return std::is_signed<C>::value && a < 0 ? C(-1) : C(0);
    return C(a >> b);
  }
}

template <class C> C logAddExp(C a, C b) {
  if (std::isinf(a) && a == b) return a;
  C m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

template <class C> C absOf(C x) {
  if constexpr (std::is_same<C, bool>::value || std::is_unsigned<C>::value) return x;
  else return x < 0 ? C(-x) : x;
}

template <class C> C signOf(C x) {
  if constexpr (std::is_same<C, bool>::value) return x;
  else return C((C(0) < x) - (x < C(0)));
}

// NaN-propagating max/min (torch.maximum); fmax/fmin ignore NaN.
template <class C> C maxProp(C a, C b) { return isNan(a) ? a : (isNan(b) ? b : (a > b ? a : b)); }
template <class C> C minProp(C a, C b) { return isNan(a) ? a : (isNan(b) ? b : (a < b ? a : b)); }

template <class C> C clampOf(C x, const double* s) {  // s = [lo, hi, hasLo, hasHi]; a NaN bound gives NaN
  if (isNan(x)) return x;
  if (s[2] != 0 && (x < C(s[0]) || isNan(C(s[0])))) x = C(s[0]);
  if (s[3] != 0 && (x > C(s[1]) || isNan(C(s[1])))) x = C(s[1]);
  return x;
}

template <class C> C nanToNum(C x, const double* s) {
  if constexpr (isFp<C>()) {
    if (std::isnan(x)) return C(s[0]);
    if (std::isinf(x)) return x > 0 ? C(s[1]) : C(s[2]);
  }
  return x;
}

template <class C> C lerpOf(C a, C b, C w) {
  return std::abs(w) < C(0.5) ? a + w * (b - a) : b - (b - a) * (C(1) - w);
}

// Unary, floating inputs.
UNARY(Exp, std::exp(x)) UNARY(Exp2, std::exp2(x)) UNARY(Expm1, std::expm1(x)) UNARY(Log, std::log(x))
UNARY(Log2, std::log2(x)) UNARY(Log10, std::log10(x)) UNARY(Log1p, std::log1p(x)) UNARY(Sqrt, std::sqrt(x))
UNARY(Rsqrt, C(1) / std::sqrt(x)) UNARY(Sin, std::sin(x)) UNARY(Cos, std::cos(x)) UNARY(Tan, std::tan(x))
UNARY(Asin, std::asin(x)) UNARY(Acos, std::acos(x)) UNARY(Atan, std::atan(x)) UNARY(Sinh, std::sinh(x))
UNARY(Cosh, std::cosh(x)) UNARY(Tanh, std::tanh(x)) UNARY(Asinh, std::asinh(x)) UNARY(Acosh, std::acosh(x))
UNARY(Atanh, std::atanh(x)) UNARY(Sigmoid, C(1) / (C(1) + std::exp(-x))) UNARY(Erf, std::erf(x))
UNARY(Erfc, std::erfc(x)) UNARY(Erfinv, erfinvImpl(x)) UNARY(Reciprocal, C(1) / x) UNARY(Frac, x - std::trunc(x))
UNARY(Lgamma, std::lgamma(x))
UNARY(Isnan, isNan(x)) UNARY(Isinf, std::isinf(x)) UNARY(Isfinite, std::isfinite(x))
UNARY(Isposinf, std::isinf(x) && x > 0) UNARY(Isneginf, std::isinf(x) && x < 0) UNARY(Signbit, std::copysign(C(1), x) < C(0))  // not std::signbit: GCC 12 ICEs vectorising it
UNARY(NanToNum, nanToNum(x, s))
// Unary, any numeric input.
UNARY(Neg, C(-x)) UNARY(Abs, absOf(x)) UNARY(Sign, signOf(x)) UNARY(Square, C(x * x))
UNARY(Floor, isFp<C>() ? C(std::floor(x)) : x) UNARY(Ceil, isFp<C>() ? C(std::ceil(x)) : x)
UNARY(Trunc, isFp<C>() ? C(std::trunc(x)) : x) UNARY(Round, roundHalfEven(x))
UNARY(RoundDecimals, roundDecimals(x, s[0])) UNARY(Clamp, clampOf(x, s))
// branch-free so it vectorises: NaN compares false and passes through, -0.0 stays -0.0 (as PyTorch)
UNARY(Relu, x < C(0) ? C(0) : x)
// Unary, integral and bool.
UNARY(BitwiseNot, bitNot(x))
// Unary, any input, bool output.
UNARY(LogicalNot, !x)
UNARY(NonzeroMask, x != C(0))

// Fill: no inputs.
struct Fill {
  static constexpr const char* name = "fill";
  template <class C> static C f(const double* s) { return static_cast<C>(s[0]); }
};

// Binary.
BINARY(Add, C(a + C(s[0]) * b)) BINARY(Sub, C(a - C(s[0]) * b)) BINARY(Mul, C(a * b)) BINARY(Div, C(a / b))
BINARY(DivTrunc, divTrunc(a, b))
BINARY(DivFloor, floorDivide(a, b)) BINARY(Remainder, remainderOf(a, b))
BINARY(Fmod, fmodOf(a, b))
BINARY(Pow, powOf(a, b)) BINARY(Atan2, std::atan2(a, b)) BINARY(Hypot, std::hypot(a, b))
BINARY(Copysign, std::copysign(a, b)) BINARY(Maximum, maxProp(a, b)) BINARY(Minimum, minProp(a, b))
BINARY(Fmax, isFp<C>() ? C(std::fmax(a, b)) : (a > b ? a : b)) BINARY(Fmin, isFp<C>() ? C(std::fmin(a, b)) : (a < b ? a : b))
BINARY(Logaddexp, logAddExp(a, b)) BINARY(Logaddexp2, C(logAddExp(a * C(M_LN2), b * C(M_LN2)) / C(M_LN2)))
BINARY(BitwiseAnd, C(a & b)) BINARY(BitwiseOr, C(a | b)) BINARY(BitwiseXor, C(a ^ b))
BINARY(BitwiseLeftShift, shiftLeft(a, b)) BINARY(BitwiseRightShift, shiftRight(a, b))
BINARY(Eq, a == b) BINARY(Ne, a != b) BINARY(Lt, a < b) BINARY(Le, a <= b) BINARY(Gt, a > b) BINARY(Ge, a >= b)
BINARY(LogicalAnd, (a != C(0)) && (b != C(0))) BINARY(LogicalOr, (a != C(0)) || (b != C(0)))
BINARY(LogicalXor, (a != C(0)) != (b != C(0)))
// Ternary.
TERNARY(Lerp, lerpOf(a, b, c)) TERNARY(Addcmul, C(a + C(s[0]) * b * c)) TERNARY(Addcdiv, C(a + C(s[0]) * b / c))
TERNARY(ClampTensor, isNan(a) ? a : (isNan(b) || isNan(c) ? C(NAN) : minProp(maxProp(a, b), c)))

// Activations (torch.nn.functional) and their derivatives: unary f(x), binary backward f(g, x),
// PyTorch's CPU formulas (aten/src/ATen/native/cpu/Activation.cpp). Scalars: elu [alpha, scale,
// inputScale]; softplus [beta, threshold]; leakyRelu [slope]; threshold [threshold, value];
// hardtanh [min, max]; shrink [lambda]; gelu [0 none | 1 tanh].
template <class C> C geluOf(C x, double mode) {
  if (mode != 0) {
    const C inner = C(M_SQRT2 * M_2_SQRTPI * 0.5) * (x + C(0.044715) * x * x * x);
    return C(0.5) * x * (C(1) + std::tanh(inner));
  }
  return x * C(0.5) * (C(1) + std::erf(x * C(M_SQRT1_2)));
}
template <class C> C geluBackwardOf(C g, C x, double mode) {
  if (mode != 0) {
    const C kBeta = C(M_SQRT2 * M_2_SQRTPI * 0.5), kKappa = C(0.044715);
    const C t = std::tanh(kBeta * (x + kKappa * x * x * x));
    const C left = C(0.5) * (C(1) + t);
    const C right = C(0.5) * x * (C(1) - t * t) * kBeta * (C(1) + C(3) * kKappa * x * x);
    return g * (left + right);
  }
  const C cdf = C(0.5) * (C(1) + std::erf(x * C(M_SQRT1_2)));
  const C pdf = std::exp(C(-0.5) * x * x) * C(M_2_SQRTPI * M_SQRT1_2 * 0.5);
  return g * (cdf + x * pdf);
}
template <class C> C mishBackwardOf(C g, C x) {
  const C sig = C(1) / (C(1) + std::exp(-x));
  const C t = std::tanh(std::log1p(std::exp(x)));
  return g * (t + x * sig * (C(1) - t * t));
}
template <class C> C logSigmoidBackwardOf(C g, C x) {
  const C z = std::exp(-std::abs(x));
  return x < C(0) ? g * (C(1) - z / (C(1) + z)) : g * (z / (C(1) + z));
}
// exp(x) - 1 rather than expm1, as PyTorch 1.13's vectorised CPU path (and it vectorises here too)
UNARY(Elu, x > C(0) ? C(x * C(s[1])) : C(C(s[0] * s[1]) * (std::exp(x * C(s[2])) - C(1))))
BINARY(EluBackward, b > C(0) ? C(a * C(s[1])) : C(a * C(s[2] * s[0] * s[1]) * std::exp(b * C(s[2]))))
UNARY(Softplus, x * C(s[0]) > C(s[1]) ? x : C(std::log1p(std::exp(x * C(s[0]))) / C(s[0])))
BINARY(SoftplusBackward, b * C(s[0]) > C(s[1]) ? a : C(a * std::exp(b * C(s[0])) / (std::exp(b * C(s[0])) + C(1))))
UNARY(LeakyRelu, x > C(0) ? x : C(x * C(s[0])))
BINARY(LeakyReluBackward, b > C(0) ? a : C(a * C(s[0])))
UNARY(Threshold, x <= C(s[0]) ? C(s[1]) : x)
BINARY(ThresholdBackward, b <= C(s[0]) ? C(0) : a)
BINARY(HardtanhBackward, (b <= C(s[0]) || b >= C(s[1])) ? C(0) : a)
UNARY(Hardswish, x < C(-3) ? C(0) : (x <= C(3) ? C(x * (x + C(3)) / C(6)) : x))
BINARY(HardswishBackward, b < C(-3) ? C(0) : (b <= C(3) ? C(a * (b / C(3) + C(0.5))) : a))
UNARY(Hardsigmoid, std::min(std::max(x + C(3), C(0)), C(6)) / C(6))
BINARY(HardsigmoidBackward, (b > C(-3) && b < C(3)) ? C(a / C(6)) : C(0))
UNARY(Hardshrink, (x >= C(-s[0]) && x <= C(s[0])) ? C(0) : x)
UNARY(Softshrink, x > C(s[0]) ? C(x - C(s[0])) : (x < C(-s[0]) ? C(x + C(s[0])) : C(0)))
BINARY(ShrinkBackward, (b >= C(-s[0]) && b <= C(s[0])) ? C(0) : a)
UNARY(Silu, x / (C(1) + std::exp(-x)))
BINARY(SiluBackward, a * (C(1) / (C(1) + std::exp(-b))) * (C(1) + b * (C(1) - C(1) / (C(1) + std::exp(-b)))))
UNARY(Mish, x * std::tanh(std::log1p(std::exp(x))))
BINARY(MishBackward, mishBackwardOf(a, b))
UNARY(Gelu, geluOf(x, s[0]))
BINARY(GeluBackward, geluBackwardOf(a, b, s[0]))
UNARY(LogSigmoid, std::min(x, C(0)) - std::log1p(std::exp(-std::abs(x))))
BINARY(LogSigmoidBackward, logSigmoidBackwardOf(a, b))

// clamp with scalar bounds: branch-free compare-and-select loops, one per bound combination, so
// they vectorise (x < lo is false for a NaN x, which passes through; -0.0 is not below 0.0).
// NaN bounds and the half types keep the functor above.
template <class T, int Mode> TT_SIMD_CLONES void clampContiguous(T* o, const T* a, int64_t n, T lo, T hi) {
  for (int64_t i = 0; i < n; i++) {
    T x = a[i];
    if constexpr ((Mode & 1) != 0) x = x < lo ? lo : x;
    if constexpr ((Mode & 2) != 0) x = x > hi ? hi : x;
    o[i] = x;
  }
}
template <class T> void clampTyped(StridedIter& it, const double* s) {
  const int mode = (s[2] != 0 ? 1 : 0) | (s[3] != 0 ? 2 : 0);
  const T lo = static_cast<T>(s[0]), hi = static_cast<T>(s[1]);
  if (mode == 0 || ((mode & 1) && isNan(lo)) || ((mode & 2) && isNan(hi))) {
    runElementwise<Clamp, T, T, 1>(it, s);
    return;
  }
  const bool stream = wantStream<T, T, 1>(it);
  it.forEach([&](char** p, int64_t n, const int64_t* st) {
    if (st[0] == (int64_t)sizeof(T) && st[1] == (int64_t)sizeof(T)) {
      T* o = reinterpret_cast<T*>(p[0]);
      const T* a = reinterpret_cast<const T*>(p[1]);
      auto run = [&](T* d, int64_t off, int64_t len) {
        if (mode == 1) clampContiguous<T, 1>(d, a + off, len, lo, hi);
        else if (mode == 2) clampContiguous<T, 2>(d, a + off, len, lo, hi);
        else clampContiguous<T, 3>(d, a + off, len, lo, hi);
      };
      if (stream) streamOut(o, n, run);
      else run(o, 0, n);
      return;
    }
    for (int64_t i = 0; i < n; i++) {
      T x = *reinterpret_cast<const T*>(p[1] + i * st[1]);
      if (mode & 1) x = x < lo ? lo : x;
      if (mode & 2) x = x > hi ? hi : x;
      *reinterpret_cast<T*>(p[0] + i * st[0]) = x;
    }
  });
}
void clampKernel(StridedIter& it, const double* s) {
  switch (it.ops[1].dtype) {
    TT_CASE(kUInt8, uint8_t, clampTyped<T>(it, s))
    TT_CASE(kInt8, int8_t, clampTyped<T>(it, s))
    TT_CASE(kInt16, int16_t, clampTyped<T>(it, s))
    TT_CASE(kInt32, int32_t, clampTyped<T>(it, s))
    TT_CASE(kInt64, int64_t, clampTyped<T>(it, s))
    TT_CASE(kFloat32, float, clampTyped<T>(it, s))
    TT_CASE(kFloat64, double, clampTyped<T>(it, s))
    default: dispatchElementwise<Clamp, Set::Numeric, false, 1>(it, s);
  }
}

// ---- hand-vectorised float32 activations (AVX2 + FMA) ----------------------------------------
// Ops whose scalar form calls exp / tanh (which GCC cannot vectorise) get an 8-lane form VOp::f
// built on common/simd.h. On float32 with AVX2 + FMA every element goes through it, contiguous
// or strided, whatever the run length or the thread split (a short tail is padded to 8 lanes),
// so results do not depend on layout or thread count; other dtypes and CPUs run the scalar
// functor. The two forms agree within a few float ulp.
#if TT_HAVE_AVX2_CODE
struct VExp { TT_AVX2 static __m256 f(__m256 x, const float*) { return v8::exp(x); } };
struct VTanh { TT_AVX2 static __m256 f(__m256 x, const float*) { return v8::tanh(x); } };
struct VSigmoid {
  TT_AVX2 static __m256 f(__m256 x, const float*) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, v8::exp(v8::neg(x))));
  }
};
struct VSilu {
  TT_AVX2 static __m256 f(__m256 x, const float*) {
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), v8::exp(v8::neg(x))));
  }
};
// gelu, tanh approximation only (s[0] != 0): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
struct VGeluTanh {
  TT_AVX2 static __m256 f(__m256 x, const float*) {
    const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
    const __m256 inner = _mm256_mul_ps(_mm256_set1_ps(float(M_SQRT2 * M_2_SQRTPI * 0.5)),
                                       _mm256_add_ps(x, _mm256_mul_ps(_mm256_set1_ps(0.044715f), x3)));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.0f), v8::tanh(inner)));
  }
};
// silu backward: g * sig * (1 + x (1 - sig)), sig = 1 / (1 + exp(-x))
struct VSiluBackward {
  TT_AVX2 static __m256 f(__m256 g, __m256 x, const float*) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 sig = _mm256_div_ps(one, _mm256_add_ps(one, v8::exp(v8::neg(x))));
    return _mm256_mul_ps(_mm256_mul_ps(g, sig), _mm256_add_ps(one, _mm256_mul_ps(x, _mm256_sub_ps(one, sig))));
  }
};

// Elu and its backward fold alpha * scale (and inputScale * alpha * scale) in double, as the
// scalar functors do: prep() writes those products into the unused scalar slots 6 and 7.
struct VElu {
  static void prep(float* sf, const double* s) { sf[6] = float(s[0] * s[1]); }
  TT_AVX2 static __m256 f(__m256 x, const float* s) {
    const __m256 neg = _mm256_mul_ps(_mm256_set1_ps(s[6]), _mm256_sub_ps(v8::exp(_mm256_mul_ps(x, _mm256_set1_ps(s[2]))), _mm256_set1_ps(1.0f)));
    return _mm256_blendv_ps(neg, _mm256_mul_ps(x, _mm256_set1_ps(s[1])), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  }
};
struct VEluBackward {
  static void prep(float* sf, const double* s) { sf[7] = float(s[2] * s[0] * s[1]); }
  TT_AVX2 static __m256 f(__m256 g, __m256 x, const float* s) {
    const __m256 neg = _mm256_mul_ps(_mm256_mul_ps(g, _mm256_set1_ps(s[7])), v8::exp(_mm256_mul_ps(x, _mm256_set1_ps(s[2]))));
    return _mm256_blendv_ps(neg, _mm256_mul_ps(g, _mm256_set1_ps(s[1])), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  }
};
// softplus [beta, threshold]: x beta > threshold ? x : log1p(exp(x beta)) / beta
struct VSoftplus {
  TT_AVX2 static __m256 f(__m256 x, const float* s) {
    const __m256 beta = _mm256_set1_ps(s[0]), xb = _mm256_mul_ps(x, beta);
    const __m256 soft = _mm256_div_ps(v8::log1pPos(v8::exp(xb)), beta);
    return _mm256_blendv_ps(soft, x, _mm256_cmp_ps(xb, _mm256_set1_ps(s[1]), _CMP_GT_OQ));
  }
};
struct VSoftplusBackward {
  TT_AVX2 static __m256 f(__m256 g, __m256 x, const float* s) {
    const __m256 xb = _mm256_mul_ps(x, _mm256_set1_ps(s[0]));
    const __m256 e = v8::exp(xb);
    const __m256 soft = _mm256_div_ps(_mm256_mul_ps(g, e), _mm256_add_ps(e, _mm256_set1_ps(1.0f)));
    return _mm256_blendv_ps(soft, g, _mm256_cmp_ps(xb, _mm256_set1_ps(s[1]), _CMP_GT_OQ));
  }
};
struct VLog { TT_AVX2 static __m256 f(__m256 x, const float*) { return v8::log(x); } };
struct VErf { TT_AVX2 static __m256 f(__m256 x, const float*) { return v8::erf(x); } };
// gelu, exact (erf) form: x 0.5 (1 + erf(x / sqrt(2)))
struct VGeluErf {
  TT_AVX2 static __m256 f(__m256 x, const float*) {
    const __m256 e = v8::erf(_mm256_mul_ps(x, _mm256_set1_ps(float(M_SQRT1_2))));
    return _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.5f)), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
  }
};
// its backward: g (cdf + x pdf), cdf = 0.5 (1 + erf(x / sqrt(2))), pdf = exp(-x^2 / 2) / sqrt(2 pi)
struct VGeluErfBackward {
  TT_AVX2 static __m256 f(__m256 g, __m256 x, const float*) {
    const __m256 cdf = _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_add_ps(_mm256_set1_ps(1.0f), v8::erf(_mm256_mul_ps(x, _mm256_set1_ps(float(M_SQRT1_2))))));
    const __m256 pdf = _mm256_mul_ps(v8::exp(_mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(-0.5f), x), x)), _mm256_set1_ps(float(M_2_SQRTPI * M_SQRT1_2 * 0.5)));
    return _mm256_mul_ps(g, _mm256_add_ps(cdf, _mm256_mul_ps(x, pdf)));
  }
};
// logsigmoid: min(x, 0) - log1p(exp(-|x|))
struct VLogSigmoid {
  TT_AVX2 static __m256 f(__m256 x, const float*) {
    const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    return _mm256_sub_ps(_mm256_min_ps(x, _mm256_setzero_ps()), v8::log1pPos(v8::exp(v8::neg(ax))));
  }
};
// mish: x tanh(log1p(exp(x)))
struct VMish {
  TT_AVX2 static __m256 f(__m256 x, const float*) { return _mm256_mul_ps(x, v8::tanh(v8::log1pPos(v8::exp(x)))); }
};

template <class V, class = void> struct HasPrep : std::false_type {};
template <class V> struct HasPrep<V, std::void_t<decltype(&V::prep)>> : std::true_type {};

template <class VOp, int N> TT_AVX2 __m256 vapply(const __m256* in, const float* s) {
  if constexpr (N == 1) return VOp::f(in[0], s);
  else return VOp::f(in[0], in[1], s);
}

// One run of n elements: contiguous blocks of 8 straight from memory, the rest (a strided run,
// a broadcast operand, the tail) gathered into 8 lanes.
template <class VOp, int N> TT_AVX2 void vecRunLoop(char** p, int64_t n, const int64_t* st, const float* s) {
  bool contiguous = st[0] == 4;
  for (int k = 1; k <= N; k++) contiguous = contiguous && st[k] == 4;
  int64_t i = 0;
  __m256 in[N];
  if (contiguous) {
    float* o = reinterpret_cast<float*>(p[0]);
    for (; i + 8 <= n; i += 8) {
      for (int k = 0; k < N; k++) in[k] = _mm256_loadu_ps(reinterpret_cast<const float*>(p[k + 1]) + i);
      _mm256_storeu_ps(o + i, vapply<VOp, N>(in, s));
    }
  }
  for (; i < n; i += 8) {
    const int m = (int)std::min<int64_t>(8, n - i);
    alignas(32) float buf[N][8] = {}, r[8];
    for (int k = 0; k < N; k++)
      for (int j = 0; j < m; j++) buf[k][j] = *reinterpret_cast<const float*>(p[k + 1] + (i + j) * st[k + 1]);
    for (int k = 0; k < N; k++) in[k] = _mm256_load_ps(buf[k]);
    _mm256_store_ps(r, vapply<VOp, N>(in, s));
    for (int j = 0; j < m; j++) *reinterpret_cast<float*>(p[0] + (i + j) * st[0]) = r[j];
  }
}

// Elements per thread chunk for these compute-bound loops (about 10-20 us of work each).
constexpr int64_t kVecGrain = 16384;

template <class Op, class VOp, int N> void vecOrScalar(StridedIter& it, const double* s) {
  bool f32 = hasAvx2Fma();
  for (int k = 0; k <= N; k++) f32 = f32 && it.ops[k].dtype == kFloat32;
  if (!f32) {
    dispatchElementwise<Op, Set::Float, false, N>(it, s);
    return;
  }
  float sf[8];
  for (int k = 0; k < 8; k++) sf[k] = static_cast<float>(s[k]);
  if constexpr (HasPrep<VOp>::value) VOp::prep(sf, s);
  it.forEach([&](char** p, int64_t n, const int64_t* st) { vecRunLoop<VOp, N>(p, n, st, sf); }, kVecGrain);
}
void geluKernel(StridedIter& it, const double* s) {
  if (s[0] != 0) vecOrScalar<Gelu, VGeluTanh, 1>(it, s);
  else vecOrScalar<Gelu, VGeluErf, 1>(it, s);
}
void geluBackwardKernel(StridedIter& it, const double* s) {
  if (s[0] != 0) dispatchElementwise<GeluBackward, Set::Float, false, 2>(it, s);
  else vecOrScalar<GeluBackward, VGeluErfBackward, 2>(it, s);
}
template <class Op, class VOp> constexpr ElementwiseFn vecUnary = &vecOrScalar<Op, VOp, 1>;
template <class Op, class VOp> constexpr ElementwiseFn vecBinary = &vecOrScalar<Op, VOp, 2>;
#define TT_VEC1(Op) (vecUnary<Op, V##Op>)
#define TT_VEC2(Op) (vecBinary<Op, V##Op>)
#define TT_GELU (&geluKernel)
#define TT_GELU_BACKWARD (&geluBackwardKernel)
#else
#define TT_VEC1(Op) (floatOp<Op>)
#define TT_VEC2(Op) (floatBin<Op>)
#define TT_GELU (floatOp<Gelu>)
#define TT_GELU_BACKWARD (floatBin<GeluBackward>)
#endif

using S = Set;
template <class Op> constexpr ElementwiseFn floatOp = &dispatchElementwise<Op, S::Float, false, 1>;
template <class Op> constexpr ElementwiseFn floatPred = &dispatchElementwise<Op, S::Float, true, 1>;
template <class Op> constexpr ElementwiseFn numOp = &dispatchElementwise<Op, S::Numeric, false, 1>;
template <class Op> constexpr ElementwiseFn allOp = &dispatchElementwise<Op, S::All, false, 1>;
template <class Op> constexpr ElementwiseFn allPred = &dispatchElementwise<Op, S::All, true, 1>;
template <class Op> constexpr ElementwiseFn intOp = &dispatchElementwise<Op, S::Integral, false, 1>;
template <class Op> constexpr ElementwiseFn floatBin = &dispatchElementwise<Op, S::Float, false, 2>;
template <class Op> constexpr ElementwiseFn numBin = &dispatchElementwise<Op, S::Numeric, false, 2>;
template <class Op> constexpr ElementwiseFn allBin = &dispatchElementwise<Op, S::All, false, 2>;
template <class Op> constexpr ElementwiseFn intBin = &dispatchElementwise<Op, S::Integral, false, 2>;
template <class Op> constexpr ElementwiseFn allCmp = &dispatchElementwise<Op, S::All, true, 2>;
template <class Op> constexpr ElementwiseFn floatTer = &dispatchElementwise<Op, S::Float, false, 3>;
template <class Op> constexpr ElementwiseFn numTer = &dispatchElementwise<Op, S::Numeric, false, 3>;

}  // namespace

const KernelEntry<ElementwiseFn> kElementwiseKernels[] = {
    {"exp", TT_VEC1(Exp)}, {"exp2", floatOp<Exp2>}, {"expm1", floatOp<Expm1>}, {"log", TT_VEC1(Log)},
    {"log2", floatOp<Log2>}, {"log10", floatOp<Log10>}, {"log1p", floatOp<Log1p>}, {"sqrt", floatOp<Sqrt>},
    {"rsqrt", floatOp<Rsqrt>}, {"sin", floatOp<Sin>}, {"cos", floatOp<Cos>}, {"tan", floatOp<Tan>},
    {"asin", floatOp<Asin>}, {"acos", floatOp<Acos>}, {"atan", floatOp<Atan>}, {"sinh", floatOp<Sinh>},
    {"cosh", floatOp<Cosh>}, {"tanh", TT_VEC1(Tanh)}, {"asinh", floatOp<Asinh>}, {"acosh", floatOp<Acosh>},
    {"atanh", floatOp<Atanh>}, {"sigmoid", TT_VEC1(Sigmoid)}, {"erf", TT_VEC1(Erf)}, {"erfc", floatOp<Erfc>},
    {"erfinv", floatOp<Erfinv>}, {"reciprocal", floatOp<Reciprocal>}, {"frac", floatOp<Frac>},
    {"lgamma", floatOp<Lgamma>}, {"nanToNum", floatOp<NanToNum>},
    {"isnan", floatPred<Isnan>}, {"isinf", floatPred<Isinf>}, {"isfinite", floatPred<Isfinite>},
    {"isposinf", floatPred<Isposinf>}, {"isneginf", floatPred<Isneginf>}, {"signbit", floatPred<Signbit>},
    {"neg", numOp<Neg>}, {"abs", numOp<Abs>}, {"sign", allOp<Sign>}, {"square", numOp<Square>},
    {"floor", numOp<Floor>}, {"ceil", numOp<Ceil>}, {"trunc", numOp<Trunc>}, {"round", numOp<Round>},
    {"roundDecimals", numOp<RoundDecimals>}, {"clamp", &clampKernel}, {"relu", numOp<Relu>},
    {"bitwiseNot", intOp<BitwiseNot>}, {"logicalNot", allPred<LogicalNot>}, {"nonzeroMask", allPred<NonzeroMask>},
    {"fill", &dispatchElementwise<Fill, S::All, false, 0>},
    {"add", allBin<Add>}, {"sub", numBin<Sub>}, {"mul", allBin<Mul>}, {"div", floatBin<Div>},
    {"divTrunc", numBin<DivTrunc>}, {"divFloor", numBin<DivFloor>}, {"remainder", numBin<Remainder>},
    {"fmod", numBin<Fmod>}, {"pow", numBin<Pow>}, {"atan2", floatBin<Atan2>}, {"hypot", floatBin<Hypot>},
    {"copysign", floatBin<Copysign>}, {"maximum", allBin<Maximum>}, {"minimum", allBin<Minimum>},
    {"fmax", allBin<Fmax>}, {"fmin", allBin<Fmin>}, {"logaddexp", floatBin<Logaddexp>},
    {"logaddexp2", floatBin<Logaddexp2>}, {"bitwiseAnd", intBin<BitwiseAnd>}, {"bitwiseOr", intBin<BitwiseOr>},
    {"bitwiseXor", intBin<BitwiseXor>}, {"bitwiseLeftShift", intBin<BitwiseLeftShift>},
    {"bitwiseRightShift", intBin<BitwiseRightShift>},
    {"eq", allCmp<Eq>}, {"ne", allCmp<Ne>}, {"lt", allCmp<Lt>}, {"le", allCmp<Le>}, {"gt", allCmp<Gt>},
    {"ge", allCmp<Ge>}, {"logicalAnd", allCmp<LogicalAnd>}, {"logicalOr", allCmp<LogicalOr>},
    {"logicalXor", allCmp<LogicalXor>},
    {"lerp", floatTer<Lerp>}, {"addcmul", numTer<Addcmul>}, {"addcdiv", floatTer<Addcdiv>},
    {"clampTensor", numTer<ClampTensor>}, {"where", &whereKernel},
    {"elu", TT_VEC1(Elu)}, {"eluBackward", TT_VEC2(EluBackward)}, {"softplus", TT_VEC1(Softplus)},
    {"softplusBackward", TT_VEC2(SoftplusBackward)}, {"leakyRelu", floatOp<LeakyRelu>},
    {"leakyReluBackward", floatBin<LeakyReluBackward>}, {"threshold", floatOp<Threshold>},
    {"thresholdBackward", floatBin<ThresholdBackward>}, {"hardtanhBackward", floatBin<HardtanhBackward>},
    {"hardswish", floatOp<Hardswish>}, {"hardswishBackward", floatBin<HardswishBackward>},
    {"hardsigmoid", floatOp<Hardsigmoid>}, {"hardsigmoidBackward", floatBin<HardsigmoidBackward>},
    {"hardshrink", floatOp<Hardshrink>}, {"softshrink", floatOp<Softshrink>}, {"shrinkBackward", floatBin<ShrinkBackward>},
    {"silu", TT_VEC1(Silu)}, {"siluBackward", TT_VEC2(SiluBackward)}, {"mish", TT_VEC1(Mish)},
    {"mishBackward", floatBin<MishBackward>}, {"gelu", TT_GELU}, {"geluBackward", TT_GELU_BACKWARD},
    {"logSigmoid", TT_VEC1(LogSigmoid)}, {"logSigmoidBackward", floatBin<LogSigmoidBackward>},
};
const size_t kNumElementwiseKernels = sizeof(kElementwiseKernels) / sizeof(kElementwiseKernels[0]);

}  // namespace tt
