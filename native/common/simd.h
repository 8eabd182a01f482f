// SPDX-License-Identifier: BSD-3-Clause
// Run-time instruction-set dispatch for hot contiguous loops: GCC's target_clones compiles a
// function for AVX2 and for the baseline and picks one when the library loads (ifunc).
// Hand-written AVX2 + FMA code (float32 transcendental activations) is compiled with TT_AVX2 and
// only called where hasAvx2Fma() says the CPU can run it; elsewhere the scalar loops run.
#pragma once

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define TT_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TT_SIMD_CLONES
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define TT_HAVE_AVX2_CODE 1
#define TT_AVX2 __attribute__((target("avx2,fma")))
#include <immintrin.h>
#else
#define TT_HAVE_AVX2_CODE 0
#define TT_AVX2
#endif

namespace tt {

// True where the CPU runs AVX2 and FMA (checked once).
inline bool hasAvx2Fma() {
#if TT_HAVE_AVX2_CODE
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

#if TT_HAVE_AVX2_CODE
namespace v8 {
// 8 x float32 helpers for the vectorised activations. Accuracy: exp within 2 ulp of the
// correctly rounded result over its whole range (Cephes' expf polynomial after a 2-step
// Cody-Waite reduction), with IEEE results for +-inf, NaN, overflow and underflow.

TT_AVX2 inline __m256 set1(float x) { return _mm256_set1_ps(x); }

// exp(x). Inputs below about -87.3 give subnormals / 0 through a two-step scale, as expf does.
TT_AVX2 inline __m256 exp(__m256 x) {
  const __m256 hi = set1(88.7228394f), lo = set1(-103.972084f);
  __m256 xc = _mm256_min_ps(_mm256_max_ps(x, lo), hi);  // NaN: max/min return the second operand
  // n = round(x / ln2)
  __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, set1(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, set1(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, set1(-2.12194440e-4f), r);
  __m256 p = set1(1.9875691500E-4f);
  p = _mm256_fmadd_ps(p, r, set1(1.3981999507E-3f));
  p = _mm256_fmadd_ps(p, r, set1(8.3334519073E-3f));
  p = _mm256_fmadd_ps(p, r, set1(4.1665795894E-2f));
  p = _mm256_fmadd_ps(p, r, set1(1.6666665459E-1f));
  p = _mm256_fmadd_ps(p, r, set1(5.0000001201E-1f));
  __m256 r2 = _mm256_mul_ps(r, r);
  p = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, set1(1.0f)));
  // scale by 2^n in two steps so n in [-150, 128] neither overflows the exponent field nor
  // flushes early: 2^n = 2^(n/2) * 2^(n - n/2)
  __m256i ni = _mm256_cvtps_epi32(n);
  __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
  __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  // x > 88.72...: +inf; x < -103.97...: 0; x NaN: NaN
  y = _mm256_blendv_ps(y, set1(__builtin_inff()), _mm256_cmp_ps(x, hi, _CMP_GT_OQ));
  y = _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), y);
  y = _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  return y;
}

TT_AVX2 inline __m256 neg(__m256 x) { return _mm256_xor_ps(x, set1(-0.0f)); }

// tanh(x) (Cephes tanhf): an odd polynomial below |x| = 0.625, 1 - 2 / (exp(2|x|) + 1) above it.
TT_AVX2 inline __m256 tanh(__m256 x) {
  const __m256 sign = set1(-0.0f);
  __m256 ax = _mm256_andnot_ps(sign, x);
  __m256 z = _mm256_mul_ps(x, x);
  __m256 p = set1(-5.70498872745E-3f);
  p = _mm256_fmadd_ps(p, z, set1(2.06390887954E-2f));
  p = _mm256_fmadd_ps(p, z, set1(-5.37397155531E-2f));
  p = _mm256_fmadd_ps(p, z, set1(1.33314422036E-1f));
  p = _mm256_fmadd_ps(p, z, set1(-3.33332819422E-1f));
  __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
  small = _mm256_or_ps(small, _mm256_and_ps(x, sign));  // tanh(-0) = -0
  __m256 e = exp(_mm256_add_ps(ax, ax));
  __m256 big = _mm256_sub_ps(set1(1.0f), _mm256_div_ps(set1(2.0f), _mm256_add_ps(e, set1(1.0f))));
  big = _mm256_or_ps(big, _mm256_and_ps(x, sign));
  return _mm256_blendv_ps(small, big, _mm256_cmp_ps(ax, set1(0.625f), _CMP_GE_OQ));
}

// log(x) (Cephes logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), a degree-9 polynomial in m - 1),
// within 2 ulp; subnormals scaled up first; log(0) = -inf, log(+inf) = +inf, log(x < 0) = NaN.
TT_AVX2 inline __m256 log(__m256 x) {
  const __m256 one = set1(1.0f);
  const __m256 tiny = _mm256_cmp_ps(x, set1(1.17549435e-38f), _CMP_LT_OQ);
  const __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, set1(8388608.0f)), tiny);  // 2^23
  const __m256i xi = _mm256_castps_si256(xs);
  __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(xi, 23), _mm256_set1_epi32(126)));
  e = _mm256_sub_ps(e, _mm256_and_ps(tiny, set1(23.0f)));
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(xi, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f000000)));
  // m in [0.5, 1): below sqrt(1/2) use 2m - 1 and e - 1, else m - 1
  const __m256 lt = _mm256_cmp_ps(m, set1(0.707106781186547524f), _CMP_LT_OQ);
  const __m256 extra = _mm256_and_ps(m, lt);
  m = _mm256_add_ps(_mm256_sub_ps(m, one), extra);
  e = _mm256_sub_ps(e, _mm256_and_ps(one, lt));
  const __m256 z = _mm256_mul_ps(m, m);
  __m256 y = set1(7.0376836292E-2f);
  y = _mm256_fmadd_ps(y, m, set1(-1.1514610310E-1f));
  y = _mm256_fmadd_ps(y, m, set1(1.1676998740E-1f));
  y = _mm256_fmadd_ps(y, m, set1(-1.2420140846E-1f));
  y = _mm256_fmadd_ps(y, m, set1(1.4249322787E-1f));
  y = _mm256_fmadd_ps(y, m, set1(-1.6668057665E-1f));
  y = _mm256_fmadd_ps(y, m, set1(2.0000714765E-1f));
  y = _mm256_fmadd_ps(y, m, set1(-2.4999993993E-1f));
  y = _mm256_fmadd_ps(y, m, set1(3.3333331174E-1f));
  y = _mm256_mul_ps(_mm256_mul_ps(y, m), z);
  y = _mm256_fmadd_ps(e, set1(-2.12194440e-4f), y);
  y = _mm256_fnmadd_ps(z, set1(0.5f), y);
  __m256 r = _mm256_add_ps(m, y);
  r = _mm256_fmadd_ps(e, set1(0.693359375f), r);
  const __m256 zero = _mm256_setzero_ps(), inf = set1(__builtin_inff());
  r = _mm256_blendv_ps(r, _mm256_sub_ps(zero, inf), _mm256_cmp_ps(x, zero, _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, inf, _mm256_cmp_ps(x, inf, _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, set1(__builtin_nanf("")), _mm256_cmp_ps(x, zero, _CMP_LT_OQ));
  return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));  // NaN in, the same NaN out
}

// log(1 + u) for u >= 0 or u in (-1, 0) away from -1 (the callers pass exp(...) > 0): log(w) with
// w = 1 + u rounded, corrected by the rounding error ((w - 1) - u) / w; +inf for u = +inf.
TT_AVX2 inline __m256 log1pPos(__m256 u) {
  const __m256 one = set1(1.0f);
  const __m256 w = _mm256_add_ps(one, u);
  const __m256 r = _mm256_sub_ps(log(w), _mm256_div_ps(_mm256_sub_ps(_mm256_sub_ps(w, one), u), w));
  return _mm256_blendv_ps(r, u, _mm256_cmp_ps(u, set1(__builtin_inff()), _CMP_EQ_OQ));
}

// erf(x): |x| < 1: Cephes erff's x P(x^2) (relative error 2e-7); above: 1 - erfc(|x|) with
// Numerical Recipes' erfc (relative error 1.2e-7 on erfc) and x^2 split exactly by an FMA, so
// erf agrees with a correctly rounded one to a few ulp. NaN in, NaN out; erf(+-inf) = +-1.
TT_AVX2 inline __m256 erf(__m256 x) {
  const __m256 sign = set1(-0.0f), one = set1(1.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = set1(7.853861353153693E-5f);
  p = _mm256_fmadd_ps(p, z, set1(-8.010193625184903E-4f));
  p = _mm256_fmadd_ps(p, z, set1(5.188327685732524E-3f));
  p = _mm256_fmadd_ps(p, z, set1(-2.685381193529856E-2f));
  p = _mm256_fmadd_ps(p, z, set1(1.128358514861418E-1f));
  p = _mm256_fmadd_ps(p, z, set1(-3.761262582423300E-1f));
  p = _mm256_fmadd_ps(p, z, set1(1.128379165726710E+0f));
  const __m256 small = _mm256_mul_ps(x, p);
  // erfc(a) = t exp(-a^2 - 1.26551223 + t (1.00002368 + t (...))), t = 1 / (1 + a / 2); a clamped
  // to 10 (erf = 1 there) so inf gives 1 rather than NaN
  const __m256 a = _mm256_min_ps(ax, set1(10.0f));
  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(a, set1(0.5f), one));
  __m256 q = set1(0.17087277f);
  q = _mm256_fmadd_ps(q, t, set1(-0.82215223f));
  q = _mm256_fmadd_ps(q, t, set1(1.48851587f));
  q = _mm256_fmadd_ps(q, t, set1(-1.13520398f));
  q = _mm256_fmadd_ps(q, t, set1(0.27886807f));
  q = _mm256_fmadd_ps(q, t, set1(-0.18628806f));
  q = _mm256_fmadd_ps(q, t, set1(0.09678418f));
  q = _mm256_fmadd_ps(q, t, set1(0.37409196f));
  q = _mm256_fmadd_ps(q, t, set1(1.00002368f));
  q = _mm256_fmadd_ps(q, t, set1(-1.26551223f));
  const __m256 hi = _mm256_mul_ps(a, a), lo = _mm256_fmsub_ps(a, a, hi);  // a^2 = hi + lo exactly
  const __m256 erfc = _mm256_mul_ps(t, exp(_mm256_sub_ps(_mm256_sub_ps(q, lo), hi)));
  __m256 big = _mm256_sub_ps(one, erfc);
  big = _mm256_or_ps(big, _mm256_and_ps(x, sign));
  const __m256 r = _mm256_blendv_ps(small, big, _mm256_cmp_ps(ax, one, _CMP_GE_OQ));
  return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

}  // namespace v8
#endif

}  // namespace tt
