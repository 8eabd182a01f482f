// SPDX-License-Identifier: BSD-3-Clause
// Element types, their storage representation, and the dtype dispatch written once.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tt {

// The codes are shared with src/tensor/dtype.ts (DTYPE_CODE); keep them in sync.
enum DType : int {
  kBool = 0, kUInt8 = 1, kInt8 = 2, kInt16 = 3, kInt32 = 4, kInt64 = 5,
  kFloat16 = 6, kBFloat16 = 7, kFloat32 = 8, kFloat64 = 9,
};

inline float bitsToFloat(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline uint32_t floatToBits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

// IEEE binary16 stored as its bits; arithmetic happens in float.
struct Half {
  uint16_t x;
  Half() = default;
  Half(float f) : x(fromFloat(f)) {}
  operator float() const { return toFloat(x); }
  static float toFloat(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0) {
      if (man == 0) return bitsToFloat(sign);
      float f = std::ldexp((float)man, -24);  // subnormal
      return sign ? -f : f;
    }
    if (exp == 31) return bitsToFloat(sign | 0x7f800000u | (man << 13));
    return bitsToFloat(sign | ((exp + 112) << 23) | (man << 13));
  }
  static uint16_t fromFloat(float f) {  // round to nearest even, as the hardware does
    uint32_t u = floatToBits(f), sign = (u >> 16) & 0x8000;
    uint32_t absu = u & 0x7fffffffu;
    if (absu >= 0x7f800000u) return (uint16_t)(sign | 0x7c00 | (absu > 0x7f800000u ? 0x200 : 0));
    if (absu >= 0x477ff000u) return (uint16_t)(sign | 0x7c00);  // overflow to inf
    if (absu < 0x38800000u) {  // subnormal or zero in half
      float a = bitsToFloat(absu);
      uint32_t m = (uint32_t)std::nearbyint(a * 16777216.0f);  // units of 2^-24
      return (uint16_t)(sign | m);
    }
    uint32_t mant = absu & 0x7fffff, e = (absu >> 23) - 112;
    uint32_t h = (e << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) h++;
    return (uint16_t)(sign | h);
  }
};

// bfloat16: the top 16 bits of a float, rounded to nearest even.
struct BFloat16 {
  uint16_t x;
  BFloat16() = default;
  BFloat16(float f) : x(fromFloat(f)) {}
  operator float() const { return bitsToFloat((uint32_t)x << 16); }
  static uint16_t fromFloat(float f) {
    uint32_t u = floatToBits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);  // quiet NaN
    u += 0x7fff + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
  }
};

// The type arithmetic happens in: half types compute in float.
template <class T> struct ComputeOf { using type = T; };
template <> struct ComputeOf<Half> { using type = float; };
template <> struct ComputeOf<BFloat16> { using type = float; };
template <class T> using compute_t = typename ComputeOf<T>::type;

// Accumulator for sums: float32 accumulates in double (PyTorch is careful here too:
// torch.ones(10_000_000).sum() must be exactly 1e7); integers accumulate in int64.
template <class T> struct AccOf { using type = double; };
template <> struct AccOf<bool> { using type = int64_t; };
template <> struct AccOf<uint8_t> { using type = int64_t; };
template <> struct AccOf<int8_t> { using type = int64_t; };
template <> struct AccOf<int16_t> { using type = int64_t; };
template <> struct AccOf<int32_t> { using type = int64_t; };
template <> struct AccOf<int64_t> { using type = int64_t; };
template <class T> using acc_t = typename AccOf<T>::type;

inline int elementSize(int dt) {
  switch (dt) {
    case kBool: case kUInt8: case kInt8: return 1;
    case kInt16: case kFloat16: case kBFloat16: return 2;
    case kInt32: case kFloat32: return 4;
    case kInt64: case kFloat64: return 8;
  }
  throw std::runtime_error("unknown dtype code " + std::to_string(dt));
}

template <class T> constexpr bool isFloating() {
  return std::is_same<T, float>::value || std::is_same<T, double>::value || std::is_same<T, Half>::value ||
         std::is_same<T, BFloat16>::value;
}

[[noreturn]] inline void badDtype(const char* what, int dt) {
  throw std::runtime_error(std::string(what) + ": unsupported dtype code " + std::to_string(dt));
}

}  // namespace tt

// Dispatch: binds the C++ type T for a dtype code and runs the body.
#define TT_CASE(code, type, ...) case code: { using T = type; __VA_ARGS__; break; }
#define TT_DISPATCH_FLOAT(dt, what, ...)                         \
  switch (dt) {                                                  \
    TT_CASE(::tt::kFloat32, float, __VA_ARGS__)                  \
    TT_CASE(::tt::kFloat64, double, __VA_ARGS__)                 \
    TT_CASE(::tt::kFloat16, ::tt::Half, __VA_ARGS__)             \
    TT_CASE(::tt::kBFloat16, ::tt::BFloat16, __VA_ARGS__)        \
    default: ::tt::badDtype(what, dt);                           \
  }
#define TT_DISPATCH_INT(dt, what, ...)                           \
  switch (dt) {                                                  \
    TT_CASE(::tt::kUInt8, uint8_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt8, int8_t, __VA_ARGS__)                    \
    TT_CASE(::tt::kInt16, int16_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt32, int32_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt64, int64_t, __VA_ARGS__)                  \
    default: ::tt::badDtype(what, dt);                           \
  }
#define TT_DISPATCH_NUMERIC(dt, what, ...)                       \
  switch (dt) {                                                  \
    TT_CASE(::tt::kUInt8, uint8_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt8, int8_t, __VA_ARGS__)                    \
    TT_CASE(::tt::kInt16, int16_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt32, int32_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt64, int64_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kFloat32, float, __VA_ARGS__)                  \
    TT_CASE(::tt::kFloat64, double, __VA_ARGS__)                 \
    TT_CASE(::tt::kFloat16, ::tt::Half, __VA_ARGS__)             \
    TT_CASE(::tt::kBFloat16, ::tt::BFloat16, __VA_ARGS__)        \
    default: ::tt::badDtype(what, dt);                           \
  }
#define TT_DISPATCH_ALL(dt, what, ...)                           \
  switch (dt) {                                                  \
    TT_CASE(::tt::kBool, bool, __VA_ARGS__)                      \
    TT_CASE(::tt::kUInt8, uint8_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt8, int8_t, __VA_ARGS__)                    \
    TT_CASE(::tt::kInt16, int16_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt32, int32_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kInt64, int64_t, __VA_ARGS__)                  \
    TT_CASE(::tt::kFloat32, float, __VA_ARGS__)                  \
    TT_CASE(::tt::kFloat64, double, __VA_ARGS__)                 \
    TT_CASE(::tt::kFloat16, ::tt::Half, __VA_ARGS__)             \
    TT_CASE(::tt::kBFloat16, ::tt::BFloat16, __VA_ARGS__)        \
    default: ::tt::badDtype(what, dt);                           \
  }
