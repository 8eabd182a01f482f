// SPDX-License-Identifier: BSD-3-Clause
// PyTorch's CPU random number generator and the distribution kernels that draw from it,
// reproducing PyTorch 1.13 on x86-64 bit for bit.
//
// The generator is mt19937 plus a cached spare normal sample (Box-Muller makes two at a time).
// Its whole state lives in a JS-owned Uint8Array laid out exactly like torch.get_rng_state()
// (PyTorch's CPUGeneratorImplState), so getState/setState are byte copies and states move
// between torchts and PyTorch unchanged. Each entry point loads the state, draws, and writes
// it back (also when it throws part way, as PyTorch's generator would have advanced too).
//
// The formulas follow ATen/core/TransformationHelper.h, ATen/core/DistributionsHelper.h,
// ATen/native/cpu/DistributionTemplates.h, ATen/native/TensorFactories.cpp (randperm),
// ATen/native/Distributions.cpp and ATen/native/cpu/MultinomialKernel.cpp. PyTorch's x86-64
// kernels are built with -mfma, and GCC contracted many a*b+c into fused multiply-adds; float32
// normal_ runs an AVX2 Cephes log/sincos (avx_mathfun.h). Those contractions change last bits,
// so they are written out here with std::fma, as read from the disassembly of libtorch_cpu.so
// 1.13 and checked against its outputs. The compiler must form no others (GCC contracts a*b+c
// by default, even in ISO C++ mode, wherever FMA instructions are available), hence the
// pragma, placed before the includes so that header inline functions share its options.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <napi.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/dtype.h"
#include "common/napi_util.h"
#include "cpu/kernels.h"

// std::fma is a slow library call unless FMA instructions are enabled, so the kernels that
// use it are also compiled for FMA and picked at run time. Both give the same bits.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define TT_FMA_TARGET __attribute__((target("fma")))
#define TT_ALWAYS_INLINE inline __attribute__((always_inline))
#define TT_HAS_FMA_CLONES 1
#elif defined(__GNUC__)
#define TT_FMA_TARGET
#define TT_ALWAYS_INLINE inline __attribute__((always_inline))
#define TT_HAS_FMA_CLONES 0
#else
#define TT_FMA_TARGET
#define TT_ALWAYS_INLINE inline
#define TT_HAS_FMA_CLONES 0
#endif

namespace tt {
namespace {

bool cpuHasFma() {
#if TT_HAS_FMA_CLONES
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma") != 0;
  }();
  return has;
#else
  return false;
#endif
}

constexpr int kStateN = 624;  // mt19937 state words
constexpr int kStateM = 397;
constexpr double kPi = 3.14159265358979323846;

// torch.get_rng_state() byte layout (CPUGeneratorImplState around the legacy THGeneratorState).
// The mt19937 words are stored widened to 64 bits; normalX and normalRho are always 0.
struct RngStateBytes {
  uint64_t initialSeed;
  int32_t left;
  int32_t seeded;
  uint64_t next;
  uint64_t words[kStateN];
  double normalX;
  double normalY;  // the cached spare double normal sample
  double normalRho;
  int32_t normalIsValid;
  int32_t padding0;
  float nextFloatNormal;
  uint8_t nextFloatNormalIsValid;
  uint8_t padding1[3];
};
static_assert(sizeof(RngStateBytes) == 5056, "must match sizeof(CPUGeneratorImplState) in PyTorch");
static_assert(offsetof(RngStateBytes, normalY) == 5024, "must match PyTorch's layout");
static_assert(offsetof(RngStateBytes, nextFloatNormal) == 5048, "must match PyTorch's layout");

std::string str(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The generator, loaded from the state bytes for one call and stored back when it ends.
class Engine {
 public:
  explicit Engine(uint8_t* bytes) : bytes_(bytes) {
    RngStateBytes s;
    std::memcpy(&s, bytes, sizeof s);
    // PyTorch's mt19937::is_valid, plus left + next <= 625 so that no read leaves the array.
    if (s.seeded == 0 || s.left <= 0 || s.left > kStateN || s.next > (uint64_t)kStateN ||
        (uint64_t)s.left + s.next > (uint64_t)kStateN + 1)
      throw std::runtime_error("Invalid mt19937 state");
    left_ = s.left;
    next_ = (uint32_t)s.next;
    for (int i = 0; i < kStateN; i++) mt_[i] = (uint32_t)s.words[i];
    hasNormal_ = s.normalIsValid != 0;
    normal_ = s.normalY;
    hasFloatNormal_ = s.nextFloatNormalIsValid != 0;
    floatNormal_ = s.nextFloatNormal;
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // Writes the state back the way CPUGeneratorImpl::get_state() renders it.
  ~Engine() {
    RngStateBytes s;
    std::memcpy(&s, bytes_, sizeof s);
    s.left = left_;
    s.seeded = 1;
    s.next = next_;
    for (int i = 0; i < kStateN; i++) s.words[i] = mt_[i];
    s.normalX = 0;
    s.normalRho = 0;
    s.normalIsValid = hasNormal_ ? 1 : 0;
    s.normalY = hasNormal_ ? normal_ : 0.0;
    s.padding0 = 0;
    s.nextFloatNormalIsValid = hasFloatNormal_ ? 1 : 0;
    s.nextFloatNormal = hasFloatNormal_ ? floatNormal_ : 0.0f;
    std::memset(s.padding1, 0, sizeof s.padding1);
    std::memcpy(bytes_, &s, sizeof s);
  }

  // CPUGeneratorImpl::random(): one tempered mt19937 word.
  TT_ALWAYS_INLINE uint32_t random() {
    if (--left_ == 0) twist();
    uint32_t y = mt_[next_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }
  // CPUGeneratorImpl::random64(): the first word is the high half.
  TT_ALWAYS_INLINE uint64_t random64() {
    const uint64_t hi = random();
    const uint64_t lo = random();
    return (hi << 32) | lo;
  }
  // uniform_real_distribution<double>(0, 1): 53 random bits.
  TT_ALWAYS_INLINE double uniformDouble() { return (double)(random64() & ((1ULL << 53) - 1)) * (1.0 / 9007199254740992.0); }
  // uniform_real_distribution<float>(0, 1): 24 random bits.
  TT_ALWAYS_INLINE float uniformFloat() { return (float)(random() & 0xffffffu) * (1.0f / 16777216.0f); }

  // at::normal_distribution<double>: Box-Muller, caching the sine half for the next call.
  TT_ALWAYS_INLINE double standardNormal() {
    if (hasNormal_) {
      hasNormal_ = false;
      return normal_;
    }
    const double u1 = uniformDouble();
    const double u2 = uniformDouble();
    const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 2.0 * kPi * u1;
    normal_ = r * std::sin(theta);
    hasNormal_ = true;
    return r * std::cos(theta);
  }

 private:
  void twist() {
    left_ = kStateN;
    next_ = 0;
    for (int k = 0; k < kStateN; k++) {
      const uint32_t u = mt_[k], v = mt_[(k + 1) % kStateN];
      const uint32_t mixed = (u & 0x80000000u) | (v & 0x7fffffffu);
      mt_[k] = mt_[(k + kStateM) % kStateN] ^ (mixed >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
    }
  }

  uint8_t* bytes_;
  uint32_t mt_[kStateN];
  int32_t left_;
  uint32_t next_;
  bool hasNormal_;
  double normal_;
  bool hasFloatNormal_;
  float floatNormal_;
};

// mt19937(seed) as CPUGeneratorImpl::set_current_seed builds it: only the low 32 bits of the
// seed enter the state; the cached normal samples are dropped.
void seedStateBytes(uint8_t* bytes, uint64_t seed) {
  RngStateBytes s;
  std::memset(&s, 0, sizeof s);
  s.initialSeed = seed;
  s.left = 1;
  s.seeded = 1;
  s.next = 0;
  uint32_t w = (uint32_t)(seed & 0xffffffffu);
  s.words[0] = w;
  for (uint32_t j = 1; j < (uint32_t)kStateN; j++) {
    w = 1812433253u * (w ^ (w >> 30)) + j;
    s.words[j] = w;
  }
  std::memcpy(bytes, &s, sizeof s);
}

// ---- dtype helpers ------------------------------------------------------------------------------

// std::numeric_limits<T>::digits for the floating types (c10 defines it for Half and BFloat16).
template <class T> constexpr int mantissaDigits() {
  if constexpr (std::is_same<T, double>::value) return 53;
  else if constexpr (std::is_same<T, float>::value) return 24;
  else if constexpr (std::is_same<T, Half>::value) return 11;
  else return 8;  // BFloat16
}
template <class T> constexpr double lowestOf() {
  if constexpr (std::is_same<T, double>::value) return -DBL_MAX;
  else if constexpr (std::is_same<T, float>::value) return -(double)FLT_MAX;
  else if constexpr (std::is_same<T, Half>::value) return -65504.0;
  else return -3.38953138925153547590470800371487866880e+38;  // BFloat16 lowest
}
template <class T> constexpr double maxOf() { return -lowestOf<T>(); }

// static_cast<T>(double) as PyTorch's kernels do it (half types go through float).
template <class T> T fromDouble(double v) {
  if constexpr (std::is_same<T, bool>::value) return v != 0.0;
  else if constexpr (std::is_same<T, Half>::value || std::is_same<T, BFloat16>::value) return T((float)v);
  else if constexpr (std::is_floating_point<T>::value) return (T)v;
  else {
    // x86 cvttsd2si: out of range (and NaN) gives INT64_MIN; then truncate to the width of T.
    const int64_t i = (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v : INT64_MIN;
    return (T)i;
  }
}
// static_cast<T>(int64_t).
template <class T> T fromInt64(int64_t v) {
  if constexpr (std::is_same<T, bool>::value) return v != 0;
  else if constexpr (std::is_same<T, Half>::value || std::is_same<T, BFloat16>::value) return T((float)v);
  else return (T)v;
}

// ---- uniform_ ----------------------------------------------------------------------------------

// uniform_kernel: uniform_real_distribution<T>(from, to); x = (bits & mask) * 2^-digits, then
// x * (to - from) + from with the multiply-add fused.
template <class T> TT_ALWAYS_INLINE void fillUniform(Engine& g, T* out, int64_t n, double from, double to) {
  if constexpr (std::is_same<T, double>::value) {
    const double range = to - from;
    for (int64_t i = 0; i < n; i++) out[i] = std::fma(g.uniformDouble(), range, from);
  } else if constexpr (std::is_same<T, float>::value) {
    const float f = (float)from, t = (float)to, range = t - f;
    for (int64_t i = 0; i < n; i++) out[i] = std::fma(g.uniformFloat(), range, f);
  } else {
    // c10::Half / BFloat16 arithmetic: to - from rounds to T, the rest happens in float.
    const T f = T((float)from), t = T((float)to);
    const float range = (float)T((float)t - (float)f), base = (float)f;
    constexpr uint32_t mask = (1u << mantissaDigits<T>()) - 1;
    constexpr float scale = 1.0f / (float)(1u << mantissaDigits<T>());
    for (int64_t i = 0; i < n; i++) {
      const float x = (float)(g.random() & mask) * scale;
      out[i] = T(std::fma(x, range, base));
    }
  }
}

// ---- normal_ -----------------------------------------------------------------------------------

// One lane of log256_ps from ATen/native/cpu/avx_mathfun.h (Cephes logf), with the fused
// multiply-adds GCC formed when it compiled PyTorch's AVX2 kernel.
TT_ALWAYS_INLINE float avxLog(float v) {
  const bool invalid = v <= 0.0f;
  float x = v > FLT_MIN ? v : FLT_MIN;  // _mm256_max_ps(v, min_norm_pos)
  const uint32_t bits = floatToBits(x);
  const int32_t exponent = (int32_t)(bits >> 23) - 127;
  x = bitsToFloat((bits & ~0x7f800000u) | 0x3f000000u);  // mantissa in [0.5, 1)
  float e = (float)exponent + 1.0f;
  const bool below = x < 0.707106781186547524f;  // sqrt(1/2)
  const float tmp = below ? x : 0.0f;
  x = x + -1.0f;
  e = e - (below ? 1.0f : 0.0f);
  x = tmp + x;
  float y = 7.0376836292E-2f;
  y = std::fma(y, x, -1.1514610310E-1f);
  y = std::fma(y, x, 1.1676998740E-1f);
  y = std::fma(y, x, -1.2420140846E-1f);
  y = std::fma(y, x, 1.4249322787E-1f);
  y = std::fma(y, x, -1.6668057665E-1f);
  y = std::fma(y, x, 2.0000714765E-1f);
  y = std::fma(y, x, -2.4999993993E-1f);
  y = std::fma(y, x, 3.3333331174E-1f);
  const float z = x * x;
  const float eq1 = e * -2.12194440e-4f;
  y = x * y;
  y = std::fma(y, z, eq1);
  y = std::fma(-z, 0.5f, y);
  x = x + y;
  x = std::fma(e, 0.693359375f, x);
  return invalid ? std::numeric_limits<float>::quiet_NaN() : x;
}

// One lane of sincos256_ps from avx_mathfun.h (Cephes sinf/cosf), fused as PyTorch's build is.
TT_ALWAYS_INLINE void avxSinCos(float v, float* sinOut, float* cosOut) {
  uint32_t signSin = floatToBits(v) & 0x80000000u;
  float x = bitsToFloat(floatToBits(v) & 0x7fffffffu);
  const float scaled = x * 1.27323954473516f;  // 4 / pi
  // _mm256_cvttps2dq: truncation, 0x80000000 when out of range
  uint32_t j = (scaled < 2147483648.0f) ? (uint32_t)(int32_t)scaled : 0x80000000u;
  j = j + 1;
  const uint32_t j2 = j & ~1u;
  const float yq = (float)(int32_t)j2;
  const uint32_t swapSin = (j & 4u) << 29;
  const bool sinPoly = (j & 2u) == 0;
  x = std::fma(yq, -0.78515625f, x);
  x = std::fma(yq, -2.4187564849853515625e-4f, x);
  x = std::fma(yq, -3.77489497744594108e-8f, x);
  const uint32_t signCos = (~(j2 - 2u) & 4u) << 29;
  signSin ^= swapSin;
  const float z = x * x;
  float yc = std::fma(2.443315711809948E-005f, z, -1.388731625493765E-003f);
  yc = std::fma(yc, z, 4.166664568298827E-002f);
  const float halfZ = z * 0.5f;
  yc = yc * z;
  yc = std::fma(yc, z, -halfZ);
  yc = yc + 1.0f;
  float ys = std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f);
  ys = std::fma(ys, z, -1.6666654611E-1f);
  ys = ys * z;
  ys = std::fma(ys, x, x);
  // the branch-free select of the original, +0.0 where a mask clears a lane
  const float ysin2 = sinPoly ? ys : 0.0f;
  const float ysin1 = sinPoly ? 0.0f : yc;
  const float s = ysin1 + ysin2;
  const float c = (yc - ysin1) + (ys - ysin2);
  *sinOut = bitsToFloat(floatToBits(s) ^ signSin);
  *cosOut = bitsToFloat(floatToBits(c) ^ signCos);
}

// normal_fill_16_AVX2: 8 Box-Muller pairs from 16 uniforms, in place.
TT_ALWAYS_INLINE void normalBlockFloat(float* d, float mean, float std) {
  for (int j = 0; j < 8; j++) {
    const float u1 = 1.0f - d[j];
    const float theta = 6.2831854820251465f * d[j + 8];  // (float)(2 * pi)
    const float radius = std::sqrt(avxLog(u1) * -2.0f);
    float s, c;
    avxSinCos(theta, &s, &c);
    d[j] = std::fma(radius * c, std, mean);
    d[j + 8] = std::fma(radius * s, std, mean);
  }
}

// normal_fill_16<T> (double, Half, BFloat16) with libm's log/sin/cos.
template <class T> TT_ALWAYS_INLINE void normalBlock(T* d, T mean, T std) {
  for (int j = 0; j < 8; j++) {
    if constexpr (std::is_same<T, double>::value) {
      const double u1 = 1.0 - d[j];
      const double radius = std::sqrt(-2.0 * std::log(u1));
      const double theta = 2.0 * kPi * d[j + 8];
      d[j] = std::fma(radius * std::cos(theta), std, mean);
      d[j + 8] = std::fma(radius * std::sin(theta), std, mean);
    } else if constexpr (std::is_same<T, Half>::value) {
      // c10::Half: Half op Half rounds to Half; Half op float, and libm on a Half, work in float.
      const T u1 = T(1.0f - (float)d[j]);
      const T radius = T(std::sqrt(-2.0f * std::log((float)u1)));
      const T theta = T((float)(2.0 * kPi * (double)(float)d[j + 8]));
      const float c = std::cos((float)theta), s = std::sin((float)theta);
      d[j] = T(std::fma((float)radius * c, (float)std, (float)mean));
      d[j + 8] = T(std::fma((float)radius * s, (float)std, (float)mean));
    } else {
      // c10::BFloat16 also has std::log/sqrt/cos/sin overloads (BFloat16-math.h) that round
      // to BFloat16, so every step rounds.
      auto bf = [](float v) { return (float)T(v); };
      const float u1 = bf(1.0f - (float)d[j]);
      const float radius = bf(std::sqrt(bf(-2.0f * bf(std::log(u1)))));
      const float theta = bf((float)(2.0 * kPi * (double)(float)d[j + 8]));
      const float c = bf(std::cos(theta)), s = bf(std::sin(theta));
      d[j] = T(bf(bf(radius * c) * (float)std) + (float)mean);
      d[j + 8] = T(bf(bf(radius * s) * (float)std) + (float)mean);
    }
  }
}

// normal_fill / normal_fill_AVX2: all uniforms first, then blocks of 16; a ragged end redraws
// 16 fresh uniforms for the last 16 elements and transforms them again.
template <class T> TT_ALWAYS_INLINE void normalFill(Engine& g, T* d, int64_t n, double meanIn, double stdIn) {
  auto fillUniforms = [&](T* p, int64_t count) {
    for (int64_t i = 0; i < count; i++) {
      if constexpr (std::is_same<T, double>::value) p[i] = g.uniformDouble();
      else if constexpr (std::is_same<T, float>::value) p[i] = g.uniformFloat();
      else p[i] = T((float)(g.random() & ((1u << mantissaDigits<T>()) - 1)) * (1.0f / (float)(1u << mantissaDigits<T>())));
    }
  };
  auto block = [&](T* p) {
    if constexpr (std::is_same<T, float>::value) normalBlockFloat(p, (float)meanIn, (float)stdIn);
    else if constexpr (std::is_same<T, double>::value) normalBlock<double>(p, meanIn, stdIn);
    else normalBlock<T>(p, T((float)meanIn), T((float)stdIn));
  };
  fillUniforms(d, n);
  for (int64_t i = 0; i + 16 <= n; i += 16) block(d + i);
  if (n % 16 != 0) {
    fillUniforms(d + n - 16, 16);
    block(d + n - 16);
  }
}

// normal_kernel: contiguous tensors of at least 16 elements take the vectorised fill; the
// rest (and non-contiguous tensors: `serial`) draw one cached Box-Muller sample at a time.
template <class T> TT_ALWAYS_INLINE void fillNormal(Engine& g, T* out, int64_t n, double mean, double std, bool serial) {
  if (n >= 16 && !serial) {
    normalFill<T>(g, out, n, mean, std);
    return;
  }
  for (int64_t i = 0; i < n; i++) out[i] = fromDouble<T>(std::fma(g.standardNormal(), std, mean));
}

template <class T> TT_FMA_TARGET void fillUniformFma(Engine& g, T* out, int64_t n, double from, double to) {
  fillUniform<T>(g, out, n, from, to);
}
template <class T> TT_FMA_TARGET void fillNormalFma(Engine& g, T* out, int64_t n, double mean, double std, bool serial) {
  fillNormal<T>(g, out, n, mean, std, serial);
}

// ---- random_ -----------------------------------------------------------------------------------

template <class T> constexpr bool wide64() {
  return std::is_same<T, int64_t>::value || std::is_same<T, double>::value || std::is_same<T, float>::value ||
         std::is_same<T, BFloat16>::value;
}

// uniform_int_from_to_distribution: (bits % range) + base, 64 bits only when range >= 2^32
// for the types that can hold such values.
template <class T> void fillRandomFromTo(Engine& g, T* out, int64_t n, uint64_t range, int64_t base) {
  const bool use64 = wide64<T>() && range >= (1ULL << 32);
  for (int64_t i = 0; i < n; i++) {
    const uint64_t bits = use64 ? g.random64() : (uint64_t)g.random();
    out[i] = fromInt64<T>((int64_t)(bits % range + (uint64_t)base));
  }
}

// uniform_int_full_range_distribution: [-2^63, 2^63).
template <class T> void fillRandomFull64(Engine& g, T* out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = fromInt64<T>((int64_t)g.random64());
}

// uniform_int_distribution: [0, max] for integers, [0, 2^digits] for floating types.
template <class T> void fillRandomDefault(Engine& g, T* out, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if constexpr (std::is_same<T, bool>::value) {
      out[i] = (g.random() & 1u) != 0;
    } else if constexpr (std::is_same<T, int64_t>::value) {
      out[i] = (int64_t)(g.random64() % (1ULL << 63));
    } else if constexpr (std::is_same<T, double>::value) {
      out[i] = (double)(g.random64() % ((1ULL << 53) + 1));
    } else if constexpr (std::is_integral<T>::value) {
      out[i] = (T)((uint64_t)g.random() % ((uint64_t)std::numeric_limits<T>::max() + 1));
    } else {  // float, Half, BFloat16
      out[i] = fromInt64<T>((int64_t)((uint64_t)g.random() % ((1ULL << mantissaDigits<T>()) + 1)));
    }
  }
}

// update_from / update_to (ATen/native/DistributionTemplates.h): move the bounds inward to
// values that survive the cast to a floating dtype.
template <class T> int64_t castThrough(int64_t v) {
  if constexpr (std::is_same<T, double>::value) return (int64_t)(double)v;
  else return (int64_t)(float)T((float)v);
}
int highBit(int64_t v) {
  int n = 0;
  while (v >>= 1) ++n;
  return n;
}
template <class T> int64_t updateFrom(int64_t from) {
  const int64_t fromPlus1 = castThrough<T>(from + 1);
  if (fromPlus1 < from) {
    const int n = highBit(std::abs(from + 1));
    from = fromPlus1 + (1LL << (n - mantissaDigits<T>() + 1));
  }
  return from;
}
template <class T> int64_t updateTo(int64_t to) {
  const int64_t toMinus1 = castThrough<T>(to - 1);
  if (toMinus1 >= to) {
    const int n = highBit(std::abs(to - 1));
    to = toMinus1 - (1LL << (n - mantissaDigits<T>() + 1));
  }
  return to;
}

// check_from_to_in_range: both ends must be values of the dtype.
template <class T> void checkRandomBounds(int64_t from, int64_t toInc) {
  bool fromOk, toOk;
  if constexpr (isFloating<T>()) {
    fromOk = (double)from >= lowestOf<T>() && (double)from <= maxOf<T>();
    toOk = (double)toInc >= lowestOf<T>() && (double)toInc <= maxOf<T>();
  } else {
    const int64_t lo = std::is_same<T, bool>::value ? 0 : (int64_t)std::numeric_limits<T>::lowest();
    const int64_t hi = std::is_same<T, bool>::value ? 1 : (int64_t)std::numeric_limits<T>::max();
    fromOk = from >= lo && from <= hi;
    toOk = toInc >= lo && toInc <= hi;
  }
  if (!fromOk) throw std::runtime_error("from is out of bounds for the dtype");
  if (!toOk) throw std::runtime_error("to - 1 is out of bounds for the dtype");
}

// random_(from, to): [from, to).
template <class T> void fillRandomRange(Engine& g, T* out, int64_t n, int64_t from, int64_t to) {
  if (!(from < to))
    throw std::runtime_error("random_ expects 'from' to be less than 'to', but got from=" + std::to_string(from) +
                             " >= to=" + std::to_string(to));
  if constexpr (isFloating<T>()) {
    from = updateFrom<T>(from);
    to = updateTo<T>(to);
    if (!(from < to))
      throw std::runtime_error("random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=" +
                               std::to_string(from) + " >= to=" + std::to_string(to));
  }
  checkRandomBounds<T>(from, to - 1);
  fillRandomFromTo<T>(g, out, n, (uint64_t)to - (uint64_t)from, from);
}

// random_(from, None): [from, max of the dtype]; from = -2^63 takes the full 64-bit range.
template <class T> void fillRandomFrom(Engine& g, T* out, int64_t n, int64_t from) {
  if (from == INT64_MIN) {
    if constexpr (wide64<T>()) {
      fillRandomFull64<T>(g, out, n);
      return;
    } else {
      throw std::runtime_error("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16");
    }
  }
  int64_t toInc;
  if constexpr (isFloating<T>()) {
    toInc = mantissaDigits<T>() >= 63 ? INT64_MAX : (int64_t)1 << mantissaDigits<T>();
    from = updateFrom<T>(from);
    if (!(from < toInc))
      throw std::runtime_error(
          "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from=" +
          std::to_string(from) + " > to_inc=" + std::to_string(toInc));
  } else if constexpr (std::is_same<T, bool>::value) {
    toInc = 1;
  } else {
    toInc = (int64_t)std::numeric_limits<T>::max();
  }
  checkRandomBounds<T>(from, toInc);
  fillRandomFromTo<T>(g, out, n, (uint64_t)toInc - (uint64_t)from + 1, from);
}

// ---- the other distributions --------------------------------------------------------------------

// bernoulli_(p) with a scalar p: bernoulli_distribution<double>, a 53-bit uniform < p.
template <class T> void fillBernoulli(Engine& g, T* out, int64_t n, double p) {
  if (!(p >= 0 && p <= 1)) throw std::runtime_error("bernoulli_ expects p to be in [0, 1], but got p=" + str(p));
  for (int64_t i = 0; i < n; i++) out[i] = fromDouble<T>(g.uniformDouble() < p ? 1.0 : 0.0);
}

// exponential_distribution<double>: -1/lambda * log(1 - u).
template <class T> void fillExponential(Engine& g, T* out, int64_t n, double lambda) {
  if (!(lambda >= 0.0))
    throw std::runtime_error("exponential_ expects lambda >= 0.0, but found lambda=" + str(lambda));
  const double scale = -1.0 / lambda;
  for (int64_t i = 0; i < n; i++) out[i] = fromDouble<T>(scale * std::log(1.0 - g.uniformDouble()));
}

// cauchy_distribution<double>: median + sigma * tan(pi * (u - 0.5)).
template <class T> void fillCauchy(Engine& g, T* out, int64_t n, double median, double sigma) {
  for (int64_t i = 0; i < n; i++)
    out[i] = fromDouble<T>(std::fma(sigma, std::tan(kPi * (g.uniformDouble() - 0.5)), median));
}

// lognormal_distribution<double>: exp of a (cached Box-Muller) normal sample.
template <class T> void fillLogNormal(Engine& g, T* out, int64_t n, double mean, double std) {
  if (!(std > 0.0)) throw std::runtime_error("log_normal_ expects std > 0.0, but found std=" + str(std));
  for (int64_t i = 0; i < n; i++) out[i] = fromDouble<T>(std::exp(std::fma(g.standardNormal(), std, mean)));
}

// geometric_distribution<double>: ceil(log(u) / log(1 - p)).
template <class T> void fillGeometric(Engine& g, T* out, int64_t n, double p) {
  if (!(0 < p && p < 1)) throw std::runtime_error("geometric_ expects p to be in (0, 1), but got p=" + str(p));
  const double denom = std::log(1.0 - p);
  for (int64_t i = 0; i < n; i++) out[i] = fromDouble<T>(std::ceil(std::log(g.uniformDouble()) / denom));
}

// bernoulli_(p) with a tensor p: float64 probabilities use bernoulli_distribution<double>, the
// others bernoulli_distribution<float> (a 24-bit uniform compared in float).
template <class T, class P> void fillBernoulliTensor(Engine& g, T* out, const P* probs, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    bool hit;
    if constexpr (std::is_same<P, double>::value) {
      const double p = probs[i];
      if (!(p >= 0 && p <= 1)) throw std::runtime_error("Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
      hit = g.uniformDouble() < p;
    } else {
      const float p = (float)probs[i];
      if (!(p >= 0 && p <= 1)) throw std::runtime_error("Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
      hit = g.uniformFloat() < p;
    }
    out[i] = fromDouble<T>(hit ? 1.0 : 0.0);
  }
}

// randperm_cpu: Fisher-Yates from the front, z = random() % (n - i).
template <class T> void fillRandperm(Engine& g, T* out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = fromInt64<T>(i);
  for (int64_t i = 0; i + 1 < n; i++) {
    const int64_t z = (int64_t)g.random() % (n - i);
    std::swap(out[i], out[z + i]);
  }
}

// multinomial. Without replacement PyTorch 1.13 uses the exponential race:
// q ~ Exp(1) in the dtype of probs, then the top numSamples of probs / q (argmax for one).
// With replacement: a binary search of a 53-bit uniform in the normalised cumulative sum.
template <class P> void sampleMultinomial(Engine& g, int64_t* out, const P* probs, int64_t rows, int64_t cols,
                                          int64_t numSamples, bool replacement) {
  using C = compute_t<P>;
  if (!replacement) {
    bool finiteNonNegative = true;
    for (int64_t i = 0; i < rows * cols; i++) {
      const C v = (C)probs[i];
      if (!(v >= 0 && v < (C)INFINITY)) finiteNonNegative = false;
    }
    if (!finiteNonNegative) throw std::runtime_error("probability tensor contains either `inf`, `nan` or element < 0");
    for (int64_t r = 0; r < rows; r++) {
      bool allZero = true;
      for (int64_t c = 0; c < cols; c++) allZero = allZero && (C)probs[r * cols + c] == 0;
      if (allZero) throw std::runtime_error("invalid multinomial distribution (sum of probabilities <= 0)");
    }
    std::vector<P> q((size_t)(rows * cols));
    for (auto& v : q) v = fromDouble<P>(-std::log(1.0 - g.uniformDouble()));  // exponential_(1)
    for (int64_t i = 0; i < rows * cols; i++) q[i] = P((C)probs[i] / (C)q[i]);
    using Elem = std::pair<double, int64_t>;
    std::vector<Elem> queue((size_t)cols);
    auto isNan = [](double v) { return std::isnan(v); };
    // topk's comparator (ATen/native/TopKImpl.h): NaN above everything, then larger first.
    auto greater = [&](const Elem& x, const Elem& y) {
      return (isNan(x.first) && !isNan(y.first)) || (x.first > y.first);
    };
    for (int64_t r = 0; r < rows; r++) {
      const P* row = q.data() + r * cols;
      if (numSamples == 1) {  // argmax: the first maximum, NaN counting as the maximum
        int64_t best = 0;
        double bestValue = (double)(C)row[0];
        for (int64_t c = 1; c < cols && !isNan(bestValue); c++) {
          const double v = (double)(C)row[c];
          if (isNan(v) || v > bestValue) { best = c; bestValue = v; }
        }
        out[r] = best;
        continue;
      }
      for (int64_t c = 0; c < cols; c++) queue[c] = Elem((double)(C)row[c], c);
      const int64_t k = numSamples;
      if (k * 64 <= cols) {
        std::partial_sort(queue.begin(), queue.begin() + k, queue.end(), greater);
      } else {
        std::nth_element(queue.begin(), queue.begin() + k - 1, queue.end(), greater);
        std::sort(queue.begin(), queue.begin() + k - 1, greater);
      }
      for (int64_t j = 0; j < k; j++) out[r * k + j] = queue[j].second;
    }
    return;
  }
  // multinomial_with_replacement_apply: the cumulative sum lives in the dtype of probs
  // (float for the half types).
  using Acc = typename std::conditional<std::is_same<P, double>::value, double, float>::type;
  std::vector<Acc> cum((size_t)cols);
  for (int64_t r = 0; r < rows; r++) {
    Acc sum = 0;
    for (int64_t c = 0; c < cols; c++) {
      const Acc v = (Acc)(C)probs[r * cols + c];
      if (!(v >= 0)) throw std::runtime_error("invalid multinomial distribution (encountering probability entry < 0)");
      if (!std::isfinite(v))
        throw std::runtime_error("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      sum += v;
      cum[c] = sum;
    }
    if (!(sum > 0)) throw std::runtime_error("invalid multinomial distribution (sum of probabilities <= 0)");
    for (int64_t c = 0; c < cols; c++) cum[c] /= sum;
    cum[cols - 1] = 1;
    for (int64_t j = 0; j < numSamples; j++) {
      const double u = g.uniformDouble();
      int64_t left = 0, right = cols;
      while (right - left > 0) {
        const int64_t mid = left + (right - left) / 2;
        if (cum[mid] < u) left = mid + 1;
        else right = mid;
      }
      out[r * numSamples + j] = left;
    }
  }
}

// ---- N-API entry points --------------------------------------------------------------------------

// node-addon-api turns only Napi::Error into a JS exception; std::exception would terminate.
template <class F> Napi::Value guarded(const Napi::CallbackInfo& info, F body) {
  try {
    body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

uint8_t* stateArg(const Napi::Value& v) {
  if (!v.IsTypedArray()) throw std::runtime_error("generator state must be a Uint8Array");
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  if (a.ByteLength() != sizeof(RngStateBytes))
    throw std::runtime_error("generator state must be " + std::to_string(sizeof(RngStateBytes)) + " bytes, got " +
                             std::to_string(a.ByteLength()));
  return reinterpret_cast<uint8_t*>(bufferData(v));
}

int64_t intArg(const Napi::Value& v, const char* what) {
  double d;
  if (v.IsBigInt()) {
    bool lossless;
    const int64_t i = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw std::runtime_error(std::string(what) + " does not fit in int64");
    return i;
  }
  if (!v.IsNumber()) throw std::runtime_error(std::string(what) + " must be a number");
  d = v.As<Napi::Number>().DoubleValue();
  if (!(d == std::floor(d)) || !(std::fabs(d) <= 9007199254740992.0))
    throw std::runtime_error(std::string(what) + " must be an integer, got " + str(d));
  return (int64_t)d;
}

// A typed array holding at least `count` elements of `dtype` from element `offset` on.
char* elementsArg(const Napi::Value& v, int dtype, int64_t offset, int64_t count, const char* what) {
  if (!v.IsTypedArray()) throw std::runtime_error(std::string(what) + " must be a TypedArray");
  const size_t bytes = v.As<Napi::TypedArray>().ByteLength();
  const int64_t es = elementSize(dtype);
  if (offset < 0 || count < 0 || (uint64_t)(offset + count) * (uint64_t)es > bytes)
    throw std::runtime_error(std::string(what) + " is too small: needs " + std::to_string(offset + count) + " elements of " +
                             std::to_string(es) + " bytes");
  return bufferData(v) + offset * es;
}

// Parameters arrive as a Float64Array (or a BigInt64Array for exact 64-bit integer bounds).
struct Params {
  std::vector<double> f;
  std::vector<int64_t> i;
  bool exactInts = false;
  size_t size() const { return exactInts ? i.size() : f.size(); }
  double number(size_t k) const {
    if (k >= size()) throw std::runtime_error("missing distribution parameter " + std::to_string(k));
    return exactInts ? (double)i[k] : f[k];
  }
  int64_t integer(size_t k) const {
    if (k >= size()) throw std::runtime_error("missing distribution parameter " + std::to_string(k));
    if (exactInts) return i[k];
    const double d = f[k];
    if (!(d == std::floor(d)) || !(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
      throw std::runtime_error("expected an integer bound, got " + str(d));
    return (int64_t)d;
  }
};
Params paramsArg(const Napi::Value& v) {
  Params p;
  if (v.IsUndefined() || v.IsNull()) return p;
  if (!v.IsTypedArray()) throw std::runtime_error("params must be a Float64Array or BigInt64Array");
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  if (a.TypedArrayType() == napi_float64_array) {
    const double* d = reinterpret_cast<const double*>(bufferData(v));
    p.f.assign(d, d + a.ElementLength());
  } else if (a.TypedArrayType() == napi_bigint64_array) {
    const int64_t* d = reinterpret_cast<const int64_t*>(bufferData(v));
    p.i.assign(d, d + a.ElementLength());
    p.exactInts = true;
  } else {
    throw std::runtime_error("params must be a Float64Array or BigInt64Array");
  }
  return p;
}

#define TT_RANDOM_FLOAT_ONLY(dt, what, ...)                                         \
  switch (dt) {                                                                     \
    TT_CASE(::tt::kFloat32, float, __VA_ARGS__)                                     \
    TT_CASE(::tt::kFloat64, double, __VA_ARGS__)                                    \
    TT_CASE(::tt::kFloat16, ::tt::Half, __VA_ARGS__)                                \
    TT_CASE(::tt::kBFloat16, ::tt::BFloat16, __VA_ARGS__)                           \
    default: throw std::runtime_error(std::string(what) + " is only implemented for floating-point dtypes"); \
  }

// generatorSeed(state, seed: bigint)
Napi::Value GeneratorSeed(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    uint8_t* state = stateArg(info[0]);
    if (!info[1].IsBigInt()) throw std::runtime_error("seed must be a bigint");
    bool lossless;
    const uint64_t seed = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw std::runtime_error("seed must be in [0, 2^64)");
    seedStateBytes(state, seed);
  });
}

// generatorCheckState(state): throws unless the bytes hold a usable mt19937 state.
Napi::Value GeneratorCheckState(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { Engine check(stateArg(info[0])); });
}

// randomFill(kind, state, out, dtype, offset, numel, params)
Napi::Value RandomFill(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    if (!info[0].IsString()) throw std::runtime_error("randomFill: kind must be a string");
    const std::string kind = info[0].As<Napi::String>();
    uint8_t* state = stateArg(info[1]);
    const int dt = (int)intArg(info[3], "dtype");
    const int64_t offset = intArg(info[4], "offset"), n = intArg(info[5], "numel");
    char* out = elementsArg(info[2], dt, offset, n, "randomFill: out");
    const Params p = paramsArg(info[6]);
    if (kind == "uniform") {
      double from = p.number(0), to = p.number(1);
      TT_RANDOM_FLOAT_ONLY(dt, "uniform_", {
        const double lo = lowestOf<T>(), hi = maxOf<T>();
        if (!(from >= lo && from <= hi)) throw std::runtime_error("from is out of bounds for the dtype");
        if (!(to >= lo && to <= hi)) throw std::runtime_error("to is out of bounds for the dtype");
        if (!(from <= to))
          throw std::runtime_error("uniform_ expects to return a [from, to) range, but found from=" + str(from) +
                                   " > to=" + str(to));
        if (!(to - from <= hi))
          throw std::runtime_error("uniform_ expects to-from <= the largest value of the dtype, but found to=" + str(to) +
                                   " and from=" + str(from) + " which result in to-from to exceed the limit");
        Engine g(state);
        if (cpuHasFma()) fillUniformFma<T>(g, reinterpret_cast<T*>(out), n, from, to);
        else fillUniform<T>(g, reinterpret_cast<T*>(out), n, from, to);
      })
    } else if (kind == "normal" || kind == "normalSerial") {
      const double mean = p.number(0), std = p.number(1);
      if (!(std >= 0.0)) throw std::runtime_error("normal expects std >= 0.0, but found std " + str(std));
      TT_RANDOM_FLOAT_ONLY(dt, "normal_", {
        Engine g(state);
        const bool serial = kind == "normalSerial";
        if (cpuHasFma()) fillNormalFma<T>(g, reinterpret_cast<T*>(out), n, mean, std, serial);
        else fillNormal<T>(g, reinterpret_cast<T*>(out), n, mean, std, serial);
      })
    } else if (kind == "randomRange") {
      const int64_t from = p.integer(0), to = p.integer(1);
      TT_DISPATCH_ALL(dt, "random_", {
        Engine g(state);
        fillRandomRange<T>(g, reinterpret_cast<T*>(out), n, from, to);
      })
    } else if (kind == "randomFrom") {
      const int64_t from = p.integer(0);
      TT_DISPATCH_ALL(dt, "random_", {
        Engine g(state);
        fillRandomFrom<T>(g, reinterpret_cast<T*>(out), n, from);
      })
    } else if (kind == "random") {
      TT_DISPATCH_ALL(dt, "random_", {
        Engine g(state);
        fillRandomDefault<T>(g, reinterpret_cast<T*>(out), n);
      })
    } else if (kind == "bernoulli") {
      const double prob = p.number(0);
      TT_DISPATCH_ALL(dt, "bernoulli_", {
        Engine g(state);
        fillBernoulli<T>(g, reinterpret_cast<T*>(out), n, prob);
      })
    } else if (kind == "exponential") {
      const double lambda = p.number(0);
      TT_RANDOM_FLOAT_ONLY(dt, "exponential_", {
        Engine g(state);
        fillExponential<T>(g, reinterpret_cast<T*>(out), n, lambda);
      })
    } else if (kind == "cauchy") {
      const double median = p.number(0), sigma = p.number(1);
      TT_RANDOM_FLOAT_ONLY(dt, "cauchy_", {
        Engine g(state);
        fillCauchy<T>(g, reinterpret_cast<T*>(out), n, median, sigma);
      })
    } else if (kind == "logNormal") {
      const double mean = p.number(0), std = p.number(1);
      TT_RANDOM_FLOAT_ONLY(dt, "log_normal_", {
        Engine g(state);
        fillLogNormal<T>(g, reinterpret_cast<T*>(out), n, mean, std);
      })
    } else if (kind == "geometric") {
      const double prob = p.number(0);
      TT_DISPATCH_NUMERIC(dt, "geometric_", {
        Engine g(state);
        fillGeometric<T>(g, reinterpret_cast<T*>(out), n, prob);
      })
    } else {
      throw std::runtime_error("randomFill: unknown kind '" + kind + "'");
    }
  });
}

// An optional element offset argument (0 when left out).
int64_t offsetArg(const Napi::CallbackInfo& info, size_t k, const char* what) {
  return info.Length() > k && !info[k].IsUndefined() ? intArg(info[k], what) : 0;
}

// bernoulliTensor(state, out, outDtype, probs, probsDtype, numel, outOffset?, probsOffset?)
Napi::Value BernoulliTensor(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    uint8_t* state = stateArg(info[0]);
    const int outDt = (int)intArg(info[2], "outDtype"), probDt = (int)intArg(info[4], "probsDtype");
    const int64_t n = intArg(info[5], "numel");
    char* out = elementsArg(info[1], outDt, offsetArg(info, 6, "outOffset"), n, "bernoulli: out");
    const char* probs = elementsArg(info[3], probDt, offsetArg(info, 7, "probsOffset"), n, "bernoulli: probs");
    TT_DISPATCH_ALL(outDt, "bernoulli_", {
      using O = T;
      TT_RANDOM_FLOAT_ONLY(probDt, "bernoulli_ probabilities", {
        Engine g(state);
        fillBernoulliTensor<O, T>(g, reinterpret_cast<O*>(out), reinterpret_cast<const T*>(probs), n);
      })
    })
  });
}

// randperm(state, out, dtype, n, offset?)
Napi::Value Randperm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    uint8_t* state = stateArg(info[0]);
    const int dt = (int)intArg(info[2], "dtype");
    const int64_t n = intArg(info[3], "n");
    if (n < 0) throw std::runtime_error("n must be non-negative, got " + std::to_string(n));
    if (dt == kFloat16 && n > (1LL << 11) + 1) throw std::runtime_error("n cannot be greater than 2049 for Half type.");
    if (dt == kFloat32 && n > (1LL << 24) + 1) throw std::runtime_error("n cannot be greater than 2^24+1 for Float type.");
    if (dt == kBool || dt == kBFloat16) badDtype("randperm", dt);
    char* out = elementsArg(info[1], dt, offsetArg(info, 4, "offset"), n, "randperm: out");
    TT_DISPATCH_NUMERIC(dt, "randperm", {
      Engine g(state);
      fillRandperm<T>(g, reinterpret_cast<T*>(out), n);
    })
  });
}

// multinomial(state, out, probs, probsDtype, rows, cols, numSamples, replacement, probsOffset?, outOffset?)
Napi::Value Multinomial(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    uint8_t* state = stateArg(info[0]);
    const int dt = (int)intArg(info[3], "probsDtype");
    const int64_t rows = intArg(info[4], "rows"), cols = intArg(info[5], "cols");
    const int64_t numSamples = intArg(info[6], "numSamples");
    const bool replacement = info[7].ToBoolean();
    if (rows < 0 || cols <= 0) throw std::runtime_error("multinomial: bad probability shape");
    if (numSamples <= 0) throw std::runtime_error("cannot sample n_sample <= 0 samples");
    if (!replacement && numSamples > cols)
      throw std::runtime_error("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    if (cols > (1LL << 24)) throw std::runtime_error("number of categories cannot exceed 2^24");
    int64_t* out = reinterpret_cast<int64_t*>(
        elementsArg(info[1], kInt64, offsetArg(info, 9, "outOffset"), rows * numSamples, "multinomial: out"));
    const char* probs = elementsArg(info[2], dt, offsetArg(info, 8, "probsOffset"), rows * cols, "multinomial: probs");
    TT_RANDOM_FLOAT_ONLY(dt, "multinomial", {
      Engine g(state);
      sampleMultinomial<T>(g, out, reinterpret_cast<const T*>(probs), rows, cols, numSamples, replacement);
    })
  });
}

}  // namespace

void registerRandom(Napi::Env env, Napi::Object exports) {
  exports.Set("generatorStateBytes", Napi::Number::New(env, (double)sizeof(RngStateBytes)));
  exports.Set("generatorSeed", Napi::Function::New(env, GeneratorSeed, "generatorSeed"));
  exports.Set("generatorCheckState", Napi::Function::New(env, GeneratorCheckState, "generatorCheckState"));
  exports.Set("randomFill", Napi::Function::New(env, RandomFill, "randomFill"));
  exports.Set("bernoulliTensor", Napi::Function::New(env, BernoulliTensor, "bernoulliTensor"));
  exports.Set("randperm", Napi::Function::New(env, Randperm, "randperm"));
  exports.Set("multinomial", Napi::Function::New(env, Multinomial, "multinomial"));
}

}  // namespace tt
