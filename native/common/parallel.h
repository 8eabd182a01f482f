// SPDX-License-Identifier: BSD-3-Clause
// A small fixed thread pool. Large kernels split their range across all threads; small
// kernels stay on the calling thread so per-op overhead stays low.
#pragma once
#include <cstdint>
#include <functional>

namespace tt {

// Work below this many elements runs on the calling thread.
constexpr int64_t kGrainSize = 32768;

int getNumThreads();
void setNumThreads(int n);

// Runs fn(begin, end) over [0, n) in contiguous chunks of at least `grain` items, on the pool.
void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace tt
