// SPDX-License-Identifier: BSD-3-Clause
// Run-time instruction-set dispatch for hot contiguous loops: GCC's target_clones compiles a
// function for AVX2 and for the baseline and picks one when the library loads (ifunc).
#pragma once

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define TT_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TT_SIMD_CLONES
#endif
