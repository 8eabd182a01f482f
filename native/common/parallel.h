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
// spinNs > 0 is for regions likely to be followed closely by another (the GEMMs of a layer stack or
// a loop of products): a worker that ran a chunk of this region keeps polling for the next one for
// up to spinNs (yielding its CPU between polls) before it sleeps, so the next region does not pay
// its wake-up. A worker that ran no chunk (it woke too late: a busy machine) sleeps at once.
void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn, int64_t spinNs = 0);

// The spinNs the GEMMs pass (TORCHTS_POLL_US, microseconds; default 200).
int64_t gemmPollNanos();

}  // namespace tt
